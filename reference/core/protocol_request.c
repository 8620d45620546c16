/*
 * protocol_request.c - whole requests: route, size, headers, then body.
 *
 * The order of the checks is part of the contract, so every implementation
 * refuses the same bad request with the same status: an unknown path is 404
 * and a wrong method 405 whatever the body; then an oversized body is 413;
 * then repeated and over-long headers; then the body's own errors (protocol_fields.c).
 */
#include <assert.h>
#include <string.h>

#include "protocol_internal.h"

static int header_too_long(struct rc_error *err, const char *header, size_t len, size_t limit)
{
	rc_error_set(err, RC_STATUS_UNPROCESSABLE, RC_PROTO_E_FIELD_TOO_LONG, "header %s is %zu bytes, the limit is %zu",
		     header, len, limit);
	rc_error_add_field(err, header);
	return RC_STATUS_UNPROCESSABLE;
}

static int header_repeated(struct rc_error *err, const char *header)
{
	rc_error_set(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_DUPLICATE_HEADER, "header %s is sent more than once", header);
	rc_error_add_field(err, header);
	return RC_STATUS_BAD_REQUEST;
}

/* The secret goes to every op (the coordinator decides which need it); the
 * X-Runner-Id header only names the reporter of a sandbox status. */
static int take_headers(const struct rc_proto_headers *hdrs, struct rc_msg *msg, struct rc_error *err)
{
	if (!hdrs)
		return 0;
	if (hdrs->content_length_repeated)
		return header_repeated(err, "Content-Length");
	if (hdrs->runner_secret_repeated)
		return header_repeated(err, "X-Runner-Secret");
	if (hdrs->runner_secret && strlen(hdrs->runner_secret) > RC_MAX_SECRET_LEN)
		return header_too_long(err, "X-Runner-Secret", strlen(hdrs->runner_secret), RC_MAX_SECRET_LEN);
	msg->secret = hdrs->runner_secret;
	if (msg->op != RC_OP_SANDBOX_REPORT)
		return 0;
	if (hdrs->runner_id_repeated)
		return header_repeated(err, "X-Runner-Id");
	if (hdrs->runner_id && strlen(hdrs->runner_id) > RC_PROTO_MAX_RUNNER_ID_TEXT)
		return header_too_long(err, "X-Runner-Id", strlen(hdrs->runner_id), RC_PROTO_MAX_RUNNER_ID_TEXT);
	msg->runner_id = hdrs->runner_id;
	return 0;
}

/* Path ids go where the op expects them; the runner id is copied because in
 * the path it is not NUL-terminated. */
static int take_path_params(const struct rc_proto_path_params *params, struct rc_msg *msg,
			    struct rc_proto_arena *arena, struct rc_error *err)
{
	if (params->runner_id) {
		msg->runner_id = rc_proto_arena_strndup(arena, params->runner_id, params->runner_id_len);
		if (!msg->runner_id)
			return rc_error_set(err, RC_STATUS_INTERNAL, RC_PROTO_E_INTERNAL, "out of memory");
	}
	switch (msg->op) {
	case RC_OP_TASK_GET:
	case RC_OP_TASK_STATUS:
	case RC_OP_TASK_COMPLETE: msg->task_id = params->id; break;
	case RC_OP_SANDBOX_GET:
	case RC_OP_SANDBOX_DELETE:
	case RC_OP_SANDBOX_REPORT: msg->sandbox_id = params->id; break;
	default: break;
	}
	return 0;
}

int rc_proto_decode_request(const char *method, const char *path, const struct rc_proto_headers *hdrs,
			    const char *body, size_t body_len, struct rc_msg *msg,
			    struct rc_proto_arena *arena, struct rc_error *err)
{
	assert(method && path && msg && arena);
	assert(body || body_len == 0 || body_len == RC_PROTO_BODY_UNREAD);
	memset(msg, 0, sizeof *msg);
	if (err)
		rc_error_clear(err);

	const struct rc_proto_route *route;
	struct rc_proto_path_params params;
	int status = rc_proto_route_find(method, path, &route, &params, err);
	if (status != 0)
		return status;
	msg->op = route->op;
	if (route->has_body && body_len > RC_MAX_BODY_BYTES)
		return rc_error_set(err, RC_STATUS_TOO_LARGE, RC_PROTO_E_BODY_TOO_LARGE, "body is over %d bytes",
				    RC_MAX_BODY_BYTES);
	status = take_path_params(&params, msg, arena, err);
	if (status == 0)
		status = take_headers(hdrs, msg, err);
	if (status == 0)
		status = rc_proto_body_decode(route, body, body_len, msg, arena, err);
	if (status != 0) {
		enum rc_op op = msg->op;
		memset(msg, 0, sizeof *msg);
		msg->op = op; /* the op stays known, so the error reply can name it */
	}
	return status;
}

int rc_proto_encode_request(const struct rc_msg *msg, const char **method, char *path_buf, size_t path_cap,
			    char **body)
{
	assert(msg && method && path_buf && body);
	*body = NULL;
	*method = NULL;
	const struct rc_proto_route *route = rc_proto_route_of(msg->op);
	if (!route || rc_proto_route_build_path(route, msg, path_buf, path_cap) != 0)
		return -1;
	*method = route->method;
	if (!route->has_body)
		return 0;
	json_t *obj = rc_proto_body_encode(msg);
	if (obj)
		*body = json_dumps(obj, RC_PROTO_DUMP_FLAGS);
	json_decref(obj);
	return *body ? 0 : -1;
}
