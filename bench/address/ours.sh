#!/usr/bin/env bash
# Run our resolver (`dancu address resolve - --json`) over every corpus input.
# Builds the release binary first (not timed), then times the whole batch,
# wall clock, process start to exit. Repeats the batch RUNS times (default 3)
# and reports the median; also measures the fixed start-up cost (empty input).
# Writes out/ours.jsonl and out/ours.timing.tsv.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT="$HERE/out"
RUNS=${RUNS:-3}
mkdir -p "$OUT"
tail -n +2 "$HERE/corpus.tsv" | cut -f2 > "$OUT/inputs.txt"
N=$(wc -l < "$OUT/inputs.txt")

echo "building dancu (release) ..." >&2
(cd "$ROOT" && cargo build --release -q --bin dancu)
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/dancu"
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# start-up cost: same command, no input
startup=$(for _ in $(seq "$RUNS"); do
  t0=$(now_ns); "$BIN" address resolve - --json < /dev/null > /dev/null; t1=$(now_ns)
  echo $(( t1 - t0 ))
done | median)

walls=()
for i in $(seq "$RUNS"); do
  t0=$(now_ns)
  (cd "$ROOT" && "$BIN" address resolve - --json < "$OUT/inputs.txt" > "$OUT/ours.jsonl.tmp")
  t1=$(now_ns)
  walls+=($(( t1 - t0 )))
done
mv "$OUT/ours.jsonl.tmp" "$OUT/ours.jsonl"
wall=$(printf '%s\n' "${walls[@]}" | median)

LINES=$(grep -c . "$OUT/ours.jsonl" || true)
python3 - "$N" "$wall" "$startup" "$LINES" "$(cd "$ROOT" && git rev-parse --short HEAD)" > "$OUT/ours.timing.tsv" <<'PY'
import sys
n, wall, startup, lines, rev = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f"n\t{n}")
print(f"json_lines\t{lines}")
print(f"wall_s\t{wall/1e9:.3f}")
print(f"startup_s\t{startup/1e9:.3f}")
print(f"mean_us\t{wall/1e3/n:.1f}")
print(f"per_s\t{n/(wall/1e9):.0f}")
print(f"mean_us_excl_startup\t{max(wall-startup,0)/1e3/n:.1f}")
print(f"commit\t{rev}")
PY
sed 's/\t/=/' "$OUT/ours.timing.tsv" | tr '\n' ' ' >&2; echo >&2
