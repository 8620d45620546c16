# test_task_leftovers.sh - a task whose main process exits while a child it
# started in the background (ignoring SIGTERM) still runs: the task completes,
# and what it left in its process group is killed and reaped at once, so
# nothing of it outlives the task (or runnerd), and runnerd then stops
# without waiting on it.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
cmd="(trap '' TERM; while :; do sleep 0.05; done) & echo \$! > $T/bg.pid; echo started"
http POST /tasks "$(jq -n --arg p "$cmd" '{kind: "shell", payload: $p}')"
check_eq "task submitted" 201 "$STATUS"
task=$(jbody .task_id)

start_runnerd r "$c_PORT" "$T/s" || finish
completed() { http GET "/tasks/$task"; [ "$(jbody .state)" = completed ]; }
check "the task completes when its main process exits" wait_until 3 completed
check "its background child had started" test -s "$T/bg.pid"
PIDS+=("$(cat "$T/bg.pid")") # killed at the end should the test fail
pgid=$(jq -r 'select(.event == "proc-start") | .pid' "$T/r.log" | head -1)
group_gone() { ! kill -0 "-$pgid" 2>/dev/null; }
check "what the task left in its process group is killed" wait_until 2 group_gone
check "... and the log says so" wait_until 2 grep -q '"event":"leftovers".*"task 1 attempt 1 left processes' "$T/r.log"
check "... and reaped (no zombie)" test ! -e "/proc/$(cat "$T/bg.pid")"

stop_daemon "$r_PID" TERM 3
check_eq "runnerd drains and exits 0" 0 "$EXIT_CODE"
stop_ms=$(log_time_ms "$T/r.log" '.event == "stopped"')
exit_ms=$(log_time_ms "$T/r.log" '.event == "exit"')
check "runnerd stops at once: nothing left to wait for ($((stop_ms - exit_ms)) ms)" [ $((stop_ms - exit_ms)) -lt 1000 ]

stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
