#![doc = include_str!("../README.md")]

pub mod audit;
pub mod config;
pub mod connect;
pub mod gateway;
pub mod memory;
pub mod resilience;
pub mod secret;
#[cfg(feature = "testkit")]
pub mod suite;

pub use memory::InMemoryRegistry;
pub use secret::Secret;
