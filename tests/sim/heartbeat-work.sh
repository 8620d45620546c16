#!/usr/bin/env bash
# heartbeat-work.sh - the work of one heartbeat does not grow with the fleet.
#
# The heartbeat storm of sim-bench (every runner heartbeats every 20 s and
# claims work after each acknowledged heartbeat) at 100, 10,000 and 100,000
# runners, counted in instructions under valgrind (cachegrind, no cache
# simulation): a count, not a time, so the machine's speed and load do not
# enter. Each size runs twice, the second time for twice the simulated time;
# the difference of the two counts over the difference of their heartbeats is
# the steady-state cost of one heartbeat cycle (tick, heartbeat, reply, claim,
# reply, and the share of the sweeps and checker scans that run per tick),
# without the set-up. The largest may be at most `limit` times the smallest.
# A scan of the runners per heartbeat, even a short one, would multiply the
# cost at 100,000 runners many times over; the count measured is within a
# few per cent across the three sizes. Wall time per heartbeat still rises
# with size (cache misses: sim/PERFORMANCE.md), which no count shows.
#
# Usage: heartbeat-work.sh [SIM_BENCH]   (about a minute)
set -uo pipefail
bench=${1:-build/bin/sim-bench}
limit=1.20
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v valgrind > /dev/null || { echo "heartbeat-work: valgrind is missing (make deps)" >&2; exit 2; }

# RUNNERS HOURS -> "instructions heartbeats" of one storm
count() {
	local out="$tmp/out" n h
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$bench" --storm "$1" "$2" > "$out" 2>&1 || {
		echo "heartbeat-work: sim-bench --storm $1 $2 failed:" >&2
		cat "$out" >&2
		return 1
	}
	n=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$out" | tr -d ,)
	h=$(sed -n 's/.* \([0-9][0-9]*\) heartbeats .*/\1/p' "$out")
	[ -n "$n" ] && [ -n "$h" ] || { echo "heartbeat-work: unreadable output:" >&2; cat "$out" >&2; return 1; }
	echo "$n $h"
}

# PER -> 0 when it is within the limit of every count so far (kept in $seen)
seen=""
within() {
	[ -n "$seen" ] || return 0
	awk -v s="$seen $1" -v l="$limit" 'BEGIN {
		n = split(s, v, " "); lo = v[1]; hi = v[1]
		for (i = 2; i <= n; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
		printf "heartbeat-work: largest / smallest so far = %.2f (limit %s)\n", hi / lo, l
		exit !(hi / lo <= l) }'
}

# Smallest fleet first, and stop at the first size over the limit: with a
# scan per heartbeat, the 100,000-runner count would take hours.
for size in "100 1" "10000 0.1667" "100000 0.0333"; do
	set -- $size
	short=$(count "$1" "$2") && long=$(count "$1" "$(awk -v h="$2" 'BEGIN { print 2 * h }')") || exit 1
	per=$(awk -v a="$short" -v b="$long" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (y[2] <= x[2]) exit 1
		printf "%.0f", (y[1] - x[1]) / (y[2] - x[2]) }') || {
		echo "heartbeat-work: no more heartbeats in the longer run of $1 runners" >&2
		exit 1
	}
	printf 'heartbeat-work: %6d runners: %5d instructions per heartbeat cycle\n' "$1" "$per"
	within "$per" || {
		echo "heartbeat-work: FAIL: a heartbeat costs more in a bigger fleet (a scan of the runners per heartbeat?)" >&2
		exit 1
	}
	seen="$seen $per"
done
exit 0
