/*
 * outbox.h - effects: what a core state machine wants done, as data.
 *
 * The core never performs I/O. Each call appends effects to a caller-owned
 * outbox and the driver (simulator, daemon, unit test) carries them out:
 * persist a record, send a message, start or signal a process, log. This is
 * what lets one core run on a virtual clock in the simulator and on the real
 * one in the daemons, and what lets tests assert on behaviour as a trace.
 *
 * Contract: the outbox grows by doubling inside rc_outbox_push(); a driver
 * that reuses one outbox (rc_outbox_clear between calls) therefore stops
 * allocating after warm-up. Allocation failure is a programmer-level fatal
 * condition in this codebase (assert), because an effect silently dropped
 * would make the core's state and the world disagree.
 */
#ifndef RC_OUTBOX_H
#define RC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

enum rc_fx_kind {
	/* coordinator */
	RC_FX_RUNNER_STATUS, /* runner's status moved: from -> to (rc_runner_status) */
	RC_FX_RUNNER_SAVED,  /* runner record created or changed: persist it */
	RC_FX_TASK_STATE,    /* task moved: from -> to (rc_task_state); attempt, runner_id */
	RC_FX_TASK_SAVED,    /* task record created or changed: persist it */
	RC_FX_SANDBOX_AUDIT, /* sandbox status change accepted: from -> to; runner_id */
	RC_FX_SANDBOX_SAVED, /* sandbox record created, changed or deleted: persist it */
	RC_FX_REJECTED,      /* a request was refused: status in `value`, op in `op` */
	/* runner */
	RC_FX_SEND,          /* send msg to the coordinator; the reply comes back
	                        through rc_runner_on_reply() with the same req_id */
	RC_FX_PROC_START,    /* start the process of (task_id, attempt) */
	RC_FX_PROC_SIGNAL,   /* signal the process of (task_id, attempt): value = RC_SIG_* */
	RC_FX_STATE_SAVE,    /* persist the runner's registration (runner_id, session) */
	RC_FX_EXIT,          /* the runner process must exit; text says why */
	/* both */
	RC_FX_LOG,           /* text is a human-readable line */
	RC_FX_KIND_COUNT
};

enum rc_signal { RC_SIG_TERM = 15, RC_SIG_KILL = 9 };

/* The runner statuses as effects see them; REMOVED means the record is gone. */
enum rc_runner_status { RC_RUNNER_ONLINE = 0, RC_RUNNER_STALE, RC_RUNNER_REMOVED };
const char *rc_runner_status_name(enum rc_runner_status s);

enum rc_task_state { RC_TASK_QUEUED = 0, RC_TASK_RUNNING, RC_TASK_COMPLETED, RC_TASK_FAILED };
const char *rc_task_state_name(enum rc_task_state s);

struct rc_effect {
	enum rc_fx_kind kind;
	int64_t at_ms; /* the now_ms of the call that produced it */
	char runner_id[RC_RUNNER_ID_BUF];
	uint64_t task_id;
	uint64_t sandbox_id;
	int attempt;
	int from, to;   /* status/state transitions */
	int value;      /* signal number, status code, ... */
	enum rc_op op;  /* RC_FX_REJECTED: the refused request's op */
	const char *text; /* static string or borrowed (see kind); may be NULL */
	struct rc_msg msg; /* RC_FX_SEND */
};

struct rc_outbox {
	struct rc_effect *items;
	size_t len;
	size_t cap;
};

void rc_outbox_init(struct rc_outbox *ob);
void rc_outbox_free(struct rc_outbox *ob);
/* Forget the effects but keep the memory. */
void rc_outbox_clear(struct rc_outbox *ob);
/* Append a zeroed effect of `kind` stamped at_ms and return it for filling.
 * ob must not be NULL: every core call that can change state takes one. */
struct rc_effect *rc_outbox_push(struct rc_outbox *ob, enum rc_fx_kind kind, int64_t at_ms);
/* Count effects of one kind (tests, checkers). */
size_t rc_outbox_count(const struct rc_outbox *ob, enum rc_fx_kind kind);

const char *rc_fx_kind_name(enum rc_fx_kind kind);

#endif
