/*
 * test_sim_engine.c - the simulator's engine pieces: event heap order and
 * ties, node clocks (skew, drift, jumps, clamping, deadline conversion), the
 * u64 map, tie permutation as seen through a whole world, and a world
 * nobody listens to running as one whose every record is heard.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "heap.h"
#include "map.h"
#include "rng.h"
#include "sim.h"
#include "sim_fixture.h"
#include "unit.h"

/* ------------------------------------------------------------- heap */

static void test_heap_orders_by_time_then_insertion(void)
{
	struct sim_heap h;
	sim_heap_init(&h);
	struct rc_rng rng;
	rc_rng_seed(&rng, 7);
	enum { N = 5000 };
	for (uint32_t i = 0; i < N; i++)
		sim_heap_push(&h, (int64_t)rc_rng_below(&rng, 50), 0, 1, i, 0);
	struct sim_ev prev, ev;
	CU_ASSERT_TRUE_FATAL(sim_heap_pop(&h, &prev));
	size_t popped = 1;
	while (sim_heap_pop(&h, &ev)) {
		CU_ASSERT_TRUE(ev.at_ms >= prev.at_ms);
		/* same instant: first pushed comes out first */
		if (ev.at_ms == prev.at_ms)
			CU_ASSERT_TRUE(sim_ev_a(&ev) > sim_ev_a(&prev));
		prev = ev;
		popped++;
	}
	CU_ASSERT_EQUAL(popped, N);
	CU_ASSERT_FALSE(sim_heap_pop(&h, &ev));
	sim_heap_free(&h);
}

static void test_heap_ties_follow_the_tie_key(void)
{
	struct sim_heap h;
	sim_heap_init(&h);
	static const uint32_t ties[] = { 30, 10, 20, 10, 0 };
	for (uint32_t i = 0; i < 5; i++)
		sim_heap_push(&h, 100, ties[i], 2, i, 0);
	sim_heap_push(&h, 99, 999, 2, 9, 0);
	static const uint32_t expected[] = { 9, 4, 1, 3, 2, 0 };
	for (int i = 0; i < 6; i++) {
		struct sim_ev ev;
		CU_ASSERT_TRUE_FATAL(sim_heap_pop(&h, &ev));
		CU_ASSERT_EQUAL(sim_ev_a(&ev), expected[i]);
		CU_ASSERT_EQUAL(sim_ev_type(&ev), 2);
	}
	sim_heap_free(&h);
}

/* Pushes and pops interleaved at random (ties drawn from a few values, so
 * a slot's list takes insertions at its head, middle and tail; or no ties,
 * so pushes take the calendar's append-only path while events from beyond
 * it still move in before them; slots emptied and refilled; times beyond
 * the calendar), checked against a plain list. */
static void check_heap_against_a_sorted_model(bool ties)
{
	struct sim_heap h;
	sim_heap_init(&h);
	struct rc_rng rng;
	rc_rng_seed(&rng, 11);
	enum { STEPS = 40000, CAP = 40000 };
	static struct { int64_t at; uint32_t tie, seq; } model[CAP];
	size_t n = 0;
	uint32_t seq = 0;
	int64_t now = 0;
	bool ok = true;
	for (int step = 0; step < STEPS && ok; step++) {
		if (n < CAP && (n == 0 || rc_rng_below(&rng, 100) < 55)) {
			int64_t at = now + (rc_rng_below(&rng, 10) == 0 ? (int64_t)rc_rng_below(&rng, 100000)
									: (int64_t)rc_rng_below(&rng, 8));
			uint32_t tie = ties ? (uint32_t)rc_rng_below(&rng, 3) : 0;
			sim_heap_push(&h, at, tie, 1, seq, 0);
			model[n].at = at;
			model[n].tie = tie;
			model[n++].seq = seq++;
			continue;
		}
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (model[i].at < model[best].at ||
			    (model[i].at == model[best].at && (model[i].tie < model[best].tie ||
							       (model[i].tie == model[best].tie && model[i].seq < model[best].seq))))
				best = i;
		struct sim_ev ev;
		ok = sim_heap_pop(&h, &ev) && ev.at_ms == model[best].at && sim_ev_a(&ev) == model[best].seq;
		now = model[best].at;
		model[best] = model[--n];
	}
	CU_ASSERT_TRUE(ok);
	sim_heap_free(&h);
}

static void test_heap_matches_a_sorted_model(void)
{
	check_heap_against_a_sorted_model(true);
	check_heap_against_a_sorted_model(false);
}

/* An event pushed beyond the calendar's span waits in the heap; an event
 * for the same instant pushed later, once that instant is in the span, goes
 * straight to the calendar (appended, when no tie was ever given). They come
 * out in push order. */
static void test_heap_far_event_moves_in_before_a_later_push(void)
{
	struct sim_heap h;
	sim_heap_init(&h);
	const int64_t t = 40000; /* beyond the 32.8 s calendar from time 0 */
	struct sim_ev ev;
	sim_heap_push(&h, t, 0, 1, 1, 0);
	sim_heap_push(&h, 10000, 0, 1, 2, 0);
	sim_heap_push(&h, 20000, 0, 1, 3, 0);
	CU_ASSERT_TRUE(sim_heap_pop(&h, &ev) && sim_ev_a(&ev) == 2); /* time 10 s: t is in the span now */
	sim_heap_push(&h, t, 0, 1, 4, 0);
	CU_ASSERT_TRUE(sim_heap_pop(&h, &ev) && sim_ev_a(&ev) == 3);
	CU_ASSERT_TRUE(sim_heap_pop(&h, &ev) && ev.at_ms == t && sim_ev_a(&ev) == 1);
	CU_ASSERT_TRUE(sim_heap_pop(&h, &ev) && ev.at_ms == t && sim_ev_a(&ev) == 4);
	sim_heap_free(&h);
}

/* ------------------------------------------------------------ clocks */

static void test_clock_plain_skew_and_jump_back_clamps(void)
{
	struct sim_clock c;
	sim_clock_init(&c);
	CU_ASSERT_EQUAL(sim_clock_read(&c, 1000), 1000);
	sim_clock_set_offset(&c, 1000, 5000);
	CU_ASSERT_EQUAL(sim_clock_read(&c, 2000), 7000);
	/* a jump back of 10 s: the core keeps seeing 7000 until local time
	 * passes it again, 10 s of virtual time later */
	sim_clock_jump(&c, 2000, -10000);
	CU_ASSERT_EQUAL(sim_clock_local(&c, 3000), -2000);
	CU_ASSERT_EQUAL(sim_clock_read(&c, 3000), 7000);
	CU_ASSERT_EQUAL(sim_clock_read(&c, 11999), 7000);
	CU_ASSERT_EQUAL(sim_clock_read(&c, 12001), 7001);
	/* a deadline just ahead of the frozen value is met when local time gets there */
	CU_ASSERT_EQUAL(sim_clock_when(&c, 12001, 7500), 12500);
	CU_ASSERT_EQUAL(sim_clock_when(&c, 12001, INT64_MAX), INT64_MAX);
}

static void test_clock_drift(void)
{
	struct sim_clock c;
	sim_clock_init(&c);
	sim_clock_set_drift(&c, 0, 1000); /* +0.1 % */
	CU_ASSERT_EQUAL(sim_clock_local(&c, 1000000), 1001000);
	sim_clock_set_drift(&c, 1000000, -2000);
	CU_ASSERT_EQUAL(sim_clock_local(&c, 2000000), 1001000 + 1000000 - 2000);
	sim_clock_set_drift(&c, 2000000, 0);
	CU_ASSERT_EQUAL(sim_clock_local(&c, 3000000), 2999000);
}

/* sim_clock_when must give the earliest virtual time whose clamped clock
 * reaches the deadline: compare with a brute-force search. */
static void test_clock_when_is_the_earliest_time(void)
{
	struct rc_rng rng;
	rc_rng_seed(&rng, 11);
	for (int round = 0; round < 300; round++) {
		struct sim_clock c;
		sim_clock_init(&c);
		int64_t now = (int64_t)rc_rng_below(&rng, 100000);
		sim_clock_set_offset(&c, 0, (int64_t)rc_rng_below(&rng, 20000) - 10000);
		sim_clock_set_drift(&c, (int64_t)rc_rng_below(&rng, (uint64_t)now + 1),
				    (int32_t)rc_rng_below(&rng, 400001) - 200000);
		sim_clock_read(&c, now);
		int64_t deadline = sim_clock_peek(&c, now) + (int64_t)rc_rng_below(&rng, 5000);
		int64_t t = sim_clock_when(&c, now, deadline);
		CU_ASSERT_TRUE_FATAL(t >= now);
		CU_ASSERT_TRUE(sim_clock_peek(&c, t) >= deadline);
		if (t > now)
			CU_ASSERT_TRUE(sim_clock_peek(&c, t - 1) < deadline);
	}
}

/* --------------------------------------------------------------- map */

static void test_map_put_get_delete(void)
{
	struct sim_map m;
	sim_map_init(&m);
	enum { N = 20000 };
	for (uint32_t i = 0; i < N; i++)
		sim_map_put(&m, (uint64_t)i * 7919 + 1, i);
	CU_ASSERT_EQUAL(m.len, N);
	for (uint32_t i = 0; i < N; i += 2)
		CU_ASSERT_TRUE(sim_map_del(&m, (uint64_t)i * 7919 + 1));
	CU_ASSERT_FALSE(sim_map_del(&m, 3));
	for (uint32_t i = 0; i < N; i++) {
		uint32_t v = sim_map_get(&m, (uint64_t)i * 7919 + 1);
		CU_ASSERT_EQUAL(v, i % 2 ? i : SIM_MAP_NONE);
	}
	sim_map_free(&m);
}

/* ---------------------------------------------- ties through a world */

struct order {
	char names[16][8];
	int n;
};

static void record_actions(void *ctx, const struct sim_event *ev)
{
	struct order *o = ctx;
	if (ev->kind == SIM_EV_CLOCK && o->n < 16)
		snprintf(o->names[o->n++], sizeof o->names[0], "%s", ev->node_name);
}

/* Eight clock jumps at one instant: in scheduling order without permutation,
 * in a seed-dependent (but reproducible) order with it. */
static void run_ties(uint64_t seed, bool permute, struct order *o)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = seed;
	cfg.permute_ties = permute;
	struct sim_world *w = sim_world_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_TRUE_FATAL(sim_add_coordinator(w, "coord") >= 0);
	for (int i = 0; i < 8; i++) {
		struct sim_runner_spec rs;
		char name[8], host[16];
		snprintf(name, sizeof name, "n%d", i);
		snprintf(host, sizeof host, "h%d", i);
		sim_runner_spec_defaults(&rs);
		rs.name = name;
		rs.hostname = host;
		rs.project_dir = "/p";
		rs.executor_type = "x";
		int node = sim_add_runner(w, &rs);
		CU_ASSERT_TRUE_FATAL(node >= 0);
		CU_ASSERT_TRUE(sim_at_clock_jump(w, 5000, node, 1) >= 0);
	}
	memset(o, 0, sizeof *o);
	sim_set_observer(w, record_actions, o);
	sim_run_until(w, 6000);
	CU_ASSERT_EQUAL(o->n, 8);
	sim_world_free(w);
}

static void test_world_permutes_ties_by_seed(void)
{
	struct order a, b, c;
	run_ties(1, false, &a);
	for (int i = 0; i < 8; i++) {
		char want[8];
		snprintf(want, sizeof want, "n%d", i);
		CU_ASSERT_STRING_EQUAL(a.names[i], want);
	}
	run_ties(1, true, &b);
	run_ties(1, true, &c);
	CU_ASSERT_EQUAL(memcmp(&b, &c, sizeof b), 0);
	/* some seed among a few must change the order (8! orders) */
	bool differs = false;
	for (uint64_t seed = 1; seed <= 4 && !differs; seed++) {
		run_ties(seed, true, &c);
		differs = memcmp(&a, &c, sizeof a) != 0;
	}
	CU_ASSERT_TRUE(differs);
}

/* Running until a time processes nothing later than it, even when the
 * earliest event in the heap is a superseded timer. */
static void test_run_until_stops_at_the_limit(void)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	struct sim_world *w = sim_world_new(&cfg);
	CU_ASSERT_TRUE_FATAL(sim_add_coordinator(w, "coord") >= 0);
	struct sim_runner_spec rs;
	sim_runner_spec_defaults(&rs);
	rs.name = "r";
	rs.hostname = "h";
	rs.project_dir = "/p";
	rs.executor_type = "x";
	rs.start_at_ms = 0;
	CU_ASSERT_TRUE_FATAL(sim_add_runner(w, &rs) >= 0);
	struct rc_rng rng;
	rc_rng_seed(&rng, 5);
	int64_t t = 0;
	for (int i = 0; i < 2000; i++) {
		t += (int64_t)rc_rng_below(&rng, 3000);
		CU_ASSERT_EQUAL(sim_run_until(w, t), SIM_RUN_TIME);
		CU_ASSERT_EQUAL_FATAL(sim_now(w), t);
	}
	sim_world_free(w);
}

/* A world nobody listens to (every explored seed) skips building its
 * records: it must still count them, and run exactly as a world whose every
 * record is hashed and handed to an observer. */
static void count_records(void *ctx, const struct sim_event *ev)
{
	(void)ev;
	(*(uint64_t *)ctx)++;
}

/* Run workload wl in a world made from cfg (observer fn, when not NULL,
 * hears every record) to its end: its statistics in *st, its trace hash. */
static uint64_t run_scheduled(const struct sim_config *cfg, const struct sim_workload *wl, sim_observer_fn fn,
			      void *ctx, struct sim_stats *st)
{
	struct sim_world *w = sim_world_new(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	if (fn)
		sim_set_observer(w, fn, ctx);
	CU_ASSERT_EQUAL_FATAL(sim_workload_schedule(w, wl), 0);
	sim_run_until(w, wl->duration_ms);
	sim_stats(w, st);
	uint64_t hash = sim_trace_hash(w);
	sim_world_free(w);
	return hash;
}

/* The default workload of `runners` runners for duration_ms, as run_scheduled. */
static uint64_t run_default_workload(const struct sim_config *cfg, int runners, int64_t duration_ms,
				     sim_observer_fn fn, void *ctx, struct sim_stats *st)
{
	struct sim_workload wl;
	sim_workload_defaults(&wl);
	wl.runners = runners;
	wl.duration_ms = duration_ms;
	return run_scheduled(cfg, &wl, fn, ctx, st);
}

static void run_workload(bool listened, struct sim_stats *st, uint64_t *observed)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = 11;
	cfg.faults.kinds = SIM_FAULT_ALL;
	cfg.no_history = !listened;
	cfg.hash_trace = listened;
	*observed = 0;
	run_default_workload(&cfg, 4, 3 * 3600 * 1000, listened ? count_records : NULL, observed, st);
}

static void test_unheard_records_are_counted_alike(void)
{
	struct sim_stats heard, unheard;
	uint64_t observed, none;
	run_workload(true, &heard, &observed);
	run_workload(false, &unheard, &none);
	CU_ASSERT_EQUAL(none, 0);
	CU_ASSERT_TRUE(heard.records > heard.events); /* messages, effects: several records per event */
	CU_ASSERT_EQUAL(observed, heard.records);
	CU_ASSERT_EQUAL(memcmp(&heard, &unheard, sizeof heard), 0);
}

/* The random faults' undo records, checked against the fault they undo:
 * per node, the due time of the latest pause and drift. */
struct undo_check {
	int64_t resume_due[16]; /* per node: when its latest pause ends */
	int64_t early_at;       /* the time of the latest early resumes */
	int resumes, early, early_then;
};

static void check_undo_times(void *ctx, const struct sim_event *ev)
{
	struct undo_check *u = ctx;
	if (ev->kind != SIM_EV_FAULT || !ev->what)
		return;
	if (strcmp(ev->what, "faults-end") == 0 && u->early_at == ev->at_ms) {
		u->early -= u->early_then; /* the end of the faults ends every pause */
		u->early_then = 0;
	}
	if (ev->node < 0 || ev->node >= 16)
		return;
	if (strcmp(ev->what, "pause") == 0) {
		u->resume_due[ev->node] = ev->at_ms + ev->value;
	} else if (strcmp(ev->what, "resume") == 0) {
		u->resumes++;
		if (ev->at_ms != u->resume_due[ev->node]) {
			u->early_then = u->early_at == ev->at_ms ? u->early_then + 1 : 1;
			u->early_at = ev->at_ms;
			u->early++;
		}
	}
}

/* An undo ends the fault it belongs to, never a later one: a pause that a
 * crash ended, followed by a restart and a new pause, used to have its
 * resume cut that new pause short (the review found seeds 18 and 26 of this
 * world). Every resume must come exactly `lasts` after the latest pause of
 * its node, over 40 seeds of pauses and crashes. */
static void test_fault_undo_ends_its_own_fault(void)
{
	struct undo_check u = { 0 };
	for (uint64_t seed = 1; seed <= 40; seed++) {
		memset(u.resume_due, 0, sizeof u.resume_due);
		u.early_at = -1;
		struct sim_config cfg;
		sim_config_defaults(&cfg);
		cfg.seed = seed;
		cfg.faults.kinds = SIM_FAULT_ALL;
		struct sim_stats st;
		run_default_workload(&cfg, 6, 3 * 3600 * 1000, check_undo_times, &u, &st);
	}
	CU_ASSERT_TRUE(u.resumes > 20); /* the property was exercised */
	CU_ASSERT_EQUAL(u.early, 0);
}

/* The trace header shows when the workload's faults stop: it is written at
 * the first record, the coordinator's start, and once showed "until_ms":0
 * there while the faults of `rollcall sim` stopped at duration - quiet. */
static void test_workload_header_shows_the_end_of_faults(void)
{
	char *trace;
	size_t trace_len;
	struct sim_config cfg;
	FILE *sink = sf_trace_to_memory(&cfg, &trace, &trace_len);
	cfg.faults.kinds = SIM_FAULT_NET;
	struct sim_stats st;
	run_default_workload(&cfg, 2, 2 * 3600 * 1000, NULL, NULL, &st);
	fclose(sink);
	char *eol = strchr(trace, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(eol);
	*eol = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "\"until_ms\":5400000")); /* 2h - 30m of quiet */
	free(trace);
}

/* From 1,024 nodes on a world prefetches what the coming events will read
 * (sim_world_is_big). Hints must change nothing: such a world under every
 * fault, pauses and crashes included, runs clean and repeats its trace. */
static uint64_t run_big_world(struct sim_stats *st)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = 3;
	cfg.faults.kinds = SIM_FAULT_ALL;
	cfg.hash_trace = true;
	struct sim_workload wl;
	sim_workload_defaults(&wl);
	wl.runners = 1100;
	wl.duration_ms = 4 * 60 * 1000;
	wl.quiet_ms = 60 * 1000;
	wl.tasks_per_runner_hour = 0; /* a task can outlast a one-minute quiet tail */
	return run_scheduled(&cfg, &wl, NULL, NULL, st);
}

static void test_big_world_runs_clean_and_repeats(void)
{
	struct sim_stats a, b;
	uint64_t first = run_big_world(&a), second = run_big_world(&b);
	CU_ASSERT_EQUAL(a.violations, 0);
	CU_ASSERT_TRUE(a.heartbeats > 1100 * 5); /* every runner heartbeat several times */
	CU_ASSERT_EQUAL(first, second);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
}

/* The workload stops submitting while the fleet holds as much unfinished
 * work as its fault-free tail can finish, and submissions a paused
 * coordinator holds count: they all land at its resume. One runner (at
 * most 3 slots, so at most 15 unfinished tasks), a task every 6 s, the
 * coordinator paused for 20 minutes: at the resume it once took 200
 * submissions at once, a backlog no tail could drain. */
static void test_workload_counts_held_submissions(void)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = 4;
	struct sim_workload wl;
	sim_workload_defaults(&wl);
	wl.runners = 1;
	wl.duration_ms = 2 * 3600 * 1000;
	wl.tasks_per_runner_hour = 600;
	wl.churn = false;
	wl.sandboxes = false;
	struct sim_world *w = sim_world_new(&cfg);
	CU_ASSERT_EQUAL_FATAL(sim_workload_schedule(w, &wl), 0);
	CU_ASSERT_TRUE_FATAL(sim_at_pause(w, 10 * 60000, 0) >= 0);
	CU_ASSERT_TRUE_FATAL(sim_at_resume(w, 30 * 60000, 0) >= 0);
	sim_run_until(w, 30 * 60000 + 1000);
	const struct rc_coord *c = sim_coord(w);
	size_t unfinished = 0;
	for (size_t i = 0; i < rc_coord_task_count(c); i++)
		unfinished += rc_coord_task_at(c, i)->state <= RC_TASK_RUNNING;
	CU_ASSERT_TRUE(rc_coord_task_count(c) > 10); /* the limit was reached */
	CU_ASSERT_TRUE(unfinished <= 15);
	if (unfinished > 15)
		fprintf(stderr, "\n  %zu tasks unfinished at the resume\n", unfinished);
	sim_world_free(w);
}

void rc_test_register_sim_engine(void)
{
	static CU_TestInfo tests[] = {
		{ "heap orders by time then insertion", test_heap_orders_by_time_then_insertion },
		{ "a fault's undo ends its own fault", test_fault_undo_ends_its_own_fault },
		{ "heap ties follow the tie key", test_heap_ties_follow_the_tie_key },
		{ "heap matches a sorted model", test_heap_matches_a_sorted_model },
		{ "heap: a far event moves in before a later push", test_heap_far_event_moves_in_before_a_later_push },
		{ "clock skew and a jump back clamp", test_clock_plain_skew_and_jump_back_clamps },
		{ "clock drift", test_clock_drift },
		{ "clock deadline is the earliest time", test_clock_when_is_the_earliest_time },
		{ "map put, get, delete", test_map_put_get_delete },
		{ "world permutes ties by seed", test_world_permutes_ties_by_seed },
		{ "run until stops at the limit", test_run_until_stops_at_the_limit },
		{ "unheard records are counted alike", test_unheard_records_are_counted_alike },
		{ "a big world runs clean and repeats", test_big_world_runs_clean_and_repeats },
		{ "workload header shows the end of faults", test_workload_header_shows_the_end_of_faults },
		{ "workload counts held submissions", test_workload_counts_held_submissions },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("sim_engine", tests);
}
