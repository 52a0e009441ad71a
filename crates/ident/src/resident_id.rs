//! Resident identity card numbers (公民身份号码, GB 11643-1999).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

use crate::division::{self, DivisionCode};

/// MOD 11-2 weights for the 17 body digits: 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by (weighted sum mod 11).
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// Earliest accepted birth year.
pub const MIN_BIRTH_YEAR: i32 = 1900;
/// Latest accepted birth year when no "today" is given.
pub const MAX_BIRTH_YEAR: i32 = 2100;
/// Address prefix of residence permits for Taiwan residents (港澳台居民居住证), not a province code.
const TAIWAN_PERMIT_PREFIX: &str = "83";

/// Sex encoded by the 17th digit (odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// Chinese name: 男 / 女.
    pub fn name_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// What is wrong with a birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDateProblem {
    /// The calendar has no such day (e.g. 1990-02-30).
    NoSuchDay,
    /// Before 1900-01-01.
    TooEarly,
    /// After 2100-12-31 (`parse`) or after the given today (`parse_at`).
    InFuture,
}

/// Why a string is not a valid resident ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Neither 18 nor 15 characters.
    #[error("身份证号码长度错误：应为 18 位（或 15 位旧号码），实为 {got} 位")]
    WrongLength {
        /// Number of characters received.
        got: usize,
    },
    /// A character not allowed at its position (only digits, and X as the 18th character).
    #[error("身份证号码第 {position} 位字符“{ch}”不合法：{}", if *.position == 18 { "只能是数字或 X" } else { "只能是数字" })]
    BadChar {
        /// The offending character.
        ch: char,
        /// 1-based position.
        position: usize,
    },
    /// The first two digits are not a province-level division code.
    #[error("身份证号码前两位 {prefix} 不是有效的省级行政区划代码")]
    UnknownProvince {
        /// The first two digits.
        prefix: String,
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

pub(crate) fn birth_message(year: u16, month: u8, day: u8, problem: BirthDateProblem) -> String {
    let date = format!("{year:04}年{month:02}月{day:02}日");
    match problem {
        BirthDateProblem::NoSuchDay => format!("出生日期不存在：{date}"),
        BirthDateProblem::TooEarly => format!("出生日期 {date} 早于 1900 年"),
        BirthDateProblem::InFuture => format!("出生日期 {date} 晚于当前日期"),
    }
}

impl IdError {
    /// Stable machine-readable error code.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::WrongLength { .. } => "id.length",
            IdError::BadChar { .. } => "id.char",
            IdError::UnknownProvince { .. } => "id.province",
            IdError::BirthDate { .. } => "id.birth_date",
            IdError::CheckDigit { .. } => "id.check_digit",
        }
    }
}

/// The latest birth date [`ResidentId::parse`] accepts when no "today" is given.
pub(crate) fn latest_birth_without_today() -> Date {
    Date::from_calendar_date(MAX_BIRTH_YEAR, Month::December, 31).expect("valid constant date")
}

/// Reads `YYYYMMDD` (8 ASCII digits) as a birth date in `MIN_BIRTH_YEAR..=latest`; on failure
/// returns the date as written and what is wrong, for the caller's own error type.
pub(crate) fn birth_date(
    yyyymmdd: &str,
    latest: Date,
) -> Result<Date, (u16, u8, u8, BirthDateProblem)> {
    let year: u16 = yyyymmdd[0..4].parse().expect("digits");
    let month: u8 = yyyymmdd[4..6].parse().expect("digits");
    let day: u8 = yyyymmdd[6..8].parse().expect("digits");
    let err = |problem| (year, month, day, problem);
    let birth = Month::try_from(month)
        .ok()
        .and_then(|m| Date::from_calendar_date(i32::from(year), m, day).ok())
        .ok_or_else(|| err(BirthDateProblem::NoSuchDay))?;
    if i32::from(year) < MIN_BIRTH_YEAR {
        return Err(err(BirthDateProblem::TooEarly));
    }
    if birth > latest {
        return Err(err(BirthDateProblem::InFuture));
    }
    Ok(birth)
}

/// Computes the GB 11643 MOD 11-2 check character for a 17-digit body.
/// Returns `None` if `body` is not exactly 17 ASCII digits.
pub fn check_digit(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(check_of(b))
}

pub(crate) fn check_of(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK_CHARS[(sum % 11) as usize])
}

/// A valid 18-digit resident ID number (15-digit legacy numbers are converted on parse).
///
/// Invariants: 17 ASCII digits followed by a digit or upper-case `X`; the first two digits are a
/// province-level code (or 83, Taiwan residents' residence permits); digits 7–14 are a real date
/// in 1900..=2100; the last character is the MOD 11-2 check of the first 17.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId {
    digits: [u8; 18],
    birth: Date,
}

impl ResidentId {
    /// Parses an 18-digit number (lower-case `x` accepted) or a 15-digit legacy number
    /// (converted: "19" inserted before the year, check digit appended).
    /// Birth dates must lie in 1900-01-01..=2100-12-31; use [`ResidentId::parse_at`] to also
    /// reject dates after today.
    pub fn parse(s: &str) -> Result<ResidentId, IdError> {
        Self::parse_until(s, latest_birth_without_today())
    }

    /// Like [`ResidentId::parse`], but a birth date after `today` is rejected. This is the
    /// entry point for values entered by people: pass today's date in China Standard Time.
    pub fn parse_at(s: &str, today: Date) -> Result<ResidentId, IdError> {
        Self::parse_until(s, today)
    }

    fn parse_until(s: &str, latest: Date) -> Result<ResidentId, IdError> {
        let chars: Vec<char> = s.chars().collect();
        let digits: [u8; 18] = match chars.len() {
            18 => {
                let mut d = [0u8; 18];
                for (i, &c) in chars.iter().enumerate() {
                    d[i] = match c {
                        '0'..='9' => c as u8,
                        'X' | 'x' if i == 17 => b'X',
                        _ => {
                            return Err(IdError::BadChar {
                                ch: c,
                                position: i + 1,
                            });
                        }
                    };
                }
                d
            }
            15 => {
                if let Some((i, &ch)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit())
                {
                    return Err(IdError::BadChar {
                        ch,
                        position: i + 1,
                    });
                }
                let b = s.as_bytes();
                let mut d = [0u8; 18];
                d[..6].copy_from_slice(&b[..6]);
                d[6..8].copy_from_slice(b"19");
                d[8..17].copy_from_slice(&b[6..15]);
                d[17] = check_of(&d[..17]) as u8;
                d
            }
            got => return Err(IdError::WrongLength { got }),
        };
        let text = std::str::from_utf8(&digits).expect("ASCII");
        let prefix = &text[..2];
        if !(division::is_province_prefix(prefix) || prefix == TAIWAN_PERMIT_PREFIX) {
            return Err(IdError::UnknownProvince {
                prefix: prefix.to_string(),
            });
        }
        let birth = birth_date(&text[6..14], latest).map_err(|(year, month, day, problem)| {
            IdError::BirthDate {
                year,
                month,
                day,
                problem,
            }
        })?;
        let expected = check_of(&digits[..17]);
        if char::from(digits[17]) != expected {
            return Err(IdError::CheckDigit {
                expected,
                got: char::from(digits[17]),
            });
        }
        Ok(ResidentId { digits, birth })
    }

    /// The normalised 18-character number.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("ASCII by construction")
    }

    /// Date of birth (digits 7–14).
    pub fn birth_date(&self) -> Date {
        self.birth
    }

    /// Sex from the 17th digit.
    pub fn sex(&self) -> Sex {
        if (self.digits[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit address code (first 6 digits) as written; it may be a retired code.
    pub fn division_prefix(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The address code looked up in the division table (current or historical), if known.
    pub fn division(&self) -> Option<DivisionCode> {
        division::find(self.division_prefix())
    }

    /// The 3-digit sequence code (digits 15–17).
    pub fn sequence(&self) -> &str {
        &self.as_str()[14..17]
    }

    /// The check character (18th).
    pub fn check_char(&self) -> char {
        char::from(self.digits[17])
    }

    /// The equivalent 15-digit legacy number, for numbers born in 1900–1999.
    pub fn to_legacy15(&self) -> Option<String> {
        let s = self.as_str();
        (&s[6..8] == "19").then(|| format!("{}{}", &s[..6], &s[8..17]))
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.as_str())
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResidentId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResidentId::parse(s)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ResidentId::parse(&s).map_err(serde::de::Error::custom)
    }
}
