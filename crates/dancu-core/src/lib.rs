#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests, and no arithmetic that can
// overflow (checked or saturating where a value comes from outside; an
// `allow` with its bound stated where it is provably bounded), denied by
// clippy under `-D warnings` in CI.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

pub mod admin;
mod date;
pub mod dossier;
pub mod identity;
pub mod intake;
pub mod registry;
pub mod report;

pub use admin::{
    AdminUnit, Commune, CommuneCode, Era, LegacyCommune, LegacyCommuneCode, LegacyDistrict,
    LegacyDistrictCode, LegacyProvince, LegacyProvinceCode, Province, ProvinceCode, Resolution,
};
pub use date::{CalendarDate, DateError, InstantError, Timestamp, days_in_month, is_leap_year};
pub use dossier::{DossierCode, ProcedureCode};
pub use identity::{
    BirthDate, BirthDateError, Cmnd, DateAgreement, FullName, Gender, GenderCode, IdKind, IdNumber,
    IdNumberError, Masked, NameAgreement, NameError, Passport, PersonalId, PersonalIdError,
    Precision, ProvinceRegistration, Redacted, RedactedForm, Registration, TaxCode, mask_numbers,
    mask_phrase,
};
pub use registry::{
    CheckOutcome, CitizenRecord, IdentityQuery, LookupOutcome, MatchReport, PopulationRegistry,
    PopulationRegistryExt, RegistryError, Reply, RequestContext,
};

/// Implements `Serialize` (through `Display`) and `Deserialize` (through
/// `FromStr`) so serde uses the one parser of a type.
macro_rules! serde_via_str {
    ($ty:ty, $expecting:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use serde_via_str;
