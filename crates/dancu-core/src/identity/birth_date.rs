//! Birth dates of any precision: population records often hold only a year.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::PersonalId;
use crate::CalendarDate;
use crate::date::{DateError, check_month, check_year, parse_digits};

/// How much of a birth date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    /// Only the year.
    Year,
    /// Month and year.
    Month,
    /// The full date.
    Day,
}

impl Precision {
    /// The stable key: `year`, `month`, `day`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::Month => "month",
            Self::Day => "day",
        }
    }
}

/// A birth date: a full date, a month and year, or a year only.
///
/// Parses `dd/mm/yyyy`, `d/m/yyyy` (also with `-` or `.`), `yyyy-mm-dd`,
/// `yyyyMMdd`, `mm/yyyy`, `yyyy`, and the zero placeholders `00/00/yyyy`,
/// `00/mm/yyyy` (and `yyyy0000`, `yyyymm00`). `Display` prints the canonical
/// form: `dd/mm/yyyy`, `mm/yyyy` or `yyyy`. `Debug` hides the value.
///
/// ```
/// use dancu_core::{BirthDate, DateAgreement, Precision};
/// let full: BirthDate = "1989-05-12".parse().unwrap();
/// let year: BirthDate = "00/00/1989".parse().unwrap();
/// assert_eq!(full.to_string(), "12/05/1989");
/// assert_eq!(year.to_string(), "1989");
/// assert_eq!(full.agreement(&year), DateAgreement::AtSharedPrecision(Precision::Year));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BirthDate {
    year: u16,
    /// 0 when unknown.
    month: u8,
    /// 0 when unknown (always when `month` is).
    day: u8,
}

/// Why a birth date was rejected. Messages never contain the date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BirthDateError {
    /// Nothing was given.
    #[error("the birth date is empty")]
    Empty,
    /// Not one of the accepted layouts.
    #[error("expected dd/mm/yyyy, mm/yyyy, yyyy, yyyy-mm-dd or yyyyMMdd")]
    Format,
    /// A day was given without a month (`12/00/1989`).
    #[error("a day is given but the month is 00")]
    DayWithoutMonth,
    /// The parts do not form a real date.
    #[error(transparent)]
    Date(#[from] DateError),
}

impl BirthDate {
    /// A full date.
    #[must_use]
    pub fn from_date(date: CalendarDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        }
    }

    /// A year-only birth date.
    ///
    /// # Errors
    ///
    /// When the year is outside 1000..=9999.
    pub fn year_only(year: u32) -> Result<Self, BirthDateError> {
        Self::from_parts(year, 0, 0)
    }

    /// A month-and-year birth date.
    ///
    /// # Errors
    ///
    /// When the year or month is out of range.
    pub fn month_and_year(year: u32, month: u32) -> Result<Self, BirthDateError> {
        if month == 0 {
            return Err(DateError::MonthOutOfRange(0).into());
        }
        Self::from_parts(year, month, 0)
    }

    /// Builds from parts where 0 means "unknown" for month and day.
    ///
    /// # Errors
    ///
    /// When a part is out of range or a day is given without a month.
    pub fn from_parts(year: u32, month: u32, day: u32) -> Result<Self, BirthDateError> {
        let year = check_year(year)?;
        match (month, day) {
            (0, 0) => Ok(Self {
                year,
                month: 0,
                day: 0,
            }),
            (0, _) => Err(BirthDateError::DayWithoutMonth),
            (m, 0) => Ok(Self {
                year,
                month: check_month(m)?,
                day: 0,
            }),
            (m, d) => Ok(Self::from_date(CalendarDate::new(u32::from(year), m, d)?)),
        }
    }

    /// How much is known.
    #[must_use]
    pub const fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (0, _) => Precision::Year,
            (_, 0) => Precision::Month,
            _ => Precision::Day,
        }
    }

    /// The year.
    #[must_use]
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, when known.
    #[must_use]
    pub const fn month(&self) -> Option<u8> {
        if self.month == 0 {
            None
        } else {
            Some(self.month)
        }
    }

    /// The day of the month, when known.
    #[must_use]
    pub const fn day(&self) -> Option<u8> {
        if self.day == 0 { None } else { Some(self.day) }
    }

    /// The full date, when known.
    #[must_use]
    pub fn to_calendar_date(&self) -> Option<CalendarDate> {
        CalendarDate::new(self.year.into(), self.month.into(), self.day.into()).ok()
    }

    /// The gateway's `yyyyMMdd` form, for a full date only.
    #[must_use]
    pub fn to_yyyymmdd(&self) -> Option<String> {
        (self.precision() == Precision::Day)
            .then(|| format!("{:04}{:02}{:02}", self.year, self.month, self.day))
    }

    /// How two birth dates agree, compared at the precision both have: a
    /// year-only record is compatible with any date in that year.
    #[must_use]
    pub fn agreement(&self, other: &Self) -> DateAgreement {
        let shared = self.precision().min(other.precision());
        let same = match shared {
            Precision::Year => self.year == other.year,
            Precision::Month => (self.year, self.month) == (other.year, other.month),
            Precision::Day => self == other,
        };
        match (same, self.precision() == other.precision()) {
            (false, _) => DateAgreement::Different,
            (true, true) => DateAgreement::Exact,
            (true, false) => DateAgreement::AtSharedPrecision(shared),
        }
    }

    /// Whether the date can be the birth date of the holder of `id`: the
    /// birth year (and so the century) must be the one the ID encodes.
    #[must_use]
    pub fn is_consistent_with(&self, id: &PersonalId) -> bool {
        self.year == id.birth_year()
    }

    /// Whether any day this date may stand for is after `date` (a birth
    /// date in the future is impossible). Compared at this date's precision.
    #[must_use]
    pub fn is_after(&self, date: CalendarDate) -> bool {
        let ord = match self.precision() {
            Precision::Year => self.year.cmp(&date.year()),
            Precision::Month => (self.year, self.month).cmp(&(date.year(), date.month())),
            Precision::Day => {
                (self.year, self.month, self.day).cmp(&(date.year(), date.month(), date.day()))
            }
        };
        ord == Ordering::Greater
    }
}

/// How two birth dates agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateAgreement {
    /// Same precision, same value.
    Exact,
    /// Equal at the coarser precision of the two (e.g. a full date and a
    /// year-only record of the same year).
    AtSharedPrecision(Precision),
    /// They disagree at the precision both have.
    Different,
}

impl DateAgreement {
    /// Whether the dates can be the same birth date.
    #[must_use]
    pub const fn is_compatible(self) -> bool {
        !matches!(self, Self::Different)
    }
}

fn split_numeric(s: &str) -> Option<Vec<&str>> {
    let sep = s.bytes().find(|b| matches!(b, b'/' | b'-' | b'.'))?;
    let parts: Vec<&str> = s.split(char::from(sep)).collect();
    // One separator kind only, and every part made of digits.
    parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .then_some(parts)
}

impl FromStr for BirthDate {
    type Err = BirthDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(BirthDateError::Empty);
        }
        let num = |p: &str| parse_digits(p.as_bytes()).ok_or(BirthDateError::Format);
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.len() {
                4 => Self::from_parts(num(s)?, 0, 0),
                8 => Self::from_parts(num(&s[..4])?, num(&s[4..6])?, num(&s[6..])?),
                _ => Err(BirthDateError::Format),
            };
        }
        let parts = split_numeric(s).ok_or(BirthDateError::Format)?;
        match parts.as_slice() {
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                Self::from_parts(num(y)?, num(m)?, num(d)?)
            }
            [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4 => {
                Self::from_parts(num(y)?, num(m)?, num(d)?)
            }
            [m, y] if m.len() <= 2 && y.len() == 4 => Self::from_parts(num(y)?, num(m)?, 0),
            _ => Err(BirthDateError::Format),
        }
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision() {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:02}/{:04}", self.month, self.year),
            Precision::Day => write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year),
        }
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BirthDate(<{} precision>)", self.precision().as_str())
    }
}

crate::serde_via_str!(BirthDate, "a birth date (dd/mm/yyyy, mm/yyyy or yyyy)");

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BirthDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_layout() {
        let cases = [
            ("12/05/1989", "12/05/1989", Precision::Day),
            ("2/5/1989", "02/05/1989", Precision::Day),
            ("2-5-1989", "02/05/1989", Precision::Day),
            ("12.05.1989", "12/05/1989", Precision::Day),
            ("1989-05-12", "12/05/1989", Precision::Day),
            ("19890512", "12/05/1989", Precision::Day),
            ("05/1989", "05/1989", Precision::Month),
            ("5/1989", "05/1989", Precision::Month),
            ("1989", "1989", Precision::Year),
            ("00/00/1989", "1989", Precision::Year),
            ("00/05/1989", "05/1989", Precision::Month),
            ("19890000", "1989", Precision::Year),
            ("19890500", "05/1989", Precision::Month),
            (" 29/02/2024 ", "29/02/2024", Precision::Day),
        ];
        for (input, canonical, precision) in cases {
            let b = d(input);
            assert_eq!(
                (b.to_string().as_str(), b.precision()),
                (canonical, precision),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "  ",
            "89",
            "198905",
            "12/05/89",
            "31/02/1989",
            "29/02/2023",
            "12/13/1989",
            "12/00/1989",
            "1989/5/12",
            "12/05-1989",
            "12//1989",
            "٠١/٠٥/١٩٨٩",
            "abcd",
            "0999",
            "00/1989x",
        ] {
            assert!(bad.parse::<BirthDate>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "12/00/1989".parse::<BirthDate>(),
            Err(BirthDateError::DayWithoutMonth)
        );
    }

    #[test]
    fn agreement_at_shared_precision() {
        use DateAgreement::*;
        assert_eq!(d("12/05/1989").agreement(&d("12/05/1989")), Exact);
        assert_eq!(d("1989").agreement(&d("1989")), Exact);
        assert_eq!(d("12/05/1989").agreement(&d("13/05/1989")), Different);
        assert_eq!(
            d("12/05/1989").agreement(&d("1989")),
            AtSharedPrecision(Precision::Year)
        );
        assert_eq!(
            d("1989").agreement(&d("31/12/1989")),
            AtSharedPrecision(Precision::Year)
        );
        assert_eq!(
            d("05/1989").agreement(&d("12/05/1989")),
            AtSharedPrecision(Precision::Month)
        );
        assert_eq!(d("06/1989").agreement(&d("12/05/1989")), Different);
        assert_eq!(d("1990").agreement(&d("12/05/1989")), Different);
        assert!(!Different.is_compatible());
    }

    #[test]
    fn consistency_with_personal_id() {
        let on = CalendarDate::new(2026, 11, 27).unwrap();
        let id = PersonalId::parse_on("006089000001", on).unwrap();
        assert!(d("12/05/1989").is_consistent_with(&id));
        assert!(d("1989").is_consistent_with(&id));
        // Same two-digit year, wrong century.
        assert!(!d("12/05/2089").is_consistent_with(&id));
        let id2000 = PersonalId::parse_on("006205000001", on).unwrap();
        assert!(d("2005").is_consistent_with(&id2000));
        assert!(!d("1905").is_consistent_with(&id2000));
    }

    #[test]
    fn future_dates() {
        let on = CalendarDate::new(2026, 11, 27).unwrap();
        assert!(!d("27/11/2026").is_after(on));
        assert!(d("28/11/2026").is_after(on));
        assert!(!d("2026").is_after(on));
        assert!(d("12/2026").is_after(on));
        assert!(d("2027").is_after(on));
    }

    #[test]
    fn debug_hides_the_value() {
        assert_eq!(
            format!("{:?}", d("12/05/1989")),
            "BirthDate(<day precision>)"
        );
        assert_eq!(d("12/05/1989").to_yyyymmdd().as_deref(), Some("19890512"));
        assert_eq!(d("1989").to_yyyymmdd(), None);
    }
}
