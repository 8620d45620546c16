/*
 * test_supervisor.c - the restart and stop policy at exact instants.
 *
 * Times are literals so each boundary is pinned: the restart due at 1000 ms
 * must not happen at 999, the SIGKILL due at 5000 ms not at 4999, a run of
 * 59999 ms is not stable and one of 60000 ms is.
 */
#include "fx.h"
#include "supervisor.h"
#include "unit.h"

#define TASK 42
#define ATTEMPT 3

struct fixture {
	struct rc_sup_policy policy; /* the supervisor borrows it */
	struct rc_sup sup;
	struct rc_outbox ob;
};

static void setup(struct fixture *f)
{
	rc_sup_policy_defaults(&f->policy);
	rc_sup_init(&f->sup, &f->policy, TASK, ATTEMPT);
	rc_outbox_init(&f->ob);
}

static void teardown(struct fixture *f)
{
	rc_outbox_free(&f->ob);
}

/* Crash at now_ms and return the restart deadline it scheduled. */
static int64_t crash(struct fixture *f, int64_t now_ms)
{
	rc_sup_on_exit(&f->sup, now_ms, false, &f->ob);
	return rc_sup_deadline(&f->sup);
}

static void test_delay_schedule(void)
{
	struct rc_sup_policy p;
	rc_sup_policy_defaults(&p);
	const int64_t want[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000 };
	for (int n = 1; n <= 7; n++)
		CU_ASSERT_EQUAL(rc_sup_delay_ms(&p, n), want[n - 1]);
	CU_ASSERT_EQUAL(rc_sup_delay_ms(&p, 200), 30000); /* no overflow far out */
}

static void test_restarts_then_gives_up(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	const int64_t delays[] = { 1000, 2000, 4000, 8000, 16000 };
	int64_t now = 0;
	for (int i = 0; i < 5; i++) {
		now += 10; /* each run lasts 10 ms */
		int64_t due = crash(&f, now);
		CU_ASSERT_EQUAL(f.sup.state, RC_SUP_BACKOFF);
		CU_ASSERT_EQUAL(due, now + delays[i]);
		size_t starts = rc_outbox_count(&f.ob, RC_FX_PROC_START);
		rc_sup_tick(&f.sup, due - 1, &f.ob);
		CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_START), starts);
		rc_sup_tick(&f.sup, due, &f.ob);
		CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_START), starts + 1);
		CU_ASSERT_EQUAL(f.sup.state, RC_SUP_RUNNING);
		now = due;
	}
	crash(&f, now + 10); /* the failure after the 5th restart */
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_GAVE_UP);
	CU_ASSERT_TRUE(rc_sup_is_final(&f.sup));
	CU_ASSERT_EQUAL(rc_sup_deadline(&f.sup), INT64_MAX);
	rc_sup_tick(&f.sup, now + 100000, &f.ob);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_START), 6); /* 1 start + 5 restarts */
	teardown(&f);
}

/* Two quick crashes, then a run of `run_ms`, then a crash: the delay shows
 * whether the failure count was reset. */
static int64_t delay_after_run(int64_t run_ms)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	rc_sup_tick(&f.sup, crash(&f, 5), &f.ob);           /* restart at 1005 */
	rc_sup_tick(&f.sup, crash(&f, 1010), &f.ob);        /* restart at 3010 */
	CU_ASSERT_EQUAL(f.sup.started_at_ms, 3010);
	int64_t delay = crash(&f, 3010 + run_ms) - (3010 + run_ms);
	teardown(&f);
	return delay;
}

static void test_stable_run_resets_failures(void)
{
	CU_ASSERT_EQUAL(delay_after_run(59999), 4000); /* third failure in a row */
	CU_ASSERT_EQUAL(delay_after_run(60000), 1000); /* a fresh first failure */
}

static void test_stable_runs_never_give_up(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	int64_t now = 0;
	for (int i = 0; i < 20; i++) {
		now += 60000;
		int64_t due = crash(&f, now);
		CU_ASSERT_EQUAL(due - now, 1000);
		rc_sup_tick(&f.sup, due, &f.ob);
		now = due;
	}
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_RUNNING);
	teardown(&f);
}

static void test_stop_sigterm_then_sigkill_at_grace(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	rc_sup_stop(&f.sup, 1000, &f.ob);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_TERM), 1);
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_STOPPING);
	CU_ASSERT_EQUAL(rc_sup_deadline(&f.sup), 6000);
	rc_sup_stop(&f.sup, 2000, &f.ob); /* a second stop sends nothing */
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_TERM), 1);
	rc_sup_tick(&f.sup, 5999, &f.ob);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_KILL), 0);
	rc_sup_tick(&f.sup, 6000, &f.ob);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_KILL), 1);
	CU_ASSERT_TRUE(f.sup.killed);
	rc_sup_tick(&f.sup, 9000, &f.ob); /* SIGKILL once */
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_KILL), 1);
	CU_ASSERT_FALSE(rc_sup_is_final(&f.sup)); /* not reaped yet */
	rc_sup_on_exit(&f.sup, 6001, false, &f.ob);
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_STOPPED);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_START), 1);
	teardown(&f);
}

static void test_exit_within_grace_needs_no_sigkill(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	rc_sup_stop(&f.sup, 0, &f.ob);
	rc_sup_on_exit(&f.sup, 4999, true, &f.ob); /* even a clean exit is a stop */
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_STOPPED);
	CU_ASSERT_EQUAL(rc_sup_deadline(&f.sup), INT64_MAX);
	rc_sup_tick(&f.sup, 5000, &f.ob);
	CU_ASSERT_EQUAL(rc_unit_fx_count_signal(&f.ob, TASK, RC_SIG_KILL), 0);
	teardown(&f);
}

static void test_stop_in_backoff_is_immediate(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	int64_t due = crash(&f, 100);
	rc_sup_stop(&f.sup, 500, &f.ob);
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_STOPPED);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_SIGNAL), 0);
	rc_sup_tick(&f.sup, due, &f.ob);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_START), 1); /* no restart */
	teardown(&f);
}

static void test_clean_exit_is_final_and_labelled(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	const struct rc_effect *start = rc_unit_fx_nth(&f.ob, RC_FX_PROC_START, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(start);
	CU_ASSERT_EQUAL(start->task_id, TASK);
	CU_ASSERT_EQUAL(start->attempt, ATTEMPT);
	rc_sup_on_exit(&f.sup, 100, true, &f.ob);
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_EXITED);
	CU_ASSERT_TRUE(rc_sup_is_final(&f.sup));
	rc_sup_on_exit(&f.sup, 200, false, &f.ob); /* a repeated report is ignored */
	CU_ASSERT_EQUAL(f.sup.state, RC_SUP_EXITED);
	rc_sup_stop(&f.sup, 300, &f.ob);
	CU_ASSERT_EQUAL(rc_outbox_count(&f.ob, RC_FX_PROC_SIGNAL), 0);
	teardown(&f);
}

static void test_signal_effects_name_the_process(void)
{
	struct fixture f;
	setup(&f);
	rc_sup_start(&f.sup, 0, &f.ob);
	rc_sup_stop(&f.sup, 0, &f.ob);
	rc_sup_tick(&f.sup, 5000, &f.ob);
	for (size_t i = 0; i < 2; i++) {
		const struct rc_effect *sig = rc_unit_fx_nth(&f.ob, RC_FX_PROC_SIGNAL, i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sig);
		CU_ASSERT_EQUAL(sig->task_id, TASK);
		CU_ASSERT_EQUAL(sig->attempt, ATTEMPT);
		CU_ASSERT_EQUAL(sig->value, i == 0 ? RC_SIG_TERM : RC_SIG_KILL);
	}
	teardown(&f);
}

static void test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(rc_sup_state_name(RC_SUP_BACKOFF), "backoff");
	CU_ASSERT_STRING_EQUAL(rc_sup_state_name(RC_SUP_GAVE_UP), "gave-up");
	CU_ASSERT_STRING_EQUAL(rc_sup_state_name((enum rc_sup_state)99), "unknown");
}

void rc_test_register_supervisor(void)
{
	static CU_TestInfo tests[] = {
		{ "delay schedule 1,2,4,8,16 then the 30 s cap", test_delay_schedule },
		{ "five restarts, then the next failure gives up", test_restarts_then_gives_up },
		{ "59.999 s run keeps failures, 60 s resets them", test_stable_run_resets_failures },
		{ "stable runs never give up", test_stable_runs_never_give_up },
		{ "SIGTERM, SIGKILL exactly at the grace", test_stop_sigterm_then_sigkill_at_grace },
		{ "exit within grace needs no SIGKILL", test_exit_within_grace_needs_no_sigkill },
		{ "stop in backoff is immediate, no signal", test_stop_in_backoff_is_immediate },
		{ "clean exit is final; effects name the process", test_clean_exit_is_final_and_labelled },
		{ "signal effects carry task and attempt", test_signal_effects_name_the_process },
		{ "state names", test_state_names },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("supervisor", tests);
}
