/*
 * conf_internal.h - one scenario replayed live: the state shared by the
 * parts of conform that drive it.
 *
 * conform is a small discrete-event driver like the simulator, except that
 * the coordinator is a real process reached over HTTP. Virtual time is in
 * the scenario's ms; events (actions, runner timers, message deliveries,
 * process exits, the target's timer ticks) are taken in (time, order)
 * order. Before each exchange with the target its clock file is set to the
 * event's instant, so the target sees the same instants as a simulated
 * coordinator would: requests are handled, sweeps and monitor ticks run, at
 * exactly those instants.
 *
 * Parts: conf_runners.c (virtual runners and their task processes),
 * conf_net.c (messages between runners and the target, faults, HTTP),
 * conf_actions.c (the scenario's timeline), conf_observe.c (states read from
 * the target's API, for the judge), conf_run.c (one scenario from start to
 * verdict), conf_session.c (targets across scenarios, clean-up).
 */
#ifndef CONF_INTERNAL_H
#define CONF_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "conf_http.h"
#include "conf_profile.h"
#include "conf_target.h"
#include "heap.h"
#include "rng.h"
#include "runner.h"
#include "scn_judge.h"

/* Event types (4 bits in the heap). */
enum conf_evt {
	CONF_EV_ACTION = 0,  /* a: action index */
	CONF_EV_TIMER,       /* a: node, b: timer generation */
	CONF_EV_REQUEST,     /* a: message slot: the request reaches the target */
	CONF_EV_REPLY,       /* a: message slot: the reply reaches its runner */
	CONF_EV_PROC_EXIT,   /* a: node, b: process token */
	CONF_EV_TICK,        /* a: 0, b: coordinator incarnation: a sweep/monitor instant */
};

/* Node process states, in the order of the language's process words. */
enum conf_node_state { CONF_DOWN = 0, CONF_UP, CONF_PAUSED, CONF_CRASHED, CONF_EXITED };

struct conf_proc {
	uint64_t task_id;
	int attempt;
	int task;          /* scenario task, -1 when it is not one of the scenario's */
	bool alive;
	uint32_t token;    /* of the pending exit event */
	bool exit_clean;
	const char *exit_why; /* "clean", "crash", "terminated", "killed" */
	int64_t exit_at;   /* INT64_MAX: never by itself */
	bool ignore_term;
};

struct conf_runner {
	const struct scn_node *spec;
	struct rc_runner_config cfg;   /* its secret is `secret` below */
	char secret[RC_MAX_SECRET_LEN + 1];      /* the current incarnation's */
	char next_secret[RC_MAX_SECRET_LEN + 1]; /* from the next start on ("rotate secret ... updating runners"); "" none */
	char expected_id[RC_RUNNER_ID_BUF];
	struct rc_runner *core;  /* NULL unless up or paused */
	enum conf_node_state state;
	int incarnation;
	int64_t offset_ms;       /* its clock reads virtual time + offset */
	int64_t last_local_ms;   /* never goes back */
	uint32_t timer_gen;
	struct sim_ev *held;     /* events held while paused */
	size_t n_held, cap_held;
	struct conf_proc *procs;
	size_t n_procs, cap_procs;
	struct conf_exchange last; /* its latest exchange with the target */
};

/* A runner's request on its way, and then its reply. */
struct conf_msg {
	bool used;
	int node, incarnation;
	enum rc_op op;
	uint64_t req_id;
	struct conf_wire_request wire;
	int64_t timeout_at;   /* virtual: the runner gives up then */
	bool client_gone;     /* the runner gave up before it arrived */
	struct rc_reply reply;
	struct rc_proto_arena arena;
};

struct conf_rule {
	bool drop;            /* else delay */
	int from, to;         /* nodes */
	enum rc_op op;        /* RC_OP_NONE: any */
	int left;
	int64_t amount_ms;
};

struct conf_part {
	int runner;
	bool runner_to_coord, coord_to_runner; /* directions blocked */
	bool active;
};

/* What an API action got back. */
struct conf_action_result {
	bool applied;
	int status;
	char error_code[48];
	char message[160];
	struct conf_exchange ex;
};

/* The target's state as last read (invalidated by every request and tick). */
struct conf_snapshot {
	int64_t at_ms;
	bool have_runners;
	json_t *runners;      /* canonical "runners" array */
	bool *have_task, *have_sandbox;
	json_t **tasks, **sandboxes; /* canonical bodies; NULL: 404 */
};

/* A session: the target and how to talk to it, across scenarios. */
struct conf_session {
	struct conf_options o;
	struct conf_profile *profile;
	struct conf_http *http;
	struct conf_target *target;
	char secret[RC_MAX_SECRET_LEN + 1]; /* a running target's runner secret */
	int64_t grid_origin_ms;  /* the target's clock when its timers were anchored */
	bool shared;             /* one target for every scenario: clean up between them */
	bool unusable;           /* a target error ended a run: nothing more is tried */
	int janitors;            /* clean-up runners registered so far */
	int64_t reply_date_ms;   /* the Date header of the last reply outside a run; -1: none */
};

struct conf_live {
	struct conf_session *cs;
	const struct conf_profile *profile;
	char secret[RC_MAX_SECRET_LEN + 1];
	const struct scn_scenario *s;
	uint64_t seed;
	struct scn_judge judge;
	struct scn_outcome *out;
	struct conf_result *res;

	int64_t now_ms;          /* virtual */
	int64_t base_clock_ms;   /* the target's clock at virtual 0 */
	struct sim_heap heap;
	struct rc_outbox ob;

	struct conf_runner *runners; /* by scenario node; [0] unused (the coordinator) */
	enum conf_node_state coord_state;
	uint32_t coord_incarnation;
	int64_t next_sweep_ms, next_monitor_ms; /* the target's next timer instants (virtual) */

	struct conf_msg *msgs;
	size_t n_msgs;
	struct conf_rule *rules;
	size_t n_rules, cap_rules;
	struct conf_part *parts;     /* by action index */
	struct rc_rng *net_rng;      /* per node */
	int64_t latency_min_ms, latency_max_ms, term_exit_ms;

	uint64_t *task_id, *sandbox_id; /* by scenario task / sandbox, 0 until created */
	int *task_starts;
	bool *ever_registered;
	struct conf_action_result *actions;

	struct conf_snapshot snap;
	struct conf_exchange obs_runners; /* evidence: the last observation of each kind */
	struct conf_exchange *obs_task, *obs_sandbox;

	bool target_error;   /* the run cannot go on: res->error says why */
	uint32_t proc_tokens;
	int requests;        /* HTTP exchanges with the target */
};

/* conf_session.c: whether the target at url answers its health check (a
 * conf_ready_fn; ctx is the session). */
int conf_session_ready(void *ctx, const char *url, char *why, size_t why_cap);

/* conf_run.c: run s live; the target is ready (a launched one not started
 * yet), its clock reads base_clock_ms at virtual 0, runners use secret. */
void conf_live_run(struct conf_session *cs, const struct scn_scenario *s, uint64_t seed, int64_t base_clock_ms,
		   const char *secret, struct conf_result *r);
/* errors that end the run */
void conf_target_error(struct conf_live *l, const struct conf_exchange *ex, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The target answered off-protocol: a failed check, with the exchange. */
void conf_protocol_failure(struct conf_live *l, const struct conf_exchange *ex, const char *what);
/* Set the target's clock to virtual instant t (no-op without a clock). */
int conf_clock_to(struct conf_live *l, int64_t t);
void conf_push(struct conf_live *l, int64_t at_ms, enum conf_evt type, uint32_t a, uint32_t b);
/* One exchange with the target at the current instant: send the request
 * (already in the target's dialect), translate the reply back. Returns 0
 * with reply filled, or -1 after ending the run (no answer: an error;
 * off-protocol: a failed check). ex receives the exchange; canonical, when
 * non-NULL, the canonical reply body. Every such request may change the
 * target, so what was observed before is forgotten. */
int conf_exchange_wire(struct conf_live *l, const struct conf_wire_request *w, struct rc_reply *reply,
		       struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex);
/* The same for a canonical message (encoded through the profile first). */
int conf_exchange_msg(struct conf_live *l, const struct rc_msg *msg, struct rc_reply *reply,
		      struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex);
/* A read-only request: what was observed is kept. */
int conf_observe_msg(struct conf_live *l, const struct rc_msg *msg, struct rc_reply *reply,
		     struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex);
bool conf_coord_up(const struct conf_live *l);
/* The coordinator node's life: a launched target is started / stopped
 * (SIGTERM) / crashed (SIGKILL) at the current instant. */
void conf_coord_start(struct conf_live *l);
void conf_coord_stop(struct conf_live *l, bool crash);

/* conf_runners.c */
int conf_runners_init(struct conf_live *l);
void conf_runners_free(struct conf_live *l);
int64_t conf_runner_now(struct conf_live *l, int node);
void conf_runner_start(struct conf_live *l, int node);
void conf_runner_stop(struct conf_live *l, int node);
void conf_runner_crash(struct conf_live *l, int node);
void conf_runner_pause(struct conf_live *l, int node);
void conf_runner_resume(struct conf_live *l, int node);
void conf_runner_set_offset(struct conf_live *l, int node, int64_t offset_ms);
void conf_runner_timer(struct conf_live *l, const struct sim_ev *ev);
void conf_runner_proc_exit(struct conf_live *l, const struct sim_ev *ev);
/* Deliver the reply in message slot to its runner (held while paused). */
void conf_runner_reply(struct conf_live *l, const struct sim_ev *ev);
/* Whether an event for a paused runner must wait (it is then held). */
bool conf_runner_hold(struct conf_live *l, int node, const struct sim_ev *ev);

/* conf_net.c */
void conf_net_free(struct conf_live *l);
/* A runner's core wants msg sent. */
void conf_net_send(struct conf_live *l, int node, const struct rc_msg *msg);
void conf_net_deliver_request(struct conf_live *l, uint32_t slot);
void conf_msg_release(struct conf_live *l, uint32_t slot);
void conf_net_partition(struct conf_live *l, size_t action);
void conf_net_heal(struct conf_live *l, size_t action);
void conf_net_rule(struct conf_live *l, const struct scn_action *a);

/* conf_actions.c */
void conf_action(struct conf_live *l, size_t i);
/* The scenario task of a coordinator task id, -1 if none. */
int conf_task_of_id(const struct conf_live *l, uint64_t id);

/* conf_observe.c */
extern const struct scn_world_ops conf_world_ops;
void conf_snapshot_invalidate(struct conf_live *l);
void conf_snapshot_free(struct conf_live *l);
/* Read the runner list now (for ticks and liveness). Returns 0 or -1 (the
 * run is over). */
int conf_observe_runners(struct conf_live *l);
/* The "at T expect liveness" check, live. */
void conf_check_liveness(struct conf_live *l, size_t action);
/* The exchange that best shows why the run failed, into buf. */
void conf_evidence(struct conf_live *l, char *buf, size_t n);

#endif
