#!/usr/bin/env bash
# Serving throughput of `dancu sandbox serve` on loopback, measured with wrk:
# full lookups (TraCuuThongTinCongDan) of real citizens from
# `dancu sandbox export`, on each channel:
#
#   provincial_json  POST /tinh/tracuu, JSON body, Bearer key
#   lgsp             POST /lgsp/tracuu, SOAP body, token fetched once by curl
#   c06              POST /c06/tracuu, SOAP body, signed headers computed once
#                    (valid for the sandbox's 300 s timestamp window)
#
# Every answer is checked: 200 with the citizen (SoCongDan="1"), 200 without,
# anything else. The table shows medians over the runs.
#
#   bash bench/sandbox-load.sh [RUNS] [SECONDS] [CONNECTIONS] [WRK_THREADS]
#
# Defaults: 3 runs of 10 s per channel, 64 connections, 1 wrk thread.
# Installs wrk and jq (Debian packages) when missing; needs /usr/bin/time,
# curl and sha256sum.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
secs=${2:-10}
conns=${3:-64}
wrk_threads=${4:-1}
citizens=20000
seed=1

for tool in wrk jq; do
  command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done

cargo build --release --locked -q
bin=./target/release/dancu
tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Real citizens, the same seed and size as the server; those flagged for a
# one-time password are left out (the SOAP channels answer them as absent).
"$bin" sandbox export --seed "$seed" --citizens "$citizens" \
  | jq -r 'select(.otp_required | not) | [.personal_id, .name, .birth_date] | @tsv' > "$tmp/citizens.tsv"

"$bin" sandbox serve --seed "$seed" --citizens "$citizens" > "$tmp/serve.out" 2> "$tmp/serve.err" &
server=$!
for _ in $(seq 600); do
  [ -s "$tmp/serve.out" ] && break
  sleep 0.1
done
channels=$(head -n 1 "$tmp/serve.out")
base=$(jq -r .base_url <<< "$channels")
[ -n "$base" ] && [ "$base" != null ] || { echo "the sandbox did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }

json_headers="Authorization: Bearer $(jq -r .channels.provincial_json.api_key <<< "$channels")"

access=$(jq -c '.channels.lgsp | {AccessKey: .access_key, SecretKey: .secret_key, AppName: .app_name, PartnerCode: .partner_code, PartnerCodeCus: .partner_code_cus}' <<< "$channels" | base64 -w0)
token=$(curl -sf -X POST -H "lgspaccesstoken: $access" -d grant_type=client_credentials "$base/lgsp/token" | jq -r .access_token)
lgsp_headers="Authorization: Bearer $token
lgspaccesstoken: $access"

c06_headers() {
  local user secret api_key x_road auth_url ts hash
  user=$(jq -r .channels.c06.username <<< "$channels")
  secret=$(jq -r .channels.c06.secret <<< "$channels")
  api_key=$(jq -r .channels.c06.api_key <<< "$channels")
  x_road=$(jq -r .channels.c06.x_road_client <<< "$channels")
  auth_url=$(jq -r .channels.c06.auth_url <<< "$channels")
  ts=$(date +%s%3N)
  hash=$(printf '%s%s%s%s' "$auth_url" "$user" "$ts" "$secret" | sha256sum | cut -d' ' -f1)
  printf 'ApiKey: %s\nX-Road-Client: %s\nTimestamp: %s\nAuthorization: Basic %s\n' \
    "$api_key" "$x_road" "$ts" "$(printf '%s:%s' "$user" "$hash" | base64 -w0)"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# wrk's latency figures (e.g. 1.23ms, 850.00us, 1.02s) in milliseconds.
to_ms() {
  awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.3f\n", v }'
}

echo "sandbox: $citizens citizens (seed $seed) at $base, pid $server; $(wc -l < "$tmp/citizens.tsv") citizens in the request mix"
echo "wrk: -t$wrk_threads -c$conns -d${secs}s, $runs runs per channel; $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

results=()
for channel in provincial_json lgsp c06; do
  case $channel in
    provincial_json) format=json; path=/tinh/tracuu; headers=$json_headers ;;
    lgsp) format=soap; path=/lgsp/tracuu; headers=$lgsp_headers ;;
    c06) format=soap; path=/c06/tracuu ;;
  esac
  : > "$tmp/rps"; : > "$tmp/p50"; : > "$tmp/p99"; : > "$tmp/cpu"; : > "$tmp/wrk"
  bad=0
  for run in $(seq "$runs"); do
    # C06 signatures are valid for 300 s: sign afresh for every run.
    [ "$channel" = c06 ] && headers=$(c06_headers)
    before=$(cpu_ticks "$server")
    DANCU_LOAD_DATA="$tmp/citizens.tsv" DANCU_LOAD_FORMAT=$format DANCU_LOAD_PATH=$path \
      DANCU_LOAD_HEADERS="$headers" \
      /usr/bin/time -f "%U %S" -o "$tmp/wrk.time" \
      wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency -s bench/sandbox-load.lua "$base" > "$tmp/wrk.out"
    after=$(cpu_ticks "$server")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
    total=$(awk '/requests in/ { print $1 }' "$tmp/wrk.out")
    p50=$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out" | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out" | to_ms)
    answers=$(grep '^answers:' "$tmp/wrk.out")
    found=$(sed -E 's/.*found=([0-9]+).*/\1/' <<< "$answers")
    errors=$(grep -E 'Socket errors|Non-2xx' "$tmp/wrk.out" || true)
    # Server CPU (both worker threads) per answered request, µs (100 ticks/s).
    cpu_us=$(awk -v t=$((after - before)) -v n="$total" 'BEGIN { printf "%.1f", t * 10000 / n }')
    # wrk's own CPU (user + system, /usr/bin/time) per request, µs.
    wrk_us=$(awk -v n="$total" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$tmp/wrk.time")
    echo "$channel run $run: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, sandbox CPU ${cpu_us} µs/req, wrk CPU ${wrk_us} µs/req, $answers${errors:+, $errors}"
    grep '^first non-200' "$tmp/wrk.out" || true
    [ "$found" = "$total" ] || bad=1
    echo "$rps" >> "$tmp/rps"; echo "$p50" >> "$tmp/p50"; echo "$p99" >> "$tmp/p99"; echo "$cpu_us" >> "$tmp/cpu"; echo "$wrk_us" >> "$tmp/wrk"
  done
  results+=("| $channel | $(median < "$tmp/rps") | $(median < "$tmp/p50") | $(median < "$tmp/p99") | $(median < "$tmp/cpu") | $(median < "$tmp/wrk") | $([ $bad = 0 ] && echo yes || echo NO) |")
done

echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| channel | requests/s | p50 ms | p99 ms | sandbox CPU µs/request | wrk CPU µs/request | every answer a found citizen |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${results[@]}"
