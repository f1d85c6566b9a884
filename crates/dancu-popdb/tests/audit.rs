//! The audit trail end to end: the `Audited` decorator over the SQLite store.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, AuditSubject,
    AuditTicket, CheckOutcome, ExchangeDigest, IdentityQuery, LookupOutcome, Operation,
    PopulationRegistry, RegistryError, RegistryInfo, Reply, ReplyMeta, RequestContext,
};
use dancu_core::{Masked, Timestamp};
use dancu_popdb::audit::{Audited, SqliteAuditSink};

mod support;

use support::{BIRTH, Flaky, ID, NAME, SALT, ctx, hasher, key, open, population, query_for};

const CRASH_ENV: &str = "DANCU_AUDIT_CRASH_HELPER_DB";

async fn by_subject(sink: &dyn AuditSink, id: &str) -> Vec<AuditRecord> {
    sink.query(&hasher().query(&key(id))).await.expect("query")
}

/// A registry that answers with fixed metadata, counts its calls, and can
/// look into the audit store when called.
#[derive(Debug)]
struct Probe {
    calls: AtomicUsize,
    sink: Option<Arc<SqliteAuditSink>>,
    seen: Mutex<Vec<AuditRecord>>,
    fail: bool,
}

impl Probe {
    fn new(sink: Option<Arc<SqliteAuditSink>>) -> Self {
        Self {
            calls: AtomicUsize::new(0),
            sink,
            seen: Mutex::new(Vec::new()),
            fail: false,
        }
    }

    fn meta() -> ReplyMeta {
        let mut meta = ReplyMeta::single(
            Some(ExchangeDigest {
                request: [0x11; 32],
                response: [0x22; 32],
            }),
            Some("2026-11-27T08:00:00".into()),
        );
        meta.attempts = 3;
        meta
    }

    async fn called(&self, query: &IdentityQuery) -> Result<(), RegistryError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(sink) = &self.sink {
            let records = sink
                .query(&hasher().query(query.key()))
                .await
                .expect("query from inside the call");
            self.seen.lock().expect("lock").extend(records);
        }
        if self.fail {
            return Err(RegistryError::Unavailable {
                reason: "HTTP 503".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl PopulationRegistry for Probe {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: "probe-gateway".into(),
            channel: "lgsp",
        }
    }

    async fn lookup(
        &self,
        _ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        self.called(query).await?;
        Ok(Reply::new(LookupOutcome::NotFound, Self::meta()))
    }

    async fn check(
        &self,
        _ctx: &RequestContext,
        query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        self.called(query).await?;
        Ok(Reply::new(CheckOutcome::Confirmed, Self::meta()))
    }
}

#[tokio::test]
async fn the_record_is_written_before_the_call_and_completed_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let probe = Probe::new(Some(Arc::clone(&sink)));
    let audited = Audited::new(probe, sink.clone(), hasher());
    let ctx = ctx();

    let reply = audited.lookup(&ctx, &query_for(ID)).await.expect("lookup");
    assert_eq!(reply.outcome, LookupOutcome::NotFound);

    // While the registry was being called, the record was there, pending.
    let seen = audited.inner().seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1, "the registry saw the pending record");
    assert_eq!(seen[0].completion, None);
    let e = &seen[0].entry;
    assert_eq!(e.request_id, ctx.request_id().to_string());
    assert_eq!(e.officer, "canbo.motcua01");
    assert_eq!(e.unit.as_deref(), Some("000.00.21.H56"));
    assert_eq!(e.procedure, "1.001776");
    assert_eq!(e.dossier.as_deref(), Some("000.00.21.H56-261127-0001"));
    assert_eq!(
        e.purpose.as_deref(),
        Some("Đăng ký thường trú (Luật Cư trú 2020, Điều 20)")
    );
    assert_eq!(e.gateway, "probe-gateway");
    assert_eq!(e.channel, "lgsp");
    assert_eq!(e.operation, Operation::Lookup);
    assert_eq!(e.subject.masked.as_str(), "********0001");
    assert_eq!(e.subject.hash, hasher().hash(&key(ID)));

    // Afterwards it is complete, with what the reply said.
    let after = by_subject(sink.as_ref(), ID).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].entry, seen[0].entry);
    let c = after[0].completion.as_ref().expect("completed");
    assert_eq!(c.outcome, "not_found");
    assert_eq!(c.attempts, Some(3));
    assert_eq!(c.as_of.as_deref(), Some("2026-11-27T08:00:00"));
    assert_eq!(
        c.exchange,
        Some(ExchangeDigest {
            request: [0x11; 32],
            response: [0x22; 32]
        })
    );
    assert!(c.completed_at >= after[0].entry.started_at);
}

#[tokio::test]
async fn outcomes_of_lookups_checks_and_errors_are_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(population(), sink.clone(), hasher());
    let ctx = ctx();

    let found = audited.lookup(&ctx, &query_for(ID)).await.expect("lookup");
    assert!(matches!(found.outcome, LookupOutcome::Found(_)));
    let confirmed = audited.check(&ctx, &query_for(ID)).await.expect("check");
    assert_eq!(confirmed.outcome, CheckOutcome::Confirmed);
    let other = "006089000002";
    audited.check(&ctx, &query_for(other)).await.expect("check");

    let mut probe = Probe::new(None);
    probe.fail = true;
    let failing = Audited::new(probe, sink.clone(), hasher());
    let err = failing
        .check(&ctx, &query_for(ID))
        .await
        .expect_err("fails");
    assert_eq!(err.code(), "unavailable");

    let records = by_subject(sink.as_ref(), ID).await;
    let summary: Vec<_> = records
        .iter()
        .map(|r| {
            let c = r.completion.as_ref().expect("completed");
            (r.entry.operation, c.outcome.as_str(), c.attempts)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Operation::Lookup, "found", Some(1)),
            (Operation::Check, "confirmed", Some(1)),
            (Operation::Check, "unavailable", None),
        ]
    );
    // The in-memory record's as-of time is kept as provenance.
    assert_eq!(
        records[0]
            .completion
            .as_ref()
            .and_then(|c| c.as_of.as_deref()),
        Some("2026-11-26T23:00:00+07:00")
    );
    let others = by_subject(sink.as_ref(), other).await;
    assert_eq!(others.len(), 1);
    assert_eq!(
        others[0].completion.as_ref().map(|c| c.outcome.as_str()),
        Some("not_confirmed")
    );
    assert_eq!(others[0].entry.subject.masked.as_str(), "********0002");
}

#[tokio::test]
async fn no_record_no_lookup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Arc::new(Flaky {
        inner: open(dir.path()),
        fail_begin: true,
        fail_complete: false,
    });
    let audited = Audited::new(Probe::new(None), sink.clone(), hasher());

    let err = audited
        .lookup(&ctx(), &query_for(ID))
        .await
        .expect_err("must fail");
    assert!(matches!(err, RegistryError::AuditFailed { .. }), "{err:?}");
    let err = audited
        .check(&ctx(), &query_for(ID))
        .await
        .expect_err("must fail");
    assert_eq!(err.code(), "audit_failed");
    assert_eq!(audited.inner().calls.load(Ordering::SeqCst), 0);
    assert!(by_subject(sink.as_ref(), ID).await.is_empty());
}

#[tokio::test]
async fn a_failed_completion_still_answers_and_leaves_the_record_pending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Arc::new(Flaky {
        inner: open(dir.path()),
        fail_begin: false,
        fail_complete: true,
    });
    let audited = Audited::new(population(), sink.clone(), hasher());
    let reply = audited
        .check(&ctx(), &query_for(ID))
        .await
        .expect("answered");
    assert_eq!(reply.outcome, CheckOutcome::Confirmed);
    let records = by_subject(sink.as_ref(), ID).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].completion, None);
}

/// A registry that never answers.
#[derive(Debug)]
struct Hanging;

#[async_trait]
impl PopulationRegistry for Hanging {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: "hanging-gateway".into(),
            channel: "c06",
        }
    }

    async fn lookup(
        &self,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(RegistryError::TimedOut)
    }

    async fn check(
        &self,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(RegistryError::TimedOut)
    }
}

/// Waits (up to 10 s) until the subject's records are all completed.
async fn completed(sink: &dyn AuditSink, id: &str, n: usize) -> Vec<AuditRecord> {
    for _ in 0..1_000 {
        let records = by_subject(sink, id).await;
        if records.len() == n && records.iter().all(|r| r.completion.is_some()) {
            return records;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "the records were not completed: {:?}",
        by_subject(sink, id).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_dropped_by_its_caller_is_recorded_as_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(Hanging, sink.clone(), hasher());
    let ctx = ctx();
    // An outer timeout drops the futures while the registry is called.
    let waited = Duration::from_millis(100);
    let lookup = tokio::time::timeout(waited, audited.lookup(&ctx, &query_for(ID))).await;
    assert!(lookup.is_err(), "the lookup cannot have answered");
    let check = tokio::time::timeout(waited, audited.check(&ctx, &query_for(ID))).await;
    assert!(check.is_err(), "the check cannot have answered");

    let records = completed(sink.as_ref(), ID, 2).await;
    for (record, operation) in records.iter().zip([Operation::Lookup, Operation::Check]) {
        assert_eq!(record.entry.operation, operation);
        assert_eq!(record.entry.request_id, ctx.request_id().to_string());
        let completion = record.completion.as_ref().expect("completed");
        assert_eq!(completion.outcome, dancu_popdb::audit::CANCELLED);
        assert_eq!(completion.attempts, None);
        assert_eq!(completion.exchange, None);
        assert!(completion.completed_at >= record.entry.started_at);
    }
}

/// A C06 gateway on `server` (credentials as in the gateway tests).
fn c06_gateway(server: &wiremock::MockServer) -> dancu_popdb::gateway::Gateway {
    dancu_popdb::gateway::Gateway::builder("c06", &server.uri())
        .name("c06-test")
        .lookup_path("/c06/tracuu")
        .verify_path("/c06/xacthuc")
        .c06_credentials("motcua", dancu_popdb::Secret::new("c06-signing-secret-55"))
        .api_key(dancu_popdb::Secret::new("c06-api-key-42"))
        .with_config("x_road_client", "VN/GOV/000.00.21.H06/MOTCUA")
        .with_config("auth_url", "https://c06.example.vn/auth")
        .build()
        .expect("gateway")
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

#[tokio::test]
async fn a_refused_lookup_is_recorded_with_the_digests_of_its_exchange() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};
    let fault = include_str!("../../dancu-wire/tests/fixtures/fault-client.xml");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(fault, "text/xml; charset=utf-8"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(c06_gateway(&server), sink.clone(), hasher());
    let err = audited
        .lookup(&ctx(), &query_for(ID))
        .await
        .expect_err("refused");
    assert!(matches!(err, RegistryError::Rejected { .. }), "{err:?}");

    let sent = server.received_requests().await.expect("recorded");
    assert_eq!(sent.len(), 1);
    let records = by_subject(sink.as_ref(), ID).await;
    assert_eq!(records.len(), 1);
    let completion = records[0].completion.as_ref().expect("completed");
    assert_eq!(completion.outcome, "rejected");
    assert_eq!(
        completion.exchange,
        Some(ExchangeDigest {
            request: sha256(&sent[0].body),
            response: sha256(fault.as_bytes()),
        })
    );
}

#[tokio::test]
async fn a_lookup_that_got_no_answer_has_no_digests() {
    use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(c06_gateway(&server), sink.clone(), hasher());
    // An earlier answered exchange of the same logical check is not taken
    // for this one.
    let ctx = ctx().with_timeout(Duration::from_millis(200));
    ctx.note_exchange(ExchangeDigest {
        request: [1; 32],
        response: [2; 32],
    });
    let err = audited
        .check(&ctx, &query_for(ID))
        .await
        .expect_err("no answer");
    assert_eq!(err.code(), "timed_out");
    let records = by_subject(sink.as_ref(), ID).await;
    let completion = records[0].completion.as_ref().expect("completed");
    assert_eq!(completion.outcome, "timed_out");
    assert_eq!(completion.exchange, None);
}

#[tokio::test]
async fn a_ticket_completes_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let entry = entry_at(Timestamp::now(), "canbo.a", None, ID);
    let ticket = sink.begin(&entry).await.expect("begin");
    let done = completion("found");
    sink.complete(ticket, &done).await.expect("complete");
    assert_eq!(
        sink.complete(ticket, &done).await,
        Err(AuditError::UnknownTicket(ticket.0))
    );
    assert_eq!(
        sink.complete(AuditTicket(424_242), &done).await,
        Err(AuditError::UnknownTicket(424_242))
    );
    // Bad input is refused, not stored.
    let mut bad = entry.clone();
    bad.subject.hash = ID.into();
    assert!(sink.begin(&bad).await.is_err());
    assert!(sink.complete(ticket, &completion(" ")).await.is_err());
}

fn entry_at(at: Timestamp, officer: &str, dossier: Option<&str>, id: &str) -> AuditEntry {
    let ctx = RequestContext::new(officer, "1.001776".parse().expect("procedure")).expect("ctx");
    let mut e = AuditEntry::for_request(
        &ctx,
        "memory",
        "in_memory",
        Operation::Check,
        hasher().subject(&key(id)),
    );
    e.started_at = at;
    e.dossier = dossier.map(str::to_owned);
    e
}

fn completion(outcome: &str) -> AuditCompletion {
    AuditCompletion {
        completed_at: Timestamp::now(),
        outcome: outcome.into(),
        attempts: Some(1),
        as_of: None,
        exchange: None,
        subjects: Vec::new(),
    }
}

fn started(records: &[AuditRecord]) -> Vec<i64> {
    records
        .iter()
        .map(|r| r.entry.started_at.unix_millis())
        .collect()
}

#[tokio::test]
async fn queries_by_subject_officer_dossier_and_time_oldest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let t = |ms: i64| Timestamp::from_unix_millis(1_795_737_600_000 + ms);
    let other = "006089000002";
    // Written out of time order on purpose.
    for e in [
        entry_at(t(500), "canbo.b", Some("D1-261127-0001"), ID),
        entry_at(t(100), "canbo.a", Some("D1-261127-0001"), ID),
        entry_at(t(300), "canbo.a", None, other),
        entry_at(t(200), "canbo.b", Some("D2-261127-0002"), other),
        entry_at(t(400), "canbo.a", Some("D2-261127-0002"), ID),
    ] {
        sink.begin(&e).await.expect("begin");
    }

    let q = |q| {
        let sink = Arc::clone(&sink);
        async move { started(&sink.query(&q).await.expect("query")) }
    };
    let base = 1_795_737_600_000;
    let at = |v: &[i64]| v.iter().map(|ms| base + ms).collect::<Vec<_>>();
    assert_eq!(q(hasher().query(&key(ID))).await, at(&[100, 400, 500]));
    assert_eq!(q(hasher().query(&key(other))).await, at(&[200, 300]));
    assert_eq!(
        q(AuditQuery::Officer("canbo.a".into())).await,
        at(&[100, 300, 400])
    );
    assert_eq!(q(AuditQuery::Officer("canbo.z".into())).await, at(&[]));
    assert_eq!(
        q(AuditQuery::Dossier("D2-261127-0002".into())).await,
        at(&[200, 400])
    );
    // [from, to): the upper bound is excluded.
    assert_eq!(
        q(AuditQuery::Between(t(200), t(500))).await,
        at(&[200, 300, 400])
    );
    assert_eq!(q(AuditQuery::Between(t(501), t(900))).await, at(&[]));

    let records = sink
        .query(&AuditQuery::Officer("canbo.b".into()))
        .await
        .expect("query");
    assert!(records.iter().all(|r| r.completion.is_none()));
    assert_eq!(records[0].entry.subject.masked, Masked::new(other));
}

#[tokio::test]
async fn purge_deletes_older_records_and_their_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    let sink = Arc::new(SqliteAuditSink::open(&path).expect("open"));
    let t = |ms: i64| Timestamp::from_unix_millis(1_795_737_600_000 + ms);
    for (ms, officer) in [
        (100, "purged.officer.one"),
        (200, "purged.officer.two"),
        (300, "kept.officer"),
    ] {
        let ticket = sink
            .begin(&entry_at(t(ms), officer, None, ID))
            .await
            .expect("begin");
        sink.complete(ticket, &completion("found"))
            .await
            .expect("complete");
    }
    assert_eq!(sink.purge_before(t(300)).await, Ok(2));
    assert_eq!(sink.purge_before(t(300)).await, Ok(0));
    let left = by_subject(sink.as_ref(), ID).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].entry.officer, "kept.officer");
    drop(left);
    drop(sink);
    // secure_delete and the WAL checkpoint leave no trace of the purged rows.
    let bytes = db_bytes(&path);
    assert!(contains(&bytes, b"kept.officer"));
    assert!(!contains(&bytes, b"purged.officer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_purge_runs_in_chunks_and_counts_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let old = 4_500;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..old + 10 {
        let sink = Arc::clone(&sink);
        tasks.spawn(async move {
            let at = if i < old { 1_000 + i as i64 } else { 1_000_000 };
            let e = entry_at(Timestamp::from_unix_millis(at), "canbo.a", None, ID);
            sink.begin(&e).await.map(drop)
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("task").expect("begin");
    }
    let purged = sink
        .purge_before(Timestamp::from_unix_millis(500_000))
        .await
        .expect("purge");
    assert_eq!(purged, old as u64);
    let left = sink
        .query(&AuditQuery::Between(
            Timestamp::from_unix_millis(0),
            Timestamp::from_unix_millis(i64::MAX),
        ))
        .await
        .expect("query");
    assert_eq!(left.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_waiting_together_share_one_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    let sink = Arc::new(SqliteAuditSink::open(&path).expect("open"));
    // Another process holds the write lock: the writer waits (busy
    // timeout) with at most a few requests while the rest queue behind it.
    let other = rusqlite::Connection::open(&path).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let n = 50;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let sink = Arc::clone(&sink);
        tasks.spawn(async move {
            let e = entry_at(Timestamp::now(), "canbo.a", None, ID);
            sink.begin(&e).await.map(drop)
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.stats().commits, 0, "nothing commits while locked");
    other.execute_batch("COMMIT").expect("unlock");
    while let Some(r) = tasks.join_next().await {
        r.expect("task").expect("begin");
    }
    let stats = sink.stats();
    assert_eq!(stats.writes, n);
    // Typically 2: the request the writer took before blocking, then all
    // the others; a little slack for a task scheduled late on a busy box.
    assert!(
        stats.commits <= 5,
        "{} commits for {n} writes queued together",
        stats.commits
    );
}

fn db_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(p)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn no_id_name_birth_date_or_salt_in_the_database_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    let sink = Arc::new(SqliteAuditSink::open(&path).expect("open"));
    let audited = Audited::new(population(), sink.clone(), hasher());
    let ctx = ctx();
    audited.lookup(&ctx, &query_for(ID)).await.expect("lookup");
    audited.check(&ctx, &query_for(ID)).await.expect("check");

    let upper = NAME.to_uppercase();
    let forbidden: Vec<&[u8]> = vec![
        ID.as_bytes(),
        NAME.as_bytes(),
        upper.as_bytes(),
        b"NGUYEN VAN AN",
        BIRTH.as_bytes(),
        b"19890512",
        SALT.as_bytes(),
    ];
    let check = |bytes: &[u8], when: &str| {
        assert!(bytes.len() > 4096, "{when}: the files were read");
        // The files do hold the record: the masked form and the officer.
        assert!(contains(bytes, b"********0001"), "{when}");
        assert!(contains(bytes, b"canbo.motcua01"), "{when}");
        for f in &forbidden {
            assert!(
                !contains(bytes, f),
                "{when}: found {:?} in the database files",
                String::from_utf8_lossy(f)
            );
        }
    };
    // While open (the records are in the WAL) and after closing.
    check(&db_bytes(&path), "while open");
    drop(audited);
    drop(sink);
    check(&db_bytes(&path), "after close");
}

/// Processes starting together (say, several counters' services after a
/// deploy) open one new audit file at the same moment: each open waits for
/// the others instead of failing with "database is locked".
#[test]
fn sinks_opened_together_on_a_new_file_all_open_and_share_it() {
    const SINKS: usize = 6;
    for round in 0..5 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.sqlite");
        let barrier = Arc::new(std::sync::Barrier::new(SINKS));
        let threads: Vec<_> = (0..SINKS)
            .map(|_| {
                let path = path.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    SqliteAuditSink::open(path)
                })
            })
            .collect();
        let sinks: Vec<SqliteAuditSink> = threads
            .into_iter()
            .map(|t| {
                t.join()
                    .expect("thread")
                    .unwrap_or_else(|e| panic!("round {round}: {e}"))
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            for (i, sink) in sinks.iter().enumerate() {
                let officer = format!("canbo.{i}");
                sink.begin(&entry_at(Timestamp::now(), &officer, None, ID))
                    .await
                    .expect("begin");
            }
            for sink in &sinks {
                assert_eq!(by_subject(sink, ID).await.len(), SINKS);
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_concurrent_lookups_are_all_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Arc::new(Audited::new(population(), sink.clone(), hasher()));
    let n = 400;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let audited = Arc::clone(&audited);
        tasks.spawn(async move {
            let ctx = RequestContext::new(
                &format!("canbo.{:03}", i % 7),
                "1.001776".parse().expect("procedure"),
            )
            .expect("ctx");
            if i % 2 == 0 {
                audited
                    .check(&ctx, &query_for(ID))
                    .await
                    .map(|r| r.outcome.as_str())
            } else {
                audited
                    .lookup(&ctx, &query_for(ID))
                    .await
                    .map(|r| r.outcome.as_str())
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        let outcome = done.expect("task").expect("audited call");
        assert!(outcome == "found" || outcome == "confirmed", "{outcome}");
    }
    let records = by_subject(sink.as_ref(), ID).await;
    assert_eq!(records.len(), n);
    assert!(records.iter().all(|r| r.completion.is_some()));
    let mut ids: Vec<_> = records.iter().map(|r| r.entry.request_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "every lookup has its own record");
    let by_officer = sink
        .query(&AuditQuery::Officer("canbo.003".into()))
        .await
        .expect("query");
    assert_eq!(by_officer.len(), (0..n).filter(|i| i % 7 == 3).count());
    let stats = sink.stats();
    assert_eq!(
        stats.writes,
        2 * n as u64,
        "one begin and one complete each"
    );
    assert!(stats.commits >= 1 && stats.commits <= stats.writes);
}

/// A registry whose call never returns: it says so on stdout and waits.
#[derive(Debug)]
struct Hang;

#[async_trait]
impl PopulationRegistry for Hang {
    fn info(&self) -> RegistryInfo {
        RegistryInfo {
            name: "hang".into(),
            channel: "c06",
        }
    }

    async fn lookup(
        &self,
        ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<LookupOutcome>, RegistryError> {
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "CRASH-HELPER-IN-CALL {}", ctx.request_id());
            let _ = out.flush();
        }
        std::future::pending().await
    }

    async fn check(
        &self,
        _ctx: &RequestContext,
        _query: &IdentityQuery,
    ) -> Result<Reply<CheckOutcome>, RegistryError> {
        std::future::pending().await
    }
}

/// Not a test on its own: the child process of
/// `a_killed_process_leaves_a_pending_record`, which runs this test binary
/// again with only this function selected.
#[test]
#[ignore = "the child process of a_killed_process_leaves_a_pending_record"]
fn crash_helper_child() {
    let path =
        std::env::var_os(CRASH_ENV).expect("run by a_killed_process_leaves_a_pending_record");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sink = Arc::new(SqliteAuditSink::open(PathBuf::from(path)).expect("open"));
        let audited = Audited::new(Hang, sink, hasher());
        let _ = audited.lookup(&ctx(), &query_for(ID)).await;
    });
}

#[test]
fn a_killed_process_leaves_a_pending_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "crash_helper_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the helper");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest may print its own text on the same line first.
            if let Some((_, id)) = line.split_once("CRASH-HELPER-IN-CALL ") {
                let _ = tx.send(id.trim().to_owned());
                break;
            }
        }
    });
    let request_id = rx.recv_timeout(Duration::from_secs(60));
    // SIGKILL: no destructor, no flush, no chance to complete the record.
    child.kill().expect("kill");
    let status = child.wait().expect("wait");
    let request_id = request_id.expect("the helper reached the registry call");
    assert!(!status.success());

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (read_only, records) = rt.block_on(async {
        // An auditor's read-only view first, while the crashed process's
        // WAL is still unrecovered; then a normal reopen.
        let reader = SqliteAuditSink::open_read_only(&path).expect("read-only after the crash");
        let read_only = by_subject(&reader, ID).await;
        drop(reader);
        let sink = SqliteAuditSink::open(&path).expect("reopen after the crash");
        (read_only, by_subject(&sink, ID).await)
    });
    assert_eq!(read_only, records);
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r.completion, None, "the record is visibly pending");
    assert_eq!(r.entry.request_id, request_id);
    assert_eq!(r.entry.subject.masked.as_str(), "********0001");
    assert_eq!(r.entry.gateway, "hang");
    assert_eq!(r.entry.operation, Operation::Lookup);
    assert_eq!(
        r.entry.subject,
        AuditSubject {
            masked: Masked::new(ID),
            hash: hasher().hash(&key(ID)),
            salt_check: hasher().salt_check().to_owned(),
        }
    );
}

/// The behaviour every audit store must have (the port's rules), on the
/// SQLite store: every number of the subject indexed, one salt per trail,
/// purges leave no index.
#[tokio::test]
async fn the_sqlite_sink_has_the_audit_sink_behaviour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    dancu_popdb::audit::suite::sink_behaviour_suite(async || {
        n += 1;
        let path = dir.path().join(format!("audit-{n}.sqlite"));
        Arc::new(SqliteAuditSink::open(path).expect("open")) as Arc<dyn AuditSink>
    })
    .await;
}

/// The same behaviour on the in-memory sink.
#[tokio::test]
async fn the_in_memory_sink_has_the_audit_sink_behaviour() {
    dancu_popdb::audit::suite::sink_behaviour_suite(async || {
        Arc::new(dancu_popdb::audit::InMemoryAuditSink::new()) as Arc<dyn AuditSink>
    })
    .await;
}

const CMND: &str = "095000111";

/// The in-memory population with a citizen who also has an old CMND.
fn population_with_cmnd() -> dancu_popdb::InMemoryRegistry {
    let registry = dancu_popdb::InMemoryRegistry::new("memory");
    let mut record = dancu_core::registry::CitizenRecord::new(
        ID.parse().expect("id"),
        NAME.parse().expect("name"),
        "1".parse().expect("gender"),
        BIRTH.parse().expect("birth"),
    );
    record.cmnd = Some(CMND.parse().expect("cmnd"));
    registry.insert(record);
    registry
}

/// "Who looked me up", asked with the personal ID, finds the lookup made
/// with the old CMND that returned the citizen's record — and the other way
/// round — in a real SQLite trail.
#[tokio::test]
async fn a_cmnd_lookup_is_found_by_the_personal_id_it_returned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(population_with_cmnd(), sink.clone(), hasher());
    let reply = audited
        .lookup(&ctx(), &query_for(CMND))
        .await
        .expect("lookup");
    assert!(matches!(reply.outcome, LookupOutcome::Found(_)));
    audited
        .lookup(&ctx(), &query_for(ID))
        .await
        .expect("lookup");
    // A lookup that found nobody is indexed by the number typed only.
    audited
        .lookup(&ctx(), &query_for("001200012345"))
        .await
        .expect("lookup");

    let by_id = by_subject(sink.as_ref(), ID).await;
    assert_eq!(by_id.len(), 2, "{by_id:?}");
    assert_eq!(by_id[0].entry.subject.masked.as_str(), "*****0111");
    let by_cmnd = by_subject(sink.as_ref(), CMND).await;
    assert_eq!(by_cmnd.len(), 2, "{by_cmnd:?}");
    assert_eq!(by_cmnd[1].entry.subject.masked.as_str(), "********0001");
    let cmnd_subjects = &by_cmnd[1].completion.as_ref().expect("completed").subjects;
    assert_eq!(cmnd_subjects.len(), 1);
    assert_eq!(cmnd_subjects[0].masked.as_str(), "*****0111");
    assert_eq!(by_subject(sink.as_ref(), "001200012345").await.len(), 1);
}

/// A trail is bound to the salt it was created with: a lookup with another
/// salt is refused before the registry is called, and a query with it is an
/// error, not "nobody".
#[tokio::test]
async fn a_wrong_salt_refuses_lookups_and_queries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let right = Audited::new(population(), sink.clone(), hasher());
    right.lookup(&ctx(), &query_for(ID)).await.expect("lookup");

    let wrong_hasher = dancu_popdb::audit::SubjectHasher::new(dancu_popdb::Secret::new(
        "another-salt-entirely-0123456789",
    ))
    .expect("salt");
    let probe = Probe::new(None);
    let wrong = Audited::new(probe, sink.clone(), wrong_hasher.clone());
    match wrong.lookup(&ctx(), &query_for(ID)).await {
        Err(RegistryError::AuditFailed { reason }) => {
            assert!(reason.contains("salt"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        wrong.inner().calls.load(Ordering::SeqCst),
        0,
        "no call made"
    );
    assert_eq!(
        sink.query(&wrong_hasher.query(&key(ID))).await,
        Err(AuditError::SaltMismatch)
    );
    assert_eq!(by_subject(sink.as_ref(), ID).await.len(), 1);
    // The check value is in the file, the salt is not.
    drop(right);
    drop(wrong);
    drop(sink);
    let bytes = db_bytes(&dir.path().join("audit.sqlite"));
    assert!(contains(&bytes, hasher().salt_check().as_bytes()));
    assert!(!contains(&bytes, SALT.as_bytes()));
}

/// A trail written by schema 1 (one hash per record, no salt check): read
/// as it is when opened read-only, migrated when opened for writing. Old
/// records keep their one hash; new ones are indexed under every number,
/// and the first new record binds the salt.
#[tokio::test]
async fn a_schema_1_trail_is_read_and_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    {
        let sink = Arc::new(SqliteAuditSink::open(&path).expect("open"));
        let old = Audited::new(population_with_cmnd(), sink.clone(), hasher());
        old.lookup(&ctx(), &query_for(CMND)).await.expect("lookup");
    }
    // Back to what schema 1 was: no subject index, no salt check, no client.
    {
        let c = rusqlite::Connection::open(&path).expect("open raw");
        c.execute_batch(
            "DROP TABLE audit_subject; DROP TABLE audit_meta; \
             ALTER TABLE audit_record DROP COLUMN client; \
             CREATE INDEX audit_by_subject ON audit_record (subject_hash, started_at); \
             PRAGMA user_version = 1;",
        )
        .expect("downgrade to schema 1");
    }
    let reader = SqliteAuditSink::open_read_only(&path).expect("read-only on schema 1");
    assert_eq!(
        by_subject(&reader, CMND).await.len(),
        1,
        "found by its hash"
    );
    assert!(by_subject(&reader, ID).await.is_empty(), "one hash only");
    drop(reader);

    let sink = Arc::new(SqliteAuditSink::open(&path).expect("migrates"));
    assert_eq!(by_subject(sink.as_ref(), CMND).await.len(), 1);
    assert!(
        by_subject(sink.as_ref(), ID).await.is_empty(),
        "an old record keeps its one hash"
    );
    let audited = Audited::new(population_with_cmnd(), sink.clone(), hasher());
    audited
        .lookup(&ctx(), &query_for(CMND))
        .await
        .expect("lookup");
    let by_cmnd = by_subject(sink.as_ref(), CMND).await;
    assert_eq!(by_cmnd.len(), 2);
    assert!(
        by_cmnd.iter().all(|r| r.entry.client.is_none()),
        "no client: the old record had none, the new lookup named none"
    );
    assert_eq!(by_subject(sink.as_ref(), ID).await.len(), 1);
    let other = dancu_popdb::audit::SubjectHasher::new(dancu_popdb::Secret::new(
        "another-salt-entirely-0123456789",
    ))
    .expect("salt");
    assert_eq!(
        sink.query(&other.query(&key(ID))).await,
        Err(AuditError::SaltMismatch),
        "the migrated trail is bound by its first new record"
    );
    drop(audited);
    drop(sink);
    let c = rusqlite::Connection::open(&path).expect("open raw");
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, dancu_popdb::audit::SCHEMA_VERSION);
}

/// The `client` column of every record, oldest first, read from the file.
fn stored_clients(path: &Path) -> Vec<Option<String>> {
    let c = rusqlite::Connection::open(path).expect("open raw");
    c.prepare("SELECT client FROM audit_record ORDER BY started_at, id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The calling client is written into the record's own column and read
/// back, pending and completed, after reopening too; a lookup made for no
/// client stores NULL.
#[tokio::test]
async fn the_calling_client_is_written_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    {
        let sink = open(dir.path());
        let probe = Probe::new(Some(Arc::clone(&sink)));
        let audited = Audited::new(probe, sink.clone(), hasher());
        let for_tandan = ctx().with_client("tandan").expect("client");
        audited
            .lookup(&for_tandan, &query_for(ID))
            .await
            .expect("lookup");
        let seen = audited.inner().seen.lock().expect("lock").clone();
        assert_eq!(
            seen[0].entry.client.as_deref(),
            Some("tandan"),
            "in the pending record"
        );
        audited.check(&ctx(), &query_for(ID)).await.expect("check");
    }
    assert_eq!(stored_clients(&path), [Some("tandan".to_owned()), None]);
    let sink = SqliteAuditSink::open_read_only(&path).expect("reopen");
    let records = by_subject(&sink, ID).await;
    let clients: Vec<_> = records.iter().map(|r| r.entry.client.as_deref()).collect();
    assert_eq!(clients, [Some("tandan"), None]);
    assert!(records.iter().all(|r| r.completion.is_some()));
    assert_eq!(records[0].entry.officer, "canbo.motcua01");
}

/// A trail written by schema 2 (no client column): read as it is, without
/// clients, when opened read-only; migrated when opened for writing, its
/// old records keeping no client (NULL) and new ones recording theirs.
#[tokio::test]
async fn a_schema_2_trail_is_read_and_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.sqlite");
    {
        let sink = Arc::new(SqliteAuditSink::open(&path).expect("open"));
        let old = Audited::new(population_with_cmnd(), sink.clone(), hasher());
        old.lookup(&ctx(), &query_for(CMND)).await.expect("lookup");
    }
    // Back to what schema 2 was: no client.
    {
        let c = rusqlite::Connection::open(&path).expect("open raw");
        c.execute_batch(
            "ALTER TABLE audit_record DROP COLUMN client; \
             PRAGMA user_version = 2;",
        )
        .expect("downgrade to schema 2");
    }
    let reader = SqliteAuditSink::open_read_only(&path).expect("read-only on schema 2");
    let records = by_subject(&reader, ID).await;
    assert_eq!(records.len(), 1, "found by every number, as schema 2 is");
    assert_eq!(records[0].entry.client, None);
    assert_eq!(records[0].entry.officer, "canbo.motcua01");
    drop(reader);
    {
        let c = rusqlite::Connection::open(&path).expect("open raw");
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, 2, "reading does not migrate");
    }

    let sink = Arc::new(SqliteAuditSink::open(&path).expect("migrates"));
    let audited = Audited::new(population_with_cmnd(), sink.clone(), hasher());
    audited
        .lookup(
            &ctx().with_client("tandan").expect("client"),
            &query_for(CMND),
        )
        .await
        .expect("lookup");
    let clients: Vec<_> = by_subject(sink.as_ref(), ID)
        .await
        .into_iter()
        .map(|r| r.entry.client)
        .collect();
    assert_eq!(clients, [None, Some("tandan".to_owned())]);
    assert_eq!(
        by_subject(sink.as_ref(), CMND).await.len(),
        2,
        "the old record keeps its index"
    );
    drop(audited);
    drop(sink);
    assert_eq!(stored_clients(&path), [None, Some("tandan".to_owned())]);
    let c = rusqlite::Connection::open(&path).expect("open raw");
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, dancu_popdb::audit::SCHEMA_VERSION);
    assert_eq!(v, 3);
}

/// An LGSP gateway on `server` (token at `/token`).
fn lgsp_gateway(server: &wiremock::MockServer) -> dancu_popdb::gateway::Gateway {
    dancu_popdb::gateway::Gateway::builder("lgsp", &server.uri())
        .name("lgsp-test")
        .lookup_path("/dancu/tracuu")
        .verify_path("/dancu/xacthuc")
        .with_config("token_path", "/token")
        .lgsp_credentials(
            dancu_popdb::Secret::new("ak-7f3e9c"),
            dancu_popdb::Secret::new("sk-TOPSECRET-91d2"),
            "motcua",
            "000.00.21.H06",
            "H06-CUS",
        )
        .build()
        .expect("gateway")
}

#[tokio::test]
async fn an_absurd_token_lifetime_is_clamped_and_the_lookup_is_recorded() {
    use wiremock::{
        Mock, MockServer, ResponseTemplate,
        matchers::{header, path},
    };
    let found = include_str!("../../dancu-wire/tests/fixtures/lookup-response-found.xml");
    for expires_in in [
        "18446744073709551615",
        "9223372036854775807",
        "9.3e18",
        "1e308",
        "\"18446744073709551615\"",
        "\"9223372036854775807\"",
        "\"9.3e18\"",
        "-1",
    ] {
        let server = MockServer::start().await;
        let body = format!(
            r#"{{"access_token": "tok-huge", "token_type": "Bearer", "expires_in": {expires_in}}}"#
        );
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        Mock::given(path("/dancu/tracuu"))
            .and(header("authorization", "Bearer tok-huge"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(found, "text/xml; charset=utf-8"))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().expect("tempdir");
        let sink = open(dir.path());
        let audited = Audited::new(lgsp_gateway(&server), sink.clone(), hasher());
        for _ in 0..2 {
            let reply = audited
                .lookup(&ctx(), &query_for(ID))
                .await
                .unwrap_or_else(|e| panic!("expires_in {expires_in}: {e:?}"));
            assert!(
                matches!(reply.outcome, LookupOutcome::Found(_)),
                "expires_in {expires_in}"
            );
        }
        // A clamped lifetime is still a lifetime: the second lookup reuses
        // the token (a negative one is used for its own call only).
        let tokens = server
            .received_requests()
            .await
            .expect("recorded")
            .iter()
            .filter(|r| r.url.path() == "/token")
            .count();
        assert_eq!(
            tokens,
            if expires_in == "-1" { 2 } else { 1 },
            "{expires_in}"
        );
        let records = by_subject(sink.as_ref(), ID).await;
        assert_eq!(records.len(), 2, "expires_in {expires_in}");
        for r in &records {
            let c = r.completion.as_ref().expect("completed, not pending");
            assert_eq!(c.outcome, "found", "expires_in {expires_in}");
        }
    }
}

#[tokio::test]
async fn a_failed_lookup_records_the_attempts_the_gateway_saw() {
    use dancu_popdb::layer::Layer as _;
    use dancu_popdb::resilience::{Retry, RetryPolicy};
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let probe = Probe {
        fail: true,
        ..Probe::new(None)
    };
    let retrying = Retry(RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(4),
    })
    .over(probe);
    let audited = Audited::new(retrying, sink.clone(), hasher());
    let err = audited
        .lookup(&ctx(), &query_for(ID))
        .await
        .expect_err("always unavailable");
    assert!(matches!(err, RegistryError::Unavailable { .. }), "{err:?}");
    let records = by_subject(sink.as_ref(), ID).await;
    let completion = records[0].completion.as_ref().expect("completed");
    assert_eq!(completion.outcome, "unavailable");
    assert_eq!(completion.attempts, Some(4));
}

#[tokio::test]
async fn the_purpose_is_stored_only_after_masking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = open(dir.path());
    let audited = Audited::new(Probe::new(None), sink.clone(), hasher());
    let ctx = ctx()
        .with_purpose(&format!(
            "Xác minh cho {} (CCCD 006 089 000 001, sinh 12/05/1989) theo Điều 20",
            NAME.to_uppercase()
        ))
        .expect("purpose");
    audited.lookup(&ctx, &query_for(ID)).await.expect("lookup");
    let records = by_subject(sink.as_ref(), ID).await;
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].entry.purpose.as_deref(),
        Some("Xác minh cho *** (CCCD *** *** **0 001, sinh **/**/****) theo Điều 20")
    );
}
