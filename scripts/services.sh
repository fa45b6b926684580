#!/usr/bin/env bash
# Makes Redis >= 7 and PostgreSQL >= 15 available and prints the URLs to use.
#
#   scripts/services.sh up     find or start them; writes .dev/env (export lines) and prints it
#   scripts/services.sh down   stop the private instances this script started
#   scripts/services.sh env    print .dev/env
#
# Order of preference for each server:
#   1. REDIS_URL / DATABASE_URL from the environment, if they answer;
#   2. the standard local ports (127.0.0.1:6379; 127.0.0.1:5432 as user postgres);
#   3. private instances in .dev/ on free ports, if the server binaries are installed;
#   4. the same after `apt-get install -y redis-server postgresql`.
# It is idempotent: a second `up` reuses what the first one found or started.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dev="$root/.dev"
envfile="$dev/env"
mkdir -p "$dev"

log() { echo "services: $*" >&2; }

# ---------------------------------------------------------------- probes

# redis_probe URL: succeeds when the server answers PING and is version 7 or newer.
redis_probe() {
  local url=$1 out ver
  if command -v redis-cli >/dev/null 2>&1; then
    out=$(timeout 3 redis-cli -u "$url" --no-auth-warning INFO server 2>/dev/null) || return 1
    ver=$(printf '%s\n' "$out" | tr -d '\r' | awk -F: '/^redis_version:/{print $2}')
    [ -n "$ver" ] || return 1
    [ "${ver%%.*}" -ge 7 ] || { log "Redis at $(redact "$url") is $ver, need >= 7"; return 1; }
    return 0
  fi
  # No redis-cli: a bare PING over bash's /dev/tcp, for password-less local servers only.
  local hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  [ "$host" = "$port" ] && port=6379
  timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && read -r -t 2 line <&3 && [[ \$line == +PONG* ]]" 2>/dev/null
}

# pg_probe URL: succeeds when the server answers and is version 15 or newer.
pg_probe() {
  local url=$1 num
  command -v psql >/dev/null 2>&1 || return 1
  num=$(PGCONNECT_TIMEOUT=3 timeout 5 psql "$url" -XAtc 'SHOW server_version_num' 2>/dev/null) || return 1
  [ -n "$num" ] || return 1
  [ "$num" -ge 150000 ] || { log "PostgreSQL at $(redact "$url") is $num, need >= 150000"; return 1; }
}

redact() { sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#' <<<"$1"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}

# ---------------------------------------------------------------- installs

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "cannot install $*: no apt-get on this machine"; return 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    $sudo apt-get update -qq >/dev/null
    apt_updated=1
  fi
  log "apt-get install -y $*"
  # Debian's packages try to start their own servers; in a container that fails harmlessly.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

pg_bindir() {
  local d
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    d=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    echo "$d"; return 0
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------- private instances

start_redis() {
  local dir="$dev/redis" port
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$dir"
  if [ -f "$dir/port" ] && redis_probe "redis://127.0.0.1:$(cat "$dir/port")/0"; then
    echo "redis://127.0.0.1:$(cat "$dir/port")/0"; return 0
  fi
  port=$(free_port 6390)
  log "starting a private Redis on 127.0.0.1:$port (data in .dev/redis)"
  # AOF everysec, like production; no RDB snapshots.
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --appendonly yes --appendfsync everysec --save "" --maxclients 10000 >/dev/null
  echo "$port" >"$dir/port"
  local i
  for i in $(seq 1 50); do
    redis_probe "redis://127.0.0.1:$port/0" && { echo "redis://127.0.0.1:$port/0"; return 0; }
    sleep 0.1
  done
  log "Redis did not start; see .dev/redis/redis.log"; return 1
}

# run_as_pg runs a command as the postgres user when we are root, because PostgreSQL refuses to
# run as root.
run_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    ensure_pg_user
    # From /, because postgres may not be allowed into the current directory.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

ensure_pg_user() {
  id postgres >/dev/null 2>&1 ||
    useradd --system --home-dir /var/lib/postgresql --no-create-home --shell /usr/sbin/nologin postgres
}

# pg_dir prints the directory that holds the private PostgreSQL's data, socket, log and port
# file. Normally that is .dev/pg. As root the server runs as the postgres user, who may not be
# able to enter the clone (a mktemp -d folder or /root, both mode 0700); then the data lives in
# /var/lib/askpro-dev/pg-<hash of the clone's absolute path>, owned by postgres, mode 0700, so two
# clones never share one. The choice is recorded in .dev/pg-dir, which `down` and the next `up`
# read.
pg_dir() {
  local dir="$dev/pg" hash
  if [ -f "$dev/pg-dir" ]; then
    cat "$dev/pg-dir"; return 0
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    ensure_pg_user
    chown postgres "$dir"
    if ! runuser -u postgres -- test -x "$dir" -a -w "$dir" 2>/dev/null; then
      hash=$(printf '%s' "$root" | sha256sum | cut -c1-16)
      dir="/var/lib/askpro-dev/pg-$hash"
      install -d -m 0755 -o root -g root /var/lib/askpro-dev
      install -d -m 0700 -o postgres "$dir"
      log "user postgres cannot enter $dev/pg; PostgreSQL keeps its data in $dir"
    fi
  fi
  echo "$dir" >"$dev/pg-dir"
  echo "$dir"
}

start_postgres() {
  local dir bin port
  bin=$(pg_bindir) || { apt_install postgresql; bin=$(pg_bindir); }
  local ver
  ver=$("$bin/postgres" --version | awk '{print $3}')
  [ "${ver%%.*}" -ge 15 ] || { log "installed PostgreSQL is $ver, need >= 15"; return 1; }
  dir=$(pg_dir)
  if [ "$(id -u)" -eq 0 ]; then
    install -d -m 0700 -o postgres "$dir"
  else
    mkdir -p "$dir"
  fi
  if [ -f "$dir/port" ]; then
    port=$(cat "$dir/port")
    if pg_probe "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"; then
      echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"; return 0
    fi
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initdb in $dir/data"
    run_as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  port=$(free_port 5440)
  log "starting a private PostgreSQL $ver on 127.0.0.1:$port (data in $dir)"
  # fsync off: this instance holds throw-away development and test data only.
  run_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  echo "$port" >"$dir/port"
  local url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  pg_probe "$url" || { log "PostgreSQL did not answer; see $dir/postgres.log"; return 1; }
  echo "$url"
}

# ---------------------------------------------------------------- commands

up() {
  local redis_url="" db_url=""
  if [ -n "${REDIS_URL:-}" ] && redis_probe "$REDIS_URL"; then
    redis_url=$REDIS_URL; log "using REDIS_URL"
  elif redis_probe "redis://127.0.0.1:6379/0"; then
    redis_url="redis://127.0.0.1:6379/0"; log "using Redis on 127.0.0.1:6379"
  else
    [ -n "${REDIS_URL:-}" ] && log "REDIS_URL does not answer; falling back"
    redis_url=$(start_redis)
  fi
  if [ -n "${DATABASE_URL:-}" ] && pg_probe "$DATABASE_URL"; then
    db_url=$DATABASE_URL; log "using DATABASE_URL"
  elif command -v psql >/dev/null 2>&1 && pg_probe "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"; then
    db_url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"; log "using PostgreSQL on 127.0.0.1:5432"
  else
    [ -n "${DATABASE_URL:-}" ] && log "DATABASE_URL does not answer; falling back"
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
    db_url=$(start_postgres)
  fi
  {
    echo "export REDIS_URL='$redis_url'"
    echo "export DATABASE_URL='$db_url'"
  } >"$envfile"
  cat "$envfile"
}

down() {
  local bin
  if [ -f "$dev/redis/redis.pid" ]; then
    log "stopping the private Redis"
    kill "$(cat "$dev/redis/redis.pid")" 2>/dev/null || true
    rm -f "$dev/redis/redis.pid" "$dev/redis/port"
  fi
  local pgdir="$dev/pg"
  [ -f "$dev/pg-dir" ] && pgdir=$(cat "$dev/pg-dir")
  if [ -f "$pgdir/data/postmaster.pid" ] && bin=$(pg_bindir); then
    log "stopping the private PostgreSQL"
    run_as_pg "$bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null || true
    rm -f "$pgdir/port"
  fi
  rm -f "$envfile"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  env) cat "$envfile" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
