/*
 * scn_run_internal.h - the state of one scenario run, shared by the part
 * that drives the simulator (scn_run.c) and the part that reads the world
 * to evaluate states and match events (scn_eval.c).
 */
#ifndef SCN_RUN_INTERNAL_H
#define SCN_RUN_INTERNAL_H

#include "scn_run.h"
#include "sim.h"

#define SCN_SEEN_TIMES 4 /* occurrence times kept for failure messages */

/* Where one expectation stands during a run. */
struct scn_exp_rt {
	bool judged;   /* the verdict is in (passed, or a failure was recorded) */
	bool seen;     /* the event happened / the state held where it had to */
	int count;     /* occurrences inside the window */
	bool prev, have_prev; /* last polled value, for "becomes" edges */
	int n_times;   /* occurrences anywhere, first SCN_SEEN_TIMES kept */
	int64_t times[SCN_SEEN_TIMES];
};

struct scn_runctx {
	const struct scn_scenario *s;
	struct sim_world *w;
	int *node;           /* scenario node -> simulator handle */
	int *act;            /* scenario action -> simulator action handle */
	uint64_t *task_id;   /* scenario task -> coordinator id, 0 until created */
	uint64_t *sandbox_id;
	bool *ever_registered; /* per node: its record existed at some point */
	bool track_registered;
	struct scn_exp_rt *rt;
	size_t *polled, n_polled;   /* expectations that read states */
	size_t *matched, n_matched; /* expectations matched against records */
	struct scn_outcome *out;
	bool failed;
};

/* Whether the state holds now (negation applied). */
bool scn_state_holds(struct scn_runctx *r, const struct scn_state *st);
/* For a polled event ("becomes", "gives up"): whether its state holds now. */
bool scn_event_state(struct scn_runctx *r, const struct scn_event *ev);
/* Whether a simulator record is an occurrence of the event. */
bool scn_event_matches(struct scn_runctx *r, const struct scn_event *ev, const struct sim_event *rec);
/* Whether the event is judged by polling a state rather than from records. */
bool scn_event_is_polled(const struct scn_event *ev);
/* Describe what is actually the case for the subject of st ("r1 is online",
 * "t1 is running, attempt 2, on r2") into buf. */
void scn_describe_actual(struct scn_runctx *r, const struct scn_state *st, char *buf, size_t n);
/* Update ever_registered from the coordinator's registry. */
void scn_track_registrations(struct scn_runctx *r);

#endif
