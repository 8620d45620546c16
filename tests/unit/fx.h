/*
 * fx.h - finding effects in an outbox, for the suites that assert on them.
 *
 * Core tests mostly ask "was X emitted, with which fields?"; these helpers
 * answer that in one call so each test says what it checks, not how to scan.
 */
#ifndef RC_UNIT_FX_H
#define RC_UNIT_FX_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

/* The nth (0-based) effect of `kind`, or NULL. Points into ob. */
const struct rc_effect *rc_unit_fx_nth(const struct rc_outbox *ob, enum rc_fx_kind kind, size_t nth);
/* The nth RC_FX_SEND of `op`, or NULL. */
const struct rc_effect *rc_unit_fx_send_nth(const struct rc_outbox *ob, enum rc_op op, size_t nth);
/* The first RC_FX_SEND of `op`, or NULL. */
const struct rc_effect *rc_unit_fx_send(const struct rc_outbox *ob, enum rc_op op);
/* How many RC_FX_SEND of `op`. */
size_t rc_unit_fx_count_send(const struct rc_outbox *ob, enum rc_op op);
/* How many RC_FX_PROC_SIGNAL with this signal for task_id. */
size_t rc_unit_fx_count_signal(const struct rc_outbox *ob, uint64_t task_id, int sig);

#endif
