#!/usr/bin/env bash
# run.sh - `make fuzz`: the four fuzzers against a build with AddressSanitizer
# and UBSan (BIN), two at a time on the machine's two cores.
#
#   protocol-fuzz   mutated HTTP requests -> codec -> coordinator core -> reply codec
#   state-fuzz      damaged runnerd state directories (nothing lost on refusal)
#   input_fuzz      mutated scenarios, traces and profiles -> rollcall run,
#                   explore, timeline, replay, conform
#   store_fuzz      damaged coordd databases -> rollcall-coordd (refused
#                   unchanged with exit 2, or served and stopped cleanly)
#
# Environment: FUZZ_SECONDS (60: the input fuzzer's time per worker),
# FUZZ_ITERATIONS (1000000 protocol requests; a tenth as many state
# directories), FUZZ_SEED (1). Findings are kept under build/fuzz/findings.
# Exit: 0 nothing found, 1 a finding (printed), 2 bad usage.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:?usage: run.sh BIN-DIR}
seconds=${FUZZ_SECONDS:-60}
iterations=${FUZZ_ITERATIONS:-1000000}
seed=${FUZZ_SEED:-1}
out=$(dirname "$BIN")/findings
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
"$BIN/protocol-fuzz" "$iterations" "$seed" > "$out/protocol.log" 2>&1 &
proto=$!
/usr/bin/python3 tests/fuzz/input_fuzz.py "$BIN/rollcall" "$seconds" "$seed" "$out" > "$out/input1.log" 2>&1 &
scen1=$!
wait $proto || status=1
"$BIN/state-fuzz" $((iterations / 10)) "$seed" > "$out/state.log" 2>&1 || status=1
/usr/bin/python3 tests/fuzz/store_fuzz.py "$BIN/rollcall-coordd" "$seconds" "$seed" "$out" > "$out/store.log" 2>&1 || status=1
/usr/bin/python3 tests/fuzz/input_fuzz.py "$BIN/rollcall" "$seconds" $((seed + 1000)) "$out" > "$out/input2.log" 2>&1 || status=1
wait $scen1 || status=1
tail -n 3 "$out/protocol.log" "$out/state.log" "$out/store.log" "$out/input1.log" "$out/input2.log" | grep -v '^$'
[ $status -eq 0 ] && echo "fuzz: nothing found" || echo "fuzz: FINDINGS (inputs under $out)"
exit $status
