//! Provisional holidays for a year with no State Council notice loaded, computed from the
//! statutory holidays of 全国年节及纪念日放假办法 in force for that year.
//!
//! What a provisional year deliberately does NOT contain: make-up working days (调休上班)
//! and bridge days, which only a notice can create. It does contain the statutory
//! compensatory day off (补假, Art. 6: a holiday falling on a Saturday or Sunday "应当在工作日
//! 补假"), placed on the next weekday that is not already off — the placement the notices have
//! used in every year since 2008 where no bridge was arranged; still a guess, hence flagged.
//! A 中秋 that falls inside 国庆 (1–3 October) keeps its own day, on 4 October (DL-1; see
//! `mid_autumn_day`), as the notices for 2009 and 2020 kept four statutory days.

use time::{Date, Month};

use crate::{CalendarError, Holiday, lunar};

/// A revision of 全国年节及纪念日放假办法 (only what changes the all-citizen holidays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatuteRevision {
    /// 1999 revision (in force 2000–2007): 元旦 1, 春节 3 (初一–初三), 劳动节 3, 国庆 3.
    /// Also used, as the nearest available rule, for provisional years before 2000.
    Rev1999,
    /// 2007 revision (2008–2013): 元旦 1, 春节 3 (除夕–初二), 清明 1, 劳动节 1, 端午 1, 中秋 1, 国庆 3.
    Rev2007,
    /// 2013 revision (2014–2024): as 2007 but 春节 is 初一–初三.
    Rev2013,
    /// 2024 revision (from 2025): 元旦 1, 春节 4 (除夕–初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
    Rev2024,
}

impl StatuteRevision {
    /// The revision in force for holidays of `year`.
    pub fn for_year(year: i32) -> Self {
        match year {
            ..=2007 => Self::Rev1999,
            2008..=2013 => Self::Rev2007,
            2014..=2024 => Self::Rev2013,
            _ => Self::Rev2024,
        }
    }

    /// Citation text of the revision.
    pub fn citation(self) -> &'static str {
        match self {
            Self::Rev1999 => "全国年节及纪念日放假办法（1999年修订）",
            Self::Rev2007 => "全国年节及纪念日放假办法（2007年修订）",
            Self::Rev2013 => "全国年节及纪念日放假办法（2013年修订）",
            Self::Rev2024 => "全国年节及纪念日放假办法（2024年修订）",
        }
    }
}

/// One provisional off day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryDay {
    pub date: Date,
    pub holiday: Holiday,
    /// `true` for a 补假 day (compensating a holiday that fell on a weekend).
    pub compensatory: bool,
}

/// The statutory holiday days of `year` (without 补假), in date order.
pub fn statutory_days(year: i32) -> Result<Vec<StatutoryDay>, CalendarError> {
    let f = lunar::festivals(year)?;
    let rev = StatuteRevision::for_year(year);
    let ymd = |m: Month, d: u8| {
        Date::from_calendar_date(year, m, d).map_err(|e| CalendarError::InvalidDate {
            input: format!("{year}-{:02}-{d:02}", m as u8),
            reason: e.to_string(),
        })
    };
    let mut days = Vec::with_capacity(16);
    let mut push_run = |start: Date, n: u8, holiday: Holiday| {
        let mut d = start;
        for _ in 0..n {
            days.push(StatutoryDay {
                date: d,
                holiday,
                compensatory: false,
            });
            d = d.next_day().unwrap_or(d);
        }
    };
    push_run(ymd(Month::January, 1)?, 1, Holiday::NewYear);
    match rev {
        StatuteRevision::Rev1999 | StatuteRevision::Rev2013 => {
            push_run(f.chunjie, 3, Holiday::SpringFestival)
        }
        StatuteRevision::Rev2007 => push_run(f.chuxi, 3, Holiday::SpringFestival),
        StatuteRevision::Rev2024 => push_run(f.chuxi, 4, Holiday::SpringFestival),
    }
    let labour = match rev {
        StatuteRevision::Rev1999 => 3,
        StatuteRevision::Rev2007 | StatuteRevision::Rev2013 => 1,
        StatuteRevision::Rev2024 => 2,
    };
    push_run(ymd(Month::May, 1)?, labour, Holiday::LabourDay);
    let national_day = ymd(Month::October, 1)?;
    if rev != StatuteRevision::Rev1999 {
        push_run(f.qingming, 1, Holiday::Qingming);
        push_run(f.duanwu, 1, Holiday::DragonBoat);
        push_run(
            mid_autumn_day(f.zhongqiu, national_day),
            1,
            Holiday::MidAutumn,
        );
    }
    push_run(national_day, NATIONAL_DAY_DAYS, Holiday::NationalDay);
    days.sort_by_key(|d| d.date);
    // No two holidays share a date any more (中秋 is moved off 国庆 above); kept so that a
    // future statute change cannot make one date count twice.
    days.dedup_by_key(|d| d.date);
    Ok(days)
}

/// 国庆节 放假3天（10月1日、2日、3日）.
const NATIONAL_DAY_DAYS: u8 = 3;

/// The day that counts as the 中秋 holiday. When 中秋 falls on 1–3 October it coincides with
/// 国庆; the statute still grants both (国庆 3 days + 中秋 1 day), and every notice for such a
/// year kept the four statutory days — 2020 (中秋 = 10-01) and 2009 (中秋 = 10-03) both
/// gave 10-01..10-08: four statutory days, the weekend inside, two swapped days. Without a
/// notice the 中秋 day is therefore placed on the day after the 国庆 block (10-04), so the
/// statutory count is kept; 补假 then follows the ordinary rule if that day is a weekend.
fn mid_autumn_day(zhongqiu: Date, national_day: Date) -> Date {
    let block_end = national_day + time::Duration::days(i64::from(NATIONAL_DAY_DAYS) - 1);
    if (national_day..=block_end).contains(&zhongqiu) {
        block_end + time::Duration::days(1)
    } else {
        zhongqiu
    }
}

/// Statutory days plus 补假 for `year`, in date order.
pub fn provisional_off_days(year: i32) -> Result<Vec<StatutoryDay>, CalendarError> {
    let mut days = statutory_days(year)?;
    let is_off = |days: &[StatutoryDay], d: Date| days.iter().any(|x| x.date == d);
    let weekend_holidays: Vec<StatutoryDay> = days
        .iter()
        .copied()
        .filter(|d| crate::date::is_weekend(d.date))
        .collect();
    for h in weekend_holidays {
        let mut d = h.date;
        loop {
            d = match d.next_day() {
                Some(n) => n,
                None => break,
            };
            if !crate::date::is_weekend(d) && !is_off(&days, d) {
                days.push(StatutoryDay {
                    date: d,
                    holiday: h.holiday,
                    compensatory: true,
                });
                break;
            }
        }
    }
    days.sort_by_key(|d| d.date);
    // A 补假 for 31 Dec... cannot happen (no holiday near year end), but never leak into the
    // next year's table: the caller indexes by date anyway.
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn rules_2026() {
        let days = provisional_off_days(2026).unwrap();
        let dates: Vec<Date> = days.iter().map(|d| d.date).collect();
        // 清明 2026-04-05 is a Sunday: 补假 on Monday 04-06, as the notice did.
        assert!(dates.contains(&date!(2026 - 04 - 05)));
        assert!(dates.contains(&date!(2026 - 04 - 06)));
        // 春节: 除夕 02-16 .. 初三 02-19.
        for d in 16..=19 {
            assert!(dates.contains(&Date::from_calendar_date(2026, Month::February, d).unwrap()));
        }
        assert!(!dates.contains(&date!(2026 - 02 - 20)));
        // 劳动节 05-01 (Fri), 05-02 (Sat) → 补假 05-04 (Mon).
        assert!(dates.contains(&date!(2026 - 05 - 04)));
    }

    #[test]
    fn revisions() {
        assert_eq!(StatuteRevision::for_year(2024), StatuteRevision::Rev2013);
        assert_eq!(StatuteRevision::for_year(2025), StatuteRevision::Rev2024);
        assert_eq!(StatuteRevision::for_year(2100), StatuteRevision::Rev2024);
    }
}
