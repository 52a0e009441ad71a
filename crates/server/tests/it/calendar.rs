use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A notice for 2027 made up for tests (the real one is not published yet): it must never be
/// shipped, only imported here.
const TEST_NOTICE_2027: &str = "year: 2027\ndocument: 测试通知〔2026〕1号\ntitle: 测试用 2027 年节假日安排\n\noff 元旦 2027-01-01..2027-01-03\nwork 春节 2027-02-07\noff 春节 2027-02-06, 2027-02-08..2027-02-12\n";

async fn working_days_and_periods(engine: Engine) {
    let app = spawn_app(engine).await;
    let s = app.login("officer").await;
    let (st, d) = s.get_json("/api/v1/calendar/days/2026-10-10").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (
            d["workday"].as_bool(),
            d["kind"].as_str(),
            d["provisional"].as_bool()
        ),
        (Some(true), Some("makeup_workday"), Some(false))
    );
    assert_eq!(d["document"], "国办发明电〔2025〕7号");
    let (_, d) = s.get_json("/api/v1/calendar/days/2027-01-01").await;
    assert_eq!(
        (d["workday"].as_bool(), d["provisional"].as_bool()),
        (Some(false), Some(true)),
        "2027 has no notice: flagged, not guessed"
    );
    assert_error(
        &s.get_json("/api/v1/calendar/days/2026-02-30").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar",
        Some("date"),
    );
    assert_error(
        &s.get_json("/api/v1/calendar/days/2101-01-01").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar",
        Some("date"),
    );
    let (st, due) = s
        .get_json("/api/v1/calendar/due?start=2026-09-30&length=7&unit=workdays&explain=true")
        .await;
    assert_eq!(st, StatusCode::OK, "{due}");
    assert_eq!(due["date"], "2026-10-15");
    assert!(
        due["explanation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("跳过 2026-10-01 国庆节"))
    );
    assert_error(
        &s.get_json("/api/v1/calendar/due?start=2026-09-30&length=7&unit=weeks")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar",
        Some("unit"),
    );
    assert_error(
        &s.get_json("/api/v1/calendar/due?start=2026-09-30&length=-3&unit=days")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar",
        Some("length"),
    );
    let (_, rules) = s.get_json("/api/v1/deadline-rules").await;
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "rev.opinion" && r["spec"] == "REV-5")
    );
}
both!(working_days_and_periods);

async fn register_body(app: &TestApp, admin: &Session, n: u32) -> Value {
    let (st, a) = admin
        .post(
            "/api/v1/agencies",
            &json!({"name": format!("瑶海区测试局{n}"), "credit_code": credit_code("340102", 700 + n), "kind": "administrative_organ", "level": "county",
                    "division_code": "340102", "parent_id": app.fx.yaohai.id, "domain": "市场监管"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    a
}

async fn duties_start_with_registration_and_follow_notice_imports(engine: Engine) {
    let app = spawn_app(engine).await;
    let admin = app.login("sysadmin").await;
    let a = register_body(&app, &admin, 1).await;
    let (_, list) = admin
        .get_json(&format!(
            "/api/v1/deadlines?agency_id={}",
            a["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "registration opened the PUB-9 duty in the same transaction: {list}"
    );
    let duty = list["items"][0].clone();
    assert_eq!(duty["rule_id"], "report.enforcement_statistics");
    let year = time::OffsetDateTime::now_utc().year();
    assert_eq!(duty["due"]["date"], format!("{}-01-31", year + 1));
    let provisional_before = duty["due"]["provisional"].as_bool().unwrap();
    // A bad notice is refused with the line at fault, and nothing is written.
    let count = app.store.event_count().await.unwrap();
    let bad = TEST_NOTICE_2027.replace("work 春节 2027-02-07", "work 春节 2027-02-09");
    let r = admin
        .post("/api/v1/calendar/notices", &json!({"text": bad}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_notice",
        Some("text"),
    );
    assert!(
        r.1["message"].as_str().unwrap().contains("2027-02-09"),
        "{}",
        r.1
    );
    assert_eq!(app.store.event_count().await.unwrap(), count);
    // Only the system administrator imports notices.
    let head = app.login("head").await;
    assert_error(
        &head
            .post(
                "/api/v1/calendar/notices",
                &json!({"text": TEST_NOTICE_2027}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
    let (st, imported) = admin
        .post(
            "/api/v1/calendar/notices",
            &json!({"text": TEST_NOTICE_2027}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{imported}");
    assert_eq!(imported["year"], 2027);
    let (_, d) = admin.get_json("/api/v1/calendar/days/2027-02-07").await;
    assert_eq!(
        (d["workday"].as_bool(), d["provisional"].as_bool()),
        (Some(true), Some(false)),
        "the imported make-up day applies at once"
    );
    let (_, after) = admin
        .get_json(&format!(
            "/api/v1/deadlines/{}",
            duty["id"].as_str().unwrap()
        ))
        .await;
    if provisional_before && year + 1 == 2027 {
        assert_eq!(imported["recomputed"], 1);
        assert_eq!(
            after["due"]["provisional"], false,
            "recomputed without the flag once 2027 is known"
        );
        let events = app
            .store
            .events_of_stream(&format!("deadline-{}", duty["id"].as_str().unwrap()))
            .await
            .unwrap();
        assert_eq!(events.last().unwrap().kind, "DeadlineRecomputed");
    }
    let (_, notices) = admin.get_json("/api/v1/calendar/notices").await;
    assert!(
        notices
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["year"] == 2027 && n["origin"] == "imported")
    );
    // The import survives a restart: a fresh state loads it from the log's projection.
    let reloaded = zhifa_server::AppState::new(
        app.store.clone(),
        zhifa_server::Settings::default(),
        app.evidence.clone(),
    )
    .await
    .unwrap();
    assert!(!reloaded.calendar().is_provisional_year(2027));
}
both!(duties_start_with_registration_and_follow_notice_imports);

async fn missed_deadlines_are_recorded_and_reports_meet_them(engine: Engine) {
    let app = spawn_app(engine).await;
    let admin = app.login("sysadmin").await;
    let a = register_body(&app, &admin, 2).await;
    let aid = a["id"].as_str().unwrap().to_string();
    let year = time::OffsetDateTime::now_utc().year();
    // Nothing is missed before the day after the due date.
    let on = |y: i32, m: time::Month, d: u8| {
        time::OffsetDateTime::new_in_offset(
            time::Date::from_calendar_date(y, m, d).unwrap(),
            time::Time::MIDNIGHT,
            zhifa_calendar::CST,
        )
    };
    let last_moment = on(year + 1, time::Month::January, 31) + time::Duration::hours(23);
    assert_eq!(
        zhifa_server::service::sweep(&app.state, last_moment)
            .await
            .unwrap(),
        0
    );
    let n = zhifa_server::service::sweep(&app.state, on(year + 1, time::Month::February, 1))
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        zhifa_server::service::sweep(&app.state, on(year + 1, time::Month::February, 2))
            .await
            .unwrap(),
        0,
        "recorded once"
    );
    let (_, missed) = admin.get_json("/api/v1/deadlines?status=missed").await;
    assert_eq!(missed["items"].as_array().unwrap().len(), 1);
    assert_eq!(missed["items"][0]["agency_id"], aid);
    assert!(missed["items"][0]["days_left"].as_i64().is_some());
    // The next year's duty was opened when this one was missed.
    let (_, open) = admin
        .get_json(&format!("/api/v1/deadlines?status=open&agency_id={aid}"))
        .await;
    assert_eq!(
        open["items"][0]["due"]["date"],
        format!("{}-01-31", year + 2)
    );
    // Another county does not see it; the city's supervisor does.
    let (_, other) = app
        .login("officer2")
        .await
        .get_json("/api/v1/deadlines?status=all")
        .await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let (_, sup) = app
        .login("supervisor")
        .await
        .get_json("/api/v1/deadlines?status=missed")
        .await;
    assert_eq!(sup["items"].as_array().unwrap().len(), 1);
    assert_error(
        &admin.get_json("/api/v1/deadlines?status=late").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("status"),
    );
    // Publishing the report meets the deadline — late, since it was missed.
    let sec = app.login("secadmin").await;
    let (st, _) = sec
        .post("/api/v1/users", &json!({"username": "pub9", "display_name": "公示员", "agency_id": aid, "roles": ["publisher"], "password": "Aa1!aaaaaaaa"}))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let publisher = app.first_sign_in("pub9", "Aa1!aaaaaaaa").await;
    let path = format!("/api/v1/agencies/{aid}/annual-reports");
    let bad = publisher
        .post(
            &path,
            &json!({"year": year, "title": "年报", "url": "https://example.gov.cn/r"}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_finished",
        Some("year"),
    );
    assert_error(
        &publisher
            .post(
                &path,
                &json!({"year": year - 1, "title": "年报", "url": "javascript:alert(1)"}),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_url",
        Some("url"),
    );
    // Last year's duty (due 31 January of this year) was never met: the sweep records it as
    // missed, and publishing the report then meets it late.
    let (agency, _) = app
        .store
        .agency(uuid::Uuid::parse_str(&aid).unwrap())
        .await
        .unwrap()
        .unwrap();
    let last_id = uuid::Uuid::now_v7();
    let last = zhifa_domain::deadline::annual_statistics_duty(
        &app.state.catalog,
        &app.state.calendar(),
        last_id,
        &agency,
        year - 1,
    )
    .unwrap();
    app.store
        .append(zhifa_domain::NewEvent {
            stream: zhifa_domain::StreamId::deadline(last_id),
            expected: zhifa_domain::event::Expected::NoStream,
            agency_id: agency.id,
            actor: zhifa_domain::auth::Actor::system(),
            events: vec![zhifa_domain::Event::DeadlineOpened((&last).into())],
            side_effects: vec![],
        })
        .await
        .unwrap();
    assert_eq!(
        zhifa_server::service::sweep(&app.state, time::OffsetDateTime::now_utc())
            .await
            .unwrap(),
        1
    );
    let (st, r) = publisher.post(&path, &json!({"year": year - 1, "title": "上年度统计年报", "url": "https://example.gov.cn/r"})).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let (_, met) = admin
        .get_json(&format!("/api/v1/deadlines/{last_id}"))
        .await;
    assert_eq!(met["status"], "met_late", "{met}");
    assert!(met["satisfied_on"].is_string());
    let again = publisher
        .post(
            &path,
            &json!({"year": year - 1, "title": "重复", "url": "https://example.gov.cn/r"}),
        )
        .await;
    assert_error(
        &again,
        StatusCode::CONFLICT,
        "already_published",
        Some("year"),
    );
    let (_, reports) = publisher.get_json(&path).await;
    assert_eq!(reports.as_array().unwrap().len(), 1);
}
both!(missed_deadlines_are_recorded_and_reports_meet_them);

async fn province_overrides_change_the_catalog(engine: Engine) {
    let overrides: zhifa_calendar::CatalogSettings =
        serde_json::from_value(json!({"overrides": {"rev.opinion": {"length": 7, "extension": 3, "basis": "某省重大执法决定法制审核办法"}}})).unwrap();
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            deadline_overrides: overrides,
            ..Default::default()
        },
    )
    .await;
    let s = app.login("officer").await;
    let (_, rules) = s.get_json("/api/v1/deadline-rules").await;
    let rev = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "rev.opinion")
        .unwrap()
        .clone();
    assert_eq!(rev["rule"]["period"]["length"], 7, "{rev}");
    assert_eq!(rev["rule"]["extension"]["max_length"], 3, "{rev}");
    assert!(
        rev["basis"]
            .as_str()
            .unwrap()
            .contains("某省重大执法决定法制审核办法")
    );
}
both!(province_overrides_change_the_catalog);

async fn agency_page_records_an_annual_report(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let page = head
        .get(&format!("/agencies/{}", app.fx.yaohai_market.id))
        .await
        .text()
        .await
        .unwrap();
    let title = page
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    assert_eq!(title, "瑶海区市场监督管理局 · 行政执法三项制度平台");
    assert_eq!(page.matches("年度统计年报（PUB-9）").count(), 1);
    assert!(
        page.contains("action=\"/agencies/"),
        "the head may record the report"
    );
    let year = time::OffsetDateTime::now_utc().year() - 1;
    let r = head
        .client
        .post(format!(
            "{}/agencies/{}/annual-reports",
            head.base, app.fx.yaohai_market.id
        ))
        .form(&[
            ("year", year.to_string().as_str()),
            ("title", "年报"),
            ("url", "https://example.gov.cn/nb"),
            ("_csrf", head.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = head
        .get(&format!("/agencies/{}", app.fx.yaohai_market.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("https://example.gov.cn/nb"));
    // A bad URL is refused on the page with the field named.
    let r = head
        .client
        .post(format!(
            "{}/agencies/{}/annual-reports",
            head.base, app.fx.yaohai_market.id
        ))
        .form(&[
            ("year", (year - 1).to_string().as_str()),
            ("title", "年报"),
            ("url", "ftp://x"),
            ("_csrf", head.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("字段：公开地址"));
}
both!(agency_page_records_an_annual_report);

/// Opens a deadline of `rule_id` for the Yaohai market bureau anchored on `anchor`, as a
/// duty's starting event would (appended directly: cases do not exist yet).
async fn open_deadline(
    app: &TestApp,
    rule_id: &str,
    anchor: time::Date,
) -> zhifa_domain::deadline::Deadline {
    let id = uuid::Uuid::now_v7();
    let d = zhifa_domain::deadline::open(
        &app.state.catalog,
        &app.state.calendar(),
        zhifa_domain::deadline::DutyStart {
            id,
            rule_id: rule_id.into(),
            agency_id: app.fx.yaohai_market.id,
            subject: format!("agency-{}", app.fx.yaohai_market.id),
            title: "测试期限".into(),
            anchor: zhifa_calendar::Anchor::Date(anchor),
        },
    )
    .unwrap();
    app.store
        .append(zhifa_domain::NewEvent {
            stream: zhifa_domain::StreamId::deadline(id),
            expected: zhifa_domain::event::Expected::NoStream,
            agency_id: app.fx.yaohai_market.id,
            actor: zhifa_domain::auth::Actor::system(),
            events: vec![zhifa_domain::Event::DeadlineOpened((&d).into())],
            side_effects: vec![],
        })
        .await
        .unwrap();
    d
}

fn quiet_sweep() -> zhifa_server::Settings {
    zhifa_server::Settings {
        sweep_interval_secs: 3600,
        ..Default::default()
    }
}

/// DL-1: an amended notice changes days of a year that already had an official notice; every
/// open deadline whose computation examined a changed day is recomputed, not only provisional
/// ones. Here: 7 working days from 2020-01-22 under the original 2020 notice (国办发明电〔2019〕
/// 16号: back to work on 2020-01-31 and 2020-02-01) end on 2020-02-06; after 国办发明电〔2020〕1号
/// extended the 春节 holiday to 2020-02-02 they end on 2020-02-10.
async fn an_amended_notice_recomputes_deadlines_it_changes(engine: Engine) {
    let app = spawn_app_with(engine, quiet_sweep()).await;
    let system = zhifa_domain::auth::Actor::system();
    let original = "year: 2020\ndocument: 国办发明电〔2019〕16号\ntitle: 国务院办公厅关于2020年部分节假日安排的通知\n\n\
        off  元旦   2020-01-01\nwork 春节   2020-01-19, 2020-02-01\noff  春节   2020-01-24..2020-01-30\n\
        off  清明节 2020-04-04..2020-04-06\nwork 劳动节 2020-04-26, 2020-05-09\noff  劳动节 2020-05-01..2020-05-05\n\
        off  端午节 2020-06-25..2020-06-27\nwork 端午节 2020-06-28\nwork 国庆节、中秋节 2020-09-27, 2020-10-10\n\
        off  国庆节、中秋节 2020-10-01..2020-10-08\n";
    zhifa_server::service::import_notice(&app.state, &system, original)
        .await
        .unwrap();
    let d = open_deadline(
        &app,
        "pub.decision.license_penalty",
        time::macros::date!(2020 - 01 - 22),
    )
    .await;
    assert!(!d.due.provisional, "2020 has an official notice");
    assert_eq!(d.due.date, Some(time::macros::date!(2020 - 02 - 06)));
    let amended = include_str!("../../../calendar/data/notices/2020.notice");
    let out = zhifa_server::service::import_notice(&app.state, &system, amended)
        .await
        .unwrap();
    assert!(out.recomputed >= 1);
    let (after, _) = app.store.deadline(d.id).await.unwrap().unwrap();
    assert_eq!(after.due.date, Some(time::macros::date!(2020 - 02 - 10)));
    let events = app
        .store
        .events_of_stream(&format!("deadline-{}", d.id))
        .await
        .unwrap();
    assert_eq!(events.last().unwrap().kind, "DeadlineRecomputed");
}
both!(an_amended_notice_recomputes_deadlines_it_changes);

/// DL-4 / DL-3 (强制法第二十五条): a running deadline is suspended and resumed by its agency's
/// officer and extended with the agency head's approval — up to the cap, once, before it
/// passes; refusals record nothing. Through the API and the console's deadline page.
async fn deadlines_are_suspended_resumed_and_extended(engine: Engine) {
    let app = spawn_app_with(engine, quiet_sweep()).await;
    let today = zhifa_server::service::today_cst();
    let day = |d: time::Date| zhifa_domain::registry::format_date(d);
    let d = open_deadline(&app, "compulsion.seizure", today - time::Duration::days(10)).await;
    let due0 = d.due.date.unwrap();
    let officer = app.login("officer").await;
    let head = app.login("head").await;
    let url = |what: &str| format!("/api/v1/deadlines/{}/{what}", d.id);
    let (st, v) = officer
        .post(
            &url("suspensions"),
            &json!({"from": day(today - time::Duration::days(3)), "reason": "委托技术鉴定"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["due"]["date"], Value::Null, "suspended: {v}");
    let (st, v) = officer
        .post(&url("resumptions"), &json!({"on": day(today)}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let due1: time::Date =
        zhifa_domain::registry::parse_date("due", v["due"]["date"].as_str().unwrap()).unwrap();
    assert!(
        due1 > due0,
        "the suspended days do not count: {due0} → {due1}"
    );
    // Over the cap: refused citing the statute, nothing recorded.
    let count = app.store.event_count().await.unwrap();
    let over = head
        .post(
            &url("extensions"),
            &json!({"days": 31, "approval": "扣押延期审批表〔2026〕1号", "reason": "情况复杂"}),
        )
        .await;
    assert_error(
        &over,
        StatusCode::UNPROCESSABLE_ENTITY,
        "out_of_range",
        Some("days"),
    );
    assert!(
        over.1["message"]
            .as_str()
            .unwrap()
            .contains("强制法》第二十五条"),
        "{}",
        over.1
    );
    // Only the agency head approves.
    let (st, _) = officer
        .post(
            &url("extensions"),
            &json!({"days": 10, "approval": "审批表", "reason": "情况复杂"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.event_count().await.unwrap(),
        count,
        "refusals record nothing"
    );
    let (st, v) = head
        .post(
            &url("extensions"),
            &json!({"days": 30, "approval": "扣押延期审批表〔2026〕1号", "reason": "情况复杂"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["extended"], true);
    assert_eq!(v["extension_days"], 30);
    let due2 =
        zhifa_domain::registry::parse_date("due", v["due"]["date"].as_str().unwrap()).unwrap();
    assert!(due2 >= due1 + time::Duration::days(28), "{due1} → {due2}");
    // A deadline that has passed can no longer be extended.
    let passed = open_deadline(&app, "compulsion.seizure", today - time::Duration::days(40)).await;
    let count = app.store.event_count().await.unwrap();
    let late = head
        .post(
            &format!("/api/v1/deadlines/{}/extensions", passed.id),
            &json!({"days": 10, "approval": "审批表", "reason": "情况复杂"}),
        )
        .await;
    assert_error(
        &late,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_late",
        Some("days"),
    );
    assert_eq!(app.store.event_count().await.unwrap(), count);
    // The console: the page offers the forms the caller may use, and its form suspends.
    let page = head
        .get(&format!("/deadlines/{}", passed.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("批准延长期限") && page.contains("中止期限计算"),
        "{page}"
    );
    let page = officer
        .get(&format!("/deadlines/{}", passed.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("批准延长期限") && page.contains("中止期限计算"),
        "{page}"
    );
    let fresh = open_deadline(&app, "compulsion.seizure", today - time::Duration::days(5)).await;
    let r = officer
        .client
        .post(format!(
            "{}/deadlines/{}/suspensions",
            officer.base, fresh.id
        ))
        .form(&[
            ("_csrf", officer.csrf.as_str()),
            ("from", day(today - time::Duration::days(1)).as_str()),
            ("reason", "听证"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (after, _) = app.store.deadline(fresh.id).await.unwrap().unwrap();
    assert_eq!(after.suspensions.len(), 1);
    assert!(after.due.date.is_none());
}
both!(deadlines_are_suspended_resumed_and_extended);

/// The deadline page offers what the rule allows and says what is so (issue 8, item 8's page):
/// no 中止 form where the statute allows no suspension; the extension cap with its unit; a
/// refused form comes back with what was typed; a finished duty is not "逾期"; the platform's
/// own events are by 系统自动, not by a login name.
async fn deadline_page_offers_what_the_rule_allows(engine: Engine) {
    let app = spawn_app_with(engine, quiet_sweep()).await;
    let today = zhifa_server::service::today_cst();
    let head = app.login("head").await;
    let html = |path: String| {
        let head = &head;
        async move { head.get(&path).await.text().await.unwrap() }
    };
    // rev.opinion has an extension but cannot be suspended; compulsion.seizure has both.
    let review = open_deadline(&app, "rev.opinion", today - time::Duration::days(1)).await;
    let page = html(format!("/deadlines/{}", review.id)).await;
    assert!(!page.contains("中止期限计算"), "{page}");
    assert!(page.contains("批准延长期限"), "{page}");
    assert!(page.contains("个工作日"), "the cap names its unit: {page}");
    assert!(
        page.contains("系统自动") && !page.contains("<td>system</td>"),
        "{page}"
    );
    let seizure = open_deadline(&app, "compulsion.seizure", today - time::Duration::days(2)).await;
    let page = html(format!("/deadlines/{}", seizure.id)).await;
    assert!(
        page.contains("中止期限计算") && page.contains("最多 30日"),
        "{page}"
    );
    // Refused (over the cap): the page again, with what was typed.
    let r = head
        .client
        .post(format!("{}/deadlines/{}/extensions", head.base, seizure.id))
        .form(&[
            ("_csrf", head.csrf.as_str()),
            ("days", "31"),
            ("approval", "扣押延期审批表〔2026〕7号"),
            ("reason", "案情复杂需要继续鉴定"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for kept in [
        "value=\"31\"",
        "value=\"扣押延期审批表〔2026〕7号\"",
        "value=\"案情复杂需要继续鉴定\"",
    ] {
        assert!(page.contains(kept), "{kept} not kept: {page}");
    }
    // A duty met (late) long after its day: done, not overdue.
    let old = open_deadline(&app, "compulsion.seizure", today - time::Duration::days(90)).await;
    let met = zhifa_domain::deadline::decide_met(&old, time::OffsetDateTime::now_utc());
    app.store
        .append(zhifa_domain::NewEvent {
            stream: zhifa_domain::StreamId::deadline(old.id),
            expected: zhifa_domain::event::Expected::Any,
            agency_id: app.fx.yaohai_market.id,
            actor: zhifa_domain::auth::Actor::system(),
            events: vec![met],
            side_effects: vec![],
        })
        .await
        .unwrap();
    let page = html(format!("/deadlines/{}", old.id)).await;
    assert!(
        page.contains("已完成（逾期后）") && !page.contains("逾期 "),
        "{page}"
    );
    let list = html("/deadlines?status=all".to_string()).await;
    assert!(list.contains("已完成（逾期后）"), "{list}");
    assert!(
        !list.contains("<strong class=\"bad\">已完成"),
        "a done duty is not marked overdue: {list}"
    );
}
both!(deadline_page_offers_what_the_rule_allows);
