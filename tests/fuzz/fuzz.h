/*
 * fuzz.h - what the C fuzzers share: a seeded xorshift64 for their choices
 * (a seed replays the same mutations; not the simulator's PRNG on purpose:
 * the fuzzers pick inputs, they take no part in a run) and the byte-level
 * mutations of a buffer.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fuzz_rng_state = 0x9e3779b97f4a7c15ULL;

static inline void fuzz_seed(uint64_t seed)
{
	fuzz_rng_state ^= seed * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t fuzz_next(void)
{
	fuzz_rng_state ^= fuzz_rng_state << 13;
	fuzz_rng_state ^= fuzz_rng_state >> 7;
	fuzz_rng_state ^= fuzz_rng_state << 17;
	return fuzz_rng_state;
}

/* The command line every fuzzer takes: ITERATIONS SEED, both whole
 * numbers. Seeds the PRNG and returns the iteration count, or -1 after a
 * usage message naming the bad argument (the caller exits 2). */
static inline long fuzz_start(int argc, char **argv, const char *name)
{
	if (argc == 3) {
		char *end1, *end2;
		errno = 0;
		long iterations = strtol(argv[1], &end1, 10);
		unsigned long long seed = strtoull(argv[2], &end2, 10);
		if (!errno && end1 != argv[1] && !*end1 && iterations >= 0 && end2 != argv[2] && !*end2) {
			fuzz_seed(seed);
			return iterations;
		}
		fprintf(stderr, "%s: ITERATIONS and SEED must be whole numbers (got '%s' '%s')\n", name, argv[1],
			argv[2]);
	}
	fprintf(stderr, "usage: %s ITERATIONS SEED\n", name);
	return -1;
}

/* 0 .. n-1 (0 when n is 0). */
static inline size_t below(size_t n)
{
	return n ? (size_t)(fuzz_next() % n) : 0;
}

#define PICK(array) (array[below(sizeof array / sizeof array[0])])

/* One of: a byte changed, the buffer cut short, or `what` inserted at a
 * random place (when it fits in cap). *n is the buffer's length. */
static inline void fuzz_mutate_bytes(char *buf, size_t *n, size_t cap, const char *what, size_t what_len)
{
	switch (below(3)) {
	case 0:
		if (*n)
			buf[below(*n)] = (char)below(256);
		break;
	case 1:
		*n = below(*n + 1);
		break;
	default:
		if (*n + what_len < cap) {
			size_t at = below(*n + 1);
			memmove(buf + at + what_len, buf + at, *n - at);
			memcpy(buf + at, what, what_len);
			*n += what_len;
		}
		break;
	}
}

#endif
