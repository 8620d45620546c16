/*
 * xp_timeline.c - trace records to an SVG swimlane picture.
 *
 * Two passes over the records: the first finds the lanes (the coordinator
 * first, then the other nodes in name order), which node holds which runner ID
 * (state-save records), task names (API records), the end and the first
 * violation, and so the time window; the second draws. Drawing goes into
 * layers (bands, shading, arrows, marks, labels) concatenated at the end so
 * arrows sit on top of bands and labels on top of everything.
 */
#include "xp_timeline.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "scn.h"
#include "xp_buf.h"

#define MIN 60000LL
#define LANE_H 84
#define TOP 78
#define LEFT 120
#define LABEL_ROWS 5

/* One trace record, the fields the picture uses. */
struct rec {
	int64_t t;
	const char *node, *kind, *what, *peer, *op, *from, *to, *runner, *text;
	uint64_t req, task;
	int status, attempt;
	int64_t value;
};

/* seq: the position in the trace, which breaks ties once sorted by ID;
 * tmax: the latest time of this ID's saves up to this one (see lane_for_id) */
struct save { int64_t t, tmax; char id[32]; int lane; size_t seq; };
struct task_name { uint64_t id; char name[48]; size_t seq; };
struct pending { int from, to; char op[24]; uint64_t req; bool reply; int64_t t; };
struct open_band { int64_t since; char cls[16]; };

struct tl {
	char (*lanes)[64];
	size_t n_lanes, cap_lanes;
	struct save *saves;
	size_t n_saves, cap_saves;
	struct task_name *tasks;
	size_t n_tasks, cap_tasks;
	struct pending *pend;
	size_t n_pend, cap_pend;
	struct open_band *status, *proc; /* per lane */
	int64_t end, from, to;
	bool violated;
	int64_t violation_t;
	char violation[64], violation_text[400];
	double plot_w;
	double (*row_end)[LABEL_ROWS]; /* per lane: where the last label of each row ends */
	struct xp_buf bands, shades, arrows, marks, labels;
};

#define GROW(arr, n, cap) \
	do { \
		if ((n) == (cap)) { \
			(cap) = (cap) ? 2 * (cap) : 16; \
			(arr) = xp_realloc((arr), (cap) * sizeof *(arr)); \
		} \
	} while (0)

/* --- reading records ---------------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int64_t num(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

static void rec_from(json_t *o, struct rec *r)
{
	r->t = num(o, "t");
	r->node = str(o, "node");
	r->kind = str(o, "kind");
	r->what = str(o, "what");
	r->peer = str(o, "peer");
	r->op = str(o, "op");
	r->from = str(o, "from");
	r->to = str(o, "to");
	r->runner = str(o, "runner");
	r->text = str(o, "text");
	r->req = (uint64_t)num(o, "req");
	r->task = (uint64_t)num(o, "task");
	r->status = (int)num(o, "status");
	r->attempt = (int)num(o, "attempt");
	r->value = num(o, "value");
}

/* --- the simulator's own lines, read without jansson --------------------------------- */

/* Building a jansson tree for every line, twice, was nearly all the time
 * of drawing a long trace (30 s for 20 days of five runners). The records
 * the simulator writes are flat objects of plain ASCII strings, whole
 * numbers and literals, without spaces or escapes: those are read here, in
 * place, into the record. Anything else (the header lines, an edited or
 * damaged trace) is left to jansson, which decides as it always has; this
 * reader accepts only text jansson reads the same way (the last of a
 * repeated key wins, a value of the wrong type reads as "" or 0). */

/* A plain string at *p (after its opening quote): NUL-terminated in place.
 * Returns false for anything needing jansson (escapes, control bytes, non-ASCII). */
static bool flat_string(char **p, const char **out)
{
	char *s = *p;
	for (; *s != '"'; s++)
		if (*s == '\\' || (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	*s = '\0';
	*out = *p;
	*p = s + 1;
	return true;
}

/* A whole number of at most 18 digits without a leading zero (jansson
 * refuses those, and longer ones may overflow), or a literal. */
static bool flat_scalar(char **p, bool *is_int, int64_t *v)
{
	static const char *const literals[] = { "null", "true", "false" };
	char *s = *p;
	for (size_t i = 0; i < sizeof literals / sizeof literals[0]; i++) {
		size_t n = strlen(literals[i]);
		if (s[0] == literals[i][0] && strncmp(s, literals[i], n) == 0) {
			*p = s + n;
			*is_int = false;
			return true;
		}
	}
	bool neg = *s == '-';
	s += neg;
	int digits = 0;
	int64_t n = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		n = n * 10 + (*s - '0');
	if (digits == 0 || digits > 18 || (digits > 1 && s[-digits] == '0'))
		return false;
	*v = neg ? -n : n;
	*is_int = true;
	*p = s;
	return true;
}

/* The record's fields by key: the ones rec_from reads. */
enum field_type { F_STR, F_I64, F_U64, F_INT, F_EV };
static const struct {
	const char *key;
	enum field_type type;
	size_t off;
} rec_fields[] = {
	{ "ev", F_EV, 0 },
	{ "t", F_I64, offsetof(struct rec, t) },
	{ "node", F_STR, offsetof(struct rec, node) },
	{ "kind", F_STR, offsetof(struct rec, kind) },
	{ "what", F_STR, offsetof(struct rec, what) },
	{ "peer", F_STR, offsetof(struct rec, peer) },
	{ "op", F_STR, offsetof(struct rec, op) },
	{ "from", F_STR, offsetof(struct rec, from) },
	{ "to", F_STR, offsetof(struct rec, to) },
	{ "runner", F_STR, offsetof(struct rec, runner) },
	{ "text", F_STR, offsetof(struct rec, text) },
	{ "req", F_U64, offsetof(struct rec, req) },
	{ "task", F_U64, offsetof(struct rec, task) },
	{ "status", F_INT, offsetof(struct rec, status) },
	{ "attempt", F_INT, offsetof(struct rec, attempt) },
	{ "value", F_I64, offsetof(struct rec, value) },
};

/* One pair's value into the record field its key names (s NULL: not a
 * string; v counts only when is_int). */
static void flat_field(struct rec *r, const char *key, const char *s, bool is_int, int64_t v, bool *has_ev)
{
	int64_t n = is_int ? v : 0;
	for (size_t i = 0; i < sizeof rec_fields / sizeof rec_fields[0]; i++) {
		if (key[0] != rec_fields[i].key[0] || strcmp(key, rec_fields[i].key) != 0)
			continue;
		char *at = (char *)r + rec_fields[i].off;
		switch (rec_fields[i].type) {
		case F_EV: *has_ev = true; break;
		case F_STR: *(const char **)(void *)at = s ? s : ""; break;
		case F_I64: *(int64_t *)(void *)at = n; break;
		case F_U64: *(uint64_t *)(void *)at = (uint64_t)n; break;
		case F_INT: *(int *)(void *)at = (int)n; break;
		}
		return;
	}
}

/* Reads line (NUL-terminated, changed in place) into r. Returns 1 for a
 * record, 0 for a flat object without "ev", -1 when jansson must read it. */
static int flat_record(char *line, struct rec *r)
{
	static const struct rec none = { .node = "", .kind = "", .what = "", .peer = "", .op = "", .from = "",
					 .to = "", .runner = "", .text = "" };
	*r = none;
	bool has_ev = false;
	char *p = line;
	if (*p++ != '{')
		return -1;
	if (*p == '}')
		return p[1] ? -1 : 0;
	for (;;) {
		const char *key, *s = NULL;
		bool is_int = false;
		int64_t v = 0;
		if (*p++ != '"' || !flat_string(&p, &key) || *p++ != ':')
			return -1;
		if (*p == '"') {
			p++;
			if (!flat_string(&p, &s))
				return -1;
		} else if (!flat_scalar(&p, &is_int, &v)) {
			return -1;
		}
		flat_field(r, key, s, is_int, v, &has_ev);
		if (*p == '}')
			return p[1] ? -1 : has_ev;
		if (*p++ != ',')
			return -1;
	}
}

/* Calls fn for every record line (lines without "ev" are headers). */
static int each_record(const char *trace, size_t len, struct tl *t, void (*fn)(struct tl *, const struct rec *))
{
	size_t pos = 0;
	int records = 0;
	struct xp_buf line = { 0 };
	while (pos < len) {
		const char *nl = memchr(trace + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (trace + pos)) : len - pos;
		struct rec r;
		line.len = 0;
		xp_buf_add(&line, trace + pos, n);
		int flat = memchr(line.data, '\0', n) ? -1 : flat_record(line.data, &r);
		json_t *o = flat < 0 && n ? json_loadb(trace + pos, n, 0, NULL) : NULL;
		if (o && json_object_get(o, "ev")) {
			rec_from(o, &r);
			flat = 1;
		}
		if (flat == 1) {
			fn(t, &r);
			records++;
		}
		json_decref(o);
		pos += n + 1;
	}
	xp_buf_free(&line);
	return records;
}

/* --- first pass ---------------------------------------------------------------------- */

static int lane_of(const struct tl *t, const char *node)
{
	for (size_t i = 0; i < t->n_lanes; i++)
		if (strcmp(t->lanes[i], node) == 0)
			return (int)i;
	return -1;
}

static void add_lane(struct tl *t, const char *node)
{
	if (!node[0] || lane_of(t, node) >= 0)
		return;
	GROW(t->lanes, t->n_lanes, t->cap_lanes);
	snprintf(t->lanes[t->n_lanes++], sizeof t->lanes[0], "%s", node);
}

static void survey(struct tl *t, const struct rec *r)
{
	add_lane(t, r->node);
	add_lane(t, r->peer);
	if (r->t > t->end)
		t->end = r->t;
	if (strcmp(r->kind, "state-save") == 0) {
		GROW(t->saves, t->n_saves, t->cap_saves);
		struct save *s = &t->saves[t->n_saves++];
		s->t = r->t;
		s->seq = t->n_saves - 1;
		snprintf(s->id, sizeof s->id, "%s", r->runner);
		s->lane = lane_of(t, r->node);
	} else if (strcmp(r->kind, "api") == 0 && strcmp(r->op, "task-submit") == 0 && r->task) {
		GROW(t->tasks, t->n_tasks, t->cap_tasks);
		t->tasks[t->n_tasks].id = r->task;
		t->tasks[t->n_tasks].seq = t->n_tasks;
		snprintf(t->tasks[t->n_tasks++].name, sizeof t->tasks[0].name, "%s", r->what);
	} else if (strcmp(r->kind, "violation") == 0 && !t->violated) {
		t->violated = true;
		t->violation_t = r->t;
		snprintf(t->violation, sizeof t->violation, "%s", r->what);
		snprintf(t->violation_text, sizeof t->violation_text, "%s", r->text);
	}
}

/* --- lane order ---------------------------------------------------------------------------- */

/* Names in the order a reader counts them: runs of digits compare as
 * numbers (r2 before r10), everything else byte by byte; names that tie
 * that way (r01, r1) fall back to strcmp, so the order is total. */
static int natural_cmp(const char *a, const char *b)
{
	const char *x = a, *y = b;
	while (*x && *y) {
		if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
			while (*x == '0')
				x++;
			while (*y == '0')
				y++;
			size_t nx = strspn(x, "0123456789"), ny = strspn(y, "0123456789");
			int c = nx != ny ? (nx < ny ? -1 : 1) : strncmp(x, y, nx);
			if (c)
				return c;
			x += nx;
			y += ny;
		} else if (*x != *y) {
			return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
		} else {
			x++;
			y++;
		}
	}
	if (*x || *y)
		return *x ? 1 : -1;
	return strcmp(a, b);
}

struct lane_sort { char name[64]; int old; };

static int lane_sort_cmp(const void *a, const void *b)
{
	return natural_cmp(((const struct lane_sort *)a)->name, ((const struct lane_sort *)b)->name);
}

/* Lanes in the order of appearance are the order of whatever started first
 * (r1 and r10 at 0 s, r2 at 1 s): the coordinator, which starts first,
 * stays on top and the others go in name order. The saves' lanes follow. */
static void order_lanes(struct tl *t)
{
	if (t->n_lanes < 3)
		return;
	size_t n = t->n_lanes - 1;
	struct lane_sort *v = xp_alloc(n * sizeof *v);
	int *moved = xp_alloc(t->n_lanes * sizeof *moved);
	for (size_t i = 0; i < n; i++) {
		memcpy(v[i].name, t->lanes[i + 1], sizeof v[i].name);
		v[i].old = (int)i + 1;
	}
	qsort(v, n, sizeof *v, lane_sort_cmp);
	moved[0] = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(t->lanes[i + 1], v[i].name, sizeof v[i].name);
		moved[v[i].old] = (int)i + 1;
	}
	for (size_t i = 0; i < t->n_saves; i++)
		if (t->saves[i].lane >= 0)
			t->saves[i].lane = moved[t->saves[i].lane];
	free(v);
	free(moved);
}

/* --- lookups by runner ID and task ID ---------------------------------------------------------- */

/* Every runner-status, task-state and refusal record looks up a runner ID
 * and every task label a task ID: scanning all saves and tasks for each
 * made drawing a long run quadratic in its length. After the survey both
 * lists are sorted by ID (ties in trace order) and searched in halves. */

static int save_cmp(const void *a, const void *b)
{
	const struct save *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int task_cmp(const void *a, const void *b)
{
	const struct task_name *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void index_ids(struct tl *t)
{
	if (t->n_saves)
		qsort(t->saves, t->n_saves, sizeof *t->saves, save_cmp);
	if (t->n_tasks)
		qsort(t->tasks, t->n_tasks, sizeof *t->tasks, task_cmp);
	for (size_t i = 0; i < t->n_saves; i++) {
		struct save *s = &t->saves[i];
		bool same = i > 0 && strcmp(s[-1].id, s->id) == 0;
		s->tmax = same && s[-1].tmax > s->t ? s[-1].tmax : s->t;
	}
}

/* The first i in [lo, hi) that is not below key, for a predicate below
 * that holds on a prefix of the range. */
static size_t search(const struct tl *t, size_t lo, size_t hi, bool (*below)(const struct tl *, size_t, const void *),
		     const void *key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (below(t, mid, key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool save_id_before(const struct tl *t, size_t i, const void *id)
{
	return strcmp(t->saves[i].id, id) < 0;
}

static bool save_id_up_to(const struct tl *t, size_t i, const void *id)
{
	return strcmp(t->saves[i].id, id) <= 0;
}

static bool save_by(const struct tl *t, size_t i, const void *at)
{
	return t->saves[i].tmax <= *(const int64_t *)at;
}

static bool task_before(const struct tl *t, size_t i, const void *id)
{
	return t->tasks[i].id < *(const uint64_t *)id;
}

/* The lane of the node that holds runner ID id at time at: in trace order,
 * the save before the first one later than at, else the first. The first
 * save later than at is the first whose running maximum passes at, which
 * a search in halves finds even if a damaged trace's times go back. */
static int lane_for_id(const struct tl *t, const char *id, int64_t at)
{
	size_t first = search(t, 0, t->n_saves, save_id_before, id);
	size_t end = search(t, first, t->n_saves, save_id_up_to, id);
	if (first == end)
		return -1;
	size_t later = search(t, first, end, save_by, &at);
	return t->saves[later > first ? later - 1 : first].lane;
}

static void task_label(const struct tl *t, uint64_t id, int attempt, char *buf, size_t n)
{
	size_t i = search(t, 0, t->n_tasks, task_before, &id);
	if (i < t->n_tasks && t->tasks[i].id == id)
		snprintf(buf, n, attempt ? "%s#%d" : "%s", t->tasks[i].name, attempt);
	else
		snprintf(buf, n, attempt ? "task %" PRIu64 "#%d" : "task %" PRIu64, id, attempt);
}

/* --- geometry and primitives ------------------------------------------------------------ */

static double x_of(const struct tl *t, int64_t ms)
{
	if (ms < t->from)
		ms = t->from;
	if (ms > t->to)
		ms = t->to;
	return LEFT + (double)(ms - t->from) / (double)(t->to - t->from) * t->plot_w;
}

static int lane_y(int lane)
{
	return TOP + lane * LANE_H;
}

static bool visible(const struct tl *t, int64_t a, int64_t b)
{
	return b >= t->from && a <= t->to;
}

static void esc(struct xp_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': xp_buf_printf(b, "&amp;"); break;
		case '<': xp_buf_printf(b, "&lt;"); break;
		case '>': xp_buf_printf(b, "&gt;"); break;
		case '"': xp_buf_printf(b, "&quot;"); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				xp_buf_add(b, s, 1);
		}
	}
}

static void rect(struct xp_buf *b, const struct tl *t, int lane, int dy, int h, int64_t a, int64_t z, const char *cls,
		 const char *title)
{
	if (!visible(t, a, z) || lane < 0)
		return;
	double x0 = x_of(t, a), x1 = x_of(t, z);
	xp_buf_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>", cls, x0,
		      lane_y(lane) + dy, x1 - x0 > 0.5 ? x1 - x0 : 0.5, h);
	esc(b, title);
	xp_buf_printf(b, "</title></rect>\n");
}

/* A label under the bands of a lane, on the lowest row still free at x
 * (labels are 5.5 px a character); the last row takes what is left. */
static void label(struct tl *t, int lane, int64_t at, const char *cls, const char *text)
{
	if (!visible(t, at, at) || lane < 0)
		return;
	double x = x_of(t, at) + 2;
	int row = 0;
	while (row < LABEL_ROWS - 1 && t->row_end[lane][row] > x)
		row++;
	t->row_end[lane][row] = x + 5.5 * (double)strlen(text);
	xp_buf_printf(&t->labels, "<text class=\"%s\" x=\"%.1f\" y=\"%d\">", cls, x,
		      lane_y(lane) + LANE_H - 6 - 10 * row);
	esc(&t->labels, text);
	xp_buf_printf(&t->labels, "</text>\n");
}

static void tick(struct tl *t, int lane, int64_t at, const char *cls, const char *text)
{
	if (!visible(t, at, at) || lane < 0)
		return;
	double x = x_of(t, at);
	xp_buf_printf(&t->marks, "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", cls, x,
		      lane_y(lane) + 30, x, lane_y(lane) + LANE_H - 4);
	label(t, lane, at, cls, text);
}

/* --- second pass: drawing ------------------------------------------------------------------ */

static void close_band(struct tl *t, struct open_band *ob, int lane, int dy, int h, int64_t at, const char *what)
{
	if (ob->cls[0]) {
		char title[96];
		char a[32], z[32];
		snprintf(title, sizeof title, "%s %s from %s to %s", t->lanes[lane], ob->cls,
			 scn_format_duration(ob->since, a, sizeof a), scn_format_duration(at, z, sizeof z));
		rect(&t->bands, t, lane, dy, h, ob->since, at, ob->cls, title);
	}
	snprintf(ob->cls, sizeof ob->cls, "%s", what);
	ob->since = at;
}

static void on_runner_status(struct tl *t, const struct rec *r)
{
	int lane = lane_for_id(t, r->runner, r->t);
	if (lane < 0)
		return;
	close_band(t, &t->status[lane], lane, 6, 12, r->t, r->to);
}

static const char *proc_state(const char *what)
{
	if (strcmp(what, "start") == 0 || strcmp(what, "restart") == 0 || strcmp(what, "resume") == 0)
		return "up";
	if (strcmp(what, "pause") == 0)
		return "paused";
	if (strcmp(what, "crash") == 0)
		return "crashed";
	if (strcmp(what, "stop") == 0)
		return "draining";
	if (strcmp(what, "exit") == 0)
		return "exited";
	return NULL;
}

static void on_node(struct tl *t, const struct rec *r)
{
	int lane = lane_of(t, r->node);
	const char *st = proc_state(r->what);
	if (lane < 0 || !st)
		return;
	close_band(t, &t->proc[lane], lane, 20, 8, r->t, st);
	if (strcmp(st, "up") != 0 || strcmp(r->what, "start") != 0)
		label(t, lane, r->t, "node", strcmp(r->what, "exit") == 0 && r->text[0] ? r->text : r->what);
}

static const char *msg_class(const struct pending *p, int status)
{
	if (p->reply && status >= 400)
		return "rej";
	if (strcmp(p->op, "heartbeat") == 0)
		return "hb";
	if (strcmp(p->op, "claim") == 0)
		return "claim";
	if (strcmp(p->op, "register") == 0 || strcmp(p->op, "deregister") == 0)
		return "reg";
	if (strncmp(p->op, "task-", 5) == 0)
		return "task";
	return "other";
}

static void on_send(struct tl *t, const struct rec *r)
{
	int from = lane_of(t, r->node), to = lane_of(t, r->peer);
	if (from < 0 || to < 0)
		return;
	GROW(t->pend, t->n_pend, t->cap_pend);
	struct pending *p = &t->pend[t->n_pend++];
	p->from = from;
	p->to = to;
	snprintf(p->op, sizeof p->op, "%s", r->op);
	p->req = r->req;
	p->reply = r->status != 0;
	p->t = r->t;
}

/* The pending message a deliver or drop record ends, removed from the list. */
static bool take_pending(struct tl *t, int from, int to, const struct rec *r, struct pending *out)
{
	for (size_t i = 0; i < t->n_pend; i++) {
		struct pending *p = &t->pend[i];
		if (p->from == from && p->to == to && p->req == r->req && p->reply == (r->status != 0) &&
		    strcmp(p->op, r->op) == 0) {
			*out = *p;
			t->pend[i] = t->pend[--t->n_pend];
			return true;
		}
	}
	return false;
}

static void arrow(struct tl *t, const struct pending *p, int64_t at, int status, bool lost)
{
	if (!visible(t, p->t, at))
		return;
	const char *cls = msg_class(p, status);
	double x0 = x_of(t, p->t), x1 = x_of(t, at);
	int y0 = lane_y(p->from) + LANE_H / 2, y1 = lane_y(p->to) + LANE_H / 2;
	if (lost) /* a lost message stops half way, with a cross */
		y1 = (y0 + y1) / 2;
	xp_buf_printf(&t->arrows, "<line class=\"m %s%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"><title>", cls,
		      lost ? " lost" : "", x0, y0, x1, y1);
	char a[32];
	xp_buf_printf(&t->arrows, "%s %s #%" PRIu64 " %s -&gt; %s at %s", p->reply ? "reply" : "request", p->op, p->req,
		      t->lanes[p->from], t->lanes[p->to], scn_format_duration(p->t, a, sizeof a));
	if (p->reply)
		xp_buf_printf(&t->arrows, " (%d)", status);
	xp_buf_printf(&t->arrows, "%s</title></line>\n", lost ? " lost" : "");
	if (lost)
		xp_buf_printf(&t->arrows, "<path class=\"cross\" d=\"M%.1f %d l6 6 m0 -6 l-6 6\"/>\n", x1 - 3, y1 - 3);
	if (strcmp(cls, "rej") == 0 || (!p->reply && strcmp(p->op, "task-complete") == 0)) {
		char text[64];
		if (p->reply)
			snprintf(text, sizeof text, "%d %s", status, p->op);
		else
			snprintf(text, sizeof text, "%s", p->op);
		label(t, p->to, at, strcmp(cls, "rej") == 0 ? "rejl" : "taskl", text);
	}
}

static void on_deliver(struct tl *t, const struct rec *r, bool lost)
{
	struct pending p;
	int from = lane_of(t, lost ? r->node : r->peer), to = lane_of(t, lost ? r->peer : r->node);
	if (from >= 0 && to >= 0 && take_pending(t, from, to, r, &p))
		arrow(t, &p, r->t, r->status, lost);
}

static void on_task_state(struct tl *t, const struct rec *r)
{
	char task[64], text[160];
	task_label(t, r->task, r->attempt, task, sizeof task);
	int owner = lane_for_id(t, r->runner, r->t);
	const char *who = owner >= 0 ? t->lanes[owner] : r->runner;
	if (strcmp(r->to, "running") == 0)
		snprintf(text, sizeof text, "%s to %s", task, who);
	else if (strcmp(r->from, "running") == 0 && strcmp(r->to, "queued") == 0)
		snprintf(text, sizeof text, "%s requeued (was %s)", task, who);
	else
		snprintf(text, sizeof text, "%s %s", task, r->to);
	tick(t, 0, r->t, strcmp(r->to, "completed") == 0 ? "done" : "tstate", text);
}

static void on_proc(struct tl *t, const struct rec *r)
{
	char task[64], text[128];
	task_label(t, r->task, r->attempt, task, sizeof task);
	if (strcmp(r->kind, "proc-start") == 0)
		snprintf(text, sizeof text, "%s starts", task);
	else if (strcmp(r->kind, "proc-signal") == 0)
		snprintf(text, sizeof text, "%s gets SIG%s", task, r->value == 9 ? "KILL" : "TERM");
	else
		snprintf(text, sizeof text, "%s exits (%s)", task, r->what);
	tick(t, lane_of(t, r->node), r->t, "proc", text);
}

static void on_rejected(struct tl *t, const struct rec *r)
{
	char task[64] = "", text[160];
	if (r->task)
		task_label(t, r->task, 0, task, sizeof task);
	int who = lane_for_id(t, r->runner, r->t);
	snprintf(text, sizeof text, "refused %d %s %s%s%s", r->status, r->op, task, who >= 0 ? " from " : "",
		 who >= 0 ? t->lanes[who] : "");
	if (!visible(t, r->t, r->t))
		return;
	xp_buf_printf(&t->marks, "<circle class=\"rejdot\" cx=\"%.1f\" cy=\"%d\" r=\"4\"/>\n", x_of(t, r->t),
		      lane_y(0) + LANE_H / 2);
	label(t, 0, r->t, "rejl", text);
}

static void on_action(struct tl *t, const struct rec *r)
{
	int lane = r->node[0] ? lane_of(t, r->node) : 0;
	if (!visible(t, r->t, r->t) || lane < 0)
		return;
	double x = x_of(t, r->t);
	int y = lane_y(lane) + 2;
	xp_buf_printf(&t->marks, "<path class=\"act\" d=\"M%.1f %d l-4 -6 h8 z\"><title>", x, y + 6);
	char text[160];
	snprintf(text, sizeof text, "%s%s%s", r->what, r->text[0] ? " " : "", r->text);
	esc(&t->marks, text);
	xp_buf_printf(&t->marks, "</title></path>\n");
	if (strcmp(r->what, "start") != 0)
		label(t, lane, r->t, "actl", text);
}

static void draw(struct tl *t, const struct rec *r)
{
	const char *k = r->kind;
	if (strcmp(k, "runner-status") == 0)
		on_runner_status(t, r);
	else if (strcmp(k, "node") == 0)
		on_node(t, r);
	else if (strcmp(k, "send") == 0)
		on_send(t, r);
	else if (strcmp(k, "deliver") == 0)
		on_deliver(t, r, false);
	else if (strcmp(k, "drop") == 0)
		on_deliver(t, r, true);
	else if (strcmp(k, "task-state") == 0)
		on_task_state(t, r);
	else if (strncmp(k, "proc-", 5) == 0)
		on_proc(t, r);
	else if (strcmp(k, "rejected") == 0)
		on_rejected(t, r);
	else if (strcmp(k, "action") == 0 || strcmp(k, "fault") == 0)
		on_action(t, r);
}

/* --- partitions from the scenario ------------------------------------------------------------ */

static void shade_partitions(struct tl *t, const struct xp_script *s)
{
	for (size_t i = 0; s && i < s->n; i++) {
		const struct xp_line *l = &s->lines[i];
		struct xp_words ws;
		xp_words_split(l->body, &ws);
		if (l->kind == XP_LINE_AT && ws.n == 4 && strcmp(ws.w[0], "partition") == 0) {
			const char *runner = strcmp(ws.w[1], "coordinator") == 0 ? ws.w[3] : ws.w[1];
			int64_t until = t->end;
			for (size_t j = i + 1; j < s->n; j++) {
				const char *b = s->lines[j].body;
				if (s->lines[j].kind == XP_LINE_AT &&
				    (strcmp(b, "heal all") == 0 || (strncmp(b, "heal ", 5) == 0 && strcmp(b + 5, l->body + 10) == 0))) {
					until = s->lines[j].at_ms;
					break;
				}
			}
			char title[160];
			snprintf(title, sizeof title, "%s", l->body);
			rect(&t->shades, t, lane_of(t, runner), 0, LANE_H, l->at_ms, until, "part", title);
		}
		xp_words_free(&ws);
	}
}

/* --- assembling ----------------------------------------------------------------------------- */

/* The grid's step: a round time that puts at most 14 lines in the span. */
static int64_t tick_step(int64_t span)
{
	static const int64_t steps[] = { 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, MIN, 2 * MIN, 5 * MIN,
					 10 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN, 360 * MIN, 720 * MIN };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (span / steps[i] <= 14)
			return steps[i];
	int64_t step = 1440 * MIN; /* then whole days, doubling */
	while (span / step > 14)
		step *= 2;
	return step;
}

static void axis(struct xp_buf *b, const struct tl *t, int height)
{
	int64_t step = tick_step(t->to - t->from);
	int bottom = lane_y((int)t->n_lanes);
	for (int64_t at = (t->from + step - 1) / step * step; at <= t->to; at += step) {
		double x = x_of(t, at);
		char d[32];
		xp_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, TOP, x, bottom);
		xp_buf_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%d\">%s</text>\n", x, bottom + 16,
			      scn_format_duration(at, d, sizeof d));
	}
	xp_buf_printf(b, "<text class=\"axis\" x=\"%d\" y=\"%d\">virtual time</text>\n", LEFT - 60, bottom + 16);
	(void)height;
}

static void lanes(struct xp_buf *b, const struct tl *t)
{
	for (size_t i = 0; i < t->n_lanes; i++) {
		int y = lane_y((int)i);
		xp_buf_printf(b, "<rect class=\"lane%zu\" x=\"0\" y=\"%d\" width=\"%.0f\" height=\"%d\"/>\n", i % 2, y,
			      LEFT + t->plot_w + 20, LANE_H);
		xp_buf_printf(b, "<text class=\"lanename\" x=\"8\" y=\"%d\">", y + LANE_H / 2 + 4);
		esc(b, t->lanes[i]);
		xp_buf_printf(b, "</text>\n");
	}
}

static void legend(struct xp_buf *b, int y)
{
	static const struct { const char *cls, *text; } items[] = {
		{ "online", "online" }, { "stale", "stale" }, { "removed", "removed" }, { "up", "process up" },
		{ "paused", "paused" }, { "crashed", "crashed" }, { "draining", "draining" }, { "part", "partitioned" },
	};
	int x = LEFT;
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		xp_buf_printf(b, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/>", items[i].cls, x, y);
		xp_buf_printf(b, "<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>\n", x + 18, y + 9, items[i].text);
		x += 110;
	}
	xp_buf_printf(b, "<line class=\"m hb\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text class=\"legend\" x=\"%d\" "
			 "y=\"%d\">heartbeat</text>\n", x, y + 5, x + 20, y + 5, x + 24, y + 9);
	x += 100;
	xp_buf_printf(b, "<line class=\"m task\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text class=\"legend\" x=\"%d\" "
			 "y=\"%d\">task report</text>\n", x, y + 5, x + 20, y + 5, x + 24, y + 9);
	x += 110;
	xp_buf_printf(b, "<line class=\"m rej\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text class=\"legend\" x=\"%d\" "
			 "y=\"%d\">refused (4xx)</text>\n", x, y + 5, x + 20, y + 5, x + 24, y + 9);
}

static const char style[] =
	"<style>\n"
	"text{font-family:DejaVu Sans,Arial,sans-serif}\n"
	".title{font-size:15px;font-weight:bold}.sub{font-size:11px;fill:#444}\n"
	".lane0{fill:#fafafa}.lane1{fill:#f0f0f0}.lanename{font-size:13px;font-weight:bold}\n"
	".grid{stroke:#ccc;stroke-width:0.5}.axis{font-size:10px;fill:#333;text-anchor:middle}\n"
	".online{fill:#4caf50}.stale{fill:#ff9800}.removed{fill:#9e9e9e}\n"
	".up{fill:#90caf9}.paused{fill:#ffe082}.crashed{fill:#e53935}.draining{fill:#ce93d8}.exited{fill:#bdbdbd}\n"
	".part{fill:#ef9a9a;fill-opacity:0.35}\n"
	".m{stroke-width:1;marker-end:url(#arrow)}.hb{stroke:#b0b0b0}.claim{stroke:#8d8d8d}.reg{stroke:#1e88e5}\n"
	".task{stroke:#6a1b9a;stroke-width:1.6}.other{stroke:#607d8b}.rej{stroke:#d50000;stroke-width:2.2;"
	"marker-end:url(#arrowred)}\n"
	".lost{stroke-dasharray:3 2;marker-end:none}.cross{stroke:#d50000;stroke-width:2;fill:none}\n"
	".proc{stroke:#6a1b9a;stroke-width:1}.tstate{stroke:#455a64;stroke-width:1}.done{stroke:#2e7d32;stroke-width:1.5}\n"
	"text.proc,text.tstate,text.node,text.actl,text.taskl{font-size:9px;fill:#333;stroke:none}\n"
	"text.done{font-size:9px;fill:#2e7d32;stroke:none;font-weight:bold}\n"
	".rejl{font-size:10px;fill:#d50000;font-weight:bold}.rejdot{fill:#d50000}\n"
	".act{fill:#555}.viol{stroke:#d50000;stroke-width:2.5}.violl{font-size:12px;fill:#d50000;font-weight:bold}\n"
	".legend{font-size:10px}\n"
	"</style>\n";

static void violation(struct xp_buf *b, const struct tl *t)
{
	if (!t->violated || !visible(t, t->violation_t, t->violation_t))
		return;
	double x = x_of(t, t->violation_t);
	char d[32];
	xp_buf_printf(b, "<line class=\"viol\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, TOP - 6, x,
		      lane_y((int)t->n_lanes));
	xp_buf_printf(b, "<text class=\"violl\" x=\"%.1f\" y=\"%d\" text-anchor=\"end\">%s broken at %s</text>\n", x - 4,
		      TOP - 8, t->violation, scn_format_duration(t->violation_t, d, sizeof d));
}

static void window(struct tl *t, const struct xp_timeline_opts *o)
{
	int64_t last = t->violated ? t->violation_t : t->end;
	t->to = o->to_ms >= 0 ? o->to_ms : (t->violated ? last + (last - 0) / 50 + 1000 : t->end);
	t->from = o->from_ms >= 0 ? o->from_ms : (last > 20 * MIN ? last - 20 * MIN : 0);
	if (t->to <= t->from)
		t->to = t->from + 1000;
}

static char *assemble(struct tl *t, const struct xp_timeline_opts *o)
{
	int width = (int)(LEFT + t->plot_w + 20);
	int height = lane_y((int)t->n_lanes) + 60;
	struct xp_buf b = { 0 };
	xp_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
			  "version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", width, height, width, height);
	xp_buf_printf(&b, "%s<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" "
			  "markerHeight=\"5\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#666\"/></marker>"
			  "<marker id=\"arrowred\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" "
			  "markerHeight=\"5\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"#d50000\"/></marker>"
			  "</defs>\n", style);
	xp_buf_printf(&b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height);
	xp_buf_printf(&b, "<text class=\"title\" x=\"10\" y=\"20\">");
	esc(&b, o->title ? o->title : "rollcall timeline");
	char a[32], z[32], end[32];
	xp_buf_printf(&b, "</text>\n<text class=\"sub\" x=\"10\" y=\"38\">window %s .. %s of %s; bands: coordinator's view "
			  "of each runner (top) and the node's process (below)</text>\n",
		      scn_format_duration(t->from, a, sizeof a), scn_format_duration(t->to, z, sizeof z),
		      scn_format_duration(t->end, end, sizeof end));
	if (t->violated) {
		xp_buf_printf(&b, "<text class=\"violl\" x=\"10\" y=\"54\">");
		esc(&b, t->violation);
		xp_buf_printf(&b, ": ");
		esc(&b, t->violation_text);
		xp_buf_printf(&b, "</text>\n");
	}
	lanes(&b, t);
	axis(&b, t, height);
	xp_buf_printf(&b, "<g>%s</g>\n<g>%s</g>\n<g>%s</g>\n<g>%s</g>\n<g>%s</g>\n", xp_buf_str(&t->shades),
		      xp_buf_str(&t->bands), xp_buf_str(&t->arrows), xp_buf_str(&t->marks), xp_buf_str(&t->labels));
	violation(&b, t);
	legend(&b, height - 30);
	xp_buf_printf(&b, "</svg>\n");
	return xp_buf_take(&b);
}

static void release(struct tl *t)
{
	free(t->lanes);
	free(t->saves);
	free(t->tasks);
	free(t->pend);
	free(t->status);
	free(t->proc);
	free(t->row_end);
	xp_buf_free(&t->bands);
	xp_buf_free(&t->shades);
	xp_buf_free(&t->arrows);
	xp_buf_free(&t->marks);
	xp_buf_free(&t->labels);
}

char *xp_timeline_svg(const char *trace, size_t len, const struct xp_script *scenario,
		      const struct xp_timeline_opts *o, char *err, size_t err_len)
{
	struct tl t;
	memset(&t, 0, sizeof t);
	/* the coordinator starts first, so it gets lane 0 */
	if (each_record(trace, len, &t, survey) == 0 || t.n_lanes == 0) {
		snprintf(err, err_len, "no simulator records (is this a rollcall trace?)");
		release(&t);
		return NULL;
	}
	if (o->from_ms > t.end) {
		char from[32], end[32];
		snprintf(err, err_len, "--from %s is after the run's end, %s", scn_format_duration(o->from_ms, from, sizeof from),
			 scn_format_duration(t.end, end, sizeof end));
		release(&t);
		return NULL;
	}
	order_lanes(&t);
	index_ids(&t);
	window(&t, o);
	t.plot_w = (o->width >= 400 ? o->width : 1600) - LEFT - 20;
	t.status = calloc(t.n_lanes, sizeof *t.status);
	t.proc = calloc(t.n_lanes, sizeof *t.proc);
	t.row_end = calloc(t.n_lanes, sizeof *t.row_end);
	if (!t.status || !t.proc || !t.row_end)
		abort();
	shade_partitions(&t, scenario);
	each_record(trace, len, &t, draw);
	for (size_t i = 0; i < t.n_lanes; i++) {
		close_band(&t, &t.status[i], (int)i, 6, 12, t.end, "");
		close_band(&t, &t.proc[i], (int)i, 20, 8, t.end, "");
	}
	char *svg = assemble(&t, o);
	release(&t);
	return svg;
}
