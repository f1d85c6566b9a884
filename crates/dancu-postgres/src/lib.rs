#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests, and no arithmetic that can
// overflow, denied by clippy under `-D warnings` in CI.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod audit;
mod database;
mod dossier;
mod migrate;
mod quota;
pub mod testkit;

pub use audit::{GroupCommitStats, PgAuditSink};
pub use database::{ConnectOptions, Database, DbError, PostgresUrl, UrlError, requires_tls};
pub use dossier::PgDossierStore;
pub use migrate::{MIGRATIONS, Migration, SCHEMA_VERSION};
pub use quota::PgGatewayQuota;
