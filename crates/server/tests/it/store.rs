use crate::both;
use crate::helpers::*;
use serde_json::json;
use zhifa_domain::auth::Actor;
use zhifa_domain::event::Expected;
use zhifa_domain::registry::*;
use zhifa_domain::{Event, NewEvent, StreamId};

async fn rebuild_reproduces_every_projection(engine: Engine) {
    let app = spawn_app(engine).await;
    let head = app.login("head").await;
    let (_, item) = head
        .post("/api/v1/items", &json!({"code": "XK-1", "name": "食品经营许可", "category": "license", "domain": "市场监管", "agency_id": app.fx.yaohai_market.id,
            "legal_bases": ["《中华人民共和国行政许可法》第三十八条"], "procedure": ["申请", "受理", "审查", "决定"], "time_limit": "二十个工作日",
            "review_body": "瑶海区人民政府", "effective_from": "2022-01-01"}))
        .await;
    let id = item["item_id"].as_str().unwrap();
    let (st, _) = head
        .post(&format!("/api/v1/items/{id}/versions"), &json!({"code": "XK-1", "name": "食品经营许可（新）", "category": "license", "domain": "市场监管", "agency_id": app.fx.yaohai_market.id,
            "legal_bases": ["《中华人民共和国行政许可法》第四十二条"], "procedure": ["申请", "受理", "决定"], "time_limit": "十五个工作日",
            "review_body": "瑶海区人民政府", "effective_from": "2024-01-01", "change_kind": "correction", "reason": "勘误"}))
        .await;
    assert_eq!(st, reqwest::StatusCode::CREATED);
    head.post(
        &format!("/api/v1/officers/{}/status", app.fx.yaohai_officer.id),
        &json!({"status": "suspended", "reason": "调查"}),
    )
    .await;
    head.post(
        &format!("/api/v1/officers/{}/trainings", app.fx.yaohai_officer.id),
        &json!({"date": "2025-01-02", "course": "培训", "hours": 8, "provider": "司法厅"}),
    )
    .await;
    let before = app.store.dump_projections().await.unwrap();
    assert!(
        before.len() > 20,
        "the dump covers the fixture: {}",
        before.len()
    );
    let n = app.store.rebuild().await.unwrap();
    assert_eq!(n as i64, app.store.event_count().await.unwrap());
    let after = app.store.dump_projections().await.unwrap();
    assert_eq!(before, after);
    // Sessions and credentials are not projections: people stay signed in and can still sign in.
    let (st, _) = head.get_json("/api/v1/me").await;
    assert_eq!(st, reqwest::StatusCode::OK);
    app.login("officer").await;
}
both!(rebuild_reproduces_every_projection);

async fn stale_versions_conflict_and_write_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let o = &app.fx.yaohai_officer;
    let stream = StreamId::officer(o.id);
    let version = app.store.stream_version(&stream.0).await.unwrap();
    let ev = |reason: &str| NewEvent {
        stream: stream.clone(),
        expected: Expected::Version(version),
        agency_id: o.agency_id,
        actor: Actor::system(),
        events: vec![Event::CertificateStatusChanged {
            officer_id: o.id,
            status: CertificateStatus::Suspended,
            reason: reason.into(),
        }],
        side_effects: vec![],
    };
    app.store.append(ev("第一次")).await.unwrap();
    let count = app.store.event_count().await.unwrap();
    let err = app.store.append(ev("基于旧版本")).await.unwrap_err();
    assert!(
        matches!(err, zhifa_store::StoreError::VersionConflict { actual, .. } if actual == Some(version + 1)),
        "{err}"
    );
    assert_eq!(app.store.event_count().await.unwrap(), count);
    let creating_again = NewEvent {
        expected: Expected::NoStream,
        ..ev("重复创建")
    };
    let err = app.store.append(creating_again).await.unwrap_err();
    assert!(
        matches!(
            err,
            zhifa_store::StoreError::VersionConflict { actual: None, .. }
        ),
        "{err}"
    );
    assert_eq!(app.store.event_count().await.unwrap(), count);
}
both!(stale_versions_conflict_and_write_nothing);

async fn concurrent_commands_share_commits(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.fx.yaohai_market.clone();
    let before = app.store.group_commit_stats();
    let count = app.store.event_count().await.unwrap();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200u32 {
        let store = app.store.clone();
        let a = a.clone();
        set.spawn(async move {
            let id = uuid::Uuid::now_v7();
            let d = OfficerDraft {
                agency_id: a.id,
                name: format!("并发{i}"),
                id_number: resident_id("340102", "19800101", i),
                certificate_no: format!("GC{i:05}"),
                categories: vec!["市场监管".into()],
                region: "340102".into(),
                valid_from: "2024-01-01".into(),
                valid_to: "2029-01-01".into(),
                legal_qualification: None,
            };
            let o = decide_register_officer(
                &Actor::system(),
                id,
                &d,
                &a,
                zhifa_server::service::today_cst(),
            )
            .unwrap();
            store
                .append(NewEvent {
                    stream: StreamId::officer(id),
                    expected: Expected::NoStream,
                    agency_id: a.id,
                    actor: Actor::system(),
                    events: vec![Event::OfficerRegistered((&o).into())],
                    side_effects: vec![],
                })
                .await
        });
    }
    // One command in the middle of a batch fails (duplicate certificate); the others still commit.
    let dup_id = uuid::Uuid::now_v7();
    let mut dup = app.fx.yaohai_officer.clone();
    dup.id = dup_id;
    let store = app.store.clone();
    set.spawn(async move {
        store
            .append(NewEvent {
                stream: StreamId::officer(dup_id),
                expected: Expected::NoStream,
                agency_id: dup.agency_id,
                actor: Actor::system(),
                events: vec![Event::OfficerRegistered((&dup).into())],
                side_effects: vec![],
            })
            .await
    });
    let mut ok = 0;
    let mut failed = 0;
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(recs) => {
                ok += 1;
                assert_eq!(recs.len(), 1);
            }
            Err(zhifa_store::StoreError::Duplicate { field }) => {
                failed += 1;
                assert_eq!(field, "certificate_no");
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((ok, failed), (200, 1));
    assert_eq!(app.store.event_count().await.unwrap(), count + 200);
    let after = app.store.group_commit_stats();
    let (tx, cmds) = (
        after.transactions - before.transactions,
        after.commands - before.commands,
    );
    assert_eq!(cmds, 201);
    assert!(
        tx < cmds,
        "group commit batched {cmds} commands into {tx} transactions"
    );
    // Sequence numbers are dense: no gaps from the failed command.
    let events = app
        .store
        .recent_events(&zhifa_domain::scope::Scope::everything(), &[], 1000)
        .await
        .unwrap();
    let mut seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    seqs.sort();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
}
both!(concurrent_commands_share_commits);
