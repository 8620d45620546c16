/*
 * report_junit.h - read JUnit XML (the gate's and the unit tests') into the
 * plain results of report/results.h. The only libxml2 user; linked into the
 * rollcall binary alone.
 */
#ifndef RC_CLI_REPORT_JUNIT_H
#define RC_CLI_REPORT_JUNIT_H

#include <stddef.h>

#include "results.h"

/* Append every <testcase> of the file (under <testsuites> or <testsuite>,
 * nested suites too) to r. Returns the number of cases read (>= 0), or -1
 * with a message in err: unreadable, not well-formed ("path:line: ..."), or
 * not JUnit (no testsuite root). The network is never used and entities are
 * not expanded. */
int rc_cli_junit_load(const char *path, struct rpt_results *r, char *err, size_t err_len);

/* Release libxml2's global state (at exit, so valgrind sees no leak). */
void rc_cli_junit_cleanup(void);

#endif
