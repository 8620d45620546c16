/*
 * world.c - the simulated world: config, nodes, the run loop, node timers.
 *
 * The run loop pops the earliest event, advances virtual time to it and
 * dispatches it. After anything happened at a node, its timer is re-armed
 * from its core's deadline (converted from the node's clock to virtual time);
 * a superseded timer stays in the heap but carries an old generation and is
 * skipped. Events for a paused node are held and re-issued at the instant
 * it resumes (in the order they came, or in a drawn order when ties are
 * permuted, as for any events of one instant): the node stops processing
 * while its clock runs on.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "sim_internal.h"

/* ------------------------------------------------------------ helpers */

void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	assert(q && "simulator allocation failed");
	return q;
}

char *sim_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = sim_xrealloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

void sim_grow(void **items, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	*items = sim_xrealloc(*items, c * size);
	*cap = c;
}

/* Room for exactly n elements (no rounding up), when there is less. */
static void reserve_exactly(void **items, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return;
	*items = sim_xrealloc(*items, n * size);
	*cap = n;
}
#define RESERVE_EXACTLY(arr, cap, n) reserve_exactly((void **)&(arr), &(cap), (n), sizeof *(arr))

/* The tables that hold one element per runner, sized once for the runners
 * the caller announced (and a clone): a run of 10,000 runners then holds
 * what it needs instead of the next power of two, 16,384 node records. */
static void reserve_runners(struct sim_world *w, size_t runners)
{
	RESERVE_EXACTLY(w->nodes, w->cap_nodes, runners + 2);
	RESERVE_EXACTLY(w->timers, w->cap_timers, runners + 2);
	RESERVE_EXACTLY(w->chk.runners, w->chk.cap_runners, runners + 1);
	struct sim_store_table *t = &w->store.tables[STORE_RUNNER];
	RESERVE_EXACTLY(t->items, t->cap, runners + 1);
}

const char *sim_intern(struct sim_world *w, const char *s)
{
	for (size_t i = 0; i < w->n_strings; i++)
		if (strcmp(w->strings[i], s) == 0)
			return w->strings[i];
	SIM_GROW(w->strings, w->cap_strings, w->n_strings + 1);
	w->strings[w->n_strings] = sim_strpool_dup(&w->pool, s);
	return w->strings[w->n_strings++];
}

int sim_fail(struct sim_world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sim_error(const struct sim_world *w)
{
	return w->err;
}

uint64_t sim_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int sim_find_named(const struct sim_map *index, const char *name, const void *table, size_t n,
		   const char *(*name_at)(const void *table, size_t i))
{
	if (!name)
		return -1;
	uint32_t i = sim_map_get(index, sim_hash_str(name));
	if (i == SIM_MAP_NONE)
		return -1; /* every element is indexed under its hash: none has this name */
	if (strcmp(name_at(table, i), name) == 0)
		return (int)i;
	for (size_t k = 0; k < n; k++) /* another name with the same hash: rare */
		if (strcmp(name_at(table, k), name) == 0)
			return (int)k;
	return -1;
}

/* ------------------------------------------------------------- config */

void sim_config_defaults(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->seed = 1;
	rc_coord_config_defaults(&cfg->coord);
	cfg->secret = "sim-secret";
	cfg->net.latency_ms = 5;
	cfg->net.jitter_ms = 5;
	cfg->net.reorder_ms = 500;
	cfg->faults.mean_interval_ms = 30000;
	cfg->faults.loss = 0.01;
	cfg->faults.duplicate = 0.01;
	cfg->faults.reorder = 0.02;
	cfg->history_len = 32;
	cfg->term_exit_ms = 200;
}

static bool prob_ok(double p)
{
	return p >= 0.0 && p <= 1.0;
}

int sim_config_validate(const struct sim_config *cfg, char *err, size_t err_len)
{
	const char *bad = NULL;
	if (!cfg->secret || !cfg->secret[0] || strlen(cfg->secret) > RC_MAX_SECRET_LEN)
		bad = "secret: must be 1..256 characters";
	else if (cfg->net.latency_ms < 0 || cfg->net.jitter_ms < 0 || cfg->net.reorder_ms < 1)
		bad = "net: latency and jitter must be >= 0, reorder_ms >= 1";
	else if (!prob_ok(cfg->net.loss) || !prob_ok(cfg->net.duplicate) || !prob_ok(cfg->net.reorder))
		bad = "net: loss, duplicate and reorder are probabilities in [0, 1]";
	else if (!prob_ok(cfg->faults.loss) || !prob_ok(cfg->faults.duplicate) || !prob_ok(cfg->faults.reorder))
		bad = "faults: loss, duplicate and reorder are probabilities in [0, 1]";
	else if (cfg->faults.kinds & ~(unsigned)SIM_FAULT_ALL)
		bad = "faults: unknown fault kind bit";
	else if (cfg->faults.kinds && cfg->faults.mean_interval_ms < 1)
		bad = "faults: mean_interval_ms must be >= 1";
	else if (cfg->history_len < 0 || cfg->history_len > 1024)
		bad = "history_len: must be 0..1024";
	else if (cfg->term_exit_ms < 0)
		bad = "term_exit_ms: must be >= 0";
	else if (cfg->expected_runners < 0 || cfg->expected_runners > 10000000)
		bad = "expected_runners: must be 0..10000000";
	if (bad) {
		snprintf(err, err_len, "%s", bad);
		return -1;
	}
	/* What rc_coord_new refuses is refused here, with the core's reason,
	 * rather than by an assertion when the coordinator starts. */
	if ((bad = rc_coord_config_problem(&cfg->coord))) {
		snprintf(err, err_len, "coord: %s", bad);
		return -1;
	}
	return 0;
}

int sim_faults_parse(const char *text, unsigned *mask, char *bad, size_t bad_len)
{
	static const struct { const char *word; unsigned bits; } words[] = {
		{ "net", SIM_FAULT_NET },     { "crash", SIM_FAULT_CRASH },
		{ "skew", SIM_FAULT_SKEW },   { "pause", SIM_FAULT_PAUSE },
		{ "storage", SIM_FAULT_STORAGE }, { "all", SIM_FAULT_ALL },
		{ "none", 0 },
	};
	*mask = 0;
	const char *p = text;
	for (;;) {
		size_t n = strcspn(p, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
			if (strlen(words[i].word) == n && strncmp(p, words[i].word, n) == 0) {
				*mask |= words[i].bits;
				found = true;
			}
		}
		if (!found) {
			snprintf(bad, bad_len, "%.*s", (int)n, p);
			return -1;
		}
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* -------------------------------------------------------------- world */

struct sim_world *sim_world_new(const struct sim_config *cfg)
{
	char err[160];
	int valid = sim_config_validate(cfg, err, sizeof err);
	assert(valid == 0 && "invalid sim_config: call sim_config_validate first");
	(void)valid;
	struct sim_world *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->coord_secret = (char *)sim_intern(w, cfg->secret);
	w->cfg.secret = w->coord_secret;
	if (cfg->faults.kinds & SIM_FAULT_STORAGE)
		w->cfg.storage_lossy = true;
	w->coord = -1;
	w->current_action = -1;
	w->net = cfg->net;
	sim_heap_init(&w->heap);
	rc_rng_split(&w->tie_rng, cfg->seed, STREAM_TIES);
	sim_map_init(&w->node_by_name);
	sim_map_init(&w->runner_by_id);
	sim_map_init(&w->task_by_id);
	sim_map_init(&w->task_by_name);
	sim_map_init(&w->sandbox_by_name);
	rc_outbox_init(&w->ob);
	sim_net_init(w);
	sim_storage_init(&w->store, cfg->seed, cfg->secret);
	sim_check_init(&w->chk);
	sim_trace_init(w);
	sim_faults_init(w);
	if (cfg->expected_runners > 0)
		reserve_runners(w, (size_t)cfg->expected_runners);
	return w;
}

static void node_free(struct sim_node *n)
{
	if (n->runner)
		rc_runner_free(n->runner);
	if (n->coord)
		rc_coord_free(n->coord);
	/* its name and its runner's strings are in the world's pool */
	free(n->procs);
	free(n->held);
}

void sim_world_free(struct sim_world *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->n_nodes; i++)
		node_free(&w->nodes[i]);
	free(w->nodes);
	free(w->timers);
	sim_map_free(&w->node_by_name);
	sim_map_free(&w->runner_by_id);
	sim_net_free(w);
	free(w->tasks);
	free(w->sandboxes);
	sim_map_free(&w->task_by_id);
	sim_map_free(&w->task_by_name);
	sim_map_free(&w->sandbox_by_name);
	sim_actions_free(w);
	sim_storage_free(&w->store);
	sim_check_free(&w->chk);
	sim_trace_free(w);
	sim_faults_free(w);
	sim_workload_free(w);
	sim_violations_free(w);
	rc_outbox_free(&w->ob);
	sim_heap_free(&w->heap);
	free(w->strings);
	sim_strpool_free(&w->pool); /* last: the frees above may name nodes */
	free(w);
}

/* -------------------------------------------------------------- nodes */

static const char *const node_state_names[] = {
	[SIM_NODE_DOWN] = "down",       [SIM_NODE_UP] = "up",     [SIM_NODE_PAUSED] = "paused",
	[SIM_NODE_CRASHED] = "crashed", [SIM_NODE_EXITED] = "exited",
};

const char *sim_node_state_name(enum sim_node_state s)
{
	if ((unsigned)s >= sizeof node_state_names / sizeof node_state_names[0])
		return "unknown";
	return node_state_names[s];
}

static struct sim_node *node_new(struct sim_world *w, const char *name, enum sim_node_kind kind)
{
	SIM_GROW(w->nodes, w->cap_nodes, (size_t)w->n_nodes + 1);
	SIM_GROW(w->timers, w->cap_timers, (size_t)w->n_nodes + 1);
	w->timers[w->n_nodes] = (struct sim_timer){ .at = INT64_MAX, .want_at = INT64_MAX };
	struct sim_node *n = &w->nodes[w->n_nodes++];
	memset(n, 0, sizeof *n);
	n->name = sim_strpool_dup(&w->pool, name);
	n->name_hash = sim_hash_str(name);
	if (sim_map_get(&w->node_by_name, n->name_hash) == SIM_MAP_NONE)
		sim_map_put(&w->node_by_name, n->name_hash, (uint32_t)(w->n_nodes - 1));
	n->kind = kind;
	sim_node_set_state(w, w->n_nodes - 1, SIM_NODE_DOWN);
	sim_clock_init(&n->clock);
	n->disturbed_at = -1;
	n->restart_at = -1;
	n->start_at_ms = -1;
	/* Streams named after the node: adding a node leaves others' draws alone. */
	rc_rng_split(&n->net_rng, w->cfg.seed, n->name_hash);
	return n;
}

static bool name_ok(struct sim_world *w, const char *name)
{
	if (!name || !name[0])
		return sim_fail(w, "a node needs a non-empty name"), false;
	if (sim_node_find(w, name) >= 0)
		return sim_fail(w, "a node called %s already exists", name), false;
	return true;
}

int sim_add_coordinator(struct sim_world *w, const char *name)
{
	if (w->coord >= 0)
		return sim_fail(w, "the world already has a coordinator (%s)", w->nodes[w->coord].name);
	if (!name_ok(w, name))
		return -1;
	node_new(w, name, SIM_NODE_COORD);
	w->coord = w->n_nodes - 1;
	sim_coord_start(w);
	return w->coord;
}

void sim_runner_spec_defaults(struct sim_runner_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->max_concurrency = 1;
	spec->heartbeat_interval_ms = 20000;
	spec->request_timeout_ms = 10000;
	rc_sup_policy_defaults(&spec->sup);
	spec->start_at_ms = -1;
}

/* sim_runner_spec_check, also giving the runner's ID (its properties' digest). */
static int check_spec(const struct sim_runner_spec *spec, char id[RC_RUNNER_ID_BUF], char *why, size_t why_len)
{
	if (sim_expected_id(spec->hostname, spec->project_dir, spec->executor_type, id) != 0)
		snprintf(why, why_len, "hostname, project_dir and executor_type must be non-empty");
	else if (spec->max_concurrency < 1 || spec->max_concurrency > RC_MAX_CONCURRENCY)
		snprintf(why, why_len, "max_concurrency must be 1..%d", RC_MAX_CONCURRENCY);
	else if (spec->heartbeat_interval_ms <= 0 || spec->request_timeout_ms <= 0)
		snprintf(why, why_len, "heartbeat interval and request timeout must be > 0");
	/* what rc_runner_new refuses of the restart policy: refused here, with
	 * a reason, rather than by an assertion when the runner starts */
	else if (!rc_sup_policy_valid(&spec->sup))
		snprintf(why, why_len, "restart_delay and stable_after must be > 0, restart_max_delay at least "
			 "restart_delay, max_restarts and stop_grace >= 0");
	else
		return 0;
	return -1;
}

int sim_runner_spec_check(const struct sim_runner_spec *spec, char *why, size_t why_len)
{
	char id[RC_RUNNER_ID_BUF];
	return check_spec(spec, id, why, why_len);
}

int sim_add_runner(struct sim_world *w, const struct sim_runner_spec *spec)
{
	if (w->coord < 0)
		return sim_fail(w, "add the coordinator before runners");
	if (!name_ok(w, spec->name))
		return -1;
	char why[200], id[RC_RUNNER_ID_BUF];
	if (check_spec(spec, id, why, sizeof why) != 0)
		return sim_fail(w, "runner %s: %s", spec->name, why);
	if (spec->start_at_ms >= 0 && spec->start_at_ms < w->now)
		return sim_fail(w, "runner %s: start time %lld is in the past", spec->name,
				(long long)spec->start_at_ms);
	struct sim_node *n = node_new(w, spec->name, SIM_NODE_RUNNER);
	int handle = w->n_nodes - 1;
	const char *token = spec->instance_token;
	char drawn[40];
	if (!token) {
		struct rc_rng r;
		rc_rng_split(&r, w->cfg.seed, n->name_hash ^ STREAM_TOKENS);
		snprintf(drawn, sizeof drawn, "tok-%016llx", (unsigned long long)rc_rng_next(&r));
		token = drawn;
	}
	memcpy(n->expected_id, id, sizeof id);
	n->id_key = rc_identity_runner_key(id);
	if (sim_map_get(&w->runner_by_id, n->id_key) == SIM_MAP_NONE) /* a clone: its original stays */
		sim_map_put(&w->runner_by_id, n->id_key, (uint32_t)handle);
	rc_runner_config_init(&n->rcfg, sim_strpool_dup(&w->pool, spec->hostname),
			      sim_strpool_dup(&w->pool, spec->project_dir), sim_strpool_dup(&w->pool, spec->executor_type),
			      sim_strpool_dup(&w->pool, token), w->coord_secret,
			      spec->max_concurrency);
	n->rcfg.heartbeat_interval_ms = spec->heartbeat_interval_ms;
	n->rcfg.request_timeout_ms = spec->request_timeout_ms;
	n->request_timeout_ms = spec->request_timeout_ms;
	n->rcfg.sup = spec->sup;
	n->start_at_ms = spec->start_at_ms;
	if (spec->start_at_ms >= 0)
		sim_push(w, spec->start_at_ms, EVT_START, (uint32_t)handle, 0);
	return handle;
}

int sim_node_count(const struct sim_world *w)
{
	return w->n_nodes;
}

static const char *node_name_at(const void *nodes, size_t i)
{
	return ((const struct sim_node *)nodes)[i].name;
}

int sim_node_find(const struct sim_world *w, const char *name)
{
	return sim_find_named(&w->node_by_name, name, w->nodes, (size_t)w->n_nodes, node_name_at);
}

static bool node_ok(const struct sim_world *w, int node)
{
	return node >= 0 && node < w->n_nodes;
}

const char *sim_node_name(const struct sim_world *w, int node)
{
	return node_ok(w, node) ? w->nodes[node].name : "";
}

enum sim_node_kind sim_node_kind(const struct sim_world *w, int node)
{
	assert(node_ok(w, node));
	return w->nodes[node].kind;
}

enum sim_node_state sim_node_state(const struct sim_world *w, int node)
{
	assert(node_ok(w, node));
	return w->nodes[node].state;
}

int64_t sim_node_clock(const struct sim_world *w, int node)
{
	assert(node_ok(w, node));
	const struct sim_clock *c = &w->nodes[node].clock;
	return c->handed_ms == INT64_MIN ? sim_clock_peek(c, w->now) : c->handed_ms;
}

const struct rc_coord *sim_coord(const struct sim_world *w)
{
	if (w->coord < 0)
		return NULL;
	return w->nodes[w->coord].coord;
}

const struct rc_runner *sim_runner_core(const struct sim_world *w, int node)
{
	if (!node_ok(w, node))
		return NULL;
	return w->nodes[node].runner;
}

const char *sim_runner_node_id(const struct sim_world *w, int node)
{
	if (!node_ok(w, node) || w->nodes[node].kind != SIM_NODE_RUNNER)
		return NULL;
	return w->nodes[node].expected_id;
}

int64_t sim_now(const struct sim_world *w)
{
	return w->now;
}

void sim_stats(const struct sim_world *w, struct sim_stats *out)
{
	*out = w->stats;
	out->now_ms = w->now;
}

/* -------------------------------------------------------------- timers */

void sim_push(struct sim_world *w, int64_t at_ms, enum sim_evt type, uint32_t a, uint32_t b)
{
	assert(at_ms >= w->now);
	uint32_t tie = w->cfg.permute_ties ? (uint32_t)(rc_rng_next(&w->tie_rng) >> 32) : 0;
	sim_heap_push(&w->heap, at_ms, tie, type, a, b);
	if (type == EVT_DELIVER)
		w->pending_msgs++;
	else if (type == EVT_ACTION || type == EVT_START)
		w->pending_actions++;
	else if (type == EVT_PROC_EXIT)
		w->pending_procs++;
}

int64_t sim_node_now(struct sim_world *w, int node)
{
	return sim_clock_read(&w->nodes[node].clock, w->now);
}

static int64_t core_deadline(const struct sim_node *n)
{
	if (n->coord)
		return rc_coord_deadline(n->coord);
	if (n->runner)
		return rc_runner_deadline(n->runner);
	return INT64_MAX;
}

/* A node keeps at most one timer in the heap, at timer.at. When the core's
 * deadline moves earlier a new timer replaces it (the old one is skipped by
 * its generation); when it moves later only want_at changes, and the timer,
 * when it comes, re-arms itself at want_at without counting as an event.
 * A heartbeat cycle moves a runner's deadline four times, so this keeps the
 * heap at about one timer per node instead of four. */
void sim_node_rearm(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	struct sim_timer *t = &w->timers[node];
	int64_t at = INT64_MAX;
	if (n->state == SIM_NODE_UP || n->state == SIM_NODE_PAUSED)
		at = sim_clock_when(&n->clock, w->now, core_deadline(n));
	t->want_at = at;
	if (at >= t->at)
		return;
	t->gen++;
	t->at = at;
	sim_push(w, at, EVT_TIMER, (uint32_t)node, t->gen);
}

/* The node's timer came. Returns true when the core's tick is due now;
 * otherwise the timer moved on to want_at (or went away) and nothing
 * happened. Reads no more than the node's struct sim_timer. */
static bool timer_due(struct sim_world *w, int node)
{
	struct sim_timer *t = &w->timers[node];
	t->at = INT64_MAX;
	if (t->want_at <= w->now)
		return true;
	if (t->want_at != INT64_MAX) {
		t->gen++;
		t->at = t->want_at;
		sim_push(w, t->want_at, EVT_TIMER, (uint32_t)node, t->gen);
	}
	return false;
}

void sim_node_set_state(struct sim_world *w, int node, enum sim_node_state state)
{
	w->nodes[node].state = state;
	w->timers[node].paused = state == SIM_NODE_PAUSED;
}

/* ---------------------------------------------------------- the loop */

/* The node an event happens at, or -1 for world events. A secret rotation
 * happens at the coordinator: it reaches the process itself, as a signal
 * would, so a paused coordinator takes it when it resumes. */
static int event_node(const struct sim_world *w, const struct sim_ev *ev)
{
	switch (sim_ev_type(ev)) {
	case EVT_TIMER:
	case EVT_PROC_EXIT:
		return (int)sim_ev_a(ev);
	case EVT_DELIVER:
		return w->msgs[sim_ev_a(ev)].to;
	case EVT_ACTION:
		return w->actions[sim_ev_a(ev)].kind == ACT_ROTATE_SECRET ? w->coord : -1;
	default:
		return -1;
	}
}

static void count_popped(struct sim_world *w, const struct sim_ev *ev)
{
	uint32_t type = sim_ev_type(ev);
	if (type == EVT_DELIVER)
		w->pending_msgs--;
	else if (type == EVT_ACTION || type == EVT_START)
		w->pending_actions--;
	else if (type == EVT_PROC_EXIT)
		w->pending_procs--;
}

static bool stale(const struct sim_world *w, const struct sim_ev *ev)
{
	uint32_t type = sim_ev_type(ev);
	if (type == EVT_TIMER)
		return w->timers[sim_ev_a(ev)].gen != ev->b;
	if (type == EVT_PROC_EXIT)
		return sim_proc_exit_stale(w, (int)sim_ev_a(ev), ev->b);
	return type == EVT_DELIVER && w->msgs[sim_ev_a(ev)].kind == MSG_VOID;
}

static void hold(struct sim_world *w, int node, const struct sim_ev *ev)
{
	struct sim_node *n = &w->nodes[node];
	uint32_t type = sim_ev_type(ev);
	if (type == EVT_TIMER) { /* re-armed at resume from the deadline */
		w->timers[node].at = INT64_MAX;
		return;
	}
	SIM_GROW(n->held, n->cap_held, n->n_held + 1);
	n->held[n->n_held++] = *ev;
	if (type == EVT_DELIVER && node == w->coord)
		sim_net_request_held(w, sim_ev_a(ev));
	if (type == EVT_DELIVER)
		w->pending_msgs++;
	else if (type == EVT_ACTION)
		w->pending_actions++;
	else if (type == EVT_PROC_EXIT)
		w->pending_procs++;
}

/* Re-issue node's held events now (only its deliveries and actions when
 * keep_all is false: process exits are forgotten) and empty the hold. */
static void reissue_held(struct sim_world *w, struct sim_node *n, bool keep_all)
{
	for (size_t i = 0; i < n->n_held; i++) {
		const struct sim_ev *ev = &n->held[i];
		count_popped(w, ev); /* sim_push counts a re-issued one again */
		if (keep_all || sim_ev_type(ev) != EVT_PROC_EXIT)
			sim_push(w, w->now, (enum sim_evt)sim_ev_type(ev), sim_ev_a(ev), ev->b);
	}
	n->n_held = 0;
}

void sim_node_resume(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if (n->state != SIM_NODE_PAUSED)
		return;
	sim_node_set_state(w, node, SIM_NODE_UP);
	sim_record_node(w, node, "resume", NULL);
	n->disturbed_at = w->now;
	reissue_held(w, n, true);
	w->timers[node].at = INT64_MAX;
	w->timers[node].gen++;
	sim_node_rearm(w, node);
}

/* The held events of a node that goes away (crash, stop, power loss):
 * deliveries are re-issued now and find the node down, as a connection reset
 * would (a request to the coordinator is refused, or answered with status 0
 * for the scenario's API; a reply to a runner is dropped as stale); a secret
 * rotation applies to the durable secret the restart will read; process
 * exits are forgotten. Releasing the held requests instead once left an API
 * action without any outcome and a runner's request without a record. */
void sim_node_drop_held(struct sim_world *w, int node)
{
	reissue_held(w, &w->nodes[node], false);
}

static void node_timer(struct sim_world *w, int node)
{
	struct sim_node *n = &w->nodes[node];
	if (n->kind == SIM_NODE_COORD)
		sim_coord_tick(w);
	else
		sim_runner_tick(w, node);
}

static void dispatch(struct sim_world *w, const struct sim_ev *ev)
{
	uint32_t a = sim_ev_a(ev);
	switch (sim_ev_type(ev)) {
	case EVT_TIMER:
		node_timer(w, (int)a);
		break;
	case EVT_DELIVER:
		sim_net_deliver(w, a);
		break;
	case EVT_PROC_EXIT:
		sim_proc_exit_event(w, (int)a, ev->b);
		break;
	case EVT_ACTION:
		sim_action_apply(w, (int)a);
		break;
	case EVT_FAULT:
		sim_faults_event(w);
		break;
	case EVT_FAULT_UNDO:
		sim_faults_undo_event(w, a);
		break;
	case EVT_WORKLOAD:
		sim_workload_event(w, a, ev->b);
		break;
	case EVT_START:
		sim_scheduled_start(w, (int)a);
		break;
	default:
		assert(!"unknown event type");
	}
}

/* Ask for the lines the next event will read first while this one runs:
 * in a big run every tick starts on a node and a core last touched 20 s of
 * virtual time ago, long gone from the cache. Only a timer that will tick
 * is worth it (the others read no more than their struct sim_timer). */
static void prefetch_next(const struct sim_world *w)
{
	const struct sim_ev *next = sim_heap_peek(&w->heap);
	if (!next || sim_ev_type(next) != EVT_TIMER)
		return;
	const struct sim_timer *t = &w->timers[sim_ev_a(next)];
	if (t->gen != next->b || t->want_at > next->at_ms)
		return;
	const char *node = (const char *)&w->nodes[sim_ev_a(next)];
	__builtin_prefetch(node);
	__builtin_prefetch(node + 64);
	const char *core = t->core;
	if (core)
		for (int line = 0; line < 4; line++)
			__builtin_prefetch(core + 64 * line);
}

/* Process the next event due at or before limit_ms; superseded timers and
 * events held for a paused node are consumed on the way without counting.
 * Returns false when no event is due by the limit. */
static bool step_until(struct sim_world *w, int64_t limit_ms)
{
	struct sim_ev ev;
	for (;;) {
		if (w->stopped || !sim_heap_pop_until(&w->heap, limit_ms, &ev))
			return false;
		assert(ev.at_ms >= w->now && "virtual time went backwards");
		count_popped(w, &ev);
		if (stale(w, &ev)) {
			if (sim_ev_type(&ev) == EVT_DELIVER) /* a voided failure */
				sim_msg_release(w, sim_ev_a(&ev));
			continue;
		}
		w->now = ev.at_ms;
		int node = event_node(w, &ev);
		if (node >= 0 && w->timers[node].paused) {
			hold(w, node, &ev);
			continue;
		}
		if (sim_ev_type(&ev) == EVT_TIMER && !timer_due(w, node))
			continue;
		w->stats.events++;
		if (sim_world_is_big(w))
			prefetch_next(w);
		dispatch(w, &ev);
		return true;
	}
}

bool sim_step(struct sim_world *w)
{
	return step_until(w, INT64_MAX);
}

enum sim_run_status sim_run_until(struct sim_world *w, int64_t until_ms)
{
	while (step_until(w, until_ms))
		;
	if (w->stopped)
		return SIM_RUN_VIOLATION;
	if (until_ms > w->now)
		w->now = until_ms;
	return sim_heap_peek(&w->heap) ? SIM_RUN_TIME : SIM_RUN_EMPTY;
}

enum sim_run_status sim_run_until_quiet(struct sim_world *w, int64_t limit_ms)
{
	for (;;) {
		if (w->stopped)
			return SIM_RUN_VIOLATION;
		if (w->pending_msgs + w->pending_actions + w->pending_procs == 0)
			return SIM_RUN_QUIET;
		if (!step_until(w, limit_ms))
			break;
	}
	if (w->stopped)
		return SIM_RUN_VIOLATION;
	if (limit_ms > w->now)
		w->now = limit_ms;
	return sim_heap_peek(&w->heap) ? SIM_RUN_TIME : SIM_RUN_EMPTY;
}

void sim_check_now(struct sim_world *w)
{
	if (w->coord >= 0 && w->nodes[w->coord].coord && w->nodes[w->coord].state != SIM_NODE_PAUSED)
		sim_check_full(w, sim_node_now(w, w->coord));
}
