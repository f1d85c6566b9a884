//! Tests of the PostgreSQL stores against a real server: the behaviour
//! suites every `AuditSink` and `DossierStore` must pass, concurrency across
//! instances, migrations, and what the database holds.
//!
//! They need `DANCU_TEST_POSTGRES_URL` (`bash .ci/postgres run cargo test
//! -p dancu-postgres` starts a throwaway server and sets it). Without it
//! they skip, saying so — unless `CI` is set: then they fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests panic on purpose

mod audit;
mod dossier;
mod quota;
mod schema;
mod support;
mod tls;
