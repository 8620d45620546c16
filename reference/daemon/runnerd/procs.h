/*
 * procs.h - runnerd's task processes: start, signal, reap.
 *
 * The supervisor in the core decides when a process starts, gets SIGTERM or
 * SIGKILL; this module only carries it out. Each process is `/bin/sh -c
 * COMMAND` in its own process group (so a signal reaches everything the task
 * started), with stdin from /dev/null and stdout/stderr appended to a log file
 * in the state directory. runnerd is a child subreaper, so a task's orphaned
 * grandchildren are reaped here too and never linger as zombies. When a task's
 * main process exits, whatever it left running in its process group (a
 * background child) is killed with it: the task is over, and its leftovers
 * would otherwise outlive runnerd itself.
 */
#ifndef RUNNERD_PROCS_H
#define RUNNERD_PROCS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct runnerd_proc {
	uint64_t task_id;
	int attempt;
	pid_t pid; /* also the process group id */
	int64_t started_at_ms;
};

struct runnerd_procs {
	struct runnerd_proc *items; /* running processes only */
	int len, cap;
	char log_dir[4200];
};

/* Called for each reaped task process: clean = exited with status 0. */
typedef void (*runnerd_proc_exit)(void *cls, uint64_t task_id, int attempt, bool clean, int wait_status);

/* log_dir is created if needed. Makes this process a child subreaper. Returns
 * 0, or -1 with err filled. */
int runnerd_procs_init(struct runnerd_procs *p, const char *log_dir, char *err, size_t err_cap);
void runnerd_procs_free(struct runnerd_procs *p);

/* Start `/bin/sh -c command` for (task_id, attempt); extra_env are
 * "NAME=value" strings added to the environment (NULL-terminated). Returns
 * the pid, or -1 with err filled (fork failed). An exec failure shows up as
 * an exit with status 127. */
pid_t runnerd_procs_start(struct runnerd_procs *p, uint64_t task_id, int attempt, const char *command,
			  const char *const *extra_env, int64_t now_ms, char *err, size_t err_cap);
/* Send sig to the process group of (task_id, attempt). Returns 0, or -1 when
 * no such process is running (already exited: nothing to do). */
int runnerd_procs_signal(struct runnerd_procs *p, uint64_t task_id, int attempt, int sig);
/* The running process of (task_id, attempt), or NULL. */
const struct runnerd_proc *runnerd_procs_find(const struct runnerd_procs *p, uint64_t task_id, int attempt);
/* Reap every exited child (waitpid WNOHANG); call on_exit for task
 * processes, after SIGKILL to what is left of their process group. Returns
 * how many children were reaped. */
int runnerd_procs_reap(struct runnerd_procs *p, runnerd_proc_exit on_exit, void *cls);
/* At exit: SIGKILL every process group still running and wait for all
 * children, so nothing is left behind. Returns how many groups were killed. */
int runnerd_procs_kill_all(struct runnerd_procs *p);

#endif
