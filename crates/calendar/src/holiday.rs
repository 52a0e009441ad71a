//! The seven all-citizen holidays and sets of them (a notice may name a combined break such
//! as 国庆节、中秋节).

use std::fmt;

/// An all-citizen statutory holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holiday {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl Holiday {
    pub const ALL: [Holiday; 7] = [
        Holiday::NewYear,
        Holiday::SpringFestival,
        Holiday::Qingming,
        Holiday::LabourDay,
        Holiday::DragonBoat,
        Holiday::MidAutumn,
        Holiday::NationalDay,
    ];

    /// The name used in the notices.
    pub fn name_zh(self) -> &'static str {
        match self {
            Holiday::NewYear => "元旦",
            Holiday::SpringFestival => "春节",
            Holiday::Qingming => "清明节",
            Holiday::LabourDay => "劳动节",
            Holiday::DragonBoat => "端午节",
            Holiday::MidAutumn => "中秋节",
            Holiday::NationalDay => "国庆节",
        }
    }

    /// Parses a notice name. `清明`, `端午`, `中秋`, `国庆` without 节 are accepted because
    /// notices themselves use both forms.
    pub fn from_zh(name: &str) -> Option<Holiday> {
        Holiday::ALL.into_iter().find(|h| {
            let n = h.name_zh();
            name == n || n.strip_suffix('节') == Some(name)
        })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Holiday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_zh())
    }
}

/// A set of holidays, stored as a bitmask so the per-day table stays one byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct HolidaySet(u8);

impl HolidaySet {
    pub const EMPTY: HolidaySet = HolidaySet(0);

    pub fn single(h: Holiday) -> Self {
        HolidaySet(h.bit())
    }
    pub fn insert(&mut self, h: Holiday) {
        self.0 |= h.bit();
    }
    pub fn contains(self, h: Holiday) -> bool {
        self.0 & h.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Holiday> {
        Holiday::ALL.into_iter().filter(move |h| self.contains(*h))
    }
    pub(crate) fn bits(self) -> u8 {
        self.0
    }
    pub(crate) fn from_bits(bits: u8) -> Self {
        HolidaySet(bits & 0x7f)
    }
}

impl fmt::Display for HolidaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for h in self.iter() {
            if !first {
                f.write_str("、")?;
            }
            first = false;
            f.write_str(h.name_zh())?;
        }
        Ok(())
    }
}
