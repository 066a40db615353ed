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
