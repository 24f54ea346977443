//! The working calendar (工作日历): deadlines in working hours or working
//! days count only the working periods of working days. A working day is a
//! weekday that is not a holiday, or a weekend day worked in exchange
//! (调休). One working day is the length of a day's working periods.

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use std::collections::BTreeSet;

const MINUTE: i64 = 60_000;
const DAY_MIN: u32 = 24 * 60;
/// A deadline further than this finds no working time: a broken calendar,
/// refused when the configuration is loaded.
const MAX_DAYS: u32 = 3660;

/// The calendar of a street.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    offset: chrono::FixedOffset,
    /// Working periods of a day, minutes since local midnight, sorted and
    /// disjoint.
    periods: Vec<(u32, u32)>,
    weekend: Vec<Weekday>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The street's time zone.
    pub fn offset(&self) -> chrono::FixedOffset {
        self.offset
    }

    /// A calendar; `periods` as minutes since midnight (checked by the
    /// configuration loader: sorted, disjoint, non-empty).
    pub fn new(
        utc_offset_hours: i32,
        periods: Vec<(u32, u32)>,
        weekend: Vec<Weekday>,
        holidays: BTreeSet<NaiveDate>,
        workdays: BTreeSet<NaiveDate>,
    ) -> Result<WorkingCalendar, String> {
        let offset = chrono::FixedOffset::east_opt(utc_offset_hours * 3600)
            .ok_or_else(|| format!("utc_offset_hours {utc_offset_hours} is out of range"))?;
        if periods.is_empty() {
            return Err("work_periods is empty".into());
        }
        let mut last = 0;
        for &(s, e) in &periods {
            if s >= e || e > DAY_MIN || s < last {
                return Err(
                    "work_periods must be sorted, disjoint, and each start before its end".into(),
                );
            }
            last = e;
        }
        if weekend.len() >= 7 {
            return Err("the weekend leaves no working day".into());
        }
        Ok(WorkingCalendar {
            offset,
            periods,
            weekend,
            holidays,
            workdays,
        })
    }

    /// Working minutes in a working day.
    pub fn day_minutes(&self) -> i64 {
        self.periods.iter().map(|(s, e)| i64::from(e - s)).sum()
    }

    /// Is `date` a working day?
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !self.weekend.contains(&date.weekday())
    }

    fn local_date(&self, ms: i64) -> NaiveDate {
        self.offset
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| t.date_naive())
            .unwrap_or_default()
    }

    /// Local midnight of `date` (ms since the epoch): where a period given
    /// in dates starts.
    pub fn midnight_ms(&self, date: NaiveDate) -> i64 {
        let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        naive.and_utc().timestamp_millis() - i64::from(self.offset.local_minus_utc()) * 1000
    }

    /// The moment `minutes` of working time after `from` (ms since the
    /// epoch). Time outside working periods does not count.
    pub fn add_working_minutes(&self, from: i64, minutes: i64) -> i64 {
        let mut left = minutes.max(0) * MINUTE;
        let mut date = self.local_date(from);
        for _ in 0..MAX_DAYS {
            if self.is_working_day(date) {
                let midnight = self.midnight_ms(date);
                for &(s, e) in &self.periods {
                    let start = (midnight + i64::from(s) * MINUTE).max(from);
                    let end = midnight + i64::from(e) * MINUTE;
                    if start >= end {
                        continue;
                    }
                    if left <= end - start {
                        return start + left;
                    }
                    left -= end - start;
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        from + minutes * MINUTE
    }

    /// The deadline of a time limit counted from `from`.
    pub fn deadline(&self, from: i64, limit: paidan_core::catalog::TimeLimit) -> i64 {
        use paidan_core::catalog::DeadlineUnit;
        let minutes = match limit.unit {
            DeadlineUnit::WorkingHours => i64::from(limit.amount) * 60,
            DeadlineUnit::WorkingDays => i64::from(limit.amount) * self.day_minutes(),
        };
        self.add_working_minutes(from, minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 阜新街道's demo calendar: 10:00-14:00 and 15:30-19:30, Beijing time.
    fn cal() -> WorkingCalendar {
        WorkingCalendar::new(
            8,
            vec![(600, 840), (930, 1170)],
            vec![Weekday::Sat, Weekday::Sun],
            [NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()].into(),
            [NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()].into(),
        )
        .unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn four_working_hours_skip_the_lunch_break() {
        // Tuesday 2026-12-01, reported at 12:00: 2 h before lunch, 2 h after.
        assert_eq!(
            cal().add_working_minutes(at(2026, 12, 1, 12, 0), 240),
            at(2026, 12, 1, 17, 30)
        );
    }

    #[test]
    fn a_report_in_the_evening_counts_from_the_next_morning() {
        assert_eq!(
            cal().add_working_minutes(at(2026, 12, 1, 21, 0), 60),
            at(2026, 12, 2, 11, 0)
        );
    }

    #[test]
    fn friday_afternoon_runs_into_monday() {
        // Friday 2026-12-04 at 19:00: 30 minutes left that day, 90 on Monday.
        assert_eq!(
            cal().add_working_minutes(at(2026, 12, 4, 19, 0), 120),
            at(2026, 12, 7, 11, 30)
        );
    }

    #[test]
    fn holidays_do_not_count_and_exchanged_saturdays_do() {
        // Wednesday 2026-09-30 19:30 + 1 h: 10-01 is a holiday, 10-02 a Friday.
        assert_eq!(
            cal().add_working_minutes(at(2026, 9, 30, 19, 30), 60),
            at(2026, 10, 2, 11, 0)
        );
        // Friday 2026-10-09 19:30 + 1 h: Saturday 10-10 is worked.
        assert_eq!(
            cal().add_working_minutes(at(2026, 10, 9, 19, 30), 60),
            at(2026, 10, 10, 11, 0)
        );
    }

    #[test]
    fn twenty_working_days_are_four_weeks_without_holidays() {
        let limit = paidan_core::catalog::TimeLimit {
            amount: 20,
            unit: paidan_core::catalog::DeadlineUnit::WorkingDays,
        };
        // Monday 2026-11-02 at 10:00 + 20 days of 8 h: Friday 2026-11-27 19:30.
        assert_eq!(
            cal().deadline(at(2026, 11, 2, 10, 0), limit),
            at(2026, 11, 27, 19, 30)
        );
    }

    #[test]
    fn a_calendar_without_working_days_is_refused() {
        use Weekday::*;
        let err = WorkingCalendar::new(
            8,
            vec![(600, 840)],
            vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun],
            BTreeSet::new(),
            BTreeSet::new(),
        )
        .unwrap_err();
        assert!(err.contains("no working day"), "{err}");
    }
}
