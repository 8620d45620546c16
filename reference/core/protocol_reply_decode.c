/*
 * protocol_reply_decode.c - JSON body -> struct rc_reply (client side).
 *
 * Used by rollcall-runnerd and by `rollcall conform`, which talks to
 * coordinators written by others: a reply that is off-protocol (a field
 * missing or of the wrong type, an unknown state word, too many grants) is
 * reported precisely instead of being half-read. Strings and the task and
 * sandbox records a reply points to are copied into the caller's arena.
 * Replies without content (heartbeat, deregister, task status and complete)
 * accept any JSON object or an empty body.
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "identity.h"
#include "protocol_internal.h"
#include "utf8.h"

/* Reads members of one object; the first failure is kept in err and every
 * later read is a no-op, so decoders read straight through and check once. */
struct reader {
	json_t *obj;
	struct rc_proto_arena *arena;
	struct rc_error *err;
	bool failed;
};

static void fail(struct reader *rd, const char *name, const char *why)
{
	if (rd->failed)
		return;
	rd->failed = true;
	rc_error_set(rd->err, -1, RC_PROTO_E_BAD_REPLY, "reply field %s %s", name, why);
	rc_error_add_field(rd->err, name);
}

/* The member name, or NULL: absent or null when nullable, else a failure. */
static json_t *member(struct reader *rd, const char *name, bool nullable)
{
	if (rd->failed)
		return NULL;
	json_t *v = json_object_get(rd->obj, name);
	if (v && !json_is_null(v))
		return v;
	if (!nullable)
		fail(rd, name, "is missing");
	return NULL;
}

static long long read_integer(struct reader *rd, const char *name, long long min, long long max)
{
	json_t *v = member(rd, name, false);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		fail(rd, name, "is not an integer in range");
		return 0;
	}
	return json_integer_value(v);
}

/* An id (task, sandbox, session: 1..2^63-1); null reads as 0 when nullable. */
static uint64_t read_id(struct reader *rd, const char *name, bool nullable)
{
	if (nullable && !member(rd, name, true))
		return 0;
	return (uint64_t)read_integer(rd, name, 1, RC_PROTO_MAX_ID);
}

static bool read_bool(struct reader *rd, const char *name)
{
	json_t *v = member(rd, name, false);
	if (v && !json_is_boolean(v))
		fail(rd, name, "is not a boolean");
	return json_is_true(v);
}

/* A string member (NUL bytes refused), or NULL when absent/null and nullable. */
static json_t *string_member(struct reader *rd, const char *name, bool nullable)
{
	json_t *v = member(rd, name, nullable);
	if (!v)
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		fail(rd, name, "is not a string without NUL bytes");
		return NULL;
	}
	return v;
}

static const char *read_text(struct reader *rd, const char *name, bool nullable)
{
	json_t *v = string_member(rd, name, nullable);
	if (!v)
		return NULL;
	const char *copy = rc_proto_arena_strndup(rd->arena, json_string_value(v), json_string_length(v));
	if (!copy)
		fail(rd, name, "could not be copied (out of memory)");
	return copy;
}

/* A string into a fixed buffer of cap bytes; "" when absent/null and nullable. */
static void read_fixed(struct reader *rd, const char *name, bool nullable, char *buf, size_t cap)
{
	buf[0] = '\0';
	json_t *v = string_member(rd, name, nullable);
	if (!v)
		return;
	if (json_string_length(v) >= cap) {
		fail(rd, name, "is too long");
		return;
	}
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
}

/* An array member, or NULL (failure) when absent or not an array. */
static json_t *read_array(struct reader *rd, const char *name)
{
	json_t *v = member(rd, name, false);
	if (v && !json_is_array(v)) {
		fail(rd, name, "is not an array");
		return NULL;
	}
	return v;
}

/* Read the fields of element i of an array with fn, as a nested object. */
static void read_each(struct reader *rd, json_t *array, const char *name, void (*fn)(struct reader *, size_t, void *),
		      void *ctx)
{
	json_t *outer = rd->obj;
	for (size_t i = 0; array && !rd->failed && i < json_array_size(array); i++) {
		rd->obj = json_array_get(array, i);
		if (!json_is_object(rd->obj))
			fail(rd, name, "holds an element that is not an object");
		else
			fn(rd, i, ctx);
	}
	rd->obj = outer;
}

static void read_error(struct reader *rd, struct rc_error *e)
{
	e->code = read_text(rd, "error", false);
	const char *message = read_text(rd, "message", true);
	/* Cut between characters: a half character would make the message
	 * impossible to put in JSON again (runnerd's /status showed it). */
	rc_utf8_copy(e->message, sizeof e->message, message ? message : "");
	json_t *fields = member(rd, "fields", true);
	if (fields && !json_is_array(fields))
		fail(rd, "fields", "is not an array");
	for (size_t i = 0; fields && !rd->failed && i < json_array_size(fields); i++) {
		json_t *f = json_array_get(fields, i);
		if (!json_is_string(f)) {
			fail(rd, "fields", "holds a non-string");
			break;
		}
		if (i < RC_ERROR_MAX_FIELDS &&
		    !(e->fields[i] = rc_proto_arena_strndup(rd->arena, json_string_value(f), json_string_length(f))))
			fail(rd, "fields", "could not be copied (out of memory)");
	}
}

/* A runner saves the id and session of its registration and uses the id in
 * paths and file names: one that is not "lnch_" + 12 lower-case hex, or a
 * session outside 1..2^63-1, would be saved and then refused at its next
 * start (or never encoded into a request). */
static void read_register(struct reader *rd, struct rc_reply *r)
{
	read_fixed(rd, "runner_id", false, r->runner_id, sizeof r->runner_id);
	if (!rd->failed && !rc_identity_is_runner_id(r->runner_id))
		fail(rd, "runner_id", "is not a runner id (lnch_ and 12 lower-case hex digits)");
	r->session = read_id(rd, "session", false);
	r->reconnected = read_bool(rd, "reconnected");
	r->heartbeat_interval_s = (int)read_integer(rd, "heartbeat_interval_s", 0, INT_MAX);
}

/* A grant's payload: required (a task without one has ""); a string without
 * NUL bytes (runnerd runs it as a command line, which a NUL would cut short:
 * it would run another command than the one submitted), or, from another
 * implementation, any JSON value, as its compact text. */
static const char *read_payload(struct reader *rd)
{
	json_t *v = member(rd, "payload", false);
	if (!v || json_is_string(v))
		return read_text(rd, "payload", false);
	size_t len;
	const char *text = rc_proto_payload_text(v, rd->arena, &len);
	if (!text)
		fail(rd, "payload", "could not be copied (out of memory)");
	return text;
}

/* A grant as runnerd acts on it: attempts are numbered from 1 (one numbered
 * 0 could never be reported: every status and completion would get 403),
 * and a task has a kind, which decides how it runs. */
static void read_grant(struct reader *rd, size_t i, void *ctx)
{
	struct rc_grant *g = &((struct rc_reply *)ctx)->grants[i];
	g->task_id = read_id(rd, "task_id", false);
	g->attempt = (int)read_integer(rd, "attempt", 1, INT_MAX);
	g->kind = read_text(rd, "kind", false);
	if (g->kind && !g->kind[0])
		fail(rd, "kind", "is empty");
	g->payload = read_payload(rd);
}

static void read_claim(struct reader *rd, struct rc_reply *r)
{
	json_t *tasks = read_array(rd, "tasks");
	if (json_array_size(tasks) > RC_MAX_GRANTS)
		fail(rd, "tasks", "holds more than RC_MAX_GRANTS grants");
	read_each(rd, tasks, "tasks", read_grant, r);
	r->n_grants = rd->failed ? 0 : (int)json_array_size(tasks);
}

static void check_runner(struct reader *rd, size_t i, void *ctx)
{
	(void)i, (void)ctx;
	char id[RC_PROTO_MAX_RUNNER_ID_TEXT + 1];
	read_fixed(rd, "runner_id", false, id, sizeof id);
	(void)string_member(rd, "status", false);
	(void)read_integer(rd, "seconds_since_heartbeat", INT64_MIN, INT64_MAX);
}

/* Nothing in rc_reply holds the list (it is read through coord.h on the
 * server); a client reads the body itself, after this checked its shape. */
static void read_runners(struct reader *rd)
{
	read_each(rd, read_array(rd, "runners"), "runners", check_runner, NULL);
}

static int parse_word(struct reader *rd, const char *name, const char *(*name_of)(int), int count)
{
	json_t *v = string_member(rd, name, false);
	for (int i = 0; v && i < count; i++)
		if (strcmp(json_string_value(v), name_of(i)) == 0)
			return i;
	fail(rd, name, "is not a known word");
	return 0;
}

static const char *task_state_word(int i)
{
	return rc_task_state_name((enum rc_task_state)i);
}

static const char *sandbox_status_word(int i)
{
	return rc_sandbox_status_name((enum rc_sandbox_status)i);
}

/* A zeroed record in the arena for the reply to point to, or NULL (failed). */
static void *new_record(struct reader *rd, size_t size, const char *id_field)
{
	void *p = rd->failed ? NULL : rc_proto_arena_calloc(rd->arena, size);
	if (!p)
		fail(rd, id_field, "could not be stored (out of memory)");
	return p;
}

static void read_task(struct reader *rd, struct rc_reply *r)
{
	struct rc_task *t = new_record(rd, sizeof *t, "task_id");
	if (!t)
		return;
	t->id = read_id(rd, "task_id", false);
	t->state = (enum rc_task_state)parse_word(rd, "state", task_state_word, RC_TASK_FAILED + 1);
	t->attempt = (int)read_integer(rd, "attempt", 0, INT_MAX);
	read_fixed(rd, "runner_id", true, t->runner_id, sizeof t->runner_id);
	t->result = (char *)read_text(rd, "result", true);
	r->task_id = t->id;
	r->task = t;
}

static void read_sandbox(struct reader *rd, struct rc_reply *r)
{
	struct rc_sandbox *s = new_record(rd, sizeof *s, "sandbox_id");
	if (!s)
		return;
	s->id = read_id(rd, "sandbox_id", false);
	s->status = (enum rc_sandbox_status)parse_word(rd, "status", sandbox_status_word, RC_SANDBOX_STATUS_COUNT);
	read_fixed(rd, "runner_id", true, s->runner_id, sizeof s->runner_id);
	s->task_id = read_id(rd, "task_id", true);
	read_fixed(rd, "container_id", true, s->container_id, sizeof s->container_id);
	r->sandbox_id = s->id;
	r->sandbox = s;
}

static void read_health(struct reader *rd)
{
	(void)string_member(rd, "status", false);
}

static void read_success(struct reader *rd, struct rc_reply *r)
{
	switch (r->op) {
	case RC_OP_REGISTER: read_register(rd, r); return;
	case RC_OP_CLAIM: read_claim(rd, r); return;
	case RC_OP_RUNNERS_LIST: read_runners(rd); return;
	case RC_OP_TASK_SUBMIT:
	case RC_OP_TASK_GET: read_task(rd, r); return;
	case RC_OP_SANDBOX_CREATE:
	case RC_OP_SANDBOX_GET:
	case RC_OP_SANDBOX_DELETE:
	case RC_OP_SANDBOX_REPORT: read_sandbox(rd, r); return;
	case RC_OP_HEALTH: read_health(rd); return;
	default: return; /* no content */
	}
}

static bool has_no_content(enum rc_op op, int http_status)
{
	return http_status < 400 && (op == RC_OP_HEARTBEAT || op == RC_OP_DEREGISTER ||
				     op == RC_OP_TASK_STATUS || op == RC_OP_TASK_COMPLETE);
}

int rc_proto_decode_reply(enum rc_op op, int http_status, const char *body, size_t body_len,
			  struct rc_reply *reply, struct rc_proto_arena *arena, struct rc_error *err)
{
	assert(reply && arena);
	assert(body || body_len == 0);
	uint64_t req_id = reply->req_id; /* kept: HTTP pairs the reply, the caller's id stays */
	memset(reply, 0, sizeof *reply);
	reply->op = op;
	reply->req_id = req_id;
	reply->status = http_status;
	if (err)
		rc_error_clear(err);
	if (http_status == RC_STATUS_TRANSPORT || (body_len == 0 && has_no_content(op, http_status)))
		return 0;
	if (http_status < 200 || http_status > 599 || (http_status >= 300 && http_status < 400)) {
		rc_error_set(err, -1, RC_PROTO_E_BAD_REPLY, "unexpected HTTP status %d", http_status);
		return -1;
	}

	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(root)) {
		json_decref(root);
		rc_error_set(err, -1, RC_PROTO_E_BAD_REPLY, "reply body is not a JSON object%s%s", root ? "" : ": ",
			     root ? "" : jerr.text);
		return -1;
	}
	struct reader rd = { root, arena, err, false };
	if (http_status >= 400)
		read_error(&rd, &reply->error);
	else
		read_success(&rd, reply);
	json_decref(root);
	return rd.failed ? -1 : 0;
}
