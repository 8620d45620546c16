/*
 * test_protocol.c - the request side of the codec: routes, body errors,
 * limits at their boundary, and encode -> decode round trips.
 *
 * Replies are in test_protocol_reply.c, the committed fixture bodies in
 * test_protocol_fixtures.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "protocol_internal.h"
#include "unit.h"

#define RID "lnch_1991348b3b93"
#define REGISTER_BODY \
	"{\"hostname\":\"my-macbook\",\"project_dir\":\"/code\",\"executor_type\":\"claude-code\"," \
	"\"instance_token\":\"tok\"}"

struct decoded {
	struct rc_msg msg;
	struct rc_proto_arena arena;
	struct rc_error err;
	int status;
};

static int decode_h(struct decoded *d, const char *method, const char *path, const struct rc_proto_headers *h,
		    const char *body, size_t body_len)
{
	rc_proto_arena_init(&d->arena);
	d->status = rc_proto_decode_request(method, path, h, body, body_len, &d->msg, &d->arena, &d->err);
	return d->status;
}

static int decode(struct decoded *d, const char *method, const char *path, const char *body)
{
	return decode_h(d, method, path, NULL, body, body ? strlen(body) : 0);
}

static void done(struct decoded *d)
{
	rc_proto_arena_free(&d->arena);
}

/* The decode failed with status, code and (when field is not NULL) named
 * exactly that field first. */
static void expect_error(const struct decoded *d, int status, const char *code, const char *field)
{
	CU_ASSERT_EQUAL(d->status, status);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->err.code);
	CU_ASSERT_STRING_EQUAL(d->err.code, code);
	CU_ASSERT(d->err.message[0] != '\0');
	if (field) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(d->err.fields[0]);
		CU_ASSERT_STRING_EQUAL(d->err.fields[0], field);
	} else {
		CU_ASSERT_PTR_NULL(d->err.fields[0]);
	}
}

/* A JSON body from a jansson value (stolen); the caller frees the text. */
static char *dump(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* --- routes ----------------------------------------------------------------- */

struct route_case {
	const char *method, *path, *body;
	enum rc_op op;
	const char *runner_id;
	uint64_t id;
	const char *allowed; /* every method the path is served with */
};

static const struct route_case route_cases[] = {
	{ "POST", "/runners/register", REGISTER_BODY, RC_OP_REGISTER, NULL, 0, "POST" },
	{ "POST", "/runners/" RID "/heartbeat", "{\"session\":1}", RC_OP_HEARTBEAT, RID, 0, "POST" },
	{ "DELETE", "/runners/" RID, "", RC_OP_DEREGISTER, RID, 0, "DELETE" },
	{ "POST", "/runners/" RID "/claim", "{\"session\":1,\"max\":1}", RC_OP_CLAIM, RID, 0, "POST" },
	{ "GET", "/runners", "", RC_OP_RUNNERS_LIST, NULL, 0, "GET HEAD" },
	{ "POST", "/tasks", "{\"kind\":\"k\",\"payload\":\"p\"}", RC_OP_TASK_SUBMIT, NULL, 0, "POST" },
	{ "GET", "/tasks/42", "", RC_OP_TASK_GET, NULL, 42, "GET HEAD" },
	{ "POST", "/tasks/42/status", "{\"runner_id\":\"" RID "\",\"attempt\":1}", RC_OP_TASK_STATUS, RID, 42, "POST" },
	{ "POST", "/tasks/42/complete", "{\"runner_id\":\"" RID "\",\"attempt\":1}", RC_OP_TASK_COMPLETE, RID, 42,
	  "POST" },
	{ "POST", "/api/v1/sandboxes", "{}", RC_OP_SANDBOX_CREATE, NULL, 0, "POST" },
	{ "GET", "/api/v1/sandboxes/9", "", RC_OP_SANDBOX_GET, NULL, 9, "GET HEAD DELETE" },
	{ "DELETE", "/api/v1/sandboxes/9", "", RC_OP_SANDBOX_DELETE, NULL, 9, "GET HEAD DELETE" },
	{ "POST", "/api/v1/sandboxes/9/runner-status", "{\"status\":\"running\"}", RC_OP_SANDBOX_REPORT, NULL, 9,
	  "POST" },
	{ "GET", "/health", "", RC_OP_HEALTH, NULL, 0, "GET HEAD" },
};
#define N_ROUTE_CASES (sizeof route_cases / sizeof route_cases[0])

static void test_every_route(void)
{
	bool seen[RC_OP_COUNT] = { false };
	for (size_t i = 0; i < N_ROUTE_CASES; i++) {
		const struct route_case *c = &route_cases[i];
		struct decoded d;
		CU_ASSERT_EQUAL(decode(&d, c->method, c->path, c->body), 0);
		CU_ASSERT_EQUAL(d.msg.op, c->op);
		if (c->runner_id) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(d.msg.runner_id);
			CU_ASSERT_STRING_EQUAL(d.msg.runner_id, c->runner_id);
		}
		uint64_t id = d.msg.task_id ? d.msg.task_id : d.msg.sandbox_id;
		CU_ASSERT_EQUAL(id, c->id);
		seen[c->op] = true;
		done(&d);
	}
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT; op++)
		CU_ASSERT_TRUE(seen[op]);
}

static void test_wrong_method_is_405(void)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "post" };
	int refused = 0;
	for (size_t i = 0; i < N_ROUTE_CASES; i++) {
		const struct route_case *c = &route_cases[i];
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
			char word[16];
			snprintf(word, sizeof word, " %s ", methods[m]);
			char allowed[32];
			snprintf(allowed, sizeof allowed, " %s ", c->allowed);
			if (strstr(allowed, word))
				continue;
			struct decoded d;
			decode(&d, methods[m], c->path, c->body);
			expect_error(&d, 405, RC_PROTO_E_METHOD_NOT_ALLOWED, NULL);
			CU_ASSERT_EQUAL(d.msg.op, RC_OP_NONE);
			/* the message lists what is allowed, for the Allow header */
			char first[16];
			CU_ASSERT_EQUAL(sscanf(c->allowed, "%15s", first), 1);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, first));
			refused++;
			done(&d);
		}
	}
	CU_ASSERT(refused >= 70);
}

/* A 405 reply carries an Allow header (RFC 9110, section 15.5.6): every
 * method of the path, HEAD wherever GET is, in the order the message lists
 * them; none for a path no route has. */
static void test_allow_header_value(void)
{
	for (size_t i = 0; i < N_ROUTE_CASES; i++) {
		char want[32], got[64];
		size_t n = 0;
		for (const char *p = route_cases[i].allowed; *p && n + 2 < sizeof want; p++) {
			if (*p == ' ')
				want[n++] = ',';
			want[n++] = *p;
		}
		want[n] = '\0';
		rc_proto_allowed_methods(route_cases[i].path, got, sizeof got);
		CU_ASSERT_STRING_EQUAL(got, want);
		struct decoded d;
		decode(&d, "PATCH", route_cases[i].path, "");
		CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, got));
		done(&d);
	}
	char got[64] = "x";
	rc_proto_allowed_methods("/runners?x=1", got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "GET, HEAD");
	rc_proto_allowed_methods("/nowhere", got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "");
	rc_proto_allowed_methods("/tasks/01", got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "");
	/* the longest path a route takes leaves the methods room in the message */
	struct decoded d;
	decode(&d, "PATCHPATCHPATCHPATCH", "/api/v1/sandboxes/9223372036854775807/runner-status?x=1", "");
	CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "(allowed: POST)"));
	done(&d);
}

/* HEAD takes every GET route as that GET (the daemon leaves the body out),
 * and no other route. */
static void test_head_is_get_without_body(void)
{
	int heads = 0;
	for (size_t i = 0; i < N_ROUTE_CASES; i++) {
		const struct route_case *c = &route_cases[i];
		if (strcmp(c->method, "GET") != 0)
			continue;
		struct decoded d;
		CU_ASSERT_EQUAL(decode(&d, "HEAD", c->path, ""), 0);
		CU_ASSERT_EQUAL(d.msg.op, c->op);
		heads++;
		done(&d);
	}
	CU_ASSERT_EQUAL(heads, 4);
	struct decoded d;
	decode(&d, "PUT", "/health", "");
	expect_error(&d, 405, RC_PROTO_E_METHOD_NOT_ALLOWED, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "(allowed: GET, HEAD)"));
	done(&d);
}

static void test_unknown_path_is_404(void)
{
	static const char *const paths[] = {
		"/", "", "health", "/health/", "//health", "/Health", "/runners/", "/runners//heartbeat",
		"/runners/" RID "/heartbeat/x", "/runners/" RID "/unknown", "/tasks/", "/tasks/abc", "/tasks/0",
		"/tasks/-1", "/tasks/+1", "/tasks/1e3", "/tasks/ 1", "/tasks/0x10", "/tasks/9223372036854775808",
		"/tasks/18446744073709551616", "/tasks/99999999999999999999", "/tasks/1/other", "/api/v1/sandboxes/x",
		"/api/v1/sandboxes/0/runner-status", "/api/v2/sandboxes", "/api/v1/sandboxes/1/runner-status/x",
		"/runners/0123456789012345678901234567890123456789012345678901234567890123X/heartbeat",
		/* ids in any form but the one the coordinator writes */
		"/tasks/01", "/tasks/00", "/tasks/007/status", "/api/v1/sandboxes/01", "/api/v1/sandboxes/09/runner-status",
		"/runners/a b/heartbeat", "/runners/not%20an%20id/claim", "/runners/LNCH_1991348B3B93/heartbeat",
		"/runners/lnch_1991348b3b9/heartbeat", "/runners/" RID "0/claim", "/runners/lnch-1991348b3b93/claim",
		"/runners/lnch_1991348b3b9g/heartbeat",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct decoded d;
		decode(&d, "GET", paths[i], "");
		expect_error(&d, 404, RC_PROTO_E_NOT_FOUND, NULL);
		done(&d);
		decode(&d, "POST", paths[i], "{}");
		CU_ASSERT_EQUAL(d.status, 404);
		done(&d);
	}
}

static void test_path_ids_at_their_limits(void)
{
	struct decoded d;
	CU_ASSERT_EQUAL(decode(&d, "GET", "/tasks/9223372036854775807", ""), 0);
	CU_ASSERT_EQUAL(d.msg.task_id, 9223372036854775807ULL);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "GET", "/tasks/10", ""), 0);
	CU_ASSERT_EQUAL(d.msg.task_id, 10);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "GET", "/api/v1/sandboxes/1", ""), 0);
	CU_ASSERT_EQUAL(d.msg.sandbox_id, 1);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/lnch_0123456789ab/heartbeat", "{\"session\":1}"), 0);
	CU_ASSERT_STRING_EQUAL(d.msg.runner_id, "lnch_0123456789ab");
	done(&d);
}

/* An id in a path has one written form: "/tasks/01" was task 1 under a
 * second name, and "/runners/a%20b" reached the coordinator as runner "a b"
 * (404 unknown_runner, as if such a runner could exist). Both are not_found,
 * and the message says which id is malformed and what an id is. */
static void test_path_ids_in_one_form_only(void)
{
	static const struct {
		const char *method, *path, *words;
	} cases[] = {
		{ "GET", "/tasks/01", "'01' in the path is not a task id (1..2^63-1 in decimal, no leading zero)" },
		{ "POST", "/tasks/007/complete", "'007' in the path is not a task id" },
		{ "DELETE", "/api/v1/sandboxes/02", "'02' in the path is not a sandbox id" },
		{ "POST", "/runners/a b/heartbeat", "'a b' in the path is not a runner id (lnch_ and 12 lower-case hex" },
		{ "DELETE", "/runners/LNCH_1991348B3B93", "'LNCH_1991348B3B93' in the path is not a runner id" },
		{ "POST", "/runners/0123456789012345678901234567890123456789/claim",
		  "'01234567890123456789012345678901...' in the path" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct decoded d;
		decode(&d, cases[i].method, cases[i].path, "{\"session\":1,\"max\":1,\"runner_id\":\"" RID "\",\"attempt\":1}");
		expect_error(&d, 404, RC_PROTO_E_NOT_FOUND, NULL);
		if (!strstr(d.err.message, cases[i].words))
			fprintf(stderr, "\n%s %s: message \"%s\"\n", cases[i].method, cases[i].path, d.err.message);
		CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, cases[i].words));
		done(&d);
	}
	/* "register" is no runner id: only POST is served on /runners/register */
	struct decoded d;
	decode(&d, "DELETE", "/runners/register", "");
	expect_error(&d, 405, RC_PROTO_E_METHOD_NOT_ALLOWED, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.err.message, "(allowed: POST)"));
	done(&d);
}

static void test_query_string_ignored(void)
{
	struct decoded d;
	CU_ASSERT_EQUAL(decode(&d, "GET", "/health?verbose=1&x=/y", ""), 0);
	CU_ASSERT_EQUAL(d.msg.op, RC_OP_HEALTH);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/" RID "/heartbeat?session=9", "{\"session\":2}"), 0);
	CU_ASSERT_STRING_EQUAL(d.msg.runner_id, RID);
	CU_ASSERT_EQUAL(d.msg.session, 2);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "GET", "/tasks/5?", ""), 0);
	CU_ASSERT_EQUAL(d.msg.task_id, 5);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "GET", "/tasks/?5", ""), 404);
	done(&d);
}

/* --- body size and shape ---------------------------------------------------- */

/* body_len bytes: a valid heartbeat body padded with spaces (JSON whitespace). */
static char *padded_heartbeat(size_t body_len)
{
	char *body = malloc(body_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	memset(body, ' ', body_len);
	memcpy(body, "{\"session\":5}", 13);
	return body;
}

static void test_body_size_limit(void)
{
	struct decoded d;
	char *body = padded_heartbeat(RC_MAX_BODY_BYTES + 1);
	decode_h(&d, "POST", "/runners/" RID "/heartbeat", NULL, body, RC_MAX_BODY_BYTES);
	CU_ASSERT_EQUAL(d.status, 0); /* exactly the limit */
	CU_ASSERT_EQUAL(d.msg.session, 5);
	done(&d);
	decode_h(&d, "POST", "/runners/" RID "/heartbeat", NULL, body, RC_MAX_BODY_BYTES + 1);
	expect_error(&d, 413, RC_PROTO_E_BODY_TOO_LARGE, NULL);
	CU_ASSERT_EQUAL(d.msg.op, RC_OP_HEARTBEAT);
	done(&d);
	/* the route is judged first: an unknown path stays 404, a wrong method 405 */
	decode_h(&d, "POST", "/nowhere", NULL, body, RC_MAX_BODY_BYTES + 1);
	CU_ASSERT_EQUAL(d.status, 404);
	done(&d);
	decode_h(&d, "PUT", "/runners/" RID "/heartbeat", NULL, body, RC_MAX_BODY_BYTES + 1);
	CU_ASSERT_EQUAL(d.status, 405);
	done(&d);
	/* GET and DELETE bodies are ignored, whatever their size */
	decode_h(&d, "GET", "/health", NULL, body, RC_MAX_BODY_BYTES + 1);
	CU_ASSERT_EQUAL(d.status, 0);
	done(&d);
	free(body);
}

/* A body the daemon did not read (over the limit): the route is still judged
 * first, as PROTOCOL.md orders the checks. */
static void test_unread_body(void)
{
	static const struct {
		const char *method, *path;
		int status;
	} cases[] = {
		{ "PUT", "/runners", 405 },
		{ "POST", "/no/such/route", 404 },
		{ "GET", "/runners", 0 },
		{ "DELETE", "/api/v1/sandboxes/1", 0 },
		{ "POST", "/tasks", 413 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct decoded d;
		decode_h(&d, cases[i].method, cases[i].path, NULL, NULL, RC_PROTO_BODY_UNREAD);
		CU_ASSERT_EQUAL(d.status, cases[i].status);
		done(&d);
	}
}

static void test_malformed_bodies(void)
{
	static const char *const bodies[] = {
		"", " ", "hostname=x", "[]", "[{}]", "\"x\"", "42", "null", "{", "{\"a\":1} x", "{\"a\":1}{}",
		"{\"hostname\":\"a\",\"hostname\":\"b\"}", "{'hostname':'a'}", "{\"hostname\":\"\xff\"}",
		"{\"hostname\":\"a\x01\"}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct decoded d;
		decode(&d, "POST", "/runners/register", bodies[i]);
		expect_error(&d, 400, RC_PROTO_E_MALFORMED_JSON, NULL);
		done(&d);
	}
	/* nesting deeper than jansson's parser allows (2048) is refused, not a crash */
	char deep[2 * 4000 + 64];
	size_t n = (size_t)snprintf(deep, sizeof deep, "{\"kind\":\"k\",\"payload\":");
	for (int i = 0; i < 4000; i++)
		deep[n++] = '[';
	for (int i = 0; i < 4000; i++)
		deep[n++] = ']';
	strcpy(deep + n, "}");
	struct decoded dd;
	decode(&dd, "POST", "/tasks", deep);
	expect_error(&dd, 400, RC_PROTO_E_MALFORMED_JSON, NULL);
	done(&dd);
	/* a raw NUL inside the body (not \u0000) */
	struct decoded d;
	decode_h(&d, "POST", "/runners/register", NULL, "{\"a\":\"\0\"}", 8);
	expect_error(&d, 400, RC_PROTO_E_MALFORMED_JSON, NULL);
	done(&d);
}

static void test_bodiless_and_optional_bodies(void)
{
	struct decoded d;
	/* GET/DELETE accept an empty body and ignore any other */
	CU_ASSERT_EQUAL(decode(&d, "GET", "/runners", ""), 0);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "GET", "/runners", "not json at all"), 0);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "DELETE", "/api/v1/sandboxes/3", "[1,2]"), 0);
	done(&d);
	CU_ASSERT_EQUAL(decode_h(&d, "GET", "/health", NULL, NULL, 0), 0);
	done(&d);
	/* sandbox create: every field optional, so an empty body means {} */
	CU_ASSERT_EQUAL(decode(&d, "POST", "/api/v1/sandboxes", ""), 0);
	CU_ASSERT_EQUAL(d.msg.sandbox_task_id, 0);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/api/v1/sandboxes", "[]"), 400);
	done(&d);
	/* other POSTs need an object */
	decode(&d, "POST", "/runners/" RID "/heartbeat", "");
	expect_error(&d, 400, RC_PROTO_E_MALFORMED_JSON, NULL);
	done(&d);
}

/* --- fields ----------------------------------------------------------------- */

/* One string field of one op: its limit, where it lands, and a body the
 * field is set into. */
struct string_field {
	const char *path;
	const char *base; /* a valid body without the field */
	const char *name;
	size_t limit;
	size_t offset;
};

#define MSG_AT(member) offsetof(struct rc_msg, member)
#define STATUS_BASE "{\"runner_id\":\"" RID "\",\"attempt\":1}"

static const struct string_field string_fields[] = {
	{ "/runners/register", REGISTER_BODY, "hostname", RC_MAX_HOSTNAME_LEN, MSG_AT(hostname) },
	{ "/runners/register", REGISTER_BODY, "project_dir", RC_MAX_PROJECT_DIR_LEN, MSG_AT(project_dir) },
	{ "/runners/register", REGISTER_BODY, "executor_type", RC_MAX_EXECUTOR_TYPE_LEN, MSG_AT(executor_type) },
	{ "/runners/register", REGISTER_BODY, "instance_token", RC_MAX_INSTANCE_TOKEN_LEN, MSG_AT(instance_token) },
	{ "/tasks", "{\"payload\":\"p\"}", "kind", RC_MAX_TASK_KIND_LEN, MSG_AT(kind) },
	{ "/tasks", "{\"kind\":\"k\"}", "payload", RC_MAX_PAYLOAD_LEN, MSG_AT(payload) },
	{ "/tasks/3/status", "{\"attempt\":1}", "runner_id", RC_PROTO_MAX_RUNNER_ID_TEXT, MSG_AT(runner_id) },
	{ "/tasks/3/status", STATUS_BASE, "message", RC_MAX_TEXT_LEN, MSG_AT(text) },
	{ "/tasks/3/complete", "{\"attempt\":1}", "runner_id", RC_PROTO_MAX_RUNNER_ID_TEXT, MSG_AT(runner_id) },
	{ "/tasks/3/complete", STATUS_BASE, "result", RC_MAX_TEXT_LEN, MSG_AT(text) },
	{ "/api/v1/sandboxes/4/runner-status", "{\"status\":\"running\"}", "containerId", RC_MAX_CONTAINER_ID_LEN,
	  MSG_AT(container_id) },
	{ "/api/v1/sandboxes/4/runner-status", "{\"status\":\"running\"}", "message", RC_MAX_TEXT_LEN, MSG_AT(text) },
};
#define N_STRING_FIELDS (sizeof string_fields / sizeof string_fields[0])

/* The base body of f with f's field set to value (stolen). */
static char *body_with(const char *base, const char *name, json_t *value)
{
	json_t *obj = json_loads(base, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	json_object_set_new(obj, name, value);
	return dump(obj);
}

static json_t *string_of(size_t len, char fill)
{
	char *s = malloc(len + 1);
	memset(s, fill, len);
	s[len] = '\0';
	json_t *v = json_string(s);
	free(s);
	return v;
}

static const char *field_of(const struct rc_msg *msg, size_t offset)
{
	return *(const char *const *)(const void *)((const char *)msg + offset);
}

static void test_string_limits_at_the_boundary(void)
{
	for (size_t i = 0; i < N_STRING_FIELDS; i++) {
		const struct string_field *f = &string_fields[i];
		struct decoded d;
		char *body = body_with(f->base, f->name, string_of(f->limit, 'a'));
		CU_ASSERT_EQUAL(decode(&d, "POST", f->path, body), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(field_of(&d.msg, f->offset));
		CU_ASSERT_EQUAL(strlen(field_of(&d.msg, f->offset)), f->limit);
		done(&d);
		free(body);

		body = body_with(f->base, f->name, string_of(f->limit + 1, 'a'));
		decode(&d, "POST", f->path, body);
		expect_error(&d, 422, RC_PROTO_E_FIELD_TOO_LONG, f->name);
		CU_ASSERT_PTR_NULL(field_of(&d.msg, f->offset));
		done(&d);
		free(body);
	}
}

/* Limits count bytes, not characters: 2-byte characters reach it sooner. */
static void test_limits_count_utf8_bytes(void)
{
	char host[RC_MAX_HOSTNAME_LEN + 2] = "";
	for (int i = 0; i < 127; i++)
		strcat(host, "\xc3\xb6"); /* U+00F6, 2 bytes: 254 bytes */
	strcat(host, "x");                /* 255 bytes */
	struct decoded d;
	char *body = body_with(REGISTER_BODY, "hostname", json_string(host));
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/register", body), 0);
	CU_ASSERT_STRING_EQUAL(d.msg.hostname, host);
	done(&d);
	free(body);
	host[strlen(host) - 1] = '\0';
	strcat(host, "\xc3\xb6"); /* 256 bytes, 128 characters */
	body = body_with(REGISTER_BODY, "hostname", json_string(host));
	decode(&d, "POST", "/runners/register", body);
	expect_error(&d, 422, RC_PROTO_E_FIELD_TOO_LONG, "hostname");
	done(&d);
	free(body);
}

static void test_string_fields_refuse_other_types_and_nul(void)
{
	for (size_t i = 0; i < N_STRING_FIELDS; i++) {
		const struct string_field *f = &string_fields[i];
		struct decoded d;
		char *body;
		if (strcmp(f->name, "payload") != 0) { /* a payload may be any value */
			json_t *wrong[] = { json_integer(42), json_true(), json_pack("[s]", "a"), json_pack("{}") };
			for (size_t w = 0; w < 4; w++) {
				body = body_with(f->base, f->name, wrong[w]);
				decode(&d, "POST", f->path, body);
				expect_error(&d, 400, RC_PROTO_E_INVALID_TYPE, f->name);
				done(&d);
				free(body);
			}
		}
		body = body_with(f->base, f->name, json_stringn("a\0b", 3));
		decode(&d, "POST", f->path, body);
		expect_error(&d, 400, RC_PROTO_E_INVALID_STRING, f->name);
		done(&d);
		free(body);
	}
}

/* One number field: its range and where it lands. */
struct number_field {
	const char *path;
	const char *base;
	const char *name;
	long long min, max;
	bool is_u64;
	size_t offset;
};

static const struct number_field number_fields[] = {
	{ "/runners/register", REGISTER_BODY, "max_concurrency", 1, RC_MAX_CONCURRENCY, false,
	  MSG_AT(max_concurrency) },
	{ "/runners/" RID "/heartbeat", "{}", "session", 0, INT64_MAX, true, MSG_AT(session) },
	{ "/runners/" RID "/claim", "{\"max\":1}", "session", 0, INT64_MAX, true, MSG_AT(session) },
	{ "/runners/" RID "/claim", "{\"session\":1}", "max", 0, RC_MAX_GRANTS, false, MSG_AT(max) },
	{ "/tasks/3/status", "{\"runner_id\":\"r\"}", "attempt", 0, 2147483647, false, MSG_AT(attempt) },
	{ "/tasks/3/complete", "{\"runner_id\":\"r\"}", "attempt", 0, 2147483647, false, MSG_AT(attempt) },
	{ "/api/v1/sandboxes", "{}", "task_id", 1, INT64_MAX, true, MSG_AT(sandbox_task_id) },
};
#define N_NUMBER_FIELDS (sizeof number_fields / sizeof number_fields[0])

static long long number_of(const struct rc_msg *msg, const struct number_field *f)
{
	const char *at = (const char *)msg + f->offset;
	return f->is_u64 ? (long long)*(const uint64_t *)(const void *)at : *(const int *)(const void *)at;
}

static void expect_number(const struct number_field *f, json_t *value, int status, long long want)
{
	struct decoded d;
	char *body = body_with(f->base, f->name, value);
	decode(&d, "POST", f->path, body);
	CU_ASSERT_EQUAL(d.status, status);
	if (status == 0) {
		CU_ASSERT_EQUAL(number_of(&d.msg, f), want);
	} else if (status == 422) {
		expect_error(&d, 422, RC_PROTO_E_INVALID_VALUE, f->name);
	} else {
		expect_error(&d, 400, RC_PROTO_E_INVALID_TYPE, f->name);
	}
	done(&d);
	free(body);
}

static void test_number_ranges_at_the_boundary(void)
{
	for (size_t i = 0; i < N_NUMBER_FIELDS; i++) {
		const struct number_field *f = &number_fields[i];
		expect_number(f, json_integer(f->min), 0, f->min);
		expect_number(f, json_integer(f->max), 0, f->max);
		expect_number(f, json_integer(f->min - 1), 422, 0);
		if (f->max < INT64_MAX)
			expect_number(f, json_integer(f->max + 1), 422, 0);
		expect_number(f, json_string("1"), 400, 0);
		expect_number(f, json_real(1.0), 400, 0);
		expect_number(f, json_true(), 400, 0);
		expect_number(f, json_pack("[i]", 1), 400, 0);
	}
	/* past int64 (which jansson cannot hold): out of range all the same */
	for (size_t i = 0; i < N_NUMBER_FIELDS; i++) {
		const struct number_field *f = &number_fields[i];
		char *body = body_with(f->base, f->name, json_string("@"));
		char *at = strstr(body, "\"@\"");
		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		char past[1100];
		snprintf(past, sizeof past, "%.*s9223372036854775808%s", (int)(at - body), body, at + 3);
		struct decoded d;
		decode(&d, "POST", f->path, past);
		expect_error(&d, 422, RC_PROTO_E_INVALID_VALUE, f->name);
		done(&d);
		free(body);
	}
}

/* A number jansson cannot hold (an integer past 64 bits, a real past the
 * double range) made the whole body 400 malformed_json, without a field,
 * where PROTOCOL.md says a number out of range is 422 invalid_value naming
 * it. Now each field judges it by its own rule. */
#define HUGE_INT "99999999999999999999"
static void test_numbers_past_64_bits(void)
{
	static const struct {
		const char *path, *body;
		int status;
		const char *code, *field;
	} cases[] = {
		{ "/runners/" RID "/heartbeat", "{\"session\":9223372036854775808}", 422, RC_PROTO_E_INVALID_VALUE, "session" },
		{ "/runners/" RID "/heartbeat", "{\"session\":-9223372036854775809}", 422, RC_PROTO_E_INVALID_VALUE, "session" },
		{ "/runners/" RID "/heartbeat", "{\"sess\\u0069on\" : " HUGE_INT "}", 422, RC_PROTO_E_INVALID_VALUE, "session" },
		{ "/runners/" RID "/claim", "{\"session\":1,\"max\":" HUGE_INT "0}", 422, RC_PROTO_E_INVALID_VALUE, "max" },
		{ "/tasks/3/complete", "{\"runner_id\":\"" RID "\",\"attempt\":" HUGE_INT "}", 422, RC_PROTO_E_INVALID_VALUE,
		  "attempt" },
		/* the fields' order still decides which is named */
		{ "/runners/" RID "/claim", "{\"max\":" HUGE_INT ",\"session\":\"1\"}", 400, RC_PROTO_E_INVALID_TYPE, "session" },
		/* a real, or a number inside another value, is the wrong type */
		{ "/runners/" RID "/heartbeat", "{\"session\":1e400}", 400, RC_PROTO_E_INVALID_TYPE, "session" },
		{ "/runners/" RID "/heartbeat", "{\"session\":[" HUGE_INT "]}", 400, RC_PROTO_E_INVALID_TYPE, "session" },
		{ "/runners/register", "{\"hostname\":-" HUGE_INT "}", 400, RC_PROTO_E_INVALID_TYPE, "hostname" },
		{ "/tasks/3/complete", "{\"runner_id\":\"" RID "\",\"attempt\":1,\"success\":1E999}", 400,
		  RC_PROTO_E_INVALID_TYPE, "success" },
		/* a payload is kept as written: it cannot hold one */
		{ "/tasks", "{\"kind\":\"k\",\"payload\":{\"n\":[1," HUGE_INT "]}}", 422, RC_PROTO_E_INVALID_VALUE, "payload" },
		{ "/tasks", "{\"kind\":\"k\",\"payload\":-1.5e999}", 422, RC_PROTO_E_INVALID_VALUE, "payload" },
		/* not an object, or not JSON once the number is set aside */
		{ "/runners/" RID "/heartbeat", HUGE_INT, 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "[" HUGE_INT "]", 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"session\":1} " HUGE_INT, 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"session\":" HUGE_INT ",\"session\":1}", 400, RC_PROTO_E_MALFORMED_JSON,
		  NULL },
		{ "/runners/" RID "/heartbeat", "{\"session\":" HUGE_INT ",", 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"x\":" HUGE_INT ",\"session\":0" HUGE_INT "}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"x\":" HUGE_INT "-,\"session\":1}", 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		/* where a key belongs, "" would be JSON: a number there is not */
		{ "/runners/" RID "/heartbeat", "{\"x\":1, " HUGE_INT ": 5, \"session\": 1}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{" HUGE_INT ": 5, \"session\": 1}", 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/tasks", "{\"kind\":\"k\",\"zz\":{" HUGE_INT ":1}}", 400, RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/tasks", "{\"kind\":\"k\",\"zz\":[{\"a\":1}, {\"b\":2," HUGE_INT ":1}]}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
		/* tokens jansson does not read as numbers stay in the text */
		{ "/runners/" RID "/heartbeat", "{\"session\":1,\"x\":" HUGE_INT ",\"y\":1.e999}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"session\":1,\"x\":" HUGE_INT ",\"y\":1e+}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
		{ "/runners/" RID "/heartbeat", "{\"session\":1,\"x\":" HUGE_INT ",\"y\":-}", 400,
		  RC_PROTO_E_MALFORMED_JSON, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct decoded d;
		decode(&d, "POST", cases[i].path, cases[i].body);
		if (d.status != cases[i].status)
			fprintf(stderr, "\n%s: %d %s\n", cases[i].body, d.status, d.err.message);
		expect_error(&d, cases[i].status, cases[i].code, cases[i].field);
		done(&d);
	}
	/* an unknown field is ignored, whatever it holds; strings are not numbers */
	struct decoded d;
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/register",
			       "{\"extra\":" HUGE_INT ",\"hostname\":\"h\\\"" HUGE_INT "\\\\\",\"more\":{\"n\":[-1e999]},"
			       "\"project_dir\":\"/p\",\"executor_type\":\"e\",\"instance_token\":\"t\",\"max_concurrency\":2}"),
			0);
	CU_ASSERT_STRING_EQUAL(d.msg.hostname, "h\"" HUGE_INT "\\");
	CU_ASSERT_EQUAL(d.msg.max_concurrency, 2);
	done(&d);
}

static void count_overflow(void *ctx, const char *key, size_t key_len, bool whole_integer)
{
	(void)key;
	(void)key_len;
	(void)whole_integer;
	(*(int *)ctx)++;
}

/* A member's key is decoded once, however many numbers its value holds:
 * one call per member, so a body of many numbers under a long key costs
 * what its length does. */
static void test_overflows_reported_once_per_member(void)
{
	char body[] = "{\"long key\": [1e999, 1e999, " HUGE_INT ", [1e999]], \"b\": 1e999, \"c\": 1}";
	int calls = 0;
	CU_ASSERT_EQUAL(rc_proto_set_aside_overflows(body, strlen(body), count_overflow, &calls), 0);
	CU_ASSERT_EQUAL(calls, 2);
	CU_ASSERT_PTR_NULL(strstr(body, "1e999"));
	CU_ASSERT_PTR_NULL(strstr(body, HUGE_INT));
	/* deeper than jansson reads: refused, not scanned past its bit stack */
	char deep[2100 + 64] = "{\"a\":";
	size_t open = strlen(deep);
	memset(deep + open, '[', 2100);
	strcpy(deep + open + 2100, "1e999");
	CU_ASSERT_EQUAL(rc_proto_set_aside_overflows(deep, strlen(deep), count_overflow, &calls), -1);
}

static void test_missing_numbers_are_named(void)
{
	struct decoded d;
	decode(&d, "POST", "/runners/" RID "/heartbeat", "{}");
	expect_error(&d, 422, RC_PROTO_E_MISSING_FIELDS, "session");
	done(&d);
	decode(&d, "POST", "/runners/" RID "/claim", "{\"session\":null}");
	expect_error(&d, 422, RC_PROTO_E_MISSING_FIELDS, "session");
	CU_ASSERT_STRING_EQUAL(d.err.fields[1], "max");
	CU_ASSERT_PTR_NULL(d.err.fields[2]);
	done(&d);
	decode(&d, "POST", "/tasks/1/status", "{\"runner_id\":\"" RID "\"}");
	expect_error(&d, 422, RC_PROTO_E_MISSING_FIELDS, "attempt");
	done(&d);
	/* a task report's runner_id is required too, and named with the numbers */
	decode(&d, "POST", "/tasks/1/complete", "{\"success\":false}");
	expect_error(&d, 422, RC_PROTO_E_MISSING_FIELDS, "runner_id");
	CU_ASSERT_STRING_EQUAL(d.err.fields[1], "attempt");
	done(&d);
	/* a wrong type is reported before a missing number */
	decode(&d, "POST", "/runners/" RID "/claim", "{\"max\":\"2\"}");
	expect_error(&d, 400, RC_PROTO_E_INVALID_TYPE, "max");
	done(&d);
}

static void test_register_missing_strings_left_null(void)
{
	struct decoded d;
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/register", "{\"hostname\":null,\"executor_type\":\"\"}"), 0);
	CU_ASSERT_EQUAL(d.msg.op, RC_OP_REGISTER);
	CU_ASSERT_PTR_NULL(d.msg.hostname);
	CU_ASSERT_PTR_NULL(d.msg.project_dir);
	CU_ASSERT_STRING_EQUAL(d.msg.executor_type, ""); /* empty is the coordinator's to refuse */
	CU_ASSERT_PTR_NULL(d.msg.instance_token);
	CU_ASSERT_EQUAL(d.msg.max_concurrency, 0);
	done(&d);
}

static void test_register_fields_decoded(void)
{
	struct decoded d;
	const char *body = "{\"max_concurrency\":4,\"hostname\":\"h\\u00f6st\",\"project_dir\":\"/code\","
			   "\"executor_type\":\"claude-code\",\"instance_token\":\"tok\",\"extra\":{\"x\":[1]}}";
	CU_ASSERT_EQUAL(decode(&d, "POST", "/runners/register", body), 0);
	CU_ASSERT_STRING_EQUAL(d.msg.hostname, "h\xc3\xb6st");
	CU_ASSERT_STRING_EQUAL(d.msg.project_dir, "/code");
	CU_ASSERT_STRING_EQUAL(d.msg.executor_type, "claude-code");
	CU_ASSERT_STRING_EQUAL(d.msg.instance_token, "tok");
	CU_ASSERT_EQUAL(d.msg.max_concurrency, 4);
	CU_ASSERT_PTR_NULL(d.msg.runner_id);
	done(&d);
	/* a key with a NUL in it can never pass for "hostname": jansson refuses it */
	decode(&d, "POST", "/runners/register", "{\"hostname\\u0000x\":\"evil\"}");
	expect_error(&d, 400, RC_PROTO_E_MALFORMED_JSON, NULL);
	CU_ASSERT_PTR_NULL(d.msg.hostname);
	done(&d);
}

static void expect_payload(const char *payload_json, int status, const char *stored)
{
	char body[RC_MAX_PAYLOAD_LEN + 256];
	snprintf(body, sizeof body, "{\"kind\":\"k\",\"payload\":%s}", payload_json);
	struct decoded d;
	decode(&d, "POST", "/tasks", body);
	CU_ASSERT_EQUAL(d.status, status);
	if (status == 0) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(d.msg.payload);
		CU_ASSERT_STRING_EQUAL(d.msg.payload, stored);
	} else {
		expect_error(&d, status, RC_PROTO_E_FIELD_TOO_LONG, "payload");
	}
	done(&d);
}

static void test_payload_any_json_value(void)
{
	expect_payload("\"echo {hi}\"", 0, "echo {hi}");
	expect_payload("\"\"", 0, "");
	expect_payload("{ \"b\" : [ 1, true, null ],\n \"a\" : \"x\" }", 0, "{\"b\":[1,true,null],\"a\":\"x\"}");
	expect_payload("[ ]", 0, "[]");
	expect_payload("42", 0, "42");
	expect_payload("-7", 0, "-7");
	expect_payload("true", 0, "true");
	expect_payload("null", 0, "null");
	expect_payload("{\"nul\":\"a\\u0000b\"}", 0, "{\"nul\":\"a\\u0000b\"}"); /* nested NUL stays escaped */
	expect_payload("{\"u\":\"\\u00f6\"}", 0, "{\"u\":\"\xc3\xb6\"}");

	/* the limit applies to what is stored: the compact encoding */
	char obj[RC_MAX_PAYLOAD_LEN + 64], stored[RC_MAX_PAYLOAD_LEN + 64];
	size_t fill = RC_MAX_PAYLOAD_LEN - 8; /* {"x":"<fill>"} is fill + 8 bytes */
	snprintf(obj, sizeof obj, "{ \"x\" : \"%0*d\" }", (int)fill, 0);
	snprintf(stored, sizeof stored, "{\"x\":\"%0*d\"}", (int)fill, 0);
	CU_ASSERT_EQUAL(strlen(stored), RC_MAX_PAYLOAD_LEN);
	expect_payload(obj, 0, stored);
	snprintf(obj, sizeof obj, "{\"x\":\"%0*d\"}", (int)fill + 1, 0);
	expect_payload(obj, 422, NULL);
}

static void test_task_bodies(void)
{
	struct decoded d;
	CU_ASSERT_EQUAL(decode(&d, "POST", "/tasks/8/complete", STATUS_BASE), 0);
	CU_ASSERT_TRUE(d.msg.success); /* success defaults to true */
	CU_ASSERT_PTR_NULL(d.msg.text);
	CU_ASSERT_EQUAL(d.msg.attempt, 1);
	CU_ASSERT_EQUAL(d.msg.task_id, 8);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/tasks/8/complete",
			       "{\"runner_id\":\"r\",\"attempt\":3,\"success\":false,\"result\":\"boom\"}"),
			0);
	CU_ASSERT_FALSE(d.msg.success);
	CU_ASSERT_STRING_EQUAL(d.msg.text, "boom");
	CU_ASSERT_STRING_EQUAL(d.msg.runner_id, "r");
	CU_ASSERT_EQUAL(d.msg.attempt, 3);
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/tasks/8/complete", "{\"runner_id\":\"r\",\"attempt\":3,\"success\":null}"),
			0);
	CU_ASSERT_TRUE(d.msg.success);
	done(&d);
	decode(&d, "POST", "/tasks/8/complete", "{\"runner_id\":\"r\",\"attempt\":3,\"success\":1}");
	expect_error(&d, 400, RC_PROTO_E_INVALID_TYPE, "success");
	done(&d);
	CU_ASSERT_EQUAL(decode(&d, "POST", "/tasks/8/status", "{\"runner_id\":\"r\",\"attempt\":2,\"message\":\"half\"}"),
			0);
	CU_ASSERT_STRING_EQUAL(d.msg.text, "half");
	done(&d);
}

static void test_headers(void)
{
	char secret[RC_MAX_SECRET_LEN + 2];
	memset(secret, 's', sizeof secret - 1);
	secret[RC_MAX_SECRET_LEN] = '\0';
	struct rc_proto_headers h = { .runner_secret = secret, .runner_id = RID };
	struct decoded d;
	const char *body = "{\"status\":\"running\",\"containerId\":\"c1\",\"message\":\"up\"}";
	CU_ASSERT_EQUAL(decode_h(&d, "POST", "/api/v1/sandboxes/4/runner-status", &h, body, strlen(body)), 0);
	CU_ASSERT_PTR_EQUAL(d.msg.secret, secret); /* borrowed from the headers */
	CU_ASSERT_STRING_EQUAL(d.msg.runner_id, RID);
	CU_ASSERT_STRING_EQUAL(d.msg.status_word, "running");
	CU_ASSERT_STRING_EQUAL(d.msg.container_id, "c1");
	CU_ASSERT_STRING_EQUAL(d.msg.text, "up");
	CU_ASSERT_EQUAL(d.msg.sandbox_id, 4);
	done(&d);

	/* X-Runner-Id names only a sandbox reporter; elsewhere the path does */
	h.runner_id = "someone-else";
	CU_ASSERT_EQUAL(decode_h(&d, "POST", "/runners/" RID "/heartbeat", &h, "{\"session\":1}", 13), 0);
	CU_ASSERT_STRING_EQUAL(d.msg.runner_id, RID);
	done(&d);
	h.runner_id = NULL;
	CU_ASSERT_EQUAL(decode_h(&d, "POST", "/api/v1/sandboxes/4/runner-status", &h, body, strlen(body)), 0);
	CU_ASSERT_PTR_NULL(d.msg.runner_id); /* missing header: the coordinator answers 400 */
	done(&d);

	secret[RC_MAX_SECRET_LEN] = 's';
	secret[RC_MAX_SECRET_LEN + 1] = '\0';
	decode_h(&d, "POST", "/runners/" RID "/heartbeat", &h, "{\"session\":1}", 13);
	expect_error(&d, 422, RC_PROTO_E_FIELD_TOO_LONG, "X-Runner-Secret");
	done(&d);

	char long_id[RC_PROTO_MAX_RUNNER_ID_TEXT + 2];
	memset(long_id, 'r', sizeof long_id - 1);
	long_id[RC_PROTO_MAX_RUNNER_ID_TEXT] = '\0';
	struct rc_proto_headers h2 = { .runner_secret = NULL, .runner_id = long_id };
	CU_ASSERT_EQUAL(decode_h(&d, "POST", "/api/v1/sandboxes/4/runner-status", &h2, body, strlen(body)), 0);
	CU_ASSERT_EQUAL(strlen(d.msg.runner_id), RC_PROTO_MAX_RUNNER_ID_TEXT);
	done(&d);
	long_id[RC_PROTO_MAX_RUNNER_ID_TEXT] = 'r';
	long_id[RC_PROTO_MAX_RUNNER_ID_TEXT + 1] = '\0';
	decode_h(&d, "POST", "/api/v1/sandboxes/4/runner-status", &h2, body, strlen(body));
	expect_error(&d, 422, RC_PROTO_E_FIELD_TOO_LONG, "X-Runner-Id");
	done(&d);
}

/* A header the codec reads, sent twice, is refused whichever copy is good;
 * X-Runner-Id only where it is read (a sandbox report), Content-Length
 * everywhere. */
static void test_repeated_headers(void)
{
	const char *body = "{\"status\":\"running\",\"containerId\":\"c1\"}";
	struct rc_proto_headers h = { .runner_secret = "s3cret", .runner_id = RID, .runner_secret_repeated = true };
	struct decoded d;
	decode_h(&d, "POST", "/runners/" RID "/heartbeat", &h, "{\"session\":1}", 13);
	expect_error(&d, 400, RC_PROTO_E_DUPLICATE_HEADER, "X-Runner-Secret");
	done(&d);
	h.runner_secret_repeated = false;
	h.runner_id_repeated = true;
	CU_ASSERT_EQUAL(decode_h(&d, "POST", "/runners/" RID "/heartbeat", &h, "{\"session\":1}", 13), 0);
	done(&d);
	decode_h(&d, "POST", "/api/v1/sandboxes/4/runner-status", &h, body, strlen(body));
	expect_error(&d, 400, RC_PROTO_E_DUPLICATE_HEADER, "X-Runner-Id");
	done(&d);
	/* The route still comes first. */
	h.runner_secret_repeated = true;
	decode_h(&d, "POST", "/nowhere", &h, "{}", 2);
	expect_error(&d, 404, RC_PROTO_E_NOT_FOUND, NULL);
	done(&d);
	/* Content-Length twice: refused on every route, a GET without a body too,
	 * and before the secret's own copies. */
	struct rc_proto_headers framing = { .content_length_repeated = true };
	decode_h(&d, "GET", "/health", &framing, "", 0);
	expect_error(&d, 400, RC_PROTO_E_DUPLICATE_HEADER, "Content-Length");
	done(&d);
	h.content_length_repeated = true;
	decode_h(&d, "POST", "/runners/" RID "/heartbeat", &h, "{\"session\":1}", 13);
	expect_error(&d, 400, RC_PROTO_E_DUPLICATE_HEADER, "Content-Length");
	done(&d);
}

static void test_failed_decode_leaves_msg_clean(void)
{
	struct decoded d;
	decode(&d, "POST", "/runners/register",
	       "{\"hostname\":\"h\",\"project_dir\":\"/p\",\"executor_type\":\"e\",\"instance_token\":7}");
	expect_error(&d, 400, RC_PROTO_E_INVALID_TYPE, "instance_token");
	CU_ASSERT_EQUAL(d.msg.op, RC_OP_REGISTER);
	CU_ASSERT_PTR_NULL(d.msg.hostname);
	CU_ASSERT_PTR_NULL(d.msg.project_dir);
	done(&d);
	/* a NULL err is allowed: the status alone still tells */
	struct rc_proto_arena a;
	struct rc_msg m;
	rc_proto_arena_init(&a);
	CU_ASSERT_EQUAL(rc_proto_decode_request("GET", "/x", NULL, NULL, 0, &m, &a, NULL), 404);
	CU_ASSERT_EQUAL(rc_proto_decode_request("POST", "/runners/" RID "/claim", NULL, "{}", 2, &m, &a, NULL), 422);
	CU_ASSERT_EQUAL(rc_proto_decode_request("POST", "/tasks", NULL, "{", 1, &m, &a, NULL), 400);
	rc_proto_arena_free(&a);
}

/* --- encode_request and the round trip -------------------------------------- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_msg(const struct rc_msg *a, const struct rc_msg *b)
{
	CU_ASSERT_EQUAL(a->op, b->op);
	CU_ASSERT_TRUE(same_str(a->secret, b->secret));
	CU_ASSERT_TRUE(same_str(a->runner_id, b->runner_id));
	CU_ASSERT_TRUE(same_str(a->hostname, b->hostname));
	CU_ASSERT_TRUE(same_str(a->project_dir, b->project_dir));
	CU_ASSERT_TRUE(same_str(a->executor_type, b->executor_type));
	CU_ASSERT_TRUE(same_str(a->instance_token, b->instance_token));
	CU_ASSERT_EQUAL(a->max_concurrency, b->max_concurrency);
	CU_ASSERT_EQUAL(a->session, b->session);
	CU_ASSERT_EQUAL(a->max, b->max);
	CU_ASSERT_EQUAL(a->task_id, b->task_id);
	CU_ASSERT_EQUAL(a->attempt, b->attempt);
	CU_ASSERT_TRUE(same_str(a->kind, b->kind));
	CU_ASSERT_TRUE(same_str(a->payload, b->payload));
	CU_ASSERT_EQUAL(a->success, b->success);
	CU_ASSERT_TRUE(same_str(a->text, b->text));
	CU_ASSERT_EQUAL(a->sandbox_id, b->sandbox_id);
	CU_ASSERT_EQUAL(a->sandbox_task_id, b->sandbox_task_id);
	CU_ASSERT_TRUE(same_str(a->status_word, b->status_word));
	CU_ASSERT_TRUE(same_str(a->container_id, b->container_id));
}

/* Encode msg, decode what went on the wire, compare. */
static void round_trip(const struct rc_msg *msg)
{
	const char *method;
	char path[256];
	char *body;
	CU_ASSERT_EQUAL_FATAL(rc_proto_encode_request(msg, &method, path, sizeof path, &body), 0);
	struct rc_proto_headers h = { .runner_secret = msg->secret, .runner_id = msg->op == RC_OP_SANDBOX_REPORT ? msg->runner_id : NULL };
	struct decoded d;
	CU_ASSERT_EQUAL(decode_h(&d, method, path, &h, body, body ? strlen(body) : 0), 0);
	assert_same_msg(msg, &d.msg);
	done(&d);
	free(body);
}

static void test_request_round_trips(void)
{
	const char *secret = "s3cret";
	struct rc_msg msgs[] = {
		{ .op = RC_OP_REGISTER, .secret = secret, .hostname = "h\xc3\xb6st", .project_dir = "/code",
		  .executor_type = "claude-code", .instance_token = "tok", .max_concurrency = 8 },
		{ .op = RC_OP_REGISTER, .hostname = "h", .project_dir = NULL, .executor_type = "" },
		{ .op = RC_OP_HEARTBEAT, .secret = secret, .runner_id = RID, .session = 9223372036854775807ULL },
		{ .op = RC_OP_HEARTBEAT, .runner_id = "lnch_0123456789ab", .session = 0 },
		{ .op = RC_OP_DEREGISTER, .secret = secret, .runner_id = RID },
		{ .op = RC_OP_CLAIM, .secret = secret, .runner_id = RID, .session = 4, .max = RC_MAX_GRANTS },
		{ .op = RC_OP_CLAIM, .runner_id = RID, .session = 4, .max = 0 },
		{ .op = RC_OP_TASK_STATUS, .secret = secret, .runner_id = RID, .task_id = 12, .attempt = 2,
		  .text = "line 1\nline \"2\"" },
		{ .op = RC_OP_TASK_STATUS, .runner_id = RID, .task_id = 12, .attempt = 0 },
		{ .op = RC_OP_TASK_COMPLETE, .runner_id = RID, .task_id = 12, .attempt = 3, .success = true,
		  .text = "{\"exit\":0}" },
		{ .op = RC_OP_TASK_COMPLETE, .runner_id = RID, .task_id = 1, .attempt = 1, .success = false },
		{ .op = RC_OP_RUNNERS_LIST },
		{ .op = RC_OP_TASK_SUBMIT, .kind = "shell", .payload = "{\"argv\":[\"ls\"]}" },
		{ .op = RC_OP_TASK_SUBMIT, .kind = "shell", .payload = "" },
		{ .op = RC_OP_TASK_SUBMIT },
		{ .op = RC_OP_TASK_GET, .task_id = 9223372036854775807ULL },
		{ .op = RC_OP_SANDBOX_CREATE, .sandbox_task_id = 12 },
		{ .op = RC_OP_SANDBOX_CREATE },
		{ .op = RC_OP_SANDBOX_GET, .sandbox_id = 3 },
		{ .op = RC_OP_SANDBOX_DELETE, .sandbox_id = 3 },
		{ .op = RC_OP_SANDBOX_REPORT, .secret = secret, .runner_id = RID, .sandbox_id = 3,
		  .status_word = "running", .container_id = "c0ffee", .text = "up" },
		{ .op = RC_OP_SANDBOX_REPORT, .sandbox_id = 3, .status_word = "bogus" },
		{ .op = RC_OP_HEALTH },
	};
	bool seen[RC_OP_COUNT] = { false };
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		round_trip(&msgs[i]);
		seen[msgs[i].op] = true;
	}
	for (int op = RC_OP_NONE + 1; op < RC_OP_COUNT; op++)
		CU_ASSERT_TRUE(seen[op]);
}

static void expect_encoded(const struct rc_msg *msg, const char *method, const char *path, const char *body)
{
	const char *m;
	char p[256];
	char *b;
	CU_ASSERT_EQUAL_FATAL(rc_proto_encode_request(msg, &m, p, sizeof p, &b), 0);
	CU_ASSERT_STRING_EQUAL(m, method);
	CU_ASSERT_STRING_EQUAL(p, path);
	if (body) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_STRING_EQUAL(b, body);
	} else {
		CU_ASSERT_PTR_NULL(b);
	}
	free(b);
}

/* The exact bytes: field names and order are the spec others are held to. */
static void test_encoded_requests_exact(void)
{
	struct rc_msg reg = { .op = RC_OP_REGISTER, .secret = "x", .hostname = "h", .project_dir = "/p",
			      .executor_type = "e", .instance_token = "t", .max_concurrency = 2 };
	expect_encoded(&reg, "POST", "/runners/register",
		       "{\"hostname\":\"h\",\"project_dir\":\"/p\",\"executor_type\":\"e\",\"instance_token\":\"t\","
		       "\"max_concurrency\":2}");
	reg.max_concurrency = 0;
	reg.instance_token = NULL;
	expect_encoded(&reg, "POST", "/runners/register", "{\"hostname\":\"h\",\"project_dir\":\"/p\",\"executor_type\":\"e\"}");
	struct rc_msg claim = { .op = RC_OP_CLAIM, .runner_id = RID, .session = 3, .max = 2 };
	expect_encoded(&claim, "POST", "/runners/" RID "/claim", "{\"session\":3,\"max\":2}");
	struct rc_msg done_msg = { .op = RC_OP_TASK_COMPLETE, .runner_id = RID, .task_id = 5, .attempt = 1,
				   .success = true, .text = "ok" };
	expect_encoded(&done_msg, "POST", "/tasks/5/complete",
		       "{\"runner_id\":\"" RID "\",\"attempt\":1,\"success\":true,\"result\":\"ok\"}");
	struct rc_msg create = { .op = RC_OP_SANDBOX_CREATE };
	expect_encoded(&create, "POST", "/api/v1/sandboxes", "{}");
	struct rc_msg report = { .op = RC_OP_SANDBOX_REPORT, .runner_id = RID, .sandbox_id = 2, .status_word = "failed",
				 .container_id = "c" };
	expect_encoded(&report, "POST", "/api/v1/sandboxes/2/runner-status", "{\"status\":\"failed\",\"containerId\":\"c\"}");
	struct rc_msg bye = { .op = RC_OP_DEREGISTER, .runner_id = RID };
	expect_encoded(&bye, "DELETE", "/runners/" RID, NULL);
	struct rc_msg health = { .op = RC_OP_HEALTH };
	expect_encoded(&health, "GET", "/health", NULL);
}

static void expect_refused(const struct rc_msg *msg, size_t path_cap)
{
	const char *method = "unchanged";
	char path[256] = "unchanged";
	char *body = (char *)"unchanged";
	CU_ASSERT_EQUAL(rc_proto_encode_request(msg, &method, path, path_cap, &body), -1);
	CU_ASSERT_PTR_NULL(body);
	CU_ASSERT_STRING_EQUAL(path, "");
}

static void test_encode_request_refusals(void)
{
	struct rc_msg m = { .op = RC_OP_HEARTBEAT, .runner_id = NULL, .session = 1 };
	expect_refused(&m, 256); /* no runner id for the path */
	m.runner_id = "";
	expect_refused(&m, 256);
	const char *unsafe[] = { "a/b", "a?b", "a#b", "a%20", "a b", "a\tb", "h\xc3\xb6st",
				 "0123456789012345678901234567890123456789012345678901234567890123X",
				 /* a path the decoder would not take back */
				 "register", "lnch_1991348B3B93", "lnch_1991348b3b9", RID "0" };
	for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
		m.runner_id = unsafe[i];
		expect_refused(&m, 256);
	}
	m.runner_id = RID;
	expect_refused(&m, 20); /* path does not fit */
	m.session = 9223372036854775808ULL; /* not a JSON integer jansson can write */
	const char *method;
	char path[64];
	char *body;
	CU_ASSERT_EQUAL(rc_proto_encode_request(&m, &method, path, sizeof path, &body), -1);
	CU_ASSERT_PTR_NULL(body);

	struct rc_msg task = { .op = RC_OP_TASK_GET, .task_id = 0 };
	expect_refused(&task, 256);
	task.task_id = 9223372036854775808ULL;
	expect_refused(&task, 256);
	struct rc_msg sandbox = { .op = RC_OP_SANDBOX_DELETE, .sandbox_id = 0 };
	expect_refused(&sandbox, 256);
	struct rc_msg none = { .op = RC_OP_NONE };
	CU_ASSERT_EQUAL(rc_proto_encode_request(&none, &method, path, sizeof path, &body), -1);
	struct rc_msg bad_utf8 = { .op = RC_OP_TASK_SUBMIT, .kind = "k", .payload = "\xff" };
	CU_ASSERT_EQUAL(rc_proto_encode_request(&bad_utf8, &method, path, sizeof path, &body), -1);
	CU_ASSERT_PTR_NULL(body);
}

void rc_test_register_protocol(void)
{
	static CU_TestInfo tests[] = {
		{ "every route decodes to its op", test_every_route },
		{ "known path, wrong method: 405", test_wrong_method_is_405 },
		{ "HEAD is a GET without its body", test_head_is_get_without_body },
		{ "405: the Allow header value", test_allow_header_value },
		{ "unknown path or bad path id: 404", test_unknown_path_is_404 },
		{ "path ids at their limits", test_path_ids_at_their_limits },
		{ "path ids in one form only", test_path_ids_in_one_form_only },
		{ "query string ignored", test_query_string_ignored },
		{ "body size limit: 64 KiB ok, +1 is 413", test_body_size_limit },
		{ "an unread body: route first, then 413", test_unread_body },
		{ "malformed bodies: 400", test_malformed_bodies },
		{ "bodiless and optional bodies", test_bodiless_and_optional_bodies },
		{ "string limits at the boundary", test_string_limits_at_the_boundary },
		{ "limits count UTF-8 bytes", test_limits_count_utf8_bytes },
		{ "string fields refuse other types and NUL", test_string_fields_refuse_other_types_and_nul },
		{ "number ranges at the boundary", test_number_ranges_at_the_boundary },
		{ "missing numbers are named", test_missing_numbers_are_named },
		{ "numbers past 64 bits: judged by their field", test_numbers_past_64_bits },
		{ "numbers past 64 bits: each member reported once", test_overflows_reported_once_per_member },
		{ "register: missing strings left NULL", test_register_missing_strings_left_null },
		{ "register: fields decoded, extras ignored", test_register_fields_decoded },
		{ "payload: any JSON value", test_payload_any_json_value },
		{ "task status and complete bodies", test_task_bodies },
		{ "headers: secret and X-Runner-Id", test_headers },
		{ "headers: a repeated one is refused", test_repeated_headers },
		{ "failed decode leaves msg clean", test_failed_decode_leaves_msg_clean },
		{ "request round trips, every op", test_request_round_trips },
		{ "encoded requests, exact bytes", test_encoded_requests_exact },
		{ "encode_request refusals", test_encode_request_refusals },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("protocol", tests);
}
