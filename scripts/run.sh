#!/usr/bin/env bash
# make run / make demo: the whole system on one machine, every service its own process.
#
#   scripts/run.sh              build, migrate, seed the demo tenant, start calsim and the six
#                               services, wait until each is ready, print how to use it;
#                               Ctrl-C stops everything and waits for each to drain
#   scripts/run.sh demo         play a signed German call against the running system
#                               (askpro simulate-call; what `make demo` runs)
#   scripts/run.sh appdb-url    print the URL of the application database (askpro) on the
#                               server DATABASE_URL points at
#
# Needs REDIS_URL and DATABASE_URL (the server's admin URL): `make run` gets them from
# scripts/services.sh. Every service variable set in the environment is passed through
# (RETELL_API_KEY, GATEWAY_ADDR, CALCOM_BASE_URL, SMS_PROVIDER, …); run.sh only fills in
# development defaults for what is unset:
#
#   RETELL_API_KEY    demo-retell-key
#   PII_KEYS, BLIND_INDEX_KEY
#                     random keys generated once into .dev/keys.env (git-ignored) and reused
#   CALCOM_BASE_URL   a local calsim on CALSIM_ADDR (default 127.0.0.1:9180), seeded with the
#                     demo tenant's Cal.com account (.dev/calsim-seed.json); set it to a real
#                     Cal.com and calsim is not started
#   <SERVICE>_OPS_ADDR  per-service ops listener (GATEWAY_OPS_ADDR …); default the service's
#                     own (:9100 gateway, :9101 routing, :9102 call, :9103 booking,
#                     :9104 database, :9105 calcom). A global OPS_ADDR is ignored here: six
#                     processes cannot share one port.
#   SMS_PROVIDER      log: confirmations are written to .dev/logs/booking.log (sms_logged), not
#                     sent; the service itself has no default and refuses to start without one
#   LOG_FORMAT        console; each service logs to .dev/logs/<service>.log
#   RUN_FOLLOW_LOGS   1 (default) follows the logs in this terminal once everything is up
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dev="$root/.dev"
logs="$dev/logs"

SERVICES=(database calcom routing call booking gateway)
declare -A DEFAULT_OPS=([gateway]=:9100 [routing]=:9101 [call]=:9102 [booking]=:9103 [database]=:9104 [calcom]=:9105)

log() { echo "run: $*"; }

appdb_url() {
  # The server URL names the maintenance database; the application gets its own, askpro.
  local base=${DATABASE_URL%%\?*} query=""
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  echo "${base%/*}/askpro$query"
}

# url_of ADDR: an http URL for a listen address (":8080" → http://127.0.0.1:8080).
url_of() {
  local addr=$1
  [[ $addr == :* ]] && addr="127.0.0.1$addr"
  [[ $addr == 0.0.0.0:* ]] && addr="127.0.0.1:${addr#0.0.0.0:}"
  echo "http://$addr"
}

port_of() { echo "${1##*:}"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

build() {
  mkdir -p bin
  log "building ${SERVICES[*]} calsim askpro into bin/"
  local s
  for s in "${SERVICES[@]}"; do
    (cd "services/$s" && GOWORK=off go build -o "$root/bin/$s" .)
  done
  (cd services/calcom && GOWORK=off go build -o "$root/bin/calsim" ./cmd/calsim)
  (cd services/database && GOWORK=off go build -o "$root/bin/askpro" ./cmd/askpro)
}

# dev_keys makes PII_KEYS and BLIND_INDEX_KEY available: from the environment, else from
# .dev/keys.env, generated once.
dev_keys() {
  if [ -n "${PII_KEYS:-}" ] && [ -n "${BLIND_INDEX_KEY:-}" ]; then return 0; fi
  if [ ! -f "$dev/keys.env" ]; then
    log "generating development PII keys into .dev/keys.env"
    umask 077
    {
      echo "# Development keys of make run (git-ignored). Losing them makes stored PII unreadable."
      echo "export PII_KEYS='dev1:$(head -c 32 /dev/urandom | base64)'"
      echo "export BLIND_INDEX_KEY='$(head -c 32 /dev/urandom | base64)'"
    } >"$dev/keys.env"
  fi
  # shellcheck disable=SC1091
  . "$dev/keys.env"
}

# http_ok URL: a GET answered 2xx. curl when installed, else bash's /dev/tcp (plain http only).
http_ok() {
  local url=$1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null
    return
  fi
  local rest=${url#http://} hostport path
  hostport=${rest%%/*}; path=/${rest#*/}
  [ "$rest" = "$hostport" ] && path=/
  timeout 2 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:} &&
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' '$path' '$hostport' >&3 &&
    read -r status <&3 && [[ \$status == HTTP/1.?\ 2* ]]" 2>/dev/null
}

# wait_ready NAME URL PID: polls URL until it answers 200, the process dies, or 60 s pass.
wait_ready() {
  local name=$1 url=$2 pid=$3 i
  for i in $(seq 1 300); do
    [ -n "$interrupted" ] && return 1
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start; last lines of .dev/logs/$name.log:"
      tail -n 20 "$logs/$name.log" | sed 's/^/    /'
      return 1
    fi
    if http_ok "$url"; then return 0; fi
    sleep 0.2
  done
  log "$name is not ready after 60s ($url); see .dev/logs/$name.log"
  return 1
}

pids=()
names=()
tail_pid=""
interrupted=""
stopped=""
stop_all() {
  [ -n "$stopped" ] && return 0
  stopped=1
  echo
  log "stopping ${names[*]}"
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null || true
  local i
  # Reverse start order: the gateway stops taking calls first, the database service last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do wait "${pids[$i]}" 2>/dev/null || true; done
  log "stopped"
}

# start NAME CMD…: runs a process with its output in .dev/logs/NAME.log, in its own session so
# that Ctrl-C reaches only this script, which then stops everything in order.
start() {
  local name=$1; shift
  setsid "$@" >>"$logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

run_all() {
  : "${REDIS_URL:?REDIS_URL is not set: run scripts/services.sh up (make run does)}"
  : "${DATABASE_URL:?DATABASE_URL is not set: run scripts/services.sh up (make run does)}"
  mkdir -p "$dev" "$logs"

  local server_url=$DATABASE_URL
  if [ -z "${ASKPRO_KEEP_DATABASE_URL:-}" ]; then
    if ! psql "$server_url" -XAtc "SELECT 1 FROM pg_database WHERE datname = 'askpro'" | grep -q 1; then
      psql "$server_url" -Xqc "CREATE DATABASE askpro" >/dev/null
    fi
    export DATABASE_URL=$(appdb_url)
  fi
  export RETELL_API_KEY=${RETELL_API_KEY:-demo-retell-key}
  export LOG_FORMAT=${LOG_FORMAT:-console}
  export SMS_PROVIDER=${SMS_PROVIDER:-log}
  export RPC_NAMESPACE=${RPC_NAMESPACE:-askpro}
  dev_keys
  export PII_KEYS BLIND_INDEX_KEY

  local gateway_addr=${GATEWAY_ADDR:-:8080}
  local calsim_addr=${CALSIM_ADDR:-127.0.0.1:9180}
  start_calsim=""
  if [ -z "${CALCOM_BASE_URL:-}" ]; then
    start_calsim=1
    export CALCOM_BASE_URL=$(url_of "$calsim_addr")
  fi

  # Refuse to start half a system on ports someone else holds.
  local s busy=""
  for s in "${SERVICES[@]}"; do
    local var=${s^^}_OPS_ADDR
    local ops=${!var:-${DEFAULT_OPS[$s]}}
    port_busy "$(port_of "$ops")" && busy="$busy $s ops $ops (set $var);"
  done
  port_busy "$(port_of "$gateway_addr")" && busy="$busy gateway $gateway_addr (set GATEWAY_ADDR);"
  [ -n "$start_calsim" ] && port_busy "$(port_of "$calsim_addr")" && busy="$busy calsim $calsim_addr (set CALSIM_ADDR);"
  if [ -n "$busy" ]; then
    log "ports in use:$busy stop what holds them or choose others"
    exit 1
  fi

  build
  log "migrating $(sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#' <<<"$DATABASE_URL")"
  bin/askpro migrate
  log "seeding the demo tenant"
  local seed_args=(seed demo --calsim-seed "$dev/calsim-seed.json" --env-file "$dev/demo.env")
  [ -n "${CALCOM_API_KEY:-}" ] && seed_args+=(--calcom-api-key "$CALCOM_API_KEY")
  bin/askpro "${seed_args[@]}" | sed 's/^/    /'

  trap 'interrupted=1' INT TERM
  : >"$logs/calsim.log"
  if [ -n "$start_calsim" ]; then
    start calsim bin/calsim -addr "$calsim_addr" -seed "$dev/calsim-seed.json"
    wait_ready calsim "$CALCOM_BASE_URL/_calsim/requests" "${pids[-1]}" || { stop_all; exit 1; }
  fi
  for s in "${SERVICES[@]}"; do
    local var=${s^^}_OPS_ADDR
    : >"$logs/$s.log"
    ( unset OPS_ADDR; export OPS_ADDR=${!var:-${DEFAULT_OPS[$s]}} POD_NAME="${s}-local"
      exec setsid "bin/$s" ) >>"$logs/$s.log" 2>&1 &
    pids+=($!)
    names+=("$s")
  done
  local i
  for ((i = 0; i < ${#names[@]}; i++)); do
    s=${names[$i]}
    [ "$s" = calsim ] && continue
    local var=${s^^}_OPS_ADDR
    wait_ready "$s" "$(url_of "${!var:-${DEFAULT_OPS[$s]}}")/ready" "${pids[$i]}" || { stop_all; exit 1; }
  done

  local gateway_url
  gateway_url=$(url_of "$gateway_addr")
  {
    echo "# Written by scripts/run.sh for \`make demo\`; the running system's addresses."
    echo "GATEWAY_URL=$gateway_url"
    echo "RETELL_API_KEY=$RETELL_API_KEY"
    echo "RPC_NAMESPACE=$RPC_NAMESPACE"
    echo "BOOKING_LOG=$logs/booking.log"
  } >"$dev/run.env"
  chmod 600 "$dev/run.env"
  banner "$gateway_url"

  if [ "${RUN_FOLLOW_LOGS:-1}" = 1 ]; then
    tail -q -n 0 -F "$logs"/{calsim,database,calcom,routing,call,booking,gateway}.log 2>/dev/null &
    tail_pid=$!
  fi
  # Wait until Ctrl-C (the trap sets the flag and interrupts wait) or until a process dies on
  # its own. The services run in their own sessions, so the terminal's SIGINT reaches only
  # this script.
  local rc=0
  wait -n "${pids[@]}" || rc=$?
  if [ -z "$interrupted" ]; then
    log "a process exited on its own (status $rc); see .dev/logs/"
    stop_all
    exit 1
  fi
  stop_all
  exit 0
}

banner() {
  local gateway_url=$1 key="(not saved: rerun bin/askpro seed demo --rotate-key --env-file .dev/demo.env)"
  if [ -f "$dev/demo.env" ]; then
    key=$(sed -n 's/^ASKPRO_DEMO_API_KEY=//p' "$dev/demo.env")
  fi
  local s ops=""
  for s in "${SERVICES[@]}"; do
    local var=${s^^}_OPS_ADDR
    ops="$ops $s ${!var:-${DEFAULT_OPS[$s]}},"
  done
  cat <<EOF

run: AskProAI is up: calsim and ${#SERVICES[@]} services, each its own process
  gateway       $gateway_url
                  Retell: POST /retell/inbound, /retell/webhook, /retell/functions/<name>
                  other teams: POST /rpc with X-API-Key
  Retell key    $RETELL_API_KEY  (RETELL_API_KEY: signs webhooks and function calls)
  demo tenant   Salon Haarmonie, Berlin: Mitte +493055571234, Prenzlauer Berg +493055571299
  API key       $key
  Cal.com       $CALCOM_BASE_URL$( [ -n "$start_calsim" ] && echo "  (calsim, seed .dev/calsim-seed.json)")
  ops          ${ops%,}  (/health /ready /metrics)
  logs          .dev/logs/<service>.log
  send a call   make demo            (in another terminal)
  try /rpc      curl -s $gateway_url/rpc -H 'X-API-Key: $key' \\
                  -d '{"jsonrpc":"2.0","id":1,"method":"database.branches.list","params":{}}'
  operate       bin/askpro streams status | dlq list --service booking | tenant list
Ctrl-C stops everything.

EOF
}

demo() {
  [ -f "$dev/run.env" ] || { echo "demo: nothing is running here (no .dev/run.env): start \`make run\` first" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$dev/run.env"
  [ -x bin/askpro ] || (cd services/database && GOWORK=off go build -o "$root/bin/askpro" ./cmd/askpro)
  : "${REDIS_URL:?REDIS_URL is not set: run scripts/services.sh up}"
  RPC_NAMESPACE=$RPC_NAMESPACE exec bin/askpro simulate-call --gateway "$GATEWAY_URL" \
    --retell-key "$RETELL_API_KEY" --booking-log "$BOOKING_LOG" "$@"
}

case "${1:-}" in
  appdb-url) appdb_url ;;
  demo) shift; demo "$@" ;;
  "") run_all ;;
  *) echo "usage: $0 [demo|appdb-url]" >&2; exit 2 ;;
esac
