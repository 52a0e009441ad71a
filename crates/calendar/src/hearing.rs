//! 处罚法 Art. 64 (二): "行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、
//! 地点", with Art. 85 (七日 means working days).
//!
//! Reading adopted (party-protective): the party must have **seven full working days strictly
//! between** the day the notice is served and the hearing day — neither the service day (the
//! day of an event is never counted) nor the hearing day itself counts, because a day spent at
//! the hearing is not a day to prepare for it. The catalog rule `penalty.hearing_notice`
//! (a backward working-day period) follows the same reading.

use time::Date;

use crate::CalendarError;
use crate::calendar::Calendar;
use crate::date::{date_of, index_of};

/// Working days that must lie strictly between service of the hearing notice and the hearing
/// (处罚法 Art. 64 (二), Art. 85).
pub const HEARING_NOTICE_WORKDAYS: u32 = 7;

impl Calendar {
    /// Number of working days strictly between `a` and `b` (both excluded); 0 when `b` is
    /// not at least two days after `a`.
    pub fn workdays_strictly_between(&self, a: Date, b: Date) -> Result<u32, CalendarError> {
        let (ai, bi) = (index_of(a)?, index_of(b)?);
        if bi <= ai + 1 {
            return Ok(0);
        }
        Ok(self.rank_at(bi - 1) - self.rank_at(ai))
    }

    /// Whether a hearing notice served on `served` lets the hearing be held on `hearing`:
    /// at least seven working days lie strictly between them (处罚法 Art. 64 (二)).
    pub fn hearing_notice_ok(&self, served: Date, hearing: Date) -> Result<bool, CalendarError> {
        Ok(self.workdays_strictly_between(served, hearing)? >= HEARING_NOTICE_WORKDAYS)
    }

    /// The earliest **working day** on which a hearing may be held when the notice is served
    /// on `served`: the eighth working day after it (seven full working days in between).
    pub fn earliest_hearing_day(&self, served: Date) -> Result<Date, CalendarError> {
        self.add_workdays(served, HEARING_NOTICE_WORKDAYS + 1)
    }

    /// The latest working day on which the notice for a hearing on `hearing` may be served:
    /// the working day before the seventh working day before the hearing day.
    pub fn latest_hearing_notice_day(&self, hearing: Date) -> Result<Date, CalendarError> {
        let hi = index_of(hearing)?;
        let before_hearing = self.rank_at(hi) - u32::from(self.is_workday_at(hi));
        let k = before_hearing
            .checked_sub(HEARING_NOTICE_WORKDAYS)
            .filter(|k| *k >= 1)
            .ok_or(CalendarError::YearOutOfRange {
                year: crate::MIN_YEAR - 1,
            })?;
        Ok(date_of(self.nth_workday(k)?))
    }
}
