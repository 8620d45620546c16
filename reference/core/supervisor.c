/*
 * supervisor.c - restart and stop policy for one supervised process.
 *
 * The whole policy of DESIGN.md "Process supervision" lives here as a small
 * state machine, so the runner, the simulator and the daemon share one
 * reading of it: restarts after 1, 2, 4, 8, 16 s, give up on the failure that
 * follows the last allowed restart, forget old failures after a stable run,
 * and stop with SIGTERM then SIGKILL once the grace period is over.
 */
#include "supervisor.h"

#include <assert.h>
#include <string.h>

void rc_sup_policy_defaults(struct rc_sup_policy *p)
{
	p->initial_delay_ms = 1000;
	p->max_delay_ms = 30000;
	p->max_restarts = 5;
	p->stable_after_ms = 60000;
	p->stop_grace_ms = 5000;
}

bool rc_sup_policy_valid(const struct rc_sup_policy *p)
{
	return p->initial_delay_ms > 0 && p->max_delay_ms >= p->initial_delay_ms && p->max_restarts >= 0 &&
	       p->stable_after_ms > 0 && p->stop_grace_ms >= 0;
}

const char *rc_sup_state_name(enum rc_sup_state s)
{
	switch (s) {
	case RC_SUP_IDLE: return "idle";
	case RC_SUP_RUNNING: return "running";
	case RC_SUP_BACKOFF: return "backoff";
	case RC_SUP_STOPPING: return "stopping";
	case RC_SUP_EXITED: return "exited";
	case RC_SUP_GAVE_UP: return "gave-up";
	case RC_SUP_STOPPED: return "stopped";
	}
	return "unknown";
}

void rc_sup_init(struct rc_sup *s, const struct rc_sup_policy *p, uint64_t task_id, int attempt)
{
	assert(s && p);
	assert(p->initial_delay_ms > 0 && p->max_delay_ms >= p->initial_delay_ms);
	assert(p->max_restarts >= 0 && p->stop_grace_ms >= 0);
	memset(s, 0, sizeof *s);
	s->policy = p;
	s->state = RC_SUP_IDLE;
	s->task_id = task_id;
	s->attempt = attempt;
	s->deadline_ms = INT64_MAX;
}

/* Every effect names the process by (task_id, attempt). */
static struct rc_effect *push_fx(const struct rc_sup *s, enum rc_fx_kind kind, int64_t now_ms,
				 struct rc_outbox *ob)
{
	struct rc_effect *fx = rc_outbox_push(ob, kind, now_ms);
	fx->task_id = s->task_id;
	fx->attempt = s->attempt;
	return fx;
}

static void launch(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob)
{
	push_fx(s, RC_FX_PROC_START, now_ms, ob);
	s->state = RC_SUP_RUNNING;
	s->started_at_ms = now_ms;
	s->deadline_ms = INT64_MAX;
}

void rc_sup_start(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob)
{
	assert(s->state == RC_SUP_IDLE && "a supervisor starts its process once");
	launch(s, now_ms, ob);
}

int64_t rc_sup_delay_ms(const struct rc_sup_policy *p, int n)
{
	assert(n >= 1);
	/* Double step by step and stop at the cap: no shift can overflow. */
	int64_t delay = p->initial_delay_ms;
	for (int i = 1; i < n && delay < p->max_delay_ms; i++)
		delay *= 2;
	return delay < p->max_delay_ms ? delay : p->max_delay_ms;
}

static void settle(struct rc_sup *s, enum rc_sup_state final_state)
{
	s->state = final_state;
	s->deadline_ms = INT64_MAX;
}

static void on_crash(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob)
{
	/* A run that lasted stable_after_ms wipes the slate: this crash is the
	 * first of a new series, not the next of the old one. */
	if (now_ms - s->started_at_ms >= s->policy->stable_after_ms)
		s->failures = 0;
	s->failures++;
	if (s->failures > s->policy->max_restarts) {
		settle(s, RC_SUP_GAVE_UP);
		struct rc_effect *fx = push_fx(s, RC_FX_LOG, now_ms, ob);
		fx->text = "process gave up: too many failed restarts";
		fx->value = s->failures;
		return;
	}
	s->state = RC_SUP_BACKOFF;
	s->deadline_ms = now_ms + rc_sup_delay_ms(s->policy, s->failures);
}

void rc_sup_on_exit(struct rc_sup *s, int64_t now_ms, bool clean, struct rc_outbox *ob)
{
	switch (s->state) {
	case RC_SUP_STOPPING:
		settle(s, RC_SUP_STOPPED);
		return;
	case RC_SUP_RUNNING:
		assert(now_ms >= s->started_at_ms);
		if (clean)
			settle(s, RC_SUP_EXITED);
		else
			on_crash(s, now_ms, ob);
		return;
	default:
		/* No process is running (a repeated or late exit report from the
		 * driver): nothing to account for. */
		return;
	}
}

void rc_sup_stop(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob)
{
	switch (s->state) {
	case RC_SUP_RUNNING: {
		struct rc_effect *fx = push_fx(s, RC_FX_PROC_SIGNAL, now_ms, ob);
		fx->value = RC_SIG_TERM;
		s->state = RC_SUP_STOPPING;
		s->killed = false;
		s->deadline_ms = now_ms + s->policy->stop_grace_ms;
		return;
	}
	case RC_SUP_IDLE:
	case RC_SUP_BACKOFF:
		/* Nothing runs: cancelling the restart is the whole stop. */
		settle(s, RC_SUP_STOPPED);
		return;
	default:
		/* Already stopping or final: a second stop changes nothing. */
		return;
	}
}

int64_t rc_sup_deadline(const struct rc_sup *s)
{
	return s->deadline_ms;
}

void rc_sup_tick(struct rc_sup *s, int64_t now_ms, struct rc_outbox *ob)
{
	if (now_ms < s->deadline_ms)
		return;
	if (s->state == RC_SUP_BACKOFF) {
		launch(s, now_ms, ob);
	} else if (s->state == RC_SUP_STOPPING && !s->killed) {
		struct rc_effect *fx = push_fx(s, RC_FX_PROC_SIGNAL, now_ms, ob);
		fx->value = RC_SIG_KILL;
		s->killed = true;
		/* SIGKILL cannot be ignored: what is left is waiting for the
		 * driver to reap the process and report its exit. */
		s->deadline_ms = INT64_MAX;
	}
}

bool rc_sup_is_final(const struct rc_sup *s)
{
	return s->state == RC_SUP_EXITED || s->state == RC_SUP_GAVE_UP ||
	       s->state == RC_SUP_STOPPED;
}
