//! API tokens for external systems (办案系统, 上级平台).

use super::duties::validate_roles;
use crate::auth::{Actor, Permission, Role};
use crate::error::{DomainError, required};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    pub created_by: Uuid,
    pub revoked: bool,
    /// When the token stops being accepted (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: time::OffsetDateTime,
}

/// Longest lifetime a token may be issued for, and the default (a deployment setting may
/// choose another default within the bound).
pub const MAX_TOKEN_DAYS: u32 = 365;
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

impl ApiToken {
    /// Whether the token is accepted at `now`: not revoked and not expired.
    pub fn is_usable(&self, now: time::OffsetDateTime) -> bool {
        !self.revoked && now < self.expires_at
    }
}

/// The roles the console offers for an API token: the external systems that call the API act
/// as officers (data exchange with case systems), publishers (publication sites) or
/// supervisors (supervision platforms). The rule itself only refuses administrator roles.
pub const TOKEN_ROLES: [Role; 3] = [Role::Officer, Role::Publisher, Role::Supervisor];

/// Tokens let external systems (办案系统, 上级平台) call the API as their agency; they can never
/// carry an administrator role nor roles that separate duties, and they expire after
/// `lifetime_days` (1 to [`MAX_TOKEN_DAYS`]).
pub fn decide_issue_token(
    actor: &Actor,
    id: Uuid,
    name: &str,
    agency_id: Uuid,
    roles: &[Role],
    now: time::OffsetDateTime,
    lifetime_days: u32,
) -> Result<ApiToken, DomainError> {
    actor.require(Permission::IssueToken)?;
    if !(1..=MAX_TOKEN_DAYS).contains(&lifetime_days) {
        return Err(DomainError::invalid(
            "lifetime_days",
            "out_of_range",
            format!("令牌有效期为 1 至 {MAX_TOKEN_DAYS} 天"),
        ));
    }
    let roles = validate_roles(roles)?;
    if roles
        .iter()
        .any(|r| matches!(r, Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor))
    {
        return Err(DomainError::invalid(
            "roles",
            "admin_role",
            "接口令牌不能拥有管理员角色",
        ));
    }
    Ok(ApiToken {
        id,
        name: required("name", name, 100)?,
        agency_id,
        roles,
        created_by: actor.user_id,
        revoked: false,
        expires_at: now + time::Duration::days(lifetime_days.into()),
    })
}

/// Revoking a token is the security administrator's; a revoked token stays revoked.
pub fn decide_revoke_token(actor: &Actor, token: &ApiToken) -> Result<(), DomainError> {
    actor.require(Permission::RevokeToken)?;
    if token.revoked {
        return Err(DomainError::conflict(
            None,
            "already_revoked",
            "该令牌已吊销",
        ));
    }
    Ok(())
}
