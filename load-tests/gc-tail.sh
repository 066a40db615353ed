#!/usr/bin/env bash
# The latency tail of cached lookups and the young collections behind it, for one server jar: starts it like
# dunblock_start_server (loopback, embedded Redis in a scratch directory), preloads GC_TAIL_ROWS reported numbers
# (default 200,000; export/Preload.java), restarts over them, pins the server and its Redis to CPU 0 and runs
# OpenLoad from CPU 1 at GC_TAIL_RATE reported lookups a second (default 12,000) drawn uniformly from the first
# GC_TAIL_HOT numbers (default 50,000: the near cache fills with them during the warm-up), GC_TAIL_WARMUP seconds
# unmeasured (default 20), then GC_TAIL_RUNS runs (default 3) of GC_TAIL_SECONDS (default 10). Prints OpenLoad's
# RESULT line per run, every young pause after the warm-up (from the server's GC log) and the near cache's metrics.
#
#   load-tests/gc-tail.sh server/target/dunblock-server.jar
#
# GC_TAIL_CLIENTS=N (default 0): the lookups come from N client addresses (X-Forwarded-For) and the per-client
# lookup limit is on at 1,000,000 a minute, so its per-minute counts live in the heap as in production.
# SERVER_JVM_FLAGS: the server's JVM options beyond heap and GC log (default lib.sh's, the server image's
# -XX:MaxTenuringThreshold=2); SERVER_JVM_FLAGS= (empty) shows what a freshly filled cache costs with the JVM's own
# default of 15. Needs 2+ cores (taskset), java, curl, the benchmarks jar
# (mvn -B -q package -DskipTests). Linux only. Loopback only; every run is bounded in time.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/load-tests/lib.sh"
(($# == 1)) || { echo "usage: $0 SERVER.jar" >&2; exit 2; }
JAR=$1
(($(nproc) >= 2)) || { echo "gc-tail: needs 2 cores (server on one, generator on the other)" >&2; exit 2; }
ROWS=$(dunblock_clamp "${GC_TAIL_ROWS:-200000}" 1000 2000000)
HOT=$(dunblock_clamp "${GC_TAIL_HOT:-50000}" 1 "$ROWS")
RATE=$(dunblock_clamp "${GC_TAIL_RATE:-12000}" 1 100000)
WARMUP=$(dunblock_clamp "${GC_TAIL_WARMUP:-20}" 1 300)
SECONDS_EACH=$(dunblock_clamp "${GC_TAIL_SECONDS:-10}" 1 120)
RUNS=$(dunblock_clamp "${GC_TAIL_RUNS:-3}" 1 10)
CLIENTS=$(dunblock_clamp "${GC_TAIL_CLIENTS:-0}" 0 1000000)
LIMIT=0
((CLIENTS > 0)) && LIMIT=1000000
BENCH_JAR=$ROOT/load-tests/target/benchmarks.jar
[[ -f "$BENCH_JAR" ]] || { echo "gc-tail: build $BENCH_JAR first (mvn -B -q package -DskipTests)" >&2; exit 2; }
WORK=$(mktemp -d -t dunblock-gc-tail.XXXXXX)
SERVER_PID=""
cleanup() {
  dunblock_stop_server gc-tail
  dunblock_remove_work gc-tail
}
trap cleanup EXIT
dunblock_clean_env

start() { # log
  dunblock_start_server "$1" DUNBLOCK_EVENT_LOOPS=2 DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE="$LIMIT" \
    DUNBLOCK_LOOKUP_TRACKED_CLIENTS=$((CLIENTS > 200000 ? CLIENTS : 200000)) \
    JAVA_TOOL_OPTIONS="-Xlog:gc:file=$WORK/gc.log:uptime"
}
start "$WORK/server-first.log"
echo "Preloading $ROWS reported numbers ..."
dunblock_preload "$REDIS_PORT" "$ROWS" >/dev/null
dunblock_stop_server gc-tail
start "$WORK/server.log"
dunblock_mint_tokens "$WORK/tokens.txt" 16
taskset -a -p -c 0 "$SERVER_PID" >/dev/null
taskset -a -p -c 0 "$(dunblock_redis_pid)" >/dev/null

# The generator as bench.sh starts it (its heap touched up front: pinned to one CPU its JVM runs the serial
# collector, whose first collections on fresh pages would count as the server's latency), with its own GC log.
openload() { # seconds run
  taskset -c 1 java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -Xlog:gc:file="$WORK/openload-$2.log" -cp "$BENCH_JAR" \
    org.dunblock.bench.OpenLoad url="$BASE" scenario=reported rate="$RATE" seconds="$1" warmup=1 connections=128 \
    reported="$ROWS" hot="$HOT" tokens="$WORK/tokens.txt" clients="$CLIENTS" | grep '^RESULT '
  local longest
  longest=$(grep -oE '[0-9.]+ms$' "$WORK/openload-$2.log" | sort -n | tail -n 1 || true)
  echo "  generator's longest pause: ${longest:-none (no collection)}"
}
echo "Server JVM flags: ${SERVER_JVM_FLAGS--XX:MaxTenuringThreshold=2}"
echo "Warming up for $WARMUP s at $RATE req/s (the near cache fills) ..."
# Printed too: a warm-up that fell behind (not_sent > 0) leaves a server still compiling for the first run.
echo "warm-up: $(openload "$WARMUP" warmup | sed -n 1p)"
mark=$(wc -l <"$WORK/gc.log")
for ((i = 1; i <= RUNS; i++)); do
  openload "$SECONDS_EACH" "$i"
done
echo "Young pauses after the warm-up (uptime, heap before->after, pause):"
tail -n +"$((mark + 1))" "$WORK/gc.log" \
  | sed -n -E 's/^\[([0-9.]+s)\].*Pause Young \(([^)]*)\).* ([0-9]+M->[0-9]+M)\([0-9]+M\) ([0-9.]+ms)$/  \1 \2 \3 \4/p'
curl -fsS --max-time 5 "$BASE/metrics" \
  | grep -E '^dunblock_(reputation_cache_(entries|bytes|evictions|lookups)|lookup_limiter_clients|rate_limited)'
