/*
 * status.c - GET /status: what this runnerd is doing, for people and probes.
 *
 * Configuration (never the secret, the instance token or a password in the
 * coordinator's URL), registration and heartbeat times, the last error, and
 * the tasks with their supervisor state and process ids. Read-only: it never
 * calls into the core's mutating API.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcd_clock.h"
#include "runnerd.h"
#include "utf8.h"

/* A text as a JSON string. Paths and the URL come from the command line and
 * may hold bytes that are not UTF-8, which jansson refuses (and /status would
 * answer 500): each such byte is shown as U+FFFD instead. */
static json_t *text_json(const char *s)
{
	size_t len = strlen(s);
	if (rc_utf8_valid(s, len))
		return json_string(s);
	char *shown = malloc(3 * len + 1), *out = shown;
	if (!shown)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t n = rc_utf8_char_len(s + i, len - i);
		if (n == 0) {
			memcpy(out, "\xef\xbf\xbd", 3);
			out += 3;
			i++;
		} else {
			memcpy(out, s + i, n);
			out += n;
			i += n;
		}
	}
	*out = '\0';
	json_t *j = json_string(shown);
	free(shown);
	return j;
}

static json_t *time_or_null(int64_t ms)
{
	return ms > 0 ? json_integer(ms) : json_null();
}

static json_t *tasks_json(const struct runnerd *d)
{
	json_t *tasks = json_array();
	for (int i = 0; i < rc_runner_task_count(d->runner); i++) {
		const struct rc_runner_task *t = rc_runner_task_at(d->runner, i);
		const struct runnerd_proc *p = runnerd_procs_find(&d->procs, t->task_id, t->attempt);
		json_array_append_new(tasks, json_pack("{s:I, s:i, s:s, s:i, s:b, s:b, s:o, s:o}", "task_id",
						       (json_int_t)t->task_id, "attempt", t->attempt, "process",
						       rc_sup_state_name(t->sup.state), "failures", t->sup.failures,
						       "completing", t->completing, "cancelled", t->cancelled, "pid",
						       p ? json_integer(p->pid) : json_null(), "started_at_ms",
						       p ? json_integer(p->started_at_ms) : json_null()));
	}
	return tasks;
}

static json_t *last_error_json(const struct runnerd *d)
{
	if (!d->last_error.at_ms)
		return json_null();
	return json_pack("{s:I, s:s, s:i, s:o}", "at_ms", (json_int_t)d->last_error.at_ms, "op", d->last_error.op,
			 "status", d->last_error.status, "message", text_json(d->last_error.message));
}

static json_t *status_json(const struct runnerd *d)
{
	int64_t now_ms = rcd_now_ms();
	const char *id = rc_runner_id(d->runner);
	return json_pack("{s:o, s:s, s:I, s:{s:s, s:s, s:s, s:i, s:o, s:o}, s:I, s:I, s:o, s:o, s:o, s:i, s:o}",
			 "runner_id", id[0] ? json_string(id) : json_null(),
			 "phase", rc_runner_phase_name(rc_runner_phase(d->runner)),
			 "session", (json_int_t)rc_runner_session(d->runner),
			 "config", "hostname", d->cfg.hostname, "project_dir", d->cfg.project_dir,
			 "executor_type", d->cfg.executor_type, "max_concurrency", d->cfg.max_concurrency,
			 "coordinator", text_json(d->coordinator_shown), "state_dir", text_json(d->state.dir),
			 "now_ms", (json_int_t)now_ms,
			 "started_at_ms", (json_int_t)d->started_at_ms,
			 "registered_at_ms", time_or_null(d->state.registered ? d->state.saved_at_ms : 0),
			 "last_heartbeat_ack_ms", time_or_null(rc_runner_last_heartbeat_ack_ms(d->runner)),
			 "last_error", last_error_json(d),
			 "requests_in_flight", runnerd_client_in_flight(d->client),
			 "tasks", tasks_json(d));
}

static char *error_body(const char *code, const char *message)
{
	json_t *e = json_pack("{s:s, s:s}", "error", code, "message", message);
	char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	return s;
}

void runnerd_handle_status(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp)
{
	const struct runnerd *d = cls;
	resp->log_op = "status";
	if (strcmp(req->path, "/status") != 0) {
		resp->status = 404;
		resp->body = error_body("not_found", "only /status is served here");
	} else if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		resp->status = 405;
		snprintf(resp->allow, sizeof resp->allow, "GET, HEAD");
		resp->body = error_body("method_not_allowed", "/status only answers GET and HEAD");
	} else {
		json_t *s = status_json(d);
		resp->body = s ? json_dumps(s, JSON_COMPACT) : NULL;
		json_decref(s);
		resp->status = resp->body ? 200 : 500;
	}
}
