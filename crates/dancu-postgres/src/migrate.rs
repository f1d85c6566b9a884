//! Versioned schema migrations, applied in order, each once.

use crate::database::{DbError, query};

/// One step of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// Its number: migrations apply in this order, each once.
    pub version: i32,
    /// What it does.
    pub name: &'static str,
    /// Its statements.
    pub sql: &'static str,
}

/// The schema version this build writes: the last of [`MIGRATIONS`].
pub const SCHEMA_VERSION: i32 = 3;

/// Every migration, in order. Each is applied in the same transaction as
/// its record in `dancu_schema_migrations`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "audit trail",
        sql: AUDIT_V1,
    },
    Migration {
        version: 2,
        name: "dossier store",
        sql: DOSSIERS_V1,
    },
    Migration {
        version: 3,
        name: "shared gateway quota",
        sql: QUOTA_V1,
    },
];

/// The shared gateway quota: when each gateway's next call may start, and
/// its concurrency slots with their holders and lease expiry.
const QUOTA_V1: &str = "
CREATE TABLE dancu_quota_rate (
    gateway   TEXT PRIMARY KEY,
    next_free TIMESTAMPTZ NOT NULL
);
CREATE TABLE dancu_quota_slot (
    gateway    TEXT    NOT NULL,
    slot       INTEGER NOT NULL CHECK (slot >= 0),
    holder     TEXT,
    expires_at TIMESTAMPTZ,
    PRIMARY KEY (gateway, slot)
);
";

/// The audit trail: records (masked subject and salted hash, never the
/// number), every number of the subject indexed, the salt's check value.
const AUDIT_V1: &str = "
CREATE TABLE dancu_audit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE dancu_audit_record (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id       TEXT    NOT NULL,
    started_at       BIGINT  NOT NULL,
    officer          TEXT    NOT NULL,
    client           TEXT,
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
    attempts         BIGINT,
    completed_at     BIGINT,
    data_as_of       TEXT,
    request_sha256   TEXT    CHECK (request_sha256 IS NULL OR length(request_sha256) = 64),
    response_sha256  TEXT    CHECK (response_sha256 IS NULL OR length(response_sha256) = 64)
);
CREATE INDEX dancu_audit_by_officer ON dancu_audit_record (officer, started_at);
CREATE INDEX dancu_audit_by_dossier ON dancu_audit_record (dossier_code, started_at);
CREATE INDEX dancu_audit_by_started ON dancu_audit_record (started_at, id);
CREATE TABLE dancu_audit_subject (
    subject_hash   TEXT   NOT NULL CHECK (length(subject_hash) = 64),
    record_id      BIGINT NOT NULL REFERENCES dancu_audit_record (id) ON DELETE CASCADE,
    subject_masked TEXT   NOT NULL,
    PRIMARY KEY (subject_hash, record_id)
);
CREATE INDEX dancu_audit_subject_by_record ON dancu_audit_subject (record_id);
";

/// The dossier store: one counter row per unit and day, one row per
/// dossier (its JSON body, and the columns that index it; only the masked
/// owner ID outside the body).
const DOSSIERS_V1: &str = "
CREATE TABLE dancu_dossier_serial (
    unit TEXT    NOT NULL,
    day  DATE    NOT NULL,
    last INTEGER NOT NULL CHECK (last BETWEEN 1 AND 9999),
    PRIMARY KEY (unit, day)
);
CREATE TABLE dancu_dossier (
    code            TEXT PRIMARY KEY COLLATE \"C\",
    unit            TEXT     NOT NULL COLLATE \"C\",
    status          SMALLINT NOT NULL CHECK (status BETWEEN 1 AND 10),
    channel         SMALLINT NOT NULL CHECK (channel BETWEEN 1 AND 3),
    procedure_code  TEXT     NOT NULL,
    owner_id_masked TEXT     NOT NULL,
    intake_date     DATE,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    body            JSON     NOT NULL
);
CREATE INDEX dancu_dossier_by_unit_status ON dancu_dossier (unit, status, code);
";

/// Serialises migrations across instances (`pg_advisory_xact_lock`).
const LOCK_KEY: i64 = 0x6461_6e63_755f_6d67; // \"dancu_mg\"

/// Applies every migration not yet applied, in one transaction under an
/// advisory lock; returns the versions applied.
pub(crate) async fn apply(client: &mut deadpool_postgres::Object) -> Result<Vec<i32>, DbError> {
    let tx = client
        .transaction()
        .await
        .map_err(query("starting the migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(query("taking the migration lock"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS dancu_schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(query("creating the migrations table"))?;
    let found = current(&*tx).await?;
    if found > SCHEMA_VERSION {
        return Err(DbError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(m.sql)
            .await
            .map_err(query("applying a migration"))?;
        tx.execute(
            "INSERT INTO dancu_schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(query("recording a migration"))?;
        applied.push(m.version);
    }
    tx.commit()
        .await
        .map_err(query("committing the migration"))?;
    if !applied.is_empty() {
        tracing::info!(
            ?applied,
            version = SCHEMA_VERSION,
            "PostgreSQL schema migrated"
        );
    }
    Ok(applied)
}

/// The highest version applied; 0 when none is.
pub(crate) async fn version(client: &tokio_postgres::Client) -> Result<i32, DbError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('dancu_schema_migrations') IS NOT NULL",
            &[],
        )
        .await
        .map_err(query("reading the schema version"))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    current(client).await
}

async fn current(client: &impl tokio_postgres::GenericClient) -> Result<i32, DbError> {
    let row = client
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM dancu_schema_migrations",
            &[],
        )
        .await
        .map_err(query("reading the schema version"))?;
    Ok(row.get(0))
}
