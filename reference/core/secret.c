/*
 * secret.c - the shared runner secret: constant-time check and rotation grace.
 *
 * A check runs on every runner request, heartbeats included, so it must not
 * allocate and must be cheap. What it must not do is let the time say how
 * much of a guess was right: a presented secret of the stored length is
 * compared with CRYPTO_memcmp, which reads every byte whatever differs, so a
 * wrong first byte costs what a full match costs. Lengths are compared in
 * the open. That reveals the stored secret's length to a patient timer, and
 * nothing else; the length is not what protects a secret (32 random bytes
 * have 2^256 values whether or not their count is known). The earlier design
 * padded both sides to RC_MAX_SECRET_LEN + 1 bytes to hide the length too,
 * and spent a fifth of a simulated heartbeat's time comparing zeros.
 *
 * Why not compare SHA-256 digests: EVP_Digest allocates (three mallocs a call
 * with OpenSSL 3.0, measured), and a heartbeat must not allocate.
 */
#include "coord_internal.h"

#include <assert.h>
#include <openssl/crypto.h>
#include <string.h>

/* The length of s when it is a usable secret (1..RC_MAX_SECRET_LEN), else 0. */
static size_t secret_len(const char *s)
{
	if (!s)
		return 0;
	size_t len = strnlen(s, RC_MAX_SECRET_LEN + 1);
	return len > RC_MAX_SECRET_LEN ? 0 : len;
}

/* Zero when presented (len bytes) equals the stored secret. */
static int secret_diff(const char *stored, size_t stored_len, const char *presented, size_t len)
{
	if (stored_len == 0 || len != stored_len)
		return 1;
	return CRYPTO_memcmp(stored, presented, len);
}

int rc_secrets_init(struct rc_secrets *s, const char *secret)
{
	memset(s, 0, sizeof *s);
	size_t len = secret_len(secret);
	if (len == 0)
		return -1;
	memcpy(s->current, secret, len);
	s->current_len = len;
	return 0;
}

bool rc_secrets_check(const struct rc_secrets *s, const char *presented, int64_t now_ms)
{
	size_t len = secret_len(presented);
	if (len == 0)
		return false;
	/* Both comparisons always run, so the time does not say which matched. */
	int current_diff = secret_diff(s->current, s->current_len, presented, len);
	int previous_diff = secret_diff(s->previous, s->previous_len, presented, len);
	bool previous_valid = s->has_previous && now_ms < s->previous_until_ms;
	return current_diff == 0 || (previous_valid && previous_diff == 0);
}

void rc_secrets_wipe(struct rc_secrets *s)
{
	OPENSSL_cleanse(s, sizeof *s);
}

/* Only one secret is kept in grace: rotating twice within the grace period
 * ends the grace of the older one at once. */
int rc_coord_rotate_secret(struct rc_coord *c, int64_t now_ms, const char *new_secret)
{
	assert(now_ms >= c->now_ms);
	c->now_ms = now_ms;
	size_t len = secret_len(new_secret);
	if (len == 0)
		return -1;
	struct rc_secrets *s = &c->secrets;
	OPENSSL_cleanse(s->previous, sizeof s->previous);
	memcpy(s->previous, s->current, s->current_len);
	s->previous_len = s->current_len;
	OPENSSL_cleanse(s->current, sizeof s->current);
	memcpy(s->current, new_secret, len);
	s->current_len = len;
	s->has_previous = true;
	s->previous_until_ms = now_ms + c->cfg.secret_grace_ms;
	return 0;
}
