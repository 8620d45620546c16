/*
 * conf_profile.c - loading a dialect profile and translating requests and
 * replies through it (conf_profile.h; the file format is documented in
 * fixtures/profiles/README.md).
 *
 * Translation works on JSON trees: a canonical body (from the core's codec)
 * has its keys renamed and its path ids moved into the target's path
 * template or body; a reply has its keys renamed back and its status words
 * and codes mapped, and is then decoded by the core's codec. Nothing here
 * decides what a reply means.
 */
#include "conf_profile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcd_file.h"
#include "scn.h"

#define MAX_STATUS_MAP 16
#define PROFILE_MAX_BYTES (1024 * 1024) /* a profile is a page of JSON */

enum word_kind { WORDS_RUNNER = 0, WORDS_TASK, WORDS_SANDBOX, WORDS_COUNT };
static const int word_counts[WORDS_COUNT] = { 2, 4, RC_SANDBOX_STATUS_COUNT };
#define MAX_WORDS RC_SANDBOX_STATUS_COUNT

struct status_map {
	int n;
	int from[MAX_STATUS_MAP], to[MAX_STATUS_MAP]; /* the target's code -> canonical */
};

struct op_map {
	bool present;
	char *method;     /* NULL: canonical */
	char *path;       /* template; NULL: canonical */
	json_t *fields;   /* canonical -> target names in requests (object of strings), global map merged in */
	json_t *rfields;  /* target -> canonical names in replies */
	struct status_map statuses;
};

struct conf_profile {
	char *name;
	char *secret_header;    /* "" never: a secret always travels in a header */
	char *runner_id_header; /* "": the reporter's id goes in the body as runner_id */
	struct op_map ops[RC_OP_COUNT];
	char *words[WORDS_COUNT][MAX_WORDS]; /* the target's word for each canonical one */
	struct conf_timings timings;
	int64_t settle_ms;
	enum conf_rotation rotation;
	bool identity; /* nothing to translate */
};

/* --- canonical words ------------------------------------------------------------- */

static const char *canonical_word(enum word_kind k, int i)
{
	switch (k) {
	case WORDS_RUNNER: return rc_runner_status_name((enum rc_runner_status)i);
	case WORDS_TASK: return rc_task_state_name((enum rc_task_state)i);
	default: return rc_sandbox_status_name((enum rc_sandbox_status)i);
	}
}

/* The key holding a status word in replies to op, and which words, or NULL. */
static const char *word_key(enum rc_op op, enum word_kind *kind)
{
	switch (op) {
	case RC_OP_RUNNERS_LIST: *kind = WORDS_RUNNER; return "status";
	case RC_OP_TASK_SUBMIT: case RC_OP_TASK_GET: *kind = WORDS_TASK; return "state";
	case RC_OP_SANDBOX_CREATE: case RC_OP_SANDBOX_GET: case RC_OP_SANDBOX_DELETE: case RC_OP_SANDBOX_REPORT:
		*kind = WORDS_SANDBOX;
		return "status";
	default: return NULL;
	}
}

/* --- construction ---------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static struct conf_profile *profile_new(void)
{
	struct conf_profile *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->name = xstrdup("rollcall-coordd");
	p->secret_header = xstrdup("X-Runner-Secret");
	p->runner_id_header = xstrdup("X-Runner-Id");
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT; op++)
		p->ops[op].present = true;
	for (int k = 0; k < WORDS_COUNT; k++)
		for (int i = 0; i < word_counts[k]; i++)
			p->words[k][i] = xstrdup(canonical_word((enum word_kind)k, i));
	struct conf_timings *t = &p->timings;
	t->stale_after_ms = 120000;
	t->remove_after_ms = 600000;
	t->sweep_interval_ms = 30000;
	t->task_timeout_ms = 60000;
	t->monitor_interval_ms = 10000;
	t->max_attempts = 3;
	t->heartbeat_interval_ms = 20000;
	t->secret_grace_ms = 3600000;
	p->rotation = CONF_ROTATE_SIGHUP;
	p->identity = true;
	return p;
}

struct conf_profile *conf_profile_default(void)
{
	return profile_new();
}

void conf_profile_free(struct conf_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->secret_header);
	free(p->runner_id_header);
	for (int op = 0; op < RC_OP_COUNT; op++) {
		free(p->ops[op].method);
		free(p->ops[op].path);
		json_decref(p->ops[op].fields);
		json_decref(p->ops[op].rfields);
	}
	for (int k = 0; k < WORDS_COUNT; k++)
		for (int i = 0; i < MAX_WORDS; i++)
			free(p->words[k][i]);
	free(p);
}

const char *conf_profile_name(const struct conf_profile *p)
{
	return p->name;
}

const struct conf_timings *conf_profile_timings(const struct conf_profile *p)
{
	return &p->timings;
}

int64_t conf_profile_settle_ms(const struct conf_profile *p)
{
	return p->settle_ms;
}

enum conf_rotation conf_profile_rotation(const struct conf_profile *p)
{
	return p->rotation;
}

bool conf_profile_has(const struct conf_profile *p, enum rc_op op)
{
	return op > RC_OP_NONE && op < RC_OP_COUNT && p->ops[op].present;
}

/* --- where a member is in the text ------------------------------------------------------ */

/* jansson keeps no positions, so a mistake found in the tree is located by
 * walking the text again (it has already parsed, so the walk can be
 * simple) to the member at a dotted path such as "ops.claim.fields": its
 * key's line and column, or those of the deepest member of the path that
 * is there (a required key left out is reported where its object begins). */

struct cursor {
	const char *s, *end, *line_start;
	int line;
};

static bool at_end(const struct cursor *c)
{
	return c->s >= c->end;
}

static void skip_space(struct cursor *c)
{
	for (; !at_end(c) && (*c->s == ' ' || *c->s == '\t' || *c->s == '\r' || *c->s == '\n'); c->s++)
		if (*c->s == '\n') {
			c->line++;
			c->line_start = c->s + 1;
		}
}

/* The string at c (its opening quote) into key (NULL: skip it). A key with
 * escapes other than \" \\ \/ reads as "\x01", which names no member. */
static void read_string(struct cursor *c, char *key, size_t cap)
{
	size_t n = 0;
	bool odd = false;
	for (c->s++; !at_end(c) && *c->s != '"'; c->s++) {
		char ch = *c->s;
		if (ch == '\\' && c->s + 1 < c->end) {
			ch = *++c->s;
			odd = odd || (ch != '"' && ch != '\\' && ch != '/');
		}
		if (key && n + 1 < cap)
			key[n++] = ch;
	}
	c->s += !at_end(c);
	if (key)
		snprintf(key + n, cap - n, "%s", "");
	if (key && odd)
		snprintf(key, cap, "\x01");
}

static void skip_value(struct cursor *c)
{
	int depth = 0;
	do {
		skip_space(c);
		if (at_end(c))
			return;
		char ch = *c->s;
		if (ch == '"') {
			read_string(c, NULL, 0);
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			depth--;
		else if (depth == 0) { /* a number or a literal */
			while (!at_end(c) && !strchr(",}] \t\r\n", *c->s))
				c->s++;
			return;
		}
		c->s++;
	} while (depth > 0);
}

/* Into the object at c, to the member at path; line and col follow each
 * member of the path found. */
static void find_member(struct cursor *c, const char *path, int *line, int *col)
{
	size_t seg = strcspn(path, ".");
	skip_space(c);
	if (at_end(c) || *c->s != '{')
		return;
	c->s++;
	for (;;) {
		skip_space(c);
		if (at_end(c) || *c->s != '"')
			return;
		int key_line = c->line, key_col = (int)(c->s - c->line_start) + 1;
		char key[128];
		read_string(c, key, sizeof key);
		skip_space(c);
		c->s += !at_end(c) && *c->s == ':';
		if (strlen(key) == seg && strncmp(key, path, seg) == 0) {
			*line = key_line;
			*col = key_col;
			if (path[seg] == '.')
				find_member(c, path + seg + 1, line, col);
			return;
		}
		skip_value(c);
		skip_space(c);
		if (at_end(c) || *c->s != ',')
			return;
		c->s++;
	}
}

/* The line and column of the member at path ("": the profile itself). */
static void locate(const char *text, size_t len, const char *path, int *line, int *col)
{
	struct cursor c = { text, text + len, text, 1 };
	skip_space(&c);
	*line = c.line;
	*col = (int)(c.s - c.line_start) + 1;
	if (path[0])
		find_member(&c, path, line, col);
}

/* --- loading ------------------------------------------------------------------------ */

struct loader {
	struct conf_profile *p;
	const char *path;
	const char *text; /* the file, to say where a mistake is */
	size_t len;
	char *err;
	size_t err_cap;
	bool failed;
};

/* Every mistake says FILE:LINE:COL: what, like a scenario's, at the member
 * at (a dotted path) or as near to it as the file has. */
static int load_error(struct loader *l, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int load_error(struct loader *l, const char *at, const char *fmt, ...)
{
	if (l->failed)
		return -1;
	l->failed = true;
	int line, col;
	locate(l->text, l->len, at, &line, &col);
	int n = snprintf(l->err, l->err_cap, "%s:%d:%d: ", l->path, line, col);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < l->err_cap)
		vsnprintf(l->err + n, l->err_cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Paths name members as they are written: "ops.claim.fields"; "" is the
 * profile itself. */
static const char *member(char *buf, size_t n, const char *at, const char *key)
{
	/* a path too long for buf is cut, and found only as far as it goes */
	const char *parts[] = { at, at[0] ? "." : "", key };
	size_t len = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		for (const char *c = parts[i]; *c && len + 1 < n; c++)
			buf[len++] = *c;
	buf[len] = '\0';
	return buf;
}

static const char *shown(const char *at)
{
	return at[0] ? at : "the profile";
}

/* Every key of the object at at must be one of allowed (NULL-terminated). */
static int check_keys(struct loader *l, json_t *obj, const char *at, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (int i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		char m[200];
		if (!ok)
			return load_error(l, member(m, sizeof m, at, key), "unknown key \"%s\" in %s", key, shown(at));
	}
	return 0;
}

static json_t *object_member(struct loader *l, json_t *obj, const char *key, const char *at)
{
	json_t *v = json_object_get(obj, key);
	char m[200];
	if (v && !json_is_object(v)) {
		load_error(l, member(m, sizeof m, at, key), "%s must be an object", m);
		return NULL;
	}
	return v;
}

static const char *string_member(struct loader *l, json_t *obj, const char *key, const char *at)
{
	json_t *v = json_object_get(obj, key);
	char m[200];
	if (v && !json_is_string(v)) {
		load_error(l, member(m, sizeof m, at, key), "%s must be a string", m);
		return NULL;
	}
	return v ? json_string_value(v) : NULL;
}

static enum rc_op op_by_name(const char *name)
{
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT; op++)
		if (strcmp(rc_op_name((enum rc_op)op), name) == 0)
			return (enum rc_op)op;
	return RC_OP_NONE;
}

static bool known_placeholder(const char *name, size_t len)
{
	static const char *const names[] = { "runner_id", "task_id", "sandbox_id" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return true;
	return false;
}

static int check_path(struct loader *l, const char *op, const char *at, const char *path)
{
	char m[200];
	member(m, sizeof m, at, "path");
	if (path[0] != '/')
		return load_error(l, m, "ops.%s.path must start with '/'", op);
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end || !known_placeholder(p + 1, (size_t)(end - p - 1)))
			return load_error(l, m, "ops.%s.path: unknown placeholder at \"%s\" (use {runner_id}, {task_id}, "
					  "{sandbox_id})", op, p);
	}
	return 0;
}

static int check_method(struct loader *l, const char *op, const char *at, const char *method)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(method, methods[i]) == 0)
			return 0;
	char m[200];
	return load_error(l, member(m, sizeof m, at, "method"),
			  "ops.%s.method \"%s\" is not GET, POST, PUT, PATCH or DELETE", op, method);
}

/* "fields": {"canonical": "theirs", ...} (the object at at) merged into dst. */
static int load_fields(struct loader *l, json_t *src, json_t *dst, const char *at)
{
	const char *key;
	json_t *v;
	json_object_foreach(src, key, v) {
		char m[200];
		if (!json_is_string(v) || json_string_length(v) == 0)
			return load_error(l, member(m, sizeof m, at, key), "%s must be a non-empty string", m);
		json_object_set(dst, key, v);
	}
	return 0;
}

/* The reverse of a field map; two canonical names for one of theirs is an
 * error, reported at the map at at (the op's own fields, else the global ones). */
static json_t *reverse_fields(struct loader *l, json_t *fields, const char *op, const char *at)
{
	json_t *r = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(fields, key, v) {
		if (json_object_get(r, json_string_value(v))) {
			load_error(l, at, "ops.%s: two fields are renamed to \"%s\"", op, json_string_value(v));
			break;
		}
		json_object_set_new(r, json_string_value(v), json_string(key));
	}
	return r;
}

static int load_statuses(struct loader *l, json_t *src, struct status_map *m, const char *at)
{
	const char *key;
	json_t *v;
	json_object_foreach(src, key, v) {
		char *end, where[200];
		long from = strtol(key, &end, 10);
		member(where, sizeof where, at, key);
		if (*end || from < 100 || from > 599 || !json_is_integer(v) || json_integer_value(v) < 100 ||
		    json_integer_value(v) > 599)
			return load_error(l, where, "%s: \"%s\" must map an HTTP status to an HTTP status", at, key);
		if (m->n == MAX_STATUS_MAP)
			return load_error(l, where, "%s: more than %d statuses", at, MAX_STATUS_MAP);
		m->from[m->n] = (int)from;
		m->to[m->n++] = (int)json_integer_value(v);
	}
	return 0;
}

static int load_op(struct loader *l, const char *name, json_t *spec, json_t *global_fields,
		   const struct status_map *global_statuses)
{
	static const char *const keys[] = { "method", "path", "fields", "request_fields", "statuses", "absent", NULL };
	enum rc_op op = op_by_name(name);
	char at[200], m[200];
	member(at, sizeof at, "ops", name);
	if (op == RC_OP_NONE)
		return load_error(l, at, "unknown operation \"%s\" in ops", name);
	if (!json_is_object(spec))
		return load_error(l, at, "ops.%s must be an object", name);
	if (check_keys(l, spec, at, keys) != 0)
		return -1;
	struct op_map *om = &l->p->ops[op];
	if (json_is_true(json_object_get(spec, "absent"))) {
		om->present = false;
		return 0;
	}
	const char *method = string_member(l, spec, "method", at), *path = string_member(l, spec, "path", at);
	if ((method && check_method(l, name, at, method) != 0) || (path && check_path(l, name, at, path) != 0))
		return -1;
	om->method = method ? xstrdup(method) : NULL;
	om->path = path ? xstrdup(path) : NULL;
	json_t *fields = object_member(l, spec, "fields", at), *statuses = object_member(l, spec, "statuses", at);
	json_t *request_fields = object_member(l, spec, "request_fields", at);
	json_object_update(om->fields, global_fields);
	if (fields && load_fields(l, fields, om->fields, member(m, sizeof m, at, "fields")) != 0)
		return -1;
	/* replies are read through the two-way names only */
	om->rfields = reverse_fields(l, om->fields, name, fields ? member(m, sizeof m, at, "fields") : "fields");
	if (request_fields && load_fields(l, request_fields, om->fields, member(m, sizeof m, at, "request_fields")) != 0)
		return -1;
	if (statuses && load_statuses(l, statuses, &om->statuses, member(m, sizeof m, at, "statuses")) != 0)
		return -1;
	for (int i = 0; i < global_statuses->n && om->statuses.n < MAX_STATUS_MAP; i++) {
		om->statuses.from[om->statuses.n] = global_statuses->from[i];
		om->statuses.to[om->statuses.n++] = global_statuses->to[i];
	}
	return 0;
}

static int load_words(struct loader *l, json_t *words)
{
	static const char *const kinds[] = { "runner", "task", "sandbox", NULL };
	if (check_keys(l, words, "words", kinds) != 0)
		return -1;
	for (int k = 0; k < WORDS_COUNT; k++) {
		json_t *table = object_member(l, words, kinds[k], "words");
		const char *key;
		json_t *v;
		json_object_foreach(table, key, v) {
			int i = 0;
			char at[200];
			snprintf(at, sizeof at, "words.%s.%s", kinds[k], key);
			while (i < word_counts[k] && strcmp(canonical_word((enum word_kind)k, i), key) != 0)
				i++;
			if (i == word_counts[k])
				return load_error(l, at, "words.%s: \"%s\" is not a canonical %s word", kinds[k], key, kinds[k]);
			if (!json_is_string(v) || json_string_length(v) == 0)
				return load_error(l, at, "%s must be a non-empty string", at);
			free(l->p->words[k][i]);
			l->p->words[k][i] = xstrdup(json_string_value(v));
		}
	}
	return l->failed ? -1 : 0;
}

static int load_duration(struct loader *l, json_t *obj, const char *key, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	char at[200];
	if (!json_is_string(v) || scn_parse_duration(json_string_value(v), out) != 0)
		return load_error(l, member(at, sizeof at, "target", key), "%s must be a duration such as \"2m\" or \"1500ms\"",
				  at);
	return 0;
}

/* How a launched target is told to rotate its secret. A loaded profile says
 * so or has no way (its scenarios that rotate are skipped): a signal the
 * target does not expect could end it. */
static int load_rotation(struct loader *l, json_t *v)
{
	if (!v)
		return 0;
	const char *word = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(word, "sighup") == 0)
		l->p->rotation = CONF_ROTATE_SIGHUP;
	else if (strcmp(word, "none") != 0)
		return load_error(l, "target.secret_rotation", "target.secret_rotation must be \"sighup\" (rewrite the secret file, send "
				     "SIGHUP) or \"none\"");
	return 0;
}

static int load_target(struct loader *l, json_t *t)
{
	static const char *const keys[] = { "stale_after", "remove_after", "sweep_interval", "task_timeout",
					    "monitor_interval", "max_attempts", "heartbeat_interval", "secret_grace",
					    "settle", "secret_rotation", NULL };
	struct conf_timings *tm = &l->p->timings;
	if (check_keys(l, t, "target", keys) != 0 || load_duration(l, t, "stale_after", &tm->stale_after_ms) ||
	    load_duration(l, t, "remove_after", &tm->remove_after_ms) ||
	    load_duration(l, t, "sweep_interval", &tm->sweep_interval_ms) ||
	    load_duration(l, t, "task_timeout", &tm->task_timeout_ms) ||
	    load_duration(l, t, "monitor_interval", &tm->monitor_interval_ms) ||
	    load_duration(l, t, "heartbeat_interval", &tm->heartbeat_interval_ms) ||
	    load_duration(l, t, "secret_grace", &tm->secret_grace_ms) || load_duration(l, t, "settle", &l->p->settle_ms))
		return -1;
	json_t *ma = json_object_get(t, "max_attempts");
	if (ma && (!json_is_integer(ma) || json_integer_value(ma) < 1))
		return load_error(l, "target.max_attempts", "target.max_attempts must be a positive integer");
	if (ma)
		tm->max_attempts = json_integer_value(ma);
	if (tm->sweep_interval_ms <= 0 || tm->monitor_interval_ms <= 0)
		return load_error(l, tm->sweep_interval_ms <= 0 ? "target.sweep_interval" : "target.monitor_interval",
				  "target: sweep_interval and monitor_interval must be > 0");
	return load_rotation(l, json_object_get(t, "secret_rotation"));
}

static int load_headers(struct loader *l, json_t *h)
{
	static const char *const keys[] = { "secret", "runner_id", NULL };
	if (check_keys(l, h, "headers", keys) != 0)
		return -1;
	const char *secret = string_member(l, h, "secret", "headers");
	const char *rid = string_member(l, h, "runner_id", "headers");
	if (secret && !secret[0])
		return load_error(l, "headers.secret", "headers.secret must name a header");
	if (secret) {
		free(l->p->secret_header);
		l->p->secret_header = xstrdup(secret);
	}
	if (rid) {
		free(l->p->runner_id_header);
		l->p->runner_id_header = xstrdup(rid);
	}
	return l->failed ? -1 : 0;
}

static int load_root(struct loader *l, json_t *root)
{
	static const char *const keys[] = { "name", "about", "headers", "ops", "fields", "statuses", "words", "target",
					    NULL };
	if (!json_is_object(root))
		return load_error(l, "", "a profile is a JSON object");
	if (check_keys(l, root, "", keys) != 0)
		return -1;
	const char *name = string_member(l, root, "name", "");
	if (!name || !name[0])
		return load_error(l, "name", "\"name\" (a non-empty string) is required");
	free(l->p->name);
	l->p->name = xstrdup(name);
	json_t *headers = object_member(l, root, "headers", "");
	json_t *ops = object_member(l, root, "ops", "");
	json_t *fields = object_member(l, root, "fields", "");
	json_t *statuses = object_member(l, root, "statuses", "");
	json_t *words = object_member(l, root, "words", "");
	json_t *target = object_member(l, root, "target", "");
	if (l->failed || (headers && load_headers(l, headers) != 0) || (words && load_words(l, words) != 0) ||
	    (target && load_target(l, target) != 0))
		return -1;
	json_t *global_fields = json_object();
	struct status_map global_statuses = { 0 };
	if ((fields && load_fields(l, fields, global_fields, "fields") != 0) ||
	    (statuses && load_statuses(l, statuses, &global_statuses, "statuses") != 0)) {
		json_decref(global_fields);
		return -1;
	}
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT; op++) {
		struct op_map *m = &l->p->ops[op];
		m->fields = json_object();
		json_t *spec = ops ? json_object_get(ops, rc_op_name((enum rc_op)op)) : NULL;
		if (!spec) { /* not mentioned: canonical route, global maps */
			json_object_update(m->fields, global_fields);
			m->statuses = global_statuses;
		}
	}
	const char *key;
	json_t *spec;
	if (ops)
		json_object_foreach(ops, key, spec) if (load_op(l, key, spec, global_fields, &global_statuses) != 0) break;
	json_decref(global_fields);
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT && !l->failed; op++)
		if (!l->p->ops[op].rfields)
			l->p->ops[op].rfields = reverse_fields(l, l->p->ops[op].fields, rc_op_name((enum rc_op)op), "fields");
	l->p->identity = false;
	return l->failed ? -1 : 0;
}

struct conf_profile *conf_profile_load(const char *path, char *err, size_t err_cap)
{
	char *text;
	size_t len;
	if (rcd_read_file(path, PROFILE_MAX_BYTES, &text, &len, err, err_cap) != 0)
		return NULL; /* "cannot open FILE: ...", "cannot read FILE: Is a directory" */
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, err_cap, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		free(text);
		return NULL;
	}
	struct loader l = { profile_new(), path, text, len, err, err_cap, false };
	if (!l.p)
		abort();
	l.p->rotation = CONF_ROTATE_NONE; /* see load_rotation */
	int rc = load_root(&l, root);
	json_decref(root);
	free(text);
	if (rc != 0) {
		conf_profile_free(l.p);
		return NULL;
	}
	return l.p;
}

/* --- translating ------------------------------------------------------------------------ */

/* A copy of v with every object key renamed through map (a key not in it
 * stays), at every depth. */
static json_t *renamed(json_t *v, json_t *map)
{
	if (json_is_array(v)) {
		json_t *a = json_array();
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append_new(a, renamed(json_array_get(v, i), map));
		return a;
	}
	if (!json_is_object(v))
		return json_incref(v);
	json_t *o = json_object();
	const char *key;
	json_t *item;
	json_object_foreach(v, key, item) {
		json_t *to = json_object_get(map, key);
		json_object_set_new(o, to ? json_string_value(to) : key, renamed(item, map));
	}
	return o;
}

/* Replace the string values of key (at every depth) found in from[] by the
 * word at the same index of to[]. */
static void map_words(json_t *v, const char *key, char *const *from, char *const *to, int n)
{
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			map_words(json_array_get(v, i), key, from, to, n);
		return;
	}
	if (!json_is_object(v))
		return;
	const char *k;
	json_t *item;
	json_object_foreach(v, k, item) {
		if (strcmp(k, key) == 0 && json_is_string(item)) {
			for (int i = 0; i < n; i++)
				if (strcmp(json_string_value(item), from[i]) == 0) {
					json_string_set(item, to[i]);
					break;
				}
		} else {
			map_words(item, key, from, to, n);
		}
	}
}

static void canonical_words(enum word_kind k, char **out)
{
	for (int i = 0; i < word_counts[k]; i++)
		out[i] = (char *)canonical_word(k, i);
}

/* Append text to buf with unsafe characters %-escaped. */
static int append_escaped(char *buf, size_t cap, size_t *used, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			     *c == '-' || *c == '_' || *c == '.' || *c == '~';
		size_t need = plain ? 1 : 3;
		if (*used + need >= cap)
			return -1;
		if (plain) {
			buf[(*used)++] = (char)*c;
		} else {
			buf[(*used)++] = '%';
			buf[(*used)++] = hex[*c >> 4];
			buf[(*used)++] = hex[*c & 15];
		}
	}
	buf[*used] = '\0';
	return 0;
}

/* The ids a message carries outside its canonical body. */
struct params {
	const char *runner_id; /* in the path (runner ops) or X-Runner-Id (sandbox report) */
	char task_id[24], sandbox_id[24];
	bool runner_in_path, task_in_path, sandbox_in_path;
};

static void params_of(const struct rc_msg *msg, struct params *pp)
{
	memset(pp, 0, sizeof *pp);
	enum rc_op op = msg->op;
	pp->runner_in_path = op == RC_OP_HEARTBEAT || op == RC_OP_DEREGISTER || op == RC_OP_CLAIM;
	pp->task_in_path = op == RC_OP_TASK_GET || op == RC_OP_TASK_STATUS || op == RC_OP_TASK_COMPLETE;
	pp->sandbox_in_path = op == RC_OP_SANDBOX_GET || op == RC_OP_SANDBOX_DELETE || op == RC_OP_SANDBOX_REPORT;
	pp->runner_id = msg->runner_id;
	snprintf(pp->task_id, sizeof pp->task_id, "%llu", (unsigned long long)msg->task_id);
	snprintf(pp->sandbox_id, sizeof pp->sandbox_id, "%llu", (unsigned long long)msg->sandbox_id);
}

/* Fill the template; every placeholder used is recorded in *used_mask
 * (1 runner, 2 task, 4 sandbox). */
static int fill_path(const char *tmpl, const struct params *pp, json_t *body, char *out, size_t cap,
		     unsigned *used_mask)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *c = tmpl; *c;) {
		if (*c != '{') {
			if (used + 1 >= cap)
				return -1;
			out[used++] = *c++;
			out[used] = '\0';
			continue;
		}
		const char *end = strchr(c, '}');
		size_t len = (size_t)(end - c - 1);
		const char *value = NULL;
		char num[24];
		if (len == 9 && memcmp(c + 1, "runner_id", 9) == 0) {
			value = pp->runner_id;
			*used_mask |= 1;
			if (!value && json_is_string(json_object_get(body, "runner_id")))
				value = json_string_value(json_object_get(body, "runner_id"));
		} else if (len == 7 && memcmp(c + 1, "task_id", 7) == 0) {
			value = pp->task_id;
			*used_mask |= 2;
			json_t *v = json_object_get(body, "task_id");
			if (!pp->task_in_path && json_is_integer(v)) {
				snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
				value = num;
			}
		} else {
			value = pp->sandbox_id;
			*used_mask |= 4;
		}
		if (!value || append_escaped(out, cap, &used, value) != 0)
			return -1;
		c = end + 1;
	}
	return 0;
}

static void add_header(struct conf_wire_request *w, const char *name, const char *value)
{
	if (!value || w->n_headers == CONF_MAX_HEADERS)
		return;
	w->headers[w->n_headers].name = name;
	snprintf(w->headers[w->n_headers].value, sizeof w->headers[w->n_headers].value, "%s", value);
	w->n_headers++;
}

void conf_wire_request_free(struct conf_wire_request *w)
{
	free(w->body);
	w->body = NULL;
}

/* Ids the target's template does not take go in the body (under their
 * canonical names, renamed with the rest); ids it takes leave the body. A
 * reporter's id goes in the body when the profile names no header for it.
 * Without a template of the profile's the path stays canonical. */
static void place_params(const struct conf_profile *p, const struct params *pp, unsigned used_mask, enum rc_op op,
			 json_t *body, bool own_path)
{
	bool rid_header = op == RC_OP_SANDBOX_REPORT && p->runner_id_header[0];
	if (!own_path) {
		if (op == RC_OP_SANDBOX_REPORT && !rid_header && pp->runner_id)
			json_object_set_new(body, "runner_id", json_string(pp->runner_id));
		return;
	}
	if (used_mask & 1)
		json_object_del(body, "runner_id");
	else if ((pp->runner_in_path || (op == RC_OP_SANDBOX_REPORT && !rid_header)) && pp->runner_id)
		json_object_set_new(body, "runner_id", json_string(pp->runner_id));
	if (used_mask & 2)
		json_object_del(body, "task_id");
	else if (pp->task_in_path)
		json_object_set_new(body, "task_id", json_integer(strtoll(pp->task_id, NULL, 10)));
	if (!(used_mask & 4) && pp->sandbox_in_path)
		json_object_set_new(body, "sandbox_id", json_integer(strtoll(pp->sandbox_id, NULL, 10)));
}

static int translate_request(const struct conf_profile *p, const struct rc_msg *msg, const char *canonical_body,
			     struct conf_wire_request *out, char *err, size_t err_cap)
{
	const struct op_map *m = &p->ops[msg->op];
	json_t *body = canonical_body ? json_loads(canonical_body, 0, NULL) : json_object();
	if (!json_is_object(body)) {
		json_decref(body);
		snprintf(err, err_cap, "the canonical %s body is not an object", rc_op_name(msg->op));
		return -1;
	}
	struct params pp;
	params_of(msg, &pp);
	unsigned used = 0;
	if (m->path && fill_path(m->path, &pp, body, out->path, sizeof out->path, &used) != 0) {
		json_decref(body);
		snprintf(err, err_cap, "the %s path template %s cannot be filled", rc_op_name(msg->op), m->path);
		return -1;
	}
	place_params(p, &pp, used, msg->op, body, m->path != NULL);
	if (m->method)
		out->method = m->method;
	if (msg->op == RC_OP_SANDBOX_REPORT) {
		char *canon[MAX_WORDS];
		canonical_words(WORDS_SANDBOX, canon);
		map_words(body, "status", canon, (char *const *)p->words[WORDS_SANDBOX], word_counts[WORDS_SANDBOX]);
	}
	json_t *theirs = renamed(body, m->fields);
	json_decref(body);
	out->body = NULL; /* the canonical text stays the caller's */
	if (canonical_body || json_object_size(theirs) > 0)
		out->body = json_dumps(theirs, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(theirs);
	return 0;
}

int conf_profile_encode(const struct conf_profile *p, const struct rc_msg *msg, struct conf_wire_request *out,
			char *err, size_t err_cap)
{
	memset(out, 0, sizeof *out);
	out->op = msg->op;
	if (!conf_profile_has(p, msg->op)) {
		snprintf(err, err_cap, "profile %s has no %s operation", p->name, rc_op_name(msg->op));
		return -1;
	}
	char *body = NULL;
	if (rc_proto_encode_request(msg, &out->method, out->path, sizeof out->path, &body) != 0) {
		snprintf(err, err_cap, "cannot encode the %s request", rc_op_name(msg->op));
		return -1;
	}
	out->body = body;
	if (!p->identity && translate_request(p, msg, body, out, err, err_cap) != 0) {
		free(body);
		out->body = NULL;
		return -1;
	}
	if (out->body != body)
		free(body);
	add_header(out, p->secret_header, msg->secret);
	if (msg->op == RC_OP_SANDBOX_REPORT && p->runner_id_header[0])
		add_header(out, p->runner_id_header, msg->runner_id);
	return 0;
}

static int map_status(const struct status_map *m, int status)
{
	for (int i = 0; i < m->n; i++)
		if (m->from[i] == status)
			return m->to[i];
	return status;
}

/* An error reply whose body is not the canonical error object. */
static int error_fallback(int status, const char *body, size_t len, struct rc_reply *reply, struct rc_error *err)
{
	reply->status = status;
	rc_error_clear(&reply->error);
	reply->error.code = "?";
	snprintf(reply->error.message, sizeof reply->error.message, "%.*s", (int)(len > 150 ? 150 : len),
		 body ? body : "");
	if (err)
		rc_error_clear(err);
	return 0;
}

int conf_profile_decode(const struct conf_profile *p, enum rc_op op, int http_status, const char *body,
			size_t body_len, struct rc_reply *reply, struct rc_proto_arena *arena, json_t **canonical,
			struct rc_error *err)
{
	const struct op_map *m = &p->ops[op];
	int status = http_status ? map_status(&m->statuses, http_status) : 0;
	if (canonical)
		*canonical = NULL;
	json_t *root = NULL;
	char *text = NULL;
	if (body_len > 0 && status) {
		json_error_t jerr;
		json_t *theirs = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
		if (theirs && !p->identity) {
			root = renamed(theirs, m->rfields);
			json_decref(theirs);
			enum word_kind k = WORDS_RUNNER;
			const char *key = word_key(op, &k);
			char *canon[MAX_WORDS];
			canonical_words(k, canon);
			if (key)
				map_words(root, key, (char *const *)p->words[k], canon, word_counts[k]);
		} else {
			root = theirs;
		}
		text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	}
	const char *b = root ? text : body;
	size_t n = root ? (text ? strlen(text) : 0) : body_len;
	int rc = rc_proto_decode_reply(op, status, b, n, reply, arena, err);
	if (rc != 0 && status >= 400)
		rc = error_fallback(status, body, body_len, reply, err);
	free(text);
	if (rc == 0 && canonical)
		*canonical = root;
	else
		json_decref(root);
	return rc;
}
