//! The JSON shapes dancu prints and serves, defined once.
//!
//! `dancu id inspect --json`, `dancu address … --json` and `dancu verify
//! --json` print these objects; the HTTP service answers with them and the
//! Python package turns them into dictionaries. Each is built from the
//! domain types of this crate, so every front end shows the same fields
//! with the same meaning, in the same order.
//!
//! - [`IdReport`]: one inspected identity number.
//! - [`AddressReport`]: one resolved free-text address; [`AddressRow`] the
//!   same as the flat columns of a bulk conversion ([`ROW_COLUMNS`]);
//!   [`conversion`] and [`unit()`] for conversion and look-up by code.
//! - [`LookupReport`]: one check of a citizen against the population
//!   database (outcome, record, match report, error), with [`record`] for
//!   the record alone.
//! - [`audit_record`]: one record of the audit trail, as `dancu audit
//!   --json` prints it.

mod address;
mod audit;
mod identity;
mod lookup;

pub use address::{
    AddressReport, AddressRow, ROW_COLUMNS, RowStatus, RowValue, UnitEra, conversion, unit,
};
pub use audit::{audit_record, audit_record_subjects};
pub use identity::{IdReport, RegistrationReport};
pub use lookup::{LookupReport, record};

/// `{"code", "message"}`: why an input was refused or a call failed. The
/// code is stable; the message never repeats personal data.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ErrorReport {
    /// The stable error code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

impl ErrorReport {
    /// The report of an error with stable code `code`.
    #[must_use]
    pub fn new(code: &'static str, error: &dyn std::fmt::Display) -> Self {
        Self {
            code,
            message: error.to_string(),
        }
    }
}

/// Rounds a score to three decimals, as every report prints it.
fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}
