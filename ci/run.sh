#!/usr/bin/env bash
# run.sh - `make run`, the main job: after the build (done by make), run the
# unit tests, replay the scenario library over 100 seeds, measure coverage,
# tick every verification checklist and write reports/index.html; print a
# short summary table and the page's path.
#
# Every step runs even when an earlier one failed, so the page always shows
# the whole picture. Exit: 0 everything passed, 1 a check failed, 2 bad input
# (a malformed checklist or results file), as the gate's own exit codes.
#
# Environment: SEEDS (1-100), ITEM_SEEDS (1-10, per-item coverage runs).
set -u
cd "$(dirname "$0")/.."
seeds=${SEEDS:-1-100}
rollcall=build/bin/rollcall
logs=build/run
mkdir -p reports "$logs"
# Only what this job writes is cleared: reports/README.md stays.
rm -rf reports/checklists reports/coverage reports/timelines reports/traces reports/index.html \
	reports/junit.xml reports/unit-junit.xml reports/integration-junit.xml

steps=() results=() details=()
worst=0
record() { # STEP RC DETAIL
	steps+=("$1") details+=("$3")
	case $2 in
	0) results+=("pass") ;;
	2) results+=("ERROR"); worst=2 ;;
	*) results+=("FAIL"); [ $worst = 2 ] || worst=1 ;;
	esac
}

# Count testcases (and failed ones) of a JUnit file.
cases() { xmllint --xpath "count(//testcase${2:-})" "$1" 2>/dev/null || echo 0; }

# --- unit tests -------------------------------------------------------------
build/bin/unit-tests --junit reports/unit-junit.xml > "$logs/unit.log" 2>&1
rc=$?
record "unit tests" $rc "$(cases reports/unit-junit.xml) tests, $(cases reports/unit-junit.xml '[failure]') failed"

# --- the scenario gate (ci/gate, the script a user's CI calls) -----------------
results_args=(--results reports/unit-junit.xml)
if "$rollcall" run --help > /dev/null 2>&1; then
	start=$(date +%s%N)
	SEEDS=$seeds JUNIT=reports/junit.xml TRACE_DIR=reports/traces bash ci/gate scenarios/ > "$logs/gate.log" 2>&1
	rc=$?
	wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	record "scenario gate" $rc "$(cases reports/junit.xml) scenarios x seeds $seeds, $(cases reports/junit.xml '[failure or error]') failed, $((wall_ms / 1000)).$(printf %03d $((wall_ms % 1000))) s wall"
	[ -f reports/junit.xml ] && results_args=(--results reports/junit.xml "${results_args[@]}")
	[ $rc = 0 ] || tail -20 "$logs/gate.log"
else
	record "scenario gate" 1 "not built: this build has no \`rollcall run\`"
fi

# Timelines of failing scenarios, when `rollcall timeline` exists.
if [ -f reports/junit.xml ] && "$rollcall" timeline --help > /dev/null 2>&1; then
	for name in $(xmllint --xpath '//testcase[failure or error]/@name' reports/junit.xml 2>/dev/null |
		sed -n 's/.*name="\([^"]*\)".*/\1/p'); do
		seed=$(xmllint --xpath "string(//testcase[@name='$name']/system-out)" reports/junit.xml 2>/dev/null |
			sed -n 's/^seed: //p')
		trace=reports/traces/$name.seed$seed.jsonl
		[ -n "$seed" ] && [ -f "$trace" ] || continue
		mkdir -p reports/timelines
		"$rollcall" timeline "$trace" -o "reports/timelines/$name.svg" >> "$logs/timeline.log" 2>&1
	done
fi

# --- coverage ---------------------------------------------------------------
bash ci/coverage.sh > "$logs/coverage.log" 2>&1
rc=$?
summary=$(sed -n 's/^\(lines\|branches\): \([0-9.]*%\).*/\1 \2/p' "$logs/coverage.log" | paste -sd, - | sed 's/,/, /')
record "coverage" $rc "reference/ + common/: ${summary:-no summary} (thresholds 90%/75%)"
[ $rc = 0 ] || grep -E '^coverage: (FAIL|gcovr|build)' "$logs/coverage.log"
# The integration tests ran once, inside the coverage step (on its build).
if [ -f reports/integration-junit.xml ]; then
	failed=$(cases reports/integration-junit.xml '[failure]')
	record "integration tests" $((failed > 0)) \
		"$(cases reports/integration-junit.xml) tests, $failed failed (real daemons, on the coverage build)"
	results_args+=(--results reports/integration-junit.xml)
fi

# --- per-item coverage, then the checklists -------------------------------------
bash ci/item-coverage.sh > "$logs/items.log" 2>&1 || cat "$logs/items.log"
"$rollcall" report checklists "${results_args[@]}" --coverage-dir build/coverage/items \
	> "$logs/checklists.log" 2>&1
rc=$?
record "checklists" $rc "$(sed -n 's/^checklists: //p' "$logs/checklists.log")"
[ $rc = 0 ] || grep -E 'FAILING|rollcall report' -A2 "$logs/checklists.log" | head -30

# --- the page -----------------------------------------------------------------
"$rollcall" report index "${results_args[@]}" > "$logs/index.log" 2>&1
rc=$?
[ $rc = 2 ] && cat "$logs/index.log"
record "reports/index.html" $rc "$(sed -n 's/^report: //p' "$logs/index.log")"

echo
echo "make run: summary (logs in $logs/)"
printf '  %-24s %-6s %s\n' "step" "result" "detail"
for i in "${!steps[@]}"; do
	printf '  %-24s %-6s %s\n' "${steps[$i]}" "${results[$i]}" "${details[$i]}"
done
echo
echo "report: $(pwd)/reports/index.html"
case $worst in
0) echo "make run: PASS" ;;
1) echo "make run: FAIL" ;;
2) echo "make run: ERROR (bad input)" ;;
esac
exit $worst
