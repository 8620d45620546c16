/*
 * junit.c - JUnit XML for CI test reporters (GitLab, GitHub actions, Jenkins).
 *
 * The de facto schema those tools read: <testsuites> with one <testsuite>,
 * one <testcase name classname file time> per scenario, and a <failure> (a
 * check failed) or <error> (the scenario could not run) child carrying a
 * one-line message attribute and the full details as text. Everything that
 * comes from a file or a message is escaped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rc_file.h"
#include "run_report.h"
#include "utf8.h"

/* The length of the character at s (left bytes remain) when XML 1.0 allows
 * it, else 0: a control character, a byte that does not start valid UTF-8
 * (a file name, a live target's reply), U+FFFE or U+FFFF. */
static size_t xml_char_length(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;
	if (c < 0x20)
		return c == '\n' || c == '\t' ? 1 : 0;
	size_t n = rc_utf8_char_len(s, left);
	if (n == 3 && memcmp(s, "\xef\xbf", 2) == 0 && (unsigned char)s[2] >= 0xbe)
		return 0;
	return n;
}

/* s escaped, with every character XML 1.0 does not allow written as '?'. */
static void xml_escaped(FILE *f, const char *s)
{
	size_t left = strlen(s);
	while (left > 0) {
		size_t n = xml_char_length(s, left);
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (n)
				fwrite(s, 1, n, f);
			else
				fputc('?', f);
		}
		n = n ? n : 1;
		s += n;
		left -= n;
	}
}

void rc_replay_command(const char *program, const struct rc_scenario_result *r, char *buf, size_t n)
{
	if (r->replay) {
		snprintf(buf, n, "%s", r->replay);
		return;
	}
	buf[0] = '\0';
	rc_cli_append_shell_word(buf, n, program, false);
	size_t used = strlen(buf);
	snprintf(buf + used, n - used, " run --seeds %" PRIu64 " ", r->fail_seed);
	rc_cli_append_shell_word(buf, n, r->s->path, false);
}

/* "path:line: the expectation as written", escaped */
static void write_location(FILE *f, const struct rc_scenario_result *r, const char *where)
{
	xml_escaped(f, r->s->path);
	xml_escaped(f, where);
	fputs(": ", f);
	xml_escaped(f, r->fail.what);
}

/* Facts beyond JUnit, as "key: value" lines that `rollcall report` reads
 * (fixtures/checklists/README.md lists the keys): the seed range, the runs,
 * the simulated time of the longest run and of all runs, the failing seed. */
static void write_facts(FILE *f, const struct rc_scenario_result *r)
{
	fprintf(f, "      <system-out>seeds: %" PRIu64 "-%" PRIu64 "\nruns: %d\nsimulated_ms: %" PRId64
		   "\nsimulated_total_ms: %" PRId64 "\n",
		r->seed_first, r->seed_last, r->runs, r->sim_ms_max, r->sim_ms_total);
	if (r->verdict != RC_VERDICT_PASS)
		fprintf(f, "seed: %" PRIu64 "\n", r->fail_seed);
	fputs("</system-out>\n", f);
}

/* A scenario that could not run here (rollcall conform): no facts, nothing ran. */
static void write_skipped(FILE *f, const struct rc_scenario_result *r)
{
	fputs(">\n      <skipped message=\"", f);
	xml_escaped(f, r->note ? r->note : "");
	fputs("\" />\n    </testcase>\n", f);
}

static void write_case(FILE *f, const char *suite, const struct rc_scenario_result *r, const char *program)
{
	fputs("    <testcase classname=\"", f);
	xml_escaped(f, suite);
	fputs("\" name=\"", f);
	xml_escaped(f, r->name);
	fputs("\" file=\"", f);
	xml_escaped(f, r->s->path);
	fprintf(f, "\" time=\"%.3f\"", r->wall_s);
	if (r->verdict == RC_VERDICT_PASS) {
		fputs(">\n", f);
		write_facts(f, r);
		fputs("    </testcase>\n", f);
		return;
	}
	if (r->verdict == RC_VERDICT_SKIP) {
		write_skipped(f, r);
		return;
	}
	const char *tag = r->verdict == RC_VERDICT_FAIL ? "failure" : "error";
	char where[64] = "", when[32], replay[4200];
	if (r->fail.pos.line)
		snprintf(where, sizeof where, ":%d", r->fail.pos.line);
	rc_replay_command(program, r, replay, sizeof replay);
	fprintf(f, ">\n      <%s type=\"%s\" message=\"", tag,
		r->verdict == RC_VERDICT_FAIL ? "expectation" : "scenario");
	write_location(f, r, where);
	if (!r->note)
		fprintf(f, " -- at %s: ", scn_format_duration(r->fail.fail_at_ms, when, sizeof when));
	else
		fputs(" -- ", f);
	xml_escaped(f, r->note ? r->note : r->fail.why);
	fputs("\">", f);
	fprintf(f, "%d of %d seeds failed; first: seed %" PRIu64 ", at %s\n", r->failed_runs, r->runs,
		r->fail_seed, scn_format_duration(r->fail.fail_at_ms, when, sizeof when));
	write_location(f, r, where);
	fputc('\n', f);
	xml_escaped(f, r->note ? r->note : r->fail.why);
	if (r->detail && r->detail[0]) {
		fputc('\n', f);
		xml_escaped(f, r->detail);
	}
	fputs("\nreplay: ", f);
	xml_escaped(f, replay);
	fprintf(f, "</%s>\n", tag);
	write_facts(f, r);
	fputs("    </testcase>\n", f);
}

int rc_junit_write(const char *path, const struct rc_scenario_result *results, size_t n,
		   const char *program, double wall_s)
{
	return rc_junit_write_named(path, "rollcall run", "rollcall.scenarios", results, n, program, wall_s);
}

/* The whole report, made in memory and then written in one piece: a file
 * at path is replaced whole or not at all (rc_file_replace), as every
 * output file of rollcall is, and rc_cli_claim_output_file checked the
 * way it will be written before anything ran. */
int rc_junit_write_named(const char *path, const char *command, const char *suite,
			 const struct rc_scenario_result *results, size_t n, const char *program, double wall_s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -1;
	int failures = 0, errors = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		failures += results[i].verdict == RC_VERDICT_FAIL;
		errors += results[i].verdict == RC_VERDICT_ERROR;
		skipped += results[i].verdict == RC_VERDICT_SKIP;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<testsuites name=\"", f);
	xml_escaped(f, command);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", n, failures, errors, wall_s);
	fputs("  <testsuite name=\"", f);
	xml_escaped(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n", n, failures,
		errors, skipped, wall_s);
	for (size_t i = 0; i < n; i++)
		write_case(f, suite, &results[i], program);
	fputs("  </testsuite>\n</testsuites>\n", f);
	int rc = fclose(f) == 0 ? rc_file_replace(path, text, len, 0666, 0, NULL, 0) : -1;
	int e = errno;
	free(text);
	errno = e;
	return rc;
}
