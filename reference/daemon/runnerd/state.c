/*
 * state.c - the state directory of state.h.
 */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "identity.h"
#include "rc_file.h"
#include "rcd_file.h"

#define TOKEN_FILE "instance-token"
#define REGISTRATION_FILE "registration.json"
#define LOCK_FILE "lock"

static int path_in(const struct runnerd_state *st, const char *name, char *out, size_t cap)
{
	return (size_t)snprintf(out, cap, "%s/%s", st->dir, name) < cap ? 0 : -1;
}

/* A file's content into st; returns 0, or -1 with why filled. */
typedef int (*state_parser)(const char *data, size_t len, struct runnerd_state *st, char *why, size_t why_cap);

static int parse_token(const char *data, size_t len, struct runnerd_state *st, char *err, size_t err_cap)
{
	if (len != RUNNERD_TOKEN_HEX + 1 || data[RUNNERD_TOKEN_HEX] != '\n') {
		snprintf(err, err_cap, "is %zu bytes, expected %d hex digits and a newline (truncated or edited?)", len,
			 RUNNERD_TOKEN_HEX);
		return -1;
	}
	for (int i = 0; i < RUNNERD_TOKEN_HEX; i++) {
		char c = data[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			snprintf(err, err_cap, "holds a character that is not lower-case hex at byte %d", i);
			return -1;
		}
	}
	memcpy(st->instance_token, data, RUNNERD_TOKEN_HEX);
	st->instance_token[RUNNERD_TOKEN_HEX] = '\0';
	return 0;
}

static int parse_registration(const char *data, size_t len, struct runnerd_state *st, char *err, size_t err_cap)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, err_cap, "is not valid JSON (%s at byte %d)", jerr.text, jerr.position);
		return -1;
	}
	const char *id = json_string_value(json_object_get(root, "runner_id"));
	json_t *sess = json_object_get(root, "session");
	json_t *saved = json_object_get(root, "saved_at_ms");
	int rc = -1;
	if (!json_is_object(root))
		snprintf(err, err_cap, "is not a JSON object");
	else if (!id || !rc_identity_is_runner_id(id))
		snprintf(err, err_cap, "has no valid runner_id");
	else if (!json_is_integer(sess) || json_integer_value(sess) < 1)
		snprintf(err, err_cap, "has no valid session");
	else if (!json_is_integer(saved))
		snprintf(err, err_cap, "has no valid saved_at_ms");
	else {
		snprintf(st->runner_id, sizeof st->runner_id, "%s", id);
		st->session = (uint64_t)json_integer_value(sess);
		st->saved_at_ms = (int64_t)json_integer_value(saved);
		st->registered = true;
		rc = 0;
	}
	json_decref(root);
	return rc;
}

static int random_token(char out[RUNNERD_TOKEN_HEX + 1], char *err, size_t err_cap)
{
	unsigned char bytes[RUNNERD_TOKEN_HEX / 2];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, bytes, sizeof bytes) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof bytes) {
		snprintf(err, err_cap, "cannot read /dev/urandom");
		return -1;
	}
	for (size_t i = 0; i < sizeof bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

static int lock_dir(struct runnerd_state *st, char *err, size_t err_cap)
{
	char path[4200];
	if (path_in(st, LOCK_FILE, path, sizeof path) != 0) {
		snprintf(err, err_cap, "state dir path too long");
		return -1;
	}
	if (rcd_check_regular(path, err, err_cap) != 0)
		return -1;
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		snprintf(err, err_cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, err_cap, "state dir %s is in use by another rollcall-runnerd", st->dir);
		close(st->lock_fd);
		st->lock_fd = -1;
		return -1;
	}
	return 0;
}

/* A runnerd killed while it saved a state file leaves the temporary file
 * rc_file_replace writes first. Only the holder of the lock writes here, so
 * any such file is a leftover: remove it, or each crash would leave one
 * more. Best effort: one that cannot be removed harms nothing. */
static void remove_leftover_temps(struct runnerd_state *st)
{
	DIR *d = opendir(st->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!rc_file_is_temp_of(e->d_name, TOKEN_FILE) && !rc_file_is_temp_of(e->d_name, REGISTRATION_FILE))
			continue;
		char path[4200];
		if (path_in(st, e->d_name, path, sizeof path) == 0 && unlink(path) == 0)
			st->temps_removed++;
	}
	closedir(d);
}

/* Read path and hand it to parse. A file that does not parse is an error
 * naming it: the daemon stops rather than guess an identity. */
static int load_state_file(struct runnerd_state *st, const char *path, state_parser parse, char *err, size_t err_cap)
{
	char why[256];
	char *data;
	size_t len;
	/* A FIFO planted under a state file's name is refused, not waited on. */
	if (rcd_check_regular(path, err, err_cap) != 0 || rcd_read_file(path, 4096, &data, &len, err, err_cap) != 0)
		return -1;
	int rc = parse(data, len, st, why, sizeof why);
	free(data);
	if (rc != 0)
		snprintf(err, err_cap, "%s %s; refusing to start rather than make a new identity "
			 "(inspect or remove the file)", path, why);
	return rc;
}

/* registration.json is absent until the first registration succeeds. */
static int load_registration(struct runnerd_state *st, char *err, size_t err_cap)
{
	char path[4200];
	path_in(st, REGISTRATION_FILE, path, sizeof path);
	if (access(path, F_OK) != 0)
		return 0;
	return load_state_file(st, path, parse_registration, err, err_cap);
}

/* The token is made on the very first start only: when it is missing but a
 * registration exists, the directory was damaged, and a new token would be a
 * new identity. */
static int load_or_create_token(struct runnerd_state *st, char *err, size_t err_cap)
{
	char path[4200];
	path_in(st, TOKEN_FILE, path, sizeof path);
	if (access(path, F_OK) == 0)
		return load_state_file(st, path, parse_token, err, err_cap);
	if (st->registered) {
		snprintf(err, err_cap, "%s is missing but %s/" REGISTRATION_FILE " exists; refusing to make "
			 "a new identity", path, st->dir);
		return -1;
	}
	char line[RUNNERD_TOKEN_HEX + 2];
	if (random_token(st->instance_token, err, err_cap) != 0)
		return -1;
	snprintf(line, sizeof line, "%s\n", st->instance_token);
	st->token_created = true;
	return rc_file_replace(path, line, RUNNERD_TOKEN_HEX + 1, 0600, 0, err, err_cap);
}

int runnerd_state_open(struct runnerd_state *st, const char *dir, char *err, size_t err_cap)
{
	memset(st, 0, sizeof *st);
	st->lock_fd = -1;
	if ((size_t)snprintf(st->dir, sizeof st->dir, "%s", dir) >= sizeof st->dir) {
		snprintf(err, err_cap, "state dir path too long");
		return -1;
	}
	if (rcd_ensure_dir(dir, err, err_cap) != 0 || lock_dir(st, err, err_cap) != 0)
		return -1;
	remove_leftover_temps(st);
	if (load_registration(st, err, err_cap) != 0 || load_or_create_token(st, err, err_cap) != 0) {
		runnerd_state_close(st);
		return -1;
	}
	return 0;
}

int runnerd_state_save(struct runnerd_state *st, const char *runner_id, uint64_t session, int64_t now_ms, char *err,
		       size_t err_cap)
{
	char path[4200];
	path_in(st, REGISTRATION_FILE, path, sizeof path);
	json_t *rec = json_pack("{s:s, s:I, s:I}", "runner_id", runner_id, "session", (json_int_t)session,
				"saved_at_ms", (json_int_t)now_ms);
	char *body = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	json_decref(rec);
	if (!body) {
		snprintf(err, err_cap, "cannot encode the registration record");
		return -1;
	}
	int rc = rc_file_replace(path, body, strlen(body), 0600, 0, err, err_cap);
	free(body);
	if (rc != 0)
		return -1;
	snprintf(st->runner_id, sizeof st->runner_id, "%s", runner_id);
	st->session = session;
	st->saved_at_ms = now_ms;
	st->registered = true;
	return 0;
}

void runnerd_state_close(struct runnerd_state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}
