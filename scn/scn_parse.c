/*
 * scn_parse.c - a scenario file, line by line, into struct scn_scenario.
 *
 * Two passes: the first only collects the names a file defines (runners,
 * submitted tasks, created sandboxes), so that an expectation may mention a
 * task before the line that submits it; the second parses every statement
 * and reports each mistake as `file:line:col: message`. A file with any
 * error yields no scenario at all: nothing half-parsed ever runs.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

static const char default_secret[] = "s3cret";

/* Words that cannot be names: a name equal to a keyword would make lines
 * ambiguous to readers even where the parser could cope, and a runner named
 * after an action ("report") could not start its own request lines. Sorted, for
 * bsearch: every defining word is checked, in every explored scenario. */
static const char *const reserved[] = {
	"all", "and", "at", "becomes", "between", "by", "clock", "config", "coordinator", "crash",
	"create", "delay", "delete", "drop", "end", "eventually", "exactly", "expect", "for", "forever",
	"from", "gets", "got", "has", "heal", "is", "jump", "lasting", "least", "like", "liveness",
	"most", "never", "next", "not", "on", "once", "partition", "pause", "process", "report",
	"restart", "resume", "rotate", "runner", "sandbox", "secret", "seeds", "sends", "sent", "skew",
	"start", "stop", "submit", "task", "times", "to", "twice", "unknown", "with", "within", "without",
};

const char *scn_name_kind_word(enum scn_name_kind k)
{
	switch (k) {
	case SCN_COORDINATOR: return "coordinator";
	case SCN_RUNNER: return "runner";
	case SCN_TASK: return "task";
	case SCN_SANDBOX: return "sandbox";
	}
	return "name";
}

static int cmp_word(const void *key, const void *item)
{
	const char *a = key, *b = *(const char *const *)item;
	/* the first letters decide most steps of the search, without a call */
	if (a[0] != b[0])
		return (unsigned char)a[0] - (unsigned char)b[0];
	return strcmp(a, b);
}

static bool reserved_sorted(void)
{
	for (size_t i = 1; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(reserved[i - 1], reserved[i]) >= 0)
			return false;
	return true;
}

static bool is_reserved(const char *name)
{
	return bsearch(name, reserved, sizeof reserved / sizeof reserved[0], sizeof reserved[0], cmp_word) != NULL;
}

#define NAME_MAX_LEN 63

/* Letters, digits, '_', '-', '.', starting with a letter (any length). */
static bool has_name_chars(const struct scn_word *w)
{
	const char *name = w->text;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (const char *c = name; c < name + w->len; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-' || *c == '.'))
			return false;
	return true;
}

static bool is_identifier(const struct scn_word *w)
{
	return has_name_chars(w) && w->len <= NAME_MAX_LEN;
}

int scn_find_node(const struct scn_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scn_find_task(const struct scn_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_tasks; i++)
		if (strcmp(s->tasks[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scn_find_sandbox(const struct scn_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_sandboxes; i++)
		if (strcmp(s->sandboxes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- pass 1: names ---------------------------------------------------------- */

static void define_node(struct scn_parser *p, const char *name, struct scn_pos pos, bool coord)
{
	struct scn_scenario *s = p->s;
	s->nodes = scn_grow(s->nodes, &p->cap_nodes, s->n_nodes, sizeof *s->nodes);
	struct scn_node *n = &s->nodes[s->n_nodes++];
	*n = (struct scn_node){ .name = scn_keep_str(s, name), .pos = pos, .is_coordinator = coord,
				.heartbeat_ms = SCN_UNSET, .concurrency = 1 };
	scn_names_add(&p->names, n->name, coord ? SCN_COORDINATOR : SCN_RUNNER, (int)s->n_nodes - 1);
	if (!coord) {
		n->hostname = scn_keep_str(s, name);
		n->project_dir = scn_keep_str(s, "/work");
		n->executor_type = scn_keep_str(s, "test-executor");
		size_t len = strlen(name) + 8;
		n->token = scn_reserve(s, len);
		snprintf(n->token, len, "token-%s", name);
	}
}

static void define_task(struct scn_parser *p, const char *name, struct scn_pos pos)
{
	struct scn_scenario *s = p->s;
	s->tasks = scn_grow(s->tasks, &p->cap_tasks, s->n_tasks, sizeof *s->tasks);
	struct scn_task *t = &s->tasks[s->n_tasks++];
	*t = (struct scn_task){ .name = scn_keep_str(s, name), .pos = pos, .duration_ms = 1000,
				.crash_after_ms = SCN_UNSET };
	scn_names_add(&p->names, t->name, SCN_TASK, (int)s->n_tasks - 1);
}

static void define_sandbox(struct scn_parser *p, const char *name, struct scn_pos pos)
{
	struct scn_scenario *s = p->s;
	s->sandboxes = scn_grow(s->sandboxes, &p->cap_sandboxes, s->n_sandboxes, sizeof *s->sandboxes);
	struct scn_sandbox *b = &s->sandboxes[s->n_sandboxes++];
	*b = (struct scn_sandbox){ .name = scn_keep_str(s, name), .pos = pos, .task = -1 };
	scn_names_add(&p->names, b->name, SCN_SANDBOX, (int)s->n_sandboxes - 1);
}

/* The word a line defines as a name, if it is a defining line: which word and
 * of what kind. Returns the word index or -1. */
static int defining_word(const struct scn_line *l, enum scn_name_kind *kind)
{
	const struct scn_word *w = l->words;
	if (l->n >= 2 && scn_word_is(&w[0], "runner")) {
		*kind = SCN_RUNNER;
		return 1;
	}
	if (l->n >= 4 && scn_word_is(&w[0], "at") && scn_word_is(&w[2], "submit")) {
		*kind = SCN_TASK;
		return (scn_word_is(&w[3], "task") && l->n >= 5) ? 4 : 3;
	}
	if (l->n >= 5 && scn_word_is(&w[0], "at") && scn_word_is(&w[2], "create") &&
	    scn_word_is(&w[3], "sandbox")) {
		*kind = SCN_SANDBOX;
		return 4;
	}
	return -1;
}

static void collect_names(struct scn_parser *p, const struct scn_line *l)
{
	enum scn_name_kind kind;
	int wi = defining_word(l, &kind);
	if (wi < 0)
		return;
	const struct scn_word *w = &l->words[wi];
	const char *name = w->text;
	int ignored;
	if (!is_identifier(w) || is_reserved(name) || scn_name_kind_of(p, name, (size_t)w->len, &ignored) >= 0)
		return; /* pass 2 reports it */
	struct scn_pos pos = { l->number, l->words[wi].col };
	if (kind == SCN_RUNNER)
		define_node(p, name, pos, false);
	else if (kind == SCN_TASK)
		define_task(p, name, pos);
	else
		define_sandbox(p, name, pos);
}

int scn_check_definition(struct scn_parser *p, enum scn_name_kind kind, int *index)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a name");
	int k = scn_name_kind_of(p, w->text, (size_t)w->len, index);
	const struct scn_pos *pos = NULL;
	if (k == SCN_RUNNER || k == SCN_COORDINATOR)
		pos = &p->s->nodes[*index].pos;
	else if (k == SCN_TASK)
		pos = &p->s->tasks[*index].pos;
	else if (k == SCN_SANDBOX)
		pos = &p->s->sandboxes[*index].pos;
	/* Pass 1 defines only valid names that are no keywords, so a name it
	 * defined on this line needs no other check (every submitted task of
	 * every explored seed comes here); anything else gets the first error
	 * that applies, in the order they always came. */
	if (pos && k == (int)kind && pos->line == p->line->number) {
		p->i++;
		return 0;
	}
	if (!has_name_chars(w))
		return scn_error(p, w->col, "bad name '%s' (letters, digits, '_', '-', '.'; starting with a letter)",
				 w->text);
	if (w->len > NAME_MAX_LEN)
		return scn_error(p, w->col, "name '%.*s...' is %d characters long, more than %d", 16, w->text, w->len,
				 NAME_MAX_LEN);
	if (is_reserved(w->text))
		return scn_error(p, w->col, "'%s' is a keyword and cannot be a name", w->text);
	if (pos && pos->line > 0)
		return scn_error(p, w->col, "'%s' is already defined as a %s at line %d", w->text,
				 scn_name_kind_word((enum scn_name_kind)k), pos->line);
	return scn_error(p, w->col, "'%s' is already defined as a %s", w->text,
			 scn_name_kind_word((enum scn_name_kind)k));
}

/* --- pass 2: statements ----------------------------------------------------- */

enum cfg_type { CFG_DURATION, CFG_COUNT, CFG_ON_OFF };

static const struct {
	const char *key;
	enum cfg_type type;
	size_t offset;
} config_keys[] = {
#define K(name, type, field) { name, type, offsetof(struct scn_config, field) }
	K("stale_after", CFG_DURATION, stale_after_ms),
	K("remove_after", CFG_DURATION, remove_after_ms),
	K("sweep_interval", CFG_DURATION, sweep_interval_ms),
	K("task_timeout", CFG_DURATION, task_timeout_ms),
	K("monitor_interval", CFG_DURATION, monitor_interval_ms),
	K("max_attempts", CFG_COUNT, max_attempts),
	K("heartbeat_interval", CFG_DURATION, heartbeat_interval_ms),
	K("secret_grace", CFG_DURATION, secret_grace_ms),
	K("permute_ties", CFG_ON_OFF, permute_ties),
	K("request_timeout", CFG_DURATION, request_timeout_ms),
	K("restart_delay", CFG_DURATION, restart_delay_ms),
	K("restart_max_delay", CFG_DURATION, restart_max_delay_ms),
	K("max_restarts", CFG_COUNT, max_restarts),
	K("stable_after", CFG_DURATION, stable_after_ms),
	K("stop_grace", CFG_DURATION, stop_grace_ms),
	K("term_exit", CFG_DURATION, term_exit_ms),
	K("lossy_storage", CFG_ON_OFF, lossy_storage),
#undef K
};
#define N_CONFIG_KEYS (sizeof config_keys / sizeof config_keys[0])

void scn_config_init(struct scn_config *c)
{
	int64_t *v = (int64_t *)c;
	for (size_t i = 0; i < sizeof *c / sizeof *v; i++)
		v[i] = SCN_UNSET;
}

static int parse_latency(struct scn_parser *p, struct scn_config *c)
{
	if (scn_accept(p, "between")) {
		if (scn_read_duration(p, &c->latency_min_ms) != 0 ||
		    scn_require(p, "and", "between the two latencies") != 0 ||
		    scn_read_duration(p, &c->latency_max_ms) != 0)
			return -1;
		if (c->latency_max_ms < c->latency_min_ms)
			return scn_error(p, p->line->words[p->i - 1].col,
					 "the latency range ends before it starts");
		return 0;
	}
	if (scn_read_duration(p, &c->latency_min_ms) != 0)
		return -1;
	c->latency_max_ms = c->latency_min_ms;
	return 0;
}

/* A setting given twice: the second would silently win, and a reader of the
 * first would be misled. */
static int set_twice(struct scn_parser *p, const struct scn_word *key)
{
	return scn_error(p, key->col, "'%s' is set on an earlier line already", key->text);
}

/* Note where the config field at offset was set (see scn_check_setup). */
static void mark_set(struct scn_parser *p, size_t offset, const struct scn_word *key)
{
	p->s->config_pos[offset / sizeof(int64_t)] = (struct scn_pos){ p->line->number, key->col };
}

static int parse_config(struct scn_parser *p)
{
	const struct scn_word *key = scn_next(p);
	if (!key)
		return scn_expected(p, "a setting name (stale_after, latency, ...)");
	if (scn_word_is(key, "latency")) {
		if (p->s->config.latency_min_ms != SCN_UNSET)
			return set_twice(p, key);
		mark_set(p, offsetof(struct scn_config, latency_min_ms), key);
		mark_set(p, offsetof(struct scn_config, latency_max_ms), key);
		return parse_latency(p, &p->s->config);
	}
	if (scn_word_is(key, "secret")) {
		if (p->secret_set)
			return set_twice(p, key);
		p->secret_set = true;
		p->s->secret_pos = (struct scn_pos){ p->line->number, key->col };
		return scn_read_text(p, "the shared secret", &p->s->secret);
	}
	for (size_t i = 0; i < N_CONFIG_KEYS; i++) {
		if (strcmp(key->text, config_keys[i].key) != 0)
			continue;
		int64_t *field = (int64_t *)((char *)&p->s->config + config_keys[i].offset);
		if (*field != SCN_UNSET)
			return set_twice(p, key);
		mark_set(p, config_keys[i].offset, key);
		switch (config_keys[i].type) {
		case CFG_DURATION:
			if (scn_read_duration(p, field) != 0)
				return -1;
			if (field == &p->s->config.heartbeat_interval_ms && *field % 1000 != 0)
				return scn_error(p, p->line->words[p->i - 1].col,
						 "heartbeat_interval is told to runners in whole seconds");
			return 0;
		case CFG_COUNT:
			return scn_read_int(p, "a count", 0, 1000000, field);
		case CFG_ON_OFF:
			if (scn_accept(p, "on"))
				*field = 1;
			else if (scn_accept(p, "off"))
				*field = 0;
			else
				return scn_expected(p, "'on' or 'off'");
			return 0;
		}
	}
	return scn_error(p, key->col, "unknown setting '%s'", key->text);
}

static void copy_identity(struct scn_node *to, const struct scn_node *from)
{
	/* both are the scenario's kept strings, never changed in place: share them */
	to->hostname = from->hostname;
	to->project_dir = from->project_dir;
	to->executor_type = from->executor_type;
	to->heartbeat_ms = from->heartbeat_ms;
	to->concurrency = from->concurrency;
}

/* A runner's properties, by their bit in a struct scn_once. */
enum runner_prop { P_HOSTNAME, P_PROJECT_DIR, P_EXECUTOR_TYPE, P_TOKEN, P_HEARTBEAT, P_CONCURRENCY, P_LIKE, P_COUNT };
static const char *const runner_props[P_COUNT] = { "hostname", "project_dir", "executor_type", "token",
						   "heartbeat", "concurrency", "like" };
_Static_assert(P_COUNT <= SCN_ONCE_MAX, "a runner property without a bit");
/* What `like R` sets: given before it, they would be silently replaced. */
#define LIKE_COPIES                                                                                                \
	((1u << P_HOSTNAME) | (1u << P_PROJECT_DIR) | (1u << P_EXECUTOR_TYPE) | (1u << P_HEARTBEAT) |                \
	 (1u << P_CONCURRENCY))

static int parse_like(struct scn_parser *p, struct scn_node *n, const struct scn_once *given)
{
	int other;
	if (scn_read_name(p, 1u << SCN_RUNNER, &other, NULL) < 0)
		return -1;
	int col = p->line->words[p->i - 1].col;
	const struct scn_node *o = &p->s->nodes[other];
	/* a runner declared later (or this one) has no properties yet */
	if (o->pos.line >= p->line->number)
		return scn_error(p, col, "'like %s': %s is declared at line %d; 'like' copies a runner declared "
					 "on an earlier line", o->name, o->name, o->pos.line);
	unsigned lost = given->seen & LIKE_COPIES;
	if (lost) {
		int b = __builtin_ctz(lost);
		return scn_error(p, col, "'like %s' sets %s, given before it (column %d), which it would replace: write "
					 "'like' first and then what differs", o->name, runner_props[b], given->col[b]);
	}
	copy_identity(n, o);
	return 0;
}

/* One PROPERTY VALUE of a runner line; -1 when reported. */
static int parse_runner_option(struct scn_parser *p, struct scn_node *n, struct scn_once *given)
{
	const struct scn_word *w = scn_next(p);
	int prop = 0;
	while (prop < P_COUNT && !scn_word_is(w, runner_props[prop])) /* lengths first */
		prop++;
	if (prop == P_COUNT)
		return scn_error(p, w->col,
				 "unknown runner property '%s' (hostname, project_dir, executor_type, token, "
				 "heartbeat, concurrency, like)", w->text);
	if (scn_once(p, given, prop, w, "in this runner's declaration") != 0)
		return -1;
	int64_t v;
	switch ((enum runner_prop)prop) {
	case P_HOSTNAME: return scn_read_text(p, "a hostname", &n->hostname);
	case P_PROJECT_DIR: return scn_read_text(p, "a project directory", &n->project_dir);
	case P_EXECUTOR_TYPE: return scn_read_text(p, "an executor type", &n->executor_type);
	case P_TOKEN: return scn_read_text(p, "an instance token", &n->token);
	case P_HEARTBEAT: return scn_read_duration(p, &n->heartbeat_ms);
	case P_CONCURRENCY:
		if (scn_read_int(p, "a concurrency", 1, RC_MAX_CONCURRENCY, &v) != 0)
			return -1;
		n->concurrency = (int)v;
		return 0;
	case P_LIKE: return parse_like(p, n, given);
	case P_COUNT: break;
	}
	return -1;
}

static int parse_runner(struct scn_parser *p)
{
	int index;
	if (scn_check_definition(p, SCN_RUNNER, &index) != 0)
		return -1;
	struct scn_once given;
	given.seen = 0; /* col[] is read only for a bit seen: not zeroed, per line of every explored seed */
	while (scn_peek(p))
		if (parse_runner_option(p, &p->s->nodes[index], &given) != 0)
			return -1;
	struct scn_node *n = &p->s->nodes[index];
	if (!*n->hostname || !*n->project_dir || !*n->executor_type || !*n->token)
		return scn_error(p, n->pos.col, "runner '%s' has an empty property (all must be non-empty; "
						"use 'registers without ...' to send a broken registration)", n->name);
	return 0;
}

static int parse_seeds(struct scn_parser *p, bool pinned)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, pinned ? "a seed number" : "a seed range (e.g. 1-100)");
	uint64_t a, b;
	if (scn_parse_seed_range(w->text, &a, &b) != 0 || (pinned && a != b))
		return scn_error(p, w->col, "bad seed %s '%s'", pinned ? "number" : "range", w->text);
	p->i++;
	struct scn_scenario *s = p->s;
	if (pinned || !s->seed_pinned) {
		s->seed_first = a;
		s->seed_last = b;
	}
	s->has_seeds = true;
	s->seed_pinned = s->seed_pinned || pinned;
	return 0;
}

/* `at TIME ...`: the time must not go backwards along the file. */
static int parse_at(struct scn_parser *p)
{
	int64_t at_ms;
	const struct scn_word *tw = scn_peek(p);
	bool at_end = scn_accept(p, "end");
	if (at_end)
		at_ms = SCN_END_OF_RUN;
	else if (scn_read_duration(p, &at_ms) != 0)
		return -1;
	if (!at_end && at_ms < p->last_at_ms) {
		char a[32], b[32];
		return scn_error(p, tw->col, "time goes backwards: %s is before %s (line %d)",
				 scn_format_duration(at_ms, a, sizeof a),
				 scn_format_duration(p->last_at_ms, b, sizeof b), p->last_at_line);
	}
	if (!at_end) {
		p->last_at_ms = at_ms;
		p->last_at_line = p->line->number;
	}
	if (scn_accept(p, "expect")) {
		const struct scn_word *lw = scn_peek(p);
		if (lw && scn_word_is(lw, "liveness") && !lw->quoted && at_end)
			return scn_error(p, lw->col, "'expect liveness' is checked at a time: write 'at T expect "
						     "liveness' (T at most the end of the run)");
		if (lw && !at_end && scn_accept(p, "liveness"))
			return scn_add_liveness_check(p, at_ms, lw->col);
		return scn_parse_expect(p, true, at_ms, at_end);
	}
	if (at_end)
		return scn_expected(p, "'expect' after 'at end'");
	return scn_parse_action(p, at_ms);
}

static bool is_declaration(const struct scn_word *w)
{
	return scn_word_is(w, "config") || scn_word_is(w, "runner") || scn_word_is(w, "seeds") ||
	       scn_word_is(w, "@seed") || scn_word_is(w, "end");
}

static int parse_statement(struct scn_parser *p)
{
	const struct scn_word *w = scn_next(p);
	if (is_declaration(w) && p->first_timeline_line)
		return scn_error(p, w->col, "'%s' must come before the timeline (which starts at line %d)",
				 w->text, p->first_timeline_line);
	if (scn_word_is(w, "at") || scn_word_is(w, "expect")) {
		if (!p->first_timeline_line)
			p->first_timeline_line = p->line->number;
		if (w->text[0] == 'a')
			return parse_at(p);
		return scn_parse_expect(p, false, 0, false);
	}
	if (scn_word_is(w, "config"))
		return parse_config(p);
	if (scn_word_is(w, "runner"))
		return parse_runner(p);
	if (scn_word_is(w, "seeds"))
		return parse_seeds(p, false);
	if (scn_word_is(w, "@seed"))
		return parse_seeds(p, true);
	if (scn_word_is(w, "end")) {
		p->end_line = p->line->number;
		if (scn_require(p, "at", "after 'end'") != 0)
			return -1;
		return scn_read_duration(p, &p->s->end_ms);
	}
	return scn_error(p, w->col,
			 "unknown keyword '%s' (a line starts with config, runner, seeds, @seed, end, at or expect)",
			 w->text);
}

static void parse_line(struct scn_parser *p, struct scn_line *l)
{
	p->line = l;
	p->i = 0;
	if (l->n == 0)
		return;
	int errors_before = p->n_errors;
	if (parse_statement(p) == 0)
		scn_require_end(p);
	else
		assert(p->n_errors > errors_before && "a parse failure must have been reported");
}

/* Calls fn on every line; a line that could not be split is reported (when
 * report) and skipped. */
static void for_each_line(struct scn_parser *p, struct scn_lines *t, bool report,
			  void (*fn)(struct scn_parser *, struct scn_line *))
{
	for (size_t k = 0; k < t->n; k++) {
		struct scn_line *l = &t->lines[k];
		if (!l->split_error) {
			fn(p, l);
		} else if (report) {
			p->line = l;
			scn_error(p, l->split_error_col, "%s", l->split_error);
		}
		p->line = NULL;
	}
}

static void pass_names(struct scn_parser *p, struct scn_line *l)
{
	if (l->n > 0 && scn_word_is(&l->words[0], "at"))
		p->timeline_lines++;
	collect_names(p, l);
}

/* The latest time the file mentions: the run lasts at least that long. */
static int64_t latest_time(const struct scn_scenario *s)
{
	int64_t t = 0;
	for (size_t i = 0; i < s->n_actions; i++)
		if (s->actions[i].at_ms > t)
			t = s->actions[i].at_ms;
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct scn_expect *e = &s->expects[i];
		if (e->from_ms != SCN_END_OF_RUN && e->from_ms > t)
			t = e->from_ms;
		if (e->to_ms != SCN_END_OF_RUN && e->to_ms > t)
			t = e->to_ms;
	}
	return t;
}

static void finish(struct scn_parser *p)
{
	struct scn_scenario *s = p->s;
	int64_t latest = latest_time(s);
	if (p->end_line == 0) {
		s->end_ms = latest;
	} else if (s->end_ms < latest) {
		char a[32], b[32];
		struct scn_line l = { .number = p->end_line, .end_col = 1 };
		p->line = &l;
		scn_error(p, 1, "the run ends at %s but the file looks at %s",
			  scn_format_duration(s->end_ms, a, sizeof a), scn_format_duration(latest, b, sizeof b));
		p->line = NULL;
	}
	if (s->n_nodes == 1 && p->n_errors == 0) {
		struct scn_line l = { .number = 1, .end_col = 1 };
		p->line = &l;
		scn_error(p, 1, "no runner declared (add e.g. 'runner r1')");
		p->line = NULL;
	}
}

static char *name_from_path(struct scn_scenario *s, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = scn_keep_str(s, base);
	size_t n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".scn") == 0)
		name[n - 4] = '\0';
	return name;
}

struct scn_scenario *scn_parse(const char *path, const char *text, struct scn_diags *diags)
{
	assert(reserved_sorted() && "a keyword added out of order");
	struct scn_scenario *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	s->path = scn_keep_str(s, path);
	s->name = name_from_path(s, path);
	s->seed_first = 1;
	s->seed_last = 100;
	s->secret = scn_keep_str(s, default_secret);
	scn_config_init(&s->config);
	struct scn_parser p = { .path = path, .s = s, .diags = diags, .last_at_ms = 0 };
	p.source = scn_keep_str(s, text);
	define_node(&p, "coordinator", (struct scn_pos){ 0, 0 }, true);
	struct scn_lines lines; /* split once: both passes read every line */
	scn_split_text(text, &lines);
	for_each_line(&p, &lines, false, pass_names);
	/* the actions table is set to its likely size once, not moved as it grows */
	s->actions = scn_grow_to(s->actions, &p.cap_actions, p.timeline_lines, sizeof *s->actions);
	for_each_line(&p, &lines, true, parse_line);
	scn_lines_free(&lines);
	finish(&p);
	scn_names_free(&p.names);
	if (p.n_errors > SCN_MAX_ERRORS) {
		char *more = malloc(strlen(path) + 64);
		if (!more)
			abort();
		sprintf(more, "%s: %d more errors not shown", path, p.n_errors - SCN_MAX_ERRORS);
		diags->items = scn_grow(diags->items, &diags->cap, diags->len, sizeof *diags->items);
		diags->items[diags->len++] = more;
	}
	if (p.n_errors) {
		scn_free(s);
		return NULL;
	}
	return s;
}
