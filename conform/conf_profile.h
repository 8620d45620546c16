/*
 * conf_profile.h - a coordinator's dialect: how each protocol operation is
 * spelled on its wire.
 *
 * `rollcall conform` thinks in the canonical protocol (reference/PROTOCOL.md,
 * the codec in protocol.h). A profile (fixtures/profiles/README.md) maps each
 * operation to the target's method and path template, renames body fields,
 * status words and HTTP status codes, and names the target's timings, so a
 * coordinator that speaks another dialect can be gated without changing it.
 * Requests are encoded canonically first and then translated; replies are
 * translated back to canonical JSON and decoded by the same codec, so a
 * profile changes only the mapping, never what is judged.
 *
 * With no profile file every mapping is the identity (rollcall-coordd).
 */
#ifndef CONF_PROFILE_H
#define CONF_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "protocol.h"

#define CONF_MAX_HEADERS 4

/* The timings the target runs with (scenarios that need others are skipped). */
struct conf_timings {
	int64_t stale_after_ms, remove_after_ms, sweep_interval_ms;
	int64_t task_timeout_ms, monitor_interval_ms, max_attempts;
	int64_t heartbeat_interval_ms, secret_grace_ms;
};

struct conf_profile;

/* The built-in profile: rollcall-coordd's own protocol, identity mappings.
 * Returns NULL only when out of memory. */
struct conf_profile *conf_profile_default(void);
/* Load a profile file. Returns it, or NULL with err filled ("FILE: what is
 * wrong, where"); unknown keys, unknown operations, words or placeholders
 * are errors so a typo never silently keeps a default. */
struct conf_profile *conf_profile_load(const char *path, char *err, size_t err_cap);
void conf_profile_free(struct conf_profile *p);

const char *conf_profile_name(const struct conf_profile *p);
const struct conf_timings *conf_profile_timings(const struct conf_profile *p);
/* After a clock step over a tick, how long the target's answers must stay
 * unchanged before conform takes them as its reaction (0: the target runs
 * due work before answering any request, as rollcall-coordd does). */
int64_t conf_profile_settle_ms(const struct conf_profile *p);
/* How conform rotates a launched target's secret (scenarios' "rotate
 * secret"): CONF_ROTATE_SIGHUP rewrites the secret file it gave the target
 * and sends SIGHUP, as rollcall-coordd expects; with CONF_ROTATE_NONE such
 * scenarios are skipped. The built-in profile says SIGHUP; a loaded one
 * says none unless its target.secret_rotation says "sighup". */
enum conf_rotation { CONF_ROTATE_NONE = 0, CONF_ROTATE_SIGHUP };
enum conf_rotation conf_profile_rotation(const struct conf_profile *p);
/* Whether the target has an operation at all (a profile may leave one out:
 * expectations that need it are then skipped). */
bool conf_profile_has(const struct conf_profile *p, enum rc_op op);

/* A request as it goes on the target's wire. */
struct conf_wire_request {
	enum rc_op op;
	const char *method;      /* static or owned by the profile */
	char path[1024];
	char *body;              /* malloc'd JSON, NULL when there is none */
	int n_headers;
	struct {
		const char *name;    /* owned by the profile */
		char value[300];
	} headers[CONF_MAX_HEADERS];
};
void conf_wire_request_free(struct conf_wire_request *w);

/* Translate a canonical message into the target's dialect. Returns 0, or -1
 * with err filled (the message cannot be encoded, a path does not fit). */
int conf_profile_encode(const struct conf_profile *p, const struct rc_msg *msg, struct conf_wire_request *out,
			char *err, size_t err_cap);

/* Translate the target's reply to op back and decode it. On success returns
 * 0 with reply filled (strings in arena) and, when canonical is non-NULL,
 * *canonical set to the canonical JSON body (a new reference, NULL when the
 * body was empty; the caller decrefs). Returns -1 with err filled when the
 * reply is off-protocol (bad status, not JSON, a field missing or of the
 * wrong type). An error status (>= 400) whose body cannot be read is still
 * a reply: its error code is then "?" and the raw body is the message. */
int conf_profile_decode(const struct conf_profile *p, enum rc_op op, int http_status, const char *body,
			size_t body_len, struct rc_reply *reply, struct rc_proto_arena *arena, json_t **canonical,
			struct rc_error *err);

#endif
