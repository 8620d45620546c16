/*
 * xp_gen.c - random scenarios: workloads, swarm parameters, faults as lines.
 */
#include "xp_gen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "scn.h"
#include "sim.h"
#include "xp_buf.h"

/* Streams of the seed used here (the simulator uses small numbers). */
enum { STREAM_GEN = 0x6578706c, STREAM_SWARM = 0x7377726d };

#define SEC 1000LL
#define MIN 60000LL
#define DRAINED (2 * MIN) /* a stopped runner has drained and exited by then */

/* --- workloads ------------------------------------------------------------------- */

static const struct preset {
	const char *name;
	const char *what;
	struct xp_gen g;
} presets[] = {
	{ "mixed", "5 runners, 1 h: every fault kind, tasks, sandboxes, churn, a clone",
	  { .runners = 5, .duration_ms = 60 * MIN, .faults = SIM_FAULT_ALL, .fault_mean_ms = 2 * MIN,
	    .tasks_per_runner_hour = 6, .max_task_ms = 3 * MIN, .max_concurrency = 3, .crash_pct = 15,
	    .max_crash_after_ms = 90 * SEC, .fail_pct = 3, .ignore_term_pct = 10, .sandbox_pct = 20,
	    .churn = true, .clone = true } },
	{ "reassign", "3 runners, 30 min: long tasks, partitions and pauses around the task timeout",
	  { .runners = 3, .duration_ms = 30 * MIN, .faults = SIM_FAULT_NET | SIM_FAULT_PAUSE | SIM_FAULT_CRASH,
	    .fault_mean_ms = 90 * SEC, .tasks_per_runner_hour = 10, .max_task_ms = 4 * MIN, .max_concurrency = 2,
	    .crash_pct = 10, .max_crash_after_ms = 30 * SEC, .fail_pct = 0, .ignore_term_pct = 10,
	    .sandbox_pct = 30, .churn = false, .clone = false } },
	{ "supervise", "2 runners, 30 min: crashing tasks, stable runs, drains of tasks ignoring SIGTERM",
	  { .runners = 2, .duration_ms = 30 * MIN, .faults = SIM_FAULT_CRASH | SIM_FAULT_PAUSE,
	    .fault_mean_ms = 5 * MIN, .tasks_per_runner_hour = 12, .max_task_ms = 2 * MIN, .max_concurrency = 2,
	    .crash_pct = 50, .max_crash_after_ms = 90 * SEC, .fail_pct = 10, .ignore_term_pct = 40,
	    .sandbox_pct = 0, .churn = true, .clone = false } },
	{ "registry", "4 runners, 1 h: long partitions, coordinator crashes, clock skew, a clone",
	  { .runners = 4, .duration_ms = 60 * MIN, .faults = SIM_FAULT_NET | SIM_FAULT_CRASH | SIM_FAULT_SKEW |
	    SIM_FAULT_STORAGE, .fault_mean_ms = 3 * MIN, .tasks_per_runner_hour = 3, .max_task_ms = 2 * MIN,
	    .max_concurrency = 1, .crash_pct = 0, .max_crash_after_ms = 10 * SEC, .fail_pct = 0,
	    .ignore_term_pct = 0, .sandbox_pct = 10, .churn = true, .clone = true } },
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

int xp_gen_preset(const char *name, struct xp_gen *g)
{
	for (size_t i = 0; i < N_PRESETS; i++) {
		if (strcmp(presets[i].name, name) == 0) {
			*g = presets[i].g;
			snprintf(g->name, sizeof g->name, "%s", name);
			return 0;
		}
	}
	return -1;
}

void xp_gen_list(FILE *out)
{
	for (size_t i = 0; i < N_PRESETS; i++)
		fprintf(out, "  %-10s %s\n", presets[i].name, presets[i].what);
}

const char *xp_gen_fault_words(unsigned faults, char *buf, size_t n)
{
	static const char *const words[] = { "net", "crash", "skew", "pause", "storage" };
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < 5; i++)
		if (faults & (1u << i))
			used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", used ? "," : "", words[i]);
	if (!used)
		snprintf(buf, n, "none");
	return buf;
}

/* --- draws ------------------------------------------------------------------------ */

static int64_t between(struct rc_rng *rng, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rc_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

static bool chance(struct rc_rng *rng, int pct)
{
	return (int)rc_rng_below(rng, 100) < pct;
}

/* Exponential with the given mean, at least 1 ms. */
static int64_t exp_draw(struct rc_rng *rng, double mean_ms)
{
	return 1 + (int64_t)(-log(1.0 - rc_rng_unit(rng)) * mean_ms);
}

/* Log-uniform in [lo, hi]. */
static double log_uniform(struct rc_rng *rng, double lo, double hi)
{
	return exp(log(lo) + rc_rng_unit(rng) * (log(hi) - log(lo)));
}

/* Times people read: whole seconds above a second. */
static int64_t round_s(int64_t ms)
{
	return ms < SEC ? ms : ms / SEC * SEC;
}

void xp_gen_swarm(struct xp_gen *g, uint64_t seed, bool keep_runners)
{
	struct rc_rng rng;
	rc_rng_split(&rng, seed, STREAM_SWARM);
	if (!keep_runners) /* mostly small worlds, now and then a crowd */
		g->runners = 1 + (int)(49.0 * pow(rc_rng_unit(&rng), 2.0));
	else
		rc_rng_unit(&rng);
	g->faults = 0;
	for (int i = 0; i < 5; i++)
		if (rc_rng_below(&rng, 2))
			g->faults |= 1u << i;
	if (!g->faults)
		g->faults = 1u << rc_rng_below(&rng, 5);
	g->fault_mean_ms = (int64_t)log_uniform(&rng, 10 * SEC, 10 * MIN);
	g->tasks_per_runner_hour = log_uniform(&rng, 0.5, 30);
	g->max_task_ms = round_s((int64_t)log_uniform(&rng, 10 * SEC, 10 * MIN));
	g->max_concurrency = 1 + (int)rc_rng_below(&rng, 4);
	g->crash_pct = (int)rc_rng_below(&rng, 41);
	g->max_crash_after_ms = round_s((int64_t)log_uniform(&rng, 1 * SEC, 90 * SEC));
	g->fail_pct = (int)rc_rng_below(&rng, 11);
	g->ignore_term_pct = (int)rc_rng_below(&rng, 21);
	g->sandbox_pct = (int)rc_rng_below(&rng, 51);
	g->churn = rc_rng_below(&rng, 2);
	g->clone = g->runners >= 2 && rc_rng_below(&rng, 10) < 3;
	g->swarm = true;
}

json_t *xp_gen_json(const struct xp_gen *g, int64_t bound_ms)
{
	char faults[64];
	return json_pack("{s:s,s:b,s:i,s:I,s:s,s:I,s:f,s:I,s:i,s:i,s:I,s:i,s:i,s:i,s:b,s:b,s:b,s:I}", "workload",
			 g->name, "swarm", g->swarm, "runners", g->runners, "duration_ms", (json_int_t)g->duration_ms,
			 "faults", xp_gen_fault_words(g->faults, faults, sizeof faults), "fault_mean_ms",
			 (json_int_t)g->fault_mean_ms, "tasks_per_runner_hour", g->tasks_per_runner_hour,
			 "max_task_ms", (json_int_t)g->max_task_ms, "max_concurrency", g->max_concurrency,
			 "crash_pct", g->crash_pct, "max_crash_after_ms", (json_int_t)g->max_crash_after_ms,
			 "fail_pct", g->fail_pct, "ignore_term_pct", g->ignore_term_pct, "sandbox_pct",
			 g->sandbox_pct, "churn", g->churn, "clone", g->clone, "liveness", g->liveness, "bound_ms",
			 (json_int_t)bound_ms);
}

json_t *xp_gen_scenario_json(const struct xp_gen *g, const char *scenario, int runners, int64_t duration_ms,
			     int64_t bound_ms)
{
	char faults[64];
	return json_pack("{s:s,s:b,s:i,s:I,s:s,s:I,s:b,s:I}", "scenario", scenario, "swarm", g->swarm, "runners",
			 runners, "duration_ms", (json_int_t)duration_ms, "faults",
			 xp_gen_fault_words(g->faults, faults, sizeof faults), "fault_mean_ms",
			 (json_int_t)g->fault_mean_ms, "liveness", g->liveness, "bound_ms", (json_int_t)bound_ms);
}

/* --- generation context -------------------------------------------------------------- */

struct gen {
	const struct xp_gen *g;
	struct rc_rng rng;
	struct xp_script *s;
	char **runners;   /* node names (borrowed) */
	size_t n_runners;
	int64_t until_ms; /* faults and new work stop here */
	int64_t end_ms;
};

static const char *pick_runner(struct gen *x)
{
	return x->runners[rc_rng_below(&x->rng, x->n_runners)];
}

/* A runner, or the coordinator one time in five. */
static const char *pick_node(struct gen *x)
{
	return rc_rng_below(&x->rng, 5) == 0 ? "coordinator" : pick_runner(x);
}

/* The undo of a fault, unless the quiet tail (or the end) comes first. */
static bool undo_fits(const struct gen *x, int64_t at_ms)
{
	return at_ms < x->until_ms;
}

#define AT(x, t, ...) xp_script_addf((x)->s, XP_LINE_AT, (t), __VA_ARGS__)

/* --- faults ---------------------------------------------------------------------------- */

static void partition_one(struct gen *x, int64_t t, const char *r, int dir, int64_t lasts)
{
	static const char *const forms[] = { "%s from coordinator", "%s -> coordinator", "coordinator -> %s" };
	char link[96];
	xp_snprintf(link, sizeof link, forms[dir], r);
	AT(x, t, "partition %s", link);
	if (undo_fits(x, t + lasts))
		AT(x, t + lasts, "heal %s", link);
}

static void fault_net(struct gen *x, int64_t t)
{
	struct rc_rng *rng = &x->rng;
	int kind = (int)rc_rng_below(rng, 6);
	if (kind == 0) {
		partition_one(x, t, pick_runner(x), 0, round_s(between(rng, 5 * SEC, 12 * MIN)));
	} else if (kind == 1) { /* a set of runners, both ways or one way */
		size_t n = 1 + rc_rng_below(rng, x->n_runners / 4 + 1);
		int dir = (int)rc_rng_below(rng, 3);
		int64_t lasts = round_s(between(rng, 5 * SEC, 5 * MIN));
		for (size_t i = 0; i < n; i++)
			partition_one(x, t, pick_runner(x), dir, lasts);
	} else if (kind == 2) { /* the coordinator cut off from everyone */
		int64_t lasts = round_s(between(rng, 1 * SEC, 3 * MIN));
		for (size_t i = 0; i < x->n_runners; i++)
			partition_one(x, t, x->runners[i], 0, lasts);
	} else {
		static const char *const ops[] = { "messages", "heartbeat", "claim", "task-complete", "register",
						   "task-status" };
		const char *r = pick_runner(x);
		bool up = rc_rng_below(rng, 2) == 0;
		const char *op = ops[rc_rng_below(rng, sizeof ops / sizeof ops[0])];
		int n = 1 + (int)rc_rng_below(rng, 3);
		char by[48] = "";
		if (kind >= 4) {
			char d[32];
			xp_snprintf(by, sizeof by, " by %s", scn_format_duration(round_s(between(rng, 1 * SEC, 30 * SEC)), d,
									       sizeof d));
		}
		AT(x, t, "%s next %d %s from %s to %s%s", kind == 3 ? "drop" : "delay", n, op,
		   up ? r : "coordinator", up ? "coordinator" : r, by);
	}
}

static void fault_crash(struct gen *x, int64_t t)
{
	struct rc_rng *rng = &x->rng;
	int kind = (int)rc_rng_below(rng, 5);
	if (kind == 4) {
		AT(x, t, "crash coordinator");
		int64_t back = t + round_s(between(rng, 1 * SEC, 3 * MIN));
		if (undo_fits(x, back))
			AT(x, back, "start coordinator");
		return;
	}
	const char *r = pick_runner(x);
	if (kind == 2) {
		AT(x, t, "restart %s", r);
		return;
	}
	AT(x, t, "%s %s", kind == 3 ? "stop" : "crash", r);
	int64_t back = t + round_s(kind == 3 ? between(rng, 10 * SEC, 15 * MIN) : between(rng, 1 * SEC, 15 * MIN));
	if (undo_fits(x, back))
		AT(x, back, "start %s", r);
}

static void fault_clock(struct gen *x, int64_t t)
{
	struct rc_rng *rng = &x->rng;
	const char *node = pick_node(x);
	char d[32];
	bool jump = rc_rng_below(rng, 2) == 0;
	int64_t by = jump ? between(rng, 1 * SEC, 3 * MIN) : between(rng, 1 * SEC, 10 * MIN);
	bool back = rc_rng_below(rng, 2) == 0;
	AT(x, t, "%s %s clock by %s%s", jump ? "jump" : "skew", node, back ? "-" : "+",
	   scn_format_duration(round_s(by), d, sizeof d));
}

static void fault_pause(struct gen *x, int64_t t)
{
	const char *node = pick_node(x);
	int64_t lasts = between(&x->rng, 100, 4 * MIN);
	lasts = lasts < 10 * SEC ? lasts / 100 * 100 : round_s(lasts);
	AT(x, t, "pause %s", node);
	if (undo_fits(x, t + lasts))
		AT(x, t + lasts, "resume %s", node);
}

/* Power loss: the coordinator dies and writes it had not synced are lost
 * (the scenario turns lossy storage on). */
static void fault_storage(struct gen *x, int64_t t)
{
	AT(x, t, "crash coordinator");
	int64_t back = t + round_s(between(&x->rng, 1 * SEC, 60 * SEC));
	if (undo_fits(x, back))
		AT(x, back, "start coordinator");
}

static void add_faults(struct gen *x, int64_t from_ms)
{
	static void (*const apply[])(struct gen *, int64_t) = { fault_net, fault_crash, fault_clock, fault_pause,
								fault_storage };
	int enabled[5], n = 0;
	for (int i = 0; i < 5; i++)
		if (x->g->faults & (1u << i))
			enabled[n++] = i;
	if (n == 0 || x->n_runners == 0)
		return;
	for (int64_t t = from_ms + round_s(exp_draw(&x->rng, (double)x->g->fault_mean_ms)); t < x->until_ms;
	     t += round_s(exp_draw(&x->rng, (double)x->g->fault_mean_ms)) + SEC)
		apply[enabled[rc_rng_below(&x->rng, (uint64_t)n)]](x, t);
}

/* --- work --------------------------------------------------------------------------------- */

struct task_draw {
	int64_t at_ms, lasts_ms, crash_after_ms;
	int crash_times;
	bool fails, ignores_term, sandbox;
};

static void draw_task(struct gen *x, int64_t t, struct task_draw *d)
{
	const struct xp_gen *g = x->g;
	struct rc_rng *rng = &x->rng;
	memset(d, 0, sizeof *d);
	d->at_ms = t;
	d->lasts_ms = round_s(between(rng, 1 * SEC, g->max_task_ms));
	if (chance(rng, g->crash_pct)) {
		d->crash_times = 1 + (int)rc_rng_below(rng, 3);
		d->crash_after_ms = between(rng, 100, g->max_crash_after_ms) / 100 * 100;
	} else if (chance(rng, g->fail_pct)) {
		d->fails = true;
		d->lasts_ms = between(rng, 100, 3 * SEC) / 100 * 100;
	}
	d->ignores_term = chance(rng, g->ignore_term_pct);
	d->sandbox = chance(rng, g->sandbox_pct);
}

/* Worst-case run time of a task once faults stop: its crashes with their
 * backoff, the restarts of a failing process, the run itself. */
static int64_t task_cost(const struct task_draw *d)
{
	if (d->fails)
		return 6 * d->lasts_ms + 31 * SEC;
	return d->lasts_ms + d->crash_times * (d->crash_after_ms + 16 * SEC);
}

static void submit_line(struct gen *x, int k, const struct task_draw *d)
{
	char a[32], b[32], crash[96] = "";
	if (d->crash_times)
		xp_snprintf(crash, sizeof crash, " crashing %d time%s after %s", d->crash_times, d->crash_times > 1 ? "s" : "",
			    scn_format_duration(d->crash_after_ms, b, sizeof b));
	AT(x, d->at_ms, "submit task t%d lasting %s%s%s%s", k, scn_format_duration(d->lasts_ms, a, sizeof a), crash,
	   d->fails ? " failing" : "", d->ignores_term ? " ignoring SIGTERM" : "");
}

/* A sandbox for task k, walked through its statuses by one runner (the one
 * that will own the task, if the draw is lucky): now and then a status is
 * skipped (409) or another runner reports (403); some end with a DELETE. */
static void sandbox_walk(struct gen *x, int k, int64_t t)
{
	static const char *const walk[] = { "creating", "starting", "running", "deleting", "deleted" };
	struct rc_rng *rng = &x->rng;
	t += between(rng, 1, 50) * 100;
	if (t >= x->until_ms)
		return;
	AT(x, t, "create sandbox s%d for task t%d", k, k);
	const char *owner = pick_runner(x);
	bool api_delete = rc_rng_below(rng, 10) == 0;
	for (int step = 0; step < 5; step++) {
		t += round_s(between(rng, 1 * SEC, 20 * SEC));
		if (t >= x->until_ms)
			return;
		if (step == 4 && api_delete) {
			AT(x, t, "delete sandbox s%d", k);
			return;
		}
		unsigned roll = (unsigned)rc_rng_below(rng, 100);
		const char *word = roll < 5 ? walk[(step + 2) % 5] : walk[step];
		const char *from = roll >= 5 && roll < 10 ? pick_runner(x) : owner;
		AT(x, t, "%s reports sandbox s%d %s", from, k, word);
	}
}

static size_t draw_tasks(struct gen *x, struct task_draw **out)
{
	const struct xp_gen *g = x->g;
	size_t n = 0, cap = 16;
	struct task_draw *d = xp_alloc(cap * sizeof *d);
	double rate = g->tasks_per_runner_hour * g->runners;
	if (rate > 0) {
		for (int64_t t = 10 * SEC + round_s(exp_draw(&x->rng, 3600000.0 / rate)); t < x->end_ms;
		     t += round_s(exp_draw(&x->rng, 3600000.0 / rate)) + SEC) {
			if (n == cap)
				d = xp_realloc(d, (cap *= 2) * sizeof *d);
			draw_task(x, t, &d[n++]);
		}
	}
	*out = d;
	return n;
}

/* The liveness bound: time for the backlog to drain through every slot,
 * plus the longest task, plus 4 minutes for requests to time out and back
 * off, runners to re-register and the monitor to requeue. Whole minutes.
 * A runner claims after its heartbeats (the reference's 20 s; generated
 * scenarios keep it), not when a slot frees: each task holds its slot until
 * the next heartbeat after it ends, up to 20 s more than the task itself. */
static int64_t liveness_bound(const struct task_draw *d, size_t n, int capacity)
{
	const int64_t claim_wait = 20 * SEC;
	int64_t sum = 0, max = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t c = task_cost(&d[i]) + claim_wait;
		sum += c;
		if (c > max)
			max = c;
	}
	int64_t b = 4 * MIN + max + sum / (capacity > 0 ? capacity : 1);
	return (b + MIN - 1) / MIN * MIN;
}

static void churn(struct gen *x)
{
	double mean = 10.0 * MIN * 10 / ((double)x->n_runners + 9);
	for (int64_t t = 1 * MIN + round_s(exp_draw(&x->rng, mean)); t < x->until_ms;
	     t += round_s(exp_draw(&x->rng, mean)) + SEC) {
		const char *r = pick_runner(x);
		AT(x, t, "stop %s", r);
		int64_t back = t + round_s(between(&x->rng, 90 * SEC, 20 * MIN));
		if (undo_fits(x, back))
			AT(x, back, "start %s", r);
	}
}

/* Faults stop: heal, resume and start everything; liveness `bound` later.
 * A node whose clock was set back stalls until it catches up, so the tail
 * waits for that too. A runner still draining from a stop when faults end
 * ignores `start` and exits afterwards, so every runner is started once
 * more two minutes later (a no-op for a runner that is up). */
static void quiet_tail(struct gen *x)
{
	xp_script_sort(x->s);
	int64_t clocks = xp_script_clock_settle(x->s);
	if (clocks > x->until_ms) {
		x->end_ms += clocks - x->until_ms;
		x->until_ms = clocks;
	}
	AT(x, x->until_ms, "heal all");
	AT(x, x->until_ms, "resume coordinator");
	AT(x, x->until_ms, "start coordinator");
	for (size_t i = 0; i < x->n_runners; i++) {
		AT(x, x->until_ms, "resume %s", x->runners[i]);
		AT(x, x->until_ms, "start %s", x->runners[i]);
	}
	for (size_t i = 0; i < x->n_runners; i++)
		AT(x, x->until_ms + DRAINED, "start %s", x->runners[i]);
	AT(x, x->end_ms, "expect liveness");
}

/* --- scenarios ------------------------------------------------------------------------------ */

static void declare_runners(struct gen *x, char ***names, int *capacity)
{
	const struct xp_gen *g = x->g;
	size_t n = (size_t)g->runners + (g->clone && g->runners >= 2);
	char **nm = xp_alloc(n * sizeof *nm);
	*capacity = 0;
	for (int i = 0; i < g->runners; i++) {
		char name[16];
		xp_snprintf(name, sizeof name, "r%d", i + 1);
		nm[i] = xp_strdup(name);
		int conc = 1 + (int)rc_rng_below(&x->rng, (uint64_t)g->max_concurrency);
		*capacity += conc;
		if (conc > 1)
			xp_script_addf(x->s, XP_LINE_DECL, 0, "runner %s concurrency %d", name, conc);
		else
			xp_script_addf(x->s, XP_LINE_DECL, 0, "runner %s", name);
	}
	if (n > (size_t)g->runners) {
		nm[n - 1] = xp_strdup("c1");
		xp_script_add(x->s, XP_LINE_DECL, 0, "runner c1 like r1");
	}
	*names = nm;
	x->runners = nm;
	x->n_runners = n;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Fault phase end and run end for a bound. */
static void set_phases(struct gen *x, int64_t duration_ms, int64_t bound_ms)
{
	x->end_ms = duration_ms;
	x->until_ms = duration_ms;
	if (!x->g->liveness)
		return;
	x->until_ms = duration_ms - bound_ms - DRAINED;
	if (x->until_ms < duration_ms / 2) {
		x->until_ms = duration_ms / 2;
		x->end_ms = x->until_ms + DRAINED + bound_ms;
	}
}

void xp_gen_scenario(const struct xp_gen *g, uint64_t seed, struct xp_script *out, int64_t *bound_ms)
{
	struct gen x = { .g = g, .s = out };
	rc_rng_split(&x.rng, seed, STREAM_GEN);
	if (g->faults & SIM_FAULT_STORAGE)
		xp_script_add(out, XP_LINE_DECL, 0, "config lossy_storage on");
	char **names;
	int capacity;
	declare_runners(&x, &names, &capacity);
	x.end_ms = x.until_ms = g->duration_ms;
	struct task_draw *tasks;
	size_t n_tasks = draw_tasks(&x, &tasks);
	int64_t bound = g->liveness ? (g->bound_ms ? g->bound_ms : liveness_bound(tasks, n_tasks, capacity)) : 0;
	set_phases(&x, g->duration_ms, bound);
	for (int i = 0; i < g->runners; i++)
		AT(&x, round_s(between(&x.rng, 0, 20 * SEC)), "start %s", names[i]);
	if (x.n_runners > (size_t)g->runners)
		AT(&x, round_s(between(&x.rng, 1 * MIN, x.until_ms > 2 * MIN ? x.until_ms - MIN : 1 * MIN)), "start c1");
	for (size_t i = 0; i < n_tasks && tasks[i].at_ms < x.until_ms; i++) {
		submit_line(&x, (int)i + 1, &tasks[i]);
		if (tasks[i].sandbox)
			sandbox_walk(&x, (int)i + 1, tasks[i].at_ms);
	}
	free(tasks);
	if (g->churn)
		churn(&x);
	add_faults(&x, 30 * SEC);
	if (g->liveness)
		quiet_tail(&x);
	xp_script_sort(out);
	free_names(names, x.n_runners);
	*bound_ms = bound;
}

/* A task of a given scenario, read back from its `submit` line. */
static void task_from_line(const char *body, struct task_draw *d)
{
	struct xp_words ws;
	xp_words_split(body, &ws);
	memset(d, 0, sizeof *d);
	d->lasts_ms = SEC;
	d->crash_after_ms = 500;
	for (size_t i = 0; i + 1 < ws.n; i++) {
		if (strcmp(ws.w[i], "lasting") == 0)
			scn_parse_duration(ws.w[i + 1], &d->lasts_ms);
		else if (strcmp(ws.w[i], "crashing") == 0)
			d->crash_times = atoi(ws.w[i + 1]);
		else if (strcmp(ws.w[i], "after") == 0)
			scn_parse_duration(ws.w[i + 1], &d->crash_after_ms);
	}
	d->fails = strstr(body, " failing") != NULL;
	xp_words_free(&ws);
}

/* The liveness bound of a given scenario: as for a generated one, from its
 * tasks and its runners' concurrency. */
static int64_t scenario_bound(const struct xp_script *s)
{
	size_t n = 0;
	int capacity = 0;
	struct task_draw *d = xp_alloc((s->n + 1) * sizeof *d);
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->lines[i].body;
		if (s->lines[i].kind == XP_LINE_AT && strncmp(b, "submit ", 7) == 0)
			task_from_line(b, &d[n++]);
		if (s->lines[i].kind == XP_LINE_DECL && strncmp(b, "runner ", 7) == 0) {
			const char *c = strstr(b, " concurrency ");
			capacity += c ? atoi(c + 13) : 1;
		}
	}
	int64_t bound = liveness_bound(d, n, capacity);
	free(d);
	return bound;
}

/* Cut "and gets N" off a request line: the reply it expects is the one of a
 * fault-free run. */
static void drop_expected_reply(struct xp_line *l)
{
	char *and = strstr(l->body, " and get");
	if (and && l->kind == XP_LINE_AT)
		*and = '\0';
}

/* A heal whose partition a `heal all` (of the scenario) already undid is not
 * valid in the language: drop it. Walks the timeline as the parser does. */
static void drop_orphan_heals(struct xp_script *s)
{
	char **open = xp_alloc((s->n + 1) * sizeof *open);
	size_t n_open = 0;
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->lines[i].body;
		if (s->lines[i].kind != XP_LINE_AT)
			continue;
		if (strncmp(b, "partition ", 10) == 0) {
			open[n_open++] = (char *)b + 10;
		} else if (strcmp(b, "heal all") == 0) {
			n_open = 0;
		} else if (strncmp(b, "heal ", 5) == 0) {
			size_t k = n_open;
			while (k > 0 && strcmp(open[k - 1], b + 5) != 0)
				k--;
			if (k == 0) {
				xp_script_remove(s, i--);
				continue;
			}
			memmove(&open[k - 1], &open[k], (n_open - k) * sizeof *open);
			n_open--;
		}
	}
	free(open);
}

/* Whether a timeline statement is an expectation (dropped under faults). */
static bool is_expectation(const struct xp_line *l)
{
	return l->kind != XP_LINE_DECL && l->kind != XP_LINE_AT ? true : strncmp(l->body, "expect", 6) == 0;
}

void xp_gen_faults_for(const struct xp_gen *g, uint64_t seed, struct xp_script *s, char **runners, size_t n,
		       int64_t end_ms, int64_t *bound_ms)
{
	struct gen x = { .g = g, .s = s, .runners = runners, .n_runners = n };
	rc_rng_split(&x.rng, seed, STREAM_GEN);
	for (size_t i = s->n; i-- > 0;) {
		if (is_expectation(&s->lines[i]))
			xp_script_remove(s, i);
		else
			drop_expected_reply(&s->lines[i]);
	}
	int64_t bound = g->liveness ? (g->bound_ms ? g->bound_ms : scenario_bound(s)) : 0;
	bool lossy_given = false;
	for (size_t i = 0; i < s->n; i++)
		lossy_given |= strncmp(s->lines[i].body, "config lossy_storage ", 21) == 0;
	if ((g->faults & SIM_FAULT_STORAGE) && !lossy_given)
		xp_script_add(s, XP_LINE_DECL, 0, "config lossy_storage on");
	/* faults over the scenario's own length; the quiet tail after it */
	x.until_ms = end_ms;
	x.end_ms = end_ms + (g->liveness ? DRAINED + bound : 0);
	add_faults(&x, 0);
	if (g->liveness)
		quiet_tail(&x);
	s->end_ms = g->liveness ? -1 : end_ms;
	s->has_seeds = false;
	xp_script_sort(s);
	drop_orphan_heals(s);
	*bound_ms = bound;
}
