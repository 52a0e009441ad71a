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
