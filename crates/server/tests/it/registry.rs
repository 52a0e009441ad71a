use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn agency_body(app: &TestApp, name: &str, credit: &str) -> Value {
    json!({"name": name, "credit_code": credit, "kind": "administrative_organ", "level": "county",
           "division_code": "340102", "parent_id": app.fx.yaohai.id, "domain": "生态环境", "legal_basis": "《瑶海区机构设置方案》"})
}

async fn agencies_refuse_bad_codes_and_write_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let s = app.login("sysadmin").await;
    let before = app.store.event_count().await.unwrap();
    let good = credit_code("340102", 901);
    // Change the check character: GB 32100 must catch it.
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let r = s
        .post(
            "/api/v1/agencies",
            &agency_body(&app, "瑶海区生态环境分局", &bad),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "uscc.check_digit",
        Some("credit_code"),
    );
    assert_eq!(r.1["rule"], "REG-7");
    let r = s
        .post(
            "/api/v1/agencies",
            &agency_body(&app, "瑶海区生态环境分局", "91340100MA2"),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "uscc.length",
        Some("credit_code"),
    );
    let mut body = agency_body(&app, "瑶海区生态环境分局", &good);
    body["division_code"] = json!("349999");
    assert_error(
        &s.post("/api/v1/agencies", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "division.unknown",
        Some("division_code"),
    );
    body["division_code"] = json!("340122");
    let r = s.post("/api/v1/agencies", &body).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_parent",
        Some("division_code"),
    );
    // A pilot code that fails only its checksum is accepted with a recorded reason.
    let mut pilot = agency_body(&app, "瑶海区试点机构", &bad);
    pilot["credit_code_override_reason"] = json!("省编办试点赋码，校验位按试点规则生成");
    let (st, a) = s.post("/api/v1/agencies", &pilot).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(
        a["credit_code_override"],
        "省编办试点赋码，校验位按试点规则生成"
    );
    // Only the accepted command wrote: the body and, in the same transaction, its PUB-9 duty.
    assert_eq!(
        app.store.event_count().await.unwrap(),
        before + 2,
        "only the accepted command wrote"
    );
    let (st, a) = s
        .post(
            "/api/v1/agencies",
            &agency_body(&app, "瑶海区生态环境分局", &good),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert!(a["path"].as_str().unwrap().starts_with(&app.fx.yaohai.path));
    let dup = s
        .post("/api/v1/agencies", &agency_body(&app, "重复", &good))
        .await;
    assert_error(&dup, StatusCode::CONFLICT, "duplicate", Some("credit_code"));
    // Missing and mistyped JSON fields are named.
    let r = s.post("/api/v1/agencies", &json!({"name": "x"})).await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.1["field"], "credit_code");
    let r = s.post("/api/v1/agencies", &json!({"name": 5})).await;
    assert_eq!(r.1["field"], "name");
    // Only a system administrator registers bodies.
    let head = app.login("head").await;
    let mut under_own = agency_body(
        &app,
        "瑶海区市场监督管理局红海市场监督管理所",
        &credit_code("340102", 902),
    );
    under_own["parent_id"] = json!(app.fx.yaohai_market.id);
    assert_error(
        &head.post("/api/v1/agencies", &under_own).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
    // Outside its scope, a parent is as good as absent.
    let r = head
        .post(
            "/api/v1/agencies",
            &agency_body(&app, "x", &credit_code("340102", 903)),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_agency",
        Some("parent_id"),
    );
}
both!(agencies_refuse_bad_codes_and_write_nothing);

fn officer_body(app: &TestApp, cert: &str, id_number: &str) -> Value {
    json!({"agency_id": app.fx.yaohai_market.id, "name": "孙立", "id_number": id_number, "certificate_no": cert,
           "categories": ["市场监管"], "region": "340102", "valid_from": "2025-01-01", "valid_to": "2030-01-01"})
}

async fn officers_lifecycle(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let good_id = resident_id("340102", "19900101", 123);
    let mut bad_id = good_id.clone();
    let last = bad_id.pop().unwrap();
    bad_id.push(if last == '1' { '2' } else { '1' });
    assert_error(
        &head
            .post("/api/v1/officers", &officer_body(&app, "YH0100", &bad_id))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "id.check_digit",
        Some("id_number"),
    );
    let impossible = resident_id("340102", "19900230", 123);
    assert_error(
        &head
            .post(
                "/api/v1/officers",
                &officer_body(&app, "YH0100", &impossible),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "id.birth_date",
        Some("id_number"),
    );
    let mut b = officer_body(&app, "YH0100", &good_id);
    b["valid_to"] = json!("2024-02-30");
    assert_error(
        &head.post("/api/v1/officers", &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_date",
        Some("valid_to"),
    );
    b["valid_to"] = json!("2024-01-01");
    assert_error(
        &head.post("/api/v1/officers", &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "before_start",
        Some("valid_to"),
    );
    let mut b = officer_body(&app, "YH0100", &good_id);
    b["region"] = json!("340122");
    assert_error(
        &head.post("/api/v1/officers", &b).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_agency",
        Some("region"),
    );
    let (st, o) = head
        .post("/api/v1/officers", &officer_body(&app, "yh0100", &good_id))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    assert_eq!(o["certificate_no"], "YH0100", "normalised to upper case");
    assert_eq!(o["status"], "valid");
    let dup = head
        .post(
            "/api/v1/officers",
            &officer_body(&app, "YH0100", &resident_id("340102", "19910101", 1)),
        )
        .await;
    assert_error(
        &dup,
        StatusCode::CONFLICT,
        "duplicate",
        Some("certificate_no"),
    );
    let id = o["id"].as_str().unwrap();
    let (st, o) = head.post(&format!("/api/v1/officers/{id}/trainings"), &json!({"date": "2025-06-01", "course": "行政处罚法专题培训", "hours": 16, "provider": "安徽省司法厅"})).await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!(o["trainings"].as_array().unwrap().len(), 1);
    assert_error(
        &head
            .post(
                &format!("/api/v1/officers/{id}/trainings"),
                &json!({"date": "2099-01-01", "course": "x", "hours": 1, "provider": "y"}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "in_future",
        Some("date"),
    );
    let (st, o) = head
        .post(
            &format!("/api/v1/officers/{id}/status"),
            &json!({"status": "revoked", "reason": "调离"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(o["status"], "revoked");
    let again = head
        .post(
            &format!("/api/v1/officers/{id}/status"),
            &json!({"status": "valid", "reason": "恢复"}),
        )
        .await;
    assert_error(
        &again,
        StatusCode::CONFLICT,
        "revoked_is_final",
        Some("status"),
    );
    assert_eq!(again.1["rule"], "REG-2");
    // Every change is an event on the officer's stream, in order.
    let (_, events) = head
        .get_json(&format!("/api/v1/events?stream=officer-{id}"))
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "OfficerRegistered",
            "TrainingRecorded",
            "CertificateStatusChanged"
        ]
    );
    // An officer sees colleagues with masked ID numbers; the head sees them in full.
    let officer = app.login("officer").await;
    let (_, seen) = officer.get_json(&format!("/api/v1/officers/{id}")).await;
    assert_eq!(
        seen["id_number"],
        format!("{}********{}", &good_id[..6], &good_id[14..])
    );
    let (_, full) = head.get_json(&format!("/api/v1/officers/{id}")).await;
    assert_eq!(full["id_number"], good_id);
}
both!(officers_lifecycle);

async fn a_county_cannot_read_another_county(engine: Engine) {
    let app = spawn_app(engine).await;
    let fd = app.login("officer2").await;
    let yh_officer = format!("/api/v1/officers/{}", app.fx.yaohai_officer.id);
    let (st, body) = fd.get_json(&yh_officer).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    let (_, list) = fd.get_json("/api/v1/officers?per_page=100").await;
    let certs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["certificate_no"].as_str().unwrap())
        .collect();
    assert_eq!(certs, ["FD0001"]);
    let (st, _) = fd
        .get_json(&format!("/api/v1/agencies/{}", app.fx.yaohai_market.id))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = fd
        .get_json(&format!(
            "/api/v1/events?stream=officer-{}",
            app.fx.yaohai_officer.id
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The city's justice bureau supervises both counties; the county officer sees its own bureau only.
    let sup = app.login("supervisor").await;
    let (_, list) = sup.get_json("/api/v1/officers?per_page=100").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (st, _) = sup.get_json(&yh_officer).await;
    assert_eq!(st, StatusCode::OK);
    let (_, agencies) = fd.get_json("/api/v1/agencies").await;
    let names: Vec<&str> = agencies["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["肥东县市场监督管理局"]);
    // The province's administrators see everything.
    let admin = app.login("sysadmin").await;
    let (_, all) = admin.get_json("/api/v1/agencies").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 8);
}
both!(a_county_cannot_read_another_county);

/// Lists page by cursor (SYS performance): `next` walks every agency once, in path order, and a
/// cursor the list did not return is a 400 naming `after`.
async fn lists_page_by_cursor(engine: Engine) {
    let app = spawn_app(engine).await;
    let admin = app.login("sysadmin").await;
    let (_, all) = admin.get_json("/api/v1/agencies?per_page=100").await;
    let all: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].to_string())
        .collect();
    assert_eq!(all.len(), 8);
    let mut seen = Vec::new();
    let mut url = "/api/v1/agencies?per_page=3".to_string();
    let mut pages = 0;
    loop {
        let (st, page) = admin.get_json(&url).await;
        assert_eq!(st, StatusCode::OK);
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|a| a["id"].to_string()));
        match page["next"].as_str() {
            Some(next) => url = format!("/api/v1/agencies?per_page=3&after={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3, "8 agencies in pages of 3");
    assert_eq!(
        seen, all,
        "the pages are the whole list, in order, each once"
    );
    let (st, err) = admin.get_json("/api/v1/officers?after=not-a-cursor").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "after");
    assert_eq!(err["code"], "bad_cursor");
    assert!(err["message"].as_str().unwrap().contains("翻页"));
}
both!(lists_page_by_cursor);

fn item_body(app: &TestApp, from: &str) -> Value {
    json!({"code": "CF-SCJG-001", "name": "对未取得食品经营许可从事食品经营活动的处罚", "category": "penalty", "domain": "市场监管",
           "agency_id": app.fx.yaohai_market.id,
           "legal_bases": ["《中华人民共和国食品安全法》第一百二十二条", "《中华人民共和国行政处罚法》第六十三条第一款"],
           "procedure": ["立案", "调查取证", "告知", "法制审核", "决定", "送达"], "time_limit": "九十日", "review_body": "瑶海区人民政府",
           "effective_from": from})
}

async fn power_list_is_versioned(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let mut bad = item_body(&app, "2021-07-15");
    bad["legal_bases"] = json!(["食品安全法122条"]);
    assert_error(
        &head.post("/api/v1/items", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_legal_basis",
        Some("legal_bases"),
    );
    bad["legal_bases"] = json!(["《中华人民共和国行政处罚法》第五十一条"]);
    bad["category"] = json!("行政审批");
    assert_error(
        &head.post("/api/v1/items", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_category",
        Some("category"),
    );
    let (st, v1) = head
        .post("/api/v1/items", &item_body(&app, "2021-07-15"))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v1}");
    assert_eq!(v1["version"], 1);
    let id = v1["item_id"].as_str().unwrap().to_string();
    // A revision needs a reason and a later effective date.
    let mut rev = item_body(&app, "2024-03-01");
    rev["time_limit"] = json!("自立案之日起九十日内");
    assert_error(
        &head
            .post(&format!("/api/v1/items/{id}/versions"), &rev)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required",
        Some("change_kind"),
    );
    rev["change_kind"] = json!("law_amended");
    assert_error(
        &head
            .post(&format!("/api/v1/items/{id}/versions"), &rev)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "required",
        Some("reason"),
    );
    rev["reason"] = json!("《食品安全法》修正");
    rev["effective_from"] = json!("2021-07-15");
    assert_error(
        &head
            .post(&format!("/api/v1/items/{id}/versions"), &rev)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_after_current",
        Some("effective_from"),
    );
    rev["effective_from"] = json!("2024-03-01");
    let (st, v2) = head
        .post(&format!("/api/v1/items/{id}/versions"), &rev)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["version"], 2);
    // What did the list say on a date?
    let (_, on_2022) = head.get_json("/api/v1/items?as_of=2022-01-01").await;
    assert_eq!(on_2022["items"][0]["version"], 1);
    assert_eq!(on_2022["items"][0]["time_limit"], "九十日");
    let (_, on_2025) = head.get_json("/api/v1/items?as_of=2025-03-01").await;
    assert_eq!(on_2025["items"][0]["version"], 2);
    let (_, before) = head.get_json("/api/v1/items?as_of=2020-01-01").await;
    assert_eq!(
        before["items"].as_array().unwrap().len(),
        0,
        "the item did not exist yet"
    );
    assert_error(
        &head.get_json("/api/v1/items?as_of=2025-02-29").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_date",
        Some("as_of"),
    );
    let (_, versions) = head.get_json(&format!("/api/v1/items/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    // The console's table (rows read as `ItemSummary`) shows the version in force on the date.
    let table = |html: String| {
        let start = html.find("<tbody>").expect("the items table");
        html[start..].to_string()
    };
    let page = table(
        head.get("/items?as_of=2022-01-01")
            .await
            .text()
            .await
            .unwrap(),
    );
    for shown in [
        "CF-SCJG-001",
        "行政处罚",
        "瑶海区市场监督管理局",
        "2021-07-15",
        "第 1 版",
    ] {
        assert!(page.contains(shown), "{shown} missing from {page}");
    }
    let page = table(
        head.get("/items?as_of=2025-03-01")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("2024-03-01") && !page.contains("2021-07-15"),
        "{page}"
    );
    // Repeal: gone from the current list, still readable for the days it was in force.
    let mut rep = rev.clone();
    rep["change_kind"] = json!("law_repealed");
    rep["reason"] = json!("上位法废止");
    rep["effective_from"] = json!("2026-01-01");
    let (st, _) = head
        .post(&format!("/api/v1/items/{id}/versions"), &rep)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, now) = head.get_json("/api/v1/items").await;
    assert_eq!(now["items"].as_array().unwrap().len(), 0);
    let (_, then) = head.get_json("/api/v1/items?as_of=2025-06-01").await;
    assert_eq!(then["items"][0]["version"], 2);
    assert_error(
        &head
            .post(&format!("/api/v1/items/{id}/versions"), &rev)
            .await,
        StatusCode::CONFLICT,
        "repealed",
        None,
    );
}
both!(power_list_is_versioned);

async fn guides_benchmarks_inspection_and_flowchart(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let (_, item) = head
        .post("/api/v1/items", &item_body(&app, "2021-07-15"))
        .await;
    let id = item["item_id"].as_str().unwrap();
    let entries = json!({"entries": [
        {"severity": "general", "circumstance": "初次违法", "min_fine_fen": 5_000_000, "max_fine_fen": 6_500_000, "other_measures": "没收违法所得"},
        {"severity": "minor", "circumstance": "轻微并及时改正", "min_fine_fen": 0, "max_fine_fen": 0, "other_measures": "不予处罚"},
        {"severity": "grave", "circumstance": "造成严重后果", "min_fine_fen": 1_000_000, "max_fine_fen": 2_000_000, "other_measures": ""}]});
    let r = head
        .put(&format!("/api/v1/items/{id}/discretion"), &entries)
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "severity_order",
        Some("entries"),
    );
    let mut fixed = entries.clone();
    fixed["entries"][2]["min_fine_fen"] = json!(8_000_000);
    fixed["entries"][2]["max_fine_fen"] = json!(10_000_000);
    fixed["entries"][0]["min_fine_fen"] = json!(-1);
    assert_error(
        &head
            .put(&format!("/api/v1/items/{id}/discretion"), &fixed)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "negative",
        Some("entries[0].min_fine_fen"),
    );
    fixed["entries"][0]["min_fine_fen"] = json!(5_000_000);
    let (st, b) = head
        .put(&format!("/api/v1/items/{id}/discretion"), &fixed)
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let sev: Vec<&str> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["minor", "general", "grave"], "sorted by severity");
    let guide = json!({"receiving_body": "瑶海区政务服务中心", "approving_body": "瑶海区市场监督管理局", "conditions": "材料齐全",
        "time_limit": "二十个工作日", "consultation": "窗口咨询", "complaint": "12345", "address": "合肥市瑶海区", "office_hours": "工作日", "phone": "0551-1234567"});
    let mut bad = guide.clone();
    bad["phone"] = json!("call me");
    assert_error(
        &head.put(&format!("/api/v1/items/{id}/guide"), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_character",
        Some("phone"),
    );
    let (st, _) = head.put(&format!("/api/v1/items/{id}/guide"), &guide).await;
    assert_eq!(st, StatusCode::OK);
    let (st, g) = head.get_json(&format!("/api/v1/items/{id}/guide")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(g["approving_body"], "瑶海区市场监督管理局");
    // Inspection items link only to inspection-category items.
    let ins = json!({"agency_id": app.fx.yaohai_market.id, "item_id": id, "name": "食品经营检查", "basis": "《中华人民共和国食品安全法》第一百一十条", "target_kind": "食品经营者", "method": "现场检查"});
    assert_error(
        &head.post("/api/v1/inspection-items", &ins).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_inspection",
        Some("item_id"),
    );
    let mut ok = ins.clone();
    ok["item_id"] = serde_json::Value::Null;
    let (st, _) = head.post("/api/v1/inspection-items", &ok).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, list) = head.get_json("/api/v1/inspection-items").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let r = head.get(&format!("/api/v1/items/{id}/flowchart.svg")).await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml; charset=utf-8");
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("调查取证") && svg.contains("结束"));
}
both!(guides_benchmarks_inspection_and_flowchart);

async fn validate_endpoint_names_the_reason(engine: Engine) {
    let app = spawn_app(engine).await;
    let s = app.login("officer").await;
    let (st, v) = s
        .get_json("/api/v1/validate/id?value=11010519491231002X")
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["ok"], true);
    let (_, v) = s
        .get_json("/api/v1/validate/id?value=110105194912310021")
        .await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "id.check_digit");
    let (_, v) = s.get_json("/api/v1/validate/division?value=341400").await;
    assert_eq!(
        v["ok"], true,
        "retired 巢湖市 is a historical code and accepted"
    );
    let (st, v) = s.get_json("/api/v1/validate/passport?value=1").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "kind");
}
both!(validate_endpoint_names_the_reason);

async fn oversized_and_malformed_bodies(engine: Engine) {
    let app = spawn_app(engine).await;
    let s = app.login("sysadmin").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = s.post("/api/v1/agencies", &json!({ "name": huge })).await;
    assert_eq!(r.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.1["code"]
            .as_str()
            .map(|c| c == "too_large" || c == "bad_body"),
        Some(true),
        "{}",
        r.1
    );
    let r = s
        .client
        .post(format!("{}/api/v1/agencies", s.base))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = s
        .client
        .post(format!("{}/api/v1/agencies", s.base))
        .header("x-csrf-token", &s.csrf)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s.get("/api/v1/nothing-here").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_found");
}
both!(oversized_and_malformed_bodies);

async fn expiring_certificates_filter(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let soon = zhifa_domain::registry::format_date(today + time::Duration::days(30));
    let mut b = officer_body(&app, "YH0200", &resident_id("340102", "19880808", 7));
    b["valid_from"] = json!("2021-01-01");
    b["valid_to"] = json!(soon);
    let (st, o) = head.post("/api/v1/officers", &b).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let (_, list) = head
        .get_json("/api/v1/officers?expiring_within_days=90")
        .await;
    let certs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["certificate_no"].as_str().unwrap())
        .collect();
    assert_eq!(
        certs,
        ["YH0200"],
        "the fixture officer's certificate runs to 2029"
    );
    let (_, list) = head
        .get_json("/api/v1/officers?expiring_within_days=10")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let r = head
        .get_json("/api/v1/officers?expiring_within_days=-1")
        .await;
    assert_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("expiring_within_days"),
    );
    // The console's home card links to the same filter.
    let page = head.get("/officers?expiring=1").await.text().await.unwrap();
    assert!(
        page.contains("YH0200") && !page.contains("YH0001"),
        "only the expiring certificate is listed"
    );
}
both!(expiring_certificates_filter);

/// One masking rule (`zhifa_domain::privacy::mask_id_number` through `Officer::view_for`) on
/// every read path of officers: the API, the console page and the record history (the event
/// log), for a role without `Permission::ViewPersonalData`.
async fn officer_id_numbers_are_masked_by_one_rule(engine: Engine) {
    let app = spawn_app(engine).await;
    let o = &app.fx.yaohai_officer;
    let full = o.id_number.clone();
    assert_eq!(full.chars().count(), 18);
    let masked = zhifa_domain::privacy::mask_id_number(&full);
    assert_eq!(masked, format!("{}********{}", &full[..6], &full[14..]));
    let officer = app.login("officer").await;
    let (st, v) = officer
        .get_json(&format!("/api/v1/officers/{}", o.id))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["id_number"], masked.as_str());
    assert_eq!(v["id_number"].as_str().unwrap().chars().count(), 18);
    let page = officer
        .get(&format!("/officers/{}", o.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&masked), "{page}");
    assert!(!page.contains(&full), "{page}");
    // The officer's history through the event log shows no more than the officer record.
    let (st, events) = officer
        .get_json(&format!("/api/v1/events?stream=officer-{}", o.id))
        .await;
    assert_eq!(st, 200, "{events}");
    assert!(!events.to_string().contains(&full), "{events}");
    assert_eq!(events[0]["payload"]["data"]["id_number"], masked.as_str());
    // Someone who may see personal data sees it in full everywhere.
    let head = app.login("head").await;
    let (_, v) = head.get_json(&format!("/api/v1/officers/{}", o.id)).await;
    assert_eq!(v["id_number"], full.as_str());
    let (_, events) = head
        .get_json(&format!("/api/v1/events?stream=officer-{}", o.id))
        .await;
    assert_eq!(events[0]["payload"]["data"]["id_number"], full.as_str());
}
both!(officer_id_numbers_are_masked_by_one_rule);

/// REG-7 at registration: `PersonalId::parse_at(value, today)` — a birth date after today is
/// refused (nothing recorded), and the 2023 Foreign Permanent Resident ID Card is accepted
/// (parties and officers may be foreigners, 处罚法第八十四条); the validate endpoint gives the
/// same answers with the card's normalised form.
async fn officer_ids_are_checked_as_personal_ids_at_today(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let before = app.store.event_count().await.unwrap();
    let future = resident_id("340102", "20990101", 123);
    assert_error(
        &head
            .post("/api/v1/officers", &officer_body(&app, "YH0200", &future))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "id.birth_date",
        Some("id_number"),
    );
    assert_eq!(
        app.store.event_count().await.unwrap(),
        before,
        "nothing recorded"
    );
    let body = "934840198506120012"[..17].to_string();
    let foreign = format!("{body}{}", zhifa_ident::id_check_digit(&body).unwrap());
    let (st, o) = head
        .post("/api/v1/officers", &officer_body(&app, "YH0201", &foreign))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    assert_eq!(o["id_number"], foreign.as_str());
    let (_, v) = head
        .get_json(&format!("/api/v1/validate/id?value={foreign}"))
        .await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["normalized"], foreign.as_str(), "{v}");
    let (_, v) = head
        .get_json(&format!("/api/v1/validate/id?value={future}"))
        .await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["error"]["code"], "id.birth_date", "{v}");
}
both!(officer_ids_are_checked_as_personal_ids_at_today);
