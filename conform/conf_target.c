/*
 * conf_target.c - launching, stopping and clocking the target (conf_target.h).
 *
 * A launched target runs in its own process group (so a wrapper and the
 * daemons it starts are stopped together) with stdin from /dev/null and its
 * output in files of its scratch folder: conform never blocks on a pipe the
 * target stopped reading. Every wait is bounded.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "conf_target.h"

#include "rc_file.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf_elf.h"

#define BASE_CLOCK "2026-01-10 00:00:00.000" /* a January day: no time zone changes its offset */
#define MAX_ARGS 64
#define POLL_NS 3000000L                      /* 3 ms between looks at a starting target */

struct conf_target {
	enum conf_target_mode mode;
	struct conf_target_options o;
	char url[256];
	char clock_path[4096];
	int64_t clock_ms;
	bool clock_written;
	char root[3000];  /* launched: the session's scratch folder */
	char dir[3500];   /* launched: the current scratch folder */
	int n_dirs;
	char secret[300];
	pid_t pid;        /* 0: not running */
	pid_t parent;     /* conform, as the target saw it at its start */
	int status;       /* its wait status once it exited by itself */
};

/* The process group of the launched target, for the signal handler: a
 * target in its own group does not get the terminal's Ctrl-C, so conform
 * takes it down itself when it is interrupted, its output pipe closes
 * (SIGPIPE) or it dies of a fault, and removes the session's scratch folder
 * (unless --keep). Starting a target blocks these signals until its group is
 * recorded, so none can come between the fork and the record. */
static volatile sig_atomic_t running_group;
static char scratch_root[3000]; /* "" with --keep */
static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE };
#define N_CAUGHT (sizeof caught_signals / sizeof caught_signals[0])

/* rm -rf the scratch folder; only async-signal-safe calls. */
static void remove_scratch_now(void)
{
	if (!scratch_root[0])
		return;
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", "--", scratch_root, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void on_interrupt(int sig)
{
	pid_t group = (pid_t)running_group;
	if (group > 0) {
		kill(-group, SIGKILL);
		while (waitpid(group, NULL, 0) < 0 && errno == EINTR)
			;
	}
	remove_scratch_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void caught_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaddset(set, caught_signals[i]);
}

static void catch_interrupts(const char *root, bool keep)
{
	snprintf(scratch_root, sizeof scratch_root, "%s", keep ? "" : root);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	caught_set(&sa.sa_mask);
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaction(caught_signals[i], &sa, NULL);
}

/* In a child about to exec: conform's handlers and blocked signals are not
 * the target's. */
static void default_signals(void)
{
	sigset_t none;
	for (size_t i = 0; i < N_CAUGHT; i++)
		signal(caught_signals[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_briefly(void)
{
	struct timespec ts = { 0, POLL_NS };
	nanosleep(&ts, NULL);
}

/* --- the clock ------------------------------------------------------------------ */

int conf_parse_clock(const char *text, int64_t *out_ms)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int ms = 0, used = 0;
	while (*text == ' ' || *text == '\t')
		text++;
	if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &used) != 6)
		return -1;
	const char *rest = text + used;
	if (*rest == '.') {
		int digits = 0;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*rest - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	while (*rest == ' ' || *rest == '\t' || *rest == '\n' || *rest == '\r')
		rest++;
	if (*rest || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t secs = timegm(&tm);
	if (secs == (time_t)-1)
		return -1;
	*out_ms = (int64_t)secs * 1000 + ms;
	return 0;
}

void conf_format_clock(int64_t ms, char *buf, size_t n)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char date[40];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03d", date, (int)(ms % 1000));
}

/* The clock file is replaced whole while the target runs (libfaketime reads
 * it at any moment, so it must never see it half-written); a scratch file,
 * so not fsync'ed. */
static int write_clock(struct conf_target *t, int64_t ms, char *err, size_t err_cap)
{
	char text[64];
	conf_format_clock(ms, text, sizeof text);
	size_t len = strlen(text);
	text[len++] = '\n';
	if (rc_file_replace(t->clock_path, text, len, 0644, RC_FILE_NO_SYNC, NULL, 0) != 0) {
		snprintf(err, err_cap, "cannot write the clock file %s: %s", t->clock_path, strerror(errno));
		return -1;
	}
	t->clock_ms = ms;
	t->clock_written = true;
	return 0;
}

int64_t conf_target_clock(const struct conf_target *t)
{
	return t->clock_ms;
}

int conf_target_set_clock(struct conf_target *t, int64_t clock_ms, char *err, size_t err_cap)
{
	if (t->mode == CONF_TARGET_NO_CLOCK || (t->clock_written && clock_ms == t->clock_ms))
		return 0;
	if (clock_ms < t->clock_ms) {
		snprintf(err, err_cap, "the target's clock would go back");
		return -1;
	}
	return write_clock(t, clock_ms, err, err_cap);
}

/* --- setup ------------------------------------------------------------------------ */

static int read_clock_file(struct conf_target *t, char *err, size_t err_cap)
{
	char buf[128] = "";
	FILE *f = fopen(t->clock_path, "r");
	if (!f || !fgets(buf, sizeof buf, f)) {
		snprintf(err, err_cap, "cannot read the clock file %s: %s", t->clock_path, f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	if (conf_parse_clock(buf, &t->clock_ms) != 0) {
		snprintf(err, err_cap,
			 "the clock file %s must hold an absolute time such as \"" BASE_CLOCK "\" (a frozen libfaketime "
			 "clock; start the target after writing it), not \"%.40s\"",
			 t->clock_path, buf);
		return -1;
	}
	t->clock_written = true;
	return 0;
}

static void set_url(struct conf_target *t, const char *url)
{
	snprintf(t->url, sizeof t->url, "%s", url);
	size_t n = strlen(t->url);
	while (n > 0 && t->url[n - 1] == '/')
		t->url[--n] = '\0';
}

static int split_command(const char *cmd, char *store, size_t cap, char **words, char *err, size_t err_cap);

/* A statically linked program would ignore LD_PRELOAD and run on the real
 * clock (conf_elf.h): refused before anything runs, as a missing
 * libfaketime is. Only the program the command names is looked at; one it
 * starts in turn is not. */
static bool refuse_static(const char *program, char *err, size_t err_cap)
{
	char path[4096];
	if (!conf_exe_find(program, path, sizeof path) || conf_exe_kind(path) != CONF_EXE_STATIC)
		return false; /* not found: exec says so when the target starts */
	snprintf(err, err_cap, "%s is statically linked, so libfaketime (LD_PRELOAD) cannot move its clock and "
		 "every timing would be real time; link it dynamically, or start it yourself and give --target URL "
		 "(scenarios whose timers matter are then skipped)", path);
	return true;
}

struct conf_target *conf_target_new(const struct conf_target_options *o, char *err, size_t err_cap)
{
	struct conf_target *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->o = *o;
	if (o->url)
		set_url(t, o->url);
	if (o->launch) {
		t->mode = CONF_TARGET_LAUNCHED;
		char store[8192], *words[MAX_ARGS + 8];
		if (split_command(o->launch, store, sizeof store, words, err, err_cap) <= 0) {
			free(t); /* bad usage, said before any scenario starts */
			return NULL;
		}
		if (access(o->faketime_lib, R_OK) != 0) {
			snprintf(err, err_cap, "libfaketime not found at %s (Debian package libfaketime)", o->faketime_lib);
			free(t);
			return NULL;
		}
		if (refuse_static(words[0], err, err_cap)) {
			free(t);
			return NULL;
		}
		snprintf(t->root, sizeof t->root, "%s/rollcall-conform-XXXXXX", o->work_dir);
		if (!mkdtemp(t->root)) {
			snprintf(err, err_cap, "cannot create a scratch folder in %s: %s", o->work_dir, strerror(errno));
			free(t);
			return NULL;
		}
		snprintf(t->clock_path, sizeof t->clock_path, "%s/clock", t->root);
		conf_parse_clock(BASE_CLOCK, &t->clock_ms);
		catch_interrupts(t->root, o->keep);
	} else if (o->clock_file) {
		t->mode = CONF_TARGET_CLOCK_FILE;
		/* a symbolic link is followed: the rename of each write replaces
		 * the file the target reads, not the link */
		char *real = realpath(o->clock_file, NULL);
		snprintf(t->clock_path, sizeof t->clock_path, "%s", real ? real : o->clock_file);
		free(real);
		if (read_clock_file(t, err, err_cap) != 0) {
			free(t);
			return NULL;
		}
	} else {
		t->mode = CONF_TARGET_NO_CLOCK;
	}
	return t;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* The session's scratch folder (ours: mkdtemp) and everything the targets
 * wrote in it, depth first. */
static void remove_tree(const char *path)
{
	if (path[0] && nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "rollcall conform: could not remove %s: %s\n", path, strerror(errno));
}

void conf_target_free(struct conf_target *t)
{
	if (!t)
		return;
	conf_target_stop(t);
	if (t->mode == CONF_TARGET_LAUNCHED && !t->o.keep) {
		remove_tree(t->root);
		scratch_root[0] = '\0';
	}
	free(t);
}

enum conf_target_mode conf_target_mode(const struct conf_target *t)
{
	return t->mode;
}

const char *conf_target_url(const struct conf_target *t)
{
	return t->url[0] ? t->url : NULL;
}

const char *conf_target_secret(const struct conf_target *t)
{
	return t->secret;
}

/* The scratch folder's secret file ({secret_file}) now holds secret:
 * replaced whole, as a target told to rotate its secret may read it at once. */
static int write_secret(struct conf_target *t, const char *secret)
{
	char path[4400], text[320];
	snprintf(path, sizeof path, "%s/secret", t->dir);
	snprintf(text, sizeof text, "%s\n", secret);
	if (rc_file_replace(path, text, strlen(text), 0600, RC_FILE_NO_SYNC, NULL, 0) != 0)
		return -1;
	snprintf(t->secret, sizeof t->secret, "%s", secret);
	return 0;
}

int conf_target_fresh(struct conf_target *t, const char *name, const char *secret, char *err, size_t err_cap)
{
	conf_target_stop(t);
	snprintf(t->dir, sizeof t->dir, "%s/%02d-%.60s", t->root, ++t->n_dirs, name);
	if (mkdir(t->dir, 0700) != 0 || write_secret(t, secret) != 0) {
		snprintf(err, err_cap, "cannot prepare %s: %s", t->dir, strerror(errno));
		return -1;
	}
	return 0;
}

int conf_target_rotate_secret(struct conf_target *t, const char *secret, conf_applied_fn applied, void *ctx, char *err,
			      size_t err_cap)
{
	if (t->mode != CONF_TARGET_LAUNCHED) {
		snprintf(err, err_cap, "only a target conform launched can be told to rotate its secret");
		return -1;
	}
	if (write_secret(t, secret) != 0) {
		snprintf(err, err_cap, "cannot rewrite %s/secret: %s", t->dir, strerror(errno));
		return -1;
	}
	if (t->pid <= 0)
		return 0;
	if (kill(t->pid, SIGHUP) != 0) {
		snprintf(err, err_cap, "cannot send SIGHUP to the target (pid %d): %s", (int)t->pid, strerror(errno));
		return -1;
	}
	int64_t deadline = mono_ms() + t->o.launch_timeout_ms;
	for (;;) {
		int got = applied(ctx);
		if (got > 0)
			return 0;
		if (got < 0) {
			if (err_cap)
				err[0] = '\0';
			return -1;
		}
		if (mono_ms() >= deadline) {
			snprintf(err, err_cap, "the target did not take the new secret within %lld ms of SIGHUP",
				 (long long)t->o.launch_timeout_ms);
			return -1;
		}
		pause_briefly();
	}
}

/* --- the command line --------------------------------------------------------------- */

/* Split cmd into words: spaces separate, 'single' and "double" quotes keep
 * spaces. Words are written into store. Returns the count, -1 if malformed. */
static int split_words(const char *cmd, char *store, size_t cap, char **words, int max)
{
	int n = 0;
	size_t used = 0;
	const char *c = cmd;
	for (;;) {
		while (*c == ' ' || *c == '\t')
			c++;
		if (!*c)
			return n;
		if (n == max)
			return -1;
		words[n++] = store + used;
		char quote = 0;
		for (; *c && (quote || (*c != ' ' && *c != '\t')); c++) {
			if (!quote && (*c == '\'' || *c == '"')) {
				quote = *c;
			} else if (quote && *c == quote) {
				quote = 0;
			} else {
				if (used + 2 > cap)
					return -1;
				store[used++] = *c;
			}
		}
		if (quote)
			return -1;
		store[used++] = '\0';
	}
}

/* split_words with the message the user sees: the count, or 0 or -1 with
 * err filled. */
static int split_command(const char *cmd, char *store, size_t cap, char **words, char *err, size_t err_cap)
{
	int n = split_words(cmd, store, cap, words, MAX_ARGS);
	if (n <= 0)
		snprintf(err, err_cap, "--launch: cannot split the command (empty, unbalanced quotes or over %d words)",
			 MAX_ARGS);
	return n;
}

/* Replace every {name} of the table in word (into out). */
static void substitute(const char *word, const char *const names[][2], int n_names, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *c = word; *c && used + 1 < cap;) {
		int k = 0;
		while (k < n_names && strncmp(c, names[k][0], strlen(names[k][0])) != 0)
			k++;
		if (k < n_names) {
			used += (size_t)snprintf(out + used, cap - used, "%s", names[k][1]);
			c += strlen(names[k][0]);
		} else {
			out[used++] = *c++;
			out[used] = '\0';
		}
	}
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

struct argv_buf {
	char words_store[8192];
	char subst_store[MAX_ARGS + 8][4400];
	char *argv[MAX_ARGS + 8];
	bool uses_port;
};

/* Build argv from the launch command: placeholders filled; with none of
 * {port}, {secret_file} or {db} the coordd-style options are appended. */
static int build_argv(struct conf_target *t, struct argv_buf *b, char *err, size_t err_cap)
{
	char *words[MAX_ARGS + 8];
	int n = split_command(t->o.launch, b->words_store, sizeof b->words_store, words, err, err_cap);
	if (n <= 0)
		return -1;
	bool any = strstr(t->o.launch, "{port}") || strstr(t->o.launch, "{secret_file}") || strstr(t->o.launch, "{db}");
	if (!any) {
		static char *defaults[] = { "--listen", "127.0.0.1:0", "--secret-file", "{secret_file}", "--db", "{db}" };
		for (size_t i = 0; i < 6; i++)
			words[n++] = defaults[i];
	}
	b->uses_port = strstr(t->o.launch, "{port}") != NULL;
	char port[16] = "", secret_file[4400], db[4400];
	if (b->uses_port) {
		int p = free_port();
		if (p < 0) {
			snprintf(err, err_cap, "--launch: no free port on 127.0.0.1");
			return -1;
		}
		snprintf(port, sizeof port, "%d", p);
		char url[64];
		snprintf(url, sizeof url, "http://127.0.0.1:%d", p);
		set_url(t, url);
	}
	snprintf(secret_file, sizeof secret_file, "%s/secret", t->dir);
	snprintf(db, sizeof db, "%s/coordd.db", t->dir);
	const char *const names[][2] = { { "{port}", port }, { "{secret_file}", secret_file }, { "{db}", db },
					 { "{dir}", t->dir } };
	for (int i = 0; i < n; i++) {
		substitute(words[i], names, 4, b->subst_store[i], sizeof b->subst_store[i]);
		b->argv[i] = b->subst_store[i];
	}
	b->argv[n] = NULL;
	return 0;
}

static void child_exec(struct conf_target *t, char **argv)
{
	char out[4400], log[4400], preload[4400];
	snprintf(out, sizeof out, "%s/stdout.log", t->dir);
	snprintf(log, sizeof log, "%s/stderr.log", t->dir);
	setpgid(0, 0);
	/* conform killed outright (SIGKILL, the OOM killer) runs no handler:
	 * the kernel then stops the target. If conform died before this line,
	 * the target has been re-parented already; it must not start. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != t->parent)
		_exit(125);
	int in = open("/dev/null", O_RDONLY);
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
		_exit(126);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	const char *old = getenv("LD_PRELOAD");
	snprintf(preload, sizeof preload, "%s%s%s", t->o.faketime_lib, old && old[0] ? ":" : "", old ? old : "");
	setenv("LD_PRELOAD", preload, 1);
	setenv("FAKETIME_TIMESTAMP_FILE", t->clock_path, 1);
	setenv("FAKETIME_NO_CACHE", "1", 1);
	setenv("TZ", "UTC", 1);
	unsetenv("FAKETIME"); /* it would override the file */
	default_signals();
	execvp(argv[0], argv);
	fprintf(stderr, "rollcall conform: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* "listening on HOST:PORT" in the target's stdout: the URL. */
static bool read_listening(struct conf_target *t)
{
	char path[4400], line[512];
	snprintf(path, sizeof path, "%s/stdout.log", t->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		char host[128];
		int port;
		const char *at = strstr(line, "listening on ");
		if (at && sscanf(at, "listening on %127[^:]:%d", host, &port) == 2 && port > 0 && port < 65536) {
			char url[200];
			snprintf(url, sizeof url, "http://%s:%d", host, port);
			set_url(t, url);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The dynamic loader's complaint, in the target's stderr, that it could not
 * preload libfaketime (not a library, wrong architecture): the target then
 * runs on the real clock, and every verdict on its timers would be wrong. */
static bool preload_refused(const struct conf_target *t, char *line, size_t cap)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/stderr.log", t->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool found = false;
	while (!found && fgets(line, (int)cap, f))
		found = strstr(line, "LD_PRELOAD cannot be preloaded") != NULL;
	fclose(f);
	line[found ? strcspn(line, "\n") : 0] = '\0';
	return found;
}

static void describe_status(int status, char *why, size_t n)
{
	if (WIFEXITED(status))
		snprintf(why, n, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, n, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(why, n, "stopped");
}

bool conf_target_running(struct conf_target *t, char *why, size_t why_cap)
{
	if (t->pid <= 0) {
		if (why)
			describe_status(t->status, why, why_cap);
		return false;
	}
	int status;
	pid_t r = waitpid(t->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	kill(-t->pid, SIGKILL); /* whatever it started in its group goes too */
	running_group = 0;
	t->pid = 0;
	t->status = status;
	if (why)
		describe_status(status, why, why_cap);
	return false;
}

/* How one launch ended. */
enum launch_result {
	LAUNCH_READY,
	LAUNCH_FAILED,
	/* {port} was taken between conform picking it and the target binding
	 * it (another program won the race): worth a launch on another port */
	LAUNCH_PORT_TAKEN,
};
#define PORT_RETRIES 3

/* Fork the target with argv; records its process group. Returns 0, or -1
 * with err filled. */
static int fork_target(struct conf_target *t, char **argv, char *err, size_t err_cap)
{
	char out[4400];
	snprintf(out, sizeof out, "%s/stdout.log", t->dir);
	unlink(out); /* a "listening on" line of an earlier run must not be read */
	fflush(NULL);
	sigset_t caught, old;
	caught_set(&caught);
	sigprocmask(SIG_BLOCK, &caught, &old);
	t->parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child_exec(t, argv);
	if (pid > 0) {
		setpgid(pid, pid);
		t->pid = pid;
		running_group = pid;
	}
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		snprintf(err, err_cap, "cannot fork: %s", strerror(fork_errno));
		return -1;
	}
	return 0;
}

/* Wait, bounded by --launch-timeout, until the started target answers
 * ready; a target that exits first, answers wrongly or runs without
 * libfaketime is a failure (and is stopped). */
static enum launch_result wait_ready(struct conf_target *t, const struct argv_buf *b, conf_ready_fn ready, void *ctx,
				     char *err, size_t err_cap)
{
	int64_t deadline = mono_ms() + t->o.launch_timeout_ms;
	char why[96], tail[600], answer[600], refusal[600];
	for (;; pause_briefly()) {
		if (!conf_target_running(t, why, sizeof why)) {
			conf_target_log_tail(t, tail, sizeof tail);
			snprintf(err, err_cap, "the target %s before it was ready (%s)%s%s", why, b->argv[0],
				 tail[0] ? "; its last words:\n" : "", tail);
			/* strerror(EADDRINUSE), as most programs print it */
			return b->uses_port && strstr(tail, "in use") ? LAUNCH_PORT_TAKEN : LAUNCH_FAILED;
		}
		int state = t->url[0] || read_listening(t) ? ready(ctx, t->url, answer, sizeof answer) : 0;
		/* the loader's own words first: they say why the clock is real */
		if (state != 0 && preload_refused(t, refusal, sizeof refusal)) {
			snprintf(err, err_cap, "the target runs without libfaketime (--faketime-lib %s), so its clock "
				 "cannot be moved: %s", t->o.faketime_lib, refusal);
			break;
		}
		if (state > 0)
			return LAUNCH_READY;
		if (state < 0) {
			snprintf(err, err_cap, "the target %s", answer);
			break;
		}
		if (mono_ms() > deadline) {
			snprintf(err, err_cap, "the target was not ready within %lld ms (%s)", (long long)t->o.launch_timeout_ms,
				 t->url[0] ? "its health check never answered 200"
					   : b->uses_port ? "nothing answered on its port"
							  : "it never printed \"listening on HOST:PORT\" on stdout");
			break;
		}
	}
	conf_target_crash(t);
	return LAUNCH_FAILED;
}

/* Build the command into b (a new {port} each time; build_argv sets every
 * field it is read by), check nothing answers where
 * the target will listen, start it and wait until it is ready. */
static enum launch_result launch_once(struct conf_target *t, struct argv_buf *b, conf_ready_fn ready, void *ctx,
				      char *err, size_t err_cap)
{
	if (!strstr(t->o.launch, "{port}") && !t->o.url)
		t->url[0] = '\0'; /* a new process, a new port: read it again */
	if (build_argv(t, b, err, err_cap) != 0)
		return LAUNCH_FAILED;
	char answer[600];
	if (t->url[0] && ready(ctx, t->url, answer, sizeof answer) != 0) {
		/* it would fail to listen, and conform would judge whatever answers there */
		snprintf(err, err_cap, "something already answers at %s before the target starts: is its port in use?",
			 t->url);
		return b->uses_port ? LAUNCH_PORT_TAKEN : LAUNCH_FAILED;
	}
	if (fork_target(t, b->argv, err, err_cap) != 0)
		return LAUNCH_FAILED;
	return wait_ready(t, b, ready, ctx, err, err_cap);
}

int conf_target_start(struct conf_target *t, int64_t clock_ms, conf_ready_fn ready, void *ctx, char *err,
		      size_t err_cap)
{
	if (t->mode != CONF_TARGET_LAUNCHED || t->pid > 0 || !t->dir[0]) {
		snprintf(err, err_cap, "cannot start the target (not launched by conform, or already running)");
		return -1;
	}
	if ((!t->clock_written || clock_ms > t->clock_ms) && write_clock(t, clock_ms, err, err_cap) != 0)
		return -1;
	struct argv_buf *b = malloc(sizeof *b);
	if (!b)
		abort();
	enum launch_result r = launch_once(t, b, ready, ctx, err, err_cap);
	for (int retry = 1; r == LAUNCH_PORT_TAKEN && retry <= PORT_RETRIES; retry++) {
		fprintf(stderr, "rollcall conform: %s: its port was taken before it bound it; another port (%d of %d)\n",
			b->argv[0], retry, PORT_RETRIES);
		r = launch_once(t, b, ready, ctx, err, err_cap);
	}
	free(b);
	return r == LAUNCH_READY ? 0 : -1;
}

void conf_target_crash(struct conf_target *t)
{
	if (t->pid <= 0)
		return;
	kill(-t->pid, SIGKILL);
	kill(t->pid, SIGKILL);
	int status;
	while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
		;
	running_group = 0;
	t->pid = 0;
	t->status = status;
}

void conf_target_stop(struct conf_target *t)
{
	if (t->pid <= 0)
		return;
	kill(-t->pid, SIGTERM);
	int64_t deadline = mono_ms() + 3000;
	while (conf_target_running(t, NULL, 0) && mono_ms() < deadline)
		pause_briefly();
	conf_target_crash(t);
}

void conf_target_log_tail(const struct conf_target *t, char *buf, size_t n)
{
	buf[0] = '\0';
	char path[4400];
	snprintf(path, sizeof path, "%s/stderr.log", t->dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char data[4096];
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	long from = size > (long)sizeof data - 1 ? size - (long)sizeof data + 1 : 0;
	fseek(f, from, SEEK_SET);
	size_t got = fread(data, 1, sizeof data - 1, f);
	fclose(f);
	data[got] = '\0';
	/* the last three lines */
	int lines = 0;
	size_t at = got;
	while (at > 0 && lines < 4)
		if (data[--at] == '\n')
			lines++;
	snprintf(buf, n, "%s", data + (at > 0 ? at + 1 : 0));
	size_t len = strlen(buf);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
}
