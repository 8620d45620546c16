/*
 * identity.c - runner ID derivation (see identity.h for the rule).
 *
 * The hash input is built incrementally so no property is copied or
 * truncated: a 4 KiB project_dir hashes exactly like a short one would.
 */
#include "identity.h"

#include <openssl/evp.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

int rc_identity_runner_id(const char *hostname, const char *project_dir, const char *executor_type,
			  char out[RC_RUNNER_ID_BUF])
{
	out[0] = '\0';
	if (!hostname || !*hostname || !project_dir || !*project_dir || !executor_type || !*executor_type)
		return -1;

	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, hostname, strlen(hostname)) && EVP_DigestUpdate(ctx, ":", 1) &&
		 EVP_DigestUpdate(ctx, project_dir, strlen(project_dir)) && EVP_DigestUpdate(ctx, ":", 1) &&
		 EVP_DigestUpdate(ctx, executor_type, strlen(executor_type)) &&
		 EVP_DigestFinal_ex(ctx, digest, &digest_len);
	EVP_MD_CTX_free(ctx);
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

bool rc_identity_is_runner_id(const char *s)
{
	if (!s || strncmp(s, "lnch_", 5) != 0 || strlen(s) != RC_RUNNER_ID_LEN)
		return false;
	for (int i = 5; i < RC_RUNNER_ID_LEN; i++)
		if (!strchr(hex_digits, s[i]))
			return false;
	return true;
}
