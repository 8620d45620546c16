/*
 * test_sandboxes.c - sandbox status machine, runner binding, audit, API calls.
 *
 * DESIGN.md "Sandbox status": the legal moves as a literal matrix, every
 * error of the runner-status report (400, 403, 404, 409, and 422 for an
 * over-long container id) checked to change nothing, the binding that
 * follows a task to its new runner, and DELETE through the API.
 */
#include <stdlib.h>
#include <string.h>

#include "coord_fixture.h"
#include "unit.h"

static void test_transition_matrix(void)
{
	/* rows: from, columns: to, both in the order pending creating starting
	 * running deleting deleted failed */
	static const int legal[RC_SANDBOX_STATUS_COUNT][RC_SANDBOX_STATUS_COUNT] = {
		{ 1, 1, 0, 0, 0, 0, 0 }, /* pending */
		{ 0, 1, 1, 0, 0, 0, 1 }, /* creating */
		{ 0, 0, 1, 1, 0, 0, 1 }, /* starting */
		{ 0, 0, 0, 1, 1, 0, 1 }, /* running */
		{ 0, 0, 0, 0, 1, 1, 1 }, /* deleting */
		{ 0, 0, 0, 0, 0, 1, 0 }, /* deleted */
		{ 0, 0, 0, 0, 1, 0, 1 }, /* failed */
	};
	for (int from = 0; from < RC_SANDBOX_STATUS_COUNT; from++)
		for (int to = 0; to < RC_SANDBOX_STATUS_COUNT; to++)
			CU_ASSERT_EQUAL(rc_sandbox_transition_ok(from, to), legal[from][to] == 1);
	CU_ASSERT_FALSE(rc_sandbox_transition_ok(RC_SANDBOX_PENDING, RC_SANDBOX_STATUS_COUNT));
	CU_ASSERT_FALSE(rc_sandbox_transition_ok(RC_SANDBOX_STATUS_COUNT, RC_SANDBOX_STATUS_COUNT));
}

static void test_create_and_get(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg m = { .op = RC_OP_SANDBOX_CREATE };
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &m), RC_STATUS_CREATED);
	CU_ASSERT_EQUAL(f.reply.sandbox_id, 1);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-saved 1 -");
	const struct rc_sandbox *s = f.reply.sandbox;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->status, RC_SANDBOX_PENDING);
	CU_ASSERT_STRING_EQUAL(s->runner_id, "");
	CU_ASSERT_EQUAL(s->task_id, 0);
	CU_ASSERT_EQUAL(s->created_at_ms, 1000);
	CU_ASSERT_FALSE(s->deleted_by_api);

	m.sandbox_task_id = 7;
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_task");
	CU_ASSERT_EQUAL(cf_sandbox(&f, 1000, 0), 2); /* the refusal used no id */

	struct rc_msg get = { .op = RC_OP_SANDBOX_GET, .sandbox_id = 2 };
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &get), RC_STATUS_OK);
	CU_ASSERT_PTR_EQUAL(f.reply.sandbox, cf_sandbox_rec(&f, 2));
	get.sandbox_id = 3;
	CF_EXPECT_REFUSED(&f, 1000, &get, RC_STATUS_NOT_FOUND, "unknown_sandbox");
	cf_free(&f);
}

static void test_created_for_a_running_task_binds_to_its_runner(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t queued = cf_submit(&f, 0);
	CU_ASSERT_STRING_EQUAL(cf_sandbox_rec(&f, cf_sandbox(&f, 0, queued))->runner_id, "");
	uint64_t running = cf_submit(&f, 0);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK); /* claims the first: queued */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a1 a queued>running; task-saved 1; sandbox-saved 1 a");
	CU_ASSERT_EQUAL(cf_complete(&f, 0, &a, queued, 1, true, "ok"), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	uint64_t s = cf_sandbox(&f, 0, running);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-saved 2 a");
	CU_ASSERT_EQUAL(cf_sandbox_rec(&f, s)->task_id, running);
	cf_free(&f);
}

static void test_report_walks_the_life_cycle(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t s = cf_sandbox(&f, 0, 0);
	CU_ASSERT_EQUAL(cf_report(&f, 1000, a.id, s, "creating"), RC_STATUS_OK); /* binds */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-audit 1 sandbox-report pending>creating by a; sandbox-saved 1 a");
	CU_ASSERT_STRING_EQUAL(cf_sandbox_rec(&f, s)->runner_id, a.id);
	CU_ASSERT_EQUAL(cf_sandbox_rec(&f, s)->updated_at_ms, 1000);

	CU_ASSERT_EQUAL(cf_report(&f, 2000, a.id, s, "creating"), RC_STATUS_OK); /* repeat: harmless */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	CU_ASSERT_EQUAL(cf_sandbox_rec(&f, s)->updated_at_ms, 1000);

	struct rc_msg m = { .op = RC_OP_SANDBOX_REPORT, .runner_id = a.id, .sandbox_id = s,
			    .status_word = "starting", .container_id = "ctr-42" };
	CU_ASSERT_EQUAL(cf_send(&f, 3000, &m), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_sandbox_rec(&f, s)->container_id, "ctr-42");
	m.container_id = "ctr-43"; /* same status, new container id: saved, not audited */
	CU_ASSERT_EQUAL(cf_send(&f, 3500, &m), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-saved 1 a");

	const char *rest[] = { "running", "deleting", "deleted" };
	const char *audits[] = {
		"sandbox-audit 1 sandbox-report starting>running by a; sandbox-saved 1 a",
		"sandbox-audit 1 sandbox-report running>deleting by a; sandbox-saved 1 a",
		"sandbox-audit 1 sandbox-report deleting>deleted by a; sandbox-saved 1 a",
	};
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(cf_report(&f, 4000 + i, a.id, s, rest[i]), RC_STATUS_OK);
		CU_ASSERT_STRING_EQUAL(cf_effects(&f), audits[i]);
	}
	CU_ASSERT_EQUAL(cf_sandbox_rec(&f, s)->status, RC_SANDBOX_DELETED);
	cf_free(&f);
}

static void test_report_refusals_change_nothing(void)
{
	static char long_container[RC_MAX_CONTAINER_ID_LEN + 2];
	memset(long_container, 'c', sizeof long_container - 1);
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	uint64_t s = cf_sandbox(&f, 0, 0);
	CU_ASSERT_EQUAL(cf_report(&f, 1000, a.id, s, "creating"), RC_STATUS_OK);

	struct rc_msg m = { .op = RC_OP_SANDBOX_REPORT, .sandbox_id = s, .status_word = "starting" };
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_BAD_REQUEST, "missing_runner_id");
	m.runner_id = "";
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_BAD_REQUEST, "missing_runner_id");
	m.runner_id = "runner-a";
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_BAD_REQUEST, "invalid_runner_id");
	m.runner_id = a.id;
	m.sandbox_id = 99;
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_NOT_FOUND, "unknown_sandbox");
	m.sandbox_id = s;
	m.status_word = "Starting";
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_BAD_REQUEST, "invalid_status");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "status");
	m.status_word = NULL;
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_BAD_REQUEST, "invalid_status");
	m.status_word = "starting";
	m.container_id = long_container;
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_UNPROCESSABLE, "field_too_long");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "container_id");
	m.container_id = long_container + 1; /* exactly the limit: fine */
	m.runner_id = b.id;
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_FORBIDDEN, "wrong_runner");
	m.runner_id = a.id;
	m.status_word = "running"; /* creating -> running skips starting */
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_CONFLICT, "illegal_transition");
	CU_ASSERT_PTR_NOT_NULL(strstr(f.reply.error.message, "creating"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.reply.error.message, "running"));
	m.status_word = "pending";
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_CONFLICT, "illegal_transition");
	m.status_word = "starting";
	CU_ASSERT_EQUAL(cf_send(&f, 3000, &m), RC_STATUS_OK);
	CU_ASSERT_EQUAL(strlen(cf_sandbox_rec(&f, s)->container_id), RC_MAX_CONTAINER_ID_LEN);
	cf_free(&f);
}

static void test_failed_and_final_states(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t s = cf_sandbox(&f, 0, 0);
	CU_ASSERT_EQUAL(cf_report(&f, 1, a.id, s, "creating"), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_report(&f, 2, a.id, s, "failed"), RC_STATUS_OK);
	struct rc_msg m = { .op = RC_OP_SANDBOX_REPORT, .runner_id = a.id, .sandbox_id = s, .status_word = "running" };
	CF_EXPECT_REFUSED(&f, 3, &m, RC_STATUS_CONFLICT, "illegal_transition");
	CU_ASSERT_EQUAL(cf_report(&f, 4, a.id, s, "failed"), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_report(&f, 5, a.id, s, "deleting"), RC_STATUS_OK); /* clean-up */
	CU_ASSERT_EQUAL(cf_report(&f, 6, a.id, s, "deleted"), RC_STATUS_OK);
	const char *words[] = { "pending", "creating", "starting", "running", "deleting", "failed" };
	for (int i = 0; i < 6; i++) {
		m.status_word = words[i];
		CF_EXPECT_REFUSED(&f, 7, &m, RC_STATUS_CONFLICT, "illegal_transition");
	}
	CU_ASSERT_EQUAL(cf_report(&f, 8, a.id, s, "deleted"), RC_STATUS_OK);
	cf_free(&f);
}

/* Reassigning the task moves the binding: the old runner's late report is 403. */
static void test_binding_follows_the_task(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t task = cf_submit(&f, 0);
	uint64_t s = cf_sandbox(&f, 0, task);
	CU_ASSERT_EQUAL(cf_claim(&f, 0, &a, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_report(&f, 1000, a.id, s, "creating"), RC_STATUS_OK);
	cf_run_until(&f, 70000); /* a silent: attempt 1 failed, task requeued */
	struct cf_runner b = cf_register(&f, 70000, "b");
	CU_ASSERT_EQUAL(cf_claim(&f, 70000, &b, 1), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 1 a2 b queued>running; task-saved 1; sandbox-saved 1 b");
	CU_ASSERT_STRING_EQUAL(cf_sandbox_rec(&f, s)->runner_id, b.id);

	struct rc_msg late = { .op = RC_OP_SANDBOX_REPORT, .runner_id = a.id, .sandbox_id = s, .status_word = "starting" };
	CF_EXPECT_REFUSED(&f, 71000, &late, RC_STATUS_FORBIDDEN, "wrong_runner");
	CU_ASSERT_EQUAL(cf_report(&f, 72000, b.id, s, "starting"), RC_STATUS_OK);
	cf_free(&f);
}

static void test_delete_through_the_api(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t pending = cf_sandbox(&f, 0, 0);
	struct rc_msg del = { .op = RC_OP_SANDBOX_DELETE, .sandbox_id = 42 };
	CF_EXPECT_REFUSED(&f, 1000, &del, RC_STATUS_NOT_FOUND, "unknown_sandbox");

	del.sandbox_id = pending;
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &del), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-audit 1 sandbox-delete pending>deleted by -; sandbox-saved 1 -");
	CU_ASSERT_TRUE(cf_sandbox_rec(&f, pending)->deleted_by_api);
	CU_ASSERT_EQUAL(cf_sandbox_rec(&f, pending)->status, RC_SANDBOX_DELETED);
	CU_ASSERT_EQUAL(rc_coord_sandbox_count(f.c), 1); /* kept for the audit trail */
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &del), RC_STATUS_OK); /* again: nothing to do */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	struct rc_msg late = { .op = RC_OP_SANDBOX_REPORT, .runner_id = a.id, .sandbox_id = pending, .status_word = "creating" };
	CF_EXPECT_REFUSED(&f, 3000, &late, RC_STATUS_CONFLICT, "illegal_transition");

	uint64_t running = cf_sandbox(&f, 4000, 0);
	const char *path[] = { "creating", "starting", "running" };
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(cf_report(&f, 4000, a.id, running, path[i]), RC_STATUS_OK);
	del.sandbox_id = running;
	CU_ASSERT_EQUAL(cf_send(&f, 5000, &del), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-audit 2 sandbox-delete running>deleted by -; sandbox-saved 2 a");

	/* Deleted by its runner first: DELETE only records that the API asked. */
	uint64_t gone = cf_sandbox(&f, 6000, 0);
	const char *full[] = { "creating", "starting", "running", "deleting", "deleted" };
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(cf_report(&f, 6000, a.id, gone, full[i]), RC_STATUS_OK);
	del.sandbox_id = gone;
	CU_ASSERT_EQUAL(cf_send(&f, 7000, &del), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "sandbox-saved 3 a");
	CU_ASSERT_TRUE(cf_sandbox_rec(&f, gone)->deleted_by_api);
	cf_free(&f);
}

static void test_report_needs_no_secret_and_api_calls_neither(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg health = { .op = RC_OP_HEALTH };
	CU_ASSERT_EQUAL(cf_send(&f, 0, &health), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	struct rc_msg list = { .op = RC_OP_RUNNERS_LIST };
	CU_ASSERT_EQUAL(cf_send(&f, 0, &list), RC_STATUS_OK);
	CU_ASSERT_PTR_EQUAL(f.reply.coord, f.c);
	struct rc_msg bogus = { .op = RC_OP_COUNT };
	CF_EXPECT_REFUSED(&f, 0, &bogus, RC_STATUS_BAD_REQUEST, "unknown_op");
	cf_free(&f);
}

void rc_test_register_sandboxes(void)
{
	static CU_TestInfo tests[] = {
		{ "legal moves, as a matrix", test_transition_matrix },
		{ "create and get", test_create_and_get },
		{ "created for a running task: bound to its runner", test_created_for_a_running_task_binds_to_its_runner },
		{ "report walks the life cycle, audited", test_report_walks_the_life_cycle },
		{ "400/403/404/409/422 change nothing", test_report_refusals_change_nothing },
		{ "failed -> deleting; deleted is final", test_failed_and_final_states },
		{ "binding follows the task to its new runner", test_binding_follows_the_task },
		{ "DELETE through the API", test_delete_through_the_api },
		{ "health, runners list, unknown op", test_report_needs_no_secret_and_api_calls_neither },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("sandboxes", tests);
}
