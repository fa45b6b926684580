#!/usr/bin/env bash
# Runs `make test` while a CPU hog keeps every core busy, to show the suite does not depend on
# a quiet machine. Installs stress-ng from the distribution's packages when it is missing.
#
#   scripts/test-stress.sh            hog with one stress-ng worker per core (nproc)
#   STRESS_WORKERS=4 scripts/test-stress.sh
#
# The hog is stopped however the run ends. Prints the wall time and PASS or FAIL; the exit code
# is make test's.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { echo "test-stress: $*" >&2; }

if ! command -v stress-ng >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { log "stress-ng is missing and there is no apt-get; install stress-ng"; exit 1; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "apt-get update"
  $sudo apt-get update -qq >/dev/null
  log "apt-get install -y stress-ng"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq stress-ng >/dev/null
fi

workers=${STRESS_WORKERS:-$(nproc)}
hog=""
stop_hog() {
  if [ -n "$hog" ] && kill -0 "$hog" 2>/dev/null; then
    kill -TERM "$hog" 2>/dev/null || true
    wait "$hog" 2>/dev/null || true
  fi
}
trap stop_hog EXIT
trap 'exit 130' INT TERM

log "starting stress-ng --cpu $workers"
stress-ng --cpu "$workers" --timeout 0 --quiet &
hog=$!

start=$(date +%s)
rc=0
make test || rc=$?
secs=$(( $(date +%s) - start ))
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
if [ "$rc" -eq 0 ]; then verdict=PASS; else verdict=FAIL; fi
log "$verdict: make test under stress-ng --cpu $workers took $((secs / 60))m$((secs % 60))s (load average $load)"
exit "$rc"
