#!/usr/bin/env bash
# mutants.sh - every broken core of fixtures/mutants/ must be caught, by name.
#
# For each line of fixtures/mutants/MANIFEST: copy the tree (as checked out,
# with uncommitted changes, without build/) to a scratch directory, apply the
# patch, build rollcall there, run `rollcall sim ARGS --seed 1 --seeds N`,
# and require the expected invariant among the violations found. The same
# runs on the unbroken tree must never report that invariant, so a catch is
# the mutant's doing and not a background failure. Exit 1 if any mutant goes
# uncaught (or is caught only by another invariant).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
manifest=$root/fixtures/mutants/MANIFEST
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
jobs=${MUTANT_JOBS:-2}

copy_tree() { # copy_tree DEST
	mkdir -p "$1"
	(cd "$root" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
		xargs -0 cp --parents -t "$1")
}

build() { # build DIR -> log in DIR/build.log
	make -C "$1" -j"$jobs" --no-print-directory build/bin/rollcall >"$1/build.log" 2>&1
}

# run_seeds DIR SEEDS ARGS... -> the "first <invariant>" names, one per failing seed
run_seeds() {
	local dir=$1 seeds=$2
	shift 2
	(cd "$dir" && build/bin/rollcall sim "$@" --seed 1 --seeds "$seeds") | grep -o ' first [a-z-]*' | awk '{print $2}'
}

status=0
declare -A baseline
while read -r patch expected seeds args; do
	[[ -z "$patch" || "$patch" == \#* ]] && continue
	key="$seeds $args"
	if [[ -z "${baseline[$key]+x}" ]]; then
		base=$scratch/baseline
		[ -d "$base" ] || { copy_tree "$base" && build "$base"; } || { echo "mutants: the unbroken tree does not build" >&2; exit 1; }
		# shellcheck disable=SC2086
		baseline[$key]=$(run_seeds "$base" "$seeds" $args | sort | uniq -c | tr '\n' ';')
	fi
	dir=$scratch/${patch%.patch}
	copy_tree "$dir"
	if ! patch -s -d "$dir" -p1 <"$root/fixtures/mutants/$patch"; then
		echo "FAIL  $patch: does not apply to the current tree (regenerate it)"
		status=1
		continue
	fi
	if ! build "$dir"; then
		echo "FAIL  $patch: does not build"
		tail -5 "$dir/build.log"
		status=1
		continue
	fi
	# shellcheck disable=SC2086
	found=$(run_seeds "$dir" "$seeds" $args | sort | uniq -c | tr '\n' ';')
	if grep -q " $expected;" <<<"$found"; then
		echo "PASS  $patch: caught by $expected (first violations per failing seed: ${found//  / })"
	else
		echo "FAIL  $patch: not caught by $expected in $seeds seeds (found: ${found:-nothing})"
		status=1
	fi
	if grep -q " $expected;" <<<"${baseline[$key]}"; then
		echo "FAIL  $patch: the unbroken core also reports $expected with these runs (${baseline[$key]})"
		status=1
	fi
	rm -rf "$dir"
done <"$manifest"
echo "mutants: baseline (unbroken core) first violations: ${baseline[*]:-none}"
exit $status
