/*
 * state.h - runnerd's state directory: who this install is.
 *
 * Two files, each replaced atomically and durably (rc_file_replace):
 *   instance-token     32 lower-case hex digits from /dev/urandom, made on
 *                      the first start and never changed: it is what lets the
 *                      coordinator tell a restart of this install (same token,
 *                      a reconnection) from a clone (other token, 409).
 *   registration.json  {"runner_id", "session", "saved_at_ms"}: the last
 *                      registration the coordinator granted (diagnostics).
 * A lock file keeps two runnerds off one directory. Anything unreadable,
 * truncated or malformed is an error: a silently new token would be a new
 * identity, which is exactly what must never happen by accident.
 */
#ifndef RUNNERD_STATE_H
#define RUNNERD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rc_limits.h"

#define RUNNERD_TOKEN_HEX 32

struct runnerd_state {
	char dir[4096];
	int lock_fd;
	char instance_token[RUNNERD_TOKEN_HEX + 1];
	bool token_created; /* this start made the token (first start) */
	bool registered;    /* registration.json was present */
	char runner_id[RC_RUNNER_ID_BUF];
	uint64_t session;
	int64_t saved_at_ms;
	int temps_removed; /* temporary files of saves a killed runnerd left */
};

/* Open dir (creating it), lock it, remove the temporary files of saves an
 * earlier runnerd was killed in the middle of (counted in temps_removed), and
 * load or create the token and load the registration record. Returns 0, or -1 with err filled (locked by another
 * process, unreadable, corrupt or truncated file, token missing while a
 * registration exists). */
int runnerd_state_open(struct runnerd_state *st, const char *dir, char *err, size_t err_cap);
/* Record a registration granted by the coordinator. Returns 0, or -1 with err. */
int runnerd_state_save(struct runnerd_state *st, const char *runner_id, uint64_t session, int64_t now_ms, char *err,
		       size_t err_cap);
/* Release the lock. */
void runnerd_state_close(struct runnerd_state *st);

#endif
