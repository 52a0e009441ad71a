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

recorded! {
    /// ApiTokenIssued (the token's secret never enters the log).
    pub struct ApiTokenV1 records ApiToken {
        id: Uuid,
        name: String,
        agency_id: Uuid,
        roles: Vec<Role>,
        created_by: Uuid,
        revoked: bool,
    }
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
