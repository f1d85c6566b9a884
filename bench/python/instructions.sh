#!/usr/bin/env bash
# Instructions per call of each tool, counted by callgrind: unlike times,
# the counts do not depend on the machine's load.
#   bash bench/python/instructions.sh        # after bench/python/run.sh (it uses its venv)
#   TOOLS='dancu_columns:3140 peer_address:314' bash bench/python/instructions.sh   # some of them
# Each tool runs twice: over N inputs, and with --dry (the same inputs
# prepared, no call); the difference over N is one call's (or one batch
# item's) instructions, every thread's included. The address tools take the
# same rows (every 16th of the corpus, cycled). numpy (imported by
# vietnamadminunits through pandas) is held to one BLAS thread, whose idle
# spinning would otherwise add noise to every count, and str hashing is
# fixed (PYTHONHASHSEED=0) so that both runs probe their dicts alike.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="$HERE/.venv/bin/python"
OUT=${CALLGRIND_OUT:-$HERE/out/callgrind}
mkdir -p "$OUT"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONHASHSEED=0
count() { # tool n [--dry] -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.$2${3:-}" "$PY" "$HERE/instructions.py" "$@" 2>&1 \
    | awk '/Collected :/ { print $4 }'
}
echo "| tool | calls | instructions per call |"
echo "|---|---|---|"
for spec in ${TOOLS:-dancu_id:4000 dancu_ids:4000 vn_ident_id:4000 dancu_tax:4000 stdnum_tax:4000 dancu_address:3140 dancu_addresses:3140 dancu_columns:3140 peer_address:314}; do
  tool=${spec%%:*} n=${spec##*:}
  base=$(count "$tool" "$n" --dry)
  full=$(count "$tool" "$n")
  echo "| $tool | $n | $(( (full - base) / n )) |"
done
