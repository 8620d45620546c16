/*
 * sim_fixture.c - see sim_fixture.h.
 */
#include "sim_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

static void keep(void *ctx, const struct sim_event *ev)
{
	struct sf *f = ctx;
	if (f->n_recs == f->cap_recs) {
		f->cap_recs = f->cap_recs ? 2 * f->cap_recs : 1024;
		f->recs = realloc(f->recs, f->cap_recs * sizeof *f->recs);
		if (!f->recs)
			abort();
	}
	struct sf_record *r = &f->recs[f->n_recs++];
	r->ev = *ev;
	snprintf(r->node, sizeof r->node, "%s", ev->node_name);
	snprintf(r->what, sizeof r->what, "%s", ev->what ? ev->what : "");
	snprintf(r->runner, sizeof r->runner, "%s", ev->runner_id ? ev->runner_id : "");
	r->ev.node_name = NULL;
	r->ev.peer_name = NULL;
	r->ev.what = NULL;
	r->ev.runner_id = NULL;
	r->ev.text = NULL;
}

void sf_init(struct sf *f, const struct sim_config *cfg, int runners)
{
	memset(f, 0, sizeof *f);
	struct sim_config def;
	if (!cfg) {
		sim_config_defaults(&def);
		cfg = &def;
	}
	f->w = sim_world_new(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->w);
	sim_set_observer(f->w, keep, f);
	f->coord = sim_add_coordinator(f->w, "coord");
	CU_ASSERT_TRUE_FATAL(f->coord >= 0);
	for (int i = 0; i < runners && i < SF_MAX_RUNNERS; i++) {
		char name[8], host[16];
		snprintf(name, sizeof name, "r%d", i);
		snprintf(host, sizeof host, "host%d", i);
		struct sim_runner_spec rs;
		sim_runner_spec_defaults(&rs);
		rs.name = name;
		rs.hostname = host;
		rs.project_dir = "/proj";
		rs.executor_type = "test-executor";
		rs.start_at_ms = 1000 * i;
		f->r[i] = sim_add_runner(f->w, &rs);
		CU_ASSERT_TRUE_FATAL(f->r[i] >= 0);
		f->n++;
	}
}

FILE *sf_trace_to_memory(struct sim_config *cfg, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	FILE *sink = open_memstream(text, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
	sim_config_defaults(cfg);
	cfg->trace = sink;
	return sink;
}

void sf_free(struct sf *f)
{
	sim_world_free(f->w);
	free(f->recs);
	memset(f, 0, sizeof *f);
}

static bool matches(const struct sf_record *r, enum sim_ev_kind kind, const char *node, const char *what,
		    enum rc_op op)
{
	return r->ev.kind == kind && (!node || strcmp(r->node, node) == 0) &&
	       (!what || strcmp(r->what, what) == 0) && (op == RC_OP_NONE || r->ev.op == op);
}

long sf_find(const struct sf *f, size_t from, enum sim_ev_kind kind, const char *node, const char *what,
	     enum rc_op op)
{
	for (size_t i = from; i < f->n_recs; i++)
		if (matches(&f->recs[i], kind, node, what, op))
			return (long)i;
	return -1;
}

size_t sf_count(const struct sf *f, enum sim_ev_kind kind, const char *node, const char *what, enum rc_op op)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n_recs; i++)
		n += matches(&f->recs[i], kind, node, what, op);
	return n;
}

long sf_status_change(const struct sf *f, size_t from, int r, enum rc_runner_status to)
{
	const char *id = sim_runner_node_id(f->w, r);
	for (size_t i = from; i < f->n_recs; i++) {
		const struct sf_record *x = &f->recs[i];
		if (x->ev.kind == SIM_EV_RUNNER_STATUS && x->ev.to == (int)to && strcmp(x->runner, id) == 0)
			return (long)i;
	}
	return -1;
}

int64_t sf_last_heartbeat_before(const struct sf *f, int r, size_t before)
{
	const char *name = sim_node_name(f->w, r);
	int64_t at = -1;
	for (size_t i = 0; i < before && i < f->n_recs; i++) {
		const struct sf_record *x = &f->recs[i];
		/* the coordinator's reply to r's heartbeat, accepted */
		if (x->ev.kind == SIM_EV_REPLY && x->ev.op == RC_OP_HEARTBEAT && x->ev.status == 200 &&
		    x->ev.peer == r && strcmp(x->node, "coord") == 0)
			at = x->ev.at_ms;
	}
	(void)name;
	return at;
}
