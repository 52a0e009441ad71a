//! Suspension, resumption and extension of deadlines (DL-3, DL-4, REV-5; 强制法第二十五条).

use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use zhifa_calendar::{Anchor, Calendar, Catalog};
use zhifa_domain::Event;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::deadline::*;

const AGENCY: Uuid = Uuid::from_u128(7);

fn actor(role: Role) -> Actor {
    Actor {
        user_id: Uuid::from_u128(3),
        username: "wang".into(),
        agency_id: AGENCY,
        roles: vec![role],
    }
}

fn deadline(rule: &str, anchor: Date) -> Deadline {
    open(
        &Catalog::embedded(),
        &Calendar::embedded(),
        DutyStart {
            id: Uuid::from_u128(1),
            rule_id: rule.into(),
            agency_id: AGENCY,
            subject: "case-1".into(),
            title: "查封、扣押期限".into(),
            anchor: Anchor::Date(anchor),
        },
    )
    .unwrap()
}

const TODAY: Date = date!(2026 - 12 - 31);
const EARLY: OffsetDateTime = datetime!(2026-03-03 09:00 +8);

fn extend(
    d: &Deadline,
    who: Role,
    days: u32,
    now: OffsetDateTime,
) -> Result<Event, zhifa_domain::DomainError> {
    decide_extend(
        &actor(who),
        &Catalog::embedded(),
        &Calendar::embedded(),
        d,
        days,
        "合市监延〔2026〕3号",
        "案情复杂，需进一步检验",
        now,
    )
}

/// 强制法第二十五条：查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，可以延长，
/// 但是延长期限不得超过三十日.
#[test]
fn a_seizure_is_extended_once_by_the_head_by_at_most_thirty_days() {
    let d = deadline("compulsion.seizure", date!(2026 - 03 - 02));
    let original = d.due.date.unwrap();
    let e = extend(&d, Role::AgencyHead, 20, EARLY).unwrap();
    let Event::DeadlineExtended {
        days,
        approved_by,
        ref approval,
        ref due,
        ..
    } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!((days, approved_by), (20, Uuid::from_u128(3)));
    assert_eq!(approval, "合市监延〔2026〕3号");
    assert!(due.date.unwrap() >= original + time::Duration::days(20));
    let extended = d.clone().evolve(&e);
    assert_eq!(extended.extension_days, Some(20));
    assert_eq!(
        recompute(&Catalog::embedded(), &Calendar::embedded(), &extended).unwrap(),
        None,
        "the stored due date is the one the approved 20 days give, not the rule's full 30"
    );
    // Only one extension.
    let e2 = extend(&extended, Role::AgencyHead, 5, EARLY).unwrap_err();
    assert_eq!(
        (e2.code.as_str(), e2.rule),
        ("already_extended", Some("DL-3"))
    );
    // At most thirty days.
    let e31 = extend(&d, Role::AgencyHead, 31, EARLY).unwrap_err();
    assert_eq!(
        (e31.code.as_str(), e31.rule),
        ("out_of_range", Some("DL-3"))
    );
    assert_eq!(
        extend(&d, Role::AgencyHead, 0, EARLY).unwrap_err().code,
        "out_of_range"
    );
    // An officer cannot approve it: the statute names the head.
    let f = extend(&d, Role::Officer, 10, EARLY).unwrap_err();
    assert_eq!(f.code, "forbidden");
    assert!(f.message.contains("经行政机关负责人批准"), "{}", f.message);
}

#[test]
fn an_extension_must_be_approved_before_the_deadline_passes() {
    let d = deadline("compulsion.seizure", date!(2026 - 03 - 02));
    let due = d.due.date.unwrap();
    let last_day =
        OffsetDateTime::new_in_offset(due, time::macros::time!(23:00), zhifa_calendar::CST);
    assert!(extend(&d, Role::AgencyHead, 10, last_day).is_ok());
    let after = last_day + time::Duration::hours(2);
    let e = extend(&d, Role::AgencyHead, 10, after).unwrap_err();
    assert_eq!((e.code.as_str(), e.rule), ("too_late", Some("DL-3")));
}

/// REV-5: the review opinion's +2 working days, and rules without an extension refuse one.
#[test]
fn extensions_follow_the_rule_of_the_catalog() {
    let review = deadline("rev.opinion", date!(2026 - 03 - 02));
    let e = extend(&review, Role::AgencyHead, 3, EARLY).unwrap_err();
    assert_eq!((e.code.as_str(), e.rule), ("out_of_range", Some("REV-5")));
    assert!(extend(&review, Role::AgencyHead, 2, EARLY).is_ok());
    let filing = deadline("rec.case_file", date!(2026 - 03 - 02));
    assert_eq!(
        extend(&filing, Role::AgencyHead, 1, EARLY)
            .unwrap_err()
            .code,
        "no_extension"
    );
}

#[test]
fn a_suspension_stops_the_period_and_the_resumption_moves_it_back() {
    let (cat, cal) = (Catalog::embedded(), Calendar::embedded());
    let d = deadline("penalty.decision", date!(2026 - 03 - 02));
    let original = d.due.date.unwrap();
    let head = actor(Role::Officer);
    let s = decide_suspend(
        &head,
        &cat,
        &cal,
        &d,
        date!(2026 - 03 - 10),
        "举行听证",
        TODAY,
    )
    .unwrap();
    let d = d.evolve(&s);
    assert_eq!(d.due.date, None, "no due date while suspended");
    assert_eq!(
        decide_suspend(&head, &cat, &cal, &d, date!(2026 - 03 - 12), "鉴定", TODAY)
            .unwrap_err()
            .code,
        "already_suspended"
    );
    let r = decide_resume(&head, &cat, &cal, &d, date!(2026 - 03 - 15), TODAY).unwrap();
    let d = d.evolve(&r);
    // 2 March + 90 days = Sunday 31 May, rolled to Monday 1 June; with 10 … 15 March not
    // counted, six days later: Saturday 6 June, rolled to Monday 8 June.
    assert_eq!(original, date!(2026 - 06 - 01));
    assert_eq!(d.due.date, Some(date!(2026 - 06 - 08)));
    assert_eq!(d.suspensions.len(), 1);
    assert_eq!(
        decide_resume(&head, &cat, &cal, &d, date!(2026 - 03 - 16), TODAY)
            .unwrap_err()
            .code,
        "not_suspended"
    );
    // A recompute (a notice import) changes the due date only: the ledger of suspensions stays.
    let recomputed = d.clone().evolve(&Event::DeadlineRecomputed {
        deadline_id: d.id,
        due: d.due.clone(),
        reason: "导入节假日安排通知".into(),
    });
    assert_eq!(recomputed.suspensions, d.suspensions);
    assert_eq!(recompute(&cat, &cal, &recomputed).unwrap(), None);
}

#[test]
fn only_suspendable_rules_are_suspended_and_not_before_they_start() {
    let (cat, cal) = (Catalog::embedded(), Calendar::embedded());
    let a = actor(Role::AgencyHead);
    let review = deadline("rev.opinion", date!(2026 - 03 - 02));
    let e = decide_suspend(&a, &cat, &cal, &review, date!(2026 - 03 - 03), "x", TODAY).unwrap_err();
    assert_eq!((e.code.as_str(), e.rule), ("not_suspendable", Some("DL-4")));
    let seizure = deadline("compulsion.seizure", date!(2026 - 03 - 02));
    let e = decide_suspend(
        &a,
        &cat,
        &cal,
        &seizure,
        date!(2026 - 03 - 02),
        "检验",
        TODAY,
    )
    .unwrap_err();
    assert_eq!(e.code, "before_start");
    let other_agency = Actor {
        agency_id: Uuid::from_u128(99),
        ..a.clone()
    };
    assert_eq!(
        decide_suspend(
            &other_agency,
            &cat,
            &cal,
            &seizure,
            date!(2026 - 03 - 05),
            "检验",
            TODAY
        )
        .unwrap_err()
        .code,
        "forbidden"
    );
    let met = Deadline {
        status: DeadlineStatus::Met,
        ..seizure
    };
    assert_eq!(
        decide_suspend(&a, &cat, &cal, &met, date!(2026 - 03 - 05), "检验", TODAY)
            .unwrap_err()
            .code,
        "not_open"
    );
}

#[derive(Debug, Clone)]
enum Op {
    Suspend(i64),
    Resume(i64),
    Extend(u32),
    Recompute,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..40).prop_map(Op::Suspend),
        (0i64..20).prop_map(Op::Resume),
        (0u32..35).prop_map(Op::Extend),
        Just(Op::Recompute),
    ]
}

proptest! {
    /// Whatever suspensions, resumptions and extensions are decided, the deadline is never
    /// earlier than the original one, the stored due date is what its inputs give, and a
    /// recompute keeps every suspension and the extension.
    #[test]
    fn decisions_never_bring_a_deadline_forward(ops in proptest::collection::vec(op(), 0..8)) {
        let (cat, cal) = (Catalog::embedded(), Calendar::embedded());
        let head = actor(Role::AgencyHead);
        let anchor = date!(2026 - 03 - 02);
        let mut d = deadline("compulsion.seizure", anchor);
        let original = d.due.date.unwrap();
        let mut last_from = anchor;
        for o in ops {
            let decided = match o {
                Op::Suspend(k) => {
                    last_from += time::Duration::days(k);
                    decide_suspend(&head, &cat, &cal, &d, last_from, "检验", TODAY)
                }
                Op::Resume(k) => {
                    let from = d.suspensions.iter().find(|s| s.until.is_none()).map_or(anchor, |s| s.from);
                    last_from = from + time::Duration::days(k);
                    decide_resume(&head, &cat, &cal, &d, last_from, TODAY)
                }
                Op::Extend(days) => extend(&d, Role::AgencyHead, days, EARLY),
                Op::Recompute => Ok(Event::DeadlineRecomputed { deadline_id: d.id, due: d.due.clone(), reason: "重算".into() }),
            };
            if let Ok(e) = decided {
                let before = d.clone();
                d = d.evolve(&e);
                if matches!(o, Op::Recompute) {
                    prop_assert_eq!(&d.suspensions, &before.suspensions);
                    prop_assert_eq!(d.extension_days, before.extension_days);
                }
            }
            if let Some(due) = d.due.date {
                prop_assert!(due >= original, "{due} before {original}");
            }
            prop_assert_eq!(recompute(&cat, &cal, &d).unwrap(), None);
        }
    }
}
