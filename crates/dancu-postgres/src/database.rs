//! Connecting: the URL (its password never shown), TLS, the pool.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::config::SslMode;

use crate::migrate;

/// A PostgreSQL connection URL, `postgres://user@host:port/database?…`.
///
/// Its password, if it carries one, is never shown: `Display` and `Debug`
/// print the URL with the password replaced by `***`. Prefer leaving the
/// password out of the URL and passing it with [`ConnectOptions::password`]
/// (from an environment variable, say).
///
/// ```
/// use dancu_postgres::PostgresUrl;
///
/// let url: PostgresUrl = "postgres://dancu:s3cret@db.local:5432/dancu".parse().unwrap();
/// assert_eq!(url.to_string(), "postgres://dancu:***@db.local:5432/dancu");
/// assert!(!format!("{url:?}").contains("s3cret"));
/// assert!("mysql://x@y/z".parse::<PostgresUrl>().is_err());
/// ```
#[derive(Clone)]
pub struct PostgresUrl {
    shown: String,
    config: tokio_postgres::Config,
}

/// Why a string is not a PostgreSQL URL. Never holds the string itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a PostgreSQL URL (postgres://user@host:port/database): {reason}")]
pub struct UrlError {
    reason: String,
}

impl FromStr for PostgresUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, UrlError> {
        let bad = |reason: &str| UrlError {
            reason: reason.to_owned(),
        };
        if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
            return Err(bad("it must start with postgres:// or postgresql://"));
        }
        let mut shown = url::Url::parse(s).map_err(|e| bad(&e.to_string()))?;
        if shown.password().is_some() {
            shown
                .set_password(Some("***"))
                .map_err(|()| bad("its password cannot be hidden"))?;
        }
        // tokio-postgres's messages name the parameter, never its value.
        let config = tokio_postgres::Config::from_str(s).map_err(|e| bad(&e.to_string()))?;
        if config.get_hosts().is_empty() {
            return Err(bad("it names no host"));
        }
        if config.get_dbname().is_none() {
            return Err(bad("it names no database"));
        }
        Ok(Self {
            shown: shown.to_string(),
            config,
        })
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostgresUrl").field(&self.shown).finish()
    }
}

/// How to connect, beyond the URL.
#[derive(Clone)]
pub struct ConnectOptions {
    password: Option<String>,
    pool_size: usize,
    timeout: Duration,
    ca_file: Option<PathBuf>,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            password: None,
            pool_size: 16,
            timeout: Duration::from_secs(5),
            ca_file: None,
        }
    }
}

impl ConnectOptions {
    /// Connects with this password (it replaces one in the URL).
    #[must_use]
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// At most this many connections (at least 2: the audit trail's writer
    /// keeps one). 16 unless set.
    #[must_use]
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(2);
        self
    }

    /// How long connecting, or waiting for a free connection, may take
    /// before the operation fails. 5 s unless set.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts the certificate authorities in this PEM file for TLS to the
    /// server, instead of the public ones (`sslmode=require` in the URL
    /// asks for TLS; `prefer`, the default, uses it when the server offers
    /// it).
    #[must_use]
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }
}

/// Why the database could not be used. Never holds a password, nor a row's
/// values: a server error is kept as its severity, message and code only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The URL was refused.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// TLS could not be set up (the CA file).
    #[error("cannot set up TLS to PostgreSQL: {0}")]
    Tls(String),
    /// The server could not be reached, or refused the connection.
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Connect {
        /// The URL, its password hidden.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The database has a schema newer than this build knows.
    #[error(
        "the PostgreSQL database has dancu schema version {found}; this dancu knows up to {supported}: upgrade dancu"
    )]
    NewerSchema {
        /// The highest migration applied.
        found: i32,
        /// [`crate::SCHEMA_VERSION`].
        supported: i32,
    },
    /// A statement failed.
    #[error("PostgreSQL error while {doing}: {reason}")]
    Query {
        /// What was being done.
        doing: &'static str,
        /// The server's severity, message and code, or the client's error.
        reason: String,
    },
}

/// A server error as its severity, message and SQLSTATE only: the DETAIL
/// of some errors repeats a row's values, which may be personal data.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {} ({})", db.severity(), db.message(), db.code().code()),
        // A connection, TLS or protocol error: no row's values in it. Its
        // causes say what went wrong ("invalid peer certificate:
        // UnknownIssuer"), and an untrusted certificate says what to do.
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let cause_text = cause.to_string();
                if !text.contains(&cause_text) {
                    text.push_str(": ");
                    text.push_str(&cause_text);
                }
                source = cause.source();
            }
            if text.contains("certificate") {
                text.push_str(
                    " (the server's certificate is not trusted: name its certificate authority \
                     with `ca_file`, and connect by the host name the certificate is for)",
                );
            }
            text
        }
    }
}

/// Maps a client error to [`DbError::Query`].
pub(crate) fn query(doing: &'static str) -> impl Fn(tokio_postgres::Error) -> DbError {
    move |e| DbError::Query {
        doing,
        reason: describe(&e),
    }
}

/// A pool error as a reason, without personal data (it holds none).
pub(crate) fn describe_pool(e: &deadpool_postgres::PoolError) -> String {
    match e {
        deadpool_postgres::PoolError::Backend(e) => describe(e),
        e => e.to_string(),
    }
}

/// A pool of connections to one PostgreSQL database whose dancu schema is
/// migrated to [`crate::SCHEMA_VERSION`]. Cheap to clone; the stores of
/// this crate share one.
///
/// Every connection runs with `synchronous_commit=on`, whatever the
/// server's default: a commit that returned is on disk.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    url: Arc<str>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects to `url` and applies the migrations not yet applied
    /// ([`crate::MIGRATIONS`]), under an advisory lock so that instances
    /// starting together migrate once.
    ///
    /// # Errors
    ///
    /// [`DbError`] when the server cannot be reached, the TLS set-up
    /// fails, a migration fails, or the schema is newer than this build.
    pub async fn connect(url: &PostgresUrl, options: &ConnectOptions) -> Result<Self, DbError> {
        let db = Self::connect_unmigrated(url, options)?;
        db.migrate().await?;
        Ok(db)
    }

    /// A pool on `url` that has not connected yet and applies no
    /// migration: each operation connects as needed.
    ///
    /// # Errors
    ///
    /// [`DbError::Tls`] when the CA file cannot be read; [`DbError::Connect`]
    /// when the pool cannot be built.
    pub fn connect_unmigrated(
        url: &PostgresUrl,
        options: &ConnectOptions,
    ) -> Result<Self, DbError> {
        let mut config = url.config.clone();
        if let Some(p) = &options.password {
            config.password(p.as_bytes());
        }
        let extra = "-c synchronous_commit=on";
        let opts = match config.get_options() {
            Some(o) if !o.trim().is_empty() => format!("{o} {extra}"),
            _ => extra.to_owned(),
        };
        config.options(&opts);
        config.connect_timeout(options.timeout);
        if config.get_application_name().is_none() {
            config.application_name("dancu");
        }
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(client_tls(options)?);
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.timeout))
            .create_timeout(Some(options.timeout))
            .recycle_timeout(Some(options.timeout))
            .build()
            .map_err(|e| DbError::Connect {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            pool,
            url: url.to_string().into(),
        })
    }

    /// Applies the migrations not yet applied; returns their versions.
    ///
    /// # Errors
    ///
    /// As [`Database::connect`].
    pub async fn migrate(&self) -> Result<Vec<i32>, DbError> {
        let mut client = self.client().await?;
        migrate::apply(&mut client).await
    }

    /// The highest migration applied (0 for a database dancu never used).
    ///
    /// # Errors
    ///
    /// [`DbError`] when the database cannot be read.
    pub async fn schema_version(&self) -> Result<i32, DbError> {
        let client = self.client().await?;
        migrate::version(&client).await
    }

    /// Runs one trivial statement: whether the database answers now.
    ///
    /// # Errors
    ///
    /// [`DbError`] when it does not.
    pub async fn ping(&self) -> Result<(), DbError> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(query("checking the connection"))?;
        Ok(())
    }

    /// The URL, its password hidden.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection from the pool.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, DbError> {
        self.pool.get().await.map_err(|e| DbError::Connect {
            url: self.url.to_string(),
            reason: describe_pool(&e),
        })
    }
}

/// The rustls client configuration: the CA file's authorities, or the
/// public ones.
fn client_tls(options: &ConnectOptions) -> Result<rustls::ClientConfig, DbError> {
    let mut roots = rustls::RootCertStore::empty();
    match &options.ca_file {
        Some(path) => {
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| {
                DbError::Tls(format!("cannot read the CA file {}: {e}", path.display()))
            })?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    DbError::Tls(format!("bad certificate in {}: {e}", path.display()))
                })?;
                roots.add(cert).map_err(|e| {
                    DbError::Tls(format!("bad certificate in {}: {e}", path.display()))
                })?;
            }
            if roots.is_empty() {
                return Err(DbError::Tls(format!(
                    "the CA file {} holds no certificate",
                    path.display()
                )));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Whether the URL asks for TLS (`sslmode=require`).
#[must_use]
pub fn requires_tls(url: &PostgresUrl) -> bool {
    url.config.get_ssl_mode() == SslMode::Require
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hide_their_password_and_bad_ones_are_refused() {
        let url: PostgresUrl = "postgresql://u:pa%20ss@h/db?sslmode=require"
            .parse()
            .expect("url");
        assert_eq!(url.to_string(), "postgresql://u:***@h/db?sslmode=require");
        assert!(requires_tls(&url));
        for bad in [
            "",
            "u:pw@h/db",
            "postgres://u:topsecret@h:notaport/db",
            "postgres://u:topsecret@h/db?nosuchoption=1",
            "postgres://u:topsecret@h",
        ] {
            let e = bad.parse::<PostgresUrl>().expect_err(bad).to_string();
            assert!(!e.contains("topsecret"), "{e}");
        }
        let o = ConnectOptions::default().password("hunter2");
        assert!(!format!("{o:?}").contains("hunter2"));
    }
}
