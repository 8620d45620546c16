/*
 * util.h - small helpers the report layer shares: allocation, growable
 * strings, reading a whole file, trimming.
 *
 * The report layer is a command-line tool's back end: running out of memory
 * while formatting a report is not something it can recover from, so the
 * rpt_x* allocators print a message and exit(2) instead of returning NULL.
 * Everything else returns error codes.
 */
#ifndef RPT_UTIL_H
#define RPT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* malloc/realloc/strdup/strndup that never return NULL (exit 2 on OOM).
 * The caller owns and frees the result. rpt_xstrdup(NULL) returns NULL. */
void *rpt_xmalloc(size_t n);
void *rpt_xcalloc(size_t n, size_t size);
void *rpt_xrealloc(void *p, size_t n);
char *rpt_xstrdup(const char *s);
char *rpt_xstrndup(const char *s, size_t n);

/* Grow *array (of *cap elements of `size` bytes) so it holds at least
 * `need` elements; doubles. */
void rpt_grow(void *array_ptr, size_t *cap, size_t need, size_t size);

/* A growable NUL-terminated string. Zero-initialise, append, take .s
 * (owned by the buffer; rpt_buf_free or take it over and free it). */
struct rpt_buf {
	char *s;
	size_t len, cap;
};
void rpt_buf_add(struct rpt_buf *b, const char *s, size_t n);
void rpt_buf_adds(struct rpt_buf *b, const char *s);
void rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rpt_buf_free(struct rpt_buf *b);

/* Read a whole file into a NUL-terminated string the caller frees. Returns
 * NULL with "PATH: reason" in err if it cannot be read (missing, a folder,
 * holds NUL bytes). rc_file_read() with RC_FILE_TEXT, no size cap. */
char *rpt_read_file(const char *path, char *err, size_t err_len);

/* A copy of s[0..n) without leading and trailing white space (caller frees). */
char *rpt_trimmed_copy(const char *s, size_t n);

/* The file name of path without directories and without `suffix` if it ends
 * with it (caller frees). */
char *rpt_basename_without(const char *path, const char *suffix);

/* Milliseconds as "950ms", "12s", "2m30s", "1h0m5s" into buf; "-" if < 0.
 * Returns buf. */
const char *rpt_format_ms(long long ms, char *buf, size_t len);

/* Parse a duration ("1500ms", "12.5s", "2m30s", "1h", a bare number = ms)
 * into *ms. Returns 0, or -1 if malformed. */
int rpt_parse_ms(const char *text, long long *ms);

/* A link from directory from_dir to the existing file `to`: relative
 * ("coverage/index.html", "../build/x.xml") when both resolve, else `to` as
 * given; either way percent-encoded as a URL path ("a%20b.svg", never a
 * scheme). Caller frees. */
char *rpt_relative_link(const char *from_dir, const char *to);

/* The directory part of path ("." if none). Caller frees. */
char *rpt_dirname(const char *path);

#endif
