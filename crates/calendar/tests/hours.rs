//! REC-4 / DL-3: hour periods start at the next full hour (民事诉讼法 Art. 85: 期间开始的时
//! 不计算在期间内), applied by analogy to the 24-hour AV upload duty.

use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use zhifa_calendar::{
    Anchor, CST, Calendar, CalendarError, DeadlineSpec, Due, Period, Unit, hours_deadline,
    next_full_hour,
};

#[test]
fn recorded_1830_due_1900_next_day_art85() {
    assert_eq!(
        hours_deadline(datetime!(2026-11-26 18:30 +08:00), 24).unwrap(),
        datetime!(2026-11-27 19:00 +08:00)
    );
    // Exactly on the hour: the hour 18:00–19:00 is the hour of the event, not counted.
    assert_eq!(
        hours_deadline(datetime!(2026-11-26 18:00 +08:00), 24).unwrap(),
        datetime!(2026-11-27 19:00 +08:00)
    );
    assert_eq!(
        hours_deadline(datetime!(2026-11-26 18:59:59.999 +08:00), 24).unwrap(),
        datetime!(2026-11-27 19:00 +08:00)
    );
    // Over midnight and a year end.
    assert_eq!(
        hours_deadline(datetime!(2026-12-31 23:10 +08:00), 24).unwrap(),
        datetime!(2027-01-02 00:00 +08:00)
    );
    assert!(matches!(
        hours_deadline(datetime!(2026-11-26 18:30 +08:00), 0),
        Err(CalendarError::ZeroPeriod { .. })
    ));
    assert!(matches!(
        hours_deadline(datetime!(2100-12-31 12:00 +08:00), 24),
        Err(CalendarError::YearOutOfRange { .. })
    ));
}

#[test]
fn compute_and_cli_use_the_same_rule() {
    let t = datetime!(2026-11-26 18:30 +08:00);
    let c = Calendar::embedded()
        .compute(&DeadlineSpec::new(
            Anchor::Instant(t),
            Period::new(Unit::Hours, 24).unwrap(),
        ))
        .unwrap();
    assert_eq!(c.due, Due::Instant(hours_deadline(t, 24).unwrap()));
    let e = zhifa_calendar::cli::add_explain(
        &Calendar::embedded(),
        "2026-11-26T18:30:00+08:00",
        "24",
        "hours",
    )
    .unwrap();
    assert_eq!(e[0], "2026-11-27T19:00:00+08:00");
    assert!(
        e.iter()
            .any(|l| l.contains("自 2026-11-26T19:00:00+08:00 起算")),
        "{e:?}"
    );
}

/// Instants 2015..2030 with sub-second precision, in assorted offsets (including +05:30, so
/// "full hour" is not taken in the input's offset).
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (
        1_420_070_400i64..1_893_456_000,
        0u32..1_000_000_000,
        prop_oneof![Just(0i8), Just(8), Just(-5)],
        prop_oneof![Just(0i8), Just(30)],
    )
        .prop_map(|(secs, nanos, h, m)| {
            let off = time::UtcOffset::from_hms(h, if h < 0 { -m } else { m }, 0).unwrap();
            (OffsetDateTime::from_unix_timestamp(secs).unwrap()
                + Duration::nanoseconds(nanos as i64))
            .to_offset(off)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The counted hours are whole CST hours strictly after the hour of the event: the due
    /// instant is on the hour, more than `n` hours and at most `n + 1` hours after the event.
    #[test]
    fn due_is_n_whole_hours_after_the_hour_of_the_event(t in instant(), n in 1u32..=240) {
        let due = hours_deadline(t, n).unwrap();
        let c = due.to_offset(CST);
        prop_assert_eq!((c.minute(), c.second(), c.nanosecond()), (0, 0, 0));
        let elapsed = due - t;
        prop_assert!(elapsed > Duration::hours(n as i64), "{} → {}", t, due);
        prop_assert!(elapsed <= Duration::hours(n as i64 + 1), "{} → {}", t, due);
        // The start of counting is the first full hour strictly after the event.
        let start = next_full_hour(t).unwrap();
        prop_assert_eq!(due - start, Duration::hours(n as i64));
        prop_assert!(start > t && start - t <= Duration::HOUR);
        // Every instant in the same CST hour as the event gives the same deadline.
        let same_hour = start - Duration::nanoseconds(1);
        prop_assert_eq!(hours_deadline(same_hour, n).unwrap(), due);
    }

    /// Later events never get earlier deadlines.
    #[test]
    fn monotone_in_the_event(t in instant(), dt in 0i64..100_000, n in 1u32..=100) {
        let later = t + Duration::seconds(dt);
        prop_assert!(hours_deadline(later, n).unwrap() >= hours_deadline(t, n).unwrap());
    }
}
