//! Evidence files (REC-3, REC-4): streamed to the object store, hashed on arrival, the hash in
//! the ledger; refusals store nothing; a changed or missing file is found by the verifier — on
//! a local directory and on S3-compatible storage (moto_server).

use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use zhifa_ledger::HashAlg;

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    // Not constant, so a flipped byte changes the hash.
    (0..n)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

fn cst_hours_ago(h: i64) -> String {
    let t = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        - time::Duration::hours(h);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn upload(
    s: &Session,
    query: &[(&str, &str)],
    media_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let r = s
        .client
        .post(format!("{}/api/v1/evidence", s.base))
        .query(query)
        .header("x-csrf-token", &s.csrf)
        .header("content-type", media_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

fn files_in(dir: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                n += 1;
            }
        }
    }
    n
}

/// Upload, metadata, download, proof and the verifier's evidence check, against whatever
/// object store `app` uses.
async fn hand_in_and_verify(app: &TestApp) {
    let officer = app.login("officer").await;
    let video = bytes(3 * 1024 * 1024 + 17, 1);
    let recorded = cst_hours_ago(1);
    let (st, v) = upload(
        &officer,
        &[
            ("kind", "video"),
            ("file_name", "现场检查执法记录仪 01.mp4"),
            ("recorded_at", &recorded),
            ("description", "对某超市进行现场检查的全过程录像"),
        ],
        "video/mp4",
        video.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["hash_alg"], "sm3");
    assert_eq!(v["hash"], HashAlg::Sm3.digest(&video).to_hex());
    assert_eq!(v["size"], video.len() as u64);
    assert_eq!(v["late"], false);
    assert_eq!(v["received_by"], "officer");
    assert_eq!(v["agency_id"], app.fx.yaohai_market.id.to_string());
    let seq = v["seq"].as_i64().unwrap();
    let id = v["id"].as_str().unwrap().to_string();

    // REC-4: an hour late beyond 24 is accepted (the record must not be lost) but flagged.
    let audio = bytes(5_000, 2);
    let (st, late) = upload(
        &officer,
        &[
            ("kind", "audio"),
            ("file_name", "询问录音.m4a"),
            ("recorded_at", &cst_hours_ago(25)),
        ],
        "audio/mp4",
        audio,
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{late}");
    assert_eq!(late["late"], true);
    let (_, lates) = officer.get_json("/api/v1/evidence?late=true").await;
    assert_eq!(lates["items"].as_array().unwrap().len(), 1);
    assert_eq!(lates["items"][0]["id"], late["id"]);

    // The file comes back byte for byte, with its name.
    let r = officer.get(&format!("/api/v1/evidence/{id}/content")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "video/mp4");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("UTF-8''%E7%8E%B0"),
        "{:?}",
        r.headers()["content-disposition"]
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), video.as_slice());

    // The record is a leaf: its inclusion proof verifies against the signed checkpoint, and the
    // leaf commits to the file's hash.
    let (st, proof) = officer
        .get_json(&format!("/api/v1/ledger/proof/inclusion?seq={seq}"))
        .await;
    assert_eq!(st, 200, "{proof}");
    let rec = app
        .store
        .events_of_stream(&format!("evidence-{id}"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(rec.seq, seq);
    assert_eq!(rec.payload["data"]["hash"], v["hash"]);
    let leaf = zhifa_store::leaf_input_of(HashAlg::Sm3, &rec, None).unwrap();
    let keys = app.ledger_keys().await;
    let hashes: Vec<zhifa_ledger::Hash> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| zhifa_ledger::Hash::from_hex(h.as_str().unwrap()).unwrap())
        .collect();
    zhifa_ledger::verify_leaf_in_checkpoint(
        HashAlg::Sm3,
        &keys,
        None,
        proof["checkpoint"].as_str().unwrap(),
        &leaf,
        (seq - 1) as u64,
        &hashes,
    )
    .unwrap();

    // The verifier re-reads both files.
    app.store.issue_checkpoint().await.unwrap();
    let report = app
        .store
        .audit(None, Some(app.evidence.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.evidence_checked, 2);

    // One flipped byte in the stored video: the verifier names the leaf of its record.
    let content = zhifa_ledger::ContentHash {
        alg: HashAlg::Sm3,
        hash: HashAlg::Sm3.digest(&video),
        size: video.len() as u64,
    };
    let mut changed = video.clone();
    changed[1_000_000] ^= 0x20;
    app.evidence
        .overwrite_for_test(&content, changed)
        .await
        .unwrap();
    let err = app
        .store
        .audit(None, Some(app.evidence.clone()))
        .await
        .unwrap()
        .unwrap_err();
    match &err {
        zhifa_ledger::AuditError::EvidenceFile { index, problem } => {
            assert_eq!(*index, (seq - 1) as u64);
            assert!(problem.contains("changed"), "{problem}");
        }
        other => panic!("expected an evidence error, got {other}"),
    }
    // The ledger itself is intact: without the files the audit passes.
    app.store.audit(None, None).await.unwrap().unwrap();
    // A deleted file is named too.
    app.evidence.delete_for_test(&content).await.unwrap();
    let err = app
        .store
        .audit(None, Some(app.evidence.clone()))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, zhifa_ledger::AuditError::EvidenceFile { index, problem }
            if *index == (seq - 1) as u64 && problem.contains("missing")),
        "{err}"
    );
    // Download of a vanished file says so instead of sending nothing.
    let r = officer.get(&format!("/api/v1/evidence/{id}/content")).await;
    assert_eq!(r.status(), StatusCode::GONE);
}

async fn evidence_is_hashed_on_arrival_and_checked_by_the_verifier(engine: Engine) {
    let app = spawn_app(engine).await;
    hand_in_and_verify(&app).await;
}
both!(evidence_is_hashed_on_arrival_and_checked_by_the_verifier);

/// Query, media type, body, and the expected status, code and field.
type Refusal<'a> = (
    Vec<(&'a str, &'a str)>,
    &'a str,
    Vec<u8>,
    StatusCode,
    &'a str,
    &'a str,
);

/// Every refusal names the field and the rule, writes no event and keeps no file.
async fn refused_uploads_keep_nothing(engine: Engine) {
    let settings = zhifa_server::Settings {
        max_evidence_bytes: 64 * 1024,
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = zhifa_evidence::EvidenceStore::local(dir.path()).unwrap();
    let app = spawn_app_full(engine, settings, Some(store)).await;
    let officer = app.login("officer").await;
    let before = app.store.event_count().await.unwrap();
    let now = cst_hours_ago(0);
    let cases: Vec<Refusal> = vec![
        (
            // Under the limit, so the field refusal answers (a body declared over the limit is
            // refused before any of it is read, as the 过大 case below shows).
            vec![("kind", "video"), ("file_name", "a.mp4")],
            "video/mp4",
            bytes(48 * 1024, 3),
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            "recorded_at",
        ),
        (
            vec![
                ("kind", "video"),
                ("file_name", "a.mp4"),
                ("recorded_at", "2026-13-01T10:00"),
            ],
            "video/mp4",
            bytes(100, 3),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_time",
            "recorded_at",
        ),
        (
            vec![
                ("kind", "video"),
                ("file_name", "a.mp4"),
                ("recorded_at", &now),
            ],
            "audio/mpeg",
            bytes(100, 3),
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind_mismatch",
            "media_type",
        ),
        (
            vec![("kind", "scan"), ("file_name", "a.pdf")],
            "application/pdf",
            bytes(100, 3),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_kind",
            "kind",
        ),
        (
            vec![("kind", "document"), ("file_name", "../../etc/passwd")],
            "application/pdf",
            bytes(100, 3),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_file_name",
            "file_name",
        ),
        (
            vec![("kind", "document"), ("file_name", "空文件.pdf")],
            "application/pdf",
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
            "file",
        ),
        (
            vec![("kind", "document"), ("file_name", "过大.pdf")],
            "application/pdf",
            bytes(4 * 1024 * 1024, 3),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "file",
        ),
    ];
    for (query, media, body, status, code, field) in cases {
        let got = upload(&officer, &query, media, body).await;
        assert_error(&got, status, code, Some(field));
    }
    let got = upload(
        &officer,
        &[
            ("kind", "video"),
            ("file_name", "a.mp4"),
            ("recorded_at", "2099-01-01T00:00:00+08:00"),
        ],
        "video/mp4",
        bytes(10, 1),
    )
    .await;
    assert_error(
        &got,
        StatusCode::UNPROCESSABLE_ENTITY,
        "in_future",
        Some("recorded_at"),
    );
    assert_eq!(got.1["rule"], "REC-4");
    // A supervisor (justice bureau) reads evidence but does not hand it in.
    let head_only = app.login("supervisor").await;
    let got = upload(
        &head_only,
        &[("kind", "photo"), ("file_name", "a.jpg")],
        "image/jpeg",
        bytes(10, 1),
    )
    .await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(
        app.store.event_count().await.unwrap(),
        before,
        "no event written"
    );
    assert_eq!(files_in(dir.path()), 0, "no file kept");
}
both!(refused_uploads_keep_nothing);

/// Evidence is scoped like everything else: another county's officer cannot see or download it.
async fn evidence_is_scoped_to_the_agency(engine: Engine) {
    let app = spawn_app(engine).await;
    let officer = app.login("officer").await;
    let (st, v) = upload(
        &officer,
        &[("kind", "photo"), ("file_name", "现场照片.jpg")],
        "image/jpeg",
        bytes(2_000, 9),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_str().unwrap();
    let other = app.login("officer2").await;
    assert_eq!(
        other.get(&format!("/api/v1/evidence/{id}")).await.status(),
        404
    );
    assert_eq!(
        other
            .get(&format!("/api/v1/evidence/{id}/content"))
            .await
            .status(),
        404
    );
    assert_eq!(
        other.get_json("/api/v1/evidence").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // The city's justice bureau supervises the county: it sees the record.
    let sup = app.login("supervisor").await;
    assert_eq!(
        sup.get(&format!("/api/v1/evidence/{id}")).await.status(),
        200
    );
}
both!(evidence_is_scoped_to_the_agency);

/// A moto_server (S3-compatible) on a free port, stopped on drop.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reached only when the build found `moto_server` on PATH or runs under CI (zhifa-testenv).
async fn moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("moto_server could not start ({e}); ./scripts/test installs it")
        });
    let endpoint = format!("http://127.0.0.1:{port}");
    let m = Moto { child, endpoint };
    let c = reqwest::Client::new();
    for _ in 0..100 {
        if c.get(&m.endpoint).send().await.is_ok() {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto_server did not start on {}", m.endpoint);
}

/// The same story on S3-compatible object storage.
async fn evidence_on_s3_compatible_storage(engine: Engine) {
    let m = moto().await;
    // moto accepts any credentials; the bucket is created with a plain request.
    let bucket = format!("zhifa-{}", uuid::Uuid::now_v7().simple());
    let r = reqwest::Client::new()
        .put(format!("{}/{bucket}", m.endpoint))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "create bucket: {}", r.status());
    let store = zhifa_evidence::EvidenceStore::from_url_with(
        &format!("s3://{bucket}/county-340102"),
        &[
            ("endpoint", &m.endpoint),
            ("access_key_id", "test"),
            ("secret_access_key", "test"),
            ("region", "us-east-1"),
            ("allow_http", "true"),
        ],
    )
    .unwrap();
    let app = spawn_app_full(engine, zhifa_server::Settings::default(), Some(store)).await;
    hand_in_and_verify(&app).await;
}
both!(
    evidence_on_s3_compatible_storage,
    skip_s3 = "SKIPPED: S3 (moto_server is not on PATH; ./scripts/test installs it)"
);

/// The console's upload form: multipart with the CSRF token as its first field; the file page
/// shows the hash and a verified proof; the record's package verifies offline.
async fn the_console_uploads_and_proves_evidence(engine: Engine) {
    let app = spawn_app(engine).await;
    let officer = app.login("officer").await;
    let photo = bytes(40_000, 7);
    let form = |csrf: Option<&str>| {
        let mut f = reqwest::multipart::Form::new();
        if let Some(t) = csrf {
            f = f.text("_csrf", t.to_string());
        }
        f.text("kind", "photo")
            .text("recorded_at", "2026-11-20T09:30")
            .text("description", "现场照片：过期食品货架")
            .part(
                "file",
                reqwest::multipart::Part::bytes(photo.clone())
                    .file_name("货架照片.jpg")
                    .mime_str("image/jpeg")
                    .unwrap(),
            )
    };
    let before = app.store.event_count().await.unwrap();
    // Without the token the upload is refused before any byte is stored.
    let r = officer
        .client
        .post(format!("{}/evidence", officer.base))
        .multipart(form(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = officer
        .client
        .post(format!("{}/evidence", officer.base))
        .multipart(form(Some("wrong-token")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.store.event_count().await.unwrap(), before);

    let r = officer
        .client
        .post(format!("{}/evidence", officer.base))
        .multipart(form(Some(&officer.csrf)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "redirects to the file's page");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/evidence/"), "{location}");
    let page = officer.get(&location).await.text().await.unwrap();
    let hash = HashAlg::Sm3.digest(&photo).to_hex();
    assert!(page.contains(&hash), "the page shows the file's hash");
    assert!(
        page.contains("货架照片.jpg") && page.contains("已核验"),
        "{page}"
    );
    // 2026-11-20 09:30 Beijing time was recorded as such.
    let id = location
        .trim_start_matches("/evidence/")
        .split('?')
        .next()
        .unwrap();
    let (_, v) = officer.get_json(&format!("/api/v1/evidence/{id}")).await;
    assert_eq!(v["recorded_at"], "2026-11-20T01:30:00Z");
    assert_eq!(v["media_type"], "image/jpeg");
    let seq = v["seq"].as_i64().unwrap();

    // The record's proof page and its package.
    let proof = officer
        .get(&format!("/ledger/events/{seq}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        proof.contains("已核验") && proof.contains("zhifa-leaf/1"),
        "{proof}"
    );
    let pkg: zhifa_ledger::Package = officer
        .get(&format!("/ledger/events/{seq}/package"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pkg.entries.len(), 1);
    assert_eq!(pkg.files[0].content.hash.to_hex(), hash);
    let keys = app.ledger_keys().await;
    let report = zhifa_ledger::verify_package(&pkg, &keys, &mut |f| {
        assert_eq!(f.content.size, photo.len() as u64);
        Ok(Some(zhifa_ledger::ContentHash {
            alg: HashAlg::Sm3,
            hash: HashAlg::Sm3.digest(&photo),
            size: photo.len() as u64,
        }))
    })
    .unwrap();
    assert_eq!((report.entries, report.files_checked), (1, 1));
    // The same through the API, for a whole stream; another county gets 404.
    let (st, _) = officer
        .get_json(&format!("/api/v1/ledger/package?stream=evidence-{id}"))
        .await;
    assert_eq!(st, 200);
    let other = app.login("officer2").await;
    assert_eq!(
        other.get(&format!("/ledger/events/{seq}")).await.status(),
        404
    );
    assert_eq!(
        other
            .get_json(&format!("/api/v1/ledger/package?seq={seq}"))
            .await
            .0,
        404
    );
    let (st, body) = officer.get_json("/api/v1/ledger/package").await;
    assert_error(
        &(st, body),
        StatusCode::BAD_REQUEST,
        "bad_request",
        Some("seq"),
    );

    // A refused upload re-shows the form with the reason and keeps nothing.
    let r = officer
        .client
        .post(format!("{}/evidence", officer.base))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", officer.csrf.clone())
                .text("kind", "video")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes(100, 1))
                        .file_name("录像.mp4")
                        .mime_str("video/mp4")
                        .unwrap(),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("音视频记录须填写录制时间") && text.contains("字段：录制时间"),
        "the refusal itself is shown: {text}"
    );
}
both!(the_console_uploads_and_proves_evidence);

/// One media-type rule (REC-4, `zhifa_domain::evidence::media_type_of`): the same recording
/// declared `application/octet-stream` gets the same type through the API and the console.
async fn api_and_console_agree_on_the_media_type(engine: Engine) {
    let app = spawn_app(engine).await;
    let officer = app.login("officer").await;
    let recorded = cst_hours_ago(1);
    let (st, api) = upload(
        &officer,
        &[
            ("kind", "audio"),
            ("file_name", "x.wav"),
            ("recorded_at", &recorded),
        ],
        "application/octet-stream",
        bytes(2_000, 1),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{api}");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", officer.csrf.clone())
        .text("kind", "audio")
        .text("recorded_at", recorded.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes(2_000, 2))
                .file_name("x.wav")
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    let r = officer
        .client
        .post(format!("{}/evidence", officer.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let id = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/evidence/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (_, console) = officer.get_json(&format!("/api/v1/evidence/{id}")).await;
    assert_eq!(api["media_type"], "audio/wav");
    assert_eq!(console["media_type"], api["media_type"]);
}
both!(api_and_console_agree_on_the_media_type);
