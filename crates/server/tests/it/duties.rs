//! Issue 9 finding 3 (三员分立 per duty) and the passwords administrators set (finding 5):
//! which account an administrator may create, disable or reset; no account or token combining
//! separated roles; tokens that expire and list their last use; a password set by someone else
//! changed before anything else. Each story replays the probe's attack; every refusal is also
//! checked to have written nothing.

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;
use zhifa_domain::auth::{Actor, Role};
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::registry::{ApiToken, UserDraft};
use zhifa_domain::{Event, NewEvent, StreamId};

const TEMP: &str = "Temp-Passw0rd!1";

fn user_id(users: &Value, name: &str) -> String {
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap_or_else(|| panic!("{name} in {users}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The probe, as the security administrator: created auditor and security-admin accounts,
/// an account holding supervisor + security_admin, disabled the auditor, and issued a token
/// with officer + agency head. Each is refused now, naming the rule, and nothing is written;
/// what the duty allows (a system administrator's account, a business account) still works.
async fn the_security_administrator_grants_only_what_its_duty_allows(engine: Engine) {
    let app = spawn_app(engine).await;
    let sec = app.login("secadmin").await;
    let aid = app.fx.province_justice.id;
    let events = app.store.event_count().await.unwrap();
    let new_user = |name: &str, roles: &[&str]| {
        json!({"username": name, "display_name": "新账号", "agency_id": aid,
               "roles": roles, "password": TEMP})
    };
    for roles in [&["auditor"][..], &["security_admin"]] {
        let r = sec.post("/api/v1/users", &new_user("peer", roles)).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
        assert!(
            r.1["message"].as_str().unwrap().contains("zhifa users"),
            "{}",
            r.1
        );
    }
    let r = sec
        .post(
            "/api/v1/users",
            &new_user("mixed", &["supervisor", "security_admin"]),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "separation_of_duties",
        Some("roles"),
    );
    let r = sec
        .post(
            "/api/v1/tokens",
            &json!({"name": "办案系统", "agency_id": app.fx.yaohai_market.id,
                    "roles": ["officer", "agency_head"]}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "separation_of_duties",
        Some("roles"),
    );
    let (_, users) = sec.get_json("/api/v1/users?per_page=100").await;
    let auditor = user_id(&users, "auditor");
    for (path, body) in [
        (
            format!("/api/v1/users/{auditor}/active"),
            json!({"active": false}),
        ),
        (format!("/api/v1/users/{auditor}/unlock"), json!({})),
        (
            format!("/api/v1/users/{auditor}/password"),
            json!({"password": TEMP}),
        ),
    ] {
        let r = sec.post(&path, &body).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden", None);
    }
    assert_eq!(
        app.store.event_count().await.unwrap(),
        events,
        "nothing written"
    );
    let login = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "auditor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK, "the auditor still signs in");
    // What the duty allows.
    let (st, _) = sec
        .post("/api/v1/users", &new_user("sysadmin2", &["system_admin"]))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = sec
        .post(
            "/api/v1/users",
            &new_user("pub5", &["publisher", "supervisor"]),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    // The console offers only the roles this administrator may grant.
    let page = sec.get("/users").await.text().await.unwrap();
    assert!(page.contains("value=\"system_admin\""), "{page}");
    assert!(!page.contains("value=\"auditor\"") && !page.contains("value=\"security_admin\""));
    assert!(
        page.contains("由运维管理"),
        "the auditor's row offers no action"
    );
    // The operator (zhifa users, on the server) manages the auditor's kind, on the record.
    let op = zhifa_server::service::operator(&app.state).await.unwrap();
    let draft = UserDraft {
        username: "auditor2".into(),
        display_name: "第二审计员".into(),
        agency_id: aid,
        roles: vec![Role::Auditor],
        officer_id: None,
        password: TEMP.into(),
    };
    let created = zhifa_server::service::create_user(&app.state, &op, &draft)
        .await
        .unwrap();
    let recorded = app
        .store
        .events_of_stream(&StreamId::user(created.id).0)
        .await
        .unwrap();
    assert_eq!(recorded[0].kind, "UserCreated");
    assert_eq!(recorded[0].actor_name, "system");
}
both!(the_security_administrator_grants_only_what_its_duty_allows);

/// A password an administrator set (creation or reset) must be changed before anything else;
/// the change frees the session; a reset ends the account's sessions and forces it again, and
/// the previous passwords cannot come back.
async fn a_password_set_by_an_administrator_is_changed_first(engine: Engine) {
    let app = spawn_app(engine).await;
    let sec = app.login("secadmin").await;
    let (st, created) = sec
        .post(
            "/api/v1/users",
            &json!({"username": "pub3", "display_name": "公示员", "agency_id": app.fx.yaohai_market.id,
                    "roles": ["publisher"], "password": TEMP}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let s = app.login_with("pub3", TEMP).await;
    let (_, me) = s.get_json("/api/v1/me").await;
    assert_eq!(me["must_change_password"], true);
    assert_error(
        &s.get_json("/api/v1/items").await,
        StatusCode::FORBIDDEN,
        "password_change_required",
        None,
    );
    let page = s.get("/items").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/account/password");
    // The console's page changes it.
    let form = s.get("/account/password").await.text().await.unwrap();
    assert!(form.contains("密码由管理员设置"), "{form}");
    let r = s
        .client
        .post(format!("{}/account/password", s.base))
        .form(&[
            ("_csrf", s.csrf.as_str()),
            ("current_password", TEMP),
            ("new_password", FIRST_CHANGE),
            ("confirm_password", FIRST_CHANGE),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (st, _) = s.get_json("/api/v1/items").await;
    assert_eq!(st, StatusCode::OK, "the same session carries on");
    // A reset by the administrator ends the session and forces a change again.
    let id = created["id"].as_str().unwrap();
    let (st, _) = sec
        .post(
            &format!("/api/v1/users/{id}/password"),
            &json!({"password": TEMP}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        s.get_json("/api/v1/items").await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = app.login_with("pub3", TEMP).await;
    let (_, me) = again.get_json("/api/v1/me").await;
    assert_eq!(me["must_change_password"], true);
    let back = again
        .post(
            "/api/v1/me/password",
            &json!({"current_password": TEMP, "new_password": FIRST_CHANGE}),
        )
        .await;
    assert_error(
        &back,
        StatusCode::UNPROCESSABLE_ENTITY,
        "recently_used",
        Some("new_password"),
    );
    // The reset is on the record, and only administrators of accounts read it.
    let (_, events) = sec
        .get_json(&format!("/api/v1/events?stream=user-{id}"))
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["UserCreated", "PasswordChanged", "PasswordReset"]);
    let (st, _) = app
        .login("officer")
        .await
        .get_json(&format!("/api/v1/events?stream=user-{id}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
both!(a_password_set_by_an_administrator_is_changed_first);

/// Tokens expire (default 90 days, settable at issue) and are listed with their last use; an
/// expired, revoked or unknown token is refused with why, and the refusal is logged.
async fn tokens_expire_and_are_listed_with_their_last_use(engine: Engine) {
    let app = spawn_app(engine).await;
    let sec = app.login("secadmin").await;
    let (st, issued) = sec
        .post(
            "/api/v1/tokens",
            &json!({"name": "办案系统", "agency_id": app.fx.yaohai_market.id, "roles": ["officer"]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{issued}");
    let expires = time::OffsetDateTime::parse(
        issued["token"]["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!(
        (89 * 24..=90 * 24).contains(&days),
        "default 90 days: {days} h"
    );
    let bad = sec
        .post(
            "/api/v1/tokens",
            &json!({"name": "x", "agency_id": app.fx.yaohai_market.id, "roles": ["officer"], "lifetime_days": 400}),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "out_of_range",
        Some("lifetime_days"),
    );
    let secret = issued["secret"].as_str().unwrap();
    let (_, before) = sec.get_json("/api/v1/tokens").await;
    assert_eq!(before[0]["last_used_at"], Value::Null);
    let bearer = |t: &str| {
        let t = t.to_string();
        let url = app.url("/api/v1/items");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(bearer(secret).await.status(), StatusCode::OK);
    let (_, after) = sec.get_json("/api/v1/tokens").await;
    assert!(after[0]["last_used_at"].as_str().is_some(), "{after}");
    assert_eq!(after[0]["usable"], true);
    // A token whose lifetime has passed (recorded as issued a year ago for 30 days).
    let old = ApiToken {
        id: Uuid::now_v7(),
        name: "旧系统".into(),
        agency_id: app.fx.yaohai_market.id,
        roles: vec![Role::Officer],
        created_by: Uuid::nil(),
        revoked: false,
        expires_at: time::OffsetDateTime::now_utc() - time::Duration::days(335),
    };
    let old_secret = "zf_expired-token-for-the-test";
    app.store
        .append(NewEvent {
            stream: StreamId::token(old.id),
            expected: Expected::NoStream,
            agency_id: old.agency_id,
            actor: Actor::system(),
            events: vec![Event::ApiTokenIssued((&old).into())],
            side_effects: vec![SideEffect::SetTokenHash {
                token_id: old.id,
                hash: zhifa_server::auth::sha256_hex(old_secret),
            }],
        })
        .await
        .unwrap();
    for (token, why) in [(old_secret, "过期"), ("zf_nonsense", "无效")] {
        let r = bearer(token).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "bad_token");
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    let (_, list) = sec.get_json("/api/v1/tokens").await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "旧系统")
        .unwrap();
    assert_eq!(listed["usable"], false);
    let page = sec.get("/users").await.text().await.unwrap();
    assert!(
        page.contains("已过期") && page.contains("从未使用"),
        "{page}"
    );
    let (_, log) = app
        .login("auditor")
        .await
        .get_json("/api/v1/access-log?action=bad_token")
        .await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{log}");
    assert!(
        items
            .iter()
            .all(|e| e["client"] == "127.0.0.1" && e["status"] == 401)
    );
}
both!(tokens_expire_and_are_listed_with_their_last_use);
