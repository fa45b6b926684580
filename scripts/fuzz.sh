#!/usr/bin/env bash
# make fuzz: a short fuzz run of every target below, on the Redis of scripts/services.sh.
#
# Each target runs a fixed number of executions, not a duration: with a -fuzztime duration,
# Go 1.26's fuzz coordinator can fail a run that found nothing with a bare "context deadline
# exceeded" as the deadline passes (golang/go#75804, fixed in Go 1.27). A count has no deadline
# to race. FUZZTIME overrides every budget, e.g. FUZZTIME=2m for a long local run.
#
# On a failure it prints the end of the output and every failing input the fuzzer wrote, so the
# CI log alone is enough to reproduce it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# module package function budget (about five seconds each on the 2-core CI machine)
targets=(
	"pkg ./rpc FuzzDecodeBody 60000x"
	"services/gateway ./internal/gateway FuzzWebhookHandler 50000x"
	"services/gateway ./internal/gateway FuzzFunctionHandler 50000x"
	"pkg ./retell FuzzVerify 300000x"
	"services/routing ./internal/routing FuzzAnalyzeIntent 60000x"
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
	read -r mod pkg fn budget <<<"$t"
	budget=${FUZZTIME:-$budget}
	echo "== fuzz $fn ($budget)"
	start=$SECONDS
	if (cd "$root/$mod" && GOWORK=off go test -run '^$' -fuzz "^$fn\$" -fuzztime "$budget" \
		-fuzzminimizetime 1s "$pkg") >"$log" 2>&1; then
		echo "$(grep -E '^fuzz: elapsed' "$log" | tail -1) in $((SECONDS - start)) s"
		tail -1 "$log"
		continue
	fi
	tail -80 "$log"
	sed -n 's/.*Failing input written to \(testdata[^ ]*\).*/\1/p' "$log" | while read -r f; do
		echo "== failing input $mod/$pkg/$f"
		cat "$root/$mod/$pkg/$f"
	done
	exit 1
done
