/*
 * scn.h - the scenario language: a parsed scenario file as plain data.
 *
 * A scenario (scenarios/README.md is the user's reference) declares its
 * configuration, its runners, a timeline of actions at virtual times and
 * expectations about what the reference coordinator and runners do. The
 * parser turns a file into the structs below, or into a list of
 * `file:line:col: message` diagnostics, before anything runs; the executor
 * (scn_run.h) replays the AST in the simulator.
 *
 * Layering: scn_ code may use the core (names of ops and statuses) and the
 * simulator, never the reverse.
 *
 * Memory: a struct scn_scenario owns every string and array it points to;
 * scn_free() releases all of it.
 */
#ifndef SCN_H
#define SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "msg.h"
#include "outbox.h"
#include "strpool.h"

#define SCN_UNSET (-1) /* a config value the scenario did not give */
#define SCN_END_OF_RUN INT64_MAX

struct scn_pos {
	int line, col; /* 1-based */
};

/* --- declarations --------------------------------------------------------- */

/* Every number a scenario may configure; SCN_UNSET keeps the reference
 * default (DESIGN.md). Durations in ms. */
struct scn_config {
	int64_t stale_after_ms, remove_after_ms, sweep_interval_ms;
	int64_t task_timeout_ms, monitor_interval_ms, max_attempts;
	int64_t heartbeat_interval_ms; /* what the coordinator tells runners */
	int64_t secret_grace_ms;
	int64_t latency_min_ms, latency_max_ms; /* one-way, uniform per message */
	int64_t permute_ties;                   /* 1 on (default), 0 off */
	int64_t request_timeout_ms;
	int64_t restart_delay_ms, restart_max_delay_ms, max_restarts;
	int64_t stable_after_ms, stop_grace_ms;
	int64_t term_exit_ms;   /* how long a process takes to exit on SIGTERM */
	int64_t lossy_storage;  /* 1: a coordinator crash loses unsynced writes */
};
#define SCN_CONFIG_FIELDS (sizeof(struct scn_config) / sizeof(int64_t))
/* Every value SCN_UNSET: nothing configured. */
void scn_config_init(struct scn_config *c);

enum scn_name_kind { SCN_COORDINATOR, SCN_RUNNER, SCN_TASK, SCN_SANDBOX };
const char *scn_name_kind_word(enum scn_name_kind k); /* "runner", ... */

/* The coordinator is node 0, named "coordinator"; runners follow. */
struct scn_node {
	char *name;
	struct scn_pos pos;
	bool is_coordinator;
	/* runners only */
	char *hostname, *project_dir, *executor_type;
	char *token;  /* instance token: same token = same install */
	int64_t heartbeat_ms; /* SCN_UNSET: reference default; the coordinator's value wins */
	int concurrency;
};

struct scn_task {
	char *name;
	struct scn_pos pos;
	int64_t duration_ms;    /* a healthy run; SCN_FOREVER: never exits by itself */
	int crash_times;        /* the first N starts crash ... */
	int64_t crash_after_ms; /* ... after running this long (SCN_UNSET: default) */
	bool fails;             /* every full run exits non-zero */
	bool ignores_term;      /* SIGTERM is ignored: only SIGKILL ends it */
	char *kind;             /* NULL: the simulator's default */
};
#define SCN_FOREVER (-1)

struct scn_sandbox {
	char *name;
	struct scn_pos pos;
	int task; /* index in tasks whose runner it follows, -1 none */
};

/* --- the timeline ----------------------------------------------------------- */

enum scn_action_kind {
	SCN_ACT_START, SCN_ACT_STOP, SCN_ACT_CRASH, SCN_ACT_RESTART, SCN_ACT_PAUSE,
	SCN_ACT_RESUME,
	SCN_ACT_PARTITION, SCN_ACT_HEAL, SCN_ACT_HEAL_ALL,
	SCN_ACT_DROP, SCN_ACT_DELAY,
	SCN_ACT_SKEW_CLOCK, SCN_ACT_JUMP_CLOCK,
	SCN_ACT_SUBMIT,
	SCN_ACT_SANDBOX_CREATE, SCN_ACT_SANDBOX_DELETE, SCN_ACT_SANDBOX_REPORT,
	SCN_ACT_REGISTER, /* a hand-made registration, possibly broken on purpose */
	SCN_ACT_ROTATE_SECRET,
	SCN_ACT_CHECK_LIVENESS, /* "at T expect liveness": the simulator's liveness check */
	SCN_ACT_KIND_COUNT
};
const char *scn_action_word(enum scn_action_kind k);

/* Which parts of a hand-made registration to leave out or spoil. */
enum {
	SCN_REG_NO_HOSTNAME = 1 << 0,
	SCN_REG_NO_PROJECT_DIR = 1 << 1,
	SCN_REG_NO_EXECUTOR_TYPE = 1 << 2,
	SCN_REG_NO_SECRET = 1 << 3,
	SCN_REG_WRONG_SECRET = 1 << 4,
};

struct scn_action {
	enum scn_action_kind kind;
	struct scn_pos pos;
	char *text;       /* the line as written, for failure messages */
	int64_t at_ms;
	int node;         /* start..resume, skew/jump, the sender of a request */
	int from, to;     /* partition/heal/drop/delay: nodes; both ways unless one_way */
	bool one_way;
	enum rc_op op;    /* drop/delay: RC_OP_NONE means every op */
	int count;        /* drop/delay: the next N messages */
	int64_t amount_ms; /* delay: added latency; skew/jump: signed offset */
	int task;         /* submit */
	int sandbox;      /* create/delete/report; -1 for an unknown sandbox */
	int status_word;  /* report: enum rc_sandbox_status */
	char *container;  /* report, optional */
	bool no_runner_id; /* report without X-Runner-Id */
	unsigned reg_flags; /* register: SCN_REG_* */
	char *new_secret;  /* rotate */
	bool update_runners; /* rotate: runners use the new secret from their next start */
	int partition;     /* heal: index of the partition action it undoes */
	int expect_status; /* "and gets 409": the reply it must get; 0 none */
};

/* --- expectations ----------------------------------------------------------- */

/* A state: something true or false at an instant. */
enum scn_state_kind {
	SCN_ST_RUNNER_STATUS, /* value: enum rc_runner_status (REMOVED = no record) */
	SCN_ST_RUNNER_REGISTERED, /* a record exists */
	SCN_ST_NODE_PROCESS,  /* value: enum sim_node_state's order: down up paused crashed exited */
	SCN_ST_RUNNER_PHASE,  /* value: enum rc_runner_phase */
	SCN_ST_RUNNER_ID,     /* text: the ID the runner holds */
	SCN_ST_TASK_STATE,    /* value: enum rc_task_state */
	SCN_ST_TASK_OWNER,    /* other: runner owning the current attempt */
	SCN_ST_TASK_ATTEMPT,  /* value: attempt number */
	SCN_ST_SANDBOX_STATUS, /* value: enum rc_sandbox_status */
	SCN_ST_SANDBOX_BOUND, /* other: runner, -1 for unbound */
	SCN_ST_RUNNER_COUNT,  /* value: records in the registry */
};

struct scn_state {
	enum scn_state_kind kind;
	int subject;   /* node, task or sandbox index by kind; unused for counts */
	int value;
	int other;
	char *text;
	bool negated;  /* "is not" */
};

/* What a task's process can do, as the runner's supervisor drives it. */
enum scn_proc_event {
	SCN_PEV_STARTS = 0, SCN_PEV_EXITS, SCN_PEV_CRASHES, SCN_PEV_SIGTERM, SCN_PEV_SIGKILL,
	SCN_PEV_GIVES_UP, SCN_PEV_COUNT
};

/* An event: something that happens at an instant. */
enum scn_event_kind {
	SCN_EV_BECOMES, /* the state turns true (state.negated is false) */
	SCN_EV_REPLY,   /* node gets status [for op] */
	SCN_EV_SEND,    /* node sends op */
	SCN_EV_PROCESS, /* the process of task [on runner] does proc */
};

struct scn_event {
	enum scn_event_kind kind;
	struct scn_state state; /* BECOMES */
	int node;               /* REPLY/SEND: the node; PROCESS: runner or -1 any */
	int status;             /* REPLY */
	enum rc_op op;          /* REPLY/SEND; RC_OP_NONE any */
	int task;               /* PROCESS */
	enum scn_proc_event proc;
};

enum scn_expect_kind {
	SCN_EXP_AT,         /* at T expect STATE holds / EVENT happens at T */
	SCN_EXP_WINDOW,     /* expect EVENT between A and B */
	SCN_EXP_EVENTUALLY, /* [at T] expect eventually X within D */
	SCN_EXP_NEVER,      /* [at T] expect never X [between A and B] */
	SCN_EXP_COUNT,      /* expect EVENT exactly/at least/at most N times [between A and B] */
};

enum scn_count_cmp { SCN_EXACTLY, SCN_AT_LEAST, SCN_AT_MOST };

struct scn_expect {
	enum scn_expect_kind kind;
	struct scn_pos pos;
	char *text;      /* the statement as written, for failure messages */
	bool is_event;
	struct scn_state state;
	struct scn_event event;
	/* the stretch of virtual time it looks at: [from_ms, to_ms], to_ms may be
	 * SCN_END_OF_RUN; AT uses from_ms == to_ms (SCN_END_OF_RUN for "at end") */
	int64_t from_ms, to_ms;
	enum scn_count_cmp cmp;
	int count;
};

/* --- the scenario ------------------------------------------------------------- */

struct scn_scenario {
	char *path;
	char *name;  /* file name without directory and .scn */
	uint64_t seed_first, seed_last;
	bool has_seeds;   /* a `seeds` line */
	bool seed_pinned; /* `@seed N`: only that seed, whatever the command line says */
	int64_t end_ms;   /* how long the run lasts (virtual) */
	char *secret;     /* the shared secret at start */
	struct scn_config config;
	/* Where each value of config (by its index among the int64_t fields)
	 * and the secret were set, line 0 when they were not: a setting the
	 * simulator refuses is reported at its own line (scn_check_setup). */
	struct scn_pos config_pos[SCN_CONFIG_FIELDS];
	struct scn_pos secret_pos;

	struct scn_node *nodes;
	size_t n_nodes;
	struct scn_task *tasks;
	size_t n_tasks;
	struct scn_sandbox *sandboxes;
	size_t n_sandboxes;
	struct scn_action *actions; /* in time order (source order) */
	size_t n_actions;
	struct scn_expect *expects; /* in source order */
	size_t n_expects;
	struct sim_strpool strings; /* every string above is kept here */
};

/* Diagnostics: "file:line:col: message" lines, in source order. */
struct scn_diags {
	char **items;
	size_t len, cap;
};
void scn_diags_init(struct scn_diags *d);
void scn_diags_free(struct scn_diags *d);
/* Append msg (malloc'd; the list takes it). */
void scn_diags_push(struct scn_diags *d, char *msg);

/* Parse the text of a scenario. path names it in messages and gives its name.
 * Returns the scenario, or NULL when the text has errors (each one appended
 * to diags; parsing goes on after an error to report more, up to a limit).
 * The caller owns the result (scn_free). */
struct scn_scenario *scn_parse(const char *path, const char *text, struct scn_diags *diags);

/* Read and parse a file. Unreadable files give one diagnostic "path: reason". */
struct scn_scenario *scn_parse_file(const char *path, struct scn_diags *diags);
/* A whole file (not a directory), NUL-terminated, in malloc'd memory; its
 * length in *len. NULL with errno set when it cannot be read (rc_file_read,
 * no size cap: NUL bytes are the caller's to refuse). */
char *scn_read_file(const char *path, size_t *len);

void scn_free(struct scn_scenario *s);

/* Expectations of a parsed scenario that hold whatever the code does, as far
 * as the file alone shows (scn_warn.c): a `never` or an `at most` count that
 * looks at one instant only, or about a runner that never runs. Each is
 * appended to out as "file:line:col: warning: message"; nothing else changes
 * (the scenario runs and is judged as before). */
void scn_warnings(const struct scn_scenario *s, struct scn_diags *out);
/* Whether expectation e is about what only a runner that never runs could do
 * (its sends, replies, phase, processes; for its registry record, a task or
 * a sandbox it owns, found by its ID: nor any runner with its properties):
 * no `start`, `restart` or request of its own is in the file. Returns that
 * runner's index, -1 when e is about any runner and none ever runs, 0 when
 * e needs no runner or its runner runs; *by_id says it is found by its ID. */
int scn_expect_idle_runner(const struct scn_scenario *s, const struct scn_expect *e, bool *by_id);

/* Index of a name of the given kind, or -1. */
int scn_find_node(const struct scn_scenario *s, const char *name);
int scn_find_task(const struct scn_scenario *s, const char *name);
int scn_find_sandbox(const struct scn_scenario *s, const char *name);

/* The longest duration or instant anything takes: a year and a day. Beyond
 * it a run would not end in any useful time, and sums of times could
 * overflow; a value that long is a typo. */
#define SCN_DURATION_MAX_MS ((int64_t)366 * 86400000)
#define SCN_DURATION_MAX_TEXT "366d"

/* Durations: "90s", "2m30s", "1500ms", "0"; units chained largest first; a
 * bare number is ms. Returns 0 and sets *out_ms, -1 when malformed, or -2
 * when well formed but longer than SCN_DURATION_MAX_MS. */
int scn_parse_duration(const char *text, int64_t *out_ms);
/* Write a duration the way a scenario would ("2m30s", "1s500ms", "0s") into
 * buf (size n); returns buf. Negative values get a leading '-'. */
char *scn_format_duration(int64_t ms, char *buf, size_t n);

/* "1-100" or "7" -> [first, last]. Returns 0, or -1 when malformed/reversed. */
int scn_parse_seed_range(const char *text, uint64_t *first, uint64_t *last);

#endif
