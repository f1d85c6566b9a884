#!/usr/bin/env bash
# Instructions per call of each tool, counted by callgrind: unlike times,
# the counts do not depend on the machine's load.
#   bash bench/python/instructions.sh        # after bench/python/run.sh (it uses its venv)
#   TOOLS='dancu_address:314 peer_address:314' bash bench/python/instructions.sh   # some of them
# The address tools run over the same 314 rows (every 16th of the corpus).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="$HERE/.venv/bin/python"
OUT="$HERE/out/callgrind"
mkdir -p "$OUT"
count() { # tool n -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.$2" "$PY" "$HERE/instructions.py" "$1" "$2" 2>&1 \
    | awk '/Collected :/ { print $4 }'
}
echo "| tool | calls | instructions per call |"
echo "|---|---|---|"
for spec in ${TOOLS:-dancu_id:4000 vn_ident_id:4000 dancu_tax:4000 stdnum_tax:4000 dancu_address:314 dancu_addresses:314 peer_address:314}; do
  tool=${spec%%:*} n=${spec##*:}
  base=$(count "$tool" 0)
  full=$(count "$tool" "$n")
  echo "| $tool | $n | $(( (full - base) / n )) |"
done
