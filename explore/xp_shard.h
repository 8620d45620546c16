/*
 * xp_shard.h - splitting a seed range over machines and over local workers.
 *
 * `--shard K/N` gives machine K of N one contiguous block of the range, so a
 * CI matrix or GNU parallel covers the range exactly once, whatever N is:
 * the blocks are disjoint, their union is the range, and their sizes differ
 * by at most one. Local workers (`--jobs`) then take every J-th seed of the
 * block, so the first failure is found as early with J workers as with one.
 */
#ifndef XP_SHARD_H
#define XP_SHARD_H

#include <stdbool.h>
#include <stdint.h>

/* "K/N" with 1 <= K <= N <= 1000000. Returns 0, or -1 when malformed. */
int xp_shard_parse(const char *text, uint64_t *k, uint64_t *n);

/* Block of shard k (1-based) of n over [first, last]: sets *a, *b and
 * returns true, or returns false when the block is empty (more shards than
 * seeds). */
bool xp_shard_block(uint64_t first, uint64_t last, uint64_t k, uint64_t n, uint64_t *a, uint64_t *b);

#endif
