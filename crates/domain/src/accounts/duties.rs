//! Separation of duties (三员分立, 等保三级): which roles one account or token may hold
//! together, and which administrator may manage which account.
//!
//! Two rules, both tables so the matrix tests read them directly:
//! - [`SEPARATED`]: pairs of roles no one account (or API token) holds together. The three
//!   administrators (who configures, who grants, who audits) hold their role alone; whoever
//!   investigates a case neither approves nor legally reviews it; whoever supervises is not
//!   among the supervised.
//! - [`may_administer`]: who may create, disable, enable, unlock or reset the password of an
//!   account holding given roles. The security administrator grants every role except its own
//!   and the auditor's; no administrator creates or disables the one who audits it, nor a peer
//!   that would let it outlive its own removal. Those accounts are managed by the operator of
//!   the deployment (`zhifa users …` on the server, the bootstrap actor), and every such act is
//!   recorded like any other.

use crate::auth::{Actor, Permission, Role};
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// Roles one account or token never holds together, with the reason the refusal gives.
pub const SEPARATED: &[(Role, Role, &str)] = {
    use Role::*;
    const TRIAD: &str =
        "系统管理员、安全管理员、安全审计员须由不同人员单独担任（等保三级 三员分立）";
    const CASE: &str =
        "调查取证与审批决定、法制审核须由不同人员承担（行政处罚法第五十七、五十八条）";
    const SUPERVISION: &str = "执法监督人员不能同时是被监督的执法、审核或审批人员";
    &[
        (SystemAdmin, SecurityAdmin, TRIAD),
        (SystemAdmin, Auditor, TRIAD),
        (SecurityAdmin, Auditor, TRIAD),
        (SystemAdmin, Officer, TRIAD),
        (SystemAdmin, LegalReviewer, TRIAD),
        (SystemAdmin, AgencyHead, TRIAD),
        (SystemAdmin, Publisher, TRIAD),
        (SystemAdmin, Supervisor, TRIAD),
        (SecurityAdmin, Officer, TRIAD),
        (SecurityAdmin, LegalReviewer, TRIAD),
        (SecurityAdmin, AgencyHead, TRIAD),
        (SecurityAdmin, Publisher, TRIAD),
        (SecurityAdmin, Supervisor, TRIAD),
        (Auditor, Officer, TRIAD),
        (Auditor, LegalReviewer, TRIAD),
        (Auditor, AgencyHead, TRIAD),
        (Auditor, Publisher, TRIAD),
        (Auditor, Supervisor, TRIAD),
        (Officer, AgencyHead, CASE),
        (Officer, LegalReviewer, CASE),
        (LegalReviewer, AgencyHead, CASE),
        (Supervisor, Officer, SUPERVISION),
        (Supervisor, AgencyHead, SUPERVISION),
        (Supervisor, LegalReviewer, SUPERVISION),
    ]
};

/// The reason two roles may not be held together, if they may not.
pub fn separated(a: Role, b: Role) -> Option<&'static str> {
    SEPARATED
        .iter()
        .find(|(x, y, _)| (*x == a && *y == b) || (*x == b && *y == a))
        .map(|(_, _, why)| *why)
}

/// Checks a role set: not empty, no duplicates (sorted), and no two roles that separate duties.
pub fn validate_roles(roles: &[Role]) -> Result<Vec<Role>, DomainError> {
    if roles.is_empty() {
        return Err(DomainError::invalid(
            "roles",
            "required",
            "至少需要一个角色",
        ));
    }
    let mut sorted = roles.to_vec();
    sorted.sort();
    sorted.dedup();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if let Some(why) = separated(*a, *b) {
                return Err(DomainError::invalid(
                    "roles",
                    "separation_of_duties",
                    format!("{}与{}不能由同一账号担任：{why}", a.label(), b.label()),
                ));
            }
        }
    }
    Ok(sorted)
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountAction {
    Create,
    Disable,
    Enable,
    Unlock,
    ResetPassword,
}

impl AccountAction {
    pub const ALL: [AccountAction; 5] = [
        AccountAction::Create,
        AccountAction::Disable,
        AccountAction::Enable,
        AccountAction::Unlock,
        AccountAction::ResetPassword,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccountAction::Create => "创建",
            AccountAction::Disable => "停用",
            AccountAction::Enable => "启用",
            AccountAction::Unlock => "解锁",
            AccountAction::ResetPassword => "重置密码",
        }
    }

    fn permission(self) -> Permission {
        match self {
            AccountAction::Create => Permission::CreateUser,
            _ => Permission::SetUserActive,
        }
    }
}

/// Roles whose accounts no administrator in the console manages: the auditor (who audits the
/// administrators) and the security administrator (who would otherwise grant itself peers).
pub const OPERATOR_MANAGED: [Role; 2] = [Role::SecurityAdmin, Role::Auditor];

/// May `actor` do `action` to an account holding `target_roles`? The bootstrap actor (the
/// deployment's operator, `zhifa users …`) may; people need the permission and may not touch
/// [`OPERATOR_MANAGED`] accounts.
pub fn may_administer(
    actor: &Actor,
    target_roles: &[Role],
    action: AccountAction,
) -> Result<(), DomainError> {
    if actor.is_system() {
        return Ok(());
    }
    actor.require(action.permission())?;
    // A system administrator's password set by the security administrator would let the one
    // who grants sign in first as the one who configures: that reset is the operator's too.
    if action == AccountAction::ResetPassword && target_roles.contains(&Role::SystemAdmin) {
        return Err(DomainError::forbidden(
            "系统管理员的密码不能由安全管理员重置，否则授权者可先行登录而掌握系统配置权限；\
             请由部署运维人员在服务器上使用 zhifa users reset-password 重置（等保三级 三员分立）",
        ));
    }
    if let Some(r) = target_roles.iter().find(|r| OPERATOR_MANAGED.contains(r)) {
        return Err(DomainError::forbidden(format!(
            "{}账号不能由管理员在系统中{}：安全审计员审计各管理员，安全管理员不能为自己增设同级人员；\
             此类账号由部署运维人员在服务器上使用 zhifa users 命令管理并留痕（等保三级 三员分立）",
            r.label(),
            action.label()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_symmetric_and_names_each_pair_once() {
        for (i, (a, b, _)) in SEPARATED.iter().enumerate() {
            assert_ne!(a, b);
            for (c, d, _) in &SEPARATED[i + 1..] {
                assert!(
                    !((a == c && b == d) || (a == d && b == c)),
                    "{a:?} {b:?} twice"
                );
            }
            assert!(separated(*b, *a).is_some());
        }
    }

    #[test]
    fn the_errors_name_the_field_and_both_roles() {
        let e = validate_roles(&[Role::Supervisor, Role::SecurityAdmin]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("roles"));
        assert_eq!(e.code, "separation_of_duties");
        assert!(e.message.contains("执法监督人员") && e.message.contains("安全管理员"));
        assert_eq!(
            validate_roles(&[Role::Publisher, Role::AgencyHead, Role::Publisher]).unwrap(),
            vec![Role::AgencyHead, Role::Publisher]
        );
    }
}
