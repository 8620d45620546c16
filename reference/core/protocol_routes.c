/*
 * protocol_routes.c - method + path <-> op, in both directions.
 *
 * One table of routes serves the server (decode: which op is this request,
 * and which ids does its path carry) and the client (encode: the method and
 * path of a message), so the two can never disagree on a path.
 *
 * Matching is segment by segment on the path without its query string. A
 * path that fits a pattern but whose id is not an id in its one written form
 * (a task or sandbox id: canonical decimal 1..2^63-1; a runner id: "lnch_" +
 * 12 lower-case hex) does not fit it, hence 404, with a message that says
 * which id is malformed; a path that fits only under other methods gives 405
 * listing them (also the value of the Allow header).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "identity.h"
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

/* A path id in its one written form: decimal digits, no leading zero (so
 * "/tasks/01" is not task 1 under a second name), 1..RC_PROTO_MAX_ID. */
static bool parse_id(struct span sp, uint64_t *id)
{
	if (sp.len == 0 || sp.len > 19 || sp.s[0] == '0')
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < sp.len; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(sp.s[i] - '0'); /* 19 digits cannot wrap */
	}
	if (v > (uint64_t)RC_PROTO_MAX_ID)
		return false;
	*id = v;
	return true;
}

/* A runner id: the shape every id the coordinator issues has (identity.h).
 * Anything else names no runner, so it is not passed on as one. */
static bool parse_runner_id(struct span sp)
{
	char id[RC_RUNNER_ID_BUF];
	if (sp.len != RC_RUNNER_ID_LEN)
		return false;
	memcpy(id, sp.s, sp.len);
	id[sp.len] = '\0';
	return rc_identity_is_runner_id(id);
}

/* How a path segment fits a pattern segment. */
enum fit { FIT, NO_FIT, BAD_ID };

static enum fit match_segment(struct span pat, struct span seg, struct rc_proto_path_params *params)
{
	bool runner = span_is(pat, PARAM_RUNNER);
	if (!runner && !span_is(pat, PARAM_TASK) && !span_is(pat, PARAM_SANDBOX))
		return pat.len == seg.len && memcmp(pat.s, seg.s, seg.len) == 0 ? FIT : NO_FIT;
	if (seg.len == 0)
		return NO_FIT;
	if (runner ? !parse_runner_id(seg) : !parse_id(seg, &params->id))
		return BAD_ID;
	if (runner) {
		params->runner_id = seg.s;
		params->runner_id_len = seg.len;
	}
	return FIT;
}

/* A path id no route takes: the parameter it stands for, and the segment. */
struct bad_id {
	struct span param, seg;
};

/* FIT, NO_FIT, or BAD_ID when the path fits the pattern but for an id (the
 * first such one is put in *bad). */
static enum fit match_path(const char *pattern, const char *path, size_t path_len,
			   struct rc_proto_path_params *params, struct bad_id *bad)
{
	memset(params, 0, sizeof *params);
	if (path_len == 0 || path[0] != '/')
		return NO_FIT;
	const char *pat_at = pattern + 1, *pat_end = pattern + strlen(pattern);
	const char *path_at = path + 1, *path_end = path + path_len;
	struct span pat, seg;
	enum fit fit = FIT;
	for (;;) {
		bool more_pat = next_segment(&pat_at, pat_end, &pat);
		bool more_path = next_segment(&path_at, path_end, &seg);
		if (!more_pat || !more_path)
			return more_pat == more_path ? fit : NO_FIT;
		enum fit f = match_segment(pat, seg, params);
		if (f == NO_FIT)
			return NO_FIT;
		if (f == BAD_ID && fit == FIT) {
			fit = BAD_ID;
			*bad = (struct bad_id){ pat, seg };
		}
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

/* What the routes say of one path: the route of the method (NULL when the
 * method is NULL or none fits), every method the path is served with, and
 * the first id the path holds in a form no route takes. */
struct lookup {
	const struct rc_proto_route *route;
	char allowed[64];
	bool has_bad_id;
	struct bad_id bad_id;
};

static void look_up(const char *method, const char *path, size_t path_len, struct rc_proto_path_params *params,
		    struct lookup *lk)
{
	memset(lk, 0, sizeof *lk);
	for (size_t i = 0; i < N_ROUTES; i++) {
		struct bad_id bad;
		enum fit fit = match_path(routes[i].pattern, path, path_len, params, &bad);
		if (fit == BAD_ID && !lk->has_bad_id) {
			lk->has_bad_id = true;
			lk->bad_id = bad;
		}
		if (fit != FIT)
			continue;
		if (method && method_matches(method, routes[i].method)) {
			lk->route = &routes[i];
			return;
		}
		append_method(lk->allowed, sizeof lk->allowed, routes[i].method);
	}
	memset(params, 0, sizeof *params);
}

/* The 404 of a path that fits a route but for an id: which id, and why. */
static int bad_id_error(struct rc_error *err, const struct bad_id *bad)
{
	bool runner = span_is(bad->param, PARAM_RUNNER);
	const char *what = runner ? "runner" : span_is(bad->param, PARAM_TASK) ? "task" : "sandbox";
	return rc_error_set(err, RC_STATUS_NOT_FOUND, RC_PROTO_E_NOT_FOUND, "'%.*s%s' in the path is not a %s id (%s)",
			    (int)(bad->seg.len > 32 ? 32 : bad->seg.len), bad->seg.s, bad->seg.len > 32 ? "..." : "",
			    what, runner ? "lnch_ and 12 lower-case hex digits" : "1..2^63-1 in decimal, no leading zero");
}

int rc_proto_route_find(const char *method, const char *path, const struct rc_proto_route **route,
			struct rc_proto_path_params *params, struct rc_error *err)
{
	assert(method && path && route && params);
	size_t path_len = strcspn(path, "?#");
	int shown = (int)(path_len > 64 ? 64 : path_len); /* the message keeps room for the methods */
	struct lookup lk;
	look_up(method, path, path_len, params, &lk);
	*route = lk.route;
	if (lk.route)
		return 0;
	if (lk.allowed[0])
		return rc_error_set(err, RC_STATUS_METHOD_NOT_ALLOWED, RC_PROTO_E_METHOD_NOT_ALLOWED,
				    "%.16s is not allowed on %.*s (allowed: %s)", method, shown, path, lk.allowed);
	if (lk.has_bad_id)
		return bad_id_error(err, &lk.bad_id);
	return rc_error_set(err, RC_STATUS_NOT_FOUND, RC_PROTO_E_NOT_FOUND, "no route for %.16s %.*s", method,
			    (int)(path_len > 100 ? 100 : path_len), path);
}

void rc_proto_allowed_methods(const char *path, char *buf, size_t cap)
{
	assert(path && buf && cap > 0);
	struct rc_proto_path_params params;
	struct lookup lk;
	look_up(NULL, path, strcspn(path, "?#"), &params, &lk);
	snprintf(buf, cap, "%s", lk.allowed);
}

const struct rc_proto_route *rc_proto_route_of(enum rc_op op)
{
	for (size_t i = 0; i < N_ROUTES; i++)
		if (routes[i].op == op)
			return &routes[i];
	return NULL;
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
		/* only an id the decoder takes back: the issued shape */
		if (!msg->runner_id || !rc_identity_is_runner_id(msg->runner_id))
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
