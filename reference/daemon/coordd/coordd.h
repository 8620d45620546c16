/*
 * coordd.h - the state of one rollcall-coordd process.
 *
 * The daemon is one thread: the poll loop (main.c) alternates between the
 * HTTP server (server.c), the core's timers and signals. Every path that calls
 * the core goes through coordd_after_call(), which persists the call's effects
 * and logs them, so "commit before reply" holds for requests and ticks alike.
 */
#ifndef RCD_COORDD_H
#define RCD_COORDD_H

#include <stdbool.h>

#include "coord.h"
#include "rc_limits.h"
#include "outbox.h"
#include "rcd_http.h"
#include "store.h"

struct coordd {
	struct rc_coord *coord;
	struct rcd_store *store;
	struct rcd_http_server *http;
	struct rc_outbox ob;      /* reused for every core call */
	const char *secret_file;
	char secret[RC_MAX_SECRET_LEN + 1]; /* the current one, to notice a rotation on SIGHUP */
};

/* The HTTP handler (server.c): decode, tick if due, handle, persist, encode. */
void coordd_handle_http(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp);

/* Run the core's periodic work if due at now_ms (persisting its effects). */
void coordd_tick_if_due(struct coordd *d, int64_t now_ms);

/* Persist and log the effects in d->ob of the core call just made. A storage
 * failure is fatal: the core is then ahead of the disk, so the process exits
 * (status 1) before acknowledging anything, and a restart reloads the last
 * committed state. */
void coordd_after_call(struct coordd *d);

#endif
