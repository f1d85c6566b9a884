//! Migrations: applied once, by instances starting together; a newer
//! schema is refused; a down server is a clear error.

use dancu_postgres::{ConnectOptions, Database, DbError, MIGRATIONS, SCHEMA_VERSION};

use crate::support::{self, Scratch};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let Some(scratch) = Scratch::new("migrate").await else {
        return;
    };
    let url = scratch.url.clone();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Database::connect(&url, &support::options()).await })
        })
        .collect();
    for s in starts {
        let db = s.await.unwrap().unwrap();
        assert_eq!(db.schema_version().await.unwrap(), SCHEMA_VERSION);
    }
    let raw = scratch.raw().await;
    let versions: Vec<i32> = raw
        .query(
            "SELECT version FROM dancu_schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        versions,
        MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>()
    );
    // Migrating again applies nothing.
    let db = scratch.database().await;
    assert_eq!(db.migrate().await.unwrap(), Vec::<i32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_schema_is_refused() {
    let Some(scratch) = Scratch::new("newer").await else {
        return;
    };
    drop(scratch.database().await);
    let raw = scratch.raw().await;
    raw.execute(
        "INSERT INTO dancu_schema_migrations (version, name) VALUES ($1, 'from the future')",
        &[&(SCHEMA_VERSION + 1)],
    )
    .await
    .unwrap();
    match Database::connect(&scratch.url, &support::options()).await {
        Err(DbError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

/// No server listening: a clear error naming the URL without its
/// password, soon.
#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_without_the_password() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://dancu:hunter2-secret@127.0.0.1:{port}/dancu")
        .parse()
        .unwrap();
    let options = ConnectOptions::default().timeout(std::time::Duration::from_secs(2));
    let started = std::time::Instant::now();
    let e = Database::connect(&url, &options).await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, DbError::Connect { .. }), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
