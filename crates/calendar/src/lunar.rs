//! Gregorian dates of the lunisolar festivals and of 清明 for 1901..=2100.
//!
//! Lunar dates come from `icu_calendar` (ICU4X, maintained by the Unicode Consortium), whose
//! Chinese calendar uses precomputed GB/T 33661-2017 data agreeing with the Purple Mountain
//! and Hong Kong observatories for 1901–2100. ICU4X does not expose solar terms, so the 清明
//! day comes from a compact table below; tests check the table against `tyme4rs` (寿星天文历
//! algorithm) for every year and against the published notices for 2019–2026.

use icu_calendar::Date as IcuDate;
use icu_calendar::types::Month as IcuMonth;
use time::{Date, Month};

use crate::{CalendarError, MAX_YEAR, MIN_YEAR};

/// Day in April of 清明 for 1901..=2100, one digit per year.
const QINGMING_APRIL_DAY: &[u8; 200] = b"\
56655665566555655565556555655565556555655565555555\
55555555555555555555555554555455545554555455545554\
55545554455445544554455445544554455445544454445444\
54445444544454445444544444444444444444444444444445";

/// Gregorian dates of the festivals of one Gregorian year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Festivals {
    /// 除夕: the last day of the lunar year that ends in this Gregorian year.
    pub chuxi: Date,
    /// 春节: 正月初一 falling in this Gregorian year.
    pub chunjie: Date,
    /// 清明: the day of the 清明 solar term (China Standard Time).
    pub qingming: Date,
    /// 端午: 五月初五.
    pub duanwu: Date,
    /// 中秋: 八月十五.
    pub zhongqiu: Date,
}

/// Computes the festivals of `year`; years outside 1901..=2100 are refused.
pub fn festivals(year: i32) -> Result<Festivals, CalendarError> {
    crate::date::check_year(year)?;
    let chunjie = lunar_to_gregorian(year, 1, 1)?;
    let chuxi = chunjie
        .previous_day()
        .ok_or(CalendarError::YearOutOfRange { year })?;
    let day = QINGMING_APRIL_DAY[(year - MIN_YEAR) as usize] - b'0';
    let qingming = Date::from_calendar_date(year, Month::April, day).map_err(|e| {
        CalendarError::InvalidDate {
            input: format!("{year}-04-{day:02}"),
            reason: e.to_string(),
        }
    })?;
    Ok(Festivals {
        chuxi,
        chunjie,
        qingming,
        duanwu: lunar_to_gregorian(year, 5, 5)?,
        zhongqiu: lunar_to_gregorian(year, 8, 15)?,
    })
}

/// Converts a (non-leap) lunar month/day of the lunar year starting in `year` to Gregorian.
fn lunar_to_gregorian(year: i32, month: u8, day: u8) -> Result<Date, CalendarError> {
    debug_assert!((MIN_YEAR..=MAX_YEAR).contains(&year));
    let err = |reason: String| CalendarError::InvalidDate {
        input: format!("农历{year}年{month}月{day}日"),
        reason,
    };
    let lunar = IcuDate::try_new_chinese_traditional(year, IcuMonth::new(month), day)
        .map_err(|e| err(format!("{e:?}")))?;
    let rata_die = lunar.to_rata_die().to_i64_date();
    // Rata Die 1 is 0001-01-01 (proleptic Gregorian), Julian day 1_721_426.
    let jd = i32::try_from(rata_die + 1_721_425).map_err(|e| err(e.to_string()))?;
    Date::from_julian_day(jd).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn known_years() {
        let f = festivals(2026).unwrap();
        assert_eq!(f.chunjie, date!(2026 - 02 - 17));
        assert_eq!(f.chuxi, date!(2026 - 02 - 16));
        assert_eq!(f.qingming, date!(2026 - 04 - 05));
        assert_eq!(f.duanwu, date!(2026 - 06 - 19));
        assert_eq!(f.zhongqiu, date!(2026 - 09 - 25));
        let f = festivals(2025).unwrap();
        assert_eq!(f.chuxi, date!(2025 - 01 - 28));
        assert_eq!(f.qingming, date!(2025 - 04 - 04));
        assert_eq!(f.duanwu, date!(2025 - 05 - 31));
        assert_eq!(f.zhongqiu, date!(2025 - 10 - 06));
        // 2023's lunar year has a leap 2nd month; 端午 still falls on 06-22.
        assert_eq!(festivals(2023).unwrap().duanwu, date!(2023 - 06 - 22));
    }

    #[test]
    fn range_is_enforced() {
        assert!(festivals(1900).is_err());
        assert!(festivals(2101).is_err());
        assert!(festivals(1901).is_ok());
        assert!(festivals(2100).is_ok());
    }
}
