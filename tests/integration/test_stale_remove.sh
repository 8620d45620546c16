# test_stale_remove.sh - a silent runner goes stale after 2 min and is removed
# after 10 min, on a real coordd whose clock libfaketime moves forward.
#
# Also measures how fast coordd acts on a clock jump: the state-change log
# line carries the daemon's (faked) time, so its real time is that minus the
# offset, compared with the moment the clock file was replaced (taken just
# after mv returns, so a very fast reaction can show as a few ms below 0).
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
rhttp POST /runners/register '{"hostname":"stale-host","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
check_eq "registration accepted" 200 "$STATUS"
id=$(jbody .runner_id)

runner_field() { http GET /runners; jbody "[.runners[] | select(.runner_id == \"$id\")][0].$1 // \"absent\""; }
status_is() { [ "$(runner_field status)" = "$1" ]; }

# Real time (ms) at which coordd logged the runner going to STATE, given the
# clock offset (s) it ran on.
acted_at_ms() {
	local ts
	ts=$(jq -r "select(.event == \"runner-status\" and .to == \"$1\") | .ts" "$T/c.log" | tail -1)
	[ -n "$ts" ] && echo $(( $(date -d "$ts" +%s%3N) - $2 * 1000 ))
}

# One lost heartbeat's worth of silence changes nothing; neither do 110 s.
set_clock c +110
sleep 0.2
check_eq "online 110 s after the last heartbeat" online "$(runner_field status)"

# Stale no earlier than 120 s and by 120 + 30 (sweep interval).
set_clock c +149
sleep 0.15 # no request meanwhile: the wake-up loop alone must notice the jump
check "stale by 149 s (120 s + sweep)" wait_until 2 status_is stale
check_eq "registration kept while stale" "$id" "$(runner_field runner_id)"
if [ "$VALGRIND" != 1 ]; then
	acted=$(acted_at_ms stale 149)
	lat=$(( ${acted:-999999999999999} - MOVED_MS ))
	check "coordd acted on the 149 s jump within 100 ms (took $lat ms)" [ "$lat" -ge -20 -a "$lat" -lt 100 ]
fi

# Removed no earlier than 600 s and by 630 s.
set_clock c +590
sleep 0.2
check_eq "still listed (stale) at 590 s" stale "$(runner_field status)"
set_clock c +629
sleep 0.15
check "removed by 629 s (600 s + sweep)" wait_until 2 status_is absent
if [ "$VALGRIND" != 1 ]; then
	acted=$(acted_at_ms removed 629)
	lat=$(( ${acted:-999999999999999} - MOVED_MS ))
	check "coordd acted on the 629 s jump within 100 ms (took $lat ms)" [ "$lat" -ge -20 -a "$lat" -lt 100 ]
fi

# A heartbeat from the removed runner is refused: it must register again.
sess=1
rhttp POST "/runners/$id/heartbeat" "{\"session\": $sess}"
check_eq "heartbeat of a removed runner" 404 "$STATUS"

# Restarts: the removal is durable, and a stale runner gets a full grace
# period (back online, heartbeat age reset) instead of a mass removal.
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly on SIGTERM" 0 "$EXIT_CODE"
start_coordd c || finish
check_eq "the removed runner stays removed after a restart" absent "$(runner_field status)"
rhttp POST /runners/register '{"hostname":"grace-host","project_dir":"/p","executor_type":"e","instance_token":"t2"}'
id=$(jbody .runner_id)
set_clock c +760
check "a second runner goes stale (131 s)" wait_until 2 status_is stale
stop_daemon "$c_PID" TERM
start_coordd c || finish
check_eq "after a restart the stale runner is online again" online "$(runner_field status)"
age=$(runner_field seconds_since_heartbeat)
check "... with its heartbeat age reset ($age s, was 131 s)" [ "$age" -le $((2 * SLOW)) ]
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly again" 0 "$EXIT_CODE"
finish
