//! The accounts' event payloads as stored and hashed, version 1 (see `recorded!`).

use super::{ApiToken, User};
use crate::auth::Role;
use crate::event::personal::recorded;
use crate::event::{Aggregate, Event};
use uuid::Uuid;

recorded! {
    /// UserCreated / UserUpdated. The display name is a staff member's name shown on every
    /// record they make (REC-1), not personal data to be erased.
    pub struct UserV1 records User {
        id: Uuid,
        username: String,
        display_name: String,
        agency_id: Uuid,
        roles: Vec<Role>,
        officer_id: Option<Uuid>,
        active: bool,
    }
}

/// ApiTokenIssued version 1 (before tokens expired), kept to read the events stored in it;
/// [`upgrade_token_v1`] turns it into version 2.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenV1 {
    pub id: Uuid,
    pub name: String,
    pub agency_id: Uuid,
    pub roles: Vec<Role>,
    pub created_by: Uuid,
    pub revoked: bool,
}

recorded! {
    /// ApiTokenIssued version 2 (the token's secret never enters the log): with the instant
    /// it stops being accepted (issue 9 finding 3).
    pub struct ApiTokenV2 records ApiToken {
        id: Uuid,
        name: String,
        agency_id: Uuid,
        roles: Vec<Role>,
        created_by: Uuid,
        revoked: bool,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: time::OffsetDateTime,
    }
}

/// ApiTokenIssued v1 → v2. A version-1 token was issued without an expiry; it reads as
/// expired at the epoch, so such a token stops working and must be issued again (with an
/// expiry) rather than living for ever.
pub fn upgrade_token_v1(v: serde_json::Value) -> Result<serde_json::Value, String> {
    let mut m = match v {
        serde_json::Value::Object(m) => m,
        _ => return Err("not an object".into()),
    };
    if m.contains_key("expires_at") {
        return Err("version 1 has no expires_at".into());
    }
    m.insert("expires_at".into(), "1970-01-01T00:00:00Z".into());
    Ok(serde_json::Value::Object(m))
}

impl Aggregate for User {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match event {
            Event::UserCreated(r) | Event::UserUpdated(r) => Some(r.clone().into()),
            // The credential is not part of the user's recorded state.
            _ => state,
        }
    }
}

impl Aggregate for ApiToken {
    fn evolve(state: Option<Self>, event: &Event) -> Option<Self> {
        match (state, event) {
            (_, Event::ApiTokenIssued(r)) => Some(r.clone().into()),
            (Some(mut t), Event::ApiTokenRevoked { token_id }) if *token_id == t.id => {
                t.revoked = true;
                Some(t)
            }
            (state, _) => state,
        }
    }
}
