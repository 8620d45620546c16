/*
 * clock.c - CLOCK_REALTIME in milliseconds, made non-decreasing.
 *
 * Read afresh every time so libfaketime's clock file is honoured on the next
 * call. Clamping to the last value returned keeps the core's "time never goes
 * backwards" assertion true even if the system clock is stepped back.
 */
#include "rcd_clock.h"

#include <time.h>

int64_t rcd_now_ms(void)
{
	static int64_t last_ms;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (now_ms < last_ms)
		now_ms = last_ms;
	last_ms = now_ms;
	return now_ms;
}

int rcd_wait_ms(int64_t now_ms, int64_t deadline_ms, int cap_ms)
{
	if (deadline_ms <= now_ms)
		return 0;
	int64_t left_ms = deadline_ms - now_ms;
	return left_ms < cap_ms ? (int)left_ms : cap_ms;
}
