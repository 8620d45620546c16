/*
 * scn_lex.c - words of a scenario line and the cursor the parser moves over them.
 *
 * Scenario files are line-oriented on purpose: one statement per line, so an
 * error is always "this line, this column", and a reader never has to track
 * nesting. Everything that reads one word and can be wrong lives here, so each
 * kind of mistake (bad duration, unknown name, bad status) is reported the
 * same way wherever it appears.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"
#include "utf8.h"

void *scn_grow_to(void *items, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return items;
	void *n = realloc(items, want * size);
	if (!n)
		abort();
	*cap = want;
	return n;
}

void *scn_grow(void *items, size_t *cap, size_t len, size_t size)
{
	if (len < *cap)
		return items;
	return scn_grow_to(items, cap, *cap ? *cap * 2 : 8, size);
}

/* What a byte is to the lexer, by table: one load per character instead of
 * a call or a chain of tests (every character of every explored scenario).
 * Blanks are isspace() in the C locale the program runs in; the NUL that
 * ends each line of the copy stops a scan without a bounds test. */
enum { CH_WORD, CH_BLANK, CH_END };
static const unsigned char char_class[256] = {
	['\0'] = CH_END, ['\t'] = CH_BLANK, ['\n'] = CH_BLANK, ['\v'] = CH_BLANK,
	['\f'] = CH_BLANK, ['\r'] = CH_BLANK, [' '] = CH_BLANK,
};

/* The next word of t (split_line sets every field). The table is rarely
 * full (see scn_split_text): test that here rather than in a call per word. */
static struct scn_word *new_word(struct scn_lines *t)
{
	if (t->n_words == t->cap_words)
		t->words = scn_grow(t->words, &t->cap_words, t->n_words, sizeof *t->words);
	return &t->words[t->n_words++];
}

/* Cut the line at s (len bytes, s[len] is NUL; src is the same line in the
 * original text) into words appended to t->words; on a malformed line set
 * its split_error. */
static void split_line(struct scn_lines *t, struct scn_line *l, char *s, const char *src, size_t len)
{
	size_t i = 0, prev_end = 0; /* prev_end: just past the previous word */
	l->single_spaced = true;
	for (;;) {
		while (char_class[(unsigned char)s[i]] == CH_BLANK)
			i++;
		if (i == len || s[i] == '#')
			break;
		if (l->n == SCN_MAX_WORDS) {
			l->split_error_col = (int)i + 1;
			l->split_error = "too many words on one line";
			return;
		}
		struct scn_word *w = new_word(t);
		if (l->n > 0 && (i != prev_end + 1 || src[prev_end] != ' '))
			l->single_spaced = false;
		l->n++;
		w->col = (int)i + 1;
		w->quoted = s[i] == '"';
		if (w->quoted) {
			char *close = memchr(s + i + 1, '"', len - i - 1);
			if (!close) {
				l->split_error_col = (int)i + 1;
				l->split_error = "unterminated quoted text";
				return;
			}
			w->text = s + i + 1;
			w->len = (int)(close - w->text);
			*close = '\0';
			i = prev_end = (size_t)(close - s) + 1;
		} else {
			w->text = s + i;
			while (char_class[(unsigned char)s[i]] == CH_WORD)
				i++;
			w->len = (int)(s + i - w->text);
			prev_end = i;
			if (i < len)
				s[i++] = '\0';
		}
		/* words become JSON (traces, requests), which holds only UTF-8 */
		if (!rc_utf8_valid(w->text, (size_t)w->len)) {
			l->split_error_col = w->col;
			l->split_error = "not UTF-8 text (a scenario file is UTF-8)";
			return;
		}
		l->end_col = (int)prev_end + 1;
	}
	if (l->n == 0)
		l->end_col = 1;
}

void scn_split_text(const char *text, struct scn_lines *t)
{
	memset(t, 0, sizeof *t);
	size_t size = strlen(text), cap_lines = 0;
	t->buf = malloc(size + 1);
	if (!t->buf)
		abort();
	memcpy(t->buf, text, size + 1);
	/* Room for a word per 4 bytes and a line per 32: more than scenarios use
	 * (about one per 6 and one per 38), so the tables are rarely moved. */
	t->words = scn_grow_to(NULL, &t->cap_words, size / 4 + 16, sizeof *t->words);
	t->lines = scn_grow_to(NULL, &cap_lines, size / 32 + 16, sizeof *t->lines);
	const char *end = text + size, *at = text;
	/* a byte order mark some editors write: not part of the first word */
	if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		at += 3;
	while (at < end) {
		const char *nl = memchr(at, '\n', (size_t)(end - at));
		size_t full = nl ? (size_t)(nl - at) : (size_t)(end - at), len = full;
		if (len && at[len - 1] == '\r')
			len--;
		char *s = t->buf + (at - text);
		s[len] = '\0'; /* the newline (or '\r') after the line */
		if (t->n == cap_lines)
			t->lines = scn_grow(t->lines, &cap_lines, t->n, sizeof *t->lines);
		struct scn_line *l = &t->lines[t->n++];
		*l = (struct scn_line){ .number = (int)t->n, .offset = (size_t)(at - text) };
		split_line(t, l, s, at, len);
		at += full + 1;
	}
	/* the words table has moved while it grew: point each line at its own */
	for (size_t k = 0, first = 0; k < t->n; first += (size_t)t->lines[k++].n)
		t->lines[k].words = t->words + first;
}

void scn_lines_free(struct scn_lines *t)
{
	free(t->buf);
	free(t->words);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

void scn_diags_push(struct scn_diags *d, char *msg)
{
	d->items = scn_grow(d->items, &d->cap, d->len, sizeof *d->items);
	d->items[d->len++] = msg;
}

void scn_diags_init(struct scn_diags *d)
{
	memset(d, 0, sizeof *d);
}

void scn_diags_free(struct scn_diags *d)
{
	for (size_t i = 0; i < d->len; i++)
		free(d->items[i]);
	free(d->items);
	memset(d, 0, sizeof *d);
}

/* A quoted word longer than this is shown by its first bytes and "...". */
#define QUOTED_MAX 64
#define QUOTED_SHOWN 48

/* Copy msg into out (which has room for all of it), shortening every
 * 'quoted' part longer than QUOTED_MAX bytes: a 100 KB word in a scenario
 * must not become a 100 KB message, nor push the explanation after it out of
 * a fixed buffer (messages were once cut at 512 bytes, quote and reason
 * lost). A cut never splits a UTF-8 sequence. */
static void shorten_quoted(const char *msg, char *out)
{
	while (*msg) {
		const char *open = strchr(msg, '\'');
		const char *close = open ? strchr(open + 1, '\'') : NULL;
		if (!close) {
			strcpy(out, msg);
			return;
		}
		size_t inner = (size_t)(close - open - 1), keep = inner;
		if (inner > QUOTED_MAX) {
			keep = QUOTED_SHOWN;
			while (keep > 0 && ((unsigned char)open[1 + keep] & 0xC0) == 0x80)
				keep--;
		}
		size_t head = (size_t)(open - msg) + 1 + keep;
		memcpy(out, msg, head);
		out += head;
		if (keep < inner) {
			memcpy(out, "...", 3);
			out += 3;
		}
		*out++ = '\'';
		msg = close + 1;
	}
	*out = '\0';
}

void scn_diag_vpush(struct scn_diags *d, const char *path, int line, int col, const char *kind, const char *fmt,
		    va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int len = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	char *msg = malloc(len > 0 ? (size_t)len + 1 : 1), *short_msg = malloc(len > 0 ? (size_t)len + 1 : 1);
	if (!msg || !short_msg)
		abort();
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	shorten_quoted(msg, short_msg);
	free(msg);
	size_t n = strlen(path) + strlen(kind) + strlen(short_msg) + 48;
	char *full = malloc(n);
	if (!full)
		abort();
	snprintf(full, n, "%s:%d:%d: %s%s", path, line, col, kind, short_msg);
	free(short_msg);
	scn_diags_push(d, full);
}

int scn_error(struct scn_parser *p, int col, const char *fmt, ...)
{
	p->n_errors++;
	if (p->n_errors > SCN_MAX_ERRORS)
		return -1;
	int line = p->line ? p->line->number : 0;
	if (col <= 0)
		col = p->line ? p->line->end_col : 1;
	va_list ap;
	va_start(ap, fmt);
	scn_diag_vpush(p->diags, p->path, line, col, "", fmt, ap);
	va_end(ap);
	return -1;
}

const struct scn_word *scn_next(struct scn_parser *p)
{
	const struct scn_word *w = scn_peek(p);
	if (w)
		p->i++;
	return w;
}

int scn_expected(struct scn_parser *p, const char *what)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_error(p, 0, "expected %s at the end of the line", what);
	return scn_error(p, w->col, "expected %s, found '%s'", what, w->text);
}

int scn_missing(struct scn_parser *p, const char *word, const char *after)
{
	char what[128];
	snprintf(what, sizeof what, "'%s' %s", word, after);
	return scn_expected(p, what);
}

int scn_require_end(struct scn_parser *p)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return 0;
	return scn_error(p, w->col, "unexpected '%s' after the end of the statement", w->text);
}

int scn_given_twice(struct scn_parser *p, const struct scn_word *w, const char *where, int first_col)
{
	return scn_error(p, w->col, "'%s' is given twice %s (first at column %d)", w->text, where, first_col);
}

int scn_once(struct scn_parser *p, struct scn_once *o, int bit, const struct scn_word *w, const char *where)
{
	if (o->seen & (1u << bit))
		return scn_given_twice(p, w, where, o->col[bit]);
	o->seen |= 1u << bit;
	o->col[bit] = w->col;
	return 0;
}

static int too_long(struct scn_parser *p, const struct scn_word *w)
{
	return scn_error(p, w->col, "duration '%s' is longer than " SCN_DURATION_MAX_TEXT ", the longest rollcall takes",
			 w->text);
}

int scn_read_duration(struct scn_parser *p, int64_t *out_ms)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a duration (e.g. 90s, 2m30s, 1500ms)");
	int rc = scn_parse_duration(w->text, out_ms);
	if (rc == -2)
		return too_long(p, w);
	if (rc != 0)
		return scn_error(p, w->col, "bad duration '%s' (write e.g. 90s, 2m30s, 1500ms)", w->text);
	p->i++;
	return 0;
}

int scn_read_signed_duration(struct scn_parser *p, int64_t *out_ms)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a signed duration (e.g. +1h, -30s)");
	int sign = w->text[0] == '-' ? -1 : 1;
	const char *digits = (w->text[0] == '+' || w->text[0] == '-') ? w->text + 1 : w->text;
	int rc = scn_parse_duration(digits, out_ms);
	if (rc == -2)
		return too_long(p, w);
	if (rc != 0)
		return scn_error(p, w->col, "bad duration '%s' (write e.g. +1h, -30s)", w->text);
	*out_ms *= sign;
	p->i++;
	return 0;
}

int scn_read_int(struct scn_parser *p, const char *what, int64_t min, int64_t max, int64_t *out)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, what);
	char *end;
	errno = 0;
	long long v = strtoll(w->text, &end, 10);
	if (!isdigit((unsigned char)w->text[0]) || *end != '\0' || errno != 0)
		return scn_error(p, w->col, "expected %s, found '%s'", what, w->text);
	if (v < min || v > max)
		return scn_error(p, w->col, "%s must be between %lld and %lld, not %lld", what, (long long)min,
				 (long long)max, v);
	*out = v;
	p->i++;
	return 0;
}

int scn_read_text(struct scn_parser *p, const char *what, char **out)
{
	const struct scn_word *w = scn_next(p);
	if (!w)
		return scn_expected(p, what);
	*out = scn_keep(p->s, w->text, (size_t)w->len);
	return 0;
}

int scn_name_kind_of(const struct scn_parser *p, const char *name, size_t len, int *index)
{
	return scn_names_find(&p->names, name, len, index);
}

static void describe_kinds(unsigned mask, char *buf, size_t n)
{
	buf[0] = '\0';
	if (mask == ((1u << SCN_COORDINATOR) | (1u << SCN_RUNNER))) {
		snprintf(buf, n, "node");
		return;
	}
	const char *sep = "";
	for (int k = SCN_COORDINATOR; k <= SCN_SANDBOX; k++) {
		if (!(mask & (1u << k)))
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, n - used, "%s%s", sep, scn_name_kind_word((enum scn_name_kind)k));
		sep = " or ";
	}
}

/* The error for a name (w's first n characters) that is missing (w NULL),
 * undefined (kind -1) or of a kind not in mask. */
static int name_error(struct scn_parser *p, const struct scn_word *w, size_t n, unsigned mask, int kind)
{
	char kinds[64];
	describe_kinds(mask, kinds, sizeof kinds);
	if (!w) {
		char what[96];
		snprintf(what, sizeof what, "the name of a %s", kinds);
		return scn_expected(p, what);
	}
	char name[SCN_NAME_CUT + 1];
	memcpy(name, w->text, n);
	name[n] = '\0';
	if (kind < 0)
		return scn_error(p, w->col, "undefined %s '%s'", kinds, name);
	return scn_error(p, w->col, "'%s' is a %s, not a %s", name, scn_name_kind_word((enum scn_name_kind)kind),
			 kinds);
}

int scn_read_name(struct scn_parser *p, unsigned mask, int *index, bool *possessive)
{
	/* The name is looked up in place, and copied only for an error message:
	 * this runs for nearly every name in a timeline, and exploration parses a
	 * scenario per seed. */
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return name_error(p, NULL, 0, mask, -1);
	size_t n = (size_t)w->len < SCN_NAME_CUT ? (size_t)w->len : SCN_NAME_CUT; /* long names were always cut */
	bool has_s = n > 2 && w->text[n - 2] == '\'' && w->text[n - 1] == 's';
	if (has_s && !possessive)
		return scn_error(p, w->col, "unexpected possessive '%s'", w->text);
	if (has_s)
		n -= 2;
	if (possessive)
		*possessive = has_s;
	int kind = scn_name_kind_of(p, w->text, n, index);
	if (kind < 0 || !(mask & (1u << kind)))
		return name_error(p, w, n, mask, kind);
	p->i++;
	return kind;
}

int scn_read_op(struct scn_parser *p, bool allow_any, enum rc_op *op)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a request kind (register, heartbeat, claim, task-status, ...)");
	char word[64];
	size_t n = (size_t)w->len < sizeof word - 1 ? (size_t)w->len : sizeof word - 1; /* cut as always */
	memcpy(word, w->text, n);
	word[n] = '\0';
	if (allow_any && (strcmp(word, "messages") == 0 || strcmp(word, "message") == 0 ||
			  strcmp(word, "any") == 0)) {
		*op = RC_OP_NONE;
		p->i++;
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (int o = RC_OP_NONE + 1; o < RC_OP_COUNT; o++) {
			if (strcmp(word, rc_op_name((enum rc_op)o)) == 0) {
				*op = (enum rc_op)o;
				p->i++;
				return 0;
			}
		}
		if (n > 1 && word[n - 1] == 's')
			word[n - 1] = '\0'; /* "heartbeats" */
		else
			break;
	}
	return scn_error(p, w->col, "unknown request kind '%s' (register, heartbeat, claim, task-status, "
				    "task-complete, sandbox-report, ...)", w->text);
}

int scn_read_http_status(struct scn_parser *p, int *status)
{
	int64_t v;
	if (scn_read_int(p, "an HTTP status (e.g. 200, 403, 409)", 100, 599, &v) != 0)
		return -1;
	*status = (int)v;
	return 0;
}

char *scn_line_text(const struct scn_parser *p, int from)
{
	const struct scn_line *l = p->line;
	if (from < l->n && l->single_spaced) {
		/* The words joined by spaces are the source itself: the text is the
		 * line in the kept source, ended after its last word (every action
		 * of every explored seed keeps its line's text). */
		char *start = p->source + l->offset + l->words[from].col - 1;
		start[l->end_col - l->words[from].col] = '\0';
		return start;
	}
	size_t n = 1;
	for (int i = from; i < l->n; i++)
		n += (size_t)l->words[i].len + 3;
	char *out = scn_reserve(p->s, n);
	char *at = out;
	for (int i = from; i < l->n; i++) {
		const struct scn_word *w = &l->words[i];
		if (i > from)
			*at++ = ' ';
		if (w->quoted)
			*at++ = '"';
		memcpy(at, w->text, (size_t)w->len);
		at += w->len;
		if (w->quoted)
			*at++ = '"';
	}
	*at = '\0';
	return out;
}

int scn_word_index(const char *const *words, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (words[i] && strcmp(words[i], word) == 0)
			return i;
	return -1;
}
