#!/usr/bin/env bash
# fingerprint.sh - what a build's runs produce, as short hashes, to show that a
# change meant only for speed (or tidiness) changed no run.
#
#   ci/fingerprint.sh build/bin/rollcall > before.txt    (the build before)
#   ci/fingerprint.sh build/bin/rollcall > after.txt     (the build after)
#   diff before.txt after.txt                            (must be empty)
#
# It hashes, for a matrix of inputs:
#   sim    the trace of `rollcall sim` for every fault kind, with and without
#          permuted ties, seeds 1-12 (the engine, the cores, the checkers);
#   show   the scenario explore generates for seeds 1-40 of every workload,
#          swarm and liveness or not (the generator and its formatter);
#   run    the trace of running every eighth of those scenarios (the parser
#          and the scenario runner);
#   gate   the trace of every library scenario at seed 3;
#   bad    the diagnostics of every broken and must-fail fixture.
# Trace headers are left out: they name the build. Takes about a minute. Not a
# test (the determinism tests are): a baseline to compare two builds with.
set -uo pipefail
[ $# = 1 ] && [ -x "$1" ] || { echo "usage: ci/fingerprint.sh ROLLCALL" >&2; exit 2; }
rc=$(readlink -f "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hash() { md5sum | cut -c1-12; }
trace_hash() { cat "$@" 2>/dev/null | tail -n +2 | hash; } # the body of a one-file trace
dir_hash() { rm -rf "$tmp/t"; "$rc" run --trace-dir "$tmp/t" "$@" > /dev/null 2>&1; echo "rc=$? $(trace_hash "$tmp"/t/*.jsonl)"; }

for faults in none all net crash skew pause storage; do
	for ties in "" --permute-ties; do
		for seed in $(seq 1 12); do
			"$rc" sim --runners 5 --duration 90m --seed "$seed" --faults "$faults" $ties --trace "$tmp/s.jsonl" \
				> /dev/null 2>&1
			echo "sim $faults$ties $seed $(trace_hash "$tmp/s.jsonl")"
		done
	done
done
for workload in mixed reassign supervise registry; do
	for opts in "" "--swarm" "--swarm --liveness" "--liveness"; do
		for seed in $(seq 1 40); do
			"$rc" explore --workload "$workload" $opts --show "$seed" > "$tmp/x.scn" 2>&1
			echo "show $workload [$opts] $seed $(hash < "$tmp/x.scn")"
			[ $((seed % 8)) = 1 ] && echo "run $workload [$opts] $seed $(dir_hash --seeds "$seed" "$tmp/x.scn")"
		done
	done
done
for f in scenarios/*.scn; do
	echo "gate $f $(dir_hash --seeds 3 "$f")"
done
for f in fixtures/scenarios-bad/* fixtures/scenarios-failing/*; do
	check=$("$rc" check-scenario "$f" 2>&1 | hash)
	run=$("$rc" run --seeds 1-3 "$f" 2>&1 | sed "s#$rc#RC#g" | grep -v 'wall\| s)' | hash)
	echo "bad $f $check $run"
done
