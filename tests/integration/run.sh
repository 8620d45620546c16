#!/usr/bin/env bash
# run.sh - run the integration tests, each in its own session under a hard
# timeout, and print "N passed, N failed".
#
# Usage: tests/integration/run.sh [TEST_NAME...]   (default: every test_*.sh)
# Environment: RC_IT_VALGRIND=1 (daemons under valgrind, longer limits),
# RC_IT_BUDGET_S (real seconds a test may take, default 5; 0 = no budget),
# RC_IT_LIMIT_S (hard kill, default 20).
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
budget_s=${RC_IT_BUDGET_S:-5}
limit_s=${RC_IT_LIMIT_S:-20}
if [ "${RC_IT_VALGRIND:-0}" = 1 ]; then budget_s=${RC_IT_BUDGET_S:-0}; limit_s=${RC_IT_LIMIT_S:-120}; fi

tests=()
if [ $# -gt 0 ]; then
	for n in "$@"; do tests+=("$here/${n%.sh}.sh"); done
else
	tests=("$here"/test_*.sh)
fi

passed=0 failed=0
mkdir -p build/integration
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	suffix=""; [ "${RC_IT_VALGRIND:-0}" = 1 ] && suffix=-valgrind
	log=build/integration/$name$suffix.log
	start=$(date +%s%N)
	# Own session: whatever the test leaves behind is killed with its group.
	setsid timeout -k 2 "$limit_s" bash "$t" > "$log" 2>&1 &
	pid=$!
	wait "$pid"
	rc=$?
	kill -KILL -- "-$pid" 2>/dev/null
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	secs=$(printf '%d.%02d' $((ms / 1000)) $(((ms % 1000) / 10)))
	if [ "$rc" -eq 0 ] && [ "$budget_s" -gt 0 ] && [ "$ms" -gt $((budget_s * 1000)) ]; then
		echo "FAIL $name (${secs} s: over the ${budget_s} s budget)"
		failed=$((failed + 1))
	elif [ "$rc" -eq 0 ]; then
		echo "PASS $name (${secs} s, $(grep -c '^  ok:' "$log") checks)"
		passed=$((passed + 1))
	else
		why="exit $rc"; [ "$rc" -eq 124 ] && why="killed after ${limit_s} s"
		echo "FAIL $name (${secs} s, $why); log: $log"
		grep -E '^  (FAIL|valgrind)|did not start' "$log" | head -20 | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
