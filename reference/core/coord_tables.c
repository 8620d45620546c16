/*
 * coord_tables.c - the small containers the coordinator is built from.
 *
 * One doubling rule, one sorted-by-id table (tasks, sandboxes) and one ordered
 * id list (running tasks, sandboxes tied to tasks), so registry.c, tasks.c and
 * sandboxes.c do not each grow and search their own arrays.
 */
#include "coord_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int rc_coord_grow(void **items, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return 0;
	size_t new_cap = *cap ? *cap : 16;
	while (new_cap < need)
		new_cap *= 2;
	return rc_coord_grow_exact(items, cap, new_cap, elem_size);
}

int rc_coord_grow_exact(void **items, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return 0;
	void *grown = realloc(*items, need * elem_size);
	if (!grown)
		return -1;
	*items = grown;
	*cap = need;
	return 0;
}

char *rc_coord_strdup(const char *s)
{
	char *copy;
	return rc_coord_strdup_packed(&s, 1, &copy);
}

char *rc_coord_strdup_packed(const char *const *src, size_t n, char **copies)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(src[i] ? src[i] : "") + 1;
	char *block = malloc(total ? total : 1);
	if (!block)
		return NULL;
	char *p = block;
	for (size_t i = 0; i < n; i++) {
		const char *s = src[i] ? src[i] : "";
		size_t size = strlen(s) + 1;
		memcpy(p, s, size);
		copies[i] = p;
		p += size;
	}
	return block;
}

/* --- sorted-by-id table ----------------------------------------------------- */

static uint64_t id_at(const struct rc_id_table *t, size_t i)
{
	uint64_t id;
	memcpy(&id, (const char *)t->items + i * t->elem_size, sizeof id);
	return id;
}

/* First position whose id is >= id. */
static size_t lower_bound(const struct rc_id_table *t, uint64_t id)
{
	size_t lo = 0, hi = t->len;
	/* Fast paths: ids handed out by the coordinator are 1, 2, 3..., and a
	 * new one (or one restored in order) is the largest. */
	if (id >= 1 && id <= t->len && id_at(t, id - 1) == id)
		return id - 1;
	if (hi == 0 || id > id_at(t, hi - 1))
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (id_at(t, mid) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *rc_id_table_at(const struct rc_id_table *t, size_t i)
{
	return i < t->len ? (char *)t->items + i * t->elem_size : NULL;
}

void *rc_id_table_find(const struct rc_id_table *t, uint64_t id)
{
	size_t pos = lower_bound(t, id);
	return pos < t->len && id_at(t, pos) == id ? rc_id_table_at(t, pos) : NULL;
}

void *rc_id_table_insert(struct rc_id_table *t, uint64_t id)
{
	assert(!rc_id_table_find(t, id));
	if (rc_coord_grow(&t->items, &t->cap, t->len + 1, t->elem_size) != 0)
		return NULL;
	size_t pos = lower_bound(t, id);
	char *slot = (char *)t->items + pos * t->elem_size;
	memmove(slot + t->elem_size, slot, (t->len - pos) * t->elem_size);
	memset(slot, 0, t->elem_size);
	memcpy(slot, &id, sizeof id);
	t->len++;
	return slot;
}

/* --- ordered id list ---------------------------------------------------------- */

int rc_id_list_reserve(struct rc_id_list *l, size_t extra)
{
	void *ids = l->ids;
	if (rc_coord_grow(&ids, &l->cap, l->len + extra, sizeof *l->ids) != 0)
		return -1;
	l->ids = ids;
	return 0;
}

int rc_id_list_push(struct rc_id_list *l, uint64_t id)
{
	if (rc_id_list_reserve(l, 1) != 0)
		return -1;
	l->ids[l->len++] = id;
	return 0;
}

void rc_id_list_remove(struct rc_id_list *l, uint64_t id)
{
	for (size_t i = 0; i < l->len; i++) {
		if (l->ids[i] == id) {
			memmove(&l->ids[i], &l->ids[i + 1], (l->len - i - 1) * sizeof *l->ids);
			l->len--;
			return;
		}
	}
}
