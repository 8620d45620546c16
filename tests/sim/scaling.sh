#!/usr/bin/env bash
# scaling.sh - a simulated hour costs the same late in a run as early on.
#
# The random workload of 2,000 runners for 1 h and for 6 h: six times the
# simulated time must cost less than 12 times the CPU time. Tasks and
# sandboxes pile up as a run goes on, so a lookup that scans them (or the
# runners) on every submission, attempt or sandbox step makes the cost grow
# with the square of the duration: before such scans were removed, the ratio
# was 27. A ratio of two runs back to back, not a time: the machine's speed
# cancels out. A ratio over the limit is measured once more before it fails,
# so one hiccup of a shared machine does not fail the build.
set -uo pipefail
bin=${1:-build/bin/rollcall}
runners=2000 short=1h long=6h limit=12

cpu_seconds() { # DURATION -> CPU seconds (user + system) of one run
	local TIMEFORMAT='%3U %3S' t
	t=$({ time "$bin" sim --runners "$runners" --duration "$1" --seed 1 > /dev/null; } 2>&1) || {
		echo "sim-scaling: rollcall sim --duration $1 failed: $t" >&2
		return 1
	}
	awk '{ printf "%.3f", $1 + $2 }' <<<"$t"
}

for attempt in 1 2; do
	a=$(cpu_seconds "$short") && b=$(cpu_seconds "$long") || exit 1
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / (a > 0.001 ? a : 0.001) }')
	line="6 x the simulated time ($runners runners, $short -> $long) cost $ratio x the CPU time ($a s -> $b s; limit $limit x)"
	if awk -v r="$ratio" -v l="$limit" 'BEGIN { exit !(r < l) }'; then
		echo "sim-scaling: $line"
		exit 0
	fi
	echo "sim-scaling: attempt $attempt: $line" >&2
done
echo "sim-scaling: FAIL: the cost of a simulated hour grows with the run (a scan per task, sandbox or runner?)" >&2
exit 1
