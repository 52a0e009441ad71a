//! The power list (权力清单), versioned, REG-3.

use super::{Agency, Category, ChangeKind, check_domain, format_date, parse_date};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, optional, required};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LegalBasis {
    /// Law name in book-title marks, e.g. 《中华人民共和国行政处罚法》
    pub law: String,
    /// Article, e.g. 第五十一条 or 第二十八条第一款
    pub article: String,
}

impl LegalBasis {
    /// Parses `《名称》第N条[第M款][第K项]`.
    pub fn parse(field: &str, s: &str) -> Result<LegalBasis, DomainError> {
        let s = s.trim();
        let bad = || {
            DomainError::invalid(
                field,
                "bad_legal_basis",
                format!("法律依据「{s}」格式应为《法律名称》第N条（可加第M款、第K项）"),
            )
        };
        let rest = s.strip_prefix('《').ok_or_else(bad)?;
        let (name, article) = rest.split_once('》').ok_or_else(bad)?;
        if name.trim().is_empty() || !is_article(article.trim()) {
            return Err(bad());
        }
        Ok(LegalBasis {
            law: format!("《{}》", name.trim()),
            article: article.trim().to_string(),
        })
    }
}

impl std::fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.law, self.article)
    }
}

fn is_article(a: &str) -> bool {
    // 第…条 followed by optional 第…款 and 第…项 (or 之一 for inserted articles).
    let numeral = |c: char| "零〇一二三四五六七八九十百千".contains(c);
    let mut rest = a;
    for (i, unit) in ["条", "款", "项"].iter().enumerate() {
        let Some(r) = rest.strip_prefix('第') else {
            return i > 0 && rest.is_empty();
        };
        let Some(end) = r.find(unit) else {
            return false;
        };
        let num = &r[..end];
        if num.is_empty() || !num.chars().all(numeral) {
            return false;
        }
        rest = &r[end + unit.len()..];
        if i == 0 {
            rest = rest.strip_prefix("之一").unwrap_or(rest);
        }
    }
    rest.is_empty()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemVersion {
    pub item_id: Uuid,
    pub version: i64,
    pub code: String,
    pub name: String,
    pub category: Category,
    pub domain: String,
    /// The responsible body (实施主体).
    pub agency_id: Uuid,
    pub legal_bases: Vec<LegalBasis>,
    /// Procedure steps, in order; the flowchart is drawn from them (REG-5).
    pub procedure: Vec<String>,
    pub time_limit: String,
    /// 行政复议机关
    pub review_body: String,
    /// 行政诉讼
    pub litigation: String,
    pub effective_from: Date,
    pub change_kind: ChangeKind,
    pub reason: String,
    /// A repealed item stays readable for the dates it was in force.
    pub repealed: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemDraft {
    pub code: String,
    pub name: String,
    /// One of the eight categories (key or Chinese label).
    pub category: String,
    pub domain: String,
    pub agency_id: Uuid,
    /// Each `《法律名称》第N条…`
    pub legal_bases: Vec<String>,
    pub procedure: Vec<String>,
    pub time_limit: String,
    pub review_body: String,
    #[serde(default)]
    pub litigation: String,
    /// YYYY-MM-DD
    pub effective_from: String,
    /// For a revision: why (change kind key or label).
    #[serde(default)]
    pub change_kind: Option<String>,
    #[serde(default)]
    pub reason: String,
}

fn check_item_code(v: &str) -> Result<String, DomainError> {
    let v = required("code", v, 40)?;
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::invalid(
            "code",
            "bad_character",
            "事项编码只能包含字母、数字、- 和 _",
        ));
    }
    Ok(v)
}

fn build_version(
    item_id: Uuid,
    version: i64,
    draft: &ItemDraft,
    agency: &Agency,
    change_kind: ChangeKind,
    reason: String,
) -> Result<ItemVersion, DomainError> {
    let category = Category::parse(&draft.category).ok_or_else(|| {
        DomainError::invalid(
            "category",
            "unknown_category",
            "类别应为行政许可、行政征收、行政征用、行政收费、行政奖励、行政检查、行政处罚、行政强制之一",
        )
        .rule("REG-3")
    })?;
    if draft.legal_bases.is_empty() {
        return Err(
            DomainError::invalid("legal_bases", "required", "至少需要一条法律依据").rule("REG-3"),
        );
    }
    let legal_bases = draft
        .legal_bases
        .iter()
        .map(|b| LegalBasis::parse("legal_bases", b))
        .collect::<Result<Vec<_>, _>>()?;
    let procedure = draft
        .procedure
        .iter()
        .map(|s| required("procedure", s, 50))
        .collect::<Result<Vec<_>, _>>()?;
    if procedure.is_empty() {
        return Err(DomainError::invalid(
            "procedure",
            "required",
            "至少需要一个办理环节",
        ));
    }
    Ok(ItemVersion {
        item_id,
        version,
        code: check_item_code(&draft.code)?,
        name: required("name", &draft.name, 200)?,
        category,
        domain: check_domain("domain", &draft.domain)?,
        agency_id: agency.id,
        legal_bases,
        procedure,
        time_limit: required("time_limit", &draft.time_limit, 100)?,
        review_body: required("review_body", &draft.review_body, 100)?,
        litigation: {
            let l = optional("litigation", &draft.litigation, 100)?;
            if l.is_empty() {
                "依法向人民法院提起行政诉讼".to_string()
            } else {
                l
            }
        },
        effective_from: parse_date("effective_from", &draft.effective_from)?,
        change_kind,
        reason,
        repealed: change_kind == ChangeKind::LawRepealed,
    })
}

/// REG-3: creates an item on the power list (version 1).
pub fn decide_create_item(
    actor: &Actor,
    item_id: Uuid,
    draft: &ItemDraft,
    agency: &Agency,
) -> Result<ItemVersion, DomainError> {
    actor.require(Permission::CreateItem)?;
    let reason = optional("reason", &draft.reason, 500)?;
    let reason = if reason.is_empty() {
        "首次列入权力清单".to_string()
    } else {
        reason
    };
    build_version(item_id, 1, draft, agency, ChangeKind::Created, reason)
}

/// REG-3: a change never overwrites: it publishes a new version with its effective date and reason,
/// and the old version stays readable for the dates it was in force.
pub fn decide_revise_item(
    actor: &Actor,
    current: &ItemVersion,
    draft: &ItemDraft,
    agency: &Agency,
) -> Result<ItemVersion, DomainError> {
    actor.require(Permission::ReviseItem)?;
    if current.repealed {
        return Err(
            DomainError::conflict(None, "repealed", "该事项已废止，不能再调整").rule("REG-3"),
        );
    }
    let change_kind = draft
        .change_kind
        .as_deref()
        .and_then(ChangeKind::parse)
        .filter(|k| *k != ChangeKind::Created)
        .ok_or_else(|| {
            DomainError::invalid(
                "change_kind",
                "required",
                "请说明调整类型：法律法规制定、修订、废止，职能调整或勘误",
            )
            .rule("REG-3")
        })?;
    let reason = required("reason", &draft.reason, 500).map_err(|e| e.rule("REG-3"))?;
    let next = build_version(
        current.item_id,
        current.version + 1,
        draft,
        agency,
        change_kind,
        reason,
    )?;
    if next.effective_from <= current.effective_from {
        return Err(DomainError::invalid(
            "effective_from",
            "not_after_current",
            format!(
                "新版本生效日期必须晚于现行版本的生效日期 {}",
                format_date(current.effective_from)
            ),
        )
        .rule("REG-3"));
    }
    Ok(next)
}

/// REG-3: the days on which each version is the one [`version_in_force`] picks, as a half-open
/// range `[from, until)` (`until` None: still in force); a version superseded before it took
/// effect has no range and is absent. A repealing version keeps its range (the rule then yields
/// no version for those days). The store keeps these ranges beside each version, so "the list as
/// it stood on day D" is an indexed range query that cannot drift from the rule.
pub fn in_force_periods(versions: &[ItemVersion]) -> Vec<(i64, Date, Option<Date>)> {
    let mut out = Vec::new();
    for v in versions {
        // Superseded on the first day a higher version is effective.
        let until = versions
            .iter()
            .filter(|w| w.version > v.version)
            .map(|w| w.effective_from)
            .min();
        if until.is_none_or(|u| v.effective_from < u) {
            out.push((v.version, v.effective_from, until));
        }
    }
    out
}

/// REG-3: which version of an item was in force on `day` (None before it existed or once repealed).
pub fn version_in_force(versions: &[ItemVersion], day: Date) -> Option<&ItemVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .max_by_key(|v| v.version)
        .filter(|v| !v.repealed)
}
