//! The national dossier model (Thông tư 01/2018/TT-VPCP) and the dossier
//! store port.

mod codes;
mod model;
mod store;
#[cfg(feature = "testkit")]
// A behaviour suite for tests: its checks fail by panicking, as assertions do
// (and its arithmetic is on its own small fixtures).
#[allow(
    clippy::panic,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::arithmetic_side_effects
)]
pub mod suite;

pub use codes::{CodeError, DossierCode, ProcedureCode};
pub use model::{
    Channel, ContactError, Dossier, DossierAddress, DossierStatus, Email, Field,
    MatchReportSummary, Owner, OwnerError, OwnerType, PaperFallback, PhoneNumber, Provenance,
    Submitter, TransitionError, Verification, WorkingCalendar, address_text,
};
pub use store::{DossierStore, InMemoryDossierStore, StoreError, describe_stored_json};
