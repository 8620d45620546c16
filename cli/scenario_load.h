/*
 * scenario_load.h - load every scenario named on a command line, or none.
 */
#ifndef RC_SCENARIO_LOAD_H
#define RC_SCENARIO_LOAD_H

#include <stddef.h>

#include "scenario_paths.h"
#include "scn.h"

struct rc_loaded {
	struct scn_scenario **items; /* owned */
	char **names;                /* owned: items[i]'s name in output (rc_paths_collect) */
	size_t len;
};

/* Expand and parse args[0..n). Every diagnostic goes to stderr. Returns
 * RC_EXIT_OK with out filled, or RC_EXIT_USAGE (out empty) when a path is
 * missing or any file has an error: nothing runs unless everything parses. */
int rc_load_scenarios(char **args, int n, const char *command, struct rc_loaded *out);
void rc_loaded_free(struct rc_loaded *l);

/* Parse the scenario file at path, printing each error to stderr as
 * file:line:col. The commands that run a canonical copy of a file (replay,
 * timeline, shrink) call it first, so that an error names the user's own
 * file and line, not the copy's. Returns RC_EXIT_OK or RC_EXIT_USAGE. */
int rc_check_scenario_file(const char *path, const char *command);
/* The same, keeping the scenario (the caller frees it with scn_free), or
 * NULL with every error printed: a file that cannot be read is said to be
 * just that, "PATH: cannot read it: reason", not a parse failure. */
struct scn_scenario *rc_parse_scenario_file(const char *path, const char *command);

#endif
