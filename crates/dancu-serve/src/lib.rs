#![doc = include_str!("../README.md")]
// Nothing from the network or the configuration may panic this crate: no
// unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
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

pub mod clients;
mod error;
mod listen;
pub mod metrics;
pub mod openapi;
pub mod problem;
mod routes;
pub mod settings;
mod state;
pub mod stores;

pub use error::ServeError;
pub use listen::{Listening, run, shutdown_signal};
pub use settings::ServeSettings;
pub use state::Service;
