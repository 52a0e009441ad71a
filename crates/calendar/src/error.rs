//! Errors. Every variant names the offending input and the reason, because these messages
//! reach officers (CLI, import screen) who must be able to fix the input from the text alone.

use std::fmt;

/// Everything the calendar can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Text that should be a date is not one (bad shape, or a day that does not exist).
    #[error("invalid date `{input}`: {reason}")]
    InvalidDate { input: String, reason: String },

    /// Text that should be an instant (RFC 3339) is not one.
    #[error(
        "invalid instant `{input}`: {reason} (expected RFC 3339, e.g. 2026-11-26T09:30:00+08:00)"
    )]
    InvalidInstant { input: String, reason: String },

    /// A computation needs a year outside the range the lunisolar data and statutes cover.
    /// Refused rather than wrapped or extrapolated.
    #[error(
        "year {year} is outside the supported range {min}..={max}: no holiday data, not even provisional",
        min = crate::MIN_YEAR,
        max = crate::MAX_YEAR
    )]
    YearOutOfRange { year: i32 },

    /// A period length that is not a number.
    #[error("invalid period length `{input}`: not a whole number")]
    InvalidLength { input: String },

    /// A negative period length.
    #[error("invalid period length {length}: a period cannot be negative")]
    NegativePeriod { length: i64 },

    /// A zero period length (a due date must lie after the event).
    #[error("invalid period length 0: a period must be at least 1 {unit}")]
    ZeroPeriod { unit: &'static str },

    /// A period longer than any statute uses; almost certainly a typo.
    #[error("invalid period length {length} {unit}: longer than the maximum of {max} {unit}")]
    PeriodTooLong {
        length: i64,
        unit: &'static str,
        max: u32,
    },

    /// A unit name that is not known.
    #[error("unknown unit `{input}`: expected one of workdays, days, hours, months, years")]
    UnknownUnit { input: String },

    /// The anchor kind does not fit the unit (an hour period needs an instant, for example).
    #[error("{reason}")]
    AnchorMismatch { reason: String },

    /// A suspension ledger that makes no sense.
    #[error("invalid suspension #{index}: {reason}")]
    InvalidSuspension { index: usize, reason: String },

    /// A rule id that is not in the catalog.
    #[error("unknown deadline rule `{id}`")]
    UnknownRule { id: String },

    /// Invalid catalog or province settings.
    #[error("invalid deadline settings: {reason}")]
    InvalidSettings { reason: String },

    /// An extension request over the rule's statutory (or configured) maximum.
    #[error("延长期限 {requested}{unit} 超过“{name}”可延长的上限 {max}{unit}（{basis}）")]
    ExtensionTooLong {
        /// Catalog rule id.
        rule: String,
        /// Rule name (Chinese).
        name: String,
        requested: u32,
        max: u32,
        /// Chinese unit word (日, 个工作日).
        unit: &'static str,
        /// The provision setting the cap.
        basis: String,
    },

    /// An extension that cannot be granted at all (no extension for the rule, zero length).
    #[error("延长期限无效（{rule}）：{reason}")]
    InvalidExtension { rule: String, reason: String },

    /// Two notices for the same year given at once.
    #[error("two notices for year {year}: load one notice per year")]
    DuplicateNotice { year: i32 },

    /// A notice file with one or more errors.
    #[error(transparent)]
    Notice(#[from] NoticeErrors),
}

/// One problem in a notice file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeIssue {
    /// 1-based line number; 0 when the problem concerns the file as a whole.
    pub line: usize,
    /// The field (header key, or `off`/`work` entry part) the problem is in.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for NoticeIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "field `{}`: {}", self.field, self.reason)
        } else {
            write!(
                f,
                "line {}, field `{}`: {}",
                self.line, self.field, self.reason
            )
        }
    }
}

/// All problems found in a notice file (validation does not stop at the first one, so an
/// importer sees everything to fix at once).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NoticeErrors {
    pub issues: Vec<NoticeIssue>,
}

impl fmt::Display for NoticeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid holiday notice ({} problem", self.issues.len())?;
        if self.issues.len() != 1 {
            write!(f, "s")?;
        }
        write!(f, ")")?;
        for issue in &self.issues {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}
