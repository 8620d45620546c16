/*
 * cmd_id.c - `rollcall id`: print a runner's deterministic ID.
 *
 * Useful on its own (what ID will this machine get?) and as the smallest
 * end-to-end check that the CLI and the core agree on identity.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "identity.h"

static const char id_usage[] =
	"usage: rollcall id --hostname H --project-dir D --executor-type E\n"
	"Prints lnch_ + the first 12 hex digits of SHA-256(H:D:E). All three are\n"
	"required and non-empty; values are used byte for byte.\n";

int rc_cmd_id(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hostname", required_argument, NULL, 'H' },
		{ "project-dir", required_argument, NULL, 'D' },
		{ "executor-type", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *props[3] = { NULL, NULL, NULL };
	static const char *const names[3] = { "--hostname", "--project-dir", "--executor-type" };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H': props[0] = optarg; break;
		case 'D': props[1] = optarg; break;
		case 'E': props[2] = optarg; break;
		case 'h': fputs(id_usage, stdout); return RC_EXIT_OK;
		default:
			fputs(id_usage, stderr);
			return rc_cli_usage_error("id", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rc_cli_usage_error("id", "unexpected argument '%s'", argv[optind]);
	for (int i = 0; i < 3; i++)
		if (!props[i] || !*props[i])
			return rc_cli_usage_error("id", "%s is %s (all three properties are required)", names[i],
						  props[i] ? "empty" : "missing");
	char id[RC_RUNNER_ID_BUF];
	if (rc_identity_runner_id(props[0], props[1], props[2], id) != 0)
		return rc_cli_usage_error("id", "cannot compute the ID");
	printf("%s\n", id);
	return RC_EXIT_OK;
}
