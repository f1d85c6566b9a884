#!/usr/bin/env bash
# The Python side-by-side benchmark, in one command:
#   bash bench/python/run.sh             # build the wheel, install it with the peers, compare
#   PASSES=7 bash bench/python/run.sh    # more timed passes
# Needs python3 (with venv), cargo, and PyPI reachable on the first run. Writes RESULTS.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-python3}
VENV="$HERE/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  "maturin==1.16.0" "vn-ident==0.1.0" "python-stdnum==2.2" "vietnamadminunits==1.0.4"
rm -rf "$HERE/out/wheels"
"$VENV/bin/maturin" build --release --locked --quiet -m "$ROOT/crates/dancu-py/Cargo.toml" \
  -i "$VENV/bin/python" -o "$HERE/out/wheels"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$HERE"/out/wheels/dancu-*.whl
echo "load before: $(uptime)" >&2
cd "$HERE"
"$VENV/bin/python" compare.py --passes "${PASSES:-5}"
echo "load after: $(uptime)" >&2
