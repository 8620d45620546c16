/*
 * xp_run.c - one scenario text, one seed; explore trace files.
 */
#include "xp_run.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rc_file.h"
#include "scn.h"
#include "xp_buf.h"
#include "xp_script.h"

enum xp_status xp_run_parsed(const struct scn_scenario *s, uint64_t seed, FILE *trace, struct xp_result *r)
{
	memset(r, 0, sizeof *r);
	if (scn_run(s, seed, trace, &r->out) != 0) {
		snprintf(r->diag, sizeof r->diag, "the simulator refuses the scenario: %s", r->out.why);
		r->status = XP_BAD_INPUT;
	} else {
		r->status = r->out.passed ? XP_PASS : XP_FAIL;
	}
	return r->status;
}

struct scn_scenario *xp_parse_text(const char *text, const char *path, struct xp_result *r)
{
	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse(path, text, &d);
	if (!s) {
		memset(r, 0, sizeof *r);
		r->status = XP_BAD_INPUT;
		snprintf(r->diag, sizeof r->diag, "%s", d.len ? d.items[0] : "the scenario does not parse");
	}
	scn_diags_free(&d);
	return s;
}

enum xp_status xp_run_text(const char *text, const char *path, uint64_t seed, FILE *trace, struct xp_result *r)
{
	struct scn_scenario *s = xp_parse_text(text, path, r);
	if (!s)
		return r->status;
	xp_run_parsed(s, seed, trace, r);
	scn_free(s);
	return r->status;
}

const char *xp_result_what(const struct xp_result *r)
{
	return r->status == XP_FAIL ? r->out.what : "";
}

const char *xp_result_invariant(const struct xp_result *r)
{
	static const char prefix[] = "invariant ";
	if (r->status != XP_FAIL || strncmp(r->out.what, prefix, sizeof prefix - 1) != 0)
		return NULL;
	return r->out.what + sizeof prefix - 1;
}

/* --- traces ---------------------------------------------------------------------- */

static char *recipe_line(const char *scenario_text, uint64_t seed, json_t *params)
{
	json_t *h = json_pack("{s:s,s:i,s:I,s:O?,s:s}", "trace", XP_TRACE_KIND, "format", 1, "seed", (json_int_t)seed,
			      "params", params, "scenario", scenario_text);
	char *line = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	if (!line)
		abort();
	return line;
}

char *xp_trace_render(const char *scenario_text, uint64_t seed, json_t *params, struct xp_result *r, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		abort();
	char *line = recipe_line(scenario_text, seed, params);
	fprintf(f, "%s\n", line);
	free(line);
	xp_run_text(scenario_text, "recipe", seed, f, r);
	fclose(f);
	*len = size;
	return buf;
}

/* Every output of explore, shrink, replay, timeline and report goes through
 * here: rc_file_replace, durable, with the mode fopen(3) would give. */
int xp_write_file(const char *path, const char *text, size_t len)
{
	return rc_file_replace(path, text, len, 0666, 0, NULL, 0);
}

int xp_trace_write(const char *path, const char *scenario_text, uint64_t seed, json_t *params,
		   struct xp_result *r)
{
	size_t len;
	char *text = xp_trace_render(scenario_text, seed, params, r, &len);
	int rc = xp_write_file(path, text, len);
	free(text);
	return rc;
}

bool xp_is_trace_path(const char *path)
{
	size_t n = strlen(path);
	return (n > 6 && strcmp(path + n - 6, ".jsonl") == 0) || (n > 5 && strcmp(path + n - 5, ".json") == 0);
}

int xp_recipe_read(const char *path, struct xp_recipe *rc, char *err, size_t err_len)
{
	memset(rc, 0, sizeof *rc);
	char *trace;
	size_t len;
	if (rc_file_read(path, 0, 0, &trace, &len, err, err_len) != RC_FILE_OK)
		return -1;
	json_error_t je;
	json_t *h = json_loadb(trace, len, JSON_DISABLE_EOF_CHECK, &je);
	free(trace);
	const char *kind = NULL, *text = NULL;
	json_int_t seed = 0, format = 0;
	json_t *params = NULL;
	if (!h || json_unpack(h, "{s:s,s?I,s:I,s?o,s?s}", "trace", &kind, "format", &format, "seed", &seed, "params",
			      &params, "scenario", &text) != 0) {
		snprintf(err, err_len, "%s: not a rollcall trace (its first line is not a trace header)", path);
	} else if (strcmp(kind, XP_TRACE_KIND) != 0 || !text) {
		snprintf(err, err_len, "%s: a '%s' trace carries no scenario to replay; replay the scenario file "
			 "itself (rollcall replay FILE.scn) or use a trace written by rollcall explore", path, kind);
	} else if (format != 1) {
		snprintf(err, err_len, "%s: trace format %lld in its header, this build reads format 1", path,
			 (long long)format);
	} else {
		rc->scenario = xp_strdup(text);
		rc->seed = (uint64_t)seed; /* a seed from 2^63 up is written as a negative number */
		rc->params = params && !json_is_null(params) ? json_incref(params) : NULL;
	}
	json_decref(h);
	return rc->scenario ? 0 : -1;
}

void xp_recipe_free(struct xp_recipe *rc)
{
	free(rc->scenario);
	json_decref(rc->params);
	memset(rc, 0, sizeof *rc);
}

/* --- comparing traces --------------------------------------------------------------- */

/* One line of a text: its bytes without the '\n' (none past the end), and
 * whether a '\n' closed it. Compared by length and bytes, so a NUL byte in a
 * damaged file is a difference like any other. */
struct line_span {
	const char *start;
	size_t len;
	bool ended;
};

static struct line_span line_at(const char *text, size_t len, size_t *pos)
{
	struct line_span l = { text + *pos, 0, false };
	if (*pos >= len)
		return l;
	const char *nl = memchr(l.start, '\n', len - *pos);
	l.len = nl ? (size_t)(nl - l.start) : len - *pos;
	l.ended = nl != NULL;
	*pos += l.len + (l.ended ? 1 : 0);
	return l;
}

static bool same_bytes(struct line_span a, struct line_span b)
{
	return a.len == b.len && memcmp(a.start, b.start, a.len) == 0;
}

/* Whether a and b are the same once a '\r' at the end of either is dropped. */
static bool same_but_cr(struct line_span a, struct line_span b)
{
	a.len -= a.len && a.start[a.len - 1] == '\r';
	b.len -= b.len && b.start[b.len - 1] == '\r';
	return same_bytes(a, b);
}

/* A copy of the line to print: a NUL byte shows as \0. */
static char *printable(struct line_span l)
{
	char *out = xp_alloc(2 * l.len + 1), *o = out;
	for (size_t i = 0; i < l.len; i++) {
		if (l.start[i] == '\0') {
			*o++ = '\\';
			*o++ = '0';
		} else {
			*o++ = l.start[i];
		}
	}
	*o = '\0';
	return out;
}

void xp_diff_texts(const char *a, size_t alen, const char *b, size_t blen, struct xp_diff *d)
{
	memset(d, 0, sizeof *d);
	d->identical = alen == blen && memcmp(a, b, alen) == 0;
	size_t pa = 0, pb = 0;
	for (size_t line = 1; pa < alen || pb < blen; line++) {
		struct line_span la = line_at(a, alen, &pa), lb = line_at(b, blen, &pb);
		if (!d->line && (!same_bytes(la, lb) || la.ended != lb.ended)) {
			d->line = line;
			d->expected = printable(la);
			d->actual = printable(lb);
			d->line_ends = same_but_cr(la, lb);
		}
		d->lines = line;
	}
}

void xp_diff_free(struct xp_diff *d)
{
	free(d->expected);
	free(d->actual);
	memset(d, 0, sizeof *d);
}

char *xp_canonical_text(const char *text, char *err, size_t err_len)
{
	struct xp_script s;
	if (xp_script_parse(text, &s, err, err_len) != 0)
		return NULL;
	char *out = xp_script_format(&s, NULL);
	xp_script_free(&s);
	return out;
}
