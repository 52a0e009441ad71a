//! Property tests of the period arithmetic over the whole supported range.

use proptest::prelude::*;
use time::Date;
use zhifa_calendar::{Anchor, Calendar, DayOffRule, DeadlineSpec, Due, Period, Suspension, Unit};

fn date_in(from_jd: i32, to_jd: i32) -> impl Strategy<Value = Date> {
    (from_jd..=to_jd).prop_map(|jd| Date::from_julian_day(jd).unwrap())
}

/// 2015-01-01 ..= 2030-12-31: published and provisional years, and their boundary.
fn any_date() -> impl Strategy<Value = Date> {
    date_in(2_457_024, 2_462_867)
}

fn cal() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(Calendar::embedded)
}

fn due(spec: &DeadlineSpec) -> Date {
    match cal().compute(spec).unwrap().due {
        Due::Date(d) => d,
        other => panic!("unexpected {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn workdays_compose(d in any_date(), n in 1u32..200, m in 1u32..200) {
        let c = cal();
        let a = c.add_workdays(c.add_workdays(d, n).unwrap(), m).unwrap();
        prop_assert_eq!(a, c.add_workdays(d, n + m).unwrap());
    }

    #[test]
    fn workday_due_is_a_workday_and_counts_exactly(d in any_date(), n in 1u32..300) {
        let c = cal();
        let due = c.add_workdays(d, n).unwrap();
        prop_assert!(c.is_workday(due).unwrap());
        prop_assert!(due > d);
        prop_assert_eq!(c.workdays_between(d, due).unwrap(), n);
        prop_assert_eq!(c.sub_workdays(due, n).unwrap(), c.previous_workday_on_or_before(d).unwrap());
    }

    #[test]
    fn calendar_day_periods_never_end_on_a_day_off(d in any_date(), n in 1i64..400) {
        let spec = DeadlineSpec::new(Anchor::Date(d), Period::new(Unit::Days, n).unwrap());
        let due = due(&spec);
        prop_assert!(cal().is_workday(due).unwrap());
        let nominal = d + time::Duration::days(n);
        prop_assert!(due >= nominal);
        // Everything between the nominal end and the due date is a day off.
        let mut x = nominal;
        while x < due {
            prop_assert!(!cal().is_workday(x).unwrap());
            x = x.next_day().unwrap();
        }
    }

    #[test]
    fn month_periods_roll_and_clamp(d in any_date(), n in 1i64..60) {
        let keep = DeadlineSpec::new(
            Anchor::Date(d),
            Period::new(Unit::Months, n).unwrap().with_day_off(DayOffRule::Keep),
        );
        let k = due(&keep);
        prop_assert!(k.day() == d.day() || k.day() == time::util::days_in_month(k.month(), k.year()));
        let rolled = due(&DeadlineSpec::new(Anchor::Date(d), Period::new(Unit::Months, n).unwrap()));
        prop_assert!(rolled >= k);
        prop_assert!(cal().is_workday(rolled).unwrap());
    }

    #[test]
    fn suspension_never_shortens(
        d in any_date(),
        unit in prop_oneof![Just(Unit::Workdays), Just(Unit::Days), Just(Unit::Months)],
        n in 1i64..40,
        gaps in proptest::collection::vec((1i64..60, 0i64..20), 0..4),
    ) {
        let period = Period::new(unit, n).unwrap();
        let base = DeadlineSpec::new(Anchor::Date(d), period);
        let plain = due(&base);
        let mut suspensions = Vec::new();
        let mut cursor = d;
        for (gap, len) in gaps {
            let from = cursor + time::Duration::days(gap);
            let until = from + time::Duration::days(len);
            suspensions.push(Suspension { from, until: Some(until) });
            cursor = until;
        }
        let with = due(&base.clone().with_suspensions(suspensions.clone()));
        prop_assert!(with >= plain, "{} < {}", with, plain);
        // Adding one more suspension (a prefix of the ledger vs the whole) never shortens either.
        if suspensions.len() > 1 {
            let fewer = due(&base.with_suspensions(suspensions[..suspensions.len() - 1].to_vec()));
            prop_assert!(with >= fewer);
        }
    }

    #[test]
    fn suspension_shifts_workdays_by_the_suspended_workdays(d in any_date(), n in 5u32..40, off in 1i64..5, len in 0i64..15) {
        let c = cal();
        let from = d + time::Duration::days(off);
        let until = from + time::Duration::days(len);
        let spec = DeadlineSpec::new(Anchor::Date(d), Period::new(Unit::Workdays, n as i64).unwrap())
            .with_suspensions(vec![Suspension { from, until: Some(until) }]);
        let got = due(&spec);
        let plain = c.add_workdays(d, n).unwrap();
        if plain < from {
            prop_assert_eq!(got, plain);
        } else {
            let lost = c.workdays_between(from.previous_day().unwrap(), until).unwrap();
            prop_assert_eq!(got, c.add_workdays(d, n + lost).unwrap());
        }
    }
}
