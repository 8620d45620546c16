/*
 * test_scn_parse.c - the scenario parser: good text gives the AST it says,
 * every kind of mistake gives its exact file:line:col message.
 */
#include <string.h>

#include "scn.h"
#include "scn_run.h"
#include "unit.h"

static struct scn_scenario *parse_ok(const char *text)
{
	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse("t.scn", text, &d);
	for (size_t i = 0; i < d.len; i++)
		fprintf(stderr, "unexpected diagnostic: %s\n", d.items[i]);
	CU_ASSERT_EQUAL(d.len, 0);
	scn_diags_free(&d);
	return s;
}

/* The first diagnostic of a text that must not parse. */
static void expect_error(const char *text, const char *message)
{
	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse("t.scn", text, &d);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_TRUE_FATAL(d.len >= 1);
	if (strcmp(d.items[0], message) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", d.items[0], message);
	CU_ASSERT_STRING_EQUAL(d.items[0], message);
	scn_free(s);
	scn_diags_free(&d);
}

static void test_declarations(void)
{
	struct scn_scenario *s = parse_ok("# header\n"
					  "seeds 3-9\n"
					  "config stale_after 90s\n"
					  "config latency between 2ms and 30ms\n"
					  "config permute_ties off\n"
					  "config secret \"top secret\"\n"
					  "runner r1 hostname host1 project_dir /proj executor_type test-executor heartbeat 15s\n"
					  "runner r2 like r1 concurrency 2\n"
					  "at 0s start r1 r2\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->name, "t");
	CU_ASSERT_EQUAL(s->seed_first, 3);
	CU_ASSERT_EQUAL(s->seed_last, 9);
	CU_ASSERT_FALSE(s->seed_pinned);
	CU_ASSERT_EQUAL(s->config.stale_after_ms, 90000);
	CU_ASSERT_EQUAL(s->config.remove_after_ms, SCN_UNSET);
	CU_ASSERT_EQUAL(s->config.latency_min_ms, 2);
	CU_ASSERT_EQUAL(s->config.latency_max_ms, 30);
	CU_ASSERT_EQUAL(s->config.permute_ties, 0);
	CU_ASSERT_STRING_EQUAL(s->secret, "top secret");
	CU_ASSERT_EQUAL_FATAL(s->n_nodes, 3);
	CU_ASSERT_TRUE(s->nodes[0].is_coordinator);
	CU_ASSERT_STRING_EQUAL(s->nodes[1].hostname, "host1");
	CU_ASSERT_EQUAL(s->nodes[1].heartbeat_ms, 15000);
	/* like copies the identity, not the install */
	CU_ASSERT_STRING_EQUAL(s->nodes[2].hostname, "host1");
	CU_ASSERT_STRING_EQUAL(s->nodes[2].project_dir, "/proj");
	CU_ASSERT_STRING_NOT_EQUAL(s->nodes[2].token, s->nodes[1].token);
	CU_ASSERT_EQUAL(s->nodes[2].concurrency, 2);
	CU_ASSERT_EQUAL_FATAL(s->n_actions, 2);
	CU_ASSERT_EQUAL(s->actions[0].kind, SCN_ACT_START);
	CU_ASSERT_EQUAL(s->actions[0].node, 1);
	CU_ASSERT_EQUAL(s->actions[1].node, 2);
	CU_ASSERT_EQUAL(s->end_ms, 0);
	scn_free(s);
}

static void test_actions(void)
{
	struct scn_scenario *s = parse_ok(
		"runner r1\n"
		"at 1s partition r1 -> coordinator\n"
		"at 2s heal r1 -> coordinator\n"
		"at 3s drop next 2 heartbeats from r1 to coordinator\n"
		"at 4s delay next claim from coordinator to r1 by 5s\n"
		"at 5s skew r1 clock by -1h\n"
		"at 6s submit task t1 lasting 5m crashing 6 times after 2s ignoring SIGTERM\n"
		"at 7s create sandbox s1 for t1 and gets 201\n"
		"at 8s r1 reports sandbox s1 creating container c-1 and gets 200\n"
		"at 9s r1 registers without hostname executor_type and gets 422\n"
		"at 9s r1 registers without project_dir with wrong secret and gets 401\n"
		"at 10s report sandbox s1 running without runner id and gets 400\n"
		"at 11s rotate secret to new-one updating runners\n"
		"at 12s restart coordinator\n"
		"at 13s expect liveness\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->n_actions, 14);
	const struct scn_action *a = s->actions;
	CU_ASSERT_EQUAL(a[0].kind, SCN_ACT_PARTITION);
	CU_ASSERT_TRUE(a[0].one_way);
	CU_ASSERT_EQUAL(a[0].from, 1);
	CU_ASSERT_EQUAL(a[0].to, 0);
	CU_ASSERT_EQUAL(a[1].kind, SCN_ACT_HEAL);
	CU_ASSERT_EQUAL(a[1].partition, 0);
	CU_ASSERT_EQUAL(a[2].kind, SCN_ACT_DROP);
	CU_ASSERT_EQUAL(a[2].count, 2);
	CU_ASSERT_EQUAL(a[2].op, RC_OP_HEARTBEAT);
	CU_ASSERT_EQUAL(a[3].kind, SCN_ACT_DELAY);
	CU_ASSERT_EQUAL(a[3].count, 1);
	CU_ASSERT_EQUAL(a[3].op, RC_OP_CLAIM);
	CU_ASSERT_EQUAL(a[3].from, 0);
	CU_ASSERT_EQUAL(a[3].amount_ms, 5000);
	CU_ASSERT_EQUAL(a[4].amount_ms, -3600000);
	CU_ASSERT_EQUAL_FATAL(s->n_tasks, 1);
	CU_ASSERT_EQUAL(s->tasks[0].duration_ms, 300000);
	CU_ASSERT_EQUAL(s->tasks[0].crash_times, 6);
	CU_ASSERT_EQUAL(s->tasks[0].crash_after_ms, 2000);
	CU_ASSERT_TRUE(s->tasks[0].ignores_term);
	CU_ASSERT_EQUAL(s->sandboxes[0].task, 0);
	CU_ASSERT_EQUAL(a[6].expect_status, 201);
	CU_ASSERT_EQUAL(a[7].status_word, RC_SANDBOX_CREATING);
	CU_ASSERT_STRING_EQUAL(a[7].container, "c-1");
	CU_ASSERT_EQUAL(a[8].kind, SCN_ACT_REGISTER);
	CU_ASSERT_EQUAL(a[8].reg_flags, SCN_REG_NO_HOSTNAME | SCN_REG_NO_EXECUTOR_TYPE);
	CU_ASSERT_EQUAL(a[8].expect_status, 422);
	/* README: [without ...] [with wrong secret]; together they were refused */
	CU_ASSERT_EQUAL(a[9].kind, SCN_ACT_REGISTER);
	CU_ASSERT_EQUAL(a[9].reg_flags, SCN_REG_NO_PROJECT_DIR | SCN_REG_WRONG_SECRET);
	CU_ASSERT_EQUAL(a[9].expect_status, 401);
	CU_ASSERT_TRUE(a[10].no_runner_id);
	CU_ASSERT_EQUAL(a[10].node, -1);
	CU_ASSERT_STRING_EQUAL(a[11].new_secret, "new-one");
	CU_ASSERT_TRUE(a[11].update_runners);
	CU_ASSERT_EQUAL(a[12].kind, SCN_ACT_RESTART);
	CU_ASSERT_EQUAL(a[12].node, 0);
	CU_ASSERT_EQUAL(a[13].kind, SCN_ACT_CHECK_LIVENESS);
	CU_ASSERT_EQUAL(s->end_ms, 13000);
	scn_free(s);
}

static void test_expectations(void)
{
	struct scn_scenario *s = parse_ok(
		"runner r1\n"
		"runner r2\n"
		"expect never t1 is on r1\n"                              /* t1 defined later */
		"at 10s submit t1 lasting 5m\n"
		"at 3m expect r1 is not stale\n"
		"at 3m expect r1's id is lnch_7a0925b98c2e\n"
		"at 3m expect eventually task t1 is completed within 2m\n"
		"at end expect t1's attempt is 2\n"
		"expect r1 becomes stale between 2m20s and 2m30s\n"
		"expect t1 completed exactly once\n"
		"expect r1 gets 403 for task-complete at least 2 times between 1m and 9m\n"
		"expect t1's process on r2 gives up at most once\n"
		"expect never r2 sends register between 1m and 2m\n"
		"at 4m expect coordinator has 2 runners\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->n_expects, 11);
	const struct scn_expect *e = s->expects;
	CU_ASSERT_EQUAL(e[0].kind, SCN_EXP_NEVER);
	CU_ASSERT_EQUAL(e[0].state.kind, SCN_ST_TASK_OWNER);
	CU_ASSERT_EQUAL(e[0].state.other, 1);
	CU_ASSERT_EQUAL(e[0].from_ms, 0);
	CU_ASSERT_EQUAL(e[0].to_ms, SCN_END_OF_RUN);
	CU_ASSERT_EQUAL(e[1].kind, SCN_EXP_AT);
	CU_ASSERT_TRUE(e[1].state.negated);
	CU_ASSERT_EQUAL(e[1].state.value, RC_RUNNER_STALE);
	CU_ASSERT_EQUAL(e[1].from_ms, 180000);
	CU_ASSERT_STRING_EQUAL(e[1].text, "at 3m expect r1 is not stale");
	CU_ASSERT_EQUAL(e[2].state.kind, SCN_ST_RUNNER_ID);
	CU_ASSERT_STRING_EQUAL(e[2].state.text, "lnch_7a0925b98c2e");
	CU_ASSERT_EQUAL(e[3].kind, SCN_EXP_EVENTUALLY);
	CU_ASSERT_EQUAL(e[3].to_ms, 300000);
	CU_ASSERT_EQUAL(e[4].from_ms, SCN_END_OF_RUN);
	CU_ASSERT_EQUAL(e[4].state.kind, SCN_ST_TASK_ATTEMPT);
	CU_ASSERT_EQUAL(e[5].kind, SCN_EXP_WINDOW);
	CU_ASSERT_TRUE(e[5].is_event);
	CU_ASSERT_EQUAL(e[5].event.kind, SCN_EV_BECOMES);
	CU_ASSERT_EQUAL(e[5].from_ms, 140000);
	CU_ASSERT_EQUAL(e[5].to_ms, 150000);
	CU_ASSERT_EQUAL(e[6].kind, SCN_EXP_COUNT);
	CU_ASSERT_EQUAL(e[6].cmp, SCN_EXACTLY);
	CU_ASSERT_EQUAL(e[6].count, 1);
	CU_ASSERT_EQUAL(e[6].event.state.value, RC_TASK_COMPLETED);
	CU_ASSERT_EQUAL(e[7].event.kind, SCN_EV_REPLY);
	CU_ASSERT_EQUAL(e[7].event.status, 403);
	CU_ASSERT_EQUAL(e[7].event.op, RC_OP_TASK_COMPLETE);
	CU_ASSERT_EQUAL(e[7].cmp, SCN_AT_LEAST);
	CU_ASSERT_EQUAL(e[7].count, 2);
	CU_ASSERT_EQUAL(e[7].from_ms, 60000);
	CU_ASSERT_EQUAL(e[8].event.kind, SCN_EV_PROCESS);
	CU_ASSERT_EQUAL(e[8].event.proc, SCN_PEV_GIVES_UP);
	CU_ASSERT_EQUAL(e[8].event.node, 2);
	CU_ASSERT_EQUAL(e[8].cmp, SCN_AT_MOST);
	CU_ASSERT_EQUAL(e[9].kind, SCN_EXP_NEVER);
	CU_ASSERT_EQUAL(e[9].event.kind, SCN_EV_SEND);
	CU_ASSERT_EQUAL(e[9].to_ms, 120000);
	CU_ASSERT_EQUAL(e[10].state.kind, SCN_ST_RUNNER_COUNT);
	CU_ASSERT_EQUAL(e[10].state.value, 2);
	CU_ASSERT_EQUAL(s->end_ms, 540000); /* the latest time mentioned: 9m */
	scn_free(s);
}

/* A both-ways partition is one link whichever end is named first: healing
 * it in the other order was refused with "nothing to heal". One-way links
 * keep their direction. */
static void test_heal_either_order(void)
{
	struct scn_scenario *s = parse_ok("runner r1\n"
					  "at 1m partition coordinator from r1\n"
					  "at 2m heal r1 from coordinator\n"
					  "at 3m partition r1 from coordinator\n"
					  "at 4m heal coordinator from r1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->n_actions, 4);
	CU_ASSERT_EQUAL(s->actions[1].partition, 0);
	CU_ASSERT_EQUAL(s->actions[3].partition, 2);
	scn_free(s);
	expect_error("runner r1\nat 1m partition r1 -> coordinator\nat 2m heal coordinator -> r1\n",
		     "t.scn:3:7: nothing to heal: no earlier 'partition coordinator -> r1' is still in place");
}

/* Two expectations broken at one instant: the earlier line is reported, and
 * the outcome names that expectation (conform shows its request and reply
 * from it), whichever of the two the judge met first. */
static void test_same_instant_failures_name_the_reported_line(void)
{
	static const char *const texts[] = {
		"runner r1\nat 0s start r1\nat 30s pause r1\nat 2m30s expect r1 is online\nexpect never r1 is stale\n",
		"runner r1\nat 0s start r1\nat 30s pause r1\nexpect never r1 is stale\nat 2m30s expect r1 is online\n",
	};
	for (size_t k = 0; k < 2; k++) {
		struct scn_scenario *s = parse_ok(texts[k]);
		struct scn_outcome o;
		CU_ASSERT_EQUAL_FATAL(scn_run(s, 1, NULL, &o), 0);
		CU_ASSERT_FALSE(o.passed);
		CU_ASSERT_EQUAL(o.fail_at_ms, 150000);
		CU_ASSERT_EQUAL(o.pos.line, 4);
		CU_ASSERT_EQUAL_FATAL(o.fail_expect >= 0, true);
		CU_ASSERT_EQUAL(s->expects[o.fail_expect].pos.line, 4);
		scn_free(s);
	}
}

/* A liveness failure named the first unfinished task by the coordinator's
 * number and its runner by ID ("task 1 is running, attempt 1 on lnch_...");
 * it names both as the scenario does, as the judge's own messages do. */
static void test_liveness_failure_names_the_task(void)
{
	struct scn_scenario *s = parse_ok("runner r1\nrunner r2\nat 0s start r2\n"
					  "at 1s submit task late lasting forever\nat 5m expect liveness\n");
	struct scn_outcome o;
	CU_ASSERT_EQUAL_FATAL(scn_run(s, 1, NULL, &o), 0);
	CU_ASSERT_FALSE(o.passed);
	CU_ASSERT_STRING_EQUAL(o.what, "invariant liveness");
	CU_ASSERT_STRING_EQUAL(o.why, "0 live runner(s) not online, 1 task(s) unfinished; first: task late is running, "
				      "attempt 1, on r2");
	scn_free(s);
}

static void test_seed_pin_and_end(void)
{
	struct scn_scenario *s = parse_ok("@seed 7\nseeds 1-100\nend at 20m\nrunner r1\nat 1m start r1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(s->seed_pinned);
	CU_ASSERT_EQUAL(s->seed_first, 7);
	CU_ASSERT_EQUAL(s->seed_last, 7);
	CU_ASSERT_EQUAL(s->end_ms, 1200000);
	scn_free(s);
}

static void test_errors(void)
{
	static const struct { const char *text, *message; } cases[] = {
		{ "runner r1\nfrobnicate r1\n",
		  "t.scn:2:1: unknown keyword 'frobnicate' (a line starts with config, runner, seeds, @seed, end, at or expect)" },
		{ "runner r1\nat 2x start r1\n", "t.scn:2:4: bad duration '2x' (write e.g. 90s, 2m30s, 1500ms)" },
		{ "runner r1\nat 2m30 start r1\n", "t.scn:2:4: bad duration '2m30' (write e.g. 90s, 2m30s, 1500ms)" },
		{ "runner r1\nat 367d start r1\n", "t.scn:2:4: duration '367d' is longer than 366d, the longest rollcall takes" },
		{ "runner r1\nat 0s jump r1 clock by -367d\n",
		  "t.scn:2:24: duration '-367d' is longer than 366d, the longest rollcall takes" },
		{ "runner r1\nat 1m start r9\n", "t.scn:2:13: undefined node 'r9'" },
		{ "runner r1\nat 1m start r1\nat 30s stop r1\n", "t.scn:3:4: time goes backwards: 30s is before 1m (line 2)" },
		{ "runner r1\nexpect r1 becomes stale between 2m\n",
		  "t.scn:2:35: expected 'and' between the two times at the end of the line" },
		{ "runner r1\nexpect r1 becomes stale between 2m and 1m\n", "t.scn:2:40: the window ends before it starts" },
		{ "runner r1\nat 1m expect r1 is purple\n",
		  "t.scn:2:20: 'purple' is not something a runner can be (online, stale, removed, registered, up, down, "
		  "paused, crashed, exited, registering, active, draining)" },
		{ "runner r1\nat 1m submit t1\nat 2m start t1\n", "t.scn:3:13: 't1' is a task, not a node" },
		{ "runner r1\nat 1m submit r1\n", "t.scn:2:14: 'r1' is already defined as a runner at line 1" },
		{ "runner r1\nat 1m start r1\nconfig stale_after 1m\n",
		  "t.scn:3:1: 'config' must come before the timeline (which starts at line 2)" },
		{ "runner r1\nexpect r1 is stale\n",
		  "t.scn:2:19: a state is checked at an instant: write 'at T expect ...', 'at end expect ...', or use "
		  "'never' / 'eventually ... within D'" },
		{ "runner r1\nexpect r1 becomes stale\n",
		  "t.scn:2:24: say when the event happens: 'between A and B', a count ('exactly once', 'at least 2 times'), "
		  "or 'at T expect ...'" },
		{ "runner r1\nat 2m expect r1 becomes stale between 1m and 2m\n",
		  "t.scn:2:31: 'at T expect' checks one instant: drop 'at T' to look at a window or to count" },
		/* was "unexpected 'between' after the end of the statement" */
		{ "runner r1\nat 1m expect never r1 is stale between 1m and 2m\n",
		  "t.scn:2:32: 'at T expect never' looks from T to the end of the run: drop 'at T' to look between A and B" },
		{ "runner r1\nconfig stale_afterr 2m\n", "t.scn:2:8: unknown setting 'stale_afterr'" },
		{ "config stale_after 3m\nconfig stale_after 4m\n", "t.scn:2:8: 'stale_after' is set on an earlier line already" },
		{ "config latency 5ms\nconfig latency between 1ms and 2ms\n",
		  "t.scn:2:8: 'latency' is set on an earlier line already" },
		{ "config secret a\nconfig secret b\n", "t.scn:2:8: 'secret' is set on an earlier line already" },
		/* a property, a submit clause or a node given twice was taken,
		 * the last one winning (or the node started twice) */
		{ "runner r1 hostname a hostname b\n",
		  "t.scn:1:22: 'hostname' is given twice in this runner's declaration (first at column 11)" },
		{ "runner r1 like r1\nrunner r2\nrunner r3 like r2 like r2\n",
		  "t.scn:1:16: 'like r1': r1 is declared at line 1; 'like' copies a runner declared on an earlier line" },
		{ "runner r2\nrunner r3 like r2 concurrency 2 like r2\n",
		  "t.scn:2:33: 'like' is given twice in this runner's declaration (first at column 11)" },
		{ "runner r2\nrunner r3 heartbeat 5s like r2\n",
		  "t.scn:2:29: 'like r2' sets heartbeat, given before it (column 11), which it would replace: write "
		  "'like' first and then what differs" },
		{ "runner r1\nat 1s submit task t1 lasting 1m failing kind k lasting 2m\n",
		  "t.scn:2:48: 'lasting' is given twice in this submit (first at column 22)" },
		{ "runner r1\nat 1s submit t1 ignoring SIGTERM crashing 1 time ignoring SIGTERM\n",
		  "t.scn:2:50: 'ignoring' is given twice in this submit (first at column 17)" },
		{ "runner r1\nrunner r2\nat 1s pause r1 coordinator r2 r1\n",
		  "t.scn:3:31: 'r1' is given twice in this 'pause' (first at column 13)" },
		/* an expected ID of no runner's shape was taken, and could never hold */
		{ "runner r1\nat 1m expect r1's id is foo\n",
		  "t.scn:2:25: 'foo' is not a runner ID: 'lnch_' and 12 lower-case hex digits, as 'rollcall id' prints" },
		{ "runner r1\nat 1m expect r1's id is not lnch_7a0925b98c2e1\n",
		  "t.scn:2:29: 'lnch_7a0925b98c2e1' is not a runner ID: 'lnch_' and 12 lower-case hex digits, as "
		  "'rollcall id' prints" },
		{ "runner report\n", "t.scn:1:8: 'report' is a keyword and cannot be a name" },
		{ "runner r1\nat 1s submit task start\n", "t.scn:2:19: 'start' is a keyword and cannot be a name" },
		{ "at 5s create sandbox s1\nat 10s report sandbox s1 running and gets 400\n",
		  "t.scn:2:8: a report from no runner says so: 'report sandbox S STATUS without runner id' "
		  "(or name the runner: 'R reports sandbox ...')" },
		{ "runner r1\nconfig heartbeat_interval 1500ms\n",
		  "t.scn:2:27: heartbeat_interval is told to runners in whole seconds" },
		{ "runner r1 colour blue\n",
		  "t.scn:1:11: unknown runner property 'colour' (hostname, project_dir, executor_type, token, heartbeat, "
		  "concurrency, like)" },
		{ "runner at\n", "t.scn:1:8: 'at' is a keyword and cannot be a name" },
		{ "runner 9lives\n", "t.scn:1:8: bad name '9lives' (letters, digits, '_', '-', '.'; starting with a letter)" },
		/* README: names start with a letter; '_r1' was taken */
		{ "runner _r1\n", "t.scn:1:8: bad name '_r1' (letters, digits, '_', '-', '.'; starting with a letter)" },
		/* a long name of letters was called "bad" for its characters */
		{ "runner rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\n",
		  "t.scn:1:8: name 'rrrrrrrrrrrrrrrr...' is 64 characters long, more than 63" },
		{ "runner r1\nrunner r1\n", "t.scn:2:8: 'r1' is already defined as a runner at line 1" },
		/* a long word is quoted by its first 48 bytes, never cut inside a
		 * UTF-8 sequence, and the reason after it is kept (messages were
		 * cut at 512 bytes, losing the closing quote and the reason) */
		{ "runner r1\nat 1m expect r1 is bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n",
		  "t.scn:2:20: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' is not something a runner can be (online, "
		  "stale, removed, registered, up, down, paused, crashed, exited, registering, active, draining)" },
		{ "runner r1\nat 1m expect r1 is x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n",
		  "t.scn:2:20: 'x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...' "
		  "is not something a runner can be (online, stale, removed, registered, up, down, paused, crashed, exited, "
		  "registering, active, draining)" },
		/* a clone of a runner declared later silently got that runner's
		 * default properties, not the ones its own line gives */
		{ "runner r1 like r2\nrunner r2 hostname h2\n",
		  "t.scn:1:16: 'like r2': r2 is declared at line 2; 'like' copies a runner declared on an earlier line" },
		{ "runner r1 like r1\n",
		  "t.scn:1:16: 'like r1': r1 is declared at line 1; 'like' copies a runner declared on an earlier line" },
		{ "runner r1\nat 1m heal r1 from coordinator\n",
		  "t.scn:2:7: nothing to heal: no earlier 'partition r1 from coordinator' is still in place" },
		{ "runner r1\nrunner r2\nat 1m partition r1 from r2\n",
		  "t.scn:3:25: a link joins the coordinator and a runner (runners only talk to the coordinator)" },
		{ "runner r1\nat 1m drop next 1 hartbeat from r1 to coordinator\n",
		  "t.scn:2:19: unknown request kind 'hartbeat' (register, heartbeat, claim, task-status, task-complete, "
		  "sandbox-report, ...)" },
		{ "runner r1\nat 1m r1 reports sandbox s1 running\n", "t.scn:2:26: undefined sandbox 's1'" },
		{ "runner r1\nat 1m create sandbox s1\nat 2m r1 reports sandbox s1 runing\n",
		  "t.scn:3:29: unknown sandbox status 'runing' (pending, creating, starting, running, deleting, deleted, "
		  "failed)" },
		{ "runner r1\nat 1m r1 registers without secret with wrong secret\n",
		  "t.scn:2:46: a registration without a secret cannot have a wrong one" },
		/* was "undefined runner or task or sandbox 'liveness'" */
		{ "runner r1\nat end expect liveness\n",
		  "t.scn:2:15: 'expect liveness' is checked at a time: write 'at T expect liveness' (T at most the end "
		  "of the run)" },
		/* these three were "undefined runner or task or sandbox 'liveness'" */
		{ "runner r1\nexpect liveness\n",
		  "t.scn:2:1: 'expect liveness' is missing the time it is checked at: write 'at T expect liveness' (e.g. "
		  "'at 10m expect liveness')" },
		{ "runner r1\nexpect never liveness between 1m and 2m\n",
		  "t.scn:2:14: liveness is checked at one instant, not with 'never': write 'at T expect liveness'" },
		{ "runner r1\nat 1m expect eventually liveness within 5m\n",
		  "t.scn:2:25: liveness is checked at one instant, not with 'eventually': write 'at T expect liveness'" },
		{ "runner r1\nat 1m r1 reports sandbox\n",
		  "t.scn:2:25: expected the name of a sandbox at the end of the line" },
		{ "runner r1\nexpect r1 gets 4033\n",
		  "t.scn:2:16: an HTTP status (e.g. 200, 403, 409) must be between 100 and 599, not 4033" },
		{ "runner r1\nat 1m start r1 now\n", "t.scn:2:16: undefined node 'now'" },
		{ "runner r1\nat 1m expect r1 is stale soon\n", "t.scn:2:26: unexpected 'soon' after the end of the statement" },
		{ "runner r1\nat 1m \"oops\n", "t.scn:2:7: unterminated quoted text" },
		{ "runner r1 hostname h\xe9st\n", "t.scn:1:20: not UTF-8 text (a scenario file is UTF-8)" },
		{ "runner r1 hostname \"caf\xc3\"\n", "t.scn:1:20: not UTF-8 text (a scenario file is UTF-8)" },
		{ "seeds 10-1\nrunner r1\n", "t.scn:1:7: bad seed range '10-1'" },
		{ "end at 1m\nrunner r1\nat 2m start r1\n", "t.scn:1:1: the run ends at 1m but the file looks at 2m" },
		{ "config stale_after 1m\n", "t.scn:1:1: no runner declared (add e.g. 'runner r1')" },
		{ "runner r1\nexpect t1 completed exactly once\n", "t.scn:2:8: undefined runner or task or sandbox 't1'" },
		{ "runner r1\nat 1m submit t1\nexpect t1 completed exactly 2\n",
		  "t.scn:3:30: expected 'times' after the count at the end of the line" },
		{ "runner r1\nat 1m submit t1\nat 2m expect t1 becomes not queued\n",
		  "t.scn:3:25: 'not' is not a task state (queued, running, completed, failed)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_error(cases[i].text, cases[i].message);
}

static void test_errors_are_all_reported(void)
{
	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse("t.scn", "runner r1\nat 1x start r1\nat 2m start r2\nbogus\n", &d);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL_FATAL(d.len, 3);
	CU_ASSERT_STRING_EQUAL(d.items[1], "t.scn:3:13: undefined node 'r2'");
	scn_diags_free(&d);
}

/* One mistake, one message: a bad word after 'updating' was reported twice
 * (as not 'runners', then as a word after the end of the statement). */
static void test_one_mistake_one_message(void)
{
	struct scn_diags d;
	scn_diags_init(&d);
	CU_ASSERT_PTR_NULL(scn_parse("t.scn", "runner r1\nat 1s rotate secret updating foo\n", &d));
	CU_ASSERT_EQUAL_FATAL(d.len, 1);
	CU_ASSERT_STRING_EQUAL(d.items[0], "t.scn:2:30: expected 'runners' after 'updating', found 'foo'");
	scn_diags_free(&d);
}

static void test_missing_file(void)
{
	struct scn_diags d;
	scn_diags_init(&d);
	CU_ASSERT_PTR_NULL(scn_parse_file("no/such/file.scn", &d));
	CU_ASSERT_EQUAL_FATAL(d.len, 1);
	CU_ASSERT_STRING_EQUAL(d.items[0], "no/such/file.scn: No such file or directory");
	scn_diags_free(&d);
}

static void test_durations(void)
{
	static const struct { const char *text; int64_t ms; } good[] = {
		{ "0", 0 }, { "1500ms", 1500 }, { "90s", 90000 }, { "2m30s", 150000 },
		{ "1h", 3600000 }, { "9s999ms", 9999 }, { "250", 250 },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t ms = -1;
		CU_ASSERT_EQUAL(scn_parse_duration(good[i].text, &ms), 0);
		CU_ASSERT_EQUAL(ms, good[i].ms);
	}
	static const char *const bad[] = { "", "s", "2x", "2m30", "30s2m", "1.5s", "-1s", "2 m",
					   "99999999999999999999999x", "99999999999999999999999d1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ms;
		CU_ASSERT_EQUAL(scn_parse_duration(bad[i], &ms), -1);
	}
	/* a year and a day at most; longer, however many digits, is -2 */
	int64_t longest = -1;
	CU_ASSERT_EQUAL(scn_parse_duration("366d", &longest), 0);
	CU_ASSERT_EQUAL(longest, SCN_DURATION_MAX_MS);
	CU_ASSERT_EQUAL(scn_parse_duration("8784h", &longest), 0);
	static const char *const too_long[] = { "366d1ms", "367d", "8785h", "31622400001", "2562047788015h",
						"9223372036854775807", "99999999999999999999999h", "1d9999999999999h" };
	for (size_t i = 0; i < sizeof too_long / sizeof too_long[0]; i++) {
		int64_t ms = -1;
		CU_ASSERT_EQUAL(scn_parse_duration(too_long[i], &ms), -2);
		CU_ASSERT_EQUAL(ms, -1);
	}
	char buf[32];
	CU_ASSERT_STRING_EQUAL(scn_format_duration(0, buf, sizeof buf), "0s");
	CU_ASSERT_STRING_EQUAL(scn_format_duration(150000, buf, sizeof buf), "2m30s");
	CU_ASSERT_STRING_EQUAL(scn_format_duration(3601500, buf, sizeof buf), "1h1s500ms");
	CU_ASSERT_STRING_EQUAL(scn_format_duration(-30000, buf, sizeof buf), "-30s");
	/* what is printed parses back to the same time */
	for (int64_t ms = 0; ms < 5000000; ms += 12347) {
		int64_t back;
		CU_ASSERT_EQUAL_FATAL(scn_parse_duration(scn_format_duration(ms, buf, sizeof buf), &back), 0);
		CU_ASSERT_EQUAL_FATAL(back, ms);
	}
}

static void test_seed_ranges(void)
{
	uint64_t a, b;
	CU_ASSERT_EQUAL(scn_parse_seed_range("1-100", &a, &b), 0);
	CU_ASSERT_EQUAL(a, 1);
	CU_ASSERT_EQUAL(b, 100);
	CU_ASSERT_EQUAL(scn_parse_seed_range("7", &a, &b), 0);
	CU_ASSERT_EQUAL(a, 7);
	CU_ASSERT_EQUAL(b, 7);
	CU_ASSERT_EQUAL(scn_parse_seed_range("5-4", &a, &b), -1);
	CU_ASSERT_EQUAL(scn_parse_seed_range("1-", &a, &b), -1);
	CU_ASSERT_EQUAL(scn_parse_seed_range("x", &a, &b), -1);
	CU_ASSERT_EQUAL(scn_parse_seed_range("-3", &a, &b), -1);
}

/* CRLF files parse like LF ones, a last line without a newline included;
 * one ending in a bare '\r' used to loop forever. */
static void test_crlf_line_ends(void)
{
	static const char *const texts[] = {
		"runner r1\r\nat 1s start r1\r\nat 2s stop r1\r\n",
		"runner r1\r\nat 1s start r1\r\nat 2s stop r1\r",
		"runner r1\r\nat 1s start r1\r\nat 2s stop r1",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct scn_scenario *s = parse_ok(texts[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->n_nodes, 2);
		CU_ASSERT_EQUAL(s->n_actions, 2);
		CU_ASSERT_EQUAL(s->end_ms, 2000);
		scn_free(s);
	}
	expect_error("runner r1\r\nat 1s start r1\r\nat 2s stop r2\r", "t.scn:3:12: undefined node 'r2'");
}

/* A UTF-8 byte order mark (some editors write one) is not part of the first
 * word: the file used to be refused with "unknown keyword 'runner'". Columns
 * count from after it, as an editor shows them. */
static void test_byte_order_mark(void)
{
	struct scn_scenario *s = parse_ok("\xef\xbb\xbfrunner r1\nat 1s start r1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_nodes, 2);
	CU_ASSERT_EQUAL(s->n_actions, 1);
	scn_free(s);
	expect_error("\xef\xbb\xbfrunner 9lives\n",
		     "t.scn:1:8: bad name '9lives' (letters, digits, '_', '-', '.'; starting with a letter)");
	expect_error("\xef\xbb\xbf", "t.scn:1:1: no runner declared (add e.g. 'runner r1')");
}

/* The warnings of a text that parses, joined by newlines. */
static void expect_warnings(const char *text, const char *want)
{
	struct scn_scenario *s = parse_ok(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct scn_diags d;
	scn_diags_init(&d);
	scn_warnings(s, &d);
	char got[2048] = "";
	for (size_t i = 0; i < d.len; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "\n" : "", d.items[i]);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "warnings: got '%s', want '%s'\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	scn_diags_free(&d);
	scn_free(s);
}

static void test_vacuous_expectations_warn(void)
{
	expect_warnings("runner r1\nat 0s start r1\nexpect never r1 is stale\n",
			"t.scn:3:1: warning: the run ends at 0s, where this expectation starts: it looks at one "
			"instant only (add 'end at' with a later time)");
	expect_warnings("runner r1\nend at 5m\nat 0s start r1\nexpect never r1 is stale\n", "");
	expect_warnings("runner r1\nrunner r2\nat 0s start r1\nexpect never r2 sends heartbeat between 0s and 1m\n"
			"expect r2 sends claim exactly 0 times\nexpect r2 sends claim exactly 1 time\n"
			"at 1m expect never r2 is not active\n",
			"t.scn:4:1: warning: r2 is never started, so this holds whatever the code does\n"
			"t.scn:5:1: warning: r2 is never started, so this holds whatever the code does");
	/* The record is the ID's: a clone that runs can make it stale. */
	expect_warnings("runner r1\nrunner r2 like r1\nend at 2m\nat 0s start r1\nat 1m expect never r2 is stale\n", "");
	expect_warnings("runner r1\nrunner r2\nend at 2m\nat 0s start r1\nat 1m expect never r2 is stale\n",
			"t.scn:5:1: warning: neither r2 nor a runner with its properties is ever started, so this "
			"holds whatever the code does");
	/* A task's or sandbox's owner is compared by ID as well: r1, a clone
	 * of r2 that runs, can own them. */
	expect_warnings("runner r1\nrunner r2 like r1\nend at 2m\nat 0s start r1\nat 5s submit task t1 lasting 10m\n"
			"at 6s create sandbox s1 for t1 and gets 201\nexpect never t1 is on r2\n"
			"expect never sandbox s1 is bound to r2\n",
			"");
	expect_warnings("runner r1\nrunner r2\nend at 2m\nat 0s start r1\nat 5s submit task t1 lasting 10m\n"
			"expect never t1 is on r2\n",
			"t.scn:6:1: warning: neither r2 nor a runner with its properties is ever started, so this "
			"holds whatever the code does");
	/* A hand-made request is the runner's own doing. */
	expect_warnings("runner r1\nat 0s r1 registers\nexpect never r1 gets 401 between 0s and 1s\n", "");
}

void rc_test_register_scn_parse(void)
{
	static CU_TestInfo tests[] = {
		{ "declarations", test_declarations },
		{ "actions", test_actions },
		{ "expectations", test_expectations },
		{ "heal names a link in either order", test_heal_either_order },
		{ "two failures at one instant: the reported line names its expectation", test_same_instant_failures_name_the_reported_line },
		{ "a liveness failure names the task as the scenario does", test_liveness_failure_names_the_task },
		{ "seed pin and end", test_seed_pin_and_end },
		{ "every error has its line and column", test_errors },
		{ "errors are all reported", test_errors_are_all_reported },
		{ "one mistake, one message", test_one_mistake_one_message },
		{ "missing file", test_missing_file },
		{ "durations parse and print back", test_durations },
		{ "seed ranges", test_seed_ranges },
		{ "CRLF line ends", test_crlf_line_ends },
		{ "byte order mark", test_byte_order_mark },
		{ "vacuous expectations warn", test_vacuous_expectations_warn },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("scn_parse", tests);
}
