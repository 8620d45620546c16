#!/usr/bin/env bash
# timeline-work.sh - drawing a trace costs work in proportion to its length.
#
# A 20-day simulator trace once took about 30 s to draw: every line was parsed
# into a jansson tree twice, and each task label and each runner-ID lookup
# scanned every task and every state save seen so far, so the work grew with
# the square of the run's length. This test draws synthetic traces of N, 2N
# and 4N hours (each hour: a runner saving its ID, its status changing, a task
# submitted, granted, started, exited and completed, a heartbeat) and counts
# the instructions under valgrind (cachegrind, no cache simulation): a count,
# not a time, so the machine's load does not enter. The work per hour of the
# second doubling over that of the first must be at most `limit`: linear work
# gives 1.00; with the scans it was 1.50 (1.27 and 1.41 with either scan
# alone), a parse of every line into a jansson tree then most of the work.
#
# Usage: timeline-work.sh [ROLLCALL]   (a few seconds)
set -uo pipefail
RC=${1:-build/bin/rollcall}
hours=1500
limit=1.15
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "timeline-work: $*" >&2; exit 1; }

command -v valgrind > /dev/null || fail "valgrind is missing (make deps)"

# HOURS -> a trace of that many hours on stdout
trace() {
	awk -v hours="$1" 'BEGIN {
		print "{\"ev\":0,\"t\":0,\"node\":\"coord\",\"kind\":\"node\",\"what\":\"start\",\"value\":1,\"text\":null}"
		id = "lnch_000000000001"
		for (h = 0; h < hours; h++) {
			t = h * 3600000 + 1000; e = h * 10 + 1; task = h + 1
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"r1\",\"kind\":\"state-save\",\"runner\":\"%s\",\"value\":%d}\n", e, t, id, t
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"coord\",\"kind\":\"runner-status\",\"from\":\"removed\",\"to\":\"online\",\"runner\":\"%s\"}\n", e + 1, t + 1, id
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"\",\"kind\":\"api\",\"op\":\"task-submit\",\"what\":\"t%d\",\"task\":%d}\n", e + 2, t + 2, task, task
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"coord\",\"kind\":\"task-state\",\"task\":%d,\"attempt\":1,\"from\":\"queued\",\"to\":\"running\",\"runner\":\"%s\"}\n", e + 3, t + 3, task, id
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"r1\",\"kind\":\"send\",\"peer\":\"coord\",\"op\":\"heartbeat\",\"req\":%d,\"status\":0}\n", e + 4, t + 4, task
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"coord\",\"kind\":\"deliver\",\"peer\":\"r1\",\"op\":\"heartbeat\",\"req\":%d,\"status\":0}\n", e + 5, t + 9, task
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"r1\",\"kind\":\"proc-start\",\"task\":%d,\"attempt\":1}\n", e + 6, t + 10, task
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"r1\",\"kind\":\"proc-exit\",\"task\":%d,\"attempt\":1,\"what\":\"exit 0\"}\n", e + 7, t + 60000, task
			printf "{\"ev\":%d,\"t\":%d,\"node\":\"coord\",\"kind\":\"task-state\",\"task\":%d,\"attempt\":1,\"from\":\"running\",\"to\":\"completed\",\"runner\":\"%s\"}\n", e + 8, t + 60005, task, id
		}
	}'
}

# HOURS -> the instructions of drawing that trace
count() {
	trace "$1" > "$tmp/t.jsonl"
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$RC" timeline "$tmp/t.jsonl" -o "$tmp/t.svg" > "$tmp/out" 2>&1 || {
		cat "$tmp/out" >&2
		fail "rollcall timeline of $1 hours failed"
	}
	grep -q 'r1' "$tmp/t.svg" || fail "the timeline of $1 hours has no lane r1"
	sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$tmp/out" | tr -d ,
}

a=$(count "$hours") && b=$(count $((2 * hours))) && c=$(count $((4 * hours))) || exit 1
[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] || fail "no instruction count in valgrind's output"
awk -v a="$a" -v b="$b" -v c="$c" -v h="$hours" -v l="$limit" 'BEGIN {
	first = (b - a) / h; second = (c - b) / (2 * h)
	printf "timeline-work: %d instructions an hour from %d to %d hours, %d from %d to %d: ratio %.2f (limit %s)\n",
		first, h, 2 * h, second, 2 * h, 4 * h, second / first, l
	exit !(second / first <= l) }' || fail "drawing a trace costs more per hour the longer it is"
