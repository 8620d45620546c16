#!/usr/bin/env bash
# item-coverage.sh - the reference code each checklist item exercises.
#
# For every item that names scenarios or unit tests, zero the coverage
# counters of the coverage build, run just that item's evidence (its
# scenarios over a few seeds, its unit suites or tests, its integration
# tests), and keep gcovr's
# JSON report of reference/ as $COV_BUILD/items/CHECKLIST/N.json, which
# `rollcall report checklists --coverage-dir` turns into "files, functions and
# lines exercised" under the item.
#
# It needs the coverage build of ci/coverage.sh and destroys its counters, so
# `make run` calls it after the whole-library coverage report is written. It
# is too slow for `make check` (one gcovr run per item, about a second each).
#
# Usage: ci/item-coverage.sh [CHECKLIST.md|DIR]...   (default: fixtures/checklists)
# Environment: COV_BUILD (build/coverage), ITEM_SEEDS (1-10).
# Exit: 0, or 1 if the coverage build is missing or gcovr fails.
set -u
cd "$(dirname "$0")/.."
build=${COV_BUILD:-build/coverage}
seeds=${ITEM_SEEDS:-1-10}
items_dir=$build/items
rollcall=$build/bin/rollcall
unit=$build/bin/unit-tests

[ -x "$rollcall" ] && [ -x "$unit" ] || { echo "item-coverage: no coverage build in $build (run make coverage)"; exit 1; }
has_gate=0
"$rollcall" run --help > /dev/null 2>&1 && has_gate=1

list=$(mktemp)
trap 'rm -f "$list"' EXIT
build/bin/rollcall report items "$@" > "$list" || exit 1
rm -rf "$items_dir"

# Run the evidence of one item (its lines of the list) and keep gcovr's JSON.
measure() { # CHECKLIST N LINES
	local checklist=$1 n=$2 lines=$3 scenarios=() kind name test
	find "$build" -name '*.gcda' -delete
	while IFS=$'\t' read -r _ _ kind name test; do
		case $kind in
		scenario) [ -f "scenarios/$name.scn" ] && scenarios+=("scenarios/$name.scn") ;;
		unit) if [ -n "$test" ]; then "$unit" "$name" "$test"; else "$unit" "$name"; fi < /dev/null > /dev/null 2>&1 ;;
		integration) RC_BIN=$PWD/$build/bin bash tests/integration/run.sh "$name" < /dev/null > /dev/null 2>&1 ;;
		esac
	done <<< "$lines"
	if [ ${#scenarios[@]} -gt 0 ] && [ $has_gate = 1 ]; then
		"$rollcall" run --seeds "$seeds" "${scenarios[@]}" < /dev/null > /dev/null 2>&1
	fi
	mkdir -p "$items_dir/$checklist"
	gcovr -r . "$build/obj/reference" --filter 'reference/' --json "$items_dir/$checklist/$n.json" < /dev/null > /dev/null 2>&1
}

count=0
start=$(date +%s)
while IFS=$'\t' read -r checklist n; do
	measure "$checklist" "$n" "$(awk -F'\t' -v c="$checklist" -v n="$n" '$1 == c && $2 == n' "$list")" \
		|| { echo "item-coverage: gcovr failed for $checklist item $n"; exit 1; }
	count=$((count + 1))
done < <(cut -f1,2 "$list" | uniq)
echo "item-coverage: $count items measured one by one (scenarios over seeds $seeds) in $(( $(date +%s) - start )) s -> $items_dir"
[ $has_gate = 1 ] || echo "item-coverage: no scenario gate in this build: items show the code of their unit tests only"
