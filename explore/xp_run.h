/*
 * xp_run.h - running a scenario text for one seed, and explore traces.
 *
 * Every tool here (explore, replay, shrink, timeline) ends up doing the same
 * thing: hand a scenario text to the real parser, run it with one seed in
 * the simulator through the scenario executor, and look at the outcome. An
 * explore trace is that run's JSONL trace preceded by one recipe line (the
 * seed, the workload parameters and the full scenario text), so a trace
 * alone is enough to replay the run and to shrink it.
 */
#ifndef XP_RUN_H
#define XP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "scn_run.h"

enum xp_status { XP_PASS = 0, XP_FAIL, XP_BAD_INPUT };

struct xp_result {
	enum xp_status status;
	struct scn_outcome out; /* PASS, FAIL */
	char diag[700];         /* BAD_INPUT: the first parse error or the simulator's refusal */
};

/* Parse text (path names it in messages) and run it with seed; the JSONL
 * trace goes to trace when non-NULL. Returns r->status. */
enum xp_status xp_run_text(const char *text, const char *path, uint64_t seed, FILE *trace, struct xp_result *r);
/* Its first half: the parsed scenario (scn_free it), or NULL with r set to
 * XP_BAD_INPUT and the first parse error. */
struct scn_scenario *xp_parse_text(const char *text, const char *path, struct xp_result *r);
/* Run an already parsed scenario the same way. */
enum xp_status xp_run_parsed(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct xp_result *r);

/* What failed: "invariant NAME", or the expectation as written. "" on a pass. */
const char *xp_result_what(const struct xp_result *r);
/* The invariant's name when an invariant broke, else NULL. */
const char *xp_result_invariant(const struct xp_result *r);

/* --- explore traces ----------------------------------------------------------- */

#define XP_TRACE_KIND "rollcall-explore"

/* The whole trace file of a run: the recipe line (params may be NULL), then
 * the simulator's trace. Returns malloc'd text (length in *len) and the
 * run's result in r. */
char *xp_trace_render(const char *scenario_text, uint64_t seed, json_t *params, struct xp_result *r, size_t *len);

/* Write that trace to path. Returns 0, or -1 (errno says why). */
int xp_trace_write(const char *path, const char *scenario_text, uint64_t seed, json_t *params,
		   struct xp_result *r);

struct xp_recipe {
	char *scenario; /* the scenario text (malloc'd) */
	uint64_t seed;
	json_t *params; /* or NULL */
};
/* Read the recipe line of an explore trace. Returns 0, or -1 with a reason
 * in err (not a trace, a trace without a recipe, unreadable). */
int xp_recipe_read(const char *path, struct xp_recipe *rc, char *err, size_t err_len);
void xp_recipe_free(struct xp_recipe *rc);

/* Write len bytes of text to path (created, or replaced whole and durably:
 * a write that fails leaves an existing file as it was; rc_file_replace).
 * Returns 0, or -1 with errno set. */
int xp_write_file(const char *path, const char *text, size_t len);
/* Whether path names a trace (.jsonl / .json) rather than a scenario. */
bool xp_is_trace_path(const char *path);


/* --- comparing traces -------------------------------------------------------- */

struct xp_diff {
	bool identical;
	size_t line;        /* 1-based number of the first differing line (when not identical) */
	char *expected;     /* that line in a (malloc'd, "" past the end) */
	char *actual;       /* that line in b */
	size_t lines;       /* lines compared (of a) */
	bool line_ends;     /* that line differs only in its end: a '\r' or the final '\n' */
};
/* Compare two texts line by line. Free with xp_diff_free. */
void xp_diff_texts(const char *a, size_t alen, const char *b, size_t blen, struct xp_diff *d);
void xp_diff_free(struct xp_diff *d);

/* The canonical text of a scenario (statements as xp_script prints them,
 * no comments): what an explore trace's recipe holds. NULL on a line the
 * model cannot hold (err says why). */
char *xp_canonical_text(const char *text, char *err, size_t err_len);

#endif
