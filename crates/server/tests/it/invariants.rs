//! Invariants of the source tree itself.

/// Who may do what is decided by the domain's one role → permission table
/// (`Role::permissions`): the server and the CLI ask `actor.can(Permission::…)` /
/// `actor.require(Permission::…)` and never name a role to decide something. Naming roles is
/// allowed only to parse or list them (`Role::parse`, `Role::ALL`, labels).
#[test]
fn no_role_lists_outside_the_domain() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offences = Vec::new();
    let mut files = 0;
    for dir in ["server/src", "cli/src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if p.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&p).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    let mut rest = code;
                    while let Some(i) = rest.find("Role::") {
                        let after = &rest[i + "Role::".len()..];
                        let name: String = after
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !matches!(name.as_str(), "ALL" | "parse") {
                            offences.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                        }
                        rest = after;
                    }
                    for needle in [".has(Role", "require_any(", "roles.contains("] {
                        if code.contains(needle) {
                            offences.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
    }
    assert!(files > 20, "the source tree was found ({files} files)");
    assert!(
        offences.is_empty(),
        "roles named outside the domain (use actor.can(Permission::…)):\n{}",
        offences.join("\n")
    );
}
