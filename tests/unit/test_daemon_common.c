/*
 * test_daemon_common.c - the daemons' shared helpers: files, secrets, listen
 * addresses, clock waits and log rendering.
 *
 * These are the pieces whose failure would be silent in the integration
 * tests (a secret with a trailing newline, a file error that does not say
 * which file, a log line split in two), so they are pinned down here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rcd_clock.h"
#include "rcd_file.h"
#include "rcd_http.h"
#include "rcd_log.h"
#include "unit.h"

static char scratch[256];

static const char *scratch_dir(void)
{
	snprintf(scratch, sizeof scratch, "/tmp/rc-unit-dcommon-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(scratch));
	return scratch;
}

static void put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void cleanup(const char *dir, const char *const *names)
{
	char path[512];
	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void expect_error(int rc, const char *err, const char *says)
{
	CU_ASSERT_EQUAL(rc, -1);
	if (!strstr(err, says))
		fprintf(stderr, "\n  error \"%s\" does not say \"%s\"\n", err, says);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, says));
}

/* Each failure names the path and what failed, and leaves what was there. */
static void test_file_errors_name_the_path(void)
{
	const char *dir = scratch_dir();
	char sub[300], file[512], deep[600], err[4400], *data;
	size_t len;
	snprintf(sub, sizeof sub, "%s/sub", dir);
	snprintf(file, sizeof file, "%s/sub/kept", dir);
	snprintf(deep, sizeof deep, "%s/no/such/dir", dir);
	CU_ASSERT_EQUAL_FATAL(rcd_ensure_dir(sub, err, sizeof err), 0);
	CU_ASSERT_EQUAL(rcd_ensure_dir(sub, err, sizeof err), 0); /* already there */
	put(file, "x", 1);

	/* The wording `rollcall conform --profile` and the daemons print. */
	char want[4400];
	expect_error(rcd_read_file(sub, 100, &data, &len, err, sizeof err), err, "cannot read");
	CU_ASSERT_PTR_NULL(data);
	snprintf(want, sizeof want, "cannot read %s: Is a directory", sub);
	CU_ASSERT_STRING_EQUAL(err, want);
	expect_error(rcd_read_file(deep, 100, &data, &len, err, sizeof err), err, "cannot open");
	snprintf(want, sizeof want, "cannot open %s: No such file or directory", deep);
	CU_ASSERT_STRING_EQUAL(err, want);

	expect_error(rcd_ensure_dir(file, err, sizeof err), err, "is not a directory");
	expect_error(rcd_ensure_dir(deep, err, sizeof err), err, "cannot create directory");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, deep));
	cleanup(sub, (const char *const[]){ "kept", NULL });
	rmdir(dir);
}

/* Files only a regular file makes sense as (state files, databases): a FIFO
 * is refused by name before anyone opens it (open() would wait for a writer),
 * a missing file is fine (it is about to be created). */
static void test_check_regular(void)
{
	const char *dir = scratch_dir();
	char fifo[512], file[512], missing[512], err[600] = "";
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(file, sizeof file, "%s/file", dir);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	put(file, "x", 1);
	CU_ASSERT_EQUAL(rcd_check_regular(file, err, sizeof err), 0);
	CU_ASSERT_EQUAL(rcd_check_regular(missing, err, sizeof err), 0);
	expect_error(rcd_check_regular(fifo, err, sizeof err), err, "is a FIFO, not a regular file");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, fifo));
	expect_error(rcd_check_regular(dir, err, sizeof err), err, "is a directory, not a regular file");
	/* Read anyway, a FIFO without a writer is empty at once, not a hang. */
	char *data;
	size_t len;
	CU_ASSERT_EQUAL(rcd_read_file(fifo, 100, &data, &len, err, sizeof err), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(data);
	cleanup(dir, (const char *const[]){ "fifo", "file", NULL });
}

static void test_read_file_limit(void)
{
	const char *dir = scratch_dir();
	char path[512], err[256] = "";
	snprintf(path, sizeof path, "%s/big", dir);
	put(path, "0123456789", 10);
	char *data;
	size_t len;
	CU_ASSERT_EQUAL(rcd_read_file(path, 9, &data, &len, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than 9"));
	CU_ASSERT_EQUAL(rcd_read_file(path, 10, &data, &len, err, sizeof err), 0);
	CU_ASSERT_EQUAL(len, 10);
	free(data);
	cleanup(dir, (const char *const[]){ "big", NULL });
}

static void test_secret_file_forms(void)
{
	const char *dir = scratch_dir();
	char path[512], err[256], secret[32];
	snprintf(path, sizeof path, "%s/secret", dir);

	put(path, "s3cret\n", 7);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(secret, "s3cret");
	put(path, "s3cret\r\n", 8);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(secret, "s3cret");
	put(path, "no-newline", 10);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(secret, "no-newline");

	put(path, "\n", 1);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "empty"));
	put(path, "two\nlines\n", 10);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "control character"));
	CU_ASSERT_PTR_NULL(strstr(err, "lines")); /* the secret is never echoed */
	put(path, "0123456789012345678901234567890123456789", 40);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "0123"));
	/* A space at either end never reaches the coordinator as sent. */
	put(path, " s3cret\n", 8);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "begins or ends with a space"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	put(path, "s3cret \n", 8);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
	put(path, "s3 cret\n", 8);
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(secret, "s3 cret");
	cleanup(dir, (const char *const[]){ "secret", NULL });
	CU_ASSERT_EQUAL(rcd_read_secret_file(path, secret, sizeof secret, err, sizeof err), -1);
}

static void test_parse_listen(void)
{
	char host[64], err[256];
	int port = -1;
	CU_ASSERT_EQUAL(rcd_parse_listen("127.0.0.1:0", host, sizeof host, &port, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(host, "127.0.0.1");
	CU_ASSERT_EQUAL(port, 0);
	CU_ASSERT_EQUAL(rcd_parse_listen("0.0.0.0:65535", host, sizeof host, &port, err, sizeof err), 0);
	CU_ASSERT_EQUAL(port, 65535);
	CU_ASSERT_EQUAL(rcd_parse_listen("127.0.0.1:65536", host, sizeof host, &port, err, sizeof err), -1);
	CU_ASSERT_EQUAL(rcd_parse_listen("127.0.0.1:", host, sizeof host, &port, err, sizeof err), -1);
	CU_ASSERT_EQUAL(rcd_parse_listen("localhost:80", host, sizeof host, &port, err, sizeof err), -1);
	CU_ASSERT_EQUAL(rcd_parse_listen("8080", host, sizeof host, &port, err, sizeof err), -1);
	CU_ASSERT_EQUAL(rcd_parse_listen("127.0.0.1:80x", host, sizeof host, &port, err, sizeof err), -1);
}

static void test_wait_ms(void)
{
	CU_ASSERT_EQUAL(rcd_wait_ms(1000, 900, 50), 0);
	CU_ASSERT_EQUAL(rcd_wait_ms(1000, 1000, 50), 0);
	CU_ASSERT_EQUAL(rcd_wait_ms(1000, 1020, 50), 20);
	CU_ASSERT_EQUAL(rcd_wait_ms(1000, INT64_MAX, 50), 50);
	int64_t a = rcd_now_ms(), b = rcd_now_ms();
	CU_ASSERT_TRUE(b >= a);
	CU_ASSERT_TRUE(a > 1600000000000LL); /* the real-time clock, in ms */
}

/* Capture what the logger writes to stderr during fn. */
static void capture_stderr(void (*fn)(void), char *out, size_t cap)
{
	char path[] = "/tmp/rc-unit-log-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

static void emit_sample(void)
{
	struct rcd_logline l;
	rcd_log_start(&l, "info", "request");
	rcd_log_str(&l, "path", "/runners/register");
	rcd_log_str(&l, "why", "two words");
	rcd_log_str(&l, "skipped", NULL);
	rcd_log_int(&l, "status", 201);
	rcd_log_emit(&l);
}

static void test_log_text_and_json(void)
{
	char out[1024];
	rcd_log_init("unit", RCD_LOG_TEXT);
	capture_stderr(emit_sample, out, sizeof out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " info unit request path=/runners/register why=\"two words\" status=201\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "skipped"));
	CU_ASSERT_EQUAL(strchr(out, '\n'), out + strlen(out) - 1); /* exactly one line */

	rcd_log_init("unit", RCD_LOG_JSON);
	capture_stderr(emit_sample, out, sizeof out);
	json_error_t jerr;
	json_t *v = json_loads(out, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "event")), "request");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "prog")), "unit");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "status")), 201);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(v, "ts"));
	json_decref(v);
	rcd_log_init("rollcall", RCD_LOG_TEXT);

	enum rcd_log_format f;
	CU_ASSERT_EQUAL(rcd_log_parse_format("json", &f), 0);
	CU_ASSERT_EQUAL(f, RCD_LOG_JSON);
	CU_ASSERT_EQUAL(rcd_log_parse_format("xml", &f), -1);
}

void rc_test_register_daemon_common(void)
{
	static CU_TestInfo tests[] = {
		{ "read_file refuses files over the limit", test_read_file_limit },
		{ "check_regular refuses FIFOs and directories", test_check_regular },
		{ "file errors name the path, leave things as they were", test_file_errors_name_the_path },
		{ "secret files: newline trimmed, bad ones refused", test_secret_file_forms },
		{ "listen addresses", test_parse_listen },
		{ "poll wait and clock", test_wait_ms },
		{ "log lines in text and json", test_log_text_and_json },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("daemon_common", tests);
}
