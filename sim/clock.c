/*
 * clock.c - per-node clocks with skew, drift and jumps; see clock.h.
 */
#include "clock.h"

#include <assert.h>

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t drift_part(const struct sim_clock *c, int64_t u)
{
	return c->drift_ppm ? floor_div(u * (int64_t)c->drift_ppm, 1000000) : 0;
}

void sim_clock_init(struct sim_clock *c)
{
	c->offset_ms = 0;
	c->drift_ppm = 0;
	c->drift_from_ms = 0;
	c->handed_ms = INT64_MIN;
}

int64_t sim_clock_local(const struct sim_clock *c, int64_t t)
{
	return t + c->offset_ms + drift_part(c, t - c->drift_from_ms);
}

int64_t sim_clock_peek(const struct sim_clock *c, int64_t t)
{
	int64_t local = sim_clock_local(c, t);
	return local > c->handed_ms ? local : c->handed_ms;
}

int64_t sim_clock_read(struct sim_clock *c, int64_t t)
{
	c->handed_ms = sim_clock_peek(c, t);
	return c->handed_ms;
}

int64_t sim_clock_when(const struct sim_clock *c, int64_t now, int64_t deadline)
{
	if (deadline == INT64_MAX)
		return INT64_MAX;
	if (sim_clock_peek(c, now) >= deadline)
		return now;
	if (c->drift_ppm == 0)
		return deadline - c->offset_ms; /* > now, since local(now) < deadline */
	/* Solve u + floor(u * ppm / 1e6) >= k for the least u = t - drift_from,
	 * starting from the real-valued answer and correcting the rounding. */
	int64_t k = deadline - c->offset_ms - c->drift_from_ms;
	int64_t u = floor_div(k * 1000000, 1000000 + (int64_t)c->drift_ppm);
	while (u + drift_part(c, u) < k)
		u++;
	while (u - 1 + drift_part(c, u - 1) >= k)
		u--;
	int64_t t = c->drift_from_ms + u;
	return t > now ? t : now;
}

void sim_clock_set_offset(struct sim_clock *c, int64_t t, int64_t offset_ms)
{
	/* A fixed skew replaces both the offset and any drift. */
	c->offset_ms = offset_ms;
	c->drift_from_ms = t;
	c->drift_ppm = 0;
}

void sim_clock_jump(struct sim_clock *c, int64_t t, int64_t delta_ms)
{
	(void)t;
	c->offset_ms += delta_ms;
}

void sim_clock_set_drift(struct sim_clock *c, int64_t t, int32_t ppm)
{
	assert(ppm > -1000000);
	/* Fold the drift so far into the offset, then drift anew from t. */
	c->offset_ms += drift_part(c, t - c->drift_from_ms);
	c->drift_from_ms = t;
	c->drift_ppm = ppm;
}

int64_t sim_clock_settle(struct sim_clock *c, int64_t t)
{
	int64_t local = sim_clock_local(c, t);
	if (c->handed_ms == INT64_MIN || c->handed_ms <= local)
		return 0;
	int64_t shift = c->handed_ms - local;
	c->offset_ms += shift;
	return shift;
}
