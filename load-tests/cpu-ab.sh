#!/usr/bin/env bash
# Compares the server CPU per request of two server jars side by side, for judging a change on a shared, noisy
# machine where req/s says little: both servers run at once (started like dunblock_start_server: loopback, embedded
# Redis in a scratch directory, per-client lookup limit lifted), each gets a wrk warm-up, then wrk bursts alternate
# between them, and each server's CPU (utime + stime from /proc/<pid>/stat) is divided by the requests it answered.
#
#   load-tests/cpu-ab.sh OLD.jar NEW.jar [wrk script, default lookup-unreported.lua] [rounds, default 4]
#
# CPU_AB_SECONDS (default 5) is each burst, CPU_AB_WARMUP (default 20) each warm-up (so the JIT's compile time is
# not counted), CPU_AB_EVENT_LOOPS (default nproc) the servers' event loops. Linux only (procfs); needs java, curl,
# wrk. The first line per round and server is that burst; TOTAL lines sum the rounds.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/load-tests/lib.sh"
(($# >= 2)) || { echo "usage: $0 OLD.jar NEW.jar [wrk script] [rounds]" >&2; exit 2; }
JARS=("$1" "$2")
SCRIPT=${3:-lookup-unreported.lua}
ROUNDS=$(( ${4:-4} < 1 ? 1 : (${4:-4} > 20 ? 20 : ${4:-4}) ))
SECONDS_EACH=${CPU_AB_SECONDS:-5}
WARMUP=${CPU_AB_WARMUP:-20}
EVENT_LOOPS=${CPU_AB_EVENT_LOOPS:-$(nproc)}
HZ=$(getconf CLK_TCK)
SCRATCH=$(mktemp -d)
PIDS=()
BASES=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    SERVER_PID=$pid
    dunblock_stop_server cpu-ab
  done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
dunblock_clean_env

for i in 0 1; do
  WORK="$SCRATCH/$i"
  JAR=${JARS[$i]}
  mkdir -p "$WORK"
  dunblock_start_server "$WORK/server.log" DUNBLOCK_EVENT_LOOPS="$EVENT_LOOPS"
  PIDS+=("$SERVER_PID")
  BASES+=("$BASE")
done

cpu_ticks() {
  sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
burst() { # base seconds -> requests
  wrk -t1 -c32 -d"$2"s --timeout 5s -s "$ROOT/load-tests/wrk/$SCRIPT" "$1" | sed -n -E 's/^RESULT requests=([0-9]+).*http_errors=([0-9]+).*/\1 \2/p'
}

for i in 0 1; do burst "${BASES[$i]}" "$WARMUP" >/dev/null; done
TICKS=(0 0)
REQUESTS=(0 0)
for ((r = 1; r <= ROUNDS; r++)); do
  for i in 0 1; do
    before=$(cpu_ticks "${PIDS[$i]}")
    read -r requests errors < <(burst "${BASES[$i]}" "$SECONDS_EACH")
    after=$(cpu_ticks "${PIDS[$i]}")
    TICKS[$i]=$((TICKS[$i] + after - before))
    REQUESTS[$i]=$((REQUESTS[$i] + requests))
    echo "round $r $(basename "${JARS[$i]}"): $requests requests ($errors >= 400)," \
      "$(awk -v t=$((after - before)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') us CPU each," \
      "load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for i in 0 1; do
  echo "TOTAL $(basename "${JARS[$i]}") $SCRIPT: ${REQUESTS[$i]} requests," \
    "$(awk -v t="${TICKS[$i]}" -v n="${REQUESTS[$i]}" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') us CPU each"
done
