/*
 * test_protocol_reply.c - the reply side of the codec: exact bodies by op,
 * error bodies, encode -> decode round trips, and off-protocol replies.
 *
 * Task and sandbox records are built by hand here (the coordinator that owns
 * them in a real run is not needed to check their encoding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_internal.h"
#include "unit.h"

#define RID "lnch_1991348b3b93"

static struct rc_reply reply_of(enum rc_op op, int status)
{
	struct rc_msg msg = { .op = op, .req_id = 77 };
	struct rc_reply r;
	rc_reply_init(&r, &msg);
	r.status = status;
	return r;
}

static void expect_body(const struct rc_reply *r, const char *want)
{
	char *got = rc_proto_encode_reply(r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", got, want);
	free(got);
}

struct decoded_reply {
	struct rc_reply reply;
	struct rc_proto_arena arena;
	struct rc_error err;
	int rc;
};

/* Encode r, then decode the body as a client that sent r->op would. */
static void round_trip(const struct rc_reply *r, struct decoded_reply *d)
{
	char *body = rc_proto_encode_reply(r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	rc_proto_arena_init(&d->arena);
	memset(&d->reply, 0xAB, sizeof d->reply); /* garbage the decoder must clear */
	d->reply.req_id = r->req_id;
	d->rc = rc_proto_decode_reply(r->op, r->status, body, strlen(body), &d->reply, &d->arena, &d->err);
	CU_ASSERT_EQUAL(d->rc, 0);
	CU_ASSERT_EQUAL(d->reply.op, r->op);
	CU_ASSERT_EQUAL(d->reply.status, r->status);
	CU_ASSERT_EQUAL(d->reply.req_id, r->req_id);
	free(body);
}

static int decode_text(enum rc_op op, int status, const char *body, struct decoded_reply *d)
{
	rc_proto_arena_init(&d->arena);
	memset(&d->reply, 0, sizeof d->reply);
	d->rc = rc_proto_decode_reply(op, status, body, strlen(body), &d->reply, &d->arena, &d->err);
	return d->rc;
}

static void done(struct decoded_reply *d)
{
	rc_proto_arena_free(&d->arena);
}

/* An error message longer than rc_error.message, all two-byte characters
 * behind two ASCII bytes: kept as far as it fits, cut between characters, so
 * it can be put in JSON again (runnerd's /status does). */
static void test_long_message_cut_between_characters(void)
{
	char body[600] = "{\"error\":\"conflict\",\"message\":\"xx";
	for (int i = 0; i < 200; i++)
		strcat(body, "\xc3\xa9");
	strcat(body, "\"}");
	struct decoded_reply d;
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEARTBEAT, 409, body, &d), 0);
	size_t len = strlen(d.reply.error.message);
	CU_ASSERT_EQUAL(len, sizeof d.reply.error.message - 2); /* 159 would end inside a character */
	json_t *again = json_string(d.reply.error.message);
	CU_ASSERT_PTR_NOT_NULL(again);
	json_decref(again);
	done(&d);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* --- success bodies --------------------------------------------------------- */

static void test_register_reply(void)
{
	struct rc_reply r = reply_of(RC_OP_REGISTER, 200);
	strcpy(r.runner_id, RID);
	r.session = 3;
	r.reconnected = true;
	r.heartbeat_interval_s = 20;
	expect_body(&r, "{\"runner_id\":\"" RID "\",\"session\":3,\"reconnected\":true,\"heartbeat_interval_s\":20}");
	struct decoded_reply d;
	round_trip(&r, &d);
	CU_ASSERT_STRING_EQUAL(d.reply.runner_id, RID);
	CU_ASSERT_EQUAL(d.reply.session, 3);
	CU_ASSERT_TRUE(d.reply.reconnected);
	CU_ASSERT_EQUAL(d.reply.heartbeat_interval_s, 20);
	done(&d);
}

static void test_content_free_replies(void)
{
	const enum rc_op ops[] = { RC_OP_HEARTBEAT, RC_OP_DEREGISTER, RC_OP_TASK_STATUS, RC_OP_TASK_COMPLETE };
	for (size_t i = 0; i < 4; i++) {
		struct rc_reply r = reply_of(ops[i], 200);
		expect_body(&r, "{\"ok\":true}");
		struct decoded_reply d;
		round_trip(&r, &d);
		done(&d);
		/* other implementations may answer an empty body or another object */
		CU_ASSERT_EQUAL(decode_text(ops[i], 204, "", &d), 0);
		CU_ASSERT_EQUAL(d.reply.status, 204);
		done(&d);
		CU_ASSERT_EQUAL(decode_text(ops[i], 200, "{\"runner_id\":\"x\",\"status\":\"online\"}", &d), 0);
		done(&d);
		CU_ASSERT_EQUAL(decode_text(ops[i], 200, "[true]", &d), -1);
		done(&d);
	}
	struct rc_reply h = reply_of(RC_OP_HEALTH, 200);
	expect_body(&h, "{\"status\":\"ok\"}");
	struct decoded_reply d;
	round_trip(&h, &d);
	done(&d);
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEALTH, 200, "{}", &d), -1);
	done(&d);
}

static void test_claim_reply(void)
{
	struct rc_reply r = reply_of(RC_OP_CLAIM, 200);
	expect_body(&r, "{\"tasks\":[]}");
	r.n_grants = 2;
	r.grants[0] = (struct rc_grant){ 5, 1, "shell", "echo hi" };
	r.grants[1] = (struct rc_grant){ 6, 3, "json", "{\"a\":[1,2]}" };
	expect_body(&r, "{\"tasks\":[{\"task_id\":5,\"attempt\":1,\"kind\":\"shell\",\"payload\":\"echo hi\"},"
			"{\"task_id\":6,\"attempt\":3,\"kind\":\"json\",\"payload\":\"{\\\"a\\\":[1,2]}\"}]}");
	struct decoded_reply d;
	round_trip(&r, &d);
	CU_ASSERT_EQUAL_FATAL(d.reply.n_grants, 2);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(d.reply.grants[i].task_id, r.grants[i].task_id);
		CU_ASSERT_EQUAL(d.reply.grants[i].attempt, r.grants[i].attempt);
		CU_ASSERT_STRING_EQUAL(d.reply.grants[i].kind, r.grants[i].kind);
		CU_ASSERT_STRING_EQUAL(d.reply.grants[i].payload, r.grants[i].payload);
		CU_ASSERT_PTR_NOT_EQUAL(d.reply.grants[i].payload, r.grants[i].payload); /* arena copies */
	}
	done(&d);

	/* a full claim round-trips; one more grant than fits is off-protocol */
	r.n_grants = RC_MAX_GRANTS;
	for (int i = 0; i < RC_MAX_GRANTS; i++)
		r.grants[i] = (struct rc_grant){ (uint64_t)i + 1, 1, "k", "" };
	round_trip(&r, &d);
	CU_ASSERT_EQUAL(d.reply.n_grants, RC_MAX_GRANTS);
	CU_ASSERT_STRING_EQUAL(d.reply.grants[RC_MAX_GRANTS - 1].kind, "k");
	CU_ASSERT_STRING_EQUAL(d.reply.grants[RC_MAX_GRANTS - 1].payload, "");
	done(&d);
	char big[8192] = "{\"tasks\":[";
	for (int i = 0; i <= RC_MAX_GRANTS; i++)
		snprintf(big + strlen(big), sizeof big - strlen(big), "%s{\"task_id\":%d,\"attempt\":1,\"kind\":\"k\",\"payload\":\"p\"}",
			 i ? "," : "", i + 1);
	strcat(big, "]}");
	CU_ASSERT_EQUAL(decode_text(RC_OP_CLAIM, 200, big, &d), -1);
	CU_ASSERT_STRING_EQUAL(d.err.code, RC_PROTO_E_BAD_REPLY);
	CU_ASSERT_STRING_EQUAL(d.err.fields[0], "tasks");
	CU_ASSERT_EQUAL(d.reply.n_grants, 0);
	done(&d);
}

/* Another implementation may hand back the payload as the JSON it was. */
static void test_claim_payload_as_json_value(void)
{
	struct decoded_reply d;
	CU_ASSERT_EQUAL(decode_text(RC_OP_CLAIM, 200,
				    "{\"tasks\":[{\"task_id\":1,\"attempt\":1,\"kind\":\"k\",\"payload\":{ \"argv\" : [\"ls\"] }}]}",
				    &d),
			0);
	CU_ASSERT_STRING_EQUAL(d.reply.grants[0].payload, "{\"argv\":[\"ls\"]}");
	done(&d);
}

static struct rc_task sample_task(void)
{
	struct rc_task t;
	memset(&t, 0, sizeof t);
	t.id = 42;
	t.kind = (char *)"shell";
	t.payload = (char *)"echo hi";
	t.state = RC_TASK_RUNNING;
	t.attempt = 2;
	strcpy(t.runner_id, RID);
	return t;
}

static void assert_same_task(const struct rc_task *a, const struct rc_task *b)
{
	CU_ASSERT_EQUAL(a->id, b->id);
	CU_ASSERT_EQUAL(a->state, b->state);
	CU_ASSERT_EQUAL(a->attempt, b->attempt);
	CU_ASSERT_STRING_EQUAL(a->runner_id, b->runner_id);
	CU_ASSERT_TRUE(same_str(a->result, b->result));
}

static void test_task_replies(void)
{
	struct rc_task t = sample_task();
	struct rc_reply r = reply_of(RC_OP_TASK_GET, 200);
	r.task_id = t.id;
	r.task = &t;
	expect_body(&r, "{\"task_id\":42,\"state\":\"running\",\"attempt\":2,\"runner_id\":\"" RID "\",\"result\":null}");
	t.state = RC_TASK_QUEUED;
	t.attempt = 0;
	t.runner_id[0] = '\0';
	r.op = RC_OP_TASK_SUBMIT;
	r.status = 201;
	expect_body(&r, "{\"task_id\":42,\"state\":\"queued\",\"attempt\":0,\"runner_id\":null,\"result\":null}");

	const enum rc_task_state states[] = { RC_TASK_QUEUED, RC_TASK_RUNNING, RC_TASK_COMPLETED, RC_TASK_FAILED };
	for (size_t i = 0; i < 4; i++) {
		t = sample_task();
		t.state = states[i];
		t.result = i >= 2 ? (char *)"exit 0\n\"quoted\"" : NULL;
		if (i == 0)
			t.runner_id[0] = '\0';
		r.task = &t;
		struct decoded_reply d;
		round_trip(&r, &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d.reply.task);
		assert_same_task(&t, d.reply.task);
		CU_ASSERT_EQUAL(d.reply.task_id, t.id);
		done(&d);
	}
}

static void test_sandbox_replies(void)
{
	struct rc_sandbox s;
	memset(&s, 0, sizeof s);
	s.id = 7;
	s.status = RC_SANDBOX_PENDING;
	struct rc_reply r = reply_of(RC_OP_SANDBOX_CREATE, 201);
	r.sandbox_id = 7;
	r.sandbox = &s;
	expect_body(&r, "{\"sandbox_id\":7,\"status\":\"pending\",\"runner_id\":null,\"task_id\":null,\"container_id\":null}");
	s.status = RC_SANDBOX_RUNNING;
	strcpy(s.runner_id, RID);
	s.task_id = 42;
	strcpy(s.container_id, "c0ffee");
	r.op = RC_OP_SANDBOX_REPORT;
	r.status = 200;
	expect_body(&r, "{\"sandbox_id\":7,\"status\":\"running\",\"runner_id\":\"" RID
			"\",\"task_id\":42,\"container_id\":\"c0ffee\"}");

	const enum rc_op ops[] = { RC_OP_SANDBOX_CREATE, RC_OP_SANDBOX_GET, RC_OP_SANDBOX_DELETE, RC_OP_SANDBOX_REPORT };
	for (int st = 0; st < RC_SANDBOX_STATUS_COUNT; st++) {
		s.status = (enum rc_sandbox_status)st;
		s.task_id = st % 2 ? 0 : 42;
		s.runner_id[0] = st % 3 ? 'l' : '\0';
		memset(s.container_id, 'c', RC_MAX_CONTAINER_ID_LEN);
		s.container_id[st == 3 ? RC_MAX_CONTAINER_ID_LEN : 0] = '\0';
		r.op = ops[st % 4];
		struct decoded_reply d;
		round_trip(&r, &d);
		const struct rc_sandbox *got = d.reply.sandbox;
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_EQUAL(got->id, s.id);
		CU_ASSERT_EQUAL(got->status, s.status);
		CU_ASSERT_STRING_EQUAL(got->runner_id, s.runner_id);
		CU_ASSERT_EQUAL(got->task_id, s.task_id);
		CU_ASSERT_STRING_EQUAL(got->container_id, s.container_id);
		CU_ASSERT_EQUAL(d.reply.sandbox_id, s.id);
		done(&d);
	}
}

/* --- error bodies ----------------------------------------------------------- */

static void test_error_bodies(void)
{
	struct rc_reply r = reply_of(RC_OP_REGISTER, 422);
	rc_error_set(&r.error, 422, "missing_fields", "missing: %s", "hostname, project_dir");
	rc_error_add_field(&r.error, "hostname");
	rc_error_add_field(&r.error, "project_dir");
	expect_body(&r, "{\"error\":\"missing_fields\",\"message\":\"missing: hostname, project_dir\","
			"\"fields\":[\"hostname\",\"project_dir\"]}");
	struct decoded_reply d;
	round_trip(&r, &d);
	CU_ASSERT_STRING_EQUAL(d.reply.error.code, "missing_fields");
	CU_ASSERT_STRING_EQUAL(d.reply.error.message, r.error.message);
	CU_ASSERT_STRING_EQUAL(d.reply.error.fields[0], "hostname");
	CU_ASSERT_STRING_EQUAL(d.reply.error.fields[1], "project_dir");
	CU_ASSERT_PTR_NULL(d.reply.error.fields[2]);
	CU_ASSERT_EQUAL(d.reply.runner_id[0], '\0'); /* success fields stay empty */
	done(&d);

	/* no fields: no "fields" key */
	r = reply_of(RC_OP_HEARTBEAT, 409);
	rc_error_set(&r.error, 409, "old_session", "session 2 was superseded by 3");
	expect_body(&r, "{\"error\":\"old_session\",\"message\":\"session 2 was superseded by 3\"}");
	/* four fields, the most an rc_error holds */
	r = reply_of(RC_OP_REGISTER, 422);
	rc_error_set(&r.error, 422, "invalid", "x");
	const char *names[] = { "a", "b", "c", "d" };
	for (int i = 0; i < 4; i++)
		rc_error_add_field(&r.error, names[i]);
	round_trip(&r, &d);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(d.reply.error.fields[i], names[i]);
	done(&d);
	/* a reply without a code still gets one */
	r = reply_of(RC_OP_TASK_GET, 404);
	expect_body(&r, "{\"error\":\"not_found\",\"message\":\"\"}");
	r.status = 401;
	expect_body(&r, "{\"error\":\"unauthorized\",\"message\":\"\"}");
	r.status = 503;
	expect_body(&r, "{\"error\":\"unavailable\",\"message\":\"\"}");
	/* a message cut inside a UTF-8 character is repaired, not lost */
	r.status = 404;
	rc_error_set(&r.error, 404, "unknown_runner", "no runner h\xc3");
	expect_body(&r, "{\"error\":\"unknown_runner\",\"message\":\"no runner h?\"}");
}

static void test_codec_errors_encode(void)
{
	/* what the daemon does with a refused request: its error, as a reply */
	struct rc_proto_arena a;
	struct rc_msg m;
	struct rc_reply r;
	rc_proto_arena_init(&a);
	r = reply_of(RC_OP_NONE, 0);
	r.status = rc_proto_decode_request("POST", "/runners/register", NULL, "{\"hostname\":1}", 14, &m, &a, &r.error);
	expect_body(&r, "{\"error\":\"invalid_type\",\"message\":\"field hostname must be a string\",\"fields\":[\"hostname\"]}");
	rc_proto_arena_free(&a);
}

static void test_error_bodies_from_others(void)
{
	struct decoded_reply d;
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEARTBEAT, 404, "{\"error\":\"unknown_runner\"}", &d), 0);
	CU_ASSERT_STRING_EQUAL(d.reply.error.code, "unknown_runner");
	CU_ASSERT_STRING_EQUAL(d.reply.error.message, "");
	done(&d);
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEARTBEAT, 422,
				    "{\"error\":\"e\",\"message\":\"m\",\"fields\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", &d),
			0);
	CU_ASSERT_STRING_EQUAL(d.reply.error.fields[3], "d"); /* the first four are kept */
	done(&d);
	const char *bad[] = { "", "not json", "[]", "{}", "{\"error\":4}", "{\"error\":\"e\",\"message\":[]}",
			      "{\"error\":\"e\",\"fields\":\"a\"}", "{\"error\":\"e\",\"fields\":[1]}" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(decode_text(RC_OP_HEARTBEAT, 500, bad[i], &d), -1);
		CU_ASSERT_EQUAL(d.reply.status, 500); /* the status is still there */
		CU_ASSERT_STRING_EQUAL(d.err.code, RC_PROTO_E_BAD_REPLY);
		done(&d);
	}
}

/* --- off-protocol success bodies -------------------------------------------- */

struct bad_reply {
	enum rc_op op;
	const char *body;
	const char *field; /* the field the error names, NULL for a body-level one */
};

static void test_off_protocol_replies(void)
{
	static const struct bad_reply cases[] = {
		{ RC_OP_REGISTER, "[]", NULL },
		{ RC_OP_REGISTER, "{\"session\":1,\"reconnected\":false,\"heartbeat_interval_s\":20}", "runner_id" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"lnch_1991348b3b93x\",\"session\":1,\"reconnected\":false,"
				  "\"heartbeat_interval_s\":20}", "runner_id" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"" RID "\",\"session\":\"1\",\"reconnected\":false,\"heartbeat_interval_s\":20}",
		  "session" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"" RID "\",\"session\":-1,\"reconnected\":false,\"heartbeat_interval_s\":20}",
		  "session" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"" RID "\",\"session\":1,\"reconnected\":0,\"heartbeat_interval_s\":20}",
		  "reconnected" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"" RID "\",\"session\":1,\"reconnected\":true}", "heartbeat_interval_s" },
		/* a runner id or session runnerd would save and then refuse to start from */
		{ RC_OP_REGISTER, "{\"runner_id\":\"" RID "\",\"session\":0,\"reconnected\":false,\"heartbeat_interval_s\":20}",
		  "session" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"../../x\",\"session\":1,\"reconnected\":false,\"heartbeat_interval_s\":20}",
		  "runner_id" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"lnch_1991348B3B93\",\"session\":1,\"reconnected\":false,"
				  "\"heartbeat_interval_s\":20}", "runner_id" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"\",\"session\":1,\"reconnected\":false,\"heartbeat_interval_s\":20}",
		  "runner_id" },
		{ RC_OP_REGISTER, "{\"runner_id\":\"a\\u0000b\",\"session\":1,\"reconnected\":true,\"heartbeat_interval_s\":1}",
		  "runner_id" },
		{ RC_OP_CLAIM, "{}", "tasks" },
		{ RC_OP_CLAIM, "{\"tasks\":{}}", "tasks" },
		{ RC_OP_CLAIM, "{\"tasks\":[1]}", "tasks" },
		{ RC_OP_CLAIM, "{\"tasks\":[{\"task_id\":0,\"attempt\":1}]}", "task_id" },
		{ RC_OP_CLAIM, "{\"tasks\":[{\"task_id\":1}]}", "attempt" },
		{ RC_OP_CLAIM, "{\"tasks\":[{\"task_id\":1,\"attempt\":1,\"kind\":2}]}", "kind" },
		/* a grant runnerd would run as another command, or never report */
#define GRANT(fields) "{\"tasks\":[{\"task_id\":1," fields "}]}"
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"kind\":\"shell\",\"payload\":\"rm -rf /tmp/x\\u0000y\""), "payload" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"kind\":\"shell\""), "payload" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"kind\":\"shell\",\"payload\":null"), "payload" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":0,\"kind\":\"shell\",\"payload\":\"true\""), "attempt" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":-1,\"kind\":\"shell\",\"payload\":\"true\""), "attempt" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"payload\":\"true\""), "kind" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"kind\":\"\",\"payload\":\"true\""), "kind" },
		{ RC_OP_CLAIM, GRANT("\"attempt\":1,\"kind\":\"shell\\u0000x\",\"payload\":\"true\""), "kind" },
#undef GRANT
		{ RC_OP_TASK_GET, "{\"task_id\":1,\"state\":\"sleeping\",\"attempt\":0}", "state" },
		{ RC_OP_TASK_GET, "{\"task_id\":1,\"state\":\"queued\"}", "attempt" },
		{ RC_OP_TASK_SUBMIT, "{\"state\":\"queued\",\"attempt\":0}", "task_id" },
		{ RC_OP_TASK_GET, "{\"task_id\":1,\"state\":\"queued\",\"attempt\":0,\"result\":5}", "result" },
		{ RC_OP_SANDBOX_GET, "{\"sandbox_id\":1,\"status\":\"exploded\"}", "status" },
		{ RC_OP_SANDBOX_GET, "{\"sandbox_id\":1,\"status\":\"pending\",\"task_id\":\"1\"}", "task_id" },
		{ RC_OP_SANDBOX_GET, "{\"sandbox_id\":\"1\",\"status\":\"pending\"}", "sandbox_id" },
		{ RC_OP_RUNNERS_LIST, "{\"runners\":{}}", "runners" },
		{ RC_OP_RUNNERS_LIST, "{\"runners\":[{\"status\":\"online\",\"seconds_since_heartbeat\":1}]}", "runner_id" },
		{ RC_OP_HEALTH, "{\"status\":1}", "status" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct decoded_reply d;
		if (decode_text(cases[i].op, 200, cases[i].body, &d) != -1) {
			/* no error to look at: say which body passed */
			CU_FAIL("an off-protocol reply was accepted");
			fprintf(stderr, "\ncase %zu accepted: %s\n", i, cases[i].body);
			done(&d);
			continue;
		}
		CU_ASSERT_STRING_EQUAL(d.err.code, RC_PROTO_E_BAD_REPLY);
		if (cases[i].field) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(d.err.fields[0]);
			CU_ASSERT_STRING_EQUAL(d.err.fields[0], cases[i].field);
			if (strcmp(d.err.fields[0], cases[i].field) != 0)
				fprintf(stderr, "\ncase %zu named %s\n", i, d.err.fields[0]);
		}
		done(&d);
	}
	/* statuses outside the protocol */
	struct decoded_reply d;
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEALTH, 302, "{\"status\":\"ok\"}", &d), -1);
	done(&d);
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEALTH, 100, "{\"status\":\"ok\"}", &d), -1);
	done(&d);
	/* 0: no reply arrived; nothing to read */
	CU_ASSERT_EQUAL(decode_text(RC_OP_HEALTH, 0, "", &d), 0);
	CU_ASSERT_EQUAL(d.reply.status, 0);
	done(&d);
}

static void test_runners_list_shape_accepted(void)
{
	struct decoded_reply d;
	CU_ASSERT_EQUAL(decode_text(RC_OP_RUNNERS_LIST, 200, "{\"runners\":[]}", &d), 0);
	done(&d);
	CU_ASSERT_EQUAL(decode_text(RC_OP_RUNNERS_LIST, 200,
				    "{\"runners\":[{\"runner_id\":\"" RID "\",\"hostname\":\"h\",\"status\":\"stale\","
				    "\"registered_at\":\"2026-01-01T00:00:00.000Z\",\"seconds_since_heartbeat\":121}]}",
				    &d),
			0);
	done(&d);
}

/* --- one runner record of GET /runners -------------------------------------- */

static void test_runner_record_json(void)
{
	struct rc_runner_record r;
	memset(&r, 0, sizeof r);
	strcpy(r.id, RID);
	r.hostname = (char *)"my-macbook";
	r.project_dir = (char *)"/code";
	r.executor_type = (char *)"claude-code";
	r.status = RC_RUNNER_STALE;
	r.registered_at_ms = 1767225600000LL;     /* 2026-01-01T00:00:00.000Z */
	r.last_heartbeat_ms = 1767225600000LL + 1500;
	json_t *v = rc_proto_runner_json(&r, r.last_heartbeat_ms + 121999);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	char *text = json_dumps(v, RC_PROTO_DUMP_FLAGS);
	CU_ASSERT_STRING_EQUAL(text, "{\"runner_id\":\"" RID "\",\"hostname\":\"my-macbook\",\"project_dir\":\"/code\","
				     "\"executor_type\":\"claude-code\",\"status\":\"stale\","
				     "\"registered_at\":\"2026-01-01T00:00:00.000Z\","
				     "\"last_heartbeat\":\"2026-01-01T00:00:01.500Z\",\"seconds_since_heartbeat\":121}");
	free(text);
	json_decref(v);

	/* epoch 0 (the simulator's clock starts there) */
	r.registered_at_ms = 0;
	r.last_heartbeat_ms = 0;
	r.status = RC_RUNNER_ONLINE;
	v = rc_proto_runner_json(&r, 999);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "registered_at")), "1970-01-01T00:00:00.000Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "status")), "online");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "seconds_since_heartbeat")), 0);
	json_decref(v);
}

static void test_seconds_since_is_floor(void)
{
	CU_ASSERT_EQUAL(rc_proto_seconds_since(0, 0), 0);
	CU_ASSERT_EQUAL(rc_proto_seconds_since(999, 0), 0);
	CU_ASSERT_EQUAL(rc_proto_seconds_since(1000, 0), 1);
	CU_ASSERT_EQUAL(rc_proto_seconds_since(120999, 0), 120);
	CU_ASSERT_EQUAL(rc_proto_seconds_since(0, 1), -1); /* floor, not truncation */
	CU_ASSERT_EQUAL(rc_proto_seconds_since(0, 1000), -1);
	CU_ASSERT_EQUAL(rc_proto_seconds_since(0, 1001), -2);
}

static void test_decode_keeps_req_id_clears_rest(void)
{
	struct rc_reply r;
	memset(&r, 0x5A, sizeof r);
	r.req_id = 1234;
	struct rc_proto_arena a;
	rc_proto_arena_init(&a);
	CU_ASSERT_EQUAL(rc_proto_decode_reply(RC_OP_HEARTBEAT, 200, "{\"ok\":true}", 11, &r, &a, NULL), 0);
	CU_ASSERT_EQUAL(r.req_id, 1234);
	CU_ASSERT_EQUAL(r.op, RC_OP_HEARTBEAT);
	CU_ASSERT_EQUAL(r.n_grants, 0);
	CU_ASSERT_PTR_NULL(r.task);
	CU_ASSERT_PTR_NULL(r.error.code);
	rc_proto_arena_free(&a);
}

void rc_test_register_protocol_reply(void)
{
	static CU_TestInfo tests[] = {
		{ "register reply", test_register_reply },
		{ "content-free replies and health", test_content_free_replies },
		{ "claim reply and its grant limit", test_claim_reply },
		{ "claim payload as a JSON value", test_claim_payload_as_json_value },
		{ "task replies, every state", test_task_replies },
		{ "sandbox replies, every status", test_sandbox_replies },
		{ "error bodies", test_error_bodies },
		{ "codec errors encode as replies", test_codec_errors_encode },
		{ "error bodies from other implementations", test_error_bodies_from_others },
		{ "off-protocol replies are refused", test_off_protocol_replies },
		{ "runners list shape accepted", test_runners_list_shape_accepted },
		{ "one runner record of GET /runners", test_runner_record_json },
		{ "seconds_since_heartbeat is a floor", test_seconds_since_is_floor },
		{ "decode keeps req_id, clears the rest", test_decode_keeps_req_id_clears_rest },
		{ "a long message is cut between characters", test_long_message_cut_between_characters },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("protocol_reply", tests);
}
