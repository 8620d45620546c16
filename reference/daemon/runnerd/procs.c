/*
 * procs.c - fork/exec/kill/waitpid for procs.h.
 *
 * Everything the child needs (argv, environment, log file descriptor) is
 * prepared before fork: libcurl may run resolver threads, so between fork and
 * exec the child only makes async-signal-safe calls.
 */
#include "procs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rcd_file.h"
#include "rcd_log.h"
#include "rcd_signal.h"

extern char **environ;

int runnerd_procs_init(struct runnerd_procs *p, const char *log_dir, char *err, size_t err_cap)
{
	memset(p, 0, sizeof *p);
	if ((size_t)snprintf(p->log_dir, sizeof p->log_dir, "%s", log_dir) >= sizeof p->log_dir) {
		snprintf(err, err_cap, "log dir path too long");
		return -1;
	}
	if (rcd_ensure_dir(log_dir, err, err_cap) != 0)
		return -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		rcd_logf("warn", "procs", "cannot become a child subreaper: %s", strerror(errno));
	return 0;
}

void runnerd_procs_free(struct runnerd_procs *p)
{
	free(p->items);
	memset(p, 0, sizeof *p);
}

/* environ plus extra_env, as one malloc'd NULL-terminated array of borrowed
 * strings. */
static char **build_env(const char *const *extra_env)
{
	size_t n = 0, extra = 0;
	while (environ[n])
		n++;
	while (extra_env && extra_env[extra])
		extra++;
	char **env = malloc((n + extra + 1) * sizeof *env);
	if (!env)
		return NULL;
	memcpy(env, environ, n * sizeof *env);
	for (size_t i = 0; i < extra; i++)
		env[n + i] = (char *)extra_env[i];
	env[n + extra] = NULL;
	return env;
}

/* The task's log, appended to. Opened without blocking and then checked:
 * something else than a regular file under a log's name (a FIFO nobody
 * reads would block open() for ever, deaf to SIGTERM) fails the start
 * instead of hanging the runner (ENXIO for a FIFO without a reader, EINVAL
 * for anything else that is not a regular file). */
static int open_task_log(const struct runnerd_procs *p, uint64_t task_id, int attempt)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/task-%llu-%d.log", p->log_dir, (unsigned long long)task_id, attempt);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0)
		fcntl(fd, F_SETFL, O_APPEND); /* blocking again, for the task's writes */
	return fd;
}

/* In the child: async-signal-safe calls only, then exec. */
static void exec_child(const char *command, char **env, int log_fd, int null_fd, int max_fd)
{
	setpgid(0, 0);
	rcd_signal_reset_in_child();
	dup2(null_fd, STDIN_FILENO);
	dup2(log_fd, STDOUT_FILENO);
	dup2(log_fd, STDERR_FILENO);
	for (int fd = 3; fd < max_fd; fd++)
		close(fd);
	char *argv[] = { "/bin/sh", "-c", (char *)command, NULL };
	execve("/bin/sh", argv, env);
	_exit(127);
}

static int push(struct runnerd_procs *p, const struct runnerd_proc *proc)
{
	if (p->len == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		struct runnerd_proc *items = realloc(p->items, (size_t)cap * sizeof *items);
		if (!items)
			return -1;
		p->items = items;
		p->cap = cap;
	}
	p->items[p->len++] = *proc;
	return 0;
}

pid_t runnerd_procs_start(struct runnerd_procs *p, uint64_t task_id, int attempt, const char *command,
			  const char *const *extra_env, int64_t now_ms, char *err, size_t err_cap)
{
	struct runnerd_proc proc = { .task_id = task_id, .attempt = attempt, .started_at_ms = now_ms };
	long open_max = sysconf(_SC_OPEN_MAX);
	int max_fd = open_max > 0 && open_max < 65536 ? (int)open_max : 65536;
	char **env = build_env(extra_env);
	int log_fd = open_task_log(p, task_id, attempt);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid = -1;
	if (!env || log_fd < 0 || null_fd < 0 || push(p, &proc) != 0) {
		snprintf(err, err_cap, "cannot prepare the process: %s", strerror(errno));
	} else {
		pid = fork();
		if (pid == 0)
			exec_child(command, env, log_fd, null_fd, max_fd);
		if (pid < 0) {
			snprintf(err, err_cap, "fork: %s", strerror(errno));
			p->len--;
		} else {
			setpgid(pid, pid); /* also here, so a signal sent right away reaches the group */
			p->items[p->len - 1].pid = pid;
		}
	}
	free(env);
	if (log_fd >= 0)
		close(log_fd);
	if (null_fd >= 0)
		close(null_fd);
	return pid;
}

static int index_of(const struct runnerd_procs *p, uint64_t task_id, int attempt)
{
	for (int i = 0; i < p->len; i++)
		if (p->items[i].task_id == task_id && p->items[i].attempt == attempt)
			return i;
	return -1;
}

const struct runnerd_proc *runnerd_procs_find(const struct runnerd_procs *p, uint64_t task_id, int attempt)
{
	int i = index_of(p, task_id, attempt);
	return i < 0 ? NULL : &p->items[i];
}

int runnerd_procs_signal(struct runnerd_procs *p, uint64_t task_id, int attempt, int sig)
{
	int i = index_of(p, task_id, attempt);
	if (i < 0)
		return -1;
	return kill(-p->items[i].pid, sig) == 0 || errno == ESRCH ? 0 : -1;
}

static int index_of_pid(const struct runnerd_procs *p, pid_t pid)
{
	for (int i = 0; i < p->len; i++)
		if (p->items[i].pid == pid)
			return i;
	return -1;
}

/* The next exited child, left unreaped (a zombie still holding its pid, so
 * its process group id cannot be reused yet); 0 when none. */
static pid_t peek_exited(void)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
		return 0;
	return info.si_pid;
}

int runnerd_procs_reap(struct runnerd_procs *p, runnerd_proc_exit on_exit, void *cls)
{
	int reaped = 0, status;
	pid_t pid;
	while ((pid = peek_exited()) > 0) {
		int i = index_of_pid(p, pid);
		/* A task's main process is gone: what it left running in its
		 * group (background children) goes with it, before its pid (the
		 * group's id) is released. */
		if (i >= 0)
			kill(-pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			break;
		reaped++;
		if (i < 0) {
			rcd_logf("info", "reaped", "pid %d (not a task's main process, e.g. an orphaned grandchild)",
				 (int)pid);
			continue;
		}
		struct runnerd_proc proc = p->items[i];
		p->items[i] = p->items[--p->len];
		if (kill(-pid, 0) == 0) /* members left: they are ours to reap, so still there */
			rcd_logf("warn", "leftovers", "task %llu attempt %d left processes running in its group %d: killed",
				 (unsigned long long)proc.task_id, proc.attempt, (int)pid);
		bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (on_exit)
			on_exit(cls, proc.task_id, proc.attempt, clean, status);
	}
	return reaped;
}

int runnerd_procs_kill_all(struct runnerd_procs *p)
{
	int killed = 0;
	for (int i = 0; i < p->len; i++)
		if (kill(-p->items[i].pid, SIGKILL) == 0)
			killed++;
	p->len = 0;
	/* Reap every child, grandchildren included (we are their subreaper), but
	 * do not hang on one that left our process groups: give up after ~2 s. */
	for (int round = 0; round < 200; round++) {
		pid_t pid;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (pid < 0 && errno == ECHILD)
			break;
		struct timespec pause = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	return killed;
}
