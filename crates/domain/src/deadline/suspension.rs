//! Suspension (中止), resumption and extension of a running deadline (DL-4, DL-3, REV-5), and
//! the one state transition of a deadline, [`Deadline::evolve`].
//!
//! Each decision records the new due date in its event, computed here from the catalog and the
//! calendar, so a projection replays events without a calendar and a later recompute (a notice
//! import) starts from the full ledger of suspensions and the approved extension.

use super::{Deadline, DeadlineStatus, DueAt, due_at, extension_of, has_passed};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use crate::event::Event;
use crate::registry::format_date;
use time::{Date, OffsetDateTime};
use zhifa_calendar::{Calendar, Catalog, Suspension};

fn refuse(field: &str, code: &str, rule: &'static str, msg: String) -> DomainError {
    DomainError::invalid(field, code, msg).rule(rule)
}

/// A deadline's decisions are made by its own agency (the 负责人 who approves is this agency's).
fn require_own(actor: &Actor, d: &Deadline, p: Permission) -> Result<(), DomainError> {
    actor.require(p)?;
    if actor.agency_id != d.agency_id && !actor.is_system() {
        return Err(DomainError::forbidden(format!(
            "{}只能由期限所属机关作出",
            p.label()
        )));
    }
    Ok(())
}

fn open_suspension(d: &Deadline) -> Option<&Suspension> {
    d.suspensions.iter().find(|s| s.until.is_none())
}

fn require_open(d: &Deadline, rule: &'static str) -> Result<(), DomainError> {
    if d.status != DeadlineStatus::Open {
        return Err(DomainError::conflict(
            Some("deadline_id"),
            "not_open",
            format!("期限「{}」已{}，不能再变更", d.title, d.status.label()),
        )
        .rule(rule));
    }
    Ok(())
}

/// DL-4: the period stops running from `from` (a hearing, an expert evaluation, a public
/// notice…). Only rules the statute lets be suspended; one suspension at a time; not before the
/// period starts, not in the future, and not once the deadline has passed.
pub fn decide_suspend(
    actor: &Actor,
    catalog: &Catalog,
    calendar: &Calendar,
    d: &Deadline,
    from: Date,
    reason: &str,
    today: Date,
) -> Result<Event, DomainError> {
    require_own(actor, d, Permission::SuspendDeadline)?;
    require_open(d, "DL-4")?;
    let rule = catalog
        .get(&d.rule_id)
        .map_err(|e| DomainError::invalid("rule_id", "calendar", e.to_string()))?;
    if !rule.suspendable {
        return Err(refuse(
            "deadline_id",
            "not_suspendable",
            "DL-4",
            format!("「{}」的期限依法不能中止（{}）", rule.name, rule.basis),
        ));
    }
    if let Some(s) = open_suspension(d) {
        return Err(DomainError::conflict(
            Some("from"),
            "already_suspended",
            format!("期限已自 {} 起中止，请先恢复", format_date(s.from)),
        )
        .rule("DL-4"));
    }
    let reason = required("reason", reason, 200)?;
    if from <= d.anchor.date() {
        return Err(refuse(
            "from",
            "before_start",
            "DL-4",
            format!("中止日期须晚于期限起算日 {}", format_date(d.anchor.date())),
        ));
    }
    if from > today {
        return Err(refuse(
            "from",
            "in_future",
            "DL-4",
            "中止日期不能晚于今天".into(),
        ));
    }
    if let Some(last) = d.suspensions.iter().filter_map(|s| s.until).max()
        && from <= last
    {
        return Err(refuse(
            "from",
            "overlaps",
            "DL-4",
            format!("中止日期须晚于上次恢复日 {}", format_date(last)),
        ));
    }
    if d.due.date.is_some_and(|due| from > due) {
        return Err(refuse(
            "from",
            "after_due",
            "DL-4",
            "期限届满后不能再中止".into(),
        ));
    }
    let mut suspensions = d.suspensions.clone();
    suspensions.push(Suspension { from, until: None });
    let due = recomputed(catalog, calendar, d, suspensions)?;
    Ok(Event::DeadlineSuspended {
        deadline_id: d.id,
        from,
        reason,
        due,
    })
}

/// DL-4: the suspended period runs again after `on` (the day of resumption is not counted).
pub fn decide_resume(
    actor: &Actor,
    catalog: &Catalog,
    calendar: &Calendar,
    d: &Deadline,
    on: Date,
    today: Date,
) -> Result<Event, DomainError> {
    require_own(actor, d, Permission::SuspendDeadline)?;
    require_open(d, "DL-4")?;
    let Some(open) = open_suspension(d).copied() else {
        return Err(
            DomainError::conflict(Some("on"), "not_suspended", "期限未中止，无需恢复").rule("DL-4"),
        );
    };
    if on < open.from {
        return Err(refuse(
            "on",
            "before_suspension",
            "DL-4",
            format!("恢复日期不能早于中止日期 {}", format_date(open.from)),
        ));
    }
    if on > today {
        return Err(refuse(
            "on",
            "in_future",
            "DL-4",
            "恢复日期不能晚于今天".into(),
        ));
    }
    let suspensions = d
        .suspensions
        .iter()
        .map(|s| {
            if s.until.is_none() {
                Suspension {
                    from: s.from,
                    until: Some(on),
                }
            } else {
                *s
            }
        })
        .collect();
    let due = recomputed(catalog, calendar, d, suspensions)?;
    Ok(Event::DeadlineResumed {
        deadline_id: d.id,
        on,
        due,
    })
}

/// What a rule allows of an extension (from the catalog), for the pages offering one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRule {
    /// The longest extension, in `unit`.
    pub max_length: u32,
    /// The rule's unit, in Chinese (日, 个工作日…).
    pub unit: &'static str,
    /// Who must approve it.
    pub approval: String,
}

/// The longest extension a rule allows, in which unit, and who must approve it.
pub fn extension_rule(catalog: &Catalog, rule_id: &str) -> Option<ExtensionRule> {
    let rule = catalog.get(rule_id).ok()?;
    rule.extension.as_ref().map(|e| ExtensionRule {
        max_length: e.max_length,
        unit: rule.unit_label(),
        approval: e.approval.clone(),
    })
}

/// Whether a rule's period may be suspended at all (DL-4; `decide_suspend` refuses otherwise).
pub fn suspendable(catalog: &Catalog, rule_id: &str) -> bool {
    catalog.get(rule_id).is_ok_and(|r| r.suspendable)
}

/// DL-3 / REV-5 / 强制法第二十五条: a period is extended once, where the statute allows it, by
/// at most the rule's maximum, with the approval the statute names (the agency head's:
/// 经行政机关负责人批准), recorded with its document, and before the original deadline passes.
#[allow(clippy::too_many_arguments)]
pub fn decide_extend(
    actor: &Actor,
    catalog: &Catalog,
    calendar: &Calendar,
    d: &Deadline,
    days: u32,
    approval: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<Event, DomainError> {
    let rule = catalog
        .get(&d.rule_id)
        .map_err(|e| DomainError::invalid("rule_id", "calendar", e.to_string()))?;
    // The review opinion's extension is REV-5's; every other one is a DL-3 period's.
    let spec: &'static str = if rule.spec == "REV-5" {
        "REV-5"
    } else {
        "DL-3"
    };
    // Who may act is checked first, as for suspensions: a caller without the permission learns
    // nothing about the rule. The approver the statute names is the agency head; the
    // permission table says who that is.
    let approval_text = rule
        .extension
        .as_ref()
        .map(|e| e.approval.clone())
        .unwrap_or_else(|| "经行政机关负责人批准".into());
    require_own(actor, d, Permission::ExtendDeadline).map_err(|mut e| {
        e.message = format!("延长期限须{approval_text}：{}", e.message);
        e
    })?;
    if rule.extension.is_none() {
        return Err(refuse(
            "deadline_id",
            "no_extension",
            spec,
            format!("「{}」的期限依法不能延长（{}）", rule.name, rule.basis),
        ));
    }
    require_open(d, spec)?;
    if d.extended {
        return Err(DomainError::conflict(
            Some("days"),
            "already_extended",
            format!("「{}」的期限只能延长一次，已经延长", rule.name),
        )
        .rule(spec));
    }
    // The statutory cap (强制法第二十五条: up to 30 days; each rule its own) is the calendar's.
    rule.approve_extension(days)
        .map_err(|e| refuse("days", "out_of_range", spec, e.to_string()))?;
    let approval = required("approval", approval, 200).map_err(|e| e.rule(spec))?;
    let reason = required("reason", reason, 500).map_err(|e| e.rule(spec))?;
    if has_passed(d, now) {
        return Err(refuse(
            "days",
            "too_late",
            spec,
            format!(
                "期限已于 {} 届满，届满后不能再批准延长",
                d.due.date.map(format_date).unwrap_or_default()
            ),
        ));
    }
    let due = due_at(
        catalog,
        calendar,
        &d.rule_id,
        d.anchor,
        Some(days),
        d.suspensions.clone(),
    )?;
    Ok(Event::DeadlineExtended {
        deadline_id: d.id,
        days,
        approved_by: actor.user_id,
        approval,
        reason,
        due,
    })
}

fn recomputed(
    catalog: &Catalog,
    calendar: &Calendar,
    d: &Deadline,
    suspensions: Vec<Suspension>,
) -> Result<DueAt, DomainError> {
    due_at(
        catalog,
        calendar,
        &d.rule_id,
        d.anchor,
        extension_of(catalog, d)?,
        suspensions,
    )
}

impl Deadline {
    /// The state after `e`. Events about other deadlines, and other kinds of events, leave it
    /// unchanged. A recompute changes only the due date: the suspensions and the extension it
    /// was computed from stay.
    pub fn evolve(mut self, e: &Event) -> Deadline {
        match e {
            Event::DeadlineOpened(d) if d.id == self.id => return d.clone().into(),
            Event::DeadlineRecomputed {
                deadline_id, due, ..
            } if *deadline_id == self.id => self.due = due.clone(),
            Event::DeadlineMissed { deadline_id, due } if *deadline_id == self.id => {
                self.due = due.clone();
                self.status = DeadlineStatus::Missed;
            }
            Event::DeadlineMet {
                deadline_id,
                on,
                late,
            } if *deadline_id == self.id => {
                self.status = if *late {
                    DeadlineStatus::MetLate
                } else {
                    DeadlineStatus::Met
                };
                self.satisfied_on = Some(*on);
            }
            Event::DeadlineSuspended {
                deadline_id,
                from,
                due,
                ..
            } if *deadline_id == self.id => {
                self.suspensions.push(Suspension {
                    from: *from,
                    until: None,
                });
                self.due = due.clone();
            }
            Event::DeadlineResumed {
                deadline_id,
                on,
                due,
            } if *deadline_id == self.id => {
                for s in self.suspensions.iter_mut().filter(|s| s.until.is_none()) {
                    s.until = Some(*on);
                }
                self.due = due.clone();
            }
            Event::DeadlineExtended {
                deadline_id,
                days,
                due,
                ..
            } if *deadline_id == self.id => {
                self.extended = true;
                self.extension_days = Some(*days);
                self.due = due.clone();
            }
            _ => {}
        }
        self
    }
}
