//! The 12-digit personal identification number (số định danh cá nhân).

use std::fmt;
use std::str::FromStr;

use super::Gender;
use super::mask::Masked;
use super::registration::Registration;
use super::scan::{self, ScanError, ShowChar};
use crate::CalendarDate;
use crate::date::digit_value;

/// A 12-digit personal identification number, as printed on the CCCD / thẻ
/// căn cước (and on 12-digit CMND cards issued since 2012).
///
/// Layout `PPP G YY RRRRRR`: `PPP` the province (or abroad code) where the
/// birth was registered, `G` gender and century, `YY` the birth year within
/// the century, `RRRRRR` random. There is no check digit.
///
/// `Display` prints the canonical 12 contiguous digits; `Debug` shows only the
/// last four (`PersonalId(********0001)`).
///
/// Besides surrounding whitespace, only the groupings people write are
/// accepted, with a single space, dot or dash between groups: the 12 digits
/// whole (`006089000001`), four groups of three (`006 089 000 001`), the
/// layout `PPP G YY RRRRRR` (`006 0 89 000001`), or three groups of four
/// (`0060 8900 0001`). Any other grouping is refused: a separator does not
/// make a personal ID out of another number (`0100047516-01` is a branch tax
/// code missing a digit, not a citizen born in 1904).
///
/// ```
/// use dancu_core::{CalendarDate, Gender, PersonalId};
/// let on: CalendarDate = "2026-11-27".parse().unwrap();
/// let id = PersonalId::parse_on("006 089 000 001", on).unwrap();
/// assert_eq!(id.as_str(), "006089000001");
/// assert_eq!(id.gender(), Gender::Male);
/// assert_eq!(id.birth_year(), 1989);
/// let place = id.registration();
/// let province = place.province().unwrap();
/// assert_eq!((province.province(), province.province_since_2025()), ("Bắc Kạn", "Thái Nguyên"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalId {
    /// ASCII digits whose registration code was checked when parsed; the
    /// registration is derived from them on demand (12 bytes in all).
    digits: [u8; 12],
}

/// Why a personal ID number was rejected. Messages never contain the number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonalIdError {
    /// Nothing was given.
    #[error("the ID number is empty")]
    Empty,
    /// A character other than an ASCII digit, or two separators in a row.
    #[error(
        "invalid character {} at position {position}: only ASCII digits, with single spaces, dots or dashes between groups, are allowed",
        ShowChar(*character)
    )]
    InvalidCharacter {
        /// 1-based position of the character in the trimmed input.
        position: usize,
        /// The character.
        character: char,
    },
    /// Separators in a grouping people do not write (see [`PersonalId`]).
    #[error(
        "separator at position {position}: a personal ID is written as 12 digits, whole or grouped 3-3-3-3, 3-1-2-6 or 4-4-4"
    )]
    Grouping {
        /// 1-based position of the first separator out of place.
        position: usize,
    },
    /// Not 12 digits.
    #[error("a personal ID number has 12 digits, this has {digits}")]
    WrongLength {
        /// How many digits the input had.
        digits: usize,
    },
    /// The first three digits are neither a province nor an abroad code.
    #[error(
        "registration code {code:03} is neither a province code (001-096) nor an abroad code (101-295)"
    )]
    UnknownRegistrationCode {
        /// The three-digit code.
        code: u16,
    },
    /// The century digit and year give a birth year after the reference date.
    #[error("the ID encodes birth year {birth_year}, after the reference date {on}")]
    ImplausibleBirthYear {
        /// The encoded birth year.
        birth_year: u16,
        /// The reference date.
        on: CalendarDate,
    },
}

impl PersonalIdError {
    /// A stable machine-readable code: `empty`, `invalid_character` (also
    /// for a separator out of place), `wrong_length`,
    /// `unknown_registration_code`, `implausible_birth_year`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::InvalidCharacter { .. } | Self::Grouping { .. } => "invalid_character",
            Self::WrongLength { .. } => "wrong_length",
            Self::UnknownRegistrationCode { .. } => "unknown_registration_code",
            Self::ImplausibleBirthYear { .. } => "implausible_birth_year",
        }
    }
}

impl From<ScanError> for PersonalIdError {
    fn from(e: ScanError) -> Self {
        match e {
            ScanError::Empty => Self::Empty,
            ScanError::InvalidCharacter {
                position,
                character,
            } => Self::InvalidCharacter {
                position,
                character,
            },
        }
    }
}

impl PersonalId {
    /// Parses and decodes `input`, checking the birth year against the
    /// reference date `on` (the day the number is being checked).
    ///
    /// # Errors
    ///
    /// [`PersonalIdError`] says precisely what is wrong.
    pub fn parse_on(input: &str, on: CalendarDate) -> Result<Self, PersonalIdError> {
        let run = scan::scan(input)?;
        if run.len() != 12 {
            return Err(PersonalIdError::WrongLength { digits: run.len() });
        }
        Self::from_run(&run, input, on)
    }

    /// Decodes a scanned run of exactly 12 digits, refusing groupings
    /// people do not write.
    pub(crate) fn from_run(
        run: &scan::DigitRun,
        input: &str,
        on: CalendarDate,
    ) -> Result<Self, PersonalIdError> {
        if let Some(k) = misplaced_separator(run.separators()) {
            let position = scan::separator_position(input, k).unwrap_or(0);
            return Err(PersonalIdError::Grouping { position });
        }
        let mut digits = [0; 12];
        digits.copy_from_slice(run.digits());
        Self::from_digits(digits, on)
    }

    /// Decodes 12 ASCII digits.
    pub(crate) fn from_digits(digits: [u8; 12], on: CalendarDate) -> Result<Self, PersonalIdError> {
        let code = code_of(&digits);
        if Registration::from_code(code).is_none() {
            return Err(PersonalIdError::UnknownRegistrationCode { code });
        }
        let id = Self { digits };
        let birth_year = id.birth_year();
        if birth_year > on.year() {
            return Err(PersonalIdError::ImplausibleBirthYear { birth_year, on });
        }
        Ok(id)
    }

    /// The canonical 12 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.digits).unwrap_or("")
    }

    /// The three-digit registration code as a number.
    #[must_use]
    pub const fn registration_code(&self) -> u16 {
        code_of(&self.digits)
    }

    /// Where the birth was registered.
    #[must_use]
    pub fn registration(&self) -> Registration {
        let code = self.registration_code();
        // The code was checked when the number was parsed, so the table
        // always has it; the fallback only keeps this function total.
        Registration::from_code(code).unwrap_or(Registration::Abroad {
            code,
            country_hint_unverified: None,
        })
    }

    /// The gender digit `G` (0..=9).
    #[must_use]
    pub const fn gender_century_digit(&self) -> u8 {
        digit_value(self.digits[3])
    }

    /// The gender: even `G` male, odd `G` female.
    #[must_use]
    pub const fn gender(&self) -> Gender {
        if self.gender_century_digit().is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The century of birth, counted as people do: 20 for 1900–1999, 21 for
    /// 2000–2099, up to 24.
    #[must_use]
    pub const fn century(&self) -> u8 {
        // G is 0..=9: at most 24.
        20u8.wrapping_add(self.gender_century_digit() / 2)
    }

    /// The birth year: 1900 + 100 × (G div 2) + YY.
    #[must_use]
    pub const fn birth_year(&self) -> u16 {
        // Stored digits are 0..=9: at most 1900 + 400 + 99, nothing wraps.
        let (y, yy) = (digit_value(self.digits[4]), digit_value(self.digits[5]));
        let century = (self.gender_century_digit() / 2) as u16;
        1900u16
            .wrapping_add(century.wrapping_mul(100))
            .wrapping_add((y as u16).wrapping_mul(10))
            .wrapping_add(yy as u16)
    }

    /// The masked form (`********0001`), safe for logs and audit records.
    #[must_use]
    pub fn masked(&self) -> Masked {
        Masked::new(self.as_str())
    }
}

/// The registration code of 12 scanned ASCII digits: the first three as a
/// number. Each digit is 0..=9, so the code is at most 999 and the wrapping
/// operations never wrap.
const fn code_of(d: &[u8; 12]) -> u16 {
    // Horner's form in u32, digit by digit: kept scalar (a vectorised
    // u16 form cost 5 ns in the parse benchmark).
    let n = (digit_value(d[0]) as u32)
        .wrapping_mul(10)
        .wrapping_add(digit_value(d[1]) as u32)
        .wrapping_mul(10)
        .wrapping_add(digit_value(d[2]) as u32);
    n as u16
}

/// The groupings of a personal ID people write, as separator bit sets (bit
/// `k`: a separator after the `k`-th digit): whole, 3-3-3-3, 3-1-2-6, 4-4-4.
const GROUPINGS: [u32; 4] = [
    0,
    1 << 3 | 1 << 6 | 1 << 9,
    1 << 3 | 1 << 4 | 1 << 6,
    1 << 4 | 1 << 8,
];

/// `None` when `separators` is one of [`GROUPINGS`]; otherwise the digit
/// count after which the first separator out of place stands: the first one
/// no accepted grouping has together with those before it, or else (a
/// grouping left incomplete) the last separator.
fn misplaced_separator(separators: u32) -> Option<usize> {
    if GROUPINGS.contains(&separators) {
        return None;
    }
    // The highest separator (`separators` is not 0: 0 is a grouping).
    let last = separators.checked_ilog2().unwrap_or(0) as usize;
    let culprit = (1..12).find(|&k| {
        // The separators after digits 1..=k (k < 12, so the shift is in range).
        let prefix = separators & !(u32::MAX << k << 1);
        separators & (1 << k) != 0 && !GROUPINGS.iter().any(|g| g & prefix == prefix)
    });
    Some(culprit.unwrap_or(last))
}

impl FromStr for PersonalId {
    type Err = PersonalIdError;

    /// Parses against today's date in Vietnam; see [`PersonalId::parse_on`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_on(s, CalendarDate::today_in_vietnam())
    }
}

impl fmt::Display for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonalId({})", self.masked())
    }
}

crate::serde_via_str!(PersonalId, "a 12-digit personal ID number");

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> CalendarDate {
        CalendarDate::new(2026, 11, 27).unwrap()
    }

    fn parse(s: &str) -> Result<PersonalId, PersonalIdError> {
        PersonalId::parse_on(s, on())
    }

    #[test]
    fn decodes_every_province_code() {
        assert_eq!(super::super::ProvinceRegistration::all().len(), 63);
        for p in super::super::ProvinceRegistration::all() {
            let id = parse(&format!("{:03}189123456", p.code())).unwrap();
            assert_eq!(id.registration(), Registration::Province(*p));
            assert_eq!((id.gender(), id.birth_year()), (Gender::Female, 1989));
        }
    }

    #[test]
    fn province_table_matches_the_sources() {
        let bac_kan = Registration::from_code(6).unwrap();
        let p = bac_kan.province().unwrap();
        assert_eq!(
            (
                p.province(),
                p.province_since_2025(),
                p.province_code_2025()
            ),
            ("Bắc Kạn", "Thái Nguyên", "19")
        );
        let p = *Registration::from_code(79).unwrap().province().unwrap();
        assert_eq!(p.province_since_2025(), "Hồ Chí Minh");
        let p = *Registration::from_code(66).unwrap().province().unwrap();
        assert_eq!(p.province(), "Đắk Lắk");
        // Gaps in 001..=096 are not codes.
        for gap in [0u16, 3, 5, 7, 9, 13, 16, 18, 21, 97, 98, 99, 100] {
            assert_eq!(Registration::from_code(gap), None, "{gap}");
        }
    }

    #[test]
    fn abroad_range_is_accepted_without_asserting_a_country() {
        for code in 101..=295u16 {
            let id = parse(&format!("{code:03}090000001")).unwrap();
            assert!(id.registration().is_abroad());
            assert!(id.registration().province().is_none());
        }
        let Registration::Abroad {
            country_hint_unverified,
            ..
        } = Registration::from_code(292).unwrap()
        else {
            panic!("292 is an abroad code")
        };
        assert_eq!(country_hint_unverified, Some("Ý (I-ta-li-a)"));
        for code in [296u16, 300, 500, 999] {
            assert_eq!(
                parse(&format!("{code:03}090000001")),
                Err(PersonalIdError::UnknownRegistrationCode { code })
            );
        }
    }

    #[test]
    fn century_digit_at_each_century() {
        let far_future = CalendarDate::new(2399, 12, 31).unwrap();
        for g in 0..=9u8 {
            let id = PersonalId::parse_on(&format!("001{g}05123456"), far_future).unwrap();
            let year = 1900 + 100 * u16::from(g / 2) + 5;
            assert_eq!(id.birth_year(), year);
            assert_eq!(id.century(), 20 + g / 2);
            let gender = if g % 2 == 0 {
                Gender::Male
            } else {
                Gender::Female
            };
            assert_eq!(id.gender(), gender);
            let today = parse(&format!("001{g}05123456"));
            if year <= 2026 {
                assert!(today.is_ok());
            } else {
                assert_eq!(
                    today.unwrap_err(),
                    PersonalIdError::ImplausibleBirthYear {
                        birth_year: year,
                        on: on()
                    }
                );
            }
        }
        // A birth year equal to the reference year is fine; one after is not.
        assert!(parse("001226000001").is_ok());
        assert_eq!(
            parse("001227000001").unwrap_err().code(),
            "implausible_birth_year"
        );
    }

    #[test]
    fn lenient_input_and_precise_errors() {
        for ok in [
            "006089000001",
            " 006089000001\n",
            "006 089 000 001",
            "006.089.000.001",
            "006-089-000-001",
            "006 0 89 000001",
            "006.0.89.000001",
            "0060 8900 0001",
            "0060-8900-0001",
        ] {
            assert_eq!(parse(ok).unwrap().as_str(), "006089000001", "{ok:?}");
        }
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("00608900000a", "invalid_character"),
            ("006089\n000001", "invalid_character"),
            ("٠٠٦٠٨٩٠٠٠٠٠١", "invalid_character"),
            ("００６０８９０００００１", "invalid_character"),
            ("006--089000001", "invalid_character"),
            ("006-089-000001", "invalid_character"),
            ("0100047516-01", "invalid_character"),
            ("00 6089000001", "invalid_character"),
            ("00608900001", "wrong_length"),
            ("0060890000011", "wrong_length"),
            ("000089000001", "unknown_registration_code"),
            ("003089000001", "unknown_registration_code"),
            ("097089000001", "unknown_registration_code"),
            ("100089000001", "unknown_registration_code"),
            ("296089000001", "unknown_registration_code"),
            ("999089000001", "unknown_registration_code"),
            ("006489000001", "implausible_birth_year"),
        ];
        for (input, code) in cases {
            assert_eq!(parse(input).unwrap_err().code(), code, "{input:?}");
        }
    }

    /// Only the groupings people write: the separator out of place is
    /// named by its position.
    #[test]
    fn groupings_people_write() {
        let cases = [
            ("006089000001", None),
            ("006 089 000 001", None),
            ("006 0 89 000001", None),
            ("0060 8900 0001", None),
            // A dash after the tenth digit: a branch tax code, not an ID.
            ("0100047516-01", Some(11)),
            ("006-089-000001", Some(8)),
            ("006 089000001", Some(4)),
            ("006089 000001", Some(7)),
            ("00608900 0001", Some(9)),
            ("0 06089000001", Some(2)),
            ("006 089 000 00 1", Some(15)),
            ("006 0 89 000 001", Some(13)),
            ("0060 89 000001", Some(8)),
        ];
        for (input, position) in cases {
            let got = parse(input).err();
            let expected = position.map(|position| PersonalIdError::Grouping { position });
            assert_eq!(got, expected, "{input:?}");
        }
    }

    #[test]
    fn twelve_bytes_and_ordered_by_digits() {
        assert_eq!(std::mem::size_of::<PersonalId>(), 12);
        assert!(parse("001089000001").unwrap() < parse("006089000001").unwrap());
        assert_eq!(parse("006089000001").unwrap().registration_code(), 6);
    }

    #[test]
    fn nothing_sensitive_in_debug_or_errors() {
        let id = parse("006089000001").unwrap();
        assert_eq!(format!("{id:?}"), "PersonalId(********0001)");
        let e = parse("006489000001").unwrap_err().to_string();
        assert!(!e.contains("006489000001"), "{e}");
    }
}
