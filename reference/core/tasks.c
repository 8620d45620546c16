/*
 * tasks.c - the task queue, claims and attempts, completion and the monitor.
 *
 * A task is queued, then each claim opens a numbered attempt owned by one
 * runner. Only the owner of the current attempt may report on it; a silent,
 * removed or superseded owner loses the attempt (requeue at the back, or the
 * task fails once max_attempts are used). The monitor walks only the list of
 * running tasks, never every task ever submitted, so long simulations that
 * submit many tasks keep a cheap tick. The queue's capacity is kept at least
 * the number of tasks, so a requeue (inside a tick) never allocates.
 */
#include "coord_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

static_assert(offsetof(struct rc_task, id) == 0, "rc_id_table needs the id first");

/* The result of a task failed by the monitor: static, so failing an attempt
 * inside a tick cannot run out of memory. Never freed (see task_free_result). */
static const char attempts_exhausted[] = "attempts exhausted";

static void task_free_result(struct rc_task *t)
{
	if (t->result != attempts_exhausted)
		free(t->result);
	t->result = NULL;
}

static void task_free_strings(struct rc_task *t)
{
	free(t->kind); /* payload too: see copy_kind_payload */
	task_free_result(t);
	t->kind = t->payload = NULL;
}

static struct rc_task *find_task(const struct rc_coord *c, uint64_t id)
{
	return rc_id_table_find(&c->tasks, id);
}

/* --- the queue ---------------------------------------------------------------- */

/* Room for `need` queued ids; the ring is unrolled into the new array. */
static int queue_reserve(struct rc_id_ring *q, size_t need)
{
	if (need <= q->cap)
		return 0;
	size_t cap = q->cap ? q->cap : 16;
	while (cap < need)
		cap *= 2;
	uint64_t *ids = malloc(cap * sizeof *ids);
	if (!ids)
		return -1;
	for (size_t i = 0; i < q->len; i++)
		ids[i] = q->ids[(q->head + i) % q->cap];
	free(q->ids);
	q->ids = ids;
	q->head = 0;
	q->cap = cap;
	return 0;
}

static void queue_push(struct rc_id_ring *q, uint64_t id)
{
	assert(q->len < q->cap && "the queue is reserved for every task");
	q->ids[(q->head + q->len++) % q->cap] = id;
}

static uint64_t queue_pop(struct rc_id_ring *q)
{
	assert(q->len > 0);
	uint64_t id = q->ids[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return id;
}

/* --- attempts ------------------------------------------------------------------ */

/* The running attempt of t ends: off the running list, off its owner's count. */
static void end_attempt(struct rc_coord *c, struct rc_task *t)
{
	rc_id_list_remove(&c->running, t->id);
	struct rc_runner_record *owner = rc_registry_find(&c->registry, t->runner_id);
	if (owner && owner->running > 0)
		owner->running--;
}

void rc_coord_fail_attempt(struct rc_coord *c, struct rc_task *t, struct rc_outbox *ob)
{
	assert(t->state == RC_TASK_RUNNING);
	char owner[RC_RUNNER_ID_BUF];
	memcpy(owner, t->runner_id, sizeof owner);
	end_attempt(c, t);
	/* No owner any more: a late report or completion of this attempt gets 403. */
	t->runner_id[0] = '\0';
	if (t->attempt < c->cfg.max_attempts) {
		t->state = RC_TASK_QUEUED;
		queue_push(&c->queue, t->id);
	} else {
		t->state = RC_TASK_FAILED;
		task_free_result(t);
		t->result = (char *)attempts_exhausted;
		t->finished_at_ms = c->now_ms;
	}
	rc_coord_fx_task_moved(c, t, RC_TASK_RUNNING, owner, ob);
}

/* Fail the running attempts for which fails(c, task, ctx) holds, in claim order. */
static void fail_running_where(struct rc_coord *c, bool (*fails)(const struct rc_coord *, const struct rc_task *, const void *),
			       const void *ctx, struct rc_outbox *ob)
{
	for (size_t i = 0; i < c->running.len;) {
		struct rc_task *t = find_task(c, c->running.ids[i]);
		assert(t && t->state == RC_TASK_RUNNING);
		if (fails(c, t, ctx))
			rc_coord_fail_attempt(c, t, ob); /* removes running.ids[i] */
		else
			i++;
	}
}

static bool owned_by(const struct rc_coord *c, const struct rc_task *t, const void *runner_id)
{
	(void)c;
	return strcmp(t->runner_id, runner_id) == 0;
}

void rc_coord_fail_attempts_of(struct rc_coord *c, const char *runner_id, struct rc_outbox *ob)
{
	char id[RC_RUNNER_ID_BUF];
	memcpy(id, runner_id, sizeof id); /* runner_id may point into a record we change */
	fail_running_where(c, owned_by, id, ob);
}

/* The owner is gone, or its last heartbeat is more than task_timeout_ms old,
 * or it never confirmed the attempt within task_timeout_ms of the claim (the
 * claim reply carrying the grant was lost: the runner does not know it owns
 * the task, and its heartbeats alone would keep the task forever). */
static bool attempt_abandoned(const struct rc_coord *c, const struct rc_task *t, const void *unused)
{
	(void)unused;
	const struct rc_runner_record *owner = rc_registry_find(&c->registry, t->runner_id);
	if (!owner || c->now_ms - owner->last_heartbeat_ms > c->cfg.task_timeout_ms)
		return true;
	return !t->confirmed && c->now_ms - t->claimed_at_ms > c->cfg.task_timeout_ms;
}

void rc_coord_monitor(struct rc_coord *c, struct rc_outbox *ob)
{
	fail_running_where(c, attempt_abandoned, NULL, ob);
}

void rc_coord_grace_unconfirmed(struct rc_coord *c)
{
	for (size_t i = 0; i < c->running.len; i++) {
		struct rc_task *t = find_task(c, c->running.ids[i]);
		if (!t->confirmed)
			t->claimed_at_ms = c->now_ms;
	}
}

void rc_coord_recount_running(struct rc_coord *c)
{
	for (size_t i = 0; i < c->registry.len; i++)
		c->registry.runners[i].running = 0;
	for (size_t i = 0; i < c->running.len; i++) {
		const struct rc_task *t = find_task(c, c->running.ids[i]);
		struct rc_runner_record *owner = rc_registry_find(&c->registry, t->runner_id);
		if (owner)
			owner->running++;
	}
}

/* --- submit and get ---------------------------------------------------------------- */

static int check_task_fields(const struct rc_msg *msg, struct rc_error *err)
{
	if (!msg->kind || !msg->kind[0]) {
		rc_error_set(err, RC_STATUS_UNPROCESSABLE, "missing_fields", "missing required fields: kind");
		rc_error_add_field(err, "kind");
		return RC_STATUS_UNPROCESSABLE;
	}
	int status = rc_coord_check_length(err, "kind", msg->kind, RC_MAX_TASK_KIND_LEN);
	return status ? status : rc_coord_check_length(err, "payload", msg->payload, RC_MAX_PAYLOAD_LEN);
}

/* Copies of kind and payload (NULL -> "") in one block, payload right after
 * kind's NUL; freeing kind frees both. NULL on allocation failure. */
static char *copy_kind_payload(const char *kind, const char *payload, char **payload_copy)
{
	const char *src[2] = { kind, payload };
	char *copies[2];
	char *block = rc_coord_strdup_packed(src, 2, copies);
	if (block)
		*payload_copy = copies[1];
	return block;
}

/* Store a new task record with copies of kind and payload and room reserved
 * in the queue. Returns it, or NULL (nothing changed). */
static struct rc_task *store_task(struct rc_coord *c, uint64_t id, const char *kind, const char *payload)
{
	char *payload_copy = NULL;
	char *kind_copy = copy_kind_payload(kind, payload, &payload_copy);
	struct rc_task *t = NULL;
	if (kind_copy && queue_reserve(&c->queue, c->tasks.len + 1) == 0)
		t = rc_id_table_insert(&c->tasks, id);
	if (!t) {
		free(kind_copy);
		return NULL;
	}
	t->kind = kind_copy;
	t->payload = payload_copy;
	if (id >= c->next_task_id)
		c->next_task_id = id + 1;
	return t;
}

int rc_coord_op_task_submit(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			    struct rc_outbox *ob)
{
	int status = check_task_fields(msg, &reply->error);
	if (status)
		return status;
	if (c->next_task_id > RC_MAX_ID)
		return rc_coord_ids_exhausted(&reply->error, "task");
	struct rc_task *t = store_task(c, c->next_task_id, msg->kind, msg->payload);
	if (!t)
		return rc_error_set(&reply->error, RC_STATUS_INTERNAL, "internal", "out of memory");
	t->state = RC_TASK_QUEUED;
	t->submitted_at_ms = c->now_ms;
	queue_push(&c->queue, t->id);
	rc_coord_fx_task_saved(c, t, ob);
	reply->task_id = t->id;
	reply->task = t;
	return RC_STATUS_CREATED;
}

static int unknown_task(struct rc_reply *reply, uint64_t id)
{
	return rc_error_set(&reply->error, RC_STATUS_NOT_FOUND, "unknown_task", "no task %" PRIu64, id);
}

int rc_coord_op_task_get(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply)
{
	const struct rc_task *t = find_task(c, msg->task_id);
	if (!t)
		return unknown_task(reply, msg->task_id);
	reply->task_id = t->id;
	reply->task = t;
	return RC_STATUS_OK;
}

/* --- claim ------------------------------------------------------------------------ */

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

static void grant(struct rc_coord *c, struct rc_runner_record *r, struct rc_task *t, struct rc_outbox *ob)
{
	assert(t->state == RC_TASK_QUEUED);
	t->attempt++;
	t->state = RC_TASK_RUNNING;
	memcpy(t->runner_id, r->id, RC_RUNNER_ID_BUF);
	t->claimed_at_ms = c->now_ms;
	t->confirmed = false;
	int pushed = rc_id_list_push(&c->running, t->id);
	assert(pushed == 0 && "reserved by the claim");
	(void)pushed;
	r->running++;
	rc_coord_fx_task_moved(c, t, RC_TASK_QUEUED, r->id, ob);
	rc_coord_bind_task_sandboxes(c, t, ob);
}

/* A claim is not a heartbeat, and a stale runner is answered 200 with no
 * grant: nothing is assigned to a runner the sweep found silent. */
int rc_coord_op_claim(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
		      struct rc_outbox *ob)
{
	int status;
	struct rc_runner_record *r = rc_coord_session_runner(c, msg, reply, &status);
	if (!r)
		return status;
	memcpy(reply->runner_id, r->id, RC_RUNNER_ID_BUF);
	reply->session = r->session;
	if (r->status != RC_RUNNER_ONLINE)
		return RC_STATUS_OK;
	int wanted = msg->max <= 0 ? 1 : msg->max;
	int n = min_int(min_int(wanted, r->max_concurrency - r->running), RC_MAX_GRANTS);
	if (n > 0 && (size_t)n > c->queue.len)
		n = (int)c->queue.len;
	if (n <= 0)
		return RC_STATUS_OK;
	if (rc_id_list_reserve(&c->running, (size_t)n) != 0)
		return rc_error_set(&reply->error, RC_STATUS_INTERNAL, "internal", "out of memory");
	for (int i = 0; i < n; i++) {
		struct rc_task *t = find_task(c, queue_pop(&c->queue));
		grant(c, r, t, ob);
		reply->grants[i] = (struct rc_grant){ t->id, t->attempt, t->kind, t->payload };
	}
	reply->n_grants = n;
	return RC_STATUS_OK;
}

/* --- status and completion ----------------------------------------------------------- */

static bool is_owner(const struct rc_task *t, const struct rc_msg *msg)
{
	return msg->runner_id && strcmp(t->runner_id, msg->runner_id) == 0 && msg->attempt == t->attempt;
}

/* 404 for an unknown task, 403 unless msg comes from the owner of the task's
 * current, running attempt; 0 when it does. */
static int check_owner(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply, struct rc_task **out)
{
	struct rc_task *t = find_task(c, msg->task_id);
	*out = t;
	if (!t)
		return unknown_task(reply, msg->task_id);
	if (t->state != RC_TASK_RUNNING || !is_owner(t, msg))
		return rc_error_set(&reply->error, RC_STATUS_FORBIDDEN, "not_owner",
				    "task %" PRIu64 " attempt %d is not running on runner %.40s", t->id, msg->attempt,
				    msg->runner_id ? msg->runner_id : "(none)");
	reply->task_id = t->id;
	reply->task = t;
	return 0;
}

/* A report (status or completion) on a task: from its owner's current
 * attempt, with a text within bounds. 0, or the refusal's status. */
static int check_owner_report(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			      struct rc_task **out)
{
	int status = check_owner(c, msg, reply, out);
	return status ? status : rc_coord_check_length(&reply->error, "text", msg->text, RC_MAX_TEXT_LEN);
}

/* Progress of the owner's attempt: accepted (200) and not a heartbeat
 * (liveness is judged on heartbeats only). The first report confirms the
 * attempt: the runner has its grant. */
int rc_coord_op_task_status(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			    struct rc_outbox *ob)
{
	struct rc_task *t;
	int status = check_owner_report(c, msg, reply, &t);
	if (status)
		return status;
	if (!t->confirmed) {
		t->confirmed = true;
		rc_coord_fx_task_saved(c, t, ob);
	}
	return RC_STATUS_OK;
}

/* A completion repeated by the owner of the attempt that completed the task
 * (its reply was lost): acknowledged again, changes nothing. A task failed by
 * the monitor has no owner, so a late completion of it gets 403. */
static bool is_repeated_completion(const struct rc_coord *c, const struct rc_msg *msg)
{
	const struct rc_task *t = find_task(c, msg->task_id);
	return t && (t->state == RC_TASK_COMPLETED || t->state == RC_TASK_FAILED) && t->runner_id[0] &&
	       is_owner(t, msg);
}

int rc_coord_op_task_complete(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			      struct rc_outbox *ob)
{
	if (is_repeated_completion(c, msg)) {
		reply->task_id = msg->task_id;
		reply->task = find_task(c, msg->task_id);
		return RC_STATUS_OK;
	}
	struct rc_task *t;
	int status = check_owner_report(c, msg, reply, &t);
	if (status)
		return status;
	char *result = rc_coord_strdup(msg->text);
	if (!result)
		return rc_error_set(&reply->error, RC_STATUS_INTERNAL, "internal", "out of memory");
	end_attempt(c, t);
	t->state = msg->success ? RC_TASK_COMPLETED : RC_TASK_FAILED;
	task_free_result(t);
	t->result = result;
	t->finished_at_ms = c->now_ms;
	rc_coord_fx_task_moved(c, t, RC_TASK_RUNNING, t->runner_id, ob);
	return RC_STATUS_OK;
}

/* --- restore and free ------------------------------------------------------------------ */

static bool too_long(const char *s, size_t max)
{
	return s && strnlen(s, max + 1) > max;
}

/* The id and the texts: 0, or -1 with the refusal noted. */
static int check_restored_task_texts(struct rc_coord *c, const struct rc_task *t)
{
	if (!rc_coord_id_ok(t->id))
		return rc_coord_restore_refuse(c, "id", RC_RESTORE_WHY_ID);
	if (find_task(c, t->id))
		return rc_coord_restore_refuse(c, "id", RC_RESTORE_WHY_TWICE);
	if (!t->kind || !t->kind[0] || too_long(t->kind, RC_MAX_TASK_KIND_LEN))
		return rc_coord_restore_refuse(c, "kind", "is empty or too long");
	if (too_long(t->payload, RC_MAX_PAYLOAD_LEN))
		return rc_coord_restore_refuse(c, "payload", "is too long");
	if (too_long(t->result, RC_MAX_TEXT_LEN))
		return rc_coord_restore_refuse(c, "result", "is too long");
	return 0;
}

/* Why the attempt number cannot go with the state, or NULL. A task is
 * requeued only while it has attempts left, and the next claim adds one: a
 * larger count would break the bound (or overflow the int near INT_MAX). */
static const char *attempt_refusal(const struct rc_coord *c, const struct rc_task *t)
{
	if (t->attempt < 0 || t->attempt > c->cfg.max_attempts)
		return "is outside 0..max_attempts";
	if (t->state == RC_TASK_QUEUED && t->attempt == c->cfg.max_attempts)
		return "leaves a queued task no attempt";
	if (t->state == RC_TASK_RUNNING && t->attempt < 1)
		return "is 0 for a running task";
	return NULL;
}

static int check_restored_task(struct rc_coord *c, const struct rc_task *t)
{
	static const char *const time_names[] = { "submitted_at_ms", "claimed_at_ms", "finished_at_ms" };
	const int64_t times[] = { t->submitted_at_ms, t->claimed_at_ms, t->finished_at_ms };
	if (check_restored_task_texts(c, t) != 0)
		return -1;
	if ((unsigned)t->state > RC_TASK_FAILED)
		return rc_coord_restore_refuse(c, "state", "is not a task state");
	const char *why = attempt_refusal(c, t);
	if (why)
		return rc_coord_restore_refuse(c, "attempt", why);
	/* a queued task's last owner is not kept (see rc_coord_restore_task) */
	bool running = t->state == RC_TASK_RUNNING;
	if (t->state != RC_TASK_QUEUED && (running || t->runner_id[0]) && !rc_identity_is_runner_id(t->runner_id))
		return rc_coord_restore_refuse(c, "runner_id", running ? "is not the runner id of the owner"
								       : "is neither empty nor a runner id");
	return rc_coord_restore_check_times(c, time_names, times, 3);
}

/* Queued tasks rejoin the queue in the order they are restored; running ones
 * rejoin the running list (owners' counts are rebuilt by restore_done). */
int rc_coord_restore_task(struct rc_coord *c, const struct rc_task *t)
{
	rc_coord_restore_begin(c);
	if (check_restored_task(c, t) != 0)
		return -1;
	char *result = t->result ? rc_coord_strdup(t->result) : NULL;
	if ((t->result && !result) || rc_id_list_reserve(&c->running, 1) != 0) {
		free(result);
		return -1;
	}
	struct rc_task *stored = store_task(c, t->id, t->kind, t->payload);
	if (!stored) {
		free(result);
		return -1;
	}
	char *kind = stored->kind, *payload = stored->payload;
	*stored = *t;
	stored->kind = kind;
	stored->payload = payload;
	stored->result = result;
	if (stored->state == RC_TASK_QUEUED) {
		stored->runner_id[0] = '\0';
		queue_push(&c->queue, stored->id);
	} else if (stored->state == RC_TASK_RUNNING) {
		rc_id_list_push(&c->running, stored->id);
	}
	return 0;
}

void rc_coord_tasks_free(struct rc_coord *c)
{
	for (size_t i = 0; i < c->tasks.len; i++)
		task_free_strings(rc_id_table_at(&c->tasks, i));
	free(c->tasks.items);
	free(c->queue.ids);
	free(c->running.ids);
	c->tasks.items = NULL;
	c->queue.ids = NULL;
	c->running.ids = NULL;
}
