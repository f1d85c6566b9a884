//! `PgAuditSink`: the behaviour suite, group commit, two instances on one
//! trail, and no personal data in the database.

use std::process::Command;
use std::sync::Arc;

use dancu_core::registry::{
    AuditEntry, AuditQuery, AuditSink, CitizenRecord, IdentityQuery, LookupKey, Operation,
    PopulationRegistry, RequestContext,
};
use dancu_core::{CalendarDate, IdNumber};
use dancu_popdb::audit::{Audited, SubjectHasher};
use dancu_popdb::{InMemoryRegistry, Secret};
use dancu_postgres::PgAuditSink;

use crate::support::{Scratch, server_url};

const ID: &str = "006089000001";
const NAME: &str = "Nguyễn Văn An";
const BIRTH: &str = "12/05/1989";
const SALT: &str = "pg-test-salt-kept-secret-0123456789";

fn hasher() -> SubjectHasher {
    SubjectHasher::new(Secret::new(SALT)).unwrap()
}

fn ctx(officer: &str) -> RequestContext {
    RequestContext::new(officer, "1.001776".parse().unwrap())
        .unwrap()
        .with_unit("000.00.21.H56".parse().unwrap())
        .with_purpose("Đăng ký thường trú (Luật Cư trú 2020, Điều 20)")
        .unwrap()
}

fn query() -> IdentityQuery {
    let on = CalendarDate::new(2026, 11, 27).unwrap();
    IdentityQuery::new(
        IdNumber::parse_on(ID, on).unwrap(),
        NAME.parse().unwrap(),
        BIRTH.parse().unwrap(),
    )
    .unwrap()
}

fn population() -> InMemoryRegistry {
    let registry = InMemoryRegistry::new("memory");
    let mut record = CitizenRecord::new(
        ID.parse().unwrap(),
        NAME.parse().unwrap(),
        "1".parse().unwrap(),
        BIRTH.parse().unwrap(),
    );
    record.cmnd = Some("095000111".parse().unwrap());
    registry.insert(record);
    registry
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_sink_has_the_audit_sink_behaviour() {
    if server_url("the_postgres_sink_has_the_audit_sink_behaviour").is_none() {
        return;
    }
    dancu_popdb::audit::suite::sink_behaviour_suite(async || {
        let scratch = Scratch::new("audit suite").await.unwrap();
        Arc::new(PgAuditSink::new(scratch.database().await)) as Arc<dyn AuditSink>
    })
    .await;
}

/// Lookups made together share commits; each is answered only after its
/// commit, and every one is in the trail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_begins_share_commits() {
    let Some(scratch) = Scratch::new("group commit").await else {
        return;
    };
    let sink = Arc::new(PgAuditSink::new(scratch.database().await));
    let h = hasher();
    let key = LookupKey::PersonalId(ID.parse().unwrap());
    let n = 256;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (sink, h) = (Arc::clone(&sink), h.clone());
            tokio::spawn(async move {
                let ctx = ctx(&format!("canbo.{i}"));
                let e = AuditEntry::for_request(
                    &ctx,
                    "g",
                    "in_memory",
                    Operation::Check,
                    h.subject(&key),
                );
                sink.begin(&e).await.unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let stats = sink.stats();
    assert_eq!(stats.writes, n);
    assert!(
        stats.commits < n / 4,
        "{} commits for {n} concurrent writes: they should share commits",
        stats.commits
    );
    let raw = scratch.raw().await;
    let count: i64 = raw
        .query_one("SELECT count(*) FROM dancu_audit_record", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, i64::try_from(n).unwrap());
}

/// Two instances on one database are one trail: a lookup made through
/// either is found through the other, by any number of the subject; a
/// pending one too (the instance that made it may have died).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_trail() {
    let Some(scratch) = Scratch::new("two instances").await else {
        return;
    };
    let a: Arc<dyn AuditSink> = Arc::new(PgAuditSink::new(scratch.database().await));
    let b: Arc<dyn AuditSink> = Arc::new(PgAuditSink::new(scratch.database().await));
    let registry_a = Audited::new(population(), Arc::clone(&a), hasher());
    registry_a.lookup(&ctx("canbo.a"), &query()).await.unwrap();
    // A lookup begun on b whose instance never completes it.
    let key = LookupKey::PersonalId(ID.parse().unwrap());
    let e = AuditEntry::for_request(
        &ctx("canbo.b"),
        "g",
        "in_memory",
        Operation::Lookup,
        hasher().subject(&key),
    );
    b.begin(&e).await.unwrap();

    for (sink, which) in [(&a, "a"), (&b, "b")] {
        let records = sink.query(&hasher().query(&key)).await.unwrap();
        let officers: Vec<_> = records.iter().map(|r| r.entry.officer.as_str()).collect();
        assert_eq!(officers, ["canbo.a", "canbo.b"], "through {which}");
        assert!(records[0].completion.is_some() && records[1].completion.is_none());
        let by_cmnd = LookupKey::Cmnd("095000111".parse().unwrap());
        let records = sink.query(&hasher().query(&by_cmnd)).await.unwrap();
        assert_eq!(
            records.len(),
            1,
            "the CMND of the record returned, through {which}"
        );
    }
    // The second instance is bound to the same salt.
    let other = SubjectHasher::new(Secret::new("another-salt-0123456789abcdef")).unwrap();
    assert_eq!(
        b.query(&other.query(&key)).await.map(|r| r.len()),
        Err(dancu_core::registry::AuditError::SaltMismatch)
    );
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The path of a PostgreSQL client program: from `DANCU_TEST_POSTGRES_BIN`
/// (set by `.ci/postgres`), else on the PATH.
pub(crate) fn pg_program(name: &str) -> std::path::PathBuf {
    std::env::var_os("DANCU_TEST_POSTGRES_BIN")
        .map(|d| std::path::PathBuf::from(d).join(name))
        .filter(|p| p.exists())
        .unwrap_or_else(|| name.into())
}

/// Every table of the trail, dumped with `pg_dump --data-only`, holds the
/// masked number and the officer, and never the full ID number, the name,
/// the birth date or the salt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_name_birth_date_or_salt_in_the_database() {
    let Some(scratch) = Scratch::new("no personal data").await else {
        return;
    };
    let sink: Arc<dyn AuditSink> = Arc::new(PgAuditSink::new(scratch.database().await));
    let audited = Audited::new(population(), Arc::clone(&sink), hasher());
    audited
        .lookup(&ctx("canbo.motcua01"), &query())
        .await
        .unwrap();
    audited
        .check(&ctx("canbo.motcua01"), &query())
        .await
        .unwrap();

    let out = Command::new(pg_program("pg_dump"))
        .args([
            "--data-only",
            "--schema",
            &scratch.schema,
            "--dbname",
            &scratch.base,
        ])
        .output()
        .expect("pg_dump runs (install postgresql-client)");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = out.stdout;
    assert!(
        contains(&dump, b"dancu_audit_record"),
        "the dump has the trail"
    );
    assert!(
        contains(&dump, b"********0001"),
        "the masked number is there"
    );
    assert!(contains(&dump, b"canbo.motcua01"), "the officer is there");
    let upper = NAME.to_uppercase();
    for f in [
        ID.as_bytes(),
        "095000111".as_bytes(),
        NAME.as_bytes(),
        upper.as_bytes(),
        b"NGUYEN VAN AN",
        BIRTH.as_bytes(),
        b"1989-05-12",
        b"19890512",
        SALT.as_bytes(),
    ] {
        assert!(
            !contains(&dump, f),
            "found {:?} in the dump",
            String::from_utf8_lossy(f)
        );
    }
    let records = sink
        .query(&AuditQuery::Officer("canbo.motcua01".into()))
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
}
