//! Accounts: users, passwords and API tokens (also re-exported from [`crate::registry`]).

pub mod duties;
pub mod record;
mod token;
mod user;

pub use duties::{AccountAction, may_administer, validate_roles};
pub use token::*;
pub use user::*;
