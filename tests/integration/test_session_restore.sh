# test_session_restore.sh - session numbers only grow across a coordd restart,
# even for a runner whose record was removed before it and with the clock set
# back: a session issued twice for one id would let a removed original pass
# for a clone's new record (PROTOCOL.md, POST /runners/register). The restore
# starts above every stored session (table sessions), not only above those of
# the records still there; a stored session it cannot take is refused.
. "$(dirname "$0")/lib.sh"

body='{"hostname":"h","project_dir":"/p","executor_type":"e","instance_token":"t1"}'
start_coordd c || finish
rhttp POST /runners/register "$body"
check_eq "X registers" 200 "$STATUS"
id=$(jbody .runner_id)
first=$(jbody .session)
rhttp DELETE "/runners/$id"
check_eq "X is removed" 200 "$STATUS"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"

set_clock c -3600
start_coordd c || finish
rhttp POST /runners/register "$body"
check_eq "X registers again, the clock an hour earlier" 200 "$STATUS"
second=$(jbody .session)
check "... with a session above its first ($second > $first)" test "$second" -gt "$first"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly again" 0 "$EXIT_CODE"

# A stored session that is not a number (sorted above every integer, so it is
# the one the restore reads) is damage: refused, and the file left as it was.
/usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE sessions SET session = '"'x'"' WHERE session = ?", (int(sys.argv[2]),)); c.commit()' \
	"$T/c.db" "$first"
cp "$T/c.db" "$T/c.db.orig"
timeout -s KILL 3 "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/c.db" \
	> /dev/null 2> "$T/err"
check_eq "coordd on a database with a damaged session exits 2" 2 "$?"
check "... naming the table" grep -q "table sessions" "$T/err"
check "... and leaves the file as it was" cmp -s "$T/c.db" "$T/c.db.orig"
finish
