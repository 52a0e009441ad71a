//! Issue 9 findings 7–10: refused and anonymous attempts in the access log with the client's
//! address, the auditor's filters and pages, the per-address limit on anonymous requests,
//! `Secure` cookies by default, and one error shape (field named, Chinese message, one code
//! per condition, no type names, HTML for browsers).

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn entries(log: &Value) -> &Vec<Value> {
    log["items"].as_array().expect("a page of entries")
}

/// Anonymous 401s, CSRF and cross-site refusals and failed sign-ins are logged with the
/// client's address (they were not), and every filter of the access log works (`stream` was
/// ignored): by action, username, address, status and time, newest first, in pages.
async fn refused_attempts_are_logged_with_addresses_and_the_filters_work(engine: Engine) {
    let app = spawn_app(engine).await;
    let anon = app.anonymous();
    let r = anon.get(app.url("/api/v1/officers")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let failed = anon
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "head", "password": "wrong-Passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let officer = app.login("officer").await;
    let no_csrf = officer
        .client
        .post(format!("{}/api/v1/me/password", officer.base))
        .json(&json!({"current_password": "x", "new_password": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let cross = anon
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "officer"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let auditor = app.login("auditor").await;
    let one = |q: &str| {
        let q = q.to_string();
        let auditor = &auditor;
        async move {
            let (st, log) = auditor.get_json(&format!("/api/v1/access-log?{q}")).await;
            assert_eq!(st, StatusCode::OK, "{q}: {log}");
            log
        }
    };
    let refused = one("action=refused").await;
    assert!(
        entries(&refused)
            .iter()
            .any(|e| e["target"] == "GET /api/v1/officers"
                && e["status"] == 401
                && e["username"] == ""
                && e["client"] == "127.0.0.1"),
        "{refused}"
    );
    let csrf = one("action=csrf_refused&username=officer").await;
    assert_eq!(entries(&csrf).len(), 1, "{csrf}");
    assert_eq!(entries(&csrf)[0]["target"], "POST /api/v1/me/password");
    let cross_log = one("action=cross_site_refused").await;
    assert_eq!(entries(&cross_log)[0]["target"], "POST /login");
    let login_failed = one("action=login_failed&username=head").await;
    assert_eq!(entries(&login_failed)[0]["client"], "127.0.0.1");
    let by_status = one("status=403").await;
    assert!(entries(&by_status).len() >= 2);
    assert!(entries(&by_status).iter().all(|e| e["status"] == 403));
    assert!(entries(&one("client=192.0.2.1").await).is_empty());
    assert!(entries(&one("from=2099-01-01T00:00:00%2B08:00").await).is_empty());
    // Pages: newest first, no entry twice, none left out, the cursor of the last page null.
    // (The auditor's own reads are logged as it pages: the walk may see a few more.)
    let all = one("per_page=500").await;
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = one(&format!("per_page=3{after}")).await;
        let ats: Vec<i64> = entries(&page)
            .iter()
            .map(|e| e["at"].as_i64().unwrap())
            .collect();
        assert!(
            ats.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {ats:?}"
        );
        seen.extend(entries(&page).iter().map(|e| e.to_string()));
        match page["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no entry twice");
    for e in entries(&all) {
        assert!(seen.contains(&e.to_string()), "{e} on a page");
    }
    assert_error(
        &auditor.get_json("/api/v1/access-log?from=yesterday").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("from"),
    );
    // The console's filters read the same.
    let page = auditor
        .get("/audit?action=csrf_refused&username=officer")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("POST /api/v1/me/password") && page.contains("127.0.0.1"),
        "{page}"
    );
    assert!(
        !page.contains("GET /api/v1/officers<"),
        "filtered out: {page}"
    );
}
both!(refused_attempts_are_logged_with_addresses_and_the_filters_work);

/// Anonymous requests get a per-address budget (finding 7: no rate limit); signed-in callers
/// and the site's static files are not counted.
async fn anonymous_requests_are_limited_per_address(engine: Engine) {
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            anonymous_burst: 5,
            anonymous_per_second: 1,
            ..Default::default()
        },
    )
    .await;
    let session = app.login("officer").await;
    let anon = app.anonymous();
    // The sign-in above took one request of the budget.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(anon.get(app.url("/api/v1/officers")).send().await.unwrap());
    }
    let last = statuses.pop().unwrap();
    assert!(
        statuses
            .iter()
            .all(|r| r.status() == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(last.headers().contains_key("retry-after"));
    let body: Value = last.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(session.get("/api/v1/items").await.status(), StatusCode::OK);
    let css = anon.get(app.url("/static/app.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
}
both!(anonymous_requests_are_limited_per_address);

/// Finding 8: the session cookie was `Secure` only with `--secure-cookies`; now it is unless
/// the server runs with `--insecure-http` (as the test apps and the loopback demo do).
async fn session_cookies_are_secure_by_default(engine: Engine) {
    let app = spawn_app(engine).await;
    let state = zhifa_server::AppState::new(
        app.store.clone(),
        zhifa_server::Settings::default(),
        app.evidence.clone(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            zhifa_server::router(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let cookie_of = |base: String| async move {
        let r = reqwest::Client::new()
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": "officer", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.headers()["set-cookie"].to_str().unwrap().to_string()
    };
    let secure = cookie_of(format!("http://{addr}")).await;
    assert!(
        secure.contains("; Secure") && secure.contains("HttpOnly"),
        "{secure}"
    );
    let insecure = cookie_of(app.url("")).await;
    assert!(!insecure.contains("Secure"), "{insecure}");
}
both!(session_cookies_are_secure_by_default);

/// Finding 10: query-string errors named no field, deserializer messages leaked type names,
/// ledger and calendar errors were English, 413 came with two codes, and the console's CSRF
/// refusal was raw JSON.
async fn every_error_has_one_shape(engine: Engine) {
    // The declared-length refusal waits for the body to go idle: keep that wait short.
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            body_idle_timeout_secs: 1,
            ..Default::default()
        },
    )
    .await;
    let head = app.login("head").await;
    let q = head.get_json("/api/v1/officers?per_page=abc").await;
    assert_error(&q, StatusCode::BAD_REQUEST, "bad_field", Some("per_page"));
    assert!(q.1["message"].as_str().unwrap().contains("整数"), "{}", q.1);
    let sec = app.login("secadmin").await;
    for (body, field) in [
        (
            json!({"username": "x1", "display_name": "某", "agency_id": app.fx.yaohai_market.id, "roles": "publisher", "password": "Aa1!aaaaaaaa"}),
            "roles",
        ),
        (
            json!({"username": "x1", "display_name": "某", "agency_id": "not-a-uuid", "roles": ["publisher"], "password": "Aa1!aaaaaaaa"}),
            "agency_id",
        ),
        (
            json!({"username": "x1", "display_name": "某", "agency_id": app.fx.yaohai_market.id, "roles": ["boss"], "password": "Aa1!aaaaaaaa"}),
            "roles[0]",
        ),
        (json!("a string"), ""),
    ] {
        let r = sec.post("/api/v1/users", &body).await;
        assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.1);
        let m = r.1["message"].as_str().unwrap();
        for leak in [
            "struct",
            "expected",
            "Vec",
            "Uuid",
            "UserDraft",
            "invalid type",
        ] {
            assert!(!m.contains(leak), "{m}");
        }
        if !field.is_empty() {
            assert_eq!(r.1["field"], field, "{}", r.1);
        }
    }
    let r = sec
        .post(
            "/api/v1/users",
            &json!({"username": "x1", "display_name": "某", "agency_id": app.fx.yaohai_market.id, "roles": ["boss"], "password": "Aa1!aaaaaaaa"}),
        )
        .await;
    assert!(
        r.1["message"].as_str().unwrap().contains("security_admin"),
        "the options: {}",
        r.1
    );
    // One code for one condition: a JSON body over the limit and a declared upload over it.
    let big = json!({"text": "年".repeat(400_000)});
    let too_big = head.post("/api/v1/calendar/notices", &big).await;
    assert_error(&too_big, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None);
    let declared = app
        .anonymous()
        .post(app.url("/api/v1/evidence?kind=photo&file_name=a.jpg"))
        .header("content-length", "9999999999999")
        .header("authorization", "Bearer zf_whatever")
        .body("")
        .send()
        .await;
    let r = declared.expect("answered before the body");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "too_large");
    // Calendar and ledger refusals in Chinese, naming the field.
    let cal = head
        .get_json("/api/v1/calendar/due?start=2026-02-30&length=5&unit=workdays")
        .await;
    assert_error(
        &cal,
        StatusCode::UNPROCESSABLE_ENTITY,
        "calendar",
        Some("start"),
    );
    assert!(
        cal.1["message"].as_str().unwrap().contains("日期"),
        "{}",
        cal.1
    );
    let unit = head
        .get_json("/api/v1/calendar/due?start=2026-03-02&length=5&unit=weeks")
        .await;
    assert!(
        unit.1["message"].as_str().unwrap().contains("期限单位"),
        "{}",
        unit.1
    );
    let proof = head.get_json("/api/v1/ledger/proof/inclusion?seq=0").await;
    assert_error(&proof, StatusCode::BAD_REQUEST, "bad_request", Some("seq"));
    assert!(
        proof.1["message"].as_str().unwrap().contains("序号"),
        "{}",
        proof.1
    );
    // The console's CSRF refusal is a page, not JSON.
    let r = head
        .client
        .post(format!("{}/officers", head.base))
        .header("accept", "text/html")
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("CSRF") && page.contains("<html"), "{page}");
}
both!(every_error_has_one_shape);

/// Finding 4's last part: sessions opened before an account locked stayed valid. A lock now
/// ends them (whoever is guessing may hold one); the owner signs in again after the unlock.
async fn a_lock_ends_the_sessions_already_open(engine: Engine) {
    let app = spawn_app(engine).await;
    let open = app.login("officer").await;
    assert_eq!(open.get("/api/v1/me").await.status(), StatusCode::OK);
    let anon = app.anonymous();
    for _ in 0..app.state.settings.max_failed_logins {
        let r = anon
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": "officer", "password": "Wrong-Passw0rd!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        open.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the session opened before the lock ended with it"
    );
    let other = app.login("head").await;
    assert_eq!(
        other.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "others unaffected"
    );
}
both!(a_lock_ends_the_sessions_already_open);

/// The review's findings on the gate: a flood of bad tokens is limited like any anonymous
/// request (each writes an access-log entry); another `Authorization` scheme (Basic, from a
/// proxy) leaves the session cookie to decide; behind trusted proxies the client is the
/// right-most address that is not one of them.
async fn the_gate_limits_bad_tokens_and_reads_proxies_right_to_left(engine: Engine) {
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            anonymous_burst: 5,
            anonymous_per_second: 1,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap(), "10.0.0.1".parse().unwrap()],
            ..Default::default()
        },
    )
    .await;
    let session = app.login("officer").await;
    let basic = session
        .client
        .get(format!("{}/api/v1/me", session.base))
        .header("authorization", "Basic b2ZmaWNlcjp4")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK, "the cookie decides");
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = client
            .get(app.url("/api/v1/items"))
            .header("authorization", "bearer zf_flood")
            .header("x-forwarded-for", "not-an-address, 203.0.113.9, 10.0.0.1")
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let auditor = app.login("auditor").await;
    let (_, log) = auditor
        .get_json("/api/v1/access-log?action=bad_token")
        .await;
    let items = entries(&log);
    assert!(!items.is_empty() && items.len() < 6, "bounded: {log}");
    assert!(
        items.iter().all(|e| e["client"] == "203.0.113.9"),
        "the client behind the proxies: {log}"
    );
    // A date past the calendar's end is a 400 on the console's filter, not a panic.
    let r = auditor.get("/audit?until=9999-12-31").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
both!(the_gate_limits_bad_tokens_and_reads_proxies_right_to_left);
