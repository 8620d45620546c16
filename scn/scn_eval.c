/*
 * scn_eval.c - what a scenario's words mean in a simulated world.
 *
 * Registry states are read from the coordinator's core (the only judge of
 * liveness), a runner's phase and ID from the runner's core, a node's life
 * from the simulator. A runner's registry record is found by the ID its
 * three properties give, so clones share one record, as they do for real.
 * While the coordinator is down nothing about the registry, tasks or
 * sandboxes holds.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "scn_internal.h"
#include "scn_run_internal.h"

static const char *node_id(struct scn_runctx *r, int node)
{
	const char *id = sim_runner_node_id(r->w, r->node[node]);
	return id ? id : "";
}

static const struct rc_runner_record *record_of(struct scn_runctx *r, int node)
{
	const struct rc_coord *c = sim_coord(r->w);
	return c ? rc_coord_find_runner(c, node_id(r, node)) : NULL;
}

static const struct rc_task *task_of(struct scn_runctx *r, int task)
{
	if (r->task_id[task] == 0)
		r->task_id[task] = sim_task_id(r->w, r->s->tasks[task].name);
	const struct rc_coord *c = sim_coord(r->w);
	return c && r->task_id[task] ? rc_coord_find_task(c, r->task_id[task]) : NULL;
}

static const struct rc_sandbox *sandbox_of(struct scn_runctx *r, int sandbox)
{
	if (r->sandbox_id[sandbox] == 0)
		r->sandbox_id[sandbox] = sim_sandbox_id(r->w, r->s->sandboxes[sandbox].name);
	const struct rc_coord *c = sim_coord(r->w);
	return c && r->sandbox_id[sandbox] ? rc_coord_find_sandbox(c, r->sandbox_id[sandbox]) : NULL;
}

static void track_registrations(void *ctx)
{
	struct scn_runctx *r = ctx;
	if (!r->judge.reads_removed)
		return;
	for (size_t i = 1; i < r->s->n_nodes; i++)
		if (!r->ever_registered[i] && record_of(r, (int)i))
			r->ever_registered[i] = true;
}

static bool runner_status(struct scn_runctx *r, const struct scn_state *st)
{
	if (!sim_coord(r->w))
		return false;
	const struct rc_runner_record *rec = record_of(r, st->subject);
	if (st->value == RC_RUNNER_REMOVED)
		return !rec && r->ever_registered[st->subject];
	return rec && (int)rec->status == st->value;
}

static bool state_value(void *ctx, const struct scn_state *st)
{
	struct scn_runctx *r = ctx;
	switch (st->kind) {
	case SCN_ST_RUNNER_STATUS:
		return runner_status(r, st);
	case SCN_ST_RUNNER_REGISTERED:
		return record_of(r, st->subject) != NULL;
	case SCN_ST_NODE_PROCESS:
		return (int)sim_node_state(r->w, r->node[st->subject]) == st->value;
	case SCN_ST_RUNNER_PHASE: {
		const struct rc_runner *core = sim_runner_core(r->w, r->node[st->subject]);
		return core && (int)rc_runner_phase(core) == st->value;
	}
	case SCN_ST_RUNNER_ID: {
		const struct rc_runner *core = sim_runner_core(r->w, r->node[st->subject]);
		return core && strcmp(rc_runner_id(core), st->text) == 0;
	}
	case SCN_ST_TASK_STATE: {
		const struct rc_task *t = task_of(r, st->subject);
		return t && (int)t->state == st->value;
	}
	case SCN_ST_TASK_OWNER: {
		const struct rc_task *t = task_of(r, st->subject);
		return t && t->runner_id[0] && strcmp(t->runner_id, node_id(r, st->other)) == 0;
	}
	case SCN_ST_TASK_ATTEMPT: {
		const struct rc_task *t = task_of(r, st->subject);
		return t && t->attempt == st->value;
	}
	case SCN_ST_SANDBOX_STATUS: {
		const struct rc_sandbox *b = sandbox_of(r, st->subject);
		return b && (int)b->status == st->value;
	}
	case SCN_ST_SANDBOX_BOUND: {
		const struct rc_sandbox *b = sandbox_of(r, st->subject);
		if (!b)
			return false;
		return st->other < 0 ? b->runner_id[0] == '\0' : strcmp(b->runner_id, node_id(r, st->other)) == 0;
	}
	case SCN_ST_RUNNER_COUNT: {
		const struct rc_coord *c = sim_coord(r->w);
		return c && (int)rc_coord_runner_count(c) == st->value;
	}
	}
	return false;
}

/* The scenario node of a simulator node handle, -1 if none. */
static int scenario_node(const struct scn_runctx *r, int handle)
{
	for (size_t i = 0; i < r->s->n_nodes; i++)
		if (r->node[i] == handle)
			return (int)i;
	return -1;
}

/* The scenario task of a coordinator task id, -1 if none. */
static int scenario_task(struct scn_runctx *r, uint64_t id)
{
	for (size_t i = 0; id && i < r->s->n_tasks; i++) {
		task_of(r, (int)i); /* resolves the id */
		if (r->task_id[i] == id)
			return (int)i;
	}
	return -1;
}

static bool proc_event(const struct sim_event *rec, enum scn_proc_event *out)
{
	if (rec->kind == SIM_EV_PROC_START)
		*out = SCN_PEV_STARTS;
	else if (rec->kind == SIM_EV_PROC_EXIT && rec->what && strcmp(rec->what, "clean") == 0)
		*out = SCN_PEV_EXITS;
	else if (rec->kind == SIM_EV_PROC_EXIT && rec->what && strcmp(rec->what, "crash") == 0)
		*out = SCN_PEV_CRASHES;
	else if (rec->kind == SIM_EV_PROC_SIGNAL && rec->value == RC_SIG_TERM)
		*out = SCN_PEV_SIGTERM;
	else if (rec->kind == SIM_EV_PROC_SIGNAL && rec->value == RC_SIG_KILL)
		*out = SCN_PEV_SIGKILL;
	else
		return false;
	return true;
}

bool scn_sim_record(struct scn_runctx *r, const struct sim_event *rec, struct scn_record *out)
{
	memset(out, 0, sizeof *out);
	out->at_ms = rec->at_ms;
	out->node = scenario_node(r, rec->node);
	out->op = rec->op;
	out->status = rec->status;
	out->task = -1;
	if (out->node <= 0)
		return false; /* the world or the coordinator: nothing a scenario names */
	switch (rec->kind) {
	case SIM_EV_DELIVER: /* a reply the runner actually received */
		out->kind = SCN_REC_REPLY;
		return rec->peer == r->node[0];
	case SIM_EV_SEND: /* a request the runner put on the wire */
		out->kind = SCN_REC_SEND;
		return rec->peer == r->node[0];
	default:
		out->kind = SCN_REC_PROC;
		if (!proc_event(rec, &out->proc))
			return false;
		out->task = scenario_task(r, rec->task_id);
		return out->task >= 0;
	}
}

/* The scenario name of the runner holding registry ID id, or the ID. */
static const char *runner_name(struct scn_runctx *r, const char *id)
{
	for (size_t i = 1; i < r->s->n_nodes; i++)
		if (strcmp(node_id(r, (int)i), id) == 0)
			return r->s->nodes[i].name;
	return id;
}

static void describe_runner(struct scn_runctx *r, const struct scn_state *st, char *buf, size_t n)
{
	const char *name = r->s->nodes[st->subject].name;
	const struct rc_runner *core = sim_runner_core(r->w, r->node[st->subject]);
	const char *life = sim_node_state_name(sim_node_state(r->w, r->node[st->subject]));
	if (st->kind == SCN_ST_NODE_PROCESS) {
		snprintf(buf, n, "%s is %s", name, life);
	} else if (st->kind == SCN_ST_RUNNER_PHASE || st->kind == SCN_ST_RUNNER_ID) {
		if (!core)
			snprintf(buf, n, "%s is %s (no runner core)", name, life);
		else
			snprintf(buf, n, "%s is %s, its id is '%s'", name, rc_runner_phase_name(rc_runner_phase(core)),
				 rc_runner_id(core));
	} else if (!sim_coord(r->w)) {
		snprintf(buf, n, "the coordinator is down");
	} else {
		const struct rc_runner_record *rec = record_of(r, st->subject);
		snprintf(buf, n, "%s is %s", name,
			 rec ? rc_runner_status_name(rec->status)
			     : r->ever_registered[st->subject] ? "removed" : "not registered");
	}
}

static void describe_actual(void *ctx, const struct scn_state *st, char *buf, size_t n)
{
	struct scn_runctx *r = ctx;
	switch (st->kind) {
	case SCN_ST_RUNNER_STATUS: case SCN_ST_RUNNER_REGISTERED: case SCN_ST_NODE_PROCESS:
	case SCN_ST_RUNNER_PHASE: case SCN_ST_RUNNER_ID:
		if (st->subject == 0)
			snprintf(buf, n, "the coordinator is %s", sim_node_state_name(sim_node_state(r->w, r->node[0])));
		else
			describe_runner(r, st, buf, n);
		return;
	case SCN_ST_TASK_STATE: case SCN_ST_TASK_OWNER: case SCN_ST_TASK_ATTEMPT: {
		const char *name = r->s->tasks[st->subject].name;
		const struct rc_task *t = task_of(r, st->subject);
		if (!sim_coord(r->w))
			snprintf(buf, n, "the coordinator is down");
		else if (!t)
			snprintf(buf, n, "task %s does not exist (yet)", name);
		else
			snprintf(buf, n, "task %s is %s, attempt %d%s%s", name, rc_task_state_name(t->state), t->attempt,
				 t->runner_id[0] ? ", on " : "", t->runner_id[0] ? runner_name(r, t->runner_id) : "");
		return;
	}
	case SCN_ST_SANDBOX_STATUS: case SCN_ST_SANDBOX_BOUND: {
		const char *name = r->s->sandboxes[st->subject].name;
		const struct rc_sandbox *b = sandbox_of(r, st->subject);
		if (!sim_coord(r->w))
			snprintf(buf, n, "the coordinator is down");
		else if (!b)
			snprintf(buf, n, "sandbox %s does not exist (yet)", name);
		else
			snprintf(buf, n, "sandbox %s is %s, %s%s", name, rc_sandbox_status_name(b->status),
				 b->runner_id[0] ? "bound to " : "unbound", b->runner_id[0] ? runner_name(r, b->runner_id) : "");
		return;
	}
	case SCN_ST_RUNNER_COUNT: {
		const struct rc_coord *c = sim_coord(r->w);
		if (!c)
			snprintf(buf, n, "the coordinator is down");
		else
			snprintf(buf, n, "the coordinator has %zu runner%s", rc_coord_runner_count(c),
				 rc_coord_runner_count(c) == 1 ? "" : "s");
		return;
	}
	}
	snprintf(buf, n, "?");
}

/* text with every "task ID" (the coordinator's number) written "task NAME". */
static void rename_task(const char *text, uint64_t id, const char *name, char *buf, size_t n)
{
	char word[32];
	size_t len = (size_t)snprintf(word, sizeof word, "task %" PRIu64, id), used = 0;
	const char *p = text;
	for (const char *at = strstr(p, word); at && used < n; at = strstr(at + len, word)) {
		if (isdigit((unsigned char)at[len]))
			continue; /* "task 12" is not task 1 */
		used += (size_t)snprintf(buf + used, n - used, "%.*stask %s", (int)(at - p), p, name);
		p = at + len;
	}
	if (used < n)
		snprintf(buf + used, n - used, "%s", p);
}

void scn_violation_message(struct scn_runctx *r, const struct sim_violation *v, char *buf, size_t n)
{
	static const char first[] = "first: ";
	int task = scenario_task(r, v->task);
	const char *at = v->invariant == SIM_INV_LIVENESS ? strstr(v->message, first) : NULL;
	if (task < 0) {
		snprintf(buf, n, "%s", v->message);
	} else if (at) { /* the message ends with that task's state: told as the judge tells it */
		struct scn_state st = { .kind = SCN_ST_TASK_STATE, .subject = task, .other = -1 };
		char what[256];
		describe_actual(r, &st, what, sizeof what);
		snprintf(buf, n, "%.*s%s", (int)(at + sizeof first - 1 - v->message), v->message, what);
	} else {
		rename_task(v->message, v->task, r->s->tasks[task].name, buf, n);
	}
}

static const struct rc_runner *runner_core(void *ctx, int node)
{
	struct scn_runctx *r = ctx;
	return sim_runner_core(r->w, r->node[node]);
}

static uint64_t task_id(void *ctx, int task)
{
	struct scn_runctx *r = ctx;
	task_of(r, task); /* resolves the id */
	return r->task_id[task];
}

static bool action_reply(void *ctx, size_t action, struct scn_reply_seen *out)
{
	struct scn_runctx *r = ctx;
	const struct sim_action_result *res = sim_action_result(r->w, r->act[action]);
	if (!res)
		return false;
	out->applied = res->applied;
	out->status = res->status;
	out->error_code = res->error_code;
	out->message = res->message;
	return true;
}

const struct scn_world_ops scn_sim_world_ops = {
	.state_value = state_value,
	.runner_core = runner_core,
	.task_id = task_id,
	.describe = describe_actual,
	.before_poll = track_registrations,
	.action_reply = action_reply,
	.observable = NULL,
};
