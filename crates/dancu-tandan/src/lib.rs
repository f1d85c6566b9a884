#![doc = include_str!("../README.md")]

pub mod catalog;
pub mod direct;
pub mod online;
pub mod otp;
pub mod session;

pub use catalog::{Case, Catalog, ProcedureEntry, Sector};
pub use direct::{CheckScreen, DirectIntake, Draft, DraftForm, PaperFallbackDraft, VerifiedDraft};
pub use online::{OnlineCheck, OnlineDossier, OnlineIntake, submit_online};
pub use session::{Officer, Role};
