//! Accounts: users, passwords and API tokens (also re-exported from [`crate::registry`]).

pub mod record;
mod token;
mod user;

pub use token::*;
pub use user::*;
