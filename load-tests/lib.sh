# Shared by the load-test scripts (source it): stopping the server they started, and a clean environment.
# Expects SERVER_PID (empty when no server runs) and WORK (the scratch directory) in the caller.

# Stops the server with SIGTERM (it drains, then shuts its embedded Redis down), waits at most 30 s, then kills it;
# a redis-server child left behind by a kill is stopped too. $1 names the script in messages.
dunblock_stop_server() {
  local name=$1 children=""
  [[ -n "${SERVER_PID:-}" ]] && kill -0 "$SERVER_PID" 2>/dev/null || return 0
  if command -v pgrep >/dev/null 2>&1; then
    children=$(pgrep -P "$SERVER_PID" || true)
  fi
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "$name: server did not stop within 30 s; killing it" >&2
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  for child in $children; do
    kill -TERM "$child" 2>/dev/null || true
  done
}

# Removes the scratch directory unless BENCH_KEEP=1. $1 names the script.
dunblock_remove_work() {
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    echo "$1: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}

# Only the script's own settings: a DUNBLOCK_REDIS_URL from the caller's shell must not point a benchmark at a
# real store.
dunblock_clean_env() {
  local name
  while IFS= read -r name; do
    unset "$name"
  done < <(compgen -e | grep '^DUNBLOCK_' || true)
}

# Prints whole number $1 held within [$2, $3]; anything but digits stops the script (exit 2).
dunblock_clamp() {
  local v=$1
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a whole number: '$v'" >&2; exit 2; }
  ((v < $2)) && v=$2
  ((v > $3)) && v=$3
  echo "$v"
}

# Waits until the server started as SERVER_PID (output in $WORK/server.log, started with DUNBLOCK_PORT=0) logs
# its port and answers /ready; sets PORT and BASE. $1 names the script, $2 is the limit in seconds for each wait.
dunblock_wait_ready() {
  local name=$1 limit=$2 i
  PORT=""
  for ((i = 0; i < limit * 2; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "$name: server exited during start; its log:" >&2
      cat "$WORK/server.log" >&2
      return 1
    fi
    PORT=$(sed -n -E 's/.*Dunblock listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$WORK/server.log" | head -n 1)
    [[ -n "$PORT" ]] && break
    sleep 0.5
  done
  [[ -n "$PORT" ]] || { echo "$name: server did not listen within $limit s" >&2; return 1; }
  BASE="http://127.0.0.1:$PORT"
  for ((i = 0; i < limit * 2; i++)); do
    curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$name: $BASE/ready did not answer 200 within $limit s" >&2
  return 1
}

# Waits until log $1 holds a line matching sed expression $2 (one capture) and prints the capture; fails when
# process $3 exits first or after READY_TIMEOUT_S (default 180) seconds.
dunblock_wait_for_log() {
  local found="" i
  for ((i = 0; i < ${READY_TIMEOUT_S:-180} * 2; i++)); do
    kill -0 "$3" 2>/dev/null || { echo "process exited during start; its log:" >&2; cat "$1" >&2; exit 1; }
    found=$(sed -n -E "$2" "$1" | head -n 1)
    [[ -n "$found" ]] && { echo "$found"; return 0; }
    sleep 0.5
  done
  echo "'$1' showed no match for $2 within ${READY_TIMEOUT_S:-180} s" >&2
  exit 1
}

# Starts server/target/dunblock-server.jar for load: loopback only, a free port, the embedded Redis under
# $WORK/data, loopback trusted as a proxy (so X-Forwarded-For varies the client's network) and the per-day token
# and report limits and the per-client lookup limit lifted. $1: log file; further arguments: extra VAR=value settings. Sets SERVER_PID, PORT,
# REDIS_PORT and BASE, and returns once /ready answers 200. The JVM gets a 1 GB heap touched at start and
# SERVER_JVM_FLAGS (default: the server image's -XX:MaxTenuringThreshold=2, see docs/operations.md#running-the-jar).
dunblock_start_server() {
  local log=$1 i
  shift
  # shellcheck disable=SC2086 # the flags are meant to split into words
  env DUNBLOCK_HOST=127.0.0.1 DUNBLOCK_PORT=0 DUNBLOCK_DATA_DIR="$WORK/data" DUNBLOCK_TRUSTED_PROXIES=127.0.0.1 \
    DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY=1000000 DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY=1000000000 DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY=1000000000 \
    DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE=0 "$@" \
    java -Xms1g -Xmx1g -XX:+AlwaysPreTouch ${SERVER_JVM_FLAGS--XX:MaxTenuringThreshold=2} -jar "$JAR" >"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  PORT=$(dunblock_wait_for_log "$log" 's/.*Dunblock listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$SERVER_PID")
  REDIS_PORT=$(sed -n -E 's/.*Embedded Redis started on 127\.0\.0\.1:([0-9]+).*/\1/p' "$log" | head -n 1)
  # The embedded Redis requires a password (kept in the data dir, never on a command line); older jars had none.
  REDIS_PASSWORD=$(sed -n -E 's/^requirepass (.*)$/\1/p' "$WORK/data/redis/auth.conf" 2>/dev/null || true)
  BASE="http://127.0.0.1:$PORT"
  for ((i = 0; i < ${READY_TIMEOUT_S:-180} * 10; i++)); do
    curl -fsS --max-time 2 "$BASE/ready" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$BASE/ready did not answer 200 within ${READY_TIMEOUT_S:-180} s" >&2
  exit 1
}

# CPU ticks (user + system) process $1 used so far; 0 when none is given or it is gone.
dunblock_cpu_ticks() {
  [[ -n "${1:-}" && -r "/proc/$1/stat" ]] || { echo 0; return; }
  # Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# The pid of the embedded redis-server the server SERVER_PID started (empty with an external Redis).
dunblock_redis_pid() {
  pgrep -P "$SERVER_PID" redis-server || true
}

# Mints $2 reporter tokens at $BASE, each from its own network (198.19.<i>.1 as X-Forwarded-For, which the
# server believes from loopback), one per line into file $1; fails unless all were minted.
dunblock_mint_tokens() {
  local i
  for ((i = 0; i < $2; i++)); do
    curl -fsS --max-time 5 -X POST -H "X-Forwarded-For: 198.19.$((i % 256)).$((1 + i / 256 % 254))" \
      "$BASE/v1/reporters" | sed -n -E 's/.*"token":"([^"]+)".*/\1/p'
    echo # the answer has no final newline
  done >"$1"
  (($(grep -c '^dbr_' "$1") == $2)) || { echo "could not mint $2 reporter tokens" >&2; return 1; }
}

# Writes $2 reported numbers straight into the Redis on port $1 (export/Preload.java; see its Javadoc), with the
# embedded Redis's password (REDIS_PASSWORD, set by dunblock_start_server) when it has one.
dunblock_preload() {
  local auth=""
  [[ -n "${REDIS_PASSWORD:-}" ]] && auth="$REDIS_PASSWORD@"
  timeout 900 java -cp "$JAR" "$(dirname "${BASH_SOURCE[0]}")/export/Preload.java" "redis://${auth}127.0.0.1:$1" "$2"
}
