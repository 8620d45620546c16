/*
 * util.c - allocation, growable strings, files and durations for the report
 * layer (see util.h for why allocation failure exits).
 */
#include "util.h"

#include "rc_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void out_of_memory(size_t n)
{
	fprintf(stderr, "rollcall: out of memory (%zu bytes)\n", n);
	exit(2);
}

void *rpt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *rpt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *rpt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *rpt_xstrndup(const char *s, size_t n)
{
	char *d = rpt_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *rpt_xstrdup(const char *s)
{
	return s ? rpt_xstrndup(s, strlen(s)) : NULL;
}

void rpt_grow(void *array_ptr, size_t *cap, size_t need, size_t size)
{
	void **array = array_ptr;
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*array = rpt_xrealloc(*array, n * size);
	*cap = n;
}

void rpt_buf_add(struct rpt_buf *b, const char *s, size_t n)
{
	rpt_grow(&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rpt_buf_adds(struct rpt_buf *b, const char *s)
{
	rpt_buf_add(b, s, strlen(s));
}

void rpt_buf_printf(struct rpt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	rpt_grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rpt_buf_free(struct rpt_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *rpt_read_file(const char *path, char *err, size_t err_len)
{
	char *text;
	return rc_file_read(path, 0, RC_FILE_TEXT, &text, NULL, err, err_len) == RC_FILE_OK ? text : NULL;
}

char *rpt_trimmed_copy(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return rpt_xstrndup(s, n);
}

char *rpt_basename_without(const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t n = strlen(base), k = strlen(suffix);
	if (n > k && strcmp(base + n - k, suffix) == 0)
		n -= k;
	return rpt_xstrndup(base, n);
}

const char *rpt_format_ms(long long ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%lldms", ms);
	else if (ms < 60000 && ms % 1000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else if (ms < 60000)
		snprintf(buf, len, "%llds", ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, len, "%lldm%llds", ms / 60000, (ms / 1000) % 60);
	else
		snprintf(buf, len, "%lldh%lldm%llds", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60);
	return buf;
}

/* Milliseconds per unit at s (advancing *used past it), or 0 if none. */
static double unit_ms(const char *s, size_t *used)
{
	static const struct { const char *word; double ms; } units[] = {
		{ "ms", 1.0 }, { "s", 1000.0 }, { "m", 60000.0 }, { "h", 3600000.0 },
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t k = strlen(units[i].word);
		if (strncmp(s, units[i].word, k) == 0 && !isalpha((unsigned char)s[k])) {
			*used = k;
			return units[i].ms;
		}
	}
	return 0.0;
}

int rpt_parse_ms(const char *text, long long *ms)
{
	const char *p = text;
	double total = 0.0;
	int parts = 0;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p) || (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
			return -1; /* strtod would take signs, spaces, hex, "inf" and "nan" */
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno)
			return -1;
		size_t used = 0;
		double unit = unit_ms(end, &used);
		if (unit == 0.0) {
			if (*end || parts)
				return -1;
			unit = 1.0; /* a bare number is milliseconds */
		}
		total += v * unit;
		p = end + used;
		parts++;
	}
	if (!parts || total > 9e15)
		return -1;
	*ms = (long long)(total + 0.5);
	return 0;
}

char *rpt_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return rpt_xstrdup(".");
	if (slash == path)
		return rpt_xstrdup("/");
	return rpt_xstrndup(path, (size_t)(slash - path));
}

/* Appends path as a URL path: every byte but letters, digits, "-._~/" as
 * %XX, so that '#', '?' or '%' in a file name do not cut the link short and
 * a ':' cannot make "javascript:..." a scheme. */
static void add_url_path(struct rpt_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || strchr("-._~/", c)) {
			rpt_buf_add(b, p, 1);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			rpt_buf_add(b, esc, 3);
		}
	}
}

char *rpt_relative_link(const char *from_dir, const char *to)
{
	char *from = realpath(from_dir, NULL), *target = realpath(to, NULL);
	struct rpt_buf b = { 0 };
	rpt_buf_adds(&b, "");
	if (!from || !target) {
		free(from);
		free(target);
		add_url_path(&b, to);
		return b.s;
	}
	/* the longest common prefix that ends at a directory boundary */
	size_t common = 0;
	for (size_t i = 0; from[i] && from[i] == target[i]; i++)
		if (from[i] == '/')
			common = i;
	size_t from_len = strlen(from);
	if (strncmp(from, target, from_len) == 0 && (target[from_len] == '/' || from_len == 1))
		common = from_len == 1 ? 0 : from_len;
	for (const char *p = from + common; *p && from_len > 1; p++)
		if (*p == '/')
			rpt_buf_adds(&b, "../");
	add_url_path(&b, target + common + (target[common] == '/'));
	free(from);
	free(target);
	return b.s;
}
