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
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"
#include "scn_run_internal.h"

/* --- observing and judging ------------------------------------------------------- */

static void on_record(void *ctx, const struct sim_event *rec)
{
	struct scn_runctx *r = ctx;
	struct scn_record sr;
	if (scn_sim_record(r, rec, &sr))
		scn_judge_record(&r->judge, &sr);
	if (rec->kind != SIM_EV_LOG && rec->kind != SIM_EV_SEND)
		scn_judge_poll(&r->judge, rec->at_ms);
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
	char what[96], message[400];
	snprintf(what, sizeof what, "invariant %s", v->name);
	scn_violation_message(r, v, message, sizeof message);
	scn_judge_fail(&r->judge, v->at_ms, pos, what, "%s%s%s%s", message, v->nodes[0] ? " (" : "", v->nodes,
		       v->nodes[0] ? ")" : "");
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
	cfg->no_history = true; /* a failure is told by its message, never its history */
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

/* The runner settings of config k applied to spec (the defaults, or node
 * n's own properties when n is given). */
static void runner_spec(const struct scn_config *k, const struct scn_node *n, struct sim_runner_spec *rs)
{
	sim_runner_spec_defaults(rs);
	if (n) {
		rs->name = n->name;
		rs->hostname = n->hostname;
		rs->project_dir = n->project_dir;
		rs->executor_type = n->executor_type;
		rs->instance_token = n->token;
		rs->max_concurrency = n->concurrency;
		set_if(n->heartbeat_ms, &rs->heartbeat_interval_ms);
	}
	set_if(k->request_timeout_ms, &rs->request_timeout_ms);
	set_if(k->restart_delay_ms, &rs->sup.initial_delay_ms);
	set_if(k->restart_max_delay_ms, &rs->sup.max_delay_ms);
	set_int_if(k->max_restarts, &rs->sup.max_restarts);
	set_if(k->stable_after_ms, &rs->sup.stable_after_ms);
	set_if(k->stop_grace_ms, &rs->sup.stop_grace_ms);
	rs->start_at_ms = -1;
}

static int add_runner(struct scn_runctx *r, size_t i)
{
	struct sim_runner_spec rs;
	runner_spec(&r->s->config, &r->s->nodes[i], &rs);
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

static int setup(struct scn_runctx *r, uint64_t seed, FILE *trace)
{
	const struct scn_scenario *s = r->s;
	struct sim_config cfg;
	apply_config(s, seed, trace, &cfg);
	char err[256];
	if (sim_config_validate(&cfg, err, sizeof err) != 0) {
		scn_judge_fail(&r->judge, 0, (struct scn_pos){ 1, 1 }, "config", "the simulator refuses the settings: %s",
			       err);
		return -1;
	}
	r->w = sim_world_new(&cfg);
	if (!r->w)
		abort();
	r->node[0] = sim_add_coordinator(r->w, s->nodes[0].name);
	for (size_t i = 1; i < s->n_nodes; i++) {
		if (add_runner(r, i) < 0) {
			scn_judge_fail(&r->judge, 0, s->nodes[i].pos, s->nodes[i].name,
				       "the simulator refuses this runner: %s", sim_error(r->w));
			return -1;
		}
	}
	for (size_t i = 0; i < s->n_actions; i++) {
		r->act[i] = schedule(r, i);
		if (r->act[i] < 0) {
			scn_judge_fail(&r->judge, s->actions[i].at_ms, s->actions[i].pos, s->actions[i].text,
				       "the simulator refuses this action: %s", sim_error(r->w));
			return -1;
		}
	}
	/* The observer costs a call per record (several thousand a seed); a
	 * scenario without expectations to watch (every explored seed) has
	 * nothing for it to do. */
	if (scn_judge_watches(&r->judge))
		sim_set_observer(r->w, on_record, r);
	scn_judge_poll(&r->judge, 0); /* the state before anything happens: "becomes" needs a before */
	return 0;
}

static void run_checkpoints(struct scn_runctx *r)
{
	int64_t *cps;
	size_t n = scn_judge_checkpoints(&r->judge, &cps);
	for (size_t k = 0; k < n && !r->judge.failed; k++) {
		enum sim_run_status st = sim_run_until(r->w, cps[k]);
		if (st == SIM_RUN_VIOLATION || sim_violation_count(r->w) > 0) {
			record_violation(r);
			break;
		}
		scn_judge_checkpoint(&r->judge, cps[k]);
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
	scn_judge_free(&r->judge);
}

static void open_runctx(struct scn_runctx *r, const struct scn_scenario *s, struct scn_outcome *out)
{
	*r = (struct scn_runctx){
		.s = s,
		.node = zalloc(s->n_nodes, sizeof(int)),
		.act = zalloc(s->n_actions, sizeof(int)),
		.task_id = zalloc(s->n_tasks, sizeof(uint64_t)),
		.sandbox_id = zalloc(s->n_sandboxes, sizeof(uint64_t)),
		.ever_registered = zalloc(s->n_nodes, sizeof(bool)),
	};
	scn_judge_init(&r->judge, s, &scn_sim_world_ops, r, out);
}

/* --- checking a scenario before it runs ---------------------------------------------- */

/* Whether the simulator takes config k and secret: the coordinator's and the
 * world's rules, and the runner rules that come from the config. */
static int settings_check(const struct scn_scenario *s, char *why, size_t why_len)
{
	struct sim_config cfg;
	apply_config(s, 1, NULL, &cfg);
	if (sim_config_validate(&cfg, why, why_len) != 0)
		return -1;
	struct sim_runner_spec rs;
	runner_spec(&s->config, NULL, &rs);
	rs.hostname = rs.project_dir = rs.executor_type = "-"; /* the nodes' own are checked apart */
	return sim_runner_spec_check(&rs, why, why_len);
}

/* The first setting, in file order, after which the settings are refused:
 * they are added one at a time onto the defaults, so a rule between two
 * (remove_after below stale_after) names the one that broke it. */
static bool refused_setting(const struct scn_scenario *s, struct scn_pos *pos, char *why, size_t why_len)
{
	struct scn_scenario trial = *s; /* shares the strings; only config and secret change */
	scn_config_init(&trial.config);
	trial.secret = "-"; /* a valid one until the file's own */
	const int64_t *given = (const int64_t *)&s->config;
	int64_t *values = (int64_t *)&trial.config;
	struct scn_pos at = { 0, 0 };
	bool refused = false;
	while (!refused) {
		/* the next setting after `at` in the file: a config field, or the secret */
		struct scn_pos next = { INT_MAX, 0 };
		for (size_t i = 0; i < SCN_CONFIG_FIELDS; i++)
			if (s->config_pos[i].line > at.line && s->config_pos[i].line < next.line)
				next = s->config_pos[i];
		if (s->secret_pos.line > at.line && s->secret_pos.line < next.line)
			next = s->secret_pos;
		if (next.line == INT_MAX)
			break;
		for (size_t i = 0; i < SCN_CONFIG_FIELDS; i++)
			if (s->config_pos[i].line == next.line)
				values[i] = given[i];
		if (s->secret_pos.line == next.line)
			trial.secret = s->secret;
		at = next;
		refused = settings_check(&trial, why, why_len) != 0;
	}
	*pos = at;
	return refused;
}

int scn_check_setup(const struct scn_scenario *s, char *why, size_t why_len, struct scn_pos *pos)
{
	char reason[256];
	if (refused_setting(s, pos, reason, sizeof reason)) {
		snprintf(why, why_len, "the simulator refuses this setting: %s", reason);
		return -1;
	}
	/* Everything else a run refuses (a runner's own properties, an action)
	 * is found the way a run finds it: by setting one up, with no event run. */
	struct scn_outcome out;
	memset(&out, 0, sizeof out);
	struct scn_runctx r;
	open_runctx(&r, s, &out);
	int rc = setup(&r, s->seed_first, NULL);
	release(&r);
	if (rc != 0) {
		*pos = out.pos;
		snprintf(why, why_len, "%s", out.why);
	}
	return rc;
}

int scn_run(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct scn_outcome *out)
{
	struct scn_runctx r;
	open_runctx(&r, s, out);
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
