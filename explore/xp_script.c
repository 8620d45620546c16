/*
 * xp_script.c - scenario statements: split, edit, order and print.
 */
#include "xp_script.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"
#include "xp_buf.h"

/* A copy of the len bytes at body, NUL-terminated, in s's text pool: one
 * allocation serves many statements (a generated scenario has hundreds per
 * seed) and freeing a script frees a few chunks instead of every body. */
static char *text_copy(struct xp_script *s, const char *body, size_t len)
{
	return sim_strpool_keep(&s->text, body, len);
}

void xp_script_init(struct xp_script *s)
{
	memset(s, 0, sizeof *s);
	s->end_ms = -1;
}

void xp_script_free(struct xp_script *s)
{
	sim_strpool_free(&s->text);
	free(s->lines);
	xp_script_init(s);
}

void xp_script_copy(struct xp_script *dst, const struct xp_script *src)
{
	*dst = *src;
	dst->cap = src->n;
	dst->lines = xp_alloc(src->n * sizeof *dst->lines);
	dst->text = (struct sim_strpool){ 0 };
	for (size_t i = 0; i < src->n; i++) {
		dst->lines[i] = src->lines[i];
		dst->lines[i].body = text_copy(dst, src->lines[i].body, strlen(src->lines[i].body));
	}
}

/* Append a statement whose body is the len bytes at body. */
static void add_line(struct xp_script *s, enum xp_line_kind kind, int64_t at_ms, const char *body, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->lines = xp_realloc(s->lines, s->cap * sizeof *s->lines);
	}
	s->lines[s->n++] = (struct xp_line){ kind, kind == XP_LINE_AT ? at_ms : 0, text_copy(s, body, len) };
}

void xp_script_add(struct xp_script *s, enum xp_line_kind kind, int64_t at_ms, const char *body)
{
	add_line(s, kind, at_ms, body, strlen(body));
}

void xp_script_addf(struct xp_script *s, enum xp_line_kind kind, int64_t at_ms, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int len = xp_vsnprintf(line, sizeof line, fmt, ap); /* every generated statement */
	va_end(ap);
	add_line(s, kind, at_ms, line, len < 0 ? strlen(line) : (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

void xp_script_set_body(struct xp_script *s, size_t i, const char *body)
{
	s->lines[i].body = text_copy(s, body, strlen(body)); /* the old one stays until the script is freed */
}

void xp_script_remove(struct xp_script *s, size_t i)
{
	memmove(&s->lines[i], &s->lines[i + 1], (s->n - i - 1) * sizeof *s->lines);
	s->n--;
}

/* Whether line a goes before line b: declarations, timed statements by
 * time, untimed expectations, `at end`, the order the kinds are declared in. */
static bool line_before(const struct xp_line *a, const struct xp_line *b)
{
	_Static_assert(XP_LINE_DECL < XP_LINE_AT && XP_LINE_AT < XP_LINE_UNTIMED && XP_LINE_UNTIMED < XP_LINE_AT_END,
		       "line kinds in print order");
	return a->kind < b->kind || (a->kind == b->kind && a->kind == XP_LINE_AT && a->at_ms < b->at_ms);
}

/* Merges the sorted runs l[0, mid) and l[mid, n), the left run first on
 * ties (stable): the left run's lines that go before all of the right run
 * stay where they are, the rest of it waits in tmp. Requires l[mid] to go
 * before l[mid - 1] (merge_sort tests it), which ends the first scan. */
static void merge_runs(struct xp_line *l, size_t mid, size_t n, struct xp_line *tmp)
{
	size_t k = 0;
	while (!line_before(&l[mid], &l[k]))
		k++;
	size_t left = mid - k, i = 0, j = mid;
	memcpy(tmp, l + k, left * sizeof *l);
	while (i < left && j < n)
		l[k++] = line_before(&l[j], &tmp[i]) ? l[j++] : tmp[i++];
	memcpy(l + k, tmp + i, (left - i) * sizeof *l);
}

enum { SORT_RUN = 24 };

/* Stable too; up to SORT_RUN lines it costs less than merging's calls and
 * copies. */
static void insertion_sort(struct xp_line *l, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct xp_line x = l[i];
		size_t j = i;
		for (; j > 0 && line_before(&x, &l[j - 1]); j--)
			l[j] = l[j - 1];
		l[j] = x;
	}
}

static void merge_sort(struct xp_line *l, size_t n, struct xp_line *tmp)
{
	if (n <= SORT_RUN) {
		insertion_sort(l, n);
		return;
	}
	size_t mid = n / 2;
	merge_sort(l, mid, tmp);
	merge_sort(l + mid, n - mid, tmp);
	if (line_before(&l[mid], &l[mid - 1]))
		merge_runs(l, mid, n, tmp);
}

void xp_script_sort(struct xp_script *s)
{
	/* stable, so lines at one instant keep the order they were written in;
	 * a merge sort because the generator appends each kind of line (tasks,
	 * churn, faults) in time order of its own, which an insertion sort paid
	 * for quadratically on every seed */
	if (s->n < 2)
		return;
	struct xp_line *tmp = xp_alloc(s->n * sizeof *tmp);
	merge_sort(s->lines, s->n, tmp);
	free(tmp);
}

/* --- parsing -------------------------------------------------------------------- */

/* Length of line without its comment: '#' starts one at the start of a word
 * outside quotes, as in the scenario lexer. */
static size_t uncommented_len(const char *line, size_t len)
{
	bool quoted = false, word_start = true;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (c == '"')
			quoted = !quoted;
		else if (c == '#' && !quoted && word_start)
			return i;
		word_start = !quoted && isspace((unsigned char)c);
	}
	return len;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xp_strndup(s, len);
}

/* The first word of text and where the rest starts. */
static size_t first_word(const char *text, char *word, size_t n)
{
	size_t i = 0;
	while (text[i] && !isspace((unsigned char)text[i]))
		i++;
	snprintf(word, n, "%.*s", (int)i, text);
	while (text[i] && isspace((unsigned char)text[i]))
		i++;
	return i;
}

static int parse_at(struct xp_script *s, const char *rest, char *err, size_t err_len)
{
	char when[64];
	size_t skip = first_word(rest, when, sizeof when);
	if (strcmp(when, "end") == 0) {
		xp_script_add(s, XP_LINE_AT_END, 0, rest + skip);
		return 0;
	}
	int64_t at_ms;
	if (scn_parse_duration(when, &at_ms) != 0) {
		snprintf(err, err_len, "'at %s': not a time", when);
		return -1;
	}
	xp_script_add(s, XP_LINE_AT, at_ms, rest + skip);
	return 0;
}

static int parse_statement(struct xp_script *s, const char *st, char *err, size_t err_len)
{
	char w[64];
	size_t rest = first_word(st, w, sizeof w);
	if (strcmp(w, "at") == 0)
		return parse_at(s, st + rest, err, err_len);
	if (strcmp(w, "expect") == 0) {
		xp_script_add(s, XP_LINE_UNTIMED, 0, st);
		return 0;
	}
	if (strcmp(w, "@seed") == 0 && scn_parse_seed_range(st + rest, &s->seed, &s->seed) == 0) {
		s->pinned = true;
		return 0;
	}
	if (strcmp(w, "seeds") == 0 && scn_parse_seed_range(st + rest, &s->seed_first, &s->seed_last) == 0) {
		s->has_seeds = true;
		return 0;
	}
	if (strcmp(w, "end") == 0 && strncmp(st + rest, "at ", 3) == 0 &&
	    scn_parse_duration(st + rest + 3, &s->end_ms) == 0)
		return 0;
	xp_script_add(s, XP_LINE_DECL, 0, st);
	return 0;
}

int xp_script_parse(const char *text, struct xp_script *s, char *err, size_t err_len)
{
	xp_script_init(s);
	const char *at = text;
	while (*at) {
		const char *nl = strchr(at, '\n');
		size_t len = nl ? (size_t)(nl - at) : strlen(at);
		char *st = trimmed(at, uncommented_len(at, len));
		int rc = st[0] ? parse_statement(s, st, err, err_len) : 0;
		free(st);
		if (rc != 0) {
			xp_script_free(s);
			return -1;
		}
		at = nl ? nl + 1 : at + len;
	}
	return 0;
}

/* --- printing ------------------------------------------------------------------- */

static void add_comment(struct xp_buf *b, const char *comment)
{
	const char *at = comment;
	while (at && *at) {
		const char *nl = strchr(at, '\n');
		size_t len = nl ? (size_t)(nl - at) : strlen(at);
		xp_buf_printf(b, "#%s%.*s\n", len ? " " : "", (int)len, at);
		at = nl ? nl + 1 : at + len;
	}
}

/* A printed line is its body and at most LINE_EXTRA bytes more: "at end "
 * or "at ", the time (scn_format_duration writes at most 27 bytes, in
 * place given 32) and a space, and the newline. */
enum { DURATION_ROOM = 32, LINE_EXTRA = sizeof "at end " + DURATION_ROOM };

/* Writes "at TIME body", "at end body" or "body", and a newline, at out;
 * returns the end. */
static char *print_line(char *out, const struct xp_line *l)
{
	size_t len = strlen(l->body);
	if (l->kind == XP_LINE_AT) {
		memcpy(out, "at ", 3);
		out += 3;
		out += strlen(scn_format_duration(l->at_ms, out, DURATION_ROOM));
		*out++ = ' ';
	} else if (l->kind == XP_LINE_AT_END) {
		memcpy(out, "at end ", 7);
		out += 7;
	}
	memcpy(out, l->body, len);
	out += len;
	*out++ = '\n';
	return out;
}

char *xp_script_format(const struct xp_script *s, const char *comment)
{
	struct xp_buf b = { 0 };
	char d[48];
	add_comment(&b, comment);
	if (s->pinned)
		xp_buf_printf(&b, "@seed %" PRIu64 "\n", s->seed);
	else if (s->has_seeds)
		xp_buf_printf(&b, "seeds %" PRIu64 "-%" PRIu64 "\n", s->seed_first, s->seed_last);
	if (s->end_ms >= 0)
		xp_buf_printf(&b, "end at %s\n", scn_format_duration(s->end_ms, d, sizeof d));
	/* every line of every explored seed: one reservation, written in place */
	char *start = xp_buf_room(&b, 1 + s->n * LINE_EXTRA + sim_strpool_bytes(&s->text)), *out = start;
	bool blank_done = false;
	for (size_t i = 0; i < s->n; i++) {
		const struct xp_line *l = &s->lines[i];
		if (l->kind != XP_LINE_DECL && !blank_done) {
			*out++ = '\n';
			blank_done = true;
		}
		out = print_line(out, l);
	}
	xp_buf_grew(&b, (size_t)(out - start));
	return xp_buf_take(&b);
}

int xp_script_seed(const struct xp_script *s, bool have_given, uint64_t given, uint64_t *seed)
{
	if (s->pinned)
		*seed = s->seed;
	else
		*seed = have_given ? given : s->has_seeds ? s->seed_first : 1;
	return have_given && given != *seed ? -1 : 0;
}

size_t xp_script_statements(const struct xp_script *s)
{
	return s->n + (s->pinned || s->has_seeds) + (s->end_ms >= 0);
}

/* --- words and names -------------------------------------------------------------- */

void xp_words_split(const char *text, struct xp_words *out)
{
	size_t cap = 8;
	out->w = xp_alloc(cap * sizeof *out->w);
	out->n = 0;
	size_t i = 0;
	while (text[i]) {
		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		size_t start = i;
		if (text[i] == '"') {
			i++;
			while (text[i] && text[i] != '"')
				i++;
			if (text[i])
				i++;
		} else {
			while (text[i] && !isspace((unsigned char)text[i]))
				i++;
		}
		if (out->n == cap) {
			cap *= 2;
			out->w = xp_realloc(out->w, cap * sizeof *out->w);
		}
		out->w[out->n++] = xp_strndup(text + start, i - start);
	}
}

char *xp_words_join_except(const struct xp_words *ws, size_t skip, size_t count)
{
	struct xp_buf b = { 0 };
	for (size_t i = 0; i < ws->n; i++) {
		if (i >= skip && i < skip + count)
			continue;
		if (b.len)
			xp_buf_add(&b, " ", 1);
		xp_buf_printf(&b, "%s", ws->w[i]);
	}
	return xp_buf_take(&b);
}

void xp_words_free(struct xp_words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

static bool word_is_name(const char *word, const char *name)
{
	size_t n = strlen(name);
	return strncmp(word, name, n) == 0 && (word[n] == '\0' || strcmp(word + n, "'s") == 0);
}

bool xp_line_mentions(const struct xp_line *l, const char *name)
{
	struct xp_words ws;
	xp_words_split(l->body, &ws);
	bool found = false;
	for (size_t i = 0; i < ws.n && !found; i++)
		found = word_is_name(ws.w[i], name);
	xp_words_free(&ws);
	return found;
}

enum xp_name_kind xp_line_defines(const struct xp_line *l, char *name, size_t n)
{
	struct xp_words ws;
	xp_words_split(l->body, &ws);
	enum xp_name_kind kind = XP_NAME_NONE;
	size_t at = 0;
	if (l->kind == XP_LINE_DECL && ws.n >= 2 && strcmp(ws.w[0], "runner") == 0) {
		kind = XP_NAME_RUNNER;
		at = 1;
	} else if (l->kind == XP_LINE_AT && ws.n >= 2 && strcmp(ws.w[0], "submit") == 0) {
		at = strcmp(ws.w[1], "task") == 0 && ws.n >= 3 ? 2 : 1;
		kind = XP_NAME_TASK;
	} else if (l->kind == XP_LINE_AT && ws.n >= 3 && strcmp(ws.w[0], "create") == 0 &&
		   strcmp(ws.w[1], "sandbox") == 0) {
		kind = XP_NAME_SANDBOX;
		at = 2;
	}
	if (kind != XP_NAME_NONE)
		snprintf(name, n, "%s", ws.w[at]);
	xp_words_free(&ws);
	return kind;
}

/* --- clocks ---------------------------------------------------------------------- */

struct offset {
	char node[64];
	int64_t ms;   /* the node's clock offset now */
	int64_t high; /* the highest clock value its core has seen (virtual + offset) */
};

static struct offset *offset_of(struct offset *offs, size_t *n, size_t cap, const char *node)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(offs[i].node, node) == 0)
			return &offs[i];
	if (*n == cap)
		return NULL;
	snprintf(offs[*n].node, sizeof offs[*n].node, "%s", node);
	offs[*n].ms = 0;
	offs[*n].high = 0;
	return &offs[(*n)++];
}

/* A core never sees its clock go back: after a set-back it sees the highest
 * value so far until virtual time + the new offset passes it. */
int64_t xp_script_clock_settle(const struct xp_script *s)
{
	struct offset offs[256];
	size_t n = 0;
	int64_t settle = -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct xp_line *l = &s->lines[i];
		if (l->kind != XP_LINE_AT)
			continue;
		struct xp_words ws;
		xp_words_split(l->body, &ws);
		bool skew = ws.n == 5 && strcmp(ws.w[0], "skew") == 0, jump = ws.n == 5 && strcmp(ws.w[0], "jump") == 0;
		int64_t d;
		struct offset *o;
		const char *amount = ws.n == 5 ? ws.w[4] : "";
		int sign = amount[0] == '-' ? -1 : 1;
		if ((skew || jump) && strcmp(ws.w[2], "clock") == 0 && strcmp(ws.w[3], "by") == 0 &&
		    scn_parse_duration(amount + (amount[0] == '+' || amount[0] == '-'), &d) == 0 &&
		    (o = offset_of(offs, &n, sizeof offs / sizeof offs[0], ws.w[1])) != NULL) {
			if (l->at_ms + o->ms > o->high)
				o->high = l->at_ms + o->ms;
			o->ms = skew ? sign * d : o->ms + sign * d;
			int64_t caught_up = o->high - o->ms; /* virtual time at which the clock passes high */
			if (caught_up > l->at_ms && caught_up > settle)
				settle = caught_up;
		}
		xp_words_free(&ws);
	}
	return settle;
}
