/*
 * scn_run.c - replay a scenario in the simulator and judge it.
 *
 * Setup turns the scenario into a world: config, nodes, and every timeline
 * action scheduled up front (the simulator orders them with everything else
 * by time and, with permute_ties, by the seed at one instant). The run then
 * advances checkpoint by checkpoint: every instant an expectation is judged
 * at. Between checkpoints the observer sees each simulator record: events are
 * matched there, and states are polled there, so a state that holds only
 * briefly is still seen by "never" and a change is timed to the record that
 * made it.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"
#include "scn_run_internal.h"

#define FMT_DUR(ms, buf) scn_format_duration((ms), (buf), sizeof(buf))

/* --- failures ------------------------------------------------------------------ */

/* Record a failure at at_ms unless an earlier one is already there. */
static void fail_at(struct scn_runctx *r, int64_t at_ms, struct scn_pos pos, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void fail_at(struct scn_runctx *r, int64_t at_ms, struct scn_pos pos, const char *what, const char *fmt, ...)
{
	struct scn_outcome *o = r->out;
	if (r->failed && (o->fail_at_ms < at_ms || (o->fail_at_ms == at_ms && o->pos.line <= pos.line)))
		return;
	r->failed = true;
	o->passed = false;
	o->fail_at_ms = at_ms;
	o->pos = pos;
	snprintf(o->what, sizeof o->what, "%s", what);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof o->why, fmt, ap);
	va_end(ap);
}

static void fail_expect(struct scn_runctx *r, size_t i, int64_t at_ms, const char *why)
{
	const struct scn_expect *e = &r->s->expects[i];
	r->rt[i].judged = true;
	fail_at(r, at_ms, e->pos, e->text, "%s", why);
}

/* "at 20s, 1m40s" or "never" */
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

static int64_t window_end(const struct scn_runctx *r, const struct scn_expect *e)
{
	return e->to_ms == SCN_END_OF_RUN ? r->s->end_ms : e->to_ms;
}

static int64_t window_start(const struct scn_runctx *r, const struct scn_expect *e)
{
	return e->from_ms == SCN_END_OF_RUN ? r->s->end_ms : e->from_ms;
}

static void occurred(struct scn_runctx *r, size_t i, int64_t t)
{
	const struct scn_expect *e = &r->s->expects[i];
	struct scn_exp_rt *rt = &r->rt[i];
	if (rt->n_times < SCN_SEEN_TIMES)
		rt->times[rt->n_times] = t;
	rt->n_times++;
	if (rt->judged)
		return;
	bool inside = t >= window_start(r, e) && t <= window_end(r, e);
	if (!inside)
		return;
	if (e->kind == SCN_EXP_NEVER) {
		char ts[32], why[128];
		snprintf(why, sizeof why, "it happened at %s", FMT_DUR(t, ts));
		fail_expect(r, i, t, why);
	} else if (e->kind == SCN_EXP_COUNT) {
		rt->count++;
	} else {
		rt->seen = true;
	}
}

static void poll_one(struct scn_runctx *r, size_t i, int64_t t)
{
	const struct scn_expect *e = &r->s->expects[i];
	struct scn_exp_rt *rt = &r->rt[i];
	if (e->is_event) {
		bool v = scn_event_state(r, &e->event);
		if (rt->have_prev && !rt->prev && v)
			occurred(r, i, t);
		rt->prev = v;
		rt->have_prev = true;
		return;
	}
	if (rt->judged || e->kind == SCN_EXP_AT)
		return;
	if (t < window_start(r, e) || t > window_end(r, e))
		return;
	bool v = scn_state_holds(r, &e->state);
	if (e->kind == SCN_EXP_EVENTUALLY && v) {
		rt->seen = true;
	} else if (e->kind == SCN_EXP_NEVER && v) {
		char actual[200], ts[32], why[300];
		scn_describe_actual(r, &e->state, actual, sizeof actual);
		snprintf(why, sizeof why, "at %s: %s", FMT_DUR(t, ts), actual);
		fail_expect(r, i, t, why);
	}
}

static void poll_all(struct scn_runctx *r, int64_t t)
{
	if (r->track_registered)
		scn_track_registrations(r);
	for (size_t k = 0; k < r->n_polled; k++)
		poll_one(r, r->polled[k], t);
}

static void on_record(void *ctx, const struct sim_event *rec)
{
	struct scn_runctx *r = ctx;
	for (size_t k = 0; k < r->n_matched; k++) {
		size_t i = r->matched[k];
		if (scn_event_matches(r, &r->s->expects[i].event, rec))
			occurred(r, i, rec->at_ms);
	}
	if (rec->kind != SIM_EV_LOG && rec->kind != SIM_EV_SEND)
		poll_all(r, rec->at_ms);
}

/* --- judging at checkpoints ------------------------------------------------------- */

static void judge_at(struct scn_runctx *r, size_t i, int64_t c)
{
	const struct scn_expect *e = &r->s->expects[i];
	struct scn_exp_rt *rt = &r->rt[i];
	char why[600], buf[300], ts[32];
	rt->judged = true;
	if (e->is_event) {
		if (rt->seen)
			return;
		list_times(rt, buf, sizeof buf);
		snprintf(why, sizeof why, "it did not happen at %s (%s)", FMT_DUR(c, ts), buf);
		fail_expect(r, i, c, why);
		return;
	}
	if (scn_state_holds(r, &e->state))
		return;
	scn_describe_actual(r, &e->state, buf, sizeof buf);
	snprintf(why, sizeof why, "at %s: %s", FMT_DUR(c, ts), buf);
	fail_expect(r, i, c, why);
}

static void judge_window_end(struct scn_runctx *r, size_t i, int64_t c)
{
	const struct scn_expect *e = &r->s->expects[i];
	struct scn_exp_rt *rt = &r->rt[i];
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
		snprintf(why, sizeof why, "counted %d between %s and %s (%s)", rt->count, FMT_DUR(window_start(r, e), a),
			 FMT_DUR(c, b), buf);
	else if (!e->is_event) {
		scn_describe_actual(r, &e->state, buf, sizeof buf);
		snprintf(why, sizeof why, "not between %s and %s; at %s: %s", FMT_DUR(window_start(r, e), a),
			 FMT_DUR(c, b), FMT_DUR(c, b), buf);
	} else
		snprintf(why, sizeof why, "not between %s and %s (%s)", FMT_DUR(window_start(r, e), a), FMT_DUR(c, b),
			 buf);
	fail_expect(r, i, c, why);
}

/* "becomes S between A and B" also says: not S just before A. */
static void judge_before_window(struct scn_runctx *r, size_t i, int64_t c)
{
	const struct scn_expect *e = &r->s->expects[i];
	if (!scn_event_state(r, &e->event))
		return;
	char why[600], buf[300], a[32], ts[32];
	scn_describe_actual(r, &e->event.state, buf, sizeof buf);
	snprintf(why, sizeof why, "already so before the window starts at %s; at %s: %s",
		 FMT_DUR(e->from_ms, a), FMT_DUR(c, ts), buf);
	fail_expect(r, i, c, why);
}

static bool needs_pre_check(const struct scn_expect *e)
{
	return e->kind == SCN_EXP_WINDOW && e->is_event && e->event.kind == SCN_EV_BECOMES && e->from_ms > 0;
}

static void judge(struct scn_runctx *r, int64_t c)
{
	for (size_t i = 0; i < r->s->n_expects; i++) {
		const struct scn_expect *e = &r->s->expects[i];
		if (r->rt[i].judged)
			continue;
		if (needs_pre_check(e) && c == e->from_ms - 1)
			judge_before_window(r, i, c);
		else if (e->kind == SCN_EXP_AT && c == window_start(r, e))
			judge_at(r, i, c);
		else if (e->kind == SCN_EXP_NEVER && c == window_end(r, e))
			r->rt[i].judged = true; /* held all along (polls fail it otherwise) */
		else if (e->kind != SCN_EXP_AT && e->kind != SCN_EXP_NEVER && c == window_end(r, e))
			judge_window_end(r, i, c);
	}
}

static void judge_replies(struct scn_runctx *r, int64_t c)
{
	for (size_t i = 0; i < r->s->n_actions; i++) {
		const struct scn_action *a = &r->s->actions[i];
		if (!a->expect_status || a->at_ms != c)
			continue;
		const struct sim_action_result *res = sim_action_result(r->w, r->act[i]);
		if (!res || !res->applied) {
			fail_at(r, c, a->pos, a->text, "the request was not sent");
		} else if (res->status != a->expect_status) {
			if (res->status == 0)
				fail_at(r, c, a->pos, a->text, "no reply: the coordinator was down");
			else
				fail_at(r, c, a->pos, a->text, "got %d%s%s%s%s", res->status, res->error_code[0] ? " " : "",
					res->error_code, res->message[0] ? ": " : "", res->message);
		}
	}
}

/* The simulator stopped at a broken invariant. */
static void record_violation(struct scn_runctx *r)
{
	const struct sim_violation *v = sim_violation_at(r->w, 0);
	struct scn_pos pos = { 0, 0 };
	for (size_t i = 0; i < r->s->n_actions; i++) /* a liveness check has a line */
		if (v->invariant == SIM_INV_LIVENESS && r->s->actions[i].kind == SCN_ACT_CHECK_LIVENESS &&
		    r->s->actions[i].at_ms == v->at_ms)
			pos = r->s->actions[i].pos;
	char what[96];
	snprintf(what, sizeof what, "invariant %s", v->name);
	fail_at(r, v->at_ms, pos, what, "%s%s%s%s", v->message, v->nodes[0] ? " (" : "", v->nodes,
		v->nodes[0] ? ")" : "");
}

/* --- checkpoints ------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Every instant something is judged at, sorted, without repeats. */
static size_t collect_checkpoints(const struct scn_runctx *r, int64_t **out)
{
	const struct scn_scenario *s = r->s;
	size_t n = 0, cap = 3 * s->n_expects + s->n_actions + 1;
	int64_t *c = malloc(cap * sizeof *c);
	if (!c)
		abort();
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		if (needs_pre_check(e))
			c[n++] = e->from_ms - 1;
		c[n++] = window_start(r, e);
		c[n++] = window_end(r, e);
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

/* --- setup ------------------------------------------------------------------------- */

static void set_if(int64_t value, int64_t *field)
{
	if (value != SCN_UNSET)
		*field = value;
}

static void set_int_if(int64_t value, int *field)
{
	if (value != SCN_UNSET)
		*field = (int)value;
}

static void apply_config(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct sim_config *cfg)
{
	const struct scn_config *k = &s->config;
	sim_config_defaults(cfg);
	cfg->seed = seed;
	cfg->permute_ties = k->permute_ties != 0; /* on unless turned off */
	cfg->secret = s->secret;
	cfg->trace = trace;
	set_if(k->stale_after_ms, &cfg->coord.stale_after_ms);
	set_if(k->remove_after_ms, &cfg->coord.remove_after_ms);
	set_if(k->sweep_interval_ms, &cfg->coord.sweep_interval_ms);
	set_if(k->task_timeout_ms, &cfg->coord.task_timeout_ms);
	set_if(k->monitor_interval_ms, &cfg->coord.monitor_interval_ms);
	set_int_if(k->max_attempts, &cfg->coord.max_attempts);
	if (k->heartbeat_interval_ms != SCN_UNSET)
		cfg->coord.heartbeat_interval_s = (int)(k->heartbeat_interval_ms / 1000);
	set_if(k->secret_grace_ms, &cfg->coord.secret_grace_ms);
	if (k->latency_min_ms != SCN_UNSET) {
		cfg->net.latency_ms = k->latency_min_ms;
		cfg->net.jitter_ms = k->latency_max_ms - k->latency_min_ms;
	}
	set_if(k->term_exit_ms, &cfg->term_exit_ms);
	if (k->lossy_storage != SCN_UNSET)
		cfg->storage_lossy = k->lossy_storage != 0;
}

static int add_runner(struct scn_runctx *r, size_t i)
{
	const struct scn_node *n = &r->s->nodes[i];
	const struct scn_config *k = &r->s->config;
	struct sim_runner_spec rs;
	sim_runner_spec_defaults(&rs);
	rs.name = n->name;
	rs.hostname = n->hostname;
	rs.project_dir = n->project_dir;
	rs.executor_type = n->executor_type;
	rs.instance_token = n->token;
	rs.max_concurrency = n->concurrency;
	set_if(n->heartbeat_ms, &rs.heartbeat_interval_ms);
	set_if(k->request_timeout_ms, &rs.request_timeout_ms);
	set_if(k->restart_delay_ms, &rs.sup.initial_delay_ms);
	set_if(k->restart_max_delay_ms, &rs.sup.max_delay_ms);
	set_int_if(k->max_restarts, &rs.sup.max_restarts);
	set_if(k->stable_after_ms, &rs.sup.stable_after_ms);
	set_if(k->stop_grace_ms, &rs.sup.stop_grace_ms);
	rs.start_at_ms = -1;
	r->node[i] = sim_add_runner(r->w, &rs);
	return r->node[i];
}

static int schedule_submit(struct scn_runctx *r, const struct scn_action *a)
{
	const struct scn_task *t = &r->s->tasks[a->task];
	struct sim_task_spec ts;
	sim_task_spec_defaults(&ts);
	ts.name = t->name;
	if (t->kind)
		ts.kind = t->kind;
	ts.duration_ms = t->duration_ms == SCN_FOREVER ? -1 : t->duration_ms;
	ts.crash_times = t->crash_times;
	set_if(t->crash_after_ms, &ts.crash_after_ms);
	ts.ignore_term = t->ignores_term;
	ts.fail = t->fails;
	return sim_at_submit_task(r->w, a->at_ms, &ts);
}

static int schedule_register(struct scn_runctx *r, const struct scn_action *a)
{
	const struct scn_node *n = &r->s->nodes[a->node];
	struct sim_raw_request q;
	sim_raw_request_defaults(&q);
	q.msg.op = RC_OP_REGISTER;
	q.msg.hostname = (a->reg_flags & SCN_REG_NO_HOSTNAME) ? NULL : n->hostname;
	q.msg.project_dir = (a->reg_flags & SCN_REG_NO_PROJECT_DIR) ? NULL : n->project_dir;
	q.msg.executor_type = (a->reg_flags & SCN_REG_NO_EXECUTOR_TYPE) ? NULL : n->executor_type;
	q.msg.instance_token = n->token;
	q.msg.max_concurrency = n->concurrency;
	q.secret_mode = SIM_SECRET_CURRENT;
	if (a->reg_flags & (SCN_REG_NO_SECRET | SCN_REG_WRONG_SECRET)) {
		q.secret_mode = SIM_SECRET_AS_GIVEN;
		q.msg.secret = (a->reg_flags & SCN_REG_WRONG_SECRET) ? "not-the-secret" : NULL;
	}
	q.label = a->text;
	return sim_at_raw_request(r->w, a->at_ms, &q);
}

static int schedule_partition(struct scn_runctx *r, const struct scn_action *a)
{
	/* the runner end is the partitioned set; direction as seen from it */
	bool runner_sends = a->from != 0;
	int set = r->node[runner_sends ? a->from : a->to];
	enum sim_partition_dir dir = !a->one_way ? SIM_PART_BOTH : runner_sends ? SIM_PART_OUT : SIM_PART_IN;
	return sim_at_partition(r->w, a->at_ms, &set, 1, dir);
}

static int schedule(struct scn_runctx *r, size_t i)
{
	const struct scn_action *a = &r->s->actions[i];
	struct sim_world *w = r->w;
	int node = a->node >= 0 ? r->node[a->node] : -1;
	switch (a->kind) {
	case SCN_ACT_START: return sim_at_start(w, a->at_ms, node);
	case SCN_ACT_STOP: return sim_at_stop(w, a->at_ms, node);
	case SCN_ACT_CRASH: return sim_at_crash(w, a->at_ms, node, -1);
	case SCN_ACT_RESTART: return sim_at_crash(w, a->at_ms, node, 0);
	case SCN_ACT_PAUSE: return sim_at_pause(w, a->at_ms, node);
	case SCN_ACT_RESUME: return sim_at_resume(w, a->at_ms, node);
	case SCN_ACT_PARTITION: return schedule_partition(r, a);
	case SCN_ACT_HEAL: return sim_at_heal(w, a->at_ms, r->act[a->partition]);
	case SCN_ACT_HEAL_ALL: return sim_at_heal(w, a->at_ms, -1);
	case SCN_ACT_DROP: return sim_at_drop_next(w, a->at_ms, r->node[a->from], r->node[a->to], a->op, a->count);
	case SCN_ACT_DELAY:
		return sim_at_delay_next(w, a->at_ms, r->node[a->from], r->node[a->to], a->op, a->count, a->amount_ms);
	case SCN_ACT_SKEW_CLOCK: return sim_at_clock_skew(w, a->at_ms, node, a->amount_ms);
	case SCN_ACT_JUMP_CLOCK: return sim_at_clock_jump(w, a->at_ms, node, a->amount_ms);
	case SCN_ACT_SUBMIT: return schedule_submit(r, a);
	case SCN_ACT_SANDBOX_CREATE: {
		int t = r->s->sandboxes[a->sandbox].task;
		return sim_at_sandbox_create(w, a->at_ms, r->s->sandboxes[a->sandbox].name,
					     t >= 0 ? r->s->tasks[t].name : NULL);
	}
	case SCN_ACT_SANDBOX_DELETE: return sim_at_sandbox_delete(w, a->at_ms, r->s->sandboxes[a->sandbox].name);
	case SCN_ACT_SANDBOX_REPORT:
		/* "(unknown)" cannot be a scenario name: the simulator sends id 0 */
		return sim_at_sandbox_report(w, a->at_ms, a->sandbox >= 0 ? r->s->sandboxes[a->sandbox].name : "(unknown)",
					     a->no_runner_id ? -1 : node, rc_sandbox_status_name(a->status_word),
					     a->container);
	case SCN_ACT_REGISTER: return schedule_register(r, a);
	case SCN_ACT_ROTATE_SECRET: return sim_at_rotate_secret(w, a->at_ms, a->new_secret, a->update_runners);
	case SCN_ACT_CHECK_LIVENESS: return sim_at_expect_liveness(w, a->at_ms);
	case SCN_ACT_KIND_COUNT: break;
	}
	return -1;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

/* Index lists of the expectations that poll states and that match records. */
static void classify(struct scn_runctx *r)
{
	const struct scn_scenario *s = r->s;
	r->polled = zalloc(s->n_expects, sizeof *r->polled);
	r->matched = zalloc(s->n_expects, sizeof *r->matched);
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		if (e->is_event && !scn_event_is_polled(&e->event))
			r->matched[r->n_matched++] = i;
		else
			r->polled[r->n_polled++] = i;
		const struct scn_state *st = e->is_event ? &e->event.state : &e->state;
		bool reads_status = !e->is_event || e->event.kind == SCN_EV_BECOMES;
		if (reads_status && st->kind == SCN_ST_RUNNER_STATUS && st->value == RC_RUNNER_REMOVED)
			r->track_registered = true;
	}
}

static int setup(struct scn_runctx *r, uint64_t seed, FILE *trace)
{
	const struct scn_scenario *s = r->s;
	struct sim_config cfg;
	apply_config(s, seed, trace, &cfg);
	char err[256];
	if (sim_config_validate(&cfg, err, sizeof err) != 0) {
		fail_at(r, 0, (struct scn_pos){ 1, 1 }, "config", "the simulator refuses the settings: %s", err);
		return -1;
	}
	r->w = sim_world_new(&cfg);
	if (!r->w)
		abort();
	r->node[0] = sim_add_coordinator(r->w, s->nodes[0].name);
	for (size_t i = 1; i < s->n_nodes; i++) {
		if (add_runner(r, i) < 0) {
			fail_at(r, 0, s->nodes[i].pos, s->nodes[i].name, "the simulator refuses this runner: %s",
				sim_error(r->w));
			return -1;
		}
	}
	for (size_t i = 0; i < s->n_actions; i++) {
		r->act[i] = schedule(r, i);
		if (r->act[i] < 0) {
			fail_at(r, s->actions[i].at_ms, s->actions[i].pos, s->actions[i].text,
				"the simulator refuses this action: %s", sim_error(r->w));
			return -1;
		}
	}
	classify(r);
	sim_set_observer(r->w, on_record, r);
	poll_all(r, 0); /* the state before anything happens: "becomes" needs a before */
	return 0;
}

static void run_checkpoints(struct scn_runctx *r)
{
	int64_t *cps;
	size_t n = collect_checkpoints(r, &cps);
	for (size_t k = 0; k < n && !r->failed; k++) {
		enum sim_run_status st = sim_run_until(r->w, cps[k]);
		if (st == SIM_RUN_VIOLATION || sim_violation_count(r->w) > 0) {
			record_violation(r);
			break;
		}
		poll_all(r, cps[k]);
		judge_replies(r, cps[k]);
		judge(r, cps[k]);
	}
	free(cps);
}

static void release(struct scn_runctx *r)
{
	sim_world_free(r->w);
	free(r->node);
	free(r->act);
	free(r->task_id);
	free(r->sandbox_id);
	free(r->ever_registered);
	free(r->rt);
	free(r->polled);
	free(r->matched);
}

int scn_run(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct scn_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->passed = true;
	struct scn_runctx r = {
		.s = s,
		.out = out,
		.node = zalloc(s->n_nodes, sizeof(int)),
		.act = zalloc(s->n_actions, sizeof(int)),
		.task_id = zalloc(s->n_tasks, sizeof(uint64_t)),
		.sandbox_id = zalloc(s->n_sandboxes, sizeof(uint64_t)),
		.ever_registered = zalloc(s->n_nodes, sizeof(bool)),
		.rt = zalloc(s->n_expects, sizeof(struct scn_exp_rt)),
	};
	int rc = 0;
	if (setup(&r, seed, trace) != 0) {
		rc = -1;
	} else {
		run_checkpoints(&r);
		struct sim_stats st;
		sim_stats(r.w, &st);
		out->sim_ms = st.now_ms;
		out->events = st.events;
	}
	release(&r);
	return rc;
}
