//! Importing a notice and recomputing the deadlines that depended on its year.
//!
//! Server flow: store each deadline's spec and its last [`Computed`] (the columns
//! `provisional`, `first_notice_year`, `last_notice_year` make the selection a range query);
//! on import call [`Calendar::import`], select rows with [`Computed::depends_on_year`]
//! (SQL: `provisional AND first_notice_year <= :y AND :y <= last_notice_year`), and
//! recompute them with [`recompute`]. The new result may still be provisional (when it now
//! reaches a later year without a notice).

use crate::calendar::Calendar;
use crate::period::{Computed, DeadlineSpec};
use crate::{CalendarError, Notice};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub year: i32,
    /// Whether a notice for the same year was already loaded (an amended notice).
    pub replaced: bool,
    pub documents: Vec<String>,
}

impl Calendar {
    /// Parses, validates and loads a notice, returning the new calendar (the old one is left
    /// untouched for readers still using it).
    pub fn import(&self, text: &str) -> Result<(Calendar, ImportReport), CalendarError> {
        let notice = Notice::parse(text)?;
        let report = ImportReport {
            year: notice.year,
            replaced: self.notice(notice.year).is_some(),
            documents: notice.documents.clone(),
        };
        Ok((self.with_notice(notice), report))
    }
}

/// An open deadline as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDeadline<K> {
    pub key: K,
    pub spec: DeadlineSpec,
    pub last: Computed,
}

/// The result of recomputing one deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recomputed<K> {
    pub key: K,
    pub result: Result<Computed, CalendarError>,
    /// Whether the due date (or state) differs from before.
    pub changed: bool,
}

/// Recomputes every deadline in `open` that depends on `imported_year`; others are skipped.
pub fn recompute<'a, K: Clone + 'a>(
    cal: &'a Calendar,
    imported_year: i32,
    open: impl IntoIterator<Item = &'a OpenDeadline<K>> + 'a,
) -> impl Iterator<Item = Recomputed<K>> + 'a {
    open.into_iter()
        .filter(move |d| d.last.depends_on_year(imported_year))
        .map(move |d| {
            let result = cal.compute(&d.spec);
            let changed = match &result {
                Ok(c) => c.due != d.last.due,
                Err(_) => true,
            };
            Recomputed {
                key: d.key.clone(),
                result,
                changed,
            }
        })
}
