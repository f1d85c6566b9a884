#![doc = include_str!("../README.md")]

pub mod address;
pub mod catalog;
pub mod status;
pub mod wizard;

pub use address::{CurrentAddress, IgateAddress, LegacyAddress, Slot, both_eras};
pub use catalog::{IgateCatalog, IgateSector, ProcedureEntry, ProcessDefinition, TimeUnit};
pub use status::IgateStatus;
pub use wizard::{
    Applicant, ApplicantForm, Completed, Completion, IdentityOutcome, IgateDossier, Officer,
    PaperApplicant, ProcedureStep, ProcessStep, Reception, SectorStep,
};
