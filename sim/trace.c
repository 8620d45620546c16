/*
 * trace.c - trace records: history ring, JSONL lines, trace hash, violations.
 *
 * Every record goes to a ring of the last history_len records (so a violation
 * can show what led to it), to the observer, and, when asked, to the JSONL
 * sink and the running trace hash. A line has a fixed key order: "ev", "t",
 * "node", "kind", then the fields that kind carries, always the same ones,
 * so two traces diff line by line. The first line is a header with the seed,
 * the build id and the configuration.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "build_id.h"
#include "identity.h"
#include "sim_internal.h"

#ifndef RC_BUILD_ID
#define RC_BUILD_ID "unknown"
#endif

const char *sim_build_id(void)
{
	return RC_BUILD_ID;
}

static const char *const kind_names[SIM_EV_KIND_COUNT] = {
	[SIM_EV_ACTION] = "action",         [SIM_EV_FAULT] = "fault",
	[SIM_EV_NODE] = "node",             [SIM_EV_CLOCK] = "clock",
	[SIM_EV_TICK] = "tick",             [SIM_EV_SEND] = "send",
	[SIM_EV_DELIVER] = "deliver",       [SIM_EV_DROP] = "drop",
	[SIM_EV_DUP] = "dup",               [SIM_EV_REPLY] = "reply",
	[SIM_EV_TRANSPORT_FAIL] = "transport-fail",
	[SIM_EV_RUNNER_STATUS] = "runner-status",
	[SIM_EV_TASK_STATE] = "task-state", [SIM_EV_SANDBOX_AUDIT] = "sandbox-audit",
	[SIM_EV_REJECTED] = "rejected",     [SIM_EV_PROC_START] = "proc-start",
	[SIM_EV_PROC_SIGNAL] = "proc-signal", [SIM_EV_PROC_EXIT] = "proc-exit",
	[SIM_EV_STATE_SAVE] = "state-save", [SIM_EV_STORAGE] = "storage",
	[SIM_EV_LOG] = "log",               [SIM_EV_API] = "api",
	[SIM_EV_CHECK] = "check",           [SIM_EV_VIOLATION] = "violation",
};

const char *sim_ev_kind_name(enum sim_ev_kind kind)
{
	if ((unsigned)kind >= SIM_EV_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

/* Which fields each kind carries (and so which keys its line has). */
enum {
	F_WHAT = 1 << 0, F_PEER = 1 << 1, F_OP = 1 << 2, F_REQ = 1 << 3, F_STATUS = 1 << 4,
	F_FROMTO = 1 << 5, F_TASK = 1 << 6, F_ATTEMPT = 1 << 7, F_SANDBOX = 1 << 8,
	F_RUNNER = 1 << 9, F_VALUE = 1 << 10, F_TEXT = 1 << 11
};
static const unsigned kind_fields[SIM_EV_KIND_COUNT] = {
	[SIM_EV_ACTION] = F_WHAT | F_PEER | F_VALUE | F_TEXT,
	[SIM_EV_FAULT] = F_WHAT | F_PEER | F_VALUE | F_TEXT,
	[SIM_EV_NODE] = F_WHAT | F_VALUE | F_TEXT,
	[SIM_EV_CLOCK] = F_WHAT | F_VALUE,
	[SIM_EV_TICK] = F_VALUE,
	[SIM_EV_SEND] = F_PEER | F_OP | F_REQ | F_STATUS,
	[SIM_EV_DELIVER] = F_PEER | F_OP | F_REQ | F_STATUS,
	[SIM_EV_DROP] = F_WHAT | F_PEER | F_OP | F_REQ | F_STATUS,
	[SIM_EV_DUP] = F_PEER | F_OP | F_REQ | F_STATUS,
	[SIM_EV_REPLY] = F_PEER | F_OP | F_REQ | F_STATUS | F_TEXT,
	[SIM_EV_TRANSPORT_FAIL] = F_WHAT | F_OP | F_REQ,
	[SIM_EV_RUNNER_STATUS] = F_FROMTO | F_RUNNER,
	[SIM_EV_TASK_STATE] = F_FROMTO | F_TASK | F_ATTEMPT | F_RUNNER,
	[SIM_EV_SANDBOX_AUDIT] = F_FROMTO | F_SANDBOX | F_RUNNER,
	[SIM_EV_REJECTED] = F_OP | F_STATUS | F_TASK | F_RUNNER,
	[SIM_EV_PROC_START] = F_TASK | F_ATTEMPT,
	[SIM_EV_PROC_SIGNAL] = F_WHAT | F_TASK | F_ATTEMPT | F_VALUE,
	[SIM_EV_PROC_EXIT] = F_WHAT | F_TASK | F_ATTEMPT | F_VALUE,
	[SIM_EV_STATE_SAVE] = F_RUNNER | F_VALUE,
	[SIM_EV_STORAGE] = F_WHAT | F_VALUE,
	[SIM_EV_LOG] = F_TEXT,
	[SIM_EV_API] = F_WHAT | F_OP | F_STATUS | F_TASK | F_SANDBOX | F_TEXT,
	[SIM_EV_CHECK] = F_WHAT | F_VALUE,
	[SIM_EV_VIOLATION] = F_WHAT | F_TEXT,
};

static const char *transition_name(enum sim_ev_kind kind, int v)
{
	switch (kind) {
	case SIM_EV_RUNNER_STATUS: return rc_runner_status_name((enum rc_runner_status)v);
	case SIM_EV_TASK_STATE: return rc_task_state_name((enum rc_task_state)v);
	case SIM_EV_SANDBOX_AUDIT: return rc_sandbox_status_name((enum rc_sandbox_status)v);
	default: return "?";
	}
}

/* -------------------------------------------------------------- lines */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *event_json(const struct sim_event *ev)
{
	unsigned f = (unsigned)ev->kind < SIM_EV_KIND_COUNT ? kind_fields[ev->kind] : 0;
	json_t *o = json_object();
	json_object_set_new(o, "ev", json_integer((json_int_t)ev->seq));
	json_object_set_new(o, "t", json_integer(ev->at_ms));
	json_object_set_new(o, "node", json_string(ev->node_name ? ev->node_name : ""));
	json_object_set_new(o, "kind", json_string(sim_ev_kind_name(ev->kind)));
	if (f & F_WHAT)
		json_object_set_new(o, "what", str_or_null(ev->what));
	if (f & F_PEER)
		json_object_set_new(o, "peer", ev->peer >= 0 ? json_string(ev->peer_name) : json_null());
	if (f & F_OP)
		json_object_set_new(o, "op", json_string(rc_op_name(ev->op)));
	if (f & F_REQ)
		json_object_set_new(o, "req", json_integer((json_int_t)ev->req_id));
	if (f & F_STATUS)
		json_object_set_new(o, "status", json_integer(ev->status));
	if (f & F_FROMTO) {
		json_object_set_new(o, "from", json_string(transition_name(ev->kind, ev->from)));
		json_object_set_new(o, "to", json_string(transition_name(ev->kind, ev->to)));
	}
	if (f & F_TASK)
		json_object_set_new(o, "task", json_integer((json_int_t)ev->task_id));
	if (f & F_ATTEMPT)
		json_object_set_new(o, "attempt", json_integer(ev->attempt));
	if (f & F_SANDBOX)
		json_object_set_new(o, "sandbox", json_integer((json_int_t)ev->sandbox_id));
	if (f & F_RUNNER)
		json_object_set_new(o, "runner", str_or_null(ev->runner_id));
	if (f & F_VALUE)
		json_object_set_new(o, "value", json_integer(ev->value));
	if (f & F_TEXT)
		json_object_set_new(o, "text", str_or_null(ev->text));
	return o;
}

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

int sim_event_format(const struct sim_event *ev, char *buf, size_t len)
{
	json_t *o = event_json(ev);
	size_t need = json_dumpb(o, buf, len, JSON_FLAGS);
	json_decref(o);
	if (need < len)
		buf[need] = '\0';
	else if (len > 0)
		buf[len - 1] = '\0';
	return (int)need;
}

/* ------------------------------------------------------------- header */

static json_t *config_json(const struct sim_world *w)
{
	const struct sim_config *c = &w->cfg;
	char faults[64] = "";
	static const char *const names[] = { "net", "crash", "skew", "pause", "storage" };
	for (int i = 0; i < 5; i++) {
		if (c->faults.kinds & (1u << i)) {
			if (faults[0])
				strcat(faults, ",");
			strcat(faults, names[i]);
		}
	}
	json_t *coord = json_pack("{s:I,s:I,s:I,s:I,s:I,s:i,s:i,s:i,s:I}",
				  "stale_after_ms", (json_int_t)c->coord.stale_after_ms,
				  "remove_after_ms", (json_int_t)c->coord.remove_after_ms,
				  "sweep_interval_ms", (json_int_t)c->coord.sweep_interval_ms,
				  "task_timeout_ms", (json_int_t)c->coord.task_timeout_ms,
				  "monitor_interval_ms", (json_int_t)c->coord.monitor_interval_ms,
				  "max_attempts", c->coord.max_attempts,
				  "heartbeat_interval_s", c->coord.heartbeat_interval_s,
				  "default_max_concurrency", c->coord.default_max_concurrency,
				  "secret_grace_ms", (json_int_t)c->coord.secret_grace_ms);
	json_t *net = json_pack("{s:I,s:I,s:f,s:f,s:f,s:I}", "latency_ms", (json_int_t)c->net.latency_ms,
				"jitter_ms", (json_int_t)c->net.jitter_ms, "loss", c->net.loss,
				"duplicate", c->net.duplicate, "reorder", c->net.reorder,
				"reorder_ms", (json_int_t)c->net.reorder_ms);
	json_t *fl = json_pack("{s:s,s:I,s:I,s:I,s:f,s:f,s:f}", "kinds", faults,
			       "mean_interval_ms", (json_int_t)c->faults.mean_interval_ms,
			       "from_ms", (json_int_t)c->faults.from_ms, "until_ms", (json_int_t)c->faults.until_ms,
			       "loss", c->faults.loss, "duplicate", c->faults.duplicate, "reorder", c->faults.reorder);
	json_t *cfg = json_pack("{s:b,s:o,s:o,s:o,s:b,s:b,s:i,s:I}", "permute_ties", c->permute_ties,
				"coord", coord, "net", net, "faults", fl, "storage_lossy", c->storage_lossy,
				"collect_all", c->collect_all, "history_len", c->history_len,
				"term_exit_ms", (json_int_t)c->term_exit_ms);
	if (w->work.on) {
		const struct sim_workload *wl = &w->work.wl;
		json_object_set_new(cfg, "workload",
				    json_pack("{s:i,s:I,s:I,s:f,s:I,s:b,s:b}", "runners", wl->runners,
					      "duration_ms", (json_int_t)wl->duration_ms, "quiet_ms",
					      (json_int_t)wl->quiet_ms, "tasks_per_runner_hour",
					      wl->tasks_per_runner_hour, "max_task_ms", (json_int_t)wl->max_task_ms,
					      "churn", wl->churn, "sandboxes", wl->sandboxes));
	}
	return cfg;
}

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

void sim_trace_header(struct sim_world *w)
{
	struct sim_trace *t = &w->trace;
	t->header_done = true;
	if (!t->file && !t->hashing)
		return;
	json_t *h = json_pack("{s:s,s:i,s:I,s:s,s:o}", "trace", "rollcall-sim", "format", 1, "seed",
			      (json_int_t)w->cfg.seed, "build", sim_build_id(), "config", config_json(w));
	char *line = json_dumps(h, JSON_FLAGS);
	json_decref(h);
	assert(line);
	if (t->file)
		fprintf(t->file, "%s\n", line);
	if (t->hashing)
		hash_bytes(&t->hash, line, strlen(line));
	free(line);
}

/* ------------------------------------------------------------ records */

void sim_trace_init(struct sim_world *w)
{
	struct sim_trace *t = &w->trace;
	memset(t, 0, sizeof *t);
	t->file = w->cfg.trace;
	t->hashing = w->cfg.trace != NULL || w->cfg.hash_trace;
	t->beyond_ring = t->hashing;
	t->hash = 0xcbf29ce484222325ULL;
	t->ring_len = w->cfg.no_history ? 0 : (size_t)w->cfg.history_len;
	if (t->ring_len)
		t->ring = calloc(t->ring_len, sizeof *t->ring);
	assert(!t->ring_len || t->ring);
}

void sim_trace_free(struct sim_world *w)
{
	free(w->trace.ring);
	w->trace.ring = NULL;
}

void sim_set_observer(struct sim_world *w, sim_observer_fn fn, void *ctx)
{
	w->trace.observer = fn;
	w->trace.observer_ctx = ctx;
	w->trace.beyond_ring = w->trace.hashing || fn;
}

uint64_t sim_trace_hash(const struct sim_world *w)
{
	return w->trace.hashing ? w->trace.hash : 0;
}

static inline void mix(uint64_t *h, uint64_t v)
{
	*h = (*h ^ v) * 0x100000001b3ULL;
	*h ^= *h >> 32;
}

static void mix_str(uint64_t *h, const char *s)
{
	if (!s) {
		mix(h, 0xdeadULL);
		return;
	}
	hash_bytes(h, s, strlen(s) + 1);
}

/* Hash exactly what the line shows, so equal hashes mean equal lines. */
static void hash_event(uint64_t *h, const struct sim_event *ev)
{
	unsigned f = kind_fields[ev->kind];
	mix(h, ev->seq);
	mix(h, (uint64_t)ev->at_ms);
	mix_str(h, ev->node_name);
	mix(h, (uint64_t)ev->kind);
	if (f & F_WHAT)
		mix_str(h, ev->what);
	if (f & F_PEER)
		mix_str(h, ev->peer >= 0 ? ev->peer_name : NULL);
	if (f & F_OP)
		mix(h, (uint64_t)ev->op);
	if (f & F_REQ)
		mix(h, ev->req_id);
	if (f & F_STATUS)
		mix(h, (uint64_t)ev->status);
	if (f & F_FROMTO)
		mix(h, ((uint64_t)(uint32_t)ev->from << 32) | (uint32_t)ev->to);
	if (f & F_TASK)
		mix(h, ev->task_id);
	if (f & F_ATTEMPT)
		mix(h, (uint64_t)ev->attempt);
	if (f & F_SANDBOX)
		mix(h, ev->sandbox_id);
	if (f & F_RUNNER)
		mix_str(h, ev->runner_id);
	if (f & F_VALUE)
		mix(h, (uint64_t)ev->value);
	if (f & F_TEXT)
		mix_str(h, ev->text);
}

void sim_ring_keep_strings(struct sim_ring_entry *e, const struct sim_event *ev)
{
	e->has_runner = ev->runner_id != NULL;
	if (e->has_runner)
		sim_copy_id(e->runner_id, ev->runner_id);
	e->has_text = ev->text != NULL;
	if (e->has_text) {
		size_t n = strnlen(ev->text, sizeof e->text - 1);
		memcpy(e->text, ev->text, n);
		e->text[n] = '\0';
	}
}

static void write_line(struct sim_trace *t, const struct sim_event *ev)
{
	json_t *o = event_json(ev);
	json_dumpf(o, t->file, JSON_FLAGS);
	fputc('\n', t->file);
	json_decref(o);
}

static void name_nodes(const struct sim_world *w, struct sim_event *ev)
{
	ev->node_name = ev->node >= 0 ? w->nodes[ev->node].name : "";
	ev->peer_name = ev->peer >= 0 ? w->nodes[ev->peer].name : NULL;
}

void sim_emit_beyond_ring(struct sim_world *w, struct sim_event *ev)
{
	struct sim_trace *t = &w->trace;
	if (!t->header_done)
		sim_trace_header(w);
	name_nodes(w, ev);
	if (t->hashing)
		hash_event(&t->hash, ev);
	if (t->file)
		write_line(t, ev);
	if (t->observer)
		t->observer(t->observer_ctx, ev);
}

void sim_record_tick(struct sim_world *w, int node, int64_t now)
{
	struct sim_event *ev = sim_record(w, SIM_EV_TICK, node);
	if (!ev)
		return;
	ev->value = now;
	sim_emit(w, ev);
}

void sim_record_node(struct sim_world *w, int node, const char *what, const char *text)
{
	struct sim_event *ev = sim_record(w, SIM_EV_NODE, node);
	if (!ev)
		return;
	ev->what = what;
	ev->value = w->nodes[node].incarnation;
	ev->text = text;
	sim_emit(w, ev);
}

void sim_record_log(struct sim_world *w, int node, const char *text)
{
	struct sim_event *ev = sim_record(w, SIM_EV_LOG, node);
	if (!ev)
		return;
	ev->text = text;
	sim_emit(w, ev);
}

/* --------------------------------------------------------- violations */

static const char *const invariant_names[SIM_INV_COUNT] = {
	[SIM_INV_ID_DETERMINISTIC] = "id-deterministic",
	[SIM_INV_SINGLE_RECORD] = "single-record",
	[SIM_INV_STALE_WINDOW] = "stale-window",
	[SIM_INV_REMOVE_WINDOW] = "remove-window",
	[SIM_INV_ONLINE_IF_HEARTBEATING] = "online-if-heartbeating",
	[SIM_INV_ONE_OWNER] = "one-owner",
	[SIM_INV_COMPLETE_ONCE] = "complete-once",
	[SIM_INV_REASSIGN_BOUND] = "reassign-bound",
	[SIM_INV_NO_ASSIGN_TO_STALE] = "no-assign-to-stale",
	[SIM_INV_SANDBOX_TRANSITIONS] = "sandbox-transitions",
	[SIM_INV_BACKOFF_SCHEDULE] = "backoff-schedule",
	[SIM_INV_LIVENESS] = "liveness",
};

const char *sim_invariant_name(enum sim_invariant inv)
{
	if ((unsigned)inv >= SIM_INV_COUNT)
		return "unknown";
	return invariant_names[inv];
}

int sim_invariant_parse(const char *name)
{
	for (int i = 0; name && i < SIM_INV_COUNT; i++)
		if (strcmp(name, invariant_names[i]) == 0)
			return i;
	return -1;
}

/* The ring's records as trace lines, oldest first (malloc'd). */
static char **history_lines(const struct sim_world *w, size_t *n_out)
{
	const struct sim_trace *t = &w->trace;
	*n_out = t->ring_fill;
	if (t->ring_fill == 0)
		return NULL;
	char **lines = calloc(t->ring_fill, sizeof *lines);
	assert(lines);
	size_t start = (t->ring_pos + t->ring_len - t->ring_fill) % t->ring_len;
	for (size_t i = 0; i < t->ring_fill; i++) {
		struct sim_ring_entry e = t->ring[(start + i) % t->ring_len];
		e.ev.runner_id = e.has_runner ? e.runner_id : NULL;
		e.ev.text = e.has_text ? e.text : NULL;
		name_nodes(w, &e.ev);
		json_t *o = event_json(&e.ev);
		lines[i] = json_dumps(o, JSON_FLAGS);
		json_decref(o);
		assert(lines[i]);
	}
	return lines;
}

#define SIM_MAX_KEPT_VIOLATIONS 1000

/* Checkers name a runner by its ID; add the nodes that carry it
 * ("lnch_x (r1,clone)"). Only done when a violation is reported. */
static void expand_nodes(const struct sim_world *w, const char *nodes, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s", nodes ? nodes : "");
	if (!nodes || !rc_identity_runner_key(nodes))
		return;
	const char *sep = " (";
	for (int i = 0; i < w->n_nodes && used + 2 < len; i++) {
		if (strcmp(w->nodes[i].expected_id, nodes) != 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", sep, w->nodes[i].name);
		sep = ",";
	}
	if (sep[0] == ',' && used + 2 < len)
		snprintf(buf + used, len - used, ")");
}

static void violate(struct sim_world *w, enum sim_invariant inv, const char *nodes, uint64_t task, const char *fmt,
		    va_list ap) __attribute__((format(printf, 5, 0)));

static void violate(struct sim_world *w, enum sim_invariant inv, const char *nodes, uint64_t task, const char *fmt,
		    va_list ap)
{
	w->stats.violations++;
	char message[320];
	vsnprintf(message, sizeof message, fmt, ap);
	if (w->n_violations < SIM_MAX_KEPT_VIOLATIONS) {
		SIM_GROW(w->violations, w->cap_violations, w->n_violations + 1);
		struct sim_violation *v = &w->violations[w->n_violations++];
		memset(v, 0, sizeof *v);
		v->invariant = inv;
		v->name = sim_invariant_name(inv);
		v->at_ms = w->now;
		v->seq = w->stats.events;
		expand_nodes(w, nodes, v->nodes, sizeof v->nodes);
		snprintf(v->message, sizeof v->message, "%s", message);
		v->task = task;
		v->history = history_lines(w, &v->n_history);
	}
	struct sim_event *ev = sim_record(w, SIM_EV_VIOLATION, -1);
	if (ev) {
		ev->what = sim_invariant_name(inv);
		ev->text = message;
		sim_emit(w, ev);
	}
	if (!w->cfg.collect_all)
		w->stopped = true;
}

void sim_violate(struct sim_world *w, enum sim_invariant inv, const char *nodes, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	violate(w, inv, nodes, 0, fmt, ap);
	va_end(ap);
}

void sim_violate_task(struct sim_world *w, enum sim_invariant inv, const char *nodes, uint64_t task,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	violate(w, inv, nodes, task, fmt, ap);
	va_end(ap);
}

void sim_violations_free(struct sim_world *w)
{
	for (size_t i = 0; i < w->n_violations; i++) {
		for (size_t j = 0; j < w->violations[i].n_history; j++)
			free(w->violations[i].history[j]);
		free(w->violations[i].history);
	}
	free(w->violations);
}

size_t sim_violation_count(const struct sim_world *w)
{
	return w->n_violations;
}

const struct sim_violation *sim_violation_at(const struct sim_world *w, size_t i)
{
	return i < w->n_violations ? &w->violations[i] : NULL;
}

void sim_violations_print(FILE *out, const struct sim_world *w, size_t max_shown, size_t history)
{
	size_t shown = w->n_violations < max_shown ? w->n_violations : max_shown;
	for (size_t i = 0; i < shown; i++) {
		const struct sim_violation *v = &w->violations[i];
		fprintf(out, "VIOLATION %s at %lld ms (event %" PRIu64 ") [%s]: %s\n", v->name, (long long)v->at_ms,
			v->seq, v->nodes, v->message);
		size_t from = v->n_history > history ? v->n_history - history : 0;
		for (size_t j = from; j < v->n_history; j++)
			fprintf(out, "    %s\n", v->history[j]);
	}
	/* stats count every violation, the table keeps the first 1000 */
	if (w->stats.violations > shown)
		fprintf(out, "... and %" PRIu64 " more violation(s) not printed\n", w->stats.violations - shown);
}
