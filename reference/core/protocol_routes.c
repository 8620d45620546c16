/*
 * protocol_routes.c - method + path <-> op, in both directions.
 *
 * One table of routes serves the server (decode: which op is this request,
 * and which ids does its path carry) and the client (encode: the method and
 * path of a message), so the two can never disagree on a path.
 *
 * Matching is segment by segment on the path without its query string. A
 * path that fits a pattern but whose id is not an id (non-numeric, 0, too
 * long) does not fit it, hence 404; a path that fits only under other methods
 * gives 405 listing them.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "protocol_internal.h"

static const struct rc_proto_route routes[] = {
	{ RC_OP_REGISTER, "POST", "/runners/register", true },
	{ RC_OP_HEARTBEAT, "POST", "/runners/{runner}/heartbeat", true },
	{ RC_OP_DEREGISTER, "DELETE", "/runners/{runner}", false },
	{ RC_OP_CLAIM, "POST", "/runners/{runner}/claim", true },
	{ RC_OP_RUNNERS_LIST, "GET", "/runners", false },
	{ RC_OP_TASK_SUBMIT, "POST", "/tasks", true },
	{ RC_OP_TASK_GET, "GET", "/tasks/{task}", false },
	{ RC_OP_TASK_STATUS, "POST", "/tasks/{task}/status", true },
	{ RC_OP_TASK_COMPLETE, "POST", "/tasks/{task}/complete", true },
	{ RC_OP_SANDBOX_CREATE, "POST", "/api/v1/sandboxes", true },
	{ RC_OP_SANDBOX_GET, "GET", "/api/v1/sandboxes/{sandbox}", false },
	{ RC_OP_SANDBOX_DELETE, "DELETE", "/api/v1/sandboxes/{sandbox}", false },
	{ RC_OP_SANDBOX_REPORT, "POST", "/api/v1/sandboxes/{sandbox}/runner-status", true },
	{ RC_OP_HEALTH, "GET", "/health", false },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

#define PARAM_RUNNER "{runner}"
#define PARAM_TASK "{task}"
#define PARAM_SANDBOX "{sandbox}"

/* A piece of text that is not NUL-terminated: a path or pattern segment. */
struct span {
	const char *s;
	size_t len;
};

static bool span_is(struct span sp, const char *word)
{
	return sp.len == strlen(word) && memcmp(sp.s, word, sp.len) == 0;
}

/* Cut the segment starting at *at (just after a '/') up to the next '/' or
 * end; *at moves past it and its '/'. Returns false when nothing is left. */
static bool next_segment(const char **at, const char *end, struct span *seg)
{
	if (!*at)
		return false;
	const char *slash = memchr(*at, '/', (size_t)(end - *at));
	seg->s = *at;
	seg->len = (size_t)((slash ? slash : end) - *at);
	*at = slash ? slash + 1 : NULL;
	return true;
}

/* A path id: decimal digits only, 1..RC_PROTO_MAX_ID. */
static bool parse_id(struct span sp, uint64_t *id)
{
	if (sp.len == 0 || sp.len > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < sp.len; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(sp.s[i] - '0'); /* 19 digits cannot wrap */
	}
	if (v == 0 || v > (uint64_t)RC_PROTO_MAX_ID)
		return false;
	*id = v;
	return true;
}

static bool match_segment(struct span pat, struct span seg, struct rc_proto_path_params *params)
{
	if (span_is(pat, PARAM_RUNNER)) {
		if (seg.len == 0 || seg.len > RC_PROTO_MAX_RUNNER_ID_TEXT)
			return false;
		params->runner_id = seg.s;
		params->runner_id_len = seg.len;
		return true;
	}
	if (span_is(pat, PARAM_TASK) || span_is(pat, PARAM_SANDBOX))
		return parse_id(seg, &params->id);
	return pat.len == seg.len && memcmp(pat.s, seg.s, seg.len) == 0;
}

static bool match_path(const char *pattern, const char *path, size_t path_len,
		       struct rc_proto_path_params *params)
{
	memset(params, 0, sizeof *params);
	if (path_len == 0 || path[0] != '/')
		return false;
	const char *pat_at = pattern + 1, *pat_end = pattern + strlen(pattern);
	const char *path_at = path + 1, *path_end = path + path_len;
	struct span pat, seg;
	for (;;) {
		bool more_pat = next_segment(&pat_at, pat_end, &pat);
		bool more_path = next_segment(&path_at, path_end, &seg);
		if (!more_pat || !more_path)
			return more_pat == more_path;
		if (!match_segment(pat, seg, params))
			return false;
	}
}

/* "POST" or "GET, HEAD, DELETE": the methods the path is served with. */
static void append_method(char *allowed, size_t cap, const char *method)
{
	size_t used = strlen(allowed);
	snprintf(allowed + used, cap - used, "%s%s%s", used ? ", " : "", method,
		 strcmp(method, "GET") == 0 ? ", HEAD" : "");
}

/* HEAD is a GET whose reply body is not sent (RFC 9110, section 9.3.2): it
 * takes every GET route and decodes as that GET; the HTTP layer drops the
 * body. Monitoring probes use it on /health. */
static bool method_matches(const char *method, const char *route_method)
{
	return strcmp(method, route_method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

int rc_proto_route_find(const char *method, const char *path, const struct rc_proto_route **route,
			struct rc_proto_path_params *params, struct rc_error *err)
{
	assert(method && path && route && params);
	size_t path_len = strcspn(path, "?#");
	char allowed[64] = "";
	*route = NULL;
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (!match_path(routes[i].pattern, path, path_len, params))
			continue;
		if (method_matches(method, routes[i].method)) {
			*route = &routes[i];
			return 0;
		}
		append_method(allowed, sizeof allowed, routes[i].method);
	}
	memset(params, 0, sizeof *params);
	if (allowed[0])
		return rc_error_set(err, RC_STATUS_METHOD_NOT_ALLOWED, RC_PROTO_E_METHOD_NOT_ALLOWED,
				    "%.16s is not allowed on %.*s (allowed: %s)", method, (int)(path_len > 64 ? 64 : path_len),
				    path, allowed);
	return rc_error_set(err, RC_STATUS_NOT_FOUND, RC_PROTO_E_NOT_FOUND, "no route for %.16s %.*s", method,
			    (int)(path_len > 100 ? 100 : path_len), path);
}

const struct rc_proto_route *rc_proto_route_of(enum rc_op op)
{
	for (size_t i = 0; i < N_ROUTES; i++)
		if (routes[i].op == op)
			return &routes[i];
	return NULL;
}

/* A runner id the decoder will read back unchanged and any HTTP stack will
 * carry: 1..64 visible ASCII bytes, none of which ends or escapes a segment. */
static bool runner_id_path_safe(const char *id)
{
	if (!id || !*id || strlen(id) > RC_PROTO_MAX_RUNNER_ID_TEXT)
		return false;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("/?#%", *p))
			return false;
	return true;
}

static bool id_path_safe(uint64_t id)
{
	return id > 0 && id <= (uint64_t)RC_PROTO_MAX_ID;
}

/* Append one pattern segment, with its parameter filled from msg, to buf. */
static int build_segment(struct span pat, const struct rc_msg *msg, char *buf, size_t cap, size_t *used)
{
	int n;
	if (span_is(pat, PARAM_RUNNER)) {
		if (!runner_id_path_safe(msg->runner_id))
			return -1;
		n = snprintf(buf + *used, cap - *used, "/%s", msg->runner_id);
	} else if (span_is(pat, PARAM_TASK) || span_is(pat, PARAM_SANDBOX)) {
		uint64_t id = span_is(pat, PARAM_TASK) ? msg->task_id : msg->sandbox_id;
		if (!id_path_safe(id))
			return -1;
		n = snprintf(buf + *used, cap - *used, "/%llu", (unsigned long long)id);
	} else {
		n = snprintf(buf + *used, cap - *used, "/%.*s", (int)pat.len, pat.s);
	}
	if (n < 0 || (size_t)n >= cap - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

int rc_proto_route_build_path(const struct rc_proto_route *route, const struct rc_msg *msg, char *buf,
			      size_t cap)
{
	assert(route && msg && buf);
	if (cap == 0)
		return -1;
	buf[0] = '\0';
	const char *at = route->pattern + 1, *end = route->pattern + strlen(route->pattern);
	size_t used = 0;
	struct span pat;
	while (next_segment(&at, end, &pat))
		if (build_segment(pat, msg, buf, cap, &used) != 0) {
			buf[0] = '\0';
			return -1;
		}
	return 0;
}
