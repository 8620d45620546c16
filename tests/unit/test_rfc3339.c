/*
 * test_rfc3339.c - the hand-written Gregorian calendar against GNU date.
 *
 * fixtures/rfc3339/vectors.tsv was computed by coreutils `date -u` (see its
 * generate.py), an oracle independent of this code: leap years (2000, 2024,
 * year 0), non-leap centuries (1900, 2100), epoch 0, instants before 1970,
 * the 0000..9999 edges and a spread over the whole range.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc3339.h"
#include "unit.h"

static void expect(int64_t ms, const char *text)
{
	char out[RC_RFC3339_BUF];
	int rc = rc_rfc3339_format(ms, out);
	if (strcmp(text, "-") == 0) {
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_STRING_EQUAL(out, "");
		return;
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out, text);
	if (strcmp(out, text) != 0)
		fprintf(stderr, "rfc3339: %" PRId64 " gave %s, expected %s\n", ms, out, text);
}

static void test_known_instants(void)
{
	expect(0, "1970-01-01T00:00:00.000Z");
	expect(1767225600000LL, "2026-01-01T00:00:00.000Z");
	expect(951782400000LL, "2000-02-29T00:00:00.000Z");
	expect(1709164800000LL + 45296789, "2024-02-29T12:34:56.789Z");
	expect(4107456000000LL + 86400000, "2100-03-01T00:00:00.000Z"); /* no 2100-02-29 */
	expect(-1, "1969-12-31T23:59:59.999Z");
	expect(253402300799999LL, "9999-12-31T23:59:59.999Z");
	expect(253402300800000LL, "-");
	expect(-62167219200000LL, "0000-01-01T00:00:00.000Z");
	expect(-62167219200001LL, "-");
	expect(INT64_MIN, "-");
	expect(INT64_MAX, "-");
}

static void test_vectors_from_gnu_date(void)
{
	FILE *f = fopen(rc_unit_fixture("rfc3339/vectors.tsv"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[128];
	int checked = 0;
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t');
		CU_ASSERT_PTR_NOT_NULL_FATAL(tab);
		*tab = '\0';
		tab[strcspn(tab + 1, "\n") + 1] = '\0';
		expect(strtoll(line, NULL, 10), tab + 1);
		checked++;
	}
	fclose(f);
	CU_ASSERT(checked >= 70);
}

/* Every day of 1999..2001 follows the one before: catches a month table or
 * leap rule error that the vectors might step over. */
static void test_consecutive_days(void)
{
	char prev[RC_RFC3339_BUF], cur[RC_RFC3339_BUF];
	int64_t day_ms = 86400000;
	int64_t start = 915148800000LL; /* 1999-01-01 */
	CU_ASSERT_EQUAL(rc_rfc3339_format(start, prev), 0);
	int days = 0;
	for (int64_t ms = start + day_ms; ms < start + 3 * 366 * day_ms; ms += day_ms, days++) {
		CU_ASSERT_EQUAL_FATAL(rc_rfc3339_format(ms, cur), 0);
		int py, pm, pd, y, m, d;
		CU_ASSERT_EQUAL_FATAL(sscanf(prev, "%4d-%2d-%2d", &py, &pm, &pd), 3);
		CU_ASSERT_EQUAL_FATAL(sscanf(cur, "%4d-%2d-%2d", &y, &m, &d), 3);
		int next_day = (d == pd + 1 && m == pm && y == py);
		int next_month = (d == 1 && m == pm + 1 && y == py);
		int next_year = (d == 1 && m == 1 && pm == 12 && pd == 31 && y == py + 1);
		CU_ASSERT_FATAL(next_day || next_month || next_year);
		memcpy(prev, cur, sizeof cur);
	}
	CU_ASSERT_EQUAL(days, 3 * 366 - 1);
	CU_ASSERT_STRING_EQUAL(prev, "2002-01-02T00:00:00.000Z"); /* 1097 days after 1999-01-01 (GNU date) */
}

void rc_test_register_rfc3339(void)
{
	static CU_TestInfo tests[] = {
		{ "known instants and range edges", test_known_instants },
		{ "vectors from GNU date", test_vectors_from_gnu_date },
		{ "consecutive days 1999-2001", test_consecutive_days },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("rfc3339", tests);
}
