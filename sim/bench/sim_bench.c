/*
 * sim_bench.c - `make bench`: how fast the simulator runs the reference cores.
 *
 * Measures, in one run: the heartbeat storm (10,000 runners, 20 s heartbeats,
 * 24 h simulated) in events/s and wall time; the cost of one heartbeat at
 * 100, 10,000 and 100,000 runners (it must stay flat: nothing scans all
 * runners per heartbeat); the heap memory per simulated runner (glibc's
 * mallinfo2, so only live allocations count); and the same heartbeat model
 * in SimPy 3 at a smaller size, printing the events/s ratio, then that
 * model on our event queue alone (heartbeat_engine.c), so the engines are
 * also compared with the same work per event. Every simulator run has all
 * invariant checkers on, as in any simulation. --quick shrinks every size
 * for a smoke test.
 *
 * Cores: on a shared virtual machine the vCPUs are not equal (on ours, one
 * ran this memory-bound storm up to twice as slowly as the other while the
 * SimPy peer ran at the same speed on both). The targets are "on one core",
 * so the benchmark first times a short storm on every core it may use,
 * prints each figure, and pins itself (and the SimPy peer it starts) to the
 * fastest, as benchmarks pin to a quiet core. --no-pin keeps the scheduler's
 * choice.
 *
 * A benchmark, not a test: it prints figures and the targets next to them,
 * and exits 0 whether or not a target is met. `--storm RUNNERS HOURS` times
 * one storm of that size and nothing else, for comparing two builds (a
 * separate probe program would not be inlined the way this one is).
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heartbeat_engine.h"
#include "sim.h"

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* A coordinator and n runners starting over the first 20 s, run as
 * `rollcall sim` runs a seed: without the history ring, which it fills only
 * in a second run of a seed that violated an invariant (cmd_sim.c). */
static struct sim_world *storm_world(int n)
{
	struct sim_config cfg;
	sim_config_defaults(&cfg);
	cfg.seed = 42;
	cfg.expected_runners = n;
	cfg.no_history = true;
	struct sim_world *w = sim_world_new(&cfg);
	if (!w || sim_add_coordinator(w, "coord") < 0)
		abort();
	for (int i = 0; i < n; i++) {
		char name[24], host[32];
		snprintf(name, sizeof name, "r%06d", i);
		snprintf(host, sizeof host, "host-%06d", i);
		struct sim_runner_spec rs;
		sim_runner_spec_defaults(&rs);
		rs.name = name;
		rs.hostname = host;
		rs.project_dir = "/srv/project";
		rs.executor_type = "test-executor";
		rs.start_at_ms = (int64_t)i * 20000 / n;
		if (sim_add_runner(w, &rs) < 0)
			abort();
	}
	return w;
}

struct result {
	int runners;
	int64_t sim_ms;
	double wall;
	double cpu; /* this process's CPU time: the machine may be shared */
	struct sim_stats st;
};

static struct result run_storm(int n, int64_t sim_ms)
{
	struct result r = { .runners = n, .sim_ms = sim_ms };
	struct sim_world *w = storm_world(n);
	/* warm up (registrations), then time the steady state */
	sim_run_until(w, 60000);
	struct sim_stats before;
	sim_stats(w, &before);
	double t0 = wall_now(), c0 = cpu_now();
	sim_run_until(w, 60000 + sim_ms);
	r.wall = wall_now() - t0;
	r.cpu = cpu_now() - c0;
	sim_stats(w, &r.st);
	r.st.events -= before.events;
	r.st.heartbeats -= before.heartbeats;
	r.st.checks -= before.checks;
	if (r.st.violations)
		fprintf(stderr, "sim-bench: %d runners: %llu violation(s): %s\n", n,
			(unsigned long long)r.st.violations, sim_violation_at(w, 0)->message);
	sim_world_free(w);
	return r;
}

static void print_result(const char *what, const struct result *r)
{
	printf("%-20s %6d runners %5.2f h sim %10llu events %9llu heartbeats %7.2f s wall (%7.2f s cpu) "
	       "%5.2f M events/s (%5.2f per cpu s) %5.0f ns/heartbeat\n",
	       what, r->runners, (double)r->sim_ms / 3600000.0, (unsigned long long)r->st.events,
	       (unsigned long long)r->st.heartbeats, r->wall, r->cpu,
	       (double)r->st.events / r->wall / 1e6, (double)r->st.events / r->cpu / 1e6,
	       r->cpu * 1e9 / (double)r->st.heartbeats);
}

/* Heap bytes per runner: a world with n runners in steady state, minus an
 * empty world with only the coordinator. */
static double bytes_per_runner(int n)
{
	size_t base = heap_in_use();
	struct sim_world *empty = storm_world(0);
	sim_run_until(empty, 60000);
	size_t with_coord = heap_in_use() - base;
	sim_world_free(empty);
	base = heap_in_use();
	struct sim_world *w = storm_world(n);
	sim_run_until(w, 120000);
	size_t used = heap_in_use() - base;
	sim_world_free(w);
	return (double)(used - with_coord) / n;
}

/* Time a short storm on each core this process may use, print the figures,
 * and stay pinned to the fastest. Returns that core, or -1 if there is no
 * choice to make. */
static int pin_fastest_core(bool quick)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
		return -1;
	int best = -1;
	double best_eps = 0;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof one, &one) != 0)
			continue;
		struct result r = run_storm(quick ? 1000 : 10000, quick ? 60000 : 600000);
		double eps = (double)r.st.events / r.wall;
		printf("core %-3d             %5.2f M events/s on a %d-runner, %.0f min storm\n", cpu, eps / 1e6,
		       r.runners, (double)r.sim_ms / 60000.0);
		if (eps > best_eps) {
			best_eps = eps;
			best = cpu;
		}
	}
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(best >= 0 ? best : 0, &one);
	if (best < 0 || sched_setaffinity(0, sizeof one, &one) != 0) {
		sched_setaffinity(0, sizeof allowed, &allowed);
		return -1;
	}
	return best;
}

/* Run the SimPy model; returns its events/s, or -1 if it could not run, and
 * sets *events to the events it counted. */
static double run_simpy(const char *script, int n, double hours, unsigned long long *events)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %d %g", script, n, hours);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char line[256];
	double eps = -1;
	while (fgets(line, sizeof line, p)) {
		fputs("    simpy: ", stdout);
		fputs(line, stdout);
		sscanf(line, "events/s %lf", &eps);
		sscanf(line, "runners %*d, %*f h simulated, %llu events", events);
	}
	return pclose(p) == 0 ? eps : -1;
}

/* The SimPy script's model on our event queue alone (heartbeat_engine.c):
 * the engines compared with the same work per event, and what the
 * simulator's work per event costs on top. */
static void compare_engines(int n, double hours, const struct result *full, double simpy_eps,
			    unsigned long long simpy_events)
{
	struct heartbeat_model *m = heartbeat_model_new(n);
	heartbeat_model_run_until(m, 60000); /* the script's warm-up */
	double t0 = wall_now();
	uint64_t events = heartbeat_model_run_until(m, 60000 + (int64_t)(hours * 3600000.0));
	double wall = wall_now() - t0;
	heartbeat_model_free(m);
	double eps = (double)events / wall;
	printf("engine only          %d runners, %.2f h: %llu events (SimPy: %llu) in %.3f s, %.1f M events/s\n"
	       "  (the SimPy script's model, event for event, on sim/heap.h alone)\n",
	       n, hours, (unsigned long long)events, simpy_events, wall, eps / 1e6);
	if (simpy_eps > 0)
		printf("  engine ratio C / SimPy %.0fx with the same work per event; the simulator's cores,\n"
		       "  checkers and trace make its events %.0f times as costly as this model's\n",
		       eps / simpy_eps, eps / ((double)full->st.events / full->wall));
}

static int usage(void)
{
	fprintf(stderr, "usage: sim-bench [--quick] [--no-pin]\n"
			"       sim-bench --storm RUNNERS HOURS   (one storm, no pinning)\n");
	return 2;
}

/* --storm: one storm of the given size, printed on one line. */
static int storm_only(const char *runners, const char *hours)
{
	char *end1, *end2;
	long n = strtol(runners, &end1, 10);
	double h = strtod(hours, &end2);
	if (*end1 || *end2 || n < 1 || n > 1000000 || !(h > 0 && h <= 1000))
		return usage();
	struct result r = run_storm((int)n, (int64_t)(h * 3600000.0));
	print_result("heartbeat storm", &r);
	return 0;
}

int main(int argc, char **argv)
{
	bool quick = false, pin = true;
	if (argc == 4 && strcmp(argv[1], "--storm") == 0)
		return storm_only(argv[2], argv[3]);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--no-pin") == 0)
			pin = false;
		else
			return usage();
	}
	const char *script = getenv("SIMPY_BENCH") ? getenv("SIMPY_BENCH") : "sim/bench/heartbeat_simpy.py";
	int64_t hour = 3600000;
	printf("rollcall sim-bench (%s): reference cores + every invariant checker on, build %s\n",
	       quick ? "quick" : "full", sim_build_id());
	int core = pin ? pin_fastest_core(quick) : -1;
	if (core >= 0)
		printf("pinned to core %d (the fastest above); the SimPy peer runs there too\n", core);
	else
		printf("not pinned: the scheduler picks the core\n");

	struct result storm = run_storm(quick ? 1000 : 10000, quick ? hour / 4 : 24 * hour);
	print_result("heartbeat storm", &storm);
	printf("  target: >= 5 M events/s; 10,000 runners x 24 h in < 30 s wall\n");

	static const int sizes[] = { 100, 10000, 100000 };
	for (int i = 0; i < 3; i++) {
		int n = quick ? sizes[i] / 10 : sizes[i];
		int64_t sim_ms = n <= 1000 ? 6 * hour : n <= 10000 ? hour : hour / 3;
		struct result r = run_storm(n, quick ? sim_ms / 6 : sim_ms);
		print_result("per-heartbeat cost", &r);
	}
	printf("  target: flat ns/heartbeat from 100 to 100,000 runners\n");

	double bpr = bytes_per_runner(quick ? 1000 : 10000);
	printf("memory per runner    %.0f bytes (heap in use, coordinator record + runner core + node)\n", bpr);
	printf("  target: < 2048 bytes\n");

	int simpy_n = quick ? 100 : 1000;
	double simpy_h = quick ? 0.5 : 2.0;
	struct result same = run_storm(simpy_n, (int64_t)(simpy_h * (double)hour));
	print_result("same size in C", &same);
	unsigned long long simpy_events = 0;
	double simpy_eps = run_simpy(script, simpy_n, simpy_h, &simpy_events);
	if (simpy_eps > 0)
		printf("events/s ratio C / SimPy  %.1fx wall, %.1fx by C cpu time  (target >= 50x)\n",
		       (double)same.st.events / same.wall / simpy_eps, (double)same.st.events / same.cpu / simpy_eps);
	else
		printf("events/s ratio C / SimPy  not measured: %s did not run (python3-simpy3 missing?)\n", script);
	compare_engines(simpy_n, simpy_h, &same, simpy_eps, simpy_events);
	return 0;
}
