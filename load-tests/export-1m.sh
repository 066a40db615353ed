#!/usr/bin/env bash
# Streams a 1-million-row export from one Dunblock server whose heap is capped at 128 MB, over loopback only.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/export-1m.sh
#
# It starts server/target/dunblock-server.jar with -Xmx128m on 127.0.0.1 (random free port, embedded Redis in a
# temporary data directory), preloads BENCH_ROWS numbers (default 1,000,000) straight into that Redis in the
# NumberRecord format with load-tests/export/Preload.java (pipelined HSET + ZADD through the server jar's
# Lettuce; six in ten BLOCK, three WARN, one ALLOW), then:
#   full         GET /v1/export to a file: rows, seconds, MB, rows/s
#   verify       the file's SHA-256 and Ed25519 signature, checked with sha256sum and openssl (not our code)
#   incremental  GET /v1/export?since=<version of the full one>: nothing changed, so no rows, but it walks
#                and diffs everything; its time is the cost of an incremental export of this size
#   gzip         (BENCH_GZIP=1) the full export again with Accept-Encoding: gzip, to /dev/null
# and prints the server's peak RSS (VmHWM) and peak Java heap (from its GC log). The server and the data are
# always removed on exit (BENCH_KEEP=1 keeps the directory).
# Needs java 17+, curl, sha256sum and openssl 1.1.1+ (for the signature check; skipped without).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
PRELOAD="$ROOT/load-tests/export/Preload.java"
ADMIN_KEY="dbk_export-bench-key-0123456789abcdef"
READY_TIMEOUT_S=90
EXPORT_TIMEOUT_S=900

ROWS=${BENCH_ROWS:-1000000}
[[ "$ROWS" =~ ^[0-9]+$ ]] && ((ROWS >= 1 && ROWS <= 10000000)) || { echo "BENCH_ROWS: 1..10000000" >&2; exit 2; }
for tool in java curl sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "export-1m: '$tool' not found" >&2; exit 2; }
done
[[ -f "$JAR" ]] || { echo "export-1m: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d -t dunblock-export-bench.XXXXXX)
SERVER_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  dunblock_stop_server export-1m
  dunblock_remove_work export-1m
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env

echo "Starting $JAR with -Xmx128m (data in $WORK/data) ..."
DUNBLOCK_HOST=127.0.0.1 \
DUNBLOCK_PORT=0 \
DUNBLOCK_DATA_DIR="$WORK/data" \
DUNBLOCK_ADMIN_KEY="$ADMIN_KEY" \
  java -Xmx128m -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!

PORT=""
REDIS_PORT=""
for _ in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "export-1m: server exited during start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  PORT=$(sed -n -E 's/.*Dunblock listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$WORK/server.log" | head -n 1)
  REDIS_PORT=$(sed -n -E 's/.*Embedded Redis started on 127\.0\.0\.1:([0-9]+).*/\1/p' "$WORK/server.log" | head -n 1)
  [[ -n "$PORT" && -n "$REDIS_PORT" ]] && break
  sleep 0.5
done
[[ -n "$PORT" && -n "$REDIS_PORT" ]] || { echo "export-1m: server did not listen within ${READY_TIMEOUT_S} s" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
for i in $(seq 1 $((READY_TIMEOUT_S * 2))); do
  curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1 && break
  ((i == READY_TIMEOUT_S * 2)) && { echo "export-1m: not ready within ${READY_TIMEOUT_S} s" >&2; exit 1; }
  sleep 0.5
done
echo "Server ready on $BASE (Redis on 127.0.0.1:$REDIS_PORT)"

echo "Preloading $ROWS numbers ..."
timeout 900 java -cp "$JAR" "$PRELOAD" "redis://127.0.0.1:$REDIS_PORT" "$ROWS"

AUTH="Authorization: Bearer $ADMIN_KEY"
run_export() { # name query output [extra curl args...]
  local name=$1 query=$2 out=$3
  shift 3
  curl -sS --fail --max-time "$EXPORT_TIMEOUT_S" -H "$AUTH" "$@" -D "$WORK/$name.headers" -o "$out" \
    -w '%{size_download} %{time_total}\n' "$BASE/v1/export$query" >"$WORK/$name.stats"
}
header() { # file name
  sed -n -E "s/^$2: *([^[:space:]]+).*/\1/Ip" "$1" | head -n 1
}
mb() {
  awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}
report() { # name rows
  local bytes seconds
  read -r bytes seconds <"$WORK/$1.stats"
  printf '%-12s %10s rows %8.1f s %9s MB %10s rows/s\n' "$1" "$2" "$seconds" "$(mb "$bytes")" \
    "$(awk -v r="$2" -v s="$seconds" 'BEGIN { printf "%d", (s > 0 ? r / s : 0) }')"
}

echo "Full export ..."
run_export full "" "$WORK/export.csv"
VERSION=$(header "$WORK/full.headers" X-Dunblock-Export-Version)
FULL_ROWS=$(($(wc -l <"$WORK/export.csv") - 1))

echo "Checking its signature with sha256sum and openssl ..."
SIG_JSON=$(curl -fsS --max-time 10 -H "$AUTH" "$BASE/v1/export/$VERSION/signature")
SHA=$(sed -n -E 's/.*"sha256":"([0-9a-f]+)".*/\1/p' <<<"$SIG_JSON")
FILE_SHA=$(sha256sum "$WORK/export.csv" | cut -d' ' -f1)
[[ "$SHA" == "$FILE_SHA" ]] || { echo "export-1m: SHA-256 mismatch: served $SHA, file $FILE_SHA" >&2; exit 1; }
SIGNATURE="skipped (no openssl)"
if command -v openssl >/dev/null 2>&1; then
  curl -fsS --max-time 10 "$BASE/.well-known/dunblock-export-key" \
    | sed -n -E 's/.*"pem":"([^"]+)".*/\1/p' | sed 's/\\n/\n/g' >"$WORK/key.pem"
  sed -n -E 's/.*"signature":"([^"]+)".*/\1/p' <<<"$SIG_JSON" | base64 -d >"$WORK/export.sig"
  printf 'dunblock-export-v1\n%s\n%s\n%s\n%s\n' "$VERSION" "minVerdict=WARN;categories=" "-" "$FILE_SHA" >"$WORK/message"
  if openssl pkeyutl -verify -pubin -inkey "$WORK/key.pem" -rawin -in "$WORK/message" -sigfile "$WORK/export.sig" >/dev/null; then
    SIGNATURE="verified with openssl"
  else
    echo "export-1m: openssl did not verify the signature" >&2
    exit 1
  fi
fi

echo "Incremental export since $VERSION (nothing changed) ..."
run_export incremental "?since=$VERSION" "$WORK/incremental.csv"
INC_ROWS=$(($(wc -l <"$WORK/incremental.csv") - 1))

if [[ "${BENCH_GZIP:-0}" == 1 ]]; then
  echo "Full export, gzip ..."
  run_export gzip "" /dev/null -H 'Accept-Encoding: gzip'
fi

HWM_KB=$(sed -n -E 's/^VmHWM:[[:space:]]+([0-9]+) kB/\1/p' "/proc/$SERVER_PID/status")
# G1 log lines read "... 75M->20M(128M) 3.1ms": the peak heap is the largest size before a collection.
HEAP=$(sed -n -E 's/.* ([0-9]+)M->([0-9]+)M\(([0-9]+)M\).*/\1 \2 \3/p' "$WORK/gc.log" \
  | awk '{ if ($1 > b) b = $1; if ($2 > a) a = $2; if ($3 > c) c = $3; n++ }
         END { printf "peak %d MB before a collection, at most %d MB live after one, committed at most %d MB, %d collections", b, a, c, n }')

echo
echo "Machine: $(nproc) cores, $(sed -n -E 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
report full "$FULL_ROWS"
report incremental "$INC_ROWS"
[[ "${BENCH_GZIP:-0}" == 1 ]] && report gzip "$FULL_ROWS"
echo "signature:   SHA-256 matches the file, $SIGNATURE"
echo "server:      peak RSS $((HWM_KB / 1024)) MB (VmHWM, includes the JVM itself); Java heap (-Xmx128m): $HEAP"
