//! Measures the first use of the embedded administrative data: the time to
//! parse it and the resident memory it adds (Linux, from /proc/self/statm).
//!
//! `cargo run --release -p dancu-core --example admin_load`

use std::time::Instant;

/// Resident set size in bytes (0 where /proc is unavailable).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// CPU time of this thread in nanoseconds, from /proc/self/schedstat (0
/// where unavailable): unlike wall-clock time it does not grow when other
/// processes compete for the cores.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    s.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let before = rss_bytes();
    let cpu = cpu_ns();
    let t = Instant::now();
    dancu_core::admin::load();
    let first = dancu_core::admin::resolve("Xã Dương Quang, TP. Bắc Kạn, Bắc Kạn");
    let elapsed = t.elapsed();
    let cpu = cpu_ns().saturating_sub(cpu);
    let after = rss_bytes();
    assert!(first.is_resolved());
    println!(
        "first use (load + one resolve): {:.2} ms wall, {:.2} ms CPU",
        elapsed.as_secs_f64() * 1e3,
        cpu as f64 / 1e6
    );
    println!(
        "resident memory added: {:.2} MB ({} → {} bytes)",
        (after.saturating_sub(before)) as f64 / 1e6,
        before,
        after
    );
}
