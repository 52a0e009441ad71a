//! The demo's enforcement cases (issue 10): penalty cases of the demo officer's agency at every
//! stage of the ordinary procedure, filed and worked by the demo officer and decided by the demo
//! head through the same services as the console, with dates in the past — and the ones a
//! supervisor should find: a decision near its 90 days, one past them, a fine outside the
//! benchmark with its reason.

use anyhow::{Context, Result, bail};
use serde_json::json;
use uuid::Uuid;
use zhifa_domain::case::CaseAction;
use zhifa_server::AppState;
use zhifa_server::service;

/// (days since filing, the last step taken, whether the fine lies outside the benchmark), the
/// oldest filing first so the numbers follow the filing dates.
const PLAN: &[(i64, &str, bool)] = &[
    (97, "investigate", false),
    (86, "statement", false),
    (75, "archive", false),
    (60, "archive", false),
    (40, "close", false),
    (25, "serve", true),
    (20, "decide", false),
    (9, "notify", false),
    (5, "investigate", false),
    (2, "filed", false),
];

const ORDER: &[&str] = &[
    "filed",
    "investigate",
    "notify",
    "statement",
    "decide",
    "serve",
    "pay",
    "close",
    "archive",
];

const PARTIES: &[(&str, &str)] = &[
    ("王晓东", "19790315"),
    ("陈丽华", "19850722"),
    ("刘建国", "19680109"),
    ("赵雪梅", "19920430"),
    ("孙志强", "19751118"),
    ("周婷", "19880605"),
    ("吴海涛", "19830927"),
    ("郑小燕", "19900212"),
    ("冯伟", "19710830"),
    ("何静", "19950108"),
];

fn resident_id(division: &str, birth: &str, seq: u32) -> String {
    let body = format!("{division}{birth}{seq:03}");
    format!(
        "{body}{}",
        zhifa_ident::id_check_digit(&body).expect("17 digits")
    )
}

fn fail(e: service::ServiceError) -> anyhow::Error {
    let e = zhifa_server::error::ApiError::from(e);
    anyhow::anyhow!("{} ({:?})", e.body.message, e.body.field)
}

/// Files and works the demo cases; returns how many.
pub(crate) async fn seed_demo_cases(st: &AppState) -> Result<usize> {
    let user_of = async |name: &str| -> Result<_> {
        let u = st
            .store
            .user_by_username(name)
            .await?
            .with_context(|| format!("the demo has its {name} account"))?;
        zhifa_server::auth::acting_as(st, &u)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.body.message))
    };
    let officer = user_of("officer").await?;
    let head = user_of("head").await?;
    let agency = officer.agency.clone();
    let today = service::today_cst();
    let domain = zhifa_domain::registry::EnforcementDomain::parse(&agency.domain)
        .context("the officer's agency has a domain")?;
    let team: Vec<Uuid> = st
        .store
        .officers(
            &officer.scope,
            &zhifa_store::OfficerFilter::of_agency(agency.id),
            &zhifa_store::Page::first(100),
        )
        .await?
        .items
        .into_iter()
        .filter(|o| o.may_act(domain, &agency.division_code, today).is_ok())
        .map(|o| o.id)
        .take(2)
        .collect();
    if team.len() < 2 {
        bail!("the demo officer's agency needs two officers with valid certificates");
    }
    let mut with_benchmark = None;
    let mut any_item = None;
    for item in st
        .store
        .item_rows(
            &officer.scope,
            &zhifa_store::ItemFilter {
                category: Some("penalty".into()),
                agency_id: Some(agency.id),
                as_of: None,
            },
            &zhifa_store::Page::first(100),
        )
        .await?
        .items
    {
        any_item.get_or_insert(item.item_id);
        if let Some(b) = st.store.benchmark(item.item_id).await?
            && b.entries
                .iter()
                .any(|e| e.severity == zhifa_domain::registry::Severity::General)
        {
            with_benchmark = Some((item.item_id, b));
            break;
        }
    }
    let (item_id, benchmark) = match with_benchmark {
        Some((id, b)) => (id, Some(b)),
        None => (any_item.context("the agency lists a penalty item")?, None),
    };
    let general = benchmark.as_ref().and_then(|b| {
        b.entries
            .iter()
            .find(|e| e.severity == zhifa_domain::registry::Severity::General)
            .cloned()
    });
    let date = |d: time::Date| zhifa_domain::registry::format_date(d);
    for (n, (age, last, outside)) in PLAN.iter().enumerate() {
        let filed = today - time::Duration::days(*age);
        let (name, birth) = PARTIES[n % PARTIES.len()];
        let draft: zhifa_domain::case::CaseDraft = serde_json::from_value(json!({
            "item_id": item_id,
            "party": {"kind": "citizen", "name": name,
                      "id_number": resident_id(&agency.division_code, birth, 100 + n as u32),
                      "address": format!("{}某街道 {} 号", agency.name.trim_end_matches("市场监督管理局"), 10 + n),
                      "phone": format!("139{:08}", 10_000_000 + n * 7_919)},
            "committed_on": date(filed - time::Duration::days(3)),
            "facts": "经营场所销售超过保质期的食品",
            "officer_ids": team,
            "filed_on": date(filed),
        }))?;
        let case = service::file_case(st, &officer, &draft)
            .await
            .map_err(fail)?;
        let upto = ORDER.iter().position(|s| s == last).unwrap_or(0);
        // A fine within the benchmark's range, or above it with the reason recorded.
        let fine = match (&general, outside) {
            (Some(g), false) => (g.min_fine_fen + g.max_fine_fen) / 2,
            (Some(g), true) => g.max_fine_fen + 100_000,
            (None, _) => 500_000,
        }
        .max(10_000);
        // Each step's day: the decision after the hearing-request period (5 working days after
        // the notice) whatever the fine, the rest after it. A step that would fall after
        // today is not taken.
        let days = |n: i64| filed + time::Duration::days(n);
        let noticed = days(3);
        let decided = st
            .calendar()
            .add_workdays(noticed, 5)
            .map(|d| d + time::Duration::days(1))
            .unwrap_or(days(14))
            .max(days(4));
        let after = |n: i64| decided + time::Duration::days(n);
        for step in ORDER.iter().skip(1).take(upto) {
            let when = match *step {
                "investigate" => days(1),
                "notify" => noticed,
                "statement" => days(4),
                "decide" => decided,
                "serve" => after(1),
                "pay" => after(4),
                "close" => after(5),
                _ => after(10),
            };
            if when > today {
                break;
            }
            let on = date(when);
            let (actor, action) = match *step {
                "investigate" => (
                    &officer,
                    json!({"action": "investigate", "kind": "inspection", "on": on,
                    "place": "当事人经营场所", "officer_ids": team, "summary": "现场检查发现超过保质期的食品若干"}),
                ),
                "notify" => (
                    &officer,
                    json!({"action": "notify", "on": on, "proposed": [{"kind": "fine", "fen": fine}],
                    "facts": "销售超过保质期的食品", "basis": "《中华人民共和国食品安全法》第一百二十四条"}),
                ),
                "statement" => (
                    &officer,
                    json!({"action": "statement", "on": on, "summary": "当事人对违法事实无异议"}),
                ),
                "decide" => (&head, {
                    let mut d = json!({"action": "decide", "on": on, "sanctions": [{"kind": "fine", "fen": fine}],
                        "severity": "general", "reasons": "违法事实清楚，证据确凿，依据充分"});
                    if *outside {
                        d["departure_reason"] = json!("当事人一年内第三次同类违法，依法从重处罚");
                    }
                    d
                }),
                "serve" => (
                    &officer,
                    json!({"action": "serve", "on": on, "method": "direct"}),
                ),
                "pay" => (&officer, json!({"action": "pay", "on": on, "fen": fine})),
                "close" => (
                    &officer,
                    json!({"action": "close", "on": on, "summary": "罚款已缴清，执行完毕"}),
                ),
                _ => (&officer, json!({"action": "archive", "on": on})),
            };
            let action: CaseAction = serde_json::from_value(action)?;
            service::case_action(st, actor, case.id, &action)
                .await
                .map_err(fail)
                .with_context(|| format!("demo case {} at {step}", case.case_no))?;
        }
    }
    Ok(PLAN.len())
}
