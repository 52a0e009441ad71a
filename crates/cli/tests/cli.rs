//! The command line as a clerk uses it.

use std::process::Command;

fn zhifa(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn validate_prints_one_line_per_value_and_fails_on_any_error() {
    let (code, out, _) = zhifa(&[
        "validate",
        "id",
        "11010519491231002X",
        "110105194912310021",
        "11010519490230002X",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "11010519491231002X ok");
    assert!(
        lines[1].starts_with("110105194912310021 error: ") && lines[1].contains("校验码"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("11010519490230002X error: "),
        "{}",
        lines[2]
    );
    let (code, out, _) = zhifa(&["validate", "division", "340102", "341400"]);
    assert_eq!((code, out.as_str()), (0, "340102 ok\n341400 ok\n"));
    let (code, out, _) = zhifa(&["validate", "uscc", "91340100MA2"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("91340100MA2 error: "));
    let (code, _, err) = zhifa(&["validate", "passport", "x"]);
    assert_ne!(code, 0);
    assert!(err.contains("id、uscc 或 division"), "{err}");
}

#[test]
fn help_lists_the_commands() {
    let (code, out, _) = zhifa(&["--help"]);
    assert_eq!(code, 0);
    for c in ["serve", "demo", "rebuild", "validate"] {
        assert!(out.contains(c), "{c} in help");
    }
}

#[test]
fn calendar_lines_for_people_and_scripts() {
    let (code, out, _) = zhifa(&[
        "calendar",
        "is-workday",
        "2026-10-01",
        "2026-10-10",
        "2027-01-01",
    ]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "2026-10-01 holiday\n2026-10-10 workday\n2027-01-01 holiday provisional\n"
        )
    );
    let (code, out, _) = zhifa(&["calendar", "is-workday", "2026-02-30"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("2026-02-30 error: "), "{out}");
    let (code, out, _) = zhifa(&["calendar", "add", "2026-09-30", "7", "--unit", "workdays"]);
    assert_eq!((code, out.as_str()), (0, "2026-10-15\n"));
    let (code, out, _) = zhifa(&[
        "calendar",
        "add",
        "2026-09-30",
        "7",
        "--unit",
        "workdays",
        "--explain",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("跳过 2026-10-01 国庆节") && out.contains("计入 2026-10-10"),
        "{out}"
    );
    let (code, _, err) = zhifa(&["calendar", "add", "2026-09-30", "7", "--unit", "fortnights"]);
    assert_ne!(code, 0);
    assert!(err.contains("fortnights"), "{err}");
}

#[test]
fn calendar_import_is_kept_in_the_data_dir() {
    let dir = std::env::temp_dir().join(format!("zhifa-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let notice = dir.with_extension("notice");
    // Made up for the test: the real 2027 notice is not published yet.
    std::fs::write(&notice, "year: 2027\ndocument: 测试通知〔2026〕2号\n\noff 元旦 2027-01-01..2027-01-03\nwork 春节 2027-02-07\noff 春节 2027-02-06, 2027-02-08..2027-02-12\n").unwrap();
    let d = dir.to_str().unwrap();
    let (code, out, err) = zhifa(&[
        "calendar",
        "import",
        notice.to_str().unwrap(),
        "--data-dir",
        d,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported 2027"), "{out}");
    let (_, out, _) = zhifa(&[
        "calendar",
        "is-workday",
        "2027-02-07",
        "2027-01-01",
        "--data-dir",
        d,
    ]);
    assert_eq!(
        out, "2027-02-07 workday\n2027-01-01 holiday\n",
        "no longer provisional"
    );
    let (code, _, err) = zhifa(&["calendar", "import", "/nonexistent.notice", "--data-dir", d]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent.notice"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&notice);
}

#[test]
fn verify_detects_an_edited_event_in_the_data_dir() {
    let dir = std::env::temp_dir().join(format!("zhifa-verify-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let notice = dir.with_extension("notice");
    std::fs::write(
        &notice,
        "year: 2027\ndocument: 测试通知〔2026〕4号\n\noff 元旦 2027-01-01..2027-01-03\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    assert_eq!(
        zhifa(&[
            "calendar",
            "import",
            notice.to_str().unwrap(),
            "--data-dir",
            d
        ])
        .0,
        0
    );
    let (code, _, err) = zhifa(&["verify", "--data-dir", d]);
    assert_ne!(code, 0, "nothing signed yet");
    assert!(err.contains("checkpoint"), "{err}");
    let (code, note, _) = zhifa(&["ledger", "checkpoint", "--data-dir", d]);
    assert_eq!(code, 0);
    assert_eq!(
        note.lines().nth(1),
        Some("1"),
        "size line of the checkpoint:\n{note}"
    );
    let kept = dir.with_extension("checkpoint");
    std::fs::write(&kept, &note).unwrap();
    let (code, out, err) = zhifa(&[
        "verify",
        "--data-dir",
        d,
        "--trusted-checkpoint",
        kept.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: 1 events"), "{out}");
    let (_, keys, _) = zhifa(&["ledger", "keys", "--data-dir", d]);
    assert_eq!(keys.lines().count(), 2);
    // Edit the recorded notice behind the platform's back.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("zhifa.db").display()))
                .await
                .unwrap();
        sqlx::query("UPDATE events SET payload = REPLACE(payload, '4号', '5号') WHERE seq = 1")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let (code, _, err) = zhifa(&["verify", "--data-dir", d]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("FAILED: ") && err.contains("leaf 0 was edited"),
        "names leaf 0: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&notice);
    let _ = std::fs::remove_file(&kept);
}

/// A data directory holding one evidence record and its file, with a signed checkpoint.
/// Returns the record's stream and the file's bytes.
fn data_dir_with_evidence(dir: &std::path::Path) -> (String, Vec<u8>) {
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 253) as u8).collect();
    let stream = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = zhifa_store::Store::open_sqlite_dir(dir).await.unwrap();
        let files = zhifa_evidence::EvidenceStore::local(&dir.join("evidence")).unwrap();
        let chunks: Vec<Result<bytes::Bytes, String>> = bytes
            .chunks(65_536)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        let content = files
            .put_stream(
                zhifa_ledger::HashAlg::Sm3,
                futures_util::stream::iter(chunks),
                1 << 30,
            )
            .await
            .unwrap();
        let id = uuid::Uuid::now_v7();
        let now = time::OffsetDateTime::now_utc();
        // Evidence belongs to a registered body (its reads are scoped by the body's path).
        let agency = zhifa_domain::registry::Agency {
            id: uuid::Uuid::now_v7(),
            name: "瑶海区市场监督管理局".into(),
            credit_code: "11340102MB0000000X".into(),
            credit_code_override: None,
            kind: zhifa_domain::registry::AgencyKind::AdministrativeOrgan,
            level: zhifa_domain::registry::Level::County,
            division_code: "340102".into(),
            parent_id: None,
            domain: "市场监管".into(),
            legal_basis: String::new(),
            path: String::new(),
        };
        let agency = zhifa_domain::registry::Agency {
            path: format!("/{}/", agency.id),
            ..agency
        };
        store
            .append(zhifa_domain::NewEvent {
                stream: zhifa_domain::StreamId::agency(agency.id),
                expected: zhifa_domain::event::Expected::NoStream,
                agency_id: agency.id,
                actor: zhifa_domain::auth::Actor::system(),
                events: vec![zhifa_domain::Event::AgencyRegistered((&agency).into())],
                side_effects: vec![],
            })
            .await
            .unwrap();
        let e = zhifa_domain::evidence::Evidence {
            id,
            agency_id: agency.id,
            kind: zhifa_domain::evidence::EvidenceKind::Video,
            file_name: "现场执法记录.mp4".into(),
            media_type: "video/mp4".into(),
            hash_alg: "sm3".into(),
            hash: content.hash.to_hex(),
            size: content.size,
            recorded_at: Some(now - time::Duration::hours(2)),
            received_at: now,
            received_by: "officer".into(),
            late: false,
            description: String::new(),
        };
        store
            .append(zhifa_domain::NewEvent {
                stream: zhifa_domain::StreamId::evidence(id),
                expected: zhifa_domain::event::Expected::NoStream,
                agency_id: e.agency_id,
                actor: zhifa_domain::auth::Actor::system(),
                events: vec![zhifa_domain::Event::EvidenceReceived((&e).into())],
                side_effects: vec![],
            })
            .await
            .unwrap();
        store.issue_checkpoint().await.unwrap();
        store.close().await;
        format!("evidence-{id}")
    });
    (stream, bytes)
}

#[test]
fn export_a_package_and_verify_it_offline() {
    let base = std::env::temp_dir().join(format!("zhifa-package-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let data = base.join("data");
    let (stream, bytes) = data_dir_with_evidence(&data);
    let d = data.to_str().unwrap();
    let pkg = base.join("pkg");
    let p = pkg.to_str().unwrap();
    let (code, out, err) = zhifa(&[
        "export",
        "--data-dir",
        d,
        "--stream",
        &stream,
        "--out",
        p,
        "--title",
        "证据材料证明包",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 record(s) and 1 file(s)"), "{out}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pkg.join("manifest.json")).unwrap()).unwrap();
    let file_path = pkg.join(manifest["files"][0]["path"].as_str().unwrap());
    assert!(
        file_path.to_str().unwrap().ends_with(".mp4"),
        "keeps the extension: {}",
        file_path.display()
    );
    assert_eq!(std::fs::read(&file_path).unwrap(), bytes);

    // With the package's own keys, and with keys the auditor saved from the platform.
    let (code, out, err) = zhifa(&["verify", p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("ok: 1 record(s)") && out.contains("1 file(s) match"),
        "{out}"
    );
    assert!(
        err.contains("--trusted-keys"),
        "warns about self-supplied keys: {err}"
    );
    let (_, keys, _) = zhifa(&["ledger", "keys", "--data-dir", d]);
    let keys_file = base.join("keys.txt");
    std::fs::write(&keys_file, &keys).unwrap();
    let (code, _, err) = zhifa(&["verify", p, "--trusted-keys", keys_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");

    // Keys of another log: the checkpoint is refused.
    let other = base.join("other");
    data_dir_with_evidence(&other);
    let (_, other_keys, _) = zhifa(&["ledger", "keys", "--data-dir", other.to_str().unwrap()]);
    let other_keys_file = base.join("other-keys.txt");
    std::fs::write(&other_keys_file, &other_keys).unwrap();
    let (code, _, err) = zhifa(&[
        "verify",
        p,
        "--trusted-keys",
        other_keys_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("FAILED: checkpoint"), "{err}");

    // A changed evidence file in the package.
    let mut changed = bytes.clone();
    changed[150_000] ^= 1;
    std::fs::write(&file_path, &changed).unwrap();
    let (code, _, err) = zhifa(&["verify", p]);
    assert_eq!(code, 2);
    assert!(
        err.contains("(leaf 1)") && err.contains("was changed"),
        "names the file and its leaf: {err}"
    );
    std::fs::write(&file_path, &bytes).unwrap();

    // A record edited in the manifest (the evidence is leaf 1: its body was registered first).
    let text = std::fs::read_to_string(pkg.join("manifest.json")).unwrap();
    std::fs::write(
        pkg.join("manifest.json"),
        text.replace("现场执法记录.mp4", "现场执法记录（剪辑）.mp4"),
    )
    .unwrap();
    let (code, _, err) = zhifa(&["verify", p]);
    assert_eq!(code, 2);
    assert!(err.contains("record at leaf 1"), "{err}");
    std::fs::write(pkg.join("manifest.json"), &text).unwrap();
    // The manifest alone: records proven, the file reported as not supplied.
    std::fs::remove_file(&file_path).unwrap();
    let (code, out, _) = zhifa(&["verify", pkg.join("manifest.json").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("not supplied"), "{out}");

    // The data directory's own verifier re-hashes evidence files as well.
    let (code, out, err) = zhifa(&["verify", "--data-dir", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 evidence file(s) re-hashed"), "{out}");
    let stored = std::fs::read_dir(data.join("evidence/evidence/sm3"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let stored = std::fs::read_dir(stored)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&stored, &changed).unwrap();
    let (code, _, err) = zhifa(&["verify", "--data-dir", d]);
    assert_eq!(code, 2);
    assert!(err.contains("evidence file of leaf 1"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}
