/*
 * test_tasks.c - submission, claims and attempts, completion, the task monitor.
 *
 * DESIGN.md "Task monitor and reassignment" at its boundaries with the default
 * config: the monitor runs every 10000 ms from t = 0 and fails an attempt
 * whose owner's last heartbeat is more than 60000 ms old (strict >), at most
 * 3 attempts. Reports from anyone but the current attempt's owner get 403 and
 * change nothing; a task completes once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_fixture.h"
#include "unit.h"

static int task_status(struct cf *f, int64_t now_ms, const struct cf_runner *r, uint64_t task_id, int attempt)
{
	struct rc_msg m = cf_task_msg(RC_OP_TASK_STATUS, r, task_id, attempt);
	m.text = "50%";
	return cf_send(f, now_ms, &m);
}

/* --- submit and get -------------------------------------------------------------------- */

static void test_submit(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg m = { .op = RC_OP_TASK_SUBMIT, .kind = "build" };
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &m), RC_STATUS_CREATED);
	CU_ASSERT_EQUAL(f.reply.task_id, 1);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-saved 1");
	const struct rc_task *t = f.reply.task;
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->kind, "build");
	CU_ASSERT_STRING_EQUAL(t->payload, ""); /* none given */
	CU_ASSERT_PTR_NULL(t->result);
	CU_ASSERT_EQUAL(t->state, RC_TASK_QUEUED);
	CU_ASSERT_EQUAL(t->attempt, 0);
	CU_ASSERT_STRING_EQUAL(t->runner_id, "");
	CU_ASSERT_EQUAL(t->submitted_at_ms, 1000);
	CU_ASSERT_EQUAL(cf_submit(&f, 1000), 2);
	CU_ASSERT_EQUAL(cf_submit(&f, 1000), 3);
	CU_ASSERT_STRING_EQUAL(cf_task(&f, 2)->payload, "{}");
	cf_free(&f);
}

static void test_submit_refusals(void)
{
	static char kind[RC_MAX_TASK_KIND_LEN + 2], payload[RC_MAX_PAYLOAD_LEN + 2];
	memset(kind, 'k', sizeof kind - 1);
	memset(payload, 'p', sizeof payload - 1);
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg m = { .op = RC_OP_TASK_SUBMIT };
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "missing_fields");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "kind");
	m.kind = "";
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "missing_fields");
	m.kind = kind; /* limit + 1 */
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "field_too_long");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "kind");
	m.kind = kind + 1;
	m.payload = payload;
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "field_too_long");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "payload");
	m.payload = payload + 1; /* both exactly at their limits */
	CU_ASSERT_EQUAL(cf_send(&f, 0, &m), RC_STATUS_CREATED);
	CU_ASSERT_EQUAL(f.reply.task_id, 1); /* refusals used no id */
	cf_free(&f);
}

static void test_get(void)
{
	struct cf f;
	cf_init(&f, NULL);
	uint64_t id = cf_submit(&f, 0);
	struct rc_msg m = { .op = RC_OP_TASK_GET, .task_id = id };
	CU_ASSERT_EQUAL(cf_send(&f, 0, &m), RC_STATUS_OK);
	CU_ASSERT_PTR_EQUAL(f.reply.task, cf_task(&f, id));
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	m.task_id = 2;
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_NOT_FOUND, "unknown_task");
	m.task_id = 0;
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_NOT_FOUND, "unknown_task");
	cf_free(&f);
}

/* --- claims -------------------------------------------------------------------------------- */

static void test_claim_up_to_max_concurrency_in_fifo_order(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register_with(&f, 0, "a", 2);
	for (int i = 0; i < 3; i++)
		cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 1000, &a, 5), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 2);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a queued>running; task-saved 1; "
					       "task-state 2 a1 a queued>running; task-saved 2");
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 1);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 1);
	CU_ASSERT_STRING_EQUAL(f.reply.grants[0].kind, "build");
	CU_ASSERT_STRING_EQUAL(f.reply.grants[0].payload, "{}");
	CU_ASSERT_EQUAL(f.reply.grants[1].task_id, 2);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 2);
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_RUNNING);
	CU_ASSERT_STRING_EQUAL(cf_task(&f, 1)->runner_id, a.id);
	CU_ASSERT_EQUAL(cf_task(&f, 1)->claimed_at_ms, 1000);

	CU_ASSERT_EQUAL(cf_claim(&f, 2000, &a, 5), RC_STATUS_OK); /* full */
	CU_ASSERT_EQUAL(f.reply.n_grants, 0);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");

	CU_ASSERT_EQUAL(cf_complete(&f, 3000, &a, 1, 1, true, "ok"), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 1);
	CU_ASSERT_EQUAL(cf_claim(&f, 4000, &a, 0), RC_STATUS_OK); /* max <= 0 means 1 */
	CU_ASSERT_EQUAL(f.reply.n_grants, 1);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 3);
	CU_ASSERT_EQUAL(cf_claim(&f, 5000, &a, 1), RC_STATUS_OK); /* queue empty */
	CU_ASSERT_EQUAL(f.reply.n_grants, 0);
	cf_free(&f);
}

static void test_claim_refusals(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	struct cf_runner ghost = { .name = "ghost", .id = "lnch_000000000000", .session = 1 };
	struct rc_msg m = cf_runner_msg(RC_OP_CLAIM, &ghost);
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");
	m = cf_runner_msg(RC_OP_CLAIM, &a);
	m.session = 7;
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_CONFLICT, "stale_session");
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_QUEUED);
	cf_free(&f);
}

static void test_nothing_assigned_to_a_stale_runner(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_run_until(&f, 120000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_STALE);
	cf_submit(&f, 121000);
	char *before = cf_state(f.c);
	CU_ASSERT_EQUAL(cf_claim(&f, 125000, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 0);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	char *after = cf_state(f.c);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	/* Back online by a heartbeat: it may claim again. */
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 126000, &a), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_claim(&f, 126000, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 1);
	cf_free(&f);
}

static void test_claim_is_not_a_heartbeat(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_run_until(&f, 100000);
	CU_ASSERT_EQUAL(cf_claim(&f, 100000, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->last_heartbeat_ms, 0);
	cf_run_until(&f, 120000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_STALE);
	cf_free(&f);
}

/* --- the monitor ------------------------------------------------------------------------------ */

static void test_monitor_fails_after_60001_not_60000(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	cf_submit(&f, 0);
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 9999, &a), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_claim(&f, 9999, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 10000, &b), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_claim(&f, 10000, &b, 1), RC_STATUS_OK);

	cf_run_until(&f, 69999);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_TASK_STATE), 0);
	cf_tick(&f, 70000); /* a: age 60001, b: age 60000 */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a running>queued; task-saved 1");
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_QUEUED);
	CU_ASSERT_STRING_EQUAL(cf_task(&f, 1)->runner_id, "");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 0);
	CU_ASSERT_EQUAL(cf_task(&f, 2)->state, RC_TASK_RUNNING);
	cf_tick(&f, 80000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 2 a1 b running>queued; task-saved 2");
	cf_free(&f);
}

static void test_three_attempts_then_failed(void)
{
	struct cf f;
	cf_init(&f, NULL);
	cf_submit(&f, 0);
	const char *names[] = { "a", "b", "c" };
	const char *expected[] = {
		"task-state 1 a1 a running>queued; task-saved 1",
		"task-state 1 a2 b running>queued; task-saved 1",
		/* the sweep at 210000 runs first and finds b silent for 140000 */
		"runner-status b online>stale; runner-saved b; task-state 1 a3 c running>failed; task-saved 1",
	};
	struct cf_runner last;
	for (int i = 0; i < 3; i++) {
		int64_t start = 70000 * i; /* each owner claims, then goes silent */
		last = cf_register(&f, start, names[i]);
		CU_ASSERT_EQUAL(cf_claim(&f, start, &last, 1), RC_STATUS_OK);
		CU_ASSERT_EQUAL(f.reply.grants[0].attempt, i + 1);
		cf_run_until(&f, start + 69999);
		CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_TASK_STATE), 0);
		cf_tick(&f, start + 70000);
		CU_ASSERT_STRING_EQUAL(cf_effects(&f), expected[i]);
	}
	const struct rc_task *t = cf_task(&f, 1);
	CU_ASSERT_EQUAL(t->state, RC_TASK_FAILED);
	CU_ASSERT_STRING_EQUAL(t->result, "attempts exhausted");
	CU_ASSERT_EQUAL(t->finished_at_ms, 210000);
	/* The last owner's late completion was never acknowledged: 403. */
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 211000, &last), RC_STATUS_OK);
	struct rc_msg late = cf_task_msg(RC_OP_TASK_COMPLETE, &last, 1, 3);
	late.success = true;
	CF_EXPECT_REFUSED(&f, 211000, &late, RC_STATUS_FORBIDDEN, "not_owner");
	cf_free(&f);
}

static void test_requeued_task_goes_to_the_back(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	cf_run_until(&f, 70000); /* task 1 requeued behind task 2 */
	struct cf_runner b = cf_register(&f, 70000, "b");
	CU_ASSERT_EQUAL(cf_claim(&f, 70000, &b, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 2);
	struct cf_runner c = cf_register(&f, 70000, "c");
	CU_ASSERT_EQUAL(cf_claim(&f, 70000, &c, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 1);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 2);
	cf_free(&f);
}

static void test_long_task_on_heartbeating_runner_stays(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(task_status(&f, 10, &a, 1, 1), RC_STATUS_OK); /* "started" */
	size_t moves = 0;
	for (int64_t t = 20000; t <= 3600000; t += 20000) {
		cf_run_until(&f, t);
		moves += rc_outbox_count(&f.ob, RC_FX_TASK_STATE);
		CU_ASSERT_EQUAL(cf_heartbeat(&f, t, &a), RC_STATUS_OK);
	}
	CU_ASSERT_EQUAL(moves, 0);
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_RUNNING);
	CU_ASSERT_EQUAL(cf_task(&f, 1)->attempt, 1);
	cf_free(&f);
}

/* A grant lost with its claim reply: the runner keeps heartbeating but never
 * heard of the task. The attempt is taken back once it has gone unconfirmed
 * for more than task_timeout_ms after the claim (strict, on monitor ticks). */
static void test_unconfirmed_attempt_is_taken_back(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 10000, &a, 1), RC_STATUS_OK); /* claimed_at 10 s */
	for (int64_t t = 20000; t <= 60000; t += 20000) {
		cf_run_until(&f, t);
		CU_ASSERT_EQUAL(cf_heartbeat(&f, t, &a), RC_STATUS_OK);
	}
	cf_run_until(&f, 70000); /* age 60000: not more than the timeout */
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_RUNNING);
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 70000, &a), RC_STATUS_OK);
	cf_run_until(&f, 80000); /* age 70000 */
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_QUEUED);
	CU_ASSERT_EQUAL(cf_task(&f, 1)->attempt, 1);
	/* the same runner may claim it again, as attempt 2 */
	CU_ASSERT_EQUAL(cf_claim(&f, 80000, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 1);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 2);
	cf_free(&f);
}

/* --- status and completion ------------------------------------------------------------------------ */

static void test_reports_from_non_owners_are_refused(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	cf_submit(&f, 0);
	cf_submit(&f, 0);
	struct rc_msg m = cf_task_msg(RC_OP_TASK_COMPLETE, &a, 2, 0);
	CF_EXPECT_REFUSED(&f, 500, &m, RC_STATUS_FORBIDDEN, "not_owner"); /* queued, never claimed */
	CU_ASSERT_EQUAL(cf_claim(&f, 1000, &a, 1), RC_STATUS_OK);

	m = cf_task_msg(RC_OP_TASK_COMPLETE, &a, 99, 1);
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_NOT_FOUND, "unknown_task");
	m = cf_task_msg(RC_OP_TASK_STATUS, &a, 99, 1);
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_NOT_FOUND, "unknown_task");
	const enum rc_op ops[] = { RC_OP_TASK_STATUS, RC_OP_TASK_COMPLETE };
	for (int i = 0; i < 2; i++) {
		m = cf_task_msg(ops[i], &b, 1, 1); /* not the owner */
		m.success = true;
		CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_FORBIDDEN, "not_owner");
		m = cf_task_msg(ops[i], &a, 1, 2); /* not the attempt */
		CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_FORBIDDEN, "not_owner");
		m.runner_id = NULL;
		CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_FORBIDDEN, "not_owner");
	}
	cf_free(&f);
}

static void test_status_from_owner_is_not_a_heartbeat(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	/* the first report confirms the attempt (persisted), later ones change nothing */
	CU_ASSERT_EQUAL(task_status(&f, 10, &a, 1, 1), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-saved 1");
	CU_ASSERT_TRUE(cf_task(&f, 1)->confirmed);
	cf_run_until(&f, 50000);
	char *before = cf_state(f.c);
	CU_ASSERT_EQUAL(task_status(&f, 50000, &a, 1, 1), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	char *after = cf_state(f.c);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	cf_run_until(&f, 70000); /* reports do not keep the attempt alive */
	CU_ASSERT_EQUAL(cf_task(&f, 1)->state, RC_TASK_QUEUED);
	cf_free(&f);
}

static void test_old_attempt_gets_403_after_reassignment(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	cf_run_until(&f, 70000);
	struct cf_runner b = cf_register(&f, 70000, "b");
	CU_ASSERT_EQUAL(cf_claim(&f, 70000, &b, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 71000, &a), RC_STATUS_OK); /* a comes back */

	struct rc_msg old = cf_task_msg(RC_OP_TASK_STATUS, &a, 1, 1);
	CF_EXPECT_REFUSED(&f, 72000, &old, RC_STATUS_FORBIDDEN, "not_owner");
	old = cf_task_msg(RC_OP_TASK_COMPLETE, &a, 1, 1);
	old.success = true;
	CF_EXPECT_REFUSED(&f, 72000, &old, RC_STATUS_FORBIDDEN, "not_owner");
	old.attempt = 2; /* the right number does not make a the owner */
	CF_EXPECT_REFUSED(&f, 72000, &old, RC_STATUS_FORBIDDEN, "not_owner");
	CU_ASSERT_EQUAL(cf_complete(&f, 73000, &b, 1, 2, true, "done by b"), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_task(&f, 1)->result, "done by b");
	cf_free(&f);
}

static void test_complete_once(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_complete(&f, 5000, &a, 1, 1, true, "result"), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a running>completed; task-saved 1");
	const struct rc_task *t = cf_task(&f, 1);
	CU_ASSERT_EQUAL(t->state, RC_TASK_COMPLETED);
	CU_ASSERT_STRING_EQUAL(t->result, "result");
	CU_ASSERT_EQUAL(t->finished_at_ms, 5000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 0);

	/* The reply was lost and a retries: acknowledged again, nothing changes
	 * (not even with another outcome). */
	char *before = cf_state(f.c);
	CU_ASSERT_EQUAL(cf_complete(&f, 6000, &a, 1, 1, true, "result"), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	CU_ASSERT_EQUAL(cf_complete(&f, 6000, &a, 1, 1, false, "other"), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	char *after = cf_state(f.c);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);

	struct rc_msg other = cf_task_msg(RC_OP_TASK_COMPLETE, &b, 1, 1);
	CF_EXPECT_REFUSED(&f, 7000, &other, RC_STATUS_FORBIDDEN, "not_owner");
	struct rc_msg status = cf_task_msg(RC_OP_TASK_STATUS, &a, 1, 1);
	CF_EXPECT_REFUSED(&f, 7000, &status, RC_STATUS_FORBIDDEN, "not_owner"); /* no longer running */
	cf_free(&f);
}

static void test_complete_with_failure_and_text_limits(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register_with(&f, 0, "a", 2);
	cf_submit(&f, 0);
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 2), RC_STATUS_OK);
	static char text[RC_MAX_TEXT_LEN + 2];
	memset(text, 't', sizeof text - 1);
	struct rc_msg m = cf_task_msg(RC_OP_TASK_COMPLETE, &a, 1, 1);
	m.text = text;
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_UNPROCESSABLE, "field_too_long");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "text");
	m.text = text + 1; /* exactly the limit */
	m.success = false;
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &m), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a running>failed; task-saved 1");
	CU_ASSERT_EQUAL(strlen(cf_task(&f, 1)->result), RC_MAX_TEXT_LEN);
	CU_ASSERT_EQUAL(cf_complete(&f, 1000, &a, 2, 1, true, NULL), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_task(&f, 2)->result, "");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 0);
	cf_free(&f);
}

/* --- runners leaving ---------------------------------------------------------------------------- */

static void test_deregister_requeues_running_attempts(void)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	cfg.max_attempts = 2;
	struct cf f;
	cf_init(&f, &cfg);
	struct cf_runner a = cf_register_with(&f, 0, "a", 2);
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	struct rc_msg bye = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &bye), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a running>queued; task-saved 1; "
					       "runner-status a online>removed");

	a = cf_register_with(&f, 2000, "a", 2);
	cf_submit(&f, 2000);
	CU_ASSERT_EQUAL(cf_claim(&f, 2000, &a, 2), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 2); /* the requeued task 1 was ahead of task 2 */
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 1);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 2);
	CU_ASSERT_EQUAL(f.reply.grants[1].task_id, 2);
	bye = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 3000, &bye), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a2 a running>failed; task-saved 1; "
					       "task-state 2 a1 a running>queued; task-saved 2; "
					       "runner-status a online>removed");
	cf_free(&f);
}

/* Attempts lost together are requeued in the order they were claimed. */
static void test_requeue_keeps_claim_order(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register_with(&f, 0, "a", 4);
	for (int i = 0; i < 4; i++)
		cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 4), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_complete(&f, 1000, &a, 1, 1, true, "ok"), RC_STATUS_OK);
	struct rc_msg bye = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &bye), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 2 a1 a running>queued; task-saved 2; "
					       "task-state 3 a1 a running>queued; task-saved 3; "
					       "task-state 4 a1 a running>queued; task-saved 4; "
					       "runner-status a online>removed");
	struct cf_runner b = cf_register_with(&f, 3000, "b", 4);
	CU_ASSERT_EQUAL(cf_claim(&f, 3000, &b, 4), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 3);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 2);
	CU_ASSERT_EQUAL(f.reply.grants[1].task_id, 3);
	CU_ASSERT_EQUAL(f.reply.grants[2].task_id, 4);
	cf_free(&f);
}

/* A new session means the previous process is gone: its attempts are failed,
 * or a restarted runner that keeps heartbeating would hold them forever. */
static void test_reconnection_requeues_previous_session_attempts(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	a = cf_register(&f, 5000, "a");
	CU_ASSERT_EQUAL(a.session, 5000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a running>queued; task-saved 1; runner-saved a");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->running, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 6000, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 2);
	cf_free(&f);
}

static void test_many_tasks_through_one_runner(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register_with(&f, 0, "a", RC_MAX_CONCURRENCY);
	enum { N = 5000 };
	for (int i = 0; i < N; i++)
		cf_submit(&f, 0);
	int completed = 0;
	for (int64_t t = 1; completed < N; t++) {
		CU_ASSERT_EQUAL_FATAL(cf_claim(&f, t, &a, RC_MAX_GRANTS), RC_STATUS_OK);
		struct rc_grant grants[RC_MAX_GRANTS];
		int n = f.reply.n_grants;
		memcpy(grants, f.reply.grants, sizeof grants);
		CU_ASSERT_FATAL(n > 0);
		for (int i = 0; i < n; i++, completed++) {
			CU_ASSERT_EQUAL(grants[i].task_id, (uint64_t)completed + 1); /* FIFO */
			CU_ASSERT_EQUAL(cf_complete(&f, t, &a, grants[i].task_id, 1, true, "ok"), RC_STATUS_OK);
		}
	}
	CU_ASSERT_EQUAL(rc_coord_task_count(f.c), N);
	CU_ASSERT_EQUAL(rc_coord_task_at(f.c, N - 1)->id, N);
	CU_ASSERT_EQUAL(rc_coord_task_at(f.c, N - 1)->state, RC_TASK_COMPLETED);
	cf_free(&f);
}

void rc_test_register_tasks(void)
{
	static CU_TestInfo tests[] = {
		{ "submit", test_submit },
		{ "submit 422 and limits", test_submit_refusals },
		{ "get", test_get },
		{ "claim up to max_concurrency, FIFO", test_claim_up_to_max_concurrency_in_fifo_order },
		{ "claim 404 and 409 change nothing", test_claim_refusals },
		{ "nothing assigned to a stale runner", test_nothing_assigned_to_a_stale_runner },
		{ "a claim is not a heartbeat", test_claim_is_not_a_heartbeat },
		{ "monitor fails at age 60001, not 60000", test_monitor_fails_after_60001_not_60000 },
		{ "three attempts then failed", test_three_attempts_then_failed },
		{ "a requeued task goes to the back", test_requeued_task_goes_to_the_back },
		{ "long task on a heartbeating runner stays", test_long_task_on_heartbeating_runner_stays },
		{ "an unconfirmed attempt is taken back after the timeout", test_unconfirmed_attempt_is_taken_back },
		{ "403 and 404 for non-owners change nothing", test_reports_from_non_owners_are_refused },
		{ "status from the owner is not a heartbeat", test_status_from_owner_is_not_a_heartbeat },
		{ "old attempt gets 403 after reassignment", test_old_attempt_gets_403_after_reassignment },
		{ "a task completes once", test_complete_once },
		{ "complete with failure; text limit", test_complete_with_failure_and_text_limits },
		{ "deregister requeues, or fails at max attempts", test_deregister_requeues_running_attempts },
		{ "requeue keeps claim order", test_requeue_keeps_claim_order },
		{ "reconnection requeues the previous session's attempts",
		  test_reconnection_requeues_previous_session_attempts },
		{ "5000 tasks through one runner", test_many_tasks_through_one_runner },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("tasks", tests);
}
