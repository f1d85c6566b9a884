#!/usr/bin/env bash
# Throughput and memory of `dancu address convert-file` on ROWS rows (default
# 1,000,000) made by cycling a corpus (CORPUS, default real.tsv: the
# calibration corpus; corpus.tsv: the side-by-side one), with THREADS worker
# threads (default 2). Prints wall time, rows/s, CPU time per row
# (user + system, all threads) and the peak resident memory; with ROWS/10
# rows too, to show that memory does not grow with the file.
#   bench/address/convert_file.sh
#   ROWS=200000 THREADS=1 CORPUS=corpus.tsv bench/address/convert_file.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROWS=${ROWS:-1000000}
THREADS=${THREADS:-2}
CORPUS=${CORPUS:-real.tsv}
OUT="$HERE/out"
mkdir -p "$OUT"
(cd "$ROOT" && cargo build --release -q --bin dancu)
BIN=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/dancu

make_input() { # rows file
  python3 - "$1" "$2" "$HERE/$CORPUS" <<'PY'
import csv, sys
n, path, corpus = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(corpus, encoding="utf-8")][1:]
with open(path, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "address", "source"])
    for i in range(n):
        r = rows[i % len(rows)]
        w.writerow([i + 1, r[1], r[-1]])
PY
}

run() { # rows
  local input="$OUT/convert_${CORPUS%.tsv}_$1.csv"
  [ -f "$input" ] || make_input "$1" "$input"
  /usr/bin/time -o "$OUT/convert.time" -f "%e %U %S %M" "$BIN" address convert-file "$input" \
    --column address --threads "$THREADS" --output /dev/null 2> "$OUT/convert.summary" || true
  read -r wall user sys rss < "$OUT/convert.time"
  python3 - "$1" "$wall" "$user" "$sys" "$rss" "$THREADS" <<'PY'
import sys
n, wall, user, sys_, rss, threads = int(sys.argv[1]), *map(float, sys.argv[2:6]), sys.argv[6]
print(f"{n:>9,} rows, {threads} threads: {wall:.2f} s wall, {n / wall:,.0f} rows/s; "
      f"CPU {(user + sys_) * 1e6 / n:.2f} µs/row ({n / (user + sys_):,.0f} rows per CPU-second); "
      f"peak RSS {rss / 1024:.1f} MB")
PY
  tail -1 "$OUT/convert.summary"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run $((ROWS / 10))
run "$ROWS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
