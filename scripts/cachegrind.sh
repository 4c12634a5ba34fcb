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

# irefs BENCH IMPL N prints the instructions of one run.
irefs() {
	GOGC=100 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$dir/iimmpact.test" -test.run '^$' -test.bench "^Benchmark$1\$/^impl=$2\$" \
		-test.benchtime "$3x" -test.cpu 1 2>&1 >/dev/null | awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}

perop() {
	local a b
	a=$(irefs "$1" "$2" "$3")
	b=$(irefs "$1" "$2" $(($3 * 2)))
	echo $(((b - a) / $3))
}

printf '%-20s %14s %14s %8s\n' benchmark baseline sdk ratio
for entry in "${benches[@]}"; do
	read -r name n <<<"$entry"
	base=$(perop "$name" baseline "$n")
	sdk=$(perop "$name" sdk "$n")
	printf '%-20s %14d %14d %8s\n' "$name" "$base" "$sdk" "$(awk -v a="$sdk" -v b="$base" 'BEGIN { printf "%.3f×", a / b }')"
done
