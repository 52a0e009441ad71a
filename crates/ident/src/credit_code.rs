//! Unified social credit codes (统一社会信用代码, GB 32100-2015).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::division::{self, DivisionCode};

/// The 31-character code alphabet (no I, O, Z, S, V); a character's value is its index.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^(i-1) mod 31 for positions 1..=17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 organisation-code weights for its 8 body characters.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
/// Division segment used by central-level registration authorities.
const NATIONAL_DIVISION: &str = "100000";

/// A registration authority (登记管理部门, position 1) and the organisation types
/// (机构类别, position 2) it may issue.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Authority {
    code: char,
    name: &'static str,
    types: &'static [(char, &'static str)],
}

impl Authority {
    /// The code character (position 1).
    pub fn code(&self) -> char {
        self.code
    }
    /// Chinese name of the authority.
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The organisation types this authority issues: (code character, Chinese name).
    pub fn org_types(&self) -> &'static [(char, &'static str)] {
        self.types
    }
    /// Every registration authority of GB 32100 and its later assignments.
    pub fn all() -> &'static [Authority] {
        AUTHORITIES
    }
    /// Looks up an authority by its code character.
    pub fn get(code: char) -> Option<&'static Authority> {
        AUTHORITIES.iter().find(|a| a.code == code)
    }
}

/// GB 32100-2015 Annex A (1 机构编制, 5 民政, 9 工商, Y 其他) plus the authority codes assigned
/// since (2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室, N 农业).
static AUTHORITIES: &[Authority] = &[
    Authority {
        code: '1',
        name: "机构编制",
        types: &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '2',
        name: "外交",
        types: &[('1', "外国常驻新闻机构"), ('9', "其他")],
    },
    Authority {
        code: '3',
        name: "司法行政",
        types: &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '4',
        name: "文化",
        types: &[('1', "外国在华文化中心"), ('9', "其他")],
    },
    Authority {
        code: '5',
        name: "民政",
        types: &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '6',
        name: "旅游",
        types: &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '7',
        name: "宗教",
        types: &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    },
    Authority {
        code: '8',
        name: "工会",
        types: &[('1', "基层工会"), ('9', "其他")],
    },
    Authority {
        code: '9',
        name: "工商",
        types: &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    },
    Authority {
        code: 'A',
        name: "中央军委改革和编制办公室",
        types: &[('1', "军队事业单位"), ('9', "其他")],
    },
    Authority {
        code: 'N',
        name: "农业",
        types: &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: 'Y',
        name: "其他",
        types: &[('1', "其他")],
    },
];

/// Why a string is not a valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters.
    #[error("统一社会信用代码长度错误：应为 18 位，实为 {got} 位")]
    WrongLength {
        /// Number of characters received.
        got: usize,
    },
    /// A character outside the 31-character alphabet (I, O, Z, S, V are never used).
    #[error(
        "统一社会信用代码第 {position} 位字符“{ch}”不合法：只能是数字或除 I、O、Z、S、V 以外的大写字母"
    )]
    BadChar {
        /// The offending character.
        ch: char,
        /// 1-based position.
        position: usize,
    },
    /// Position 1 is not a registration authority code.
    #[error("统一社会信用代码第 1 位“{code}”不是有效的登记管理部门代码")]
    UnknownAuthority {
        /// The character at position 1.
        code: char,
    },
    /// Position 2 is not an organisation type of the authority at position 1.
    #[error("统一社会信用代码第 2 位“{code}”不是登记管理部门“{authority}”下的有效机构类别代码")]
    UnknownOrgType {
        /// Authority name.
        authority: &'static str,
        /// The character at position 2.
        code: char,
    },
    /// Positions 3–8 are not a plausible division code (known province prefix, or 100000).
    #[error("统一社会信用代码第 3–8 位“{code}”不是有效的登记管理机关行政区划码")]
    UnknownDivision {
        /// Positions 3–8.
        code: String,
    },
    /// Position 17 does not match the GB 11714 check of positions 9–16.
    #[error("组织机构代码校验码错误：应为 {expected}，实为 {got}")]
    OrgCodeCheckDigit {
        /// Computed check character.
        expected: char,
        /// Character given at position 17.
        got: char,
    },
    /// Position 18 does not match the GB 32100 check of positions 1–17.
    #[error("校验码错误：应为 {expected}，实为 {got}")]
    CheckDigit {
        /// Computed check character.
        expected: char,
        /// Character given at position 18.
        got: char,
    },
}

impl CreditCodeError {
    /// Stable machine-readable error code.
    pub fn code(&self) -> &'static str {
        match self {
            CreditCodeError::WrongLength { .. } => "uscc.length",
            CreditCodeError::BadChar { .. } => "uscc.char",
            CreditCodeError::UnknownAuthority { .. } => "uscc.authority",
            CreditCodeError::UnknownOrgType { .. } => "uscc.org_type",
            CreditCodeError::UnknownDivision { .. } => "uscc.division",
            CreditCodeError::OrgCodeCheckDigit { .. } => "uscc.org_check_digit",
            CreditCodeError::CheckDigit { .. } => "uscc.check_digit",
        }
    }

    /// True when the code is well-formed in every other respect and only a check digit
    /// (position 17 and/or 18) is wrong: the case a recorded override may accept
    /// (see [`CreditCode::parse_with_override`]).
    pub fn is_checksum_only(&self) -> bool {
        matches!(
            self,
            CreditCodeError::CheckDigit { .. } | CreditCodeError::OrgCodeCheckDigit { .. }
        )
    }
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// Computes the GB 32100 check character (position 18) for a 17-character body.
/// Returns `None` if `body` is not 17 characters of the alphabet.
pub fn check_char(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    Some(char::from(ALPHABET[((31 - sum % 31) % 31) as usize]))
}

/// Computes the GB 11714 organisation-code check character for its 8 body characters
/// (digits and upper-case letters, A = 10 … Z = 35). `None` if `body` is not 8 such characters.
pub fn org_code_check_char(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("single digit"),
    })
}

/// A valid 18-character unified social credit code, upper-case.
///
/// Invariants: 18 characters of [`ALPHABET`]; position 1 a known registration authority and
/// position 2 one of its organisation types; positions 3–8 six digits with a known province
/// prefix (or 100000); and — unless created by [`CreditCode::parse_with_override`] — positions
/// 17 and 18 are the GB 11714 and GB 32100 check characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode {
    chars: [u8; 18],
    checksums_valid: bool,
}

impl CreditCode {
    /// Parses a code; lower case is normalised to upper case.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let (chars, checksum_err) = Self::parse_structure(s)?;
        match checksum_err {
            Some(e) => Err(e),
            None => Ok(CreditCode {
                chars,
                checksums_valid: true,
            }),
        }
    }

    /// Like [`CreditCode::parse`], but accepts a code whose only fault is a check digit
    /// (e.g. a legally issued pilot code). The result reports `checksums_valid() == false`;
    /// the caller must record the override. Any other fault is still an error.
    pub fn parse_with_override(s: &str) -> Result<CreditCode, CreditCodeError> {
        let (chars, checksum_err) = Self::parse_structure(s)?;
        Ok(CreditCode {
            chars,
            checksums_valid: checksum_err.is_none(),
        })
    }

    /// Checks everything except the check digits; returns the normalised characters and the
    /// first check-digit error, if any (organisation code check first).
    fn parse_structure(s: &str) -> Result<([u8; 18], Option<CreditCodeError>), CreditCodeError> {
        let got = s.chars().count();
        if got != 18 {
            return Err(CreditCodeError::WrongLength { got });
        }
        let mut chars = [0u8; 18];
        for (i, c) in s.chars().enumerate() {
            let up = c.to_ascii_uppercase();
            if !up.is_ascii() || value_of(up as u8).is_none() {
                return Err(CreditCodeError::BadChar {
                    ch: c,
                    position: i + 1,
                });
            }
            chars[i] = up as u8;
        }
        let authority =
            Authority::get(char::from(chars[0])).ok_or(CreditCodeError::UnknownAuthority {
                code: char::from(chars[0]),
            })?;
        let org_type = char::from(chars[1]);
        if !authority.types.iter().any(|&(c, _)| c == org_type) {
            return Err(CreditCodeError::UnknownOrgType {
                authority: authority.name,
                code: org_type,
            });
        }
        let text = std::str::from_utf8(&chars).expect("ASCII");
        let div = &text[2..8];
        let plausible = div.bytes().all(|b| b.is_ascii_digit())
            && (div == NATIONAL_DIVISION || division::is_province_prefix(&div[..2]));
        if !plausible {
            return Err(CreditCodeError::UnknownDivision {
                code: div.to_string(),
            });
        }
        let mut checksum_err = None;
        match org_code_check_char(&text[8..16]) {
            Some(expected) if expected != char::from(chars[16]) => {
                checksum_err = Some(CreditCodeError::OrgCodeCheckDigit {
                    expected,
                    got: char::from(chars[16]),
                });
            }
            _ => {}
        }
        let expected = check_char(&text[..17]).expect("alphabet checked");
        if checksum_err.is_none() && expected != char::from(chars[17]) {
            checksum_err = Some(CreditCodeError::CheckDigit {
                expected,
                got: char::from(chars[17]),
            });
        }
        Ok((chars, checksum_err))
    }

    /// The normalised 18-character code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.chars).expect("ASCII by construction")
    }

    /// False only for a code accepted by [`CreditCode::parse_with_override`] despite a bad check digit.
    pub fn checksums_valid(&self) -> bool {
        self.checksums_valid
    }

    /// Registration authority (position 1).
    pub fn authority(&self) -> &'static Authority {
        Authority::get(char::from(self.chars[0])).expect("checked on parse")
    }

    /// Organisation type (position 2): (code character, Chinese name).
    pub fn org_type(&self) -> (char, &'static str) {
        let c = char::from(self.chars[1]);
        *self
            .authority()
            .types
            .iter()
            .find(|&&(t, _)| t == c)
            .expect("checked on parse")
    }

    /// Division code of the registration authority (positions 3–8) as written.
    pub fn division_code(&self) -> &str {
        &self.as_str()[2..8]
    }

    /// The division segment looked up in the division table, if known (`None` for 100000 and
    /// for codes unknown to the table).
    pub fn division(&self) -> Option<DivisionCode> {
        division::find(self.division_code())
    }

    /// The 9-character organisation code (主体标识码, positions 9–17).
    pub fn organization_code(&self) -> &str {
        &self.as_str()[8..17]
    }

    /// The check character (position 18).
    pub fn check_char(&self) -> char {
        char::from(self.chars[17])
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.checksums_valid {
            write!(f, "CreditCode({})", self.as_str())
        } else {
            write!(f, "CreditCode({}, checksum overridden)", self.as_str())
        }
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Deserialisation is strict ([`CreditCode::parse`]): an overridden code must be stored with its
/// override record and re-read with [`CreditCode::parse_with_override`].
impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}
