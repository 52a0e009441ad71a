//! The command side shared by the JSON API, the console forms, the CLI and the demo: load the
//! facts a rule needs (scoped to the caller), call the pure rule in `zhifa-domain`, append the
//! events. Handlers stay thin: parse, call one function here, render.
//!
//! One module per feature; each is listed below and re-exported, so callers write
//! `service::register_officer`. Failures are [`ServiceError`], not HTTP errors: the API and the
//! console turn them into responses through `From<ServiceError> for ApiError` (in `error.rs`).

mod accounts;
mod calendar;
mod cases;
mod deadline;
mod evidence;
mod ledger;
mod registry;

pub use accounts::*;
pub use calendar::*;
pub use cases::*;
pub use deadline::*;
pub use evidence::*;
pub use ledger::*;
pub use registry::*;

use crate::AppState;
use crate::auth::CurrentUser;
use uuid::Uuid;
use zhifa_domain::event::{Expected, SideEffect};
use zhifa_domain::{DomainError, Event, NewEvent, StreamId};
use zhifa_store::StoreError;

/// Why a command or a scoped read failed. The HTTP status, code and message each becomes are
/// decided in one place, `From<ServiceError> for crate::error::ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A rule refused (invalid, forbidden, not found, conflict).
    #[error("{0}")]
    Domain(#[from] DomainError),
    /// The thing asked for is absent or outside the caller's scope (indistinguishable).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The store refused (duplicate, concurrent change) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request is malformed in a way no domain rule names (400 `bad_request`).
    #[error("{field}: {message}")]
    BadRequest {
        field: &'static str,
        message: String,
    },
    /// The evidence store refused the file (empty, too large, interrupted) or failed.
    #[error(transparent)]
    Evidence(#[from] zhifa_evidence::EvidenceError),
    /// The log has no signed checkpoint covering what was asked for yet (503, retry).
    #[error("no signed checkpoint yet")]
    NoCheckpoint,
    /// Something that should not happen; logged with an error id when turned into a response.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Today in China Standard Time, the day every date-based rule is decided on.
pub fn today_cst() -> time::Date {
    zhifa_calendar::cst_date(time::OffsetDateTime::now_utc())
}

async fn append(
    st: &AppState,
    u: &CurrentUser,
    stream: StreamId,
    expected: Expected,
    agency_id: Uuid,
    events: Vec<Event>,
    side_effects: Vec<SideEffect>,
) -> ServiceResult<()> {
    st.store
        .append(NewEvent {
            stream,
            expected,
            agency_id,
            actor: u.actor.clone(),
            events,
            side_effects,
        })
        .await?;
    Ok(())
}

fn system_part(
    stream: StreamId,
    expected: Expected,
    agency_id: Uuid,
    events: Vec<Event>,
) -> NewEvent {
    NewEvent {
        stream,
        expected,
        agency_id,
        actor: zhifa_domain::auth::Actor::system(),
        events,
        side_effects: vec![],
    }
}
