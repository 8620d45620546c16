/*
 * scenario_paths.h - files and folders named on the command line, as the
 * sorted list of scenario files they stand for.
 */
#ifndef RC_SCENARIO_PATHS_H
#define RC_SCENARIO_PATHS_H

#include <stdbool.h>
#include <stddef.h>

struct rc_paths {
	char **items; /* owned */
	char **names; /* owned: items[i]'s name, see rc_paths_collect */
	size_t len, cap;
};

/* Expand args[0..n): a file is taken as is, a folder gives every *.scn file
 * under it, sorted. Each file gets a name for output, JUnit and trace files:
 * its path under the folder given, without .scn ("a/s" for FOLDER/a/s.scn),
 * so that two scenarios with one file name in two subfolders stay apart; a
 * file given itself is named by its file name (without .scn). Returns 0, or -1 with a message in err (a path that does
 * not exist, a folder without scenarios). Free with rc_paths_free either way. */
int rc_paths_collect(struct rc_paths *ps, char **args, int n, char *err, size_t err_len);
void rc_paths_free(struct rc_paths *ps);

#endif
