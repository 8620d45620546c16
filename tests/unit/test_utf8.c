/*
 * test_utf8.c - the UTF-8 checks against jansson, which has the last word on
 * what a JSON body can hold.
 */
#include <jansson.h>
#include <string.h>

#include "unit.h"
#include "utf8.h"

/* Every case is also given to json_stringn: the two must agree. */
static void expect_valid(const char *s, size_t len, bool want)
{
	CU_ASSERT_EQUAL(rc_utf8_valid(s, len), want);
	json_t *j = json_stringn(s, len);
	CU_ASSERT_EQUAL(j != NULL, want);
	json_decref(j);
}

static void test_valid_and_invalid(void)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{ "", true },
		{ "echo hi", true },
		{ "caf\xc3\xa9", true },                 /* U+00E9 */
		{ "\xe2\x82\xac", true },                /* U+20AC */
		{ "\xf0\x9f\x98\x80", true },            /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", true },            /* U+10FFFF */
		{ "echo \xff", false },                  /* never a UTF-8 byte */
		{ "\xc3", false },                       /* cut short */
		{ "\xe2\x82", false },                   /* cut short */
		{ "\x80", false },                       /* lone continuation */
		{ "\xc0\xaf", false },                   /* overlong '/' */
		{ "\xe0\x80\xaf", false },               /* overlong '/' */
		{ "\xf0\x80\x80\xaf", false },           /* overlong '/' */
		{ "\xed\xa0\x80", false },               /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", false },           /* U+110000 */
		{ "\xc3\x28", false },                   /* bad continuation */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_valid(cases[i].s, strlen(cases[i].s), cases[i].valid);
}

void rc_test_register_utf8(void)
{
	static CU_TestInfo tests[] = {
		{ "valid and invalid sequences, as jansson judges them", test_valid_and_invalid },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("utf8", tests);
}
