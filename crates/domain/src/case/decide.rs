//! The case commands' rules: filing (立案) and every later step, each refusing with the field
//! or the article it enforces; the outcome is the event to record.

use super::*;
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, required};
use crate::event::Event;
use crate::registry::{
    Agency, Category, DiscretionBenchmark, EnforcementDomain, ItemVersion, Officer, Severity,
    parse_date,
};
use record::{CaseFiledV1, DecisionV1, InvestigationV1, NoticeV1};
use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PartyDraft {
    pub kind: Option<PartyKind>,
    pub name: String,
    /// Resident ID number (citizen) or unified social credit code (organisation).
    pub id_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// 立案: what the officer enters.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CaseDraft {
    pub item_id: Uuid,
    pub party: PartyDraft,
    /// YYYY-MM-DD: the day of the offence (its start, if continuing).
    pub committed_on: String,
    /// YYYY-MM-DD: the day a continuing offence ended.
    #[serde(default)]
    pub ended_on: Option<String>,
    /// It endangered life, health or financial safety and harm resulted (five-year limitation).
    #[serde(default)]
    pub grave_harm: bool,
    pub facts: String,
    /// At least two officers of the agency (第四十二条).
    pub officer_ids: Vec<Uuid>,
    /// YYYY-MM-DD, default today.
    #[serde(default)]
    pub filed_on: Option<String>,
}

/// 第四十四条、第四十五条: the decision imposes nothing the notice did not propose and no more
/// of it (a heavier decision needs a new notice, so the party can state against it and the
/// hearing right is judged on it).
fn check_not_heavier(proposed: &[Sanction], decided: &[Sanction]) -> Result<(), DomainError> {
    fn amount(s: &[Sanction], f: fn(&Sanction) -> Option<i64>) -> i64 {
        s.iter().filter_map(f).sum()
    }
    let fine = |x: &Sanction| match x {
        Sanction::Fine { fen } => Some(*fen),
        _ => None,
    };
    let confiscated = |x: &Sanction| match x {
        Sanction::Confiscation { fen } => Some(*fen),
        _ => None,
    };
    let same_kind =
        |a: &Sanction, b: &Sanction| std::mem::discriminant(a) == std::mem::discriminant(b);
    if let Some(k) = decided
        .iter()
        .find(|d| !proposed.iter().any(|p| same_kind(p, d)))
    {
        return Err(DomainError::invalid(
            "sanctions",
            "heavier_than_notice",
            format!(
                "事先告知中没有「{}」；作出告知以外的处罚须重新告知（《行政处罚法》第四十四条）",
                k.label()
            ),
        ));
    }
    if amount(decided, fine) > amount(proposed, fine)
        || amount(decided, confiscated) > amount(proposed, confiscated)
    {
        return Err(DomainError::invalid(
            "sanctions",
            "heavier_than_notice",
            "决定的罚款或没收数额超过事先告知的数额；加重处罚须重新告知，且不得因当事人陈述、申辩而加重（《行政处罚法》第四十四条、第四十五条）",
        ));
    }
    Ok(())
}

/// A step's date: not after today, and not before `earliest` (records are entered as they
/// happen, a few days late at most: a setting), so no date can be chosen to dodge a period.
fn day(field: &str, value: &str, today: Date, earliest: Date) -> Result<Date, DomainError> {
    let d = parse_date(field, value)?;
    if d > today {
        return Err(DomainError::invalid(
            field,
            "future_date",
            "日期不能晚于今天",
        ));
    }
    if d < earliest {
        return Err(DomainError::invalid(
            field,
            "too_old",
            format!(
                "日期不能早于 {}：记录应在事项发生后及时录入",
                crate::registry::format_date(earliest)
            ),
        ));
    }
    Ok(d)
}

fn officers_of_agency(officers: &[&Officer], agency: Uuid) -> Result<(), DomainError> {
    if let Some(o) = officers.iter().find(|o| o.agency_id != agency) {
        return Err(DomainError::invalid(
            "officer_ids",
            "other_agency",
            format!("{} 不是本机关的执法人员", o.name),
        ));
    }
    Ok(())
}

/// 立案 (REC-1): a penalty item of the filing agency, a party whose identifier checks, an
/// offence within the limitation period (第三十六条), two officers of the agency who may act on
/// the day (第四十二条). `number` is the agency's next case number of the year.
#[allow(clippy::too_many_arguments)]
pub fn decide_file_case(
    actor: &Actor,
    id: Uuid,
    agency: &Agency,
    item: &ItemVersion,
    officers: &[&Officer],
    number: u32,
    draft: &CaseDraft,
    today: Date,
    earliest: Date,
) -> Result<Case, DomainError> {
    actor.require(Permission::EnforceInField)?;
    if item.category != Category::Penalty || item.agency_id != agency.id {
        return Err(DomainError::invalid(
            "item_id",
            "not_a_penalty_item",
            "应选择本机关权力清单中的行政处罚事项",
        ));
    }
    if item.repealed {
        return Err(DomainError::invalid(
            "item_id",
            "repealed",
            format!("「{}」已废止，不能据以立案", item.name),
        )
        .rule("REG-3"));
    }
    let kind = draft.party.kind.ok_or_else(|| {
        DomainError::invalid(
            "party.kind",
            "required",
            "请选择当事人类型（公民或法人、其他组织）",
        )
    })?;
    let party = Party {
        kind,
        name: required("party.name", &draft.party.name, 100)?,
        id_number: check_party_id(kind, &draft.party.id_number, today)?,
        address: crate::error::optional("party.address", &draft.party.address, 200)?,
        phone: crate::error::optional("party.phone", &draft.party.phone, 30)?,
    };
    let filed_on = match draft
        .filed_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => day("filed_on", s, today, earliest)?,
        None => today,
    };
    if item.effective_from > filed_on {
        return Err(DomainError::invalid(
            "item_id",
            "not_in_force",
            format!(
                "「{}」自 {} 起施行，立案之日尚未施行",
                item.name,
                crate::registry::format_date(item.effective_from)
            ),
        )
        .rule("REG-3"));
    }
    // The offence may lie far back (the limitation rule decides); only not in the future.
    let past = Date::MIN;
    let offence = Offence {
        committed_on: day("offence.committed_on", &draft.committed_on, today, past)?,
        ended_on: match draft
            .ended_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(day("offence.ended_on", s, today, past)?),
            None => None,
        },
        grave_harm: draft.grave_harm,
    };
    check_limitation(&offence, filed_on)?;
    let domain = EnforcementDomain::parse_input("domain", &agency.domain)?;
    officers_of_agency(officers, agency.id)?;
    check_team(officers, domain, &agency.division_code, filed_on)?;
    let mut officer_ids: Vec<Uuid> = Vec::new();
    for o in officers {
        if !officer_ids.contains(&o.id) {
            officer_ids.push(o.id);
        }
    }
    // Numbered in the year the filing is recorded, so no earlier year's sequence reopens.
    let year = today.year();
    Ok(Case {
        id,
        agency_id: agency.id,
        case_no: format!("〔{year}〕{number}号"),
        year,
        number,
        item_id: item.item_id,
        item_name: item.name.clone(),
        domain: domain.as_str().to_string(),
        region: agency.division_code.clone(),
        party,
        offence,
        facts: required("facts", &draft.facts, 2000)?,
        investigator_ids: officer_ids.clone(),
        officer_ids,
        progress: Progress {
            filed_on: Some(filed_on),
            last_step_on: Some(filed_on),
            ..Default::default()
        },
        proposed: vec![],
        decision: None,
        no_penalty: None,
    })
}

/// The event that records a filing.
pub fn filed_event(c: &Case) -> Event {
    Event::CaseFiled(CaseFiledV1::of(c))
}

/// A filing's two appends, committed together: the number taken on the agency's numbering
/// stream of the year (its version is the last number, so `numbers` expects the one before)
/// and the case's stream opened with `history` (the filing, and whatever followed it in the
/// same command).
pub fn filing_parts(
    c: &Case,
    actor: &Actor,
    numbers: crate::event::Expected,
    history: Vec<Event>,
) -> Vec<crate::NewEvent> {
    vec![
        crate::NewEvent {
            stream: crate::StreamId::case_numbers(c.agency_id, c.year),
            expected: numbers,
            agency_id: c.agency_id,
            actor: actor.clone(),
            events: vec![Event::CaseNumberTaken {
                agency_id: c.agency_id,
                year: c.year,
                number: c.number,
                case_id: c.id,
            }],
            side_effects: vec![],
        },
        crate::NewEvent {
            stream: crate::StreamId::case(c.id),
            expected: crate::event::Expected::NoStream,
            agency_id: c.agency_id,
            actor: actor.clone(),
            events: history,
            side_effects: vec![],
        },
    ]
}

macro_rules! step_bodies {
    ($($(#[$m:meta])* $variant:ident($body:ident, $key:literal) { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? })*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Deserialize, ToSchema)]
            pub struct $body { $($(#[$fm])* pub $f: $t),* }
        )*
        /// A later step of a case, as the officer (or, for the decision, the agency head)
        /// enters it; `action` names it (the console posts it so, the API has one endpoint
        /// per step whose body is the step's own type).
        #[derive(Debug, Clone, Deserialize, ToSchema)]
        #[serde(tag = "action", rename_all = "snake_case")]
        pub enum CaseAction { $($variant($body)),* }
        impl CaseAction {
            /// The machine name of the step (`action` in the console's forms).
            pub fn key(&self) -> &'static str {
                match self { $(CaseAction::$variant(_) => $key),* }
            }
            fn on(&self) -> &str {
                match self { $(CaseAction::$variant(b) => &b.on),* }
            }
        }
    };
}

step_bodies! {
    /// 调查取证: an inquiry or inspection record by two officers.
    Investigate(InvestigateStep, "investigate") {
        kind: InvestigationKind,
        /// YYYY-MM-DD
        on: String,
        place: String,
        officer_ids: Vec<Uuid>,
        summary: String,
    }
    /// 行政处罚事先告知 (第四十四条).
    Notify(NotifyStep, "notify") {
        on: String,
        proposed: Vec<Sanction>,
        facts: String,
        basis: String,
    }
    /// 陈述申辩, or the party's written waiver.
    Statement(StatementStep, "statement") {
        on: String,
        #[serde(default)]
        summary: String,
        #[serde(default)]
        waived: bool,
    }
    /// 听证申请 (第六十四条).
    RequestHearing(HearingRequestStep, "request_hearing") {
        on: String,
    }
    /// 听证, chaired by a non-investigator.
    Hearing(HearingStep, "hearing") {
        on: String,
        chair_id: Uuid,
        summary: String,
    }
    /// 行政处罚决定, by the agency head (第五十七条).
    Decide(DecisionStep, "decide") {
        on: String,
        sanctions: Vec<Sanction>,
        severity: Severity,
        #[serde(default)]
        departure_reason: Option<String>,
        reasons: String,
    }
    /// 不予行政处罚决定, by the agency head: the ground and its reasons.
    DecideNoPenalty(NoPenaltyStep, "decide_no_penalty") {
        on: String,
        ground: NoPenaltyGround,
        reasons: String,
    }
    /// 送达 of the decision (第六十一条).
    Serve(ServiceStep, "serve") {
        on: String,
        method: ServiceMethod,
        #[serde(default)]
        consent: bool,
    }
    /// 缴纳罚款.
    Pay(PaymentStep, "pay") {
        on: String,
        fen: i64,
    }
    /// 结案.
    Close(ClosingStep, "close") {
        on: String,
        summary: String,
    }
    /// 归档.
    Archive(ArchivingStep, "archive") {
        on: String,
    }
}

impl CaseAction {
    pub fn step(&self) -> Step {
        match self {
            CaseAction::Investigate(_) => Step::RecordInvestigation,
            CaseAction::Notify(_) => Step::ServeNotice,
            CaseAction::Statement(_) => Step::RecordStatement,
            CaseAction::RequestHearing(_) => Step::RequestHearing,
            CaseAction::Hearing(_) => Step::HoldHearing,
            CaseAction::Decide(_) => Step::Decide,
            CaseAction::DecideNoPenalty(_) => Step::DecideNoPenalty,
            CaseAction::Serve(_) => Step::ServeDecision,
            CaseAction::Pay(_) => Step::RecordPayment,
            CaseAction::Close(_) => Step::Close,
            CaseAction::Archive(_) => Step::Archive,
        }
    }

    /// The officers the step names (the service resolves them before deciding).
    pub fn named_officers(&self) -> Vec<Uuid> {
        match self {
            CaseAction::Investigate(b) => b.officer_ids.clone(),
            CaseAction::Hearing(b) => vec![b.chair_id],
            _ => vec![],
        }
    }
}

/// What a step's rules read besides the case.
pub struct StepContext<'a> {
    /// The officers the action names, resolved.
    pub officers: Vec<&'a Officer>,
    pub benchmark: Option<&'a DiscretionBenchmark>,
    pub calendar: &'a zhifa_calendar::Calendar,
    pub hearing: HearingThresholds,
    pub today: Date,
    /// The earliest date a step may carry (today less the deployment's allowance).
    pub earliest: Date,
}

fn sanctions_valid(field: &str, s: &[Sanction]) -> Result<(), DomainError> {
    if s.is_empty() {
        return Err(DomainError::invalid(field, "required", "至少写明一种处罚"));
    }
    if s.iter().any(|x| match x {
        Sanction::Fine { fen } | Sanction::Confiscation { fen } => {
            *fen <= 0 || *fen > crate::registry::MAX_FINE_FEN
        }
        _ => false,
    }) {
        return Err(DomainError::invalid(
            field,
            "bad_amount",
            "罚款、没收金额应大于 0 且在合理范围内",
        ));
    }
    Ok(())
}

/// Who may take `step` on `case`, whatever its order: the role the statute names (the
/// decision the agency head's, 第五十七条; the rest an officer's), in the case's own agency —
/// reading a case from above (a superior department, a supervisor) gives no hand in it. The
/// steps offered on a case's page and in the API's `next_steps` are filtered by this too.
pub fn may_take(actor: &Actor, case: &Case, step: Step) -> Result<(), DomainError> {
    actor.require(if matches!(step, Step::Decide | Step::DecideNoPenalty) {
        Permission::DecidePenalty
    } else {
        Permission::EnforceInField
    })?;
    if actor.agency_id != case.agency_id {
        return Err(DomainError::forbidden(
            "案件由立案机关办理，上级机关或其他机关可以查阅但不能办理本案",
        ));
    }
    Ok(())
}

/// A later step: in its order (`check_step`), by the role the statute names (the decision by
/// the agency head, 第五十七条), with the step's own rules; the event to record.
pub fn decide_case_action(
    actor: &Actor,
    case: &Case,
    action: &CaseAction,
    ctx: &StepContext,
) -> Result<Event, DomainError> {
    let step = action.step();
    may_take(actor, case, step)?;
    let on = day("on", action.on(), ctx.today, ctx.earliest)?;
    check_step(&case.progress, step, on, ctx.calendar)?;
    let case_id = case.id;
    Ok(match action {
        CaseAction::Investigate(InvestigateStep {
            kind,
            place,
            summary,
            ..
        }) => {
            let domain = EnforcementDomain::parse_input("domain", &case.domain)?;
            officers_of_agency(&ctx.officers, case.agency_id)?;
            check_team(&ctx.officers, domain, &case.region, on)?;
            Event::InvestigationRecorded(InvestigationV1 {
                case_id,
                kind: *kind,
                on,
                place: required("place", place, 200)?,
                officer_ids: ctx.officers.iter().map(|o| o.id).collect(),
                summary: required("summary", summary, 5000)?,
            })
        }
        CaseAction::Notify(NotifyStep {
            proposed,
            facts,
            basis,
            ..
        }) => {
            sanctions_valid("proposed", proposed)?;
            Event::PenaltyNoticeServed(NoticeV1 {
                case_id,
                on,
                proposed: proposed.clone(),
                facts: required("facts", facts, 2000)?,
                basis: required("basis", basis, 1000)?,
                hearing_right: hearing_right(case.party.kind, proposed, &ctx.hearing),
            })
        }
        CaseAction::Statement(StatementStep {
            summary, waived, ..
        }) => Event::StatementRecorded {
            case_id,
            on,
            summary: if *waived {
                crate::error::optional("summary", summary, 5000)?
            } else {
                required("summary", summary, 5000)?
            },
            waived: *waived,
        },
        CaseAction::RequestHearing(_) => Event::HearingRequested { case_id, on },
        CaseAction::Hearing(HearingStep {
            chair_id, summary, ..
        }) => {
            if case.officer_ids.contains(chair_id) || case.investigator_ids.contains(chair_id) {
                return Err(DomainError::invalid(
                    "chair_id",
                    "chair_investigated",
                    "听证由行政机关指定的非本案调查人员主持（《行政处罚法》第六十四条）",
                ));
            }
            officers_of_agency(&ctx.officers, case.agency_id)?;
            Event::HearingHeld {
                case_id,
                on,
                chair_id: *chair_id,
                summary: required("summary", summary, 5000)?,
            }
        }
        CaseAction::Decide(DecisionStep {
            sanctions,
            severity,
            departure_reason,
            reasons,
            ..
        }) => {
            sanctions_valid("sanctions", sanctions)?;
            check_not_heavier(&case.proposed, sanctions)?;
            let fit = check_fine_against_benchmark(
                ctx.benchmark,
                *severity,
                fine_total(sanctions),
                departure_reason.as_deref(),
            )?;
            Event::PenaltyDecided(DecisionV1 {
                case_id,
                on,
                sanctions: sanctions.clone(),
                severity: *severity,
                fit: fit.clone(),
                departure_reason: if fit == BenchmarkFit::OutsideWithReason {
                    departure_reason.as_ref().map(|r| r.trim().to_string())
                } else {
                    None
                },
                reasons: required("reasons", reasons, 5000)?,
            })
        }
        CaseAction::DecideNoPenalty(NoPenaltyStep {
            ground, reasons, ..
        }) => Event::NoPenaltyDecided {
            case_id,
            on,
            ground: *ground,
            reasons: required("reasons", reasons, 5000)?,
        },
        CaseAction::Serve(ServiceStep {
            method, consent, ..
        }) => {
            if *method == ServiceMethod::Electronic && !consent {
                return Err(DomainError::invalid(
                    "consent",
                    "no_consent",
                    "电子送达须经当事人同意并签订确认书（《行政处罚法》第六十一条）",
                ));
            }
            Event::DecisionServed {
                case_id,
                on,
                method: *method,
                consent: *consent,
            }
        }
        CaseAction::Pay(PaymentStep { fen, .. }) => {
            let owed = case.progress.fine_fen - case.progress.paid_fen;
            if *fen <= 0 || *fen > owed {
                return Err(DomainError::invalid(
                    "fen",
                    "bad_amount",
                    format!("缴款金额应大于 0 且不超过尚欠的 {owed} 分"),
                ));
            }
            Event::FinePaid {
                case_id,
                on,
                fen: *fen,
            }
        }
        CaseAction::Close(ClosingStep { summary, .. }) => Event::CaseClosed {
            case_id,
            on,
            summary: required("summary", summary, 2000)?,
        },
        CaseAction::Archive(_) => Event::CaseArchived { case_id, on },
    })
}
