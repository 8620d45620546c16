# test_supervise_backoff.sh - runnerd restarts a crashing task process after
# 1, 2, 4, 8, 16 s (its own clock, moved by libfaketime) and gives up after 5
# restarts: the task is then reported failed, once.
#
# The gaps are read from runnerd's proc-start log lines, whose timestamps are
# on the runner's (faked) clock, so they show the delays the supervisor used.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
http POST /tasks "{\"kind\": \"shell\", \"payload\": \"echo run >> $T/runs; exit 3\"}"
check_eq "task submitted" 201 "$STATUS"
task=$(jbody .task_id)
start_runnerd r "$c_PORT" "$T/s" || finish

starts() { log_count "$T/r.log" '.event == "proc-start"'; }
starts_are() { [ "$(starts)" -ge "$1" ]; }
check "first run" wait_until 3 starts_are 1
offset=0
for delay in 1 2 4 8 16; do
	n=$(starts)
	offset=$((offset + delay))
	set_clock r "+$offset.3"
	check "restart after a crash (${delay} s backoff)" wait_until 2 starts_are $((n + 1))
done
set_clock r +60
sleep 0.2
check_eq "no sixth restart: given up after 5" 6 "$(starts)"
check_eq "the command ran 6 times" 6 "$(wc -l < "$T/runs")"

gaps=$(jq -r 'select(.event == "proc-start") | .ts' "$T/r.log" | while read -r ts; do date -d "$ts" +%s%3N; done |
	awk 'NR > 1 { printf "%s%d", sep, $1 - prev; sep = " " } { prev = $1 }')
echo "  restart gaps (ms, runner clock): $gaps"
ok_gaps=1
set -- $gaps
for delay in 1 2 4 8 16; do
	[ "${1:-0}" -ge $((delay * 1000)) ] || ok_gaps=0
	shift
done
check "each restart waited at least its backoff (1, 2, 4, 8, 16 s)" [ "$ok_gaps" = 1 ]

task_failed() { http GET "/tasks/$task"; [ "$(jbody .state)" = failed ]; }
check "the task is reported failed" wait_until 2 task_failed
check_eq "... with the supervisor's reason" "gave up after 5 restarts" "$(jbody .result)"
check_eq "... by one completion" 1 "$(log_count "$T/r.log" '.event == "request" and .op == "task-complete"')"

stop_daemon "$r_PID" TERM
check_eq "runnerd drains and exits 0" 0 "$EXIT_CODE"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
