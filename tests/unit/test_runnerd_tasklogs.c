/*
 * test_runnerd_tasklogs.c - runnerd's bound on the task logs it keeps
 * (reference/daemon/runnerd/tasklogs.h), on a scratch directory: the newest
 * finished logs stay, older ones go, a held task's log and files that are
 * not task logs are never touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tasklogs.h"
#include "unit.h"

static char dir[64];

/* Create dir/name with modification time `age` seconds in the past. */
static void make_log(const char *name, int age)
{
	char path[200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("output\n", f);
	fclose(f);
	struct timespec times[2] = { { .tv_sec = 1700000000 - age }, { .tv_sec = 1700000000 - age } };
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, times, 0), 0);
}

static bool exists(const char *name)
{
	char path[200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static const char *const all[] = { "task-1-1.log", "task-2-1.log", "task-2-2.log", "task-3-1.log", "task-4-1.log",
				   "notes.txt", "task-5-1.log.bak", "task-x-1.log", NULL };

static void setup_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/rc-unit-tasklogs-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (int i = 0; all[i]; i++)
		make_log(all[i], 100 - 10 * i); /* later in the list: newer */
}

static void remove_dir(void)
{
	char path[200];
	for (int i = 0; all[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, all[i]);
		unlink(path);
	}
	CU_ASSERT_EQUAL(rmdir(dir), 0); /* nothing else was created */
}

static void test_keeps_the_newest(void)
{
	setup_dir();
	char err[256];
	CU_ASSERT_EQUAL(runnerd_prune_task_logs(dir, 2, NULL, 0, err, sizeof err), 3);
	CU_ASSERT_FALSE(exists("task-1-1.log"));
	CU_ASSERT_FALSE(exists("task-2-1.log"));
	CU_ASSERT_FALSE(exists("task-2-2.log"));
	CU_ASSERT_TRUE(exists("task-3-1.log"));
	CU_ASSERT_TRUE(exists("task-4-1.log"));
	/* Not task logs: left alone whatever their age. */
	CU_ASSERT_TRUE(exists("notes.txt"));
	CU_ASSERT_TRUE(exists("task-5-1.log.bak"));
	CU_ASSERT_TRUE(exists("task-x-1.log"));
	/* At the bound already: nothing more goes. */
	CU_ASSERT_EQUAL(runnerd_prune_task_logs(dir, 2, NULL, 0, err, sizeof err), 0);
	remove_dir();
}

static void test_never_a_held_task(void)
{
	setup_dir();
	char err[256];
	const uint64_t live[] = { 2 }; /* both attempts of task 2 (oldest but one) */
	CU_ASSERT_EQUAL(runnerd_prune_task_logs(dir, 0, live, 1, err, sizeof err), 3);
	CU_ASSERT_TRUE(exists("task-2-1.log"));
	CU_ASSERT_TRUE(exists("task-2-2.log"));
	CU_ASSERT_FALSE(exists("task-1-1.log"));
	CU_ASSERT_FALSE(exists("task-4-1.log"));
	/* Held logs do not count against the bound: keep 1 keeps the newest finished one. */
	make_log("task-6-1.log", 0);
	CU_ASSERT_EQUAL(runnerd_prune_task_logs(dir, 1, live, 1, err, sizeof err), 0);
	CU_ASSERT_TRUE(exists("task-6-1.log"));
	CU_ASSERT_TRUE(exists("task-2-1.log"));
	char path[200];
	snprintf(path, sizeof path, "%s/task-6-1.log", dir);
	unlink(path);
	remove_dir();
}

static void test_unreadable_dir(void)
{
	char err[256] = "";
	CU_ASSERT_EQUAL(runnerd_prune_task_logs("/nonexistent/rc-tasks", 1, NULL, 0, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read /nonexistent/rc-tasks"));
}

/* readdir() failing in the middle of the listing (an I/O error) for this
 * file's tests: the unit tests are linked with --wrap=readdir. */
static int readdir_fails_after = -1; /* entries returned before EIO; -1: never */

struct dirent *__real_readdir(DIR *d);
struct dirent *__wrap_readdir(DIR *d);
struct dirent *__wrap_readdir(DIR *d)
{
	if (readdir_fails_after == 0) {
		errno = EIO;
		return NULL;
	}
	if (readdir_fails_after > 0)
		readdir_fails_after--;
	return __real_readdir(d);
}

/* A listing cut short by an error is not a listing: pruning by it would
 * judge the newest logs among some of them. Nothing is deleted. */
static void test_read_error_deletes_nothing(void)
{
	setup_dir();
	char err[256] = "";
	readdir_fails_after = 3;
	int rc = runnerd_prune_task_logs(dir, 1, NULL, 0, err, sizeof err);
	readdir_fails_after = -1;
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Input/output error"));
	for (int i = 0; all[i]; i++)
		CU_ASSERT(exists(all[i]));
	remove_dir();
}

void rc_test_register_runnerd_tasklogs(void)
{
	static CU_TestInfo tests[] = {
		{ "the newest finished logs stay, other files too", test_keeps_the_newest },
		{ "a held task's logs are never deleted", test_never_a_held_task },
		{ "an unreadable directory is an error", test_unreadable_dir },
		{ "a read error halfway deletes nothing", test_read_error_deletes_nothing },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("runnerd_tasklogs", tests);
}
