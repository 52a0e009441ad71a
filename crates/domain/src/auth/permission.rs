//! Everything a user can do or see, and the one table saying which role grants it.
//!
//! Rules and pages ask `actor.can(Permission::…)` instead of naming roles, so the role list of
//! each permission lives in [`Role::permissions`] only; changing who may do something is one edit
//! here, and the forbidden message is derived from the same table.

use super::{Actor, Role};
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($(#[$m:meta])* $variant:ident => ($key:literal, $label:literal)),+ $(,)?) => {
        /// One thing a user can do or see in the product.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Permission { $($(#[$m])* $variant),+ }
        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),+];
            /// Stable machine name (API, templates).
            pub fn as_str(self) -> &'static str { match self { $(Permission::$variant => $key),+ } }
            /// Chinese name, used in refusals.
            pub fn label(self) -> &'static str { match self { $(Permission::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Permission> {
                Permission::ALL.iter().copied().find(|p| p.as_str() == s)
            }
        }
    };
}

permissions! {
    RegisterAgency => ("register_agency", "登记执法主体"),
    UpdateAgency => ("update_agency", "变更执法主体"),
    RegisterOfficer => ("register_officer", "登记执法人员"),
    UpdateOfficer => ("update_officer", "变更执法人员信息"),
    ChangeCertificateStatus => ("change_certificate_status", "变更执法证状态"),
    RecordTraining => ("record_training", "记录培训"),
    /// See officers' ID numbers unmasked (personal data, PUB-5).
    ViewPersonalData => ("view_personal_data", "查看完整身份证号码等个人信息"),
    CreateItem => ("create_item", "新增权力清单事项"),
    ReviseItem => ("revise_item", "调整权力清单事项"),
    ListInspectionItem => ("list_inspection_item", "维护随机抽查事项清单"),
    SetGuide => ("set_guide", "维护服务指南"),
    SetBenchmark => ("set_benchmark", "维护裁量基准"),
    ViewUsers => ("view_users", "查看用户"),
    CreateUser => ("create_user", "创建用户"),
    SetUserActive => ("set_user_active", "启用或停用账号"),
    ChangeOwnPassword => ("change_own_password", "修改本人密码"),
    IssueToken => ("issue_token", "签发接口令牌"),
    RevokeToken => ("revoke_token", "吊销接口令牌"),
    ViewTokens => ("view_tokens", "查看接口令牌"),
    ViewAuditLog => ("view_audit_log", "查看访问日志与安全审计"),
    /// Read the whole region of one's government (执法监督), not only one's own line.
    ViewRegion => ("view_region", "查看辖区全部执法主体"),
    ImportHolidayNotice => ("import_holiday_notice", "导入节假日安排通知"),
    PublishAnnualReport => ("publish_annual_report", "公开年度统计年报"),
    UploadEvidence => ("upload_evidence", "上传证据材料"),
    ErasePersonalData => ("erase_personal_data", "依法删除个人信息"),
    RegisterWitnessedLog => ("register_witnessed_log", "登记见证的日志"),
    ViewLedger => ("view_ledger", "查看防篡改记录"),
    SuspendDeadline => ("suspend_deadline", "中止或恢复期限计算"),
    /// The statute's 经行政机关负责人批准: the agency head approves an extension.
    ExtendDeadline => ("extend_deadline", "批准延长期限"),
    /// The officer's own work: inspections, evidence, the records of their agency (the home
    /// page's tasks of an 执法人员).
    EnforceInField => ("enforce_in_field", "从事现场执法"),
    /// 法制审核: the legal review of major enforcement decisions.
    ReviewLegality => ("review_legality", "法制审核"),
    /// 事前公开: checking what is published before enforcement (power list, guides, charts).
    ReviewPublication => ("review_publication", "审核公开内容"),
    /// 执法监督: supervising the enforcement of the bodies of one's region.
    SuperviseEnforcement => ("supervise_enforcement", "执法监督"),
    /// 行政机关负责人作出行政处罚决定 (处罚法第五十七条).
    DecidePenalty => ("decide_penalty", "作出行政处罚决定"),
}

impl Role {
    /// THE table: what each role may do. Every role check of the product derives from it.
    pub const fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Officer => &[
                EnforceInField,
                UploadEvidence,
                SuspendDeadline,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::LegalReviewer => &[ReviewLegality, ChangeOwnPassword, ViewLedger],
            Role::AgencyHead => &[
                RegisterOfficer,
                UpdateOfficer,
                ChangeCertificateStatus,
                RecordTraining,
                ViewPersonalData,
                CreateItem,
                ReviseItem,
                ListInspectionItem,
                SetGuide,
                SetBenchmark,
                PublishAnnualReport,
                UploadEvidence,
                SuspendDeadline,
                ExtendDeadline,
                DecidePenalty,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::Publisher => &[
                ReviewPublication,
                PublishAnnualReport,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::Supervisor => &[
                SuperviseEnforcement,
                ViewRegion,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::SystemAdmin => &[
                RegisterAgency,
                UpdateAgency,
                RegisterOfficer,
                UpdateOfficer,
                ChangeCertificateStatus,
                RecordTraining,
                ViewPersonalData,
                CreateItem,
                ReviseItem,
                ListInspectionItem,
                SetGuide,
                SetBenchmark,
                ViewRegion,
                ImportHolidayNotice,
                ErasePersonalData,
                RegisterWitnessedLog,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::SecurityAdmin => &[
                ViewPersonalData,
                ViewUsers,
                CreateUser,
                SetUserActive,
                IssueToken,
                RevokeToken,
                ViewTokens,
                ViewRegion,
                ChangeOwnPassword,
                ViewLedger,
            ],
            Role::Auditor => &[
                ViewUsers,
                ViewTokens,
                ViewAuditLog,
                ViewRegion,
                ChangeOwnPassword,
                ViewLedger,
            ],
        }
    }

    pub fn grants(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

impl Permission {
    /// The roles that grant this permission, from the table (in [`Role::ALL`] order).
    pub fn roles(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| r.grants(self)).collect()
    }
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.roles.iter().any(|r| r.grants(p))
    }

    /// Refuses with `forbidden`, naming the permission and the roles that have it.
    pub fn require(&self, p: Permission) -> Result<(), DomainError> {
        if self.can(p) {
            return Ok(());
        }
        let roles = p.roles();
        let message = if roles.is_empty() {
            format!("{}：任何角色均无此权限", p.label())
        } else {
            format!(
                "{}需要以下角色之一：{}",
                p.label(),
                roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        };
        Err(DomainError::forbidden(message))
    }

    /// The bootstrap actor ([`Actor::system`]): demo seeding and CLI imports run by the operator.
    pub fn is_system(&self) -> bool {
        self.user_id.is_nil() && self.has(Role::SystemAdmin)
    }
}
