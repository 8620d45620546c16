# test_crash_durability.sh - coordd killed with SIGKILL in the middle of a
# stream of submissions, claims and completions loses nothing it had
# acknowledged and completes nothing twice, over three crash/restart rounds.
#
# A writer loop records each acknowledged submission and completion; after
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

# Submit, claim, complete until a request fails (the kill).
writer() {
	local n=0 tid att
	while :; do
		http POST /tasks "{\"kind\": \"shell\", \"payload\": \"true $n\"}"
		[ "$STATUS" = 201 ] || return
		jbody .task_id >> "$T/acked_submits"
		rhttp POST "/runners/$rid/claim" "{\"session\": $sess, \"max\": 1}"
		[ "$STATUS" = 200 ] || return
		tid=$(jbody '.tasks[0].task_id // empty')
		att=$(jbody '.tasks[0].attempt // empty')
		[ -n "$tid" ] || continue
		rhttp POST "/tasks/$tid/complete" "{\"runner_id\": \"$rid\", \"attempt\": $att, \"success\": true, \"result\": \"ok\"}"
		[ "$STATUS" = 200 ] || return
		echo "$tid $att" >> "$T/acked_completes"
		n=$((n + 1))
	done
}

verify_round() {
	local round=$1 lost=0 undone=0 twice=0 tid att max extra=0
	while read -r tid; do
		http GET "/tasks/$tid"
		[ "$STATUS" = 200 ] || lost=$((lost + 1))
	done < "$T/acked_submits"
	while read -r tid att; do
		http GET "/tasks/$tid"
		[ "$(jbody .state)" = completed ] || undone=$((undone + 1))
		rhttp POST "/tasks/$tid/complete" "{\"runner_id\": \"$rid\", \"attempt\": $att, \"success\": true, \"result\": \"again\"}"
		[ "$STATUS" = 200 ] && twice=$((twice + 1))
	done < "$T/acked_completes"
	max=$(sort -n "$T/acked_submits" | tail -1)
	for tid in $((max + 1)) $((max + 2)); do
		http GET "/tasks/$tid"
		[ "$STATUS" = 200 ] && extra=$((extra + 1))
	done
	check_eq "round $round: acknowledged submissions lost ($(wc -l < "$T/acked_submits") acked)" 0 "$lost"
	check_eq "round $round: acknowledged completions undone ($(wc -l < "$T/acked_completes") acked)" 0 "$undone"
	check_eq "round $round: completions accepted twice" 0 "$twice"
	check "round $round: at most one unacknowledged task exists ($extra)" [ "$extra" -le 1 ]
}

for round in 1 2 3; do
	writer &
	wpid=$!
	sleep 0.$((3 + round))
	kill -KILL "$c_PID"
	wait "$wpid"
	wait "$c_PID" 2>/dev/null
	start_coordd c --listen "127.0.0.1:$port" || finish
	verify_round "$round"
done
check "the stream made progress" [ "$(wc -l < "$T/acked_completes")" -ge 3 ]

rhttp POST "/runners/$rid/heartbeat" "{\"session\": $sess}"
check_eq "the runner's session survived the crashes" 200 "$STATUS"
check_eq "coordd stops cleanly" 0 "$(stop_daemon "$c_PID" TERM)"
finish
