/*
 * results.c - test results as plain data (see results.h), and how a checklist
 * reference finds the cases that are its evidence.
 */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *rpt_verdict_name(enum rpt_verdict v)
{
	switch (v) {
	case RPT_PASS: return "pass";
	case RPT_FAIL: return "FAIL";
	case RPT_ERROR: return "ERROR";
	case RPT_SKIPPED: return "skipped";
	case RPT_MISSING: return "no result";
	}
	return "?";
}

struct rpt_case *rpt_results_add(struct rpt_results *r, const struct rpt_case *c)
{
	rpt_grow(&r->cases, &r->cap, r->n + 1, sizeof *r->cases);
	struct rpt_case *d = &r->cases[r->n++];
	*d = (struct rpt_case){
		.suite = rpt_xstrdup(c->suite ? c->suite : ""),
		.classname = rpt_xstrdup(c->classname ? c->classname : ""),
		.name = rpt_xstrdup(c->name ? c->name : ""),
		.verdict = c->verdict,
		.message = rpt_xstrdup(c->message),
		.detail = rpt_xstrdup(c->detail),
		.wall_s = c->wall_s,
		.seeds = rpt_xstrdup(c->seeds),
		.simulated_ms = c->simulated_ms,
		.simulated_total_ms = c->simulated_total_ms,
		.runs = c->runs,
		.replay = rpt_xstrdup(c->replay),
		.timeline = rpt_xstrdup(c->timeline),
		.file = rpt_xstrdup(c->file),
		.seed = rpt_xstrdup(c->seed),
		.source = rpt_xstrdup(c->source),
	};
	return d;
}

static void replace(char **field, const char *value)
{
	free(*field);
	*field = rpt_xstrdup(value);
}

/* A whole non-negative number, or -1. */
static long long whole_number(const char *value)
{
	char *end;
	long long v = strtoll(value, &end, 10);
	return end != value && *end == '\0' && v >= 0 && value[0] != '-' && value[0] != '+' ? v : -1;
}

/* The numeric keys: durations ("3m0s", or milliseconds with _ms) and counts. */
static bool set_number(struct rpt_case *c, const char *key, const char *value)
{
	long long v = -1;
	if (strcmp(key, "simulated") == 0) {
		if (rpt_parse_ms(value, &v) != 0)
			return false;
		c->simulated_ms = v;
	} else if (strcmp(key, "simulated_ms") == 0 && (v = whole_number(value)) >= 0) {
		c->simulated_ms = v;
	} else if (strcmp(key, "simulated_total_ms") == 0 && (v = whole_number(value)) >= 0) {
		c->simulated_total_ms = v;
	} else if (strcmp(key, "runs") == 0 && (v = whole_number(value)) >= 0 && v <= 1000000000) {
		c->runs = (int)v;
	}
	return v >= 0;
}

bool rpt_case_set(struct rpt_case *c, const char *key, const char *value)
{
	static const struct { const char *key; size_t offset; } text_keys[] = {
		{ "seeds", offsetof(struct rpt_case, seeds) },
		{ "replay", offsetof(struct rpt_case, replay) },
		{ "timeline", offsetof(struct rpt_case, timeline) },
		{ "file", offsetof(struct rpt_case, file) },
		{ "seed", offsetof(struct rpt_case, seed) },
	};
	for (size_t i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++) {
		if (strcmp(key, text_keys[i].key) == 0) {
			replace((char **)((char *)c + text_keys[i].offset), value);
			return true;
		}
	}
	return set_number(c, key, value);
}

/* One "key: value" line: a key of lowercase letters and '_' at the start of
 * the line (after spaces), a colon, the value to the end of the line. */
static void scan_line(struct rpt_case *c, const char *line, size_t n)
{
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	size_t k = i;
	while (k < n && ((line[k] >= 'a' && line[k] <= 'z') || line[k] == '_'))
		k++;
	if (k == i || k >= n || line[k] != ':')
		return;
	char *key = rpt_xstrndup(line + i, k - i);
	char *value = rpt_trimmed_copy(line + k + 1, n - k - 1);
	if (*value)
		rpt_case_set(c, key, value);
	free(key);
	free(value);
}

void rpt_case_scan_lines(struct rpt_case *c, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		scan_line(c, text, n);
		text += nl ? n + 1 : n;
	}
}

static void free_case(struct rpt_case *c)
{
	char **fields[] = { &c->suite, &c->classname, &c->name, &c->message, &c->detail, &c->seeds,
			    &c->replay, &c->timeline, &c->file, &c->seed, &c->source };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		free(*fields[i]);
}

void rpt_results_free(struct rpt_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		free_case(&r->cases[i]);
	free(r->cases);
	*r = (struct rpt_results){ 0 };
}

enum rpt_case_kind rpt_case_kind(const struct rpt_case *c)
{
	if (strncmp(c->classname, RPT_UNIT_CLASS_PREFIX, strlen(RPT_UNIT_CLASS_PREFIX)) == 0)
		return RPT_CASE_UNIT;
	if (strcmp(c->classname, RPT_INTEGRATION_CLASS) == 0)
		return RPT_CASE_INTEGRATION;
	return RPT_CASE_SCENARIO;
}

bool rpt_case_is_scenario(const struct rpt_case *c)
{
	return rpt_case_kind(c) == RPT_CASE_SCENARIO;
}

/* Whether the file path names NAME.scn (any directory). */
static bool file_is_scenario(const char *file, const char *name)
{
	if (!file)
		return false;
	char *base = rpt_basename_without(file, ".scn");
	bool same = strcmp(base, name) == 0 && strlen(file) > 4 && strcmp(file + strlen(file) - 4, ".scn") == 0;
	free(base);
	return same;
}

bool rpt_case_matches(const struct rpt_case *c, const struct rpt_ref *ref)
{
	switch (ref->kind) {
	case RPT_REF_SCENARIO:
		return rpt_case_is_scenario(c) && (strcmp(c->name, ref->name) == 0 || file_is_scenario(c->file, ref->name));
	case RPT_REF_INTEGRATION:
		return rpt_case_kind(c) == RPT_CASE_INTEGRATION && strcmp(c->name, ref->name) == 0;
	case RPT_REF_UNIT:
		return rpt_case_kind(c) == RPT_CASE_UNIT &&
		       strcmp(c->classname + strlen(RPT_UNIT_CLASS_PREFIX), ref->name) == 0 &&
		       (!ref->test || strcmp(c->name, ref->test) == 0);
	}
	return false;
}
