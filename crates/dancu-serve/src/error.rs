//! Why the service cannot start.

use std::path::PathBuf;

/// Why the service cannot start: each names the file or setting to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A setting of `dancu.toml` is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The audit trail cannot be opened (every lookup must be audited).
    #[error("the audit trail {}: {reason}", path.display())]
    Audit {
        /// The audit database.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The dossier store cannot be opened.
    #[error("the dossier store {}: {reason}", path.display())]
    Dossiers {
        /// The dossier database.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A PostgreSQL store cannot be used: its URL, its password variable,
    /// the server, or its schema. Never holds the password.
    #[error("{what} in PostgreSQL: {reason}")]
    Postgres {
        /// The store's table in `dancu.toml`: `[audit]`, `[dossiers]`.
        what: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The TLS certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The address cannot be listened on.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The system's error.
        source: std::io::Error,
    },
}
