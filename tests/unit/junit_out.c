/*
 * junit_out.c - write the result of a CUnit run as JUnit XML.
 *
 * CUnit's own XML is not JUnit, and `rollcall report checklists` ticks items
 * verified by unit tests from JUnit: one <testcase classname="unit.SUITE"
 * name="TEST"> per test that ran, with a <failure> listing every failed
 * assertion (file:line: condition).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "unit.h"

static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

static unsigned failures_of(CU_pTest test)
{
	unsigned n = 0;
	for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext)
		n += r->pTest == test;
	return n;
}

static void write_case(FILE *f, CU_pSuite suite, CU_pTest test)
{
	fputs("  <testcase classname=\"unit.", f);
	xml_text(f, suite->pName);
	fputs("\" name=\"", f);
	xml_text(f, test->pName);
	/* CUnit's basic runner times the whole run, not single tests. */
	fputs("\" time=\"0", f);
	unsigned failed = failures_of(test);
	if (!failed) {
		fputs("\"/>\n", f);
		return;
	}
	fprintf(f, "\">\n    <failure message=\"%u assertion%s failed\">", failed, failed == 1 ? "" : "s");
	for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext) {
		if (r->pTest != test)
			continue;
		xml_text(f, r->strFileName);
		fprintf(f, ":%u: ", r->uiLineNumber);
		xml_text(f, r->strCondition);
		fputc('\n', f);
	}
	fputs("</failure>\n  </testcase>\n", f);
}

static bool selected(const char *name, const char *only)
{
	return !only || strcmp(name, only) == 0;
}

int rc_unit_write_junit(const char *path, const char *only_suite, const char *only_test)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "unit: cannot write %s\n", path);
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"unit\" tests=\"%u\" failures=\"%u\" "
		   "errors=\"0\" time=\"%.3f\">\n",
		CU_get_number_of_tests_run(), CU_get_number_of_tests_failed(), CU_get_elapsed_time());
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
		if (!selected(s->pName, only_suite))
			continue;
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			if (selected(t->pName, only_test))
				write_case(f, s, t);
	}
	fputs("</testsuite>\n", f);
	return fclose(f) == 0 ? 0 : -1;
}
