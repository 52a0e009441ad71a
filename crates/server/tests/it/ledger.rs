//! REC-6: every event is a leaf of a signed Merkle log; tampering with the database behind the
//! store's back is detected and the first bad index is named.

use crate::both;
use crate::helpers::*;
use serde_json::json;
use zhifa_ledger::{TrustedKeys, VerifierKey, open_checkpoint, verify_inclusion};

async fn raw(app: &TestApp, sql: &str) {
    app.raw(sql).await
}

async fn events_are_leaves_and_checkpoints_verify(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    head.post(
        &format!("/api/v1/officers/{}/status", app.fx.yaohai_officer.id),
        &json!({"status": "suspended", "reason": "调查"}),
    )
    .await;
    let count = app.store.event_count().await.unwrap();
    let note = app
        .store
        .issue_checkpoint()
        .await
        .unwrap()
        .expect("a checkpoint");
    let info = app.store.ledger_info().await.unwrap();
    assert_eq!(info.size, count, "one leaf per event");
    assert_eq!(info.hash, "sm3");
    assert_eq!(info.verifier_keys.len(), 2, "SM2 and Ed25519");
    let keys: TrustedKeys = info
        .verifier_keys
        .iter()
        .map(|k| VerifierKey::from_text(k).unwrap())
        .collect();
    let cp = open_checkpoint(&note, &keys, Some(&info.origin))
        .unwrap()
        .checkpoint;
    assert_eq!(cp.size as i64, count);
    assert!(
        note.lines().filter(|l| l.starts_with('—')).count() == 2,
        "signed by both keys:\n{note}"
    );
    // Every event's inclusion proof verifies against the signed root.
    let alg = zhifa_ledger::HashAlg::Sm3;
    for seq in [1, count / 2, count] {
        let (index, proof) = app.store.inclusion_proof(seq, count).await.unwrap();
        assert_eq!(index, (seq - 1) as u64);
        let hash = zhifa_ledger::tiles::leaf_hash_from_tiles(
            alg,
            &full_tiles(&app, count).await,
            index,
            count as u64,
        )
        .unwrap();
        verify_inclusion(alg, &hash, index, cp.size, &proof, &cp.root).unwrap();
    }
    // The first event has no personal data: its leaf is computable by anyone from the record.
    let first = app
        .store
        .events_of_stream(&format!("agency-{}", app.fx.province.id))
        .await
        .unwrap()
        .remove(0);
    let leaf = zhifa_store::leaf_input_of(alg, &first, None).unwrap();
    let (i, proof) = app.store.inclusion_proof(first.seq, count).await.unwrap();
    verify_inclusion(alg, &alg.leaf_hash(&leaf), i, cp.size, &proof, &cp.root).unwrap();
    // Consistency between an old and the new size.
    let old = zhifa_ledger::tiles::root_from_tiles(alg, &full_tiles(&app, count).await, 5).unwrap();
    let cons = app.store.consistency_proof(5, count).await.unwrap();
    zhifa_ledger::verify_consistency(alg, &old, &cp.tree_head(), &cons).unwrap();
    // The whole log audits clean.
    let report = app.store.audit(None, None).await.unwrap().unwrap();
    assert_eq!(report.checkpoint.size as i64, count);
}
both!(events_are_leaves_and_checkpoints_verify);

async fn full_tiles(app: &TestApp, size: i64) -> zhifa_ledger::MemoryTiles {
    // Proof material as an outside auditor would fetch it (the store's own API).
    let mut t = zhifa_ledger::MemoryTiles::new();
    for id in zhifa_ledger::tiles::all_tiles(size as u64) {
        if let Some(bytes) = app.store.ledger_tile(id).await.unwrap() {
            t.put(id, bytes);
        }
    }
    t
}

async fn tampering_is_detected(engine: Engine) {
    // An edited event. Without the background signer: this test places every checkpoint
    // itself, and a signature landing between its restore and its audit (seen once on
    // PostgreSQL: MissingTail instead of Rollback) would change what it audits.
    let app = spawn_app_without_signer(engine).await;
    app.store.issue_checkpoint().await.unwrap();
    raw(
        &app,
        "UPDATE events SET payload = REPLACE(payload, '测试1', '测试9') WHERE seq = 9",
    )
    .await;
    let err = app.store.audit(None, None).await.unwrap().unwrap_err();
    assert!(
        err.to_string().contains('8'),
        "first bad index is 8 (seq 9): {err}"
    );
    assert!(
        matches!(err, zhifa_ledger::AuditError::EditedLeaf { index: 8, .. }),
        "{err:?}"
    );

    // A deleted event in the middle.
    let app = spawn_app_without_signer(engine).await;
    app.store.issue_checkpoint().await.unwrap();
    raw(&app, "DELETE FROM events WHERE seq = 4").await;
    let err = app.store.audit(None, None).await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            zhifa_ledger::AuditError::MissingLeaf { index: 3, .. }
                | zhifa_ledger::AuditError::EditedLeaf { index: 3, .. }
        ),
        "{err:?}"
    );

    // Two events swapped.
    let app = spawn_app_without_signer(engine).await;
    app.store.issue_checkpoint().await.unwrap();
    raw(
        &app,
        "UPDATE events SET payload = CASE seq WHEN 5 THEN (SELECT payload FROM events WHERE seq = 6) \
         ELSE (SELECT payload FROM events WHERE seq = 5) END WHERE seq IN (5, 6)",
    )
    .await;
    let err = app.store.audit(None, None).await.unwrap().unwrap_err();
    assert_eq!(
        err.leaf_index(),
        Some(4),
        "first bad index is 4 (seq 5): {err:?}"
    );

    // An event inserted in the middle (later ones renumbered to make room).
    let app = spawn_app_without_signer(engine).await;
    app.store.issue_checkpoint().await.unwrap();
    raw(&app, "UPDATE events SET seq = -seq - 1 WHERE seq >= 3").await;
    raw(&app, "UPDATE events SET seq = -seq WHERE seq < 0").await;
    raw(
        &app,
        "INSERT INTO events (seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at) \
         SELECT 3, '00000000-0000-7000-8000-000000000abc', 'forged-stream', 1, kind, payload, actor_id, actor_name, agency_id, recorded_at FROM events WHERE seq = 2",
    )
    .await;
    let err = app.store.audit(None, None).await.unwrap().unwrap_err();
    assert_eq!(
        err.leaf_index(),
        Some(2),
        "first bad index is 2 (seq 3): {err:?}"
    );

    // A rolled-back database: the auditor kept a later checkpoint than what the store now shows.
    let app = spawn_app_without_signer(engine).await;
    app.store.issue_checkpoint().await.unwrap();
    let kept = app.store.issue_checkpoint().await.unwrap().unwrap();
    let head = app.login("head").await;
    head.post(
        &format!("/api/v1/officers/{}/status", app.fx.yaohai_officer.id),
        &json!({"status": "suspended", "reason": "调查"}),
    )
    .await;
    let later = app.store.issue_checkpoint().await.unwrap().unwrap();
    assert_ne!(kept, later);
    // Restored from a backup taken at `kept`: its checkpoint back, the later event gone.
    let kept_size = kept.lines().nth(1).unwrap();
    raw(&app, "DELETE FROM checkpoints").await;
    raw(
        &app,
        &format!(
            "INSERT INTO checkpoints (size, note, at) VALUES ({kept_size}, '{}', 0)",
            kept.replace('\'', "''")
        ),
    )
    .await;
    let n = app.store.event_count().await.unwrap();
    raw(&app, &format!("DELETE FROM events WHERE seq = {n}")).await;
    let err = app
        .store
        .audit(Some(later), None)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, zhifa_ledger::AuditError::Rollback { .. }),
        "{err:?}"
    );
}
both!(tampering_is_detected);

async fn ledger_api_serves_checkpoints_proofs_and_tiles(engine: Engine) {
    let app = spawn_app(engine).await;
    let c = app.anonymous();
    let note = c
        .get(app.url("/ledger/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys_text = c
        .get(app.url("/ledger/keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys = zhifa_ledger::TrustedKeys::from_text(&keys_text).unwrap();
    let cp = open_checkpoint(&note, &keys, None).unwrap().checkpoint;
    assert_eq!(cp.size as i64, app.store.event_count().await.unwrap());
    // The level-0 tile is public, exact and as stored; beyond the signed size there is nothing.
    let width = zhifa_ledger::tiles::tile_width(0, 0, cp.size).unwrap();
    let id = zhifa_ledger::TileId {
        level: 0,
        index: 0,
        width,
    };
    let r = c
        .get(app.url(&format!("/ledger/{}", id.path())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.len(), width as usize * 32);
    let mut t = zhifa_ledger::MemoryTiles::new();
    t.put(id, bytes.to_vec());
    assert_eq!(
        zhifa_ledger::tiles::root_from_tiles(zhifa_ledger::HashAlg::Sm3, &t, cp.size)
            .unwrap()
            .root,
        cp.root,
        "the tile alone reproduces the signed root"
    );
    let r = c
        .get(app.url("/ledger/tile/0/000.p/255"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c.get(app.url("/ledger/tile/zz")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Proofs through the API.
    let s = app.login("auditor").await;
    let (st, p) = s.get_json("/api/v1/ledger/proof/inclusion?seq=3").await;
    assert_eq!(st, 200, "{p}");
    let hashes: Vec<zhifa_ledger::Hash> = p["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| zhifa_ledger::Hash::from_hex(h.as_str().unwrap()).unwrap())
        .collect();
    let leaf =
        zhifa_ledger::tiles::leaf_hash_from_tiles(zhifa_ledger::HashAlg::Sm3, &t, 2, cp.size)
            .unwrap();
    verify_inclusion(
        zhifa_ledger::HashAlg::Sm3,
        &leaf,
        2,
        cp.size,
        &hashes,
        &cp.root,
    )
    .unwrap();
    let (st, e) = s
        .get_json(&format!(
            "/api/v1/ledger/proof/inclusion?seq=3&size={}",
            cp.size + 100
        ))
        .await;
    assert_eq!((st.as_u16(), e["field"].as_str()), (400, Some("size")));
    let (st, _) = s.get_json("/api/v1/ledger/proof/consistency?old=2").await;
    assert_eq!(st, 200);
}
both!(ledger_api_serves_checkpoints_proofs_and_tiles);

async fn erasure_removes_personal_data_and_keeps_every_proof(engine: Engine) {
    let app = spawn_app(engine).await;
    let id_number = app.fx.yaohai_officer.id_number.clone();
    app.store.issue_checkpoint().await.unwrap();
    let before = app.store.issue_checkpoint().await.unwrap().unwrap();
    let officer_admin = zhifa_domain::auth::Actor {
        roles: vec![zhifa_domain::auth::Role::Officer],
        ..zhifa_domain::auth::Actor::system()
    };
    let refused =
        zhifa_server::service::erase_subject(&app.state, &officer_admin, &id_number, "个人申请")
            .await
            .unwrap_err();
    assert_eq!(zhifa_server::error::ApiError::from(refused).status, 403);
    let erased = zhifa_server::service::erase_subject(
        &app.state,
        &zhifa_domain::auth::Actor::system(),
        &id_number,
        "当事人依法申请删除",
    )
    .await
    .unwrap();
    assert_eq!(erased.len(), 1, "the officer's registration held the ID");
    // The value is gone from the log and from every projection.
    let stream = app
        .store
        .events_of_stream(&format!("officer-{}", app.fx.yaohai_officer.id))
        .await
        .unwrap();
    assert!(!stream[0].payload.to_string().contains(&id_number));
    assert!(stream[0].payload.to_string().contains("$commit"));
    assert!(
        app.store
            .dump_projections()
            .await
            .unwrap()
            .iter()
            .all(|row| !row.contains(&id_number))
    );
    let (o, _) = app
        .store
        .officer(app.fx.yaohai_officer.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.id_number, zhifa_domain::event::ERASED);
    // The erasure is itself recorded, and the whole log still verifies against the checkpoint
    // signed before it — the earlier proofs are unchanged.
    let last = app.store.events_of_stream("erasure").await.unwrap();
    assert_eq!(last[0].kind, "PersonalDataErased");
    assert!(!last[0].payload.to_string().contains(&id_number));
    app.store.issue_checkpoint().await.unwrap();
    app.store.audit(Some(before), None).await.unwrap().unwrap();
    // Nothing left to erase a second time.
    assert!(
        zhifa_server::service::erase_subject(
            &app.state,
            &zhifa_domain::auth::Actor::system(),
            &id_number,
            "重复"
        )
        .await
        .unwrap()
        .is_empty()
    );
}
both!(erasure_removes_personal_data_and_keeps_every_proof);

#[tokio::test]
async fn a_sha256_log_is_chosen_at_creation_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        zhifa_store::Store::open_sqlite_dir_with(dir.path(), Some(zhifa_ledger::HashAlg::Sha256))
            .await
            .unwrap();
    let state = zhifa_server::AppState::new(
        store.clone(),
        zhifa_server::Settings::default(),
        zhifa_evidence::EvidenceStore::local(&dir.path().join("evidence")).unwrap(),
    )
    .await
    .unwrap();
    zhifa_server::service::import_notice(
        &state,
        &zhifa_domain::auth::Actor::system(),
        "year: 2027\ndocument: 测试〔2026〕5号\n\noff 元旦 2027-01-01..2027-01-03\n",
    )
    .await
    .unwrap();
    let note = store.issue_checkpoint().await.unwrap().unwrap();
    let info = store.ledger_info().await.unwrap();
    assert_eq!(info.hash, "sha256");
    // With SHA-256 the one-leaf root is the plain RFC 6962 leaf hash: SHA-256(0x00 || leaf input).
    let ev = store.events_of_stream("calendar").await.unwrap().remove(0);
    let input = zhifa_store::leaf_input_of(zhifa_ledger::HashAlg::Sha256, &ev, None).unwrap();
    let mut prefixed = vec![0u8];
    prefixed.extend_from_slice(&input);
    let expected = <sha2::Sha256 as sha2::Digest>::digest(&prefixed);
    let keys: TrustedKeys = info
        .verifier_keys
        .iter()
        .map(|k| VerifierKey::from_text(k).unwrap())
        .collect();
    let cp = open_checkpoint(&note, &keys, None).unwrap().checkpoint;
    assert_eq!(cp.root.0.as_slice(), expected.as_slice());
    store.audit(None, None).await.unwrap().unwrap();
    store.close().await;
    let err =
        zhifa_store::Store::open_sqlite_dir_with(dir.path(), Some(zhifa_ledger::HashAlg::Sm3))
            .await
            .err()
            .expect("hash is fixed at creation");
    assert!(err.to_string().contains("sha256"), "{err}");
}

/// What an operator with database access and the log's own signing keys can do: rewrite an
/// event, recompute every leaf and tile, and sign a new checkpoint of the same size. Returns
/// the forged checkpoint.
async fn fork_history(app: &TestApp, edit_sql: &str) -> String {
    raw(app, edit_sql).await;
    macro_rules! forge {
        ($pool:expr) => {{
            let pool = $pool;
            let rows = sqlx::query_as::<
                _,
                (i64, String, String, i64, String, String, String, String, String, i64),
            >(
                "SELECT seq, id, stream, version, kind, payload, actor_id, actor_name, agency_id, recorded_at \
                 FROM events ORDER BY seq",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let salts: std::collections::HashMap<i64, Vec<u8>> =
                sqlx::query_as::<_, (i64, Vec<u8>)>("SELECT seq, salt FROM event_salts")
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect();
            let mut log = zhifa_ledger::MerkleLog::new(zhifa_ledger::HashAlg::Sm3);
            for r in rows {
                let rec = zhifa_store::Recorded {
                    seq: r.0,
                    id: r.1.parse().unwrap(),
                    stream: r.2,
                    version: r.3,
                    kind: r.4,
                    payload: serde_json::from_str(&r.5).unwrap(),
                    actor_id: r.6.parse().unwrap(),
                    actor_name: r.7,
                    agency_id: r.8.parse().unwrap(),
                    recorded_at: r.9,
                };
                let salt = salts
                    .get(&rec.seq)
                    .map(|b| zhifa_ledger::Salt(b.as_slice().try_into().unwrap()));
                log.append(
                    &zhifa_store::leaf_input_of(zhifa_ledger::HashAlg::Sm3, &rec, salt.as_ref())
                        .unwrap(),
                );
            }
            sqlx::query("DELETE FROM ledger_tiles").execute(&pool).await.unwrap();
            for w in log.take_tile_writes() {
                sqlx::query("INSERT INTO ledger_tiles (level, idx, bytes) VALUES ($1, $2, $3) \
                             ON CONFLICT (level, idx) DO UPDATE SET bytes = excluded.bytes")
                    .bind(i64::from(w.tile.level))
                    .bind(w.tile.index as i64)
                    .bind(w.bytes)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            let keys: Vec<zhifa_ledger::Signer> =
                sqlx::query_as::<_, (String,)>("SELECT private_key FROM ledger_keys")
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|k| zhifa_ledger::Signer::from_private_text(&k.0).unwrap())
                    .collect();
            let refs: Vec<&zhifa_ledger::Signer> = keys.iter().collect();
            let origin = app.store.ledger_info().await.unwrap().origin;
            let note = log.checkpoint(&origin).sign(&refs).unwrap().to_string();
            sqlx::query("DELETE FROM checkpoints").execute(&pool).await.unwrap();
            sqlx::query("INSERT INTO checkpoints (size, note, at) VALUES ($1, $2, 0)")
                .bind(log.size() as i64)
                .bind(note.as_str())
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            note
        }};
    }
    match app.engine {
        Engine::Sqlite => forge!(sqlx::SqlitePool::connect(&app.db_url).await.unwrap()),
        Engine::Postgres => forge!(sqlx::PgPool::connect(&app.db_url).await.unwrap()),
    }
}

/// A forked history shown to two auditors: the operator rewrites an event, recomputes the whole
/// tree and re-signs it with the log's own keys. An auditor with no kept checkpoint is fooled
/// (which is why checkpoints are kept and witnessed); the auditor who kept the earlier
/// checkpoint sees the fork; and the two auditors' checkpoints — same size, both validly
/// signed, different roots — are proof of it.
async fn a_forked_history_is_exposed_by_a_kept_checkpoint(engine: Engine) {
    let app = spawn_app(engine).await;
    let auditor_a = app.store.issue_checkpoint().await.unwrap().unwrap();
    let forged = fork_history(
        &app,
        "UPDATE events SET payload = REPLACE(payload, '测试1', '测试9') WHERE seq = 9",
    )
    .await;
    // Auditor B only ever saw the forged history: everything is consistent for them.
    let report = app
        .store
        .audit(Some(forged.clone()), None)
        .await
        .unwrap()
        .unwrap();
    assert!(report.consistent_with_trusted);
    // Auditor A kept the checkpoint from before.
    let err = app
        .store
        .audit(Some(auditor_a.clone()), None)
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            err,
            zhifa_ledger::AuditError::Fork { .. }
                | zhifa_ledger::AuditError::TrustedRootMismatch { .. }
        ),
        "{err:?}"
    );
    // Put side by side, the two signed checkpoints are the evidence of the fork.
    let keys = app.ledger_keys().await;
    let a = open_checkpoint(&auditor_a, &keys, None).unwrap().checkpoint;
    let b = open_checkpoint(&forged, &keys, None).unwrap().checkpoint;
    assert_eq!(a.size, b.size);
    assert_ne!(a.root, b.root);
}
both!(a_forked_history_is_exposed_by_a_kept_checkpoint);

async fn checkpoint_rows(app: &TestApp) -> Vec<i64> {
    app.ints("SELECT size FROM checkpoints ORDER BY size").await
}

/// Checkpoints are signed within milliseconds of each commit, but only the last one of each
/// second is kept as history: the table grows by at most a row a second, and the latest one
/// always covers the whole log.
async fn checkpoints_are_signed_at_once_and_thinned_to_one_a_second(engine: Engine) {
    let app = spawn_app(engine).await;
    let start = std::time::Instant::now();
    for i in 0..6 {
        app.change_officer_status(if i % 2 == 0 { "suspended" } else { "valid" }, "调查")
            .await;
        let n = app.store.event_count().await.unwrap();
        let note = app.store.issue_checkpoint().await.unwrap().unwrap();
        assert_eq!(note.lines().nth(1), Some(n.to_string().as_str()));
    }
    let elapsed = start.elapsed().as_secs() as usize;
    let rows = checkpoint_rows(&app).await;
    assert!(
        rows.len() <= elapsed + 2,
        "{} rows for {elapsed} s: {rows:?}",
        rows.len()
    );
    assert_eq!(
        *rows.last().unwrap(),
        app.store.event_count().await.unwrap()
    );
    // Any earlier size is still provable from the tiles.
    let (st, proof) = app
        .login("auditor")
        .await
        .get_json("/api/v1/ledger/proof/consistency?old=3")
        .await;
    assert_eq!(st, 200, "{proof}");
}
both!(checkpoints_are_signed_at_once_and_thinned_to_one_a_second);

/// After an erasure the console still names every record in Chinese: the home page and the
/// audit page decode stored payloads the way the projections do (`decode_stored`), so an
/// erased officer registration reads 登记执法人员, not its raw kind.
async fn pages_label_erased_records_in_chinese(engine: Engine) {
    let app = spawn_app(engine).await;
    zhifa_server::service::erase_subject(
        &app.state,
        &zhifa_domain::auth::Actor::system(),
        &app.fx.yaohai_officer.id_number,
        "当事人依法申请删除",
    )
    .await
    .unwrap();
    let home = app.login("head").await.get("/").await.text().await.unwrap();
    assert!(home.contains("登记执法人员"), "{home}");
    assert!(!home.contains("OfficerRegistered"), "{home}");
    let audit = app
        .login("auditor")
        .await
        .get("/audit")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("登记执法人员"), "{audit}");
    assert!(!audit.contains("OfficerRegistered"), "{audit}");
}
both!(pages_label_erased_records_in_chinese);

/// A read only reads: anonymous `GET /ledger/checkpoint`, the API's ledger state and the
/// console's ledger page serve the latest checkpoint the background signer stored and never
/// sign or insert one. Before the first is signed the public endpoint answers 503.
async fn reads_never_sign_or_write_checkpoints(engine: Engine) {
    let app = spawn_app_without_signer(engine).await;
    let rows = || async { app.ints("SELECT size FROM checkpoints").await };
    assert!(rows().await.is_empty(), "nothing signed yet");
    let anon = app.anonymous();
    for _ in 0..5 {
        let r = anon
            .get(app.url("/ledger/checkpoint"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "no_checkpoint", "{body}");
    }
    let head = app.login("head").await;
    assert_eq!(head.get("/ledger").await.status(), 200);
    assert_eq!(head.get("/api/v1/ledger").await.status(), 200);
    assert!(rows().await.is_empty(), "no GET wrote a checkpoint");
    // Once one is signed (as the signer does), reads serve it and still write nothing.
    app.store.issue_checkpoint().await.unwrap().unwrap();
    let before = rows().await;
    app.change_officer_status("suspended", "调查").await;
    for _ in 0..5 {
        let r = anon
            .get(app.url("/ledger/checkpoint"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(head.get("/ledger").await.status(), 200);
    assert_eq!(
        rows().await,
        before,
        "the grown log is not signed by a read"
    );

    // With `serve`'s signer, a fresh checkpoint covers each commit within milliseconds.
    let app = spawn_app(engine).await;
    app.change_officer_status("suspended", "调查").await;
    let n = app.store.event_count().await.unwrap();
    let mut note = String::new();
    for _ in 0..100 {
        note = app
            .anonymous()
            .get(app.url("/ledger/checkpoint"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if note.lines().nth(1) == Some(n.to_string().as_str()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(note.lines().nth(1), Some(n.to_string().as_str()), "{note}");
}
both!(reads_never_sign_or_write_checkpoints);

/// REC-6: an erasure is one transaction — rewrite, record, rebuild. When recording it fails
/// (here: a stale expected version of the erasure stream) no payload is rewritten, no salt is
/// deleted, no event is appended and the projections still hold the value.
async fn a_failed_erasure_changes_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let id_number = app.fx.yaohai_officer.id_number.clone();
    let stream = format!("officer-{}", app.fx.yaohai_officer.id);
    let events_before = app.store.event_count().await.unwrap();
    let payload_before = app.store.events_of_stream(&stream).await.unwrap()[0]
        .payload
        .clone();
    let salts_before = app.ints("SELECT seq FROM event_salts ORDER BY seq").await;
    let projections_before = app.store.dump_projections().await.unwrap();
    let err = app
        .store
        .erase(
            &id_number,
            &zhifa_store::Erasure {
                stream: zhifa_domain::StreamId("erasure".into()),
                expected: zhifa_domain::event::Expected::Version(7),
                actor: zhifa_domain::auth::Actor::system(),
                reason: "当事人依法申请删除".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, zhifa_store::StoreError::VersionConflict { .. }),
        "{err:?}"
    );
    assert_eq!(app.store.event_count().await.unwrap(), events_before);
    assert_eq!(
        app.store.events_of_stream(&stream).await.unwrap()[0].payload,
        payload_before
    );
    assert!(payload_before.to_string().contains(&id_number));
    assert_eq!(
        app.ints("SELECT seq FROM event_salts ORDER BY seq").await,
        salts_before
    );
    assert_eq!(
        app.store.dump_projections().await.unwrap(),
        projections_before
    );
    assert!(
        app.store
            .events_of_stream("erasure")
            .await
            .unwrap()
            .is_empty()
    );
    // The same erasure at the right version does everything at once.
    let erased = zhifa_server::service::erase_subject(
        &app.state,
        &zhifa_domain::auth::Actor::system(),
        &id_number,
        "当事人依法申请删除",
    )
    .await
    .unwrap();
    assert_eq!(erased.len(), 1);
    assert_eq!(app.store.event_count().await.unwrap(), events_before + 1);
    let (o, _) = app
        .store
        .officer(app.fx.yaohai_officer.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.id_number, zhifa_domain::event::ERASED);
    app.store.issue_checkpoint().await.unwrap();
    app.store.audit(None, None).await.unwrap().unwrap();
}
both!(a_failed_erasure_changes_nothing);

/// Issue 9 finding 12: an inclusion proof for `size=1` came with the checkpoint of the latest
/// size, against which it cannot verify. A proof now comes with the checkpoint of its own size
/// when one is kept, and with none otherwise; every checkpoint given verifies the proof.
async fn proofs_come_with_the_checkpoint_of_their_size(engine: Engine) {
    let app = spawn_app(engine).await;
    let s = app.login("auditor").await;
    let kept = checkpoint_rows(&app).await;
    let latest = *kept.last().expect("a signed checkpoint");
    let info = app.store.ledger_info().await.unwrap();
    let keys = TrustedKeys::from_text(&info.verifier_keys.join("\n")).unwrap();
    let mut without = 0;
    for size in 1..=latest {
        let (st, p) = s
            .get_json(&format!("/api/v1/ledger/proof/inclusion?seq=1&size={size}"))
            .await;
        assert_eq!(st, 200, "{p}");
        assert_eq!(p["tree_size"], size);
        match p["checkpoint"].as_str() {
            Some(note) => {
                let cp = open_checkpoint(note, &keys, Some(&info.origin))
                    .unwrap()
                    .checkpoint;
                assert_eq!(cp.size as i64, size, "a checkpoint of another size");
                assert!(kept.contains(&size));
            }
            None => {
                assert!(!kept.contains(&size), "size {size} has a kept checkpoint");
                without += 1;
            }
        }
        let (_, c) = s
            .get_json(&format!(
                "/api/v1/ledger/proof/consistency?old=1&new={size}"
            ))
            .await;
        if let Some(note) = c["checkpoint"].as_str() {
            let cp = open_checkpoint(note, &keys, Some(&info.origin))
                .unwrap()
                .checkpoint;
            assert_eq!(cp.size as i64, size);
        }
    }
    assert!(without > 0, "thinning left sizes without a checkpoint");
}
both!(proofs_come_with_the_checkpoint_of_their_size);
