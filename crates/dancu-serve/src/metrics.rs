//! `GET /metrics`: Prometheus text. Label values are route templates,
//! status codes, configured gateway names, outcome keys and client names —
//! never an ID, a name or a secret.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Clone, Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        for (c, le) in self.counts.iter_mut().zip(BUCKETS) {
            if s <= le {
                *c = c.saturating_add(1);
            }
        }
        self.count = self.count.saturating_add(1);
        self.sum += s;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (c, le) in self.counts.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    lookups: Mutex<BTreeMap<(String, &'static str), u64>>,
    gateway_latency: Mutex<BTreeMap<String, Histogram>>,
    retries: Mutex<BTreeMap<String, u64>>,
    rejected_clients: Mutex<BTreeMap<(&'static str, String), u64>>,
    lookups_in_flight: AtomicI64,
    audit_in_flight: AtomicI64,
    audit_commit: Mutex<Histogram>,
}

impl Metrics {
    /// Counts one answered request by route template and status.
    pub fn request(&self, route: &'static str, status: u16) {
        let mut requests = lock(&self.requests);
        let n = requests.entry((route, status)).or_default();
        *n = n.saturating_add(1);
    }

    /// Counts one lookup or check by gateway and outcome, with its time at
    /// the gateway and its retries.
    pub fn lookup(&self, gateway: &str, outcome: &'static str, took: Duration, attempts: u32) {
        let mut lookups = lock(&self.lookups);
        let n = lookups.entry((gateway.to_owned(), outcome)).or_default();
        *n = n.saturating_add(1);
        drop(lookups);
        lock(&self.gateway_latency)
            .entry(gateway.to_owned())
            .or_default()
            .observe(took);
        if attempts > 1 {
            let mut retries = lock(&self.retries);
            let n = retries.entry(gateway.to_owned()).or_default();
            *n = n.saturating_add(u64::from(attempts.saturating_sub(1)));
        }
    }

    /// Counts a refused call (`unauthenticated`, `forbidden`,
    /// `rate_limited`) by client (`-` when no client was recognised).
    pub fn refused(&self, why: &'static str, client: &str) {
        let mut rejected = lock(&self.rejected_clients);
        let n = rejected.entry((why, client.to_owned())).or_default();
        *n = n.saturating_add(1);
    }

    /// A lookup starts (`+1`) or ends (`-1`).
    pub fn lookups_in_flight(&self, delta: i64) {
        self.lookups_in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// An audit write is queued (`+1`) or committed (`-1`).
    pub fn audit_in_flight(&self, delta: i64) {
        self.audit_in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// How long an audit write took to be committed.
    pub fn audit_commit(&self, took: Duration) {
        lock(&self.audit_commit).observe(took);
    }

    /// The Prometheus text exposition.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str(
            "# HELP dancu_http_requests_total Requests answered, by route template and status.\n\
             # TYPE dancu_http_requests_total counter\n",
        );
        for ((route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "dancu_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP dancu_http_refused_total Calls refused before any work, by reason and client.\n\
             # TYPE dancu_http_refused_total counter\n",
        );
        for ((why, client), n) in lock(&self.rejected_clients).iter() {
            let _ = writeln!(
                out,
                "dancu_http_refused_total{{reason=\"{why}\",client=\"{client}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP dancu_lookups_total Lookups and checks, by gateway and outcome.\n\
             # TYPE dancu_lookups_total counter\n",
        );
        for ((gateway, outcome), n) in lock(&self.lookups).iter() {
            let _ = writeln!(
                out,
                "dancu_lookups_total{{gateway=\"{gateway}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP dancu_gateway_duration_seconds Time of a lookup at the gateway, retries included.\n\
             # TYPE dancu_gateway_duration_seconds histogram\n",
        );
        for (gateway, h) in lock(&self.gateway_latency).iter() {
            h.render(
                &mut out,
                "dancu_gateway_duration_seconds",
                &format!("gateway=\"{gateway}\""),
            );
        }
        out.push_str(
            "# HELP dancu_gateway_retries_total Attempts after the first, by gateway.\n\
             # TYPE dancu_gateway_retries_total counter\n",
        );
        for (gateway, n) in lock(&self.retries).iter() {
            let _ = writeln!(
                out,
                "dancu_gateway_retries_total{{gateway=\"{gateway}\"}} {n}"
            );
        }
        let _ = write!(
            out,
            "# HELP dancu_lookups_in_flight Lookups and checks in progress.\n\
             # TYPE dancu_lookups_in_flight gauge\n\
             dancu_lookups_in_flight {}\n\
             # HELP dancu_audit_queue_depth Audit writes waiting to be committed.\n\
             # TYPE dancu_audit_queue_depth gauge\n\
             dancu_audit_queue_depth {}\n\
             # HELP dancu_audit_commit_seconds Time from an audit write to its durable commit.\n\
             # TYPE dancu_audit_commit_seconds histogram\n",
            self.lookups_in_flight.load(Ordering::Relaxed),
            self.audit_in_flight.load(Ordering::Relaxed).max(0),
        );
        lock(&self.audit_commit).render(&mut out, "dancu_audit_commit_seconds", "");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family() {
        let m = Metrics::default();
        m.request("/v1/citizens/lookup", 200);
        m.request("/v1/citizens/lookup", 200);
        m.lookup("lgsp", "found", Duration::from_millis(30), 3);
        m.audit_commit(Duration::from_millis(2));
        m.refused("forbidden", "tandan");
        let text = m.render();
        assert!(
            text.contains(
                "dancu_http_requests_total{route=\"/v1/citizens/lookup\",status=\"200\"} 2"
            )
        );
        assert!(text.contains("dancu_lookups_total{gateway=\"lgsp\",outcome=\"found\"} 1"));
        assert!(
            text.contains("dancu_gateway_duration_seconds_bucket{gateway=\"lgsp\",le=\"0.05\"} 1")
        );
        assert!(
            text.contains("dancu_gateway_duration_seconds_bucket{gateway=\"lgsp\",le=\"0.025\"} 0")
        );
        assert!(text.contains("dancu_gateway_retries_total{gateway=\"lgsp\"} 2"));
        assert!(text.contains("dancu_audit_commit_seconds_count 1"));
        assert!(
            text.contains("dancu_http_refused_total{reason=\"forbidden\",client=\"tandan\"} 1")
        );
    }
}
