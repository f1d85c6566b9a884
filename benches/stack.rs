//! The whole client stack under load: `connect::registry` (audit, deadline,
//! retries, rate limit, attempt timeout, gateway) against a sandbox in a
//! separate process, over real HTTP on loopback.
//!
//! The sandbox runs as `dancu sandbox serve`, so this process's CPU time
//! (utime + stime from `/proc/self/stat`) is the connector's own. Each
//! measurement runs `DANCU_BENCH_LOOKUPS` lookups (default 20,000) with
//! `DANCU_BENCH_CONCURRENCY` tasks (default 32) on a multi-thread tokio
//! runtime, `DANCU_BENCH_REPS` times (default 3); the table shows medians.
//!
//! ```text
//! cargo bench --bench stack
//! ```

#![allow(missing_docs)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dancu_core::registry::{
    AuditSink, IdentityQuery, LookupOutcome, PopulationRegistry, RequestContext,
};
use dancu_core::{IdNumber, ProcedureCode};
use dancu_popdb::audit::{SqliteAuditSink, SubjectHasher};
use dancu_popdb::config::Config;
use dancu_popdb::{Secret, connect};
use dancu_sandbox::Population;

const SEED: u64 = 1;
const CITIZENS: usize = 20_000;
const SALT: &str = "stack-bench-salt-0123456789abcdef";
const WARMUP: usize = 500;
/// USER_HZ: the unit of utime/stime in /proc/<pid>/stat on Linux.
const CLOCK_TICKS_PER_SEC: f64 = 100.0;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds (user, system; every thread) of process `pid`
/// ("self" for this one).
fn cpu_seconds(pid: &str) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/<pid>/stat");
    // The command name is in parentheses and may hold spaces: split after it.
    let rest = &stat[stat.rfind(')').expect("stat has a command name") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // Fields 14 and 15 of the whole line (utime, stime) are 11 and 12 here.
    let ticks = |i: usize| fields[i].parse::<u64>().expect("utime, stime") as f64;
    (
        ticks(11) / CLOCK_TICKS_PER_SEC,
        ticks(12) / CLOCK_TICKS_PER_SEC,
    )
}

struct Server {
    child: Child,
    config: PathBuf,
}

impl Server {
    fn start(dir: &Path) -> Self {
        let config = dir.join("dancu.toml");
        let mut child = Command::new(env!("CARGO_BIN_EXE_dancu"))
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .args(["--seed", &SEED.to_string()])
            .args(["--citizens", &CITIZENS.to_string()])
            .arg("--write-config")
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start `dancu sandbox serve`");
        let stdout = child.stdout.take().expect("sandbox stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the sandbox's first line");
        let channels: serde_json::Value =
            serde_json::from_str(&first).expect("the first line is JSON");
        eprintln!("sandbox pid {} at {}", child.id(), channels["base_url"]);
        Self { child, config }
    }

    fn cpu_seconds(&self) -> f64 {
        let (user, sys) = cpu_seconds(&self.child.id().to_string());
        user + sys
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    lookups_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    client_cpu_us: f64,
    client_sys_us: f64,
    server_cpu_us: f64,
    all_found: bool,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `n` lookups with `concurrency` tasks: every latency, and how many
/// answers were not `found`.
async fn drive(
    registry: &Arc<dyn PopulationRegistry>,
    queries: &Arc<Vec<IdentityQuery>>,
    n: usize,
    concurrency: usize,
) -> (Vec<Duration>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let registry = Arc::clone(registry);
        let queries = Arc::clone(queries);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(n / concurrency + 1);
            let mut misses = 0usize;
            let procedure: ProcedureCode = "1.001776".parse().expect("procedure code");
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let query = &queries[i % queries.len()];
                let ctx =
                    RequestContext::new("canbo.bench", procedure.clone()).expect("request context");
                let start = Instant::now();
                let result = registry.lookup(&ctx, query).await;
                latencies.push(start.elapsed());
                match result {
                    Ok(reply) if matches!(reply.outcome, LookupOutcome::Found(_)) => {}
                    Ok(reply) => {
                        if misses == 0 {
                            eprintln!("not found: {}", reply.outcome.as_str());
                        }
                        misses += 1;
                    }
                    Err(e) => {
                        if misses == 0 {
                            eprintln!("error: {e}");
                        }
                        misses += 1;
                    }
                }
            }
            (latencies, misses)
        }));
    }
    let mut all = Vec::with_capacity(n);
    let mut misses = 0;
    for t in tasks {
        let (l, m) = t.await.expect("load task");
        all.extend(l);
        misses += m;
    }
    (all, misses)
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    registry: &Arc<dyn PopulationRegistry>,
    queries: &Arc<Vec<IdentityQuery>>,
    n: usize,
    concurrency: usize,
) -> Sample {
    // Connections, tokens, caches.
    runtime.block_on(drive(registry, queries, WARMUP, concurrency));
    let cpu0 = cpu_seconds("self");
    let server0 = server.cpu_seconds();
    let start = Instant::now();
    let (mut latencies, misses) = runtime.block_on(drive(registry, queries, n, concurrency));
    let wall = start.elapsed().as_secs_f64();
    let cpu1 = cpu_seconds("self");
    let (user, sys) = (cpu1.0 - cpu0.0, cpu1.1 - cpu0.1);
    let server_cpu = server.cpu_seconds() - server0;
    latencies.sort_unstable();
    Sample {
        lookups_per_s: n as f64 / wall,
        p50_ms: percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        p99_ms: percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        client_cpu_us: (user + sys) / n as f64 * 1e6,
        client_sys_us: sys / n as f64 * 1e6,
        server_cpu_us: server_cpu / n as f64 * 1e6,
        all_found: misses == 0,
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --benches` this
    // only checks that everything works, with a few lookups.
    let full = std::env::args().any(|a| a == "--bench");
    let n = if full {
        env_usize("DANCU_BENCH_LOOKUPS", 20_000)
    } else {
        200
    };
    let concurrency = env_usize("DANCU_BENCH_CONCURRENCY", 32);
    let reps = if full {
        env_usize("DANCU_BENCH_REPS", 3).max(1)
    } else {
        1
    };
    let dir = std::env::temp_dir().join(format!("dancu-stack-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let server = Server::start(&dir);
    let config = Config::load(&server.config).expect("the sandbox's dancu.toml loads");

    // The same seed and size as the server: real citizens, without the
    // one-time-password flag (the SOAP channels answer those as not found).
    let population = Population::generate(SEED, CITIZENS);
    let queries: Vec<IdentityQuery> = population
        .people()
        .iter()
        .filter(|p| p.otp.is_none())
        .map(|p| {
            IdentityQuery::new(IdNumber::PersonalId(p.id), p.name.clone(), p.birth)
                .expect("a valid query")
        })
        .collect();
    let queries = Arc::new(queries);
    drop(population);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    println!(
        "\nstack: {n} lookups x {reps} runs, concurrency {concurrency}, {} worker threads; load average before: {}\n",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        load_average()
    );
    println!(
        "| gateway | audit | lookups/s | p50 ms | p99 ms | client CPU µs/lookup | of which system | sandbox CPU µs/lookup | all found |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---|");
    for gateway in ["c06", "lgsp", "provincial_json"] {
        let gw = config.gateway(gateway).expect("gateway in the config");
        for audited in [true, false] {
            let mut samples = Vec::with_capacity(reps);
            for rep in 0..reps {
                let audit_path = dir.join(format!("audit-{gateway}-{rep}.sqlite"));
                let audit = if audited {
                    let sink: Arc<dyn AuditSink> =
                        Arc::new(SqliteAuditSink::open(&audit_path).expect("audit trail opens"));
                    let hasher = SubjectHasher::new(Secret::new(SALT)).expect("salt");
                    Some((sink, hasher))
                } else {
                    None
                };
                let registry = connect::registry(gw, None, audit).expect("registry");
                let s = measure(&runtime, &server, &registry, &queries, n, concurrency);
                eprintln!(
                    "{gateway} audit={audited} run {}: {:.0}/s p50 {:.2} ms p99 {:.2} ms client {:.1} µs (sys {:.1}) sandbox {:.1} µs found={}",
                    rep + 1,
                    s.lookups_per_s,
                    s.p50_ms,
                    s.p99_ms,
                    s.client_cpu_us,
                    s.client_sys_us,
                    s.server_cpu_us,
                    s.all_found
                );
                samples.push(s);
                drop(registry);
                let _ = std::fs::remove_file(&audit_path);
                let _ = std::fs::remove_file(audit_path.with_extension("sqlite-wal"));
                let _ = std::fs::remove_file(audit_path.with_extension("sqlite-shm"));
            }
            let m = |f: fn(&Sample) -> f64| median(samples.iter().map(f).collect());
            println!(
                "| {gateway} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {} |",
                if audited { "SQLite" } else { "none" },
                m(|s| s.lookups_per_s),
                m(|s| s.p50_ms),
                m(|s| s.p99_ms),
                m(|s| s.client_cpu_us),
                m(|s| s.client_sys_us),
                m(|s| s.server_cpu_us),
                if samples.iter().all(|s| s.all_found) {
                    "yes"
                } else {
                    "NO"
                }
            );
        }
    }
    println!("\nload average after: {}", load_average());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
