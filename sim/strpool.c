/*
 * strpool.c - a pool of strings released together (see strpool.h).
 */
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

/* Chunks are chained newest first; small strings fill the newest. */
struct sim_strchunk {
	struct sim_strchunk *older;
	size_t used, size;
	char data[];
};

#define CHUNK 4096 /* the size of a chunk of small strings */

static struct sim_strchunk *new_chunk(size_t size, struct sim_strchunk *older)
{
	struct sim_strchunk *c = malloc(sizeof *c + size);
	if (!c)
		abort();
	*c = (struct sim_strchunk){ .older = older, .size = size };
	return c;
}

char *sim_strpool_reserve(struct sim_strpool *p, size_t size)
{
	struct sim_strchunk *c = p->newest;
	if (c && size > CHUNK / 4) {
		/* A big string (a scenario's kept source) gets a chunk of its
		 * own, behind the one small strings are filling, so that chunk's
		 * free room is not abandoned. */
		c->older = new_chunk(size, c->older);
		c->older->used = size;
		return c->older->data;
	}
	if (!c || c->size - c->used < size)
		p->newest = c = new_chunk(size > CHUNK ? size : CHUNK, c);
	char *out = c->data + c->used;
	c->used += size;
	return out;
}

char *sim_strpool_keep(struct sim_strpool *p, const char *text, size_t n)
{
	char *out = sim_strpool_reserve(p, n + 1);
	memcpy(out, text, n);
	out[n] = '\0';
	return out;
}

char *sim_strpool_dup(struct sim_strpool *p, const char *s)
{
	return s ? sim_strpool_keep(p, s, strlen(s)) : NULL;
}

size_t sim_strpool_bytes(const struct sim_strpool *p)
{
	size_t n = 0;
	for (const struct sim_strchunk *c = p->newest; c; c = c->older)
		n += c->used;
	return n;
}

void sim_strpool_free(struct sim_strpool *p)
{
	for (struct sim_strchunk *c = p->newest, *older; c; c = older) {
		older = c->older;
		free(c);
	}
	p->newest = NULL;
}
