//! Behaviour specific to the SQLite store: the file, its schema, what it
//! keeps outside the JSON body, and how it fails.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use dancu_core::DossierCode;
use dancu_core::dossier::{DossierStatus, DossierStore, StoreError};
use dancu_dossier_sqlite::{SCHEMA_VERSION, SqliteDossierStore};
use rusqlite::Connection;

use crate::support::{OWNER_ID, Scratch, day, full_dossier};
use dancu_core::dossier::suite::exhaustion_after;

const UNIT: &str = "000.00.21.H56";

fn backend_message<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Backend(message)) => message,
        other => panic!("expected a backend error, got {other:?}"),
    }
}

#[tokio::test]
async fn serials_run_out_after_9999() {
    let dir = Scratch::new("exhaust");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    store.issue_code(UNIT, day(2026, 11, 27)).await.unwrap();
    // Skip most of the day's intakes by moving the counter directly.
    Connection::open(dir.db())
        .unwrap()
        .execute("UPDATE serials SET last = 9990", [])
        .unwrap();
    exhaustion_after(&store, UNIT, 9_990).await;
}

#[tokio::test]
async fn the_file_keeps_dossiers_and_counters_across_reopening() {
    let dir = Scratch::new("reopen");
    let d = day(2026, 11, 27);
    let dossier = {
        let store = SqliteDossierStore::open(dir.db()).unwrap();
        let code = store.issue_code(UNIT, d).await.unwrap();
        let dossier = full_dossier(&code, DossierStatus::Received);
        store.save(&dossier).await.unwrap();
        store.issue_code(UNIT, d).await.unwrap();
        dossier
    };
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    assert_eq!(store.path(), dir.db());
    assert_eq!(store.load(&dossier.code).await.unwrap(), Some(dossier));
    assert_eq!(store.issue_code(UNIT, d).await.unwrap().serial(), 3);

    let conn = Connection::open(dir.db()).unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn handles_on_one_file_see_each_other() {
    let dir = Scratch::new("handles");
    let (one, two) = (
        SqliteDossierStore::open(dir.db()).unwrap(),
        SqliteDossierStore::open(dir.db()).unwrap(),
    );
    let d = day(2026, 11, 27);
    let first = one.issue_code(UNIT, d).await.unwrap();
    let second = two.issue_code(UNIT, d).await.unwrap();
    assert_eq!((first.serial(), second.serial()), (1, 2));
    let dossier = full_dossier(&second, DossierStatus::Received);
    two.save(&dossier).await.unwrap();
    assert_eq!(one.load(&second).await.unwrap(), Some(dossier.clone()));
    assert_eq!(
        one.list(UNIT, DossierStatus::Received).await.unwrap(),
        vec![dossier]
    );
}

#[tokio::test]
async fn a_saved_code_is_never_issued_again() {
    let dir = Scratch::new("import");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    // A dossier imported with a code this store did not issue.
    let imported: DossierCode = format!("{UNIT}-261127-0042").parse().unwrap();
    store
        .save(&full_dossier(&imported, DossierStatus::Processing))
        .await
        .unwrap();
    let next = store.issue_code(UNIT, day(2026, 11, 27)).await.unwrap();
    assert_eq!(next.serial(), 43);
    // Saving an older code does not move the counter back.
    let older: DossierCode = format!("{UNIT}-261127-0007").parse().unwrap();
    store
        .save(&full_dossier(&older, DossierStatus::Processing))
        .await
        .unwrap();
    let next = store.issue_code(UNIT, day(2026, 11, 27)).await.unwrap();
    assert_eq!(next.serial(), 44);
    // A re-issued 5-digit code has a random tail, not a serial: no counter.
    let reissued: DossierCode = "000.00.23.H56-261127-54321".parse().unwrap();
    store
        .save(&full_dossier(&reissued, DossierStatus::Processing))
        .await
        .unwrap();
    let first = store
        .issue_code("000.00.23.H56", day(2026, 11, 27))
        .await
        .unwrap();
    assert_eq!(first.serial(), 1);
}

#[tokio::test]
async fn only_the_body_holds_the_full_id_number() {
    let dir = Scratch::new("pii");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    let code = store.issue_code(UNIT, day(2026, 11, 27)).await.unwrap();
    let dossier = full_dossier(&code, DossierStatus::Received);
    store.save(&dossier).await.unwrap();

    let conn = Connection::open(dir.db()).unwrap();
    let (columns, body): (String, String) = conn
        .query_row(
            "SELECT code || '|' || unit || '|' || status || '|' || channel || '|' || procedure
                    || '|' || owner_id_masked || '|' || intake_date || '|' || updated_at,
                    body
             FROM dossiers",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let parts: Vec<&str> = columns.split('|').collect();
    assert_eq!(
        parts[..7],
        [
            code.to_string().as_str(),
            UNIT,
            "2",
            "1",
            "1.001193.000.00.00.H06",
            "********0001",
            "2026-11-27",
        ]
    );
    assert!(
        parts[7].ends_with('Z') && parts[7].len() == 24,
        "{}",
        parts[7]
    );
    assert!(!columns.contains(OWNER_ID), "{columns}");
    // The body is the dossier itself, owner included.
    assert!(body.contains(OWNER_ID));
    let serials: String = conn
        .query_row(
            "SELECT group_concat(unit || day || last) FROM serials",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!serials.contains(OWNER_ID));
}

#[tokio::test]
async fn an_unreadable_row_is_an_error_that_quotes_no_personal_data() {
    let dir = Scratch::new("corrupt");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    let d = day(2026, 11, 27);
    let broken = store.issue_code(UNIT, d).await.unwrap();
    let swapped = store.issue_code(UNIT, d).await.unwrap();
    for code in [&broken, &swapped] {
        store
            .save(&full_dossier(code, DossierStatus::Received))
            .await
            .unwrap();
    }
    let conn = Connection::open(dir.db()).unwrap();
    // A whole dossier, under another code's row.
    conn.execute(
        "UPDATE dossiers SET body = (SELECT body FROM dossiers WHERE code = ?1) WHERE code = ?2",
        rusqlite::params![format!("{UNIT}-261127-0001"), swapped.to_string()],
    )
    .unwrap();
    // Valid JSON, not a dossier: serde's own message would quote the ID.
    conn.execute(
        "UPDATE dossiers SET body = json_set(body, '$.status', ?2) WHERE code = ?1",
        rusqlite::params![broken.to_string(), OWNER_ID],
    )
    .unwrap();

    let message = backend_message(store.load(&broken).await);
    assert!(message.contains(&broken.to_string()), "{message}");
    assert!(message.contains("not a valid dossier"), "{message}");
    assert!(!message.contains(OWNER_ID), "{message}");
    let message = backend_message(store.load(&swapped).await);
    assert!(message.contains("another dossier code"), "{message}");
    let message = backend_message(store.list(UNIT, DossierStatus::Received).await);
    assert!(!message.contains(OWNER_ID), "{message}");
}

#[test]
fn opening_something_that_is_not_a_store_fails_clearly() {
    let dir = Scratch::new("open");
    // A directory.
    let message = backend_message(SqliteDossierStore::open(dir.path()));
    assert!(
        message.contains("cannot open the dossier database"),
        "{message}"
    );
    // A file that is not SQLite.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let message = backend_message(SqliteDossierStore::open(&junk));
    assert!(message.contains("junk.sqlite"), "{message}");
    // A database no connection can share.
    for private in [":memory:", ""] {
        let message = backend_message(SqliteDossierStore::open(private));
        assert!(message.contains("write-ahead"), "{private:?}: {message}");
    }
    // A schema from a newer build is left alone.
    let newer = dir.path().join("newer.sqlite");
    drop(SqliteDossierStore::open(&newer).unwrap());
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let message = backend_message(SqliteDossierStore::open(&newer));
    assert!(message.contains("schema version 2"), "{message}");
    // A missing parent directory.
    let nowhere = dir.path().join("missing").join("dossiers.sqlite");
    let message = backend_message(SqliteDossierStore::open(nowhere));
    assert!(message.contains("missing"), "{message}");
}

/// Polls a future on this thread with no async runtime at all.
fn run_without_runtime<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

#[test]
fn works_outside_a_tokio_runtime() {
    let dir = Scratch::new("no-runtime");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    let code = run_without_runtime(store.issue_code(UNIT, day(2026, 11, 27))).unwrap();
    let dossier = full_dossier(&code, DossierStatus::Received);
    run_without_runtime(store.save(&dossier)).unwrap();
    assert_eq!(
        run_without_runtime(store.load(&code)).unwrap(),
        Some(dossier)
    );
}

#[tokio::test]
async fn bad_input_says_which_part_is_wrong() {
    let dir = Scratch::new("bad-input");
    let store = SqliteDossierStore::open(dir.db()).unwrap();
    let message = backend_message(store.issue_code("H 56", day(2026, 11, 27)).await);
    assert!(
        message.contains("\"H 56\"") && message.contains("unit code has"),
        "{message}"
    );
    let message = backend_message(store.issue_code(UNIT, day(2100, 1, 1)).await);
    assert!(
        message.contains("2100-01-01 is outside 2000–2099"),
        "{message}"
    );
}

#[test]
fn the_store_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<SqliteDossierStore>();
    shareable::<std::sync::Arc<dyn DossierStore>>();
}
