//! Codes of the national dossier model: procedure codes and dossier codes.

use std::fmt;
use std::str::FromStr;

use crate::CalendarDate;
use crate::date::parse_digits;

/// Why a procedure or dossier code was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// Nothing was given.
    #[error("the code is empty")]
    Empty,
    /// A procedure code is `d.dddddd`, optionally followed by an agency suffix.
    #[error("a procedure code is d.dddddd (e.g. 1.001776), optionally with an agency suffix")]
    ProcedureFormat,
    /// A dossier code is `<unit code>-<YYMMDD>-<serial>`.
    #[error("a dossier code is <unit code>-<YYMMDD>-<serial> (e.g. 000.00.21.H56-230815-0001)")]
    DossierFormat,
    /// The date part is not a real day.
    #[error("the dossier code's date part is not a real day")]
    DossierDate,
}

/// An administrative procedure code (mã thủ tục hành chính), `d.dddddd`
/// (`1.001776`), or its local form with an agency suffix
/// (`1.001776.000.00.00.H56`). Sent as `MaDVC`.
///
/// ```
/// use dancu_core::ProcedureCode;
/// let p: ProcedureCode = "1.001776.000.00.00.H56".parse().unwrap();
/// assert_eq!((p.national(), p.agency_suffix()), ("1.001776", Some("000.00.00.H56")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// The whole code as given (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national part, `d.dddddd`.
    #[must_use]
    pub fn national(&self) -> &str {
        &self.0[..8]
    }

    /// The agency suffix of a local variant.
    #[must_use]
    pub fn agency_suffix(&self) -> Option<&str> {
        self.0.get(9..)
    }
}

impl FromStr for ProcedureCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(CodeError::Empty);
        }
        let b = s.as_bytes();
        let national = b.len() >= 8
            && b[0].is_ascii_digit()
            && b[1] == b'.'
            && b[2..8].iter().all(u8::is_ascii_digit);
        let suffix_ok = match b.get(8) {
            None => true,
            Some(b'.') => {
                b.len() > 9
                    && b.len() <= 64
                    && b[9..]
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'.')
                    && !b.ends_with(b".")
            }
            Some(_) => false,
        };
        if national && suffix_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(CodeError::ProcedureFormat)
        }
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::serde_via_str!(ProcedureCode, "a procedure code such as 1.001776");

/// A dossier code (mã số hồ sơ, Thông tư 01/2018/TT-VPCP Điều 19):
/// `<unit code>-<YYMMDD>-<serial>`. The unit code may contain dots, so the
/// code is split on its last two dashes. The serial is 4 digits, counted per
/// unit per day; codes re-issued for the national portal carry 5.
///
/// ```
/// use dancu_core::DossierCode;
/// let c: DossierCode = "000.00.21.H56-230815-0001".parse().unwrap();
/// assert_eq!((c.unit(), c.serial()), ("000.00.21.H56", 1));
/// assert_eq!(c.date().to_string(), "2023-08-15");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    unit: String,
    date: CalendarDate,
    serial: u32,
    serial_digits: u8,
}

impl DossierCode {
    /// Builds a code with a 4-digit serial (1..=9999).
    ///
    /// # Errors
    ///
    /// When the unit code is malformed or the serial is out of range.
    pub fn new(unit: &str, date: CalendarDate, serial: u32) -> Result<Self, CodeError> {
        if !valid_unit(unit)
            || !(1..=9999).contains(&serial)
            || !(2000..=2099).contains(&date.year())
        {
            return Err(CodeError::DossierFormat);
        }
        Ok(Self {
            unit: unit.to_owned(),
            date,
            serial,
            serial_digits: 4,
        })
    }

    /// Whether `unit` and `date` can make a dossier code, before a store
    /// counts a serial for them: `Err` says which part cannot, in words an
    /// officer can act on (the unit code is not personal data).
    ///
    /// # Errors
    ///
    /// The reason, when the unit code is malformed or the year is outside
    /// 2000–2099.
    pub fn check_parts(unit: &str, date: CalendarDate) -> Result<(), String> {
        if !valid_unit(unit) {
            Err("a unit code has 1 to 40 ASCII letters, digits, '.', '-' or '_'".to_owned())
        } else if !(2000..=2099).contains(&date.year()) {
            Err(format!(
                "{date} is outside 2000–2099, the years a dossier code's two digits can show"
            ))
        } else {
            Ok(())
        }
    }

    /// The receiving unit's code.
    #[must_use]
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// The intake day.
    #[must_use]
    pub const fn date(&self) -> CalendarDate {
        self.date
    }

    /// The serial number within the unit and day.
    #[must_use]
    pub const fn serial(&self) -> u32 {
        self.serial
    }

    /// Whether this is the 5-digit variant re-issued for the national portal.
    #[must_use]
    pub const fn is_reissued(&self) -> bool {
        self.serial_digits == 5
    }
}

fn valid_unit(unit: &str) -> bool {
    !unit.is_empty()
        && unit.len() <= 40
        && unit
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

impl FromStr for DossierCode {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(CodeError::Empty);
        }
        let mut parts = s.rsplitn(3, '-');
        let (Some(serial), Some(day), Some(unit)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CodeError::DossierFormat);
        };
        if !valid_unit(unit) || day.len() != 6 || !(4..=5).contains(&serial.len()) {
            return Err(CodeError::DossierFormat);
        }
        let digits = |t: &str| parse_digits(t.as_bytes()).ok_or(CodeError::DossierFormat);
        let n = digits(serial)?;
        let (yy, mm, dd) = (digits(&day[..2])?, digits(&day[2..4])?, digits(&day[4..])?);
        // Two digits: at most 2099.
        let date = CalendarDate::new(2000u32.saturating_add(yy), mm, dd)
            .map_err(|_| CodeError::DossierDate)?;
        if n == 0 {
            return Err(CodeError::DossierFormat);
        }
        Ok(Self {
            unit: unit.to_owned(),
            date,
            serial: n,
            serial_digits: serial.len() as u8,
        })
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:0width$}",
            self.unit,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.serial,
            width = usize::from(self.serial_digits)
        )
    }
}

crate::serde_via_str!(
    DossierCode,
    "a dossier code such as 000.00.21.H56-230815-0001"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_codes() {
        for ok in ["1.001776", "2.000986", " 1.001776.000.00.00.H56 "] {
            assert!(ok.parse::<ProcedureCode>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1001776",
            "1.00177",
            "1.0017766",
            "1.001776.",
            "1.001776.H 56",
            "a.001776",
        ] {
            assert!(bad.parse::<ProcedureCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dossier_codes() {
        let c: DossierCode = "000.00.21.H06-261127-0001".parse().unwrap();
        assert_eq!(c.to_string(), "000.00.21.H06-261127-0001");
        let r: DossierCode = "H06.12-261127-04321".parse().unwrap();
        assert!(r.is_reissued());
        assert_eq!(r.to_string(), "H06.12-261127-04321");
        assert_eq!(r.unit(), "H06.12");
        let dashed: DossierCode = "000-00-21-H06-261127-0012".parse().unwrap();
        assert_eq!((dashed.unit(), dashed.serial()), ("000-00-21-H06", 12));
        for bad in [
            "",
            "H06-261127",
            "H06-261127-12",
            "H06-261127-123456",
            "H06-261327-0001",
            "-261127-0001",
            "H06-261127-0000",
            "H 06-261127-0001",
        ] {
            assert!(bad.parse::<DossierCode>().is_err(), "{bad}");
        }
        let d = CalendarDate::new(2026, 11, 27).unwrap();
        assert_eq!(
            DossierCode::new("000.00.21.H06", d, 7).unwrap().to_string(),
            "000.00.21.H06-261127-0007"
        );
        assert!(DossierCode::new("000.00.21.H06", d, 10_000).is_err());
    }
}
