/*
 * coverage.h - the reference code one checklist item exercised, read from a
 * gcovr JSON report (`gcovr --json`) of a coverage run of just that item's
 * scenarios and tests (made by ci/item-coverage.sh).
 *
 * Memory: struct rpt_coverage owns its files and names; rpt_coverage_free().
 */
#ifndef RPT_COVERAGE_H
#define RPT_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct rpt_cov_function {
	char *name;
	int line;              /* where it starts */
	long long calls;       /* execution count */
};

struct rpt_cov_file {
	char *path;            /* as gcovr gives it, relative to the repository */
	int lines_hit, lines_total;
	int functions_total;
	struct rpt_cov_function *functions; /* the executed ones, in line order */
	size_t n_functions;
};

struct rpt_coverage {
	bool measured;         /* false: no coverage run for this item */
	struct rpt_cov_file *files; /* only files with at least one line hit, by path */
	size_t n_files;
	int lines_hit;         /* over those files */
};

/* A JSON file, parsed (caller decrefs). NULL with "PATH: reason" or
 * "PATH:LINE: reason" in err when it cannot be read or does not parse. */
json_t *rpt_json_load(const char *path, char *err, size_t err_len);

/* Load a gcovr JSON report, keeping only files whose path starts with
 * `prefix` (e.g. "reference/"; NULL keeps all). Returns 0 with out->measured
 * set, or -1 with a message in err (unreadable file, not gcovr JSON). */
int rpt_coverage_load(const char *path, const char *prefix, struct rpt_coverage *out, char *err,
		      size_t err_len);

void rpt_coverage_free(struct rpt_coverage *cov);

#endif
