/*
 * scn_expect.c - expectations: states that hold at an instant, events that
 * happen, and the time they are judged over.
 *
 * A state ("r1 is stale", "t1 is on r2", "sandbox s1 is running") is true or
 * false at an instant; an event ("r1 becomes stale", "r1 gets 403 for
 * task-complete", "t1's process starts") happens at an instant. Which time
 * words fit which follows from that: a state is checked `at T`, `never` or
 * `eventually`; an event can also be looked for `between A and B` or counted.
 */
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "scn_internal.h"

const char *const scn_runner_status_words[3] = { "online", "stale", "removed" };
/* in the order of the simulator's enum sim_node_state */
const char *const scn_process_words[5] = { "down", "up", "paused", "crashed", "exited" };
/* by enum rc_runner_phase; "exited" is said with the node's state */
const char *const scn_phase_words[5] = { NULL, "registering", "active", "draining", NULL };
const char *const scn_task_state_words[4] = { "queued", "running", "completed", "failed" };
const char *const scn_proc_event_words[SCN_PEV_COUNT] = {
	[SCN_PEV_STARTS] = "starts", [SCN_PEV_EXITS] = "exits", [SCN_PEV_CRASHES] = "crashes",
	[SCN_PEV_SIGTERM] = "gets SIGTERM", [SCN_PEV_SIGKILL] = "gets SIGKILL", [SCN_PEV_GIVES_UP] = "gives up",
};

#define N_WORDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* --- states ------------------------------------------------------------------ */

static int runner_state(struct scn_parser *p, const char *w, struct scn_state *st)
{
	int v;
	if ((v = scn_word_index(scn_runner_status_words, N_WORDS(scn_runner_status_words), w)) >= 0) {
		st->kind = SCN_ST_RUNNER_STATUS;
	} else if (strcmp(w, "registered") == 0) {
		st->kind = SCN_ST_RUNNER_REGISTERED;
		v = 1;
	} else if ((v = scn_word_index(scn_process_words, N_WORDS(scn_process_words), w)) >= 0) {
		st->kind = SCN_ST_NODE_PROCESS;
	} else if ((v = scn_word_index(scn_phase_words, N_WORDS(scn_phase_words), w)) >= 0) {
		st->kind = SCN_ST_RUNNER_PHASE;
	} else {
		return scn_error(p, p->line->words[p->i].col,
				 "'%s' is not something a runner can be (online, stale, removed, registered, up, "
				 "down, paused, crashed, exited, registering, active, draining)", w);
	}
	st->value = v;
	p->i++;
	return 0;
}

static int coordinator_state(struct scn_parser *p, const char *w, struct scn_state *st)
{
	int v = scn_word_index(scn_process_words, N_WORDS(scn_process_words), w);
	if (v < 0 || strcmp(w, "exited") == 0)
		return scn_error(p, p->line->words[p->i].col,
				 "the coordinator can be up, down, paused or crashed, not '%s'", w);
	st->kind = SCN_ST_NODE_PROCESS;
	st->value = v;
	p->i++;
	return 0;
}

static int task_state(struct scn_parser *p, const char *w, struct scn_state *st, bool allow_owner)
{
	if (allow_owner && strcmp(w, "on") == 0) {
		p->i++;
		st->kind = SCN_ST_TASK_OWNER;
		return scn_read_name(p, 1u << SCN_RUNNER, &st->other, NULL) < 0 ? -1 : 0;
	}
	int v = scn_word_index(scn_task_state_words, N_WORDS(scn_task_state_words), w);
	if (v < 0)
		return scn_error(p, p->line->words[p->i].col,
				 "'%s' is not a task state (queued, running, completed, failed%s)", w,
				 allow_owner ? ", or 'on RUNNER'" : "");
	st->kind = SCN_ST_TASK_STATE;
	st->value = v;
	p->i++;
	return 0;
}

static int sandbox_state(struct scn_parser *p, const char *w, struct scn_state *st, bool allow_binding)
{
	if (allow_binding && strcmp(w, "bound") == 0) {
		p->i++;
		st->kind = SCN_ST_SANDBOX_BOUND;
		if (scn_require(p, "to", "after 'bound'") != 0)
			return -1;
		return scn_read_name(p, 1u << SCN_RUNNER, &st->other, NULL) < 0 ? -1 : 0;
	}
	if (allow_binding && strcmp(w, "unbound") == 0) {
		p->i++;
		st->kind = SCN_ST_SANDBOX_BOUND;
		st->other = -1;
		return 0;
	}
	int v = rc_sandbox_status_parse(w);
	if (v < 0)
		return scn_error(p, p->line->words[p->i].col,
				 "'%s' is not a sandbox status (pending, creating, starting, running, deleting, "
				 "deleted, failed%s)", w, allow_binding ? ", or 'bound to RUNNER', 'unbound'" : "");
	st->kind = SCN_ST_SANDBOX_STATUS;
	st->value = v;
	p->i++;
	return 0;
}

/* The word after "is [not]" or "becomes", by the kind of the subject. A
 * state reached by "becomes" is a plain status (not an owner or a binding,
 * which are better said with "is" at a time). */
static int state_word(struct scn_parser *p, enum scn_name_kind kind, struct scn_state *st, bool after_is)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a state");
	switch (kind) {
	case SCN_COORDINATOR: return coordinator_state(p, w->text, st);
	case SCN_RUNNER: return runner_state(p, w->text, st);
	case SCN_TASK: return task_state(p, w->text, st, after_is);
	case SCN_SANDBOX: return sandbox_state(p, w->text, st, after_is);
	}
	return -1;
}

/* --- events -------------------------------------------------------------------- */

static int reply_event(struct scn_parser *p, struct scn_event *ev)
{
	ev->kind = SCN_EV_REPLY;
	ev->op = RC_OP_NONE;
	if (scn_read_http_status(p, &ev->status) != 0)
		return -1;
	if (scn_accept(p, "for"))
		return scn_read_op(p, false, &ev->op);
	return 0;
}

static int process_event(struct scn_parser *p, int task, struct scn_event *ev)
{
	ev->kind = SCN_EV_PROCESS;
	ev->task = task;
	ev->node = -1;
	if (scn_accept(p, "on") && scn_read_name(p, 1u << SCN_RUNNER, &ev->node, NULL) < 0)
		return -1;
	if (scn_accept(p, "starts"))
		ev->proc = SCN_PEV_STARTS;
	else if (scn_accept(p, "exits"))
		ev->proc = SCN_PEV_EXITS;
	else if (scn_accept(p, "crashes"))
		ev->proc = SCN_PEV_CRASHES;
	else if (scn_accept(p, "gives"))
		ev->proc = SCN_PEV_GIVES_UP;
	else if (scn_accept(p, "gets")) {
		if (scn_accept(p, "SIGTERM"))
			ev->proc = SCN_PEV_SIGTERM;
		else if (scn_accept(p, "SIGKILL"))
			ev->proc = SCN_PEV_SIGKILL;
		else
			return scn_expected(p, "SIGTERM or SIGKILL");
		return 0;
	} else
		return scn_expected(p, "what the process does (starts, exits, crashes, gets SIGTERM, gets "
				       "SIGKILL, gives up)");
	if (ev->proc == SCN_PEV_GIVES_UP)
		return scn_require(p, "up", "after 'gives'");
	return 0;
}

/* The ID in "R's id is ID": one a runner can hold, or the expectation
 * could never hold (or never fail, with "is not"). */
static int read_runner_id(struct scn_parser *p, char **out)
{
	const struct scn_word *w = scn_peek(p);
	if (scn_read_text(p, "a runner ID (lnch_ and 12 hex digits)", out) != 0)
		return -1;
	if (!rc_identity_is_runner_id(*out))
		return scn_error(p, w->col, "'%s' is not a runner ID: 'lnch_' and 12 lower-case hex digits, as "
					    "'rollcall id' prints", w->text);
	return 0;
}

/* After "NAME's": runner's id, task's attempt, task's process. */
static int possessive(struct scn_parser *p, enum scn_name_kind kind, int index, bool *is_event,
		      struct scn_state *st, struct scn_event *ev)
{
	st->subject = index;
	if (kind == SCN_RUNNER && scn_accept(p, "id")) {
		st->kind = SCN_ST_RUNNER_ID;
		if (scn_require(p, "is", "after \"id\"") != 0)
			return -1;
		st->negated = scn_accept(p, "not");
		return read_runner_id(p, &st->text);
	}
	if (kind == SCN_TASK && scn_accept(p, "attempt")) {
		st->kind = SCN_ST_TASK_ATTEMPT;
		if (scn_require(p, "is", "after \"attempt\"") != 0)
			return -1;
		st->negated = scn_accept(p, "not");
		int64_t v;
		if (scn_read_int(p, "an attempt number", 0, 1000, &v) != 0)
			return -1;
		st->value = (int)v;
		return 0;
	}
	if (kind == SCN_TASK && scn_accept(p, "process")) {
		*is_event = true;
		return process_event(p, index, ev);
	}
	return scn_expected(p, kind == SCN_RUNNER ? "'id' after a runner's name with 's"
						  : kind == SCN_TASK ? "'attempt' or 'process' after a task's name with 's"
								     : "nothing possessive after this name");
}

static int coordinator_clause(struct scn_parser *p, bool *is_event, struct scn_state *st, struct scn_event *ev)
{
	st->subject = 0;
	if (scn_accept(p, "has")) {
		int64_t v;
		if (scn_read_int(p, "a number of runners", 0, 100000, &v) != 0)
			return -1;
		if (!scn_accept(p, "runners") && !scn_accept(p, "runner"))
			return scn_expected(p, "'runners'");
		st->kind = SCN_ST_RUNNER_COUNT;
		st->value = (int)v;
		return 0;
	}
	if (scn_accept(p, "is")) {
		st->negated = scn_accept(p, "not");
		return state_word(p, SCN_COORDINATOR, st, true);
	}
	if (scn_accept(p, "becomes")) {
		*is_event = true;
		ev->kind = SCN_EV_BECOMES;
		ev->state.subject = 0;
		return state_word(p, SCN_COORDINATOR, &ev->state, false);
	}
	return scn_expected(p, "'is', 'becomes' or 'has' after 'coordinator'");
}

static int kind_mask_word(struct scn_parser *p, unsigned *mask)
{
	if (scn_accept(p, "runner"))
		*mask = 1u << SCN_RUNNER;
	else if (scn_accept(p, "task"))
		*mask = 1u << SCN_TASK;
	else if (scn_accept(p, "sandbox"))
		*mask = 1u << SCN_SANDBOX;
	else
		return 0;
	return 1;
}

int scn_parse_state_or_event(struct scn_parser *p, bool *is_event, struct scn_state *st, struct scn_event *ev)
{
	*is_event = false;
	memset(st, 0, sizeof *st);
	memset(ev, 0, sizeof *ev);
	st->other = -1;
	ev->node = ev->task = -1;
	if (scn_accept(p, "coordinator"))
		return coordinator_clause(p, is_event, st, ev);
	unsigned mask = (1u << SCN_RUNNER) | (1u << SCN_TASK) | (1u << SCN_SANDBOX);
	kind_mask_word(p, &mask);
	int index;
	bool poss;
	int k = scn_read_name(p, mask, &index, &poss);
	if (k < 0)
		return -1;
	enum scn_name_kind kind = (enum scn_name_kind)k;
	if (poss)
		return possessive(p, kind, index, is_event, st, ev);
	st->subject = index;
	if (scn_accept(p, "is")) {
		st->negated = scn_accept(p, "not");
		return state_word(p, kind, st, true);
	}
	if (scn_accept(p, "becomes")) {
		*is_event = true;
		ev->kind = SCN_EV_BECOMES;
		ev->state.subject = index;
		ev->state.other = -1;
		return state_word(p, kind, &ev->state, false);
	}
	if (kind == SCN_TASK && (scn_accept(p, "completed") || scn_accept(p, "failed"))) {
		*is_event = true;
		ev->kind = SCN_EV_BECOMES;
		ev->state = (struct scn_state){ .kind = SCN_ST_TASK_STATE, .subject = index, .other = -1,
						.value = p->line->words[p->i - 1].text[0] == 'c' ? RC_TASK_COMPLETED
												: RC_TASK_FAILED };
		return 0;
	}
	if (kind == SCN_RUNNER && (scn_accept(p, "gets") || scn_accept(p, "got"))) {
		*is_event = true;
		ev->node = index;
		return reply_event(p, ev);
	}
	if (kind == SCN_RUNNER && (scn_accept(p, "sends") || scn_accept(p, "sent"))) {
		*is_event = true;
		ev->kind = SCN_EV_SEND;
		ev->node = index;
		return scn_read_op(p, true, &ev->op);
	}
	return scn_expected(p, kind == SCN_RUNNER ? "'is', 'becomes', 'gets' or 'sends' after a runner's name"
			       : kind == SCN_TASK ? "'is', 'becomes', 'completed' or 'failed' after a task's name"
						  : "'is' or 'becomes' after a sandbox's name");
}

/* --- time words ---------------------------------------------------------------- */

static int parse_window(struct scn_parser *p, int64_t *from, int64_t *to)
{
	if (scn_read_duration(p, from) != 0 || scn_require(p, "and", "between the two times") != 0)
		return -1;
	int col = scn_peek(p) ? scn_peek(p)->col : 0;
	if (scn_read_duration(p, to) != 0)
		return -1;
	if (*to < *from)
		return scn_error(p, col, "the window ends before it starts");
	return 0;
}

static int parse_count(struct scn_parser *p, struct scn_expect *e)
{
	if (scn_accept(p, "exactly"))
		e->cmp = SCN_EXACTLY;
	else if (scn_require(p, "at", "or 'exactly' before a count") != 0)
		return -1;
	else if (scn_accept(p, "least"))
		e->cmp = SCN_AT_LEAST;
	else if (scn_accept(p, "most"))
		e->cmp = SCN_AT_MOST;
	else
		return scn_expected(p, "'least' or 'most' after 'at'");
	if (scn_accept(p, "once")) {
		e->count = 1;
		return 0;
	}
	if (scn_accept(p, "twice")) {
		e->count = 2;
		return 0;
	}
	int64_t n;
	if (scn_read_int(p, "a count", 0, 100000000, &n) != 0)
		return -1;
	e->count = (int)n;
	if (!scn_accept(p, "times") && !scn_accept(p, "time"))
		return scn_expected(p, "'times' after the count");
	return 0;
}

static bool at_count_word(const struct scn_parser *p)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return false;
	if (scn_word_is(w, "exactly"))
		return true;
	return scn_word_is(w, "at") && p->i + 1 < p->line->n &&
	       (scn_word_is(w + 1, "least") || scn_word_is(w + 1, "most"));
}

/* The rest of an untimed expectation about an event: a window or a count. */
static int event_time_words(struct scn_parser *p, struct scn_expect *e)
{
	if (at_count_word(p)) {
		e->kind = SCN_EXP_COUNT;
		if (parse_count(p, e) != 0)
			return -1;
		if (scn_accept(p, "between"))
			return parse_window(p, &e->from_ms, &e->to_ms);
		return 0;
	}
	if (scn_accept(p, "between")) {
		e->kind = SCN_EXP_WINDOW;
		return parse_window(p, &e->from_ms, &e->to_ms);
	}
	if (scn_peek(p))
		return scn_expected(p, "'between A and B' or a count ('exactly once', 'at least 2 times')");
	return scn_error(p, 0, "say when the event happens: 'between A and B', a count ('exactly once', "
			       "'at least 2 times'), or 'at T expect ...'");
}

/* `liveness` where a state or an event goes: only `at T expect liveness`
 * (read by the caller) checks it, at one instant. Always -1. */
static int misplaced_liveness(struct scn_parser *p, const struct scn_expect *e, bool never, bool eventually)
{
	if (never || eventually)
		return scn_error(p, p->line->words[p->i].col, "liveness is checked at one instant, not with '%s': "
							     "write 'at T expect liveness'", never ? "never" : "eventually");
	return scn_error(p, e->pos.col, "'expect liveness' is missing the time it is checked at: write 'at T expect "
					"liveness' (e.g. 'at 10m expect liveness')");
}

static bool at_liveness(const struct scn_parser *p)
{
	const struct scn_word *w = scn_peek(p);
	return w && !w->quoted && scn_word_is(w, "liveness");
}

static int parse_body(struct scn_parser *p, struct scn_expect *e, bool timed, bool at_end)
{
	bool never = scn_accept(p, "never");
	bool eventually = !never && scn_accept(p, "eventually");
	if (at_liveness(p))
		return misplaced_liveness(p, e, never, eventually);
	if (scn_parse_state_or_event(p, &e->is_event, &e->state, &e->event) != 0)
		return -1;
	if (never) {
		e->kind = SCN_EXP_NEVER;
		if (!timed)
			e->from_ms = 0;
		e->to_ms = SCN_END_OF_RUN;
		const struct scn_word *w = scn_peek(p);
		if (timed && w && scn_word_is(w, "between"))
			return scn_error(p, w->col, "'at T expect never' looks from T to the end of the run: drop "
						    "'at T' to look between A and B");
		if (!timed && scn_accept(p, "between"))
			return parse_window(p, &e->from_ms, &e->to_ms);
		return 0;
	}
	if (eventually) {
		if (at_end)
			return scn_error(p, 0, "'eventually' cannot start at the end of the run");
		e->kind = SCN_EXP_EVENTUALLY;
		int64_t within;
		if (scn_require(p, "within", "after 'eventually ...'") != 0 || scn_read_duration(p, &within) != 0)
			return -1;
		e->to_ms = e->from_ms + within;
		return 0;
	}
	if (timed) {
		const struct scn_word *w = scn_peek(p);
		if (w && (scn_word_is(w, "between") || at_count_word(p)))
			return scn_error(p, w->col, "'at T expect' checks one instant: drop 'at T' to look at a "
						    "window or to count");
		e->kind = SCN_EXP_AT;
		e->to_ms = e->from_ms;
		return 0;
	}
	if (!e->is_event)
		return scn_error(p, 0, "a state is checked at an instant: write 'at T expect ...', 'at end "
				       "expect ...', or use 'never' / 'eventually ... within D'");
	return event_time_words(p, e);
}

int scn_parse_expect(struct scn_parser *p, bool timed, int64_t at_ms, bool at_end)
{
	int start = timed ? 0 : p->i - 1;
	struct scn_expect *e = scn_new_expect(p);
	e->pos = (struct scn_pos){ p->line->number, p->line->words[start].col };
	e->text = scn_line_text(p, start);
	e->from_ms = at_end ? SCN_END_OF_RUN : at_ms;
	e->to_ms = SCN_END_OF_RUN;
	if (parse_body(p, e, timed, at_end) != 0)
		return -1;
	if (e->is_event && e->event.kind == SCN_EV_BECOMES && e->event.state.negated)
		return scn_error(p, 0, "'becomes' takes a plain state");
	return 0;
}
