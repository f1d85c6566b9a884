//! The audit trail in PostgreSQL, shared by every instance.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditSubject,
    AuditTicket, ExchangeDigest, Operation,
};
use dancu_core::{Masked, Timestamp};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::GenericClient;

use crate::database::{Database, DbError, describe};

/// At most this many writes share one commit.
const MAX_BATCH: usize = 1024;

/// Writes waiting for the writer; beyond this, callers wait to queue.
const QUEUE: usize = 8192;

/// A purge deletes at most this many records per commit.
const PURGE_CHUNK: i64 = 2000;

/// The `dancu_audit_meta` key of the salt's check value.
const SALT_CHECK_KEY: &str = "salt_check";

const INSERT: &str = "WITH r AS (
    INSERT INTO dancu_audit_record (request_id, started_at, officer, client, unit,
        procedure_code, dossier_code, purpose, gateway, channel, operation, subject_masked,
        subject_hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    RETURNING id)
INSERT INTO dancu_audit_subject (subject_hash, record_id, subject_masked)
    SELECT $13, id, $12 FROM r
RETURNING record_id";

const COMPLETE: &str = "WITH done AS (
    UPDATE dancu_audit_record SET outcome = $2, attempts = $3, completed_at = $4,
        data_as_of = $5, request_sha256 = $6, response_sha256 = $7
    WHERE id = $1 AND outcome IS NULL
    RETURNING id, subject_hash),
indexed AS (
    INSERT INTO dancu_audit_subject (subject_hash, record_id, subject_masked)
    SELECT s.hash, done.id, s.masked
    FROM done, unnest($8::text[], $9::text[]) AS s (hash, masked)
    WHERE s.hash <> done.subject_hash
    ON CONFLICT DO NOTHING)
SELECT count(*) FROM done";

const SELECT: &str = "SELECT r.id, r.request_id, r.started_at, r.officer, r.unit,
    r.procedure_code, r.dossier_code, r.purpose, r.gateway, r.channel, r.operation,
    r.subject_masked, r.subject_hash, r.outcome, r.attempts, r.completed_at, r.data_as_of,
    r.request_sha256, r.response_sha256, r.client,
    ARRAY(SELECT s.subject_masked FROM dancu_audit_subject s
          WHERE s.record_id = r.id AND s.subject_hash <> r.subject_hash
          ORDER BY length(s.subject_masked) DESC, s.subject_hash),
    ARRAY(SELECT s.subject_hash FROM dancu_audit_subject s
          WHERE s.record_id = r.id AND s.subject_hash <> r.subject_hash
          ORDER BY length(s.subject_masked) DESC, s.subject_hash)
FROM dancu_audit_record r";

type Answer<T> = oneshot::Sender<Result<T, AuditError>>;

enum Job {
    Begin(Box<AuditEntry>, Answer<AuditTicket>),
    Complete(AuditTicket, Box<AuditCompletion>, Answer<()>),
}

/// A job's result before the commit.
enum Done {
    Begin(Result<AuditTicket, AuditError>),
    Complete(Result<(), AuditError>),
}

/// Counters of the writer: commits, and the writes they carried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupCommitStats {
    /// Transactions committed.
    pub commits: u64,
    /// Writes (begin, complete) those commits carried: their ratio to
    /// `commits` is the average group size.
    pub writes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    writes: AtomicU64,
}

/// The audit trail in PostgreSQL: what [`dancu_popdb`'s SQLite
/// sink](https://docs.rs/dancu-popdb) does on one machine, shared by every
/// instance on one database.
///
/// * `begin` returns once the pending record is committed (with
///   `synchronous_commit=on`): a lookup is only made once it is recorded,
///   and a record stays visible — pending — if the instance dies during the
///   call.
/// * **Group commit**: one writer task takes every write waiting, sends
///   them pipelined in one transaction, commits once, and only then answers
///   each caller; under load many lookups share one commit and one round
///   trip. If the transaction fails, every caller in it gets the error:
///   none is told its record is durable when it is not.
/// * One salt per trail, every number of the subject indexed, the calling
///   client kept, a record completed once: the port's rules, checked by
///   `dancu_popdb::audit::suite`.
///
/// Queries and purges run on other connections of the pool.
pub struct PgAuditSink {
    db: Database,
    jobs: mpsc::Sender<Job>,
    /// The trail's salt check value, once known to be bound (it never
    /// changes then).
    bound: Arc<Mutex<Option<String>>>,
    counters: Arc<Counters>,
}

impl fmt::Debug for PgAuditSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgAuditSink")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl PgAuditSink {
    /// The trail in `db` (migrated by [`Database::connect`]). Starts the
    /// writer task on the current tokio runtime; it stops when the sink is
    /// dropped, after the writes already queued.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    #[must_use]
    pub fn new(db: Database) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        let bound = Arc::new(Mutex::new(None));
        let counters = Arc::new(Counters::default());
        let writer = Writer {
            db: db.clone(),
            bound: Arc::clone(&bound),
            counters: Arc::clone(&counters),
        };
        tokio::spawn(writer.run(rx));
        Self {
            db,
            jobs,
            bound,
            counters,
        }
    }

    /// How many commits the writer made, carrying how many writes.
    #[must_use]
    pub fn stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
        }
    }

    /// The database.
    #[must_use]
    pub fn database(&self) -> &Database {
        &self.db
    }

    async fn send<T>(&self, job: impl FnOnce(Answer<T>) -> Job) -> Result<T, AuditError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(job(tx))
            .await
            .map_err(|_| store("the audit writer has stopped"))?;
        rx.await
            .unwrap_or_else(|_| Err(store("the audit writer has stopped")))
    }

    /// The salt check value the trail is bound to, if any.
    async fn bound_salt(&self, client: &impl GenericClient) -> Result<Option<String>, AuditError> {
        let cached = lock(&self.bound).clone();
        if cached.is_some() {
            return Ok(cached);
        }
        let found = read_salt(client).await.map_err(db_store)?;
        if let Some(b) = &found {
            *lock(&self.bound) = Some(b.clone());
        }
        Ok(found)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn store(reason: &str) -> AuditError {
    AuditError::Store(reason.to_owned())
}

fn db_store(e: DbError) -> AuditError {
    AuditError::Store(e.to_string())
}

fn pg_store(e: &tokio_postgres::Error) -> AuditError {
    AuditError::Store(format!("PostgreSQL: {}", describe(e)))
}

async fn read_salt(client: &impl GenericClient) -> Result<Option<String>, DbError> {
    let row = client
        .query_opt(
            "SELECT value FROM dancu_audit_meta WHERE key = $1",
            &[&SALT_CHECK_KEY],
        )
        .await
        .map_err(crate::database::query("reading the audit salt check"))?;
    Ok(row.map(|r| r.get(0)))
}

/// The writer task's state.
struct Writer {
    db: Database,
    bound: Arc<Mutex<Option<String>>>,
    counters: Arc<Counters>,
}

impl Writer {
    async fn run(self, mut rx: mpsc::Receiver<Job>) {
        let mut batch = Vec::with_capacity(64);
        while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
            self.run_batch(std::mem::take(&mut batch)).await;
        }
    }

    async fn run_batch(&self, batch: Vec<Job>) {
        let outcome = self.write(&batch).await;
        match &outcome {
            Ok(_) => {
                // Counted before anyone is answered, so a caller sees its write.
                self.counters.commits.fetch_add(1, Ordering::Relaxed);
                self.counters
                    .writes
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
            }
            Err(e) => tracing::error!(
                jobs = batch.len(),
                error = %e,
                "audit batch failed to commit; every caller in it is told"
            ),
        }
        let mut done = match outcome {
            Ok(done) => done.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => batch.iter().map(|_| Err(e.clone())).collect(),
        };
        for (job, result) in batch.into_iter().zip(done.drain(..)) {
            // A caller that stopped waiting is not an error: the write
            // stands either way.
            match (job, result) {
                (Job::Begin(_, tx), Ok(Done::Begin(r))) => {
                    let _ = tx.send(r);
                }
                (Job::Complete(_, _, tx), Ok(Done::Complete(r))) => {
                    let _ = tx.send(r);
                }
                (Job::Begin(_, tx), Err(e)) => {
                    let _ = tx.send(Err(e));
                }
                (Job::Complete(_, _, tx), Err(e)) => {
                    let _ = tx.send(Err(e));
                }
                (Job::Begin(_, tx), Ok(Done::Complete(_))) => {
                    let _ = tx.send(Err(store("internal: answers out of order")));
                }
                (Job::Complete(_, _, tx), Ok(Done::Begin(_))) => {
                    let _ = tx.send(Err(store("internal: answers out of order")));
                }
            }
        }
    }

    /// Runs the batch in one transaction: every statement pipelined, one
    /// commit. A write refused for its own reason (a wrong salt, an unknown
    /// ticket) is answered so without failing the others; any statement
    /// error fails the whole batch.
    async fn write(&self, batch: &[Job]) -> Result<Vec<Done>, AuditError> {
        let mut client = self.db.client().await.map_err(db_store)?;
        let tx = client.transaction().await.map_err(|e| pg_store(&e))?;
        let cached = lock(&self.bound).clone();
        let mut bound = cached;
        if bound.is_none() {
            bound = read_salt(&*tx).await.map_err(db_store)?;
        }
        if bound.is_none()
            && let Some(check) = batch.iter().find_map(|j| match j {
                Job::Begin(e, _) => Some(e.subject.salt_check.clone()),
                Job::Complete(_, c, _) => c.subjects.first().map(|s| s.salt_check.clone()),
            })
        {
            // Two instances binding at once: the first commit wins, the
            // other reads its value back.
            tx.execute(
                "INSERT INTO dancu_audit_meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO NOTHING",
                &[&SALT_CHECK_KEY, &check],
            )
            .await
            .map_err(|e| pg_store(&e))?;
            bound = read_salt(&*tx).await.map_err(db_store)?;
        }
        let bound = bound.unwrap_or_default();
        let insert = tx.prepare_cached(INSERT).await.map_err(|e| pg_store(&e))?;
        let complete = tx
            .prepare_cached(COMPLETE)
            .await
            .map_err(|e| pg_store(&e))?;
        let tx_ref = &tx;
        let (insert, complete, bound_ref) = (&insert, &complete, bound.as_str());
        let writes = batch.iter().map(|job| async move {
            match job {
                Job::Begin(e, _) => {
                    if e.subject.salt_check != bound_ref {
                        return Ok(Done::Begin(Err(AuditError::SaltMismatch)));
                    }
                    let row = tx_ref
                        .query_one(
                            insert,
                            &[
                                &e.request_id,
                                &e.started_at.unix_millis(),
                                &e.officer,
                                &e.client,
                                &e.unit,
                                &e.procedure,
                                &e.dossier,
                                &e.purpose,
                                &e.gateway,
                                &e.channel,
                                &e.operation.as_str(),
                                &e.subject.masked.as_str(),
                                &e.subject.hash,
                            ],
                        )
                        .await?;
                    Ok(Done::Begin(Ok(AuditTicket(row.get(0)))))
                }
                Job::Complete(ticket, c, _) => {
                    if c.subjects.iter().any(|s| s.salt_check != bound_ref) {
                        return Ok(Done::Complete(Err(AuditError::SaltMismatch)));
                    }
                    let hashes: Vec<&str> = c.subjects.iter().map(|s| s.hash.as_str()).collect();
                    let masked: Vec<&str> = c.subjects.iter().map(|s| s.masked.as_str()).collect();
                    let row = tx_ref
                        .query_one(
                            complete,
                            &[
                                &ticket.0,
                                &c.outcome,
                                &c.attempts.map(i64::from),
                                &c.completed_at.unix_millis(),
                                &c.as_of,
                                &c.exchange.map(|x| ExchangeDigest::hex(&x.request)),
                                &c.exchange.map(|x| ExchangeDigest::hex(&x.response)),
                                &hashes,
                                &masked,
                            ],
                        )
                        .await?;
                    let n: i64 = row.get(0);
                    Ok(Done::Complete(if n == 0 {
                        Err(AuditError::UnknownTicket(ticket.0))
                    } else {
                        Ok(())
                    }))
                }
            }
        });
        let done: Vec<Done> = futures_util::future::try_join_all(writes)
            .await
            .map_err(|e: tokio_postgres::Error| pg_store(&e))?;
        tx.commit().await.map_err(|e| pg_store(&e))?;
        // Bound once, bound for good: later batches need not read it.
        if !bound.is_empty() {
            *lock(&self.bound) = Some(bound);
        }
        Ok(done)
    }
}

/// A subject's hash and salt check are lower-case hex digests.
fn check_subject(subject: &AuditSubject) -> Result<(), AuditError> {
    if !is_hex_digest(&subject.hash) {
        return Err(store(
            "the subject hash must be 64 lower-case hex characters",
        ));
    }
    if !is_hex_digest(&subject.salt_check) {
        return Err(store(
            "the salt check value must be 64 lower-case hex characters",
        ));
    }
    Ok(())
}

fn is_hex_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    if !is_hex_digest(s) {
        return None;
    }
    let nibble = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        *o = nibble(pair[0])?.checked_shl(4)? | nibble(pair[1])?;
    }
    Some(out)
}

#[async_trait]
impl AuditSink for PgAuditSink {
    async fn begin(&self, entry: &AuditEntry) -> Result<AuditTicket, AuditError> {
        check_subject(&entry.subject)?;
        let entry = Box::new(entry.clone());
        self.send(|tx| Job::Begin(entry, tx)).await
    }

    async fn complete(
        &self,
        ticket: AuditTicket,
        completion: &AuditCompletion,
    ) -> Result<(), AuditError> {
        if completion.outcome.trim().is_empty() {
            return Err(store("the outcome must not be empty"));
        }
        for subject in &completion.subjects {
            check_subject(subject)?;
        }
        let completion = Box::new(completion.clone());
        self.send(|tx| Job::Complete(ticket, completion, tx)).await
    }

    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, AuditError> {
        let client = self.db.client().await.map_err(db_store)?;
        let bound = self.bound_salt(&**client).await?;
        let order = "ORDER BY r.started_at, r.id";
        let rows = match query {
            AuditQuery::Subject { hash, salt_check } => {
                if bound.as_ref().is_some_and(|b| b != salt_check) {
                    return Err(AuditError::SaltMismatch);
                }
                let sql = format!(
                    "{SELECT} WHERE r.id IN (SELECT record_id FROM dancu_audit_subject \
                     WHERE subject_hash = $1) {order}"
                );
                client.query(&sql, &[hash]).await
            }
            AuditQuery::Officer(officer) => {
                let sql = format!("{SELECT} WHERE r.officer = $1 {order}");
                client.query(&sql, &[officer]).await
            }
            AuditQuery::Dossier(code) => {
                let sql = format!("{SELECT} WHERE r.dossier_code = $1 {order}");
                client.query(&sql, &[code]).await
            }
            AuditQuery::Between(from, to) => {
                let sql =
                    format!("{SELECT} WHERE r.started_at >= $1 AND r.started_at < $2 {order}");
                client
                    .query(&sql, &[&from.unix_millis(), &to.unix_millis()])
                    .await
            }
            _ => {
                return Err(store(
                    "this kind of audit query is not supported by the PostgreSQL store",
                ));
            }
        }
        .map_err(|e| pg_store(&e))?;
        let salt_check = bound.unwrap_or_default();
        rows.iter().map(|row| record(row, &salt_check)).collect()
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, AuditError> {
        let client = self.db.client().await.map_err(db_store)?;
        let stmt = client
            .prepare_cached(
                "DELETE FROM dancu_audit_record WHERE id IN (SELECT id FROM dancu_audit_record \
                 WHERE started_at < $1 ORDER BY started_at, id LIMIT $2)",
            )
            .await
            .map_err(|e| pg_store(&e))?;
        let mut total: u64 = 0;
        loop {
            // Each chunk its own commit (their index rows go with them:
            // ON DELETE CASCADE), so lookups keep flowing during a purge.
            let n = client
                .execute(&stmt, &[&cutoff.unix_millis(), &PURGE_CHUNK])
                .await
                .map_err(|e| pg_store(&e))?;
            total = total.saturating_add(n);
            if n < PURGE_CHUNK.unsigned_abs() {
                return Ok(total);
            }
        }
    }
}

fn record(row: &tokio_postgres::Row, salt_check: &str) -> Result<AuditRecord, AuditError> {
    let id: i64 = row.get(0);
    let corrupt = |column: &str| store(&format!("stored record {id} has an invalid {column}"));
    let operation = match row.get::<_, &str>(10) {
        "lookup" => Operation::Lookup,
        "check" => Operation::Check,
        _ => return Err(corrupt("operation")),
    };
    let subject = |masked: &str, hash: String| AuditSubject {
        // Stored already masked; masking again keeps it as it is.
        masked: Masked::new(masked),
        hash,
        salt_check: salt_check.to_owned(),
    };
    let entry = AuditEntry {
        request_id: row.get(1),
        started_at: Timestamp::from_unix_millis(row.get(2)),
        officer: row.get(3),
        client: row.get(19),
        unit: row.get(4),
        procedure: row.get(5),
        dossier: row.get(6),
        purpose: row.get(7),
        gateway: row.get(8),
        channel: row.get(9),
        operation,
        subject: subject(row.get(11), row.get(12)),
    };
    let outcome: Option<String> = row.get(13);
    let completion = match outcome {
        None => None,
        Some(outcome) => {
            let attempts = row
                .get::<_, Option<i64>>(14)
                .map(|a| u32::try_from(a).map_err(|_| corrupt("attempts")))
                .transpose()?;
            let completed_at: Option<i64> = row.get(15);
            let request: Option<String> = row.get(17);
            let response: Option<String> = row.get(18);
            let exchange = match (request, response) {
                (Some(q), Some(s)) => Some(ExchangeDigest {
                    request: unhex(&q).ok_or_else(|| corrupt("request_sha256"))?,
                    response: unhex(&s).ok_or_else(|| corrupt("response_sha256"))?,
                }),
                _ => None,
            };
            let masked: Vec<String> = row.get(20);
            let hashes: Vec<String> = row.get(21);
            Some(AuditCompletion {
                completed_at: Timestamp::from_unix_millis(
                    completed_at.ok_or_else(|| corrupt("completed_at"))?,
                ),
                outcome,
                attempts,
                as_of: row.get(16),
                exchange,
                subjects: masked
                    .iter()
                    .zip(hashes)
                    .map(|(m, h)| subject(m, h))
                    .collect(),
            })
        }
    };
    Ok(AuditRecord {
        id,
        entry,
        completion,
    })
}
