#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
// No arithmetic that can overflow either: checked or saturating operations,
// or an `allow` that states the bound.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

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
