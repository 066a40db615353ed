#!/usr/bin/env bash
# Runs Gatling simulations (load-tests/gatling) against a fresh server on loopback, keeping the HTML reports.
#
#   mvn -B -q package -DskipTests                       # once: the server jar
#   load-tests/gatling.sh LookupMixSimulation [BatchLookupSimulation ReportBurstSimulation ExportWhileLookupsSimulation]
#
# Starts server/target/dunblock-server.jar (embedded Redis in a temporary directory, loopback trusted as a proxy,
# per-day limits lifted, a seeded admin key for the export simulation), preloads GATLING_ROWS reported numbers
# (default 100,000) with export/Preload.java, restarts the server over them, then runs each simulation with
#   mvn -B -pl load-tests/gatling gatling:test -Dgatling.simulationClass=org.dunblock.gatling.<name> -Ddunblock.url=...
# at GATLING_RATE new users per second (default 100) for GATLING_SECONDS (default 20). Reports are written to
# load-tests/gatling/target/gatling/<simulation>-<timestamp>/index.html. Exits non-zero when an assertion failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$ROOT/load-tests/lib.sh"
JAR="$ROOT/server/target/dunblock-server.jar"
ADMIN_KEY="dbk_gatling-admin-key-0123456789abcdef"
ROWS=${GATLING_ROWS:-100000}
RATE=${GATLING_RATE:-100}
SECONDS_EACH=${GATLING_SECONDS:-20}
[[ "$ROWS" =~ ^[0-9]+$ ]] && ((ROWS >= 1 && ROWS <= 10000000)) || { echo "GATLING_ROWS: 1..10000000" >&2; exit 2; }
[[ "$RATE" =~ ^[0-9]+$ ]] && ((RATE >= 1 && RATE <= 100000)) || { echo "GATLING_RATE: 1..100000" >&2; exit 2; }
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] && ((SECONDS_EACH >= 1 && SECONDS_EACH <= 600)) \
  || { echo "GATLING_SECONDS: 1..600" >&2; exit 2; }
(($# > 0)) || { echo "usage: gatling.sh SimulationName..." >&2; exit 2; }
[[ -f "$JAR" ]] || { echo "gatling: $JAR not found; build it first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d -t dunblock-gatling.XXXXXX)
SERVER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  dunblock_stop_server gatling
  dunblock_remove_work gatling
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
dunblock_clean_env

echo "Starting Dunblock (data in $WORK/data) ..."
dunblock_start_server "$WORK/server-first.log" DUNBLOCK_ADMIN_KEY="$ADMIN_KEY"
echo "Preloading $ROWS reported numbers ..."
dunblock_preload "$REDIS_PORT" "$ROWS"
dunblock_stop_server gatling
dunblock_start_server "$WORK/server.log" DUNBLOCK_ADMIN_KEY="$ADMIN_KEY"
echo "Server ready on $BASE; load average $(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
for simulation in "$@"; do
  [[ "$simulation" =~ ^[A-Za-z]+$ ]] || { echo "gatling: bad simulation name '$simulation'" >&2; exit 2; }
  echo "== $simulation: $RATE users/s for $SECONDS_EACH s"
  if ! (cd "$ROOT" && timeout $((SECONDS_EACH + 900)) mvn -B -q -pl load-tests/gatling gatling:test \
      -Dgatling.simulationClass="org.dunblock.gatling.$simulation" -Ddunblock.url="$BASE" \
      -Ddunblock.rate="$RATE" -Ddunblock.seconds="$SECONDS_EACH" -Ddunblock.reported="$ROWS" \
      -Ddunblock.adminKey="$ADMIN_KEY"); then
    echo "gatling: $simulation failed (see its report)" >&2
    failed=1
  fi
done
echo "Reports: $ROOT/load-tests/gatling/target/gatling/; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
