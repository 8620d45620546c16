#!/usr/bin/env bash
# reference.sh - the reference core shows no violation under every fault.
#
# Two sizes of the random workload with all faults on, every invariant
# checked after every event:
# - 200 short worlds (the same size as sim-determinism): many seeds, many
#   fault mixes;
# - 20 worlds of two simulated days: runs this long used to lose their
#   runners one by one (a start dropped during a paused drain, a superseded
#   runner never started again) until the closing liveness check failed.
# A failure prints the seeds and the first violation of each: replay one
# with the command printed beside it and --seed S.
set -uo pipefail
bin=${1:-build/bin/rollcall}
status=0
check() {
	local out summary
	out=$("$bin" sim "$@" --faults all --seed 1)
	local rc=$?
	summary=$(tail -1 <<<"$out")
	if [ $rc -ne 0 ]; then
		grep ' first ' <<<"$out" | sed 's/^/  /' >&2
		echo "sim-reference: rollcall sim $* --faults all: $summary" >&2
		status=1
	else
		echo "sim-reference: $* : $summary"
	fi
}
check --runners 4 --duration 40m --quiet 15m --seeds 200
check --runners 5 --duration 2d --seeds 20
exit $status
