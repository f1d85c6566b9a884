//! The national dossier model (Thông tư 01/2018/TT-VPCP) and the dossier
//! store port.

mod codes;
mod model;
mod store;

pub use codes::{CodeError, DossierCode, ProcedureCode};
pub use model::{
    Channel, ContactError, Dossier, DossierAddress, DossierStatus, Email, Field,
    MatchReportSummary, Owner, OwnerError, OwnerType, PaperFallback, PhoneNumber, Provenance,
    Submitter, TransitionError, Verification, WorkingCalendar, address_text,
};
pub use store::{DossierStore, InMemoryDossierStore, StoreError};
