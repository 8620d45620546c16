/*
 * conf_observe.c - what a scenario's words mean for a live target, for the
 * judge (scn_judge.h).
 *
 * Registry, task and sandbox states are read from the target's API (the
 * runner list, GET of a task, GET of a sandbox), once per instant: a read is
 * kept until the next request or timer tick, the only things that can change
 * the target. A runner's record is found by the ID its three properties
 * give. A runner's phase, ID and processes, and every node's life, are
 * conform's own (it plays the runners and launches the target). While the
 * coordinator is down nothing about the registry, tasks or sandboxes holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

static const char *const node_state_words[] = { "down", "up", "paused", "crashed", "exited" };

void conf_snapshot_invalidate(struct conf_live *l)
{
	struct conf_snapshot *sn = &l->snap;
	json_decref(sn->runners);
	sn->runners = NULL;
	sn->have_runners = false;
	for (size_t i = 0; i < l->s->n_tasks; i++) {
		json_decref(sn->tasks[i]);
		sn->tasks[i] = NULL;
		sn->have_task[i] = false;
	}
	for (size_t i = 0; i < l->s->n_sandboxes; i++) {
		json_decref(sn->sandboxes[i]);
		sn->sandboxes[i] = NULL;
		sn->have_sandbox[i] = false;
	}
}

void conf_snapshot_free(struct conf_live *l)
{
	conf_snapshot_invalidate(l);
	free(l->snap.tasks);
	free(l->snap.sandboxes);
	free(l->snap.have_task);
	free(l->snap.have_sandbox);
}

/* GET something and keep its canonical body (NULL: 404 or a failure). */
static json_t *fetch(struct conf_live *l, struct rc_msg *msg, struct conf_exchange *evidence)
{
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	json_t *body = NULL;
	int rc = conf_observe_msg(l, msg, &reply, &arena, &body, evidence);
	rc_proto_arena_free(&arena);
	if (rc != 0)
		return NULL;
	if (reply.status == 200)
		return body;
	json_decref(body);
	if (reply.status != 404)
		conf_protocol_failure(l, evidence, "an observation got neither 200 nor 404");
	return NULL;
}

static json_t *runners(struct conf_live *l)
{
	struct conf_snapshot *sn = &l->snap;
	if (!sn->have_runners && conf_coord_up(l) && !l->target_error) {
		struct rc_msg msg = { .op = RC_OP_RUNNERS_LIST };
		json_t *body = fetch(l, &msg, &l->obs_runners);
		sn->runners = json_incref(json_object_get(body, "runners"));
		json_decref(body);
		sn->have_runners = true;
	}
	return sn->runners;
}

int conf_observe_runners(struct conf_live *l)
{
	runners(l);
	return l->target_error ? -1 : 0;
}

static json_t *task_body(struct conf_live *l, int task)
{
	struct conf_snapshot *sn = &l->snap;
	if (!sn->have_task[task] && l->task_id[task] && conf_coord_up(l) && !l->target_error) {
		struct rc_msg msg = { .op = RC_OP_TASK_GET, .task_id = l->task_id[task] };
		sn->tasks[task] = fetch(l, &msg, &l->obs_task[task]);
		sn->have_task[task] = true;
	}
	return sn->tasks[task];
}

static json_t *sandbox_body(struct conf_live *l, int sandbox)
{
	struct conf_snapshot *sn = &l->snap;
	if (!sn->have_sandbox[sandbox] && l->sandbox_id[sandbox] && conf_coord_up(l) && !l->target_error) {
		struct rc_msg msg = { .op = RC_OP_SANDBOX_GET, .sandbox_id = l->sandbox_id[sandbox] };
		sn->sandboxes[sandbox] = fetch(l, &msg, &l->obs_sandbox[sandbox]);
		sn->have_sandbox[sandbox] = true;
	}
	return sn->sandboxes[sandbox];
}

static json_t *record_of(struct conf_live *l, int node)
{
	json_t *list = runners(l);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *rec = json_array_get(list, i);
		if (strcmp(json_string_value(json_object_get(rec, "runner_id")), l->runners[node].expected_id) == 0)
			return rec;
	}
	return NULL;
}

static const char *text_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* The scenario name of the runner holding registry ID id, or the ID. */
static const char *runner_name(const struct conf_live *l, const char *id)
{
	for (size_t i = 1; i < l->s->n_nodes; i++)
		if (strcmp(l->runners[i].expected_id, id) == 0)
			return l->s->nodes[i].name;
	return id;
}

static bool runner_status(struct conf_live *l, const struct scn_state *st)
{
	json_t *rec = record_of(l, st->subject);
	if (st->value == RC_RUNNER_REMOVED)
		return !rec && l->ever_registered[st->subject];
	return rec && strcmp(text_of(rec, "status"), rc_runner_status_name((enum rc_runner_status)st->value)) == 0;
}

static bool needs_coordinator(enum scn_state_kind k)
{
	return k != SCN_ST_NODE_PROCESS && k != SCN_ST_RUNNER_PHASE && k != SCN_ST_RUNNER_ID;
}

static bool state_value(void *ctx, const struct scn_state *st)
{
	struct conf_live *l = ctx;
	if (needs_coordinator(st->kind) && !conf_coord_up(l))
		return false;
	const struct rc_runner *core = NULL;
	switch (st->kind) {
	case SCN_ST_RUNNER_STATUS: return runner_status(l, st);
	case SCN_ST_RUNNER_REGISTERED: return record_of(l, st->subject) != NULL;
	case SCN_ST_NODE_PROCESS:
		return (int)(st->subject == 0 ? l->coord_state : l->runners[st->subject].state) == st->value;
	case SCN_ST_RUNNER_PHASE:
		core = l->runners[st->subject].core;
		return core && (int)rc_runner_phase(core) == st->value;
	case SCN_ST_RUNNER_ID:
		core = l->runners[st->subject].core;
		return core && strcmp(rc_runner_id(core), st->text) == 0;
	case SCN_ST_TASK_STATE:
		return strcmp(text_of(task_body(l, st->subject), "state"),
			      rc_task_state_name((enum rc_task_state)st->value)) == 0;
	case SCN_ST_TASK_OWNER: {
		json_t *t = task_body(l, st->subject);
		return t && strcmp(text_of(t, "runner_id"), l->runners[st->other].expected_id) == 0;
	}
	case SCN_ST_TASK_ATTEMPT: {
		json_t *t = task_body(l, st->subject);
		return t && json_integer_value(json_object_get(t, "attempt")) == st->value;
	}
	case SCN_ST_SANDBOX_STATUS:
		return strcmp(text_of(sandbox_body(l, st->subject), "status"),
			      rc_sandbox_status_name((enum rc_sandbox_status)st->value)) == 0;
	case SCN_ST_SANDBOX_BOUND: {
		json_t *b = sandbox_body(l, st->subject);
		if (!b)
			return false;
		return st->other < 0 ? text_of(b, "runner_id")[0] == '\0'
				     : strcmp(text_of(b, "runner_id"), l->runners[st->other].expected_id) == 0;
	}
	case SCN_ST_RUNNER_COUNT: {
		json_t *list = runners(l);
		return list && (int)json_array_size(list) == st->value;
	}
	}
	return false;
}

static const struct rc_runner *runner_core(void *ctx, int node)
{
	struct conf_live *l = ctx;
	return l->runners[node].core;
}

static uint64_t task_id(void *ctx, int task)
{
	struct conf_live *l = ctx;
	return l->task_id[task];
}

static void describe_runner(struct conf_live *l, const struct scn_state *st, char *buf, size_t n)
{
	const char *name = l->s->nodes[st->subject].name;
	const struct conf_runner *r = &l->runners[st->subject];
	const char *life = node_state_words[r->state];
	if (st->kind == SCN_ST_NODE_PROCESS) {
		snprintf(buf, n, "%s is %s", name, life);
	} else if (st->kind == SCN_ST_RUNNER_PHASE || st->kind == SCN_ST_RUNNER_ID) {
		if (!r->core)
			snprintf(buf, n, "%s is %s (no runner core)", name, life);
		else
			snprintf(buf, n, "%s is %s, its id is '%s'", name, rc_runner_phase_name(rc_runner_phase(r->core)),
				 rc_runner_id(r->core));
	} else if (!conf_coord_up(l)) {
		snprintf(buf, n, "the coordinator is %s", node_state_words[l->coord_state]);
	} else {
		json_t *rec = record_of(l, st->subject);
		snprintf(buf, n, "%s is %s (GET runners)", name,
			 rec ? text_of(rec, "status") : l->ever_registered[st->subject] ? "removed" : "not registered");
	}
}

static void describe_task(struct conf_live *l, int task, char *buf, size_t n)
{
	const char *name = l->s->tasks[task].name;
	json_t *t = task_body(l, task);
	if (!t) {
		snprintf(buf, n, "task %s does not exist (yet)", name);
		return;
	}
	const char *owner = text_of(t, "runner_id");
	snprintf(buf, n, "task %s is %s, attempt %lld%s%s", name, text_of(t, "state"),
		 (long long)json_integer_value(json_object_get(t, "attempt")), owner[0] ? ", on " : "",
		 owner[0] ? runner_name(l, owner) : "");
}

static void describe_sandbox(struct conf_live *l, int sandbox, char *buf, size_t n)
{
	const char *name = l->s->sandboxes[sandbox].name;
	json_t *b = sandbox_body(l, sandbox);
	if (!b) {
		snprintf(buf, n, "sandbox %s does not exist (yet)", name);
		return;
	}
	const char *owner = text_of(b, "runner_id");
	snprintf(buf, n, "sandbox %s is %s, %s%s", name, text_of(b, "status"), owner[0] ? "bound to " : "unbound",
		 owner[0] ? runner_name(l, owner) : "");
}

static void describe_actual(void *ctx, const struct scn_state *st, char *buf, size_t n)
{
	struct conf_live *l = ctx;
	if (needs_coordinator(st->kind) && !conf_coord_up(l)) {
		snprintf(buf, n, "the coordinator is %s", node_state_words[l->coord_state]);
		return;
	}
	switch (st->kind) {
	case SCN_ST_RUNNER_STATUS: case SCN_ST_RUNNER_REGISTERED: case SCN_ST_NODE_PROCESS:
	case SCN_ST_RUNNER_PHASE: case SCN_ST_RUNNER_ID:
		if (st->subject == 0)
			snprintf(buf, n, "the coordinator is %s", node_state_words[l->coord_state]);
		else
			describe_runner(l, st, buf, n);
		return;
	case SCN_ST_TASK_STATE: case SCN_ST_TASK_OWNER: case SCN_ST_TASK_ATTEMPT:
		describe_task(l, st->subject, buf, n);
		return;
	case SCN_ST_SANDBOX_STATUS: case SCN_ST_SANDBOX_BOUND:
		describe_sandbox(l, st->subject, buf, n);
		return;
	case SCN_ST_RUNNER_COUNT: {
		size_t count = json_array_size(runners(l));
		snprintf(buf, n, "the coordinator has %zu runner%s", count, count == 1 ? "" : "s");
		return;
	}
	}
	snprintf(buf, n, "?");
}

static void track_registrations(void *ctx)
{
	struct conf_live *l = ctx;
	if (!l->judge.reads_removed || !conf_coord_up(l))
		return;
	for (size_t i = 1; i < l->s->n_nodes; i++)
		if (!l->ever_registered[i] && record_of(l, (int)i))
			l->ever_registered[i] = true;
}

static bool action_reply(void *ctx, size_t action, struct scn_reply_seen *out)
{
	struct conf_live *l = ctx;
	const struct conf_action_result *res = &l->actions[action];
	out->applied = res->applied;
	out->status = res->status;
	out->error_code = res->error_code;
	out->message = res->message;
	return true;
}

/* The operation the target must have for a state to be read. */
static enum rc_op op_for(enum scn_state_kind k)
{
	switch (k) {
	case SCN_ST_RUNNER_STATUS: case SCN_ST_RUNNER_REGISTERED: case SCN_ST_RUNNER_COUNT: return RC_OP_RUNNERS_LIST;
	case SCN_ST_TASK_STATE: case SCN_ST_TASK_OWNER: case SCN_ST_TASK_ATTEMPT: return RC_OP_TASK_GET;
	case SCN_ST_SANDBOX_STATUS: case SCN_ST_SANDBOX_BOUND: return RC_OP_SANDBOX_GET;
	default: return RC_OP_NONE; /* conform's own knowledge */
	}
}

static bool observable(void *ctx, const struct scn_expect *e, char *why, size_t n)
{
	struct conf_live *l = ctx;
	const struct scn_state *st = !e->is_event ? &e->state : e->event.kind == SCN_EV_BECOMES ? &e->event.state : NULL;
	enum rc_op op = st ? op_for(st->kind) : RC_OP_NONE;
	if (op == RC_OP_NONE || conf_profile_has(l->profile, op))
		return true;
	snprintf(why, n, "the target's profile has no %s operation", rc_op_name(op));
	return false;
}

const struct scn_world_ops conf_world_ops = {
	.state_value = state_value,
	.runner_core = runner_core,
	.task_id = task_id,
	.describe = describe_actual,
	.before_poll = track_registrations,
	.action_reply = action_reply,
	.observable = observable,
};

void conf_check_liveness(struct conf_live *l, size_t action)
{
	const struct scn_action *a = &l->s->actions[action];
	char why[600] = "";
	size_t used = 0;
	for (size_t i = 1; i < l->s->n_nodes && used < sizeof why; i++) {
		struct scn_state st = { .kind = SCN_ST_RUNNER_STATUS, .subject = (int)i, .value = RC_RUNNER_ONLINE };
		if (l->runners[i].state == CONF_UP && !state_value(l, &st)) {
			char d[200];
			describe_actual(l, &st, d, sizeof d);
			used += (size_t)snprintf(why + used, sizeof why - used, "%s%s", used ? "; " : "", d);
		}
	}
	for (size_t i = 0; i < l->s->n_tasks && used < sizeof why; i++) {
		json_t *t = l->task_id[i] ? task_body(l, (int)i) : NULL;
		const char *state = text_of(t, "state");
		if (l->task_id[i] && strcmp(state, "completed") != 0 && strcmp(state, "failed") != 0) {
			char d[200];
			describe_task(l, (int)i, d, sizeof d);
			used += (size_t)snprintf(why + used, sizeof why - used, "%s%s", used ? "; " : "", d);
		}
	}
	if (why[0] && !l->target_error)
		scn_judge_fail(&l->judge, l->now_ms, a->pos, "liveness", "%s", why);
}

/* The exchange that showed the failed expectation or action. */
static const struct conf_exchange *evidence_of(struct conf_live *l)
{
	const struct scn_outcome *o = l->out;
	if (o->fail_action >= 0)
		return &l->actions[o->fail_action].ex;
	if (o->fail_expect < 0)
		return NULL;
	const struct scn_expect *e = &l->s->expects[o->fail_expect];
	const struct scn_state *st = e->is_event ? &e->event.state : &e->state;
	if (e->is_event && e->event.kind != SCN_EV_BECOMES)
		return e->event.kind == SCN_EV_PROCESS ? NULL : &l->runners[e->event.node].last;
	switch (op_for(st->kind)) {
	case RC_OP_RUNNERS_LIST: return &l->obs_runners;
	case RC_OP_TASK_GET: return &l->obs_task[st->subject];
	case RC_OP_SANDBOX_GET: return &l->obs_sandbox[st->subject];
	default: return st->subject > 0 ? &l->runners[st->subject].last : NULL;
	}
}

void conf_evidence(struct conf_live *l, char *buf, size_t n)
{
	const struct conf_exchange *ex = evidence_of(l);
	buf[0] = '\0';
	if (ex && ex->path)
		conf_exchange_format(ex, buf, n, 600);
}
