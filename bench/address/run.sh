#!/usr/bin/env bash
# One command: peer in a local venv, our resolver (release build), comparison.
#   bench/address/run.sh            # everything
#   SKIP_OURS=1 bench/address/run.sh  # peer only
# Needs: python3 (with venv), cargo, and PyPI reachable for the first run.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-python3}
PEER_VERSION=${PEER_VERSION:-1.0.4}
mkdir -p "$HERE/out"

# 1. the corpus is committed; if the reference CSVs are here, check it regenerates identically
DATA=${DANCU_ADMIN_DATA:-/work/shared/data/admin}
if [ -f "$DATA/legacy_units.csv" ]; then
  "$PY" "$HERE/make_corpus.py" --data "$DATA" --out "$HERE/out/corpus.regen.tsv" 2>/dev/null
  if cmp -s "$HERE/out/corpus.regen.tsv" "$HERE/corpus.tsv"; then
    echo "corpus.tsv: regenerates identically from $DATA" >&2
  else
    echo "WARNING: corpus.tsv differs from a fresh make_corpus.py run (data or generator changed)" >&2
  fi
fi

# 2. peer, in its own virtualenv
if [ ! -x "$HERE/.venv/bin/python" ]; then
  "$PY" -m venv "$HERE/.venv"
fi
"$HERE/.venv/bin/python" -m pip install -q --disable-pip-version-check "vietnamadminunits==$PEER_VERSION"
echo "running peer ..." >&2
"$HERE/.venv/bin/python" "$HERE/peer.py" --convert

# 3. ours, if this checkout has the command
rm -f "$HERE/out/ours.jsonl" "$HERE/out/ours.timing.tsv"
if [ -z "${SKIP_OURS:-}" ]; then
  if (cd "$ROOT" && cargo build --release -q --bin dancu) && \
     (cd "$ROOT" && cargo run --release -q -- address resolve --help > /dev/null 2>&1); then
    echo "running ours ..." >&2
    "$HERE/ours.sh"
  else
    echo "NOTE: 'dancu address resolve' is not available in this checkout; peer only." >&2
  fi
fi

# 4. compare (prints Markdown, writes RESULTS.md)
"$PY" "$HERE/compare.py"

# 5. optional held-out round: same generator, another seed (units the resolver's authors have not
#    looked at). HELDOUT_SEED=n bench/address/run.sh ; needs the reference CSVs.
if [ -n "${HELDOUT_SEED:-}" ] && [ -f "$DATA/legacy_units.csv" ]; then
  H="$HERE/out/heldout"
  mkdir -p "$H"
  "$PY" "$HERE/make_corpus.py" --data "$DATA" --seed "$HELDOUT_SEED" --out "$H/corpus.tsv"
  "$HERE/.venv/bin/python" "$HERE/peer.py" --convert --corpus "$H/corpus.tsv" --out "$H/peer.tsv"
  rm -f "$H/ours.jsonl" "$H/ours.timing.tsv"
  if [ -f "$HERE/out/ours.jsonl" ]; then
    CORPUS="$H/corpus.tsv" OUT_DIR="$H" "$HERE/ours.sh"
  fi
  echo; echo "# Held-out corpus (seed $HELDOUT_SEED)"
  "$PY" "$HERE/compare.py" --corpus "$H/corpus.tsv" --peer "$H/peer.tsv" --ours "$H/ours.jsonl" \
    --results "$H/RESULTS.md" --rows "$H/rows.tsv"
fi
