/*
 * map.c - linear-probing hash map, u64 -> u32, backward-shift deletion.
 */
#include "map.h"

#include <assert.h>
#include <stdlib.h>

static inline size_t slot_of(const struct sim_map *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h ^ (h >> 29)) & (m->cap - 1);
}

void sim_map_init(struct sim_map *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->len = 0;
}

void sim_map_free(struct sim_map *m)
{
	free(m->slots);
	sim_map_init(m);
}

uint32_t sim_map_get(const struct sim_map *m, uint64_t key)
{
	if (m->cap == 0)
		return SIM_MAP_NONE;
	for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].value == SIM_MAP_NONE)
			return SIM_MAP_NONE;
		if (m->slots[i].key == key)
			return m->slots[i].value;
	}
}

static void grow(struct sim_map *m)
{
	struct sim_map_slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap = old_cap ? old_cap * 2 : 64;
	m->slots = malloc(m->cap * sizeof *m->slots);
	assert(m->slots && "map growth failed");
	for (size_t i = 0; i < m->cap; i++)
		m->slots[i].value = SIM_MAP_NONE;
	m->len = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].value != SIM_MAP_NONE)
			sim_map_put(m, old[i].key, old[i].value);
	free(old);
}

void sim_map_put(struct sim_map *m, uint64_t key, uint32_t value)
{
	assert(value != SIM_MAP_NONE);
	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	size_t i = slot_of(m, key);
	while (m->slots[i].value != SIM_MAP_NONE && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (m->slots[i].value == SIM_MAP_NONE)
		m->len++;
	m->slots[i].key = key;
	m->slots[i].value = value;
}

bool sim_map_del(struct sim_map *m, uint64_t key)
{
	if (m->cap == 0)
		return false;
	size_t mask = m->cap - 1;
	size_t i = slot_of(m, key);
	while (m->slots[i].value != SIM_MAP_NONE && m->slots[i].key != key)
		i = (i + 1) & mask;
	if (m->slots[i].value == SIM_MAP_NONE)
		return false;
	/* Shift later members of the probe run back so lookups never stop early. */
	size_t hole = i;
	for (size_t j = (i + 1) & mask; m->slots[j].value != SIM_MAP_NONE; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->slots[j].key);
		bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	m->slots[hole].value = SIM_MAP_NONE;
	m->len--;
	return true;
}
