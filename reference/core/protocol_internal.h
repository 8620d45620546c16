/*
 * protocol_internal.h - what the files of the codec share (not a public API).
 *
 * The codec is split by concern: the arena (protocol_arena.c), the route
 * table (protocol_routes.c), request bodies (protocol_fields.c, with
 * protocol_overflow.c for numbers jansson cannot hold), requests as
 * a whole (protocol_request.c), replies (protocol_reply_encode.c,
 * protocol_reply_decode.c) and the runners list (protocol_runners.c). Unit
 * tests include this header to reach the pieces directly.
 */
#ifndef RC_PROTOCOL_INTERNAL_H
#define RC_PROTOCOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "protocol.h"

/* Every JSON body we write: compact, keys in the order they were inserted,
 * which is the order of the field lists in DESIGN.md (stable, diffable). */
#define RC_PROTO_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Ids on the wire (task, sandbox, session) are JSON integers, which jansson
 * holds as signed 64-bit: 1..INT64_MAX for ids. */
#define RC_PROTO_MAX_ID RC_MAX_ID

/* --- arena (protocol_arena.c) -------------------------------------------- */

/* Copy len bytes of s plus a NUL into the arena. NULL on allocation failure. */
char *rc_proto_arena_strndup(struct rc_proto_arena *a, const char *s, size_t len);
/* A zeroed block of size bytes owned by the arena. NULL on allocation failure. */
void *rc_proto_arena_calloc(struct rc_proto_arena *a, size_t size);
/* Hand a malloc'd block to the arena. Returns p, or NULL (p freed) on failure. */
void *rc_proto_arena_adopt(struct rc_proto_arena *a, void *p);

/* --- routes (protocol_routes.c) ------------------------------------------ */

struct rc_proto_route {
	enum rc_op op;
	const char *method;
	const char *pattern; /* "/runners/{runner}/heartbeat": {runner}, {task}, {sandbox} */
	bool has_body;       /* GET and DELETE carry none (any body is ignored) */
};

/* What a matched path carries: a runner id (pointing into the path, not
 * NUL-terminated) and/or a task or sandbox id. */
struct rc_proto_path_params {
	const char *runner_id;
	size_t runner_id_len;
	uint64_t id;
};

/* Find the route of method + path (query string ignored). Returns 0 with
 * *route and *params set, or 404 / 405 with err filled. */
int rc_proto_route_find(const char *method, const char *path, const struct rc_proto_route **route,
			struct rc_proto_path_params *params, struct rc_error *err);
/* The route of op, or NULL for RC_OP_NONE and out-of-range values. */
const struct rc_proto_route *rc_proto_route_of(enum rc_op op);
/* Write the path of msg (its op's pattern with msg's ids) into buf. Returns 0,
 * or -1 when an id is missing or not path-safe or buf is too small. */
int rc_proto_route_build_path(const struct rc_proto_route *route, const struct rc_msg *msg, char *buf,
			      size_t cap);

/* --- request bodies (protocol_fields.c) ---------------------------------- */

/* Decode the JSON body of op into msg (strings copied into arena). Returns 0
 * or an HTTP status with err naming the field. */
int rc_proto_body_decode(const struct rc_proto_route *route, const char *body, size_t body_len,
			 struct rc_msg *msg, struct rc_proto_arena *arena, struct rc_error *err);
/* The JSON object of msg's body (new reference), or NULL when a value cannot
 * be represented (invalid UTF-8, number out of JSON range) or on allocation
 * failure. */
json_t *rc_proto_body_encode(const struct rc_msg *msg);

/* A payload (or grant payload) as the text the coordinator stores: a JSON
 * string as-is, any other value as its compact encoding. Returns the arena
 * copy with its length in *len, or NULL on allocation failure. */
char *rc_proto_payload_text(json_t *value, struct rc_proto_arena *arena, size_t *len);

/* --- numbers past what jansson holds (protocol_overflow.c) --------------- */

/* Called for the first such number of each top-level member, with the
 * member's key (its JSON text, quotes included: decode it before comparing)
 * and whether it is an integer that is that member's whole value (as in
 * {"session": 99999999999999999999}; false for a real, or one nested in it). */
typedef void (*rc_proto_overflow_fn)(void *ctx, const char *key, size_t key_len, bool whole_integer);

/* Find every number of text[0..len) that jansson refuses as too big (an
 * integer outside -2^63..2^63-1, a real past the double range), report it,
 * and replace it in text by "" padded with spaces. text must have one more
 * writable byte after len (a NUL-terminated copy does). Returns 0, or -1
 * when such a number is not inside a member of a top-level object or stands
 * where a key belongs, or the brackets nest deeper than jansson reads. */
int rc_proto_set_aside_overflows(char *text, size_t len, rc_proto_overflow_fn on_overflow, void *ctx);

/* --- replies -------------------------------------------------------------- */

/* JSON helpers that turn a missing allocation into a failed build: set key to
 * value (stolen) and return 0, or -1 when value is NULL or the set failed. */
int rc_proto_set(json_t *obj, const char *key, json_t *value);
/* obj, or NULL (obj freed) when failed_sets is non-zero: the end of a build
 * that or-ed the results of rc_proto_set() / json_array_append_new(). */
json_t *rc_proto_built(json_t *obj, int failed_sets);
/* A JSON string of s, or JSON null when s is NULL or "" and empty_is_null. */
json_t *rc_proto_string_or_null(const char *s, bool empty_is_null);
/* A JSON integer for an unsigned value in 0..INT64_MAX (asserted). */
json_t *rc_proto_u64(uint64_t v);

/* The runners list: one record, and the whole body read through coord.h. */
json_t *rc_proto_runner_json(const struct rc_runner_record *r, long long now_ms);
json_t *rc_proto_runners_json(const struct rc_coord *c, long long now_ms);
/* floor((now_ms - then_ms) / 1000), also when now_ms < then_ms. */
long long rc_proto_seconds_since(long long now_ms, long long then_ms);

#endif
