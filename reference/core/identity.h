/*
 * identity.h - deterministic runner IDs.
 *
 * runner_id = "lnch_" + first 12 hex digits of SHA-256(hostname ":" project_dir
 * ":" executor_type), bytes as given, no normalisation. The same three
 * properties give the same ID on every machine, across restarts and runs, so a
 * restarted runner is recognised as the same one.
 */
#ifndef RC_IDENTITY_H
#define RC_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "rc_limits.h"

/* Write the ID of the three properties into out (RC_RUNNER_ID_BUF bytes,
 * NUL-terminated). Returns 0, or -1 if any property is NULL or empty (out is
 * then set to ""). */
int rc_identity_runner_id(const char *hostname, const char *project_dir, const char *executor_type,
			  char out[RC_RUNNER_ID_BUF]);

/* The same, hashing with *ctx: an OpenSSL digest context made on first use
 * and kept for the next call (a caller deriving many IDs skips OpenSSL's
 * per-digest setup and teardown). Free it with rc_identity_ctx_free. */
struct evp_md_ctx_st;
int rc_identity_runner_id_ctx(struct evp_md_ctx_st **ctx, const char *hostname, const char *project_dir,
			      const char *executor_type, char out[RC_RUNNER_ID_BUF]);
void rc_identity_ctx_free(struct evp_md_ctx_st *ctx);

/* Whether s has the shape of a runner ID ("lnch_" + 12 lower-case hex). */
bool rc_identity_is_runner_id(const char *s);
/* The number an ID's 12 hex digits spell, with bit 48 set so that it is never
 * 0; 0 when s is not a runner ID. Equal keys mean equal IDs, so tables can
 * hash and compare the key instead of the string. */
uint64_t rc_identity_runner_key(const char *s);

#endif
