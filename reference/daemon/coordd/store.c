/*
 * store.c - the SQLite persistence of store.h.
 *
 * Records are written as the core holds them after the call (upsert, or
 * delete when the core no longer has the record), so applying the same
 * effects twice is harmless and the order of effects within one call does not
 * matter. Statuses are stored as their protocol words, which keeps the file
 * readable with the sqlite3 shell.
 */
#include "store.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcd_file.h"
#include "utf8.h"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_RUNNER_UPSERT,
	ST_RUNNER_DELETE,
	ST_SESSION_INSERT,
	ST_TASK_UPSERT,
	ST_TASK_DELETE,
	ST_TASK_EVENT,
	ST_ATTEMPT_START,
	ST_ATTEMPT_END,
	ST_SANDBOX_UPSERT,
	ST_SANDBOX_DELETE,
	ST_AUDIT_INSERT,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_RUNNER_UPSERT] =
		"INSERT INTO runners(id, hostname, project_dir, executor_type, instance_token, status,"
		" registered_at_ms, last_heartbeat_ms, session, max_concurrency, running)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		" ON CONFLICT(id) DO UPDATE SET hostname = ?2, project_dir = ?3, executor_type = ?4,"
		" instance_token = ?5, status = ?6, registered_at_ms = ?7, last_heartbeat_ms = ?8,"
		" session = ?9, max_concurrency = ?10, running = ?11",
	[ST_RUNNER_DELETE] = "DELETE FROM runners WHERE id = ?1",
	[ST_SESSION_INSERT] = "INSERT OR IGNORE INTO sessions(runner_id, session, opened_at_ms) VALUES(?1, ?2, ?3)",
	[ST_TASK_UPSERT] =
		"INSERT OR REPLACE INTO tasks(id, kind, payload, result, state, attempt, runner_id,"
		" submitted_at_ms, claimed_at_ms, finished_at_ms, confirmed)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_TASK_DELETE] = "DELETE FROM tasks WHERE id = ?1",
	[ST_TASK_EVENT] = "INSERT INTO task_events(at_ms, task_id, attempt, runner_id, from_state, to_state)"
			  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ATTEMPT_START] = "INSERT OR REPLACE INTO attempts(task_id, attempt, runner_id, outcome, started_at_ms)"
			     " VALUES(?1, ?2, ?3, 'running', ?4)",
	[ST_ATTEMPT_END] = "UPDATE attempts SET outcome = ?3, ended_at_ms = ?4 WHERE task_id = ?1 AND attempt = ?2",
	[ST_SANDBOX_UPSERT] =
		"INSERT OR REPLACE INTO sandboxes(id, status, runner_id, task_id, container_id, created_at_ms,"
		" updated_at_ms, deleted_by_api) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_SANDBOX_DELETE] = "DELETE FROM sandboxes WHERE id = ?1",
	[ST_AUDIT_INSERT] = "INSERT INTO audit(at_ms, sandbox_id, runner_id, from_status, to_status)"
			    " VALUES(?1, ?2, ?3, ?4, ?5)",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS runners("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
	" hostname TEXT NOT NULL, project_dir TEXT NOT NULL, executor_type TEXT NOT NULL,"
	" instance_token TEXT NOT NULL, status TEXT NOT NULL, registered_at_ms INTEGER NOT NULL,"
	" last_heartbeat_ms INTEGER NOT NULL, session INTEGER NOT NULL, max_concurrency INTEGER NOT NULL,"
	" running INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS sessions("
	" runner_id TEXT NOT NULL, session INTEGER NOT NULL, opened_at_ms INTEGER NOT NULL,"
	" PRIMARY KEY(runner_id, session));"
	"CREATE TABLE IF NOT EXISTS tasks("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, result TEXT,"
	" state TEXT NOT NULL, attempt INTEGER NOT NULL, runner_id TEXT NOT NULL,"
	" submitted_at_ms INTEGER NOT NULL, claimed_at_ms INTEGER NOT NULL, finished_at_ms INTEGER NOT NULL,"
	" confirmed INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS attempts("
	" task_id INTEGER NOT NULL, attempt INTEGER NOT NULL, runner_id TEXT NOT NULL, outcome TEXT NOT NULL,"
	" started_at_ms INTEGER NOT NULL, ended_at_ms INTEGER, PRIMARY KEY(task_id, attempt));"
	"CREATE TABLE IF NOT EXISTS task_events("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, task_id INTEGER NOT NULL,"
	" attempt INTEGER NOT NULL, runner_id TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS sandboxes("
	" id INTEGER PRIMARY KEY, status TEXT NOT NULL, runner_id TEXT NOT NULL, task_id INTEGER NOT NULL,"
	" container_id TEXT NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,"
	" deleted_by_api INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS audit("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, sandbox_id INTEGER NOT NULL,"
	" runner_id TEXT NOT NULL, from_status TEXT NOT NULL, to_status TEXT NOT NULL);";

#define RC_STR_(x) #x
#define RC_STR(x) RC_STR_(x)

struct rcd_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
};

static void db_error(struct rcd_store *st, const char *what, char *err, size_t err_cap)
{
	snprintf(err, err_cap, "%s: %s", what, sqlite3_errmsg(st->db));
}

void rcd_store_close(struct rcd_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

/* "rcco" in the file header: marks a file this store created, so a file of
 * another program (or of a stranger schema) is refused before anything is
 * written to it. */
#define STORE_APPLICATION_ID 1919116143 /* 0x7263636f, "rcco" */

/* The tables of schema_sql: a file written before the application id was
 * set is ours when it holds exactly these. */
#define OUR_TABLES "'runners', 'sessions', 'tasks', 'attempts', 'task_events', 'sandboxes', 'audit'"
#define OUR_TABLE_COUNT 7

enum file_kind { FILE_EMPTY, FILE_OURS, FILE_FOREIGN };

static int query_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* What the file holds, judged by reading only. */
static int classify(sqlite3 *db, enum file_kind *kind)
{
	long long app_id, tables, ours;
	if (query_int(db, "PRAGMA application_id", &app_id) != 0 ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
		      &tables) != 0 ||
	    query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (" OUR_TABLES ")",
		      &ours) != 0)
		return -1;
	if (app_id == 0 && tables == 0)
		*kind = FILE_EMPTY;
	else if (app_id == STORE_APPLICATION_ID || (app_id == 0 && tables == OUR_TABLE_COUNT && ours == tables))
		*kind = FILE_OURS;
	else
		*kind = FILE_FOREIGN;
	return 0;
}

static int prepare_all(struct rcd_store *st)
{
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v2(st->db, stmt_sql[i], -1, &st->stmt[i], NULL) != SQLITE_OK)
			return -1;
	return 0;
}

/* Why the last SQLite call on db failed: a file that is not a database or a
 * damaged one is bad input (refused); anything else (I/O, a lock) is not. */
static enum rcd_store_failure failure_of(sqlite3 *db)
{
	int code = sqlite3_errcode(db);
	return code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? RCD_STORE_REFUSED : RCD_STORE_UNUSABLE;
}

/* SQLite's own check of every page (quick_check: structure, not indexes'
 * agreement). Returns 0 when the file is whole, else -1 with its first
 * complaint in err. Why at open: a torn page the load never reads (an index)
 * was found only by the first write, which makes coordd exit mid-service. */
static int check_pages(sqlite3 *db, char *err, size_t err_cap)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s);
	const unsigned char *verdict = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
	bool whole = verdict && strcmp((const char *)verdict, "ok") == 0;
	if (!whole) {
		snprintf(err, err_cap, "%s", verdict ? (const char *)verdict : sqlite3_errmsg(db));
		for (char *nl = strchr(err, '\n'); nl; nl = strchr(nl, '\n'))
			*nl = ' '; /* one line of the daemon's error */
	}
	sqlite3_finalize(s);
	return whole ? 0 : -1;
}

/* Refuse a file that is not ours while it is still as it was: only reads
 * happen before this (a foreign file was switched to WAL and given our six
 * tables). An existing file of ours must also have our columns, which
 * preparing every statement checks, and whole pages. */
static int check_file(struct rcd_store *st, const char *path, bool *fresh, enum rcd_store_failure *why, char *err,
		      size_t err_cap)
{
	enum file_kind kind;
	if (sqlite3_exec(st->db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK ||
	    classify(st->db, &kind) != 0) {
		*why = failure_of(st->db);
		snprintf(err, err_cap, "cannot use database %s: %s", path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (kind == FILE_FOREIGN) {
		snprintf(err, err_cap, "cannot use database %s: not a rollcall-coordd database (left unchanged)", path);
		*why = RCD_STORE_REFUSED;
		return -1;
	}
	if (kind == FILE_OURS && prepare_all(st) != 0) {
		snprintf(err, err_cap, "cannot use database %s: its tables are not those of this coordd (%s)", path,
			 sqlite3_errmsg(st->db));
		*why = RCD_STORE_REFUSED;
		return -1;
	}
	char damage[200];
	if (kind == FILE_OURS && check_pages(st->db, damage, sizeof damage) != 0) {
		snprintf(err, err_cap, "cannot use database %s: it is damaged (SQLite: %s; left unchanged)", path, damage);
		*why = RCD_STORE_REFUSED;
		return -1;
	}
	*fresh = kind == FILE_EMPTY;
	return 0;
}

/* Open PATH as a file, whatever its name. SQLite reads "" and ":memory:" as a
 * database with no file, and (built with SQLITE_USE_URI, as Debian's is)
 * "file:..." as a URI that may say mode=memory: coordd would then answer every
 * request and keep nothing. A name starting with "/" or "./" is none of
 * those, so a relative path is given as "./PATH". */
static int open_file(const char *path, sqlite3 **db)
{
	if (path[0] == '/')
		return sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	size_t len = strlen(path);
	char *relative = malloc(len + 3);
	if (!relative) {
		*db = NULL;
		return SQLITE_NOMEM;
	}
	memcpy(relative, "./", 2);
	memcpy(relative + 2, path, len + 1);
	int rc = sqlite3_open_v2(relative, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	free(relative);
	return rc;
}

struct rcd_store *rcd_store_open(const char *path, enum rcd_store_failure *why, char *err, size_t err_cap)
{
	enum rcd_store_failure unused;
	if (!why)
		why = &unused;
	*why = RCD_STORE_UNUSABLE;
	/* SQLite fails on a FIFO with "disk I/O error", which reads as a disk
	 * to replace, not as a wrong --db. */
	char not_regular[4400];
	if (rcd_check_regular(path, not_regular, sizeof not_regular) != 0) {
		snprintf(err, err_cap, "cannot use database: %s (left unchanged)", not_regular);
		*why = RCD_STORE_REFUSED;
		return NULL;
	}
	struct rcd_store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	if (open_file(path, &st->db) != SQLITE_OK) {
		snprintf(err, err_cap, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rcd_store_close(st);
		return NULL;
	}
	/* SQLite opens a file it may not write read-only, without a word; the
	 * first lock then fails as "database is locked", which sends the
	 * operator looking for a second coordd. */
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(err, err_cap, "cannot use database %s: the file is read-only to this user (coordd writes "
			 "every change)", path);
		rcd_store_close(st);
		return NULL;
	}
	bool fresh;
	if (check_file(st, path, &fresh, why, err, err_cap) != 0) {
		rcd_store_close(st);
		return NULL;
	}
	/* WAL + FULL: a commit is on disk before COMMIT returns, so a kill -9
	 * (or a power cut) after a reply can lose nothing that was acknowledged.
	 * EXCLUSIVE (set by check_file) keeps a second coordd off the same file. */
	char *msg = NULL;
	if (sqlite3_exec(st->db,
			 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			 "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE; COMMIT;",
			 NULL, NULL, &msg) != SQLITE_OK ||
	    (fresh && (sqlite3_exec(st->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
		       sqlite3_exec(st->db, "PRAGMA application_id = " RC_STR(STORE_APPLICATION_ID), NULL, NULL,
				    &msg) != SQLITE_OK))) {
		snprintf(err, err_cap, "cannot use database %s: %s", path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		rcd_store_close(st);
		return NULL;
	}
	if (fresh && prepare_all(st) != 0) {
		db_error(st, "cannot prepare a statement", err, err_cap);
		rcd_store_close(st);
		return NULL;
	}
	return st;
}

/* Run a prepared statement whose parameters are bound; reset it after. */
static int step_done(struct rcd_store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static int save_runner(struct rcd_store *st, const struct rc_coord *c, const struct rc_effect *fx)
{
	const struct rc_runner_record *r = rc_coord_find_runner(c, fx->runner_id);
	if (!r) {
		sqlite3_bind_text(st->stmt[ST_RUNNER_DELETE], 1, fx->runner_id, -1, SQLITE_TRANSIENT);
		return step_done(st, ST_RUNNER_DELETE);
	}
	sqlite3_stmt *s = st->stmt[ST_RUNNER_UPSERT];
	bind_text(s, 1, r->id);
	bind_text(s, 2, r->hostname);
	bind_text(s, 3, r->project_dir);
	bind_text(s, 4, r->executor_type);
	bind_text(s, 5, r->instance_token);
	bind_text(s, 6, rc_runner_status_name(r->status));
	sqlite3_bind_int64(s, 7, r->registered_at_ms);
	sqlite3_bind_int64(s, 8, r->last_heartbeat_ms);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)r->session);
	sqlite3_bind_int(s, 10, r->max_concurrency);
	sqlite3_bind_int(s, 11, r->running);
	if (step_done(st, ST_RUNNER_UPSERT) != 0)
		return -1;
	s = st->stmt[ST_SESSION_INSERT];
	bind_text(s, 1, r->id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)r->session);
	sqlite3_bind_int64(s, 3, fx->at_ms);
	return step_done(st, ST_SESSION_INSERT);
}

static int save_task(struct rcd_store *st, const struct rc_coord *c, const struct rc_effect *fx)
{
	const struct rc_task *t = rc_coord_find_task(c, fx->task_id);
	if (!t) {
		sqlite3_bind_int64(st->stmt[ST_TASK_DELETE], 1, (sqlite3_int64)fx->task_id);
		return step_done(st, ST_TASK_DELETE);
	}
	sqlite3_stmt *s = st->stmt[ST_TASK_UPSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)t->id);
	bind_text(s, 2, t->kind);
	bind_text(s, 3, t->payload);
	if (t->result)
		bind_text(s, 4, t->result);
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, rc_task_state_name(t->state));
	sqlite3_bind_int(s, 6, t->attempt);
	bind_text(s, 7, t->runner_id);
	sqlite3_bind_int64(s, 8, t->submitted_at_ms);
	sqlite3_bind_int64(s, 9, t->claimed_at_ms);
	sqlite3_bind_int64(s, 10, t->finished_at_ms);
	sqlite3_bind_int(s, 11, t->confirmed);
	return step_done(st, ST_TASK_UPSERT);
}

/* A task transition: one event row, and the attempt history it implies. */
static int record_task_state(struct rcd_store *st, const struct rc_effect *fx)
{
	sqlite3_stmt *s = st->stmt[ST_TASK_EVENT];
	sqlite3_bind_int64(s, 1, fx->at_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)fx->task_id);
	sqlite3_bind_int(s, 3, fx->attempt);
	bind_text(s, 4, fx->runner_id);
	bind_text(s, 5, rc_task_state_name((enum rc_task_state)fx->from));
	bind_text(s, 6, rc_task_state_name((enum rc_task_state)fx->to));
	if (step_done(st, ST_TASK_EVENT) != 0)
		return -1;
	if (fx->from == RC_TASK_RUNNING && fx->to != RC_TASK_RUNNING) {
		s = st->stmt[ST_ATTEMPT_END];
		sqlite3_bind_int64(s, 1, (sqlite3_int64)fx->task_id);
		sqlite3_bind_int(s, 2, fx->attempt);
		bind_text(s, 3, rc_task_state_name((enum rc_task_state)fx->to));
		sqlite3_bind_int64(s, 4, fx->at_ms);
		if (step_done(st, ST_ATTEMPT_END) != 0)
			return -1;
	}
	if (fx->to == RC_TASK_RUNNING) {
		s = st->stmt[ST_ATTEMPT_START];
		sqlite3_bind_int64(s, 1, (sqlite3_int64)fx->task_id);
		sqlite3_bind_int(s, 2, fx->attempt);
		bind_text(s, 3, fx->runner_id);
		sqlite3_bind_int64(s, 4, fx->at_ms);
		return step_done(st, ST_ATTEMPT_START);
	}
	return 0;
}

static int save_sandbox(struct rcd_store *st, const struct rc_coord *c, const struct rc_effect *fx)
{
	const struct rc_sandbox *sb = rc_coord_find_sandbox(c, fx->sandbox_id);
	if (!sb) {
		sqlite3_bind_int64(st->stmt[ST_SANDBOX_DELETE], 1, (sqlite3_int64)fx->sandbox_id);
		return step_done(st, ST_SANDBOX_DELETE);
	}
	sqlite3_stmt *s = st->stmt[ST_SANDBOX_UPSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)sb->id);
	bind_text(s, 2, rc_sandbox_status_name(sb->status));
	bind_text(s, 3, sb->runner_id);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)sb->task_id);
	bind_text(s, 5, sb->container_id);
	sqlite3_bind_int64(s, 6, sb->created_at_ms);
	sqlite3_bind_int64(s, 7, sb->updated_at_ms);
	sqlite3_bind_int(s, 8, sb->deleted_by_api);
	return step_done(st, ST_SANDBOX_UPSERT);
}

static int record_audit(struct rcd_store *st, const struct rc_effect *fx)
{
	sqlite3_stmt *s = st->stmt[ST_AUDIT_INSERT];
	sqlite3_bind_int64(s, 1, fx->at_ms);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)fx->sandbox_id);
	bind_text(s, 3, fx->runner_id);
	bind_text(s, 4, rc_sandbox_status_name((enum rc_sandbox_status)fx->from));
	bind_text(s, 5, rc_sandbox_status_name((enum rc_sandbox_status)fx->to));
	return step_done(st, ST_AUDIT_INSERT);
}

static bool persists(enum rc_fx_kind kind)
{
	return kind == RC_FX_RUNNER_SAVED || kind == RC_FX_RUNNER_STATUS || kind == RC_FX_TASK_SAVED ||
	       kind == RC_FX_TASK_STATE || kind == RC_FX_SANDBOX_SAVED || kind == RC_FX_SANDBOX_AUDIT;
}

bool rcd_store_has_work(const struct rc_outbox *ob)
{
	for (size_t i = 0; i < ob->len; i++)
		if (persists(ob->items[i].kind))
			return true;
	return false;
}

static int apply_one(struct rcd_store *st, const struct rc_coord *c, const struct rc_effect *fx)
{
	switch (fx->kind) {
	case RC_FX_RUNNER_SAVED:
	case RC_FX_RUNNER_STATUS: /* a removal may come without a separate save */
		return save_runner(st, c, fx);
	case RC_FX_TASK_SAVED:
		return save_task(st, c, fx);
	case RC_FX_TASK_STATE:
		return record_task_state(st, fx);
	case RC_FX_SANDBOX_SAVED:
		return save_sandbox(st, c, fx);
	case RC_FX_SANDBOX_AUDIT:
		return record_audit(st, fx);
	default:
		return 0;
	}
}

int rcd_store_apply(struct rcd_store *st, const struct rc_coord *c, const struct rc_outbox *ob, char *err,
		    size_t err_cap)
{
	if (!rcd_store_has_work(ob))
		return 0;
	if (step_done(st, ST_BEGIN) != 0) {
		db_error(st, "cannot begin a transaction", err, err_cap);
		return -1;
	}
	for (size_t i = 0; i < ob->len; i++) {
		if (apply_one(st, c, &ob->items[i]) != 0) {
			snprintf(err, err_cap, "cannot persist %s: %s", rc_fx_kind_name(ob->items[i].kind),
				 sqlite3_errmsg(st->db));
			step_done(st, ST_ROLLBACK);
			return -1;
		}
	}
	if (step_done(st, ST_COMMIT) != 0) {
		db_error(st, "cannot commit", err, err_cap);
		step_done(st, ST_ROLLBACK);
		return -1;
	}
	return 0;
}

/* --- loading ------------------------------------------------------------ */

/* One stored row being read. A value the core could not take as it is (one
 * of another SQLite type than its column's, a negative id, a number out of
 * range) is not converted: the first such column is noted and the row
 * refused, so a damaged file stops the load with its table, row and column
 * named instead of loading another value (SQLite reads the text '1x' as the
 * integer 1) or crashing coordd later. */
struct row {
	sqlite3_stmt *s;
	int bad;           /* first refused column, -1 while none */
	const char *why;   /* why it was refused */
	const char *want;  /* or the type it should have had (the stored one is read at the error) */
};

static void row_refuse(struct row *r, int i, const char *why)
{
	if (r->bad < 0) {
		r->bad = i;
		r->why = why;
	}
}

/* Whether column i holds a value of SQLite type `type`. Asked before any
 * conversion, which would change what sqlite3_column_type() says. */
static bool column_is(struct row *r, int i, int type, const char *want)
{
	if (sqlite3_column_type(r->s, i) == type)
		return true;
	if (r->bad < 0) {
		r->bad = i;
		r->want = want;
	}
	return false;
}

/* A text as stored. One holding a NUL would be read cut short, as another
 * value; one that is not UTF-8 could never be put in a reply (the claim
 * granting the task would fail after its commit). Either refuses the row. */
static char *column_text(struct row *r, int i)
{
	if (!column_is(r, i, SQLITE_TEXT, "text"))
		return "";
	const unsigned char *t = sqlite3_column_text(r->s, i);
	if (!t)
		return "";
	size_t len = (size_t)sqlite3_column_bytes(r->s, i);
	if (len != strlen((const char *)t) || !rc_utf8_valid((const char *)t, len))
		row_refuse(r, i, "holds a NUL byte or is not UTF-8");
	return (char *)t;
}

/* A text into a fixed buffer (a runner or container id). Truncated, it
 * would load under another id and be written twice on the next save; so
 * one that does not fit refuses the row. */
static void column_copy(struct row *r, int i, char *buf, size_t cap)
{
	const char *t = column_text(r, i);
	size_t n = strlen(t);
	if (n >= cap) {
		row_refuse(r, i, "is too long");
		n = 0;
	}
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* An integer as stored (0 when it is not one): a time, which the core
 * bounds, as it does for every driver. */
static int64_t column_int64(struct row *r, int i)
{
	return column_is(r, i, SQLITE_INTEGER, "an integer") ? sqlite3_column_int64(r->s, i) : 0;
}

/* An id or session: never wrapped from a negative value (the core bounds
 * the rest). */
static uint64_t column_u64(struct row *r, int i)
{
	int64_t v = column_int64(r, i);
	if (v < 0)
		row_refuse(r, i, "is negative");
	return v < 0 ? 0 : (uint64_t)v;
}

/* sqlite3_column_int would keep the low 32 bits of a larger value. */
static int column_int(struct row *r, int i)
{
	int64_t v = column_int64(r, i);
	if (v < INT_MIN || v > INT_MAX)
		row_refuse(r, i, "is out of the range of an int");
	return v < INT_MIN || v > INT_MAX ? 0 : (int)v;
}

/* A flag, written as 0 or 1. */
static bool column_bool(struct row *r, int i)
{
	int64_t v = column_int64(r, i);
	if (v != 0 && v != 1)
		row_refuse(r, i, "is neither 0 nor 1");
	return v == 1;
}

static int parse_runner_status(const char *word, enum rc_runner_status *out)
{
	for (int i = RC_RUNNER_ONLINE; i <= RC_RUNNER_REMOVED; i++) {
		if (strcmp(word, rc_runner_status_name((enum rc_runner_status)i)) == 0) {
			*out = (enum rc_runner_status)i;
			return 0;
		}
	}
	return -1;
}

static int parse_task_state(const char *word, enum rc_task_state *out)
{
	for (int i = RC_TASK_QUEUED; i <= RC_TASK_FAILED; i++) {
		if (strcmp(word, rc_task_state_name((enum rc_task_state)i)) == 0) {
			*out = (enum rc_task_state)i;
			return 0;
		}
	}
	return -1;
}

static int load_runner_row(struct row *rw, struct rc_coord *c)
{
	struct rc_runner_record r;
	memset(&r, 0, sizeof r);
	column_copy(rw, 0, r.id, sizeof r.id);
	r.hostname = column_text(rw, 1);
	r.project_dir = column_text(rw, 2);
	r.executor_type = column_text(rw, 3);
	r.instance_token = column_text(rw, 4);
	if (parse_runner_status(column_text(rw, 5), &r.status) != 0)
		row_refuse(rw, 5, "is not a runner status");
	r.registered_at_ms = column_int64(rw, 6);
	r.last_heartbeat_ms = column_int64(rw, 7);
	r.session = column_u64(rw, 8);
	r.max_concurrency = column_int(rw, 9);
	r.running = column_int(rw, 10);
	return rw->bad < 0 ? rc_coord_restore_runner(c, &r) : -1;
}

static int load_task_row(struct row *rw, struct rc_coord *c)
{
	struct rc_task t;
	memset(&t, 0, sizeof t);
	t.id = column_u64(rw, 0);
	t.kind = column_text(rw, 1);
	t.payload = column_text(rw, 2);
	t.result = sqlite3_column_type(rw->s, 3) == SQLITE_NULL ? NULL : column_text(rw, 3);
	if (parse_task_state(column_text(rw, 4), &t.state) != 0)
		row_refuse(rw, 4, "is not a task state");
	t.attempt = column_int(rw, 5);
	column_copy(rw, 6, t.runner_id, sizeof t.runner_id);
	t.submitted_at_ms = column_int64(rw, 7);
	t.claimed_at_ms = column_int64(rw, 8);
	t.finished_at_ms = column_int64(rw, 9);
	t.confirmed = column_bool(rw, 10);
	return rw->bad < 0 ? rc_coord_restore_task(c, &t) : -1;
}

static int load_sandbox_row(struct row *rw, struct rc_coord *c)
{
	struct rc_sandbox sb;
	memset(&sb, 0, sizeof sb);
	sb.id = column_u64(rw, 0);
	int status = rc_sandbox_status_parse(column_text(rw, 1));
	if (status < 0)
		row_refuse(rw, 1, "is not a sandbox status");
	sb.status = status < 0 ? RC_SANDBOX_PENDING : (enum rc_sandbox_status)status;
	column_copy(rw, 2, sb.runner_id, sizeof sb.runner_id);
	sb.task_id = column_u64(rw, 3);
	column_copy(rw, 4, sb.container_id, sizeof sb.container_id);
	sb.created_at_ms = column_int64(rw, 5);
	sb.updated_at_ms = column_int64(rw, 6);
	sb.deleted_by_api = column_bool(rw, 7);
	return rw->bad < 0 ? rc_coord_restore_sandbox(c, &sb) : -1;
}

/* The highest session ever issued (the sessions table keeps those of removed
 * records too), so the restore starts above it whatever the clock says. A
 * session stored as another type than an integer is read first (see its
 * query), so the file is refused for it wherever it sorts. */
static int load_session_row(struct row *rw, struct rc_coord *c)
{
	uint64_t session = column_u64(rw, 0);
	return rw->bad < 0 ? rc_coord_restore_session(c, session) : -1;
}

struct loader {
	const char *what;
	const char *table;
	const char *sql; /* the row's rowid last, to name it in an error */
	int (*load_row)(struct row *r, struct rc_coord *c);
	bool history; /* a row of history the core reads, not a record: not counted */
};

static const struct loader loaders[] = {
	{ "runner", "runners",
	  "SELECT id, hostname, project_dir, executor_type, instance_token, status, registered_at_ms,"
	  " last_heartbeat_ms, session, max_concurrency, running, rowid FROM runners ORDER BY seq",
	  load_runner_row, false },
	{ "task", "tasks",
	  "SELECT id, kind, payload, result, state, attempt, runner_id, submitted_at_ms, claimed_at_ms,"
	  " finished_at_ms, confirmed, rowid FROM tasks ORDER BY id",
	  load_task_row, false },
	{ "sandbox", "sandboxes",
	  "SELECT id, status, runner_id, task_id, container_id, created_at_ms, updated_at_ms, deleted_by_api,"
	  " rowid FROM sandboxes ORDER BY id",
	  load_sandbox_row, false },
	{ "session", "sessions",
	  "SELECT session, rowid FROM sessions ORDER BY typeof(session) = 'integer', session DESC LIMIT 1",
	  load_session_row, true },
};

static const char *type_name(int type)
{
	switch (type) {
	case SQLITE_INTEGER: return "an integer";
	case SQLITE_FLOAT: return "a real";
	case SQLITE_TEXT: return "text";
	case SQLITE_BLOB: return "a blob";
	default: return "null";
	}
}

/* Name the table, the row and the column, as the store or the core refused
 * it, and why. */
static void row_error(const struct loader *l, struct row *r, const struct rc_coord *c, char *err, size_t err_cap)
{
	long long rowid = sqlite3_column_int64(r->s, sqlite3_column_count(r->s) - 1);
	int n = snprintf(err, err_cap, "stored %s row (table %s, rowid %lld) is ", l->what, l->table, rowid);
	size_t used = n < 0 ? 0 : (size_t)n < err_cap ? (size_t)n : err_cap;
	struct rc_restore_refusal refusal = rc_coord_restore_refusal(c);
	if (r->bad >= 0 && r->want)
		snprintf(err + used, err_cap - used, "malformed: bad %s (%s where %s belongs)",
			 sqlite3_column_name(r->s, r->bad), type_name(sqlite3_column_type(r->s, r->bad)), r->want);
	else if (r->bad >= 0)
		snprintf(err + used, err_cap - used, "malformed: bad %s (it %s)", sqlite3_column_name(r->s, r->bad),
			 r->why);
	else if (refusal.field)
		snprintf(err + used, err_cap - used, "refused by the coordinator: bad %s (it %s)", refusal.field,
			 refusal.why);
	else
		snprintf(err + used, err_cap - used, "refused by the coordinator (out of memory)");
}

long rcd_store_load(struct rcd_store *st, struct rc_coord *c, char *err, size_t err_cap)
{
	long total = 0;
	for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(st->db, loaders[i].sql, -1, &s, NULL) != SQLITE_OK) {
			db_error(st, "cannot read the database", err, err_cap);
			return failure_of(st->db);
		}
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct row r = { s, -1, NULL, NULL };
			if (loaders[i].load_row(&r, c) != 0) {
				row_error(&loaders[i], &r, c, err, err_cap);
				sqlite3_finalize(s);
				return RCD_STORE_REFUSED;
			}
			total += !loaders[i].history;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			db_error(st, "cannot read the database", err, err_cap);
			return failure_of(st->db);
		}
	}
	return total;
}
