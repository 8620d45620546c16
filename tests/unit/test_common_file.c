/*
 * test_common_file.c - common/rc_file: the one whole-file reader and the one
 * atomic writer every layer uses.
 *
 * The contract pinned down here is what the layers' messages and exit codes
 * rest on: a folder is refused with EISDIR, errno is the kernel's own, the
 * cap is exact, and a replacement that fails leaves the old file and no
 * temporary file behind. (Tests run as root here, so an unwritable folder
 * is simulated with a file size limit, which root obeys too.)
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rc_file.h"
#include "unit.h"

static char dir[64];
static char path[128];

/* A fresh scratch folder; path is DIR/f. */
static void scratch(void)
{
	snprintf(dir, sizeof dir, "/tmp/rc-unit-file-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f", dir);
}

static void put(const char *p, const char *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* How many entries the scratch folder holds: what a failed write must not
 * add to (a temporary file left behind would show here). */
static int entries(void)
{
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void remove_scratch(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* The content of path, which must be readable. */
static char *content(const char *p)
{
	char *data;
	CU_ASSERT_EQUAL_FATAL(rc_file_read(p, 0, 0, &data, NULL, NULL, 0), RC_FILE_OK);
	return data;
}

static void expect_content(const char *p, const char *want)
{
	char *got = content(p);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void expect_mode(const char *p, mode_t mode)
{
	struct stat st;
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, mode);
}

/* --- reading ---------------------------------------------------------------------- */

static void test_read_whole_file(void)
{
	scratch();
	put(path, "two\nlines\n", 10);
	char *data, err[256] = "";
	size_t len;
	CU_ASSERT_EQUAL(rc_file_read(path, 0, 0, &data, &len, err, sizeof err), RC_FILE_OK);
	CU_ASSERT_EQUAL(len, 10);
	CU_ASSERT_STRING_EQUAL(data, "two\nlines\n");
	CU_ASSERT_STRING_EQUAL(err, ""); /* untouched on success */
	free(data);
	remove_scratch();
}

static void test_read_empty_file(void)
{
	scratch();
	put(path, "", 0);
	char *data;
	size_t len = 99;
	CU_ASSERT_EQUAL(rc_file_read(path, 5, 0, &data, &len, NULL, 0), RC_FILE_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data); /* "" rather than NULL: empty is not an error */
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(data[0], '\0');
	free(data);
	remove_scratch();
}

static void test_read_refuses_folder(void)
{
	scratch();
	char *data = (char *)1, err[256];
	size_t len = 99;
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_read(dir, 0, 0, &data, &len, err, sizeof err), RC_FILE_READ);
	CU_ASSERT_EQUAL(errno, EISDIR);
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_EQUAL(len, 0);
	char want[256];
	snprintf(want, sizeof want, "%s: %s", dir, strerror(EISDIR));
	CU_ASSERT_STRING_EQUAL(err, want);
	remove_scratch();
}

static void test_read_missing_file(void)
{
	scratch();
	char *data, err[256];
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_read(path, 0, 0, &data, NULL, err, sizeof err), RC_FILE_OPEN);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_PTR_NULL(data);
	char want[256];
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(err, want);
	remove_scratch();
}

/* A read that fails keeps read(2)'s errno: /proc/self/mem opens, but
 * reading address 0 of this process is EIO. */
static void test_read_error_keeps_errno(void)
{
	char *data, err[256];
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_read("/proc/self/mem", 0, 0, &data, NULL, err, sizeof err), RC_FILE_READ);
	CU_ASSERT_EQUAL(errno, EIO);
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/proc/self/mem: "));
}

static void test_read_cap_is_exact(void)
{
	scratch();
	put(path, "0123456789", 10);
	char *data, err[256];
	size_t len;
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_read(path, 9, 0, &data, &len, err, sizeof err), RC_FILE_TOO_BIG);
	CU_ASSERT_EQUAL(errno, EFBIG);
	CU_ASSERT_PTR_NULL(data);
	char want[256];
	snprintf(want, sizeof want, "%s: larger than 9 bytes", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(rc_file_read(path, 10, 0, &data, &len, err, sizeof err), RC_FILE_OK);
	CU_ASSERT_EQUAL(len, 10);
	free(data);
	remove_scratch();
}

/* A file whose size fstat() does not know (/proc reports 0) is read to its
 * end all the same, growing the buffer, and the cap still holds. */
static void test_read_unknown_size(void)
{
	char *data;
	size_t len;
	CU_ASSERT_EQUAL_FATAL(rc_file_read("/proc/self/status", 0, 0, &data, &len, NULL, 0), RC_FILE_OK);
	CU_ASSERT(len > 100);
	CU_ASSERT_EQUAL(strlen(data), len);
	CU_ASSERT_PTR_NOT_NULL(strstr(data, "\nPid:"));
	free(data);
	CU_ASSERT_EQUAL(rc_file_read("/proc/self/status", 100, 0, &data, &len, NULL, 0), RC_FILE_TOO_BIG);
}

static void test_read_text_refuses_nul(void)
{
	scratch();
	put(path, "a\0b", 3);
	char *data, err[256];
	size_t len;
	CU_ASSERT_EQUAL(rc_file_read(path, 0, 0, &data, &len, err, sizeof err), RC_FILE_OK);
	CU_ASSERT_EQUAL(len, 3); /* without RC_FILE_TEXT the bytes are the caller's business */
	CU_ASSERT_EQUAL(data[2], 'b');
	free(data);
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_read(path, 0, RC_FILE_TEXT, &data, &len, err, sizeof err), RC_FILE_HAS_NUL);
	CU_ASSERT_EQUAL(errno, EILSEQ);
	CU_ASSERT_PTR_NULL(data);
	char want[256];
	snprintf(want, sizeof want, "%s: not a text file (contains NUL bytes)", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	remove_scratch();
}

/* --- replacing -------------------------------------------------------------------- */

static void test_replace_creates_and_replaces(void)
{
	scratch();
	char err[256] = "";
	CU_ASSERT_EQUAL(rc_file_replace(path, "first version\n", 14, 0600, 0, err, sizeof err), 0);
	expect_content(path, "first version\n");
	CU_ASSERT_EQUAL(rc_file_replace(path, "v2", 2, 0600, 0, err, sizeof err), 0);
	expect_content(path, "v2");
	CU_ASSERT_EQUAL(rc_file_replace(path, "", 0, 0600, RC_FILE_NO_SYNC, err, sizeof err), 0);
	expect_content(path, "");
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(entries(), 1); /* no temporary file left behind */
	expect_mode(path, 0600);
	remove_scratch();
}

/* A file size limit of `bytes` for this process, SIGXFSZ ignored (a write
 * past it fails with EFBIG, as on a full disk), until limit_end(). */
struct size_limit {
	struct rlimit was;
	void (*xfsz)(int);
};

static void limit_begin(struct size_limit *l, rlim_t bytes)
{
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &l->was), 0);
	struct rlimit small = l->was;
	small.rlim_cur = bytes;
	l->xfsz = signal(SIGXFSZ, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
}

static void limit_end(struct size_limit *l)
{
	setrlimit(RLIMIT_FSIZE, &l->was);
	signal(SIGXFSZ, l->xfsz);
}

/* The streamed writer: what is written shows at path only on commit; an
 * abort leaves the old file and no temporary file. */
static void test_writer_commit_or_abort(void)
{
	scratch();
	put(path, "old\n", 4);
	struct rc_file_writer w;
	CU_ASSERT_EQUAL_FATAL(rc_file_writer_open(&w, path, 0666, RC_FILE_NO_SYNC, NULL, 0), 0);
	CU_ASSERT_EQUAL(write(w.fd, "half", 4), 4);
	expect_content(path, "old\n");
	errno = ENOSPC;
	rc_file_writer_abort(&w);
	CU_ASSERT_EQUAL(errno, ENOSPC); /* the caller's reason survives */
	expect_content(path, "old\n");
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_EQUAL_FATAL(rc_file_writer_open(&w, path, 0666, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(write(w.fd, "new, ", 5), 5);
	CU_ASSERT_EQUAL(write(w.fd, "in two writes", 13), 13);
	CU_ASSERT_EQUAL(rc_file_writer_commit(&w, NULL, 0), 0);
	expect_content(path, "new, in two writes");
	CU_ASSERT_EQUAL(entries(), 1);
	remove_scratch();
}

/* The check before a long job: a folder where a file can be made passes
 * and is left as it was; a missing folder fails with the reason. */
static void test_check_replace(void)
{
	scratch();
	char err[256], want[256], deep[200];
	CU_ASSERT_EQUAL(rc_file_check_replace(path, err, sizeof err), 0);
	CU_ASSERT_EQUAL(entries(), 0); /* the temporary file was removed */
	snprintf(deep, sizeof deep, "%s/none/f", dir);
	CU_ASSERT_EQUAL(rc_file_check_replace(deep, err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	snprintf(want, sizeof want, "cannot write %s: %s", deep, strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(rc_file_check_replace("/dev/null", NULL, 0), 0);
	remove_scratch();
}

/* What is written in place passes the check when it keeps what is written:
 * a FIFO (even without a reader yet: it is not opened) or /dev/null; a
 * device that takes nothing (/dev/full) or a socket fails up front, where
 * it used to fail only at the end of the job. */
static void test_check_replace_in_place(void)
{
	scratch();
	char err[256], want[256];
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	CU_ASSERT_EQUAL(rc_file_check_replace(path, err, sizeof err), 0);
	struct stat st;
	CU_ASSERT(stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
	CU_ASSERT_EQUAL(rc_file_check_replace("/dev/full", err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOTSUP);
	snprintf(want, sizeof want, "cannot write /dev/full: a device other than a terminal or /dev/null, "
		 "which would not keep the output");
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(rc_file_check_replace("/dev/zero", NULL, 0), -1);
	remove_scratch();
}

/* A file system without room for one more block fails the check (here a
 * file size limit of 0 bytes stands in for a full disk, which a unit test
 * cannot make): once only the write at the end of the job found it. */
static void test_check_replace_no_room(void)
{
	scratch();
	struct size_limit lim;
	limit_begin(&lim, 0);
	char err[256];
	int rc = rc_file_check_replace(path, err, sizeof err);
	int e = errno;
	limit_end(&lim);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(e, EFBIG);
	CU_ASSERT_EQUAL(entries(), 0); /* the temporary file was removed */
	remove_scratch();
}

/* The mode is what open(2) would give a new file: less the umask. */
static void test_replace_mode_follows_umask(void)
{
	scratch();
	mode_t old = umask(027);
	CU_ASSERT_EQUAL(rc_file_replace(path, "x", 1, 0666, 0, NULL, 0), 0);
	umask(old);
	expect_mode(path, 0640);
	remove_scratch();
}

/* A write cut short (here by a file size limit of 4 bytes, as a full disk
 * would) leaves the old file whole and removes the temporary file. */
static void test_replace_failure_keeps_old_file(void)
{
	scratch();
	put(path, "old content\n", 12);
	struct size_limit lim;
	limit_begin(&lim, 4);
	char err[256];
	errno = 0;
	int rc = rc_file_replace(path, "new content, longer\n", 20, 0644, 0, err, sizeof err);
	int e = errno;
	limit_end(&lim);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(e, EFBIG);
	char want[256];
	snprintf(want, sizeof want, "cannot write %s: %s", path, strerror(EFBIG));
	CU_ASSERT_STRING_EQUAL(err, want);
	expect_content(path, "old content\n");
	CU_ASSERT_EQUAL(entries(), 1); /* the temporary file is gone */
	remove_scratch();
}

/* A folder in the way is neither replaced nor entered. */
static void test_replace_refuses_folder(void)
{
	scratch();
	char kept[160], err[256];
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	snprintf(kept, sizeof kept, "%s/kept", path);
	put(kept, "x", 1);
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_replace(path, "new", 3, 0600, 0, err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, EISDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	expect_content(kept, "x");
	CU_ASSERT_EQUAL(entries(), 1); /* the folder, and no temporary file beside it */
	remove_scratch();
}

static void test_replace_in_missing_folder(void)
{
	scratch();
	char deep[160], err[256];
	snprintf(deep, sizeof deep, "%s/no/such", dir);
	errno = 0;
	CU_ASSERT_EQUAL(rc_file_replace(deep, "a", 1, 0600, 0, err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	char want[256];
	snprintf(want, sizeof want, "cannot write %s: %s", deep, strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(entries(), 0);
	remove_scratch();
}

/* A device is written in place: renaming over /dev/null would replace it. */
static void test_replace_writes_device_in_place(void)
{
	CU_ASSERT_EQUAL(rc_file_replace("/dev/null", "gone", 4, 0666, 0, NULL, 0), 0);
	struct stat st;
	CU_ASSERT_EQUAL(stat("/dev/null", &st), 0);
	CU_ASSERT(S_ISCHR(st.st_mode));
}

/* A FIFO nobody reads under the name fails with ENXIO at once, with or
 * without RC_FILE_NO_HANG; once the open waited for a reader for ever, so a
 * FIFO planted under a runner's state file hung its next save and one given
 * as `--junit` hung rollcall at the end of its run (the alarm turns such a
 * hang into a failure here). The FIFO stays a FIFO. */
static void test_replace_no_hang_fifo_without_reader(void)
{
	scratch();
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	const unsigned flags[] = { RC_FILE_NO_HANG, 0 };
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char err[256] = "";
		alarm(10);
		CU_ASSERT_EQUAL(rc_file_replace(path, "state", 5, 0600, flags[i], err, sizeof err), -1);
		CU_ASSERT_EQUAL(errno, ENXIO);
		alarm(0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	}
	struct stat st;
	CU_ASSERT(stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
	unlink(path);
	remove_scratch();
}

/* A path naming an open descriptor that is a regular file (what
 * /dev/stdout is when output is redirected to a file) is written to that
 * descriptor where it stands, after what it already wrote, and a link to it
 * (here one beside it, like /dev/stdout -> /proc/self/fd/1) stays a link.
 * Renaming a temporary file over the link replaced it with a file, leaving
 * the redirected file without the output (and, as root, /dev/stdout a
 * plain file for every process). */
static void test_replace_writes_to_named_descriptor(void)
{
	scratch();
	FILE *f = fopen(path, "w+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	int fd = fileno(f);
	char fd_path[64], link_path[160], got[32] = "";
	snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
	snprintf(link_path, sizeof link_path, "%s/stdout", dir);
	CU_ASSERT_EQUAL_FATAL(symlink(fd_path, link_path), 0);
	CU_ASSERT_EQUAL(write(fd, "head ", 5), 5);
	CU_ASSERT_EQUAL(rc_file_replace(link_path, "via link", 8, 0666, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(rc_file_replace(fd_path, "+direct", 7, 0666, 0, NULL, 0), 0);
	struct stat st;
	CU_ASSERT_EQUAL(lstat(link_path, &st), 0);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(pread(fd, got, sizeof got - 1, 0), 20);
	CU_ASSERT_STRING_EQUAL(got, "head via link+direct");
	fclose(f);
	unlink(link_path);
	CU_ASSERT_EQUAL(entries(), 1); /* f, and no temporary file beside it */
	remove_scratch();
}

/* The names rc_file_replace gives its temporary files, and near misses a
 * cleanup must leave alone (someone's backup, another file's temporary). */
static void test_temp_names(void)
{
	char own[128];
	snprintf(own, sizeof own, "state.json.%ld-0.tmp", (long)getpid());
	CU_ASSERT(rc_file_is_temp_of(own, "state.json"));
	CU_ASSERT(rc_file_is_temp_of("state.json.1-4294967295.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.-1.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.12-.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.12-3.tmp~", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.12-3.bak", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.jsonx.12-3.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("other.json.12-3.tmp", "state.json"));
	CU_ASSERT_FALSE(rc_file_is_temp_of("state.json.12-3.tmp", "state"));
}

/* --- folders ---------------------------------------------------------------------- */

static bool is_folder(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p: every level made, and a folder already there is fine. */
static void test_mkdirs_makes_every_level(void)
{
	scratch();
	char deep[192], err[256];
	snprintf(deep, sizeof deep, "%s/a/b//c/", dir);
	CU_ASSERT_EQUAL(rc_file_mkdirs(deep, err, sizeof err), 0);
	CU_ASSERT_TRUE(is_folder(deep));
	CU_ASSERT_EQUAL(rc_file_mkdirs(deep, err, sizeof err), 0); /* again: already there */
	remove_scratch();
}

/* A regular file where a folder should be, at the end or on the way, is
 * ENOTDIR naming it: mkdir's EEXIST alone once let explore "save" its
 * failures into a file given as --out, losing every one of them. */
static void test_mkdirs_refuses_a_file(void)
{
	scratch();
	put(path, "keep", 4);
	char under[192], err[256];
	CU_ASSERT_EQUAL(rc_file_mkdirs(path, err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOTDIR);
	char want[256];
	snprintf(want, sizeof want, "cannot create %s: %s", path, strerror(ENOTDIR));
	CU_ASSERT_STRING_EQUAL(err, want);
	snprintf(under, sizeof under, "%s/sub/deeper", path);
	CU_ASSERT_EQUAL(rc_file_mkdirs(under, err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOTDIR);
	expect_content(path, "keep");
	CU_ASSERT_EQUAL(rc_file_mkdirs("", err, sizeof err), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	remove_scratch();
}

void rc_test_register_common_file(void)
{
	static CU_TestInfo tests[] = {
		{ "read: a whole file", test_read_whole_file },
		{ "read: an empty file is \"\"", test_read_empty_file },
		{ "read: a folder is refused (EISDIR)", test_read_refuses_folder },
		{ "read: a missing file (ENOENT, PATH: reason)", test_read_missing_file },
		{ "read: a read error keeps its errno", test_read_error_keeps_errno },
		{ "read: the size cap is exact", test_read_cap_is_exact },
		{ "read: a file of unknown size", test_read_unknown_size },
		{ "read: RC_FILE_TEXT refuses NUL bytes", test_read_text_refuses_nul },
		{ "replace: creates, replaces, no temp left", test_replace_creates_and_replaces },
		{ "replace: mode less the umask", test_replace_mode_follows_umask },
		{ "writer: shows at path on commit only", test_writer_commit_or_abort },
		{ "check: makes and removes the temporary file", test_check_replace },
		{ "check: a FIFO or /dev/null, not /dev/full", test_check_replace_in_place },
		{ "check: no room for a block fails", test_check_replace_no_room },
		{ "replace: a failed write keeps the old file", test_replace_failure_keeps_old_file },
		{ "replace: a folder in the way", test_replace_refuses_folder },
		{ "replace: a missing folder", test_replace_in_missing_folder },
		{ "replace: a device is written in place", test_replace_writes_device_in_place },
		{ "replace: a path naming a descriptor writes to it", test_replace_writes_to_named_descriptor },
		{ "replace: no hang on a FIFO without a reader", test_replace_no_hang_fifo_without_reader },
		{ "temporary names: BASE.PID-N.tmp only", test_temp_names },
		{ "mkdirs: every level, and one already there", test_mkdirs_makes_every_level },
		{ "mkdirs: a file in the way is ENOTDIR", test_mkdirs_refuses_a_file },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("common_file", tests);
}
