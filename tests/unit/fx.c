/*
 * fx.c - effect lookups shared by the core suites (see fx.h).
 */
#include "fx.h"

const struct rc_effect *rc_unit_fx_nth(const struct rc_outbox *ob, enum rc_fx_kind kind, size_t nth)
{
	for (size_t i = 0; i < ob->len; i++)
		if (ob->items[i].kind == kind && nth-- == 0)
			return &ob->items[i];
	return NULL;
}

const struct rc_effect *rc_unit_fx_send_nth(const struct rc_outbox *ob, enum rc_op op, size_t nth)
{
	for (size_t i = 0; i < ob->len; i++)
		if (ob->items[i].kind == RC_FX_SEND && ob->items[i].msg.op == op && nth-- == 0)
			return &ob->items[i];
	return NULL;
}

const struct rc_effect *rc_unit_fx_send(const struct rc_outbox *ob, enum rc_op op)
{
	return rc_unit_fx_send_nth(ob, op, 0);
}

size_t rc_unit_fx_count_send(const struct rc_outbox *ob, enum rc_op op)
{
	size_t n = 0;
	while (rc_unit_fx_send_nth(ob, op, n))
		n++;
	return n;
}

size_t rc_unit_fx_count_signal(const struct rc_outbox *ob, uint64_t task_id, int sig)
{
	size_t n = 0;
	for (size_t i = 0; i < ob->len; i++) {
		const struct rc_effect *fx = &ob->items[i];
		n += fx->kind == RC_FX_PROC_SIGNAL && fx->task_id == task_id && fx->value == sig;
	}
	return n;
}
