/*
 * conf_runners.c - the scenario's runners, played by conform: real reference
 * runner cores (reference/core/runner.h) on virtual time, with simulated
 * task processes.
 *
 * Each core gets its node's clock (virtual time plus its skew, never going
 * back) and its effects are carried out here: requests go to conf_net.c,
 * process starts and signals become simulated processes that exit when the
 * scenario says (its duration, crashes, failures, SIGTERM taking term_exit,
 * SIGKILL at once). A crash frees the core and forgets its processes; a
 * start makes a new core from the same install (same instance token), so the
 * coordinator sees a reconnection; a pause holds the node's replies and
 * process exits until it resumes. These are the simulator's rules
 * (sim/runnernode.c, sim/procs.c), applied to a live coordinator.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "identity.h"

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void set_if(int64_t value, int64_t *field)
{
	if (value != SCN_UNSET)
		*field = value;
}

int conf_runners_init(struct conf_live *l)
{
	const struct scn_scenario *s = l->s;
	const struct scn_config *k = &s->config;
	l->runners = calloc(s->n_nodes, sizeof *l->runners);
	if (!l->runners)
		abort();
	for (size_t i = 1; i < s->n_nodes; i++) {
		struct conf_runner *r = &l->runners[i];
		const struct scn_node *n = &s->nodes[i];
		r->spec = n;
		r->last_local_ms = INT64_MIN; /* a clock set back before the start is not a jump */
		snprintf(r->secret, sizeof r->secret, "%s", l->secret);
		rc_runner_config_init(&r->cfg, n->hostname, n->project_dir, n->executor_type, n->token, r->secret,
				      n->concurrency);
		set_if(n->heartbeat_ms, &r->cfg.heartbeat_interval_ms);
		set_if(k->request_timeout_ms, &r->cfg.request_timeout_ms);
		set_if(k->restart_delay_ms, &r->cfg.sup.initial_delay_ms);
		set_if(k->restart_max_delay_ms, &r->cfg.sup.max_delay_ms);
		if (k->max_restarts != SCN_UNSET)
			r->cfg.sup.max_restarts = (int)k->max_restarts;
		set_if(k->stable_after_ms, &r->cfg.sup.stable_after_ms);
		set_if(k->stop_grace_ms, &r->cfg.sup.stop_grace_ms);
		if (rc_identity_runner_id(n->hostname, n->project_dir, n->executor_type, r->expected_id) != 0)
			return -1;
	}
	return 0;
}

static void forget_procs(struct conf_runner *r)
{
	r->n_procs = 0; /* pending exit events find no token and are ignored */
}

/* Held events of a node that goes away: replies are released. */
static void drop_held(struct conf_live *l, struct conf_runner *r)
{
	for (size_t i = 0; i < r->n_held; i++)
		if (sim_ev_type(&r->held[i]) == CONF_EV_REPLY)
			conf_msg_release(l, sim_ev_a(&r->held[i]));
	r->n_held = 0;
}

void conf_runners_free(struct conf_live *l)
{
	if (!l->runners)
		return;
	for (size_t i = 1; i < l->s->n_nodes; i++) {
		struct conf_runner *r = &l->runners[i];
		rc_runner_free(r->core);
		free(r->held);
		free(r->procs);
		conf_exchange_clear(&r->last);
	}
	free(l->runners);
	l->runners = NULL;
}

int64_t conf_runner_now(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	int64_t local = l->now_ms + r->offset_ms;
	if (local < r->last_local_ms) /* a clock jumped back: what the core sees waits */
		local = r->last_local_ms;
	r->last_local_ms = local;
	return local;
}

static void record(struct conf_live *l, enum scn_record_kind kind, int node, int task, enum scn_proc_event proc)
{
	struct scn_record rec = { .kind = kind, .at_ms = l->now_ms, .node = node, .task = task, .proc = proc };
	scn_judge_record(&l->judge, &rec);
}

/* --- processes -------------------------------------------------------------------- */

static struct conf_proc *proc_find(struct conf_runner *r, uint64_t task_id, int attempt)
{
	for (size_t i = 0; i < r->n_procs; i++)
		if (r->procs[i].task_id == task_id && r->procs[i].attempt == attempt)
			return &r->procs[i];
	return NULL;
}

static struct conf_proc *proc_get(struct conf_runner *r, uint64_t task_id, int attempt)
{
	struct conf_proc *p = proc_find(r, task_id, attempt);
	if (p)
		return p;
	if (r->n_procs >= 32) { /* drop the dead */
		size_t kept = 0;
		for (size_t i = 0; i < r->n_procs; i++)
			if (r->procs[i].alive)
				r->procs[kept++] = r->procs[i];
		r->n_procs = kept;
	}
	if (r->n_procs == r->cap_procs) {
		r->cap_procs = r->cap_procs ? 2 * r->cap_procs : 8;
		r->procs = realloc(r->procs, r->cap_procs * sizeof *r->procs);
		if (!r->procs)
			abort();
	}
	p = &r->procs[r->n_procs++];
	memset(p, 0, sizeof *p);
	p->task_id = task_id;
	p->attempt = attempt;
	return p;
}

/* The current run of p ends after delay_ms (-1: never by itself). */
static void schedule_exit(struct conf_live *l, int node, struct conf_proc *p, int64_t delay_ms, bool clean,
			  const char *why)
{
	if (++l->proc_tokens == 0)
		l->proc_tokens = 1;
	p->token = l->proc_tokens;
	p->exit_clean = clean;
	p->exit_why = why;
	if (delay_ms < 0) {
		p->exit_at = INT64_MAX;
		return;
	}
	p->exit_at = l->now_ms + delay_ms;
	conf_push(l, p->exit_at, CONF_EV_PROC_EXIT, (uint32_t)node, p->token);
}

static void proc_start(struct conf_live *l, int node, uint64_t task_id, int attempt)
{
	struct conf_proc *p = proc_get(&l->runners[node], task_id, attempt);
	p->alive = true;
	p->task = conf_task_of_id(l, task_id);
	const struct scn_task *spec = p->task >= 0 ? &l->s->tasks[p->task] : NULL;
	int starts = p->task >= 0 ? ++l->task_starts[p->task] : 1;
	p->ignore_term = spec && spec->ignores_term;
	record(l, SCN_REC_PROC, node, p->task, SCN_PEV_STARTS);
	if (!spec) /* not the scenario's task (left by someone else): a short clean run */
		schedule_exit(l, node, p, 1000, true, "clean");
	else if (starts <= spec->crash_times)
		schedule_exit(l, node, p, spec->crash_after_ms == SCN_UNSET ? 500 : spec->crash_after_ms, false, "crash");
	else
		schedule_exit(l, node, p, spec->duration_ms == SCN_FOREVER ? -1 : spec->duration_ms, !spec->fails,
			      spec->fails ? "crash" : "clean");
}

static void proc_signal(struct conf_live *l, int node, uint64_t task_id, int attempt, int sig)
{
	struct conf_proc *p = proc_get(&l->runners[node], task_id, attempt);
	record(l, SCN_REC_PROC, node, conf_task_of_id(l, task_id), sig == RC_SIG_KILL ? SCN_PEV_SIGKILL : SCN_PEV_SIGTERM);
	if (!p->alive)
		return;
	if (sig == RC_SIG_KILL)
		schedule_exit(l, node, p, 0, false, "killed");
	else if (!p->ignore_term && l->now_ms + l->term_exit_ms < p->exit_at)
		schedule_exit(l, node, p, l->term_exit_ms, false, "terminated");
}

/* --- the core's effects ----------------------------------------------------------------- */

static void runner_gone(struct conf_live *l, int node, enum conf_node_state state)
{
	struct conf_runner *r = &l->runners[node];
	rc_runner_free(r->core);
	r->core = NULL;
	r->state = state;
	r->timer_gen++;
	forget_procs(r);
	drop_held(l, r);
}

static void rearm(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	r->timer_gen++;
	int64_t deadline = rc_runner_deadline(r->core);
	if (deadline == INT64_MAX)
		return;
	int64_t at = deadline - r->offset_ms;
	conf_push(l, at < l->now_ms ? l->now_ms : at, CONF_EV_TIMER, (uint32_t)node, r->timer_gen);
}

/* Carry out the effects of the core call just made on node. */
static void after_call(struct conf_live *l, int node)
{
	bool exited = false;
	for (size_t i = 0; i < l->ob.len; i++) {
		const struct rc_effect *fx = &l->ob.items[i];
		switch (fx->kind) {
		case RC_FX_SEND: conf_net_send(l, node, &fx->msg); break;
		case RC_FX_PROC_START: proc_start(l, node, fx->task_id, fx->attempt); break;
		case RC_FX_PROC_SIGNAL: proc_signal(l, node, fx->task_id, fx->attempt, fx->value); break;
		case RC_FX_EXIT: exited = true; break;
		default: break; /* state saves and logs: the install is the config */
		}
	}
	rc_outbox_clear(&l->ob);
	if (exited)
		runner_gone(l, node, CONF_EXITED);
	else if (l->runners[node].core)
		rearm(l, node);
}

static uint64_t core_seed(const struct conf_live *l, int node, int incarnation)
{
	struct rc_rng rng;
	rc_rng_split(&rng, l->seed, name_hash(l->s->nodes[node].name) + 0x9e3779b97f4a7c15ULL * (uint64_t)incarnation);
	return rc_rng_next(&rng);
}

void conf_runner_start(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	if (r->core)
		return;
	r->incarnation++;
	if (r->next_secret[0]) { /* no core holds cfg.secret now */
		memcpy(r->secret, r->next_secret, sizeof r->secret);
		r->next_secret[0] = '\0';
	}
	r->core = rc_runner_new(&r->cfg, core_seed(l, node, r->incarnation));
	assert(r->core && "the runner core refused a config the parser accepted");
	r->state = CONF_UP;
	rc_outbox_clear(&l->ob);
	rc_runner_start(r->core, conf_runner_now(l, node), &l->ob);
	after_call(l, node);
}

void conf_runner_stop(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	if (r->state != CONF_UP)
		return;
	rc_outbox_clear(&l->ob);
	rc_runner_drain(r->core, conf_runner_now(l, node), &l->ob);
	after_call(l, node);
}

void conf_runner_crash(struct conf_live *l, int node)
{
	if (l->runners[node].core)
		runner_gone(l, node, CONF_CRASHED);
}

void conf_runner_pause(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	if (r->state != CONF_UP)
		return;
	r->state = CONF_PAUSED;
	r->timer_gen++; /* re-armed at resume */
}

void conf_runner_resume(struct conf_live *l, int node)
{
	struct conf_runner *r = &l->runners[node];
	if (r->state != CONF_PAUSED)
		return;
	r->state = CONF_UP;
	for (size_t i = 0; i < r->n_held; i++)
		conf_push(l, l->now_ms, (enum conf_evt)sim_ev_type(&r->held[i]), sim_ev_a(&r->held[i]), r->held[i].b);
	r->n_held = 0;
	rearm(l, node);
}

void conf_runner_set_offset(struct conf_live *l, int node, int64_t offset_ms)
{
	struct conf_runner *r = &l->runners[node];
	r->offset_ms = offset_ms;
	if (r->core && r->state == CONF_UP)
		rearm(l, node);
}

bool conf_runner_hold(struct conf_live *l, int node, const struct sim_ev *ev)
{
	struct conf_runner *r = &l->runners[node];
	if (r->state != CONF_PAUSED)
		return false;
	if (r->n_held == r->cap_held) {
		r->cap_held = r->cap_held ? 2 * r->cap_held : 8;
		r->held = realloc(r->held, r->cap_held * sizeof *r->held);
		if (!r->held)
			abort();
	}
	r->held[r->n_held++] = *ev;
	return true;
}

void conf_runner_timer(struct conf_live *l, const struct sim_ev *ev)
{
	int node = (int)sim_ev_a(ev);
	struct conf_runner *r = &l->runners[node];
	if (ev->b != r->timer_gen || !r->core || r->state != CONF_UP)
		return;
	rc_outbox_clear(&l->ob);
	rc_runner_tick(r->core, conf_runner_now(l, node), &l->ob);
	after_call(l, node);
}

void conf_runner_proc_exit(struct conf_live *l, const struct sim_ev *ev)
{
	int node = (int)sim_ev_a(ev);
	struct conf_runner *r = &l->runners[node];
	struct conf_proc *p = NULL;
	for (size_t i = 0; i < r->n_procs && !p; i++)
		if (r->procs[i].alive && r->procs[i].token == ev->b)
			p = &r->procs[i];
	if (!p || !r->core || conf_runner_hold(l, node, ev))
		return;
	p->alive = false;
	p->token = 0;
	if (strcmp(p->exit_why, "clean") == 0)
		record(l, SCN_REC_PROC, node, p->task, SCN_PEV_EXITS);
	else if (strcmp(p->exit_why, "crash") == 0)
		record(l, SCN_REC_PROC, node, p->task, SCN_PEV_CRASHES);
	rc_outbox_clear(&l->ob);
	rc_runner_on_process_exit(r->core, conf_runner_now(l, node), p->task_id, p->attempt, p->exit_clean, &l->ob);
	after_call(l, node);
}

void conf_runner_reply(struct conf_live *l, const struct sim_ev *ev)
{
	uint32_t slot = sim_ev_a(ev);
	struct conf_msg *m = &l->msgs[slot];
	struct conf_runner *r = &l->runners[m->node];
	if (m->incarnation != r->incarnation || !r->core) {
		conf_msg_release(l, slot);
		return;
	}
	if (conf_runner_hold(l, m->node, ev))
		return;
	struct scn_record rec = { .kind = SCN_REC_REPLY, .at_ms = l->now_ms, .node = m->node, .op = m->op,
				  .status = m->reply.status, .task = -1 };
	scn_judge_record(&l->judge, &rec);
	int node = m->node;
	rc_outbox_clear(&l->ob);
	rc_runner_on_reply(r->core, conf_runner_now(l, node), &m->reply, &l->ob);
	conf_msg_release(l, slot);
	after_call(l, node);
}
