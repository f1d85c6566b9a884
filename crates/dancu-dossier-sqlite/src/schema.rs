//! Opening a connection and versioning the schema.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Op};

/// The schema version this build writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = 1;

/// Version 1: one counter row per unit and day, one row per dossier. The
/// body is the dossier as JSON; the other columns index it. Only the masked
/// owner ID is kept outside the body.
const V1: &str = "
CREATE TABLE serials (
    unit TEXT NOT NULL,
    day  TEXT NOT NULL,
    last INTEGER NOT NULL CHECK (last BETWEEN 1 AND 9999),
    PRIMARY KEY (unit, day)
) WITHOUT ROWID;

CREATE TABLE dossiers (
    code            TEXT PRIMARY KEY NOT NULL,
    unit            TEXT NOT NULL,
    status          INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    channel         INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 3),
    procedure       TEXT NOT NULL,
    owner_id_masked TEXT NOT NULL,
    intake_date     TEXT,
    updated_at      TEXT NOT NULL,
    body            TEXT NOT NULL CHECK (json_valid(body))
);

CREATE INDEX dossiers_by_unit_status ON dossiers (unit, status, code);
";

/// Opens one connection to `path` in WAL mode with `synchronous=FULL`.
pub(crate) fn connect(
    path: &Path,
    busy_timeout: Duration,
    shown: &str,
) -> Result<Connection, Error> {
    let open_error = |e: rusqlite::Error| Error::Open {
        path: shown.to_owned(),
        reason: e.to_string(),
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
    conn.busy_timeout(busy_timeout).map_err(open_error)?;
    let mode = switch_to_wal(&conn, busy_timeout).map_err(open_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Open {
            path: shown.to_owned(),
            reason: format!(
                "the database cannot use write-ahead logging (journal mode {mode}); give a file path"
            ),
        });
    }
    // FULL: a commit in WAL mode is durable once it returns, power loss
    // included (NORMAL may lose the last commits on power loss).
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open_error)?;
    Ok(conn)
}

/// Sets `journal_mode=wal` and returns the mode the database ended up in.
///
/// SQLite answers "database is locked" at once, without calling the busy
/// handler, when another connection holds the file while this one changes
/// the journal mode (as when several processes open a new file together).
/// So the switch is retried here, for at most `busy_timeout`.
fn switch_to_wal(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<String> {
    // A timeout too long for the clock is a century.
    let now = Instant::now();
    let deadline = now
        .checked_add(busy_timeout)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now);
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0)) {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = pause.saturating_mul(2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Brings the schema to [`SCHEMA_VERSION`], in one immediate transaction so
/// that processes opening the file together migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .op("starting the schema migration")?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .op("reading the schema version")?;
    match found {
        0 => {
            tx.execute_batch(V1).op("creating the schema")?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .op("recording the schema version")?;
            tracing::info!(version = SCHEMA_VERSION, "dossier store schema created");
        }
        v if v == i64::from(SCHEMA_VERSION) => {}
        v => {
            return Err(Error::SchemaVersion {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
    }
    tx.commit().op("committing the schema migration")?;
    Ok(())
}
