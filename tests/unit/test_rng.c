/*
 * test_rng.c - the seeded PRNG: reference output, reproducibility, streams.
 */
#include "rng.h"
#include "unit.h"

static void test_xoshiro_reference_output(void)
{
	/* xoshiro256** from state {1,2,3,4}: published first outputs. */
	struct rc_rng r = { { 1, 2, 3, 4 } };
	CU_ASSERT_EQUAL(rc_rng_next(&r), 11520ULL);
	CU_ASSERT_EQUAL(rc_rng_next(&r), 0ULL);
	CU_ASSERT_EQUAL(rc_rng_next(&r), 1509978240ULL);
	CU_ASSERT_EQUAL(rc_rng_next(&r), 1215971899390074240ULL);
}

static void test_same_seed_same_sequence(void)
{
	struct rc_rng a, b;
	rc_rng_seed(&a, 42);
	rc_rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL_FATAL(rc_rng_next(&a), rc_rng_next(&b));
	rc_rng_seed(&b, 43);
	rc_rng_seed(&a, 42);
	CU_ASSERT_NOT_EQUAL(rc_rng_next(&a), rc_rng_next(&b));
}

static void test_streams_are_independent(void)
{
	struct rc_rng s0, s1, s0_again;
	rc_rng_split(&s0, 7, 0);
	rc_rng_split(&s1, 7, 1);
	rc_rng_split(&s0_again, 7, 0);
	CU_ASSERT_NOT_EQUAL(rc_rng_next(&s0), rc_rng_next(&s1));
	rc_rng_split(&s0, 7, 0);
	/* drawing from stream 1 does not move stream 0 */
	for (int i = 0; i < 10; i++)
		rc_rng_next(&s1);
	CU_ASSERT_EQUAL(rc_rng_next(&s0), rc_rng_next(&s0_again));
}

static void test_below_and_unit_ranges(void)
{
	struct rc_rng r;
	rc_rng_seed(&r, 1);
	int seen[6] = { 0 };
	for (int i = 0; i < 6000; i++) {
		uint64_t x = rc_rng_below(&r, 6);
		CU_ASSERT_FATAL(x < 6);
		seen[x]++;
		double u = rc_rng_unit(&r);
		CU_ASSERT_FATAL(u >= 0.0 && u < 1.0);
	}
	for (int i = 0; i < 6; i++)
		CU_ASSERT(seen[i] > 800 && seen[i] < 1200);
	CU_ASSERT_EQUAL(rc_rng_below(&r, 0), 0);
	CU_ASSERT_EQUAL(rc_rng_below(&r, 1), 0);
}

void rc_test_register_rng(void)
{
	static CU_TestInfo tests[] = {
		{ "xoshiro256** reference output", test_xoshiro_reference_output },
		{ "same seed, same sequence", test_same_seed_same_sequence },
		{ "split streams are independent", test_streams_are_independent },
		{ "below and unit stay in range", test_below_and_unit_ranges },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("rng", tests);
}
