/*
 * strpool.h - many small strings that live and die together, kept in a few
 * blocks.
 *
 * A parsed scenario holds hundreds of names and words, a simulated world as
 * many (task names, payloads, the words of scripted actions), and an
 * explored seed's script hundreds of statements; all of them are released
 * at once, with the scenario, the world or the script. Copying each into
 * its own allocation cost a malloc and a free apiece, hundreds per explored
 * seed. A pool copies them end to end into blocks of a few KiB instead, and
 * frees the blocks. A string never moves once kept; there is no freeing one
 * string on its own.
 *
 * An empty pool is all zeroes. Allocation failure aborts: the callers have
 * no partial state worth saving.
 */
#ifndef SIM_STRPOOL_H
#define SIM_STRPOOL_H

#include <stddef.h>

struct sim_strchunk; /* strpool.c */

struct sim_strpool {
	struct sim_strchunk *newest;
};

/* Room for size bytes, for the caller to fill. */
char *sim_strpool_reserve(struct sim_strpool *p, size_t size);
/* A copy of text[0 .. n) with a NUL after it. */
char *sim_strpool_keep(struct sim_strpool *p, const char *text, size_t n);
/* A copy of the string s (NULL gives NULL). */
char *sim_strpool_dup(struct sim_strpool *p, const char *s);
/* The bytes of the chunks in use: every string kept (its NUL included)
 * lies in them, so they bound the strings' length together. */
size_t sim_strpool_bytes(const struct sim_strpool *p);
/* Release every string kept; p is empty again. */
void sim_strpool_free(struct sim_strpool *p);

#endif
