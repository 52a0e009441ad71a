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
        err.starts_with("FAILED: ") && err.contains('0'),
        "names leaf 0: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&notice);
    let _ = std::fs::remove_file(&kept);
}
