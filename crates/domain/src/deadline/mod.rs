//! Tracked deadlines (DL-3): every open duty gets a deadline when its starting event is
//! recorded, is closed by its satisfying event, and is marked missed when it passes.
//!
//! A deadline is never edited: its due date is derived from (rule, anchor, extension,
//! suspensions, calendar) by `zhifa-calendar`, and every change of any input — a suspension, a
//! notice import — records a new due date as an event.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use zhifa_calendar::{Anchor, Calendar, CalendarError, Catalog, Computed, Due};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Running, not yet due.
    Open,
    /// Passed without the satisfying event; the duty is still owed.
    Missed,
    /// Satisfied in time.
    Met,
    /// Satisfied after it was missed.
    MetLate,
}

impl DeadlineStatus {
    /// Met, in time or late: the duty is done and nothing is overdue any more.
    pub fn is_finished(self) -> bool {
        matches!(self, DeadlineStatus::Met | DeadlineStatus::MetLate)
    }
}

impl DeadlineStatus {
    pub fn label(self) -> &'static str {
        match self {
            DeadlineStatus::Open => "进行中",
            DeadlineStatus::Missed => "已逾期",
            DeadlineStatus::Met => "按期完成",
            DeadlineStatus::MetLate => "逾期完成",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Open => "open",
            DeadlineStatus::Missed => "missed",
            DeadlineStatus::Met => "met",
            DeadlineStatus::MetLate => "met_late",
        }
    }
    pub fn is_closed(self) -> bool {
        matches!(self, DeadlineStatus::Met | DeadlineStatus::MetLate)
    }
}

/// When a computed deadline falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DueAt {
    /// Last day to act (China Standard Time), `None` while suspended.
    pub date: Option<Date>,
    /// For hour periods, the exact instant.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub instant: Option<OffsetDateTime>,
    /// Computed from a year without a holiday notice (DL-1: never silently guessed).
    pub provisional: bool,
    pub first_notice_year: i32,
    pub last_notice_year: i32,
}

impl From<&Computed> for DueAt {
    fn from(c: &Computed) -> Self {
        DueAt {
            date: c.due_date(),
            instant: match c.due {
                Due::Instant(t) => Some(t),
                _ => None,
            },
            provisional: c.provisional,
            first_notice_year: c.first_notice_year,
            last_notice_year: c.last_notice_year,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deadline {
    pub id: Uuid,
    /// Catalog rule, e.g. `report.enforcement_statistics`.
    pub rule_id: String,
    pub agency_id: Uuid,
    /// The stream the duty is about (`agency-…`, later `case-…`).
    pub subject: String,
    /// What is owed, in Chinese.
    pub title: String,
    #[schema(value_type = Object)]
    pub anchor: Anchor,
    pub extended: bool,
    /// The approved length of the extension (DL-3, 强制法第二十五条: "up to" 30 days), when it is
    /// shorter than or equal to the rule's maximum. Absent on deadlines never extended, so their
    /// stored JSON is unchanged; `extended` without it means the rule's full extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_days: Option<u32>,
    #[schema(value_type = Vec<Object>)]
    pub suspensions: Vec<zhifa_calendar::Suspension>,
    pub due: DueAt,
    pub status: DeadlineStatus,
    pub satisfied_on: Option<Date>,
}

fn calendar_error(field: &str, e: CalendarError) -> DomainError {
    DomainError::invalid(field, "calendar", e.to_string()).rule("DL-1")
}

/// What starts a duty: which rule, for whom, about what, from when.
#[derive(Debug, Clone)]
pub struct DutyStart {
    pub id: Uuid,
    pub rule_id: String,
    pub agency_id: Uuid,
    pub subject: String,
    pub title: String,
    pub anchor: Anchor,
}

/// Opens a deadline of a catalog rule from its starting event's anchor.
pub fn open(
    catalog: &Catalog,
    calendar: &Calendar,
    start: DutyStart,
) -> Result<Deadline, DomainError> {
    let DutyStart {
        id,
        rule_id,
        agency_id,
        subject,
        title,
        anchor,
    } = start;
    let due = due_at(catalog, calendar, &rule_id, anchor, None, vec![])?;
    Ok(Deadline {
        id,
        rule_id,
        agency_id,
        subject,
        title,
        anchor,
        extended: false,
        extension_days: None,
        suspensions: vec![],
        due,
        status: DeadlineStatus::Open,
        satisfied_on: None,
    })
}

/// Re-derives a deadline's due date (after a notice import); `None` when nothing changed.
pub fn recompute(
    catalog: &Catalog,
    calendar: &Calendar,
    d: &Deadline,
) -> Result<Option<DueAt>, DomainError> {
    let due = due_at(
        catalog,
        calendar,
        &d.rule_id,
        d.anchor,
        extension_of(catalog, d)?,
        d.suspensions.clone(),
    )?;
    Ok((due != d.due).then_some(due))
}

/// The extension days a deadline carries: the approved length, or the rule's whole extension
/// for deadlines extended before the length was recorded.
pub(crate) fn extension_of(catalog: &Catalog, d: &Deadline) -> Result<Option<u32>, DomainError> {
    if !d.extended {
        return Ok(None);
    }
    if let Some(days) = d.extension_days {
        return Ok(Some(days));
    }
    let rule = catalog
        .get(&d.rule_id)
        .map_err(|e| calendar_error("rule_id", e))?;
    Ok(rule.extension.as_ref().map(|e| e.max_length))
}

/// The due date of a catalog rule from its anchor, extension (approved days) and suspensions.
pub(crate) fn due_at(
    catalog: &Catalog,
    calendar: &Calendar,
    rule_id: &str,
    anchor: Anchor,
    extension_days: Option<u32>,
    suspensions: Vec<zhifa_calendar::Suspension>,
) -> Result<DueAt, DomainError> {
    let mut spec = catalog
        .spec(rule_id, anchor, false, suspensions)
        .map_err(|e| calendar_error("rule_id", e))?;
    // Extensions continue the same count (Rule::period), with the approved length only.
    if let Some(days) = extension_days {
        spec.period.length += days;
        spec.period
            .validate()
            .map_err(|e| calendar_error("days", e))?;
    }
    let computed = calendar
        .compute(&spec)
        .map_err(|e| calendar_error("anchor", e))?;
    Ok(DueAt::from(&computed))
}

/// Whether a still-open deadline has passed at `now`: a day deadline passes when its last day
/// (China Standard Time) is over; an hour deadline at its instant.
pub fn has_passed(d: &Deadline, now: OffsetDateTime) -> bool {
    if d.status != DeadlineStatus::Open {
        return false;
    }
    match (d.due.instant, d.due.date) {
        (Some(t), _) => now > t,
        (None, Some(day)) => zhifa_calendar::cst_date(now) > day,
        (None, None) => false,
    }
}

/// DL-3: an open deadline that has passed at `now` is recorded as missed (the duty is still
/// owed).
pub fn decide_missed(d: &Deadline, now: OffsetDateTime) -> Option<crate::Event> {
    has_passed(d, now).then(|| crate::Event::DeadlineMissed {
        deadline_id: d.id,
        due: d.due.clone(),
    })
}

/// The satisfying event happened at `now`. It is late if the deadline had passed, whether or
/// not the sweep has recorded it as missed yet.
pub fn decide_met(d: &Deadline, now: OffsetDateTime) -> crate::Event {
    crate::Event::DeadlineMet {
        deadline_id: d.id,
        on: zhifa_calendar::cst_date(now),
        late: d.status == DeadlineStatus::Missed || has_passed(d, now),
    }
}

pub mod record;
mod report;
mod suspension;
pub use report::*;
pub use suspension::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Actor, Role};
    use crate::registry::Agency;
    use time::Month;

    fn agency() -> Agency {
        Agency {
            id: Uuid::from_u128(7),
            name: "瑶海区市场监督管理局".into(),
            credit_code: String::new(),
            credit_code_override: None,
            kind: crate::registry::AgencyKind::AdministrativeOrgan,
            level: crate::registry::Level::County,
            division_code: "340102".into(),
            parent_id: None,
            domain: "市场监管".into(),
            legal_basis: String::new(),
            path: "/".into(),
        }
    }

    #[test]
    fn annual_statistics_fall_due_on_31_january_and_pass_the_day_after() {
        let (cat, cal) = (Catalog::embedded(), Calendar::embedded());
        let d = annual_statistics_duty(&cat, &cal, Uuid::nil(), &agency(), 2025).unwrap();
        assert_eq!(
            d.due.date,
            Date::from_calendar_date(2026, Month::January, 31).ok()
        );
        assert!(!d.due.provisional, "2026 has its notice");
        let on = |y, m, day, h| {
            OffsetDateTime::new_in_offset(
                Date::from_calendar_date(y, m, day).unwrap(),
                time::Time::from_hms(h, 0, 0).unwrap(),
                zhifa_calendar::CST,
            )
        };
        assert!(!has_passed(&d, on(2026, Month::January, 31, 23)));
        assert!(has_passed(&d, on(2026, Month::February, 1, 0)));
        // 2026's report is due in 2027, a year without a notice: flagged, never guessed.
        let next = annual_statistics_duty(&cat, &cal, Uuid::nil(), &agency(), 2026).unwrap();
        assert_eq!(
            next.due.date,
            Date::from_calendar_date(2027, Month::January, 31).ok()
        );
        assert!(next.due.provisional);
        assert_eq!(
            recompute(&cat, &cal, &next).unwrap(),
            None,
            "same inputs, same due date"
        );
    }

    #[test]
    fn a_duty_met_after_its_day_is_late_even_before_the_sweep_saw_it() {
        let (cat, cal) = (Catalog::embedded(), Calendar::embedded());
        let d = annual_statistics_duty(&cat, &cal, Uuid::nil(), &agency(), 2025).unwrap();
        let at = |day, h| {
            OffsetDateTime::new_in_offset(
                Date::from_calendar_date(2026, Month::February, day).unwrap(),
                time::Time::from_hms(h, 0, 0).unwrap(),
                zhifa_calendar::CST,
            )
        };
        let late = |e: crate::Event| match e {
            crate::Event::DeadlineMet { late, .. } => late,
            other => panic!("{other:?}"),
        };
        // Still open (the sweep has not run), but 1 February is after the last day.
        assert_eq!(d.status, DeadlineStatus::Open);
        assert!(late(decide_met(&d, at(1, 9))));
        assert!(decide_missed(&d, at(1, 9)).is_some());
        // On the last day itself: on time, and nothing to record as missed.
        let jan31 = OffsetDateTime::new_in_offset(
            Date::from_calendar_date(2026, Month::January, 31).unwrap(),
            time::Time::from_hms(23, 0, 0).unwrap(),
            zhifa_calendar::CST,
        );
        assert!(!late(decide_met(&d, jan31)));
        assert!(decide_missed(&d, jan31).is_none());
        // Already recorded as missed: late whatever the clock says.
        let missed = Deadline {
            status: DeadlineStatus::Missed,
            ..d.clone()
        };
        assert!(late(decide_met(&missed, jan31)));
    }

    #[test]
    fn reports_only_for_finished_years_by_head_or_publisher() {
        let today = Date::from_calendar_date(2026, Month::January, 20).unwrap();
        let head = Actor {
            user_id: Uuid::nil(),
            username: "h".into(),
            agency_id: Uuid::nil(),
            roles: vec![Role::AgencyHead],
        };
        assert!(
            decide_annual_report(
                &head,
                &agency(),
                2025,
                "2025年统计年报",
                "https://x.gov.cn/a",
                today
            )
            .is_ok()
        );
        assert_eq!(
            decide_annual_report(&head, &agency(), 2026, "t", "https://x", today)
                .unwrap_err()
                .code,
            "not_finished"
        );
        assert_eq!(
            decide_annual_report(&head, &agency(), 2025, "t", "ftp://x", today)
                .unwrap_err()
                .code,
            "bad_url"
        );
        let officer = Actor {
            roles: vec![Role::Officer],
            ..head.clone()
        };
        assert_eq!(
            decide_annual_report(&officer, &agency(), 2025, "t", "https://x", today)
                .unwrap_err()
                .code,
            "forbidden"
        );
        // A people's government is not an enforcement body: it owes no statistics (PUB-9).
        let government = Agency {
            domain: "政府".into(),
            ..agency()
        };
        let e =
            decide_annual_report(&head, &government, 2025, "t", "https://x", today).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.rule),
            ("not_an_enforcement_body", Some("PUB-9"))
        );
    }
}
