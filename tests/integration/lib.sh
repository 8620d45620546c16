# lib.sh - shared helpers of the integration tests (sourced by test_*.sh).
#
# Real binaries, real HTTP (the curl command line), real signals. Each daemon
# gets its own libfaketime clock file ($T/NAME.clock, an offset like "+180"
# read on every clock call thanks to FAKETIME_NO_CACHE=1), so a test moves a
# daemon's time forward without waiting for it. Ports are picked by the
# daemons (port 0) and read back from their "listening on" line. Everything a
# test starts is killed when it exits.
#
# RC_IT_VALGRIND=1 runs the daemons under valgrind memcheck; any error in
# their logs fails the test. RC_IT_KEEP=1 keeps the scratch directory.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${RC_BIN:-$ROOT/build/bin}
FAKETIME_LIB=${RC_FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1}
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/rc-it-$TEST_NAME-XXXXXX")
VALGRIND=${RC_IT_VALGRIND:-0}
SLOW=1
[ "$VALGRIND" = 1 ] && SLOW=15
FAILS=0
CHECKS=0
PIDS=()

printf 'X-Runner-Secret: it-secret-%s\n' "$$" > "$T/secret.header"
printf 'it-secret-%s\n' "$$" > "$T/secret"
printf 'X-Runner-Secret: wrong-secret\n' > "$T/wrong.header"

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ -n "${RC_IT_KEEP:-}" ]; then echo "  (kept $T)"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok() { CHECKS=$((CHECKS + 1)); echo "  ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "  FAIL: $*"; }
# check "what" COMMAND...: ok when the command succeeds.
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# check_eq "what" EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi; }

now_ms() { local us=${EPOCHREALTIME/./}; echo $((us / 1000)); }

# Poll COMMAND every 20 ms for at most SECONDS (scaled under valgrind).
wait_until() {
	local limit_ms=$(( $(now_ms) + $1 * 1000 * SLOW )); shift
	while ! "$@"; do
		[ "$(now_ms)" -ge "$limit_ms" ] && return 1
		sleep 0.02
	done
	return 0
}

# Move the clock of the daemons reading $T/NAME.clock to real time + OFFSET s
# (atomically: a daemon never reads a half-written file). Sets MOVED_MS, the
# real time just after the move, without starting a process.
set_clock() {
	printf '%s\n' "$2" > "$T/$1.clock.tmp" && mv "$T/$1.clock.tmp" "$T/$1.clock"
	local us=${EPOCHREALTIME/./}
	MOVED_MS=$((us / 1000))
}

# Move clock NAME so that it reads TARGET_MS (epoch ms) now.
clock_to() {
	local us=${EPOCHREALTIME/./}
	set_clock "$1" "$(awk -v t="$2" -v now=$((us / 1000)) 'BEGIN { printf "%+.3f", (t - now) / 1000 }')"
}

# The time (epoch ms, the daemon's clock) of the last JSON log line of FILE
# matching a jq condition; empty when none.
log_time_ms() {
	local ts
	ts=$(jq -r "select($2) | .ts" "$1" 2>/dev/null | tail -1)
	[ -n "$ts" ] && date -d "$ts" +%s%3N
}

# The command prefix that runs a daemon on clock NAME (and under valgrind).
daemon_prefix() {
	local clock=$1 log=$2
	[ -f "$T/$clock.clock" ] || set_clock "$clock" +0
	PREFIX=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$T/$clock.clock" FAKETIME_NO_CACHE=1)
	if [ "$VALGRIND" = 1 ]; then
		PREFIX+=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
			 --track-fds=no "--log-file=$T/valgrind-$log-%p.log")
	fi
}

# Wait for "WORDS ADDR:PORT" in FILE; print PORT.
read_port() {
	local file=$1 words=$2
	wait_until 5 grep -q "^$words " "$file" || return 1
	sed -n "s/^$words [0-9.]*:\([0-9]*\)$/\1/p" "$file" | head -1
}

# start_coordd NAME [--listen ADDR] [extra args]: clock NAME, db $T/NAME.db.
# Sets NAME_PID, NAME_PORT and BASE (the URL the http helper talks to).
start_coordd() {
	local name=$1 listen=127.0.0.1:0; shift
	if [ "${1-}" = --listen ]; then listen=$2; shift 2; fi
	daemon_prefix "$name" "$name"
	: > "$T/$name.out"
	"${PREFIX[@]}" "$BIN/rollcall-coordd" --listen "$listen" --secret-file "$T/secret" --db "$T/$name.db" \
		--log-format json "$@" > "$T/$name.out" 2>> "$T/$name.log" &
	local pid=$! port
	PIDS+=("$pid")
	port=$(read_port "$T/$name.out" "listening on") || { fail "$name did not start"; cat "$T/$name.log"; return 1; }
	printf -v "${name}_PID" '%s' "$pid"
	printf -v "${name}_PORT" '%s' "$port"
	BASE=http://127.0.0.1:$port
}

# start_runnerd NAME COORD_PORT STATE_DIR [--clock C] [args...]: the
# properties default to host "it-host", project "/it/project", executor "it".
# The secret comes from $T/secret, or with SECRET_FROM_ENV=1 from the
# environment variable ROLLCALL_RUNNER_SECRET.
# Sets NAME_PID and NAME_STATUS (the URL of its /status).
start_runnerd() {
	local name=$1 port=$2 dir=$3 clock=$1; shift 3
	if [ "${1-}" = --clock ]; then clock=$2; shift 2; fi
	daemon_prefix "$clock" "$name"
	local secret=(--secret-file "$T/secret")
	if [ "${SECRET_FROM_ENV:-0}" = 1 ]; then
		secret=()
		PREFIX=("${PREFIX[0]}" "ROLLCALL_RUNNER_SECRET=$(cat "$T/secret")" "${PREFIX[@]:1}")
	fi
	: > "$T/$name.out"
	"${PREFIX[@]}" "$BIN/rollcall-runnerd" --coordinator "http://127.0.0.1:$port" --state-dir "$dir" \
		--hostname it-host --project-dir /it/project --executor-type it "${secret[@]}" \
		--status-listen 127.0.0.1:0 --log-format json "$@" > "$T/$name.out" 2>> "$T/$name.log" &
	local pid=$! sport
	PIDS+=("$pid")
	printf -v "${name}_PID" '%s' "$pid"
	sport=$(read_port "$T/$name.out" "status listening on") || { fail "$name did not start"; cat "$T/$name.log"; return 1; }
	printf -v "${name}_STATUS" '%s' "http://127.0.0.1:$sport/status"
}

# Send SIGNAL (0: none) to PID and wait at most SECONDS for it to exit; sets
# EXIT_CODE (its exit status, 128+N when killed by signal N, 124 when it did
# not exit in time). Must run in the test's shell, not in $(...): only the
# parent can collect the status.
stop_daemon() {
	local pid=$1 sig=${2:-TERM} secs=${3:-5}
	[ "$sig" = 0 ] || kill -"$sig" "$pid" 2>/dev/null
	if ! wait_until "$secs" not_running "$pid"; then EXIT_CODE=124; return; fi
	wait "$pid" 2>/dev/null
	EXIT_CODE=$?
}
# A process that exited but was not waited for yet is a zombie: not running.
not_running() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ]
}
running() { ! not_running "$1"; }

# http METHOD PATH [BODY] [curl args...]: against $BASE. Sets STATUS and BODY.
http() {
	local method=$1 path=$2 body=${3-}
	shift $(( $# >= 3 ? 3 : 2 ))
	local args=(-s -o "$T/response" -w '%{http_code}' --max-time $((5 * SLOW)) -X "$method")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	STATUS=$(curl "${args[@]}" "$@" "$BASE$path")
	BODY=$(cat "$T/response" 2>/dev/null)
}
# The same with the runner secret.
rhttp() { local m=$1 p=$2 b=${3-}; shift $(( $# >= 3 ? 3 : 2 )); http "$m" "$p" "$b" -H "@$T/secret.header" "$@"; }

# jq over the last BODY.
jbody() { printf '%s' "$BODY" | jq -r "$1"; }

# Count JSON log lines of FILE matching a jq condition.
log_count() { jq -c "select($2)" "$1" 2>/dev/null | wc -l; }

# Valgrind: every log of this test must be empty (-q prints only errors).
check_valgrind() {
	[ "$VALGRIND" = 1 ] || return 0
	local f bad=0
	for f in "$T"/valgrind-*.log; do
		[ -e "$f" ] || continue
		if [ -s "$f" ]; then bad=1; echo "  valgrind errors in $(basename "$f"):"; head -40 "$f"; fi
	done
	if [ $bad = 0 ]; then ok "valgrind: 0 errors in $(ls "$T"/valgrind-*.log 2>/dev/null | wc -l) daemon run(s)"
	else fail "valgrind reported errors"; fi
}

# End of a test: summary line and exit status.
finish() {
	check_valgrind
	if [ "$FAILS" -gt 0 ]; then
		echo "$TEST_NAME: $FAILS of $CHECKS checks failed"
		if [ -n "${RC_IT_VERBOSE:-}" ]; then for f in "$T"/*.log; do echo "--- $f"; tail -30 "$f"; done; fi
		exit 1
	fi
	echo "$TEST_NAME: $CHECKS checks passed"
	exit 0
}
