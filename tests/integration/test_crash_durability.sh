# test_crash_durability.sh - coordd killed with SIGKILL in the middle of a
# stream of submissions, claims and completions loses nothing it had
# acknowledged and completes nothing twice, over three crash/restart rounds.
#
# A writer (it-stream) records each acknowledged submission and completion; after
# each restart (same database, same port) every acknowledged task must exist,
# every acknowledged completion must still be completed, a second completion
# of it must be refused, and at most one task (the request in flight at the
# kill) may exist that was never acknowledged.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
port=$c_PORT
rhttp POST /runners/register '{"hostname":"dur-host","project_dir":"/p","executor_type":"e","instance_token":"t","max_concurrency":64}'
check_eq "runner registered" 200 "$STATUS"
rid=$(jbody .runner_id)
sess=$(jbody .session)
: > "$T/acked_submits"
: > "$T/acked_completes"

# Submit, claim, complete until a request fails (the kill): it-stream, a
# libcurl client that writes each acknowledgement down before going on.
stream() { "$BIN/it-stream" "$1" "$BASE" "$rid" "$sess" "$T/secret" "$T/acked_submits" "$T/acked_completes"; }

verify_round() {
	local round=$1 result
	result=$(stream check)
	check_eq "round $round: after the restart" "lost=0 undone=0 changed=0 extra=0" "${result/extra=1/extra=0}"
	echo "  round $round: $(wc -l < "$T/acked_submits") submissions and $(wc -l < "$T/acked_completes")" \
		"completions acknowledged so far; $result (extra=1: the submission in flight at the kill)"
}

for round in 1 2 3; do
	stream run &
	wpid=$!
	sleep 0.$((2 + round))
	kill -KILL "$c_PID"
	wait "$wpid"
	wait "$c_PID" 2>/dev/null
	start_coordd c --listen "127.0.0.1:$port" || finish
	verify_round "$round"
done
check "the stream made progress ($(wc -l < "$T/acked_completes") completions acknowledged)" [ "$(wc -l < "$T/acked_completes")" -ge 10 ]
twice=$(jq -r 'select(.event == "task-state" and .to == "completed") | .task_id' "$T/c.log" | sort | uniq -d | wc -l)
check_eq "no task moved to completed twice across all runs (coordd logs)" 0 "$twice"

rhttp POST "/runners/$rid/heartbeat" "{\"session\": $sess}"
check_eq "the runner's session survived the crashes" 200 "$STATUS"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
