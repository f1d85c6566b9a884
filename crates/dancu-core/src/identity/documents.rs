//! The other identity documents an officer may type: the old 9-digit CMND,
//! a Vietnamese passport number and an enterprise tax code.

use std::fmt;
use std::str::FromStr;

use super::mask::Masked;
use super::scan::{self, ScanError, ShowChar};
use super::tables::CMND_PREFIXES;
use crate::CalendarDate;
use crate::date::digit_value;

/// Why a CMND, passport number or tax code was rejected. Messages never
/// contain the number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Nothing was given.
    #[error("the number is empty")]
    Empty,
    /// A character that does not belong in this kind of number.
    #[error("invalid character {} at position {position}", ShowChar(*character))]
    InvalidCharacter {
        /// 1-based position in the trimmed input.
        position: usize,
        /// The character.
        character: char,
    },
    /// The wrong number of digits.
    #[error("expected {expected}, found {digits} digits")]
    WrongLength {
        /// Digits found.
        digits: usize,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// A passport number is one letter followed by 7 digits.
    #[error("a passport number is one letter followed by 7 digits")]
    PassportFormat,
    /// Separators in a grouping a tax code is not written in: a branch
    /// code's last three digits are a group of their own.
    #[error(
        "separator at position {position}: a branch tax code is written as 10 digits, a separator and 3 digits, or 13 digits whole"
    )]
    Grouping {
        /// 1-based position of the separator out of place.
        position: usize,
    },
    /// A tax code's serial (digits 3–9) is all zeros: serials run
    /// 0000001–9999999 (Thông tư 105/2020/TT-BTC, Điều 5).
    #[error("a tax code's serial (digits 3-9) runs from 0000001 to 9999999, not 0000000")]
    InvalidSerial,
    /// A tax code's tenth digit does not match the first nine.
    #[error("the tax code's check digit does not match")]
    InvalidCheckDigit,
    /// A branch tax code's suffix must be 001–999.
    #[error("a branch tax code's suffix must be 001-999")]
    InvalidBranchSuffix,
}

impl DocumentError {
    /// A stable machine-readable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::InvalidCharacter { .. } | Self::PassportFormat | Self::Grouping { .. } => {
                "invalid_character"
            }
            Self::WrongLength { .. } => "wrong_length",
            Self::InvalidSerial => "invalid_serial",
            Self::InvalidCheckDigit => "invalid_check_digit",
            Self::InvalidBranchSuffix => "invalid_branch_suffix",
        }
    }
}

impl From<ScanError> for DocumentError {
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

/// The old 9-digit identity card number (chứng minh nhân dân).
///
/// Issued per province (the prefix names the issuing police) and changed
/// when the holder moved. Every CMND expired as an identity document on
/// 2024-12-31, but population records still carry them and the gateway
/// still accepts them as a lookup key.
///
/// ```
/// use dancu_core::{CalendarDate, Cmnd};
/// let cmnd: Cmnd = "095 123 456".parse().unwrap();
/// assert_eq!(cmnd.as_str(), "095123456");
/// assert_eq!(cmnd.issuing_province_hints(), vec!["Bắc Cạn"]);
/// assert!(!cmnd.is_valid_document_on("2025-01-01".parse().unwrap()));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cmnd {
    digits: [u8; 9],
}

/// The last day any CMND was valid as an identity document.
pub const CMND_LAST_VALID_DAY: (u16, u8, u8) = (2024, 12, 31);

impl Cmnd {
    pub(crate) fn from_digits(digits: [u8; 9]) -> Self {
        Self { digits }
    }

    /// The canonical 9 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits).unwrap_or("")
    }

    /// Provinces that may have issued this number, from a partial table of
    /// prefixes: empty when the prefix is unknown, several when a prefix was
    /// shared. The longest matching prefix wins.
    #[must_use]
    pub fn issuing_province_hints(&self) -> Vec<&'static str> {
        let s = self.as_str();
        let longest = CMND_PREFIXES
            .iter()
            .filter(|(p, _)| s.starts_with(p))
            .map(|(p, _)| p.len())
            .max();
        longest.map_or_else(Vec::new, |n| {
            CMND_PREFIXES
                .iter()
                .filter(|(p, _)| p.len() == n && s.starts_with(p))
                .map(|&(_, province)| province)
                .collect()
        })
    }

    /// Whether a CMND was still a valid identity document on `date`
    /// (every CMND expired on 2024-12-31).
    #[must_use]
    pub fn is_valid_document_on(&self, date: CalendarDate) -> bool {
        date <= Self::last_valid_day()
    }

    /// The last day any CMND was valid as an identity document: 2024-12-31
    /// ([`CMND_LAST_VALID_DAY`]).
    #[must_use]
    pub fn last_valid_day() -> CalendarDate {
        let (y, m, d) = CMND_LAST_VALID_DAY;
        CalendarDate::new(u32::from(y), u32::from(m), u32::from(d))
            .unwrap_or_else(|_| unreachable!("2024-12-31 is a date"))
    }

    /// The masked form (`*****3456`).
    #[must_use]
    pub fn masked(&self) -> Masked {
        Masked::new(self.as_str())
    }
}

impl FromStr for Cmnd {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let run = scan::scan(s)?;
        if run.len() != 9 {
            return Err(DocumentError::WrongLength {
                digits: run.len(),
                expected: "9 digits",
            });
        }
        let mut digits = [0; 9];
        digits.copy_from_slice(run.digits());
        Ok(Self::from_digits(digits))
    }
}

impl fmt::Display for Cmnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Cmnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cmnd({})", self.masked())
    }
}

crate::serde_via_str!(Cmnd, "a 9-digit CMND number");

/// A Vietnamese passport number: one letter then 7 digits (`C1234567`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Passport {
    chars: [u8; 8],
}

impl Passport {
    /// The canonical form: upper-case letter then 7 digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.chars).unwrap_or("")
    }

    /// The masked form.
    #[must_use]
    pub fn masked(&self) -> Masked {
        Masked::new(self.as_str())
    }

    /// Whether `s` (trimmed) has the passport shape: a letter then 7 characters.
    pub(crate) fn looks_like(s: &str) -> bool {
        let b = s.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic) && s.chars().count() == 8
    }
}

impl FromStr for Passport {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DocumentError::Empty);
        }
        let mut chars = [0; 8];
        for (i, c) in s.chars().enumerate() {
            let ok = if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_digit()
            };
            if !ok || i >= 8 {
                return Err(if ok {
                    DocumentError::PassportFormat
                } else {
                    DocumentError::InvalidCharacter {
                        position: i.saturating_add(1),
                        character: c,
                    }
                });
            }
            chars[i] = c.to_ascii_uppercase() as u8;
        }
        if s.len() != 8 {
            return Err(DocumentError::PassportFormat);
        }
        Ok(Self { chars })
    }
}

impl fmt::Display for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Passport({})", self.masked())
    }
}

crate::serde_via_str!(Passport, "a passport number");

/// An enterprise tax code (mã số thuế): 10 digits — a 2-digit province
/// code, a 7-digit serial (0000001–9999999) and a check digit — or 13 for a
/// dependent unit (branch), written `10-3`.
///
/// The branch code is accepted with its dash, with a space or a dot instead
/// (the separators personal IDs accept), or as 13 digits whole, as lists
/// often print it; the canonical form is `0100112437-011`. Separators may
/// also group the first ten digits (`0100.109.106`). A separator after the
/// tenth digit always starts the branch suffix: `0100047516-01` is a branch
/// code missing a digit.
///
/// ```
/// use dancu_core::TaxCode;
/// let t: TaxCode = "0100109106".parse().unwrap();
/// assert_eq!(t.branch(), None);
/// let b: TaxCode = "0100109106-001".parse().unwrap();
/// assert_eq!((b.to_string().as_str(), b.branch()), ("0100109106-001", Some(1)));
/// let whole: TaxCode = "0100112437011".parse().unwrap();
/// assert_eq!(whole.to_string(), "0100112437-011");
/// assert!("0100109107".parse::<TaxCode>().is_err());
/// assert_eq!("0100000003".parse::<TaxCode>().unwrap_err().code(), "invalid_serial");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxCode {
    digits: [u8; 13],
    branch: bool,
}

const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

impl TaxCode {
    /// A tax code from a scanned run of digits: 10, or 13 whose last three
    /// are a group of their own (or with no separator at all).
    pub(crate) fn from_run(run: &scan::DigitRun, input: &str) -> Result<Self, DocumentError> {
        if run.len() > scan::DigitRun::CAP {
            return Err(DocumentError::WrongLength {
                digits: run.len(),
                expected: "10 digits, or 10-3 for a branch",
            });
        }
        if run.len() == 13 && run.separators() != 0 {
            let inside_suffix = [11, 12].into_iter().find(|&k| run.separator_after(k));
            if let Some(k) = inside_suffix.or((!run.separator_after(10))
                .then(|| run.separators().checked_ilog2().unwrap_or(0) as usize))
            {
                return Err(DocumentError::Grouping {
                    position: scan::separator_position(input, k).unwrap_or(0),
                });
            }
        }
        Self::from_digits(run.digits())
    }

    fn from_digits(d: &[u8]) -> Result<Self, DocumentError> {
        let branch = match d.len() {
            10 => false,
            13 => true,
            n => {
                return Err(DocumentError::WrongLength {
                    digits: n,
                    expected: "10 digits, or 10-3 for a branch",
                });
            }
        };
        if d[2..9].iter().all(|&b| b == b'0') {
            return Err(DocumentError::InvalidSerial);
        }
        // Nine scanned digits (0..=9) times weights of at most 31: the sum
        // is at most 9 × 147, and `sum % 11` at most 10, so nothing wraps.
        let sum = d[..9].iter().zip(TAX_WEIGHTS).fold(0u32, |sum, (&b, w)| {
            sum.wrapping_add(u32::from(digit_value(b)).wrapping_mul(w))
        });
        let check = 10u32.wrapping_sub(sum % 11);
        if check != u32::from(digit_value(d[9])) {
            return Err(DocumentError::InvalidCheckDigit);
        }
        if branch && &d[10..] == b"000" {
            return Err(DocumentError::InvalidBranchSuffix);
        }
        let mut digits = [b'0'; 13];
        digits[..d.len()].copy_from_slice(d);
        Ok(Self { digits, branch })
    }

    /// The 10-digit code of the enterprise itself.
    #[must_use]
    pub fn enterprise(&self) -> &str {
        std::str::from_utf8(&self.digits[..10]).unwrap_or("")
    }

    /// The branch number (1..=999) of a dependent unit's code.
    #[must_use]
    pub fn branch(&self) -> Option<u16> {
        self.branch.then(|| scan::number(&self.digits[10..]) as u16)
    }
}

impl FromStr for TaxCode {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_run(&scan::scan(s)?, s)
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.enterprise())?;
        if self.branch {
            let tail = std::str::from_utf8(&self.digits[10..]).unwrap_or("");
            write!(f, "-{tail}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TaxCode {
    // A tax code identifies an organisation, not a person: shown in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaxCode({self})")
    }
}

crate::serde_via_str!(TaxCode, "a tax code");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmnd_shape_and_hints() {
        let c: Cmnd = "012345678".parse().unwrap();
        assert_eq!(c.issuing_province_hints(), vec!["Hà Nội"]);
        let shared: Cmnd = "121234567".parse().unwrap();
        assert_eq!(
            shared.issuing_province_hints(),
            vec!["Bắc Ninh", "Bắc Giang"]
        );
        let two: Cmnd = "141234567".parse().unwrap();
        assert_eq!(two.issuing_province_hints(), vec!["Hải Dương", "Hưng Yên"]);
        let three: Cmnd = "280123456".parse().unwrap();
        assert_eq!(three.issuing_province_hints(), vec!["Bình Dương"]);
        let unknown: Cmnd = "991234567".parse().unwrap();
        assert!(unknown.issuing_province_hints().is_empty());
        assert_eq!(
            "12345678".parse::<Cmnd>().unwrap_err().code(),
            "wrong_length"
        );
        assert_eq!(format!("{c:?}"), "Cmnd(*****5678)");
    }

    #[test]
    fn cmnd_expired_at_the_end_of_2024() {
        let c: Cmnd = "012345678".parse().unwrap();
        assert!(c.is_valid_document_on(CalendarDate::new(2024, 12, 31).unwrap()));
        assert!(!c.is_valid_document_on(CalendarDate::new(2025, 1, 1).unwrap()));
    }

    #[test]
    fn passports() {
        assert_eq!("c1234567".parse::<Passport>().unwrap().as_str(), "C1234567");
        assert_eq!(
            "C123456".parse::<Passport>().unwrap_err(),
            DocumentError::PassportFormat
        );
        assert_eq!(
            "C12345678".parse::<Passport>().unwrap_err(),
            DocumentError::PassportFormat
        );
        assert!(matches!(
            "C12x4567".parse::<Passport>().unwrap_err(),
            DocumentError::InvalidCharacter { position: 4, .. }
        ));
    }

    #[test]
    fn tax_code_check_digits() {
        // Published codes of well-known enterprises.
        for ok in [
            "0100109106",
            "0101248141",
            "0100109106-001",
            "0101248141-012",
        ] {
            assert!(ok.parse::<TaxCode>().is_ok(), "{ok}");
        }
        for digit in 0..10 {
            let s = format!("010010910{digit}");
            assert_eq!(s.parse::<TaxCode>().is_ok(), digit == 6, "{s}");
        }
        assert_eq!(
            "0100109106-000".parse::<TaxCode>().unwrap_err(),
            DocumentError::InvalidBranchSuffix
        );
        assert_eq!(
            "010010910".parse::<TaxCode>().unwrap_err().code(),
            "wrong_length"
        );
    }

    /// Thông tư 105/2020/TT-BTC, Điều 5: the serial (digits 3–9) runs
    /// 0000001–9999999. These three have a correct check digit.
    #[test]
    fn tax_code_serial_zero_is_invalid() {
        for zero in ["0100000003", "7900000005", "3100000009", "0100000003-001"] {
            assert_eq!(
                zero.parse::<TaxCode>().unwrap_err(),
                DocumentError::InvalidSerial,
                "{zero}"
            );
        }
        assert!(
            "0100000011"
                .parse::<TaxCode>()
                .is_err_and(|e| e.code() == "invalid_check_digit")
        );
    }

    /// Branch codes with a dash, a space, a dot, or 13 digits whole; the
    /// suffix is always its own group.
    #[test]
    fn tax_code_groupings() {
        let ok = [
            ("0100112437011", "0100112437-011"),
            ("0100112437-011", "0100112437-011"),
            ("0100112437 011", "0100112437-011"),
            ("0100112437.011", "0100112437-011"),
            (" 0100.112.437-011 ", "0100112437-011"),
            ("0100 112 437", "0100112437"),
        ];
        for (input, canonical) in ok {
            let t: TaxCode = input.parse().unwrap();
            assert_eq!(t.to_string(), canonical, "{input:?}");
        }
        let bad = [
            (
                "0100047516-01",
                DocumentError::WrongLength {
                    digits: 12,
                    expected: "10 digits, or 10-3 for a branch",
                },
            ),
            ("0100112437-01 1", DocumentError::Grouping { position: 14 }),
            ("010011243 7011", DocumentError::Grouping { position: 10 }),
            (
                "0100112437--011",
                DocumentError::InvalidCharacter {
                    position: 11,
                    character: '-',
                },
            ),
        ];
        for (input, e) in bad {
            assert_eq!(input.parse::<TaxCode>().unwrap_err(), e, "{input:?}");
        }
    }
}
