#!/usr/bin/env bash
# test_core_purity.sh - the purity check must catch what it promises to catch.
#
# Copies reference/core to a scratch folder, plants one violation at a time
# (a forbidden header, a forbidden call) and expects the check to refuse it;
# the clean copy must pass, and a mention inside a comment must not count.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
check="$here/ci/check-core-purity.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fails=0

expect() { # expect pass|fail DESCRIPTION
	local want=$1 what=$2 got=pass
	bash "$check" "$scratch/core" >/dev/null 2>"$scratch/err" || got=fail
	if [ "$got" = "$want" ]; then
		echo "  ok   $what ($got)"
	else
		echo "  FAIL $what: expected $want, got $got"; cat "$scratch/err"; fails=$((fails + 1))
	fi
}

fresh() { rm -rf "$scratch/core"; cp -r "$here/reference/core" "$scratch/core"; }

echo "core purity check:"
fresh; expect pass "the core as committed"
for header in time.h sys/time.h unistd.h fcntl.h pthread.h sys/socket.h curl/curl.h microhttpd.h sqlite3.h; do
	fresh; printf '#include <%s>\n' "$header" >> "$scratch/core/rng.c"; expect fail "#include <$header>"
done
for call in 'fopen("x", "r")' 'printf("x")' 'rand()' 'time(0)' 'clock_gettime(0, 0)' 'sleep(1)'; do
	fresh; printf 'static void planted(void) { %s; }\n' "$call" >> "$scratch/core/rng.c"; expect fail "call $call"
done
fresh; printf '/* time() and fopen() are what the core must never call */\n' >> "$scratch/core/rng.c"
expect pass "a comment mentioning time() and fopen()"
fresh; printf 'static int rc_timer_open(void) { return 0; }\n' >> "$scratch/core/rng.c"
expect pass "a function whose name merely contains open"

[ $fails -eq 0 ] && echo "core purity check: all cases behaved" || echo "core purity check: $fails case(s) wrong"
exit $((fails > 0))
