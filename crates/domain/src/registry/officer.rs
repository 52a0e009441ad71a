//! Officers (执法人员) and their certificates, REG-2.

use super::{
    Agency, CertificateStatus, EnforcementDomain, check_domain, division_prefix, format_date,
    parse_date, parse_division,
};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;
use zhifa_ident::PersonalId;

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

/// REG-2: registers an officer of an agency with a certificate. The ID number is a resident ID
/// or a 2023 Foreign Permanent Resident ID Card (处罚法 Art. 84), with no birth date after
/// `today` (REG-7; the domain has no clock, the caller passes today in China Standard Time).
pub fn decide_register_officer(
    actor: &Actor,
    id: Uuid,
    draft: &OfficerDraft,
    agency: &Agency,
    today: Date,
) -> Result<Officer, DomainError> {
    actor.require(Permission::RegisterOfficer)?;
    build_officer(id, draft, agency, today)
}

/// The checks shared by registration and update (everything but the permission).
fn build_officer(
    id: Uuid,
    draft: &OfficerDraft,
    agency: &Agency,
    today: Date,
) -> Result<Officer, DomainError> {
    let name = required("name", &draft.name, 50)?;
    let id_number = PersonalId::parse_at(draft.id_number.trim(), today)
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
    today: Date,
) -> Result<Officer, DomainError> {
    actor.require(Permission::UpdateOfficer)?;
    if draft.agency_id != current.agency_id {
        return Err(DomainError::invalid(
            "agency_id",
            "immutable",
            "调动执法人员请在新主体登记并注销原执法证",
        ));
    }
    let next = build_officer(current.id, draft, agency, today)?;
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
    actor.require(Permission::ChangeCertificateStatus)?;
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
    actor.require(Permission::RecordTraining)?;
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
        self.acting_until().is_some_and(|last| day > last)
    }

    /// REG-2: the last day this certificate lets its holder act, while it is in force: a
    /// suspended or revoked certificate lets no one act, whatever its printed dates. The store
    /// keeps this beside each officer so lists can ask "valid until when" by index without
    /// restating the rule in SQL.
    pub fn acting_until(&self) -> Option<Date> {
        (self.status == CertificateStatus::Valid).then_some(self.valid_to)
    }

    /// The enforcement domains the certificate covers, typed (entries that are not a known
    /// domain, e.g. erased or legacy text, cover nothing).
    pub fn domains(&self) -> impl Iterator<Item = EnforcementDomain> + '_ {
        self.categories
            .iter()
            .filter_map(|c| EnforcementDomain::parse(c))
    }

    /// REG-2: may this officer act on a case of `domain` in `region` on `day`? A certificate
    /// not yet in force and one whose validity has ended are different refusals: the first is
    /// a date to wait for, the second a certificate to renew.
    pub fn may_act(
        &self,
        domain: EnforcementDomain,
        region: &str,
        day: Date,
    ) -> Result<(), DomainError> {
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
        if day < self.valid_from {
            return refuse(
                "certificate_not_yet_valid",
                format!(
                    "{} 的执法证自 {} 起生效，{} 尚未生效",
                    self.name,
                    format_date(self.valid_from),
                    format_date(day)
                ),
            );
        }
        if day > self.valid_to {
            return refuse(
                "certificate_expired",
                format!(
                    "{} 的执法证已于 {} 到期（有效期 {} 至 {}）",
                    self.name,
                    format_date(self.valid_to),
                    format_date(self.valid_from),
                    format_date(self.valid_to)
                ),
            );
        }
        if !self.domains().any(|d| d == domain) {
            return refuse(
                "category_not_covered",
                format!("{} 的执法证不含执法类别「{domain}」", self.name),
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

/// The smallest enforcement team: 《中华人民共和国行政处罚法》第四十二条 (执法人员不得少于两人) and
/// 《中华人民共和国行政强制法》第十八条第二项 (由两名以上行政执法人员实施).
pub const MIN_TEAM: usize = 2;

/// REG-2 with 处罚法第四十二条: an enforcement action needs at least two distinct officers of
/// `agency`, each with a certificate valid on `on` covering `domain` and `region`. Returns the
/// team's officer ids (deduplicated, in the given order); the first officer who may not act is
/// the refusal, so the message names the person to replace.
pub fn decide_enforcement_team(
    officers: &[&Officer],
    agency: &Agency,
    domain: EnforcementDomain,
    region: &str,
    on: Date,
) -> Result<Vec<Uuid>, DomainError> {
    let mut ids: Vec<Uuid> = Vec::with_capacity(officers.len());
    for o in officers {
        if ids.contains(&o.id) {
            continue;
        }
        if o.agency_id != agency.id {
            return Err(DomainError::invalid(
                "officers",
                "other_agency",
                format!("{} 不是{}的执法人员", o.name, agency.name),
            )
            .rule("REG-2"));
        }
        o.may_act(domain, region, on)?;
        ids.push(o.id);
    }
    if ids.len() < MIN_TEAM {
        return Err(DomainError::invalid(
            "officers",
            "team_too_small",
            format!(
                "执法人员不得少于两人（《中华人民共和国行政处罚法》第四十二条；实施行政强制措施须由两名以上行政执法人员实施，《中华人民共和国行政强制法》第十八条），当前 {} 人",
                ids.len()
            ),
        )
        .rule("REG-2"));
    }
    Ok(ids)
}

impl Officer {
    /// The officer as `actor` may see it: the ID number masked ([`crate::privacy::mask_id_number`])
    /// unless the actor may see personal data.
    pub fn view_for(&self, actor: &Actor) -> Officer {
        let mut o = self.clone();
        if !actor.can(crate::auth::Permission::ViewPersonalData) {
            o.id_number = crate::privacy::mask_id_number(&o.id_number);
        }
        o
    }
}
