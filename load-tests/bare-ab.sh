#!/usr/bin/env bash
# What Dunblock's framework settings cost before any Dunblock code runs: BareServer (a constant answer) in its
# variants, all running at once, wrk bursts alternating between them, and each one's CPU (utime + stime from
# /proc/<pid>/stat) divided by the requests it answered. Side by side in one run, like cpu-ab.sh, so a noisy
# machine moves every variant alike.
#
#   mvn -B -q -pl load-tests -am package -DskipTests
#   load-tests/bare-ab.sh [rounds, default 4] [variants, default "bare metrics options configured"]
#
# Variants (BareServer): bare (plain Vert.x), metrics (Dunblock's Vert.x: its Micrometer metrics, our per-route HTTP
# meters), options (Dunblock's HTTP server options: idle timeout, compression negotiation, header limits),
# configured (both); idle and compression: the HTTP options with only the idle timeout / only compression
# negotiation. A variant may name another build's benchmarks jar, VARIANT@JAR (e.g. metrics@/tmp/old.jar),
# to compare a change of the framework settings old against new. BARE_AB_SECONDS (default 5) is each burst,
# BARE_AB_WARMUP (default 15) each warm-up, BARE_AB_EVENT_LOOPS (default nproc). Linux only (procfs); needs java and wrk.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/load-tests/lib.sh"
BENCH_JAR="$ROOT/load-tests/target/benchmarks.jar"
[[ -f "$BENCH_JAR" ]] || { echo "bare-ab: $BENCH_JAR not found; build first (see the top of this script)" >&2; exit 2; }
ROUNDS=$(dunblock_clamp "${1:-4}" 1 20)
read -r -a VARIANTS <<<"${2:-bare metrics options configured}"
SECONDS_EACH=$(dunblock_clamp "${BARE_AB_SECONDS:-5}" 1 60)
WARMUP=$(dunblock_clamp "${BARE_AB_WARMUP:-15}" 0 120)
EVENT_LOOPS=$(dunblock_clamp "${BARE_AB_EVENT_LOOPS:-$(nproc)}" 1 64)
HZ=$(getconf CLK_TCK)
SCRATCH=$(mktemp -d)
PIDS=()
URLS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
dunblock_clean_env

for i in "${!VARIANTS[@]}"; do
  v=${VARIANTS[$i]%%@*}
  jar=$BENCH_JAR
  [[ "${VARIANTS[$i]}" == *@* ]] && jar=${VARIANTS[$i]#*@}
  case "$v" in bare | metrics | options | idle | compression | configured) ;; *) echo "bare-ab: unknown variant $v" >&2; exit 2 ;; esac
  [[ -f "$jar" ]] || { echo "bare-ab: $jar not found" >&2; exit 2; }
  java -Xms512m -Xmx512m -cp "$jar" org.dunblock.bench.BareServer "$EVENT_LOOPS" 0 "$v" >"$SCRATCH/$i.log" 2>&1 \
    </dev/null &
  PIDS+=("$!")
  port=$(dunblock_wait_for_log "$SCRATCH/$i.log" 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$!")
  URLS+=("http://127.0.0.1:$port")
done

burst() { # index seconds -> requests
  wrk -t1 -c32 -d"$2"s --timeout 5s -s "$ROOT/load-tests/wrk/lookup-unreported.lua" "${URLS[$1]}" \
    | sed -n -E 's/^RESULT requests=([0-9]+).*/\1/p'
}
per_request() { # ticks requests -> microseconds
  awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }'
}

((WARMUP > 0)) && for i in "${!VARIANTS[@]}"; do burst "$i" "$WARMUP" >/dev/null; done
declare -a TICKS REQUESTS
for i in "${!VARIANTS[@]}"; do TICKS[i]=0; REQUESTS[i]=0; done
for ((r = 1; r <= ROUNDS; r++)); do
  for i in "${!VARIANTS[@]}"; do
    before=$(dunblock_cpu_ticks "${PIDS[$i]}")
    requests=$(burst "$i" "$SECONDS_EACH")
    after=$(dunblock_cpu_ticks "${PIDS[$i]}")
    TICKS[i]=$((TICKS[i] + after - before))
    REQUESTS[i]=$((REQUESTS[i] + requests))
    echo "round $r ${VARIANTS[$i]}: $requests requests, $(per_request $((after - before)) "$requests") us CPU each," \
      "load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for i in "${!VARIANTS[@]}"; do
  echo "TOTAL ${VARIANTS[$i]}: ${REQUESTS[$i]} requests ($(awk -v n="${REQUESTS[$i]}" -v r="$ROUNDS" -v s="$SECONDS_EACH" \
    'BEGIN { printf "%.0f", n / r / s }') req/s), $(per_request "${TICKS[$i]}" "${REQUESTS[$i]}") us CPU each"
done
