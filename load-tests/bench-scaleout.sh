#!/usr/bin/env bash
# Scale-out measurements on this machine, over loopback only: lookup throughput of one and of three Dunblock
# instances sharing one Redis, Redis memory per reported number, and the memory of the number filter.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/bench-scaleout.sh
#
# It starts one redis-server (the binary inside the embedded-redis artifact, append-only file on, in a temporary
# directory), then:
#   1. one instance of server/target/dunblock-server.jar on it; wrk on the filter path (unreported numbers) and
#      on the Redis path (one BLOCK number), as bench-lookups.sh does;
#   2. two more instances; one wrk per instance at the same time, same total connections; their sum;
#   3. wrk reporting fresh numbers (one report each) through the three for BENCH_DURATION seconds; Redis
#      used_memory before and after, divided by the numbers now in the shard indexes;
#   4. the serialized size of the filter (Guava Bloom filter) for 10 million numbers at 0.1 %.
# Everything (instances, wrk, Redis) shares this machine's cores: three instances cannot do more work than the
# cores allow; the numbers say what one machine does, not what three machines would.
#
# Knobs (environment): BENCH_DURATION seconds per measurement (default 10, 1..60), BENCH_WARMUP (default 5,
# 0..30), BENCH_CONNECTIONS total wrk connections (default 30, 3..512), BENCH_KEEP=1 keeps the temporary directory.
# Needs java 17+, curl, unzip and wrk (bash's /dev/tcp talks to Redis).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
WRK_DIR="$ROOT/load-tests/wrk"
BLOCKED_NUMBER="+8618600000000"
SECRET="bench-scaleout-secret-0123456789abcdef"
INSTANCES=3

DURATION=$(dunblock_clamp "${BENCH_DURATION:-10}" 1 60)
WARMUP=$(dunblock_clamp "${BENCH_WARMUP:-5}" 0 30)
CONNECTIONS=$(dunblock_clamp "${BENCH_CONNECTIONS:-30}" 3 512)

for entry in java:openjdk-17-jre-headless curl:curl wrk:wrk unzip:unzip; do
  if ! command -v "${entry%%:*}" >/dev/null 2>&1; then
    echo "bench-scaleout: '${entry%%:*}' not found (Debian: apt-get install -y ${entry#*:})" >&2
    exit 2
  fi
done
if [[ ! -f "$JAR" ]]; then
  echo "bench-scaleout: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2
  exit 2
fi

WORK=$(mktemp -d -t dunblock-scaleout.XXXXXX)
PIDS=()
REDIS_PID=""
REDIS_PORT=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for SERVER_PID in "${PIDS[@]}"; do
    dunblock_stop_server bench-scaleout
  done
  if [[ -n "$REDIS_PID" ]]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  dunblock_remove_work bench-scaleout
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env

free_port() { # a random loopback port nobody listens on
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench-scaleout: no free port found" >&2
  exit 1
}

# --- Redis: the same binary the server embeds ---
unzip -q -o -j "$JAR" 'redis-server-6.2.6-v5-linux-amd64' -d "$WORK"
chmod +x "$WORK/redis-server-6.2.6-v5-linux-amd64"
REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
"$WORK/redis-server-6.2.6-v5-linux-amd64" --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK/redis" \
  --appendonly yes --appendfsync everysec --save '' >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
redis_cmd() { # an inline command over bash's /dev/tcp, then QUIT so that Redis closes: enough for INFO, ZCARD
  exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT"
  printf '%s\r\nQUIT\r\n' "$*" >&3
  timeout 5 cat <&3 || true
  exec 3>&-
}
for _ in $(seq 1 40); do
  redis_cmd PING 2>/dev/null | grep -q PONG && break
  sleep 0.25
done

start_instance() { # index
  local port
  port=$(free_port)
  DUNBLOCK_HOST=127.0.0.1 DUNBLOCK_PORT=$port DUNBLOCK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  DUNBLOCK_SECRET=$SECRET DUNBLOCK_TRUSTED_PROXIES=127.0.0.1 DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY=100000000 DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY=100000000 \
  DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE=0 \
    java -Xms256m -Xmx512m -jar "$JAR" >"$WORK/server-$1.log" 2>&1 </dev/null &
  PIDS+=($!)
  PORTS+=("$port")
}
await_ready() { # port
  for _ in $(seq 1 180); do
    curl -fsS --max-time 2 "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "bench-scaleout: instance on port $1 not ready within 90 s" >&2
  exit 1
}

PORTS=()
start_instance 0
await_ready "${PORTS[0]}"
BASE="http://127.0.0.1:${PORTS[0]}"
for net in 203.0.113.7 198.51.100.7 192.0.2.7 100.64.1.7 100.64.2.7; do
  token=$(curl -fsS --max-time 5 -X POST "$BASE/v1/reporters" | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')
  curl -fsS --max-time 5 -o /dev/null -X POST "$BASE/v1/reports" \
    -H "Authorization: Bearer $token" -H "X-Forwarded-For: $net" -H 'Content-Type: application/json' \
    -d "{\"number\":\"$BLOCKED_NUMBER\",\"category\":\"CONTACT_HARASSMENT\"}"
done

field() { sed -n -E "s/.*(^| )$2=([^ ]+).*/\2/p" <<<"$1"; }

# One wrk per instance at once, CONNECTIONS split between them; prints "rps p99_ms errors" summed/maxed.
parallel_wrk() { # name script seconds count
  local i per=$((CONNECTIONS / $4)) pids=()
  for ((i = 0; i < $4; i++)); do
    BENCH_NUMBER="$BLOCKED_NUMBER" BENCH_TOKEN="${BENCH_TOKEN:-}" BENCH_BLOCK=$i wrk -t1 -c"$per" -d"$3"s --timeout 2s \
      --latency -s "$WRK_DIR/$2" "http://127.0.0.1:${PORTS[$i]}" >"$WORK/wrk-$1-$i.txt" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  local rps=0 p99=0 errors=0 line
  for ((i = 0; i < $4; i++)); do
    line=$(grep '^RESULT ' "$WORK/wrk-$1-$i.txt") || { cat "$WORK/wrk-$1-$i.txt" >&2; exit 1; }
    rps=$((rps + $(field "$line" rps)))
    p99=$(awk -v a="$p99" -v b="$(field "$line" p99_ms)" 'BEGIN { print (b > a) ? b : a }')
    errors=$((errors + $(field "$line" socket_errors) + $(field "$line" http_errors)))
  done
  echo "$rps $p99 $errors"
}

declare -A RESULT
measure() { # instances
  if ((WARMUP > 0)); then
    parallel_wrk warm-u lookup-unreported.lua "$WARMUP" "$1" >/dev/null
    parallel_wrk warm-b lookup-number.lua "$WARMUP" "$1" >/dev/null
  fi
  RESULT["unreported-$1"]=$(parallel_wrk "u$1" lookup-unreported.lua "$DURATION" "$1")
  RESULT["blocked-$1"]=$(parallel_wrk "b$1" lookup-number.lua "$DURATION" "$1")
}

echo "Measuring one instance (${CONNECTIONS} connections) ..."
measure 1
for ((i = 1; i < INSTANCES; i++)); do
  start_instance "$i"
done
for ((i = 1; i < INSTANCES; i++)); do
  await_ready "${PORTS[$i]}"
done
echo "Measuring ${INSTANCES} instances (one wrk each, ${CONNECTIONS} connections in all) ..."
measure "$INSTANCES"

# --- Redis memory per reported number ---
memory_field() { redis_cmd INFO memory | sed -n -E "s/^$1:([0-9]+).*/\1/p"; }
indexed() {
  local total=0 s n
  for s in $(seq -w 0 15); do
    n=$(redis_cmd ZCARD "dunblock:{s$s}:index" | sed -n -E 's/^:([0-9]+).*/\1/p')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
mem0=$(memory_field used_memory); data0=$(memory_field used_memory_dataset); n0=$(indexed)
BENCH_TOKEN=$(curl -fsS --max-time 5 -X POST "$BASE/v1/reporters" | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')
export BENCH_TOKEN
echo "Reporting fresh numbers through ${INSTANCES} instances for ${DURATION} s ..."
read -r report_rps _ report_errors < <(parallel_wrk reports report-fresh.lua "$DURATION" "$INSTANCES")
mem1=$(memory_field used_memory); data1=$(memory_field used_memory_dataset); n1=$(indexed)
numbers=$((n1 - n0))

# --- The filter's memory ---
cat >"$WORK/FilterSize.java" <<'JAVA'
import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.ByteArrayOutputStream;
public class FilterSize {
  public static void main(String[] args) throws Exception {
    BloomFilter<CharSequence> f = BloomFilter.create(Funnels.unencodedCharsFunnel(), Long.parseLong(args[0]),
        Double.parseDouble(args[1]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.writeTo(out);
    System.out.println(out.size());
  }
}
JAVA
filter_bytes=$(java -cp "$JAR" "$WORK/FilterSize.java" 10000000 0.001)

echo
echo "Machine: $(nproc) cores, $(sed -n -E 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Instances, wrk and Redis share these cores."
echo
printf '%-28s %10s %9s %8s\n' "lookups" "req/s" "p99 ms" errors
for n in 1 "$INSTANCES"; do
  for s in unreported blocked; do
    read -r rps p99 errors <<<"${RESULT[$s-$n]}"
    printf '%-28s %10s %9s %8s\n' "$s, $n instance(s)" "$rps" "$p99" "$errors"
  done
done
echo
echo "Reports: ${report_rps}/s through ${INSTANCES} instances (${report_errors} errors); ${numbers} new numbers"
if ((numbers > 0)); then
  echo "Redis used_memory: $(( (mem1 - mem0) / numbers )) bytes per number with one report ($((mem1 - mem0)) bytes for ${numbers}); used_memory_dataset: $(( (data1 - data0) / numbers )) bytes per number"
fi
echo "Filter for 10,000,000 numbers at 0.1 %: ${filter_bytes} bytes"
