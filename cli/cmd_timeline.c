/*
 * cmd_timeline.c - `rollcall timeline FILE -o out.svg`: a run as swimlanes.
 *
 * FILE is a trace (any rollcall JSONL trace; an explore trace also brings
 * its scenario, whose partitions are shaded) or a scenario, which is run
 * with its seed first. Exit 0 written, 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario_load.h"
#include "scn.h"
#include "xp_buf.h"
#include "xp_run.h"
#include "xp_script.h"
#include "xp_timeline.h"

static const char timeline_usage[] =
	"usage: rollcall timeline FILE -o OUT.svg [--from T] [--to T] [--seed N] [--width PX]\n"
	"Draws a run as swimlanes: a lane per node, the coordinator's view of each runner\n"
	"(online, stale, removed) and the node's process as coloured bands, messages as\n"
	"arrows (refused replies red, lost ones crossed), partitions shaded, task\n"
	"processes and refusals labelled, the broken invariant marked, virtual time across.\n"
	"  FILE       a trace (.jsonl) or a scenario (.scn, run with its @seed, else --seed)\n"
	"  --from T, --to T   the window (default: the whole run, or the 20 minutes up to\n"
	"             the violation in a longer run)\n"
	"  --width PX picture width, 400 to 20000 (default 1600)\n"
	"Exit: 0 written, 2 bad input.\n";

struct timeline_opts {
	const char *in, *out;
	struct xp_timeline_opts tl;
	bool have_seed;
	uint64_t seed;
};

static int parse_args(int argc, char **argv, struct timeline_opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' }, { "width", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'f':
		case 't':
			if (rc_cli_parse_duration("timeline", c == 'f' ? "--from" : "--to", optarg, 0,
						  c == 'f' ? &o->tl.from_ms : &o->tl.to_ms) != 0)
				return RC_EXIT_USAGE;
			break;
		case 's':
			if (rc_cli_parse_seed("timeline", optarg, &o->seed) != 0)
				return RC_EXIT_USAGE;
			o->have_seed = true;
			break;
		case 'w':
			if (rc_cli_parse_int("timeline", "--width", optarg, 400, 20000, &o->tl.width) != 0)
				return RC_EXIT_USAGE;
			break;
		case 'h': fputs(timeline_usage, stdout); return -1;
		default:
			fputs(timeline_usage, stderr);
			return rc_cli_usage_error("timeline", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || !o->out) {
		fputs(timeline_usage, stderr);
		return rc_cli_usage_error("timeline", "give one FILE and -o OUT.svg");
	}
	if (o->tl.from_ms >= 0 && o->tl.to_ms >= 0 && o->tl.to_ms <= o->tl.from_ms) {
		char from[32], to[32]; /* an empty window: nothing to draw */
		return rc_cli_usage_error("timeline", "--to %s is not after --from %s",
					  scn_format_duration(o->tl.to_ms, to, sizeof to),
					  scn_format_duration(o->tl.from_ms, from, sizeof from));
	}
	o->in = argv[optind];
	return rc_cli_claim_output_file("timeline", "-o", &o->out);
}

/* A scenario: run it and keep the trace. Returns the trace text or NULL. */
static char *trace_of_scenario(const struct timeline_opts *o, struct xp_script *s, size_t *len, uint64_t *seed)
{
	size_t n;
	char err[200];
	if (rc_check_scenario_file(o->in, "timeline") != RC_EXIT_OK)
		return NULL;
	char *text = scn_read_file(o->in, &n);
	if (!text) {
		rc_cli_usage_error("timeline", "%s: %s", o->in, strerror(errno));
		return NULL;
	}
	int rc = xp_script_parse(text, s, err, sizeof err);
	free(text);
	if (rc != 0) {
		rc_cli_usage_error("timeline", "%s: %s", o->in, err);
		return NULL;
	}
	if (xp_script_seed(s, o->have_seed, o->seed, seed) != 0) {
		rc_cli_pinned_seed_error("timeline", o->in, *seed);
		return NULL;
	}
	char *canon = xp_script_format(s, NULL);
	struct xp_result r;
	char *trace = xp_trace_render(canon, *seed, NULL, &r, len);
	free(canon);
	if (r.status == XP_BAD_INPUT) {
		rc_cli_usage_error("timeline", "%s: %s", o->in, r.diag);
		free(trace);
		return NULL;
	}
	return trace;
}

/* A trace, and its scenario when it carries one. */
static char *read_trace(const struct timeline_opts *o, struct xp_script *s, size_t *len, uint64_t *seed)
{
	char *trace = scn_read_file(o->in, len);
	if (!trace) {
		rc_cli_usage_error("timeline", "%s: %s", o->in, strerror(errno));
		return NULL;
	}
	struct xp_recipe rc;
	char err[600];
	*seed = 0;
	if (xp_recipe_read(o->in, &rc, err, sizeof err) == 0) {
		xp_script_parse(rc.scenario, s, err, sizeof err);
		*seed = rc.seed;
		xp_recipe_free(&rc);
	}
	return trace;
}

int rc_cmd_timeline(int argc, char **argv)
{
	struct timeline_opts o = { .tl = { .from_ms = -1, .to_ms = -1, .width = 1600 } };
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? RC_EXIT_OK : rc;
	struct xp_script s;
	xp_script_init(&s);
	size_t len;
	uint64_t seed;
	char *trace = xp_is_trace_path(o.in) ? read_trace(&o, &s, &len, &seed) : trace_of_scenario(&o, &s, &len, &seed);
	if (!trace) {
		xp_script_free(&s);
		return RC_EXIT_USAGE;
	}
	char title[600], err[200];
	snprintf(title, sizeof title, "%s", o.in);
	if (seed)
		snprintf(title + strlen(title), sizeof title - strlen(title), " (seed %" PRIu64 ")", seed);
	o.tl.title = title;
	char *svg = xp_timeline_svg(trace, len, &s, &o.tl, err, sizeof err);
	free(trace);
	xp_script_free(&s);
	if (!svg)
		return rc_cli_usage_error("timeline", "%s: %s", o.in, err);
	bool ok = xp_write_file(o.out, svg, strlen(svg)) == 0;
	free(svg);
	if (!ok)
		return rc_cli_write_error("timeline", "-o", o.out);
	printf("timeline: wrote %s\n", rc_cli_output_name(o.out));
	return RC_EXIT_OK;
}
