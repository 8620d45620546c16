/*
 * conf_run.c - one scenario, replayed live from virtual 0 to its end.
 *
 * The run goes checkpoint by checkpoint (the instants the judge needs); in
 * between, events are taken in (time, order) order and, once every event of
 * an instant is done, the judge polls the states it watches. The target's
 * clock is set to an instant just before conform first talks to it at that
 * instant, so it only ever reads instants of the run. Its own timers (the
 * sweep and the task monitor of its profile) are events too: at each such
 * instant conform reads its runner list, which makes the target act (a
 * frozen-clock target runs due work before answering; for others the
 * profile's `settle` says how long to let the answers settle), so no sweep
 * or monitor tick is skipped or judged at the wrong instant.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf_internal.h"

static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void conf_push(struct conf_live *l, int64_t at_ms, enum conf_evt type, uint32_t a, uint32_t b)
{
	sim_heap_push(&l->heap, at_ms, 0, (uint32_t)type, a, b);
}

/* --- ending a run ------------------------------------------------------------------- */

void conf_target_error(struct conf_live *l, const struct conf_exchange *ex, const char *fmt, ...)
{
	if (l->target_error)
		return;
	l->target_error = true;
	struct conf_result *r = l->res;
	r->verdict = CONF_ERROR;
	r->target_unusable = true;
	char at[32];
	int n = snprintf(r->reason, sizeof r->reason, "at %s: ", scn_format_duration(l->now_ms, at, sizeof at));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason + n, sizeof r->reason - (size_t)n, fmt, ap);
	va_end(ap);
	if (ex)
		conf_exchange_format(ex, r->evidence, sizeof r->evidence, 600);
}

void conf_protocol_failure(struct conf_live *l, const struct conf_exchange *ex, const char *what)
{
	if (l->judge.failed)
		return;
	scn_judge_fail(&l->judge, l->now_ms, (struct scn_pos){ 0, 0 }, "replies follow the protocol",
		       "the reply to %s %s is off-protocol: %s", ex->method, ex->path ? ex->path : "", what);
	conf_exchange_format(ex, l->res->evidence, sizeof l->res->evidence, 600);
}

static bool over(const struct conf_live *l)
{
	return l->judge.failed || l->target_error;
}

/* --- talking to the target ------------------------------------------------------------- */

int conf_clock_to(struct conf_live *l, int64_t t)
{
	char err[300];
	if (conf_target_set_clock(l->cs->target, l->base_clock_ms + t, err, sizeof err) == 0)
		return 0;
	conf_target_error(l, NULL, "%s", err);
	return -1;
}

/* Why a launched target stopped answering, when it died. */
static bool died(struct conf_live *l, char *why, size_t n)
{
	if (conf_target_mode(l->cs->target) != CONF_TARGET_LAUNCHED)
		return false;
	char how[96], tail[500];
	if (conf_target_running(l->cs->target, how, sizeof how))
		return false;
	conf_target_log_tail(l->cs->target, tail, sizeof tail);
	snprintf(why, n, "the target %s%s%s", how, tail[0] ? "; its last words:\n" : "", tail);
	return true;
}

static int exchange(struct conf_live *l, const struct conf_wire_request *w, struct rc_reply *reply,
		    struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex, bool changes)
{
	if (conf_clock_to(l, l->now_ms) != 0)
		return -1;
	if (changes)
		conf_snapshot_invalidate(l);
	l->requests++;
	uint64_t req_id = reply->req_id;
	if (conf_http_send(l->cs->http, conf_target_url(l->cs->target), w, ex) != 0) {
		char why[700];
		if (died(l, why, sizeof why))
			conf_target_error(l, ex, "%s", why);
		else
			conf_target_error(l, ex, "no answer from the target to %s %s: %s", ex->method, ex->path, ex->error);
		return -1;
	}
	struct rc_error err;
	reply->req_id = req_id;
	if (conf_profile_decode(l->profile, w->op, ex->status, ex->body, ex->body_len, reply, arena, canonical, &err) !=
	    0) {
		conf_protocol_failure(l, ex, err.message);
		return -1;
	}
	return 0;
}

int conf_exchange_wire(struct conf_live *l, const struct conf_wire_request *w, struct rc_reply *reply,
		       struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex)
{
	return exchange(l, w, reply, arena, canonical, ex, true);
}

static int exchange_msg(struct conf_live *l, const struct rc_msg *msg, struct rc_reply *reply,
			struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex, bool changes)
{
	struct conf_wire_request w;
	char err[256];
	if (conf_profile_encode(l->profile, msg, &w, err, sizeof err) != 0) {
		conf_target_error(l, NULL, "%s", err);
		return -1;
	}
	reply->req_id = 0;
	int rc = exchange(l, &w, reply, arena, canonical, ex, changes);
	conf_wire_request_free(&w);
	return rc;
}

int conf_exchange_msg(struct conf_live *l, const struct rc_msg *msg, struct rc_reply *reply,
		      struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex)
{
	return exchange_msg(l, msg, reply, arena, canonical, ex, true);
}

int conf_observe_msg(struct conf_live *l, const struct rc_msg *msg, struct rc_reply *reply,
		     struct rc_proto_arena *arena, json_t **canonical, struct conf_exchange *ex)
{
	return exchange_msg(l, msg, reply, arena, canonical, ex, false);
}

/* --- the coordinator node ------------------------------------------------------------- */

bool conf_coord_up(const struct conf_live *l)
{
	return l->coord_state == CONF_UP;
}

/* Its timers run from the instant it starts, every sweep and monitor interval. */
static void schedule_ticks(struct conf_live *l)
{
	if (conf_target_mode(l->cs->target) == CONF_TARGET_NO_CLOCK)
		return;
	const struct conf_timings *t = conf_profile_timings(l->profile);
	l->next_sweep_ms = l->now_ms + t->sweep_interval_ms;
	l->next_monitor_ms = l->now_ms + t->monitor_interval_ms;
	int64_t next = l->next_sweep_ms < l->next_monitor_ms ? l->next_sweep_ms : l->next_monitor_ms;
	conf_push(l, next, CONF_EV_TICK, 0, l->coord_incarnation);
}

void conf_coord_start(struct conf_live *l)
{
	if (conf_coord_up(l))
		return;
	char err[1200];
	struct conf_target *t = l->cs->target;
	if (conf_target_start(t, l->base_clock_ms + l->now_ms, conf_session_ready, l->cs, err, sizeof err) != 0) {
		conf_target_error(l, NULL, "%s", err);
		return;
	}
	l->cs->grid_origin_ms = conf_target_clock(t);
	l->coord_state = CONF_UP;
	l->coord_incarnation++;
	schedule_ticks(l);
}

void conf_coord_stop(struct conf_live *l, bool crash)
{
	if (!conf_coord_up(l))
		return;
	if (crash)
		conf_target_crash(l->cs->target);
	else
		conf_target_stop(l->cs->target);
	l->coord_state = crash ? CONF_CRASHED : CONF_DOWN;
	l->coord_incarnation++; /* its pending ticks are void */
	conf_snapshot_invalidate(l);
}

/* Read the runner list until it stops changing for settle_ms (bounded). */
static void settle(struct conf_live *l)
{
	int64_t settle_ms = conf_profile_settle_ms(l->profile);
	char *before = NULL;
	for (int round = 0; round < 20 && !over(l); round++) {
		conf_snapshot_invalidate(l);
		if (conf_observe_runners(l) != 0 || settle_ms == 0)
			break;
		char *now = json_dumps(l->snap.runners, JSON_COMPACT);
		bool same = before && now && strcmp(before, now) == 0;
		free(before);
		before = now;
		if (same)
			break;
		struct timespec ts = { (time_t)(settle_ms / 1000), (long)(settle_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	free(before);
}

static void tick(struct conf_live *l, const struct sim_ev *ev)
{
	if (ev->b != l->coord_incarnation || !conf_coord_up(l))
		return;
	const struct conf_timings *t = conf_profile_timings(l->profile);
	if (l->next_sweep_ms <= l->now_ms)
		l->next_sweep_ms += t->sweep_interval_ms;
	if (l->next_monitor_ms <= l->now_ms)
		l->next_monitor_ms += t->monitor_interval_ms;
	if (conf_profile_has(l->profile, RC_OP_RUNNERS_LIST))
		settle(l);
	int64_t next = l->next_sweep_ms < l->next_monitor_ms ? l->next_sweep_ms : l->next_monitor_ms;
	if (next <= l->s->end_ms)
		conf_push(l, next, CONF_EV_TICK, 0, l->coord_incarnation);
}

/* --- the event loop ------------------------------------------------------------------ */

static void dispatch(struct conf_live *l, const struct sim_ev *ev)
{
	switch ((enum conf_evt)sim_ev_type(ev)) {
	case CONF_EV_ACTION: conf_action(l, sim_ev_a(ev)); break;
	case CONF_EV_TIMER: conf_runner_timer(l, ev); break;
	case CONF_EV_REQUEST: conf_net_deliver_request(l, sim_ev_a(ev)); break;
	case CONF_EV_REPLY: conf_runner_reply(l, ev); break;
	case CONF_EV_PROC_EXIT: conf_runner_proc_exit(l, ev); break;
	case CONF_EV_TICK: tick(l, ev); break;
	}
}

/* Take every event up to limit, polling after each one as the simulator
 * does after each record (a state that holds between two events of one
 * instant, like a process given up and then forgotten, is still seen).
 * Polls read the target again only after a request or a tick. */
static void run_until(struct conf_live *l, int64_t limit)
{
	struct sim_ev ev;
	while (!over(l) && sim_heap_pop_until(&l->heap, limit, &ev)) {
		l->now_ms = ev.at_ms;
		dispatch(l, &ev);
		if (!over(l))
			scn_judge_poll(&l->judge, l->now_ms);
	}
	l->now_ms = limit;
}

/* --- setup and teardown ------------------------------------------------------------------ */

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static void setup(struct conf_live *l)
{
	const struct scn_scenario *s = l->s;
	size_t nn = s->n_nodes, nt = s->n_tasks, nb = s->n_sandboxes;
	sim_heap_init(&l->heap);
	rc_outbox_init(&l->ob);
	l->task_id = zalloc(nt, sizeof *l->task_id);
	l->sandbox_id = zalloc(nb, sizeof *l->sandbox_id);
	l->task_starts = zalloc(nt, sizeof *l->task_starts);
	l->ever_registered = zalloc(nn, sizeof *l->ever_registered);
	l->actions = zalloc(s->n_actions, sizeof *l->actions);
	l->parts = zalloc(s->n_actions, sizeof *l->parts);
	l->net_rng = zalloc(nn, sizeof *l->net_rng);
	l->obs_task = zalloc(nt, sizeof *l->obs_task);
	l->obs_sandbox = zalloc(nb, sizeof *l->obs_sandbox);
	l->snap.tasks = zalloc(nt, sizeof *l->snap.tasks);
	l->snap.have_task = zalloc(nt, sizeof *l->snap.have_task);
	l->snap.sandboxes = zalloc(nb, sizeof *l->snap.sandboxes);
	l->snap.have_sandbox = zalloc(nb, sizeof *l->snap.have_sandbox);
	for (size_t i = 0; i < nn; i++)
		rc_rng_split(&l->net_rng[i], l->seed, 0x6e6574ULL + i); /* "net" */
	const struct scn_config *k = &s->config;
	l->latency_min_ms = k->latency_min_ms != SCN_UNSET ? k->latency_min_ms : 5;
	l->latency_max_ms = k->latency_min_ms != SCN_UNSET ? k->latency_max_ms : 10;
	l->term_exit_ms = k->term_exit_ms != SCN_UNSET ? k->term_exit_ms : 200;
	for (size_t i = 0; i < s->n_actions; i++)
		conf_push(l, s->actions[i].at_ms, CONF_EV_ACTION, (uint32_t)i, 0);
}

static void release(struct conf_live *l)
{
	const struct scn_scenario *s = l->s;
	conf_runners_free(l);
	conf_net_free(l);
	conf_snapshot_free(l);
	for (size_t i = 0; i < s->n_actions; i++)
		conf_exchange_clear(&l->actions[i].ex);
	for (size_t i = 0; i < s->n_tasks; i++)
		conf_exchange_clear(&l->obs_task[i]);
	for (size_t i = 0; i < s->n_sandboxes; i++)
		conf_exchange_clear(&l->obs_sandbox[i]);
	conf_exchange_clear(&l->obs_runners);
	free(l->task_id);
	free(l->sandbox_id);
	free(l->task_starts);
	free(l->ever_registered);
	free(l->actions);
	free(l->parts);
	free(l->net_rng);
	free(l->obs_task);
	free(l->obs_sandbox);
	sim_heap_free(&l->heap);
	rc_outbox_free(&l->ob);
	scn_judge_free(&l->judge);
}

/* The coordinator is up from virtual 0: started now, or already running. */
static void coordinator_at_zero(struct conf_live *l)
{
	struct conf_target *t = l->cs->target;
	if (conf_target_mode(t) == CONF_TARGET_LAUNCHED && !conf_target_running(t, NULL, 0)) {
		conf_coord_start(l);
		return;
	}
	l->coord_state = CONF_UP;
	l->coord_incarnation++;
	schedule_ticks(l);
}

static void run_checkpoints(struct conf_live *l)
{
	int64_t *cps;
	size_t n = scn_judge_checkpoints(&l->judge, &cps);
	scn_judge_poll(&l->judge, 0); /* the state before anything happens: "becomes" needs a before */
	for (size_t k = 0; k < n && !over(l); k++) {
		run_until(l, cps[k]);
		if (!over(l))
			scn_judge_checkpoint(&l->judge, cps[k]);
	}
	free(cps);
}

void conf_live_run(struct conf_session *cs, const struct scn_scenario *s, uint64_t seed, int64_t base_clock_ms,
		   const char *secret, struct conf_result *r)
{
	double t0 = real_now();
	struct conf_live *l = zalloc(1, sizeof *l);
	l->cs = cs;
	l->profile = cs->profile;
	l->s = s;
	l->seed = seed;
	l->res = r;
	l->out = &r->out;
	l->base_clock_ms = base_clock_ms;
	snprintf(l->secret, sizeof l->secret, "%s", secret);
	setup(l);
	scn_judge_init(&l->judge, s, &conf_world_ops, l, &r->out);
	if (conf_runners_init(l) != 0) {
		conf_target_error(l, NULL, "a runner's properties give no ID");
	} else {
		coordinator_at_zero(l);
		if (!over(l))
			run_checkpoints(l);
	}
	if (!l->target_error)
		r->verdict = r->out.passed ? CONF_PASS : CONF_FAIL;
	if (r->verdict == CONF_FAIL && !r->evidence[0])
		conf_evidence(l, r->evidence, sizeof r->evidence);
	r->out.sim_ms = over(l) ? l->now_ms : s->end_ms;
	r->virtual_ms = r->out.sim_ms;
	r->requests = l->requests;
	release(l);
	free(l);
	r->real_s = real_now() - t0;
}
