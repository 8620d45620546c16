/*
 * runnerd.h - the state of one rollcall-runnerd process.
 *
 * main.c owns the loop; effects.c carries out what the runner core asks
 * (send, start, signal, save, exit) and feeds back replies and exits;
 * status.c serves GET /status. All on one thread.
 */
#ifndef RUNNERD_H
#define RUNNERD_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "outbox.h"
#include "procs.h"
#include "rcd_http.h"
#include "runner.h"
#include "state.h"

/* A task's kind and command as the claim grant delivered them: the core keeps
 * (task_id, attempt); the command is the driver's business. */
struct runnerd_task_cmd {
	uint64_t task_id;
	char *kind;
	char *payload;
};

/* A result to hand the core on the next loop turn (never from inside effect
 * handling, which would re-enter the core). */
struct runnerd_deferred {
	bool is_exit;       /* process exit (else: a reply, i.e. a transport failure) */
	uint64_t task_id;   /* exit */
	int attempt;
	enum rc_op op;      /* reply */
	uint64_t req_id;
};

struct runnerd {
	struct rc_runner *runner;
	struct rc_runner_config cfg;
	struct runnerd_state state;
	struct runnerd_client *client;
	struct runnerd_procs procs;
	struct rcd_http_server *status_http;
	struct rc_outbox ob;
	char *coordinator_shown; /* --coordinator without its password, for /status */
	char secret[RC_MAX_SECRET_LEN + 1];
	int64_t started_at_ms;
	int keep_task_logs; /* --keep-task-logs: finished tasks' logs kept (tasklogs.h) */

	struct runnerd_task_cmd *cmds;
	int n_cmds, cap_cmds;
	struct runnerd_deferred *deferred;
	int n_deferred, cap_deferred;

	bool drain_requested;
	bool exiting;
	int exit_code;
	int64_t exit_by_ms; /* stop waiting for in-flight requests then */

	struct {
		int64_t at_ms; /* 0: none yet */
		const char *op;
		int status;
		char message[256];
	} last_error;
};

/* Carry out and log the effects in d->ob, then clear it. */
void runnerd_apply_effects(struct runnerd *d);
/* Hand the core everything deferred (transport failures, failed starts). */
void runnerd_deliver_deferred(struct runnerd *d);
/* Client callback: a transfer finished; decode and feed the core. */
void runnerd_on_transfer(void *cls, enum rc_op op, uint64_t req_id, int http_status, const char *body,
			 size_t body_len, const char *transport_error);
/* Reap callback: a task process exited; feed the core. */
void runnerd_on_proc_exit(void *cls, uint64_t task_id, int attempt, bool clean, int wait_status);
/* Forget commands of tasks the core no longer holds, and prune the task logs
 * when one went (tasklogs.h); free everything. */
void runnerd_forget_finished_tasks(struct runnerd *d);
/* Delete the task logs beyond d->keep_task_logs, never one of a task held or
 * running. */
void runnerd_prune_logs(struct runnerd *d);
void runnerd_free_tasks(struct runnerd *d);

/* GET /status handler (status.c). */
void runnerd_handle_status(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp);

#endif
