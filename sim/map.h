/*
 * map.h - an open-addressing map from 64-bit keys to 32-bit indexes.
 *
 * The simulator finds runner shadows by ID (the 12 hex digits of a runner ID
 * are a 48-bit number), tasks and sandboxes by id, in O(1) and without an
 * allocation per lookup. Iteration is never done over the map itself, so the
 * run never depends on its layout.
 */
#ifndef SIM_MAP_H
#define SIM_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAP_NONE UINT32_MAX

struct sim_map_slot {
	uint64_t key;
	uint32_t value; /* SIM_MAP_NONE: empty slot */
};

struct sim_map {
	struct sim_map_slot *slots;
	size_t cap; /* power of two */
	size_t len;
};

void sim_map_init(struct sim_map *m);
void sim_map_free(struct sim_map *m);
/* The value of key, or SIM_MAP_NONE. */
uint32_t sim_map_get(const struct sim_map *m, uint64_t key);
/* Set key -> value (value != SIM_MAP_NONE). Asserts on allocation failure. */
void sim_map_put(struct sim_map *m, uint64_t key, uint32_t value);
/* Remove key; returns whether it was there. */
bool sim_map_del(struct sim_map *m, uint64_t key);

#endif
