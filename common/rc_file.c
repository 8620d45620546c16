/*
 * rc_file.c - whole-file reads and atomic replacement (contract in rc_file.h).
 *
 * Plain open/read/write on descriptors rather than stdio: fstat() tells a
 * folder apart before anything is read, errno is exactly what the kernel
 * said, and fsync() needs the descriptor anyway.
 */
#include "rc_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* --- reading --------------------------------------------------------------------- */

/* Record a failure: errno = e, "PATH: reason" in err; returns status. */
static int read_failed(int status, int e, const char *path, const char *reason, char *err, size_t err_cap)
{
	if (err && err_cap > 0)
		snprintf(err, err_cap, "%s: %s", path, reason ? reason : strerror(e));
	errno = e;
	return status;
}

/* Move buf to a block of new_cap bytes, wiping the old one: what was read
 * (perhaps a secret) is never left behind in freed memory. */
static char *grow(char *buf, size_t used, size_t new_cap)
{
	char *bigger = malloc(new_cap);
	if (bigger) {
		memcpy(bigger, buf, used);
		memset(buf, 0, used);
		free(buf);
	}
	return bigger;
}

#define PIPE_POLL_MS 25

static int64_t realtime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pipe's writer, under RC_FILE_NO_HANG, while its wait lasts. */
struct pipe_wait {
	int64_t deadline_ms;
	int polls;
};

/* One poll for more from a pipe whose writer has sent nothing new; -1 when
 * the wait is used up. */
static int wait_for_writer(int fd, struct pipe_wait *pw)
{
	if (++pw->polls > RC_FILE_PIPE_WAIT_MS / PIPE_POLL_MS || realtime_ms() >= pw->deadline_ms)
		return -1;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	poll(&pfd, 1, PIPE_POLL_MS);
	return 0;
}

/* Read fd to its end into a malloc'd, NUL-terminated block. room is the
 * first guess of the size (the file's size, for a regular file); pw is
 * NULL for a descriptor that blocks. Returns the block, or NULL with errno;
 * *used > max_bytes then says the file was too long. */
static char *read_to_end(int fd, size_t room, size_t max_bytes, struct pipe_wait *pw, size_t *used)
{
	size_t cap = room + 1; /* + 1: the read that returns 0 needs room to be asked */
	char *buf = malloc(cap + 1);
	*used = 0;
	while (buf) {
		if (*used == cap) {
			char *bigger = grow(buf, *used, 2 * cap + 1);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + *used, cap - *used);
		if (n < 0 && (errno == EINTR || (errno == EAGAIN && pw && wait_for_writer(fd, pw) == 0)))
			continue;
		if (n <= 0) {
			if (n == 0) {
				buf[*used] = '\0';
				return buf;
			}
			break;
		}
		*used += (size_t)n;
		if (max_bytes && *used > max_bytes)
			break;
	}
	int e = buf ? errno : ENOMEM;
	if (buf) {
		memset(buf, 0, *used);
		free(buf);
	}
	errno = e;
	return NULL;
}

int rc_file_read(const char *path, size_t max_bytes, unsigned flags, char **data, size_t *len, char *err,
		 size_t err_cap)
{
	*data = NULL;
	if (len)
		*len = 0;
	bool no_hang = flags & RC_FILE_NO_HANG;
	int fd = open(path, O_RDONLY | O_CLOEXEC | (no_hang ? O_NONBLOCK : 0));
	if (fd < 0)
		return read_failed(RC_FILE_OPEN, errno, path, NULL, err, err_cap);
	struct stat st;
	bool stat_ok = fstat(fd, &st) == 0;
	if (!stat_ok || S_ISDIR(st.st_mode)) {
		int e = stat_ok ? EISDIR : errno; /* a folder opens; only its reads fail */
		close(fd);
		return read_failed(RC_FILE_READ, e, path, NULL, err, err_cap);
	}
	size_t room = S_ISREG(st.st_mode) ? (size_t)st.st_size : 4096;
	if (max_bytes && room > max_bytes)
		room = max_bytes;
	size_t used;
	struct pipe_wait pw = { .deadline_ms = no_hang ? realtime_ms() + RC_FILE_PIPE_WAIT_MS : 0 };
	char *text = read_to_end(fd, room, max_bytes, no_hang ? &pw : NULL, &used);
	int e = errno;
	close(fd);
	if (!text) {
		char reason[64] = "";
		int status = RC_FILE_READ;
		if (max_bytes && used > max_bytes) {
			snprintf(reason, sizeof reason, "larger than %zu bytes", max_bytes);
			status = RC_FILE_TOO_BIG;
			e = EFBIG;
		} else if (e == EAGAIN) {
			snprintf(reason, sizeof reason, "its writer sent no end of file within %d ms",
				 RC_FILE_PIPE_WAIT_MS);
		}
		return read_failed(status, e, path, reason[0] ? reason : NULL, err, err_cap);
	}
	if ((flags & RC_FILE_TEXT) && memchr(text, '\0', used)) {
		free(text);
		return read_failed(RC_FILE_HAS_NUL, EILSEQ, path, "not a text file (contains NUL bytes)", err,
				   err_cap);
	}
	*data = text;
	if (len)
		*len = used;
	return RC_FILE_OK;
}

/* --- replacing ------------------------------------------------------------------- */

/* errno = e, "cannot WHAT PATH: reason" in err; returns -1. */
static int write_failed(int e, const char *what, const char *path, char *err, size_t err_cap)
{
	if (err && err_cap > 0)
		snprintf(err, err_cap, "cannot %s %s: %s", what, path, strerror(e));
	errno = e;
	return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the folder holding path, so a rename in it is durable. */
static int sync_folder_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* A new, empty temporary file next to path: "PATH.PID-N.tmp", created
 * exclusively (a leftover of a crashed writer is never reused, and two
 * processes replacing one file never share a temporary). Returns its
 * descriptor and *tmp (malloc'd), or -1 with errno. */
static int create_temp(const char *path, mode_t mode, char **tmp)
{
	static atomic_uint next;
	size_t n = strlen(path) + 48;
	*tmp = malloc(n);
	if (!*tmp) {
		errno = ENOMEM;
		return -1;
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(*tmp, n, "%s.%ld-%u.tmp", path, (long)getpid(), atomic_fetch_add(&next, 1));
		int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1; /* errno EEXIST */
}

/* digits, at least one, from *s; moves *s past them */
static bool skip_digits(const char **s)
{
	const char *start = *s;
	while (**s >= '0' && **s <= '9')
		(*s)++;
	return *s > start;
}

bool rc_file_is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base);
	if (strncmp(name, base, n) != 0 || name[n] != '.')
		return false;
	const char *s = name + n + 1;
	return skip_digits(&s) && *s++ == '-' && skip_digits(&s) && strcmp(s, ".tmp") == 0;
}

/* The descriptor of this process that path names (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N), or -1. Such a link leads to whatever the descriptor is,
 * a regular file too when output is redirected to one: a temporary file
 * renamed over the link would replace the link itself (as root, /dev/stdout
 * for everyone), and opening it again would write from offset 0 over what
 * the descriptor already wrote there. */
static int named_descriptor(const char *path)
{
	char target[64];
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return -1; /* not a link */
	target[n] = '\0';
	/* /dev/stdout -> /proc/self/fd/1; /dev/fd/1 and /proc/self/fd/1 are in the folder */
	char *copy = strdup(strncmp(target, "/proc/", 6) == 0 ? target : path);
	char *folder = copy ? realpath(dirname(copy), NULL) : NULL, own[64];
	snprintf(own, sizeof own, "/proc/%ld/fd", (long)getpid());
	int fd = -1;
	if (folder && strcmp(folder, own) == 0) {
		strcpy(copy, strncmp(target, "/proc/", 6) == 0 ? target : path); /* dirname changed it */
		const char *name = strrchr(copy, '/') + 1;
		if (name[0] && strspn(name, "0123456789") == strlen(name) && strlen(name) < 10)
			fd = atoi(name);
	}
	free(folder);
	free(copy);
	return fd;
}

/* How path is written: through a descriptor of this process it names,
 * in place (a device, a FIFO: renaming over it would replace it with a
 * file), or through a temporary file renamed over it. */
enum write_way { WRITE_OWN_FD, WRITE_IN_PLACE, WRITE_VIA_TEMP };

static enum write_way write_way_of(const char *path, int *own_fd)
{
	*own_fd = named_descriptor(path);
	if (*own_fd >= 0)
		return WRITE_OWN_FD;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return WRITE_IN_PLACE;
	return WRITE_VIA_TEMP;
}

/* Open the device or FIFO at path for writing without waiting: a FIFO
 * nobody reads fails (ENXIO) instead of blocking the open for ever, a
 * terminal does not wait for a carrier nor become the controlling one.
 * The writes block again, as usual. */
static int open_in_place(const char *path)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
		return fd;
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

int rc_file_writer_open(struct rc_file_writer *w, const char *path, mode_t mode, unsigned flags, char *err,
			size_t err_cap)
{
	memset(w, 0, sizeof *w);
	w->path = path;
	w->flags = flags;
	switch (write_way_of(path, &w->fd)) {
	case WRITE_OWN_FD: /* written where the descriptor is, as a write to it would be */
		w->borrowed = true;
		return 0;
	case WRITE_IN_PLACE:
		w->fd = open_in_place(path);
		break;
	case WRITE_VIA_TEMP:
		w->fd = create_temp(path, mode, &w->tmp);
		break;
	}
	if (w->fd >= 0)
		return 0;
	int e = errno;
	free(w->tmp);
	w->tmp = NULL;
	return write_failed(e, "write", path, err, err_cap);
}

void rc_file_writer_abort(struct rc_file_writer *w)
{
	int e = errno; /* the caller's reason survives the clean-up */
	if (w->fd >= 0 && !w->borrowed)
		close(w->fd);
	w->fd = -1;
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	w->tmp = NULL;
	errno = e;
}

int rc_file_writer_commit(struct rc_file_writer *w, char *err, size_t err_cap)
{
	/* a device or a descriptor is written where it stands: nothing to sync or rename */
	bool sync = w->tmp && !(w->flags & RC_FILE_NO_SYNC);
	int rc = !sync || fsync(w->fd) == 0 ? 0 : -1;
	int e = errno;
	if (!w->borrowed && close(w->fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	w->fd = -1;
	if (rc == 0 && w->tmp && rename(w->tmp, w->path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		errno = e;
		rc_file_writer_abort(w);
		return write_failed(e, "write", w->path, err, err_cap);
	}
	free(w->tmp);
	w->tmp = NULL;
	if (sync && sync_folder_of(w->path) != 0)
		return write_failed(errno, "sync the folder of", w->path, err, err_cap);
	return 0;
}

/* "cannot write PATH: reason" with errno e; returns -1. */
static int refused(int e, const char *path, const char *reason, char *err, size_t err_cap)
{
	if (err && err_cap > 0)
		snprintf(err, err_cap, "cannot write %s: %s", path, reason);
	errno = e;
	return -1;
}

/* Whether the character device st is /dev/null, or (opened, not written)
 * a terminal: 1 yes, 0 no, -1 with errno when it cannot be opened (/dev/tty
 * in a process without a controlling terminal: ENXIO). */
static int null_or_terminal(const char *path, const struct stat *st)
{
	struct stat null;
	if (stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) && st->st_rdev == null.st_rdev)
		return 1;
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	int tty = isatty(fd);
	close(fd);
	return tty;
}

/* What is written in place: a FIFO (not opened here: a reader waiting on
 * it would see our close as its end of file), a terminal or /dev/null. */
static int check_in_place(const char *path, char *err, size_t err_cap)
{
	struct stat st;
	if (access(path, W_OK) != 0 || stat(path, &st) != 0)
		return write_failed(errno, "write", path, err, err_cap);
	if (S_ISFIFO(st.st_mode))
		return 0;
	int usable = S_ISCHR(st.st_mode) ? null_or_terminal(path, &st) : 0;
	if (usable < 0)
		return write_failed(errno, "write", path, err, err_cap);
	if (usable)
		return 0;
	return refused(ENOTSUP, path, S_ISSOCK(st.st_mode) ? "a socket, not a file" :
			"a device other than a terminal or /dev/null, which would not keep the output", err, err_cap);
}

/* Whether the file system of the temporary file fd still has room for a
 * block: a full disk (or quota) is found now, not after the long job. File
 * systems without fallocate are taken as they are. */
static int room_for_one_block(int fd)
{
	int e = posix_fallocate(fd, 0, 1);
	if (e == ENOSPC || e == EDQUOT || e == EFBIG) {
		errno = e;
		return -1;
	}
	return 0;
}

int rc_file_check_replace(const char *path, char *err, size_t err_cap)
{
	int own_fd;
	switch (write_way_of(path, &own_fd)) {
	case WRITE_OWN_FD:
		return 0;
	case WRITE_IN_PLACE:
		return check_in_place(path, err, err_cap);
	case WRITE_VIA_TEMP:
		break;
	}
	char *tmp;
	int fd = create_temp(path, 0600, &tmp);
	int rc = fd >= 0 ? room_for_one_block(fd) : -1;
	int e = errno;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return rc == 0 ? 0 : write_failed(e, "write", path, err, err_cap);
}

int rc_file_replace(const char *path, const void *data, size_t len, mode_t mode, unsigned flags, char *err,
		    size_t err_cap)
{
	struct rc_file_writer w;
	if (rc_file_writer_open(&w, path, mode, flags, err, err_cap) != 0)
		return -1;
	if (write_all(w.fd, data, len) != 0) {
		int e = errno;
		rc_file_writer_abort(&w);
		return write_failed(e, "write", path, err, err_cap);
	}
	return rc_file_writer_commit(&w, err, err_cap);
}

/* --- folders --------------------------------------------------------------------- */

/* mkdir of one level: one already there must be a folder. */
static int mkdir_one(const char *path)
{
	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int rc_file_mkdirs(const char *path, char *err, size_t err_cap)
{
	if (!*path)
		return write_failed(ENOENT, "create", "\"\"", err, err_cap);
	char *copy = strdup(path);
	if (!copy)
		return write_failed(ENOMEM, "create", path, err, err_cap);
	int rc = 0;
	for (char *p = copy + 1; rc == 0 && p[-1] != '\0'; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir_one(copy) != 0)
			rc = write_failed(errno, "create", copy, err, err_cap);
		*p = c;
	}
	free(copy);
	return rc;
}
