#!/usr/bin/env bash
# The README's performance table, reproducible: every benchmark beside its
# floor (impl=baseline) in the same run, -count 10 at -cpu 1, summarised
# by benchstat (medians, confidence intervals, sdk vs baseline), the time
# ratio of Sign and BalanceRoundTrip measured interleaved (impl=interleaved:
# the two alternate in one loop, so the machine's noise hits both alike),
# then the same pairs as instruction counts under cachegrind
# (scripts/cachegrind.sh).
#
#   scripts/bench.sh              # writes bench.txt in the repository root
#   COUNT=3 CACHEGRIND=0 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10}
out=${OUT:-bench.txt}

benchstat() {
	if command -v benchstat >/dev/null; then
		command benchstat "$@"
	elif [ -x "$(go env GOPATH)/bin/benchstat" ]; then
		"$(go env GOPATH)/bin/benchstat" "$@"
	else
		go run golang.org/x/perf/cmd/benchstat@latest "$@"
	fi
}

go test -run '^$' -bench '^Benchmark(Sign|BalanceRoundTrip|CallbackDuplicate|CallbackNew|AllTransactions)$' \
	-benchmem -count "$COUNT" -cpu 1 . | tee "$out"
# Each op of CatalogHeap is a fresh child process: one per sample.
go test -run '^$' -bench '^BenchmarkCatalogHeap$' -benchtime 1x -count "$COUNT" -cpu 1 . | tee -a "$out"
go test -run '^$' -bench '^BenchmarkHistoryPage$' -benchmem -count "$COUNT" -cpu 1 ./iimmpacttest | tee -a "$out"

echo
echo "== benchstat: sdk against baseline, per benchmark =="
benchstat -col '/impl@(baseline sdk)' "$out"
echo
echo "== interleaved: sdk ÷ baseline time, the two alternating in one loop =="
benchstat -filter '/impl:interleaved' "$out"
echo
echo "== iimmpacttest history: one page of 100, by total rows =="
benchstat -filter '.name:HistoryPage' -col /rows "$out"

if [ "${CACHEGRIND:-1}" != 0 ]; then
	echo
	echo "== cachegrind: instructions per op =="
	scripts/cachegrind.sh
fi
