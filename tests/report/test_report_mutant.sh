#!/usr/bin/env bash
# test_report_mutant.sh - a real bug in the reference leaves its checklist
# item unticked, names the scenario that caught it, and fails the report.
#
# A scratch copy of the tree gets one realistic bug (the sweep marks a runner
# stale only after twice the threshold: "stale after 4 minutes"), the gate runs
# the scenario library on that build, and `rollcall report checklists` reads
# its JUnit. The same report over the reference's own gate ticks the item.
# Needs the simulator (`rollcall run`); the Makefile runs it only then.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
rollcall=$here/${RC_BIN:-build/bin}/rollcall
seeds=${RC_MUTANT_SEEDS:-1-20}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fails=0
ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }
item='A silent runner goes stale after 2+ minutes'
# The item of runner-identity.md with its scenario evidence only (the gate is
# what runs here; its integration evidence is not rerun).
checklist=$scratch/runner-identity.md
printf -- '# Runner identity\n\n- [ ] %s <!-- verify: scenario stale-after-2-min, boundary-stale-at-120s -->\n' \
	"$item" > "$checklist"
grep -q "^- \[ \] $item.*<!-- verify: scenario stale-after-2-min, boundary-stale-at-120s;" \
	fixtures/checklists/runner-identity.md || bad "runner-identity.md no longer has this item: update this test"

echo "a mutant of the reference, through the gate and the checklists:"
"$rollcall" run --help > /dev/null 2>&1 || { echo "test_report_mutant: this build has no \`rollcall run\`"; exit 1; }

# The reference: the item is verified.
"$rollcall" run --seeds "$seeds" --junit "$scratch/reference.xml" scenarios/ > /dev/null 2>&1
mkdir -p "$scratch/reference"
"$rollcall" report checklists --results "$scratch/reference.xml" --out "$scratch/reference" "$checklist" > /dev/null 2>&1
grep -q "^- \[x\] $item" "$scratch/reference/runner-identity.md" &&
	ok "on the reference the item is ticked" || bad "on the reference the item is not ticked"

# The mutant: stale only at twice the threshold.
mkdir -p "$scratch/tree"
tar --exclude=./build --exclude=./reports --exclude=./.git -cf - . | tar -xf - -C "$scratch/tree"
target=$scratch/tree/reference/core/registry.c
sed -i 's/age_ms >= c->cfg.stale_after_ms &&/age_ms >= 2 * c->cfg.stale_after_ms \&\&/' "$target"
if ! grep -q 'age_ms >= 2 \* c->cfg.stale_after_ms &&' "$target"; then
	bad "the mutation no longer applies to reference/core/registry.c: update this test"
	exit 1
fi
make -C "$scratch/tree" --no-print-directory -j2 CFLAGS="-O0 -g" build/bin/rollcall > "$scratch/build.log" 2>&1 ||
	{ tail -20 "$scratch/build.log"; bad "the mutant does not build"; exit 1; }
(cd "$scratch/tree" && build/bin/rollcall run --seeds "$seeds" --junit "$scratch/mutant.xml" scenarios/ > /dev/null 2>&1)
[ $? = 1 ] && ok "the gate fails on the mutant" || bad "the gate does not fail on the mutant"

"$rollcall" report checklists --results "$scratch/mutant.xml" --out "$scratch/mutant" "$checklist" > "$scratch/out" 2>&1
rc=$?
[ $rc = 1 ] && ok "report checklists exits 1" || bad "report checklists exits $rc, want 1"
grep -q "^- \[ \] $item" "$scratch/mutant/runner-identity.md" &&
	ok "the item stays unticked" || bad "the item is ticked on the mutant"
grep -q "FAILING $checklist:3: $item" "$scratch/out" &&
	grep -q "scenario stale-after-2-min: FAIL at seed" "$scratch/out" &&
	ok "the output names the item and the scenario that caught it" || { bad "the failing scenario is not named"; cat "$scratch/out"; }
grep -q 'replay: .*rollcall run --seeds [0-9]* scenarios/stale-after-2-min.scn' "$scratch/out" &&
	ok "with the command that replays the failing seed" || bad "no replay command"

if [ $fails -ne 0 ]; then
	echo "report mutant: $fails failed"
	exit 1
fi
echo "report mutant: all passed"
