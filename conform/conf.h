/*
 * conf.h - `rollcall conform`: the scenario library replayed against a live
 * coordinator over HTTP (conform/README.md describes it for users).
 *
 * A session holds the target (launched by conform or already running) and
 * the dialect profile; each scenario is then run live with one seed and
 * judged by the same rules as in the simulator (scn_judge.h), reading the
 * target through its API and through the replies its virtual runners get.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scn.h"
#include "scn_run.h"

struct conf_options {
	const char *target_url;   /* a running target (ignored with launch unless it has no port) */
	const char *launch;       /* command that starts the target */
	bool reuse;               /* launch once, run every scenario against it */
	const char *clock_file;   /* a running target's libfaketime clock file */
	const char *profile;      /* profile file; NULL: rollcall-coordd's protocol */
	const char *secret_file;  /* a running target's runner secret */
	const char *faketime_lib;
	const char *work_dir;     /* scratch folders for launched targets */
	int64_t timeout_ms;       /* one HTTP exchange */
	int64_t launch_timeout_ms;
	bool keep;                /* keep scratch folders */
	bool ignore_date;         /* do not hold the target's Date header to conform's clock */
};

enum conf_verdict { CONF_PASS = 0, CONF_FAIL, CONF_SKIP, CONF_ERROR };

struct conf_result {
	enum conf_verdict verdict;
	uint64_t seed;
	struct scn_outcome out;  /* the judge's outcome (FAIL: the first failure) */
	char reason[1300];       /* SKIP: why it cannot run live; ERROR: what went wrong */
	char evidence[1600];     /* FAIL/ERROR: the request and response that showed it */
	int64_t virtual_ms;      /* virtual time covered */
	double real_s;
	int requests;            /* HTTP exchanges with the target */
	bool target_unusable;    /* ERROR that every later scenario would hit too */
};

struct conf_session;

/* Open a session: load the profile, prepare or reach the target. A running
 * target must answer its health check. Returns NULL with err filled (bad
 * input or an unreachable target: both exit 2). */
struct conf_session *conf_session_open(const struct conf_options *o, char *err, size_t err_cap);
void conf_session_close(struct conf_session *cs);

/* Run scenario s live with seed, filling r. */
void conf_session_run(struct conf_session *cs, const struct scn_scenario *s, uint64_t seed, struct conf_result *r);

/* A one-line description of the session's target and clock, for the report. */
void conf_session_describe(const struct conf_session *cs, char *buf, size_t n);

#endif
