/*
 * evidence.c - from test results to a verdict per checklist item (see
 * evidence.h), and the command that replays each piece of evidence.
 */
#include "evidence.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *rpt_item_status_name(enum rpt_item_status s)
{
	switch (s) {
	case RPT_ITEM_VERIFIED: return "verified";
	case RPT_ITEM_FAILING: return "failing";
	case RPT_ITEM_GAP: return "gap";
	}
	return "?";
}

/* How bad a verdict is, to keep the worst one of several cases. */
static int severity(enum rpt_verdict v)
{
	switch (v) {
	case RPT_PASS: return 0;
	case RPT_SKIPPED: return 1;
	case RPT_MISSING: return 2;
	case RPT_ERROR: return 3;
	case RPT_FAIL: return 4;
	}
	return 4;
}

static struct rpt_ref_outcome judge_ref(const struct rpt_ref *ref, const struct rpt_results *r)
{
	struct rpt_ref_outcome o = { .ref = ref, .verdict = RPT_MISSING };
	size_t cap = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct rpt_case *c = &r->cases[i];
		if (!rpt_case_matches(c, ref))
			continue;
		rpt_grow(&o.cases, &cap, o.n_cases + 1, sizeof *o.cases);
		o.cases[o.n_cases++] = c;
		if (!o.worst || severity(c->verdict) > severity(o.worst->verdict))
			o.worst = c;
	}
	if (o.worst)
		o.verdict = o.worst->verdict;
	return o;
}

void rpt_judge(const struct rpt_checklist *c, const struct rpt_results *r, struct rpt_judged *out)
{
	*out = (struct rpt_judged){ .checklist = c, .items = rpt_xcalloc(c->n_items, sizeof *out->items) };
	for (size_t i = 0; i < c->n_items; i++) {
		const struct rpt_item *it = &c->items[i];
		struct rpt_item_verdict *v = &out->items[i];
		v->refs = rpt_xcalloc(it->n_refs, sizeof *v->refs);
		v->status = it->n_refs ? RPT_ITEM_VERIFIED : RPT_ITEM_GAP;
		for (size_t k = 0; k < it->n_refs; k++) {
			v->refs[k] = judge_ref(&it->refs[k], r);
			if (v->refs[k].verdict != RPT_PASS)
				v->status = RPT_ITEM_FAILING;
		}
		out->verified += v->status == RPT_ITEM_VERIFIED;
		out->failing += v->status == RPT_ITEM_FAILING;
		out->gaps += v->status == RPT_ITEM_GAP;
	}
}

void rpt_judged_free(struct rpt_judged *j)
{
	if (!j->items)
		return;
	for (size_t i = 0; i < j->checklist->n_items; i++) {
		for (size_t k = 0; k < j->checklist->items[i].n_refs; k++)
			free(j->items[i].refs[k].cases);
		free(j->items[i].refs);
		rpt_coverage_free(&j->items[i].coverage);
	}
	free(j->items);
	*j = (struct rpt_judged){ 0 };
}

/* Append s to b quoted for a POSIX shell when it needs quoting. */
static void add_shell_word(struct rpt_buf *b, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+", *p) != NULL;
	if (plain) {
		rpt_buf_adds(b, s);
		return;
	}
	rpt_buf_adds(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			rpt_buf_adds(b, "'\\''");
		else
			rpt_buf_add(b, p, 1);
	}
	rpt_buf_adds(b, "'");
}

static char *unit_command(const char *suite, const char *test)
{
	struct rpt_buf b = { 0 };
	rpt_buf_adds(&b, "build/bin/unit-tests ");
	add_shell_word(&b, suite);
	if (test) {
		rpt_buf_adds(&b, " ");
		add_shell_word(&b, test);
	}
	return b.s;
}

static char *scenario_command(const char *seeds, const char *file, const char *name)
{
	struct rpt_buf b = { 0 };
	rpt_buf_adds(&b, "build/bin/rollcall run ");
	if (seeds) {
		rpt_buf_adds(&b, "--seeds ");
		add_shell_word(&b, seeds);
		rpt_buf_adds(&b, " ");
	}
	if (file) {
		add_shell_word(&b, file);
	} else {
		rpt_buf_adds(&b, "scenarios/");
		add_shell_word(&b, name);
		rpt_buf_adds(&b, ".scn");
	}
	return b.s;
}

/* The integration runner takes the binaries' folder from RC_BIN. */
static char *integration_command(const char *name)
{
	struct rpt_buf b = { 0 };
	rpt_buf_adds(&b, "RC_BIN=$PWD/build/bin bash tests/integration/run.sh ");
	add_shell_word(&b, name);
	return b.s;
}

char *rpt_case_replay(const struct rpt_case *c)
{
	if (c->replay)
		return rpt_xstrdup(c->replay);
	switch (rpt_case_kind(c)) {
	case RPT_CASE_UNIT:
		return unit_command(c->classname + strlen(RPT_UNIT_CLASS_PREFIX), c->name);
	case RPT_CASE_INTEGRATION:
		return integration_command(c->name);
	case RPT_CASE_SCENARIO:
		break;
	}
	return scenario_command(c->seed ? c->seed : c->seeds, c->file, c->name);
}

char *rpt_ref_replay(const struct rpt_ref_outcome *o)
{
	const struct rpt_ref *ref = o->ref;
	bool one_case = ref->kind != RPT_REF_UNIT || ref->test || (o->worst && o->verdict != RPT_PASS);
	if (o->worst && one_case)
		return rpt_case_replay(o->worst);
	if (ref->kind == RPT_REF_UNIT)
		return unit_command(ref->name, ref->test);
	if (ref->kind == RPT_REF_INTEGRATION)
		return integration_command(ref->name);
	return scenario_command(NULL, NULL, ref->name);
}
