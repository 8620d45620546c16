/*
 * scn_judge.h - judging a scenario's expectations against a world that runs
 * it, whichever world that is.
 *
 * Two drivers replay scenarios: the simulator (scn_run.c) and a live
 * coordinator over HTTP (`rollcall conform`, conform/). Both must give the
 * language the same meaning, so the meaning lives here once: the time words
 * (at, between, eventually, never, counts), "becomes" edges, the checkpoints
 * a run must stop at, and the failure messages. A driver tells the judge
 * what happened (records: a runner's send or reply, a task process event),
 * lets it poll states at instants, and asks it to judge at each checkpoint;
 * the world answers state questions through struct scn_world_ops.
 *
 * A world may be unable to observe an expectation at all (a live target is
 * only seen through its API): the judge then marks it skipped with the
 * world's reason. A skipped expectation never passes and never fails.
 */
#ifndef SCN_JUDGE_H
#define SCN_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"
#include "scn.h"
#include "scn_run.h"

/* Something that happened, in the scenario's own terms. */
enum scn_record_kind {
	SCN_REC_SEND,  /* runner `node` put a request of `op` on the wire */
	SCN_REC_REPLY, /* runner `node` received a reply `status` to `op` */
	SCN_REC_PROC,  /* the process of `task` on runner `node` did `proc` */
};

struct scn_record {
	enum scn_record_kind kind;
	int64_t at_ms;
	int node;   /* scenario node index */
	enum rc_op op;
	int status;
	int task;   /* scenario task index; -1 when the task is not the scenario's */
	enum scn_proc_event proc;
};

/* What an API action with "and gets N" got back. */
struct scn_reply_seen {
	bool applied;           /* the request was sent */
	int status;             /* 0: no reply (the coordinator was down) */
	const char *error_code; /* "" or NULL on success */
	const char *message;
};

/* The world behind the judge. ctx is the driver's. */
struct scn_world_ops {
	/* Whether the state holds now, negation NOT applied. */
	bool (*state_value)(void *ctx, const struct scn_state *st);
	/* The core of runner node (NULL while it is not running), and the
	 * coordinator's id of scenario task `task` (0 until it exists): the
	 * judge reads "gives up" from the runner's supervisor through them. */
	const struct rc_runner *(*runner_core)(void *ctx, int node);
	uint64_t (*task_id)(void *ctx, int task);
	/* What is actually the case for the subject of st, into buf. */
	void (*describe)(void *ctx, const struct scn_state *st, char *buf, size_t n);
	/* Called before each poll (may be NULL). */
	void (*before_poll)(void *ctx);
	/* The result of API action `action` (one with expect_status). Returns
	 * false when the world has none (then: "not sent"). */
	bool (*action_reply)(void *ctx, size_t action, struct scn_reply_seen *out);
	/* May be NULL (everything observable). Returns false and writes the
	 * reason into why when the world cannot observe expectation e. */
	bool (*observable)(void *ctx, const struct scn_expect *e, char *why, size_t n);
};

#define SCN_SEEN_TIMES 4 /* occurrence times kept for failure messages */

/* Where one expectation stands during a run. */
struct scn_exp_rt {
	bool judged;   /* the verdict is in (passed, failed or skipped) */
	bool skipped;  /* the world cannot observe it */
	bool seen;     /* the event happened / the state held where it had to */
	int count;     /* occurrences inside the window */
	bool prev, have_prev; /* last polled value, for "becomes" edges */
	int n_times;   /* occurrences anywhere, first SCN_SEEN_TIMES kept */
	int64_t times[SCN_SEEN_TIMES];
};

struct scn_judge {
	const struct scn_scenario *s;
	const struct scn_world_ops *ops;
	void *ctx;
	struct scn_outcome *out;
	struct scn_exp_rt *rt;
	size_t *polled, n_polled;   /* expectations that read states */
	size_t *matched, n_matched; /* expectations matched against records */
	bool reads_removed;         /* some state asks "is removed" */
	bool failed;
};

/* Set up the judge for s; out is reset to "passed" and filled as the run
 * goes. Expectations the world cannot observe are marked skipped now (their
 * count goes to out->skipped). Release with scn_judge_free(). */
void scn_judge_init(struct scn_judge *j, const struct scn_scenario *s, const struct scn_world_ops *ops, void *ctx,
		    struct scn_outcome *out);
void scn_judge_free(struct scn_judge *j);

/* Every instant the run must stop at to be judged, sorted, without repeats,
 * none after the scenario's end (which is the last). *out is malloc'd (the
 * caller frees it); returns the count. */
size_t scn_judge_checkpoints(const struct scn_judge *j, int64_t **out);

/* Whether records and polls between checkpoints can change a verdict: false
 * when no expectation is matched against records or polled (explored
 * scenarios have none), so a driver need not observe the run at all. */
bool scn_judge_watches(const struct scn_judge *j);
/* A record of something that happened. */
void scn_judge_record(struct scn_judge *j, const struct scn_record *rec);
/* Read the states expectations care about, as they are at instant t. */
void scn_judge_poll(struct scn_judge *j, int64_t t);
/* At checkpoint c, once every event of instant c is done: poll, check the
 * replies of API actions at c, and judge what is due at c. */
void scn_judge_checkpoint(struct scn_judge *j, int64_t c);

/* Record a failure found by the driver itself (a broken invariant, a refused
 * setting) unless an earlier one is already there (earlier time, or the same
 * time and an earlier line); returns whether it was recorded. pos.line 0: no
 * line. */
bool scn_judge_fail(struct scn_judge *j, int64_t at_ms, struct scn_pos pos, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
