/*
 * net.c - the simulated network between the coordinator and its runners.
 *
 * Every runner has two one-way links to the coordinator. A message sent on a
 * link may be lost (loss rate, a partition, a drop-next rule), duplicated,
 * delayed (latency + jitter, a delay-next rule) or reordered (an extra delay
 * that lets later messages overtake it); draws come from the sending node's
 * own PRNG stream. Runner requests are HTTP calls: the runner gets exactly
 * the reply, or a transport failure (status 0) when the coordinator is down
 * (refused, after one latency) or nothing came back by its request timeout.
 * A request that arrives after its caller gave up is still handled (the
 * server cannot know) but its reply is discarded; so is one that a paused
 * coordinator holds past its caller's timeout, whose caller sees the failure
 * at that timeout, not at the resume. A duplicate is handled as the
 * original is, and its reply may reach the runner (which ignores a reply it
 * no longer waits for), but it never fails for the runner: one call, one
 * failure at most. API requests from the scenario reach the coordinator
 * directly, with no network faults.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

void sim_net_init(struct sim_world *w)
{
	w->free_msg = SIM_MAP_NONE;
}

void sim_net_free(struct sim_world *w)
{
	/* Slots on the free list were already released; in-flight ones own text
	 * and grants. A freed slot has text and grants NULL, so free them all. */
	for (uint32_t i = 0; i < w->n_msgs; i++) {
		free(w->msgs[i].text);
		free(w->msgs[i].rep.grants);
	}
	free(w->msgs);
	free(w->rules);
	for (size_t i = 0; i < w->n_parts; i++)
		free(w->parts[i].in_set);
	free(w->parts);
}

uint32_t sim_msg_alloc(struct sim_world *w)
{
	uint32_t slot;
	if (w->free_msg != SIM_MAP_NONE) {
		slot = w->free_msg;
		w->free_msg = w->msgs[slot].next_free;
	} else {
		size_t cap = w->cap_msgs;
		SIM_GROW(w->msgs, cap, (size_t)w->n_msgs + 1);
		w->cap_msgs = (uint32_t)cap;
		slot = w->n_msgs++;
	}
	struct sim_msg *s = &w->msgs[slot];
	s->text = NULL;
	s->rep.grants = NULL;
	s->rep.n_grants = 0;
	s->client_gone = false;
	s->network_copy = false;
	s->link = SIM_MAP_NONE;
	s->action = -1;
	s->why = NULL;
	return slot;
}

/* Free a slot's text and grants. Most messages carry neither (text only
 * complete and status requests, grants only claim replies), so each is
 * tested first: free(NULL) is still a library call, several per delivery. */
static void drop_payload(struct sim_msg *s)
{
	if (s->text) {
		free(s->text);
		s->text = NULL;
	}
	if (s->rep.grants) {
		free(s->rep.grants);
		s->rep.grants = NULL;
	}
}

void sim_msg_release(struct sim_world *w, uint32_t slot)
{
	struct sim_msg *s = &w->msgs[slot];
	drop_payload(s);
	s->next_free = w->free_msg;
	w->free_msg = slot;
}

/* ----------------------------------------------------------- records */

static void msg_record(struct sim_world *w, enum sim_ev_kind kind, int node, int peer, const struct sim_msg *s,
		       const char *what)
{
	struct sim_event *ev = sim_record(w, kind, node);
	if (!ev)
		return;
	ev->peer = peer;
	ev->op = s->op;
	ev->req_id = s->req_id;
	ev->what = what;
	if (s->kind == MSG_REPLY)
		ev->status = s->rep.status;
	sim_emit(w, ev);
}

/* A message lost, whatever the reason: counted here and only here, so the
 * summary's "dropped" is the number of drop records in the trace (it once
 * left out late replies, replies to a client gone and stale deliveries). */
static void drop_record(struct sim_world *w, int node, int peer, const struct sim_msg *s, const char *why)
{
	w->stats.dropped++;
	msg_record(w, SIM_EV_DROP, node, peer, s, why);
}

/* A runner's request failed in transport (s->why: timeout, refused). */
static void transport_fail_record(struct sim_world *w, int node, const struct sim_msg *s)
{
	struct sim_event *ev = sim_record(w, SIM_EV_TRANSPORT_FAIL, node);
	if (!ev)
		return;
	ev->op = s->op;
	ev->req_id = s->req_id;
	ev->what = s->why;
	sim_emit(w, ev);
}

/* ------------------------------------------------------------- links */

/* The runner a message travels to or from (every link has the coordinator
 * at one end). */
static int runner_end(const struct sim_world *w, const struct sim_msg *s)
{
	return s->from == w->coord ? s->to : s->from;
}

static bool link_blocked(const struct sim_world *w, const struct sim_msg *s)
{
	const struct sim_node *r = &w->nodes[runner_end(w, s)];
	return s->from == w->coord ? r->block_in : r->block_out;
}

/* Apply the first drop/delay rule matching the message. Returns -1 to drop,
 * else the extra delay. */
static int64_t apply_rules(struct sim_world *w, const struct sim_msg *s)
{
	for (size_t i = 0; i < w->n_rules; i++) {
		struct sim_link_rule *r = &w->rules[i];
		if (r->remaining <= 0 || r->from != s->from || r->to != s->to)
			continue;
		if (r->op != RC_OP_NONE && r->op != s->op)
			continue;
		r->remaining--;
		return r->delay_ms > 0 ? r->delay_ms : -1;
	}
	return 0;
}

static bool chance(struct rc_rng *rng, double p)
{
	return p > 0.0 && rc_rng_unit(rng) < p;
}

static int64_t draw_latency(struct sim_world *w, struct rc_rng *rng)
{
	int64_t lat = w->net.latency_ms;
	if (w->net.jitter_ms > 0)
		lat += (int64_t)rc_rng_below(rng, (uint64_t)w->net.jitter_ms + 1);
	if (chance(rng, w->net.reorder))
		lat += 1 + (int64_t)rc_rng_below(rng, (uint64_t)w->net.reorder_ms);
	return lat;
}

/* Turn slot into the transport failure its runner sees at at_ms. A copy
 * the network made goes instead: its runner sees the original's outcome,
 * not one per copy (it once saw two failures of one held request). */
static void fail_at(struct sim_world *w, uint32_t slot, int64_t at_ms, const char *why)
{
	struct sim_msg *s = &w->msgs[slot];
	if (s->network_copy) {
		sim_msg_release(w, slot);
		return;
	}
	int runner = runner_end(w, s);
	drop_payload(s);
	s->kind = MSG_FAIL;
	s->from = w->coord;
	s->to = runner;
	s->why = why;
	sim_push(w, at_ms < w->now ? w->now : at_ms, EVT_DELIVER, slot, 0);
}

static void drop(struct sim_world *w, uint32_t slot, const char *why)
{
	struct sim_msg *s = &w->msgs[slot];
	drop_record(w, s->from, s->to, s, why);
	if (s->client_gone || s->from < 0) {
		sim_msg_release(w, slot);
		return;
	}
	fail_at(w, slot, s->timeout_at, "timeout");
}

static uint32_t copy_slot(struct sim_world *w, uint32_t slot)
{
	uint32_t dup = sim_msg_alloc(w);
	struct sim_msg *s = &w->msgs[slot], *d = &w->msgs[dup];
	uint32_t next = d->next_free;
	*d = *s;
	d->next_free = next;
	if (s->text) {
		d->text = sim_xstrdup(s->text);
		d->req.text = d->text; /* not the original's, which may be freed first */
	}
	if (s->rep.n_grants > 0) {
		size_t bytes = (size_t)s->rep.n_grants * sizeof *s->rep.grants;
		d->rep.grants = sim_xrealloc(NULL, bytes);
		memcpy(d->rep.grants, s->rep.grants, bytes);
	}
	return dup;
}

/* Send slot over its link: lose, delay, duplicate. */
static void transmit(struct sim_world *w, uint32_t slot)
{
	struct sim_msg *s = &w->msgs[slot];
	w->stats.messages++;
	struct rc_rng *rng = &w->nodes[s->from].net_rng;
	if (link_blocked(w, s)) {
		drop(w, slot, "partition");
		return;
	}
	int64_t extra = w->n_rules ? apply_rules(w, s) : 0;
	if (extra < 0) {
		drop(w, slot, "rule");
		return;
	}
	if (chance(rng, w->net.loss)) {
		drop(w, slot, "loss");
		return;
	}
	int64_t at = w->now + draw_latency(w, rng) + extra;
	bool twice = chance(rng, w->net.duplicate);
	int64_t at2 = twice ? w->now + draw_latency(w, rng) + extra : 0;
	uint32_t dup = twice ? copy_slot(w, slot) : SIM_MAP_NONE;
	if (dup != SIM_MAP_NONE)
		w->msgs[dup].network_copy = true;
	s = &w->msgs[slot];
	if (s->kind == MSG_REQUEST && at > s->timeout_at) {
		/* The caller gives up first: it sees the failure at its timeout,
		 * and the request, still delivered, is answered into the void. */
		s->client_gone = true;
		uint32_t f = copy_slot(w, slot);
		fail_at(w, f, w->msgs[f].timeout_at, "timeout");
	} else if (s->kind == MSG_REPLY && at > s->timeout_at) {
		drop_record(w, s->from, s->to, s, "late");
		fail_at(w, slot, s->timeout_at, "timeout");
		slot = SIM_MAP_NONE;
	}
	if (slot != SIM_MAP_NONE)
		sim_push(w, at, EVT_DELIVER, slot, 0);
	if (dup != SIM_MAP_NONE) {
		struct sim_msg *d = &w->msgs[dup];
		msg_record(w, SIM_EV_DUP, d->from, d->to, d, NULL);
		if (d->kind == MSG_REQUEST && at2 > d->timeout_at)
			d->client_gone = true;
		if (d->kind == MSG_REPLY && at2 > d->timeout_at)
			sim_msg_release(w, dup); /* the one real outcome is already decided */
		else
			sim_push(w, at2, EVT_DELIVER, dup, 0);
	}
}

/* ----------------------------------------------------------- sending */

/* A slot for request m from node `from` (-1: the scenario's API client) to
 * the coordinator, sent now. The request's strings stay the caller's, but for
 * the runner ID, copied: it may point into the node table, which can move.
 * An ID too long to be one (only a raw request's, kept in the world's pool)
 * stays as it is: cut to an ID's length it could be taken for a valid one. */
static struct sim_msg *request_slot(struct sim_world *w, int from, const struct rc_msg *m, uint32_t *slot)
{
	*slot = sim_msg_alloc(w);
	struct sim_msg *s = &w->msgs[*slot];
	s->kind = MSG_REQUEST;
	s->from = from;
	s->to = w->coord;
	s->sent_at = w->now;
	s->op = m->op;
	s->req_id = m->req_id;
	s->req = *m;
	s->runner_id[0] = '\0';
	s->id_copied = m->runner_id && strnlen(m->runner_id, RC_RUNNER_ID_LEN + 1) <= RC_RUNNER_ID_LEN;
	if (s->id_copied)
		sim_copy_id(s->runner_id, m->runner_id);
	return s;
}

void sim_net_runner_send(struct sim_world *w, int node, const struct rc_msg *m)
{
	struct sim_node *n = &w->nodes[node];
	uint32_t slot;
	struct sim_msg *s = request_slot(w, node, m, &slot);
	s->runner_inc = n->incarnation;
	s->timeout_at = w->now + n->request_timeout_ms;
	if (m->text)
		s->req.text = s->text = sim_xstrdup(m->text);
	msg_record(w, SIM_EV_SEND, node, w->coord, s, NULL);
	transmit(w, slot);
}

static void api_send(struct sim_world *w, int action, int tag, const struct rc_msg *m)
{
	/* The request's strings belong to actions and tasks, which live as long
	 * as the world. */
	uint32_t slot;
	struct sim_msg *s = request_slot(w, -1, m, &slot);
	s->runner_inc = 0;
	s->timeout_at = INT64_MAX;
	s->action = action;
	s->tag = tag;
	sim_push(w, w->now, EVT_DELIVER, slot, 0);
}

void sim_net_api_send(struct sim_world *w, int action, const struct rc_msg *m)
{
	api_send(w, action, -1, m);
}

void sim_net_api_send_task(struct sim_world *w, int tag, const struct rc_msg *m)
{
	api_send(w, -1, tag, m);
}

/* A workload request's reply: remember the ids it created. */
static void workload_result(struct sim_world *w, int tag, int status)
{
	if (tag >= 0) {
		assert(w->work.submitting > 0);
		w->work.submitting--;
	}
	if (status < 200 || status >= 300)
		return;
	if (tag >= 0 && w->reply.task_id) {
		w->tasks[tag].id = w->reply.task_id;
		sim_map_put(&w->task_by_id, w->reply.task_id, (uint32_t)tag);
	} else if (tag <= -2 && w->reply.sandbox_id) {
		w->sandboxes[-2 - tag].id = w->reply.sandbox_id;
	}
}

/* --------------------------------------------------------- delivering */

static void reply_to_slot(const struct rc_reply *r, struct sim_reply *out)
{
	out->status = r->status;
	if (r->status >= 400)
		out->error = r->error;
	else
		out->error.code = NULL; /* unused below 400: skip the copy */
	memcpy(out->runner_id, r->runner_id, sizeof out->runner_id);
	out->session = r->session;
	out->reconnected = r->reconnected;
	out->heartbeat_interval_s = r->heartbeat_interval_s;
	out->n_grants = r->n_grants;
	out->grants = NULL;
	if (r->n_grants > 0) {
		out->grants = sim_xrealloc(NULL, (size_t)r->n_grants * sizeof *out->grants);
		for (int i = 0; i < r->n_grants; i++) {
			out->grants[i].task_id = r->grants[i].task_id;
			out->grants[i].attempt = r->grants[i].attempt;
		}
	}
	out->task_id = r->task_id;
	out->sandbox_id = r->sandbox_id;
}

static void api_result(struct sim_world *w, int action, int status)
{
	struct sim_action *a = &w->actions[action];
	struct sim_action_result *res = &a->result;
	const struct rc_reply *r = &w->reply;
	res->applied = true;
	res->at_ms = w->now;
	res->status = status;
	if (status >= 400) {
		snprintf(res->error_code, sizeof res->error_code, "%s", r->error.code ? r->error.code : "");
		snprintf(res->message, sizeof res->message, "%s", r->error.message);
		memcpy(res->fields, r->error.fields, sizeof res->fields);
	}
	if (status > 0 && status < 400) {
		res->task_id = r->task_id;
		res->sandbox_id = r->sandbox_id;
		memcpy(res->runner_id, r->runner_id, sizeof res->runner_id);
	}
	struct sim_event *ev = sim_record(w, SIM_EV_API, w->coord);
	if (ev) {
		ev->op = a->api_op;
		ev->status = status;
		ev->what = a->api_label;
		ev->task_id = res->task_id;
		ev->sandbox_id = res->sandbox_id;
		ev->text = status >= 400 ? res->error_code : NULL;
		sim_emit(w, ev);
	}
	sim_action_replied(w, action, status);
}

/* The reply to an API request (from = -1): to its action or the workload. */
static void api_reply(struct sim_world *w, const struct sim_msg *meta, int status)
{
	if (meta->action >= 0) {
		api_result(w, meta->action, status);
		return;
	}
	struct sim_event *ev = sim_record(w, SIM_EV_API, w->coord);
	if (ev) {
		ev->op = meta->op;
		ev->status = status;
		ev->what = "workload";
		ev->task_id = status > 0 && status < 300 ? w->reply.task_id : meta->req.task_id;
		ev->sandbox_id = status > 0 && status < 300 ? w->reply.sandbox_id : meta->req.sandbox_id;
		ev->text = status >= 400 ? w->reply.error.code : NULL;
		sim_emit(w, ev);
	}
	workload_result(w, meta->tag, status);
}

void sim_net_request_held(struct sim_world *w, uint32_t slot)
{
	struct sim_msg *s = &w->msgs[slot];
	if (s->kind != MSG_REQUEST || s->from < 0 || s->client_gone || s->network_copy || s->link != SIM_MAP_NONE)
		return;
	/* Its caller gives up at its timeout whatever the coordinator does, so
	 * the failure is scheduled now for then (it was once seen, and traced,
	 * only at the resume). Handling the request first voids the failure;
	 * the failure coming first leaves the request to be answered into the
	 * void, as one that arrives after its timeout is. */
	uint32_t f = copy_slot(w, slot);
	w->msgs[slot].link = f;
	w->msgs[f].link = slot;
	fail_at(w, f, w->msgs[f].timeout_at, "timeout");
}

/* The coordinator takes request s: a failure still pending for it (it was
 * held, and is answered in time after all) is not to happen. */
static void void_pending_failure(struct sim_world *w, struct sim_msg *s)
{
	if (s->link == SIM_MAP_NONE)
		return;
	w->msgs[s->link].kind = MSG_VOID;
	s->link = SIM_MAP_NONE;
}

/* The timeout failure of a held request reaches its runner: the request,
 * still held, now has no one to answer. */
static void caller_gave_up(struct sim_world *w, struct sim_msg *fail)
{
	struct sim_msg *req = &w->msgs[fail->link];
	req->client_gone = true;
	req->link = SIM_MAP_NONE;
	fail->link = SIM_MAP_NONE;
}

static void deliver_request(struct sim_world *w, uint32_t slot)
{
	struct sim_msg *s = &w->msgs[slot];
	const struct sim_node *c = &w->nodes[w->coord];
	int from = s->from;
	void_pending_failure(w, s);
	if (c->state != SIM_NODE_UP) {
		drop_record(w, s->from, s->to, s, "down");
		if (from < 0) {
			w->reply.status = 0;
			api_reply(w, s, 0);
			sim_msg_release(w, slot);
		} else if (s->client_gone) {
			sim_msg_release(w, slot);
		} else {
			fail_at(w, slot, w->now + w->net.latency_ms, "refused");
		}
		return;
	}
	if (from >= 0 && w->nodes[from].block_out) {
		drop(w, slot, "partition");
		return;
	}
	if (from >= 0)
		msg_record(w, SIM_EV_DELIVER, w->coord, from, s, NULL);
	struct rc_msg msg = s->req;
	if (s->id_copied)
		msg.runner_id = s->runner_id;
	/* Handling a request never sends a message, so the slot array stays
	 * where it is and msg may point into the slot. */
	uint32_t cap = w->cap_msgs;
	int status = sim_coord_handle(w, &msg, from);
	assert(cap == w->cap_msgs && s == &w->msgs[slot]);
	(void)cap;
	if (from < 0) {
		api_reply(w, s, status);
		sim_msg_release(w, slot);
		return;
	}
	if (s->client_gone) {
		drop_record(w, w->coord, from, s, "client-gone");
		sim_msg_release(w, slot);
		return;
	}
	drop_payload(s); /* a request has no grants */
	s->kind = MSG_REPLY;
	s->from = w->coord;
	s->to = from;
	reply_to_slot(&w->reply, &s->rep);
	msg_record(w, SIM_EV_SEND, w->coord, from, s, NULL);
	transmit(w, slot);
}

static void deliver_to_runner(struct sim_world *w, uint32_t slot)
{
	struct sim_msg *s = &w->msgs[slot];
	int node = s->to;
	struct sim_node *n = &w->nodes[node];
	if (s->link != SIM_MAP_NONE)
		caller_gave_up(w, s);
	if (n->state != SIM_NODE_UP || !n->runner || n->incarnation != s->runner_inc) {
		drop_record(w, s->from, node, s, "stale");
		sim_msg_release(w, slot);
		return;
	}
	if (s->kind == MSG_REPLY && n->block_in) {
		drop(w, slot, "partition");
		return;
	}
	if (s->kind == MSG_FAIL)
		transport_fail_record(w, node, s);
	else
		msg_record(w, SIM_EV_DELIVER, node, w->coord, s, NULL);
	sim_runner_on_reply(w, node, s);
	sim_msg_release(w, slot);
}

void sim_net_deliver(struct sim_world *w, uint32_t slot)
{
	if (w->msgs[slot].kind == MSG_REQUEST)
		deliver_request(w, slot);
	else
		deliver_to_runner(w, slot);
}

/* -------------------------------------------------- partitions, rules */

void sim_net_recompute_blocks(struct sim_world *w)
{
	int c = w->coord;
	for (int r = 0; r < w->n_nodes; r++) {
		struct sim_node *n = &w->nodes[r];
		n->block_out = n->block_in = false;
		if (r == c)
			continue;
		for (size_t i = 0; i < w->n_parts; i++) {
			const struct sim_partition *p = &w->parts[i];
			bool in_r = r < p->n_nodes && p->in_set[r];
			bool in_c = c >= 0 && c < p->n_nodes && p->in_set[c];
			if (in_r == in_c)
				continue;
			/* "out": messages leaving the set are lost; "in": entering. */
			bool leaving_runner = in_r; /* runner->coord leaves the set iff the runner is in it */
			if (p->dir == SIM_PART_BOTH) {
				n->block_out = n->block_in = true;
			} else if ((p->dir == SIM_PART_OUT) == leaving_runner) {
				n->block_out = true; /* out and runner inside, or in and runner outside */
			} else {
				n->block_in = true;
			}
		}
	}
}

void sim_net_partition(struct sim_world *w, int handle, const int *nodes, size_t n, enum sim_partition_dir dir)
{
	SIM_GROW(w->parts, w->cap_parts, w->n_parts + 1);
	struct sim_partition *p = &w->parts[w->n_parts++];
	p->handle = handle;
	p->n_nodes = w->n_nodes;
	p->in_set = calloc((size_t)w->n_nodes, 1);
	assert(p->in_set);
	for (size_t i = 0; i < n; i++)
		p->in_set[nodes[i]] = 1;
	p->dir = dir;
	sim_net_recompute_blocks(w);
}

void sim_net_heal(struct sim_world *w, int handle)
{
	size_t kept = 0;
	for (size_t i = 0; i < w->n_parts; i++) {
		if (handle == -1 || w->parts[i].handle == handle)
			free(w->parts[i].in_set);
		else
			w->parts[kept++] = w->parts[i];
	}
	w->n_parts = kept;
	if (handle == -1)
		w->n_rules = 0;
	sim_net_recompute_blocks(w);
}

void sim_net_add_rule(struct sim_world *w, const struct sim_link_rule *rule)
{
	/* Spent rules are reused so a long run does not grow the list. */
	for (size_t i = 0; i < w->n_rules; i++) {
		if (w->rules[i].remaining <= 0) {
			w->rules[i] = *rule;
			return;
		}
	}
	SIM_GROW(w->rules, w->cap_rules, w->n_rules + 1);
	w->rules[w->n_rules++] = *rule;
}
