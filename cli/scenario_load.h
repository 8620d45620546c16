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
	size_t len;
};

/* Expand and parse args[0..n). Every diagnostic goes to stderr. Returns
 * RC_EXIT_OK with out filled, or RC_EXIT_USAGE (out empty) when a path is
 * missing or any file has an error: nothing runs unless everything parses. */
int rc_load_scenarios(char **args, int n, const char *command, struct rc_loaded *out);
void rc_loaded_free(struct rc_loaded *l);

#endif
