/*
 * rfc3339.c - the Gregorian calendar from epoch milliseconds (see rfc3339.h).
 *
 * Days are first reduced modulo the 400-year Gregorian cycle (146097 days,
 * the same for every 400 consecutive years), then the remaining years and
 * months are walked one by one: at most 400 + 12 steps, obviously correct,
 * and cheap next to JSON encoding.
 */
#include "rfc3339.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MS_PER_DAY 86400000LL
#define DAYS_PER_CYCLE 146097LL /* days in 400 Gregorian years */
#define YEARS_PER_CYCLE 400LL
/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z (checked with GNU
 * date); bounding the input first also keeps the arithmetic below from
 * overflowing near INT64_MIN. */
#define MIN_EPOCH_MS (-62167219200000LL)
#define MAX_EPOCH_MS 253402300799999LL

static bool is_leap_year(long long year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(long long year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/* Floor division and its non-negative remainder, for instants before 1970. */
static long long floor_div(long long a, long long b)
{
	long long q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool rc_rfc3339_in_range(int64_t epoch_ms)
{
	return epoch_ms >= MIN_EPOCH_MS && epoch_ms <= MAX_EPOCH_MS;
}

int rc_rfc3339_format(int64_t epoch_ms, char out[RC_RFC3339_BUF])
{
	out[0] = '\0';
	if (!rc_rfc3339_in_range(epoch_ms))
		return -1;
	long long day = floor_div(epoch_ms, MS_PER_DAY);
	long long ms_of_day = epoch_ms - day * MS_PER_DAY;

	long long cycles = floor_div(day, DAYS_PER_CYCLE);
	long long year = 1970 + cycles * YEARS_PER_CYCLE;
	long long day_of_cycle = day - cycles * DAYS_PER_CYCLE;
	while (day_of_cycle >= (is_leap_year(year) ? 366 : 365)) {
		day_of_cycle -= is_leap_year(year) ? 366 : 365;
		year++;
	}
	int month = 1;
	while (day_of_cycle >= days_in_month(year, month)) {
		day_of_cycle -= days_in_month(year, month);
		month++;
	}

	int hour = (int)(ms_of_day / 3600000);
	int minute = (int)(ms_of_day / 60000 % 60);
	int second = (int)(ms_of_day / 1000 % 60);
	int milli = (int)(ms_of_day % 1000);
	/* Every value is in range by construction; the roomy buffer only spares
	 * the compiler from proving it. */
	char text[128];
	snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", year, month, (int)day_of_cycle + 1,
		 hour, minute, second, milli);
	memcpy(out, text, RC_RFC3339_BUF - 1);
	out[RC_RFC3339_BUF - 1] = '\0';
	return 0;
}
