//! Text the `zhifa calendar` CLI prints, produced here so the CLI is a thin shell and the
//! output is tested with the arithmetic.
//!
//! - `zhifa calendar is-workday DATE…` → one [`is_workday_line`] per date:
//!   `2026-10-01 holiday`, `2026-10-10 workday`, `2027-01-01 holiday provisional`.
//! - `zhifa calendar add DATE N --unit U` → [`add_line`]: the due date
//!   (`2026-10-15`, with ` provisional` appended where it applies; hour periods print the
//!   instant in UTC+8), and with `--explain` → [`add_explain`]: that line followed by the
//!   days skipped and why.

use time::{Date, OffsetDateTime};

use crate::calendar::{Calendar, DayKind};
use crate::date::{CST, date_of, format_cst, index_of, parse_date, parse_instant, weekday_zh};
use crate::period::{
    Anchor, DayOffRule, DeadlineSpec, Direction, Due, Period, Unit, parse_length, parse_unit,
};
use crate::statutory::StatuteRevision;
use crate::{CalendarError, Computed};

/// `DATE workday` / `DATE holiday`, with ` provisional` appended when the day's notice is
/// not loaded.
pub fn is_workday_line(cal: &Calendar, input: &str) -> Result<String, CalendarError> {
    let date = parse_date(input)?;
    let day = cal.day(date)?;
    let mut s = format!("{date} {}", if day.workday { "workday" } else { "holiday" });
    if day.provisional {
        s.push_str(" provisional");
    }
    Ok(s)
}

/// Parses the start of a CLI `add`: a date, or an RFC 3339 instant. For hour periods a bare
/// date means 00:00 China Standard Time of that day.
pub fn parse_anchor(input: &str, unit: Unit) -> Result<Anchor, CalendarError> {
    if input.contains('T') || input.contains('t') {
        let t = parse_instant(input)?;
        return Ok(if unit == Unit::Hours {
            Anchor::Instant(t)
        } else {
            Anchor::Date(crate::date::cst_date(t))
        });
    }
    let d = parse_date(input)?;
    Ok(if unit == Unit::Hours {
        Anchor::Instant(OffsetDateTime::new_in_offset(d, time::Time::MIDNIGHT, CST))
    } else {
        Anchor::Date(d)
    })
}

/// Parses the three CLI arguments of `add` into a spec.
pub fn parse_add(start: &str, length: &str, unit: &str) -> Result<DeadlineSpec, CalendarError> {
    let unit = parse_unit(unit)?;
    let length = parse_length(length)?;
    let period = Period::new(unit, length)?;
    Ok(DeadlineSpec::new(parse_anchor(start, unit)?, period))
}

/// The due line of `zhifa calendar add`.
pub fn add_line(
    cal: &Calendar,
    start: &str,
    length: &str,
    unit: &str,
) -> Result<String, CalendarError> {
    Ok(cal.compute(&parse_add(start, length, unit)?)?.line())
}

/// The due line followed by the explanation lines of `zhifa calendar add --explain`.
pub fn add_explain(
    cal: &Calendar,
    start: &str,
    length: &str,
    unit: &str,
) -> Result<Vec<String>, CalendarError> {
    let e = cal.explain(&parse_add(start, length, unit)?)?;
    let mut lines = vec![e.computed.line()];
    lines.extend(e.lines.into_iter().map(|l| format!("  {l}")));
    Ok(lines)
}

/// A computed deadline with the reasoning behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub computed: Computed,
    /// One line per step: start, every day skipped and why, make-up days counted,
    /// suspensions, rolling, provisional years.
    pub lines: Vec<String>,
}

impl Calendar {
    /// Computes `spec` and explains it (slower than [`Calendar::compute`]: walks the days).
    pub fn explain(&self, spec: &DeadlineSpec) -> Result<Explanation, CalendarError> {
        let computed = self.compute(spec)?;
        let p = spec.period;
        let start = spec.anchor.date();
        let mut lines = Vec::new();
        let describe = |d: Date| -> Result<String, CalendarError> {
            Ok(format!("{d} {}", self.day(d)?.reason()))
        };
        let suspended = |d: Date| {
            spec.suspensions
                .iter()
                .any(|s| d >= s.from && s.until.is_none_or(|u| d <= u))
        };

        if p.unit == Unit::Hours {
            if let (Anchor::Instant(t), Due::Instant(due)) = (spec.anchor, computed.due) {
                lines.push(format!(
                    "事件发生于 {}，开始的时不计入（民事诉讼法第八十五条），自 {} 起算 + {} 小时 = {}（按小时计算的期间精确到时刻，不因休息日顺延）",
                    format_cst(t),
                    format_cst(crate::hours::next_full_hour(t)?),
                    p.length,
                    format_cst(due)
                ));
            }
            return Ok(Explanation { computed, lines });
        }

        lines.push(format!(
            "起算日 {start} {} 不计入，期间自次日开始计算",
            weekday_zh(start)
        ));
        for s in &spec.suspensions {
            match s.until {
                Some(u) => lines.push(format!("{}至{u} 期间中止，不计入期限", s.from)),
                None => lines.push(format!("自 {} 起中止，尚未恢复：期限暂停计算", s.from)),
            }
        }
        let end = computed.due_date().unwrap_or(start);

        if p.direction == Direction::Before {
            lines.push(format!(
                "倒算：在 {start} 之前留足 {} {} 的最后一日",
                p.length,
                unit_zh(p.unit)
            ));
            let mut d = end;
            while d < start {
                d = d
                    .next_day()
                    .ok_or(CalendarError::YearOutOfRange { year: d.year() + 1 })?;
                let info = self.day(d)?;
                if !info.workday && p.unit == Unit::Workdays {
                    lines.push(format!("跳过 {}", describe(d)?));
                }
            }
        } else {
            match p.unit {
                Unit::Workdays => {
                    let (mut d, mut n) = (start, 0u32);
                    while d < end {
                        d = d
                            .next_day()
                            .ok_or(CalendarError::YearOutOfRange { year: d.year() + 1 })?;
                        if suspended(d) {
                            continue;
                        }
                        let info = self.day(d)?;
                        if !info.workday {
                            lines.push(format!("跳过 {}", describe(d)?));
                        } else {
                            n += 1;
                            if info.kind == DayKind::MakeupWorkday {
                                lines.push(format!("计入 {}，为第 {n} 个工作日", describe(d)?));
                            }
                        }
                    }
                }
                Unit::Days | Unit::Months | Unit::Years | Unit::AnnualDate { .. } => {
                    let nominal = self
                        .compute(&DeadlineSpec {
                            period: p.with_day_off(DayOffRule::Keep),
                            ..spec.clone()
                        })?
                        .due_date();
                    if let Some(nominal) = nominal {
                        let what = match p.unit {
                            Unit::AnnualDate { month, day } => {
                                format!("{start} 之后的第一个 {month:02}-{day:02}")
                            }
                            _ => format!("{start} + {} {}", p.length, unit_zh(p.unit)),
                        };
                        lines.push(format!(
                            "期间届满日 {nominal} {}（{what}）",
                            weekday_zh(nominal)
                        ));
                        if matches!(p.unit, Unit::Months | Unit::Years)
                            && nominal.day() != start.day()
                            && spec.suspensions.is_empty()
                        {
                            lines.push(format!(
                                "该月没有第 {} 日，以月末日为期间最后一日（民法典第二百零二条）",
                                start.day()
                            ));
                        }
                        let mut d = nominal;
                        while d < end {
                            if !suspended(d) {
                                lines.push(format!(
                                    "跳过 {}（期间届满日为休息日的，顺延至休息日后的第一个工作日）",
                                    describe(d)?
                                ));
                            }
                            d = d
                                .next_day()
                                .ok_or(CalendarError::YearOutOfRange { year: d.year() + 1 })?;
                        }
                        if p.day_off == DayOffRule::Keep && !self.is_workday(nominal)? {
                            lines.push(format!("{} —— 本期间不因休息日顺延", describe(nominal)?));
                        }
                    }
                }
                Unit::Hours => {}
            }
        }
        if let Some(due) = computed.due_date() {
            lines.push(format!("截止 {due} {}", weekday_zh(due)));
        }
        if computed.provisional {
            for y in computed.first_notice_year..=computed.last_notice_year {
                if self.is_provisional_year(y) {
                    lines.push(format!(
                        "暂定：尚未加载 {y} 年放假安排通知，该年按{}推算（含法定节假日及补假，不含调休），导入 {y} 年通知后本期限将重新计算",
                        StatuteRevision::for_year(y).citation()
                    ));
                }
            }
        }
        Ok(Explanation { computed, lines })
    }
}

/// Lines describing every day of a date range (for a calendar view or debugging).
pub fn describe_range(cal: &Calendar, from: Date, to: Date) -> Result<Vec<String>, CalendarError> {
    let (a, b) = (index_of(from)?, index_of(to)?);
    (a..=b)
        .map(|i| {
            let info = cal.day_at(i);
            Ok(format!(
                "{} {}{}",
                date_of(i),
                info.reason(),
                if info.provisional { " provisional" } else { "" }
            ))
        })
        .collect()
}

fn unit_zh(u: Unit) -> &'static str {
    match u {
        Unit::Workdays => "个工作日",
        Unit::Days => "日",
        Unit::Hours => "小时",
        Unit::Months => "个月",
        Unit::Years => "年",
        Unit::AnnualDate { .. } => "个年度",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_workday_lines() {
        let cal = Calendar::embedded();
        assert_eq!(
            is_workday_line(&cal, "2026-10-01").unwrap(),
            "2026-10-01 holiday"
        );
        assert_eq!(
            is_workday_line(&cal, "2026-10-10").unwrap(),
            "2026-10-10 workday"
        );
        assert_eq!(
            is_workday_line(&cal, "2026-11-28").unwrap(),
            "2026-11-28 holiday"
        );
        assert_eq!(
            is_workday_line(&cal, "2027-01-01").unwrap(),
            "2027-01-01 holiday provisional"
        );
        assert_eq!(
            is_workday_line(&cal, "2027-01-04").unwrap(),
            "2027-01-04 workday provisional"
        );
        assert!(is_workday_line(&cal, "2026-02-29").is_err());
    }

    #[test]
    fn add_lines() {
        let cal = Calendar::embedded();
        assert_eq!(
            add_line(&cal, "2026-09-30", "7", "workdays").unwrap(),
            "2026-10-15"
        );
        assert_eq!(
            add_line(&cal, "2026-09-01", "30", "days").unwrap(),
            "2026-10-08"
        );
        assert_eq!(
            add_line(&cal, "2026-09-30", "24", "hours").unwrap(),
            "2026-10-01T01:00:00+08:00"
        );
        assert_eq!(
            add_line(&cal, "2026-01-31", "1", "months").unwrap(),
            "2026-02-28"
        );
        assert_eq!(
            add_line(&cal, "2026-12-20", "10", "workdays").unwrap(),
            "2027-01-04 provisional"
        );
        assert!(matches!(
            add_line(&cal, "2026-09-30", "-1", "days"),
            Err(CalendarError::NegativePeriod { .. })
        ));
        assert!(matches!(
            add_line(&cal, "2026-09-30", "1", "weeks"),
            Err(CalendarError::UnknownUnit { .. })
        ));
    }

    #[test]
    fn explanation_lists_skipped_days() {
        let cal = Calendar::embedded();
        let lines = add_explain(&cal, "2026-09-30", "7", "workdays").unwrap();
        let text = lines.join("\n");
        assert_eq!(lines[0], "2026-10-15");
        assert!(
            text.contains("跳过 2026-10-01 国庆节 放假（国办发明电〔2025〕7号）"),
            "{text}"
        );
        assert!(
            text.contains("计入 2026-10-10 周六 国庆节 调休上班"),
            "{text}"
        );
        assert!(text.contains("跳过 2026-10-11 周日 休息日"), "{text}");
        let text = add_explain(&cal, "2026-09-01", "30", "days")
            .unwrap()
            .join("\n");
        assert!(text.contains("期间届满日 2026-10-01"), "{text}");
        assert!(text.contains("跳过 2026-10-07 国庆节"), "{text}");
        let text = add_explain(&cal, "2026-12-28", "5", "workdays")
            .unwrap()
            .join("\n");
        assert!(text.contains("2027-01-01 元旦 法定节假日（暂定"), "{text}");
        assert!(
            text.contains("暂定：尚未加载 2027 年放假安排通知"),
            "{text}"
        );
    }
}
