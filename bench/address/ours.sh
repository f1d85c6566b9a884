#!/usr/bin/env bash
# Run our resolver (`dancu address resolve - --json`) over every corpus input.
# Builds the release binary first (not timed), then times the whole batch,
# wall clock, process start to exit. Repeats the batch RUNS times (default 3)
# and reports the median; also measures the fixed cost (start-up, data load, one address).
# Writes out/ours.jsonl and out/ours.timing.tsv ($CORPUS and $OUT_DIR override
# the corpus and the output folder; $DANCU_BIN skips the build and uses that binary).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT="${OUT_DIR:-$HERE/out}"
CORPUS="${CORPUS:-$HERE/corpus.tsv}"
RUNS=${RUNS:-3}
mkdir -p "$OUT"
tail -n +2 "$CORPUS" | cut -f2 > "$OUT/inputs.txt"
N=$(wc -l < "$OUT/inputs.txt")

if [ -n "${DANCU_BIN:-}" ]; then   # a prebuilt binary (or a stand-in for testing)
  BIN=$DANCU_BIN
else
  echo "building dancu (release) ..." >&2
  (cd "$ROOT" && cargo build --release -q --bin dancu)
  TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  BIN="$TARGET_DIR/release/dancu"
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 1; }

now_ns() { date +%s%N; }
# exit status 1 only means "some input did not resolve"; anything else is a failure
run_bin() {
  local rc=0
  (cd "$ROOT" && "$BIN" address resolve - --json) || rc=$?
  if [ "$rc" -gt 1 ]; then echo "dancu exited with status $rc" >&2; exit "$rc"; fi
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# fixed cost: process start, first use of the embedded data, one address
echo "Xã Dương Quang, Thành phố Bắc Kạn, Tỉnh Bắc Kạn" > "$OUT/one.txt"
startup=$(for _ in $(seq "$RUNS"); do
  t0=$(now_ns); run_bin < "$OUT/one.txt" > /dev/null; t1=$(now_ns)
  echo $(( t1 - t0 ))
done | median)

walls=()
for i in $(seq "$RUNS"); do
  t0=$(now_ns)
  run_bin < "$OUT/inputs.txt" > "$OUT/ours.jsonl.tmp"
  t1=$(now_ns)
  walls+=($(( t1 - t0 )))
done
mv "$OUT/ours.jsonl.tmp" "$OUT/ours.jsonl"
wall=$(printf '%s\n' "${walls[@]}" | median)

LINES=$(grep -c . "$OUT/ours.jsonl" || true)
python3 - "$N" "$wall" "$startup" "$LINES" "$(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && [ -n "$(git status --porcelain -- src crates Cargo.toml Cargo.lock)" ] && echo +dirty)" > "$OUT/ours.timing.tsv" <<'PY'
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
try:
    print("loadavg\t" + " ".join(open("/proc/loadavg").read().split()[:3]))
except OSError:
    pass
PY
sed 's/\t/=/' "$OUT/ours.timing.tsv" | tr '\n' ' ' >&2; echo >&2
