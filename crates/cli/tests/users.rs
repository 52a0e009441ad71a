//! `zhifa users …` (issue 9 finding 3): the operator manages, on the server, the accounts no
//! administrator may manage in the console (security administrators, auditors) and the first
//! accounts of a deployment — through the same rules, recorded under the actor `system`, with
//! passwords read from standard input and changed at the first sign-in.

use std::io::Write;
use std::process::{Command, Stdio};

fn zhifa(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zhifa");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A data directory holding one registered agency (the province's justice department).
fn data_dir(dir: &std::path::Path) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = zhifa_store::Store::open_sqlite_dir(dir).await.unwrap();
        let id = uuid::Uuid::now_v7();
        let agency = zhifa_domain::registry::Agency {
            id,
            name: "安徽省司法厅".into(),
            credit_code: "11340000MB0000000X".into(),
            credit_code_override: None,
            kind: zhifa_domain::registry::AgencyKind::AdministrativeOrgan,
            level: zhifa_domain::registry::Level::Province,
            division_code: "340000".into(),
            parent_id: None,
            domain: "司法行政".into(),
            legal_basis: String::new(),
            path: format!("/{id}/"),
        };
        store
            .append(zhifa_domain::NewEvent {
                stream: zhifa_domain::StreamId::agency(id),
                expected: zhifa_domain::event::Expected::NoStream,
                agency_id: id,
                actor: zhifa_domain::auth::Actor::system(),
                events: vec![zhifa_domain::Event::AgencyRegistered((&agency).into())],
                side_effects: vec![],
            })
            .await
            .unwrap();
        store.close().await;
    });
}

#[test]
fn the_operator_manages_auditors_on_the_record() {
    let dir = std::env::temp_dir().join(format!("zhifa-users-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    data_dir(&dir);
    let d = dir.to_str().unwrap();
    let create = |roles: &[&str], pw: &str| {
        let mut args = vec![
            "users",
            "create",
            "--data-dir",
            d,
            "--username",
            "aud2",
            "--name",
            "第二审计员",
            "--agency",
            "安徽省司法厅",
        ];
        for r in roles {
            args.extend(["--role", r]);
        }
        zhifa(&args, pw)
    };
    // Roles that separate duties are refused, naming the field; a weak password too.
    let (code, _, err) = create(&["auditor", "security_admin"], "Temp-Passw0rd!1\n");
    assert_ne!(code, 0);
    assert!(err.contains("roles") && err.contains("三员分立"), "{err}");
    let (code, _, err) = create(&["auditor"], "short\n");
    assert_ne!(code, 0);
    assert!(err.contains("password"), "{err}");
    let (code, out, err) = create(&["auditor"], "Temp-Passw0rd!1\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("must be changed"), "{out}");
    for cmd in ["disable", "enable", "unlock"] {
        let (code, _, err) = zhifa(&["users", cmd, "--data-dir", d, "aud2"], "");
        assert_eq!(code, 0, "{cmd}: {err}");
    }
    let (code, _, err) = zhifa(
        &["users", "reset-password", "--data-dir", d, "aud2"],
        "Other-Passw0rd!2\n",
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = zhifa(&["users", "disable", "--data-dir", d, "nobody"], "");
    assert_ne!(code, 0);
    assert!(err.contains("nobody"), "{err}");
    // Every act is in the ledger, under the actor `system`.
    let recorded = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = zhifa_store::Store::open_sqlite_dir(&dir).await.unwrap();
        let user = store
            .user_by_username("aud2")
            .await
            .unwrap()
            .expect("created");
        assert_eq!(user.roles, vec![zhifa_domain::auth::Role::Auditor]);
        assert!(user.active);
        let cred = store.credential(user.id).await.unwrap().unwrap();
        assert!(
            cred.must_change,
            "the operator's password is changed at the first sign-in"
        );
        let events = store
            .events_of_stream(&zhifa_domain::StreamId::user(user.id).0)
            .await
            .unwrap();
        store.close().await;
        events
    });
    let kinds: Vec<&str> = recorded.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["UserCreated", "UserUpdated", "UserUpdated", "PasswordReset"]
    );
    assert!(recorded.iter().all(|e| e.actor_name == "system"));
    let _ = std::fs::remove_dir_all(&dir);
}
