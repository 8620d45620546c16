/*
 * coordnode.c - the coordinator node: drives the coordinator core.
 *
 * Hands it the coordinator's own clock, carries out its effects (trace
 * records, durable writes), lets the checker judge every call, and keeps its
 * durable state across crashes: a restart creates a fresh core and feeds it
 * every durable record before rc_coord_restore_done().
 */
#include <assert.h>
#include <string.h>

#include "sim_internal.h"

static struct sim_node *coord_node(struct sim_world *w)
{
	return &w->nodes[w->coord];
}

/* The record kind of a coordinator effect that reports a transition. */
static enum sim_ev_kind effect_kind(enum rc_fx_kind kind)
{
	switch (kind) {
	case RC_FX_RUNNER_STATUS:
		return SIM_EV_RUNNER_STATUS;
	case RC_FX_TASK_STATE:
		return SIM_EV_TASK_STATE;
	case RC_FX_SANDBOX_AUDIT:
		return SIM_EV_SANDBOX_AUDIT;
	default: /* RC_FX_REJECTED */
		return SIM_EV_REJECTED;
	}
}

/* The trace record of a coordinator effect that reports a transition (a
 * status, a task state, a sandbox audit, a refused request). */
static void effect_record(struct sim_world *w, const struct rc_effect *fx)
{
	enum sim_ev_kind kind = effect_kind(fx->kind);
	struct sim_event *ev = sim_record(w, kind, w->coord);
	if (!ev)
		return;
	if (kind == SIM_EV_REJECTED) {
		ev->status = fx->value;
		ev->op = fx->op;
	}
	ev->from = fx->from;
	ev->to = fx->to;
	ev->task_id = fx->task_id;
	ev->attempt = fx->attempt;
	ev->sandbox_id = fx->sandbox_id;
	ev->runner_id = fx->runner_id[0] ? fx->runner_id : NULL;
	sim_emit(w, ev);
}

/* Trace and persist what one coordinator call produced. */
static void coord_effects(struct sim_world *w)
{
	struct sim_node *n = coord_node(w);
	bool lossy = w->cfg.storage_lossy;
	for (size_t i = 0; i < w->ob.len; i++) {
		const struct rc_effect *fx = &w->ob.items[i];
		switch (fx->kind) {
		case RC_FX_RUNNER_SAVED:
			sim_storage_write_runner(&w->store, n->coord, fx->runner_id, lossy);
			break;
		case RC_FX_TASK_SAVED:
			sim_storage_write_task(&w->store, n->coord, fx->task_id, lossy);
			break;
		case RC_FX_SANDBOX_SAVED:
			sim_storage_write_sandbox(&w->store, n->coord, fx->sandbox_id, lossy);
			break;
		case RC_FX_RUNNER_STATUS:
		case RC_FX_TASK_STATE:
		case RC_FX_SANDBOX_AUDIT:
		case RC_FX_REJECTED:
			effect_record(w, fx);
			break;
		case RC_FX_LOG:
			sim_record_log(w, w->coord, fx->text);
			break;
		default:
			break; /* runner effects never come from the coordinator */
		}
	}
}

void sim_coord_start(struct sim_world *w)
{
	struct sim_node *n = coord_node(w);
	assert(!n->coord);
	int64_t now = sim_node_now(w, w->coord);
	n->coord = rc_coord_new(&w->cfg.coord, w->store.secret, now);
	assert(n->coord && "coordinator allocation failed");
	n->incarnation++;
	sim_node_set_state(w, w->coord, SIM_NODE_UP);
	n->restart_at = -1;
	sim_record_node(w, w->coord, n->incarnation == 1 ? "start" : "restart", NULL);
	if (n->incarnation > 1) {
		size_t count[3], durable = 0;
		for (int k = 0; k < 3; k++)
			durable += count[k] = sim_storage_count(&w->store, (enum sim_store_kind)k);
		/* Sized once: growing from empty costs more than the restore's work. */
		(void)rc_coord_restore_reserve(n->coord, count[STORE_RUNNER], count[STORE_TASK], count[STORE_SANDBOX]);
		size_t restored = sim_storage_restore(&w->store, n->coord);
		rc_outbox_clear(&w->ob);
		rc_coord_restore_done(n->coord, now, &w->ob);
		struct sim_event *ev = sim_record(w, SIM_EV_STORAGE, w->coord);
		if (ev) {
			ev->what = restored == durable ? "restore" : "restore-refused";
			ev->value = (int64_t)restored;
			sim_emit(w, ev);
		}
		coord_effects(w);
		sim_check_restored(w, now);
	}
	sim_node_rearm(w, w->coord);
}

static void coord_down(struct sim_world *w, enum sim_node_state state)
{
	struct sim_node *n = coord_node(w);
	rc_coord_free(n->coord);
	n->coord = NULL;
	sim_node_set_state(w, w->coord, state);
	sim_node_drop_held(w, w->coord);
	sim_node_rearm(w, w->coord);
}

void sim_coord_crash(struct sim_world *w)
{
	size_t lost = sim_storage_crash(&w->store, w->cfg.storage_lossy);
	coord_down(w, SIM_NODE_CRASHED);
	sim_record_node(w, w->coord, "crash", NULL);
	if (lost > 0) {
		struct sim_event *ev = sim_record(w, SIM_EV_STORAGE, w->coord);
		if (ev) {
			ev->what = "lost";
			ev->value = (int64_t)lost;
			sim_emit(w, ev);
		}
	}
}

void sim_coord_stop(struct sim_world *w)
{
	sim_storage_sync(&w->store);
	coord_down(w, SIM_NODE_DOWN);
	sim_record_node(w, w->coord, "stop", NULL);
}

void sim_coord_tick(struct sim_world *w)
{
	struct sim_node *n = coord_node(w);
	int64_t now = sim_node_now(w, w->coord);
	sim_record_tick(w, w->coord, now);
	rc_outbox_clear(&w->ob);
	rc_coord_tick(n->coord, now, &w->ob);
	coord_effects(w);
	sim_check_tick(w, now, CTX_TICK);
	sim_node_rearm(w, w->coord);
}

static void reply_record(struct sim_world *w, const struct rc_msg *msg, int from_node, int status)
{
	struct sim_event *ev = sim_record(w, SIM_EV_REPLY, w->coord);
	if (!ev)
		return;
	ev->peer = from_node;
	ev->op = msg->op;
	ev->req_id = msg->req_id;
	ev->status = status;
	ev->text = status >= 400 ? w->reply.error.code : NULL;
	sim_emit(w, ev);
}

int sim_coord_handle(struct sim_world *w, const struct rc_msg *msg, int from_node)
{
	struct sim_node *n = coord_node(w);
	int64_t now = sim_node_now(w, w->coord);
	rc_outbox_clear(&w->ob);
	int status = rc_coord_handle(n->coord, now, msg, &w->reply, &w->ob);
	coord_effects(w);
	sim_check_request(w, now, msg, from_node);
	/* A correct daemon syncs every pending write before it answers: the
	 * answer may rest on them (a 403 after the monitor requeued a task), so
	 * nothing a client was told can be lost. Writes of the periodic sweep
	 * and monitor wait for the next answer; a crash before it may lose them. */
	if (w->store.log_len > 0)
		sim_storage_sync(&w->store);
	if (msg->op == RC_OP_HEARTBEAT)
		w->stats.heartbeats++;
	reply_record(w, msg, from_node, status);
	sim_node_rearm(w, w->coord);
	return status;
}
