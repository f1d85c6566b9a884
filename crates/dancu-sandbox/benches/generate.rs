//! Time and memory of `Population::generate(seed, n)`.
//!
//! Each measurement runs in a fresh child process (this binary re-executed),
//! so its peak resident set (`VmHWM` in `/proc/self/status`) belongs to one
//! population alone. `DANCU_BENCH_REPS` runs per size (default 3); medians.
//!
//! ```text
//! cargo bench -p dancu-sandbox --bench generate
//! ```

#![allow(missing_docs)]

use std::process::Command;
use std::time::Instant;

use dancu_sandbox::Population;

const SEED: u64 = 1;
const SIZES: &[usize] = &[100_000, 1_000_000];
const CHILD_ENV: &str = "DANCU_GENERATE_CHILD";

/// A `kB` field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// This process's CPU seconds (utime + stime, in USER_HZ = 100 ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    let rest = &stat[stat.rfind(')').expect("stat has a command name") + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    (f[11].parse::<u64>().expect("utime") + f[12].parse::<u64>().expect("stime")) as f64 / 100.0
}

/// In the child: generate `n` citizens and print
/// `seconds cpu_seconds rss_before peak rss_after`.
fn child(n: usize) {
    let before = status_bytes("VmRSS:");
    let cpu = cpu_seconds();
    let start = Instant::now();
    let population = Population::generate(SEED, n);
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    assert_eq!(std::hint::black_box(&population).len(), n);
    let peak = status_bytes("VmHWM:");
    let after = status_bytes("VmRSS:");
    println!("{seconds} {cpu} {before} {peak} {after}");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if let Some(n) = std::env::var(CHILD_ENV).ok().and_then(|v| v.parse().ok()) {
        child(n);
        return;
    }
    // `cargo bench` passes `--bench`; under `cargo test --benches` this
    // only checks that everything works, on a small population.
    let full = std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if full { SIZES } else { &[10_000] };
    let reps = if full {
        std::env::var("DANCU_BENCH_REPS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(3)
            .max(1)
    } else {
        1
    };
    let exe = std::env::current_exe().expect("this benchmark's path");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\nPopulation::generate, seed {SEED}, {reps} runs per size, each in a fresh process; load average before: {}\n",
        load.split(' ').take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "| citizens | seconds | CPU seconds | citizens/s | peak RSS growth MiB | retained RSS growth MiB | peak bytes/citizen | retained bytes/citizen |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    eprintln!(
        "sizes: Person {} B (PersonalId {} B, FullName {} B, LegacyCommune {} B, String {} B); \
         each Person also owns two heap strings (name, address detail), plus a folded-name \
         Box<str> and a by-id index entry",
        std::mem::size_of::<dancu_sandbox::Person>(),
        std::mem::size_of::<dancu_core::PersonalId>(),
        std::mem::size_of::<dancu_core::FullName>(),
        std::mem::size_of::<dancu_core::admin::LegacyCommune>(),
        std::mem::size_of::<String>(),
    );
    for &n in sizes {
        let mut secs = Vec::new();
        let mut cpu = Vec::new();
        let mut peak = Vec::new();
        let mut kept = Vec::new();
        for rep in 0..reps {
            let out = Command::new(&exe)
                .env(CHILD_ENV, n.to_string())
                .output()
                .expect("run the child");
            assert!(out.status.success(), "the child failed: {out:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<f64> = text
                .split_whitespace()
                .map(|x| x.parse().expect("a number"))
                .collect();
            let (s, c, before, hwm, after) = (f[0], f[1], f[2], f[3], f[4]);
            eprintln!(
                "{n} run {}: {s:.3} s ({c:.2} s CPU), peak {:.1} MiB, retained {:.1} MiB (baseline {:.1} MiB)",
                rep + 1,
                hwm / 1048576.0,
                after / 1048576.0,
                before / 1048576.0
            );
            secs.push(s);
            cpu.push(c);
            peak.push(hwm - before);
            kept.push(after - before);
        }
        let (s, c, p, k) = (median(secs), median(cpu), median(peak), median(kept));
        println!(
            "| {n} | {s:.2} | {c:.2} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} |",
            n as f64 / s,
            p / 1048576.0,
            k / 1048576.0,
            p / n as f64,
            k / n as f64
        );
    }
}
