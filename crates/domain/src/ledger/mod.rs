//! Rules of the tamper-evident ledger (REC-6): erasure of personal data and witnessing of
//! lower-tier logs.

mod erasure;
mod witness;

pub use erasure::*;
pub use witness::*;
