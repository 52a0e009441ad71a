//! Architecture invariants of ARCHITECTURE.md, checked on the source tree so that a change that
//! breaks one fails the build's tests instead of waiting for a reviewer:
//!
//! - the pure crates (domain, ledger, calendar, ident) depend on nothing that does I/O and read
//!   no clock: "now" is always passed in;
//! - no SQL outside `crates/store/src` (tests may tamper with a database behind the store's back);
//! - no source file grows past the size a reader can hold (~800 lines).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The `[dependencies]` table of a crate's manifest: one name per line `name = …` / `name.workspace`.
fn dependencies(krate: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let mut deps = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == "[dependencies]";
            continue;
        }
        if inside && !t.is_empty() && !t.starts_with('#') {
            let name = t.split(['=', '.', ' ']).next().unwrap().trim();
            deps.push(name.to_string());
        }
    }
    deps
}

#[test]
fn pure_crates_have_no_io_dependencies() {
    // What each pure crate may use; anything else (tokio, sqlx, reqwest, object_store, …) is a
    // design change to be made here on purpose.
    let allowed: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "zhifa-ident",
                "zhifa-calendar",
                "serde",
                "serde_json",
                "thiserror",
                "time",
                "uuid",
                "utoipa",
            ],
        ),
        (
            "calendar",
            &["icu_calendar", "serde", "serde_json", "thiserror", "time"],
        ),
        ("ident", &["serde", "thiserror", "time"]),
        // getrandom: salts and signing keys come from the OS random source, the ledger's one
        // contact with the world (no files, no network, no clock).
        (
            "ledger",
            &[
                "sm3",
                "sha2",
                "sm2",
                "ed25519-dalek",
                "getrandom",
                "base64",
                "hex",
                "serde",
                "serde_json",
                "thiserror",
            ],
        ),
    ];
    for (krate, ok) in allowed {
        let deps = dependencies(krate);
        assert!(!deps.is_empty(), "{krate}: no [dependencies] read");
        let extra: Vec<&String> = deps.iter().filter(|d| !ok.contains(&d.as_str())).collect();
        assert!(
            extra.is_empty(),
            "{krate} depends on {extra:?}, outside its allowed list"
        );
    }
}

#[test]
fn pure_crates_do_no_io_and_read_no_clock() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "SystemTime",
        "now_utc()",
        "now_local()",
        "Instant::now",
    ];
    let mut found = Vec::new();
    for krate in ["domain", "calendar", "ident", "ledger"] {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap();
                for pat in forbidden {
                    if code.contains(pat) {
                        found.push(format!("{}:{}: {pat}", f.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "I/O or clock in a pure crate:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_sql_outside_the_store() {
    let sql = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "sqlx::query",
        "CREATE TABLE",
    ];
    let mut found = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.file_name().is_some_and(|n| n == "store") {
            continue;
        }
        let src = dir.join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(
        files.len() > 50,
        "source tree not found ({} files)",
        files.len()
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            for pat in sql {
                // SQL is upper-case text inside a string literal.
                if code.contains(pat) && code.contains('"') {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL outside crates/store/src:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_source_file_is_too_long_to_read() {
    const LIMIT: usize = 800;
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > LIMIT).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by topic:\n{}",
        long.join("\n")
    );
}
