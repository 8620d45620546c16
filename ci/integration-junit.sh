#!/usr/bin/env bash
# integration-junit.sh - JUnit XML from the output of tests/integration/run.sh,
# so the integration tests can be evidence for checklist items and show in CI
# test reports.
#
# Reads run.sh's lines on stdin and passes them through to stdout unchanged;
# writes FILE with one <testcase classname="integration" name="test_NAME"
# time="S"> per "PASS test_NAME (S s, ...)" or "FAIL test_NAME (S s, why)"
# line, a <failure> (the reason and the indented lines after it) for a FAIL.
# Exit 0, or 2 if FILE cannot be written.
#
# Usage: tests/integration/run.sh | ci/integration-junit.sh FILE
set -u
out=${1:?usage: integration-junit.sh FILE}
names=() times=() verdicts=() details=()

# Escaped for XML 1.0: control characters (colour codes, \r in a test's output) become
# '?' and bytes that are not UTF-8 are left out, as XML does not allow them.
xml() {
	LC_ALL=C tr '\001-\010\013-\037' '[?*]' | { iconv -f UTF-8 -t UTF-8 -c 2> /dev/null || true; } |
		sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	"PASS "* | "FAIL "*)
		names+=("$(printf '%s\n' "$line" | cut -d' ' -f2)")
		times+=("$(printf '%s\n' "$line" | sed -n 's/^[A-Z]* [^ ]* (\([0-9][0-9.]*\) s.*/\1/p')")
		verdicts+=("${line%% *}")
		details+=("$(printf '%s\n' "$line" | sed -n -e '/^FAIL /!d' -e 's/^FAIL [^ ]* (//' -e 's/^[0-9.]* s[,:] //' \
			-e 's/)\(;\|$\)/\1/' -e p)")
		;;
	"    "*)
		last=$((${#details[@]} - 1))
		[ $last -ge 0 ] && [ "${verdicts[$last]}" = FAIL ] && details[$last]+=$'\n'"${line#    }"
		;;
	esac
done

failures=0
for v in "${verdicts[@]}"; do [ "$v" = FAIL ] && failures=$((failures + 1)); done
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<testsuite name="integration" tests="%d" failures="%d" errors="0">\n' ${#names[@]} $failures
	for i in "${!names[@]}"; do
		printf '  <testcase classname="integration" name="%s" time="%s"' \
			"$(printf '%s' "${names[$i]}" | xml)" "${times[$i]:-0}"
		if [ "${verdicts[$i]}" = PASS ]; then
			printf '/>\n'
		else
			printf '>\n    <failure message="%s">%s</failure>\n  </testcase>\n' \
				"$(printf '%s' "${details[$i]%%$'\n'*}" | xml)" "$(printf '%s' "${details[$i]}" | xml)"
		fi
	done
	printf '</testsuite>\n'
} > "$out" || { echo "integration-junit: cannot write $out" >&2; exit 2; }
