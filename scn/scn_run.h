/*
 * scn_run.h - replay one parsed scenario in the simulator for one seed and
 * judge its expectations.
 *
 * The scenario becomes a simulated world: its config, its coordinator and
 * runners, its timeline as scheduled simulator actions. The run advances to
 * every instant an expectation looks at; states are polled after every
 * simulator record (so "never" and "becomes" see each change at the instant
 * it happens), events are matched against the records themselves. The
 * simulator's invariants are checked all along; the first broken
 * expectation or invariant ends the run.
 */
#ifndef SCN_RUN_H
#define SCN_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"

struct scn_outcome {
	bool passed;
	int64_t sim_ms;   /* virtual time the run reached */
	uint64_t events;  /* simulator events processed */
	/* the first failure, when !passed */
	int64_t fail_at_ms;
	struct scn_pos pos; /* the line that failed; 0 when an invariant broke */
	char what[320];   /* the expectation as written, or "invariant NAME" */
	char why[640];    /* what happened instead */
	int fail_expect;  /* index of the failed expectation, -1 when something else failed */
	int fail_action;  /* index of the action whose reply was wrong, -1 otherwise */
	int skipped;      /* expectations the world could not observe (never in the simulator) */
};

/* Run scenario s with seed. trace, when non-NULL, receives the simulator's
 * JSONL trace. Returns 0 and fills out (passed or not), or -1 when the
 * simulator refuses the scenario itself (a setting out of range, ...): then
 * out->why says why; that is bad input, not a failed check. */
int scn_run(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct scn_outcome *out);

/* Whether every seed of s can start: what scn_run would refuse (a setting
 * out of range or at odds with another, a runner's properties, an action the
 * simulator does not take) found before anything runs. Returns 0, or -1 with
 * why and the line it is about (a setting: the one after which the settings
 * are refused, in file order). */
int scn_check_setup(const struct scn_scenario *s, char *why, size_t why_len, struct scn_pos *pos);

#endif
