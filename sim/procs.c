/*
 * procs.c - simulated task processes under a runner's supervisor.
 *
 * RC_FX_PROC_START starts the process of (task, attempt); how it behaves
 * comes from the task's spec: it runs for its duration and exits 0, or
 * crashes after crash_after_ms on its first crash_times starts, or fails
 * every time, or hangs. SIGTERM ends it after term_exit_ms unless it ignores
 * SIGTERM; SIGKILL ends it at once. Exits are fed back to the runner core
 * with rc_runner_on_process_exit(), so the restart schedule and the
 * SIGTERM/SIGKILL timeline run for real on virtual time.
 */
#include <string.h>

#include "sim_internal.h"

static struct sim_proc *proc_find(struct sim_node *n, uint64_t task_id, int attempt)
{
	for (size_t i = 0; i < n->n_procs; i++)
		if (n->procs[i].task_id == task_id && n->procs[i].attempt == attempt)
			return &n->procs[i];
	return NULL;
}

/* Entries outlive their process so the backoff checker sees the next start;
 * once dead for longer than any restart delay they are dropped. */
static void proc_purge(struct sim_world *w, struct sim_node *n)
{
	int64_t horizon = 4 * n->rcfg.sup.max_delay_ms + n->rcfg.sup.stable_after_ms;
	size_t kept = 0;
	for (size_t i = 0; i < n->n_procs; i++) {
		const struct sim_proc *p = &n->procs[i];
		if (p->alive || w->now - p->exit_virtual < horizon)
			n->procs[kept++] = *p;
	}
	n->n_procs = kept;
}

static struct sim_proc *proc_get(struct sim_world *w, struct sim_node *n, uint64_t task_id, int attempt)
{
	struct sim_proc *p = proc_find(n, task_id, attempt);
	if (p)
		return p;
	if (n->n_procs >= 16 + 2 * (size_t)n->rcfg.max_concurrency)
		proc_purge(w, n);
	SIM_GROW(n->procs, n->cap_procs, n->n_procs + 1);
	p = &n->procs[n->n_procs++];
	memset(p, 0, sizeof *p);
	p->task_id = task_id;
	p->attempt = attempt;
	return p;
}

static void proc_record(struct sim_world *w, enum sim_ev_kind kind, int node, const struct sim_proc *p)
{
	struct sim_event *ev = sim_record(w, kind, node);
	if (!ev)
		return;
	ev->task_id = p->task_id;
	ev->attempt = p->attempt;
	sim_emit(w, ev);
}

/* Schedule the exit of p's current run after delay_ms (-1: never). */
static void schedule_exit(struct sim_world *w, int node, struct sim_proc *p, int64_t delay_ms, bool clean,
			  const char *why)
{
	if (++w->proc_tokens == 0) /* 0 means none */
		w->proc_tokens = 1;
	p->token = w->proc_tokens;
	p->exit_clean = clean;
	p->exit_why = why;
	if (delay_ms < 0) {
		p->exit_at = INT64_MAX;
		return;
	}
	p->exit_at = w->now + delay_ms;
	sim_push(w, p->exit_at, EVT_PROC_EXIT, (uint32_t)node, p->token);
}

void sim_proc_start(struct sim_world *w, int node, uint64_t task_id, int attempt)
{
	struct sim_node *n = &w->nodes[node];
	struct sim_proc *p = proc_get(w, n, task_id, attempt);
	int64_t local = sim_node_now(w, node);
	sim_check_proc_start(w, node, p, local);
	p->alive = true;
	p->start_local = local;
	p->stop_asked = false;
	uint32_t t = sim_map_get(&w->task_by_id, task_id);
	const struct sim_task_spec *spec = t == SIM_MAP_NONE ? NULL : &w->tasks[t].spec;
	int starts = t == SIM_MAP_NONE ? 1 : ++w->tasks[t].starts;
	p->ignore_term = spec && spec->ignore_term;
	p->exit_why = NULL;
	proc_record(w, SIM_EV_PROC_START, node, p);
	if (!spec)
		schedule_exit(w, node, p, 1000, true, "clean");
	else if (starts <= spec->crash_times)
		schedule_exit(w, node, p, spec->crash_after_ms, false, "crash");
	else if (spec->fail)
		schedule_exit(w, node, p, spec->duration_ms, false, "crash");
	else
		schedule_exit(w, node, p, spec->duration_ms, true, "clean");
}

void sim_proc_signal(struct sim_world *w, int node, uint64_t task_id, int attempt, int sig)
{
	struct sim_node *n = &w->nodes[node];
	struct sim_proc *p = proc_get(w, n, task_id, attempt);
	int64_t local = sim_node_now(w, node);
	struct sim_event *ev = sim_record(w, SIM_EV_PROC_SIGNAL, node);
	if (ev) {
		ev->task_id = task_id;
		ev->attempt = attempt;
		ev->value = sig;
		ev->what = p->alive ? (sig == RC_SIG_KILL ? "kill" : "term") : "no-process";
		sim_emit(w, ev);
	}
	sim_check_proc_signal(w, node, p, sig, local);
	if (!p->alive)
		return;
	if (sig == RC_SIG_KILL) {
		schedule_exit(w, node, p, 0, false, "killed");
	} else if (!p->ignore_term) {
		int64_t at = w->now + w->cfg.term_exit_ms;
		if (at < p->exit_at) /* an exit already due earlier stands */
			schedule_exit(w, node, p, w->cfg.term_exit_ms, false, "terminated");
	}
}

static struct sim_proc *proc_by_token(struct sim_node *n, uint32_t token)
{
	for (size_t i = 0; i < n->n_procs; i++)
		if (n->procs[i].alive && n->procs[i].token == token)
			return &n->procs[i];
	return NULL;
}

bool sim_proc_exit_stale(const struct sim_world *w, int node, uint32_t token)
{
	return proc_by_token(&w->nodes[node], token) == NULL;
}

void sim_proc_exit_event(struct sim_world *w, int node, uint32_t token)
{
	struct sim_node *n = &w->nodes[node];
	struct sim_proc *p = proc_by_token(n, token);
	if (!p || !n->runner)
		return;
	p->alive = false;
	p->token = 0;
	p->exit_virtual = w->now;
	bool clean = p->exit_clean;
	uint64_t task_id = p->task_id;
	int attempt = p->attempt;
	int64_t local = sim_node_now(w, node);
	struct sim_event *ev = sim_record(w, SIM_EV_PROC_EXIT, node);
	if (ev) {
		ev->task_id = task_id;
		ev->attempt = attempt;
		ev->what = p->exit_why;
		ev->value = clean ? 0 : strcmp(p->exit_why, "killed") == 0 ? 128 + RC_SIG_KILL
				     : strcmp(p->exit_why, "terminated") == 0 ? 128 + RC_SIG_TERM : 1;
		sim_emit(w, ev);
	}
	sim_check_proc_exit(w, node, p, clean, local);
	sim_runner_on_exit(w, node, task_id, attempt, clean);
}

void sim_proc_kill_all(struct sim_world *w, int node)
{
	(void)w;
	/* Pending exits become stale: no entry carries their token any more. */
	w->nodes[node].n_procs = 0;
}
