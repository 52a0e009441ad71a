//! The registry's event payloads as stored and hashed (see [`crate::event::personal`]'s
//! `recorded!`): one record type per recorded entity, version 1.

use super::{
    Agency, AgencyKind, Category, CertificateStatus, ChangeKind, DiscretionBenchmark,
    DiscretionEntry, InspectionItem, ItemVersion, LegalBasis, Level, Officer, ServiceGuide,
    Training,
};
use crate::event::personal::{Personal, recorded};
use crate::event::{Aggregate, Event};
use time::Date;
use uuid::Uuid;

recorded! {
    /// AgencyRegistered / AgencyUpdated (REG-1).
    pub struct AgencyV1 records Agency {
        id: Uuid,
        name: String,
        credit_code: String,
        credit_code_override: Option<String>,
        kind: AgencyKind,
        level: Level,
        division_code: String,
        parent_id: Option<Uuid>,
        domain: String,
        legal_basis: String,
        path: String,
    }
}

recorded! {
    /// OfficerRegistered / OfficerUpdated (REG-2). The ID number is personal data.
    pub struct OfficerV1 records Officer {
        id: Uuid,
        agency_id: Uuid,
        name: String,
        id_number: Personal<String>,
        certificate_no: String,
        categories: Vec<String>,
        region: String,
        valid_from: Date,
        valid_to: Date,
        status: CertificateStatus,
        legal_qualification: Option<String>,
        trainings: Vec<Training>,
    }
}

recorded! {
    /// ItemVersionPublished (REG-3): one version of a power-list item.
    pub struct ItemVersionV1 records ItemVersion {
        item_id: Uuid,
        version: i64,
        code: String,
        name: String,
        category: Category,
        domain: String,
        agency_id: Uuid,
        legal_bases: Vec<LegalBasis>,
        procedure: Vec<String>,
        time_limit: String,
        review_body: String,
        litigation: String,
        effective_from: Date,
        change_kind: ChangeKind,
        reason: String,
        repealed: bool,
    }
}

recorded! {
    /// InspectionItemListed (REG-4).
    pub struct InspectionItemV1 records InspectionItem {
        id: Uuid,
        agency_id: Uuid,
        item_id: Option<Uuid>,
        name: String,
        basis: String,
        target_kind: String,
        method: String,
    }
}

recorded! {
    /// ServiceGuideSet (REG-5). Address and phone are the office's, not a person's.
    pub struct ServiceGuideV1 records ServiceGuide {
        item_id: Uuid,
        receiving_body: String,
        approving_body: String,
        conditions: String,
        time_limit: String,
        consultation: String,
        complaint: String,
        address: String,
        office_hours: String,
        phone: String,
    }
}

recorded! {
    /// DiscretionBenchmarkSet (REG-6).
    pub struct DiscretionBenchmarkV1 records DiscretionBenchmark {
        item_id: Uuid,
        entries: Vec<DiscretionEntry>,
    }
}

impl Aggregate for Agency {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::AgencyRegistered(r) | Event::AgencyUpdated(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}

impl Aggregate for Officer {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match (state, event) {
            (_, Event::OfficerRegistered(r) | Event::OfficerUpdated(r)) => Some(r.clone().into()),
            (
                Some(mut o),
                Event::CertificateStatusChanged {
                    officer_id, status, ..
                },
            ) if *officer_id == o.id => {
                o.status = *status;
                Some(o)
            }
            (
                Some(mut o),
                Event::TrainingRecorded {
                    officer_id,
                    training,
                },
            ) if *officer_id == o.id => {
                o.trainings.push(training.clone());
                Some(o)
            }
            (state, _) => state,
        }
    }
}

/// An item's state is its latest published version (earlier ones stay in its history).
impl Aggregate for ItemVersion {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::ItemVersionPublished(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}

impl Aggregate for InspectionItem {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::InspectionItemListed(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}

impl Aggregate for ServiceGuide {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::ServiceGuideSet(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}

impl Aggregate for DiscretionBenchmark {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::DiscretionBenchmarkSet(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}
