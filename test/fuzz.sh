#!/usr/bin/env bash
# Run every fuzz target of the project for a bounded time each
# (FUZZTIME, default 15s). Malformed input must give an error, never a
# panic; a failure leaves the crashing input under testdata/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-15s}
grep -rl --include='*_test.go' '^func Fuzz' hook compiler internal bpf 2>/dev/null | sort | while read -r file; do
	pkg=./$(dirname "$file")
	for target in $(sed -nE 's/^func (Fuzz[A-Za-z0-9_]+)\(.*/\1/p' "$file"); do
		echo "fuzz $pkg $target for $fuzztime"
		go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"
	done
done
