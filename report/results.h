/*
 * results.h - test results as plain data: one case per scenario or unit test.
 *
 * The gate (`rollcall run --junit FILE`) and the unit tests
 * (`unit-tests --junit FILE`) write JUnit XML; cli/report_junit.c reads it
 * into this structure, so the checklist and index logic never sees XML and
 * can be unit-tested with results built in C.
 *
 * What is read from a JUnit <testcase> (see fixtures/checklists/README.md):
 *   name, classname, time (wall seconds), file
 *   <failure>/<error> (verdict fail/error; message attribute and text)
 *   <skipped> (verdict skipped: never evidence)
 *   key/value pairs from <property name= value=> and from "key: value" lines
 *   of <system-out> and of the failure text: seeds ("1-100"), runs,
 *   simulated (a duration) or simulated_ms (one run), simulated_total_ms (all
 *   runs), replay (the command that replays the run), timeline, file, seed
 *   (the failing seed).
 *
 * Memory: struct rpt_results owns every case and string.
 */
#ifndef RPT_RESULTS_H
#define RPT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "checklist.h"

enum rpt_verdict {
	RPT_PASS = 0,
	RPT_FAIL,    /* an expectation or invariant broke (<failure>) */
	RPT_ERROR,   /* the case could not run (<error>) */
	RPT_SKIPPED, /* <skipped>: not evidence of anything */
	RPT_MISSING, /* no result at all for a reference (never stored in a case) */
};
const char *rpt_verdict_name(enum rpt_verdict v); /* "pass", "FAIL", ... */

struct rpt_case {
	char *suite;     /* <testsuite name>, or "" */
	char *classname; /* or "" */
	char *name;
	enum rpt_verdict verdict;
	char *message;   /* failure message (first line), or NULL */
	char *detail;    /* failure text, or NULL */
	double wall_s;   /* time attribute; < 0 unknown */
	char *seeds;     /* "1-100", or NULL */
	long long simulated_ms; /* simulated time of one run (the longest); < 0 unknown */
	long long simulated_total_ms; /* of all runs (seeds) together; < 0 unknown */
	int runs;        /* how many runs (seeds) the verdict covers; 0 unknown */
	char *replay;    /* a command replaying the (failing) run, or NULL */
	char *timeline;  /* path of a timeline picture, or NULL */
	char *file;      /* the scenario file, or NULL */
	char *seed;      /* the failing seed, or NULL */
	char *source;    /* the results file it came from */
};

struct rpt_results {
	struct rpt_case *cases;
	size_t n, cap;
};

/* Append a case: copies the strings of `c` (NULL stays NULL; suite,
 * classname and name become "" when NULL). Returns the stored case. */
struct rpt_case *rpt_results_add(struct rpt_results *r, const struct rpt_case *c);

/* Record one key/value fact about a case (see the list above). Unknown keys
 * are ignored; a malformed simulated time is ignored. Returns true if used. */
bool rpt_case_set(struct rpt_case *c, const char *key, const char *value);

/* Scan "key: value" lines in text (system-out, failure text) into c. */
void rpt_case_scan_lines(struct rpt_case *c, const char *text);

void rpt_results_free(struct rpt_results *r);

/* The classname conventions: unit-tests --junit writes classname
 * "unit.SUITE" and name = the test's name; ci/integration-junit.sh writes
 * classname "integration" and name = the test's file name without ".sh".
 * Every other case is a scenario of the gate. */
#define RPT_UNIT_CLASS_PREFIX "unit."
#define RPT_INTEGRATION_CLASS "integration"

enum rpt_case_kind { RPT_CASE_SCENARIO = 0, RPT_CASE_UNIT, RPT_CASE_INTEGRATION };
enum rpt_case_kind rpt_case_kind(const struct rpt_case *c);
/* Whether a case is a scenario of the gate. */
bool rpt_case_is_scenario(const struct rpt_case *c);

/* Whether case c is evidence for ref: a scenario matches a scenario case
 * named like it (or whose file is NAME.scn); a unit suite matches every case
 * of the class "unit.SUITE", a unit test that one case; an integration test
 * the case of that name in the class "integration". */
bool rpt_case_matches(const struct rpt_case *c, const struct rpt_ref *ref);

#endif
