/*
 * dialect_adapter.c - a test fixture: an HTTP front that speaks the
 * "fleet-v2" dialect (fixtures/profiles/fleet-v2.json) and forwards every
 * request to a rollcall-coordd it starts behind itself.
 *
 *   dialect-adapter --listen 127.0.0.1:0 -- rollcall-coordd --listen 127.0.0.1:0 ...
 *
 * It exists so that `rollcall conform --profile fleet-v2.json` has a target
 * that really speaks another dialect, without a second implementation of
 * the lifecycle: every decision is still coordd's, this only renames paths,
 * fields, status words, codes and headers. Its table is written by hand,
 * independently of conform's profile code (conform/conf_profile.c), so the
 * two check each other. Prints "listening on 127.0.0.1:PORT" when ready;
 * SIGTERM stops it and the coordinator behind it; SIGHUP is passed on.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf_http.h"
#include "rcd_http.h"
#include "rcd_log.h"
#include "rcd_signal.h"

#define MAX_BODY (64 * 1024)

/* How a refusal's status code reads in the dialect. */
enum codes { CODES_SAME = 0, CODES_REGISTER, CODES_RUNNER, CODES_TASK_REPORT };
enum words { WORDS_NONE = 0, WORDS_RUNNER, WORDS_TASK, WORDS_SANDBOX };

/* A pair of names: the dialect's, then coordd's. Lists end with NULLs. */
typedef const char *const name_pair[2];
typedef name_pair names[];

static names register_names = { { "host", "hostname" }, { "project", "project_dir" }, { "executor", "executor_type" },
				{ "install_token", "instance_token" }, { "slots", "max_concurrency" },
				{ "id", "runner_id" }, { "heartbeat_every_s", "heartbeat_interval_s" }, { NULL, NULL } };
static names claim_names = { { "limit", "max" }, { "jobs", "tasks" }, { "job_id", "task_id" }, { "try", "attempt" },
			     { NULL, NULL } };
static names list_names = { { "items", "runners" }, { "id", "runner_id" }, { "health", "status" },
			    { "host", "hostname" }, { "project", "project_dir" }, { "executor", "executor_type" },
			    { NULL, NULL } };
static names job_names = { { "job_id", "task_id" }, { "phase", "state" }, { "try", "attempt" },
			   { "worker", "runner_id" }, { NULL, NULL } };
static names progress_names = { { "worker", "runner_id" }, { "try", "attempt" }, { "note", "message" },
				{ "ok", "success" }, { "output", "result" }, { NULL, NULL } };
static names sandbox_names = { { "job_id", "task_id" }, { "sandbox", "sandbox_id" }, { "state", "status" },
			       { "worker", "runner_id" }, { "container", "container_id" }, { NULL, NULL } };
static names report_names = { { "state", "status" }, { "container", "containerId" }, { NULL, NULL } };
static names no_names = { { NULL, NULL } };
static names error_names = { { "code", "error" }, { "detail", "message" }, { NULL, NULL } };

struct route {
	const char *method, *path;     /* the dialect's; "{id}" matches one segment */
	const char *to_method, *to_path; /* coordd's */
	const char *id_in_body;        /* the dialect body key that holds {id}, or NULL */
	const name_pair *in, *out;     /* renames of request and reply bodies */
	enum words words;
	enum codes codes;
};

static const struct route routes[] = {
	{ "POST", "/runner/register", "POST", "/runners/register", NULL, register_names, register_names, WORDS_NONE,
	  CODES_REGISTER },
	{ "POST", "/runner/heartbeat", "POST", "/runners/{id}/heartbeat", "id", no_names, no_names, WORDS_NONE,
	  CODES_RUNNER },
	{ "POST", "/runner/leave", "DELETE", "/runners/{id}", "id", no_names, no_names, WORDS_NONE, CODES_RUNNER },
	{ "POST", "/runner/claim", "POST", "/runners/{id}/claim", "id", claim_names, claim_names, WORDS_NONE,
	  CODES_RUNNER },
	{ "GET", "/runner/list", "GET", "/runners", NULL, no_names, list_names, WORDS_RUNNER, CODES_SAME },
	{ "POST", "/jobs", "POST", "/tasks", NULL, job_names, job_names, WORDS_TASK, CODES_SAME },
	{ "GET", "/jobs/{id}", "GET", "/tasks/{id}", NULL, no_names, job_names, WORDS_TASK, CODES_SAME },
	{ "POST", "/jobs/{id}/progress", "POST", "/tasks/{id}/status", NULL, progress_names, no_names, WORDS_NONE,
	  CODES_TASK_REPORT },
	{ "POST", "/jobs/{id}/finish", "POST", "/tasks/{id}/complete", NULL, progress_names, no_names, WORDS_NONE,
	  CODES_TASK_REPORT },
	{ "POST", "/v2/sandboxes", "POST", "/api/v1/sandboxes", NULL, sandbox_names, sandbox_names, WORDS_SANDBOX,
	  CODES_SAME },
	{ "GET", "/v2/sandboxes/{id}", "GET", "/api/v1/sandboxes/{id}", NULL, no_names, sandbox_names, WORDS_SANDBOX,
	  CODES_SAME },
	{ "DELETE", "/v2/sandboxes/{id}", "DELETE", "/api/v1/sandboxes/{id}", NULL, no_names, sandbox_names,
	  WORDS_SANDBOX, CODES_SAME },
	{ "PUT", "/v2/sandboxes/{id}/state", "POST", "/api/v1/sandboxes/{id}/runner-status", NULL, report_names,
	  sandbox_names, WORDS_SANDBOX, CODES_SAME },
	{ "GET", "/healthz", "GET", "/health", NULL, no_names, no_names, WORDS_NONE, CODES_SAME },
};

struct adapter {
	struct conf_http *http;
	char upstream[128];
};

/* --- words and names -------------------------------------------------------------------------- */

static const char *word_key(enum words w)
{
	return w == WORDS_TASK ? "state" : w == WORDS_NONE ? NULL : "status";
}

/* coordd's word for one of the dialect's, or the other way round. */
static const char *translate_word(enum words w, const char *word, bool to_dialect)
{
	static names runner = { { "healthy", "online" }, { "unhealthy", "stale" }, { NULL, NULL } };
	static names task = { { "pending", "queued" }, { "active", "running" }, { "done", "completed" },
			      { "error", "failed" }, { NULL, NULL } };
	static char upper[32];
	if (w == WORDS_SANDBOX) { /* the dialect shouts */
		size_t i = 0;
		for (; word[i] && i + 1 < sizeof upper; i++)
			upper[i] = (char)(to_dialect ? (word[i] >= 'a' && word[i] <= 'z' ? word[i] - 32 : word[i])
						     : (word[i] >= 'A' && word[i] <= 'Z' ? word[i] + 32 : word[i]));
		upper[i] = '\0';
		return upper;
	}
	const name_pair *table = w == WORDS_RUNNER ? runner : task;
	for (int i = 0; table[i][0]; i++)
		if (strcmp(table[i][to_dialect ? 1 : 0], word) == 0)
			return table[i][to_dialect ? 0 : 1];
	return word;
}

static const char *rename_key(const name_pair *list, const char *key, bool to_dialect)
{
	for (int i = 0; list[i][0]; i++)
		if (strcmp(list[i][to_dialect ? 1 : 0], key) == 0)
			return list[i][to_dialect ? 0 : 1];
	for (int i = 0; error_names[i][0]; i++)
		if (strcmp(error_names[i][to_dialect ? 1 : 0], key) == 0)
			return error_names[i][to_dialect ? 0 : 1];
	return key;
}

/* A copy of v with its keys renamed and its status words translated. */
static json_t *convert(json_t *v, const name_pair *list, enum words w, bool to_dialect)
{
	if (json_is_array(v)) {
		json_t *a = json_array();
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append_new(a, convert(json_array_get(v, i), list, w, to_dialect));
		return a;
	}
	if (!json_is_object(v))
		return json_incref(v);
	json_t *o = json_object();
	const char *key;
	json_t *item;
	const char *wkey = word_key(w);
	json_object_foreach(v, key, item) {
		const char *to = rename_key(list, key, to_dialect);
		bool is_word = wkey && json_is_string(item) && strcmp(to_dialect ? key : to, wkey) == 0;
		json_object_set_new(o, to,
				    is_word ? json_string(translate_word(w, json_string_value(item), to_dialect))
					    : convert(item, list, w, to_dialect));
	}
	return o;
}

static int dialect_status(enum codes c, int status)
{
	switch (c) {
	case CODES_REGISTER: return status == 401 ? 403 : status;
	case CODES_RUNNER: return status == 404 ? 401 : status == 401 ? 403 : status;
	case CODES_TASK_REPORT: return status == 403 ? 409 : status;
	default: return status;
	}
}

/* --- routing ------------------------------------------------------------------------------------ */

/* Match path against pattern; the {id} segment is copied into id. */
static bool match(const char *pattern, const char *path, char *id, size_t cap)
{
	while (*pattern && *path) {
		if (strncmp(pattern, "{id}", 4) == 0) {
			size_t n = strcspn(path, "/");
			if (n == 0 || n >= cap)
				return false;
			memcpy(id, path, n);
			id[n] = '\0';
			pattern += 4;
			path += n;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return !*pattern && !*path;
}

static char *reply_body(const char *code, const char *detail)
{
	json_t *o = json_pack("{s:s, s:s}", "code", code, "detail", detail);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* The request coordd gets, or -1 with resp filled (a refusal of our own). */
static int to_coordd(const struct route *rt, const struct rcd_http_request *req, const char *path_id,
		     struct conf_wire_request *w, struct rcd_http_response *resp)
{
	memset(w, 0, sizeof *w);
	w->method = rt->to_method;
	json_t *body = req->body_len ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	char id[128] = "";
	snprintf(id, sizeof id, "%s", path_id);
	if (rt->id_in_body) {
		const char *v = json_string_value(json_object_get(body, rt->id_in_body));
		if (!v) {
			json_decref(body);
			resp->status = 422;
			resp->body = reply_body("missing_fields", "id is required");
			return -1;
		}
		snprintf(id, sizeof id, "%s", v);
		json_object_del(body, rt->id_in_body);
	}
	const char *at = strstr(rt->to_path, "{id}");
	if (at)
		snprintf(w->path, sizeof w->path, "%.*s%s%s", (int)(at - rt->to_path), rt->to_path, id, at + 4);
	else
		snprintf(w->path, sizeof w->path, "%s", rt->to_path);
	if (body) {
		json_t *theirs = convert(body, rt->in, rt->words, false);
		if (strcmp(rt->to_method, "DELETE") != 0)
			w->body = json_dumps(theirs, JSON_COMPACT);
		json_decref(theirs);
		json_decref(body);
	} else if (req->body_len) { /* not JSON: coordd says what is wrong with it */
		w->body = strndup(req->body, req->body_len);
	}
	static const char *const headers[][2] = { { "X-Fleet-Token", "X-Runner-Secret" },
						  { "X-Worker-Id", "X-Runner-Id" } };
	/* A repeated header goes on twice, so coordd refuses it as it would
	 * without the adapter in between. */
	for (size_t i = 0; i < 2; i++) {
		bool repeated;
		const char *v = rcd_http_header(req, headers[i][0], &repeated);
		for (int copy = 0; v && copy < 1 + repeated; copy++) {
			w->headers[w->n_headers].name = headers[i][1];
			snprintf(w->headers[w->n_headers].value, sizeof w->headers[w->n_headers].value, "%s", v);
			w->n_headers++;
		}
	}
	return 0;
}

static void handle(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp)
{
	struct adapter *a = cls;
	char id[128];
	const struct route *rt = NULL;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !rt; i++)
		if (strcmp(routes[i].method, req->method) == 0 && match(routes[i].path, req->path, id, sizeof id))
			rt = &routes[i];
	resp->log_op = "forward";
	if (!rt) {
		resp->status = 404;
		resp->body = reply_body("not_found", "no such route in fleet-v2");
		return;
	}
	struct conf_wire_request w;
	if (to_coordd(rt, req, id, &w, resp) != 0)
		return;
	struct conf_exchange ex = { 0 };
	if (conf_http_send(a->http, a->upstream, &w, &ex) != 0) {
		resp->status = 502;
		resp->body = reply_body("upstream", ex.error);
	} else {
		resp->status = dialect_status(rt->codes, ex.status);
		json_t *theirs = json_loadb(ex.body, ex.body_len, 0, NULL);
		json_t *ours = theirs ? convert(theirs, rt->out, rt->words, true) : NULL;
		resp->body = ours ? json_dumps(ours, JSON_COMPACT) : strdup(ex.body);
		json_decref(ours);
		json_decref(theirs);
	}
	free(w.body); /* (conf_wire_request_free would pull in the profile code) */
	conf_exchange_clear(&ex);
}

/* --- the coordinator behind ---------------------------------------------------------------------- */

/* Start argv with its stdout on a pipe; read its "listening on" line. */
static pid_t start_upstream(char **argv, char *url, size_t cap)
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "dialect-adapter: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	char line[256];
	size_t used = 0;
	struct pollfd p = { fds[0], POLLIN, 0 };
	while (pid > 0 && used + 1 < sizeof line && poll(&p, 1, 5000) > 0) {
		ssize_t n = read(fds[0], line + used, 1);
		if (n <= 0)
			break;
		if (line[used++] == '\n')
			break;
	}
	line[used] = '\0';
	char host[64];
	int port;
	if (pid < 0 || sscanf(line, "listening on %63[^:]:%d", host, &port) != 2) {
		fprintf(stderr, "dialect-adapter: the coordinator did not say where it listens\n");
		return -1;
	}
	snprintf(url, cap, "http://%s:%d", host, port);
	return pid; /* fds[0] stays open: coordd prints nothing more, and never gets SIGPIPE */
}

/* Until SIGTERM; SIGHUP (a secret rotation) is passed on to the coordinator. */
static void serve(struct rcd_http_server *server, int signal_fd, pid_t child)
{
	for (;;) {
		struct rcd_pollset set;
		rcd_pollset_clear(&set);
		int signals = rcd_pollset_add(&set, signal_fd);
		int timeout_ms = 100;
		rcd_http_add_fds(server, &set, &timeout_ms);
		if (rcd_pollset_wait(&set, timeout_ms) < 0)
			return;
		int sigs = rcd_pollset_readable(&set, signals) ? rcd_signal_drain() : 0;
		if (sigs & RCD_SIG_TERM)
			return;
		if (sigs & RCD_SIG_HUP)
			kill(child, SIGHUP);
		rcd_http_run(server);
	}
}

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[1], "--listen") != 0 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: dialect-adapter --listen ADDR -- COORDINATOR-COMMAND...\n");
		return 2;
	}
	rcd_log_init("dialect-adapter", RCD_LOG_TEXT);
	struct adapter a = { 0 };
	pid_t child = start_upstream(argv + 4, a.upstream, sizeof a.upstream);
	int signal_fd = rcd_signal_setup(false);
	a.http = conf_http_new(5000);
	char err[256];
	struct rcd_http_server *server =
		child > 0 && a.http && signal_fd >= 0 ? rcd_http_start(argv[2], MAX_BODY, 256, handle, &a, err, sizeof err) : NULL;
	int rc = 1;
	if (server) {
		printf("listening on 127.0.0.1:%d\n", rcd_http_port(server));
		fflush(stdout);
		serve(server, signal_fd, child);
		rc = 0;
	} else {
		fprintf(stderr, "dialect-adapter: cannot start\n");
	}
	rcd_http_stop(server);
	conf_http_free(a.http);
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	rcd_signal_teardown();
	return rc;
}
