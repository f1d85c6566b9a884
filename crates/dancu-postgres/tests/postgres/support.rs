//! A fresh schema on the test server for each store.

use std::sync::atomic::{AtomicU32, Ordering};

use dancu_postgres::{Database, PostgresUrl};

pub(crate) use dancu_postgres::testkit::connect_options as options;

/// The test server's URL, or `None` (saying how to start one) on a
/// developer machine without one; fails under `CI`.
pub(crate) fn server_url(test: &str) -> Option<String> {
    dancu_postgres::testkit::server_url(test, "cargo test -p dancu-postgres")
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
            .unwrap_or_else(|e| {
                panic!(
                    "{test}: cannot connect to {}: {e}",
                    dancu_postgres::testkit::URL_ENV
                )
            });
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
