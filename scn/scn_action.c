/*
 * scn_action.c - the actions of a timeline: what happens `at TIME`.
 *
 * Node life (start, stop, crash, restart, pause, resume), the network
 * (partition, heal, drop, delay), clocks (skew, jump), work (submit,
 * sandboxes) and hand-made requests (a broken registration, a sandbox report)
 * whose reply can be checked on the same line with `and gets STATUS`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

static const unsigned NODE_MASK = (1u << SCN_COORDINATOR) | (1u << SCN_RUNNER);
static const unsigned RUNNER_MASK = 1u << SCN_RUNNER;

const char *scn_action_word(enum scn_action_kind k)
{
	static const char *const words[SCN_ACT_KIND_COUNT] = {
		[SCN_ACT_START] = "start", [SCN_ACT_STOP] = "stop", [SCN_ACT_CRASH] = "crash",
		[SCN_ACT_RESTART] = "restart", [SCN_ACT_PAUSE] = "pause", [SCN_ACT_RESUME] = "resume",
		[SCN_ACT_PARTITION] = "partition", [SCN_ACT_HEAL] = "heal", [SCN_ACT_HEAL_ALL] = "heal all",
		[SCN_ACT_DROP] = "drop", [SCN_ACT_DELAY] = "delay", [SCN_ACT_SKEW_CLOCK] = "skew",
		[SCN_ACT_JUMP_CLOCK] = "jump", [SCN_ACT_SUBMIT] = "submit",
		[SCN_ACT_SANDBOX_CREATE] = "create sandbox", [SCN_ACT_SANDBOX_DELETE] = "delete sandbox",
		[SCN_ACT_SANDBOX_REPORT] = "report", [SCN_ACT_REGISTER] = "registers",
		[SCN_ACT_ROTATE_SECRET] = "rotate secret", [SCN_ACT_CHECK_LIVENESS] = "expect liveness",
	};
	return (unsigned)k < SCN_ACT_KIND_COUNT ? words[k] : "?";
}

static struct scn_action *add(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = scn_new_action(p);
	a->kind = kind;
	a->at_ms = at_ms;
	a->pos = (struct scn_pos){ p->line->number, col };
	a->text = scn_line_text(p, 0);
	a->node = a->from = a->to = a->task = a->sandbox = -1;
	return a;
}

/* The column of the first word of this line, from word `from` on, that
 * reads as w does. */
static int first_col_of(const struct scn_parser *p, int from, const struct scn_word *w)
{
	for (int i = from; i < p->i; i++)
		if (scn_word_is(&p->line->words[i], w->text))
			return p->line->words[i].col;
	return w->col;
}

static int named_twice(struct scn_parser *p, enum scn_action_kind kind, const struct scn_word *w, int first_col)
{
	char where[48];
	snprintf(where, sizeof where, "in this '%s'", scn_action_word(kind));
	return scn_given_twice(p, w, where, first_col);
}

/* start r1 r2 ...: one action per node, all at the same time; a node named
 * twice would get the action twice (a second start, a second pause). */
static int parse_node_list(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	int count = 0, from = p->i;
	while (scn_peek(p)) {
		const struct scn_word *w = scn_peek(p);
		int node;
		if (scn_read_name(p, NODE_MASK, &node, NULL) < 0)
			return -1;
		for (size_t j = p->s->n_actions - (size_t)count; j < p->s->n_actions; j++)
			if (p->s->actions[j].node == node)
				return named_twice(p, kind, w, first_col_of(p, from, w));
		add(p, kind, at_ms, col)->node = node;
		count++;
	}
	if (count == 0)
		return scn_expected(p, "the name of a node (coordinator or a runner)");
	return 0;
}

/* Runners talk only to the coordinator: a link has it at one end. */
static int check_link(struct scn_parser *p, const struct scn_action *a)
{
	if ((a->from == 0) == (a->to == 0))
		return scn_error(p, p->line->words[p->i - 1].col,
				 "a link joins the coordinator and a runner (runners only talk to the coordinator)");
	return 0;
}

/* "A from B" (both ways) or "A -> B" (messages from A to B only). */
static int parse_link(struct scn_parser *p, struct scn_action *a)
{
	if (scn_read_name(p, NODE_MASK, &a->from, NULL) < 0)
		return -1;
	if (scn_accept(p, "->"))
		a->one_way = true;
	else if (!scn_accept(p, "from"))
		return scn_expected(p, "'from' (both ways) or '->' (one way)");
	if (scn_read_name(p, NODE_MASK, &a->to, NULL) < 0)
		return -1;
	return check_link(p, a);
}

static bool partition_healed(const struct scn_scenario *s, size_t partition, size_t before)
{
	for (size_t i = partition + 1; i < before; i++)
		if (s->actions[i].kind == SCN_ACT_HEAL && s->actions[i].partition == (int)partition)
			return true;
	return false;
}

/* Whether heal h names the link of partition o: the same direction for a
 * one-way link, either order for both ways ("r1 from coordinator" is
 * "coordinator from r1"). */
static bool same_link(const struct scn_action *o, const struct scn_action *h)
{
	if (o->one_way != h->one_way)
		return false;
	return (o->from == h->from && o->to == h->to) || (!o->one_way && o->from == h->to && o->to == h->from);
}

static int parse_partition(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	if (kind == SCN_ACT_HEAL && scn_accept(p, "all")) {
		add(p, SCN_ACT_HEAL_ALL, at_ms, col);
		return 0;
	}
	struct scn_action *a = add(p, kind, at_ms, col);
	size_t self = p->s->n_actions - 1;
	if (parse_link(p, a) != 0)
		return -1;
	a->partition = -1;
	if (kind == SCN_ACT_PARTITION)
		return 0;
	/* heal undoes the latest partition of the same link that is not healed yet */
	for (size_t i = self; i-- > 0;) {
		const struct scn_action *o = &p->s->actions[i];
		if (o->kind == SCN_ACT_HEAL_ALL)
			break;
		if (o->kind == SCN_ACT_PARTITION && same_link(o, a) && !partition_healed(p->s, i, self)) {
			a->partition = (int)i;
			return 0;
		}
	}
	return scn_error(p, col, "nothing to heal: no earlier 'partition %s %s %s' is still in place",
			 p->s->nodes[a->from].name, a->one_way ? "->" : "from", p->s->nodes[a->to].name);
}

/* drop next [N] OP from A to B / delay next [N] OP from A to B by D */
static int parse_drop_delay(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = add(p, kind, at_ms, col);
	if (scn_require(p, "next", kind == SCN_ACT_DROP ? "after 'drop'" : "after 'delay'") != 0)
		return -1;
	int64_t n = 1;
	const struct scn_word *w = scn_peek(p);
	if (w && w->text[0] >= '0' && w->text[0] <= '9' &&
	    scn_read_int(p, "a number of messages", 1, 1000000, &n) != 0)
		return -1;
	a->count = (int)n;
	if (scn_read_op(p, true, &a->op) != 0 || scn_require(p, "from", "before the sending node") != 0 ||
	    scn_read_name(p, NODE_MASK, &a->from, NULL) < 0 ||
	    scn_require(p, "to", "before the receiving node") != 0 || scn_read_name(p, NODE_MASK, &a->to, NULL) < 0 ||
	    check_link(p, a) != 0)
		return -1;
	a->one_way = true;
	if (kind == SCN_ACT_DELAY &&
	    (scn_require(p, "by", "before the added delay") != 0 || scn_read_duration(p, &a->amount_ms) != 0))
		return -1;
	return 0;
}

/* skew r1 clock by +1h / jump r1 clock by -30s */
static int parse_clock(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = add(p, kind, at_ms, col);
	if (scn_read_name(p, NODE_MASK, &a->node, NULL) < 0 || scn_require(p, "clock", "after the node") != 0 ||
	    scn_require(p, "by", "after 'clock'") != 0 || scn_read_signed_duration(p, &a->amount_ms) != 0)
		return -1;
	return 0;
}

/* crashing N times [after D] */
static int parse_crashing(struct scn_parser *p, struct scn_task *t)
{
	int64_t n;
	if (scn_read_int(p, "how many starts crash", 1, 1000, &n) != 0)
		return -1;
	t->crash_times = (int)n;
	if (!scn_accept(p, "times") && !scn_accept(p, "time"))
		return scn_expected(p, "'times' after the count");
	if (scn_accept(p, "after"))
		return scn_read_duration(p, &t->crash_after_ms);
	return 0;
}

/* The clauses of a submit line, by their bit in a struct scn_once. */
enum submit_clause { C_LASTING, C_KIND, C_FAILING, C_CRASHING, C_IGNORING };

/* One clause of a submit line: its enum submit_clause, or -1 (reported). */
static int submit_clause(struct scn_parser *p, struct scn_task *t)
{
	if (scn_accept(p, "lasting")) {
		if (scn_accept(p, "forever"))
			t->duration_ms = SCN_FOREVER;
		else if (scn_read_duration(p, &t->duration_ms) != 0)
			return -1;
		return C_LASTING;
	}
	if (scn_accept(p, "kind"))
		return scn_read_text(p, "a task kind", &t->kind) != 0 ? -1 : C_KIND;
	if (scn_accept(p, "failing")) {
		t->fails = true;
		return C_FAILING;
	}
	if (scn_accept(p, "crashing"))
		return parse_crashing(p, t) != 0 ? -1 : C_CRASHING;
	if (scn_accept(p, "ignoring")) {
		if (scn_require(p, "SIGTERM", "after 'ignoring'") != 0)
			return -1;
		t->ignores_term = true;
		return C_IGNORING;
	}
	return scn_expected(p, "'lasting D', 'crashing N times', 'failing', 'ignoring SIGTERM' or 'kind K'");
}

static int parse_submit(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = add(p, kind, at_ms, col);
	scn_accept(p, "task");
	if (scn_check_definition(p, SCN_TASK, &a->task) != 0)
		return -1;
	struct scn_task *t = &p->s->tasks[a->task];
	struct scn_once given;
	given.seen = 0; /* col[] is read only for a bit seen: not zeroed, per line of every explored seed */
	for (const struct scn_word *w; (w = scn_peek(p));) {
		int clause = submit_clause(p, t);
		if (clause < 0 || scn_once(p, &given, clause, w, "in this submit") != 0)
			return -1;
	}
	return 0;
}

/* "and gets 409" at the end of a request */
static int parse_and_gets(struct scn_parser *p, struct scn_action *a)
{
	if (!scn_accept(p, "and"))
		return 0;
	if (!scn_accept(p, "gets") && !scn_accept(p, "get"))
		return scn_expected(p, "'gets' after 'and'");
	return scn_read_http_status(p, &a->expect_status);
}

static int parse_sandbox_create_delete(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	bool create = kind == SCN_ACT_SANDBOX_CREATE;
	struct scn_action *a = add(p, kind, at_ms, col);
	if (scn_require(p, "sandbox", create ? "after 'create'" : "after 'delete'") != 0)
		return -1;
	if (create) {
		if (scn_check_definition(p, SCN_SANDBOX, &a->sandbox) != 0)
			return -1;
		if (scn_accept(p, "for")) {
			scn_accept(p, "task");
			if (scn_read_name(p, 1u << SCN_TASK, &p->s->sandboxes[a->sandbox].task, NULL) < 0)
				return -1;
		}
	} else if (scn_read_name(p, 1u << SCN_SANDBOX, &a->sandbox, NULL) < 0) {
		return -1;
	}
	return parse_and_gets(p, a);
}

static int read_sandbox_status(struct scn_parser *p, int *status)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "a sandbox status (pending, creating, starting, running, deleting, "
				       "deleted, failed)");
	int st = rc_sandbox_status_parse(w->text);
	if (st < 0)
		return scn_error(p, w->col, "unknown sandbox status '%s' (pending, creating, starting, running, "
					    "deleting, deleted, failed)", w->text);
	*status = st;
	p->i++;
	return 0;
}

/* [R reports | report] sandbox S STATUS [container C] [without runner id] [and gets N]
 * or R reports unknown sandbox STATUS ... */
static int parse_report(struct scn_parser *p, struct scn_action *a)
{
	if (scn_accept(p, "unknown")) {
		if (scn_require(p, "sandbox", "after 'unknown'") != 0)
			return -1;
		a->sandbox = -1;
	} else if (scn_require(p, "sandbox", "after 'reports'") != 0 ||
		   scn_read_name(p, 1u << SCN_SANDBOX, &a->sandbox, NULL) < 0) {
		return -1;
	}
	if (read_sandbox_status(p, &a->status_word) != 0)
		return -1;
	if (scn_accept(p, "container") && scn_read_text(p, "a container id", &a->container) != 0)
		return -1;
	if (scn_accept(p, "without")) {
		if (scn_require(p, "runner", "after 'without'") != 0 || scn_require(p, "id", "after 'runner'") != 0)
			return -1;
		a->no_runner_id = true;
	}
	return parse_and_gets(p, a);
}

static int parse_register(struct scn_parser *p, struct scn_action *a)
{
	static const struct { const char *word; unsigned flags; } parts[] = {
		{ "hostname", SCN_REG_NO_HOSTNAME },
		{ "project_dir", SCN_REG_NO_PROJECT_DIR },
		{ "executor_type", SCN_REG_NO_EXECUTOR_TYPE },
		{ "properties", SCN_REG_NO_HOSTNAME | SCN_REG_NO_PROJECT_DIR | SCN_REG_NO_EXECUTOR_TYPE },
		{ "secret", SCN_REG_NO_SECRET },
	};
	if (scn_accept(p, "without")) {
		int named = 0;
		for (bool more = true; more;) {
			more = false;
			for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
				if (scn_accept(p, parts[i].word)) {
					a->reg_flags |= parts[i].flags;
					more = true;
					named++;
				}
			}
		}
		if (!named)
			return scn_expected(p, "what to leave out (properties, hostname, project_dir, "
					       "executor_type, secret)");
	}
	if (scn_accept(p, "with")) {
		if (scn_require(p, "wrong", "after 'with'") != 0 || scn_require(p, "secret", "after 'wrong'") != 0)
			return -1;
		if (a->reg_flags & SCN_REG_NO_SECRET)
			return scn_error(p, p->line->words[p->i - 1].col,
					 "a registration without a secret cannot have a wrong one");
		a->reg_flags |= SCN_REG_WRONG_SECRET;
	}
	return parse_and_gets(p, a);
}

int scn_add_liveness_check(struct scn_parser *p, int64_t at_ms, int col)
{
	add(p, SCN_ACT_CHECK_LIVENESS, at_ms, col);
	return 0;
}

/* Lines that start with a runner's name: R reports ... / R registers ... */
static int parse_runner_request(struct scn_parser *p, int64_t at_ms, int col)
{
	int node;
	if (scn_read_name(p, RUNNER_MASK, &node, NULL) < 0)
		return -1;
	if (scn_accept(p, "reports")) {
		struct scn_action *a = add(p, SCN_ACT_SANDBOX_REPORT, at_ms, col);
		a->node = node;
		return parse_report(p, a);
	}
	if (scn_accept(p, "registers")) {
		struct scn_action *a = add(p, SCN_ACT_REGISTER, at_ms, col);
		a->node = node;
		return parse_register(p, a);
	}
	return scn_expected(p, "'reports' or 'registers' after a runner's name");
}

/* report sandbox S STATUS ... without runner id (no runner's name: the
 * words say what the line does, rather than a missing name implying it) */
static int parse_report_action(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = add(p, kind, at_ms, col);
	if (parse_report(p, a) != 0)
		return -1;
	if (!a->no_runner_id)
		return scn_error(p, col, "a report from no runner says so: 'report sandbox S STATUS without runner id' "
				 "(or name the runner: 'R reports sandbox ...')");
	return 0;
}

/* rotate secret [to S] [updating runners] */
static int parse_rotate(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col)
{
	struct scn_action *a = add(p, kind, at_ms, col);
	if (scn_require(p, "secret", "after 'rotate'") != 0)
		return -1;
	if (scn_accept(p, "to")) {
		if (scn_read_text(p, "the new secret", &a->new_secret) != 0)
			return -1;
	} else {
		a->new_secret = scn_keep_str(p->s, "s3cret-rotated");
	}
	if (scn_accept(p, "updating")) {
		if (scn_require(p, "runners", "after 'updating'") != 0)
			return -1;
		a->update_runners = true;
	}
	return 0;
}

typedef int parse_fn(struct scn_parser *p, enum scn_action_kind kind, int64_t at_ms, int col);

struct action_word {
	const char *word;
	int len;
	enum scn_action_kind kind;
	parse_fn *parse;
};

/* The words an action starts with, by first letter (runner requests start
 * with a runner's name): every timeline line of every explored seed is
 * looked up here, among the few words of its letter. */
#define PER_LETTER 4 /* the most action words sharing a first letter */
static const struct action_word action_words['z' - 'a' + 1][PER_LETTER] = {
#define ACTION(word, kind, parse) { word, (int)sizeof word - 1, kind, parse }
	['c' - 'a'] = { ACTION("crash", SCN_ACT_CRASH, parse_node_list),
			ACTION("create", SCN_ACT_SANDBOX_CREATE, parse_sandbox_create_delete) },
	['d' - 'a'] = { ACTION("drop", SCN_ACT_DROP, parse_drop_delay), ACTION("delay", SCN_ACT_DELAY, parse_drop_delay),
			ACTION("delete", SCN_ACT_SANDBOX_DELETE, parse_sandbox_create_delete) },
	['h' - 'a'] = { ACTION("heal", SCN_ACT_HEAL, parse_partition) },
	['j' - 'a'] = { ACTION("jump", SCN_ACT_JUMP_CLOCK, parse_clock) },
	['p' - 'a'] = { ACTION("pause", SCN_ACT_PAUSE, parse_node_list),
			ACTION("partition", SCN_ACT_PARTITION, parse_partition) },
	['r' - 'a'] = { ACTION("restart", SCN_ACT_RESTART, parse_node_list), ACTION("resume", SCN_ACT_RESUME, parse_node_list),
			ACTION("report", SCN_ACT_SANDBOX_REPORT, parse_report_action),
			ACTION("rotate", SCN_ACT_ROTATE_SECRET, parse_rotate) },
	['s' - 'a'] = { ACTION("start", SCN_ACT_START, parse_node_list), ACTION("stop", SCN_ACT_STOP, parse_node_list),
			ACTION("skew", SCN_ACT_SKEW_CLOCK, parse_clock), ACTION("submit", SCN_ACT_SUBMIT, parse_submit) },
#undef ACTION
};

/* The action an unquoted word names, or NULL. */
static const struct action_word *action_of(const struct scn_word *w)
{
	unsigned letter = (unsigned)(unsigned char)w->text[0] - 'a';
	if (w->quoted || letter >= sizeof action_words / sizeof action_words[0])
		return NULL;
	const struct action_word *row = action_words[letter];
	for (const struct action_word *a = row; a < row + PER_LETTER && a->word; a++)
		if (w->len == a->len && memcmp(w->text, a->word, (size_t)a->len) == 0)
			return a;
	return NULL;
}

int scn_parse_action(struct scn_parser *p, int64_t at_ms)
{
	const struct scn_word *w = scn_peek(p);
	if (!w)
		return scn_expected(p, "an action or 'expect' after the time");
	int col = w->col;
	const struct action_word *a = action_of(w);
	if (a) {
		p->i++;
		return a->parse(p, a->kind, at_ms, col);
	}
	int ignored;
	if (scn_name_kind_of(p, w->text, (size_t)w->len, &ignored) == SCN_RUNNER)
		return parse_runner_request(p, at_ms, col);
	return scn_error(p, col,
			 "unknown action '%s' (start, stop, crash, restart, pause, resume, partition, heal, drop, "
			 "delay, skew, jump, submit, create, delete, report, rotate, or a runner's name)",
			 w->text);
}
