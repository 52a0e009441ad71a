//! DL-1: in provisional years a 中秋 that falls on 1–3 October keeps its own holiday day
//! (全国年节及纪念日放假办法, 2024 revision, Art. 2: 中秋节 放假1天, 国庆节 放假3天), as the
//! notices for 2009 and 2020 did.

use std::collections::BTreeSet;

use time::{Date, Month};
use zhifa_calendar::{
    Calendar, DayKind, Holiday, MAX_YEAR, StatuteRevision, festivals, provisional_off_days,
    statutory_days,
};

fn ymd(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).unwrap()
}

/// Days of `kind` in the autumn block (15 September ..= 20 October) of a provisional year.
fn autumn(cal: &Calendar, year: i32, kind: DayKind) -> Vec<Date> {
    let mut d = ymd(year, Month::September, 15);
    let mut out = Vec::new();
    while d <= ymd(year, Month::October, 20) {
        if cal.day(d).unwrap().kind == kind {
            out.push(d);
        }
        d = d.next_day().unwrap();
    }
    out
}

#[test]
fn overlapping_mid_autumn_2028_and_2031_has_four_statutory_days() {
    let cal = Calendar::embedded();
    for (year, zhongqiu) in [(2028, 3), (2031, 1), (2039, 2)] {
        // Computed by the crate's lunisolar code (ICU4X), not assumed.
        assert_eq!(
            festivals(year).unwrap().zhongqiu,
            ymd(year, Month::October, zhongqiu)
        );
        assert!(cal.is_provisional_year(year));
        let days = autumn(&cal, year, DayKind::StatutoryHoliday);
        assert_eq!(days.len(), 4, "{year}: {days:?}");
        let fourth = cal.day(ymd(year, Month::October, 4)).unwrap();
        assert!(!fourth.workday, "{year}");
        assert!(fourth.holidays.contains(Holiday::MidAutumn), "{year}");
    }
    // 2028: Sun 10-01, Mon 2, Tue 3 (中秋), Wed 4 (中秋's own day), Thu 5 (补假 for Sunday).
    assert_eq!(
        autumn(&cal, 2028, DayKind::Compensatory),
        [ymd(2028, Month::October, 5)]
    );
    assert!(cal.day(ymd(2028, Month::October, 6)).unwrap().workday);
}

#[test]
fn every_year_keeps_the_statutory_count_of_holiday_days() {
    // Distinct statutory days per year: 1+3+1+1+1+1+3 = 11 (2007 and 2013 revisions),
    // 1+4+1+2+1+1+3 = 13 (2024 revision); autumn always 国庆 3 + 中秋 1 = 4.
    for year in 2008..=MAX_YEAR {
        let days = statutory_days(year).unwrap();
        let distinct: BTreeSet<Date> = days.iter().map(|d| d.date).collect();
        let expected = match StatuteRevision::for_year(year) {
            StatuteRevision::Rev2024 => 13,
            _ => 11,
        };
        assert_eq!(distinct.len(), expected, "{year}");
        let autumn = days
            .iter()
            .filter(|d| matches!(d.holiday, Holiday::MidAutumn | Holiday::NationalDay))
            .count();
        assert_eq!(autumn, 4, "{year}");
        // The 中秋 day is the festival itself unless 国庆 already covers it.
        let zq = festivals(year).unwrap().zhongqiu;
        let mid: Vec<Date> = days
            .iter()
            .filter(|d| d.holiday == Holiday::MidAutumn)
            .map(|d| d.date)
            .collect();
        let overlaps = zq.month() == Month::October && zq.day() <= 3;
        let want = if overlaps {
            ymd(year, Month::October, 4)
        } else {
            zq
        };
        assert_eq!(mid, [want], "{year}");
        // 补假 never lands on a statutory day and every weekend holiday gets one.
        let all = provisional_off_days(year).unwrap();
        let weekend = days
            .iter()
            .filter(|d| {
                matches!(
                    d.date.weekday(),
                    time::Weekday::Saturday | time::Weekday::Sunday
                )
            })
            .count();
        assert_eq!(
            all.iter().filter(|d| d.compensatory).count(),
            weekend,
            "{year}"
        );
    }
}
