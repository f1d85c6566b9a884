#![doc = include_str!("../README.md")]
// Nothing from the network, a file or the command line may panic this crate:
// no unwrap, expect or panic outside tests (clippy, under `-D warnings` in CI).
// No arithmetic that can overflow either: checked or saturating operations,
// or an `allow` that states the bound.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod error;
mod schema;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use dancu_core::dossier::{Dossier, DossierStatus, DossierStore, StoreError};
use dancu_core::{CalendarDate, DossierCode, Timestamp};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use error::{Error, Op};

pub use schema::SCHEMA_VERSION;

/// How long a connection waits for another connection (in this process or
/// another one) to release the database before giving up, unless
/// [`SqliteDossierStore::open_with_busy_timeout`] says otherwise.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The highest serial a unit can issue in a day: serials have four digits.
const LAST_SERIAL: u32 = 9_999;

/// A [`DossierStore`] in one SQLite file.
///
/// Every handle opened on the same file — in this process or in another —
/// shares one serial counter per unit and day: [`DossierStore::issue_code`]
/// increments it inside a `BEGIN IMMEDIATE` transaction, so no two callers
/// ever receive the same code. [`DossierStore::save`] writes the dossier and
/// its indexed columns in one transaction. The database runs in WAL mode
/// with `synchronous=FULL`, so a save that returned survives a crash of the
/// process or of the machine.
///
/// Blocking SQLite calls run on tokio's blocking pool when called inside a
/// tokio runtime (and inline otherwise), so they never stall the async
/// workers. Cloning a handle is cheap and shares its connections.
#[derive(Clone)]
pub struct SqliteDossierStore {
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    /// Every write goes through this connection, one at a time per handle.
    writer: Mutex<Connection>,
    /// Loads and lists; WAL lets them run beside a write.
    reader: Mutex<Connection>,
}

impl fmt::Debug for SqliteDossierStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteDossierStore")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

impl SqliteDossierStore {
    /// Opens (creating if needed) the store at `path`, with WAL,
    /// `synchronous=FULL` and a [`DEFAULT_BUSY_TIMEOUT`], and brings its
    /// schema to [`SCHEMA_VERSION`].
    ///
    /// This blocks the calling thread for the few file operations it takes;
    /// inside an async context, call it from `spawn_blocking` if that
    /// matters.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the file cannot be opened or created,
    /// is not a SQLite database, cannot use WAL (an in-memory or temporary
    /// database), or carries a schema version newer than this build knows.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with_busy_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Like [`SqliteDossierStore::open`], waiting at most `busy_timeout`
    /// for other connections to release the database on each operation.
    ///
    /// # Errors
    ///
    /// As [`SqliteDossierStore::open`].
    pub fn open_with_busy_timeout(
        path: impl AsRef<Path>,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let opened = (|| {
            let mut writer = schema::connect(path, busy_timeout, &shown)?;
            schema::migrate(&mut writer)?;
            let reader = schema::connect(path, busy_timeout, &shown)?;
            reader
                .pragma_update(None, "query_only", true)
                .op("making the read connection read-only")?;
            Ok::<_, Error>((writer, reader))
        })();
        let (writer, reader) = opened.map_err(|e| {
            tracing::warn!(path = %shown, error = %e, "cannot open the dossier store");
            StoreError::from(e)
        })?;
        tracing::debug!(path = %shown, "dossier store opened");
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                reader: Mutex::new(reader),
            }),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Runs `work` off the async workers: on tokio's blocking pool inside a
    /// tokio runtime, inline otherwise.
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Shared) -> Result<T, Error> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let outcome = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime
                .spawn_blocking(move || work(&shared))
                .await
                .unwrap_or_else(|e| Err(Error::Task(e.to_string()))),
            Err(_) => work(&shared),
        };
        outcome.map_err(|e| {
            tracing::warn!(path = %self.shared.path.display(), error = %e, "dossier store operation failed");
            StoreError::from(e)
        })
    }
}

fn lock(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a transaction open: the
    // transaction guard rolls back when it is dropped during unwinding.
    connection.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The columns stored beside a dossier's JSON body.
struct Row {
    code: String,
    unit: String,
    status: u8,
    channel: u8,
    procedure: String,
    owner_id_masked: String,
    intake_date: Option<String>,
    body: String,
    /// The code's counter position, unless it is a re-issued 5-digit code.
    serial: Option<(String, String, u32)>,
}

impl Row {
    fn of(dossier: &Dossier) -> Result<Self, Error> {
        let code = dossier.code.to_string();
        let body = serde_json::to_string(dossier).map_err(|e| Error::Encode {
            code: code.clone(),
            reason: dancu_core::dossier::describe_stored_json(&e),
        })?;
        let serial = (!dossier.code.is_reissued()).then(|| {
            (
                dossier.code.unit().to_owned(),
                dossier.code.date().to_string(),
                dossier.code.serial(),
            )
        });
        Ok(Self {
            code,
            unit: dossier.unit.clone(),
            status: dossier.status.code(),
            channel: dossier.channel.code(),
            procedure: dossier.procedure.to_string(),
            owner_id_masked: dossier.owner.id().value.masked().to_string(),
            intake_date: dossier.intake_date.map(|d| d.to_string()),
            body,
            serial,
        })
    }
}

/// Whether `unit` and `date` can make a dossier code
/// ([`DossierCode::check_parts`]).
fn check_code_parts(unit: &str, date: CalendarDate) -> Result<(), Error> {
    DossierCode::check_parts(unit, date).map_err(|reason| Error::InvalidInput {
        unit: unit.to_owned(),
        reason,
    })
}

fn decode(code: &str, body: &str) -> Result<Dossier, Error> {
    let dossier: Dossier = serde_json::from_str(body).map_err(|e| Error::Corrupt {
        code: code.to_owned(),
        reason: dancu_core::dossier::describe_stored_json(&e),
    })?;
    if dossier.code.to_string() != code {
        return Err(Error::Corrupt {
            code: code.to_owned(),
            reason: "the body holds another dossier code".to_owned(),
        });
    }
    Ok(dossier)
}

#[async_trait]
impl DossierStore for SqliteDossierStore {
    async fn issue_code(&self, unit: &str, date: CalendarDate) -> Result<DossierCode, StoreError> {
        // Reject a malformed unit or an out-of-range date before counting.
        check_code_parts(unit, date)?;
        let owned_unit = unit.to_owned();
        let last = self
            .run(move |shared| {
                let mut conn = lock(&shared.writer);
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .op("starting the serial transaction")?;
                let last: Option<u32> = tx
                    .prepare_cached(
                        "INSERT INTO serials (unit, day, last) VALUES (?1, ?2, 1)
                         ON CONFLICT (unit, day) DO UPDATE SET last = last + 1
                         WHERE last < ?3
                         RETURNING last",
                    )
                    .op("preparing the serial upsert")?
                    .query_row(params![owned_unit, date.to_string(), LAST_SERIAL], |row| {
                        row.get(0)
                    })
                    .optional()
                    .op("counting the serial")?;
                tx.commit().op("committing the serial")?;
                Ok(last)
            })
            .await?;
        let Some(serial) = last else {
            tracing::warn!(unit, %date, "every dossier serial of the day is used");
            return Err(StoreError::SerialsExhausted {
                unit: unit.to_owned(),
                date,
            });
        };
        let code = DossierCode::new(unit, date, serial).map_err(|e| {
            StoreError::from(Error::InvalidInput {
                unit: unit.to_owned(),
                reason: e.to_string(),
            })
        })?;
        tracing::debug!(%code, "dossier code issued");
        Ok(code)
    }

    async fn save(&self, dossier: &Dossier) -> Result<(), StoreError> {
        let row = Row::of(dossier)?;
        let code = row.code.clone();
        self.run(move |shared| {
            let updated_at = Timestamp::now().to_string();
            let mut conn = lock(&shared.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .op("starting the save transaction")?;
            tx.prepare_cached(
                "INSERT INTO dossiers (code, unit, status, channel, procedure,
                                       owner_id_masked, intake_date, updated_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (code) DO UPDATE SET
                     unit = excluded.unit,
                     status = excluded.status,
                     channel = excluded.channel,
                     procedure = excluded.procedure,
                     owner_id_masked = excluded.owner_id_masked,
                     intake_date = excluded.intake_date,
                     updated_at = excluded.updated_at,
                     body = excluded.body",
            )
            .op("preparing the dossier upsert")?
            .execute(params![
                row.code,
                row.unit,
                row.status,
                row.channel,
                row.procedure,
                row.owner_id_masked,
                row.intake_date,
                updated_at,
                row.body,
            ])
            .op("writing the dossier")?;
            // A dossier whose code this store did not issue (an import)
            // moves the counter past its serial, so the code is never
            // issued again.
            if let Some((unit, day, serial)) = &row.serial {
                tx.prepare_cached(
                    "INSERT INTO serials (unit, day, last) VALUES (?1, ?2, ?3)
                     ON CONFLICT (unit, day) DO UPDATE SET last = max(last, excluded.last)",
                )
                .op("preparing the serial catch-up")?
                .execute(params![unit, day, serial])
                .op("catching the serial counter up")?;
            }
            tx.commit().op("committing the dossier")?;
            Ok(())
        })
        .await?;
        tracing::debug!(%code, "dossier saved");
        Ok(())
    }

    async fn replace_if_status(
        &self,
        dossier: &Dossier,
        expected: DossierStatus,
    ) -> Result<(), StoreError> {
        let row = Row::of(dossier)?;
        let code = row.code.clone();
        self.run(move |shared| {
            let updated_at = Timestamp::now().to_string();
            let mut conn = lock(&shared.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .op("starting the conditional replace")?;
            let changed = tx
                .prepare_cached(
                    "UPDATE dossiers SET
                         unit = ?2, status = ?3, channel = ?4, procedure = ?5,
                         owner_id_masked = ?6, intake_date = ?7, updated_at = ?8,
                         body = ?9
                     WHERE code = ?1 AND status = ?10",
                )
                .op("preparing the conditional replace")?
                .execute(params![
                    row.code,
                    row.unit,
                    row.status,
                    row.channel,
                    row.procedure,
                    row.owner_id_masked,
                    row.intake_date,
                    updated_at,
                    row.body,
                    expected.code(),
                ])
                .op("replacing the dossier")?;
            if changed == 0 {
                let found: Option<u8> = tx
                    .query_row(
                        "SELECT status FROM dossiers WHERE code = ?1",
                        params![row.code],
                        |r| r.get(0),
                    )
                    .optional()
                    .op("reading the dossier's status")?;
                return Err(Error::StatusChanged {
                    code: row.code,
                    expected,
                    found: found.and_then(DossierStatus::from_code),
                });
            }
            tx.commit().op("committing the conditional replace")?;
            Ok(())
        })
        .await?;
        tracing::debug!(%code, "dossier replaced");
        Ok(())
    }

    async fn load(&self, code: &DossierCode) -> Result<Option<Dossier>, StoreError> {
        let code = code.to_string();
        self.run(move |shared| {
            let conn = lock(&shared.reader);
            let body: Option<String> = conn
                .prepare_cached("SELECT body FROM dossiers WHERE code = ?1")
                .op("preparing the dossier lookup")?
                .query_row(params![code], |row| row.get(0))
                .optional()
                .op("reading the dossier")?;
            body.map(|body| decode(&code, &body)).transpose()
        })
        .await
    }

    async fn list(&self, unit: &str, status: DossierStatus) -> Result<Vec<Dossier>, StoreError> {
        let unit = unit.to_owned();
        self.run(move |shared| {
            let conn = lock(&shared.reader);
            let mut statement = conn
                .prepare_cached(
                    "SELECT code, body FROM dossiers
                     WHERE unit = ?1 AND status = ?2
                     ORDER BY code",
                )
                .op("preparing the dossier listing")?;
            let rows = statement
                .query_map(params![unit, status.code()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .op("listing dossiers")?;
            let mut dossiers = Vec::new();
            for row in rows {
                let (code, body) = row.op("reading a listed dossier")?;
                dossiers.push(decode(&code, &body)?);
            }
            Ok(dossiers)
        })
        .await
    }
}
