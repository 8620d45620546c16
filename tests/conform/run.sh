#!/usr/bin/env bash
# run.sh - the tests of `rollcall conform` (make conform; each CHECK a function):
#
#   library   the whole scenario library live against rollcall-coordd launched by
#             conform: every scenario passes or is skipped with its reason, the
#             simulator agrees on every verdict (--compare-sim), under 60 s real,
#             JUnit valid (skips are <skipped>); the same with --reuse
#   valgrind  conform itself under valgrind memcheck on a few scenarios that use
#             every part (coordinator crash and restart, reassignment, sandboxes,
#             clean-up of a shared target, a dialect profile): 0 errors, 0 leaks
#   dialect   the library through the fleet-v2 dialect (tests/conform/
#             dialect_adapter.c in front of coordd, --profile fleet-v2.json):
#             the same verdicts as direct; a wrong profile is an error at once
#   modes     a running target: with its clock file, and without (only scenarios
#             that need no clock movement run, the others are skipped); one on
#             the real clock given a clock file: refused
#   errors    a target that is down, answers garbage, hangs, exits at once or never
#             says where it listens, is statically linked (libfaketime cannot
#             reach it) or escapes libfaketime otherwise (its replies' Date is
#             the real clock's): a clear message, exit 2 (or 1 for garbage in the
#             middle of a scenario), and bounded time; a {port} taken before the
#             target binds it: started again on another port
#   interrupts conform stopped by SIGTERM, SIGINT or a closed output pipe while
#             its target runs: the target stopped, the scratch folder removed
#
# run.sh [CHECK...] (default: all). Every process a check starts is stopped
# by its PID when the check ends.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BIN=${RC_BIN:-build/bin}
RC=$BIN/rollcall
COORDD=$BIN/rollcall-coordd
ADAPTER=$BIN/dialect-adapter
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
PY=/usr/bin/python3
T=$(mktemp -d /tmp/rc-conform-test-XXXXXX)
PIDS=()
FAILS=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

fail() { FAILS=$((FAILS + 1)); echo "  FAIL: $*"; }
ok() { echo "  ok: $*"; }
now_ms() { local us=${EPOCHREALTIME/./}; echo $((us / 1000)); }

# run NAME CMD...: CMD's output in $T/NAME.out, its status in STATUS, its real
# time in MS.
run() {
	local name=$1 t0
	shift
	t0=$(now_ms)
	"$@" > "$T/$name.out" 2>&1
	STATUS=$?
	MS=$(($(now_ms) - t0))
}

# "name VERDICT" for every scenario line of an output file.
verdicts() { awk '$1 ~ /^(PASS|FAIL|SKIP|ERROR)$/ && NF >= 2 { print $2, $1 }' "$1" | sort; }

# Start a background program that prints "listening on HOST:PORT"; sets URL.
start_listening() {
	local name=$1 i
	shift
	"$@" > "$T/$name.listen" 2> "$T/$name.log" &
	PIDS+=("$!")
	for i in $(seq 1 200); do
		grep -q '^listening on ' "$T/$name.listen" 2>/dev/null && break
		sleep 0.02
	done
	URL=http://$(sed -n 's/^listening on //p' "$T/$name.listen" | head -1)
	[ "$URL" != http:// ] || { fail "$name did not start"; return 1; }
}

check_library() {
	local n_files skipped real
	n_files=$(ls scenarios/*.scn | wc -l)
	run library "$RC" conform --launch "$COORDD" --compare-sim --junit "$T/junit.xml" scenarios/
	[ "$STATUS" -eq 0 ] || { cat "$T/library.out"; fail "library live: exit $STATUS, want 0"; }
	[ "$(verdicts "$T/library.out" | wc -l)" -eq "$n_files" ] || fail "library live: not one line per scenario"
	if verdicts "$T/library.out" | grep -qv -e ' PASS$' -e ' SKIP$'; then
		fail "library live: scenarios neither passed nor skipped: $(verdicts "$T/library.out" | grep -v -e PASS -e SKIP | tr '\n' ' ')"
	fi
	if grep -E '^SKIP +[^ ]+ *$' "$T/library.out"; then fail "a skipped scenario gives no reason"; fi
	grep -q 'verdicts differ on 0$' "$T/library.out" || { grep DIFFER "$T/library.out"; fail "simulator and live disagree"; }
	real=$(sed -n 's/^time: .* in \([0-9.]*\) s real.*/\1/p' "$T/library.out")
	awk -v r="$real" 'BEGIN { exit !(r + 0 < 60) }' || fail "the library took $real s real, the budget is 60 s"
	skipped=$(grep -c '^SKIP' "$T/library.out")
	xmllint --noout --schema fixtures/junit/junit.xsd "$T/junit.xml" 2>"$T/xsd" || { cat "$T/xsd"; fail "junit does not match the schema"; }
	[ "$(xmllint --xpath 'count(//testcase/skipped)' "$T/junit.xml")" -eq "$skipped" ] || fail "junit: skipped count"
	grep -E '^(SKIP|total|time|compare)' "$T/library.out" | sed 's/^/  /'
	ok "library live against coordd: $(grep -c '^PASS' "$T/library.out") passed, $skipped skipped (each with its reason), sim agrees"
	run reuse "$RC" conform --launch "$COORDD" --reuse scenarios/
	[ "$STATUS" -eq 0 ] || { cat "$T/reuse.out"; fail "--reuse: exit $STATUS"; }
	# a rotation needs a fresh target: skipped under --reuse, with that reason
	grep -q '^SKIP  secret-rotation-grace .*without --reuse' "$T/reuse.out" || fail "--reuse: secret rotation not skipped"
	diff <(verdicts "$T/library.out" | grep -v '^secret-rotation-grace ') \
		<(verdicts "$T/reuse.out" | grep -v '^secret-rotation-grace ') > "$T/reuse.diff" ||
		{ cat "$T/reuse.diff"; fail "--reuse changes verdicts"; }
	ok "--reuse (one coordd, cleaned up between scenarios): same verdicts, $(sed -n 's/^time: .* in \(.*\) real.*/\1/p' "$T/reuse.out") real"
}

check_valgrind() {
	local vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
	local set=(scenarios/coordinator-restart-grace-period.scn scenarios/old-runner-returns-after-reassignment.scn
		   scenarios/sandbox-happy-path.scn scenarios/clock-skew-changes-nothing.scn)
	run vg1 "${vg[@]}" "$RC" conform --launch "$COORDD" --reuse "${set[@]}"
	[ "$STATUS" -eq 0 ] || { tail -30 "$T/vg1.out"; fail "conform under valgrind: exit $STATUS"; }
	run vg2 "${vg[@]}" "$RC" conform --profile fixtures/profiles/fleet-v2.json \
		--launch "$ADAPTER --listen 127.0.0.1:0 -- $COORDD --listen 127.0.0.1:0 --secret-file {secret_file} --db {db}" \
		scenarios/timeout-reassignment.scn scenarios/sandbox-wrong-runner-403.scn
	[ "$STATUS" -eq 0 ] || { tail -30 "$T/vg2.out"; fail "conform (fleet-v2) under valgrind: exit $STATUS"; }
	run vg3 "${vg[@]}" "$RC" conform --launch "$BIN/nonexistent-coordinator" scenarios/stale-after-2-min.scn
	[ "$STATUS" -eq 2 ] || { tail -30 "$T/vg3.out"; fail "conform (target that cannot start) under valgrind: exit $STATUS"; }
	run vg4 "${vg[@]}" "$RC" conform --launch "$COORDD" scenarios/secret-rotation-grace.scn
	[ "$STATUS" -eq 0 ] && grep -q '^PASS  secret-rotation-grace' "$T/vg4.out" ||
		{ tail -30 "$T/vg4.out"; fail "conform (secret rotation) under valgrind: exit $STATUS"; }
	ok "valgrind: 0 errors, 0 leaks in conform (restart, reassignment, sandboxes, skew, shared-target clean-up, dialect, failed launch, secret rotation)"
}

check_dialect() {
	local launch="$ADAPTER --listen 127.0.0.1:0 -- $COORDD --listen 127.0.0.1:0 --secret-file {secret_file} --db {db}"
	[ -s "$T/library.out" ] || run library "$RC" conform --launch "$COORDD" scenarios/
	run fleet "$RC" conform --profile fixtures/profiles/fleet-v2.json --launch "$launch" scenarios/
	[ "$STATUS" -eq 0 ] || { cat "$T/fleet.out"; fail "fleet-v2 dialect: exit $STATUS, want 0"; }
	if diff <(verdicts "$T/library.out") <(verdicts "$T/fleet.out") > "$T/fleet.diff"; then
		ok "fleet-v2 dialect through the adapter: the same $(verdicts "$T/fleet.out" | wc -l) verdicts as coordd direct"
	else
		cat "$T/fleet.diff"; fail "the fleet-v2 profile changes verdicts"
	fi
	run explicit "$RC" conform --profile fixtures/profiles/rollcall-coordd.json --launch "$COORDD" \
		scenarios/timeout-reassignment.scn scenarios/sandbox-happy-path.scn scenarios/boundary-stale-at-120s.scn
	[ "$STATUS" -eq 0 ] || { cat "$T/explicit.out"; fail "the spelled-out coordd profile: exit $STATUS"; }
	run wrong1 "$RC" conform --launch "$launch" scenarios/stale-after-2-min.scn
	[ "$STATUS" -eq 2 ] && grep -q 'health check with 404' "$T/wrong1.out" && [ "$MS" -lt 4000 ] ||
		{ cat "$T/wrong1.out"; fail "coordd's profile against the fleet-v2 target: exit $STATUS in $MS ms"; }
	run wrong2 "$RC" conform --profile fixtures/profiles/fleet-v2.json --launch "$COORDD" scenarios/stale-after-2-min.scn
	[ "$STATUS" -eq 2 ] && grep -q 'health check with 404' "$T/wrong2.out" ||
		{ cat "$T/wrong2.out"; fail "the fleet-v2 profile against coordd: exit $STATUS"; }
	ok "a profile that does not fit the target: exit 2 at its health check ($MS ms)"
	printf '{\n  "name": "x",\n  "opz": {}\n}\n' > "$T/bad.json"
	run badprofile "$RC" conform --profile "$T/bad.json" --launch "$COORDD" scenarios/stale-after-2-min.scn
	[ "$STATUS" -eq 2 ] && grep -q "bad.json:3:3: unknown key \"opz\"" "$T/badprofile.out" ||
		{ cat "$T/badprofile.out"; fail "a profile with a typo: exit $STATUS"; }
	ok "a profile with an unknown key is refused, naming it and its line"
	run noprofile "$RC" conform --profile "$T/no-such.json" --launch "$COORDD" scenarios/stale-after-2-min.scn
	expect_error noprofile 2 2000 "^rollcall conform: --profile: cannot open $T/no-such.json: No such file"
	run dirprofile "$RC" conform --profile "$T" --launch "$COORDD" scenarios/stale-after-2-min.scn
	expect_error dirprofile 2 2000 "^rollcall conform: --profile: cannot read $T: Is a directory"
	run nosecret "$RC" conform --secret-file "$T/no-such-secret" --launch "$COORDD" scenarios/stale-after-2-min.scn
	expect_error nosecret 2 2000 "^rollcall conform: --secret-file: cannot open $T/no-such-secret"
}

check_modes() {
	printf 's3cret\n' > "$T/secret"
	printf '2026-01-10 00:00:00\n' > "$T/clock"
	start_listening clocked env TZ=UTC "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$T/clock" FAKETIME_NO_CACHE=1 \
		"$COORDD" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/clocked.db" || return
	run clockfile "$RC" conform --target "$URL" --clock-file "$T/clock" --secret-file "$T/secret" --compare-sim scenarios/
	[ "$STATUS" -eq 0 ] || { cat "$T/clockfile.out"; fail "--clock-file: exit $STATUS"; }
	grep -q 'verdicts differ on 0$' "$T/clockfile.out" || fail "--clock-file: the simulator disagrees"
	if grep '^SKIP' "$T/clockfile.out" | grep -qv -e 'needs a target that conform launched' -e 'not replayed live'; then
		fail "--clock-file: unexpected skips"
	fi
	ok "a running coordd with its clock file: $(grep -c '^PASS' "$T/clockfile.out") passed, $(grep -c '^SKIP' "$T/clockfile.out") skipped (coordinator crashes need --launch)"
	ln -s "$T/clock" "$T/clock-link"
	run clocklink "$RC" conform --target "$URL" --clock-file "$T/clock-link" --secret-file "$T/secret" \
		scenarios/stale-after-2-min.scn
	[ "$STATUS" -eq 0 ] && [ -L "$T/clock-link" ] ||
		{ cat "$T/clocklink.out"; fail "--clock-file through a symbolic link: exit $STATUS"; }
	ok "--clock-file through a symbolic link moves the target's clock and leaves the link a link"
	start_listening realclock "$COORDD" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/real.db" || return
	run wrongclock "$RC" conform --target "$URL" --clock-file "$T/clock" --secret-file "$T/secret" scenarios/stale-after-2-min.scn
	expect_error wrongclock 2 3000 "^rollcall conform: the target $URL dates its replies .* while conform holds its clock at 2026-01-10"
	run ignoredate "$RC" conform --ignore-date --target "$URL" --clock-file "$T/clock" --secret-file "$T/secret" \
		scenarios/stale-after-2-min.scn
	expect_error ignoredate 1 5000 "^FAIL  stale-after-2-min "
	run noclock "$RC" conform --target "$URL" --secret-file "$T/secret" scenarios/
	[ "$STATUS" -eq 0 ] || { cat "$T/noclock.out"; fail "no clock: exit $STATUS"; }
	grep -q "^SKIP  stale-after-2-min .*needs the target's clock to move" "$T/noclock.out" || fail "no clock: stale-after-2-min not skipped"
	grep -q '^PASS  sandbox-illegal-transitions-409 ' "$T/noclock.out" || fail "no clock: sandbox-illegal-transitions-409 did not run"
	ok "a running coordd without its clock: $(grep -c '^PASS' "$T/noclock.out") passed, $(grep -c '^SKIP' "$T/noclock.out") skipped (they need the clock to move)"
}

# expect_error NAME STATUS MAX_MS PATTERN: the last run's outcome.
expect_error() {
	if [ "$STATUS" -eq "$2" ] && [ "$MS" -lt "$3" ] && grep -q -- "$4" "$T/$1.out"; then
		ok "$1: exit $STATUS in $MS ms: $(grep -m1 -- "$4" "$T/$1.out" | sed 's/^ *//' | cut -c1-110)"
	else
		cat "$T/$1.out"; fail "$1: exit $STATUS in $MS ms, want $2 within $3 ms and /$4/"
	fi
}

check_errors() {
	local port
	port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run down "$RC" conform --target "http://127.0.0.1:$port" scenarios/stale-after-2-min.scn
	expect_error down 2 3000 "fails its health check: no answer"
	start_listening garbage $PY tests/conform/fake_target.py garbage || return
	run garbage "$RC" conform --target "$URL" scenarios/sandbox-unknown-404.scn
	expect_error garbage 2 3000 "off-protocol reply"
	start_listening half $PY tests/conform/fake_target.py half || return
	run half "$RC" conform --target "$URL" scenarios/sandbox-unknown-404.scn
	expect_error half 1 3000 "is off-protocol: reply body is not a JSON object"
	grep -q "^      response: 200 <html>" "$T/half.out" || fail "half: the failing response is not shown"
	run half2 "$RC" conform --target "$URL" scenarios/sandbox-unknown-404.scn scenarios/register-bad-secret-401.scn
	expect_error half2 2 3000 "^ERROR register-bad-secret-401 "
	grep -q "not run: an earlier error" "$T/half2.out" || fail "half2: the scenario after the garbage was not stopped"
	start_listening bytes $PY tests/conform/fake_target.py bytes || return
	run bytes "$RC" conform --junit "$T/bytes.xml" --target "$URL" scenarios/sandbox-unknown-404.scn
	expect_error bytes 1 3000 "is off-protocol: reply body is not a JSON object"
	xmllint --noout "$T/bytes.xml" 2>"$T/bytes.xmllint" && ok "bytes: the JUnit file is well-formed" ||
		{ cat "$T/bytes.xmllint"; fail "bytes: a reply that is not UTF-8 makes the JUnit file malformed"; }
	if LC_ALL=C grep -q $'[\x01\x07\x1b\x9b]' "$T/bytes.out"; then
		fail "bytes: the reply's control characters reached the terminal"
	else
		ok "bytes: the reply's control characters and escapes are shown as '?'"
	fi
	start_listening hang $PY tests/conform/fake_target.py hang || return
	run hang "$RC" conform --timeout 500ms --target "$URL" scenarios/stale-after-2-min.scn
	expect_error hang 2 3000 "no answer within the request timeout"
	start_listening stall $PY tests/conform/fake_target.py stall || return
	run stall "$RC" conform --timeout 500ms --target "$URL" scenarios/sandbox-unknown-404.scn scenarios/sandbox-happy-path.scn
	expect_error stall 2 3000 "no answer from the target to POST /api/v1/sandboxes: no answer within the request timeout"
	run exits "$RC" conform --launch false scenarios/stale-after-2-min.scn scenarios/sandbox-happy-path.scn
	expect_error exits 2 3000 "exited with status 1 before it was ready"
	# the replay line, pasted into a shell, runs the same thing
	run quoted "$RC" conform --launch-timeout 1s --launch "sh -c 'echo it is out >&2; exit 3'" scenarios/stale-after-2-min.scn
	expect_error quoted 2 3000 "exited with status 3"
	run replayed bash -c "$(sed -n 's/^ *replay: //p' "$T/quoted.out")"
	expect_error replayed 2 3000 "exited with status 3 before it was ready (sh); its last words:"
	grep -q 'it is out' "$T/replayed.out" || fail "replayed: not the same command"
	run mute "$RC" conform --launch-timeout 1s --launch "sh -c 'sleep 37.25' sh {db}" scenarios/stale-after-2-min.scn
	expect_error mute 2 4000 'never printed "listening on HOST:PORT"'
	if pgrep -f 'sleep 37.25' >/dev/null; then fail "mute: the launched target was left running"; fi
	start_listening busy $PY tests/conform/fake_target.py half || return
	run busy "$RC" conform --target "$URL" --launch "$COORDD --listen ${URL#http://} --secret-file {secret_file} --db {db}" \
		scenarios/sandbox-unknown-404.scn
	expect_error busy 2 3000 "something already answers at $URL before the target starts"
	# {port} is picked before the target binds it: another program may take it
	# first. A target that then says "Address already in use" is started again
	# on another port (here the first start only pretends).
	cat > "$T/busy-once.sh" <<-EOF
		#!/bin/sh
		if [ ! -e "$T/busy-once.tried" ]; then
			: > "$T/busy-once.tried"
			echo "bind 127.0.0.1:\$1: Address already in use" >&2
			exit 1
		fi
		exec "$PWD/$COORDD" --listen "127.0.0.1:\$1" --secret-file "\$2" --db "\$3"
	EOF
	chmod +x "$T/busy-once.sh"
	run portrace "$RC" conform --launch "$T/busy-once.sh {port} {secret_file} {db}" scenarios/stale-after-2-min.scn
	expect_error portrace 0 5000 "its port was taken before it bound it; another port (1 of 3)"
	grep -q "^PASS  stale-after-2-min" "$T/portrace.out" || fail "portrace: the scenario did not pass on the second port"
	rm -f "$T/busy-once.tried"
	run portrace-always "$RC" conform --launch "sh -c 'echo Address already in use >&2; exit 1' sh {port}" \
		scenarios/stale-after-2-min.scn
	expect_error portrace-always 2 5000 "exited with status 1 before it was ready"
	[ "$(grep -c 'another port' "$T/portrace-always.out")" = 3 ] || fail "portrace-always: not three more ports"
	run nolib "$RC" conform --faketime-lib /nonexistent.so --launch "$COORDD" scenarios/stale-after-2-min.scn
	expect_error nolib 2 2000 "libfaketime not found"
	printf 'not a library\n' > "$T/not-a-lib.so"
	run notlib "$RC" conform --faketime-lib "$T/not-a-lib.so" --launch "$COORDD" scenarios/stale-after-2-min.scn
	expect_error notlib 2 2000 "the target runs without libfaketime"
	# a statically linked target would ignore LD_PRELOAD and run on the real
	# clock: refused before it runs (libc.a comes with build-essential)
	printf 'int main(void) { return 0; }\n' > "$T/static.c"
	if cc -static -o "$T/static-target" "$T/static.c" 2>"$T/static.cc"; then
		run static "$RC" conform --launch "$T/static-target --listen {port}" scenarios/stale-after-2-min.scn
		expect_error static 2 2000 "^rollcall conform: $T/static-target is statically linked, so libfaketime"
		grep -q '^ERROR\|^PASS' "$T/static.out" && fail "static: a scenario ran against the static target"
	else
		cat "$T/static.cc"; fail "static: cannot link a static program (cc -static)"
	fi
	# a dynamic program that escapes libfaketime all the same (here: its
	# command drops LD_PRELOAD) dates its replies by the real clock: an error
	# before the scenario runs, not a verdict on timers it never saw move
	run escaped "$RC" conform --launch "env -u LD_PRELOAD $COORDD" scenarios/stale-after-2-min.scn
	expect_error escaped 2 3000 "the target dates its replies .* it does not read the clock libfaketime moves"
	grep -q '^FAIL\|^PASS' "$T/escaped.out" && fail "escaped: a scenario was judged against a target on the real clock"
	run usage "$RC" conform scenarios/stale-after-2-min.scn
	expect_error usage 2 2000 "give --target URL"
	# a command that cannot be split is bad usage, said before any scenario starts
	run unsplit "$RC" conform --launch "$COORDD 'x" scenarios/stale-after-2-min.scn
	expect_error unsplit 2 2000 "^rollcall conform: --launch: cannot split the command"
}

# left_behind NAME DIR: no process mentions DIR and DIR holds nothing; a
# process left behind is reported and killed by its PID. Status 1 after a
# failure.
left_behind() {
	local p pids status=0
	pids=$(pgrep -f -- "$2/")
	if [ -n "$pids" ]; then
		fail "$1: a launched target was left running: $(ps -o args= -p "${pids%%$'\n'*}")"
		for p in $pids; do kill -KILL "$p" 2>/dev/null; done
		status=1
	fi
	if [ -n "$(ls -A "$2")" ]; then fail "$1: scratch folders left behind: $(ls "$2")"; status=1; fi
	return $status
}

# conform with one coordd for endless seeds, stopped by signal $2 once the
# target is up.
interrupt_with() {
	local name=$1 sig=$2 work=$T/work-$1 pid i
	mkdir -p "$work"
	"$RC" conform --launch "$COORDD" --reuse --work-dir "$work" --seeds 1-1000000 scenarios/stale-after-2-min.scn \
		> "$T/$name.out" 2>&1 &
	pid=$!
	for i in $(seq 1 250); do
		ls "$work"/rollcall-conform-*/*/stdout.log > /dev/null 2>&1 && break
		sleep 0.02
	done
	kill "-$sig" "$pid"
	wait "$pid"
	left_behind "$name" "$work"
}

check_interrupts() {
	local work=$T/work-pipe clean=yes
	interrupt_with sigterm TERM || clean=no
	interrupt_with sigint INT || clean=no
	mkdir -p "$work"
	# head leaves after the first line: conform's next line meets a closed pipe
	"$RC" conform --launch "$COORDD" --reuse --work-dir "$work" scenarios/ | head -1 > /dev/null
	left_behind sigpipe "$work" || clean=no
	[ $clean = yes ] && ok "SIGTERM, SIGINT and a closed output pipe: no target left running, no scratch folder left"
	# SIGKILL runs no handler: the kernel stops the target (its parent-death
	# signal); the scratch folder stays, as nothing can remove it.
	work=$T/work-kill
	mkdir -p "$work"
	"$RC" conform --launch "$COORDD" --reuse --work-dir "$work" --seeds 1-1000000 scenarios/stale-after-2-min.scn \
		> "$T/sigkill.out" 2>&1 &
	local pid=$! i
	for i in $(seq 1 250); do
		ls "$work"/rollcall-conform-*/*/stdout.log > /dev/null 2>&1 && break
		sleep 0.02
	done
	kill -KILL "$pid"
	{ wait "$pid"; } 2> /dev/null # not bash's "Killed" line
	for i in $(seq 1 250); do
		pgrep -f -- "$work/" > /dev/null || break
		sleep 0.02
	done
	rm -rf "$work"/rollcall-conform-*
	left_behind sigkill "$work" && ok "SIGKILL: no target left running"
}

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(library valgrind dialect modes errors interrupts)
for c in "${checks[@]}"; do
	echo "conform: $c"
	t0=$(now_ms)
	"check_$c"
	echo "  ($c: $(( $(now_ms) - t0 )) ms)"
done
if [ "$FAILS" -gt 0 ]; then
	echo "conform tests: $FAILS failed"
	exit 1
fi
echo "conform tests: all passed"
