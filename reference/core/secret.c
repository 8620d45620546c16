/*
 * secret.c - the shared runner secret: constant-time check and rotation grace.
 *
 * Why not compare SHA-256 digests: EVP_Digest allocates (three mallocs a call
 * with OpenSSL 3.0, measured), and a heartbeat must not allocate. Instead the
 * stored secrets sit NUL-padded in fixed RC_MAX_SECRET_LEN + 1 byte buffers;
 * a presented secret is padded the same way on the stack and the full buffers
 * are compared with CRYPTO_memcmp. The work is then the same whatever the
 * stored secret's length or content, and neither string can contain a NUL, so
 * equal buffers mean equal strings. A presented secret longer than the limit
 * is refused without comparing (its length is the sender's own knowledge).
 */
#include "coord_internal.h"

#include <assert.h>
#include <openssl/crypto.h>
#include <string.h>

/* Pad s into buf; false if s is NULL, empty or too long. */
static bool pad_secret(char buf[RC_MAX_SECRET_LEN + 1], const char *s)
{
	memset(buf, 0, RC_MAX_SECRET_LEN + 1);
	if (!s)
		return false;
	size_t len = strnlen(s, RC_MAX_SECRET_LEN + 1);
	if (len == 0 || len > RC_MAX_SECRET_LEN)
		return false;
	memcpy(buf, s, len);
	return true;
}

int rc_secrets_init(struct rc_secrets *s, const char *secret)
{
	memset(s, 0, sizeof *s);
	return pad_secret(s->current, secret) ? 0 : -1;
}

bool rc_secrets_check(const struct rc_secrets *s, const char *presented, int64_t now_ms)
{
	char padded[RC_MAX_SECRET_LEN + 1];
	if (!pad_secret(padded, presented))
		return false;
	/* Both comparisons always run, so the time does not say which matched. */
	int current_diff = CRYPTO_memcmp(padded, s->current, sizeof padded);
	int previous_diff = CRYPTO_memcmp(padded, s->previous, sizeof padded);
	OPENSSL_cleanse(padded, sizeof padded);
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
	char padded[RC_MAX_SECRET_LEN + 1];
	if (!pad_secret(padded, new_secret))
		return -1;
	memcpy(c->secrets.previous, c->secrets.current, sizeof padded);
	memcpy(c->secrets.current, padded, sizeof padded);
	OPENSSL_cleanse(padded, sizeof padded);
	c->secrets.has_previous = true;
	c->secrets.previous_until_ms = now_ms + c->cfg.secret_grace_ms;
	return 0;
}
