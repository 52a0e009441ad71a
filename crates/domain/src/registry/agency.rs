//! Enforcement bodies (执法主体), REG-1.

use super::{AgencyKind, Level, check_domain};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, optional, required};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhifa_ident::{CreditCode, DivisionCode};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agency {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    /// Set when a pilot code that fails only the GB 32100 checksum was accepted (REG-7).
    pub credit_code_override: Option<String>,
    pub kind: AgencyKind,
    pub level: Level,
    pub division_code: String,
    pub parent_id: Option<Uuid>,
    /// 执法领域; `政府` for a people's government, `司法行政` for a justice bureau.
    pub domain: String,
    pub legal_basis: String,
    /// Materialised path of ids from the root, `/root/…/self/` (see [`crate::scope`]).
    pub path: String,
}

impl Agency {
    pub fn is_government(&self) -> bool {
        self.domain == "政府"
    }
    pub fn is_justice_bureau(&self) -> bool {
        self.domain == "司法行政"
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AgencyDraft {
    pub name: String,
    pub credit_code: String,
    /// Reason for accepting a credit code that fails only its checksum (pilot codes).
    #[serde(default)]
    pub credit_code_override_reason: Option<String>,
    pub kind: String,
    pub level: String,
    pub division_code: String,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    pub domain: String,
    #[serde(default)]
    pub legal_basis: String,
}

fn parse_credit_code(
    value: &str,
    override_reason: Option<&str>,
) -> Result<(String, Option<String>), DomainError> {
    match CreditCode::parse(value.trim()) {
        Ok(c) => Ok((c.as_str().to_string(), None)),
        Err(e) => {
            let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
            match reason {
                Some(r) if e.is_checksum_only() => {
                    Ok((value.trim().to_uppercase(), Some(r.to_string())))
                }
                _ => {
                    Err(DomainError::invalid("credit_code", e.code(), e.to_string()).rule("REG-7"))
                }
            }
        }
    }
}

pub(crate) fn parse_division(field: &str, value: &str) -> Result<DivisionCode, DomainError> {
    DivisionCode::parse(value.trim())
        .map_err(|e| DomainError::invalid(field, e.code(), e.to_string()).rule("REG-7"))
}

/// The digits of a division code that are significant at a level (省 2, 市 4, 县/乡 6).
pub(crate) fn division_prefix(code: &str, level: Level) -> &str {
    match level {
        Level::Province => &code[..2],
        Level::City => &code[..4],
        Level::County | Level::Township => &code[..6],
    }
}

fn level_matches_division(level: Level, code: &str) -> bool {
    let (city, county) = (&code[2..4], &code[4..6]);
    match level {
        Level::Province => city == "00" && county == "00",
        Level::City => city != "00" && county == "00",
        // Municipalities' districts (110101 …) and counties both have a non-zero county part.
        Level::County | Level::Township => county != "00",
    }
}

/// REG-1: registers an enforcement body under its parent.
pub fn decide_register_agency(
    actor: &Actor,
    id: Uuid,
    draft: &AgencyDraft,
    parent: Option<&Agency>,
) -> Result<Agency, DomainError> {
    actor.require(Permission::RegisterAgency)?;
    build_agency(id, draft, parent)
}

/// The checks shared by registration and update (everything but the permission).
fn build_agency(
    id: Uuid,
    draft: &AgencyDraft,
    parent: Option<&Agency>,
) -> Result<Agency, DomainError> {
    let name = required("name", &draft.name, 100)?;
    let (credit_code, credit_code_override) = parse_credit_code(
        &draft.credit_code,
        draft.credit_code_override_reason.as_deref(),
    )?;
    let kind = AgencyKind::parse(&draft.kind).ok_or_else(|| {
        DomainError::invalid(
            "kind",
            "unknown_kind",
            "主体类型应为行政机关、法律法规授权组织或受委托组织",
        )
    })?;
    let level = Level::parse(&draft.level).ok_or_else(|| {
        DomainError::invalid("level", "unknown_level", "层级应为省级、市级、县级或乡级")
    })?;
    let division = parse_division("division_code", &draft.division_code)?;
    let division_code = division.as_str().to_string();
    if !level_matches_division(level, &division_code) {
        return Err(DomainError::invalid(
            "division_code",
            "level_mismatch",
            format!(
                "行政区划代码 {division_code} 与层级「{}」不符",
                level.label()
            ),
        )
        .rule("REG-1"));
    }
    let domain = check_domain("domain", &draft.domain)?;
    let legal_basis = optional("legal_basis", &draft.legal_basis, 500)?;
    let path = match (draft.parent_id, parent) {
        (None, _) => {
            if level != Level::Province {
                return Err(DomainError::invalid(
                    "parent_id",
                    "required",
                    "省级以下执法主体必须指定上级主体",
                )
                .rule("REG-1"));
            }
            format!("/{id}/")
        }
        (Some(_), None) => return Err(DomainError::not_found("上级主体").rule("REG-1")),
        (Some(_), Some(p)) => {
            if level < p.level {
                return Err(DomainError::invalid(
                    "level",
                    "above_parent",
                    format!(
                        "层级「{}」不能高于上级主体的层级「{}」",
                        level.label(),
                        p.level.label()
                    ),
                )
                .rule("REG-1"));
            }
            if !division_code.starts_with(division_prefix(&p.division_code, p.level)) {
                return Err(DomainError::invalid(
                    "division_code",
                    "outside_parent",
                    format!(
                        "行政区划 {division_code} 不在上级主体的行政区划 {} 之内",
                        p.division_code
                    ),
                )
                .rule("REG-1"));
            }
            format!("{}{id}/", p.path)
        }
    };
    Ok(Agency {
        id,
        name,
        credit_code,
        credit_code_override,
        kind,
        level,
        division_code,
        parent_id: draft.parent_id,
        domain,
        legal_basis,
        path,
    })
}

/// REG-1: changes a body's descriptive data. Its place in the hierarchy is fixed once registered,
/// because every record below it is scoped by that path.
pub fn decide_update_agency(
    actor: &Actor,
    current: &Agency,
    draft: &AgencyDraft,
    parent: Option<&Agency>,
) -> Result<Agency, DomainError> {
    actor.require(Permission::UpdateAgency)?;
    if draft.parent_id != current.parent_id {
        return Err(DomainError::invalid(
            "parent_id",
            "immutable",
            "执法主体的上级主体登记后不能变更；请登记新主体",
        ));
    }
    let next = build_agency(current.id, draft, parent)?;
    Ok(Agency {
        path: current.path.clone(),
        ..next
    })
}
