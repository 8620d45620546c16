/*
 * heap.c - the event queue: a calendar of 1-ms slots, a 4-ary heap beyond
 * (see heap.h).
 */
#include "heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_MASK (SIM_CAL_SLOTS - 1)
#define BIT_WORDS (SIM_CAL_SLOTS / 64)     /* one bit per slot */
#define SUMMARY_WORDS (BIT_WORDS / 64)     /* one bit per non-zero bit word */

void sim_heap_init(struct sim_heap *h)
{
	memset(h, 0, sizeof *h);
	h->next_seq = 1;
}

void sim_heap_free(struct sim_heap *h)
{
	free(h->items);
	free(h->slots);
	free(h->slot_bits);
	free(h->pool);
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

/* items grown to twice *cap elements (256 at first). Asserts on failure:
 * losing an event would silently change the run. */
static void *grow_doubling(void *items, size_t *cap, size_t elem_size)
{
	size_t n = *cap ? *cap * 2 : 256;
	void *grown = realloc(items, n * elem_size);
	assert(grown && "event queue growth failed");
	*cap = n;
	return grown;
}

/* ------------------------------------------------------- the far heap */

static void far_push(struct sim_heap *h, const struct sim_ev *ev)
{
	if (h->len == h->cap)
		h->items = grow_doubling(h->items, &h->cap, sizeof *h->items);
	/* Sift up: move parents down until ev's place is found. */
	size_t i = h->len++;
	while (i > 0) {
		size_t parent = (i - 1) / 4;
		if (!before(ev, &h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = *ev;
}

/* Pop in the bottom-up manner: the hole left at the root sinks along the
 * smaller children all the way to a leaf (one comparison per child, none
 * against the moved element), then the last element rises from there. It
 * belongs near the bottom almost always, so this does fewer comparisons than
 * sifting it down from the root. */
static void far_pop(struct sim_heap *h, struct sim_ev *out)
{
	assert(h->len > 0);
	*out = h->items[0];
	struct sim_ev last = h->items[--h->len];
	size_t n = h->len, hole = 0;
	if (n == 0)
		return;
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
}

/* -------------------------------------------------------- the calendar */

static bool in_calendar_range(const struct sim_heap *h, int64_t at_ms)
{
	return at_ms >= h->base && at_ms - h->base < (int64_t)SIM_CAL_SLOTS;
}

static uint32_t node_alloc(struct sim_heap *h)
{
	if (h->pool_free) {
		uint32_t i = h->pool_free - 1;
		h->pool_free = h->pool[i].next;
		return i;
	}
	if (h->pool_len == h->pool_cap) {
		assert(h->pool_cap < UINT32_MAX / 2 && "event calendar full");
		h->pool = grow_doubling(h->pool, &h->pool_cap, sizeof *h->pool);
	}
	return (uint32_t)h->pool_len++;
}

/* Insert ev into its slot, keeping the slot's (tie, seq) order: every event
 * of one slot has the same time (the calendar spans exactly its slots). */
static void cal_insert(struct sim_heap *h, const struct sim_ev *ev)
{
	if (!h->slots) {
		/* Only the bitmap is zeroed: a slot whose bit is clear is empty
		 * whatever it holds, and is cleared below before its first use.
		 * Zeroing 256 KiB was 2.7% of an explored seed's instructions (its 5 runners
		 * touch a few hundred slots), if no measurable share of its time. */
		h->slots = malloc(SIM_CAL_SLOTS * sizeof *h->slots);
		h->slot_bits = calloc(BIT_WORDS + SUMMARY_WORDS, sizeof *h->slot_bits);
		assert(h->slots && h->slot_bits && "event calendar allocation failed");
	}
	uint32_t n = node_alloc(h);
	h->pool[n].ev = *ev;
	uint32_t slot = (uint32_t)ev->at_ms & SLOT_MASK;
	struct sim_cal_slot *s = &h->slots[slot];
	if (!(h->slot_bits[slot / 64] & 1ULL << (slot % 64)))
		*s = (struct sim_cal_slot){ 0, 0 };
	uint32_t *link = &s->head;
	if (s->tail && h->pool[s->tail - 1].ev.order < ev->order)
		link = &h->pool[s->tail - 1].next; /* after the last: the usual case */
	else
		while (*link && h->pool[*link - 1].ev.order < ev->order)
			link = &h->pool[*link - 1].next;
	h->pool[n].next = *link;
	if (!*link)
		s->tail = n + 1;
	*link = n + 1;
	h->slot_bits[slot / 64] |= 1ULL << (slot % 64);
	h->slot_bits[BIT_WORDS + slot / 4096] |= 1ULL << (slot / 64 % 64);
	h->cal_len++;
}

/* The first set bit of words[0 .. n-1] at or after bit `from`; n * 64 if none. */
static inline uint32_t next_set_bit(const uint64_t *words, uint32_t n, uint32_t from)
{
	uint32_t w = from / 64;
	if (w >= n)
		return n * 64;
	uint64_t bits = words[w] & (~0ULL << (from % 64));
	while (!bits) {
		if (++w == n)
			return n * 64;
		bits = words[w];
	}
	return w * 64 + (uint32_t)__builtin_ctzll(bits);
}

/* The first non-empty slot at or after base's, in time order (wrapping).
 * A summary bit per bit word finds the next non-empty word in a few steps
 * even when the calendar is nearly empty (a small world, seconds between
 * events), instead of walking 512 words. */
static uint32_t cal_first_slot(const struct sim_heap *h)
{
	const uint64_t *summary = h->slot_bits + BIT_WORDS;
	uint32_t start = (uint32_t)h->base & SLOT_MASK;
	uint64_t here = h->slot_bits[start / 64] & (~0ULL << (start % 64));
	if (here) /* the common case in a busy run: the next event is close */
		return start / 64 * 64 + (uint32_t)__builtin_ctzll(here);
	uint32_t word = next_set_bit(summary, SUMMARY_WORDS, start / 64 + 1);
	if (word == BIT_WORDS) /* wrap: slots before base's are the latest */
		word = next_set_bit(summary, SUMMARY_WORDS, 0);
	assert(word < BIT_WORDS && "calendar count says non-empty but no slot is");
	return word * 64 + (uint32_t)__builtin_ctzll(h->slot_bits[word]);
}

static const struct sim_ev *cal_first(const struct sim_heap *h, uint32_t *slot)
{
	if (h->cal_len == 0)
		return NULL;
	*slot = cal_first_slot(h);
	return &h->pool[h->slots[*slot].head - 1].ev;
}

static void cal_remove_first(struct sim_heap *h, uint32_t slot, struct sim_ev *out)
{
	struct sim_cal_slot *s = &h->slots[slot];
	uint32_t n = s->head - 1;
	*out = h->pool[n].ev;
	s->head = h->pool[n].next;
	if (!s->head) {
		s->tail = 0;
		h->slot_bits[slot / 64] &= ~(1ULL << (slot % 64));
		if (!h->slot_bits[slot / 64])
			h->slot_bits[BIT_WORDS + slot / 4096] &= ~(1ULL << (slot / 64 % 64));
	}
	h->pool[n].next = h->pool_free;
	h->pool_free = n + 1;
	h->cal_len--;
}

/* Time moved on to base: far events now within the calendar's span move in. */
static void cal_advance(struct sim_heap *h, int64_t base)
{
	if (base <= h->base)
		return;
	h->base = base;
	while (h->len > 0 && in_calendar_range(h, h->items[0].at_ms)) {
		struct sim_ev ev;
		far_pop(h, &ev);
		cal_insert(h, &ev);
	}
}

/* ---------------------------------------------------------------- API */

void sim_heap_push(struct sim_heap *h, int64_t at_ms, uint32_t tie, uint32_t type, uint32_t a, uint32_t b)
{
	assert(type < 16 && a <= SIM_EV_A_MAX && at_ms >= 0);
	struct sim_ev ev = { .at_ms = at_ms, .order = (uint64_t)tie << 32 | (uint32_t)h->next_seq++,
			     .type_a = type << SIM_EV_A_BITS | a, .b = b };
	if (in_calendar_range(h, at_ms))
		cal_insert(h, &ev);
	else
		far_push(h, &ev);
}

/* The first event of the queue (NULL when empty); *far_first says whether it
 * is the heap's, else it is the head of calendar slot *slot. */
static const struct sim_ev *queue_first(const struct sim_heap *h, uint32_t *slot, bool *far_first)
{
	const struct sim_ev *near = cal_first(h, slot);
	*far_first = h->len && (!near || before(&h->items[0], near));
	return *far_first ? &h->items[0] : near;
}

const struct sim_ev *sim_heap_peek(const struct sim_heap *h)
{
	uint32_t slot;
	bool far_first;
	return queue_first(h, &slot, &far_first);
}

bool sim_heap_pop_until(struct sim_heap *h, int64_t limit_ms, struct sim_ev *out)
{
	uint32_t slot;
	bool far_first;
	const struct sim_ev *first = queue_first(h, &slot, &far_first);
	if (!first || first->at_ms > limit_ms)
		return false;
	if (far_first)
		far_pop(h, out);
	else
		cal_remove_first(h, slot, out);
	cal_advance(h, out->at_ms);
	return true;
}

bool sim_heap_pop(struct sim_heap *h, struct sim_ev *out)
{
	return sim_heap_pop_until(h, INT64_MAX, out);
}
