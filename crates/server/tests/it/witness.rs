//! REC-6 witnessing: an upper-tier instance cosigns a lower one's checkpoints (refusing forks),
//! and a lower instance pushes its checkpoints to its configured witnesses.

use crate::both;
use crate::helpers::*;
use serde_json::json;

/// An upper-level platform witnesses a lower one: it cosigns checkpoints that extend what it
/// saw, and refuses a fork with a clear error.
async fn an_instance_witnesses_another(engine: Engine) {
    let lower = spawn_app(engine).await;
    let upper = spawn_app(engine).await;
    let info = lower.store.ledger_info().await.unwrap();
    let admin = upper.login("sysadmin").await;
    let bad = admin
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": info.origin, "hash": "md5", "verifier_keys": info.verifier_keys}),
        )
        .await;
    assert_error(
        &bad,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("hash"),
    );
    let (st, _) = admin
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": info.origin, "hash": "sm3", "verifier_keys": info.verifier_keys}),
        )
        .await;
    assert_eq!(st, 201);
    let c = reqwest::Client::new();
    let push = |body: String| {
        let c = c.clone();
        let url = upper.url("/ledger/witness/add-checkpoint");
        async move {
            let r = c.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // First contact: from size 0.
    let note1 = lower.store.issue_checkpoint().await.unwrap().unwrap();
    let size1 = lower.store.event_count().await.unwrap();
    let body = zhifa_ledger::AddCheckpoint {
        old_size: 0,
        proof: vec![],
        checkpoint: note1.clone(),
    }
    .to_body();
    let (st, cosig) = push(body).await;
    assert_eq!(st, 200, "{cosig}");
    assert!(
        cosig.starts_with("— ") && cosig.contains("/witness"),
        "{cosig}"
    );
    // The log grows; the witness follows with a consistency proof.
    lower.change_officer_status("suspended", "调查").await;
    let note2 = lower.store.issue_checkpoint().await.unwrap().unwrap();
    let size2 = lower.store.event_count().await.unwrap();
    let proof = lower.store.consistency_proof(size1, size2).await.unwrap();
    let (st, out) = push(
        zhifa_ledger::AddCheckpoint {
            old_size: size1 as u64,
            proof,
            checkpoint: note2,
        }
        .to_body(),
    )
    .await;
    assert_eq!(st, 200, "{out}");
    let (_, logs) = admin.get_json("/api/v1/ledger/witnessed-logs").await;
    assert_eq!(logs[0]["size"], size2);
    // A fork: the same size signed with the log's own keys but another root.
    let pool_keys = lower.strings("SELECT private_key FROM ledger_keys").await;
    let signers: Vec<zhifa_ledger::Signer> = pool_keys
        .iter()
        .map(|k| zhifa_ledger::Signer::from_private_text(k).unwrap())
        .collect();
    let refs: Vec<&zhifa_ledger::Signer> = signers.iter().collect();
    let forged = zhifa_ledger::Checkpoint::new(
        &info.origin,
        zhifa_ledger::TreeHead {
            size: size2 as u64,
            root: zhifa_ledger::HashAlg::Sm3.leaf_hash(b"another history"),
        },
    )
    .sign(&refs)
    .unwrap()
    .to_string();
    let (st, out) = push(
        zhifa_ledger::AddCheckpoint {
            old_size: size2 as u64,
            proof: vec![],
            checkpoint: forged,
        }
        .to_body(),
    )
    .await;
    assert_eq!(st, 409, "a fork is refused: {out}");
    assert!(out.starts_with("fork: size"), "the witness says why: {out}");
    // A stale old size is a conflict, not a cosignature.
    let (st, out) = push(
        zhifa_ledger::AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: note1,
        }
        .to_body(),
    )
    .await;
    assert_eq!(st, 409);
    assert_eq!(
        out,
        format!("{size2}\n"),
        "C2SP: the witness answers with its size"
    );
    let (_, logs) = admin.get_json("/api/v1/ledger/witnessed-logs").await;
    assert_eq!(
        logs[0]["size"], size2,
        "nothing changed by the refused requests"
    );
    let (st, _) = push("not a request".into()).await;
    assert_eq!(st, 400);
}
both!(an_instance_witnesses_another);

/// Poll `f` until it is true (the witness push runs on its own schedule).
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..150 {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A lower-tier instance pushes its checkpoints to an upper-tier witness on a schedule; the
/// cosignatures it keeps verify with the witness's key; a lost record of pushes is recovered
/// from the witness's answer.
async fn checkpoints_are_pushed_to_a_witness(engine: Engine) {
    let upper = spawn_app(engine).await;
    let witness_url = upper.url("/ledger/witness");
    let lower = spawn_app_with(
        engine,
        zhifa_server::Settings {
            witnesses: vec![witness_url.clone()],
            witness_push_interval_secs: 1,
            ..Default::default()
        },
    )
    .await;
    // Until the upper tier follows this log, pushes fail and say why.
    eventually("a failed push is recorded", || async {
        lower
            .store
            .witness_pushes()
            .await
            .unwrap()
            .first()
            .is_some_and(|p| p.size == 0 && p.last_error.contains("HTTP 404"))
    })
    .await;
    let info = lower.store.ledger_info().await.unwrap();
    let (st, _) = upper
        .login("sysadmin")
        .await
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": info.origin, "hash": "sm3", "verifier_keys": info.verifier_keys}),
        )
        .await;
    assert_eq!(st, 201);
    let lower_size = || async { lower.store.event_count().await.unwrap() };
    eventually("the witness cosigns the current size", || async {
        let size = lower_size().await;
        let pushed = lower.store.witness_pushes().await.unwrap();
        pushed
            .first()
            .is_some_and(|p| p.size == size && p.last_error.is_empty())
    })
    .await;
    let (_, logs) = upper
        .login("sysadmin")
        .await
        .get_json("/api/v1/ledger/witnessed-logs")
        .await;
    assert_eq!(logs[0]["size"], lower_size().await);

    // The kept cosignature verifies with the witness's published key over the checkpoint.
    let witness_key = reqwest::get(upper.url("/ledger/witness/key"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let push = lower.store.witness_pushes().await.unwrap().remove(0);
    let note = lower.store.issue_checkpoint().await.unwrap().unwrap();
    let mut cosigned = zhifa_ledger::SignedNote::parse(&note).unwrap();
    cosigned.add_signatures(
        push.cosignature
            .lines()
            .map(|l| zhifa_ledger::note::NoteSignature::parse_line(l).unwrap()),
    );
    let keys = zhifa_ledger::TrustedKeys::from_text(witness_key.trim()).unwrap();
    let verified = cosigned.verify(&keys).unwrap();
    assert_eq!(verified.len(), 1, "the witness's cosignature verifies");

    // The log grows; the next push carries a consistency proof and is cosigned.
    lower.change_officer_status("suspended", "调查").await;
    let grown = lower_size().await;
    eventually("the grown log is cosigned", || async {
        lower
            .store
            .witness_pushes()
            .await
            .unwrap()
            .first()
            .is_some_and(|p| p.size == grown)
    })
    .await;

    // This instance loses its record of pushes (e.g. restored from an older backup of that
    // table): the witness answers with the size it holds and the push resumes from there.
    lower.raw("DELETE FROM witness_pushes").await;
    lower.change_officer_status("valid", "调查结束").await;
    let client = reqwest::Client::new();
    let r = zhifa_server::witness_push::push_once(&lower.state, &client, &witness_url).await;
    let now = lower_size().await;
    assert!(
        matches!(r, Ok(zhifa_server::witness_push::Pushed::Cosigned { size }) if size == now)
            || matches!(r, Ok(zhifa_server::witness_push::Pushed::UpToDate)),
        "{r:?}"
    );
    eventually("recovered", || async {
        lower
            .store
            .witness_pushes()
            .await
            .unwrap()
            .first()
            .is_some_and(|p| p.size == now && p.last_error.is_empty())
    })
    .await;
    // The console shows the witness and its cosigned size.
    let page = lower
        .login("head")
        .await
        .get("/ledger")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&witness_url) && page.contains(r#"<span class="badge valid">已联署</span>"#),
        "{page}"
    );
}
both!(checkpoints_are_pushed_to_a_witness);

/// REC-6: the witness state is events. Registration validates the origin and the keys (field
/// named); the cosigned head survives a rebuild of the projections; a stale old size is refused
/// (409 `text/x.tlog.size`) with nothing appended.
async fn witness_state_is_recorded_as_events(engine: Engine) {
    let lower = spawn_app(engine).await;
    let upper = spawn_app(engine).await;
    let info = lower.store.ledger_info().await.unwrap();
    let admin = upper.login("sysadmin").await;
    let before = upper.store.event_count().await.unwrap();
    let no_keys = admin
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": info.origin, "hash": "sm3", "verifier_keys": []}),
        )
        .await;
    assert!(no_keys.0.is_client_error(), "{no_keys:?}");
    assert_eq!(no_keys.1["field"], "verifier_keys", "{}", no_keys.1);
    let bad_origin = admin
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": "x", "hash": "sm3", "verifier_keys": info.verifier_keys}),
        )
        .await;
    assert!(bad_origin.0.is_client_error(), "{bad_origin:?}");
    assert_eq!(bad_origin.1["field"], "origin", "{}", bad_origin.1);
    assert_eq!(
        upper.store.event_count().await.unwrap(),
        before,
        "refusals record nothing"
    );
    let (st, _) = admin
        .post(
            "/api/v1/ledger/witnessed-logs",
            &json!({"origin": info.origin, "hash": "sm3", "verifier_keys": info.verifier_keys}),
        )
        .await;
    assert_eq!(st, 201);
    let stream = format!("witness-{}", info.origin);
    let events = upper.store.events_of_stream(&stream).await.unwrap();
    assert_eq!(events[0].kind, "WitnessedLogRegistered");
    let c = reqwest::Client::new();
    let push = |body: String| {
        let c = c.clone();
        let url = upper.url("/ledger/witness/add-checkpoint");
        async move {
            let r = c.post(url).body(body).send().await.unwrap();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (r.status().as_u16(), ct, r.text().await.unwrap())
        }
    };
    let note1 = lower.store.issue_checkpoint().await.unwrap().unwrap();
    let size1 = lower.store.event_count().await.unwrap();
    let (st, _, out) = push(
        zhifa_ledger::AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: note1.clone(),
        }
        .to_body(),
    )
    .await;
    assert_eq!(st, 200, "{out}");
    let events = upper.store.events_of_stream(&stream).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].kind, "WitnessCheckpointCosigned");
    // The projection is rebuilt from the log and holds the same head.
    let held = upper.store.witnessed_logs().await.unwrap();
    assert_eq!(held[0].size, size1);
    upper.store.rebuild().await.unwrap();
    assert_eq!(upper.store.witnessed_logs().await.unwrap(), held);
    let (_, logs) = admin.get_json("/api/v1/ledger/witnessed-logs").await;
    assert_eq!(logs[0]["size"], size1);
    // A stale old size after the log grew: 409 with the size held, nothing appended.
    lower.change_officer_status("suspended", "调查").await;
    let note2 = lower.store.issue_checkpoint().await.unwrap().unwrap();
    let count = upper.store.event_count().await.unwrap();
    let (st, ct, out) = push(
        zhifa_ledger::AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: note2,
        }
        .to_body(),
    )
    .await;
    assert_eq!((st, ct.as_str()), (409, "text/x.tlog.size"), "{out}");
    assert_eq!(out, format!("{size1}\n"));
    assert_eq!(
        upper.store.event_count().await.unwrap(),
        count,
        "nothing appended"
    );
    assert_eq!(upper.store.witnessed_logs().await.unwrap(), held);
}
both!(witness_state_is_recorded_as_events);
