/*
 * checklist.c - parse Markdown task lists and their `verify:` annotations.
 *
 * Only what a checklist needs is recognised: ATX headings (for sections and
 * the title), task items ("- [ ]", "* [x]", "1. [ ]") and their indented
 * continuation lines, HTML comments starting with "verify:", and fenced code
 * blocks (whose examples are not items). Everything else is kept verbatim so
 * the ticked copy reads like the original.
 */
#include "checklist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* --- parse state ---------------------------------------------------------- */

struct parser {
	const char *path;
	struct rpt_checklist *c;
	size_t items_cap, lines_cap;
	int open_item; /* item that continuation lines attach to, or -1 */
	char *section;
	struct rpt_buf text; /* text of the open item, being collected */
	char *err;
	size_t err_len;
	int line_no;
	char fence[4]; /* inside a fenced code block: its fence ("```" or "~~~"), else "" */
};

static int fail_at(struct parser *ps, size_t col0, const char *msg, const char *detail)
{
	snprintf(ps->err, ps->err_len, "%s:%d:%zu: %s%s%s", ps->path, ps->line_no, col0 + 1, msg,
		 detail ? " " : "", detail ? detail : "");
	return -1;
}

static size_t indent_of(const char *s)
{
	size_t cols = 0;
	for (; *s == ' ' || *s == '\t'; s++)
		cols += *s == '\t' ? 4 - cols % 4 : 1;
	return cols;
}

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* A heading "## Text ##": returns its text (caller frees) or NULL. */
static char *heading_text(const char *line)
{
	const char *p = line;
	size_t spaces = 0;
	while (*p == ' ' && spaces < 4) {
		p++;
		spaces++;
	}
	size_t hashes = 0;
	while (p[hashes] == '#')
		hashes++;
	if (spaces > 3 || hashes < 1 || hashes > 6 || (p[hashes] != ' ' && p[hashes] != '\0'))
		return NULL;
	p += hashes;
	size_t n = strlen(p);
	while (n > 0 && (p[n - 1] == '#' || isspace((unsigned char)p[n - 1])))
		n--;
	return rpt_trimmed_copy(p, n);
}

/* A task item: on success returns the offset of the text after "[ ] " and
 * sets *box (offset of the character inside the brackets). */
static bool task_item(const char *line, size_t *box, size_t *text_at)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' || *p == '*' || *p == '+') {
		p++;
	} else if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		if (*p != '.' && *p != ')')
			return false;
		p++;
	} else {
		return false;
	}
	if (*p != ' ' && *p != '\t')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] != '[' || (p[1] != ' ' && p[1] != 'x' && p[1] != 'X') || p[2] != ']')
		return false;
	if (p[3] != '\0' && p[3] != ' ' && p[3] != '\t')
		return false;
	*box = (size_t)(p + 1 - line);
	*text_at = (size_t)(p + 3 - line);
	return true;
}

/* --- the verify: annotation -------------------------------------------------- */

static void skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static bool name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.';
}

/* A bare name or a "quoted name" at *p; returns it (caller frees) or NULL
 * after reporting an error. */
static char *parse_name(struct parser *ps, const char *line, const char **p, const char *what)
{
	if (**p == '"') {
		const char *start = *p + 1, *end = strchr(start, '"');
		if (!end)
			return fail_at(ps, (size_t)(*p - line), "unterminated quoted", what), NULL;
		if (end == start)
			return fail_at(ps, (size_t)(*p - line), "empty", what), NULL;
		*p = end + 1;
		return rpt_xstrndup(start, (size_t)(end - start));
	}
	const char *start = *p;
	while (name_char(**p))
		(*p)++;
	if (*p == start)
		return fail_at(ps, (size_t)(start - line), strchr("aeiou", what[0]) ? "expected an" : "expected a", what),
		       NULL;
	return rpt_xstrndup(start, (size_t)(*p - start));
}

static void add_ref(struct rpt_item *it, size_t *cap, enum rpt_ref_kind kind, char *name, char *test)
{
	rpt_grow(&it->refs, cap, it->n_refs + 1, sizeof *it->refs);
	it->refs[it->n_refs++] = (struct rpt_ref){ .kind = kind, .name = name, .test = test };
}

/* "NAME, NAME, ..." for `scenario` and `integration`, "SUITE[/TEST], ..." for
 * `unit`, up to the next ';' or the end of the annotation. */
static int parse_ref_list(struct parser *ps, const char *line, const char **p, struct rpt_item *it,
			  size_t *refs_cap, enum rpt_ref_kind kind)
{
	for (;;) {
		skip_spaces(p);
		char what[32];
		snprintf(what, sizeof what, "%s %s name", rpt_ref_kind_word(kind), kind == RPT_REF_UNIT ? "suite" : "test");
		char *name = parse_name(ps, line, p, kind == RPT_REF_SCENARIO ? "scenario name" : what);
		if (!name)
			return -1;
		char *test = NULL;
		if (kind == RPT_REF_UNIT && **p == '/') {
			(*p)++;
			test = parse_name(ps, line, p, "unit test name");
			if (!test) {
				free(name);
				return -1;
			}
		}
		add_ref(it, refs_cap, kind, name, test);
		skip_spaces(p);
		if (**p != ',')
			return 0;
		(*p)++;
	}
}

static int parse_clause(struct parser *ps, const char *line, const char **p, struct rpt_item *it,
			size_t *refs_cap)
{
	const char *word = *p;
	while (isalpha((unsigned char)**p))
		(*p)++;
	size_t n = (size_t)(*p - word);
	if ((n == 8 && strncmp(word, "scenario", n) == 0) || (n == 9 && strncmp(word, "scenarios", n) == 0))
		return parse_ref_list(ps, line, p, it, refs_cap, RPT_REF_SCENARIO);
	if (n == 4 && strncmp(word, "unit", n) == 0)
		return parse_ref_list(ps, line, p, it, refs_cap, RPT_REF_UNIT);
	if (n == 11 && strncmp(word, "integration", n) == 0)
		return parse_ref_list(ps, line, p, it, refs_cap, RPT_REF_INTEGRATION);
	if (n == 4 && strncmp(word, "none", n) == 0) {
		it->explicit_gap = true;
		return 0;
	}
	if (n == 6 && strncmp(word, "reason", n) == 0 && **p == ':') {
		(*p)++;
		free(it->gap_reason);
		it->gap_reason = rpt_trimmed_copy(*p, strlen(*p)); /* the rest, ';' included */
		*p += strlen(*p);
		return 0;
	}
	char shown[96];
	snprintf(shown, sizeof shown, "'%.*s' (expected scenario, unit, integration, none or reason:)",
		 (int)(n ? (n > 16 ? 16 : n) : 1), n ? word : *p);
	return fail_at(ps, (size_t)(word - line), "unknown evidence kind", shown);
}

/* Parse the inside of one "<!-- verify: ... -->" (body points after
 * "verify:", NUL-terminated at the "-->"). */
static int parse_annotation(struct parser *ps, const char *line, const char *body, struct rpt_item *it)
{
	size_t refs_cap = it->n_refs;
	const char *p = body;
	for (;;) {
		skip_spaces(&p);
		if (*p == '\0')
			break;
		if (parse_clause(ps, line, &p, it, &refs_cap) != 0)
			return -1;
		skip_spaces(&p);
		if (*p == ';') {
			p++;
			continue;
		}
		if (*p != '\0')
			return fail_at(ps, (size_t)(p - line), "expected ';' or the end of the annotation", NULL);
	}
	if (it->explicit_gap && it->n_refs > 0)
		return fail_at(ps, (size_t)(body - line), "'none' cannot be combined with scenarios or tests", NULL);
	if (it->gap_reason && !it->explicit_gap)
		return fail_at(ps, (size_t)(body - line), "'reason:' explains a gap: use it with 'none'", NULL);
	return 0;
}

/* Scan one line of an item for HTML comments: verify annotations are parsed
 * into it, every comment is left out of the displayed text (appended to
 * ps->text). */
static int scan_item_text(struct parser *ps, const char *line, size_t from, struct rpt_item *it)
{
	const char *p = line + from;
	skip_spaces(&p);
	if (ps->text.len)
		rpt_buf_adds(&ps->text, " ");
	for (;;) {
		const char *open = strstr(p, "<!--");
		if (!open) {
			rpt_buf_adds(&ps->text, p);
			return 0;
		}
		rpt_buf_add(&ps->text, p, (size_t)(open - p));
		const char *close = strstr(open + 4, "-->");
		const char *q = open + 4;
		skip_spaces(&q);
		bool verify = strncmp(q, "verify:", 7) == 0;
		if (!close) {
			if (verify)
				return fail_at(ps, (size_t)(open - line), "a verify annotation must end with --> on the same line", NULL);
			return 0; /* an ordinary comment running on: nothing more to show */
		}
		if (verify) {
			/* Parse a copy of the line cut at "-->", so the columns in error
			 * messages are columns of the line. */
			char *upto = rpt_xstrndup(line, (size_t)(close - line));
			int rc = parse_annotation(ps, upto, upto + (q + 7 - line), it);
			free(upto);
			if (rc != 0)
				return -1;
		}
		p = close + 3;
	}
}

/* --- lines ---------------------------------------------------------------- */

static void close_item(struct parser *ps)
{
	if (ps->open_item < 0)
		return;
	struct rpt_item *it = &ps->c->items[ps->open_item];
	it->text = rpt_trimmed_copy(ps->text.s ? ps->text.s : "", ps->text.len);
	rpt_buf_free(&ps->text);
	ps->open_item = -1;
}

static struct rpt_line *add_line(struct parser *ps, const char *text, size_t n)
{
	struct rpt_checklist *c = ps->c;
	rpt_grow(&c->lines, &ps->lines_cap, c->n_lines + 1, sizeof *c->lines);
	struct rpt_line *l = &c->lines[c->n_lines++];
	*l = (struct rpt_line){ .text = rpt_xstrndup(text, n), .item = -1 };
	return l;
}

static int start_item(struct parser *ps, struct rpt_line *l, size_t box, size_t text_at)
{
	struct rpt_checklist *c = ps->c;
	close_item(ps);
	rpt_grow(&c->items, &ps->items_cap, c->n_items + 1, sizeof *c->items);
	struct rpt_item *it = &c->items[c->n_items];
	*it = (struct rpt_item){
		.line = ps->line_no,
		.depth = (int)indent_of(l->text),
		.ticked_in_source = l->text[box] != ' ',
		.section = rpt_xstrdup(ps->section),
	};
	ps->open_item = (int)c->n_items++;
	l->item = ps->open_item;
	l->item_start = true;
	l->box_col = box;
	return scan_item_text(ps, l->text, text_at, it);
}

/* Track fenced code blocks: an example "- [ ]" inside one is not an item.
 * Returns true if the line is a fence or inside a block. */
static bool in_code_block(struct parser *ps, const char *line)
{
	const char *p = line;
	while (*p == ' ' && p - line < 3)
		p++;
	bool fence = strncmp(p, "```", 3) == 0 || strncmp(p, "~~~", 3) == 0;
	if (ps->fence[0]) {
		if (fence && strncmp(p, ps->fence, 3) == 0)
			ps->fence[0] = '\0';
		return true;
	}
	if (fence)
		memcpy(ps->fence, p, 3);
	return fence;
}

/* The offset of the first byte of s that starts no valid UTF-8 character,
 * or strlen(s). */
static size_t utf8_prefix(const char *s)
{
	size_t i = 0, n = strlen(s), k;
	while (i < n && (k = rc_utf8_char_len(s + i, n - i)) > 0)
		i += k;
	return i;
}

static int parse_line(struct parser *ps, struct rpt_line *l)
{
	size_t box, text_at, bad = utf8_prefix(l->text);
	if (l->text[bad]) /* the text goes into summary.json, which holds only UTF-8 */
		return fail_at(ps, bad, "not UTF-8 text (a checklist is UTF-8)", NULL);
	if (in_code_block(ps, l->text)) {
		close_item(ps);
		return 0;
	}
	char *heading = heading_text(l->text);
	if (heading) {
		close_item(ps);
		if (!ps->c->title)
			ps->c->title = rpt_xstrdup(heading);
		free(ps->section);
		ps->section = heading;
		return 0;
	}
	if (task_item(l->text, &box, &text_at))
		return start_item(ps, l, box, text_at);
	if (ps->open_item >= 0 && !is_blank(l->text) &&
	    (int)indent_of(l->text) > ps->c->items[ps->open_item].depth) {
		l->item = ps->open_item; /* continuation of the item's text */
		return scan_item_text(ps, l->text, 0, &ps->c->items[ps->open_item]);
	}
	close_item(ps);
	return 0;
}

int rpt_checklist_parse(const char *path, const char *text, struct rpt_checklist *out, char *err,
			size_t err_len)
{
	*out = (struct rpt_checklist){ .path = rpt_xstrdup(path), .name = rpt_basename_without(path, ".md") };
	if (out->name[utf8_prefix(out->name)]) { /* it names the pages and the entry in summary.json */
		snprintf(err, err_len, "%s: the file name is not UTF-8 (it names the checklist in the reports)", path);
		rpt_checklist_free(out);
		return -1;
	}
	struct parser ps = { .path = path, .c = out, .open_item = -1, .err = err, .err_len = err_len };
	const char *p = text;
	int rc = 0;
	while (*p && rc == 0) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t visible = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		ps.line_no++;
		rc = parse_line(&ps, add_line(&ps, p, visible));
		p += nl ? n + 1 : n;
	}
	if (rc == 0)
		close_item(&ps);
	rpt_buf_free(&ps.text);
	free(ps.section);
	if (rc != 0) {
		rpt_checklist_free(out);
		return -1;
	}
	if (!out->title)
		out->title = rpt_xstrdup(out->name);
	return 0;
}

int rpt_checklist_load(const char *path, struct rpt_checklist *out, char *err, size_t err_len)
{
	*out = (struct rpt_checklist){ 0 };
	char *text = rpt_read_file(path, err, err_len);
	if (!text)
		return -1;
	int rc = rpt_checklist_parse(path, text, out, err, err_len);
	free(text);
	return rc;
}

void rpt_checklist_free(struct rpt_checklist *c)
{
	for (size_t i = 0; i < c->n_items; i++) {
		struct rpt_item *it = &c->items[i];
		for (size_t r = 0; r < it->n_refs; r++) {
			free(it->refs[r].name);
			free(it->refs[r].test);
		}
		free(it->refs);
		free(it->text);
		free(it->gap_reason);
		free(it->section);
	}
	for (size_t i = 0; i < c->n_lines; i++)
		free(c->lines[i].text);
	free(c->items);
	free(c->lines);
	free(c->path);
	free(c->name);
	free(c->title);
	*c = (struct rpt_checklist){ 0 };
}

const char *rpt_ref_kind_word(enum rpt_ref_kind kind)
{
	static const char *const words[] = { "scenario", "unit", "integration" };
	return words[kind];
}

const char *rpt_ref_describe(const struct rpt_ref *ref, char *buf, size_t len)
{
	if (ref->kind != RPT_REF_UNIT)
		snprintf(buf, len, "%s %s", rpt_ref_kind_word(ref->kind), ref->name);
	else if (ref->test)
		snprintf(buf, len, "unit %s/\"%s\"", ref->name, ref->test);
	else
		snprintf(buf, len, "unit %s", ref->name);
	return buf;
}
