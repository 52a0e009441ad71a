//! Issue 9, finding 1: what each role may read of each event kind (`privacy::may_read_event`)
//! and of each personal value (`privacy::view_payload`), on every read path of records — the
//! events feed, a stream's history, the proof page, packages and the console pages.

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;

use zhifa_domain::privacy::ACCOUNT_KINDS;

fn kinds(feed: &serde_json::Value) -> Vec<String> {
    feed.as_array()
        .expect("a list of records")
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Officers saw the account administration of their agency (UserCreated, ApiTokenIssued…);
/// now only the security administrator and the auditor read it, on every path, and the path
/// answers a hidden record exactly as one out of scope (404).
async fn account_administration_is_hidden_from_staff(engine: Engine) {
    let app = spawn_app(engine).await;
    let auditor = app.login("auditor").await;
    let officer = app.login("officer").await;
    let (_, me) = officer.get_json("/api/v1/me").await;
    let user_id = me["user_id"].as_str().expect("my id").to_string();
    let stream = format!("user-{user_id}");

    // The auditor reads the officer's account stream and finds its creation.
    let (st, history) = auditor
        .get_json(&format!("/api/v1/events?stream={stream}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{history}");
    let created = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "UserCreated")
        .expect("the account's creation")
        .clone();
    let seq = created["seq"].as_i64().unwrap();

    // The officer: not in the feed, not by stream, not as a proof, not as a package.
    let (st, feed) = officer.get_json("/api/v1/events?limit=1000").await;
    assert_eq!(st, StatusCode::OK);
    let seen = kinds(&feed);
    assert!(
        !seen.is_empty(),
        "the officer still reads its agency's records"
    );
    for k in ACCOUNT_KINDS {
        assert!(!seen.iter().any(|s| s == k), "officer read {k}");
    }
    let (st, _) = officer
        .get_json(&format!("/api/v1/events?stream={stream}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = officer
        .get_json(&format!("/api/v1/ledger/package?stream={stream}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = officer
        .get_json(&format!("/api/v1/ledger/package?seq={seq}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let page = officer.get(&format!("/ledger/events/{seq}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    for path in ["/", "/ledger"] {
        let html = officer.get(path).await.text().await.unwrap();
        assert!(
            !html.contains("创建用户"),
            "{path} shows account administration"
        );
    }

    // The auditor and the security administrator read it on every path.
    let secadmin = app.login("secadmin").await;
    for who in [&auditor, &secadmin] {
        let (_, feed) = who.get_json("/api/v1/events?limit=1000").await;
        assert!(kinds(&feed).iter().any(|k| k == "UserCreated"));
        let (st, _) = who
            .get_json(&format!("/api/v1/ledger/package?seq={seq}"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            who.get(&format!("/ledger/events/{seq}")).await.status(),
            StatusCode::OK
        );
    }
}
both!(account_administration_is_hidden_from_staff);

/// Every read path of records, as every signed-in role: no officer's ID number in clear for a
/// role without `Permission::ViewPersonalData`, in full for one with it.
async fn personal_values_follow_one_rule_on_every_record_path(engine: Engine) {
    let app = spawn_app(engine).await;
    let o = &app.fx.yaohai_officer;
    let full = o.id_number.clone();
    let masked = zhifa_domain::privacy::mask_id_number(&full);
    let stream = format!("officer-{}", o.id);
    let head = app.login("head").await;
    let (_, history) = head
        .get_json(&format!("/api/v1/events?stream={stream}"))
        .await;
    let seq = history[0]["seq"].as_i64().expect("the registration");
    for (user, may_see) in [
        ("officer", false),
        ("supervisor", false),
        ("auditor", false),
        ("head", true),
        ("sysadmin", true),
    ] {
        let s = app.login(user).await;
        let mut bodies = Vec::new();
        for path in [
            format!("/api/v1/events?stream={stream}"),
            "/api/v1/events?limit=1000".to_string(),
            format!("/ledger/events/{seq}"),
            format!("/officers/{}", o.id),
            "/".to_string(),
            "/audit".to_string(),
        ] {
            let r = s.get(&path).await;
            if r.status() == StatusCode::OK {
                bodies.push((path, r.text().await.unwrap()));
            }
        }
        assert!(bodies.len() >= 3, "{user} read too few paths");
        for (path, body) in &bodies {
            if !may_see {
                assert!(
                    !body.contains(&full),
                    "{user} read {full} in clear at {path}"
                );
            }
        }
        let history = &bodies[0].1;
        assert!(
            history.contains(if may_see { &full } else { &masked }),
            "{user}: {history}"
        );
    }
}
both!(personal_values_follow_one_rule_on_every_record_path);
