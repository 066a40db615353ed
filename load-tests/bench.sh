#!/usr/bin/env bash
# Dunblock side by side with its ceilings, in one run on one machine, over loopback only.
#
#   mvn -B -q package -DskipTests          # once: this script builds nothing
#   load-tests/bench.sh                    # or: load-tests/bench.sh --smoke   (seconds, for CI)
#   load-tests/bench.sh --out /tmp/b.json  # JSON elsewhere (default load-tests/target/bench.json)
#
# 1. Starts the bare Vert.x server (load-tests BareServer: same Vert.x, same event loops, a constant JSON answer),
#    and a second one configured as Dunblock's (same Vert.x metrics and HTTP server options, still a constant answer).
# 2. Starts server/target/dunblock-server.jar (embedded Redis in a temporary directory, loopback trusted as a proxy
#    so X-Forwarded-For varies the reporter's network, per-day token and report limits lifted), preloads
#    BENCH_ROWS reported numbers (default 1,000,000) with export/Preload.java, then restarts the server over them
#    twice and times each restart until /ready (JVM, Redis loading its files, the filter): the first builds the
#    filter from the shard indexes, the second loads the checkpoint the first wrote.
# 3. Mints 256 reporter tokens on 256 networks.
#    Then the noise floor, with every server idle (again after the last scenario): CpuGaps spins on each CPU at once
#    and reports the time taken from it, and how much of that the guest's own scheduler did not see (a hypervisor
#    running something else). A latency figure cannot be lower than what the machine takes away.
# 4. For each scenario: wrk at saturation (closed loop, BENCH_CONNECTIONS connections, after a warm-up, server and
#    wrk on all cores); then, with 2+ cores, the server and its Redis are pinned to all CPUs but the last and the
#    generators to the last one (taskset), wrk measures saturation under that pinning, and the OpenLoad generator
#    sends at half of it (open model, constant arrival rate, latency from the intended send time, HdrHistogram):
#    p50, p99, p99.9. Pinning keeps the generator's CPU out of the server's latency; BENCH_PIN=0 measures latency
#    at half the unpinned saturation on shared cores instead.
#      bare        GET /v1/numbers/<random> against the bare server: the HTTP ceiling
#      configured  the same against the bare server configured as Dunblock: what the framework features cost
#      unreported  GET /v1/numbers/<random number nobody reported>: the filter answers
#      cold        GET /v1/numbers/<any preloaded number, uniformly>: mostly Redis reads (a hot set far past the
#                  near cache's entries)
#      reported    GET /v1/numbers/<one of the first BENCH_HOT preloaded numbers, uniformly>: the near cache holds them
#      zipf        the same BENCH_HOT numbers drawn with a Zipf distribution (s = 1.1, lookup-zipf.lua): the shape of
#                  an address-book explosion, a few collector numbers asked about thousands of times
#      batch       POST /v1/numbers/lookup, 20 numbers (19 unreported, 1 reported)
#      report      POST /v1/reports by random tokens from random networks
# 5. redis-benchmark GET on the same Redis: the Redis ceiling (installs Debian's redis-tools when missing and
#    run as root with apt-get; otherwise that row says so and the ratios to it are left out).
# 6. Prints a table (throughput, ratio to the ceiling, latency at half load, CPU per request of the server and
#    Redis, the generators' own CPU, the near cache's hit rate at saturation, load average) and writes it as JSON.
#
# Knobs: BENCH_ROWS (1..10,000,000), BENCH_HOT (default 50,000, at most BENCH_ROWS), BENCH_DURATION seconds per measurement (default 10), BENCH_WARMUP (default 5),
# BENCH_CONNECTIONS (default 32), BENCH_EVENT_LOOPS (default: cores), BENCH_SCENARIOS (default all eight), BENCH_PIN=0 (see 4),
# BENCH_NOISE_SECONDS (default 5), BENCH_KEEP=1 keeps the scratch directory (logs, wrk output). Needs java 17+, curl, wrk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
BENCH_JAR="$ROOT/load-tests/target/benchmarks.jar"
WRK_DIR="$ROOT/load-tests/wrk"
OUT="$ROOT/load-tests/target/bench.json"
READY_TIMEOUT_S=180
SMOKE=0

while (($#)); do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: bench.sh [--smoke] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

if ((SMOKE)); then
  ROWS=$(dunblock_clamp "${BENCH_ROWS:-2000}" 1 10000000); DURATION=1; WARMUP=1
else
  ROWS=$(dunblock_clamp "${BENCH_ROWS:-1000000}" 1 10000000)
  DURATION=$(dunblock_clamp "${BENCH_DURATION:-10}" 1 60)
  WARMUP=$(dunblock_clamp "${BENCH_WARMUP:-5}" 0 30)
fi
HOT=$(dunblock_clamp "${BENCH_HOT:-50000}" 1 "$ROWS")
CONNECTIONS=$(dunblock_clamp "${BENCH_CONNECTIONS:-32}" 1 512)
EVENT_LOOPS=$(dunblock_clamp "${BENCH_EVENT_LOOPS:-$(nproc)}" 1 64)
SCENARIOS=${BENCH_SCENARIOS:-bare configured unreported cold reported zipf batch report}
CORES=$(nproc)
PIN=0
if [[ "${BENCH_PIN:-1}" != 0 ]] && ((CORES >= 2)) && command -v taskset >/dev/null 2>&1; then
  PIN=1
fi
ALL_CPUS=0-$((CORES - 1))
SERVER_CPUS=0-$((CORES - 2))
GEN_CPU=$((CORES - 1))
GEN_PREFIX="" # "taskset -c $GEN_CPU" while the generators are pinned

for entry in java:openjdk-17-jre-headless curl:curl wrk:wrk; do
  if ! command -v "${entry%%:*}" >/dev/null 2>&1; then
    echo "bench: '${entry%%:*}' not found (Debian: apt-get install -y ${entry#*:})" >&2
    exit 2
  fi
done
for jar in "$JAR" "$BENCH_JAR"; do
  [[ -f "$jar" ]] || { echo "bench: $jar not found; build first: mvn -B -q package -DskipTests" >&2; exit 2; }
done
REDIS_BENCHMARK=$(command -v redis-benchmark || true)
if [[ -z "$REDIS_BENCHMARK" && $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 && ((SMOKE == 0)); then
  echo "Installing redis-tools for redis-benchmark ..."
  if timeout 300 apt-get install -y -qq redis-tools >/dev/null 2>&1 \
      || { timeout 300 apt-get update -qq >/dev/null 2>&1 && timeout 300 apt-get install -y -qq redis-tools >/dev/null 2>&1; }; then
    REDIS_BENCHMARK=$(command -v redis-benchmark || true)
  fi
fi
[[ -n "$REDIS_BENCHMARK" ]] || echo "bench: redis-benchmark not found (Debian: apt-get install -y redis-tools); the Redis ceiling is left out"

WORK=$(mktemp -d -t dunblock-bench.XXXXXX)
SERVER_PID=""
BARE_PID=""
CONF_PID=""
CHILD_PID=""
NGINX_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$CHILD_PID" "$BARE_PID" "$CONF_PID" "$NGINX_PID"; do
    [[ -n "$pid" ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  done
  dunblock_stop_server bench
  dunblock_remove_work bench
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dunblock_clean_env
CLK_TCK=$(getconf CLK_TCK)

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Starting the bare Vert.x server ($EVENT_LOOPS event loops) ..."
# Every server (bare, configured, Dunblock in lib.sh) touches its heap at start (AlwaysPreTouch): without it the first
# young collections fault in survivor and old pages, 20-35 ms pauses against 7-13 ms touched (bare server, G1). All
# three get the server image's JVM flags too (SERVER_JVM_FLAGS, lib.sh).
# shellcheck disable=SC2086 # the flags are meant to split into words
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch ${SERVER_JVM_FLAGS--XX:MaxTenuringThreshold=2} -cp "$BENCH_JAR" org.dunblock.bench.BareServer "$EVENT_LOOPS" 0 >"$WORK/bare.log" 2>&1 </dev/null &
BARE_PID=$!
BARE_PORT=$(dunblock_wait_for_log "$WORK/bare.log" 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$BARE_PID")
# shellcheck disable=SC2086
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch ${SERVER_JVM_FLAGS--XX:MaxTenuringThreshold=2} -cp "$BENCH_JAR" org.dunblock.bench.BareServer "$EVENT_LOOPS" 0 configured >"$WORK/configured.log" \
  2>&1 </dev/null &
CONF_PID=$!
CONF_PORT=$(dunblock_wait_for_log "$WORK/configured.log" 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$CONF_PID")

echo "Starting Dunblock (data in $WORK/data) ..."
start_dunblock() {
  dunblock_start_server "$1" DUNBLOCK_EVENT_LOOPS="$EVENT_LOOPS"
}
start_dunblock "$WORK/server-first.log"
echo "Preloading $ROWS reported numbers into Redis on port $REDIS_PORT ..."
dunblock_preload "$REDIS_PORT" "$ROWS"
# Two restarts to /ready over them: the first builds the filter from the shard indexes (the preload dropped any
# checkpoint) and writes a checkpoint; the second loads that checkpoint.
timed_restart() { # log
  local started
  dunblock_stop_server bench
  started=$(date +%s%N)
  start_dunblock "$1"
  STARTUP_S=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}
echo "Restarting Dunblock over them (filter built from the indexes) ..."
timed_restart "$WORK/server-second.log"
STARTUP_BUILD_S=$STARTUP_S
echo "Restarting Dunblock again (filter from its checkpoint) ..."
timed_restart "$WORK/server.log"
FILTER_NUMBERS=$(curl -fsS --max-time 5 "$BASE/ready" | sed -n -E 's/.*"approximateNumbers":([0-9]+).*/\1/p')
grep -q "Filter restored from its checkpoint" "$WORK/server.log" \
  || echo "bench: the second restart did not use the checkpoint" >&2
echo "Ready in $STARTUP_BUILD_S s building the filter, $STARTUP_S s from the checkpoint; about $FILTER_NUMBERS numbers"
REDIS_PID=$(dunblock_redis_pid)

echo "Minting 256 reporter tokens ..."
dunblock_mint_tokens "$WORK/tokens.txt" 256 || exit 1

field() { # line key
  sed -n -E "s/.*(^| )$2=([^ ]+).*/\2/p" <<<"$1"
}

# The machine's noise floor with every server idle: CpuGaps spins on each CPU at once for NOISE_S seconds and
# reports the time the CPU was taken from it (by this machine's other threads, kernel threads, or the hypervisor).
NOISE_S=$( ((SMOKE)) && echo 1 || dunblock_clamp "${BENCH_NOISE_SECONDS:-5}" 1 60)
noise() { # label
  local c line out="" pids=()
  if ! command -v taskset >/dev/null 2>&1; then
    echo "not measured (no taskset)"
    return
  fi
  for ((c = 0; c < CORES; c++)); do
    taskset -c "$c" java -XX:+UseSerialGC -Xmx64m -XX:TieredStopAtLevel=1 -cp "$BENCH_JAR" org.dunblock.bench.CpuGaps \
      seconds="$NOISE_S" warmup=$( ((SMOKE)) && echo 0 || echo 2) >"$WORK/noise-$1-$c.txt" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for ((c = 0; c < CORES; c++)); do
    line=$(grep '^RESULT ' "$WORK/noise-$1-$c.txt" || true)
    out+="CPU $c lost $(field "$line" lost_ms) ms ($(field "$line" host_lost_ms) unseen by its scheduler), $(field "$line" gaps_5ms) gaps >= 5 ms, longest $(field "$line" max_ms) ms; "
  done
  echo "${out%; }"
}
echo "Measuring the noise floor ($NOISE_S s on each CPU, servers idle) ..."
NOISE_START=$(noise start)

# Pins every thread of the given processes (empty arguments skipped) to the CPU list $1.
pin() { # cpus pid...
  local cpus=$1 pid
  shift
  for pid in "$@"; do
    if [[ -n "$pid" ]]; then
      taskset -a -p -c "$cpus" "$pid" >/dev/null
    fi
  done
}

# Runs wrk for $3 seconds with script $2 against $1; prints its RESULT line plus its own CPU seconds. The hot set
# the lookup scripts draw from is $scenario_hot.
run_wrk() {
  BENCH_REPORTED="$ROWS" BENCH_HOT="$scenario_hot" BENCH_TOKENS="$WORK/tokens.txt" \
    $GEN_PREFIX bash -c 'wrk "$@" >"$0"; times' "$WORK/wrk.out" -t1 -c"$CONNECTIONS" -d"$3"s --timeout 5s --latency \
      -s "$WRK_DIR/$2" "$1" >"$WORK/wrk.times" 2>&1 &
  CHILD_PID=$!
  wait "$CHILD_PID"
  CHILD_PID=""
  local line cpu
  line=$(grep '^RESULT ' "$WORK/wrk.out" || true)
  [[ -n "$line" ]] || { echo "bench: wrk printed no result:" >&2; cat "$WORK/wrk.out" "$WORK/wrk.times" >&2; exit 1; }
  # "times" prints the shell's, then its children's user and system time, e.g. "0m1.250s 0m0.410s".
  cpu=$(sed -n 2p "$WORK/wrk.times" | awk '{ gsub(/s/, ""); split($1, u, "m"); split($2, s, "m");
    printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
  echo "$line wrk_cpu_s=$cpu"
}

lookups() { # path label: filter | store | degraded
  curl -fsS --max-time 5 "$BASE/metrics" \
    | awk -v p="$1" '$1 == "dunblock_lookups_total{path=\"" p "\"}" { printf "%d", $2 }'
}

# The near cache's record reads so far: "hits total" (hit, miss and bypass together; 0 0 when it is off).
cache_reads() {
  curl -fsS --max-time 5 "$BASE/metrics" | awk '
    index($1, "dunblock_reputation_cache_lookups_total{") == 1 {
      total += $2; if (index($1, "result=\"hit\"")) hits += $2 }
    END { printf "%d %d", hits, total }'
}

declare -A R
JSON_ROWS=()
for scenario in $SCENARIOS; do
  case "$scenario" in
    bare) url="http://127.0.0.1:$BARE_PORT"; script=lookup-unreported.lua; pid=$BARE_PID; rpid=""; ceiling=1 ;;
    configured) url="http://127.0.0.1:$CONF_PORT"; script=lookup-unreported.lua; pid=$CONF_PID; rpid=""; ceiling=1 ;;
    unreported) url=$BASE; script=lookup-unreported.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    cold) url=$BASE; script=lookup-reported.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    reported) url=$BASE; script=lookup-reported.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    zipf) url=$BASE; script=lookup-zipf.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    batch) url=$BASE; script=batch.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    report) url=$BASE; script=report.lua; pid=$SERVER_PID; rpid=$REDIS_PID; ceiling=0 ;;
    *) echo "bench: unknown scenario $scenario" >&2; exit 2 ;;
  esac
  # The hot set lookup-reported.lua draws from: all the preloaded numbers for cold, BENCH_HOT for the others.
  scenario_hot=$HOT
  [[ $scenario == cold ]] && scenario_hot=$ROWS
  echo "[$scenario] warm-up ${WARMUP} s, saturation ${DURATION} s (wrk, $CONNECTIONS connections) ..."
  ((WARMUP > 0)) && run_wrk "$url" "$script" "$WARMUP" >/dev/null
  s0=$(dunblock_cpu_ticks "$pid"); r0=$(dunblock_cpu_ticks "$rpid")
  f0=0; st0=0
  c0="0 0"
  ((ceiling)) || { f0=$(lookups filter); st0=$(lookups store); c0=$(cache_reads); }
  load=$(cut -d' ' -f1 /proc/loadavg)
  sat=$(run_wrk "$url" "$script" "$DURATION")
  s1=$(dunblock_cpu_ticks "$pid"); r1=$(dunblock_cpu_ticks "$rpid")
  f1=0; st1=0
  c1="0 0"
  ((ceiling)) || { f1=$(lookups filter); st1=$(lookups store); c1=$(cache_reads); }
  # Hit rate of the near cache over the saturation run: hits / record reads (empty when nothing was read).
  hit_pct=$(awk -v a="$c0" -v b="$c1" 'BEGIN { split(a, x, " "); split(b, y, " "); n = y[2] - x[2];
    if (n > 0) printf "%.1f", 100 * (y[1] - x[1]) / n }')
  rps=$(field "$sat" rps)
  requests=$(field "$sat" requests)
  errors=$(($(field "$sat" socket_errors) + $(field "$sat" http_errors)))
  server_us=$(awk -v t="$((s1 - s0))" -v r="$requests" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", r ? t / hz * 1e6 / r : 0 }')
  redis_us=$(awk -v t="$((r1 - r0))" -v r="$requests" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", r ? t / hz * 1e6 / r : 0 }')
  wrk_pct=$(awk -v c="$(field "$sat" wrk_cpu_s)" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * c / d }')
  # Latency at half of saturation. Pinned (the default with 2+ cores): the server and its Redis get every core but
  # the last, the generators the last one, so the latency is the server's and not the generator's CPU fight; the
  # saturation it is half of is measured under the same pinning.
  pinned_rps=""
  if ((PIN)); then
    pin "$SERVER_CPUS" "$pid" "$rpid"
    GEN_PREFIX="taskset -c $GEN_CPU"
    echo "[$scenario] pinned: server on CPU $SERVER_CPUS, generators on CPU $GEN_CPU; saturation ${DURATION} s (wrk) ..."
    ((WARMUP > 0)) && run_wrk "$url" "$script" "$WARMUP" >/dev/null
    pinned_rps=$(field "$(run_wrk "$url" "$script" "$DURATION")" rps)
    half=$(( (pinned_rps + 1) / 2 ))
  else
    half=$(( (rps + 1) / 2 ))
  fi
  ((half < 1)) && half=1
  echo "[$scenario] $rps req/s; latency at $half req/s (OpenLoad, ${DURATION} s) ..."
  # AlwaysPreTouch: pinned to one CPU the generator's JVM runs the serial collector, and its first two young
  # collections, touching fresh heap pages, took 26 ms each, one of them inside the measured window (every request
  # due meanwhile then counted as late); with the heap touched up front they take 5 ms (2026-12-04, bare server).
  lat=$(timeout $((DURATION + WARMUP + 60)) $GEN_PREFIX java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp "$BENCH_JAR" \
    org.dunblock.bench.OpenLoad url="$url" scenario="$( ((ceiling)) && echo unreported || echo "$scenario")" rate="$half" seconds="$DURATION" \
    warmup="$WARMUP" connections=$((CONNECTIONS * 2)) reported="$ROWS" hot="$HOT" tokens="$WORK/tokens.txt" \
    2>"$WORK/openload-$scenario.log" | grep '^RESULT ' || true)
  if ((PIN)); then
    pin "$ALL_CPUS" "$pid" "$rpid"
    GEN_PREFIX=""
  fi
  [[ -n "$lat" ]] || { echo "bench: OpenLoad printed no result:" >&2; cat "$WORK/openload-$scenario.log" >&2; exit 1; }
  lat_errors=$(field "$lat" errors)
  R[$scenario]="rps=$rps pinned_rps=$pinned_rps errors=$errors half=$half p50=$(field "$lat" p50_ms) p99=$(field "$lat" p99_ms) p999=$(field "$lat" p999_ms) lat_errors=$lat_errors not_sent=$(field "$lat" not_sent) server_us=$server_us redis_us=$redis_us wrk_pct=$wrk_pct gen_pct=$(field "$lat" cpu_pct) filter=$((f1 - f0)) store=$((st1 - st0)) hit_pct=$hit_pct load=$load"
done

# A reference that is not a JVM: when Debian's nginx is installed, one nginx worker answering a constant, pinned as
# the servers were, gets OpenLoad at the bare server's latency rate. What the machine allows a C server at that rate
# is the floor under the bare Vert.x server's latency figure (and under Dunblock's).
NGINX_LAT=""
if ((PIN)) && [[ -n "${R[bare]:-}" ]] && command -v nginx >/dev/null 2>&1; then
  # A loopback port below the ephemeral range (where no outgoing connection holds it) that nothing listens on.
  ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for ((i = 0; i < 100; i++)); do
    nginx_port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null || break
  done
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '{"number":"+8613800138000","verdict":"UNKNOWN"}'; }
  }
}
NGINX
  taskset -c "$SERVER_CPUS" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx/out.log" 2>&1 </dev/null &
  NGINX_PID=$!
  nginx_half=$(field "${R[bare]}" half)
  for ((i = 0; i < 50; i++)); do
    curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$nginx_port/" 2>/dev/null && break
    sleep 0.1
  done
  echo "[nginx] latency at $nginx_half req/s (OpenLoad, ${DURATION} s) ..."
  NGINX_LAT=$(timeout $((DURATION + WARMUP + 60)) taskset -c "$GEN_CPU" java -Xms256m -Xmx256m -XX:+AlwaysPreTouch \
    -cp "$BENCH_JAR" org.dunblock.bench.OpenLoad url="http://127.0.0.1:$nginx_port" scenario=unreported \
    rate="$nginx_half" seconds="$DURATION" warmup="$WARMUP" connections=$((CONNECTIONS * 2)) \
    2>"$WORK/openload-nginx.log" | grep '^RESULT ' || true)
  [[ -n "$NGINX_LAT" ]] || echo "bench: the nginx reference did not run: $(tail -n 1 "$WORK/nginx/out.log" 2>/dev/null)" >&2
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
fi

REDIS_RPS=""
REDIS_PIPELINED_RPS=""
if [[ -n "$REDIS_BENCHMARK" ]]; then
  n=$((SMOKE ? 20000 : 500000))
  echo "[redis] redis-benchmark GET, $CONNECTIONS clients, $n requests, no pipelining and 16 deep ..."
  REDIS_RPS=$(timeout 300 "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$REDIS_PORT" ${REDIS_PASSWORD:+-a "$REDIS_PASSWORD"} -t get -n "$n" -c "$CONNECTIONS" \
    -r 1000000 --csv | awk -F'"' '$2 == "GET" { printf "%.0f", $4 }')
  REDIS_PIPELINED_RPS=$(timeout 300 "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$REDIS_PORT" ${REDIS_PASSWORD:+-a "$REDIS_PASSWORD"} -t get -n "$n" \
    -c "$CONNECTIONS" -P 16 -r 1000000 --csv | awk -F'"' '$2 == "GET" { printf "%.0f", $4 }')
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Measuring the noise floor again ..."
NOISE_END=$(noise end)

ratio() { # numerator denominator
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.2f", a / b }'
}
get() { # scenario key
  field "${R[$1]:-}" "$2"
}
BARE_RPS=$(get bare rps)
declare -A TARGET=([unreported]=0.85 [reported]=0.45 [zipf]=0.65)

CPU_MODEL=$(sed -n -E 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "Machine: $(nproc) cores ($CPU_MODEL), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo),"
echo "  $(java -version 2>&1 | head -n 1); load average $LOAD_START at start, $LOAD_END at end."
echo "  Every server's JVM: -Xms1g -Xmx1g -XX:+AlwaysPreTouch ${SERVER_JVM_FLAGS--XX:MaxTenuringThreshold=2}"
echo "Data: $ROWS reported numbers preloaded (filter: about $FILTER_NUMBERS numbers; reported and zipf draw from the"
echo "  first $HOT, cold from all). Restart to /ready (JVM, Redis"
echo "  loading its files, filter): $STARTUP_BUILD_S s building the filter from the indexes, $STARTUP_S s from its checkpoint."
echo "Noise floor (CpuGaps: time taken from a thread spinning on each CPU in $NOISE_S s, every server idle):"
echo "  at start: $NOISE_START"
echo "  at end:   $NOISE_END"
echo "Saturation: wrk -t1 -c$CONNECTIONS, ${DURATION} s after ${WARMUP} s warm-up, server and wrk on all $CORES cores."
if ((PIN)); then
  echo "Latency: server and its Redis pinned to CPU $SERVER_CPUS, generators to CPU $GEN_CPU; wrk saturation under that"
  echo "  pinning ('pinned'), then OpenLoad (open model, constant rate) at half of it."
else
  echo "Latency: OpenLoad (open model, constant rate) at half the saturation, on the same cores as the server."
fi
echo
printf '%-11s %9s %8s %7s | %8s %8s %8s %8s %8s | %9s %8s %6s | %6s %6s | %5s\n' scenario "req/s" "vs bare" target \
  pinned "at req/s" "p50 ms" "p99 ms" "p99.9 ms" "server us" "Redis us" "hit %" "wrk %" "gen %" load
for scenario in $SCENARIOS; do
  printf '%-11s %9s %8s %7s | %8s %8s %8s %8s %8s | %9s %8s %6s | %6s %6s | %5s\n' "$scenario" "$(get "$scenario" rps)" \
    "$(ratio "$(get "$scenario" rps)" "$BARE_RPS")" "${TARGET[$scenario]:+>=${TARGET[$scenario]}}" \
    "$(get "$scenario" pinned_rps)" "$(get "$scenario" half)" "$(get "$scenario" p50)" "$(get "$scenario" p99)" \
    "$(get "$scenario" p999)" \
    "$(get "$scenario" server_us)" "$(get "$scenario" redis_us)" "$(get "$scenario" hit_pct)" \
    "$(get "$scenario" wrk_pct)" "$(get "$scenario" gen_pct)" "$(get "$scenario" load)"
done
if [[ -n "$REDIS_RPS" ]]; then
  printf '%-11s %9s   (redis-benchmark GET, %d clients; %s req/s 16-deep pipelined)\n' redis-get "$REDIS_RPS" \
    "$CONNECTIONS" "$REDIS_PIPELINED_RPS"
  for scenario in cold reported zipf batch report; do
    [[ -n "${R[$scenario]:-}" ]] && printf '  %s at %s of the Redis GET ceiling\n' "$scenario" \
      "$(ratio "$(get "$scenario" rps)" "$REDIS_RPS")x"
  done
fi
if [[ -n "$NGINX_LAT" ]]; then
  printf '%-11s %9s %8s %7s | %8s %8s %8s %8s %8s |   (one nginx worker, a constant answer, pinned as the servers)\n' nginx "" "" "" "" \
    "$(field "$NGINX_LAT" rate)" "$(field "$NGINX_LAT" p50_ms)" "$(field "$NGINX_LAT" p99_ms)" "$(field "$NGINX_LAT" p999_ms)"
fi
echo "server us / Redis us: CPU time of the server / redis-server per request at saturation; hit %: the near cache's"
echo "hits per record read at saturation; wrk % / gen %: the generators' own CPU (100 = one core). Errors (wrk+OpenLoad, of which not sent as OpenLoad's backlog was full):"
echo "  $(for s in $SCENARIOS; do printf '%s %s+%s(%s) ' "$s" "$(get "$s" errors)" "$(get "$s" lat_errors)" "$(get "$s" not_sent)"; done)"
for scenario in unreported cold reported zipf; do
  [[ -n "${R[$scenario]:-}" ]] && echo "  $scenario answered by: filter $(get "$scenario" filter), records (cache or Redis) $(get "$scenario" store)"
done

mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "machine": {"cores": %d, "cpu": "%s", "loadAverageStart": "%s", "loadAverageEnd": "%s"},\n' \
    "$(nproc)" "$CPU_MODEL" "$LOAD_START" "$LOAD_END"
  printf '  "settings": {"rows": %d, "hot": %d, "durationSeconds": %d, "warmupSeconds": %d, "connections": %d, "eventLoops": %d, "pinnedLatency": %s, "smoke": %s},\n' \
    "$ROWS" "$HOT" "$DURATION" "$WARMUP" "$CONNECTIONS" "$EVENT_LOOPS" "$( ((PIN)) && echo true || echo false)" \
    "$([[ $SMOKE == 1 ]] && echo true || echo false)"
  printf '  "nginx": %s,\n' "$( [[ -n "$NGINX_LAT" ]] && printf '{"latencyRate": %s, "p50Ms": %s, "p99Ms": %s, "p999Ms": %s}' \
    "$(field "$NGINX_LAT" rate)" "$(field "$NGINX_LAT" p50_ms)" "$(field "$NGINX_LAT" p99_ms)" "$(field "$NGINX_LAT" p999_ms)" || echo null)"
  printf '  "noiseFloor": {"seconds": %d, "start": "%s", "end": "%s"},\n' "$NOISE_S" "$NOISE_START" "$NOISE_END"
  printf '  "startup": {"readySecondsBuildingFilter": %s, "readySecondsFromCheckpoint": %s, "filterNumbers": %s},\n' \
    "$STARTUP_BUILD_S" "$STARTUP_S" "${FILTER_NUMBERS:-0}"
  printf '  "redis": {"getPerSecond": %s, "getPipelined16PerSecond": %s},\n' "${REDIS_RPS:-null}" \
    "${REDIS_PIPELINED_RPS:-null}"
  printf '  "scenarios": {'
  sep=""
  for scenario in $SCENARIOS; do
    r=$(ratio "$(get "$scenario" rps)" "$BARE_RPS")
    rr=$(ratio "$(get "$scenario" rps)" "$REDIS_RPS")
    printf '%s\n    "%s": {"requestsPerSecond": %s, "errors": %s, "ratioToBare": %s, "target": %s, "ratioToRedisGet": %s, "pinnedRequestsPerSecond": %s, "latencyRate": %s, "p50Ms": %s, "p99Ms": %s, "p999Ms": %s, "latencyErrors": %s, "latencyNotSent": %s, "serverCpuMicrosPerRequest": %s, "redisCpuMicrosPerRequest": %s, "wrkCpuPercent": %s, "openLoadCpuPercent": %s, "answeredByFilter": %s, "answeredByRecords": %s, "cacheHitPercent": %s, "loadAverage": %s}' \
      "$sep" "$scenario" "$(get "$scenario" rps)" "$(get "$scenario" errors)" "${r:-null}" \
      "${TARGET[$scenario]:-null}" "${rr:-null}" "$(get "$scenario" pinned_rps | grep . || echo null)" "$(get "$scenario" half)" "$(get "$scenario" p50)" \
      "$(get "$scenario" p99)" "$(get "$scenario" p999)" "$(get "$scenario" lat_errors)" \
      "$(get "$scenario" not_sent)" "$(get "$scenario" server_us)" "$(get "$scenario" redis_us)" "$(get "$scenario" wrk_pct)" \
      "$(get "$scenario" gen_pct)" "$(get "$scenario" filter)" "$(get "$scenario" store)" \
      "$(get "$scenario" hit_pct | grep . || echo null)" "$(get "$scenario" load)"
    sep=","
  done
  printf '\n  }\n}\n'
} >"$OUT"
echo "JSON: $OUT"

# Every request answered, and the filter answered the unreported lookups (all but its false positives, 0.1 % at
# its design size): a smoke run fails loudly otherwise.
for scenario in $SCENARIOS; do
  if (($(get "$scenario" errors) + $(get "$scenario" lat_errors) > 0)); then
    echo "bench: $scenario had errors ($(get "$scenario" not_sent) of them not sent: OpenLoad could not keep up)" >&2
    exit 1
  fi
done
if [[ -n "${R[unreported]:-}" ]] && (($(get unreported store) * 100 > $(get unreported filter))); then
  echo "bench: unreported lookups reached Redis" >&2
  exit 1
fi
