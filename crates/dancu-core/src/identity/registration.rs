//! Where a birth was registered: the first three digits of a personal ID.

use std::fmt;

use super::tables::{ABROAD_COUNTRY_HINTS, PROVINCE_REGISTRATIONS, REGISTRATION_INDEX};

/// One of the 63 province birth-registration codes (Thông tư 07/2016/TT-BCA,
/// Phụ lục I), with the province it has belonged to since 2025-07-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProvinceRegistration {
    pub(crate) code: u16,
    pub(crate) province: &'static str,
    pub(crate) province_since_2025: &'static str,
    pub(crate) province_code_2025: &'static str,
}

impl ProvinceRegistration {
    /// The three-digit registration code as a number (1..=96).
    #[must_use]
    pub const fn code(&self) -> u16 {
        self.code
    }

    /// The legacy province (short name, e.g. "Bắc Kạn") that registered the birth.
    #[must_use]
    pub const fn province(&self) -> &'static str {
        self.province
    }

    /// The province (short name, e.g. "Thái Nguyên") this code has belonged
    /// to since 2025-07-01. The merger renumbered nobody: the code is kept.
    #[must_use]
    pub const fn province_since_2025(&self) -> &'static str {
        self.province_since_2025
    }

    /// The two-digit code of the 2025 province.
    #[must_use]
    pub const fn province_code_2025(&self) -> &'static str {
        self.province_code_2025
    }

    /// Every province registration code, ascending.
    #[must_use]
    pub fn all() -> &'static [Self] {
        PROVINCE_REGISTRATIONS
    }
}

/// The registration place encoded in a personal ID number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Registration {
    /// Registered in a Vietnamese province.
    Province(ProvinceRegistration),
    /// Registered abroad (codes 101–295). The country is only a hint from an
    /// unverified community table and must not be asserted.
    Abroad {
        /// The three-digit code (101..=295).
        code: u16,
        /// A country name from the unverified table, if it lists the code.
        country_hint_unverified: Option<&'static str>,
    },
}

impl Registration {
    /// Decodes a three-digit registration code; `None` when the code is
    /// neither a province nor an abroad code.
    #[must_use]
    #[inline]
    pub fn from_code(code: u16) -> Option<Self> {
        match code {
            0..=96 => {
                let i = REGISTRATION_INDEX[usize::from(code)];
                PROVINCE_REGISTRATIONS
                    .get(usize::from(i))
                    .map(|p| Self::Province(*p))
            }
            101..=295 => Some(Self::Abroad {
                code,
                country_hint_unverified: ABROAD_COUNTRY_HINTS
                    .binary_search_by_key(&code, |&(c, _)| c)
                    .ok()
                    .map(|i| ABROAD_COUNTRY_HINTS[i].1),
            }),
            _ => None,
        }
    }

    /// The three-digit code as a number.
    #[must_use]
    pub const fn code(&self) -> u16 {
        match self {
            Self::Province(p) => p.code,
            Self::Abroad { code, .. } => *code,
        }
    }

    /// Whether the birth was registered abroad.
    #[must_use]
    pub const fn is_abroad(&self) -> bool {
        matches!(self, Self::Abroad { .. })
    }

    /// The province registration, if any.
    #[must_use]
    pub const fn province(&self) -> Option<&ProvinceRegistration> {
        match self {
            Self::Province(p) => Some(p),
            Self::Abroad { .. } => None,
        }
    }
}

impl fmt::Display for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Province(p) if p.province == p.province_since_2025 => {
                write!(f, "{:03} {}", p.code, p.province)
            }
            Self::Province(p) => write!(
                f,
                "{:03} {} (since 2025-07-01 part of {})",
                p.code, p.province, p.province_since_2025
            ),
            Self::Abroad {
                code,
                country_hint_unverified: Some(c),
            } => write!(f, "{code:03} registered abroad (unverified table: {c})"),
            Self::Abroad { code, .. } => write!(f, "{code:03} registered abroad"),
        }
    }
}
