//! Vietnam's administrative units in both eras: the legacy three-level
//! scheme (63 provinces, 696 districts, 10,035 communes, until 2025-06-30)
//! and the 2025 two-level scheme (34 provinces, 3,321 communes).
//!
//! - Codes are era-tagged types ([`LegacyCommuneCode`] vs [`CommuneCode`]).
//! - Units are small handles ([`LegacyCommune`], [`Commune`], …) with
//!   parents, children, kinds (effective-dated for 2025 units) and
//!   conversion between eras ([`LegacyCommune::successors`],
//!   [`Commune::predecessors`]).
//! - [`search`] finds units by name; [`resolve`] reads a free-text address.
//!
//! The data is embedded and parsed once, on first use; nothing is read from
//! disk at run time.
//!
//! ```
//! use dancu_core::admin::{LegacyCommune, LegacyCommuneCode};
//!
//! let code: LegacyCommuneCode = "01849".parse()?;
//! let old = LegacyCommune::lookup(code).expect("a legacy commune");
//! assert_eq!(old.full_name(), "Xã Dương Quang");
//! assert_eq!(old.district().full_name(), "Thành phố Bắc Kạn");
//! let new = old.default_successor();
//! assert_eq!(new.full_name(), "Xã Phong Quang");
//! assert_eq!(new.province().full_name(), "Tỉnh Thái Nguyên");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod convert;
mod data;
mod fold;
mod gazetteer;
mod resolve;
mod search;
mod units;

pub use convert::{Predecessor, Source, Successor};
pub use data::ConversionKind;
pub use gazetteer::{
    AdminUnit, Commune, HistoricalCommune, LegacyCommune, LegacyDistrict, LegacyProvince, Province,
};
pub use resolve::{Candidate, Place, RESOLVED_CONFIDENCE, Resolution, resolve};
pub use search::{SearchHit, search};
pub use units::{
    CodeError, CommuneCode, CommuneKind, DistrictKind, Era, LegacyCommuneCode, LegacyDistrictCode,
    LegacyProvinceCode, ProvinceCode, ProvinceKind,
};

/// Loads the embedded data now (it is otherwise loaded on first use).
pub fn load() {
    let _ = data::data();
}

#[cfg(test)]
mod tests;
