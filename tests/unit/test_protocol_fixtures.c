/*
 * test_protocol_fixtures.c - the committed request bodies, good and bad.
 *
 * fixtures/requests/manifest.tsv says, for each case, the method, path, body
 * file and the expected outcome (status 0 = accepted, else status, error code
 * and the field named first). The same files serve other implementations of
 * the protocol, so the test also checks that every body file is in the
 * manifest and every manifest file is described in the README.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_internal.h"
#include "unit.h"

#define MAX_BODY_FILE (RC_MAX_BODY_BYTES + 1)

struct fixture_case {
	char method[16], path[256], file[128], code[64], field[64];
	int status;
};

/* The whole file into a malloc'd buffer; *len its size. NULL if unreadable. */
static char *slurp(const char *relative, size_t *len)
{
	FILE *f = fopen(rc_unit_fixture(relative), "rb");
	if (!f)
		return NULL;
	char *buf = malloc(MAX_BODY_FILE);
	*len = fread(buf, 1, MAX_BODY_FILE, f);
	fclose(f);
	return buf;
}

static bool parse_case(char *line, struct fixture_case *c)
{
	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return false;
	int n = sscanf(line, "%15[^\t]\t%255[^\t]\t%127[^\t]\t%d\t%63[^\t]\t%63[^\t]", c->method, c->path, c->file,
		       &c->status, c->code, c->field);
	CU_ASSERT_EQUAL_FATAL(n, 6);
	return true;
}

static void run_case(const struct fixture_case *c)
{
	size_t len = 0;
	char *body = NULL;
	if (strcmp(c->file, "-") != 0) {
		char rel[160];
		snprintf(rel, sizeof rel, "requests/%s", c->file);
		body = slurp(rel, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	}
	struct rc_proto_arena arena;
	struct rc_msg msg;
	struct rc_error err;
	rc_proto_arena_init(&arena);
	int status = rc_proto_decode_request(c->method, c->path, NULL, body, len, &msg, &arena, &err);
	CU_ASSERT_EQUAL(status, c->status);
	if (status != c->status)
		fprintf(stderr, "\nfixture %s %s %s: got %d (%s: %s), expected %d\n", c->method, c->path, c->file, status,
			err.code ? err.code : "-", err.message, c->status);
	if (c->status != 0 && status == c->status) {
		CU_ASSERT_STRING_EQUAL(err.code, c->code);
		if (strcmp(c->field, "-") == 0) {
			CU_ASSERT_PTR_NULL(err.fields[0]);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(err.fields[0]);
			CU_ASSERT_STRING_EQUAL(err.fields[0], c->field);
		}
	}
	if (c->status == 0)
		CU_ASSERT_NOT_EQUAL(msg.op, RC_OP_NONE);
	rc_proto_arena_free(&arena);
	free(body);
}

static void test_manifest(void)
{
	FILE *f = fopen(rc_unit_fixture("requests/manifest.tsv"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[512];
	int good = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		struct fixture_case c;
		if (!parse_case(line, &c))
			continue;
		run_case(&c);
		if (c.status == 0)
			good++;
		else
			bad++;
	}
	fclose(f);
	CU_ASSERT(good >= 25);
	CU_ASSERT(bad >= 40);
}

/* Whether text holds word. */
static bool mentions(const char *text, const char *word)
{
	return strstr(text, word) != NULL;
}

static void check_dir_listed(const char *dir, const char *manifest, const char *readme)
{
	char path[64];
	snprintf(path, sizeof path, "requests/%s", dir);
	DIR *d = opendir(rc_unit_fixture(path));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char rel[300];
		snprintf(rel, sizeof rel, "%s/%s", dir, e->d_name);
		CU_ASSERT_TRUE(mentions(manifest, rel));
		CU_ASSERT_TRUE(mentions(readme, rel));
		if (!mentions(manifest, rel) || !mentions(readme, rel))
			fprintf(stderr, "\nfixture %s is not in manifest.tsv and README.md\n", rel);
		files++;
	}
	closedir(d);
	CU_ASSERT(files >= 20);
}

static void test_every_file_listed(void)
{
	size_t len;
	char *manifest = slurp("requests/manifest.tsv", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(manifest);
	manifest[len < MAX_BODY_FILE ? len : MAX_BODY_FILE - 1] = '\0';
	char *readme = slurp("requests/README.md", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
	readme[len < MAX_BODY_FILE ? len : MAX_BODY_FILE - 1] = '\0';
	check_dir_listed("good", manifest, readme);
	check_dir_listed("bad", manifest, readme);
	free(manifest);
	free(readme);
}

/* huge.json is not committed: a register body with a 70000-byte hostname.
 * The size is judged before the fields, so it is 413, not 422. */
static void test_generated_huge_body(void)
{
	size_t fill = 70000;
	char *body = malloc(fill + 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	int head = snprintf(body, 64, "{\"hostname\":\"");
	memset(body + head, 'h', fill);
	strcpy(body + head + fill, "\"}");
	struct rc_proto_arena arena;
	struct rc_msg msg;
	struct rc_error err;
	rc_proto_arena_init(&arena);
	CU_ASSERT_EQUAL(rc_proto_decode_request("POST", "/runners/register", NULL, body, strlen(body), &msg, &arena, &err),
			413);
	CU_ASSERT_STRING_EQUAL(err.code, RC_PROTO_E_BODY_TOO_LARGE);
	rc_proto_arena_free(&arena);
	free(body);
}

void rc_test_register_protocol_fixtures(void)
{
	static CU_TestInfo tests[] = {
		{ "manifest cases", test_manifest },
		{ "every fixture file is listed and described", test_every_file_listed },
		{ "generated huge body: 413", test_generated_huge_body },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("protocol_fixtures", tests);
}
