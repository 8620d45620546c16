/*
 * cmd_sim.c - `rollcall sim`: run the random workload in the simulator.
 *
 * One seed (or a range of seeds with --seeds) of the random workload of
 * sim.h, with the chosen faults, every invariant checked after every event.
 * Prints a summary (events, simulated and wall time, events/s, checks,
 * violations) and, on a violation, what was broken, where and the events
 * that led there; on a terminal, a progress line while it runs (a large
 * world takes minutes). Exit 1 when any invariant was violated, 2 on bad
 * usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rc_file.h"
#include "scn.h"
#include "sim.h"

static const char sim_usage[] =
	"usage: rollcall sim [--runners N] [--duration D] [--seed S] [--seeds K]\n"
	"                    [--faults net,crash,skew,pause,storage|all|none] [--permute-ties]\n"
	"                    [--trace FILE] [--hash] [--collect-all] [--quiet D]\n"
	"                    [--tasks-per-hour X] [--no-churn] [--no-sandboxes] [--history N]\n"
	"\n"
	"Runs the random workload (a coordinator, N runners plus a clone, tasks, sandboxes,\n"
	"runners coming and going) for D of virtual time with the given random faults, and\n"
	"checks every invariant of DESIGN.md after every event. Faults stop --quiet before\n"
	"the end (default 30m) and liveness is checked at the end.\n"
	"\n"
	"  --runners N        runners (default 10)\n"
	"  --duration D       simulated time, longer than --quiet: 45m, 2h30m, 24h, 2d (default 4h)\n"
	"  --seed S           seed of the run (default 1)\n"
	"  --seeds K          run K seeds: S, S+1, ... (one summary line each)\n"
	"  --faults LIST      random faults (default none)\n"
	"  --permute-ties     shuffle events that fall on the same instant (by the seed)\n"
	"  --trace FILE       write the JSONL trace (one seed only)\n"
	"  --hash             print the trace hash (same seed + binary = same hash)\n"
	"  --collect-all      keep running after a violation: the first 20 are printed,\n"
	"                     then how many more were found\n"
	"  --quiet D          fault-free tail before the liveness check (default 30m); new\n"
	"                     work stops at least 14m before the end, time for the fleet to\n"
	"                     come back and finish a task, so a shorter tail only shortens\n"
	"                     what the faults leave to converge in\n"
	"  --tasks-per-hour X tasks per runner per hour (default 4), each admitted while the\n"
	"                     fleet could still finish its backlog before the end\n"
	"  --no-churn         runners are not stopped and started again\n"
	"  --no-sandboxes     no sandboxes\n"
	"  --history N        events shown before a violation, 0 to 1024 (default 12)\n"
	"\n"
	"Exit: 0 no violation, 1 a violation, 2 bad usage.\n";

struct sim_opts {
	struct sim_workload wl;
	uint64_t seed;
	uint64_t seeds;
	unsigned faults;
	bool permute;
	const char *trace;
	bool hash;
	bool collect_all;
	int history;
};

static int parse_args(int argc, char **argv, struct sim_opts *o)
{
	static const struct option opts[] = {
		{ "runners", required_argument, NULL, 'r' },   { "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },      { "seeds", required_argument, NULL, 'k' },
		{ "faults", required_argument, NULL, 'f' },    { "permute-ties", no_argument, NULL, 'p' },
		{ "trace", required_argument, NULL, 't' },     { "hash", no_argument, NULL, 'H' },
		{ "collect-all", no_argument, NULL, 'c' },     { "quiet", required_argument, NULL, 'q' },
		{ "tasks-per-hour", required_argument, NULL, 'x' }, { "no-churn", no_argument, NULL, 'C' },
		{ "no-sandboxes", no_argument, NULL, 'S' },    { "history", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
	};
	int c, rc = 0;
	char bad[64];
	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rc = rc_cli_parse_int("sim", "--runners", optarg, 1, 1000000, &o->wl.runners);
			break;
		case 'd': rc = rc_cli_parse_duration("sim", "--duration", optarg, 1, &o->wl.duration_ms); break;
		case 's': rc = rc_cli_parse_count("sim", "--seed", optarg, 0, UINT64_MAX, &o->seed); break;
		case 'k': rc = rc_cli_parse_count("sim", "--seeds", optarg, 1, UINT64_MAX, &o->seeds); break;
		case 'f':
			if (sim_faults_parse(optarg, &o->faults, bad, sizeof bad) != 0)
				rc = rc_cli_usage_error("sim", "--faults: unknown fault '%s' (net, crash, skew, pause, "
							"storage, all, none)", bad);
			break;
		case 'p': o->permute = true; break;
		case 't': o->trace = optarg; break;
		case 'H': o->hash = true; break;
		case 'c': o->collect_all = true; break;
		case 'q': rc = rc_cli_parse_duration("sim", "--quiet", optarg, 0, &o->wl.quiet_ms); break;
		case 'x': {
			char *end;
			o->wl.tasks_per_runner_hour = strtod(optarg, &end);
			/* not "nan" or "inf": no rate of tasks, and the trace header cannot hold them */
			if (end == optarg || *end || !isfinite(o->wl.tasks_per_runner_hour) ||
			    o->wl.tasks_per_runner_hour < 0)
				rc = rc_cli_usage_error("sim", "--tasks-per-hour: '%s' is not a number >= 0", optarg);
			break;
		}
		case 'C': o->wl.churn = false; break;
		case 'S': o->wl.sandboxes = false; break;
		case 'y':
			rc = rc_cli_parse_int("sim", "--history", optarg, 0, 1024, &o->history);
			break;
		case 'h': fputs(sim_usage, stdout); return -1;
		default:
			fputs(sim_usage, stderr);
			return rc_cli_usage_error("sim", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return rc_cli_usage_error("sim", "unexpected argument '%s'", argv[optind]);
	if (o->seeds - 1 > UINT64_MAX - o->seed) /* the seeds would wrap round to 0 */
		return rc_cli_usage_error("sim", "--seeds: %" PRIu64 " seeds from %" PRIu64 " go past the last seed, %" PRIu64,
					  o->seeds, o->seed, UINT64_MAX);
	if (o->trace && o->seeds > 1)
		return rc_cli_usage_error("sim", "--trace: only with a single seed (drop --seeds)");
	if (o->wl.duration_ms <= o->wl.quiet_ms) {
		char d[32], q[32];
		return rc_cli_usage_error("sim", "--duration %s must be longer than --quiet (%s), the fault-free tail",
					  scn_format_duration(o->wl.duration_ms, d, sizeof d),
					  scn_format_duration(o->wl.quiet_ms, q, sizeof q));
	}
	/* last: the summary goes to stderr from here on when the trace is the standard output */
	return o->trace ? rc_cli_claim_output_file("sim", "--trace", &o->trace) : 0;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_duration(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;
	if (ms % 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (s % 3600 == 0)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

/* The progress line of a run on a terminal (stderr), redrawn at most twice
 * a second: simulated time so far, events/s and the time left. */
struct progress {
	bool on;
	uint64_t seed;
	double t0, shown_at;
};

static void show_progress(struct progress *p, const struct sim_world *w, int64_t end_ms)
{
	double now = wall_seconds(), spent = now - p->t0;
	if (!p->on || now - p->shown_at < 0.5)
		return;
	p->shown_at = now;
	struct sim_stats st;
	sim_stats(w, &st);
	char done[32], total[32];
	fmt_duration(st.now_ms, done, sizeof done);
	fmt_duration(end_ms, total, sizeof total);
	double left = st.now_ms > 0 ? spent * (double)(end_ms - st.now_ms) / (double)st.now_ms : 0;
	fprintf(stderr, "\r\033[Krollcall sim: seed %" PRIu64 ": %s of %s simulated, %.1f M events/s, %.0f s left",
		p->seed, done, total, spent > 0 ? (double)st.events / spent / 1e6 : 0.0, left);
}

/* Run w to end_ms a simulated minute at a time, for the progress line.
 * Stopping at each minute changes nothing: events up to an instant are
 * processed in the same order however the run is cut (scenario runs stop
 * at every checkpoint the same way). */
static void run_in_steps(struct sim_world *w, int64_t end_ms, struct progress *p)
{
	enum { STEP_MS = 60000 };
	for (int64_t at = STEP_MS; at < end_ms; at += STEP_MS) {
		if (sim_run_until(w, at) == SIM_RUN_VIOLATION)
			break;
		show_progress(p, w, end_ms);
	}
	sim_run_until(w, end_ms);
	if (p->on && p->shown_at > 0)
		fputs("\r\033[K", stderr);
}

struct run_result {
	struct sim_stats st;
	uint64_t hash;
	double wall;
	const char *first;
};

/* A world for one seed of o; NULL with the error printed (exit 2). */
static struct sim_world *new_world(const struct sim_opts *o, uint64_t seed, FILE *trace, bool history)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = seed;
	cfg.permute_ties = o->permute;
	cfg.faults.kinds = o->faults;
	cfg.collect_all = o->collect_all;
	cfg.trace = trace;
	cfg.hash_trace = o->hash && !history;
	cfg.no_history = !history;
	cfg.history_len = o->history > 32 ? o->history : 32;
	cfg.expected_runners = o->wl.runners;
	struct sim_world *w = sim_world_new(&cfg);
	if (!w) {
		rc_cli_usage_error("sim", "out of memory creating the world");
		return NULL;
	}
	if (sim_workload_schedule(w, &o->wl) != 0) {
		rc_cli_usage_error("sim", "%s", sim_error(w));
		sim_world_free(w);
		return NULL;
	}
	return w;
}

/* The events that led to each violation of a finished run, printed from a
 * second run of the same seed that keeps them. The first run kept no
 * history: copying every event into the ring costs a twentieth of a storm's
 * time, and only a failing run is ever shown one. The run is deterministic,
 * so the second one meets the same violations at the same events; it
 * checks that it did before printing. */
static int print_violations_replayed(const struct sim_opts *o, uint64_t seed, const struct sim_stats *first)
{
	struct sim_world *w = new_world(o, seed, NULL, true);
	if (!w)
		return RC_EXIT_USAGE;
	struct progress quiet = { .on = false };
	run_in_steps(w, o->wl.duration_ms, &quiet);
	struct sim_stats again;
	sim_stats(w, &again);
	int rc = RC_EXIT_OK;
	if (again.events != first->events || again.violations != first->violations) {
		fprintf(stderr,
			"rollcall sim: internal error: seed %" PRIu64 " ran differently the second time (%" PRIu64
			" events and %" PRIu64 " violations, against %" PRIu64 " and %" PRIu64 ")\n",
			seed, again.events, again.violations, first->events, first->violations);
		rc = RC_EXIT_USAGE;
	} else {
		sim_violations_print(stdout, w, 20, (size_t)o->history);
	}
	sim_world_free(w);
	return rc;
}

/* One seed: returns 0, or 2 when the world cannot be set up. */
static int run_one(const struct sim_opts *o, uint64_t seed, FILE *trace, bool verbose, struct run_result *out)
{
	struct sim_world *w = new_world(o, seed, trace, false);
	if (!w)
		return RC_EXIT_USAGE;
	double t0 = wall_seconds();
	struct progress p = { .on = isatty(STDERR_FILENO) == 1, .seed = seed, .t0 = t0 };
	run_in_steps(w, o->wl.duration_ms, &p);
	out->wall = wall_seconds() - t0;
	sim_stats(w, &out->st);
	out->hash = sim_trace_hash(w);
	out->first = sim_violation_count(w) ? sim_violation_at(w, 0)->name : NULL;
	sim_world_free(w);
	if (verbose && out->st.violations > 0)
		return print_violations_replayed(o, seed, &out->st);
	return 0;
}

static void print_summary(const struct sim_opts *o, const struct run_result *r, uint64_t seed)
{
	char dur[32], faults[80] = "none";
	fmt_duration(r->st.now_ms, dur, sizeof dur);
	if (o->faults) {
		static const char *const names[] = { "net", "crash", "skew", "pause", "storage" };
		faults[0] = '\0';
		for (int i = 0; i < 5; i++)
			if (o->faults & (1u << i))
				snprintf(faults + strlen(faults), sizeof faults - strlen(faults), "%s%s",
					 faults[0] ? "," : "", names[i]);
	}
	printf("rollcall sim: seed %" PRIu64 ", %d runners, %s simulated, faults %s%s\n", seed, o->wl.runners, dur,
	       faults, o->permute ? ", ties permuted" : "");
	printf("  events         %" PRIu64 "\n", r->st.events);
	printf("  simulated time %s (%lld ms)\n", dur, (long long)r->st.now_ms);
	printf("  wall time      %.3f s\n", r->wall);
	printf("  events/s       %.0f\n", r->wall > 0 ? (double)r->st.events / r->wall : 0.0);
	printf("  heartbeats     %" PRIu64 ", messages %" PRIu64 ", dropped %" PRIu64 ", faults %" PRIu64 "\n",
	       r->st.heartbeats, r->st.messages, r->st.dropped, r->st.faults);
	printf("  invariants     %" PRIu64 " checks, %" PRIu64 " violation(s)\n", r->st.checks, r->st.violations);
	if (o->hash)
		printf("  trace hash     %016" PRIx64 "\n", r->hash);
}

/* Open the --trace file (t->f NULL when there is none), written as the run
 * goes (a long run's trace is gigabytes, too much to hold in memory) and
 * replaced whole at the end like every other output file. Returns 0, or
 * prints why not and returns RC_EXIT_USAGE. */
static int trace_open(const struct sim_opts *o, struct rc_cli_stream *t)
{
	t->f = NULL;
	if (o->trace && rc_cli_stream_open(t, o->trace) != 0)
		return rc_cli_write_error("sim", "--trace", o->trace);
	return 0;
}

/* Put the trace in place when the run went through (rc 0); otherwise, or
 * when it cannot be written whole, the file at --trace stays as it was. */
static int trace_close(const struct sim_opts *o, struct rc_cli_stream *t, int rc)
{
	if (t->f && rc_cli_stream_close(t, rc == 0) != 0)
		return rc_cli_write_error("sim", "--trace", o->trace);
	return rc;
}

int rc_cmd_sim(int argc, char **argv)
{
	struct sim_opts o = { .seed = 1, .seeds = 1, .history = 12 };
	sim_workload_defaults(&o.wl);
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? RC_EXIT_OK : rc;
	struct rc_cli_stream trace;
	if ((rc = trace_open(&o, &trace)) != 0)
		return rc;
	uint64_t violated = 0, events = 0;
	double wall = 0;
	for (uint64_t i = 0; i < o.seeds; i++) {
		struct run_result r = { 0 };
		uint64_t seed = o.seed + i;
		rc = run_one(&o, seed, trace.f, o.seeds == 1, &r);
		if (rc)
			break;
		events += r.st.events;
		wall += r.wall;
		violated += r.st.violations > 0;
		if (o.seeds == 1) {
			print_summary(&o, &r, seed);
		} else {
			printf("seed %" PRIu64 " events %" PRIu64 " checks %" PRIu64 " violations %" PRIu64, seed,
			       r.st.events, r.st.checks, r.st.violations);
			if (o.hash)
				printf(" hash %016" PRIx64, r.hash);
			if (r.first)
				printf(" first %s", r.first);
			printf("\n");
		}
	}
	if ((rc = trace_close(&o, &trace, rc)) != 0)
		return rc;
	if (o.seeds > 1)
		printf("seeds %" PRIu64 "..%" PRIu64 ": %" PRIu64 " with violations, %" PRIu64 " events in %.3f s\n",
		       o.seed, o.seed + o.seeds - 1, violated, events, wall);
	return violated ? RC_EXIT_FAIL : RC_EXIT_OK;
}
