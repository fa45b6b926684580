#!/usr/bin/env bash
# Starts every service as its own process against REDIS_URL and DATABASE_URL (make run).
# Ctrl-C stops them all and waits for each to drain.
#
#   scripts/run.sh              build, migrate the application database, run all services
#   scripts/run.sh appdb-url    print the URL of the application database (askpro) on the
#                               server DATABASE_URL points at
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

SERVICES=(database calcom routing call booking gateway)

appdb_url() {
  # The server URL names the maintenance database; the application gets its own, askpro.
  local base=${DATABASE_URL%%\?*} query=""
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  echo "${base%/*}/askpro$query"
}

if [ "${1:-}" = "appdb-url" ]; then appdb_url; exit 0; fi

: "${REDIS_URL:?REDIS_URL is not set: run scripts/services.sh up}"
: "${DATABASE_URL:?DATABASE_URL is not set: run scripts/services.sh up}"

server_url=$DATABASE_URL
if [ -z "${ASKPRO_KEEP_DATABASE_URL:-}" ]; then
  if ! psql "$server_url" -XAtc "SELECT 1 FROM pg_database WHERE datname = 'askpro'" | grep -q 1; then
    psql "$server_url" -Xqc "CREATE DATABASE askpro" >/dev/null
  fi
  export DATABASE_URL=$(appdb_url)
fi

mkdir -p bin
echo "run: building services"
for s in "${SERVICES[@]}"; do
  (cd "services/$s" && GOWORK=off go build -o "$root/bin/$s" .)
done
echo "run: migrating"
(cd migrations && GOWORK=off go run ./cmd/migrate)

pids=()
stop_all() {
  trap - INT TERM
  echo "run: stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait
  echo "run: stopped"
}
trap stop_all INT TERM

for s in "${SERVICES[@]}"; do
  POD_NAME="${s}-local" LOG_FORMAT="${LOG_FORMAT:-console}" "bin/$s" &
  pids+=($!)
done
echo "run: started ${SERVICES[*]}; Ctrl-C stops them"
echo "run: REDIS_URL=$REDIS_URL"
wait
