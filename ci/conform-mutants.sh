#!/usr/bin/env bash
# conform-mutants.sh - each broken coordinator of fixtures/mutants/live/ must
# be caught by `rollcall conform` on the scenario its MANIFEST names.
#
# For each patch: copy the sources to a scratch folder, apply the patch,
# build rollcall-coordd there (-O0: only behaviour matters), replay the whole
# library against it with `rollcall conform --launch`, and require exit 1 with
# the named scenario among the failures. With FLEET=1 the named scenario is
# also replayed through the fleet-v2 dialect (tests/conform/dialect_adapter.c
# in front of the mutant) and must fail there too: a profile changes the
# words on the wire, not the verdict.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
RC=${RC:-build/bin/rollcall}
ADAPTER=${ADAPTER:-build/bin/dialect-adapter}
DIR=fixtures/mutants/live
FLEET=${FLEET:-1}
scratch=$(mktemp -d /tmp/rc-conform-mutants-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
caught=0 total=0 fails=0

fail() { echo "conform-mutants: FAIL: $*"; fails=$((fails + 1)); }

while read -r patch scenario; do
	case "$patch" in ''|'#'*) continue ;; esac
	total=$((total + 1))
	name=$(basename "$patch" .patch)
	tree="$scratch/$name"
	mkdir -p "$tree"
	cp -r Makefile common reference "$tree/"
	if ! patch -s -p1 -d "$tree" < "$DIR/$patch"; then fail "$patch does not apply"; continue; fi
	if ! make -s -C "$tree" -j2 OPT=-O0 build/bin/rollcall-coordd > "$scratch/$name.build" 2>&1; then
		tail -20 "$scratch/$name.build"; fail "$name does not build"; continue
	fi
	coordd="$tree/build/bin/rollcall-coordd"
	"$RC" conform --launch "$coordd" scenarios/ > "$scratch/$name.out" 2>&1
	status=$?
	failed=$(awk '$1 == "FAIL" { print $2 }' "$scratch/$name.out" | tr '\n' ' ')
	if [ "$status" -ne 1 ] || ! grep -q "^FAIL  $scenario " "$scratch/$name.out"; then
		cat "$scratch/$name.out"
		fail "$name: exit $status, want 1 with $scenario failing (failed: ${failed:-none})"
		continue
	fi
	line=$(grep -A2 "^FAIL  $scenario " "$scratch/$name.out" | sed -n 2p | sed 's/^ *//')
	echo "mutant $name: caught live by $scenario ($line); failing: $failed"
	if [ "$FLEET" = 1 ]; then
		launch="$ADAPTER --listen 127.0.0.1:0 -- $coordd --listen 127.0.0.1:0 --secret-file {secret_file} --db {db}"
		"$RC" conform --profile fixtures/profiles/fleet-v2.json --launch "$launch" "scenarios/$scenario.scn" \
			> "$scratch/$name.fleet" 2>&1
		status=$?
		if [ "$status" -ne 1 ] || ! grep -q "^FAIL  $scenario " "$scratch/$name.fleet"; then
			cat "$scratch/$name.fleet"; fail "$name: not caught through the fleet-v2 dialect (exit $status)"; continue
		fi
		echo "mutant $name: caught through the fleet-v2 dialect too"
	fi
	caught=$((caught + 1))
done < "$DIR/MANIFEST"

echo "conform-mutants: $caught of $total broken coordinators caught live"
[ "$fails" -eq 0 ] && [ "$total" -gt 0 ]
