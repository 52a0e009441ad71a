//! Enforcement cases (执法案件, REC-1): the statutory rules a case's steps must keep, as pure
//! functions the case commands call. This module holds the rules that stand on their own —
//! who the party is, whether the limitation period has run, what a simplified procedure may
//! impose, how a fine sits against the item's discretion benchmark, what a late payment adds,
//! when the party may ask for a hearing, and which officers may act together — each refusing
//! with the article it enforces — and the order of the ordinary procedure (`lifecycle`): which
//! step a case may take now and what it needs next.

mod decide;
mod duties;
mod lifecycle;
mod model;
mod party;
mod penalty;
pub mod record;
mod team;

pub use decide::*;
pub use duties::*;
pub use lifecycle::*;
pub use model::*;
pub use party::*;
pub use penalty::*;
pub use team::*;
