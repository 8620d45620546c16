/*
 * actions.c - scripted actions: sim_at_* schedule them, apply carries them out.
 *
 * An action is stored with copies of every string it needs (in the world's
 * string pool, released with the world) and
 * applied when its virtual time comes, as one event. API actions (tasks,
 * sandboxes, raw requests) become a request to the coordinator delivered at
 * that instant; their reply lands in the action's result. Node life
 * (start, stop, crash, pause, resume) lives here too because the fault
 * injector and the workload use it as well.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static const char *const act_names[ACT_COUNT] = {
	[ACT_START] = "start", [ACT_STOP] = "stop", [ACT_CRASH] = "crash", [ACT_PAUSE] = "pause",
	[ACT_RESUME] = "resume", [ACT_PARTITION] = "partition", [ACT_HEAL] = "heal",
	[ACT_DROP_NEXT] = "drop-next", [ACT_DELAY_NEXT] = "delay-next", [ACT_CLOCK_SKEW] = "clock-skew",
	[ACT_CLOCK_JUMP] = "clock-jump", [ACT_CLOCK_DRIFT] = "clock-drift", [ACT_SUBMIT] = "submit-task",
	[ACT_SANDBOX_CREATE] = "sandbox-create", [ACT_SANDBOX_DELETE] = "sandbox-delete",
	[ACT_SANDBOX_REPORT] = "sandbox-report", [ACT_RAW] = "raw-request",
	[ACT_ROTATE_SECRET] = "rotate-secret", [ACT_EXPECT_LIVENESS] = "expect-liveness",
};

/* ------------------------------------------------------------ helpers */

static bool node_ok(struct sim_world *w, int node)
{
	if (node >= 0 && node < w->n_nodes)
		return true;
	sim_fail(w, "no node with handle %d", node);
	return false;
}

static bool runner_ok(struct sim_world *w, int node)
{
	if (!node_ok(w, node))
		return false;
	if (w->nodes[node].kind == SIM_NODE_RUNNER)
		return true;
	sim_fail(w, "node %s is not a runner", w->nodes[node].name);
	return false;
}

static int add_action(struct sim_world *w, int64_t at_ms, enum sim_act kind, struct sim_action **out)
{
	*out = NULL;
	if (at_ms < w->now)
		return sim_fail(w, "%s at %lld ms: that time is already past (now %lld ms)", act_names[kind],
				(long long)at_ms, (long long)w->now);
	if (w->n_actions >= SIM_MAP_NONE - 1)
		return sim_fail(w, "too many actions");
	SIM_GROW(w->actions, w->cap_actions, w->n_actions + 1);
	int idx = (int)w->n_actions++;
	struct sim_action *a = &w->actions[idx];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->node = a->node2 = -1;
	a->task = -1;
	sim_push(w, at_ms, EVT_ACTION, (uint32_t)idx, 0);
	*out = a;
	return idx;
}

/* An action's strings are in the world's pool. */
static void free_action(struct sim_action *a)
{
	free(a->nodes);
	free(a->raw);
}

void sim_actions_free(struct sim_world *w)
{
	for (size_t i = 0; i < w->n_actions; i++)
		free_action(&w->actions[i]);
	free(w->actions);
}

const struct sim_action_result *sim_action_result(const struct sim_world *w, int handle)
{
	if (handle < 0 || (size_t)handle >= w->n_actions)
		return NULL;
	return &w->actions[handle].result;
}

/* ------------------------------------------------------- node actions */

static int node_action(struct sim_world *w, int64_t at_ms, enum sim_act kind, int node, int64_t ms)
{
	if (!node_ok(w, node))
		return -1;
	struct sim_action *a;
	int idx = add_action(w, at_ms, kind, &a);
	if (idx >= 0) {
		a->node = node;
		a->ms = ms;
	}
	return idx;
}

int sim_at_start(struct sim_world *w, int64_t at_ms, int node)
{
	return node_action(w, at_ms, ACT_START, node, 0);
}

int sim_at_stop(struct sim_world *w, int64_t at_ms, int node)
{
	return node_action(w, at_ms, ACT_STOP, node, 0);
}

int sim_at_crash(struct sim_world *w, int64_t at_ms, int node, int64_t restart_after_ms)
{
	return node_action(w, at_ms, ACT_CRASH, node, restart_after_ms);
}

int sim_at_pause(struct sim_world *w, int64_t at_ms, int node)
{
	return node_action(w, at_ms, ACT_PAUSE, node, 0);
}

int sim_at_resume(struct sim_world *w, int64_t at_ms, int node)
{
	return node_action(w, at_ms, ACT_RESUME, node, 0);
}

int sim_at_clock_skew(struct sim_world *w, int64_t at_ms, int node, int64_t offset_ms)
{
	return node_action(w, at_ms, ACT_CLOCK_SKEW, node, offset_ms);
}

int sim_at_clock_jump(struct sim_world *w, int64_t at_ms, int node, int64_t delta_ms)
{
	return node_action(w, at_ms, ACT_CLOCK_JUMP, node, delta_ms);
}

int sim_at_clock_drift(struct sim_world *w, int64_t at_ms, int node, int32_t ppm)
{
	if (ppm <= -1000000 || ppm >= 1000000)
		return sim_fail(w, "clock drift %d ppm: must be within (-1000000, 1000000)", ppm);
	int idx = node_action(w, at_ms, ACT_CLOCK_DRIFT, node, 0);
	if (idx >= 0)
		w->actions[idx].ppm = ppm;
	return idx;
}

int sim_at_partition(struct sim_world *w, int64_t at_ms, const int *nodes, size_t n, enum sim_partition_dir dir)
{
	if (n == 0)
		return sim_fail(w, "a partition needs at least one node");
	for (size_t i = 0; i < n; i++)
		if (!node_ok(w, nodes[i]))
			return -1;
	if (dir != SIM_PART_BOTH && dir != SIM_PART_OUT && dir != SIM_PART_IN)
		return sim_fail(w, "unknown partition direction %d", (int)dir);
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_PARTITION, &a);
	if (idx >= 0) {
		a->nodes = sim_xrealloc(NULL, n * sizeof *nodes);
		memcpy(a->nodes, nodes, n * sizeof *nodes);
		a->n_nodes = n;
		a->dir = dir;
	}
	return idx;
}

int sim_at_heal(struct sim_world *w, int64_t at_ms, int partition)
{
	if (partition != -1 && (partition < 0 || (size_t)partition >= w->n_actions ||
				w->actions[partition].kind != ACT_PARTITION))
		return sim_fail(w, "action %d is not a partition", partition);
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_HEAL, &a);
	if (idx >= 0)
		a->n = partition;
	return idx;
}

static int link_rule(struct sim_world *w, int64_t at_ms, enum sim_act kind, int from, int to, enum rc_op op,
		     int n, int64_t delay_ms)
{
	if (!node_ok(w, from) || !node_ok(w, to))
		return -1;
	if ((from == w->coord) == (to == w->coord))
		return sim_fail(w, "a link joins the coordinator and a runner");
	if (n < 1 || (unsigned)op >= RC_OP_COUNT)
		return sim_fail(w, "drop/delay next: n must be >= 1 and op known");
	if (kind == ACT_DELAY_NEXT && delay_ms < 1)
		return sim_fail(w, "delay next: delay must be >= 1 ms");
	struct sim_action *a;
	int idx = add_action(w, at_ms, kind, &a);
	if (idx >= 0) {
		a->node = from;
		a->node2 = to;
		a->op = op;
		a->n = n;
		a->ms = delay_ms;
	}
	return idx;
}

int sim_at_drop_next(struct sim_world *w, int64_t at_ms, int from, int to, enum rc_op op, int n)
{
	return link_rule(w, at_ms, ACT_DROP_NEXT, from, to, op, n, 0);
}

int sim_at_delay_next(struct sim_world *w, int64_t at_ms, int from, int to, enum rc_op op, int n,
		      int64_t delay_ms)
{
	return link_rule(w, at_ms, ACT_DELAY_NEXT, from, to, op, n, delay_ms);
}

/* -------------------------------------------------------- API actions */

void sim_task_spec_defaults(struct sim_task_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->kind = "work";
	spec->payload = "";
	spec->duration_ms = 1000;
	spec->crash_after_ms = 500;
}

static const char *task_name_at(const void *tasks, size_t i)
{
	return ((const struct sim_task *)tasks)[i].name;
}

static const char *sandbox_name_at(const void *sandboxes, size_t i)
{
	return ((const struct sim_sandbox *)sandboxes)[i].name;
}

int sim_task_index(const struct sim_world *w, const char *name)
{
	return sim_find_named(&w->task_by_name, name, w->tasks, w->n_tasks, task_name_at);
}

int sim_sandbox_index(const struct sim_world *w, const char *name)
{
	return sim_find_named(&w->sandbox_by_name, name, w->sandboxes, w->n_sandboxes, sandbox_name_at);
}

int sim_add_task(struct sim_world *w, const struct sim_task_spec *spec)
{
	if (!spec->name || !spec->name[0])
		return sim_fail(w, "a task needs a name");
	if (sim_task_index(w, spec->name) >= 0)
		return sim_fail(w, "a task called %s already exists", spec->name);
	if (spec->crash_times < 0 || spec->crash_after_ms < 0)
		return sim_fail(w, "task %s: crash_times and crash_after_ms must be >= 0", spec->name);
	SIM_GROW(w->tasks, w->cap_tasks, w->n_tasks + 1);
	struct sim_task *t = &w->tasks[w->n_tasks];
	memset(t, 0, sizeof *t);
	t->name = sim_strpool_dup(&w->pool, spec->name);
	t->kind = sim_strpool_dup(&w->pool, spec->kind ? spec->kind : "work");
	t->payload = sim_strpool_dup(&w->pool, spec->payload ? spec->payload : "");
	t->spec = *spec;
	t->spec.name = t->name;
	t->spec.kind = t->kind;
	t->spec.payload = t->payload;
	sim_map_put(&w->task_by_name, sim_hash_str(t->name), (uint32_t)w->n_tasks);
	return (int)w->n_tasks++;
}

int sim_at_submit_task(struct sim_world *w, int64_t at_ms, const struct sim_task_spec *spec)
{
	if (at_ms < w->now)
		return sim_fail(w, "submit at %lld ms: that time is already past", (long long)at_ms);
	int t = sim_add_task(w, spec);
	if (t < 0)
		return -1;
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_SUBMIT, &a);
	if (idx >= 0)
		a->task = t;
	return idx;
}

int sim_add_sandbox(struct sim_world *w, const char *name)
{
	SIM_GROW(w->sandboxes, w->cap_sandboxes, w->n_sandboxes + 1);
	struct sim_sandbox *s = &w->sandboxes[w->n_sandboxes];
	s->name = sim_strpool_dup(&w->pool, name);
	s->id = 0;
	sim_map_put(&w->sandbox_by_name, sim_hash_str(name), (uint32_t)w->n_sandboxes);
	return (int)w->n_sandboxes++;
}

int sim_at_sandbox_create(struct sim_world *w, int64_t at_ms, const char *name, const char *task_name)
{
	if (!name || !name[0])
		return sim_fail(w, "a sandbox needs a name");
	if (sim_sandbox_index(w, name) >= 0)
		return sim_fail(w, "a sandbox called %s already exists", name);
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_SANDBOX_CREATE, &a);
	if (idx >= 0) {
		sim_add_sandbox(w, name);
		a->s1 = sim_strpool_dup(&w->pool, name);
		a->s2 = sim_strpool_dup(&w->pool, task_name);
	}
	return idx;
}

int sim_at_sandbox_delete(struct sim_world *w, int64_t at_ms, const char *name)
{
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_SANDBOX_DELETE, &a);
	if (idx >= 0)
		a->s1 = sim_strpool_dup(&w->pool, name);
	return idx;
}

int sim_at_sandbox_report(struct sim_world *w, int64_t at_ms, const char *name, int runner,
			  const char *status_word, const char *container_id)
{
	if (runner != -1 && !runner_ok(w, runner))
		return -1;
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_SANDBOX_REPORT, &a);
	if (idx >= 0) {
		a->s1 = sim_strpool_dup(&w->pool, name);
		a->node = runner;
		a->s2 = sim_strpool_dup(&w->pool, status_word);
		a->s3 = sim_strpool_dup(&w->pool, container_id);
	}
	return idx;
}

void sim_raw_request_defaults(struct sim_raw_request *req)
{
	memset(req, 0, sizeof *req);
	req->runner = -1;
	req->secret_mode = SIM_SECRET_CURRENT;
	req->label = "raw";
}

int sim_at_raw_request(struct sim_world *w, int64_t at_ms, const struct sim_raw_request *req)
{
	if ((unsigned)req->msg.op >= RC_OP_COUNT || req->msg.op == RC_OP_NONE)
		return sim_fail(w, "raw request: unknown op %d", (int)req->msg.op);
	if (req->runner != -1 && !runner_ok(w, req->runner))
		return -1;
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_RAW, &a);
	if (idx < 0)
		return -1;
	struct sim_raw_action *raw = a->raw = sim_xrealloc(NULL, sizeof *raw);
	raw->req = *req;
	struct rc_msg *m = &raw->req.msg;
	const char **fields[] = { &m->secret, &m->runner_id, &m->hostname, &m->project_dir,
				  &m->executor_type, &m->instance_token, &m->kind, &m->payload,
				  &m->text, &m->status_word, &m->container_id, &raw->req.label };
	_Static_assert(sizeof fields / sizeof fields[0] == sizeof raw->strings / sizeof raw->strings[0],
		       "one owned copy per string of the request");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		raw->strings[i] = sim_strpool_dup(&w->pool, *fields[i]);
		*fields[i] = raw->strings[i];
	}
	a->s1 = sim_strpool_dup(&w->pool, req->task_name);
	a->s2 = sim_strpool_dup(&w->pool, req->sandbox_name);
	raw->req.task_name = a->s1;
	raw->req.sandbox_name = a->s2;
	a->api_label = raw->req.label;
	return idx;
}

int sim_at_rotate_secret(struct sim_world *w, int64_t at_ms, const char *new_secret, bool update_runners)
{
	if (!new_secret || !new_secret[0] || strlen(new_secret) > RC_MAX_SECRET_LEN)
		return sim_fail(w, "rotate secret: the new secret must be 1..%d characters", RC_MAX_SECRET_LEN);
	struct sim_action *a;
	int idx = add_action(w, at_ms, ACT_ROTATE_SECRET, &a);
	if (idx >= 0) {
		a->s1 = sim_strpool_dup(&w->pool, new_secret);
		a->flag = update_runners;
	}
	return idx;
}

int sim_at_expect_liveness(struct sim_world *w, int64_t at_ms)
{
	struct sim_action *a;
	return add_action(w, at_ms, ACT_EXPECT_LIVENESS, &a);
}

/* ------------------------------------------------------------ node life */

void sim_node_start(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if ((n->state == SIM_NODE_UP || n->state == SIM_NODE_PAUSED) && n->stopping) {
		/* Still draining (perhaps paused mid-drain): start it once it has
		 * exited, as a supervisor would, instead of dropping the start
		 * (which left a runner that a fault had stopped down for the rest
		 * of the run). */
		n->start_pending = true;
		return;
	}
	if (n->state == SIM_NODE_UP || n->state == SIM_NODE_PAUSED)
		return;
	if (n->kind == SIM_NODE_COORD)
		sim_coord_start(w);
	else
		sim_runner_start(w, node);
}

void sim_node_crash(struct sim_world *w, int node, int64_t restart_after_ms)
{
	struct sim_node *n = &w->nodes[node];
	if (n->state != SIM_NODE_UP && n->state != SIM_NODE_PAUSED)
		return;
	if (n->kind == SIM_NODE_COORD)
		sim_coord_crash(w);
	else
		sim_runner_crash(w, node);
	if (restart_after_ms >= 0) {
		struct sim_action *a;
		int idx = add_action(w, w->now + restart_after_ms, ACT_START, &a);
		if (idx >= 0) {
			a->node = node;
			n = &w->nodes[node];
			n->restart_at = w->now + restart_after_ms;
		}
	}
}

void sim_node_stop(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if (n->state != SIM_NODE_UP || n->stopping)
		return;
	if (n->kind == SIM_NODE_COORD)
		sim_coord_stop(w);
	else
		sim_runner_drain(w, node);
}

void sim_node_pause(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if (n->state != SIM_NODE_UP)
		return;
	sim_node_set_state(w, node, SIM_NODE_PAUSED);
	n->disturbed_at = w->now;
	sim_record_node(w, node, "pause", NULL);
}

static void clock_change(struct sim_world *w, int node, const struct sim_action *a)
{
	struct sim_node *n = &w->nodes[node];
	const char *what = "skew";
	int64_t value = a->ms;
	switch (a->kind) {
	case ACT_CLOCK_SKEW:
		sim_clock_set_offset(&n->clock, w->now, a->ms);
		break;
	case ACT_CLOCK_JUMP:
		sim_clock_jump(&n->clock, w->now, a->ms);
		what = "jump";
		break;
	default:
		sim_clock_set_drift(&n->clock, w->now, a->ppm);
		what = "drift";
		value = a->ppm;
		break;
	}
	n->disturbed_at = w->now;
	struct sim_event *ev = sim_record(w, SIM_EV_CLOCK, node);
	if (ev) {
		ev->what = what;
		ev->value = value;
		sim_emit(w, ev);
	}
	sim_node_rearm(w, node);
}

/* ------------------------------------------------------- applying API */

static uint64_t task_id_of(const struct sim_world *w, const char *name)
{
	int t = sim_task_index(w, name);
	return t < 0 ? 0 : w->tasks[t].id;
}

static uint64_t sandbox_id_of(const struct sim_world *w, const char *name)
{
	int s = sim_sandbox_index(w, name);
	return s < 0 ? 0 : w->sandboxes[s].id;
}

uint64_t sim_task_id(const struct sim_world *w, const char *name)
{
	return task_id_of(w, name);
}

uint64_t sim_sandbox_id(const struct sim_world *w, const char *name)
{
	return sandbox_id_of(w, name);
}

static void api_request(struct sim_world *w, int idx, struct rc_msg *m, const char *label)
{
	struct sim_action *a = &w->actions[idx];
	m->req_id = (uint64_t)idx + 1;
	a->api_op = m->op;
	if (!a->api_label)
		a->api_label = label;
	sim_net_api_send(w, idx, m);
}

static void apply_api(struct sim_world *w, int idx)
{
	struct sim_action *a = &w->actions[idx];
	struct rc_msg m = { 0 };
	switch (a->kind) {
	case ACT_SUBMIT:
		m.op = RC_OP_TASK_SUBMIT;
		m.kind = w->tasks[a->task].kind;
		m.payload = w->tasks[a->task].payload;
		api_request(w, idx, &m, w->tasks[a->task].name);
		break;
	case ACT_SANDBOX_CREATE:
		m.op = RC_OP_SANDBOX_CREATE;
		m.sandbox_task_id = a->s2 ? task_id_of(w, a->s2) : 0;
		api_request(w, idx, &m, a->s1);
		break;
	case ACT_SANDBOX_DELETE:
		m.op = RC_OP_SANDBOX_DELETE;
		m.sandbox_id = sandbox_id_of(w, a->s1);
		api_request(w, idx, &m, a->s1);
		break;
	case ACT_SANDBOX_REPORT:
		m.op = RC_OP_SANDBOX_REPORT;
		m.sandbox_id = sandbox_id_of(w, a->s1);
		m.runner_id = a->node >= 0 ? w->nodes[a->node].expected_id : NULL;
		m.secret = w->coord_secret;
		m.status_word = a->s2;
		m.container_id = a->s3;
		api_request(w, idx, &m, a->s1);
		break;
	case ACT_RAW: {
		const struct sim_raw_request *raw = &a->raw->req;
		m = raw->msg;
		if (raw->task_name)
			m.task_id = task_id_of(w, raw->task_name);
		if (raw->sandbox_name)
			m.sandbox_id = sandbox_id_of(w, raw->sandbox_name);
		if (raw->runner >= 0) {
			const struct sim_node *r = &w->nodes[raw->runner];
			m.runner_id = r->expected_id;
			if (raw->use_runner_session && r->runner)
				m.session = rc_runner_session(r->runner);
		}
		if (raw->secret_mode == SIM_SECRET_CURRENT)
			m.secret = w->coord_secret;
		api_request(w, idx, &m, "raw");
		break;
	}
	default:
		assert(!"not an API action");
	}
}

void sim_action_replied(struct sim_world *w, int idx, int status)
{
	struct sim_action *a = &w->actions[idx];
	if (status < 200 || status >= 300)
		return;
	if (a->kind == ACT_SUBMIT && a->result.task_id) {
		w->tasks[a->task].id = a->result.task_id;
		sim_map_put(&w->task_by_id, a->result.task_id, (uint32_t)a->task);
	} else if (a->kind == ACT_SANDBOX_CREATE && a->result.sandbox_id) {
		int s = sim_sandbox_index(w, a->s1);
		if (s >= 0)
			w->sandboxes[s].id = a->result.sandbox_id;
	}
}

static void rotate_secret(struct sim_world *w, const struct sim_action *a)
{
	struct sim_node *c = &w->nodes[w->coord];
	if (c->coord) {
		int64_t now = sim_node_now(w, w->coord);
		if (rc_coord_rotate_secret(c->coord, now, a->s1) != 0)
			return;
	}
	w->coord_secret = (char *)sim_intern(w, a->s1);
	sim_storage_set_secret(&w->store, a->s1);
	if (!a->flag)
		return;
	for (int i = 0; i < w->n_nodes; i++)
		if (w->nodes[i].kind == SIM_NODE_RUNNER)
			w->nodes[i].next_secret = w->coord_secret;
}

/* ---------------------------------------------------------- applying */

static void trace_action(struct sim_world *w, const struct sim_action *a, const char *text)
{
	struct sim_event *ev = sim_record(w, SIM_EV_ACTION, a->node);
	if (ev) {
		ev->what = act_names[a->kind];
		ev->peer = a->node2;
		ev->value = a->kind == ACT_CLOCK_DRIFT ? a->ppm : a->kind == ACT_HEAL ? a->n : a->ms;
		ev->text = text;
		sim_emit(w, ev);
	}
}

void sim_scheduled_start(struct sim_world *w, int node)
{
	struct sim_action a = { .kind = ACT_START, .node = node, .node2 = -1, .task = -1 };
	trace_action(w, &a, NULL);
	sim_node_start(w, node);
}

/* A scripted crash. With a restart (`restart N`) a node that is not running
 * has nothing to lose, but its start stands: the node used to stay crashed,
 * exited or down. (The fault injector crashes only running nodes.) */
static void crash_action(struct sim_world *w, int node, int64_t restart_after_ms)
{
	enum sim_node_state state = w->nodes[node].state;
	if (state == SIM_NODE_UP || state == SIM_NODE_PAUSED || restart_after_ms < 0)
		sim_node_crash(w, node, restart_after_ms);
	else
		sim_at_start(w, w->now + restart_after_ms, node);
}

void sim_action_apply(struct sim_world *w, int idx)
{
	struct sim_action *a = &w->actions[idx];
	w->current_action = idx;
	trace_action(w, a, a->kind == ACT_SUBMIT ? w->tasks[a->task].name : a->s1);
	a->result.applied = true;
	a->result.at_ms = w->now;
	switch (a->kind) {
	case ACT_START:
		sim_node_start(w, a->node);
		break;
	case ACT_STOP:
		sim_node_stop(w, a->node);
		break;
	case ACT_CRASH:
		crash_action(w, a->node, a->ms);
		break;
	case ACT_PAUSE:
		sim_node_pause(w, a->node);
		break;
	case ACT_RESUME:
		sim_node_resume(w, a->node);
		break;
	case ACT_PARTITION:
		sim_net_partition(w, idx, a->nodes, a->n_nodes, a->dir);
		break;
	case ACT_HEAL:
		sim_net_heal(w, a->n);
		break;
	case ACT_DROP_NEXT:
	case ACT_DELAY_NEXT: {
		struct sim_link_rule r = { .from = a->node, .to = a->node2, .op = a->op,
					   .remaining = a->n, .delay_ms = a->kind == ACT_DELAY_NEXT ? a->ms : 0 };
		sim_net_add_rule(w, &r);
		break;
	}
	case ACT_CLOCK_SKEW:
	case ACT_CLOCK_JUMP:
	case ACT_CLOCK_DRIFT:
		clock_change(w, a->node, a);
		break;
	case ACT_SUBMIT:
	case ACT_SANDBOX_CREATE:
	case ACT_SANDBOX_DELETE:
	case ACT_SANDBOX_REPORT:
	case ACT_RAW:
		a->result.applied = false; /* until the reply is in */
		apply_api(w, idx);
		break;
	case ACT_ROTATE_SECRET:
		rotate_secret(w, a);
		break;
	case ACT_EXPECT_LIVENESS:
		sim_check_liveness(w);
		break;
	case ACT_COUNT:
		assert(!"bad action");
	}
	w->current_action = -1;
}
