/*
 * args.c - the value parsers every subcommand shares: counts, durations, seeds,
 * and the check of an output file named on the command line.
 *
 * One parser per kind of value, so that "--jobs abc" and "--width abc" are
 * refused alike (exit 2, naming the option and the text) instead of each
 * command deciding what atoi's 0 means. Durations and seeds come from
 * scn/scn_duration.c, so they mean the same on the command line and in a
 * scenario file.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rc_file.h"
#include "scn.h"

int rc_cli_parse_count(const char *command, const char *option, const char *text, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	/* digits only: strtoull also takes blanks, '+' and a '-' after blanks (" -1" is 2^64 - 1) */
	if (!errno && text[0] >= '0' && text[0] <= '9' && !*end && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (max == UINT64_MAX)
		return rc_cli_usage_error(command, "%s: '%s' is not a whole number >= %" PRIu64, option, text, min);
	return rc_cli_usage_error(command, "%s: '%s' is not a whole number in %" PRIu64 "..%" PRIu64, option, text,
				  min, max);
}

int rc_cli_parse_int(const char *command, const char *option, const char *text, int min, int max, int *out)
{
	uint64_t v;
	int rc = rc_cli_parse_count(command, option, text, (uint64_t)min, (uint64_t)max, &v);
	if (rc == 0)
		*out = (int)v;
	return rc;
}

int rc_cli_parse_duration(const char *command, const char *option, const char *text, int64_t min_ms,
			  int64_t *out_ms)
{
	int64_t ms;
	int rc = scn_parse_duration(text, &ms);
	if (rc == -2)
		return rc_cli_usage_error(command, "%s: '%s' is longer than " SCN_DURATION_MAX_TEXT
					  ", the longest duration rollcall takes", option, text);
	if (rc != 0)
		return rc_cli_usage_error(command, "%s: '%s' is not a duration (e.g. 1500ms, 90s, 2m30s, 1h)", option,
					  text);
	if (ms < min_ms) {
		char least[32];
		return rc_cli_usage_error(command, "%s: '%s' is shorter than %s", option, text,
					  scn_format_duration(min_ms, least, sizeof least));
	}
	*out_ms = ms;
	return 0;
}

int rc_cli_parse_seed(const char *command, const char *text, uint64_t *seed)
{
	uint64_t last;
	if (scn_parse_seed_range(text, seed, &last) != 0 || last != *seed)
		return rc_cli_usage_error(command, "--seed: '%s' is not one seed", text);
	return 0;
}

int rc_cli_pinned_seed_error(const char *command, const char *path, uint64_t pinned)
{
	return rc_cli_usage_error(command, "%s pins @seed %" PRIu64 " and --seed names another: rollcall run would "
				  "run the pinned one; drop --seed or change the file's @seed", path, pinned);
}

int rc_cli_parse_seed_range(const char *command, const char *text, uint64_t *first, uint64_t *last)
{
	if (scn_parse_seed_range(text, first, last) != 0)
		return rc_cli_usage_error(command, "--seeds: bad range '%s' (write e.g. 1-100 or 7)", text);
	return 0;
}

/* Whether path can be written at the end (see rc_cli_claim_output_file). */
static int check_output_file(const char *command, const char *option, const char *path)
{
	struct stat st;
	char err[4200];
	if (!path[0])
		return rc_cli_usage_error(command, "%s: an empty file name", option);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return rc_cli_usage_error(command, "%s %s: is a folder, not a file", option, path);
	if (rc_file_check_replace(path, err, sizeof err) != 0)
		return rc_cli_usage_error(command, "%s: %s", option, err);
	return RC_EXIT_OK;
}

int rc_cli_write_error(const char *command, const char *option, const char *path)
{
	int e = errno;
	struct stat st;
	const char *name = rc_cli_output_name(path);
	if (e == ENXIO && stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		return rc_cli_usage_error(command, "%s: no reader on FIFO %s", option, name);
	return rc_cli_usage_error(command, "%s: cannot write %s: %s", option, name, strerror(e));
}

int rc_cli_stream_open(struct rc_cli_stream *s, const char *path)
{
	s->f = NULL;
	if (rc_file_writer_open(&s->w, path, 0666, 0, NULL, 0) != 0)
		return -1;
	int copy = dup(s->w.fd);
	if (copy >= 0 && (s->f = fdopen(copy, "w")))
		return 0;
	int e = errno;
	if (copy >= 0)
		close(copy);
	rc_file_writer_abort(&s->w);
	errno = e;
	return -1;
}

int rc_cli_stream_close(struct rc_cli_stream *s, bool keep)
{
	bool failed = ferror(s->f); /* a write before the last: its errno is gone */
	errno = EIO;
	failed = fclose(s->f) != 0 || failed;
	s->f = NULL;
	if (keep && !failed)
		return rc_file_writer_commit(&s->w, NULL, 0);
	rc_file_writer_abort(&s->w); /* errno kept: fclose's reason, or EIO */
	return keep ? -1 : 0;
}

static char kept_stdout_path[32];    /* "/dev/fd/N" */
static const char *kept_stdout_name; /* what the command line called it */

/* Point *path at a copy of the standard output and stdout at stderr when
 * *path names the standard output (see rc_cli_claim_output_file). */
static void keep_stdout_for(const char **path)
{
	struct stat named, out;
	if (stat(*path, &named) != 0 || fstat(STDOUT_FILENO, &out) != 0 || named.st_dev != out.st_dev ||
	    named.st_ino != out.st_ino)
		return;
	fflush(stdout);
	int kept = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (kept < 0)
		return; /* then both go to the standard output, as before */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		close(kept);
		return;
	}
	snprintf(kept_stdout_path, sizeof kept_stdout_path, "/dev/fd/%d", kept);
	kept_stdout_name = *path;
	*path = kept_stdout_path;
}

int rc_cli_claim_output_file(const char *command, const char *option, const char **path)
{
	int rc = check_output_file(command, option, *path);
	if (rc == RC_EXIT_OK)
		keep_stdout_for(path);
	return rc;
}

const char *rc_cli_output_name(const char *path)
{
	return path == kept_stdout_path ? kept_stdout_name : path;
}

void rc_cli_append_shell_word(char *buf, size_t cap, const char *text, bool always)
{
	size_t used = strlen(buf);
	bool plain = !always && text[0] && text[strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						     "0123456789_./:=@%+,-")] == '\0';
	if (plain) {
		snprintf(buf + used, cap - used, "%s", text);
		return;
	}
	used += (size_t)snprintf(buf + used, cap - used, "'");
	for (const char *c = text; *c && used < cap; c++)
		used += (size_t)snprintf(buf + used, cap - used, *c == '\'' ? "'\\''" : "%c", *c);
	if (used < cap)
		snprintf(buf + used, cap - used, "'");
}
