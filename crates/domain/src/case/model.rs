//! A penalty case as the rules and the pages see it: folded from its events by `evolve`
//! (`record.rs`), decided on by `decide.rs`.

use super::{BenchmarkFit, Offence, PartyKind, Progress, Sanction};
use crate::registry::Severity;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// The party (当事人). Every field but the kind is personal data: committed in the ledger,
/// masked in views without `ViewPersonalData`, erasable (REC-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Party {
    pub kind: PartyKind,
    /// The citizen's name or the organisation's.
    pub name: String,
    /// Resident ID number (citizen) or unified social credit code (organisation), normalised.
    pub id_number: String,
    pub address: String,
    pub phone: String,
}

/// A record of investigation (REC-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationKind {
    /// 询问笔录
    Inquiry,
    /// 现场检查（勘验）笔录
    Inspection,
}

impl InvestigationKind {
    pub fn label(self) -> &'static str {
        match self {
            InvestigationKind::Inquiry => "询问笔录",
            InvestigationKind::Inspection => "现场检查（勘验）笔录",
        }
    }
}

/// How a decision reaches the party (处罚法第六十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    /// 直接送达（当场交付）
    Direct,
    /// 留置送达
    Lien,
    /// 邮寄送达
    Post,
    /// 电子送达（须当事人同意并签订确认书）
    Electronic,
    /// 公告送达
    PublicNotice,
}

impl ServiceMethod {
    pub fn label(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "直接送达",
            ServiceMethod::Lien => "留置送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Electronic => "电子送达",
            ServiceMethod::PublicNotice => "公告送达",
        }
    }
}

/// The decision (行政处罚决定, 第五十九条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub decided_on: Date,
    pub sanctions: Vec<Sanction>,
    /// The circumstance of the item's discretion benchmark applied.
    pub severity: Severity,
    pub fit: BenchmarkFit,
    /// Why the fine lies outside the benchmark (when it does).
    pub departure_reason: Option<String>,
    /// 违法事实、证据与依据 as written in the decision.
    pub reasons: String,
}

/// A penalty case under the ordinary procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub id: Uuid,
    pub agency_id: Uuid,
    /// Numbered per agency and year without gaps, e.g. 〔2026〕12号 (REC-2).
    pub case_no: String,
    pub year: i32,
    pub number: u32,
    /// The power-list item (行政处罚) the case applies.
    pub item_id: Uuid,
    pub item_name: String,
    /// The enforcement domain and the region (division code) the officers must cover.
    pub domain: String,
    pub region: String,
    pub party: Party,
    #[schema(value_type = Object)]
    pub offence: Offence,
    /// 案由与基本事实
    pub facts: String,
    /// The officers in charge (at least two, 第四十二条).
    pub officer_ids: Vec<Uuid>,
    /// Everyone who investigated: those in charge and those named on investigation records
    /// (none of them may chair the hearing, 第六十四条).
    #[serde(default)]
    pub investigator_ids: Vec<Uuid>,
    #[schema(value_type = Object)]
    pub progress: Progress,
    /// The penalty proposed in the notice (告知).
    pub proposed: Vec<Sanction>,
    pub decision: Option<Decision>,
}

impl Case {
    pub fn stage(&self) -> super::Stage {
        self.progress.stage()
    }
}
