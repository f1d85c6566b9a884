//! `PgGatewayQuota`: one rate and one concurrency for every instance, slots
//! of a dead instance given back, and no call when the database is down.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dancu_core::registry::{GatewayQuota, QuotaError};
use dancu_postgres::{ConnectOptions, Database, PgGatewayQuota};

use crate::support::Scratch;

const LEASE: Duration = Duration::from_secs(20);

/// Two instances at 20 calls a second each would start 40 calls in about
/// a second; sharing one quota of 20 a second, they take about two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_is_shared_by_every_instance() {
    const CALLS: usize = 40;
    let Some(scratch) = Scratch::new("shared rate").await else {
        return;
    };
    let mut quotas = Vec::new();
    for _ in 0..2 {
        let db = scratch.database().await;
        quotas.push(Arc::new(
            PgGatewayQuota::new(db, "lgsp", Some(20.0), None, LEASE)
                .await
                .unwrap(),
        ));
    }
    // Each instance's pool connected (TLS handshakes done) before the
    // clock starts: a call answered late by a cold connection starts late,
    // which is not what this measures.
    for q in &quotas {
        drop(q.acquire(None).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let q = Arc::clone(&quotas[i % 2]);
            tokio::spawn(async move {
                let _lease = q.acquire(None).await.unwrap();
                started.elapsed()
            })
        })
        .collect();
    let mut starts = Vec::new();
    for t in tasks {
        starts.push(t.await.unwrap());
    }
    starts.sort();
    // In any one second, at most 20 starts, one at the edge, and two for
    // the jitter of waking 40 tasks on a busy 2-CPU machine (a start is
    // never earlier than reserved, but one that wakes late lands beside the
    // next). Unshared, the two instances would start all 40 within a
    // second.
    for (i, s) in starts.iter().enumerate() {
        let within = starts[i..]
            .iter()
            .take_while(|t| **t < *s + Duration::from_secs(1))
            .count();
        assert!(
            within <= 23,
            "{within} calls started within a second of {s:?}: {starts:?}"
        );
    }
    let span = starts[CALLS - 1] - starts[0];
    assert!(
        span >= Duration::from_millis(1800),
        "40 calls at 20/s shared took {span:?}"
    );
}

/// At most `max_concurrency` calls in flight across two instances; the
/// limit is reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_shared_by_every_instance() {
    let Some(scratch) = Scratch::new("shared concurrency").await else {
        return;
    };
    let mut quotas = Vec::new();
    for _ in 0..2 {
        let db = scratch.database().await;
        quotas.push(Arc::new(
            PgGatewayQuota::new(db, "c06", None, Some(3), LEASE)
                .await
                .unwrap(),
        ));
    }
    let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (q, now, peak) = (
                Arc::clone(&quotas[i % 2]),
                Arc::clone(&now),
                Arc::clone(&peak),
            );
            tokio::spawn(async move {
                let lease = q.acquire(None).await.unwrap();
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(40)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                drop(lease);
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        peak.load(Ordering::SeqCst),
        3,
        "the shared limit, reached, never passed"
    );
}

/// Both limits at once (the one-statement claim and reservation): starts
/// spaced by the shared rate and never more than `max_concurrency` in
/// flight, over two instances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_and_concurrency_hold_together() {
    const CALLS: usize = 24;
    let Some(scratch) = Scratch::new("rate and concurrency").await else {
        return;
    };
    let mut quotas = Vec::new();
    for _ in 0..2 {
        let db = scratch.database().await;
        quotas.push(Arc::new(
            PgGatewayQuota::new(db, "provincial_json", Some(50.0), Some(2), LEASE)
                .await
                .unwrap(),
        ));
    }
    let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let (q, now, peak) = (
                Arc::clone(&quotas[i % 2]),
                Arc::clone(&now),
                Arc::clone(&peak),
            );
            tokio::spawn(async move {
                let lease = q.acquire(None).await.unwrap();
                let at = started.elapsed();
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                drop(lease);
                at
            })
        })
        .collect();
    let mut starts = Vec::new();
    for t in tasks {
        starts.push(t.await.unwrap());
    }
    starts.sort();
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&peak),
        "at most 2 in flight across both instances, saw {peak}"
    );
    // 24 starts 20 ms apart span at least 23 intervals (a little jitter
    // allowed).
    let span = starts[CALLS - 1] - starts[0];
    assert!(
        span >= Duration::from_millis(420),
        "24 calls at 50/s shared took {span:?}"
    );
}

/// A slot held by an instance that died (its lease never dropped) is free
/// again once the claim expires; until then the deadline refuses a call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_instances_slot_expires() {
    let Some(scratch) = Scratch::new("expired slot").await else {
        return;
    };
    let lease = Duration::from_secs(1);
    let dead = PgGatewayQuota::new(scratch.database().await, "g", None, Some(1), lease)
        .await
        .unwrap();
    std::mem::forget(dead.acquire(None).await.unwrap());
    let alive = PgGatewayQuota::new(scratch.database().await, "g", None, Some(1), lease)
        .await
        .unwrap();
    let soon = Instant::now() + Duration::from_millis(200);
    assert_eq!(
        alive.acquire(Some(soon)).await.err(),
        Some(QuotaError::TimedOut)
    );
    let started = Instant::now();
    drop(
        alive
            .acquire(Some(Instant::now() + Duration::from_secs(5)))
            .await
            .unwrap(),
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// No database, no call: the quota fails closed, soon.
#[tokio::test]
async fn an_unreachable_database_refuses_every_call() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://dancu@127.0.0.1:{port}/dancu")
        .parse()
        .unwrap();
    let options = ConnectOptions::default().timeout(Duration::from_secs(1));
    let db = Database::connect_unmigrated(&url, &options).unwrap();
    let quota = PgGatewayQuota::new(db, "lgsp", Some(10.0), None, LEASE)
        .await
        .unwrap();
    match quota.acquire(None).await {
        Err(QuotaError::Unavailable(reason)) => assert!(reason.contains("127.0.0.1"), "{reason}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}
