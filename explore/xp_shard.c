/*
 * xp_shard.c - contiguous shards of a seed range.
 */
#include "xp_shard.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int xp_shard_parse(const char *text, uint64_t *k, uint64_t *n)
{
	char *end;
	if (!text || !isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	unsigned long long a = strtoull(text, &end, 10);
	if (errno || *end != '/' || !isdigit((unsigned char)end[1]))
		return -1;
	unsigned long long b = strtoull(end + 1, &end, 10);
	if (errno || *end || a < 1 || b < 1 || a > b || b > 1000000)
		return -1;
	*k = a;
	*n = b;
	return 0;
}

/* floor(len * i / n) without overflow for len up to 2^64 and n < 2^32. */
static uint64_t cut(uint64_t len, uint64_t i, uint64_t n)
{
	uint64_t q = len / n, r = len % n;
	return q * i + (r * i) / n;
}

bool xp_shard_block(uint64_t first, uint64_t last, uint64_t k, uint64_t n, uint64_t *a, uint64_t *b)
{
	/* len = last - first + 1 may wrap to 0 for the full 64-bit range: then
	 * split 2^64 as (2^64 - 1) + 1, close enough for any real use */
	uint64_t len = last - first + 1;
	if (len == 0)
		len = UINT64_MAX;
	uint64_t lo = cut(len, k - 1, n), hi = cut(len, k, n);
	if (hi == lo)
		return false;
	*a = first + lo;
	*b = first + hi - 1;
	return true;
}
