/*
 * cmd_check_scenario.c - `rollcall check-scenario PATH...`: parse scenario
 * files and report every mistake as file:line:col, without running anything.
 *
 * Editors and pre-commit hooks want this fast answer; `rollcall run` uses the
 * same loading step (rc_load_scenarios) so both agree on what is valid, and
 * both print the warnings of scn_warnings() (expectations that cannot fail),
 * which change no exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "scenario_load.h"

int rc_load_scenarios(char **args, int n, const char *command, struct rc_loaded *out)
{
	char err[4200];
	struct rc_paths paths;
	memset(out, 0, sizeof *out);
	if (rc_paths_collect(&paths, args, n, err, sizeof err) != 0) {
		rc_paths_free(&paths);
		return rc_cli_usage_error(command, "%s", err);
	}
	out->items = calloc(paths.len ? paths.len : 1, sizeof *out->items);
	out->names = calloc(paths.len ? paths.len : 1, sizeof *out->names);
	if (!out->items || !out->names)
		abort();
	int bad = 0;
	for (size_t i = 0; i < paths.len; i++) {
		struct scn_diags d;
		scn_diags_init(&d);
		struct scn_scenario *s = scn_parse_file(paths.items[i], &d);
		if (s)
			scn_warnings(s, &d);
		for (size_t k = 0; k < d.len; k++)
			fprintf(stderr, "%s\n", d.items[k]);
		scn_diags_free(&d);
		if (s) {
			out->names[out->len] = paths.names[i];
			paths.names[i] = NULL; /* taken */
			out->items[out->len++] = s;
		} else {
			bad++;
		}
	}
	rc_paths_free(&paths);
	if (bad) {
		fprintf(stderr, "rollcall %s: %d scenario file%s with errors; nothing was run\n", command, bad,
			bad == 1 ? "" : "s");
		rc_loaded_free(out);
		return RC_EXIT_USAGE;
	}
	return RC_EXIT_OK;
}

void rc_loaded_free(struct rc_loaded *l)
{
	for (size_t i = 0; i < l->len; i++) {
		scn_free(l->items[i]);
		free(l->names[i]);
	}
	free(l->items);
	free(l->names);
	memset(l, 0, sizeof *l);
}

/* Whether path can be read as a file; prints why not. A missing or
 * unreadable file, or a folder, is bad input of its own, not a scenario
 * that "does not parse". Opened, not read, so that a pipe (<(...)) keeps
 * its text for the parse; O_NONBLOCK: a FIFO without a writer does not
 * hold the command up. */
static int check_readable(const char *path, const char *command)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int e = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (fd >= 0)
		close(fd);
	if (e == EISDIR)
		return rc_cli_usage_error(command, "%s: cannot read it: a folder, not a scenario file", path);
	if (e)
		return rc_cli_usage_error(command, "%s: cannot read it: %s", path, strerror(e));
	return RC_EXIT_OK;
}

struct scn_scenario *rc_parse_scenario_file(const char *path, const char *command)
{
	if (check_readable(path, command) != RC_EXIT_OK)
		return NULL;
	struct scn_diags d;
	scn_diags_init(&d);
	struct scn_scenario *s = scn_parse_file(path, &d);
	for (size_t k = 0; k < d.len; k++)
		fprintf(stderr, "%s\n", d.items[k]);
	scn_diags_free(&d);
	if (!s)
		rc_cli_usage_error(command, "%s does not parse; nothing was run", path);
	return s;
}

int rc_check_scenario_file(const char *path, const char *command)
{
	struct scn_scenario *s = rc_parse_scenario_file(path, command);
	int rc = s ? RC_EXIT_OK : RC_EXIT_USAGE;
	scn_free(s);
	return rc;
}

static const char check_usage[] = "usage: rollcall check-scenario PATH...\n"
				  "Parses scenario files (folders: every *.scn under them) and prints each\n"
				  "error as file:line:col: message, and each expectation that holds whatever\n"
				  "the code does as file:line:col: warning: message. Exit 0 all valid (warnings\n"
				  "or not), 2 otherwise.\n";

int rc_cmd_check_scenario(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(check_usage, stdout);
		return RC_EXIT_OK;
	}
	if (argc >= 2 && argv[1][0] == '-')
		return rc_cli_usage_error("check-scenario", "unknown option '%s'", argv[1]);
	if (argc < 2) {
		fputs(check_usage, stderr);
		return rc_cli_usage_error("check-scenario", "no scenario given");
	}
	struct rc_loaded l;
	int rc = rc_load_scenarios(argv + 1, argc - 1, "check-scenario", &l);
	if (rc != RC_EXIT_OK)
		return rc;
	for (size_t i = 0; i < l.len; i++)
		printf("ok   %s (%zu runner%s, %zu action%s, %zu expectation%s)\n", l.items[i]->path,
		       l.items[i]->n_nodes - 1, l.items[i]->n_nodes == 2 ? "" : "s", l.items[i]->n_actions,
		       l.items[i]->n_actions == 1 ? "" : "s", l.items[i]->n_expects,
		       l.items[i]->n_expects == 1 ? "" : "s");
	rc_loaded_free(&l);
	return RC_EXIT_OK;
}
