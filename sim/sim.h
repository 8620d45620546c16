/*
 * sim.h - the deterministic discrete-event simulator of rollcall.
 *
 * One process runs one reference coordinator and any number of reference
 * runners (reference/core, unchanged) on virtual time. Events (message
 * deliveries, node deadlines, process exits, scripted actions, random faults)
 * are taken from a heap ordered by (time, sequence); events at one instant are
 * optionally permuted by the seed. Every node sees its own clock (skew, drift,
 * jumps), clamped so the value handed to a core never goes backwards. The
 * network between the coordinator and each runner has latency, jitter, loss,
 * duplication, reordering and partitions; nodes crash (volatile state lost,
 * the core is freed and recreated), restart, pause; the coordinator's durable
 * records survive a crash only if synced. After every event the invariants of
 * DESIGN.md are checked incrementally and reported by name.
 *
 * Same seed + same binary => byte-identical trace and the same trace hash.
 *
 * Clients: `rollcall sim` (random workload, sim_workload_schedule), the
 * scenario runner (`rollcall run`: nodes and scripted sim_at_* actions), and
 * explore/shrink/replay tools (seeds, observers, violations).
 *
 * Typical use:
 *
 *   struct sim_config cfg;
 *   sim_config_defaults(&cfg);
 *   cfg.seed = 42;
 *   struct sim_world *w = sim_world_new(&cfg);
 *   int coord = sim_add_coordinator(w, "coord");
 *   struct sim_runner_spec rs;
 *   sim_runner_spec_defaults(&rs);
 *   rs.name = "r1"; rs.hostname = "host1"; rs.project_dir = "/proj";
 *   rs.executor_type = "test-executor"; rs.start_at_ms = 0;
 *   int r1 = sim_add_runner(w, &rs);
 *   sim_at_crash(w, 60000, r1, 5000);          // crash at 60 s, back 5 s later
 *   sim_run_until(w, 3600000);
 *   ... sim_coord(w), sim_violation_count(w), sim_stats(w, &st) ...
 *   sim_world_free(w);
 *
 * Conventions: times are virtual milliseconds since the start of the world
 * (`at_ms`); node clocks are what the node's core is handed. Node handles are
 * small non-negative ints in order of addition. Functions returning int return
 * -1 on a refused call and then sim_error() says why (a static buffer in the
 * world, valid until the next call). Strings passed in are copied unless said
 * otherwise. The world is single-threaded.
 */
#ifndef RC_SIM_H
#define RC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "coord.h"
#include "msg.h"
#include "runner.h"
#include "supervisor.h"

/* ---------------------------------------------------------------- config */

/* Random fault kinds (a bit mask). */
enum sim_fault_kind {
	SIM_FAULT_NET = 1 << 0,     /* loss, duplication, reordering, partitions, drop/delay next N */
	SIM_FAULT_CRASH = 1 << 1,   /* runner and coordinator crashes with restarts, graceful stops */
	SIM_FAULT_SKEW = 1 << 2,    /* clock skew, drift, jumps forwards and backwards */
	SIM_FAULT_PAUSE = 1 << 3,   /* GC-like pauses of runners and the coordinator */
	SIM_FAULT_STORAGE = 1 << 4, /* coordinator power loss: unsynced durable writes lost */
	SIM_FAULT_ALL = (1 << 5) - 1
};
/* Parse "net,crash,skew,pause,storage" or "all" or "none" into *mask.
 * Returns 0, or -1 with the first unknown word copied into bad (bad_len). */
int sim_faults_parse(const char *text, unsigned *mask, char *bad, size_t bad_len);

/* Defaults of every link (coordinator <-> runner, both directions). */
struct sim_net_config {
	int64_t latency_ms;         /* 5: fixed one-way delay */
	int64_t jitter_ms;          /* 5: plus uniform [0, jitter_ms] */
	double loss;                /* 0: probability a message is lost */
	double duplicate;           /* 0: probability a message is delivered twice */
	double reorder;             /* 0: probability a message gets an extra delay */
	int64_t reorder_ms;         /* 500: that extra delay is uniform [1, reorder_ms] */
};

/* The random fault injector (it draws from its own PRNG stream). */
struct sim_fault_config {
	unsigned kinds;            /* SIM_FAULT_* mask; 0: no random faults */
	int64_t mean_interval_ms;  /* 30000: mean time between two injected faults */
	int64_t from_ms;           /* 0: first possible injection */
	int64_t until_ms;          /* faults stop here: every injected fault is undone
	                              (heal, resume, restart, drift off); 0 = never */
	/* network rates while net faults are on (the base rates come back at until_ms) */
	double loss;               /* 0.01 */
	double duplicate;          /* 0.01 */
	double reorder;            /* 0.02 */
};

struct sim_config {
	uint64_t seed;
	bool permute_ties;          /* false: ties at one instant in scheduling order */
	struct rc_coord_config coord; /* rc_coord_config_defaults() */
	const char *secret;         /* "sim-secret": the coordinator's and runners' secret */
	struct sim_net_config net;
	struct sim_fault_config faults;
	bool storage_lossy;         /* a coordinator crash may lose unsynced writes
	                               (also turned on by SIM_FAULT_STORAGE) */
	bool collect_all;           /* false: running stops at the first violation */
	int history_len;            /* 32: events kept for violation reports (0..1024) */
	bool no_history;            /* keep none whatever history_len says: a copy
	                               per record saved for callers that never read
	                               sim_violation.history; history_len stays in
	                               the trace header, so traces do not change */
	FILE *trace;                /* JSONL trace sink (not closed by the world), or NULL */
	bool hash_trace;            /* keep sim_trace_hash() even without a sink */
	int64_t term_exit_ms;       /* 200: how long a process takes to exit on SIGTERM */
	int expected_runners;       /* 0: unknown; else a size hint, so per-runner tables
	                               are allocated once at that size (memory only: no
	                               effect on the run, not in the trace header) */
};

/* Fill cfg with the defaults above (seed 1, no faults, no trace). */
void sim_config_defaults(struct sim_config *cfg);
/* Check a config from outside (scenario files, CLI). Returns 0, or -1 with a
 * message naming the bad field in err. sim_world_new() asserts validity. */
int sim_config_validate(const struct sim_config *cfg, char *err, size_t err_len);

/* ----------------------------------------------------------------- world */

struct sim_world;

/* Create an empty world at virtual time 0 (no nodes yet). cfg must be valid;
 * its strings are copied and cfg->trace is borrowed (the caller closes it
 * after sim_world_free). The trace header is written here. Returns NULL on
 * allocation failure. */
struct sim_world *sim_world_new(const struct sim_config *cfg);
/* Free the world, every node, core, message and violation. NULL is fine. */
void sim_world_free(struct sim_world *w);
/* The last refusal message of a sim_* call (never NULL). */
const char *sim_error(const struct sim_world *w);
/* The build id written in trace headers (git describe of the sources). */
const char *sim_build_id(void);

/* ----------------------------------------------------------------- nodes */

enum sim_node_kind { SIM_NODE_COORD = 0, SIM_NODE_RUNNER };

enum sim_node_state {
	SIM_NODE_DOWN = 0, /* never started (the coordinator: also after a clean stop) */
	SIM_NODE_UP,       /* running: its core exists and processes events */
	SIM_NODE_PAUSED,   /* core kept, events held until resume; its clock runs */
	SIM_NODE_CRASHED,  /* core freed; durable state kept (coordinator: synced records) */
	SIM_NODE_EXITED    /* the runner core asked to exit (superseded, refused, drained) */
};
const char *sim_node_state_name(enum sim_node_state s);

/* Add the coordinator (exactly one per world), up from the current time with
 * cfg->coord and cfg->secret. Returns its node handle, or -1 (a second
 * coordinator, a duplicate name, allocation failure). */
int sim_add_coordinator(struct sim_world *w, const char *name);

struct sim_runner_spec {
	const char *name;           /* unique node name */
	/* the three identity properties; all required and non-empty (a runner
	 * core refuses empty ones: send a raw request to observe 422) */
	const char *hostname;
	const char *project_dir;
	const char *executor_type;
	/* NULL: derived from the node name and the seed. Two runners with the
	 * same properties and different tokens are clones; a restart keeps the
	 * token, so it is the same install. */
	const char *instance_token;
	int max_concurrency;           /* 1 */
	int64_t heartbeat_interval_ms; /* 20000 (the coordinator's value wins) */
	int64_t request_timeout_ms;    /* 10000: no reply by then = transport failure */
	struct rc_sup_policy sup;      /* rc_sup_policy_defaults() */
	int64_t start_at_ms;           /* -1: only a sim_at_start() starts it */
};
void sim_runner_spec_defaults(struct sim_runner_spec *spec);
/* 0 when sim_add_runner would take spec's properties and policy, else -1
 * with why filled (a scenario's settings are checked this way before any
 * world exists). The name and start time are not looked at. */
int sim_runner_spec_check(const struct sim_runner_spec *spec, char *why, size_t why_len);

/* Add a runner node (down until started). Returns its handle, or -1 (duplicate
 * name, empty property, concurrency out of range, no coordinator yet). */
int sim_add_runner(struct sim_world *w, const struct sim_runner_spec *spec);

int sim_node_count(const struct sim_world *w);
/* Handle of the node called name, or -1. */
int sim_node_find(const struct sim_world *w, const char *name);
const char *sim_node_name(const struct sim_world *w, int node);
enum sim_node_kind sim_node_kind(const struct sim_world *w, int node);
enum sim_node_state sim_node_state(const struct sim_world *w, int node);
/* The node's clock as last handed to its core (ms), never decreasing. */
int64_t sim_node_clock(const struct sim_world *w, int node);

/* ---------------------------------------------------------------- actions
 *
 * Every sim_at_* schedules an action at virtual time at_ms (>= sim_now())
 * and returns an action handle >= 0, or -1 (bad node, time in the past, bad
 * argument; see sim_error). Actions at one instant apply in scheduling order
 * (or permuted with permute_ties). An action on a node in the wrong state
 * (crash a crashed node) is applied as a no-op and traced as such.
 */

/* Start a node that is down/crashed/exited (a restart keeps the install). */
int sim_at_start(struct sim_world *w, int64_t at_ms, int node);
/* SIGTERM: a runner drains (no claims, processes stopped, heartbeats go on,
 * deregisters and exits). For the coordinator it is a clean shutdown: every
 * pending write is synced, then the node is down. */
int sim_at_stop(struct sim_world *w, int64_t at_ms, int node);
/* Crash: volatile state lost (the core is freed), in-flight replies to it
 * dropped, its processes killed. restart_after_ms >= 0 schedules a start that
 * much later; -1 leaves it down. Coordinator: unsynced writes are lost when
 * storage_lossy is on. */
int sim_at_crash(struct sim_world *w, int64_t at_ms, int node, int64_t restart_after_ms);
/* Pause: the node's process stops (a GC pause, SIGSTOP) while its clock
 * runs on. What reaches it meanwhile (messages, a secret rotation for the
 * coordinator) waits for the resume; if it goes away instead, messages find
 * it down and a rotation applies to the secret its restart reads. */
int sim_at_pause(struct sim_world *w, int64_t at_ms, int node);
int sim_at_resume(struct sim_world *w, int64_t at_ms, int node);

enum sim_partition_dir {
	SIM_PART_BOTH = 0, /* no message crosses between the set and the rest */
	SIM_PART_OUT,      /* messages from the set to the rest are lost (one-way) */
	SIM_PART_IN        /* messages from the rest to the set are lost (one-way) */
};
/* Partition the n nodes of `nodes` from every other node. Returns the action
 * handle; the partition itself is identified by that handle for sim_at_heal. */
int sim_at_partition(struct sim_world *w, int64_t at_ms, const int *nodes, size_t n,
		     enum sim_partition_dir dir);
/* Heal one partition (its action handle) or, with -1, every partition and
 * every drop/delay rule. */
int sim_at_heal(struct sim_world *w, int64_t at_ms, int partition);
/* Lose the next n messages of op (RC_OP_NONE: any op) sent from node `from`
 * to node `to` (requests runner->coordinator, replies coordinator->runner). */
int sim_at_drop_next(struct sim_world *w, int64_t at_ms, int from, int to, enum rc_op op, int n);
/* Delay the next n such messages by delay_ms on top of the link latency. */
int sim_at_delay_next(struct sim_world *w, int64_t at_ms, int from, int to, enum rc_op op, int n,
		      int64_t delay_ms);

/* Clocks: set a fixed offset from virtual time, jump by delta (either sign),
 * or drift by ppm parts per million from now on. A backwards move freezes
 * what the core sees until the clock catches up. */
int sim_at_clock_skew(struct sim_world *w, int64_t at_ms, int node, int64_t offset_ms);
int sim_at_clock_jump(struct sim_world *w, int64_t at_ms, int node, int64_t delta_ms);
int sim_at_clock_drift(struct sim_world *w, int64_t at_ms, int node, int32_t ppm);

/* A task and how its process behaves on every runner that runs it. */
struct sim_task_spec {
	const char *name;      /* unique scenario name (sim_task_id) */
	const char *kind;      /* "work" */
	const char *payload;   /* "" */
	int64_t duration_ms;   /* 1000: run time of a healthy process; -1 = hangs
	                          (never exits by itself) */
	int crash_times;       /* 0: the first crash_times starts of this task crash */
	int64_t crash_after_ms;/* 500: how long a crashing start runs */
	bool ignore_term;      /* true: SIGTERM is ignored, only SIGKILL ends it */
	bool fail;             /* true: a full run exits non-zero (crash) every time */
};
void sim_task_spec_defaults(struct sim_task_spec *spec);
/* Submit the task through the API at at_ms (POST /tasks). */
int sim_at_submit_task(struct sim_world *w, int64_t at_ms, const struct sim_task_spec *spec);

/* Create a sandbox named `name` (POST /api/v1/sandboxes), tied to the task
 * named task_name (NULL: not tied); delete it (DELETE). */
int sim_at_sandbox_create(struct sim_world *w, int64_t at_ms, const char *name, const char *task_name);
int sim_at_sandbox_delete(struct sim_world *w, int64_t at_ms, const char *name);
/* A runner-status report on sandbox `name` from runner node `runner` (its
 * ID goes in X-Runner-Id; -1 sends no header -> 400). status_word is sent as
 * given; container_id may be NULL. An unknown sandbox name sends id 0 (404). */
int sim_at_sandbox_report(struct sim_world *w, int64_t at_ms, const char *name, int runner,
			  const char *status_word, const char *container_id);

/* A request written by hand, handed straight to the coordinator. Strings of
 * msg are copied. Names, when set, are resolved when the action applies:
 * task_name -> msg.task_id, sandbox_name -> msg.sandbox_id, runner -> the
 * runner's ID in msg.runner_id (and, with use_runner_session, its current
 * session). secret_mode picks X-Runner-Secret. */
enum sim_secret_mode {
	SIM_SECRET_AS_GIVEN = 0, /* msg.secret as given (NULL = header absent) */
	SIM_SECRET_CURRENT       /* the coordinator's current secret */
};
struct sim_raw_request {
	struct rc_msg msg;
	const char *task_name;
	const char *sandbox_name;
	int runner;              /* -1: none */
	bool use_runner_session;
	enum sim_secret_mode secret_mode;
	const char *label;       /* shown in the trace, e.g. "register-missing-fields" */
};
void sim_raw_request_defaults(struct sim_raw_request *req);
int sim_at_raw_request(struct sim_world *w, int64_t at_ms, const struct sim_raw_request *req);

/* Rotate the coordinator's secret (the old one stays valid for the grace
 * period). update_runners: runner nodes use the new secret from their next
 * start on. */
int sim_at_rotate_secret(struct sim_world *w, int64_t at_ms, const char *new_secret, bool update_runners);

/* Check `liveness` at at_ms: every runner node that is up has its registry
 * record online, and every submitted task is completed or failed. Schedule it
 * a bound after faults stop and the network heals. */
int sim_at_expect_liveness(struct sim_world *w, int64_t at_ms);

/* The outcome of an action. For API actions (submit, sandbox, report, raw)
 * the coordinator's reply; status 0 when the coordinator was down. */
struct sim_action_result {
	bool applied;          /* false until its time has come */
	int64_t at_ms;
	int status;            /* HTTP status, 0 for non-API actions */
	char error_code[48];   /* "" on success */
	char message[160];
	const char *fields[RC_ERROR_MAX_FIELDS]; /* static strings, NULL-terminated */
	uint64_t task_id;      /* submit: the new task's id */
	uint64_t sandbox_id;   /* sandbox create: the new sandbox's id */
	char runner_id[RC_RUNNER_ID_BUF]; /* raw register: the ID given back */
};
/* Returns the result of action `handle`, or NULL for an unknown handle. Owned
 * by the world and valid until the world runs again or an action is added
 * (a crash schedules its restart as an action, and the table may move): ask
 * again after sim_run_until rather than keep the pointer. */
const struct sim_action_result *sim_action_result(const struct sim_world *w, int handle);

/* ---------------------------------------------------------------- running */

enum sim_run_status {
	SIM_RUN_TIME = 0,   /* reached the requested time */
	SIM_RUN_QUIET,      /* nothing pending but node deadlines (see sim_run_until_quiet) */
	SIM_RUN_EMPTY,      /* no event left at all */
	SIM_RUN_VIOLATION   /* stopped at the first violation (collect_all off) */
};

/* Process every event with time <= until_ms, then set the time to until_ms.
 * With collect_all off, returns SIM_RUN_VIOLATION as soon as one is found
 * (the time stays at that event); later calls keep returning it. */
enum sim_run_status sim_run_until(struct sim_world *w, int64_t until_ms);
/* Run until no scripted action, message or process exit is pending (only
 * node deadlines are left: heartbeats and timers go on forever), or until
 * limit_ms. */
enum sim_run_status sim_run_until_quiet(struct sim_world *w, int64_t limit_ms);
/* Process exactly one event. Returns false when there is none (or after a
 * violation with collect_all off). */
bool sim_step(struct sim_world *w);
int64_t sim_now(const struct sim_world *w);
/* Run every full-scan checker now (registry windows, tasks, sandboxes). Done
 * automatically after each coordinator tick; useful at the end of a run.
 * Nothing to judge while the coordinator is down or paused: the windows are
 * promises of its running sweep. */
void sim_check_now(struct sim_world *w);

/* ------------------------------------------------------------- observing */

enum sim_ev_kind {
	SIM_EV_ACTION = 0,    /* a scripted action applied: what = action name */
	SIM_EV_FAULT,         /* a random fault applied or undone: what = fault name */
	SIM_EV_NODE,          /* node life: what = start, stop, crash, restart, pause, resume, exit */
	SIM_EV_CLOCK,         /* a node clock changed: value = new offset, what = skew/jump/drift */
	SIM_EV_TICK,          /* a node's deadline came: its core's tick ran */
	SIM_EV_SEND,          /* message sent: node -> peer, op, req_id (status for replies) */
	SIM_EV_DELIVER,       /* message arrived at node from peer */
	SIM_EV_DROP,          /* message lost: what = loss, partition, down, rule, stale, late, client-gone */
	SIM_EV_DUP,           /* message duplicated by the network */
	SIM_EV_REPLY,         /* the coordinator answered: op, req_id, status, text = error code */
	SIM_EV_TRANSPORT_FAIL,/* a runner's request failed (status 0): what = timeout, refused */
	SIM_EV_RUNNER_STATUS, /* registry: runner_id from -> to (rc_runner_status) */
	SIM_EV_TASK_STATE,    /* task_id from -> to (rc_task_state), attempt, runner_id */
	SIM_EV_SANDBOX_AUDIT, /* sandbox_id from -> to (rc_sandbox_status), runner_id */
	SIM_EV_REJECTED,      /* the coordinator refused op with status */
	SIM_EV_PROC_START,    /* node started the process of task_id/attempt */
	SIM_EV_PROC_SIGNAL,   /* node signalled it: value = signal number */
	SIM_EV_PROC_EXIT,     /* it exited: what = clean, crash, signal; value = exit code */
	SIM_EV_STATE_SAVE,    /* a runner persisted its registration (runner_id, value = session) */
	SIM_EV_STORAGE,       /* coordinator storage: what = restore, lost; value = records */
	SIM_EV_LOG,           /* a core's log line: text */
	SIM_EV_API,           /* an API action's reply: op, status, what = label */
	SIM_EV_CHECK,         /* an explicit check ran: what = invariant name, value = 1 ok */
	SIM_EV_VIOLATION,     /* what = invariant name, text = message */
	SIM_EV_KIND_COUNT
};
const char *sim_ev_kind_name(enum sim_ev_kind kind);

/* One trace record. Records are produced in order while an event is
 * processed (one event may produce several). Fields not meaningful for the
 * kind are zero / NULL / -1 (node handles). Pointers are valid only during
 * the observer call. */
struct sim_event {
	uint64_t seq;          /* number of the processed event (1, 2, ...) */
	int64_t at_ms;         /* virtual time */
	int node;              /* where it happened, -1 = the world */
	const char *node_name; /* "" for the world */
	enum sim_ev_kind kind;
	const char *what;      /* sub-kind word (see kinds), or NULL */
	int peer;              /* other end of a message, -1 */
	const char *peer_name;
	enum rc_op op;
	uint64_t req_id;
	int status;            /* HTTP status */
	int from, to;          /* transitions */
	uint64_t task_id;
	int attempt;
	uint64_t sandbox_id;
	const char *runner_id; /* registry ID involved, or NULL */
	int64_t value;         /* signal, exit code, session, clock offset, count */
	const char *text;      /* free text, or NULL */
};

typedef void (*sim_observer_fn)(void *ctx, const struct sim_event *ev);
/* Call fn(ctx, record) for every record from now on (NULL to stop). The
 * observer may read the world (queries below) but must not change it: no
 * sim_at_*, run or step calls from inside. */
void sim_set_observer(struct sim_world *w, sim_observer_fn fn, void *ctx);

/* Format a record as its trace line (JSON object, no newline) into buf.
 * Returns the length it needed (like snprintf). */
int sim_event_format(const struct sim_event *ev, char *buf, size_t len);

/* The coordinator's core, NULL while it is crashed or down. */
const struct rc_coord *sim_coord(const struct sim_world *w);
/* A runner node's core, NULL while it is not running (down, crashed, exited). */
const struct rc_runner *sim_runner_core(const struct sim_world *w, int node);
/* The ID a runner node's properties give (computed independently of the
 * core, so checkers can hold the core to it). NULL for the coordinator. */
const char *sim_runner_node_id(const struct sim_world *w, int node);
/* The coordinator's id of the task / sandbox a scenario named, 0 while not
 * (yet) created or unknown. */
uint64_t sim_task_id(const struct sim_world *w, const char *name);
uint64_t sim_sandbox_id(const struct sim_world *w, const char *name);

struct sim_stats {
	int64_t now_ms;
	uint64_t events;        /* processed events */
	uint64_t records;       /* trace records produced */
	uint64_t checks;        /* individual invariant checks evaluated */
	uint64_t violations;
	uint64_t messages;      /* messages sent (requests and replies) */
	uint64_t dropped;       /* messages lost, any reason: the trace's drop records */
	uint64_t faults;        /* random faults applied */
	uint64_t heartbeats;    /* heartbeats handled by the coordinator */
};
void sim_stats(const struct sim_world *w, struct sim_stats *out);

/* A 64-bit FNV-style hash of the trace header and every record, over
 * exactly the fields each trace line shows, in order: equal traces give
 * equal hashes (and different ones, in practice, different hashes). Kept
 * when a trace sink is set or cfg.hash_trace is on; 0 otherwise. */
uint64_t sim_trace_hash(const struct sim_world *w);

/* ------------------------------------------------------------- violations */

enum sim_invariant {
	SIM_INV_ID_DETERMINISTIC = 0,
	SIM_INV_SINGLE_RECORD,
	SIM_INV_STALE_WINDOW,
	SIM_INV_REMOVE_WINDOW,
	SIM_INV_ONLINE_IF_HEARTBEATING,
	SIM_INV_ONE_OWNER,
	SIM_INV_COMPLETE_ONCE,
	SIM_INV_REASSIGN_BOUND,
	SIM_INV_NO_ASSIGN_TO_STALE,
	SIM_INV_SANDBOX_TRANSITIONS,
	SIM_INV_BACKOFF_SCHEDULE,
	SIM_INV_LIVENESS,
	SIM_INV_COUNT
};
/* The DESIGN.md name ("id-deterministic", ...). */
const char *sim_invariant_name(enum sim_invariant inv);
/* Returns the invariant of that name, or -1. */
int sim_invariant_parse(const char *name);

struct sim_violation {
	enum sim_invariant invariant;
	const char *name;       /* sim_invariant_name(invariant) */
	int64_t at_ms;
	uint64_t seq;           /* the event during which it was found */
	char nodes[160];        /* node names and runner IDs involved, comma-separated */
	char message[320];
	/* the task (a coordinator id) the message names as "task N" (liveness:
	 * the one whose state it ends with, after "first: "); 0 none. A
	 * scenario names it its own way (scn_violation_message) */
	uint64_t task;
	size_t n_history;
	char **history;         /* trace lines of the last events, oldest first */
};
/* Violations kept (the first 1000; sim_stats().violations counts all). */
size_t sim_violation_count(const struct sim_world *w);
/* Owned by the world and valid until it runs again (a new violation may move
 * the table). */
const struct sim_violation *sim_violation_at(const struct sim_world *w, size_t i);
/* Print the first max_shown violations to out ("VIOLATION name at T ms ...",
 * then the last `history` events before each), and, when there were more, a
 * line saying how many were not printed: a run with --collect-all may find
 * thousands, and a list that just stops reads as if it were all. */
void sim_violations_print(FILE *out, const struct sim_world *w, size_t max_shown, size_t history);

/* -------------------------------------------------------------- workload */

/* The random workload of `rollcall sim`: a coordinator, `runners` runners
 * (plus an occasional clone), tasks submitted all along while the fleet
 * could finish its backlog before the end (some crash, some ignore
 * SIGTERM), sandboxes driven through their life cycle by the owners of
 * their tasks, runners stopped and started again, and started again after
 * leaving on their own (a service manager). Faults come from
 * cfg.faults; the workload sets faults.until_ms to leave a quiet tail (and
 * stops new work at least 14 min before the end, see workload.c) and
 * schedules a liveness check at the end. Draws from its own PRNG stream. */
struct sim_workload {
	int runners;                 /* >= 1 */
	int64_t duration_ms;         /* total simulated time (> quiet_ms) */
	int64_t quiet_ms;            /* 1800000: fault-free tail before the liveness check */
	double tasks_per_runner_hour;/* 4 */
	int64_t max_task_ms;         /* 180000 */
	bool churn;                  /* true: runners stopped and started again */
	bool sandboxes;              /* true */
};
void sim_workload_defaults(struct sim_workload *wl);
/* Add the nodes and schedule the workload into an empty world (no node yet).
 * Returns 0, or -1 (sim_error). */
int sim_workload_schedule(struct sim_world *w, const struct sim_workload *wl);

#endif
