/*
 * xp_gen.h - the random scenarios of `rollcall explore`.
 *
 * Each seed becomes one scenario file: runners, tasks (some crashing, some
 * failing, some ignoring SIGTERM), sandboxes walked through their statuses,
 * runners stopped and started again, and random faults written as explicit
 * timeline actions (partitions and heals, dropped and delayed messages,
 * crashes and restarts, pauses, clock skews and jumps, coordinator power
 * loss). Because a fault is a line of the scenario and not a hidden draw of
 * the simulator, a failure found by exploration is already a scenario that
 * replays it, and shrinking can remove faults one by one.
 *
 * A workload is a named set of parameters (xp_gen_preset); --swarm draws the
 * parameters per seed (fault mix, rates, topology of 1 to 50 runners), so
 * rare combinations get explored. With liveness on, faults stop at
 * duration - bound: every partition is healed, every node resumed and
 * started, and `expect liveness` closes the run `bound` later.
 *
 * All draws come from rc_rng streams of the seed: same seed, same text.
 */
#ifndef XP_GEN_H
#define XP_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "xp_script.h"

struct xp_gen {
	char name[32];             /* the workload's name */
	int runners;               /* 1..50 */
	int64_t duration_ms;       /* the whole run */
	unsigned faults;           /* SIM_FAULT_* mask (net, crash, skew, pause, storage) */
	int64_t fault_mean_ms;     /* mean time between two faults */
	double tasks_per_runner_hour;
	int64_t max_task_ms;       /* a healthy run lasts 1 s .. max_task_ms */
	int max_concurrency;       /* each runner gets 1..max_concurrency */
	int crash_pct;             /* % of tasks whose first starts crash */
	int64_t max_crash_after_ms;
	int fail_pct;              /* % of tasks that always exit non-zero */
	int ignore_term_pct;       /* % of tasks that ignore SIGTERM */
	int sandbox_pct;           /* % of tasks with a sandbox */
	bool churn;                /* runners stopped (drained) and started again */
	bool clone;                /* a clone of r1 (same properties, own install) */
	bool liveness;             /* quiet tail and `expect liveness` */
	int64_t bound_ms;          /* liveness bound; 0: computed per scenario */
	bool swarm;                /* parameters drawn per seed */
};

/* Fill g with the named workload. Returns 0, or -1 for an unknown name. */
int xp_gen_preset(const char *name, struct xp_gen *g);
/* Print the workloads and what each one stresses. */
void xp_gen_list(FILE *out);

/* Swarm: replace g's parameters by draws of seed (keeping the runner count
 * when keep_runners, and the duration, liveness and name). */
void xp_gen_swarm(struct xp_gen *g, uint64_t seed, bool keep_runners);

/* The scenario of seed: appended to out (an empty script). The bound that
 * applies (liveness) is stored in *bound_ms (0 without liveness). */
void xp_gen_scenario(const struct xp_gen *g, uint64_t seed, struct xp_script *out, int64_t *bound_ms);

/* Random faults for an existing scenario (explore SCENARIO): its runner
 * names, its length; expectations, and the replies its requests expect
 * ("and gets 409"), are removed (they describe a fault-free run); faults
 * and, with liveness, the quiet tail are added. */
void xp_gen_faults_for(const struct xp_gen *g, uint64_t seed, struct xp_script *s, char **runners, size_t n,
		       int64_t end_ms, int64_t *bound_ms);

/* The parameters as a JSON object (for trace headers). New reference. */
json_t *xp_gen_json(const struct xp_gen *g, int64_t bound_ms);
/* The parameters of a given scenario explored with g (explore SCENARIO):
 * its name, its runner count and how long its run lasts (the caller's), and
 * the faults; the rest of g shapes generated work, which it does not have.
 * New reference. */
json_t *xp_gen_scenario_json(const struct xp_gen *g, const char *scenario, int runners, int64_t duration_ms,
			     int64_t bound_ms);
/* "net,crash,..." for a fault mask, into buf. */
const char *xp_gen_fault_words(unsigned faults, char *buf, size_t n);

#endif
