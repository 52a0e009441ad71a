//! One integration-test binary (crates.io style): an in-process server on port 0 per test, over
//! SQLite (a fresh temp dir) and over PostgreSQL (a fresh database per test). Every story runs on
//! both engines through the `both!` macro.

mod helpers;

mod auth;
mod calendar;
mod cases;
mod duties;
mod evidence;
mod invariants;
mod ledger;
mod openapi;
mod privacy;
mod refusals;
mod registry;
mod security;
mod store;
mod witness;
