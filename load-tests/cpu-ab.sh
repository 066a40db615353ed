#!/usr/bin/env bash
# Compares the server CPU per request of two server jars side by side, for judging a change on a shared, noisy
# machine where req/s says little: both servers run at once (started like dunblock_start_server: loopback, embedded
# Redis in a scratch directory, per-client lookup limit lifted, 256 reporter tokens minted for the report scripts),
# each gets a wrk warm-up, then wrk bursts alternate between them, and each server's CPU (utime + stime from
# /proc/<pid>/stat) and its embedded redis-server's are divided by the requests it answered.
#
#   load-tests/cpu-ab.sh OLD.jar NEW.jar [wrk script, default lookup-unreported.lua] [rounds, default 4]
#
# CPU_AB_SECONDS (default 5) is each burst, CPU_AB_WARMUP (default 20) each warm-up (so the JIT's compile time is
# not counted), CPU_AB_EVENT_LOOPS (default nproc) the servers' event loops. CPU_AB_COMMANDSTATS=1 resets each
# Redis's statistics after the warm-up and prints its INFO commandstats after the rounds (needs redis-cli): which
# commands and scripts the measured requests cost, and their microseconds per call. Linux only (procfs); needs
# java, curl, wrk. The first line per round and server is that burst; TOTAL lines sum the rounds.
# CPU_AB_PREPARE=SCRIPT[:SECONDS] runs that wrk script against each server first (default 15 s), unmeasured: e.g.
# CPU_AB_PREPARE=report-listed.lua before lookup-listed.lua, so the looked-up numbers are listed.
# CPU_AB_ENV_OLD / CPU_AB_ENV_NEW: extra VAR=value words for the first / second server's environment, e.g.
# CPU_AB_ENV_OLD=DUNBLOCK_REPUTATION_CACHE_ENTRIES=0 to compare one jar with and without its near cache.
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
REDIS_PIDS=()
REDIS_PORTS=()
REDIS_PASSWORDS=()

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

SIDE_ENV=("${CPU_AB_ENV_OLD:-}" "${CPU_AB_ENV_NEW:-}")
for i in 0 1; do
  WORK="$SCRATCH/$i"
  JAR=${JARS[$i]}
  mkdir -p "$WORK"
  # shellcheck disable=SC2086 # the extra environment is meant to split into words
  dunblock_start_server "$WORK/server.log" DUNBLOCK_EVENT_LOOPS="$EVENT_LOOPS" ${SIDE_ENV[$i]}
  PIDS+=("$SERVER_PID")
  BASES+=("$BASE")
  REDIS_PIDS+=("$(dunblock_redis_pid)")
  REDIS_PORTS+=("$REDIS_PORT")
  REDIS_PASSWORDS+=("${REDIS_PASSWORD:-}")
  dunblock_mint_tokens "$WORK/tokens.txt" 256
done

per_request() { # ticks requests -> microseconds
  awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }'
}
redis_cli() { # side command...
  local port=${REDIS_PORTS[$1]} password=${REDIS_PASSWORDS[$1]}
  shift
  REDISCLI_AUTH="$password" redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" "$@"
}
burst() { # side seconds -> requests
  BENCH_TOKENS="$SCRATCH/$1/tokens.txt" wrk -t1 -c32 -d"$2"s --timeout 5s -s "$ROOT/load-tests/wrk/$SCRIPT" "${BASES[$1]}" | sed -n -E 's/^RESULT requests=([0-9]+).*http_errors=([0-9]+).*/\1 \2/p'
}

if [[ -n "${CPU_AB_PREPARE:-}" ]]; then
  PREPARE_SCRIPT=${CPU_AB_PREPARE%%:*}
  PREPARE_SECONDS=15
  [[ "$CPU_AB_PREPARE" == *:* ]] && PREPARE_SECONDS=${CPU_AB_PREPARE##*:}
  for i in 0 1; do
    BENCH_TOKENS="$SCRATCH/$i/tokens.txt" wrk -t1 -c32 -d"$PREPARE_SECONDS"s --timeout 5s \
      -s "$ROOT/load-tests/wrk/$PREPARE_SCRIPT" "${BASES[$i]}" >/dev/null
  done
fi
for i in 0 1; do burst "$i" "$WARMUP" >/dev/null; done
if [[ "${CPU_AB_COMMANDSTATS:-0}" == 1 ]]; then
  for i in 0 1; do redis_cli "$i" CONFIG RESETSTAT >/dev/null; done
fi
TICKS=(0 0)
REDIS_TICKS=(0 0)
REQUESTS=(0 0)
for ((r = 1; r <= ROUNDS; r++)); do
  for i in 0 1; do
    before=$(dunblock_cpu_ticks "${PIDS[$i]}")
    redis_before=$(dunblock_cpu_ticks "${REDIS_PIDS[$i]}")
    read -r requests errors < <(burst "$i" "$SECONDS_EACH")
    after=$(dunblock_cpu_ticks "${PIDS[$i]}")
    redis_after=$(dunblock_cpu_ticks "${REDIS_PIDS[$i]}")
    TICKS[$i]=$((TICKS[$i] + after - before))
    REDIS_TICKS[$i]=$((REDIS_TICKS[$i] + redis_after - redis_before))
    REQUESTS[$i]=$((REQUESTS[$i] + requests))
    echo "round $r $(basename "${JARS[$i]}"): $requests requests ($errors >= 400)," \
      "$(per_request $((after - before)) "$requests") us CPU each," \
      "Redis $(per_request $((redis_after - redis_before)) "$requests") us," \
      "load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for i in 0 1; do
  echo "TOTAL $(basename "${JARS[$i]}") $SCRIPT: ${REQUESTS[$i]} requests," \
    "$(per_request "${TICKS[$i]}" "${REQUESTS[$i]}") us CPU each, Redis $(per_request "${REDIS_TICKS[$i]}" "${REQUESTS[$i]}") us"
done
if [[ "${CPU_AB_COMMANDSTATS:-0}" == 1 ]]; then
  for i in 0 1; do
    echo "COMMANDSTATS $(basename "${JARS[$i]}") (${REQUESTS[$i]} measured requests):"
    redis_cli "$i" INFO commandstats | grep '^cmdstat_' | tr -d '\r'
  done
fi
