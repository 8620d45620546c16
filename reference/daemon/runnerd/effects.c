/*
 * effects.c - runnerd between the runner core and the world.
 *
 * Outbound: each effect of a core call is carried out here (RC_FX_SEND to the
 * HTTP client, RC_FX_PROC_* to procs, RC_FX_STATE_SAVE to the state dir,
 * RC_FX_EXIT to the loop). Inbound: replies and process exits are turned into
 * core calls. Nothing here decides anything about the lifecycle; a failure
 * to carry an effect out is reported back the way the core expects it (a
 * transport failure, a process that exited unclean), on the next loop turn.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "protocol.h"
#include "rcd_clock.h"
#include "rcd_log.h"
#include "runnerd.h"
#include "tasklogs.h"
#include "utf8.h"

static void defer(struct runnerd *d, const struct runnerd_deferred *item)
{
	if (d->n_deferred == d->cap_deferred) {
		int cap = d->cap_deferred ? d->cap_deferred * 2 : 8;
		struct runnerd_deferred *grown = realloc(d->deferred, (size_t)cap * sizeof *grown);
		if (!grown) {
			rcd_logf("error", "oom", "cannot queue a result for the runner core; exiting");
			exit(1);
		}
		d->deferred = grown;
		d->cap_deferred = cap;
	}
	d->deferred[d->n_deferred++] = *item;
}

static void note_error(struct runnerd *d, enum rc_op op, int status, const char *message)
{
	d->last_error.at_ms = rcd_now_ms();
	d->last_error.op = rc_op_name(op);
	d->last_error.status = status;
	/* /status puts the message in JSON: cut it between characters. */
	rc_utf8_copy(d->last_error.message, sizeof d->last_error.message, message ? message : "");
}

static const struct runnerd_task_cmd *find_cmd(const struct runnerd *d, uint64_t task_id)
{
	for (int i = 0; i < d->n_cmds; i++)
		if (d->cmds[i].task_id == task_id)
			return &d->cmds[i];
	return NULL;
}

static void remember_grant(struct runnerd *d, const struct rc_grant *g)
{
	struct runnerd_task_cmd *slot = (struct runnerd_task_cmd *)find_cmd(d, g->task_id);
	if (!slot) {
		if (d->n_cmds == d->cap_cmds) {
			int cap = d->cap_cmds ? d->cap_cmds * 2 : 8;
			struct runnerd_task_cmd *grown = realloc(d->cmds, (size_t)cap * sizeof *grown);
			if (!grown)
				return; /* the start will fail and be reported as a crash */
			d->cmds = grown;
			d->cap_cmds = cap;
		}
		slot = &d->cmds[d->n_cmds++];
		memset(slot, 0, sizeof *slot);
		slot->task_id = g->task_id;
	}
	free(slot->kind);
	free(slot->payload);
	slot->kind = strdup(g->kind ? g->kind : "");
	slot->payload = strdup(g->payload ? g->payload : "");
}

static bool core_holds_task(const struct runnerd *d, uint64_t task_id)
{
	for (int i = 0; i < rc_runner_task_count(d->runner); i++)
		if (rc_runner_task_at(d->runner, i)->task_id == task_id)
			return true;
	return false;
}

void runnerd_prune_logs(struct runnerd *d)
{
	/* Live: every task the core holds (a process waiting to be restarted
	 * appends to the same log) and every process still running. */
	int n_live = 0;
	uint64_t *live = malloc(((size_t)d->n_cmds + (size_t)d->procs.len + 1) * sizeof *live);
	if (!live)
		return; /* pruned next time */
	for (int i = 0; i < d->n_cmds; i++)
		live[n_live++] = d->cmds[i].task_id;
	for (int i = 0; i < d->procs.len; i++)
		live[n_live++] = d->procs.items[i].task_id;
	char err[4400];
	int deleted = runnerd_prune_task_logs(d->procs.log_dir, d->keep_task_logs, live, n_live, err, sizeof err);
	free(live);
	if (deleted < 0)
		rcd_logf("warn", "task-logs", "%s", err);
	else if (deleted > 0)
		rcd_logf("info", "task-logs", "deleted %d old task log(s), keeping the newest %d", deleted,
			 d->keep_task_logs);
}

void runnerd_forget_finished_tasks(struct runnerd *d)
{
	bool forgot = false;
	for (int i = 0; i < d->n_cmds;) {
		if (core_holds_task(d, d->cmds[i].task_id)) {
			i++;
			continue;
		}
		free(d->cmds[i].kind);
		free(d->cmds[i].payload);
		d->cmds[i] = d->cmds[--d->n_cmds];
		forgot = true;
	}
	if (forgot)
		runnerd_prune_logs(d);
}

void runnerd_free_tasks(struct runnerd *d)
{
	for (int i = 0; i < d->n_cmds; i++) {
		free(d->cmds[i].kind);
		free(d->cmds[i].payload);
	}
	free(d->cmds);
	free(d->deferred);
	d->cmds = NULL;
	d->deferred = NULL;
	d->n_cmds = d->cap_cmds = d->n_deferred = d->cap_deferred = 0;
}

static void do_send(struct runnerd *d, const struct rc_effect *fx)
{
	char err[256];
	if (runnerd_client_send(d->client, &fx->msg, err, sizeof err) == 0)
		return;
	rcd_logf("warn", "send", "%s", err);
	note_error(d, fx->msg.op, 0, err);
	struct runnerd_deferred failed = { .is_exit = false, .op = fx->msg.op, .req_id = fx->msg.req_id };
	defer(d, &failed);
}

static void log_proc(const char *event, const struct rc_effect *fx, int pid, const char *detail)
{
	struct rcd_logline l;
	rcd_log_start(&l, "info", event);
	rcd_log_int(&l, "task_id", (long long)fx->task_id);
	rcd_log_int(&l, "attempt", fx->attempt);
	if (pid > 0)
		rcd_log_int(&l, "pid", pid);
	rcd_log_str(&l, "detail", detail);
	rcd_log_emit(&l);
}

/* Only tasks of kind "shell" can run: the payload is the command. */
static void do_start(struct runnerd *d, const struct rc_effect *fx)
{
	const struct runnerd_task_cmd *cmd = find_cmd(d, fx->task_id);
	char err[256];
	if (!cmd || !cmd->payload || !cmd->kind || strcmp(cmd->kind, "shell") != 0) {
		snprintf(err, sizeof err, "%s", !cmd ? "no command known for this task"
					: "unsupported task kind (only \"shell\" runs)");
	} else {
		char env_task[64], env_attempt[64], env_runner[64];
		snprintf(env_task, sizeof env_task, "ROLLCALL_TASK_ID=%llu", (unsigned long long)fx->task_id);
		snprintf(env_attempt, sizeof env_attempt, "ROLLCALL_ATTEMPT=%d", fx->attempt);
		snprintf(env_runner, sizeof env_runner, "ROLLCALL_RUNNER_ID=%s", rc_runner_id(d->runner));
		const char *extra[] = { env_task, env_attempt, env_runner, NULL };
		pid_t pid = runnerd_procs_start(&d->procs, fx->task_id, fx->attempt, cmd->payload, extra,
						rcd_now_ms(), err, sizeof err);
		if (pid > 0) {
			log_proc("proc-start", fx, pid, NULL);
			return;
		}
	}
	/* Could not start: to the core it is a process that failed at once. */
	log_proc("proc-start-failed", fx, 0, err);
	struct runnerd_deferred failed = { .is_exit = true, .task_id = fx->task_id, .attempt = fx->attempt };
	defer(d, &failed);
}

static void do_signal(struct runnerd *d, const struct rc_effect *fx)
{
	const struct runnerd_proc *p = runnerd_procs_find(&d->procs, fx->task_id, fx->attempt);
	int sig = fx->value == RC_SIG_KILL ? SIGKILL : SIGTERM;
	if (runnerd_procs_signal(&d->procs, fx->task_id, fx->attempt, sig) != 0) {
		log_proc("proc-signal", fx, 0, "no running process (already exited)");
		return;
	}
	log_proc("proc-signal", fx, p ? p->pid : 0, sig == SIGKILL ? "SIGKILL to the process group"
								   : "SIGTERM to the process group");
}

static void do_save(struct runnerd *d, const struct rc_effect *fx)
{
	char err[512];
	const char *id = fx->runner_id[0] ? fx->runner_id : rc_runner_id(d->runner);
	uint64_t session = rc_runner_session(d->runner);
	if (runnerd_state_save(&d->state, id, session, rcd_now_ms(), err, sizeof err) != 0) {
		rcd_logf("error", "state-save", "%s", err);
		note_error(d, RC_OP_REGISTER, 0, err);
		return;
	}
	struct rcd_logline l;
	rcd_log_start(&l, "info", "registered");
	rcd_log_str(&l, "runner_id", id);
	rcd_log_int(&l, "session", (long long)session);
	rcd_log_emit(&l);
}

static void do_exit(struct runnerd *d, const struct rc_effect *fx)
{
	if (d->exiting)
		return;
	d->exiting = true;
	d->exit_code = d->drain_requested ? 0 : 1;
	d->exit_by_ms = rcd_now_ms() + 2000; /* let a last request (deregistration) finish */
	rcd_logf(d->exit_code ? "warn" : "info", "exit", "%s", fx->text ? fx->text : "runner core asked to exit");
}

void runnerd_apply_effects(struct runnerd *d)
{
	for (size_t i = 0; i < d->ob.len; i++) {
		const struct rc_effect *fx = &d->ob.items[i];
		switch (fx->kind) {
		case RC_FX_SEND:
			do_send(d, fx);
			break;
		case RC_FX_PROC_START:
			do_start(d, fx);
			break;
		case RC_FX_PROC_SIGNAL:
			do_signal(d, fx);
			break;
		case RC_FX_STATE_SAVE:
			do_save(d, fx);
			break;
		case RC_FX_EXIT:
			do_exit(d, fx);
			break;
		case RC_FX_LOG:
			rcd_logf("info", "core", "%s", fx->text ? fx->text : "");
			break;
		default:
			break;
		}
	}
	rc_outbox_clear(&d->ob);
	runnerd_forget_finished_tasks(d);
}

void runnerd_deliver_deferred(struct runnerd *d)
{
	/* Take the queue first: the core calls below may defer more. */
	while (d->n_deferred > 0 && !d->exiting) {
		struct runnerd_deferred item = d->deferred[0];
		memmove(d->deferred, d->deferred + 1, (size_t)(d->n_deferred - 1) * sizeof *d->deferred);
		d->n_deferred--;
		int64_t now_ms = rcd_now_ms();
		if (item.is_exit) {
			rc_runner_on_process_exit(d->runner, now_ms, item.task_id, item.attempt, false, &d->ob);
		} else {
			struct rc_msg m = { .op = item.op, .req_id = item.req_id };
			struct rc_reply reply;
			rc_reply_init(&reply, &m);
			reply.status = RC_STATUS_TRANSPORT;
			rc_runner_on_reply(d->runner, now_ms, &reply, &d->ob);
		}
		runnerd_apply_effects(d);
	}
}

static void log_reply(enum rc_op op, uint64_t req_id, int status, const struct rc_reply *reply, const char *why)
{
	struct rcd_logline l;
	rcd_log_start(&l, status == 0 || status >= 500 ? "warn" : "info", "request");
	rcd_log_str(&l, "op", rc_op_name(op));
	rcd_log_int(&l, "req_id", (long long)req_id);
	rcd_log_int(&l, "status", status);
	if (status >= 400)
		rcd_log_str(&l, "error", reply->error.code);
	rcd_log_str(&l, "why", why);
	rcd_log_emit(&l);
}

void runnerd_on_transfer(void *cls, enum rc_op op, uint64_t req_id, int http_status, const char *body,
			 size_t body_len, const char *transport_error)
{
	struct runnerd *d = cls;
	if (d->exiting)
		return;
	struct rc_msg m = { .op = op, .req_id = req_id };
	struct rc_reply reply;
	struct rc_proto_arena arena;
	struct rc_error err;
	rc_reply_init(&reply, &m);
	rc_proto_arena_init(&arena);
	rc_error_clear(&err);
	const char *why = transport_error;
	if (!transport_error && rc_proto_decode_reply(op, http_status, body, body_len, &reply, &arena, &err) != 0) {
		why = "reply does not match the protocol";
		rcd_logf("warn", "protocol", "%s reply (HTTP %d): %s", rc_op_name(op), http_status, err.message);
	}
	if (why) {
		rc_reply_init(&reply, &m);
		reply.status = RC_STATUS_TRANSPORT; /* to the core: no usable reply arrived */
	}
	reply.op = op;
	reply.req_id = req_id;
	log_reply(op, req_id, reply.status, &reply, why);
	if (reply.status == RC_STATUS_TRANSPORT || reply.status >= 400)
		note_error(d, op, reply.status, why ? why : reply.error.message);
	if (op == RC_OP_CLAIM && reply.status == RC_STATUS_OK)
		for (int i = 0; i < reply.n_grants; i++)
			remember_grant(d, &reply.grants[i]);
	rc_runner_on_reply(d->runner, rcd_now_ms(), &reply, &d->ob);
	runnerd_apply_effects(d);
	rc_proto_arena_free(&arena);
}

void runnerd_on_proc_exit(void *cls, uint64_t task_id, int attempt, bool clean, int wait_status)
{
	struct runnerd *d = cls;
	char detail[64];
	if (WIFSIGNALED(wait_status))
		snprintf(detail, sizeof detail, "killed by signal %d", WTERMSIG(wait_status));
	else
		snprintf(detail, sizeof detail, "exit status %d", WEXITSTATUS(wait_status));
	struct rc_effect fx = { .task_id = task_id, .attempt = attempt };
	log_proc("proc-exit", &fx, 0, detail);
	if (d->exiting)
		return;
	rc_runner_on_process_exit(d->runner, rcd_now_ms(), task_id, attempt, clean, &d->ob);
	runnerd_apply_effects(d);
}
