#![doc = include_str!("../README.md")]

pub mod audit;
pub mod config;
pub mod connect;
pub mod gateway;
pub mod layer;
pub mod memory;
pub mod resilience;
#[cfg(feature = "testkit")]
pub mod suite;

pub use dancu_wire::Secret;
pub use memory::InMemoryRegistry;
