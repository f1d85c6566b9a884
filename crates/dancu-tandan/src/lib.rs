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

pub mod catalog;
pub mod direct;
pub mod online;
pub mod otp;
pub mod session;

pub use catalog::{Case, Catalog, ProcedureEntry, Sector};
pub use direct::{CheckScreen, DirectIntake, Draft, DraftForm, PaperFallbackDraft, VerifiedDraft};
pub use online::{OnlineCheck, OnlineDossier, OnlineIntake, submit_online};
pub use session::{Officer, Role};
