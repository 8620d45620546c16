# test_fifo_files.sh - a FIFO where a daemon reads a file never hangs it.
# A secret FIFO nobody writes to is refused at start (exit 2), and on SIGHUP
# keeps the current secret with an error logged while coordd goes on serving;
# a pipe whose writer stays silent is given up on (1 s of the clock at most);
# a pipe that does deliver (--secret-file <(cat FILE)) is a good secret. A
# FIFO as coordd's database or as a file of runnerd's state directory is
# refused as not a regular file and left as it was, and one as a task's log
# fails that task's start. (Before, open() waited for a writer for ever,
# deaf to SIGTERM.) rollcall's output files: a FIFO nobody reads is "no
# reader on FIFO X", exit 2, the results kept (it waited for a reader for
# ever at the end of the run); one that is read gets the output.
. "$(dirname "$0")/lib.sh"

# refused NAME WHY COMMAND...: a daemon that must exit 2 by itself at once,
# its stderr (in $T/NAME.log) saying WHY.
refused() {
	local name=$1 why=$2; shift 2
	daemon_prefix "$name" "$name"
	"${PREFIX[@]}" "$@" > "$T/$name.out" 2> "$T/$name.log" &
	local pid=$!
	PIDS+=("$pid")
	set_clock "$name" +30 # ends a wait on a silent pipe at once
	stop_daemon "$pid" 0 3
	check_eq "$name: exits 2" 2 "$EXIT_CODE"
	check "$name: says '$why'" grep -q -- "$why" "$T/$name.log"
}
coordd_args() { echo "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --db "$T/$1.db"; }
runnerd=("$BIN/rollcall-runnerd" --coordinator http://127.0.0.1:1 --hostname it-host --project-dir /p
	--executor-type it)

# --- secrets at start ---------------------------------------------------------
mkfifo "$T/nobody.fifo"
refused c-nobody "secret file $T/nobody.fifo is empty" $(coordd_args c-nobody) --secret-file "$T/nobody.fifo"
refused r-nobody "secret file $T/nobody.fifo is empty" "${runnerd[@]}" --state-dir "$T/r-nobody" \
	--secret-file "$T/nobody.fifo"
check "... and made no database" test ! -e "$T/c-nobody.db"

mkfifo "$T/silent.fifo"
exec 3<> "$T/silent.fifo" # a writer that never writes
refused c-silent "no end of file within 1000 ms" $(coordd_args c-silent) --secret-file "$T/silent.fifo"
exec 3>&-

start_coordd p --secret-file <(cat "$T/secret") || finish
rhttp POST /runners/register '{"hostname":"h","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
check_eq "a secret from a pipe that delivers it is the secret" 200 "$STATUS"
stop_daemon "$p_PID" TERM

# --- SIGHUP -------------------------------------------------------------------
start_coordd c || finish
kept() { [ "$(log_count "$T/c.log" '.level == "error" and (.message | test("keeping the current secret"))')" -ge "$1" ]; }
serving_old_secret() {
	rhttp POST /runners/register '{"hostname":"h","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
	[ "$STATUS" = 200 ]
}
rm "$T/secret" && mkfifo "$T/secret"
kill -HUP "$c_PID"
check "SIGHUP on a FIFO nobody writes to: an error logged" wait_until 3 kept 1
check "... and coordd still serves, with the current secret" serving_old_secret

exec 3<> "$T/secret"
kill -HUP "$c_PID"
set_clock c +30
check "SIGHUP on a FIFO whose writer stays silent: given up on, logged" wait_until 3 kept 2
check "... and coordd still serves, with the current secret" serving_old_secret
exec 3>&-
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"

# --- files that must be regular -----------------------------------------------
printf 'it-secret\n' > "$T/good.secret"
mkfifo "$T/db.fifo"
refused c-db "$T/db.fifo is a FIFO, not a regular file" "$BIN/rollcall-coordd" --listen 127.0.0.1:0 \
	--secret-file "$T/good.secret" --db "$T/db.fifo"
check "... left as it was" test -p "$T/db.fifo" -a ! -e "$T/db.fifo-wal" -a ! -e "$T/db.fifo-journal"

for f in instance-token registration.json lock; do
	mkdir "$T/st-$f" && mkfifo "$T/st-$f/$f"
	refused "r-$f" "$T/st-$f/$f is a FIFO, not a regular file" "${runnerd[@]}" --state-dir "$T/st-$f" \
		--secret-file "$T/good.secret"
	check "... left as it was" test -p "$T/st-$f/$f"
done

# --- a task log ---------------------------------------------------------------
# A FIFO under the name of the first task's log: that start fails (logged),
# and the runner still drains and exits on SIGTERM.
rm -f "$T/secret" && cp "$T/good.secret" "$T/secret" # a file again, after the SIGHUP cases
start_coordd t || finish
http POST /tasks '{"kind": "shell", "payload": "echo hi"}'
check_eq "task submitted" 201 "$STATUS"
mkdir -p "$T/st-log/tasks" && mkfifo "$T/st-log/tasks/task-1-1.log"
start_runnerd rl "$t_PORT" "$T/st-log" || finish
start_failed() { grep -q '"event":"proc-start-failed"' "$T/rl.log"; }
check "a FIFO as a task's log: that start fails, logged" wait_until 3 start_failed
stop_daemon "$rl_PID" TERM 3
check_eq "... and runnerd still drains and exits 0" 0 "$EXIT_CODE"
check "... the FIFO left as it was" test -p "$T/st-log/tasks/task-1-1.log"
stop_daemon "$t_PID" TERM

# --- rollcall's output files ----------------------------------------------------
# Each command under `timeout`: a hang is exit 124, not a stuck test.
RC=$BIN/rollcall
SCN=$ROOT/scenarios/timeout-reassignment.scn
mkfifo "$T/out.fifo"
timeout 3 "$RC" run --seeds 1 --junit "$T/out.fifo" "$SCN" > "$T/run.out" 2> "$T/run.err"
check_eq "run --junit FIFO without a reader exits 2 (no hang)" 2 "$?"
check "... saying so" grep -qx "rollcall run: --junit: no reader on FIFO $T/out.fifo" "$T/run.err"
check "... after the results" grep -q "^total: 1 scenario" "$T/run.out"
check "... the FIFO left as it was" test -p "$T/out.fifo"
timeout 3 "$RC" sim --runners 2 --duration 1h --trace "$T/out.fifo" > /dev/null 2> "$T/sim.err"
check_eq "sim --trace FIFO without a reader exits 2 (no hang)" 2 "$?"
check "... saying so" grep -qx "rollcall sim: --trace: no reader on FIFO $T/out.fifo" "$T/sim.err"
timeout 3 "$RC" timeline "$SCN" -o "$T/out.fifo" > /dev/null 2> "$T/tl.err"
check_eq "timeline -o FIFO without a reader exits 2 (no hang)" 2 "$?"
check "... saying so" grep -qx "rollcall timeline: -o: no reader on FIFO $T/out.fifo" "$T/tl.err"
# A reader gets the output. (The shell holds the FIFO open on fd 5 until the run is over,
# so that there is a reader whenever cat starts, and cat sees its end only then.)
exec 5<> "$T/out.fifo"
timeout 3 cat < "$T/out.fifo" > "$T/fifo.xml" 5>&- &
reader=$!
timeout 3 "$RC" run --seeds 1 --junit "$T/out.fifo" "$SCN" > /dev/null 2> "$T/run.err"
check_eq "run --junit FIFO with a reader exits 0" 0 "$?"
reading() { [ "$(readlink "/proc/$reader/fd/0")" = "$T/out.fifo" ]; }
wait_until 3 reading
exec 5>&-
wait "$reader"
check "... and the reader gets the JUnit XML" grep -qx "</testsuites>" "$T/fifo.xml"
# A FIFO under the name of a trace of --trace-dir: that trace is not written (exit 2),
# the others are.
mkdir "$T/traces" && mkfifo "$T/traces/stale-too-early.seed1.jsonl"
timeout 3 "$RC" run --seeds 1-2 --trace-dir "$T/traces" "$ROOT/fixtures/scenarios-failing/stale-too-early.scn" \
	> /dev/null 2> "$T/run.err"
check_eq "run --trace-dir with a FIFO under a trace's name exits 2 (no hang)" 2 "$?"
check "... naming it" grep -q "no reader on FIFO $T/traces/stale-too-early.seed1.jsonl" "$T/run.err"
check "... and writes the other trace" test -s "$T/traces/stale-too-early.seed2.jsonl"
check "... the FIFO left as it was" test -p "$T/traces/stale-too-early.seed1.jsonl"
finish
