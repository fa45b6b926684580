#!/usr/bin/env bash
# make bench: runs the benchmarks every issue names, on the Redis and PostgreSQL of
# scripts/services.sh, and prints one summary table. Each figure is what that benchmark
# printed; its full output is in .dev/bench/<name>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/.dev/bench"
mkdir -p "$out"
cd "$root"

run() { # name dir command...
  local name=$1 dir=$2; shift 2
  echo "bench: $name" >&2
  (cd "$dir" && GOWORK=off "$@") >"$out/$name.txt" 2>&1 || { echo "bench: $name failed, see $out/$name.txt" >&2; return 1; }
}
field() { # file regexp-of-line awk-field-name → value after name=
  grep -E "$2" "$1" | tail -1 | tr ' \t' '\n\n' | grep -E "^$3=" | head -1 | cut -d= -f2
}
unit() { # file benchmark-name unit → the number before that unit on the benchmark's line
  grep -E "^$2" "$1" | tail -1 | awk -v u="$3" '{for (i=2; i<=NF; i++) if ($i == u) print $(i-1)}'
}

run rpc pkg go run ./rpc/cmd/rpcbench
run intent services/routing go test -run '^$' -bench '^BenchmarkAnalyzeIntent$' -benchtime 3s ./internal/routing
run booking services/booking go test -run '^$' -bench '^BenchmarkCreateOverBus$' -benchtime 2000x .
run webhook services/gateway go run ./cmd/webhookbench -rate 500 -duration 10s
run callsave services/call go test -run '^$' -bench '^BenchmarkSaveThroughBus$' -benchtime 3s .
run hotreads services/database go test -run '^$' -bench '^BenchmarkHotReads$' -benchtime 2s ./internal/database

r="$out/rpc.txt"; i="$out/intent.txt"; b="$out/booking.txt"; w="$out/webhook.txt"; c="$out/callsave.txt"
printf '\n%-34s %-28s %s\n' "benchmark" "figure" "target"
printf '%-34s %-28s %s\n' "----------------------------------" "----------------------------" "----------------------------"
printf '%-34s %-28s %s\n' "rpc c64 throughput vs PING" "$(field "$r" '^rpc-bench:' ratio_c64) × ($(field "$r" '^rpc-bench:' c64_rpc_per_s)/s)" ">= 0.30 x PING"
printf '%-34s %-28s %s\n' "rpc c1 p50 vs PING p50" "$(field "$r" '^rpc-bench:' c1_p50_us) µs vs $(field "$r" '^rpc-bench:' c1_ping_p50_us) µs" "<= 3.5 x PING"
printf '%-34s %-28s %s\n' "analyzeIntent p99" "$(unit "$i" BenchmarkAnalyzeIntent p99-ns) ns" "< 1 ms"
printf '%-34s %-28s %s\n' "booking.create over the bus" "$(unit "$b" BenchmarkCreateOverBus bookings/s)/s, p95 $(unit "$b" BenchmarkCreateOverBus p95_ms) ms" "(reported)"
printf '%-34s %-28s %s\n' "webhook 204 at 500/s" "p99 $(field "$w" '^webhook-bench:' p99_ms) ms" "p99 < 10 ms"
printf '%-34s %-28s %s\n' "call.save through the bus" "$(grep -E '^BenchmarkSaveThroughBus/call_ended' "$c" | awk '{for (i=2;i<=NF;i++) if ($i=="saves/s") print $(i-1)}')/s (call_ended)" "(reported)"
printf '%-34s %-28s %s\n' "hot reads (database)" "see $out/hotreads.txt" "(reported)"
