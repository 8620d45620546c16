/*
 * run_report.h - the results of `rollcall run`, one per scenario, and the
 * ways they are reported (terminal lines, JUnit XML).
 */
#ifndef RC_RUN_REPORT_H
#define RC_RUN_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"
#include "scn_run.h"

enum rc_verdict { RC_VERDICT_PASS = 0, RC_VERDICT_FAIL, RC_VERDICT_ERROR, RC_VERDICT_SKIP };

struct rc_scenario_result {
	const struct scn_scenario *s; /* borrowed */
	const char *name;             /* borrowed: its name in output and JUnit (rc_loaded.names) */
	uint64_t seed_first, seed_last;
	int runs, failed_runs;
	enum rc_verdict verdict;
	uint64_t fail_seed;         /* the first seed that failed (or errored) */
	struct scn_outcome fail;    /* its outcome */
	int64_t sim_ms_max;         /* longest simulated run */
	int64_t sim_ms_total;       /* all runs together */
	uint64_t events_total;
	double wall_s;
	/* optional, borrowed (rollcall conform): */
	const char *replay; /* the command that replays the failure, instead of `run --seeds` */
	const char *note;   /* ERROR/SKIP: why (the failure's message otherwise) */
	const char *detail; /* more text for the failure (the request and response) */
};

/* Write JUnit XML (testsuites > testsuite > testcase, one testcase per
 * scenario, <failure> or <error> with the message and the replay command) to
 * path. Returns 0, or -1 if the file cannot be written (errno kept). */
int rc_junit_write(const char *path, const struct rc_scenario_result *results, size_t n,
		   const char *program, double wall_s);
/* The same with the names of the test suites ("rollcall run",
 * "rollcall.scenarios" above); SKIP results become <skipped>. */
int rc_junit_write_named(const char *path, const char *command, const char *suite,
			 const struct rc_scenario_result *results, size_t n, const char *program, double wall_s);

/* The command that replays exactly one run, into buf. */
void rc_replay_command(const char *program, const struct rc_scenario_result *r, char *buf, size_t n);

#endif
