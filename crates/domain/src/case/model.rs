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

/// Why no penalty is imposed (不予行政处罚), each with the article that grounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoPenaltyGround {
    /// 违法行为轻微并及时改正，没有造成危害后果（第三十三条第一款）
    MinorCorrected,
    /// 初次违法且危害后果轻微并及时改正（第三十三条第一款，可以不予处罚）
    FirstMinor,
    /// 当事人有证据足以证明没有主观过错（第三十三条第二款）
    NoFault,
    /// 不满十四周岁（第三十条）
    UnderFourteen,
    /// 精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为（第三十一条）
    NotResponsible,
    /// 违法行为在二年（五年）内未被发现（第三十六条）
    Limitation,
    /// 违法事实不能成立（第五十七条第一款第三项）
    FactsNotEstablished,
}

impl NoPenaltyGround {
    pub const ALL: [NoPenaltyGround; 7] = [
        NoPenaltyGround::MinorCorrected,
        NoPenaltyGround::FirstMinor,
        NoPenaltyGround::NoFault,
        NoPenaltyGround::UnderFourteen,
        NoPenaltyGround::NotResponsible,
        NoPenaltyGround::Limitation,
        NoPenaltyGround::FactsNotEstablished,
    ];

    pub fn key(self) -> &'static str {
        match self {
            NoPenaltyGround::MinorCorrected => "minor_corrected",
            NoPenaltyGround::FirstMinor => "first_minor",
            NoPenaltyGround::NoFault => "no_fault",
            NoPenaltyGround::UnderFourteen => "under_fourteen",
            NoPenaltyGround::NotResponsible => "not_responsible",
            NoPenaltyGround::Limitation => "limitation",
            NoPenaltyGround::FactsNotEstablished => "facts_not_established",
        }
    }

    /// The ground as the decision form states it, with its article of 处罚法.
    pub fn label(self) -> &'static str {
        match self {
            NoPenaltyGround::MinorCorrected => {
                "违法行为轻微并及时改正，没有造成危害后果（《行政处罚法》第三十三条第一款）"
            }
            NoPenaltyGround::FirstMinor => {
                "初次违法且危害后果轻微并及时改正（《行政处罚法》第三十三条第一款）"
            }
            NoPenaltyGround::NoFault => {
                "当事人有证据足以证明没有主观过错（《行政处罚法》第三十三条第二款）"
            }
            NoPenaltyGround::UnderFourteen => "违法时不满十四周岁（《行政处罚法》第三十条）",
            NoPenaltyGround::NotResponsible => {
                "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为（《行政处罚法》第三十一条）"
            }
            NoPenaltyGround::Limitation => {
                "违法行为在法定期限内未被发现（《行政处罚法》第三十六条）"
            }
            NoPenaltyGround::FactsNotEstablished => {
                "违法事实不能成立（《行政处罚法》第五十七条第一款第三项）"
            }
        }
    }
}

/// A decision not to impose a penalty (不予行政处罚决定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoPenalty {
    pub decided_on: Date,
    pub ground: NoPenaltyGround,
    /// 违法事实（或事实不成立的理由）、证据与依据 as written in the decision.
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
    /// The decision not to punish, when that is how the case was decided (第三十三条等).
    #[serde(default)]
    pub no_penalty: Option<NoPenalty>,
}

impl Case {
    pub fn stage(&self) -> super::Stage {
        self.progress.stage()
    }
}
