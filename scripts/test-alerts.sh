#!/usr/bin/env bash
# Checks the alerting: the Prometheus rules and their unit tests (promtool; with them, in
# deploy/prometheus/tests/analysis.yml, the canary analysis queries of the Rollouts), the Alertmanager
# configuration and where each kind of alert is routed (amtool). Installs the pinned tools first
# (scripts/tools.sh). Part of `make test`; alone: `make test-alerts`. Takes a few seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { echo "test-alerts: $*" >&2; }

eval "$(scripts/tools.sh env)"
am_config=deploy/alertmanager/alertmanager.yml

log "promtool check rules"
"$PROMTOOL" check rules deploy/prometheus/rules/*.yml
log "promtool check config (deploy/prometheus/prometheus.yml)"
"$PROMTOOL" check config --syntax-only deploy/prometheus/prometheus.yml
log "promtool test rules"
"$PROMTOOL" test rules deploy/prometheus/tests/*.yml
log "amtool check-config"
"$AMTOOL" check-config "$am_config"

log "amtool config routes test (deploy/alertmanager/routes-test.txt)"
failed=0 cases=0
while read -r want labels; do
  case "$want" in ''|'#'*) continue ;; esac
  cases=$((cases + 1))
  # shellcheck disable=SC2086 # labels are one word each
  rc=0
  out=$("$AMTOOL" config routes test --config.file="$am_config" --verify.receivers="$want" $labels 2>/dev/null) || rc=$?
  got=${out%%$'\n'*} # the receivers; a mismatch adds a WARNING line
  if [ "$rc" -eq 0 ]; then
    echo "  ok    $labels -> $got"
  else
    echo "  FAIL  $labels -> $got, want $want"
    failed=$((failed + 1))
  fi
done <deploy/alertmanager/routes-test.txt
[ "$cases" -gt 0 ] || { log "no route cases in deploy/alertmanager/routes-test.txt"; exit 1; }
if [ "$failed" -gt 0 ]; then
  log "FAIL: $failed of $cases route cases reach the wrong receivers"
  exit 1
fi
log "PASS"
