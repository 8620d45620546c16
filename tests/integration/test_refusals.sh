# test_refusals.sh - the refusals of well-formed requests, and that each
# changes nothing: 409 for an old session and for a clone, 403 for a
# completion from a non-owner or for a stale attempt, the sandbox status
# codes 400/404/403/409, 404 for unknown tasks, sandboxes and runners.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
reg='{"hostname":"bad-host","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
runner_count() { http GET /runners; jbody '.runners | length'; }

rhttp POST /runners/register "$reg"
check_eq "valid registration" 200 "$STATUS"
rid=$(jbody .runner_id); sess=$(jbody .session)
rhttp POST /runners/register '{"hostname":"other-host","project_dir":"/p","executor_type":"e","instance_token":"t2"}'
other=$(jbody .runner_id)
rhttp POST /runners/register "$reg"
check_eq "the same install registers again (reconnection)" "200 true" "$STATUS $(jbody .reconnected)"
new_sess=$(jbody .session)
check "... with a new session" [ "$new_sess" -gt "$sess" ]
rhttp POST "/runners/$rid/heartbeat" "{\"session\": $sess}"
check_eq "heartbeat with the superseded session" 409 "$STATUS"
rhttp POST "/runners/$rid/claim" "{\"session\": $sess, \"max\": 1}"
check_eq "claim with the superseded session" 409 "$STATUS"
sess=$new_sess
rhttp POST "/runners/$rid/heartbeat" "{\"session\": $sess}"
check_eq "heartbeat with the current session" 200 "$STATUS"
rhttp POST /runners/lnch_000000000000/heartbeat "{\"session\": 1}"
check_eq "heartbeat of an unknown runner" 404 "$STATUS"
rhttp POST /runners/register '{"hostname":"bad-host","project_dir":"/p","executor_type":"e","instance_token":"clone"}'
check_eq "a clone (other instance token) while online" 409 "$STATUS"
check_eq "still two records" 2 "$(runner_count)"

http POST /tasks '{"kind": "shell", "payload": "true"}'
check_eq "task submitted" 201 "$STATUS"
tid=$(jbody .task_id)
rhttp POST "/runners/$rid/claim" "{\"session\": $sess, \"max\": 1}"
check_eq "claim" 200 "$STATUS"
att=$(jbody '.tasks[0].attempt')
rhttp POST "/tasks/$tid/complete" "{\"runner_id\": \"$other\", \"attempt\": $att, \"success\": true, \"result\": \"x\"}"
check_eq "completion from a runner that does not own the task" 403 "$STATUS"
rhttp POST "/tasks/$tid/complete" "{\"runner_id\": \"$rid\", \"attempt\": $((att + 1)), \"success\": true, \"result\": \"x\"}"
check_eq "completion of an attempt that is not the current one" 403 "$STATUS"
# A report naming no runner is a body without a required field, not one from
# another owner (PROTOCOL.md: runner_id is required).
rhttp POST "/tasks/$tid/status" "{\"attempt\": $att, \"message\": \"x\"}"
refusal() { echo "$STATUS $(jbody '.error + " " + ((.fields // []) | join(","))')"; }
check_eq "status without runner_id" "422 missing_fields runner_id" "$(refusal)"
rhttp POST "/tasks/$tid/complete" "{\"runner_id\": \"\", \"attempt\": $att, \"success\": true}"
check_eq "completion with an empty runner_id" "422 missing_fields runner_id" "$(refusal)"
http GET "/tasks/$tid"
check_eq "refused completions changed nothing" running "$(jbody .state)"

http POST /api/v1/sandboxes '{}'
check_eq "sandbox created" 201 "$STATUS"
sid=$(jbody .sandbox_id)
http GET "/api/v1/sandboxes/$sid"
check_eq "... pending" pending "$(jbody .status)"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "creating"}'
check_eq "report without X-Runner-Id" 400 "$STATUS"
http POST /api/v1/sandboxes/9999/runner-status '{"status": "creating"}' -H "X-Runner-Id: $rid"
check_eq "report on an unknown sandbox" 404 "$STATUS"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "creating"}' -H "X-Runner-Id: $rid"
check_eq "first report binds the sandbox" 200 "$STATUS"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "starting"}' -H "X-Runner-Id: $other"
check_eq "report from another runner" 403 "$STATUS"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "deleted"}' -H "X-Runner-Id: $rid"
check_eq "illegal transition creating -> deleted" 409 "$STATUS"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "creating"}' -H "X-Runner-Id: $rid"
check_eq "repeating the current status" 200 "$STATUS"
http POST "/api/v1/sandboxes/$sid/runner-status" '{"status": "exploded"}' -H "X-Runner-Id: $rid"
check "unknown status word is 400 or 422" [ "$STATUS" = 400 -o "$STATUS" = 422 ]
http GET "/api/v1/sandboxes/$sid"
check_eq "refused reports changed nothing" "creating $rid" "$(jbody '.status + " " + .runner_id')"
http DELETE "/api/v1/sandboxes/$sid"
check_eq "sandbox deleted" 200 "$STATUS"
http DELETE /api/v1/sandboxes/9999
check_eq "deleting an unknown sandbox" 404 "$STATUS"

rhttp DELETE "/runners/$other"
check_eq "deregistration" 200 "$STATUS"
rhttp DELETE "/runners/$other"
check_eq "deregistering again" 404 "$STATUS"
http DELETE "/runners/$rid"
check_eq "deregistration without the secret" 401 "$STATUS"
check_eq "one runner left" 1 "$(runner_count)"

stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
