//! The Tân Dân intake flows, step by step: every transition and every
//! refusal, against the in-memory registry and dossier store.
//!
//! One test binary (modules) to keep link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod direct;
mod online;
mod support;
