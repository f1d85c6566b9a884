//! A fresh schema on the test server for each store.

use std::sync::atomic::{AtomicU32, Ordering};

use dancu_postgres::{ConnectOptions, Database, PostgresUrl};

/// The variable that names the test server.
pub(crate) const URL_ENV: &str = "DANCU_TEST_POSTGRES_URL";

/// The test server's URL; `None` (with a message saying how to start one)
/// when there is none on a developer machine.
///
/// # Panics
///
/// When there is none and `CI` is set: CI must run these tests.
pub(crate) fn server_url(test: &str) -> Option<String> {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{test}: {URL_ENV} is not set, and CI is: the PostgreSQL tests must run in CI \
             (start a server with `bash .ci/postgres run cargo test --workspace --locked`)"
        ),
        _ => {
            eprintln!(
                "{test}: skipped, no PostgreSQL server ({URL_ENV} is not set); run \
                 `bash .ci/postgres run cargo test -p dancu-postgres` to start a throwaway one"
            );
            None
        }
    }
}

/// The options every test connection uses: the test server's own
/// certificate authority, when it names one (`.ci/postgres` serves TLS and
/// sets `DANCU_TEST_POSTGRES_CA`), so the stores are tested over verified
/// TLS as a province runs them.
pub(crate) fn options() -> ConnectOptions {
    match std::env::var("DANCU_TEST_POSTGRES_CA") {
        Ok(ca) if !ca.trim().is_empty() => ConnectOptions::default().ca_file(ca),
        _ => ConnectOptions::default(),
    }
}

/// A new, empty schema on the server, and a URL whose connections use it.
pub(crate) struct Scratch {
    /// Connections through this URL see the scratch schema only.
    pub(crate) url: PostgresUrl,
    /// The schema's name.
    pub(crate) schema: String,
    /// The server's URL, without the schema.
    pub(crate) base: String,
}

impl Scratch {
    /// A fresh schema, or `None` when there is no server (see [`server_url`]).
    pub(crate) async fn new(test: &str) -> Option<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = server_url(test)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let schema = format!(
            "t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("{test}: cannot connect to {URL_ENV}: {e}"));
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}")
            .parse()
            .unwrap();
        Some(Self { url, schema, base })
    }

    /// A connected, migrated database on the schema: an instance.
    pub(crate) async fn database(&self) -> Database {
        Database::connect(&self.url, &options()).await.unwrap()
    }

    /// A plain client on the scratch schema, to look at the tables.
    pub(crate) async fn raw(&self) -> tokio_postgres::Client {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}options=-csearch_path%3D{}", self.base, self.schema);
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }
}
