# test_bad_input.sh - what coordd answers to bad requests, and that a refused
# request changes nothing: 401 without or with a wrong secret (no record
# created), 422 without properties (naming them), 413 over 64 KiB, 400 for
# malformed JSON and wrong types, 404/405 for unknown routes and methods,
# and the sandbox status codes 400/404/403/409.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
reg='{"hostname":"bad-host","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
runner_count() { http GET /runners; jbody '.runners | length'; }
error_code() { jbody .error; }

http GET /health
check_eq "health" 200 "$STATUS"

# --- secrets -----------------------------------------------------------------
http POST /runners/register "$reg"
check_eq "register without X-Runner-Secret" 401 "$STATUS"
check_eq "... error body" unauthorized "$(error_code)"
http POST /runners/register "$reg" -H "@$T/wrong.header"
check_eq "register with a wrong secret" 401 "$STATUS"
check_eq "nothing created by the refused registrations" 0 "$(runner_count)"
check "the secret never appears in the log" bash -c "! grep -q '$(cat "$T/secret")' '$T/c.log'"

# --- properties --------------------------------------------------------------
rhttp POST /runners/register '{"instance_token":"t1"}'
check_eq "register without properties" 422 "$STATUS"
check_eq "... names all three fields" "executor_type hostname project_dir" "$(jbody '.fields | sort | join(" ")')"
rhttp POST /runners/register '{"hostname":"h","project_dir":"","executor_type":"e","instance_token":"t1"}'
check_eq "register with an empty project_dir" 422 "$STATUS"
check_eq "... names it" project_dir "$(jbody '.fields | join(" ")')"
check_eq "nothing created by 422s" 0 "$(runner_count)"

# --- malformed bodies --------------------------------------------------------
rhttp POST /runners/register '{"hostname": "h", '
check_eq "malformed JSON" 400 "$STATUS"
check "... with an error code" [ -n "$(error_code)" ]
rhttp POST /runners/register '{"hostname": 42, "project_dir": "/p", "executor_type": "e", "instance_token": "t"}'
check "wrong type (hostname a number) is 400 or 422" [ "$STATUS" = 400 -o "$STATUS" = 422 ]
check_eq "... naming the field" hostname "$(jbody '.fields | join(" ")')"
rhttp POST /runners/register "{\"hostname\": \"$(head -c 300 /dev/zero | tr '\0' h)\", \"project_dir\": \"/p\", \"executor_type\": \"e\", \"instance_token\": \"t\"}"
check "over-long hostname is 400 or 422" [ "$STATUS" = 400 -o "$STATUS" = 422 ]
check_eq "... naming the field" hostname "$(jbody '.fields | join(" ")')"
check_eq "nothing created by malformed requests" 0 "$(runner_count)"

head -c 70000 /dev/zero | tr '\0' ' ' > "$T/big.json"
STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -H "@$T/secret.header" -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json" "$BASE/runners/register"); BODY=$(cat "$T/response")
check_eq "body over 64 KiB" 413 "$STATUS"
check "... with a JSON error" [ -n "$(error_code)" ]
STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json" "$BASE/tasks"); BODY=$(cat "$T/response")
check_eq "chunked body over 64 KiB" 413 "$STATUS"

# --- routes ------------------------------------------------------------------
http GET /no/such/route
check_eq "unknown route" 404 "$STATUS"
http PUT /runners
check_eq "wrong method" 405 "$STATUS"
http GET /tasks/999
check_eq "unknown task" 404 "$STATUS"

# --- a runner, a task, sandboxes ---------------------------------------------
rhttp POST /runners/register "$reg"
check_eq "valid registration" 200 "$STATUS"
rid=$(jbody .runner_id); sess=$(jbody .session)
rhttp POST /runners/register '{"hostname":"other-host","project_dir":"/p","executor_type":"e","instance_token":"t2"}'
other=$(jbody .runner_id)
rhttp POST "/runners/$rid/heartbeat" "{\"session\": $((sess + 5))}"
check_eq "heartbeat with a session that is not the current one" 409 "$STATUS"
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

check_eq "coordd stops cleanly" 0 "$(stop_daemon "$c_PID" TERM)"
finish
