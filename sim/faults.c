/*
 * faults.c - the random fault injector.
 *
 * At exponentially distributed intervals it draws one fault of an enabled
 * kind from its own PRNG stream and applies it through the same functions
 * scripted actions use: partitions of one runner, a set (one-way or both
 * ways) or the coordinator, drop/delay of the next messages on a link, a
 * degraded network (loss, duplication, reordering), runner and coordinator
 * crashes with restarts, graceful stops, clock jumps, drift and skew, pauses,
 * and coordinator power loss with unsynced writes lost. Faults with a
 * duration schedule their own undo; at faults.until_ms everything still in
 * effect is undone at once (heal, resume, restart, drift off, frozen clocks
 * settled), so a run has a quiet tail in which liveness can be judged.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define END_OF_FAULTS SIM_EV_A_MAX

static int64_t draw_between(struct rc_rng *rng, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rc_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

static int64_t draw_interval(struct sim_world *w)
{
	double u = rc_rng_unit(&w->inj.rng);
	return 1 + (int64_t)(-log(1.0 - u) * (double)w->cfg.faults.mean_interval_ms);
}

static void schedule_next(struct sim_world *w)
{
	int64_t at = w->now + draw_interval(w);
	if (w->cfg.faults.until_ms == 0 || at < w->cfg.faults.until_ms)
		sim_push(w, at, EVT_FAULT, 0, 0);
}

void sim_faults_init(struct sim_world *w)
{
	memset(&w->inj, 0, sizeof w->inj);
	sim_map_init(&w->inj.last_undo);
	rc_rng_split(&w->inj.rng, w->cfg.seed, STREAM_FAULTS);
	w->inj.next_partition = -2;
	if (!w->cfg.faults.kinds)
		return;
	int64_t first = w->cfg.faults.from_ms > w->now ? w->cfg.faults.from_ms : w->now;
	sim_push(w, first + draw_interval(w), EVT_FAULT, 0, 0);
	if (w->cfg.faults.until_ms > 0)
		sim_push(w, w->cfg.faults.until_ms, EVT_FAULT_UNDO, END_OF_FAULTS, 0);
}

void sim_faults_free(struct sim_world *w)
{
	free(w->inj.undo);
	sim_map_free(&w->inj.last_undo);
}

void sim_faults_set_until(struct sim_world *w, int64_t until_ms)
{
	w->cfg.faults.until_ms = until_ms;
	if (w->cfg.faults.kinds)
		sim_push(w, until_ms, EVT_FAULT_UNDO, END_OF_FAULTS, 0);
}

/* ------------------------------------------------------------ records */

static void fault_record(struct sim_world *w, const char *what, int node, int peer, int64_t value)
{
	struct sim_event *ev = sim_record(w, SIM_EV_FAULT, node);
	if (ev) {
		ev->what = what;
		ev->peer = peer;
		ev->value = value;
		sim_emit(w, ev);
	}
	w->stats.faults++;
}

/* Schedule the undo of a fault just made. A pending undo of the same kind
 * on the same node (a resume, drift-off, restart or net-restore) belonged to
 * an earlier fault, which has ended or been replaced: it is cancelled, or it
 * would cut the new fault short (a pause that outlived a crash and restart
 * used to resume the next pause of that node early). Partitions have their
 * own handles and are never confused. */
static void add_undo(struct sim_world *w, int64_t at_ms, enum sim_act kind, int node, int partition)
{
	struct sim_injector *in = &w->inj;
	if (kind != ACT_PARTITION) {
		uint64_t key = (uint64_t)kind << 32 | (uint32_t)(node + 1);
		uint32_t earlier = sim_map_get(&in->last_undo, key);
		if (earlier != SIM_MAP_NONE)
			in->undo[earlier].done = true;
		sim_map_put(&in->last_undo, key, (uint32_t)in->n_undo);
	}
	SIM_GROW(in->undo, in->cap_undo, in->n_undo + 1);
	struct sim_undo *u = &in->undo[in->n_undo];
	u->at_ms = at_ms;
	u->kind = kind;
	u->node = node;
	u->partition = partition;
	u->done = false;
	sim_push(w, at_ms, EVT_FAULT_UNDO, (uint32_t)in->n_undo++, 0);
}

/* ------------------------------------------------------------ targets */

static int runner_count(const struct sim_world *w)
{
	return w->n_nodes - (w->coord >= 0 ? 1 : 0);
}

/* The i-th runner node (nodes other than the coordinator, in order). */
static int runner_node(const struct sim_world *w, int i)
{
	return w->coord >= 0 && i >= w->coord ? i + 1 : i;
}

static int pick_runner(struct sim_world *w)
{
	int n = runner_count(w);
	return n > 0 ? runner_node(w, (int)rc_rng_below(&w->inj.rng, (uint64_t)n)) : -1;
}

/* A runner, or (with probability 1/5) the coordinator. */
static int pick_node(struct sim_world *w)
{
	if (w->coord >= 0 && rc_rng_below(&w->inj.rng, 5) == 0)
		return w->coord;
	return pick_runner(w);
}

/* ------------------------------------------------------------- faults */

static void net_fault(struct sim_world *w)
{
	struct rc_rng *rng = &w->inj.rng;
	int r = pick_runner(w);
	if (r < 0)
		return;
	int kind = (int)rc_rng_below(rng, 6);
	if (kind <= 2) {
		int handle = w->inj.next_partition--;
		int64_t lasts;
		enum sim_partition_dir dir = SIM_PART_BOTH;
		int nodes_buf[1];
		int *nodes = nodes_buf;
		size_t n = 1;
		const char *what;
		if (kind == 0) {
			nodes_buf[0] = r;
			lasts = draw_between(rng, 5000, 12 * 60000);
			what = "partition";
		} else if (kind == 1) {
			int total = runner_count(w);
			n = 1 + rc_rng_below(rng, (uint64_t)(total / 4 + 1));
			nodes = sim_xrealloc(NULL, n * sizeof *nodes);
			for (size_t i = 0; i < n; i++)
				nodes[i] = pick_runner(w);
			dir = (enum sim_partition_dir)rc_rng_below(rng, 3);
			lasts = draw_between(rng, 5000, 5 * 60000);
			what = dir == SIM_PART_BOTH ? "partition-set" : dir == SIM_PART_OUT ? "partition-set-out"
											  : "partition-set-in";
		} else {
			nodes_buf[0] = w->coord;
			lasts = draw_between(rng, 1000, 3 * 60000);
			what = "isolate-coordinator";
		}
		sim_net_partition(w, handle, nodes, n, dir);
		fault_record(w, what, nodes[0], -1, lasts);
		if (nodes != nodes_buf)
			free(nodes);
		add_undo(w, w->now + lasts, ACT_PARTITION, -1, handle);
	} else if (kind <= 4) {
		static const enum rc_op ops[] = { RC_OP_NONE, RC_OP_HEARTBEAT, RC_OP_CLAIM, RC_OP_TASK_COMPLETE,
						  RC_OP_REGISTER, RC_OP_TASK_STATUS };
		bool up = rc_rng_below(rng, 2) == 0;
		struct sim_link_rule rule = {
			.from = up ? r : w->coord, .to = up ? w->coord : r,
			.op = ops[rc_rng_below(rng, sizeof ops / sizeof ops[0])],
			.remaining = 1 + (int)rc_rng_below(rng, 3),
			.delay_ms = kind == 3 ? 0 : draw_between(rng, 1000, 30000),
		};
		sim_net_add_rule(w, &rule);
		fault_record(w, kind == 3 ? "drop-next" : "delay-next", rule.from, rule.to, rule.remaining);
	} else {
		int64_t lasts = draw_between(rng, 10000, 10 * 60000);
		w->net.loss = w->cfg.faults.loss;
		w->net.duplicate = w->cfg.faults.duplicate;
		w->net.reorder = w->cfg.faults.reorder;
		fault_record(w, "net-degrade", -1, -1, lasts);
		add_undo(w, w->now + lasts, ACT_HEAL, -1, 0);
	}
}

static void crash_fault(struct sim_world *w)
{
	struct rc_rng *rng = &w->inj.rng;
	int kind = (int)rc_rng_below(rng, 5);
	if (kind == 4 && w->coord >= 0) {
		fault_record(w, "coordinator-crash", w->coord, -1, 0);
		sim_node_crash(w, w->coord, draw_between(rng, 1000, 3 * 60000));
		return;
	}
	int r = pick_runner(w);
	if (r < 0 || w->nodes[r].state != SIM_NODE_UP)
		return;
	if (kind == 3) {
		int64_t back = draw_between(rng, 10000, 15 * 60000);
		fault_record(w, "stop", r, -1, back);
		sim_node_stop(w, r);
		add_undo(w, w->now + back, ACT_START, r, 0);
	} else {
		int64_t back = draw_between(rng, 1000, 15 * 60000);
		fault_record(w, "crash", r, -1, back);
		sim_node_crash(w, r, back);
	}
}

static void clock_fault(struct sim_world *w)
{
	struct rc_rng *rng = &w->inj.rng;
	int node = pick_node(w);
	if (node < 0)
		return;
	struct sim_node *n = &w->nodes[node];
	int kind = (int)rc_rng_below(rng, 3);
	int64_t value;
	const char *what;
	if (kind == 0) {
		value = draw_between(rng, 1000, 3 * 60000) * (rc_rng_below(rng, 2) ? 1 : -1);
		sim_clock_jump(&n->clock, w->now, value);
		what = "clock-jump";
	} else if (kind == 1) {
		value = draw_between(rng, 100, 50000) * (rc_rng_below(rng, 2) ? 1 : -1);
		sim_clock_set_drift(&n->clock, w->now, (int32_t)value);
		add_undo(w, w->now + draw_between(rng, 60000, 30 * 60000), ACT_CLOCK_DRIFT, node, 0);
		what = "clock-drift";
	} else {
		value = draw_between(rng, -10 * 60000, 10 * 60000);
		sim_clock_set_offset(&n->clock, w->now, value);
		what = "clock-skew";
	}
	n->disturbed_at = w->now;
	fault_record(w, what, node, -1, value);
	sim_node_rearm(w, node);
}

static void pause_fault(struct sim_world *w)
{
	int node = pick_node(w);
	if (node < 0 || w->nodes[node].state != SIM_NODE_UP)
		return;
	int64_t lasts = draw_between(&w->inj.rng, 100, 4 * 60000);
	fault_record(w, "pause", node, -1, lasts);
	sim_node_pause(w, node);
	add_undo(w, w->now + lasts, ACT_RESUME, node, 0);
}

static void storage_fault(struct sim_world *w)
{
	if (w->coord < 0)
		return;
	fault_record(w, "power-loss", w->coord, -1, (int64_t)w->store.log_len);
	sim_node_crash(w, w->coord, draw_between(&w->inj.rng, 1000, 60000));
}

void sim_faults_event(struct sim_world *w)
{
	static void (*const apply[])(struct sim_world *) = { net_fault, crash_fault, clock_fault, pause_fault,
							     storage_fault };
	unsigned kinds = w->cfg.faults.kinds;
	int enabled[5], n = 0;
	for (int i = 0; i < 5; i++)
		if (kinds & (1u << i))
			enabled[n++] = i;
	if (n > 0)
		apply[enabled[rc_rng_below(&w->inj.rng, (uint64_t)n)]](w);
	schedule_next(w);
}

/* -------------------------------------------------------------- undo */

static void undo(struct sim_world *w, struct sim_undo *u)
{
	if (u->done)
		return;
	u->done = true;
	switch (u->kind) {
	case ACT_PARTITION:
		sim_net_heal(w, u->partition);
		fault_record(w, "heal", -1, -1, u->partition);
		break;
	case ACT_HEAL:
		w->net = w->cfg.net;
		fault_record(w, "net-restore", -1, -1, 0);
		break;
	case ACT_START:
		fault_record(w, "restart", u->node, -1, 0);
		sim_node_start(w, u->node);
		break;
	case ACT_CLOCK_DRIFT:
		sim_clock_set_drift(&w->nodes[u->node].clock, w->now, 0);
		w->nodes[u->node].disturbed_at = w->now;
		fault_record(w, "drift-off", u->node, -1, 0);
		sim_node_rearm(w, u->node);
		break;
	case ACT_RESUME:
		fault_record(w, "resume", u->node, -1, 0);
		sim_node_resume(w, u->node);
		break;
	default:
		break;
	}
}

/* A node whose clock went back and has not caught up is still frozen (its
 * core is never handed a time earlier than before, clock.h): successive
 * skews can freeze a runner for 20 minutes, longer than a quiet tail, and
 * a runner that cannot tick cannot converge. Ending the faults lets such a
 * clock run on from where it stands, as an NTP slew would. */
static void settle_clocks(struct sim_world *w)
{
	for (int i = 0; i < w->n_nodes; i++) {
		int64_t shift = sim_clock_settle(&w->nodes[i].clock, w->now);
		if (shift == 0)
			continue;
		w->nodes[i].disturbed_at = w->now;
		fault_record(w, "clock-settle", i, -1, shift);
		sim_node_rearm(w, i);
	}
}

/* Faults stop: undo everything in effect, restart what is down, and let no
 * drop/delay rule outlive them. */
static void end_of_faults(struct sim_world *w)
{
	for (size_t i = 0; i < w->inj.n_undo; i++)
		undo(w, &w->inj.undo[i]);
	w->net = w->cfg.net;
	for (size_t i = 0; i < w->n_rules; i++)
		w->rules[i].remaining = 0;
	for (int i = 0; i < w->n_nodes; i++) {
		struct sim_node *n = &w->nodes[i];
		if (n->state == SIM_NODE_CRASHED && n->restart_at > w->now) {
			fault_record(w, "restart", i, -1, 0);
			sim_node_start(w, i);
		}
	}
	settle_clocks(w);
	fault_record(w, "faults-end", -1, -1, 0);
}

void sim_faults_undo_event(struct sim_world *w, uint32_t index)
{
	if (index == END_OF_FAULTS)
		end_of_faults(w);
	else
		undo(w, &w->inj.undo[index]);
}
