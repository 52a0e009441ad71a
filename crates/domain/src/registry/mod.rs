//! The three registries (三库: bodies, officers, powers) and their rules, REG-1 … REG-7.
//!
//! One file per feature; everything is re-exported here so `zhifa_domain::registry::X` keeps
//! working for every item, including the accounts that now live in [`crate::accounts`].

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

mod agency;
mod benchmark;
mod guide;
mod inspection;
mod item;
mod officer;
pub mod record;

pub use agency::*;
pub use benchmark::*;
pub use guide::*;
pub use inspection::*;
pub use item::*;
pub use officer::*;
// Accounts moved to their own feature module; the old paths stay valid.
pub use crate::accounts::{
    ApiToken, User, UserDraft, check_password, decide_create_user, decide_issue_token,
    decide_revoke_token, decide_unlock, decide_user_active,
};

/// Enforcement domains (执法领域), used for agencies' department kind and officers' categories.
pub const DOMAINS: [&str; 19] = [
    "政府",
    "司法行政",
    "综合行政执法",
    "市场监管",
    "生态环境",
    "交通运输",
    "应急管理",
    "自然资源",
    "住房城乡建设",
    "农业农村",
    "文化旅游",
    "卫生健康",
    "公安",
    "税务",
    "城市管理",
    "人力资源社会保障",
    "水利",
    "商务",
    "教育",
];

pub(crate) fn check_domain(field: &str, d: &str) -> Result<String, DomainError> {
    let d = d.trim();
    if DOMAINS.contains(&d) {
        Ok(d.to_string())
    } else {
        Err(DomainError::invalid(
            field,
            "unknown_domain",
            format!("未知的执法领域「{d}」，可选：{}", DOMAINS.join("、")),
        ))
    }
}

/// One of [`DOMAINS`], checked once where text enters, so rules compare domains rather than
/// spellings (a stray space or a synonym can no longer make an officer "not covered").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnforcementDomain(&'static str);

impl EnforcementDomain {
    pub fn parse(s: &str) -> Option<EnforcementDomain> {
        let s = s.trim();
        DOMAINS
            .iter()
            .find(|d| **d == s)
            .map(|d| EnforcementDomain(d))
    }

    /// [`EnforcementDomain::parse`] for input: a refusal naming `field` and listing the domains.
    pub fn parse_input(field: &str, s: &str) -> Result<EnforcementDomain, DomainError> {
        check_domain(field, s)
            .map(|d| EnforcementDomain::parse(&d).expect("check_domain accepts only DOMAINS"))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn all() -> impl Iterator<Item = EnforcementDomain> {
        DOMAINS.iter().map(|d| EnforcementDomain(d))
    }
}

impl std::fmt::Display for EnforcementDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($key:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $key),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Accepts the API key or the Chinese label.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
            }
        }
    };
}

labelled_enum!(
    /// 执法主体类型 (REG-1)
    AgencyKind {
        AdministrativeOrgan => ("administrative_organ", "行政机关"),
        AuthorizedOrganization => ("authorized_organization", "法律法规授权组织"),
        EntrustedOrganization => ("entrusted_organization", "受委托组织"),
    }
);

labelled_enum!(
    /// 层级 (REG-1)
    Level {
        Province => ("province", "省级"),
        City => ("city", "市级"),
        County => ("county", "县级"),
        Township => ("township", "乡级"),
    }
);

labelled_enum!(
    /// The eight categories of enforcement power (REG-3).
    Category {
        License => ("license", "行政许可"),
        Levy => ("levy", "行政征收"),
        Requisition => ("requisition", "行政征用"),
        Fee => ("fee", "行政收费"),
        Reward => ("reward", "行政奖励"),
        Inspection => ("inspection", "行政检查"),
        Penalty => ("penalty", "行政处罚"),
        Coercion => ("coercion", "行政强制"),
    }
);

labelled_enum!(
    /// 执法证状态 (REG-2)
    CertificateStatus {
        Valid => ("valid", "有效"),
        Suspended => ("suspended", "暂停"),
        Revoked => ("revoked", "注销"),
    }
);

labelled_enum!(
    /// Why a power-list item changed (REG-3).
    ChangeKind {
        Created => ("created", "新设"),
        LawAmended => ("law_amended", "法律法规修订"),
        LawMade => ("law_made", "法律法规制定"),
        LawRepealed => ("law_repealed", "法律法规废止"),
        FunctionAdjusted => ("function_adjusted", "职能调整"),
        Correction => ("correction", "勘误"),
    }
);

labelled_enum!(
    /// 裁量档次 (REG-6)
    Severity {
        Minor => ("minor", "轻微"),
        General => ("general", "一般"),
        Serious => ("serious", "较重"),
        Grave => ("grave", "严重"),
    }
);

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn parse_date(field: &str, value: &str) -> Result<Date, DomainError> {
    Date::parse(value.trim(), DATE_FORMAT).map_err(|_| {
        DomainError::invalid(
            field,
            "bad_date",
            format!(
                "日期「{}」无效，应为存在的日期，格式 YYYY-MM-DD",
                value.trim()
            ),
        )
    })
}

pub fn format_date(d: Date) -> String {
    d.format(DATE_FORMAT).expect("a Date always formats")
}
