//! Periods counted in hours (REC-4: AV files within 24 hours).
//!
//! 民事诉讼法 Art. 85 (applied by analogy; 处罚法 has no rule of its own): "期间以时、日、月、
//! 年计算。期间开始的时和日，不计算在期间内。" The hour in which the event happens is not
//! counted, just as the event day is not counted for day periods: counting starts at the next
//! full hour. A file recorded at 18:30 with 24 hours is due at 19:00 the next day.
//!
//! An event exactly on the hour (18:00:00) is treated the same way: the hour 18:00–19:00 is
//! the hour in which it occurs, so counting starts at 19:00 and 24 hours end at 19:00 the next
//! day. This is the reading that never shortens the period (a minute-precise record cannot
//! tell 18:00:00 from 18:00:00.4), and it mirrors a day period whose event is at 00:00.
//!
//! Hours are never extended by days off (a 24-hour upload duty runs over a holiday).

use time::{Duration, OffsetDateTime, Time};

use crate::CalendarError;
use crate::date::{CST, cst_date, index_of};

/// The first full hour after `instant`, in China Standard Time (whose offset is whole hours,
/// so "full hour" is the same in UTC). An instant exactly on the hour still moves to the next
/// hour: the hour in which the event occurs is not counted.
pub fn next_full_hour(instant: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
    let t = instant.to_offset(CST);
    let hour_start =
        t.replace_time(Time::from_hms(t.hour(), 0, 0).expect("an hour of a valid time is valid"));
    hour_start
        .checked_add(Duration::HOUR)
        .ok_or(CalendarError::YearOutOfRange {
            year: crate::MAX_YEAR + 1,
        })
}

/// The instant an `hours`-hour period started by an event at `start` ends (DL-3, REC-4):
/// [`next_full_hour`]`(start) + hours`, returned in China Standard Time. The duty is met when
/// the act happens at or before the returned instant.
///
/// Errors: `hours == 0` ([`CalendarError::ZeroPeriod`]), and a result outside the calendar's
/// range ([`CalendarError::YearOutOfRange`]).
pub fn hours_deadline(start: OffsetDateTime, hours: u32) -> Result<OffsetDateTime, CalendarError> {
    if hours == 0 {
        return Err(CalendarError::ZeroPeriod { unit: "hours" });
    }
    let due = next_full_hour(start)?
        .checked_add(Duration::hours(i64::from(hours)))
        .ok_or(CalendarError::YearOutOfRange {
            year: crate::MAX_YEAR + 1,
        })?;
    index_of(cst_date(due))?;
    Ok(due)
}
