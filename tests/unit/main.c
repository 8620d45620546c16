/*
 * main.c - runs every CUnit suite of tests/unit and exits non-zero on failure.
 *
 * CUnit's basic runner returns 0 even when tests fail, so the exit code is
 * computed from the failure counters before the registry is cleaned up.
 * An optional argument runs only the suite of that name.
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

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define X(name) rc_test_register_##name();
	RC_UNIT_SUITES
#undef X
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (argc > 1) {
		CU_pSuite suite = CU_get_suite(argv[1]);
		if (!suite) {
			fprintf(stderr, "unit: no suite named %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		CU_basic_run_suite(suite);
	} else {
		CU_basic_run_tests();
	}
	int failed = CU_get_number_of_tests_failed() || CU_get_number_of_failures();
	unsigned tests_run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (tests_run == 0) {
		fprintf(stderr, "unit: no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
