/*
 * test_scn_violation.c - a broken invariant told by the scenario's names.
 *
 * The simulator's checkers name a task by the coordinator's number ("task 1
 * moved ..."), which no scenario line mentions; `rollcall run`, `shrink` and
 * `explore` print the message through scn_violation_message, which names it
 * as the scenario does ("task build moved ..."). The reference core breaks
 * no task invariant, so the test breaks the coordinator's record of a task
 * by hand and asks the checker.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"
#include "scn_run_internal.h"
#include "sim_fixture.h"
#include "unit.h"

/* r0 (the fixture's runner, started at 0 s) runs task `build` from 5 s; at
 * 1 m its attempt number changes behind the coordinator's back: a one-owner
 * violation about that task. */
static const struct sim_violation *moved_attempt(struct sf *f, uint64_t *id)
{
	sf_init(f, NULL, 1);
	struct sim_task_spec ts;
	sim_task_spec_defaults(&ts);
	ts.name = "build";
	ts.duration_ms = 10 * 60000;
	sim_at_submit_task(f->w, 5000, &ts);
	sim_run_until(f->w, 60000);
	*id = sim_task_id(f->w, "build");
	struct rc_task *t = (struct rc_task *)rc_coord_find_task(sim_coord(f->w), *id);
	CU_ASSERT_EQUAL_FATAL(t->state, RC_TASK_RUNNING);
	t->attempt++;
	sim_check_now(f->w);
	CU_ASSERT_EQUAL_FATAL(sim_violation_count(f->w), 1);
	return sim_violation_at(f->w, 0);
}

static void test_a_task_violation_names_the_task(void)
{
	struct sf f;
	uint64_t id;
	const struct sim_violation *v = moved_attempt(&f, &id);
	CU_ASSERT_STRING_EQUAL(v->name, "one-owner");
	CU_ASSERT_EQUAL(v->task, id);
	char number[64];
	snprintf(number, sizeof number, "task %" PRIu64 " moved running/1/", id);
	CU_ASSERT_EQUAL(strncmp(v->message, number, strlen(number)), 0); /* the simulator's (and trace's) own text */

	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse("t.scn", "runner r0\nat 0s start r0\nat 5s submit task build lasting 10m\n",
					   &d);
	scn_diags_free(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	int node[] = { f.coord, f.r[0] };
	uint64_t task_id[] = { 0 };
	bool registered[] = { false, false };
	struct scn_runctx r = { .s = s, .w = f.w, .node = node, .task_id = task_id, .ever_registered = registered };
	char message[400];
	scn_violation_message(&r, v, message, sizeof message);
	CU_ASSERT_EQUAL(strncmp(message, "task build moved running/1/", 27), 0);
	CU_ASSERT_STRING_EQUAL(message + 27, v->message + strlen(number)); /* the rest as the simulator says it */
	scn_free(s);
	sf_free(&f);
}

void rc_test_register_scn_violation(void)
{
	static CU_TestInfo tests[] = {
		{ "a task invariant's failure names the task as the scenario does", test_a_task_violation_names_the_task },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("scn_violation", tests);
}
