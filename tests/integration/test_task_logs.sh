# test_task_logs.sh - runnerd keeps the logs of the newest --keep-task-logs
# finished tasks under DIR/tasks/ and deletes older ones, at start (what an
# earlier run left) and as tasks finish; files that are not task logs stay.
# (Before, every log stayed for ever.)
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
mkdir -p "$T/s/tasks"
echo old > "$T/s/tasks/task-99-1.log"
echo mine > "$T/s/tasks/notes.txt"
for i in 1 2 3; do
	http POST /tasks "{\"kind\": \"shell\", \"payload\": \"echo task $i\"}"
	check_eq "task $i submitted" 201 "$STATUS"
done

start_runnerd r "$c_PORT" "$T/s" --keep-task-logs 1 || finish
# One claim per heartbeat (20 s): the runner's clock moves on after each task.
completed() { http GET "/tasks/$1"; [ "$(jbody .state)" = completed ]; }
for i in 1 2 3; do
	check "task $i completes" wait_until 3 completed $i
	set_clock r "+$((21 * i))"
done
logs() { (cd "$T/s/tasks" && ls task-*.log 2>/dev/null | tr '\n' ' '); }
one_log_left() { [ "$(logs)" = "task-3-1.log " ]; }
check "only the newest finished task's log is left" wait_until 2 one_log_left
check "... with its output" grep -q "task 3" "$T/s/tasks/task-3-1.log"
check "a file that is not a task log stays" test -s "$T/s/tasks/notes.txt"
check "the deletions are logged" grep -q '"event":"task-logs".*"deleted' "$T/r.log"

stop_daemon "$r_PID" TERM 3
check_eq "runnerd drains and exits 0" 0 "$EXIT_CODE"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
