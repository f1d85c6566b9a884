//! The adapter's own errors, mapped up to the port's [`StoreError`].

use dancu_core::dossier::{DossierStatus, StoreError};

/// What went wrong inside the SQLite store. Messages name codes, units and
/// paths, never a dossier's personal data.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The database file could not be opened or set up.
    #[error("cannot open the dossier database {path}: {reason}")]
    Open { path: String, reason: String },
    /// The schema was written by another (newer) build, or by something else.
    #[error(
        "the dossier database has schema version {found}; this build reads version {supported} (or creates it in an empty file)"
    )]
    SchemaVersion { found: i64, supported: u32 },
    /// A SQLite call failed.
    #[error("{op}: {source}")]
    Sqlite {
        op: &'static str,
        source: rusqlite::Error,
    },
    /// The unit or date cannot make a dossier code.
    #[error("cannot issue a dossier code for unit {unit:?}: {reason}")]
    InvalidInput { unit: String, reason: String },
    /// A dossier could not be turned into JSON.
    #[error("cannot encode dossier {code}: {reason}")]
    Encode { code: String, reason: String },
    /// A stored body is not a dossier (or not this one).
    #[error("stored dossier {code} is unreadable: {reason}")]
    Corrupt { code: String, reason: String },
    /// A conditional replace found the dossier gone or in another status.
    #[error("dossier {code} changed status")]
    StatusChanged {
        code: String,
        expected: DossierStatus,
        found: Option<DossierStatus>,
    },
    /// The blocking task panicked or was cancelled.
    #[error("the dossier store task failed: {0}")]
    Task(String),
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::StatusChanged {
                code,
                expected,
                found,
            } => Self::StatusChanged {
                code,
                expected,
                found,
            },
            e => Self::Backend(e.to_string()),
        }
    }
}

/// Adds the operation to a SQLite error.
pub(crate) trait Op<T> {
    fn op(self, op: &'static str) -> Result<T, Error>;
}

impl<T> Op<T> for Result<T, rusqlite::Error> {
    fn op(self, op: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Sqlite { op, source })
    }
}
