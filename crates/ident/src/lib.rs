//! Identity types for zhifa (REG-7), "parse, don't validate", with no I/O.
//!
//! A value of one of these types is valid by construction; the only way to get one is to parse
//! a string (or deserialize one, which parses).
//!
//! | type | standard | parse | invariants |
//! |---|---|---|---|
//! | [`ResidentId`] | GB 11643 公民身份号码 | [`ResidentId::parse`], [`ResidentId::parse_at`] | 18 chars, normalised upper-case `X`; province prefix known (or 83, Taiwan residents' permits); real birth date in 1900..=2100 (`parse_at`: not after today); MOD 11-2 check digit. 15-digit legacy numbers are converted (`19` inserted, check digit computed). |
//! | [`ForeignPermanentResidentId`] | 外国人永久居留身份证 (2023) | [`ForeignPermanentResidentId::parse`], [`ForeignPermanentResidentId::parse_at`] | 18 chars, first `9`; pos. 2–3 a province-level code (accepting authority); 4–6 nationality code; 7–14 real birth date as for `ResidentId`; 15–17 sequence; MOD 11-2 check (GB 11643 algorithm). |
//! | [`PersonalId`] | either of the two above | [`PersonalId::parse_at`] (**use this** for a natural person's number), [`PersonalId::parse`] | a value starting with `9` is a foreigner's card, anything else a resident ID; [`PersonalId::kind`] says which. |
//! | [`CreditCode`] | GB 32100 统一社会信用代码 | [`CreditCode::parse`], [`CreditCode::parse_with_override`] | 18 chars of the 31-char alphabet (no I O Z S V), upper-cased; authority (pos. 1) and org type (pos. 2) known; pos. 3–8 digits with a known province prefix or `100000`; GB 11714 check at pos. 17; GB 32100 check (weights 3^i mod 31) at pos. 18. `parse_with_override` accepts a code whose only fault is a check digit and marks it (`checksums_valid() == false`). |
//! | [`DivisionCode`] | GB/T 2260 行政区划代码 | [`DivisionCode::parse`] | one of the codes of the embedded table `data/divisions.tsv`, current or historical. |
//!
//! Errors ([`IdError`], [`CreditCodeError`], [`DivisionError`], or [`IdentError`] wrapping any
//! of them) display a Simplified Chinese message naming the reason, and have a stable machine
//! code via `code()`:
//!
//! - `id.length`, `id.char`, `id.province`, `id.birth_date`, `id.check_digit`
//! - `fpr.length`, `fpr.char`, `fpr.prefix`, `fpr.province`, `fpr.birth_date`, `fpr.check_digit`
//!   (Foreign Permanent Resident ID Card)
//! - `uscc.length`, `uscc.char`, `uscc.authority`, `uscc.org_type`, `uscc.division`,
//!   `uscc.org_check_digit`, `uscc.check_digit`
//! - `division.length`, `division.char`, `division.unknown`
//!
//! Checks run in the order listed, so a check-digit error means every structural check passed
//! ([`CreditCodeError::is_checksum_only`]).
//!
//! Division queries: [`DivisionCode::name`], [`DivisionCode::level`], [`DivisionCode::parent`],
//! [`DivisionCode::province`], [`DivisionCode::is_current`], [`DivisionCode::children`] (current
//! only) and [`divisions_in_province`] (current prefectures and counties in code order).
//!
//! ## Which entry point
//!
//! Values typed by people are checked against today: a birth date after today is refused.
//! Call [`PersonalId::parse_at`]`(value, today)` for any natural person's ID number (a
//! party of a case can be a foreigner, 处罚法 Art. 84) and keep [`ResidentId::parse_at`] for
//! where only a citizen may be named. `parse` without a date (birth dates up to 2100) is for
//! stored data and tests. [`Kind::validate_at`] / [`Kind::normalize_at`] /
//! [`validate_line_at`] are the same for the generic `id|uscc|division` path.
//!
//! For the CLI (`zhifa validate id|uscc|division VALUE…`): [`Kind`] and [`validate_line`]
//! (`id` accepts both resident IDs and Foreign Permanent Resident ID Cards).
//!
//! ```
//! use zhifa_ident::{ResidentId, CreditCode, DivisionCode, Kind, validate_line};
//! let id = ResidentId::parse("11010519491231002x").unwrap();
//! assert_eq!(id.as_str(), "11010519491231002X");
//! assert_eq!(ResidentId::parse("110105491231002").unwrap(), id);
//! let uscc = CreditCode::parse("914403001922038216").unwrap();
//! assert_eq!(uscc.authority().name(), "工商");
//! assert_eq!(DivisionCode::parse("340100").unwrap().name(), "合肥市");
//! assert_eq!(validate_line(Kind::Id, "11010519491231002X"), "11010519491231002X ok");
//! ```

mod credit_code;
mod division;
mod foreign_id;
mod resident_id;

use std::fmt;
use std::str::FromStr;

use time::Date;

pub use credit_code::{
    ALPHABET, Authority, CreditCode, CreditCodeError, check_char, org_code_check_char,
};
pub use division::{DivisionCode, DivisionError, Level, divisions_in_province};
pub use foreign_id::{
    ForeignIdError, ForeignPermanentResidentId, PersonalId, PersonalIdError, PersonalIdKind,
};
pub use resident_id::{
    BirthDateProblem, IdError, MAX_BIRTH_YEAR, MIN_BIRTH_YEAR, ResidentId, Sex,
    check_digit as id_check_digit,
};

/// Any identity validation error, for callers that handle all three kinds alike.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    /// Resident ID error.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Foreign Permanent Resident ID Card error.
    #[error(transparent)]
    ForeignId(#[from] ForeignIdError),
    /// Unified social credit code error.
    #[error(transparent)]
    CreditCode(#[from] CreditCodeError),
    /// Division code error.
    #[error(transparent)]
    Division(#[from] DivisionError),
}

impl IdentError {
    /// Stable machine-readable error code (e.g. `id.check_digit`).
    pub fn code(&self) -> &'static str {
        match self {
            IdentError::Id(e) => e.code(),
            IdentError::ForeignId(e) => e.code(),
            IdentError::CreditCode(e) => e.code(),
            IdentError::Division(e) => e.code(),
        }
    }
}

impl From<PersonalIdError> for IdentError {
    fn from(e: PersonalIdError) -> Self {
        match e {
            PersonalIdError::Resident(e) => IdentError::Id(e),
            PersonalIdError::ForeignPermanentResident(e) => IdentError::ForeignId(e),
        }
    }
}

/// What kind of identifier a value is, as named on the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `id`: a natural person's ID number — resident ID or Foreign Permanent Resident ID Card.
    Id,
    /// `uscc`: unified social credit code.
    Uscc,
    /// `division`: administrative division code.
    Division,
}

impl Kind {
    /// The CLI name: `id`, `uscc` or `division`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Uscc => "uscc",
            Kind::Division => "division",
        }
    }

    /// Chinese field name, for `{code, message, field}` style API errors.
    pub fn field_name_zh(self) -> &'static str {
        match self {
            Kind::Id => "公民身份号码",
            Kind::Uscc => "统一社会信用代码",
            Kind::Division => "行政区划代码",
        }
    }

    /// Parses `value` as this kind, discarding the parsed value (birth dates up to 2100).
    pub fn validate(self, value: &str) -> Result<(), IdentError> {
        self.normalize_until(value, None).map(drop)
    }

    /// Like [`Kind::validate`], but an ID number with a birth date after `today` is refused.
    pub fn validate_at(self, value: &str, today: Date) -> Result<(), IdentError> {
        self.normalize_until(value, Some(today)).map(drop)
    }

    /// Parses `value` as this kind and returns its normalised form (upper-case `X`, 15-digit
    /// resident numbers converted to 18).
    pub fn normalize(self, value: &str) -> Result<String, IdentError> {
        self.normalize_until(value, None)
    }

    /// Like [`Kind::normalize`], refusing a birth date after `today`.
    pub fn normalize_at(self, value: &str, today: Date) -> Result<String, IdentError> {
        self.normalize_until(value, Some(today))
    }

    fn normalize_until(self, value: &str, today: Option<Date>) -> Result<String, IdentError> {
        Ok(match self {
            Kind::Id => match today {
                Some(t) => PersonalId::parse_at(value, t)?,
                None => PersonalId::parse(value)?,
            }
            .as_str()
            .to_string(),
            Kind::Uscc => CreditCode::parse(value)?.as_str().to_string(),
            Kind::Division => DivisionCode::parse(value)?.as_str().to_string(),
        })
    }
}

/// Error for an unknown [`Kind`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的校验类型“{0}”：应为 id、uscc 或 division")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id" => Ok(Kind::Id),
            "uscc" => Ok(Kind::Uscc),
            "division" => Ok(Kind::Division),
            other => Err(UnknownKind(other.to_string())),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One output line of `zhifa validate KIND VALUE`: `VALUE ok` or `VALUE error: <中文原因>`.
pub fn validate_line(kind: Kind, value: &str) -> String {
    line(value, kind.validate(value))
}

/// Like [`validate_line`], refusing ID numbers with a birth date after `today`.
pub fn validate_line_at(kind: Kind, value: &str, today: Date) -> String {
    line(value, kind.validate_at(value, today))
}

fn line(value: &str, result: Result<(), IdentError>) -> String {
    match result {
        Ok(()) => format!("{value} ok"),
        Err(e) => format!("{value} error: {e}"),
    }
}
