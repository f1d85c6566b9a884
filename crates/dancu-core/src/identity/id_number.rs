//! Classifying what an officer typed into a "CCCD/CMND/Hộ chiếu" field.

use std::fmt;
use std::str::FromStr;

use super::documents::{Cmnd, DocumentError, Passport, TaxCode};
use super::personal_id::{PersonalId, PersonalIdError};
use super::scan::{self, ScanError};
use crate::CalendarDate;

/// The shape an identity number was classified as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 12 digits: a personal ID number (CCCD, thẻ căn cước, 12-digit CMND).
    PersonalId,
    /// 9 digits: an old CMND number.
    Cmnd,
    /// A letter then 7 digits: a Vietnamese passport.
    Passport,
    /// 10 digits, or 13 (written 10-3): an enterprise tax code.
    TaxCode,
}

impl IdKind {
    /// The stable key: `personal_id`, `cmnd`, `passport`, `tax_code`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PersonalId => "personal_id",
            Self::Cmnd => "cmnd",
            Self::Passport => "passport",
            Self::TaxCode => "tax_code",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identity number of a known kind. Never a placeholder: an input that
/// fits no kind is an error, not a default value.
///
/// ```
/// use dancu_core::{CalendarDate, IdKind, IdNumber};
/// let on = CalendarDate::new(2026, 11, 27).unwrap();
/// assert_eq!(IdNumber::parse_on("006089000001", on).unwrap().kind(), IdKind::PersonalId);
/// assert_eq!(IdNumber::parse_on("095123456", on).unwrap().kind(), IdKind::Cmnd);
/// assert_eq!(IdNumber::parse_on("C1234567", on).unwrap().kind(), IdKind::Passport);
/// assert_eq!(IdNumber::parse_on("0100109106", on).unwrap().kind(), IdKind::TaxCode);
/// let err = IdNumber::parse_on("00608900000x", on).unwrap_err();
/// assert_eq!((err.kind(), err.code()), (Some(IdKind::PersonalId), "invalid_character"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdNumber {
    /// A 12-digit personal ID number.
    PersonalId(PersonalId),
    /// A 9-digit CMND number.
    Cmnd(Cmnd),
    /// A passport number.
    Passport(Passport),
    /// An enterprise tax code.
    TaxCode(TaxCode),
}

/// Why an identity number was rejected, with the shape it was classified as.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdNumberError {
    /// A personal ID number (12 digits) that is not valid.
    #[error(transparent)]
    PersonalId(#[from] PersonalIdError),
    /// A CMND, passport or tax code that is not valid.
    #[error("{0}")]
    Document(DocumentError, IdKind),
    /// The input fits no known shape.
    #[error("{0}")]
    Unclassified(UnclassifiedError),
}

/// Why an input fits no identity-number shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnclassifiedError {
    /// Nothing was given.
    #[error("the ID number is empty")]
    Empty,
    /// A character that belongs in no identity number.
    #[error("invalid character {} at position {position}: expected 12 digits (personal ID), 9 (CMND), 10, 10-3 or 13 (tax code), or a letter and 7 digits (passport)", scan::ShowChar(*character))]
    InvalidCharacter {
        /// 1-based position in the trimmed input.
        position: usize,
        /// The character.
        character: char,
    },
    /// A number of digits that no identity number has.
    #[error("{digits} digits: expected 12 (personal ID), 9 (CMND), or 10, 10-3 or 13 (tax code)")]
    WrongLength {
        /// How many digits the input had.
        digits: usize,
    },
}

impl IdNumberError {
    /// The shape the input was classified as, even though it is invalid;
    /// `None` when no shape fits.
    #[must_use]
    pub const fn kind(&self) -> Option<IdKind> {
        match self {
            Self::PersonalId(_) => Some(IdKind::PersonalId),
            Self::Document(_, kind) => Some(*kind),
            Self::Unclassified(_) => None,
        }
    }

    /// A stable machine-readable code: `empty`, `invalid_character` (also a
    /// separator out of place), `wrong_length`, `unknown_registration_code`,
    /// `implausible_birth_year`, and for tax codes `invalid_serial`,
    /// `invalid_check_digit`, `invalid_branch_suffix`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::PersonalId(e) => e.code(),
            Self::Document(e, _) => e.code(),
            Self::Unclassified(UnclassifiedError::Empty) => "empty",
            Self::Unclassified(UnclassifiedError::InvalidCharacter { .. }) => "invalid_character",
            Self::Unclassified(UnclassifiedError::WrongLength { .. }) => "wrong_length",
        }
    }
}

impl IdNumber {
    /// Classifies and parses `input`; a personal ID's birth year is checked
    /// against the reference date `on`.
    ///
    /// # Errors
    ///
    /// [`IdNumberError`] with the classified shape and a precise reason.
    pub fn parse_on(input: &str, on: CalendarDate) -> Result<Self, IdNumberError> {
        let s = input.trim();
        if Passport::looks_like(s) {
            return s
                .parse()
                .map(Self::Passport)
                .map_err(|e| IdNumberError::Document(e, IdKind::Passport));
        }
        let run = match scan::scan(s) {
            Ok(run) => run,
            Err(ScanError::Empty) => {
                return Err(IdNumberError::Unclassified(UnclassifiedError::Empty));
            }
            Err(ScanError::InvalidCharacter {
                position,
                character,
            }) => {
                return Err(match shape_of(s) {
                    Some(IdKind::PersonalId) => PersonalIdError::InvalidCharacter {
                        position,
                        character,
                    }
                    .into(),
                    Some(kind) => IdNumberError::Document(
                        DocumentError::InvalidCharacter {
                            position,
                            character,
                        },
                        kind,
                    ),
                    None => IdNumberError::Unclassified(UnclassifiedError::InvalidCharacter {
                        position,
                        character,
                    }),
                });
            }
        };
        let tax_code = |run: &scan::DigitRun| {
            TaxCode::from_run(run, s)
                .map(Self::TaxCode)
                .map_err(|e| IdNumberError::Document(e, IdKind::TaxCode))
        };
        // A separator after the tenth digit starts a tax code's branch
        // suffix, whatever the count: `0100047516-01` is a branch code
        // missing a digit, never a personal ID.
        if run.len() > 10 && run.separator_after(10) {
            return tax_code(&run);
        }
        match run.len() {
            12 => Ok(Self::PersonalId(PersonalId::from_run(&run, s, on)?)),
            9 => {
                let mut digits = [0; 9];
                digits.copy_from_slice(run.digits());
                Ok(Self::Cmnd(Cmnd::from_digits(digits)))
            }
            // A branch code as lists print it: 13 digits whole.
            10 | 13 if run.len() == 10 || run.separators() == 0 => tax_code(&run),
            digits => Err(IdNumberError::Unclassified(
                UnclassifiedError::WrongLength { digits },
            )),
        }
    }

    /// The kind of number.
    #[must_use]
    pub const fn kind(&self) -> IdKind {
        match self {
            Self::PersonalId(_) => IdKind::PersonalId,
            Self::Cmnd(_) => IdKind::Cmnd,
            Self::Passport(_) => IdKind::Passport,
            Self::TaxCode(_) => IdKind::TaxCode,
        }
    }

    /// The personal ID, if this is one.
    #[must_use]
    pub const fn as_personal_id(&self) -> Option<&PersonalId> {
        match self {
            Self::PersonalId(id) => Some(id),
            _ => None,
        }
    }

    /// The masked form, safe for logs (`********0001`).
    #[must_use]
    pub fn masked(&self) -> super::Masked {
        match self {
            Self::PersonalId(id) => id.masked(),
            Self::Cmnd(c) => c.masked(),
            Self::Passport(p) => p.masked(),
            Self::TaxCode(t) => super::Masked::new(&t.to_string()),
        }
    }
}

/// The shape of an input by its character count (separators not counted),
/// used to say what an invalid input was meant to be: the same rules as for
/// valid input (a separator after the tenth character starts a tax code's
/// branch suffix).
fn shape_of(s: &str) -> Option<IdKind> {
    let mut n = 0usize;
    let mut separators = false;
    let mut branch = false;
    for c in s.chars() {
        if scan::is_separator(c) {
            separators = true;
            branch |= n == 10;
        } else {
            n = n.saturating_add(1);
        }
    }
    match n {
        11.. if branch => Some(IdKind::TaxCode),
        12 => Some(IdKind::PersonalId),
        9 => Some(IdKind::Cmnd),
        10 => Some(IdKind::TaxCode),
        13 if !separators => Some(IdKind::TaxCode),
        _ => None,
    }
}

/// A personal ID is an identity number of that kind.
///
/// ```
/// use dancu_core::{CalendarDate, IdKind, IdNumber, PersonalId};
/// let on = CalendarDate::new(2026, 11, 27).unwrap();
/// let id: IdNumber = PersonalId::parse_on("006089000001", on).unwrap().into();
/// assert_eq!(id.kind(), IdKind::PersonalId);
/// ```
impl From<PersonalId> for IdNumber {
    fn from(id: PersonalId) -> Self {
        Self::PersonalId(id)
    }
}

/// A CMND is an identity number of that kind.
impl From<Cmnd> for IdNumber {
    fn from(c: Cmnd) -> Self {
        Self::Cmnd(c)
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    /// Parses against today's date in Vietnam; see [`IdNumber::parse_on`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_on(s, CalendarDate::today_in_vietnam())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PersonalId(id) => id.fmt(f),
            Self::Cmnd(c) => c.fmt(f),
            Self::Passport(p) => p.fmt(f),
            Self::TaxCode(t) => t.fmt(f),
        }
    }
}

crate::serde_via_str!(IdNumber, "a personal ID, CMND, passport number or tax code");

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse_on(s, CalendarDate::new(2026, 11, 27).unwrap())
    }

    #[test]
    fn classifies_each_kind() {
        let cases = [
            ("006089000001", IdKind::PersonalId, "006089000001"),
            ("095 123 456", IdKind::Cmnd, "095123456"),
            ("b1234567", IdKind::Passport, "B1234567"),
            ("0100109106", IdKind::TaxCode, "0100109106"),
            ("0100109106-001", IdKind::TaxCode, "0100109106-001"),
            ("0100.109.106-001", IdKind::TaxCode, "0100109106-001"),
            ("0100112437011", IdKind::TaxCode, "0100112437-011"),
            ("0100112437 011", IdKind::TaxCode, "0100112437-011"),
            ("0100112437.011", IdKind::TaxCode, "0100112437-011"),
            ("0100109106001", IdKind::TaxCode, "0100109106-001"),
            ("006 0 89 000001", IdKind::PersonalId, "006089000001"),
            ("0060.8900.0001", IdKind::PersonalId, "006089000001"),
        ];
        for (input, kind, canonical) in cases {
            let id = parse(input).unwrap();
            assert_eq!((id.kind(), id.to_string().as_str()), (kind, canonical));
        }
    }

    #[test]
    fn invalid_inputs_keep_their_shape() {
        let cases = [
            ("", None, "empty"),
            ("abc", None, "invalid_character"),
            ("12345", None, "wrong_length"),
            ("12345678", None, "wrong_length"),
            ("12345678901234567890", None, "wrong_length"),
            ("006 089 000 0011", None, "wrong_length"),
            (
                "0060890000011",
                Some(IdKind::TaxCode),
                "invalid_check_digit",
            ),
            // The issue's inputs: zero serials, and a separator that would
            // have made a personal ID (born 1904 in Lào Cai) of a branch
            // tax code missing a digit.
            ("0100000003", Some(IdKind::TaxCode), "invalid_serial"),
            ("7900000005", Some(IdKind::TaxCode), "invalid_serial"),
            ("3100000009", Some(IdKind::TaxCode), "invalid_serial"),
            ("0100047516-01", Some(IdKind::TaxCode), "wrong_length"),
            ("0100047516 01", Some(IdKind::TaxCode), "wrong_length"),
            ("0100047516-0x", Some(IdKind::TaxCode), "invalid_character"),
            (
                "006-089-000001",
                Some(IdKind::PersonalId),
                "invalid_character",
            ),
            (
                "00608900000x",
                Some(IdKind::PersonalId),
                "invalid_character",
            ),
            (
                "999089000001",
                Some(IdKind::PersonalId),
                "unknown_registration_code",
            ),
            ("09512345x", Some(IdKind::Cmnd), "invalid_character"),
            ("0100109107", Some(IdKind::TaxCode), "invalid_check_digit"),
            ("C12x4567", Some(IdKind::Passport), "invalid_character"),
        ];
        for (input, kind, code) in cases {
            let e = parse(input).unwrap_err();
            assert_eq!((e.kind(), e.code()), (kind, code), "{input:?}");
        }
    }
}
