/*
 * protocol_runners.c - the body of GET /runners, read through coord.h.
 *
 * {"runners":[{runner_id, hostname, project_dir, executor_type, status,
 *   registered_at, last_heartbeat, seconds_since_heartbeat}]}, in the
 * coordinator's insertion order. Times are the coordinator's clock written
 * as RFC 3339 UTC with milliseconds (rfc3339.h); an instant outside the years
 * 0000..9999 is written as null. seconds_since_heartbeat is
 * floor((now_ms - last_heartbeat_ms) / 1000), the age that the stale and
 * remove thresholds are judged on.
 */
#include <assert.h>

#include "protocol_internal.h"
#include "rfc3339.h"

long long rc_proto_seconds_since(long long now_ms, long long then_ms)
{
	long long age_ms = now_ms - then_ms;
	long long s = age_ms / 1000;
	return (age_ms % 1000 != 0 && age_ms < 0) ? s - 1 : s;
}

static json_t *instant_json(int64_t epoch_ms)
{
	char text[RC_RFC3339_BUF];
	return rc_rfc3339_format(epoch_ms, text) == 0 ? json_string(text) : json_null();
}

json_t *rc_proto_runner_json(const struct rc_runner_record *r, long long now_ms)
{
	assert(r);
	json_t *obj = json_object();
	int failed = rc_proto_set(obj, "runner_id", json_string(r->id));
	failed |= rc_proto_set(obj, "hostname", rc_proto_string_or_null(r->hostname, false));
	failed |= rc_proto_set(obj, "project_dir", rc_proto_string_or_null(r->project_dir, false));
	failed |= rc_proto_set(obj, "executor_type", rc_proto_string_or_null(r->executor_type, false));
	failed |= rc_proto_set(obj, "status", json_string(rc_runner_status_name(r->status)));
	failed |= rc_proto_set(obj, "registered_at", instant_json(r->registered_at_ms));
	failed |= rc_proto_set(obj, "last_heartbeat", instant_json(r->last_heartbeat_ms));
	failed |= rc_proto_set(obj, "seconds_since_heartbeat",
			       json_integer(rc_proto_seconds_since(now_ms, r->last_heartbeat_ms)));
	return rc_proto_built(obj, failed);
}

json_t *rc_proto_runners_json(const struct rc_coord *c, long long now_ms)
{
	assert(c);
	json_t *list = json_array();
	int failed = 0;
	size_t pos = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(c, &pos));)
		failed |= json_array_append_new(list, rc_proto_runner_json(r, now_ms));
	json_t *obj = json_object();
	failed |= rc_proto_set(obj, "runners", rc_proto_built(list, failed));
	return rc_proto_built(obj, failed);
}
