//! The behaviour every [`AuditSink`] implementation must have — the SQLite
//! store here, a PostgreSQL store elsewhere — whatever its storage: the
//! rules the port documents, run against a fresh, empty sink. Enabled by
//! the `testkit` feature.
//!
//! The suite panics (like a test) on the first behaviour that differs, with
//! a message naming it.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use dancu_popdb::audit::SqliteAuditSink;
//! use dancu_popdb::audit::suite::sink_behaviour_suite;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut n = 0;
//! sink_behaviour_suite(async || {
//!     n += 1;
//!     Arc::new(SqliteAuditSink::open(dir.path().join(format!("audit-{n}.sqlite"))).unwrap())
//!         as Arc<dyn dancu_core::registry::AuditSink>
//! })
//! .await;
//! # });
//! ```

use std::sync::Arc;

use dancu_core::registry::{
    AuditCompletion, AuditEntry, AuditError, AuditQuery, AuditRecord, AuditSink, CitizenRecord,
    LookupKey, Operation, RequestContext,
};
use dancu_core::{CalendarDate, Cmnd, PersonalId, Timestamp};

use super::SubjectHasher;
use crate::Secret;

/// The salt the suite's records are hashed with.
const SALT: &str = "audit-suite-salt-0123456789";
/// Another salt: the wrong one.
const OTHER_SALT: &str = "audit-suite-other-salt-9876543210";

fn hasher(salt: &str) -> SubjectHasher {
    SubjectHasher::new(Secret::new(salt)).unwrap_or_else(|e| panic!("suite salt: {e}"))
}

fn personal_id(s: &str) -> PersonalId {
    let on = CalendarDate::new(2026, 11, 27).unwrap_or_else(|e| panic!("{e}"));
    PersonalId::parse_on(s, on).unwrap_or_else(|e| panic!("suite ID {s}: {e}"))
}

fn cmnd(s: &str) -> Cmnd {
    s.parse()
        .unwrap_or_else(|e| panic!("suite CMND {s}: {e:?}"))
}

/// A citizen with a personal ID and an old CMND.
fn citizen() -> CitizenRecord {
    let mut r = CitizenRecord::new(
        personal_id("006089000001"),
        "Nguyễn Văn An"
            .parse()
            .unwrap_or_else(|e| panic!("suite name: {e}")),
        "1".parse().unwrap_or_else(|e| panic!("suite gender: {e}")),
        "12/05/1989"
            .parse()
            .unwrap_or_else(|e| panic!("suite birth date: {e}")),
    );
    r.cmnd = Some(cmnd("095000111"));
    r
}

fn context(officer: &str) -> RequestContext {
    let procedure = "1.001776"
        .parse()
        .unwrap_or_else(|e| panic!("suite procedure: {e}"));
    RequestContext::new(officer, procedure).unwrap_or_else(|e| panic!("{e}"))
}

fn entry(hasher: &SubjectHasher, key: &LookupKey, officer: &str) -> AuditEntry {
    entry_under(hasher, key, &context(officer))
}

fn entry_under(hasher: &SubjectHasher, key: &LookupKey, ctx: &RequestContext) -> AuditEntry {
    AuditEntry::for_request(
        ctx,
        "suite",
        "in_memory",
        Operation::Lookup,
        hasher.subject(key),
    )
}

fn found(hasher: &SubjectHasher, typed: &LookupKey, record: &CitizenRecord) -> AuditCompletion {
    AuditCompletion {
        completed_at: Timestamp::now(),
        outcome: "found".into(),
        attempts: Some(1),
        as_of: None,
        exchange: None,
        subjects: hasher.record_subjects(typed, record),
    }
}

async fn query(sink: &dyn AuditSink, q: &AuditQuery, what: &str) -> Vec<AuditRecord> {
    sink.query(q)
        .await
        .unwrap_or_else(|e| panic!("{what}: the query failed: {e}"))
}

fn officers(records: &[AuditRecord]) -> Vec<&str> {
    records.iter().map(|r| r.entry.officer.as_str()).collect()
}

/// A lookup by CMND that returned the citizen's record is found by the
/// CMND, by the record's personal ID, and once only; a lookup by personal
/// ID is found by the record's CMND. A pending lookup is found by the
/// number typed.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn every_number_of_the_subject_is_indexed(sink: &dyn AuditSink) {
    let h = hasher(SALT);
    let record = citizen();
    let by_id = LookupKey::PersonalId(record.personal_id);
    let by_cmnd = LookupKey::Cmnd(cmnd("095000111"));
    let someone_else = LookupKey::PersonalId(personal_id("001200012345"));

    let t = sink
        .begin(&entry(&h, &by_cmnd, "canbo.cmnd"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.complete(t, &found(&h, &by_cmnd, &record))
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));
    let t = sink
        .begin(&entry(&h, &by_id, "canbo.id"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.complete(t, &found(&h, &by_id, &record))
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));
    sink.begin(&entry(&h, &someone_else, "canbo.other"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.begin(&entry(&h, &by_cmnd, "canbo.pending"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));

    let by_personal_id = query(sink, &h.query(&by_id), "by personal ID").await;
    assert_eq!(
        officers(&by_personal_id),
        ["canbo.cmnd", "canbo.id"],
        "who looked up the holder of the personal ID: the CMND lookup that returned their record too"
    );
    let cmnd_lookup = &by_personal_id[0];
    assert_eq!(cmnd_lookup.entry.subject.masked.as_str(), "*****0111");
    let others = &cmnd_lookup
        .completion
        .as_ref()
        .unwrap_or_else(|| panic!("the CMND lookup is completed"))
        .subjects;
    assert_eq!(
        others.iter().map(|s| s.hash.as_str()).collect::<Vec<_>>(),
        [h.hash(&by_id)],
        "the record read back names the other number it is indexed under"
    );
    assert_eq!(others[0].masked.as_str(), "********0001");
    assert_eq!(others[0].salt_check, h.salt_check());
    let by_old_cmnd = query(sink, &h.query(&by_cmnd), "by CMND").await;
    assert_eq!(
        officers(&by_old_cmnd),
        ["canbo.cmnd", "canbo.id", "canbo.pending"],
        "who looked up the holder of the CMND: the personal-ID lookup that returned it too, and the pending one"
    );
    let other = query(sink, &h.query(&someone_else), "someone else").await;
    assert_eq!(officers(&other), ["canbo.other"]);
}

/// The first record binds the trail to its salt: a lookup or a subject
/// query with another salt is refused with [`AuditError::SaltMismatch`]
/// and writes nothing; the right salt still works.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn a_trail_is_bound_to_one_salt(sink: &dyn AuditSink) {
    let (right, wrong) = (hasher(SALT), hasher(OTHER_SALT));
    let key = LookupKey::PersonalId(personal_id("006089000001"));
    let t = sink
        .begin(&entry(&right, &key, "canbo.right"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.complete(t, &found(&right, &key, &citizen()))
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));

    assert_eq!(
        sink.begin(&entry(&wrong, &key, "canbo.wrong")).await,
        Err(AuditError::SaltMismatch),
        "a record hashed with another salt is refused"
    );
    assert_eq!(
        sink.query(&wrong.query(&key)).await.map(|r| r.len()),
        Err(AuditError::SaltMismatch),
        "a wrong salt is an error, not \"nobody looked this citizen up\""
    );
    let all = query(
        sink,
        &AuditQuery::Officer("canbo.wrong".into()),
        "by officer",
    )
    .await;
    assert!(all.is_empty(), "nothing was written with the wrong salt");
    let records = query(sink, &right.query(&key), "with the right salt").await;
    assert_eq!(officers(&records), ["canbo.right"]);
    assert_eq!(records[0].entry.subject.salt_check, right.salt_check());
    assert!(
        sink.begin(&entry(&right, &key, "canbo.again"))
            .await
            .is_ok(),
        "the trail's own salt still writes"
    );
}

/// Purged records are gone under every number they were indexed by.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn purged_records_leave_no_index(sink: &dyn AuditSink) {
    let h = hasher(SALT);
    let record = citizen();
    let by_cmnd = LookupKey::Cmnd(cmnd("095000111"));
    let by_id = LookupKey::PersonalId(record.personal_id);
    let mut old = entry(&h, &by_cmnd, "canbo.old");
    old.started_at = Timestamp::from_unix_millis(Timestamp::now().unix_millis() - 86_400_000);
    let t = sink
        .begin(&old)
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.complete(t, &found(&h, &by_cmnd, &record))
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));
    let cutoff = Timestamp::from_unix_millis(Timestamp::now().unix_millis() - 3_600_000);
    let purged = sink
        .purge_before(cutoff)
        .await
        .unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!(purged, 1);
    for key in [by_id, by_cmnd] {
        assert!(
            query(sink, &h.query(&key), "after the purge")
                .await
                .is_empty(),
            "a purged record is found by no number"
        );
    }
}

/// The calling client of a lookup made for one ([`RequestContext::with_client`])
/// is read back with the record, pending and completed, by every query; a
/// lookup made for none reads back without one.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn the_calling_client_is_recorded(sink: &dyn AuditSink) {
    let h = hasher(SALT);
    let record = citizen();
    let key = LookupKey::PersonalId(record.personal_id);
    let for_client = |officer: &str, client: &str| {
        let ctx = context(officer)
            .with_client(client)
            .unwrap_or_else(|e| panic!("suite client {client}: {e}"));
        entry_under(&h, &key, &ctx)
    };
    let tandan = for_client("canbo.tandan", "tandan");
    assert_eq!(tandan.client.as_deref(), Some("tandan"), "the entry has it");
    let t = sink
        .begin(&tandan)
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.complete(t, &found(&h, &key, &record))
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));
    sink.begin(&for_client("canbo.vnpt", "vnpt-igate_2.hcm"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    sink.begin(&entry(&h, &key, "canbo.direct"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));

    let clients = |records: &[AuditRecord]| {
        records
            .iter()
            .map(|r| (r.entry.officer.clone(), r.entry.client.clone()))
            .collect::<Vec<_>>()
    };
    let expected = [
        ("canbo.tandan".to_owned(), Some("tandan".to_owned())),
        ("canbo.vnpt".to_owned(), Some("vnpt-igate_2.hcm".to_owned())),
        ("canbo.direct".to_owned(), None),
    ];
    let by_subject = query(sink, &h.query(&key), "by subject").await;
    assert_eq!(
        clients(&by_subject),
        expected,
        "each record names the client it was made for, completed or pending; none when none"
    );
    assert!(by_subject[0].completion.is_some() && by_subject[1].completion.is_none());
    let by_officer = query(
        sink,
        &AuditQuery::Officer("canbo.tandan".into()),
        "by officer",
    )
    .await;
    assert_eq!(clients(&by_officer), expected[..1]);
    let day = 86_400_000;
    let now = Timestamp::now().unix_millis();
    let between = query(
        sink,
        &AuditQuery::Between(
            Timestamp::from_unix_millis(now - day),
            Timestamp::from_unix_millis(now + day),
        ),
        "between",
    )
    .await;
    assert_eq!(clients(&between), expected);
}

/// A ticket completes its record once: completing it again, or completing
/// a ticket the sink never issued, is [`AuditError::UnknownTicket`] and
/// changes nothing.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn a_record_completes_once(sink: &dyn AuditSink) {
    let h = hasher(SALT);
    let record = citizen();
    let key = LookupKey::PersonalId(record.personal_id);
    let t = sink
        .begin(&entry(&h, &key, "canbo.once"))
        .await
        .unwrap_or_else(|e| panic!("begin: {e}"));
    let first = found(&h, &key, &record);
    sink.complete(t, &first)
        .await
        .unwrap_or_else(|e| panic!("complete: {e}"));
    let mut again = first.clone();
    again.outcome = "not_found".into();
    assert_eq!(
        sink.complete(t, &again).await,
        Err(AuditError::UnknownTicket(t.0)),
        "a completed record is not completed again"
    );
    let never = dancu_core::registry::AuditTicket(t.0.saturating_add(1_000_000));
    assert_eq!(
        sink.complete(never, &again).await,
        Err(AuditError::UnknownTicket(never.0)),
        "a ticket never issued names no record"
    );
    let records = query(sink, &h.query(&key), "after completing twice").await;
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].completion.as_ref().map(|c| c.outcome.as_str()),
        Some("found"),
        "the first completion stands"
    );
}

/// Lookups begun and completed concurrently (as under load, when a store
/// commits them in groups) each get their own ticket, and every one of them
/// is read back, completed, once.
///
/// # Panics
///
/// When `sink` behaves otherwise.
pub async fn concurrent_lookups_are_each_recorded(sink: Arc<dyn AuditSink>) {
    const LOOKUPS: usize = 64;
    let h = hasher(SALT);
    let record = citizen();
    let key = LookupKey::PersonalId(record.personal_id);
    let mut tasks = Vec::with_capacity(LOOKUPS);
    for i in 0..LOOKUPS {
        let (sink, h, record, key) = (Arc::clone(&sink), h.clone(), record.clone(), key);
        tasks.push(tokio::spawn(async move {
            let officer = format!("canbo.{i:02}");
            let t = sink
                .begin(&entry(&h, &key, &officer))
                .await
                .unwrap_or_else(|e| panic!("begin {i}: {e}"));
            sink.complete(t, &found(&h, &key, &record))
                .await
                .unwrap_or_else(|e| panic!("complete {i}: {e}"));
            t
        }));
    }
    let mut tickets = std::collections::BTreeSet::new();
    for task in tasks {
        let t = task.await.unwrap_or_else(|e| panic!("lookup task: {e}"));
        assert!(tickets.insert(t.0), "ticket {} was issued twice", t.0);
    }
    let records = query(sink.as_ref(), &h.query(&key), "after the burst").await;
    assert_eq!(records.len(), LOOKUPS, "every lookup is recorded, once");
    let mut seen: Vec<&str> = officers(&records);
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), LOOKUPS);
    assert!(
        records.iter().all(|r| r.completion.is_some()),
        "every lookup is completed"
    );
}

/// Every behaviour above, each on a fresh, empty sink from `fresh`.
pub async fn sink_behaviour_suite(mut fresh: impl AsyncFnMut() -> Arc<dyn AuditSink>) {
    every_number_of_the_subject_is_indexed(fresh().await.as_ref()).await;
    a_trail_is_bound_to_one_salt(fresh().await.as_ref()).await;
    purged_records_leave_no_index(fresh().await.as_ref()).await;
    the_calling_client_is_recorded(fresh().await.as_ref()).await;
    a_record_completes_once(fresh().await.as_ref()).await;
    concurrent_lookups_are_each_recorded(fresh().await).await;
}
