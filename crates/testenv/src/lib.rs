//! Which external prerequisites of the test suite are present, decided once per build by a crate's
//! `build.rs` and handed to its tests as cfgs:
//!
//! | cfg            | set when                                                            |
//! |----------------|---------------------------------------------------------------------|
//! | `skip_pg`      | `ZHIFA_TEST_PG` (a PostgreSQL server URL) is unset or empty          |
//! | `skip_s3`      | no `moto_server` on `PATH` (the S3-compatible test server)           |
//! | `skip_shared`  | `../shared/reference` (reference statutes and holidays) is absent    |
//! | `skip_browser` | Debian chromium or `tests/browser/node_modules` is absent            |
//! | `skip_contract`| `schemathesis` or `openapi-spec-validator` (PyPI) is not on `PATH`  |
//!
//! Tests that need one say `#[cfg_attr(skip_pg, ignore = "SKIPPED: PostgreSQL (…)")]`, so the
//! harness reports them as *ignored* with that line rather than as passed. Under `CI` no cfg is
//! ever set: there every test runs, and one whose prerequisite is missing fails.
//!
//! Why a build script and not a check inside the test: libtest has no way for a running test to
//! declare itself skipped, so an early `return` would count as a pass.

use std::path::{Path, PathBuf};

/// The prerequisites and the cfg each one controls.
const CFGS: [&str; 5] = [
    "skip_pg",
    "skip_s3",
    "skip_shared",
    "skip_browser",
    "skip_contract",
];

/// Call from `build.rs`: `fn main() { zhifa_testenv::emit() }`.
pub fn emit() {
    for cfg in CFGS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=ZHIFA_TEST_PG");
    println!("cargo::rerun-if-env-changed=PATH");
    let workspace = workspace_root();
    let shared = workspace.join("../shared/reference");
    let chromium = Path::new("/usr/bin/chromium");
    let node_modules = workspace.join("tests/browser/node_modules");
    for p in [&shared, &chromium.to_path_buf(), &node_modules] {
        // A path that does not exist makes cargo rerun the script on every build, which is
        // what we want: the prerequisite may be installed at any time.
        println!("cargo::rerun-if-changed={}", p.display());
    }
    if std::env::var_os("CI").is_some() {
        return;
    }
    let present = [
        std::env::var("ZHIFA_TEST_PG").is_ok_and(|v| !v.trim().is_empty()),
        on_path("moto_server"),
        shared.is_dir(),
        chromium.exists() && node_modules.is_dir(),
        on_path("schemathesis") && on_path("openapi-spec-validator"),
    ];
    for (cfg, present) in CFGS.into_iter().zip(present) {
        if !present {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

/// The workspace root: two levels above the calling crate (`crates/<name>`).
fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("run from a build script");
    PathBuf::from(manifest).join("../..")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}
