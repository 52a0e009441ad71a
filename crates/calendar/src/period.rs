//! Period arithmetic (DL-2) with suspension (DL-4). A deadline is always *derived* from
//! (anchor, period, suspension ledger, calendar) — never stored and edited — so importing a
//! notice or recording a resumption is just a recomputation.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::calendar::Calendar;
use crate::date::{add_months, cst_date, date_of, format_cst, index_of};
use crate::{CalendarError, MAX_YEAR};

/// Unit of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit")]
pub enum Unit {
    /// Working days (工作日): 处罚法 Art. 85, 许可法 Art. 82, 强制法 Art. 69. Backward
    /// working-day periods count the days strictly between the act and the anchor.
    Workdays,
    /// Calendar days, starting the day after the event.
    Days,
    /// Hours, from the next full hour after the event (民事诉讼法 Art. 85: 期间开始的时不计算在
    /// 期间内), exact instants.
    Hours,
    /// Calendar months with month-end clamping.
    Months,
    /// Calendar years (12 months, same clamping: 02-29 + 1 year = 02-28).
    Years,
    /// The `length`-th given month-day strictly after the anchor (e.g. "by 31 January").
    AnnualDate { month: u8, day: u8 },
}

impl Unit {
    /// Name used in the CLI and in errors.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Workdays => "workdays",
            Unit::Days => "days",
            Unit::Hours => "hours",
            Unit::Months => "months",
            Unit::Years => "years",
            Unit::AnnualDate { .. } => "annual dates",
        }
    }

    /// Largest accepted length; longer periods are refused as typos. Generous compared with
    /// any statute (the longest tracked period is 5 years).
    pub fn max_length(self) -> u32 {
        match self {
            Unit::Workdays => 2_500,
            Unit::Days => 3_660,
            Unit::Hours => 87_840,
            Unit::Months => 120,
            Unit::Years => 10,
            Unit::AnnualDate { .. } => 10,
        }
    }
}

/// Parses a CLI unit name: `workdays|days|hours|months|years` (singular, `wd`, `工作日`,
/// `日`, `小时`, `月`, `年` also accepted).
pub fn parse_unit(input: &str) -> Result<Unit, CalendarError> {
    let s = input.trim().to_ascii_lowercase();
    Ok(match s.as_str() {
        "workdays" | "workday" | "wd" | "working-days" | "工作日" => Unit::Workdays,
        "days" | "day" | "d" | "日" | "天" => Unit::Days,
        "hours" | "hour" | "h" | "小时" => Unit::Hours,
        "months" | "month" | "个月" | "月" => Unit::Months,
        "years" | "year" | "年" => Unit::Years,
        _ => {
            return Err(CalendarError::UnknownUnit {
                input: input.to_string(),
            });
        }
    })
}

/// Parses a period length typed by a person (`7`, `-3`, `x`), with specific errors.
pub fn parse_length(input: &str) -> Result<i64, CalendarError> {
    input
        .trim()
        .parse::<i64>()
        .map_err(|_| CalendarError::InvalidLength {
            input: input.to_string(),
        })
}

/// Which way a period runs from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The due date is after the anchor (almost all periods).
    #[default]
    After,
    /// The latest date *before* the anchor (a hearing must be notified 7 days before it).
    Before,
}

/// What happens when a calendar period ends on a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DayOffRule {
    /// Move to the nearest working day: later for `After` (DL-2: 期间届满的最后一日是法定
    /// 休假日的，以休假日结束的次日为期间届满的日期), earlier for `Before` (acting earlier is
    /// always lawful).
    #[default]
    Roll,
    /// Keep the date (substantive limits such as limitation or publication periods).
    Keep,
}

/// A validated period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    #[serde(flatten)]
    pub unit: Unit,
    pub length: u32,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub day_off: DayOffRule,
}

impl Period {
    /// A period running after its anchor, rolling to a working day; refuses negative, zero and
    /// absurd lengths.
    pub fn new(unit: Unit, length: i64) -> Result<Period, CalendarError> {
        if length < 0 {
            return Err(CalendarError::NegativePeriod { length });
        }
        if length == 0 {
            return Err(CalendarError::ZeroPeriod { unit: unit.name() });
        }
        let max = unit.max_length();
        if length > max as i64 {
            return Err(CalendarError::PeriodTooLong {
                length,
                unit: unit.name(),
                max,
            });
        }
        if let Unit::AnnualDate { month, day } = unit {
            let ok = time::Month::try_from(month)
                .ok()
                .and_then(|m| Date::from_calendar_date(2023, m, day).ok())
                .is_some();
            if !ok {
                return Err(CalendarError::InvalidDate {
                    input: format!("{month:02}-{day:02}"),
                    reason: "not a month-day that exists every year".into(),
                });
            }
        }
        Ok(Period {
            unit,
            length: length as u32,
            direction: Direction::After,
            day_off: DayOffRule::Roll,
        })
    }

    /// Same period running backwards from its anchor.
    pub fn before(mut self) -> Period {
        self.direction = Direction::Before;
        self
    }

    /// Same period with the given day-off rule.
    pub fn with_day_off(mut self, rule: DayOffRule) -> Period {
        self.day_off = rule;
        self
    }

    /// Re-validates a period obtained by deserialisation.
    pub fn validate(&self) -> Result<(), CalendarError> {
        Period::new(self.unit, self.length as i64).map(|_| ())
    }
}

/// What a period runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The day of the event (never counted itself).
    Date(Date),
    /// The instant of the event; day periods start from its China Standard Time date.
    Instant(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
}

impl Anchor {
    /// The anchor's date in China Standard Time.
    pub fn date(&self) -> Date {
        match self {
            Anchor::Date(d) => *d,
            Anchor::Instant(t) => cst_date(*t),
        }
    }
}

/// One entry of the suspension ledger: the period does not run on the days
/// `from..=until` — the day the suspension (中止) takes effect and the day of resumption are
/// both excluded, mirroring the rule that the day of an event is never counted. `until: None`
/// means the period is still suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suspension {
    pub from: Date,
    pub until: Option<Date>,
    // Reason (听证, 鉴定, 公告…) is kept by the caller's event, not needed for arithmetic.
}

/// Everything a due date is derived from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeadlineSpec {
    pub anchor: Anchor,
    pub period: Period,
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
}

impl DeadlineSpec {
    pub fn new(anchor: Anchor, period: Period) -> Self {
        DeadlineSpec {
            anchor,
            period,
            suspensions: Vec::new(),
        }
    }
    pub fn with_suspensions(mut self, s: Vec<Suspension>) -> Self {
        self.suspensions = s;
        self
    }
}

/// The outcome of a computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// Due at the end of this day (China Standard Time).
    Date(Date),
    /// Due at this instant (hour periods).
    Instant(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
    /// Running time is suspended (open suspension) and had not run out when it began.
    Suspended { since: Date },
}

/// A computed deadline. `first_notice_year..=last_notice_year` are the notice years the
/// computation examined; when `provisional`, at least one of them had no notice loaded, and
/// importing any of them requires recomputation ([`Computed::depends_on_year`]). The server
/// can store the three fields as columns and select affected rows with a range query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Computed {
    pub due: Due,
    pub provisional: bool,
    pub first_notice_year: i32,
    pub last_notice_year: i32,
}

impl Computed {
    /// The due day (for an instant, its CST date); `None` while suspended.
    pub fn due_date(&self) -> Option<Date> {
        match self.due {
            Due::Date(d) => Some(d),
            Due::Instant(t) => Some(cst_date(t)),
            Due::Suspended { .. } => None,
        }
    }

    /// Whether importing the notice for `year` may change this result.
    pub fn depends_on_year(&self, year: i32) -> bool {
        self.provisional && (self.first_notice_year..=self.last_notice_year).contains(&year)
    }

    /// The line printed by `zhifa calendar add`: the due date (or instant), with
    /// ` provisional` appended when it depends on a year without a notice.
    pub fn line(&self) -> String {
        let mut s = match self.due {
            Due::Date(d) => d.to_string(),
            Due::Instant(t) => format_cst(t),
            Due::Suspended { since } => format!("suspended since {since}"),
        };
        if self.provisional {
            s.push_str(" provisional");
        }
        s
    }
}

/// Merged suspension ledger as day-index intervals, each `[a, b]` inclusive; an open one has
/// `b = usize::MAX`.
fn ledger(anchor: usize, suspensions: &[Suspension]) -> Result<Vec<(usize, usize)>, CalendarError> {
    let mut v = Vec::with_capacity(suspensions.len());
    for (index, s) in suspensions.iter().enumerate() {
        let bad = |reason: String| CalendarError::InvalidSuspension { index, reason };
        let a = index_of(s.from)?;
        if a <= anchor {
            return Err(bad(format!(
                "suspended on {} — on or before the day the period starts from",
                s.from
            )));
        }
        let b = match s.until {
            Some(u) => {
                if u < s.from {
                    return Err(bad(format!(
                        "resumed on {u}, before it was suspended on {}",
                        s.from
                    )));
                }
                index_of(u)?
            }
            None => usize::MAX,
        };
        v.push((a, b));
    }
    v.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match merged.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    Ok(merged)
}

const END: CalendarError = CalendarError::YearOutOfRange { year: MAX_YEAR + 1 };

impl Calendar {
    /// Computes a deadline. Errors: malformed ledger, a period that would leave 1901..=2100,
    /// a suspension on a period kind that cannot be suspended (hours, backward periods).
    pub fn compute(&self, spec: &DeadlineSpec) -> Result<Computed, CalendarError> {
        let p = spec.period;
        let start = spec.anchor.date();
        let si = index_of(start)?;
        let length = p.length;
        if length == 0 {
            return Err(CalendarError::ZeroPeriod {
                unit: p.unit.name(),
            });
        }
        let unsuspendable = p.direction == Direction::Before
            || matches!(p.unit, Unit::Hours | Unit::AnnualDate { .. });
        if unsuspendable && !spec.suspensions.is_empty() {
            return Err(CalendarError::InvalidSuspension {
                index: 0,
                reason: format!(
                    "a {} period{} cannot be suspended",
                    p.unit.name(),
                    if p.direction == Direction::Before {
                        " counted backwards"
                    } else {
                        ""
                    }
                ),
            });
        }
        let due = if p.direction == Direction::Before {
            Due::Date(date_of(self.before(si, p)?))
        } else {
            match p.unit {
                Unit::Hours => {
                    let Anchor::Instant(t) = spec.anchor else {
                        return Err(CalendarError::AnchorMismatch {
                            reason: "an hour period needs an instant (e.g. 2026-11-26T09:30:00+08:00), not a date".into(),
                        });
                    };
                    // 民事诉讼法 Art. 85: the starting hour is not counted (see `hours`).
                    Due::Instant(crate::hours::hours_deadline(t, length)?)
                }
                Unit::Workdays => {
                    let iv = ledger(si, &spec.suspensions)?;
                    match self.after_workdays(si, length, &iv)? {
                        Ok(i) => Due::Date(date_of(i)),
                        Err(since) => Due::Suspended {
                            since: date_of(since),
                        },
                    }
                }
                Unit::Days => {
                    let iv = ledger(si, &spec.suspensions)?;
                    match after_days(si, length as usize, &iv) {
                        Ok(i) => self.roll_forward(i, p.day_off, &iv)?,
                        Err(since) => Due::Suspended {
                            since: date_of(since),
                        },
                    }
                }
                Unit::Months | Unit::Years => {
                    let iv = ledger(si, &spec.suspensions)?;
                    let months = if p.unit == Unit::Years {
                        length * 12
                    } else {
                        length
                    };
                    let base = index_of(add_months(start, months)?)?;
                    match extend_over(si, base, &iv) {
                        Ok(i) => self.roll_forward(i, p.day_off, &iv)?,
                        Err(since) => Due::Suspended {
                            since: date_of(since),
                        },
                    }
                }
                Unit::AnnualDate { month, day } => {
                    let m =
                        time::Month::try_from(month).map_err(|_| CalendarError::InvalidDate {
                            input: format!("{month:02}-{day:02}"),
                            reason: "no such month".into(),
                        })?;
                    let mut y = start.year();
                    let mut found = 0;
                    let mut d = start;
                    while found < length {
                        let c = Date::from_calendar_date(y, m, day).map_err(|e| {
                            CalendarError::InvalidDate {
                                input: format!("{y}-{month:02}-{day:02}"),
                                reason: e.to_string(),
                            }
                        })?;
                        if c > start {
                            found += 1;
                            d = c;
                        }
                        y += 1;
                    }
                    self.roll_forward(index_of(d)?, p.day_off, &[])?
                }
            }
        };
        let end = match due {
            Due::Date(d) => d,
            Due::Instant(t) => cst_date(t),
            Due::Suspended { since } => since,
        };
        let (first, last, provisional) = self.dependence(start, end);
        // Hour periods do not look at the calendar at all.
        let provisional = provisional && p.unit != Unit::Hours;
        Ok(Computed {
            due,
            provisional,
            first_notice_year: first,
            last_notice_year: last,
        })
    }

    /// Working days after `si`, skipping suspended intervals. `Err(since)` when an open
    /// suspension begins before the period ran out.
    fn after_workdays(
        &self,
        si: usize,
        n: u32,
        iv: &[(usize, usize)],
    ) -> Result<Result<usize, usize>, CalendarError> {
        let mut cursor = si;
        let mut remaining = n;
        for &(a, b) in iv {
            let avail = self.rank_at(a - 1) - self.rank_at(cursor);
            if remaining <= avail {
                break;
            }
            remaining -= avail;
            if b == usize::MAX {
                return Ok(Err(a));
            }
            cursor = b;
            if cursor >= crate::date::DAYS {
                return Err(END);
            }
        }
        let k = self.rank_at(cursor).checked_add(remaining).ok_or(END)?;
        Ok(Ok(self.nth_workday(k)?))
    }

    /// Moves a calendar-period end off a day off (and out of suspended days).
    fn roll_forward(
        &self,
        mut i: usize,
        rule: DayOffRule,
        iv: &[(usize, usize)],
    ) -> Result<Due, CalendarError> {
        if i >= crate::date::DAYS {
            return Err(END);
        }
        if rule == DayOffRule::Keep {
            return Ok(Due::Date(date_of(i)));
        }
        loop {
            if let Some(&(a, b)) = iv.iter().find(|(a, b)| (*a..=*b).contains(&i)) {
                if b == usize::MAX {
                    return Ok(Due::Suspended { since: date_of(a) });
                }
                i = b + 1;
            } else if !self.is_workday_at(i) {
                i += 1;
            } else {
                return Ok(Due::Date(date_of(i)));
            }
            if i >= crate::date::DAYS {
                return Err(END);
            }
        }
    }

    /// Backward periods: the latest day `D` such that the period from `D` ends on or before
    /// the anchor, rolled back to a working day unless the rule keeps it. Working days are
    /// counted strictly between `D` and the anchor: neither the day of acting nor the anchor
    /// day counts (处罚法 Art. 64 (二) "举行听证的七日前", party-protective reading; see
    /// [`Calendar::hearing_notice_ok`]).
    fn before(&self, hi: usize, p: Period) -> Result<usize, CalendarError> {
        let start_err = CalendarError::YearOutOfRange {
            year: crate::MIN_YEAR - 1,
        };
        match p.unit {
            Unit::Workdays => {
                // Working days in (D, hi) must be >= n: rank[D] <= rank[hi - 1] - n.
                let before_anchor = self.rank_at(hi) - u32::from(self.is_workday_at(hi));
                let k = before_anchor
                    .checked_sub(p.length)
                    .filter(|k| *k >= 1)
                    .ok_or(start_err)?;
                if p.day_off == DayOffRule::Keep {
                    // The day before the (k+1)-th working day.
                    Ok(self.nth_workday(k + 1)? - 1)
                } else {
                    self.nth_workday(k)
                }
            }
            Unit::Days => {
                let d = hi.checked_sub(p.length as usize).ok_or(start_err.clone())?;
                if p.day_off == DayOffRule::Keep || self.is_workday_at(d) {
                    Ok(d)
                } else {
                    self.nth_workday(self.rank_at(d))
                }
            }
            _ => Err(CalendarError::AnchorMismatch {
                reason: format!("a {} period cannot be counted backwards", p.unit.name()),
            }),
        }
    }
}

/// Calendar days after `si`, skipping suspended intervals.
fn after_days(si: usize, n: usize, iv: &[(usize, usize)]) -> Result<usize, usize> {
    let mut cursor = si;
    let mut remaining = n;
    for &(a, b) in iv {
        let avail = a - 1 - cursor;
        if remaining <= avail {
            break;
        }
        remaining -= avail;
        if b == usize::MAX {
            return Err(a);
        }
        cursor = b;
    }
    Ok(cursor + remaining)
}

/// Month/year periods: the nominal end is pushed later by the number of suspended days that
/// fall inside the running period (repeated, since the extension can reach a later suspension).
fn extend_over(si: usize, base: usize, iv: &[(usize, usize)]) -> Result<usize, usize> {
    let mut end = base;
    loop {
        let mut excluded = 0usize;
        for &(a, b) in iv {
            if a > end {
                break;
            }
            if b == usize::MAX {
                return Err(a);
            }
            let lo = a.max(si + 1);
            excluded += b - lo + 1;
        }
        let next = base + excluded;
        if next == end {
            return Ok(end);
        }
        end = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn cal() -> Calendar {
        Calendar::embedded()
    }
    fn compute(start: Date, unit: Unit, n: i64) -> Computed {
        cal()
            .compute(&DeadlineSpec::new(
                Anchor::Date(start),
                Period::new(unit, n).unwrap(),
            ))
            .unwrap()
    }

    #[test]
    fn days_roll_to_next_workday() {
        // 2026-11-26 + 30 days = 2026-12-26 (Saturday) → Monday 12-28 (provisional: late
        // December waits for the 2027 notice).
        let c = compute(date!(2026 - 11 - 26), Unit::Days, 30);
        assert_eq!(c.due, Due::Date(date!(2026 - 12 - 28)));
        assert!(c.provisional);
        // 2026-09-01 + 30 = 10-01 (国庆) → 10-08.
        let c = compute(date!(2026 - 09 - 01), Unit::Days, 30);
        assert_eq!(c.due, Due::Date(date!(2026 - 10 - 08)));
        assert!(!c.provisional);
    }

    #[test]
    fn months_clamp_and_keep() {
        let c = cal()
            .compute(&DeadlineSpec::new(
                Anchor::Date(date!(2026 - 01 - 31)),
                Period::new(Unit::Months, 1)
                    .unwrap()
                    .with_day_off(DayOffRule::Keep),
            ))
            .unwrap();
        assert_eq!(c.due, Due::Date(date!(2026 - 02 - 28)));
        // Rolled: 2026-02-28 is a make-up Saturday, so it stays.
        assert_eq!(
            compute(date!(2026 - 01 - 31), Unit::Months, 1).due,
            Due::Date(date!(2026 - 02 - 28))
        );
    }

    #[test]
    fn hours_start_at_the_next_full_hour() {
        // 民事诉讼法 Art. 85: the hour 20:00–21:00 in which the event occurs is not counted,
        // even when the event is exactly on the hour.
        let t = datetime!(2026-09-30 20:00 +08:00);
        let c = cal()
            .compute(&DeadlineSpec::new(
                Anchor::Instant(t),
                Period::new(Unit::Hours, 24).unwrap(),
            ))
            .unwrap();
        assert_eq!(c.due, Due::Instant(datetime!(2026-10-01 21:00 +08:00)));
        assert_eq!(c.line(), "2026-10-01T21:00:00+08:00");
        let e = cal()
            .compute(&DeadlineSpec::new(
                Anchor::Date(date!(2026 - 09 - 30)),
                Period::new(Unit::Hours, 24).unwrap(),
            ))
            .unwrap_err();
        assert!(matches!(e, CalendarError::AnchorMismatch { .. }));
    }

    #[test]
    fn suspension_workdays() {
        let base = DeadlineSpec::new(
            Anchor::Date(date!(2026 - 11 - 02)),
            Period::new(Unit::Workdays, 10).unwrap(),
        );
        assert_eq!(
            cal().compute(&base).unwrap().due,
            Due::Date(date!(2026 - 11 - 16))
        );
        // Suspended Wed 11-04 ..= Mon 11-09: 4 working days (4,5,6,9) do not count.
        let s = base.clone().with_suspensions(vec![Suspension {
            from: date!(2026 - 11 - 04),
            until: Some(date!(2026 - 11 - 09)),
        }]);
        assert_eq!(
            cal().compute(&s).unwrap().due,
            Due::Date(date!(2026 - 11 - 20))
        );
        let open = base.clone().with_suspensions(vec![Suspension {
            from: date!(2026 - 11 - 04),
            until: None,
        }]);
        assert_eq!(
            cal().compute(&open).unwrap().due,
            Due::Suspended {
                since: date!(2026 - 11 - 04)
            }
        );
        // A suspension after the deadline ran out does not matter.
        let late = base.with_suspensions(vec![Suspension {
            from: date!(2026 - 11 - 20),
            until: None,
        }]);
        assert_eq!(
            cal().compute(&late).unwrap().due,
            Due::Date(date!(2026 - 11 - 16))
        );
    }

    #[test]
    fn bad_ledgers() {
        let base = DeadlineSpec::new(
            Anchor::Date(date!(2026 - 11 - 02)),
            Period::new(Unit::Workdays, 10).unwrap(),
        );
        let e = cal()
            .compute(&base.clone().with_suspensions(vec![Suspension {
                from: date!(2026 - 11 - 10),
                until: Some(date!(2026 - 11 - 05)),
            }]))
            .unwrap_err();
        assert!(e.to_string().contains("before it was suspended"), "{e}");
        let e = cal()
            .compute(&base.with_suspensions(vec![Suspension {
                from: date!(2026 - 11 - 01),
                until: None,
            }]))
            .unwrap_err();
        assert!(e.to_string().contains("on or before the day"), "{e}");
    }

    #[test]
    fn hearing_notice_before() {
        // Hearing on Monday 2026-11-30; 7 working days strictly between the notice and the
        // hearing (处罚法 Art. 64): 19,20,23,24,25,26,27 → served by Wednesday 11-18.
        let c = cal()
            .compute(&DeadlineSpec::new(
                Anchor::Date(date!(2026 - 11 - 30)),
                Period::new(Unit::Workdays, 7).unwrap().before(),
            ))
            .unwrap();
        assert_eq!(c.due, Due::Date(date!(2026 - 11 - 18)));
    }

    #[test]
    fn period_validation() {
        assert!(matches!(
            Period::new(Unit::Days, -3),
            Err(CalendarError::NegativePeriod { length: -3 })
        ));
        assert!(matches!(
            Period::new(Unit::Days, 0),
            Err(CalendarError::ZeroPeriod { .. })
        ));
        assert!(matches!(
            Period::new(Unit::Workdays, 1_000_000),
            Err(CalendarError::PeriodTooLong { .. })
        ));
        assert!(matches!(
            parse_unit("fortnights"),
            Err(CalendarError::UnknownUnit { .. })
        ));
        assert_eq!(parse_unit("WorkDays").unwrap(), Unit::Workdays);
        assert!(matches!(
            parse_length("7x"),
            Err(CalendarError::InvalidLength { .. })
        ));
    }

    #[test]
    fn annual_date() {
        let c = cal()
            .compute(&DeadlineSpec::new(
                Anchor::Date(date!(2025 - 12 - 31)),
                Period::new(Unit::AnnualDate { month: 1, day: 31 }, 1)
                    .unwrap()
                    .with_day_off(DayOffRule::Keep),
            ))
            .unwrap();
        assert_eq!(c.due, Due::Date(date!(2026 - 01 - 31)));
    }
}
