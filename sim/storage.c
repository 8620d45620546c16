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
	case STORE_SANDBOX: return it->u.sandbox.id;
	}
	return 0;
}

/* Copy src's fields into dst, reusing dst's strings when equal (a heartbeat
 * rewrites a runner record whose strings never change). With trust, src
 * holds the live coordinator's pointers and unchanged pointers skip the
 * compare; without (log snapshots, whose memory is recycled), every string
 * is compared and no pointer is remembered. */
static void copy_fields(struct sim_store_item *dst, const struct sim_store_item *src, bool trust)
{
	switch (src->kind) {
	case STORE_RUNNER: {
		struct rc_runner_record *d = &dst->u.runner;
		const struct rc_runner_record *r = &src->u.runner;
		char *h = d->hostname, *p = d->project_dir, *e = d->executor_type, *t = d->instance_token;
		*d = *r;
		d->hostname = h, d->project_dir = p, d->executor_type = e, d->instance_token = t;
		const char *from[4] = { r->hostname, r->project_dir, r->executor_type, r->instance_token };
		char **to[4] = { &d->hostname, &d->project_dir, &d->executor_type, &d->instance_token };
		for (int i = 0; i < 4; i++) {
			if (!trust || from[i] != dst->src[i] || !*to[i])
				set_str(to[i], from[i]);
			dst->src[i] = trust ? from[i] : NULL;
		}
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
		dst->u.sandbox = src->u.sandbox;
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

/* Make one write durable. src's strings are only read; trust as in
 * copy_fields. */
static void apply(struct sim_storage *s, const struct sim_store_item *src, bool trust)
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
	copy_fields(&t->items[idx], src, trust);
}

static void write_item(struct sim_storage *s, const struct sim_store_item *it, bool lossy)
{
	s->writes++;
	if (!lossy) {
		apply(s, it, true);
		return;
	}
	SIM_GROW(s->log, s->log_cap, s->log_len + 1);
	struct sim_store_item *copy = &s->log[s->log_len++];
	memset(copy, 0, sizeof *copy);
	copy->kind = it->kind;
	copy->live = it->live;
	copy_fields(copy, it, false);
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
	struct sim_store_item it = { .kind = STORE_SANDBOX };
	const struct rc_sandbox *sb = rc_coord_find_sandbox(c, id);
	it.live = sb != NULL;
	if (sb)
		it.u.sandbox = *sb;
	it.u.sandbox.id = id;
	write_item(s, &it, lossy);
}

void sim_storage_set_secret(struct sim_storage *s, const char *secret)
{
	set_str(&s->secret, secret);
}

void sim_storage_sync(struct sim_storage *s)
{
	for (size_t i = 0; i < s->log_len; i++) {
		apply(s, &s->log[i], false);
		item_free(&s->log[i]);
	}
	s->log_len = 0;
}

void sim_storage_forget_sources(struct sim_storage *s)
{
	struct sim_store_table *t = &s->tables[STORE_RUNNER];
	for (size_t i = 0; i < t->len; i++)
		memset(t->items[i].src, 0, sizeof t->items[i].src);
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
			apply(s, &s->log[i], false);
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
						   : rc_coord_restore_sandbox(c, &it->u.sandbox);
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
