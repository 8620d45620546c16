/*
 * test_sim_storage.c - the coordinator's durable records in the simulator:
 * unsynced writes lost at a crash (lossy mode), synced ones kept, and a
 * coordinator restart that brings its registry back from storage.
 */
#include <string.h>

#include "sim_fixture.h"
#include "sim_internal.h"
#include "unit.h"

/* Register runner hostN on c at now; returns its ID in id. */
static void register_runner(struct rc_coord *c, int n, int64_t now, char id[RC_RUNNER_ID_BUF])
{
	char host[16];
	snprintf(host, sizeof host, "host%d", n);
	struct rc_msg m = { .op = RC_OP_REGISTER, .req_id = 1, .secret = "s", .hostname = host,
			    .project_dir = "/p", .executor_type = "x", .instance_token = "t" };
	struct rc_reply reply;
	struct rc_outbox ob;
	rc_outbox_init(&ob);
	CU_ASSERT_EQUAL_FATAL(rc_coord_handle(c, now, &m, &reply, &ob), 200);
	memcpy(id, reply.runner_id, RC_RUNNER_ID_BUF);
	rc_outbox_free(&ob);
}

static struct rc_coord *new_coord(void)
{
	struct rc_coord_config cfg;
	rc_coord_config_defaults(&cfg);
	struct rc_coord *c = rc_coord_new(&cfg, "s", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* Synced writes survive; of the unsynced ones a crash keeps a prefix. */
static void test_unsynced_writes_may_be_lost(void)
{
	struct rc_coord *c = new_coord();
	char ids[10][RC_RUNNER_ID_BUF];
	size_t lost_total = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim_storage s;
		sim_storage_init(&s, seed, "s");
		for (int i = 0; i < 10; i++) {
			if (seed == 1)
				register_runner(c, i, 10, ids[i]);
			sim_storage_write_runner(&s, c, ids[i], true);
			if (i == 3)
				sim_storage_sync(&s);
		}
		size_t lost = sim_storage_crash(&s, true);
		CU_ASSERT_TRUE(lost <= 6);
		CU_ASSERT_EQUAL(sim_storage_count(&s, STORE_RUNNER), 10 - lost);
		for (int i = 0; i < 4; i++)
			CU_ASSERT_PTR_NOT_NULL(sim_storage_find_runner(&s, ids[i]));
		/* what survived is a prefix of the writes, in order */
		for (int i = 4; i < 10; i++)
			CU_ASSERT_EQUAL(sim_storage_find_runner(&s, ids[i]) != NULL, i < 10 - (int)lost);
		lost_total += lost;
		sim_storage_free(&s);
	}
	CU_ASSERT_TRUE(lost_total > 0); /* the fault does happen */
	rc_coord_free(c);
}

/* Without the storage fault every write is durable at once. */
static void test_durable_without_fault(void)
{
	struct rc_coord *c = new_coord();
	struct sim_storage s;
	sim_storage_init(&s, 1, "s");
	char id[RC_RUNNER_ID_BUF];
	for (int i = 0; i < 5; i++) {
		register_runner(c, i, 10, id);
		sim_storage_write_runner(&s, c, id, false);
	}
	CU_ASSERT_EQUAL(sim_storage_crash(&s, false), 0);
	CU_ASSERT_EQUAL(sim_storage_count(&s, STORE_RUNNER), 5);
	const struct rc_runner_record *r = sim_storage_find_runner(&s, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->hostname, "host4");
	CU_ASSERT_EQUAL(r->registered_at_ms, 10);
	sim_storage_free(&s);
	rc_coord_free(c);
}

/* A coordinator crash and restart: the registry comes back from storage,
 * runners keep their session (heartbeats go on with 200), nothing is
 * registered twice. */
static void test_coordinator_restart_restores_registry(void)
{
	struct sf f;
	sf_init(&f, NULL, 3);
	sim_run_until(f.w, 100000);
	const struct rc_runner_record *before = rc_coord_find_runner(sim_coord(f.w), sim_runner_node_id(f.w, f.r[1]));
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	int64_t registered_at = before->registered_at_ms;
	uint64_t session = before->session;
	sim_at_crash(f.w, 100000, f.coord, 5000);
	sim_run_until(f.w, 102000);
	CU_ASSERT_PTR_NULL(sim_coord(f.w));
	CU_ASSERT_EQUAL(sim_node_state(f.w, f.coord), SIM_NODE_CRASHED);
	sim_run_until(f.w, 400000);
	const struct rc_coord *c = sim_coord(f.w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(rc_coord_runner_count(c), 3);
	const struct rc_runner_record *after = rc_coord_find_runner(c, sim_runner_node_id(f.w, f.r[1]));
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	CU_ASSERT_EQUAL(after->registered_at_ms, registered_at);
	CU_ASSERT_EQUAL(after->session, session);
	CU_ASSERT_TRUE(sf_find(&f, 0, SIM_EV_STORAGE, "coord", "restore", RC_OP_NONE) >= 0);
	CU_ASSERT_EQUAL(sim_violation_count(f.w), 0);
	sf_free(&f);
}

void rc_test_register_sim_storage(void)
{
	static CU_TestInfo tests[] = {
		{ "unsynced writes may be lost", test_unsynced_writes_may_be_lost },
		{ "durable without the storage fault", test_durable_without_fault },
		{ "coordinator restart restores the registry", test_coordinator_restart_restores_registry },
		CU_TEST_INFO_NULL,
	};
	rc_unit_add_suite("sim_storage", tests);
}
