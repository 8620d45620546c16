/*
 * test_protocol_coord.c - HTTP text through the codec and the real
 * coordinator and back, as rollcall-coordd will do it.
 *
 * The GET /runners body can only be encoded from a coordinator (it is read
 * through the coord.h accessors), so it is checked here byte for byte, with
 * RFC 3339 times from the coordinator's clock and seconds_since_heartbeat
 * from now_ms; the other ops check that what the coordinator puts in a reply
 * (records, grants) survives encode and the client's decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord.h"
#include "outbox.h"
#include "protocol_internal.h"
#include "unit.h"

#define SECRET "s3cret"
#define T0 1767225600000LL /* 2026-01-01T00:00:00.000Z */
#define RID_A "lnch_1991348b3b93" /* my-macbook, /code, claude-code */
#define RID_B "lnch_7a0925b98c2e" /* host1, /proj, test-executor */

struct server {
	struct rc_coord *c;
	struct rc_outbox ob;
};

static void server_init(struct server *s, int64_t now_ms)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	s->c = rc_coord_new(&cfg, SECRET, now_ms);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->c);
	rc_outbox_init(&s->ob);
}

static void server_free(struct server *s)
{
	rc_coord_free(s->c);
	rc_outbox_free(&s->ob);
}

/* Run every periodic job due up to until_ms, in time order, as the daemon's
 * event loop does before it handles a request at until_ms. */
static void server_run_until(struct server *s, int64_t until_ms)
{
	while (rc_coord_deadline(s->c) <= until_ms)
		rc_coord_tick(s->c, rc_coord_deadline(s->c), &s->ob);
}

/* One request as the daemon handles it: decode, handle (or answer the codec's
 * error), encode. Returns the status; *body is the reply body (caller frees). */
static int exchange(struct server *s, int64_t now_ms, const char *method, const char *path, const char *body,
		    char **reply_body)
{
	struct rc_proto_arena arena;
	struct rc_proto_headers h = { .runner_secret = SECRET, .runner_id = NULL };
	struct rc_msg msg;
	struct rc_error err;
	struct rc_reply reply;
	rc_proto_arena_init(&arena);
	server_run_until(s, now_ms);
	int status = rc_proto_decode_request(method, path, &h, body, strlen(body), &msg, &arena, &err);
	rc_reply_init(&reply, &msg);
	if (status != 0) {
		reply.status = status;
		reply.error = err;
	} else {
		rc_outbox_clear(&s->ob);
		status = rc_coord_handle(s->c, now_ms, &msg, &reply, &s->ob);
	}
	*reply_body = rc_proto_encode_reply(&reply, now_ms);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*reply_body);
	rc_proto_arena_free(&arena);
	return status;
}

/* exchange() and then the client's decode of the reply, which must succeed. */
static int exchange_decoded(struct server *s, int64_t now_ms, enum rc_op op, const char *method, const char *path,
			    const char *body, struct rc_reply *reply, struct rc_proto_arena *arena)
{
	char *text;
	int status = exchange(s, now_ms, method, path, body, &text);
	struct rc_error err;
	CU_ASSERT_EQUAL(rc_proto_decode_reply(op, status, text, strlen(text), reply, arena, &err), 0);
	free(text);
	return status;
}

static uint64_t register_runner(struct server *s, int64_t now_ms, const char *host, const char *dir,
				const char *executor, const char *want_id)
{
	char body[256];
	snprintf(body, sizeof body,
		 "{\"hostname\":\"%s\",\"project_dir\":\"%s\",\"executor_type\":\"%s\",\"instance_token\":\"tok-%s\"}", host,
		 dir, executor, host);
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	CU_ASSERT_EQUAL(exchange_decoded(s, now_ms, RC_OP_REGISTER, "POST", "/runners/register", body, &reply, &arena),
			200);
	CU_ASSERT_STRING_EQUAL(reply.runner_id, want_id);
	CU_ASSERT_FALSE(reply.reconnected);
	CU_ASSERT_EQUAL(reply.heartbeat_interval_s, 20);
	rc_proto_arena_free(&arena);
	return reply.session;
}

static void test_runners_list_body(void)
{
	struct server s;
	server_init(&s, T0);
	char *body;
	CU_ASSERT_EQUAL(exchange(&s, T0, "GET", "/runners", "", &body), 200);
	CU_ASSERT_STRING_EQUAL(body, "{\"runners\":[]}");
	free(body);

	uint64_t session_a = register_runner(&s, T0, "my-macbook", "/code", "claude-code", RID_A);
	register_runner(&s, T0 + 1500, "host1", "/proj", "test-executor", RID_B);
	char hb[64], path[64];
	snprintf(hb, sizeof hb, "{\"session\":%llu}", (unsigned long long)session_a);
	CU_ASSERT_EQUAL(exchange(&s, T0 + 100000, "POST", "/runners/" RID_A "/heartbeat", hb, &body), 200);
	CU_ASSERT_STRING_EQUAL(body, "{\"ok\":true}");
	free(body);
	/* the 150 s sweep finds B 148.5 s silent: stale; A heard 50 s ago: online */
	server_run_until(&s, T0 + 150000);

	CU_ASSERT_EQUAL(exchange(&s, T0 + 150250, "GET", "/runners?format=json", "", &body), 200);
	CU_ASSERT_STRING_EQUAL(body,
			       "{\"runners\":["
			       "{\"runner_id\":\"" RID_A "\",\"hostname\":\"my-macbook\",\"project_dir\":\"/code\","
			       "\"executor_type\":\"claude-code\",\"status\":\"online\","
			       "\"registered_at\":\"2026-01-01T00:00:00.000Z\","
			       "\"last_heartbeat\":\"2026-01-01T00:01:40.000Z\",\"seconds_since_heartbeat\":50},"
			       "{\"runner_id\":\"" RID_B "\",\"hostname\":\"host1\",\"project_dir\":\"/proj\","
			       "\"executor_type\":\"test-executor\",\"status\":\"stale\","
			       "\"registered_at\":\"2026-01-01T00:00:01.500Z\","
			       "\"last_heartbeat\":\"2026-01-01T00:00:01.500Z\",\"seconds_since_heartbeat\":148}]}");
	/* the client side accepts the shape */
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	CU_ASSERT_EQUAL(rc_proto_decode_reply(RC_OP_RUNNERS_LIST, 200, body, strlen(body), &reply, &arena, NULL), 0);
	rc_proto_arena_free(&arena);
	free(body);

	/* deregistered runners leave the list */
	CU_ASSERT_EQUAL(exchange(&s, T0 + 151000, "DELETE", "/runners/" RID_B, "", &body), 200);
	free(body);
	CU_ASSERT_EQUAL(exchange(&s, T0 + 151000, "GET", "/runners", "", &body), 200);
	CU_ASSERT_PTR_NULL(strstr(body, RID_B));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"seconds_since_heartbeat\":51}"));
	free(body);
	/* an unknown runner is the coordinator's 404, through the codec */
	snprintf(path, sizeof path, "/runners/%s/heartbeat", RID_B);
	CU_ASSERT_EQUAL(exchange(&s, T0 + 152000, "POST", path, hb, &body), 404);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"error\":"));
	free(body);
	server_free(&s);
}

static void test_task_life_through_the_codec(void)
{
	struct server s;
	server_init(&s, T0);
	uint64_t session = register_runner(&s, T0, "my-macbook", "/code", "claude-code", RID_A);
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);

	CU_ASSERT_EQUAL(exchange_decoded(&s, T0 + 10, RC_OP_TASK_SUBMIT, "POST", "/tasks",
					 "{\"kind\":\"shell\",\"payload\":{\"argv\":[\"echo\",\"hi\"]}}", &reply, &arena),
			201);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply.task);
	CU_ASSERT_EQUAL(reply.task->state, RC_TASK_QUEUED);
	CU_ASSERT_STRING_EQUAL(reply.task->runner_id, "");
	uint64_t task_id = reply.task_id;
	CU_ASSERT(task_id > 0);

	char body[160], path[64];
	snprintf(body, sizeof body, "{\"session\":%llu,\"max\":1}", (unsigned long long)session);
	CU_ASSERT_EQUAL(exchange_decoded(&s, T0 + 20, RC_OP_CLAIM, "POST", "/runners/" RID_A "/claim", body, &reply,
					 &arena),
			200);
	CU_ASSERT_EQUAL_FATAL(reply.n_grants, 1);
	CU_ASSERT_EQUAL(reply.grants[0].task_id, task_id);
	CU_ASSERT_EQUAL(reply.grants[0].attempt, 1);
	CU_ASSERT_STRING_EQUAL(reply.grants[0].kind, "shell");
	CU_ASSERT_STRING_EQUAL(reply.grants[0].payload, "{\"argv\":[\"echo\",\"hi\"]}");

	snprintf(path, sizeof path, "/tasks/%llu/complete", (unsigned long long)task_id);
	CU_ASSERT_EQUAL(exchange_decoded(&s, T0 + 30, RC_OP_TASK_COMPLETE, "POST", path,
					 "{\"runner_id\":\"" RID_A "\",\"attempt\":1,\"result\":\"hi\\n\"}", &reply, &arena),
			200);
	snprintf(path, sizeof path, "/tasks/%llu", (unsigned long long)task_id);
	CU_ASSERT_EQUAL(exchange_decoded(&s, T0 + 40, RC_OP_TASK_GET, "GET", path, "", &reply, &arena), 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply.task);
	CU_ASSERT_EQUAL(reply.task->state, RC_TASK_COMPLETED);
	CU_ASSERT_EQUAL(reply.task->attempt, 1);
	CU_ASSERT_STRING_EQUAL(reply.task->runner_id, RID_A);
	CU_ASSERT_STRING_EQUAL(reply.task->result, "hi\n");

	/* a completion for another attempt is the coordinator's 403, and the
	 * client reads its error body */
	snprintf(path, sizeof path, "/tasks/%llu/complete", (unsigned long long)task_id);
	CU_ASSERT_EQUAL(exchange_decoded(&s, T0 + 50, RC_OP_TASK_COMPLETE, "POST", path,
					 "{\"runner_id\":\"" RID_A "\",\"attempt\":2}", &reply, &arena),
			403);
	CU_ASSERT_PTR_NOT_NULL(reply.error.code);
	CU_ASSERT(reply.error.message[0] != '\0');
	rc_proto_arena_free(&arena);
	server_free(&s);
}

static void test_sandbox_life_through_the_codec(void)
{
	struct server s;
	server_init(&s, T0);
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	CU_ASSERT_EQUAL(exchange_decoded(&s, T0, RC_OP_SANDBOX_CREATE, "POST", "/api/v1/sandboxes", "", &reply, &arena),
			201);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply.sandbox);
	CU_ASSERT_EQUAL(reply.sandbox->status, RC_SANDBOX_PENDING);
	CU_ASSERT_EQUAL(reply.sandbox->task_id, 0);
	uint64_t id = reply.sandbox_id;

	char path[96];
	snprintf(path, sizeof path, "/api/v1/sandboxes/%llu/runner-status", (unsigned long long)id);
	struct rc_proto_headers h = { .runner_secret = NULL, .runner_id = RID_A };
	struct rc_msg msg;
	struct rc_error err;
	const char *body = "{\"status\":\"creating\",\"containerId\":\"c0ffee\"}";
	server_run_until(&s, T0 + 5);
	CU_ASSERT_EQUAL_FATAL(rc_proto_decode_request("POST", path, &h, body, strlen(body), &msg, &arena, &err), 0);
	struct rc_reply server_reply;
	rc_reply_init(&server_reply, &msg);
	CU_ASSERT_EQUAL(rc_coord_handle(s.c, T0 + 5, &msg, &server_reply, &s.ob), 200);
	char *text = rc_proto_encode_reply(&server_reply, T0 + 5);
	char want[256];
	snprintf(want, sizeof want,
		 "{\"sandbox_id\":%llu,\"status\":\"creating\",\"runner_id\":\"" RID_A
		 "\",\"task_id\":null,\"container_id\":\"c0ffee\"}",
		 (unsigned long long)id);
	CU_ASSERT_STRING_EQUAL(text, want);
	free(text);
	rc_proto_arena_free(&arena);
	server_free(&s);
}

void rc_test_register_protocol_coord(void)
{
	static CU_TestInfo tests[] = {
		{ "GET /runners body, byte for byte", test_runners_list_body },
		{ "a task's life through the codec", test_task_life_through_the_codec },
		{ "a sandbox's life through the codec", test_sandbox_life_through_the_codec },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("protocol_coord", tests);
}
