//! A proleptic Gregorian calendar date, the reference date of every check.
//!
//! dancu keeps its own small date type so the core has no clock or time-zone
//! dependency: callers pass the date they mean ("on which day is this ID
//! checked?") and [`CalendarDate::today_in_vietnam`] is the only place that
//! reads the system clock.

use std::fmt;
use std::str::FromStr;

/// A valid calendar date between year 1000 and 9999.
///
/// ```
/// use dancu_core::CalendarDate;
/// let d: CalendarDate = "2025-07-01".parse().unwrap();
/// assert_eq!((d.year(), d.month(), d.day()), (2025, 7, 1));
/// assert_eq!(d.to_string(), "2025-07-01");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date could not be built or parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not `YYYY-MM-DD`.
    #[error("expected a date as YYYY-MM-DD")]
    Format,
    /// The year is outside 1000..=9999.
    #[error("year {0} is outside 1000..=9999")]
    YearOutOfRange(u32),
    /// The month is not 1..=12.
    #[error("month {0} is not between 1 and 12")]
    MonthOutOfRange(u32),
    /// The day does not exist in that month.
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    DayOutOfRange {
        /// The year.
        year: u16,
        /// The month.
        month: u8,
        /// The offending day.
        day: u32,
    },
}

/// Whether `year` is a Gregorian leap year.
#[must_use]
pub const fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Number of days in `month` (1..=12) of `year`; 0 for an invalid month.
#[must_use]
pub const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CalendarDate {
    /// Builds a date from its parts.
    ///
    /// # Errors
    ///
    /// When the year is outside 1000..=9999, the month outside 1..=12, or
    /// the day does not exist in that month.
    pub fn new(year: u32, month: u32, day: u32) -> Result<Self, DateError> {
        let year = check_year(year)?;
        let month = check_month(month)?;
        let last = u32::from(days_in_month(year, month));
        if day == 0 || day > last {
            return Err(DateError::DayOutOfRange { year, month, day });
        }
        // `day <= 31` was checked above.
        Ok(Self {
            year,
            month,
            day: day as u8,
        })
    }

    /// The year (1000..=9999).
    #[must_use]
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month (1..=12).
    #[must_use]
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1..=31).
    #[must_use]
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    #[must_use]
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "year 1000..=9999, month 1..=12, day 1..=31 (private fields, checked by `new`): \
                  every intermediate is below 4 million"
    )]
    pub fn to_unix_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    ///
    /// # Errors
    ///
    /// When the result falls outside years 1000..=9999.
    pub fn from_unix_days(days: i64) -> Result<Self, DateError> {
        // About 3 billion years either side of 1970: far outside the range,
        // and small enough for the arithmetic below never to overflow.
        const LIMIT: u64 = 1 << 40;
        if days.unsigned_abs() > LIMIT {
            return Err(DateError::YearOutOfRange(if days < 0 {
                0
            } else {
                u32::MAX
            }));
        }
        Self::from_bounded_unix_days(days)
    }

    /// [`Self::from_unix_days`] for `|days| <= 2^40`.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "|days| <= 2^40 (checked by the caller): every intermediate stays below 2^50"
    )]
    fn from_bounded_unix_days(days: i64) -> Result<Self, DateError> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = u32::try_from(year).map_err(|_| DateError::YearOutOfRange(0))?;
        // month and day are within range by construction.
        Self::new(year, month as u32, day as u32)
    }

    /// The date `n` days later (earlier when negative).
    ///
    /// # Errors
    ///
    /// When the result falls outside years 1000..=9999.
    pub fn add_days(self, n: i64) -> Result<Self, DateError> {
        match self.to_unix_days().checked_add(n) {
            Some(days) => Self::from_unix_days(days),
            None => Err(DateError::YearOutOfRange(if n < 0 { 0 } else { u32::MAX })),
        }
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    #[must_use]
    pub fn weekday_from_monday(self) -> u8 {
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        // `to_unix_days` is within ±3 million: adding 3 cannot wrap.
        self.to_unix_days().wrapping_add(3).rem_euclid(7) as u8
    }

    /// Today's date in Vietnam (UTC+7, no daylight saving), read from the
    /// system clock.
    #[must_use]
    pub fn today_in_vietnam() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let days = secs.saturating_add(7 * 3600) / 86_400;
        // A system clock before year 1000 or after 9999 is not a real
        // clock; fall back to the epoch rather than panic.
        Self::from_unix_days(i64::try_from(days).unwrap_or(0)).unwrap_or(Self {
            year: 1970,
            month: 1,
            day: 1,
        })
    }
}

pub(crate) fn check_year(year: u32) -> Result<u16, DateError> {
    if (1000..=9999).contains(&year) {
        Ok(year as u16)
    } else {
        Err(DateError::YearOutOfRange(year))
    }
}

pub(crate) fn check_month(month: u32) -> Result<u8, DateError> {
    if (1..=12).contains(&month) {
        Ok(month as u8)
    } else {
        Err(DateError::MonthOutOfRange(month))
    }
}

/// Parses a run of ASCII digits (at most 9) into a number.
pub(crate) fn parse_digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    // At most 9 digits: below 10^9, so the wrapping operations never wrap.
    s.iter().try_fold(0u32, |acc, &b| {
        let digit = b.is_ascii_digit().then(|| digit_value(b))?;
        Some(acc.wrapping_mul(10).wrapping_add(u32::from(digit)))
    })
}

/// The value of an ASCII digit (`b'7'` → 7). Callers check
/// `is_ascii_digit` first; any other byte gives some value above 9 (it
/// wraps), never a panic.
#[inline]
pub(crate) const fn digit_value(b: u8) -> u8 {
    b.wrapping_sub(b'0')
}

impl FromStr for CalendarDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format);
        }
        let (Some(y), Some(m), Some(d)) = (
            parse_digits(&b[..4]),
            parse_digits(&b[5..7]),
            parse_digits(&b[8..]),
        ) else {
            return Err(DateError::Format);
        };
        Self::new(y, m, d)
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

crate::serde_via_str!(CalendarDate, "a date as YYYY-MM-DD");

/// An instant as milliseconds since 1970-01-01T00:00:00Z, shown in RFC 3339
/// (`2026-11-27T08:00:00.000Z`). Used for audit times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    #[must_use]
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// The current time from the system clock.
    #[must_use]
    pub fn now() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Self(ms)
    }

    /// The UTC calendar date of this instant.
    #[must_use]
    pub fn date_utc(self) -> Option<CalendarDate> {
        CalendarDate::from_unix_days(self.0.div_euclid(86_400_000)).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (h, m, s, ms) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        match self.date_utc() {
            Some(d) => write!(f, "{d}T{h:02}:{m:02}:{s:02}.{ms:03}Z"),
            None => write!(f, "@{}ms", self.0),
        }
    }
}

/// An instant that is neither RFC 3339 nor a `YYYY-MM-DD` date
/// ([`Timestamp::parse_instant`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not RFC 3339 (2026-11-27T08:00:00Z) or YYYY-MM-DD")]
pub struct InstantError {
    /// The text, cut to 40 characters.
    input: String,
}

const DAY_MS: i64 = 86_400_000;
/// Vietnam is UTC+7 all year.
const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;

impl Timestamp {
    /// Reads RFC 3339 (`2026-11-27T08:00:00Z`, `2026-11-27T15:00:00+07:00`,
    /// fractions of a second allowed, a leap second read as `:59`) or a
    /// date, which means the start of that day in Vietnam — or, with
    /// `end_of_range`, the start of the next day (so that a range of dates
    /// includes its last day).
    ///
    /// # Errors
    ///
    /// [`InstantError`] for anything else.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "every number is bounded before use: a date of years 1000..=9999 (|days| < 3 \
                  million), hours <= 23, minutes and seconds <= 59, an offset <= 23:59, at most \
                  3 fraction digits; `s.len() - 5` only once the 6-byte offset has matched"
    )]
    pub fn parse_instant(input: &str, end_of_range: bool) -> Result<Self, InstantError> {
        let s = input.trim();
        let bad = || InstantError {
            input: s.chars().take(40).collect(),
        };
        let date = |t: &str| -> Result<CalendarDate, InstantError> { t.parse().map_err(|_| bad()) };
        if s.len() == 10 {
            let day = date(s)?;
            let day = if end_of_range {
                day.add_days(1).map_err(|_| bad())?
            } else {
                day
            };
            return Ok(Self(day.to_unix_days() * DAY_MS - VIETNAM_OFFSET_MS));
        }
        let b = s.as_bytes();
        if b.len() < 20
            || !s.is_char_boundary(10)
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad());
        }
        let day = date(&s[..10])?;
        let num = |r: std::ops::Range<usize>, max: i64| -> Result<i64, InstantError> {
            let t = s.get(r).ok_or_else(bad)?;
            if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let n: i64 = t.parse().map_err(|_| bad())?;
            if n > max { Err(bad()) } else { Ok(n) }
        };
        let (h, m, sec) = (num(11..13, 23)?, num(14..16, 59)?, num(17..19, 60)?.min(59));
        let mut rest = s.get(19..).ok_or_else(bad)?;
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            for (i, c) in frac.bytes().take(3).take(digits).enumerate() {
                millis += i64::from(digit_value(c)) * [100, 10, 1][i];
            }
            rest = &frac[digits..];
        }
        let offset_min = match rest.as_bytes() {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let oh = num(s.len() - 5..s.len() - 3, 23)?;
                let om = num(s.len() - 2..s.len(), 59)?;
                let o = oh * 60 + om;
                if *sign == b'-' { -o } else { o }
            }
            _ => return Err(bad()),
        };
        Ok(Self(
            day.to_unix_days() * DAY_MS + ((h * 60 + m - offset_min) * 60 + sec) * 1000 + millis,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert!("2024-02-29".parse::<CalendarDate>().is_ok());
        assert_eq!(
            "2023-02-29".parse::<CalendarDate>(),
            Err(DateError::DayOutOfRange {
                year: 2023,
                month: 2,
                day: 29
            })
        );
        assert_eq!(
            "2023-13-01".parse::<CalendarDate>(),
            Err(DateError::MonthOutOfRange(13))
        );
        assert_eq!("2023-1-01".parse::<CalendarDate>(), Err(DateError::Format));
        assert_eq!(
            "２023-01-01".parse::<CalendarDate>(),
            Err(DateError::Format)
        );
    }

    #[test]
    fn unix_days_round_trip() {
        let epoch = CalendarDate::new(1970, 1, 1).unwrap();
        assert_eq!(epoch.to_unix_days(), 0);
        let d = CalendarDate::new(2025, 7, 1).unwrap();
        assert_eq!(CalendarDate::from_unix_days(d.to_unix_days()), Ok(d));
        assert_eq!(d.weekday_from_monday(), 1); // a Tuesday
        for n in [-300_000i64, -1, 0, 1, 59, 60, 20_000, 2_000_000] {
            let d = CalendarDate::from_unix_days(n).unwrap();
            assert_eq!(d.to_unix_days(), n);
        }
    }

    #[test]
    fn timestamps_in_rfc3339() {
        assert_eq!(
            Timestamp::from_unix_millis(0).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(1_795_737_600_123).to_string(),
            "2026-11-27T00:00:00.123Z"
        );
    }

    #[test]
    fn day_counts_out_of_range_are_errors_not_overflows() {
        // `to_unix_days() + n` and `days + 719_468` overflowed.
        let d = CalendarDate::new(2024, 2, 28).unwrap();
        assert_eq!(
            d.add_days(i64::MAX),
            Err(DateError::YearOutOfRange(u32::MAX))
        );
        assert_eq!(d.add_days(i64::MIN), Err(DateError::YearOutOfRange(0)));
        for days in [i64::MAX, i64::MAX - 719_467, 1 << 41] {
            assert_eq!(
                CalendarDate::from_unix_days(days),
                Err(DateError::YearOutOfRange(u32::MAX))
            );
        }
        for days in [i64::MIN, -(1 << 41)] {
            assert_eq!(
                CalendarDate::from_unix_days(days),
                Err(DateError::YearOutOfRange(0))
            );
        }
        // At the limit the year is still computed and reported.
        assert!(matches!(
            CalendarDate::from_unix_days(1 << 40),
            Err(DateError::YearOutOfRange(y)) if y > 9999 && y != u32::MAX
        ));
        let last = CalendarDate::new(9999, 12, 31).unwrap();
        assert_eq!(last.add_days(1), Err(DateError::YearOutOfRange(10_000)));
        let first = CalendarDate::new(1000, 1, 1).unwrap();
        assert_eq!(first.add_days(-1), Err(DateError::YearOutOfRange(999)));
        assert_eq!(CalendarDate::from_unix_days(last.to_unix_days()), Ok(last));
        assert_eq!(
            CalendarDate::from_unix_days(first.to_unix_days()),
            Ok(first)
        );
        // Audit times from a damaged file: any i64 shows without panicking.
        for ms in [i64::MIN, i64::MAX] {
            let t = Timestamp::from_unix_millis(ms);
            assert_eq!(t.date_utc(), None);
            assert!(t.to_string().starts_with('@'));
        }
    }

    #[test]
    fn adds_days_across_months_and_leap_years() {
        let d = CalendarDate::new(2024, 2, 28).unwrap();
        assert_eq!(d.add_days(1).unwrap().to_string(), "2024-02-29");
        assert_eq!(d.add_days(2).unwrap().to_string(), "2024-03-01");
        assert_eq!(d.add_days(-59).unwrap().to_string(), "2023-12-31");
    }
}
