#!/usr/bin/env bash
# check-scenarios.sh - the checks `make check` runs on the scenario language,
# the library and the gate itself. Each mode must be able to fail:
#
#   syntax     every scenario and every must-fail fixture parses; every file of
#              fixtures/scenarios-bad is refused (exit 2, nothing runs) with
#              file:LINE:COL on the line marked `# error here`
#   library    the whole library passes over seeds 1-100 on one core in < 10 s
#              of wall time (printed)
#   must-fail  every fixture of fixtures/scenarios-failing fails (exit 1) with a
#              message naming the line marked `# wrong on purpose`
#   warnings   every line marked `# warns here` in fixtures/scenarios-warn gets
#              a file:LINE:COL: warning from check-scenario and run, and nothing
#              else warns (the library, the must-fail fixtures, clean.scn);
#              warnings change no exit status
#   junit      --junit writes well-formed XML, valid against the JUnit shape CI
#              tools read (fixtures/junit/junit.xsd), with one testcase per
#              scenario and a <failure> for a failing one
#   gate       ci/gate called from another folder, by a relative path, an
#              absolute one and a link: the files, JUNIT and TRACE_DIR it is
#              given, relative or absolute, mean what they say in that folder
set -euo pipefail

RC=${RC:-build/bin/rollcall}
SEEDS=${SEEDS:-1-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "check-scenarios: $*" >&2; exit 1; }

# The number of the first line of file $1 that contains $2.
marked_line() {
	local n
	n=$(grep -a -n -- "$2" "$1" | head -1 | cut -d: -f1) # -a: a fixture may hold a NUL byte
	[ -n "$n" ] || fail "$1 has no line marked '$2'"
	echo "$n"
}

# Run the command after `--`, put its output in $tmp/out and its exit code in $status.
capture() {
	set +e
	"$@" >"$tmp/out" 2>&1
	status=$?
	set -e
}

check_syntax() {
	"$RC" check-scenario scenarios/ fixtures/scenarios-failing/ >/dev/null ||
		fail "the library or a must-fail fixture does not parse (rollcall check-scenario scenarios/)"
	local commands=(check-scenario run) n=0 f line c
	for f in fixtures/scenarios-bad/*.scn; do
		line=$(marked_line "$f" "# error here")
		for c in "${commands[@]}"; do
			capture "$RC" "$c" "$f"
			[ "$status" -eq 2 ] || fail "$f: rollcall $c exited $status, want 2"
			grep -Eq "^$f:$line:[0-9]+: " "$tmp/out" || { cat "$tmp/out"; fail "$f: rollcall $c gave no '$f:$line:COL: message'"; }
			grep -q "nothing was run" "$tmp/out" || fail "$f: rollcall $c did not stop before running"
		done
		n=$((n + 1))
	done
	[ "$n" -ge 4 ] || fail "expected at least 4 files in fixtures/scenarios-bad, found $n"
	echo "scenario syntax: library and fixtures parse; $n bad files refused by ${commands[*]} with file:line:col and exit 2"
}

# The library runs pinned to one core (rollcall run is single-threaded; the
# pin makes the figure honest on a shared machine) and must take < 10 s.
check_library() {
	local pin=()
	command -v taskset >/dev/null && pin=(taskset -c 0)
	capture "${pin[@]}" "$RC" run --seeds "$SEEDS" scenarios/
	cat "$tmp/out"
	[ "$status" -eq 0 ] || fail "the scenario library failed (exit $status)"
	local wall
	wall=$(sed -n 's/^total: .* in \([0-9.]*\) s wall$/\1/p' "$tmp/out")
	[ -n "$wall" ] || fail "no wall time in the total line"
	awk -v w="$wall" 'BEGIN { exit !(w < 10) }' || fail "the library took $wall s wall, the target is < 10 s"
	echo "scenario library: every scenario passed over seeds $SEEDS in $wall s wall on one core (target < 10 s)"
}

check_must_fail() {
	local n=0 f line
	for f in fixtures/scenarios-failing/*.scn; do
		line=$(marked_line "$f" "# wrong on purpose")
		capture "$RC" run --seeds 1-10 "$f"
		[ "$status" -eq 1 ] || { cat "$tmp/out"; fail "$f: exit $status, want 1 (it must fail)"; }
		grep -q "^ *$f:$line: " "$tmp/out" || { cat "$tmp/out"; fail "$f: the failure does not name line $line"; }
		grep -q "replay: .* run --seeds [0-9]* $f" "$tmp/out" || fail "$f: no replay command"
		! grep -Eq "^ *seed [0-9]+, at ([0-9a-z]+): at \1: " "$tmp/out" ||
			{ cat "$tmp/out"; fail "$f: the failure line says its time twice"; }
		n=$((n + 1))
	done
	[ "$n" -ge 3 ] || fail "expected at least 3 must-fail fixtures, found $n"
	echo "must-fail fixtures: all $n failed, each naming its wrong line and a replay command"
}

# The LINE:COL: of every warning in $tmp/out about file $1, one a line.
warned_lines() { sed -n "s#^$1:\([0-9]*\):[0-9]*: warning: .*#\1#p" "$tmp/out" | sort -n | tr '\n' ' '; }

check_warnings() {
	local n=0 f c want got
	for f in fixtures/scenarios-warn/*.scn; do
		want=$( (grep -n -- "# warns here" "$f" || true) | cut -d: -f1 | sort -n | tr '\n' ' ')
		for c in check-scenario "run --seeds 1-3"; do
			capture "$RC" $c "$f"
			[ "$status" -eq 0 ] || { cat "$tmp/out"; fail "$f: rollcall $c exited $status, want 0 (warnings change no exit status)"; }
			got=$(warned_lines "$f")
			[ "$got" = "$want" ] || { cat "$tmp/out"; fail "$f: rollcall $c warned on lines '$got', want '$want'"; }
		done
		n=$((n + 1))
	done
	[ "$n" -ge 5 ] || fail "expected at least 5 files in fixtures/scenarios-warn, found $n"
	capture "$RC" check-scenario scenarios/ fixtures/scenarios-failing/ explore/examples/
	! grep -q ": warning: " "$tmp/out" || { grep ": warning: " "$tmp/out"; fail "a scenario of the library warns"; }
	echo "scenario warnings: each of $n fixtures warns on its marked lines only, exit 0; the library warns nowhere"
}

check_junit() {
	local xml="$tmp/junit.xml" scenarios cases
	capture "$RC" run --seeds 1-2 --junit "$xml" scenarios/ fixtures/scenarios-failing/stale-too-early.scn
	[ "$status" -eq 1 ] || fail "junit run: exit $status, want 1 (one failing fixture included)"
	xmllint --noout "$xml" || fail "junit output is not well-formed XML"
	xmllint --noout --schema fixtures/junit/junit.xsd "$xml" 2>"$tmp/xsd" || { cat "$tmp/xsd"; fail "junit output does not match fixtures/junit/junit.xsd"; }
	scenarios=$(( $(ls scenarios/*.scn | wc -l) + 1 ))
	cases=$(xmllint --xpath 'count(//testcase)' "$xml")
	[ "$cases" -eq "$scenarios" ] || fail "junit lists $cases testcases, want $scenarios"
	[ "$(xmllint --xpath 'count(//testcase/failure)' "$xml")" -eq 1 ] || fail "junit: want exactly one <failure>"
	xmllint --xpath 'string(//testcase[@name="stale-too-early"]/failure/@message)' "$xml" |
		grep -q "stale-too-early.scn:[0-9]*: " || fail "junit: the failure message does not name file:line"
	# Names come from file names, which need not be UTF-8: still well-formed, UTF-8 kept.
	cp fixtures/scenarios-failing/stale-too-early.scn "$tmp/caf"$'\xc3\xa9-\xff\x01'".scn"
	capture "$RC" run --seeds 1 --junit "$xml" "$tmp/caf"$'\xc3\xa9-\xff\x01'".scn"
	xmllint --noout "$xml" || fail "junit output for a file name that is not UTF-8 is not well-formed XML"
	grep -q "name=\"caf"$'\xc3\xa9'"-??\"" "$xml" || fail "junit: a name not UTF-8 is not written with '?'"
	echo "junit: well-formed, schema-valid, $cases testcases, the failing one reported"
}

# ci/gate caller [VAR=VALUE...] PATH...: ci/gate run from folder caller, output in $tmp/out.
gate_in() {
	local caller=$1; shift
	capture env -C "$caller" SEEDS=1-2 "$@"
}

check_gate() {
	local repo=$PWD caller=$tmp/caller
	mkdir -p "$caller/s"
	cp scenarios/timeout-reassignment.scn fixtures/scenarios-failing/stale-too-early.scn "$caller/s/"
	gate_in "$caller" JUNIT=out/j.xml TRACE_DIR=traces "$(realpath --relative-to="$caller" ci/gate)" s/
	[ "$status" -eq 1 ] || { cat "$tmp/out"; fail "gate with relative paths from another folder: exit $status, want 1"; }
	[ "$(xmllint --xpath 'count(//testcase)' "$caller/out/j.xml")" -eq 2 ] ||
		fail "gate with relative paths from another folder: no JUnit with 2 test cases in $caller/out/j.xml"
	[ -s "$caller/traces/stale-too-early.seed1.jsonl" ] ||
		fail "gate with relative paths from another folder: no trace in $caller/traces"
	ln -s "$repo/ci/gate" "$tmp/gate-link"
	gate_in / JUNIT="$tmp/abs.xml" TRACE_DIR="$tmp/abs-traces" "$tmp/gate-link" "$caller/s/timeout-reassignment.scn"
	[ "$status" -eq 0 ] || { cat "$tmp/out"; fail "gate by a link with absolute paths: exit $status, want 0"; }
	[ "$(xmllint --xpath 'count(//testcase)' "$tmp/abs.xml")" -eq 1 ] ||
		fail "gate by a link with absolute paths: no JUnit with 1 test case in $tmp/abs.xml"
	ci/gate --help | grep -q "It runs from any folder" || fail "gate --help does not say it runs from any folder"
	echo "gate: from another folder by a relative path, and by a link with absolute paths, each writes where it was told"
}

case "${1:-}" in
syntax) check_syntax ;;
library) check_library ;;
must-fail) check_must_fail ;;
warnings) check_warnings ;;
junit) check_junit ;;
gate) check_gate ;;
*) echo "usage: $0 syntax|library|must-fail|warnings|junit|gate" >&2; exit 2 ;;
esac
