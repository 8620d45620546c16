/*
 * index.h - reports/index.html: the one page a person opens after `make run`.
 *
 * It gathers what the other steps wrote: the gate table (every scenario with
 * its seeds, verdict, simulated and wall time), the unit tests, the checklist
 * status (from reports/checklists/summary.json), the coverage summary (gcovr's
 * JSON summary) with links to gcovr's per-file pages, every failure with its
 * replay command and timeline, and links to the JUnit files. It is
 * self-contained: inline style, no script, pictures and links relative.
 */
#ifndef RPT_INDEX_H
#define RPT_INDEX_H

#include <stdio.h>

#include <jansson.h>

#include "results.h"

struct rpt_index_input {
	const char *dir;                 /* the directory the page is written to */
	const struct rpt_results *results; /* every case of every results file */
	const char *const *result_files; /* the JUnit files, as paths */
	size_t n_result_files;
	json_t *checklists;              /* summary.json of `report checklists`, or NULL */
	const char *checklists_dir;      /* where its pages are (a path), or NULL */
	json_t *coverage;                /* gcovr --json-summary, or NULL */
	const char *coverage_html;       /* gcovr's index.html (a path), or NULL */
	double line_threshold, branch_threshold; /* percent, for the verdict */
	const char *timelines_dir;       /* where `rollcall timeline` pictures are, or NULL */
};

/* Whether a parsed checklist summary (summary.json of `report checklists`)
 * or gcovr JSON summary has every field the page reads, with its type.
 * Returns 0, or -1 with where and what is wrong in err ("checklists[0].items[2]:
 * Object item not found: status"). The page is written only from checked input. */
int rpt_index_check_checklists(json_t *summary, char *err, size_t err_len);
int rpt_index_check_coverage(json_t *summary, char *err, size_t err_len);

/* What the verdict leaves out for want of a summary: "checklists",
 * "coverage", "checklists, coverage", or NULL when both were given. The
 * page and `report index` say so, so a missing summary (a typo in
 * --reports, a step not run) never reads as one that passed. */
const char *rpt_index_unjudged(const struct rpt_index_input *in);

/* Write the page. Returns the overall verdict: 0 every scenario passed, no
 * checklist item is failing and coverage (if given) meets the thresholds;
 * 1 otherwise. */
int rpt_write_index(FILE *out, const struct rpt_index_input *in);

#endif
