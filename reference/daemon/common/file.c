/*
 * file.c - whole-file reads, secret files and atomic replacement.
 *
 * Errors are reported, never fatal: the daemons decide what an unreadable
 * file means (usually a clear message and exit status 2).
 */
#include "rcd_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rcd_read_file(const char *path, size_t max_bytes, char **data, size_t *len, char *err, size_t err_cap)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = max_bytes + 1, used = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		snprintf(err, err_cap, "out of memory reading %s", path);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, err_cap, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			close(fd);
			buf[used] = '\0';
			*data = buf;
			*len = used;
			return 0;
		}
		used += (size_t)n;
		if (used > max_bytes) {
			snprintf(err, err_cap, "%s is larger than %zu bytes", path, max_bytes);
			break;
		}
	}
	close(fd);
	free(buf);
	return -1;
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

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so the rename itself is durable. */
static int sync_parent_dir(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int rcd_atomic_write(const char *path, const void *data, size_t len, char *err, size_t err_cap)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		snprintf(err, err_cap, "path too long: %s", path);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, err_cap, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(err, err_cap, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, err_cap, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (sync_parent_dir(path) != 0) {
		snprintf(err, err_cap, "cannot sync the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
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
