//! The embedded SQLite audit store.
//!
//! One dedicated writer thread owns the write connection. Callers hand it
//! their `begin`, `complete` and `purge` requests through a channel; it
//! takes every request waiting, runs them all in one transaction, commits
//! (with `synchronous=FULL` in WAL mode the commit is synced to disk) and
//! only then answers each caller. Concurrent lookups therefore share one
//! sync — group commit — and no caller is ever answered before its write is
//! durable. Queries run on a second thread with its own connection, so they
//! never hold up the writer.
//!
//! Schema 2 adds what the [`AuditSink`] port requires of every store: an
//! index of every number of the subject (`audit_subject`: the number typed,
//! and the personal ID and CMND of the record returned) and the salt's
//! check value (`audit_meta`). A schema-1 file is migrated when opened for
//! writing — each old record keeps its one hash — and read as it is when
//! opened read-only.
//!
//! Schema 3 adds the calling client (`client`: the one-stop system a
//! service made the lookup for, [`AuditEntry::client`]). A schema-1 or
//! schema-2 file is migrated when opened for writing — its records have no
//! client (NULL) — and read as it is, without one, when opened read-only.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditSubject,
    AuditTicket, ExchangeDigest, Operation,
};
use dancu_core::{Masked, Timestamp};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};
use tokio::sync::oneshot;

/// The schema version this code writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 3;

/// At most this many requests share one commit.
const MAX_BATCH: usize = 4096;

/// A purge deletes at most this many records per commit, so that lookups
/// keep flowing while a large purge runs.
const PURGE_CHUNK: usize = 2000;

/// How long a connection waits for another process holding the lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA_V1: &str = "
CREATE TABLE audit_record (
    id               INTEGER PRIMARY KEY,
    request_id       TEXT    NOT NULL,
    started_at       INTEGER NOT NULL,
    officer          TEXT    NOT NULL,
    unit             TEXT,
    procedure_code   TEXT    NOT NULL,
    dossier_code     TEXT,
    purpose          TEXT,
    gateway          TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    operation        TEXT    NOT NULL CHECK (operation IN ('lookup', 'check')),
    subject_masked   TEXT    NOT NULL,
    subject_hash     TEXT    NOT NULL CHECK (length(subject_hash) = 64),
    outcome          TEXT    CHECK (outcome IS NULL OR length(outcome) > 0),
    attempts         INTEGER,
    completed_at     INTEGER,
    data_as_of       TEXT,
    request_sha256   TEXT    CHECK (request_sha256 IS NULL OR length(request_sha256) = 64),
    response_sha256  TEXT    CHECK (response_sha256 IS NULL OR length(response_sha256) = 64)
) STRICT;
CREATE INDEX audit_by_subject ON audit_record (subject_hash, started_at);
CREATE INDEX audit_by_officer ON audit_record (officer, started_at);
CREATE INDEX audit_by_dossier ON audit_record (dossier_code, started_at);
CREATE INDEX audit_by_started ON audit_record (started_at);
";

/// Schema 1 to 2: every number of the subject indexed, and the salt's check
/// value. Old records keep their one hash.
const MIGRATE_V2: &str = "
CREATE TABLE audit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE audit_subject (
    subject_hash   TEXT    NOT NULL CHECK (length(subject_hash) = 64),
    record_id      INTEGER NOT NULL,
    subject_masked TEXT    NOT NULL,
    PRIMARY KEY (subject_hash, record_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_subject_by_record ON audit_subject (record_id);
INSERT INTO audit_subject (subject_hash, record_id, subject_masked)
    SELECT subject_hash, id, subject_masked FROM audit_record;
DROP INDEX audit_by_subject;
";

/// Schema 2 to 3: the calling client. Old records have none (NULL).
const MIGRATE_V3: &str = "
ALTER TABLE audit_record ADD COLUMN client TEXT;
";

/// The `audit_meta` key of the salt's check value.
const SALT_CHECK_KEY: &str = "salt_check";

/// The other numbers a record is indexed under (schema 2), as
/// `masked hash` pairs joined by commas.
const OTHER_SUBJECTS: &str = "(SELECT group_concat(s.subject_masked || ' ' || s.subject_hash, ',') \
     FROM audit_subject s WHERE s.record_id = audit_record.id \
     AND s.subject_hash <> audit_record.subject_hash)";

const COLUMNS: &str = "id, request_id, started_at, officer, unit, procedure_code, dossier_code, \
     purpose, gateway, channel, operation, subject_masked, subject_hash, outcome, attempts, \
     completed_at, data_as_of, request_sha256, response_sha256";

/// Why the audit database could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// SQLite could not open or set up the file.
    #[error("cannot open the audit database {path}: {reason}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// The file holds other tables: it is not an audit database.
    #[error("{path} is not a dancu audit database (it holds other tables)")]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by a newer dancu.
    #[error(
        "the audit database {path} has schema version {found}; this dancu reads up to {supported}"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`SCHEMA_VERSION`].
        supported: i64,
    },
    /// The file system refused WAL mode (e.g. a network share).
    #[error("the audit database {path} cannot use WAL journaling (journal mode is {mode})")]
    NoWal {
        /// The file.
        path: PathBuf,
        /// The mode SQLite kept.
        mode: String,
    },
    /// SQLite's integrity check found the file damaged (overwritten pages,
    /// a truncated copy): records could be missing from every query, so
    /// nothing is written to it and no lookup can be audited.
    #[error(
        "the audit database {path} is damaged ({finding}); restore it from a backup or move it aside"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// SQLite's first finding, e.g. "database disk image is malformed"
        /// or "Tree 4 page 7 cell 0: …"; it names pages, never a record.
        finding: String,
    },
    /// A worker thread could not be started.
    #[error("cannot start the audit store's threads: {0}")]
    Thread(String),
}

/// Errors inside the store, mapped to [`AuditError`] at the port.
#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored record {id} has an invalid {column}")]
    Corrupt { id: i64, column: &'static str },
    #[error("the audit store's {0} thread has stopped")]
    Stopped(&'static str),
    #[error("the subject hash must be 64 lower-case hex characters")]
    BadSubjectHash,
    #[error("the salt check value must be 64 lower-case hex characters")]
    BadSaltCheck,
    #[error("salt mismatch")]
    SaltMismatch,
    #[error("the outcome must not be empty")]
    EmptyOutcome,
    #[error("this kind of audit query is not supported by the SQLite store")]
    UnsupportedQuery,
    #[error("the audit store was opened read-only")]
    ReadOnly,
}

impl From<StoreError> for AuditError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::SaltMismatch => Self::SaltMismatch,
            e => Self::Store(e.to_string()),
        }
    }
}

type Answer<T> = oneshot::Sender<Result<T, AuditError>>;

enum Job {
    Begin(Box<AuditEntry>, Answer<AuditTicket>),
    Complete(AuditTicket, Box<AuditCompletion>, Answer<()>),
    /// Purge before the cutoff; how many were deleted so far.
    Purge(Timestamp, u64, Answer<u64>),
}

/// A finished job, waiting for the commit before its caller is answered.
enum Done {
    Begin(Answer<AuditTicket>, Result<AuditTicket, AuditError>),
    Complete(Answer<()>, Result<(), AuditError>),
    Purge(Answer<u64>, Result<u64, AuditError>),
    /// A purge chunk done, with more to delete in the next batch.
    PurgeMore(Timestamp, u64, Answer<u64>),
}

impl Done {
    fn is_ok(&self) -> bool {
        match self {
            Self::Begin(_, r) => r.is_ok(),
            Self::Complete(_, r) => r.is_ok(),
            Self::Purge(_, r) => r.is_ok(),
            Self::PurgeMore(..) => true,
        }
    }

    /// Answers the caller; `failure` replaces a success that did not commit.
    fn answer(self, failure: Option<&AuditError>) {
        // A caller that stopped waiting (its future was dropped) is not an
        // error: the write stands either way.
        match self {
            Self::Begin(tx, r) => {
                let _ = tx.send(override_ok(r, failure));
            }
            Self::Complete(tx, r) => {
                let _ = tx.send(override_ok(r, failure));
            }
            Self::Purge(tx, r) => {
                let _ = tx.send(override_ok(r, failure));
            }
            Self::PurgeMore(_, _, tx) => {
                if let Some(f) = failure {
                    let _ = tx.send(Err(f.clone()));
                }
            }
        }
    }
}

fn override_ok<T>(r: Result<T, AuditError>, failure: Option<&AuditError>) -> Result<T, AuditError> {
    match (r, failure) {
        (Ok(_), Some(f)) => Err(f.clone()),
        (r, _) => r,
    }
}

type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

/// Counters of the writer thread, to see group commit at work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: u64,
    /// Requests (begin, complete, purge) those commits carried.
    pub writes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    writes: AtomicU64,
}

/// The embedded SQLite audit trail: WAL journal, `synchronous=FULL`,
/// group commit on a dedicated writer thread. Share it as
/// `Arc<dyn AuditSink>`.
///
/// Dropping it lets the writer finish every request already queued, then
/// joins its threads.
pub struct SqliteAuditSink {
    path: PathBuf,
    /// The schema of the file as opened (1 or 2 only for an old file
    /// opened read-only).
    schema: i64,
    counters: Arc<Counters>,
    writer: Option<(mpsc::Sender<Job>, thread::JoinHandle<()>)>,
    reader: Option<(mpsc::Sender<ReadJob>, thread::JoinHandle<()>)>,
}

impl fmt::Debug for SqliteAuditSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteAuditSink")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteAuditSink {
    /// Opens (creating if needed) the audit database at `path`: sets WAL
    /// mode and `synchronous=FULL`, creates or checks the versioned schema,
    /// and starts the writer and reader threads.
    ///
    /// # Errors
    ///
    /// [`OpenError`] when the file cannot be opened, is not an audit
    /// database, has a newer schema, or cannot use WAL.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        let path = path.as_ref().to_path_buf();
        let sqlite = |e: rusqlite::Error| OpenError::Sqlite {
            path: path.clone(),
            reason: e.to_string(),
        };
        let mut writer = Connection::open(&path).map_err(sqlite)?;
        configure(&writer).map_err(sqlite)?;
        check_integrity(&writer, &path)?;
        let mode = switch_to_wal(&writer).map_err(sqlite)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(OpenError::NoWal { path, mode });
        }
        migrate(&mut writer, &path)?;

        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(sqlite)?;
        configure(&reader).map_err(sqlite)?;
        reader
            .pragma_update(None, "query_only", "ON")
            .map_err(sqlite)?;

        let (wtx, wrx) = mpsc::channel::<Job>();
        let counters = Arc::new(Counters::default());
        let shared = Arc::clone(&counters);
        let whandle = thread::Builder::new()
            .name("dancu-audit-writer".into())
            .spawn(move || writer_loop(writer, &wrx, &shared))
            .map_err(|e| OpenError::Thread(e.to_string()))?;
        let mut sink = Self {
            path,
            schema: SCHEMA_VERSION,
            counters,
            writer: Some((wtx, whandle)),
            reader: None,
        };
        let (rtx, rrx) = mpsc::channel::<ReadJob>();
        let rhandle = thread::Builder::new()
            .name("dancu-audit-reader".into())
            .spawn(move || {
                while let Ok(job) = rrx.recv() {
                    job(&reader);
                }
            })
            .map_err(|e| OpenError::Thread(e.to_string()))?;
        sink.reader = Some((rtx, rhandle));
        Ok(sink)
    }

    /// Opens an existing audit database for queries only: nothing is
    /// created or changed, and `begin`, `complete` and `purge_before` fail.
    /// For auditors who may read the trail but not write it. A schema-1
    /// file is read as it is (each record under its one hash, no salt
    /// check), and a schema-1 or schema-2 file without clients, until a
    /// writer migrates it.
    ///
    /// # Errors
    ///
    /// [`OpenError`] when the file does not exist or cannot be read, is not
    /// an audit database, or has another schema version.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        let path = path.as_ref().to_path_buf();
        let sqlite = |e: rusqlite::Error| OpenError::Sqlite {
            path: path.clone(),
            reason: e.to_string(),
        };
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(sqlite)?;
        reader.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        check_integrity(&reader, &path)?;
        let version: i64 = reader
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        match version {
            1 | 2 | SCHEMA_VERSION => {}
            found if found > SCHEMA_VERSION => {
                return Err(OpenError::NewerSchema {
                    path,
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            _ => return Err(OpenError::Foreign { path }),
        }
        let (rtx, rrx) = mpsc::channel::<ReadJob>();
        let rhandle = thread::Builder::new()
            .name("dancu-audit-reader".into())
            .spawn(move || {
                while let Ok(job) = rrx.recv() {
                    job(&reader);
                }
            })
            .map_err(|e| OpenError::Thread(e.to_string()))?;
        Ok(Self {
            path,
            schema: version,
            counters: Arc::default(),
            writer: None,
            reader: Some((rtx, rhandle)),
        })
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many commits the writer made, carrying how many requests: their
    /// ratio is the average group size.
    #[must_use]
    pub fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
        }
    }

    fn write<T>(&self, job: impl FnOnce(Answer<T>) -> Job) -> Result<Receiver<T>, AuditError> {
        let (tx, rx) = oneshot::channel();
        let sender = self
            .writer
            .as_ref()
            .map(|(s, _)| s)
            .ok_or(StoreError::ReadOnly)?;
        sender
            .send(job(tx))
            .map_err(|_| StoreError::Stopped("writer"))?;
        Ok(Receiver(rx, "writer"))
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<Receiver<T>, AuditError> {
        let (tx, rx) = oneshot::channel();
        let sender = self
            .reader
            .as_ref()
            .map(|(s, _)| s)
            .ok_or(StoreError::Stopped("reader"))?;
        let job: ReadJob = Box::new(move |conn| {
            let _ = tx.send(f(conn).map_err(AuditError::from));
        });
        sender
            .send(job)
            .map_err(|_| StoreError::Stopped("reader"))?;
        Ok(Receiver(rx, "reader"))
    }
}

/// A pending answer from one of the store's threads.
struct Receiver<T>(oneshot::Receiver<Result<T, AuditError>>, &'static str);

impl<T> Receiver<T> {
    async fn wait(self) -> Result<T, AuditError> {
        match self.0.await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Stopped(self.1).into()),
        }
    }
}

impl Drop for SqliteAuditSink {
    fn drop(&mut self) {
        // Closing the channels lets each thread finish what is queued and
        // return; joining makes every queued write land before we go.
        if let Some((tx, handle)) = self.writer.take() {
            drop(tx);
            let _ = handle.join();
        }
        if let Some((tx, handle)) = self.reader.take() {
            drop(tx);
            let _ = handle.join();
        }
    }
}

#[async_trait]
impl AuditSink for SqliteAuditSink {
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError> {
        check_subject(&entry.subject)?;
        let entry = Box::new(entry.clone());
        self.write(|tx| Job::Begin(entry, tx))?.wait().await
    }

    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError> {
        if completion.outcome.trim().is_empty() {
            return Err(StoreError::EmptyOutcome.into());
        }
        for subject in &completion.subjects {
            check_subject(subject)?;
        }
        let completion = Box::new(completion.clone());
        self.write(|tx| Job::Complete(ticket, completion, tx))?
            .wait()
            .await
    }

    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError> {
        let query = query.clone();
        let schema = self.schema;
        self.read(move |conn| select(conn, schema, &query))?
            .wait()
            .await
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError> {
        self.write(|tx| Job::Purge(cutoff, 0, tx))?.wait().await
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Purged records are overwritten, not just unlinked.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

/// Runs `PRAGMA quick_check` (every page and index entry read once, linear
/// in the file's size) and refuses a damaged file. A file that is not a
/// database at all stays an [`OpenError::Sqlite`].
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let damaged = |finding: String| OpenError::Damaged {
        path: path.to_path_buf(),
        finding,
    };
    let findings: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA quick_check(1)")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    match findings {
        Ok(f) if f.iter().all(|l| l == "ok") => Ok(()),
        Ok(f) => Err(damaged(f.join("; "))),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseCorrupt) => {
            Err(damaged(e.to_string()))
        }
        Err(e) => Err(OpenError::Sqlite {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

/// Sets `journal_mode=WAL` and returns the mode the database ended up in.
///
/// SQLite answers "database is locked" at once, without calling the busy
/// handler, when another connection holds the file while this one changes
/// the journal mode (several processes opening a new file together). So the
/// switch is retried here, for at most [`BUSY_TIMEOUT`].
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<String> {
    let now = Instant::now();
    let deadline = now.checked_add(BUSY_TIMEOUT).unwrap_or(now);
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && Instant::now() < deadline =>
            {
                thread::sleep(pause);
                pause = pause.saturating_mul(2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), OpenError> {
    let sqlite = |e: rusqlite::Error| OpenError::Sqlite {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    // IMMEDIATE: two processes opening a new file at once do not both
    // create the schema.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sqlite)?;
    match version {
        0 => {
            let tables: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )
                .map_err(sqlite)?;
            if tables > 0 {
                return Err(OpenError::Foreign {
                    path: path.to_path_buf(),
                });
            }
            tx.execute_batch(SCHEMA_V1).map_err(sqlite)?;
            tx.execute_batch(MIGRATE_V2).map_err(sqlite)?;
            tx.execute_batch(MIGRATE_V3).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
        }
        1 => {
            tx.execute_batch(MIGRATE_V2).map_err(sqlite)?;
            tx.execute_batch(MIGRATE_V3).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
        }
        2 => {
            tx.execute_batch(MIGRATE_V3).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
        }
        SCHEMA_VERSION => {}
        found if found > SCHEMA_VERSION => {
            return Err(OpenError::NewerSchema {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        _ => {
            return Err(OpenError::Foreign {
                path: path.to_path_buf(),
            });
        }
    }
    tx.commit().map_err(sqlite)
}

fn writer_loop(mut conn: Connection, rx: &mpsc::Receiver<Job>, counters: &Counters) {
    let mut batch = Vec::with_capacity(64);
    loop {
        // A purge still running is carried over in `batch`: then only take
        // what is already waiting.
        if batch.is_empty() {
            match rx.recv() {
                Ok(first) => batch.push(first),
                Err(_) => break,
            }
        }
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&mut conn, &mut batch, counters);
    }
}

/// Runs every queued job in one transaction, commits, then answers.
/// A purge with more to delete is put back into `batch`.
fn run_batch(conn: &mut Connection, batch: &mut Vec<Job>, counters: &Counters) {
    let mut done = Vec::with_capacity(batch.len());
    let failure = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Err(e) => Some(AuditError::from(StoreError::from(e))),
        Ok(tx) => {
            let mut aborted = None;
            for job in batch.drain(..) {
                if let Some(e) = &aborted {
                    // SQLite rolled the transaction back: nothing more runs
                    // outside it.
                    done.push(fail(job, e));
                    continue;
                }
                let d = match job {
                    Job::Begin(entry, a) => Done::Begin(a, insert(&tx, &entry).map_err(Into::into)),
                    Job::Complete(ticket, c, a) => Done::Complete(a, update(&tx, ticket, &c)),
                    Job::Purge(cutoff, so_far, a) => match purge_chunk(&tx, cutoff) {
                        Ok(n) if n == PURGE_CHUNK as u64 => {
                            Done::PurgeMore(cutoff, so_far.saturating_add(n), a)
                        }
                        Ok(n) => Done::Purge(a, Ok(so_far.saturating_add(n))),
                        Err(e) => Done::Purge(a, Err(e.into())),
                    },
                };
                if !d.is_ok() && tx.is_autocommit() {
                    aborted = Some(AuditError::Store(
                        "the audit transaction was rolled back".into(),
                    ));
                }
                done.push(d);
            }
            match aborted {
                Some(e) => Some(e),
                None => tx
                    .commit()
                    .err()
                    .map(|e| AuditError::from(StoreError::from(e))),
            }
        }
    };
    // Jobs not yet taken from the batch (the transaction never started).
    for job in batch.drain(..) {
        let e = failure
            .clone()
            .unwrap_or_else(|| AuditError::Store("the audit batch was not run".into()));
        done.push(fail(job, &e));
    }
    if failure.is_none() {
        // Counted before anyone is answered, so a caller sees its write.
        counters.commits.fetch_add(1, Ordering::Relaxed);
        counters
            .writes
            .fetch_add(done.len() as u64, Ordering::Relaxed);
    } else {
        tracing::error!(
            jobs = done.len(),
            "audit batch failed to commit; every caller in it is told"
        );
    }
    let mut purged = false;
    for d in done {
        match d {
            Done::PurgeMore(cutoff, so_far, a) if failure.is_none() => {
                batch.push(Job::Purge(cutoff, so_far, a));
            }
            d => {
                purged |= matches!(d, Done::Purge(_, Ok(_)));
                d.answer(failure.as_ref());
            }
        }
    }
    if purged && failure.is_none() {
        // Old page images of purged records may still sit in the WAL: copy
        // back and truncate it. A busy reader only postpones this.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

fn fail(job: Job, e: &AuditError) -> Done {
    match job {
        Job::Begin(_, a) => Done::Begin(a, Err(e.clone())),
        Job::Complete(_, _, a) => Done::Complete(a, Err(e.clone())),
        Job::Purge(_, _, a) => Done::Purge(a, Err(e.clone())),
    }
}

/// A subject's hash and salt check are lower-case hex digests.
fn check_subject(subject: &AuditSubject) -> Result<(), StoreError> {
    if !is_hex_digest(&subject.hash) {
        return Err(StoreError::BadSubjectHash);
    }
    if !is_hex_digest(&subject.salt_check) {
        return Err(StoreError::BadSaltCheck);
    }
    Ok(())
}

/// The salt check value the trail is bound to, if it is bound yet.
fn bound_salt(conn: &Connection) -> Result<Option<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT value FROM audit_meta WHERE key = ?1")?;
    let mut rows = stmt.query([SALT_CHECK_KEY])?;
    Ok(match rows.next()? {
        Some(row) => Some(row.get(0)?),
        None => None,
    })
}

/// Checks `check` against the trail's salt, binding an unbound trail to it.
fn bind_salt(conn: &Connection, check: &str) -> Result<(), StoreError> {
    match bound_salt(conn)? {
        Some(bound) if bound == check => Ok(()),
        Some(_) => Err(StoreError::SaltMismatch),
        None => {
            conn.prepare_cached("INSERT INTO audit_meta (key, value) VALUES (?1, ?2)")?
                .execute(params![SALT_CHECK_KEY, check])?;
            Ok(())
        }
    }
}

/// Indexes record `id` under `subject`.
fn index_subject(conn: &Connection, id: i64, subject: &AuditSubject) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO audit_subject (subject_hash, record_id, subject_masked) \
         VALUES (?1, ?2, ?3)",
    )?
    .execute(params![subject.hash, id, subject.masked.as_str()])?;
    Ok(())
}

fn insert(conn: &Connection, e: &AuditEntry) -> Result<AuditTicket, StoreError> {
    bind_salt(conn, &e.subject.salt_check)?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO audit_record (request_id, started_at, officer, client, unit, \
         procedure_code, dossier_code, purpose, gateway, channel, operation, subject_masked, \
         subject_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    stmt.execute(params![
        e.request_id,
        e.started_at.unix_millis(),
        e.officer,
        e.client,
        e.unit,
        e.procedure,
        e.dossier,
        e.purpose,
        e.gateway,
        e.channel,
        e.operation.as_str(),
        e.subject.masked.as_str(),
        e.subject.hash,
    ])?;
    let id = conn.last_insert_rowid();
    index_subject(conn, id, &e.subject)?;
    Ok(AuditTicket(id))
}

fn update(conn: &Connection, ticket: AuditTicket, c: &AuditCompletion) -> Result<(), AuditError> {
    for subject in &c.subjects {
        bind_salt(conn, &subject.salt_check)?;
    }
    let mut stmt = conn
        .prepare_cached(
            "UPDATE audit_record SET outcome = ?2, attempts = ?3, completed_at = ?4, \
             data_as_of = ?5, request_sha256 = ?6, response_sha256 = ?7 \
             WHERE id = ?1 AND outcome IS NULL",
        )
        .map_err(StoreError::from)?;
    let changed = stmt
        .execute(params![
            ticket.0,
            c.outcome,
            c.attempts,
            c.completed_at.unix_millis(),
            c.as_of,
            c.exchange.map(|x| ExchangeDigest::hex(&x.request)),
            c.exchange.map(|x| ExchangeDigest::hex(&x.response)),
        ])
        .map_err(StoreError::from)?;
    if changed == 0 {
        return Err(AuditError::UnknownTicket(ticket.0));
    }
    for subject in &c.subjects {
        index_subject(conn, ticket.0, subject)?;
    }
    Ok(())
}

fn purge_chunk(conn: &Connection, cutoff: Timestamp) -> Result<u64, StoreError> {
    // The same chunk of records in both statements (one transaction, one
    // order): their index entries go with them.
    const CHUNK: &str =
        "SELECT id FROM audit_record WHERE started_at < ?1 ORDER BY started_at, id LIMIT ?2";
    let args = params![cutoff.unix_millis(), PURGE_CHUNK as i64];
    conn.prepare_cached(&format!(
        "DELETE FROM audit_subject WHERE record_id IN ({CHUNK})"
    ))?
    .execute(args)?;
    let n = conn
        .prepare_cached(&format!("DELETE FROM audit_record WHERE id IN ({CHUNK})"))?
        .execute(args)?;
    Ok(n as u64)
}

fn select(
    conn: &Connection,
    schema: i64,
    query: &AuditQuery,
) -> Result<Vec<AuditRecord>, StoreError> {
    let order = "ORDER BY started_at, id";
    // A schema-1 file (opened read-only) has one hash per record and no
    // salt check.
    let indexed = schema >= 2;
    let bound = if indexed { bound_salt(conn)? } else { None };
    let others = if indexed { OTHER_SUBJECTS } else { "NULL" };
    // A schema-1 or schema-2 file (opened read-only) has no client.
    let client = if schema >= 3 { "client" } else { "NULL" };
    let select = format!("SELECT {COLUMNS}, {others}, {client} FROM audit_record");
    let (sql, args): (String, Vec<rusqlite::types::Value>) = match query {
        AuditQuery::Subject { hash, salt_check } => {
            if bound.as_ref().is_some_and(|b| b != salt_check) {
                return Err(StoreError::SaltMismatch);
            }
            let filter = if indexed {
                "id IN (SELECT record_id FROM audit_subject WHERE subject_hash = ?1)"
            } else {
                "subject_hash = ?1"
            };
            (
                format!("{select} WHERE {filter} {order}"),
                vec![hash.clone().into()],
            )
        }
        AuditQuery::Officer(officer) => (
            format!("{select} WHERE officer = ?1 {order}"),
            vec![officer.clone().into()],
        ),
        AuditQuery::Dossier(code) => (
            format!("{select} WHERE dossier_code = ?1 {order}"),
            vec![code.clone().into()],
        ),
        AuditQuery::Between(from, to) => (
            format!("{select} WHERE started_at >= ?1 AND started_at < ?2 {order}"),
            vec![from.unix_millis().into(), to.unix_millis().into()],
        ),
        _ => return Err(StoreError::UnsupportedQuery),
    };
    let salt_check = bound.unwrap_or_default();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(record(row, &salt_check)?);
    }
    Ok(out)
}

/// The record's other subjects, from [`OTHER_SUBJECTS`]: personal IDs
/// before CMND numbers.
fn other_subjects(
    id: i64,
    text: Option<&str>,
    salt_check: &str,
) -> Result<Vec<AuditSubject>, StoreError> {
    let mut out = Vec::new();
    for pair in text.unwrap_or("").split(',').filter(|p| !p.is_empty()) {
        let (masked, hash) = pair.split_once(' ').ok_or(StoreError::Corrupt {
            id,
            column: "audit_subject",
        })?;
        out.push(AuditSubject {
            masked: Masked::new(masked),
            hash: hash.to_owned(),
            salt_check: salt_check.to_owned(),
        });
    }
    out.sort_by(|a, b| (b.masked.as_str().len(), &a.hash).cmp(&(a.masked.as_str().len(), &b.hash)));
    Ok(out)
}

fn record(row: &rusqlite::Row<'_>, salt_check: &str) -> Result<AuditRecord, StoreError> {
    let id: i64 = row.get(0)?;
    let corrupt = |column| StoreError::Corrupt { id, column };
    let operation = match row
        .get_ref(10)?
        .as_str()
        .map_err(|_| corrupt("operation"))?
    {
        "lookup" => Operation::Lookup,
        "check" => Operation::Check,
        _ => return Err(corrupt("operation")),
    };
    let entry = AuditEntry {
        request_id: row.get(1)?,
        started_at: Timestamp::from_unix_millis(row.get(2)?),
        officer: row.get(3)?,
        client: row.get(20)?,
        unit: row.get(4)?,
        procedure: row.get(5)?,
        dossier: row.get(6)?,
        purpose: row.get(7)?,
        gateway: row.get(8)?,
        channel: row.get(9)?,
        operation,
        subject: AuditSubject {
            // Stored already masked; masking again keeps it as it is.
            masked: Masked::new(&row.get::<_, String>(11)?),
            hash: row.get(12)?,
            salt_check: salt_check.to_owned(),
        },
    };
    let outcome: Option<String> = row.get(13)?;
    let completion = match outcome {
        None => None,
        Some(outcome) => {
            let attempts = row
                .get::<_, Option<i64>>(14)?
                .map(|a| u32::try_from(a).map_err(|_| corrupt("attempts")))
                .transpose()?;
            let completed_at: Option<i64> = row.get(15)?;
            let request: Option<String> = row.get(17)?;
            let response: Option<String> = row.get(18)?;
            let exchange = match (request, response) {
                (Some(q), Some(s)) => Some(ExchangeDigest {
                    request: unhex(&q).ok_or_else(|| corrupt("request_sha256"))?,
                    response: unhex(&s).ok_or_else(|| corrupt("response_sha256"))?,
                }),
                _ => None,
            };
            Some(AuditCompletion {
                completed_at: Timestamp::from_unix_millis(
                    completed_at.ok_or_else(|| corrupt("completed_at"))?,
                ),
                outcome,
                attempts,
                as_of: row.get(16)?,
                exchange,
                subjects: other_subjects(
                    id,
                    row.get_ref(19)?.as_str_or_null().ok().flatten(),
                    salt_check,
                )?,
            })
        }
    };
    Ok(AuditRecord {
        id,
        entry,
        completion,
    })
}

fn is_hex_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    if !is_hex_digest(s) {
        return None;
    }
    // Lower-case hex digits (checked above): 0..=15.
    let nibble = |b: u8| char::from(b).to_digit(16).map_or(0, |d| d as u8);
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        *o = nibble(pair[0]) << 4 | nibble(pair[1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let d: [u8; 32] = std::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(unhex(&ExchangeDigest::hex(&d)), Some(d));
        assert_eq!(unhex("00"), None);
        assert_eq!(unhex(&"G".repeat(64)), None);
        assert_eq!(unhex(&"A".repeat(64)), None, "upper case is not canonical");
    }

    #[test]
    fn foreign_and_newer_files_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let foreign = dir.path().join("other.sqlite");
        {
            let c = Connection::open(&foreign).expect("open");
            c.execute_batch("CREATE TABLE t (x)").expect("create");
        }
        assert!(matches!(
            SqliteAuditSink::open(&foreign),
            Err(OpenError::Foreign { .. })
        ));

        let newer = dir.path().join("newer.sqlite");
        {
            let c = Connection::open(&newer).expect("open");
            c.pragma_update(None, "user_version", 99).expect("pragma");
        }
        match SqliteAuditSink::open(&newer) {
            Err(OpenError::NewerSchema { found: 99, .. }) => {}
            other => panic!("expected NewerSchema, got {other:?}"),
        }

        let garbage = dir.path().join("garbage.sqlite");
        std::fs::write(
            &garbage,
            b"this is not a database at all, just some text bytes",
        )
        .expect("write");
        assert!(matches!(
            SqliteAuditSink::open(&garbage),
            Err(OpenError::Sqlite { .. })
        ));
    }

    #[test]
    fn a_damaged_file_is_refused_when_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.sqlite");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        {
            let sink = SqliteAuditSink::open(&path).expect("open");
            let ctx = dancu_core::RequestContext::new("canbo.a", "1.001776".parse().expect("code"))
                .expect("ctx");
            let subject = AuditSubject {
                masked: Masked::new("006089000001"),
                hash: "ab".repeat(32),
                salt_check: "cd".repeat(32),
            };
            let entry = AuditEntry::for_request(&ctx, "g", "in_memory", Operation::Check, subject);
            rt.block_on(sink.begin(&entry)).expect("begin");
        }
        // Grow the trail to a few hundred pages by copying the record.
        {
            let c = Connection::open(&path).expect("open");
            let cols: Vec<String> = c
                .prepare("SELECT name FROM pragma_table_info('audit_record') WHERE name != 'id'")
                .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
                .expect("columns");
            let cols = cols.join(", ");
            for _ in 0..12 {
                c.execute_batch(&format!(
                    "INSERT INTO audit_record ({cols}) SELECT {cols} FROM audit_record"
                ))
                .expect("copy");
            }
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .expect("checkpoint");
        }
        // A healthy file opens both ways.
        drop(SqliteAuditSink::open(&path).expect("healthy"));
        drop(SqliteAuditSink::open_read_only(&path).expect("healthy, read-only"));

        // 8 KiB overwritten in the middle, as the probe did.
        let len = std::fs::metadata(&path).expect("metadata").len();
        assert!(len > 64 * 1024, "the trail spans many pages ({len} bytes)");
        {
            use std::io::{Seek, SeekFrom, Write};
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open file");
            f.seek(SeekFrom::Start(len / 2)).expect("seek");
            f.write_all(&[0x5a; 8192]).expect("overwrite");
        }
        for opened in [
            SqliteAuditSink::open(&path).map(drop),
            SqliteAuditSink::open_read_only(&path).map(drop),
        ] {
            match opened {
                Err(e @ OpenError::Damaged { .. }) => {
                    let text = e.to_string();
                    assert!(text.contains("is damaged"), "{text}");
                    assert!(!text.contains("006089"), "no personal data: {text}");
                }
                other => panic!("expected Damaged, got {other:?}"),
            }
        }
    }

    #[test]
    fn read_only_reads_and_refuses_to_write_or_create() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.sqlite");
        assert!(matches!(
            SqliteAuditSink::open_read_only(&path),
            Err(OpenError::Sqlite { .. })
        ));
        assert!(!path.exists(), "nothing is created");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let writer = SqliteAuditSink::open(&path).expect("open");
        let reader = SqliteAuditSink::open_read_only(&path).expect("open read-only");
        let ctx = dancu_core::RequestContext::new("canbo.a", "1.001776".parse().expect("code"))
            .expect("ctx");
        let subject = AuditSubject {
            masked: Masked::new("006089000001"),
            hash: "ab".repeat(32),
            salt_check: "cd".repeat(32),
        };
        let entry = AuditEntry::for_request(&ctx, "g", "in_memory", Operation::Check, subject);
        rt.block_on(async {
            writer.begin(&entry).await.expect("begin");
            let all = AuditQuery::Officer("canbo.a".into());
            assert_eq!(reader.query(&all).await.expect("query").len(), 1);
            assert_eq!(
                reader.begin(&entry).await,
                Err(AuditError::Store(
                    "the audit store was opened read-only".into()
                ))
            );
            assert!(reader.purge_before(Timestamp::now()).await.is_err());
            assert_eq!(reader.query(&all).await.expect("query").len(), 1);
        });
    }

    #[test]
    fn schema_is_versioned_and_durable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.sqlite");
        drop(SqliteAuditSink::open(&path).expect("open"));
        // Reopening an existing database is fine.
        let sink = SqliteAuditSink::open(&path).expect("reopen");
        drop(sink);
        let c = Connection::open(&path).expect("open");
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let indexes: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            indexes,
            [
                "audit_by_dossier",
                "audit_by_officer",
                "audit_by_started",
                "audit_subject_by_record",
            ]
        );
    }
}
