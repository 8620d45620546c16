/*
 * scn_run_internal.h - the state of one scenario run in the simulator, shared
 * by the part that drives the simulator (scn_run.c) and the part that reads
 * the simulated world for the judge (scn_eval.c).
 */
#ifndef SCN_RUN_INTERNAL_H
#define SCN_RUN_INTERNAL_H

#include "scn_judge.h"
#include "scn_run.h"
#include "sim.h"

struct scn_runctx {
	const struct scn_scenario *s;
	struct sim_world *w;
	int *node;           /* scenario node -> simulator handle */
	int *act;            /* scenario action -> simulator action handle */
	uint64_t *task_id;   /* scenario task -> coordinator id, 0 until created */
	uint64_t *sandbox_id;
	bool *ever_registered; /* per node: its record existed at some point */
	struct scn_judge judge;
};

/* The judge's view of the simulated world (scn_eval.c). */
extern const struct scn_world_ops scn_sim_world_ops;

/* Turn a simulator record into the judge's terms. Returns false when the
 * record is nothing a scenario can name. */
bool scn_sim_record(struct scn_runctx *r, const struct sim_event *ev, struct scn_record *out);

/* Violation v's message for the scenario's reader: the task it names
 * (v->task), if any, by the name the scenario gave it ("task t3 of ..."),
 * not by the coordinator's number; a liveness message's first unfinished
 * task told as the judge tells a task, with its runner by name too ("task
 * t3 is running, attempt 1, on r2"). Called for a failing run only. */
void scn_violation_message(struct scn_runctx *r, const struct sim_violation *v, char *buf, size_t n);

#endif
