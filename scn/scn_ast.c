/*
 * scn_ast.c - owning and releasing the parsed scenario, and reading files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc_file.h"
#include "scn_internal.h"
#include "scn_run.h"

struct scn_action *scn_new_action(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	s->actions = scn_grow(s->actions, &p->cap_actions, s->n_actions, sizeof *s->actions);
	struct scn_action *a = &s->actions[s->n_actions++];
	memset(a, 0, sizeof *a);
	return a;
}

struct scn_expect *scn_new_expect(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	s->expects = scn_grow(s->expects, &p->cap_expects, s->n_expects, sizeof *s->expects);
	struct scn_expect *e = &s->expects[s->n_expects++];
	memset(e, 0, sizeof *e);
	return e;
}

char *scn_reserve(struct scn_scenario *s, size_t size)
{
	return sim_strpool_reserve(&s->strings, size);
}

char *scn_keep(struct scn_scenario *s, const char *text, size_t n)
{
	return sim_strpool_keep(&s->strings, text, n);
}

char *scn_keep_str(struct scn_scenario *s, const char *text)
{
	return sim_strpool_keep(&s->strings, text, strlen(text));
}

void scn_free(struct scn_scenario *s)
{
	if (!s)
		return;
	sim_strpool_free(&s->strings);
	free(s->nodes);
	free(s->tasks);
	free(s->sandboxes);
	free(s->actions);
	free(s->expects);
	free(s);
}

static void diag_io(struct scn_diags *d, const char *path, const char *reason)
{
	size_t n = strlen(path) + strlen(reason) + 4;
	char *msg = malloc(n);
	if (!msg)
		abort();
	snprintf(msg, n, "%s: %s", path, reason);
	scn_diags_push(d, msg);
}

static void diag_at(struct scn_diags *d, const char *path, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void diag_at(struct scn_diags *d, const char *path, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_diag_vpush(d, path, line, col, "", fmt, ap);
	va_end(ap);
}

/* The first NUL byte of text, by line and column, so it can be found. */
static void diag_nul(struct scn_diags *d, const char *path, const char *text)
{
	int line = 1;
	const char *line_start = text, *nul = text + strlen(text);
	for (const char *p = text; p < nul; p++)
		if (*p == '\n') {
			line++;
			line_start = p + 1;
		}
	diag_at(d, path, line, (int)(nul - line_start) + 1, "a NUL byte (not a scenario text file)");
}

char *scn_read_file(const char *path, size_t *len)
{
	char *text;
	return rc_file_read(path, 0, 0, &text, len, NULL, 0) == RC_FILE_OK ? text : NULL;
}

/* What the simulator would refuse when a seed starts is an error of the
 * file, reported at its line before anything runs: check-scenario and run
 * must agree. (Generated scenarios, which explore parses with scn_parse,
 * are valid by construction and skip the cost.) Frees s when refused. */
static int check_setup(struct scn_scenario *s, struct scn_diags *diags)
{
	char why[400];
	struct scn_pos pos;
	if (scn_check_setup(s, why, sizeof why, &pos) == 0)
		return 0;
	diag_at(diags, s->path, pos.line ? pos.line : 1, pos.col ? pos.col : 1, "%s", why);
	scn_free(s);
	return -1;
}

struct scn_scenario *scn_parse_file(const char *path, struct scn_diags *diags)
{
	size_t len;
	char *text = scn_read_file(path, &len);
	if (!text) {
		diag_io(diags, path, strerror(errno));
		return NULL;
	}
	struct scn_scenario *s = NULL;
	if (strlen(text) != len)
		diag_nul(diags, path, text);
	else
		s = scn_parse(path, text, diags);
	free(text);
	return s && check_setup(s, diags) != 0 ? NULL : s;
}
