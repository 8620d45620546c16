/*
 * test_sim_net.c - the simulated network with the real cores on it:
 * partitions (both ways and one-way), drop/delay of the next messages,
 * loss and duplication rates, requests held by a paused coordinator, as the
 * trace and the registry show them.
 */
#include <string.h>

#include "sim_fixture.h"
#include "unit.h"

static struct sim_config quiet_config(void)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = 3;
	return cfg;
}

static void assert_no_violation(const struct sf *f)
{
	CU_ASSERT_EQUAL(sim_violation_count(f->w), 0);
	if (sim_violation_count(f->w))
		fprintf(stderr, "\n  unexpected: %s: %s\n", sim_violation_at(f->w, 0)->name,
			sim_violation_at(f->w, 0)->message);
}

/* r0 cut off both ways for 5 minutes: its requests are lost, it goes stale
 * within [120, 150) s of its last heartbeat, and comes back online after
 * the heal; r1 is untouched. */
static void test_partition_both_ways(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 2);
	int part = sim_at_partition(f.w, 60000, &f.r[0], 1, SIM_PART_BOTH);
	CU_ASSERT_TRUE_FATAL(part >= 0);
	CU_ASSERT_TRUE(sim_at_heal(f.w, 360000, part) >= 0);
	sim_run_until(f.w, 600000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DROP, "r0", "partition", RC_OP_HEARTBEAT) >= 3);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_DROP, "r1", "partition", RC_OP_NONE), 0);
	long stale = sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE);
	CU_ASSERT_TRUE_FATAL(stale >= 0);
	int64_t last = sf_last_heartbeat_before(&f, f.r[0], (size_t)stale);
	int64_t age = f.recs[stale].ev.at_ms - last;
	CU_ASSERT_TRUE(age >= 120000 && age < 150000);
	long back = sf_status_change(&f, (size_t)stale, f.r[0], RC_RUNNER_ONLINE);
	CU_ASSERT_TRUE(back >= 0 && f.recs[back].ev.at_ms >= 360000);
	CU_ASSERT_EQUAL(sf_status_change(&f, 0, f.r[1], RC_RUNNER_STALE), -1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* One-way, into r0: its heartbeats still reach the coordinator (so it stays
 * online) but no reply reaches it (so it sees transport failures). */
static void test_partition_one_way_in(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	int part = sim_at_partition(f.w, 60000, &f.r[0], 1, SIM_PART_IN);
	sim_at_heal(f.w, 400000, part);
	sim_run_until(f.w, 500000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DROP, "coord", "partition", RC_OP_HEARTBEAT) >= 3);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_TRANSPORT_FAIL, "r0", "timeout", RC_OP_HEARTBEAT) >= 3);
	CU_ASSERT_EQUAL(sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE), -1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* One-way, out of r0: nothing it sends arrives; it goes stale. */
static void test_partition_one_way_out(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_partition(f.w, 60000, &f.r[0], 1, SIM_PART_OUT);
	sim_run_until(f.w, 300000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DROP, "r0", "partition", RC_OP_HEARTBEAT) >= 3);
	CU_ASSERT_TRUE(sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE) >= 0);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Dropping the next heartbeat: exactly one is lost, and one lost heartbeat
 * changes nothing. */
static void test_drop_next_heartbeat(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	CU_ASSERT_TRUE(sim_at_drop_next(f.w, 30000, f.r[0], f.coord, RC_OP_HEARTBEAT, 1) >= 0);
	CU_ASSERT_EQUAL(sim_at_drop_next(f.w, 30000, f.r[0], f.r[0], RC_OP_HEARTBEAT, 1), -1);
	sim_run_until(f.w, 400000);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_DROP, "r0", "rule", RC_OP_NONE), 1);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_DROP, "r0", "rule", RC_OP_HEARTBEAT), 1);
	CU_ASSERT_EQUAL(sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE), -1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Delaying the next heartbeat reply by 3 s: it arrives 3 s plus the link
 * latency after it was sent. */
static void test_delay_next_reply(void)
{
	struct sim_config cfg = quiet_config();
	cfg.net.jitter_ms = 0;
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_delay_next(f.w, 30000, f.coord, f.r[0], RC_OP_HEARTBEAT, 1, 3000);
	sim_run_until(f.w, 100000);
	long rule = sf_find(&f, 0, SIM_EV_ACTION, NULL, "delay-next", RC_OP_NONE);
	CU_ASSERT_TRUE_FATAL(rule >= 0);
	long sent = sf_find(&f, (size_t)rule, SIM_EV_SEND, "coord", NULL, RC_OP_HEARTBEAT);
	CU_ASSERT_TRUE_FATAL(sent >= 0);
	long got = sf_find(&f, (size_t)sent, SIM_EV_DELIVER, "r0", NULL, RC_OP_HEARTBEAT);
	CU_ASSERT_TRUE_FATAL(got >= 0);
	CU_ASSERT_EQUAL(f.recs[got].ev.at_ms - f.recs[sent].ev.at_ms, 3000 + cfg.net.latency_ms);
	/* the next one is not delayed */
	long sent2 = sf_find(&f, (size_t)got, SIM_EV_SEND, "coord", NULL, RC_OP_HEARTBEAT);
	long got2 = sf_find(&f, (size_t)sent2, SIM_EV_DELIVER, "r0", NULL, RC_OP_HEARTBEAT);
	CU_ASSERT_TRUE_FATAL(sent2 >= 0 && got2 >= 0);
	CU_ASSERT_EQUAL(f.recs[got2].ev.at_ms - f.recs[sent2].ev.at_ms, cfg.net.latency_ms);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Total loss: the runner never gets registered; every attempt times out. */
static void test_total_loss(void)
{
	struct sim_config cfg = quiet_config();
	cfg.net.loss = 1.0;
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_run_until(f.w, 120000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DROP, "r0", "loss", RC_OP_REGISTER) >= 3);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_TRANSPORT_FAIL, "r0", "timeout", RC_OP_REGISTER) >= 3);
	CU_ASSERT_EQUAL(rc_coord_runner_count(sim_coord(f.w)), 0);
	CU_ASSERT_EQUAL(rc_runner_phase(sim_runner_core(f.w, f.r[0])), RC_PHASE_REGISTERING);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Every message twice: the coordinator sees duplicates, the runners ignore
 * replies they no longer wait for, and there is still one record each. */
static void test_duplication(void)
{
	struct sim_config cfg = quiet_config();
	cfg.net.duplicate = 1.0;
	struct sf f;
	sf_init(&f, &cfg, 2);
	sim_run_until(f.w, 300000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DUP, "r0", NULL, RC_OP_HEARTBEAT) >= 5);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DUP, "coord", NULL, RC_OP_HEARTBEAT) >= 5);
	CU_ASSERT_EQUAL(rc_coord_runner_count(sim_coord(f.w)), 2);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Duplicated completions carry the result text: each copy owns its own, so
 * whichever copy is handled second still reads a live string (valgrind-unit
 * saw the second copy read the first one's freed text), and the coordinator
 * keeps the one result both copies carry. */
static void test_duplicated_text_outlives_its_original(void)
{
	struct sim_config cfg = quiet_config();
	cfg.net.duplicate = 1.0;
	struct sf f;
	sf_init(&f, &cfg, 1);
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "t1";
	CU_ASSERT_TRUE(sim_at_submit_task(f.w, 2000, &t) >= 0);
	sim_run_until(f.w, 120000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_DUP, "r0", NULL, RC_OP_TASK_COMPLETE) >= 1);
	const struct rc_task *task = rc_coord_find_task(sim_coord(f.w), sim_task_id(f.w, "t1"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(task);
	CU_ASSERT_EQUAL(task->state, RC_TASK_COMPLETED);
	CU_ASSERT_STRING_EQUAL(task->result, "ok");
	assert_no_violation(&f);
	sf_free(&f);
}

/* Requests that reach a paused coordinator wait for it; if it crashes
 * instead of resuming, they meet a coordinator that is down, as a reset
 * connection would: the scenario's submission gets status 0 and the runner's
 * request is refused (a transport failure it sees). They used to vanish: the
 * action never got an outcome and the runner's request left no record. */
static void test_requests_held_by_a_paused_coordinator_fail_at_its_crash(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_pause(f.w, 6000, f.coord);
	struct sim_task_spec t;
	sim_task_spec_defaults(&t);
	t.name = "t1";
	int submit = sim_at_submit_task(f.w, 7000, &t);
	sim_at_crash(f.w, 40000, f.coord, 1000);
	sim_run_until(f.w, 39999);
	CU_ASSERT_FALSE(sim_action_result(f.w, submit)->applied); /* held */
	size_t before = f.n_recs;
	sim_run_until(f.w, 40100);
	CU_ASSERT_TRUE(sim_action_result(f.w, submit)->applied);
	CU_ASSERT_EQUAL(sim_action_result(f.w, submit)->status, 0);
	CU_ASSERT_TRUE(sf_find(&f, before, SIM_EV_DROP, "r0", "down", RC_OP_HEARTBEAT) >= 0);
	CU_ASSERT_TRUE(sf_find(&f, before, SIM_EV_TRANSPORT_FAIL, "r0", "refused", RC_OP_HEARTBEAT) >= 0);
	assert_no_violation(&f);
	sf_free(&f);
}

#define REQUEST_TIMEOUT_MS 10000 /* sim_runner_spec_defaults()'s, the fixture's runners' */

/* The first record of a kind (and sub-kind, NULL: any) about request req,
 * or NULL. */
static const struct sim_event *find_req(const struct sf *f, enum sim_ev_kind kind, const char *what, uint64_t req)
{
	for (size_t i = 0; i < f->n_recs; i++) {
		const struct sf_record *r = &f->recs[i];
		if (r->ev.kind == kind && r->ev.req_id == req && (!what || strcmp(r->what, what) == 0))
			return &r->ev;
	}
	return NULL;
}

/* The first heartbeat r0 sends at or after at_ms (a record of the fixture). */
static const struct sim_event *heartbeat_sent_after(const struct sf *f, int64_t at_ms)
{
	for (long i = sf_find(f, 0, SIM_EV_SEND, "r0", NULL, RC_OP_HEARTBEAT); i >= 0;
	     i = sf_find(f, (size_t)i + 1, SIM_EV_SEND, "r0", NULL, RC_OP_HEARTBEAT))
		if (f->recs[i].ev.at_ms >= at_ms)
			return &f->recs[i].ev;
	return NULL;
}

/* A heartbeat held by a coordinator paused for a minute: its runner gives
 * up on it at its timeout, and the trace says so then, not at the resume
 * (where it once did, with the reply dropped as late); at the resume the
 * coordinator still handles it, and its reply goes nowhere. */
static void test_a_request_held_by_a_paused_coordinator_times_out_when_due(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_pause(f.w, 15000, f.coord);
	sim_at_resume(f.w, 75000, f.coord);
	sim_run_until(f.w, 120000);
	const struct sim_event *sent = heartbeat_sent_after(&f, 15000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent);
	CU_ASSERT_TRUE(sent->at_ms < 75000 - REQUEST_TIMEOUT_MS);
	const struct sim_event *fail = find_req(&f, SIM_EV_TRANSPORT_FAIL, "timeout", sent->req_id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fail);
	CU_ASSERT_EQUAL(fail->at_ms, sent->at_ms + REQUEST_TIMEOUT_MS);
	const struct sim_event *gone = find_req(&f, SIM_EV_DROP, "client-gone", sent->req_id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
	CU_ASSERT_EQUAL(gone->at_ms, 75000);
	CU_ASSERT_PTR_NULL(find_req(&f, SIM_EV_DROP, "late", sent->req_id));
	CU_ASSERT_EQUAL(sf_status_change(&f, 0, f.r[0], RC_RUNNER_STALE), -1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* Paused for less than a request timeout: the held heartbeat is answered
 * in time, and the timeout failure scheduled for it never happens. */
static void test_a_request_held_briefly_gets_its_reply(void)
{
	struct sim_config cfg = quiet_config();
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_pause(f.w, 15000, f.coord);
	sim_at_resume(f.w, 27000, f.coord);
	sim_run_until(f.w, 60000);
	const struct sim_event *sent = heartbeat_sent_after(&f, 15000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sent);
	CU_ASSERT_TRUE(sent->at_ms < 27000 && sent->at_ms + REQUEST_TIMEOUT_MS > 27010);
	const struct sim_event *got = find_req(&f, SIM_EV_DELIVER, NULL, sent->req_id);
	CU_ASSERT_PTR_NOT_NULL(got); /* at the coordinator, at its resume */
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_TRANSPORT_FAIL, NULL, NULL, RC_OP_NONE), 0);
	CU_ASSERT_EQUAL(sf_count(&f, SIM_EV_DROP, NULL, NULL, RC_OP_NONE), 0);
	size_t replies = 0;
	for (size_t i = 0; i < f.n_recs; i++)
		replies += f.recs[i].ev.kind == SIM_EV_DELIVER && f.recs[i].ev.req_id == sent->req_id &&
			   strcmp(f.recs[i].node, "r0") == 0 && f.recs[i].ev.status == 200;
	CU_ASSERT_EQUAL(replies, 1);
	assert_no_violation(&f);
	sf_free(&f);
}

/* The most transport failures any one request of node `node` saw. */
static size_t most_failures_of_one_request(const struct sf *f, const char *node)
{
	size_t most = 0;
	for (size_t i = 0; i < f->n_recs; i++) {
		const struct sf_record *r = &f->recs[i];
		if (r->ev.kind != SIM_EV_TRANSPORT_FAIL || strcmp(r->node, node) != 0)
			continue;
		size_t same = 0;
		for (size_t j = 0; j < f->n_recs; j++)
			same += f->recs[j].ev.kind == SIM_EV_TRANSPORT_FAIL && f->recs[j].ev.req_id == r->ev.req_id &&
				strcmp(f->recs[j].node, node) == 0;
		most = same > most ? same : most;
	}
	return most;
}

/* A copy the network made of a request is not a second call: its runner
 * waits for one outcome. With every message duplicated, requests held by
 * a paused coordinator past their timeout and requests refused by a
 * crashed one each fail once for their runner (the copies used to fail
 * too, a second transport failure for the same request). */
static void test_a_duplicated_request_fails_once(void)
{
	struct sim_config cfg = quiet_config();
	cfg.net.duplicate = 1.0;
	struct sf f;
	sf_init(&f, &cfg, 1);
	sim_at_pause(f.w, 15000, f.coord);
	sim_at_resume(f.w, 75000, f.coord);
	sim_at_crash(f.w, 100000, f.coord, 60000);
	sim_run_until(f.w, 150000);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_TRANSPORT_FAIL, "r0", "timeout", RC_OP_NONE) >= 1);
	CU_ASSERT_TRUE(sf_count(&f, SIM_EV_TRANSPORT_FAIL, "r0", "refused", RC_OP_NONE) >= 1);
	CU_ASSERT_EQUAL(most_failures_of_one_request(&f, "r0"), 1);
	assert_no_violation(&f);
	sf_free(&f);
}

void rc_test_register_sim_net(void)
{
	static CU_TestInfo tests[] = {
		{ "partition both ways", test_partition_both_ways },
		{ "partition one way in", test_partition_one_way_in },
		{ "partition one way out", test_partition_one_way_out },
		{ "drop the next heartbeat", test_drop_next_heartbeat },
		{ "delay the next reply", test_delay_next_reply },
		{ "total loss", test_total_loss },
		{ "duplication", test_duplication },
		{ "a duplicated text outlives its original", test_duplicated_text_outlives_its_original },
		{ "requests held by a paused coordinator fail at its crash",
		  test_requests_held_by_a_paused_coordinator_fail_at_its_crash },
		{ "a request held by a paused coordinator times out when due",
		  test_a_request_held_by_a_paused_coordinator_times_out_when_due },
		{ "a request held briefly gets its reply", test_a_request_held_briefly_gets_its_reply },
		{ "a duplicated request fails once", test_a_duplicated_request_fails_once },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("sim_net", tests);
}
