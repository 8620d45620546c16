/*
 * cmd_shrink.c - `rollcall shrink FILE -o min.scn`: the smallest scenario
 * that still fails the same way.
 *
 * FILE is a scenario or an explore trace (whose first line holds the
 * scenario and the seed). The seed is the trace's, --seed, the file's
 * `@seed`, or the first seed of its range that fails. The result is a
 * scenario file with a comment saying where it comes from and how it fails;
 * shrinking is deterministic (same input, same output). Exit 0 written,
 * 1 the input fails with --reference too, 2 bad usage or bad input (an input
 * that passes is one: there is nothing to shrink), or OUT could not be
 * written at the end (the result is then printed on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scenario_load.h"
#include "scn.h"
#include "xp_buf.h"
#include "xp_run.h"
#include "xp_script.h"
#include "xp_shrink.h"

static const char shrink_usage[] =
	"usage: rollcall shrink FILE -o OUT [--seed N] [--reference BIN] [--max-runs N] [--verbose]\n"
	"Removes runners, tasks, faults, actions, words and time from a failing scenario\n"
	"while it still fails the same way (the same invariant, or the same expectation),\n"
	"and writes the result as a scenario file.\n"
	"  FILE          a scenario (.scn) or a trace written by rollcall explore (.jsonl)\n"
	"  -o OUT        where to write the shrunk scenario\n"
	"  --seed N      the failing seed (default: the trace's, the file's @seed, or the\n"
	"                first failing seed of the file's range; a file's @seed wins, and\n"
	"                another --seed is refused)\n"
	"  --reference BIN  keep only scenarios that the rollcall program BIN (a good\n"
	"                build) passes: the result then tells this build from that one\n"
	"  --max-runs N  candidate runs at most, 1 to 10000000 (default 4000)\n"
	"  --verbose     print the size after each pass\n"
	"Exit: 0 written, 1 the input fails with --reference too, 2 bad usage or bad\n"
	"input (a scenario that passes: nothing to shrink), or OUT could not be written\n"
	"at the end (the shrunk scenario is then printed on stderr, after the error).\n";

struct shrink_opts {
	const char *in, *out;
	const char *reference;
	bool have_seed, verbose;
	uint64_t seed;
	int max_runs;
};

/* Start `argv[0] ARGS...` with stdin and stderr on /dev/null and stdout on
 * out_fd (-1: /dev/null as well): the reference build is asked questions,
 * its chatter is not ours. Returns its pid, or -1. */
static pid_t spawn_reference(char *const argv[], int out_fd)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDERR_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	execv(argv[0], argv);
	_exit(127);
}

/* The first line `BIN --version` prints, waiting at most 10 s for it; ""
 * when there is none. */
static void version_line(const char *bin, char *line, size_t cap)
{
	line[0] = '\0';
	int fds[2];
	if (pipe(fds) != 0)
		return;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC); /* the child's stdout is a dup2, without the flag */
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	char *argv[] = { (char *)bin, "--version", NULL };
	pid_t pid = spawn_reference(argv, fds[1]);
	close(fds[1]);
	size_t used = 0;
	struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
	while (pid > 0 && used + 1 < cap && !memchr(line, '\n', used) && poll(&pfd, 1, 10000) == 1) {
		ssize_t n = read(fds[0], line + used, cap - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		line[used] = '\0';
	}
	close(fds[0]);
	if (pid > 0) {
		kill(pid, SIGKILL); /* done with it, whether it finished or hangs */
		waitpid(pid, NULL, 0);
	}
	line[strcspn(line, "\n")] = '\0';
}

/* --reference must name a rollcall we can run: otherwise every candidate
 * "fails on the reference too" (a missing path) or "passes on it" (/bin/true),
 * and the result says nothing about the two builds. */
static int check_reference(const char *bin)
{
	struct stat st;
	if (stat(bin, &st) != 0)
		return rc_cli_usage_error("shrink", "--reference %s: %s", bin, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(bin, X_OK) != 0)
		return rc_cli_usage_error("shrink", "--reference %s: not an executable program", bin);
	char line[256];
	version_line(bin, line, sizeof line);
	if (strncmp(line, "rollcall ", 9) != 0)
		return rc_cli_usage_error("shrink", "--reference %s: not a rollcall (its --version printed '%s', not "
						    "'rollcall BUILD')", bin, line);
	return 0;
}

static int parse_args(int argc, char **argv, struct shrink_opts *o)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' }, { "max-runs", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },    { "help", no_argument, NULL, 'h' },
		{ "reference", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 's':
			if (rc_cli_parse_seed("shrink", optarg, &o->seed) != 0)
				return RC_EXIT_USAGE;
			o->have_seed = true;
			break;
		case 'm':
			if (rc_cli_parse_int("shrink", "--max-runs", optarg, 1, 10000000, &o->max_runs) != 0)
				return RC_EXIT_USAGE;
			break;
		case 'v': o->verbose = true; break;
		case 'r': o->reference = optarg; break;
		case 'h': fputs(shrink_usage, stdout); return -1;
		default:
			fputs(shrink_usage, stderr);
			return rc_cli_usage_error("shrink", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || !o->out) {
		fputs(shrink_usage, stderr);
		return rc_cli_usage_error("shrink", "give one FILE and -o OUT");
	}
	o->in = argv[optind];
	if (rc_cli_claim_output_file("shrink", "-o", &o->out) != RC_EXIT_OK)
		return RC_EXIT_USAGE; /* before minutes of shrinking, not after */
	return o->reference ? check_reference(o->reference) : 0;
}

/* The script and seed of the input. Returns 0 or an exit code. */
static int load_input(const struct shrink_opts *o, struct xp_script *s, uint64_t *seed, bool *seed_known)
{
	char err[600];
	char *text;
	*seed_known = o->have_seed;
	*seed = o->seed;
	if (xp_is_trace_path(o->in)) {
		struct xp_recipe rc;
		if (xp_recipe_read(o->in, &rc, err, sizeof err) != 0)
			return rc_cli_usage_error("shrink", "%s", err);
		text = xp_strdup(rc.scenario);
		if (!o->have_seed)
			*seed = rc.seed;
		*seed_known = true;
		xp_recipe_free(&rc);
	} else {
		size_t len;
		if (rc_check_scenario_file(o->in, "shrink") != RC_EXIT_OK)
			return RC_EXIT_USAGE;
		if (!(text = scn_read_file(o->in, &len)))
			return rc_cli_usage_error("shrink", "%s: %s", o->in, strerror(errno));
	}
	int rc = xp_script_parse(text, s, err, sizeof err);
	free(text);
	if (rc != 0)
		return rc_cli_usage_error("shrink", "%s: %s", o->in, err);
	if (s->pinned) {
		uint64_t given = *seed;
		if (xp_script_seed(s, o->have_seed, given, seed) != 0)
			return rc_cli_pinned_seed_error("shrink", o->in, *seed);
		*seed_known = true;
	}
	return 0;
}

/* The first seed of the file's range (1-100 by default) that fails. */
static bool find_failing_seed(const struct xp_script *s, const char *path, uint64_t *seed)
{
	uint64_t a = s->has_seeds ? s->seed_first : 1, b = s->has_seeds ? s->seed_last : 100;
	char *text = xp_script_format(s, NULL);
	bool found = false;
	for (uint64_t k = a; !found; k++) {
		struct xp_result r;
		if (xp_run_text(text, path, k, NULL, &r) == XP_FAIL) {
			*seed = k;
			found = true;
		}
		if (k == b)
			break;
	}
	free(text);
	return found;
}

static char *comment(const struct shrink_opts *o, uint64_t seed, const struct xp_result *r,
		     const struct xp_shrink_stats *st, double wall_s)
{
	struct xp_buf b = { 0 };
	char when[32];
	xp_buf_printf(&b, "Shrunk by rollcall shrink from %s (seed %" PRIu64 "): %zu -> %zu statements,\n", o->in,
		      seed, st->statements_before, st->statements_after);
	xp_buf_printf(&b, "%d candidate runs in %.1f s%s.\n", st->runs, wall_s,
		      st->hit_limit ? " (stopped at --max-runs)" : "");
	xp_buf_printf(&b, "Fails at %s: %s\n  %s", scn_format_duration(r->out.fail_at_ms, when, sizeof when),
		      r->out.what, r->out.why);
	if (strcmp(r->out.what, "invariant liveness") == 0)
		xp_buf_printf(&b, "\nThe faults end with `heal all` (and the starts and resumes they need);\n"
				  "`expect liveness` then gives the system the same bound as the original.");
	return xp_buf_take(&b);
}

/* Whether the program `bin` passes the scenario text with seed: it is
 * written to a temporary file and run as `bin run --seeds SEED FILE`. */
static bool reference_passes(void *ctx, const char *text, uint64_t seed)
{
	const char *bin = ctx;
	char path[] = "/tmp/rollcall-shrink-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	size_t len = strlen(text);
	bool wrote = write(fd, text, len) == (ssize_t)len;
	close(fd);
	char seeds[32];
	snprintf(seeds, sizeof seeds, "%" PRIu64, seed);
	char *argv[] = { (char *)bin, "run", "--seeds", seeds, path, NULL };
	pid_t pid = wrote ? spawn_reference(argv, -1) : -1;
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	unlink(path);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write the result to -o; when that fails at the end (the disk filled, a
 * FIFO lost its reader), the result - up to half a minute of work - goes to
 * stderr after the error, to be copied from there. */
static int write_result(const struct shrink_opts *o, const struct xp_script *s, const char *note)
{
	char *text = xp_script_format(s, note);
	int rc = xp_write_file(o->out, text, strlen(text));
	if (rc != 0) {
		rc = rc_cli_write_error("shrink", "-o", o->out);
		fprintf(stderr, "rollcall shrink: the shrunk scenario, which -o did not get:\n%s", text);
	}
	free(text);
	return rc;
}

/* A scenario that passes is no input for shrink: it says so, exit 2. */
static int nothing_to_shrink(const char *in, const char *seeds)
{
	return rc_cli_usage_error("shrink", "%s passes with %s: nothing to shrink (shrink takes a scenario that fails)",
				  in, seeds);
}

int rc_cmd_shrink(int argc, char **argv)
{
	struct shrink_opts o = { 0 };
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? RC_EXIT_OK : rc;
	struct xp_script in;
	uint64_t seed;
	bool known;
	if ((rc = load_input(&o, &in, &seed, &known)) != 0)
		return rc;
	if (!known && !find_failing_seed(&in, o.in, &seed)) {
		xp_script_free(&in);
		return nothing_to_shrink(o.in, "every seed of its range");
	}
	struct xp_shrink_cfg cfg = { .seed = seed, .max_runs = o.max_runs, .log = o.verbose ? stdout : NULL };
	if (o.reference) {
		cfg.also = reference_passes;
		cfg.also_ctx = (void *)o.reference;
	}
	struct xp_script out;
	struct xp_result final;
	struct xp_shrink_stats st;
	double t0 = now_s();
	rc = xp_shrink(&in, &cfg, &out, &final, &st);
	double wall = now_s() - t0;
	xp_script_free(&in);
	if (rc == -2) {
		printf("shrink: %s fails with seed %" PRIu64 " on %s too: nothing tells the two apart\n", o.in, seed,
		       o.reference);
		return RC_EXIT_FAIL;
	}
	if (rc != 0) {
		if (final.status == XP_BAD_INPUT)
			return rc_cli_usage_error("shrink", "%s: %s", o.in, final.diag);
		char seeds[40];
		snprintf(seeds, sizeof seeds, "seed %" PRIu64, seed);
		return nothing_to_shrink(o.in, seeds);
	}
	char *note = comment(&o, seed, &final, &st, wall);
	rc = write_result(&o, &out, note);
	free(note);
	if (rc == 0) {
		char when[32];
		/* a result cut short by the cap may shrink further: say so where
		 * it is read, not only in the file's comment */
		printf("shrink: %zu -> %zu statements in %d runs%s, %.1f s; still fails: %s at %s\n",
		       st.statements_before, st.statements_after, st.runs,
		       st.hit_limit ? " (stopped at --max-runs)" : "", wall, final.out.what,
		       scn_format_duration(final.out.fail_at_ms, when, sizeof when));
		printf("shrink: wrote %s\n", rc_cli_output_name(o.out));
	}
	xp_script_free(&out);
	return rc;
}
