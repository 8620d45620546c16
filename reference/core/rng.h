/*
 * rng.h - the one source of randomness: xoshiro256** seeded by splitmix64.
 *
 * Every random choice in a run (jitter, latency, faults, tie order) comes from
 * a seeded generator so that one seed reproduces one run. rc_rng_split()
 * derives an independent stream from a parent seed and a stream number, so
 * each node and each fault source draws from its own stream and adding a
 * runner does not shift the coordinator's draws.
 */
#ifndef RC_RNG_H
#define RC_RNG_H

#include <stdint.h>

struct rc_rng {
	uint64_t s[4];
};

void rc_rng_seed(struct rc_rng *rng, uint64_t seed);
/* Stream `stream` of `seed`: independent of every other stream number. */
void rc_rng_split(struct rc_rng *rng, uint64_t seed, uint64_t stream);
uint64_t rc_rng_next(struct rc_rng *rng);
/* Uniform in [0, bound); bound 0 returns 0. Unbiased (rejection). */
uint64_t rc_rng_below(struct rc_rng *rng, uint64_t bound);
/* Uniform in [0, 1). */
double rc_rng_unit(struct rc_rng *rng);

#endif
