/*
 * protocol.h - the JSON-over-HTTP codec of the coordinator protocol.
 *
 * The one place where HTTP requests and JSON bodies become rc_msg and rc_reply
 * and back (jansson). The daemon server decodes requests and encodes replies;
 * the daemon client (runnerd) and `rollcall conform` encode requests and decode
 * replies. Every limit of rc_limits.h is enforced here with a precise error that
 * names the field, so nothing over-long or ill-typed reaches the coordinator.
 *
 * Pure: no sockets, no files; the caller moves the bytes.
 */
#ifndef RC_PROTOCOL_H
#define RC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#include "coord.h"
#include "msg.h"

/* The "error" codes the codec itself answers with (status in brackets). They
 * are part of the wire format: other implementations are held to them. */
#define RC_PROTO_E_NOT_FOUND "not_found"                   /* 404 unknown path, malformed path id */
#define RC_PROTO_E_METHOD_NOT_ALLOWED "method_not_allowed" /* 405 known path, other method */
#define RC_PROTO_E_BODY_TOO_LARGE "body_too_large"         /* 413 over RC_MAX_BODY_BYTES */
#define RC_PROTO_E_MALFORMED_JSON "malformed_json"         /* 400 not JSON, not an object */
#define RC_PROTO_E_INVALID_TYPE "invalid_type"             /* 400 field of the wrong JSON type */
#define RC_PROTO_E_INVALID_STRING "invalid_string"         /* 400 string holding a NUL byte */
#define RC_PROTO_E_DUPLICATE_HEADER "duplicate_header"     /* 400 a header the codec reads, sent twice */
#define RC_PROTO_E_FIELD_TOO_LONG "field_too_long"         /* 422 string over its limit */
#define RC_PROTO_E_MISSING_FIELDS "missing_fields"         /* 422 required number absent */
#define RC_PROTO_E_INVALID_VALUE "invalid_value"           /* 422 number out of its range */
#define RC_PROTO_E_INTERNAL "internal_error"               /* 500 out of memory */
#define RC_PROTO_E_BAD_REPLY "bad_reply"                   /* client side: reply off-protocol */

/* Runner ids in task bodies and in X-Runner-Id longer than this are refused
 * (422); shorter unknown ones are passed on for the coordinator to answer. A
 * runner id in a path is taken only in the shape the coordinator issues
 * ("lnch_" + 12 lower-case hex); any other does not fit the route (404). */
#define RC_PROTO_MAX_RUNNER_ID_TEXT 64

/* Strings decoded from a body are copied into an arena owned by the caller
 * and freed with rc_proto_arena_free(); msg fields point into it. */
struct rc_proto_arena {
	char **strings;
	size_t len, cap;
};
void rc_proto_arena_init(struct rc_proto_arena *a);
void rc_proto_arena_free(struct rc_proto_arena *a);

/* Headers the codec cares about, as received (NULL when absent), and
 * whether the request carried each more than once. Such a request is
 * refused rather than read by its first copy: a proxy that checks or adds
 * one copy and a server that reads another would disagree on who called. */
struct rc_proto_headers {
	const char *runner_secret; /* X-Runner-Secret */
	const char *runner_id;     /* X-Runner-Id */
	bool runner_secret_repeated;
	bool runner_id_repeated;
	/* Content-Length more than once: the body's end is in doubt, as the
	 * driver framed it by one copy and a proxy may have used another. */
	bool content_length_repeated;
};

/* The body_len of a body the driver did not read because it is over
 * RC_MAX_BODY_BYTES (declared or counted so); body is then NULL. The codec
 * still routes first, so a wrong path or method stays 404/405, and a GET or
 * DELETE, whose body is ignored, goes through. */
#define RC_PROTO_BODY_UNREAD SIZE_MAX

/* Decode an HTTP request into msg. Returns 0 on success, or an HTTP status
 * (400 malformed JSON or wrong type, 404 unknown route, 405 wrong method,
 * 413 body too large, 422 missing/invalid field) with err filled, naming the
 * field. msg strings point into body-derived arena copies or into path/hdrs
 * (which must outlive msg). */
int rc_proto_decode_request(const char *method, const char *path, const struct rc_proto_headers *hdrs,
			    const char *body, size_t body_len, struct rc_msg *msg,
			    struct rc_proto_arena *arena, struct rc_error *err);

/* The methods path is served with, as the Allow header of a 405 reply:
 * "POST", "GET, HEAD", "GET, HEAD, DELETE" (HEAD wherever GET is; the query
 * string is ignored). Written into buf (cap bytes, NUL-terminated; "" when no
 * route has that path). */
void rc_proto_allowed_methods(const char *path, char *buf, size_t cap);

/* Encode a reply as a JSON body (success body or the error body). Returns a
 * malloc'd NUL-terminated string the caller frees, or NULL on allocation
 * failure. For RC_OP_RUNNERS_LIST, now_ms is used for seconds_since_heartbeat. */
char *rc_proto_encode_reply(const struct rc_reply *reply, long long now_ms);

/* Client side: the method, path and JSON body for msg. path is written into
 * path_buf (path_cap bytes); *body is malloc'd (NULL for bodiless requests).
 * Secrets are not part of the body: send msg->secret as X-Runner-Secret and,
 * for RC_OP_SANDBOX_REPORT, msg->runner_id as X-Runner-Id. Returns 0, or -1
 * on a message that cannot be encoded. */
int rc_proto_encode_request(const struct rc_msg *msg, const char **method, char *path_buf, size_t path_cap,
			    char **body);

/* Client side: decode the reply to a request of op `op`. reply->status is set
 * to http_status. Strings (grant kinds/payloads) go into arena. Returns 0, or
 * -1 when the body does not match the protocol (err says how). */
int rc_proto_decode_reply(enum rc_op op, int http_status, const char *body, size_t body_len,
			  struct rc_reply *reply, struct rc_proto_arena *arena, struct rc_error *err);

#endif
