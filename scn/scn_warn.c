/*
 * scn_warn.c - expectations that pass whatever the code does, found from the
 * file alone and reported as warnings (never errors: a scenario that warns
 * runs and is judged as before).
 *
 * Why: an expectation that cannot fail looks like coverage and is none. Two
 * cases are decided here, both without running anything and without false
 * positives:
 *   - a `never` (or `at most N` / `exactly 0` count) whose stretch of time
 *     starts where the run ends: it looks at one instant only (a run of 0 s,
 *     or `at T expect never ...` at the last instant the file mentions);
 *   - a `never` (or such a count) about something only a runner that never
 *     runs could do: no `start` or `restart` of it, no request of its own, and
 *     for what is looked up by its ID (the coordinator's record, a task's or
 *     a sandbox's owner) no runner with its three properties that does either.
 * Other expectations about such a runner (`at T expect r2 is down`) are
 * statements about it, not vacuous, and are left alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

static void warn(struct scn_diags *out, const struct scn_scenario *s, const struct scn_expect *e,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void warn(struct scn_diags *out, const struct scn_scenario *s, const struct scn_expect *e, const char *fmt,
		 ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_diag_vpush(out, s->path, e->pos.line, e->pos.col, "warning: ", fmt, ap);
	va_end(ap);
}

/* True when the expectation holds as long as what it names never happens. */
static bool passes_if_nothing_happens(const struct scn_expect *e)
{
	if (!e->is_event && e->state.negated)
		return false;
	if (e->kind == SCN_EXP_NEVER)
		return true;
	return e->kind == SCN_EXP_COUNT && (e->cmp == SCN_AT_MOST || (e->cmp == SCN_EXACTLY && e->count == 0));
}

/* Does runner r (or, for r < 0, any runner) ever run or send a request of
 * its own? */
static bool runner_acts(const struct scn_scenario *s, int r)
{
	for (size_t i = 0; i < s->n_actions; i++) {
		const struct scn_action *a = &s->actions[i];
		bool own = a->kind == SCN_ACT_START || a->kind == SCN_ACT_RESTART || a->kind == SCN_ACT_REGISTER ||
			   a->kind == SCN_ACT_SANDBOX_REPORT;
		if (own && a->node > 0 && (r < 0 || a->node == r))
			return true;
	}
	return false;
}

static bool same_identity(const struct scn_node *a, const struct scn_node *b)
{
	return strcmp(a->hostname, b->hostname) == 0 && strcmp(a->project_dir, b->project_dir) == 0 &&
	       strcmp(a->executor_type, b->executor_type) == 0;
}

/* The coordinator's record of r is found by the ID r's properties give, so a
 * clone that runs can make it true. */
static bool record_can_exist(const struct scn_scenario *s, int r)
{
	for (size_t k = 1; k < s->n_nodes; k++)
		if (same_identity(&s->nodes[k], &s->nodes[r]) && runner_acts(s, (int)k))
			return true;
	return false;
}

/* The runner that must act for the state to hold, or 0 when none is needed
 * (or the state is not one decided here). *by_id: the state is about r's ID,
 * which any runner with r's properties holds too. */
static int runner_of_state(const struct scn_state *st, bool *by_id)
{
	*by_id = false;
	switch (st->kind) {
	case SCN_ST_RUNNER_STATUS:
	case SCN_ST_RUNNER_REGISTERED:
		*by_id = true;
		return st->subject;
	case SCN_ST_RUNNER_PHASE:
		return st->subject;
	case SCN_ST_TASK_OWNER:
	case SCN_ST_SANDBOX_BOUND:
		/* the owner is compared by the ID r's properties give, so a
		 * clone of r that runs can own the task or sandbox */
		*by_id = st->other > 0;
		return st->other > 0 ? st->other : 0;
	default:
		return 0;
	}
}

/* The runner whose doing the expectation names (-1: any runner), or 0. */
static int runner_of(const struct scn_expect *e, bool *by_id)
{
	*by_id = false;
	if (!e->is_event || e->event.kind == SCN_EV_BECOMES)
		return runner_of_state(e->is_event ? &e->event.state : &e->state, by_id);
	return e->event.node; /* process: -1 for any runner; gets, sends: 0 for the coordinator */
}

static void check_single_instant(const struct scn_scenario *s, const struct scn_expect *e, struct scn_diags *out)
{
	int64_t from = e->from_ms == SCN_END_OF_RUN ? s->end_ms : e->from_ms;
	if (e->to_ms != SCN_END_OF_RUN || from < s->end_ms)
		return;
	char end[32];
	warn(out, s, e, "the run ends at %s, where this expectation starts: it looks at one instant only "
		       "(add 'end at' with a later time)", scn_format_duration(s->end_ms, end, sizeof end));
}

int scn_expect_idle_runner(const struct scn_scenario *s, const struct scn_expect *e, bool *by_id)
{
	int r = runner_of(e, by_id);
	if (r == 0 || (*by_id ? record_can_exist(s, r) : runner_acts(s, r)))
		return 0;
	return r;
}

static void check_idle_runner(const struct scn_scenario *s, const struct scn_expect *e, struct scn_diags *out)
{
	bool by_id;
	int r = scn_expect_idle_runner(s, e, &by_id);
	if (r == 0)
		return;
	if (r < 0)
		warn(out, s, e, "no runner is ever started, so this holds whatever the code does");
	else if (by_id)
		warn(out, s, e, "neither %s nor a runner with its properties is ever started, so this holds "
			       "whatever the code does", s->nodes[r].name);
	else
		warn(out, s, e, "%s is never started, so this holds whatever the code does", s->nodes[r].name);
}

void scn_warnings(const struct scn_scenario *s, struct scn_diags *out)
{
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		if (!passes_if_nothing_happens(e))
			continue;
		check_single_instant(s, e, out);
		check_idle_runner(s, e, out);
	}
}
