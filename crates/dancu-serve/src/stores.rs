//! Opening the stores `dancu.toml` names: a SQLite file (`path`) or a
//! PostgreSQL database shared by every instance (`url`).

use std::sync::Arc;

use dancu_core::dossier::DossierStore;
use dancu_core::registry::AuditSink;
use dancu_dossier_sqlite::SqliteDossierStore;
use dancu_popdb::audit::SqliteAuditSink;
use dancu_popdb::config::{PostgresLocation, StoreLocation};
use dancu_postgres::{ConnectOptions, Database, PgAuditSink, PgDossierStore, PostgresUrl};

use crate::error::ServeError;

/// How to connect to a configured PostgreSQL database: the password from
/// the variable `password_env` names, the certificate authorities of
/// `ca_file`. `what` names the store in errors (`[audit]`, `[dossiers]`).
///
/// # Errors
///
/// [`ServeError::Postgres`] when the password variable is not set.
pub fn connect_options(
    what: &'static str,
    location: &PostgresLocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ConnectOptions, ServeError> {
    let mut options = ConnectOptions::default();
    if let Some(var) = &location.password_env {
        let password = env(var).ok_or_else(|| ServeError::Postgres {
            what,
            reason: format!("password_env: environment variable {var} is not set"),
        })?;
        options = options.password(password);
    }
    if let Some(ca) = &location.ca_file {
        options = options.ca_file(ca);
    }
    Ok(options)
}

/// Connects to a configured PostgreSQL database (see [`connect_options`])
/// and applies the migrations it lacks. `what` names the store in errors
/// (`[audit]`, `[dossiers]`).
///
/// # Errors
///
/// [`ServeError::Postgres`]: a bad URL, an unset password variable, an
/// unreadable CA file, an unreachable or untrusted server, a failed
/// migration. None holds the password.
pub async fn connect_postgres(
    what: &'static str,
    location: &PostgresLocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Database, ServeError> {
    let failed = |reason: String| ServeError::Postgres { what, reason };
    let url: PostgresUrl = location
        .url
        .parse()
        .map_err(|e: dancu_postgres::UrlError| failed(e.to_string()))?;
    let options = connect_options(what, location, env)?;
    Database::connect(&url, &options)
        .await
        .map_err(|e| failed(e.to_string()))
}

/// The audit trail at `location`; for PostgreSQL, also its database (to
/// watch for `/readyz`).
///
/// # Errors
///
/// [`ServeError::Audit`] or [`ServeError::Postgres`].
pub async fn open_audit(
    location: &StoreLocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Arc<dyn AuditSink>, Option<Database>), ServeError> {
    match location {
        StoreLocation::Sqlite(path) => {
            let sink = SqliteAuditSink::open(path).map_err(|e| ServeError::Audit {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Ok((Arc::new(sink), None))
        }
        StoreLocation::Postgres(pg) => {
            let db = connect_postgres("[audit]", pg, env).await?;
            Ok((Arc::new(PgAuditSink::new(db.clone())), Some(db)))
        }
    }
}

/// The dossier store at `location`; for PostgreSQL, also its database.
///
/// # Errors
///
/// [`ServeError::Dossiers`] or [`ServeError::Postgres`].
pub async fn open_dossiers(
    location: &StoreLocation,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Arc<dyn DossierStore>, Option<Database>), ServeError> {
    match location {
        StoreLocation::Sqlite(path) => {
            let store = SqliteDossierStore::open(path).map_err(|e| ServeError::Dossiers {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Ok((Arc::new(store), None))
        }
        StoreLocation::Postgres(pg) => {
            let db = connect_postgres("[dossiers]", pg, env).await?;
            Ok((Arc::new(PgDossierStore::new(db.clone())), Some(db)))
        }
    }
}
