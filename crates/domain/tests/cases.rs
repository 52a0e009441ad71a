//! The case rules the review of issue 10's first slice found missing, each as a refusal that
//! names the rule (处罚法第四十四、四十五、五十七、五十八、六十四、六十五条) or the field.

use time::Date;
use time::macros::date;
use uuid::Uuid;
use zhifa_calendar::Calendar;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::case::*;
use zhifa_domain::event::Aggregate;
use zhifa_domain::registry::*;

const TODAY: Date = date!(2026 - 06 - 15);
const LATER: Date = date!(2026 - 08 - 03);

fn agency() -> Agency {
    Agency {
        id: Uuid::from_u128(1),
        name: "瑶海区市场监督管理局".into(),
        credit_code: String::new(),
        credit_code_override: None,
        kind: AgencyKind::AdministrativeOrgan,
        level: Level::County,
        division_code: "340102".into(),
        parent_id: None,
        domain: "市场监管".into(),
        legal_basis: String::new(),
        path: "/1/".into(),
    }
}

fn item() -> ItemVersion {
    ItemVersion {
        item_id: Uuid::from_u128(3),
        version: 1,
        code: "CF-1".into(),
        name: "对销售过期食品的处罚".into(),
        category: Category::Penalty,
        domain: "市场监管".into(),
        agency_id: Uuid::from_u128(1),
        legal_bases: vec![],
        procedure: vec![],
        time_limit: String::new(),
        review_body: String::new(),
        litigation: String::new(),
        effective_from: date!(2021 - 07 - 15),
        change_kind: ChangeKind::Created,
        reason: String::new(),
        repealed: false,
    }
}

fn officer(n: u128) -> Officer {
    Officer {
        id: Uuid::from_u128(100 + n),
        agency_id: Uuid::from_u128(1),
        name: format!("执法员{n}"),
        id_number: String::new(),
        certificate_no: format!("YH{n:04}"),
        categories: vec!["市场监管".into()],
        region: "340102".into(),
        valid_from: date!(2024 - 01 - 01),
        valid_to: date!(2029 - 12 - 31),
        status: CertificateStatus::Valid,
        legal_qualification: None,
        trainings: vec![],
    }
}

fn actor(role: Role, agency: u128) -> Actor {
    Actor {
        user_id: Uuid::from_u128(50),
        username: "someone".into(),
        agency_id: Uuid::from_u128(agency),
        roles: vec![role],
    }
}

fn draft(officers: &[&Officer], filed_on: Option<Date>) -> CaseDraft {
    CaseDraft {
        item_id: item().item_id,
        party: PartyDraft {
            kind: Some(PartyKind::Citizen),
            name: "张三".into(),
            id_number: "340102198512124633".into(),
            address: String::new(),
            phone: String::new(),
        },
        committed_on: "2026-06-01".into(),
        ended_on: None,
        grave_harm: false,
        facts: "销售超过保质期的食品".into(),
        officer_ids: officers.iter().map(|o| o.id).collect(),
        filed_on: filed_on.map(format_date),
    }
}

fn file(
    d: &CaseDraft,
    item: &ItemVersion,
    officers: &[&Officer],
) -> Result<Case, zhifa_domain::DomainError> {
    file_with(TODAY, 7, d, item, officers)
}

fn file_on(
    today: Date,
    d: &CaseDraft,
    item: &ItemVersion,
    officers: &[&Officer],
) -> Result<Case, zhifa_domain::DomainError> {
    file_with(today, 30, d, item, officers)
}

fn file_with(
    today: Date,
    back: i64,
    d: &CaseDraft,
    item: &ItemVersion,
    officers: &[&Officer],
) -> Result<Case, zhifa_domain::DomainError> {
    decide_file_case(
        &actor(Role::Officer, 1),
        Uuid::from_u128(9),
        &agency(),
        item,
        officers,
        1,
        d,
        today,
        today - time::Duration::days(back),
    )
}

fn ctx<'a>(cal: &'a Calendar, officers: Vec<&'a Officer>, today: Date) -> StepContext<'a> {
    StepContext {
        officers,
        benchmark: None,
        calendar: cal,
        hearing: HearingThresholds::default(),
        today,
        earliest: today - time::Duration::days(30),
    }
}

/// Takes `action` as `who` and folds its event into the case.
fn take(
    c: Case,
    who: &Actor,
    action: serde_json::Value,
    cal: &Calendar,
    officers: Vec<&Officer>,
) -> Result<Case, zhifa_domain::DomainError> {
    take_on(TODAY, c, who, action, cal, officers)
}

fn take_on(
    today: Date,
    c: Case,
    who: &Actor,
    action: serde_json::Value,
    cal: &Calendar,
    officers: Vec<&Officer>,
) -> Result<Case, zhifa_domain::DomainError> {
    let a: CaseAction = serde_json::from_value(action).unwrap();
    let e = decide_case_action(who, &c, &a, &ctx(cal, officers, today))?;
    Ok(Case::evolve(Some(c), &e).unwrap())
}

#[test]
fn filing_keeps_one_of_each_officer_and_refuses_repealed_items_and_old_dates() {
    let (a, b) = (officer(1), officer(2));
    let c = file(&draft(&[&a, &a, &b], None), &item(), &[&a, &a, &b]).unwrap();
    assert_eq!(c.officer_ids.len(), 2);
    assert_eq!(c.year, TODAY.year());
    let repealed = ItemVersion {
        repealed: true,
        ..item()
    };
    assert_eq!(
        file(&draft(&[&a, &b], None), &repealed, &[&a, &b])
            .unwrap_err()
            .code,
        "repealed"
    );
    let future = ItemVersion {
        effective_from: date!(2026 - 07 - 01),
        ..item()
    };
    assert_eq!(
        file(&draft(&[&a, &b], None), &future, &[&a, &b])
            .unwrap_err()
            .code,
        "not_in_force"
    );
    let e = file(
        &draft(&[&a, &b], Some(TODAY - time::Duration::days(8))),
        &item(),
        &[&a, &b],
    )
    .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("too_old", Some("filed_on"))
    );
}

#[test]
fn only_the_filing_agency_works_its_case_and_the_decision_is_no_heavier_than_the_notice() {
    let cal = Calendar::embedded();
    let (a, b) = (officer(1), officer(2));
    let c = file(
        &draft(&[&a, &b], Some(date!(2026 - 06 - 10))),
        &item(),
        &[&a, &b],
    )
    .unwrap();
    let me = actor(Role::Officer, 1);
    let investigate = serde_json::json!({"action": "investigate", "kind": "inquiry", "on": "2026-06-10",
        "place": "现场", "officer_ids": [a.id, b.id], "summary": "询问当事人"});
    // A same-domain department above reads the case but may not act on it.
    let e = take(
        c.clone(),
        &actor(Role::Officer, 2),
        investigate.clone(),
        &cal,
        vec![&a, &b],
    )
    .unwrap_err();
    assert_eq!(e.code, "forbidden");
    let c = take(c, &me, investigate, &cal, vec![&a, &b]).unwrap();
    let c = take(
        c,
        &me,
        serde_json::json!({"action": "notify", "on": "2026-06-10",
        "proposed": [{"kind": "fine", "fen": 100_000}], "facts": "事实", "basis": "依据"}),
        &cal,
        vec![],
    )
    .unwrap();
    let c = take(
        c,
        &me,
        serde_json::json!({"action": "statement", "on": "2026-06-11", "waived": true}),
        &cal,
        vec![],
    )
    .unwrap();
    let head = actor(Role::AgencyHead, 1);
    let decide = |sanctions: serde_json::Value| {
        serde_json::json!({"action": "decide", "on": "2026-06-12",
        "sanctions": sanctions, "severity": "general", "reasons": "违法事实清楚"})
    };
    for heavier in [
        serde_json::json!([{"kind": "fine", "fen": 100_001}]),
        serde_json::json!([{"kind": "fine", "fen": 100_000}, {"kind": "licence_action"}]),
    ] {
        let e = take(c.clone(), &head, decide(heavier), &cal, vec![]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.field.as_deref()),
            ("heavier_than_notice", Some("sanctions"))
        );
        assert!(e.message.contains("第四十四条"), "{}", e.message);
    }
    let lighter = take(
        c.clone(),
        &head,
        decide(serde_json::json!([{"kind": "fine", "fen": 80_000}])),
        &cal,
        vec![],
    )
    .unwrap();
    assert_eq!(lighter.progress.fine_fen, 80_000);
    // No step dated before the one before it.
    let e = take(
        lighter,
        &me,
        serde_json::json!({"action": "serve", "on": "2026-06-11", "method": "direct"}),
        &cal,
        vec![],
    )
    .unwrap_err();
    assert_eq!(e.code, "before_previous_step");
}

#[test]
fn a_hearing_asked_for_is_held_seven_working_days_on_by_a_non_investigator_and_then_reviewed() {
    let cal = Calendar::embedded();
    let (a, b, third, chair) = (officer(1), officer(2), officer(3), officer(4));
    let c = file_on(
        LATER,
        &draft(&[&a, &b], Some(date!(2026 - 07 - 20))),
        &item(),
        &[&a, &b],
    )
    .unwrap();
    let me = actor(Role::Officer, 1);
    let c = take_on(
        LATER,
        c,
        &me,
        serde_json::json!({"action": "investigate", "kind": "inspection", "on": "2026-07-20",
        "place": "现场", "officer_ids": [a.id, third.id], "summary": "检查"}),
        &cal,
        vec![&a, &third],
    )
    .unwrap();
    let c = take_on(
        LATER,
        c,
        &me,
        serde_json::json!({"action": "notify", "on": "2026-07-20",
        "proposed": [{"kind": "fine", "fen": 5_000_000}], "facts": "事实", "basis": "依据"}),
        &cal,
        vec![],
    )
    .unwrap();
    assert!(c.progress.hearing_right, "50,000 yuan on a citizen");
    let c = take_on(
        LATER,
        c,
        &me,
        serde_json::json!({"action": "request_hearing", "on": "2026-07-21"}),
        &cal,
        vec![],
    )
    .unwrap();
    // A waiver now would drop the hearing silently.
    let e = take_on(
        LATER,
        c.clone(),
        &me,
        serde_json::json!({"action": "statement", "on": "2026-07-22", "waived": true}),
        &cal,
        vec![],
    )
    .unwrap_err();
    assert_eq!(e.code, "hearing_pending");
    let hearing = |on: &str, chair: &Officer| serde_json::json!({"action": "hearing", "on": on, "chair_id": chair.id, "summary": "听证笔录"});
    let e = take_on(
        LATER,
        c.clone(),
        &me,
        hearing("2026-07-24", &chair),
        &cal,
        vec![&chair],
    )
    .unwrap_err();
    assert_eq!(e.code, "hearing_too_soon");
    let e = take_on(
        LATER,
        c.clone(),
        &me,
        hearing("2026-07-31", &third),
        &cal,
        vec![&third],
    )
    .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("chair_investigated", Some("chair_id"))
    );
    let c = take_on(
        LATER,
        c,
        &me,
        hearing("2026-07-31", &chair),
        &cal,
        vec![&chair],
    )
    .unwrap();
    assert!(
        c.progress.needs_review,
        "第五十八条（二）: heard, so reviewed"
    );
    let e = take_on(LATER, c, &actor(Role::AgencyHead, 1), serde_json::json!({"action": "decide", "on": "2026-07-31",
        "sanctions": [{"kind": "fine", "fen": 5_000_000}], "severity": "general", "reasons": "理由"}), &cal, vec![]).unwrap_err();
    assert_eq!((e.code.as_str(), e.rule), ("review_missing", Some("REV-6")));
}

/// DL-3: the deadlines each step starts and meets — the decision's 90 days from filing
/// (第六十条), service within 7 working days of the decision (第六十一条), payment within 15 days
/// of service when a fine is owed (第六十七条), met by the payment that clears it.
#[test]
fn each_step_opens_and_meets_the_deadlines_its_article_sets() {
    let cal = Calendar::embedded();
    let (a, b) = (officer(1), officer(2));
    let me = actor(Role::Officer, 1);
    let head = actor(Role::AgencyHead, 1);
    let step = |c: Case, who: &Actor, v: serde_json::Value, officers: Vec<&Officer>| {
        let action: CaseAction = serde_json::from_value(v).unwrap();
        let e = decide_case_action(who, &c, &action, &ctx(&cal, officers, TODAY)).unwrap();
        let after = Case::evolve(Some(c), &e).unwrap();
        let changes = duty_changes(&after, &e);
        (after, changes)
    };
    let worked_to_decision = |sanctions: serde_json::Value| {
        let c = file(
            &draft(&[&a, &b], Some(date!(2026 - 06 - 10))),
            &item(),
            &[&a, &b],
        )
        .unwrap();
        assert_eq!(
            duty_changes(&c, &filed_event(&c)),
            vec![DutyChange::Open {
                rule: DECISION_RULE,
                title: format!("作出行政处罚决定（{}）", c.case_no),
                from: date!(2026 - 06 - 10),
            }]
        );
        let (c, none) = step(
            c,
            &me,
            serde_json::json!({"action": "investigate", "kind": "inquiry", "on": "2026-06-10",
                "place": "现场", "officer_ids": [a.id, b.id], "summary": "询问当事人"}),
            vec![&a, &b],
        );
        assert!(none.is_empty());
        let (c, none) = step(
            c,
            &me,
            serde_json::json!({"action": "notify", "on": "2026-06-10", "proposed": sanctions,
                "facts": "事实", "basis": "依据"}),
            vec![],
        );
        assert!(none.is_empty());
        let (c, _) = step(
            c,
            &me,
            serde_json::json!({"action": "statement", "on": "2026-06-11", "waived": true}),
            vec![],
        );
        let (c, changes) = step(
            c,
            &head,
            serde_json::json!({"action": "decide", "on": "2026-06-12", "sanctions": sanctions,
                "severity": "general", "reasons": "违法事实清楚"}),
            vec![],
        );
        assert_eq!(
            changes,
            vec![
                DutyChange::Meet {
                    rule: DECISION_RULE,
                    on: date!(2026 - 06 - 12)
                },
                DutyChange::Open {
                    rule: SERVICE_RULE,
                    title: format!("送达行政处罚决定书（{}）", c.case_no),
                    from: date!(2026 - 06 - 12),
                },
            ]
        );
        c
    };
    let c = worked_to_decision(serde_json::json!([{"kind": "fine", "fen": 100_000}]));
    let (c, changes) = step(
        c,
        &me,
        serde_json::json!({"action": "serve", "on": "2026-06-15", "method": "post"}),
        vec![],
    );
    assert_eq!(
        changes,
        vec![
            DutyChange::Meet {
                rule: SERVICE_RULE,
                on: date!(2026 - 06 - 15)
            },
            DutyChange::Open {
                rule: PAYMENT_RULE,
                title: format!("缴纳罚款（{}）", c.case_no),
                from: date!(2026 - 06 - 15),
            },
        ]
    );
    let (c, part) = step(
        c,
        &me,
        serde_json::json!({"action": "pay", "on": "2026-06-15", "fen": 40_000}),
        vec![],
    );
    assert!(part.is_empty(), "a part payment meets nothing: {part:?}");
    let (_, cleared) = step(
        c,
        &me,
        serde_json::json!({"action": "pay", "on": "2026-06-15", "fen": 60_000}),
        vec![],
    );
    assert_eq!(
        cleared,
        vec![DutyChange::Meet {
            rule: PAYMENT_RULE,
            on: date!(2026 - 06 - 15)
        }]
    );
    // A warning owes nothing: service opens no payment deadline.
    let c = worked_to_decision(serde_json::json!([{"kind": "warning"}]));
    let (_, changes) = step(
        c,
        &me,
        serde_json::json!({"action": "serve", "on": "2026-06-12", "method": "direct"}),
        vec![],
    );
    assert_eq!(
        changes,
        vec![DutyChange::Meet {
            rule: SERVICE_RULE,
            on: date!(2026 - 06 - 12)
        }]
    );
    assert_eq!(
        met_at(date!(2026 - 06 - 12)),
        time::macros::datetime!(2026-06-12 4:00 UTC),
        "met at noon in Beijing"
    );
}

/// 不予行政处罚 (第三十三条): the agency head's, on the facts recorded, with no notice before it;
/// served like any decision, it leaves nothing to pay, and the case closes.
#[test]
fn a_decision_not_to_punish_follows_the_facts_and_leaves_nothing_to_pay() {
    let cal = Calendar::embedded();
    let (a, b) = (officer(1), officer(2));
    let me = actor(Role::Officer, 1);
    let head = actor(Role::AgencyHead, 1);
    let c = file(
        &draft(&[&a, &b], Some(date!(2026 - 06 - 10))),
        &item(),
        &[&a, &b],
    )
    .unwrap();
    let not_punish = serde_json::json!({"action": "decide_no_penalty", "on": "2026-06-11",
        "ground": "minor_corrected", "reasons": "违法行为轻微并已及时改正，没有造成危害后果"});
    let e = take(c.clone(), &head, not_punish.clone(), &cal, vec![]).unwrap_err();
    assert_eq!(e.code, "record_missing", "{}", e.message);
    let c = take(
        c,
        &me,
        serde_json::json!({"action": "investigate", "kind": "inspection", "on": "2026-06-10",
            "place": "现场", "officer_ids": [a.id, b.id], "summary": "现场检查"}),
        &cal,
        vec![&a, &b],
    )
    .unwrap();
    assert!(
        c.progress
            .next_steps(&cal, TODAY)
            .contains(&Step::DecideNoPenalty)
    );
    let e = take(c.clone(), &me, not_punish.clone(), &cal, vec![]).unwrap_err();
    assert_eq!(e.code, "forbidden", "an officer does not decide");
    let c = take(c, &head, not_punish, &cal, vec![]).unwrap();
    assert_eq!(c.stage(), Stage::Service);
    assert_eq!(
        c.no_penalty.as_ref().map(|n| n.ground),
        Some(NoPenaltyGround::MinorCorrected)
    );
    assert!(c.decision.is_none());
    let steps = c.progress.next_steps(&cal, TODAY);
    assert!(!steps.contains(&Step::Decide) && !steps.contains(&Step::DecideNoPenalty));
    let c = take(
        c,
        &me,
        serde_json::json!({"action": "serve", "on": "2026-06-12", "method": "direct"}),
        &cal,
        vec![],
    )
    .unwrap();
    let e = take(
        c.clone(),
        &me,
        serde_json::json!({"action": "pay", "on": "2026-06-12", "fen": 100}),
        &cal,
        vec![],
    )
    .unwrap_err();
    assert_eq!(e.code, "no_fine");
    let c = take(
        c,
        &me,
        serde_json::json!({"action": "close", "on": "2026-06-12", "summary": "不予处罚，结案"}),
        &cal,
        vec![],
    )
    .unwrap();
    assert_eq!(c.stage(), Stage::Closed);
}

/// DL-4: a hearing suspends the decision deadline from its request and resumes it when held.
#[test]
fn a_hearing_suspends_the_decision_deadline_from_request_to_hearing() {
    let (a, b) = (officer(1), officer(2));
    let c = file(
        &draft(&[&a, &b], Some(date!(2026 - 06 - 10))),
        &item(),
        &[&a, &b],
    )
    .unwrap();
    let requested = zhifa_domain::Event::HearingRequested {
        case_id: c.id,
        on: date!(2026 - 06 - 12),
    };
    assert_eq!(
        duty_changes(&c, &requested),
        vec![DutyChange::Suspend {
            rule: DECISION_RULE,
            from: date!(2026 - 06 - 12),
            reason: HEARING_SUSPENSION,
        }]
    );
    let held = zhifa_domain::Event::HearingHeld {
        case_id: c.id,
        on: date!(2026 - 06 - 24),
        chair_id: Uuid::from_u128(77),
        summary: "听证".into(),
    };
    assert_eq!(
        duty_changes(&c, &held),
        vec![DutyChange::Resume {
            rule: DECISION_RULE,
            on: date!(2026 - 06 - 24),
        }]
    );
}
