#!/usr/bin/env bash
# test_report_cli.sh - `rollcall report` end to end, on fixture results.
#
# The promises checked: an item whose scenario fails stays unticked, the
# output names the failing scenario and its replay command, and the command
# exits 1; with passing results it exits 0 and ticks the verified items; gaps
# are listed and never ticked; a name with no result fails; bad input (a
# malformed annotation, XML that is not JUnit) exits 2 with file:line; the
# real unit-tests --junit output is read as evidence.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
rollcall=${RC_BIN:-build/bin}/rollcall
unit=${RC_BIN:-build/bin}/unit-tests
fx=fixtures/reports
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fails=0

ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# report EXPECTED_RC OUTDIR ARGS...: run `report checklists`, keep its output
report() {
	local want=$1 out=$2
	shift 2
	"$rollcall" report checklists --out "$out" "$@" > "$scratch/out" 2> "$scratch/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		bad "exit $want expected, got $got: report checklists $*"
		cat "$scratch/out" "$scratch/err"
		return 1
	fi
}

echo "rollcall report checklists:"

# A failing scenario: unticked, named, replayable, exit 1.
if report 1 "$scratch/fail" --results $fx/gate-fail.xml --results $fx/unit.xml $fx/mini.md; then
	ok "a failing scenario exits 1"
	check "its item stays unticked" grep -q '^- \[ \] Goes stale after 2 minutes' "$scratch/fail/mini.md"
	check "the output names the failing scenario" grep -q 'scenario stale-after-2-min: FAIL at seed 17' "$scratch/out"
	check "the output gives the replay command" \
		grep -q 'replay: build/bin/rollcall run --seeds 17 scenarios/stale-after-2-min.scn' "$scratch/out"
	check "the ticked copy names the scenario under the item" \
		grep -q 'scenario `stale-after-2-min`: \*\*FAIL at seed 17' "$scratch/fail/mini.md"
	check "the summary counts it as failing" grep -q '^| failing | 1 |' "$scratch/fail/mini.md"
	check "the HTML page marks it failing" grep -q 'class="failing" id="item-1"' "$scratch/fail/mini.html"
	check "summary.json says failing 1" grep -q '"failing": 1,' "$scratch/fail/summary.json"
fi

# Passing results: exit 0, verified items ticked, gaps listed and unticked.
if report 0 "$scratch/pass" --results $fx/gate-pass.xml --results $fx/unit.xml $fx/mini.md; then
	ok "passing results exit 0"
	check "a verified item is ticked" grep -q '^- \[x\] Goes stale after 2 minutes' "$scratch/pass/mini.md"
	check "an item needing two scenarios is ticked when both pass" \
		grep -q '^- \[x\] Removed after 10 minutes' "$scratch/pass/mini.md"
	check "evidence shows seeds and simulated time" \
		grep -q 'pass, seeds 1-100, simulated 3m0s, wall 0.031 s' "$scratch/pass/mini.md"
	check "a gap is never ticked, even ticked by hand" grep -q '^- \[ \] Ticked by hand' "$scratch/pass/mini.md"
	check "gaps are listed with their reason" \
		grep -q '^- line 14: Secret compared in constant time (not observable; needs review)' "$scratch/pass/mini.md"
	check "the count line is printed" grep -q '3 verified, 0 failing, 3 gaps' "$scratch/out"
fi

# A scenario name with no result fails (a typo must not pass silently).
printf -- '- [ ] x <!-- verify: scenario no-such-scenario -->\n' > "$scratch/typo.md"
if report 1 "$scratch/typo" --results $fx/gate-pass.xml "$scratch/typo.md"; then
	ok "a scenario with no result exits 1"
	check "and says so" grep -q 'scenario no-such-scenario: no result' "$scratch/out"
fi

# Bad input: exit 2 with file:line:col, or file:line for XML.
printf -- '# T\n- [ ] x <!-- verify: scenaro a -->\n' > "$scratch/bad.md"
if report 2 "$scratch/bad" --results $fx/gate-pass.xml "$scratch/bad.md"; then
	check "a malformed annotation names file:line:col" grep -q "bad.md:2:22: unknown evidence kind 'scenaro'" "$scratch/err"
fi
printf '<testsuite><testcase name="a">\n' > "$scratch/broken.xml"
if report 2 "$scratch/x" --results "$scratch/broken.xml" $fx/mini.md; then
	check "XML that does not parse names the file and line" grep -q "broken.xml:[0-9]*:" "$scratch/err"
fi
printf '<html/>\n' > "$scratch/html.xml"
if report 2 "$scratch/x" --results "$scratch/html.xml" $fx/mini.md; then
	check "XML that is not JUnit is refused" grep -q "not JUnit XML" "$scratch/err"
fi
if report 2 "$scratch/x" --results "$scratch/none.xml" $fx/mini.md; then ok "a missing results file exits 2"; fi

# The real unit tests' JUnit is evidence: a checklist over two suites.
"$unit" --junit "$scratch/unit.xml" > /dev/null 2>&1
printf -- '- [ ] ids <!-- verify: unit identity -->\n- [ ] one <!-- verify: unit identity/"id shape" -->\n' > "$scratch/u.md"
if report 0 "$scratch/u" --results "$scratch/unit.xml" "$scratch/u.md"; then
	check "unit-tests --junit ticks a suite and one test" test "$(grep -c '^- \[x\]' "$scratch/u/u.md")" = 2
fi

# Integration tests are evidence too (the JUnit of ci/integration-junit.sh).
printf 'PASS test_drain_kill (1.20 s, 18 checks)\nFAIL test_refusals (0.80 s, exit 1); log: x.log\n    FAIL: got 200\n' |
	bash ci/integration-junit.sh "$scratch/it.xml" > /dev/null
printf -- '- [ ] reaped <!-- verify: integration test_drain_kill -->\n- [ ] refused <!-- verify: integration test_refusals -->\n' > "$scratch/it.md"
if report 1 "$scratch/it" --results "$scratch/it.xml" "$scratch/it.md"; then
	check "a passing integration test ticks its item" grep -q '^- \[x\] reaped' "$scratch/it/it.md"
	check "a failing one leaves its item unticked, with the reason and how to replay it" \
		grep -q 'integration `test_refusals`: \*\*FAIL: exit 1; log: x.log\*\*. Replay: `RC_BIN=$PWD/build/bin bash tests/integration/run.sh test_refusals`' "$scratch/it/it.md"
fi

# A failing test's output with colour codes and bytes that are not UTF-8 still gives well-formed XML.
printf 'FAIL test_refusals (0.80 s, exit 1)\n    FAIL: got \033[31m500\033[0m body \xff\xfe caf\xc3\xa9\r\n' |
	bash ci/integration-junit.sh "$scratch/it-odd.xml" > /dev/null
check "integration JUnit with control characters and non-UTF-8 bytes is well-formed" xmllint --noout "$scratch/it-odd.xml"
check "... keeping the UTF-8 text" grep -q "got ?\[31m500?\[0m body  caf"$'\xc3\xa9'"?" "$scratch/it-odd.xml"

# report items: one tab-separated line per reference.
"$rollcall" report items $fx/mini.md > "$scratch/items"
check "report items lists every reference" test "$(wc -l < "$scratch/items")" = 5
check "report items gives the unit test name" \
	grep -q "^mini	3	unit	registry	stale at age 120000, not 119999$" "$scratch/items"

echo "the shipped checklists (fixtures/checklists):"
"$rollcall" report items fixtures/checklists > "$scratch/shipped" || bad "fixtures/checklists do not parse"
missing=0
while IFS=$'\t' read -r list n kind name test; do
	case $kind in
	scenario) [ -f "scenarios/$name.scn" ] || { echo "    $list item $n: no scenarios/$name.scn"; missing=$((missing + 1)); } ;;
	integration) [ -f "tests/integration/$name.sh" ] || { echo "    $list item $n: no tests/integration/$name.sh"; missing=$((missing + 1)); } ;;
	unit)
		q="//testcase[@classname='unit.$name'${test:+ and @name=\"$test\"}]"
		[ "$(xmllint --xpath "count($q)" "$scratch/unit.xml")" -gt 0 ] ||
			{ echo "    $list item $n: no unit test $name${test:+/$test}"; missing=$((missing + 1)); } ;;
	esac
done < "$scratch/shipped"
check "every scenario and unit test they name exists ($(wc -l < "$scratch/shipped") references)" test $missing = 0
gaps=$("$rollcall" report checklists --out "$scratch/shipped-out" --results "$scratch/unit.xml" fixtures/checklists |
	sed -n 's/.* \([0-9]*\) gaps\{0,1\} (never ticked).*/\1/p')
check "they keep at least one honest gap (${gaps:-?})" test "${gaps:-0}" -ge 1

echo "rollcall report index:"
mkdir -p "$scratch/site"
cp $fx/gate-fail.xml "$scratch/site/junit.xml"
cp -r $fx/coverage "$scratch/site/coverage"
"$rollcall" report checklists --out "$scratch/site/checklists" --results "$scratch/site/junit.xml" \
	--results $fx/unit.xml $fx/mini.md > /dev/null
"$rollcall" report index --reports "$scratch/site" --results "$scratch/site/junit.xml" --results $fx/unit.xml > "$scratch/out"
rc=$?
check "a failing gate gives exit 1 and a FAIL page" test "$rc" = 1 -a -s "$scratch/site/index.html"
check "the page names the failure and its replay command" \
	grep -q 'build/bin/rollcall run --seeds 17 scenarios/stale-after-2-min.scn' "$scratch/site/index.html"
check "the page links gcovr's page named by MD5" \
	grep -q 'href="coverage/index.registry.c.6a70d92c559e40884e1b037068fd2814.html"' "$scratch/site/index.html"
check "and the one found by base name" grep -q 'href="coverage/index.identity.c.0000.html"' "$scratch/site/index.html"
cp $fx/gate-pass.xml "$scratch/site/junit.xml"
"$rollcall" report checklists --out "$scratch/site/checklists" --results "$scratch/site/junit.xml" \
	--results $fx/unit.xml $fx/mini.md > /dev/null
"$rollcall" report index --reports "$scratch/site" --results "$scratch/site/junit.xml" > "$scratch/out"
check "a passing gate over thresholds gives exit 0" test $? = 0
check "... judging everything" grep -qx "report: $scratch/site/index.html (PASS)" "$scratch/out"
# A summary that is missing is not judged, and both the page and the command say so:
# a typo in --reports must not turn the gate green as if checklists and coverage passed.
"$rollcall" report checklists --out "$scratch/site/checklists" --results "$scratch/site/junit.xml" \
	--coverage-dir "$scratch/no-such-coverage" $fx/mini.md > /dev/null 2> "$scratch/err"
check "report checklists --coverage-dir naming no folder exits 2" test $? = 2
check "... saying so" grep -qx "rollcall report: --coverage-dir: '$scratch/no-such-coverage' is not a directory" \
	"$scratch/err"
"$rollcall" report index --reports "$scratch/site-typo" --results "$scratch/site/junit.xml" > /dev/null 2> "$scratch/err"
check "--reports naming no folder exits 2" test $? = 2
check "... saying so" grep -qx "rollcall report: --reports: '$scratch/site-typo' is not a directory" "$scratch/err"
mkdir -p "$scratch/bare"
"$rollcall" report index --reports "$scratch/bare" --results "$scratch/site/junit.xml" > "$scratch/out"
check "a folder without summaries: the scenarios alone judged (exit 0)" test $? = 0
check "... and the command says what was not" \
	grep -qx "report: $scratch/bare/index.html (PASS; not judged, no summary: checklists, coverage)" "$scratch/out"
check "... nor does the page claim them" bash -c "grep -q 'Not judged</b> (no summary): checklists, coverage.' \
	'$scratch/bare/index.html' && ! grep -q 'every checklist item' '$scratch/bare/index.html'"
"$rollcall" report index --reports "$scratch/site" --results "$scratch/site/junit.xml" --line-threshold 95 > /dev/null
check "coverage under a threshold gives exit 1" test $? = 1
# Inputs that are folders or missing: one line naming the path and why (not libxml2's own
# "I/O error" line, nor jansson's line -1).
"$rollcall" report index --reports "$scratch/site" --results "$scratch" > /dev/null 2> "$scratch/err"
check "--results of a folder exits 2" test $? = 2
check "... with one line saying so" test "$(cat "$scratch/err")" = "rollcall report: $scratch: Is a directory"
mkdir -p "$scratch/dirsum/coverage/summary.json"
cp $fx/gate-pass.xml "$scratch/dirsum/junit.xml"
"$rollcall" report index --reports "$scratch/dirsum" > /dev/null 2> "$scratch/err"
check "a coverage summary that is a folder exits 2, saying so" \
	grep -qx "rollcall report: $scratch/dirsum/coverage/summary.json: Is a directory" "$scratch/err"
# A testcase time that is not all a finite number is unknown, not "inf s" or a guess.
sed -e 's/time="0.031"/time="1e999"/' -e 's/time="0.040"/time="0.040abc"/' $fx/gate-pass.xml > "$scratch/odd-time.xml"
"$rollcall" report index --reports "$scratch/site" --results "$scratch/odd-time.xml" > /dev/null
check "time=\"1e999\" and time=\"0.040abc\" are shown as unknown" \
	bash -c "! grep -q -e 'inf s' -e '0.040 s' '$scratch/site/index.html'"
"$rollcall" report index --reports "$scratch/site" --results $fx/gate-pass.xml > /dev/null
check "... where time=\"0.040\" is shown" grep -q '0.040 s' "$scratch/site/index.html"
# Code without branches: gcovr's summary says "branch_percent": 0.0 but its --fail-under-branch
# counts no branches as 100 %; the page judges the same way.
cp -r "$scratch/site" "$scratch/nobranch"
printf '{"files":[],"line_covered":19,"line_total":20,"line_percent":95.0,"branch_covered":0,"branch_total":0,"branch_percent":0.0,"function_covered":1,"function_total":1,"function_percent":100.0}\n' \
	> "$scratch/nobranch/coverage/summary.json"
"$rollcall" report index --reports "$scratch/nobranch" --results "$scratch/site/junit.xml" > /dev/null
check "coverage with no branches meets the branch threshold, as for gcovr" test $? = 0
check "... and shows 100% of branches" grep -q '<b>95.0% / 100.0%</b>' "$scratch/nobranch/index.html"
sed -i 's/"line_covered":19,"line_total":20,"line_percent":95.0/"line_covered":0,"line_total":0,"line_percent":0.0/' \
	"$scratch/nobranch/coverage/summary.json"
"$rollcall" report index --reports "$scratch/nobranch" --results "$scratch/site/junit.xml" > /dev/null
check "coverage with no lines at all fails, as for gcovr" test $? = 1
# A summary that is not what `report checklists` or gcovr write: exit 2 naming it, no page.
mkdir -p "$scratch/odd/checklists" "$scratch/odd/coverage"
cp $fx/gate-pass.xml "$scratch/odd/junit.xml"
printf '{"checklists":[{"name":"a","title":"A","verified":0,"failing":1,"gaps":0,"items":[{"line":1,"text":"x","refs":[]}]}],"verified":0,"failing":1,"gaps":0,"items":1}\n' \
	> "$scratch/odd/checklists/summary.json"
"$rollcall" report index --reports "$scratch/odd" > /dev/null 2> "$scratch/err"
check "a checklist summary item without a status exits 2" test $? = 2
check "... naming the file and the field" \
	grep -q "odd/checklists/summary.json: not a summary of .* (checklists\[0\].items\[0\]: .*status)" "$scratch/err"
check "... and writes no page" test ! -e "$scratch/odd/index.html"
rm "$scratch/odd/checklists/summary.json"
printf '{"files":[]}\n' > "$scratch/odd/coverage/summary.json"
"$rollcall" report index --reports "$scratch/odd" > /dev/null 2> "$scratch/err"
check "a coverage summary without totals exits 2 naming it" \
	grep -q "odd/coverage/summary.json: not a gcovr JSON summary" "$scratch/err"

echo "outputs whole or not at all:"
# Bad coverage input for the second checklist: nothing is written, not even the first's pages.
mkdir -p "$scratch/badcov/runner-identity" "$scratch/whole"
printf '{"files": [' > "$scratch/badcov/runner-identity/1.json"
"$rollcall" report checklists --out "$scratch/whole/c" --results $fx/gate-pass.xml --results $fx/unit.xml \
	--coverage-dir "$scratch/badcov" fixtures/checklists/process-supervision.md fixtures/checklists/runner-identity.md \
	> "$scratch/out" 2> "$scratch/err"
check "truncated gcovr JSON exits 2" test $? = 2
check "... naming the file and line" grep -q "badcov/runner-identity/1.json:1: " "$scratch/err"
check "... before any page is written" test -z "$(ls -A "$scratch/whole/c" 2> /dev/null)"
# A write that fails (over the file size limit) leaves the old pages as they were.
"$rollcall" report checklists --out "$scratch/whole/c" --results $fx/gate-pass.xml --results $fx/unit.xml \
	fixtures/checklists > /dev/null
cp -r "$scratch/whole/c" "$scratch/whole/orig"
(trap '' XFSZ; ulimit -f 8; "$rollcall" report checklists --out "$scratch/whole/c" --results $fx/gate-pass.xml \
	--results $fx/unit.xml fixtures/checklists > /dev/null 2> "$scratch/err")
check "a checklist page over the file size limit exits 2" test $? = 2
check "... naming the file" grep -q "cannot write $scratch/whole/c/.*: File too large" "$scratch/err"
check "... and every old page and summary.json are untouched" diff -r "$scratch/whole/orig" "$scratch/whole/c"
cp "$scratch/site/index.html" "$scratch/whole/index.orig"
(trap '' XFSZ; ulimit -f 4; "$rollcall" report index --reports "$scratch/site" > /dev/null 2> "$scratch/err")
check "index.html over the file size limit exits 2" test $? = 2
check "... and the old page is untouched" cmp -s "$scratch/site/index.html" "$scratch/whole/index.orig"
check "... with no temporary file left" test -z "$(ls "$scratch/site" | grep 'index.html.')"

echo "under valgrind (memory errors and leaks):"
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@" > /dev/null 2>&1; }
mkdir -p "$scratch/cov/mini"
cp $fx/item-coverage.json "$scratch/cov/mini/1.json"
vg "$rollcall" report checklists --out "$scratch/vg" --results $fx/gate-fail.xml --results $fx/unit.xml \
	--coverage-dir "$scratch/cov" $fx/mini.md fixtures/checklists
check "report checklists: clean (exit 1 expected)" test $? = 1
vg "$rollcall" report index --reports "$scratch/site"
check "report index: clean" test $? = 0
vg "$rollcall" report checklists --out "$scratch/vg" --results "$scratch/broken.xml" $fx/mini.md
check "bad XML: clean (exit 2 expected)" test $? = 2
vg "$rollcall" report checklists --out "$scratch/vg" --results $fx/gate-pass.xml "$scratch/bad.md"
check "bad annotation: clean (exit 2 expected)" test $? = 2

if [ $fails -ne 0 ]; then
	echo "report tests: $fails failed"
	exit 1
fi
echo "report tests: all passed"
