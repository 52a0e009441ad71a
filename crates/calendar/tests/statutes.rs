//! Fixed examples from the statutes and the provincial plan, computed by hand.

use time::macros::{date, datetime};
use zhifa_calendar::{
    Anchor, Calendar, CalendarError, Catalog, CatalogSettings, Due, OpenDeadline, Suspension, cli,
    recompute,
};

fn due(rule: &str, anchor: Anchor, extended: bool, susp: Vec<Suspension>) -> Due {
    let cat = Catalog::embedded();
    Calendar::embedded()
        .compute(&cat.spec(rule, anchor, extended, susp).unwrap())
        .unwrap()
        .due
}

#[test]
fn publication_over_national_day_2025() {
    // Penalty decided Tue 2025-09-30; 7 WD: 10-01..08 off, 10-09 (1), 10-10 (2), 10-11 Sat
    // make-up (3), 10-13..16 (4–7) → 2025-10-16.
    assert_eq!(
        due(
            "pub.decision.license_penalty",
            Anchor::Date(date!(2025 - 09 - 30)),
            false,
            vec![]
        ),
        Due::Date(date!(2025 - 10 - 16))
    );
    // 20 WD from the same day: 10-17 (8) … 11-06 is the 20th? 10-17(8),20(9),21(10),22(11),
    // 23(12),24(13),27(14),28(15),29(16),30(17),31(18),11-03(19),11-04(20).
    assert_eq!(
        due(
            "pub.decision.other",
            Anchor::Date(date!(2025 - 09 - 30)),
            false,
            vec![]
        ),
        Due::Date(date!(2025 - 11 - 04))
    );
}

#[test]
fn withdrawal_over_spring_festival_2026() {
    // Revocation received Fri 2026-02-13; 02-14 is a make-up Saturday (1), 02-15..23 off,
    // 02-24 (2) → 2026-02-24.
    assert_eq!(
        due(
            "pub.withdrawal",
            Anchor::Date(date!(2026 - 02 - 13)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 02 - 24))
    );
}

/// 处罚法第四十八条第二款: a published decision is withdrawn when it is 变更 (changed), not only
/// when it is revoked or confirmed unlawful or void — the withdrawal duty starts on all four.
#[test]
fn withdrawal_starts_on_a_changed_decision_too_art48() {
    let catalog = Catalog::embedded();
    let rule = catalog.get("pub.withdrawal").unwrap();
    for ground in ["变更", "撤销", "确认违法", "确认无效"] {
        assert!(
            rule.starts.text.contains(ground),
            "{ground}: {}",
            rule.starts.text
        );
        assert!(rule.basis.contains(ground), "{ground}: {}", rule.basis);
    }
    assert!(rule.basis.contains("第四十八条第二款"), "{}", rule.basis);
}

#[test]
fn review_three_plus_two() {
    // Accepted Thu 2026-04-30: 3 WD → 05-06, 07, 08 → 05-08; extended 5 WD → 05-09 (Sat
    // make-up, 4), 05-11 (5).
    let a = Anchor::Date(date!(2026 - 04 - 30));
    assert_eq!(
        due("rev.opinion", a, false, vec![]),
        Due::Date(date!(2026 - 05 - 08))
    );
    assert_eq!(
        due("rev.opinion", a, true, vec![]),
        Due::Date(date!(2026 - 05 - 11))
    );
    // A province with 7+3.
    let s: CatalogSettings =
        serde_json::from_str(r#"{"overrides":{"rev.opinion":{"length":7,"extension":3}}}"#)
            .unwrap();
    let cat = Catalog::embedded().with_settings(&s).unwrap();
    let spec = cat.spec("rev.opinion", a, true, vec![]).unwrap();
    // 10 WD: 05-06,07,08,09(Sat make-up),11,12,13,14,15,18 → 2026-05-18.
    assert_eq!(
        Calendar::embedded().compute(&spec).unwrap().due,
        Due::Date(date!(2026 - 05 - 18))
    );
}

#[test]
fn av_upload_24_hours_from_the_next_full_hour_art85() {
    // REC-4 / 民事诉讼法 Art. 85: recorded at 18:30 on 国庆 → counting starts 19:00 → due
    // 19:00 the next day (a holiday: hour periods are not extended).
    let t = datetime!(2026-10-01 18:30 +08:00);
    assert_eq!(
        due("rec.av_upload", Anchor::Instant(t), false, vec![]),
        Due::Instant(datetime!(2026-10-02 19:00 +08:00))
    );
    // The same instant given in UTC gives the same deadline.
    let utc = datetime!(2026-10-01 10:30 UTC);
    assert_eq!(
        due("rec.av_upload", Anchor::Instant(utc), false, vec![]),
        Due::Instant(datetime!(2026-10-02 11:00 UTC))
    );
}

#[test]
fn seizure_thirty_plus_thirty_with_evaluation() {
    // Seized 2026-09-01: 30 days → 10-01 (国庆) → 10-08. Extended: 60 days → 10-31 (Sat) →
    // 11-02 (Mon).
    let a = Anchor::Date(date!(2026 - 09 - 01));
    assert_eq!(
        due("compulsion.seizure", a, false, vec![]),
        Due::Date(date!(2026 - 10 - 08))
    );
    assert_eq!(
        due("compulsion.seizure", a, true, vec![]),
        Due::Date(date!(2026 - 11 - 02))
    );
    // Technical evaluation 09-10..=09-19 (10 days, 强制法 Art. 25 para 3): 30 + 10 → 10-11
    // (Sun) → 10-12.
    let s = vec![Suspension {
        from: date!(2026 - 09 - 10),
        until: Some(date!(2026 - 09 - 19)),
    }];
    assert_eq!(
        due("compulsion.seizure", a, false, s),
        Due::Date(date!(2026 - 10 - 12))
    );
}

#[test]
fn license_twenty_plus_ten_workdays() {
    // Accepted Mon 2026-09-14: 15–18 (1–4), 09-20 Sun make-up (5), 21–24 (6–9), 25 中秋 off,
    // 28–30 (10–12), 10-01..07 off, 08, 09 (13, 14), 10 Sat make-up (15), 12–16 (16–20).
    let a = Anchor::Date(date!(2026 - 09 - 14));
    assert_eq!(
        due("license.decision", a, false, vec![]),
        Due::Date(date!(2026 - 10 - 16))
    );
    // +10 WD: 19–23 (21–25), 26–30 (26–30) → 2026-10-30.
    assert_eq!(
        due("license.decision", a, true, vec![]),
        Due::Date(date!(2026 - 10 - 30))
    );
}

#[test]
fn penalty_decision_ninety_days_and_hearing() {
    // Filed 2026-03-10: + 90 days = 06-08 (Mon).
    let a = Anchor::Date(date!(2026 - 03 - 10));
    assert_eq!(
        due("penalty.decision", a, false, vec![]),
        Due::Date(date!(2026 - 06 - 08))
    );
    // Hearing suspension 04-01..=04-10 (10 days): 06-18 (Thu).
    let s = vec![Suspension {
        from: date!(2026 - 04 - 01),
        until: Some(date!(2026 - 04 - 10)),
    }];
    assert_eq!(
        due("penalty.decision", a, false, s),
        Due::Date(date!(2026 - 06 - 18))
    );
    // Still suspended: on hold.
    let s = vec![Suspension {
        from: date!(2026 - 04 - 01),
        until: None,
    }];
    assert_eq!(
        due("penalty.decision", a, false, s),
        Due::Suspended {
            since: date!(2026 - 04 - 01)
        }
    );
}

#[test]
fn hearing_request_and_notice() {
    // Notified Thu 2026-04-02: 5 WD → 04-03, (04-04..06 清明), 07, 08, 09, 10 → 2026-04-10.
    assert_eq!(
        due(
            "penalty.hearing_request",
            Anchor::Date(date!(2026 - 04 - 02)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 04 - 10))
    );
    // Hearing Fri 2026-10-16: 7 WD strictly between notice and hearing (处罚法 Art. 64, the
    // hearing day does not count): 15,14,13,12,10(Sat make-up),09,08 → notify by the working
    // day before 10-08, which is 09-30 (10-01..07 国庆).
    assert_eq!(
        due(
            "penalty.hearing_notice",
            Anchor::Date(date!(2026 - 10 - 16)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 09 - 30))
    );
}

#[test]
fn limitation_and_publication_periods() {
    // Violation ended 2024-02-29: two years → 2026-02-28 (clamped, kept though a Saturday).
    assert_eq!(
        due(
            "penalty.limitation",
            Anchor::Date(date!(2024 - 02 - 29)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 02 - 28))
    );
    assert_eq!(
        due(
            "penalty.limitation.extended",
            Anchor::Date(date!(2021 - 10 - 01)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 10 - 01))
    );
    // Published 2025-11-30: general minimum three months → 2026-02-28 (kept).
    assert_eq!(
        due(
            "pub.period.general.min",
            Anchor::Date(date!(2025 - 11 - 30)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 02 - 28))
    );
    assert_eq!(
        due(
            "report.enforcement_statistics",
            Anchor::Date(date!(2025 - 12 - 31)),
            false,
            vec![]
        ),
        Due::Date(date!(2026 - 01 - 31))
    );
}

#[test]
fn out_of_range_is_refused_not_wrapped() {
    let cal = Calendar::embedded();
    let e = cli::add_line(&cal, "2100-12-01", "30", "workdays").unwrap_err();
    assert!(
        matches!(e, CalendarError::YearOutOfRange { year: 2101 }),
        "{e}"
    );
    let e = cli::add_line(&cal, "2100-06-01", "1", "years").unwrap_err();
    assert!(
        matches!(e, CalendarError::YearOutOfRange { year: 2101 }),
        "{e}"
    );
    let e = cli::add_line(&cal, "1900-12-31", "1", "days").unwrap_err();
    assert!(
        matches!(e, CalendarError::YearOutOfRange { year: 1900 }),
        "{e}"
    );
    let e = cli::is_workday_line(&cal, "2101-01-01").unwrap_err();
    assert!(e.to_string().contains("outside the supported range"), "{e}");
}

#[test]
fn import_recomputes_dependent_deadlines() {
    let cal = Calendar::embedded();
    let cat = Catalog::embedded();
    let mk = |key: u32, day| {
        let spec = cat
            .spec("pub.decision.other", Anchor::Date(day), false, vec![])
            .unwrap();
        let last = cal.compute(&spec).unwrap();
        OpenDeadline { key, spec, last }
    };
    let open = vec![mk(1, date!(2026 - 12 - 20)), mk(2, date!(2026 - 10 - 09))];
    assert!(open[0].last.provisional && open[0].last.depends_on_year(2027));
    assert!(!open[1].last.provisional);
    // A (made-up, test-only) 2027 notice with a make-up Sunday 2027-01-10... is not allowed:
    let bad = "year: 2027\ndocument: TEST\nwork 元旦 2027-01-11\n";
    assert!(cal.import(bad).is_err());
    let text =
        "year: 2027\ndocument: TEST-ONLY\noff 元旦 2027-01-01..2027-01-03\nwork 元旦 2026-12-27\n";
    let (new, report) = cal.import(text).unwrap();
    assert_eq!(report.year, 2027);
    assert!(!report.replaced);
    let redone: Vec<_> = recompute(&new, 2027, &open).collect();
    assert_eq!(redone.len(), 1);
    assert_eq!(redone[0].key, 1);
    let after = redone[0].result.as_ref().unwrap();
    // 2026-12-27 became a working day: the 20 WD deadline moves one working day earlier.
    assert!(redone[0].changed);
    assert!(after.due_date() < open[0].last.due_date());
    assert!(!after.provisional || after.last_notice_year > 2027);
}
