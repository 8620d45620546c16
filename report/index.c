/*
 * index.c - write reports/index.html from the results, the checklist summary
 * and the coverage summary (see index.h).
 *
 * Every section degrades to a sentence saying what is missing and which
 * command makes it, so a partial run still gives a readable page.
 */
#include "index.h"

#include <dirent.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "evidence.h"
#include "html.h"
#include "util.h"

struct tally {
	size_t passed, total;
	double wall_s;
	long long simulated_ms;
};

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void link_open(FILE *out, const struct rpt_index_input *in, const char *path)
{
	char *href = rpt_relative_link(in->dir, path);
	fputs("<a href=\"", out);
	rpt_html_text(out, href);
	fputs("\">", out);
	free(href);
}

/* Simulated time of every run of a case together, or -1 if unknown. */
static long long simulated_total(const struct rpt_case *c)
{
	if (c->simulated_total_ms >= 0)
		return c->simulated_total_ms;
	return c->runs == 1 ? c->simulated_ms : -1;
}

static struct tally count_cases(const struct rpt_results *r, enum rpt_case_kind kind)
{
	struct tally t = { 0 };
	for (size_t i = 0; i < r->n; i++) {
		const struct rpt_case *c = &r->cases[i];
		if (rpt_case_kind(c) != kind)
			continue;
		t.total++;
		t.passed += c->verdict == RPT_PASS;
		if (c->wall_s > 0)
			t.wall_s += c->wall_s;
		if (simulated_total(c) > 0)
			t.simulated_ms += simulated_total(c);
	}
	return t;
}

static long long summary_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static double summary_percent(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : -1.0;
}

/* A total's percentage ("line" or "branch") as gcovr's --fail-under-line and
 * --fail-under-branch judge it: with nothing to cover, branches count as 100 %
 * and lines as 0 % (its JSON summary writes 0.0 for both). */
static double total_percent(json_t *o, const char *kind)
{
	char key[32];
	snprintf(key, sizeof key, "%s_total", kind);
	if (summary_int(o, key) == 0)
		return strcmp(kind, "branch") == 0 ? 100.0 : 0.0;
	snprintf(key, sizeof key, "%s_percent", kind);
	return summary_percent(o, key);
}

static bool coverage_ok(const struct rpt_index_input *in)
{
	if (!in->coverage)
		return true;
	return total_percent(in->coverage, "line") >= in->line_threshold &&
	       total_percent(in->coverage, "branch") >= in->branch_threshold;
}

/* --- checking the inputs ------------------------------------------------------------ */

/* Check o against a json_unpack format, types only (JSON_VALIDATE_ONLY: the
 * arguments are just the keys); on a mismatch err says where and what. */
static int check_shape(json_t *o, const char *where, char *err, size_t err_len, const char *fmt, ...)
{
	json_error_t e;
	va_list ap;
	va_start(ap, fmt);
	int rc = json_vunpack_ex(o, &e, JSON_VALIDATE_ONLY, fmt, ap);
	va_end(ap);
	if (rc != 0)
		snprintf(err, err_len, "%s%s%s", where, *where ? ": " : "", e.text);
	return rc;
}

static int check_item(json_t *item, const char *where, char *err, size_t err_len)
{
	if (check_shape(item, where, err, err_len, "{s:I, s:s, s:s, s:[], s?s}", "line", "text", "status", "refs",
			"gap_reason") != 0)
		return -1;
	size_t r;
	json_t *ref;
	json_array_foreach(json_object_get(item, "refs"), r, ref) {
		char at[96];
		snprintf(at, sizeof at, "%s.refs[%zu]", where, r);
		if (check_shape(ref, at, err, err_len, "{s:s, s:s, s:s}", "ref", "verdict", "replay") != 0)
			return -1;
	}
	return 0;
}

static int check_checklist(json_t *c, size_t i, char *err, size_t err_len)
{
	char at[64];
	snprintf(at, sizeof at, "checklists[%zu]", i);
	if (check_shape(c, at, err, err_len, "{s:s, s:s, s?s, s?s, s:I, s:I, s:I, s:[]}", "name", "title", "html",
			"markdown", "verified", "failing", "gaps", "items") != 0)
		return -1;
	size_t k;
	json_t *item;
	json_array_foreach(json_object_get(c, "items"), k, item) {
		snprintf(at, sizeof at, "checklists[%zu].items[%zu]", i, k);
		if (check_item(item, at, err, err_len) != 0)
			return -1;
	}
	return 0;
}

int rpt_index_check_checklists(json_t *summary, char *err, size_t err_len)
{
	char why[256];
	int rc = check_shape(summary, "", why, sizeof why, "{s:[], s:I, s:I, s:I, s:I}", "checklists", "verified",
			     "failing", "gaps", "items");
	size_t i;
	json_t *c;
	json_array_foreach(rc == 0 ? json_object_get(summary, "checklists") : NULL, i, c) {
		if ((rc = check_checklist(c, i, why, sizeof why)) != 0)
			break;
	}
	if (rc != 0)
		snprintf(err, err_len, "not a summary of `rollcall report checklists` (%s)", why);
	return rc;
}

int rpt_index_check_coverage(json_t *summary, char *err, size_t err_len)
{
	char why[256];
	int rc = check_shape(summary, "", why, sizeof why, "{s:[], s:I, s:I, s:F, s:I, s:I, s:F}", "files",
			     "line_total", "line_covered", "line_percent", "branch_total", "branch_covered",
			     "branch_percent");
	size_t i;
	json_t *f;
	json_array_foreach(rc == 0 ? json_object_get(summary, "files") : NULL, i, f) {
		char at[32];
		snprintf(at, sizeof at, "files[%zu]", i);
		if ((rc = check_shape(f, at, why, sizeof why, "{s:s, s:I, s:I}", "filename", "line_covered",
				      "line_total")) != 0)
			break;
	}
	if (rc != 0)
		snprintf(err, err_len, "not a gcovr JSON summary (%s)", why);
	return rc;
}

/* --- the overview --------------------------------------------------------------- */

static void card(FILE *out, const char *cls, const char *big, const char *label)
{
	fprintf(out, "<div class=\"card %s\"><b>", cls);
	rpt_html_text(out, big);
	fputs("</b>", out);
	rpt_html_text(out, label);
	fputs("</div>", out);
}

const char *rpt_index_unjudged(const struct rpt_index_input *in)
{
	if (!in->checklists && !in->coverage)
		return "checklists, coverage";
	if (!in->checklists)
		return "checklists";
	return in->coverage ? NULL : "coverage";
}

static void overview(FILE *out, const struct rpt_index_input *in, int verdict)
{
	struct tally s = count_cases(in->results, RPT_CASE_SCENARIO), u = count_cases(in->results, RPT_CASE_UNIT);
	struct tally it = count_cases(in->results, RPT_CASE_INTEGRATION);
	char big[64];
	fputs("<p>", out);
	rpt_html_pill(out, verdict ? "fail" : "pass", verdict ? "FAIL" : "PASS");
	fputs(" the gate: every scenario over every seed", out);
	if (in->checklists)
		fputs(", every checklist item either verified or listed as a gap", out);
	if (in->coverage)
		fputs(", coverage at or above its thresholds", out);
	fputs(".", out);
	const char *unjudged = rpt_index_unjudged(in);
	if (unjudged)
		fprintf(out, " <b>Not judged</b> (no summary): %s.", unjudged);
	fputs("</p>\n<div class=\"cards\">", out);
	snprintf(big, sizeof big, "%zu/%zu", s.passed, s.total);
	card(out, s.passed == s.total ? "pass" : "fail", big, "scenarios pass");
	if (u.total) {
		snprintf(big, sizeof big, "%zu/%zu", u.passed, u.total);
		card(out, u.passed == u.total ? "pass" : "fail", big, "unit tests pass");
	}
	if (it.total) {
		snprintf(big, sizeof big, "%zu/%zu", it.passed, it.total);
		card(out, it.passed == it.total ? "pass" : "fail", big, "integration tests pass");
	}
	if (in->checklists) {
		long long failing = summary_int(in->checklists, "failing");
		snprintf(big, sizeof big, "%lld/%lld", summary_int(in->checklists, "verified"),
			 summary_int(in->checklists, "items"));
		card(out, failing ? "fail" : "pass", big, "checklist items verified");
		snprintf(big, sizeof big, "%lld", summary_int(in->checklists, "gaps"));
		card(out, "gap", big, "gaps: no verifying scenario");
	}
	if (in->coverage) {
		snprintf(big, sizeof big, "%.1f%% / %.1f%%", total_percent(in->coverage, "line"),
			 total_percent(in->coverage, "branch"));
		card(out, coverage_ok(in) ? "pass" : "fail", big, "lines / branches of reference/ covered");
	}
	fputs("</div>\n", out);
}

/* --- the gate table --------------------------------------------------------------- */

/* Simulated seconds per wall second, with thousands grouped: "3,000,000x". */
static void speed_up(FILE *out, double ratio)
{
	char digits[32], grouped[48];
	snprintf(digits, sizeof digits, "%.0f", ratio);
	size_t n = strlen(digits), k = 0;
	for (size_t i = 0; i < n && k + 2 < sizeof grouped; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	fprintf(out, "%sx", grouped);
}

static void gate_row(FILE *out, const struct rpt_case *c)
{
	char per_run[32], total[32];
	long long all_ms = simulated_total(c);
	fputs("<tr><td><code>", out);
	rpt_html_text(out, c->name);
	fputs("</code></td><td>", out);
	rpt_html_text(out, c->seeds ? c->seeds : "-");
	fputs("</td><td>", out);
	rpt_html_pill(out, c->verdict == RPT_PASS ? "pass" : "fail", rpt_verdict_name(c->verdict));
	fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>",
		rpt_format_ms(c->simulated_ms, per_run, sizeof per_run), rpt_format_ms(all_ms, total, sizeof total));
	if (c->wall_s >= 0)
		fprintf(out, "<td class=\"num\">%.3f s</td>", c->wall_s);
	else
		fputs("<td class=\"num\">-</td>", out);
	fputs("<td class=\"num\">", out);
	if (c->wall_s > 0 && all_ms > 0)
		speed_up(out, (double)all_ms / 1000.0 / c->wall_s);
	else
		fputs("-", out);
	fputs("</td></tr>\n", out);
}

static void gate_table(FILE *out, const struct rpt_index_input *in)
{
	struct tally s = count_cases(in->results, RPT_CASE_SCENARIO);
	fputs("<h2 id=\"gate\">Gate: the scenario library</h2>\n", out);
	if (!s.total) {
		fputs("<p class=\"muted\">No scenario results. <code>build/bin/rollcall run --seeds 1-100 "
		      "--junit reports/junit.xml scenarios/</code> writes them.</p>\n",
		      out);
		return;
	}
	fputs("<div class=\"scroll\"><table><tr><th>scenario</th><th>seeds</th><th>verdict</th>"
	      "<th class=\"num\">simulated per run</th><th class=\"num\">simulated, all runs</th>"
	      "<th class=\"num\">wall, all runs</th><th class=\"num\">speed-up</th></tr>\n",
	      out);
	for (size_t i = 0; i < in->results->n; i++)
		if (rpt_case_is_scenario(&in->results->cases[i]))
			gate_row(out, &in->results->cases[i]);
	char sim[32];
	fprintf(out, "<tr><th>%zu scenarios</th><th></th><th>%zu pass</th><th></th><th class=\"num\">%s</th>"
		     "<th class=\"num\">%.3f s</th><th></th></tr>\n</table></div>\n",
		s.total, s.passed, rpt_format_ms(s.simulated_ms, sim, sizeof sim), s.wall_s);
}

/* --- failures --------------------------------------------------------------------- */

/* A timeline picture for a failing case: its own, or TIMELINES/NAME.svg. */
static char *timeline_of(const struct rpt_index_input *in, const struct rpt_case *c)
{
	if (c->timeline && file_exists(c->timeline))
		return rpt_xstrdup(c->timeline);
	if (!in->timelines_dir)
		return NULL;
	struct rpt_buf b = { 0 };
	rpt_buf_printf(&b, "%s/%s.svg", in->timelines_dir, c->name);
	if (file_exists(b.s))
		return b.s;
	rpt_buf_free(&b);
	return NULL;
}

static void failure(FILE *out, const struct rpt_index_input *in, const struct rpt_case *c)
{
	fputs("<h3><code>", out);
	rpt_html_text(out, c->name);
	fputs("</code> ", out);
	rpt_html_pill(out, "fail", rpt_verdict_name(c->verdict));
	fputs("</h3>\n", out);
	if (c->message) {
		fputs("<p>", out);
		rpt_html_text(out, c->message);
		fputs("</p>\n", out);
	}
	if (c->detail && (!c->message || strcmp(c->detail, c->message) != 0)) {
		fputs("<pre>", out);
		rpt_html_text(out, c->detail);
		fputs("</pre>\n", out);
	}
	char *replay = rpt_case_replay(c);
	fputs("<p>replay: <code>", out);
	rpt_html_text(out, replay);
	fputs("</code></p>\n", out);
	free(replay);
	char *timeline = timeline_of(in, c);
	if (timeline) {
		char *href = rpt_relative_link(in->dir, timeline);
		fputs("<p><a href=\"", out);
		rpt_html_text(out, href);
		fputs("\"><img src=\"", out);
		rpt_html_text(out, href);
		fputs("\" alt=\"timeline of the failing run\" style=\"max-width:100%;border:1px solid #ddd\">"
		      "</a></p>\n",
		      out);
		free(href);
		free(timeline);
	}
}

static void failures(FILE *out, const struct rpt_index_input *in)
{
	size_t n = 0;
	for (size_t i = 0; i < in->results->n; i++)
		n += in->results->cases[i].verdict != RPT_PASS;
	if (!n)
		return;
	fprintf(out, "<h2 id=\"failures\">Failures (%zu)</h2>\n", n);
	for (size_t i = 0; i < in->results->n; i++)
		if (in->results->cases[i].verdict != RPT_PASS)
			failure(out, in, &in->results->cases[i]);
}

/* --- checklists ------------------------------------------------------------------- */

static void checklist_row(FILE *out, const struct rpt_index_input *in, json_t *c)
{
	const char *html = json_string_value(json_object_get(c, "html"));
	const char *md = json_string_value(json_object_get(c, "markdown"));
	long long failing = summary_int(c, "failing");
	fputs("<tr><td>", out);
	if (html)
		link_open(out, in, html);
	rpt_html_text(out, json_string_value(json_object_get(c, "title")));
	fputs(html ? "</a>" : "", out);
	if (md) {
		fputs(" <span class=\"muted\">(", out);
		link_open(out, in, md);
		fputs("md</a>)</span>", out);
	}
	fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">", summary_int(c, "verified"));
	if (failing)
		fprintf(out, "<span class=\"pill fail\">%lld</span>", failing);
	else
		fputs("0", out);
	fprintf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%zu</td></tr>\n", summary_int(c, "gaps"),
		json_array_size(json_object_get(c, "items")));
}

/* Items of every checklist with the given status, as a list. */
static void items_with_status(FILE *out, json_t *checklists, const char *status, const char *heading)
{
	size_t i, k, shown = 0;
	json_t *c, *item;
	json_array_foreach(checklists, i, c) {
		json_array_foreach(json_object_get(c, "items"), k, item) {
			if (strcmp(json_string_value(json_object_get(item, "status")), status) != 0)
				continue;
			if (!shown++)
				fprintf(out, "<h3>%s</h3>\n<ul>\n", heading);
			fputs("<li>", out);
			rpt_html_text(out, json_string_value(json_object_get(item, "text")));
			fputs(" <span class=\"muted\">(", out);
			rpt_html_text(out, json_string_value(json_object_get(c, "name")));
			fprintf(out, ", line %lld)</span>", summary_int(item, "line"));
			size_t r;
			json_t *ref;
			json_array_foreach(json_object_get(item, "refs"), r, ref) {
				if (strcmp(json_string_value(json_object_get(ref, "verdict")), "pass") == 0)
					continue;
				fputs("<br><code>", out);
				rpt_html_text(out, json_string_value(json_object_get(ref, "ref")));
				fputs("</code> ", out);
				rpt_html_text(out, json_string_value(json_object_get(ref, "verdict")));
				fputs(", replay: <code>", out);
				rpt_html_text(out, json_string_value(json_object_get(ref, "replay")));
				fputs("</code>", out);
			}
			const char *reason = json_string_value(json_object_get(item, "gap_reason"));
			if (reason) {
				fputs("<br><span class=\"muted\">", out);
				rpt_html_text(out, reason);
				fputs("</span>", out);
			}
			fputs("</li>\n", out);
		}
	}
	if (shown)
		fputs("</ul>\n", out);
}

static void checklists(FILE *out, const struct rpt_index_input *in)
{
	fputs("<h2 id=\"checklists\">Verification checklists</h2>\n", out);
	json_t *list = in->checklists ? json_object_get(in->checklists, "checklists") : NULL;
	if (!json_is_array(list)) {
		fputs("<p class=\"muted\">No checklist summary. <code>build/bin/rollcall report checklists</code> "
		      "writes it.</p>\n",
		      out);
		return;
	}
	fputs("<div class=\"scroll\"><table><tr><th>checklist</th><th class=\"num\">verified</th>"
	      "<th class=\"num\">failing</th><th class=\"num\">gaps</th><th class=\"num\">items</th></tr>\n",
	      out);
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c)
		checklist_row(out, in, c);
	fputs("</table></div>\n", out);
	items_with_status(out, list, "failing", "Failing items");
	items_with_status(out, list, "gap", "Gaps: items no scenario verifies");
}

/* --- coverage --------------------------------------------------------------------- */

/* gcovr 5's per-file page: index.BASENAME.MD5(path).html next to its index;
 * otherwise the only index.BASENAME.*.html there; otherwise the index. */
static char *gcovr_page(const char *index_html, const char *file)
{
	char *dir = rpt_dirname(index_html), *base = rpt_basename_without(file, "");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct rpt_buf b = { 0 };
	rpt_buf_printf(&b, "%s/index.%s.", dir, base);
	if (EVP_Digest(file, strlen(file), md, &n, EVP_md5(), NULL) == 1) {
		for (unsigned int i = 0; i < n; i++)
			rpt_buf_printf(&b, "%02x", md[i]);
		rpt_buf_adds(&b, ".html");
		if (file_exists(b.s))
			goto done;
	}
	rpt_buf_free(&b);
	rpt_buf_printf(&b, "index.%s.", base);
	DIR *d = opendir(dir);
	char *found = NULL;
	int matches = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, b.s, b.len) == 0 && len > 5 && strcmp(e->d_name + len - 5, ".html") == 0 &&
		    !matches++)
			found = rpt_xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	rpt_buf_free(&b);
	if (matches == 1)
		rpt_buf_printf(&b, "%s/%s", dir, found);
	else
		rpt_buf_adds(&b, index_html);
	free(found);
done:
	free(dir);
	free(base);
	return b.s;
}

static void percent_cell(FILE *out, double percent, double threshold)
{
	fputs("<td class=\"num\">", out);
	if (percent < 0) {
		fputs("-</td>", out);
		return;
	}
	if (threshold > 0 && percent < threshold)
		fprintf(out, "<span class=\"pill fail\">%.1f%%</span></td>", percent);
	else
		fprintf(out, "%.1f%%</td>", percent);
}

static void coverage_row(FILE *out, const struct rpt_index_input *in, json_t *f, const char *name)
{
	fputs("<tr><td>", out);
	if (in->coverage_html && name) {
		char *page = gcovr_page(in->coverage_html, name);
		link_open(out, in, page);
		free(page);
	}
	fputs("<code>", out);
	rpt_html_text(out, name ? name : "total");
	fputs(in->coverage_html && name ? "</code></a></td>" : "</code></td>", out);
	fprintf(out, "<td class=\"num\">%lld / %lld</td>", summary_int(f, "line_covered"), summary_int(f, "line_total"));
	if (name) {
		percent_cell(out, summary_percent(f, "line_percent"), 0);
		percent_cell(out, summary_percent(f, "branch_percent"), 0);
	} else {
		percent_cell(out, total_percent(f, "line"), in->line_threshold);
		percent_cell(out, total_percent(f, "branch"), in->branch_threshold);
	}
	percent_cell(out, summary_percent(f, "function_percent"), 0);
	fputs("</tr>\n", out);
}

static void coverage(FILE *out, const struct rpt_index_input *in)
{
	fputs("<h2 id=\"coverage\">Coverage of reference/</h2>\n", out);
	if (!in->coverage) {
		fputs("<p class=\"muted\">No coverage summary. <code>make coverage</code> writes it.</p>\n", out);
		return;
	}
	fprintf(out, "<p>Thresholds (gcovr <code>--fail-under-line %.0f --fail-under-branch %.0f</code>): ",
		in->line_threshold, in->branch_threshold);
	rpt_html_pill(out, coverage_ok(in) ? "pass" : "fail", coverage_ok(in) ? "met" : "NOT met");
	if (in->coverage_html) {
		fputs(" &middot; ", out);
		link_open(out, in, in->coverage_html);
		fputs("gcovr's report, line by line</a>", out);
	}
	fputs("</p>\n<div class=\"scroll\"><table><tr><th>file</th><th class=\"num\">lines</th>"
	      "<th class=\"num\">line %</th><th class=\"num\">branch %</th><th class=\"num\">function %</th></tr>\n",
	      out);
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(in->coverage, "files"), i, f)
		coverage_row(out, in, f, json_string_value(json_object_get(f, "filename")));
	coverage_row(out, in, in->coverage, NULL);
	fputs("</table></div>\n", out);
}

/* --- files and the page --------------------------------------------------------- */

static void files(FILE *out, const struct rpt_index_input *in)
{
	fputs("<h2 id=\"files\">Files</h2>\n<ul>\n", out);
	for (size_t i = 0; i < in->n_result_files; i++) {
		fputs("<li>", out);
		link_open(out, in, in->result_files[i]);
		rpt_html_text(out, in->result_files[i]);
		fputs("</a> (JUnit XML, for CI test reporters)</li>\n", out);
	}
	fputs("</ul>\n", out);
}

int rpt_write_index(FILE *out, const struct rpt_index_input *in)
{
	struct tally s = count_cases(in->results, RPT_CASE_SCENARIO), u = count_cases(in->results, RPT_CASE_UNIT);
	struct tally it = count_cases(in->results, RPT_CASE_INTEGRATION);
	bool failing_items = in->checklists && summary_int(in->checklists, "failing") > 0;
	int verdict = s.passed != s.total || u.passed != u.total || it.passed != it.total || failing_items ||
		      !coverage_ok(in) || !s.total;
	rpt_html_begin(out, "rollcall report");
	overview(out, in, verdict);
	fputs("<p class=\"muted\"><a href=\"#gate\">gate</a> &middot; <a href=\"#checklists\">checklists</a> "
	      "&middot; <a href=\"#coverage\">coverage</a> &middot; <a href=\"#files\">files</a></p>\n",
	      out);
	failures(out, in);
	gate_table(out, in);
	if (u.total)
		fprintf(out, "<p>Unit tests (CUnit): %zu of %zu pass.</p>\n", u.passed, u.total);
	if (it.total)
		fprintf(out, "<p>Integration tests (real daemons, clocks moved by libfaketime): %zu of %zu pass.</p>\n",
			it.passed, it.total);
	checklists(out, in);
	coverage(out, in);
	files(out, in);
	rpt_html_end(out);
	return verdict;
}
