/*
 * test_coordd_store.c - coordd's SQLite store against a real coordinator.
 *
 * A coordinator driven through registrations, claims, completions, a
 * reassignment, a removal and sandbox reports has every call's effects
 * persisted; a second coordinator loaded from the file must then hold the
 * same records (compared as cf_state text after both get the restart grace
 * at the same instant). Also: refused requests write nothing, every accepted
 * sandbox change leaves an audit row, a malformed row (a value of another
 * type than its column's, out of range, or one the core refuses) stops the
 * load naming its table, row and column, and a second process-level open of
 * the same file is refused.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord_fixture.h"
#include "store.h"
#include "unit.h"

static char db_path[64];

static void remove_db(void)
{
	const char *suffixes[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
		unlink(p);
	}
}

static struct rcd_store *fresh_store(void)
{
	snprintf(db_path, sizeof db_path, "/tmp/rc-unit-store-%d.db", (int)getpid());
	remove_db();
	char err[256];
	struct rcd_store *st = rcd_store_open(db_path, NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	return st;
}

static void persist(struct rcd_store *st, struct cf *f)
{
	char err[256];
	CU_ASSERT_EQUAL_FATAL(rcd_store_apply(st, f->c, &f->ob, err, sizeof err), 0);
}

/* Count rows with a query on the closed database file. */
static long count_rows(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* A coordinator restored from the file at now_ms (restore_done included). */
static struct rc_coord *reload(int64_t now_ms, struct rc_outbox *ob)
{
	char err[256];
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, CF_SECRET, now_ms);
	struct rcd_store *st = rcd_store_open(db_path, NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_TRUE(rcd_store_load(st, c, err, sizeof err) > 0);
	rc_coord_restore_done(c, now_ms, ob);
	rcd_store_close(st);
	return c;
}

static void test_round_trip(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rcd_store *st = fresh_store();
	struct cf_runner a = cf_register_with(&f, 1000, "alpha", 2);
	persist(st, &f);
	struct cf_runner b = cf_register_with(&f, 1100, "beta", 2);
	persist(st, &f);
	struct cf_runner gone = cf_register(&f, 1200, "gamma");
	persist(st, &f);
	uint64_t t1 = cf_submit(&f, 2000);
	persist(st, &f);
	uint64_t t2 = cf_submit(&f, 2100);
	persist(st, &f);
	uint64_t t3 = cf_submit(&f, 2200);
	persist(st, &f);
	uint64_t sb = cf_sandbox(&f, 2300, t2);
	persist(st, &f);
	uint64_t free_sb = cf_sandbox(&f, 2400, 0);
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_claim(&f, 3000, &a, 2), RC_STATUS_OK); /* t1, t2 on alpha */
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_complete(&f, 4000, &a, t1, 1, true, "done"), RC_STATUS_OK);
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_report(&f, 4100, a.id, sb, "creating"), RC_STATUS_OK);
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_report(&f, 4200, b.id, free_sb, "creating"), RC_STATUS_OK);
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_report(&f, 4300, b.id, free_sb, "starting"), RC_STATUS_OK);
	persist(st, &f);
	/* beta keeps heartbeating, alpha and gamma go silent: the monitor takes
	 * t2 from alpha, beta claims it as attempt 2 (the sandbox follows). */
	for (int64_t t = 10000; t <= 80000; t += 10000) {
		CU_ASSERT_EQUAL(cf_heartbeat(&f, t, &b), RC_STATUS_OK);
		persist(st, &f);
		cf_tick(&f, t);
		persist(st, &f);
	}
	CU_ASSERT_EQUAL(cf_claim(&f, 80500, &b, 2), RC_STATUS_OK); /* t2 (requeued) and t3 */
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_task(&f, t2)->attempt, 2);
	CU_ASSERT_EQUAL(cf_task(&f, t3)->attempt, 1);
	struct rc_msg dereg = cf_runner_msg(RC_OP_DEREGISTER, &gone);
	CU_ASSERT_EQUAL(cf_send(&f, 81000, &dereg), RC_STATUS_OK);
	persist(st, &f);
	rcd_store_close(st);

	struct rc_outbox ob;
	rc_outbox_init(&ob);
	struct rc_coord *restored = reload(90000, &ob);
	rc_outbox_clear(&f.ob);
	rc_coord_restore_done(f.c, 90000, &f.ob); /* the same grace, for comparison */
	char *want = cf_state(f.c), *got = cf_state(restored);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want\n%s--- got\n%s", want, got);
	CU_ASSERT_PTR_NULL(rc_coord_find_runner(restored, gone.id));

	/* Ids continue after the restored ones. */
	struct rc_msg submit = { .op = RC_OP_TASK_SUBMIT, .kind = "build" };
	struct rc_reply reply;
	rc_outbox_clear(&ob);
	CU_ASSERT_EQUAL(rc_coord_handle(restored, 91000, &submit, &reply, &ob), RC_STATUS_CREATED);
	CU_ASSERT_EQUAL(reply.task_id, 4);

	/* History rows: three sandbox changes audited, two attempts of t2, three
	 * sessions, the removal left no runner row. */
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM audit"), 3);
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM attempts WHERE task_id = 2"), 2);
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM attempts WHERE task_id = 2 AND attempt = 1 AND outcome = 'queued'"), 1);
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM sessions"), 3);
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM runners"), 2);
	free(want);
	free(got);
	rc_coord_free(restored);
	rc_outbox_free(&ob);
	cf_free(&f);
	remove_db();
}

static void test_refused_request_writes_nothing(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rcd_store *st = fresh_store();
	struct rc_msg m = cf_register_msg("alpha", "tok");
	m.secret = "wrong";
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &m), RC_STATUS_UNAUTHORIZED);
	CU_ASSERT_FALSE(rcd_store_has_work(&f.ob));
	persist(st, &f);
	m = cf_register_msg("alpha", "tok");
	CU_ASSERT_EQUAL(cf_send(&f, 1000, &m), RC_STATUS_OK);
	CU_ASSERT_TRUE(rcd_store_has_work(&f.ob));
	rcd_store_close(st);
	CU_ASSERT_EQUAL(count_rows("SELECT count(*) FROM runners"), 0);
	cf_free(&f);
	remove_db();
}

static void test_malformed_row_stops_the_load(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rcd_store *st = fresh_store();
	cf_submit(&f, 1000);
	persist(st, &f);
	rcd_store_close(st);
	sqlite3 *db;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, "UPDATE tasks SET state = 'bogus'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	char err[256] = "";
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, CF_SECRET, 5000);
	st = rcd_store_open(db_path, NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(rcd_store_load(st, c, err, sizeof err), RCD_STORE_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "table tasks, rowid 1) is malformed: bad state"));
	rcd_store_close(st);
	rc_coord_free(c);
	cf_free(&f);
	remove_db();
}

/* Run sql on db_path with a plain sqlite3 connection (damage, or a file of
 * another program). */
static void run_sql(const char *sql)
{
	sqlite3 *db;
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A closed file with a runner, a running and a queued task and a sandbox
 * bound to the running task. */
static void write_sample_db(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rcd_store *st = fresh_store();
	struct cf_runner a = cf_register(&f, 1000, "alpha");
	persist(st, &f);
	uint64_t t1 = cf_submit(&f, 2000);
	persist(st, &f);
	cf_submit(&f, 2100);
	persist(st, &f);
	cf_sandbox(&f, 2200, t1);
	persist(st, &f);
	CU_ASSERT_EQUAL(cf_claim(&f, 3000, &a, 1), RC_STATUS_OK);
	persist(st, &f);
	rcd_store_close(st);
	cf_free(&f);
}

/* The whole file (malloc'd), to see that a refused load wrote nothing. */
static unsigned char *file_bytes(size_t *len)
{
	FILE *fp = fopen(db_path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	rewind(fp);
	unsigned char *b = malloc(*len ? *len : 1);
	CU_ASSERT_EQUAL(fread(b, 1, *len, fp), *len);
	fclose(fp);
	return b;
}

/* The file's bytes are still `before` (len bytes); frees before. */
static void assert_file_unchanged(unsigned char *before, size_t len)
{
	size_t len_after;
	unsigned char *after = file_bytes(&len_after);
	CU_ASSERT_TRUE(len_after == len && memcmp(before, after, len) == 0);
	free(before);
	free(after);
}

/* Damage the sample file with sql: the load must stop with an error holding
 * want, as bad input, and the file must keep its bytes. */
static void expect_load_refused(const char *sql, const char *want)
{
	write_sample_db();
	run_sql(sql);
	size_t len_before;
	unsigned char *before = file_bytes(&len_before);

	char err[256] = "";
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, CF_SECRET, 5000);
	struct rcd_store *st = rcd_store_open(db_path, NULL, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(rcd_store_load(st, c, err, sizeof err), RCD_STORE_REFUSED);
	rcd_store_close(st);
	rc_coord_free(c);
	if (!strstr(err, want))
		fprintf(stderr, "\n%s: got error \"%s\", want \"%s\"\n", sql, err, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));

	assert_file_unchanged(before, len_before);
	remove_db();
}

/* A negative id, session or reference is refused, not wrapped to a huge
 * unsigned one that coordd would later fail to encode (an assertion). */
static void test_negative_numbers_are_refused(void)
{
	expect_load_refused("UPDATE runners SET session = -5", "table runners, rowid 1) is malformed: bad session");
	expect_load_refused("UPDATE tasks SET id = -1 WHERE id = 2", "table tasks, rowid -1) is malformed: bad id");
	expect_load_refused("UPDATE sandboxes SET task_id = -3 WHERE id = 1", "table sandboxes, rowid 1) is malformed: bad task_id");
	expect_load_refused("UPDATE tasks SET attempt = 4294967297 WHERE id = 1", "bad attempt");
	expect_load_refused("UPDATE runners SET max_concurrency = -4294967295", "bad max_concurrency");
}

/* A sandbox bound to a task the file does not hold would be handed to the
 * next task created with that id. */
static void test_sandbox_of_a_missing_task_is_refused(void)
{
	expect_load_refused("UPDATE sandboxes SET task_id = 77 WHERE id = 1",
			    "table sandboxes, rowid 1) is refused by the coordinator: bad task_id (it names no restored "
			    "task)");
}

/* SQLite keeps a value of another type than its column's (the text '1x' in
 * an INTEGER column), and its conversions read it as some value all the same
 * ('1x' as 1, a real cut to an integer, a blob as text): the load took such
 * a row as another. Each is refused, naming what the column holds. */
static void test_values_of_another_type_are_refused(void)
{
	expect_load_refused("UPDATE tasks SET attempt = '1x' WHERE id = 1",
			    "table tasks, rowid 1) is malformed: bad attempt (text where an integer belongs)");
	expect_load_refused("UPDATE runners SET session = 4.5", "bad session (a real where an integer belongs)");
	expect_load_refused("UPDATE runners SET registered_at_ms = '2026-01-01'",
			    "bad registered_at_ms (text where an integer belongs)");
	expect_load_refused("UPDATE runners SET hostname = X'6869'", "bad hostname (a blob where text belongs)");
	expect_load_refused("UPDATE tasks SET result = X'6f6b' WHERE id = 1", "bad result (a blob where text belongs)");
	expect_load_refused("UPDATE sandboxes SET deleted_by_api = 'no'",
			    "bad deleted_by_api (text where an integer belongs)");
	expect_load_refused("UPDATE tasks SET confirmed = 2 WHERE id = 1", "bad confirmed (it is neither 0 nor 1)");
	/* read first wherever it sorts: a real among the integers too */
	expect_load_refused("INSERT INTO sessions VALUES('lnch_000000000000', 2.5, 0)",
			    "table sessions, rowid 2) is malformed: bad session (a real where an integer belongs)");
}

/* A time outside the years the runners list can write came back as null in
 * GET /runners (and near the int64 limits would overflow an age): the core
 * refuses it at restore, and the store names the column it came from. */
static void test_times_out_of_range_are_refused(void)
{
	expect_load_refused("UPDATE runners SET registered_at_ms = -9000000000000000",
			    "table runners, rowid 1) is refused by the coordinator: bad registered_at_ms (it is not an "
			    "instant of the years 0000..9999)");
	expect_load_refused("UPDATE tasks SET claimed_at_ms = 9223372036854775807 WHERE id = 1", "bad claimed_at_ms");
	expect_load_refused("UPDATE sandboxes SET updated_at_ms = 253402300800000", "bad updated_at_ms");
}

/* What the core refuses, it names too. */
static void test_core_refusals_name_the_column(void)
{
	expect_load_refused("UPDATE tasks SET attempt = 3 WHERE id = 2",
			    "table tasks, rowid 2) is refused by the coordinator: bad attempt (it leaves a queued task no "
			    "attempt)");
	expect_load_refused("UPDATE runners SET max_concurrency = 65", "bad max_concurrency (it is outside 1..64)");
	expect_load_refused("UPDATE runners SET hostname = 'beta'",
			    "bad id (it is not the id of its hostname, project_dir and executor_type)");
	expect_load_refused("UPDATE tasks SET runner_id = '' WHERE id = 1", "bad runner_id (it is not the runner id");
	expect_load_refused("UPDATE sandboxes SET status = 'exploded'", "malformed: bad status (it is not a sandbox status)");
}

/* A text that does not fit its buffer, or holds a NUL, is refused rather
 * than loaded cut short as another value. */
static void test_texts_that_do_not_fit_are_refused(void)
{
	expect_load_refused("UPDATE runners SET id = id || 'junk'", "table runners, rowid 1) is malformed: bad id");
	expect_load_refused("UPDATE tasks SET runner_id = runner_id || 'x' WHERE id = 1", "bad runner_id");
	expect_load_refused("UPDATE sandboxes SET runner_id = 'lnch_0123456789abc'", "bad runner_id");
	expect_load_refused("UPDATE sandboxes SET container_id = printf('%.129c', 'c')", "bad container_id");
	expect_load_refused("UPDATE tasks SET payload = CAST(X'6563686f0078' AS TEXT) WHERE id = 2", "bad payload");
	expect_load_refused("UPDATE runners SET hostname = CAST(X'616c7068610062' AS TEXT)", "bad hostname");
}

/* A text that is not UTF-8 cannot go into a reply: refused at load, not
 * found by the first claim or list that answers 500 after its commit. */

static void test_texts_not_utf8_are_refused(void)
{
	expect_load_refused("UPDATE tasks SET payload = CAST(X'6563686f20ff' AS TEXT) WHERE id = 2", "bad payload");
	expect_load_refused("UPDATE tasks SET kind = CAST(X'6275696c64c3' AS TEXT) WHERE id = 2", "bad kind");
	expect_load_refused("UPDATE runners SET hostname = CAST(X'616c706861ed' AS TEXT)", "bad hostname");
	expect_load_refused("UPDATE sandboxes SET container_id = CAST(X'63c0af' AS TEXT)", "bad container_id");
}

/* Create db_path with sql run by a plain sqlite3 connection. */
static void write_file_with(const char *sql)
{
	snprintf(db_path, sizeof db_path, "/tmp/rc-unit-store-%d.db", (int)getpid());
	remove_db();
	run_sql(sql);
}

/* Open must refuse the file with an error holding want, before it changes
 * a byte of it (no WAL switch, no tables added, no -wal file left). */
static void expect_open_refused(const char *want)
{
	size_t len_before;
	unsigned char *before = file_bytes(&len_before);
	char err[256] = "";
	enum rcd_store_failure why = RCD_STORE_UNUSABLE;
	struct rcd_store *st = rcd_store_open(db_path, &why, err, sizeof err);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT_EQUAL(why, RCD_STORE_REFUSED); /* bad input: coordd exits 2 */
	rcd_store_close(st);
	if (!strstr(err, want))
		fprintf(stderr, "\ngot error \"%s\", want \"%s\"\n", err, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	assert_file_unchanged(before, len_before);
	char wal[96];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	CU_ASSERT_NOT_EQUAL(access(wal, F_OK), 0);
	remove_db();
}

static void test_foreign_file_refused_unchanged(void)
{
	write_file_with("CREATE TABLE runners(name TEXT, rank INTEGER); INSERT INTO runners VALUES('bolt', 1);");
	expect_open_refused("not a rollcall-coordd database");
	/* Our seven table names, but not our columns. */
	write_file_with("CREATE TABLE runners(x); CREATE TABLE sessions(x); CREATE TABLE tasks(x);"
			" CREATE TABLE attempts(x); CREATE TABLE task_events(x); CREATE TABLE sandboxes(x);"
			" CREATE TABLE audit(x);");
	expect_open_refused("its tables are not those of this coordd");
	/* Another program's application id on a file with our tables. */
	write_sample_db();
	run_sql("PRAGMA application_id = 42");
	expect_open_refused("not a rollcall-coordd database");
}

/* Pages a disk tore (all but the first, where the schema is) make the file
 * refused at open, unchanged, as bad input. store_fuzz.py found such files
 * refused at load with exit 1, as if unreadable, or (a torn index page the
 * load never reads) found only by the first write, mid-service. */
static void test_torn_pages_refused_unchanged(void)
{
	write_sample_db();
	FILE *fp = fopen(db_path, "r+b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fseek(fp, 0, SEEK_END);
	long len = ftell(fp);
	CU_ASSERT_TRUE_FATAL(len > 4096);
	fseek(fp, 4096, SEEK_SET);
	for (long i = 4096; i < len; i++)
		fputc(0xA5, fp);
	fclose(fp);
	expect_open_refused("it is damaged");
}

/* A file written before the application id was set (tables exactly ours)
 * still loads. */
static void test_file_without_application_id_loads(void)
{
	write_sample_db();
	run_sql("PRAGMA application_id = 0");
	CU_ASSERT_EQUAL(count_rows("PRAGMA application_id"), 0);
	struct rc_outbox ob;
	rc_outbox_init(&ob);
	struct rc_coord *c = reload(9000, &ob);
	CU_ASSERT_EQUAL(rc_coord_task_count(c), 2);
	rc_coord_free(c);
	rc_outbox_free(&ob);
	remove_db();
}

static void test_second_open_refused(void)
{
	struct rcd_store *st = fresh_store();
	char err[256] = "";
	enum rcd_store_failure why = RCD_STORE_REFUSED;
	struct rcd_store *again = rcd_store_open(db_path, &why, err, sizeof err);
	CU_ASSERT_PTR_NULL(again);
	CU_ASSERT_EQUAL(why, RCD_STORE_UNUSABLE); /* not bad input: coordd exits 1 */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "locked"));
	rcd_store_close(again);
	rcd_store_close(st);
	remove_db();
	CU_ASSERT_EQUAL(rcd_store_open("/nonexistent-dir/x.db", NULL, err, sizeof err), NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/x.db"));
}

void rc_test_register_coordd_store(void)
{
	static CU_TestInfo tests[] = {
		{ "every record survives a reload", test_round_trip },
		{ "a refused request writes nothing", test_refused_request_writes_nothing },
		{ "a malformed row stops the load", test_malformed_row_stops_the_load },
		{ "one process per database", test_second_open_refused },
		{ "negative numbers are refused at load", test_negative_numbers_are_refused },
		{ "a sandbox of a missing task is refused at load", test_sandbox_of_a_missing_task_is_refused },
		{ "values of another type are refused at load", test_values_of_another_type_are_refused },
		{ "times out of range are refused at load", test_times_out_of_range_are_refused },
		{ "the core's refusals name the column", test_core_refusals_name_the_column },
		{ "texts that do not fit are refused at load", test_texts_that_do_not_fit_are_refused },
		{ "texts not UTF-8 are refused at load", test_texts_not_utf8_are_refused },
		{ "a foreign file is refused unchanged", test_foreign_file_refused_unchanged },
		{ "torn pages are refused unchanged", test_torn_pages_refused_unchanged },
		{ "a file without application id loads", test_file_without_application_id_loads },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("coordd_store", tests);
}
