/*
 * xp_buf.h - a growable text buffer for the explore tools.
 *
 * Scenario texts, trace headers and SVG pictures are built piece by piece;
 * this is the one place that grows a NUL-terminated string for them.
 * Allocation failure aborts (these are command-line tools and tests, not the
 * core, and a half-built scenario is of no use to anyone).
 */
#ifndef XP_BUF_H
#define XP_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct xp_buf {
	char *data; /* NUL-terminated once anything was added; NULL when empty */
	size_t len, cap;
};

/* Append formatted text. */
void xp_buf_printf(struct xp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append n bytes of s. */
void xp_buf_add(struct xp_buf *b, const char *s, size_t n);
/* For a writer that knows a bound of what it adds, not its length: room
 * for n more bytes at the end of the text, where it writes; xp_buf_grew
 * then counts the k <= n bytes it wrote. */
char *xp_buf_room(struct xp_buf *b, size_t n);
void xp_buf_grew(struct xp_buf *b, size_t k);
/* The text so far ("" when empty); valid until the next append. */
const char *xp_buf_str(const struct xp_buf *b);
/* Hand the text to the caller (free() it; never NULL) and empty b. */
char *xp_buf_take(struct xp_buf *b);
void xp_buf_free(struct xp_buf *b);

/* vsnprintf and snprintf, with their result and return value, for text
 * printed per explored seed: %s, %d, %u (also with l, ll; %zu) and %% are
 * written here, and the first other directive (a width, a precision, a
 * float, ...) hands the rest of the format to vsnprintf. */
int xp_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int xp_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* malloc that aborts on failure, and strdup/strndup on top of it. */
void *xp_alloc(size_t n);
void *xp_realloc(void *p, size_t n);
char *xp_strdup(const char *s);
char *xp_strndup(const char *s, size_t n);

#endif
