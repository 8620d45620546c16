/*
 * msg.c - names and error helpers shared by every user of the protocol types.
 *
 * The names here are the stable words that appear in JSON bodies, traces and
 * scenario files; they are defined once so those three never drift apart.
 */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

static const char *const op_names[RC_OP_COUNT] = {
	[RC_OP_NONE] = "none",
	[RC_OP_REGISTER] = "register",
	[RC_OP_HEARTBEAT] = "heartbeat",
	[RC_OP_DEREGISTER] = "deregister",
	[RC_OP_CLAIM] = "claim",
	[RC_OP_TASK_STATUS] = "task-status",
	[RC_OP_TASK_COMPLETE] = "task-complete",
	[RC_OP_RUNNERS_LIST] = "runners-list",
	[RC_OP_TASK_SUBMIT] = "task-submit",
	[RC_OP_TASK_GET] = "task-get",
	[RC_OP_SANDBOX_CREATE] = "sandbox-create",
	[RC_OP_SANDBOX_GET] = "sandbox-get",
	[RC_OP_SANDBOX_DELETE] = "sandbox-delete",
	[RC_OP_SANDBOX_REPORT] = "sandbox-report",
	[RC_OP_HEALTH] = "health",
};

const char *rc_op_name(enum rc_op op)
{
	if ((unsigned)op >= RC_OP_COUNT)
		return "unknown";
	return op_names[op];
}

int rc_error_set(struct rc_error *err, int status, const char *code, const char *fmt, ...)
{
	if (!err)
		return status;
	rc_error_clear(err);
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return status;
}

void rc_error_add_field(struct rc_error *err, const char *field)
{
	if (!err)
		return;
	for (int i = 0; i < RC_ERROR_MAX_FIELDS; i++) {
		if (!err->fields[i]) {
			err->fields[i] = field;
			return;
		}
	}
}

void rc_error_clear(struct rc_error *err)
{
	memset(err, 0, sizeof *err);
}

static const char *const sandbox_status_names[RC_SANDBOX_STATUS_COUNT] = {
	[RC_SANDBOX_PENDING] = "pending",   [RC_SANDBOX_CREATING] = "creating",
	[RC_SANDBOX_STARTING] = "starting", [RC_SANDBOX_RUNNING] = "running",
	[RC_SANDBOX_DELETING] = "deleting", [RC_SANDBOX_DELETED] = "deleted",
	[RC_SANDBOX_FAILED] = "failed",
};

const char *rc_sandbox_status_name(enum rc_sandbox_status s)
{
	if ((unsigned)s >= RC_SANDBOX_STATUS_COUNT)
		return "unknown";
	return sandbox_status_names[s];
}

int rc_sandbox_status_parse(const char *word)
{
	if (!word)
		return -1;
	for (int i = 0; i < RC_SANDBOX_STATUS_COUNT; i++)
		if (strcmp(word, sandbox_status_names[i]) == 0)
			return i;
	return -1;
}

void rc_reply_init(struct rc_reply *reply, const struct rc_msg *msg)
{
	/* Everything but the grant array, which is most of the struct (2 KiB)
	 * and meaningful only up to n_grants: clearing it on every heartbeat
	 * showed in profiles. */
	size_t grants_at = offsetof(struct rc_reply, grants);
	size_t after_grants = grants_at + sizeof reply->grants;
	memset(reply, 0, grants_at);
	memset((char *)reply + after_grants, 0, sizeof *reply - after_grants);
	reply->op = msg->op;
	reply->req_id = msg->req_id;
}
