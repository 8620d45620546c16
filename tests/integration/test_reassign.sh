# test_reassign.sh - a task on a silent runner goes to another runner once
# the coordinator's clock passes the 60 s task timeout, and the old owner's
# late completion is refused (403): the task completes once.
#
# All three daemons share one clock file, so the jump of 70 s also makes the
# second runner's heartbeat (and with it its claim) due at once. The first
# runnerd is frozen with SIGSTOP; its task process (its own process group) is
# not, and simply waits for a release file like the second attempt's does.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
http POST /tasks "{\"kind\": \"shell\", \"payload\": \"while [ ! -e $T/release ]; do sleep 0.05; done; echo attempt \$ROLLCALL_ATTEMPT > $T/out.\$ROLLCALL_ATTEMPT\"}"
check_eq "task submitted" 201 "$STATUS"
task=$(jbody .task_id)

task_field() { http GET "/tasks/$task"; jbody ".$1"; }
task_is() { http GET "/tasks/$task"; [ "$(jbody '.state + " " + (.attempt | tostring)')" = "$1 $2" ]; }

start_runnerd r1 "$c_PORT" "$T/s1" --clock c --hostname host-1 || finish
check "r1 claims the task (attempt 1)" wait_until 3 task_is running 1
id1=$(task_field runner_id)
start_runnerd r2 "$c_PORT" "$T/s2" --clock c --hostname host-2 || finish
r2_registered() { test -s "$T/s2/registration.json"; }
check "r2 registered" wait_until 3 r2_registered
id2=$(jq -r .runner_id "$T/s2/registration.json")
check "two different runners" [ "$id1" != "$id2" -a -n "$id1" ]

kill -STOP "$r1_PID"
set_clock c +70
check "after +70 s the task runs again as attempt 2" wait_until 3 task_is running 2
check_eq "... on r2" "$id2" "$(task_field runner_id)"

touch "$T/release"
check "attempt 2 completes" wait_until 3 task_is completed 2
check_eq "... credited to r2" "$id2" "$(task_field runner_id)"

kill -CONT "$r1_PID"
r1_refused() { [ "$(log_count "$T/r1.log" '.event == "request" and .op == "task-complete" and .status == 403')" -ge 1 ]; }
check "r1's late completion of attempt 1 gets 403" wait_until 3 r1_refused
check "the process of attempt 1 did run to its end" test -e "$T/out.1"
http GET "/tasks/$task"
check_eq "task still completed by attempt 2" "completed 2 $id2" "$(jbody '.state + " " + (.attempt | tostring) + " " + .runner_id')"
check_eq "completed exactly once (coordd log)" 1 \
	"$(log_count "$T/c.log" ".event == \"task-state\" and .task_id == $task and .to == \"completed\"")"
check_eq "one refusal of a stale attempt (coordd log)" 1 \
	"$(log_count "$T/c.log" '.event == "rejected" and .op == "task-complete" and .status == 403')"

stop_daemon "$r1_PID" TERM
check_eq "r1 drains and exits 0" 0 "$EXIT_CODE"
stop_daemon "$r2_PID" TERM
check_eq "r2 drains and exits 0" 0 "$EXIT_CODE"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
