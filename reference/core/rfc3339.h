/*
 * rfc3339.h - coordinator-clock milliseconds as RFC 3339 UTC text.
 *
 * The runners list reports registered_at and last_heartbeat as
 * "2026-01-01T00:00:00.000Z". The core may not use <time.h> (it never reads a
 * clock, and gmtime would tie it to the C library's calendar), so the
 * proleptic Gregorian calendar is computed here from the epoch milliseconds.
 */
#ifndef RC_RFC3339_H
#define RC_RFC3339_H

#include <stdbool.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" plus the terminating NUL. */
#define RC_RFC3339_BUF 25

/* Write epoch_ms (milliseconds since 1970-01-01T00:00:00Z, may be negative)
 * into out. Returns 0, or -1 when the instant falls outside the years
 * 0000..9999 that RFC 3339 can write (out is then ""). */
int rc_rfc3339_format(int64_t epoch_ms, char out[RC_RFC3339_BUF]);

/* Whether rc_rfc3339_format() can write epoch_ms (years 0000..9999): the
 * coordinator refuses to restore a record time it could not. */
bool rc_rfc3339_in_range(int64_t epoch_ms);

#endif
