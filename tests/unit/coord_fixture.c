/*
 * coord_fixture.c - helpers to drive a coordinator in unit tests (see the header).
 */
#include "coord_fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

void cf_init(struct cf *f, const struct rc_coord_config *cfg)
{
	memset(f, 0, sizeof *f);
	struct rc_coord_config defaults;
	rc_coord_config_defaults(&defaults);
	f->c = rc_coord_new(cfg ? cfg : &defaults, CF_SECRET, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->c);
	rc_outbox_init(&f->ob);
}

void cf_free(struct cf *f)
{
	rc_coord_free(f->c);
	rc_outbox_free(&f->ob);
}

int cf_send(struct cf *f, int64_t now_ms, const struct rc_msg *msg)
{
	rc_outbox_clear(&f->ob);
	return rc_coord_handle(f->c, now_ms, msg, &f->reply, &f->ob);
}

void cf_tick(struct cf *f, int64_t now_ms)
{
	rc_outbox_clear(&f->ob);
	rc_coord_tick(f->c, now_ms, &f->ob);
}

void cf_run_until(struct cf *f, int64_t until_ms)
{
	rc_outbox_clear(&f->ob);
	for (int64_t t = rc_coord_deadline(f->c); t <= until_ms; t = rc_coord_deadline(f->c))
		rc_coord_tick(f->c, t, &f->ob);
}

/* --- messages ------------------------------------------------------------------- */

struct rc_msg cf_register_msg(const char *name, const char *token)
{
	return (struct rc_msg){
		.op = RC_OP_REGISTER,
		.secret = CF_SECRET,
		.hostname = name,
		.project_dir = "/proj",
		.executor_type = "test-executor",
		.instance_token = token,
	};
}

struct rc_msg cf_runner_msg(enum rc_op op, const struct cf_runner *r)
{
	return (struct rc_msg){ .op = op, .secret = CF_SECRET, .runner_id = r->id, .session = r->session };
}

struct rc_msg cf_task_msg(enum rc_op op, const struct cf_runner *r, uint64_t task_id, int attempt)
{
	struct rc_msg m = cf_runner_msg(op, r);
	m.task_id = task_id;
	m.attempt = attempt;
	return m;
}

/* --- actions ---------------------------------------------------------------------- */

static void remember(struct cf *f, const struct cf_runner *r)
{
	for (int i = 0; i < f->n_names; i++)
		if (strcmp(f->names[i].id, r->id) == 0)
			return;
	if (f->n_names < CF_MAX_NAMES)
		f->names[f->n_names++] = *r;
}

struct cf_runner cf_register(struct cf *f, int64_t now_ms, const char *name)
{
	return cf_register_with(f, now_ms, name, 0);
}

struct cf_runner cf_register_with(struct cf *f, int64_t now_ms, const char *name, int max_concurrency)
{
	char token[64];
	snprintf(token, sizeof token, "token-%s", name);
	struct rc_msg m = cf_register_msg(name, token);
	m.max_concurrency = max_concurrency;
	CU_ASSERT_EQUAL_FATAL(cf_send(f, now_ms, &m), RC_STATUS_OK);
	struct cf_runner r = { .name = name, .session = f->reply.session };
	memcpy(r.id, f->reply.runner_id, sizeof r.id);
	remember(f, &r);
	return r;
}

int cf_heartbeat(struct cf *f, int64_t now_ms, const struct cf_runner *r)
{
	struct rc_msg m = cf_runner_msg(RC_OP_HEARTBEAT, r);
	return cf_send(f, now_ms, &m);
}

int cf_claim(struct cf *f, int64_t now_ms, const struct cf_runner *r, int max)
{
	struct rc_msg m = cf_runner_msg(RC_OP_CLAIM, r);
	m.max = max;
	return cf_send(f, now_ms, &m);
}

uint64_t cf_submit(struct cf *f, int64_t now_ms)
{
	struct rc_msg m = { .op = RC_OP_TASK_SUBMIT, .kind = "build", .payload = "{}" };
	CU_ASSERT_EQUAL_FATAL(cf_send(f, now_ms, &m), RC_STATUS_CREATED);
	return f->reply.task_id;
}

int cf_complete(struct cf *f, int64_t now_ms, const struct cf_runner *r, uint64_t task_id, int attempt,
		bool success, const char *text)
{
	struct rc_msg m = cf_task_msg(RC_OP_TASK_COMPLETE, r, task_id, attempt);
	m.success = success;
	m.text = text;
	return cf_send(f, now_ms, &m);
}

uint64_t cf_sandbox(struct cf *f, int64_t now_ms, uint64_t task_id)
{
	struct rc_msg m = { .op = RC_OP_SANDBOX_CREATE, .sandbox_task_id = task_id };
	CU_ASSERT_EQUAL_FATAL(cf_send(f, now_ms, &m), RC_STATUS_CREATED);
	return f->reply.sandbox_id;
}

int cf_report(struct cf *f, int64_t now_ms, const char *runner_id, uint64_t sandbox_id, const char *status)
{
	struct rc_msg m = {
		.op = RC_OP_SANDBOX_REPORT, .runner_id = runner_id, .sandbox_id = sandbox_id, .status_word = status,
	};
	return cf_send(f, now_ms, &m);
}

const struct rc_runner_record *cf_record(const struct cf *f, const struct cf_runner *r)
{
	return rc_coord_find_runner(f->c, r->id);
}

const struct rc_task *cf_task(const struct cf *f, uint64_t id)
{
	const struct rc_task *t = rc_coord_find_task(f->c, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

const struct rc_sandbox *cf_sandbox_rec(const struct cf *f, uint64_t id)
{
	const struct rc_sandbox *s = rc_coord_find_sandbox(f->c, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* --- rendering ------------------------------------------------------------------------ */

static const char *name_of(const struct cf *f, const char *id)
{
	if (!id[0])
		return "-";
	for (int i = 0; i < f->n_names; i++)
		if (strcmp(f->names[i].id, id) == 0)
			return f->names[i].name;
	return id;
}

static int render_effect(const struct cf *f, const struct rc_effect *e, char *out, size_t cap)
{
	const char *kind = rc_fx_kind_name(e->kind);
	switch (e->kind) {
	case RC_FX_RUNNER_STATUS:
		return snprintf(out, cap, "%s %s %s>%s", kind, name_of(f, e->runner_id), rc_runner_status_name(e->from),
				rc_runner_status_name(e->to));
	case RC_FX_RUNNER_SAVED:
		return snprintf(out, cap, "%s %s", kind, name_of(f, e->runner_id));
	case RC_FX_TASK_STATE:
		return snprintf(out, cap, "%s %" PRIu64 " a%d %s %s>%s", kind, e->task_id, e->attempt,
				name_of(f, e->runner_id), rc_task_state_name(e->from), rc_task_state_name(e->to));
	case RC_FX_TASK_SAVED:
		return snprintf(out, cap, "%s %" PRIu64, kind, e->task_id);
	case RC_FX_SANDBOX_AUDIT:
		return snprintf(out, cap, "%s %" PRIu64 " %s %s>%s by %s", kind, e->sandbox_id, rc_op_name(e->op),
				rc_sandbox_status_name(e->from), rc_sandbox_status_name(e->to), name_of(f, e->runner_id));
	case RC_FX_SANDBOX_SAVED:
		return snprintf(out, cap, "%s %" PRIu64 " %s", kind, e->sandbox_id, name_of(f, e->runner_id));
	case RC_FX_REJECTED:
		return snprintf(out, cap, "%s %s %d", kind, rc_op_name(e->op), e->value);
	default:
		return snprintf(out, cap, "%s", kind);
	}
}

const char *cf_effects(struct cf *f)
{
	size_t used = 0;
	f->fx_line[0] = '\0';
	for (size_t i = 0; i < f->ob.len && used < sizeof f->fx_line; i++) {
		if (i)
			used += (size_t)snprintf(f->fx_line + used, sizeof f->fx_line - used, "; ");
		if (used < sizeof f->fx_line)
			used += (size_t)render_effect(f, &f->ob.items[i], f->fx_line + used, sizeof f->fx_line - used);
	}
	return f->fx_line;
}

char *cf_state(const struct rc_coord *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	fprintf(out, "deadline %" PRId64 "\n", rc_coord_deadline(c));
	size_t pos = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(c, &pos));) {
		fprintf(out, "runner %s %s %s %s %s %d reg=%" PRId64 " hb=%" PRId64 " s=%" PRIu64 " max=%d run=%d\n",
			r->id, r->hostname, r->project_dir, r->executor_type, r->instance_token, (int)r->status,
			r->registered_at_ms, r->last_heartbeat_ms, r->session, r->max_concurrency, r->running);
	}
	for (size_t i = 0; i < rc_coord_task_count(c); i++) {
		const struct rc_task *t = rc_coord_task_at(c, i);
		fprintf(out, "task %" PRIu64 " %s %s %s %d a%d %s sub=%" PRId64 " claim=%" PRId64 " fin=%" PRId64 "\n",
			t->id, t->kind, t->payload, t->result ? t->result : "(null)", (int)t->state, t->attempt,
			t->runner_id, t->submitted_at_ms, t->claimed_at_ms, t->finished_at_ms);
	}
	for (size_t i = 0; i < rc_coord_sandbox_count(c); i++) {
		const struct rc_sandbox *s = rc_coord_sandbox_at(c, i);
		fprintf(out, "sandbox %" PRIu64 " %d %s t=%" PRIu64 " %s c=%" PRId64 " u=%" PRId64 " del=%d\n", s->id,
			(int)s->status, s->runner_id, s->task_id, s->container_id, s->created_at_ms, s->updated_at_ms,
			(int)s->deleted_by_api);
	}
	fclose(out);
	return text;
}

/* --- refusals ---------------------------------------------------------------------------- */

static void check_at(bool ok, const char *what, const char *file, unsigned line)
{
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, what, file, "", CU_FALSE);
}

void cf_expect_refused_at(struct cf *f, int64_t now_ms, const struct rc_msg *msg, int status, const char *code,
			  const char *file, unsigned line)
{
	char *before = cf_state(f->c);
	int got = cf_send(f, now_ms, msg);
	char *after = cf_state(f->c);
	char what[160];
	snprintf(what, sizeof what, "refused with %d %s (got %d %s)", status, code, got,
		 f->reply.error.code ? f->reply.error.code : "(no code)");
	check_at(got == status && f->reply.status == status, what, file, line);
	check_at(f->reply.error.code && strcmp(f->reply.error.code, code) == 0, what, file, line);
	check_at(f->reply.error.message[0] != '\0', "error message is not empty", file, line);
	check_at(strcmp(before, after) == 0, "a refused request changes nothing", file, line);
	check_at(f->ob.len == 1 && f->ob.items[0].kind == RC_FX_REJECTED, "exactly one rejected effect", file, line);
	if (f->ob.len >= 1) {
		check_at(f->ob.items[0].op == msg->op && f->ob.items[0].value == status, "rejected effect names op and status",
			 file, line);
		check_at(f->ob.items[0].at_ms == now_ms, "rejected effect stamped now", file, line);
	}
	free(before);
	free(after);
}
