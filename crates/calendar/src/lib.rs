//! # zhifa-calendar — official working-day calendar and statutory deadline engine
//!
//! Pure core (no I/O: data files are embedded with `include_str!`, notice text to import is
//! passed in as a string). Dates are [`time::Date`]; instants are `OffsetDateTime`, and days
//! of instants are judged in China Standard Time (UTC+8).
//!
//! ## What it knows
//! - [`Calendar`]: for every day 1901-01-01 ..= 2100-12-31, whether it is a working day
//!   and why ([`DayInfo`]). Years with a loaded State Council notice ([`Notice`], shipped
//!   for 2019–2026 in `data/notices/`) follow the notice, including make-up working days
//!   (调休上班). Other years are **provisional**: weekends plus the statutory holidays of
//!   全国年节及纪念日放假办法 in force for that year ([`StatuteRevision`]), with the
//!   statutory 补假 and without make-up days. Lunar festivals come from `icu_calendar`.
//! - Days from 24 December to 31 December also depend on the *next* year's notice (元旦
//!   arrangements reach back: 2018-12-29/30/31 were decided by the 2019 notice), so they are
//!   provisional while that notice is missing — e.g. 2026-12-28 is provisional today.
//! - [`Catalog`]: the DL-3 deadlines as data (`data/catalog.json`) with statute citations,
//!   overridable per province by [`CatalogSettings`].
//!
//! ## What it computes
//! [`Calendar::compute`] derives a [`Computed`] due date from a [`DeadlineSpec`] (anchor,
//! [`Period`], suspension ledger) — never by editing a stored date, so a resumption or a
//! notice import is just a recomputation ([`recompute_import`]; an amended notice replacing an
//! official one is accepted and reports the days and years it changed, [`ImportReport`]).
//! Rules (DL-2, DL-4):
//! - the event day is never counted; working-day periods end on the N-th working day after it;
//! - calendar-day, month and year periods end N days/months/years later (month-end clamped:
//!   01-31 + 1 month = 02-28) and, unless the rule says `keep`, move to the next working day
//!   when they end on a day off;
//! - hour periods start at the next full hour after the event (民事诉讼法 Art. 85: 期间开始的
//!   时不计算在期间内; 18:30 + 24 h = 19:00 next day) and are never extended by days off
//!   ([`hours_deadline`]);
//! - backward periods (hearing notice 7 WD before the hearing) give the latest day to act;
//!   working days are counted strictly between that day and the anchor (处罚法 Art. 64:
//!   neither the service day nor the hearing day counts; [`Calendar::hearing_notice_ok`],
//!   [`Calendar::earliest_hearing_day`], [`Calendar::latest_hearing_notice_day`]);
//! - extensions continue the same count (3 + 2 WD = 5 WD from the start);
//! - a suspension `from..=until` excludes those days (both ends) from the running period;
//!   an open suspension yields [`Due::Suspended`]. Suspension never shortens a deadline.
//!
//! Performance: a per-day table with prefix counts of working days makes "N-th working day
//! after D" O(1); a deadline with k suspensions is O(k). Building a calendar (import) is ~1 ms.
//!
//! ## Invariants
//! - Every result that looked at a day without its notice carries `provisional = true` and
//!   the notice-year range it depends on ([`Computed::depends_on_year`]).
//! - Anything outside 1901..=2100 is refused with [`CalendarError::YearOutOfRange`], never
//!   wrapped or extrapolated.
//! - Bad input (non-existent dates, negative/zero/absurd lengths, unknown units, malformed
//!   notices) is a [`CalendarError`] naming the input and the reason.
//!
//! ## What it deliberately does not do
//! - No provincial holidays (e.g. 民族自治地方 festivals) and no partial-citizen holidays
//!   (妇女节, 青年节…): they do not change working days for deadlines.
//! - It does not guess make-up days or bridge days for years without a notice, nor does it
//!   know provisional years before the two-day weekend (1995) correctly: provisional years
//!   before 2019 are computed with today's weekend and the nearest statute revision.
//! - It does not decide which rule applies to a case, nor store anything: the server does.

mod calendar;
mod catalog;
pub mod cli;
mod date;
mod error;
mod hearing;
mod holiday;
mod hours;
mod lunar;
mod notice;
mod period;
mod recompute;
mod statutory;

pub use calendar::{Calendar, DayInfo, DayKind, embedded_notices};
pub use catalog::{Catalog, CatalogSettings, Extension, Rule, RuleOverride, Trigger};
pub use cli::Explanation;
pub use date::{CST, cst_date, format_cst, parse_date, parse_instant};
pub use error::{CalendarError, NoticeErrors, NoticeIssue};
pub use hearing::HEARING_NOTICE_WORKDAYS;
pub use holiday::{Holiday, HolidaySet};
pub use hours::{hours_deadline, next_full_hour};
pub use lunar::{Festivals, festivals};
pub use notice::{NEXT_NOTICE_REACH_DAY, Notice, NoticeDay, NoticeRelation};
pub use period::{
    Anchor, Computed, DayOffRule, DeadlineSpec, Direction, Due, Period, Suspension, Unit,
    parse_length, parse_unit,
};
pub use recompute::{ImportReport, OpenDeadline, Recomputed, recompute, recompute_import};
pub use statutory::{StatuteRevision, StatutoryDay, provisional_off_days, statutory_days};

/// First year the calendar covers (provisionally).
pub const MIN_YEAR: i32 = 1901;
/// Last year the calendar covers (provisionally); the lunisolar data is verified to here.
pub const MAX_YEAR: i32 = 2100;
