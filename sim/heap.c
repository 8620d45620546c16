/*
 * heap.c - 4-ary min-heap ordered by (at_ms, tie, seq); see heap.h.
 */
#include "heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void sim_heap_init(struct sim_heap *h)
{
	memset(h, 0, sizeof *h);
	h->next_seq = 1;
}

void sim_heap_free(struct sim_heap *h)
{
	free(h->items);
	sim_heap_init(h);
}

/* (at_ms, order) as one 128-bit number, so ordering two events is a single
 * comparison instead of two dependent branches. Virtual time is never
 * negative, so at_ms as unsigned keeps its order. */
static inline unsigned __int128 key_of(const struct sim_ev *ev)
{
	return (unsigned __int128)(uint64_t)ev->at_ms << 64 | ev->order;
}

static inline bool before(const struct sim_ev *x, const struct sim_ev *y)
{
	return key_of(x) < key_of(y);
}

void sim_heap_push(struct sim_heap *h, int64_t at_ms, uint32_t tie, uint32_t type, uint32_t a, uint32_t b)
{
	assert(type < 16 && a <= SIM_EV_A_MAX && at_ms >= 0);
	struct sim_ev ev = { .at_ms = at_ms, .order = (uint64_t)tie << 32 | (uint32_t)h->next_seq++,
			     .type_a = type << SIM_EV_A_BITS | a, .b = b };
	if (h->len == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct sim_ev *items = realloc(h->items, cap * sizeof *items);
		assert(items && "event heap growth failed");
		h->items = items;
		h->cap = cap;
	}
	/* Sift up: move parents down until ev's place is found. */
	size_t i = h->len++;
	while (i > 0) {
		size_t parent = (i - 1) / 4;
		if (!before(&ev, &h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = ev;
}

const struct sim_ev *sim_heap_peek(const struct sim_heap *h)
{
	return h->len ? &h->items[0] : NULL;
}

/* Pop in the bottom-up manner: the hole left at the root sinks along the
 * smaller children all the way to a leaf (one comparison per child, none
 * against the moved element), then the last element rises from there. It
 * belongs near the bottom almost always, so this does fewer comparisons than
 * sifting it down from the root. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *out)
{
	if (h->len == 0)
		return false;
	*out = h->items[0];
	struct sim_ev last = h->items[--h->len];
	size_t n = h->len, hole = 0;
	if (n == 0)
		return true;
	for (;;) {
		size_t first = 4 * hole + 1;
		if (first >= n)
			break;
		size_t best = first;
		size_t end = first + 4 < n ? first + 4 : n;
		for (size_t c = first + 1; c < end; c++)
			if (before(&h->items[c], &h->items[best]))
				best = c;
		h->items[hole] = h->items[best];
		hole = best;
	}
	while (hole > 0) {
		size_t parent = (hole - 1) / 4;
		if (!before(&last, &h->items[parent]))
			break;
		h->items[hole] = h->items[parent];
		hole = parent;
	}
	h->items[hole] = last;
	return true;
}
