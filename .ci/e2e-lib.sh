# Shared by .ci/serve-e2e and .ci/console-e2e (sourced, not run): installing
# a missing tool from Debian, and starting the sandbox and `dancu serve` on
# free loopback ports. The caller sets `bin` (the dancu binary), keeps `pids`
# (an array) and kills them on exit.

# A command, installed from its Debian package when missing (CI runs as root
# or with sudo); still missing afterwards is an error, never a skip.
need() { # command, Debian package[, path that must exist]
  local path=${3:-}
  if [ -n "$path" ]; then [ -x "$path" ] && return; else command -v "$1" >/dev/null && return; fi
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "$(basename "$0"): installing $2 for $1" >&2
  $sudo apt-get install -y -q "$2" >/dev/null || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$2" >/dev/null; } || true
  if [ -n "$path" ]; then [ -x "$path" ]; else command -v "$1" >/dev/null; fi \
    || { echo "$(basename "$0"): $1 is required ($2)" >&2; exit 1; }
}

# A free loopback port.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The sandbox on a free port, writing dancu.toml in the working directory;
# its first line on stdout is its channels as JSON. Sets SANDBOX_URL.
start_sandbox() {
  "$bin" sandbox serve --addr 127.0.0.1:0 --write-config dancu.toml > sandbox.out 2> sandbox.err &
  pids+=($!)
  for _ in $(seq 100); do [ -s sandbox.out ] && break; sleep 0.1; done
  [ -s sandbox.out ] || { cat sandbox.err >&2; echo "$(basename "$0"): the sandbox did not start" >&2; exit 1; }
  SANDBOX_URL=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["base_url"])' sandbox.out)
}

# `dancu serve --config CONFIG` on a free port, logging (JSON) to LOG, once
# ready. Sets SERVE_URL.
start_serve() { # config, log
  local port; port=$(free_port)
  "$bin" serve --config "$1" --addr "127.0.0.1:$port" --log-format json > "$2" 2>&1 &
  pids+=($!)
  SERVE_URL="http://127.0.0.1:$port"
  for _ in $(seq 150); do curl -fsS "$SERVE_URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$SERVE_URL/readyz" >/dev/null || { cat "$2" >&2; echo "$(basename "$0"): dancu serve ($1) is not ready" >&2; exit 1; }
}
