//! Roles, the actor and permissions ([`Permission`], one table). Which roles may be held
//! together is [`crate::accounts::duties`].

mod permission;

pub use permission::Permission;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 执法人员
    Officer,
    /// 法制审核人员
    LegalReviewer,
    /// 机关负责人
    AgencyHead,
    /// 公示审核人员
    Publisher,
    /// 执法监督人员（司法厅/局）
    Supervisor,
    /// 系统管理员
    SystemAdmin,
    /// 安全管理员
    SecurityAdmin,
    /// 安全审计员
    Auditor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Officer,
        Role::LegalReviewer,
        Role::AgencyHead,
        Role::Publisher,
        Role::Supervisor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::LegalReviewer => "legal_reviewer",
            Role::AgencyHead => "agency_head",
            Role::Publisher => "publisher",
            Role::Supervisor => "supervisor",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "执法人员",
            Role::LegalReviewer => "法制审核人员",
            Role::AgencyHead => "机关负责人",
            Role::Publisher => "公示审核人员",
            Role::Supervisor => "执法监督人员",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "安全审计员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who is acting. Built by the server from a session or API token; rules only read it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The system itself (demo seeding, imports run from the CLI by the operator).
    pub fn system() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            username: "system".into(),
            agency_id: Uuid::nil(),
            roles: vec![Role::SystemAdmin],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
