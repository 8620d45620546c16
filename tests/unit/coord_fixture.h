/*
 * coord_fixture.h - a coordinator under test, driven with literal times.
 *
 * Shared by test_registry.c, test_tasks.c, test_sandboxes.c and
 * test_coord_restore.c so each test reads as: input at a time, expected reply,
 * expected effects, expected state. Runners are named by their hostname in
 * the fixture (the ID is a hash, unreadable in an assertion), and effects are
 * rendered as one short line, e.g.
 *   "task-state 1 a1 a queued>running; task-saved 1"
 */
#ifndef RC_COORD_FIXTURE_H
#define RC_COORD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "coord.h"

#define CF_SECRET "s3cret"
#define CF_MAX_NAMES 64

struct cf_runner {
	const char *name; /* hostname; project "/proj", executor "test-executor" */
	char id[RC_RUNNER_ID_BUF];
	uint64_t session;
};

struct cf {
	struct rc_coord *c;
	struct rc_outbox ob; /* effects of the latest call only */
	struct rc_reply reply;
	struct cf_runner names[CF_MAX_NAMES]; /* every runner registered through cf_register */
	int n_names;
	char fx_line[8192];
};

/* A coordinator at time 0 with cfg (NULL: defaults) and secret CF_SECRET. */
void cf_init(struct cf *f, const struct rc_coord_config *cfg);
void cf_free(struct cf *f);

/* Handle msg at now_ms with a fresh outbox; returns the reply status. */
int cf_send(struct cf *f, int64_t now_ms, const struct rc_msg *msg);
/* rc_coord_tick at now_ms with a fresh outbox. */
void cf_tick(struct cf *f, int64_t now_ms);
/* Tick at every deadline up to and including until_ms (effects accumulate). */
void cf_run_until(struct cf *f, int64_t until_ms);

/* Messages with the secret set where the op needs it. */
struct rc_msg cf_register_msg(const char *name, const char *token);
struct rc_msg cf_runner_msg(enum rc_op op, const struct cf_runner *r);
struct rc_msg cf_task_msg(enum rc_op op, const struct cf_runner *r, uint64_t task_id, int attempt);

/* Register name (token "token-<name>") at now_ms; asserts 200 and returns the
 * runner with its id and session. */
struct cf_runner cf_register(struct cf *f, int64_t now_ms, const char *name);
/* The same with a max_concurrency (0: the coordinator's default). */
struct cf_runner cf_register_with(struct cf *f, int64_t now_ms, const char *name, int max_concurrency);
int cf_heartbeat(struct cf *f, int64_t now_ms, const struct cf_runner *r);
/* Claim up to max; returns the status (grants in f->reply). */
int cf_claim(struct cf *f, int64_t now_ms, const struct cf_runner *r, int max);
/* Submit a task of kind "build"; asserts 201 and returns its id. */
uint64_t cf_submit(struct cf *f, int64_t now_ms);
int cf_complete(struct cf *f, int64_t now_ms, const struct cf_runner *r, uint64_t task_id, int attempt,
		bool success, const char *text);
/* Create a sandbox (task_id 0: none); asserts 201 and returns its id. */
uint64_t cf_sandbox(struct cf *f, int64_t now_ms, uint64_t task_id);
int cf_report(struct cf *f, int64_t now_ms, const char *runner_id, uint64_t sandbox_id, const char *status);

const struct rc_runner_record *cf_record(const struct cf *f, const struct cf_runner *r);
const struct rc_task *cf_task(const struct cf *f, uint64_t id);
const struct rc_sandbox *cf_sandbox_rec(const struct cf *f, uint64_t id);

/* The latest call's effects on one line (see the top comment). */
const char *cf_effects(struct cf *f);

/* The whole observable state as text (malloc'd, caller frees): every runner,
 * task and sandbox field and the deadline. Equal text = nothing changed. */
char *cf_state(const struct rc_coord *c);

/* Send msg and check it is refused with status and code, leaves exactly one
 * RC_FX_REJECTED (op, status) and changes nothing. */
void cf_expect_refused_at(struct cf *f, int64_t now_ms, const struct rc_msg *msg, int status, const char *code,
			  const char *file, unsigned line);
#define CF_EXPECT_REFUSED(f, now_ms, msg, status, code) \
	cf_expect_refused_at((f), (now_ms), (msg), (status), (code), __FILE__, __LINE__)

#endif
