#!/usr/bin/env bash
# The Python package's CI: build the wheel with maturin (from PyPI, in its own
# virtual environment), install the wheel into a fresh virtual environment and
# run the pytest suite against it, comparing with the `dancu` program's JSON.
#   bash crates/dancu-py/ci.sh        # from anywhere; PYTHON=python3.12 to pick another interpreter
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python3}
WORK="$ROOT/target/python-ci"
PIP=(-m pip install -q --disable-pip-version-check)

# 1. maturin in a build environment (kept between runs: it is only a tool)
if [ ! -x "$WORK/build-venv/bin/python" ]; then
  "$PY" -m venv "$WORK/build-venv"
fi
"$WORK/build-venv/bin/python" "${PIP[@]}" "maturin==1.16.0"

# 2. the wheel (release build, stable ABI: one wheel for CPython >= 3.10)
rm -rf "$WORK/wheels"
"$WORK/build-venv/bin/maturin" build --release --locked --quiet \
  -m crates/dancu-py/Cargo.toml -i "$WORK/build-venv/bin/python" -o "$WORK/wheels"
wheel=$(ls "$WORK"/wheels/dancu-*.whl)
echo "built $(basename "$wheel")"

# 3. a fresh environment with nothing but the wheel and the test tools
rm -rf "$WORK/test-venv"
"$PY" -m venv "$WORK/test-venv"
"$WORK/test-venv/bin/python" "${PIP[@]}" "$wheel" "pytest==9.2.0" "hypothesis==6.170.17" "pandas==3.1.1"

# 4. the reference: the command line whose --json the package must reproduce
cargo build --locked -q --bin dancu
export DANCU_BIN="$ROOT/target/debug/dancu"

# 5. the suite, run from the tests folder so that only the installed package is importable
cd crates/dancu-py/tests
"$WORK/test-venv/bin/python" -m pytest -q -p no:cacheprovider
