/*
 * xp_explore.c - seeds, workers, failures saved as scenario + trace.
 */
#include "xp_explore.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rc_file.h"
#include "scn.h"
#include "xp_buf.h"
#include "xp_run.h"

#define MIN 60000LL

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the scenario of a seed -------------------------------------------------------- */

/* The runner names declared by a scenario (malloc'd array of malloc'd names). */
static size_t base_runners(const struct xp_script *s, char ***out)
{
	char **names = xp_alloc((s->n + 1) * sizeof *names);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		char name[128];
		if (xp_line_defines(&s->lines[i], name, sizeof name) == XP_NAME_RUNNER)
			names[n++] = xp_strdup(name);
	}
	*out = names;
	return n;
}

/* How long s runs: its `end at`, else the latest instant of its timeline
 * (10 minutes when it has none). */
static int64_t script_end(const struct xp_script *s)
{
	if (s->end_ms > 0)
		return s->end_ms;
	int64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->lines[i].kind == XP_LINE_AT && s->lines[i].at_ms > t)
			t = s->lines[i].at_ms;
	return t > 0 ? t : 10 * MIN;
}

/* The parameters seed runs with: the workload's, or its swarm draw (no
 * runner count for a given scenario: its runners are its own). */
static struct xp_gen seed_gen(const struct xp_explore_cfg *cfg, uint64_t seed)
{
	struct xp_gen g = cfg->gen;
	if (g.swarm)
		xp_gen_swarm(&g, seed, cfg->keep_runners || cfg->base);
	return g;
}

/* Those parameters as JSON (new reference). For a given scenario s (as
 * explored, with its runners) only what applies to it: the workload's other
 * parameters shape generated work it does not have. */
static json_t *seed_params(const struct xp_explore_cfg *cfg, const struct xp_gen *g, const struct xp_script *s,
			   size_t runners, int64_t bound_ms)
{
	if (!cfg->base)
		return xp_gen_json(g, bound_ms);
	return xp_gen_scenario_json(g, cfg->base_name, (int)runners, script_end(s), bound_ms);
}

char *xp_explore_scenario(const struct xp_explore_cfg *cfg, uint64_t seed, json_t **params, int64_t *bound_ms)
{
	struct xp_gen g = seed_gen(cfg, seed);
	struct xp_script s;
	size_t runners = 0;
	xp_script_init(&s);
	if (cfg->base) {
		xp_script_copy(&s, cfg->base);
		char **names;
		runners = base_runners(cfg->base, &names);
		xp_gen_faults_for(&g, seed, &s, names, runners, script_end(cfg->base), bound_ms);
		for (size_t i = 0; i < runners; i++)
			free(names[i]);
		free(names);
	} else {
		xp_gen_scenario(&g, seed, &s, bound_ms);
	}
	s.pinned = true;
	s.seed = seed;
	char *text = xp_script_format(&s, NULL);
	if (params)
		*params = seed_params(cfg, &g, &s, runners, *bound_ms);
	xp_script_free(&s);
	return text;
}

/* --- saving a failure ------------------------------------------------------------------ */

static void file_stem(const struct xp_explore_cfg *cfg, uint64_t seed, char *buf, size_t n)
{
	const char *name = cfg->base ? cfg->base_name : cfg->gen.name;
	snprintf(buf, n, "%s/%s%s-seed%" PRIu64, cfg->out_dir, cfg->gen.swarm ? "swarm-" : "", name, seed);
}

static char *failure_comment(const struct xp_explore_cfg *cfg, const struct xp_failure *f, const char *stem,
			     int64_t bound_ms, json_t *params)
{
	struct xp_buf b = { 0 };
	char when[32], bound[32];
	xp_buf_printf(&b, "%s, seed %" PRIu64 ": found by %s\n", cfg->base ? cfg->base_name : cfg->gen.name, f->seed,
		      cfg->command);
	xp_buf_printf(&b, "fails: %s at %s: %s\n", f->what, scn_format_duration(f->at_ms, when, sizeof when), f->why);
	if (bound_ms)
		xp_buf_printf(&b, "liveness: faults stop, every node is started again 2m later, and `expect liveness` comes a bound of %s after that\n",
			      scn_format_duration(bound_ms, bound, sizeof bound));
	if (cfg->gen.swarm) {
		char *p = json_dumps(params, JSON_COMPACT);
		xp_buf_printf(&b, "swarm draw: %s\n", p ? p : "");
		free(p);
	}
	xp_buf_printf(&b, "replay: rollcall run %s.scn (or rollcall replay %s.jsonl, byte for byte)\n", stem, stem);
	xp_buf_printf(&b, "shrink: rollcall shrink %s.scn -o min.scn", stem);
	return xp_buf_take(&b);
}

/* Save the scenario (with a comment saying what it is) and its trace;
 * f->saved says whether both were written (each that was not is named on
 * stderr). */
static void save_failure(const struct xp_explore_cfg *cfg, const char *text, json_t *params, int64_t bound_ms,
			 struct xp_failure *f)
{
	char stem[480];
	file_stem(cfg, f->seed, stem, sizeof stem);
	snprintf(f->path, sizeof f->path, "%s.scn", stem);
	char *comment = failure_comment(cfg, f, stem, bound_ms, params);
	struct xp_script s;
	char err[128];
	char *file = NULL;
	if (xp_script_parse(text, &s, err, sizeof err) == 0) {
		file = xp_script_format(&s, comment);
		xp_script_free(&s);
	}
	free(comment);
	f->saved = file && xp_write_file(f->path, file, strlen(file)) == 0;
	if (!f->saved)
		fprintf(stderr, "rollcall explore: cannot write %s: %s\n", f->path, strerror(errno));
	free(file);
	char trace[512];
	snprintf(trace, sizeof trace, "%s.jsonl", stem);
	struct xp_result again;
	if (xp_trace_write(trace, text, f->seed, params, &again) != 0) {
		fprintf(stderr, "rollcall explore: cannot write %s: %s\n", trace, strerror(errno));
		f->saved = false;
	} else if (again.status != XP_FAIL || strcmp(xp_result_what(&again), f->what) != 0) {
		fprintf(stderr, "rollcall explore: seed %" PRIu64 " did not fail the same way twice (a determinism "
			"bug): %s\n", f->seed, trace);
	}
}

/* --- one worker --------------------------------------------------------------------------- */

struct sink {
	void *ctx;
	void (*failure)(void *ctx, const struct xp_failure *f);
	void (*done)(void *ctx, uint64_t done, bool final);
	const uint64_t *cutoff; /* workers: no seed above it (set by the parent), or NULL */
};

/* Run one seed; returns -1 on bad input (reported), 1 when it failed, 0 passed. */
static int explore_seed(const struct xp_explore_cfg *cfg, uint64_t seed, struct xp_failure *f)
{
	int64_t bound = 0;
	/* the parameters go only into the files of a failure: made again then */
	char *text = xp_explore_scenario(cfg, seed, NULL, &bound);
	struct xp_result r;
	char path[64];
	xp_snprintf(path, sizeof path, "seed-%" PRIu64 ".scn", seed);
	xp_run_text(text, path, seed, NULL, &r);
	int rc = 0;
	if (r.status == XP_BAD_INPUT) {
		fprintf(stderr, "rollcall explore: seed %" PRIu64 ": %s\n", seed, r.diag);
		rc = -1;
	} else if (r.status == XP_FAIL) {
		memset(f, 0, sizeof *f);
		f->seed = seed;
		snprintf(f->what, sizeof f->what, "%s", r.out.what);
		snprintf(f->why, sizeof f->why, "%s", r.out.why);
		f->at_ms = r.out.fail_at_ms;
		json_t *params;
		free(xp_explore_scenario(cfg, seed, &params, &bound)); /* the same text again, with its parameters */
		save_failure(cfg, text, params, bound, f);
		json_decref(params);
		rc = 1;
	}
	free(text);
	return rc;
}

/* Seeds start, start + step, ... up to last (no wrap past UINT64_MAX). */
static int explore_range(const struct xp_explore_cfg *cfg, uint64_t start, uint64_t step, double t0,
			 const struct sink *out)
{
	uint64_t done = 0, failures = 0;
	int rc = 0;
	for (uint64_t seed = start; seed <= cfg->last;) {
		if (out->cutoff && seed > __atomic_load_n(out->cutoff, __ATOMIC_RELAXED))
			break;
		struct xp_failure f;
		int r = explore_seed(cfg, seed, &f);
		if (r < 0) {
			rc = -1;
			break;
		}
		done++;
		double now = now_s();
		if (r > 0) {
			f.seeds_before = seed - cfg->first + 1;
			f.wall_s = now - t0;
			out->failure(out->ctx, &f);
			failures++;
		}
		out->done(out->ctx, done, false); /* the parent knows which seed a worker is on */
		if ((cfg->max_failures && failures >= cfg->max_failures) || (cfg->budget_s > 0 && now - t0 >= cfg->budget_s))
			break;
		if (cfg->last - seed < step)
			break;
		seed += step;
	}
	out->done(out->ctx, done, true);
	return rc;
}

/* --- in this process ---------------------------------------------------------------------- */

struct local {
	const struct xp_explore_ui *ui;
	struct xp_explore_progress *p;
	double t0;
};

static void local_failure(void *ctx, const struct xp_failure *f)
{
	struct local *l = ctx;
	l->p->failures++;
	l->p->unsaved += !f->saved;
	if (l->ui->failure)
		l->ui->failure(l->ui->ctx, f);
}

static void local_done(void *ctx, uint64_t done, bool final)
{
	struct local *l = ctx;
	l->p->done = done;
	l->p->wall_s = now_s() - l->t0;
	if (!final && l->ui->progress)
		l->ui->progress(l->ui->ctx, l->p);
}

/* --- worker processes ------------------------------------------------------------------------ */

enum { MSG_DONE = 1, MSG_FINAL, MSG_FAILURE, MSG_ERROR };

struct msg {
	int kind;
	uint64_t done;
	struct xp_failure f;
};

static void send_msg(int fd, const struct msg *m)
{
	const char *p = (const char *)m;
	size_t left = sizeof *m;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		p += n;
		left -= (size_t)n;
	}
}

static void pipe_failure(void *ctx, const struct xp_failure *f)
{
	struct msg m = { .kind = MSG_FAILURE, .f = *f };
	send_msg(*(int *)ctx, &m);
}

static void pipe_done(void *ctx, uint64_t done, bool final)
{
	struct msg m = { .kind = final ? MSG_FINAL : MSG_DONE, .done = done };
	send_msg(*(int *)ctx, &m);
}

struct worker {
	pid_t pid;
	int fd;
	uint64_t done;
	bool finished;
	struct msg m;   /* partly read message */
	size_t have;
};

static void start_worker(const struct xp_explore_cfg *cfg, struct worker *w, int k, double t0,
			 const uint64_t *cutoff)
{
	int fds[2];
	memset(w, 0, sizeof *w);
	w->pid = -1;
	w->fd = -1;
	if (pipe(fds) != 0)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		struct sink out = { &fds[1], pipe_failure, pipe_done, cutoff };
		int rc = explore_range(cfg, cfg->first + (uint64_t)k, (uint64_t)cfg->jobs, t0, &out);
		if (rc != 0) {
			struct msg m = { .kind = MSG_ERROR };
			send_msg(fds[1], &m);
		}
		_exit(rc == 0 ? 0 : 2);
	}
	close(fds[1]);
	w->pid = pid;
	w->fd = fds[0];
}

/* Failures workers found, held back until every seed below them is done:
 * they are reported in seed order, and with --max-failures N exactly the N
 * lowest failing seeds are, as one job reports them. */
struct pending {
	struct xp_failure *f; /* sorted by seed */
	size_t n, cap;
	uint64_t *cutoff;     /* shared with the workers: no seed above it */
};

static void pending_add(struct pending *q, const struct xp_failure *f)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 16;
		q->f = xp_realloc(q->f, q->cap * sizeof *q->f);
	}
	size_t i = q->n++;
	for (; i > 0 && q->f[i - 1].seed > f->seed; i--)
		q->f[i] = q->f[i - 1];
	q->f[i] = *f;
}

/* A failure past the N lowest: its files go, as one job never writes them. */
static void discard(const struct xp_failure *f)
{
	unlink(f->path);
	char trace[sizeof f->path + 8];
	size_t n = strlen(f->path);
	snprintf(trace, sizeof trace, "%.*s.jsonl", (int)(n > 4 ? n - 4 : n), f->path);
	unlink(trace);
}

/* Report the held failures below seed `below` (every worker is past them),
 * lowest first; once N failures are known, no worker goes past the N-th. */
static void release(struct pending *q, struct local *l, uint64_t max, uint64_t below)
{
	size_t i = 0;
	for (; i < q->n && q->f[i].seed < below; i++) {
		if (max && l->p->failures >= max) {
			discard(&q->f[i]);
			continue;
		}
		local_failure(l, &q->f[i]);
		if (l->p->failures == max)
			__atomic_store_n(q->cutoff, q->f[i].seed, __ATOMIC_RELAXED);
	}
	if (i) {
		q->n -= i;
		memmove(q->f, q->f + i, q->n * sizeof *q->f);
	}
	if (max && l->p->failures < max && l->p->failures + q->n >= max) {
		uint64_t nth = q->f[max - l->p->failures - 1].seed;
		if (nth < *q->cutoff)
			__atomic_store_n(q->cutoff, nth, __ATOMIC_RELAXED);
	}
}

/* Read what a worker sent. */
static void drain_worker(struct worker *w, struct pending *q, int *errors)
{
	ssize_t n = read(w->fd, (char *)&w->m + w->have, sizeof w->m - w->have);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		w->finished = true;
		return;
	}
	w->have += (size_t)n;
	if (w->have < sizeof w->m)
		return;
	w->have = 0;
	switch (w->m.kind) {
	case MSG_FAILURE: pending_add(q, &w->m.f); break;
	case MSG_DONE: w->done = w->m.done; break;
	case MSG_FINAL: w->done = w->m.done; break;
	case MSG_ERROR: (*errors)++; break;
	default: break;
	}
}

/* The lowest seed a live worker has not finished (UINT64_MAX: none). */
static uint64_t lowest_open(const struct xp_explore_cfg *cfg, const struct worker *ws)
{
	uint64_t low = UINT64_MAX;
	for (int k = 0; k < cfg->jobs; k++) {
		uint64_t next = cfg->first + (uint64_t)k + ws[k].done * (uint64_t)cfg->jobs;
		if (!ws[k].finished && next < low)
			low = next;
	}
	return low;
}

/* Wait for worker k; -1 when it died instead of exiting (a crash, a signal,
 * a resource limit), with the seed it was running named on stderr: its
 * share of the seeds after that one was never explored. */
static int reap_worker(const struct xp_explore_cfg *cfg, const struct worker *w, int k)
{
	int status;
	if (waitpid(w->pid, &status, 0) != w->pid)
		return -1;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2))
		return 0; /* 2: it reported its error itself */
	uint64_t seed = cfg->first + (uint64_t)k + w->done * (uint64_t)cfg->jobs;
	char how[64];
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof how, "exit %d", WEXITSTATUS(status));
	fprintf(stderr, "rollcall explore: worker %d died (%s) while running seed %" PRIu64 "; its seeds from there on "
		"were not explored (run that seed alone: --seeds %" PRIu64 " --jobs 1)\n", k + 1, how, seed, seed);
	return -1;
}

static int run_workers(const struct xp_explore_cfg *cfg, struct local *l)
{
	int n = cfg->jobs;
	struct worker *ws = xp_alloc((size_t)n * sizeof *ws);
	struct pollfd *pf = xp_alloc((size_t)n * sizeof *pf);
	struct pending q = { 0 };
	q.cutoff = mmap(NULL, sizeof *q.cutoff, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (q.cutoff == MAP_FAILED)
		abort();
	*q.cutoff = UINT64_MAX;
	int errors = 0, started = 0;
	for (int k = 0; k < n; k++) {
		start_worker(cfg, &ws[k], k, l->t0, q.cutoff);
		started += ws[k].pid > 0;
		if (ws[k].pid <= 0)
			ws[k].finished = true;
	}
	for (;;) {
		int live = 0;
		for (int k = 0; k < n; k++) {
			pf[k].fd = ws[k].finished ? -1 : ws[k].fd;
			pf[k].events = POLLIN;
			pf[k].revents = 0;
			live += !ws[k].finished;
		}
		if (!live)
			break;
		if (poll(pf, (nfds_t)n, 200) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < n; k++)
			if (pf[k].revents)
				drain_worker(&ws[k], &q, &errors);
		release(&q, l, cfg->max_failures, lowest_open(cfg, ws));
		uint64_t done = 0;
		for (int k = 0; k < n; k++)
			done += ws[k].done;
		local_done(l, done, false);
	}
	release(&q, l, cfg->max_failures, UINT64_MAX);
	for (int k = 0; k < n; k++) {
		if (ws[k].fd >= 0)
			close(ws[k].fd);
		if (ws[k].pid > 0 && reap_worker(cfg, &ws[k], k) != 0)
			errors++;
	}
	free(q.f);
	munmap(q.cutoff, sizeof *q.cutoff);
	free(ws);
	free(pf);
	if (started < n) {
		fprintf(stderr, "rollcall explore: could only start %d of %d workers: %s\n", started, n, strerror(errno));
		return -1;
	}
	return errors ? -1 : 0;
}

int xp_explore_run(const struct xp_explore_cfg *cfg, const struct xp_explore_ui *ui, struct xp_explore_progress *p)
{
	memset(p, 0, sizeof *p);
	p->total = cfg->last - cfg->first + 1;
	char err[600];
	if (rc_file_mkdirs(cfg->out_dir, err, sizeof err) != 0) {
		fprintf(stderr, "rollcall explore: --out: %s\n", err);
		return -1;
	}
	struct local l = { ui, p, now_s() };
	int rc;
	if (cfg->jobs <= 1) {
		struct sink out = { &l, local_failure, local_done, NULL };
		rc = explore_range(cfg, cfg->first, 1, l.t0, &out);
	} else {
		rc = run_workers(cfg, &l);
	}
	p->wall_s = now_s() - l.t0;
	/* every worker stops at the first seed it ends past the budget (they
	 * share t0), and this process waited for each */
	p->budget_spent = cfg->budget_s > 0 && p->wall_s >= cfg->budget_s && p->done < p->total &&
			  !(cfg->max_failures && p->failures >= cfg->max_failures);
	return rc;
}
