#!/usr/bin/env bash
# Measures lookup throughput and latency of one Dunblock server on this machine, over loopback only.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/bench-lookups.sh
#
# It starts server/target/dunblock-server.jar on 127.0.0.1 (random free port, embedded Redis in a
# temporary data directory, DUNBLOCK_TRUSTED_PROXIES=127.0.0.1), waits for /ready, makes one number
# BLOCK with five reporters on five networks (simulated with X-Forwarded-For), then runs wrk twice:
#   unreported  random valid CN mobile numbers nobody reported (answered by the Bloom filter)
#   blocked     the one BLOCK number (passes the filter, read from Redis)
# and prints a table. The server is always stopped and the data directory removed (trap on exit).
#
# Knobs (environment): BENCH_DURATION seconds measured per scenario (default 10, 1..60),
# BENCH_WARMUP seconds of warm-up per scenario before measuring (default 5, 0..30), BENCH_THREADS
# wrk threads (default 1), BENCH_CONNECTIONS (default 32), BENCH_KEEP=1 keeps the temporary
# directory (server log, wrk output) for a look afterwards.
# Needs java 17+, curl and wrk (Debian: apt-get install -y wrk).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
WRK_DIR="$ROOT/load-tests/wrk"
BLOCKED_NUMBER="+8618600000000"
READY_TIMEOUT_S=90   # for listening, then again for /ready

clamp() { # value min max
  local v=$1
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a whole number: '$v'" >&2; exit 2; }
  ((v < $2)) && v=$2
  ((v > $3)) && v=$3
  echo "$v"
}
DURATION=$(clamp "${BENCH_DURATION:-10}" 1 60)
WARMUP=$(clamp "${BENCH_WARMUP:-5}" 0 30)
THREADS=$(clamp "${BENCH_THREADS:-1}" 1 8)
CONNECTIONS=$(clamp "${BENCH_CONNECTIONS:-32}" 1 512)
((CONNECTIONS < THREADS)) && CONNECTIONS=$THREADS

for entry in java:openjdk-17-jre-headless curl:curl wrk:wrk; do
  if ! command -v "${entry%%:*}" >/dev/null 2>&1; then
    echo "bench-lookups: '${entry%%:*}' not found (Debian: apt-get install -y ${entry#*:})" >&2
    exit 2
  fi
done
if [[ ! -f "$JAR" ]]; then
  echo "bench-lookups: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2
  exit 2
fi

WORK=$(mktemp -d -t dunblock-bench.XXXXXX)
SERVER_PID=""
WRK_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$WRK_PID" ]]; then
    kill -TERM "$WRK_PID" 2>/dev/null || true
    wait "$WRK_PID" 2>/dev/null || true
  fi
  dunblock_stop_server bench-lookups
  dunblock_remove_work bench-lookups
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env

echo "Starting $JAR (data in $WORK/data) ..."
DUNBLOCK_HOST=127.0.0.1 \
DUNBLOCK_PORT=0 \
DUNBLOCK_DATA_DIR="$WORK/data" \
DUNBLOCK_TRUSTED_PROXIES=127.0.0.1 \
  java -Xms512m -Xmx1g -jar "$JAR" >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!

# Port 0 lets the server pick a free port; it logs the one it got.
PORT=""
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "bench-lookups: server exited during start; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  PORT=$(sed -n -E 's/.*Dunblock listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$WORK/server.log" | head -n 1)
  [[ -n "$PORT" ]] && break
  sleep 0.5
done
if [[ -z "$PORT" ]]; then
  echo "bench-lookups: server did not listen within ${READY_TIMEOUT_S} s" >&2
  exit 1
fi
BASE="http://127.0.0.1:$PORT"

ready=0
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  if curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.5
done
if ((ready == 0)); then
  echo "bench-lookups: $BASE/ready did not answer 200 within ${READY_TIMEOUT_S} s" >&2
  exit 1
fi
echo "Server ready on $BASE"

# --- One BLOCK number: five reporters, five networks (X-Forwarded-For is believed from 127.0.0.1) ---
for net in 203.0.113.7 198.51.100.7 192.0.2.7 100.64.1.7 100.64.2.7; do
  token=$(curl -fsS --max-time 5 -X POST "$BASE/v1/reporters" | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')
  curl -fsS --max-time 5 -o /dev/null -X POST "$BASE/v1/reports" \
    -H "Authorization: Bearer $token" -H "X-Forwarded-For: $net" -H 'Content-Type: application/json' \
    -d "{\"number\":\"$BLOCKED_NUMBER\",\"category\":\"CONTACT_HARASSMENT\"}"
done
verdict=$(curl -fsS --max-time 5 "$BASE/v1/numbers/%2B${BLOCKED_NUMBER#+}" | sed -n -E 's/.*"verdict":"([A-Z]+)".*/\1/p')
if [[ "$verdict" != "BLOCK" ]]; then
  echo "bench-lookups: $BLOCKED_NUMBER is '$verdict' after five reports, expected BLOCK" >&2
  exit 1
fi
echo "$BLOCKED_NUMBER is BLOCK"

lookups() { # path label on /metrics: filter | store | degraded
  curl -fsS --max-time 5 "$BASE/metrics" \
    | awk -v p="$1" '$1 == "dunblock_lookups_total{path=\"" p "\"}" { printf "%d", $2 }'
}

run_wrk() { # name script seconds
  # In the background and waited for, so that Ctrl-C stops the run at once instead of after wrk.
  BENCH_NUMBER="$BLOCKED_NUMBER" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3"s --timeout 2s --latency \
    -s "$WRK_DIR/$2" "$BASE" >"$WORK/wrk-$1.txt" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=""
}

declare -A RESULT
bench() { # name script
  local f0 s0 f1 s1
  f0=$(lookups filter); s0=$(lookups store)
  run_wrk "$1" "$2" "$DURATION"
  f1=$(lookups filter); s1=$(lookups store)
  local line
  line=$(grep '^RESULT ' "$WORK/wrk-$1.txt" || true)
  if [[ -z "$line" ]]; then
    echo "bench-lookups: wrk printed no result for $1:" >&2
    cat "$WORK/wrk-$1.txt" >&2
    exit 1
  fi
  RESULT[$1]="$line filter=$((f1 - f0)) store=$((s1 - s0))"
}

field() { # line key
  sed -n -E "s/.*(^| )$2=([^ ]+).*/\2/p" <<<"$1"
}

echo "Running wrk: ${THREADS} thread(s), ${CONNECTIONS} connections, ${WARMUP} s warm-up and ${DURATION} s measured per scenario ..."
# The JIT needs a few seconds of both paths before the numbers settle; warm both up before measuring either.
if ((WARMUP > 0)); then
  run_wrk unreported-warmup lookup-unreported.lua "$WARMUP"
  run_wrk blocked-warmup lookup-blocked.lua "$WARMUP"
fi
bench unreported lookup-unreported.lua
bench blocked lookup-blocked.lua

echo
echo "Machine: $(nproc) cores, $(sed -n -E 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Server and wrk share these cores; numbers from a busy or shared machine are noisy."
echo
printf '%-12s %10s %9s %9s %9s %12s %10s %8s\n' scenario "req/s" "p50 ms" "p99 ms" "max ms" "from filter" "from Redis" errors
for name in unreported blocked; do
  line=${RESULT[$name]}
  printf '%-12s %10s %9s %9s %9s %12s %10s %8s\n' "$name" \
    "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" max_ms)" \
    "$(field "$line" filter)" "$(field "$line" store)" \
    "$(( $(field "$line" socket_errors) + $(field "$line" http_errors) ))"
done
