#!/usr/bin/env bash
# Throughput of `dancu id inspect - --json` over N generated ID numbers
# (default 1,000,000): a mix of valid personal IDs of every registration
# code, IDs grouped 3-3-3-3, CMND numbers and invalid inputs.
#
#   bash bench/id-inspect.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release --locked -q
input=$(mktemp)
trap 'rm -f "$input"' EXIT
awk -v n="$n" 'BEGIN {
  srand(42)
  split("001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096 201", codes, " ")
  for (i = 0; i < n; i++) {
    r = rand()
    code = codes[int(rand() * 64) + 1]
    g = int(rand() * 4); yy = (g >= 2) ? int(rand() * 27) : int(rand() * 100)
    tail = sprintf("%06d", int(rand() * 1000000))
    if (r < 0.80)      printf "%s%d%02d%s\n", code, g, yy, tail
    else if (r < 0.90) printf "%s %d%02d %s %s\n", code, g, yy, substr(tail, 1, 3), substr(tail, 4, 3)
    else if (r < 0.95) printf "%09d\n", int(rand() * 1000000000)
    else               printf "%s%d%02d%sx\n", code, g, yy, substr(tail, 1, 5)
  }
}' > "$input"
bin=./target/release/dancu
echo "input: $(wc -l < "$input") lines, $(wc -c < "$input") bytes"
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "peak RSS %M KiB" "$bin" id inspect - --json --on 2026-11-27 < "$input" > /dev/null || true
else
  "$bin" id inspect - --json --on 2026-11-27 < "$input" > /dev/null || true
fi
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "%.3f s, %.0f lines/s\n", t, n / t }'
