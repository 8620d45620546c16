/*
 * server.c - one HTTP request through the coordinator core.
 *
 * The order is the durability contract: decode (the codec rejects anything
 * malformed before the core sees it), run overdue timers, let the core decide,
 * commit the effects, and only then encode the reply. A refused request leaves
 * only an RC_FX_REJECTED effect, so nothing is written for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordd.h"
#include "protocol.h"
#include "rcd_clock.h"
#include "rcd_log.h"

static const char *transition_name(enum rc_fx_kind kind, int v)
{
	switch (kind) {
	case RC_FX_RUNNER_STATUS:
		return rc_runner_status_name((enum rc_runner_status)v);
	case RC_FX_TASK_STATE:
		return rc_task_state_name((enum rc_task_state)v);
	case RC_FX_SANDBOX_AUDIT:
		return rc_sandbox_status_name((enum rc_sandbox_status)v);
	default:
		return NULL;
	}
}

/* One log line per state change the core reports. */
static void log_effect(const struct rc_effect *fx)
{
	struct rcd_logline l;
	switch (fx->kind) {
	case RC_FX_RUNNER_STATUS:
	case RC_FX_TASK_STATE:
	case RC_FX_SANDBOX_AUDIT:
		rcd_log_start(&l, "info", rc_fx_kind_name(fx->kind));
		rcd_log_str(&l, "runner_id", fx->runner_id[0] ? fx->runner_id : NULL);
		if (fx->task_id)
			rcd_log_int(&l, "task_id", (long long)fx->task_id);
		if (fx->sandbox_id)
			rcd_log_int(&l, "sandbox_id", (long long)fx->sandbox_id);
		if (fx->attempt)
			rcd_log_int(&l, "attempt", fx->attempt);
		rcd_log_str(&l, "from", transition_name(fx->kind, fx->from));
		rcd_log_str(&l, "to", transition_name(fx->kind, fx->to));
		rcd_log_str(&l, "why", fx->text);
		break;
	case RC_FX_REJECTED:
		rcd_log_start(&l, "info", "rejected");
		rcd_log_str(&l, "op", rc_op_name(fx->op));
		rcd_log_int(&l, "status", fx->value);
		rcd_log_str(&l, "runner_id", fx->runner_id[0] ? fx->runner_id : NULL);
		if (fx->task_id)
			rcd_log_int(&l, "task_id", (long long)fx->task_id);
		if (fx->attempt)
			rcd_log_int(&l, "attempt", fx->attempt);
		rcd_log_str(&l, "why", fx->text);
		break;
	case RC_FX_LOG:
		rcd_log_start(&l, "info", "core");
		rcd_log_str(&l, "message", fx->text);
		break;
	default:
		return;
	}
	rcd_log_emit(&l);
}

void coordd_after_call(struct coordd *d)
{
	char err[512];
	if (rcd_store_apply(d->store, d->coord, &d->ob, err, sizeof err) != 0) {
		rcd_logf("error", "storage", "%s; exiting without acknowledging (restart reloads the last commit)",
			 err);
		exit(1);
	}
	for (size_t i = 0; i < d->ob.len; i++)
		log_effect(&d->ob.items[i]);
	rc_outbox_clear(&d->ob);
}

void coordd_tick_if_due(struct coordd *d, int64_t now_ms)
{
	if (now_ms < rc_coord_deadline(d->coord))
		return;
	rc_outbox_clear(&d->ob);
	rc_coord_tick(d->coord, now_ms, &d->ob);
	coordd_after_call(d);
}

/* The reply for a request the codec refused (status with err). */
static void refuse(struct rc_reply *reply, const struct rc_msg *msg, int status, const struct rc_error *err)
{
	rc_reply_init(reply, msg);
	reply->status = status;
	reply->error = *err;
}

static char *fallback_body(void)
{
	return strdup("{\"error\":\"internal\",\"message\":\"cannot encode the reply\"}");
}

void coordd_handle_http(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp)
{
	struct coordd *d = cls;
	struct rc_proto_headers hdrs;
	hdrs.runner_secret = rcd_http_header(req, "X-Runner-Secret", &hdrs.runner_secret_repeated);
	hdrs.runner_id = rcd_http_header(req, "X-Runner-Id", &hdrs.runner_id_repeated);
	hdrs.content_length_repeated = req->content_length_repeated;
	struct rc_msg msg;
	struct rc_reply reply;
	struct rc_error err;
	struct rc_proto_arena arena;
	memset(&msg, 0, sizeof msg);
	rc_error_clear(&err);
	rc_proto_arena_init(&arena);
	int64_t now_ms = rcd_now_ms();

	/* An unread body still goes to the codec: the route is checked before
	 * the size (PROTOCOL.md "Order of checks"). */
	int status = rc_proto_decode_request(req->method, req->path, &hdrs, req->body_too_large ? NULL : req->body,
					     req->body_too_large ? RC_PROTO_BODY_UNREAD : req->body_len, &msg, &arena,
					     &err);
	if (status != 0) {
		refuse(&reply, &msg, status, &err);
	} else {
		coordd_tick_if_due(d, now_ms);
		rc_outbox_clear(&d->ob);
		rc_coord_handle(d->coord, now_ms, &msg, &reply, &d->ob);
		coordd_after_call(d); /* committed before the reply is encoded */
	}
	resp->status = reply.status;
	resp->log_op = rc_op_name(msg.op);
	if (status == RC_STATUS_METHOD_NOT_ALLOWED)
		rc_proto_allowed_methods(req->path, resp->allow, sizeof resp->allow);
	resp->body = rc_proto_encode_reply(&reply, now_ms);
	if (!resp->body) {
		resp->status = RC_STATUS_INTERNAL;
		resp->body = fallback_body();
	}
	rc_proto_arena_free(&arena);
}
