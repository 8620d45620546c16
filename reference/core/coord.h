/*
 * coord.h - the reference coordinator as a pure state machine.
 *
 * It holds the runner registry, the task queue with its attempts, and the
 * sandboxes, and implements the semantics of DESIGN.md. It never reads a
 * clock: every call takes now_ms, the coordinator's own clock, which is also
 * the only clock liveness is judged on. Periodic work (the 30 s sweep, the
 * 10 s task monitor) runs from rc_coord_tick(); rc_coord_deadline() says when
 * the driver must call it next (the ngtcp2 pattern). Time handed to one
 * coordinator never goes backwards (asserted).
 *
 * Memory: runners, tasks and sandboxes live in tables grown by doubling, with
 * an open-addressing index on the runner ID, so a heartbeat is O(1) and does
 * not allocate. Iteration (sweep, listing) is in insertion order, which makes
 * every run independent of addresses.
 *
 * Records returned by the accessors are owned by the coordinator and valid
 * until its next mutating call.
 */
#ifndef RC_COORD_H
#define RC_COORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "outbox.h"

struct rc_coord_config {
	int64_t stale_after_ms;      /* 120000: age >= this marks stale at a sweep */
	int64_t remove_after_ms;     /* 600000: age >= this removes at a sweep */
	int64_t sweep_interval_ms;   /* 30000 */
	int64_t task_timeout_ms;     /* 60000: age > this fails running attempts */
	int64_t monitor_interval_ms; /* 10000 */
	int max_attempts;            /* 3: then the task fails */
	int heartbeat_interval_s;    /* 20: told to runners at registration */
	int default_max_concurrency; /* 1: when a runner does not say */
	int64_t secret_grace_ms;     /* 3600000: how long a rotated-out secret stays valid */
};

void rc_coord_config_defaults(struct rc_coord_config *cfg);

struct rc_runner_record {
	char id[RC_RUNNER_ID_BUF];
	uint64_t key;                 /* rc_identity_runner_key(id), kept by the coordinator */
	char *hostname;
	char *project_dir;
	char *executor_type;
	char *instance_token;
	enum rc_runner_status status; /* ONLINE or STALE; removed records are gone */
	int64_t registered_at_ms;
	int64_t last_heartbeat_ms;    /* coordinator receive time */
	uint64_t session;             /* current session; older ones get 409 */
	int max_concurrency;
	int running;                  /* attempts currently running on it */
};

struct rc_task {
	uint64_t id;
	char *kind;
	char *payload;
	char *result; /* NULL until completed or failed */
	enum rc_task_state state;
	int attempt;  /* current attempt number, 0 while never claimed */
	char runner_id[RC_RUNNER_ID_BUF]; /* owner of the current attempt, "" if none */
	int64_t submitted_at_ms;
	int64_t claimed_at_ms;
	int64_t finished_at_ms;
	/* The owner has reported on the current attempt (status or completion).
	 * A grant can be lost with its claim reply while the runner keeps
	 * heartbeating; an attempt still unconfirmed task_timeout_ms after its
	 * claim is failed by the monitor like one whose runner went silent. */
	bool confirmed;
};

struct rc_sandbox {
	uint64_t id;
	enum rc_sandbox_status status;
	char runner_id[RC_RUNNER_ID_BUF]; /* bound runner, "" while unbound */
	uint64_t task_id;                 /* 0: not tied to a task */
	char container_id[RC_MAX_CONTAINER_ID_LEN + 1];
	int64_t created_at_ms;
	int64_t updated_at_ms;
	bool deleted_by_api; /* DELETE seen: the record stays for the audit trail */
};

struct rc_coord;

/* Create a coordinator whose clock reads now_ms. secret must be non-empty and
 * is copied. Returns NULL on allocation failure, and on bad input: an empty or
 * over-long secret, or an unusable config (an interval or timeout <= 0,
 * remove_after_ms < stale_after_ms, max_attempts < 1, default_max_concurrency
 * outside 1..RC_MAX_CONCURRENCY). The caller frees it with rc_coord_free(). */
struct rc_coord *rc_coord_new(const struct rc_coord_config *cfg, const char *secret, int64_t now_ms);
/* Why rc_coord_new would refuse cfg (a static string), or NULL when it is a
 * configuration the coordinator can run on. For hosts that check a
 * configuration before starting one (the simulator, at scenario load). */
const char *rc_coord_config_problem(const struct rc_coord_config *cfg);
void rc_coord_free(struct rc_coord *c);
const struct rc_coord_config *rc_coord_config(const struct rc_coord *c);

/* Handle one request at now_ms: fills reply (status, fields, error) and
 * appends effects. Every refused request changes nothing but an
 * RC_FX_REJECTED effect. Returns reply->status. */
int rc_coord_handle(struct rc_coord *c, int64_t now_ms, const struct rc_msg *msg,
		    struct rc_reply *reply, struct rc_outbox *ob);

/* A hint for a host that knows a runner's request is on its way (key:
 * rc_identity_runner_key of its ID): ask the CPU now for the index line the
 * lookup will read, so the request waits on memory once instead of twice in
 * a registry too big for the cache. Reads and changes nothing. */
void rc_coord_prefetch_runner(const struct rc_coord *c, uint64_t key);

/* When the sweep or the monitor is next due (absolute ms, coordinator clock). */
int64_t rc_coord_deadline(const struct rc_coord *c);
/* Run whatever is due at now_ms (sweep, monitor, both, or nothing). */
void rc_coord_tick(struct rc_coord *c, int64_t now_ms, struct rc_outbox *ob);

/* Make new_secret the secret; the current one stays valid for
 * cfg->secret_grace_ms more. Returns 0, or -1 if new_secret is empty/too long. */
int rc_coord_rotate_secret(struct rc_coord *c, int64_t now_ms, const char *new_secret);

/* Optional, before restoring: size the tables for this many records of each
 * kind, so a restore allocates them once, at their size. Changes nothing
 * else; 0, or -1 on allocation failure (the tables still grow on demand). */
int rc_coord_restore_reserve(struct rc_coord *c, size_t runners, size_t tasks, size_t sandboxes);

/* Restore after a restart: the driver feeds back every persisted record,
 * tasks before sandboxes (a sandbox whose task is not there is refused),
 * then calls rc_coord_restore_done(), which gives every runner a full grace
 * period (status online, last heartbeat = now_ms) and restarts the periodic
 * timers from now_ms. Return 0, or -1 on a malformed record (nothing is
 * added). */
int rc_coord_restore_runner(struct rc_coord *c, const struct rc_runner_record *r);
int rc_coord_restore_task(struct rc_coord *c, const struct rc_task *t);
int rc_coord_restore_sandbox(struct rc_coord *c, const struct rc_sandbox *s);
/* Why the last rc_coord_restore_* call refused its record: the member it
 * refused, named as in the record's struct (coordd's columns have the same
 * names), and why ("is past max_attempts"); both NULL after a call that
 * succeeded or ran out of memory. Times must be instants the runners list
 * can write (RFC 3339, years 0000..9999). */
struct rc_restore_refusal {
	const char *field;
	const char *why;
};
struct rc_restore_refusal rc_coord_restore_refusal(const struct rc_coord *c);
/* A session issued before the restart, whether or not its record is still
 * there (the highest one the driver kept is enough): new sessions start above
 * it, so one removed while the clock stood later is never issued again.
 * Return 0, or -1 outside 1..2^63-1. */
int rc_coord_restore_session(struct rc_coord *c, uint64_t session);
void rc_coord_restore_done(struct rc_coord *c, int64_t now_ms, struct rc_outbox *ob);

/* Read access. Runners are walked in insertion order (stable, address
 * independent) from a position: start with *pos = 0; each call returns the
 * next runner and moves *pos past it, NULL at the end. A position is an
 * index into a table that may hold removed runners' slots (see registry.c),
 * so it counts slots, not runners, and holds until the next call that
 * changes the registry. */
size_t rc_coord_runner_count(const struct rc_coord *c);
const struct rc_runner_record *rc_coord_runner_next(const struct rc_coord *c, size_t *pos);
const struct rc_runner_record *rc_coord_find_runner(const struct rc_coord *c, const char *id);
/* The same by the ID's key (rc_identity_runner_key), for drivers that hold it. */
const struct rc_runner_record *rc_coord_find_runner_key(const struct rc_coord *c, uint64_t key);
size_t rc_coord_task_count(const struct rc_coord *c);
const struct rc_task *rc_coord_task_at(const struct rc_coord *c, size_t i);
const struct rc_task *rc_coord_find_task(const struct rc_coord *c, uint64_t id);
size_t rc_coord_sandbox_count(const struct rc_coord *c);
const struct rc_sandbox *rc_coord_sandbox_at(const struct rc_coord *c, size_t i);
const struct rc_sandbox *rc_coord_find_sandbox(const struct rc_coord *c, uint64_t id);

/* Whether a sandbox status move is legal (DESIGN.md); from == to is legal. */
bool rc_sandbox_transition_ok(enum rc_sandbox_status from, enum rc_sandbox_status to);

#endif
