/*
 * rng.c - xoshiro256** (Blackman and Vigna) seeded through splitmix64.
 *
 * Chosen because it is small, fast (the simulator draws several numbers per
 * event), has a published reference output, and splitmix64 seeding makes
 * every 64-bit seed a good starting state.
 */
#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rc_rng_seed(struct rc_rng *rng, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

void rc_rng_split(struct rc_rng *rng, uint64_t seed, uint64_t stream)
{
	/* Mix the stream number through splitmix before combining, so streams
	 * n and n+1 of one seed do not start from neighbouring states. */
	uint64_t x = stream;
	rc_rng_seed(rng, seed ^ splitmix64(&x));
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rc_rng_next(struct rc_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rc_rng_below(struct rc_rng *rng, uint64_t bound)
{
	if (bound == 0)
		return 0;
	/* Reject the top partial bucket so every value is equally likely. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;
	do
		x = rc_rng_next(rng);
	while (x >= limit);
	return x % bound;
}

double rc_rng_unit(struct rc_rng *rng)
{
	return (double)(rc_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}
