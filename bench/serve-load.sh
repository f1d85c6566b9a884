#!/usr/bin/env bash
# Throughput of `dancu serve` on loopback, measured with wrk, in front of the
# sandbox gateway (release build, durable SQLite audit trail):
#
#   inspect1  POST /v1/identity/inspect, one ID a request, 64 connections
#   inspect   POST /v1/identity/inspect, 10,000 IDs a request (IDs/s shown)
#   lookup    POST /v1/citizens/lookup of sandbox citizens through the
#             provincial JSON gateway, audited, 32 connections
#
# and the service's resident memory at rest (gazetteer loaded), after start
# and after the load.
#
#   bash bench/serve-load.sh [SECONDS] [WRK_THREADS]
#
# Every answer is counted: a run with any non-200 answer is marked.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
wrk_threads=${2:-1}
for tool in wrk jq; do
  command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done
cargo build --release --locked -q --bin dancu
bin=$PWD/target/release/dancu
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

citizens=20000
"$bin" sandbox export --citizens "$citizens" \
  | jq -r 'select(.otp_required | not) | [.personal_id, .name, .birth_date] | @tsv' > "$tmp/citizens.tsv"
(cd "$tmp" && "$bin" sandbox serve --citizens "$citizens" --addr 127.0.0.1:0 --write-config dancu.toml > sandbox.out 2> sandbox.err) &
pids+=($!)
for _ in $(seq 600); do [ -s "$tmp/sandbox.out" ] && break; sleep 0.1; done

export DANCU_AUDIT_SALT=bench-audit-salt-0123456789abcdef
export DANCU_BENCH_KEY=bench-client-key-0123456789abcdef
cat >> "$tmp/dancu.toml" <<'TOML'

[serve]
max_concurrent_lookups = 256

[serve.clients.bench]
key_env = "DANCU_BENCH_KEY"
scopes = ["identity", "lookup"]
rate_per_second = 1000000
TOML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$tmp" && "$bin" serve --config dancu.toml --addr "127.0.0.1:$port" > serve.log 2>&1) &
pids+=($!)
base=http://127.0.0.1:$port
for _ in $(seq 300); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
server=$(pgrep -f "dancu serve --config dancu.toml --addr 127.0.0.1:$port" | head -n 1)
rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$server/status"; }
echo "dancu serve at $base (pid $server); resident at rest: $(rss); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # kind connections
  DANCU_LOAD_KIND=$1 DANCU_LOAD_DATA="$tmp/citizens.tsv" DANCU_LOAD_KEY=$DANCU_BENCH_KEY \
    wrk -t"$wrk_threads" -c"$2" -d"${secs}s" --latency -s bench/serve-load.lua "$base" > "$tmp/wrk.out"
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
  answers=$(grep '^answers:' "$tmp/wrk.out")
  echo "$1 at -c$2: $rps requests/s, p99 $p99, $answers"
  grep '^first non-200' "$tmp/wrk.out" || true
}
run inspect1 64
run inspect 8
awk -v r="$rps" 'BEGIN { printf "  = %.0f IDs/s (10,000 IDs a request)\n", r * 10000 }'
run lookup 32
echo "resident after the load: $(rss); load $(cut -d' ' -f1-3 /proc/loadavg)"
