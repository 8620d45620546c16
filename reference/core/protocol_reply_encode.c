/*
 * protocol_reply_encode.c - struct rc_reply -> JSON body (server side).
 *
 * Success bodies by op (keys in this order):
 *   register        {runner_id, session, reconnected, heartbeat_interval_s}
 *   heartbeat, deregister, task status, task complete    {"ok":true}
 *   claim           {"tasks":[{task_id, attempt, kind, payload}]}
 *   runners list    {"runners":[...]} (protocol_runners.c)
 *   task submit/get {task_id, state, attempt, runner_id|null, result|null}
 *   sandbox ops     {sandbox_id, status, runner_id|null, task_id|null, container_id|null}
 *   health          {"status":"ok"}
 * Errors (status >= 400): {"error", "message", "fields" only when non-empty}.
 */
#include <assert.h>
#include <stdlib.h>

#include "protocol_internal.h"

int rc_proto_set(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value) {
		json_decref(value);
		return -1;
	}
	return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

json_t *rc_proto_string_or_null(const char *s, bool empty_is_null)
{
	if (!s || (empty_is_null && !*s))
		return json_null();
	return json_string(s);
}

json_t *rc_proto_u64(uint64_t v)
{
	assert(v <= (uint64_t)RC_PROTO_MAX_ID);
	return json_integer((json_int_t)v);
}

/* A JSON string of a human-readable message. Messages quote what the client
 * sent (a path, a name) and may be cut mid-character, so bytes that would
 * make invalid UTF-8 are replaced by '?' rather than losing the reply. */
static json_t *message_json(const char *message)
{
	json_t *v = json_string(message);
	if (v)
		return v;
	char ascii[sizeof ((struct rc_error *)0)->message];
	size_t i = 0;
	for (; message[i] && i + 1 < sizeof ascii; i++)
		ascii[i] = (unsigned char)message[i] < 0x80 ? message[i] : '?';
	ascii[i] = '\0';
	return json_string(ascii);
}

json_t *rc_proto_built(json_t *obj, int failed_sets)
{
	if (failed_sets) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The code a reply without one gets, so an error body always has a code. */
static const char *default_error_code(int status)
{
	switch (status) {
	case RC_STATUS_BAD_REQUEST: return "bad_request";
	case RC_STATUS_UNAUTHORIZED: return "unauthorized";
	case RC_STATUS_FORBIDDEN: return "forbidden";
	case RC_STATUS_NOT_FOUND: return RC_PROTO_E_NOT_FOUND;
	case RC_STATUS_METHOD_NOT_ALLOWED: return RC_PROTO_E_METHOD_NOT_ALLOWED;
	case RC_STATUS_CONFLICT: return "conflict";
	case RC_STATUS_TOO_LARGE: return RC_PROTO_E_BODY_TOO_LARGE;
	case RC_STATUS_UNPROCESSABLE: return "unprocessable";
	case RC_STATUS_UNAVAILABLE: return "unavailable";
	default: return RC_PROTO_E_INTERNAL;
	}
}

static json_t *error_json(const struct rc_error *e, int status)
{
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "error", json_string(e->code ? e->code : default_error_code(status)));
	failed |= rc_proto_set(obj, "message", message_json(e->message));
	if (e->fields[0]) {
		json_t *fields = json_array();
		for (int i = 0; i < RC_ERROR_MAX_FIELDS && e->fields[i]; i++)
			failed |= json_array_append_new(fields, json_string(e->fields[i]));
		failed |= rc_proto_set(obj, "fields", fields);
	}
	return rc_proto_built(obj, failed);
}

static json_t *register_json(const struct rc_reply *r)
{
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "runner_id", json_string(r->runner_id));
	failed |= rc_proto_set(obj, "session", rc_proto_u64(r->session));
	failed |= rc_proto_set(obj, "reconnected", json_boolean(r->reconnected));
	failed |= rc_proto_set(obj, "heartbeat_interval_s", json_integer(r->heartbeat_interval_s));
	return rc_proto_built(obj, failed);
}

static json_t *grant_json(const struct rc_grant *g)
{
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "task_id", rc_proto_u64(g->task_id));
	failed |= rc_proto_set(obj, "attempt", json_integer(g->attempt));
	failed |= rc_proto_set(obj, "kind", rc_proto_string_or_null(g->kind, false));
	failed |= rc_proto_set(obj, "payload", rc_proto_string_or_null(g->payload, false));
	return rc_proto_built(obj, failed);
}

static json_t *claim_json(const struct rc_reply *r)
{
	assert(r->n_grants >= 0 && r->n_grants <= RC_MAX_GRANTS);
	json_t *tasks = json_array();
	int failed = 0;
	for (int i = 0; i < r->n_grants; i++)
		failed |= json_array_append_new(tasks, grant_json(&r->grants[i]));
	json_t *obj = json_object();
	failed |= rc_proto_set(obj, "tasks", rc_proto_built(tasks, failed));
	return rc_proto_built(obj, failed);
}

static json_t *task_json(const struct rc_task *t)
{
	assert(t);
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "task_id", rc_proto_u64(t->id));
	failed |= rc_proto_set(obj, "state", json_string(rc_task_state_name(t->state)));
	failed |= rc_proto_set(obj, "attempt", json_integer(t->attempt));
	failed |= rc_proto_set(obj, "runner_id", rc_proto_string_or_null(t->runner_id, true));
	failed |= rc_proto_set(obj, "result", rc_proto_string_or_null(t->result, false));
	return rc_proto_built(obj, failed);
}

static json_t *sandbox_json(const struct rc_sandbox *s)
{
	assert(s);
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "sandbox_id", rc_proto_u64(s->id));
	failed |= rc_proto_set(obj, "status", json_string(rc_sandbox_status_name(s->status)));
	failed |= rc_proto_set(obj, "runner_id", rc_proto_string_or_null(s->runner_id, true));
	failed |= rc_proto_set(obj, "task_id", s->task_id ? rc_proto_u64(s->task_id) : json_null());
	failed |= rc_proto_set(obj, "container_id", rc_proto_string_or_null(s->container_id, true));
	return rc_proto_built(obj, failed);
}

/* {"<key>": <value>}, for the one-member bodies. */
static json_t *single(const char *key, json_t *value)
{
	json_t *obj = json_object();
	return rc_proto_built(obj, rc_proto_set(obj, key, value));
}

static json_t *success_json(const struct rc_reply *r, long long now_ms)
{
	switch (r->op) {
	case RC_OP_REGISTER: return register_json(r);
	case RC_OP_HEARTBEAT:
	case RC_OP_DEREGISTER:
	case RC_OP_TASK_STATUS:
	case RC_OP_TASK_COMPLETE: return single("ok", json_true());
	case RC_OP_CLAIM: return claim_json(r);
	case RC_OP_RUNNERS_LIST: return rc_proto_runners_json(r->coord, now_ms);
	case RC_OP_TASK_SUBMIT:
	case RC_OP_TASK_GET: return task_json(r->task);
	case RC_OP_SANDBOX_CREATE:
	case RC_OP_SANDBOX_GET:
	case RC_OP_SANDBOX_DELETE:
	case RC_OP_SANDBOX_REPORT: return sandbox_json(r->sandbox);
	case RC_OP_HEALTH: return single("status", json_string("ok"));
	case RC_OP_NONE:
	case RC_OP_COUNT: break;
	}
	assert(!"a success reply needs an op");
	return NULL;
}

char *rc_proto_encode_reply(const struct rc_reply *reply, long long now_ms)
{
	assert(reply);
	json_t *body = reply->status >= 400 ? error_json(&reply->error, reply->status) : success_json(reply, now_ms);
	char *text = body ? json_dumps(body, RC_PROTO_DUMP_FLAGS) : NULL;
	json_decref(body);
	return text;
}
