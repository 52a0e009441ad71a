//! Importing a notice and recomputing the deadlines that depended on its year.
//!
//! Server flow (DL-1):
//! 1. store each deadline's spec and its last [`Computed`] (the columns `provisional`,
//!    `first_notice_year`, `last_notice_year`);
//! 2. on import call [`Calendar::import`]; the [`ImportReport`] says whether the notice is new,
//!    an amendment or a replacement ([`NoticeRelation`]) and lists the days whose working-day
//!    status changed ([`ImportReport::changed_days`]) and their years
//!    ([`ImportReport::changed_years`]);
//! 3. select the deadlines [`ImportReport::affects`] — in SQL: `(provisional AND
//!    first_notice_year <= :year AND :year <= last_notice_year) OR (first_notice_year <= :y
//!    AND :y <= last_notice_year)` for each `:y` in `changed_years`. The second part matters
//!    for an **amended** notice: deadlines computed from the earlier official notice are not
//!    provisional, yet their due dates may move;
//! 4. recompute them with [`recompute_import`] (or [`Calendar::compute`] one by one).
//!
//! [`recompute`] (by year, provisional deadlines only) is kept for first imports; it misses
//! deadlines affected by an amendment.

use time::Date;

use crate::calendar::Calendar;
use crate::date::{DAYS, date_of, index_of};
use crate::notice::{NEXT_NOTICE_REACH_DAY, NoticeRelation};
use crate::period::{Computed, DeadlineSpec};
use crate::{CalendarError, Notice};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub year: i32,
    /// Whether a notice for the same year was already loaded (an amendment or replacement).
    pub replaced: bool,
    pub documents: Vec<String>,
    /// New, amendment or replacement of the loaded notice.
    pub relation: NoticeRelation,
    /// Days (the notice year, and late December of the year before) that were working days
    /// and are now days off, or the reverse, in date order.
    pub changed_days: Vec<Date>,
    /// The calendar years of `changed_days`, ascending, without repeats.
    pub changed_years: Vec<i32>,
}

impl ImportReport {
    /// Whether a deadline last computed as `last` may change with this import: it depended
    /// provisionally on the notice year, or it examined a year whose working days changed
    /// (provisional or not — an amendment changes official years).
    pub fn affects(&self, last: &Computed) -> bool {
        last.depends_on_year(self.year) || self.changed_years.iter().any(|&y| last.examined_year(y))
    }
}

impl Computed {
    /// Whether the computation examined days of `year`'s notice (provisional or not).
    pub fn examined_year(&self, year: i32) -> bool {
        (self.first_notice_year..=self.last_notice_year).contains(&year)
    }
}

impl Calendar {
    /// Parses, validates and loads a notice, returning the new calendar (the old one is left
    /// untouched for readers still using it). A notice for a year that already has one is
    /// accepted and replaces it whole (an amended notice, [`NoticeRelation::Amendment`]).
    pub fn import(&self, text: &str) -> Result<(Calendar, ImportReport), CalendarError> {
        let notice = Notice::parse(text)?;
        let relation = notice.relation_to(self.notice(notice.year));
        let year = notice.year;
        let documents = notice.documents.clone();
        let next = self.with_notice(notice);
        let changed_days = changed_days(self, &next, year);
        let mut changed_years: Vec<i32> = changed_days.iter().map(|d| d.year()).collect();
        changed_years.dedup();
        let report = ImportReport {
            year,
            replaced: relation != NoticeRelation::New,
            documents,
            relation,
            changed_days,
            changed_years,
        };
        Ok((next, report))
    }
}

/// Days a notice for `year` can decide (24 December of the year before ..= 31 December)
/// whose working-day status differs between `old` and `new`.
fn changed_days(old: &Calendar, new: &Calendar, year: i32) -> Vec<Date> {
    let from = Date::from_calendar_date(year - 1, time::Month::December, NEXT_NOTICE_REACH_DAY)
        .ok()
        .and_then(|d| index_of(d).ok())
        .unwrap_or(0);
    let to = Date::from_calendar_date(year, time::Month::December, 31)
        .ok()
        .and_then(|d| index_of(d).ok())
        .unwrap_or(DAYS - 1);
    (from..=to)
        .filter(|&i| old.is_workday_at(i) != new.is_workday_at(i))
        .map(date_of)
        .collect()
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

fn redo<K: Clone>(cal: &Calendar, d: &OpenDeadline<K>) -> Recomputed<K> {
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
}

/// Recomputes every deadline in `open` that *provisionally* depends on `imported_year`;
/// others are skipped. Enough for a first import; after an amendment use
/// [`recompute_import`].
pub fn recompute<'a, K: Clone + 'a>(
    cal: &'a Calendar,
    imported_year: i32,
    open: impl IntoIterator<Item = &'a OpenDeadline<K>> + 'a,
) -> impl Iterator<Item = Recomputed<K>> + 'a {
    open.into_iter()
        .filter(move |d| d.last.depends_on_year(imported_year))
        .map(move |d| redo(cal, d))
}

/// Recomputes every deadline in `open` that the import described by `report` may change
/// ([`ImportReport::affects`]), with `cal` the calendar the import returned.
pub fn recompute_import<'a, K: Clone + 'a>(
    cal: &'a Calendar,
    report: &'a ImportReport,
    open: impl IntoIterator<Item = &'a OpenDeadline<K>> + 'a,
) -> impl Iterator<Item = Recomputed<K>> + 'a {
    open.into_iter()
        .filter(move |d| report.affects(&d.last))
        .map(move |d| redo(cal, d))
}
