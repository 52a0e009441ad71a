//! The tracked deadlines (DL-3) a case's events start and meet: one rule, used by the service
//! that records a step and by the demo generator, so a case worked in the console and one
//! generated in bulk carry the same deadlines.
//!
//! - 立案 opens the decision deadline (处罚法第六十条: 90 days from filing);
//! - the decision meets it and opens service (第六十一条: handed over on announcement, or
//!   within 7 working days when the party is absent);
//! - service meets that and, when a fine is owed, opens payment (第六十七条: 15 days from
//!   receiving the decision);
//! - the payment that clears the fine meets it;
//! - a hearing suspends the decision deadline from its request to the day it is held (DL-4:
//!   the hearing's time is not counted in the period for deciding).

use super::Case;
use crate::event::Event;
use time::{Date, OffsetDateTime};

/// 处罚法第六十条.
pub const DECISION_RULE: &str = "penalty.decision";
/// 处罚法第六十一条.
pub const SERVICE_RULE: &str = "penalty.service";
/// 处罚法第六十七条.
pub const PAYMENT_RULE: &str = "penalty.payment";

/// What one case event does to the case's deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyChange {
    /// Opens a deadline of `rule`, counted from `from`, titled for the deadline list.
    Open {
        rule: &'static str,
        title: String,
        from: Date,
    },
    /// Meets the case's unfinished deadline of `rule` on `on` (late if it has passed).
    Meet { rule: &'static str, on: Date },
    /// Suspends the case's unfinished deadline of `rule` from `from` (DL-4), for `reason`.
    Suspend {
        rule: &'static str,
        from: Date,
        reason: &'static str,
    },
    /// Lets it run again after `on`.
    Resume { rule: &'static str, on: Date },
}

/// Why a hearing suspends the decision deadline.
pub const HEARING_SUSPENSION: &str =
    "听证期间不计入作出行政处罚决定的期限（DL-4；听证：《行政处罚法》第六十四条）";

/// The changes `event` makes, judged on the case as it stands after the event (`after`).
pub fn duty_changes(after: &Case, event: &Event) -> Vec<DutyChange> {
    let no = &after.case_no;
    match event {
        Event::CaseFiled(_) => vec![DutyChange::Open {
            rule: DECISION_RULE,
            title: format!("作出行政处罚决定（{no}）"),
            from: after
                .progress
                .filed_on
                .expect("a filed case has its filing day"),
        }],
        Event::PenaltyDecided(d) => vec![
            DutyChange::Meet {
                rule: DECISION_RULE,
                on: d.on,
            },
            DutyChange::Open {
                rule: SERVICE_RULE,
                title: format!("送达行政处罚决定书（{no}）"),
                from: d.on,
            },
        ],
        Event::HearingRequested { on, .. } => vec![DutyChange::Suspend {
            rule: DECISION_RULE,
            from: *on,
            reason: HEARING_SUSPENSION,
        }],
        Event::HearingHeld { on, .. } => vec![DutyChange::Resume {
            rule: DECISION_RULE,
            on: *on,
        }],
        Event::NoPenaltyDecided { on, .. } => vec![
            DutyChange::Meet {
                rule: DECISION_RULE,
                on: *on,
            },
            DutyChange::Open {
                rule: SERVICE_RULE,
                title: format!("送达不予行政处罚决定书（{no}）"),
                from: *on,
            },
        ],
        Event::DecisionServed { on, .. } => {
            let mut out = vec![DutyChange::Meet {
                rule: SERVICE_RULE,
                on: *on,
            }];
            if after.progress.fine_fen > after.progress.paid_fen {
                out.push(DutyChange::Open {
                    rule: PAYMENT_RULE,
                    title: format!("缴纳罚款（{no}）"),
                    from: *on,
                });
            }
            out
        }
        Event::FinePaid { on, .. } if after.progress.paid_fen >= after.progress.fine_fen => {
            vec![DutyChange::Meet {
                rule: PAYMENT_RULE,
                on: *on,
            }]
        }
        _ => vec![],
    }
}

/// When a duty met on `on` counts as met: noon in Beijing of that day (the record's own day,
/// not the day it was entered), in UTC.
pub fn met_at(on: Date) -> OffsetDateTime {
    on.with_hms(12, 0, 0)
        .expect("noon exists")
        .assume_offset(time::macros::offset!(+8))
        .to_offset(time::UtcOffset::UTC)
}

impl DutyChange {
    /// The catalog rule whose deadline the change opens or moves.
    pub fn rule(&self) -> &'static str {
        match self {
            DutyChange::Open { rule, .. }
            | DutyChange::Meet { rule, .. }
            | DutyChange::Suspend { rule, .. }
            | DutyChange::Resume { rule, .. } => rule,
        }
    }

    /// What this change (a meeting, suspension or resumption) records on the case's deadline
    /// `d`, decided by the deadline rules as `actor` on `today`; `None` when `d` is of another
    /// rule or finished, or for an opening (a new deadline, `deadline::open`). A refusal
    /// (a deadline already suspended by hand, a suspension from the period's first day) is the
    /// caller's to weigh: the step itself stays lawful.
    pub fn transition(
        &self,
        d: &crate::deadline::Deadline,
        actor: &crate::auth::Actor,
        catalog: &zhifa_calendar::Catalog,
        calendar: &zhifa_calendar::Calendar,
        today: Date,
    ) -> Option<Result<Event, crate::DomainError>> {
        use crate::deadline;
        if d.rule_id != self.rule() || d.status.is_finished() {
            return None;
        }
        Some(match self {
            DutyChange::Open { .. } => return None,
            DutyChange::Meet { on, .. } => Ok(deadline::decide_met(d, met_at(*on))),
            DutyChange::Suspend { from, reason, .. } => {
                deadline::decide_suspend(actor, catalog, calendar, d, *from, reason, today)
            }
            DutyChange::Resume { on, .. } => {
                deadline::decide_resume(actor, catalog, calendar, d, *on, today)
            }
        })
    }
}
