/*
 * protocol_fields.c - request bodies: the field lists of DESIGN.md as tables.
 *
 * Each op with a body has a table of its fields: JSON name, type, where it
 * lands in struct rc_msg, its length limit or numeric range, and whether a
 * number is required. The decoder and the encoder both walk the same table,
 * so a field cannot be renamed or re-limited on one side only, and
 * encode-then-decode gives the message back by construction.
 *
 * Rules (the spec other implementations are held to):
 * - null is the same as absent, except for a payload, where it is a value;
 * - absent strings stay NULL: the coordinator names missing fields (422),
 *   except a task report's runner_id, which the codec requires;
 * - an absent required field (a string: also an empty one) is 422
 *   missing_fields (all of them named);
 * - a wrong JSON type is 400 invalid_type, a string holding NUL 400
 *   invalid_string, a string over its limit 422 field_too_long, a number out
 *   of range 422 invalid_value; the first such field stops decoding;
 * - a number jansson cannot hold (an integer outside -2^63..2^63-1, a real
 *   past the double range) is judged by the same rules instead of making
 *   the whole body malformed: an integer as an integer field's whole value is
 *   out of range (422 invalid_value; a real there is of the wrong type, as
 *   1.5 is), in a payload it cannot be kept as written (422
 *   invalid_value), elsewhere in a known field it is of the wrong type, and in
 *   an unknown field it is ignored with the field (protocol_overflow.c);
 * - unknown fields are ignored; duplicate keys make the body malformed.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_internal.h"

enum field_kind {
	FIELD_STRING,  /* JSON string -> const char * */
	FIELD_PAYLOAD, /* any JSON value -> const char * (see rc_proto_payload_text) */
	FIELD_U64,     /* JSON integer -> uint64_t */
	FIELD_INT,     /* JSON integer -> int */
	FIELD_BOOL,    /* JSON boolean -> bool */
};

struct field_spec {
	const char *name; /* JSON key, and the name err->fields reports */
	enum field_kind kind;
	size_t offset;     /* of the member of struct rc_msg */
	size_t max_len;    /* strings: limit in bytes; 0: only the body limit */
	long long min, max; /* numbers: accepted range */
	bool required;     /* absent (a string: or empty) is 422 missing_fields */
	bool default_true; /* booleans: value when absent */
};

#define AT(member) offsetof(struct rc_msg, member)
#define STRING(name, member, limit) { name, FIELD_STRING, AT(member), limit, 0, 0, false, false }
/* A task report names its runner: without one it would be judged as coming
 * from someone else (403 not_owner) instead of as incomplete. */
#define REQUIRED_STRING(name, member, limit) { name, FIELD_STRING, AT(member), limit, 0, 0, true, false }
#define NUMBER(name, kind, member, lo, hi, req) { name, kind, AT(member), 0, lo, hi, req, false }

static const struct field_spec register_fields[] = {
	STRING("hostname", hostname, RC_MAX_HOSTNAME_LEN),
	STRING("project_dir", project_dir, RC_MAX_PROJECT_DIR_LEN),
	STRING("executor_type", executor_type, RC_MAX_EXECUTOR_TYPE_LEN),
	STRING("instance_token", instance_token, RC_MAX_INSTANCE_TOKEN_LEN),
	NUMBER("max_concurrency", FIELD_INT, max_concurrency, 1, RC_MAX_CONCURRENCY, false),
};
static const struct field_spec heartbeat_fields[] = {
	NUMBER("session", FIELD_U64, session, 0, RC_PROTO_MAX_ID, true),
};
static const struct field_spec claim_fields[] = {
	NUMBER("session", FIELD_U64, session, 0, RC_PROTO_MAX_ID, true),
	NUMBER("max", FIELD_INT, max, 0, RC_MAX_GRANTS, true),
};
static const struct field_spec submit_fields[] = {
	STRING("kind", kind, RC_MAX_TASK_KIND_LEN),
	{ "payload", FIELD_PAYLOAD, AT(payload), RC_MAX_PAYLOAD_LEN, 0, 0, false, false },
};
static const struct field_spec task_status_fields[] = {
	REQUIRED_STRING("runner_id", runner_id, RC_PROTO_MAX_RUNNER_ID_TEXT),
	NUMBER("attempt", FIELD_INT, attempt, 0, INT_MAX, true),
	STRING("message", text, RC_MAX_TEXT_LEN),
};
static const struct field_spec task_complete_fields[] = {
	REQUIRED_STRING("runner_id", runner_id, RC_PROTO_MAX_RUNNER_ID_TEXT),
	NUMBER("attempt", FIELD_INT, attempt, 0, INT_MAX, true),
	{ "success", FIELD_BOOL, AT(success), 0, 0, 0, false, true },
	STRING("result", text, RC_MAX_TEXT_LEN),
};
static const struct field_spec sandbox_create_fields[] = {
	NUMBER("task_id", FIELD_U64, sandbox_task_id, 1, RC_PROTO_MAX_ID, false),
};
static const struct field_spec sandbox_report_fields[] = {
	STRING("status", status_word, 0),
	STRING("containerId", container_id, RC_MAX_CONTAINER_ID_LEN),
	STRING("message", text, RC_MAX_TEXT_LEN),
};

struct body_spec {
	const struct field_spec *fields;
	size_t n_fields;
	bool empty_is_object; /* every field optional: an empty body means {} */
};

#define BODY(table, empty_ok) { table, sizeof table / sizeof table[0], empty_ok }

static struct body_spec body_spec_of(enum rc_op op)
{
	switch (op) {
	case RC_OP_REGISTER: return (struct body_spec)BODY(register_fields, false);
	case RC_OP_HEARTBEAT: return (struct body_spec)BODY(heartbeat_fields, false);
	case RC_OP_CLAIM: return (struct body_spec)BODY(claim_fields, false);
	case RC_OP_TASK_SUBMIT: return (struct body_spec)BODY(submit_fields, false);
	case RC_OP_TASK_STATUS: return (struct body_spec)BODY(task_status_fields, false);
	case RC_OP_TASK_COMPLETE: return (struct body_spec)BODY(task_complete_fields, false);
	case RC_OP_SANDBOX_CREATE: return (struct body_spec)BODY(sandbox_create_fields, true);
	case RC_OP_SANDBOX_REPORT: return (struct body_spec)BODY(sandbox_report_fields, false);
	default: return (struct body_spec){ NULL, 0, true };
	}
}

/* Where a field lives inside msg (cstr keeps "const" from doubling up when
 * the field type is itself a pointer to const). */
typedef const char *cstr;
#define SLOT(msg, spec, type) ((type *)(void *)((char *)(msg) + (spec)->offset))
#define CSLOT(msg, spec, type) ((const type *)(const void *)((const char *)(msg) + (spec)->offset))

static int field_error(struct rc_error *err, int status, const char *code, const struct field_spec *spec,
		       const char *what)
{
	rc_error_set(err, status, code, "field %s %s", spec->name, what);
	rc_error_add_field(err, spec->name);
	return status;
}

static int too_long(struct rc_error *err, const struct field_spec *spec, size_t len)
{
	rc_error_set(err, RC_STATUS_UNPROCESSABLE, RC_PROTO_E_FIELD_TOO_LONG, "field %s is %zu bytes, the limit is %zu",
		     spec->name, len, spec->max_len);
	rc_error_add_field(err, spec->name);
	return RC_STATUS_UNPROCESSABLE;
}

/* 400 invalid_type: the value is not what the field's kind takes. */
static int wrong_type(struct rc_error *err, const struct field_spec *spec)
{
	static const char *const wanted[] = {
		[FIELD_STRING] = "must be a string", [FIELD_PAYLOAD] = "must be a JSON value",
		[FIELD_U64] = "must be an integer", [FIELD_INT] = "must be an integer",
		[FIELD_BOOL] = "must be true or false",
	};
	return field_error(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_INVALID_TYPE, spec, wanted[spec->kind]);
}

/* 422 invalid_value: a number outside the field's range. */
static int out_of_range(struct rc_error *err, const struct field_spec *spec)
{
	rc_error_set(err, RC_STATUS_UNPROCESSABLE, RC_PROTO_E_INVALID_VALUE, "field %s must be in %lld..%lld",
		     spec->name, spec->min, spec->max);
	rc_error_add_field(err, spec->name);
	return RC_STATUS_UNPROCESSABLE;
}

static int out_of_memory(struct rc_error *err)
{
	return rc_error_set(err, RC_STATUS_INTERNAL, RC_PROTO_E_INTERNAL, "out of memory decoding the body");
}

char *rc_proto_payload_text(json_t *value, struct rc_proto_arena *arena, size_t *len)
{
	if (json_is_string(value)) {
		*len = json_string_length(value);
		return rc_proto_arena_strndup(arena, json_string_value(value), *len);
	}
	char *text = rc_proto_arena_adopt(arena, json_dumps(value, RC_PROTO_DUMP_FLAGS | JSON_ENCODE_ANY));
	*len = text ? strlen(text) : 0;
	return text;
}

static int decode_string(const struct field_spec *spec, json_t *v, struct rc_msg *msg,
			 struct rc_proto_arena *arena, struct rc_error *err)
{
	if (!json_is_string(v))
		return wrong_type(err, spec);
	size_t len = json_string_length(v);
	if (strlen(json_string_value(v)) != len)
		return field_error(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_INVALID_STRING, spec,
				   "contains a NUL byte");
	if (spec->max_len && len > spec->max_len)
		return too_long(err, spec, len);
	char *copy = rc_proto_arena_strndup(arena, json_string_value(v), len);
	if (!copy)
		return out_of_memory(err);
	*SLOT(msg, spec, cstr) = copy;
	return 0;
}

static int decode_payload(const struct field_spec *spec, json_t *v, struct rc_msg *msg,
			  struct rc_proto_arena *arena, struct rc_error *err)
{
	if (json_is_string(v))
		return decode_string(spec, v, msg, arena, err);
	size_t len;
	char *text = rc_proto_payload_text(v, arena, &len);
	if (!text)
		return out_of_memory(err);
	if (len > spec->max_len)
		return too_long(err, spec, len);
	*SLOT(msg, spec, cstr) = text;
	return 0;
}

static int decode_number(const struct field_spec *spec, json_t *v, struct rc_msg *msg, struct rc_error *err)
{
	if (!json_is_integer(v))
		return wrong_type(err, spec);
	json_int_t n = json_integer_value(v);
	if (n < spec->min || n > spec->max)
		return out_of_range(err, spec);
	if (spec->kind == FIELD_U64)
		*SLOT(msg, spec, uint64_t) = (uint64_t)n;
	else
		*SLOT(msg, spec, int) = (int)n;
	return 0;
}

static int decode_field(const struct field_spec *spec, json_t *v, struct rc_msg *msg,
			struct rc_proto_arena *arena, struct rc_error *err)
{
	switch (spec->kind) {
	case FIELD_STRING: return decode_string(spec, v, msg, arena, err);
	case FIELD_PAYLOAD: return decode_payload(spec, v, msg, arena, err);
	case FIELD_U64:
	case FIELD_INT: return decode_number(spec, v, msg, err);
	case FIELD_BOOL:
		if (!json_is_boolean(v))
			return wrong_type(err, spec);
		*SLOT(msg, spec, bool) = json_is_true(v);
		return 0;
	}
	assert(!"unknown field kind");
	return RC_STATUS_INTERNAL;
}

#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define MAX_BODY_FIELDS 8 /* the longest table above has 5 */

/* Which fields of a body held a number jansson cannot hold, and how. */
enum { OVER_NESTED = 1, OVER_WHOLE_INTEGER = 2 };
struct overflows {
	const struct body_spec *bs;
	unsigned char marks[MAX_BODY_FIELDS];
};

static void note_overflow(void *ctx, const char *key, size_t key_len, bool whole_integer)
{
	struct overflows *ov = ctx;
	json_t *k = json_loadb(key, key_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	for (size_t i = 0; json_is_string(k) && i < ov->bs->n_fields; i++)
		if (json_string_length(k) == strlen(ov->bs->fields[i].name) &&
		    strcmp(json_string_value(k), ov->bs->fields[i].name) == 0)
			ov->marks[i] |= whole_integer ? OVER_WHOLE_INTEGER : OVER_NESTED;
	json_decref(k);
}

/* The body read again with every number jansson cannot hold set aside and
 * noted in ov. Returns 0 with *root (NULL: jerr says why), or 400 when such
 * a number stands outside the members of an object, or 500. */
static int load_past_overflows(const char *body, size_t body_len, struct overflows *ov, json_t **root,
			       json_error_t *jerr, struct rc_error *err)
{
	char *copy = malloc(body_len + 1);
	if (!copy)
		return out_of_memory(err);
	memcpy(copy, body, body_len);
	copy[body_len] = '\0';
	int found = rc_proto_set_aside_overflows(copy, body_len, note_overflow, ov);
	*root = found == 0 ? json_loadb(copy, body_len, LOAD_FLAGS, jerr) : NULL;
	free(copy);
	if (found != 0)
		return rc_error_set(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_MALFORMED_JSON, "body must be a JSON object");
	return 0;
}

/* Parse the body into a JSON object (*root), noting in ov the fields that
 * held numbers jansson cannot hold. Returns 0, or 400 malformed_json / 500
 * with err filled. */
static int parse_object(const char *body, size_t body_len, struct overflows *ov, json_t **root,
			struct rc_error *err)
{
	json_error_t jerr;
	if (body_len == 0 && ov->bs->empty_is_object) {
		*root = json_object();
		return *root ? 0 : out_of_memory(err);
	}
	*root = json_loadb(body ? body : "", body_len, LOAD_FLAGS, &jerr);
	if (!*root && json_error_code(&jerr) == json_error_numeric_overflow) {
		int status = load_past_overflows(body, body_len, ov, root, &jerr, err);
		if (status != 0)
			return status;
	}
	if (!*root)
		return rc_error_set(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_MALFORMED_JSON,
				    "body is not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return rc_error_set(err, RC_STATUS_BAD_REQUEST, RC_PROTO_E_MALFORMED_JSON,
				    "body must be a JSON object");
	}
	return 0;
}

/* A field that held a number jansson cannot hold: as an integer field's
 * whole value, out of its range; anywhere in a payload, a value that cannot
 * be kept as written; otherwise a value of the wrong type. */
static int overflow_error(const struct field_spec *spec, unsigned marks, struct rc_error *err)
{
	bool integer_field = spec->kind == FIELD_U64 || spec->kind == FIELD_INT;
	if (integer_field && (marks & OVER_WHOLE_INTEGER))
		return out_of_range(err, spec);
	if (spec->kind == FIELD_PAYLOAD)
		return field_error(err, RC_STATUS_UNPROCESSABLE, RC_PROTO_E_INVALID_VALUE, spec,
				   "holds a number past 64-bit integers and doubles");
	return wrong_type(err, spec);
}

static void set_defaults(const struct body_spec *bs, struct rc_msg *msg)
{
	for (size_t i = 0; i < bs->n_fields; i++)
		if (bs->fields[i].kind == FIELD_BOOL)
			*SLOT(msg, &bs->fields[i], bool) = bs->fields[i].default_true;
}

/* Absent or null (a payload's null is a value). */
static bool field_absent(const struct field_spec *spec, json_t *v)
{
	return !v || (json_is_null(v) && spec->kind != FIELD_PAYLOAD);
}

/* A required field the body does not give: absent or null, or an empty
 * string (which names nothing). */
static bool field_missing(const struct field_spec *spec, json_t *v)
{
	return field_absent(spec, v) || (spec->kind == FIELD_STRING && json_is_string(v) && json_string_length(v) == 0);
}

int rc_proto_body_decode(const struct rc_proto_route *route, const char *body, size_t body_len,
			 struct rc_msg *msg, struct rc_proto_arena *arena, struct rc_error *err)
{
	if (!route->has_body)
		return 0;
	struct body_spec bs = body_spec_of(route->op);
	assert(bs.n_fields <= MAX_BODY_FIELDS);
	set_defaults(&bs, msg);
	json_t *root;
	struct overflows ov = { &bs, { 0 } };
	int parsed = parse_object(body, body_len, &ov, &root, err);
	if (parsed != 0)
		return parsed;

	struct rc_error missing;
	rc_error_clear(&missing);
	int status = 0;
	for (size_t i = 0; i < bs.n_fields && status == 0; i++) {
		const struct field_spec *spec = &bs.fields[i];
		json_t *v = json_object_get(root, spec->name);
		if (ov.marks[i])
			status = overflow_error(spec, ov.marks[i], err);
		else if (spec->required && field_missing(spec, v))
			rc_error_add_field(&missing, spec->name);
		else if (!field_absent(spec, v))
			status = decode_field(spec, v, msg, arena, err);
	}
	json_decref(root);
	if (status == 0 && missing.fields[0]) {
		rc_error_set(err, RC_STATUS_UNPROCESSABLE, RC_PROTO_E_MISSING_FIELDS, "required field%s missing",
			     missing.fields[1] ? "s" : "");
		for (int i = 0; i < RC_ERROR_MAX_FIELDS && missing.fields[i]; i++)
			rc_error_add_field(err, missing.fields[i]);
		status = RC_STATUS_UNPROCESSABLE;
	}
	return status;
}

/* The JSON value of one field of msg (NULL when it cannot be represented);
 * *skip says the field is an absent optional one and is left out. */
static json_t *encode_field(const struct field_spec *spec, const struct rc_msg *msg, bool *skip)
{
	*skip = false;
	switch (spec->kind) {
	case FIELD_STRING:
	case FIELD_PAYLOAD: {
		const char *s = *CSLOT(msg, spec, cstr);
		*skip = s == NULL;
		return s ? json_string(s) : NULL;
	}
	case FIELD_U64: {
		uint64_t v = *CSLOT(msg, spec, uint64_t);
		*skip = !spec->required && v == 0;
		return v <= (uint64_t)RC_PROTO_MAX_ID ? json_integer((json_int_t)v) : NULL;
	}
	case FIELD_INT: {
		int v = *CSLOT(msg, spec, int);
		*skip = !spec->required && v == 0;
		return json_integer(v);
	}
	case FIELD_BOOL: return json_boolean(*CSLOT(msg, spec, bool));
	}
	assert(!"unknown field kind");
	return NULL;
}

json_t *rc_proto_body_encode(const struct rc_msg *msg)
{
	struct body_spec bs = body_spec_of(msg->op);
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < bs.n_fields; i++) {
		bool skip;
		json_t *v = encode_field(&bs.fields[i], msg, &skip);
		if (skip) {
			json_decref(v);
			continue;
		}
		if (rc_proto_set(obj, bs.fields[i].name, v) != 0) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return obj;
}
