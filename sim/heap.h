/*
 * heap.h - the simulator's event queue: a calendar for the near future, a
 * 4-ary min-heap beyond it.
 *
 * Events are ordered by (at_ms, tie, seq). seq is a counter stamped at
 * insertion, so with tie = 0 events at one instant come out in scheduling
 * order; the world sets tie to a seeded random number when ties are
 * permuted, which explores every order of same-instant events while staying
 * reproducible. (seq keeps its low 32 bits: after 4 billion insertions two
 * events at one instant may compare by a wrapped counter, still the same way
 * on every run.) The order is total, so which structure holds an event
 * never changes the order they come out in.
 *
 * Why a calendar: in a big run nearly every event is a message delivery a
 * few ms ahead or a runner's timer up to 30 s ahead, and a heap of 10,000
 * timers cost a fifth of a heartbeat's instructions in sifting. Events within
 * SIM_CAL_SLOTS ms of the last one taken sit in one list per millisecond
 * (kept in (tie, seq) order, almost always by appending), found through a
 * bitmap; only events further out go to the heap, and move to the calendar
 * when time comes near them. Memory for the calendar (about 260 KiB) is
 * taken at the first insertion; only its bitmap (4 KiB) is zeroed, as a
 * slot counts as empty while its bit is clear.
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

/* 2^15 one-millisecond slots: 32.8 s, more than a heartbeat period and the
 * longest retry backoff, so a steady run's timers all live in the calendar. */
#define SIM_CAL_BITS 15
#define SIM_CAL_SLOTS (1u << SIM_CAL_BITS)

struct sim_cal_node {
	struct sim_ev ev;
	uint32_t next; /* pool index + 1 of the next event of the slot, 0 at the end */
};

/* A slot's list: pool index + 1 of its first and last events, 0 when empty.
 * The tail makes the usual insertion (after everything already there, as
 * insertion order is the tie order) touch one event instead of walking. */
struct sim_cal_slot {
	uint32_t head, tail;
};

struct sim_heap {
	/* beyond the calendar (or, for callers that schedule into the past,
	 * before it): a 4-ary heap */
	struct sim_ev *items;
	size_t len, cap;
	uint64_t next_seq;
	/* the calendar: events at base .. base + SIM_CAL_SLOTS - 1, slot at_ms
	 * modulo SIM_CAL_SLOTS; base is the time of the last event taken */
	int64_t base;
	struct sim_cal_slot *slots;
	uint64_t *slot_bits;     /* one bit per non-empty slot, then one per non-zero word of those */
	struct sim_cal_node *pool;
	size_t pool_len, pool_cap;
	uint32_t pool_free;      /* free list: pool index + 1 */
	size_t cal_len;
};

void sim_heap_init(struct sim_heap *h);
void sim_heap_free(struct sim_heap *h);
/* Insert an event at at_ms (>= 0) with tie-breaker `tie` (0 keeps
 * scheduling order; the world passes 32 random bits to permute ties). The
 * insertion counter goes in the low 32 bits of the order, so equal (time,
 * tie) pairs come out first in, first out. Aborts (assert) on allocation
 * failure: losing an event would silently change the run. */
void sim_heap_push(struct sim_heap *h, int64_t at_ms, uint32_t tie, uint32_t type, uint32_t a, uint32_t b);
/* Remove the first event into *out. Returns false when the queue is empty. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *out);
/* The same, only if the first event is due at or before limit_ms (one
 * search instead of a peek and a pop). */
bool sim_heap_pop_until(struct sim_heap *h, int64_t limit_ms, struct sim_ev *out);
/* The first event without removing it, or NULL. Valid until the next push
 * or pop. */
const struct sim_ev *sim_heap_peek(const struct sim_heap *h);
static inline size_t sim_heap_len(const struct sim_heap *h) { return h->len + h->cal_len; }

#endif
