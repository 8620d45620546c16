/*
 * xp_explore.h - the exploration engine behind `rollcall explore`.
 *
 * Seed after seed: build that seed's scenario (a generated workload, or a
 * given scenario with random faults added), run it with every invariant
 * checked, and save each failure as a scenario file that replays it plus its
 * explore trace. The seed range is cut into a shard (--shard K/N) and then
 * spread over local worker processes (--jobs N, each taking every N-th
 * seed); workers report to the parent through pipes after every seed, and
 * the parent passes on progress and failures (in seed order, the lowest
 * max_failures of them) through the callbacks below.
 */
#ifndef XP_EXPLORE_H
#define XP_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>

#include "xp_gen.h"
#include "xp_script.h"

struct xp_explore_cfg {
	uint64_t first, last;     /* the seeds of this shard, inclusive */
	int jobs;                 /* >= 1 local workers */
	double budget_s;          /* wall-time budget, 0 = none */
	uint64_t max_failures;    /* stop after this many failing seeds, 0 = none */
	struct xp_gen gen;        /* the workload (its swarm flag: draw per seed) */
	bool keep_runners;        /* swarm keeps gen.runners (given on the command line) */
	const struct xp_script *base; /* explore SCENARIO: its statements, or NULL */
	const char *base_name;    /* that scenario's name */
	const char *out_dir;      /* where failures are written */
	const char *command;      /* the command line, written into saved scenarios */
};

struct xp_failure {
	uint64_t seed;
	uint64_t seeds_before;    /* seeds of the range up to it (seed - first + 1) */
	double wall_s;            /* since the start */
	char what[320];           /* "invariant one-owner" or the expectation */
	char why[640];
	int64_t at_ms;
	char path[512];           /* the saved scenario */
	bool saved;               /* its scenario and trace were written (else said on stderr) */
};

struct xp_explore_progress {
	uint64_t done;            /* seeds finished */
	uint64_t total;           /* seeds in the range (may be huge with a budget) */
	uint64_t failures;
	uint64_t unsaved;         /* of those, failures whose scenario or trace could not be written */
	double wall_s;
	bool budget_spent;        /* the budget ended the run before its range did */
};

struct xp_explore_ui {
	void *ctx;
	void (*failure)(void *ctx, const struct xp_failure *f);
	void (*progress)(void *ctx, const struct xp_explore_progress *p);
};

/* Explore. Returns 0 when done (stats in *p), -1 when a worker could not be
 * started or a scenario is bad input (message on stderr). */
int xp_explore_run(const struct xp_explore_cfg *cfg, const struct xp_explore_ui *ui, struct xp_explore_progress *p);

/* The scenario of one seed (text with `@seed` pinned, malloc'd), its
 * parameters as JSON (new reference; not built when params is NULL) and its
 * liveness bound. */
char *xp_explore_scenario(const struct xp_explore_cfg *cfg, uint64_t seed, json_t **params, int64_t *bound_ms);

#endif
