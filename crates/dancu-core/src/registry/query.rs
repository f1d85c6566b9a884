//! What the officer asks the population database.

use std::fmt;
use std::str::FromStr;

use crate::{BirthDate, Cmnd, FullName, IdKind, IdNumber, PersonalId};

/// The number a citizen is looked up by: a personal ID (`SoDinhDanh`) or an
/// old CMND (`SoCMND`) — exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LookupKey {
    /// A 12-digit personal ID number.
    PersonalId(PersonalId),
    /// A 9-digit CMND number.
    Cmnd(Cmnd),
}

impl LookupKey {
    /// The number as sent on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::PersonalId(p) => p.as_str(),
            Self::Cmnd(c) => c.as_str(),
        }
    }

    /// The masked form (`********0001`).
    #[must_use]
    pub fn masked(&self) -> crate::Masked {
        crate::Masked::new(self.as_str())
    }
}

/// Why a query could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Only personal IDs and CMND numbers can be looked up.
    #[error("the population database is searched by personal ID or CMND, not by {0}")]
    UnsupportedId(IdKind),
    /// A one-time password is 6 digits.
    #[error("a one-time password is 6 digits")]
    InvalidOtp,
}

/// A one-time password the citizen received (6 digits). `Debug` hides it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Otp([u8; 6]);

impl Otp {
    /// The digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl FromStr for Otp {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QueryError::InvalidOtp);
        }
        let mut d = [0; 6];
        d.copy_from_slice(s.as_bytes());
        Ok(Self(d))
    }
}

impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Otp(******)")
    }
}

/// A lookup: the ID, the full name and the birth date (of any precision),
/// optionally with the one-time password the citizen confirmed.
///
/// ```
/// use dancu_core::{IdentityQuery, IdNumber, CalendarDate};
/// let on = CalendarDate::new(2026, 11, 27).unwrap();
/// let q = IdentityQuery::new(
///     IdNumber::parse_on("006089000001", on).unwrap(),
///     "Nguyễn Văn An".parse().unwrap(),
///     "12/05/1989".parse().unwrap(),
/// ).unwrap();
/// assert_eq!(format!("{q:?}").contains("006089000001"), false);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityQuery {
    key: LookupKey,
    name: FullName,
    birth_date: BirthDate,
    otp: Option<Otp>,
}

impl IdentityQuery {
    /// Builds a query.
    ///
    /// # Errors
    ///
    /// [`QueryError::UnsupportedId`] for a passport or tax code. A birth
    /// year that contradicts the personal ID is not an error here (the
    /// database answers "not found"); see
    /// [`IdentityQuery::birth_year_contradicts_id`].
    pub fn new(id: IdNumber, name: FullName, birth_date: BirthDate) -> Result<Self, QueryError> {
        let key = match id {
            IdNumber::PersonalId(p) => LookupKey::PersonalId(p),
            IdNumber::Cmnd(c) => LookupKey::Cmnd(c),
            other => return Err(QueryError::UnsupportedId(other.kind())),
        };
        Ok(Self {
            key,
            name,
            birth_date,
            otp: None,
        })
    }

    /// The same query carrying the one-time password.
    #[must_use]
    pub fn with_otp(mut self, otp: Otp) -> Self {
        self.otp = Some(otp);
        self
    }

    /// The lookup key.
    #[must_use]
    pub const fn key(&self) -> &LookupKey {
        &self.key
    }

    /// The name as typed.
    #[must_use]
    pub const fn name(&self) -> &FullName {
        &self.name
    }

    /// The birth date as typed.
    #[must_use]
    pub const fn birth_date(&self) -> &BirthDate {
        &self.birth_date
    }

    /// Whether the birth year typed contradicts the year the personal ID
    /// encodes — worth telling the officer before a lookup.
    #[must_use]
    pub fn birth_year_contradicts_id(&self) -> bool {
        match &self.key {
            LookupKey::PersonalId(p) => !self.birth_date.is_consistent_with(p),
            LookupKey::Cmnd(_) => false,
        }
    }

    /// The population database's matching rule, once a citizen is found by
    /// ID: the name agrees on the folded key (no diacritics, Đ→D, upper
    /// case) and the birth date agrees at the precision both have. Pass
    /// the citizen's [`FullName::folded_key`].
    #[must_use]
    pub fn matches(&self, folded_name: &str, birth_date: &BirthDate) -> bool {
        self.name.folded_key() == folded_name
            && self.birth_date.agreement(birth_date).is_compatible()
    }

    /// The one-time password, if any.
    #[must_use]
    pub const fn otp(&self) -> Option<&Otp> {
        self.otp.as_ref()
    }
}
