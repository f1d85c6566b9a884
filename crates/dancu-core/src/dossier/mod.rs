//! The national dossier model (Thông tư 01/2018/TT-VPCP).

mod codes;

pub use codes::{CodeError, DossierCode, ProcedureCode};
