# test_bad_input.sh - what coordd answers to bad requests, and that a refused
# request changes nothing: 401 without or with a wrong secret (no record
# created), 422 without properties (naming them), 413 over 64 KiB (declared
# or chunked), 400 for malformed JSON and wrong types, 404/405 for unknown
# routes and methods (a 405 with its Allow header), paths with an encoded
# NUL or slash or an id in another form than the one written, and a request
# framed twice (two Content-Length headers).
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
http POST /runners/register "$reg" -H "@$T/secret.header" -H "@$T/wrong.header"
check_eq "register with two X-Runner-Secret headers" "400 duplicate_header" "$STATUS $(error_code)"
http POST /runners/register "$reg" -H "@$T/wrong.header" -H "@$T/secret.header"
check_eq "... in either order" 400 "$STATUS"
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
rhttp POST /runners/register '{"hostname": "h", "project_dir": "/p", "executor_type": "e", "instance_token": "t", "max_concurrency": 18446744073709551616}'
check_eq "a number past 64 bits is out of range, not malformed JSON" "422 invalid_value max_concurrency" \
	"$STATUS $(error_code) $(jbody '.fields | join(" ")')"
check_eq "nothing created by malformed requests" 0 "$(runner_count)"

# A large body within 64 KiB reaches the codec, which names the long field.
printf '{"kind": "shell", "payload": "%s"}' "$(head -c 20000 /dev/zero | tr '\0' x)" > "$T/long.json"
STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "@$T/long.json" "$BASE/tasks"); BODY=$(cat "$T/response")
check_eq "payload over 16 KiB in a 20 KB body" 422 "$STATUS"
check_eq "... naming the field" "field_too_long payload" "$(jbody '.error + " " + (.fields | join(" "))')"

head -c 70000 /dev/zero | tr '\0' ' ' > "$T/big.json"
STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -H "@$T/secret.header" -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json" "$BASE/runners/register"); BODY=$(cat "$T/response")
check_eq "body over 64 KiB" 413 "$STATUS"
check "... with a JSON error" [ -n "$(error_code)" ]
STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json" "$BASE/tasks"); BODY=$(cat "$T/response")
check_eq "chunked body over 64 KiB" 413 "$STATUS"
# The route is judged before the size; GET and DELETE bodies are ignored.
big() { STATUS=$(curl -s -o "$T/response" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json" "$BASE$2"); BODY=$(cat "$T/response"); }
big PUT /runners
check_eq "wrong method with a body over 64 KiB" 405 "$STATUS"
big POST /no/such/route
check_eq "unknown route with a body over 64 KiB" 404 "$STATUS"
big GET /runners
check_eq "GET with a body over 64 KiB" 200 "$STATUS"

# --- routes ------------------------------------------------------------------
http GET /no/such/route
check_eq "unknown route" 404 "$STATUS"
http PUT /runners "" -D "$T/headers"
check_eq "wrong method" 405 "$STATUS"
# RFC 9110: a 405 names the methods the path takes in an Allow header.
allow() { sed -n 's/^Allow: \(.*\)\r$/\1/ip' "$T/headers"; }
check_eq "... with an Allow header, HEAD beside GET" "GET, HEAD" "$(allow)"
http POST /api/v1/sandboxes/1 "" -D "$T/headers"
check_eq "... listing every method of the path" "405 GET, HEAD, DELETE" "$STATUS $(allow)"
http GET /tasks/999 "" -D "$T/headers"
check_eq "unknown task" 404 "$STATUS"
check_eq "... without an Allow header" "" "$(allow)"

# --- paths and framing ---------------------------------------------------------
# %00 and %2F stay as sent: decoded, "/tasks/1%00x" was read as "/tasks/1"
# and "/tasks%2F1" as "/tasks/1". Other escapes are decoded.
http POST /tasks '{"kind":"shell","payload":"true"}'
task=$(jbody .task_id)
http GET "/tasks/$task"
check_eq "a task by its path" 200 "$STATUS"
http GET "/tasks/%3${task}"
check_eq "... with a digit percent-encoded" 200 "$STATUS"
http GET "/tasks/${task}%00x"
check_eq "a NUL byte does not cut the path" 404 "$STATUS"
http GET "/tasks%2F${task}"
check_eq "an encoded slash does not separate segments" 404 "$STATUS"
# An id has one written form: "/tasks/01" was task 1 under a second name, and
# a runner id of any other shape than the issued one reached the coordinator
# as an unknown runner.
http GET "/tasks/0${task}"
check_eq "a task id with a leading zero" "404 not_found" "$STATUS $(error_code)"
http GET "/api/v1/sandboxes/00"
check_eq "a sandbox id of zeros" "404 not_found" "$STATUS $(error_code)"
http POST "/runners/a%20b/heartbeat" '{"session":1}' -H "@$T/secret.header"
check_eq "a runner id that is not lnch_ + 12 hex digits" "404 not_found" "$STATUS $(error_code)"
check "... saying so" grep -q "not a runner id" <<< "$BODY"
http DELETE "/runners/LNCH_0123456789AB" "" -H "@$T/secret.header"
check_eq "... in capitals too" "404 not_found" "$STATUS $(error_code)"
# Content-Length twice: refused, and the connection closes after the reply
# (read to its end well before the time limit).
raw_request() {
	exec {conn}<>"/dev/tcp/127.0.0.1/$c_PORT"
	printf '%s' "$1" >&"$conn"
	timeout $((5 * SLOW)) cat <&"$conn" > "$T/raw"; RAW_EXIT=$?
	exec {conn}>&-
}
raw_request $'POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 33\r\n\r\n{}{"kind":"shell","payload":"x"}'
check_eq "two Content-Length headers" "HTTP/1.1 400 Bad Request" "$(head -1 "$T/raw" | tr -d '\r')"
BODY=$(sed -n '/^\r$/,$p' "$T/raw" | tail -n +2)
check_eq "... naming the header" "duplicate_header Content-Length" "$(jbody '.error + " " + (.fields | join(" "))')"
check_eq "... and the connection closes" 0 "$RAW_EXIT"
http GET /tasks/$((task + 1))
check_eq "... with nothing created" 404 "$STATUS"
# HEAD is GET without the body: nothing follows the headers.
raw_request $'HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
check_eq "HEAD /health" "HTTP/1.1 200 OK" "$(head -1 "$T/raw" | tr -d '\r')"
check_eq "... with no body after the headers" "" "$(sed -n '/^\r$/,$p' "$T/raw" | tail -n +2)"

stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
