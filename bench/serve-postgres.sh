#!/usr/bin/env bash
# `dancu serve` with its stores in PostgreSQL versus SQLite, on loopback,
# measured with wrk (release build), in front of the sandbox gateway:
#
#   lookup/sqlite    audited POST /v1/citizens/lookup, 32 connections, the
#                    trail in SQLite (WAL, synchronous=FULL, group commit)
#   lookup/postgres  the same with the trail in PostgreSQL
#                    (synchronous_commit=on, group commit), with the average
#                    number of audit writes per commit
#   codes x2         POST /v1/dossier-codes on two instances sharing one
#                    PostgreSQL database, 16 connections each, summed
#
#   bash .ci/postgres run bash bench/serve-postgres.sh [SECONDS]
#
# Needs DANCU_TEST_POSTGRES_URL (as .ci/postgres sets it); each run uses a
# new schema of that database. Every answer is counted: a run with any
# answer other than 200 (201 for a code) is marked.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
url=${DANCU_TEST_POSTGRES_URL:?set DANCU_TEST_POSTGRES_URL, or run: bash .ci/postgres run bash bench/serve-postgres.sh}
psql=$(command -v psql || echo "${DANCU_TEST_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}/psql")
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

schema=bench_$$_$(date +%s)
"$psql" -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $schema" "$url"
case $url in *\?*) sep='&' ;; *) sep='?' ;; esac
pg="$url${sep}options=-csearch_path%3D$schema"
sql() { "$psql" -qAt -v ON_ERROR_STOP=1 -c "$1" "$pg"; }

citizens=20000
"$bin" sandbox export --citizens "$citizens" \
  | jq -r 'select(.otp_required | not) | [.personal_id, .name, .birth_date] | @tsv' > "$tmp/citizens.tsv"
(cd "$tmp" && "$bin" sandbox serve --citizens "$citizens" --addr 127.0.0.1:0 --write-config sandbox.toml > sandbox.out 2> sandbox.err) &
pids+=($!)
for _ in $(seq 600); do [ -s "$tmp/sandbox.out" ] && break; sleep 0.1; done

export DANCU_AUDIT_SALT=bench-audit-salt-0123456789abcdef
export DANCU_BENCH_KEY=bench-client-key-0123456789abcdef
clients='
[serve]
max_concurrent_lookups = 256

[serve.clients.bench]
key_env = "DANCU_BENCH_KEY"
scopes = ["identity", "lookup", "dossier_codes"]
rate_per_second = 1000000
'
# sqlite.toml: the sandbox's config as written. postgres.toml: the trail and
# the dossier store in PostgreSQL.
{ cat "$tmp/sandbox.toml"; printf '%s\n[dossiers]\npath = "dossiers.sqlite"\n' "$clients"; } > "$tmp/sqlite.toml"
# Over verified TLS when the server serves it (.ci/postgres sets its CA).
ca=${DANCU_TEST_POSTGRES_CA:+ca_file = \"$DANCU_TEST_POSTGRES_CA\"}
{ sed "s|^path = \"dancu-audit.sqlite\"|url = \"$pg\"\n$ca|" "$tmp/sandbox.toml"
  printf '%s\n[dossiers]\nurl = "%s"\n%s\n' "$clients" "$pg" "$ca"; } > "$tmp/postgres.toml"

start() { # config; prints the base URL
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$tmp" && exec "$bin" serve --config "$1" --addr "127.0.0.1:$port" > "serve-$port.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$tmp/serve-$port.log" >&2; exit 1; }
  echo "http://127.0.0.1:$port"
}

load() { # kind connections base out
  DANCU_LOAD_KIND=$1 DANCU_LOAD_DATA="$tmp/citizens.tsv" DANCU_LOAD_KEY=$DANCU_BENCH_KEY \
    wrk -t1 -c"$2" -d"${secs}s" --latency -s bench/serve-load.lua "$3" > "$4"
}
report() { # label wrk-output
  local rps p99 answers
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$2")
  p99=$(awk '$1 == "99%" { print $2 }' "$2")
  answers=$(grep '^answers:' "$2")
  echo "$1: $rps requests/s, p99 $p99, $answers"
  grep '^first non-200' "$2" || true
}

echo "$(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); $secs s a run"
base=$(start sqlite.toml)
load lookup 32 "$base" "$tmp/sqlite.out"
report "lookup/sqlite at -c32" "$tmp/sqlite.out"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

base=$(start postgres.toml)
commits0=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
records0=$(sql "SELECT count(*) FROM dancu_audit_record")
load lookup 32 "$base" "$tmp/postgres.out"
sleep 1
commits1=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
records1=$(sql "SELECT count(*) FROM dancu_audit_record")
report "lookup/postgres at -c32" "$tmp/postgres.out"
# Each lookup writes twice (pending, then completed); every transaction the
# database committed meanwhile is counted, the service's pool checks too.
awk -v r=$((records1 - records0)) -v c=$((commits1 - commits0)) \
  'BEGIN { printf "  %d lookups audited, %d transactions committed: %.1f audit writes per commit\n", r, c, (c > 0 ? 2 * r / c : 0) }'

second=$(start postgres.toml)
load codes 16 "$base" "$tmp/codes-a.out" &
wa=$!
load codes 16 "$second" "$tmp/codes-b.out"
wait "$wa"
report "codes on instance 1 at -c16" "$tmp/codes-a.out"
report "codes on instance 2 at -c16" "$tmp/codes-b.out"
awk '/^Requests\/sec:/ { s += $2 } END { printf "  = %.0f dossier codes/s across two instances\n", s }' "$tmp/codes-a.out" "$tmp/codes-b.out"
ok=$(awk '/^answers:/ { sub("ok=", "", $2); s += $2 } END { print s + 0 }' "$tmp/codes-a.out" "$tmp/codes-b.out")
echo "  serial counters: $(sql "SELECT sum(last) FROM dancu_dossier_serial") codes issued over $(sql "SELECT count(*) FROM dancu_dossier_serial") units; answers 201 counted by wrk: $ok"
