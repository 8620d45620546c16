/*
 * main.c - runs every CUnit suite of tests/unit and exits non-zero on failure.
 *
 * CUnit's basic runner returns 0 even when tests fail, so the exit code is
 * computed from the failure counters before the registry is cleaned up.
 * Arguments: an optional suite name runs only that suite, a suite and a test
 * name only that test (how per-item coverage runs one piece of evidence);
 * --junit FILE also writes the result as JUnit XML (junit_out.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

void rc_unit_add_suite(const char *name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = { { name, NULL, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL };
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "unit: cannot register suite %s: %s\n", name, CU_get_error_msg());
		exit(2);
	}
}

const char *rc_unit_fixture(const char *relative)
{
	static char path[4096];
	const char *root = getenv("RC_FIXTURES");
	snprintf(path, sizeof path, "%s/%s", root ? root : "fixtures", relative);
	return path;
}

static const char unit_usage[] = "usage: unit-tests [--junit FILE] [SUITE [TEST]]\n";

/* Run everything, one suite or one test. Returns 0, or 2 if the suite or
 * test does not exist. */
static int run_selection(const char *suite_name, const char *test_name)
{
	if (!suite_name) {
		CU_basic_run_tests();
		return 0;
	}
	CU_pSuite suite = CU_get_suite(suite_name);
	if (!suite) {
		fprintf(stderr, "unit: no suite named %s\n", suite_name);
		return 2;
	}
	if (!test_name) {
		CU_basic_run_suite(suite);
		return 0;
	}
	CU_pTest test = CU_get_test(suite, test_name);
	if (!test) {
		fprintf(stderr, "unit: no test named \"%s\" in suite %s\n", test_name, suite_name);
		return 2;
	}
	CU_basic_run_test(suite, test);
	return 0;
}

int main(int argc, char **argv)
{
	const char *junit = NULL;
	int arg = 1;
	if (arg + 1 < argc && strcmp(argv[arg], "--junit") == 0) {
		junit = argv[arg + 1];
		arg += 2;
	}
	if (argc - arg > 2 || (arg < argc && argv[arg][0] == '-')) {
		fputs(unit_usage, stderr);
		return 2;
	}
	const char *suite_name = arg < argc ? argv[arg] : NULL;
	const char *test_name = arg + 1 < argc ? argv[arg + 1] : NULL;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define X(name) rc_test_register_##name();
	RC_UNIT_SUITES
#undef X
	CU_basic_set_mode(CU_BRM_NORMAL);
	int rc = run_selection(suite_name, test_name);
	int failed = CU_get_number_of_tests_failed() || CU_get_number_of_failures();
	unsigned tests_run = CU_get_number_of_tests_run();
	if (rc == 0 && junit && rc_unit_write_junit(junit, suite_name, test_name) != 0)
		rc = 2;
	CU_cleanup_registry();
	if (rc != 0)
		return rc;
	if (tests_run == 0) {
		fprintf(stderr, "unit: no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
