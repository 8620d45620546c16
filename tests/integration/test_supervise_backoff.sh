# test_supervise_backoff.sh - runnerd restarts a crashing task process after
# 1, 2, 4, 8, 16 s (its own clock, moved by libfaketime) and gives up after 5
# restarts: the task is then reported failed, once.
#
# Each time, the runner's clock is moved to 0.3 s past the backoff after the
# crash. That no restart came early is read from runnerd's log: the gaps
# between its proc-exit and proc-start lines (timestamps on the runner's faked
# clock) are the delays the supervisor used.
# The runner takes its secret from ROLLCALL_RUNNER_SECRET here; the task
# process must not inherit it.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
http POST /tasks "{\"kind\": \"shell\", \"payload\": \"echo run \$ROLLCALL_TASK_ID/\$ROLLCALL_ATTEMPT [\${ROLLCALL_RUNNER_SECRET-}] >> $T/runs; exit 3\"}"
check_eq "task submitted" 201 "$STATUS"
task=$(jbody .task_id)
SECRET_FROM_ENV=1 start_runnerd r "$c_PORT" "$T/s" || finish

starts() { log_count "$T/r.log" '.event == "proc-start"'; }
starts_are() { [ "$(starts)" -ge "$1" ]; }
check "first run" wait_until 3 starts_are 1
exits_are() { [ "$(log_count "$T/r.log" '.event == "proc-exit"')" -ge "$1" ]; }
for delay in 1 2 4 8 16; do
	n=$(starts)
	wait_until 2 exits_are "$n"
	crashed=$(log_time_ms "$T/r.log" '.event == "proc-exit"')
	clock_to r $((crashed + delay * 1000 + 300))
	check "restart after the ${delay} s backoff" wait_until 2 starts_are $((n + 1))
done
wait_until 2 exits_are 6
clock_to r $(( $(log_time_ms "$T/r.log" '.event == "proc-exit"') + 60000 ))
sleep 0.2
check_eq "no sixth restart: given up after 5" 6 "$(starts)"
check_eq "the command ran 6 times" 6 "$(wc -l < "$T/runs")"
check_eq "... as the task's attempt, without the runner's secret" "run $task/1 []" "$(sort -u "$T/runs")"

# Gap from each crash (proc-exit) to the next start.
gaps=$(jq -r 'select(.event == "proc-start" or .event == "proc-exit") | .event + " " + .ts' "$T/r.log" |
	while read -r ev ts; do echo "$ev $(date -d "$ts" +%s%3N)"; done |
	awk '$1 == "proc-exit" { crash = $2 } $1 == "proc-start" && crash { printf "%s%d", sep, $2 - crash; sep = " " }')
echo "  crash-to-restart gaps (ms, runner clock): $gaps"
ok_gaps=1
set -- $gaps
for delay in 1 2 4 8 16; do
	[ "${1:-0}" -ge $((delay * 1000)) ] || ok_gaps=0
	shift
done
check "each restart waited at least its backoff (1, 2, 4, 8, 16 s)" [ "$ok_gaps" = 1 ]
check_eq "five restarts measured" 5 "$(echo $gaps | wc -w)"

task_failed() { http GET "/tasks/$task"; [ "$(jbody .state)" = failed ]; }
check "the task is reported failed" wait_until 2 task_failed
check_eq "... with the supervisor's reason" "gave up after 5 restarts" "$(jbody .result)"
check_eq "... by one completion" 1 "$(log_count "$T/r.log" '.event == "request" and .op == "task-complete"')"

stop_daemon "$r_PID" TERM
check_eq "runnerd drains and exits 0" 0 "$EXIT_CODE"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
