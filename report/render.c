/*
 * render.c - a judged checklist as Markdown, HTML and JSON (see render.h).
 *
 * The Markdown copy keeps every line of the source (annotations included,
 * so it can be judged again) and only changes the boxes: an item is ticked
 * if and only if it is verified, whatever the source said. Evidence goes in a
 * nested list under each item, the summary at the end.
 */
#include "render.h"

#include <string.h>

#include "html.h"

/* --- shared wording ---------------------------------------------------------- */

/* Append one phrase of a comma-separated list. */
static void add_phrase(struct rpt_buf *b, const char *phrase)
{
	rpt_buf_printf(b, "%s%s", b->len ? ", " : "", phrase);
}

/* "2 tests, seeds 1-100, simulated 3m0s, wall 0.031 s" for a pass. */
static void pass_details(const struct rpt_ref_outcome *o, struct rpt_buf *b)
{
	const struct rpt_case *c = o->worst;
	char text[96], ms[32];
	if (o->ref->kind == RPT_REF_UNIT && !o->ref->test) {
		snprintf(text, sizeof text, "%zu test%s", o->n_cases, o->n_cases == 1 ? "" : "s");
		add_phrase(b, text);
	}
	if (c->seeds) {
		if (c->runs > 0)
			snprintf(text, sizeof text, "seeds %.60s (%d run%s)", c->seeds, c->runs, c->runs == 1 ? "" : "s");
		else
			snprintf(text, sizeof text, "seeds %.80s", c->seeds);
		add_phrase(b, text);
	}
	if (c->simulated_ms >= 0) {
		snprintf(text, sizeof text, "simulated %s%s", rpt_format_ms(c->simulated_ms, ms, sizeof ms),
			 c->runs > 1 ? " per run" : "");
		add_phrase(b, text);
	}
	if (c->wall_s >= 0 && rpt_case_kind(c) != RPT_CASE_UNIT) { /* CUnit does not time single tests */
		snprintf(text, sizeof text, "wall %.3f s", c->wall_s);
		add_phrase(b, text);
	}
}

/* "at seed 17 in "test": message" for anything but a pass. */
static void failure_details(const struct rpt_ref_outcome *o, struct rpt_buf *b)
{
	const struct rpt_case *c = o->worst;
	if (!c) {
		rpt_buf_adds(b, "nothing by that name in the results");
		return;
	}
	if (c->seed)
		rpt_buf_printf(b, "at seed %s", c->seed);
	if (o->ref->kind == RPT_REF_UNIT && !o->ref->test)
		rpt_buf_printf(b, "%sin \"%s\"", b->len ? " " : "", c->name);
	if (c->message)
		rpt_buf_printf(b, "%s%s", b->len ? ": " : "", c->message);
}

void rpt_outcome_text(const struct rpt_ref_outcome *o, bool with_verdict, struct rpt_buf *b)
{
	struct rpt_buf details = { 0 };
	if (o->verdict == RPT_PASS)
		pass_details(o, &details);
	else
		failure_details(o, &details);
	if (with_verdict) {
		rpt_buf_adds(b, rpt_verdict_name(o->verdict));
		if (details.len)
			rpt_buf_adds(b, o->verdict == RPT_PASS ? ", " : o->worst && o->worst->seed ? " " : ": ");
	}
	rpt_buf_adds(b, details.len ? details.s : "");
	rpt_buf_free(&details);
}

static const char hand_ticked_note[] = "ticked by hand in the source, but the evidence does not verify it";

static const char *box_for(enum rpt_item_status s)
{
	return s == RPT_ITEM_VERIFIED ? "x" : " ";
}

/* --- Markdown ------------------------------------------------------------------ */

static void md_ref(FILE *out, const char *indent, const struct rpt_ref_outcome *o)
{
	struct rpt_buf b = { 0 };
	char what[256];
	rpt_outcome_text(o, true, &b);
	char *replay = rpt_ref_replay(o);
	const char *kind = rpt_ref_kind_word(o->ref->kind);
	const char *name = rpt_ref_describe(o->ref, what, sizeof what) + strlen(kind) + 1;
	bool bad = o->verdict != RPT_PASS;
	fprintf(out, "%s- %s `%s`: %s%s%s. Replay: `%s`\n", indent, kind, name, bad ? "**" : "", b.s,
		bad ? "**" : "", replay);
	if (o->worst && o->worst->timeline && bad)
		fprintf(out, "%s  Timeline: [%s](%s)\n", indent, o->worst->timeline, o->worst->timeline);
	free(replay);
	rpt_buf_free(&b);
}

static void md_coverage(FILE *out, const char *indent, const struct rpt_coverage *cov)
{
	if (!cov->measured) {
		fprintf(out, "%s- code exercised: not measured (per-item coverage runs in `make run`)\n", indent);
		return;
	}
	fprintf(out, "%s- code exercised (gcovr, this item's evidence alone): %d lines in %zu file%s\n", indent,
		cov->lines_hit, cov->n_files, cov->n_files == 1 ? "" : "s");
	for (size_t i = 0; i < cov->n_files; i++) {
		const struct rpt_cov_file *f = &cov->files[i];
		fprintf(out, "%s  - `%s`: %d of %d lines, %zu of %d functions:", indent, f->path, f->lines_hit,
			f->lines_total, f->n_functions, f->functions_total);
		for (size_t k = 0; k < f->n_functions; k++)
			fprintf(out, "%s %s", k ? "," : "", f->functions[k].name);
		fputc('\n', out);
	}
}

static void md_evidence(FILE *out, const struct rpt_judged *j, size_t i, const struct rpt_line *l)
{
	const struct rpt_item *it = &j->checklist->items[i];
	const struct rpt_item_verdict *v = &j->items[i];
	char indent[64];
	size_t n = l->box_col > 1 ? l->box_col - 1 : 2;
	if (n >= sizeof indent)
		n = sizeof indent - 1;
	memset(indent, ' ', n);
	indent[n] = '\0';
	if (it->ticked_in_source && v->status != RPT_ITEM_VERIFIED)
		fprintf(out, "%s- %s\n", indent, hand_ticked_note);
	if (v->status == RPT_ITEM_GAP) {
		if (it->gap_reason)
			fprintf(out, "%s- **gap**: no scenario or test verifies this item (%s)\n", indent, it->gap_reason);
		else
			fprintf(out, "%s- **gap**: no scenario or test verifies this item\n", indent);
		return;
	}
	for (size_t k = 0; k < it->n_refs; k++)
		md_ref(out, indent, &v->refs[k]);
	md_coverage(out, indent, &v->coverage);
}

static void md_failing_list(FILE *out, const struct rpt_judged *j)
{
	const struct rpt_checklist *c = j->checklist;
	fprintf(out, "\n### Failing (%zu)\n\n", j->failing);
	for (size_t i = 0; i < c->n_items; i++) {
		if (j->items[i].status != RPT_ITEM_FAILING)
			continue;
		fprintf(out, "- line %d: %s\n", c->items[i].line, c->items[i].text);
		for (size_t k = 0; k < c->items[i].n_refs; k++)
			if (j->items[i].refs[k].verdict != RPT_PASS)
				md_ref(out, "  ", &j->items[i].refs[k]);
	}
}

static void md_gap_list(FILE *out, const struct rpt_judged *j)
{
	const struct rpt_checklist *c = j->checklist;
	fprintf(out, "\n### Gaps: no verifying scenario (%zu)\n\n", j->gaps);
	for (size_t i = 0; i < c->n_items; i++)
		if (j->items[i].status == RPT_ITEM_GAP)
			fprintf(out, "- line %d: %s%s%s%s\n", c->items[i].line, c->items[i].text,
				c->items[i].gap_reason ? " (" : "", c->items[i].gap_reason ? c->items[i].gap_reason : "",
				c->items[i].gap_reason ? ")" : "");
}

void rpt_write_checklist_md(FILE *out, const struct rpt_judged *j, const char *sources)
{
	const struct rpt_checklist *c = j->checklist;
	fprintf(out, "<!-- generated by `rollcall report checklists` from %s and %s: boxes are ticked from "
		     "evidence only; edit the source, not this file -->\n",
		c->path, sources);
	for (size_t li = 0; li < c->n_lines; li++) {
		const struct rpt_line *l = &c->lines[li];
		if (l->item_start) {
			fprintf(out, "%.*s%s%s\n", (int)l->box_col, l->text, box_for(j->items[l->item].status),
				l->text + l->box_col + 1);
		} else {
			fprintf(out, "%s\n", l->text);
		}
		bool last_of_item = l->item >= 0 && (li + 1 == c->n_lines || c->lines[li + 1].item != l->item);
		if (last_of_item) {
			size_t start = li;
			while (!c->lines[start].item_start)
				start--;
			md_evidence(out, j, (size_t)l->item, &c->lines[start]);
		}
	}
	fprintf(out, "\n## Verification summary\n\n| items | count |\n|---|---:|\n"
		     "| verified (ticked) | %zu |\n| failing | %zu |\n| gaps: no verifying scenario | %zu |\n"
		     "| total | %zu |\n",
		j->verified, j->failing, j->gaps, c->n_items);
	if (j->failing)
		md_failing_list(out, j);
	if (j->gaps)
		md_gap_list(out, j);
}

/* --- HTML ----------------------------------------------------------------------- */

static void html_ref(FILE *out, const struct rpt_ref_outcome *o)
{
	struct rpt_buf b = { 0 };
	char what[256];
	rpt_outcome_text(o, false, &b);
	char *replay = rpt_ref_replay(o);
	bool bad = o->verdict != RPT_PASS;
	fputs("<li>", out);
	rpt_html_pill(out, bad ? "fail" : "pass", rpt_verdict_name(o->verdict));
	fputs(" <code>", out);
	rpt_html_text(out, rpt_ref_describe(o->ref, what, sizeof what));
	fputs("</code>", out);
	if (b.len) {
		fputs(": ", out);
		rpt_html_text(out, b.s);
	}
	fputs("<br><span class=\"muted\">replay:</span> <code>", out);
	rpt_html_text(out, replay);
	fputs("</code>", out);
	if (o->worst && o->worst->timeline && bad) {
		fputs(" <a href=\"", out);
		rpt_html_text(out, o->worst->timeline);
		fputs("\">timeline</a>", out);
	}
	fputs("</li>\n", out);
	free(replay);
	rpt_buf_free(&b);
}

static void html_coverage(FILE *out, const struct rpt_coverage *cov)
{
	if (!cov->measured) {
		fputs("<div class=\"muted\">code exercised: not measured (per-item coverage runs in "
		      "<code>make run</code>)</div>\n",
		      out);
		return;
	}
	fprintf(out, "<details><summary>code exercised: %d lines in %zu file%s</summary>\n"
		     "<div class=\"scroll\"><table><tr><th>file</th><th class=\"num\">lines</th>"
		     "<th>functions executed</th></tr>\n",
		cov->lines_hit, cov->n_files, cov->n_files == 1 ? "" : "s");
	for (size_t i = 0; i < cov->n_files; i++) {
		const struct rpt_cov_file *f = &cov->files[i];
		fputs("<tr><td><code>", out);
		rpt_html_text(out, f->path);
		fprintf(out, "</code></td><td class=\"num\">%d / %d</td><td>", f->lines_hit, f->lines_total);
		for (size_t k = 0; k < f->n_functions; k++) {
			fputs(k ? ", " : "", out);
			rpt_html_text(out, f->functions[k].name);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table></div></details>\n", out);
}

static void html_item(FILE *out, const struct rpt_judged *j, size_t i)
{
	const struct rpt_item *it = &j->checklist->items[i];
	const struct rpt_item_verdict *v = &j->items[i];
	static const char *const pill[] = { "pass", "fail", "gap" };
	fprintf(out, "<li class=\"%s\" id=\"item-%zu\"><span class=\"box\">[%s]</span>", rpt_item_status_name(v->status),
		i + 1, box_for(v->status));
	rpt_html_text(out, it->text);
	fputs(" ", out);
	rpt_html_pill(out, pill[v->status], rpt_item_status_name(v->status));
	fprintf(out, " <span class=\"muted\">line %d</span>\n", it->line);
	if (it->ticked_in_source && v->status != RPT_ITEM_VERIFIED) {
		fputs("<div class=\"muted\">", out);
		rpt_html_text(out, hand_ticked_note);
		fputs("</div>\n", out);
	}
	if (v->status == RPT_ITEM_GAP) {
		fputs("<div class=\"muted\">no scenario or test verifies this item", out);
		if (it->gap_reason) {
			fputs(": ", out);
			rpt_html_text(out, it->gap_reason);
		}
		fputs("</div></li>\n", out);
		return;
	}
	fputs("<ul class=\"ev\">\n", out);
	for (size_t k = 0; k < it->n_refs; k++)
		html_ref(out, &v->refs[k]);
	fputs("</ul>\n", out);
	html_coverage(out, &v->coverage);
	fputs("</li>\n", out);
}

static void html_cards(FILE *out, const struct rpt_judged *j)
{
	fprintf(out, "<div class=\"cards\"><div class=\"card\"><b>%zu</b>verified (ticked)</div>"
		     "<div class=\"card\"><b>%zu</b>failing</div><div class=\"card\"><b>%zu</b>gaps: no "
		     "verifying scenario</div><div class=\"card\"><b>%zu</b>items</div></div>\n",
		j->verified, j->failing, j->gaps, j->checklist->n_items);
}

void rpt_write_checklist_html(FILE *out, const struct rpt_judged *j, const char *sources)
{
	const struct rpt_checklist *c = j->checklist;
	rpt_html_begin(out, c->title);
	fputs("<p class=\"muted\">Checklist <code>", out);
	rpt_html_text(out, c->path);
	fputs("</code>, ticked from <code>", out);
	rpt_html_text(out, sources);
	fputs("</code>. An item is ticked only when every scenario and test it names passed.</p>\n", out);
	html_cards(out, j);
	const char *section = c->title;
	bool open = false;
	for (size_t i = 0; i < c->n_items; i++) {
		const char *s = c->items[i].section;
		if (!open || (s && (!section || strcmp(s, section) != 0))) {
			if (open)
				fputs("</ul>\n", out);
			if (s && strcmp(s, c->title) != 0) {
				fputs("<h2>", out);
				rpt_html_text(out, s);
				fputs("</h2>\n", out);
			}
			section = s;
			fputs("<ul class=\"items\">\n", out);
			open = true;
		}
		html_item(out, j, i);
	}
	if (open)
		fputs("</ul>\n", out);
	rpt_html_end(out);
}

/* --- JSON ----------------------------------------------------------------------- */

static json_t *ref_json(const struct rpt_ref_outcome *o)
{
	char what[256];
	char *replay = rpt_ref_replay(o);
	json_t *r = json_pack("{s:s, s:s, s:s}", "ref", rpt_ref_describe(o->ref, what, sizeof what), "verdict",
			      rpt_verdict_name(o->verdict), "replay", replay);
	free(replay);
	if (o->worst && o->worst->message && o->verdict != RPT_PASS)
		json_object_set_new(r, "message", json_string(o->worst->message));
	if (o->worst && o->worst->timeline)
		json_object_set_new(r, "timeline", json_string(o->worst->timeline));
	return r;
}

static json_t *item_json(const struct rpt_judged *j, size_t i)
{
	const struct rpt_item *it = &j->checklist->items[i];
	json_t *refs = json_array();
	for (size_t k = 0; k < it->n_refs; k++)
		json_array_append_new(refs, ref_json(&j->items[i].refs[k]));
	json_t *item = json_pack("{s:i, s:s, s:s, s:o}", "line", it->line, "text", it->text, "status",
				 rpt_item_status_name(j->items[i].status), "refs", refs);
	if (it->section)
		json_object_set_new(item, "section", json_string(it->section));
	if (it->gap_reason)
		json_object_set_new(item, "gap_reason", json_string(it->gap_reason));
	if (j->items[i].coverage.measured)
		json_object_set_new(item, "lines_exercised", json_integer(j->items[i].coverage.lines_hit));
	return item;
}

json_t *rpt_judged_json(const struct rpt_judged *j, const char *md_path, const char *html_path)
{
	const struct rpt_checklist *c = j->checklist;
	json_t *items = json_array();
	for (size_t i = 0; i < c->n_items; i++)
		json_array_append_new(items, item_json(j, i));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "name", c->name, "title", c->title,
			 "source", c->path, "markdown", md_path, "html", html_path, "verified", (json_int_t)j->verified,
			 "failing", (json_int_t)j->failing, "gaps", (json_int_t)j->gaps, "items", items);
}
