//! The three registries (三库: bodies, officers, powers) and their rules, REG-1 … REG-7.

use crate::auth::{Actor, Role, validate_roles};
use crate::error::{DomainError, optional, required};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;
use zhifa_ident::{CreditCode, DivisionCode, ResidentId};

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

fn check_domain(field: &str, d: &str) -> Result<String, DomainError> {
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

// ───────────────────────────── enforcement bodies (REG-1) ─────────────────────────────

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

fn parse_division(field: &str, value: &str) -> Result<DivisionCode, DomainError> {
    DivisionCode::parse(value.trim())
        .map_err(|e| DomainError::invalid(field, e.code(), e.to_string()).rule("REG-7"))
}

/// The digits of a division code that are significant at a level (省 2, 市 4, 县/乡 6).
fn division_prefix(code: &str, level: Level) -> &str {
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
    actor.require_any(&[Role::SystemAdmin], "登记执法主体")?;
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
    if draft.parent_id != current.parent_id {
        return Err(DomainError::invalid(
            "parent_id",
            "immutable",
            "执法主体的上级主体登记后不能变更；请登记新主体",
        ));
    }
    let next = decide_register_agency(actor, current.id, draft, parent)?;
    Ok(Agency {
        path: current.path.clone(),
        ..next
    })
}

// ───────────────────────────── officers (REG-2) ─────────────────────────────

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Training {
    pub date: Date,
    pub course: String,
    /// 学时
    pub hours: u32,
    pub provider: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Officer {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    /// Resident ID (GB 11643), personal data: shown masked outside the officer's agency.
    pub id_number: String,
    pub certificate_no: String,
    /// Enforcement categories the certificate covers (执法类别).
    pub categories: Vec<String>,
    /// Division code of the region where the certificate is valid.
    pub region: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub status: CertificateStatus,
    /// Certificate number of the legal-profession qualification (法律职业资格), if held.
    pub legal_qualification: Option<String>,
    pub trainings: Vec<Training>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct OfficerDraft {
    pub agency_id: Uuid,
    pub name: String,
    pub id_number: String,
    pub certificate_no: String,
    pub categories: Vec<String>,
    pub region: String,
    /// YYYY-MM-DD
    pub valid_from: String,
    /// YYYY-MM-DD
    pub valid_to: String,
    #[serde(default)]
    pub legal_qualification: Option<String>,
}

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

fn check_certificate_no(value: &str) -> Result<String, DomainError> {
    let v = required("certificate_no", value, 32)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(DomainError::invalid(
            "certificate_no",
            "bad_character",
            "执法证号只能包含字母、数字和连字符",
        ));
    }
    Ok(v.to_uppercase())
}

/// REG-2: registers an officer of an agency with a certificate.
pub fn decide_register_officer(
    actor: &Actor,
    id: Uuid,
    draft: &OfficerDraft,
    agency: &Agency,
) -> Result<Officer, DomainError> {
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "登记执法人员")?;
    let name = required("name", &draft.name, 50)?;
    let id_number = ResidentId::parse(draft.id_number.trim())
        .map_err(|e| DomainError::invalid("id_number", e.code(), e.to_string()).rule("REG-7"))?
        .as_str()
        .to_string();
    let certificate_no = check_certificate_no(&draft.certificate_no)?;
    if draft.categories.is_empty() {
        return Err(DomainError::invalid(
            "categories",
            "required",
            "至少需要一个执法类别",
        ));
    }
    let mut categories = draft
        .categories
        .iter()
        .map(|c| check_domain("categories", c))
        .collect::<Result<Vec<_>, _>>()?;
    categories.sort();
    categories.dedup();
    let region = parse_division("region", &draft.region)?
        .as_str()
        .to_string();
    let agency_prefix = division_prefix(&agency.division_code, agency.level);
    if !region.starts_with(agency_prefix) {
        return Err(DomainError::invalid(
            "region",
            "outside_agency",
            format!(
                "执法区域 {region} 不在所属主体的行政区划 {} 之内",
                agency.division_code
            ),
        )
        .rule("REG-2"));
    }
    let valid_from = parse_date("valid_from", &draft.valid_from)?;
    let valid_to = parse_date("valid_to", &draft.valid_to)?;
    if valid_to <= valid_from {
        return Err(DomainError::invalid(
            "valid_to",
            "before_start",
            "有效期截止日期必须晚于起始日期",
        ));
    }
    let legal_qualification = match draft.legal_qualification.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(q) => Some(required("legal_qualification", q, 40)?),
    };
    Ok(Officer {
        id,
        agency_id: agency.id,
        name,
        id_number,
        certificate_no,
        categories,
        region,
        valid_from,
        valid_to,
        status: CertificateStatus::Valid,
        legal_qualification,
        trainings: Vec::new(),
    })
}

/// REG-2: corrects an officer's data; status and trainings change only through their own events.
pub fn decide_update_officer(
    actor: &Actor,
    current: &Officer,
    draft: &OfficerDraft,
    agency: &Agency,
) -> Result<Officer, DomainError> {
    if draft.agency_id != current.agency_id {
        return Err(DomainError::invalid(
            "agency_id",
            "immutable",
            "调动执法人员请在新主体登记并注销原执法证",
        ));
    }
    let next = decide_register_officer(actor, current.id, draft, agency)?;
    Ok(Officer {
        status: current.status,
        trainings: current.trainings.clone(),
        ..next
    })
}

/// REG-2: 有效 ⇄ 暂停, anything → 注销; a revoked certificate stays revoked.
pub fn decide_certificate_status(
    actor: &Actor,
    current: &Officer,
    to: CertificateStatus,
    reason: &str,
) -> Result<(CertificateStatus, String), DomainError> {
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "变更执法证状态")?;
    let reason = required("reason", reason, 200)?;
    if current.status == CertificateStatus::Revoked {
        return Err(DomainError::conflict(
            Some("status"),
            "revoked_is_final",
            "执法证已注销，不能再变更状态",
        )
        .rule("REG-2"));
    }
    if current.status == to {
        return Err(DomainError::conflict(
            Some("status"),
            "unchanged",
            format!("执法证已是「{}」状态", to.label()),
        ));
    }
    Ok((to, reason))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct TrainingDraft {
    /// YYYY-MM-DD
    pub date: String,
    pub course: String,
    pub hours: u32,
    pub provider: String,
}

pub fn decide_record_training(
    actor: &Actor,
    draft: &TrainingDraft,
    today: Date,
) -> Result<Training, DomainError> {
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "记录培训")?;
    let date = parse_date("date", &draft.date)?;
    if date > today {
        return Err(DomainError::invalid(
            "date",
            "in_future",
            "培训日期不能晚于今天",
        ));
    }
    if draft.hours == 0 || draft.hours > 500 {
        return Err(DomainError::invalid(
            "hours",
            "out_of_range",
            "学时应在 1 到 500 之间",
        ));
    }
    Ok(Training {
        date,
        course: required("course", &draft.course, 100)?,
        hours: draft.hours,
        provider: required("provider", &draft.provider, 100)?,
    })
}

/// Certificates whose validity ends within this many days are shown as expiring soon (REG-2).
pub const CERTIFICATE_EXPIRING_DAYS: i64 = 90;

impl Officer {
    /// REG-2: a certificate recorded as valid whose validity ended before `day` has expired,
    /// whatever its recorded status says.
    pub fn is_expired_on(&self, day: Date) -> bool {
        self.status == CertificateStatus::Valid && day > self.valid_to
    }

    /// REG-2: may this officer act on a case of `category` in `region` on `day`?
    pub fn may_act(&self, category: &str, region: &str, day: Date) -> Result<(), DomainError> {
        let refuse = |code: &str, msg: String| -> Result<(), DomainError> {
            let mut e = DomainError::forbidden(msg).rule("REG-2");
            e.code = code.into();
            Err(e)
        };
        if self.status != CertificateStatus::Valid {
            return refuse(
                "certificate_not_valid",
                format!("{} 的执法证状态为「{}」", self.name, self.status.label()),
            );
        }
        if day < self.valid_from || day > self.valid_to {
            return refuse(
                "certificate_expired",
                format!(
                    "{} 的执法证不在有效期内（{} 至 {}）",
                    self.name,
                    format_date(self.valid_from),
                    format_date(self.valid_to)
                ),
            );
        }
        if !self.categories.iter().any(|c| c == category) {
            return refuse(
                "category_not_covered",
                format!("{} 的执法证不含执法类别「{category}」", self.name),
            );
        }
        let prefix = self.region.trim_end_matches("00");
        if !region.starts_with(prefix) {
            return refuse(
                "outside_region",
                format!("{} 的执法区域 {} 不含 {region}", self.name, self.region),
            );
        }
        Ok(())
    }
}

// ───────────────────────────── power list (REG-3) ─────────────────────────────

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
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "新增权力清单事项")?;
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
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "调整权力清单事项")?;
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

/// REG-3: which version of an item was in force on `day` (None before it existed or once repealed).
pub fn version_in_force(versions: &[ItemVersion], day: Date) -> Option<&ItemVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= day)
        .max_by_key(|v| v.version)
        .filter(|v| !v.repealed)
}

// ───────────────────────────── inspection list, guides, benchmarks (REG-4…6) ─────────────────────────────

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InspectionItem {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub item_id: Option<Uuid>,
    pub name: String,
    pub basis: String,
    /// 检查对象
    pub target_kind: String,
    /// 检查方式
    pub method: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct InspectionDraft {
    pub agency_id: Uuid,
    #[serde(default)]
    pub item_id: Option<Uuid>,
    pub name: String,
    pub basis: String,
    pub target_kind: String,
    pub method: String,
}

pub fn decide_list_inspection(
    actor: &Actor,
    id: Uuid,
    draft: &InspectionDraft,
    agency: &Agency,
    item: Option<&ItemVersion>,
) -> Result<InspectionItem, DomainError> {
    actor.require_any(
        &[Role::SystemAdmin, Role::AgencyHead],
        "维护随机抽查事项清单",
    )?;
    if draft.item_id.is_some() && item.is_none() {
        return Err(DomainError::not_found("关联的权力清单事项"));
    }
    if let Some(i) = item
        && i.category != Category::Inspection
    {
        return Err(DomainError::invalid(
            "item_id",
            "not_inspection",
            format!(
                "随机抽查事项只能关联「行政检查」类事项，「{}」属于{}",
                i.name,
                i.category.label()
            ),
        )
        .rule("REG-4"));
    }
    Ok(InspectionItem {
        id,
        agency_id: agency.id,
        item_id: draft.item_id,
        name: required("name", &draft.name, 200)?,
        basis: required("basis", &draft.basis, 300)?,
        target_kind: required("target_kind", &draft.target_kind, 100)?,
        method: required("method", &draft.method, 100)?,
    })
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct ServiceGuide {
    #[serde(default)]
    pub item_id: Uuid,
    pub receiving_body: String,
    pub approving_body: String,
    pub conditions: String,
    pub time_limit: String,
    pub consultation: String,
    pub complaint: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
}

/// REG-5: every field of a service guide is something an applicant needs, so all are required.
pub fn decide_set_guide(
    actor: &Actor,
    item: &ItemVersion,
    draft: &ServiceGuide,
) -> Result<ServiceGuide, DomainError> {
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "维护服务指南")?;
    let phone = required("phone", &draft.phone, 30)?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || "-+() ".contains(c))
    {
        return Err(DomainError::invalid(
            "phone",
            "bad_character",
            "电话号码只能包含数字、空格和 -+()",
        ));
    }
    Ok(ServiceGuide {
        item_id: item.item_id,
        receiving_body: required("receiving_body", &draft.receiving_body, 100)?,
        approving_body: required("approving_body", &draft.approving_body, 100)?,
        conditions: required("conditions", &draft.conditions, 2000)?,
        time_limit: required("time_limit", &draft.time_limit, 100)?,
        consultation: required("consultation", &draft.consultation, 200)?,
        complaint: required("complaint", &draft.complaint, 200)?,
        address: required("address", &draft.address, 200)?,
        office_hours: required("office_hours", &draft.office_hours, 100)?,
        phone,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiscretionEntry {
    pub severity: Severity,
    /// 违法情节
    pub circumstance: String,
    /// Lower bound of the fine in fen (分).
    pub min_fine_fen: i64,
    /// Upper bound of the fine in fen (分).
    pub max_fine_fen: i64,
    /// 其他处罚种类 (警告、没收违法所得…)
    pub other_measures: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiscretionBenchmark {
    pub item_id: Uuid,
    pub entries: Vec<DiscretionEntry>,
}

/// Largest fine accepted, 10^12 fen (一百亿元): anything above is a typing error, not a benchmark.
pub const MAX_FINE_FEN: i64 = 1_000_000_000_000;

/// REG-6: benchmarks are structured ranges per circumstance; ranges are sane and do not decrease
/// as severity grows, so a heavier circumstance can never carry a lighter range.
pub fn decide_set_benchmark(
    actor: &Actor,
    item: &ItemVersion,
    entries: &[DiscretionEntry],
) -> Result<DiscretionBenchmark, DomainError> {
    actor.require_any(&[Role::SystemAdmin, Role::AgencyHead], "维护裁量基准")?;
    if item.category != Category::Penalty {
        return Err(DomainError::invalid(
            "item_id",
            "not_penalty",
            format!(
                "裁量基准适用于行政处罚事项，「{}」属于{}",
                item.name,
                item.category.label()
            ),
        )
        .rule("REG-6"));
    }
    if entries.is_empty() {
        return Err(DomainError::invalid(
            "entries",
            "required",
            "至少需要一档裁量基准",
        ));
    }
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let field = |f: &str| format!("entries[{i}].{f}");
        if e.min_fine_fen < 0 || e.max_fine_fen < 0 {
            return Err(DomainError::invalid(
                &field("min_fine_fen"),
                "negative",
                "罚款金额不能为负数",
            )
            .rule("REG-6"));
        }
        if e.max_fine_fen > MAX_FINE_FEN {
            return Err(DomainError::invalid(
                &field("max_fine_fen"),
                "too_large",
                "罚款上限超出合理范围",
            )
            .rule("REG-6"));
        }
        if e.min_fine_fen > e.max_fine_fen {
            return Err(DomainError::invalid(
                &field("min_fine_fen"),
                "min_above_max",
                "罚款下限不能高于上限",
            )
            .rule("REG-6"));
        }
        out.push(DiscretionEntry {
            severity: e.severity,
            circumstance: required(&field("circumstance"), &e.circumstance, 500)?,
            min_fine_fen: e.min_fine_fen,
            max_fine_fen: e.max_fine_fen,
            other_measures: optional(&field("other_measures"), &e.other_measures, 200)?,
        });
    }
    out.sort_by_key(|e| e.severity);
    // Every pair, not only neighbours: with two entries of one severity, the heavier severity
    // must not fall below either of them.
    let pairs = (0..out.len()).flat_map(|i| (i + 1..out.len()).map(move |j| (i, j)));
    for (i, j) in pairs {
        let w = [&out[i], &out[j]];
        if w[1].severity > w[0].severity
            && (w[1].max_fine_fen < w[0].max_fine_fen || w[1].min_fine_fen < w[0].min_fine_fen)
        {
            return Err(DomainError::invalid(
                "entries",
                "severity_order",
                format!(
                    "「{}」档的罚款幅度不能低于「{}」档",
                    w[1].severity.label(),
                    w[0].severity.label()
                ),
            )
            .rule("REG-6"));
        }
    }
    Ok(DiscretionBenchmark {
        item_id: item.item_id,
        entries: out,
    })
}

// ───────────────────────────── users and API tokens ─────────────────────────────

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
    actor.require_any(&[Role::SecurityAdmin, Role::SystemAdmin], "创建用户")?;
    if actor.has(Role::SystemAdmin) && actor.user_id != Uuid::nil() {
        // Only the bootstrap (system) actor may create accounts as system admin; people use the
        // security administrator, so no single person both configures and grants.
        actor.require_any(&[Role::SecurityAdmin], "创建用户")?;
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
    actor.require_any(&[Role::SecurityAdmin], "启用或停用账号")?;
    if user.id == actor.user_id {
        return Err(DomainError::invalid("active", "self", "不能停用自己的账号"));
    }
    Ok(User {
        active,
        ..user.clone()
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    pub created_by: Uuid,
    pub revoked: bool,
}

/// Tokens let external systems (办案系统, 上级平台) call the API as their agency; they can never
/// carry an administrator role.
pub fn decide_issue_token(
    actor: &Actor,
    id: Uuid,
    name: &str,
    agency_id: Uuid,
    roles: &[Role],
) -> Result<ApiToken, DomainError> {
    actor.require_any(&[Role::SecurityAdmin], "签发接口令牌")?;
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
    })
}

/// Revoking a token is the security administrator's; a revoked token stays revoked.
pub fn decide_revoke_token(actor: &Actor, token: &ApiToken) -> Result<(), DomainError> {
    actor.require_any(&[Role::SecurityAdmin], "吊销接口令牌")?;
    if token.revoked {
        return Err(DomainError::conflict(
            None,
            "already_revoked",
            "该令牌已吊销",
        ));
    }
    Ok(())
}
