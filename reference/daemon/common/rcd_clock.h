/*
 * rcd_clock.h - the daemons' one and only clock.
 *
 * The core never reads a clock; the daemons hand it now_ms from here. It is
 * CLOCK_REALTIME read on every call (no caching) so that libfaketime, which
 * the integration tests use to move a running daemon's clock, is seen at once.
 */
#ifndef RCD_CLOCK_H
#define RCD_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch on the (possibly faked) real-time clock, never
 * smaller than a value this function returned before in this process: the
 * core asserts that time never goes backwards, and a stepped system clock
 * must not crash a daemon. Not thread-safe (the daemons are single-threaded). */
int64_t rcd_now_ms(void);

/* Milliseconds from now_ms until deadline_ms, clamped to [0, cap_ms]: the
 * timeout a poll loop waits for. */
int rcd_wait_ms(int64_t now_ms, int64_t deadline_ms, int cap_ms);

#endif
