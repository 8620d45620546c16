/*
 * clock.h - a node's clock on virtual time: skew, drift, jumps, clamped.
 *
 * local(t) = t + offset_ms + floor((t - drift_from_ms) * drift_ppm / 1e6).
 * What a core is handed is max(every value handed before, local(t)), like a
 * monotonic clock: a backwards jump freezes the node's time until local time
 * catches up, so "time never goes backwards for one node" holds while the
 * fault is still visible (deadlines slip, heartbeats pause). The coordinator
 * judges liveness on its own clock only, which is exactly what it is handed.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdint.h>

struct sim_clock {
	int64_t offset_ms;
	int32_t drift_ppm;     /* > -1000000: local time never runs backwards */
	int64_t drift_from_ms; /* virtual time the current drift started */
	int64_t handed_ms;     /* last value handed to the core, INT64_MIN before any */
};

void sim_clock_init(struct sim_clock *c);
/* local(t), not clamped. */
int64_t sim_clock_local(const struct sim_clock *c, int64_t t);
/* What the core would be handed at t (clamped), without recording it. */
int64_t sim_clock_peek(const struct sim_clock *c, int64_t t);
/* What the core is handed at t: clamped and recorded. t must not go back. */
int64_t sim_clock_read(struct sim_clock *c, int64_t t);
/* The earliest virtual time >= now at which the core is handed >= deadline
 * (its own clock); INT64_MAX when deadline is INT64_MAX. */
int64_t sim_clock_when(const struct sim_clock *c, int64_t now, int64_t deadline);

/* Changes at virtual time t. */
void sim_clock_set_offset(struct sim_clock *c, int64_t t, int64_t offset_ms);
void sim_clock_jump(struct sim_clock *c, int64_t t, int64_t delta_ms);
void sim_clock_set_drift(struct sim_clock *c, int64_t t, int32_t ppm);
/* End a freeze: when the core was handed more than local(t) (a backwards
 * skew or jump not yet caught up), move the offset so that local(t) equals
 * what was handed, and the clock runs on from there. Returns the shift (0
 * when the clock was not frozen). */
int64_t sim_clock_settle(struct sim_clock *c, int64_t t);
/* Whether the clock is plain virtual time (no skew, no drift). */
static inline int sim_clock_is_plain(const struct sim_clock *c)
{
	return c->offset_ms == 0 && c->drift_ppm == 0;
}

#endif
