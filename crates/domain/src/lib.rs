//! The pure heart of zhifa: entities, commands, events and every statutory or business rule.
//!
//! Handlers parse input into a *draft*, the store loads the facts a rule needs, and a `decide_*`
//! function here either refuses with a [`DomainError`] naming the field and the rule, or returns the
//! events to append. Nothing in this crate performs I/O, reads a clock or touches a database:
//! "now" and every fact are passed in, so each rule is tested without a server.

pub mod accounts;
pub mod auth;
pub mod case;
pub mod deadline;
pub mod error;
pub mod event;
pub mod evidence;
pub mod ledger;
pub mod privacy;
pub mod registry;
pub mod scope;

pub use error::DomainError;
pub use event::{Event, NewEvent, StreamId};
