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

pub mod audit;
pub mod config;
pub mod connect;
pub mod gateway;
pub mod layer;
pub mod memory;
pub mod resilience;
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

pub use dancu_wire::Secret;
pub use memory::InMemoryRegistry;
