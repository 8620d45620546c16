#!/usr/bin/env bash
# mutants.sh - the mutation self-check: every broken core of fixtures/mutants/
# must be caught, by the scenario gate or by exploration.
#
# For each line of fixtures/mutants/MANIFEST (patch, expected catchers, seeds,
# rollcall explore arguments):
#   1. copy the tree to build/mutants/NAME with the reference's objects and
#      their timestamps, apply the patch, and let make rebuild only what the
#      patch touches (a core file: one object and a link);
#   2. the gate: `rollcall run scenarios/` - every failing scenario is a catch;
#   3. exploration: `rollcall explore ARGS --max-failures 1` over the seeds;
#      a failing seed counts only if the unbroken core passes the very
#      scenario it saved (else exploration goes on after that seed), so a
#      catch is the mutant's doing, not a bug the reference has too;
#   4. the saved failure must replay byte for byte (rollcall replay TRACE);
#   5. with --shrink: shrink that failure (the exploration's, else the first
#      failing gate scenario) twice - the outputs must be byte-identical -
#      and the result must fail on the mutant the same way and pass on the
#      unbroken core; its size and the time it took are reported.
# Prints a table (mutant, caught by, seeds and wall time to detect) and exits
# 1 when a mutant goes uncaught, is not caught by one of its expected
# catchers, or (with --shrink) its shrunk scenario misbehaves.
#
#   ci/mutants.sh [--shrink] [NAME...]     MUTANT_JOBS=2 mutants at a time
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD:-build}
ref=$root/$build/bin/rollcall
manifest=$root/fixtures/mutants/MANIFEST
scratch=$root/$build/mutants
jobs=${MUTANT_JOBS:-2}
shrink=0
if [ "${1:-}" = "--shrink" ]; then
	shrink=1
	shift
fi
only=("$@")

[ -x "$ref" ] || { echo "mutants: build the reference first ($ref)" >&2; exit 2; }
build_id=$(sed -n 's/.*RC_BUILD_ID "\(.*\)"/\1/p' "$build/gen/build_id.h")
rm -rf "$scratch"
mkdir -p "$scratch"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# The sources as checked out (uncommitted changes too) and the reference's
# objects, timestamps kept, so make rebuilds only what the patch changes.
copy_tree() { # DEST
	mkdir -p "$1/$build"
	git ls-files -co --exclude-standard -z | grep -zv "^$build/" | grep -zv '^reports/' |
		xargs -0 cp -a --parents -t "$1"
	cp -a "$build/obj" "$build/lib" "$build/gen" "$1/$build/"
}

# The first failure of an exploration whose scenario the unbroken core passes:
# prints "seed<TAB>what<TAB>seeds run<TAB>wall<TAB>saved scenario", or nothing.
explore_mutant() { # DIR SEEDS ARGS...
	local dir=$1 last=$2 first=1 out line seed what count wall file total=0 t0
	shift 2
	t0=$(now)
	while [ "$first" -le "$last" ]; do
		# shellcheck disable=SC2068
		out=$(cd "$dir" && build/bin/rollcall explore "$@" --seeds "$first-$last" --max-failures 1 \
			--out "$dir/failures" --no-progress 2>&1)
		line=$(grep '^first failure: ' <<<"$out")
		[ -n "$line" ] || return 0
		seed=$(sed 's/^first failure: seed \([0-9]*\) .*/\1/' <<<"$line")
		what=$(sed 's/^first failure: seed [0-9]* (\(.*\)) after .*/\1/' <<<"$line")
		count=$(sed 's/.* after \([0-9]*\) seeds in .*/\1/' <<<"$line")
		file=$(sed 's/.* s: //' <<<"$line")
		total=$((total + count))
		if (cd "$dir" && "$ref" run "$file" >/dev/null 2>&1); then
			wall=$(elapsed "$t0")
			printf '%s\t%s\t%s\t%s\t%s\n' "$seed" "${what#invariant }" "$total" "$wall" "$file"
			return 0
		fi
		first=$((seed + 1)) # the unbroken core fails this seed too: not this mutant's doing
	done
}

# Shrink FILE twice; check determinism, the mutant, the reference. Prints
# "statements<TAB>lines<TAB>seconds<TAB>verdict".
shrink_failure() { # DIR FILE
	local dir=$1 file=$2 t0 wall verdict=ok want got
	t0=$(now)
	(cd "$dir" && build/bin/rollcall shrink "$file" --reference "$ref" -o "$dir/min.scn" >"$dir/shrink.log" 2>&1) || verdict="shrink-failed"
	wall=$(elapsed "$t0")
	(cd "$dir" && build/bin/rollcall shrink "$file" --reference "$ref" -o "$dir/min2.scn" >/dev/null 2>&1)
	if [ "$verdict" = ok ]; then
		# the comment says how long it took: compare the scenarios only
		cmp -s <(grep -v '^#' "$dir/min.scn") <(grep -v '^#' "$dir/min2.scn") || verdict="not-deterministic"
		want=$(grep -m1 '^# Fails at ' "$dir/min.scn" | sed 's/^# Fails at [^:]*: //')
		got=$(cd "$dir" && build/bin/rollcall run "$dir/min.scn" 2>&1 | grep -m1 -E '^ +\S+:[0-9]*:? ' || true)
		(cd "$dir" && build/bin/rollcall run "$dir/min.scn" >/dev/null 2>&1) && verdict="passes-on-mutant"
		"$ref" run "$dir/min.scn" >/dev/null 2>&1 || verdict="fails-on-reference"
		[ -n "$want" ] && ! grep -qF -- "${want#invariant }" <<<"$got" && [ "$verdict" = ok ] && verdict="fails-otherwise"
	fi
	printf '%s\t%s\t%s\t%s\n' "$(grep -cv '^#\|^$' "$dir/min.scn" 2>/dev/null || echo 0)" \
		"$(grep -cv '^$' "$dir/min.scn" 2>/dev/null || echo 0)" "$wall" "$verdict"
}

# One mutant; writes its table row to $scratch/NAME.row.
run_mutant() { # NAME PATCH EXPECTED SEEDS ARGS...
	local name=$1 patch=$2 expected=$3 seeds=$4 dir=$scratch/$1 gate="" ex="" caught=""
	shift 4
	local row=$scratch/$name.row
	copy_tree "$dir"
	if ! patch -s -d "$dir" -p1 <"$root/fixtures/mutants/$patch" >"$dir/patch.log" 2>&1; then
		printf '%s\tFAIL\tthe patch does not apply (regenerate it)\n' "$name" >"$row"
		return
	fi
	if ! make -C "$dir" -j1 --no-print-directory BUILD_ID="$build_id" LTO=-fno-lto "$build/bin/rollcall" >"$dir/build.log" 2>&1; then
		printf '%s\tFAIL\tdoes not build (%s)\n' "$name" "$(grep -m1 error "$dir/build.log")" >"$row"
		return
	fi
	local g0 gate_wall
	g0=$(now)
	gate=$(cd "$dir" && build/bin/rollcall run scenarios/ 2>&1 | awk '$1 == "FAIL" { print $2 }' | paste -sd, -)
	gate_wall=$(elapsed "$g0")
	# shellcheck disable=SC2068
	ex=$(explore_mutant "$dir" "$seeds" $@)
	local ex_what ex_seed ex_count ex_wall ex_file
	IFS=$'\t' read -r ex_seed ex_what ex_count ex_wall ex_file <<<"$ex"
	local catchers=",${gate},${ex_what:-},"
	local verdict=PASS replayed="" matched=""
	if [ -n "${ex_file:-}" ]; then
		replayed=identical
		(cd "$dir" && build/bin/rollcall replay "${ex_file%.scn}.jsonl" >"$dir/replay.log" 2>&1) || replayed=DIVERGED
	fi
	caught=$(sed 's/^,*//; s/,*$//; s/,,*/,/g' <<<"$catchers")
	for e in ${expected//,/ }; do
		if [ -z "$matched" ] && [[ "$e" = "-" || "$catchers" == *",$e,"* ]]; then
			matched=$e
			[ "$e" = "-" ] && matched=${caught%%,*}
		fi
	done
	[ -n "$matched" ] || verdict=FAIL
	printf '%s\n' "${caught:-nothing}" >"$scratch/$name.catchers"
	[ "$replayed" = DIVERGED ] && verdict=FAIL
	local shrunk="" what_file=${ex_file:-}
	if [ "$shrink" = 1 ]; then
		[ -z "$what_file" ] && [ -n "$gate" ] && what_file="$dir/scenarios/${gate%%,*}.scn"
		if [ -n "$what_file" ]; then
			shrunk=$(shrink_failure "$dir" "$what_file")
			[[ "$shrunk" == *$'\t'ok ]] || verdict=FAIL
		fi
	fi
	local n_gate=0
	[ -n "$gate" ] && n_gate=$(tr ',' '\n' <<<"$gate" | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$verdict" "${matched:-nothing}" \
		"$expected" "$n_gate" "$gate_wall" "${ex_what:--}" "${ex_seed:--}" "${ex_count:--}" "${ex_wall:--}" \
		"${replayed:--}" "$shrunk" >"$row"
}

names=()
t_start=$(now)
while read -r patch expected seeds args; do
	[[ -z "$patch" || "$patch" == \#* ]] && continue
	name=${patch%.patch}
	if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then
		continue
	fi
	names+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	# shellcheck disable=SC2086
	run_mutant "$name" "$patch" "$expected" "$seeds" $args &
done <"$manifest"
wait

status=0
caught=0
dash() { [ "${1:--}" = - ] && echo - || echo "$1$2"; }
printf '\n%-28s %-6s %-38s %-14s %-23s %-5s %-6s %-7s %s\n' "mutant" "result" "caught by" "gate: failing" \
	"explore: invariant" "seed" "seeds" "time" "replay"
for name in "${names[@]}"; do
	IFS=$'\t' read -r n verdict by expected ngate gwall inv seed count wall replayed st lines swall sverdict \
		<"$scratch/$name.row"
	[ "$verdict" = PASS ] && caught=$((caught + 1)) || status=1
	printf '%-28s %-6s %-38s %-14s %-23s %-5s %-6s %-7s %s\n' "$n" "$verdict" "$by" \
		"$(printf '%s in %s' "${ngate:-0}" "$(dash "$gwall" s)")" "$inv" "$seed" "$count" "$(dash "$wall" s)" \
		"${replayed:--}"
	[ "$verdict" = PASS ] || printf '    expected one of: %s; caught by: %s\n' "$expected" \
		"$(cat "$scratch/$name.catchers" 2>/dev/null || echo "${by}")"
done
printf '\nmutants: %d/%d caught (%s s in all). caught by: the expected catcher that caught it (a library\n' \
	"$caught" "${#names[@]}" "$(elapsed "$t_start")"
printf 'scenario or an invariant); gate: scenarios failing and the time of one library run; explore: the\n'
printf 'first failing seed that the unbroken core passes, the seeds explored and the time to find it;\n'
printf 'replay: that failure replayed byte for byte. Every catcher: %s/NAME.catchers\n' "$build/mutants"
if [ "$shrink" = 1 ]; then
	printf '\n%-28s %-10s %-6s %-8s %s\n' "shrunk failure of" "statements" "lines" "time" \
		"verdict (deterministic, fails on the mutant, passes on the reference)"
	for name in "${names[@]}"; do
		IFS=$'\t' read -r n verdict by expected ngate gwall inv seed count wall replayed st lines swall sverdict \
			<"$scratch/$name.row"
		printf '%-28s %-10s %-6s %-8s %s\n' "$n" "${st:--}" "${lines:--}" "$(dash "$swall" s)" \
			"${sverdict:-no failure to shrink}"
		cp "$scratch/$name/min.scn" "$scratch/$name.min.scn" 2>/dev/null || true
	done
	printf 'shrunk scenarios: %s/*.min.scn\n' "$build/mutants"
fi
exit $status
