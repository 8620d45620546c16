/*
 * test_conf_profile.c - conform's dialect profiles: loading (every mistake
 * refused with its place) and translating requests and replies both ways.
 *
 * The fleet-v2 profile of fixtures/profiles/ is the dialect under test; the
 * expected wire forms are written out here by hand, from its description.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_profile.h"
#include "unit.h"

static struct conf_profile *fleet(void)
{
	char err[300];
	struct conf_profile *p = conf_profile_load(rc_unit_fixture("profiles/fleet-v2.json"), err, sizeof err);
	if (!p)
		fprintf(stderr, "%s\n", err);
	return p;
}

/* The value of header name in w, or NULL. */
static const char *header(const struct conf_wire_request *w, const char *name)
{
	for (int i = 0; i < w->n_headers; i++)
		if (strcmp(w->headers[i].name, name) == 0)
			return w->headers[i].value;
	return NULL;
}

static json_t *body_of(const struct conf_wire_request *w)
{
	return w->body ? json_loads(w->body, 0, NULL) : NULL;
}

static void test_default_is_identity(void)
{
	struct conf_profile *p = conf_profile_default();
	struct rc_msg m = { .op = RC_OP_HEARTBEAT, .runner_id = "lnch_7a0925b98c2e", .session = 3, .secret = "s" };
	struct conf_wire_request w;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(conf_profile_encode(p, &m, &w, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(w.method, "POST");
	CU_ASSERT_STRING_EQUAL(w.path, "/runners/lnch_7a0925b98c2e/heartbeat");
	CU_ASSERT_STRING_EQUAL(w.body, "{\"session\":3}");
	CU_ASSERT_STRING_EQUAL(header(&w, "X-Runner-Secret"), "s");
	CU_ASSERT_STRING_EQUAL(conf_profile_name(p), "rollcall-coordd");
	CU_ASSERT_EQUAL(conf_profile_timings(p)->stale_after_ms, 120000);
	conf_wire_request_free(&w);
	conf_profile_free(p);
}

static void test_fleet_moves_the_runner_id_into_the_body(void)
{
	struct conf_profile *p = fleet();
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct rc_msg m = { .op = RC_OP_CLAIM, .runner_id = "lnch_7a0925b98c2e", .session = 2, .max = 4, .secret = "s" };
	struct conf_wire_request w;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(conf_profile_encode(p, &m, &w, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(w.path, "/runner/claim");
	json_t *b = body_of(&w);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "id")), "lnch_7a0925b98c2e");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(b, "limit")), 4);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(b, "session")), 2);
	CU_ASSERT_PTR_NULL(json_object_get(b, "max"));
	CU_ASSERT_STRING_EQUAL(header(&w, "X-Fleet-Token"), "s");
	CU_ASSERT_PTR_NULL(header(&w, "X-Runner-Secret"));
	json_decref(b);
	conf_wire_request_free(&w);
	/* a bodiless DELETE becomes a POST with the id in its body */
	struct rc_msg d = { .op = RC_OP_DEREGISTER, .runner_id = "lnch_7a0925b98c2e", .secret = "s" };
	CU_ASSERT_EQUAL_FATAL(conf_profile_encode(p, &d, &w, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(w.method, "POST");
	CU_ASSERT_STRING_EQUAL(w.path, "/runner/leave");
	CU_ASSERT_STRING_EQUAL(w.body, "{\"id\":\"lnch_7a0925b98c2e\"}");
	conf_wire_request_free(&w);
	conf_profile_free(p);
}

static void test_fleet_sandbox_report(void)
{
	struct conf_profile *p = fleet();
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct rc_msg m = { .op = RC_OP_SANDBOX_REPORT, .sandbox_id = 7, .runner_id = "lnch_1991348b3b93",
			    .status_word = "running", .container_id = "c-1" };
	struct conf_wire_request w;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(conf_profile_encode(p, &m, &w, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(w.method, "PUT");
	CU_ASSERT_STRING_EQUAL(w.path, "/v2/sandboxes/7/state");
	json_t *b = body_of(&w);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "state")), "RUNNING");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "container")), "c-1");
	CU_ASSERT_PTR_NULL(json_object_get(b, "runner_id"));
	CU_ASSERT_STRING_EQUAL(header(&w, "X-Worker-Id"), "lnch_1991348b3b93");
	json_decref(b);
	conf_wire_request_free(&w);
	conf_profile_free(p);
}

/* Strings of the last decoded reply live here until the next decode. */
static struct rc_proto_arena arena;

static int decode(const struct conf_profile *p, enum rc_op op, int status, const char *body, struct rc_reply *r,
		  json_t **canonical)
{
	struct rc_error err;
	rc_proto_arena_free(&arena);
	rc_proto_arena_init(&arena);
	memset(r, 0, sizeof *r);
	return conf_profile_decode(p, op, status, body, strlen(body), r, &arena, canonical, &err);
}

static void test_fleet_replies_read_back(void)
{
	struct conf_profile *p = fleet();
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct rc_reply r;
	json_t *c = NULL;
	CU_ASSERT_EQUAL(decode(p, RC_OP_RUNNERS_LIST, 200,
			       "{\"items\":[{\"id\":\"lnch_a\",\"health\":\"unhealthy\",\"seconds_since_heartbeat\":3}]}",
			       &r, &c), 0);
	json_t *rec = json_array_get(json_object_get(c, "runners"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rec, "runner_id")), "lnch_a");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rec, "status")), "stale");
	json_decref(c);
	CU_ASSERT_EQUAL(decode(p, RC_OP_REGISTER, 200,
			       "{\"id\":\"lnch_7a0925b98c2e\",\"session\":4,\"reconnected\":true,\"heartbeat_every_s\":20}",
			       &r, NULL), 0);
	CU_ASSERT_STRING_EQUAL(r.runner_id, "lnch_7a0925b98c2e");
	CU_ASSERT_EQUAL(r.session, 4);
	CU_ASSERT_EQUAL(r.heartbeat_interval_s, 20);
	/* the dialect's 401 for an unknown runner is the protocol's 404 */
	CU_ASSERT_EQUAL(decode(p, RC_OP_HEARTBEAT, 401, "{\"code\":\"unknown_runner\",\"detail\":\"gone\"}", &r, NULL), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(r.error.code, "unknown_runner");
	CU_ASSERT_STRING_EQUAL(r.error.message, "gone");
	/* ... and a task's 404 stays 404 */
	CU_ASSERT_EQUAL(decode(p, RC_OP_TASK_GET, 404, "{\"code\":\"unknown_task\"}", &r, NULL), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	rc_proto_arena_free(&arena);
	conf_profile_free(p);
}

static void test_off_protocol_replies(void)
{
	struct conf_profile *p = conf_profile_default();
	struct rc_reply r;
	CU_ASSERT_EQUAL(decode(p, RC_OP_TASK_GET, 200, "<html>", &r, NULL), -1);
	CU_ASSERT_EQUAL(decode(p, RC_OP_TASK_GET, 200, "{\"task_id\":1,\"state\":\"done\",\"attempt\":1}", &r, NULL), -1);
	/* an error status with an unreadable body is still that status */
	CU_ASSERT_EQUAL(decode(p, RC_OP_HEARTBEAT, 503, "Service Unavailable", &r, NULL), 0);
	CU_ASSERT_EQUAL(r.status, 503);
	CU_ASSERT_STRING_EQUAL(r.error.code, "?");
	rc_proto_arena_free(&arena);
	conf_profile_free(p);
}

/* Load text as a profile; returns NULL and the error in err. */
static struct conf_profile *load_text(const char *text, char *err, size_t n)
{
	char path[] = "/tmp/rc-profile-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	struct conf_profile *p = conf_profile_load(path, err, n);
	unlink(path);
	return p;
}

static void expect_refused(const char *text, const char *why)
{
	char err[300] = "";
	struct conf_profile *p = load_text(text, err, sizeof err);
	CU_ASSERT_PTR_NULL(p);
	conf_profile_free(p);
	if (!strstr(err, why))
		fprintf(stderr, "\n  profile error \"%s\" does not say \"%s\"\n", err, why);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
}

static void test_mistakes_refused(void)
{
	expect_refused("{\"name\": \"x\", \"opz\": {}}", "unknown key \"opz\"");
	expect_refused("{\"ops\": {}}", "\"name\"");
	expect_refused("{\"name\": \"x\", \"ops\": {\"beat\": {}}}", "unknown operation \"beat\"");
	expect_refused("{\"name\": \"x\", \"ops\": {\"task-get\": {\"path\": \"/t/{task}\"}}}", "unknown placeholder");
	expect_refused("{\"name\": \"x\", \"ops\": {\"task-get\": {\"method\": \"FETCH\"}}}", "is not GET");
	expect_refused("{\"name\": \"x\", \"ops\": {\"claim\": {\"fields\": {\"max\": \"n\", \"session\": \"n\"}}}}",
		       "two fields are renamed to \"n\"");
	expect_refused("{\"name\": \"x\", \"words\": {\"runner\": {\"alive\": \"up\"}}}", "not a canonical runner word");
	expect_refused("{\"name\": \"x\", \"target\": {\"stale_after\": \"two minutes\"}}", "target.stale_after");
	expect_refused("{\"name\": \"x\", \"statuses\": {\"abc\": 404}}", "must map an HTTP status");
	expect_refused("{\"name\": \"x\", \"target\": {\"secret_rotation\": \"sigusr1\"}}", "target.secret_rotation");
	expect_refused("{\"name\": \"x\",", "");
}

/* A mistake on line `line`, column `col` of text is reported as
 * FILE:LINE:COL: message, the message saying why. */
static void expect_refused_at(const char *text, int line, int col, const char *why)
{
	char err[300] = "", want[40];
	struct conf_profile *p = load_text(text, err, sizeof err);
	CU_ASSERT_PTR_NULL(p);
	conf_profile_free(p);
	snprintf(want, sizeof want, ":%d:%d: ", line, col);
	const char *colon = strchr(err, ':'); /* the temporary file's name has none */
	bool ok = colon && strncmp(colon, want, strlen(want)) == 0 && strstr(colon, why);
	if (!ok)
		fprintf(stderr, "\n  profile error \"%s\" is not FILE%s...%s\n", err, want, why);
	CU_ASSERT_TRUE(ok);
}

static void test_mistakes_name_their_line(void)
{
	static const struct {
		const char *text;
		int line, col;
		const char *why;
	} cases[] = {
		{ "{\n  \"name\": \"x\",\n  \"opz\": {}\n}\n", 3, 3, "unknown key \"opz\" in the profile" },
		{ "\n{\n  \"about\": \"no name\"\n}\n", 2, 1, "\"name\" (a non-empty string) is required" },
		{ "{\n  \"name\": 7\n}\n", 2, 3, "name must be a string" },
		{ "{\n  \"name\": \"x\",\n  \"ops\": {\n    \"claim\": {},\n    \"beat\": {}\n  }\n}\n",
		  5, 5, "unknown operation \"beat\"" },
		{ "{\"name\": \"x\",\n \"ops\": {\"claim\": 3}}", 2, 10, "ops.claim must be an object" },
		{ "{\"name\": \"x\",\n \"ops\": {\n  \"task-get\": {\"method\": \"GET\",\n   \"path\": \"/t/{task}\"}}}",
		  4, 4, "unknown placeholder" },
		{ "{\"name\": \"x\", \"ops\": {\"task-get\": {\n\t\"method\": \"FETCH\"}}}", 2, 2, "is not GET" },
		{ "{\"name\": \"x\", \"ops\": {\"task-get\": {\"nethod\": \"GET\"}}}", 1, 36,
		  "unknown key \"nethod\" in ops.task-get" },
		{ "{\"name\": \"x\", \"ops\": {\n \"claim\": {\n  \"fields\": {\"max\": \"n\", \"session\": \"n\"}}}}", 3, 3,
		  "two fields are renamed to \"n\"" },
		{ "{\"name\": \"x\",\n\n \"fields\": {\"max\": \"n\", \"session\": \"n\"}}", 3, 2,
		  "two fields are renamed to \"n\"" },
		{ "{\"name\": \"x\", \"ops\": {\"claim\": {\"fields\": {\n  \"max\": \"n\",\n  \"tasks\": \"\"}}}}", 3, 3,
		  "ops.claim.fields.tasks must be a non-empty string" },
		{ "{\"name\": \"x\",\n \"words\": {\"task\": {\"queued\": \"q\",\n  \"alive\": \"up\"}}}",
		  3, 3, "not a canonical task word" },
		{ "{\"name\": \"x\",\n \"target\": {\n  \"settle\": \"0ms\",\n  \"stale_after\": \"two minutes\"}}",
		  4, 3, "target.stale_after must be a duration" },
		{ "{\"name\": \"x\",\n \"target\": {\"sweep_interval\": \"0s\"}}", 2, 13, "must be > 0" },
		{ "{\"name\": \"x\",\n \"statuses\": {\"401\": 404,\n  \"abc\": 404}}",
		  3, 3, "must map an HTTP status" },
		{ "{\"name\": \"x\", \"headers\": {\n\"secret\": \"\"}}", 2, 1, "headers.secret must name a header" },
		/* a key written with escapes is found as far as its object */
		{ "{\"name\": \"x\",\n \"target\": {\"\\u0073ettle\": \"soon\"}}", 2, 2, "target.settle" },
		{ "[1]", 1, 1, "a profile is a JSON object" },
		{ "{\"name\": \"x\",\n \"ops\": {", 2, 9, "" }, /* jansson's own FILE:LINE:COL */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_refused_at(cases[i].text, cases[i].line, cases[i].col, cases[i].why);
}

static void test_absent_operation(void)
{
	char err[300];
	struct conf_profile *p =
		load_text("{\"name\": \"no-tasks\", \"ops\": {\"task-get\": {\"absent\": true}}}", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_FALSE(conf_profile_has(p, RC_OP_TASK_GET));
	CU_ASSERT_TRUE(conf_profile_has(p, RC_OP_TASK_SUBMIT));
	struct rc_msg m = { .op = RC_OP_TASK_GET, .task_id = 1 };
	struct conf_wire_request w;
	CU_ASSERT_EQUAL(conf_profile_encode(p, &m, &w, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no task-get operation"));
	conf_profile_free(p);
}

static void test_reporter_in_the_body(void)
{
	char err[300];
	struct conf_profile *p = load_text("{\"name\": \"no-header\", \"headers\": {\"runner_id\": \"\"}}", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct rc_msg m = { .op = RC_OP_SANDBOX_REPORT, .sandbox_id = 3, .runner_id = "lnch_1991348b3b93",
			    .status_word = "creating" };
	struct conf_wire_request w;
	CU_ASSERT_EQUAL_FATAL(conf_profile_encode(p, &m, &w, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(w.path, "/api/v1/sandboxes/3/runner-status");
	CU_ASSERT_PTR_NULL(header(&w, "X-Runner-Id"));
	json_t *b = body_of(&w);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "runner_id")), "lnch_1991348b3b93");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "creating");
	json_decref(b);
	conf_wire_request_free(&w);
	conf_profile_free(p);
}

/* The built-in profile rotates by SIGHUP; a loaded one only if it says so. */
static void test_secret_rotation(void)
{
	char err[300];
	struct conf_profile *builtin = conf_profile_default();
	CU_ASSERT_EQUAL(conf_profile_rotation(builtin), CONF_ROTATE_SIGHUP);
	conf_profile_free(builtin);
	static const struct {
		const char *text;
		enum conf_rotation want;
	} cases[] = {
		{ "{\"name\": \"silent\"}", CONF_ROTATE_NONE },
		{ "{\"name\": \"t\", \"target\": {\"stale_after\": \"2m\"}}", CONF_ROTATE_NONE },
		{ "{\"name\": \"t\", \"target\": {\"secret_rotation\": \"none\"}}", CONF_ROTATE_NONE },
		{ "{\"name\": \"t\", \"target\": {\"secret_rotation\": \"sighup\"}}", CONF_ROTATE_SIGHUP },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conf_profile *p = load_text(cases[i].text, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(conf_profile_rotation(p), cases[i].want);
		conf_profile_free(p);
	}
}

void rc_test_register_conf_profile(void)
{
	static CU_TestInfo tests[] = {
		{ "the default profile is coordd's protocol", test_default_is_identity },
		{ "fleet-v2: the runner id goes in the body", test_fleet_moves_the_runner_id_into_the_body },
		{ "fleet-v2: a sandbox report", test_fleet_sandbox_report },
		{ "fleet-v2: replies read back, codes mapped", test_fleet_replies_read_back },
		{ "off-protocol replies", test_off_protocol_replies },
		{ "mistakes in a profile are refused", test_mistakes_refused },
		{ "a mistake names its line and column", test_mistakes_name_their_line },
		{ "an absent operation", test_absent_operation },
		{ "how a secret is rotated", test_secret_rotation },
		{ "a reporter named in the body", test_reporter_in_the_body },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("conf_profile", tests);
}
