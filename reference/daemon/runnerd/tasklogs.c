/*
 * tasklogs.c - the pruning of tasklogs.h, apart from the processes (procs.c)
 * so that it can be tested on a scratch directory.
 */
#include "tasklogs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct task_log {
	char name[64];
	uint64_t task_id;
	struct timespec mtime;
};

/* "task-ID-ATTEMPT.log" with decimal ID and ATTEMPT, as procs.c names them:
 * anything else in the directory is not ours to delete. */
static bool parse_log_name(const char *name, uint64_t *task_id)
{
	static const char decimal[] = "0123456789";
	if (strncmp(name, "task-", 5) != 0 || strlen(name) >= sizeof((struct task_log *)0)->name)
		return false;
	size_t id_len = strspn(name + 5, decimal);
	const char *attempt = name + 5 + id_len + 1;
	if (id_len == 0 || attempt[-1] != '-')
		return false;
	size_t attempt_len = strspn(attempt, decimal);
	if (attempt_len == 0 || strcmp(attempt + attempt_len, ".log") != 0)
		return false;
	*task_id = strtoull(name + 5, NULL, 10);
	return true;
}

static bool is_live(uint64_t task_id, const uint64_t *live, int n_live)
{
	for (int i = 0; i < n_live; i++)
		if (live[i] == task_id)
			return true;
	return false;
}

/* Newest first. */
static int by_age(const void *a, const void *b)
{
	const struct task_log *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec > y->mtime.tv_nsec ? -1 : 1;
	return strcmp(y->name, x->name);
}

/* The finished task logs of dir into *out (malloc'd); returns how many, or
 * -1 with err filled. */
static int list_finished(const char *dir, const uint64_t *live, int n_live, struct task_log **out, char *err,
			 size_t err_cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, err_cap, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	struct task_log *logs = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	/* errno tells the end of the listing from a read error (then the list
	 * is partial, and pruning by it would judge the newest among some) */
	while ((errno = 0, e = readdir(d)) != NULL) {
		struct task_log l;
		struct stat st;
		if (!parse_log_name(e->d_name, &l.task_id) || is_live(l.task_id, live, n_live) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct task_log *grown = realloc(logs, (size_t)cap * sizeof *grown);
			if (!grown) {
				snprintf(err, err_cap, "out of memory listing %s", dir);
				n = -1;
				break;
			}
			logs = grown;
		}
		snprintf(l.name, sizeof l.name, "%.*s", (int)sizeof l.name - 1, e->d_name); /* fits: see parse_log_name */
		l.mtime = st.st_mtim;
		logs[n++] = l;
	}
	if (n >= 0 && errno != 0) {
		snprintf(err, err_cap, "cannot read %s: %s", dir, strerror(errno));
		n = -1;
	}
	closedir(d);
	if (n < 0) {
		free(logs);
		logs = NULL;
	}
	*out = logs;
	return n;
}

int runnerd_prune_task_logs(const char *dir, int keep, const uint64_t *live, int n_live, char *err, size_t err_cap)
{
	struct task_log *logs = NULL;
	int n = list_finished(dir, live, n_live, &logs, err, err_cap);
	if (n < 0)
		return -1;
	int deleted = 0;
	if (n > keep) {
		qsort(logs, (size_t)n, sizeof *logs, by_age);
		char path[4400];
		for (int i = keep; i < n; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, logs[i].name);
			if (unlink(path) == 0)
				deleted++;
		}
	}
	free(logs);
	return deleted;
}
