/*
 * state_fuzz.c - `make fuzz`: runnerd's state directory with damaged files,
 * under AddressSanitizer and UBSan.
 *
 * Writes mutated registration.json and instance-token files (bytes flipped,
 * truncated, JSON punctuation inserted, or absent) into a scratch directory
 * and opens it with runnerd_state_open. It must never crash, must give a
 * reason whenever it refuses, must leave both files exactly as they were
 * when it refuses (nothing lost on bad input), and must never change an
 * existing token when it accepts. Deterministic for a seed.
 *
 *   state-fuzz ITERATIONS SEED
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "state.h"

#define FILE_CAP 9000

static const char *const registrations[] = {
	"{\"runner_id\":\"lnch_0123456789ab\",\"session\":5,\"saved_at_ms\":1000}\n",
	"{\"runner_id\":\"lnch_0123456789ab\",\"session\":18446744073709551615,\"saved_at_ms\":-1}",
	"{\"runner_id\":\"lnch_0123456789ab\",\"session\":1,\"saved_at_ms\":1,\"extra\":1}",
	"{\"runner_id\":\"x\",\"session\":\"1\"}", "{}", "[]", "",
};
static const char *const tokens[] = {
	"0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef\r\n",
	"0123456789ABCDEF0123456789abcdef\n", "0123456789abcdef0123456789abcde\n", "0123456789abcdef0123456789abcdef0\n",
	"", "\n",
};

/* A file's bytes, or absent (len (size_t)-1). */
struct content {
	char data[FILE_CAP];
	size_t len;
};

static void read_content(const char *path, struct content *c)
{
	FILE *f = fopen(path, "rb");
	c->len = (size_t)-1;
	if (f) {
		c->len = fread(c->data, 1, sizeof c->data, f);
		fclose(f);
	}
}

static bool same(const struct content *a, const struct content *b)
{
	return a->len == b->len && (a->len == (size_t)-1 || memcmp(a->data, b->data, a->len) == 0);
}

/* Write a mutation of text to path, or leave path absent. */
static void write_mutation(const char *path, const char *text)
{
	unlink(path);
	if (below(4) == 0)
		return;
	char buf[512];
	size_t n = strlen(text);
	memcpy(buf, text, n);
	for (int k = (int)below(3); k > 0; k--) {
		char punctuation = "{}\":,0a\n\\"[below(9)];
		fuzz_mutate_bytes(buf, &n, sizeof buf, &punctuation, 1);
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

static int check(const char *dir, const char *reg, const char *tok, long i)
{
	struct content reg_before, tok_before, reg_after, tok_after;
	read_content(reg, &reg_before);
	read_content(tok, &tok_before);
	struct runnerd_state st;
	char err[600] = "";
	int rc = runnerd_state_open(&st, dir, err, sizeof err);
	if (rc == 0)
		runnerd_state_close(&st);
	read_content(reg, &reg_after);
	read_content(tok, &tok_after);
	if (rc != 0 && !err[0]) {
		fprintf(stderr, "state-fuzz: iteration %ld: refused without a reason\n", i);
		return -1;
	}
	if (rc != 0 && (!same(&reg_before, &reg_after) || !same(&tok_before, &tok_after))) {
		fprintf(stderr, "state-fuzz: iteration %ld: refused (%s) but changed a file\n", i, err);
		return -1;
	}
	if (rc == 0 && tok_before.len != (size_t)-1 && !same(&tok_before, &tok_after)) {
		fprintf(stderr, "state-fuzz: iteration %ld: accepted and changed the existing token\n", i);
		return -1;
	}
	return rc == 0;
}

int main(int argc, char **argv)
{
	long iterations = fuzz_start(argc, argv, "state-fuzz");
	if (iterations < 0)
		return 2;
	char dir[] = "/tmp/rc-state-fuzz-XXXXXX", reg[128], tok[128], lock[128];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(reg, sizeof reg, "%s/registration.json", dir);
	snprintf(tok, sizeof tok, "%s/instance-token", dir);
	long opened = 0;
	int rc = 0;
	for (long i = 0; i < iterations && rc >= 0; i++) {
		write_mutation(reg, PICK(registrations));
		write_mutation(tok, PICK(tokens));
		rc = check(dir, reg, tok, i);
		opened += rc > 0;
	}
	unlink(reg);
	unlink(tok);
	snprintf(lock, sizeof lock, "%s/lock", dir);
	unlink(lock);
	rmdir(dir);
	if (rc < 0)
		return 1;
	printf("state-fuzz: %ld damaged directories, %ld opened, the rest refused with a reason and left as they were\n",
	       iterations, opened);
	return 0;
}
