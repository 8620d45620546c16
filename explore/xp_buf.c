/*
 * xp_buf.c - the growable text buffer and the aborting allocators.
 */
#include "xp_buf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
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

char *xp_buf_room(struct xp_buf *b, size_t n)
{
	reserve(b, n);
	return b->data + b->len;
}

void xp_buf_grew(struct xp_buf *b, size_t k)
{
	b->len += k;
	b->data[b->len] = '\0';
}

void xp_buf_printf(struct xp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = xp_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need <= 0)
		return;
	reserve(b, (size_t)need);
	va_start(ap, fmt);
	xp_vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)need;
}

/* --- formatting ------------------------------------------------------------------ */

/* What xp_vsnprintf has written: as with snprintf, text beyond n - 1 bytes
 * is counted in len but not stored. */
struct out {
	char *buf;
	size_t n, len;
};

/* Byte by byte: the pieces are a few bytes long, too short to pay for
 * calls to strchr, strlen and memcpy. */
static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

/* Copies s up to its end or to stop; returns where it stopped. */
static const char *put_until(struct out *o, const char *s, char stop)
{
	for (; *s && *s != stop; s++)
		put_char(o, *s);
	return s;
}

static void put_unsigned(struct out *o, unsigned long long v)
{
	char digits[20];
	size_t at = sizeof digits;
	do {
		digits[--at] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (at < sizeof digits)
		put_char(o, digits[at++]);
}

static void put_signed(struct out *o, long long v)
{
	if (v < 0) {
		put_char(o, '-');
		put_unsigned(o, 0ULL - (unsigned long long)v);
	} else {
		put_unsigned(o, (unsigned long long)v);
	}
}

/* The rest of the format from directive pct on, by vsnprintf. */
static int rest_by_libc(struct out *o, const char *pct, va_list ap)
{
	bool room = o->len + 1 < o->n;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room ? o->n - o->len : 0, pct, ap);
	if (n < 0)
		return -1;
	o->len += (size_t)n;
	return 0;
}

/* glibc's printf machinery costs hundreds of instructions a call, and every
 * statement of every explored seed is printed: the directives that text
 * uses are written here. */
int xp_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	int rc = 0;
	const char *pct = fmt;
	while (*(pct = put_until(&o, pct, '%'))) {
		const char *d = pct + 1;
		int longs = 0;
		bool size = *d == 'z';
		if (size)
			d++;
		while (*d == 'l' && longs < 2 && !size) {
			longs++;
			d++;
		}
		if (*d == 's' && !longs && !size) {
			const char *str = va_arg(ap, const char *);
			put_until(&o, str ? str : "(null)", '\0');
		} else if (*d == 'd' && !size) {
			put_signed(&o, longs == 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int));
		} else if (*d == 'u') {
			put_unsigned(&o, size ? va_arg(ap, size_t) : longs == 2 ? va_arg(ap, unsigned long long)
							    : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned));
		} else if (*d == '%' && d == pct + 1) {
			put_char(&o, '%');
		} else {
			rc = rest_by_libc(&o, pct, ap);
			break;
		}
		pct = d + 1;
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return rc == 0 && o.len <= INT_MAX ? (int)o.len : -1;
}

int xp_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = xp_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
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
