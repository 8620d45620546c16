/*
 * test_report_evidence.c - judging checklist items from results, the replay
 * commands, per-item coverage and the ticked Markdown (report/evidence.c,
 * results.c, coverage.c, render.c, util.c).
 *
 * The rule under test: an item is ticked only if every scenario and test it
 * names has a result and all passed; a failing, skipped or missing result
 * leaves it unticked and counts as failing; naming nothing is a gap, never
 * ticked, even when the source ticked it by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "coverage.h"
#include "evidence.h"
#include "render.h"
#include "results.h"
#include "unit.h"
#include "util.h"

static const char checklist_text[] =
	"# C\n"
	"- [ ] stale <!-- verify: scenario stale -->\n"
	"- [ ] two <!-- verify: scenario stale, removal -->\n"
	"- [ ] unit suite <!-- verify: unit registry -->\n"
	"- [ ] one unit test <!-- verify: unit registry/\"t b\" -->\n"
	"- [ ] typo <!-- verify: scenario stal -->\n"
	"- [x] hand-ticked gap\n"
	"- [ ] skipped <!-- verify: scenario skip-me -->\n";

static void add_case(struct rpt_results *r, const char *classname, const char *name, enum rpt_verdict v)
{
	struct rpt_case c = { .classname = (char *)classname, .name = (char *)name, .verdict = v,
			      .wall_s = 0.5, .simulated_ms = 180000, .seeds = (char *)"1-100" };
	if (v == RPT_FAIL) {
		c.message = (char *)"expect r1 is stale: it is online";
		c.seed = (char *)"17";
		c.replay = (char *)"build/bin/rollcall run --seeds 17 scenarios/x.scn";
	}
	rpt_results_add(r, &c);
}

struct world {
	struct rpt_checklist c;
	struct rpt_results r;
	struct rpt_judged j;
};

static void judge(struct world *w, enum rpt_verdict stale, enum rpt_verdict unit_b)
{
	char err[256];
	memset(w, 0, sizeof *w);
	CU_ASSERT_EQUAL_FATAL(rpt_checklist_parse("c.md", checklist_text, &w->c, err, sizeof err), 0);
	add_case(&w->r, "scenarios", "stale", stale);
	add_case(&w->r, "scenarios", "removal", RPT_PASS);
	add_case(&w->r, "unit.registry", "t a", RPT_PASS);
	add_case(&w->r, "unit.registry", "t b", unit_b);
	add_case(&w->r, "scenarios", "skip-me", RPT_SKIPPED);
	rpt_judge(&w->c, &w->r, &w->j);
}

static void done(struct world *w)
{
	rpt_judged_free(&w->j);
	rpt_results_free(&w->r);
	rpt_checklist_free(&w->c);
}

static void test_all_pass(void)
{
	struct world w;
	judge(&w, RPT_PASS, RPT_PASS);
	CU_ASSERT_EQUAL(w.j.items[0].status, RPT_ITEM_VERIFIED);
	CU_ASSERT_EQUAL(w.j.items[1].status, RPT_ITEM_VERIFIED);
	CU_ASSERT_EQUAL(w.j.items[2].status, RPT_ITEM_VERIFIED);
	CU_ASSERT_EQUAL(w.j.items[2].refs[0].n_cases, 2);
	CU_ASSERT_EQUAL(w.j.items[3].status, RPT_ITEM_VERIFIED);
	CU_ASSERT_EQUAL(w.j.items[3].refs[0].n_cases, 1);
	CU_ASSERT_EQUAL(w.j.items[4].status, RPT_ITEM_FAILING); /* the typo matches nothing */
	CU_ASSERT_EQUAL(w.j.items[4].refs[0].verdict, RPT_MISSING);
	CU_ASSERT_PTR_NULL(w.j.items[4].refs[0].worst);
	CU_ASSERT_EQUAL(w.j.items[5].status, RPT_ITEM_GAP);
	CU_ASSERT_EQUAL(w.j.items[6].status, RPT_ITEM_FAILING); /* skipped is not evidence */
	CU_ASSERT_EQUAL(w.j.items[6].refs[0].verdict, RPT_SKIPPED);
	CU_ASSERT_EQUAL(w.j.verified, 4);
	CU_ASSERT_EQUAL(w.j.failing, 2);
	CU_ASSERT_EQUAL(w.j.gaps, 1);
	done(&w);
}

static void test_a_failing_scenario_fails_every_item_naming_it(void)
{
	struct world w;
	judge(&w, RPT_FAIL, RPT_PASS);
	CU_ASSERT_EQUAL(w.j.items[0].status, RPT_ITEM_FAILING);
	CU_ASSERT_EQUAL(w.j.items[1].status, RPT_ITEM_FAILING); /* removal passed, stale did not */
	CU_ASSERT_EQUAL(w.j.items[1].refs[0].verdict, RPT_FAIL);
	CU_ASSERT_EQUAL(w.j.items[1].refs[1].verdict, RPT_PASS);
	CU_ASSERT_EQUAL(w.j.verified, 2);
	CU_ASSERT_EQUAL(w.j.failing, 4);
	done(&w);
}

static void test_one_failing_unit_test_fails_its_suite(void)
{
	struct world w;
	judge(&w, RPT_PASS, RPT_ERROR);
	CU_ASSERT_EQUAL(w.j.items[2].status, RPT_ITEM_FAILING);
	CU_ASSERT_STRING_EQUAL(w.j.items[2].refs[0].worst->name, "t b");
	CU_ASSERT_EQUAL(w.j.items[3].status, RPT_ITEM_FAILING);
	done(&w);
}

/* Render into memory. */
static char *markdown_of(const struct rpt_judged *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	rpt_write_checklist_md(f, j, "results.xml");
	fclose(f);
	return text;
}

static void test_markdown_ticks_only_verified_items(void)
{
	struct world w;
	judge(&w, RPT_FAIL, RPT_PASS);
	char *md = markdown_of(&w.j);
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "\n- [ ] stale <!-- verify: scenario stale -->\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "\n- [x] unit suite"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "\n- [ ] hand-ticked gap\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "ticked by hand in the source"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "**FAIL at seed 17: expect r1 is stale: it is online**"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "Replay: `build/bin/rollcall run --seeds 17 scenarios/x.scn`"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "scenario `stal`: **no result: nothing by that name in the results**"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "| verified (ticked) | 2 |\n| failing | 4 |\n| gaps: no verifying scenario | 1 |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md, "- line 7: hand-ticked gap"));
	free(md);
	done(&w);
}

static void test_json_summary(void)
{
	struct world w;
	judge(&w, RPT_FAIL, RPT_PASS);
	json_t *j = rpt_judged_json(&w.j, "out/c.md", "out/c.html");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "failing")), 4);
	json_t *first = json_array_get(json_object_get(j, "items"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(first, "status")), "failing");
	json_t *ref = json_array_get(json_object_get(first, "refs"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ref, "ref")), "scenario stale");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ref, "verdict")), "FAIL");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ref, "message")), "expect r1 is stale: it is online");
	json_decref(j);
	done(&w);
}

static void test_replay_commands(void)
{
	struct rpt_case scn = { .classname = "scenarios", .name = "a", .seeds = "1-100", .file = "scenarios/a.scn" };
	char *cmd = rpt_case_replay(&scn);
	CU_ASSERT_STRING_EQUAL(cmd, "build/bin/rollcall run --seeds 1-100 scenarios/a.scn");
	free(cmd);
	scn.seed = "17"; /* a failing seed wins over the range */
	scn.file = NULL;
	cmd = rpt_case_replay(&scn);
	CU_ASSERT_STRING_EQUAL(cmd, "build/bin/rollcall run --seeds 17 scenarios/a.scn");
	free(cmd);
	struct rpt_case unit = { .classname = "unit.registry", .name = "it's 1, 2" };
	cmd = rpt_case_replay(&unit);
	CU_ASSERT_STRING_EQUAL(cmd, "build/bin/unit-tests registry 'it'\\''s 1, 2'");
	free(cmd);
	struct rpt_ref suite = { .kind = RPT_REF_UNIT, .name = "registry" };
	struct rpt_ref_outcome o = { .ref = &suite, .verdict = RPT_PASS, .worst = &unit };
	cmd = rpt_ref_replay(&o); /* a passing suite replays as a suite */
	CU_ASSERT_STRING_EQUAL(cmd, "build/bin/unit-tests registry");
	free(cmd);
	struct rpt_case it = { .classname = "integration", .name = "test_drain_kill" };
	cmd = rpt_case_replay(&it);
	CU_ASSERT_STRING_EQUAL(cmd, "RC_BIN=$PWD/build/bin bash tests/integration/run.sh test_drain_kill");
	free(cmd);
	struct rpt_ref missing = { .kind = RPT_REF_SCENARIO, .name = "b" };
	struct rpt_ref_outcome none = { .ref = &missing, .verdict = RPT_MISSING };
	cmd = rpt_ref_replay(&none);
	CU_ASSERT_STRING_EQUAL(cmd, "build/bin/rollcall run scenarios/b.scn");
	free(cmd);
}

static void test_case_facts_from_text(void)
{
	struct rpt_case c = { .simulated_ms = -1 };
	rpt_case_scan_lines(&c, "starting\nseeds: 1-50\n  simulated: 2m30s\nreplay: rollcall run x\n"
				"Seed: 3\nbogus line: value\nseed:\n");
	CU_ASSERT_STRING_EQUAL(c.seeds, "1-50");
	CU_ASSERT_EQUAL(c.simulated_ms, 150000);
	CU_ASSERT_STRING_EQUAL(c.replay, "rollcall run x");
	CU_ASSERT_PTR_NULL(c.seed); /* keys are lowercase; an empty value is ignored */
	CU_ASSERT_TRUE(rpt_case_set(&c, "simulated_ms", "960000"));
	CU_ASSERT_EQUAL(c.simulated_ms, 960000);
	CU_ASSERT_FALSE(rpt_case_set(&c, "simulated", "soon"));
	CU_ASSERT_EQUAL(c.simulated_ms, 960000);
	CU_ASSERT_FALSE(rpt_case_set(&c, "colour", "red"));
	free(c.seeds);
	free(c.replay);
}

static void test_matching(void)
{
	struct rpt_case by_file = { .classname = "gate", .name = "scenarios/x.scn", .file = "scenarios/x.scn" };
	struct rpt_case unit = { .classname = "unit.x", .name = "x" };
	struct rpt_case it = { .classname = "integration", .name = "x" };
	struct rpt_ref x = { .kind = RPT_REF_SCENARIO, .name = "x" };
	struct rpt_ref ux = { .kind = RPT_REF_UNIT, .name = "x" };
	struct rpt_ref ix = { .kind = RPT_REF_INTEGRATION, .name = "x" };
	CU_ASSERT_TRUE(rpt_case_matches(&by_file, &x));
	CU_ASSERT_FALSE(rpt_case_matches(&unit, &x)); /* a unit test is not a scenario */
	CU_ASSERT_FALSE(rpt_case_matches(&it, &x));
	CU_ASSERT_TRUE(rpt_case_matches(&unit, &ux));
	CU_ASSERT_FALSE(rpt_case_matches(&by_file, &ux));
	CU_ASSERT_FALSE(rpt_case_matches(&it, &ux));
	CU_ASSERT_TRUE(rpt_case_matches(&it, &ix));
	CU_ASSERT_FALSE(rpt_case_matches(&unit, &ix));
	CU_ASSERT_EQUAL(rpt_case_kind(&it), RPT_CASE_INTEGRATION);
	CU_ASSERT_EQUAL(rpt_case_kind(&by_file), RPT_CASE_SCENARIO);
}

static void test_coverage_of_one_item(void)
{
	struct rpt_coverage cov;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(rpt_coverage_load(rc_unit_fixture("reports/item-coverage.json"), "reference/", &cov, err,
						sizeof err),
			      0);
	CU_ASSERT_TRUE(cov.measured);
	CU_ASSERT_EQUAL_FATAL(cov.n_files, 2); /* sim/ filtered out, the unexercised file left out */
	CU_ASSERT_STRING_EQUAL(cov.files[0].path, "reference/core/identity.c");
	const struct rpt_cov_file *reg = &cov.files[1];
	CU_ASSERT_EQUAL(reg->lines_hit, 2);
	CU_ASSERT_EQUAL(reg->lines_total, 3); /* noncode and excluded lines do not count */
	CU_ASSERT_EQUAL(reg->functions_total, 3);
	CU_ASSERT_EQUAL_FATAL(reg->n_functions, 2);
	CU_ASSERT_STRING_EQUAL(reg->functions[0].name, "rc_registry_heartbeat"); /* line order */
	CU_ASSERT_EQUAL(reg->functions[1].calls, 3);
	CU_ASSERT_EQUAL(cov.lines_hit, 3);
	rpt_coverage_free(&cov);
	CU_ASSERT_EQUAL(rpt_coverage_load(rc_unit_fixture("reports/mini.md"), NULL, &cov, err, sizeof err), -1);
	CU_ASSERT_FALSE(cov.measured);
}

static void test_durations(void)
{
	char buf[32];
	long long ms;
	CU_ASSERT_STRING_EQUAL(rpt_format_ms(950, buf, sizeof buf), "950ms");
	CU_ASSERT_STRING_EQUAL(rpt_format_ms(12500, buf, sizeof buf), "12.5s");
	CU_ASSERT_STRING_EQUAL(rpt_format_ms(150000, buf, sizeof buf), "2m30s");
	CU_ASSERT_STRING_EQUAL(rpt_format_ms(3605000, buf, sizeof buf), "1h0m5s");
	CU_ASSERT_STRING_EQUAL(rpt_format_ms(-1, buf, sizeof buf), "-");
	CU_ASSERT_EQUAL(rpt_parse_ms("2m30s", &ms), 0);
	CU_ASSERT_EQUAL(ms, 150000);
	CU_ASSERT_EQUAL(rpt_parse_ms("1500ms", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1500);
	CU_ASSERT_EQUAL(rpt_parse_ms("0.031s", &ms), 0);
	CU_ASSERT_EQUAL(ms, 31);
	CU_ASSERT_EQUAL(rpt_parse_ms("42", &ms), 0);
	CU_ASSERT_EQUAL(ms, 42);
	const char *bad[] = { "", "s", "-5s", "nan", "0x10", "5 s", "5q", "1m5", " 5s" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(rpt_parse_ms(bad[i], &ms), -1);
}

static void test_relative_links(void)
{
	static const struct { const char *from, *to, *link; } cases[] = {
		{ "fixtures/reports", "fixtures/checklists/README.md", "../checklists/README.md" },
		{ "fixtures", "fixtures/reports/mini.md", "reports/mini.md" },
		{ "fixtures", "no/such/file", "no/such/file" },
		/* a URL path: nothing in a file name ends the link or makes it a scheme */
		{ "fixtures", "javascript:alert(1)", "javascript%3Aalert%281%29" },
		{ "fixtures", "a b/c#d?e%f\"\xc3\xa9.svg", "a%20b/c%23d%3Fe%25f%22%C3%A9.svg" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *link = rpt_relative_link(cases[i].from, cases[i].to);
		CU_ASSERT_STRING_EQUAL(link, cases[i].link);
		free(link);
	}
}

void rc_test_register_report_evidence(void)
{
	static CU_TestInfo tests[] = {
		{ "all pass: verified, typo and skipped fail, gap", test_all_pass },
		{ "a failing scenario fails every item naming it", test_a_failing_scenario_fails_every_item_naming_it },
		{ "one failing unit test fails its suite", test_one_failing_unit_test_fails_its_suite },
		{ "markdown ticks only verified items", test_markdown_ticks_only_verified_items },
		{ "json summary", test_json_summary },
		{ "replay commands", test_replay_commands },
		{ "case facts from system-out text", test_case_facts_from_text },
		{ "matching scenarios and unit tests", test_matching },
		{ "coverage of one item", test_coverage_of_one_item },
		{ "durations", test_durations },
		{ "relative links", test_relative_links },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("report_evidence", tests);
}
