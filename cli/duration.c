/*
 * duration.c - parse the durations used on the command line and in scenarios.
 *
 * "90s", "2m30s", "1h", "1500ms", "0"; a bare number is milliseconds. Units
 * may be chained largest first. Anything else is an error, never a guess.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

static int unit_ms(const char **p, int64_t *mult)
{
	static const struct { const char *suffix; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].suffix);
		if (strncmp(*p, units[i].suffix, n) == 0 && !isalpha((unsigned char)(*p)[n])) {
			*p += n;
			*mult = units[i].ms;
			return 0;
		}
	}
	return -1;
}

int rc_cli_parse_duration(const char *text, int64_t *out_ms)
{
	if (!text || !*text)
		return -1;
	const char *p = text;
	int64_t total = 0, last_mult = INT64_MAX;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n > (INT64_MAX / 10) - 10)
				return -1;
			n = n * 10 + (*p++ - '0');
		}
		int64_t mult = 1;
		if (*p == '\0') {
			if (p != text + strspn(text, "0123456789"))
				return -1; /* "2m30" is ambiguous: refuse */
		} else if (unit_ms(&p, &mult) != 0 || mult >= last_mult) {
			return -1;
		}
		if (n > INT64_MAX / mult || total > INT64_MAX - n * mult)
			return -1;
		total += n * mult;
		last_mult = mult;
	}
	*out_ms = total;
	return 0;
}
