/*
 * runner.c - the reference runner as a pure state machine (see runner.h).
 *
 * Every conversation with the coordinator goes through a "channel": one kind
 * of request (register, heartbeat, claim, deregister, or one task's reports)
 * with at most one request in flight, its timeout, its retry time and its run
 * of consecutive transport failures. That one shape gives every operation the
 * same timeout and backoff rules, and makes the next deadline a minimum over
 * a fixed set of numbers.
 *
 * A channel keeps no copy of its request. Each send, first or retry, builds
 * the message straight into the RC_FX_SEND effect from what the runner holds
 * anyway: the config, runner_id and session, the task slot, and the one byte
 * saying which report a task channel carries. A full rc_msg in every channel
 * was most of a runner's memory, and a simulation holds tens of thousands of
 * runners. Register, heartbeat and claim were always rebuilt on retry, with
 * the state of the moment; a task report is retried as first sent, which is
 * why its channel remembers which report that was.
 *
 * Decisions where DESIGN.md is silent (also in the report):
 * - When the runner must leave (409 superseded, 401/422 refused) it sends
 *   nothing more and its phase is EXITED at once, but RC_FX_EXIT comes only
 *   once every task process is gone (SIGTERM, SIGKILL after the grace), so a
 *   daemon never exits leaving children behind.
 * - A task's process announces each (re)start with TASK_STATUS ("started",
 *   "restarted"), retried until answered: the first one confirms the attempt
 *   to the coordinator, which takes back attempts still unconfirmed after the
 *   task timeout (their grant was lost with a claim reply). A 403/404 reply
 *   cancels the task, which is how a runner learns early that its attempt
 *   was taken away.
 * - Grants arriving for a claim that drain or a 404 made obsolete are not
 *   started: that claim's reply is ignored like any superseded reply.
 */
#include "runner.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* One kind of request: at most one in flight, retried with backoff. */
struct rc_chan {
	uint64_t req_id;       /* of the request in flight; 0 when none */
	int64_t sent_at_ms;    /* of the latest request: it times out request_timeout_ms later */
	int64_t due_at_ms;     /* next (re)send; INT64_MAX when none is planned */
	int failures;          /* consecutive transport failures */
	uint8_t op;            /* enum rc_op: what the channel sends */
	uint8_t report;        /* task channels: enum task_report last sent */
};
_Static_assert(RC_OP_COUNT <= UINT8_MAX, "an op fits a channel's op byte");

/* What a task channel reports; a retry resends the same report. */
enum task_report { REPORT_STARTED, REPORT_RESTARTED, REPORT_DONE, REPORT_GAVE_UP };

static const struct {
	enum rc_op op;
	bool success;
	const char *text; /* NULL: the runner's gave_up_text */
} report_kinds[] = {
	[REPORT_STARTED] = { RC_OP_TASK_STATUS, true, "started" },
	[REPORT_RESTARTED] = { RC_OP_TASK_STATUS, true, "restarted" },
	[REPORT_DONE] = { RC_OP_TASK_COMPLETE, true, "ok" },
	[REPORT_GAVE_UP] = { RC_OP_TASK_COMPLETE, false, NULL },
};

struct task_slot {
	struct rc_runner_task task; /* what rc_runner_task_at() shows */
	struct rc_chan chan;        /* status and completion reports */
};

/* The completion text of a given-up task, for any max_restarts (0 to
 * INT_MAX: config_valid refuses negative counts), sized to the longest. */
#define GAVE_UP_FORMAT "gave up after %d restarts"
#define GAVE_UP_TEXT_BUF sizeof "gave up after 2147483647 restarts"
_Static_assert(INT_MAX == 2147483647, "GAVE_UP_TEXT_BUF holds every count");

/* A simulation holds tens of thousands of runners and touches each once per
 * heartbeat, so a runner's cost there is mostly cache misses: what a tick or
 * a reply reads sits together at the front (measured with cachegrind: 12
 * misses per heartbeat cycle at 10,000 runners before this order). Within
 * each part, fields go from the widest alignment down so none pads the next. */
struct rc_runner {
	/* hot: every tick and reply */
	int64_t now_ms;                /* latest time seen: never goes back */
	uint64_t last_req_id;
	uint64_t session;
	int64_t last_heartbeat_ack_ms;
	struct rc_chan hb, claim, reg, dereg;
	struct rc_rng rng;             /* jitter only */
	enum rc_runner_phase phase;
	int n_tasks;
	char runner_id[RC_RUNNER_ID_BUF];
	bool registered;               /* holds a session the coordinator knows */
	bool dereg_started;
	bool exit_emitted;

	/* A private copy: heartbeat_interval_ms takes the coordinator's value.
	 * Its own hot fields come first (see rc_runner_config). */
	struct rc_runner_config cfg;
	const char *exit_text;         /* set when the runner must exit; NULL before */
	int exit_status;               /* status that caused the exit, 0 for a drain */
	char gave_up_text[GAVE_UP_TEXT_BUF];

	/* Sized by max_concurrency at creation: a simulation holds tens of
	 * thousands of runners, most with one slot. */
	struct task_slot tasks[];
};

/* ---- configuration --------------------------------------------------- */

void rc_runner_config_defaults(struct rc_runner_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_concurrency = 1;
	cfg->heartbeat_interval_ms = 20000;
	cfg->backoff_initial_ms = 1000;
	cfg->backoff_max_ms = 30000;
	cfg->request_timeout_ms = 10000;
	rc_sup_policy_defaults(&cfg->sup);
}

void rc_runner_config_init(struct rc_runner_config *cfg, const char *hostname, const char *project_dir,
			   const char *executor_type, const char *instance_token, const char *secret,
			   int max_concurrency)
{
	rc_runner_config_defaults(cfg);
	cfg->hostname = hostname;
	cfg->project_dir = project_dir;
	cfg->executor_type = executor_type;
	cfg->instance_token = instance_token;
	cfg->secret = secret;
	cfg->max_concurrency = max_concurrency;
}

static bool nonempty(const char *s)
{
	return s && s[0];
}

static bool config_valid(const struct rc_runner_config *c)
{
	return nonempty(c->hostname) && nonempty(c->project_dir) && nonempty(c->executor_type) &&
	       c->max_concurrency >= 1 && c->max_concurrency <= RC_MAX_CONCURRENCY &&
	       c->heartbeat_interval_ms > 0 && c->backoff_initial_ms > 0 &&
	       c->backoff_max_ms >= c->backoff_initial_ms && c->request_timeout_ms > 0 &&
	       rc_sup_policy_valid(&c->sup);
}

const char *rc_runner_phase_name(enum rc_runner_phase p)
{
	switch (p) {
	case RC_PHASE_INIT: return "init";
	case RC_PHASE_REGISTERING: return "registering";
	case RC_PHASE_ACTIVE: return "active";
	case RC_PHASE_DRAINING: return "draining";
	case RC_PHASE_EXITED: return "exited";
	}
	return "unknown";
}

/* ---- channels -------------------------------------------------------- */

static void chan_reset(struct rc_chan *ch, enum rc_op op)
{
	memset(ch, 0, sizeof *ch);
	ch->op = (uint8_t)op;
	ch->due_at_ms = INT64_MAX;
}

/* Forget the request in flight (its reply will be ignored) and any retry. */
static void chan_cancel(struct rc_chan *ch)
{
	ch->req_id = 0;
	ch->due_at_ms = INT64_MAX;
}

static bool chan_busy(const struct rc_chan *ch)
{
	return ch->req_id != 0 || ch->due_at_ms != INT64_MAX;
}

/* When the request in flight counts as lost; INT64_MAX when none is. */
static int64_t chan_timeout_at(const struct rc_runner *r, const struct rc_chan *ch)
{
	return ch->req_id != 0 ? ch->sent_at_ms + r->cfg.request_timeout_ms : INT64_MAX;
}

static int64_t chan_deadline(const struct rc_runner *r, const struct rc_chan *ch)
{
	int64_t timeout_at_ms = chan_timeout_at(r, ch);
	return timeout_at_ms < ch->due_at_ms ? timeout_at_ms : ch->due_at_ms;
}

/* Send ch's next request now under a fresh req_id (a retry is a new request,
 * so a late reply to an earlier one no longer matches and is ignored).
 * Returns the RC_FX_SEND effect holding what every runner call carries; the
 * caller adds what its op carries (fields an op does not use stay zero). */
static struct rc_effect *chan_send(struct rc_runner *r, struct rc_chan *ch, int64_t now_ms,
				   struct rc_outbox *ob)
{
	ch->req_id = ++r->last_req_id;
	ch->sent_at_ms = now_ms;
	ch->due_at_ms = INT64_MAX;
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_SEND, now_ms);
	fx->op = (enum rc_op)ch->op;
	memcpy(fx->runner_id, r->runner_id, sizeof fx->runner_id);
	fx->msg.op = fx->op;
	fx->msg.req_id = ch->req_id;
	fx->msg.secret = r->cfg.secret;
	fx->msg.runner_id = r->runner_id;
	return fx;
}

/* The reply settled the request (whatever its status). */
static void chan_settle(struct rc_chan *ch)
{
	ch->req_id = 0;
}

/*
 * Jitter rule: after the n-th consecutive failure the base delay is
 * min(backoff_initial * 2^(n-1), backoff_max) (the same doubling rule as
 * process restarts, rc_sup_delay_ms), and the wait is drawn uniformly from
 * [base/2, base], both ends included, from the runner's own PRNG. Half the
 * base at least keeps the schedule exponential; the spread keeps many
 * runners cut off together from retrying in lockstep.
 */
static int64_t jittered_delay_ms(struct rc_runner *r, int n)
{
	struct rc_sup_policy net = r->cfg.sup; /* the restart rule, with the network's bounds */
	net.initial_delay_ms = r->cfg.backoff_initial_ms;
	net.max_delay_ms = r->cfg.backoff_max_ms;
	int64_t base = rc_sup_delay_ms(&net, n);
	int64_t low = base / 2;
	return low + (int64_t)rc_rng_below(&r->rng, (uint64_t)(base - low) + 1);
}

/* A transport failure: settle the request and plan the retry. */
static void chan_retry_later(struct rc_runner *r, struct rc_chan *ch, int64_t now_ms)
{
	chan_settle(ch);
	ch->failures++;
	ch->due_at_ms = now_ms + jittered_delay_ms(r, ch->failures);
}

static bool is_transport_failure(int status)
{
	return status == RC_STATUS_TRANSPORT || status >= 500;
}

static void log_fx(struct rc_runner *r, int64_t now_ms, const char *text, int value,
		   struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_LOG, now_ms);
	fx->text = text;
	fx->value = value;
	memcpy(fx->runner_id, r->runner_id, sizeof fx->runner_id);
}

/* Send ch's next request, one of those that name the runner's session. */
static struct rc_msg *send_in_session(struct rc_runner *r, struct rc_chan *ch, int64_t now_ms,
				      struct rc_outbox *ob)
{
	struct rc_msg *m = &chan_send(r, ch, now_ms, ob)->msg;
	m->session = r->session;
	return m;
}

/* ---- life and death -------------------------------------------------- */

struct rc_runner *rc_runner_new(const struct rc_runner_config *cfg, uint64_t prng_seed)
{
	if (!cfg || !config_valid(cfg))
		return NULL;
	struct rc_runner *r = calloc(1, sizeof *r + (size_t)cfg->max_concurrency * sizeof r->tasks[0]);
	if (!r)
		return NULL;
	r->cfg = *cfg;
	rc_rng_seed(&r->rng, prng_seed);
	r->phase = RC_PHASE_INIT;
	r->now_ms = INT64_MIN;
	r->last_heartbeat_ack_ms = -1;
	chan_reset(&r->reg, RC_OP_REGISTER);
	chan_reset(&r->hb, RC_OP_HEARTBEAT);
	chan_reset(&r->claim, RC_OP_CLAIM);
	chan_reset(&r->dereg, RC_OP_DEREGISTER);
	snprintf(r->gave_up_text, sizeof r->gave_up_text, GAVE_UP_FORMAT, cfg->sup.max_restarts);
	return r;
}

void rc_runner_free(struct rc_runner *r)
{
	free(r);
}

static void advance_clock(struct rc_runner *r, int64_t now_ms)
{
	assert(now_ms >= r->now_ms && "time never goes backwards for one runner");
	r->now_ms = now_ms;
}

/* ---- tasks ----------------------------------------------------------- */

static int find_task(const struct rc_runner *r, uint64_t task_id, int attempt)
{
	for (int i = 0; i < r->n_tasks; i++)
		if (r->tasks[i].task.task_id == task_id && r->tasks[i].task.attempt == attempt)
			return i;
	return -1;
}

/* Drop a task from the table, keeping claim order (traces stay readable). */
static void forget_task(struct rc_runner *r, int i)
{
	assert(i >= 0 && i < r->n_tasks);
	memmove(&r->tasks[i], &r->tasks[i + 1], (size_t)(r->n_tasks - i - 1) * sizeof r->tasks[0]);
	r->n_tasks--;
}

static bool any_process_left(const struct rc_runner *r)
{
	for (int i = 0; i < r->n_tasks; i++)
		if (!rc_sup_is_final(&r->tasks[i].task.sup))
			return true;
	return false;
}

/* Send (or resend) the report t's channel carries. */
static void send_task_report(struct rc_runner *r, struct task_slot *t, int64_t now_ms,
			     struct rc_outbox *ob)
{
	struct rc_effect *fx = chan_send(r, &t->chan, now_ms, ob);
	fx->task_id = fx->msg.task_id = t->task.task_id;
	fx->attempt = fx->msg.attempt = t->task.attempt;
	fx->msg.success = report_kinds[t->chan.report].success;
	const char *text = report_kinds[t->chan.report].text;
	fx->msg.text = text ? text : r->gave_up_text;
}

/* Report rep for t now, in place of any report still unanswered. */
static void report_task(struct rc_runner *r, struct task_slot *t, enum task_report rep,
			int64_t now_ms, struct rc_outbox *ob)
{
	t->chan.report = (uint8_t)rep;
	t->chan.op = (uint8_t)report_kinds[rep].op;
	send_task_report(r, t, now_ms, ob);
}

/* The process is final for good: report the outcome (kept until acknowledged). */
static void send_completion(struct rc_runner *r, struct task_slot *t, int64_t now_ms,
			    struct rc_outbox *ob)
{
	bool success = t->task.sup.state == RC_SUP_EXITED;
	t->task.completing = true;
	t->chan.failures = 0;
	report_task(r, t, success ? REPORT_DONE : REPORT_GAVE_UP, now_ms, ob);
}

/* 403 (or 404) on a task op: the attempt is not ours. Stop its process and
 * never speak of it again. */
static void cancel_task(struct rc_runner *r, int i, int64_t now_ms, struct rc_outbox *ob)
{
	struct task_slot *t = &r->tasks[i];
	t->task.cancelled = true;
	chan_cancel(&t->chan);
	rc_sup_stop(&t->task.sup, now_ms, ob);
	if (rc_sup_is_final(&t->task.sup))
		forget_task(r, i);
}

/* Stop every process; with `silence`, also drop pending reports. */
static void stop_all_tasks(struct rc_runner *r, bool silence, int64_t now_ms, struct rc_outbox *ob)
{
	for (int i = r->n_tasks - 1; i >= 0; i--) {
		struct task_slot *t = &r->tasks[i];
		rc_sup_stop(&t->task.sup, now_ms, ob);
		if (silence)
			chan_cancel(&t->chan);
		bool awaiting_ack = t->task.completing && !silence;
		if (rc_sup_is_final(&t->task.sup) && !awaiting_ack)
			forget_task(r, i);
	}
}

/* ---- leaving ----------------------------------------------------------- */

static void cancel_coordinator_channels(struct rc_runner *r)
{
	chan_cancel(&r->reg);
	chan_cancel(&r->hb);
	chan_cancel(&r->claim);
	chan_cancel(&r->dereg);
}

/* Emit RC_FX_EXIT once the reason is known and no process is left. */
static void exit_when_processes_gone(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	if (!r->exit_text || r->exit_emitted || any_process_left(r))
		return;
	r->exit_emitted = true;
	r->n_tasks = 0;
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_EXIT, now_ms);
	fx->text = r->exit_text;
	fx->value = r->exit_status;
	memcpy(fx->runner_id, r->runner_id, sizeof fx->runner_id);
}

/* Stop talking to the coordinator for good; exit once processes are gone.
 * status is what caused it (0: drained). */
static void leave(struct rc_runner *r, const char *why, int status, int64_t now_ms,
		  struct rc_outbox *ob)
{
	r->phase = RC_PHASE_EXITED;
	r->registered = false;
	r->exit_text = why;
	r->exit_status = status;
	cancel_coordinator_channels(r);
	stop_all_tasks(r, true, now_ms, ob);
	exit_when_processes_gone(r, now_ms, ob);
}

static void send_deregister(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	r->dereg_started = true;
	chan_cancel(&r->hb); /* nothing to keep alive once we say goodbye */
	send_in_session(r, &r->dereg, now_ms, ob);
}

/* Draining ends when the table is empty: deregister if the coordinator still
 * knows us, else exit straight away. */
static void finish_drain_if_done(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	if (r->phase != RC_PHASE_DRAINING || r->n_tasks > 0 || r->dereg_started)
		return;
	if (r->registered)
		send_deregister(r, now_ms, ob);
	else
		leave(r, "drained", 0, now_ms, ob);
}

/* After anything that may have emptied the task table. */
static void after_task_change(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	finish_drain_if_done(r, now_ms, ob);
	exit_when_processes_gone(r, now_ms, ob);
}

/* ---- registration, heartbeat, claim ------------------------------------ */

static void send_register(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	struct rc_msg *m = &chan_send(r, &r->reg, now_ms, ob)->msg;
	m->runner_id = NULL; /* the coordinator derives it from the properties */
	m->hostname = r->cfg.hostname;
	m->project_dir = r->cfg.project_dir;
	m->executor_type = r->cfg.executor_type;
	m->instance_token = r->cfg.instance_token;
	m->max_concurrency = r->cfg.max_concurrency;
}

static void send_heartbeat(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	send_in_session(r, &r->hb, now_ms, ob);
}

static int free_slots(const struct rc_runner *r)
{
	return r->cfg.max_concurrency - r->n_tasks;
}

/* Claim if active, registered, slots free and no claim already under way. */
static void claim_if_room(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	if (r->phase != RC_PHASE_ACTIVE || !r->registered || chan_busy(&r->claim) ||
	    free_slots(r) <= 0)
		return;
	int max = free_slots(r);
	send_in_session(r, &r->claim, now_ms, ob)->max = max;
}

/* The coordinator no longer knows our session's runner (404): register again
 * while active, keeping running tasks; while draining, just stop talking. */
static void on_runner_unknown(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	r->registered = false;
	chan_cancel(&r->hb);
	chan_cancel(&r->claim);
	if (r->phase == RC_PHASE_ACTIVE) {
		log_fx(r, now_ms, "runner unknown to the coordinator: registering again", 404, ob);
		r->phase = RC_PHASE_REGISTERING;
		r->reg.failures = 0;
		send_register(r, now_ms, ob);
	}
	finish_drain_if_done(r, now_ms, ob);
}

/* Common reaction of heartbeat and claim to a refusal. Returns false when the
 * status is not a session-level refusal. */
static bool on_session_refusal(struct rc_runner *r, int status, int64_t now_ms,
			       struct rc_outbox *ob)
{
	switch (status) {
	case RC_STATUS_NOT_FOUND:
		on_runner_unknown(r, now_ms, ob);
		return true;
	case RC_STATUS_CONFLICT:
		leave(r, "superseded", status, now_ms, ob);
		return true;
	case RC_STATUS_UNAUTHORIZED:
		leave(r, "secret refused by the coordinator", status, now_ms, ob);
		return true;
	default:
		return false;
	}
}

static void on_registered(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			  struct rc_outbox *ob)
{
	snprintf(r->runner_id, sizeof r->runner_id, "%s", reply->runner_id);
	r->session = reply->session;
	r->registered = true;
	r->reg.failures = 0;
	if (reply->heartbeat_interval_s > 0)
		r->cfg.heartbeat_interval_ms = (int64_t)reply->heartbeat_interval_s * 1000;
	r->phase = RC_PHASE_ACTIVE;
	struct rc_effect *fx = rc_outbox_push(ob, RC_FX_STATE_SAVE, now_ms);
	memcpy(fx->runner_id, r->runner_id, sizeof fx->runner_id);
	fx->msg.session = r->session;
	fx->msg.runner_id = r->runner_id;
	r->hb.failures = 0;
	r->hb.due_at_ms = now_ms + r->cfg.heartbeat_interval_ms;
	claim_if_room(r, now_ms, ob);
}

/* The runner's own words for a 422 to its registration: the error code says
 * which rule its properties broke (the exit text is all a person sees). */
static const char *unprocessable_registration(const struct rc_reply *reply)
{
	const char *code = reply->error.code ? reply->error.code : "";
	if (strcmp(code, "missing_fields") == 0)
		return "registration refused: hostname, project_dir and executor_type are required";
	if (strcmp(code, "field_too_long") == 0)
		return "registration refused: a property is longer than the coordinator accepts";
	return "registration refused: the coordinator rejected a property";
}

static void on_register_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			      struct rc_outbox *ob)
{
	switch (reply->status) {
	case RC_STATUS_OK:
		chan_settle(&r->reg);
		on_registered(r, now_ms, reply, ob);
		return;
	case RC_STATUS_CONFLICT:
		/* A clone of this install is online; the original may go stale,
		 * so keep trying, slowly. */
		log_fx(r, now_ms, "registration refused: another instance is online; retrying",
		       reply->status, ob);
		chan_retry_later(r, &r->reg, now_ms);
		return;
	case RC_STATUS_UNAUTHORIZED:
		leave(r, "registration refused: secret rejected", reply->status, now_ms, ob);
		return;
	case RC_STATUS_UNPROCESSABLE:
		leave(r, unprocessable_registration(reply), reply->status, now_ms, ob);
		return;
	default:
		if (is_transport_failure(reply->status))
			chan_retry_later(r, &r->reg, now_ms);
		else
			leave(r, "registration refused: unexpected status", reply->status, now_ms,
			      ob);
		return;
	}
}

static void on_heartbeat_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			       struct rc_outbox *ob)
{
	if (reply->status == RC_STATUS_OK) {
		chan_settle(&r->hb);
		r->hb.failures = 0;
		r->last_heartbeat_ack_ms = now_ms;
		r->hb.due_at_ms = r->hb.sent_at_ms + r->cfg.heartbeat_interval_ms;
		claim_if_room(r, now_ms, ob);
		return;
	}
	if (on_session_refusal(r, reply->status, now_ms, ob))
		return;
	/* Transport failure, 5xx, or anything unexpected: try again later. */
	if (!is_transport_failure(reply->status))
		log_fx(r, now_ms, "heartbeat: unexpected status; retrying", reply->status, ob);
	chan_retry_later(r, &r->hb, now_ms);
}

static void start_grant(struct rc_runner *r, const struct rc_grant *g, int64_t now_ms,
			struct rc_outbox *ob)
{
	if (find_task(r, g->task_id, g->attempt) >= 0)
		return; /* the same attempt granted twice: it already runs */
	if (r->n_tasks >= r->cfg.max_concurrency) {
		log_fx(r, now_ms, "claim: more grants than free slots; grant ignored", 0, ob);
		return;
	}
	struct task_slot *t = &r->tasks[r->n_tasks++];
	memset(t, 0, sizeof *t);
	t->task.task_id = g->task_id;
	t->task.attempt = g->attempt;
	chan_reset(&t->chan, RC_OP_TASK_STATUS);
	rc_sup_init(&t->task.sup, &r->cfg.sup, g->task_id, g->attempt); /* lives as long as r */
	rc_sup_start(&t->task.sup, now_ms, ob);
	report_task(r, t, REPORT_STARTED, now_ms, ob);
}

static void on_claim_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			   struct rc_outbox *ob)
{
	if (reply->status == RC_STATUS_OK) {
		chan_settle(&r->claim);
		r->claim.failures = 0;
		int n = reply->n_grants < 0 ? 0 : reply->n_grants;
		n = n > RC_MAX_GRANTS ? RC_MAX_GRANTS : n;
		for (int i = 0; i < n; i++)
			start_grant(r, &reply->grants[i], now_ms, ob);
		return;
	}
	if (on_session_refusal(r, reply->status, now_ms, ob))
		return;
	if (is_transport_failure(reply->status)) {
		chan_retry_later(r, &r->claim, now_ms);
		return;
	}
	/* Anything else: give this claim up; the next heartbeat claims again. */
	chan_settle(&r->claim);
	log_fx(r, now_ms, "claim: unexpected status", reply->status, ob);
}

static void on_deregister_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
				struct rc_outbox *ob)
{
	/* Whatever the answer (or none, after the timeout), the drain is over:
	 * the coordinator forgets a silent runner on its own anyway. */
	leave(r, "drained", reply->status, now_ms, ob);
}

/* ---- task replies ---------------------------------------------------------- */

static void on_completion_reply(struct rc_runner *r, int i, int64_t now_ms,
				const struct rc_reply *reply, struct rc_outbox *ob)
{
	struct task_slot *t = &r->tasks[i];
	if (is_transport_failure(reply->status)) {
		chan_retry_later(r, &t->chan, now_ms); /* same content, new req_id */
		return;
	}
	if (reply->status != RC_STATUS_OK)
		log_fx(r, now_ms, "completion refused: the attempt is no longer ours",
		       reply->status, ob);
	forget_task(r, i);
	after_task_change(r, now_ms, ob);
}

static void on_status_reply(struct rc_runner *r, int i, int64_t now_ms,
			    const struct rc_reply *reply, struct rc_outbox *ob)
{
	if (is_transport_failure(reply->status)) {
		/* The coordinator counts an attempt as delivered only once it has
		 * heard of it from us; an unconfirmed attempt is taken back after
		 * the task timeout. So this report is retried until answered. */
		chan_retry_later(r, &r->tasks[i].chan, now_ms);
		return;
	}
	chan_settle(&r->tasks[i].chan);
	if (reply->status == RC_STATUS_FORBIDDEN || reply->status == RC_STATUS_NOT_FOUND) {
		log_fx(r, now_ms, "status refused: the attempt is no longer ours; stopping it",
		       reply->status, ob);
		cancel_task(r, i, now_ms, ob);
		after_task_change(r, now_ms, ob);
	}
	/* Any other answer changes nothing. */
}

/* ---- dispatch ------------------------------------------------------------ */

/* The channel waiting for req_id, or NULL; *task_index is set for task channels. */
static struct rc_chan *chan_for_req(struct rc_runner *r, uint64_t req_id, int *task_index)
{
	*task_index = -1;
	if (req_id == 0)
		return NULL;
	struct rc_chan *fixed[] = { &r->reg, &r->hb, &r->claim, &r->dereg };
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		if (fixed[k]->req_id == req_id)
			return fixed[k];
	for (int i = 0; i < r->n_tasks; i++) {
		if (r->tasks[i].chan.req_id == req_id) {
			*task_index = i;
			return &r->tasks[i].chan;
		}
	}
	return NULL;
}

static void dispatch_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			   struct rc_outbox *ob)
{
	int ti;
	struct rc_chan *ch = chan_for_req(r, reply->req_id, &ti);
	if (!ch)
		return; /* unknown, superseded or timed-out request: ignored */
	switch ((enum rc_op)ch->op) {
	case RC_OP_REGISTER: on_register_reply(r, now_ms, reply, ob); break;
	case RC_OP_HEARTBEAT: on_heartbeat_reply(r, now_ms, reply, ob); break;
	case RC_OP_CLAIM: on_claim_reply(r, now_ms, reply, ob); break;
	case RC_OP_DEREGISTER: on_deregister_reply(r, now_ms, reply, ob); break;
	case RC_OP_TASK_COMPLETE: on_completion_reply(r, ti, now_ms, reply, ob); break;
	case RC_OP_TASK_STATUS: on_status_reply(r, ti, now_ms, reply, ob); break;
	default: assert(!"runner sent an op it cannot handle the reply of");
	}
}

void rc_runner_on_reply(struct rc_runner *r, int64_t now_ms, const struct rc_reply *reply,
			struct rc_outbox *ob)
{
	assert(r && reply && ob);
	advance_clock(r, now_ms);
	dispatch_reply(r, now_ms, reply, ob);
}

/* ---- entry points -------------------------------------------------------- */

void rc_runner_start(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	assert(r && ob && r->phase == RC_PHASE_INIT);
	advance_clock(r, now_ms);
	r->phase = RC_PHASE_REGISTERING;
	send_register(r, now_ms, ob);
}

void rc_runner_on_process_exit(struct rc_runner *r, int64_t now_ms, uint64_t task_id, int attempt,
			       bool clean, struct rc_outbox *ob)
{
	assert(r && ob);
	advance_clock(r, now_ms);
	int i = find_task(r, task_id, attempt);
	if (i < 0)
		return; /* not ours (any more): nothing to account for */
	struct task_slot *t = &r->tasks[i];
	rc_sup_on_exit(&t->task.sup, now_ms, clean, ob);
	switch (t->task.sup.state) {
	case RC_SUP_EXITED:
	case RC_SUP_GAVE_UP:
		send_completion(r, t, now_ms, ob);
		break;
	case RC_SUP_STOPPED:
		/* Stopped on purpose (403, drain, leaving): no report. */
		forget_task(r, i);
		after_task_change(r, now_ms, ob);
		break;
	default:
		break; /* crashed: the supervisor restarts it at its deadline */
	}
}

void rc_runner_drain(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	assert(r && ob);
	advance_clock(r, now_ms);
	if (r->phase == RC_PHASE_DRAINING || r->phase == RC_PHASE_EXITED)
		return;
	if (r->phase == RC_PHASE_INIT) {
		leave(r, "drained", 0, now_ms, ob);
		return;
	}
	r->phase = RC_PHASE_DRAINING;
	chan_cancel(&r->reg);
	chan_cancel(&r->claim);
	stop_all_tasks(r, false, now_ms, ob);
	finish_drain_if_done(r, now_ms, ob);
}

int64_t rc_runner_deadline(const struct rc_runner *r)
{
	int64_t d = INT64_MAX;
	const struct rc_chan *fixed[] = { &r->reg, &r->hb, &r->claim, &r->dereg };
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		int64_t c = chan_deadline(r, fixed[k]);
		d = c < d ? c : d;
	}
	for (int i = 0; i < r->n_tasks; i++) {
		int64_t c = chan_deadline(r, &r->tasks[i].chan);
		int64_t s = rc_sup_deadline(&r->tasks[i].task.sup);
		d = c < d ? c : d;
		d = s < d ? s : d;
	}
	return d;
}

/* A request that got no reply in time is a transport failure. */
static void expire_request(struct rc_runner *r, struct rc_chan *ch, int64_t now_ms,
			   struct rc_outbox *ob)
{
	if (ch->req_id == 0 || now_ms < chan_timeout_at(r, ch))
		return;
	/* rc_reply_init, not a memset: the 2 KiB grant array of a reply that
	 * grants nothing need not be cleared (it was 1.6% of an explored seed). */
	struct rc_reply none;
	rc_reply_init(&none, &(struct rc_msg){ .op = (enum rc_op)ch->op, .req_id = ch->req_id });
	none.status = RC_STATUS_TRANSPORT;
	dispatch_reply(r, now_ms, &none, ob);
}

static void expire_requests(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	expire_request(r, &r->reg, now_ms, ob);
	expire_request(r, &r->hb, now_ms, ob);
	expire_request(r, &r->claim, now_ms, ob);
	expire_request(r, &r->dereg, now_ms, ob);
	/* Backwards: a reply handler may drop the task it concerns. */
	for (int i = r->n_tasks - 1; i >= 0; i--)
		if (i < r->n_tasks)
			expire_request(r, &r->tasks[i].chan, now_ms, ob);
}

static bool chan_due(const struct rc_chan *ch, int64_t now_ms)
{
	return ch->req_id == 0 && ch->due_at_ms <= now_ms;
}

/* Sends whose time has come: retries, the periodic heartbeat. */
static void send_due(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	if (chan_due(&r->reg, now_ms))
		send_register(r, now_ms, ob);
	if (chan_due(&r->hb, now_ms))
		send_heartbeat(r, now_ms, ob);
	if (chan_due(&r->claim, now_ms)) {
		chan_cancel(&r->claim); /* rebuilt with the slots free now */
		claim_if_room(r, now_ms, ob);
	}
	for (int i = 0; i < r->n_tasks; i++)
		if (chan_due(&r->tasks[i].chan, now_ms))
			send_task_report(r, &r->tasks[i], now_ms, ob);
}

/* Restarts and SIGKILLs that are due; a restart is announced by a status. */
static void tick_supervisors(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	for (int i = 0; i < r->n_tasks; i++) {
		struct task_slot *t = &r->tasks[i];
		enum rc_sup_state before = t->task.sup.state;
		rc_sup_tick(&t->task.sup, now_ms, ob);
		bool restarted = before == RC_SUP_BACKOFF && t->task.sup.state == RC_SUP_RUNNING;
		if (restarted && !t->task.completing)
			report_task(r, t, REPORT_RESTARTED, now_ms, ob);
	}
}

void rc_runner_tick(struct rc_runner *r, int64_t now_ms, struct rc_outbox *ob)
{
	assert(r && ob);
	advance_clock(r, now_ms);
	expire_requests(r, now_ms, ob);
	send_due(r, now_ms, ob);
	tick_supervisors(r, now_ms, ob);
}

/* ---- read access ------------------------------------------------------- */

enum rc_runner_phase rc_runner_phase(const struct rc_runner *r)
{
	return r->phase;
}

const char *rc_runner_id(const struct rc_runner *r)
{
	return r->runner_id;
}

uint64_t rc_runner_session(const struct rc_runner *r)
{
	return r->session;
}

int rc_runner_task_count(const struct rc_runner *r)
{
	return r->n_tasks;
}

const struct rc_runner_task *rc_runner_task_at(const struct rc_runner *r, int i)
{
	assert(i >= 0 && i < r->n_tasks);
	return &r->tasks[i].task;
}

int64_t rc_runner_last_heartbeat_ack_ms(const struct rc_runner *r)
{
	return r->last_heartbeat_ack_ms;
}
