# test_id_stability.sh - a runner keeps its ID and its one record across a
# kill and restart on the same state directory; a clone (other state dir,
# same properties) is refused with 409 while the original is online; a
# corrupt state directory is an error, never a silent new identity.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
expected_id=$("$BIN/rollcall" id --hostname it-host --project-dir /it/project --executor-type it)

# A password in the coordinator's URL (basic auth in front of coordd) is a
# secret as much as the runner secret: /status shows the URL without it.
start_runnerd r1 "$c_PORT" "$T/sa" --coordinator "http://it-user:it-pass-$$@127.0.0.1:$c_PORT/" || finish
check "r1 registered (state saved)" wait_until 3 test -s "$T/sa/registration.json"
id=$(jq -r .runner_id "$T/sa/registration.json")
check_eq "runner ID is the identity of its properties" "$expected_id" "$id"
token=$(cat "$T/sa/instance-token")
http GET /runners
check_eq "one record" 1 "$(jbody '.runners | length')"
registered_at=$(jbody '.runners[0].registered_at')

curl -s "$r1_STATUS" > "$T/status.json"
check_eq "/status shows the runner ID" "$id" "$(jq -r .runner_id "$T/status.json")"
check "/status holds no secret" bash -c "! grep -q it-secret '$T/status.json'"
check "/status holds no instance token" bash -c "! grep -q '$token' '$T/status.json'"
check_eq "/status shows the coordinator URL with its password hidden" "http://it-user:***@127.0.0.1:$c_PORT/" \
	"$(jq -r .config.coordinator "$T/status.json")"
check "/status holds no password of the URL" bash -c "! grep -q 'it-pass' '$T/status.json'"
code=$(curl -s -o /dev/null -D "$T/headers" -w '%{http_code}' -X POST "$r1_STATUS")
check_eq "POST /status is 405, with an Allow header" "405 GET, HEAD" \
	"$code $(sed -n 's/^Allow: \(.*\)\r$/\1/ip' "$T/headers")"

# kill -9 and start again on the same state directory.
stop_daemon "$r1_PID" KILL
check_eq "r1 killed" 137 "$EXIT_CODE"
saved1=$(jq -r .saved_at_ms "$T/sa/registration.json")
# What a kill in the middle of a save leaves: the temporary file of each state
# file (rc_file_replace's BASE.PID-N.tmp). The restart removes those, and
# nothing else that looks like them.
touch "$T/sa/registration.json.99999-0.tmp" "$T/sa/instance-token.12-3.tmp" \
	"$T/sa/registration.json.bak" "$T/sa/registration.json.1-2.tmp.keep" "$T/sa/notes.1-2.tmp"
start_runnerd r1 "$c_PORT" "$T/sa" || finish
check "the restart removed the temporary files of killed saves" \
	test ! -e "$T/sa/registration.json.99999-0.tmp" -a ! -e "$T/sa/instance-token.12-3.tmp"
check "... and kept the files that only look like them" test -e "$T/sa/registration.json.bak" \
	-a -e "$T/sa/registration.json.1-2.tmp.keep" -a -e "$T/sa/notes.1-2.tmp"
check_eq "... and logged it" 1 "$(log_count "$T/r1.log" '.message | test("removed 2 temporary file")')"
saved_changed() { [ "$(jq -r .saved_at_ms "$T/sa/registration.json")" != "$saved1" ]; }
check "r1 registered again after the restart" wait_until 3 saved_changed
check_eq "same ID after the restart" "$id" "$(jq -r .runner_id "$T/sa/registration.json")"
check_eq "same instance token" "$token" "$(cat "$T/sa/instance-token")"
http GET /runners
check_eq "still one record" 1 "$(jbody '.runners | length')"
check_eq "registered_at kept (a reconnection)" "$registered_at" "$(jbody '.runners[0].registered_at')"
check_eq "online" online "$(jbody '.runners[0].status')"

# A second install with the same properties while the first is online: 409.
# Its state dir's name is not UTF-8 (a Latin-1 e-acute), which /status shows.
start_runnerd r2 "$c_PORT" "$T/sb"$'\xe9' || finish
refused() { [ "$(log_count "$T/r2.log" '.event == "request" and .op == "register" and .status == 409')" -ge 1 ]; }
check "clone's registration refused with 409" wait_until 3 refused
code=$(curl -s -o "$T/status2.json" -w '%{http_code}' "$r2_STATUS")
check_eq "/status answers though the state dir's name is not UTF-8" 200 "$code"
check_eq "... showing that byte as U+FFFD" "$T/sb"$'\xef\xbf\xbd' "$(jq -r .config.state_dir "$T/status2.json")"
http GET /runners
check_eq "the clone created no record" 1 "$(jbody '.runners | length')"
stop_daemon "$r2_PID" TERM
check_eq "clone stops on SIGTERM" 0 "$EXIT_CODE"

# One runnerd per state directory.
"$BIN/rollcall-runnerd" --coordinator "$BASE" --state-dir "$T/sa" --hostname it-host --project-dir /it/project \
	--executor-type it --secret-file "$T/secret" > /dev/null 2> "$T/locked.err"
check_eq "a second runnerd on a state dir in use exits 2" 2 "$?"
check "... saying so" grep -q "in use" "$T/locked.err"

# Corrupt or truncated state files: exit 2 with a clear error.
corrupt_start() { # DIR -> exit status, stderr in $T/corrupt.err
	"$BIN/rollcall-runnerd" --coordinator "$BASE" --state-dir "$1" --hostname it-host --project-dir /it/project \
		--executor-type it --secret-file "$T/secret" > /dev/null 2> "$T/corrupt.err"
	echo $?
}
mkdir -p "$T/sc" && head -c 20 "$T/sa/instance-token" > "$T/sc/instance-token"
check_eq "truncated instance-token: exit 2" 2 "$(corrupt_start "$T/sc")"
check "... naming the file" grep -q "instance-token" "$T/corrupt.err"
check_eq "... and the truncated file is left alone" 20 "$(stat -c %s "$T/sc/instance-token")"
mkdir -p "$T/sd" && cp "$T/sa/instance-token" "$T/sd/" && printf '{"runner_id": "lnch_' > "$T/sd/registration.json"
check_eq "truncated registration.json: exit 2" 2 "$(corrupt_start "$T/sd")"
check "... naming the file" grep -q "registration.json" "$T/corrupt.err"
mkdir -p "$T/se" && cp "$T/sa/registration.json" "$T/se/"
check_eq "registration without a token: exit 2" 2 "$(corrupt_start "$T/se")"
check "... no token was made" test ! -e "$T/se/instance-token"

stop_daemon "$r1_PID" TERM
check_eq "r1 drains and exits 0 on SIGTERM" 0 "$EXIT_CODE"
http GET /runners
check_eq "deregistered on the way out" 0 "$(jbody '.runners | length')"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
