/*
 * coord_internal.h - the inside of the reference coordinator, shared by its files.
 *
 * coord.c dispatches requests and runs the timers; registry.c owns the runner
 * table, tasks.c the queue and attempts, sandboxes.c the sandbox records,
 * secret.c the shared secret. They meet here so each file stays about one
 * thing while all of them see one struct rc_coord. Not a public header: only
 * reference/core/coord*.c, registry.c, tasks.c, sandboxes.c and secret.c use it.
 *
 * Conventions inside: a request handler (rc_coord_op_*) validates everything
 * first and mutates only once it knows it will answer < 400, so a refused
 * request changes nothing; the dispatcher adds the RC_FX_REJECTED effect. The
 * time of the current call is c->now_ms (set by the entry point).
 */
#ifndef RC_COORD_INTERNAL_H
#define RC_COORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coord.h"

/* Grow *items (elements of elem_size bytes, capacity *cap) so that it holds at
 * least `need` elements, doubling from 16. Returns 0, or -1 on allocation
 * failure with *items and *cap untouched. */
int rc_coord_grow(void **items, size_t *cap, size_t need, size_t elem_size);
/* Room for exactly need items (no rounding up); 0, or -1 (nothing changed). */
int rc_coord_grow_exact(void **items, size_t *cap, size_t need, size_t elem_size);
/* Copy of s (NULL taken as ""), or NULL on allocation failure; caller frees. */
char *rc_coord_strdup(const char *s);
/* Copies of src[0 .. n-1] (NULL taken as "") end to end in one block, each
 * after the one before's NUL; copies[i] points at src[i]'s copy. Returns the
 * block (copies[0]; freeing it frees all), or NULL on allocation failure
 * with copies untouched. One allocation for strings that live and die
 * together: records are stored at every registration or submission and again
 * for every record restored at each coordinator start. */
char *rc_coord_strdup_packed(const char *const *src, size_t n, char **copies);

/* --- secret.c: the shared secret, current and rotated-out ---------------- */

/* The secrets and their lengths (a check compares equal lengths only). */
struct rc_secrets {
	char current[RC_MAX_SECRET_LEN + 1];
	size_t current_len;
	char previous[RC_MAX_SECRET_LEN + 1];
	size_t previous_len; /* 0 while there is none */
	bool has_previous;
	int64_t previous_until_ms; /* previous accepted while now < this */
};

/* Set the first secret. Returns 0, or -1 if it is NULL, empty or too long. */
int rc_secrets_init(struct rc_secrets *s, const char *secret);
/* Whether presented (NULL: header absent) is a valid secret at now_ms. */
bool rc_secrets_check(const struct rc_secrets *s, const char *presented, int64_t now_ms);
/* Overwrite the stored secrets with zeros (before the memory is freed). */
void rc_secrets_wipe(struct rc_secrets *s);

/* --- registry.c: the runner table and its index on the ID ---------------- */

/* Runners in insertion order. A removed runner is marked RC_RUNNER_REMOVED
 * (a tombstone, invisible to lookups and skipped by every walk) until
 * rc_registry_compact() closes the gaps, which it does once tombstones are
 * half the table: closing them at every removal copied the whole table and
 * rebuilt its index, O(runners) per deregistration (37 % of a simulated
 * 100,000-runner fleet's time). The index is open addressing (linear
 * probing) over the ID's key (rc_identity_runner_key), holding positions in
 * `runners`, -1 for an empty slot. */
struct rc_registry {
	struct rc_runner_record *runners;
	size_t len, cap;
	size_t tombstones;
	int32_t *index;
	size_t index_cap; /* power of two, twice cap */
};

void rc_registry_free(struct rc_registry *reg);
/* Room for count records in all (never shrinks); 0, or -1 on allocation failure. */
int rc_registry_reserve_exact(struct rc_registry *reg, size_t count);
/* The live record with this ID, or NULL (also for NULL/ill-shaped ids). */
struct rc_runner_record *rc_registry_find(const struct rc_registry *reg, const char *id);
/* The live record whose ID has this key (0: none), or NULL. */
struct rc_runner_record *rc_registry_find_key(const struct rc_registry *reg, uint64_t key);
/* Append a copy of *r (taking ownership of its strings; its key is set from
 * its ID). Returns the stored record, or NULL on allocation failure (nothing
 * changed, strings not taken). */
struct rc_runner_record *rc_registry_insert(struct rc_registry *reg, const struct rc_runner_record *r);
/* Once tombstones are half the table or more: drop them, keep the order of
 * the rest, rebuild the index (amortised O(1) per removal). */
void rc_registry_compact(struct rc_registry *reg);

/* --- tasks.c --------------------------------------------------------------- */

/* Tasks and sandboxes are kept sorted by id (new ids are always the largest,
 * restored records are put in place), so lookups are binary searches and
 * insertion order equals id order. Every record type starts with its id. */
struct rc_id_table {
	void *items;
	size_t len, cap;
	size_t elem_size;
};
void *rc_id_table_find(const struct rc_id_table *t, uint64_t id);
/* A zeroed slot at id's sorted place, or NULL on allocation failure. The
 * caller must fill it (at least the id) before any other table call. */
void *rc_id_table_insert(struct rc_id_table *t, uint64_t id);
void *rc_id_table_at(const struct rc_id_table *t, size_t i);

/* An ordered list of ids (running tasks, sandboxes tied to a task). */
struct rc_id_list {
	uint64_t *ids;
	size_t len, cap;
};
/* Room for `extra` more ids, so later pushes cannot fail. 0 or -1. */
int rc_id_list_reserve(struct rc_id_list *l, size_t extra);
/* Append id. Returns 0, or -1 on allocation failure (list unchanged). */
int rc_id_list_push(struct rc_id_list *l, uint64_t id);
/* Remove the first occurrence of id, keeping the order; no-op if absent. */
void rc_id_list_remove(struct rc_id_list *l, uint64_t id);

/* The FIFO of queued task ids: a ring buffer grown by doubling. */
struct rc_id_ring {
	uint64_t *ids;
	size_t head, len, cap;
};

void rc_coord_tasks_free(struct rc_coord *c);
/* Fail the running attempt of task t (owner silent, gone or superseded):
 * requeue it at the back, or fail the task when its attempts are used up. */
void rc_coord_fail_attempt(struct rc_coord *c, struct rc_task *t, struct rc_outbox *ob);
/* Fail every running attempt owned by runner_id (removal, new session). */
void rc_coord_fail_attempts_of(struct rc_coord *c, const char *runner_id, struct rc_outbox *ob);
/* The task monitor: fail attempts whose owner is silent beyond the timeout,
 * or that their owner has not confirmed within the timeout of the claim. */
void rc_coord_monitor(struct rc_coord *c, struct rc_outbox *ob);
/* Recount every runner's running attempts from the running list (restore). */
void rc_coord_recount_running(struct rc_coord *c);
/* After a restart, unconfirmed attempts get a full timeout from now, as
 * runners get a full grace period: their owners may be retrying the report
 * that confirms them while the coordinator was down. */
void rc_coord_grace_unconfirmed(struct rc_coord *c);

/* --- sandboxes.c ----------------------------------------------------------- */

void rc_coord_sandboxes_free(struct rc_coord *c);
/* The task's new attempt belongs to runner_id: sandboxes that follow the task
 * are bound to it (the old runner's late reports then get 403). */
void rc_coord_bind_task_sandboxes(struct rc_coord *c, const struct rc_task *t, struct rc_outbox *ob);

/* --- the coordinator -------------------------------------------------------- */

/* The sandboxes created for one task, in creation (or restore) order: a new
 * attempt rebinds them without looking at any other sandbox, so starting an
 * attempt stays O(its sandboxes) however many sandboxes a long run made. */
struct rc_task_sandboxes {
	uint64_t task_id; /* first: the rc_id_table key */
	struct rc_id_list ids;
};

struct rc_coord {
	struct rc_coord_config cfg;
	int64_t now_ms; /* the latest time handed in; never goes backwards */
	int64_t next_sweep_ms;
	int64_t next_monitor_ms;
	struct rc_secrets secrets;
	struct rc_registry registry;
	uint64_t last_session; /* highest session issued or restored (rc_coord_new_session) */

	struct rc_id_table tasks; /* struct rc_task */
	uint64_t next_task_id;
	struct rc_id_ring queue;    /* queued task ids, FIFO */
	struct rc_id_list running;  /* running task ids, in claim order */

	struct rc_id_table sandboxes; /* struct rc_sandbox */
	uint64_t next_sandbox_id;
	struct rc_id_table task_sandboxes; /* struct rc_task_sandboxes, by task id */

	/* Reused to derive runner IDs (registration, restore); NULL until the
	 * first. See rc_identity_runner_id_ctx. */
	struct evp_md_ctx_st *id_ctx;

	struct rc_restore_refusal refusal; /* of the last restore call */
};

/* Request handlers: return the reply status; on >= 400 reply->error is set
 * and nothing was changed. Secrets are checked by the dispatcher. */
int rc_coord_op_register(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			 struct rc_outbox *ob);
int rc_coord_op_heartbeat(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			  struct rc_outbox *ob);
int rc_coord_op_deregister(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			   struct rc_outbox *ob);
int rc_coord_op_claim(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
		      struct rc_outbox *ob);
int rc_coord_op_task_status(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			    struct rc_outbox *ob);
int rc_coord_op_task_complete(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			      struct rc_outbox *ob);
int rc_coord_op_task_submit(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			    struct rc_outbox *ob);
int rc_coord_op_task_get(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply);
int rc_coord_op_sandbox_create(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob);
int rc_coord_op_sandbox_get(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply);
int rc_coord_op_sandbox_delete(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob);
int rc_coord_op_sandbox_report(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob);

/* The heartbeat/claim gate: the runner msg->runner_id names, if its session
 * matches. Returns the record, or NULL with *status and reply->error set
 * (404 unknown_runner, 409 stale_session). */
struct rc_runner_record *rc_coord_session_runner(struct rc_coord *c, const struct rc_msg *msg,
						 struct rc_reply *reply, int *status);
/* A session number for a registration: above every number issued or restored
 * so far and at least the coordinator's clock in ms. Never reused for one ID,
 * even when its record is removed and created again: a removed original still
 * holding "session 1" must not match a clone's new record (found by the
 * simulator). A restore raises the floor to the highest session the driver
 * stored, records removed before the restart included
 * (rc_coord_restore_session); the clock part covers a driver that kept none. */
uint64_t rc_coord_new_session(struct rc_coord *c);

/* The runner was heard from now: online, last_heartbeat = now (stale ->
 * online is reported). The record is saved only when its status moved or the
 * caller changed a stored field (`changed`): a heartbeat alone is not
 * persisted, because a restart gives every runner a fresh heartbeat time
 * anyway (rc_coord_restore_done), so saving one would cost a durable write
 * (an fsync in the daemon) per heartbeat and buy nothing. */
void rc_coord_mark_alive(struct rc_coord *c, struct rc_runner_record *r, bool changed, struct rc_outbox *ob);
/* The sweep: stale marking and removal by heartbeat age. */
void rc_coord_sweep(struct rc_coord *c, struct rc_outbox *ob);

/* An id or session the wire can carry (1..RC_MAX_ID). */
static inline bool rc_coord_id_ok(uint64_t id)
{
	return id >= 1 && id <= RC_MAX_ID;
}
/* 503 ids_exhausted: the next id of what would not fit on the wire. Only a
 * restored record near RC_MAX_ID gets there, and refusing the create keeps
 * every id the core hands out encodable. */
int rc_coord_ids_exhausted(struct rc_error *err, const char *what);

/* 422 field_too_long naming field when s is longer than max; 0 when it fits
 * (NULL fits). */
int rc_coord_check_length(struct rc_error *err, const char *field, const char *s, size_t max);

/* Restore checks (coord.c): forget the last refusal (at the start of each
 * restore call); note one and return -1. */
void rc_coord_restore_begin(struct rc_coord *c);
int rc_coord_restore_refuse(struct rc_coord *c, const char *field, const char *why);
/* -1 (refusal noted) for the first of n record times (named in names) that
 * is not an instant the runners list can write, else 0. */
int rc_coord_restore_check_times(struct rc_coord *c, const char *const names[], const int64_t times[], size_t n);
#define RC_RESTORE_WHY_ID "is outside 1..2^63-1"
#define RC_RESTORE_WHY_TWICE "is restored twice"

/* Effects stamped with c->now_ms. */
void rc_coord_fx_runner_saved(struct rc_coord *c, const struct rc_runner_record *r, struct rc_outbox *ob);
void rc_coord_fx_runner_status(struct rc_coord *c, const char *runner_id, enum rc_runner_status from,
			       enum rc_runner_status to, struct rc_outbox *ob);
/* RC_FX_TASK_STATE from -> t->state for the attempt of runner_id, then
 * RC_FX_TASK_SAVED. */
void rc_coord_fx_task_moved(struct rc_coord *c, const struct rc_task *t, enum rc_task_state from,
			    const char *runner_id, struct rc_outbox *ob);
void rc_coord_fx_task_saved(struct rc_coord *c, const struct rc_task *t, struct rc_outbox *ob);
void rc_coord_fx_sandbox_saved(struct rc_coord *c, const struct rc_sandbox *s, struct rc_outbox *ob);

#endif
