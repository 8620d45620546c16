/*
 * sim_fixture.h - a small simulated world for the sim_* unit suites.
 *
 * A coordinator and n runners ("r0", "r1", ... on hosts "host0", ...) with
 * every trace record kept (strings copied), so a test runs virtual time and
 * then asks what happened: "when did r0 go stale", "what was dropped".
 */
#ifndef SIM_FIXTURE_H
#define SIM_FIXTURE_H

#include "sim.h"

#define SF_MAX_RUNNERS 8

struct sf_record {
	struct sim_event ev;
	char node[16];
	char what[32];
	char runner[RC_RUNNER_ID_BUF];
};

struct sf {
	struct sim_world *w;
	int coord;
	int r[SF_MAX_RUNNERS];
	int n;
	struct sf_record *recs;
	size_t n_recs, cap_recs;
};

/* cfg may be NULL (defaults with seed 1). Runners start at 1000 * i ms. */
void sf_init(struct sf *f, const struct sim_config *cfg, int runners);
void sf_free(struct sf *f);
/* cfg set to the defaults with its trace going to memory: the returned
 * stream (fclose it, then read and free *text). */
FILE *sf_trace_to_memory(struct sim_config *cfg, char **text, size_t *len);
/* Index of the first record at or after index `from` matching kind, node
 * (NULL: any), what (NULL: any) and op (RC_OP_NONE: any); -1 if none. */
long sf_find(const struct sf *f, size_t from, enum sim_ev_kind kind, const char *node, const char *what,
	     enum rc_op op);
/* How many records match (same filters). */
size_t sf_count(const struct sf *f, enum sim_ev_kind kind, const char *node, const char *what, enum rc_op op);
/* The first runner-status record of runner node r moving to `to` at or after
 * index from, or -1. */
long sf_status_change(const struct sf *f, size_t from, int r, enum rc_runner_status to);
/* Virtual time of the last heartbeat of runner node r the coordinator
 * accepted before record index `before`; -1 if none. */
int64_t sf_last_heartbeat_before(const struct sf *f, int r, size_t before);

#endif
