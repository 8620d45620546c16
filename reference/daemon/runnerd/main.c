/*
 * main.c - rollcall-runnerd: the reference runner as a real process.
 *
 * A thin driver around rc_runner (reference/core/runner.c): it loads the
 * state directory, reads the clock, and runs one poll() loop over the
 * libcurl transfers, the optional /status server and the signal pipe. SIGTERM
 * asks the core to drain (it keeps heartbeating, stops the processes with
 * SIGTERM then SIGKILL per its supervisor, deregisters and says exit); SIGCHLD
 * reaps children. The loop wakes at least every 25 ms so a clock that jumps is
 * noticed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rcd_args.h"
#include "rcd_clock.h"
#include "rcd_file.h"
#include "rcd_log.h"
#include "rcd_signal.h"
#include "runnerd.h"
#include "tasklogs.h"
#include "utf8.h"

#define POLL_CAP_MS 25
#define STATUS_CONNECTIONS 64 /* /status is for people and monitors */
#define SECRET_ENV "ROLLCALL_RUNNER_SECRET"

struct options {
	const char *coordinator;
	const char *state_dir;
	const char *hostname;
	const char *project_dir;
	const char *executor_type;
	int max_concurrency;
	int keep_task_logs;
	const char *secret_file;
	const char *status_listen;
	enum rcd_log_format log_format;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rollcall-runnerd --coordinator URL --state-dir DIR --hostname H --project-dir D\n"
		"                        --executor-type E [--max-concurrency N] [--secret-file FILE]\n"
		"                        [--status-listen 127.0.0.1:PORT] [--log-format text|json]\n"
		"                        [--keep-task-logs N]\n\n"
		"The reference rollcall runner: registers with the coordinator, heartbeats, claims\n"
		"tasks of kind \"shell\" and runs each payload as `/bin/sh -c PAYLOAD` in its own\n"
		"process group (output in DIR/tasks/); what a task leaves running in that group\n"
		"when it exits is killed with SIGKILL.\n"
		"  --coordinator URL     http:// or https:// (a bare HOST:PORT is http://), no ?query or #fragment\n"
		"  --state-dir DIR       instance token and last registration (created if missing;\n"
		"                        a corrupt file, or one that is not a regular file, is an\n"
		"                        error, never a new identity)\n"
		"  --max-concurrency N   tasks at once, 1..64 (default 1)\n"
		"  --keep-task-logs N    keep the newest N logs (one per attempt) of finished tasks in\n"
		"                        DIR/tasks/, 0..%d (default %d); older ones are deleted when\n"
		"                        a task finishes and at start, never one of a task still held\n"
		"  --secret-file FILE    shared secret (a pipe must deliver it within 1 s); else the\n"
		"                        environment variable " SECRET_ENV "\n"
		"  --status-listen ADDR  serve GET /status there; port 0 picks one and prints\n"
		"                        \"status listening on ADDR:PORT\" on stdout\n"
		"  --version             print the build and exit\n"
		"SIGTERM/SIGINT drains: no new claims, heartbeats go on, processes get SIGTERM then\n"
		"SIGKILL after 5 s, then it deregisters and exits 0. Exit 1: refused or superseded by\n"
		"the coordinator, or a runtime failure. Exit 2: bad usage or a bad state directory.\n",
		RUNNERD_KEEP_TASK_LOGS_MAX, RUNNERD_KEEP_TASK_LOGS_DEFAULT);
}

#define PROG "rollcall-runnerd"

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The registration's properties (opts[2..4]) go into a JSON body, which
 * cannot hold text that is not UTF-8: refused here, or runnerd would retry a
 * request it can never encode. The name of the first such option, or NULL. */
static const char *non_utf8_property(const struct rcd_option *opts)
{
	for (size_t k = 2; k <= 4; k++)
		if (!rc_utf8_valid(*opts[k].value, strlen(*opts[k].value)))
			return opts[k].name;
	return NULL;
}

/* Returns RCD_ARGS_OK, RCD_ARGS_HELP or RCD_ARGS_BAD (message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	const char *log_format = "text", *max_concurrency = "1", *keep_task_logs = NULL;
	memset(o, 0, sizeof *o);
	const struct rcd_option opts[] = {
		/* required first */
		{ "--coordinator", &o->coordinator },
		{ "--state-dir", &o->state_dir },
		{ "--hostname", &o->hostname },
		{ "--project-dir", &o->project_dir },
		{ "--executor-type", &o->executor_type },
		/* optional */
		{ "--max-concurrency", &max_concurrency },
		{ "--secret-file", &o->secret_file },
		{ "--status-listen", &o->status_listen },
		{ "--log-format", &log_format },
		{ "--keep-task-logs", &keep_task_logs },
	};
	int rc = rcd_parse_options(PROG, argc, argv, opts, sizeof opts / sizeof opts[0], usage);
	if (rc != RCD_ARGS_OK)
		return rc;
	const char *missing = rcd_missing_option(opts, 5);
	if (missing)
		return rcd_usage_error(PROG, "%s is required and must not be empty", missing);
	char err[512];
	if (runnerd_client_check_url(o->coordinator, err, sizeof err) != 0)
		return rcd_usage_error(PROG, "--coordinator: %s", err);
	const char *not_utf8 = non_utf8_property(opts);
	if (not_utf8)
		return rcd_usage_error(PROG, "%s is not valid UTF-8", not_utf8);
	if (parse_int(max_concurrency, 1, RC_MAX_CONCURRENCY, &o->max_concurrency) != 0)
		return rcd_usage_error(PROG, "--max-concurrency must be 1..%d, not '%s'", RC_MAX_CONCURRENCY,
				       max_concurrency);
	o->keep_task_logs = RUNNERD_KEEP_TASK_LOGS_DEFAULT;
	if (keep_task_logs && parse_int(keep_task_logs, 0, RUNNERD_KEEP_TASK_LOGS_MAX, &o->keep_task_logs) != 0)
		return rcd_usage_error(PROG, "--keep-task-logs must be 0..%d, not '%s'", RUNNERD_KEEP_TASK_LOGS_MAX,
				       keep_task_logs);
	if (rcd_log_parse_format(log_format, &o->log_format) != 0)
		return rcd_usage_error(PROG, "--log-format must be text or json, not '%s'", log_format);
	char host[64];
	int port;
	if (o->status_listen && rcd_parse_listen(o->status_listen, host, sizeof host, &port, err, sizeof err) != 0)
		return rcd_usage_error(PROG, "--status-listen: %s", err);
	return RCD_ARGS_OK;
}

/* The secret from --secret-file, else from the environment (which is then
 * removed, so task processes never inherit it). Returns 0 or -1 (printed). */
static int load_secret(const struct options *o, char *out, size_t cap)
{
	char err[512];
	if (o->secret_file) {
		if (rcd_read_secret_file(o->secret_file, out, cap, err, sizeof err) == 0)
			return 0;
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	const char *env = getenv(SECRET_ENV);
	if (!env || !*env) {
		fprintf(stderr, PROG ": no secret: give --secret-file or set %s\n", SECRET_ENV);
		return -1;
	}
	/* The file's rules: a line break would be sent as a second header. */
	if (rcd_check_secret(env, strlen(env), cap, "in " SECRET_ENV, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	snprintf(out, cap, "%s", env);
	unsetenv(SECRET_ENV);
	return 0;
}

static uint64_t random_seed(void)
{
	uint64_t seed = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, &seed, sizeof seed);
		(void)n;
		close(fd);
	}
	return seed ? seed : (uint64_t)rcd_now_ms() ^ ((uint64_t)getpid() << 32);
}

static void handle_signals(struct runnerd *d)
{
	int sig = rcd_signal_drain();
	if (sig & RCD_SIG_CHLD)
		runnerd_procs_reap(&d->procs, runnerd_on_proc_exit, d);
	if ((sig & RCD_SIG_TERM) && !d->exiting) {
		if (d->drain_requested) {
			rcd_logf("info", "signal", "already draining");
		} else {
			d->drain_requested = true;
			rcd_logf("info", "signal", "SIGTERM: draining (no new claims, heartbeats go on)");
			rc_runner_drain(d->runner, rcd_now_ms(), &d->ob);
			runnerd_apply_effects(d);
		}
	}
}

static void run(struct runnerd *d, int signal_fd)
{
	for (;;) {
		int64_t now_ms = rcd_now_ms();
		if (!d->exiting && now_ms >= rc_runner_deadline(d->runner)) {
			rc_runner_tick(d->runner, now_ms, &d->ob);
			runnerd_apply_effects(d);
		}
		runnerd_deliver_deferred(d);
		if (d->exiting && (runnerd_client_in_flight(d->client) == 0 || now_ms >= d->exit_by_ms))
			return;
		struct rcd_pollset set;
		rcd_pollset_clear(&set);
		int signals = rcd_pollset_add(&set, signal_fd);
		int timeout_ms = d->exiting ? POLL_CAP_MS : rcd_wait_ms(now_ms, rc_runner_deadline(d->runner), POLL_CAP_MS);
		if (d->n_deferred > 0)
			timeout_ms = 0;
		if (d->status_http)
			rcd_http_add_fds(d->status_http, &set, &timeout_ms);
		char err[256];
		if (runnerd_client_wait(d->client, &set, timeout_ms, err, sizeof err) < 0) {
			rcd_logf("error", "loop", "poll: %s", err);
			d->exit_code = 1;
			return;
		}
		if (rcd_pollset_readable(&set, signals))
			handle_signals(d);
		runnerd_client_run(d->client, runnerd_on_transfer, d);
		if (d->status_http)
			rcd_http_run(d->status_http);
	}
}

static int start_status_server(struct runnerd *d, const char *spec)
{
	char err[512], host[64];
	int port;
	d->status_http = rcd_http_start(spec, 1024, STATUS_CONNECTIONS, runnerd_handle_status, d, err, sizeof err);
	if (!d->status_http) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	rcd_parse_listen(spec, host, sizeof host, &port, err, sizeof err);
	printf("status listening on %s:%d\n", host, rcd_http_port(d->status_http));
	fflush(stdout);
	return 0;
}

static void teardown(struct runnerd *d)
{
	int killed = runnerd_procs_kill_all(&d->procs);
	if (killed)
		rcd_logf("warn", "exit", "killed %d task process group(s) still running at exit", killed);
	runnerd_procs_free(&d->procs);
	rcd_http_stop(d->status_http);
	runnerd_client_free(d->client);
	free(d->coordinator_shown);
	rc_runner_free(d->runner);
	runnerd_free_tasks(d);
	rc_outbox_free(&d->ob);
	runnerd_state_close(&d->state);
	memset(d->secret, 0, sizeof d->secret);
	rcd_signal_teardown();
}

/* What the state directory held, logged as soon as it is open (before the
 * status server announces its port, which tests take for "started"). */
static void log_state(const struct runnerd_state *st)
{
	if (st->registered)
		rcd_logf("info", "state", "state dir %s: last registered as %s session %llu", st->dir, st->runner_id,
			 (unsigned long long)st->session);
	else
		rcd_logf("info", "state", "state dir %s: %s", st->dir,
			 st->token_created ? "new install, instance token created" : "never registered yet");
	if (st->temps_removed)
		rcd_logf("info", "state", "removed %d temporary file(s) of saves an earlier runnerd did not finish",
			 st->temps_removed);
}

/* Everything before the loop. Returns 0, or the exit status (printed). */
static int setup(struct runnerd *d, const struct options *o)
{
	char err[4400], tasks_dir[4200];
	if (load_secret(o, d->secret, sizeof d->secret) != 0)
		return 2;
	if (runnerd_state_open(&d->state, o->state_dir, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	log_state(&d->state);
	snprintf(tasks_dir, sizeof tasks_dir, "%s/tasks", d->state.dir);
	if (runnerd_procs_init(&d->procs, tasks_dir, err, sizeof err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	d->keep_task_logs = o->keep_task_logs;
	runnerd_prune_logs(d); /* what an earlier run (or an older runnerd) left */
	rc_runner_config_init(&d->cfg, o->hostname, o->project_dir, o->executor_type, d->state.instance_token,
			      d->secret, o->max_concurrency);
	d->runner = rc_runner_new(&d->cfg, random_seed());
	d->client = runnerd_client_new(o->coordinator, d->cfg.request_timeout_ms);
	d->coordinator_shown = runnerd_client_shown_url(o->coordinator);
	if (!d->runner || !d->client || !d->coordinator_shown) {
		fprintf(stderr, PROG ": cannot initialise the runner or the HTTP client\n");
		return 1;
	}
	if (o->status_listen && start_status_server(d, o->status_listen) != 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_args(argc, argv, &o);
	if (rc != RCD_ARGS_OK)
		return rcd_args_exit_status(rc);
	rcd_log_init("runnerd", o.log_format);

	struct runnerd d;
	memset(&d, 0, sizeof d);
	d.state.lock_fd = -1;
	rc_outbox_init(&d.ob);
	int signal_fd = rcd_signal_setup(true);
	if (signal_fd < 0) {
		fprintf(stderr, PROG ": cannot set up signal handling: %s\n", strerror(errno));
		return 1;
	}
	rc = setup(&d, &o);
	if (rc) {
		teardown(&d);
		return rc;
	}
	d.started_at_ms = rcd_now_ms();
	rc_runner_start(d.runner, d.started_at_ms, &d.ob);
	runnerd_apply_effects(&d);

	run(&d, signal_fd);

	int exit_code = d.exit_code;
	teardown(&d);
	rcd_logf("info", "stopped", "exit status %d", exit_code);
	return exit_code;
}
