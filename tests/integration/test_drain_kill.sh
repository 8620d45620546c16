# test_drain_kill.sh - SIGTERM drains a runnerd: its task process (which
# ignores SIGTERM, and has a child that does too) gets SIGTERM at once and
# SIGKILL 5 s later by the runner's clock; every process of the group is gone
# and reaped, then the runner deregisters and exits 0.
#
# The runner's clock is moved to 4.2 s after the SIGTERM (still alive: no
# early SIGKILL) and then to 5.5 s (killed), so the 5 s grace costs no real
# time.
. "$(dirname "$0")/lib.sh"

start_coordd c || finish
cmd="trap '' TERM; (trap '' TERM; while :; do sleep 0.05; done) & echo \$! > $T/grandchild.pid; echo \$\$ > $T/child.pid; while :; do sleep 0.05; done"
http POST /tasks "$(jq -n --arg p "$cmd" '{kind: "shell", payload: $p}')"
check_eq "task submitted" 201 "$STATUS"

start_runnerd r "$c_PORT" "$T/s" || finish
check "task process started" wait_until 3 test -s "$T/grandchild.pid"
child=$(cat "$T/child.pid")
grandchild=$(cat "$T/grandchild.pid")
pgid=$(ps -o pgid= -p "$child" | tr -d ' ')
check_eq "task runs in its own process group" "$child" "$pgid"
check "runnerd is not in that group" [ "$(ps -o pgid= -p "$r_PID" | tr -d ' ')" != "$pgid" ]

kill -TERM "$r_PID"
sigterm_sent() { [ "$(log_count "$T/r.log" '.event == "proc-signal" and (.detail | startswith("SIGTERM"))')" -ge 1 ]; }
check "SIGTERM sent to the task's group" wait_until 2 sigterm_sent
sleep 0.3
check "the task ignores SIGTERM: still running" running "$child"
check "runnerd keeps running while draining" running "$r_PID"
curl -s "$r_STATUS" > "$T/status.json"
check_eq "/status says draining" draining "$(jq -r .phase "$T/status.json")"

# Offsets relative to when runnerd sent SIGTERM (its log time; its clock had
# no offset then), so a slow machine does not eat into the 5 s.
sigterm_ms=$(log_time_ms "$T/r.log" '.event == "proc-signal"')
clock_to r $((sigterm_ms + 4200))
sleep 0.2
check "no SIGKILL before 5 s (runner clock at SIGTERM + 4.2 s and a bit)" running "$child"

clock_to r $((sigterm_ms + 5500))
group_gone() { ! kill -0 "-$pgid" 2>/dev/null; }
check "SIGKILL after 5 s: the whole group is gone (runner clock at SIGTERM + 5.5 s)" wait_until 2 group_gone
kill_ms=$(log_time_ms "$T/r.log" '.event == "proc-signal" and (.detail | startswith("SIGKILL"))')
# Not before 5 s; the upper end only says it came soon after the clock got
# there (5.5 s plus however slowly this machine moved the clock).
check "SIGKILL sent at least 5 s after SIGTERM on the runner's clock ($((kill_ms - sigterm_ms)) ms)" \
	[ $((kill_ms - sigterm_ms)) -ge 5000 -a $((kill_ms - sigterm_ms)) -le 6500 ]
check_eq "SIGKILL went to the process group once" 1 \
	"$(log_count "$T/r.log" '.event == "proc-signal" and (.detail | startswith("SIGKILL"))')"
check "the task's exit was reaped by runnerd (killed by signal 9)" \
	wait_until 2 grep -q '"event":"proc-exit".*"detail":"killed by signal 9"' "$T/r.log"
stop_daemon "$r_PID" 0 3 # signal 0: only wait for the exit
check_eq "runnerd deregistered and exited 0 by itself" 0 "$EXIT_CODE"
check "no zombie left of the task process" test ! -e "/proc/$child"
check "no zombie left of its child" test ! -e "/proc/$grandchild"
http GET /runners
check_eq "the runner deregistered" 0 "$(jbody '.runners | length')"

stop_daemon "$c_PID" TERM
check_eq "coordd stops cleanly" 0 "$EXIT_CODE"
finish
