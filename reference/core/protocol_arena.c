/*
 * protocol_arena.c - the caller-owned arena behind decoded strings.
 *
 * Decoding copies every string out of the jansson tree so the tree can be
 * freed at once and msg/reply fields stay valid until the caller is done with
 * them; one rc_proto_arena_free() releases them all. Blocks are remembered in
 * an array grown by doubling.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol_internal.h"

void rc_proto_arena_init(struct rc_proto_arena *a)
{
	memset(a, 0, sizeof *a);
}

void rc_proto_arena_free(struct rc_proto_arena *a)
{
	for (size_t i = 0; i < a->len; i++)
		free(a->strings[i]);
	free(a->strings);
	rc_proto_arena_init(a);
}

void *rc_proto_arena_adopt(struct rc_proto_arena *a, void *p)
{
	if (!p)
		return NULL;
	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **grown = realloc(a->strings, cap * sizeof *grown);
		if (!grown) {
			free(p);
			return NULL;
		}
		a->strings = grown;
		a->cap = cap;
	}
	a->strings[a->len++] = p;
	return p;
}

void *rc_proto_arena_calloc(struct rc_proto_arena *a, size_t size)
{
	return rc_proto_arena_adopt(a, calloc(1, size ? size : 1));
}

char *rc_proto_arena_strndup(struct rc_proto_arena *a, const char *s, size_t len)
{
	char *copy = rc_proto_arena_adopt(a, malloc(len + 1));
	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}
