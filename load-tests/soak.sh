#!/usr/bin/env bash
# Soak run: mixed lookups and reports against one Dunblock server for a long time, with its Redis killed
# (SIGKILL) in the middle, recording errors, latency and memory over time. Loopback only.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/soak.sh                     # 10 minutes
#   SOAK_DURATION=240 load-tests/soak.sh   # 4 minutes
#
# It starts server/target/dunblock-server.jar on 127.0.0.1 (embedded Redis in a temporary data directory,
# appendfsync everysec), makes reporter tokens, then runs wrk with load-tests/wrk/soak-mixed.lua in slices of
# SOAK_SLICE seconds. After each slice it samples the server's heap (jstat: used, old generation), its RSS and
# Redis's RSS. Halfway through it kills the embedded redis-server with SIGKILL; the server starts it again from
# its append-only file, and the script measures how long /ready took to answer 200 again. At the end it counts
# the reports in Redis's report log and checks that every acknowledged (202) report is there.
#
# Knobs (environment): SOAK_DURATION total seconds (default 600, 30..7200), SOAK_SLICE seconds per sample
# (default 15, 5..120), SOAK_CONNECTIONS wrk connections (default 16), SOAK_REPORT_PERCENT share of requests
# that are reports (default 10), SOAK_HEAP server -Xmx (default 256m), BENCH_KEEP=1 keeps the scratch directory.
# Exit status 1 when a report acknowledged is missing from Redis, a request got an error (anything but
# 200/202/503, or a 503 without Retry-After), or the server died.
# Needs java 17+ (with jstat), curl, wrk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
LUA="$ROOT/load-tests/wrk/soak-mixed.lua"
TOKENS=50

DURATION=$(dunblock_clamp "${SOAK_DURATION:-600}" 30 7200)
SLICE=$(dunblock_clamp "${SOAK_SLICE:-15}" 5 120)
CONNECTIONS=$(dunblock_clamp "${SOAK_CONNECTIONS:-16}" 1 512)
PERCENT=$(dunblock_clamp "${SOAK_REPORT_PERCENT:-10}" 0 100)
HEAP=${SOAK_HEAP:-256m}
[[ "$HEAP" =~ ^[0-9]+[mg]$ ]] || { echo "SOAK_HEAP must look like 256m or 1g" >&2; exit 2; }
SLICES=$(( (DURATION + SLICE - 1) / SLICE ))
KILL_SLICE=$(( SLICES / 2 ))

for tool in java jstat curl wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "soak: '$tool' not found" >&2; exit 2; }
done
[[ -f "$JAR" ]] || { echo "soak: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d -t dunblock-soak.XXXXXX)
SERVER_PID=""
WRK_PID=""
KILLER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$WRK_PID" "$KILLER_PID"; do
    [[ -n "$pid" ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  done
  dunblock_stop_server soak
  dunblock_remove_work soak
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env
echo "Starting $JAR (-Xmx$HEAP, data in $WORK/data) ..."
DUNBLOCK_HOST=127.0.0.1 \
DUNBLOCK_PORT=0 \
DUNBLOCK_DATA_DIR="$WORK/data" \
DUNBLOCK_TRUSTED_PROXIES=127.0.0.1 \
DUNBLOCK_FILTER_EXPECTED_NUMBERS=1000000 \
DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY=100000 \
DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY=100000000 DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY=100000000 \
DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE=0 \
  java -Xmx"$HEAP" -jar "$JAR" >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!
dunblock_wait_ready soak 90
REDIS_PORT=$(cat "$WORK/data/redis/port")
echo "Server ready on $BASE, embedded Redis on 127.0.0.1:$REDIS_PORT"

for _ in $(seq 1 "$TOKENS"); do
  token=$(curl -fsS --max-time 5 -X POST "$BASE/v1/reporters" | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')
  echo "$token"
done >"$WORK/tokens.txt"
[[ $(wc -l <"$WORK/tokens.txt") -eq $TOKENS ]] || { echo "soak: could not make $TOKENS tokens" >&2; exit 1; }

# One inline command to Redis over bash's /dev/tcp (no redis-cli needed); prints the first reply line.
redis_line() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT"
  printf '%s\r\n' "$*" >&3
  IFS= read -r -t 5 reply <&3 || true
  exec 3<&- 3>&-
  printf '%s' "${reply%$'\r'}"
}

redis_pid() { pgrep -P "$SERVER_PID" | head -n 1; }

kb_rss() {
  local kb
  kb=$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || true)
  echo "${kb:-0}"
}

# Heap in use and old generation in use, MB, from jstat -gc (no GC forced).
heap_mb() {
  jstat -gc "$SERVER_PID" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
    NR == 2 { printf "%.0f %.0f", ($(col["S0U"]) + $(col["S1U"]) + $(col["EU"]) + $(col["OU"])) / 1024, $(col["OU"]) / 1024 }'
}

field() { sed -n -E "s/.*(^| )$2=([^ ]+).*/\2/p" <<<"$1"; }

# Kills redis-server at the middle of slice KILL_SLICE and records how long until /ready answers 200 again.
kill_redis_later() {
  sleep "$(( SLICE / 2 ))"
  local pid started i
  pid=$(redis_pid)
  started=$(date +%s%N)
  echo "KILL redis-server pid $pid at $(date -u +%T)" >"$WORK/kill.txt"
  kill -KILL "$pid"
  # Until the server notices, /ready may still say 200: first wait for it to say 503 (at most 5 s).
  for ((i = 0; i < 50; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/ready") != 200 ]] && break
    sleep 0.1
  done
  for ((i = 0; i < 600; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/ready") == 200 ]]; then
      echo "READY again $(( ($(date +%s%N) - started) / 1000000 )) ms after the kill (new pid $(redis_pid))" \
        >>"$WORK/kill.txt"
      return 0
    fi
    sleep 0.1
  done
  echo "NOT READY within 60 s after the kill" >>"$WORK/kill.txt"
}

echo "Soak: $SLICES slices of $SLICE s, $CONNECTIONS connections, $PERCENT % reports; Redis killed in slice $((KILL_SLICE + 1))"
printf '%-6s %7s %8s %8s %9s %8s %8s %7s %6s %8s %8s %8s %8s\n' slice "req/s" "p50 ms" "p99 ms" "max ms" \
  acked refused degr errors "heap MB" "old MB" "RSS MB" "redisMB" | tee "$WORK/samples.txt"
total_acked=0; total_refused=0; total_errors=0; total_requests=0; worst_p99=0; max_ms=0
for ((s = 0; s < SLICES; s++)); do
  if ((s == KILL_SLICE)); then
    kill_redis_later &
    KILLER_PID=$!
  fi
  SOAK_TOKENS="$WORK/tokens.txt" SOAK_REPORT_PERCENT="$PERCENT" \
    wrk -t1 -c"$CONNECTIONS" -d"$SLICE"s --timeout 5s --latency -s "$LUA" "$BASE" >"$WORK/wrk-$s.txt" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=""
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "soak: the server died; see $WORK/server.log" >&2; BENCH_KEEP=1; exit 1; }
  line=$(grep '^RESULT ' "$WORK/wrk-$s.txt" || true)
  [[ -n "$line" ]] || { echo "soak: wrk printed no result:" >&2; cat "$WORK/wrk-$s.txt" >&2; exit 1; }
  read -r heap old <<<"$(heap_mb)"
  rpid=$(redis_pid || true)
  redis_mb=0
  [[ -n "$rpid" ]] && redis_mb=$(( $(kb_rss "$rpid") / 1024 ))
  errors=$(( $(field "$line" errors) + $(field "$line" socket_errors) + $(field "$line" refused_without_retry_after) ))
  printf '%-6s %7s %8s %8s %9s %8s %8s %7s %6s %8s %8s %8s %8s\n' "$((s + 1))" "$(field "$line" rps)" \
    "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" max_ms)" "$(field "$line" acked)" \
    "$(field "$line" refused)" "$(field "$line" degraded)" "$errors" "${heap:-?}" "${old:-?}" \
    "$(( $(kb_rss "$SERVER_PID") / 1024 ))" "$redis_mb" | tee -a "$WORK/samples.txt"
  total_acked=$(( total_acked + $(field "$line" acked) ))
  total_refused=$(( total_refused + $(field "$line" refused) ))
  total_errors=$(( total_errors + errors ))
  total_requests=$(( total_requests + $(field "$line" requests) ))
  worst_p99=$(awk -v a="$worst_p99" -v b="$(field "$line" p99_ms)" 'BEGIN { print (b > a ? b : a) }')
  max_ms=$(awk -v a="$max_ms" -v b="$(field "$line" max_ms)" 'BEGIN { print (b > a ? b : a) }')
done
[[ -n "$KILLER_PID" ]] && { wait "$KILLER_PID" || true; KILLER_PID=""; }

stored=0
for ((shard = 0; shard < 16; shard++)); do
  n=$(redis_line XLEN "$(printf 'dunblock:{s%02d}:reports' "$shard")")
  stored=$(( stored + ${n#:} ))
done

echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (server, Redis and wrk share them)"
cat "$WORK/kill.txt"
echo "Requests: $total_requests; reports acknowledged: $total_acked, refused with 503 + Retry-After: $total_refused;" \
  "errors: $total_errors; worst slice p99: $worst_p99 ms; slowest request: $max_ms ms"
echo "Reports in Redis's report log: $stored (acknowledged $total_acked; more is fine: reports in flight when" \
  "a wrk slice ended, or applied just before Redis died, were stored but their answer not counted)"
status=0
if ((stored < total_acked)); then
  echo "FAIL: $((total_acked - stored)) acknowledged reports are missing from Redis" >&2
  status=1
fi
if ((total_errors > 0)); then
  echo "FAIL: $total_errors requests got an error" >&2
  status=1
fi
exit "$status"
