//! Events: the only way anything changes. Each is appended to a stream (one entity) with a
//! version, recorded with who did it and when, and never edited or deleted (REC-1).

use crate::accounts::record::{ApiTokenV2, UserV1};
use crate::auth::Actor;
use crate::case::record::{CaseFiledV1, DecisionV1, InvestigationV1, NoticeV1};
use crate::deadline::DueAt;
use crate::deadline::record::{AnnualReportV1, DeadlineV1};
use crate::evidence::record::EvidenceV1;
use crate::registry::record::{
    AgencyV1, DiscretionBenchmarkV1, InspectionItemV1, ItemVersionV1, OfficerV1, ServiceGuideV1,
};
use crate::registry::{CertificateStatus, Training};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod personal;
pub mod samples;
pub mod versions;

pub use personal::Personal;

// Erasure lives with the ledger; the old paths `event::{decide_erasure, ERASED, decode_stored}` stay.
pub use crate::ledger::{ERASED, decide_erasure};
pub use versions::{DecodeError, current as current_version, decode_stored, encode};

/// Names a stream: the kind of entity and its id, written `kind-uuid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamId(pub String);

impl StreamId {
    pub fn agency(id: Uuid) -> Self {
        Self(format!("agency-{id}"))
    }
    pub fn officer(id: Uuid) -> Self {
        Self(format!("officer-{id}"))
    }
    pub fn item(id: Uuid) -> Self {
        Self(format!("item-{id}"))
    }
    pub fn inspection(id: Uuid) -> Self {
        Self(format!("inspection-{id}"))
    }
    pub fn user(id: Uuid) -> Self {
        Self(format!("user-{id}"))
    }
    pub fn token(id: Uuid) -> Self {
        Self(format!("token-{id}"))
    }
    pub fn deadline(id: Uuid) -> Self {
        Self(format!("deadline-{id}"))
    }
    /// One stream per agency and year: a year's report can be filed once.
    pub fn annual_report(agency: Uuid, year: i32) -> Self {
        Self(format!("report-{agency}-{year}"))
    }
    /// One evidence file (REC-4).
    pub fn evidence(id: Uuid) -> Self {
        Self(format!("evidence-{id}"))
    }
    /// A lower-tier log this instance witnesses (REC-6), by its origin.
    pub fn witnessed_log(origin: &str) -> Self {
        Self(format!("witness-{origin}"))
    }
    /// An enforcement case (REC-1).
    pub fn case(id: Uuid) -> Self {
        Self(format!("case-{id}"))
    }
    /// The case numbers an agency has taken in a year.
    pub fn case_numbers(agency: Uuid, year: i32) -> Self {
        Self(format!("case-numbers-{agency}-{year}"))
    }
    /// Holiday notices imported at run time (DL-1).
    pub fn calendar() -> Self {
        Self("calendar".into())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    AgencyRegistered(AgencyV1),
    AgencyUpdated(AgencyV1),
    OfficerRegistered(OfficerV1),
    OfficerUpdated(OfficerV1),
    CertificateStatusChanged {
        officer_id: Uuid,
        status: CertificateStatus,
        reason: String,
    },
    TrainingRecorded {
        officer_id: Uuid,
        training: Training,
    },
    /// A new version of a power-list item; version 1 creates the item (REG-3).
    ItemVersionPublished(ItemVersionV1),
    InspectionItemListed(InspectionItemV1),
    ServiceGuideSet(ServiceGuideV1),
    DiscretionBenchmarkSet(DiscretionBenchmarkV1),
    UserCreated(UserV1),
    UserUpdated(UserV1),
    /// The credential itself never enters the log; only the fact that it changed.
    PasswordChanged {
        user_id: Uuid,
    },
    /// An administrator set a new password for the account, which must change it at its next
    /// sign-in; as with [`Event::PasswordChanged`], only the fact is recorded.
    PasswordReset {
        user_id: Uuid,
    },
    /// Version 2: with its expiry (version 1, before tokens expired, reads as expired).
    ApiTokenIssued(ApiTokenV2),
    ApiTokenRevoked {
        token_id: Uuid,
    },
    /// A duty's deadline starts (DL-3).
    DeadlineOpened(DeadlineV1),
    /// Its inputs changed (a notice import, a suspension): the new due date.
    DeadlineRecomputed {
        deadline_id: Uuid,
        due: DueAt,
        reason: String,
    },
    /// It passed without the satisfying event; the duty is still owed.
    DeadlineMissed {
        deadline_id: Uuid,
        due: DueAt,
    },
    /// The satisfying event happened.
    DeadlineMet {
        deadline_id: Uuid,
        on: time::Date,
        late: bool,
    },
    /// A State Council holiday notice loaded without a rebuild (DL-1); `text` is the notice file.
    HolidayNoticeImported {
        year: i32,
        documents: Vec<String>,
        text: String,
    },
    /// PUB-9: the year's enforcement statistics are published.
    AnnualReportPublished(AnnualReportV1),
    /// Personal data of a person or organisation was erased from `events` earlier records
    /// (their payloads now hold only the ledger's salted commitments, REC-6). The subject
    /// itself is not recorded: recording it would defeat the erasure.
    PersonalDataErased {
        events: Vec<i64>,
        reason: String,
    },
    /// An evidence file was handed in; it enters the ledger through its content hash (REC-4).
    EvidenceReceived(EvidenceV1),
    /// DL-4: the period stops running from `from`; `due` is the deadline recomputed with it
    /// (no date while suspended).
    DeadlineSuspended {
        deadline_id: Uuid,
        from: time::Date,
        reason: String,
        due: DueAt,
    },
    /// DL-4: the period runs again after `on`.
    DeadlineResumed {
        deadline_id: Uuid,
        on: time::Date,
        due: DueAt,
    },
    /// DL-3 / REV-5: the period is extended by the approved `days`, approved by `approved_by`
    /// under the approval document `approval`.
    DeadlineExtended {
        deadline_id: Uuid,
        days: u32,
        approved_by: Uuid,
        approval: String,
        reason: String,
        due: DueAt,
    },
    /// REC-6: this instance starts witnessing a lower-tier log.
    WitnessedLogRegistered {
        origin: String,
        hash_alg: String,
        verifier_keys: Vec<String>,
    },
    /// REC-6: this instance cosigned the log's checkpoint of `size` with `root` (hex), after a
    /// consistency proof from `old_size`.
    WitnessCheckpointCosigned {
        origin: String,
        old_size: u64,
        size: u64,
        root: String,
    },
    /// An agency's next case number of a year is taken. Its stream
    /// (`case-numbers-<agency>-<year>`) is at the version of the last number taken, so numbers
    /// come without gaps or repeats (REC-2).
    CaseNumberTaken {
        agency_id: Uuid,
        year: i32,
        number: u32,
        case_id: Uuid,
    },
    /// 立案 (REC-1).
    CaseFiled(CaseFiledV1),
    /// 调查取证: an inquiry or on-site inspection record (REC-2).
    InvestigationRecorded(InvestigationV1),
    /// 行政处罚事先告知 (处罚法第四十四条).
    PenaltyNoticeServed(NoticeV1),
    /// 陈述申辩 recorded, or the party's written waiver of statement and hearing.
    StatementRecorded {
        case_id: Uuid,
        on: time::Date,
        summary: String,
        waived: bool,
    },
    /// 听证申请 (第六十四条).
    HearingRequested {
        case_id: Uuid,
        on: time::Date,
    },
    /// 听证 held, chaired by someone who did not investigate (第六十四条).
    HearingHeld {
        case_id: Uuid,
        on: time::Date,
        chair_id: Uuid,
        summary: String,
    },
    /// 行政处罚决定 (第五十九条).
    PenaltyDecided(DecisionV1),
    /// 不予行政处罚决定 (第三十条、第三十一条、第三十三条、第三十六条、第五十七条).
    NoPenaltyDecided {
        case_id: Uuid,
        on: time::Date,
        ground: crate::case::NoPenaltyGround,
        reasons: String,
    },
    /// 送达 of the decision (第六十一条).
    DecisionServed {
        case_id: Uuid,
        on: time::Date,
        method: crate::case::ServiceMethod,
        /// The party's signed consent to electronic service.
        consent: bool,
    },
    /// 缴纳罚款 (第六十七条).
    FinePaid {
        case_id: Uuid,
        on: time::Date,
        fen: i64,
    },
    /// 结案.
    CaseClosed {
        case_id: Uuid,
        on: time::Date,
        summary: String,
    },
    /// 归档.
    CaseArchived {
        case_id: Uuid,
        on: time::Date,
    },
}

impl Event {
    /// Stable name stored beside the payload, for queries and the audit view.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::AgencyRegistered(_) => "AgencyRegistered",
            Event::AgencyUpdated(_) => "AgencyUpdated",
            Event::OfficerRegistered(_) => "OfficerRegistered",
            Event::OfficerUpdated(_) => "OfficerUpdated",
            Event::CertificateStatusChanged { .. } => "CertificateStatusChanged",
            Event::TrainingRecorded { .. } => "TrainingRecorded",
            Event::ItemVersionPublished(_) => "ItemVersionPublished",
            Event::InspectionItemListed(_) => "InspectionItemListed",
            Event::ServiceGuideSet(_) => "ServiceGuideSet",
            Event::DiscretionBenchmarkSet(_) => "DiscretionBenchmarkSet",
            Event::UserCreated(_) => "UserCreated",
            Event::UserUpdated(_) => "UserUpdated",
            Event::PasswordChanged { .. } => "PasswordChanged",
            Event::PasswordReset { .. } => "PasswordReset",
            Event::ApiTokenIssued(_) => "ApiTokenIssued",
            Event::ApiTokenRevoked { .. } => "ApiTokenRevoked",
            Event::DeadlineOpened(_) => "DeadlineOpened",
            Event::DeadlineRecomputed { .. } => "DeadlineRecomputed",
            Event::DeadlineMissed { .. } => "DeadlineMissed",
            Event::DeadlineMet { .. } => "DeadlineMet",
            Event::HolidayNoticeImported { .. } => "HolidayNoticeImported",
            Event::AnnualReportPublished(_) => "AnnualReportPublished",
            Event::PersonalDataErased { .. } => "PersonalDataErased",
            Event::EvidenceReceived(_) => "EvidenceReceived",
            Event::DeadlineSuspended { .. } => "DeadlineSuspended",
            Event::DeadlineResumed { .. } => "DeadlineResumed",
            Event::DeadlineExtended { .. } => "DeadlineExtended",
            Event::WitnessedLogRegistered { .. } => "WitnessedLogRegistered",
            Event::WitnessCheckpointCosigned { .. } => "WitnessCheckpointCosigned",
            Event::CaseNumberTaken { .. } => "CaseNumberTaken",
            Event::CaseFiled(_) => "CaseFiled",
            Event::InvestigationRecorded(_) => "InvestigationRecorded",
            Event::PenaltyNoticeServed(_) => "PenaltyNoticeServed",
            Event::StatementRecorded { .. } => "StatementRecorded",
            Event::HearingRequested { .. } => "HearingRequested",
            Event::HearingHeld { .. } => "HearingHeld",
            Event::PenaltyDecided(_) => "PenaltyDecided",
            Event::DecisionServed { .. } => "DecisionServed",
            Event::FinePaid { .. } => "FinePaid",
            Event::CaseClosed { .. } => "CaseClosed",
            Event::CaseArchived { .. } => "CaseArchived",
            Event::NoPenaltyDecided { .. } => "NoPenaltyDecided",
        }
    }

    /// Chinese description for the audit trail.
    pub fn label(&self) -> &'static str {
        label_of(self.kind()).expect("every kind has its label")
    }
}

/// The Chinese description of an event kind (as stored), for the pages listing records whose
/// payloads they show masked and therefore do not decode. `None` for a kind this version does
/// not know.
pub fn label_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AgencyRegistered" => "登记执法主体",
        "AgencyUpdated" => "变更执法主体",
        "OfficerRegistered" => "登记执法人员",
        "OfficerUpdated" => "变更执法人员信息",
        "CertificateStatusChanged" => "变更执法证状态",
        "TrainingRecorded" => "记录培训",
        "ItemVersionPublished" => "发布权力清单事项版本",
        "InspectionItemListed" => "列入随机抽查事项",
        "ServiceGuideSet" => "设置服务指南",
        "DiscretionBenchmarkSet" => "设置裁量基准",
        "UserCreated" => "创建用户",
        "UserUpdated" => "变更用户",
        "PasswordChanged" => "修改密码",
        "PasswordReset" => "管理员重置密码",
        "ApiTokenIssued" => "签发接口令牌",
        "ApiTokenRevoked" => "吊销接口令牌",
        "DeadlineOpened" => "开始计算期限",
        "DeadlineRecomputed" => "重新计算期限",
        "DeadlineMissed" => "期限届满未完成（逾期）",
        "DeadlineMet" => "期限内事项完成",
        "HolidayNoticeImported" => "导入节假日安排通知",
        "AnnualReportPublished" => "公开年度统计年报",
        "PersonalDataErased" => "依法删除个人信息",
        "EvidenceReceived" => "接收证据材料",
        "DeadlineSuspended" => "中止期限计算",
        "DeadlineResumed" => "恢复期限计算",
        "DeadlineExtended" => "批准延长期限",
        "WitnessedLogRegistered" => "登记见证的日志",
        "WitnessCheckpointCosigned" => "见证并联署日志检查点",
        "CaseNumberTaken" => "取得案件编号",
        "CaseFiled" => "立案",
        "InvestigationRecorded" => "调查取证",
        "PenaltyNoticeServed" => "送达行政处罚事先告知书",
        "StatementRecorded" => "记录陈述申辩",
        "HearingRequested" => "当事人申请听证",
        "HearingHeld" => "举行听证",
        "PenaltyDecided" => "作出行政处罚决定",
        "DecisionServed" => "送达行政处罚决定书",
        "FinePaid" => "缴纳罚款",
        "CaseClosed" => "结案",
        "CaseArchived" => "归档",
        "NoPenaltyDecided" => "作出不予行政处罚决定",
        _ => return None,
    })
}

/// An aggregate's state transition: what one event of its stream makes of its state (`None`
/// before the stream starts). The projections store exactly this, and the rules decide on the
/// state the projections hold, so both follow the one definition here. Events of other
/// aggregates leave the state unchanged.
pub trait Aggregate: Sized {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self>;
}

/// How the append path checks the stream before writing (optimistic concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The stream must not exist yet (creation).
    NoStream,
    /// The stream must be exactly at this version (the state the rule decided on).
    Version(i64),
    /// Append whatever the version (bulk import of independent facts).
    Any,
}

/// Writes that belong to a command but are secrets, so they never enter the event log: they are
/// committed in the same transaction as the command's events.
#[derive(Debug, Clone, PartialEq)]
pub enum SideEffect {
    /// `must_change`: the password was set by an administrator (or the operator) and must be
    /// changed at the next sign-in.
    SetPasswordHash {
        user_id: Uuid,
        hash: String,
        must_change: bool,
    },
    SetTokenHash {
        token_id: Uuid,
        hash: String,
    },
    /// Ends the user's sessions (a deactivated account is signed out with the event), all but
    /// `except` (a session id hash: a password change keeps the session that made it).
    EndSessions {
        user_id: Uuid,
        except: Option<String>,
    },
}

/// One command's outcome, ready for the store: all of it commits or none of it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub stream: StreamId,
    pub expected: Expected,
    /// The agency the events belong to, for scoping reads of the log.
    pub agency_id: Uuid,
    pub actor: Actor,
    pub events: Vec<Event>,
    pub side_effects: Vec<SideEffect>,
}
