/*
 * test_runner.c - the runner core against hand-built coordinator replies.
 *
 * No coordinator is involved: each test plays the coordinator by building
 * rc_reply values, passes literal times, and asserts on the effects. A small
 * rig remembers every request the runner sent, so a test can answer "the
 * last heartbeat" or "task 7's completion" by name.
 */
#include <string.h>

#include "fx.h"
#include "runner.h"
#include "unit.h"

#define RID "lnch_7a0925b98c2e"
#define SESSION 7
#define MAX_SENT 512

struct sent {
	enum rc_op op;
	uint64_t task_id;
	uint64_t req_id;
};

struct rig {
	struct rc_runner_config cfg;
	struct rc_runner *r;
	struct rc_outbox ob; /* effects of the latest call only */
	struct sent sent[MAX_SENT];
	int n_sent;
};

/* The config alone, for tests that change it before rig_build(). */
static void rig_config(struct rig *g, int max_concurrency)
{
	memset(g, 0, sizeof *g);
	rc_runner_config_defaults(&g->cfg);
	g->cfg.hostname = "host1";
	g->cfg.project_dir = "/proj";
	g->cfg.executor_type = "test-executor";
	g->cfg.instance_token = "tok-1";
	g->cfg.secret = "s3cret";
	g->cfg.max_concurrency = max_concurrency;
}

static void rig_build(struct rig *g, uint64_t seed)
{
	g->r = rc_runner_new(&g->cfg, seed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->r);
	rc_outbox_init(&g->ob);
}

static void rig_open_seeded(struct rig *g, int max_concurrency, uint64_t seed)
{
	rig_config(g, max_concurrency);
	rig_build(g, seed);
}

static void rig_open(struct rig *g, int max_concurrency)
{
	rig_open_seeded(g, max_concurrency, 1);
}

static void rig_close(struct rig *g)
{
	rc_runner_free(g->r);
	rc_outbox_free(&g->ob);
}

/* Call before each runner call: forget the previous effects. */
static struct rc_outbox *fresh(struct rig *g)
{
	rc_outbox_clear(&g->ob);
	return &g->ob;
}

/* Call after each runner call: remember what was sent. */
static void note_sends(struct rig *g)
{
	for (size_t i = 0; i < g->ob.len; i++) {
		const struct rc_effect *fx = &g->ob.items[i];
		if (fx->kind != RC_FX_SEND)
			continue;
		CU_ASSERT_FATAL(g->n_sent < MAX_SENT);
		g->sent[g->n_sent++] = (struct sent){ fx->msg.op, fx->msg.task_id, fx->msg.req_id };
	}
}

/* req_id of the latest request of op (for task ops: of that task); 0 if none. */
static uint64_t last_req(const struct rig *g, enum rc_op op, uint64_t task_id)
{
	for (int i = g->n_sent - 1; i >= 0; i--)
		if (g->sent[i].op == op && g->sent[i].task_id == task_id)
			return g->sent[i].req_id;
	return 0;
}

static void start(struct rig *g, int64_t now_ms)
{
	rc_runner_start(g->r, now_ms, fresh(g));
	note_sends(g);
}

static void tick(struct rig *g, int64_t now_ms)
{
	rc_runner_tick(g->r, now_ms, fresh(g));
	note_sends(g);
}

static void drain(struct rig *g, int64_t now_ms)
{
	rc_runner_drain(g->r, now_ms, fresh(g));
	note_sends(g);
}

static void proc_exit(struct rig *g, int64_t now_ms, uint64_t task_id, int attempt, bool clean)
{
	rc_runner_on_process_exit(g->r, now_ms, task_id, attempt, clean, fresh(g));
	note_sends(g);
}

static void deliver(struct rig *g, int64_t now_ms, const struct rc_reply *reply)
{
	rc_runner_on_reply(g->r, now_ms, reply, fresh(g));
	note_sends(g);
}

static void reply_init(struct rc_reply *rep, enum rc_op op, uint64_t req_id, int status)
{
	memset(rep, 0, sizeof *rep);
	rep->op = op;
	rep->req_id = req_id;
	rep->status = status;
}

/* Answer the latest request of op (task_id for task ops) with a bare status. */
static void answer(struct rig *g, int64_t now_ms, enum rc_op op, uint64_t task_id, int status)
{
	struct rc_reply rep;
	uint64_t req = last_req(g, op, task_id);
	CU_ASSERT_NOT_EQUAL_FATAL(req, 0);
	reply_init(&rep, op, req, status);
	deliver(g, now_ms, &rep);
}

static void answer_register(struct rig *g, int64_t now_ms, int heartbeat_interval_s)
{
	struct rc_reply rep;
	reply_init(&rep, RC_OP_REGISTER, last_req(g, RC_OP_REGISTER, 0), RC_STATUS_OK);
	strcpy(rep.runner_id, RID);
	rep.session = SESSION;
	rep.heartbeat_interval_s = heartbeat_interval_s;
	deliver(g, now_ms, &rep);
}

/* Grant tasks (task_ids[i], attempt) in reply to the latest claim. */
static void answer_claim(struct rig *g, int64_t now_ms, const uint64_t *task_ids, int n, int attempt)
{
	struct rc_reply rep;
	reply_init(&rep, RC_OP_CLAIM, last_req(g, RC_OP_CLAIM, 0), RC_STATUS_OK);
	rep.n_grants = n;
	for (int i = 0; i < n; i++)
		rep.grants[i] = (struct rc_grant){ task_ids[i], attempt, "shell", "{}" };
	deliver(g, now_ms, &rep);
}

/* Registered at 0 with the default 20 s interval; claim answered at 0 with
 * the given grants. */
/* Registered, holding the granted tasks; their "started" reports unanswered. */
static void rig_granted(struct rig *g, const uint64_t *task_ids, int n, int attempt)
{
	start(g, 0);
	answer_register(g, 0, 20);
	answer_claim(g, 0, task_ids, n, attempt);
}

/* The same, with the "started" reports acknowledged as a coordinator would. */
static void rig_active(struct rig *g, const uint64_t *task_ids, int n, int attempt)
{
	rig_granted(g, task_ids, n, attempt);
	for (int i = 0; i < n; i++)
		answer(g, 0, RC_OP_TASK_STATUS, task_ids[i], RC_STATUS_OK);
}

static size_t count(const struct rig *g, enum rc_fx_kind kind)
{
	return rc_outbox_count(&g->ob, kind);
}

/* ---- registration ------------------------------------------------------ */

static void test_start_sends_register(void)
{
	struct rig g;
	rig_open(&g, 2);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_INIT);
	start(&g, 0);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
	const struct rc_effect *fx = rc_unit_fx_send(&g.ob, RC_OP_REGISTER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx);
	CU_ASSERT_EQUAL(fx->msg.req_id, 1);
	/* borrowed from the config, not copied */
	CU_ASSERT_PTR_EQUAL(fx->msg.hostname, g.cfg.hostname);
	CU_ASSERT_PTR_EQUAL(fx->msg.project_dir, g.cfg.project_dir);
	CU_ASSERT_PTR_EQUAL(fx->msg.executor_type, g.cfg.executor_type);
	CU_ASSERT_PTR_EQUAL(fx->msg.instance_token, g.cfg.instance_token);
	CU_ASSERT_PTR_EQUAL(fx->msg.secret, g.cfg.secret);
	CU_ASSERT_EQUAL(fx->msg.max_concurrency, 2);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 10000); /* the request timeout */
	CU_ASSERT_STRING_EQUAL(rc_runner_id(g.r), "");
	rig_close(&g);
}

static void test_register_ok_saves_and_claims(void)
{
	struct rig g;
	rig_open(&g, 2);
	start(&g, 0);
	answer_register(&g, 50, 20);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_ACTIVE);
	CU_ASSERT_STRING_EQUAL(rc_runner_id(g.r), RID);
	CU_ASSERT_EQUAL(rc_runner_session(g.r), SESSION);
	const struct rc_effect *save = rc_unit_fx_nth(&g.ob, RC_FX_STATE_SAVE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(save);
	CU_ASSERT_STRING_EQUAL(save->runner_id, RID);
	CU_ASSERT_EQUAL(save->msg.session, SESSION);
	const struct rc_effect *claim = rc_unit_fx_send(&g.ob, RC_OP_CLAIM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(claim);
	CU_ASSERT_EQUAL(claim->msg.req_id, 2);
	CU_ASSERT_EQUAL(claim->msg.session, SESSION);
	CU_ASSERT_EQUAL(claim->msg.max, 2);
	CU_ASSERT_STRING_EQUAL(claim->msg.runner_id, RID);
	rig_close(&g);
}

static void test_register_refused_exits(void)
{
	const int statuses[] = { RC_STATUS_UNAUTHORIZED, RC_STATUS_UNPROCESSABLE };
	for (int i = 0; i < 2; i++) {
		struct rig g;
		rig_open(&g, 1);
		start(&g, 0);
		answer(&g, 10, RC_OP_REGISTER, 0, statuses[i]);
		CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_EXITED);
		const struct rc_effect *ex = rc_unit_fx_nth(&g.ob, RC_FX_EXIT, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
		CU_ASSERT_EQUAL(ex->value, statuses[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(ex->text, "registration refused"));
		CU_ASSERT_EQUAL(rc_runner_deadline(g.r), INT64_MAX); /* no retry */
		tick(&g, 100000);
		CU_ASSERT_EQUAL(g.ob.len, 0);
		rig_close(&g);
	}
}

/* A 422 is told by its error code: a property over its limit is not called
 * missing. */
static void test_register_unprocessable_says_which_rule(void)
{
	static const struct { const char *code, *says; } cases[] = {
		{ "missing_fields", "are required" },
		{ "field_too_long", "longer than the coordinator accepts" },
		{ "invalid_field", "rejected a property" },
		{ NULL, "rejected a property" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rig g;
		rig_open(&g, 1);
		start(&g, 0);
		struct rc_reply rep;
		reply_init(&rep, RC_OP_REGISTER, last_req(&g, RC_OP_REGISTER, 0), RC_STATUS_UNPROCESSABLE);
		rep.error.code = cases[i].code;
		deliver(&g, 10, &rep);
		const struct rc_effect *ex = rc_unit_fx_nth(&g.ob, RC_FX_EXIT, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
		CU_ASSERT_PTR_NOT_NULL(strstr(ex->text, cases[i].says));
		rig_close(&g);
	}
}

static void test_register_clone_retries_with_backoff(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	answer(&g, 10, RC_OP_REGISTER, 0, RC_STATUS_CONFLICT);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
	CU_ASSERT_EQUAL(count(&g, RC_FX_LOG), 1);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 0);
	int64_t due = rc_runner_deadline(g.r);
	CU_ASSERT(due >= 10 + 500 && due <= 10 + 1000);
	tick(&g, due);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_REGISTER), 1);
	answer(&g, due, RC_OP_REGISTER, 0, RC_STATUS_CONFLICT);
	int64_t due2 = rc_runner_deadline(g.r);
	CU_ASSERT(due2 - due >= 1000 && due2 - due <= 2000); /* second failure: 2 s base */
	rig_close(&g);
}

/* ---- heartbeats ---------------------------------------------------------- */

static void test_heartbeat_every_interval(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	answer_register(&g, 50, 20);
	answer_claim(&g, 60, NULL, 0, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 20050); /* one interval after registration */
	CU_ASSERT_EQUAL(rc_runner_last_heartbeat_ack_ms(g.r), -1);
	int64_t due = 20050;
	for (int beat = 0; beat < 3; beat++) {
		tick(&g, due - 1);
		CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_HEARTBEAT), 0);
		tick(&g, due);
		const struct rc_effect *hb = rc_unit_fx_send(&g.ob, RC_OP_HEARTBEAT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(hb);
		CU_ASSERT_EQUAL(hb->msg.session, SESSION);
		CU_ASSERT_STRING_EQUAL(hb->msg.runner_id, RID);
		answer(&g, due + 30, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
		CU_ASSERT_EQUAL(rc_runner_last_heartbeat_ack_ms(g.r), due + 30);
		CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_CLAIM), 1); /* claim after it */
		answer_claim(&g, due + 40, NULL, 0, 0);
		due += 20000;
		CU_ASSERT_EQUAL(rc_runner_deadline(g.r), due);
	}
	rig_close(&g);
}

static void test_heartbeat_interval_from_coordinator(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	answer_register(&g, 0, 30);
	answer_claim(&g, 0, NULL, 0, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 30000);
	rig_close(&g);

	rig_config(&g, 1);
	g.cfg.heartbeat_interval_ms = 15000;
	rig_build(&g, 1);
	start(&g, 0);
	answer_register(&g, 0, 0); /* 0: keep our own */
	answer_claim(&g, 0, NULL, 0, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 15000);
	rig_close(&g);
}

static void test_heartbeat_404_reregisters_keeping_tasks(void)
{
	struct rig g;
	const uint64_t ids[] = { 5 };
	rig_open(&g, 2);
	rig_active(&g, ids, 1, 1);
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_NOT_FOUND);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_REGISTER), 1);
	CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_SIGNAL), 0);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 1);
	answer_register(&g, 20020, 20);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_ACTIVE);
	const struct rc_effect *claim = rc_unit_fx_send(&g.ob, RC_OP_CLAIM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(claim);
	CU_ASSERT_EQUAL(claim->msg.max, 1); /* the kept task still takes a slot */
	answer_claim(&g, 20030, NULL, 0, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 40020);
	rig_close(&g);
}

static void test_claim_404_reregisters(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	answer_register(&g, 0, 20);
	answer(&g, 10, RC_OP_CLAIM, 0, RC_STATUS_NOT_FOUND);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_REGISTER), 1);
	rig_close(&g);
}

/* A 409 on the session: stop every process, then exit. */
static void check_superseded(enum rc_op refused_op)
{
	struct rig g;
	const uint64_t ids[] = { 5 };
	rig_open(&g, 2);
	rig_active(&g, ids, 1, 1);
	if (refused_op == RC_OP_HEARTBEAT) {
		tick(&g, 20000);
	} else { /* the claim that follows a good heartbeat */
		tick(&g, 20000);
		answer(&g, 20005, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	}
	answer(&g, 20010, refused_op, 0, RC_STATUS_CONFLICT);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_EXITED);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 5, RC_SIG_TERM), 1);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 0); /* the process is still there */
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 25010);
	tick(&g, 25009);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	tick(&g, 25010);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 5, RC_SIG_KILL), 1);
	proc_exit(&g, 25020, 5, 1, false);
	const struct rc_effect *ex = rc_unit_fx_nth(&g.ob, RC_FX_EXIT, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_STRING_EQUAL(ex->text, "superseded");
	CU_ASSERT_EQUAL(ex->value, 409);
	CU_ASSERT_EQUAL(count(&g, RC_FX_SEND), 0); /* no completion report */
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), INT64_MAX);
	tick(&g, 100000);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	rig_close(&g);
}

static void test_heartbeat_409_superseded(void)
{
	check_superseded(RC_OP_HEARTBEAT);
}

static void test_claim_409_superseded(void)
{
	check_superseded(RC_OP_CLAIM);
}

static void test_superseded_without_tasks_exits_at_once(void)
{
	struct rig g;
	rig_open(&g, 1);
	rig_active(&g, NULL, 0, 0);
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_CONFLICT);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 1);
	/* the heartbeat's late duplicate changes nothing */
	answer(&g, 20020, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	rig_close(&g);
}

/* ---- network failures ---------------------------------------------------- */

/* Fail registration `n` times in a row; delays[i] = wait after failure i+1. */
static void registration_delays(uint64_t seed, int n, int64_t *delays)
{
	struct rig g;
	rig_open_seeded(&g, 1, seed);
	start(&g, 0);
	int64_t now = 0;
	for (int i = 0; i < n; i++) {
		now += 100;
		answer(&g, now, RC_OP_REGISTER, 0, i % 2 ? RC_STATUS_TRANSPORT : RC_STATUS_UNAVAILABLE);
		CU_ASSERT_EQUAL_FATAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
		delays[i] = rc_runner_deadline(g.r) - now;
		now += delays[i];
		tick(&g, now - 1);
		CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_REGISTER), 0);
		tick(&g, now);
		CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_REGISTER), 1);
	}
	rig_close(&g);
}

static void test_backoff_doubles_to_cap_with_jitter(void)
{
	const int64_t base[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	int64_t d[8];
	registration_delays(1, 8, d);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT(d[i] >= base[i] / 2);
		CU_ASSERT(d[i] <= base[i]);
	}
}

static void test_backoff_jitter_is_seeded(void)
{
	int64_t a[8], b[8], c[8];
	registration_delays(7, 8, a);
	registration_delays(7, 8, b);
	registration_delays(8, 8, c);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, sizeof a), 0);
	/* over many seeds the jitter takes many values: it is not a constant */
	int distinct_first = 0;
	int64_t seen[32];
	for (uint64_t s = 0; s < 32; s++) {
		int64_t d[1];
		registration_delays(100 + s, 1, d);
		bool dup = false;
		for (int k = 0; k < distinct_first; k++)
			dup |= seen[k] == d[0];
		if (!dup)
			seen[distinct_first++] = d[0];
	}
	CU_ASSERT(distinct_first > 16);
}

static void test_request_timeout_is_a_failure(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	uint64_t first = last_req(&g, RC_OP_REGISTER, 0);
	tick(&g, 9999);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 10000);
	tick(&g, 10000);
	CU_ASSERT_EQUAL(count(&g, RC_FX_SEND), 0); /* not resent at once: backoff */
	int64_t due = rc_runner_deadline(g.r);
	CU_ASSERT(due >= 10500 && due <= 11000);
	/* the late reply to the timed-out request is ignored */
	struct rc_reply late;
	reply_init(&late, RC_OP_REGISTER, first, RC_STATUS_OK);
	strcpy(late.runner_id, RID);
	late.session = SESSION;
	deliver(&g, 10001, &late);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_REGISTERING);
	tick(&g, due);
	const struct rc_effect *again = rc_unit_fx_send(&g.ob, RC_OP_REGISTER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT(again->msg.req_id > first);
	rig_close(&g);
}

static void test_heartbeat_failure_retries_and_success_resets(void)
{
	struct rig g;
	rig_open(&g, 1);
	rig_active(&g, NULL, 0, 0);
	int64_t now = 20000;
	tick(&g, now);
	for (int i = 0; i < 3; i++) { /* three failures: 1, 2, 4 s bases */
		answer(&g, now, RC_OP_HEARTBEAT, 0, RC_STATUS_TRANSPORT);
		int64_t wait = rc_runner_deadline(g.r) - now;
		CU_ASSERT(wait >= (1000 << i) / 2 && wait <= (1000 << i));
		now += wait;
		tick(&g, now);
		CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_HEARTBEAT), 1);
	}
	answer(&g, now + 10, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	answer_claim(&g, now + 10, NULL, 0, 0);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), now + 20000); /* from the send that got through */
	tick(&g, now + 20000);
	answer(&g, now + 20000, RC_OP_HEARTBEAT, 0, RC_STATUS_INTERNAL);
	int64_t wait = rc_runner_deadline(g.r) - (now + 20000);
	CU_ASSERT(wait >= 500 && wait <= 1000); /* the count started over */
	rig_close(&g);
}

/* ---- tasks ---------------------------------------------------------------- */

static void test_grants_start_processes(void)
{
	struct rig g;
	const uint64_t ids[] = { 11, 12 };
	rig_open(&g, 3);
	start(&g, 0);
	answer_register(&g, 0, 20);
	answer_claim(&g, 5, ids, 2, 2);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 2);
	CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_START), 2);
	for (int i = 0; i < 2; i++) {
		const struct rc_effect *ps = rc_unit_fx_nth(&g.ob, RC_FX_PROC_START, (size_t)i);
		CU_ASSERT_EQUAL(ps->task_id, ids[i]);
		CU_ASSERT_EQUAL(ps->attempt, 2);
		const struct rc_runner_task *t = rc_runner_task_at(g.r, i);
		CU_ASSERT_EQUAL(t->task_id, ids[i]);
		CU_ASSERT_EQUAL(t->sup.state, RC_SUP_RUNNING);
	}
	/* each start is announced with the attempt number */
	const struct rc_effect *st = rc_unit_fx_send(&g.ob, RC_OP_TASK_STATUS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->msg.task_id, 11);
	CU_ASSERT_EQUAL(st->msg.attempt, 2);
	CU_ASSERT_STRING_EQUAL(st->msg.text, "started");
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	const struct rc_effect *claim = rc_unit_fx_send(&g.ob, RC_OP_CLAIM);
	CU_ASSERT_PTR_NOT_NULL_FATAL(claim);
	CU_ASSERT_EQUAL(claim->msg.max, 1);
	/* a duplicate grant of a running attempt starts nothing */
	answer_claim(&g, 20020, ids, 1, 2);
	CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_START), 0);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 2);
	rig_close(&g);
}

static void test_full_runner_does_not_claim(void)
{
	struct rig g;
	const uint64_t ids[] = { 11 };
	rig_open(&g, 1);
	rig_active(&g, ids, 1, 1);
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_CLAIM), 0);
	rig_close(&g);
}

static void test_completion_carries_attempt_and_retries(void)
{
	struct rig g;
	const uint64_t ids[] = { 9 };
	rig_open(&g, 1);
	rig_active(&g, ids, 1, 2);
	proc_exit(&g, 3000, 9, 2, true);
	const struct rc_effect *c = rc_unit_fx_send(&g.ob, RC_OP_TASK_COMPLETE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->msg.task_id, 9);
	CU_ASSERT_EQUAL(c->msg.attempt, 2);
	CU_ASSERT_TRUE(c->msg.success);
	CU_ASSERT_STRING_EQUAL(c->msg.text, "ok");
	CU_ASSERT_STRING_EQUAL(c->msg.runner_id, RID);
	CU_ASSERT_TRUE(rc_runner_task_at(g.r, 0)->completing);
	struct rc_msg first = c->msg;
	answer(&g, 3010, RC_OP_TASK_COMPLETE, 9, RC_STATUS_TRANSPORT);
	int64_t due = rc_runner_deadline(g.r);
	CU_ASSERT(due >= 3510 && due <= 4010);
	tick(&g, due);
	const struct rc_effect *again = rc_unit_fx_send(&g.ob, RC_OP_TASK_COMPLETE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT(again->msg.req_id > first.req_id);
	CU_ASSERT_EQUAL(again->msg.attempt, first.attempt);
	CU_ASSERT_EQUAL(again->msg.success, first.success);
	CU_ASSERT_PTR_EQUAL(again->msg.text, first.text);
	answer(&g, due + 5, RC_OP_TASK_COMPLETE, 9, RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 0);
	answer(&g, due + 6, RC_OP_TASK_COMPLETE, 9, RC_STATUS_OK); /* duplicate */
	CU_ASSERT_EQUAL(g.ob.len, 0);
	rig_close(&g);
}

static void test_crashing_task_restarts_then_fails(void)
{
	struct rig g;
	const uint64_t ids[] = { 4 };
	rig_open(&g, 1);
	rig_active(&g, ids, 1, 1);
	int64_t now = 100;
	for (int i = 0; i < 5; i++) {
		proc_exit(&g, now, 4, 1, false);
		CU_ASSERT_EQUAL(count(&g, RC_FX_SEND), 0);
		now = rc_runner_task_at(g.r, 0)->sup.deadline_ms;
		CU_ASSERT(rc_runner_deadline(g.r) <= now); /* the runner wakes up for it */
		tick(&g, now);
		CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_START), 1);
		const struct rc_effect *st = rc_unit_fx_send(&g.ob, RC_OP_TASK_STATUS);
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		CU_ASSERT_STRING_EQUAL(st->msg.text, "restarted");
	}
	CU_ASSERT_EQUAL(now, 100 + 1000 + 2000 + 4000 + 8000 + 16000);
	proc_exit(&g, now + 1, 4, 1, false);
	const struct rc_effect *c = rc_unit_fx_send(&g.ob, RC_OP_TASK_COMPLETE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->msg.success);
	CU_ASSERT_STRING_EQUAL(c->msg.text, "gave up after 5 restarts");
	CU_ASSERT_EQUAL(c->msg.attempt, 1);
	rig_close(&g);
}

static void test_403_stops_process_and_silences_it(void)
{
	struct rig g;
	const uint64_t ids[] = { 6 };
	rig_open(&g, 1);
	rig_granted(&g, ids, 1, 3);
	answer(&g, 1000, RC_OP_TASK_STATUS, 6, RC_STATUS_FORBIDDEN);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 6, RC_SIG_TERM), 1);
	CU_ASSERT_TRUE(rc_runner_task_at(g.r, 0)->cancelled);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 6000);
	tick(&g, 5999);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 6, RC_SIG_KILL), 0);
	tick(&g, 6000);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 6, RC_SIG_KILL), 1);
	proc_exit(&g, 6001, 6, 3, true); /* even a clean exit is not reported */
	CU_ASSERT_EQUAL(count(&g, RC_FX_SEND), 0);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 0);
	/* nothing about task 6 is ever sent again */
	tick(&g, 20000);
	answer(&g, 20000, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	answer_claim(&g, 20000, NULL, 0, 0);
	for (int i = 0; i < g.n_sent; i++)
		if (g.sent[i].task_id == 6)
			CU_ASSERT_EQUAL(g.sent[i].op, RC_OP_TASK_STATUS);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_TASK_COMPLETE), 0);
	rig_close(&g);
}

static void test_started_report_is_retried_until_answered(void)
{
	struct rig g;
	const uint64_t ids[] = { 7 };
	rig_open(&g, 1);
	rig_granted(&g, ids, 1, 1);
	uint64_t first = last_req(&g, RC_OP_TASK_STATUS, 7);
	answer(&g, 100, RC_OP_TASK_STATUS, 7, RC_STATUS_TRANSPORT);
	/* retried after the backoff (jittered within [500, 1000] ms) */
	CU_ASSERT(rc_runner_deadline(g.r) >= 600 && rc_runner_deadline(g.r) <= 1100);
	tick(&g, rc_runner_deadline(g.r));
	uint64_t second = last_req(&g, RC_OP_TASK_STATUS, 7);
	CU_ASSERT(second > first);
	answer(&g, 1200, RC_OP_TASK_STATUS, 7, RC_STATUS_OK);
	/* answered: nothing more is sent for it before the next heartbeat */
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 20000);
	rig_close(&g);
}

static void test_completion_403_forgets(void)
{
	struct rig g;
	const uint64_t ids[] = { 6 };
	rig_open(&g, 1);
	rig_active(&g, ids, 1, 3);
	proc_exit(&g, 100, 6, 3, true);
	answer(&g, 110, RC_OP_TASK_COMPLETE, 6, RC_STATUS_FORBIDDEN);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 0);
	CU_ASSERT_EQUAL(count(&g, RC_FX_SEND), 0);
	CU_ASSERT_EQUAL(count(&g, RC_FX_LOG), 1);
	rig_close(&g);
}

/* ---- drain -------------------------------------------------------------- */

static void test_drain_heartbeats_stops_and_deregisters(void)
{
	struct rig g;
	const uint64_t ids[] = { 3 };
	rig_open(&g, 2);
	rig_active(&g, ids, 1, 1);
	drain(&g, 1000);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_DRAINING);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 3, RC_SIG_TERM), 1);
	tick(&g, 20000); /* heartbeats go on, SIGKILL went at 6000 meanwhile */
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_HEARTBEAT), 1);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&g.ob, 3, RC_SIG_KILL), 1);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_CLAIM), 0); /* no claims */
	CU_ASSERT_EQUAL(rc_runner_last_heartbeat_ack_ms(g.r), 20010);
	proc_exit(&g, 20020, 3, 1, false);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_TASK_COMPLETE), 0);
	const struct rc_effect *d = rc_unit_fx_send(&g.ob, RC_OP_DEREGISTER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->msg.runner_id, RID);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 0);
	answer(&g, 20030, RC_OP_DEREGISTER, 0, RC_STATUS_OK);
	const struct rc_effect *ex = rc_unit_fx_nth(&g.ob, RC_FX_EXIT, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_STRING_EQUAL(ex->text, "drained");
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_EXITED);
	rig_close(&g);
}

static void test_drain_waits_for_completion_ack(void)
{
	struct rig g;
	const uint64_t ids[] = { 3 };
	rig_open(&g, 1);
	rig_active(&g, ids, 1, 1);
	proc_exit(&g, 500, 3, 1, true);
	drain(&g, 600);
	CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_SIGNAL), 0);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_DEREGISTER), 0);
	answer(&g, 700, RC_OP_TASK_COMPLETE, 3, RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_DEREGISTER), 1);
	rig_close(&g);
}

static void test_drain_deregister_timeout_exits(void)
{
	struct rig g;
	rig_open(&g, 1);
	rig_active(&g, NULL, 0, 0);
	drain(&g, 100);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_DEREGISTER), 1);
	CU_ASSERT_EQUAL(rc_runner_deadline(g.r), 10100);
	tick(&g, 10100);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 1);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_EXITED);
	rig_close(&g);
}

static void test_drain_before_registration_exits(void)
{
	struct rig g;
	rig_open(&g, 1);
	start(&g, 0);
	drain(&g, 10);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_DEREGISTER), 0);
	CU_ASSERT_EQUAL(count(&g, RC_FX_EXIT), 1);
	answer_register(&g, 20, 20); /* too late: ignored */
	CU_ASSERT_EQUAL(g.ob.len, 0);
	rig_close(&g);
}

static void test_grants_after_drain_are_not_started(void)
{
	struct rig g;
	const uint64_t ids[] = { 8 };
	rig_open(&g, 2);
	rig_active(&g, NULL, 0, 0);
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_OK); /* a claim goes out */
	uint64_t claim = last_req(&g, RC_OP_CLAIM, 0);
	CU_ASSERT_NOT_EQUAL(claim, 0);
	drain(&g, 20020);
	CU_ASSERT_EQUAL(rc_unit_fx_count_send(&g.ob, RC_OP_DEREGISTER), 1);
	answer_claim(&g, 20030, ids, 1, 1);
	CU_ASSERT_EQUAL(count(&g, RC_FX_PROC_START), 0);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 0);
	rig_close(&g);
}

static void test_heartbeat_401_exits(void)
{
	struct rig g;
	rig_open(&g, 1);
	rig_active(&g, NULL, 0, 0);
	tick(&g, 20000);
	answer(&g, 20010, RC_OP_HEARTBEAT, 0, RC_STATUS_UNAUTHORIZED);
	const struct rc_effect *ex = rc_unit_fx_nth(&g.ob, RC_FX_EXIT, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_EQUAL(ex->value, 401);
	CU_ASSERT_EQUAL(rc_runner_phase(g.r), RC_PHASE_EXITED);
	rig_close(&g);
}

/* ---- robustness --------------------------------------------------------- */

static void test_unknown_and_stale_replies_ignored(void)
{
	struct rig g;
	const uint64_t ids[] = { 1, 2 };
	rig_open(&g, 2);
	start(&g, 0);
	answer_register(&g, 0, 20);
	struct rc_reply rep;
	reply_init(&rep, RC_OP_CLAIM, 999, RC_STATUS_OK);
	rep.n_grants = 1;
	rep.grants[0] = (struct rc_grant){ 77, 1, "shell", "{}" };
	deliver(&g, 1, &rep);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	reply_init(&rep, RC_OP_HEARTBEAT, 0, RC_STATUS_CONFLICT); /* req_id 0 */
	deliver(&g, 2, &rep);
	CU_ASSERT_EQUAL(g.ob.len, 0);
	answer_claim(&g, 3, ids, 2, 1);
	answer_claim(&g, 4, ids, 2, 1); /* the same reply again */
	CU_ASSERT_EQUAL(g.ob.len, 0);
	CU_ASSERT_EQUAL(rc_runner_task_count(g.r), 2);
	proc_exit(&g, 5, 99, 1, true); /* an exit of a process we never started */
	CU_ASSERT_EQUAL(g.ob.len, 0);
	rig_close(&g);
}

static void test_invalid_config_refused(void)
{
	struct rc_runner_config cfg;
	rc_runner_config_defaults(&cfg);
	cfg.hostname = "h";
	cfg.project_dir = "/p";
	cfg.executor_type = "";
	CU_ASSERT_PTR_NULL(rc_runner_new(&cfg, 1));
	cfg.executor_type = "e";
	cfg.max_concurrency = RC_MAX_CONCURRENCY + 1;
	CU_ASSERT_PTR_NULL(rc_runner_new(&cfg, 1));
	cfg.max_concurrency = 0;
	CU_ASSERT_PTR_NULL(rc_runner_new(&cfg, 1));
	cfg.max_concurrency = RC_MAX_CONCURRENCY;
	struct rc_runner *r = rc_runner_new(&cfg, 1);
	CU_ASSERT_PTR_NOT_NULL(r);
	rc_runner_free(r);
	CU_ASSERT_STRING_EQUAL(rc_runner_phase_name(RC_PHASE_DRAINING), "draining");
}

void rc_test_register_runner(void)
{
	static CU_TestInfo tests[] = {
		{ "start sends REGISTER from the config", test_start_sends_register },
		{ "REGISTER 200 saves state and claims", test_register_ok_saves_and_claims },
		{ "REGISTER 401/422 exits without retry", test_register_refused_exits },
		{ "register 422: the exit says which rule", test_register_unprocessable_says_which_rule },
		{ "REGISTER 409 clone retries with backoff", test_register_clone_retries_with_backoff },
		{ "heartbeat every 20 s, exact deadlines", test_heartbeat_every_interval },
		{ "heartbeat interval from the coordinator", test_heartbeat_interval_from_coordinator },
		{ "heartbeat 404 re-registers, keeps tasks", test_heartbeat_404_reregisters_keeping_tasks },
		{ "claim 404 re-registers", test_claim_404_reregisters },
		{ "heartbeat 409: stop processes, then exit", test_heartbeat_409_superseded },
		{ "claim 409: stop processes, then exit", test_claim_409_superseded },
		{ "superseded with no task exits at once", test_superseded_without_tasks_exits_at_once },
		{ "backoff 1 s doubling to 30 s, jittered", test_backoff_doubles_to_cap_with_jitter },
		{ "jitter is seeded and deterministic", test_backoff_jitter_is_seeded },
		{ "request timeout is a transport failure", test_request_timeout_is_a_failure },
		{ "heartbeat failure backoff resets on success", test_heartbeat_failure_retries_and_success_resets },
		{ "grants start processes", test_grants_start_processes },
		{ "a full runner does not claim", test_full_runner_does_not_claim },
		{ "completion carries the attempt, retried as is", test_completion_carries_attempt_and_retries },
		{ "crashing task restarts, then fails", test_crashing_task_restarts_then_fails },
		{ "403 stops the process, never reported", test_403_stops_process_and_silences_it },
		{ "the started report is retried until answered", test_started_report_is_retried_until_answered },
		{ "completion 403 forgets the task", test_completion_403_forgets },
		{ "drain heartbeats, stops, deregisters", test_drain_heartbeats_stops_and_deregisters },
		{ "drain waits for completion acks", test_drain_waits_for_completion_ack },
		{ "drain exits when DEREGISTER times out", test_drain_deregister_timeout_exits },
		{ "drain before registration exits", test_drain_before_registration_exits },
		{ "grants after drain are not started", test_grants_after_drain_are_not_started },
		{ "heartbeat 401 exits", test_heartbeat_401_exits },
		{ "unknown and stale replies are ignored", test_unknown_and_stale_replies_ignored },
		{ "invalid config is refused", test_invalid_config_refused },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("runner", tests);
}
