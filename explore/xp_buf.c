/*
 * xp_buf.c - the growable text buffer and the aborting allocators.
 */
#include "xp_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xp_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xp_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		abort();
	return q;
}

char *xp_strndup(const char *s, size_t n)
{
	char *d = xp_alloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xp_strdup(const char *s)
{
	return xp_strndup(s, strlen(s));
}

static void reserve(struct xp_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xp_realloc(b->data, cap);
	b->cap = cap;
}

void xp_buf_add(struct xp_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void xp_buf_cat(struct xp_buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		xp_buf_add(b, s, strlen(s));
	va_end(ap);
}

void xp_buf_printf(struct xp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need <= 0)
		return;
	reserve(b, (size_t)need);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)need;
}

const char *xp_buf_str(const struct xp_buf *b)
{
	return b->data ? b->data : "";
}

char *xp_buf_take(struct xp_buf *b)
{
	char *s = b->data ? b->data : xp_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void xp_buf_free(struct xp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
