#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests, and no arithmetic that can
// overflow (checked or saturating where a value comes from outside; an
// `allow` with its bound stated where it is provably bounded), denied by
// clippy under `-D warnings` in CI.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
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
