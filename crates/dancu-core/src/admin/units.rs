//! Era-tagged unit codes and the kinds of units at each level.
//!
//! A code is only meaningful with its era: legacy commune `01849` and 2025
//! commune `01849` are different types, so one can never be looked up in
//! the other era's table by mistake.

use std::fmt;
use std::str::FromStr;

/// The two administrative schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Era {
    /// Three levels (province, district, commune), valid until 2025-06-30.
    Legacy,
    /// Two levels (province, commune), from 2025-07-01.
    Y2025,
}

impl Era {
    /// `"legacy"` or `"2025"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Y2025 => "2025",
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Era {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "legacy" => Ok(Self::Legacy),
            "2025" => Ok(Self::Y2025),
            _ => Err(CodeError::UnknownEra),
        }
    }
}

crate::serde_via_str!(Era, "\"legacy\" or \"2025\"");

/// Why a unit code could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The text is not the expected number of ASCII digits.
    #[error("expected a {width}-digit {what} code")]
    Format {
        /// What kind of code was expected.
        what: &'static str,
        /// How many digits it has.
        width: usize,
    },
    /// The era is neither `legacy` nor `2025`.
    #[error("expected the era \"legacy\" or \"2025\"")]
    UnknownEra,
}

/// Parses exactly `width` ASCII digits (surrounding whitespace allowed).
fn parse_digits(s: &str, width: usize, what: &'static str) -> Result<u32, CodeError> {
    let s = s.trim();
    if s.len() != width || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::Format { what, width });
    }
    crate::date::parse_digits(s.as_bytes()).ok_or(CodeError::Format { what, width })
}

macro_rules! unit_code {
    ($(#[$doc:meta])* $name:ident, $int:ty, $width:literal, $what:literal, $expecting:literal, $era:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($int);

        impl $name {
            /// The number of digits of this code.
            pub const WIDTH: usize = $width;
            /// The era this code belongs to.
            pub const ERA: Era = $era;

            /// Parses the zero-padded code.
            ///
            /// # Errors
            ///
            /// When `s` is not exactly the right number of digits.
            pub fn parse(s: &str) -> Result<Self, CodeError> {
                // The width bounds the value, so the cast cannot truncate.
                parse_digits(s, $width, $what).map(|n| Self(n as $int))
            }

            /// The code as a number.
            #[must_use]
            pub const fn get(self) -> u32 {
                self.0 as u32
            }

            /// Builds a code from a number that fits the width.
            pub(crate) const fn from_raw(n: $int) -> Self {
                Self(n)
            }
        }

        impl FromStr for $name {
            type Err = CodeError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:0width$}", self.0, width = $width)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:0width$})"), self.0, width = $width)
            }
        }

        crate::serde_via_str!($name, $expecting);
    };
}

unit_code!(
    /// A legacy (before 2025-07-01) province code: 2 digits.
    LegacyProvinceCode, u8, 2, "legacy province", "a 2-digit legacy province code", Era::Legacy
);
unit_code!(
    /// A legacy district code: 3 digits.
    LegacyDistrictCode, u16, 3, "legacy district", "a 3-digit legacy district code", Era::Legacy
);
unit_code!(
    /// A legacy commune code: 5 digits.
    LegacyCommuneCode, u32, 5, "legacy commune", "a 5-digit legacy commune code", Era::Legacy
);
unit_code!(
    /// A province code of the 2025 scheme: 2 digits.
    ProvinceCode, u8, 2, "2025 province", "a 2-digit 2025 province code", Era::Y2025
);
unit_code!(
    /// A commune code of the 2025 scheme: 5 digits.
    CommuneCode, u32, 5, "2025 commune", "a 5-digit 2025 commune code", Era::Y2025
);

/// The kind of a province (either era).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProvinceKind {
    /// Tỉnh.
    Province,
    /// Thành phố trực thuộc trung ương (a centrally-run city).
    CentralCity,
}

/// The kind of a legacy district.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DistrictKind {
    /// Quận (urban district).
    UrbanDistrict,
    /// Huyện (rural district).
    RuralDistrict,
    /// Thị xã (district-level town).
    Town,
    /// Thành phố thuộc tỉnh (city under a province).
    ProvincialCity,
    /// Thành phố thuộc thành phố trực thuộc trung ương (city under a
    /// centrally-run city; only Thủ Đức).
    MunicipalCity,
}

/// The kind of a commune-level unit (either era).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommuneKind {
    /// Phường (ward).
    Ward,
    /// Xã (rural commune).
    Commune,
    /// Thị trấn (township; legacy only).
    Township,
    /// Đặc khu (special zone; 2025 only).
    SpecialZone,
}

impl ProvinceKind {
    /// The official type name, e.g. "Thành phố trực thuộc trung ương".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Province => "Tỉnh",
            Self::CentralCity => "Thành phố trực thuộc trung ương",
        }
    }

    /// The word that starts the unit's full name, e.g. "Thành phố".
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Province => "Tỉnh",
            Self::CentralCity => "Thành phố",
        }
    }

    pub(crate) const fn from_letter(b: u8) -> Option<Self> {
        match b {
            b'T' => Some(Self::Province),
            b'M' => Some(Self::CentralCity),
            _ => None,
        }
    }
}

impl DistrictKind {
    /// The official type name, e.g. "Thành phố thuộc tỉnh".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::UrbanDistrict => "Quận",
            Self::RuralDistrict => "Huyện",
            Self::Town => "Thị xã",
            Self::ProvincialCity => "Thành phố thuộc tỉnh",
            Self::MunicipalCity => "Thành phố thuộc thành phố trực thuộc trung ương",
        }
    }

    /// The word that starts the unit's full name, e.g. "Thành phố".
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::UrbanDistrict => "Quận",
            Self::RuralDistrict => "Huyện",
            Self::Town => "Thị xã",
            Self::ProvincialCity | Self::MunicipalCity => "Thành phố",
        }
    }

    pub(crate) const fn from_letter(b: u8) -> Option<Self> {
        match b {
            b'Q' => Some(Self::UrbanDistrict),
            b'H' => Some(Self::RuralDistrict),
            b'X' => Some(Self::Town),
            b'C' => Some(Self::ProvincialCity),
            b'K' => Some(Self::MunicipalCity),
            _ => None,
        }
    }
}

impl CommuneKind {
    /// The official type name, e.g. "Thị trấn".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Ward => "Phường",
            Self::Commune => "Xã",
            Self::Township => "Thị trấn",
            Self::SpecialZone => "Đặc khu",
        }
    }

    /// The word that starts the unit's full name (the same as the label).
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        self.label()
    }

    pub(crate) const fn from_letter(b: u8) -> Option<Self> {
        match b {
            b'P' => Some(Self::Ward),
            b'X' => Some(Self::Commune),
            b'T' => Some(Self::Township),
            b'D' => Some(Self::SpecialZone),
            _ => None,
        }
    }
}

macro_rules! display_label {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    )*};
}
display_label!(ProvinceKind, DistrictKind, CommuneKind);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_keep_their_width_and_era() {
        let legacy: LegacyCommuneCode = "01849".parse().unwrap();
        let current: CommuneCode = "01849".parse().unwrap();
        assert_eq!(legacy.to_string(), "01849");
        assert_eq!(current.get(), 1849);
        assert_eq!(LegacyCommuneCode::ERA, Era::Legacy);
        assert_eq!(CommuneCode::ERA, Era::Y2025);
        assert!("1849".parse::<LegacyCommuneCode>().is_err());
        assert!("0a849".parse::<CommuneCode>().is_err());
        assert!("٠١".parse::<ProvinceCode>().is_err());
        assert_eq!(
            format!("{:?}", LegacyDistrictCode::parse("058").unwrap()),
            "LegacyDistrictCode(058)"
        );
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let c: LegacyProvinceCode = serde_json::from_str("\"06\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"06\"");
        assert!(serde_json::from_str::<LegacyProvinceCode>("\"6\"").is_err());
        assert_eq!(serde_json::to_string(&Era::Y2025).unwrap(), "\"2025\"");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(n in 0u32..100_000) {
            let s = format!("{n:05}");
            let c: CommuneCode = s.parse().unwrap();
            prop_assert_eq!(c.to_string(), s.clone());
            let l: LegacyCommuneCode = s.parse().unwrap();
            prop_assert_eq!(l.get(), n);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".*") {
            let _ = s.parse::<LegacyDistrictCode>();
            let _ = s.parse::<ProvinceCode>();
            let _ = s.parse::<Era>();
        }
    }
}
