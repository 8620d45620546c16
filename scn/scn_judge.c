/*
 * scn_judge.c - the meaning of a scenario's time words, for any world.
 *
 * Moved out of the simulator's executor so that `rollcall conform` judges a
 * live coordinator with exactly the same rules (scn_judge.h). Events are
 * matched against records as they come; states are polled at the instants a
 * driver offers, so a state that holds only briefly is still seen by "never"
 * and a change is timed to the poll that saw it; checkpoints give the
 * verdicts that are due at an instant.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn_judge.h"

#define FMT_DUR(ms, buf) scn_format_duration((ms), (buf), sizeof(buf))

/* --- failures ------------------------------------------------------------------ */

/* Records a failure when it is the first so far (earliest time, then
 * earliest line); returns whether it did. */
static bool vfail(struct scn_judge *j, int64_t at_ms, struct scn_pos pos, const char *what, const char *fmt,
		  va_list ap)
{
	struct scn_outcome *o = j->out;
	if (j->failed && (o->fail_at_ms < at_ms || (o->fail_at_ms == at_ms && o->pos.line <= pos.line)))
		return false;
	j->failed = true;
	o->passed = false;
	o->fail_at_ms = at_ms;
	o->pos = pos;
	o->fail_expect = -1;
	o->fail_action = -1;
	snprintf(o->what, sizeof o->what, "%s", what);
	vsnprintf(o->why, sizeof o->why, fmt, ap);
	return true;
}

bool scn_judge_fail(struct scn_judge *j, int64_t at_ms, struct scn_pos pos, const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool taken = vfail(j, at_ms, pos, what, fmt, ap);
	va_end(ap);
	return taken;
}

static void fail_expect(struct scn_judge *j, size_t i, int64_t at_ms, const char *why)
{
	const struct scn_expect *e = &j->s->expects[i];
	j->rt[i].judged = true;
	if (scn_judge_fail(j, at_ms, e->pos, e->text, "%s", why))
		j->out->fail_expect = (int)i;
}

/* "it happened at 20s, 1m40s" or "it never happened" */
static void list_times(const struct scn_exp_rt *rt, char *buf, size_t n)
{
	if (rt->n_times == 0) {
		snprintf(buf, n, "it never happened");
		return;
	}
	size_t used = (size_t)snprintf(buf, n, "it happened at ");
	for (int k = 0; k < rt->n_times && k < SCN_SEEN_TIMES && used < n; k++) {
		char t[32];
		used += (size_t)snprintf(buf + used, n - used, "%s%s", k ? ", " : "", FMT_DUR(rt->times[k], t));
	}
	if (rt->n_times > SCN_SEEN_TIMES && used < n)
		snprintf(buf + used, n - used, ", ... (%d times)", rt->n_times);
}

/* --- occurrences and polls --------------------------------------------------------- */

static int64_t window_end(const struct scn_judge *j, const struct scn_expect *e)
{
	return e->to_ms == SCN_END_OF_RUN ? j->s->end_ms : e->to_ms;
}

static int64_t window_start(const struct scn_judge *j, const struct scn_expect *e)
{
	return e->from_ms == SCN_END_OF_RUN ? j->s->end_ms : e->from_ms;
}

static void occurred(struct scn_judge *j, size_t i, int64_t t)
{
	const struct scn_expect *e = &j->s->expects[i];
	struct scn_exp_rt *rt = &j->rt[i];
	if (rt->n_times < SCN_SEEN_TIMES)
		rt->times[rt->n_times] = t;
	rt->n_times++;
	if (rt->judged)
		return;
	bool inside = t >= window_start(j, e) && t <= window_end(j, e);
	if (!inside)
		return;
	if (e->kind == SCN_EXP_NEVER) {
		char ts[32], why[128];
		snprintf(why, sizeof why, "it happened at %s", FMT_DUR(t, ts));
		fail_expect(j, i, t, why);
	} else if (e->kind == SCN_EXP_COUNT) {
		rt->count++;
	} else {
		rt->seen = true;
	}
}

static bool state_holds(struct scn_judge *j, const struct scn_state *st)
{
	bool v = j->ops->state_value(j->ctx, st);
	return st->negated ? !v : v;
}

/* Whether a runner's supervisor has given the task's process up. */
static bool gave_up_on(struct scn_judge *j, int node, uint64_t task_id)
{
	const struct rc_runner *core = j->ops->runner_core(j->ctx, node);
	for (int i = 0; core && i < rc_runner_task_count(core); i++) {
		const struct rc_runner_task *t = rc_runner_task_at(core, i);
		if (t->task_id == task_id && t->sup.state == RC_SUP_GAVE_UP)
			return true;
	}
	return false;
}

/* For a polled event ("becomes", "gives up"): whether its state holds now. */
static bool event_state(struct scn_judge *j, const struct scn_event *ev)
{
	if (ev->kind == SCN_EV_BECOMES)
		return j->ops->state_value(j->ctx, &ev->state);
	uint64_t id = j->ops->task_id(j->ctx, ev->task);
	if (id == 0)
		return false;
	if (ev->node >= 0)
		return gave_up_on(j, ev->node, id);
	for (size_t i = 1; i < j->s->n_nodes; i++)
		if (gave_up_on(j, (int)i, id))
			return true;
	return false;
}

/* Whether the event is judged by polling a state rather than from records. */
static bool event_is_polled(const struct scn_event *ev)
{
	return ev->kind == SCN_EV_BECOMES || (ev->kind == SCN_EV_PROCESS && ev->proc == SCN_PEV_GIVES_UP);
}

static void poll_one(struct scn_judge *j, size_t i, int64_t t)
{
	const struct scn_expect *e = &j->s->expects[i];
	struct scn_exp_rt *rt = &j->rt[i];
	if (rt->skipped)
		return;
	if (e->is_event) {
		bool v = event_state(j, &e->event);
		if (rt->have_prev && !rt->prev && v)
			occurred(j, i, t);
		rt->prev = v;
		rt->have_prev = true;
		return;
	}
	if (rt->judged || e->kind == SCN_EXP_AT)
		return;
	if (t < window_start(j, e) || t > window_end(j, e))
		return;
	bool v = state_holds(j, &e->state);
	if (e->kind == SCN_EXP_EVENTUALLY && v) {
		rt->seen = true;
	} else if (e->kind == SCN_EXP_NEVER && v) {
		char actual[200];
		j->ops->describe(j->ctx, &e->state, actual, sizeof actual);
		fail_expect(j, i, t, actual); /* printed after "at T: " */
	}
}

bool scn_judge_watches(const struct scn_judge *j)
{
	/* reads_removed comes with a polled or matched expectation */
	return j->n_polled > 0 || j->n_matched > 0;
}

void scn_judge_poll(struct scn_judge *j, int64_t t)
{
	if (j->ops->before_poll)
		j->ops->before_poll(j->ctx);
	for (size_t k = 0; k < j->n_polled; k++)
		poll_one(j, j->polled[k], t);
}

static bool op_matches(enum rc_op want, enum rc_op got)
{
	return want == RC_OP_NONE || want == got;
}

static bool record_matches(const struct scn_event *ev, const struct scn_record *rec)
{
	switch (ev->kind) {
	case SCN_EV_REPLY:
		return rec->kind == SCN_REC_REPLY && rec->node == ev->node && rec->status == ev->status &&
		       op_matches(ev->op, rec->op);
	case SCN_EV_SEND:
		return rec->kind == SCN_REC_SEND && rec->node == ev->node && op_matches(ev->op, rec->op);
	case SCN_EV_PROCESS:
		return rec->kind == SCN_REC_PROC && rec->task >= 0 && rec->task == ev->task &&
		       (ev->node < 0 || rec->node == ev->node) && rec->proc == ev->proc;
	case SCN_EV_BECOMES:
		return false;
	}
	return false;
}

void scn_judge_record(struct scn_judge *j, const struct scn_record *rec)
{
	for (size_t k = 0; k < j->n_matched; k++) {
		size_t i = j->matched[k];
		if (!j->rt[i].skipped && record_matches(&j->s->expects[i].event, rec))
			occurred(j, i, rec->at_ms);
	}
}

/* --- judging at checkpoints ------------------------------------------------------- */

static void judge_at(struct scn_judge *j, size_t i, int64_t c)
{
	const struct scn_expect *e = &j->s->expects[i];
	struct scn_exp_rt *rt = &j->rt[i];
	char why[600], buf[300], ts[32];
	rt->judged = true;
	if (e->is_event) {
		if (rt->seen)
			return;
		list_times(rt, buf, sizeof buf);
		snprintf(why, sizeof why, "it did not happen at %s (%s)", FMT_DUR(c, ts), buf);
		fail_expect(j, i, c, why);
		return;
	}
	if (state_holds(j, &e->state))
		return;
	j->ops->describe(j->ctx, &e->state, buf, sizeof buf);
	fail_expect(j, i, c, buf); /* printed after "at T: " */
}

static void judge_window_end(struct scn_judge *j, size_t i, int64_t c)
{
	const struct scn_expect *e = &j->s->expects[i];
	struct scn_exp_rt *rt = &j->rt[i];
	char why[600], buf[300], a[32], b[32];
	rt->judged = true;
	bool ok = rt->seen;
	if (e->kind == SCN_EXP_COUNT)
		ok = e->cmp == SCN_EXACTLY ? rt->count == e->count
		   : e->cmp == SCN_AT_LEAST ? rt->count >= e->count : rt->count <= e->count;
	if (ok)
		return;
	list_times(rt, buf, sizeof buf);
	if (e->kind == SCN_EXP_COUNT)
		snprintf(why, sizeof why, "counted %d between %s and %s (%s)", rt->count, FMT_DUR(window_start(j, e), a),
			 FMT_DUR(c, b), buf);
	else if (!e->is_event) {
		j->ops->describe(j->ctx, &e->state, buf, sizeof buf);
		snprintf(why, sizeof why, "not between %s and %s; at %s: %s", FMT_DUR(window_start(j, e), a),
			 FMT_DUR(c, b), FMT_DUR(c, b), buf);
	} else
		snprintf(why, sizeof why, "not between %s and %s (%s)", FMT_DUR(window_start(j, e), a), FMT_DUR(c, b),
			 buf);
	fail_expect(j, i, c, why);
}

/* "becomes S between A and B" also says: not S just before A. */
static void judge_before_window(struct scn_judge *j, size_t i, int64_t c)
{
	const struct scn_expect *e = &j->s->expects[i];
	if (!event_state(j, &e->event))
		return;
	char why[600], buf[300], a[32], ts[32];
	j->ops->describe(j->ctx, &e->event.state, buf, sizeof buf);
	snprintf(why, sizeof why, "already so before the window starts at %s; at %s: %s", FMT_DUR(e->from_ms, a),
		 FMT_DUR(c, ts), buf);
	fail_expect(j, i, c, why);
}

static bool needs_pre_check(const struct scn_expect *e)
{
	return e->kind == SCN_EXP_WINDOW && e->is_event && e->event.kind == SCN_EV_BECOMES && e->from_ms > 0;
}

static void judge_due(struct scn_judge *j, int64_t c)
{
	for (size_t i = 0; i < j->s->n_expects; i++) {
		const struct scn_expect *e = &j->s->expects[i];
		if (j->rt[i].judged)
			continue;
		if (needs_pre_check(e) && c == e->from_ms - 1)
			judge_before_window(j, i, c);
		else if (e->kind == SCN_EXP_AT && c == window_start(j, e))
			judge_at(j, i, c);
		else if (e->kind == SCN_EXP_NEVER && c == window_end(j, e))
			j->rt[i].judged = true; /* held all along (polls fail it otherwise) */
		else if (e->kind != SCN_EXP_AT && e->kind != SCN_EXP_NEVER && c == window_end(j, e))
			judge_window_end(j, i, c);
	}
}

static void fail_action(struct scn_judge *j, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_action(struct scn_judge *j, size_t i, const char *fmt, ...)
{
	const struct scn_action *a = &j->s->actions[i];
	va_list ap;
	va_start(ap, fmt);
	bool taken = vfail(j, a->at_ms, a->pos, a->text, fmt, ap);
	va_end(ap);
	if (taken)
		j->out->fail_action = (int)i;
}

static void judge_replies(struct scn_judge *j, int64_t c)
{
	for (size_t i = 0; i < j->s->n_actions; i++) {
		const struct scn_action *a = &j->s->actions[i];
		if (!a->expect_status || a->at_ms != c)
			continue;
		struct scn_reply_seen res = { 0 };
		if (!j->ops->action_reply(j->ctx, i, &res) || !res.applied) {
			fail_action(j, i, "the request was not sent");
		} else if (res.status != a->expect_status) {
			const char *code = res.error_code ? res.error_code : "";
			const char *msg = res.message ? res.message : "";
			if (res.status == 0)
				fail_action(j, i, "no reply: the coordinator was down");
			else
				fail_action(j, i, "got %d%s%s%s%s", res.status, code[0] ? " " : "", code, msg[0] ? ": " : "",
					    msg);
		}
	}
}

void scn_judge_checkpoint(struct scn_judge *j, int64_t c)
{
	scn_judge_poll(j, c);
	judge_replies(j, c);
	judge_due(j, c);
}

/* --- checkpoints and setup ----------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t scn_judge_checkpoints(const struct scn_judge *j, int64_t **out)
{
	const struct scn_scenario *s = j->s;
	size_t n = 0, cap = 3 * s->n_expects + s->n_actions + 1;
	int64_t *c = malloc(cap * sizeof *c);
	if (!c)
		abort();
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		if (needs_pre_check(e))
			c[n++] = e->from_ms - 1;
		c[n++] = window_start(j, e);
		c[n++] = window_end(j, e);
	}
	for (size_t i = 0; i < s->n_actions; i++)
		if (s->actions[i].expect_status)
			c[n++] = s->actions[i].at_ms;
	c[n++] = s->end_ms;
	qsort(c, n, sizeof *c, cmp_i64);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i] <= s->end_ms && (u == 0 || c[i] != c[u - 1]))
			c[u++] = c[i];
	*out = c;
	return u;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

/* Index lists of the expectations that poll states and that match records;
 * the ones the world cannot observe are set aside as skipped. */
static void classify(struct scn_judge *j)
{
	const struct scn_scenario *s = j->s;
	j->polled = zalloc(s->n_expects, sizeof *j->polled);
	j->matched = zalloc(s->n_expects, sizeof *j->matched);
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		char why[160];
		if (j->ops->observable && !j->ops->observable(j->ctx, e, why, sizeof why)) {
			j->rt[i].skipped = j->rt[i].judged = true;
			j->out->skipped++;
			continue;
		}
		if (e->is_event && !event_is_polled(&e->event))
			j->matched[j->n_matched++] = i;
		else
			j->polled[j->n_polled++] = i;
		const struct scn_state *st = e->is_event ? &e->event.state : &e->state;
		bool reads_status = !e->is_event || e->event.kind == SCN_EV_BECOMES;
		if (reads_status && st->kind == SCN_ST_RUNNER_STATUS && st->value == RC_RUNNER_REMOVED)
			j->reads_removed = true;
	}
}

void scn_judge_init(struct scn_judge *j, const struct scn_scenario *s, const struct scn_world_ops *ops, void *ctx,
		    struct scn_outcome *out)
{
	memset(j, 0, sizeof *j);
	memset(out, 0, sizeof *out);
	out->passed = true;
	out->fail_expect = -1;
	out->fail_action = -1;
	j->s = s;
	j->ops = ops;
	j->ctx = ctx;
	j->out = out;
	j->rt = zalloc(s->n_expects, sizeof *j->rt);
	classify(j);
}

void scn_judge_free(struct scn_judge *j)
{
	free(j->rt);
	free(j->polled);
	free(j->matched);
	memset(j, 0, sizeof *j);
}
