//! Foreign Permanent Resident ID Card numbers (外国人永久居留身份证, 2023 edition), and
//! [`PersonalId`], the number a natural person's identity document carries.
//!
//! The 2023 card number has the shape of a resident ID number so that systems built for
//! GB 11643 can take it: 18 characters, the first `9` (no province code starts with 9, so
//! the two kinds never collide), positions 2–3 the province-level code of the accepting
//! authority, 4–6 the numeric nationality code, 7–14 the birth date `YYYYMMDD`, 15–17 a
//! sequence and 18 the GB 11643 MOD 11-2 check character. Parties to a case can be
//! foreigners (处罚法 Art. 84), so registries must accept the card next to the citizen's ID.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::division;
use crate::resident_id::{
    self, BirthDateProblem, IdError, ResidentId, birth_message, check_of,
    latest_birth_without_today,
};

/// First character of every 2023 Foreign Permanent Resident ID Card number.
const FOREIGN_PREFIX: u8 = b'9';

/// Why a string is not a valid Foreign Permanent Resident ID Card number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForeignIdError {
    /// Not 18 characters.
    #[error("外国人永久居留身份证号码长度错误：应为 18 位，实为 {got} 位")]
    WrongLength {
        /// Number of characters received.
        got: usize,
    },
    /// A character not allowed at its position (digits, and X as the 18th character).
    #[error("外国人永久居留身份证号码第 {position} 位字符“{ch}”不合法：{}", if *.position == 18 { "只能是数字或 X" } else { "只能是数字" })]
    BadChar {
        /// The offending character.
        ch: char,
        /// 1-based position.
        position: usize,
    },
    /// The first character is not `9`.
    #[error("外国人永久居留身份证号码应以 9 开头，实为 {got}")]
    WrongPrefix {
        /// The first character given.
        got: char,
    },
    /// Positions 2–3 are not a province-level division code.
    #[error("外国人永久居留身份证号码第 2–3 位 {code} 不是有效的省级受理地代码")]
    UnknownProvince {
        /// Positions 2–3.
        code: String,
    },
    /// The birth date is not a real date or out of range.
    #[error("{}", birth_message(*.year, *.month, *.day, *.problem))]
    BirthDate {
        /// Year as written.
        year: u16,
        /// Month as written.
        month: u8,
        /// Day as written.
        day: u8,
        /// What is wrong.
        problem: BirthDateProblem,
    },
    /// The 18th character does not match the MOD 11-2 check of the first 17.
    #[error("校验码错误：应为 {expected}，实为 {got}")]
    CheckDigit {
        /// The check character computed from the first 17 digits.
        expected: char,
        /// The 18th character given (upper-cased).
        got: char,
    },
}

impl ForeignIdError {
    /// Stable machine-readable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ForeignIdError::WrongLength { .. } => "fpr.length",
            ForeignIdError::BadChar { .. } => "fpr.char",
            ForeignIdError::WrongPrefix { .. } => "fpr.prefix",
            ForeignIdError::UnknownProvince { .. } => "fpr.province",
            ForeignIdError::BirthDate { .. } => "fpr.birth_date",
            ForeignIdError::CheckDigit { .. } => "fpr.check_digit",
        }
    }
}

/// A valid 2023 Foreign Permanent Resident ID Card number (外国人永久居留身份证号码).
///
/// Invariants: 17 ASCII digits followed by a digit or upper-case `X`; the first is `9`;
/// positions 2–3 are a province-level code; positions 7–14 are a real date in 1900..=2100
/// (or not after the given today); the last character is the MOD 11-2 check of the first 17.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ForeignPermanentResidentId {
    digits: [u8; 18],
    birth: Date,
}

impl ForeignPermanentResidentId {
    /// Parses a card number (lower-case `x` accepted) with birth dates up to 2100-12-31.
    /// Prefer [`ForeignPermanentResidentId::parse_at`] for values entered by people.
    pub fn parse(s: &str) -> Result<Self, ForeignIdError> {
        Self::parse_until(s, latest_birth_without_today())
    }

    /// Like [`ForeignPermanentResidentId::parse`], but a birth date after `today` is rejected.
    pub fn parse_at(s: &str, today: Date) -> Result<Self, ForeignIdError> {
        Self::parse_until(s, today)
    }

    fn parse_until(s: &str, latest: Date) -> Result<Self, ForeignIdError> {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(ForeignIdError::WrongLength { got: chars.len() });
        }
        let mut digits = [0u8; 18];
        for (i, &c) in chars.iter().enumerate() {
            digits[i] = match c {
                '0'..='9' => c as u8,
                'X' | 'x' if i == 17 => b'X',
                _ => {
                    return Err(ForeignIdError::BadChar {
                        ch: c,
                        position: i + 1,
                    });
                }
            };
        }
        if digits[0] != FOREIGN_PREFIX {
            return Err(ForeignIdError::WrongPrefix {
                got: char::from(digits[0]),
            });
        }
        let text = std::str::from_utf8(&digits).expect("ASCII");
        let province = &text[1..3];
        if !division::is_province_prefix(province) {
            return Err(ForeignIdError::UnknownProvince {
                code: province.to_string(),
            });
        }
        let birth = resident_id::birth_date(&text[6..14], latest).map_err(
            |(year, month, day, problem)| ForeignIdError::BirthDate {
                year,
                month,
                day,
                problem,
            },
        )?;
        let expected = check_of(&digits[..17]);
        if char::from(digits[17]) != expected {
            return Err(ForeignIdError::CheckDigit {
                expected,
                got: char::from(digits[17]),
            });
        }
        Ok(Self { digits, birth })
    }

    /// The normalised 18-character number.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("ASCII by construction")
    }

    /// Province-level code of the accepting authority (positions 2–3).
    pub fn province_code(&self) -> &str {
        &self.as_str()[1..3]
    }

    /// Numeric nationality code (positions 4–6).
    pub fn nationality_code(&self) -> &str {
        &self.as_str()[3..6]
    }

    /// Date of birth (positions 7–14).
    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// The 3-digit sequence (positions 15–17).
    pub fn sequence(&self) -> &str {
        &self.as_str()[14..17]
    }

    /// The check character (18th).
    pub fn check_char(&self) -> char {
        char::from(self.digits[17])
    }
}

impl fmt::Debug for ForeignPermanentResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ForeignPermanentResidentId({})", self.as_str())
    }
}

impl fmt::Display for ForeignPermanentResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ForeignPermanentResidentId {
    type Err = ForeignIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ForeignPermanentResidentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ForeignPermanentResidentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Which document a natural person's ID number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalIdKind {
    /// 居民身份证 (GB 11643), including residence permits of HK/Macau/Taiwan residents.
    Resident,
    /// 外国人永久居留身份证 (2023 edition).
    ForeignPermanentResident,
}

impl PersonalIdKind {
    /// Chinese name of the document.
    pub fn name_zh(self) -> &'static str {
        match self {
            PersonalIdKind::Resident => "居民身份证",
            PersonalIdKind::ForeignPermanentResident => "外国人永久居留身份证",
        }
    }
}

/// The ID number of a natural person: a citizen's resident ID or a foreigner's permanent
/// resident card, told apart by the first digit (`9` is never a province code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonalId {
    /// 公民身份号码.
    Resident(ResidentId),
    /// 外国人永久居留身份证号码.
    ForeignPermanentResident(ForeignPermanentResidentId),
}

/// Why a string is not a natural person's ID number; the variant says which document it was
/// read as (an 18-character value starting with `9` is read as a foreigner's card).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdError {
    /// Read as a resident ID number.
    #[error(transparent)]
    Resident(#[from] IdError),
    /// Read as a Foreign Permanent Resident ID Card number.
    #[error(transparent)]
    ForeignPermanentResident(#[from] ForeignIdError),
}

impl PersonalIdError {
    /// Stable machine-readable code: `id.*` or `fpr.*`.
    pub fn code(&self) -> &'static str {
        match self {
            PersonalIdError::Resident(e) => e.code(),
            PersonalIdError::ForeignPermanentResident(e) => e.code(),
        }
    }
}

impl PersonalId {
    /// **The entry point for ID numbers entered by people**: parses either kind and rejects a
    /// birth date after `today` (pass today's date in China Standard Time). 15-digit legacy
    /// resident numbers are converted as by [`ResidentId::parse`].
    pub fn parse_at(s: &str, today: Date) -> Result<PersonalId, PersonalIdError> {
        Self::parse_until(s, Some(today))
    }

    /// Parses either kind with birth dates up to 2100-12-31 (stored data, tests).
    pub fn parse(s: &str) -> Result<PersonalId, PersonalIdError> {
        Self::parse_until(s, None)
    }

    fn parse_until(s: &str, today: Option<Date>) -> Result<PersonalId, PersonalIdError> {
        let foreign = s.chars().count() == 18 && s.as_bytes().first() == Some(&FOREIGN_PREFIX);
        Ok(match (foreign, today) {
            (true, Some(t)) => {
                PersonalId::ForeignPermanentResident(ForeignPermanentResidentId::parse_at(s, t)?)
            }
            (true, None) => {
                PersonalId::ForeignPermanentResident(ForeignPermanentResidentId::parse(s)?)
            }
            (false, Some(t)) => PersonalId::Resident(ResidentId::parse_at(s, t)?),
            (false, None) => PersonalId::Resident(ResidentId::parse(s)?),
        })
    }

    /// Which document the number belongs to.
    pub fn kind(&self) -> PersonalIdKind {
        match self {
            PersonalId::Resident(_) => PersonalIdKind::Resident,
            PersonalId::ForeignPermanentResident(_) => PersonalIdKind::ForeignPermanentResident,
        }
    }

    /// The normalised 18-character number.
    pub fn as_str(&self) -> &str {
        match self {
            PersonalId::Resident(id) => id.as_str(),
            PersonalId::ForeignPermanentResident(id) => id.as_str(),
        }
    }

    /// Date of birth.
    pub fn birth_date(&self) -> Date {
        match self {
            PersonalId::Resident(id) => id.birth_date(),
            PersonalId::ForeignPermanentResident(id) => id.birth_date(),
        }
    }
}

impl fmt::Display for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PersonalId {
    type Err = PersonalIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonalId::parse(s)
    }
}

impl Serialize for PersonalId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PersonalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        PersonalId::parse(&s).map_err(serde::de::Error::custom)
    }
}
