/*
 * heap.h - the simulator's event queue: a 4-ary min-heap of small events.
 *
 * Events are ordered by (at_ms, tie, seq). seq is a counter stamped at
 * insertion, so with tie = 0 events at one instant come out in scheduling
 * order; the world sets tie to a seeded random number when ties are
 * permuted, which explores every order of same-instant events while staying
 * reproducible. A 4-ary layout keeps the tree shallow and its children in one
 * cache line, which matters at millions of events per second.
 */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_ev {
	int64_t at_ms;
	uint64_t tie;
	uint64_t seq;
	uint32_t type; /* what happens (world-defined) */
	uint32_t a;    /* usually a node or slot index */
	uint64_t b;    /* usually a generation, to recognise superseded events */
};

struct sim_heap {
	struct sim_ev *items;
	size_t len, cap;
	uint64_t next_seq;
};

void sim_heap_init(struct sim_heap *h);
void sim_heap_free(struct sim_heap *h);
/* Insert ev, stamping ev.seq. Returns the seq given. Aborts (assert) on
 * allocation failure: losing an event would silently change the run. */
uint64_t sim_heap_push(struct sim_heap *h, struct sim_ev ev);
/* Remove the first event into *out. Returns false when the heap is empty. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *out);
/* The first event without removing it, or NULL. */
const struct sim_ev *sim_heap_peek(const struct sim_heap *h);
static inline size_t sim_heap_len(const struct sim_heap *h) { return h->len; }

#endif
