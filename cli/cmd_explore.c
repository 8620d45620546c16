/*
 * cmd_explore.c - `rollcall explore`: random faults, seed after seed.
 *
 * Option parsing and what the user sees (failures as they are found, a
 * progress line, a summary); the engine is explore/xp_explore.c. Exit 0 when
 * no seed failed, 1 when one did, 2 on bad usage or bad input, or when a
 * failing seed could not be saved (once every seed has run).
 */
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "scenario_load.h"
#include "scn.h"
#include "sim.h"
#include "xp_buf.h"
#include "xp_explore.h"
#include "xp_run.h"
#include "xp_shard.h"

static const char explore_usage[] =
	"usage: rollcall explore [--seeds A-B] [--shard K/N] [--jobs N] [--swarm] [--liveness]\n"
	"                        [--budget D] [--faults LIST] [--bound D] [--max-failures N]\n"
	"                        [--out DIR] [--no-progress] [--show SEED]\n"
	"                        [SCENARIO | [--workload NAME] [--runners N] [--duration D]]\n"
	"\n"
	"Runs one scenario per seed with random faults written into it as timeline\n"
	"actions, every invariant checked after every event. Each failing seed is saved\n"
	"as a scenario that replays it (DIR/NAME-seedN.scn) and its trace (.jsonl).\n"
	"\n"
	"  --seeds A-B        seeds to run (default 1-1000; with --budget and no --seeds,\n"
	"                     1 and up until the budget is spent)\n"
	"  --shard K/N        run only block K of N of the range (CI matrix, GNU parallel)\n"
	"  --jobs N           local worker processes (default 1)\n"
	"  --swarm            each seed draws its own fault mix, rates and topology\n"
	"                     (1 to 50 runners), written in the trace header; with a\n"
	"                     SCENARIO only the fault mix and rate (the rest is its own)\n"
	"  --liveness         faults stop, the network heals and every node is started;\n"
	"                     the run fails unless every live runner is online and every\n"
	"                     task finished within the bound\n"
	"  --budget D         stop after D of wall time (e.g. 30s, 10m), checked between seeds:\n"
	"                     a seed that has started runs to its end, in every job; the\n"
	"                     summary then says the budget ended the run\n"
	"  --workload NAME    a generated workload (default mixed; --workload list)\n"
	"  SCENARIO           explore this scenario instead: its timeline plus random\n"
	"                     faults (its expectations and expected replies are dropped:\n"
	"                     they describe a run without faults; invariants stay)\n"
	"  --runners N        runners of the workload (swarm keeps this number); not with a\n"
	"                     SCENARIO, which declares its own\n"
	"  --duration D       simulated time per seed (default: the workload's); not with a\n"
	"                     SCENARIO, whose timeline says how long it runs\n"
	"  --faults LIST      net,crash,skew,pause,storage | all | none\n"
	"  --bound D          liveness bound (default: computed from each scenario's tasks)\n"
	"  --max-failures N   stop after N failing seeds (default 100, 0 = no limit)\n"
	"  --out DIR          where failures are saved (default reports/failures)\n"
	"  --no-progress      no progress line\n"
	"  --show SEED        print the scenario of SEED and run nothing\n"
	"\n"
	"Exit: 0 no failure, 1 a seed failed, 2 bad usage or bad input, or a failing seed\n"
	"whose scenario or trace could not be saved under DIR (each named on stderr, the\n"
	"seeds all run, the summary counting them).\n";

struct explore_opts {
	struct xp_explore_cfg cfg;
	bool have_seeds;
	uint64_t shard_k, shard_n;
	const char *workload;
	const char *scenario;
	int runners;
	int64_t duration_ms, bound_ms;
	bool have_faults;
	unsigned faults;
	bool swarm, liveness, progress;
	bool show;
	uint64_t show_seed;
	struct xp_script base;
	char *command;
};

static int parse_option(int c, struct explore_opts *o)
{
	int64_t ms;
	char bad[64];
	switch (c) {
	case 's':
		if (rc_cli_parse_seed_range("explore", optarg, &o->cfg.first, &o->cfg.last))
			return RC_EXIT_USAGE;
		o->have_seeds = true;
		return 0;
	case 'k':
		if (xp_shard_parse(optarg, &o->shard_k, &o->shard_n) != 0)
			return rc_cli_usage_error("explore", "--shard: '%s' is not K/N with 1 <= K <= N", optarg);
		return 0;
	case 'j':
		return rc_cli_parse_int("explore", "--jobs", optarg, 1, 256, &o->cfg.jobs);
	case 'S': o->swarm = true; return 0;
	case 'L': o->liveness = true; return 0;
	case 'b':
		if (rc_cli_parse_duration("explore", "--budget", optarg, 1, &ms))
			return RC_EXIT_USAGE;
		o->cfg.budget_s = (double)ms / 1000.0;
		return 0;
	case 'w': o->workload = optarg; return 0;
	case 'r':
		return rc_cli_parse_int("explore", "--runners", optarg, 1, 50, &o->runners);
	case 'd': return rc_cli_parse_duration("explore", "--duration", optarg, 1, &o->duration_ms);
	case 'B': return rc_cli_parse_duration("explore", "--bound", optarg, 1, &o->bound_ms);
	case 'f':
		if (sim_faults_parse(optarg, &o->faults, bad, sizeof bad) != 0)
			return rc_cli_usage_error("explore", "--faults: unknown fault '%s' (net, crash, skew, pause, "
						  "storage, all, none)", bad);
		o->have_faults = true;
		return 0;
	case 'm':
		return rc_cli_parse_count("explore", "--max-failures", optarg, 0, UINT64_MAX, &o->cfg.max_failures);
	case 'o': o->cfg.out_dir = optarg; return 0;
	case 'P': o->progress = false; return 0;
	case 'W':
		o->show = true;
		return rc_cli_parse_count("explore", "--show", optarg, 0, UINT64_MAX, &o->show_seed);
	default:
		return RC_EXIT_USAGE;
	}
}

static char *join_args(int argc, char **argv)
{
	struct xp_buf b = { 0 };
	xp_buf_printf(&b, "rollcall");
	for (int i = 0; i < argc; i++)
		xp_buf_printf(&b, " %s", argv[i]);
	return xp_buf_take(&b);
}

static int load_base(struct explore_opts *o)
{
	struct scn_scenario *s = rc_parse_scenario_file(o->scenario, "explore");
	if (!s)
		return RC_EXIT_USAGE;
	static char name[128];
	snprintf(name, sizeof name, "%s", s->name);
	scn_free(s);
	size_t len;
	char *text = scn_read_file(o->scenario, &len);
	char err[200];
	int rc = text ? xp_script_parse(text, &o->base, err, sizeof err) : -1;
	free(text);
	if (rc != 0)
		return rc_cli_usage_error("explore", "%s: cannot be explored", o->scenario);
	for (size_t i = 0; o->liveness && i < o->base.n; i++)
		if (o->base.lines[i].kind == XP_LINE_AT && strstr(o->base.lines[i].body, "lasting forever"))
			return rc_cli_usage_error("explore", "--liveness: %s has a task lasting forever (\"%s\"): it "
						  "can never finish, so liveness cannot hold", o->scenario,
						  o->base.lines[i].body);
	o->cfg.base = &o->base;
	o->cfg.base_name = name;
	return 0;
}

/* The workload and the seed block from the options. */
static int settle(struct explore_opts *o)
{
	struct xp_explore_cfg *c = &o->cfg;
	if (o->workload && strcmp(o->workload, "list") == 0) {
		printf("workloads:\n");
		xp_gen_list(stdout);
		return -1;
	}
	if (o->scenario && o->workload)
		return rc_cli_usage_error("explore", "give a SCENARIO or --workload, not both");
	/* a scenario's runners and length are its own: these would only be
	 * written into the recorded parameters, as if they had been used */
	if (o->scenario && (o->runners || o->duration_ms))
		return rc_cli_usage_error("explore", "%s is for a generated workload: %s has its own %s",
					  o->runners ? "--runners" : "--duration", o->scenario,
					  o->runners ? "runners" : "timeline, which says how long it runs");
	if (xp_gen_preset(o->workload ? o->workload : "mixed", &c->gen) != 0)
		return rc_cli_usage_error("explore", "--workload: unknown workload '%s' (--workload list)", o->workload);
	if (o->scenario && load_base(o) != 0)
		return RC_EXIT_USAGE;
	if (o->runners)
		c->gen.runners = o->runners;
	c->keep_runners = o->runners != 0;
	if (o->duration_ms)
		c->gen.duration_ms = o->duration_ms;
	if (o->have_faults)
		c->gen.faults = o->faults;
	c->gen.swarm = o->swarm;
	c->gen.liveness = o->liveness;
	c->gen.bound_ms = o->bound_ms;
	if (!o->have_seeds) {
		c->first = 1;
		c->last = c->budget_s > 0 ? UINT64_MAX : 1000;
	}
	uint64_t a = c->first, b = c->last;
	if (o->shard_n && !xp_shard_block(a, b, o->shard_k, o->shard_n, &c->first, &c->last)) {
		printf("shard %" PRIu64 "/%" PRIu64 " of seeds %" PRIu64 "-%" PRIu64 " is empty: nothing to run\n",
		       o->shard_k, o->shard_n, a, b);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct explore_opts *o)
{
	static const struct option opts[] = {
		{ "seeds", required_argument, NULL, 's' },    { "shard", required_argument, NULL, 'k' },
		{ "jobs", required_argument, NULL, 'j' },     { "swarm", no_argument, NULL, 'S' },
		{ "liveness", no_argument, NULL, 'L' },       { "budget", required_argument, NULL, 'b' },
		{ "workload", required_argument, NULL, 'w' }, { "runners", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' }, { "bound", required_argument, NULL, 'B' },
		{ "faults", required_argument, NULL, 'f' },   { "max-failures", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },      { "no-progress", no_argument, NULL, 'P' },
		{ "show", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(explore_usage, stdout);
			return -1;
		}
		if (c == '?') {
			fputs(explore_usage, stderr);
			return rc_cli_usage_error("explore", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
		int rc = parse_option(c, o);
		if (rc)
			return rc;
	}
	if (optind < argc)
		o->scenario = argv[optind++];
	if (optind < argc)
		return rc_cli_usage_error("explore", "unexpected argument '%s' (one SCENARIO at most)", argv[optind]);
	return settle(o);
}

/* --- what the user sees ------------------------------------------------------------------ */

#define MAX_KINDS 32

struct ui_state {
	bool tty, progress;
	double last_print;
	bool have_first;
	struct xp_failure first;
	char kinds[MAX_KINDS][320];
	uint64_t kind_count[MAX_KINDS];
	int n_kinds;
	bool line_open; /* a progress line without newline is on the terminal */
};

struct ui_ctx {
	struct ui_state *u;
	double budget_s;
};

static void clear_line(struct ui_state *u)
{
	if (u->line_open) {
		fprintf(stderr, "\r%-78s\r", "");
		u->line_open = false;
	}
}

static void count_kind(struct ui_state *u, const char *what)
{
	for (int i = 0; i < u->n_kinds; i++) {
		if (strcmp(u->kinds[i], what) == 0) {
			u->kind_count[i]++;
			return;
		}
	}
	if (u->n_kinds < MAX_KINDS) {
		snprintf(u->kinds[u->n_kinds], sizeof u->kinds[0], "%s", what);
		u->kind_count[u->n_kinds++] = 1;
	}
}

static void on_failure(void *ctx, const struct xp_failure *f)
{
	struct ui_state *u = ((struct ui_ctx *)ctx)->u;
	char when[32];
	clear_line(u);
	printf("FAIL seed %" PRIu64 ": %s at %s -> %s%s\n     %s\n", f->seed, f->what,
	       scn_format_duration(f->at_ms, when, sizeof when), f->path, f->saved ? "" : " (not saved)", f->why);
	fflush(stdout);
	count_kind(u, f->what);
	if (!u->have_first) { /* failures come lowest seed first */
		u->first = *f;
		u->have_first = true;
	}
}

static void format_eta(const struct xp_explore_progress *p, double budget_s, char *buf, size_t n)
{
	double rate = p->wall_s > 0 ? (double)p->done / p->wall_s : 0;
	double eta = -1;
	if (rate > 0 && p->total != 0 && p->total > p->done && (double)(p->total - p->done) < 1e15)
		eta = (double)(p->total - p->done) / rate;
	if (budget_s > 0 && (eta < 0 || budget_s - p->wall_s < eta))
		eta = budget_s - p->wall_s;
	if (eta < 0)
		snprintf(buf, n, "-");
	else if (eta < 120)
		snprintf(buf, n, "%.0fs", eta);
	else
		snprintf(buf, n, "%.0fm", eta / 60);
}

static void on_progress(void *ctx, const struct xp_explore_progress *p)
{
	struct ui_ctx *x = ctx;
	struct ui_state *u = x->u;
	double every = u->tty ? 0.2 : 10.0;
	if (!u->progress || p->wall_s - u->last_print < every)
		return;
	u->last_print = p->wall_s;
	char eta[32], total[32] = "";
	format_eta(p, x->budget_s, eta, sizeof eta);
	if (p->total != 0 && (double)p->total < 1e15)
		snprintf(total, sizeof total, "/%" PRIu64, p->total);
	double rate = p->wall_s > 0 ? (double)p->done / p->wall_s : 0;
	if (u->tty) {
		fprintf(stderr, "\rexplore: %" PRIu64 "%s seeds  %.0f seeds/s  %" PRIu64 " failing  ETA %s   ", p->done,
			total, rate, p->failures, eta);
		u->line_open = true;
	} else {
		printf("progress: %" PRIu64 "%s seeds, %.0f seeds/s, %" PRIu64 " failing, ETA %s\n", p->done, total, rate,
		       p->failures, eta);
		fflush(stdout);
	}
}

static void print_summary(const struct explore_opts *o, const struct ui_state *u, const struct xp_explore_progress *p)
{
	const struct xp_explore_cfg *c = &o->cfg;
	char range[64];
	if (!o->have_seeds && c->budget_s > 0) /* no --seeds: from 1 up until the budget is spent */
		snprintf(range, sizeof range, "%" PRIu64 " and up", c->first);
	else
		snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, c->first, c->last);
	printf("explore %s%s%s: seeds %s", c->base ? c->base_name : c->gen.name, o->swarm ? " (swarm)" : "",
	       o->liveness ? " (liveness)" : "", range);
	if (o->shard_n)
		printf(" [shard %" PRIu64 "/%" PRIu64 "]", o->shard_k, o->shard_n);
	printf(": %" PRIu64 " seed%s in %.2f s (%.0f seeds/s, %d job%s), %" PRIu64 " failing", p->done,
	       p->done == 1 ? "" : "s", p->wall_s, p->wall_s > 0 ? (double)p->done / p->wall_s : 0.0, c->jobs,
	       c->jobs == 1 ? "" : "s", p->failures);
	if (p->unsaved)
		printf(" (%" PRIu64 " not saved under %s: see the errors on stderr)", p->unsaved, c->out_dir);
	char budget[32];
	if (p->budget_spent)
		printf("; --budget %s ended the run", scn_format_duration((int64_t)(c->budget_s * 1000 + 0.5), budget,
									 sizeof budget));
	printf("\n");
	for (int i = 0; i < u->n_kinds; i++)
		printf("  %-40s %" PRIu64 " seed%s\n", u->kinds[i], u->kind_count[i], u->kind_count[i] == 1 ? "" : "s");
	if (u->have_first)
		printf("first failure: seed %" PRIu64 " (%s) after %" PRIu64 " seeds in %.2f s: %s\n", u->first.seed,
		       u->first.what, u->first.seeds_before, u->first.wall_s, u->first.path);
}

int rc_cmd_explore(int argc, char **argv)
{
	struct explore_opts o = { .progress = true };
	o.cfg.jobs = 1;
	o.cfg.max_failures = 100;
	o.cfg.out_dir = "reports/failures";
	xp_script_init(&o.base);
	int rc = parse_args(argc, argv, &o);
	if (rc) {
		xp_script_free(&o.base);
		return rc < 0 ? RC_EXIT_OK : rc;
	}
	if (o.show) {
		json_t *params;
		int64_t bound;
		char *text = xp_explore_scenario(&o.cfg, o.show_seed, &params, &bound);
		char *p = json_dumps(params, JSON_COMPACT);
		printf("# parameters: %s\n%s", p, text);
		free(p);
		free(text);
		json_decref(params);
		xp_script_free(&o.base);
		return RC_EXIT_OK;
	}
	o.command = join_args(argc, argv);
	o.cfg.command = o.command;
	/* A world per seed: keep freed memory in the heap instead of returning it
	 * to the kernel and faulting it in again for the next seed. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	struct ui_state u = { .tty = isatty(STDERR_FILENO) == 1, .progress = o.progress };
	struct ui_ctx x = { &u, o.cfg.budget_s };
	struct xp_explore_ui ui = { &x, on_failure, on_progress };
	struct xp_explore_progress p;
	rc = xp_explore_run(&o.cfg, &ui, &p);
	clear_line(&u);
	if (rc == 0)
		print_summary(&o, &u, &p);
	free(o.command);
	xp_script_free(&o.base);
	if (rc != 0 || p.unsaved)
		return RC_EXIT_USAGE; /* a failure found but lost is not merely a failure */
	return p.failures ? RC_EXIT_FAIL : RC_EXIT_OK;
}
