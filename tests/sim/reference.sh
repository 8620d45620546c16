#!/usr/bin/env bash
# reference.sh - the reference core shows no violation under every fault.
#
# 200 seeds of the random workload with all faults on (the same size as
# sim-determinism), every invariant checked after every event. A failure
# prints the seeds and the first violation of each: replay one with
#   build/bin/rollcall sim --runners 4 --duration 40m --quiet 15m --faults all --seed S
set -uo pipefail
bin=${1:-build/bin/rollcall}
out=$("$bin" sim --runners 4 --duration 40m --quiet 15m --faults all --seed 1 --seeds 200)
status=$?
summary=$(tail -1 <<<"$out")
if [ $status -ne 0 ]; then
	grep ' first ' <<<"$out" | sed 's/^/  /' >&2
	echo "sim-reference: $summary" >&2
	exit 1
fi
echo "sim-reference: $summary"
