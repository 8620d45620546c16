# test_rollcall_usage.sh - rollcall's command line: every subcommand answers
# --help (exit 0), refuses an unknown option, and refuses a bad value with
# exit 2 and a message that names the option and the text, before it runs
# or writes anything; a long command shows progress on a terminal only.
# (The daemons' command lines: test_usage.sh.)
. "$(dirname "$0")/lib.sh"

RC=$BIN/rollcall
SCN=$ROOT/explore/examples/reassignment-race.scn

for cmd in id sim check-scenario run explore replay shrink timeline conform report; do
	"$RC" "$cmd" --help > "$T/help" 2> "$T/err"
	check_eq "rollcall $cmd --help exits 0" 0 "$?"
	check "... and prints its usage" grep -q "^usage: rollcall $cmd" "$T/help"
	"$RC" "$cmd" --bogus > /dev/null 2> "$T/err"
	check_eq "rollcall $cmd --bogus exits 2" 2 "$?"
	check "... naming the option" grep -q -- "'--bogus'" "$T/err"
done

# README's synopsis of each command names every option of its --help usage lines
# (once replay's lacked --seed and --save, timeline's --seed and --width).
synopsis() { # CMD: README's synopsis lines of `rollcall CMD`, continuation lines included
	awk -v cmd="build/bin/rollcall $1 " 'index($0, cmd) == 1 { on = 1; print; next }
		on && /^[ \t]/ { print; next } { on = 0 }' "$ROOT/README.md"
}
for cmd in id sim run check-scenario explore replay shrink timeline conform report; do
	synopsis "$cmd" > "$T/synopsis"
	"$RC" "$cmd" --help | awk 'NR > 1 && !/^ / { exit } { print }' | grep -o -- '--[a-z][a-z-]*' | sort -u > "$T/options"
	missing=$(while read -r opt; do grep -q -- "$opt\b" "$T/synopsis" || printf '%s ' "$opt"; done < "$T/options")
	check "README's synopsis of $cmd names every option of its usage ($(wc -l < "$T/options") of them)" \
		test -s "$T/synopsis" -a -z "$missing"
	[ -z "$missing" ] || echo "    missing from README: $missing"
done

usage_fails() { # EXPECTED_WORDS CMD...: exit 2 and a message naming EXPECTED_WORDS
	local words=$1; shift
	"$@" > /dev/null 2> "$T/err"
	[ $? = 2 ] && grep -q -- "$words" "$T/err"
}
check "no command" usage_fails "usage: rollcall COMMAND" "$RC"
check "an unknown command" usage_fails "unknown command 'nosuch'" "$RC" nosuch
"$RC" --version > "$T/version" 2> "$T/err"
check_eq "rollcall --version exits 0" 0 "$?"
"$RC" sim --runners 1 --duration 1h --trace "$T/version.jsonl" > /dev/null 2>&1
check_eq "... and names the build a trace header names" "rollcall $(head -n 1 "$T/version.jsonl" | jq -r .build)" \
	"$(cat "$T/version")"

# Whole numbers: one parser for every command (rc_cli_parse_count).
check "sim --runners abc" usage_fails "--runners: 'abc' is not a whole number in 1..1000000" "$RC" sim --runners abc
check "sim --runners 1000001" usage_fails "--runners: '1000001'" "$RC" sim --runners 1000001
check "sim --seed 0x10 (decimal only)" usage_fails "--seed: '0x10'" "$RC" sim --seed 0x10
check "sim --history 1025" usage_fails "--history: '1025' is not a whole number in 0..1024" "$RC" sim --history 1025
check "explore --jobs 0" usage_fails "--jobs: '0' is not a whole number in 1..256" "$RC" explore --jobs 0
check "explore --runners 51" usage_fails "--runners: '51'" "$RC" explore --runners 51
# A scenario brings its own runners and length: these were ignored, yet
# written into the run's recorded parameters.
check "explore SCENARIO --runners" usage_fails "--runners is for a generated workload: $SCN has its own runners" \
	"$RC" explore "$SCN" --runners 3
check "explore SCENARIO --duration" usage_fails "--duration is for a generated workload: $SCN has its own timeline" \
	"$RC" explore --duration 1h "$SCN"
check "explore --max-failures -1" usage_fails "--max-failures: '-1' is not a whole number >= 0" \
	"$RC" explore --max-failures -1
check "shrink --max-runs abc" usage_fails "--max-runs: 'abc'" "$RC" shrink "$SCN" -o "$T/min.scn" --max-runs abc
check "shrink --max-runs 0" usage_fails "--max-runs: '0'" "$RC" shrink "$SCN" -o "$T/min.scn" --max-runs 0
check "timeline --width abc" usage_fails "--width: 'abc' is not a whole number in 400..20000" \
	"$RC" timeline "$SCN" -o "$T/t.svg" --width abc
check "timeline --width -5" usage_fails "--width: '-5'" "$RC" timeline "$SCN" -o "$T/t.svg" --width -5
check "timeline --width 399" usage_fails "--width: '399'" "$RC" timeline "$SCN" -o "$T/t.svg" --width 399
check "... and nothing was written" test ! -e "$T/min.scn" -a ! -e "$T/t.svg"
"$RC" timeline "$SCN" -o "$T/t.svg" --width 400 > /dev/null 2>&1
check_eq "timeline --width 400 exits 0" 0 "$?"
check "... with a 400-pixel picture" grep -q 'width="400"' "$T/t.svg"
check "sim --seed ' -1' (blanks, then a sign)" usage_fails "--seed: ' -1'" "$RC" sim --seed " -1"
check "sim --seeds ' -1' (not 2^64 - 1 seeds)" usage_fails "--seeds: ' -1'" "$RC" sim --seeds " -1"
check "sim --seeds +2" usage_fails "--seeds: '+2'" "$RC" sim --seeds +2
check "sim --seed 2^64-1 --seeds 2 (no wrap to seed 0)" usage_fails "--seeds: 2 seeds from 18446744073709551615" \
	"$RC" sim --seed 18446744073709551615 --seeds 2
check "sim --tasks-per-hour nan" usage_fails "--tasks-per-hour: 'nan' is not a number >= 0" \
	"$RC" sim --tasks-per-hour nan
check "sim --tasks-per-hour inf" usage_fails "--tasks-per-hour: 'inf'" "$RC" sim --tasks-per-hour inf
check "report index --line-threshold nan" usage_fails "--line-threshold: 'nan' is not a percentage" \
	"$RC" report index --line-threshold nan
check "report index --branch-threshold -nan" usage_fails "--branch-threshold: '-nan' is not a percentage" \
	"$RC" report index --branch-threshold -nan

# Durations, ranges and files.
check "sim --duration 5x" usage_fails "--duration: '5x' is not a duration" "$RC" sim --duration 5x
check "sim --duration not past --quiet" usage_fails "--duration 1m must be longer than --quiet (30m)" \
	"$RC" sim --duration 1m
check "explore --seeds 5-1" usage_fails "--seeds: bad range '5-1'" "$RC" explore --seeds 5-1
check "explore --shard 3/2" usage_fails "--shard: '3/2'" "$RC" explore --shard 3/2
# --out naming a file: refused before any seed runs (failures were once "saved" into it, lost)
echo keep > "$T/out-file"
check "explore --out FILE" usage_fails "--out: cannot create $T/out-file: Not a directory" \
	"$RC" explore --workload registry --seeds 1-2 --out "$T/out-file"
check "... leaves the file as it was" test "$(cat "$T/out-file")" = keep
check "timeline --from 5x" usage_fails "--from: '5x' is not a duration" "$RC" timeline "$SCN" -o "$T/t2.svg" --from 5x
check "run --seeds x" usage_fails "--seeds: bad range 'x'" "$RC" run --seeds x "$SCN"
check "conform --seeds 3-1" usage_fails "--seeds: bad range '3-1'" \
	"$RC" conform --seeds 3-1 --target http://127.0.0.1:9 "$SCN"
# --target beside --launch only for a command on a fixed port of its own (once it went on to
# health-check the other URL and gave up 5 s later)
check "conform --launch CMD --target URL" usage_fails "--target with a --launch command without placeholders" \
	"$RC" conform --launch "$BIN/rollcall-coordd" --target http://127.0.0.1:9 "$SCN"
check "conform --launch 'CMD {port}' --target URL" usage_fails "takes {port}: conform picks that port itself" \
	"$RC" conform --launch "$BIN/rollcall-coordd --listen 127.0.0.1:{port}" --target http://127.0.0.1:9 "$SCN"
check "replay of a missing file" usage_fails "$T/none.jsonl: No such file" "$RC" replay "$T/none.jsonl"
# --junit is written at the end: a path that cannot be written is refused before anything runs.
junit_refused() { # CMD...: exit 2 naming --junit, and no scenario ran
	"$@" > "$T/out" 2> "$T/err"
	[ $? = 2 ] && grep -q -- "--junit: cannot write $T/none/j.xml: No such file" "$T/err" && [ ! -s "$T/out" ]
}
check "run --junit in a missing folder" junit_refused "$RC" run --junit "$T/none/j.xml" "$SCN"
check "conform --junit in a missing folder" junit_refused \
	"$RC" conform --launch "$BIN/rollcall-coordd" --junit "$T/none/j.xml" "$SCN"
# ... and so is one where no file can be made, found by making the temporary file the
# write will use (as root every permission check passes; once it was refused only
# after every scenario had run)
"$RC" run --junit /proc/rc-it.xml "$SCN" > "$T/out" 2> "$T/err"
check_eq "run --junit /proc/rc-it.xml exits 2" 2 "$?"
check "... naming --junit" grep -q -- "--junit: cannot write /proc/rc-it.xml: " "$T/err"
check "... before any scenario ran" test ! -s "$T/out"
# ... and so is a device that would not keep it (/dev/full, /dev/zero: once found only
# when the run was over), or a file system without room for one more block.
refused_up_front() { # WORDS CMD...: exit 2 naming WORDS, and nothing ran
	local words=$1; shift
	"$@" > "$T/out" 2> "$T/err"
	[ $? = 2 ] && grep -q -- "$words" "$T/err" && [ ! -s "$T/out" ]
}
check "run --junit /dev/full: refused before anything ran" \
	refused_up_front "--junit: cannot write /dev/full: a device other than a terminal or /dev/null" \
	"$RC" run --junit /dev/full "$SCN"
check "sim --trace /dev/zero: refused before anything ran" \
	refused_up_front "--trace: cannot write /dev/zero: a device other than" \
	"$RC" sim --runners 2 --duration 1h --trace /dev/zero
check "timeline -o /dev/full: refused" refused_up_front "-o: cannot write /dev/full: a device" \
	"$RC" timeline "$SCN" -o /dev/full
# a full file system: a small tmpfs, filled, in a mount namespace of our own (where the
# kernel lets us make one)
full_fs() { # CMD...: run CMD with $T/full a full file system
	mkdir -p "$T/full"
	unshare -rm bash -c 'mount -t tmpfs -o size=64k tmpfs "$0" && { cat /dev/zero > "$0/fill"; } 2> /dev/null
		exec "$@"' "$T/full" "$@"
}
if unshare -rm true 2> /dev/null; then
	full_fs "$RC" run --junit "$T/full/j.xml" "$SCN" > "$T/out" 2> "$T/err"
	check_eq "run --junit on a full file system exits 2" 2 "$?"
	check "... saying so" grep -q -- "--junit: cannot write $T/full/j.xml: No space left on device" "$T/err"
	check "... before anything ran" test ! -s "$T/out"
else
	ok "(no mount namespace here: the full file system check is skipped)"
fi
# A terminal is written in place (here script(1)'s pseudo-terminal).
script -qec "$RC timeline $SCN -o /dev/tty" /dev/null > "$T/tty.svg" 2>&1
check_eq "timeline -o /dev/tty (a terminal) exits 0" 0 "$?"
check "... and draws there" grep -q "</svg>" "$T/tty.svg"
# Without a controlling terminal /dev/tty cannot be opened: said so, not called
# "a device other than a terminal".
check "run --junit /dev/tty without a terminal: why it cannot be written" \
	refused_up_front "--junit: cannot write /dev/tty: No such device or address" \
	setsid -w "$RC" run --junit /dev/tty "$SCN"
# A write that fails at the end anyway (the standard output on /dev/full, taken as it is)
# exits 2 naming the file, and loses nothing else: the results are on stderr.
"$RC" run --seeds 1 --junit /dev/stdout "$SCN" > /dev/full 2> "$T/err"
check_eq "run --junit /dev/stdout > /dev/full exits 2" 2 "$?"
check "... naming it" grep -q -- "rollcall run: --junit: cannot write /dev/stdout: No space left on device" "$T/err"
check "... with the results on stderr" grep -q "^total: 1 scenario, 1 runs: 1 passed" "$T/err"
# The JUnit file is replaced whole or not at all (here: over the file size limit).
seq 1 3000 > "$T/keep.xml"
cp "$T/keep.xml" "$T/keep.xml.orig"
(trap '' XFSZ; ulimit -f 4; "$RC" run --seeds 1 --junit "$T/keep.xml" "$ROOT/scenarios" > /dev/null 2> "$T/err")
check_eq "run --junit over the file size limit exits 2" 2 "$?"
check "... and the old file is untouched" cmp -s "$T/keep.xml" "$T/keep.xml.orig"
check "... with no temporary file left" bash -c "! ls '$T'/keep.xml.*.tmp 2> /dev/null"
# Results that could not be written are lost: exit 2, said on stderr, for every command.
"$RC" run --seeds 1 "$SCN" > /dev/full 2> "$T/err"
check_eq "run > /dev/full exits 2" 2 "$?"
check "... saying so" grep -q "rollcall run: cannot write the standard output: No space left on device" "$T/err"
"$RC" --version > /dev/full 2> /dev/null
check_eq "rollcall --version > /dev/full exits 2" 2 "$?"
check "run --junit naming a folder" usage_fails "--junit $T: is a folder" "$RC" run --junit "$T" "$SCN"
# So are shrink -o, timeline -o and replay --save (shrinking takes up to half a minute).
check "shrink -o in a missing folder" usage_fails "-o: cannot write $T/none/min.scn: No such file" \
	"$RC" shrink "$SCN" -o "$T/none/min.scn"
check "timeline -o naming a folder" usage_fails "-o $T: is a folder" "$RC" timeline "$SCN" -o "$T"
check "replay --save in a missing folder" usage_fails "--save: cannot write $T/none/t.jsonl: No such file" \
	"$RC" replay --save "$T/none/t.jsonl" "$SCN"
"$RC" timeline "$SCN" -o /dev/null > /dev/null 2>&1
check_eq "timeline -o /dev/null (a device: written in place) exits 0" 0 "$?"
# An output file that is the standard output gets it alone: the command's own
# lines ("wrote ...", the results table) go to stderr instead.
"$RC" timeline "$SCN" -o /dev/stdout > "$T/out.svg" 2> "$T/err"
check_eq "timeline -o /dev/stdout exits 0" 0 "$?"
check "... and its stdout is the SVG alone" \
	bash -c "head -c 5 '$T/out.svg' | grep -qx '<?xml' && tail -n 1 '$T/out.svg' | grep -qx '</svg>'"
check "... and says where it wrote on stderr, by the name given" grep -qx "timeline: wrote /dev/stdout" "$T/err"
"$RC" run --seeds 1-2 --junit /dev/stdout "$SCN" > "$T/junit.xml" 2> "$T/err"
check_eq "run --junit /dev/stdout exits 0" 0 "$?"
check "... and its stdout is the JUnit XML alone" bash -c "head -n 1 '$T/junit.xml' | grep -q '^<?xml' &&
	tail -n 1 '$T/junit.xml' | grep -qx '</testsuites>' && ! grep -q '^total:' '$T/junit.xml'"
check "... and the results table is on stderr" grep -q "^total: 1 scenario, 2 runs" "$T/err"
"$RC" shrink "$ROOT/fixtures/scenarios-failing/stale-too-early.scn" \
	-o /dev/stdout > "$T/min.out" 2> "$T/err"
check_eq "shrink -o /dev/stdout exits 0" 0 "$?"
check "... and its stdout is the scenario alone" \
	bash -c "! grep -q '^shrink:' '$T/min.out' && grep -qx 'runner r1' '$T/min.out'"
check "... and its summary is on stderr" grep -qx "shrink: wrote /dev/stdout" "$T/err"
# A shrunk scenario -o cannot take at the end (here the standard output, on /dev/full) is not
# lost: after the error it is on stderr, to be copied (it was dropped, with up to 30 s of work).
"$RC" shrink "$ROOT/fixtures/scenarios-failing/stale-too-early.scn" -o /dev/stdout > /dev/full 2> "$T/err"
check_eq "shrink -o /dev/stdout > /dev/full exits 2" 2 "$?"
check "... naming the file" grep -q -- "rollcall shrink: -o: cannot write /dev/stdout: No space left on device" "$T/err"
check "... and then printing the shrunk scenario on stderr" \
	bash -c "sed -n '/cannot write/,\$ p' '$T/err' | grep -q '^@seed 1$' && grep -qx 'at 0s start r1' '$T/err' &&
		grep -qx 'expect r1 becomes stale between 1m and 1m30s' '$T/err'"
# A scenario that passes is no input for shrink (it exited 1, as if a check
# had failed), with a seed given or searched for; nothing is written.
PASSING=$ROOT/scenarios/stale-after-2-min.scn
check "shrink of a passing scenario" usage_fails "$PASSING passes with every seed of its range: nothing to shrink" \
	"$RC" shrink "$PASSING" -o "$T/pass.min.scn"
check "shrink --seed of a passing scenario" usage_fails "$PASSING passes with seed 7: nothing to shrink" \
	"$RC" shrink "$PASSING" --seed 7 -o "$T/pass.min.scn"
check "... and writes nothing" test ! -e "$T/pass.min.scn"
# sim --trace too: once the trace and the summary shared the standard output
# through two descriptors and overwrote each other.
"$RC" sim --runners 2 --duration 1h --trace /dev/stdout > "$T/sim-trace.jsonl" 2> "$T/err"
check_eq "sim --trace /dev/stdout exits 0" 0 "$?"
check "... and its stdout is the JSONL trace alone" bash -c "jq -e . '$T/sim-trace.jsonl' > /dev/null 2>&1"
"$RC" timeline "$T/sim-trace.jsonl" -o "$T/sim-trace.svg" > /dev/null 2>&1
check_eq "... which timeline draws (exit 0)" 0 "$?"
check "... and the summary is on stderr" grep -q "^rollcall sim: seed 1, 2 runners, 1h simulated" "$T/err"
# and, like every output file, it is replaced whole or not at all
seq 1 3000 > "$T/keep.jsonl"
cp "$T/keep.jsonl" "$T/keep.jsonl.orig"
(trap '' XFSZ; ulimit -f 4; "$RC" sim --runners 2 --duration 1h --trace "$T/keep.jsonl" > /dev/null 2> "$T/err")
check_eq "sim --trace over the file size limit exits 2" 2 "$?"
check "... naming the file" grep -q -- "--trace: cannot write $T/keep.jsonl: File too large" "$T/err"
check "... and the old file is untouched" cmp -s "$T/keep.jsonl" "$T/keep.jsonl.orig"
check "... with no temporary file left" bash -c "! ls '$T'/keep.jsonl.*.tmp 2> /dev/null"

# Durations end at a year and a day: beyond it a run never ends and sums of
# times overflow (timeline's axis, explore's phases); one parser says so.
check "sim --duration 367d" usage_fails "--duration: '367d' is longer than 366d" "$RC" sim --duration 367d
check "sim --duration 0" usage_fails "--duration: '0' is shorter than 1ms" "$RC" sim --duration 0
check "explore --bound near 2^63 ms" usage_fails "--bound: '2562047788015h' is longer than 366d" \
	"$RC" explore --liveness --bound 2562047788015h
check "conform --timeout of 23 digits" usage_fails "--timeout: '99999999999999999999999h' is longer" \
	"$RC" conform --timeout 99999999999999999999999h --target http://127.0.0.1:9 "$SCN"
check "timeline --to 2562047788015h" usage_fails "--to: '2562047788015h' is longer than 366d" \
	"$RC" timeline "$SCN" -o "$T/t2.svg" --to 2562047788015h
printf 'runner r1\nat 0s start r1\nat 367d expect r1 is online\n' > "$T/long.scn"
check "a scenario's instant past 366d" usage_fails "long.scn:3:4: duration '367d' is longer than 366d" \
	"$RC" run "$T/long.scn"

# timeline's window: refused when empty, its heading names the run's end.
check "timeline --from 5m --to 1m" usage_fails "--to 1m is not after --from 5m" \
	"$RC" timeline "$SCN" -o "$T/t2.svg" --from 5m --to 1m
check "timeline --from after the run's end" usage_fails "--from 8784h is after the run's end, 6m" \
	"$RC" timeline "$SCN" -o "$T/t2.svg" --from 366d
check "... and nothing was written" test ! -e "$T/t2.svg"
"$RC" timeline "$SCN" -o "$T/whole.svg" > /dev/null 2>&1
end=$(grep -o 'window [^;]*' "$T/whole.svg" | sed 's/.* of //')
"$RC" timeline "$SCN" -o "$T/t2.svg" --from 1m --to 2m > /dev/null 2>&1
check "timeline --from 1m --to 2m: the heading ends with the run's end ($end), not the window's" \
	grep -q "window 1m .. 2m of $end;" "$T/t2.svg"
check "... which is not 2m" test "$end" != 2m

# A folder given as a file, and a program that is not there.
mkdir -p "$T/adir.jsonl"
check "replay of a folder" usage_fails "$T/adir.jsonl: Is a directory" "$RC" replay "$T/adir.jsonl"
check "timeline of a folder" usage_fails "$T/adir.jsonl: Is a directory" "$RC" timeline "$T/adir.jsonl" -o "$T/a.svg"
# A scenario file that cannot be read is said to be just that, not "does not parse".
unreadable() { # WORDS CMD...: exit 2 naming WORDS, and no parse failure
	local words=$1; shift
	"$@" > /dev/null 2> "$T/err"
	[ $? = 2 ] && grep -q -- "$words" "$T/err" && ! grep -q "does not parse" "$T/err"
}
for cmd in explore replay "shrink -o $T/min.scn" "timeline -o $T/m.svg"; do
	# shellcheck disable=SC2086 # the options of cmd are words of their own
	check "${cmd%% *} of a missing scenario" unreadable "$T/none.scn: cannot read it: No such file or directory" \
		"$RC" $cmd "$T/none.scn"
done
mkdir -p "$T/adir.scn"
check "explore of a folder" unreadable "$T/adir.scn: cannot read it: a folder, not a scenario file" \
	"$RC" explore "$T/adir.scn"
check "replay of a folder named .scn" unreadable "$T/adir.scn: cannot read it: a folder" "$RC" replay "$T/adir.scn"
check "shrink --reference of a missing program" usage_fails "--reference $T/none: No such file" \
	"$RC" shrink "$SCN" -o "$T/min.scn" --reference "$T/none"
check "shrink --reference of a folder" usage_fails "--reference $T/adir.jsonl: not an executable program" \
	"$RC" shrink "$SCN" -o "$T/min.scn" --reference "$T/adir.jsonl"
# any other program "passes" (/bin/true) or "fails" every candidate: it must be a rollcall
check "shrink --reference of another program" \
	usage_fails "--reference /bin/true: not a rollcall (its --version printed 'true (GNU coreutils)" \
	"$RC" shrink "$SCN" -o "$T/min.scn" --reference /bin/true

# The replay line of `run` is a command a shell runs as printed, whatever the path.
mkdir -p "$T/sp ace"
printf 'runner r1\nat 0s start r1\nat 1m expect r1 is stale\n' > "$T/sp ace/it's.scn"
"$RC" run --seeds 3 "$T/sp ace/it's.scn" > "$T/out" 2>&1
replay=$(sed -n 's/^ *replay: //p' "$T/out")
check "run's replay line quotes a path with a blank and a quote" \
	test "$replay" = "$RC run --seeds 3 '$T/sp ace/it'\\''s.scn'"
check "... and runs that scenario with that seed" \
	bash -c "$replay | grep -q '^FAIL  it.s  *seed 3 '"

# Two scenarios with one file name in two subfolders: each keeps its own trace
# and JUnit test case, named by its path under the folder given (once the
# second trace overwrote the first, and both test cases were "s").
mkdir -p "$T/twins/a" "$T/twins/b"
printf 'runner r1\nat 0s start r1\nat 1m expect r1 is stale\n' > "$T/twins/a/s.scn"
printf 'runner r2\nat 0s start r2\nat 1m expect r2 is stale\n' > "$T/twins/b/s.scn"
"$RC" run --seeds 1 --trace-dir "$T/twin-traces" --junit "$T/twins.xml" "$T/twins" > "$T/out" 2>&1
check_eq "run --trace-dir of two failing s.scn in two subfolders exits 1" 1 "$?"
check "... keeps a/s's trace" grep -q '"r1"' "$T/twin-traces/a/s.seed1.jsonl"
check "... and b/s's" grep -q '"r2"' "$T/twin-traces/b/s.seed1.jsonl"
check "... names the results by their paths in the folder" grep -q "^FAIL  b/s  " "$T/out"
check "... and the JUnit test cases" \
	bash -c "grep -q 'name=\"a/s\" file=\"$T/twins/a/s.scn\"' '$T/twins.xml' && grep -q 'name=\"b/s\"' '$T/twins.xml'"
# A trace that cannot be written (a folder in the way of seed 1's) is said, naming it, and
# the exit code is 2 (once 1, the trace missing); the others and the JUnit file are written.
mkdir -p "$T/lost/stale-too-early.seed1.jsonl"
"$RC" run --seeds 1-2 --trace-dir "$T/lost" --junit "$T/lost.xml" \
	"$ROOT/fixtures/scenarios-failing/stale-too-early.scn" > "$T/out" 2> "$T/err"
check_eq "run --trace-dir with a folder in the way of a trace exits 2" 2 "$?"
check "... naming it" grep -q -- "--trace-dir: cannot write $T/lost/stale-too-early.seed1.jsonl: Is a directory" \
	"$T/err"
check "... and writes the other trace" grep -q '"kind"' "$T/lost/stale-too-early.seed2.jsonl"
check "... and the JUnit file" grep -q 'name="stale-too-early"' "$T/lost.xml"
check "... and the results" grep -q "^total: 1 scenario, 2 runs" "$T/out"
"$RC" run --seeds 1 --trace-dir "$T/twin-traces" "$T/twins/a/s.scn" "$T/twins/b/s.scn" > "$T/out" 2> "$T/err"
check_eq "two files given with one name and --trace-dir exit 2" 2 "$?"
check "... naming both" grep -q "$T/twins/a/s.scn and $T/twins/b/s.scn would both be named 's' in --trace-dir" "$T/err"
check "... before anything ran" test ! -s "$T/out"

# Settings the core refuses are refused by the simulator with a reason (exit 2),
# never by an assertion when the coordinator or a runner starts; check-scenario
# and run agree, at the setting's line, before anything runs.
config_refused() { # SETTING WORDS: check-scenario and run of a scenario with SETTING exit 2 naming WORDS
	printf 'config %s\nrunner r1\nat 0s start r1\n' "$1" > "$T/config.scn"
	local cmd
	for cmd in check-scenario run; do
		"$RC" $cmd "$T/config.scn" > "$T/out" 2>&1
		[ $? = 2 ] && grep -q -- "config.scn:1:8: .*$2" "$T/out" && grep -q "nothing was run" "$T/out" || return 1
	done
}
check "config stale_after above remove_after" config_refused "stale_after 11m" "remove_after must be at least stale_after"
check "config heartbeat_interval 0" config_refused "heartbeat_interval 0" "heartbeat_interval must be at least 1s"
check "config restart_delay 0" config_refused "restart_delay 0" "restart_delay and stable_after must be > 0"
check "config restart_max_delay below restart_delay" config_refused "restart_max_delay 0" "restart_max_delay at least"
check "config stable_after 0" config_refused "stable_after 0" "restart_delay and stable_after must be > 0"

# A file's @seed is the seed `rollcall run` runs: replay, timeline and shrink
# refuse a --seed naming another (they would show another run than the file's),
# and replay refuses --seed for a trace, which carries its own.
printf '@seed 1\nrunner r1\nat 0s start r1\nat 1m expect r1 is online\n' > "$T/pinned.scn"
for cmd in replay "timeline -o $T/pinned.svg" "shrink -o $T/pinned.min.scn"; do
	check "${cmd%% *} --seed 2 of a file pinning @seed 1" usage_fails "pins @seed 1 and --seed names another" \
		"$RC" $cmd --seed 2 "$T/pinned.scn"
done
check "replay --seed 1 of a file pinning @seed 1" "$RC" replay --seed 1 "$T/pinned.scn"
"$RC" replay --save "$T/pinned.jsonl" "$T/pinned.scn" > /dev/null
check "replay --seed of a trace" usage_fails "a trace replays the seed it was written with" \
	"$RC" replay --seed 2 "$T/pinned.jsonl"

# A scenario is UTF-8 text: its words end up in JSON (traces, requests).
printf 'runner r1 hostname h\351st\nat 0s start r1\n' > "$T/latin1.scn"
check "check-scenario of a Latin-1 hostname" usage_fails "latin1.scn:1:20: not UTF-8 text" \
	"$RC" check-scenario "$T/latin1.scn"

# replay, timeline and shrink run a canonical copy of a scenario file; an error
# still names the file's own line (comments and blank lines counted), exit 2.
printf '# a comment\n\nrunner r1\nat 0s start r1\nat 1m expect r9 is online\n' > "$T/undef.scn"
check "replay of a scenario with an error" usage_fails "undef.scn:5:14: undefined" "$RC" replay "$T/undef.scn"
check "timeline of a scenario with an error" usage_fails "undef.scn:5:14: undefined" \
	"$RC" timeline "$T/undef.scn" -o "$T/undef.svg"
check "shrink of a scenario with an error" usage_fails "undef.scn:5:14: undefined" \
	"$RC" shrink "$T/undef.scn" -o "$T/undef.min.scn"
check "replay of a Latin-1 scenario (no abort)" usage_fails "latin1.scn:1:20: not UTF-8 text" \
	"$RC" replay "$T/latin1.scn"
check "timeline of a Latin-1 scenario (no abort)" usage_fails "latin1.scn:1:20: not UTF-8 text" \
	"$RC" timeline "$T/latin1.scn" -o "$T/latin1.svg"

# A folder without scenarios is refused with one line (no sanitizer report
# from sorting an empty list: run this file against the `make fuzz` build).
mkdir -p "$T/noscn/sub"
check "check-scenario of a folder without scenarios" usage_fails "noscn: no .scn files in this folder" \
	"$RC" check-scenario "$T/noscn"
check_eq "... and nothing else on stderr" 1 "$(wc -l < "$T/err")"

# Links are followed, each folder read once: a link back up, or two links to
# one folder, list each scenario once (by the first name in byte order).
mkdir -p "$T/loop/sub"
cp "$SCN" "$T/loop/sub/one.scn"
ln -s .. "$T/loop/sub/up"
ln -s ../sub "$T/loop/sub/again"
ln -s sub "$T/loop/alias"
"$RC" check-scenario "$T/loop" > "$T/out" 2>&1
check_eq "check-scenario of a folder with link loops exits 0" 0 "$?"
check "... and lists its one scenario once, as alias/one.scn" \
	grep -qx "ok   $T/loop/alias/one.scn (.*)" "$T/out"
check_eq "... and nothing else" 1 "$(grep -c 'one.scn' "$T/out")"

# A write that fails (here: over the file size limit) leaves the user's file as it was.
seq 1 3000 > "$T/keep.svg"
cp "$T/keep.svg" "$T/keep.orig"
(trap '' XFSZ; ulimit -f 4; "$RC" timeline "$SCN" -o "$T/keep.svg" > /dev/null 2> "$T/err")
check_eq "timeline -o over the file size limit exits 2" 2 "$?"
check "... naming the file" grep -q "cannot write $T/keep.svg: File too large" "$T/err"
check "... and the old file is untouched" cmp -s "$T/keep.svg" "$T/keep.orig"
check "... with no temporary file left" bash -c "! ls '$T'/keep.svg.* 2> /dev/null"
"$RC" timeline "$SCN" -o "$T/keep.svg" > /dev/null 2>&1
check "timeline -o replaces the file when it can" grep -q "^<svg" "$T/keep.svg"
check_eq "... with the mode fopen gives" "$(printf '%o' $((0666 & ~$(umask))))" "$(stat -c %a "$T/keep.svg")"

# Progress: `rollcall sim` draws a line on a terminal (here script(1)'s pseudo-terminal),
# from the first simulated minute on, and writes nothing to stderr otherwise.
"$RC" sim --runners 5 --duration 40m > "$T/sim.out" 2> "$T/sim.err"
check_eq "sim without a terminal exits 0" 0 "$?"
check "... and writes nothing to stderr" test ! -s "$T/sim.err"
check "... but its summary" grep -q "^rollcall sim: seed 1, 5 runners, 40m simulated" "$T/sim.out"
script -qec "$RC sim --runners 5 --duration 40m" /dev/null > "$T/tty.out" 2>&1
check_eq "sim on a terminal exits 0" 0 "$?"
check "... with a progress line" grep -q "rollcall sim: seed 1: 1m of 40m simulated, .* M events/s" "$T/tty.out"
check "... and the same summary" grep -q "rollcall sim: seed 1, 5 runners, 40m simulated" "$T/tty.out"

# A violation's report: `rollcall sim` keeps no history while it runs and
# replays the seed to show the events before each violation, so they must be
# the trace's lines just before the violation's record. With faults until the
# end (--quiet 0) the reference's final liveness check fails: a runner is
# still cut off.
"$RC" sim --runners 5 --duration 1h --faults all --quiet 0 --history 12 --trace "$T/viol.jsonl" \
	> "$T/viol.out" 2> "$T/viol.err"
check_eq "sim with faults to the end exits 1" 1 "$?"
check "... reporting the liveness violation" grep -q "^VIOLATION liveness at 3600000 ms" "$T/viol.out"
check "... and nothing on stderr" test ! -s "$T/viol.err"
at=$(grep -n -m1 '"kind":"violation"' "$T/viol.jsonl" | cut -d: -f1)
sed -n "$((at - 12)),$((at - 1))p" "$T/viol.jsonl" > "$T/viol.tail"
grep '^    {' "$T/viol.out" | sed 's/^    //' > "$T/viol.history"
check_eq "... with 12 events before it" 12 "$(wc -l < "$T/viol.history")"
check "... the trace's last 12 records before it" cmp -s "$T/viol.tail" "$T/viol.history"
finish
