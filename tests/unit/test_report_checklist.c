/*
 * test_report_checklist.c - parsing Markdown checklists and their
 * `<!-- verify: ... -->` annotations (report/checklist.c).
 *
 * The parser decides what counts as evidence for an item, so a slip here
 * would tick an item nothing verified: each form of the annotation, the
 * document structure kept for the ticked copy, and every error message with
 * its line and column are checked.
 */
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "unit.h"

static struct rpt_checklist parse_ok(const char *text)
{
	struct rpt_checklist c;
	char err[256] = "";
	int rc = rpt_checklist_parse("dir/list.md", text, &c, err, sizeof err);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "unexpected parse error: %s\n", err);
	return c;
}

/* Parse text that must fail; returns the message (static). */
static const char *parse_error(const char *text)
{
	static char err[256];
	struct rpt_checklist c;
	err[0] = '\0';
	CU_ASSERT_EQUAL(rpt_checklist_parse("x.md", text, &c, err, sizeof err), -1);
	CU_ASSERT_EQUAL(c.n_items, 0);
	return err;
}

static void test_items_refs_and_text(void)
{
	struct rpt_checklist c = parse_ok(
		"# Title\n\nSome prose.\n\n## Lifecycle\n"
		"- [ ] Goes stale <!-- verify: scenario stale-after-2-min, boundary-stale-at-120s; unit registry -->\n"
		"* [x] One test <!-- verify: unit registry/\"stale at age 120000, not 119999\" -->\n"
		"1. [ ] Numbered, no annotation\n"
		"- [ ] Real daemons <!-- verify: integration test_drain_kill, test_stale_remove -->\n");
	CU_ASSERT_STRING_EQUAL(c.name, "list");
	CU_ASSERT_STRING_EQUAL(c.title, "Title");
	CU_ASSERT_EQUAL_FATAL(c.n_items, 4);
	CU_ASSERT_EQUAL_FATAL(c.items[3].n_refs, 2);
	CU_ASSERT_EQUAL(c.items[3].refs[0].kind, RPT_REF_INTEGRATION);
	CU_ASSERT_STRING_EQUAL(c.items[3].refs[1].name, "test_stale_remove");
	CU_ASSERT_PTR_NULL(c.items[3].refs[1].test);
	const struct rpt_item *a = &c.items[0];
	CU_ASSERT_STRING_EQUAL(a->text, "Goes stale");
	CU_ASSERT_EQUAL(a->line, 6);
	CU_ASSERT_STRING_EQUAL(a->section, "Lifecycle");
	CU_ASSERT_FALSE(a->ticked_in_source);
	CU_ASSERT_EQUAL_FATAL(a->n_refs, 3);
	CU_ASSERT_EQUAL(a->refs[0].kind, RPT_REF_SCENARIO);
	CU_ASSERT_STRING_EQUAL(a->refs[0].name, "stale-after-2-min");
	CU_ASSERT_STRING_EQUAL(a->refs[1].name, "boundary-stale-at-120s");
	CU_ASSERT_EQUAL(a->refs[2].kind, RPT_REF_UNIT);
	CU_ASSERT_STRING_EQUAL(a->refs[2].name, "registry");
	CU_ASSERT_PTR_NULL(a->refs[2].test);
	const struct rpt_item *b = &c.items[1];
	CU_ASSERT_TRUE(b->ticked_in_source);
	CU_ASSERT_EQUAL_FATAL(b->n_refs, 1);
	CU_ASSERT_STRING_EQUAL(b->refs[0].test, "stale at age 120000, not 119999");
	CU_ASSERT_EQUAL(c.items[2].n_refs, 0);
	CU_ASSERT_FALSE(c.items[2].explicit_gap);
	CU_ASSERT_STRING_EQUAL(c.items[2].text, "Numbered, no annotation");
	rpt_checklist_free(&c);
}

static void test_lines_are_kept_for_the_copy(void)
{
	struct rpt_checklist c = parse_ok("# T\r\nprose\n  - [ ] indented item\n    continued here\n\nafter\n");
	CU_ASSERT_EQUAL_FATAL(c.n_lines, 6);
	CU_ASSERT_STRING_EQUAL(c.lines[0].text, "# T"); /* \r dropped */
	CU_ASSERT_EQUAL(c.lines[1].item, -1);
	CU_ASSERT_TRUE(c.lines[2].item_start);
	CU_ASSERT_EQUAL(c.lines[2].box_col, 5);
	CU_ASSERT_EQUAL(c.lines[2].text[c.lines[2].box_col], ' ');
	CU_ASSERT_EQUAL(c.lines[3].item, 0);
	CU_ASSERT_FALSE(c.lines[3].item_start);
	CU_ASSERT_EQUAL(c.lines[4].item, -1); /* a blank line ends the item */
	CU_ASSERT_EQUAL(c.lines[5].item, -1);
	CU_ASSERT_STRING_EQUAL(c.items[0].text, "indented item continued here");
	CU_ASSERT_EQUAL(c.items[0].depth, 2);
	rpt_checklist_free(&c);
}

static void test_annotation_on_a_continuation_line(void)
{
	struct rpt_checklist c = parse_ok("- [ ] Two lines\n  <!-- verify: scenarios a, b -->\n- [ ] Next\n");
	CU_ASSERT_EQUAL_FATAL(c.n_items, 2);
	CU_ASSERT_EQUAL(c.items[0].n_refs, 2);
	CU_ASSERT_STRING_EQUAL(c.items[0].text, "Two lines");
	CU_ASSERT_EQUAL(c.items[1].n_refs, 0);
	rpt_checklist_free(&c);
}

static void test_explicit_gap_with_reason(void)
{
	struct rpt_checklist c = parse_ok("- [ ] Constant time <!-- verify: none; reason: not observable; review only -->\n");
	CU_ASSERT_EQUAL_FATAL(c.n_items, 1);
	CU_ASSERT_TRUE(c.items[0].explicit_gap);
	CU_ASSERT_EQUAL(c.items[0].n_refs, 0);
	CU_ASSERT_STRING_EQUAL(c.items[0].gap_reason, "not observable; review only");
	rpt_checklist_free(&c);
}

static void test_other_comments_and_non_items(void)
{
	struct rpt_checklist c = parse_ok("- not a task\n- [] not a box\n-[ ] no space\n"
					  "- [ ] Kept <!-- a plain note --> text\n    # not a heading (indented 4)\n");
	CU_ASSERT_EQUAL_FATAL(c.n_items, 1);
	CU_ASSERT_STRING_EQUAL(c.items[0].text, "Kept  text # not a heading (indented 4)");
	CU_ASSERT_EQUAL(c.items[0].n_refs, 0);
	CU_ASSERT_STRING_EQUAL(c.title, "list"); /* no heading: the file name */
	rpt_checklist_free(&c);
}

static void test_code_blocks_hold_no_items(void)
{
	struct rpt_checklist c = parse_ok("```markdown\n- [ ] example <!-- verify: scenario nope -->\n~~~\n```\n"
					  "- [ ] real\n  ~~~\n  - [ ] also an example\n  ~~~\n");
	CU_ASSERT_EQUAL_FATAL(c.n_items, 1);
	CU_ASSERT_STRING_EQUAL(c.items[0].text, "real");
	CU_ASSERT_EQUAL(c.items[0].line, 5);
	rpt_checklist_free(&c);
}

static void test_errors_name_line_and_column(void)
{
	CU_ASSERT_STRING_EQUAL(parse_error("# T\n- [ ] x <!-- verify: scenaro a -->\n"),
			       "x.md:2:22: unknown evidence kind 'scenaro' (expected scenario, unit, integration, none or reason:)");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: scenario -->\n"),
			       "x.md:1:31: expected a scenario name");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: scenario a b -->\n"),
			       "x.md:1:33: expected ';' or the end of the annotation");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: unit s/\"open -->\n"),
			       "x.md:1:29: unterminated quoted unit test name");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: none; scenario a -->\n"),
			       "x.md:1:21: 'none' cannot be combined with scenarios or tests");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: scenario a; reason: why -->\n"),
			       "x.md:1:21: 'reason:' explains a gap: use it with 'none'");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: scenario a\n"),
			       "x.md:1:9: a verify annotation must end with --> on the same line");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: unit \"\" -->\n"),
			       "x.md:1:27: empty unit suite name");
	CU_ASSERT_STRING_EQUAL(parse_error("- [ ] x <!-- verify: integration -->\n"),
			       "x.md:1:34: expected an integration test name");
	CU_ASSERT_STRING_EQUAL(parse_error("# T\n- [ ] caf\xc3\xa9 \xe9t\xe9\n"), /* Latin-1 after UTF-8 */
			       "x.md:2:13: not UTF-8 text (a checklist is UTF-8)");
	CU_ASSERT_STRING_EQUAL(parse_error("# T\xed\xa0\x80\n"), /* a surrogate */
			       "x.md:1:4: not UTF-8 text (a checklist is UTF-8)");
	/* the file name names the pages and the summary.json entry: UTF-8 too */
	struct rpt_checklist c;
	char err[256];
	CU_ASSERT_EQUAL(rpt_checklist_parse("dir/caf\xe9.md", "# T\n", &c, err, sizeof err), -1);
	CU_ASSERT_STRING_EQUAL(err, "dir/caf\xe9.md: the file name is not UTF-8 (it names the checklist in the reports)");
}

static void test_ref_describe(void)
{
	char buf[64];
	struct rpt_ref s = { .kind = RPT_REF_SCENARIO, .name = "a" };
	struct rpt_ref u = { .kind = RPT_REF_UNIT, .name = "reg", .test = "t 1" };
	struct rpt_ref us = { .kind = RPT_REF_UNIT, .name = "reg" };
	struct rpt_ref it = { .kind = RPT_REF_INTEGRATION, .name = "test_x" };
	CU_ASSERT_STRING_EQUAL(rpt_ref_describe(&it, buf, sizeof buf), "integration test_x");
	CU_ASSERT_STRING_EQUAL(rpt_ref_describe(&s, buf, sizeof buf), "scenario a");
	CU_ASSERT_STRING_EQUAL(rpt_ref_describe(&u, buf, sizeof buf), "unit reg/\"t 1\"");
	CU_ASSERT_STRING_EQUAL(rpt_ref_describe(&us, buf, sizeof buf), "unit reg");
}

/* The five checklists shipped in fixtures/ parse, and each area keeps at
 * least one item; at least one honest gap exists across them. */
static void test_fixture_checklists_parse(void)
{
	const char *names[] = { "runner-identity", "runner-monitor", "sandbox-status", "runner-registration",
				"process-supervision" };
	size_t gaps = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char rel[96], err[256] = "";
		snprintf(rel, sizeof rel, "checklists/%s.md", names[i]);
		struct rpt_checklist c;
		int rc = rpt_checklist_load(rc_unit_fixture(rel), &c, err, sizeof err);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "%s\n", err);
			continue;
		}
		CU_ASSERT(c.n_items >= 5);
		for (size_t k = 0; k < c.n_items; k++)
			gaps += c.items[k].n_refs == 0;
		rpt_checklist_free(&c);
	}
	CU_ASSERT(gaps >= 1);
}

static void test_missing_file(void)
{
	struct rpt_checklist c;
	char err[256] = "";
	CU_ASSERT_EQUAL(rpt_checklist_load("no/such/file.md", &c, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no/such/file.md"));
}

void rc_test_register_report_checklist(void)
{
	static CU_TestInfo tests[] = {
		{ "items, refs and text", test_items_refs_and_text },
		{ "lines are kept for the ticked copy", test_lines_are_kept_for_the_copy },
		{ "annotation on a continuation line", test_annotation_on_a_continuation_line },
		{ "explicit gap with a reason", test_explicit_gap_with_reason },
		{ "other comments and non-items", test_other_comments_and_non_items },
		{ "fenced code blocks hold no items", test_code_blocks_hold_no_items },
		{ "errors name line and column", test_errors_name_line_and_column },
		{ "ref describe", test_ref_describe },
		{ "the five fixture checklists parse", test_fixture_checklists_parse },
		{ "missing file", test_missing_file },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("report_checklist", tests);
}
