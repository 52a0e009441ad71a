//! The deadline feature's event payloads as stored and hashed, version 1 (see `recorded!`).

use super::{AnnualReport, Deadline, DeadlineStatus, DueAt};
use crate::event::personal::recorded;
use crate::event::{Aggregate, Event};
use time::Date;
use uuid::Uuid;
use zhifa_calendar::{Anchor, Suspension};

recorded! {
    /// DeadlineOpened (DL-3): a duty and the date it is due.
    pub struct DeadlineV1 records Deadline {
        id: Uuid,
        rule_id: String,
        agency_id: Uuid,
        subject: String,
        title: String,
        anchor: Anchor,
        extended: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extension_days: Option<u32>,
        suspensions: Vec<Suspension>,
        due: DueAt,
        status: DeadlineStatus,
        satisfied_on: Option<Date>,
    }
}

recorded! {
    /// AnnualReportPublished (PUB-9).
    pub struct AnnualReportV1 records AnnualReport {
        agency_id: Uuid,
        year: i32,
        title: String,
        url: String,
        published_on: Date,
    }
}

impl Aggregate for Deadline {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match (state, event) {
            (_, Event::DeadlineOpened(r)) => Some(r.clone().into()),
            (Some(d), e) => Some(d.evolve(e)),
            (None, _) => None,
        }
    }
}

impl Aggregate for AnnualReport {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::AnnualReportPublished(r) => Some(r.clone().into()),
            _ => state,
        }
    }
}
