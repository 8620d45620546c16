# test_many_descriptors.sh - both daemons serve and talk when every descriptor
# they open is numbered past FD_SETSIZE (1024), as under a parent that leaks a
# thousand descriptors. With select(2) loops coordd could not even listen
# ("cannot listen: Success") and runnerd's transfers on such sockets were
# never waited for; the loops now poll (reference/daemon/common/rcd_poll.h).
# And coordd holds more connections at once than select allowed (256 then):
# a fleet keeps one per runner.
. "$(dirname "$0")/lib.sh"

if ! ulimit -n 4096 2>/dev/null; then
	fail "cannot raise this shell's descriptor limit to 4096 (hard limit $(ulimit -Hn))"
	finish
fi
# Hold every free number below 1100: whatever the daemons open comes after.
for n in $(seq 3 1099); do
	[ -e "/proc/$$/fd/$n" ] || eval "exec $n</dev/null"
done

# The lowest descriptor number among PID's sockets (empty when none).
lowest_socket() { find "/proc/$1/fd" -lname 'socket:*' -printf '%f\n' 2>/dev/null | sort -n | head -1; }

start_coordd c || finish
check "coordd listens with descriptors past 1024 (lowest socket $(lowest_socket "$c_PID"))" \
	[ "$(lowest_socket "$c_PID")" -ge 1024 ]
http GET /runners
check_eq "coordd answers" 200 "$STATUS"
check "coordd says how many connections it holds" \
	grep -q '"message":"listening on 127.0.0.1:[0-9]*, up to [0-9]* connections at once"' "$T/c.log"

# 300 clients holding a connection each (as runners do between heartbeats):
# another one is still answered at once, not left waiting for a slot.
for i in $(seq 300); do exec {held}<>"/dev/tcp/127.0.0.1/$c_PORT"; done
held_by_coordd() { [ "$(find "/proc/$c_PID/fd" -lname 'socket:*' | wc -l)" -gt 300 ]; }
check "coordd holds the 300 connections" wait_until 3 held_by_coordd
http GET /runners
check_eq "and answers a 301st client" 200 "$STATUS"

start_runnerd r "$c_PORT" "$T/s" || finish
check "runnerd registered over a socket past 1024" wait_until 3 test -s "$T/s/registration.json"
check "runnerd's sockets are all past 1024 (lowest $(lowest_socket "$r_PID"))" \
	[ "$(lowest_socket "$r_PID")" -ge 1024 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time $((5 * SLOW)) "$r_STATUS")
check_eq "runnerd's /status answers" 200 "$code"

# A heartbeat is due 20 s after registration: move the runner's clock on.
beat() { [ "$(log_count "$T/c.log" '.event == "request" and .op == "heartbeat" and .status == 200')" -ge 1 ]; }
set_clock r +25
check "a heartbeat went through" wait_until 3 beat
http GET /runners
check_eq "the runner is online" online "$(jbody '.runners[0].status')"

stop_daemon "$r_PID" TERM
check_eq "runnerd drains and exits on SIGTERM" 0 "$EXIT_CODE"
check_eq "... deregistering on its way out" 0 "$(http GET /runners; jbody '.runners | length')"
stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
