//! DL-3: approved extensions are lengths of their own, capped by each rule's maximum
//! (强制法 Art. 25: 查封、扣押 "可以延长，但是延长期限不得超过三十日"; 许可法 Art. 42: 十日;
//! REV-5: 2 working days by default).

use proptest::prelude::*;
use time::macros::date;
use zhifa_calendar::{Anchor, Calendar, CalendarError, Catalog, CatalogSettings, Due};

fn due_with(rule: &str, anchor: Anchor, ext: Option<u32>) -> Result<Due, CalendarError> {
    let spec = Catalog::embedded().spec_with_extension(rule, anchor, ext, vec![])?;
    Ok(Calendar::embedded().compute(&spec)?.due)
}

#[test]
fn seizure_extension_is_the_approved_length_up_to_30_days_art25() {
    // Seized Tue 2026-09-01. 30 days → 10-01 (国庆) → 10-08. Extended by an approved 15 days:
    // day 45 = Fri 10-16 — not day 60 (11-02), which a fixed +30 would give.
    let a = Anchor::Date(date!(2026 - 09 - 01));
    assert_eq!(
        due_with("compulsion.seizure", a, None).unwrap(),
        Due::Date(date!(2026 - 10 - 08))
    );
    assert_eq!(
        due_with("compulsion.seizure", a, Some(15)).unwrap(),
        Due::Date(date!(2026 - 10 - 16))
    );
    assert_eq!(
        due_with("compulsion.seizure", a, Some(30)).unwrap(),
        Due::Date(date!(2026 - 11 - 02))
    );
    // 31 days is more than Art. 25 allows: refused, naming the article.
    let e = due_with("compulsion.seizure", a, Some(31)).unwrap_err();
    assert!(
        matches!(
            &e,
            CalendarError::ExtensionTooLong {
                requested: 31,
                max: 30,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("第二十五条"), "{msg}");
    assert!(msg.contains("31日") && msg.contains("30日"), "{msg}");
    assert!(due_with("compulsion.seizure", a, Some(0)).is_err());
    // A rule with no extension refuses one.
    let e = due_with("pub.withdrawal", a, Some(1)).unwrap_err();
    assert!(matches!(e, CalendarError::InvalidExtension { .. }), "{e:?}");
}

#[test]
fn every_rule_with_an_extension_has_its_own_cap_and_cites_it() {
    let cat = Catalog::embedded();
    let with_ext: Vec<_> = cat
        .rules()
        .iter()
        .filter(|r| r.extension.is_some())
        .collect();
    let ids: Vec<&str> = with_ext.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["rev.opinion", "compulsion.seizure", "license.decision"]
    );
    for r in with_ext {
        let ext = r.extension.as_ref().unwrap();
        assert!(!ext.basis.is_empty(), "{}: cap without a citation", r.id);
        assert_eq!(r.approve_extension(ext.max_length).unwrap(), ext.max_length);
        let e = r.approve_extension(ext.max_length + 1).unwrap_err();
        assert!(
            e.to_string().contains(&ext.basis),
            "{}: {e} does not cite {}",
            r.id,
            ext.basis
        );
    }
    let lic = cat.get("license.decision").unwrap();
    assert!(
        lic.approve_extension(11)
            .unwrap_err()
            .to_string()
            .contains("第四十二条")
    );
    // The flag API still means "the maximum was granted".
    let a = Anchor::Date(date!(2026 - 09 - 14));
    let flag = cat.spec("license.decision", a, true, vec![]).unwrap();
    let ten = cat
        .spec_with_extension("license.decision", a, Some(10), vec![])
        .unwrap();
    assert_eq!(flag, ten);
}

#[test]
fn a_province_cap_replaces_the_default_and_is_enforced() {
    let s: CatalogSettings = serde_json::from_str(
        r#"{"overrides":{"rev.opinion":{"length":7,"extension":3,"basis":"某省办法第十条"}}}"#,
    )
    .unwrap();
    let cat = Catalog::embedded().with_settings(&s).unwrap();
    let r = cat.get("rev.opinion").unwrap();
    assert_eq!(r.approve_extension(3).unwrap(), 3);
    let e = r.approve_extension(4).unwrap_err().to_string();
    assert!(e.contains("某省办法第十条"), "{e}");
    assert!(e.contains("3个工作日"), "{e}");
}

proptest! {
    /// For every rule with an extension: any approved length up to the cap is accepted and
    /// moves the due date monotonically (never earlier than the unextended one, never later
    /// than the maximum); anything above the cap is refused.
    #[test]
    fn approved_extensions_are_bounded_and_monotone(
        rule in prop_oneof![Just("rev.opinion"), Just("compulsion.seizure"), Just("license.decision")],
        day in 0i64..3000,
        k in 1u32..=40,
    ) {
        let cat = Catalog::embedded();
        let max = cat.get(rule).unwrap().extension.as_ref().unwrap().max_length;
        let a = Anchor::Date(date!(2019 - 01 - 01) + time::Duration::days(day));
        let date = |ext| match due_with(rule, a, ext).unwrap() {
            Due::Date(d) => d,
            other => panic!("{other:?}"),
        };
        if k > max {
            let refused = matches!(
                due_with(rule, a, Some(k)),
                Err(CalendarError::ExtensionTooLong { .. })
            );
            prop_assert!(refused);
        } else {
            let base = date(None);
            let got = date(Some(k));
            prop_assert!(got >= base);
            prop_assert!(got <= date(Some(max)));
            if k > 1 {
                prop_assert!(got >= date(Some(k - 1)));
            }
            // Each approved unit counts: k units later than the unextended nominal end.
            if rule == "compulsion.seizure" {
                prop_assert!(got >= a.date() + time::Duration::days(30 + i64::from(k)));
            } else {
                let c = Calendar::embedded();
                let n = c.workdays_between(a.date(), got).unwrap();
                prop_assert_eq!(n, cat.get(rule).unwrap().period.length + k);
            }
        }
    }
}
