/*
 * test_explore.c - the pieces of explore/: shards, scenario statements, the
 * generator, trace comparison, clock set-backs, the shrinker and the order
 * of a timeline's lanes.
 *
 * The command-line behaviour (workers, replays of saved files, timelines) is
 * tested end to end by tests/explore/explore.sh; the mutation self-check
 * (ci/mutants.sh) shows that exploration and shrinking catch real bugs.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "xp_buf.h"
#include "xp_explore.h"
#include "xp_gen.h"
#include "xp_run.h"
#include "xp_script.h"
#include "xp_shard.h"
#include "xp_shrink.h"
#include "xp_timeline.h"

/* --- shards ------------------------------------------------------------------------ */

/* Every seed of [first, last] in exactly one of the n blocks, blocks in
 * order and of sizes that differ by at most one. */
static void check_cover(uint64_t first, uint64_t last, uint64_t n)
{
	uint64_t next = first, smallest = UINT64_MAX, largest = 0;
	for (uint64_t k = 1; k <= n; k++) {
		uint64_t a, b;
		if (!xp_shard_block(first, last, k, n, &a, &b)) {
			smallest = 0;
			continue;
		}
		CU_ASSERT_EQUAL(a, next); /* contiguous: no gap, no overlap */
		CU_ASSERT_TRUE(b >= a);
		next = b + 1;
		uint64_t size = b - a + 1;
		smallest = size < smallest ? size : smallest;
		largest = size > largest ? size : largest;
	}
	CU_ASSERT_EQUAL(next, last + 1);
	CU_ASSERT_TRUE(largest - smallest <= 1);
}

static void test_shard_cover(void)
{
	for (uint64_t n = 1; n <= 37; n++) {
		check_cover(1, 1000, n);
		check_cover(7, 7, n);
		check_cover(500, 523, n);
	}
	check_cover(1, 100000, 64);
	check_cover(UINT64_MAX - 1000, UINT64_MAX - 1, 7);
}

static void test_shard_parse(void)
{
	uint64_t k, n;
	CU_ASSERT_EQUAL(xp_shard_parse("2/5", &k, &n), 0);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT_EQUAL(n, 5);
	static const char *const bad[] = { "0/3", "4/3", "3", "/3", "1/", "1/0", "a/b", "1/3x", "-1/3", "1/2000000" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(xp_shard_parse(bad[i], &k, &n), -1);
}

/* --- scenario statements --------------------------------------------------------------- */

static const char sample[] =
	"# a comment\n"
	"@seed 7\n"
	"config latency 5ms   # trailing comment\n"
	"runner r1 hostname \"a # b\"\n"
	"runner c1 like r1\n"
	"\n"
	"at 0s start r1\n"
	"at 1m30s submit task t1 lasting 2m\n"
	"at 1m31s create sandbox s1 for task t1\n"
	"expect t1 completed exactly once\n"
	"at end expect t1 is completed\n";

static void test_script_round_trip(void)
{
	struct xp_script s;
	char err[128];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse(sample, &s, err, sizeof err), 0);
	CU_ASSERT_TRUE(s.pinned);
	CU_ASSERT_EQUAL(s.seed, 7);
	CU_ASSERT_EQUAL(s.n, 8);
	CU_ASSERT_STRING_EQUAL(s.lines[0].body, "config latency 5ms");
	CU_ASSERT_STRING_EQUAL(s.lines[1].body, "runner r1 hostname \"a # b\""); /* # inside quotes stays */
	CU_ASSERT_EQUAL(s.lines[4].kind, XP_LINE_AT);
	CU_ASSERT_EQUAL(s.lines[4].at_ms, 90000);
	CU_ASSERT_EQUAL(s.lines[6].kind, XP_LINE_UNTIMED);
	CU_ASSERT_EQUAL(s.lines[7].kind, XP_LINE_AT_END);
	char *once = xp_script_format(&s, "made by a test");
	struct xp_script again;
	CU_ASSERT_EQUAL_FATAL(xp_script_parse(once, &again, err, sizeof err), 0);
	char *twice = xp_script_format(&again, "made by a test");
	CU_ASSERT_STRING_EQUAL(once, twice); /* printing is a fixed point */
	CU_ASSERT_PTR_NOT_NULL(strstr(once, "at 1m30s submit task t1 lasting 2m\n"));
	CU_ASSERT_EQUAL(strncmp(once, "# made by a test\n@seed 7\n", 25), 0);
	free(once);
	free(twice);
	xp_script_free(&again);
	xp_script_free(&s);
}

/* Sorting: kinds in print order, timed lines by time, and lines that tie
 * in the order they were added (each body is its number), at every size
 * around the merge sort's cut-overs and with many ties. */
static void test_script_sort(void)
{
	uint64_t draw = 12345;
	for (size_t n = 0; n < 200; n += n < 40 ? 1 : 13) {
		struct xp_script s;
		xp_script_init(&s);
		for (size_t i = 0; i < n; i++) {
			draw = draw * 6364136223846793005ULL + 1442695040888963407ULL;
			enum xp_line_kind kind = (draw >> 33) % 8 < 5 ? XP_LINE_AT : (enum xp_line_kind)((draw >> 40) % 4);
			xp_script_addf(&s, kind, (int64_t)((draw >> 45) % (n / 3 + 1)), "%zu", i);
		}
		xp_script_sort(&s);
		CU_ASSERT_EQUAL(s.n, n);
		for (size_t i = 1; i < s.n; i++) {
			const struct xp_line *a = &s.lines[i - 1], *b = &s.lines[i];
			bool tie = a->kind == b->kind && (a->kind != XP_LINE_AT || a->at_ms == b->at_ms);
			CU_ASSERT_TRUE(a->kind < b->kind || (a->kind == b->kind && a->at_ms <= b->at_ms));
			CU_ASSERT_TRUE(!tie || atoi(a->body) < atoi(b->body));
		}
		xp_script_free(&s);
	}
}

static void test_script_names(void)
{
	struct xp_script s;
	char err[128], name[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse(sample, &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(xp_line_defines(&s.lines[1], name, sizeof name), XP_NAME_RUNNER);
	CU_ASSERT_STRING_EQUAL(name, "r1");
	CU_ASSERT_EQUAL(xp_line_defines(&s.lines[4], name, sizeof name), XP_NAME_TASK);
	CU_ASSERT_STRING_EQUAL(name, "t1");
	CU_ASSERT_EQUAL(xp_line_defines(&s.lines[5], name, sizeof name), XP_NAME_SANDBOX);
	CU_ASSERT_EQUAL(xp_line_defines(&s.lines[3], name, sizeof name), XP_NAME_NONE);
	CU_ASSERT_TRUE(xp_line_mentions(&s.lines[2], "r1"));  /* runner c1 like r1 */
	CU_ASSERT_TRUE(xp_line_mentions(&s.lines[5], "t1"));
	CU_ASSERT_FALSE(xp_line_mentions(&s.lines[4], "t"));
	xp_script_free(&s);
	CU_ASSERT_EQUAL(xp_script_parse("at soon start r1\n", &s, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "soon"));
}

static void test_clock_settle(void)
{
	struct xp_script s;
	char err[128];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\n"
					      "at 10s skew r1 clock by +5m\n"  /* forwards: no stall */
					      "at 20s skew r1 clock by -1m\n"  /* r1 saw 5m20s: stalls until 6m20s */
					      "at 1m jump coordinator clock by -30s\n", /* until 1m30s */
					      &s, err, sizeof err),
			    0);
	CU_ASSERT_EQUAL(xp_script_clock_settle(&s), 6 * 60000 + 20000);
	xp_script_free(&s);
	/* set-backs add up: r1 saw 3m2s (at 2s, +3m); then -2m, -1m more, -9m in all */
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\n"
					      "at 1s skew r1 clock by +3m\n"
					      "at 2s skew r1 clock by -2m\n"
					      "at 3s jump r1 clock by -1m\n"
					      "at 9s skew r1 clock by -9m\n",
					      &s, err, sizeof err),
			    0);
	CU_ASSERT_EQUAL(xp_script_clock_settle(&s), 12 * 60000 + 2000);
	xp_script_free(&s);
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\nat 1s jump r1 clock by +1m\n", &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(xp_script_clock_settle(&s), -1);
	xp_script_free(&s);
}

/* --- the generator ---------------------------------------------------------------------- */

static char *scenario_of(struct xp_gen *g, uint64_t seed, int64_t *bound)
{
	struct xp_script s;
	xp_script_init(&s);
	xp_gen_scenario(g, seed, &s, bound);
	s.pinned = true;
	s.seed = seed;
	char *text = xp_script_format(&s, NULL);
	xp_script_free(&s);
	return text;
}

static void test_gen_deterministic(void)
{
	struct xp_gen g;
	CU_ASSERT_EQUAL_FATAL(xp_gen_preset("mixed", &g), 0);
	CU_ASSERT_EQUAL(xp_gen_preset("no-such-workload", &g), -1);
	xp_gen_preset("mixed", &g);
	g.liveness = true;
	int64_t b1, b2;
	char *a = scenario_of(&g, 42, &b1), *b = scenario_of(&g, 42, &b2), *c = scenario_of(&g, 43, &b2);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	CU_ASSERT_TRUE(b1 >= 4 * 60000);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, " heal all\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a, " expect liveness\n"));
	struct xp_result r;
	CU_ASSERT_NOT_EQUAL(xp_run_text(a, "generated.scn", 42, NULL, &r), XP_BAD_INPUT); /* the parser takes it */
	free(a);
	free(b);
	free(c);
}

/* A runner claims after its heartbeat, not when a slot frees, so a backlog
 * of short tasks drains at one task per slot per 20 s: the liveness bound
 * counts that. Exploring 3 h runs of 3 runners found these two seeds
 * failing liveness on the correct core with the bound that did not. */
static void test_liveness_bound_counts_the_claim_cadence(void)
{
	static const uint64_t seeds[] = { 70693, 86101 };
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
		struct xp_gen g;
		xp_gen_preset("mixed", &g);
		g.runners = 3;
		g.duration_ms = 3 * 3600000;
		g.swarm = g.liveness = true;
		xp_gen_swarm(&g, seeds[i], true);
		int64_t bound;
		char *text = scenario_of(&g, seeds[i], &bound);
		struct xp_result r;
		CU_ASSERT_EQUAL(xp_run_text(text, "generated.scn", seeds[i], NULL, &r), XP_PASS);
		free(text);
	}
}

static void test_gen_swarm(void)
{
	bool small = false, large = false;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct xp_gen g;
		xp_gen_preset("mixed", &g);
		xp_gen_swarm(&g, seed, false);
		CU_ASSERT_TRUE(g.runners >= 1 && g.runners <= 50);
		CU_ASSERT_TRUE(g.faults != 0);
		CU_ASSERT_TRUE(g.swarm);
		small |= g.runners <= 3;
		large |= g.runners >= 25;
		struct xp_gen k;
		xp_gen_preset("mixed", &k);
		xp_gen_swarm(&k, seed, true);
		CU_ASSERT_EQUAL(k.runners, 5); /* kept when given */
		CU_ASSERT_EQUAL(k.faults, g.faults);
	}
	CU_ASSERT_TRUE(small && large);
}

/* When the explored run of a scenario text ends: the time of its `expect
 * liveness`, else its `end at`. */
static int64_t explored_end(const char *text)
{
	struct xp_script s;
	char err[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse(text, &s, err, sizeof err), 0);
	int64_t end = s.end_ms;
	for (size_t i = 0; i < s.n; i++)
		if (strcmp(s.lines[i].body, "expect liveness") == 0)
			end = s.lines[i].at_ms;
	xp_script_free(&s);
	return end;
}

/* explore SCENARIO records what applies to it: its name, its own runners,
 * how long its run lasts, the faults. It recorded the workload's runners and
 * duration (mixed: 5 and 1 h) and, with --swarm, a runner count drawn for
 * it and never used. */
static void test_explore_scenario_params(void)
{
	struct xp_script base;
	char err[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\nrunner r2\nat 0s start r1 r2\nat 1s submit task t1 lasting 2m\n"
					      "at 10m expect t1 is completed\n",
					      &base, err, sizeof err),
			      0);
	struct xp_explore_cfg cfg = { .first = 1, .last = 1, .jobs = 1, .base = &base, .base_name = "pair" };
	xp_gen_preset("mixed", &cfg.gen);
	cfg.gen.swarm = true;
	for (int liveness = 0; liveness <= 1; liveness++) {
		cfg.gen.liveness = liveness;
		for (uint64_t seed = 1; seed <= 20; seed++) {
			json_t *params;
			int64_t bound;
			char *text = xp_explore_scenario(&cfg, seed, &params, &bound);
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(params, "scenario")), "pair");
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(params, "runners")), 2);
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(params, "duration_ms")), explored_end(text));
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(params, "bound_ms")), bound);
			CU_ASSERT_PTR_NOT_NULL(json_object_get(params, "faults"));
			CU_ASSERT_PTR_NULL(json_object_get(params, "workload"));
			CU_ASSERT_PTR_NULL(json_object_get(params, "tasks_per_runner_hour"));
			CU_ASSERT_PTR_NULL(json_object_get(params, "clone"));
			json_decref(params);
			free(text);
		}
	}
	xp_script_free(&base);
}

/* --- traces -------------------------------------------------------------------------------- */

static void test_diff(void)
{
	struct xp_diff d;
	const char a[] = "one\ntwo\nthree\n", b[] = "one\ntwo\nthree\n", c[] = "one\n2\nthree\n";
	xp_diff_texts(a, strlen(a), b, strlen(b), &d);
	CU_ASSERT_TRUE(d.identical);
	CU_ASSERT_EQUAL(d.lines, 3);
	xp_diff_free(&d);
	xp_diff_texts(a, strlen(a), c, strlen(c), &d);
	CU_ASSERT_FALSE(d.identical);
	CU_ASSERT_EQUAL(d.line, 2);
	CU_ASSERT_STRING_EQUAL(d.expected, "two");
	CU_ASSERT_STRING_EQUAL(d.actual, "2");
	xp_diff_free(&d);
	xp_diff_texts(a, strlen(a), a, strlen(a) - 1, &d); /* a missing final newline */
	CU_ASSERT_FALSE(d.identical);
	CU_ASSERT_EQUAL(d.line, 3);
	CU_ASSERT_TRUE(d.line_ends);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.expected); /* replay prints them */
	CU_ASSERT_STRING_EQUAL(d.expected, "three");
	CU_ASSERT_STRING_EQUAL(d.actual, "three");
	xp_diff_free(&d);
	const char crlf[] = "one\r\ntwo\r\nthree\r\n";
	xp_diff_texts(crlf, strlen(crlf), a, strlen(a), &d);
	CU_ASSERT_EQUAL(d.line, 1);
	CU_ASSERT_TRUE(d.line_ends);
	xp_diff_free(&d);
	xp_diff_texts(a, strlen(a), c, strlen(c), &d);
	CU_ASSERT_FALSE(d.line_ends); /* a changed line is not a line end */
	xp_diff_free(&d);
}

/* NUL bytes are bytes: a damaged file that differs only after one (a NUL
 * appended, or one inside a line) is told apart and the line shown, not
 * passed over as the same C string (replay once crashed on the first). */
static void test_diff_nul_bytes(void)
{
	struct xp_diff d;
	const char a[] = "one\ntwo\n", appended[] = "one\ntwo\n\0", inside[] = "one\ntw\0o\n";
	xp_diff_texts(appended, sizeof appended - 1, a, strlen(a), &d);
	CU_ASSERT_FALSE(d.identical);
	CU_ASSERT_EQUAL(d.line, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.expected);
	CU_ASSERT_STRING_EQUAL(d.expected, "\\0");
	CU_ASSERT_STRING_EQUAL(d.actual, "");
	xp_diff_free(&d);
	xp_diff_texts(inside, sizeof inside - 1, "one\ntw\n", 7, &d);
	CU_ASSERT_EQUAL(d.line, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.expected);
	CU_ASSERT_STRING_EQUAL(d.expected, "tw\\0o");
	CU_ASSERT_STRING_EQUAL(d.actual, "tw");
	xp_diff_free(&d);
}

static void test_trace_render_twice(void)
{
	const char text[] = "runner r1\nat 0s start r1\nat 5s submit task t1 lasting 30s\nat 2m expect t1 is completed\n";
	struct xp_result r1, r2;
	size_t l1, l2;
	char *a = xp_trace_render(text, 3, NULL, &r1, &l1), *b = xp_trace_render(text, 3, NULL, &r2, &l2);
	CU_ASSERT_EQUAL(r1.status, XP_PASS);
	CU_ASSERT_EQUAL(l1, l2);
	CU_ASSERT_EQUAL(memcmp(a, b, l1), 0);
	CU_ASSERT_EQUAL(strncmp(a, "{\"trace\":\"rollcall-explore\"", 27), 0);
	free(a);
	free(b);
}

/* --- the shrinker ---------------------------------------------------------------------------- */

/* A runner that is stopped is not stale: this fails on purpose (the
 * expectation is wrong), and everything but the stop is noise. */
static const char noisy[] = "runner r1\n"
			    "runner r2\n"
			    "runner r3 concurrency 2\n"
			    "at 0s start r1\n"
			    "at 0s start r2\n"
			    "at 3s start r3\n"
			    "at 10s submit task t1 lasting 20s\n"
			    "at 17s drop next 2 heartbeat from r2 to coordinator\n"
			    "at 20s stop r1\n"
			    "at 1m11s skew r3 clock by +40s\n"
			    "at 3m expect r1 is stale\n";

static void shrink_noisy(struct xp_script *out, struct xp_result *final, struct xp_shrink_stats *st)
{
	struct xp_script in;
	char err[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse(noisy, &in, err, sizeof err), 0);
	struct xp_shrink_cfg cfg = { .seed = 1, .max_runs = 400 };
	CU_ASSERT_EQUAL(xp_shrink(&in, &cfg, out, final, st), 0);
	xp_script_free(&in);
}

static void test_shrink(void)
{
	struct xp_script a, b;
	struct xp_result ra, rb;
	struct xp_shrink_stats sa, sb;
	shrink_noisy(&a, &ra, &sa);
	shrink_noisy(&b, &rb, &sb);
	char *ta = xp_script_format(&a, NULL), *tb = xp_script_format(&b, NULL);
	CU_ASSERT_STRING_EQUAL(ta, tb); /* deterministic */
	CU_ASSERT_EQUAL(sa.runs, sb.runs);
	CU_ASSERT_TRUE(sa.statements_after < sa.statements_before);
	CU_ASSERT_PTR_NULL(strstr(ta, "r3"));   /* noise removed */
	CU_ASSERT_PTR_NULL(strstr(ta, "drop"));
	CU_ASSERT_PTR_NOT_NULL(strstr(ta, "at 3m expect r1 is stale")); /* the failure kept */
	struct xp_result again;
	CU_ASSERT_EQUAL(xp_run_text(ta, "shrunk.scn", 1, NULL, &again), XP_FAIL);
	CU_ASSERT_STRING_EQUAL(again.out.what, ra.out.what);
	free(ta);
	free(tb);
	xp_script_free(&a);
	xp_script_free(&b);
}

/* An expectation whose outcome reads the same when its runner never runs
 * ("it never happened") shrank into one about a runner nothing starts: the
 * `start` went, and the result said nothing about the code. */
static void test_shrink_keeps_the_runner_of_the_failure(void)
{
	struct xp_script in, out;
	char err[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\nat 0s start r1\nat 30s pause r1\n"
					      "expect r1 becomes stale between 1m and 1m30s\n",
					      &in, err, sizeof err),
			      0);
	struct xp_shrink_cfg cfg = { .seed = 1 };
	struct xp_result final;
	struct xp_shrink_stats st;
	CU_ASSERT_EQUAL_FATAL(xp_shrink(&in, &cfg, &out, &final, &st), 0);
	char *text = xp_script_format(&out, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "start r1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(final.out.why, "it never happened"));
	free(text);
	xp_script_free(&in);
	xp_script_free(&out);
}

static void test_shrink_refuses_a_pass(void)
{
	struct xp_script in, out;
	char err[64];
	CU_ASSERT_EQUAL_FATAL(xp_script_parse("runner r1\nat 0s start r1\nat 1m expect r1 is online\n", &in, err,
					      sizeof err),
			      0);
	struct xp_shrink_cfg cfg = { .seed = 1 };
	struct xp_result final;
	struct xp_shrink_stats st;
	CU_ASSERT_EQUAL(xp_shrink(&in, &cfg, &out, &final, &st), -1);
	CU_ASSERT_EQUAL(final.status, XP_PASS);
	xp_script_free(&in);
}

/* --- text ---------------------------------------------------------------------- */

/* xp_vsnprintf against vsnprintf for one format, in buffers of every size
 * from none to roomy: the same text, the same cut, the same return. */
static void __attribute__((format(printf, 1, 2))) same_as_snprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (size_t n = 0; n < 80; n++) {
		char want[80], got[80];
		memset(want, '#', sizeof want);
		memset(got, '#', sizeof got);
		va_list a1, a2;
		va_copy(a1, ap);
		va_copy(a2, ap);
		int rw = vsnprintf(n ? want : NULL, n, fmt, a1);
		int rg = xp_vsnprintf(n ? got : NULL, n, fmt, a2);
		va_end(a1);
		va_end(a2);
		CU_ASSERT_EQUAL(rg, rw);
		CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
	}
	va_end(ap);
}

static void test_snprintf(void)
{
	same_as_snprintf("at %s next %d %s from %s%s", "drop", 3, "claim", "r12", "");
	same_as_snprintf("%d %d %u %ld %lu %lld %llu %zu %%d", INT_MIN, INT_MAX, UINT_MAX, LONG_MIN, ULONG_MAX,
			 LLONG_MIN, ULLONG_MAX, (size_t)12345);
	same_as_snprintf("no directive at all");
	same_as_snprintf("%s", "");
	/* the first directive it does not write hands the rest to vsnprintf */
	same_as_snprintf("%s=%d then %5d|%-4s|%.2f|%x %s %d%%", "k", -7, 42, "ab", 2.5, 255u, "tail", 9);
	same_as_snprintf("%.*s and %c", 3, "abcdef", 'z');
}

/* --- timeline lanes ------------------------------------------------------------------- */

/* Where lane name appears in svg (its label), or NULL. */
static const char *lane_label(const char *svg, const char *name)
{
	char want[80];
	snprintf(want, sizeof want, "class=\"lanename\" x=\"8\" y=\"");
	for (const char *p = strstr(svg, want); p; p = strstr(p + 1, want)) {
		const char *gt = strchr(p, '>');
		size_t n = strlen(name);
		if (gt && strncmp(gt + 1, name, n) == 0 && strncmp(gt + 1 + n, "</text>", 7) == 0)
			return p;
	}
	return NULL;
}

/* Nodes start in an order that is not their names' (r10 and a clone before
 * r2 and r1): the lanes are the coordinator, then the names in order with
 * digits as numbers, and a runner's band stays on the lane of the node
 * that saved its ID. */
static void test_timeline_lane_order(void)
{
	static const char trace[] =
		"{\"ev\":0,\"t\":0,\"node\":\"coordinator\",\"kind\":\"node\",\"what\":\"start\",\"value\":1}\n"
		"{\"ev\":1,\"t\":0,\"node\":\"r10\",\"kind\":\"node\",\"what\":\"start\",\"value\":1}\n"
		"{\"ev\":2,\"t\":0,\"node\":\"clone-r1\",\"kind\":\"node\",\"what\":\"start\",\"value\":1}\n"
		"{\"ev\":3,\"t\":1000,\"node\":\"r2\",\"kind\":\"node\",\"what\":\"start\",\"value\":1}\n"
		"{\"ev\":4,\"t\":1000,\"node\":\"r1\",\"kind\":\"node\",\"what\":\"start\",\"value\":1}\n"
		"{\"ev\":5,\"t\":2000,\"node\":\"r10\",\"kind\":\"state-save\",\"runner\":\"lnch_a\",\"value\":2000}\n"
		"{\"ev\":6,\"t\":3000,\"node\":\"coordinator\",\"kind\":\"runner-status\",\"from\":\"removed\","
		"\"to\":\"online\",\"runner\":\"lnch_a\"}\n"
		"{\"ev\":7,\"t\":60000,\"node\":\"coordinator\",\"kind\":\"tick\",\"value\":60000}\n";
	struct xp_timeline_opts o = { .from_ms = -1, .to_ms = -1, .width = 1600 };
	char err[200];
	char *svg = xp_timeline_svg(trace, sizeof trace - 1, NULL, &o, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(svg);
	static const char *const order[] = { "coordinator", "clone-r1", "r1", "r2", "r10" };
	const char *prev = svg;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *at = lane_label(svg, order[i]);
		CU_ASSERT_PTR_NOT_NULL(at);
		CU_ASSERT_TRUE(at > prev); /* below the one before */
		prev = at ? at : prev;
	}
	/* lane 4 (r10) is at y 78 + 4 * 84; its online band 6 px below the top */
	CU_ASSERT_PTR_NOT_NULL(strstr(svg, "y=\"420\" width=\"1387.0\" height=\"12\"><title>r10 online from 3s to 1m<"));
	free(svg);
}

void rc_test_register_explore(void)
{
	static CU_TestInfo tests[] = {
		{ "shard blocks are disjoint and cover the range", test_shard_cover },
		{ "shard K/N parsing", test_shard_parse },
		{ "scenario statements round trip", test_script_round_trip },
		{ "statements sort stably", test_script_sort },
		{ "names defined and mentioned", test_script_names },
		{ "clock set-backs stall a node", test_clock_settle },
		{ "generator: same seed, same scenario", test_gen_deterministic },
		{ "generator: the liveness bound counts the claim cadence", test_liveness_bound_counts_the_claim_cadence },
		{ "swarm draws", test_gen_swarm },
		{ "explore SCENARIO records the scenario's own parameters", test_explore_scenario_params },
		{ "trace comparison", test_diff },
		{ "trace comparison: NUL bytes are bytes", test_diff_nul_bytes },
		{ "a trace renders the same twice", test_trace_render_twice },
		{ "shrink: smaller, same failure, deterministic", test_shrink },
		{ "shrink: the runner of the failed expectation keeps running", test_shrink_keeps_the_runner_of_the_failure },
		{ "shrink: a passing scenario is refused", test_shrink_refuses_a_pass },
		{ "xp_snprintf prints as snprintf does", test_snprintf },
		{ "timeline: the coordinator, then the nodes in name order", test_timeline_lane_order },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("explore", tests);
}
