/*
 * scn_ast.c - owning and releasing the parsed scenario, and reading files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

struct scn_action *scn_new_action(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	s->actions = scn_grow(s->actions, &p->cap_actions, s->n_actions, sizeof *s->actions);
	return &s->actions[s->n_actions++];
}

struct scn_expect *scn_new_expect(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	s->expects = scn_grow(s->expects, &p->cap_expects, s->n_expects, sizeof *s->expects);
	return &s->expects[s->n_expects++];
}

static void free_node(struct scn_node *n)
{
	free(n->name);
	free(n->hostname);
	free(n->project_dir);
	free(n->executor_type);
	free(n->token);
}

void scn_free(struct scn_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_nodes; i++)
		free_node(&s->nodes[i]);
	for (size_t i = 0; i < s->n_tasks; i++) {
		free(s->tasks[i].name);
		free(s->tasks[i].kind);
	}
	for (size_t i = 0; i < s->n_sandboxes; i++)
		free(s->sandboxes[i].name);
	for (size_t i = 0; i < s->n_actions; i++) {
		free(s->actions[i].text);
		free(s->actions[i].container);
		free(s->actions[i].new_secret);
	}
	for (size_t i = 0; i < s->n_expects; i++) {
		free(s->expects[i].text);
		free(s->expects[i].state.text);
	}
	free(s->nodes);
	free(s->tasks);
	free(s->sandboxes);
	free(s->actions);
	free(s->expects);
	free(s->path);
	free(s->name);
	free(s->secret);
	free(s);
}

static void diag_io(struct scn_diags *d, const char *path, const char *reason)
{
	size_t n = strlen(path) + strlen(reason) + 4;
	char *msg = malloc(n);
	if (!msg)
		abort();
	snprintf(msg, n, "%s: %s", path, reason);
	d->items = scn_grow(d->items, &d->cap, d->len, sizeof *d->items);
	d->items[d->len++] = msg;
}

struct scn_scenario *scn_parse_file(const char *path, struct scn_diags *diags)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_io(diags, path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	if (!text)
		abort();
	size_t got;
	while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			cap *= 2;
			text = realloc(text, cap);
			if (!text)
				abort();
		}
	}
	bool failed = ferror(f) != 0;
	fclose(f);
	text[len] = '\0';
	struct scn_scenario *s = NULL;
	if (failed)
		diag_io(diags, path, "read error");
	else if (strlen(text) != len)
		diag_io(diags, path, "contains a NUL byte (not a scenario text file)");
	else
		s = scn_parse(path, text, diags);
	free(text);
	return s;
}
