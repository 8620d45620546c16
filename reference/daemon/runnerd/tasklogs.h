/*
 * tasklogs.h - a bound on the task logs runnerd keeps under DIR/tasks/.
 *
 * Every attempt of every task writes DIR/tasks/task-ID-ATTEMPT.log; a runner
 * that runs for months would fill its disk with them. runnerd keeps the logs
 * of the newest finished attempts (--keep-task-logs, default 100) and deletes
 * older ones when a task finishes and at start. A log of a task the runner
 * still holds (running, or waiting to be restarted, which appends to the same
 * file) is never deleted, and files that are not task logs are left alone.
 */
#ifndef RUNNERD_TASKLOGS_H
#define RUNNERD_TASKLOGS_H

#include <stddef.h>
#include <stdint.h>

#define RUNNERD_KEEP_TASK_LOGS_DEFAULT 100
#define RUNNERD_KEEP_TASK_LOGS_MAX 1000000

/* Delete the oldest task logs of dir (by modification time, then name) beyond
 * the keep newest, never the log of a task whose id is in live[0..n_live).
 * Returns how many were deleted, or -1 with err filled when dir cannot be read
 * (a log that cannot be deleted is skipped: it is only disk space). */
int runnerd_prune_task_logs(const char *dir, int keep, const uint64_t *live, int n_live, char *err, size_t err_cap);

#endif
