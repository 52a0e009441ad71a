//! DL-1: an amended notice (国办发明电〔2020〕1号 extended the 2020 春节 holiday to 2 February
//! and cancelled the 1 February make-up day) replaces a year that already has an official
//! notice, and every open deadline that looked at the changed days is recomputed — not only
//! provisional ones.

use time::macros::date;
use zhifa_calendar::{
    Anchor, Calendar, Catalog, Due, Notice, NoticeRelation, OpenDeadline, embedded_notices,
    recompute, recompute_import,
};

const AMENDED_2020: &str = include_str!("../data/notices/2020.notice");

/// The 2020 notice as first published (国办发明电〔2019〕16号): 春节 01-24..30 off, Sun 01-19
/// and Sat 02-01 make-up working days.
const ORIGINAL_2020: &str = "\
year: 2020
document: 国办发明电〔2019〕16号
off  元旦   2020-01-01
work 春节   2020-01-19, 2020-02-01
off  春节   2020-01-24..2020-01-30
off  清明节 2020-04-04..2020-04-06
work 劳动节 2020-04-26, 2020-05-09
off  劳动节 2020-05-01..2020-05-05
off  端午节 2020-06-25..2020-06-27
work 端午节 2020-06-28
work 国庆节、中秋节 2020-09-27, 2020-10-10
off  国庆节、中秋节 2020-10-01..2020-10-08
";

fn calendar_with_original_2020() -> Calendar {
    let mut notices: Vec<Notice> = embedded_notices()
        .into_iter()
        .filter(|n| n.year != 2020)
        .collect();
    notices.push(Notice::parse(ORIGINAL_2020).unwrap());
    Calendar::from_notices(notices).unwrap()
}

#[test]
fn amended_2020_notice_replaces_the_official_one_and_reports_changed_days() {
    let cal = calendar_with_original_2020();
    assert!(cal.is_workday(date!(2020 - 02 - 01)).unwrap());
    let (next, report) = cal.import(AMENDED_2020).unwrap();
    assert_eq!(report.year, 2020);
    assert!(report.replaced);
    assert_eq!(
        report.relation,
        NoticeRelation::Amendment {
            previous_documents: vec!["国办发明电〔2019〕16号".into()]
        }
    );
    // 01-31 (Fri) and 02-01 (Sat, no longer a make-up day) became days off; 02-02 was a
    // Sunday anyway.
    assert_eq!(
        report.changed_days,
        [date!(2020 - 01 - 31), date!(2020 - 02 - 01)]
    );
    assert_eq!(report.changed_years, [2020]);
    assert!(!next.is_workday(date!(2020 - 02 - 01)).unwrap());
    assert_eq!(
        next.day(date!(2020 - 01 - 31)).unwrap().document,
        Some("国办发明电〔2019〕16号")
    );
}

#[test]
fn non_provisional_deadlines_over_the_amended_days_are_recomputed() {
    let cal = calendar_with_original_2020();
    let cat = Catalog::embedded();
    let mk = |key: u32, day| {
        let spec = cat
            .spec(
                "pub.decision.license_penalty",
                Anchor::Date(day),
                false,
                vec![],
            )
            .unwrap();
        let last = cal.compute(&spec).unwrap();
        OpenDeadline { key, spec, last }
    };
    // Decided Mon 2020-01-20: 21, 22, 23, 31, 02-01 (make-up), 03, 04 → 02-04 under the
    // original notice; the second deadline (June) never touches the changed days.
    let open = vec![mk(1, date!(2020 - 01 - 20)), mk(2, date!(2020 - 06 - 01))];
    assert_eq!(open[0].last.due, Due::Date(date!(2020 - 02 - 04)));
    assert!(!open[0].last.provisional);
    let (next, report) = cal.import(AMENDED_2020).unwrap();
    // The provisional-only selection misses it: the defect this API fixes.
    assert_eq!(recompute(&next, 2020, &open).count(), 0);
    assert!(report.affects(&open[0].last));
    let redone: Vec<_> = recompute_import(&next, &report, &open).collect();
    // Over-selection is allowed (the June one examined 2020 too) but it must not change.
    let first = redone.iter().find(|r| r.key == 1).unwrap();
    assert!(first.changed);
    // 21, 22, 23, 02-03, 04, 05, 06 → 2020-02-06.
    assert_eq!(
        first.result.as_ref().unwrap().due,
        Due::Date(date!(2020 - 02 - 06))
    );
    assert!(redone.iter().filter(|r| r.key == 2).all(|r| !r.changed));
}

#[test]
fn reimport_and_downgrade_are_told_apart() {
    let cal = Calendar::embedded();
    // The same amended text again: a replacement that changes nothing.
    let (_, same) = cal.import(AMENDED_2020).unwrap();
    assert_eq!(
        same.relation,
        NoticeRelation::Replacement {
            previous_documents: vec![
                "国办发明电〔2019〕16号".into(),
                "国办发明电〔2020〕1号".into()
            ],
            dropped_documents: vec![],
        }
    );
    assert!(same.changed_days.is_empty() && same.changed_years.is_empty());
    // The original over the amendment: accepted, but the dropped amendment is named.
    let (_, down) = cal.import(ORIGINAL_2020).unwrap();
    match &down.relation {
        NoticeRelation::Replacement {
            dropped_documents, ..
        } => assert_eq!(dropped_documents, &["国办发明电〔2020〕1号".to_string()]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        down.changed_days,
        [date!(2020 - 01 - 31), date!(2020 - 02 - 01)]
    );
    // A first import of a provisional year is `New`.
    let text = "year: 2027\ndocument: TEST-ONLY\noff 元旦 2027-01-01..2027-01-03\n";
    let (_, new) = cal.import(text).unwrap();
    assert_eq!(new.relation, NoticeRelation::New);
    assert!(!new.replaced);
}

#[test]
fn changed_days_reach_back_into_late_december() {
    // A 2027 notice making Sun 2026-12-27 a make-up day changes a day of 2026.
    let cal = Calendar::embedded();
    let text =
        "year: 2027\ndocument: TEST-ONLY\noff 元旦 2027-01-01..2027-01-03\nwork 元旦 2026-12-27\n";
    let (next, report) = cal.import(text).unwrap();
    assert!(report.changed_days.contains(&date!(2026 - 12 - 27)));
    assert_eq!(report.changed_years.first(), Some(&2026));
    // Every reported day really changed, and no other day of the notice's reach did.
    let mut d = date!(2026 - 12 - 24);
    while d <= date!(2027 - 12 - 31) {
        let changed = cal.is_workday(d).unwrap() != next.is_workday(d).unwrap();
        assert_eq!(changed, report.changed_days.contains(&d), "{d}");
        d = d.next_day().unwrap();
    }
}
