/*
 * conf_session.c - the target across scenarios: which scenarios it can run,
 * where each one starts on its clock, and the clean-up between scenarios
 * when one target serves them all.
 *
 * A launched target is fresh for every scenario (new database, new process)
 * unless --reuse. A shared target (--reuse, or one that was already running)
 * keeps what earlier scenarios left, so after each scenario conform
 * deregisters the scenario's runners and has a janitor runner claim and fail
 * every task still queued; a scenario also starts on the target's timer grid
 * (a multiple of the sweep and monitor intervals after the instant the
 * target started), where a fresh coordinator's timers would be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "identity.h"
#include "rcd_file.h"

#define JANITOR_ROUNDS 100

/* --- talking to the target outside a run ------------------------------------------------ */

/* One exchange through the profile. Returns the reply status, or -1 with err
 * filled (no answer, off-protocol). canonical may be NULL. */
static int session_call(struct conf_session *cs, const struct rc_msg *msg, struct rc_reply *reply,
			struct rc_proto_arena *arena, json_t **canonical, char *err, size_t err_cap)
{
	struct conf_wire_request w;
	struct conf_exchange ex = { 0 };
	int rc = -1;
	if (conf_profile_encode(cs->profile, msg, &w, err, err_cap) != 0)
		return -1;
	struct rc_error perr;
	char shown[900];
	int sent = conf_http_send(cs->http, conf_target_url(cs->target), &w, &ex);
	cs->reply_date_ms = ex.date_ms;
	if (sent != 0) {
		snprintf(err, err_cap, "no answer to %s %s: %s", ex.method, ex.path, ex.error);
	} else if (conf_profile_decode(cs->profile, msg->op, ex.status, ex.body, ex.body_len, reply, arena, canonical,
				       &perr) != 0) {
		conf_exchange_format(&ex, shown, sizeof shown, 300);
		snprintf(err, err_cap, "an off-protocol reply (%s):\n%s", perr.message, shown);
	} else {
		rc = reply->status;
	}
	conf_wire_request_free(&w);
	conf_exchange_clear(&ex);
	return rc;
}

/* Whether the target reads the clock conform moves, as far as a reply's
 * Date header (date_ms, -1 when it had none) shows: HTTP servers date their
 * replies, libmicrohttpd among them, and the clock is frozen where conform
 * set it, so the date is that instant cut to the second. A target that
 * escapes libfaketime (a static program behind a wrapper script, a runtime
 * that reads the time without libc, a command that drops LD_PRELOAD) dates
 * its replies by the real clock, and every verdict on its timers would be
 * wrong; said here, before anything runs, instead. */
static bool clock_followed(const struct conf_session *cs, int64_t date_ms, char *why, size_t why_cap)
{
	if (date_ms < 0 || cs->o.ignore_date || conf_target_mode(cs->target) == CONF_TARGET_NO_CLOCK)
		return true;
	int64_t clock_ms = conf_target_clock(cs->target);
	if (date_ms > clock_ms - 2000 && date_ms < clock_ms + 2000)
		return true;
	char dated[40], clock[40];
	conf_format_clock(date_ms, dated, sizeof dated);
	conf_format_clock(clock_ms, clock, sizeof clock);
	snprintf(why, why_cap, "dates its replies %s (UTC) while conform holds its clock at %s: it does not read the "
		 "clock libfaketime moves (a static program behind a wrapper, a runtime that reads the time without "
		 "libc, or a command that drops LD_PRELOAD), so its timers cannot be judged (if a proxy in front of it "
		 "dates the replies, --ignore-date)", dated, clock);
	return false;
}

int conf_session_ready(void *ctx, const char *url, char *why, size_t why_cap)
{
	struct conf_session *cs = ctx;
	struct rc_msg msg = { .op = RC_OP_HEALTH };
	struct conf_wire_request w;
	struct conf_exchange ex = { 0 };
	if (conf_profile_encode(cs->profile, &msg, &w, why, why_cap) != 0)
		return -1;
	int state = 0;
	if (conf_http_send(cs->http, url, &w, &ex) == 0) {
		state = ex.status == 200 ? 1 : -1;
		if (state < 0) {
			char shown[500];
			conf_exchange_format(&ex, shown, sizeof shown, 200);
			snprintf(why, why_cap, "answered its health check with %d (is the profile, %s, the target's "
				 "dialect?):\n%s", ex.status, conf_profile_name(cs->profile), shown);
		} else if (!clock_followed(cs, ex.date_ms, why, why_cap)) {
			state = -1;
		}
	}
	conf_wire_request_free(&w);
	conf_exchange_clear(&ex);
	return state;
}

/* A running target must answer its health check with the protocol's body. */
static int check_health(struct conf_session *cs, char *err, size_t err_cap)
{
	struct rc_msg msg = { .op = RC_OP_HEALTH };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	char why[1000];
	int status = session_call(cs, &msg, &reply, &arena, NULL, why, sizeof why);
	rc_proto_arena_free(&arena);
	if (status == 200 && !clock_followed(cs, cs->reply_date_ms, why, sizeof why)) {
		snprintf(err, err_cap, "the target %s %s", conf_target_url(cs->target), why);
		return -1;
	}
	if (status == 200)
		return 0;
	if (status < 0)
		snprintf(err, err_cap, "the target %s fails its health check: %s", conf_target_url(cs->target), why);
	else
		snprintf(err, err_cap, "the target %s answers its health check with %d", conf_target_url(cs->target),
			 status);
	return -1;
}

/* --- opening ------------------------------------------------------------------------------ */

struct conf_session *conf_session_open(const struct conf_options *o, char *err, size_t err_cap)
{
	struct conf_session *cs = calloc(1, sizeof *cs);
	if (!cs)
		abort();
	char why[1500];
	cs->o = *o;
	cs->reply_date_ms = -1;
	cs->profile = o->profile ? conf_profile_load(o->profile, why, sizeof why) : conf_profile_default();
	if (!cs->profile) {
		snprintf(err, err_cap, "--profile: %s", why);
		goto fail;
	}
	cs->http = conf_http_new(o->timeout_ms);
	if (!cs->http) {
		snprintf(err, err_cap, "libcurl cannot be initialised");
		goto fail;
	}
	if (o->secret_file && rcd_read_secret_file(o->secret_file, cs->secret, sizeof cs->secret, why, sizeof why) != 0) {
		snprintf(err, err_cap, "--secret-file: %s", why);
		goto fail;
	}
	struct conf_target_options to = {
		.url = o->target_url, .launch = o->launch, .clock_file = o->clock_file,
		.faketime_lib = o->faketime_lib, .work_dir = o->work_dir,
		.launch_timeout_ms = o->launch_timeout_ms, .keep = o->keep,
	};
	cs->target = conf_target_new(&to, err, err_cap);
	if (!cs->target)
		goto fail;
	cs->shared = conf_target_mode(cs->target) != CONF_TARGET_LAUNCHED || o->reuse;
	cs->grid_origin_ms = conf_target_clock(cs->target);
	if (conf_target_mode(cs->target) != CONF_TARGET_LAUNCHED && check_health(cs, err, err_cap) != 0)
		goto fail;
	return cs;
fail:
	conf_session_close(cs);
	return NULL;
}

void conf_session_close(struct conf_session *cs)
{
	if (!cs)
		return;
	conf_target_free(cs->target);
	conf_http_free(cs->http);
	conf_profile_free(cs->profile);
	free(cs);
}

void conf_session_describe(const struct conf_session *cs, char *buf, size_t n)
{
	const char *url = conf_target_url(cs->target);
	switch (conf_target_mode(cs->target)) {
	case CONF_TARGET_LAUNCHED:
		snprintf(buf, n, "target launched by conform (%s), %s; profile %s", cs->o.launch,
			 cs->o.reuse ? "one process for every scenario" : "a fresh process and database per scenario",
			 conf_profile_name(cs->profile));
		break;
	case CONF_TARGET_CLOCK_FILE:
		snprintf(buf, n, "target %s, clock file %s; profile %s", url, cs->o.clock_file, conf_profile_name(cs->profile));
		break;
	case CONF_TARGET_NO_CLOCK:
		snprintf(buf, n, "target %s, its clock out of reach (scenarios that move it are skipped); profile %s", url,
			 conf_profile_name(cs->profile));
		break;
	}
}

/* --- which scenarios can run --------------------------------------------------------------- */

static bool check_timing(const char *key, int64_t want, int64_t have, bool is_count, char *why, size_t n)
{
	if (want == SCN_UNSET || want == have)
		return true;
	char a[32], b[32];
	if (is_count)
		snprintf(why, n, "needs %s %lld; the target's is %lld", key, (long long)want, (long long)have);
	else
		snprintf(why, n, "needs %s %s; the target's is %s", key, scn_format_duration(want, a, sizeof a),
			 scn_format_duration(have, b, sizeof b));
	return false;
}

static bool timings_fit(const struct scn_scenario *s, const struct conf_timings *t, char *why, size_t n)
{
	const struct scn_config *k = &s->config;
	return check_timing("stale_after", k->stale_after_ms, t->stale_after_ms, false, why, n) &&
	       check_timing("remove_after", k->remove_after_ms, t->remove_after_ms, false, why, n) &&
	       check_timing("sweep_interval", k->sweep_interval_ms, t->sweep_interval_ms, false, why, n) &&
	       check_timing("task_timeout", k->task_timeout_ms, t->task_timeout_ms, false, why, n) &&
	       check_timing("monitor_interval", k->monitor_interval_ms, t->monitor_interval_ms, false, why, n) &&
	       check_timing("max_attempts", k->max_attempts, t->max_attempts, true, why, n) &&
	       check_timing("heartbeat_interval", k->heartbeat_interval_ms, t->heartbeat_interval_ms, false, why, n) &&
	       check_timing("secret_grace", k->secret_grace_ms, t->secret_grace_ms, false, why, n);
}

/* Whether anything in s can be changed by the target's timers: some record
 * or task lives longer than the shortest timeout. */
static bool needs_clock(const struct scn_scenario *s, const struct conf_timings *t)
{
	int64_t first = -1;
	for (size_t i = 0; i < s->n_actions && first < 0; i++) {
		enum scn_action_kind k = s->actions[i].kind;
		if ((k == SCN_ACT_START && s->actions[i].node != 0) || k == SCN_ACT_REGISTER || k == SCN_ACT_SUBMIT)
			first = s->actions[i].at_ms;
	}
	int64_t shortest = t->stale_after_ms < t->task_timeout_ms ? t->stale_after_ms : t->task_timeout_ms;
	return first >= 0 && s->end_ms - first >= shortest;
}

static enum rc_op op_needed(const struct scn_action *a)
{
	switch (a->kind) {
	case SCN_ACT_SUBMIT: return RC_OP_TASK_SUBMIT;
	case SCN_ACT_SANDBOX_CREATE: return RC_OP_SANDBOX_CREATE;
	case SCN_ACT_SANDBOX_DELETE: return RC_OP_SANDBOX_DELETE;
	case SCN_ACT_SANDBOX_REPORT: return RC_OP_SANDBOX_REPORT;
	case SCN_ACT_REGISTER: return RC_OP_REGISTER;
	default: return RC_OP_NONE;
	}
}

/* A rotation rewrites the secret of the target's process: only a target
 * conform launched, fresh for the scenario, whose profile says how. */
static bool rotation_fits(const struct conf_session *cs, char *why, size_t n)
{
	if (cs->shared)
		snprintf(why, n, "rotates the secret: needs a target that conform launched, fresh for the scenario "
				 "(--launch without --reuse)");
	else if (conf_profile_rotation(cs->profile) == CONF_ROTATE_NONE)
		snprintf(why, n, "rotates the secret: the target's profile has no secret_rotation");
	else
		return true;
	return false;
}

static bool action_fits(const struct conf_session *cs, const struct scn_action *a, char *why, size_t n)
{
	static const enum rc_op runner_ops[] = { RC_OP_REGISTER, RC_OP_HEARTBEAT, RC_OP_CLAIM, RC_OP_TASK_STATUS,
						 RC_OP_TASK_COMPLETE, RC_OP_DEREGISTER };
	bool coord = a->node == 0 && a->kind <= SCN_ACT_RESUME;
	bool coord_clock = a->node == 0 && (a->kind == SCN_ACT_SKEW_CLOCK || a->kind == SCN_ACT_JUMP_CLOCK);
	enum rc_op op = op_needed(a);
	if (a->kind == SCN_ACT_ROTATE_SECRET)
		return rotation_fits(cs, why, n);
	if (coord_clock)
		snprintf(why, n, "moves the coordinator's clock apart from virtual time: not replayed live");
	else if (coord && (a->kind == SCN_ACT_PAUSE || a->kind == SCN_ACT_RESUME))
		snprintf(why, n, "pauses the coordinator: not replayed live");
	else if (coord && conf_target_mode(cs->target) != CONF_TARGET_LAUNCHED)
		snprintf(why, n, "'%s coordinator' needs a target that conform launched (--launch)",
			 scn_action_word(a->kind));
	else if (op != RC_OP_NONE && !conf_profile_has(cs->profile, op))
		snprintf(why, n, "the target's profile has no %s operation", rc_op_name(op));
	else if (a->kind == SCN_ACT_START && a->node != 0) {
		for (size_t i = 0; i < sizeof runner_ops / sizeof runner_ops[0]; i++)
			if (!conf_profile_has(cs->profile, runner_ops[i])) {
				snprintf(why, n, "the target's profile has no %s operation, which runners use",
					 rc_op_name(runner_ops[i]));
				return false;
			}
		return true;
	} else
		return true;
	return false;
}

/* Why s cannot run live against this target, or NULL when it can. */
static bool can_run(const struct conf_session *cs, const struct scn_scenario *s, char *why, size_t n)
{
	const struct conf_timings *t = conf_profile_timings(cs->profile);
	for (size_t i = 0; i < s->n_actions; i++)
		if (!action_fits(cs, &s->actions[i], why, n))
			return false;
	if (s->config.lossy_storage == 1) {
		snprintf(why, n, "loses unsynced writes in a crash (lossy_storage): not produced live");
		return false;
	}
	if (!timings_fit(s, t, why, n))
		return false;
	if (conf_target_mode(cs->target) == CONF_TARGET_NO_CLOCK && needs_clock(s, t)) {
		snprintf(why, n, "needs the target's clock to move: give --launch or --clock-file");
		return false;
	}
	return true;
}

/* --- clean-up of a shared target -------------------------------------------------------------- */

static int deregister(struct conf_session *cs, const char *id, const char *secret, char *err, size_t err_cap)
{
	struct rc_msg msg = { .op = RC_OP_DEREGISTER, .runner_id = id, .secret = secret };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	int status = session_call(cs, &msg, &reply, &arena, NULL, err, err_cap);
	rc_proto_arena_free(&arena);
	if (status == 200 || status == 404)
		return 0;
	if (status > 0)
		snprintf(err, err_cap, "deregistering %s got %d", id, status);
	return -1;
}

/* Fail every grant of one claim; returns how many, or -1. */
static int janitor_round(struct conf_session *cs, const char *id, uint64_t session, const char *secret, char *err,
			 size_t err_cap)
{
	struct rc_msg claim = { .op = RC_OP_CLAIM, .runner_id = id, .session = session, .max = RC_MAX_GRANTS,
				.secret = secret };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	int n = session_call(cs, &claim, &reply, &arena, NULL, err, err_cap) == 200 ? reply.n_grants : -1;
	for (int i = 0; i < n; i++) {
		struct rc_msg done = { .op = RC_OP_TASK_COMPLETE, .task_id = reply.grants[i].task_id,
				       .attempt = reply.grants[i].attempt, .runner_id = id, .success = false,
				       .text = "left over by an earlier scenario; failed by rollcall conform",
				       .secret = secret };
		struct rc_reply r2;
		struct rc_proto_arena a2;
		rc_proto_arena_init(&a2);
		if (session_call(cs, &done, &r2, &a2, NULL, err, err_cap) != 200)
			n = -1;
		rc_proto_arena_free(&a2);
	}
	rc_proto_arena_free(&arena);
	return n;
}

/* A janitor runner claims every queued task and fails it. */
static int drain_tasks(struct conf_session *cs, const char *secret, char *err, size_t err_cap)
{
	char token[64];
	snprintf(token, sizeof token, "janitor-%d", ++cs->janitors);
	struct rc_msg reg = { .op = RC_OP_REGISTER, .hostname = "rollcall-conform-janitor", .project_dir = "/conform",
			      .executor_type = "janitor", .instance_token = token, .max_concurrency = RC_MAX_GRANTS,
			      .secret = secret };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	int status = session_call(cs, &reg, &reply, &arena, NULL, err, err_cap);
	rc_proto_arena_free(&arena);
	if (status != 200) {
		if (status > 0)
			snprintf(err, err_cap, "the clean-up runner's registration got %d", status);
		return -1;
	}
	char id[RC_RUNNER_ID_BUF];
	snprintf(id, sizeof id, "%s", reply.runner_id);
	int n = 1;
	for (int round = 0; round < JANITOR_ROUNDS && n > 0; round++)
		n = janitor_round(cs, id, reply.session, secret, err, err_cap);
	if (n != 0) {
		if (n > 0)
			snprintf(err, err_cap, "tasks were still queued after %d claims", JANITOR_ROUNDS);
		return -1;
	}
	return deregister(cs, id, secret, err, err_cap);
}

static int runners_left(struct conf_session *cs, char *err, size_t err_cap)
{
	struct rc_msg msg = { .op = RC_OP_RUNNERS_LIST };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	json_t *body = NULL;
	int status = session_call(cs, &msg, &reply, &arena, &body, err, err_cap);
	rc_proto_arena_free(&arena);
	int left = status == 200 ? (int)json_array_size(json_object_get(body, "runners")) : -1;
	json_decref(body);
	if (left > 0)
		snprintf(err, err_cap, "%d runner%s still listed after clean-up (is someone else using the target?)", left,
			 left == 1 ? "" : "s");
	return left;
}

/* Leave the shared target as a scenario expects to find it: no runners, no
 * queued tasks. */
static int clean_up(struct conf_session *cs, const struct scn_scenario *s, const char *secret, char *err,
		    size_t err_cap)
{
	struct conf_target *t = cs->target;
	if (conf_target_mode(t) == CONF_TARGET_LAUNCHED && !conf_target_running(t, NULL, 0)) {
		if (conf_target_start(t, conf_target_clock(t), conf_session_ready, cs, err, err_cap) != 0)
			return -1;
		cs->grid_origin_ms = conf_target_clock(t);
	}
	bool have_list = conf_profile_has(cs->profile, RC_OP_RUNNERS_LIST);
	for (size_t i = 1; i < s->n_nodes; i++) {
		char id[RC_RUNNER_ID_BUF];
		const struct scn_node *n = &s->nodes[i];
		if (rc_identity_runner_id(n->hostname, n->project_dir, n->executor_type, id) == 0 &&
		    deregister(cs, id, secret, err, err_cap) != 0)
			return -1;
	}
	if (conf_profile_has(cs->profile, RC_OP_CLAIM) && drain_tasks(cs, secret, err, err_cap) != 0)
		return -1;
	return have_list && runners_left(cs, err, err_cap) != 0 ? -1 : 0;
}

/* --- running one scenario ------------------------------------------------------------------------ */

/* The first instant of the target's timer grid after its clock now. */
static int64_t next_grid_instant(const struct conf_session *cs)
{
	const struct conf_timings *t = conf_profile_timings(cs->profile);
	int64_t a = t->sweep_interval_ms, b = t->monitor_interval_ms;
	while (b) {
		int64_t r = a % b;
		a = b;
		b = r;
	}
	int64_t grid = t->sweep_interval_ms / a * t->monitor_interval_ms;
	int64_t since = conf_target_clock(cs->target) - cs->grid_origin_ms;
	return cs->grid_origin_ms + (since / grid + 1) * grid;
}

void conf_session_run(struct conf_session *cs, const struct scn_scenario *s, uint64_t seed, struct conf_result *r)
{
	memset(r, 0, sizeof *r);
	r->seed = seed;
	r->out.passed = true;
	r->out.fail_expect = r->out.fail_action = -1;
	if (cs->unusable) {
		r->verdict = CONF_ERROR;
		snprintf(r->reason, sizeof r->reason, "not run: an earlier error left the target unusable");
		return;
	}
	if (!can_run(cs, s, r->reason, sizeof r->reason)) {
		r->verdict = CONF_SKIP;
		return;
	}
	struct conf_target *t = cs->target;
	bool launched = conf_target_mode(t) == CONF_TARGET_LAUNCHED;
	char err[1200];
	int64_t base = conf_target_clock(t);
	if (launched && (!cs->shared || !conf_target_running(t, NULL, 0))) {
		if (conf_target_fresh(t, s->name, s->secret, err, sizeof err) != 0) {
			r->verdict = CONF_ERROR;
			r->target_unusable = cs->unusable = true;
			snprintf(r->reason, sizeof r->reason, "%.1200s", err);
			return;
		}
	} else if (conf_target_mode(t) != CONF_TARGET_NO_CLOCK) {
		base = next_grid_instant(cs);
	}
	const char *secret = launched ? conf_target_secret(t) : cs->secret[0] ? cs->secret : s->secret;
	char secret_copy[RC_MAX_SECRET_LEN + 1];
	snprintf(secret_copy, sizeof secret_copy, "%s", secret);
	conf_live_run(cs, s, seed, base, secret_copy, r);
	if (launched && !cs->shared)
		conf_target_stop(t);
	else if (!r->target_unusable && clean_up(cs, s, secret_copy, err, sizeof err) != 0) {
		/* a failed check stands; the target is of no use for the next scenario either way */
		if (r->verdict == CONF_PASS)
			r->verdict = CONF_ERROR;
		r->target_unusable = true;
		snprintf(r->reason, sizeof r->reason, "cleaning the shared target up after the scenario: %.1100s", err);
	}
	if (r->target_unusable)
		cs->unusable = true;
}
