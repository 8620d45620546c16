/*
 * main.c - rollcall-coordd: the reference coordinator as a real HTTP daemon.
 *
 * A thin driver: it reads the clock, moves bytes between libmicrohttpd and
 * the core, persists the core's effects in SQLite and turns signals into
 * events. Every lifecycle decision is the core's (reference/core/coord.c).
 *
 * Threading: one thread. libmicrohttpd runs without a thread of its own inside
 * our poll() loop, together with the signal pipe, so the core (which is not
 * thread-safe, by design) is only ever called from here and needs no mutex;
 * requests and timer ticks are naturally serialised in arrival order. The
 * loop never sleeps longer than 25 ms, so a clock that jumps (libfaketime in
 * the tests, a stepped system clock in life) is acted on within ~25 ms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordd.h"
#include "protocol.h"
#include "rcd_args.h"
#include "rcd_clock.h"
#include "rcd_file.h"
#include "rcd_log.h"
#include "rcd_signal.h"

#define POLL_CAP_MS 25
#define DEFAULT_DATA_DIR "rollcall-data"
#define DEFAULT_DB DEFAULT_DATA_DIR "/coordd.db"

struct options {
	const char *listen;
	const char *secret_file;
	const char *db;
	enum rcd_log_format log_format;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rollcall-coordd --secret-file FILE [--listen 127.0.0.1:PORT] [--db FILE]\n"
		"                       [--log-format text|json]\n\n"
		"The reference rollcall coordinator over HTTP (see reference/PROTOCOL.md).\n"
		"  --listen ADDR       IPv4:PORT to serve on (default 127.0.0.1:8080); port 0 picks a\n"
		"                      free one. Prints \"listening on ADDR:PORT\" on stdout when ready.\n"
		"  --secret-file FILE  the shared runner secret: the whole file, less one final \\n or\n"
		"                      \\r\\n (a second line is refused). Never on the command line.\n"
		"                      A pipe (<(command)) must deliver it within 1 s. SIGHUP re-reads it\n"
		"                      and rotates (the old one stays valid 1 h); a file it cannot read\n"
		"                      keeps the current secret, with an error in the log.\n"
		"  --db FILE           SQLite database, a regular file (default " DEFAULT_DB ");\n"
		"                      every name is a file's, \":memory:\" and \"file:...\" too\n"
		"  --log-format FMT    text (default) or json, one line per request and state change\n"
		"  --version           print the build and exit\n"
		"Serves as many connections at once as its descriptor limit allows (raised to the hard\n"
		"limit; at most 10,000), one per runner: the log's start line says how many.\n"
		"SIGTERM or SIGINT stops it cleanly. Exit status: 0 stopped, 1 runtime failure, 2 bad usage\n"
		"or a database it must refuse (another program's, or damaged: named table, row, column).\n");
}

#define PROG "rollcall-coordd"

/* A listen address that cannot work is bad usage, found before any file is
 * touched. */
static int check_listen(const char *spec)
{
	char host[64], err[256];
	int port;
	if (rcd_parse_listen(spec, host, sizeof host, &port, err, sizeof err) != 0)
		return rcd_usage_error(PROG, "%s", err);
	return RCD_ARGS_OK;
}

/* Returns RCD_ARGS_OK, RCD_ARGS_HELP or RCD_ARGS_BAD (message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	const char *log_format = "text";
	memset(o, 0, sizeof *o);
	o->listen = "127.0.0.1:8080";
	const struct rcd_option opts[] = {
		{ "--secret-file", &o->secret_file }, /* required */
		{ "--listen", &o->listen },
		{ "--db", &o->db },
		{ "--log-format", &log_format },
	};
	int rc = rcd_parse_options(PROG, argc, argv, opts, sizeof opts / sizeof opts[0], usage);
	if (rc != RCD_ARGS_OK)
		return rc;
	const char *missing = rcd_missing_option(opts, 1);
	if (missing)
		return rcd_usage_error(PROG, "%s is required", missing);
	/* SQLite reads an empty name as a temporary database, gone at exit. */
	if (o->db && !o->db[0])
		return rcd_usage_error(PROG, "--db must name a file, not be empty");
	if (rcd_log_parse_format(log_format, &o->log_format) != 0)
		return rcd_usage_error(PROG, "--log-format must be text or json, not '%s'", log_format);
	return check_listen(o->listen);
}

/* Open the database, creating the default data directory when it is used. */
static struct rcd_store *open_store(const char *db, enum rcd_store_failure *why, char *err, size_t err_cap)
{
	if (!db) {
		if (rcd_ensure_dir(DEFAULT_DATA_DIR, err, err_cap) != 0)
			return NULL;
		db = DEFAULT_DB;
	}
	return rcd_store_open(db, why, err, err_cap);
}

/* Build the core from the database: restore every record, then give every
 * runner a full grace period (the core's rule) and persist that. */
static int restore(struct coordd *d, int64_t now_ms, char *err, size_t err_cap)
{
	long n = rcd_store_load(d->store, d->coord, err, err_cap);
	if (n < 0)
		return (int)n; /* an rcd_store_failure */
	rc_outbox_clear(&d->ob);
	rc_coord_restore_done(d->coord, now_ms, &d->ob);
	coordd_after_call(d);
	rcd_logf("info", "restored", "%ld records from the database", n);
	return 0;
}

static void reload_secret(struct coordd *d, int64_t now_ms)
{
	char fresh[RC_MAX_SECRET_LEN + 1], err[512];
	if (rcd_read_secret_file(d->secret_file, fresh, sizeof fresh, err, sizeof err) != 0) {
		/* An error, not a warning: the rotation asked for did not happen.
		 * A pipe that yields nothing lands here too (never waited on). */
		rcd_logf("error", "secret", "SIGHUP: %s; keeping the current secret", err);
	} else if (strcmp(fresh, d->secret) == 0) {
		rcd_logf("info", "secret", "SIGHUP: secret file unchanged");
	} else if (rc_coord_rotate_secret(d->coord, now_ms, fresh) != 0) {
		rcd_logf("warn", "secret", "SIGHUP: the coordinator refused the new secret");
	} else {
		memcpy(d->secret, fresh, sizeof fresh);
		rcd_logf("info", "secret", "SIGHUP: secret rotated; the previous one stays valid for %lld ms",
			 (long long)rc_coord_config(d->coord)->secret_grace_ms);
	}
	memset(fresh, 0, sizeof fresh);
}

/* The loop: returns when SIGTERM or SIGINT arrives. */
static void run(struct coordd *d, int signal_fd)
{
	for (;;) {
		int64_t now_ms = rcd_now_ms();
		coordd_tick_if_due(d, now_ms);
		struct rcd_pollset set;
		rcd_pollset_clear(&set);
		int signals = rcd_pollset_add(&set, signal_fd);
		int timeout_ms = rcd_wait_ms(now_ms, rc_coord_deadline(d->coord), POLL_CAP_MS);
		rcd_http_add_fds(d->http, &set, &timeout_ms);
		if (rcd_pollset_wait(&set, timeout_ms) < 0) {
			rcd_logf("error", "loop", "poll: %s", strerror(errno));
			return;
		}
		if (rcd_pollset_readable(&set, signals)) {
			int sig = rcd_signal_drain();
			if (sig & RCD_SIG_TERM)
				return;
			if (sig & RCD_SIG_HUP)
				reload_secret(d, rcd_now_ms());
		}
		rcd_http_run(d->http);
	}
}

static void teardown(struct coordd *d)
{
	rcd_http_stop(d->http);
	rcd_store_close(d->store);
	rc_coord_free(d->coord);
	rc_outbox_free(&d->ob);
	memset(d->secret, 0, sizeof d->secret);
	rcd_signal_teardown();
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_args(argc, argv, &o);
	if (rc != RCD_ARGS_OK)
		return rcd_args_exit_status(rc);
	rcd_log_init("coordd", o.log_format);

	struct coordd d;
	memset(&d, 0, sizeof d);
	rc_outbox_init(&d.ob);
	d.secret_file = o.secret_file;
	char err[512];
	if (rcd_read_secret_file(o.secret_file, d.secret, sizeof d.secret, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	int64_t now_ms = rcd_now_ms();
	d.coord = rc_coord_new(&cfg, d.secret, now_ms);
	int signal_fd = rcd_signal_setup(false);
	if (!d.coord || signal_fd < 0) {
		fprintf(stderr, PROG ": cannot initialise (out of memory or no pipe)\n");
		teardown(&d);
		return 1;
	}
	/* The port first: a coordd that cannot listen must not have created or
	 * changed its database. Nothing is served before run(). */
	unsigned max_connections = rcd_http_connection_capacity();
	d.http = rcd_http_start(o.listen, RC_MAX_BODY_BYTES, max_connections, coordd_handle_http, &d, err, sizeof err);
	if (!d.http) {
		fprintf(stderr, PROG ": %s\n", err);
		teardown(&d);
		return 1;
	}
	enum rcd_store_failure why = RCD_STORE_UNUSABLE;
	d.store = open_store(o.db, &why, err, sizeof err);
	if (d.store)
		why = (enum rcd_store_failure)restore(&d, now_ms, err, sizeof err);
	if (!d.store || why != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		teardown(&d);
		return why == RCD_STORE_REFUSED ? 2 : 1; /* a damaged or foreign file is bad input */
	}
	char host[64];
	int port;
	rcd_parse_listen(o.listen, host, sizeof host, &port, err, sizeof err);
	printf("listening on %s:%d\n", host, rcd_http_port(d.http));
	fflush(stdout);
	rcd_logf("info", "started", "listening on %s:%d, up to %u connections at once", host, rcd_http_port(d.http),
		 max_connections);

	run(&d, signal_fd);

	rcd_logf("info", "stopped", "clean shutdown");
	teardown(&d);
	return 0;
}
