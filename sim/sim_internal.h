/*
 * sim_internal.h - the simulator's structures, shared by the sim/ files.
 *
 * Not a public interface: clients use sim.h. The files split the world by
 * concern: world.c (config, nodes, run loop, timers, pauses), net.c
 * (messages, links, partitions), coordnode.c and runnernode.c (driving the
 * two cores and carrying out their effects), procs.c (simulated task
 * processes), storage.c (durable records), actions.c (scripted actions),
 * check.c (invariants), trace.c (records, history, JSONL, hash), faults.c
 * (random fault injector) and workload.c (random workload).
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <string.h>

#include "clock.h"
#include "heap.h"
#include "map.h"
#include "rng.h"
#include "sim.h"
#include "strpool.h"

/* ------------------------------------------------------------ events */

enum sim_evt {
	EVT_TIMER = 1,  /* a = node, b = timer generation */
	EVT_DELIVER,    /* a = message slot */
	EVT_PROC_EXIT,  /* a = node, b = process run token */
	EVT_ACTION,     /* a = action index */
	EVT_FAULT,      /* the random fault injector's next draw */
	EVT_FAULT_UNDO, /* a = index into the injector's undo list */
	EVT_WORKLOAD,   /* a = workload generator */
	EVT_START       /* a = node: the start its runner spec asked for (no action
			 * record: 100,000 runners would keep 70 MB of them) */
};

/* Independent PRNG streams of one run (rc_rng_split stream numbers). Node
 * streams are derived from the node's name, so adding a node does not shift
 * the draws of the others. */
enum {
	STREAM_TIES = 1,
	STREAM_FAULTS,
	STREAM_WORKLOAD,
	STREAM_STORAGE,
	STREAM_TOKENS
};

/* ----------------------------------------------------------- messages */

/* MSG_VOID: a failure scheduled for a held request that was answered in
 * time after all (see sim_net_request_held); skipped when its time comes. */
enum sim_msg_kind { MSG_REQUEST = 1, MSG_REPLY, MSG_FAIL, MSG_VOID };

struct sim_grant {
	uint64_t task_id;
	int attempt;
};

/* A reply as it travels: what a runner needs, without the pointers into the
 * coordinator that rc_reply borrows. */
struct sim_reply {
	int status;
	struct rc_error error;
	char runner_id[RC_RUNNER_ID_BUF];
	uint64_t session;
	bool reconnected;
	int heartbeat_interval_s;
	int n_grants;
	struct sim_grant *grants; /* malloc'd when n_grants > 0 */
	uint64_t task_id;
	uint64_t sandbox_id;
};

struct sim_msg {
	enum sim_msg_kind kind;
	int from, to;              /* node handles; -1 = the API client */
	uint32_t runner_inc;       /* the runner incarnation that sent the request */
	int64_t sent_at;           /* when the request was sent */
	int64_t timeout_at;        /* the runner gives up waiting then */
	bool client_gone;          /* the request outlived its timeout: reply is discarded */
	bool network_copy;         /* a duplicate the network made: its caller waits for one
	                              outcome, the original's, so the copy never fails for it */
	bool id_copied;            /* runner_id holds req.runner_id (see request_slot) */
	uint32_t link;             /* a request held at a paused coordinator: its pending
	                              timeout failure, and that failure: the request;
	                              SIM_MAP_NONE otherwise */
	int action;                /* API requests: the action handle, else -1 */
	int tag;                   /* workload API requests (sim_net_api_send_task) */
	enum rc_op op;
	uint64_t req_id;
	struct rc_msg req;         /* MSG_REQUEST */
	char runner_id[RC_RUNNER_ID_BUF]; /* copy of req.runner_id */
	char *text;                /* copy of req.text */
	struct sim_reply rep;      /* MSG_REPLY */
	const char *why;           /* MSG_FAIL: timeout, refused */
	uint32_t next_free;
};

/* Drop or delay the next n messages of op on a link. */
struct sim_link_rule {
	int from, to;
	enum rc_op op;   /* RC_OP_NONE: any */
	int remaining;
	int64_t delay_ms; /* 0: drop */
};

struct sim_partition {
	int handle;     /* the action handle that made it */
	uint8_t *in_set; /* per node */
	int n_nodes;
	enum sim_partition_dir dir;
};

/* ---------------------------------------------------------- processes */

struct sim_proc {
	uint64_t task_id;
	int attempt;
	bool alive;
	uint32_t token;        /* of the run whose exit is scheduled; 0 none */
	bool exit_clean;       /* how the scheduled exit ends */
	const char *exit_why;  /* clean, crash, signal */
	int64_t exit_at;       /* virtual time of the scheduled exit */
	bool ignore_term;
	/* backoff-schedule checker's model of the supervisor */
	int streak;            /* consecutive failed runs */
	int64_t start_local;   /* node clock at the last start */
	int64_t exit_local;    /* node clock at the last exit */
	int64_t exit_virtual;
	bool crashed;          /* the last exit was a failure outside a stop */
	bool stop_asked;       /* SIGTERM seen for this attempt */
	int64_t term_local;
};

/* -------------------------------------------------------------- nodes */

/* What the event loop reads of a node before it knows whether the node has
 * work to do, kept in a dense array of its own (w->timers, one per node)
 * rather than in struct sim_node: about one timer pop in two per heartbeat
 * cycle finds its timer not yet due and is re-armed, and in a big run each
 * such pop used to cost a cache miss on a node last seen 20 s earlier. */
struct sim_timer {
	int64_t at;       /* virtual time of the pending timer, INT64_MAX none */
	int64_t want_at;  /* when the core wants its tick; >= at (see rearm) */
	uint32_t gen;     /* bumped when a pending timer is superseded */
	bool paused;      /* state == SIM_NODE_PAUSED (sim_node_set_state keeps it) */
	const void *core; /* the node's core, only to prefetch it: may dangle */
};

/* What every event of a node reads comes first: a big run touches each of
 * tens of thousands of nodes once per heartbeat, and its cost there is
 * mostly cache misses (see struct rc_runner). */
struct sim_node {
	/* hot */
	enum sim_node_kind kind;
	enum sim_node_state state;
	uint32_t incarnation;   /* bumped at every start */
	struct rc_runner *runner; /* runner nodes */
	uint64_t id_key;
	uint32_t shadow;        /* index + 1 of its checker shadow once known, 0 before */
	struct sim_clock clock;
	struct rc_rng net_rng;  /* latency, loss... of messages this node sends */
	int64_t request_timeout_ms; /* rcfg's, kept here for every request sent */
	size_t n_held;
	bool block_out, block_in; /* partitions: node->coord / coord->node lost */
	bool stopping;          /* a graceful stop is under way */
	bool start_pending;     /* started while stopping: starts again once gone */
	char expected_id[RC_RUNNER_ID_BUF];

	char *name;
	uint64_t name_hash;
	int64_t disturbed_at;   /* last pause, resume or clock change (virtual) */
	int64_t restart_at;     /* pending restart of a crash, -1 none */
	/* events held while paused, re-issued at the instant it resumes */
	struct sim_ev *held;
	size_t cap_held;

	/* runner */
	struct rc_runner_config rcfg; /* owns its four strings; the secret is interned */
	const char *next_secret; /* interned, used from the next start on; NULL none */
	int64_t start_at_ms;
	struct sim_proc *procs;
	size_t n_procs, cap_procs;
	char saved_id[RC_RUNNER_ID_BUF]; /* RC_FX_STATE_SAVE: the durable state */
	uint64_t saved_session;

	/* coordinator */
	struct rc_coord *coord;
};

/* ------------------------------------------------------------ storage */

/* The coordinator's durable records. Writes (RC_FX_*_SAVED) are snapshots of
 * the record after the call; in lossy mode they wait in a log until the next
 * sync (before any reply leaves the coordinator, as a correct daemon would
 * fsync before answering), and a crash keeps only a random prefix of them. */
enum sim_store_kind { STORE_RUNNER = 0, STORE_TASK, STORE_SANDBOX };

struct sim_store_item {
	enum sim_store_kind kind;
	bool live;
	union {
		struct rc_runner_record runner;
		struct rc_task task;
		struct rc_sandbox *sandbox; /* owned: a sandbox record is twice the
					     * others, and runners are what a big run has */
	} u;
};

struct sim_store_table {
	struct sim_store_item *items; /* insertion order: restore order */
	size_t len, cap, dead;
	struct sim_map index;        /* key -> item */
};

struct sim_storage {
	struct sim_store_table tables[3];
	struct sim_store_item *log;  /* unsynced writes, oldest first (lossy mode) */
	size_t log_len, log_cap;
	struct rc_rng rng;
	char *secret;                /* the current secret (durable config) */
	uint64_t writes, lost;
};

/* ------------------------------------------------------- tasks, sandboxes */

struct sim_task {
	char *name;
	char *kind;
	char *payload;
	struct sim_task_spec spec; /* strings point to the fields above */
	uint64_t id;               /* coordinator's, 0 until submitted */
	int starts;                /* process starts so far, every runner */
};

struct sim_sandbox {
	char *name;
	uint64_t id;
};

/* ------------------------------------------------------------- actions */

enum sim_act {
	ACT_START = 0, ACT_STOP, ACT_CRASH, ACT_PAUSE, ACT_RESUME,
	ACT_PARTITION, ACT_HEAL, ACT_DROP_NEXT, ACT_DELAY_NEXT,
	ACT_CLOCK_SKEW, ACT_CLOCK_JUMP, ACT_CLOCK_DRIFT,
	ACT_SUBMIT, ACT_SANDBOX_CREATE, ACT_SANDBOX_DELETE, ACT_SANDBOX_REPORT,
	ACT_RAW, ACT_ROTATE_SECRET, ACT_EXPECT_LIVENESS,
	ACT_COUNT
};

/* A raw request's template, kept apart from struct sim_action: it is a
 * message and a dozen strings, and an explored seed has hundreds of other
 * actions that would each carry (and zero, copy and free) its room. */
struct sim_raw_action {
	struct sim_raw_request req; /* its strings point into strings[] */
	char *strings[12];          /* in the world's pool */
};

struct sim_action {
	enum sim_act kind;
	int node, node2;
	int64_t ms;          /* restart delay, offset, delta, delay */
	int32_t ppm;
	int n;
	enum rc_op op;
	int *nodes;
	size_t n_nodes;
	enum sim_partition_dir dir;
	char *s1, *s2, *s3;  /* names, words (in the world's pool) */
	bool flag;
	int task;            /* ACT_SUBMIT: index into tasks */
	enum rc_op api_op;   /* API actions: the request sent, for its reply's record */
	const char *api_label;
	struct sim_raw_action *raw; /* ACT_RAW only */
	struct sim_action_result result;
};

/* ------------------------------------------------------------- checker */

struct sim_shadow_runner {
	uint64_t key;
	char id[RC_RUNNER_ID_BUF];
	bool exists;
	int status;           /* as last observed */
	int64_t last_hb;      /* coordinator clock of the last accepted refresh */
	int64_t registered_at;
	uint64_t session;
};

struct sim_shadow_task {
	uint64_t id;
	int state;
	int attempt;
	char owner[RC_RUNNER_ID_BUF];
	bool acked_final;     /* an accepted completion made it final */
	bool confirmed;       /* the owner's report on this attempt was accepted */
	int64_t claimed_at;   /* coordinator time of the claim (or of a restart) */
	uint32_t active_pos;  /* index in the active list, SIM_MAP_NONE if final */
};

struct sim_shadow_sandbox {
	uint64_t id;
	int status;
	char bound[RC_RUNNER_ID_BUF];
};

/* The context a coordinator call ran in, for judging what it changed. */
enum chk_ctx { CTX_REQUEST = 0, CTX_TICK, CTX_RESTORE };

struct sim_checker {
	struct sim_shadow_runner *runners;
	size_t n_runners, cap_runners;
	struct sim_map runner_by_key;
	size_t existing;       /* shadow records that exist */
	/* By registry position: index + 1 of the shadow the scan found for the
	 * record there, a hint checked before use (positions move when the
	 * registry compacts). Saves a map lookup per record per tick. */
	uint32_t *shadow_at;
	size_t cap_shadow_at;
	struct sim_shadow_task *tasks;
	size_t n_tasks, cap_tasks;
	struct sim_map task_by_id;
	uint32_t *active;      /* non-final task indexes */
	size_t n_active, cap_active;
	struct sim_shadow_sandbox *sandboxes;
	size_t n_sandboxes, cap_sandboxes;
	struct sim_map sandbox_by_id;
	uint64_t *touched;     /* task ids touched by the current call */
	size_t n_touched, cap_touched;
};

/* --------------------------------------------------------------- trace */

struct sim_ring_entry {
	struct sim_event ev;
	char runner_id[RC_RUNNER_ID_BUF];
	char text[96];
	bool has_text, has_runner;
};

struct sim_trace {
	FILE *file;
	bool header_done;
	bool hashing;
	bool beyond_ring; /* records go to the hash, a file or an observer */
	uint64_t hash;
	sim_observer_fn observer;
	void *observer_ctx;
	struct sim_ring_entry *ring;
	size_t ring_len, ring_pos, ring_fill;
	struct sim_event scratch; /* sim_record's record when there is no ring */
};

/* ------------------------------------------------------ fault injector */

struct sim_undo {
	int64_t at_ms;
	enum sim_act kind;   /* what undoes it: heal, resume, start, drift off */
	int node;
	int partition;
	bool done;
};

struct sim_injector {
	struct rc_rng rng;
	bool net_degraded;
	struct sim_undo *undo;
	size_t n_undo, cap_undo;
	struct sim_map last_undo; /* (kind, node) -> index of its latest undo */
	int next_partition;  /* negative handles for injected partitions */
};

/* ------------------------------------------------------------ workload */

struct sim_workload_state {
	bool on;
	struct sim_workload wl;
	struct rc_rng rng;
	int64_t next_task_at;
	int64_t next_churn_at;
	int64_t end_at;       /* no new work after this (settle_ms before the end, or earlier) */
	int64_t faults_end_at; /* the faults stop here: quiet_ms before the end */
	uint64_t tasks;
	size_t max_unfinished; /* submissions wait while this many tasks are unfinished */
	size_t submitting;     /* submissions sent and not answered yet (held by a paused
	                          coordinator, say): unfinished work as well */
	int first_runner, n_runner_nodes;
	/* sandboxes in flight: (sandbox index, next status step) */
	struct { int sandbox; int task; int step; int64_t next_at; } *sbx;
	size_t n_sbx, cap_sbx;
};

/* --------------------------------------------------------------- world */

struct sim_world {
	struct sim_config cfg;
	char err[256];
	int64_t now;
	bool stopped;          /* a violation with collect_all off */
	struct sim_heap heap;
	struct rc_rng tie_rng;
	struct sim_stats stats;
	uint64_t pending_msgs, pending_actions, pending_procs;

	struct sim_node *nodes;
	struct sim_timer *timers; /* per node */
	size_t cap_timers;
	struct sim_map node_by_name; /* name hash -> node (collisions: linear search) */
	struct sim_map runner_by_id; /* runner ID key -> the first runner node with that ID */
	int n_nodes;
	size_t cap_nodes;
	int coord;             /* node handle, -1 before sim_add_coordinator */
	char *coord_secret;    /* interned current secret */

	struct sim_msg *msgs;
	uint32_t n_msgs, cap_msgs, free_msg;
	struct sim_link_rule *rules;
	size_t n_rules, cap_rules;
	struct sim_partition *parts;
	size_t n_parts, cap_parts;
	struct sim_net_config net; /* current rates (faults may raise them) */

	struct sim_task *tasks;
	size_t n_tasks, cap_tasks;
	struct sim_map task_by_id;
	struct sim_map task_by_name;
	struct sim_sandbox *sandboxes;
	size_t n_sandboxes, cap_sandboxes;
	struct sim_map sandbox_by_name;

	struct sim_action *actions;
	size_t n_actions, cap_actions;

	char **strings;        /* interned strings that messages may point to */
	size_t n_strings, cap_strings;
	/* Strings that live as long as the world: node names, runner
	 * properties, task names, kinds and payloads, the words of actions,
	 * the interned strings. */
	struct sim_strpool pool;

	struct sim_storage store;
	struct sim_checker chk;
	struct sim_trace trace;
	struct sim_injector inj;
	struct sim_workload_state work;

	struct rc_outbox ob;
	struct rc_reply reply;       /* the coordinator's last reply */
	struct rc_reply runner_reply; /* what a runner is handed */
	uint32_t proc_tokens;
	struct sim_violation *violations;
	size_t n_violations, cap_violations;
	int64_t current_action; /* action being applied, -1 */
};

/* ---------------------------------------------------------- world.c */

void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
/* Grow *items (of *cap elements of size) to hold at least need. */
void sim_grow(void **items, size_t *cap, size_t need, size_t size);
#define SIM_GROW(arr, cap, need) sim_grow((void **)&(arr), &(cap), (need), sizeof *(arr))
/* Keep s alive for the world's life; returns the copy. */
const char *sim_intern(struct sim_world *w, const char *s);
int sim_fail(struct sim_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t sim_hash_str(const char *s);
/* The index of the element called name in a table of n, whose i-th name is
 * name_at(table, i), found through index (name hash -> element; on equal
 * hashes one of them). -1 if none. A hash the index lacks means no element
 * has the name, so only a true collision scans the table: adding the n-th
 * element (which looks its name up first) stays O(1). */
int sim_find_named(const struct sim_map *index, const char *name, const void *table, size_t n,
		   const char *(*name_at)(const void *table, size_t i));

/* Push an event at at_ms (>= now). */
void sim_push(struct sim_world *w, int64_t at_ms, enum sim_evt type, uint32_t a, uint32_t b);
/* Re-arm the node's timer from its core's deadline. */
void sim_node_rearm(struct sim_world *w, int node);
/* Whether the world is too big for the cache, so prefetching what the coming
 * events will read pays; in an explored seed's few nodes everything is in
 * cache already and the work to find what to prefetch (a second search of
 * the calendar for the next event) made explore 9% slower. */
static inline bool sim_world_is_big(const struct sim_world *w) { return w->n_nodes >= 1024; }
/* Every change of a node's state goes through here (the timer keeps a copy). */
void sim_node_set_state(struct sim_world *w, int node, enum sim_node_state state);
/* The node's clock value for its core now (recorded: never goes back). */
int64_t sim_node_now(struct sim_world *w, int node);
/* A paused node goes away: its held deliveries and rotation are re-issued
 * now (they find it down), its held process exits forgotten. */
void sim_node_drop_held(struct sim_world *w, int node);
static inline struct sim_node *sim_node_at(struct sim_world *w, int node) { return &w->nodes[node]; }

/* ------------------------------------------------------------ net.c */

void sim_net_init(struct sim_world *w);
void sim_net_free(struct sim_world *w);
uint32_t sim_msg_alloc(struct sim_world *w);
void sim_msg_release(struct sim_world *w, uint32_t slot);
/* A runner core's RC_FX_SEND. */
void sim_net_runner_send(struct sim_world *w, int node, const struct rc_msg *m);
/* An API request from the scenario, delivered to the coordinator now; the
 * reply goes to the action's result. */
void sim_net_api_send(struct sim_world *w, int action, const struct rc_msg *m);
/* An API request of the workload: tag >= 0 is the task index of a
 * submission, <= -2 names sandbox -2 - tag being created, -1 nothing. */
void sim_net_api_send_task(struct sim_world *w, int tag, const struct rc_msg *m);
void sim_net_deliver(struct sim_world *w, uint32_t slot);
/* The coordinator is paused and holds the delivery of slot: a runner's
 * request still times out for its caller at its timeout (see net.c). */
void sim_net_request_held(struct sim_world *w, uint32_t slot);
void sim_net_partition(struct sim_world *w, int handle, const int *nodes, size_t n, enum sim_partition_dir dir);
void sim_net_heal(struct sim_world *w, int handle);
void sim_net_add_rule(struct sim_world *w, const struct sim_link_rule *rule);
/* Recompute each node's block flags from the partitions. */
void sim_net_recompute_blocks(struct sim_world *w);

/* ------------------------------------------------------ coordnode.c */

void sim_coord_start(struct sim_world *w);
void sim_coord_crash(struct sim_world *w);
void sim_coord_stop(struct sim_world *w);
void sim_coord_tick(struct sim_world *w);
/* Handle a request now; fills w->reply. Returns the status (0: down). */
int sim_coord_handle(struct sim_world *w, const struct rc_msg *msg, int from_node);

/* ----------------------------------------------------- runnernode.c */

void sim_runner_start(struct sim_world *w, int node);
void sim_runner_crash(struct sim_world *w, int node);
void sim_runner_drain(struct sim_world *w, int node);
void sim_runner_tick(struct sim_world *w, int node);
void sim_runner_on_reply(struct sim_world *w, int node, const struct sim_msg *m);
void sim_runner_on_exit(struct sim_world *w, int node, uint64_t task_id, int attempt, bool clean);
/* Carry out the effects a runner core call left in w->ob. */
void sim_runner_effects(struct sim_world *w, int node);

/* --------------------------------------------------------- procs.c */

void sim_proc_start(struct sim_world *w, int node, uint64_t task_id, int attempt);
void sim_proc_signal(struct sim_world *w, int node, uint64_t task_id, int attempt, int sig);
void sim_proc_exit_event(struct sim_world *w, int node, uint32_t token);
void sim_proc_kill_all(struct sim_world *w, int node);
/* Whether a process-exit event no longer matches a live process run. */
bool sim_proc_exit_stale(const struct sim_world *w, int node, uint32_t token);

/* ------------------------------------------------------- storage.c */

void sim_storage_init(struct sim_storage *s, uint64_t seed, const char *secret);
void sim_storage_free(struct sim_storage *s);
/* Persist the current state of a record (or its deletion when gone). */
void sim_storage_write_runner(struct sim_storage *s, const struct rc_coord *c, const char *id, bool lossy);
void sim_storage_write_task(struct sim_storage *s, const struct rc_coord *c, uint64_t id, bool lossy);
void sim_storage_write_sandbox(struct sim_storage *s, const struct rc_coord *c, uint64_t id, bool lossy);
void sim_storage_set_secret(struct sim_storage *s, const char *secret);
/* Make every pending write durable. */
void sim_storage_sync(struct sim_storage *s);
/* A crash: lossy keeps a random prefix of the pending writes. Returns the
 * number of writes lost. */
size_t sim_storage_crash(struct sim_storage *s, bool lossy);
/* Feed every durable record to a fresh coordinator. Returns how many it
 * accepted. */
size_t sim_storage_restore(const struct sim_storage *s, struct rc_coord *c);
size_t sim_storage_count(const struct sim_storage *s, enum sim_store_kind kind);
/* A durable runner record by ID, or NULL (tests). */
const struct rc_runner_record *sim_storage_find_runner(const struct sim_storage *s, const char *id);
const struct rc_task *sim_storage_find_task(const struct sim_storage *s, uint64_t id);
/* Copy at most an ID's length of src (NULL: "") and terminate. */
void sim_copy_id(char dst[RC_RUNNER_ID_BUF], const char *src);

/* ------------------------------------------------------- actions.c */

/* Apply an action now (scripted or injected). */
void sim_action_apply(struct sim_world *w, int index);
/* Start a node as a start action would (same trace record), for EVT_START. */
void sim_scheduled_start(struct sim_world *w, int node);
void sim_actions_free(struct sim_world *w);
/* An API action's reply is in (status): record what it created. */
void sim_action_replied(struct sim_world *w, int index, int status);
int sim_task_index(const struct sim_world *w, const char *name);
int sim_sandbox_index(const struct sim_world *w, const char *name);
/* Node life, shared by actions and the injector. */
void sim_node_start(struct sim_world *w, int node);
void sim_node_crash(struct sim_world *w, int node, int64_t restart_after_ms);
void sim_node_stop(struct sim_world *w, int node);
void sim_node_pause(struct sim_world *w, int node);
void sim_node_resume(struct sim_world *w, int node);
int sim_add_task(struct sim_world *w, const struct sim_task_spec *spec);
/* A new sandbox name (not yet created at the coordinator); returns its index. */
int sim_add_sandbox(struct sim_world *w, const char *name);

/* --------------------------------------------------------- check.c */

void sim_check_init(struct sim_checker *k);
void sim_check_free(struct sim_checker *k);
/* The expected ID of three properties (OpenSSL SHA-256, independent of the
 * core's identity.c). Returns 0, or -1 when a property is empty. */
int sim_expected_id(const char *hostname, const char *project_dir, const char *executor_type,
		    char out[RC_RUNNER_ID_BUF]);
/* After rc_coord_handle: judge what the request changed (w->ob holds the
 * effects, w->reply the reply). */
void sim_check_request(struct sim_world *w, int64_t now, const struct rc_msg *msg, int from_node);
/* After rc_coord_tick or a restore: judge the effects, then scan. */
void sim_check_tick(struct sim_world *w, int64_t now, enum chk_ctx ctx);
/* The coordinator restarted: the shadow follows the restored records. */
void sim_check_restored(struct sim_world *w, int64_t now);
void sim_check_proc_start(struct sim_world *w, int node, struct sim_proc *p, int64_t local);
void sim_check_proc_signal(struct sim_world *w, int node, struct sim_proc *p, int sig, int64_t local);
void sim_check_proc_exit(struct sim_world *w, int node, struct sim_proc *p, bool clean, int64_t local);
void sim_check_liveness(struct sim_world *w);
void sim_check_full(struct sim_world *w, int64_t now);

/* --------------------------------------------------------- trace.c */

void sim_trace_init(struct sim_world *w);
void sim_trace_free(struct sim_world *w);
void sim_trace_header(struct sim_world *w);
/* Start a blank record of kind at node (fields zero, handles -1) for the
 * caller to fill and hand to sim_emit before any other record starts.
 *
 * NULL when nobody listens (no trace file, hash, history ring or observer:
 * every explored seed): the record is then only counted, as zeroing and
 * filling 150 bytes for each of a seed's ~6,000 records was about 5% of its
 * time. Otherwise the record is made in place, in the history ring's next
 * entry when there is a ring: a record built on the stack and copied there
 * was read back before its stores had landed, and the copy stalled on store
 * forwarding (16% of the heartbeat storm's perf samples).
 *
 * sim_record and sim_emit are inline: a big run makes eleven records per
 * heartbeat, nearly all of them only kept in the ring, and the calls were
 * a tenth of the storm's instructions. What is rarer lives in trace.c. */
static inline struct sim_event *sim_record(struct sim_world *w, enum sim_ev_kind kind, int node)
{
	struct sim_trace *t = &w->trace;
	w->stats.records++;
	struct sim_event *ev;
	if (t->ring_len)
		ev = &t->ring[t->ring_pos].ev;
	else if (t->beyond_ring)
		ev = &t->scratch;
	else
		return NULL;
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->node = node;
	ev->peer = -1;
	return ev;
}

/* Copy what a ring entry's record points to that may not outlive it. */
void sim_ring_keep_strings(struct sim_ring_entry *e, const struct sim_event *ev);
/* The record to the hash, the file and the observer, with its nodes named
 * (the ring names them only when a violation prints it). */
void sim_emit_beyond_ring(struct sim_world *w, struct sim_event *ev);

/* Emit a record from sim_record, stamped with the current event and time
 * (sim_record counted it). */
static inline void sim_emit(struct sim_world *w, struct sim_event *ev)
{
	struct sim_trace *t = &w->trace;
	ev->seq = w->stats.events;
	ev->at_ms = w->now;
	if (t->ring_len) {
		struct sim_ring_entry *e = &t->ring[t->ring_pos];
		assert(ev == &e->ev && "a record is made in place by sim_record");
		if (ev->runner_id || ev->text || e->has_runner || e->has_text)
			sim_ring_keep_strings(e, ev);
		if (++t->ring_pos == t->ring_len) /* not %: a division per record showed in profiles */
			t->ring_pos = 0;
		if (t->ring_fill < t->ring_len)
			t->ring_fill++;
	}
	if (t->beyond_ring)
		sim_emit_beyond_ring(w, ev);
}

/* Records several modules make: a node's timer firing at its local time now;
 * a node's start, restart, crash, stop, pause or exit (with its incarnation
 * and an optional text); a core's log line. */
void sim_record_tick(struct sim_world *w, int node, int64_t now);
void sim_record_node(struct sim_world *w, int node, const char *what, const char *text);
void sim_record_log(struct sim_world *w, int node, const char *text);
/* Record a violation of inv; stops the run unless collect_all. */
void sim_violate(struct sim_world *w, enum sim_invariant inv, const char *nodes, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same for a message that names task `task` (a coordinator id) as
 * "task N": kept as the violation's task. */
void sim_violate_task(struct sim_world *w, enum sim_invariant inv, const char *nodes, uint64_t task,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sim_violations_free(struct sim_world *w);

/* -------------------------------------------------------- faults.c */

void sim_faults_init(struct sim_world *w);
void sim_faults_free(struct sim_world *w);
void sim_faults_event(struct sim_world *w);
void sim_faults_undo_event(struct sim_world *w, uint32_t index);
/* Let the workload set when faults stop (before any event ran). */
void sim_faults_set_until(struct sim_world *w, int64_t until_ms);

/* ------------------------------------------------------ workload.c */

void sim_workload_event(struct sim_world *w, uint32_t what, uint32_t arg);
/* Runner node left on its own (superseded, refused), not after a stop: the
 * workload starts it again later, as a service manager would. */
void sim_workload_runner_left(struct sim_world *w, int node);
void sim_workload_free(struct sim_world *w);

#endif
