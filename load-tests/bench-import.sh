#!/usr/bin/env bash
# Bulk import of a generated list of 1 million numbers into one Dunblock server whose heap is capped,
# through the CLI (java -jar dunblock-server.jar import), to show that the import streams in bounded memory.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/bench-import.sh
#
# It generates IMPORT_LINES (default 1000000) CSV lines 'number,category' (distinct valid CN mobile numbers,
# every 1000th line deliberately invalid), starts server/target/dunblock-server.jar on 127.0.0.1 with
# -Xmx${IMPORT_HEAP} (default 128m), the embedded Redis in a temporary directory and a seeded admin key,
# imports the file with the CLI, checks the summary counts and a lookup, and prints: elapsed time, lines/s,
# the server's peak resident memory (VmHWM) and the largest Java heap in use after a GC (from -Xlog:gc).
# The server is always stopped and the directory removed (BENCH_KEEP=1 keeps it).
# Needs java 17+, curl and awk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
LINES=${IMPORT_LINES:-1000000}
HEAP=${IMPORT_HEAP:-128m}
KEY="dbk_bench-import-admin-key-0123456789"
READY_TIMEOUT_S=90

[[ "$LINES" =~ ^[0-9]+$ ]] && ((LINES >= 1000 && LINES <= 9000000)) \
  || { echo "bench-import: IMPORT_LINES must be 1000..9000000" >&2; exit 2; }
for tool in java curl awk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-import: '$tool' not found" >&2; exit 2; }
done
[[ -f "$JAR" ]] || { echo "bench-import: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d -t dunblock-import.XXXXXX)
SERVER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  dunblock_stop_server bench-import
  dunblock_remove_work bench-import
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env

echo "Generating $LINES lines ..."
awk -v n="$LINES" 'BEGIN {
  print "number,category"
  for (i = 1; i <= n; i++) {
    if (i % 1000 == 0) print "not-a-number-" i; else printf "139%08d,DEBT_COLLECTION\n", i
  }
}' >"$WORK/list.csv"
echo "File: $(du -h "$WORK/list.csv" | cut -f1)"

echo "Starting $JAR with -Xmx$HEAP (data in $WORK/data) ..."
DUNBLOCK_HOST=127.0.0.1 DUNBLOCK_PORT=0 DUNBLOCK_DATA_DIR="$WORK/data" DUNBLOCK_ADMIN_KEY="$KEY" \
  java -Xmx"$HEAP" -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench-import: server exited during start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  PORT=$(sed -n -E 's/.*Dunblock listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$WORK/server.log" | head -n 1)
  [[ -n "$PORT" ]] && break
  sleep 0.5
done
[[ -n "$PORT" ]] || { echo "bench-import: server did not listen" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS --max-time 2 "$BASE/ready" >/dev/null || { echo "bench-import: not ready" >&2; exit 1; }

echo "Importing with the CLI ..."
start=$(date +%s.%N)
java -jar "$JAR" import --url "$BASE" --key "$KEY" --source bench --weight 1 "$WORK/list.csv" >"$WORK/summary.json"
end=$(date +%s.%N)

imported=$(sed -n -E 's/.*"imported" : ([0-9]+).*/\1/p' "$WORK/summary.json")
invalid=$(sed -n -E 's/.*"invalid" : ([0-9]+).*/\1/p' "$WORK/summary.json")
expect_invalid=$((LINES / 1000))
if [[ "$imported" != "$((LINES - expect_invalid))" || "$invalid" != "$expect_invalid" ]]; then
  echo "bench-import: wrong counts: imported=$imported invalid=$invalid" >&2
  cat "$WORK/summary.json" >&2
  exit 1
fi
last=$(printf '139%08d' "$((LINES - 1))")
curl -fsS "$BASE/v1/numbers/$last" | grep -q '"reports":1' || { echo "bench-import: $last not imported" >&2; exit 1; }

hwm=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$SERVER_PID/status")
heap=$(sed -n -E 's/.*Pause.* [0-9]+M->([0-9]+)M\([0-9]+M\).*/\1/p' "$WORK/gc.log" | sort -n | tail -n 1)
gcs=$(grep -c 'Pause' "$WORK/gc.log" || true)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$LINES" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }')
echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (server, Redis and CLI share them)"
echo "lines=$LINES imported=$imported invalid=$invalid elapsed=${elapsed}s rate=${rate} lines/s"
echo "server: -Xmx$HEAP, peak RSS (VmHWM) $hwm, largest heap after GC ${heap:-?} MB over $gcs GC pauses"
