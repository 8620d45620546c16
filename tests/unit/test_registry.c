/*
 * test_registry.c - runner registration, sessions, heartbeats, the sweep and the secret.
 *
 * Every rule of DESIGN.md "Registration and sessions" and "Heartbeats and
 * lifecycle" at its boundary, with literal times on the default config
 * (stale at age >= 120000 ms, removal at >= 600000 ms, sweeps at 30000 ms
 * from creation at t = 0). Each refusal is checked to change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_fixture.h"
#include "identity.h"
#include "unit.h"

#define HOST1_ID "lnch_7a0925b98c2e" /* host1, /proj, test-executor (DESIGN.md vector) */

/* A string of n 'x' (n <= 4200), for length limits. */
static const char *str_of_len(size_t n)
{
	static char buf[4201];
	if (!buf[0])
		memset(buf, 'x', sizeof buf - 1);
	CU_ASSERT_FATAL(n < sizeof buf);
	return buf + (sizeof buf - 1 - n);
}

/* --- registration ------------------------------------------------------------------- */

static void test_register_new_runner(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg m = cf_register_msg("host1", "tok-1");
	CU_ASSERT_EQUAL(cf_send(&f, 5000, &m), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(f.reply.runner_id, HOST1_ID);
	CU_ASSERT_EQUAL(f.reply.session, 5000); /* sessions come from the clock (ms) */
	CU_ASSERT_FALSE(f.reply.reconnected);
	CU_ASSERT_EQUAL(f.reply.heartbeat_interval_s, 20);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f),
			       "runner-status " HOST1_ID " removed>online; runner-saved " HOST1_ID);

	const struct rc_runner_record *r = rc_coord_find_runner(f.c, HOST1_ID);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->hostname, "host1");
	CU_ASSERT_STRING_EQUAL(r->project_dir, "/proj");
	CU_ASSERT_STRING_EQUAL(r->executor_type, "test-executor");
	CU_ASSERT_STRING_EQUAL(r->instance_token, "tok-1");
	CU_ASSERT_EQUAL(r->status, RC_RUNNER_ONLINE);
	CU_ASSERT_EQUAL(r->registered_at_ms, 5000);
	CU_ASSERT_EQUAL(r->last_heartbeat_ms, 5000);
	CU_ASSERT_EQUAL(r->max_concurrency, 1);
	CU_ASSERT_EQUAL(r->running, 0);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 1);
	cf_free(&f);
}

static void test_register_missing_fields_are_all_named(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct rc_msg none = { .op = RC_OP_REGISTER, .secret = CF_SECRET };
	CF_EXPECT_REFUSED(&f, 0, &none, RC_STATUS_UNPROCESSABLE, "missing_fields");
	const char *const all[] = { "hostname", "project_dir", "executor_type", "instance_token" };
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.reply.error.fields[i]);
		CU_ASSERT_STRING_EQUAL(f.reply.error.fields[i], all[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(f.reply.error.message, all[i]));
	}

	struct rc_msg two = cf_register_msg("h", "");
	two.project_dir = "";
	CF_EXPECT_REFUSED(&f, 0, &two, RC_STATUS_UNPROCESSABLE, "missing_fields");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "project_dir");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[1], "instance_token");
	CU_ASSERT_PTR_NULL(f.reply.error.fields[2]);
	CU_ASSERT_PTR_NULL(strstr(f.reply.error.message, "hostname"));
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 0);
	cf_free(&f);
}

static void test_register_length_limits(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct {
		const char *field;
		size_t limit;
		size_t offset;
	} fields[] = {
		{ "hostname", RC_MAX_HOSTNAME_LEN, offsetof(struct rc_msg, hostname) },
		{ "project_dir", RC_MAX_PROJECT_DIR_LEN, offsetof(struct rc_msg, project_dir) },
		{ "executor_type", RC_MAX_EXECUTOR_TYPE_LEN, offsetof(struct rc_msg, executor_type) },
		{ "instance_token", RC_MAX_INSTANCE_TOKEN_LEN, offsetof(struct rc_msg, instance_token) },
	};
	for (size_t i = 0; i < 4; i++) {
		struct rc_msg m = cf_register_msg("h", "tok");
		const char **value = (const char **)((char *)&m + fields[i].offset);
		*value = str_of_len(fields[i].limit + 1);
		CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "field_too_long");
		CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], fields[i].field);
		*value = str_of_len(fields[i].limit);
		CU_ASSERT_EQUAL(cf_send(&f, 0, &m), RC_STATUS_OK);
	}
	cf_free(&f);
}

static void test_register_max_concurrency(void)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	cfg.default_max_concurrency = 3;
	struct cf f;
	cf_init(&f, &cfg);
	struct rc_msg m = cf_register_msg("h", "tok");
	m.max_concurrency = RC_MAX_CONCURRENCY + 1;
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "invalid_field");
	CU_ASSERT_STRING_EQUAL(f.reply.error.fields[0], "max_concurrency");
	m.max_concurrency = -1;
	CF_EXPECT_REFUSED(&f, 0, &m, RC_STATUS_UNPROCESSABLE, "invalid_field");

	m.max_concurrency = 0; /* not said: the coordinator's default */
	CU_ASSERT_EQUAL(cf_send(&f, 0, &m), RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_coord_find_runner(f.c, f.reply.runner_id)->max_concurrency, 3);
	m.max_concurrency = RC_MAX_CONCURRENCY; /* a reconnection may change it */
	CU_ASSERT_EQUAL(cf_send(&f, 0, &m), RC_STATUS_OK);
	CU_ASSERT_EQUAL(rc_coord_find_runner(f.c, f.reply.runner_id)->max_concurrency, RC_MAX_CONCURRENCY);
	cf_free(&f);
}

static void test_reconnection_keeps_one_record(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 50000, &a), RC_STATUS_OK);

	struct rc_msg again = cf_register_msg("a", "token-a");
	CU_ASSERT_EQUAL(cf_send(&f, 70000, &again), RC_STATUS_OK);
	CU_ASSERT_TRUE(f.reply.reconnected);
	CU_ASSERT_EQUAL(f.reply.session, 70000);
	CU_ASSERT_STRING_EQUAL(f.reply.runner_id, a.id);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-saved a");
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 1);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->registered_at_ms, 0);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->last_heartbeat_ms, 70000);

	/* The superseded process learns it must stop; nothing changes. */
	struct rc_msg old = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	CF_EXPECT_REFUSED(&f, 71000, &old, RC_STATUS_CONFLICT, "stale_session");
	a.session = 70000;
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 72000, &a), RC_STATUS_OK);

	CU_ASSERT_EQUAL(cf_send(&f, 80000, &again), RC_STATUS_OK);
	CU_ASSERT_EQUAL(f.reply.session, 80000);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 1);
	cf_free(&f);
}

/* A session number is never issued twice, whatever happens to the record:
 * within one millisecond it counts up, across removal and re-creation it
 * keeps counting, after a restart it starts above every restored one. */
static void test_sessions_never_repeat(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(a.session, 1);
	struct rc_msg bye = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 0, &bye), RC_STATUS_OK);
	struct cf_runner clone = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(clone.session, 2);
	/* the removed original's session is not the new record's */
	struct rc_msg old = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	CF_EXPECT_REFUSED(&f, 10, &old, RC_STATUS_CONFLICT, "stale_session");
	cf_free(&f);

	cf_init(&f, NULL);
	struct rc_runner_record rec = { .status = RC_RUNNER_ONLINE, .session = 900000, .max_concurrency = 1,
					.hostname = "b", .project_dir = "/code", .executor_type = "test-executor",
					.instance_token = "token-b" };
	CU_ASSERT_EQUAL(rc_identity_runner_id("b", "/code", "test-executor", rec.id), 0);
	CU_ASSERT_EQUAL(rc_coord_restore_runner(f.c, &rec), 0);
	rc_coord_restore_done(f.c, 1000, &f.ob);
	struct cf_runner b = cf_register(&f, 2000, "b");
	CU_ASSERT_EQUAL(b.session, 900001);
	cf_free(&f);
}

static void test_clone_refused_while_original_online(void)
{
	struct cf f;
	cf_init(&f, NULL);
	cf_register(&f, 0, "a");
	struct rc_msg clone = cf_register_msg("a", "another-install");
	CF_EXPECT_REFUSED(&f, 1000, &clone, RC_STATUS_CONFLICT, "clone");
	CF_EXPECT_REFUSED(&f, 119999, &clone, RC_STATUS_CONFLICT, "clone");
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 1);
	cf_free(&f);
}

static void test_takeover_of_stale_record(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_run_until(&f, 120000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_STALE);

	struct rc_msg other = cf_register_msg("a", "another-install");
	CU_ASSERT_EQUAL(cf_send(&f, 125000, &other), RC_STATUS_OK);
	CU_ASSERT_TRUE(f.reply.reconnected);
	CU_ASSERT_EQUAL(f.reply.session, 125000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a stale>online; runner-saved a");
	CU_ASSERT_STRING_EQUAL(cf_record(&f, &a)->instance_token, "another-install");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->registered_at_ms, 0);

	/* Now the first install is the clone. */
	struct rc_msg first = cf_register_msg("a", "token-a");
	CF_EXPECT_REFUSED(&f, 126000, &first, RC_STATUS_CONFLICT, "clone");
	cf_free(&f);
}

/* --- the secret ---------------------------------------------------------------------- */

static void test_runner_ops_need_the_secret_first(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	uint64_t task = cf_submit(&f, 0);
	const enum rc_op ops[] = { RC_OP_REGISTER, RC_OP_HEARTBEAT, RC_OP_DEREGISTER,
				   RC_OP_CLAIM, RC_OP_TASK_STATUS, RC_OP_TASK_COMPLETE };
	/* shorter, longer, and of the secret's length wrong in the first or last byte */
	const char *bad[] = { NULL, "", "wrong", "s3cre", "s3cret!", "x3cret", "s3creT", "s3cret\n",
			      str_of_len(RC_MAX_SECRET_LEN + 1) };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			struct rc_msg m = cf_task_msg(ops[i], &a, task, 0);
			if (ops[i] == RC_OP_REGISTER)
				m = cf_register_msg("a", "token-a");
			m.secret = bad[j];
			CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_UNAUTHORIZED, "unauthorized");
		}
	}
	/* Before any validation: an empty registration or an unknown runner
	 * without the secret is 401, not 422 or 404. */
	struct rc_msg empty = { .op = RC_OP_REGISTER };
	CF_EXPECT_REFUSED(&f, 1000, &empty, RC_STATUS_UNAUTHORIZED, "unauthorized");
	struct rc_msg unknown = { .op = RC_OP_HEARTBEAT, .runner_id = "lnch_000000000000", .secret = "x" };
	CF_EXPECT_REFUSED(&f, 1000, &unknown, RC_STATUS_UNAUTHORIZED, "unauthorized");
	cf_free(&f);
}

/* The unit-test binary is linked with --wrap=CRYPTO_memcmp (Makefile), so
 * every constant-time comparison the core makes passes through here and is
 * recorded before OpenSSL's own runs. */
int __real_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len);

static struct {
	size_t calls;
	size_t lens[8];
} memcmp_log;

int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	if (memcmp_log.calls < sizeof memcmp_log.lens / sizeof memcmp_log.lens[0])
		memcmp_log.lens[memcmp_log.calls] = len;
	memcmp_log.calls++;
	return __real_CRYPTO_memcmp(a, b, len);
}

/* The check of a presented secret of the stored length is the same work
 * whatever it gets right: one CRYPTO_memcmp over the whole secret per stored
 * secret (current, and the rotated-out one during its grace), whether the
 * guess is wrong in its first byte, its last, or right. A timer therefore
 * learns nothing from our code about how much of a guess matched; what
 * CRYPTO_memcmp itself leaks is OpenSSL's to answer for. */
static void test_secret_compare_does_the_same_work_for_every_guess(void)
{
	struct cf f;
	cf_init(&f, NULL); /* the secret is "s3cret" */
	struct cf_runner a = cf_register(&f, 0, "a");
	const char *guesses[] = { "x3cret", "s3cXet", "s3creT", CF_SECRET };
	for (int rotated = 0; rotated < 2; rotated++) {
		if (rotated)
			CU_ASSERT_EQUAL_FATAL(rc_coord_rotate_secret(f.c, 2000, "n3wsec"), 0);
		for (size_t i = 0; i < sizeof guesses / sizeof guesses[0]; i++) {
			struct rc_msg m = cf_runner_msg(RC_OP_HEARTBEAT, &a);
			m.secret = guesses[i];
			memset(&memcmp_log, 0, sizeof memcmp_log);
			cf_send(&f, 2000, &m);
			CU_ASSERT_EQUAL(memcmp_log.calls, (size_t)(1 + rotated));
			for (size_t c = 0; c < memcmp_log.calls; c++)
				CU_ASSERT_EQUAL(memcmp_log.lens[c], strlen(CF_SECRET));
		}
	}
	cf_free(&f);
}

static void test_secret_rotation_grace_boundary(void)
{
	struct cf f;
	cf_init(&f, NULL); /* grace 3600000 ms */
	struct cf_runner a = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 1000, ""), -1);
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 1000, NULL), -1);
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 1000, str_of_len(RC_MAX_SECRET_LEN + 1)), -1);
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 1000, "n3w"), 0);

	struct rc_msg old = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	struct rc_msg new = old;
	new.secret = "n3w";
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &new), RC_STATUS_OK);
	CU_ASSERT_EQUAL(cf_send(&f, 3600999, &old), RC_STATUS_OK);
	CF_EXPECT_REFUSED(&f, 3601000, &old, RC_STATUS_UNAUTHORIZED, "unauthorized");
	CU_ASSERT_EQUAL(cf_send(&f, 3601000, &new), RC_STATUS_OK);
	cf_free(&f);
}

static void test_second_rotation_ends_older_grace(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 1000, "second"), 0);
	CU_ASSERT_EQUAL(rc_coord_rotate_secret(f.c, 2000, "third"), 0);
	struct rc_msg m = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	CF_EXPECT_REFUSED(&f, 2000, &m, RC_STATUS_UNAUTHORIZED, "unauthorized");
	m.secret = "second";
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &m), RC_STATUS_OK);
	m.secret = "third";
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &m), RC_STATUS_OK);
	cf_free(&f);
}

/* --- heartbeats ------------------------------------------------------------------------- */

static void test_heartbeat_refusals(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner ghost = { .name = "ghost", .id = "lnch_000000000000", .session = 1 };
	struct rc_msg m = cf_runner_msg(RC_OP_HEARTBEAT, &ghost);
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");
	m.runner_id = NULL;
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");
	m.runner_id = "not-an-id";
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");

	m = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	m.session = 2; /* from the future is as wrong as from the past */
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_CONFLICT, "stale_session");
	m.session = 0;
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_CONFLICT, "stale_session");

	struct rc_msg bye = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &bye), RC_STATUS_OK);
	m = cf_runner_msg(RC_OP_HEARTBEAT, &a);
	CF_EXPECT_REFUSED(&f, 3000, &m, RC_STATUS_NOT_FOUND, "unknown_runner"); /* removed */
	cf_free(&f);
}

static void test_heartbeat_refreshes(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 20000, &a), RC_STATUS_OK);
	/* Not persisted: a restart gives every runner a fresh heartbeat time. */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->last_heartbeat_ms, 20000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->registered_at_ms, 0);
	CU_ASSERT_EQUAL(f.reply.session, 1);
	cf_free(&f);
}

static void test_heartbeat_brings_stale_back_online(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_run_until(&f, 120000);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_STALE);
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 130000, &a), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a stale>online; runner-saved a");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_ONLINE);
	cf_free(&f);
}

/* --- the sweep ----------------------------------------------------------------------------- */

static void test_stale_exactly_at_120000(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 1, &b), RC_STATUS_OK);
	cf_run_until(&f, 119999); /* sweeps at 30000, 60000, 90000 */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "");
	CU_ASSERT_EQUAL(rc_coord_deadline(f.c), 120000);

	cf_tick(&f, 120000); /* a: age 120000, b: age 119999 */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a online>stale; runner-saved a");
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_STALE);
	CU_ASSERT_EQUAL(cf_record(&f, &b)->status, RC_RUNNER_ONLINE);

	cf_tick(&f, 150000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status b online>stale; runner-saved b");
	cf_free(&f);
}

static void test_removed_exactly_at_600000(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner b = cf_register(&f, 0, "b");
	CU_ASSERT_EQUAL(cf_heartbeat(&f, 1, &b), RC_STATUS_OK);
	cf_run_until(&f, 599999);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 2);

	cf_tick(&f, 600000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a stale>removed");
	CU_ASSERT_PTR_NULL(cf_record(&f, &a));
	CU_ASSERT_PTR_NOT_NULL(cf_record(&f, &b));
	cf_tick(&f, 630000);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status b stale>removed");
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 0);
	cf_free(&f);
}

/* Wherever the last heartbeat falls on the 30 s grid, a silent runner turns
 * stale in [120 s, 150 s) and is removed in [600 s, 630 s) after it. */
static void test_stale_and_remove_windows(void)
{
	const int64_t heartbeat_at[] = { 0, 1, 15000, 29999, 30000, 30001, 45000, 59999 };
	for (size_t i = 0; i < sizeof heartbeat_at / sizeof heartbeat_at[0]; i++) {
		struct cf f;
		cf_init(&f, NULL);
		struct cf_runner a = cf_register(&f, 0, "a");
		int64_t hb = heartbeat_at[i];
		cf_run_until(&f, hb);
		CU_ASSERT_EQUAL(cf_heartbeat(&f, hb, &a), RC_STATUS_OK);
		int64_t stale_at = -1, removed_at = -1;
		while (removed_at < 0) {
			int64_t t = rc_coord_deadline(f.c);
			CU_ASSERT_FATAL(t < 2000000);
			cf_tick(&f, t);
			const struct rc_runner_record *r = cf_record(&f, &a);
			if (stale_at < 0 && r && r->status == RC_RUNNER_STALE)
				stale_at = t;
			if (!r)
				removed_at = t;
		}
		CU_ASSERT(stale_at >= hb + 120000 && stale_at < hb + 150000);
		CU_ASSERT(removed_at >= hb + 600000 && removed_at < hb + 630000);
		cf_free(&f);
	}
}

static void test_one_lost_heartbeat_changes_nothing(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	int status_changes = 0;
	for (int64_t t = 20000; t <= 900000; t += 20000) {
		cf_run_until(&f, t - 1);
		status_changes += (int)rc_outbox_count(&f.ob, RC_FX_RUNNER_STATUS);
		if (t == 100000 || t == 500000)
			continue; /* lost */
		CU_ASSERT_EQUAL(cf_heartbeat(&f, t, &a), RC_STATUS_OK);
		status_changes += (int)rc_outbox_count(&f.ob, RC_FX_RUNNER_STATUS);
	}
	CU_ASSERT_EQUAL(status_changes, 0);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->status, RC_RUNNER_ONLINE);
	cf_free(&f);
}

/* --- timers ---------------------------------------------------------------------------------- */

static void test_deadline_follows_the_grids(void)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, "s", 1000);
	struct rc_outbox ob;
	rc_outbox_init(&ob);
	CU_ASSERT_EQUAL(rc_coord_deadline(c), 11000); /* monitor first */
	rc_coord_tick(c, 10999, &ob); /* early: nothing due, nothing moves */
	CU_ASSERT_EQUAL(rc_coord_deadline(c), 11000);
	const int64_t expected[] = { 11000, 21000, 31000, 41000, 51000, 61000 };
	for (size_t i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(rc_coord_deadline(c), expected[i]);
		rc_coord_tick(c, rc_coord_deadline(c), &ob);
	}
	/* Late by a lot: one run, then the next point of each grid after now. */
	rc_coord_tick(c, 10001000 + 5, &ob);
	CU_ASSERT_EQUAL(rc_coord_deadline(c), 10011000);
	rc_coord_tick(c, 10011000, &ob);
	CU_ASSERT_EQUAL(rc_coord_deadline(c), 10021000); /* sweep grid 1000 + 30000k and monitor grid meet */
	rc_outbox_free(&ob);
	rc_coord_free(c);
}

static void test_missed_sweeps_run_once(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	cf_tick(&f, 10000000); /* nothing ran for almost three hours */
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a online>removed");
	CU_ASSERT_PTR_NULL(cf_record(&f, &a));
	CU_ASSERT_EQUAL(rc_coord_deadline(f.c), 10010000);
	cf_free(&f);
}

static void test_new_refuses_bad_secret_and_config(void)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, "", 0));
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, NULL, 0));
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, str_of_len(RC_MAX_SECRET_LEN + 1), 0));
	struct rc_coord *c = rc_coord_new(&cfg, str_of_len(RC_MAX_SECRET_LEN), 0);
	CU_ASSERT_PTR_NOT_NULL(c);
	rc_coord_free(c);
	cfg.sweep_interval_ms = 0;
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, "s", 0));
	rc_coord_config_defaults(&cfg);
	cfg.remove_after_ms = cfg.stale_after_ms - 1;
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, "s", 0));
	rc_coord_config_defaults(&cfg);
	cfg.default_max_concurrency = RC_MAX_CONCURRENCY + 1;
	CU_ASSERT_PTR_NULL(rc_coord_new(&cfg, "s", 0));
}

/* --- deregistration and the table -------------------------------------------------------------- */

static void test_deregister(void)
{
	struct cf f;
	cf_init(&f, NULL);
	struct cf_runner a = cf_register(&f, 0, "a");
	struct cf_runner ghost = { .name = "ghost", .id = "lnch_000000000000", .session = 1 };
	struct rc_msg m = cf_runner_msg(RC_OP_DEREGISTER, &ghost);
	CF_EXPECT_REFUSED(&f, 1000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");

	m = cf_runner_msg(RC_OP_DEREGISTER, &a);
	CU_ASSERT_EQUAL(cf_send(&f, 2000, &m), RC_STATUS_OK);
	CU_ASSERT_STRING_EQUAL(cf_effects(&f), "runner-status a online>removed");
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), 0);
	CF_EXPECT_REFUSED(&f, 3000, &m, RC_STATUS_NOT_FOUND, "unknown_runner");

	/* Registering again is a new record: new registered_at, and a session
	 * the removed record never had (from the clock). */
	a = cf_register(&f, 4000, "a");
	CU_ASSERT_EQUAL(a.session, 4000);
	CU_ASSERT_FALSE(f.reply.reconnected);
	CU_ASSERT_EQUAL(cf_record(&f, &a)->registered_at_ms, 4000);
	cf_free(&f);
}

static const char *host_name(int i)
{
	static char names[400][8];
	snprintf(names[i], sizeof names[i], "h%03d", i);
	return names[i];
}

/* Walk the registry and check it lists exactly the runners i < n with
 * gone[i] false, in registration order, each still found by its ID.
 * Returns the position at the end: the table's length, tombstones included. */
static size_t expect_listing(struct cf *f, const struct cf_runner *runners, int n, const bool *gone)
{
	size_t pos = 0;
	const struct rc_runner_record *r;
	for (int i = 0; i < n; i++) {
		if (gone[i]) {
			CU_ASSERT_PTR_NULL(cf_record(f, &runners[i]));
			continue;
		}
		CU_ASSERT_PTR_EQUAL(cf_record(f, &runners[i]), rc_coord_find_runner(f->c, runners[i].id));
		r = rc_coord_runner_next(f->c, &pos);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_STRING_EQUAL(r->hostname, host_name(i)); /* insertion order kept */
	}
	CU_ASSERT_PTR_NULL(rc_coord_runner_next(f->c, &pos));
	return pos;
}

static void deregister(struct cf *f, struct cf_runner *r, bool *gone)
{
	struct rc_msg m = cf_runner_msg(RC_OP_DEREGISTER, r);
	CU_ASSERT_EQUAL(cf_send(f, 1000, &m), RC_STATUS_OK);
	*gone = true;
}

/* Removals leave tombstones until they are half the table (compacting at
 * every removal made each deregistration O(runners)); the listing, the count
 * and the lookups must not tell, before or after the compaction. */
static void test_table_order_and_index_survive_removals(void)
{
	struct cf f;
	cf_init(&f, NULL);
	enum { N = 400 };
	static struct cf_runner runners[N];
	bool gone[N] = { false };
	for (int i = 0; i < N; i++)
		runners[i] = cf_register(&f, i, host_name(i));
	for (int i = 0; i < N; i += 3) /* a third: tombstones, not compacted yet */
		deregister(&f, &runners[i], &gone[i]);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), N - (N + 2) / 3);
	CU_ASSERT_EQUAL(expect_listing(&f, runners, N, gone), N); /* no slot closed yet */
	for (int i = 1; i < N; i += 3) /* two thirds: compacted on the way */
		deregister(&f, &runners[i], &gone[i]);
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), N / 3);
	CU_ASSERT(expect_listing(&f, runners, N, gone) < N);
	for (int i = 2; i < N; i += 3)
		CU_ASSERT_EQUAL(cf_heartbeat(&f, 2000, &runners[i]), RC_STATUS_OK);
	/* A re-registered runner goes to the end. */
	runners[0] = cf_register(&f, 3000, host_name(0));
	size_t pos = 0;
	const struct rc_runner_record *r, *last = NULL;
	while ((r = rc_coord_runner_next(f.c, &pos)))
		last = r;
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_STRING_EQUAL(last->hostname, "h000");
	CU_ASSERT_EQUAL(rc_coord_runner_count(f.c), N / 3 + 1);
	cf_free(&f);
}

void rc_test_register_registry(void)
{
	static CU_TestInfo tests[] = {
		{ "register a new runner", test_register_new_runner },
		{ "422 names every missing field", test_register_missing_fields_are_all_named },
		{ "422 field_too_long at limit + 1, limit accepted", test_register_length_limits },
		{ "max_concurrency default and range", test_register_max_concurrency },
		{ "reconnection keeps one record and registered_at", test_reconnection_keeps_one_record },
		{ "409 clone while the original is online", test_clone_refused_while_original_online },
		{ "another install takes over a stale record", test_takeover_of_stale_record },
		{ "sessions never repeat", test_sessions_never_repeat },
		{ "401 before anything else on runner ops", test_runner_ops_need_the_secret_first },
		{ "secret compare does the same work for every guess",
		  test_secret_compare_does_the_same_work_for_every_guess },
		{ "rotated secret valid until grace end", test_secret_rotation_grace_boundary },
		{ "a second rotation ends the older grace", test_second_rotation_ends_older_grace },
		{ "heartbeat 404 and 409 change nothing", test_heartbeat_refusals },
		{ "heartbeat refreshes last_heartbeat", test_heartbeat_refreshes },
		{ "heartbeat brings a stale runner online", test_heartbeat_brings_stale_back_online },
		{ "stale at age 120000, not 119999", test_stale_exactly_at_120000 },
		{ "removed at age 600000, not 599999", test_removed_exactly_at_600000 },
		{ "stale and removal windows on the 30 s grid", test_stale_and_remove_windows },
		{ "one lost heartbeat changes nothing", test_one_lost_heartbeat_changes_nothing },
		{ "deadline follows the sweep and monitor grids", test_deadline_follows_the_grids },
		{ "missed sweeps run once", test_missed_sweeps_run_once },
		{ "new refuses a bad secret or config", test_new_refuses_bad_secret_and_config },
		{ "deregister and register again", test_deregister },
		{ "table order and index survive removals", test_table_order_and_index_survive_removals },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("registry", tests);
}
