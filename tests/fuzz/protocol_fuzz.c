/*
 * protocol_fuzz.c - `make fuzz`: mutated HTTP requests through the codec and
 * the coordinator core, under AddressSanitizer and UBSan.
 *
 * Starts from the request fixtures (fixtures/requests/manifest.tsv), mutates
 * bodies (bytes, truncation, JSON tokens such as huge numbers and lone
 * surrogates, splices of other fixtures), methods, paths and headers, and
 * sends each through rc_proto_decode_request; what decodes goes to one
 * long-lived coordinator (rc_coord_handle, ticks now and then), its reply is
 * encoded and decoded back, and every mutated body is also read as a reply
 * to a random operation. The sanitizers judge; the program itself fails only
 * if a refusal comes without a reason, or with jansson's own "too big" for a
 * number the codec should have judged by its field (protocol_overflow.c), or
 * if a body is accepted that is not JSON (read again by jansson with every
 * integer taken as a real, so that only a number past the double range can
 * stop it short of a verdict: setting numbers aside must never make JSON).
 * Deterministic for a seed.
 *
 *   protocol-fuzz ITERATIONS SEED
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coord.h"
#include "fuzz.h"
#include "msg.h"
#include "outbox.h"
#include "protocol.h"

#define MAX_FIXTURES 128
#define MAX_BODY 70000

struct fixture {
	char method[8];
	char path[256];
	char *body;
	size_t len;
};

static struct fixture fixtures[MAX_FIXTURES];
static int n_fixtures;
static const char *const json_tokens[] = {
	"null", "true", "false", "0", "-1", "1e308", "9223372036854775807", "9223372036854775808",
	"-9223372036854775809", "1e400", "-2.5E+999", "0099999999999999999999", "99999999999999999999.5", "\"\"", "\"lnch_0123456789ab\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "1.5",
	",", ":", "{", "}", "[", "]", "\"",
	/* a too-big number where a key belongs, or a token jansson does not read
	 * as a number: setting numbers aside must not make either JSON */
	"99999999999999999999:1,", ",1e999:[2]", "1.e999", "1e999",
};
static const char *const paths[] = {
	"/runners/register", "/runners/lnch_0123456789ab/heartbeat", "/runners/lnch_0123456789ab",
	"/runners/lnch_0123456789ab/claim", "/runners", "/tasks", "/tasks/1", "/tasks/1/status", "/tasks/1/complete",
	"/api/v1/sandboxes", "/api/v1/sandboxes/1", "/api/v1/sandboxes/1/runner-status", "/health", "/tasks/0",
	"/tasks/-1", "/tasks/99999999999999999999", "/runners//heartbeat", "/runners/%00/claim",
};
static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "PATCH" };

static void load_fixtures(const char *dir)
{
	char path[4200], line[1024];
	snprintf(path, sizeof path, "%s/manifest.tsv", dir);
	FILE *manifest = fopen(path, "r");
	if (!manifest) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, manifest) && n_fixtures < MAX_FIXTURES) {
		char method[8], route[256], body[256];
		if (line[0] == '#' || sscanf(line, "%7s %255s %255s", method, route, body) != 3)
			continue;
		struct fixture *f = &fixtures[n_fixtures++];
		snprintf(f->method, sizeof f->method, "%s", method);
		snprintf(f->path, sizeof f->path, "%s", route);
		f->body = calloc(1, MAX_BODY);
		snprintf(path, sizeof path, "%s/%s", dir, body);
		FILE *b = strcmp(body, "-") != 0 ? fopen(path, "rb") : NULL;
		if (b) {
			f->len = fread(f->body, 1, MAX_BODY, b);
			fclose(b);
		}
	}
	fclose(manifest);
}

/* A mutated copy of body (NUL-terminated, malloc'd). */
static char *mutated(const struct fixture *f, size_t *len_out)
{
	size_t cap = 2 * MAX_BODY + 1, n = f->len;
	char *buf = malloc(cap);
	memcpy(buf, f->body, n);
	for (int k = 1 + (int)below(4); k > 0; k--) {
		/* a JSON token, or a splice of another fixture's body */
		const struct fixture *other = &fixtures[below((size_t)n_fixtures)];
		const char *what = below(2) ? PICK(json_tokens) : other->body;
		fuzz_mutate_bytes(buf, &n, cap, what, what == other->body ? other->len : strlen(what));
	}
	buf[n] = '\0';
	*len_out = n;
	return buf;
}

/* A decoded request goes to the coordinator; its reply makes a round trip. */
static int handle(struct rc_coord *c, int64_t now, const struct rc_msg *msg, struct rc_outbox *ob)
{
	struct rc_reply reply;
	struct rc_error err;
	rc_outbox_clear(ob);
	int status = rc_coord_handle(c, now, msg, &reply, ob);
	char *body = rc_proto_encode_reply(&reply, now);
	if (body) {
		struct rc_reply back;
		struct rc_proto_arena arena;
		rc_proto_arena_init(&arena);
		rc_proto_decode_reply(msg->op, reply.status, body, strlen(body), &back, &arena, &err);
		rc_proto_arena_free(&arena);
		free(body);
	}
	if (below(50) == 0) {
		rc_outbox_clear(ob);
		rc_coord_tick(c, now, ob);
	}
	return status;
}

/* The same bytes read as a reply to some operation. */
static void read_as_reply(const char *body, size_t len)
{
	struct rc_reply reply;
	struct rc_proto_arena arena;
	struct rc_error err;
	rc_proto_arena_init(&arena);
	rc_proto_decode_reply((enum rc_op)(1 + below(RC_OP_COUNT - 1)), (int)(100 + below(500)), body, len, &reply,
			      &arena, &err);
	rc_proto_arena_free(&arena);
}

/* Whether body is JSON, as far as jansson can tell with integers read as
 * reals, when msg's operation reads a body (the client side encodes one for
 * it; an empty body is the empty object some operations take). */
static bool is_json_or_too_big(const struct rc_msg *msg, const char *body, size_t len)
{
	const char *method;
	char path[512], *encoded = NULL;
	bool reads_body = rc_proto_encode_request(msg, &method, path, sizeof path, &encoded) == 0 && encoded;
	free(encoded);
	if (!reads_body || len == 0)
		return true;
	json_error_t jerr;
	json_t *v = json_loadb(body, len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	json_decref(v);
	return v || json_error_code(&jerr) == json_error_numeric_overflow;
}

int main(int argc, char **argv)
{
	long iterations = fuzz_start(argc, argv, "protocol-fuzz");
	if (iterations < 0)
		return 2;
	load_fixtures("fixtures/requests");
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, "s3cret", 1000);
	struct rc_outbox ob;
	rc_outbox_init(&ob);
	int64_t now = 1000;
	long decoded = 0, accepted = 0;
	for (long i = 0; i < iterations; i++) {
		const struct fixture *f = &fixtures[below((size_t)n_fixtures)];
		size_t len;
		char *body = mutated(f, &len);
		struct rc_proto_headers headers = {
			.runner_secret = below(8) ? "s3cret" : "not-the-secret",
			.runner_id = below(2) ? "lnch_0123456789ab" : NULL,
			.runner_secret_repeated = below(32) == 0,
			.runner_id_repeated = below(32) == 0,
			.content_length_repeated = below(64) == 0,
		};
		struct rc_msg msg;
		struct rc_proto_arena arena;
		struct rc_error err = { 0 };
		memset(&msg, 0, sizeof msg);
		rc_proto_arena_init(&arena);
		int status = rc_proto_decode_request(below(8) ? f->method : PICK(methods), below(4) ? f->path : PICK(paths),
						     &headers, body, len, &msg, &arena, &err);
		if (status == 0 && !is_json_or_too_big(&msg, body, len)) {
			fprintf(stderr, "protocol-fuzz: a body that is not JSON was accepted (iteration %ld): %.*s\n", i, (int)(len > 300 ? 300 : len), body);
			return 1;
		}
		if (status == 0) {
			decoded++;
			now += (int64_t)below(5000);
			accepted += handle(c, now, &msg, &ob) / 100 == 2;
		} else if (!err.code || !err.code[0]) {
			fprintf(stderr, "protocol-fuzz: status %d without an error code (iteration %ld)\n", status, i);
			return 1;
		} else if (strstr(err.message, "too big") || strstr(err.message, "overflow")) {
			/* protocol_overflow.c missed a number jansson cannot hold */
			fprintf(stderr, "protocol-fuzz: %s (iteration %ld)\n", err.message, i);
			return 1;
		}
		read_as_reply(body, len);
		rc_proto_arena_free(&arena);
		free(body);
	}
	printf("protocol-fuzz: %ld requests, %ld decoded, %ld answered 2xx by the coordinator\n", iterations, decoded,
	       accepted);
	rc_outbox_free(&ob);
	rc_coord_free(c);
	for (int i = 0; i < n_fixtures; i++)
		free(fixtures[i].body);
	return 0;
}
