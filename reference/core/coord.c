/*
 * coord.c - the coordinator's entry points: lifecycle, dispatch, timers, restore.
 *
 * Every call from a driver comes through here, which is where the rules that
 * hold for all requests live: time never goes backwards, runner calls need
 * the secret before anything else is looked at, and a refused request leaves
 * exactly one RC_FX_REJECTED effect and no other change. The handlers proper
 * are in registry.c, tasks.c and sandboxes.c.
 */
#include "coord_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "rfc3339.h"

void rc_coord_config_defaults(struct rc_coord_config *cfg)
{
	*cfg = (struct rc_coord_config){
		.stale_after_ms = 120000,
		.remove_after_ms = 600000,
		.sweep_interval_ms = 30000,
		.task_timeout_ms = 60000,
		.monitor_interval_ms = 10000,
		.max_attempts = 3,
		.heartbeat_interval_s = 20,
		.default_max_concurrency = 1,
		.secret_grace_ms = 3600000,
	};
}

const char *rc_coord_config_problem(const struct rc_coord_config *cfg)
{
	if (cfg->stale_after_ms <= 0 || cfg->remove_after_ms <= 0 || cfg->sweep_interval_ms <= 0 ||
	    cfg->task_timeout_ms <= 0 || cfg->monitor_interval_ms <= 0 || cfg->max_attempts < 1)
		return "intervals must be > 0 and max_attempts >= 1";
	if (cfg->remove_after_ms < cfg->stale_after_ms)
		return "remove_after must be at least stale_after";
	if (cfg->heartbeat_interval_s < 1)
		return "heartbeat_interval must be at least 1s";
	if (cfg->default_max_concurrency < 1 || cfg->default_max_concurrency > RC_MAX_CONCURRENCY)
		return "default_max_concurrency must be 1..64";
	if (cfg->secret_grace_ms < 0)
		return "secret_grace must be >= 0";
	return NULL;
}

/* Secret and config come from the operator, so bad ones are refused (NULL),
 * not asserted. */
struct rc_coord *rc_coord_new(const struct rc_coord_config *cfg, const char *secret, int64_t now_ms)
{
	if (rc_coord_config_problem(cfg))
		return NULL;
	struct rc_coord *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (rc_secrets_init(&c->secrets, secret) != 0) {
		free(c);
		return NULL;
	}
	c->cfg = *cfg;
	c->now_ms = now_ms;
	c->next_sweep_ms = now_ms + cfg->sweep_interval_ms;
	c->next_monitor_ms = now_ms + cfg->monitor_interval_ms;
	c->tasks.elem_size = sizeof(struct rc_task);
	c->next_task_id = 1;
	c->sandboxes.elem_size = sizeof(struct rc_sandbox);
	c->next_sandbox_id = 1;
	c->task_sandboxes.elem_size = sizeof(struct rc_task_sandboxes);
	return c;
}

int rc_coord_restore_reserve(struct rc_coord *c, size_t runners, size_t tasks, size_t sandboxes)
{
	int rc = rc_registry_reserve_exact(&c->registry, runners);
	rc |= rc_coord_grow_exact(&c->tasks.items, &c->tasks.cap, tasks, c->tasks.elem_size);
	rc |= rc_coord_grow_exact(&c->sandboxes.items, &c->sandboxes.cap, sandboxes, c->sandboxes.elem_size);
	return rc;
}

void rc_coord_free(struct rc_coord *c)
{
	if (!c)
		return;
	rc_registry_free(&c->registry);
	rc_coord_tasks_free(c);
	rc_coord_sandboxes_free(c);
	rc_secrets_wipe(&c->secrets);
	rc_identity_ctx_free(c->id_ctx);
	free(c);
}

const struct rc_coord_config *rc_coord_config(const struct rc_coord *c)
{
	return &c->cfg;
}

/* Every entry point takes the caller's clock; it never goes backwards. */
static void advance(struct rc_coord *c, int64_t now_ms)
{
	assert(now_ms >= c->now_ms && "coordinator time went backwards");
	c->now_ms = now_ms;
}

int rc_coord_check_length(struct rc_error *err, const char *field, const char *s, size_t max)
{
	if (!s || strnlen(s, max + 1) <= max)
		return 0;
	rc_error_set(err, RC_STATUS_UNPROCESSABLE, "field_too_long", "%s is longer than %zu bytes", field, max);
	rc_error_add_field(err, field);
	return RC_STATUS_UNPROCESSABLE;
}

int rc_coord_ids_exhausted(struct rc_error *err, const char *what)
{
	return rc_error_set(err, RC_STATUS_UNAVAILABLE, "ids_exhausted", "no %s id is left", what);
}

/* --- dispatch ------------------------------------------------------------------------- */

static bool needs_secret(enum rc_op op)
{
	switch (op) {
	case RC_OP_REGISTER:
	case RC_OP_HEARTBEAT:
	case RC_OP_DEREGISTER:
	case RC_OP_CLAIM:
	case RC_OP_TASK_STATUS:
	case RC_OP_TASK_COMPLETE:
		return true;
	default:
		return false;
	}
}

static int route(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply, struct rc_outbox *ob)
{
	switch (msg->op) {
	case RC_OP_REGISTER: return rc_coord_op_register(c, msg, reply, ob);
	case RC_OP_HEARTBEAT: return rc_coord_op_heartbeat(c, msg, reply, ob);
	case RC_OP_DEREGISTER: return rc_coord_op_deregister(c, msg, reply, ob);
	case RC_OP_CLAIM: return rc_coord_op_claim(c, msg, reply, ob);
	case RC_OP_TASK_STATUS: return rc_coord_op_task_status(c, msg, reply, ob);
	case RC_OP_TASK_COMPLETE: return rc_coord_op_task_complete(c, msg, reply, ob);
	case RC_OP_RUNNERS_LIST: reply->coord = c; return RC_STATUS_OK;
	case RC_OP_TASK_SUBMIT: return rc_coord_op_task_submit(c, msg, reply, ob);
	case RC_OP_TASK_GET: return rc_coord_op_task_get(c, msg, reply);
	case RC_OP_SANDBOX_CREATE: return rc_coord_op_sandbox_create(c, msg, reply, ob);
	case RC_OP_SANDBOX_GET: return rc_coord_op_sandbox_get(c, msg, reply);
	case RC_OP_SANDBOX_DELETE: return rc_coord_op_sandbox_delete(c, msg, reply, ob);
	case RC_OP_SANDBOX_REPORT: return rc_coord_op_sandbox_report(c, msg, reply, ob);
	case RC_OP_HEALTH: return RC_STATUS_OK;
	default:
		return rc_error_set(&reply->error, RC_STATUS_BAD_REQUEST, "unknown_op", "unknown operation %d",
				    (int)msg->op);
	}
}

/* The runner a refused request was about, when it can be told: the runner id
 * it carries, or for a registration the id its properties give (derived with
 * the coordinator's digest context: a fresh one costs several allocations,
 * and a clone refused with 409 tries again at every step of its backoff). */
static void rejected_runner_id(struct rc_coord *c, const struct rc_msg *msg, char out[RC_RUNNER_ID_BUF])
{
	out[0] = '\0';
	if (rc_identity_is_runner_id(msg->runner_id))
		memcpy(out, msg->runner_id, RC_RUNNER_ID_BUF);
	else if (msg->op == RC_OP_REGISTER)
		rc_identity_runner_id_ctx(&c->id_ctx, msg->hostname, msg->project_dir, msg->executor_type, out);
}

static void fx_rejected(struct rc_coord *c, const struct rc_msg *msg, const struct rc_reply *reply,
			struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_REJECTED, c->now_ms);
	fx->op = msg->op;
	fx->value = reply->status;
	fx->text = reply->error.code; /* static */
	rejected_runner_id(c, msg, fx->runner_id);
	fx->task_id = msg->op == RC_OP_SANDBOX_CREATE ? msg->sandbox_task_id : msg->task_id;
	fx->sandbox_id = msg->sandbox_id;
	fx->attempt = msg->attempt;
}

int rc_coord_handle(struct rc_coord *c, int64_t now_ms, const struct rc_msg *msg, struct rc_reply *reply,
		    struct rc_outbox *ob)
{
	assert(c && msg && reply && ob);
	advance(c, now_ms);
	rc_reply_init(reply, msg);
	if (needs_secret(msg->op) && !rc_secrets_check(&c->secrets, msg->secret, now_ms))
		reply->status = rc_error_set(&reply->error, RC_STATUS_UNAUTHORIZED, "unauthorized",
					     msg->secret ? "wrong runner secret" : "missing runner secret");
	else
		reply->status = route(c, msg, reply, ob);
	if (reply->status >= 400)
		fx_rejected(c, msg, reply, ob);
	return reply->status;
}

/* --- timers ----------------------------------------------------------------------------- */

/* The first point of the grid due + k * interval that lies after now: a
 * driver that missed many ticks gets one run, not thousands. */
static int64_t next_on_grid(int64_t due_ms, int64_t interval_ms, int64_t now_ms)
{
	return due_ms + interval_ms * ((now_ms - due_ms) / interval_ms + 1);
}

int64_t rc_coord_deadline(const struct rc_coord *c)
{
	return c->next_sweep_ms < c->next_monitor_ms ? c->next_sweep_ms : c->next_monitor_ms;
}

/* When both are due the sweep runs first: attempts of a runner it removes are
 * then requeued by the removal, and the monitor judges what is left. */
void rc_coord_tick(struct rc_coord *c, int64_t now_ms, struct rc_outbox *ob)
{
	advance(c, now_ms);
	if (now_ms >= c->next_sweep_ms) {
		rc_coord_sweep(c, ob);
		c->next_sweep_ms = next_on_grid(c->next_sweep_ms, c->cfg.sweep_interval_ms, now_ms);
	}
	if (now_ms >= c->next_monitor_ms) {
		rc_coord_monitor(c, ob);
		c->next_monitor_ms = next_on_grid(c->next_monitor_ms, c->cfg.monitor_interval_ms, now_ms);
	}
}

/* --- restore ------------------------------------------------------------------------------ */

void rc_coord_restore_begin(struct rc_coord *c)
{
	c->refusal = (struct rc_restore_refusal){ NULL, NULL };
}

int rc_coord_restore_refuse(struct rc_coord *c, const char *field, const char *why)
{
	c->refusal = (struct rc_restore_refusal){ field, why };
	return -1;
}

struct rc_restore_refusal rc_coord_restore_refusal(const struct rc_coord *c)
{
	return c->refusal;
}

/* A time far outside the clock's years was written as null in the runners
 * list (and, near INT64_MIN or MAX, would overflow an age). */
int rc_coord_restore_check_times(struct rc_coord *c, const char *const names[], const int64_t times[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!rc_rfc3339_in_range(times[i]))
			return rc_coord_restore_refuse(c, names[i], "is not an instant of the years 0000..9999");
	return 0;
}

void rc_coord_restore_done(struct rc_coord *c, int64_t now_ms, struct rc_outbox *ob)
{
	advance(c, now_ms);
	for (size_t i = 0; i < c->registry.len; i++)
		if (c->registry.runners[i].status != RC_RUNNER_REMOVED)
			rc_coord_mark_alive(c, &c->registry.runners[i], false, ob);
	rc_coord_recount_running(c);
	rc_coord_grace_unconfirmed(c);
	c->next_sweep_ms = now_ms + c->cfg.sweep_interval_ms;
	c->next_monitor_ms = now_ms + c->cfg.monitor_interval_ms;
}

/* --- read access ---------------------------------------------------------------------------- */

size_t rc_coord_runner_count(const struct rc_coord *c)
{
	return c->registry.len - c->registry.tombstones;
}

const struct rc_runner_record *rc_coord_runner_next(const struct rc_coord *c, size_t *pos)
{
	const struct rc_registry *reg = &c->registry;
	while (*pos < reg->len) {
		const struct rc_runner_record *r = &reg->runners[(*pos)++];
		if (r->status != RC_RUNNER_REMOVED)
			return r;
	}
	return NULL;
}

const struct rc_runner_record *rc_coord_find_runner(const struct rc_coord *c, const char *id)
{
	return rc_registry_find(&c->registry, id);
}

const struct rc_runner_record *rc_coord_find_runner_key(const struct rc_coord *c, uint64_t key)
{
	return rc_registry_find_key(&c->registry, key);
}

size_t rc_coord_task_count(const struct rc_coord *c)
{
	return c->tasks.len;
}

const struct rc_task *rc_coord_task_at(const struct rc_coord *c, size_t i)
{
	return rc_id_table_at(&c->tasks, i);
}

const struct rc_task *rc_coord_find_task(const struct rc_coord *c, uint64_t id)
{
	return rc_id_table_find(&c->tasks, id);
}

size_t rc_coord_sandbox_count(const struct rc_coord *c)
{
	return c->sandboxes.len;
}

const struct rc_sandbox *rc_coord_sandbox_at(const struct rc_coord *c, size_t i)
{
	return rc_id_table_at(&c->sandboxes, i);
}

const struct rc_sandbox *rc_coord_find_sandbox(const struct rc_coord *c, uint64_t id)
{
	return rc_id_table_find(&c->sandboxes, id);
}

/* --- effects -------------------------------------------------------------------------------- */

void rc_coord_fx_runner_saved(struct rc_coord *c, const struct rc_runner_record *r, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_RUNNER_SAVED, c->now_ms);
	memcpy(fx->runner_id, r->id, RC_RUNNER_ID_BUF);
	fx->to = (int)r->status;
}

void rc_coord_fx_runner_status(struct rc_coord *c, const char *runner_id, enum rc_runner_status from,
			       enum rc_runner_status to, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_RUNNER_STATUS, c->now_ms);
	memcpy(fx->runner_id, runner_id, RC_RUNNER_ID_BUF);
	fx->from = (int)from;
	fx->to = (int)to;
}

void rc_coord_fx_task_saved(struct rc_coord *c, const struct rc_task *t, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_TASK_SAVED, c->now_ms);
	fx->task_id = t->id;
	fx->attempt = t->attempt;
	memcpy(fx->runner_id, t->runner_id, RC_RUNNER_ID_BUF);
	fx->to = (int)t->state;
}

void rc_coord_fx_task_moved(struct rc_coord *c, const struct rc_task *t, enum rc_task_state from,
			    const char *runner_id, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_TASK_STATE, c->now_ms);
	fx->task_id = t->id;
	fx->attempt = t->attempt;
	memcpy(fx->runner_id, runner_id, RC_RUNNER_ID_BUF);
	fx->from = (int)from;
	fx->to = (int)t->state;
	rc_coord_fx_task_saved(c, t, ob);
}

void rc_coord_fx_sandbox_saved(struct rc_coord *c, const struct rc_sandbox *s, struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_SANDBOX_SAVED, c->now_ms);
	fx->sandbox_id = s->id;
	fx->task_id = s->task_id;
	memcpy(fx->runner_id, s->runner_id, RC_RUNNER_ID_BUF);
	fx->to = (int)s->status;
}
