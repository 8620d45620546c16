/*
 * registry.c - the runner registry: table, ID index, and the runner lifecycle.
 *
 * Registration, reconnection, heartbeats, deregistration and the sweep that
 * marks silent runners stale and removes them. The table keeps insertion order
 * (listing and sweeping are address independent); an open-addressing index
 * over the ID's key (rc_identity_runner_key) makes a heartbeat one probe
 * sequence and no allocation. Removal (sweep or DELETE) goes through one function so a
 * removed runner's tasks are handled the same way whatever removed it.
 */
#include "coord_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

/* --- table and index --------------------------------------------------------- */

/* The index slot an ID's key starts probing at (Fibonacci hashing: the key's
 * low digits vary most, the multiply spreads them over the high bits). */
static size_t home_slot(const struct rc_registry *reg, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (reg->index_cap - 1);
}

static void index_put(struct rc_registry *reg, size_t pos)
{
	size_t mask = reg->index_cap - 1;
	size_t slot = home_slot(reg, reg->runners[pos].key);
	while (reg->index[slot] >= 0)
		slot = (slot + 1) & mask;
	reg->index[slot] = (int32_t)pos;
}

static void index_rebuild(struct rc_registry *reg)
{
	for (size_t i = 0; i < reg->index_cap; i++)
		reg->index[i] = -1;
	for (size_t pos = 0; pos < reg->len; pos++)
		index_put(reg, pos);
}

struct rc_runner_record *rc_registry_find_key(const struct rc_registry *reg, uint64_t key)
{
	if (!key || reg->index_cap == 0)
		return NULL;
	size_t mask = reg->index_cap - 1;
	for (size_t slot = home_slot(reg, key); reg->index[slot] >= 0; slot = (slot + 1) & mask) {
		struct rc_runner_record *r = &reg->runners[reg->index[slot]];
		/* A tombstone keeps its slot until compaction; a live record with
		 * the same ID cannot exist meanwhile, so skipping it is enough. */
		if (r->key == key && r->status != RC_RUNNER_REMOVED)
			return r;
	}
	return NULL;
}

void rc_coord_prefetch_runner(const struct rc_coord *c, uint64_t key)
{
	const struct rc_registry *reg = &c->registry;
	if (!key || reg->index_cap == 0)
		return;
	__builtin_prefetch(&reg->index[home_slot(reg, key)]);
}

struct rc_runner_record *rc_registry_find(const struct rc_registry *reg, const char *id)
{
	return rc_registry_find_key(reg, rc_identity_runner_key(id));
}

/* Keep the index at least twice the table (a power of two) so probe
 * sequences stay short. */
static int index_fit(struct rc_registry *reg)
{
	if (reg->index_cap >= 2 * reg->cap)
		return 0;
	assert(2 * reg->cap <= INT32_MAX);
	size_t index_cap = reg->index_cap ? reg->index_cap : 1;
	while (index_cap < 2 * reg->cap)
		index_cap *= 2;
	int32_t *index = malloc(index_cap * sizeof *index);
	if (!index)
		return -1;
	free(reg->index);
	reg->index = index;
	reg->index_cap = index_cap;
	index_rebuild(reg);
	return 0;
}

/* Make room for one more record, index included. */
static int registry_reserve(struct rc_registry *reg)
{
	void *runners = reg->runners;
	if (rc_coord_grow(&runners, &reg->cap, reg->len + 1, sizeof *reg->runners) != 0)
		return -1;
	reg->runners = runners;
	return index_fit(reg);
}

int rc_registry_reserve_exact(struct rc_registry *reg, size_t count)
{
	void *runners = reg->runners;
	if (rc_coord_grow_exact(&runners, &reg->cap, count, sizeof *reg->runners) != 0)
		return -1;
	reg->runners = runners;
	return index_fit(reg);
}

struct rc_runner_record *rc_registry_insert(struct rc_registry *reg, const struct rc_runner_record *r)
{
	assert(!rc_registry_find(reg, r->id));
	if (registry_reserve(reg) != 0)
		return NULL;
	size_t pos = reg->len++;
	reg->runners[pos] = *r;
	reg->runners[pos].key = rc_identity_runner_key(r->id);
	index_put(reg, pos);
	return &reg->runners[pos];
}

static void record_free_strings(struct rc_runner_record *r)
{
	free(r->hostname); /* project_dir and executor_type too: see record_dup_strings */
	free(r->instance_token);
	r->hostname = r->project_dir = r->executor_type = r->instance_token = NULL;
}

void rc_registry_compact(struct rc_registry *reg)
{
	if (reg->tombstones == 0 || reg->tombstones * 2 < reg->len)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < reg->len; i++)
		if (reg->runners[i].status != RC_RUNNER_REMOVED)
			reg->runners[kept++] = reg->runners[i];
	reg->len = kept;
	reg->tombstones = 0;
	index_rebuild(reg);
}

void rc_registry_free(struct rc_registry *reg)
{
	for (size_t i = 0; i < reg->len; i++)
		record_free_strings(&reg->runners[i]);
	free(reg->runners);
	free(reg->index);
	memset(reg, 0, sizeof *reg);
}

/* --- removal, shared by the sweep and DELETE ---------------------------------- */

/* Fail the runner's running attempts (as the monitor would), report it
 * removed and leave a tombstone; the caller compacts afterwards. */
static void remove_runner(struct rc_coord *c, struct rc_runner_record *r, struct rc_outbox *ob)
{
	rc_coord_fail_attempts_of(c, r->id, ob);
	rc_coord_fx_runner_status(c, r->id, r->status, RC_RUNNER_REMOVED, ob);
	record_free_strings(r);
	r->status = RC_RUNNER_REMOVED;
	c->registry.tombstones++;
}

void rc_coord_sweep(struct rc_coord *c, struct rc_outbox *ob)
{
	struct rc_registry *reg = &c->registry;
	for (size_t i = 0; i < reg->len; i++) {
		struct rc_runner_record *r = &reg->runners[i];
		if (r->status == RC_RUNNER_REMOVED)
			continue;
		int64_t age_ms = c->now_ms - r->last_heartbeat_ms;
		if (age_ms >= c->cfg.remove_after_ms) {
			remove_runner(c, r, ob);
		} else if (age_ms >= c->cfg.stale_after_ms && r->status == RC_RUNNER_ONLINE) {
			r->status = RC_RUNNER_STALE;
			rc_coord_fx_runner_status(c, r->id, RC_RUNNER_ONLINE, RC_RUNNER_STALE, ob);
			rc_coord_fx_runner_saved(c, r, ob);
		}
	}
	rc_registry_compact(reg);
}

void rc_coord_mark_alive(struct rc_coord *c, struct rc_runner_record *r, bool changed, struct rc_outbox *ob)
{
	enum rc_runner_status was = r->status;
	r->status = RC_RUNNER_ONLINE;
	r->last_heartbeat_ms = c->now_ms;
	if (was != RC_RUNNER_ONLINE)
		rc_coord_fx_runner_status(c, r->id, was, RC_RUNNER_ONLINE, ob);
	if (changed || was != RC_RUNNER_ONLINE)
		rc_coord_fx_runner_saved(c, r, ob);
}

/* --- registration ------------------------------------------------------------- */

/* The three properties first: record_dup_strings packs values[0 .. 2]. */
enum { REG_HOSTNAME, REG_PROJECT_DIR, REG_EXECUTOR_TYPE, REG_INSTANCE_TOKEN, REG_FIELD_COUNT };

static const char *const register_field_names[REG_FIELD_COUNT] = {
	"hostname", "project_dir", "executor_type", "instance_token",
};
static const size_t register_field_limits[REG_FIELD_COUNT] = {
	RC_MAX_HOSTNAME_LEN, RC_MAX_PROJECT_DIR_LEN, RC_MAX_EXECUTOR_TYPE_LEN, RC_MAX_INSTANCE_TOKEN_LEN,
};

static void msg_values(const struct rc_msg *msg, const char *values[REG_FIELD_COUNT])
{
	values[REG_HOSTNAME] = msg->hostname;
	values[REG_PROJECT_DIR] = msg->project_dir;
	values[REG_EXECUTOR_TYPE] = msg->executor_type;
	values[REG_INSTANCE_TOKEN] = msg->instance_token;
}

/* 422 naming every missing field, or the first over-long one; 0 if all fit. */
static int check_register_fields(const char *const values[REG_FIELD_COUNT], struct rc_error *err)
{
	char missing[96] = "";
	for (int i = 0; i < REG_FIELD_COUNT; i++) {
		if (values[i] && values[i][0])
			continue;
		size_t used = strlen(missing);
		snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "", register_field_names[i]);
	}
	if (missing[0]) {
		rc_error_set(err, RC_STATUS_UNPROCESSABLE, "missing_fields", "missing required fields: %s", missing);
		for (int i = 0; i < REG_FIELD_COUNT; i++)
			if (!values[i] || !values[i][0])
				rc_error_add_field(err, register_field_names[i]);
		return RC_STATUS_UNPROCESSABLE;
	}
	for (int i = 0; i < REG_FIELD_COUNT; i++) {
		int status = rc_coord_check_length(err, register_field_names[i], values[i], register_field_limits[i]);
		if (status)
			return status;
	}
	return 0;
}

/* The runner's concurrency: 0 means the default; otherwise 1..RC_MAX_CONCURRENCY. */
static int check_max_concurrency(const struct rc_coord *c, int requested, int *out, struct rc_error *err)
{
	*out = requested == 0 ? c->cfg.default_max_concurrency : requested;
	if (*out >= 1 && *out <= RC_MAX_CONCURRENCY)
		return 0;
	rc_error_set(err, RC_STATUS_UNPROCESSABLE, "invalid_field", "max_concurrency must be 1..%d, got %d",
		     RC_MAX_CONCURRENCY, requested);
	rc_error_add_field(err, "max_concurrency");
	return RC_STATUS_UNPROCESSABLE;
}

/* Set r's four strings to copies of values. The three properties never
 * change (they are the ID), so they share one block that hostname points
 * at; the instance token, replaced when another install reconnects, has its
 * own. Returns 0, or -1 on allocation failure with none of them kept. */
static int record_dup_strings(struct rc_runner_record *r, const char *const values[REG_FIELD_COUNT])
{
	char *props[3];
	r->hostname = r->project_dir = r->executor_type = NULL;
	r->instance_token = rc_coord_strdup(values[REG_INSTANCE_TOKEN]);
	if (r->instance_token && rc_coord_strdup_packed(values, 3, props)) {
		r->hostname = props[REG_HOSTNAME];
		r->project_dir = props[REG_PROJECT_DIR];
		r->executor_type = props[REG_EXECUTOR_TYPE];
		return 0;
	}
	record_free_strings(r);
	return -1;
}

/* Store a record built from r's fields and copies of values. Returns the
 * stored record or NULL (nothing changed) on allocation failure. */
static struct rc_runner_record *store_record(struct rc_coord *c, struct rc_runner_record r,
					     const char *const values[REG_FIELD_COUNT])
{
	if (record_dup_strings(&r, values) != 0)
		return NULL;
	struct rc_runner_record *stored = rc_registry_insert(&c->registry, &r);
	if (!stored)
		record_free_strings(&r);
	return stored;
}

uint64_t rc_coord_new_session(struct rc_coord *c)
{
	uint64_t clock_ms = c->now_ms > 0 ? (uint64_t)c->now_ms : 0;
	uint64_t next = c->last_session + 1;
	c->last_session = next > clock_ms ? next : clock_ms;
	return c->last_session;
}

static struct rc_runner_record *register_new(struct rc_coord *c, const char *id,
					     const char *const values[REG_FIELD_COUNT], int max_concurrency,
					     struct rc_outbox *ob)
{
	struct rc_runner_record r = {
		.status = RC_RUNNER_ONLINE,
		.registered_at_ms = c->now_ms,
		.last_heartbeat_ms = c->now_ms,
		.session = rc_coord_new_session(c),
		.max_concurrency = max_concurrency,
	};
	memcpy(r.id, id, RC_RUNNER_ID_BUF);
	struct rc_runner_record *stored = store_record(c, r, values);
	if (stored) {
		rc_coord_fx_runner_status(c, id, RC_RUNNER_REMOVED, RC_RUNNER_ONLINE, ob);
		rc_coord_fx_runner_saved(c, stored, ob);
	}
	return stored;
}

/* A new session of an existing record: the previous session's process is
 * superseded, so its running attempts are failed (as the monitor would) -
 * otherwise a runner that restarted mid-task and keeps heartbeating would
 * hold that task forever. new_token is NULL when the token did not change. */
static void reconnect(struct rc_coord *c, struct rc_runner_record *r, char *new_token, int max_concurrency,
		      struct rc_outbox *ob)
{
	rc_coord_fail_attempts_of(c, r->id, ob);
	if (new_token) {
		free(r->instance_token);
		r->instance_token = new_token;
	}
	r->session = rc_coord_new_session(c);
	r->max_concurrency = max_concurrency;
	rc_coord_mark_alive(c, r, true, ob);
}

static int internal_error(struct rc_reply *reply, const char *what)
{
	return rc_error_set(&reply->error, RC_STATUS_INTERNAL, "internal", "%s", what);
}

int rc_coord_op_register(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			 struct rc_outbox *ob)
{
	const char *values[REG_FIELD_COUNT];
	msg_values(msg, values);
	int max_concurrency;
	int status = check_register_fields(values, &reply->error);
	if (!status)
		status = check_max_concurrency(c, msg->max_concurrency, &max_concurrency, &reply->error);
	if (!status && c->last_session >= RC_MAX_ID)
		status = rc_coord_ids_exhausted(&reply->error, "session");
	if (status)
		return status;
	char id[RC_RUNNER_ID_BUF];
	if (rc_identity_runner_id_ctx(&c->id_ctx, msg->hostname, msg->project_dir, msg->executor_type, id) != 0)
		return internal_error(reply, "cannot derive the runner id");

	struct rc_runner_record *r = rc_registry_find(&c->registry, id);
	if (r) {
		bool same_install = strcmp(r->instance_token, msg->instance_token) == 0;
		if (!same_install && r->status == RC_RUNNER_ONLINE)
			return rc_error_set(&reply->error, RC_STATUS_CONFLICT, "clone",
					    "runner %s is online with another instance token", id);
		char *new_token = NULL;
		if (!same_install && !(new_token = rc_coord_strdup(msg->instance_token)))
			return internal_error(reply, "out of memory");
		reconnect(c, r, new_token, max_concurrency, ob);
		reply->reconnected = true;
	} else if (!(r = register_new(c, id, values, max_concurrency, ob))) {
		return internal_error(reply, "out of memory");
	}
	memcpy(reply->runner_id, r->id, RC_RUNNER_ID_BUF);
	reply->session = r->session;
	reply->heartbeat_interval_s = c->cfg.heartbeat_interval_s;
	return RC_STATUS_OK;
}

/* --- heartbeat and deregistration -------------------------------------------- */

struct rc_runner_record *rc_coord_session_runner(struct rc_coord *c, const struct rc_msg *msg,
						 struct rc_reply *reply, int *status)
{
	struct rc_runner_record *r = rc_registry_find(&c->registry, msg->runner_id);
	if (!r) {
		*status = rc_error_set(&reply->error, RC_STATUS_NOT_FOUND, "unknown_runner", "no runner %.40s",
				       msg->runner_id ? msg->runner_id : "(none)");
		return NULL;
	}
	if (msg->session != r->session) {
		*status = rc_error_set(&reply->error, RC_STATUS_CONFLICT, "stale_session",
				       "session %" PRIu64 " of runner %s is superseded by session %" PRIu64,
				       msg->session, r->id, r->session);
		return NULL;
	}
	*status = RC_STATUS_OK;
	return r;
}

int rc_coord_op_heartbeat(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			  struct rc_outbox *ob)
{
	int status;
	struct rc_runner_record *r = rc_coord_session_runner(c, msg, reply, &status);
	if (!r)
		return status;
	rc_coord_mark_alive(c, r, false, ob);
	memcpy(reply->runner_id, r->id, RC_RUNNER_ID_BUF);
	reply->session = r->session;
	return RC_STATUS_OK;
}

int rc_coord_op_deregister(struct rc_coord *c, const struct rc_msg *msg, struct rc_reply *reply,
			   struct rc_outbox *ob)
{
	struct rc_runner_record *r = rc_registry_find(&c->registry, msg->runner_id);
	if (!r)
		return rc_error_set(&reply->error, RC_STATUS_NOT_FOUND, "unknown_runner", "no runner %.40s",
				    msg->runner_id ? msg->runner_id : "(none)");
	memcpy(reply->runner_id, r->id, RC_RUNNER_ID_BUF);
	remove_runner(c, r, ob);
	rc_registry_compact(&c->registry);
	return RC_STATUS_OK;
}

/* --- restore -------------------------------------------------------------------- */

static void record_values(const struct rc_runner_record *r, const char *values[REG_FIELD_COUNT])
{
	values[REG_HOSTNAME] = r->hostname;
	values[REG_PROJECT_DIR] = r->project_dir;
	values[REG_EXECUTOR_TYPE] = r->executor_type;
	values[REG_INSTANCE_TOKEN] = r->instance_token;
}

/* The properties and the id they give (id-deterministic): 0, or -1 with the
 * refusal noted. */
static int check_restored_identity(struct rc_coord *c, const struct rc_runner_record *r,
				   const char *const values[REG_FIELD_COUNT])
{
	for (int i = 0; i < REG_FIELD_COUNT; i++)
		if (!values[i] || !values[i][0] || strnlen(values[i], register_field_limits[i] + 1) > register_field_limits[i])
			return rc_coord_restore_refuse(c, register_field_names[i], "is empty or too long");
	char id[RC_RUNNER_ID_BUF];
	if (rc_identity_runner_id_ctx(&c->id_ctx, r->hostname, r->project_dir, r->executor_type, id) != 0 ||
	    strcmp(id, r->id) != 0)
		return rc_coord_restore_refuse(c, "id", "is not the id of its hostname, project_dir and executor_type");
	if (rc_registry_find(&c->registry, r->id))
		return rc_coord_restore_refuse(c, "id", RC_RESTORE_WHY_TWICE);
	return 0;
}

static int check_restored_runner(struct rc_coord *c, const struct rc_runner_record *r,
				 const char *const values[REG_FIELD_COUNT])
{
	static const char *const time_names[] = { "registered_at_ms", "last_heartbeat_ms" };
	const int64_t times[] = { r->registered_at_ms, r->last_heartbeat_ms };
	if (check_restored_identity(c, r, values) != 0)
		return -1;
	if (r->status != RC_RUNNER_ONLINE && r->status != RC_RUNNER_STALE)
		return rc_coord_restore_refuse(c, "status", "is neither online nor stale");
	if (!rc_coord_id_ok(r->session))
		return rc_coord_restore_refuse(c, "session", RC_RESTORE_WHY_ID);
	if (r->max_concurrency < 1 || r->max_concurrency > RC_MAX_CONCURRENCY)
		return rc_coord_restore_refuse(c, "max_concurrency", "is outside 1..64");
	return rc_coord_restore_check_times(c, time_names, times, 2);
}

int rc_coord_restore_runner(struct rc_coord *c, const struct rc_runner_record *r)
{
	const char *values[REG_FIELD_COUNT];
	record_values(r, values);
	rc_coord_restore_begin(c);
	if (check_restored_runner(c, r, values) != 0)
		return -1;
	struct rc_runner_record copy = *r;
	copy.running = 0; /* recounted from the restored running tasks */
	if (!store_record(c, copy, values))
		return -1;
	return rc_coord_restore_session(c, r->session);
}

int rc_coord_restore_session(struct rc_coord *c, uint64_t session)
{
	rc_coord_restore_begin(c);
	if (!rc_coord_id_ok(session))
		return rc_coord_restore_refuse(c, "session", RC_RESTORE_WHY_ID);
	if (session > c->last_session)
		c->last_session = session;
	return 0;
}
