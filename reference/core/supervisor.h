/*
 * supervisor.h - restart and stop policy for one supervised process.
 *
 * A crashed process is restarted after 1, 2, 4, 8, 16 s (doubling, capped at
 * max_delay_ms); once max_restarts restarts have failed it is given up. The
 * failure count resets after the process has run stable_after_ms. Stopping is
 * SIGTERM, then SIGKILL once stop_grace_ms has passed without an exit.
 *
 * Pure: no signals are sent here. Decisions come out as RC_FX_PROC_START and
 * RC_FX_PROC_SIGNAL effects for (task_id, attempt); the driver reports exits
 * with rc_sup_on_exit() and calls rc_sup_tick() at rc_sup_deadline().
 */
#ifndef RC_SUPERVISOR_H
#define RC_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>

#include "outbox.h"

struct rc_sup_policy {
	int64_t initial_delay_ms; /* 1000 */
	int64_t max_delay_ms;     /* 30000 */
	int max_restarts;         /* 5 */
	int64_t stable_after_ms;  /* 60000 */
	int64_t stop_grace_ms;    /* 5000 */
};

void rc_sup_policy_defaults(struct rc_sup_policy *p);
/* Whether p is a policy rc_runner_new accepts: delays and stable_after > 0,
 * max_delay >= initial_delay, max_restarts and stop_grace >= 0. */
bool rc_sup_policy_valid(const struct rc_sup_policy *p);

enum rc_sup_state {
	RC_SUP_IDLE = 0,  /* never started */
	RC_SUP_RUNNING,
	RC_SUP_BACKOFF,   /* crashed, restart due at deadline */
	RC_SUP_STOPPING,  /* SIGTERM sent, SIGKILL due at deadline */
	RC_SUP_EXITED,    /* finished cleanly (exit 0) */
	RC_SUP_GAVE_UP,   /* too many failed restarts */
	RC_SUP_STOPPED    /* stopped on request and reaped */
};
const char *rc_sup_state_name(enum rc_sup_state s);

/* A runner holds one per task slot, and a simulation tens of thousands of
 * runners: the policy they share is not copied into each, and the widest
 * fields come first so that none pads the next. */
struct rc_sup {
	const struct rc_sup_policy *policy; /* borrowed, see rc_sup_init() */
	uint64_t task_id; /* identifies the process in effects */
	int64_t started_at_ms;
	int64_t deadline_ms; /* INT64_MAX when nothing is due */
	enum rc_sup_state state;
	int attempt;
	int failures;     /* consecutive failed runs since the last stable run */
	bool killed;      /* SIGKILL was sent while stopping */
};

/* Prepare s for the process of (task_id, attempt) under policy p. p is
 * borrowed, not copied: it must stay alive and unchanged as long as s. */
void rc_sup_init(struct rc_sup *s, const struct rc_sup_policy *p, uint64_t task_id, int attempt);
/* Start the process now: RC_FX_PROC_START. */
void rc_sup_start(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob);
/* The process exited. clean = exit status 0 and not signalled. A clean exit or
 * an exit while stopping is final; a crash schedules a restart or gives up. */
void rc_sup_on_exit(struct rc_sup *s, int64_t now_ms, bool clean, struct rc_outbox *ob);
/* Ask the process to stop: SIGTERM now, SIGKILL after the grace period. A
 * process in backoff is simply not restarted. */
void rc_sup_stop(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob);
int64_t rc_sup_deadline(const struct rc_sup *s);
/* Restart or SIGKILL if due at now_ms. */
void rc_sup_tick(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob);
/* The restart delay after the n-th consecutive failure (n >= 1). */
int64_t rc_sup_delay_ms(const struct rc_sup_policy *p, int n);
/* True once the process will never run again (EXITED, GAVE_UP, STOPPED). */
bool rc_sup_is_final(const struct rc_sup *s);

#endif
