/*
 * identity.c - runner ID derivation (see identity.h for the rule).
 *
 * The hash input is built incrementally so no property is copied or
 * truncated: a 4 KiB project_dir hashes exactly like a short one would.
 */
#include "identity.h"

#include <openssl/evp.h>
#include <stdatomic.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

/* SHA-256 fetched from OpenSSL's provider once. With EVP_sha256() OpenSSL 3
 * looks the algorithm up again for every digest, which was more than half
 * the cost of an ID; the coordinator derives one per registration and per
 * runner restored at every start (the simulator restarts it thousands of
 * times a second). A cache of a library handle, not state: every call
 * hashes the same way. Thread-safe: a caller that loses the race to fill
 * the cache frees its own copy. NULL only when OpenSSL cannot fetch it. */
static EVP_MD *sha256(void)
{
	static _Atomic(EVP_MD *) cached;
	EVP_MD *md = atomic_load(&cached);
	if (md)
		return md;
	EVP_MD *fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (fetched && !atomic_compare_exchange_strong(&cached, &md, fetched)) {
		EVP_MD_free(fetched);
		return md; /* another thread's, now in the cache */
	}
	return fetched;
}

/* Feed "hostname:project_dir:executor_type" to ctx. Usual properties fit a
 * small buffer and go in one update: each EVP_DigestUpdate call costs more
 * than copying the bytes (IDs are derived at every registration and for
 * every runner restored). Longer ones go in piece by piece, uncopied. */
static int hash_properties(EVP_MD_CTX *ctx, const char *hostname, const char *project_dir,
			   const char *executor_type)
{
	size_t lens[3] = { strlen(hostname), strlen(project_dir), strlen(executor_type) };
	char buf[256];
	if (lens[0] + lens[1] + lens[2] + 2 > sizeof buf)
		return EVP_DigestUpdate(ctx, hostname, lens[0]) && EVP_DigestUpdate(ctx, ":", 1) &&
		       EVP_DigestUpdate(ctx, project_dir, lens[1]) && EVP_DigestUpdate(ctx, ":", 1) &&
		       EVP_DigestUpdate(ctx, executor_type, lens[2]);
	char *p = buf;
	memcpy(p, hostname, lens[0]);
	p += lens[0];
	*p++ = ':';
	memcpy(p, project_dir, lens[1]);
	p += lens[1];
	*p++ = ':';
	memcpy(p, executor_type, lens[2]);
	p += lens[2];
	return EVP_DigestUpdate(ctx, buf, (size_t)(p - buf));
}

int rc_identity_runner_id(const char *hostname, const char *project_dir, const char *executor_type,
			  char out[RC_RUNNER_ID_BUF])
{
	EVP_MD_CTX *ctx = NULL;
	int rc = rc_identity_runner_id_ctx(&ctx, hostname, project_dir, executor_type, out);
	EVP_MD_CTX_free(ctx);
	return rc;
}

void rc_identity_ctx_free(EVP_MD_CTX *ctx)
{
	EVP_MD_CTX_free(ctx);
}

int rc_identity_runner_id_ctx(EVP_MD_CTX **ctx, const char *hostname, const char *project_dir,
			      const char *executor_type, char out[RC_RUNNER_ID_BUF])
{
	out[0] = '\0';
	if (!hostname || !*hostname || !project_dir || !*project_dir || !executor_type || !*executor_type)
		return -1;

	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	EVP_MD *md = sha256();
	if (md && !*ctx)
		*ctx = EVP_MD_CTX_new();
	/* Init resets a used context; with the same digest it keeps its buffers. */
	int ok = md && *ctx && EVP_DigestInit_ex(*ctx, md, NULL) &&
		 hash_properties(*ctx, hostname, project_dir, executor_type) &&
		 EVP_DigestFinal_ex(*ctx, digest, &digest_len);
	if (!ok)
		return -1;

	memcpy(out, "lnch_", 5);
	for (int i = 0; i < 6; i++) {
		out[5 + 2 * i] = hex_digits[digest[i] >> 4];
		out[6 + 2 * i] = hex_digits[digest[i] & 0xf];
	}
	out[RC_RUNNER_ID_LEN] = '\0';
	return 0;
}

/* 1 + the value of a lower-case hex digit; 0 for every other byte (NUL too). */
static const uint8_t hex_value_plus_1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

uint64_t rc_identity_runner_key(const char *s)
{
	/* By hand and in one pass: this runs several times per runner request
	 * (strncmp and a strchr per digit showed in profiles). Every test stops
	 * at the first byte that does not fit, so a short string is never read
	 * past its end. */
	if (!s || s[0] != 'l' || s[1] != 'n' || s[2] != 'c' || s[3] != 'h' || s[4] != '_')
		return 0;
	uint64_t key = 0;
	for (int i = 5; i < RC_RUNNER_ID_LEN; i++) {
		unsigned digit_plus_1 = hex_value_plus_1[(unsigned char)s[i]];
		if (digit_plus_1 == 0)
			return 0;
		key = key << 4 | (digit_plus_1 - 1);
	}
	if (s[RC_RUNNER_ID_LEN] != '\0')
		return 0;
	return key | 1ULL << 48;
}

bool rc_identity_is_runner_id(const char *s)
{
	return rc_identity_runner_key(s) != 0;
}
