//! For tests that need a real PostgreSQL server, in this workspace or a
//! vendor's: which server (`DANCU_TEST_POSTGRES_URL`, as `.ci/postgres`
//! sets it), its certificate authority, its client programs, and one rule —
//! without a server the test skips, saying how to start one, unless `CI` is
//! set: then it fails. Reads environment variables only.

use std::path::PathBuf;

use crate::ConnectOptions;

/// The variable naming the test server: `postgres://user@127.0.0.1:port/db`.
pub const URL_ENV: &str = "DANCU_TEST_POSTGRES_URL";
/// The variable naming the PEM file of the test server's certificate
/// authority, when it serves TLS.
pub const CA_ENV: &str = "DANCU_TEST_POSTGRES_CA";
/// The variable naming the directory of the server's client programs.
pub const BIN_ENV: &str = "DANCU_TEST_POSTGRES_BIN";

/// The test server's URL, or `None` after saying on stderr that `test` is
/// skipped and that `bash .ci/postgres run <rerun>` starts a server.
///
/// # Panics
///
/// When there is no server and `CI` is set: CI must run these tests.
#[allow(clippy::panic)] // a test's verdict, not an input's
#[must_use]
pub fn server_url(test: &str, rerun: &str) -> Option<String> {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{test}: {URL_ENV} is not set, and CI is: the PostgreSQL tests must run in CI \
             (start a server with `bash .ci/postgres run cargo test --workspace --locked`)"
        ),
        _ => {
            eprintln!(
                "{test}: skipped, no PostgreSQL server ({URL_ENV} is not set); run \
                 `bash .ci/postgres run {rerun}` to start a throwaway one"
            );
            None
        }
    }
}

/// The test server's certificate authority, when it names one.
#[must_use]
pub fn ca_file() -> Option<String> {
    std::env::var(CA_ENV)
        .ok()
        .filter(|ca| !ca.trim().is_empty())
}

/// Connection options for the test server: its own authority trusted, so
/// the tests run over verified TLS when it serves TLS.
#[must_use]
pub fn connect_options() -> ConnectOptions {
    match ca_file() {
        Some(ca) => ConnectOptions::default().ca_file(ca),
        None => ConnectOptions::default(),
    }
}

/// The lines of a `dancu.toml` store table (`[audit]`, `[dossiers]`,
/// `[quota]`) for `url` on the test server, with its `ca_file` when it has
/// one.
#[must_use]
pub fn store_toml(url: &str) -> String {
    match ca_file() {
        Some(ca) => format!("url = \"{url}\"\nca_file = \"{ca}\""),
        None => format!("url = \"{url}\""),
    }
}

/// A PostgreSQL client program (`psql`, `pg_dump`): from [`BIN_ENV`] when
/// it is there, else from the `PATH`.
#[must_use]
pub fn program(name: &str) -> PathBuf {
    std::env::var_os(BIN_ENV)
        .map(|d| PathBuf::from(d).join(name))
        .filter(|p| p.exists())
        .unwrap_or_else(|| name.into())
}
