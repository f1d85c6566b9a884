#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod export;
pub mod faults;
#[rustfmt::skip]
mod names_data;
pub mod population;
mod rng;
pub mod server;

pub use dancu_http::ServerLimits;
pub use faults::Faults;
pub use population::{Person, Population};
pub use server::{Credentials, Dialects, Sandbox, SandboxConfig};
