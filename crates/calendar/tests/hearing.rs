//! 处罚法 Art. 64 (二) with Art. 85: the hearing notice is served "七日前" — seven full working
//! days strictly between the service day and the hearing day (neither counts).

use proptest::prelude::*;
use time::macros::date;
use time::{Date, Duration};
use zhifa_calendar::{Anchor, Calendar, Catalog, Due, HEARING_NOTICE_WORKDAYS};

fn cal() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(Calendar::embedded)
}

#[test]
fn across_a_weekend_art64() {
    // Served Fri 2025-11-14: 17,18,19,20,21,24,25 lie between → earliest hearing Wed 11-26.
    let c = cal();
    assert_eq!(
        c.earliest_hearing_day(date!(2025 - 11 - 14)).unwrap(),
        date!(2025 - 11 - 26)
    );
    assert!(
        c.hearing_notice_ok(date!(2025 - 11 - 14), date!(2025 - 11 - 26))
            .unwrap()
    );
    // Tue 11-25 would leave only six full working days: the hearing day itself is not one.
    assert!(
        !c.hearing_notice_ok(date!(2025 - 11 - 14), date!(2025 - 11 - 25))
            .unwrap()
    );
    assert_eq!(
        c.latest_hearing_notice_day(date!(2025 - 11 - 26)).unwrap(),
        date!(2025 - 11 - 14)
    );
}

#[test]
fn across_national_day_2025_art64() {
    // 2025 notice (国办发明电〔2024〕12号): 10-01..08 off, Sun 09-28 and Sat 10-11 make-up.
    // Served Fri 09-26: 09-28 (1), 29 (2), 30 (3), 10-09 (4), 10 (5), 11 (6), 13 (7) → Tue 10-14.
    let c = cal();
    assert_eq!(
        c.earliest_hearing_day(date!(2025 - 09 - 26)).unwrap(),
        date!(2025 - 10 - 14)
    );
    assert!(
        !c.hearing_notice_ok(date!(2025 - 09 - 26), date!(2025 - 10 - 13))
            .unwrap()
    );
    // Naive calendar counting ("seven days before") would allow 10-03 — a holiday week.
    assert!(
        !c.hearing_notice_ok(date!(2025 - 09 - 26), date!(2025 - 10 - 09))
            .unwrap()
    );
}

#[test]
fn across_national_day_2026_and_the_catalog_rule_agrees() {
    // 2026: 10-01..07 off, Sat 10-10 make-up. Served Wed 09-30 → 10-08, 09, 10, 12, 13, 14, 15
    // between → earliest hearing Fri 10-16.
    let c = cal();
    assert_eq!(
        c.earliest_hearing_day(date!(2026 - 09 - 30)).unwrap(),
        date!(2026 - 10 - 16)
    );
    let spec = Catalog::embedded()
        .spec(
            "penalty.hearing_notice",
            Anchor::Date(date!(2026 - 10 - 16)),
            false,
            vec![],
        )
        .unwrap();
    assert_eq!(
        c.compute(&spec).unwrap().due,
        Due::Date(date!(2026 - 09 - 30))
    );
    assert_eq!(
        c.latest_hearing_notice_day(date!(2026 - 10 - 16)).unwrap(),
        date!(2026 - 09 - 30)
    );
}

/// Working days strictly between, counted one day at a time (independent of the rank table).
fn between_by_walking(a: Date, b: Date) -> u32 {
    let mut n = 0;
    let mut d = a.next_day().unwrap();
    while d < b {
        n += u32::from(cal().is_workday(d).unwrap());
        d = d.next_day().unwrap();
    }
    n
}

fn any_date() -> impl Strategy<Value = Date> {
    // 2015-01-01 ..= 2030-12-31.
    (2_457_024i32..=2_462_867).prop_map(|jd| Date::from_julian_day(jd).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn notice_ok_iff_seven_working_days_strictly_between(s in any_date(), gap in 0i64..40) {
        let h = s + Duration::days(gap);
        let ok = cal().hearing_notice_ok(s, h).unwrap();
        prop_assert_eq!(ok, between_by_walking(s, h) >= HEARING_NOTICE_WORKDAYS);
    }

    #[test]
    fn earliest_hearing_day_is_the_first_working_day_that_is_ok(s in any_date()) {
        let c = cal();
        let h = c.earliest_hearing_day(s).unwrap();
        prop_assert!(c.is_workday(h).unwrap());
        prop_assert!(c.hearing_notice_ok(s, h).unwrap());
        let mut d = s;
        while d < h {
            prop_assert!(!(c.is_workday(d).unwrap() && c.hearing_notice_ok(s, d).unwrap()), "{} ok before {}", d, h);
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn latest_notice_day_is_the_last_working_day_that_is_ok(h in any_date()) {
        let c = cal();
        let s = c.latest_hearing_notice_day(h).unwrap();
        prop_assert!(c.is_workday(s).unwrap());
        prop_assert!(c.hearing_notice_ok(s, h).unwrap());
        let mut d = s.next_day().unwrap();
        while d < h {
            prop_assert!(!(c.is_workday(d).unwrap() && c.hearing_notice_ok(d, h).unwrap()));
            d = d.next_day().unwrap();
        }
        // The catalog's backward rule gives the same day.
        let spec = Catalog::embedded()
            .spec("penalty.hearing_notice", Anchor::Date(h), false, vec![])
            .unwrap();
        prop_assert_eq!(c.compute(&spec).unwrap().due, Due::Date(s));
    }
}
