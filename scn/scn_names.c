/*
 * scn_names.c - the names a scenario defines, found in one probe.
 *
 * The parser looks a name up for nearly every name word of a timeline, and an
 * explored scenario defines hundreds of tasks and sandboxes: scanning the
 * tables with strcmp was a fifth of parsing it, and exploration parses one
 * scenario per seed. Names are unique across kinds (pass 1 defines a name
 * only once, whatever its kind), so a map from name to kind and index gives
 * exactly what the ordered scan of nodes, tasks and sandboxes gave.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* Whether a[0..len) and b[0..len) are the same. A loop rather than a memcmp
 * call: names are a few characters long and nearly every probe is a hit. */
static bool same_text(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* The slot holding name[0..len), or the empty slot where it would go. */
static struct scn_name_slot *slot_of(const struct scn_names *m, const char *name, size_t len)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)name_hash(name, len) & mask;; i = (i + 1) & mask) {
		const struct scn_name_slot *s = &m->slots[i];
		if (!s->name || (s->len == len && same_text(s->name, name, len)))
			return &m->slots[i];
	}
}

static void grow(struct scn_names *m)
{
	struct scn_names bigger = { .cap = m->cap ? 2 * m->cap : 64, .len = m->len };
	bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
	if (!bigger.slots)
		abort();
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].name)
			*slot_of(&bigger, m->slots[i].name, m->slots[i].len) = m->slots[i];
	free(m->slots);
	*m = bigger;
}

void scn_names_add(struct scn_names *m, const char *name, enum scn_name_kind kind, int index)
{
	if (2 * (m->len + 1) > m->cap) /* at most half full: probes stay short */
		grow(m);
	size_t len = strlen(name);
	struct scn_name_slot *slot = slot_of(m, name, len);
	assert(!slot->name && "pass 1 defines a name once");
	*slot = (struct scn_name_slot){ name, len, kind, index };
	m->len++;
}

int scn_names_find(const struct scn_names *m, const char *name, size_t len, int *index)
{
	if (!m->cap)
		return -1;
	const struct scn_name_slot *slot = slot_of(m, name, len);
	if (!slot->name)
		return -1;
	*index = slot->index;
	return (int)slot->kind;
}

void scn_names_free(struct scn_names *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}
