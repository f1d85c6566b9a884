#![doc = include_str!("../README.md")]

#[rustfmt::skip]
mod names_data;
pub mod population;
mod rng;

pub use population::{Match, Person, Population};
