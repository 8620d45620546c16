/*
 * conf_target.h - the coordinator under test: how conform reaches it, starts
 * and stops it, and moves its clock.
 *
 * Three ways to meet a target:
 * - launched (--launch CMD): conform starts the command itself under
 *   libfaketime (LD_PRELOAD, FAKETIME_TIMESTAMP_FILE pointing at a fresh
 *   clock file, FAKETIME_NO_CACHE=1, no FAKETIME variable, TZ=UTC), in a
 *   scratch folder with a fresh database and secret file, finds its port and
 *   waits until GET /health answers. It can then crash, stop and restart it.
 * - running, with its clock file (--clock-file FILE): conform writes FILE.
 * - running, clock not reachable: conform only runs scenarios that need no
 *   clock movement.
 *
 * The clock file always holds an absolute time ("2026-01-10 00:02:30.000"),
 * which libfaketime reads as a frozen clock: the target sees exactly the
 * instants conform writes, and nothing moves between them. Writes are atomic
 * (a temporary file renamed over the old one).
 */
#ifndef CONF_TARGET_H
#define CONF_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conf_target_mode { CONF_TARGET_LAUNCHED, CONF_TARGET_CLOCK_FILE, CONF_TARGET_NO_CLOCK };

struct conf_target_options {
	const char *url;          /* running targets */
	const char *launch;       /* the command, split on spaces ('quotes' keep them) */
	const char *clock_file;   /* running target's clock file */
	const char *faketime_lib; /* the libfaketime to preload */
	const char *work_dir;     /* where scratch folders go */
	int64_t launch_timeout_ms;
	bool keep;                /* keep scratch folders */
};

struct conf_target;

/* Check the options (files exist, the clock file holds an absolute time) and
 * prepare. Nothing is started. Returns NULL with err filled on bad input. */
struct conf_target *conf_target_new(const struct conf_target_options *o, char *err, size_t err_cap);
/* Stop anything running, remove scratch folders (unless keep). */
void conf_target_free(struct conf_target *t);

enum conf_target_mode conf_target_mode(const struct conf_target *t);
/* The base URL requests go to ("http://127.0.0.1:PORT"); NULL while a
 * launched target has never been up. */
const char *conf_target_url(const struct conf_target *t);

/* The target's clock now, ms since the epoch (what the clock file says). */
int64_t conf_target_clock(const struct conf_target *t);
/* Set the target's clock to clock_ms (never backwards; a no-op in the
 * no-clock mode and when unchanged). Returns 0, or -1 with err filled. */
int conf_target_set_clock(struct conf_target *t, int64_t clock_ms, char *err, size_t err_cap);

/* Launched targets: a fresh scratch folder (database, secret file holding
 * secret, logs) for the next start. name labels the folder. Returns 0 or -1. */
int conf_target_fresh(struct conf_target *t, const char *name, const char *secret, char *err, size_t err_cap);
/* Asked while a launched target starts: 1 when the target at url is ready
 * (its health check answered 200), 0 not yet (nothing answers), -1 never
 * (it answered something else; why, why_cap bytes, says what as a predicate
 * of "the target": "answered its health check with 404 ..."). */
typedef int (*conf_ready_fn)(void *ctx, const char *url, char *why, size_t why_cap);
/* Start the launched target with its clock at clock_ms (same folder and
 * database as before: a restart). Waits, at most the launch timeout, for its
 * port and for ready() to say so. Returns 0, or -1 with err filled (it
 * exited, never said where it listens, never became ready). */
int conf_target_start(struct conf_target *t, int64_t clock_ms, conf_ready_fn ready, void *ctx, char *err,
		      size_t err_cap);
/* SIGKILL the launched target's process group and reap it. */
void conf_target_crash(struct conf_target *t);
/* SIGTERM, wait up to 3 s, then SIGKILL. */
void conf_target_stop(struct conf_target *t);
/* Whether the launched target's process is running. When it exited by
 * itself, why says how ("exited with status 1", "killed by signal 11"). */
bool conf_target_running(struct conf_target *t, char *why, size_t why_cap);
/* The last lines of the launched target's stderr, into buf ("" if none). */
void conf_target_log_tail(const struct conf_target *t, char *buf, size_t n);
/* Launched targets: rewrite the secret file with secret and, if the target
 * runs, send it SIGHUP (rollcall-coordd then rotates: the old secret stays
 * valid for its grace period) and call applied(ctx) until it says the target
 * took the new secret (1), failed (-1, err left "": applied said why), or the
 * launch timeout passed. A stopped target reads the new file when it starts.
 * Returns 0, or -1 with err filled. */
typedef int (*conf_applied_fn)(void *ctx);
int conf_target_rotate_secret(struct conf_target *t, const char *secret, conf_applied_fn applied, void *ctx, char *err,
			      size_t err_cap);
/* The secret a launched target holds (its secret file), "" before fresh. */
const char *conf_target_secret(const struct conf_target *t);

/* Parse an absolute time "YYYY-MM-DD HH:MM:SS[.mmm]" (read as UTC) into ms
 * since the epoch. Returns 0, or -1 when malformed. */
int conf_parse_clock(const char *text, int64_t *out_ms);
/* Format ms since the epoch as "YYYY-MM-DD HH:MM:SS.mmm" (UTC) into buf. */
void conf_format_clock(int64_t ms, char *buf, size_t n);

#endif
