/*
 * runnernode.c - a runner node: drives one runner core.
 *
 * Hands it the node's clock, turns its effects into network sends, process
 * starts and signals, a durable registration and, on RC_FX_EXIT, the end of
 * the process. A crash frees the core (volatile state lost) and kills its
 * processes; a start creates a fresh core from the same config, so the
 * install (instance token) is the same and the coordinator sees a
 * reconnection.
 */
#include <assert.h>
#include <string.h>

#include "sim_internal.h"

static void state_save_record(struct sim_world *w, int node)
{
	struct sim_event *ev = sim_record(w, SIM_EV_STATE_SAVE, node);
	if (!ev)
		return;
	ev->runner_id = w->nodes[node].saved_id;
	ev->value = (int64_t)w->nodes[node].saved_session;
	sim_emit(w, ev);
}

static void runner_gone(struct sim_world *w, int node, enum sim_node_state state)
{
	struct sim_node *n = &w->nodes[node];
	rc_runner_free(n->runner);
	n->runner = NULL;
	w->timers[node].core = NULL;
	sim_node_set_state(w, node, state);
	n->stopping = false;
	sim_proc_kill_all(w, node);
	sim_node_drop_held(w, node);
	sim_node_rearm(w, node);
	if (n->start_pending) { /* a start asked for while it was stopping */
		n->start_pending = false;
		sim_at_start(w, w->now, node);
	}
}

void sim_runner_effects(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	const struct rc_effect *exit_fx = NULL;
	for (size_t i = 0; i < w->ob.len; i++) {
		const struct rc_effect *fx = &w->ob.items[i];
		switch (fx->kind) {
		case RC_FX_SEND:
			sim_net_runner_send(w, node, &fx->msg);
			break;
		case RC_FX_PROC_START:
			sim_proc_start(w, node, fx->task_id, fx->attempt);
			break;
		case RC_FX_PROC_SIGNAL:
			sim_proc_signal(w, node, fx->task_id, fx->attempt, fx->value);
			break;
		case RC_FX_STATE_SAVE:
			sim_copy_id(n->saved_id, fx->runner_id);
			n->saved_session = fx->msg.session;
			state_save_record(w, node);
			break;
		case RC_FX_EXIT:
			exit_fx = fx;
			break;
		case RC_FX_LOG:
			sim_record_log(w, node, fx->text);
			break;
		default:
			break; /* coordinator effects never come from a runner */
		}
	}
	if (exit_fx) {
		bool asked_to_stop = n->stopping; /* a drain, whoever stopped it restarts it */
		sim_record_node(w, node, "exit", exit_fx->text);
		runner_gone(w, node, SIM_NODE_EXITED);
		if (!asked_to_stop && w->work.on)
			sim_workload_runner_left(w, node);
	}
}

/* After a core call: effects, then the timer (if the node is still there). */
static void after_call(struct sim_world *w, int node)
{
	sim_runner_effects(w, node);
	if (w->nodes[node].runner)
		sim_node_rearm(w, node);
}

void sim_runner_start(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	assert(!n->runner);
	if (n->next_secret) {
		n->rcfg.secret = n->next_secret;
		n->next_secret = NULL;
	}
	n->incarnation++;
	struct rc_rng r;
	rc_rng_split(&r, w->cfg.seed, n->name_hash + 0x9e3779b97f4a7c15ULL * n->incarnation);
	n->runner = rc_runner_new(&n->rcfg, rc_rng_next(&r));
	assert(n->runner && "runner core refused a config sim_add_runner accepted");
	w->timers[node].core = n->runner;
	sim_node_set_state(w, node, SIM_NODE_UP);
	n->stopping = false;
	n->restart_at = -1;
	sim_record_node(w, node, n->incarnation == 1 ? "start" : "restart", NULL);
	int64_t now = sim_node_now(w, node);
	rc_outbox_clear(&w->ob);
	rc_runner_start(n->runner, now, &w->ob);
	after_call(w, node);
}

void sim_runner_crash(struct sim_world *w, int node)
{
	sim_record_node(w, node, "crash", NULL);
	runner_gone(w, node, SIM_NODE_CRASHED);
}

void sim_runner_drain(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	n->stopping = true;
	sim_record_node(w, node, "stop", NULL);
	int64_t now = sim_node_now(w, node);
	rc_outbox_clear(&w->ob);
	rc_runner_drain(n->runner, now, &w->ob);
	after_call(w, node);
}

/* A tick usually sends a heartbeat and a claim, which reach the coordinator
 * and the checkers a few events later: ask for the lines they will need now,
 * as in a big world they were last touched a heartbeat period ago. */
static void prefetch_for_requests(const struct sim_world *w, const struct sim_node *n)
{
	if (w->coord >= 0 && w->nodes[w->coord].coord)
		rc_coord_prefetch_runner(w->nodes[w->coord].coord, n->id_key);
	if (n->shadow)
		__builtin_prefetch(&w->chk.runners[n->shadow - 1]);
}

void sim_runner_tick(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if (sim_world_is_big(w))
		prefetch_for_requests(w, n);
	int64_t now = sim_node_now(w, node);
	sim_record_tick(w, node, now);
	rc_outbox_clear(&w->ob);
	rc_runner_tick(n->runner, now, &w->ob);
	after_call(w, node);
}

/* Rebuild the reply a runner is handed. Every field is set, so the large
 * grant array is never cleared wholesale on the hot path. */
static void build_reply(struct sim_world *w, const struct sim_msg *s, struct rc_reply *r)
{
	r->op = s->op;
	r->req_id = s->req_id;
	r->task = NULL;
	r->sandbox = NULL;
	r->coord = NULL;
	if (s->kind == MSG_FAIL) {
		r->status = 0;
		rc_error_clear(&r->error);
		r->runner_id[0] = '\0';
		r->session = 0;
		r->reconnected = false;
		r->heartbeat_interval_s = 0;
		r->n_grants = 0;
		r->task_id = 0;
		r->sandbox_id = 0;
		return;
	}
	const struct sim_reply *p = &s->rep;
	r->status = p->status;
	if (p->status >= 400)
		r->error = p->error;
	else
		r->error.code = NULL;
	memcpy(r->runner_id, p->runner_id, sizeof r->runner_id);
	r->session = p->session;
	r->reconnected = p->reconnected;
	r->heartbeat_interval_s = p->heartbeat_interval_s;
	r->n_grants = p->n_grants;
	for (int i = 0; i < p->n_grants; i++) {
		struct rc_grant *g = &r->grants[i];
		g->task_id = p->grants[i].task_id;
		g->attempt = p->grants[i].attempt;
		uint32_t t = sim_map_get(&w->task_by_id, g->task_id);
		g->kind = t == SIM_MAP_NONE ? "" : w->tasks[t].kind;
		g->payload = t == SIM_MAP_NONE ? "" : w->tasks[t].payload;
	}
	r->task_id = p->task_id;
	r->sandbox_id = p->sandbox_id;
}

void sim_runner_on_reply(struct sim_world *w, int node, const struct sim_msg *s)
{
	struct sim_node *n = &w->nodes[node];
	build_reply(w, s, &w->runner_reply);
	int64_t now = sim_node_now(w, node);
	rc_outbox_clear(&w->ob);
	rc_runner_on_reply(n->runner, now, &w->runner_reply, &w->ob);
	after_call(w, node);
}

void sim_runner_on_exit(struct sim_world *w, int node, uint64_t task_id, int attempt, bool clean)
{
	struct sim_node *n = &w->nodes[node];
	int64_t now = sim_node_now(w, node);
	rc_outbox_clear(&w->ob);
	rc_runner_on_process_exit(n->runner, now, task_id, attempt, clean, &w->ob);
	after_call(w, node);
}
