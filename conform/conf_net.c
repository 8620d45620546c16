/*
 * conf_net.c - the network between conform's runners and the live target.
 *
 * A runner's request travels for the scenario's latency (drawn per message
 * from the seeded stream of its sender) and reaches the target at that
 * virtual instant, as a real HTTP exchange with the target's clock set
 * there; the reply travels back the same way. Faults are conform's to make:
 * a partition or a drop rule loses the message (the runner's core then times
 * out by itself, as it would in life), a delay rule adds to the latency, a
 * coordinator that is down refuses after one latency. A request that arrives
 * after its runner gave up is still sent (the server cannot know) and its
 * reply discarded. The same rules as the simulator's network (sim/net.c).
 */
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

static uint32_t msg_alloc(struct conf_live *l)
{
	for (size_t i = 0; i < l->n_msgs; i++)
		if (!l->msgs[i].used)
			return (uint32_t)i;
	size_t n = l->n_msgs ? 2 * l->n_msgs : 16;
	l->msgs = realloc(l->msgs, n * sizeof *l->msgs);
	if (!l->msgs)
		abort();
	memset(l->msgs + l->n_msgs, 0, (n - l->n_msgs) * sizeof *l->msgs);
	uint32_t slot = (uint32_t)l->n_msgs;
	l->n_msgs = n;
	return slot;
}

void conf_msg_release(struct conf_live *l, uint32_t slot)
{
	struct conf_msg *m = &l->msgs[slot];
	if (!m->used)
		return;
	conf_wire_request_free(&m->wire);
	rc_proto_arena_free(&m->arena);
	m->used = false;
}

void conf_net_free(struct conf_live *l)
{
	for (size_t i = 0; i < l->n_msgs; i++)
		conf_msg_release(l, (uint32_t)i);
	free(l->msgs);
	free(l->rules);
	l->msgs = NULL;
	l->rules = NULL;
	l->n_msgs = l->n_rules = l->cap_rules = 0;
}

/* Whether a partition blocks messages of runner in that direction. */
static bool blocked(const struct conf_live *l, int runner, bool to_coord)
{
	for (size_t i = 0; i < l->s->n_actions; i++) {
		const struct conf_part *p = &l->parts[i];
		if (p->active && p->runner == runner && (to_coord ? p->runner_to_coord : p->coord_to_runner))
			return true;
	}
	return false;
}

/* The first drop/delay rule for this link and op: -1 drop, else extra delay. */
static int64_t apply_rules(struct conf_live *l, int from, int to, enum rc_op op)
{
	for (size_t i = 0; i < l->n_rules; i++) {
		struct conf_rule *r = &l->rules[i];
		if (r->left <= 0 || r->from != from || r->to != to || (r->op != RC_OP_NONE && r->op != op))
			continue;
		r->left--;
		return r->drop ? -1 : r->amount_ms;
	}
	return 0;
}

static int64_t latency(struct conf_live *l, int node)
{
	int64_t span = l->latency_max_ms - l->latency_min_ms;
	return l->latency_min_ms + (span > 0 ? (int64_t)rc_rng_below(&l->net_rng[node], (uint64_t)span + 1) : 0);
}

void conf_net_send(struct conf_live *l, int node, const struct rc_msg *msg)
{
	struct scn_record rec = { .kind = SCN_REC_SEND, .at_ms = l->now_ms, .node = node, .op = msg->op, .task = -1 };
	scn_judge_record(&l->judge, &rec);
	uint32_t slot = msg_alloc(l);
	struct conf_msg *m = &l->msgs[slot];
	char err[256];
	if (conf_profile_encode(l->profile, msg, &m->wire, err, sizeof err) != 0) {
		conf_target_error(l, NULL, "runner %s: %s", l->s->nodes[node].name, err);
		return;
	}
	m->used = true;
	m->node = node;
	m->incarnation = l->runners[node].incarnation;
	m->op = msg->op;
	m->req_id = msg->req_id;
	m->timeout_at = l->now_ms + l->runners[node].cfg.request_timeout_ms;
	m->client_gone = false;
	rc_proto_arena_init(&m->arena);
	int64_t extra = blocked(l, node, true) ? -1 : apply_rules(l, node, 0, msg->op);
	if (extra < 0) { /* lost on the way: the runner's core times out */
		conf_msg_release(l, slot);
		return;
	}
	int64_t at = l->now_ms + latency(l, node) + extra;
	m->client_gone = at > m->timeout_at;
	conf_push(l, at, CONF_EV_REQUEST, slot, 0);
}

/* Send the reply in slot back to its runner, through the network. */
static void send_back(struct conf_live *l, uint32_t slot)
{
	struct conf_msg *m = &l->msgs[slot];
	int64_t extra = m->client_gone || blocked(l, m->node, false) ? -1 : apply_rules(l, 0, m->node, m->op);
	int64_t at = l->now_ms + latency(l, 0) + (extra > 0 ? extra : 0);
	if (extra < 0 || at > m->timeout_at) { /* lost, or too late: the runner timed out */
		conf_msg_release(l, slot);
		return;
	}
	conf_push(l, at, CONF_EV_REPLY, slot, 0);
}

void conf_net_deliver_request(struct conf_live *l, uint32_t slot)
{
	struct conf_msg *m = &l->msgs[slot];
	m->reply.op = m->op;
	m->reply.req_id = m->req_id;
	if (!conf_coord_up(l)) { /* refused: the runner learns it after one latency */
		m->reply.status = 0;
		send_back(l, slot);
		return;
	}
	struct conf_runner *r = &l->runners[m->node];
	if (conf_exchange_wire(l, &m->wire, &m->reply, &m->arena, NULL, &r->last) != 0) {
		conf_msg_release(l, slot);
		return;
	}
	m->reply.req_id = m->req_id;
	send_back(l, slot);
}

void conf_net_partition(struct conf_live *l, size_t action)
{
	const struct scn_action *a = &l->s->actions[action];
	struct conf_part *p = &l->parts[action];
	bool runner_sends = a->from != 0;
	p->runner = runner_sends ? a->from : a->to;
	p->runner_to_coord = !a->one_way || runner_sends;
	p->coord_to_runner = !a->one_way || !runner_sends;
	p->active = true;
}

void conf_net_heal(struct conf_live *l, size_t action)
{
	const struct scn_action *a = &l->s->actions[action];
	if (a->kind == SCN_ACT_HEAL) {
		l->parts[a->partition].active = false;
		return;
	}
	for (size_t i = 0; i < l->s->n_actions; i++) /* heal all: partitions and rules */
		l->parts[i].active = false;
	l->n_rules = 0;
}

void conf_net_rule(struct conf_live *l, const struct scn_action *a)
{
	if (l->n_rules == l->cap_rules) {
		l->cap_rules = l->cap_rules ? 2 * l->cap_rules : 8;
		l->rules = realloc(l->rules, l->cap_rules * sizeof *l->rules);
		if (!l->rules)
			abort();
	}
	struct conf_rule *r = &l->rules[l->n_rules++];
	r->drop = a->kind == SCN_ACT_DROP;
	r->from = a->from;
	r->to = a->to;
	r->op = a->op;
	r->left = a->count;
	r->amount_ms = a->amount_ms;
}
