/*
 * test_sim_behaviours.c - the named behaviours of DESIGN.md, observed in the
 * trace of a simulated run with the real cores: stale after 2 min, removal
 * after 10 min, an ID stable across restarts, timeout reassignment, the
 * restart schedule of a crashing process, SIGTERM then SIGKILL on a drain,
 * the error statuses of scripted requests, and a liveness check that fails
 * when it should (and the violations it finds, printed).
 */
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "sim_fixture.h"
#include "unit.h"

static void assert_no_violation(const struct sf *f)
{
	CU_ASSERT_EQUAL(sim_violation_count(f->w), 0);
	if (sim_violation_count(f->w))
		fprintf(stderr, "\n  unexpected: %s: %s\n", sim_violation_at(f->w, 0)->name,
			sim_violation_at(f->w, 0)->message);
}

/* r0 dies at 100 s for good: stale within [120, 150) s of its last
 * heartbeat, removed within [600, 630) s. */
static void test_stale_after_2_min_removed_after_10(void)
{
	struct sf f;
	sf_init(&f, NULL, 2);
	sim_at_crash(f.w, 100000, f.r[0], -1);
	sim_run_until(f.w, 1000000);
	long stale = sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE);
	long removed = sf_status_change(&f, 0, f.r[0], RC_RUNNER_REMOVED);
	CU_ASSERT_TRUE_FATAL(stale >= 0 && removed > stale);
	int64_t last = sf_last_heartbeat_before(&f, f.r[0], (size_t)stale);
	CU_ASSERT_TRUE_FATAL(last > 0 && last <= 100000);
	int64_t stale_age = f.recs[stale].ev.at_ms - last, removed_age = f.recs[removed].ev.at_ms - last;
	CU_ASSERT_TRUE(stale_age >= 120000 && stale_age < 150000);
	CU_ASSERT_TRUE(removed_age >= 600000 && removed_age < 630000);
	CU_ASSERT_PTR_NULL(rc_coord_find_runner(sim_coord(f.w), sim_runner_node_id(f.w, f.r[0])));
	CU_ASSERT_EQUAL(sf_status_change(&f, 0, f.r[1], RC_RUNNER_STALE), -1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A restarted runner gets the same ID (the one its properties give),
 * reconnects to its record (registered_at kept) and opens a new session. */
static void test_id_stable_across_restarts(void)
{
	struct sf f;
	sf_init(&f, NULL, 1);
	sim_run_until(f.w, 60000);
	const char *id = sim_runner_node_id(f.w, f.r[0]);
	char expected[RC_RUNNER_ID_BUF];
	CU_ASSERT_EQUAL_FATAL(rc_identity_runner_id("host0", "/proj", "test-executor", expected), 0);
	CU_ASSERT_STRING_EQUAL(id, expected);
	CU_ASSERT_STRING_EQUAL(rc_runner_id(sim_runner_core(f.w, f.r[0])), id);
	const struct rc_runner_record *r = rc_coord_find_runner(sim_coord(f.w), id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int64_t registered_at = r->registered_at_ms;
	uint64_t first_session = r->session;
	for (int i = 0; i < 3; i++)
		sim_at_crash(f.w, 100000 + 100000 * i, f.r[0], 30000);
	sim_run_until(f.w, 500000);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_NODE, "r0", "restart", RC_OP_NONE), 3);
	CU_ASSERT_STRING_EQUAL(rc_runner_id(sim_runner_core(f.w, f.r[0])), id);
	CU_ASSERT_EQUAL(rc_coord_runner_count(sim_coord(f.w)), 1);
	r = rc_coord_find_runner(sim_coord(f.w), id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->registered_at_ms, registered_at);
	CU_ASSERT_TRUE(r->session > first_session); /* three reconnections, three new sessions */
	CU_ASSERT_EQUAL(rc_runner_session(sim_runner_core(f.w, f.r[0])), r->session);
	assert_no_violation(&f);
	sf_free(&f);
}

/* The runner holding a long task is cut off: the monitor takes the task
 * back more than 60 s and at most 70 s after its last heartbeat, the other
 * runner claims attempt 2 and completes it. */
static void test_timeout_reassignment(void)
{
	struct sf f;
	sf_init(&f, NULL, 2);
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "long";
	t.duration_ms = 300000;
	CU_ASSERT_TRUE_FATAL(sim_at_submit_task(f.w, 30000, &t) >= 0);
	sim_run_until(f.w, 60000);
	uint64_t id = sim_task_id(f.w, "long");
	CU_ASSERT_TRUE_FATAL(id > 0);
	const struct rc_task *task = rc_coord_find_task(sim_coord(f.w), id);
	CU_ASSERT_TRUE_FATAL(task && task->state == RC_TASK_RUNNING && task->attempt == 1);
	int holder = strcmp(task->runner_id, sim_runner_node_id(f.w, f.r[0])) == 0 ? f.r[0] : f.r[1];
	int other = holder == f.r[0] ? f.r[1] : f.r[0];
	sim_at_partition(f.w, 70000, &holder, 1, SIM_PART_BOTH);
	sim_run_until(f.w, 800000);
	long requeued = -1;
	for (size_t i = 0; i < f.n_recs && requeued < 0; i++)
		if (f.recs[i].ev.kind == SIM_EV_TASK_STATE && f.recs[i].ev.task_id == id &&
		    f.recs[i].ev.from == RC_TASK_RUNNING && f.recs[i].ev.to == RC_TASK_QUEUED)
			requeued = (long)i;
	CU_ASSERT_TRUE_FATAL(requeued >= 0);
	int64_t age = f.recs[requeued].ev.at_ms - sf_last_heartbeat_before(&f, holder, (size_t)requeued);
	CU_ASSERT_TRUE(age > 60000 && age <= 70000);
	task = rc_coord_find_task(sim_coord(f.w), id);
	CU_ASSERT_EQUAL(task->state, RC_TASK_COMPLETED);
	CU_ASSERT_EQUAL(task->attempt, 2);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_PROC_START, sim_node_name(f.w, other), NULL, RC_OP_NONE), 1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A task whose process always fails: restarts 1, 2, 4, 8, 16 s after each
 * failure, given up after the fifth restart fails; the task fails. */
static void test_restart_schedule_of_a_failing_process(void)
{
	struct sf f;
	sf_init(&f, NULL, 1);
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "broken";
	t.fail = true;
	t.duration_ms = 200;
	sim_at_submit_task(f.w, 25000, &t);
	sim_run_until(f.w, 200000);
	int64_t starts[8];
	int n = 0;
	for (size_t i = 0; i < f.n_recs; i++)
		if (f.recs[i].ev.kind == SIM_EV_PROC_START && n < 8)
			starts[n++] = f.recs[i].ev.at_ms;
	CU_ASSERT_EQUAL_FATAL(n, 6);
	static const int64_t delays[] = { 1000, 2000, 4000, 8000, 16000 };
	for (int i = 1; i < n; i++)
		CU_ASSERT_EQUAL(starts[i] - starts[i - 1], 200 + delays[i - 1]);
	const struct rc_task *task = rc_coord_find_task(sim_coord(f.w), sim_task_id(f.w, "broken"));
	CU_ASSERT_EQUAL(task->state, RC_TASK_FAILED);
	assert_no_violation(&f);
	sf_free(&f);
}

/* One runner, a task "stubborn" that ignores SIGTERM, and a graceful stop of
 * the runner at 100 s while the task runs. */
static void stop_during_a_stubborn_task(struct sf *f)
{
	sf_init(f, NULL, 1);
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "stubborn";
	t.duration_ms = 600000;
	t.ignore_term = true;
	sim_at_submit_task(f->w, 25000, &t);
	sim_at_stop(f->w, 100000, f->r[0]);
}

/* Draining a runner whose task ignores SIGTERM: SIGTERM, SIGKILL 5 s later,
 * then deregistration; the task goes back to the queue. */
static void test_drain_term_then_kill(void)
{
	struct sf f;
	stop_during_a_stubborn_task(&f);
	sim_run_until(f.w, 200000);
	long term = sf_find(&f, 0, SIM_EV_PROC_SIGNAL, "r0", "term", RC_OP_NONE);
	long kill = sf_find(&f, 0, SIM_EV_PROC_SIGNAL, "r0", "kill", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(term >= 0 && kill > term);
	CU_ASSERT_EQUAL(f.recs[kill].ev.at_ms - f.recs[term].ev.at_ms, 5000);
	CU_ASSERT_TRUE(sf_find(&f, (size_t)kill, SIM_EV_REPLY, "coord", NULL, RC_OP_DEREGISTER) >= 0);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[0]), SIM_NODE_EXITED);
	const struct rc_task *task = rc_coord_find_task(sim_coord(f.w), sim_task_id(f.w, "stubborn"));
	CU_ASSERT_EQUAL(task->state, RC_TASK_QUEUED);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A start while the runner is still draining (its task ignores SIGTERM, so
 * the drain lasts the 5 s grace period) is kept and carried out once the
 * runner has exited. It used to be dropped: the runner stayed down. */
static void test_start_during_a_drain_waits_for_the_exit(void)
{
	struct sf f;
	stop_during_a_stubborn_task(&f);
	sim_at_start(f.w, 101000, f.r[0]);
	sim_run_until(f.w, 102000);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[0]), SIM_NODE_UP); /* still draining */
	sim_run_until(f.w, 200000);
	long exit = sf_find(&f, 0, SIM_EV_NODE, "r0", "exit", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(exit >= 0);
	long restart = sf_find(&f, (size_t)exit, SIM_EV_NODE, "r0", "restart", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(restart >= 0);
	CU_ASSERT_EQUAL(f.recs[restart].ev.at_ms, f.recs[exit].ev.at_ms);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[0]), SIM_NODE_UP);
	assert_no_violation(&f);
	sf_free(&f);
}

/* The same start arriving while the draining runner is paused (a fault's
 * restart during a GC pause of the drain) is kept too: it used to be
 * dropped, and the runner stayed down for the rest of the run. */
static void test_start_during_a_paused_drain_waits_for_the_exit(void)
{
	struct sf f;
	stop_during_a_stubborn_task(&f);
	sim_at_pause(f.w, 100500, f.r[0]);
	sim_at_start(f.w, 101000, f.r[0]);
	sim_at_resume(f.w, 103000, f.r[0]);
	sim_run_until(f.w, 200000);
	long exit = sf_find(&f, 0, SIM_EV_NODE, "r0", "exit", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(exit >= 0);
	CU_ASSERT_TRUE(sf_find(&f, (size_t)exit, SIM_EV_NODE, "r0", "restart", RC_OP_NONE) >= 0);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[0]), SIM_NODE_UP);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A crash with a restart (`restart r0`) of a node that is not running has
 * nothing to kill, but its start stands: a crashed, an exited and a
 * never-started runner are all up after it (each was left as it was). */
static void test_a_restart_starts_a_node_that_was_not_running(void)
{
	struct sf f;
	sf_init(&f, NULL, 3);
	sim_at_crash(f.w, 10000, f.r[0], -1);
	sim_at_crash(f.w, 20000, f.r[0], 0);
	sim_at_stop(f.w, 10000, f.r[1]);
	sim_at_crash(f.w, 30000, f.r[1], 0);
	sim_at_crash(f.w, 500, f.r[2], 1000); /* before its own start at 2 s */
	sim_run_until(f.w, 1600);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[2]), SIM_NODE_UP);
	sim_run_until(f.w, 40000);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[0]), SIM_NODE_UP);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[1]), SIM_NODE_UP);
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.r[2]), SIM_NODE_UP);
	long restart = sf_find(&f, 0, SIM_EV_NODE, "r0", "restart", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(restart >= 0);
	CU_ASSERT_EQUAL(f.recs[restart].ev.at_ms, 20000);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A secret rotation reaches the coordinator process itself, as a signal
 * would, not through its request queue: a paused coordinator takes it when
 * it resumes, so the old secret's grace runs from then (it used to run from
 * the rotation, while the coordinator could not even answer). r0 stays on
 * the old secret: its first 401 comes a grace after the resume. */
static void test_a_paused_coordinator_rotates_at_its_resume(void)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.coord.secret_grace_ms = 60000;
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_pause(f.w, 6000, f.coord);
	int rotate = sim_at_rotate_secret(f.w, 7000, "s3cret-2", false);
	sim_at_resume(f.w, 30000, f.coord);
	sim_run_until(f.w, 29999);
	CU_ASSERT_FALSE(sim_action_result(f.w, rotate)->applied);
	sim_run_until(f.w, 200000);
	CU_ASSERT_EQUAL(sim_action_result(f.w, rotate)->at_ms, 30000);
	long refused = sf_find(&f, 0, SIM_EV_REJECTED, NULL, NULL, RC_OP_HEARTBEAT);
	CU_ASSERT_TRUE_FATAL(refused >= 0);
	CU_ASSERT_EQUAL(f.recs[refused].ev.status, 401);
	CU_ASSERT_TRUE(f.recs[refused].ev.at_ms >= 90000);
	assert_no_violation(&f);
	sf_free(&f);
}

/* A rotation held by a paused coordinator that crashes instead is not lost:
 * it applies at the crash, and the restarted coordinator has the new secret
 * (a runner updated by the rotation registers with it). */
static void test_a_rotation_held_at_a_crash_applies(void)
{
	struct sf f;
	sf_init(&f, NULL, 1);
	sim_at_pause(f.w, 6000, f.coord);
	int rotate = sim_at_rotate_secret(f.w, 7000, "s3cret-2", true);
	sim_at_crash(f.w, 10000, f.coord, 1000);
	sim_at_crash(f.w, 12000, f.r[0], 1000);
	sim_run_until(f.w, 60000);
	CU_ASSERT_TRUE(sim_action_result(f.w, rotate)->applied);
	CU_ASSERT_EQUAL(sim_action_result(f.w, rotate)->at_ms, 10000);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_REJECTED, NULL, NULL, RC_OP_NONE), 0);
	CU_ASSERT_EQUAL(rc_coord_runner_count(sim_coord(f.w)), 1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* The liveness windows are promises of a running coordinator's sweep: an
 * explicit check while it is paused has nothing to judge (it used to report
 * r0 still online long after its last heartbeat). After the resume the sweep
 * catches up and the check holds again. */
static void test_an_explicit_check_skips_a_paused_coordinator(void)
{
	struct sf f;
	sf_init(&f, NULL, 1);
	sim_at_pause(f.w, 6000, f.coord);
	sim_run_until(f.w, 400000);
	sim_check_now(f.w);
	assert_no_violation(&f);
	sim_at_resume(f.w, 400001, f.coord);
	sim_run_until(f.w, 400100);
	sim_check_now(f.w);
	assert_no_violation(&f);
	sf_free(&f);
}

static int raw(struct sf *f, int64_t at, enum rc_op op, const char *secret_or_null, bool current_secret,
	       const char *host)
{
	struct sim_raw_request req;
	sim_raw_request_defaults(&req);
	req.msg.op = op;
	req.msg.hostname = host;
	req.msg.project_dir = "/proj";
	req.msg.executor_type = "test-executor";
	req.msg.instance_token = "tok";
	req.msg.secret = secret_or_null;
	req.secret_mode = current_secret ? SIM_SECRET_CURRENT : SIM_SECRET_AS_GIVEN;
	return sim_at_raw_request(f->w, at, &req);
}

/* Scripted requests observe the error statuses of DESIGN.md. */
static void test_scripted_requests_get_their_statuses(void)
{
	struct sf f;
	sf_init(&f, NULL, 2);
	int missing = raw(&f, 5000, RC_OP_REGISTER, NULL, true, NULL);
	int wrong = raw(&f, 5000, RC_OP_REGISTER, "nope", false, "hostz");
	int absent = raw(&f, 5000, RC_OP_REGISTER, NULL, false, "hostz");
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "job";
	t.duration_ms = 120000;
	sim_at_submit_task(f.w, 10000, &t);
	sim_at_sandbox_create(f.w, 11000, "box", "job");
	int no_header = sim_at_sandbox_report(f.w, 60000, "box", -1, "creating", NULL);
	int unknown = sim_at_sandbox_report(f.w, 60000, "nosuch", f.r[0], "creating", NULL);
	sim_run_until(f.w, 59000);
	const struct rc_task *task = rc_coord_find_task(sim_coord(f.w), sim_task_id(f.w, "job"));
	CU_ASSERT_TRUE_FATAL(task && task->state == RC_TASK_RUNNING);
	int owner = strcmp(task->runner_id, sim_runner_node_id(f.w, f.r[0])) == 0 ? f.r[0] : f.r[1];
	int stranger = owner == f.r[0] ? f.r[1] : f.r[0];
	int forbidden = sim_at_sandbox_report(f.w, 61000, "box", stranger, "creating", NULL);
	int ok = sim_at_sandbox_report(f.w, 62000, "box", owner, "creating", "c-1");
	int conflict = sim_at_sandbox_report(f.w, 63000, "box", owner, "running", NULL);
	sim_run_until(f.w, 70000);
	CU_ASSERT_EQUAL(sim_action_result(f.w, missing)->status, 422);
	CU_ASSERT_STRING_EQUAL(sim_action_result(f.w, missing)->fields[0], "hostname");
	CU_ASSERT_EQUAL(sim_action_result(f.w, wrong)->status, 401);
	CU_ASSERT_EQUAL(sim_action_result(f.w, absent)->status, 401);
	CU_ASSERT_EQUAL(sim_action_result(f.w, no_header)->status, 400);
	CU_ASSERT_EQUAL(sim_action_result(f.w, unknown)->status, 404);
	CU_ASSERT_EQUAL(sim_action_result(f.w, forbidden)->status, 403);
	CU_ASSERT_EQUAL(sim_action_result(f.w, ok)->status, 200);
	CU_ASSERT_EQUAL(sim_action_result(f.w, conflict)->status, 409);
	CU_ASSERT_STRING_EQUAL(sim_action_result(f.w, conflict)->error_code, "illegal_transition");
	const struct rc_sandbox *box = rc_coord_find_sandbox(sim_coord(f.w), sim_sandbox_id(f.w, "box"));
	CU_ASSERT_TRUE_FATAL(box != NULL);
	CU_ASSERT_EQUAL(box->status, RC_SANDBOX_CREATING);
	CU_ASSERT_EQUAL(rc_coord_runner_count(sim_coord(f.w)), 2); /* nothing created by the refusals */
	assert_no_violation(&f);
	sf_free(&f);
}

/* A raw request's runner ID reaches the coordinator as written: one longer
 * than an ID (a real ID and three more characters) is unknown, as it is
 * to the core called directly. It used to be cut to an ID's length on the
 * way, and the heartbeat was accepted. */
static void test_an_over_long_runner_id_is_not_cut(void)
{
	struct sf f;
	sf_init(&f, NULL, 1);
	sim_run_until(f.w, 5000);
	char longer[RC_RUNNER_ID_BUF + 8];
	snprintf(longer, sizeof longer, "%sXYZ", sim_runner_node_id(f.w, f.r[0]));
	struct sim_raw_request req;
	sim_raw_request_defaults(&req);
	req.msg.op = RC_OP_HEARTBEAT;
	req.msg.runner_id = longer;
	req.msg.session = rc_runner_session(sim_runner_core(f.w, f.r[0]));
	req.secret_mode = SIM_SECRET_CURRENT;
	int longer_id = sim_at_raw_request(f.w, 6000, &req);
	req.msg.runner_id = sim_runner_node_id(f.w, f.r[0]);
	int exact_id = sim_at_raw_request(f.w, 6000, &req);
	sim_run_until(f.w, 7000);
	CU_ASSERT_EQUAL(sim_action_result(f.w, longer_id)->status, 404);
	CU_ASSERT_STRING_EQUAL(sim_action_result(f.w, longer_id)->error_code, "unknown_runner");
	CU_ASSERT_EQUAL(sim_action_result(f.w, exact_id)->status, 200);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Two runners, r1 cut off both ways from 60 s, liveness checked at each of
 * at_ms[0..n), every violation kept; run to 500 s. */
static void cut_off_with_checks(struct sf *f, const int64_t *at_ms, size_t n)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.collect_all = true;
	sf_init(f, &cfg, 2);
	sim_at_partition(f->w, 60000, &f->r[1], 1, SIM_PART_BOTH);
	for (size_t i = 0; i < n; i++)
		sim_at_expect_liveness(f->w, at_ms[i]);
	sim_run_until(f->w, 500000);
}

/* The liveness check can fail: a runner still cut off when it runs. */
static void test_liveness_fails_while_partitioned(void)
{
	struct sf f;
	cut_off_with_checks(&f, (const int64_t[]){ 50000, 400000 }, 2);
	CU_ASSERT_EQUAL_FATAL(sim_violation_count(f.w), 1);
	const struct sim_violation *v = sim_violation_at(f.w, 0);
	CU_ASSERT_STRING_EQUAL(v->name, "liveness");
	CU_ASSERT_EQUAL(v->at_ms, 400000);
	CU_ASSERT_TRUE_FATAL(v->n_history > 0);
	/* the history names its nodes (resolved when it is printed) */
	bool named = false;
	for (size_t i = 0; i < v->n_history; i++)
		named |= strstr(v->history[i], "\"node\":\"coord\"") || strstr(v->history[i], "\"node\":\"r");
	CU_ASSERT_TRUE(named);
	CU_ASSERT_PTR_NOT_NULL(strstr(v->message, "1 live runner(s) not online"));
	sf_free(&f);
}

/* Counts lines of text starting with prefix. */
static size_t count_lines_starting(const char *text, const char *prefix)
{
	size_t n = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* 25 failing liveness checks, 20 printed: the list says 5 more were found
 * (it once just stopped at 20, while the summary counted 25). */
static void test_violations_beyond_the_printed_ones_are_counted(void)
{
	int64_t checks[25];
	for (int i = 0; i < 25; i++)
		checks[i] = 400000 + 1000 * i;
	struct sf f;
	cut_off_with_checks(&f, checks, 25);
	CU_ASSERT_EQUAL_FATAL(sim_violation_count(f.w), 25);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	sim_violations_print(out, f.w, 20, 1);
	fclose(out);
	CU_ASSERT_EQUAL(count_lines_starting(text, "VIOLATION liveness at "), 20);
	CU_ASSERT_EQUAL(count_lines_starting(text, "    {"), 20); /* one history line each */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n... and 5 more violation(s) not printed\n"));
	free(text);
	/* all shown: no such line */
	out = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	sim_violations_print(out, f.w, 25, 0);
	fclose(out);
	CU_ASSERT_EQUAL(count_lines_starting(text, "VIOLATION "), 25);
	CU_ASSERT_PTR_NULL(strstr(text, "more violation(s)"));
	free(text);
	sf_free(&f);
}

/* A runner cut off until a liveness check fails; its trace is returned
 * (malloc'd), the world kept in *f. */
static char *cut_off_run(struct sf *f, bool history)
{
	char *trace;
	size_t trace_len;
	struct sim_config cfg;
	FILE *sink = sf_trace_to_memory(&cfg, &trace, &trace_len);
	cfg.no_history = !history;
	sf_init(f, &cfg, 2);
	sim_at_partition(f->w, 60000, &f->r[1], 1, SIM_PART_BOTH);
	sim_at_expect_liveness(f->w, 400000);
	sim_run_until(f->w, 500000);
	fclose(sink);
	return trace;
}

/* A violation's history is the trace's last records before it, line for
 * line; and keeping a history changes no record. Most records are made in
 * place in the history ring (see sim_record), so a record that kept a field
 * of the one it replaced, or landed in the wrong entry, shows here. */
static void test_violation_history_is_the_trace_tail(void)
{
	struct sf f, plain;
	char *trace = cut_off_run(&f, true);
	char *without = cut_off_run(&plain, false);
	CU_ASSERT_STRING_EQUAL(trace, without);
	CU_ASSERT_EQUAL_FATAL(sim_violation_count(f.w), 1);
	const struct sim_violation *v = sim_violation_at(f.w, 0);
	CU_ASSERT_TRUE_FATAL(v->n_history == 32); /* the default history_len: the ring went round */
	char *lines[4096];
	size_t n = 0;
	for (char *line = strtok(trace, "\n"); line && n < 4096; line = strtok(NULL, "\n"))
		lines[n++] = line;
	size_t at = n;
	while (at > 0 && !strstr(lines[at - 1], "\"kind\":\"violation\""))
		at--;
	CU_ASSERT_TRUE_FATAL(at > v->n_history);
	at--; /* the violation's own line: the history ends just before it */
	for (size_t i = 0; i < v->n_history; i++)
		CU_ASSERT_STRING_EQUAL(v->history[i], lines[at - v->n_history + i]);
	sf_free(&f);
	sf_free(&plain);
	free(trace);
	free(without);
}

void rc_test_register_sim_behaviours(void)
{
	static CU_TestInfo tests[] = {
		{ "stale after 2 min, removed after 10", test_stale_after_2_min_removed_after_10 },
		{ "a violation's history is the trace's tail", test_violation_history_is_the_trace_tail },
		{ "ID stable across restarts", test_id_stable_across_restarts },
		{ "timeout reassignment", test_timeout_reassignment },
		{ "restart schedule of a failing process", test_restart_schedule_of_a_failing_process },
		{ "drain: SIGTERM then SIGKILL", test_drain_term_then_kill },
		{ "a start during a drain waits for the exit", test_start_during_a_drain_waits_for_the_exit },
		{ "a start during a paused drain waits for the exit", test_start_during_a_paused_drain_waits_for_the_exit },
		{ "a restart starts a node that was not running", test_a_restart_starts_a_node_that_was_not_running },
		{ "scripted requests get their statuses", test_scripted_requests_get_their_statuses },
		{ "an over-long runner ID is not cut", test_an_over_long_runner_id_is_not_cut },
		{ "liveness fails while partitioned", test_liveness_fails_while_partitioned },
		{ "violations beyond the printed ones are counted", test_violations_beyond_the_printed_ones_are_counted },
		{ "a paused coordinator rotates at its resume", test_a_paused_coordinator_rotates_at_its_resume },
		{ "a rotation held at a crash applies", test_a_rotation_held_at_a_crash_applies },
		{ "an explicit check skips a paused coordinator", test_an_explicit_check_skips_a_paused_coordinator },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("sim_behaviours", tests);
}
