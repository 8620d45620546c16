/*
 * heap.h - the simulator's event queue: a 4-ary min-heap of small events.
 *
 * Events are ordered by (at_ms, tie, seq). seq is a counter stamped at
 * insertion, so with tie = 0 events at one instant come out in scheduling
 * order; the world sets tie to a seeded random number when ties are
 * permuted, which explores every order of same-instant events while staying
 * reproducible. (seq keeps its low 32 bits: after 4 billion insertions two
 * events at one instant may compare by a wrapped counter, still the same way
 * on every run.) A 4-ary layout keeps the tree shallow and its children in one
 * cache line, which matters at millions of events per second.
 */
#ifndef SIM_HEAP_H
#define SIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 24 bytes, so a heap of tens of thousands of events stays in cache. */
struct sim_ev {
	int64_t at_ms;
	uint64_t order;   /* tie << 32 | seq (low 32 bits): see sim_heap_push */
	uint32_t type_a;  /* type (high 4 bits) | a (low 28 bits) */
	uint32_t b;       /* usually a generation, to recognise superseded events */
};

#define SIM_EV_A_BITS 28
#define SIM_EV_A_MAX ((1u << SIM_EV_A_BITS) - 1)
static inline uint32_t sim_ev_type(const struct sim_ev *ev) { return ev->type_a >> SIM_EV_A_BITS; }
static inline uint32_t sim_ev_a(const struct sim_ev *ev) { return ev->type_a & SIM_EV_A_MAX; }

struct sim_heap {
	struct sim_ev *items;
	size_t len, cap;
	uint64_t next_seq;
};

void sim_heap_init(struct sim_heap *h);
void sim_heap_free(struct sim_heap *h);
/* Insert an event at at_ms with tie-breaker `tie` (0 keeps scheduling
 * order; the world passes 32 random bits to permute ties). The insertion
 * counter goes in the low 32 bits of the order, so equal (time, tie) pairs
 * come out first in, first out. Aborts (assert) on allocation failure:
 * losing an event would silently change the run. */
void sim_heap_push(struct sim_heap *h, int64_t at_ms, uint32_t tie, uint32_t type, uint32_t a, uint32_t b);
/* Remove the first event into *out. Returns false when the heap is empty. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *out);
/* The first event without removing it, or NULL. */
const struct sim_ev *sim_heap_peek(const struct sim_heap *h);
static inline size_t sim_heap_len(const struct sim_heap *h) { return h->len; }

#endif
