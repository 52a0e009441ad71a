//! The evidence feature's event payload as stored and hashed, version 1 (see `recorded!`).

use super::{Evidence, EvidenceKind};
use crate::event::personal::recorded;
use crate::event::{Aggregate, Event};
use time::OffsetDateTime;
use uuid::Uuid;

recorded! {
    /// EvidenceReceived (REC-4): the file enters the ledger through its content hash.
    pub struct EvidenceV1 records Evidence {
        id: Uuid,
        agency_id: Uuid,
        kind: EvidenceKind,
        file_name: String,
        media_type: String,
        hash_alg: String,
        hash: String,
        size: u64,
        #[serde(default, with = "time::serde::rfc3339::option")]
        recorded_at: Option<OffsetDateTime>,
        #[serde(with = "time::serde::rfc3339")]
        received_at: OffsetDateTime,
        received_by: String,
        late: bool,
        description: String,
    }
}

impl Aggregate for Evidence {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::EvidenceReceived(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}
