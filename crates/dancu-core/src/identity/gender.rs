//! Gender, as encoded in a personal ID and as coded by the population DB.

use std::fmt;
use std::str::FromStr;

/// A gender as the identity documents record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gender {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Gender {
    /// The population-DB code: `1` for Nam, `2` for Nữ.
    #[must_use]
    pub const fn db_code(self) -> &'static str {
        match self {
            Self::Male => "1",
            Self::Female => "2",
        }
    }

    /// The Vietnamese label ("Nam" / "Nữ").
    #[must_use]
    pub const fn label_vi(self) -> &'static str {
        match self {
            Self::Male => "Nam",
            Self::Female => "Nữ",
        }
    }

    /// The stable English key ("male" / "female").
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a gender or gender code could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenderError {
    /// Not "male"/"female"/"nam"/"nữ".
    #[error("expected male, female, Nam or Nữ")]
    Unknown,
    /// A gender code must be 1 to 4 ASCII alphanumerics.
    #[error("a gender code is 1 to 4 ASCII letters or digits")]
    BadCode,
}

impl FromStr for Gender {
    type Err = GenderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "male" | "nam" | "m" => Ok(Self::Male),
            "female" | "nữ" | "nu" | "f" => Ok(Self::Female),
            _ => Err(GenderError::Unknown),
        }
    }
}

crate::serde_via_str!(Gender, "male or female");

/// A raw `GioiTinh` code from a population record: `1` = Nam, `2` = Nữ, and
/// any other value kept as it came (systems differ), never guessed.
///
/// ```
/// use dancu_core::{Gender, GenderCode};
/// assert_eq!("2".parse::<GenderCode>().unwrap().gender(), Some(Gender::Female));
/// let other: GenderCode = "3".parse().unwrap();
/// assert_eq!((other.gender(), other.as_str()), (None, "3"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenderCode {
    bytes: [u8; 4],
    len: u8,
}

impl GenderCode {
    /// The code of a known gender.
    #[must_use]
    pub fn of(gender: Gender) -> Self {
        let b = gender.db_code().as_bytes()[0];
        Self {
            bytes: [b, 0, 0, 0],
            len: 1,
        }
    }

    /// The raw code as it came.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }

    /// The gender it means, when it is one of the two known codes.
    #[must_use]
    pub fn gender(&self) -> Option<Gender> {
        match self.as_str() {
            "1" | "01" => Some(Gender::Male),
            "2" | "02" => Some(Gender::Female),
            _ => None,
        }
    }
}

impl FromStr for GenderCode {
    type Err = GenderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(GenderError::BadCode);
        }
        let mut bytes = [0; 4];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Ok(Self {
            bytes,
            len: s.len() as u8,
        })
    }
}

impl fmt::Display for GenderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for GenderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenderCode({:?})", self.as_str())
    }
}

crate::serde_via_str!(GenderCode, "a population-DB gender code");
