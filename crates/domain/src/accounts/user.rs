//! User accounts and the password policy (等保三级).

use super::duties::validate_roles;
use super::duties::{AccountAction, may_administer};
use crate::auth::{Actor, Permission, Role};
use crate::error::{DomainError, required};
use crate::registry::Officer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    pub officer_id: Option<Uuid>,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct UserDraft {
    pub username: String,
    pub display_name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub officer_id: Option<Uuid>,
    /// Only on creation; never stored in the log.
    #[serde(default)]
    pub password: String,
}

/// 等保三级 password policy: at least 10 characters from at least three of the four classes.
pub fn check_password(field: &str, pw: &str) -> Result<(), DomainError> {
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if pw.chars().count() < 10 || classes.iter().filter(|x| **x).count() < 3 {
        return Err(DomainError::invalid(
            field,
            "weak_password",
            "密码至少 10 位，且包含大写字母、小写字母、数字、符号中的至少三类",
        ));
    }
    if pw.chars().count() > 128 {
        return Err(DomainError::invalid(
            field,
            "too_long",
            "密码不能超过 128 位",
        ));
    }
    Ok(())
}

/// User accounts are granted by the security administrator, within [`may_administer`]
/// (三员分立): the roles are checked first for combinations that separate duties, then for
/// whether this administrator may grant them.
pub fn decide_create_user(
    actor: &Actor,
    id: Uuid,
    draft: &UserDraft,
    officer: Option<&Officer>,
) -> Result<User, DomainError> {
    if !actor.is_system() {
        actor.require(Permission::CreateUser)?;
    }
    let username = draft.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 32
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(DomainError::invalid(
            "username",
            "bad_username",
            "用户名为 3–32 位小写字母、数字或 . _ -",
        ));
    }
    let roles = validate_roles(&draft.roles)?;
    may_administer(actor, &roles, AccountAction::Create)?;
    if roles.contains(&Role::Officer) && draft.officer_id.is_none() {
        return Err(DomainError::invalid(
            "officer_id",
            "required",
            "执法人员账号必须关联已登记的执法人员（持有执法证）",
        )
        .rule("REG-2"));
    }
    if draft.officer_id.is_some() && officer.is_none() {
        return Err(DomainError::not_found("执法人员"));
    }
    if let Some(o) = officer
        && o.agency_id != draft.agency_id
    {
        return Err(DomainError::invalid(
            "officer_id",
            "other_agency",
            "关联的执法人员不属于该主体",
        ));
    }
    check_password("password", &draft.password)?;
    Ok(User {
        id,
        username,
        display_name: required("display_name", &draft.display_name, 50)?,
        agency_id: draft.agency_id,
        roles,
        officer_id: draft.officer_id,
        active: true,
    })
}

/// Enabling or disabling an account is the security administrator's, within
/// [`may_administer`], and nobody disables their own account.
pub fn decide_user_active(actor: &Actor, user: &User, active: bool) -> Result<User, DomainError> {
    let action = if active {
        AccountAction::Enable
    } else {
        AccountAction::Disable
    };
    may_administer(actor, &user.roles, action)?;
    if user.id == actor.user_id {
        return Err(DomainError::invalid("active", "self", "不能停用自己的账号"));
    }
    Ok(User {
        active,
        ..user.clone()
    })
}

/// Lifting a sign-in lock (issue 9 finding 4): an administrator of accounts may unlock another
/// account, never their own (a locked administrator is unlocked by a colleague or by time).
pub fn decide_unlock(actor: &Actor, user: &User) -> Result<(), DomainError> {
    may_administer(actor, &user.roles, AccountAction::Unlock)?;
    if user.id == actor.user_id {
        return Err(DomainError::invalid("id", "self", "不能为自己的账号解锁"));
    }
    Ok(())
}

/// An administrator sets a new password for someone who lost theirs (within
/// [`may_administer`], never their own: that is [`decide_change_password`]). The account must
/// change it at its next sign-in, so the administrator never keeps a working password of
/// another person (等保三级).
pub fn decide_reset_password(
    actor: &Actor,
    user: &User,
    new_password: &str,
) -> Result<crate::Event, DomainError> {
    may_administer(actor, &user.roles, AccountAction::ResetPassword)?;
    if user.id == actor.user_id {
        return Err(DomainError::invalid(
            "id",
            "self",
            "不能重置自己的密码，请使用修改密码",
        ));
    }
    check_password("password", new_password)?;
    Ok(crate::Event::PasswordReset { user_id: user.id })
}

/// How many of a user's last passwords a new one may not repeat (等保三级).
pub const PASSWORD_HISTORY: usize = 5;

/// 等保三级: a user changes only their own password, proving the current one, and the new
/// one passes [`check_password`] and differs from it. The server verifies the stored hash
/// (`current_ok`) and hashes the new password; the credential itself never enters the log,
/// only the returned [`crate::Event::PasswordChanged`].
pub fn decide_change_password(
    actor: &Actor,
    user: &User,
    current_ok: bool,
    recently_used: bool,
    current_password: &str,
    new_password: &str,
) -> Result<crate::Event, DomainError> {
    actor.require(Permission::ChangeOwnPassword)?;
    if actor.user_id != user.id {
        return Err(DomainError::forbidden("只能修改本人的密码"));
    }
    if !user.active {
        return Err(DomainError::forbidden("账号已停用，不能修改密码"));
    }
    if !current_ok {
        return Err(DomainError::invalid(
            "current_password",
            "bad_credentials",
            "当前密码不正确",
        ));
    }
    check_password("new_password", new_password)?;
    if new_password == current_password {
        return Err(DomainError::invalid(
            "new_password",
            "unchanged",
            "新密码不能与当前密码相同",
        ));
    }
    if recently_used {
        return Err(DomainError::invalid(
            "new_password",
            "recently_used",
            format!("新密码不能与最近 {PASSWORD_HISTORY} 次使用过的密码相同"),
        ));
    }
    Ok(crate::Event::PasswordChanged { user_id: user.id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> (Actor, User) {
        let user = User {
            id: Uuid::from_u128(5),
            username: "li".into(),
            display_name: "李静".into(),
            agency_id: Uuid::from_u128(7),
            roles: vec![Role::LegalReviewer],
            officer_id: None,
            active: true,
        };
        let actor = Actor {
            user_id: user.id,
            username: user.username.clone(),
            agency_id: user.agency_id,
            roles: user.roles.clone(),
        };
        (actor, user)
    }

    const OLD: &str = "Old-Passw0rd!";
    const NEW: &str = "New-Passw0rd!";

    #[test]
    fn own_password_changes_with_the_current_one_proven() {
        let (a, u) = me();
        assert_eq!(
            decide_change_password(&a, &u, true, false, OLD, NEW).unwrap(),
            crate::Event::PasswordChanged { user_id: u.id }
        );
        let e = decide_change_password(&a, &u, false, false, OLD, NEW).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.code.as_str()),
            (Some("current_password"), "bad_credentials")
        );
    }

    #[test]
    fn nobody_changes_another_users_password_even_a_security_admin() {
        let (_, u) = me();
        let sec = Actor {
            user_id: Uuid::from_u128(99),
            username: "sec".into(),
            agency_id: u.agency_id,
            roles: vec![Role::SecurityAdmin],
        };
        assert_eq!(
            decide_change_password(&sec, &u, true, false, OLD, NEW)
                .unwrap_err()
                .code,
            "forbidden"
        );
    }

    #[test]
    fn the_new_password_must_be_strong_and_different() {
        let (a, u) = me();
        let e = decide_change_password(&a, &u, true, false, OLD, "short").unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.code.as_str()),
            (Some("new_password"), "weak_password")
        );
        let e = decide_change_password(&a, &u, true, false, OLD, OLD).unwrap_err();
        // Issue 9 finding 5: one of the last five is refused, naming the field.
        let again = decide_change_password(&a, &u, true, true, OLD, NEW).unwrap_err();
        assert_eq!(again.field.as_deref(), Some("new_password"));
        assert_eq!(again.code, "recently_used");
        assert_eq!(
            (e.field.as_deref(), e.code.as_str()),
            (Some("new_password"), "unchanged")
        );
    }

    #[test]
    fn a_disabled_account_cannot_change_its_password() {
        let (a, mut u) = me();
        u.active = false;
        assert_eq!(
            decide_change_password(&a, &u, true, false, OLD, NEW)
                .unwrap_err()
                .kind,
            crate::error::ErrorKind::Forbidden
        );
    }
}
