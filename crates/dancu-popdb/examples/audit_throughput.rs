//! Measures the SQLite audit trail: how many audited lookups per second
//! (one durable `begin` plus one durable `complete` each) it sustains at a
//! given concurrency.
//!
//! ```text
//! cargo run --release -p dancu-popdb --example audit_throughput -- [LOOKUPS] [CONCURRENCY] [DIR]
//! ```
//!
//! Defaults: 20000 lookups, concurrency 32, a temporary directory. Put DIR
//! on the disk the trail will live on: on a RAM file system (tmpfs) `fsync`
//! costs nothing and the figure means nothing.
//!
//! Two runs are made: the sink alone (begin + complete), and the `Audited`
//! decorator around the in-memory registry (the whole audited call).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dancu_core::registry::{AuditCompletion, AuditEntry, AuditSink, Operation};
use dancu_core::{
    CalendarDate, IdNumber, IdentityQuery, PopulationRegistry, RequestContext, Timestamp,
};
use dancu_popdb::audit::{Audited, SqliteAuditSink, SubjectHasher};
use dancu_popdb::{InMemoryRegistry, Secret};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| -> Result<usize, String> {
        args.get(i).map_or(Ok(default), |s| {
            s.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("argument {} must be a positive number, not {s:?}", i + 1))
        })
    };
    let (lookups, concurrency) = match (number(0, 20_000), number(1, 32)) {
        (Ok(l), Ok(c)) => (l, c),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("audit_throughput: {e}");
            return ExitCode::from(2);
        }
    };
    match run(lookups, concurrency, args.get(2).map(String::as_str)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("audit_throughput: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(lookups: usize, concurrency: usize, dir: Option<&str>) -> Result<(), String> {
    let tmp = match dir {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let hasher =
        SubjectHasher::new(Secret::new("benchmark-salt-0123456789")).map_err(|e| e.to_string())?;
    let on = CalendarDate::new(2026, 11, 27).map_err(|e| e.to_string())?;
    let id = IdNumber::parse_on("006089000001", on).map_err(|e| e.to_string())?;
    let query = IdentityQuery::new(
        id,
        "Nguyễn Văn An".parse().map_err(|e| format!("{e}"))?,
        "1989".parse().map_err(|e| format!("{e}"))?,
    )
    .map_err(|e| e.to_string())?;
    println!(
        "{lookups} lookups at concurrency {concurrency}, database in {}",
        tmp.path().display()
    );

    // 1. The sink alone.
    let path = tmp.path().join("sink.sqlite");
    let sink = Arc::new(SqliteAuditSink::open(&path).map_err(|e| e.to_string())?);
    let subject = hasher.subject(query.key());
    let elapsed = rt.block_on(drive(lookups, concurrency, {
        let sink = Arc::clone(&sink);
        move |_| {
            let sink = Arc::clone(&sink);
            let subject = subject.clone();
            async move {
                let ctx = context()?;
                let entry =
                    AuditEntry::for_request(&ctx, "bench", "in_memory", Operation::Check, subject);
                let ticket = sink.begin(&entry).await.map_err(|e| e.to_string())?;
                let done = AuditCompletion {
                    completed_at: Timestamp::now(),
                    outcome: "confirmed".into(),
                    attempts: Some(1),
                    as_of: None,
                    exchange: None,
                    subjects: Vec::new(),
                };
                sink.complete(ticket, &done)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }))?;
    report("sink begin+complete", lookups, elapsed, &sink);
    drop(sink);

    // 2. The decorator around the in-memory registry.
    let path = tmp.path().join("audited.sqlite");
    let sink = Arc::new(SqliteAuditSink::open(&path).map_err(|e| e.to_string())?);
    let registry = Arc::new(Audited::new(
        InMemoryRegistry::new("memory"),
        sink.clone(),
        hasher.clone(),
    ));
    let query = Arc::new(query);
    let elapsed = rt.block_on(drive(lookups, concurrency, move |_| {
        let registry = Arc::clone(&registry);
        let query = Arc::clone(&query);
        async move {
            let ctx = context()?;
            registry
                .check(&ctx, &query)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    }))?;
    report("Audited<InMemoryRegistry>", lookups, elapsed, &sink);
    Ok(())
}

fn context() -> Result<RequestContext, String> {
    let procedure = "1.001776".parse().map_err(|e| format!("{e}"))?;
    RequestContext::new("canbo.bench", procedure).map_err(|e| e.to_string())
}

/// Runs `lookups` calls of `one`, at most `concurrency` at a time.
async fn drive<F, Fut>(lookups: usize, concurrency: usize, one: F) -> Result<Duration, String>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let one = Arc::new(one);
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let one = Arc::clone(&one);
        let share = lookups / concurrency + usize::from(w < lookups % concurrency);
        workers.spawn(async move {
            for i in 0..share {
                one(i).await?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(r) = workers.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    Ok(started.elapsed())
}

fn report(what: &str, lookups: usize, elapsed: Duration, sink: &SqliteAuditSink) {
    let per_second = lookups as f64 / elapsed.as_secs_f64();
    let stats = sink.stats();
    println!(
        "{what:<26} {lookups} lookups in {:.2} s = {per_second:.0} lookups/s; \
         {} commits of {:.1} writes on average",
        elapsed.as_secs_f64(),
        stats.commits,
        stats.writes as f64 / stats.commits.max(1) as f64,
    );
}
