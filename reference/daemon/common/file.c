/*
 * file.c - the daemons' file reads (their wording over common/rc_file),
 * secret files and their state directories.
 *
 * Errors are reported, never fatal: the daemons decide what an unreadable
 * file means (usually a clear message and exit status 2).
 */
#include "rcd_file.h"

#include "rc_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* rc_file_read's "PATH: reason" with the daemons' verb in front: "cannot
 * open" (missing, no permission) or "cannot read" (a folder, an I/O error,
 * too large, a pipe's writer that never finishes), which their users and
 * tests/conform/run.sh see. RC_FILE_NO_HANG: a FIFO nobody writes to must
 * not hang a daemon, at start or on SIGHUP in the middle of serving. */
int rcd_read_file(const char *path, size_t max_bytes, char **data, size_t *len, char *err, size_t err_cap)
{
	char why[4400];
	int status = rc_file_read(path, max_bytes, RC_FILE_NO_HANG, data, len, why, sizeof why);
	if (status != RC_FILE_OK)
		snprintf(err, err_cap, "cannot %s %s", status == RC_FILE_OPEN ? "open" : "read", why);
	return status == RC_FILE_OK ? 0 : -1;
}

/* A space at either end is not part of an HTTP header's value (RFC 9110
 * strips it: libmicrohttpd drops a leading one), so such a secret could never
 * be presented: every runner would get 401. */
static const char *secret_problem(const char *secret, size_t len, size_t cap)
{
	if (len == 0)
		return "is empty";
	if (len >= cap)
		return "is too long";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)secret[i] < 0x20 || secret[i] == 0x7f)
			return "holds a control character";
	if (secret[0] == ' ' || secret[len - 1] == ' ')
		return "begins or ends with a space, which an HTTP header cannot carry";
	return NULL;
}

int rcd_check_secret(const char *secret, size_t len, size_t cap, const char *source, char *err, size_t err_cap)
{
	const char *problem = secret_problem(secret, len, cap);
	if (!problem)
		return 0;
	if (len >= cap)
		snprintf(err, err_cap, "secret %s is longer than %zu bytes", source, cap - 1);
	else
		snprintf(err, err_cap, "secret %s %s", source, problem);
	return -1;
}

int rcd_read_secret_file(const char *path, char *out, size_t cap, char *err, size_t err_cap)
{
	char *data, source[4200];
	size_t len;
	if (rcd_read_file(path, cap + 2, &data, &len, err, err_cap) != 0)
		return -1;
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	snprintf(source, sizeof source, "file %s", path);
	int rc = rcd_check_secret(data, len, cap, source, err, err_cap);
	if (rc == 0) {
		memcpy(out, data, len);
		out[len] = '\0';
	}
	memset(data, 0, len);
	free(data);
	return rc;
}

/* What a file that is not a regular one is, for a message. */
static const char *kind_of(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	return S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

int rcd_check_regular(const char *path, char *err, size_t err_cap)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_cap, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return 0;
	snprintf(err, err_cap, "%s is %s, not a regular file", path, kind_of(st.st_mode));
	return -1;
}

int rcd_ensure_dir(const char *path, char *err, size_t err_cap)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, err_cap, "%s exists and is not a directory", path);
		return -1;
	}
	snprintf(err, err_cap, "cannot create directory %s: %s", path, strerror(errno));
	return -1;
}
