//! Which agencies a user may see: its own agency and those below it (SYS, security posture).
//!
//! Agencies form a tree of governments and their departments (省政府 → 省直部门, 市政府 → 市直部门,
//! 县政府 → 县直部门, 乡镇). Each agency stores its materialised `path` of ids from the root, so
//! "below" is a prefix test the database can index.

use serde::{Deserialize, Serialize};

/// A resolved visibility rule. An agency with path `p` and domain `d` is visible when
/// `p` starts with `subtree`, or (`same_domain_under` is set and) `d` equals the domain and
/// `p` starts with that government path — a superior department reading its line downwards
/// (上级主管部门, REC-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub subtree: String,
    pub same_domain_under: Option<(String, String)>,
}

impl Scope {
    pub fn everything() -> Scope {
        Scope {
            subtree: "/".into(),
            same_domain_under: None,
        }
    }

    pub fn contains(&self, path: &str, domain: &str) -> bool {
        path.starts_with(&self.subtree)
            || self
                .same_domain_under
                .as_ref()
                .is_some_and(|(d, gov)| d == domain && path.starts_with(gov.as_str()))
    }
}

/// Derives a user's scope from its agency. `parent_path` is the path of the agency's parent (its
/// government, for a department). Supervisors (司法行政) and governments see their whole region; a
/// department sees its own subtree and the same-domain departments of the governments below its own.
pub fn scope_for(
    agency_path: &str,
    agency_domain: &str,
    parent_path: Option<&str>,
    is_supervisor: bool,
    is_government: bool,
) -> Scope {
    match parent_path {
        Some(gov) if is_supervisor => Scope {
            subtree: gov.to_string(),
            same_domain_under: None,
        },
        Some(gov) if !is_government => Scope {
            subtree: agency_path.to_string(),
            same_domain_under: Some((agency_domain.to_string(), gov.to_string())),
        },
        _ => Scope {
            subtree: agency_path.to_string(),
            same_domain_under: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_department_sees_own_subtree_and_same_domain_below_its_government_only() {
        let s = scope_for("/p/c1/k1/m/", "市场监管", Some("/p/c1/k1/"), false, false);
        assert!(s.contains("/p/c1/k1/m/", "市场监管"));
        assert!(s.contains("/p/c1/k1/m/station/", "市场监管"));
        assert!(s.contains("/p/c1/k1/town/x/", "市场监管"));
        assert!(!s.contains("/p/c1/k1/env/", "生态环境"));
        assert!(!s.contains("/p/c1/k2/m/", "市场监管"), "another county");
    }

    #[test]
    fn supervisor_sees_whole_region_of_its_government() {
        let s = scope_for("/p/c1/sf/", "司法行政", Some("/p/c1/"), true, false);
        assert!(s.contains("/p/c1/k2/env/", "生态环境"));
        assert!(!s.contains("/p/c2/", "政府"));
    }
}
