//! One sample of every event kind, for the tests that pin the stored format: the golden leaf
//! test (each kind's canonical leaf bytes), the personal-value test (no personal value in clear
//! in any leaf) and the check that personal-looking fields are typed [`super::Personal`].
//! Not used by the program itself.

use super::Event;
use crate::auth::Role;
use crate::deadline::{AnnualReport, Deadline, DeadlineStatus, DueAt};
use crate::evidence::{Evidence, EvidenceKind};
use crate::registry::*;
use time::macros::{date, datetime};
use uuid::Uuid;
use zhifa_calendar::Anchor;

/// Which variant a sample is; exhaustive, so a new variant does not compile until it is given
/// an index here, and then [`every_variant_has_a_sample`] fails until it has a sample.
pub fn variant_index(e: &Event) -> usize {
    match e {
        Event::AgencyRegistered(_) => 0,
        Event::AgencyUpdated(_) => 1,
        Event::OfficerRegistered(_) => 2,
        Event::OfficerUpdated(_) => 3,
        Event::CertificateStatusChanged { .. } => 4,
        Event::TrainingRecorded { .. } => 5,
        Event::ItemVersionPublished(_) => 6,
        Event::InspectionItemListed(_) => 7,
        Event::ServiceGuideSet(_) => 8,
        Event::DiscretionBenchmarkSet(_) => 9,
        Event::UserCreated(_) => 10,
        Event::UserUpdated(_) => 11,
        Event::PasswordChanged { .. } => 12,
        Event::ApiTokenIssued(_) => 13,
        Event::ApiTokenRevoked { .. } => 14,
        Event::DeadlineOpened(_) => 15,
        Event::DeadlineRecomputed { .. } => 16,
        Event::DeadlineMissed { .. } => 17,
        Event::DeadlineMet { .. } => 18,
        Event::HolidayNoticeImported { .. } => 19,
        Event::AnnualReportPublished(_) => 20,
        Event::PersonalDataErased { .. } => 21,
        Event::EvidenceReceived(_) => 22,
        Event::DeadlineSuspended { .. } => 23,
        Event::DeadlineResumed { .. } => 24,
        Event::DeadlineExtended { .. } => 25,
        Event::WitnessedLogRegistered { .. } => 26,
        Event::WitnessCheckpointCosigned { .. } => 27,
        Event::PasswordReset { .. } => 28,
        Event::CaseNumberTaken { .. } => 29,
        Event::CaseFiled(_) => 30,
        Event::InvestigationRecorded(_) => 31,
        Event::PenaltyNoticeServed(_) => 32,
        Event::StatementRecorded { .. } => 33,
        Event::HearingRequested { .. } => 34,
        Event::HearingHeld { .. } => 35,
        Event::PenaltyDecided(_) => 36,
        Event::DecisionServed { .. } => 37,
        Event::FinePaid { .. } => 38,
        Event::CaseClosed { .. } => 39,
        Event::CaseArchived { .. } => 40,
        Event::NoPenaltyDecided { .. } => 41,
    }
}
pub const VARIANTS: usize = 42;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn agency() -> Agency {
    Agency {
        id: id(1),
        name: "瑶海区市场监督管理局".into(),
        credit_code: "11340102MB0000000X".into(),
        credit_code_override: None,
        kind: AgencyKind::AdministrativeOrgan,
        level: Level::County,
        division_code: "340102".into(),
        parent_id: Some(id(9)),
        domain: "市场监管".into(),
        legal_basis: "《中华人民共和国行政处罚法》第十七条".into(),
        path: "/9/1/".into(),
    }
}

fn officer() -> Officer {
    Officer {
        id: id(2),
        agency_id: id(1),
        name: "张明".into(),
        id_number: "11010519491231002X".into(),
        certificate_no: "A1".into(),
        categories: vec!["市场监管".into()],
        region: "340102".into(),
        valid_from: date!(2024 - 01 - 01),
        valid_to: date!(2028 - 12 - 31),
        status: CertificateStatus::Valid,
        legal_qualification: Some("A2020".into()),
        trainings: vec![training()],
    }
}

fn training() -> Training {
    Training {
        date: date!(2025 - 05 - 01),
        course: "行政处罚法".into(),
        hours: 8,
        provider: "省司法厅".into(),
    }
}

fn item() -> ItemVersion {
    ItemVersion {
        item_id: id(3),
        version: 1,
        code: "CF-1".into(),
        name: "对无照经营的处罚".into(),
        category: Category::Penalty,
        domain: "市场监管".into(),
        agency_id: id(1),
        legal_bases: vec![LegalBasis {
            law: "《无证无照经营查处办法》".into(),
            article: "第十三条".into(),
        }],
        procedure: vec!["立案".into()],
        time_limit: "九十日".into(),
        review_body: "瑶海区人民政府".into(),
        litigation: "依法向人民法院提起行政诉讼".into(),
        effective_from: date!(2021 - 07 - 15),
        change_kind: ChangeKind::Created,
        reason: "首次列入权力清单".into(),
        repealed: false,
    }
}

fn user() -> User {
    User {
        id: id(4),
        username: "officer".into(),
        display_name: "张明".into(),
        agency_id: id(1),
        roles: vec![Role::Officer],
        officer_id: Some(id(2)),
        active: true,
    }
}

fn due() -> DueAt {
    DueAt {
        date: Some(date!(2026 - 06 - 01)),
        instant: None,
        provisional: false,
        first_notice_year: 2026,
        last_notice_year: 2026,
    }
}

fn deadline() -> Deadline {
    Deadline {
        id: id(5),
        rule_id: "penalty.decision".into(),
        agency_id: id(1),
        subject: "case-1".into(),
        title: "作出行政处罚决定".into(),
        anchor: Anchor::Date(date!(2026 - 03 - 02)),
        extended: false,
        extension_days: None,
        suspensions: vec![],
        due: due(),
        status: DeadlineStatus::Open,
        satisfied_on: None,
    }
}

/// One instance of every variant, with distinctive values (a personal value appears nowhere
/// else in its event).
pub fn all() -> Vec<Event> {
    vec![
        Event::AgencyRegistered((&agency()).into()),
        Event::AgencyUpdated((&agency()).into()),
        Event::OfficerRegistered((&officer()).into()),
        Event::OfficerUpdated((&officer()).into()),
        Event::CertificateStatusChanged {
            officer_id: id(2),
            status: CertificateStatus::Suspended,
            reason: "调离执法岗位".into(),
        },
        Event::TrainingRecorded {
            officer_id: id(2),
            training: training(),
        },
        Event::ItemVersionPublished((&item()).into()),
        Event::InspectionItemListed(
            (&InspectionItem {
                id: id(6),
                agency_id: id(1),
                item_id: Some(id(3)),
                name: "食品经营检查".into(),
                basis: "《中华人民共和国食品安全法》第一百一十条".into(),
                target_kind: "食品经营者".into(),
                method: "现场检查".into(),
            })
                .into(),
        ),
        Event::ServiceGuideSet(
            (&ServiceGuide {
                item_id: id(3),
                receiving_body: "政务服务中心".into(),
                approving_body: "区市场监管局".into(),
                conditions: "材料齐全".into(),
                time_limit: "二十个工作日".into(),
                consultation: "窗口咨询".into(),
                complaint: "12315".into(),
                address: "合肥市瑶海区某路1号".into(),
                office_hours: "工作日 9:00-17:00".into(),
                phone: "0551-62345678".into(),
            })
                .into(),
        ),
        Event::DiscretionBenchmarkSet(
            (&DiscretionBenchmark {
                item_id: id(3),
                entries: vec![DiscretionEntry {
                    severity: Severity::General,
                    circumstance: "首次违法".into(),
                    min_fine_fen: 0,
                    max_fine_fen: 100_000,
                    other_measures: "警告".into(),
                }],
            })
                .into(),
        ),
        Event::UserCreated((&user()).into()),
        Event::UserUpdated((&user()).into()),
        Event::PasswordChanged { user_id: id(4) },
        Event::ApiTokenIssued(
            (&ApiToken {
                id: id(7),
                name: "办案系统".into(),
                agency_id: id(1),
                roles: vec![Role::Officer],
                created_by: id(4),
                revoked: false,
                expires_at: datetime!(2026-04-01 00:00 UTC),
            })
                .into(),
        ),
        Event::ApiTokenRevoked { token_id: id(7) },
        Event::DeadlineOpened((&deadline()).into()),
        Event::DeadlineRecomputed {
            deadline_id: id(5),
            due: due(),
            reason: "导入节假日安排通知".into(),
        },
        Event::DeadlineMissed {
            deadline_id: id(5),
            due: due(),
        },
        Event::DeadlineMet {
            deadline_id: id(5),
            on: date!(2026 - 05 - 20),
            late: false,
        },
        Event::HolidayNoticeImported {
            year: 2027,
            documents: vec!["国办发明电〔2026〕1号".into()],
            text: "…".into(),
        },
        Event::AnnualReportPublished(
            (&AnnualReport {
                agency_id: id(1),
                year: 2025,
                title: "2025年度行政执法统计年报".into(),
                url: "https://example.gov.cn/report".into(),
                published_on: date!(2026 - 01 - 20),
            })
                .into(),
        ),
        Event::PersonalDataErased {
            events: vec![1, 2],
            reason: "当事人申请删除".into(),
        },
        Event::EvidenceReceived(
            (&Evidence {
                id: id(8),
                agency_id: id(1),
                kind: EvidenceKind::Video,
                file_name: "现场.mp4".into(),
                media_type: "video/mp4".into(),
                hash_alg: "sm3".into(),
                hash: "00".repeat(32),
                size: 1,
                recorded_at: Some(datetime!(2026-03-02 09:00 UTC)),
                received_at: datetime!(2026-03-02 10:00 UTC),
                received_by: "officer".into(),
                late: false,
                description: String::new(),
            })
                .into(),
        ),
        Event::DeadlineSuspended {
            deadline_id: id(5),
            from: date!(2026 - 03 - 10),
            reason: "举行听证".into(),
            due: due(),
        },
        Event::DeadlineResumed {
            deadline_id: id(5),
            on: date!(2026 - 03 - 15),
            due: due(),
        },
        Event::DeadlineExtended {
            deadline_id: id(5),
            days: 20,
            approved_by: id(4),
            approval: "合市监延〔2026〕3号".into(),
            reason: "案情复杂".into(),
            due: due(),
        },
        Event::WitnessedLogRegistered {
            origin: "zhifa.example/county-log".into(),
            hash_alg: "sm3".into(),
            verifier_keys: vec!["zhifa.example/county-log+a1b2c3d4+AAAA".into()],
        },
        Event::WitnessCheckpointCosigned {
            origin: "zhifa.example/county-log".into(),
            old_size: 0,
            size: 10,
            root: "11".repeat(32),
        },
        // New kinds go last, so the envelopes of the pinned samples do not move.
        Event::PasswordReset { user_id: id(4) },
        Event::CaseNumberTaken {
            agency_id: id(1),
            year: 2026,
            number: 12,
            case_id: id(20),
        },
        crate::case::filed_event(&case()),
        Event::InvestigationRecorded(crate::case::record::InvestigationV1 {
            case_id: id(20),
            kind: crate::case::InvestigationKind::Inspection,
            on: date!(2026 - 03 - 03),
            place: "合肥市瑶海区长江东路 100 号".into(),
            officer_ids: vec![id(2), id(3)],
            summary: "现场检查发现销售过期食品 12 件".into(),
        }),
        Event::PenaltyNoticeServed(crate::case::record::NoticeV1 {
            case_id: id(20),
            on: date!(2026 - 03 - 05),
            proposed: vec![
                crate::case::Sanction::Warning,
                crate::case::Sanction::Fine { fen: 500_000 },
            ],
            facts: "销售超过保质期的食品".into(),
            basis: "《中华人民共和国食品安全法》第一百二十四条".into(),
            hearing_right: false,
        }),
        Event::StatementRecorded {
            case_id: id(20),
            on: date!(2026 - 03 - 06),
            summary: "当事人承认违法事实，请求从轻处罚".into(),
            waived: false,
        },
        Event::HearingRequested {
            case_id: id(20),
            on: date!(2026 - 03 - 07),
        },
        Event::HearingHeld {
            case_id: id(20),
            on: date!(2026 - 03 - 20),
            chair_id: id(9),
            summary: "听证笔录已由当事人签字".into(),
        },
        Event::PenaltyDecided(crate::case::record::DecisionV1 {
            case_id: id(20),
            on: date!(2026 - 03 - 25),
            sanctions: vec![crate::case::Sanction::Fine { fen: 600_000 }],
            severity: Severity::General,
            fit: crate::case::BenchmarkFit::OutsideWithReason,
            departure_reason: Some("当事人两年内第三次同类违法，依法从重".into()),
            reasons: "违法事实清楚，证据确凿".into(),
        }),
        Event::DecisionServed {
            case_id: id(20),
            on: date!(2026 - 03 - 26),
            method: crate::case::ServiceMethod::Direct,
            consent: false,
        },
        Event::FinePaid {
            case_id: id(20),
            on: date!(2026 - 04 - 01),
            fen: 600_000,
        },
        Event::CaseClosed {
            case_id: id(20),
            on: date!(2026 - 04 - 02),
            summary: "罚款已缴清，执行完毕".into(),
        },
        Event::CaseArchived {
            case_id: id(20),
            on: date!(2026 - 04 - 10),
        },
        Event::NoPenaltyDecided {
            case_id: id(21),
            on: date!(2026 - 04 - 12),
            ground: crate::case::NoPenaltyGround::FirstMinor,
            reasons: "初次违法，危害后果轻微，已当场改正".into(),
        },
    ]
}

fn case() -> crate::case::Case {
    use crate::case::*;
    Case {
        id: id(20),
        agency_id: id(1),
        case_no: "〔2026〕12号".into(),
        year: 2026,
        number: 12,
        item_id: id(3),
        item_name: "对销售超过保质期食品的行政处罚".into(),
        domain: "市场监管".into(),
        region: "340102".into(),
        party: Party {
            kind: PartyKind::Citizen,
            name: "张三".into(),
            id_number: "340102198512124633".into(),
            address: "合肥市瑶海区长江东路 100 号".into(),
            phone: "13912345678".into(),
        },
        offence: Offence {
            committed_on: date!(2026 - 03 - 01),
            ended_on: None,
            grave_harm: false,
        },
        facts: "销售超过保质期的食品".into(),
        officer_ids: vec![id(2), id(3)],
        investigator_ids: vec![id(2), id(3)],
        progress: Progress {
            filed_on: Some(date!(2026 - 03 - 02)),
            ..Default::default()
        },
        proposed: vec![],
        decision: None,
        no_penalty: None,
    }
}
