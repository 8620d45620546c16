/*
 * duration.c - the CLI's duration and seed parsers, shared with scenario files.
 *
 * The one implementation lives in scn/scn_duration.c so that a duration (or a
 * seed) means the same thing on the command line and in a scenario file.
 */
#include "cli.h"
#include "scn.h"

int rc_cli_parse_duration(const char *text, int64_t *out_ms)
{
	return scn_parse_duration(text, out_ms);
}

int rc_cli_parse_seed(const char *command, const char *text, uint64_t *seed)
{
	uint64_t last;
	if (scn_parse_seed_range(text, seed, &last) != 0 || last != *seed)
		return rc_cli_usage_error(command, "--seed: '%s' is not one seed", text);
	return 0;
}
