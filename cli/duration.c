/*
 * duration.c - the CLI's duration parser, shared with scenario files.
 *
 * The one implementation lives in scn/scn_duration.c so that a duration means
 * the same thing on the command line and in a scenario file.
 */
#include "cli.h"
#include "scn.h"

int rc_cli_parse_duration(const char *text, int64_t *out_ms)
{
	return scn_parse_duration(text, out_ms);
}
