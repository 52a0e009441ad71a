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

impl CalendarError {
    /// The refusal in Chinese, for the console and the API (the `Display` form above is the
    /// command line's). Names the input and the reason, like the English form.
    pub fn message_zh(&self) -> String {
        match self {
            CalendarError::InvalidDate { input, .. } => {
                format!("日期 “{input}” 无效：应为存在的日期，格式 YYYY-MM-DD")
            }
            CalendarError::InvalidInstant { input, .. } => {
                format!("时间 “{input}” 无效：应为 RFC 3339 格式，如 2026-11-26T09:30:00+08:00")
            }
            CalendarError::YearOutOfRange { year } => format!(
                "{year} 年超出支持的范围（{}–{} 年），无法计算",
                crate::MIN_YEAR,
                crate::MAX_YEAR
            ),
            CalendarError::InvalidLength { input } => {
                format!("期限长度 “{input}” 无效：应为整数")
            }
            CalendarError::NegativePeriod { length } => {
                format!("期限长度 {length} 无效：不能为负数")
            }
            CalendarError::ZeroPeriod { .. } => "期限长度不能为 0".into(),
            CalendarError::PeriodTooLong { length, max, .. } => {
                format!("期限长度 {length} 超过上限 {max}，请检查是否输入有误")
            }
            CalendarError::UnknownUnit { input } => format!(
                "期限单位 “{input}” 无效：可选 workdays（工作日）、days（日）、hours（小时）、months（月）、years（年）"
            ),
            CalendarError::AnchorMismatch { .. } => {
                "起算点与期限单位不符：按小时计算的期限须从具体时刻起算".into()
            }
            CalendarError::InvalidSuspension { index, .. } => {
                format!(
                    "第 {} 段中止记录无效：中止与恢复的日期须先后有序且不重叠",
                    index + 1
                )
            }
            CalendarError::UnknownRule { id } => format!("期限规则 “{id}” 不存在"),
            CalendarError::InvalidSettings { reason } => format!("期限设置无效：{reason}"),
            CalendarError::ExtensionTooLong { .. } | CalendarError::InvalidExtension { .. } => {
                self.to_string()
            }
            CalendarError::DuplicateNotice { year } => {
                format!("同一次导入中有两份 {year} 年的通知，每年只能导入一份")
            }
            CalendarError::Notice(errors) => format!(
                "节假日安排通知有 {} 处问题：{}",
                errors.issues.len(),
                errors
                    .issues
                    .iter()
                    .map(|i| if i.line == 0 {
                        format!("字段 {}：{}", i.field, i.reason)
                    } else {
                        format!("第 {} 行字段 {}：{}", i.line, i.field, i.reason)
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            ),
        }
    }
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
