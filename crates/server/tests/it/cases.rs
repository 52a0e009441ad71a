//! Enforcement cases (issue 10, REC-1) through the API: an officer files a penalty case with
//! two certified officers, records the investigation, serves the notice, records the
//! statement; the agency head decides within the benchmark; the officer serves, records the
//! payment, closes and archives. Every refusal on the way names the rule or the field, and
//! writes nothing.

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A penalty item of 瑶海区市场监管局 with a benchmark, and a second officer there.
async fn setup(app: &TestApp) -> (String, String) {
    let head = app.login("head").await;
    let (st, item) = head
        .post(
            "/api/v1/items",
            &json!({"code": "CF-SCJG-009", "name": "对销售超过保质期食品的处罚", "category": "penalty", "domain": "市场监管",
                    "agency_id": app.fx.yaohai_market.id,
                    "legal_bases": ["《中华人民共和国食品安全法》第一百二十四条"],
                    "procedure": ["立案", "调查取证", "告知", "决定", "送达"], "time_limit": "九十日",
                    "review_body": "瑶海区人民政府", "effective_from": "2021-07-15"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{item}");
    let item_id = item["item_id"].as_str().unwrap().to_string();
    let (st, b) = head
        .put(
            &format!("/api/v1/items/{item_id}/discretion"),
            &json!({"entries": [{"severity": "general", "circumstance": "首次违法", "min_fine_fen": 500_000,
                                 "max_fine_fen": 2_000_000, "other_measures": ""}]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let second = officer(&app.store, &app.fx.yaohai_market, "YH0002", 3).await;
    (item_id, second.id.to_string())
}

/// Another officer of 瑶海区市场监管局 with a valid certificate.
async fn officer_in(app: &TestApp, cert: &str, seq: u32) -> String {
    officer(&app.store, &app.fx.yaohai_market, cert, seq)
        .await
        .id
        .to_string()
}

fn draft(item: &str, officers: &[&str], committed_on: &str) -> Value {
    json!({"item_id": item,
           "party": {"kind": "citizen", "name": "张三", "id_number": "340102198512124633",
                     "address": "合肥市瑶海区长江东路 100 号", "phone": "13912345678"},
           "committed_on": committed_on, "facts": "销售超过保质期的食品 12 件",
           "officer_ids": officers,
           "filed_on": null, "ended_on": null, "grave_harm": false})
}

async fn an_officer_runs_a_penalty_case_from_filing_to_archive(engine: Engine) {
    let app = spawn_app(engine).await;
    let (item, second) = setup(&app).await;
    let first = app.fx.yaohai_officer.id.to_string();
    let officer = app.login("officer").await;
    let today = zhifa_server::service::today_cst();
    let day = |n: i64| zhifa_domain::registry::format_date(today - time::Duration::days(n));
    let events = app.store.event_count().await.unwrap();
    // Refusals at filing: one officer alone, a bad ID number, an offence past limitation.
    let alone = officer
        .post("/api/v1/cases", &draft(&item, &[&first], &day(30)))
        .await;
    assert_error(
        &alone,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_few_officers",
        Some("officer_ids"),
    );
    let mut bad_id = draft(&item, &[&first, &second], &day(30));
    bad_id["party"]["id_number"] = json!("340102198512124634");
    let r = officer.post("/api/v1/cases", &bad_id).await;
    assert_eq!(r.1["field"], "party.id_number", "{}", r.1);
    let old = officer
        .post(
            "/api/v1/cases",
            &draft(&item, &[&first, &second], &day(3 * 365)),
        )
        .await;
    assert_error(
        &old,
        StatusCode::UNPROCESSABLE_ENTITY,
        "limitation_expired",
        Some("offence.committed_on"),
    );
    assert!(old.1["message"].as_str().unwrap().contains("第三十六条"));
    assert_eq!(
        app.store.event_count().await.unwrap(),
        events,
        "nothing written"
    );

    // 立案: numbered, with its 90-day decision deadline.
    let (st, case) = officer
        .post("/api/v1/cases", &draft(&item, &[&first, &second], &day(30)))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    let year = today.year();
    assert_eq!(case["case_no"], format!("〔{year}〕1号"));
    assert_eq!(case["stage"], "filed");
    assert_eq!(case["deadlines"][0]["rule_id"], "penalty.decision");
    // The filing officer is one of the case's officers: it needs to know whom it serves, so
    // the party is in clear for it, in the case and its records (privacy::sees_party).
    assert_eq!(case["party"]["id_number"], "340102198512124633", "{case}");
    assert!(case["timeline"].to_string().contains("19851212"));
    let id = case["id"].as_str().unwrap().to_string();
    // A supervisor above reads it masked, the case and its records alike.
    let (st, above) = app
        .login("supervisor")
        .await
        .get_json(&format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{above}");
    assert!(!above.to_string().contains("19851212"), "{above}");
    // So does an officer of the agency who is not on the case: the filer of a case worked by
    // two colleagues.
    let third = officer_in(&app, "YH0003", 4).await;
    let (st, others) = officer
        .post("/api/v1/cases", &draft(&item, &[&second, &third], &day(30)))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{others}");
    assert!(!others.to_string().contains("19851212"), "{others}");
    let (_, again) = officer
        .get_json(&format!("/api/v1/cases/{}", others["id"].as_str().unwrap()))
        .await;
    assert!(!again.to_string().contains("19851212"), "{again}");
    // One endpoint per step; the bodies here say which with `action` (ignored by the API).
    let endpoint = |body: &Value| {
        let each = match body["action"].as_str().unwrap() {
            "investigate" => "investigations",
            "notify" => "notices",
            "statement" => "statements",
            "decide" => "decisions",
            "serve" => "services",
            "pay" => "payments",
            "close" => "closing",
            _ => "archiving",
        };
        format!("/api/v1/cases/{id}/{each}")
    };
    let step = |body: Value| {
        let officer = &officer;
        let path = endpoint(&body);
        async move { officer.post(&path, &body).await }
    };
    let t = day(0);
    // Out of order: no notice before the investigation is recorded.
    let r = step(
        json!({"action": "notify", "on": t, "proposed": [{"kind": "fine", "fen": 800_000}],
                        "facts": "销售过期食品", "basis": "食品安全法第一百二十四条"}),
    )
    .await;
    assert_error(&r, StatusCode::CONFLICT, "record_missing", Some("step"));
    let r = step(
        json!({"action": "investigate", "kind": "inspection", "on": t, "place": "长江东路 100 号",
                        "officer_ids": [first, second], "summary": "现场检查发现过期食品 12 件"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["stage"], "investigation");
    let r = step(
        json!({"action": "notify", "on": t, "proposed": [{"kind": "fine", "fen": 800_000}],
                        "facts": "销售过期食品", "basis": "食品安全法第一百二十四条"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // The statement period runs: the head cannot decide yet; then the party states.
    let head = app.login("head").await;
    let decide = json!({"action": "decide", "on": t, "sanctions": [{"kind": "fine", "fen": 800_000}],
                        "severity": "general", "reasons": "违法事实清楚，证据确凿"});
    let r = head
        .post(&format!("/api/v1/cases/{id}/decisions"), &decide)
        .await;
    assert_error(
        &r,
        StatusCode::CONFLICT,
        "statement_period_running",
        Some("step"),
    );
    let r = officer
        .post(&format!("/api/v1/cases/{id}/decisions"), &decide)
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "only the head decides: {}", r.1);
    let r = step(json!({"action": "statement", "on": t, "summary": "当事人承认违法事实"})).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Heavier than the notice: refused (a new notice first, 第四十四条、第四十五条).
    let mut high = decide.clone();
    high["sanctions"] = json!([{"kind": "fine", "fen": 3_000_000}]);
    let r = head
        .post(&format!("/api/v1/cases/{id}/decisions"), &high)
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "heavier_than_notice",
        Some("sanctions"),
    );
    // Below the benchmark's range without a reason: refused, naming REG-6.
    let mut low = decide.clone();
    low["sanctions"] = json!([{"kind": "fine", "fen": 300_000}]);
    let r = head
        .post(&format!("/api/v1/cases/{id}/decisions"), &low)
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_benchmark",
        Some("departure_reason"),
    );
    let (st, decided) = head
        .post(&format!("/api/v1/cases/{id}/decisions"), &decide)
        .await;
    assert_eq!(st, StatusCode::OK, "{decided}");
    assert_eq!(decided["stage"], "service");
    assert_eq!(decided["decision"]["fit"], "within");
    // DL-3: the decision meets the 90 days (第六十条) and opens service (第六十一条).
    assert_eq!(duty(&decided, "penalty.decision"), "met", "{decided}");
    assert_eq!(duty(&decided, "penalty.service"), "open", "{decided}");
    // Electronic service only with consent.
    let r = step(json!({"action": "serve", "on": t, "method": "electronic"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_consent",
        Some("consent"),
    );
    let r = step(json!({"action": "serve", "on": t, "method": "direct"})).await;
    assert_eq!(r.1["stage"], "execution", "{}", r.1);
    // Service meets its 7 working days and opens the 15 days to pay (第六十七条).
    assert_eq!(duty(&r.1, "penalty.service"), "met", "{}", r.1);
    assert_eq!(duty(&r.1, "penalty.payment"), "open", "{}", r.1);
    let r = step(json!({"action": "close", "on": t, "summary": "执行完毕"})).await;
    assert_error(&r, StatusCode::CONFLICT, "unpaid", Some("step"));
    let r = step(json!({"action": "pay", "on": t, "fen": 900_000})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_amount",
        Some("fen"),
    );
    let r = step(json!({"action": "pay", "on": t, "fen": 300_000})).await;
    assert_eq!(r.1["paid_fen"], 300_000, "{}", r.1);
    assert_eq!(
        duty(&r.1, "penalty.payment"),
        "open",
        "a part payment leaves it open"
    );
    let r = step(json!({"action": "pay", "on": t, "fen": 500_000})).await;
    assert_eq!(r.1["paid_fen"], 800_000, "{}", r.1);
    assert_eq!(duty(&r.1, "penalty.payment"), "met", "{}", r.1);
    let r = step(json!({"action": "close", "on": t, "summary": "罚款已缴清，执行完毕"})).await;
    assert_eq!(r.1["stage"], "closed", "{}", r.1);
    let (_, archived) = step(json!({"action": "archive", "on": t})).await;
    assert_eq!(archived["stage"], "archived");
    assert!(archived["next_steps"].as_array().unwrap().is_empty());
    // A step's answer carries the record it added; the case itself carries them all.
    assert_eq!(archived["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(archived["timeline"][0]["kind"], "CaseArchived");
    let (_, whole) = officer.get_json(&format!("/api/v1/cases/{id}")).await;
    let kinds: Vec<&str> = whole["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "CaseFiled",
            "InvestigationRecorded",
            "PenaltyNoticeServed",
            "StatementRecorded",
            "PenaltyDecided",
            "DecisionServed",
            "FinePaid",
            "FinePaid",
            "CaseClosed",
            "CaseArchived"
        ]
    );
    // The next filing takes the next number; the work list shows open cases first.
    let (_, second_case) = officer
        .post("/api/v1/cases", &draft(&item, &[&first, &second], &day(10)))
        .await;
    assert_eq!(second_case["case_no"], format!("〔{year}〕3号"));
    let (_, list) = officer.get_json("/api/v1/cases").await;
    let nos: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_no"].as_str().unwrap())
        .collect();
    assert_eq!(
        nos,
        [
            format!("〔{year}〕2号"),
            format!("〔{year}〕3号"),
            format!("〔{year}〕1号")
        ]
    );
    // Another county's officer does not see it; the administrators do not read cases.
    let (st, _) = app
        .login("officer2")
        .await
        .get_json(&format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app
        .login("sysadmin")
        .await
        .get_json(&format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The head may see personal data: the party in clear.
    let (_, seen) = head.get_json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen["party"]["id_number"], "340102198512124633");
}
both!(an_officer_runs_a_penalty_case_from_filing_to_archive);

/// 不予行政处罚 (第三十三条): decided by the agency head on the facts found, without a notice; it
/// meets the 90 days and opens service like a penalty, and the case closes with nothing to pay.
async fn a_case_decided_not_to_punish_takes_no_notice_and_closes_without_payment(engine: Engine) {
    let app = spawn_app(engine).await;
    let (item, second) = setup(&app).await;
    let first = app.fx.yaohai_officer.id.to_string();
    let officer = app.login("officer").await;
    let head = app.login("head").await;
    let t = zhifa_domain::registry::format_date(zhifa_server::service::today_cst());
    let (_, case) = officer
        .post("/api/v1/cases", &draft(&item, &[&first, &second], &t))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let path = |each: &str| format!("/api/v1/cases/{id}/{each}");
    let no_penalty =
        json!({"on": t, "ground": "first_minor", "reasons": "初次违法，危害后果轻微，已当场改正"});
    // Not before the facts are recorded.
    let r = head.post(&path("no-penalty-decisions"), &no_penalty).await;
    assert_error(&r, StatusCode::CONFLICT, "record_missing", Some("step"));
    let (st, _) = officer
        .post(
            &path("investigations"),
            &json!({"kind": "inquiry", "on": t, "place": "现场", "officer_ids": [first, second],
                    "summary": "询问当事人，当事人承认并已改正"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let events = app.store.event_count().await.unwrap();
    // The head's decision (第五十七条), a ground the law names, reasons written.
    let r = officer
        .post(&path("no-penalty-decisions"), &no_penalty)
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);
    let mut unnamed = no_penalty.clone();
    unnamed["ground"] = json!("sympathy");
    let r = head.post(&path("no-penalty-decisions"), &unnamed).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.1);
    let mut silent = no_penalty.clone();
    silent["reasons"] = json!(" ");
    let r = head.post(&path("no-penalty-decisions"), &silent).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required",
        Some("reasons"),
    );
    assert_eq!(
        app.store.event_count().await.unwrap(),
        events,
        "nothing written"
    );
    let (st, decided) = head.post(&path("no-penalty-decisions"), &no_penalty).await;
    assert_eq!(st, StatusCode::OK, "{decided}");
    assert_eq!(decided["stage"], "service");
    assert_eq!(decided["no_penalty"]["ground"], "first_minor");
    assert!(decided["decision"].is_null());
    assert_eq!(decided["timeline"][0]["kind"], "NoPenaltyDecided");
    assert_eq!(duty(&decided, "penalty.decision"), "met");
    assert_eq!(duty(&decided, "penalty.service"), "open");
    // No second decision, no notice afterwards; served, it closes without a payment.
    let r = head
        .post(
            &path("decisions"),
            &json!({"on": t, "sanctions": [{"kind": "warning"}], "severity": "general", "reasons": "x"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::CONFLICT, "{}", r.1);
    let (_, served) = officer
        .post(&path("services"), &json!({"on": t, "method": "direct"}))
        .await;
    assert_eq!(duty(&served, "penalty.service"), "met");
    assert!(
        served["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule_id"] != "penalty.payment"),
        "nothing to pay: {served}"
    );
    let r = officer
        .post(&path("payments"), &json!({"on": t, "fen": 100}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "no_fine", Some("step"));
    let (_, closed) = officer
        .post(
            &path("closing"),
            &json!({"on": t, "summary": "不予处罚，结案"}),
        )
        .await;
    assert_eq!(closed["stage"], "closed", "{closed}");
}

both!(a_case_decided_not_to_punish_takes_no_notice_and_closes_without_payment);

/// The status of the case's deadline of `rule` in a case answer.
fn duty(case: &serde_json::Value, rule: &str) -> String {
    let found: Vec<&serde_json::Value> = case["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .filter(|d| d["rule_id"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "one deadline of {rule}: {case}");
    found[0]["status"].as_str().expect("status").to_string()
}

/// DL-4: the time of a hearing is not counted in the 90 days to decide — the decision deadline
/// is suspended from the request (第六十四条) to the day the hearing is held, and its due day
/// moves on by as much.
async fn a_hearing_suspends_the_decision_deadline_until_it_is_held(engine: Engine) {
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            case_backdate_days: 40,
            ..Default::default()
        },
    )
    .await;
    let (item, second) = setup(&app).await;
    let first = app.fx.yaohai_officer.id.to_string();
    let chair = officer_in(&app, "YH0003", 4).await;
    let officer = app.login("officer").await;
    let today = zhifa_server::service::today_cst();
    let day = |n: i64| zhifa_domain::registry::format_date(today - time::Duration::days(n));
    let mut d = draft(&item, &[&first, &second], &day(40));
    d["filed_on"] = json!(day(30));
    let (st, case) = officer.post("/api/v1/cases", &d).await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let due = |c: &Value| -> (Option<String>, Value) {
        let d = c["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule_id"] == "penalty.decision")
            .unwrap()
            .clone();
        (
            d["due"]["date"].as_str().map(str::to_string),
            d["suspensions"].clone(),
        )
    };
    let (due_at_filing, none) = due(&case);
    let due_at_filing = due_at_filing.expect("a due day at filing");
    assert_eq!(none, json!([]));
    let post = |each: &'static str, body: Value| {
        let officer = &officer;
        let path = format!("/api/v1/cases/{id}/{each}");
        async move { officer.post(&path, &body).await }
    };
    let r = post(
        "investigations",
        json!({"kind": "inquiry", "on": day(29), "place": "现场", "officer_ids": [first, second],
               "summary": "询问当事人"}),
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // 15,000 yuan for a citizen: the hearing right (第六十三条).
    let r = post(
        "notices",
        json!({"on": day(28), "proposed": [{"kind": "fine", "fen": 1_500_000}],
               "facts": "销售超过保质期的食品", "basis": "《中华人民共和国食品安全法》第一百二十四条"}),
    )
    .await;
    assert_eq!(r.1["stage"], "decision", "{}", r.1);
    let (st, requested) = post("hearing-requests", json!({"on": day(27)})).await;
    assert_eq!(st, StatusCode::OK, "{requested}");
    let (while_heard, open) = due(&requested);
    assert_eq!(
        open,
        json!([{"from": day(27), "until": null}]),
        "{requested}"
    );
    assert_eq!(
        while_heard, None,
        "no due day while the period stands still"
    );
    let (st, heard) = post(
        "hearings",
        json!({"on": day(5), "chair_id": chair, "summary": "当事人到场陈述申辩，听证笔录已签名"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{heard}");
    let (due_after, closed) = due(&heard);
    let due_after = due_after.expect("a due day again once it runs");
    assert_eq!(
        closed,
        json!([{"from": day(27), "until": day(5)}]),
        "{heard}"
    );
    assert!(
        due_after > due_at_filing,
        "the due day moves on by the hearing's time: {due_at_filing} -> {due_after}"
    );
}

both!(a_hearing_suspends_the_decision_deadline_until_it_is_held);
