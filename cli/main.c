/*
 * main.c - `rollcall`: dispatch to a subcommand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sim.h"

static const struct rc_cli_command commands[] = {
	{ "id", "print the runner ID of hostname, project dir and executor type", rc_cmd_id },
	{ "sim", "run the random workload in the deterministic simulator", rc_cmd_sim },
	{ "run", "replay scenarios over many seeds in the simulator (the CI gate)", rc_cmd_run },
	{ "explore", "run seed after seed with random faults; save each failure as a scenario", rc_cmd_explore },
	{ "shrink", "shrink a failing scenario or trace to a small scenario that fails the same way", rc_cmd_shrink },
	{ "replay", "run a saved failure (trace or scenario) again; check the trace is byte-identical", rc_cmd_replay },
	{ "timeline", "draw a run (trace or scenario) as an SVG swimlane picture", rc_cmd_timeline },
	{ "conform", "replay scenarios against a live coordinator over HTTP (libfaketime clock)", rc_cmd_conform },
	{ "check-scenario", "parse scenario files and report errors as file:line:col", rc_cmd_check_scenario },
	{ "report", "tick verification checklists from results; write reports/index.html", rc_cmd_report },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	int width = 0; /* the longest name, so every summary starts in one column */
	for (size_t i = 0; i < N_COMMANDS; i++)
		if ((int)strlen(commands[i].name) > width)
			width = (int)strlen(commands[i].name);
	fprintf(out, "usage: rollcall COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-*s %s\n", width, commands[i].name, commands[i].summary);
	fprintf(out, "\n`rollcall COMMAND --help` describes a command; `rollcall --version` prints the\n"
		     "build (the one a trace header names). Exit codes: 0 pass, 1 a check failed,\n"
		     "2 bad usage or bad input.\n");
}

int rc_cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "rollcall %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return RC_EXIT_USAGE;
}

const char *rc_cli_program = "rollcall";

/* Every command ends here: output that could not be written (a full disk,
 * run > /dev/full) lost the results, which is an error of its own (exit 2)
 * whatever the command found. stdout is buffered, so the last write (or
 * the only one) fails only now, at the flush. */
static int finish(const char *command, int rc)
{
	bool failed_before = ferror(stdout);
	if (fflush(stdout) != 0)
		return rc_cli_usage_error(command, "cannot write the standard output: %s", strerror(errno));
	if (failed_before)
		return rc_cli_usage_error(command, "cannot write the standard output: a write to it failed");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 0 && argv[0][0])
		rc_cli_program = argv[0];
	if (argc < 2) {
		usage(stderr);
		return RC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return finish("--help", RC_EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		/* the build a trace header names: replays are byte-identical only on it */
		printf("rollcall %s\n", sim_build_id());
		return finish("--version", RC_EXIT_OK);
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return finish(commands[i].name, commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "rollcall: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return RC_EXIT_USAGE;
}
