/*
 * scn_duration.c - durations and seed ranges as scenarios and the CLI write them.
 *
 * "90s", "2m30s", "1h", "1500ms", "0"; a bare number is milliseconds. Units
 * may be chained largest first, up to a year and a day. Anything else is an
 * error, never a guess.
 * Formatting is the inverse, so a time printed in a failure message can be
 * pasted back into a scenario file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "scn.h"

/* isalpha() in the C locale the program runs in */
static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The unit at *p (ms, s, m, h or d), when no letter follows it: advances *p
 * past it and sets *mult. By a switch rather than strncmp per unit:
 * exploration reads every instant of every generated scenario. */
static int unit_ms(const char **p, int64_t *mult)
{
	const char *at = *p;
	size_t n = 1;
	switch (at[0]) {
	case 'm':
		if (at[1] == 's') {
			n = 2;
			*mult = 1;
		} else {
			*mult = 60000;
		}
		break;
	case 's': *mult = 1000; break;
	case 'h': *mult = 3600000; break;
	case 'd': *mult = 86400000; break;
	default: return -1;
	}
	if (is_letter(at[n]))
		return -1; /* "1min", "2msx": not a unit */
	*p += n;
	return 0;
}

int scn_parse_duration(const char *text, int64_t *out_ms)
{
	if (!text || !*text)
		return -1;
	const char *p = text;
	/* Past the limit the sum only has to stay past it: each number and the
	 * total saturate just above it, so no length of digits overflows, and
	 * the rest of the text is still checked for form. */
	const int64_t past = SCN_DURATION_MAX_MS + 1;
	int64_t total = 0, last_mult = INT64_MAX;
	while (*p) {
		/* the digit's value, tested once: above 9 for any other character */
		unsigned digit = (unsigned)(unsigned char)*p - '0';
		if (digit > 9)
			return -1;
		int64_t n = 0;
		do {
			n = n >= past ? past : n * 10 + digit;
			digit = (unsigned)(unsigned char)*++p - '0';
		} while (digit <= 9);
		int64_t mult = 1;
		if (*p == '\0') {
			if (last_mult != INT64_MAX)
				return -1; /* digits after a unit: "2m30" is ambiguous, refuse */
		} else if (unit_ms(&p, &mult) != 0 || mult >= last_mult) {
			return -1;
		}
		total = n >= past / mult + 1 ? past : total + n * mult;
		if (total > past)
			total = past;
		last_mult = mult;
	}
	if (total > SCN_DURATION_MAX_MS)
		return -2;
	*out_ms = total;
	return 0;
}

/* Appends the decimal digits of v at out; returns the end. */
static char *put_decimal(char *out, uint64_t v)
{
	char digits[20];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = digits[--n];
	return out;
}

/* Appends v (below 1000) and its unit; returns the end. */
static char *put_part(char *out, unsigned v, const char *unit)
{
	if (v >= 100)
		*out++ = (char)('0' + v / 100);
	if (v >= 10)
		*out++ = (char)('0' + v / 10 % 10);
	*out++ = (char)('0' + v % 10);
	while (*unit)
		*out++ = *unit++;
	return out;
}

char *scn_format_duration(int64_t ms, char *buf, size_t n)
{
	/* By hand rather than snprintf: exploration prints every instant of
	 * every generated scenario. Below an hour every part fits 32 bits. */
	char text[32]; /* at most "-", 13 digits of hours, "h59m59s999ms" */
	char *start = n >= sizeof text ? buf : text, *out = start;
	/* INT64_MIN has no positive counterpart; nothing in a run is that far off */
	uint64_t left = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	if (ms < 0)
		*out++ = '-';
	if (left == 0) {
		*out++ = '0';
		*out++ = 's';
	}
	if (left >= 3600000) {
		out = put_decimal(out, left / 3600000);
		*out++ = 'h';
	}
	unsigned rest = (unsigned)(left % 3600000);
	if (rest >= 60000)
		out = put_part(out, rest / 60000, "m");
	if (rest / 1000 % 60)
		out = put_part(out, rest / 1000 % 60, "s");
	if (rest % 1000)
		out = put_part(out, rest % 1000, "ms");
	size_t len = (size_t)(out - start);
	if (start == text) { /* copy, cut as snprintf would */
		if (len >= n)
			len = n - 1;
		memcpy(buf, text, len);
	}
	buf[len] = '\0';
	return buf;
}

static int parse_seed(const char *text, const char **end, uint64_t *out)
{
	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	char *e;
	unsigned long long v = strtoull(text, &e, 10);
	if (errno != 0)
		return -1;
	*out = (uint64_t)v;
	*end = e;
	return 0;
}

int scn_parse_seed_range(const char *text, uint64_t *first, uint64_t *last)
{
	const char *p;
	uint64_t a, b;
	if (!text || parse_seed(text, &p, &a) != 0)
		return -1;
	b = a;
	if (*p == '-' && parse_seed(p + 1, &p, &b) != 0)
		return -1;
	if (*p != '\0' || b < a)
		return -1;
	*first = a;
	*last = b;
	return 0;
}
