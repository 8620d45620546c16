/*
 * cmd_report.c - `rollcall report`: tick verification checklists from test
 * results, list checklist items for per-item coverage runs, and write the
 * one-page reports/index.html.
 *
 *   rollcall report checklists [--results FILE]... [--coverage-dir DIR] [--out DIR] [FILE|DIR]...
 *   rollcall report items [FILE|DIR]...
 *   rollcall report index [--results FILE]... [--reports DIR] [--out FILE]
 *
 * The logic lives in report/ (plain data, unit-tested); this file only reads
 * arguments and files and writes the outputs. Every input is read and checked
 * before the first output is written, and each output is written whole or not
 * at all (rendered in memory, then xp_write_file), so bad input or a full disk
 * never leaves a page cut short.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "checklist.h"
#include "cli.h"
#include "evidence.h"
#include "index.h"
#include "rc_file.h"
#include "render.h"
#include "report_junit.h"
#include "util.h"
#include "xp_run.h"

static const char report_usage[] =
	"usage: rollcall report checklists [--results FILE]... [--coverage-dir DIR] [--out DIR] [FILE|DIR]...\n"
	"       rollcall report items [FILE|DIR]...\n"
	"       rollcall report index [--results FILE]... [--reports DIR] [--out FILE]\n"
	"\n"
	"checklists  tick each Markdown checklist (default: fixtures/checklists/) from JUnit\n"
	"            results (default: reports/junit.xml, unit-junit.xml and\n"
	"            integration-junit.xml, those that exist) into\n"
	"            DIR/NAME.md and DIR/NAME.html (default DIR: reports/checklists) plus\n"
	"            DIR/summary.json. --coverage-dir holds gcovr JSON per item\n"
	"            (DIR/NAME/N.json, N = item number; see ci/item-coverage.sh).\n"
	"            Exit 1 if an item's evidence failed or has no result.\n"
	"items       print every item's evidence, one line per reference:\n"
	"            CHECKLIST<TAB>N<TAB>KIND<TAB>NAME[<TAB>TEST], KIND one of scenario,\n"
	"            unit (NAME a suite, TEST one of its tests) or integration\n"
	"index       write the one-page report (default: DIR/index.html, DIR = reports)\n"
	"            from the results, DIR/checklists/summary.json, DIR/coverage/summary.json.\n"
	"            --line-threshold/--branch-threshold (90/75) set the coverage verdict.\n"
	"            Exit 1 if the page's verdict is FAIL.\n";

#define DEFAULT_CHECKLISTS "fixtures/checklists"
#define DEFAULT_REPORTS "reports"

struct strings {
	char **v;
	size_t n, cap;
};

static void strings_add(struct strings *s, char *owned)
{
	rpt_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = owned;
}

static void strings_free(struct strings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strings){ 0 };
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The *.md files of dir except README.md, sorted, appended to out. */
static int add_checklist_dir(const char *dir, struct strings *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return rc_cli_usage_error("report", "cannot open %s", dir);
	size_t first = out->n;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0 && strcmp(e->d_name, "README.md") != 0) {
			struct rpt_buf b = { 0 };
			rpt_buf_printf(&b, "%s/%s", dir, e->d_name);
			strings_add(out, b.s);
		}
	}
	closedir(d);
	if (out->n == first)
		return rc_cli_usage_error("report", "no checklist (*.md) in %s", dir);
	qsort(out->v + first, out->n - first, sizeof *out->v, by_string);
	return 0;
}

/* FILES and DIRS from argv into checklist paths (default: the fixtures). */
static int checklist_paths(int argc, char **argv, struct strings *out)
{
	if (optind >= argc)
		return add_checklist_dir(DEFAULT_CHECKLISTS, out);
	for (int i = optind; i < argc; i++) {
		if (is_dir(argv[i])) {
			if (add_checklist_dir(argv[i], out) != 0)
				return RC_EXIT_USAGE;
		} else {
			strings_add(out, rpt_xstrdup(argv[i]));
		}
	}
	return 0;
}

/* Load every checklist; on a parse error print it and return RC_EXIT_USAGE. */
static int load_checklists(const struct strings *paths, struct rpt_checklist *lists)
{
	char err[512];
	for (size_t i = 0; i < paths->n; i++) {
		if (rpt_checklist_load(paths->v[i], &lists[i], err, sizeof err) != 0) {
			fprintf(stderr, "rollcall report: %s\n", err);
			for (size_t k = 0; k < i; k++)
				rpt_checklist_free(&lists[k]);
			return RC_EXIT_USAGE;
		}
	}
	return 0;
}

/* The JUnit files: as given, or the default ones that exist. */
static int results_paths(struct strings *given, const char *reports_dir)
{
	if (given->n)
		return 0;
	static const char *const defaults[] = { "junit.xml", "unit-junit.xml", "integration-junit.xml" };
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		struct rpt_buf b = { 0 };
		rpt_buf_printf(&b, "%s/%s", reports_dir, defaults[i]);
		if (exists(b.s))
			strings_add(given, b.s);
		else
			rpt_buf_free(&b);
	}
	if (!given->n)
		return rc_cli_usage_error("report", "no results: %s/junit.xml is missing (run `rollcall run "
						    "--junit %s/junit.xml scenarios/`) and no --results was given",
					  reports_dir, reports_dir);
	return 0;
}

static int load_results(const struct strings *files, struct rpt_results *r)
{
	char err[512];
	for (size_t i = 0; i < files->n; i++) {
		if (rc_cli_junit_load(files->v[i], r, err, sizeof err) < 0) {
			fprintf(stderr, "rollcall report: %s\n", err);
			return RC_EXIT_USAGE;
		}
	}
	return 0;
}

static char *joined(const struct strings *s, const char *sep)
{
	struct rpt_buf b = { 0 };
	rpt_buf_adds(&b, "");
	for (size_t i = 0; i < s->n; i++)
		rpt_buf_printf(&b, "%s%s", i ? sep : "", s->v[i]);
	return b.s;
}

/* --- report checklists ------------------------------------------------------------ */

struct checklists_opts {
	struct strings results;
	const char *out_dir;
	const char *coverage_dir;
};

/* Per-item coverage from DIR/NAME/N.json where it exists. */
static int attach_coverage(const char *dir, struct rpt_judged *j)
{
	char err[512];
	for (size_t i = 0; i < j->checklist->n_items; i++) {
		struct rpt_buf b = { 0 };
		rpt_buf_printf(&b, "%s/%s/%zu.json", dir, j->checklist->name, i + 1);
		int rc = 0;
		if (exists(b.s) && j->items[i].status != RPT_ITEM_GAP)
			rc = rpt_coverage_load(b.s, "reference/", &j->items[i].coverage, err, sizeof err);
		rpt_buf_free(&b);
		if (rc != 0) {
			fprintf(stderr, "rollcall report: %s\n", err);
			return RC_EXIT_USAGE;
		}
	}
	return 0;
}

/* An output being rendered in memory. */
struct output {
	FILE *f;
	char *text;
	size_t len;
};

static FILE *output_open(struct output *o)
{
	*o = (struct output){ 0 };
	o->f = open_memstream(&o->text, &o->len);
	if (!o->f) {
		fprintf(stderr, "rollcall: out of memory\n");
		exit(RC_EXIT_USAGE);
	}
	return o->f;
}

/* Write text to path whole or not at all; 0, or RC_EXIT_USAGE after a message. */
static int write_whole(const char *path, const char *text, size_t len)
{
	if (xp_write_file(path, text, len) != 0)
		return rc_cli_usage_error("report", "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Write what was rendered into o to path; 0 or RC_EXIT_USAGE. */
static int output_close(struct output *o, const char *path)
{
	int rc = fclose(o->f) == 0 ? write_whole(path, o->text, o->len)
				   : rc_cli_usage_error("report", "cannot render %s", path);
	free(o->text);
	return rc;
}

/* Write NAME.md and NAME.html; returns 0 or RC_EXIT_USAGE. */
static int write_checklist(const struct rpt_judged *j, const char *out_dir, const char *sources, json_t *summary)
{
	struct rpt_buf md = { 0 }, html = { 0 };
	struct output o;
	rpt_buf_printf(&md, "%s/%s.md", out_dir, j->checklist->name);
	rpt_buf_printf(&html, "%s/%s.html", out_dir, j->checklist->name);
	rpt_write_checklist_md(output_open(&o), j, sources);
	int rc = output_close(&o, md.s);
	if (rc == 0) {
		rpt_write_checklist_html(output_open(&o), j, sources);
		rc = output_close(&o, html.s);
	}
	json_array_append_new(json_object_get(summary, "checklists"), rpt_judged_json(j, md.s, html.s));
	rpt_buf_free(&md);
	rpt_buf_free(&html);
	return rc;
}

static void print_failing(const struct rpt_judged *j)
{
	for (size_t i = 0; i < j->checklist->n_items; i++) {
		if (j->items[i].status != RPT_ITEM_FAILING)
			continue;
		printf("  FAILING %s:%d: %s\n", j->checklist->path, j->checklist->items[i].line,
		       j->checklist->items[i].text);
		for (size_t k = 0; k < j->checklist->items[i].n_refs; k++) {
			const struct rpt_ref_outcome *o = &j->items[i].refs[k];
			if (o->verdict == RPT_PASS)
				continue;
			struct rpt_buf b = { 0 };
			char what[256];
			rpt_outcome_text(o, true, &b);
			char *replay = rpt_ref_replay(o);
			printf("    %s: %s\n      replay: %s\n", rpt_ref_describe(o->ref, what, sizeof what), b.s, replay);
			free(replay);
			rpt_buf_free(&b);
		}
	}
}

static void add_totals(json_t *summary, size_t verified, size_t failing, size_t gaps, size_t items)
{
	json_object_set_new(summary, "verified", json_integer((json_int_t)verified));
	json_object_set_new(summary, "failing", json_integer((json_int_t)failing));
	json_object_set_new(summary, "gaps", json_integer((json_int_t)gaps));
	json_object_set_new(summary, "items", json_integer((json_int_t)items));
}

static int write_summary(json_t *summary, const char *out_dir)
{
	struct rpt_buf path = { 0 };
	rpt_buf_printf(&path, "%s/summary.json", out_dir);
	char *text = json_dumps(summary, JSON_INDENT(1) | JSON_SORT_KEYS);
	int rc = text ? write_whole(path.s, text, strlen(text))
		      : rc_cli_usage_error("report", "cannot render %s", path.s);
	free(text);
	rpt_buf_free(&path);
	return rc;
}

/* Write every judged checklist and summary.json, printing each one's counts. */
static int write_all(const struct rpt_judged *judged, size_t n, const struct checklists_opts *o, size_t *failing)
{
	char *sources = joined(&o->results, ", ");
	json_t *summary = json_pack("{s:[], s:o}", "checklists", "results", json_array());
	for (size_t i = 0; i < o->results.n; i++)
		json_array_append_new(json_object_get(summary, "results"), json_string(o->results.v[i]));
	size_t verified = 0, gaps = 0, items = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct rpt_judged *j = &judged[i];
		const char *name = j->checklist->name;
		if ((rc = write_checklist(j, o->out_dir, sources, summary)) != 0)
			break;
		printf("%-28s %2zu verified, %zu failing, %zu gap%s -> %s/%s.md\n", name, j->verified, j->failing,
		       j->gaps, j->gaps == 1 ? "" : "s", o->out_dir, name);
		print_failing(j);
		verified += j->verified;
		*failing += j->failing;
		gaps += j->gaps;
		items += j->checklist->n_items;
	}
	add_totals(summary, verified, *failing, gaps, items);
	if (rc == 0)
		rc = write_summary(summary, o->out_dir);
	if (rc == 0)
		printf("checklists: %zu verified, %zu failing, %zu gap%s (never ticked) of %zu items\n", verified,
		       *failing, gaps, gaps == 1 ? "" : "s", items);
	json_decref(summary);
	free(sources);
	return rc;
}

/* Judge every checklist and read its per-item coverage, then write: bad
 * coverage input stops the command before any output is written. */
static int judge_and_write(struct rpt_checklist *lists, size_t n, const struct rpt_results *r,
			   const struct checklists_opts *o)
{
	struct rpt_judged *judged = rpt_xcalloc(n, sizeof *judged);
	int rc = 0;
	size_t failing = 0;
	for (size_t i = 0; i < n; i++) {
		rpt_judge(&lists[i], r, &judged[i]);
		if (rc == 0 && o->coverage_dir)
			rc = attach_coverage(o->coverage_dir, &judged[i]);
	}
	if (rc == 0)
		rc = write_all(judged, n, o, &failing);
	for (size_t i = 0; i < n; i++)
		rpt_judged_free(&judged[i]);
	free(judged);
	return rc ? rc : failing ? RC_EXIT_FAIL : RC_EXIT_OK;
}

static int run_checklists(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "coverage-dir", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct checklists_opts o = { .out_dir = DEFAULT_REPORTS "/checklists" };
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': strings_add(&o.results, rpt_xstrdup(optarg)); break;
		case 'o': o.out_dir = optarg; break;
		case 'c': o.coverage_dir = optarg; break;
		case 'h': fputs(report_usage, stdout); strings_free(&o.results); return RC_EXIT_OK;
		default: rc = rc_cli_usage_error("report", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	struct strings paths = { 0 };
	struct rpt_results results = { 0 };
	struct rpt_checklist *lists = NULL;
	char err[512];
	if (rc == 0 && o.coverage_dir && !is_dir(o.coverage_dir))
		rc = rc_cli_usage_error("report", "--coverage-dir: '%s' is not a directory", o.coverage_dir);
	if (rc == 0)
		rc = checklist_paths(argc, argv, &paths);
	if (rc == 0)
		rc = results_paths(&o.results, DEFAULT_REPORTS);
	if (rc == 0)
		rc = load_results(&o.results, &results);
	if (rc == 0) {
		lists = rpt_xcalloc(paths.n, sizeof *lists);
		rc = load_checklists(&paths, lists);
		if (rc == 0) {
			if (rc_file_mkdirs(o.out_dir, err, sizeof err) != 0)
				rc = rc_cli_usage_error("report", "%s", err);
			else
				rc = judge_and_write(lists, paths.n, &results, &o);
			for (size_t i = 0; i < paths.n; i++)
				rpt_checklist_free(&lists[i]);
		}
	}
	free(lists);
	rpt_results_free(&results);
	strings_free(&paths);
	strings_free(&o.results);
	return rc;
}

/* --- report items ----------------------------------------------------------------- */

static void print_items(const struct rpt_checklist *c)
{
	for (size_t i = 0; i < c->n_items; i++) {
		for (size_t k = 0; k < c->items[i].n_refs; k++) {
			const struct rpt_ref *ref = &c->items[i].refs[k];
			printf("%s\t%zu\t%s\t%s", c->name, i + 1, rpt_ref_kind_word(ref->kind), ref->name);
			if (ref->test)
				printf("\t%s", ref->test);
			putchar('\n');
		}
	}
}

static int run_items(int argc, char **argv)
{
	optind = 1;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(report_usage, stdout);
		return RC_EXIT_OK;
	}
	struct strings paths = { 0 };
	int rc = checklist_paths(argc, argv, &paths);
	struct rpt_checklist *lists = rpt_xcalloc(paths.n, sizeof *lists);
	if (rc == 0)
		rc = load_checklists(&paths, lists);
	if (rc == 0) {
		for (size_t i = 0; i < paths.n; i++) {
			print_items(&lists[i]);
			rpt_checklist_free(&lists[i]);
		}
	}
	free(lists);
	strings_free(&paths);
	return rc;
}

/* --- report index ----------------------------------------------------------------- */

/* Load a JSON file if it exists: *out stays NULL when absent; a file that
 * exists but does not parse, or has not the shape `check` wants, is an error. */
static int optional_json(const char *path, int (*check)(json_t *, char *, size_t), json_t **out)
{
	*out = NULL;
	if (!exists(path))
		return 0;
	char err[512];
	*out = rpt_json_load(path, err, sizeof err);
	if (!*out)
		return rc_cli_usage_error("report", "%s", err);
	if (check(*out, err, sizeof err) != 0)
		return rc_cli_usage_error("report", "%s: %s", path, err);
	return 0;
}

struct index_opts {
	struct strings results;
	const char *reports_dir;
	bool reports_given; /* --reports named it: it must exist */
	const char *out;
	double line_threshold, branch_threshold;
};

static int parse_percent(const char *option, const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !(v >= 0 && v <= 100)) /* written so that NaN is refused too */
		return rc_cli_usage_error("report", "%s: '%s' is not a percentage (0 to 100)", option, text);
	*out = v;
	return 0;
}

static int index_options(int argc, char **argv, struct index_opts *o)
{
	static const struct option opts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "reports", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "line-threshold", required_argument, NULL, 'l' },
		{ "branch-threshold", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': strings_add(&o->results, rpt_xstrdup(optarg)); break;
		case 'd':
			o->reports_dir = optarg;
			o->reports_given = true;
			break;
		case 'o': o->out = optarg; break;
		case 'l':
			if (parse_percent("--line-threshold", optarg, &o->line_threshold))
				return RC_EXIT_USAGE;
			break;
		case 'b':
			if (parse_percent("--branch-threshold", optarg, &o->branch_threshold))
				return RC_EXIT_USAGE;
			break;
		case 'h': fputs(report_usage, stdout); return -1;
		default: return rc_cli_usage_error("report", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rc_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static char *in_dir(const char *dir, const char *name)
{
	struct rpt_buf b = { 0 };
	rpt_buf_printf(&b, "%s/%s", dir, name);
	return b.s;
}

static int write_index(const struct index_opts *o, const struct rpt_results *results)
{
	char *summary = in_dir(o->reports_dir, "checklists/summary.json");
	char *cov_json = in_dir(o->reports_dir, "coverage/summary.json");
	char *cov_html = in_dir(o->reports_dir, "coverage/index.html");
	char *timelines = in_dir(o->reports_dir, "timelines");
	char *out_path = o->out ? rpt_xstrdup(o->out) : in_dir(o->reports_dir, "index.html");
	char *out_dir = rpt_dirname(out_path);
	struct rpt_index_input in = {
		.dir = out_dir,
		.results = results,
		.result_files = (const char *const *)o->results.v,
		.n_result_files = o->results.n,
		.coverage_html = exists(cov_html) ? cov_html : NULL,
		.line_threshold = o->line_threshold,
		.branch_threshold = o->branch_threshold,
		.timelines_dir = is_dir(timelines) ? timelines : NULL,
	};
	int rc = optional_json(summary, rpt_index_check_checklists, &in.checklists);
	if (rc == 0)
		rc = optional_json(cov_json, rpt_index_check_coverage, &in.coverage);
	if (rc == 0) {
		struct output page;
		int verdict = rpt_write_index(output_open(&page), &in);
		rc = output_close(&page, out_path);
		if (rc == 0) {
			rc = verdict ? RC_EXIT_FAIL : RC_EXIT_OK;
			const char *unjudged = rpt_index_unjudged(&in);
			printf("report: %s (%s%s%s)\n", out_path, verdict ? "FAIL" : "PASS",
			       unjudged ? "; not judged, no summary: " : "", unjudged ? unjudged : "");
		}
	}
	json_decref(in.checklists);
	json_decref(in.coverage);
	char *owned[] = { summary, cov_json, cov_html, timelines, out_path, out_dir };
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
	return rc;
}

static int run_index(int argc, char **argv)
{
	struct index_opts o = { .reports_dir = DEFAULT_REPORTS, .line_threshold = 90, .branch_threshold = 75 };
	struct rpt_results results = { 0 };
	int rc = index_options(argc, argv, &o);
	if (rc == 0 && o.reports_given && !is_dir(o.reports_dir))
		rc = rc_cli_usage_error("report", "--reports: '%s' is not a directory", o.reports_dir);
	if (rc == 0)
		rc = results_paths(&o.results, o.reports_dir);
	if (rc == 0)
		rc = load_results(&o.results, &results);
	if (rc == 0)
		rc = write_index(&o, &results);
	rpt_results_free(&results);
	strings_free(&o.results);
	return rc < 0 ? RC_EXIT_OK : rc;
}

/* --- dispatch ------------------------------------------------------------------- */

int rc_cmd_report(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} subs[] = { { "checklists", run_checklists }, { "items", run_items }, { "index", run_index } };
	optind = 1;
	opterr = 0;
	if (argc < 2) {
		fputs(report_usage, stderr);
		return RC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(report_usage, stdout);
		return RC_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			int rc = subs[i].run(argc - 1, argv + 1);
			rc_cli_junit_cleanup();
			return rc;
		}
	}
	fputs(report_usage, stderr);
	return rc_cli_usage_error("report", "unknown report '%s' (checklists, items or index)", argv[1]);
}
