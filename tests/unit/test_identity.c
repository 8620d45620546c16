/*
 * test_identity.c - runner IDs against vectors computed by sha256sum.
 *
 * The vectors (fixtures/identity/vectors.jsonl) come from an oracle outside
 * this code (coreutils), so a wrong join, a trimmed value or a normalised
 * string would show here.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "identity.h"
#include "rng.h"
#include "unit.h"

static void test_known_vectors(void)
{
	char id[RC_RUNNER_ID_BUF];
	CU_ASSERT_EQUAL(rc_identity_runner_id("my-macbook", "/code", "claude-code", id), 0);
	CU_ASSERT_STRING_EQUAL(id, "lnch_1991348b3b93");
	CU_ASSERT_EQUAL(rc_identity_runner_id("host1", "/proj", "test-executor", id), 0);
	CU_ASSERT_STRING_EQUAL(id, "lnch_7a0925b98c2e");
}

static void test_fixture_vectors(void)
{
	json_error_t jerr;
	FILE *f = fopen(rc_unit_fixture("identity/vectors.jsonl"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[16384];
	int checked = 0;
	struct evp_md_ctx_st *ctx = NULL; /* one context for every vector: reuse must not leak state */
	while (fgets(line, sizeof line, f)) {
		json_t *v = json_loads(line, 0, &jerr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		const char *host = json_string_value(json_object_get(v, "hostname"));
		const char *dir = json_string_value(json_object_get(v, "project_dir"));
		const char *executor = json_string_value(json_object_get(v, "executor_type"));
		const char *want = json_string_value(json_object_get(v, "id"));
		char id[RC_RUNNER_ID_BUF], id_ctx[RC_RUNNER_ID_BUF];
		CU_ASSERT_EQUAL(rc_identity_runner_id(host, dir, executor, id), 0);
		CU_ASSERT_STRING_EQUAL(id, want);
		CU_ASSERT_TRUE(rc_identity_is_runner_id(id));
		CU_ASSERT_EQUAL(rc_identity_runner_id_ctx(&ctx, host, dir, executor, id_ctx), 0);
		CU_ASSERT_STRING_EQUAL(id_ctx, want);
		json_decref(v);
		checked++;
	}
	rc_identity_ctx_free(ctx);
	fclose(f);
	CU_ASSERT(checked >= 20);
}

static void test_missing_property_is_refused(void)
{
	char id[RC_RUNNER_ID_BUF] = "x";
	CU_ASSERT_EQUAL(rc_identity_runner_id(NULL, "/code", "claude-code", id), -1);
	CU_ASSERT_STRING_EQUAL(id, "");
	CU_ASSERT_EQUAL(rc_identity_runner_id("h", "", "claude-code", id), -1);
	CU_ASSERT_EQUAL(rc_identity_runner_id("h", "/code", "", id), -1);
	CU_ASSERT_EQUAL(rc_identity_runner_id("h", "/code", NULL, id), -1);
}

static void test_id_shape(void)
{
	CU_ASSERT_TRUE(rc_identity_is_runner_id("lnch_0123456789ab"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789aB"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789a"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789abc"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnxh_0123456789ab"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id(NULL));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id(""));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789a/"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789a:"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789a`"));
	CU_ASSERT_FALSE(rc_identity_is_runner_id("lnch_0123456789ag"));
}

/* The key is the 12 digits as a number, never 0, and 0 for anything else. */
static void test_id_key(void)
{
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_0123456789ab"), 0x0123456789abULL | 1ULL << 48);
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_000000000000"), 1ULL << 48);
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_ffffffffffff"), 0xffffffffffffULL | 1ULL << 48);
	CU_ASSERT_NOT_EQUAL(rc_identity_runner_key("lnch_0123456789ab"), rc_identity_runner_key("lnch_0123456789ac"));
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_0123456789AB"), 0);
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_0123456789ab "), 0);
	CU_ASSERT_EQUAL(rc_identity_runner_key("lnch_"), 0);
	CU_ASSERT_EQUAL(rc_identity_runner_key(NULL), 0);
}

/* The key as the rule says it, the plain way: the reference identity.c's
 * table-driven parse is held to. */
static uint64_t key_by_bytes(const char *s)
{
	if (strncmp(s, "lnch_", 5) != 0)
		return 0;
	uint64_t key = 0;
	for (int i = 5; i < 17; i++) {
		const char *digit = s[i] ? strchr("0123456789abcdef", s[i]) : NULL;
		if (!digit)
			return 0;
		key = key << 4 | (uint64_t)(digit - "0123456789abcdef");
	}
	return s[17] == '\0' ? key | 1ULL << 48 : 0;
}

/* Every byte value at every position of an ID, every length around 17, and
 * IDs drawn at random: the two parses agree on all of them. Each string is
 * in a buffer of exactly its size, so reading past its end shows under
 * valgrind and the sanitizers. */
static void test_id_key_matches_the_rule(void)
{
	char id[RC_RUNNER_ID_BUF];
	int mismatches = 0, valid = 0;
	for (int pos = 0; pos < RC_RUNNER_ID_LEN; pos++)
		for (int byte = 1; byte < 256; byte++) {
			memcpy(id, "lnch_0123456789ab", RC_RUNNER_ID_BUF);
			id[pos] = (char)byte;
			uint64_t key = rc_identity_runner_key(id);
			mismatches += key != key_by_bytes(id);
			valid += key != 0;
		}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT_EQUAL(valid, 5 + 12 * 16); /* the ID itself at each prefix position, 16 digits at each other */
	for (size_t len = 0; len <= RC_RUNNER_ID_LEN + 2; len++) {
		char *s = malloc(len + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		for (size_t i = 0; i < len; i++)
			s[i] = "lnch_0123456789abcdef"[i];
		s[len] = '\0';
		CU_ASSERT_EQUAL(rc_identity_runner_key(s), key_by_bytes(s));
		CU_ASSERT_EQUAL(rc_identity_runner_key(s) != 0, len == RC_RUNNER_ID_LEN);
		free(s);
	}
	struct rc_rng rng;
	rc_rng_seed(&rng, 7);
	for (int n = 0; n < 10000; n++) {
		memcpy(id, "lnch_", 5);
		for (int i = 5; i < RC_RUNNER_ID_LEN; i++)
			id[i] = "0123456789abcdef"[rc_rng_below(&rng, 16)];
		id[RC_RUNNER_ID_LEN] = '\0';
		uint64_t key = rc_identity_runner_key(id);
		if (key != key_by_bytes(id) || key == 0)
			mismatches++;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

void rc_test_register_identity(void)
{
	static CU_TestInfo tests[] = {
		{ "known vectors from DESIGN.md", test_known_vectors },
		{ "fixture vectors match sha256sum (also through one reused context)", test_fixture_vectors },
		{ "missing or empty property is refused", test_missing_property_is_refused },
		{ "id key", test_id_key },
		{ "id key matches the rule for every byte, length and random ID", test_id_key_matches_the_rule },
		{ "id shape", test_id_shape },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("identity", tests);
}
