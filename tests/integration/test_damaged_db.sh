# test_damaged_db.sh - coordd refuses a database whose rows it cannot take as
# they are: a value of another type than its column's (SQLite keeps the text
# '1x' in an INTEGER column, and reads it as 1), or one out of range (a
# registered_at far before year 0 came back as null in GET /runners). It
# exits 2 (bad input) with an error naming the table, the row and the column,
# and leaves the file as it was; the undamaged file still loads.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
rhttp POST /runners/register '{"hostname":"h","project_dir":"/p","executor_type":"e","instance_token":"t"}'
check_eq "a runner registers" 200 "$STATUS"
rid=$(jbody .runner_id)
sess=$(jbody .session)
http POST /tasks '{"kind":"shell","payload":"true"}'
rhttp POST "/runners/$rid/claim" "{\"session\": $sess, \"max\": 1}"
check_eq "... and claims a task" 1 "$(jbody '.tasks | length')"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
cp "$T/c.db" "$T/good.db"

# damaged SQL WORDS...: coordd on a copy of the database damaged by SQL exits
# 2, its error holds every one of WORDS, and the file keeps its bytes.
damaged() {
	local sql=$1 words
	shift
	cp "$T/good.db" "$T/bad.db"
	/usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' \
		"$T/bad.db" "$sql"
	cp "$T/bad.db" "$T/bad.db.orig"
	timeout -s KILL 3 "$BIN/rollcall-coordd" --listen 127.0.0.1:0 --secret-file "$T/secret" --db "$T/bad.db" \
		> /dev/null 2> "$T/err"
	local rc=$?
	[ "$rc" = 2 ] || { echo "  (exit status $rc)"; return 1; }
	for words in "$@"; do
		grep -qF -- "$words" "$T/err" || { echo "  (error: $(cat "$T/err"))"; return 1; }
	done
	cmp -s "$T/bad.db" "$T/bad.db.orig"
}
check "an attempt stored as the text '1x': exit 2, naming table, row and column, file unchanged" \
	damaged "UPDATE tasks SET attempt = '1x'" "table tasks, rowid 1" "bad attempt (text where an integer belongs)"
check "a registered_at far before year 0: the same" \
	damaged "UPDATE runners SET registered_at_ms = -9000000000000000" "table runners, rowid 1" \
	"bad registered_at_ms (it is not an instant of the years 0000..9999)"
check "a hostname stored as a blob: the same" \
	damaged "UPDATE runners SET hostname = CAST(hostname AS BLOB)" "table runners, rowid 1" \
	"bad hostname (a blob where text belongs)"

cp "$T/good.db" "$T/c.db"
start_coordd c || finish
http GET "/tasks/1"
check_eq "the undamaged file loads, the task still on its attempt" "running 1" "$(jbody '.state + " " + (.attempt | tostring)')"
stop_daemon "$c_PID" TERM
finish
