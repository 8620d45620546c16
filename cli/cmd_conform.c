/*
 * cmd_conform.c - `rollcall conform`: the scenario library against a live
 * coordinator over HTTP, its clock moved by libfaketime (conform/).
 *
 * Output like `rollcall run`: one line per scenario (PASS, FAIL, SKIP with
 * its reason, ERROR), the first failing expectation with the request and
 * response that showed it and the command that replays it, then a total with
 * the skipped counts and the real time next to the virtual time covered.
 * --compare-sim also runs each scenario in the simulator with the same seeds
 * and lists the scenarios whose verdicts differ. Exit 0 all passed (skips
 * allowed), 1 a check failed or verdicts differ, 2 bad input or a target
 * conform could not judge (down, hanging, not starting).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "run_report.h"
#include "scenario_load.h"
#include "utf8.h"

#define DEFAULT_FAKETIME_LIB "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"

static const char conform_usage[] =
	"usage: rollcall conform (--target URL | --launch 'CMD ...') [options] PATH...\n"
	"Replays scenarios against a live coordinator over HTTP, playing the runners itself and\n"
	"moving the coordinator's clock with libfaketime; judged like `rollcall run`.\n"
	"  --target URL        a running coordinator (e.g. http://127.0.0.1:8080); with --launch,\n"
	"                      where a command that takes {secret_file} or {db} but no {port} listens\n"
	"  --launch 'CMD ...'  start the coordinator under libfaketime for every scenario, in a\n"
	"                      scratch folder; placeholders {port} {secret_file} {db} {dir}; with\n"
	"                      none of the first three, `--listen 127.0.0.1:0 --secret-file F --db D`\n"
	"                      is appended and the port read from \"listening on HOST:PORT\"\n"
	"  --reuse             with --launch: one process for every scenario (cleaned up between)\n"
	"  --clock-file FILE   the libfaketime timestamp file of a running target (it must hold an\n"
	"                      absolute time such as \"2026-01-10 00:00:00\" when the target starts)\n"
	"  --ignore-date       do not refuse a target whose replies' Date is not conform's clock\n"
	"                      (a proxy in front of it that dates replies by its own clock)\n"
	"  --secret-file FILE  a running target's runner secret (default: the scenario's)\n"
	"  --profile FILE      the target's dialect (fixtures/profiles/README.md); default: coordd's\n"
	"  --seeds A-B         seeds to run live (default: each file's first seed; `@seed` wins)\n"
	"  --junit FILE        JUnit XML, one testcase per scenario (skips are <skipped>)\n"
	"  --compare-sim       also run each scenario in the simulator; list verdicts that differ\n"
	"  --timeout D         one HTTP exchange (default 2s); --launch-timeout D (default 5s)\n"
	"  --faketime-lib F    default " DEFAULT_FAKETIME_LIB "\n"
	"  --work-dir DIR      scratch folders (default /dev/shm, else $TMPDIR or /tmp); --keep keeps them\n"
	"Without --launch and --clock-file only scenarios that need no clock movement run.\n"
	"Exit: 0 all passed (skips allowed), 1 a check failed or verdicts differ, 2 bad input or a\n"
	"target that could not be judged.\n";

struct cli_opts {
	struct conf_options c;
	bool have_seeds, compare_sim;
	uint64_t seed_first, seed_last;
	const char *junit;
	char replay_prefix[2048];
};

static double real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *default_work_dir(void)
{
	struct stat st;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		return "/dev/shm"; /* the target's database syncs cost nothing there */
	const char *tmp = getenv("TMPDIR");
	return tmp && tmp[0] ? tmp : "/tmp";
}

/* The options that a replay command must repeat. */
static void remember(struct cli_opts *o, const char *flag, const char *value)
{
	size_t used = strlen(o->replay_prefix);
	snprintf(o->replay_prefix + used, sizeof o->replay_prefix - used, " %s%s", flag, value ? " " : "");
	if (value)
		rc_cli_append_shell_word(o->replay_prefix, sizeof o->replay_prefix, value, true);
}

/* --target beside --launch names the fixed port of a launched command that
 * chooses its own (it takes {secret_file} or {db} but no {port}); with any
 * other command conform knows the port itself, and a --target would send
 * the checks to some other server. */
static int check_target_with_launch(const char *launch)
{
	if (strstr(launch, "{port}"))
		return rc_cli_usage_error("conform", "--target with a --launch command that takes {port}: conform "
						     "picks that port itself; drop --target");
	if (!strstr(launch, "{secret_file}") && !strstr(launch, "{db}"))
		return rc_cli_usage_error("conform", "--target with a --launch command without placeholders: conform "
						     "appends --listen 127.0.0.1:0 and reads the port the command prints; "
						     "drop --target (it is for a command that listens on a fixed port)");
	return RC_EXIT_OK;
}

static int check_combination(struct cli_opts *o)
{
	const struct conf_options *c = &o->c;
	if (!c->target_url && !c->launch)
		return rc_cli_usage_error("conform", "give --target URL (a running coordinator) or --launch 'CMD'");
	if (c->reuse && !c->launch)
		return rc_cli_usage_error("conform", "--reuse goes with --launch");
	if (c->clock_file && c->launch)
		return rc_cli_usage_error("conform", "--clock-file is for a running target; --launch makes its own clock");
	if (c->target_url && strncmp(c->target_url, "http://", 7) != 0 && strncmp(c->target_url, "https://", 8) != 0)
		return rc_cli_usage_error("conform", "--target must be an http:// or https:// URL, not '%s'", c->target_url);
	if (c->target_url && c->launch)
		return check_target_with_launch(c->launch);
	if (o->junit)
		return rc_cli_claim_output_file("conform", "--junit", &o->junit);
	return RC_EXIT_OK;
}

static int parse_opts(int argc, char **argv, struct cli_opts *o, int *first_path)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' }, { "launch", required_argument, NULL, 'l' },
		{ "reuse", no_argument, NULL, 'r' }, { "clock-file", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, 'p' }, { "secret-file", required_argument, NULL, 'S' },
		{ "seeds", required_argument, NULL, 's' }, { "junit", required_argument, NULL, 'j' },
		{ "compare-sim", no_argument, NULL, 'C' }, { "timeout", required_argument, NULL, 'T' },
		{ "launch-timeout", required_argument, NULL, 'L' }, { "faketime-lib", required_argument, NULL, 'F' },
		{ "work-dir", required_argument, NULL, 'w' }, { "keep", no_argument, NULL, 'k' },
		{ "ignore-date", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->c.timeout_ms = 2000;
	o->c.launch_timeout_ms = 5000;
	o->c.faketime_lib = DEFAULT_FAKETIME_LIB;
	o->c.work_dir = default_work_dir();
	optind = 1;
	opterr = 0;
	int c, rc = RC_EXIT_OK;
	while (rc == RC_EXIT_OK && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': o->c.target_url = optarg; remember(o, "--target", optarg); break;
		case 'l': o->c.launch = optarg; remember(o, "--launch", optarg); break;
		case 'r': o->c.reuse = true; remember(o, "--reuse", NULL); break;
		case 'c': o->c.clock_file = optarg; remember(o, "--clock-file", optarg); break;
		case 'p': o->c.profile = optarg; remember(o, "--profile", optarg); break;
		case 'S': o->c.secret_file = optarg; remember(o, "--secret-file", optarg); break;
		case 'j': o->junit = optarg; break;
		case 'C': o->compare_sim = true; break;
		case 'T':
			rc = rc_cli_parse_duration("conform", "--timeout", optarg, 1, &o->c.timeout_ms);
			remember(o, "--timeout", optarg);
			break;
		case 'L':
			rc = rc_cli_parse_duration("conform", "--launch-timeout", optarg, 1, &o->c.launch_timeout_ms);
			remember(o, "--launch-timeout", optarg);
			break;
		case 'F': o->c.faketime_lib = optarg; remember(o, "--faketime-lib", optarg); break;
		case 'w': o->c.work_dir = optarg; break;
		case 'k': o->c.keep = true; break;
		case 'D': o->c.ignore_date = true; remember(o, "--ignore-date", NULL); break;
		case 's':
			rc = rc_cli_parse_seed_range("conform", optarg, &o->seed_first, &o->seed_last);
			o->have_seeds = true;
			break;
		case 'h': fputs(conform_usage, stdout); return -1;
		default:
			fputs(conform_usage, stderr);
			return rc_cli_usage_error("conform", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (rc != RC_EXIT_OK)
		return rc;
	if (optind >= argc) {
		fputs(conform_usage, stderr);
		return rc_cli_usage_error("conform", "no scenario given");
	}
	*first_path = optind;
	return check_combination(o);
}

/* --- one scenario --------------------------------------------------------------------------- */

struct scenario_run {
	struct rc_scenario_result res;  /* for the report and JUnit */
	struct conf_result live;        /* the first failing (or last) seed */
	char replay[4600];
	bool ran;                       /* passed or failed live (not skipped, not an error) */
	enum rc_verdict sim_verdict;    /* --compare-sim */
};

static void seed_range(const struct scn_scenario *s, const struct cli_opts *o, uint64_t *a, uint64_t *b)
{
	*a = s->seed_first;
	*b = s->seed_first; /* live runs cost real time: one seed unless asked */
	if (o->have_seeds && !s->seed_pinned) {
		*a = o->seed_first;
		*b = o->seed_last;
	}
}

static enum rc_verdict report_verdict(enum conf_verdict v)
{
	static const enum rc_verdict map[] = { RC_VERDICT_PASS, RC_VERDICT_FAIL, RC_VERDICT_SKIP, RC_VERDICT_ERROR };
	return map[v];
}

static void run_live(struct conf_session *cs, const struct scn_scenario *s, const struct cli_opts *o,
		     struct scenario_run *sr)
{
	struct rc_scenario_result *r = &sr->res;
	memset(sr, 0, sizeof *sr);
	r->s = s;
	seed_range(s, o, &r->seed_first, &r->seed_last);
	for (uint64_t seed = r->seed_first;; seed++) {
		struct conf_result cur;
		conf_session_run(cs, s, seed, &cur);
		r->runs++;
		r->wall_s += cur.real_s;
		r->sim_ms_total += cur.virtual_ms;
		if (cur.virtual_ms > r->sim_ms_max)
			r->sim_ms_max = cur.virtual_ms;
		bool bad = cur.verdict == CONF_FAIL || cur.verdict == CONF_ERROR;
		if (bad && r->failed_runs++ == 0)
			r->fail_seed = seed;
		if (r->failed_runs <= 1 && (bad || seed == r->seed_first))
			sr->live = cur;
		if (cur.verdict == CONF_SKIP || cur.verdict == CONF_ERROR || seed == r->seed_last)
			break;
	}
	r->verdict = report_verdict(sr->live.verdict);
	r->fail = sr->live.out;
	r->note = sr->live.verdict == CONF_SKIP || sr->live.verdict == CONF_ERROR ? sr->live.reason : NULL;
	r->detail = sr->live.evidence;
	snprintf(sr->replay, sizeof sr->replay, "%s conform%s --seeds %" PRIu64 " ", rc_cli_program, o->replay_prefix,
		 r->fail_seed);
	rc_cli_append_shell_word(sr->replay, sizeof sr->replay, s->path, false);
	r->replay = sr->replay;
	sr->ran = r->verdict == RC_VERDICT_PASS || r->verdict == RC_VERDICT_FAIL;
}

/* The simulator's verdict over the same seeds. */
static void run_sim(struct scenario_run *sr)
{
	const struct rc_scenario_result *r = &sr->res;
	sr->sim_verdict = RC_VERDICT_PASS;
	for (uint64_t seed = r->seed_first; seed <= r->seed_last; seed++) {
		struct scn_outcome out;
		if (scn_run(r->s, seed, NULL, &out) != 0)
			sr->sim_verdict = RC_VERDICT_ERROR;
		else if (!out.passed && sr->sim_verdict == RC_VERDICT_PASS)
			sr->sim_verdict = RC_VERDICT_FAIL;
		if (seed == r->seed_last)
			break;
	}
}

/* len bytes of text on stdout, each control character (but tab), C1 control
 * or byte that is not UTF-8 as '?': a target's replies reach the terminal
 * through the failure report, and must not move its cursor or retitle it. */
static void put_visible(const char *text, size_t len)
{
	while (len > 0) {
		size_t n = rc_utf8_char_len(text, len);
		unsigned char c = (unsigned char)text[0], next = n > 1 ? (unsigned char)text[1] : 0;
		bool c0 = n == 1 && ((c < 0x20 && c != '\t') || c == 0x7f);
		bool c1 = n == 2 && c == 0xc2 && next < 0xa0; /* U+0080..U+009F */
		if (n && !c0 && !c1)
			fwrite(text, 1, n, stdout);
		else
			putchar('?');
		n = n ? n : 1;
		text += n;
		len -= n;
	}
}

/* text line by line, the first line after label, all indented. */
static void print_block(const char *label, const char *text)
{
	const char *line = text;
	bool first = true;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		printf("      %-9s ", first ? label : "");
		put_visible(line, len);
		putchar('\n');
		first = false;
		line = nl ? nl + 1 : NULL;
	}
}

static void print_result(const struct scenario_run *sr)
{
	static const char *const words[] = { "PASS", "FAIL", "ERROR", "SKIP" };
	const struct rc_scenario_result *r = &sr->res;
	const struct conf_result *c = &sr->live;
	char seeds[64], virt[32], when[32];
	if (r->seed_first == r->seed_last)
		snprintf(seeds, sizeof seeds, "seed %" PRIu64, r->seed_first);
	else
		snprintf(seeds, sizeof seeds, "seeds %" PRIu64 "-%" PRIu64, r->seed_first, r->seed_last);
	printf("%-5s %-42s ", words[r->verdict], r->name);
	if (r->verdict == RC_VERDICT_SKIP) {
		printf("%s\n", c->reason);
		return;
	}
	printf("%-13s virtual %7s  real %6.0f ms", seeds, scn_format_duration(r->sim_ms_max, virt, sizeof virt),
	       r->wall_s * 1000);
	if (c->out.skipped)
		printf("  (%d expectation%s not observable live)", c->out.skipped, c->out.skipped == 1 ? "" : "s");
	printf("\n");
	if (r->verdict == RC_VERDICT_PASS)
		return;
	if (r->verdict == RC_VERDICT_ERROR) {
		print_block("error:", c->reason);
	} else {
		if (c->out.pos.line)
			printf("      %s:%d: %s\n", r->s->path, c->out.pos.line, c->out.what);
		else
			printf("      %s: %s\n", r->s->path, c->out.what);
		printf("      seed %" PRIu64 ", at %s: ", r->fail_seed,
		       scn_format_duration(c->out.fail_at_ms, when, sizeof when));
		put_visible(c->out.why, strlen(c->out.why));
		putchar('\n');
		if (c->reason[0])
			print_block("then:", c->reason);
	}
	if (c->evidence[0]) {
		const char *nl = strstr(c->evidence, "\n  -> ");
		char req[1700];
		snprintf(req, sizeof req, "%.*s", nl ? (int)(nl - c->evidence) : (int)strlen(c->evidence), c->evidence);
		print_block("request:", req);
		if (nl)
			print_block("response:", nl + 6);
	}
	printf("      replay: %s\n", r->replay);
}

/* --- the whole run ----------------------------------------------------------------------------- */

struct totals {
	int passed, failed, skipped, errors, not_observable, compared, differ;
	int64_t virtual_ms;
};

static void print_totals(const struct scenario_run *runs, size_t n, const struct cli_opts *o, double real_s)
{
	struct totals t = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct rc_scenario_result *r = &runs[i].res;
		t.passed += r->verdict == RC_VERDICT_PASS;
		t.failed += r->verdict == RC_VERDICT_FAIL;
		t.skipped += r->verdict == RC_VERDICT_SKIP;
		t.errors += r->verdict == RC_VERDICT_ERROR;
		t.not_observable += runs[i].live.out.skipped;
		t.virtual_ms += r->sim_ms_total;
		if (o->compare_sim && runs[i].ran) {
			t.compared++;
			t.differ += runs[i].sim_verdict != r->verdict;
		}
	}
	char virt[32];
	printf("total: %zu scenario%s live: %d passed, %d failed, %d skipped, %d error%s; %d expectation%s skipped "
	       "(not observable live)\n",
	       n, n == 1 ? "" : "s", t.passed, t.failed, t.skipped, t.errors, t.errors == 1 ? "" : "s", t.not_observable,
	       t.not_observable == 1 ? "" : "s");
	printf("time: %s of virtual time in %.2f s real (%.0fx)\n",
	       scn_format_duration(t.virtual_ms, virt, sizeof virt), real_s,
	       real_s > 0 ? (double)t.virtual_ms / 1000.0 / real_s : 0.0);
	if (o->compare_sim)
		printf("compare-sim: %d scenario%s ran in both; verdicts differ on %d\n", t.compared,
		       t.compared == 1 ? "" : "s", t.differ);
}

static void print_differences(const struct scenario_run *runs, size_t n)
{
	static const char *const words[] = { "PASS", "FAIL", "ERROR", "SKIP" };
	for (size_t i = 0; i < n; i++)
		if (runs[i].ran && runs[i].sim_verdict != runs[i].res.verdict)
			printf("DIFFER %-41s simulator %s, live %s\n", runs[i].res.name, words[runs[i].sim_verdict],
			       words[runs[i].res.verdict]);
}

static int exit_status(const struct scenario_run *runs, size_t n, const struct cli_opts *o)
{
	int rc = RC_EXIT_OK;
	size_t ran = 0;
	for (size_t i = 0; i < n; i++)
		ran += runs[i].res.verdict != RC_VERDICT_SKIP;
	if (ran == 0) {
		fprintf(stderr, "rollcall conform: no scenario could run against this target: nothing was judged\n");
		return RC_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		const struct scenario_run *sr = &runs[i];
		if (sr->res.verdict == RC_VERDICT_ERROR)
			return RC_EXIT_USAGE;
		if (sr->res.verdict == RC_VERDICT_FAIL || (o->compare_sim && sr->ran && sr->sim_verdict != sr->res.verdict))
			rc = RC_EXIT_FAIL;
	}
	return rc;
}

int rc_cmd_conform(int argc, char **argv)
{
	struct cli_opts o;
	int first = 0;
	int rc = parse_opts(argc, argv, &o, &first);
	if (rc != RC_EXIT_OK)
		return rc < 0 ? RC_EXIT_OK : rc;
	struct rc_loaded l;
	rc = rc_load_scenarios(argv + first, argc - first, "conform", &l);
	if (rc != RC_EXIT_OK)
		return rc;
	char err[2000], about[600];
	double t0 = real_now();
	struct conf_session *cs = conf_session_open(&o.c, err, sizeof err);
	if (!cs) {
		fprintf(stderr, "rollcall conform: %s\n", err);
		rc_loaded_free(&l);
		return RC_EXIT_USAGE;
	}
	conf_session_describe(cs, about, sizeof about);
	printf("conform: %s\n", about);
	struct scenario_run *runs = calloc(l.len, sizeof *runs);
	if (!runs)
		abort();
	for (size_t i = 0; i < l.len; i++) {
		run_live(cs, l.items[i], &o, &runs[i]);
		runs[i].res.name = l.names[i];
		if (o.compare_sim && runs[i].ran)
			run_sim(&runs[i]);
		print_result(&runs[i]);
		fflush(stdout);
	}
	conf_session_close(cs);
	double real_s = real_now() - t0;
	if (o.compare_sim)
		print_differences(runs, l.len);
	print_totals(runs, l.len, &o, real_s);
	rc = exit_status(runs, l.len, &o);
	if (o.junit) {
		struct rc_scenario_result *res = calloc(l.len, sizeof *res);
		if (!res)
			abort();
		for (size_t i = 0; i < l.len; i++)
			res[i] = runs[i].res;
		if (rc_junit_write_named(o.junit, "rollcall conform", "rollcall.conform", res, l.len, rc_cli_program,
					 real_s) != 0) {
			rc = rc_cli_write_error("conform", "--junit", o.junit);
		}
		free(res);
	}
	free(runs);
	rc_loaded_free(&l);
	return rc;
}
