/*
 * test_coord_restore.c - a coordinator restarted from persisted records.
 *
 * What a driver feeds back after a restart must come back as it was (deep
 * copies, id counters continuing), malformed records must be refused without
 * adding anything, and rc_coord_restore_done() must give every runner a full
 * grace period: no mass stale, removal or reassignment right after a restart.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_fixture.h"
#include "identity.h"
#include "unit.h"

#define T0 5000000 /* the restart happens long after the records were written */

static struct rc_runner_record runner_rec(const char *host, enum rc_runner_status status, int64_t last_heartbeat_ms)
{
	struct rc_runner_record r = {
		.hostname = (char *)host,
		.project_dir = "/proj",
		.executor_type = "test-executor",
		.instance_token = "token",
		.status = status,
		.registered_at_ms = 100,
		.last_heartbeat_ms = last_heartbeat_ms,
		.session = 4,
		.max_concurrency = 1,
	};
	rc_identity_runner_id(host, "/proj", "test-executor", r.id);
	return r;
}

static struct rc_task task_rec(uint64_t id, enum rc_task_state state, const char *runner_id, int attempt)
{
	struct rc_task t = { .id = id, .kind = "build", .payload = "{}", .state = state, .attempt = attempt };
	if (runner_id)
		strcpy(t.runner_id, runner_id);
	if (state == RC_TASK_COMPLETED)
		t.result = "ok";
	return t;
}

static void test_malformed_records_are_refused(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_runner_record good = runner_rec("a", RC_RUNNER_ONLINE, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &good), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &good), -1); /* duplicate */

	struct rc_runner_record bad[6];
	for (int i = 0; i < 6; i++)
		bad[i] = runner_rec("b", RC_RUNNER_ONLINE, 0);
	strcpy(bad[0].id, "lnch_XYZ");                /* not an id */
	strcpy(bad[1].id, "lnch_000000000000");       /* not the id of its properties */
	bad[2].hostname = "";
	bad[3].instance_token = NULL;
	bad[4].session = 0;
	bad[5].status = RC_RUNNER_REMOVED;
	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &bad[i]), -1);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 1);

	struct rc_task t = task_rec(3, RC_TASK_QUEUED, NULL, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), -1); /* duplicate */
	struct rc_task bad_tasks[4] = {
		task_rec(0, RC_TASK_QUEUED, NULL, 0),           /* id 0 */
		task_rec(4, RC_TASK_RUNNING, NULL, 1),          /* running without owner */
		task_rec(5, RC_TASK_RUNNING, good.id, 0),       /* running attempt 0 */
		task_rec(6, (enum rc_task_state)9, NULL, 0),    /* no such state */
	};
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &bad_tasks[i]), -1);
	t = task_rec(7, RC_TASK_QUEUED, NULL, 0);
	t.kind = "";
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), -1);
	/* Attempts beyond max_attempts (3 by default): a claim would add one
	 * more, and near INT_MAX overflow. */
	struct rc_task over[3] = {
		task_rec(8, RC_TASK_QUEUED, NULL, 3),
		task_rec(9, RC_TASK_RUNNING, good.id, 4),
		task_rec(10, RC_TASK_QUEUED, NULL, INT_MAX),
	};
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &over[i]), -1);
	CU_ASSERT_EQUAL(rc_coord_task_count(f.c), 1);

	struct rc_sandbox s = { .id = 2, .status = RC_SANDBOX_RUNNING };
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &s), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &s), -1);
	struct rc_sandbox bad_s[3] = { { .id = 0 }, { .id = 3, .status = RC_SANDBOX_STATUS_COUNT },
				       { .id = 4, .runner_id = "someone" } };
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &bad_s[i]), -1);
	CU_ASSERT_EQUAL(rc_coord_sandbox_count(f.c), 1);
	cf_free(&f);
}

static void expect_refusal(struct cf *f, int rc, const char *field, const char *why)
{
	CU_ASSERT_EQUAL(rc, -1);
	struct rc_restore_refusal r = rc_coord_restore_refusal(f->c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.field);
	CU_ASSERT_STRING_EQUAL(r.field, field);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.why);
	if (!strstr(r.why, why))
		fprintf(stderr, "\n%s: why \"%s\", want \"%s\"\n", field, r.why, why);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.why, why));
}

/* A driver names the stored column of a refused record (coordd: table, row
 * and column) from the member the core names, and says why. Times must be
 * instants the runners list can write: one far outside came back as null in
 * GET /runners. */
static void test_refusals_name_the_member(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_runner_record r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	r.registered_at_ms = -9000000000000000LL;
	expect_refusal(&f, rc_coord_restore_runner(f.c, &r), "registered_at_ms", "years 0000..9999");
	r = runner_rec("a", RC_RUNNER_ONLINE, INT64_MAX);
	expect_refusal(&f, rc_coord_restore_runner(f.c, &r), "last_heartbeat_ms", "years 0000..9999");
	r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	r.max_concurrency = 65;
	expect_refusal(&f, rc_coord_restore_runner(f.c, &r), "max_concurrency", "1..64");
	r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	r.project_dir = "";
	expect_refusal(&f, rc_coord_restore_runner(f.c, &r), "project_dir", "empty");
	r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &r), 0);
	CU_ASSERT_PTR_NULL(rc_coord_restore_refusal(f.c).field); /* a success leaves none behind */
	expect_refusal(&f, rc_coord_restore_runner(f.c, &r), "id", "twice");
	expect_refusal(&f, rc_coord_restore_session(f.c, 0), "session", "1..2^63-1");

	struct rc_task t = task_rec(1, RC_TASK_QUEUED, NULL, 3);
	expect_refusal(&f, rc_coord_restore_task(f.c, &t), "attempt", "no attempt");
	t = task_rec(1, RC_TASK_COMPLETED, "someone", 1);
	expect_refusal(&f, rc_coord_restore_task(f.c, &t), "runner_id", "neither empty nor a runner id");
	t = task_rec(1, RC_TASK_QUEUED, NULL, 0);
	t.finished_at_ms = INT64_MIN;
	expect_refusal(&f, rc_coord_restore_task(f.c, &t), "finished_at_ms", "years 0000..9999");
	t.finished_at_ms = 0;
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), 0);

	struct rc_sandbox s = { .id = 1, .status = RC_SANDBOX_PENDING, .task_id = 9 };
	expect_refusal(&f, rc_coord_restore_sandbox(f.c, &s), "task_id", "no restored task");
	s.task_id = 1;
	s.created_at_ms = 253402300800000LL; /* 10000-01-01 */
	expect_refusal(&f, rc_coord_restore_sandbox(f.c, &s), "created_at_ms", "years 0000..9999");
	s.created_at_ms = 253402300799999LL; /* the last instant of 9999 */
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &s), 0);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c) + rc_coord_task_count(f.c) + rc_coord_sandbox_count(f.c), 3);
	cf_free(&f);
}

/* A sandbox bound to a task the store does not hold (a damaged store) is
 * refused: kept, it would be handed to whatever task is next given that id,
 * and follow that task's runner. */
static void test_sandbox_of_a_missing_task_is_refused(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_task t = task_rec(1, RC_TASK_QUEUED, NULL, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), 0);
	struct rc_sandbox bound = { .id = 1, .status = RC_SANDBOX_PENDING, .task_id = 1 };
	struct rc_sandbox orphan = { .id = 2, .status = RC_SANDBOX_PENDING, .task_id = 2 };
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &bound), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &orphan), -1);
	CU_ASSERT_EQUAL(rc_coord_sandbox_count(f.c), 1);
	CU_ASSERT_PTR_NULL(rc_coord_find_sandbox(f.c, 2));
	rc_coord_restore_done(f.c, T0, &f.ob);
	CU_ASSERT_EQUAL(cf_submit(&f, T0), 2); /* the id the orphan named */
	CU_ASSERT_EQUAL(cf_sandbox(&f, T0, 2), 2);
	cf_free(&f);
}

/* Ids and sessions are 1..RC_MAX_ID (signed 64-bit JSON integers on the
 * wire): a larger one, or a sandbox bound to one, is refused at restore. */
static void test_ids_beyond_the_wire_are_refused(void)
{
	struct cf f;
	cf_init(&f, NULL);
	const uint64_t over = (uint64_t)RC_MAX_ID + 1;
	struct rc_task t = task_rec(over, RC_TASK_QUEUED, NULL, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), -1);
	struct rc_sandbox bad_s[2] = { { .id = over }, { .id = 1, .task_id = over } };
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &bad_s[i]), -1);
	struct rc_runner_record r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	r.session = over;
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &r), -1);
	CU_ASSERT_EQUAL(rc_coord_task_count(f.c) + rc_coord_sandbox_count(f.c) + rc_coord_runner_count(f.c), 0);
	cf_free(&f);
}

/* Restored at the top of the range, the next create has no id left: it is
 * refused with 503 instead of handing out an id the wire cannot carry. */
static void test_exhausted_ids_refuse_the_create(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_task t = task_rec(RC_MAX_ID, RC_TASK_QUEUED, NULL, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t), 0);
	struct rc_sandbox s = { .id = RC_MAX_ID, .status = RC_SANDBOX_PENDING };
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &s), 0);
	struct rc_runner_record r = runner_rec("a", RC_RUNNER_ONLINE, 0);
	r.session = RC_MAX_ID;
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &r), 0);
	rc_coord_restore_done(f.c, T0, &f.ob);

	struct rc_msg submit = { .op = RC_OP_TASK_SUBMIT, .kind = "build" };
	CF_EXPECT_REFUSED(&f, T0, &submit, RC_STATUS_UNAVAILABLE, "ids_exhausted");
	struct rc_msg create = { .op = RC_OP_SANDBOX_CREATE };
	CF_EXPECT_REFUSED(&f, T0, &create, RC_STATUS_UNAVAILABLE, "ids_exhausted");
	struct rc_msg reg = cf_register_msg("b", "tok");
	CF_EXPECT_REFUSED(&f, T0, &reg, RC_STATUS_UNAVAILABLE, "ids_exhausted");
	cf_free(&f);
}

/* A session of a record removed before the restart still bounds the next
 * ones, even with the clock now below it; one the wire cannot carry is
 * refused. */
static void test_stored_sessions_bound_new_ones(void)
{
	struct cf f;
	cf_init(&f, NULL);
	const uint64_t removed = (uint64_t)T0 + 3600000; /* issued while the clock stood an hour later */
	CU_ASSERT_EQUAL(rc_coord_restore_session(f.c, 0), -1);
	CU_ASSERT_EQUAL(rc_coord_restore_session(f.c, (uint64_t)RC_MAX_ID + 1), -1);
	CU_ASSERT_EQUAL(rc_coord_restore_session(f.c, removed), 0);
	rc_coord_restore_done(f.c, T0, &f.ob);
	struct cf_runner a = cf_register(&f, T0, "a");
	CU_ASSERT_EQUAL(a.session, removed + 1);
	cf_free(&f);
}

static void test_records_come_back_as_they_were(void)
{
	struct cf f;
	cf_init(&f, NULL);
	char host[] = "a";
	struct rc_runner_record r = runner_rec(host, RC_RUNNER_STALE, 42);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &r), 0);
	host[0] = 'z'; /* the coordinator kept its own copy */
	const struct rc_runner_record *got = rc_coord_find_runner(f.c, r.id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got->hostname, "a");
	CU_ASSERT_EQUAL(got->session, 4);
	CU_ASSERT_EQUAL(got->registered_at_ms, 100);

	/* Out of order on purpose: the tables stay sorted by id. */
	struct rc_task t9 = task_rec(9, RC_TASK_COMPLETED, r.id, 1);
	struct rc_task t4 = task_rec(4, RC_TASK_QUEUED, NULL, 1);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t9), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &t4), 0);
	CU_ASSERT_EQUAL(rc_coord_task_at(f.c, 0)->id, 4);
	CU_ASSERT_EQUAL(rc_coord_task_at(f.c, 1)->id, 9);
	CU_ASSERT_STRING_EQUAL(rc_coord_find_task(f.c, 9)->result, "ok");
	CU_ASSERT_PTR_NOT_EQUAL(rc_coord_find_task(f.c, 9)->kind, t9.kind);
	struct rc_sandbox s = { .id = 5, .status = RC_SANDBOX_STARTING, .task_id = 4, .container_id = "ctr" };
	CU_ASSERT_EQUAL(rc_coord_restore_sandbox(f.c, &s), 0);

	rc_outbox_clear(&f.ob);
	rc_coord_restore_done(f.c, T0, &f.ob);
	/* New ids continue after the highest restored one. */
	CU_ASSERT_EQUAL(cf_submit(&f, T0), 10);
	CU_ASSERT_EQUAL(cf_sandbox(&f, T0, 0), 6);
	cf_free(&f);
}

/* After a restart every runner gets a full grace period, even one persisted
 * as stale or with a heartbeat far in the past. */
static void test_restore_gives_full_grace(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_runner_record a = runner_rec("a", RC_RUNNER_ONLINE, 1000);
	struct rc_runner_record b = runner_rec("b", RC_RUNNER_STALE, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &a), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &b), 0);
	f.names[0] = (struct cf_runner){ .name = "a", .session = 4 };
	f.names[1] = (struct cf_runner){ .name = "b", .session = 4 };
	strcpy(f.names[0].id, a.id);
	strcpy(f.names[1].id, b.id);
	f.n_names = 2;

	rc_outbox_clear(&f.ob);
	rc_coord_restore_done(f.c, T0, &f.ob);
	/* Only b's status moved; a's fresh heartbeat time is not worth a write. */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status b stale>online; runner-saved b");
	size_t pos = 0, seen = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(f.c, &pos)); seen++) {
		CU_ASSERT_EQUAL(r->status, RC_RUNNER_ONLINE);
		CU_ASSERT_EQUAL(r->last_heartbeat_ms, T0);
	}
	CU_ASSERT_EQUAL(seen, 2);
	CU_ASSERT_EQUAL(rc_coord_deadline(f.c), T0 + 10000); /* timers restart from now */

	CU_ASSERT_EQUAL(cf_heartbeat(&f, T0 + 1, &f.names[0]), RC_STATUS_OK); /* a keeps its session */
	cf_run_until(&f, T0 + 119999);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_RUNNER_STATUS), 0);
	cf_tick(&f, T0 + 120000); /* the sweep grid restarted at T0 too */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status b online>stale; runner-saved b");
	cf_free(&f);
}

static void test_running_tasks_after_restore(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_runner_record a = runner_rec("a", RC_RUNNER_ONLINE, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &a), 0);
	struct rc_task on_a = task_rec(1, RC_TASK_RUNNING, a.id, 2);
	on_a.confirmed = true;
	struct rc_task orphan = task_rec(2, RC_TASK_RUNNING, "lnch_000000000000", 1); /* owner not restored */
	struct rc_task queued = task_rec(3, RC_TASK_QUEUED, NULL, 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &on_a), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &orphan), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_task(f.c, &queued), 0);
	rc_outbox_clear(&f.ob);
	rc_coord_restore_done(f.c, T0, &f.ob);
	struct cf_runner ra = { .name = "a", .session = 4 };
	strcpy(ra.id, a.id);
	f.names[0] = ra;
	f.n_names = 1;
	CU_ASSERT_EQUAL(rc_coord_find_runner(f.c, a.id)->running, 1); /* recounted */

	/* a is full (max_concurrency 1): nothing more for it. */
	CU_ASSERT_EQUAL(cf_claim(&f, T0, &ra, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.n_grants, 0);

	/* The first monitor tick requeues the orphan, not a's attempt. */
	cf_tick(&f, T0 + 10000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "task-state 2 a1 lnch_000000000000 running>queued; task-saved 2");
	/* a's attempt is still its own: it may complete it. */
	CU_ASSERT_EQUAL(cf_complete(&f, T0 + 11000, &ra, 1, 2, true, "done"), RC_STATUS_OK);
	/* The restored queue comes first, the requeued orphan behind it. */
	CU_ASSERT_EQUAL(cf_claim(&f, T0 + 12000, &ra, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 3);
	CU_ASSERT_EQUAL(cf_complete(&f, T0 + 13000, &ra, 3, 1, true, "done"), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_claim(&f, T0 + 14000, &ra, 1), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.grants[0].task_id, 2);
	CU_ASSERT_EQUAL(f.reply.grants[0].attempt, 2);
	cf_free(&f);
}

void rc_test_register_coord_restore(void)
{
	static CU_TestInfo tests[] = {
		{ "ids beyond the wire are refused", test_ids_beyond_the_wire_are_refused },
		{ "exhausted ids refuse the create", test_exhausted_ids_refuse_the_create },
		{ "malformed records refused, nothing added", test_malformed_records_are_refused },
		{ "refusals name the member and why", test_refusals_name_the_member },
		{ "a sandbox of a missing task is refused", test_sandbox_of_a_missing_task_is_refused },
		{ "stored sessions bound the new ones", test_stored_sessions_bound_new_ones },
		{ "records come back as they were; ids continue", test_records_come_back_as_they_were },
		{ "restore gives every runner a full grace period", test_restore_gives_full_grace },
		{ "running tasks and counts after restore", test_running_tasks_after_restore },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("coord_restore", tests);
}
