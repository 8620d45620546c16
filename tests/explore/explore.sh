#!/usr/bin/env bash
# explore.sh - the explore, replay, shrink and timeline commands, end to end.
#
#   shard      --shard K/N blocks of a seed range are disjoint and cover it
#   jobs       --jobs 2 finds the same failing seeds as one job; --budget stops
#              every worker, and the summary says it ended the run
#   replay     a saved trace replays byte for byte; a changed record is found
#              and named by line and event; a scenario replays like itself
#   shrink     a failing scenario shrinks to the same output twice, and the
#              result fails the same way; one cut short by --max-runs says so
#   timeline   the SVG of a reassignment race is well-formed XML and shows the
#              old runner's refused completion
#   examples   explore/examples/ (a bug exploration found, shrunk; a race)
#              passes over seeds 1-100
# Each check must be able to fail: it compares what the commands print or
# write with what they must, never only their exit codes.
set -euo pipefail
RC=${RC:-build/bin/rollcall}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "explore-tests: $*" >&2; exit 1; }

# --- shard: three shards of 1-100 ----------------------------------------------
seen=()
for k in 1 2 3; do
	out=$("$RC" explore --workload supervise --seeds 1-100 --shard "$k/3" --duration 5m --no-progress --out "$tmp/f")
	range=$(sed -n 's/.*: seeds \([0-9]*-[0-9]*\) \[shard.*/\1/p' <<<"$out")
	[ -n "$range" ] || fail "shard $k/3 printed no range: $out"
	seen+=("$range")
done
cover=$(for r in "${seen[@]}"; do seq "${r%-*}" "${r#*-}"; done | sort -n)
[ "$(uniq <<<"$cover" | wc -l)" -eq 100 ] && [ "$(wc -l <<<"$cover")" -eq 100 ] ||
	fail "shards ${seen[*]} are not a disjoint cover of 1-100"
[ "$(head -1 <<<"$cover")" = 1 ] && [ "$(tail -1 <<<"$cover")" = 100 ] || fail "shards ${seen[*]} miss an end"
echo "explore-tests: shards ${seen[*]} cover 1-100 once"

# --- jobs: two workers find what one finds ---------------------------------------
# A task of an hour cannot finish within a 1-minute liveness bound: every seed
# fails, so both runs must report the same 40 failing seeds, each once.
cat >"$tmp/slow.scn" <<'SCN'
runner r1
at 0s start r1
at 1s submit task t1 lasting 1h
at 2m expect t1 is running
SCN
one=$("$RC" explore "$tmp/slow.scn" --liveness --bound 1m --seeds 1-40 --max-failures 0 --no-progress --out "$tmp/j1" || true)
two=$("$RC" explore "$tmp/slow.scn" --liveness --bound 1m --seeds 1-40 --max-failures 0 --no-progress --jobs 2 \
	--out "$tmp/j2" || true)
fails1=$(grep '^FAIL seed' <<<"$one" | sed 's/ -> .*//' | sort)
[ "$(wc -l <<<"$fails1")" -eq 40 ] || fail "one job: $(wc -l <<<"$fails1") failing seeds of 40"
[ "$fails1" = "$(grep '^FAIL seed' <<<"$two" | sed 's/ -> .*//' | sort)" ] || fail "--jobs 2 found other failing seeds than one job"
grep -q ': 40 seeds in .*2 jobs), 40 failing' <<<"$two" || fail "--jobs 2 did not run and count the 40 seeds: $two"
[ "$(ls "$tmp/j2"/*.scn | wc -l)" -eq 40 ] && [ "$(ls "$tmp/j2"/*.jsonl | wc -l)" -eq 40 ] ||
	fail "--jobs 2 did not save 40 scenarios and 40 traces"
echo "explore-tests: --jobs 2 ran the 40 seeds, found and saved the same 40 failing seeds as one job"
# A failure that cannot be saved (a folder stands where seed 2's scenario goes) was only a
# line on stderr: now its FAIL line and the summary say so, the other seeds still run and are
# saved, and the exit code is 2, with one job or a worker.
for jobs in 1 2; do
	mkdir -p "$tmp/u$jobs/slow-seed2.scn"
	set +e
	"$RC" explore "$tmp/slow.scn" --liveness --bound 1m --seeds 1-3 --no-progress --jobs "$jobs" --out "$tmp/u$jobs" \
		>"$tmp/out" 2>"$tmp/err"
	status=$?
	set -e
	[ "$status" -eq 2 ] && grep -q ': 3 seeds in .*, 3 failing (1 not saved under ' "$tmp/out" &&
		grep -q '^FAIL seed 2: .* (not saved)$' "$tmp/out" && grep -q "cannot write $tmp/u$jobs/slow-seed2.scn" "$tmp/err" &&
		[ -s "$tmp/u$jobs/slow-seed3.scn" ] && [ -s "$tmp/u$jobs/slow-seed3.jsonl" ] ||
		{ cat "$tmp/out" "$tmp/err"; fail "--jobs $jobs, a failure not saved: exit $status, want 2, said and counted"; }
done
echo "explore-tests: a failure that cannot be saved is marked, counted in the summary and makes the exit code 2"
# A failure's trace header records the parameters of the scenario explored, not those of
# the default workload (it said mixed's 5 runners and 1 h, and --swarm a drawn runner count).
for f in "$tmp/j1/slow-seed1.jsonl" "$tmp/j2/slow-seed40.jsonl"; do
	head -n 1 "$f" | jq -e '.params | .scenario == "slow" and .runners == 1 and .duration_ms >= 300000 and
		.bound_ms == 60000 and .liveness and (has("workload") or has("max_task_ms") | not)' >/dev/null ||
		fail "$f: the recorded parameters are not the scenario's: $(head -n 1 "$f" | jq -c .params)"
done
"$RC" explore "$tmp/slow.scn" --swarm --show 7 | head -n 1 | grep -q '"runners":1,' ||
	fail "explore SCENARIO --swarm records a runner count of its own draw"
echo "explore-tests: explore SCENARIO records the scenario's name, runners and run length, not a workload's"

# --max-failures with workers: the same lowest failing seeds as one job, only
# their files saved, and the seeds run counted. A 3-minute task within a
# 2-minute bound fails only on seeds whose faults delay it (13, 22, 33, ...).
sed 's/lasting 1h/lasting 3m/' "$tmp/slow.scn" >"$tmp/some.scn"
for jobs in 1 2 3; do
	set +e
	"$RC" explore "$tmp/some.scn" --liveness --bound 2m --seeds 1-400 --max-failures 5 --no-progress --jobs "$jobs" \
		--out "$tmp/m$jobs" | sed "s|$tmp/m$jobs/||" >"$tmp/m$jobs.out"
	set -e
	ls "$tmp/m$jobs" >>"$tmp/m$jobs.out"
done
grep -c '^FAIL seed' "$tmp/m1.out" | grep -qx 5 || { cat "$tmp/m1.out"; fail "one job did not stop at 5 failures"; }
for jobs in 2 3; do
	diff <(grep -v ' seeds in ' "$tmp/m1.out") <(grep -v ' seeds in ' "$tmp/m$jobs.out") ||
		fail "--max-failures 5 --jobs $jobs reported or saved other failures than one job"
	ran=$(sed -n 's/.*: \([0-9]*\) seeds in .*/\1/p' "$tmp/m$jobs.out")
	last=$(grep '^FAIL seed' "$tmp/m1.out" | tail -1 | sed 's/FAIL seed \([0-9]*\):.*/\1/')
	[ "$ran" -ge "$last" ] || fail "--jobs $jobs counted $ran seeds, but ran at least $last"
done
echo "explore-tests: --max-failures 5 with 2 and 3 jobs reports and saves the 5 lowest failing seeds, as one job"

# --budget with workers: each stops at the first seed it ends past the budget, and the
# summary, printed once the parent has waited for every worker, says the budget ended the
# run and how many seeds ran. Without --seeds only the budget ends it (timeout: a hang).
for jobs in 1 3; do
	t0=$(date +%s%N)
	out=$(timeout 20 "$RC" explore --workload registry --budget 1s --jobs "$jobs" --no-progress --out "$tmp/b$jobs") ||
		fail "explore --budget 1s --jobs $jobs did not end by itself (exit $?)"
	ms=$((($(date +%s%N) - t0) / 1000000))
	grep -Eq "^explore registry: seeds 1 and up: [1-9][0-9]* seeds in [0-9.]+ s \(.*, $jobs jobs?\), [0-9]+ failing; --budget 1s ended the run$" \
		<<<"$out" || fail "--budget 1s --jobs $jobs: the summary does not say the budget ended the run: $out"
	[ "$ms" -lt 5000 ] || fail "--budget 1s --jobs $jobs took $ms ms"
done
out=$("$RC" explore --workload registry --budget 1m --seeds 1-20 --jobs 3 --no-progress --out "$tmp/b")
grep -q ": 20 seeds in .*, 0 failing$" <<<"$out" || fail "a range done within the budget: $out"
echo "explore-tests: --budget 1s stops 1 and 3 jobs within 5 s, and the summary says so with the seeds run"

# workers that die (here: killed at a CPU-time limit of 1 s, which the parent,
# waiting on pipes, does not reach) are an error naming the seed, not a pass
set +e
(ulimit -t 1 && exec "$RC" explore --seeds 1-100000000 --jobs 2 --no-progress --out "$tmp/crash") >"$tmp/out" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(grep -c 'worker [12] died (killed by signal .*) while running seed [0-9]*;' "$tmp/out")" -eq 2 ] &&
	! grep -q ' 0 failing' "$tmp/out" || { cat "$tmp/out"; fail "dead workers: exit $status, want 2 and each named"; }
echo "explore-tests: workers that die are an error (exit 2) naming the seed each was running"

# --- replay ----------------------------------------------------------------------
# failures explore saved (by a worker) replay byte for byte, as trace and as scenario
for seed in 1 17 40; do
	"$RC" replay "$tmp/j2/slow-seed$seed.jsonl" | grep -q '^replay: identical to' ||
		fail "the saved failure of seed $seed does not replay byte for byte"
	"$RC" replay "$tmp/j2/slow-seed$seed.scn" | grep -q '^replay: identical to .*slow-seed'"$seed"'.jsonl' ||
		fail "the saved scenario of seed $seed does not replay its trace byte for byte"
done
echo "explore-tests: saved failures replay byte for byte (trace and scenario)"
race=explore/examples/reassignment-race.scn
"$RC" replay "$race" --save "$tmp/race.jsonl" | grep -q '^replay: identical to a second run' ||
	fail "the example does not replay like itself"
"$RC" replay "$tmp/race.jsonl" >"$tmp/out" || { cat "$tmp/out"; fail "a saved trace does not replay byte for byte"; }
grep -q '^replay: identical to' "$tmp/out" || fail "replay did not say identical"
# change one record (line 120): replay must fail and name that line
awk 'NR == 120 { sub(/"t":[0-9]+/, "\"t\":1") } { print }' "$tmp/race.jsonl" >"$tmp/bad.jsonl"
set +e
"$RC" replay "$tmp/bad.jsonl" >"$tmp/out" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || fail "a changed trace gave exit $status, want 1"
grep -q 'DIVERGED from .* at line 120 (event ' "$tmp/out" || { cat "$tmp/out"; fail "replay did not name line 120"; }
# only line ends changed (an editor dropped the final newline, or saved CRLF):
# a divergence at the right line that says so
head -c -1 "$tmp/race.jsonl" >"$tmp/nonl.jsonl"
sed 's/$/\r/' "$tmp/race.jsonl" >"$tmp/crlf.jsonl"
for f in nonl:413 crlf:1; do
	set +e
	"$RC" replay "$tmp/${f%:*}.jsonl" >"$tmp/out" 2>&1
	status=$?
	set -e
	[ "$status" -eq 1 ] && grep -q "DIVERGED from .* at line ${f#*:}\b" "$tmp/out" &&
		grep -q 'only the line end differs' "$tmp/out" ||
		{ cat "$tmp/out"; fail "${f%:*}.jsonl: exit $status, want 1 and line ${f#*:} named as a line end"; }
done
# a NUL byte after the last line (a damaged copy): a divergence shown as \0, not a crash
{ cat "$tmp/race.jsonl"; printf '\0'; } >"$tmp/nul.jsonl"
set +e
"$RC" replay "$tmp/nul.jsonl" >"$tmp/out" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] && grep -q 'DIVERGED from .* at line 414' "$tmp/out" && grep -q '^  saved: \\0$' "$tmp/out" ||
	{ cat "$tmp/out"; fail "nul.jsonl: exit $status, want 1 and line 414 shown as \\0"; }
# a header of another format is bad input (exit 2), not a divergence at line 1
sed '1s/"format":1/"format":2/' "$tmp/race.jsonl" >"$tmp/format2.jsonl"
set +e
"$RC" replay "$tmp/format2.jsonl" >"$tmp/out" 2>&1
status=$?
set -e
[ "$status" -eq 2 ] && grep -q 'trace format 2 in its header, this build reads format 1' "$tmp/out" ||
	{ cat "$tmp/out"; fail "format2.jsonl: exit $status, want 2 naming the format"; }
echo "explore-tests: a saved trace replays byte for byte; a changed record, line end or NUL byte is found at its line;"
echo "explore-tests: a trace of another format is refused"

# --- shrink: a scenario that fails on purpose ----------------------------------------
src=fixtures/scenarios-failing/stale-too-early.scn
"$RC" shrink "$src" -o "$tmp/a.scn" >"$tmp/s1" || { cat "$tmp/s1"; fail "shrink failed on $src"; }
"$RC" shrink "$src" -o "$tmp/b.scn" >/dev/null
cmp -s <(grep -v '^# [0-9]* candidate runs' "$tmp/a.scn") <(grep -v '^# [0-9]* candidate runs' "$tmp/b.scn") ||
	fail "shrinking $src twice gave two different scenarios"
before=$(grep -cv '^#\|^$' "$src")
after=$(grep -cv '^#\|^$\|^@seed ' "$tmp/a.scn") # the pin is shrink's own, not a line of $src
[ "$after" -lt "$before" ] || fail "shrinking $src kept $after of $before statements"
want=$("$RC" run "$src" | grep -m1 -o 'expect .*' || true)
set +e
"$RC" run "$tmp/a.scn" >"$tmp/out"
status=$?
set -e
[ "$status" -eq 1 ] && grep -qF "$want" "$tmp/out" || { cat "$tmp/out"; fail "the shrunk scenario does not fail as $src does ($want)"; }
# "it never happened" reads the same with r1 never started; that is no longer
# the same failure, so the start stays (it once went, leaving an expectation
# about a runner nothing starts).
grep -qx 'at 0s start r1' "$tmp/a.scn" || { cat "$tmp/a.scn"; fail "the shrunk $src no longer starts r1"; }
# A shrink cut short by --max-runs says so on the terminal too, not only in
# the file's comment (its summary once read like a finished one).
"$RC" shrink "$src" -o "$tmp/c.scn" --max-runs 3 >"$tmp/s3" || { cat "$tmp/s3"; fail "shrink --max-runs 3 failed"; }
grep -q '^shrink: .* in 3 runs (stopped at --max-runs), ' "$tmp/s3" ||
	{ cat "$tmp/s3"; fail "shrink --max-runs 3 does not say it stopped at the limit"; }
! grep -q 'stopped at --max-runs' "$tmp/s1" || fail "a shrink that finished says it stopped at --max-runs"
echo "explore-tests: $src shrinks from $before to $after statements, the same way twice, and still fails so"

# --- timeline -------------------------------------------------------------------------
"$RC" timeline "$race" -o "$tmp/race.svg" >/dev/null
xmllint --noout "$tmp/race.svg" || fail "the timeline is not well-formed XML"
grep -q 'refused 403 task-complete t1 from r1' "$tmp/race.svg" || fail "the timeline does not show r1's refused completion"
grep -c '<line class="m ' "$tmp/race.svg" | awk '$1 < 50 { exit 1 }' || fail "the timeline has (almost) no message arrows"
echo "explore-tests: the timeline of $race is well-formed and shows the refused completion"

# --- examples: regression scenarios ------------------------------------------------------
"$RC" run --seeds 1-100 explore/examples/ >"$tmp/out" || { cat "$tmp/out"; fail "explore/examples/ does not pass"; }
echo "explore-tests: explore/examples/ passes over seeds 1-100 ($(grep -c '^PASS' "$tmp/out") scenarios)"
