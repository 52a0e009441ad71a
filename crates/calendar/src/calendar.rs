//! The working-day calendar: a dense per-day table for 1901..=2100 with prefix counts of
//! working days, so "the N-th working day after D" is two array reads.

use std::sync::{Arc, OnceLock};

use time::{Date, Month};

use crate::date::{DAYS, date_of, index_of, is_weekend};
use crate::notice::NEXT_NOTICE_REACH_DAY;
use crate::statutory::{StatuteRevision, provisional_off_days};
use crate::{CalendarError, HolidaySet, MAX_YEAR, MIN_YEAR, Notice};

const YEARS: usize = (MAX_YEAR - MIN_YEAR + 1) as usize;

/// Why a day is a working day or a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A day off arranged by a loaded notice.
    Holiday,
    /// A weekend day made a working day by a loaded notice (调休上班).
    MakeupWorkday,
    /// A statutory holiday in a year without a notice (provisional).
    StatutoryHoliday,
    /// A statutory compensatory day off (补假) in a year without a notice (provisional).
    Compensatory,
}

impl DayKind {
    fn code(self) -> u16 {
        self as u16
    }
    fn from_code(c: u16) -> Self {
        match c & 0x7 {
            0 => DayKind::Workday,
            1 => DayKind::Weekend,
            2 => DayKind::Holiday,
            3 => DayKind::MakeupWorkday,
            4 => DayKind::StatutoryHoliday,
            _ => DayKind::Compensatory,
        }
    }
    /// Whether this kind of day is a working day.
    pub fn is_workday(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

fn pack(kind: DayKind, holidays: HolidaySet) -> u16 {
    kind.code() | ((holidays.bits() as u16) << 3)
}

/// Everything known about one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayInfo<'a> {
    pub date: Date,
    pub workday: bool,
    pub kind: DayKind,
    /// Holidays the day belongs to (off day or make-up day), empty for ordinary days.
    pub holidays: HolidaySet,
    /// `true` when a notice that may decide this day is not loaded.
    pub provisional: bool,
    /// The notice that decided the day (its first document number), if any.
    pub document: Option<&'a str>,
}

impl DayInfo<'_> {
    /// Human-readable reason, Chinese names, e.g. `国庆节 休息（国办发明电〔2025〕7号）`.
    pub fn reason(&self) -> String {
        let wd = crate::date::weekday_zh(self.date);
        match self.kind {
            DayKind::Workday => format!("{wd} 工作日"),
            DayKind::Weekend => format!("{wd} 休息日"),
            DayKind::Holiday => format!(
                "{} 放假（{}）",
                self.holidays,
                self.document.unwrap_or("通知")
            ),
            DayKind::MakeupWorkday => format!(
                "{wd} {} 调休上班（{}）",
                self.holidays,
                self.document.unwrap_or("通知")
            ),
            DayKind::StatutoryHoliday => format!(
                "{} 法定节假日（暂定：{}，{}年放假通知未载入）",
                self.holidays,
                StatuteRevision::for_year(self.date.year()).citation(),
                self.date.year()
            ),
            DayKind::Compensatory => format!(
                "{} 补假（暂定：{}第六条，{}年放假通知未载入）",
                self.holidays,
                StatuteRevision::for_year(self.date.year()).citation(),
                self.date.year()
            ),
        }
    }
}

/// The provisional table for all years (statutes only), computed once per process because it
/// does not depend on which notices are loaded.
fn provisional_base() -> &'static [u16] {
    static BASE: OnceLock<Vec<u16>> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut days: Vec<u16> = (0..DAYS)
            .map(|i| {
                if is_weekend(date_of(i)) {
                    pack(DayKind::Weekend, HolidaySet::EMPTY)
                } else {
                    pack(DayKind::Workday, HolidaySet::EMPTY)
                }
            })
            .collect();
        for year in MIN_YEAR..=MAX_YEAR {
            // Every year in range has lunar data; a failure here would be a bug in the
            // lunisolar tables, caught by the tests over 1901..=2100.
            let Ok(list) = provisional_off_days(year) else {
                continue;
            };
            for d in list {
                if let Ok(i) = index_of(d.date) {
                    let kind = if d.compensatory {
                        DayKind::Compensatory
                    } else {
                        DayKind::StatutoryHoliday
                    };
                    days[i] = pack(kind, HolidaySet::single(d.holiday));
                }
            }
        }
        days
    })
}

/// The official working-day calendar. Immutable: importing a notice builds a new calendar
/// ([`Calendar::with_notice`]), so readers never see a half-updated table.
#[derive(Clone)]
pub struct Calendar {
    notices: Vec<Option<Arc<Notice>>>,
    /// Per day: kind (3 bits) | holiday set (7 bits) << 3.
    days: Vec<u16>,
    /// Per day: which loaded notice (year offset + 1) decided it, 0 = none.
    decided_by: Vec<u8>,
    /// rank[i] = number of working days in 0..=i.
    rank: Vec<u32>,
    /// Indices of working days in order: workdays[k] is the (k+1)-th working day.
    workdays: Vec<u32>,
}

impl std::fmt::Debug for Calendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Calendar")
            .field("loaded_years", &self.loaded_years())
            .finish()
    }
}

const EMBEDDED: &[&str] = &[
    include_str!("../data/notices/2019.notice"),
    include_str!("../data/notices/2020.notice"),
    include_str!("../data/notices/2021.notice"),
    include_str!("../data/notices/2022.notice"),
    include_str!("../data/notices/2023.notice"),
    include_str!("../data/notices/2024.notice"),
    include_str!("../data/notices/2025.notice"),
    include_str!("../data/notices/2026.notice"),
];

/// The notices shipped with the crate (2019–2026), parsed.
pub fn embedded_notices() -> Vec<Notice> {
    EMBEDDED
        .iter()
        // The shipped files are validated by the test suite; a failure is a packaging bug.
        .map(|t| Notice::parse(t).unwrap_or_else(|e| panic!("embedded notice invalid: {e}")))
        .collect()
}

impl Calendar {
    /// The calendar with the shipped notices (2019–2026); everything else provisional.
    pub fn embedded() -> Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            Calendar::from_notices(embedded_notices())
                .unwrap_or_else(|e| panic!("embedded notices inconsistent: {e}"))
        })
        .clone()
    }

    /// A calendar with exactly these notices (no shipped data): every other year provisional.
    pub fn from_notices(
        notices: impl IntoIterator<Item = Notice>,
    ) -> Result<Calendar, CalendarError> {
        let mut slots: Vec<Option<Arc<Notice>>> = vec![None; YEARS];
        for n in notices {
            let slot = &mut slots[(n.year - MIN_YEAR) as usize];
            if slot.is_some() {
                return Err(CalendarError::DuplicateNotice { year: n.year });
            }
            *slot = Some(Arc::new(n));
        }
        Ok(Self::build(slots))
    }

    /// A new calendar with `notice` loaded, replacing any notice for the same year (an amended
    /// notice is imported whole). Cheap enough (~1 ms) to call on every import.
    pub fn with_notice(&self, notice: Notice) -> Calendar {
        let mut slots = self.notices.clone();
        let slot = (notice.year - MIN_YEAR) as usize;
        slots[slot] = Some(Arc::new(notice));
        Self::build(slots)
    }

    fn build(notices: Vec<Option<Arc<Notice>>>) -> Calendar {
        let mut days = provisional_base().to_vec();
        let mut decided_by = vec![0u8; DAYS];
        // Loaded years: ordinary weekdays/weekends, then the notice's own-year entries.
        for (slot, n) in notices.iter().enumerate() {
            let Some(n) = n else { continue };
            let year = n.year;
            let (Ok(a), Ok(b)) = (
                index_of(date_of_ymd(year, Month::January, 1)),
                index_of(date_of_ymd(year, Month::December, 31)),
            ) else {
                continue;
            };
            for (i, d) in days.iter_mut().enumerate().take(b + 1).skip(a) {
                let kind = if is_weekend(date_of(i)) {
                    DayKind::Weekend
                } else {
                    DayKind::Workday
                };
                *d = pack(kind, HolidaySet::EMPTY);
            }
            for e in n.days.iter().filter(|e| e.date.year() == year) {
                if let Ok(i) = index_of(e.date) {
                    days[i] = entry_code(e);
                    decided_by[i] = slot as u8 + 1;
                }
            }
        }
        // Then entries reaching back into the previous December (元旦), which override both
        // a loaded and a provisional previous year.
        for (slot, n) in notices.iter().enumerate() {
            let Some(n) = n else { continue };
            for e in n.days.iter().filter(|e| e.date.year() != n.year) {
                if let Ok(i) = index_of(e.date) {
                    days[i] = entry_code(e);
                    decided_by[i] = slot as u8 + 1;
                }
            }
        }
        let mut rank = Vec::with_capacity(DAYS);
        let mut workdays = Vec::with_capacity(DAYS * 5 / 7 + 16);
        let mut count = 0u32;
        for (i, &d) in days.iter().enumerate() {
            if DayKind::from_code(d).is_workday() {
                count += 1;
                workdays.push(i as u32);
            }
            rank.push(count);
        }
        Calendar {
            notices,
            days,
            decided_by,
            rank,
            workdays,
        }
    }

    /// The loaded notice for `year`.
    pub fn notice(&self, year: i32) -> Option<&Notice> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        self.notices[(year - MIN_YEAR) as usize].as_deref()
    }

    /// Years with a loaded notice, ascending.
    pub fn loaded_years(&self) -> Vec<i32> {
        self.notices
            .iter()
            .flatten()
            .map(|n| n.year)
            .collect::<Vec<_>>()
    }

    /// Whether `year`'s notice is missing (its days are computed from the statutes only).
    /// Years outside the supported range count as provisional.
    pub fn is_provisional_year(&self, year: i32) -> bool {
        self.notice(year).is_none()
    }

    /// Whether `date` is provisional: its own year's notice is missing, or it lies in the
    /// last days of December and next year's notice (which may move 元旦 into December) is.
    pub fn is_provisional(&self, date: Date) -> bool {
        self.is_provisional_year(date.year())
            || (date.month() == Month::December
                && date.day() >= NEXT_NOTICE_REACH_DAY
                && self.is_provisional_year(date.year() + 1))
    }

    /// Everything known about `date`.
    pub fn day(&self, date: Date) -> Result<DayInfo<'_>, CalendarError> {
        let i = index_of(date)?;
        Ok(self.day_at(i))
    }

    pub(crate) fn day_at(&self, i: usize) -> DayInfo<'_> {
        let date = date_of(i);
        let code = self.days[i];
        let kind = DayKind::from_code(code);
        let document = match self.decided_by[i] {
            0 => None,
            s => self.notices[s as usize - 1]
                .as_deref()
                .map(Notice::document),
        };
        DayInfo {
            date,
            workday: kind.is_workday(),
            kind,
            holidays: HolidaySet::from_bits((code >> 3) as u8),
            provisional: self.is_provisional(date),
            document,
        }
    }

    /// Whether `date` is a working day (see [`Calendar::day`] for the provisional flag).
    pub fn is_workday(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.is_workday_at(index_of(date)?))
    }

    #[inline]
    pub(crate) fn is_workday_at(&self, i: usize) -> bool {
        DayKind::from_code(self.days[i]).is_workday()
    }

    /// Number of working days in `0..=i`.
    #[inline]
    pub(crate) fn rank_at(&self, i: usize) -> u32 {
        self.rank[i]
    }

    /// Index of the `k`-th working day overall (1-based), or out of range.
    #[inline]
    pub(crate) fn nth_workday(&self, k: u32) -> Result<usize, CalendarError> {
        if k == 0 {
            return Err(CalendarError::YearOutOfRange { year: MIN_YEAR - 1 });
        }
        self.workdays
            .get(k as usize - 1)
            .map(|&i| i as usize)
            .ok_or(CalendarError::YearOutOfRange { year: MAX_YEAR + 1 })
    }

    /// The `n`-th working day strictly after `date` (the event day is never counted).
    pub fn add_workdays(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let i = index_of(date)?;
        let k = self.rank[i]
            .checked_add(n)
            .ok_or(CalendarError::YearOutOfRange { year: MAX_YEAR + 1 })?;
        Ok(date_of(self.nth_workday(k)?))
    }

    /// The `n`-th working day strictly before `date`.
    pub fn sub_workdays(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let i = index_of(date)?;
        // Working days strictly before i: rank[i] minus i itself if it is one.
        let before = self.rank[i] - u32::from(self.is_workday_at(i));
        let k = (before + 1)
            .checked_sub(n)
            .filter(|k| *k >= 1)
            .ok_or(CalendarError::YearOutOfRange { year: MIN_YEAR - 1 })?;
        Ok(date_of(self.nth_workday(k)?))
    }

    /// Number of working days in the half-open range `(from, to]`.
    pub fn workdays_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let (a, b) = (index_of(from)?, index_of(to)?);
        Ok(self.rank[b].saturating_sub(self.rank[a]))
    }

    /// `date` itself if it is a working day, else the next working day.
    pub fn next_workday_on_or_after(&self, date: Date) -> Result<Date, CalendarError> {
        let i = index_of(date)?;
        let k = self.rank[i] + u32::from(!self.is_workday_at(i));
        Ok(date_of(self.nth_workday(k)?))
    }

    /// `date` itself if it is a working day, else the previous working day.
    pub fn previous_workday_on_or_before(&self, date: Date) -> Result<Date, CalendarError> {
        let i = index_of(date)?;
        Ok(date_of(self.nth_workday(self.rank[i])?))
    }

    /// The notice years a computation examining `from..=to` depends on, and whether any of
    /// them is provisional. Late-December days also depend on the next year's notice.
    pub fn dependence(&self, from: Date, to: Date) -> (i32, i32, bool) {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let first = from.year();
        let mut last = to.year();
        if to.month() == Month::December && to.day() >= NEXT_NOTICE_REACH_DAY {
            last += 1;
        }
        let provisional = (first..=last).any(|y| self.is_provisional_year(y));
        (first, last, provisional)
    }
}

fn entry_code(e: &crate::NoticeDay) -> u16 {
    let kind = if e.off {
        DayKind::Holiday
    } else {
        DayKind::MakeupWorkday
    };
    pack(kind, e.holidays)
}

fn date_of_ymd(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn basic_days() {
        let cal = Calendar::embedded();
        let d = cal.day(date!(2026 - 10 - 01)).unwrap();
        assert!(!d.workday);
        assert_eq!(d.kind, DayKind::Holiday);
        assert_eq!(d.document, Some("国办发明电〔2025〕7号"));
        assert!(!d.provisional);
        let d = cal.day(date!(2026 - 10 - 10)).unwrap();
        assert!(d.workday);
        assert_eq!(d.kind, DayKind::MakeupWorkday);
        // 2018-12-29 was a make-up Saturday decided by the 2019 notice.
        let d = cal.day(date!(2018 - 12 - 29)).unwrap();
        assert!(d.workday);
        assert_eq!(d.document, Some("国办发明电〔2018〕15号"));
        // 2027 has no notice.
        let d = cal.day(date!(2027 - 01 - 01)).unwrap();
        assert!(!d.workday && d.provisional);
        assert_eq!(d.kind, DayKind::StatutoryHoliday);
        // Late December 2026 waits for the 2027 notice; earlier December does not.
        assert!(cal.day(date!(2026 - 12 - 28)).unwrap().provisional);
        assert!(!cal.day(date!(2026 - 12 - 23)).unwrap().provisional);
    }

    #[test]
    fn workday_arithmetic() {
        let cal = Calendar::embedded();
        assert_eq!(
            cal.add_workdays(date!(2026 - 09 - 30), 7).unwrap(),
            date!(2026 - 10 - 15)
        );
        assert_eq!(
            cal.sub_workdays(date!(2026 - 10 - 15), 7).unwrap(),
            date!(2026 - 09 - 30)
        );
        assert_eq!(
            cal.next_workday_on_or_after(date!(2026 - 10 - 01)).unwrap(),
            date!(2026 - 10 - 08)
        );
        assert_eq!(
            cal.previous_workday_on_or_before(date!(2026 - 10 - 04))
                .unwrap(),
            date!(2026 - 09 - 30)
        );
        assert!(matches!(
            cal.add_workdays(date!(2100 - 12 - 20), 30),
            Err(CalendarError::YearOutOfRange { year: 2101 })
        ));
        assert!(matches!(
            cal.sub_workdays(date!(1901 - 01 - 10), 30),
            Err(CalendarError::YearOutOfRange { year: 1900 })
        ));
    }
}
