/*
 * rcd_file.h - small, careful file operations for the daemons.
 *
 * Durable state that is not in SQLite (runnerd's state directory) is written
 * with rc_file_replace() (common/rc_file.h): a reader sees either the old
 * file or the new one, never a mix, even after a crash or power loss.
 * Secrets are read from files only, so they never appear on a command line
 * or in `ps`.
 */
#ifndef RCD_FILE_H
#define RCD_FILE_H

#include <stddef.h>

/* Read a whole file of at most max_bytes (rc_file_read). On success returns
 * 0 and sets *data (malloc'd, NUL-terminated, caller frees) and *len. On
 * failure returns -1 and writes "cannot open PATH: reason" or "cannot read
 * PATH: reason" into err (err_cap bytes); a folder, or a file longer than
 * max_bytes, cannot be read. Never blocks for long (RC_FILE_NO_HANG): a FIFO
 * without a writer reads as empty, and a pipe whose writer sends no end of
 * file within 1 s is a failure. */
int rcd_read_file(const char *path, size_t max_bytes, char **data, size_t *len, char *err, size_t err_cap);

/* Check a secret of len bytes that must fit in cap bytes with its NUL:
 * returns 0, or -1 with err filled ("secret SOURCE is empty", ...) when it is
 * empty, too long, holds a NUL or control character, or begins or ends with a
 * space (an HTTP header cannot carry that). The secret never appears in err. */
int rcd_check_secret(const char *secret, size_t len, size_t cap, const char *source, char *err, size_t err_cap);

/* Read a secret: the file's content with one trailing "\n" or "\r\n"
 * removed, copied into out (cap bytes). Returns 0, or -1 with err filled when
 * the file cannot be read or rcd_check_secret() refuses its content. */
int rcd_read_secret_file(const char *path, char *out, size_t cap, char *err, size_t err_cap);

/* Returns 0 when path is a regular file (after symlinks) or does not exist,
 * else -1 with err filled ("PATH is a FIFO, not a regular file"): for files
 * only a regular file makes sense as (state, databases), checked before they
 * are opened. */
int rcd_check_regular(const char *path, char *err, size_t err_cap);

/* Create directory path (one level) with mode 0700 if it does not exist.
 * Returns 0 when it exists afterwards, -1 with err filled otherwise. */
int rcd_ensure_dir(const char *path, char *err, size_t err_cap);

#endif
