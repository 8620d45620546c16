/*
 * check.c - the invariants of DESIGN.md, checked after every event.
 *
 * The checker keeps a shadow of what the coordinator is allowed to believe,
 * built only from what it observed: a runner's last accepted refresh (on the
 * coordinator's clock), each task's state, attempt and owner, each sandbox's
 * status and binding. After a request it compares the records the request
 * touched (the requester's, the tasks named by the request, its grants and
 * its effects) with the shadow, in O(1); after a coordinator tick it scans
 * the registry and the unfinished tasks (amortised O(1) per heartbeat, as
 * every runner heartbeats several times per sweep). Effects are used as hints
 * and cross-checked against records, so a core that changes state without
 * saying so is caught by the scans. Expected runner IDs are computed here
 * with OpenSSL, independently of the core's identity code.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "identity.h"
#include "sim_internal.h"

#define CHECK(w) ((w)->stats.checks++)

void sim_check_init(struct sim_checker *k)
{
	memset(k, 0, sizeof *k);
	sim_map_init(&k->runner_by_key);
	sim_map_init(&k->task_by_id);
	sim_map_init(&k->sandbox_by_id);
}

void sim_check_free(struct sim_checker *k)
{
	free(k->runners);
	free(k->shadow_at);
	free(k->tasks);
	free(k->active);
	free(k->sandboxes);
	free(k->touched);
	sim_map_free(&k->runner_by_key);
	sim_map_free(&k->task_by_id);
	sim_map_free(&k->sandbox_by_id);
}

/* The IDs of the property triples seen lately, by a hash of the joined
 * properties. Every world adds the same runners again (exploration builds a
 * world per seed, thousands a second) and every registration is checked,
 * while one SHA-256 through OpenSSL costs ~7k instructions. A hit compares
 * the whole joined text, so a collision only costs a recomputation. */
#define ID_MEMO_SLOTS 64
static struct {
	char *joined; /* "hostname:project_dir:executor_type", NULL: empty */
	char id[RC_RUNNER_ID_BUF];
} id_memo[ID_MEMO_SLOTS];

static int derive_id(const char *joined, size_t len, char out[RC_RUNNER_ID_BUF])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(joined, len, md, &n, EVP_sha256(), NULL))
		return -1;
	static const char hex[] = "0123456789abcdef";
	memcpy(out, "lnch_", 5);
	for (int i = 0; i < 6; i++) {
		out[5 + 2 * i] = hex[md[i] >> 4];
		out[6 + 2 * i] = hex[md[i] & 15];
	}
	out[RC_RUNNER_ID_LEN] = '\0';
	return 0;
}

int sim_expected_id(const char *hostname, const char *project_dir, const char *executor_type,
		    char out[RC_RUNNER_ID_BUF])
{
	out[0] = '\0';
	if (!hostname || !project_dir || !executor_type || !hostname[0] || !project_dir[0] || !executor_type[0])
		return -1;
	size_t lh = strlen(hostname), lp = strlen(project_dir), le = strlen(executor_type);
	size_t len = lh + lp + le + 2;
	char *joined = sim_xrealloc(NULL, len + 1);
	memcpy(joined, hostname, lh);
	joined[lh] = ':';
	memcpy(joined + lh + 1, project_dir, lp);
	joined[lh + 1 + lp] = ':';
	memcpy(joined + lh + lp + 2, executor_type, le);
	joined[len] = '\0';
	size_t slot = (size_t)(sim_hash_str(joined) % ID_MEMO_SLOTS);
	if (id_memo[slot].joined && strcmp(id_memo[slot].joined, joined) == 0) {
		free(joined);
		memcpy(out, id_memo[slot].id, RC_RUNNER_ID_BUF);
		return 0;
	}
	if (derive_id(joined, len, out) != 0) {
		free(joined);
		return -1;
	}
	free(id_memo[slot].joined);
	id_memo[slot].joined = joined;
	memcpy(id_memo[slot].id, out, RC_RUNNER_ID_BUF);
	return 0;
}

/* ------------------------------------------------------------ shadows */

static struct sim_shadow_runner *srunner(struct sim_checker *k, const char *id, bool create)
{
	uint64_t key = rc_identity_runner_key(id);
	if (!key)
		return NULL;
	uint32_t i = sim_map_get(&k->runner_by_key, key);
	if (i != SIM_MAP_NONE)
		return &k->runners[i];
	if (!create)
		return NULL;
	SIM_GROW(k->runners, k->cap_runners, k->n_runners + 1);
	struct sim_shadow_runner *s = &k->runners[k->n_runners];
	memset(s, 0, sizeof *s);
	s->key = key;
	memcpy(s->id, id, RC_RUNNER_ID_BUF);
	s->status = RC_RUNNER_REMOVED;
	sim_map_put(&k->runner_by_key, key, (uint32_t)k->n_runners++);
	return s;
}

/* The shadow stored under key, if its ID is id (NULL otherwise). */
static struct sim_shadow_runner *shadow_by_key(struct sim_checker *k, uint64_t key, const char *id)
{
	uint32_t i = sim_map_get(&k->runner_by_key, key);
	if (i == SIM_MAP_NONE || memcmp(k->runners[i].id, id, RC_RUNNER_ID_BUF) != 0)
		return NULL;
	return &k->runners[i];
}

/* The shadow of the runner a request names. Runners nearly always name
 * themselves, and then the key is their node's, known since the node was
 * added: the ID need not be parsed again on every request. Shadows are
 * never removed or moved in the array, so the node keeps the index of its
 * own once found, and a request costs no map lookup. (msg->runner_id points
 * at the message slot's full ID buffer here.) */
static struct sim_shadow_runner *request_runner(struct sim_world *w, const struct rc_msg *msg, int from_node)
{
	if (from_node >= 0 && msg->runner_id) {
		struct sim_node *n = &w->nodes[from_node];
		if (memcmp(msg->runner_id, n->expected_id, RC_RUNNER_ID_BUF) != 0)
			return srunner(&w->chk, msg->runner_id, false);
		if (n->shadow)
			return &w->chk.runners[n->shadow - 1];
		struct sim_shadow_runner *s = shadow_by_key(&w->chk, n->id_key, n->expected_id);
		if (s)
			n->shadow = (uint32_t)(s - w->chk.runners) + 1;
		return s;
	}
	return srunner(&w->chk, msg->runner_id, false);
}

/* The shadow of a coordinator record, found by the key the coordinator
 * keeps (no parse per record on every scan) and held to the record's ID, so
 * a wrong key can only make a record look unknown, never borrow a shadow. */
static struct sim_shadow_runner *shadow_of_record(struct sim_checker *k, const struct rc_runner_record *r)
{
	struct sim_shadow_runner *s = shadow_by_key(k, r->key, r->id);
	return s ? s : srunner(k, r->id, false);
}

static void set_exists(struct sim_checker *k, struct sim_shadow_runner *s, bool exists)
{
	if (s->exists == exists)
		return;
	s->exists = exists;
	if (exists)
		k->existing++;
	else
		k->existing--;
	if (!exists)
		s->status = RC_RUNNER_REMOVED;
}

static bool task_final(int state)
{
	return state == RC_TASK_COMPLETED || state == RC_TASK_FAILED;
}

static void active_add(struct sim_checker *k, uint32_t t)
{
	SIM_GROW(k->active, k->cap_active, k->n_active + 1);
	k->tasks[t].active_pos = (uint32_t)k->n_active;
	k->active[k->n_active++] = t;
}

static void active_remove(struct sim_checker *k, uint32_t t)
{
	uint32_t pos = k->tasks[t].active_pos;
	if (pos == SIM_MAP_NONE)
		return;
	uint32_t last = k->active[--k->n_active];
	k->active[pos] = last;
	k->tasks[last].active_pos = pos;
	k->tasks[t].active_pos = SIM_MAP_NONE;
}

static struct sim_shadow_task *stask(struct sim_checker *k, uint64_t id)
{
	uint32_t i = sim_map_get(&k->task_by_id, id);
	return i == SIM_MAP_NONE ? NULL : &k->tasks[i];
}

static void stask_follow(struct sim_checker *k, struct sim_shadow_task *s, const struct rc_task *rec)
{
	uint32_t t = (uint32_t)(s - k->tasks);
	s->state = rec->state;
	s->attempt = rec->attempt;
	memcpy(s->owner, rec->runner_id, RC_RUNNER_ID_BUF);
	if (task_final(s->state))
		active_remove(k, t);
	else if (s->active_pos == SIM_MAP_NONE)
		active_add(k, t);
}

static struct sim_shadow_task *stask_new(struct sim_checker *k, const struct rc_task *rec)
{
	SIM_GROW(k->tasks, k->cap_tasks, k->n_tasks + 1);
	struct sim_shadow_task *s = &k->tasks[k->n_tasks];
	memset(s, 0, sizeof *s);
	s->id = rec->id;
	s->active_pos = SIM_MAP_NONE;
	sim_map_put(&k->task_by_id, rec->id, (uint32_t)k->n_tasks++);
	stask_follow(k, s, rec);
	return s;
}

static struct sim_shadow_sandbox *ssandbox(struct sim_checker *k, uint64_t id, const struct rc_sandbox *rec)
{
	uint32_t i = sim_map_get(&k->sandbox_by_id, id);
	if (i != SIM_MAP_NONE)
		return &k->sandboxes[i];
	if (!rec)
		return NULL;
	SIM_GROW(k->sandboxes, k->cap_sandboxes, k->n_sandboxes + 1);
	struct sim_shadow_sandbox *s = &k->sandboxes[k->n_sandboxes];
	s->id = id;
	s->status = rec->status;
	memcpy(s->bound, rec->runner_id, RC_RUNNER_ID_BUF);
	sim_map_put(&k->sandbox_by_id, id, (uint32_t)k->n_sandboxes++);
	return s;
}

static const struct rc_coord *coord_of(const struct sim_world *w)
{
	return w->coord >= 0 ? w->nodes[w->coord].coord : NULL;
}

/* -------------------------------------------------- registry checks */

static bool accepted(int status)
{
	return status >= 200 && status < 300;
}

/* Records the coordinator holds must match the runners the shadow believes
 * exist; a mismatch is resolved by a scan that names the culprit. */
static void check_count(struct sim_world *w)
{
	struct sim_checker *k = &w->chk;
	const struct rc_coord *c = coord_of(w);
	CHECK(w);
	size_t have = rc_coord_runner_count(c);
	if (have == k->existing)
		return;
	size_t pos = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(c, &pos));) {
		struct sim_shadow_runner *s = srunner(k, r->id, true);
		if (!s->exists) {
			sim_violate(w, SIM_INV_SINGLE_RECORD, r->id,
				    "registry holds a record for %s that no accepted registration created", r->id);
			set_exists(k, s, true);
			s->last_hb = r->last_heartbeat_ms;
		}
	}
	if (have > k->existing) {
		sim_violate(w, SIM_INV_SINGLE_RECORD, "", "registry holds %zu records for %zu distinct runners", have,
			    k->existing);
		return;
	}
	for (size_t i = 0; i < k->n_runners; i++) {
		struct sim_shadow_runner *s = &k->runners[i];
		if (s->exists && !rc_coord_find_runner(c, s->id)) {
			sim_violate(w, SIM_INV_REMOVE_WINDOW, s->id,
				    "record of %s vanished without an accepted removal", s->id);
			set_exists(k, s, false);
		}
	}
}

static void check_register(struct sim_world *w, int64_t now, const struct rc_msg *msg, const struct rc_reply *rep)
{
	struct sim_checker *k = &w->chk;
	char expected[RC_RUNNER_ID_BUF];
	const char *nodes = rep->runner_id;
	CHECK(w);
	if (sim_expected_id(msg->hostname, msg->project_dir, msg->executor_type, expected) != 0 ||
	    strcmp(expected, rep->runner_id) != 0) {
		sim_violate(w, SIM_INV_ID_DETERMINISTIC, nodes, "registration of (%s, %s, %s) got ID %s, expected %s",
			    msg->hostname ? msg->hostname : "", msg->project_dir ? msg->project_dir : "",
			    msg->executor_type ? msg->executor_type : "", rep->runner_id, expected);
		return;
	}
	const struct rc_runner_record *rec = rc_coord_find_runner(coord_of(w), rep->runner_id);
	struct sim_shadow_runner *s = srunner(k, rep->runner_id, true);
	bool existed = s->exists;
	if (!rec) {
		sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "accepted registration of %s left no record", rep->runner_id);
		return;
	}
	if (rec->status != RC_RUNNER_ONLINE || rec->last_heartbeat_ms != now)
		sim_violate(w, SIM_INV_ONLINE_IF_HEARTBEATING, nodes,
			    "after registering, %s is %s with last heartbeat %" PRId64 " (now %" PRId64 ")",
			    rec->id, rc_runner_status_name(rec->status), rec->last_heartbeat_ms, now);
	if (existed && rec->registered_at_ms != s->registered_at)
		sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "reconnection of %s changed registered_at %" PRId64
			    " -> %" PRId64, rec->id, s->registered_at, rec->registered_at_ms);
	if (rep->reconnected != existed)
		sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "registration of %s says reconnected=%d but a record %s",
			    rec->id, rep->reconnected, existed ? "existed" : "did not exist");
	if (existed && rec->session <= s->session)
		sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "registration of %s did not open a new session (%" PRIu64
			    " after %" PRIu64 ")", rec->id, rec->session, s->session);
	if (!existed)
		s->registered_at = rec->registered_at_ms;
	set_exists(k, s, true);
	s->status = rec->status;
	s->last_hb = now;
	s->session = rec->session;
}

/* Invariant charged when a refused request changes something. */
static enum sim_invariant refusal_invariant(enum rc_op op)
{
	return op == RC_OP_TASK_STATUS || op == RC_OP_TASK_COMPLETE ? SIM_INV_ONE_OWNER : SIM_INV_SINGLE_RECORD;
}

static void check_runner_op(struct sim_world *w, int64_t now, const struct rc_msg *msg, const struct rc_reply *rep,
			    struct sim_shadow_runner *s)
{
	struct sim_checker *k = &w->chk;
	/* by the shadow's own key when there is one (s names msg->runner_id) */
	const struct rc_runner_record *rec = s ? rc_coord_find_runner_key(coord_of(w), s->key)
				       : msg->runner_id ? rc_coord_find_runner(coord_of(w), msg->runner_id) : NULL;
	CHECK(w);
	if (!s) {
		if (rec)
			check_count(w);
		return;
	}
	const char *nodes = s->id;
	if (!accepted(rep->status)) {
		bool changed = s->exists != (rec != NULL) ||
			       (rec && (rec->last_heartbeat_ms != s->last_hb || rec->session != s->session));
		if (changed)
			sim_violate(w, refusal_invariant(msg->op), nodes,
				    "%s refused with %d but changed the record of %s", rc_op_name(msg->op), rep->status,
				    s->id);
		return;
	}
	switch (msg->op) {
	case RC_OP_HEARTBEAT:
		if (!rec || rec->status != RC_RUNNER_ONLINE || rec->last_heartbeat_ms != now) {
			sim_violate(w, SIM_INV_ONLINE_IF_HEARTBEATING, nodes,
				    "heartbeat of %s accepted but the runner is %s (last heartbeat %" PRId64
				    ", now %" PRId64 ")", s->id, rec ? rc_runner_status_name(rec->status) : "gone",
				    rec ? rec->last_heartbeat_ms : -1, now);
		}
		s->last_hb = now;
		break;
	case RC_OP_DEREGISTER:
		if (rec)
			sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "deregistration of %s accepted, record kept", s->id);
		set_exists(k, s, false);
		return;
	default:
		/* Claims and reports may count as liveness: follow a refresh to now. */
		if (rec && rec->last_heartbeat_ms == now)
			s->last_hb = now;
		break;
	}
	if (rec)
		s->status = rec->status;
}

static void check_status_effect(struct sim_world *w, int64_t now, const struct rc_effect *fx,
				const struct rc_msg *msg)
{
	struct sim_checker *k = &w->chk;
	const struct rc_coord *c = coord_of(w);
	struct sim_shadow_runner *s = srunner(k, fx->runner_id, true);
	const char *nodes = fx->runner_id;
	const struct rc_coord_config *cfg = &w->cfg.coord;
	int64_t age = now - s->last_hb;
	CHECK(w);
	if (fx->to == RC_RUNNER_STALE) {
		if (age < cfg->stale_after_ms)
			sim_violate(w, SIM_INV_STALE_WINDOW, nodes, "%s marked stale %" PRId64
				    " ms after its last heartbeat (stale_after %" PRId64 ")", fx->runner_id, age,
				    cfg->stale_after_ms);
		s->status = RC_RUNNER_STALE;
	} else if (fx->to == RC_RUNNER_REMOVED) {
		bool deregistered = msg && msg->op == RC_OP_DEREGISTER && msg->runner_id &&
				    strcmp(msg->runner_id, fx->runner_id) == 0 && accepted(w->reply.status);
		if (!deregistered && age < cfg->remove_after_ms)
			sim_violate(w, SIM_INV_REMOVE_WINDOW, nodes, "%s removed %" PRId64
				    " ms after its last heartbeat (remove_after %" PRId64 ")", fx->runner_id, age,
				    cfg->remove_after_ms);
		if (rc_coord_find_runner(c, fx->runner_id))
			sim_violate(w, SIM_INV_SINGLE_RECORD, nodes, "%s reported removed but its record is there",
				    fx->runner_id);
		set_exists(k, s, false);
	} else {
		s->status = fx->to;
	}
}

/* ------------------------------------------------------- task checks */

struct task_ctx {
	enum chk_ctx kind;
	const struct rc_msg *msg;    /* CTX_REQUEST */
	const struct rc_reply *rep;
	int64_t now;
};

static bool granted(const struct rc_reply *rep, uint64_t id, int *attempt)
{
	for (int i = 0; i < rep->n_grants; i++) {
		if (rep->grants[i].task_id == id) {
			*attempt = rep->grants[i].attempt;
			return true;
		}
	}
	return false;
}

/* The runner a request came from: its runner_id, or for a registration the
 * ID the coordinator gave back. */
static const char *requester(const struct task_ctx *x)
{
	if (!x->msg)
		return NULL;
	return x->msg->op == RC_OP_REGISTER ? x->rep->runner_id : x->msg->runner_id;
}

static bool from_owner(const struct task_ctx *x, const struct sim_shadow_task *s)
{
	const char *id = requester(x);
	return id && strcmp(id, s->owner) == 0;
}

/* Whether the owner of s has been silent for longer than the task timeout
 * (or is gone), which is what allows the monitor to take the task back. */
static bool owner_silent(struct sim_world *w, const struct sim_shadow_task *s, int64_t now, int64_t *age)
{
	struct sim_shadow_runner *o = srunner(&w->chk, s->owner, false);
	*age = o ? now - o->last_hb : INT64_MAX;
	return !o || !o->exists || *age > w->cfg.coord.task_timeout_ms;
}

/* A running task went back to the queue or failed: was it allowed? */
static void check_takeback(struct sim_world *w, const struct task_ctx *x, const struct sim_shadow_task *s,
			   const struct rc_task *rec, const char *nodes)
{
	bool by_owner = x->kind == CTX_REQUEST && from_owner(x, s) && accepted(x->rep->status) &&
			(x->msg->op == RC_OP_DEREGISTER || x->msg->op == RC_OP_REGISTER);
	bool own_failure = x->kind == CTX_REQUEST && x->msg->op == RC_OP_TASK_COMPLETE && from_owner(x, s) &&
			   x->msg->attempt == s->attempt && accepted(x->rep->status) && !x->msg->success;
	int64_t age = 0;
	bool silent = x->kind == CTX_TICK && owner_silent(w, s, x->now, &age);
	/* A grant its owner never confirmed (the claim reply was lost) may be
	 * taken back once unconfirmed for longer than the task timeout. */
	bool unconfirmed = x->kind == CTX_TICK && !s->confirmed &&
			   x->now - s->claimed_at > w->cfg.coord.task_timeout_ms;
	silent = silent || unconfirmed;
	if (own_failure && rec->state == RC_TASK_FAILED)
		return;
	if (!by_owner && !silent) {
		if (x->kind == CTX_TICK)
			sim_violate_task(w, SIM_INV_REASSIGN_BOUND, nodes, s->id,
					 "task %" PRIu64 " taken from %s whose last "
					 "heartbeat is %" PRId64 " ms old (timeout %" PRId64 ")",
					 s->id, s->owner, age, w->cfg.coord.task_timeout_ms);
		else
			sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, s->id,
					 "task %" PRIu64 " of %s changed to %s by %s from %s", s->id, s->owner,
					 rc_task_state_name(rec->state), rc_op_name(x->msg->op),
					 requester(x) && requester(x)[0] ? requester(x) : "the API");
		return;
	}
	if (rec->state == RC_TASK_FAILED && s->attempt < w->cfg.coord.max_attempts)
		sim_violate_task(w, SIM_INV_REASSIGN_BOUND, nodes, s->id,
				 "task %" PRIu64 " failed at attempt %d of %d instead of being requeued",
				 s->id, s->attempt, w->cfg.coord.max_attempts);
	else if (rec->state == RC_TASK_QUEUED && rec->attempt != s->attempt)
		sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, s->id, "task %" PRIu64 " requeued with attempt %d -> %d",
				 s->id, s->attempt, rec->attempt);
}

static void check_claimed(struct sim_world *w, const struct task_ctx *x, const struct sim_shadow_task *s,
			  const struct rc_task *rec, const char *nodes)
{
	int attempt = 0;
	bool ok = x->kind == CTX_REQUEST && x->msg->op == RC_OP_CLAIM && accepted(x->rep->status) &&
		  granted(x->rep, s->id, &attempt) && x->msg->runner_id &&
		  strcmp(rec->runner_id, x->msg->runner_id) == 0 && attempt == rec->attempt;
	if (!ok) {
		sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, s->id,
				 "task %" PRIu64 " started on %s without being granted to it", s->id, rec->runner_id);
		return;
	}
	if (rec->attempt != s->attempt + 1)
		sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, s->id,
				 "task %" PRIu64 " granted as attempt %d after attempt %d", s->id, rec->attempt,
				 s->attempt);
	if (rec->attempt > w->cfg.coord.max_attempts)
		sim_violate_task(w, SIM_INV_REASSIGN_BOUND, nodes, s->id,
				 "task %" PRIu64 " granted as attempt %d of %d", s->id, rec->attempt,
				 w->cfg.coord.max_attempts);
}

static void check_completed(struct sim_world *w, const struct task_ctx *x, const struct sim_shadow_task *s,
			    const struct rc_task *rec, const char *nodes)
{
	bool ok = x->kind == CTX_REQUEST && x->msg->op == RC_OP_TASK_COMPLETE && accepted(x->rep->status) &&
		  from_owner(x, s) && x->msg->attempt == s->attempt && x->msg->success;
	if (!ok)
		sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, s->id,
				 "task %" PRIu64 " (attempt %d on %s) completed by %s from %s attempt %d",
				 s->id, s->attempt, s->owner, x->msg ? rc_op_name(x->msg->op) : "a tick",
				 x->msg && x->msg->runner_id ? x->msg->runner_id : "-", x->msg ? x->msg->attempt : 0);
	(void)rec;
}

/* Compare one task's record with its shadow and judge the change. */
static void check_task(struct sim_world *w, const struct task_ctx *x, uint64_t id)
{
	struct sim_checker *k = &w->chk;
	const struct rc_task *rec = rc_coord_find_task(coord_of(w), id);
	struct sim_shadow_task *s = stask(k, id);
	CHECK(w);
	if (!s) {
		if (!rec)
			return;
		bool submitted = x->kind == CTX_REQUEST && x->msg->op == RC_OP_TASK_SUBMIT && x->rep->task_id == id;
		if (!submitted || rec->state != RC_TASK_QUEUED || rec->attempt != 0)
			sim_violate_task(w, SIM_INV_ONE_OWNER, "", id,
					 "task %" PRIu64 " appeared as %s attempt %d without a submission",
					 id, rc_task_state_name(rec->state), rec->attempt);
		stask_new(k, rec);
		return;
	}
	const char *nodes = rec ? rec->runner_id : s->owner;
	if (!rec) {
		sim_violate_task(w, SIM_INV_COMPLETE_ONCE, nodes, id,
				 "task %" PRIu64 " (%s) vanished from the coordinator", id,
				 rc_task_state_name(s->state));
		active_remove(k, (uint32_t)(s - k->tasks));
		return;
	}
	bool complete_acked = x->kind == CTX_REQUEST && x->msg->op == RC_OP_TASK_COMPLETE && x->msg->task_id == id &&
			      accepted(x->rep->status) && from_owner(x, s) && x->msg->attempt == s->attempt;
	if (complete_acked && rec->state != (x->msg->success ? RC_TASK_COMPLETED : RC_TASK_FAILED))
		sim_violate_task(w, SIM_INV_COMPLETE_ONCE, nodes, id,
				 "completion of task %" PRIu64 " attempt %d acknowledged but the task is %s",
				 id, s->attempt, rc_task_state_name(rec->state));
	bool changed = (int)rec->state != s->state || rec->attempt != s->attempt || strcmp(rec->runner_id, s->owner) != 0;
	if (changed) {
		if (task_final(s->state))
			sim_violate_task(w, SIM_INV_COMPLETE_ONCE, nodes, id,
					 "task %" PRIu64 " was %s and became %s (attempt %d)", id,
					 rc_task_state_name(s->state), rc_task_state_name(rec->state), rec->attempt);
		else if (x->kind == CTX_REQUEST && !accepted(x->rep->status))
			sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, id,
					 "%s refused with %d but task %" PRIu64 " changed %s -> %s",
					 rc_op_name(x->msg->op), x->rep->status, id, rc_task_state_name(s->state),
					 rc_task_state_name(rec->state));
		else if (s->state == RC_TASK_QUEUED && rec->state == RC_TASK_RUNNING)
			check_claimed(w, x, s, rec, nodes);
		else if (s->state == RC_TASK_RUNNING && rec->state == RC_TASK_COMPLETED)
			check_completed(w, x, s, rec, nodes);
		else if (s->state == RC_TASK_RUNNING && (rec->state == RC_TASK_QUEUED || rec->state == RC_TASK_FAILED))
			check_takeback(w, x, s, rec, nodes);
		else
			sim_violate_task(w, SIM_INV_ONE_OWNER, nodes, id, "task %" PRIu64 " moved %s/%d/%s -> %s/%d/%s",
					 id, rc_task_state_name(s->state), s->attempt, s->owner,
					 rc_task_state_name(rec->state), rec->attempt, rec->runner_id);
	}
	if (complete_acked)
		s->acked_final = true;
	if (s->state == RC_TASK_QUEUED && rec->state == RC_TASK_RUNNING) {
		s->claimed_at = x->now;
		s->confirmed = false;
	}
	if (x->kind == CTX_REQUEST && x->msg->op == RC_OP_TASK_STATUS && accepted(x->rep->status) &&
	    from_owner(x, s) && x->msg->attempt == rec->attempt)
		s->confirmed = true;
	stask_follow(k, s, rec);
}

/* The monitor must take a task back within task_timeout + monitor_interval
 * of its owner's last heartbeat. */
static void check_reassign_bound(struct sim_world *w, int64_t now, const struct sim_shadow_task *s)
{
	const struct rc_coord_config *cfg = &w->cfg.coord;
	int64_t age;
	CHECK(w);
	if (s->state != RC_TASK_RUNNING || !owner_silent(w, s, now, &age))
		return;
	if (age > cfg->task_timeout_ms + cfg->monitor_interval_ms) {
		sim_violate_task(w, SIM_INV_REASSIGN_BOUND, s->owner, s->id,
				 "task %" PRIu64 " still running attempt %d on %s, silent for %" PRId64
				 " ms (bound %" PRId64 ")",
				 s->id, s->attempt, s->owner, age, cfg->task_timeout_ms + cfg->monitor_interval_ms);
	}
}

static void touch(struct sim_checker *k, uint64_t id)
{
	if (id == 0)
		return;
	for (size_t i = 0; i < k->n_touched; i++)
		if (k->touched[i] == id)
			return;
	SIM_GROW(k->touched, k->cap_touched, k->n_touched + 1);
	k->touched[k->n_touched++] = id;
}

static void check_no_assign_to_stale(struct sim_world *w, int64_t now, const struct rc_msg *msg,
				     const struct rc_reply *rep, int status_before)
{
	CHECK(w);
	if (msg->op != RC_OP_CLAIM || !accepted(rep->status) || rep->n_grants == 0)
		return;
	const struct rc_runner_record *rec = rc_coord_find_runner(coord_of(w), msg->runner_id);
	bool refreshed = rec && rec->last_heartbeat_ms == now;
	if (!rec || rec->status != RC_RUNNER_ONLINE || (status_before != RC_RUNNER_ONLINE && !refreshed)) {
		sim_violate(w, SIM_INV_NO_ASSIGN_TO_STALE, msg->runner_id,
			    "%d task(s) granted to %s, which is %s", rep->n_grants, msg->runner_id,
			    rec ? rc_runner_status_name((enum rc_runner_status)status_before) : "not registered");
	}
}

/* ---------------------------------------------------- sandbox checks */

static bool sandbox_move_ok(int from, int to)
{
	if (from == to)
		return true;
	switch (from) {
	case RC_SANDBOX_PENDING: return to == RC_SANDBOX_CREATING;
	case RC_SANDBOX_CREATING: return to == RC_SANDBOX_STARTING || to == RC_SANDBOX_FAILED;
	case RC_SANDBOX_STARTING: return to == RC_SANDBOX_RUNNING || to == RC_SANDBOX_FAILED;
	case RC_SANDBOX_RUNNING: return to == RC_SANDBOX_DELETING || to == RC_SANDBOX_FAILED;
	case RC_SANDBOX_DELETING: return to == RC_SANDBOX_DELETED || to == RC_SANDBOX_FAILED;
	case RC_SANDBOX_FAILED: return to == RC_SANDBOX_DELETING;
	default: return false;
	}
}

/* by_api: an API DELETE, which moves a sandbox from any status to deleted
 * (an operator's decision, audited as such; DESIGN.md's moves are those of
 * runner reports). */
static void check_sandbox_move(struct sim_world *w, uint64_t id, int from, int to, const char *how, bool by_api)
{
	CHECK(w);
	if (!sandbox_move_ok(from, to) && !(by_api && to == RC_SANDBOX_DELETED))
		sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, "", "sandbox %" PRIu64 " moved %s -> %s (%s)", id,
			    rc_sandbox_status_name((enum rc_sandbox_status)from),
			    rc_sandbox_status_name((enum rc_sandbox_status)to), how);
}

static void check_sandbox_request(struct sim_world *w, const struct rc_msg *msg, const struct rc_reply *rep)
{
	struct sim_checker *k = &w->chk;
	bool create = msg->op == RC_OP_SANDBOX_CREATE;
	uint64_t id = create ? rep->sandbox_id : msg->sandbox_id;
	const struct rc_sandbox *rec = id ? rc_coord_find_sandbox(coord_of(w), id) : NULL;
	if (!rec)
		return;
	struct sim_shadow_sandbox *s = ssandbox(k, id, NULL);
	CHECK(w);
	if (!s) {
		if (!create || !accepted(rep->status) || rec->status != RC_SANDBOX_PENDING)
			sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, "", "sandbox %" PRIu64 " appeared as %s", id,
				    rc_sandbox_status_name(rec->status));
		ssandbox(k, id, rec);
		return;
	}
	bool moved = (int)rec->status != s->status;
	bool rebound = strcmp(rec->runner_id, s->bound) != 0;
	if (!accepted(rep->status) && (moved || rebound)) {
		sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, msg->runner_id ? msg->runner_id : "",
			    "%s refused with %d but sandbox %" PRIu64 " changed", rc_op_name(msg->op), rep->status, id);
	} else if (accepted(rep->status) && msg->op == RC_OP_SANDBOX_REPORT) {
		check_sandbox_move(w, id, s->status, rec->status, "report", false);
		int wanted = rc_sandbox_status_parse(msg->status_word);
		if ((int)rec->status != wanted)
			sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, msg->runner_id, "report of %s on sandbox %" PRIu64
				    " accepted, status is %s", msg->status_word ? msg->status_word : "(none)", id,
				    rc_sandbox_status_name(rec->status));
		if (s->bound[0] && (!msg->runner_id || strcmp(s->bound, msg->runner_id) != 0))
			sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, msg->runner_id ? msg->runner_id : "",
				    "sandbox %" PRIu64 " bound to %s accepted a report from %s", id, s->bound,
				    msg->runner_id ? msg->runner_id : "nobody");
	} else if (accepted(rep->status)) {
		check_sandbox_move(w, id, s->status, rec->status, rc_op_name(msg->op), msg->op == RC_OP_SANDBOX_DELETE);
	}
	s->status = rec->status;
	memcpy(s->bound, rec->runner_id, RC_RUNNER_ID_BUF);
}

/* ------------------------------------------------------------ effects */

/* A sandbox saved by a call that is not about it (a claim or a tick moving
 * the binding to the task's new runner): only the binding may change. */
static void follow_sandbox(struct sim_world *w, uint64_t id, const struct rc_msg *msg)
{
	bool own_request = msg && (msg->op == RC_OP_SANDBOX_REPORT || msg->op == RC_OP_SANDBOX_DELETE ||
				   msg->op == RC_OP_SANDBOX_CREATE);
	const struct rc_sandbox *rec = rc_coord_find_sandbox(coord_of(w), id);
	struct sim_shadow_sandbox *s = ssandbox(&w->chk, id, NULL);
	if (own_request || !rec || !s)
		return;
	CHECK(w);
	if ((int)rec->status != s->status)
		sim_violate(w, SIM_INV_SANDBOX_TRANSITIONS, rec->runner_id, "sandbox %" PRIu64 " moved %s -> %s "
			    "without a report", id, rc_sandbox_status_name((enum rc_sandbox_status)s->status),
			    rc_sandbox_status_name(rec->status));
	s->status = rec->status;
	memcpy(s->bound, rec->runner_id, RC_RUNNER_ID_BUF);
}

/* Judge the effects of one coordinator call; collect touched tasks. */
static void check_effects(struct sim_world *w, int64_t now, const struct rc_msg *msg)
{
	struct sim_checker *k = &w->chk;
	for (size_t i = 0; i < w->ob.len; i++) {
		const struct rc_effect *fx = &w->ob.items[i];
		switch (fx->kind) {
		case RC_FX_RUNNER_STATUS:
			check_status_effect(w, now, fx, msg);
			break;
		case RC_FX_TASK_STATE:
			touch(k, fx->task_id);
			break;
		case RC_FX_SANDBOX_AUDIT:
			check_sandbox_move(w, fx->sandbox_id, fx->from, fx->to, "audit", fx->op == RC_OP_SANDBOX_DELETE);
			break;
		case RC_FX_SANDBOX_SAVED:
			follow_sandbox(w, fx->sandbox_id, msg);
			break;
		default:
			break;
		}
	}
}

void sim_check_request(struct sim_world *w, int64_t now, const struct rc_msg *msg, int from_node)
{
	struct sim_checker *k = &w->chk;
	const struct rc_reply *rep = &w->reply;
	k->n_touched = 0;
	struct sim_shadow_runner *req_runner = request_runner(w, msg, from_node);
	int status_before = req_runner ? req_runner->status : RC_RUNNER_REMOVED;
	switch (msg->op) {
	case RC_OP_REGISTER:
		if (accepted(rep->status))
			check_register(w, now, msg, rep);
		else if (rep->runner_id[0])
			check_runner_op(w, now, msg, rep, req_runner);
		break;
	case RC_OP_HEARTBEAT:
	case RC_OP_DEREGISTER:
	case RC_OP_CLAIM:
	case RC_OP_TASK_STATUS:
	case RC_OP_TASK_COMPLETE:
		check_runner_op(w, now, msg, rep, req_runner);
		break;
	case RC_OP_SANDBOX_CREATE:
	case RC_OP_SANDBOX_REPORT:
	case RC_OP_SANDBOX_DELETE:
		check_sandbox_request(w, msg, rep);
		break;
	default:
		break;
	}
	check_effects(w, now, msg);
	if (msg->op == RC_OP_TASK_SUBMIT && accepted(rep->status))
		touch(k, rep->task_id);
	if (msg->op == RC_OP_TASK_STATUS || msg->op == RC_OP_TASK_COMPLETE)
		touch(k, msg->task_id);
	if (msg->op == RC_OP_CLAIM && accepted(rep->status))
		for (int i = 0; i < rep->n_grants; i++)
			touch(k, rep->grants[i].task_id);
	struct task_ctx x = { CTX_REQUEST, msg, rep, now };
	for (size_t i = 0; i < k->n_touched; i++)
		check_task(w, &x, k->touched[i]);
	check_no_assign_to_stale(w, now, msg, rep, status_before);
	if (msg->op == RC_OP_REGISTER || msg->op == RC_OP_DEREGISTER)
		check_count(w);
}

/* ---------------------------------------------------------- full scan */

/* The shadow of the record at registry position pos, through the hint the
 * last scan left there when it still names this record. */
static struct sim_shadow_runner *scanned_shadow(struct sim_checker *k, size_t pos, const struct rc_runner_record *r)
{
	if (pos >= k->cap_shadow_at) {
		size_t old = k->cap_shadow_at;
		SIM_GROW(k->shadow_at, k->cap_shadow_at, pos + 1);
		memset(k->shadow_at + old, 0, (k->cap_shadow_at - old) * sizeof *k->shadow_at);
	}
	uint32_t hint = k->shadow_at[pos];
	if (hint && k->runners[hint - 1].key == r->key && memcmp(k->runners[hint - 1].id, r->id, RC_RUNNER_ID_BUF) == 0)
		return &k->runners[hint - 1];
	struct sim_shadow_runner *s = shadow_of_record(k, r);
	k->shadow_at[pos] = s ? (uint32_t)(s - k->runners) + 1 : 0;
	return s;
}

static void scan_runners(struct sim_world *w, int64_t now)
{
	struct sim_checker *k = &w->chk;
	const struct rc_coord *c = coord_of(w);
	const struct rc_coord_config *cfg = &w->cfg.coord;
	size_t pos = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(c, &pos));) {
		struct sim_shadow_runner *s = scanned_shadow(k, pos - 1, r);
		CHECK(w);
		if (!s || !s->exists) {
			check_count(w);
			continue;
		}
		int64_t age = now - s->last_hb;
		if (r->status == RC_RUNNER_STALE && age < cfg->stale_after_ms) {
			if (s->status == RC_RUNNER_STALE)
				sim_violate(w, SIM_INV_ONLINE_IF_HEARTBEATING, r->id,
					    "%s still stale though its last heartbeat is %" PRId64 " ms old", r->id, age);
			else
				sim_violate(w, SIM_INV_STALE_WINDOW, r->id,
					    "%s became stale %" PRId64 " ms after its last heartbeat", r->id, age);
		} else if (r->status == RC_RUNNER_ONLINE && age >= cfg->stale_after_ms + cfg->sweep_interval_ms) {
			sim_violate(w, SIM_INV_STALE_WINDOW, r->id,
				    "%s still online %" PRId64 " ms after its last heartbeat (bound %" PRId64 ")", r->id,
				    age, cfg->stale_after_ms + cfg->sweep_interval_ms);
		}
		if (age >= cfg->remove_after_ms + cfg->sweep_interval_ms)
			sim_violate(w, SIM_INV_REMOVE_WINDOW, r->id,
				    "%s still registered %" PRId64 " ms after its last heartbeat (bound %" PRId64 ")",
				    r->id, age, cfg->remove_after_ms + cfg->sweep_interval_ms);
		s->status = r->status;
	}
	check_count(w);
}

void sim_check_full(struct sim_world *w, int64_t now)
{
	struct sim_checker *k = &w->chk;
	if (!coord_of(w))
		return;
	scan_runners(w, now);
	struct task_ctx x = { CTX_TICK, NULL, NULL, now };
	/* check_task may shrink the active list: walk it from the end. */
	for (size_t i = k->n_active; i-- > 0;) {
		if (i >= k->n_active)
			continue;
		uint32_t t = k->active[i];
		check_task(w, &x, k->tasks[t].id);
		check_reassign_bound(w, now, &k->tasks[t]);
	}
}

void sim_check_tick(struct sim_world *w, int64_t now, enum chk_ctx ctx)
{
	struct sim_checker *k = &w->chk;
	k->n_touched = 0;
	check_effects(w, now, NULL);
	struct task_ctx x = { ctx, NULL, NULL, now };
	for (size_t i = 0; i < k->n_touched; i++)
		check_task(w, &x, k->touched[i]);
	sim_check_full(w, now);
}

/* ------------------------------------------------------------ restart */

void sim_check_restored(struct sim_world *w, int64_t now)
{
	struct sim_checker *k = &w->chk;
	const struct rc_coord *c = coord_of(w);
	for (size_t i = 0; i < k->n_runners; i++)
		set_exists(k, &k->runners[i], false);
	size_t pos = 0;
	for (const struct rc_runner_record *r; (r = rc_coord_runner_next(c, &pos));) {
		struct sim_shadow_runner *s = srunner(k, r->id, true);
		CHECK(w);
		if (r->status != RC_RUNNER_ONLINE || r->last_heartbeat_ms != now)
			sim_violate(w, SIM_INV_STALE_WINDOW, r->id,
				    "after the coordinator restarted, %s is %s with last heartbeat %" PRId64
				    " (no grace period)", r->id, rc_runner_status_name(r->status), r->last_heartbeat_ms);
		set_exists(k, s, true);
		s->status = r->status;
		s->last_hb = now;
		s->registered_at = r->registered_at_ms;
		s->session = r->session;
	}
	for (size_t i = 0; i < k->n_tasks; i++) {
		struct sim_shadow_task *s = &k->tasks[i];
		const struct rc_task *rec = rc_coord_find_task(c, s->id);
		CHECK(w);
		if (s->acked_final && (!rec || (int)rec->state != s->state))
			sim_violate_task(w, SIM_INV_COMPLETE_ONCE, "", s->id,
					 "task %" PRIu64 " completion was acknowledged but after "
					 "the restart the task is %s",
					 s->id, rec ? rc_task_state_name(rec->state) : "gone");
		if (rec) {
			stask_follow(k, s, rec);
			s->confirmed = rec->confirmed; /* as persisted (maybe lost) */
			s->claimed_at = now;           /* unconfirmed ones get a full timeout */
		} else {
			active_remove(k, (uint32_t)i);
		}
	}
	for (size_t i = 0; i < rc_coord_task_count(c); i++) {
		const struct rc_task *t = rc_coord_task_at(c, i);
		if (!stask(k, t->id))
			stask_new(k, t);
	}
	for (size_t i = 0; i < rc_coord_sandbox_count(c); i++) {
		const struct rc_sandbox *sb = rc_coord_sandbox_at(c, i);
		struct sim_shadow_sandbox *s = ssandbox(k, sb->id, sb);
		s->status = sb->status;
		memcpy(s->bound, sb->runner_id, RC_RUNNER_ID_BUF);
	}
}

/* ---------------------------------------------------------- processes */

static int64_t expected_delay(const struct rc_sup_policy *p, int n)
{
	int64_t d = p->initial_delay_ms;
	for (int i = 1; i < n && d < p->max_delay_ms; i++)
		d *= 2;
	return d < p->max_delay_ms ? d : p->max_delay_ms;
}

void sim_check_proc_start(struct sim_world *w, int node, struct sim_proc *p, int64_t local)
{
	const struct sim_node *n = &w->nodes[node];
	const struct rc_sup_policy *pol = &n->rcfg.sup;
	CHECK(w);
	if (p->alive)
		sim_violate_task(w, SIM_INV_BACKOFF_SCHEDULE, n->name, p->task_id,
				 "task %" PRIu64 " attempt %d started while running", p->task_id, p->attempt);
	if (!p->crashed)
		return;
	if (p->streak > pol->max_restarts) {
		sim_violate_task(w, SIM_INV_BACKOFF_SCHEDULE, n->name, p->task_id,
				 "task %" PRIu64 " attempt %d restarted after %d "
				 "consecutive failures (at most %d restarts)",
				 p->task_id, p->attempt, p->streak, pol->max_restarts);
		return;
	}
	int64_t want = expected_delay(pol, p->streak);
	int64_t waited = local - p->exit_local;
	bool undisturbed = n->disturbed_at < p->exit_virtual;
	int64_t slack = n->clock.drift_ppm ? 1 : 0;
	if (waited < want || (undisturbed && waited > want + slack))
		sim_violate_task(w, SIM_INV_BACKOFF_SCHEDULE, n->name, p->task_id,
				 "task %" PRIu64 " attempt %d restarted %" PRId64
				 " ms after failure %d; the schedule says %" PRId64 " ms",
				 p->task_id, p->attempt, waited, p->streak, want);
}

void sim_check_proc_signal(struct sim_world *w, int node, struct sim_proc *p, int sig, int64_t local)
{
	const struct sim_node *n = &w->nodes[node];
	CHECK(w);
	if (sig == RC_SIG_TERM) {
		if (!p->stop_asked)
			p->term_local = local;
		p->stop_asked = true;
		return;
	}
	if (sig == RC_SIG_KILL && p->alive &&
	    (!p->stop_asked || local - p->term_local < n->rcfg.sup.stop_grace_ms))
		sim_violate_task(w, SIM_INV_BACKOFF_SCHEDULE, n->name, p->task_id,
				 "task %" PRIu64 " attempt %d got SIGKILL %s", p->task_id, p->attempt,
				 p->stop_asked ? "before the SIGTERM grace period ended" : "without SIGTERM first");
}

void sim_check_proc_exit(struct sim_world *w, int node, struct sim_proc *p, bool clean, int64_t local)
{
	const struct rc_sup_policy *pol = &w->nodes[node].rcfg.sup;
	p->exit_local = local;
	if (clean || p->stop_asked) {
		p->crashed = false;
		p->streak = 0;
		return;
	}
	p->crashed = true;
	p->streak = local - p->start_local >= pol->stable_after_ms ? 1 : p->streak + 1;
}

/* ------------------------------------------------------------ liveness */

static bool id_active_elsewhere(const struct sim_world *w, int node)
{
	for (int i = 0; i < w->n_nodes; i++) {
		const struct sim_node *o = &w->nodes[i];
		if (i != node && o->runner && strcmp(o->expected_id, w->nodes[node].expected_id) == 0 &&
		    rc_runner_phase(o->runner) == RC_PHASE_ACTIVE)
			return true;
	}
	return false;
}

void sim_check_liveness(struct sim_world *w)
{
	const struct rc_coord *c = coord_of(w);
	size_t bad_runners = 0, bad_tasks = 0;
	uint64_t first_task = 0;
	char first[240] = "";
	CHECK(w);
	if (!c) {
		sim_violate(w, SIM_INV_LIVENESS, w->coord >= 0 ? w->nodes[w->coord].name : "",
			    "the coordinator is not running");
		return;
	}
	for (int i = 0; i < w->n_nodes; i++) {
		const struct sim_node *n = &w->nodes[i];
		if (n->kind != SIM_NODE_RUNNER || n->state != SIM_NODE_UP || !n->runner)
			continue;
		const struct rc_runner_record *r = rc_coord_find_runner(c, n->expected_id);
		bool active = rc_runner_phase(n->runner) == RC_PHASE_ACTIVE || id_active_elsewhere(w, i);
		if (r && r->status == RC_RUNNER_ONLINE && active)
			continue;
		if (!bad_runners++)
			snprintf(first, sizeof first, "runner %s (%s) is %s, phase %s", n->name, n->expected_id,
				 r ? rc_runner_status_name(r->status) : "not registered",
				 rc_runner_phase_name(rc_runner_phase(n->runner)));
	}
	for (size_t i = 0; i < rc_coord_task_count(c); i++) {
		const struct rc_task *t = rc_coord_task_at(c, i);
		if (task_final(t->state))
			continue;
		if (!bad_tasks++ && !bad_runners) {
			snprintf(first, sizeof first, "task %" PRIu64 " is %s, attempt %d on %s", t->id,
				 rc_task_state_name(t->state), t->attempt, t->runner_id[0] ? t->runner_id : "-");
			first_task = t->id;
		}
	}
	struct sim_event *ev = sim_record(w, SIM_EV_CHECK, -1);
	if (ev) {
		ev->what = "liveness";
		ev->value = bad_runners + bad_tasks == 0;
		sim_emit(w, ev);
	}
	if (bad_runners + bad_tasks)
		sim_violate_task(w, SIM_INV_LIVENESS, "", first_task,
				 "%zu live runner(s) not online, %zu task(s) unfinished; first: %s", bad_runners, bad_tasks,
				 first);
}
