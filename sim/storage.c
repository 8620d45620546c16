/*
 * storage.c - the coordinator's durable records, as a disk would keep them.
 *
 * The coordinator core says what to persist (RC_FX_RUNNER_SAVED, _TASK_SAVED,
 * _SANDBOX_SAVED); the driver snapshots the record as it is after the call
 * (or its deletion when it is gone). Without storage faults every write is
 * durable at once. In lossy mode writes wait in a log, oldest first; a sync
 * makes the whole log durable (the driver syncs before a reply leaves the
 * coordinator, so nothing acknowledged can be lost); a crash keeps a random
 * prefix of the log and loses the rest, as a disk that wrote some pages.
 * On restart the durable records are fed back in insertion order.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "sim_internal.h"

void sim_copy_id(char dst[RC_RUNNER_ID_BUF], const char *src)
{
	size_t n = src ? strnlen(src, RC_RUNNER_ID_LEN) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void sim_storage_init(struct sim_storage *s, uint64_t seed, const char *secret)
{
	memset(s, 0, sizeof *s);
	for (int k = 0; k < 3; k++)
		sim_map_init(&s->tables[k].index);
	rc_rng_split(&s->rng, seed, STREAM_STORAGE);
	s->secret = sim_xstrdup(secret);
}

static void set_str(char **dst, const char *src)
{
	if (*dst && src && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = src ? sim_xstrdup(src) : NULL;
}

static void item_free(struct sim_store_item *it)
{
	if (it->kind == STORE_RUNNER) {
		free(it->u.runner.hostname);
		free(it->u.runner.project_dir);
		free(it->u.runner.executor_type);
		free(it->u.runner.instance_token);
	} else if (it->kind == STORE_TASK) {
		free(it->u.task.kind);
		free(it->u.task.payload);
		free(it->u.task.result);
	} else {
		free(it->u.sandbox);
	}
	memset(&it->u, 0, sizeof it->u);
}

void sim_storage_free(struct sim_storage *s)
{
	for (int k = 0; k < 3; k++) {
		struct sim_store_table *t = &s->tables[k];
		for (size_t i = 0; i < t->len; i++)
			item_free(&t->items[i]);
		free(t->items);
		sim_map_free(&t->index);
	}
	for (size_t i = 0; i < s->log_len; i++)
		item_free(&s->log[i]);
	free(s->log);
	free(s->secret);
}

static uint64_t item_key(const struct sim_store_item *it)
{
	switch (it->kind) {
	case STORE_RUNNER: return rc_identity_runner_key(it->u.runner.id);
	case STORE_TASK: return it->u.task.id;
	case STORE_SANDBOX: return it->u.sandbox->id;
	}
	return 0;
}

/* Copy src's fields into dst, reusing dst's strings when equal. Strings are
 * compared by content, never by address: an earlier version skipped the
 * compare when the coordinator's pointer had not changed since the last
 * copy, and a freed and reused address then kept a stale instance token on
 * "disk" (a restart restored it, and a run was not reproducible). */
static void copy_fields(struct sim_store_item *dst, const struct sim_store_item *src)
{
	switch (src->kind) {
	case STORE_RUNNER: {
		struct rc_runner_record *d = &dst->u.runner;
		const struct rc_runner_record *r = &src->u.runner;
		char *h = d->hostname, *p = d->project_dir, *e = d->executor_type, *t = d->instance_token;
		*d = *r;
		d->hostname = h, d->project_dir = p, d->executor_type = e, d->instance_token = t;
		set_str(&d->hostname, r->hostname);
		set_str(&d->project_dir, r->project_dir);
		set_str(&d->executor_type, r->executor_type);
		set_str(&d->instance_token, r->instance_token);
		break;
	}
	case STORE_TASK: {
		struct rc_task *d = &dst->u.task;
		const struct rc_task *r = &src->u.task;
		char *k = d->kind, *p = d->payload, *res = d->result;
		*d = *r;
		d->kind = k, d->payload = p, d->result = res;
		set_str(&d->kind, r->kind);
		set_str(&d->payload, r->payload);
		set_str(&d->result, r->result);
		break;
	}
	case STORE_SANDBOX:
		if (!dst->u.sandbox)
			dst->u.sandbox = sim_xrealloc(NULL, sizeof *dst->u.sandbox);
		*dst->u.sandbox = *src->u.sandbox;
		break;
	}
}

static void compact(struct sim_store_table *t)
{
	size_t kept = 0;
	sim_map_free(&t->index);
	for (size_t i = 0; i < t->len; i++) {
		if (!t->items[i].live)
			continue;
		t->items[kept] = t->items[i];
		sim_map_put(&t->index, item_key(&t->items[kept]), (uint32_t)kept);
		kept++;
	}
	t->len = kept;
	t->dead = 0;
}

/* Make one write durable. src's strings are only read. */
static void apply(struct sim_storage *s, const struct sim_store_item *src)
{
	struct sim_store_table *t = &s->tables[src->kind];
	uint64_t key = item_key(src);
	uint32_t idx = sim_map_get(&t->index, key);
	if (!src->live) {
		if (idx == SIM_MAP_NONE)
			return;
		item_free(&t->items[idx]);
		t->items[idx].live = false;
		sim_map_del(&t->index, key);
		if (++t->dead > 64 && t->dead * 2 > t->len)
			compact(t);
		return;
	}
	if (idx == SIM_MAP_NONE) {
		SIM_GROW(t->items, t->cap, t->len + 1);
		idx = (uint32_t)t->len++;
		memset(&t->items[idx], 0, sizeof t->items[idx]);
		t->items[idx].kind = src->kind;
		t->items[idx].live = true;
		sim_map_put(&t->index, key, idx);
	}
	copy_fields(&t->items[idx], src);
}

static void write_item(struct sim_storage *s, const struct sim_store_item *it, bool lossy)
{
	s->writes++;
	if (!lossy) {
		apply(s, it);
		return;
	}
	SIM_GROW(s->log, s->log_cap, s->log_len + 1);
	struct sim_store_item *copy = &s->log[s->log_len++];
	memset(copy, 0, sizeof *copy);
	copy->kind = it->kind;
	copy->live = it->live;
	copy_fields(copy, it);
}

void sim_storage_write_runner(struct sim_storage *s, const struct rc_coord *c, const char *id, bool lossy)
{
	struct sim_store_item it = { .kind = STORE_RUNNER };
	const struct rc_runner_record *rec = rc_coord_find_runner(c, id);
	it.live = rec != NULL;
	if (rec)
		it.u.runner = *rec;
	else
		sim_copy_id(it.u.runner.id, id);
	write_item(s, &it, lossy);
}

void sim_storage_write_task(struct sim_storage *s, const struct rc_coord *c, uint64_t id, bool lossy)
{
	struct sim_store_item it = { .kind = STORE_TASK };
	const struct rc_task *t = rc_coord_find_task(c, id);
	it.live = t != NULL;
	if (t)
		it.u.task = *t;
	it.u.task.id = id;
	write_item(s, &it, lossy);
}

void sim_storage_write_sandbox(struct sim_storage *s, const struct rc_coord *c, uint64_t id, bool lossy)
{
	struct rc_sandbox record = { .id = id };
	struct sim_store_item it = { .kind = STORE_SANDBOX, .u.sandbox = &record };
	const struct rc_sandbox *sb = rc_coord_find_sandbox(c, id);
	it.live = sb != NULL;
	if (sb)
		record = *sb;
	write_item(s, &it, lossy);
}

void sim_storage_set_secret(struct sim_storage *s, const char *secret)
{
	set_str(&s->secret, secret);
}

void sim_storage_sync(struct sim_storage *s)
{
	for (size_t i = 0; i < s->log_len; i++) {
		apply(s, &s->log[i]);
		item_free(&s->log[i]);
	}
	s->log_len = 0;
}

size_t sim_storage_crash(struct sim_storage *s, bool lossy)
{
	if (!lossy || s->log_len == 0) {
		sim_storage_sync(s);
		return 0;
	}
	size_t keep = (size_t)rc_rng_below(&s->rng, s->log_len + 1);
	for (size_t i = 0; i < s->log_len; i++) {
		if (i < keep)
			apply(s, &s->log[i]);
		item_free(&s->log[i]);
	}
	size_t lost = s->log_len - keep;
	s->log_len = 0;
	s->lost += lost;
	return lost;
}

size_t sim_storage_restore(const struct sim_storage *s, struct rc_coord *c)
{
	size_t n = 0;
	for (int k = 0; k < 3; k++) {
		const struct sim_store_table *t = &s->tables[k];
		for (size_t i = 0; i < t->len; i++) {
			const struct sim_store_item *it = &t->items[i];
			if (!it->live)
				continue;
			int rc = k == STORE_RUNNER ? rc_coord_restore_runner(c, &it->u.runner)
			       : k == STORE_TASK   ? rc_coord_restore_task(c, &it->u.task)
						   : rc_coord_restore_sandbox(c, it->u.sandbox);
			n += rc == 0; /* a refusal shows as a count below the durable one */
		}
	}
	return n;
}

size_t sim_storage_count(const struct sim_storage *s, enum sim_store_kind kind)
{
	const struct sim_store_table *t = &s->tables[kind];
	return t->len - t->dead;
}

const struct rc_runner_record *sim_storage_find_runner(const struct sim_storage *s, const char *id)
{
	const struct sim_store_table *t = &s->tables[STORE_RUNNER];
	uint32_t idx = sim_map_get(&t->index, rc_identity_runner_key(id));
	return idx == SIM_MAP_NONE ? NULL : &t->items[idx].u.runner;
}

const struct rc_task *sim_storage_find_task(const struct sim_storage *s, uint64_t id)
{
	const struct sim_store_table *t = &s->tables[STORE_TASK];
	uint32_t idx = sim_map_get(&t->index, id);
	return idx == SIM_MAP_NONE ? NULL : &t->items[idx].u.task;
}
