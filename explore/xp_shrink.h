/*
 * xp_shrink.h - shrinking a failing scenario to a small one that fails the
 * same way.
 *
 * The input is a scenario (written by hand or by exploration) and a seed for
 * which it fails; "the same way" means the same broken invariant, or the same
 * expectation when an expectation broke. Shrinking works on the statements
 * (xp_script.h): it removes runners, tasks and sandboxes with every line that
 * names them, then timeline lines (in halving chunks, then one by one),
 * settings and runner properties, then words of a line (optional clauses),
 * rounds numbers and durations, closes gaps in time and rounds times. Every
 * candidate is printed, parsed by the real scenario parser and run; it is
 * kept only if it still fails the same way. The result is therefore a valid
 * scenario by construction, and the process is deterministic: no wall clock,
 * no randomness, a bounded number of runs.
 *
 * Liveness is special: "not converged" is only a bug if faults really
 * stopped. When the failure is `liveness`, the lines that end the faults
 * (heal all, start / resume of a node that an earlier line crashed, stopped
 * or paused) and the liveness check are kept, and the time between the end of
 * the faults and the check never drops below what it was, so a shrunk
 * liveness failure still holds the system to a fair bound.
 */
#ifndef XP_SHRINK_H
#define XP_SHRINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xp_run.h"
#include "xp_script.h"

struct xp_shrink_cfg {
	uint64_t seed;     /* the seed the scenario fails with */
	int max_runs;      /* candidate runs at most (default 4000) */
	FILE *log;         /* progress of the passes, or NULL */
	/* Optional second condition on a candidate that fails the same way, e.g.
	 * "another build passes it" (a differential shrink: the result tells a
	 * broken build from a good one). text is the candidate scenario. */
	bool (*also)(void *ctx, const char *text, uint64_t seed);
	void *also_ctx;
};

struct xp_shrink_stats {
	int runs;               /* candidates run */
	int kept;               /* candidates kept */
	size_t statements_before, statements_after;
	bool hit_limit;         /* stopped at max_runs */
};

/* Shrink `in`. Returns 0 with the result in *out (pinned to the seed) and its
 * run in *final; -1 when `in` does not fail with that seed (final says how it
 * ended); -2 when `in` does not meet cfg->also. */
int xp_shrink(const struct xp_script *in, const struct xp_shrink_cfg *cfg, struct xp_script *out,
	      struct xp_result *final, struct xp_shrink_stats *st);

#endif
