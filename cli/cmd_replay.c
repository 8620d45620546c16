/*
 * cmd_replay.c - `rollcall replay FILE`: run a saved failure again and check
 * that the run is the same, byte for byte.
 *
 * FILE is an explore trace (its first line holds the scenario and the seed)
 * or a scenario file. A scenario is compared with the trace saved next to
 * it (same name, .jsonl) when there is one, else it is run twice. The first
 * line that differs is shown with its event number and virtual time.
 * Exit 0 identical, 1 diverged, 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "scenario_load.h"
#include "scn.h"
#include "xp_buf.h"
#include "xp_run.h"
#include "xp_script.h"

static const char replay_usage[] =
	"usage: rollcall replay [--seed N] [--save TRACE] FILE\n"
	"Runs FILE again and verifies that the new trace is byte-identical.\n"
	"  FILE.jsonl  a trace written by rollcall explore: its scenario and seed are\n"
	"              in its first line; the new trace is compared with the file\n"
	"  FILE.scn    a scenario: run with its @seed (else --seed, else the first seed\n"
	"              of its range; a --seed other than its @seed is refused) and\n"
	"              compared with FILE.jsonl next to it, or with a second run when\n"
	"              there is none\n"
	"  --save TRACE  also write the new trace there (replay it later to check that\n"
	"              another build or machine runs the scenario the same way)\n"
	"Exit: 0 identical, 1 diverged, 2 bad input.\n";

static const char *save_path; /* --save */

/* Write the trace of this replay where --save asked. Returns 0 or 2. */
static int save_trace(const char *text, size_t len)
{
	if (!save_path)
		return RC_EXIT_OK;
	if (xp_write_file(save_path, text, len) != 0)
		return rc_cli_write_error("replay", "--save", save_path);
	printf("replay: wrote %s\n", rc_cli_output_name(save_path));
	return RC_EXIT_OK;
}

/* "event E at T" of a trace line, or "" when it has none. */
static void where(const char *line, char *buf, size_t n)
{
	unsigned long long ev;
	long long t;
	const char *e = strstr(line, "\"ev\":"), *tt = strstr(line, "\"t\":");
	if (e && tt && sscanf(e, "\"ev\":%llu", &ev) == 1 && sscanf(tt, "\"t\":%lld", &t) == 1) {
		char d[32];
		snprintf(buf, n, " (event %llu at %s)", ev, scn_format_duration(t, d, sizeof d));
	} else {
		snprintf(buf, n, "%s", "");
	}
}

static void print_outcome(const struct xp_result *r)
{
	char when[32];
	if (r->status == XP_PASS)
		printf("  the run passes (every expectation and invariant held)\n");
	else if (r->status == XP_FAIL)
		printf("  the run fails: %s at %s: %s\n", r->out.what,
		       scn_format_duration(r->out.fail_at_ms, when, sizeof when), r->out.why);
	else
		printf("  the run could not start: %s\n", r->diag);
}

/* Compare and report; returns the exit code. */
static int report(const char *label, const char *saved, size_t saved_len, const char *now, size_t now_len,
		  const struct xp_result *r)
{
	struct xp_diff d;
	xp_diff_texts(saved, saved_len, now, now_len, &d);
	int rc = RC_EXIT_OK;
	if (d.identical) {
		printf("replay: identical to %s (%zu lines, %zu bytes)\n", label, d.lines, now_len);
	} else {
		char at[96];
		where(d.expected[0] ? d.expected : d.actual, at, sizeof at);
		printf("replay: DIVERGED from %s at line %zu%s\n  saved: %s\n  now:   %s\n", label, d.line, at,
		       d.expected, d.actual);
		if (d.line == 2 && strstr(d.expected, "\"build\""))
			printf("  (line 2 is the simulator's header: the trace may come from another build)\n");
		if (d.line_ends)
			printf("  (only the line end differs: the file was saved with CRLF line ends or without "
			       "its final newline)\n");
		rc = RC_EXIT_FAIL;
	}
	print_outcome(r);
	xp_diff_free(&d);
	return rc;
}

static int replay_trace(const char *path)
{
	struct xp_recipe rc;
	char err[600];
	if (xp_recipe_read(path, &rc, err, sizeof err) != 0)
		return rc_cli_usage_error("replay", "%s", err);
	size_t saved_len, now_len;
	char *saved = scn_read_file(path, &saved_len);
	struct xp_result r;
	char *now = xp_trace_render(rc.scenario, rc.seed, rc.params, &r, &now_len);
	int code = RC_EXIT_USAGE;
	if (!saved)
		rc_cli_usage_error("replay", "%s: %s", path, strerror(errno));
	else if (r.status == XP_BAD_INPUT)
		rc_cli_usage_error("replay", "%s: the scenario in its first line is bad: %s", path, r.diag);
	else
		code = report(path, saved, saved_len, now, now_len, &r);
	if (code != RC_EXIT_USAGE && save_trace(now, now_len) != RC_EXIT_OK)
		code = RC_EXIT_USAGE;
	free(saved);
	free(now);
	xp_recipe_free(&rc);
	return code;
}

/* The trace saved next to a scenario: same stem, .jsonl. */
static char *sibling_trace(const char *path)
{
	size_t n = strlen(path);
	if (n < 4 || strcmp(path + n - 4, ".scn") != 0)
		return NULL;
	char *t = xp_alloc(n + 3);
	snprintf(t, n + 3, "%.*s.jsonl", (int)(n - 4), path);
	if (access(t, R_OK) == 0)
		return t;
	free(t);
	return NULL;
}

static int replay_scenario(const char *path, bool have_seed, uint64_t seed)
{
	if (rc_check_scenario_file(path, "replay") != RC_EXIT_OK)
		return RC_EXIT_USAGE;
	size_t len;
	char *text = scn_read_file(path, &len);
	if (!text)
		return rc_cli_usage_error("replay", "%s: %s", path, strerror(errno));
	char err[200];
	struct xp_script s;
	int rc = xp_script_parse(text, &s, err, sizeof err);
	char *canon = rc == 0 ? xp_script_format(&s, NULL) : NULL;
	free(text);
	if (rc != 0)
		return rc_cli_usage_error("replay", "%s: %s", path, err);
	rc = xp_script_seed(&s, have_seed, seed, &seed);
	xp_script_free(&s);
	if (rc != 0) {
		free(canon);
		return rc_cli_pinned_seed_error("replay", path, seed);
	}
	char *trace = sibling_trace(path);
	struct xp_recipe rec = { 0 };
	if (trace && xp_recipe_read(trace, &rec, err, sizeof err) != 0) {
		free(trace);
		trace = NULL;
	}
	struct xp_result r1, r2;
	size_t l1, l2;
	char *now = xp_trace_render(canon, seed, rec.params, &r1, &l1);
	int code;
	if (r1.status == XP_BAD_INPUT) {
		code = rc_cli_usage_error("replay", "%s: %s", path, r1.diag);
	} else if (trace) {
		if (strcmp(rec.scenario, canon) != 0 || rec.seed != seed)
			printf("replay: note: %s was not made from this scenario and seed as they are now\n", trace);
		char *saved = scn_read_file(trace, &l2);
		code = saved ? report(trace, saved, l2, now, l1, &r1) : rc_cli_usage_error("replay", "%s: %s", trace,
												strerror(errno));
		free(saved);
	} else {
		char *again = xp_trace_render(canon, seed, NULL, &r2, &l2);
		char label[64];
		snprintf(label, sizeof label, "a second run (seed %" PRIu64 ")", seed);
		code = report(label, now, l1, again, l2, &r2);
		free(again);
	}
	if (code != RC_EXIT_USAGE && save_trace(now, l1) != RC_EXIT_OK)
		code = RC_EXIT_USAGE;
	free(now);
	free(canon);
	free(trace);
	xp_recipe_free(&rec);
	return code;
}

int rc_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' }, { "save", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	bool have_seed = false;
	uint64_t seed = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(replay_usage, stdout);
			return RC_EXIT_OK;
		}
		if (c == 'S') {
			save_path = optarg;
			if (rc_cli_claim_output_file("replay", "--save", &save_path) != RC_EXIT_OK)
				return RC_EXIT_USAGE;
			continue;
		}
		if (c != 's') {
			fputs(replay_usage, stderr);
			return rc_cli_usage_error("replay", "bad option '%s'", argv[optind - 1]);
		}
		if (rc_cli_parse_seed("replay", optarg, &seed) != 0)
			return RC_EXIT_USAGE;
		have_seed = true;
	}
	if (optind + 1 != argc) {
		fputs(replay_usage, stderr);
		return rc_cli_usage_error("replay", "give exactly one FILE");
	}
	const char *path = argv[optind];
	if (xp_is_trace_path(path) && have_seed)
		return rc_cli_usage_error("replay", "%s: a trace replays the seed it was written with; --seed is for a "
					  "scenario file", path);
	return xp_is_trace_path(path) ? replay_trace(path) : replay_scenario(path, have_seed, seed);
}
