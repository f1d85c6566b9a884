//! Tests of `SqliteDossierStore`: the behaviour suite every `DossierStore`
//! must pass (run against the in-memory store too), SQLite-specific
//! behaviour, concurrency across handles and processes, and a crash test.
//!
//! One test binary: the cross-process tests re-execute it with an
//! environment variable that turns one test into a child process.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod behaviour;
mod concurrency;
mod crash;
mod sqlite;
mod support;
