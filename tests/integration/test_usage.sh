# test_usage.sh - the daemons' command lines: --help, missing or bad options
# are usage errors (exit 2) with a message, and a secret is never taken from
# the command line.
. "$(dirname "$0")/lib.sh"

"$BIN/rollcall-coordd" --help > "$T/help" 2>&1
check_eq "coordd --help exits 0" 0 "$?"
check "... and describes --secret-file" grep -q -- "--secret-file" "$T/help"
# The secret is the whole file less one line end: a second line is refused,
# so the help must not promise that only the first line is read.
check "... as the whole file, not its first line" bash -c "grep -q 'the whole file' '$T/help' && ! grep -q 'first line' '$T/help'"
"$BIN/rollcall-runnerd" --help > "$T/help" 2>&1
check_eq "runnerd --help exits 0" 0 "$?"
check "... and describes --state-dir" grep -q -- "--state-dir" "$T/help"
build=$("$BIN/rollcall" --version | sed 's/^rollcall //')
for d in coordd runnerd; do
	"$BIN/rollcall-$d" --version > "$T/version" 2>&1
	check_eq "$d --version exits 0" 0 "$?"
	check_eq "... and names the build rollcall names" "rollcall-$d $build" "$(cat "$T/version")"
done

usage_fails() { # EXPECTED_WORDS CMD...: exit 2 and a message naming EXPECTED_WORDS
	local words=$1; shift
	"$@" > /dev/null 2> "$T/err"
	[ $? = 2 ] && grep -q -- "$words" "$T/err"
}
check "coordd without --secret-file" usage_fails "--secret-file is required" "$BIN/rollcall-coordd" --listen 127.0.0.1:0
check "coordd with an unknown option" usage_fails "unknown option --secret" "$BIN/rollcall-coordd" --secret s3cret
check "coordd with a bad --log-format" usage_fails "text or json" "$BIN/rollcall-coordd" --secret-file "$T/secret" --log-format xml
check "coordd with a bad --listen" usage_fails "not an IPv4" "$BIN/rollcall-coordd" --secret-file "$T/secret" --listen host:1 --db "$T/db"
printf '' > "$T/empty"
check "coordd with an empty secret file" usage_fails "empty" "$BIN/rollcall-coordd" --secret-file "$T/empty"
printf 's3cret\nsecond line\n' > "$T/two-lines"
check "coordd with a secret file of two lines" usage_fails "two-lines holds a control character" "$BIN/rollcall-coordd" --secret-file "$T/two-lines"
printf ' s3cret\n' > "$T/spaced"
check "coordd with a secret that begins with a space" usage_fails "spaced begins or ends with a space" "$BIN/rollcall-coordd" --secret-file "$T/spaced"
rd=("$BIN/rollcall-runnerd" --coordinator http://127.0.0.1:9 --state-dir "$T/s" --hostname h --project-dir /p)
check "runnerd without --executor-type" usage_fails "--executor-type is required" "${rd[@]}"
check "runnerd with an empty hostname" usage_fails "--hostname is required" "${rd[@]}" --executor-type e --hostname ""
check "runnerd with a --hostname not UTF-8" usage_fails "--hostname is not valid UTF-8" "${rd[@]}" --executor-type e --hostname $'h\xff'
check "runnerd with a --project-dir not UTF-8" usage_fails "--project-dir is not valid UTF-8" "${rd[@]}" --executor-type e --project-dir $'/p\xc3'
check "runnerd with --max-concurrency 65" usage_fails "1..64" "${rd[@]}" --executor-type e --max-concurrency 65
check "runnerd with --keep-task-logs -1" usage_fails "--keep-task-logs must be 0..1000000, not '-1'" "${rd[@]}" \
	--executor-type e --keep-task-logs -1
# A coordinator URL that can never be reached is bad usage, not a retry loop.
bad_url() { timeout -s KILL 3 "$BIN/rollcall-runnerd" --coordinator "$1" --state-dir "$T/s" --hostname h \
	--project-dir /p --executor-type e --secret-file "$T/secret"; }
check "runnerd with an ftp:// --coordinator" usage_fails "--coordinator: 'ftp://127.0.0.1:21' is not an http:// or https:// URL" bad_url ftp://127.0.0.1:21
check "runnerd with a --coordinator without host" usage_fails "--coordinator: 'http://' is not a URL" bad_url http://
check "runnerd with a --coordinator port out of range" usage_fails "--coordinator: 'http://127.0.0.1:99999' is not a URL" bad_url http://127.0.0.1:99999
# The runner adds its paths to the URL: after a query or fragment they would
# be part of that, and every request would go to the URL's own path.
check "runnerd with a query in --coordinator" usage_fails "--coordinator: 'http://127.0.0.1:1/?x=1' has a query or fragment" bad_url 'http://127.0.0.1:1/?x=1'
check "runnerd with a fragment in --coordinator" usage_fails "--coordinator: 'http://127.0.0.1:1#top' has a query or fragment" bad_url 'http://127.0.0.1:1#top'
check "runnerd with an empty query in --coordinator" usage_fails "has a query or fragment" bad_url 'http://127.0.0.1:1/?'
# The message quotes the URL, never its password (as /status shows it).
no_password() { # WORDS URL: bad usage, the message holding WORDS (as they are) and no password
	bad_url "$2" > /dev/null 2> "$T/err"
	[ $? = 2 ] && grep -qF -- "$1" "$T/err" && ! grep -q "pw-$$" "$T/err"
}
check "a bad --coordinator's password is masked (a URL libcurl cannot read)" \
	no_password "'http://it-user:***@127.0.0.1:99999' is not a URL" "http://it-user:pw-$$@127.0.0.1:99999"
check "... (one with an @ in its password)" no_password "'http://u:***@127.0.0.1:99999' is not a URL" \
	"http://u:pw-$$@x@127.0.0.1:99999"
check "... (one with a scheme libcurl reads)" no_password "'ftp://it-user:***@127.0.0.1:21/' is not an http://" \
	"ftp://it-user:pw-$$@127.0.0.1:21"
check "... (one without a scheme, '://' further on)" no_password "'it-user:***@ho st/x://y' is not a URL" \
	"it-user:pw-$$@ho st/x://y"
check "... (a token as the user name)" no_password "'http://***@ho st/' is not a URL" "http://pw-$$@ho st/"
check "... (one with a query)" no_password "'http://it-user:***@127.0.0.1:1/?x=1' has a query" \
	"http://it-user:pw-$$@127.0.0.1:1/?x=1"
check "runnerd without any secret" usage_fails "no secret" env -u ROLLCALL_RUNNER_SECRET "${rd[@]}" --executor-type e
check "runnerd with a line break in ROLLCALL_RUNNER_SECRET" usage_fails "in ROLLCALL_RUNNER_SECRET holds a control character" \
	timeout -s KILL 3 env ROLLCALL_RUNNER_SECRET=$'s3cret\r\nX-Other: 1' "${rd[@]}" --executor-type e
check "runnerd with a space ending ROLLCALL_RUNNER_SECRET" usage_fails "ends with a space" \
	timeout -s KILL 3 env ROLLCALL_RUNNER_SECRET='s3cret ' "${rd[@]}" --executor-type e
# The default text log: one line per request, key=value.
start_coordd c --log-format text || finish
http GET /health
"$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/c.db" > /dev/null 2> "$T/err"
check_eq "a second coordd on the same database exits 1" 1 "$?"
check "... saying it is locked" grep -q "database is locked" "$T/err"
# A port in use is never shared: two coordinators on one port would split
# the requests between their databases.
timeout -s KILL 3 "$BIN/rollcall-coordd" --listen "127.0.0.1:$c_PORT" --secret-file "$T/secret" --db "$T/second.db" \
	> /dev/null 2> "$T/err"
check_eq "a second coordd on the same port (its own database) exits 1" 1 "$?"
check "... saying the address is in use" grep -q "cannot listen on 127.0.0.1:$c_PORT: Address already in use" "$T/err"
check "... before it created its database" test ! -e "$T/second.db"
timeout -s KILL 3 "${rd[@]}" --executor-type e --secret-file "$T/secret" --status-listen "127.0.0.1:$c_PORT" \
	> /dev/null 2> "$T/err"
check_eq "runnerd with --status-listen on a port in use exits 1" 1 "$?"
# A database coordd must refuse is bad input: exit 2, the file left as it was.
refused_db() { # NAME WORDS: coordd on $T/NAME exits 2 naming WORDS, the file unchanged
	cp "$T/$1" "$T/$1.orig"
	"$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/$1" > /dev/null 2> "$T/err"
	[ $? = 2 ] && grep -q "$2" "$T/err" && cmp -s "$T/$1" "$T/$1.orig"
}
head -c 4096 /dev/urandom > "$T/junk.db"
check "coordd on a file that is not a database exits 2" refused_db junk.db "not a database"
/usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE runners(name TEXT)"); c.commit()' "$T/other.db"
check "coordd on another program's database exits 2" refused_db other.db "not a rollcall-coordd database"
stop_daemon "$c_PID" TERM
check_eq "coordd with text logs stops cleanly" 0 "$EXIT_CODE"
check "a text request line" grep -Eq '^[0-9T:.-]+Z info coordd request method=GET path=/health op=health status=200 ' "$T/c.log"
check "a text state line" grep -Eq '^[0-9T:.-]+Z info coordd stopped message="clean shutdown"$' "$T/c.log"

# --db names a file, whatever the name: SQLite reads "" and ":memory:" as a
# database with no file and "file:..." as a URI (mode=memory), so coordd
# answered requests and kept nothing across a restart.
check "coordd with an empty --db" usage_fails "--db must name a file" \
	timeout -s KILL 3 "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db ""
mkdir "$T/names"
db_is_file() { # NAME: coordd started with --db NAME in $T/names writes the file $T/names/NAME
	: > "$T/names.out" # else the previous call's "listening on" may be read before the redirection empties it
	(cd "$T/names" && exec "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$1") \
		> "$T/names.out" 2> "$T/names.log" &
	local pid=$!
	PIDS+=("$pid")
	read_port "$T/names.out" "listening on" > /dev/null
	stop_daemon "$pid" TERM
	[ "$EXIT_CODE" = 0 ] && test -s "$T/names/$1"
}
check "coordd --db :memory: keeps its records in a file of that name" db_is_file ':memory:'
check "coordd --db 'file:x.db?mode=memory' keeps its records in a file of that name" db_is_file 'file:x.db?mode=memory'

# A database file coordd may not write: said so (SQLite opens it read-only without
# a word, and the first lock failed as "database is locked"). As root, the check
# runs as nobody, for whom a root-owned 0444 file is read-only.
ro=$(mktemp -d)
chmod 755 "$ro"
cp "$T/secret" "$ro/secret" && chmod 644 "$ro/secret"
cp "$T/c.db" "$ro/ro.db" && chmod 444 "$ro/ro.db"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as_user[@]}" "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$ro/secret" --db "$ro/ro.db" \
	> /dev/null 2> "$T/err"
check_eq "coordd on a read-only database exits 1" 1 "$?"
check "... saying the file is read-only" grep -q "cannot use database $ro/ro.db: the file is read-only" "$T/err"
rm -rf "$ro"

# Started without stdin and stdout (`<&- >&-`), a daemon puts /dev/null there:
# otherwise its signal pipe took fds 0 and 1 and its "listening on" line went
# into that pipe.
"$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/closed.db" --log-format json \
	<&- >&- 2> "$T/closed.log" &
closed_pid=$!
PIDS+=("$closed_pid")
wait_until 5 grep -q '"event":"started"' "$T/closed.log"
check_eq "coordd started without fds 0 and 1 has /dev/null as fd 0" /dev/null "$(readlink "/proc/$closed_pid/fd/0")"
check_eq "... and as fd 1" /dev/null "$(readlink "/proc/$closed_pid/fd/1")"
stop_daemon "$closed_pid" TERM
check_eq "... and stops cleanly" 0 "$EXIT_CODE"
finish
