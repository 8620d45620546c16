/*
 * sandboxes.c - sandbox records, their status machine, runner binding and audit.
 *
 * A sandbox is created pending through the API; runners report its status.
 * Only the moves of DESIGN.md are applied (rc_sandbox_transition_ok), each
 * accepted change is an RC_FX_SANDBOX_AUDIT effect (the audit log), and the
 * first reporter of an unbound sandbox becomes its runner. A sandbox created
 * for a task follows the task: each new attempt binds it to the attempt's
 * runner, so the previous runner's late reports get 403. An API DELETE
 * moves any status to deleted (an operator's decision, audited with
 * op = RC_OP_SANDBOX_DELETE so it is told apart from runner moves) and keeps
 * the record for the audit trail.
 */
#include "coord_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

static_assert(offsetof(struct rc_sandbox, id) == 0, "rc_id_table needs the id first");

#define MOVE(s) (1u << (s))

/* The moves allowed out of each status, besides staying. */
static const unsigned legal_moves[RC_SANDBOX_STATUS_COUNT] = {
	[RC_SANDBOX_PENDING] = MOVE(RC_SANDBOX_CREATING),
	[RC_SANDBOX_CREATING] = MOVE(RC_SANDBOX_STARTING) | MOVE(RC_SANDBOX_FAILED),
	[RC_SANDBOX_STARTING] = MOVE(RC_SANDBOX_RUNNING) | MOVE(RC_SANDBOX_FAILED),
	[RC_SANDBOX_RUNNING] = MOVE(RC_SANDBOX_DELETING) | MOVE(RC_SANDBOX_FAILED),
	[RC_SANDBOX_DELETING] = MOVE(RC_SANDBOX_DELETED) | MOVE(RC_SANDBOX_FAILED),
	[RC_SANDBOX_DELETED] = 0,
	[RC_SANDBOX_FAILED] = MOVE(RC_SANDBOX_DELETING),
};

bool rc_sandbox_transition_ok(enum rc_sandbox_status from, enum rc_sandbox_status to)
{
	if ((unsigned)from >= RC_SANDBOX_STATUS_COUNT || (unsigned)to >= RC_SANDBOX_STATUS_COUNT)
		return false;
	return from == to || (legal_moves[from] & MOVE(to)) != 0;
}

static struct rc_sandbox *find_sandbox(const struct rc_coord *c, uint64_t id)
{
	return rc_id_table_find(&c->sandboxes, id);
}

static int unknown_sandbox(struct rc_reply *reply, uint64_t id)
{
	return rc_error_set(&reply->error, RC_STATUS_NOT_FOUND, "unknown_sandbox", "no sandbox %" PRIu64, id);
}

static void reply_sandbox(struct rc_reply *reply, const struct rc_sandbox *s)
{
	reply->sandbox_id = s->id;
	reply->sandbox = s;
}

/* Apply a status change and write it to the audit log, naming who made it
 * (the reporting runner; "" for the API). */
static void audit_move(struct rc_coord *c, struct rc_sandbox *s, enum rc_sandbox_status to, enum rc_op op,
		       const char *by_runner_id, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_SANDBOX_AUDIT, c->now_ms);
	fx->sandbox_id = s->id;
	fx->task_id = s->task_id;
	snprintf(fx->runner_id, sizeof fx->runner_id, "%s", by_runner_id);
	fx->from = (int)s->status;
	fx->to = (int)to;
	fx->op = op;
	s->status = to;
}

/* The list of task_id's sandboxes (made if it is the first) with room for
 * one more, so adding the sandbox cannot fail later. NULL when out of memory;
 * an empty list left behind is harmless. */
static struct rc_id_list *task_sandbox_list(struct rc_coord *c, uint64_t task_id)
{
	struct rc_task_sandboxes *e = rc_id_table_find(&c->task_sandboxes, task_id);
	if (!e && !(e = rc_id_table_insert(&c->task_sandboxes, task_id)))
		return NULL;
	return rc_id_list_reserve(&e->ids, 1) == 0 ? &e->ids : NULL;
}

void rc_coord_bind_task_sandboxes(struct rc_coord *c, const struct rc_task *t, struct rc_outbox *ob)
{
	const struct rc_task_sandboxes *e = rc_id_table_find(&c->task_sandboxes, t->id);
	for (size_t i = 0; e && i < e->ids.len; i++) {
		struct rc_sandbox *s = find_sandbox(c, e->ids.ids[i]);
		assert(s && s->task_id == t->id);
		if (strcmp(s->runner_id, t->runner_id) == 0)
			continue;
		memcpy(s->runner_id, t->runner_id, RC_RUNNER_ID_BUF);
		s->updated_at_ms = c->now_ms;
		rc_coord_fx_sandbox_saved(c, s, ob);
	}
}

/* --- API: create, get, delete ------------------------------------------------------- */

int rc_coord_op_sandbox_create(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob)
{
	const struct rc_task *t = NULL;
	if (msg->sandbox_task_id && !(t = rc_id_table_find(&c->tasks, msg->sandbox_task_id)))
		return rc_error_set(&reply->error, RC_STATUS_NOT_FOUND, "unknown_task", "no task %" PRIu64,
				    msg->sandbox_task_id);
	if (c->next_sandbox_id > RC_MAX_ID)
		return rc_coord_ids_exhausted(&reply->error, "sandbox");
	struct rc_id_list *bound = NULL;
	struct rc_sandbox *s = NULL;
	if (!t || (bound = task_sandbox_list(c, t->id)))
		s = rc_id_table_insert(&c->sandboxes, c->next_sandbox_id);
	if (!s)
		return rc_error_set(&reply->error, RC_STATUS_INTERNAL, "internal", "out of memory");
	c->next_sandbox_id++;
	s->status = RC_SANDBOX_PENDING;
	s->created_at_ms = s->updated_at_ms = c->now_ms;
	if (t) {
		s->task_id = t->id;
		rc_id_list_push(bound, s->id);
		if (t->state == RC_TASK_RUNNING)
			memcpy(s->runner_id, t->runner_id, RC_RUNNER_ID_BUF);
	}
	rc_coord_fx_sandbox_saved(c, s, ob);
	reply_sandbox(reply, s);
	return RC_STATUS_CREATED;
}

int rc_coord_op_sandbox_get(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply)
{
	const struct rc_sandbox *s = find_sandbox(c, msg->sandbox_id);
	if (!s)
		return unknown_sandbox(reply, msg->sandbox_id);
	reply_sandbox(reply, s);
	return RC_STATUS_OK;
}

/* DELETE again on a deleted sandbox is 200 and changes nothing. */
int rc_coord_op_sandbox_delete(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob)
{
	struct rc_sandbox *s = find_sandbox(c, msg->sandbox_id);
	if (!s)
		return unknown_sandbox(reply, msg->sandbox_id);
	reply_sandbox(reply, s);
	if (s->status == RC_SANDBOX_DELETED && s->deleted_by_api)
		return RC_STATUS_OK;
	if (s->status != RC_SANDBOX_DELETED)
		audit_move(c, s, RC_SANDBOX_DELETED, RC_OP_SANDBOX_DELETE, "", ob);
	s->deleted_by_api = true;
	s->updated_at_ms = c->now_ms;
	rc_coord_fx_sandbox_saved(c, s, ob);
	return RC_STATUS_OK;
}

/* --- runner status reports ------------------------------------------------------------ */

/* Everything about a report that can be judged before touching the record:
 * 400 no/ill-shaped runner id, 404, 400 unknown status word, 422 container id
 * too long, 403 bound to another runner, 409 illegal move. */
static int check_report(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			struct rc_sandbox **out, enum rc_sandbox_status *to)
{
	struct rc_error *err = &reply->error;
	if (!msg->runner_id || !msg->runner_id[0])
		return rc_error_set(err, RC_STATUS_BAD_REQUEST, "missing_runner_id", "X-Runner-Id is required");
	if (!rc_identity_is_runner_id(msg->runner_id))
		return rc_error_set(err, RC_STATUS_BAD_REQUEST, "invalid_runner_id",
				    "X-Runner-Id is not a runner id: %.40s", msg->runner_id);
	struct rc_sandbox *s = *out = find_sandbox(c, msg->sandbox_id);
	if (!s)
		return unknown_sandbox(reply, msg->sandbox_id);
	int parsed = rc_sandbox_status_parse(msg->status_word);
	if (parsed < 0) {
		rc_error_set(err, RC_STATUS_BAD_REQUEST, "invalid_status", "unknown sandbox status '%.40s'",
			     msg->status_word ? msg->status_word : "");
		rc_error_add_field(err, "status");
		return RC_STATUS_BAD_REQUEST;
	}
	*to = (enum rc_sandbox_status)parsed;
	int status = rc_coord_check_length(err, "container_id", msg->container_id, RC_MAX_CONTAINER_ID_LEN);
	if (status)
		return status;
	if (s->runner_id[0] && strcmp(s->runner_id, msg->runner_id) != 0)
		return rc_error_set(err, RC_STATUS_FORBIDDEN, "wrong_runner", "sandbox %" PRIu64 " is bound to runner %s",
				    s->id, s->runner_id);
	if (!rc_sandbox_transition_ok(s->status, *to))
		return rc_error_set(err, RC_STATUS_CONFLICT, "illegal_transition",
				    "sandbox %" PRIu64 " cannot move from %s to %s", s->id, rc_sandbox_status_name(s->status),
				    rc_sandbox_status_name(*to));
	return 0;
}

/* An accepted report binds an unbound sandbox and stores a given container id
 * even when it repeats the current status; only a status change is audited. */
int rc_coord_op_sandbox_report(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			       struct rc_outbox *ob)
{
	struct rc_sandbox *s = NULL;
	enum rc_sandbox_status to = RC_SANDBOX_PENDING;
	int status = check_report(c, msg, reply, &s, &to);
	if (status)
		return status;
	bool changed = false;
	if (!s->runner_id[0]) {
		memcpy(s->runner_id, msg->runner_id, RC_RUNNER_ID_BUF);
		changed = true;
	}
	if (msg->container_id && strcmp(s->container_id, msg->container_id) != 0) {
		strcpy(s->container_id, msg->container_id);
		changed = true;
	}
	if (to != s->status) {
		audit_move(c, s, to, RC_OP_SANDBOX_REPORT, s->runner_id, ob);
		changed = true;
	}
	if (changed) {
		s->updated_at_ms = c->now_ms;
		rc_coord_fx_sandbox_saved(c, s, ob);
	}
	reply_sandbox(reply, s);
	return RC_STATUS_OK;
}

/* --- restore and free --------------------------------------------------------------------- */

/* A sandbox's task must have been restored already (tasks come first, see
 * coord.h): an orphan would be handed to whichever task is next given its
 * id, and follow that task's runner. 0, or -1 with the refusal noted. */
static int check_restored_sandbox(struct rc_coord *c, const struct rc_sandbox *s)
{
	static const char *const time_names[] = { "created_at_ms", "updated_at_ms" };
	const int64_t times[] = { s->created_at_ms, s->updated_at_ms };
	if (!rc_coord_id_ok(s->id))
		return rc_coord_restore_refuse(c, "id", RC_RESTORE_WHY_ID);
	if (find_sandbox(c, s->id))
		return rc_coord_restore_refuse(c, "id", RC_RESTORE_WHY_TWICE);
	if (s->task_id != 0 && !rc_coord_find_task(c, s->task_id))
		return rc_coord_restore_refuse(c, "task_id", "names no restored task");
	if ((unsigned)s->status >= RC_SANDBOX_STATUS_COUNT)
		return rc_coord_restore_refuse(c, "status", "is not a sandbox status");
	if (s->runner_id[0] != '\0' && !rc_identity_is_runner_id(s->runner_id))
		return rc_coord_restore_refuse(c, "runner_id", "is neither empty nor a runner id");
	if (!memchr(s->container_id, '\0', sizeof s->container_id))
		return rc_coord_restore_refuse(c, "container_id", "is too long");
	return rc_coord_restore_check_times(c, time_names, times, 2);
}

int rc_coord_restore_sandbox(struct rc_coord *c, const struct rc_sandbox *s)
{
	rc_coord_restore_begin(c);
	if (check_restored_sandbox(c, s) != 0)
		return -1;
	struct rc_id_list *bound = NULL;
	if (s->task_id && !(bound = task_sandbox_list(c, s->task_id)))
		return -1;
	struct rc_sandbox *stored = rc_id_table_insert(&c->sandboxes, s->id);
	if (!stored)
		return -1;
	*stored = *s;
	if (bound)
		rc_id_list_push(bound, s->id);
	if (s->id >= c->next_sandbox_id)
		c->next_sandbox_id = s->id + 1;
	return 0;
}

void rc_coord_sandboxes_free(struct rc_coord *c)
{
	for (size_t i = 0; i < c->task_sandboxes.len; i++)
		free(((struct rc_task_sandboxes *)rc_id_table_at(&c->task_sandboxes, i))->ids.ids);
	free(c->sandboxes.items);
	free(c->task_sandboxes.items);
	c->sandboxes.items = NULL;
	c->task_sandboxes.items = NULL;
}
