#![doc = include_str!("../README.md")]

pub mod export;
pub mod faults;
#[rustfmt::skip]
mod names_data;
pub mod population;
mod rng;
pub mod server;

pub use faults::Faults;
pub use population::{Person, Population};
pub use server::{Credentials, Dialects, Sandbox, SandboxConfig};
