/*
 * conf_actions.c - the scenario's timeline, carried out live.
 *
 * Node actions go to the virtual runners (conf_runners.c) or, for the
 * coordinator, to the target process conform launched; faults go to the
 * network (conf_net.c); API requests (submit, sandboxes, hand-made
 * registrations and reports) are sent to the target at once, with no
 * network faults, as the simulator does, and what they got back is kept for
 * "and gets N" and for failure messages.
 */
#include <stdio.h>
#include <string.h>

#include "conf_internal.h"
#include "identity.h"

#define UNKNOWN_SANDBOX_ID INT64_MAX /* a valid id no coordinator has handed out yet */
#define WRONG_SECRET "not-the-secret"

int conf_task_of_id(const struct conf_live *l, uint64_t id)
{
	for (size_t i = 0; id && i < l->s->n_tasks; i++)
		if (l->task_id[i] == id)
			return (int)i;
	return -1;
}

/* Send an API request now; the result is kept for action i. Returns the
 * reply's status (0 when the coordinator is down or the run ended). */
static int api_call(struct conf_live *l, size_t i, struct rc_msg *msg, struct rc_reply *reply,
		    struct rc_proto_arena *arena)
{
	struct conf_action_result *res = &l->actions[i];
	res->applied = true;
	memset(reply, 0, sizeof *reply);
	if (!conf_coord_up(l))
		return res->status = 0;
	if (conf_exchange_msg(l, msg, reply, arena, NULL, &res->ex) != 0)
		return res->status = 0;
	res->status = reply->status;
	if (reply->status >= 400) {
		snprintf(res->error_code, sizeof res->error_code, "%s", reply->error.code ? reply->error.code : "");
		snprintf(res->message, sizeof res->message, "%s", reply->error.message);
	}
	return reply->status;
}

static void submit(struct conf_live *l, size_t i, const struct scn_action *a)
{
	const struct scn_task *t = &l->s->tasks[a->task];
	char payload[200];
	snprintf(payload, sizeof payload, "conform:%s", t->name);
	struct rc_msg msg = { .op = RC_OP_TASK_SUBMIT, .kind = t->kind ? t->kind : "work", .payload = payload };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	if (api_call(l, i, &msg, &reply, &arena) / 100 == 2)
		l->task_id[a->task] = reply.task_id;
	rc_proto_arena_free(&arena);
}

static void sandbox_request(struct conf_live *l, size_t i, const struct scn_action *a)
{
	struct rc_msg msg = { 0 };
	int task = a->sandbox >= 0 ? l->s->sandboxes[a->sandbox].task : -1;
	switch (a->kind) {
	case SCN_ACT_SANDBOX_CREATE:
		msg.op = RC_OP_SANDBOX_CREATE;
		msg.sandbox_task_id = task >= 0 ? l->task_id[task] : 0;
		break;
	case SCN_ACT_SANDBOX_DELETE:
		msg.op = RC_OP_SANDBOX_DELETE;
		break;
	default:
		msg.op = RC_OP_SANDBOX_REPORT;
		msg.runner_id = a->no_runner_id ? NULL : l->runners[a->node].expected_id;
		msg.status_word = rc_sandbox_status_name((enum rc_sandbox_status)a->status_word);
		msg.container_id = a->container;
		break;
	}
	if (msg.op != RC_OP_SANDBOX_CREATE)
		msg.sandbox_id = a->sandbox >= 0 && l->sandbox_id[a->sandbox] ? l->sandbox_id[a->sandbox]
										: (uint64_t)UNKNOWN_SANDBOX_ID;
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	if (api_call(l, i, &msg, &reply, &arena) / 100 == 2 && msg.op == RC_OP_SANDBOX_CREATE)
		l->sandbox_id[a->sandbox] = reply.sandbox_id;
	rc_proto_arena_free(&arena);
}

/* A registration written by hand, some parts left out or spoiled. */
static void hand_registration(struct conf_live *l, size_t i, const struct scn_action *a)
{
	const struct scn_node *n = &l->s->nodes[a->node];
	struct rc_msg msg = {
		.op = RC_OP_REGISTER,
		.hostname = (a->reg_flags & SCN_REG_NO_HOSTNAME) ? NULL : n->hostname,
		.project_dir = (a->reg_flags & SCN_REG_NO_PROJECT_DIR) ? NULL : n->project_dir,
		.executor_type = (a->reg_flags & SCN_REG_NO_EXECUTOR_TYPE) ? NULL : n->executor_type,
		.instance_token = n->token,
		.max_concurrency = n->concurrency,
		.secret = l->secret,
	};
	if (a->reg_flags & SCN_REG_NO_SECRET)
		msg.secret = NULL;
	else if (a->reg_flags & SCN_REG_WRONG_SECRET)
		msg.secret = WRONG_SECRET;
	struct rc_reply reply;
	struct rc_proto_arena arena;
	rc_proto_arena_init(&arena);
	api_call(l, i, &msg, &reply, &arena);
	rc_proto_arena_free(&arena);
}

struct secret_probe {
	struct conf_live *l;
	const char *secret;
	char id[RC_RUNNER_ID_BUF]; /* of a runner no scenario has */
};

/* Whether the target takes probe->secret: a heartbeat of a runner it does
 * not know is refused with 401 while the secret is unknown and with another
 * status once it is known, and changes nothing either way. */
static int secret_taken(void *ctx)
{
	struct secret_probe *probe = ctx;
	struct rc_msg msg = { .op = RC_OP_HEARTBEAT, .runner_id = probe->id, .secret = probe->secret };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	struct conf_exchange ex = { 0 };
	memset(&reply, 0, sizeof reply);
	rc_proto_arena_init(&arena);
	int rc = conf_observe_msg(probe->l, &msg, &reply, &arena, NULL, &ex);
	rc_proto_arena_free(&arena);
	conf_exchange_clear(&ex);
	return rc != 0 ? -1 : reply.status != 401;
}

/* "rotate secret to S [updating runners]", as the simulator does it: the
 * coordinator takes S and keeps the old secret for its grace period; told
 * runners use S from their next start. */
static void rotate_secret(struct conf_live *l, size_t i, const struct scn_action *a)
{
	struct secret_probe probe = { .l = l, .secret = a->new_secret };
	char err[600];
	l->actions[i].applied = true;
	if (rc_identity_runner_id("conform-secret-probe", "/", "probe", probe.id) != 0)
		abort();
	if (conf_target_rotate_secret(l->cs->target, a->new_secret, secret_taken, &probe, err, sizeof err) != 0) {
		if (err[0])
			conf_target_error(l, NULL, "rotating the secret: %s", err);
		return;
	}
	for (size_t n = 1; a->update_runners && n < l->s->n_nodes; n++)
		snprintf(l->runners[n].next_secret, sizeof l->runners[n].next_secret, "%s", a->new_secret);
}

static void node_action(struct conf_live *l, const struct scn_action *a)
{
	bool coord = a->node == 0;
	switch (a->kind) {
	case SCN_ACT_START:
		if (coord)
			conf_coord_start(l);
		else
			conf_runner_start(l, a->node);
		break;
	case SCN_ACT_STOP:
		if (coord)
			conf_coord_stop(l, false);
		else
			conf_runner_stop(l, a->node);
		break;
	case SCN_ACT_CRASH:
	case SCN_ACT_RESTART:
		if (coord)
			conf_coord_stop(l, true);
		else
			conf_runner_crash(l, a->node);
		if (a->kind == SCN_ACT_RESTART && coord)
			conf_coord_start(l);
		else if (a->kind == SCN_ACT_RESTART)
			conf_runner_start(l, a->node);
		break;
	case SCN_ACT_PAUSE: conf_runner_pause(l, a->node); break;
	case SCN_ACT_RESUME: conf_runner_resume(l, a->node); break;
	case SCN_ACT_SKEW_CLOCK: conf_runner_set_offset(l, a->node, a->amount_ms); break;
	case SCN_ACT_JUMP_CLOCK: conf_runner_set_offset(l, a->node, l->runners[a->node].offset_ms + a->amount_ms); break;
	default: break;
	}
}

void conf_action(struct conf_live *l, size_t i)
{
	const struct scn_action *a = &l->s->actions[i];
	switch (a->kind) {
	case SCN_ACT_PARTITION: conf_net_partition(l, i); break;
	case SCN_ACT_HEAL: case SCN_ACT_HEAL_ALL: conf_net_heal(l, i); break;
	case SCN_ACT_DROP: case SCN_ACT_DELAY: conf_net_rule(l, a); break;
	case SCN_ACT_SUBMIT: submit(l, i, a); break;
	case SCN_ACT_SANDBOX_CREATE: case SCN_ACT_SANDBOX_DELETE: case SCN_ACT_SANDBOX_REPORT:
		sandbox_request(l, i, a);
		break;
	case SCN_ACT_REGISTER: hand_registration(l, i, a); break;
	case SCN_ACT_CHECK_LIVENESS: conf_check_liveness(l, i); break;
	case SCN_ACT_ROTATE_SECRET: rotate_secret(l, i, a); break;
	case SCN_ACT_KIND_COUNT: break;
	default: node_action(l, a); break;
	}
}
