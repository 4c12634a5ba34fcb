#!/usr/bin/env bash
# Instruction counts per operation under valgrind's cachegrind: steadier than
# time on a shared machine. Each benchmark runs twice with a fixed
# -benchtime (N and 2N iterations) in a fresh test binary; the difference
# divided by N is the cost of one operation, start-up and set-up cancelled.
# Prints each pair and the ratio sdk ÷ baseline.
#
#   scripts/cachegrind.sh            # every pair
#   N=500 scripts/cachegrind.sh Sign # one benchmark, fewer iterations
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install -y valgrind)" >&2; exit 1; }

N=${N:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/iimmpact.test" .

# Benchmarks and their iteration counts: (name N); each has impl=baseline and impl=sdk.
benches=(
	"Sign $((N * 20))"
	"BalanceRoundTrip $N"
	"CallbackDuplicate $((N * 5))"
	"CallbackNew $((N * 5))"
	"AllTransactions $((N / 100 + 1))"
)
if [ $# -gt 0 ]; then
	want=" $* "
	keep=()
	for b in "${benches[@]}"; do
		case "$want" in *" ${b%% *} "*) keep+=("$b") ;; esac
	done
	benches=("${keep[@]}")
fi

# irefs BINARY BENCH SUB N prints the instructions of one run.
irefs() {
	GOGC=100 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "^Benchmark$2\$/^$3\$" \
		-test.benchtime "$4x" -test.cpu 1 2>&1 >/dev/null | awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}

# perop BINARY BENCH SUB N prints the instructions of one operation.
perop() {
	local a b
	a=$(irefs "$1" "$2" "$3" "$4")
	b=$(irefs "$1" "$2" "$3" $(($4 * 2)))
	echo $(((b - a) / $4))
}

printf '%-20s %14s %14s %8s\n' benchmark baseline sdk ratio
for entry in "${benches[@]}"; do
	read -r name n <<<"$entry"
	base=$(perop "$dir/iimmpact.test" "$name" impl=baseline "$n")
	sdk=$(perop "$dir/iimmpact.test" "$name" impl=sdk "$n")
	printf '%-20s %14d %14d %8s\n' "$name" "$base" "$sdk" "$(awk -v a="$sdk" -v b="$base" 'BEGIN { printf "%.3f×", a / b }')"
done

# The fake's history: one page of 100 at each total, which should not grow
# with the total (skipped when only some benchmarks were asked for).
if [ $# -eq 0 ]; then
	go test -c -o "$dir/iimmpacttest.test" ./iimmpacttest
	echo
	printf '%-20s %14s %14s %14s\n' benchmark rows=1000 rows=10000 rows=100000
	counts=()
	for rows in 1000 10000 100000; do
		counts+=("$(perop "$dir/iimmpacttest.test" HistoryPage "rows=$rows" $((N / 5)))")
	done
	printf '%-20s %14d %14d %14d\n' HistoryPage "${counts[@]}"
fi
