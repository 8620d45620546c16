/*
 * heartbeat_engine.c - the heartbeat model of heartbeat_simpy.py, event for
 * event, on the simulator's event queue (sim/heap.h) and nothing else.
 *
 * Why: sim-bench's C / SimPy ratio sets the whole simulator (the reference
 * cores, every invariant checker, the trace history, per-link network
 * draws) against a SimPy script that does a store per event. This model does
 * what the script does: a runner's timer, the four deliveries of a heartbeat,
 * its acknowledgement, a claim and its answer (5 ms + 0-5 ms each), a sweep
 * every 30 s that scans every runner, a monitor tick every 10 s. Set against
 * the same script it says what the engine itself is worth, and so how much of
 * the simulator's cost per event is the work it does.
 */
#include "heartbeat_engine.h"

#include <stdlib.h>

#include "heap.h"
#include "rng.h"

enum { HB_TIMER, HB_ARRIVES, HB_ACKED, CLAIM_ARRIVES, CLAIM_ANSWERED, SWEEP, MONITOR };
enum { ONLINE, STALE, REMOVED };

#define HEARTBEAT_MS 20000
#define SWEEP_MS 30000
#define MONITOR_MS 10000

struct heartbeat_model {
	struct sim_heap queue;
	struct rc_rng rng;
	int64_t now;
	int n;
	int64_t *last_heartbeat;
	unsigned char *status;
};

static void after(struct heartbeat_model *m, int64_t delay_ms, uint32_t type, int runner)
{
	sim_heap_push(&m->queue, m->now + delay_ms, 0, type, (uint32_t)runner, 0);
}

static int64_t latency(struct heartbeat_model *m)
{
	return 5 + (int64_t)rc_rng_below(&m->rng, 6);
}

static void sweep(struct heartbeat_model *m)
{
	for (int i = 0; i < m->n; i++) {
		int64_t age = m->now - m->last_heartbeat[i];
		if (age >= 600000)
			m->status[i] = REMOVED;
		else if (age >= 120000 && m->status[i] == ONLINE)
			m->status[i] = STALE;
	}
}

/* One event; every kind counts as one, as in the script. */
static void handle(struct heartbeat_model *m, const struct sim_ev *ev)
{
	int i = (int)sim_ev_a(ev);
	switch (sim_ev_type(ev)) {
	case HB_TIMER:
		after(m, latency(m), HB_ARRIVES, i);
		after(m, HEARTBEAT_MS, HB_TIMER, i);
		break;
	case HB_ARRIVES:
		m->last_heartbeat[i] = m->now;
		m->status[i] = ONLINE;
		after(m, latency(m), HB_ACKED, i);
		break;
	case HB_ACKED:
		after(m, latency(m), CLAIM_ARRIVES, i);
		break;
	case CLAIM_ARRIVES:
		after(m, latency(m), CLAIM_ANSWERED, i);
		break;
	case CLAIM_ANSWERED:
		break;
	case SWEEP:
		sweep(m);
		after(m, SWEEP_MS, SWEEP, 0);
		break;
	case MONITOR:
		after(m, MONITOR_MS, MONITOR, 0);
		break;
	}
}

uint64_t heartbeat_model_run_until(struct heartbeat_model *m, int64_t until_ms)
{
	uint64_t events = 0;
	struct sim_ev ev;
	while (sim_heap_pop_until(&m->queue, until_ms, &ev)) {
		m->now = ev.at_ms;
		handle(m, &ev);
		events++;
	}
	return events;
}

struct heartbeat_model *heartbeat_model_new(int n)
{
	struct heartbeat_model *m = calloc(1, sizeof *m);
	if (!m)
		abort();
	m->n = n;
	sim_heap_init(&m->queue);
	rc_rng_seed(&m->rng, 42);
	m->last_heartbeat = calloc((size_t)n, sizeof *m->last_heartbeat);
	m->status = calloc((size_t)n, 1);
	if (!m->last_heartbeat || !m->status)
		abort();
	for (int i = 0; i < n; i++)
		after(m, (int64_t)i * HEARTBEAT_MS / n, HB_TIMER, i);
	after(m, SWEEP_MS, SWEEP, 0);
	after(m, MONITOR_MS, MONITOR, 0);
	return m;
}

void heartbeat_model_free(struct heartbeat_model *m)
{
	sim_heap_free(&m->queue);
	free(m->last_heartbeat);
	free(m->status);
	free(m);
}
