//! The case feature's event payloads as stored and hashed, version 1, and the case's `evolve`.
//! Events say what happened in the procedure's words (立案, 调查取证, 告知, 陈述申辩, 听证, 决定,
//! 送达, 缴款, 结案, 归档); the party's personal values are `Personal`.

use super::*;
use crate::event::personal::{FromField, IntoField, Personal, recorded};
use crate::event::{Aggregate, Event};
use crate::registry::Severity;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

recorded! {
    /// The party of CaseFiled.
    pub struct PartyV1 records Party {
        kind: PartyKind,
        name: Personal<String>,
        id_number: Personal<String>,
        address: Personal<String>,
        phone: Personal<String>,
    }
}

impl FromField<Party> for PartyV1 {
    fn from_field(v: &Party) -> Self {
        v.into()
    }
}

impl IntoField<Party> for PartyV1 {
    fn into_field(self) -> Party {
        self.into()
    }
}

/// CaseFiled (立案): the case, its party, the offence and the officers in charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFiledV1 {
    pub case_id: Uuid,
    pub agency_id: Uuid,
    pub case_no: String,
    pub year: i32,
    pub number: u32,
    pub item_id: Uuid,
    pub item_name: String,
    pub domain: String,
    pub region: String,
    pub party: PartyV1,
    pub committed_on: Date,
    pub ended_on: Option<Date>,
    pub grave_harm: bool,
    pub facts: String,
    pub officer_ids: Vec<Uuid>,
    pub filed_on: Date,
}

/// InvestigationRecorded (调查取证): an inquiry or an on-site inspection record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestigationV1 {
    pub case_id: Uuid,
    pub kind: InvestigationKind,
    pub on: Date,
    pub place: String,
    pub officer_ids: Vec<Uuid>,
    pub summary: String,
}

/// PenaltyNoticeServed (行政处罚事先告知, 第四十四条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeV1 {
    pub case_id: Uuid,
    pub on: Date,
    pub proposed: Vec<Sanction>,
    pub facts: String,
    pub basis: String,
    pub hearing_right: bool,
}

/// PenaltyDecided (行政处罚决定, 第五十九条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionV1 {
    pub case_id: Uuid,
    pub on: Date,
    pub sanctions: Vec<Sanction>,
    pub severity: Severity,
    pub fit: BenchmarkFit,
    pub departure_reason: Option<String>,
    pub reasons: String,
}

impl CaseFiledV1 {
    pub fn of(c: &Case) -> CaseFiledV1 {
        CaseFiledV1 {
            case_id: c.id,
            agency_id: c.agency_id,
            case_no: c.case_no.clone(),
            year: c.year,
            number: c.number,
            item_id: c.item_id,
            item_name: c.item_name.clone(),
            domain: c.domain.clone(),
            region: c.region.clone(),
            party: (&c.party).into(),
            committed_on: c.offence.committed_on,
            ended_on: c.offence.ended_on,
            grave_harm: c.offence.grave_harm,
            facts: c.facts.clone(),
            officer_ids: c.officer_ids.clone(),
            filed_on: c.progress.filed_on.expect("a filed case has its date"),
        }
    }
}

/// The case a stream's events make. Events of other cases leave it unchanged.
impl Aggregate for Case {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        if let Event::CaseFiled(f) = event {
            return Some(Case {
                id: f.case_id,
                agency_id: f.agency_id,
                case_no: f.case_no.clone(),
                year: f.year,
                number: f.number,
                item_id: f.item_id,
                item_name: f.item_name.clone(),
                domain: f.domain.clone(),
                region: f.region.clone(),
                party: f.party.clone().into(),
                offence: Offence {
                    committed_on: f.committed_on,
                    ended_on: f.ended_on,
                    grave_harm: f.grave_harm,
                },
                facts: f.facts.clone(),
                officer_ids: f.officer_ids.clone(),
                investigator_ids: f.officer_ids.clone(),
                progress: Progress {
                    filed_on: Some(f.filed_on),
                    last_step_on: Some(f.filed_on),
                    ..Default::default()
                },
                proposed: vec![],
                decision: None,
                no_penalty: None,
            });
        }
        let mut c = state?;
        if event.case_id() != Some(c.id) {
            return Some(c);
        }
        let p = &mut c.progress;
        p.last_step_on = event.case_step_on().or(p.last_step_on);
        match event {
            Event::InvestigationRecorded(r) => {
                p.investigation_records += 1;
                for o in &r.officer_ids {
                    if !c.investigator_ids.contains(o) {
                        c.investigator_ids.push(*o);
                    }
                }
            }
            Event::PenaltyNoticeServed(n) => {
                p.notice_served_on = Some(n.on);
                p.hearing_right = n.hearing_right;
                c.proposed = n.proposed.clone();
            }
            Event::StatementRecorded { waived, .. } => {
                if *waived {
                    p.rights_waived = true;
                } else {
                    p.statement_recorded = true;
                }
            }
            Event::HearingRequested { on, .. } => p.hearing_requested_on = Some(*on),
            Event::HearingHeld { on, .. } => {
                p.hearing_held_on = Some(*on);
                // 第五十八条（二）: a decision that went through a hearing is reviewed first.
                p.needs_review = true;
            }
            Event::PenaltyDecided(d) => {
                p.decided_on = Some(d.on);
                p.fine_fen = fine_total(&d.sanctions);
                c.decision = Some(Decision {
                    decided_on: d.on,
                    sanctions: d.sanctions.clone(),
                    severity: d.severity,
                    fit: d.fit.clone(),
                    departure_reason: d.departure_reason.clone(),
                    reasons: d.reasons.clone(),
                });
            }
            Event::NoPenaltyDecided {
                on,
                ground,
                reasons,
                ..
            } => {
                p.decided_on = Some(*on);
                p.no_penalty = true;
                c.no_penalty = Some(NoPenalty {
                    decided_on: *on,
                    ground: *ground,
                    reasons: reasons.clone(),
                });
            }
            Event::DecisionServed { on, .. } => p.decision_served_on = Some(*on),
            Event::FinePaid { fen, .. } => p.paid_fen += fen,
            Event::CaseClosed { on, .. } => p.closed_on = Some(*on),
            Event::CaseArchived { on, .. } => p.archived_on = Some(*on),
            _ => {}
        }
        Some(c)
    }
}

impl Event {
    /// The day a case step happened (the steps' own dates, not the recording time).
    pub fn case_step_on(&self) -> Option<Date> {
        Some(match self {
            Event::CaseFiled(f) => f.filed_on,
            Event::InvestigationRecorded(r) => r.on,
            Event::PenaltyNoticeServed(n) => n.on,
            Event::PenaltyDecided(d) => d.on,
            Event::StatementRecorded { on, .. }
            | Event::HearingRequested { on, .. }
            | Event::HearingHeld { on, .. }
            | Event::NoPenaltyDecided { on, .. }
            | Event::DecisionServed { on, .. }
            | Event::FinePaid { on, .. }
            | Event::CaseClosed { on, .. }
            | Event::CaseArchived { on, .. } => *on,
            _ => return None,
        })
    }

    /// The case an event of the case feature belongs to.
    pub fn case_id(&self) -> Option<Uuid> {
        Some(match self {
            Event::CaseFiled(f) => f.case_id,
            Event::InvestigationRecorded(r) => r.case_id,
            Event::PenaltyNoticeServed(n) => n.case_id,
            Event::PenaltyDecided(d) => d.case_id,
            Event::StatementRecorded { case_id, .. }
            | Event::HearingRequested { case_id, .. }
            | Event::HearingHeld { case_id, .. }
            | Event::NoPenaltyDecided { case_id, .. }
            | Event::DecisionServed { case_id, .. }
            | Event::FinePaid { case_id, .. }
            | Event::CaseClosed { case_id, .. }
            | Event::CaseArchived { case_id, .. }
            | Event::CaseNumberTaken { case_id, .. } => *case_id,
            _ => return None,
        })
    }
}
