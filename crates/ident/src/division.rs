//! GB/T 2260 administrative division codes, backed by the embedded `data/divisions.tsv`.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The embedded division table (see `data/divisions.tsv` for the format and sources).
const DATA: &str = include_str!("../data/divisions.tsv");

/// One row of the division table.
#[derive(Debug)]
struct Entry {
    code: &'static str,
    value: u32,
    name: &'static str,
    /// `None` = current; `Some(None)` = retired in an unknown year; `Some(Some(y))` = retired in `y`.
    retired: Option<Option<u16>>,
    /// Former names of a current code, with the year of each renaming.
    former: Vec<(&'static str, u16)>,
}

static TABLE: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut rows: Vec<Entry> = DATA
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(parse_row)
        .collect();
    rows.sort_by_key(|e| e.value);
    rows.dedup_by_key(|e| e.value);
    rows
});

fn parse_row(line: &'static str) -> Entry {
    let mut cols = line.split('\t');
    let code = cols.next().unwrap_or_default();
    let name = cols.next().unwrap_or_default();
    let status = cols.next().unwrap_or_default();
    let former = cols.next().unwrap_or_default();
    // The table is checked by the crate's tests: a malformed row is a build-time bug.
    let value = code.parse::<u32>().expect("divisions.tsv: bad code");
    assert!(
        code.len() == 6,
        "divisions.tsv: code {code} is not 6 digits"
    );
    let retired = match status {
        "current" => None,
        "retired" => Some(None),
        s => {
            let year = s
                .strip_prefix("retired:")
                .and_then(|y| y.parse::<u16>().ok())
                .expect("divisions.tsv: bad status");
            Some(Some(year))
        }
    };
    let former = former
        .split(',')
        .filter(|f| !f.is_empty())
        .map(|f| {
            let (n, y) = f.rsplit_once('@').expect("divisions.tsv: bad former name");
            (n, y.parse().expect("divisions.tsv: bad former year"))
        })
        .collect();
    Entry {
        code,
        value,
        name,
        retired,
        former,
    }
}

fn lookup(value: u32) -> Option<&'static Entry> {
    let table: &'static [Entry] = &TABLE;
    table
        .binary_search_by_key(&value, |e| e.value)
        .ok()
        .map(|i| &table[i])
}

/// Level of an administrative division, read from the shape of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 省级 (`xx0000`).
    Province,
    /// 地级 (`xxxx00`), including the pseudo-prefecture "省直辖县级行政区划" codes.
    Prefecture,
    /// 县级 (`xxxxxx`).
    County,
}

impl Level {
    /// Chinese name of the level.
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::Prefecture => "地级",
            Level::County => "县级",
        }
    }
}

/// Why a string is not a known GB/T 2260 division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    /// Not 6 characters.
    #[error("行政区划代码长度错误：应为 6 位，实为 {got} 位")]
    WrongLength {
        /// Number of characters received.
        got: usize,
    },
    /// A character that is not an ASCII digit.
    #[error("行政区划代码第 {position} 位字符“{ch}”不合法：只能是数字")]
    BadChar {
        /// The offending character.
        ch: char,
        /// 1-based position of the character.
        position: usize,
    },
    /// Well-formed but neither a current nor a known historical code.
    #[error("行政区划代码 {code} 不存在（现行及历史代码中均未找到）")]
    Unknown {
        /// The code as given.
        code: String,
    },
}

impl DivisionError {
    /// Stable machine-readable error code.
    pub fn code(&self) -> &'static str {
        match self {
            DivisionError::WrongLength { .. } => "division.length",
            DivisionError::BadChar { .. } => "division.char",
            DivisionError::Unknown { .. } => "division.unknown",
        }
    }
}

/// A GB/T 2260 administrative division code known to the embedded table (current or historical).
///
/// Invariant: the code is one of the rows of `data/divisions.tsv`.
#[derive(Clone, Copy)]
pub struct DivisionCode(&'static Entry);

impl DivisionCode {
    /// Parses a 6-digit code; historical (retired) codes are accepted.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionError> {
        let got = s.chars().count();
        if got != 6 {
            return Err(DivisionError::WrongLength { got });
        }
        if let Some((i, ch)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(DivisionError::BadChar {
                ch,
                position: i + 1,
            });
        }
        let value: u32 = s
            .parse()
            .map_err(|_| DivisionError::Unknown { code: s.into() })?;
        lookup(value)
            .map(DivisionCode)
            .ok_or_else(|| DivisionError::Unknown { code: s.into() })
    }

    /// The 6-digit code.
    pub fn as_str(&self) -> &'static str {
        self.0.code
    }

    /// The code as a number (e.g. `340100`).
    pub fn value(&self) -> u32 {
        self.0.value
    }

    /// Chinese name (the current name, or the last name before retirement).
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// Level read from the code's shape.
    pub fn level(&self) -> Level {
        let v = self.0.value;
        if v.is_multiple_of(10_000) {
            Level::Province
        } else if v.is_multiple_of(100) {
            Level::Prefecture
        } else {
            Level::County
        }
    }

    /// Whether the code is in the current list.
    pub fn is_current(&self) -> bool {
        self.0.retired.is_none()
    }

    /// For a retired code, the year of the code list it was dropped from, if known.
    pub fn retired_in(&self) -> Option<u16> {
        self.0.retired.flatten()
    }

    /// Former names of a current code (e.g. 340111 包河区 was 郊区 until 2002), with the year of renaming.
    pub fn former_names(&self) -> impl Iterator<Item = (&'static str, u16)> + '_ {
        self.0.former.iter().copied()
    }

    /// The province-level division containing this one (itself for a province).
    pub fn province(&self) -> DivisionCode {
        let v = self.0.value / 10_000 * 10_000;
        // Every code in the table has its province in the table (checked by tests).
        lookup(v).map(DivisionCode).unwrap_or(*self)
    }

    /// The division directly above this one: for a county the prefecture (or the
    /// pseudo-prefecture for directly administered counties) if one exists, else the province.
    ///
    /// A current code's parent is always current; a retired code's parent may be retired.
    pub fn parent(&self) -> Option<DivisionCode> {
        let v = self.0.value;
        match self.level() {
            Level::Province => None,
            Level::Prefecture => Some(self.province()),
            Level::County => {
                let pref = lookup(v / 100 * 100)
                    .filter(|p| self.0.retired.is_some() || p.retired.is_none())
                    .map(DivisionCode);
                Some(pref.unwrap_or_else(|| self.province()))
            }
        }
    }

    /// Current divisions directly below this one, in code order.
    pub fn children(&self) -> impl Iterator<Item = DivisionCode> + 'static {
        let me = self.0.value;
        let (lo, hi) = match self.level() {
            Level::Province => (me, me + 10_000),
            Level::Prefecture => (me, me + 100),
            Level::County => (me, me),
        };
        current_in(lo, hi).filter(move |d| d.parent().is_some_and(|p| p.value() == me))
    }

    /// Every division in the table (current and historical), in code order.
    pub fn all() -> impl Iterator<Item = DivisionCode> {
        TABLE.iter().map(DivisionCode)
    }

    /// Every current division, in code order.
    pub fn all_current() -> impl Iterator<Item = DivisionCode> {
        Self::all().filter(DivisionCode::is_current)
    }

    /// The current province-level divisions (34, including 台湾省, 香港, 澳门), in code order.
    pub fn provinces() -> impl Iterator<Item = DivisionCode> {
        Self::all_current().filter(|d| d.level() == Level::Province)
    }
}

fn current_in(lo: u32, hi: u32) -> impl Iterator<Item = DivisionCode> {
    let table: &'static [Entry] = &TABLE;
    let start = table.partition_point(|e| e.value < lo);
    let end = table.partition_point(|e| e.value < hi);
    table[start..end]
        .iter()
        .filter(|e| e.retired.is_none())
        .map(DivisionCode)
}

/// Current prefecture- and county-level divisions of one province, in code order
/// (each prefecture followed by its counties). `province` is the 2-digit prefix (`"34"`)
/// or the 6-digit province code (`"340000"`); anything else yields nothing.
pub fn divisions_in_province(province: &str) -> impl Iterator<Item = DivisionCode> {
    let prefix = match province.len() {
        2 => province,
        6 if province.ends_with("0000") => &province[..2],
        _ => "",
    };
    let p = if prefix.bytes().all(|b| b.is_ascii_digit()) {
        prefix.parse::<u32>().ok()
    } else {
        None
    };
    let (lo, hi) = match p {
        Some(p) if (11..=99).contains(&p) => (p * 10_000 + 1, (p + 1) * 10_000),
        _ => (0, 0),
    };
    current_in(lo, hi)
}

/// Whether `prefix` (2 ASCII digits) is the code of a province-level division in the table.
pub(crate) fn is_province_prefix(prefix: &str) -> bool {
    prefix.len() == 2
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix
            .parse::<u32>()
            .ok()
            .and_then(|p| lookup(p * 10_000))
            .is_some()
}

/// Looks up a 6-digit code without building an error.
pub(crate) fn find(code: &str) -> Option<DivisionCode> {
    DivisionCode::parse(code).ok()
}

impl PartialEq for DivisionCode {
    fn eq(&self, other: &Self) -> bool {
        self.0.value == other.0.value
    }
}
impl Eq for DivisionCode {}
impl std::hash::Hash for DivisionCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.value.hash(state);
    }
}
impl PartialOrd for DivisionCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DivisionCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.value.cmp(&other.0.value)
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({} {})", self.0.code, self.0.name)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DivisionCode::parse(s)
    }
}

impl Serialize for DivisionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.code)
    }
}

impl<'de> Deserialize<'de> for DivisionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        DivisionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}
