#!/usr/bin/env bash
# coverage.sh - `make coverage`: how much of reference/ the tests exercise.
#
# Builds everything with --coverage into its own build directory (so the
# normal build stays optimised), runs the unit tests, the scenario library,
# the integration tests and the library live against coordd (rollcall
# conform), each one only if it exists in this checkout,
# then asks gcovr for reports/coverage/index.html (per-file pages),
# cobertura.xml (CI coverage widgets) and summary.json, and enforces the
# thresholds on reference/ with gcovr's own --fail-under-line/-branch.
#
# Environment: COV_BUILD (build/coverage), COV_SEEDS (1-100: seeds of the
# scenario library), COV_LINE (90), COV_BRANCH (75), MAKE (make).
# Exit: 0 thresholds met, 1 below a threshold or a step could not run.
set -u
cd "$(dirname "$0")/.."
build=${COV_BUILD:-build/coverage}
seeds=${COV_SEEDS:-1-100}
line=${COV_LINE:-90}
branch=${COV_BRANCH:-75}
make=${MAKE:-make}
out=reports/coverage
log=$build/coverage.log
cov_make=("$make" --no-print-directory BUILD="$build" CFLAGS="-O0 -g --coverage")

mkdir -p "$build" "$out"
: > "$log"
echo "coverage: building with --coverage into $build"
"${cov_make[@]}" all >> "$log" 2>&1 || { tail -30 "$log"; echo "coverage: build failed"; exit 1; }
find "$build" -name '*.gcda' -delete

ran=()
echo "coverage: unit tests"
"$build/bin/unit-tests" >> "$log" 2>&1 && ran+=("unit tests") || echo "coverage: unit tests failed (see $log); measuring anyway"

if "$build/bin/rollcall" run --help > /dev/null 2>&1 && ls scenarios/*.scn > /dev/null 2>&1; then
	echo "coverage: the scenario library over seeds $seeds"
	"$build/bin/rollcall" run --seeds "$seeds" scenarios/ >> "$log" 2>&1 \
		|| echo "coverage: some scenarios failed (the gate reports them); measuring anyway"
	ran+=("scenarios $seeds")
else
	echo "coverage: no scenario gate in this build (rollcall run) or no scenarios: skipped"
fi

# The integration tests run once, here: their results also go to
# reports/integration-junit.xml, evidence for the checklists.
if "${cov_make[@]}" -n integration > /dev/null 2>&1; then
	echo "coverage: integration tests (results: reports/integration-junit.xml)"
	"${cov_make[@]}" integration 2>&1 | bash ci/integration-junit.sh reports/integration-junit.xml >> "$log"
	[ "${PIPESTATUS[0]}" = 0 ] || echo "coverage: integration tests failed (see $log); measuring anyway"
	ran+=("integration tests")
else
	echo "coverage: no integration tests in this checkout: skipped"
fi

# The scenario library live against the coverage-built coordd (rollcall
# conform): its HTTP server, database and signal paths (restarts, secret
# rotation) as a user's gate would drive them.
if [ -x "$build/bin/rollcall-coordd" ] && "$build/bin/rollcall" conform --help > /dev/null 2>&1; then
	echo "coverage: the scenario library live against coordd (rollcall conform)"
	"$build/bin/rollcall" conform --launch "$build/bin/rollcall-coordd" scenarios/ >> "$log" 2>&1 \
		&& ran+=("conform") || echo "coverage: conform failed (see $log); measuring anyway"
else
	echo "coverage: no rollcall conform or coordd in this build: skipped"
fi

# Only reference/ is measured and enforced: it is the code the checklists
# and the thresholds are about (the simulator and the CLI are the harness).
# common/ counts with it: the daemons' file reads and atomic writes live
# there since they were shared with the harness.
echo "coverage: gcovr over reference/ and common/ (thresholds: lines $line%, branches $branch%)"
gcovr -r . "$build/obj/reference" "$build/obj/common" --filter 'reference/' --filter 'common/' \
	--html-details "$out/index.html" --html-title "rollcall: coverage of reference/ and common/" \
	--xml "$out/cobertura.xml" --xml-pretty \
	--json-summary "$out/summary.json" --json-summary-pretty \
	--print-summary \
	--fail-under-line "$line" --fail-under-branch "$branch" > "$build/gcovr.out" 2>&1
rc=$?
grep -E '^(lines|functions|branches):' "$build/gcovr.out"
grep -iE 'error|fail' "$build/gcovr.out" | grep -v '^lines\|^branches\|^functions'
echo "coverage: measured over: ${ran[*]:-nothing}"
echo "coverage: $out/index.html, $out/cobertura.xml, $out/summary.json"
case $rc in
0) echo "coverage: thresholds met"; exit 0 ;;
2) echo "coverage: FAIL lines below $line%" ;;
4) echo "coverage: FAIL branches below $branch%" ;;
6) echo "coverage: FAIL lines below $line% and branches below $branch%" ;;
*) echo "coverage: gcovr failed (exit $rc)"; cat "$build/gcovr.out" ;;
esac
exit 1
