use proptest::prelude::*;
use time::{Date, Month};
use uuid::Uuid;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::registry::*;

fn chinese(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", D[rest as usize]),
                10..=19 => format!("一{}", chinese(rest)),
                _ => chinese(rest),
            };
            format!("{}百{tail}", D[(n / 100) as usize])
        }
    }
}

proptest! {
    #[test]
    fn legal_bases_of_any_article_parse_and_print_back(
        law in "[\\p{Han}]{2,20}", art in 1u32..400, para in proptest::option::of(1u32..9), item in proptest::option::of(1u32..9)
    ) {
        let mut text = format!("《{law}》第{}条", chinese(art));
        if let Some(p) = para { text.push_str(&format!("第{}款", chinese(p))); }
        if let (Some(_), Some(i)) = (para, item) { text.push_str(&format!("第{}项", chinese(i))); }
        let b = LegalBasis::parse("legal_bases", &text).unwrap();
        prop_assert_eq!(b.to_string(), text);
    }

    #[test]
    fn malformed_legal_bases_are_refused(s in "[^《]{0,30}") {
        let e = LegalBasis::parse("legal_bases", &s).unwrap_err();
        prop_assert_eq!(e.field.as_deref(), Some("legal_bases"));
    }

    /// REG-6: an accepted benchmark is ordered by severity, every range is sane, and a heavier
    /// severity never carries a lighter range.
    #[test]
    fn accepted_benchmarks_are_sane(raw in proptest::collection::vec((0usize..4, 0i64..10_000_000, 0i64..10_000_000), 1..6)) {
        let entries: Vec<DiscretionEntry> = raw.iter().map(|(s, a, b)| DiscretionEntry {
            severity: Severity::ALL[*s], circumstance: "情节".into(), min_fine_fen: *a, max_fine_fen: *b, other_measures: String::new(),
        }).collect();
        // The rule stated independently of the implementation: each range ordered, and every
        // heavier severity at least as high as every lighter one, at both ends.
        let sane = entries.iter().all(|e| e.min_fine_fen <= e.max_fine_fen)
            && entries.iter().all(|a| entries.iter().all(|b| {
                b.severity <= a.severity || (b.min_fine_fen >= a.min_fine_fen && b.max_fine_fen >= a.max_fine_fen)
            }));
        let decided = decide_set_benchmark(&Actor::system(), &penalty_item(), &entries);
        prop_assert_eq!(decided.is_ok(), sane, "{:?}", decided);
        if let Ok(b) = decided {
            prop_assert_eq!(b.entries.len(), entries.len());
            for w in b.entries.windows(2) {
                prop_assert!(w[0].severity <= w[1].severity);
            }
        }
    }

    /// REG-3: the version in force on a day is the latest one effective by then, unless it repealed the item.
    #[test]
    fn version_in_force_is_the_latest_effective(gaps in proptest::collection::vec(1i64..400, 1..6), probe in 0i64..2500, repeal_last in any::<bool>()) {
        let start = Date::from_calendar_date(2020, Month::January, 1).unwrap();
        let mut day = start;
        let mut versions = Vec::new();
        for (i, g) in gaps.iter().enumerate() {
            day += time::Duration::days(*g);
            let mut v = penalty_item();
            v.version = i as i64 + 1;
            v.effective_from = day;
            v.repealed = repeal_last && i + 1 == gaps.len();
            versions.push(v);
        }
        let d = start + time::Duration::days(probe);
        // From how the versions were built: version k takes effect after the first k gaps.
        let mut elapsed = 0;
        let k = gaps.iter().take_while(|g| { elapsed += **g; elapsed <= probe }).count();
        let expected = (k > 0 && !(repeal_last && k == gaps.len())).then_some(k as i64);
        prop_assert_eq!(version_in_force(&versions, d).map(|v| v.version), expected);
        if let Some(v) = version_in_force(&versions, d) { prop_assert!(v.effective_from <= d); }
    }

    /// REG-3: the stored in-force ranges say the same as the rule on every day, even when a
    /// later version takes effect before an earlier one (a correction published afterwards).
    #[test]
    fn in_force_periods_agree_with_the_rule_on_every_day(
        offsets in proptest::collection::vec((0i64..600, any::<bool>()), 1..6),
        probe in 0i64..700,
    ) {
        let start = Date::from_calendar_date(2020, Month::January, 1).unwrap();
        let versions: Vec<ItemVersion> = offsets.iter().enumerate().map(|(i, (off, repealed))| {
            let mut v = penalty_item();
            v.version = i as i64 + 1;
            v.effective_from = start + time::Duration::days(*off);
            v.repealed = *repealed;
            v
        }).collect();
        let d = start + time::Duration::days(probe);
        let periods = zhifa_domain::registry::in_force_periods(&versions);
        let by_periods = periods.iter()
            .filter(|(_, from, until)| *from <= d && until.is_none_or(|u| d < u))
            .map(|(v, _, _)| *v)
            .collect::<Vec<_>>();
        // At most one range covers a day, and it is the rule's version unless that repeals.
        prop_assert!(by_periods.len() <= 1, "{periods:?}");
        let rule = version_in_force(&versions, d).map(|v| v.version);
        let from_periods = by_periods.first().copied()
            .filter(|v| !versions[(*v - 1) as usize].repealed);
        prop_assert_eq!(from_periods, rule);
    }
}

fn penalty_item() -> ItemVersion {
    ItemVersion {
        item_id: Uuid::nil(),
        version: 1,
        code: "CF-1".into(),
        name: "处罚".into(),
        category: Category::Penalty,
        domain: "市场监管".into(),
        agency_id: Uuid::nil(),
        legal_bases: vec![],
        procedure: vec!["立案".into()],
        time_limit: "九十日".into(),
        review_body: "本级人民政府".into(),
        litigation: String::new(),
        effective_from: Date::from_calendar_date(2021, Month::July, 15).unwrap(),
        change_kind: ChangeKind::Created,
        reason: String::new(),
        repealed: false,
    }
}

fn officer(status: CertificateStatus) -> Officer {
    Officer {
        id: Uuid::nil(),
        agency_id: Uuid::nil(),
        name: "张三".into(),
        id_number: "11010519491231002X".into(),
        certificate_no: "A1".into(),
        categories: vec!["市场监管".into()],
        region: "340100".into(),
        valid_from: Date::from_calendar_date(2024, Month::January, 1).unwrap(),
        valid_to: Date::from_calendar_date(2028, Month::December, 31).unwrap(),
        status,
        legal_qualification: None,
        trainings: vec![],
    }
}

fn d(s: &str) -> EnforcementDomain {
    EnforcementDomain::parse(s).unwrap()
}

#[test]
fn only_valid_certificates_covering_category_and_region_may_act() {
    let day = Date::from_calendar_date(2026, Month::March, 2).unwrap();
    let o = officer(CertificateStatus::Valid);
    let market = d("市场监管");
    assert!(
        o.may_act(market, "340102", day).is_ok(),
        "a city certificate covers its districts"
    );
    let code = |r: Result<(), zhifa_domain::DomainError>| r.unwrap_err().code;
    assert_eq!(
        code(o.may_act(d("生态环境"), "340102", day)),
        "category_not_covered"
    );
    assert_eq!(code(o.may_act(market, "340202", day)), "outside_region");
    assert_eq!(
        code(o.may_act(
            market,
            "340102",
            Date::from_calendar_date(2029, Month::January, 1).unwrap()
        )),
        "certificate_expired"
    );
    assert_eq!(
        code(officer(CertificateStatus::Suspended).may_act(market, "340102", day)),
        "certificate_not_valid"
    );
    assert_eq!(
        officer(CertificateStatus::Revoked)
            .may_act(market, "340102", day)
            .unwrap_err()
            .rule,
        Some("REG-2")
    );
}

/// REG-2: a certificate that has not started yet is not "expired": the officer waits, no renewal
/// is needed, and the message says so.
#[test]
fn a_certificate_not_yet_in_force_is_refused_as_such() {
    let o = officer(CertificateStatus::Valid);
    let before = Date::from_calendar_date(2023, Month::December, 31).unwrap();
    let e = o.may_act(d("市场监管"), "340102", before).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.rule),
        ("certificate_not_yet_valid", Some("REG-2"))
    );
    assert!(e.message.contains("尚未生效"), "{}", e.message);
    let after = Date::from_calendar_date(2029, Month::January, 1).unwrap();
    let e = o.may_act(d("市场监管"), "340102", after).unwrap_err();
    assert!(e.message.contains("到期") && !e.message.contains("尚未生效"));
    // The first and last days of validity are inside it.
    assert!(o.may_act(d("市场监管"), "340102", o.valid_from).is_ok());
    assert!(o.may_act(d("市场监管"), "340102", o.valid_to).is_ok());
}

#[test]
fn domains_are_compared_as_domains_not_spellings() {
    assert_eq!(EnforcementDomain::parse(" 市场监管 "), Some(d("市场监管")));
    assert_eq!(EnforcementDomain::parse("市场监督"), None);
    assert_eq!(
        EnforcementDomain::parse_input("category", "工商")
            .unwrap_err()
            .field
            .as_deref(),
        Some("category")
    );
}

fn team_agency() -> Agency {
    Agency {
        id: Uuid::nil(),
        name: "合肥市市场监督管理局".into(),
        credit_code: String::new(),
        credit_code_override: None,
        kind: AgencyKind::AdministrativeOrgan,
        level: Level::City,
        division_code: "340100".into(),
        parent_id: None,
        domain: "市场监管".into(),
        legal_basis: String::new(),
        path: "/".into(),
    }
}

/// 《中华人民共和国行政处罚法》第四十二条：执法人员不得少于两人；《中华人民共和国行政强制法》第十八条第二项：
/// 由两名以上行政执法人员实施.
#[test]
fn an_enforcement_team_has_at_least_two_distinct_qualified_officers() {
    let day = Date::from_calendar_date(2026, Month::March, 2).unwrap();
    let a = officer(CertificateStatus::Valid);
    let b = Officer {
        id: Uuid::from_u128(2),
        name: "李四".into(),
        ..officer(CertificateStatus::Valid)
    };
    let ag = team_agency();
    let team = decide_enforcement_team(&[&a, &b], &ag, d("市场监管"), "340102", day).unwrap();
    assert_eq!(team, vec![a.id, b.id]);
    // One officer, or the same officer twice, is not a team.
    for officers in [vec![&a], vec![&a, &a], vec![]] {
        let e = decide_enforcement_team(&officers, &ag, d("市场监管"), "340102", day).unwrap_err();
        assert_eq!((e.code.as_str(), e.rule), ("team_too_small", Some("REG-2")));
        assert!(e.message.contains("第四十二条"), "{}", e.message);
    }
    // Two people, but one may not act: the refusal names that one.
    let suspended = Officer {
        status: CertificateStatus::Suspended,
        ..b.clone()
    };
    let e =
        decide_enforcement_team(&[&a, &suspended], &ag, d("市场监管"), "340102", day).unwrap_err();
    assert_eq!(e.code, "certificate_not_valid");
    assert!(e.message.contains("李四"));
    // Officers of another agency do not make up a team of this one.
    let other = Officer {
        agency_id: Uuid::from_u128(77),
        ..b.clone()
    };
    let e = decide_enforcement_team(&[&a, &other], &ag, d("市场监管"), "340102", day).unwrap_err();
    assert_eq!(e.code, "other_agency");
}

#[test]
fn officers_are_shown_masked_unless_the_viewer_may_see_personal_data() {
    let o = officer(CertificateStatus::Valid);
    let viewer = |r: Role| Actor {
        user_id: Uuid::from_u128(5),
        username: "v".into(),
        agency_id: Uuid::nil(),
        roles: vec![r],
    };
    assert_eq!(
        o.view_for(&viewer(Role::Officer)).id_number,
        "110105********002X"
    );
    assert_eq!(o.view_for(&viewer(Role::AgencyHead)).id_number, o.id_number);
}

proptest! {
    /// PUB-5: a masked ID keeps its length, hides the birth date (characters 7–14 of an
    /// 18-digit number) and masking twice changes nothing.
    #[test]
    fn masked_ids_hide_the_birth_date(id in "[0-9]{17}[0-9X]", other in "\\PC{0,30}") {
        let m = zhifa_domain::privacy::mask_id_number(&id);
        prop_assert_eq!(m.chars().count(), 18);
        prop_assert_eq!(&m[..6], &id[..6]);
        prop_assert_eq!(&m[14..], &id[14..]);
        prop_assert!(m[6..14].chars().all(|c| c == '*'), "{}", m);
        prop_assert_eq!(zhifa_domain::privacy::mask_id_number(&m), m.clone());
        let mo = zhifa_domain::privacy::mask_id_number(&other);
        prop_assert_eq!(mo.chars().count(), other.chars().count());
        prop_assert_eq!(zhifa_domain::privacy::mask_id_number(&mo), mo);
    }

    #[test]
    fn masked_mobiles_keep_three_and_four(n in "1[3-9][0-9]{9}") {
        let m = zhifa_domain::privacy::mask_phone(&n);
        prop_assert_eq!(m.len(), 11);
        prop_assert_eq!(&m[..3], &n[..3]);
        prop_assert_eq!(&m[7..], &n[7..]);
        prop_assert_eq!(&m[3..7], "****");
        prop_assert_eq!(zhifa_domain::privacy::mask_phone(&m), m.clone());
    }
}

fn draft(level: &str, division: &str, parent: Option<&Agency>) -> AgencyDraft {
    AgencyDraft {
        name: "测试主体".into(),
        credit_code: "11100000000013127D".into(),
        credit_code_override_reason: None,
        kind: "行政机关".into(),
        level: level.into(),
        division_code: division.into(),
        parent_id: parent.map(|p| p.id),
        domain: "政府".into(),
        legal_basis: String::new(),
    }
}

#[test]
fn agencies_must_fit_their_level_and_parent() {
    let admin = Actor::system();
    let root = decide_register_agency(
        &admin,
        Uuid::from_u128(1),
        &draft("省级", "340000", None),
        None,
    )
    .expect("province");
    assert_eq!(root.path, format!("/{}/", root.id));
    let e = decide_register_agency(
        &admin,
        Uuid::from_u128(2),
        &draft("市级", "340100", None),
        None,
    )
    .unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.code.as_str()),
        (Some("parent_id"), "required")
    );
    let e = decide_register_agency(
        &admin,
        Uuid::from_u128(2),
        &draft("市级", "340102", Some(&root)),
        Some(&root),
    )
    .unwrap_err();
    assert_eq!(e.code, "level_mismatch");
    let e = decide_register_agency(
        &admin,
        Uuid::from_u128(2),
        &draft("市级", "320100", Some(&root)),
        Some(&root),
    )
    .unwrap_err();
    assert_eq!(e.code, "outside_parent");
    let city = decide_register_agency(
        &admin,
        Uuid::from_u128(2),
        &draft("市级", "340100", Some(&root)),
        Some(&root),
    )
    .unwrap();
    assert_eq!(city.path, format!("/{}/{}/", root.id, city.id));
    let e = decide_register_agency(
        &admin,
        Uuid::from_u128(3),
        &draft("省级", "340000", Some(&city)),
        Some(&city),
    )
    .unwrap_err();
    assert_eq!(e.code, "above_parent");
    let person = Actor {
        user_id: Uuid::from_u128(9),
        username: "head".into(),
        agency_id: city.id,
        roles: vec![Role::AgencyHead],
    };
    let e = decide_register_agency(
        &person,
        Uuid::from_u128(4),
        &draft("市级", "340100", Some(&root)),
        Some(&root),
    )
    .unwrap_err();
    assert_eq!(e.code, "forbidden");
}

#[test]
fn accounts_are_enabled_by_the_security_admin_and_tokens_revoked_once() {
    let sec = Actor {
        user_id: Uuid::from_u128(1),
        username: "sec".into(),
        agency_id: Uuid::nil(),
        roles: vec![Role::SecurityAdmin],
    };
    let user = User {
        id: Uuid::from_u128(2),
        username: "u".into(),
        display_name: "用户".into(),
        agency_id: Uuid::nil(),
        roles: vec![Role::Officer],
        officer_id: None,
        active: true,
    };
    assert!(!decide_user_active(&sec, &user, false).unwrap().active);
    let me = User {
        id: sec.user_id,
        ..user.clone()
    };
    assert_eq!(
        decide_user_active(&sec, &me, false).unwrap_err().code,
        "self"
    );
    let admin = Actor {
        roles: vec![Role::SystemAdmin],
        ..sec.clone()
    };
    assert_eq!(
        decide_user_active(&admin, &user, false).unwrap_err().code,
        "forbidden"
    );
    let token = ApiToken {
        id: Uuid::from_u128(3),
        name: "办案系统".into(),
        agency_id: Uuid::nil(),
        roles: vec![Role::Officer],
        created_by: sec.user_id,
        revoked: false,
        expires_at: time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(30_000),
    };
    assert!(decide_revoke_token(&sec, &token).is_ok());
    assert_eq!(
        decide_revoke_token(
            &sec,
            &ApiToken {
                revoked: true,
                ..token.clone()
            }
        )
        .unwrap_err()
        .code,
        "already_revoked"
    );
    assert_eq!(
        decide_revoke_token(&admin, &token).unwrap_err().code,
        "forbidden"
    );
}

// ───────────── evidence (REC-4) ─────────────

mod evidence {
    use super::*;
    use zhifa_domain::evidence::*;

    fn agency() -> Agency {
        Agency {
            id: Uuid::from_u128(9),
            name: "瑶海区市场监督管理局".into(),
            credit_code: String::new(),
            credit_code_override: None,
            kind: AgencyKind::AdministrativeOrgan,
            level: Level::County,
            division_code: "340102".into(),
            parent_id: None,
            domain: "市场监管".into(),
            legal_basis: String::new(),
            path: "/".into(),
        }
    }

    fn kind_strategy() -> impl Strategy<Value = EvidenceKind> {
        prop::sample::select(EvidenceKind::ALL.to_vec())
    }

    proptest! {
        /// Late exactly when audio/video arrives after the 24 hours that start at the next full
        /// hour after recording (民事诉讼法第八十五条: the starting hour is not counted); other
        /// kinds are never late; nothing received is refused for lateness (the record must not
        /// be lost). Times are kept in UTC whatever offset they came with.
        #[test]
        fn lateness_is_24_hours_from_the_next_full_hour_for_av(
            kind in kind_strategy(),
            delay_secs in 0i64..(72 * 3600),
            offset_h in -12i8..=14,
        ) {
            let now = time::macros::datetime!(2026-11-26 02:00 UTC);
            let recorded = (now - time::Duration::seconds(delay_secs))
                .to_offset(time::UtcOffset::from_hms(offset_h, 0, 0).unwrap());
            let media = match kind {
                EvidenceKind::Audio => "audio/mp4",
                EvidenceKind::Video => "video/mp4",
                EvidenceKind::Photo => "image/jpeg",
                _ => "application/pdf",
            };
            let actor = Actor {
                user_id: Uuid::from_u128(1),
                username: "officer".into(),
                agency_id: Uuid::from_u128(9),
                roles: vec![Role::Officer],
            };
            let e = decide_receive_evidence(
                &actor,
                &agency(),
                EvidenceDraft {
                    kind,
                    file_name: "x.bin".into(),
                    media_type: media.into(),
                    recorded_at: Some(recorded),
                    description: String::new(),
                },
                StoredFile { hash_alg: "sm3".into(), hash: "00".repeat(32), size: 1 },
                Uuid::from_u128(3),
                now,
            )
            .unwrap();
            // Whole-hour offsets: an hour starts at a multiple of 3600 s in every zone.
            let r = recorded.unix_timestamp();
            let due = r - r.rem_euclid(3600) + 25 * 3600;
            prop_assert_eq!(e.late, kind.is_av() && now.unix_timestamp() > due);
            prop_assert_eq!(e.recorded_at.unwrap().offset(), time::UtcOffset::UTC);
            prop_assert_eq!(e.recorded_at.unwrap(), recorded);
        }
    }
}
