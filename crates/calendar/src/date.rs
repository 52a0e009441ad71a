//! Date helpers: the dense day index used by the tables, strict date parsing, and the
//! China Standard Time view of instants.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

use crate::{CalendarError, MAX_YEAR, MIN_YEAR};

/// China Standard Time, UTC+8 (no daylight saving since 1991). Days of hour periods and of
/// instants are judged in this offset, whatever the server's time zone is.
pub const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+8 is a valid offset"),
};

/// Julian day number of 1901-01-01, the first day the tables cover.
const EPOCH_JD: i32 = 2_415_386;

/// Number of days covered (1901-01-01 ..= 2100-12-31).
pub(crate) const DAYS: usize = 73_049;

/// Dense index of a date inside the supported range.
pub(crate) fn index_of(date: Date) -> Result<usize, CalendarError> {
    check_year(date.year())?;
    Ok((date.to_julian_day() - EPOCH_JD) as usize)
}

/// Date of a dense index; the index must come from [`index_of`] arithmetic within range.
pub(crate) fn date_of(index: usize) -> Date {
    // Indices are produced only inside 0..DAYS, so the conversion cannot fail.
    Date::from_julian_day(EPOCH_JD + index as i32).unwrap_or(Date::MIN)
}

pub(crate) fn check_year(year: i32) -> Result<(), CalendarError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange { year })
    }
}

pub(crate) fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Chinese name of the weekday, for explanations.
pub(crate) fn weekday_zh(date: Date) -> &'static str {
    match date.weekday() {
        Weekday::Monday => "周一",
        Weekday::Tuesday => "周二",
        Weekday::Wednesday => "周三",
        Weekday::Thursday => "周四",
        Weekday::Friday => "周五",
        Weekday::Saturday => "周六",
        Weekday::Sunday => "周日",
    }
}

/// Parses `YYYY-MM-DD` strictly. Errors say whether the shape is wrong or the day does not
/// exist (2026-02-30), because "invalid date" alone does not help anyone fix a typo.
/// Years outside the supported range are refused here too.
pub fn parse_date(input: &str) -> Result<Date, CalendarError> {
    let err = |reason: String| CalendarError::InvalidDate {
        input: input.to_string(),
        reason,
    };
    let s = input.trim();
    let parts: Vec<&str> = s.split('-').collect();
    let shape_ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !shape_ok {
        return Err(err("expected YYYY-MM-DD, e.g. 2026-11-26".into()));
    }
    let year: i32 = parts[0].parse().map_err(|_| err("bad year".into()))?;
    let month: u8 = parts[1].parse().map_err(|_| err("bad month".into()))?;
    let day: u8 = parts[2].parse().map_err(|_| err("bad day".into()))?;
    let month = Month::try_from(month).map_err(|_| err(format!("there is no month {month}")))?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| {
        err(format!(
            "{year}-{:02} has only {} days",
            month as u8,
            time::util::days_in_month(month, year)
        ))
    })?;
    check_year(year)?;
    Ok(date)
}

/// Parses an RFC 3339 instant (`2026-11-26T09:30:00+08:00`, `2026-11-26T01:30:00Z`).
pub fn parse_instant(input: &str) -> Result<OffsetDateTime, CalendarError> {
    let t = OffsetDateTime::parse(input.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|e| CalendarError::InvalidInstant {
            input: input.to_string(),
            reason: e.to_string(),
        })?;
    check_year(t.to_offset(CST).year())?;
    Ok(t)
}

/// The calendar date of an instant in China Standard Time. Day-based periods that start at an
/// instant (an upload, a decision time) start from this date.
pub fn cst_date(instant: OffsetDateTime) -> Date {
    instant.to_offset(CST).date()
}

/// Formats an instant as RFC 3339 in China Standard Time.
pub fn format_cst(instant: OffsetDateTime) -> String {
    instant
        .to_offset(CST)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| instant.to_string())
}

/// Adds calendar months with month-end clamping (1-31 + 1 month = 02-28/29), the rule of
/// 民法典 Art. 202: "没有对应日的，月末日为期间的最后一日".
pub(crate) fn add_months(date: Date, months: u32) -> Result<Date, CalendarError> {
    let total = date.year() as i64 * 12 + (date.month() as i64 - 1) + months as i64;
    let year = total.div_euclid(12);
    if year > MAX_YEAR as i64 {
        return Err(CalendarError::YearOutOfRange {
            year: year.min(i32::MAX as i64) as i32,
        });
    }
    let year = year as i32;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).map_err(|e| CalendarError::InvalidDate {
        input: format!("{year}-{:02}-{day:02}", month as u8),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn epoch_and_range() {
        assert_eq!(index_of(date!(1901 - 01 - 01)).unwrap(), 0);
        assert_eq!(index_of(date!(2100 - 12 - 31)).unwrap(), DAYS - 1);
        assert_eq!(date_of(DAYS - 1), date!(2100 - 12 - 31));
        assert!(index_of(date!(1900 - 12 - 31)).is_err());
        assert!(index_of(date!(2101 - 01 - 01)).is_err());
    }

    #[test]
    fn parse_errors_are_specific() {
        let e = parse_date("2026-02-30").unwrap_err().to_string();
        assert!(e.contains("only 28 days"), "{e}");
        let e = parse_date("2026-13-01").unwrap_err().to_string();
        assert!(e.contains("no month 13"), "{e}");
        let e = parse_date("26-1-1").unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        assert!(matches!(
            parse_date("2101-01-01"),
            Err(CalendarError::YearOutOfRange { year: 2101 })
        ));
        assert_eq!(parse_date("2024-02-29").unwrap(), date!(2024 - 02 - 29));
    }

    #[test]
    fn month_clamping() {
        assert_eq!(
            add_months(date!(2026 - 01 - 31), 1).unwrap(),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            add_months(date!(2024 - 01 - 31), 1).unwrap(),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            add_months(date!(2024 - 02 - 29), 12).unwrap(),
            date!(2025 - 02 - 28)
        );
        assert_eq!(
            add_months(date!(2026 - 08 - 31), 3).unwrap(),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            add_months(date!(2026 - 11 - 26), 36).unwrap(),
            date!(2029 - 11 - 26)
        );
    }

    #[test]
    fn cst_day_of_instant() {
        let t = parse_instant("2026-11-26T17:00:00Z").unwrap();
        assert_eq!(cst_date(t), date!(2026 - 11 - 27));
    }
}
