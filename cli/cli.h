/*
 * cli.h - the subcommands of `rollcall` and the helpers they share.
 *
 * Exit codes everywhere: 0 pass, 1 a check failed, 2 bad usage or bad input.
 */
#ifndef RC_CLI_H
#define RC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rc_file.h"

enum { RC_EXIT_OK = 0, RC_EXIT_FAIL = 1, RC_EXIT_USAGE = 2 };

struct rc_cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
};

int rc_cmd_id(int argc, char **argv);
int rc_cmd_sim(int argc, char **argv);
int rc_cmd_check_scenario(int argc, char **argv);
int rc_cmd_run(int argc, char **argv);
int rc_cmd_explore(int argc, char **argv);
int rc_cmd_replay(int argc, char **argv);
int rc_cmd_shrink(int argc, char **argv);
int rc_cmd_timeline(int argc, char **argv);
int rc_cmd_conform(int argc, char **argv);
int rc_cmd_report(int argc, char **argv);

/* How this program was invoked (argv[0]), for commands it prints to replay a run. */
extern const char *rc_cli_program;

/* Print "rollcall NAME: message" to stderr and return RC_EXIT_USAGE. */
int rc_cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse option's value, a decimal whole number in min..max (max UINT64_MAX:
 * no upper bound), into *out. Returns 0, or prints a usage error naming
 * option and text and returns RC_EXIT_USAGE. */
int rc_cli_parse_count(const char *command, const char *option, const char *text, uint64_t min, uint64_t max,
		       uint64_t *out);
/* The same for an int option, 0 <= min <= max <= INT_MAX. */
int rc_cli_parse_int(const char *command, const char *option, const char *text, int min, int max, int *out);

/* Parse "--seed N" for command: one seed (not a range). Returns 0, or prints
 * a usage error and returns RC_EXIT_USAGE. */
int rc_cli_parse_seed(const char *command, const char *text, uint64_t *seed);
/* The usage error for a --seed other than the `@seed` the file at path pins
 * (xp_script_seed): returns RC_EXIT_USAGE. */
int rc_cli_pinned_seed_error(const char *command, const char *path, uint64_t pinned);

/* Parse "--seeds A-B" (or "--seeds 7") for command into [first, last].
 * Returns 0, or prints a usage error naming --seeds and the text and returns
 * RC_EXIT_USAGE. */
int rc_cli_parse_seed_range(const char *command, const char *text, uint64_t *first, uint64_t *last);

/* text as one shell word, appended to buf (cap bytes; cut when full): in
 * single quotes ('\'' for a quote inside) when always or when it holds
 * anything but letters, digits and _./:=@%+,-, so that a printed replay
 * command runs as printed. */
void rc_cli_append_shell_word(char *buf, size_t cap, const char *text, bool always);

/* Claim option's output file *path before anything runs: check that it
 * can be written at the end (it is not a folder, and rc_file_check_replace:
 * a file's temporary file can be made in its folder, with room for a block;
 * a FIFO must be writable, a character device must be a terminal or
 * /dev/null, anything else such as /dev/full is refused; a descriptor of
 * this process such as /dev/stdout is taken as it is), and when it names
 * this process's standard output
 * (`-o /dev/stdout`, or any other name of the same file or pipe) keep the
 * command's own lines (progress, "wrote ...", a results table) out of what
 * is written there: the standard output is kept for the file under another
 * descriptor, *path is pointed at it (a /dev/fd name in a static buffer: one
 * such output per process), and stdout from then on writes to stderr.
 * Call before anything is printed. Returns 0, or prints a usage error
 * naming option and path and returns RC_EXIT_USAGE. */
int rc_cli_claim_output_file(const char *command, const char *option, const char **path);
/* The name to show for a path rc_cli_claim_output_file returned: the one
 * the command line gave (/dev/stdout), not the descriptor it now names. */
const char *rc_cli_output_name(const char *path);

/* The failure, errno its reason, of the write of option's output file path
 * (claimed): print "rollcall COMMAND: OPTION: cannot write NAME: reason",
 * or "OPTION: no reader on FIFO NAME" for a FIFO nobody reads (rc_file
 * opens one without waiting), and return RC_EXIT_USAGE. */
int rc_cli_write_error(const char *command, const char *option, const char *path);

/* An output file written as it is made (a trace), through stdio: an
 * rc_file_writer (replaced whole or not at all; a FIFO nobody reads fails
 * the open with ENXIO) with a FILE on a copy of its descriptor. */
struct rc_cli_stream {
	struct rc_file_writer w;
	FILE *f; /* write here */
};
/* Open path (mode 0666 less the umask). Returns 0, or -1 with errno. */
int rc_cli_stream_open(struct rc_cli_stream *s, const char *path);
/* Close it: with keep, put what was written in place (0, or -1 with errno
 * when a write or the replacement failed, the file at path as it was);
 * without, leave the file at path as it was (0). */
int rc_cli_stream_close(struct rc_cli_stream *s, bool keep);

/* Parse a duration such as "1500ms", "30s", "2m", "24h", "2m30s" or a bare
 * number of milliseconds into *out_ms, at least min_ms and at most a year and
 * a day (SCN_DURATION_MAX_MS). Returns 0, or prints a usage error naming the
 * option and returns RC_EXIT_USAGE. */
int rc_cli_parse_duration(const char *command, const char *option, const char *text, int64_t min_ms,
			  int64_t *out_ms);

#endif
