/*
 * msg.h - the requests and replies of the coordinator protocol, as plain C.
 *
 * Every way of reaching the coordinator goes through these two structs: the
 * simulator hands an rc_msg straight to rc_coord_handle(), the daemon decodes
 * one from HTTP (protocol.h) and encodes the rc_reply back, the runner core
 * emits them as RC_FX_SEND effects. Keeping one representation means a
 * lifecycle rule is written once, in the coordinator, and every driver sees it.
 *
 * Strings are borrowed: an rc_msg never owns what it points to. A driver that
 * keeps a message beyond the call that produced it must keep the strings alive
 * (the runner core points only into its config and static strings, which live
 * as long as the runner; see runner.h).
 */
#ifndef RC_MSG_H
#define RC_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "rc_limits.h"

enum rc_op {
	RC_OP_NONE = 0,
	/* runner calls (carry the shared secret) */
	RC_OP_REGISTER,      /* POST /runners/register */
	RC_OP_HEARTBEAT,     /* POST /runners/{id}/heartbeat */
	RC_OP_DEREGISTER,    /* DELETE /runners/{id} */
	RC_OP_CLAIM,         /* POST /runners/{id}/claim */
	RC_OP_TASK_STATUS,   /* POST /tasks/{id}/status */
	RC_OP_TASK_COMPLETE, /* POST /tasks/{id}/complete */
	/* API calls */
	RC_OP_RUNNERS_LIST,  /* GET /runners */
	RC_OP_TASK_SUBMIT,   /* POST /tasks */
	RC_OP_TASK_GET,      /* GET /tasks/{id} */
	RC_OP_SANDBOX_CREATE, /* POST /api/v1/sandboxes */
	RC_OP_SANDBOX_GET,    /* GET /api/v1/sandboxes/{id} */
	RC_OP_SANDBOX_DELETE, /* DELETE /api/v1/sandboxes/{id} */
	RC_OP_SANDBOX_REPORT, /* POST /api/v1/sandboxes/{id}/runner-status */
	RC_OP_HEALTH,         /* GET /health */
	RC_OP_COUNT
};

/* Stable lower-case name of an op ("register", "heartbeat", ...); for traces. */
const char *rc_op_name(enum rc_op op);

/* HTTP status codes the core answers with. 0 means "no reply arrived"
 * (transport failure or timeout) when handed back to a runner. */
enum rc_status {
	RC_STATUS_TRANSPORT = 0,
	RC_STATUS_OK = 200,
	RC_STATUS_CREATED = 201,
	RC_STATUS_BAD_REQUEST = 400,
	RC_STATUS_UNAUTHORIZED = 401,
	RC_STATUS_FORBIDDEN = 403,
	RC_STATUS_NOT_FOUND = 404,
	RC_STATUS_METHOD_NOT_ALLOWED = 405,
	RC_STATUS_CONFLICT = 409,
	RC_STATUS_TOO_LARGE = 413,
	RC_STATUS_UNPROCESSABLE = 422,
	RC_STATUS_INTERNAL = 500,
	RC_STATUS_UNAVAILABLE = 503
};

#define RC_ERROR_MAX_FIELDS 4

/* The body of every error reply: {"error": code, "message": ..., "fields": [...]}.
 * code and fields point to static strings; message is a copy. */
struct rc_error {
	const char *code;
	char message[160];
	const char *fields[RC_ERROR_MAX_FIELDS]; /* NULL-terminated when shorter */
};

/* Fill err (if non-NULL) and return status, so callers write
 * `return rc_error_set(err, 404, "unknown_runner", "no runner %s", id);` */
int rc_error_set(struct rc_error *err, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Append a field name (a static string) to err->fields; ignored when full. */
void rc_error_add_field(struct rc_error *err, const char *field);
void rc_error_clear(struct rc_error *err);

/* Sandbox life cycle (DESIGN.md "Sandbox status"). */
enum rc_sandbox_status {
	RC_SANDBOX_PENDING = 0,
	RC_SANDBOX_CREATING,
	RC_SANDBOX_STARTING,
	RC_SANDBOX_RUNNING,
	RC_SANDBOX_DELETING,
	RC_SANDBOX_DELETED,
	RC_SANDBOX_FAILED,
	RC_SANDBOX_STATUS_COUNT
};
const char *rc_sandbox_status_name(enum rc_sandbox_status s);
/* Parse a status word; returns -1 when it is not one of the seven. */
int rc_sandbox_status_parse(const char *word);

/* One request. Fields not used by op are zero / NULL. */
struct rc_msg {
	enum rc_op op;
	uint64_t req_id; /* chosen by the sender, echoed in the reply */
	const char *secret; /* X-Runner-Secret, NULL when absent */
	const char *runner_id; /* path {id} of runner ops, task ops' body, X-Runner-Id */

	/* register */
	const char *hostname;
	const char *project_dir;
	const char *executor_type;
	const char *instance_token;
	int max_concurrency; /* 0: coordinator default */

	/* heartbeat, claim */
	uint64_t session;
	int max; /* claim: most tasks wanted */

	/* tasks */
	uint64_t task_id;
	int attempt;
	const char *kind;    /* submit */
	const char *payload; /* submit: opaque to the coordinator */
	bool success;        /* complete: false makes the task failed */
	const char *text;    /* complete: result; status: progress message */

	/* sandboxes */
	uint64_t sandbox_id;
	uint64_t sandbox_task_id; /* create: the task whose runner the sandbox follows, 0 none */
	const char *status_word;  /* report: new status, as sent (validated by the core) */
	const char *container_id; /* report, optional */
};

/* A task handed to a runner by a claim. kind/payload point into the
 * coordinator's task record: valid until the next call on that coordinator. */
struct rc_grant {
	uint64_t task_id;
	int attempt;
	const char *kind;
	const char *payload;
};

struct rc_task;
struct rc_sandbox;
struct rc_coord;

/* One reply. status decides which other fields mean anything. */
struct rc_reply {
	enum rc_op op;
	uint64_t req_id;
	int status;
	struct rc_error error; /* when status >= 400 */

	/* register */
	char runner_id[RC_RUNNER_ID_BUF];
	uint64_t session;
	bool reconnected;
	int heartbeat_interval_s;

	/* claim: grants[0 .. n_grants-1]; rc_reply_init leaves the rest as is */
	int n_grants;
	struct rc_grant grants[RC_MAX_GRANTS];

	/* submit, get: the record as it is after the call (borrowed from the
	 * coordinator, valid until its next call) */
	uint64_t task_id;
	const struct rc_task *task;
	uint64_t sandbox_id;
	const struct rc_sandbox *sandbox;
	const struct rc_coord *coord; /* runners list: read through coord.h */
};

void rc_reply_init(struct rc_reply *reply, const struct rc_msg *msg);

#endif
