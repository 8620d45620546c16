# rollcall - build, dependencies, tests, reports.
#
#   make deps    install the Debian packages (idempotent, quiet when present)
#   make         build everything into build/ (binaries in build/bin/)
#   make check   deps + build (gcc and clang) + every test
#   make bench   benchmarks that print their figures
#   make fuzz    sanitizer build + mutated requests, state files, input files
#   make run     the main job: ci/gate over 100 seeds, checklists, coverage, reports/index.html
#   make coverage  gcovr over reference/ and common/ (build/coverage), thresholds 90/75
#
# Layers, each a static library, each only depending on the ones above it:
#   reference/core   pure state machines (checked: no clock, no I/O)
#   common/          whole-file reads and atomic replacement (rc_file_), for
#                    every layer below the core and the daemons
#   sim/             the discrete-event simulator
#   scn/             the scenario language: parser and executor
#   report/          checklists, results, coverage and HTML reports (rpt_ prefix)
#   cli/             the rollcall command
#   reference/daemon rollcall-coordd and rollcall-runnerd

CC      ?= cc
BUILD   ?= build
# The simulator and the reference cores run every simulated event: they get
# -O3 (measured: 11 % fewer instructions on the heartbeat storm). The rest
# stays at -O2, where GCC's maybe-uninitialized analysis is not noisy.
# They also inline fixed-size memsets as SSE loops: GCC's default for the
# records, replies and effects they clear (150-300 bytes) is `rep stos`, whose
# start-up cost made rc_outbox_push alone 3% of an explored seed (measured:
# explore 6% faster on both cores). GCC only: probed, so clang goes without.
MEMSET_LOOP := -mmemset-strategy=vector_loop:2048:noalign,libcall:-1:noalign
HOT_MEMSET := $(shell $(CC) $(MEMSET_LOOP) -x c -c /dev/null -o /dev/null 2>/dev/null && echo '$(MEMSET_LOOP)')
# Link-time optimisation lets the simulator inline the cores' small accessors
# (deadlines, keys, clocks) across files. GCC only (probed with its linker
# plugin, which Debian's gcc package installs); CFLAGS or OPT given on the
# command line (coverage, conformance mutants) build without it. Objects are
# fat (machine code too), so ci/mutants.sh links each mutant with LTO=-fno-lto:
# twelve whole-program links made `make mutants` twice as slow.
LTO_FLAGS := -flto=auto -fuse-linker-plugin -ffat-lto-objects
LTO := $(shell echo 'int main(void){return 0;}' | $(CC) -Werror $(LTO_FLAGS) -x c - -o /dev/null 2>/dev/null && echo '$(LTO_FLAGS)')
OPT     ?= -O2 $(LTO)
HOT_OPT ?= -O3 $(HOT_MEMSET) $(LTO)
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
INCS    := -Ireference/core -Icommon -Isim -Iscn -Ireport -Iexplore -Icli -Iconform -Ireference/daemon/common
ALL_CFLAGS = $(WARN) $(DEFS) $(INCS) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_CORE := -ljansson -lcrypto -lm

BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

CORE_SRC    := $(wildcard reference/core/*.c)
COMMON_SRC  := $(wildcard common/*.c)
SIM_SRC     := $(wildcard sim/*.c)
REPORT_SRC  := $(wildcard report/*.c)
SCN_SRC     := $(wildcard scn/*.c)
# explore/: exploration, replay, shrinking and timelines (rollcall explore, ...).
XP_SRC      := $(wildcard explore/*.c)
CLI_SRC     := $(wildcard cli/*.c)
# `rollcall conform` (live conformance over HTTP); the only part of `rollcall`
# that links libcurl.
CONF_SRC    := $(wildcard conform/*.c)
DCOMMON_SRC := $(wildcard reference/daemon/common/*.c)
COORDD_SRC  := $(wildcard reference/daemon/coordd/*.c)
RUNNERD_SRC := $(wildcard reference/daemon/runnerd/*.c)
UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_SUITES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))

objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

LIB_CORE    := $(BUILD)/lib/librc_core.a
LIB_COMMON  := $(BUILD)/lib/librc_common.a
LIB_SIM     := $(BUILD)/lib/librc_sim.a
LIB_REPORT  := $(BUILD)/lib/librc_report.a
LIB_SCN     := $(BUILD)/lib/librc_scn.a
LIB_XP      := $(BUILD)/lib/librc_explore.a
LIB_DCOMMON := $(BUILD)/lib/librc_dcommon.a
LIB_CONF    := $(BUILD)/lib/librc_conf.a

PROGRAMS := $(BIN)/rollcall
ifneq ($(strip $(COORDD_SRC)),)
PROGRAMS += $(BIN)/rollcall-coordd
endif
ifneq ($(strip $(RUNNERD_SRC)),)
PROGRAMS += $(BIN)/rollcall-runnerd
endif

# The main job (see README.md): build, replay the scenario library over 100
# seeds (ci/gate), verify every checklist, measure coverage, write
# reports/index.html. ci/run.sh prints the summary table; its exit code is the
# gate's.
run: deps
	@$(MAKE) --no-print-directory all
	@bash ci/run.sh

# Coverage of reference/ by every test there is, with gcovr's thresholds.
coverage: deps
	@bash ci/coverage.sh

.PHONY: scenario-syntax scenario-library scenario-must-fail scenario-warnings scenario-junit scenario-gate integration integration-valgrind
.PHONY: conform conform-mutants
.PHONY: test-report test-report-html test-report-mutant
.PHONY: FORCE coverage-build bench mutants sim-determinism sim-reference sim-scaling sim-heartbeat-work run coverage all deps check unit valgrind-unit purity test-purity clang-build clean help
.DEFAULT_GOAL := all

all: purity $(PROGRAMS) $(BIN)/unit-tests $(BIN)/it-stream $(BIN)/dialect-adapter

help:
	@sed -n '1,9p' Makefile

deps:
	@bash ci/deps.sh

purity:
	@bash ci/check-core-purity.sh reference/core

# --- objects and libraries ------------------------------------------------

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_CORE): $(call objs,$(CORE_SRC))
$(LIB_COMMON): $(call objs,$(COMMON_SRC))
$(LIB_SIM): $(call objs,$(SIM_SRC))
$(LIB_REPORT): $(call objs,$(REPORT_SRC))
$(LIB_SCN): $(call objs,$(SCN_SRC))
$(LIB_XP): $(call objs,$(XP_SRC))
$(LIB_DCOMMON): $(call objs,$(DCOMMON_SRC))
$(LIB_CONF): $(call objs,$(CONF_SRC))
$(BUILD)/lib/%.a:
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

# --- programs -------------------------------------------------------------

# libxml2 (JUnit reading) is linked into the rollcall binary only.
XML2_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
XML2_LIBS   := $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
$(OBJ)/cli/report_junit.o: EXTRA_CFLAGS += $(subst -I,-isystem ,$(XML2_CFLAGS))
LDFLAGS_CLI += $(XML2_LIBS)

$(BIN)/rollcall: $(call objs,$(CLI_SRC)) $(LIB_XP) $(LIB_REPORT) $(LIB_CONF) $(LIB_DCOMMON) $(LIB_SCN) $(LIB_SIM) $(LIB_COMMON) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_CORE) -lcurl $(LDFLAGS_CLI)

$(BIN)/rollcall-coordd: $(call objs,$(COORDD_SRC)) $(LIB_DCOMMON) $(LIB_COMMON) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lmicrohttpd -lsqlite3 $(LDLIBS_CORE)

$(BIN)/rollcall-runnerd: $(call objs,$(RUNNERD_SRC)) $(LIB_DCOMMON) $(LIB_COMMON) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lcurl -lmicrohttpd $(LDLIBS_CORE)

# --- unit tests (CUnit) ---------------------------------------------------
# Each tests/unit/test_NAME.c defines rc_test_register_NAME(); the list of
# suites is generated so adding a test file needs no edit here.

$(BUILD)/gen/unit_suites.h: $(wildcard tests/unit/test_*.c)
	@mkdir -p $(dir $@)
	@printf '/* generated by the Makefile from tests/unit/test_*.c */\n#define RC_UNIT_SUITES' > $@.tmp
	@for s in $(UNIT_SUITES); do printf ' X(%s)' $$s >> $@.tmp; done
	@printf '\n' >> $@.tmp
	@mv $@.tmp $@

$(call objs,$(UNIT_SRC)): $(BUILD)/gen/unit_suites.h

# The build id in simulator trace headers and the daemons' --version: git's
# description of the sources.
# Rewritten only when it changes, so an unchanged tree does not rebuild.
BUILD_ID := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/gen/build_id.h: FORCE
	@mkdir -p $(dir $@)
	@printf '/* generated by the Makefile */\n#define RC_BUILD_ID "%s"\n' '$(BUILD_ID)' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(call objs,$(SIM_SRC) reference/daemon/common/args.c): $(BUILD)/gen/build_id.h
$(OBJ)/sim/%.o $(OBJ)/reference/daemon/common/args.o: EXTRA_CFLAGS += -I$(BUILD)/gen
$(OBJ)/sim/%.o $(OBJ)/reference/core/%.o: OPT = $(HOT_OPT)
FORCE:
$(OBJ)/tests/unit/%.o: EXTRA_CFLAGS += -I$(BUILD)/gen -Itests/unit
# Tests are compiled as plain objects: LTO's whole-program view makes GCC warn
# about reads after a CUnit fatal assertion it cannot know will not return.
$(OBJ)/tests/%.o: LTO :=

# coordd's store is tested against a real coordinator (test_coordd_store.c).
UNIT_DAEMON_OBJS := $(call objs,reference/daemon/coordd/store.c reference/daemon/runnerd/tasklogs.c)
$(OBJ)/tests/unit/test_coordd_store.o: EXTRA_CFLAGS += -Ireference/daemon/coordd
$(OBJ)/tests/unit/test_runnerd_tasklogs.o: EXTRA_CFLAGS += -Ireference/daemon/runnerd

# --wrap lets test_registry.c see every constant-time comparison the core makes,
# and test_runnerd_tasklogs.c make a directory listing fail halfway.
$(BIN)/unit-tests: $(call objs,$(UNIT_SRC)) $(UNIT_DAEMON_OBJS) $(LIB_XP) $(LIB_REPORT) $(LIB_CONF) $(LIB_SCN) $(LIB_SIM) $(LIB_DCOMMON) $(LIB_COMMON) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -Wl,--wrap=CRYPTO_memcmp -Wl,--wrap=readdir -o $@ $^ -lcunit -lmicrohttpd -lsqlite3 $(LDLIBS_CORE)

unit: $(BIN)/unit-tests
	$(BIN)/unit-tests

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect

valgrind-unit: $(BIN)/unit-tests
	$(VALGRIND) $(BIN)/unit-tests > $(BUILD)/valgrind-unit.log 2>&1 || { tail -40 $(BUILD)/valgrind-unit.log; exit 1; }
	@grep -E 'Run Summary|^ +(suites|tests|asserts)' $(BUILD)/valgrind-unit.log
	@echo "valgrind: unit tests ran with 0 errors and 0 leaks"

# The purity check must itself be able to fail: plant a forbidden include and
# a forbidden call in a scratch copy of the core and expect a refusal.
test-purity:
	@bash tests/build/test_core_purity.sh

# The same sources must build clean under clang too.
clang-build:
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/clang all > $(BUILD)/clang-build.log 2>&1 \
		|| { tail -30 $(BUILD)/clang-build.log; exit 1; }
	@echo 'clang: everything builds clean with -Werror'

# The coverage build (make run, make coverage) compiles at -O0, where GCC's
# warnings differ from the optimised build's (a format truncation it could
# not rule out once broke make run while make check passed). Built into the
# same folder ci/coverage.sh uses, so make run reuses it.
coverage-build:
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/coverage CFLAGS="-O0 -g --coverage" all > $(BUILD)/coverage-build.log 2>&1 \
		|| { tail -30 $(BUILD)/coverage-build.log; exit 1; }
	@echo 'coverage build: everything builds clean with -Werror at -O0 --coverage'

# --- simulator: determinism, reference, benchmark, mutants ---------------

$(BIN)/sim-bench: $(call objs,sim/bench/sim_bench.c sim/bench/heartbeat_engine.c) $(LIB_SIM) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_CORE)

# Same seed twice = same trace; different seeds = different traces; every
# fault kind shows up (tests/sim/determinism.sh).
sim-determinism: $(BIN)/rollcall
	@bash tests/sim/determinism.sh $(BIN)/rollcall

# The reference core under every fault: 0 violations over 200 seeds.
sim-reference: $(BIN)/rollcall
	@bash tests/sim/reference.sh $(BIN)/rollcall

# A simulated hour costs the same late in a run as early on: a ratio of CPU
# times, 1 h against 6 h of the random workload (tests/sim/scaling.sh).
sim-scaling: $(BIN)/rollcall
	@bash tests/sim/scaling.sh $(BIN)/rollcall

# The instructions of one heartbeat cycle at 100, 10,000 and 100,000 runners
# stay within 20 % of each other: no scan of the runners per heartbeat. A
# count under valgrind, not a time (tests/sim/heartbeat-work.sh).
sim-heartbeat-work: $(BIN)/sim-bench
	@bash tests/sim/heartbeat-work.sh $(BIN)/sim-bench

# Figures, not a test: events/s, per-heartbeat cost, memory, SimPy ratio.
bench: $(BIN)/sim-bench
	$(BIN)/sim-bench $(BENCH_ARGS)

# --- fuzzing (not part of make check: it runs for minutes) -----------------
# A build with AddressSanitizer and UBSan in $(BUILD)/fuzz, then mutated
# requests, state directories and input files (tests/fuzz/run.sh).
# -Wno-error=format-truncation: UBSan's null checks make GCC see a NULL
# format in xp_buf_printf that no caller passes.
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -Wno-error=format-truncation

$(BIN)/protocol-fuzz: $(call objs,tests/fuzz/protocol_fuzz.c) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_CORE)

$(BIN)/state-fuzz: $(call objs,tests/fuzz/state_fuzz.c reference/daemon/runnerd/state.c) $(LIB_DCOMMON) $(LIB_COMMON) $(LIB_CORE)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_CORE)

$(OBJ)/tests/fuzz/state_fuzz.o: EXTRA_CFLAGS += -Ireference/daemon/runnerd

.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CFLAGS="$(FUZZ_CFLAGS)" \
		$(FUZZ_BUILD)/bin/rollcall $(FUZZ_BUILD)/bin/rollcall-coordd $(FUZZ_BUILD)/bin/protocol-fuzz \
		$(FUZZ_BUILD)/bin/state-fuzz > $(BUILD)/fuzz-build.log 2>&1 \
		|| { tail -30 $(BUILD)/fuzz-build.log; exit 1; }
	@bash tests/fuzz/run.sh $(FUZZ_BUILD)/bin

# --- reports ----------------------------------------------------------------
# `rollcall report` on fixture results (ticking, failing, gaps, bad input),
# then the generated pages in headless Chromium (console, links, phone width).

test-report: $(BIN)/rollcall $(BIN)/unit-tests
	@RC_BIN=$(BIN) bash tests/report/test_report_cli.sh

test-report-html: $(BIN)/rollcall
	@RC_BIN=$(BIN) RC_SHOTS=$(BUILD)/report-html bash tests/report/test_report_html.sh

# A bug planted in a scratch copy leaves its checklist item unticked (needs the simulator).
test-report-mutant: $(BIN)/rollcall
	@RC_BIN=$(BIN) bash tests/report/test_report_mutant.sh

# --- integration tests (real daemons, real HTTP, clocks moved by libfaketime)
# Each test runs in its own session under a hard timeout and must finish in
# under 5 s of real time; the runner prints "N passed, N failed".
# integration-valgrind runs the tests that exercise most daemon code with
# both daemons under valgrind memcheck (0 errors required).

INTEGRATION_VALGRIND_TESTS := test_bad_input test_refusals test_id_stability test_drain_kill test_supervise_backoff test_stale_remove \
	test_fifo_files test_task_logs

INTEGRATION_BINS := $(BIN)/rollcall $(BIN)/rollcall-coordd $(BIN)/rollcall-runnerd $(BIN)/it-stream

# A test target speaking another dialect in front of coordd (tests/conform/).
$(BIN)/dialect-adapter: $(OBJ)/tests/conform/dialect_adapter.o $(LIB_CONF) $(LIB_DCOMMON) $(LIB_COMMON)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lcurl -lmicrohttpd -ljansson

# A fast libcurl client for the crash test (independent of the codec).
$(BIN)/it-stream: $(OBJ)/tests/integration/stream.o
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lcurl -ljansson

integration: $(INTEGRATION_BINS)
	@RC_BIN=$(abspath $(BIN)) bash tests/integration/run.sh

integration-valgrind: $(INTEGRATION_BINS)
	@RC_BIN=$(abspath $(BIN)) RC_IT_VALGRIND=1 bash tests/integration/run.sh $(INTEGRATION_VALGRIND_TESTS)

# --- the gate -------------------------------------------------------------

# The scenario language and the gate (ci/check-scenarios.sh says what each checks).
scenario-syntax scenario-library scenario-must-fail scenario-warnings scenario-junit scenario-gate: $(BIN)/rollcall
	@bash ci/check-scenarios.sh $(patsubst scenario-%,%,$@)

# --- explore: race reproduction, the mutation self-check ----------------------
# explore-tests: explore/replay/shrink/timeline end to end (tests/explore).
# mutants: every broken core of fixtures/mutants/ caught by the gate or by
# exploration, its failure replayed and shrunk (ci/mutants.sh says how).
# timeline-work: drawing a trace costs work in proportion to its length,
# counted under valgrind (tests/explore/timeline-work.sh).
# bench-explore: seeds/s and shrink figures (part of make bench).
.PHONY: explore-tests timeline-work mutants bench bench-explore
explore-tests: $(BIN)/rollcall
	@bash tests/explore/explore.sh

timeline-work: $(BIN)/rollcall
	@bash tests/explore/timeline-work.sh $(BIN)/rollcall

mutants: $(BIN)/rollcall
	@bash ci/mutants.sh --shrink

bench-explore: $(BIN)/rollcall
	@bash ci/bench-explore.sh

bench: bench-explore

# --- live conformance (rollcall conform, tests/conform/run.sh says what each checks)
# conform: the library live against coordd (and --reuse), conform under
# valgrind, the fleet-v2 dialect, running targets with and without their
# clock, and targets that are down, answer garbage or hang.
# conform-mutants: each broken coordd of fixtures/mutants/live/ caught live.
CONFORM_BINS := $(BIN)/rollcall $(BIN)/rollcall-coordd $(BIN)/dialect-adapter

conform: $(CONFORM_BINS)
	@RC_BIN=$(BIN) bash tests/conform/run.sh

conform-mutants: $(CONFORM_BINS)
	@RC=$(BIN)/rollcall ADAPTER=$(BIN)/dialect-adapter bash ci/conform-mutants.sh

CHECK_STEPS := unit valgrind-unit test-purity clang-build coverage-build
CHECK_STEPS += scenario-syntax scenario-library scenario-must-fail scenario-warnings scenario-junit scenario-gate
CHECK_STEPS += integration integration-valgrind
CHECK_STEPS += test-report test-report-html test-report-mutant
CHECK_STEPS += sim-determinism sim-reference sim-scaling sim-heartbeat-work
CHECK_STEPS += conform conform-mutants
CHECK_STEPS += explore-tests timeline-work mutants

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(CHECK_STEPS)
	@echo "make check: all steps passed"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
