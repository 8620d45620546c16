#!/usr/bin/env bash
# bench-explore.sh - figures of the race-reproduction tools (not a test).
#
#   exploration speed: seeds/s of a 5-runner, 1-hour swarm workload on one
#     core (target >= 2000), with and without the liveness tail, and with
#     two workers; the one-core figures are taken on each core in turn
#     (taskset), since the vCPUs of a shared machine need not be equal;
#   shrinking: for each mutant of fixtures/mutants/, the time to shrink its
#     first failure and the size of the result (target <= 20 lines, < 30 s),
#     through ci/mutants.sh --shrink.
set -uo pipefail
cd "$(dirname "$0")/.."
RC=${RC:-build/bin/rollcall}
SEEDS=${BENCH_SEEDS:-1-2000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

rate() { # label, explore arguments...
	local label=$1 line
	shift
	line=$(${RUN_ON:-} "$RC" explore --workload mixed --swarm --runners 5 --duration 1h --seeds "$SEEDS" --max-failures 0 \
		--no-progress --out "$out" "$@" | grep '^explore ')
	printf '  %-34s %s\n' "$label" "$(sed 's/^explore [^:]*: //' <<<"$line")"
}

echo "explore: 5 runners, 1 h of virtual time per seed, swarm parameters, seeds $SEEDS (target >= 2000 seeds/s on one core)"
for cpu in $(seq 0 $(($(nproc) - 1))); do
	RUN_ON="taskset -c $cpu" rate "one core (core $cpu)" --jobs 1
	RUN_ON="taskset -c $cpu" rate "one core (core $cpu), liveness tail" --jobs 1 --liveness
done
rate "two workers" --jobs 2
echo
echo "shrink: each mutant's first failure (target <= 20 lines, < 30 s)"
bash ci/mutants.sh --shrink
