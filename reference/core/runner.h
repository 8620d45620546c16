/*
 * runner.h - the reference runner as a pure state machine.
 *
 * The runner registers, heartbeats every heartbeat_interval_ms, claims tasks
 * up to its max concurrency, runs each under a supervisor (supervisor.h),
 * reports completion with the attempt number, and reacts to the coordinator:
 * 404 -> register again; 409 on its session -> it has been superseded and
 * exits; 403 on an attempt -> it stops that task's process. Network failures
 * (status 0 or no reply within request_timeout_ms) are retried with
 * exponential backoff, 1 s doubling to 30 s, with jitter drawn from the
 * runner's own seeded PRNG.
 *
 * I/O comes out as effects: RC_FX_SEND (a request; its strings point into the
 * config, which the driver keeps alive for the runner's life), RC_FX_PROC_*,
 * RC_FX_STATE_SAVE, RC_FX_EXIT. The driver feeds back replies, process exits
 * and time.
 *
 * Effect fields: RC_FX_STATE_SAVE carries runner_id and msg.session;
 * RC_FX_EXIT carries text (why) and value (the status that caused it, 0 for
 * a drain) and comes only once every task process is gone; RC_FX_SEND also
 * copies op, task_id and attempt into the effect for traces.
 */
#ifndef RC_RUNNER_H
#define RC_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "msg.h"
#include "outbox.h"
#include "supervisor.h"

/* The strings are borrowed: they must outlive the runner. What every request
 * reads comes first, where the runner's other hot fields are (runner.c). */
struct rc_runner_config {
	const char *secret;
	int64_t request_timeout_ms;   /* 10000: no reply by then counts as a failure */
	int64_t heartbeat_interval_ms; /* 20000; replaced by the coordinator's value */
	int64_t backoff_initial_ms;   /* 1000 */
	int64_t backoff_max_ms;       /* 30000 */
	const char *hostname;
	const char *project_dir;
	const char *executor_type;
	const char *instance_token;
	int max_concurrency;          /* 1..RC_MAX_CONCURRENCY */
	struct rc_sup_policy sup;     /* for task processes */
};

void rc_runner_config_defaults(struct rc_runner_config *cfg);
/* Defaults plus who the runner is: what every driver (daemon, simulator,
 * conform) sets before rc_runner_new(). The strings are borrowed. */
void rc_runner_config_init(struct rc_runner_config *cfg, const char *hostname, const char *project_dir,
			   const char *executor_type, const char *instance_token, const char *secret,
			   int max_concurrency);

enum rc_runner_phase {
	RC_PHASE_INIT = 0,    /* not started */
	RC_PHASE_REGISTERING, /* registration in flight or backing off */
	RC_PHASE_ACTIVE,      /* registered: heartbeating and claiming */
	RC_PHASE_DRAINING,    /* SIGTERM seen: no claims, heartbeats go on */
	RC_PHASE_EXITED       /* superseded, refused, or drained: nothing more */
};
const char *rc_runner_phase_name(enum rc_runner_phase p);

/* A task as the runner sees it (fields ordered so that none pads the next). */
struct rc_runner_task {
	uint64_t task_id;
	struct rc_sup sup;
	int attempt;
	bool completing;  /* completion sent, awaiting the reply */
	bool cancelled;   /* 403 seen: being stopped, no report will be sent */
};

struct rc_runner;

/* Create a runner. prng_seed seeds its jitter stream. Returns NULL on
 * allocation failure or an invalid config (empty property, concurrency out of
 * range). */
struct rc_runner *rc_runner_new(const struct rc_runner_config *cfg, uint64_t prng_seed);
void rc_runner_free(struct rc_runner *r);

/* Begin: emits the registration request. A restart of the same install is
 * the same config (same instance token): the coordinator sees a reconnection. */
void rc_runner_start(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob);
/* Feed back the reply to a request sent earlier (matched on req_id; replies
 * to unknown or superseded requests are ignored). status 0 = transport failure. */
void rc_runner_on_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			struct rc_outbox *ob);
/* The process of (task_id, attempt) exited; clean = exit 0, not signalled. */
void rc_runner_on_process_exit(struct rc_runner *r, int64_t now_ms, uint64_t task_id, int attempt,
			       bool clean, struct rc_outbox *ob);
/* SIGTERM: stop claiming, stop processes (SIGTERM, SIGKILL after grace), keep
 * heartbeating; deregister and exit once every process is gone. */
void rc_runner_drain(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob);

int64_t rc_runner_deadline(const struct rc_runner *r);
void rc_runner_tick(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob);

/* Read access for drivers, checkers and tests. */
enum rc_runner_phase rc_runner_phase(const struct rc_runner *r);
const char *rc_runner_id(const struct rc_runner *r); /* "" until registered */
uint64_t rc_runner_session(const struct rc_runner *r);
int rc_runner_task_count(const struct rc_runner *r);
const struct rc_runner_task *rc_runner_task_at(const struct rc_runner *r, int i);
int64_t rc_runner_last_heartbeat_ack_ms(const struct rc_runner *r); /* -1 if none */

#endif
