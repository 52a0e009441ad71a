//! User accounts and the password policy (等保三级).

use crate::auth::validate_roles;
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

/// User accounts are granted by the security administrator (三员分立).
pub fn decide_create_user(
    actor: &Actor,
    id: Uuid,
    draft: &UserDraft,
    officer: Option<&Officer>,
) -> Result<User, DomainError> {
    // Only the bootstrap (system) actor creates accounts without the permission (the first
    // security administrator has to come from somewhere); people use the security
    // administrator, so no single person both configures and grants.
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

/// Enabling or disabling an account is the security administrator's, and nobody disables
/// their own account (the platform must never lose its last security administrator by accident).
pub fn decide_user_active(actor: &Actor, user: &User, active: bool) -> Result<User, DomainError> {
    actor.require(Permission::SetUserActive)?;
    if user.id == actor.user_id {
        return Err(DomainError::invalid("active", "self", "不能停用自己的账号"));
    }
    Ok(User {
        active,
        ..user.clone()
    })
}
