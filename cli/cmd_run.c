/*
 * cmd_run.c - `rollcall run`: the CI gate. Replays every scenario over a seed
 * range in the simulator and fails when any expectation or invariant breaks.
 *
 * One line per scenario (verdict, name, seeds, simulated time per run, wall
 * time), details and the exact replay command on failure, a total line, and
 * optionally JUnit XML and JSONL traces of failing runs. Exit 0 all passed,
 * 1 a check failed, 2 bad input (nothing runs unless every file parses).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "rc_file.h"
#include "run_report.h"
#include "scenario_load.h"

static const char run_usage[] =
	"usage: rollcall run [--seeds A-B] [--junit FILE] [--trace-dir DIR] [--parse-only] PATH...\n"
	"Replays every scenario (files, or folders of *.scn) over the seed range in the\n"
	"simulator; every expectation and invariant must hold for every seed.\n"
	"  --seeds A-B      seeds to run (default: the file's `seeds`, else 1-100; `@seed` wins)\n"
	"  --junit FILE     write JUnit XML, one testcase per scenario\n"
	"  --trace-dir DIR  write the JSONL trace of every failing run (of every run when\n"
	"                   one seed is asked for) as DIR/NAME.seedN.jsonl\n"
	"A scenario's NAME (in the results, JUnit and traces) is its path under the\n"
	"folder given, without .scn (FOLDER/a/s.scn is a/s), or the file name of a file\n"
	"given; two different files with one NAME are refused with --junit or --trace-dir.\n"
	"  --parse-only     only check the files (like `rollcall check-scenario`)\n"
	"Exit: 0 all passed, 1 a check failed, 2 bad input.\n";

struct run_opts {
	bool have_seeds;
	uint64_t seed_first, seed_last;
	const char *junit;
	const char *trace_dir;
	bool parse_only;
	int traces_lost; /* traces of --trace-dir that could not be written */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_opts(int argc, char **argv, struct run_opts *o, int *first_path)
{
	static const struct option opts[] = {
		{ "seeds", required_argument, NULL, 's' }, { "junit", required_argument, NULL, 'j' },
		{ "trace-dir", required_argument, NULL, 't' }, { "parse-only", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (rc_cli_parse_seed_range("run", optarg, &o->seed_first, &o->seed_last) != 0)
				return RC_EXIT_USAGE;
			o->have_seeds = true;
			break;
		case 'j': o->junit = optarg; break;
		case 't': o->trace_dir = optarg; break;
		case 'p': o->parse_only = true; break;
		case 'h': fputs(run_usage, stdout); return -1;
		default:
			fputs(run_usage, stderr);
			return rc_cli_usage_error("run", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		fputs(run_usage, stderr);
		return rc_cli_usage_error("run", "no scenario given");
	}
	*first_path = optind;
	return o->junit ? rc_cli_claim_output_file("run", "--junit", &o->junit) : RC_EXIT_OK;
}

static void seed_range(const struct scn_scenario *s, const struct run_opts *o, uint64_t *a, uint64_t *b)
{
	*a = s->seed_first;
	*b = s->seed_last;
	if (o->have_seeds && !s->seed_pinned) {
		*a = o->seed_first;
		*b = o->seed_last;
	}
}

/* Run one seed again with its trace going to DIR/NAME.seedN.jsonl (NAME
 * "a/s" in the folder DIR/a), replaced whole like every output file. A
 * trace that cannot be written is said at once and counted: the others and
 * the results still are, and the exit code is 2. */
static void write_trace(struct run_opts *o, const struct rc_scenario_result *r, uint64_t seed)
{
	char path[4096], folder[4096], err[4200];
	snprintf(path, sizeof path, "%s/%s.seed%" PRIu64 ".jsonl", o->trace_dir, r->name, seed);
	snprintf(folder, sizeof folder, "%s", path);
	*strrchr(folder, '/') = '\0';
	o->traces_lost++; /* until it is written */
	if (rc_file_mkdirs(folder, err, sizeof err) != 0) {
		fprintf(stderr, "rollcall run: --trace-dir: %s\n", err);
		return;
	}
	struct rc_cli_stream t;
	if (rc_cli_stream_open(&t, path) == 0) {
		struct scn_outcome ignored;
		scn_run(r->s, seed, t.f, &ignored);
		if (rc_cli_stream_close(&t, true) == 0) {
			o->traces_lost--;
			return;
		}
	}
	rc_cli_write_error("run", "--trace-dir", path);
}

static void run_scenario(const struct scn_scenario *s, const char *name, struct run_opts *o,
			 struct rc_scenario_result *r)
{
	memset(r, 0, sizeof *r);
	r->s = s;
	r->name = name;
	seed_range(s, o, &r->seed_first, &r->seed_last);
	double t0 = wall_now();
	bool one_seed = r->seed_first == r->seed_last;
	for (uint64_t seed = r->seed_first;; seed++) {
		struct scn_outcome out;
		int rc = scn_run(s, seed, NULL, &out);
		r->runs++;
		r->sim_ms_total += out.sim_ms;
		r->events_total += out.events;
		if (out.sim_ms > r->sim_ms_max)
			r->sim_ms_max = out.sim_ms;
		if (rc != 0 || !out.passed) {
			if (r->failed_runs++ == 0) {
				r->fail_seed = seed;
				r->fail = out;
			}
			if (o->trace_dir && !one_seed)
				write_trace(o, r, seed);
		}
		if (rc != 0) { /* the simulator refused the scenario: every seed would */
			r->verdict = RC_VERDICT_ERROR;
			break;
		}
		if (seed == r->seed_last)
			break;
	}
	if (o->trace_dir && one_seed)
		write_trace(o, r, r->seed_first);
	if (r->verdict != RC_VERDICT_ERROR && r->failed_runs)
		r->verdict = RC_VERDICT_FAIL;
	r->wall_s = wall_now() - t0;
}

static void print_seeds(const struct rc_scenario_result *r, char *buf, size_t n)
{
	if (r->seed_first == r->seed_last)
		snprintf(buf, n, "seed %" PRIu64, r->seed_first);
	else
		snprintf(buf, n, "seeds %" PRIu64 "-%" PRIu64, r->seed_first, r->seed_last);
}

static void print_result(const struct rc_scenario_result *r)
{
	char seeds[64], sim[32], replay[4200];
	print_seeds(r, seeds, sizeof seeds);
	static const char *const words[] = { "PASS", "FAIL", "ERROR" };
	printf("%-5s %-42s %-13s", words[r->verdict], r->name, seeds);
	if (r->verdict == RC_VERDICT_PASS) {
		printf(" sim %8s/run  wall %6.0f ms\n", scn_format_duration(r->sim_ms_max, sim, sizeof sim),
		       r->wall_s * 1000);
		return;
	}
	char when[32];
	printf(" %d/%d seeds failed (first: seed %" PRIu64 ")\n", r->failed_runs, r->runs, r->fail_seed);
	if (r->fail.pos.line)
		printf("      %s:%d: %s\n", r->s->path, r->fail.pos.line, r->fail.what);
	else
		printf("      %s: %s\n", r->s->path, r->fail.what);
	printf("      seed %" PRIu64 ", at %s: %s\n", r->fail_seed,
	       scn_format_duration(r->fail.fail_at_ms, when, sizeof when), r->fail.why);
	rc_replay_command(rc_cli_program, r, replay, sizeof replay);
	printf("      replay: %s\n", replay);
}

static int check_trace_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0)
		return rc_cli_usage_error("run", "cannot create --trace-dir %s: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return rc_cli_usage_error("run", "--trace-dir %s is not a folder", dir);
	return RC_EXIT_OK;
}

/* Whether paths a and b are one file (a folder given twice: run a a). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Two different files with one name would overwrite each other's traces
 * and be one test case to a JUnit reader: refused before anything runs. */
static int check_names_differ(const struct rc_loaded *l, const struct run_opts *o)
{
	if (!o->junit && !o->trace_dir)
		return RC_EXIT_OK;
	for (size_t i = 0; i < l->len; i++)
		for (size_t j = i + 1; j < l->len; j++)
			if (strcmp(l->names[i], l->names[j]) == 0 && !same_file(l->items[i]->path, l->items[j]->path))
				return rc_cli_usage_error("run", "%s and %s would both be named '%s' in %s: give their "
							  "folder instead, so that each is named by its path in it",
							  l->items[i]->path, l->items[j]->path, l->names[i],
							  o->trace_dir ? "--trace-dir" : "--junit");
	return RC_EXIT_OK;
}

static int report(const struct rc_scenario_result *res, size_t n, const struct run_opts *o, double wall_s)
{
	int passed = 0, failed = 0, errors = 0, runs = 0;
	int64_t sim_ms = 0;
	uint64_t events = 0;
	for (size_t i = 0; i < n; i++) {
		passed += res[i].verdict == RC_VERDICT_PASS;
		failed += res[i].verdict == RC_VERDICT_FAIL;
		errors += res[i].verdict == RC_VERDICT_ERROR;
		runs += res[i].runs;
		sim_ms += res[i].sim_ms_total;
		events += res[i].events_total;
	}
	char sim[32];
	printf("total: %zu scenario%s, %d runs: %d passed, %d failed%s; %s simulated (%" PRIu64
	       " events) in %.3f s wall\n",
	       n, n == 1 ? "" : "s", runs, passed, failed, errors ? ", some could not run" : "",
	       scn_format_duration(sim_ms, sim, sizeof sim), events, wall_s);
	if (o->junit && rc_junit_write(o->junit, res, n, rc_cli_program, wall_s) != 0)
		return rc_cli_write_error("run", "--junit", o->junit);
	if (errors || o->traces_lost)
		return RC_EXIT_USAGE;
	return failed ? RC_EXIT_FAIL : RC_EXIT_OK;
}

int rc_cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int first = 0;
	int rc = parse_opts(argc, argv, &o, &first);
	if (rc != RC_EXIT_OK)
		return rc < 0 ? RC_EXIT_OK : rc;
	if (o.trace_dir && (rc = check_trace_dir(o.trace_dir)) != RC_EXIT_OK)
		return rc;
	struct rc_loaded l;
	rc = rc_load_scenarios(argv + first, argc - first, "run", &l);
	if (rc != RC_EXIT_OK)
		return rc;
	if (o.parse_only) {
		printf("%zu scenario%s parsed, nothing run (--parse-only)\n", l.len, l.len == 1 ? "" : "s");
		rc_loaded_free(&l);
		return RC_EXIT_OK;
	}
	if ((rc = check_names_differ(&l, &o)) != RC_EXIT_OK) {
		rc_loaded_free(&l);
		return rc;
	}
	struct rc_scenario_result *res = calloc(l.len, sizeof *res);
	if (!res)
		abort();
	double t0 = wall_now();
	for (size_t i = 0; i < l.len; i++) {
		run_scenario(l.items[i], l.names[i], &o, &res[i]);
		print_result(&res[i]);
		fflush(stdout);
	}
	rc = report(res, l.len, &o, wall_now() - t0);
	free(res);
	rc_loaded_free(&l);
	return rc;
}
