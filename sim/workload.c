/*
 * workload.c - the random workload of `rollcall sim`.
 *
 * A coordinator, N runners (staggered starts, varied concurrency) and, from
 * four runners up, one clone of the first runner (same properties, another
 * install) that must be refused while the original is online. Tasks arrive
 * as a Poisson stream, admitted while the fleet can still finish its backlog
 * in the fault-free tail; some crash a few times, some fail for good, some
 * ignore SIGTERM. A fifth of the tasks get a sandbox that the runner owning
 * the task walks through its life cycle, with the odd illegal move or report
 * from a runner that does not own it (which must be refused). Runners are
 * stopped gracefully and started again ("runners come and go"); one that
 * exits on its own is started again by its "service manager". Faults stop
 * `quiet_ms` before the end, new work at that time or earlier (see
 * work_tail_ms), and a liveness check closes the run. All draws come from
 * the workload's own PRNG stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "sim_internal.h"

enum { WL_TASK = 1, WL_CHURN, WL_SANDBOX, WL_RESTART };

void sim_workload_defaults(struct sim_workload *wl)
{
	memset(wl, 0, sizeof *wl);
	wl->runners = 10;
	wl->duration_ms = 4 * 3600000LL;
	wl->quiet_ms = 1800000;
	wl->tasks_per_runner_hour = 4;
	wl->max_task_ms = 180000;
	wl->churn = true;
	wl->sandboxes = true;
}

void sim_workload_free(struct sim_world *w)
{
	free(w->work.sbx);
}

static int64_t between(struct rc_rng *rng, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rc_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

static int64_t exp_draw(struct rc_rng *rng, double mean_ms)
{
	return 1 + (int64_t)(-log(1.0 - rc_rng_unit(rng)) * mean_ms);
}

static void push_work(struct sim_world *w, int64_t at, uint32_t what, uint32_t arg)
{
	if (at < w->work.end_at)
		sim_push(w, at, EVT_WORKLOAD, what, arg);
}

/* What one task may take once a slot is free: a heartbeat (20 s) to claim
 * it, at most max_task_ms, and the restarts of a crashing process (under
 * 40 s together). */
static int64_t per_task_ms(const struct sim_workload *wl)
{
	return wl->max_task_ms + 20000 + 40000;
}

/* Ten minutes for the runners to come back and register, then a task. */
#define RETURN_MS 600000

/* How long before the end the workload stops adding work: the quiet tail,
 * but never less than the fleet needs to come back and finish one task per
 * slot. A shorter --quiet only shortens the faults' end; work that could
 * not finish before the closing liveness check is not started, so a run
 * without faults cannot fail it for want of time. */
static int64_t work_tail_ms(const struct sim_workload *wl)
{
	int64_t settle_ms = RETURN_MS + per_task_ms(wl);
	return wl->quiet_ms > settle_ms ? wl->quiet_ms : settle_ms;
}

/* How many unfinished tasks the fleet can still finish once the work
 * stops: each slot takes a task per per_task_ms after the runners came
 * back. At least one task per slot. */
static size_t drainable_tasks(const struct sim_workload *wl, size_t slots)
{
	int64_t usable_ms = work_tail_ms(wl) - RETURN_MS;
	int64_t per_slot = usable_ms > per_task_ms(wl) ? usable_ms / per_task_ms(wl) : 1;
	return slots * (size_t)per_slot;
}

static int add_runners(struct sim_world *w, const struct sim_workload *wl)
{
	struct rc_rng *rng = &w->work.rng;
	char name[32], host[32], proj[48];
	size_t slots = 0;
	for (int i = 0; i < wl->runners; i++) {
		struct sim_runner_spec rs;
		sim_runner_spec_defaults(&rs);
		snprintf(name, sizeof name, "r%05d", i);
		snprintf(host, sizeof host, "host-%05d", i);
		snprintf(proj, sizeof proj, "/srv/project-%d", i % 7);
		rs.name = name;
		rs.hostname = host;
		rs.project_dir = proj;
		rs.executor_type = i % 3 ? "test-executor" : "claude-code";
		rs.max_concurrency = 1 + (int)rc_rng_below(rng, 3);
		slots += (size_t)rs.max_concurrency;
		rs.start_at_ms = between(rng, 0, 20000);
		if (sim_add_runner(w, &rs) < 0)
			return -1;
	}
	w->work.max_unfinished = drainable_tasks(wl, slots);
	if (wl->runners >= 4) {
		struct sim_runner_spec rs;
		sim_runner_spec_defaults(&rs);
		rs.name = "clone-r00000";
		rs.hostname = "host-00000";
		rs.project_dir = "/srv/project-0";
		rs.executor_type = "claude-code";
		rs.start_at_ms = between(rng, 60000, 600000);
		if (sim_add_runner(w, &rs) < 0)
			return -1;
	}
	return 0;
}

int sim_workload_schedule(struct sim_world *w, const struct sim_workload *wl)
{
	if (w->n_nodes > 0)
		return sim_fail(w, "the workload needs an empty world");
	if (wl->runners < 1 || wl->quiet_ms < 0 || wl->duration_ms <= wl->quiet_ms || wl->max_task_ms < 1000 ||
	    wl->tasks_per_runner_hour < 0)
		return sim_fail(w, "workload: need runners >= 1, duration > quiet >= 0, max_task_ms >= 1000, "
				   "tasks_per_runner_hour >= 0");
	struct sim_workload_state *st = &w->work;
	st->on = true;
	st->wl = *wl;
	rc_rng_split(&st->rng, w->cfg.seed, STREAM_WORKLOAD);
	st->faults_end_at = wl->duration_ms - wl->quiet_ms;
	st->end_at = wl->duration_ms - work_tail_ms(wl);
	/* Set before the coordinator's start, the first record: the trace
	 * header is written then and must show when the faults stop. */
	bool ends_faults = w->cfg.faults.kinds && w->cfg.faults.until_ms == 0;
	if (ends_faults)
		w->cfg.faults.until_ms = st->faults_end_at;
	if (sim_add_coordinator(w, "coord") < 0 || add_runners(w, wl) < 0)
		return -1;
	st->first_runner = 1;
	st->n_runner_nodes = wl->runners;
	if (ends_faults)
		sim_faults_set_until(w, st->faults_end_at);
	if (wl->tasks_per_runner_hour > 0)
		push_work(w, exp_draw(&st->rng, 3600000.0 / (wl->tasks_per_runner_hour * wl->runners)), WL_TASK, 0);
	if (wl->churn)
		push_work(w, exp_draw(&st->rng, 600000.0 * 10 / (wl->runners + 9)), WL_CHURN, 0);
	return sim_at_expect_liveness(w, wl->duration_ms) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------- tasks */

static void submit_task(struct sim_world *w)
{
	struct sim_workload_state *st = &w->work;
	struct rc_rng *rng = &st->rng;
	char name[32];
	snprintf(name, sizeof name, "t%06llu", (unsigned long long)++st->tasks);
	struct sim_task_spec spec;
	sim_task_spec_defaults(&spec);
	spec.name = name;
	spec.duration_ms = between(rng, 1000, st->wl.max_task_ms);
	unsigned roll = (unsigned)rc_rng_below(rng, 100);
	if (roll < 15) {
		spec.crash_times = 1 + (int)rc_rng_below(rng, 3);
		spec.crash_after_ms = between(rng, 100, 5000);
	} else if (roll < 18) {
		spec.fail = true;
		spec.duration_ms = between(rng, 100, 3000);
	}
	spec.ignore_term = rc_rng_below(rng, 10) == 0;
	int t = sim_add_task(w, &spec);
	if (t < 0)
		return;
	struct rc_msg m = { .op = RC_OP_TASK_SUBMIT, .kind = w->tasks[t].kind, .payload = w->tasks[t].payload };
	sim_net_api_send_task(w, t, &m);
	st->submitting++;
	if (st->wl.sandboxes && rc_rng_below(rng, 5) == 0)
		push_work(w, w->now + between(rng, 100, 5000), WL_SANDBOX, (uint32_t)t << 8);
}

/* A task arrives, unless the fleet already holds as much unfinished work as
 * the fault-free tail can finish: the closing liveness check judges the
 * cores, and a backlog piled up while faults kept a small fleet away (one
 * runner partitioned for hours) could not drain in any tail, so such runs
 * failed it with a correct core. Submissions not yet answered count too: a
 * paused coordinator holds them, and they all land at its resume. The next
 * arrival is drawn either way. */
static void new_task(struct sim_world *w)
{
	struct sim_workload_state *st = &w->work;
	struct rc_rng *rng = &st->rng;
	double mean = 3600000.0 / (st->wl.tasks_per_runner_hour * st->wl.runners);
	if (w->chk.n_active + st->submitting < st->max_unfinished)
		submit_task(w);
	push_work(w, w->now + exp_draw(rng, mean), WL_TASK, 0);
}

/* ---------------------------------------------------------- sandboxes */

/* The runner node whose ID owns the task now (of a clone and its original,
 * the original), or -1. */
static int owner_node(const struct sim_world *w, uint64_t task_id)
{
	const struct rc_coord *c = sim_coord(w);
	const struct rc_task *t = c ? rc_coord_find_task(c, task_id) : NULL;
	uint64_t key = t ? rc_identity_runner_key(t->runner_id) : 0;
	uint32_t node = key ? sim_map_get(&w->runner_by_id, key) : SIM_MAP_NONE;
	return node == SIM_MAP_NONE ? -1 : (int)node;
}

/* A sandbox's walk: arg = task index << 8 | step. Step 0 creates it; steps
 * 1..5 report creating, starting, running, deleting, deleted from the
 * task's current owner; now and then a move is illegal or comes from
 * another runner, and the coordinator must refuse it. */
static void sandbox_step(struct sim_world *w, uint32_t arg)
{
	static const char *const walk[] = { NULL, "creating", "starting", "running", "deleting", "deleted" };
	struct sim_workload_state *st = &w->work;
	struct rc_rng *rng = &st->rng;
	int task = (int)(arg >> 8);
	int step = (int)(arg & 0xff);
	const struct sim_task *t = &w->tasks[task];
	char name[40];
	snprintf(name, sizeof name, "sbx-%s", t->name);
	struct rc_msg m = { 0 };
	int sbx = sim_sandbox_index(w, name);
	if (step == 0) {
		if (t->id == 0)
			return; /* the submission was refused or lost */
		m.op = RC_OP_SANDBOX_CREATE;
		m.sandbox_task_id = t->id;
		sim_net_api_send_task(w, -2 - sim_add_sandbox(w, name), &m);
	} else {
		if (sbx < 0 || w->sandboxes[sbx].id == 0)
			return;
		int owner = owner_node(w, t->id);
		if (owner < 0) { /* not running now: try again later */
			if (step < 64)
				push_work(w, w->now + between(rng, 5000, 30000), WL_SANDBOX, arg);
			return;
		}
		int idx = step > 5 ? 5 : step;
		unsigned roll = (unsigned)rc_rng_below(rng, 100);
		const char *word = walk[idx];
		int from = owner;
		if (roll < 5)
			word = walk[idx < 4 ? idx + 2 : 1]; /* skips a status: 409 */
		else if (roll < 10 && st->n_runner_nodes > 1)
			from = st->first_runner + (int)rc_rng_below(rng, (uint64_t)st->n_runner_nodes); /* 403 */
		m.op = RC_OP_SANDBOX_REPORT;
		m.sandbox_id = w->sandboxes[sbx].id;
		m.runner_id = w->nodes[from].expected_id;
		m.secret = w->coord_secret;
		m.status_word = word;
		sim_net_api_send_task(w, -1, &m);
		if (roll >= 10 && idx == 5)
			return; /* deleted: the walk is over */
		if (roll >= 10)
			step++;
	}
	push_work(w, w->now + between(rng, 1000, 20000), WL_SANDBOX, (uint32_t)task << 8 | (uint32_t)(step ? step : 1));
}

/* -------------------------------------------------------------- churn */

/* Start runner node r again after delay_ms, but while faults last no later
 * than just after their end (1 ms: after the heal of that instant, so its
 * registration does not leave into a degraded network and come back late
 * to supersede it): the fault-free tail starts with the whole fleet. In the
 * tail a runner that left on its own (a late registration sent before the
 * heal) is started TAIL_RESTART_MS later, to converge before the check. */
#define TAIL_RESTART_MS 30000
static void restart_later(struct sim_world *w, int r, int64_t delay_ms)
{
	int64_t end = w->work.faults_end_at, at = w->now + delay_ms;
	if (w->now >= end)
		at = w->now + TAIL_RESTART_MS;
	else if (at > end)
		at = end + 1;
	sim_push(w, at, EVT_WORKLOAD, WL_RESTART, (uint32_t)r);
}

static void churn(struct sim_world *w)
{
	struct sim_workload_state *st = &w->work;
	struct rc_rng *rng = &st->rng;
	int r = st->first_runner + (int)rc_rng_below(rng, (uint64_t)st->n_runner_nodes);
	if (w->nodes[r].state == SIM_NODE_UP) {
		sim_node_stop(w, r);
		/* Back after the drain, mostly long enough to be missed. */
		restart_later(w, r, between(rng, 90000, 20 * 60000));
	}
	push_work(w, w->now + exp_draw(rng, 600000.0 * 10 / (st->wl.runners + 9)), WL_CHURN, 0);
}

/* A runner that left on its own comes back the way a service manager brings
 * back a process that exited, after a restart delay. Without this every such
 * exit was for good, and runs of a day or more lost their runners one by one
 * until tasks could no longer finish (a liveness violation of a correct
 * core): the usual cause is a late copy of the runner's own registration
 * retry, which opens a newer session and so supersedes the process, as the
 * sessions of DESIGN.md require (scenarios/late-own-registration-supersedes-
 * runner.scn). A runner refused with 401 or 422 is started again too, and is
 * refused again, as a real one would be; a clone refused with 409 does not
 * exit (it keeps retrying), so it never comes here. */
void sim_workload_runner_left(struct sim_world *w, int node)
{
	restart_later(w, node, between(&w->work.rng, 30000, 600000));
}

void sim_workload_event(struct sim_world *w, uint32_t what, uint32_t arg)
{
	switch (what) {
	case WL_TASK:
		new_task(w);
		break;
	case WL_CHURN:
		churn(w);
		break;
	case WL_SANDBOX:
		sandbox_step(w, arg);
		break;
	case WL_RESTART:
		sim_node_start(w, (int)arg);
		break;
	default:
		break;
	}
}
