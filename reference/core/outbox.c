/*
 * outbox.c - the growable effect list every core call appends to.
 */
#include "outbox.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void rc_outbox_init(struct rc_outbox *ob)
{
	memset(ob, 0, sizeof *ob);
}

void rc_outbox_free(struct rc_outbox *ob)
{
	free(ob->items);
	rc_outbox_init(ob);
}

void rc_outbox_clear(struct rc_outbox *ob)
{
	ob->len = 0;
}

struct rc_effect *rc_outbox_push(struct rc_outbox *ob, enum rc_fx_kind kind, int64_t at_ms)
{
	assert(ob);
	if (ob->len == ob->cap) {
		size_t cap = ob->cap ? ob->cap * 2 : 16;
		struct rc_effect *items = realloc(ob->items, cap * sizeof *items);
		assert(items && "outbox growth failed");
		ob->items = items;
		ob->cap = cap;
	}
	struct rc_effect *fx = &ob->items[ob->len++];
	memset(fx, 0, sizeof *fx);
	fx->kind = kind;
	fx->at_ms = at_ms;
	return fx;
}

size_t rc_outbox_count(const struct rc_outbox *ob, enum rc_fx_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < ob->len; i++)
		n += ob->items[i].kind == kind;
	return n;
}

static const char *const fx_names[RC_FX_KIND_COUNT] = {
	[RC_FX_RUNNER_STATUS] = "runner-status", [RC_FX_RUNNER_SAVED] = "runner-saved",
	[RC_FX_TASK_STATE] = "task-state",       [RC_FX_TASK_SAVED] = "task-saved",
	[RC_FX_SANDBOX_AUDIT] = "sandbox-audit", [RC_FX_SANDBOX_SAVED] = "sandbox-saved",
	[RC_FX_REJECTED] = "rejected",           [RC_FX_SEND] = "send",
	[RC_FX_PROC_START] = "proc-start",       [RC_FX_PROC_SIGNAL] = "proc-signal",
	[RC_FX_STATE_SAVE] = "state-save",       [RC_FX_EXIT] = "exit",
	[RC_FX_LOG] = "log",
};

const char *rc_fx_kind_name(enum rc_fx_kind kind)
{
	if ((unsigned)kind >= RC_FX_KIND_COUNT)
		return "unknown";
	return fx_names[kind];
}

const char *rc_runner_status_name(enum rc_runner_status s)
{
	switch (s) {
	case RC_RUNNER_ONLINE: return "online";
	case RC_RUNNER_STALE: return "stale";
	case RC_RUNNER_REMOVED: return "removed";
	}
	return "unknown";
}

const char *rc_task_state_name(enum rc_task_state s)
{
	switch (s) {
	case RC_TASK_QUEUED: return "queued";
	case RC_TASK_RUNNING: return "running";
	case RC_TASK_COMPLETED: return "completed";
	case RC_TASK_FAILED: return "failed";
	}
	return "unknown";
}
