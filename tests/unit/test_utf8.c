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

/* rc_utf8_char_len steps over one character at a time, 0 at a bad byte. */
static void test_char_len(void)
{
	CU_ASSERT_EQUAL(rc_utf8_char_len("a\xc3\xa9", 3), 1);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xc3\xa9x", 3), 2);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xe2\x82\xac", 3), 3);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xf0\x9f\x98\x80", 4), 4);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xe2\x82\xac", 2), 0); /* cut short by len */
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xff", 1), 0);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\x80", 1), 0);
	CU_ASSERT_EQUAL(rc_utf8_char_len("\xed\xa0\x80", 3), 0);
	CU_ASSERT_EQUAL(rc_utf8_char_len("", 0), 0);
}

/* Each cut of "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" (a, U+00E9, U+20AC,
 * U+1F600) falls between characters and stays valid UTF-8. */
static void test_copy_cuts_between_characters(void)
{
	static const char src[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const size_t want_len[] = { 0, 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10 };
	for (size_t cap = 1; cap <= 12; cap++) {
		char dst[16];
		memset(dst, 'z', sizeof dst);
		rc_utf8_copy(dst, cap, src);
		CU_ASSERT_EQUAL(strlen(dst), want_len[cap]);
		CU_ASSERT_EQUAL(memcmp(dst, src, strlen(dst)), 0);
		CU_ASSERT_TRUE(rc_utf8_valid(dst, strlen(dst)));
	}
}

void rc_test_register_utf8(void)
{
	static CU_TestInfo tests[] = {
		{ "valid and invalid sequences, as jansson judges them", test_valid_and_invalid },
		{ "a copy is cut between characters", test_copy_cuts_between_characters },
		{ "one character's length", test_char_len },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("utf8", tests);
}
