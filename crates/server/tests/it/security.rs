//! Issue 9's security findings on signing in and the answers' envelope: redirects and
//! cross-site writes, security headers, bounded anonymous input, throttling, unlocks and
//! password changes. Each story reproduces the attack the finding describes.

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

/// Issue 9 finding 2: the login form redirected to `next=/\t/evil.example` (browsers drop the
/// tab and leave the site), a `next` with a line break gave a 500, and a login could be posted
/// from another site (login CSRF). Now `next` must be a path of this site, and a browser's
/// write from another site is refused before anything else, signed in or not.
async fn login_redirects_stay_on_the_site_and_other_sites_cannot_post(engine: Engine) {
    let app = spawn_app(engine).await;
    let form = |next: &str| {
        vec![
            ("username".to_string(), "officer".to_string()),
            ("password".to_string(), PASSWORD.to_string()),
            ("next".to_string(), next.to_string()),
        ]
    };
    for (next, expected) in [
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/officers\r\nSet-Cookie: a=b", "/"),
        ("/officers?q=%E5%BC%A0", "/officers?q=%E5%BC%A0"),
    ] {
        let r = app
            .anonymous()
            .post(app.url("/login"))
            .form(&form(next))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], expected, "{next:?}");
    }
    // Posted from another site: refused, no session opened, whether the browser says so with
    // Sec-Fetch-Site or only with Origin.
    let own_origin = format!("http://{}", app.addr);
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
        ("origin", "null"),
    ] {
        let r = app
            .anonymous()
            .post(app.url("/login"))
            .header(name, value)
            .form(&form("/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(r.headers().get("set-cookie").is_none(), "{name}: {value}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "cross_site");
    }
    // This site's own login page posts with its own origin (and same-origin): accepted.
    let r = app
        .anonymous()
        .post(app.url("/login"))
        .header("origin", &own_origin)
        .header("sec-fetch-site", "same-origin")
        .form(&form("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A signed-in write with a valid CSRF token is refused too when another site sends it.
    let head = app.login("head").await;
    let before = app.store.event_count().await.unwrap();
    let r = head
        .client
        .post(format!("{}/api/v1/officers/{}/trainings", head.base, app.fx.yaohai_officer.id))
        .header("x-csrf-token", &head.csrf)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"date": "2026-01-05", "course": "行政处罚法", "hours": 4, "provider": "省司法厅"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "cross_site"
    );
    assert_eq!(
        app.store.event_count().await.unwrap(),
        before,
        "nothing recorded"
    );
}
both!(login_redirects_stay_on_the_site_and_other_sites_cannot_post);

/// Issue 9 finding 8: pages and JSON carrying personal data had no Content-Security-Policy,
/// Referrer-Policy or `Cache-Control: no-store`. Now every answer has the CSP (no inline
/// script anywhere in the console, so the policy allows none) and the referrer policy, and
/// every answer to a credentialed request is `no-store`; public static files stay cacheable.
async fn answers_carry_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let csp_of = |r: &reqwest::Response| {
        r.headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    for path in [
        "/",
        "/officers",
        "/items",
        "/deadlines",
        "/ledger",
        "/api/v1/me",
        "/api/v1/officers",
    ] {
        let r = head.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let csp = csp_of(&r);
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.headers()["referrer-policy"], "same-origin", "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        let body = r.text().await.unwrap();
        // Nothing the policy would block: no inline script, no event-handler attribute.
        assert!(
            !body.contains("<script>") && !body.contains(" onclick="),
            "{path}"
        );
        for (i, _) in body.match_indices("<script") {
            assert!(
                body[i..].starts_with("<script src=\"/static/"),
                "{path}: inline script"
            );
        }
    }
    let anon = app.anonymous();
    let login = anon.get(app.url("/login")).send().await.unwrap();
    assert!(csp_of(&login).contains("form-action 'self'"));
    let css = head.get("/static/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()
            .get("cache-control")
            .is_none_or(|v| v != "no-store")
    );
}
both!(answers_carry_security_headers);

/// Issue 9 finding 7: a failed login stored the username as sent (900,000 characters went into
/// the access log). Now what an anonymous caller sends is bounded before it is stored.
async fn anonymous_input_is_bounded_before_it_is_stored(engine: Engine) {
    let app = spawn_app(engine).await;
    let huge = "a".repeat(900_000);
    let r = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": huge, "password": "x"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let auditor = app.login("auditor").await;
    let (_, log) = auditor.get_json("/api/v1/access-log?per_page=50").await;
    let longest = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["username"].as_str().unwrap_or("").chars().count())
        .max()
        .unwrap();
    assert!(
        longest <= 65,
        "an access-log username of {longest} characters"
    );
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["username"].as_str().unwrap_or("").starts_with("aaaa")),
        "the attempt itself is still logged"
    );
}
both!(anonymous_input_is_bounded_before_it_is_stored);

/// Issue 9 finding 4: five anonymous bad passwords locked any account, with no limit per
/// client. Now a client address past ten failures waits a delay that doubles with each further
/// failure — before any account is even looked up — and the wait passes.
async fn one_client_is_slowed_down_after_repeated_failures(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = app.anonymous();
    let try_login = |user: String, pw: &'static str| {
        let c = c.clone();
        let url = app.url("/api/v1/session");
        async move {
            let r = c
                .post(url)
                .json(&json!({"username": user, "password": pw}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    for i in 0..zhifa_server::throttle::FREE_FAILURES {
        let r = try_login(format!("nobody{i}"), "x").await;
        assert_eq!(r.0, StatusCode::UNAUTHORIZED, "{i}: {:?}", r.1);
    }
    // The 11th failure is still answered, and imposes a 1 s wait on this address.
    assert_eq!(
        try_login("nobody".into(), "x").await.0,
        StatusCode::UNAUTHORIZED
    );
    let slowed = try_login("officer".into(), PASSWORD).await;
    assert_error(
        &slowed,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        None,
    );
    assert!(slowed.1["message"].as_str().unwrap().contains("秒后再试"));
    // No account was counted while the address waited: the officer signs in once it passes.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        try_login("officer".into(), PASSWORD).await.0,
        StatusCode::OK
    );
}
both!(one_client_is_slowed_down_after_repeated_failures);

/// Issue 9 finding 4: a locked account had no unlock but time. The security administrator sees
/// the lock on the users page and lifts it (recorded in the access log); staff cannot, and an
/// administrator cannot unlock itself.
async fn the_security_administrator_unlocks_a_locked_account(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = app.anonymous();
    for _ in 0..5 {
        c.post(app.url("/api/v1/session"))
            .json(&json!({"username": "head", "password": "wrong"}))
            .send()
            .await
            .unwrap();
    }
    let right = || {
        c.post(app.url("/api/v1/session"))
            .json(&json!({"username": "head", "password": PASSWORD}))
            .send()
    };
    assert_eq!(
        right().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "locked"
    );
    let secadmin = app.login("secadmin").await;
    let page = secadmin
        .get("/users?per_page=100")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("登录锁定至") && page.contains("/unlock"),
        "{page}"
    );
    let (_, users) = secadmin.get_json("/api/v1/users?per_page=100").await;
    let id_of = |name: &str| {
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let head_id = id_of("head");
    // Staff may not unlock; nor may the administrator unlock itself (a security
    // administrator's account is the operator's to manage, issue 9 finding 3).
    let officer = app.login("officer").await;
    let (st, _) = officer
        .post(&format!("/api/v1/users/{head_id}/unlock"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(
        right().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "still locked"
    );
    let own = secadmin
        .post(
            &format!("/api/v1/users/{}/unlock", id_of("secadmin")),
            &json!({}),
        )
        .await;
    assert_error(&own, StatusCode::FORBIDDEN, "forbidden", None);
    // The console's 解锁 button.
    let r = secadmin
        .client
        .post(format!("{}/users/{head_id}/unlock", secadmin.base))
        .form(&[("_csrf", secadmin.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(right().await.unwrap().status(), StatusCode::OK, "unlocked");
    let (_, log) = app
        .login("auditor")
        .await
        .get_json("/api/v1/access-log?per_page=100")
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["username"] == "secadmin"
                && e["target"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/users/{head_id}/unlock"))
                && e["status"] == 303),
        "the unlock is recorded: {log}"
    );
}
both!(the_security_administrator_unlocks_a_locked_account);

/// Issue 9 finding 5: a password change did not end the user's other sessions, wrong current
/// passwords were never counted (20 tries, then the right one succeeded), and an earlier
/// password could be set again. Now the change ends every other session (the one making it
/// stays), none of the last five passwords may return, and wrong current passwords count
/// toward the lockout — reaching it ends every session of the account.
async fn password_changes_end_other_sessions_and_are_limited(engine: Engine) {
    let app = spawn_app(engine).await;
    let here = app.login("officer").await;
    let elsewhere = app.login("officer").await;
    let (st, b) = change(&here, PASSWORD, "Second@Passw0rd").await;
    assert!(st.is_success(), "{st} {b}");
    assert_eq!(
        here.get_json("/api/v1/me").await.0,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        elsewhere.get_json("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    // Back to the first password: refused (one of the last five).
    let back = change(&here, "Second@Passw0rd", PASSWORD).await;
    assert_error(
        &back,
        StatusCode::UNPROCESSABLE_ENTITY,
        "recently_used",
        Some("new_password"),
    );
    // Four more changes push the first one out of the last five; then it may return.
    let mut current = "Second@Passw0rd".to_string();
    for i in 3..=6 {
        let next = format!("Pass{i}@word{i}x");
        let (st, b) = change(&here, &current, &next).await;
        assert!(st.is_success(), "{i}: {st} {b}");
        current = next;
    }
    let (st, b) = change(&here, &current, PASSWORD).await;
    assert!(
        st.is_success(),
        "six changes later the first may return: {st} {b}"
    );
    // Guessing the current password from a session: counted, and the lock ends the session.
    for _ in 0..5 {
        let wrong = change(&here, "Guess@Passw0rd", "Other@Passw0rd9").await;
        assert_eq!(wrong.1["field"], "current_password", "{}", wrong.1);
    }
    assert_eq!(
        here.get_json("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the guessing session ended with the lock"
    );
    let r = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the account is locked"
    );
}
both!(password_changes_end_other_sessions_and_are_limited);

async fn change(s: &Session, from: &str, to: &str) -> (StatusCode, serde_json::Value) {
    s.post(
        "/api/v1/me/password",
        &json!({"current_password": from, "new_password": to}),
    )
    .await
}

/// Issue 9 finding 6: a connection sending partial headers, or a body shorter than declared,
/// stayed open > 45 s, and an upload declaring more than the limit was read on. Now headers
/// must arrive within the header-read timeout, a silent body is cut off after the body-idle
/// timeout, and a declared length over every limit is refused before any of it is read.
async fn slow_clients_are_cut_off_and_oversized_bodies_refused_up_front(engine: Engine) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(
        engine,
        zhifa_server::Settings {
            header_read_timeout_secs: 1,
            body_idle_timeout_secs: 1,
            ..Default::default()
        },
    )
    .await;
    // Reads until the server closes (or 6 s pass); returns what it said and how long it took.
    async fn until_closed(mut s: tokio::net::TcpStream) -> (String, std::time::Duration) {
        let started = std::time::Instant::now();
        let mut got = Vec::new();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(6), s.read_to_end(&mut got)).await;
        (
            String::from_utf8_lossy(&got).into_owned(),
            started.elapsed(),
        )
    }
    let connect = || tokio::net::TcpStream::connect(app.addr);
    // Headers never finished.
    let mut s = connect().await.unwrap();
    s.write_all(b"GET /login HTTP/1.1\r\nHost: zhifa\r\n")
        .await
        .unwrap();
    let (_, took) = until_closed(s).await;
    assert!(
        took < std::time::Duration::from_secs(4),
        "partial headers held the connection {took:?}"
    );
    // A body declared as 100 bytes, 5 sent.
    let mut s = connect().await.unwrap();
    s.write_all(
        b"POST /api/v1/session HTTP/1.1\r\nHost: zhifa\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"use",
    )
    .await
    .unwrap();
    let (said, took) = until_closed(s).await;
    assert!(
        took < std::time::Duration::from_secs(4),
        "a silent body held the connection {took:?}"
    );
    assert!(said.is_empty() || said.starts_with("HTTP/1.1 4"), "{said}");
    // An upload declaring more than any limit: refused without keeping any of it.
    let mut s = connect().await.unwrap();
    s.write_all(
        b"POST /api/v1/evidence HTTP/1.1\r\nHost: zhifa\r\nContent-Type: application/octet-stream\r\nContent-Length: 9999999999999\r\n\r\nabc",
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut head = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut head))
        .await
        .expect("an answer before the body is sent")
        .unwrap();
    let said = String::from_utf8_lossy(&head[..n]);
    assert!(said.starts_with("HTTP/1.1 413"), "{said}");
    // Answered once the client stops sending (the 1 s body-idle timeout), not after 9 TB.
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    // Normal requests are unaffected.
    app.login("officer").await;
}
both!(slow_clients_are_cut_off_and_oversized_bodies_refused_up_front);
