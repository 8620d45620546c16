/*
 * log.c - the line logger of rcd_log.h.
 *
 * Fields are collected in a jansson object (which keeps insertion order) and
 * rendered either as JSON or as key=value text. The timestamp comes from
 * rcd_now_ms(), the same (possibly faked) clock the daemon runs on, so a log
 * read next to a test's clock moves tells a coherent story.
 */
#include "rcd_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rcd_clock.h"

static const char *log_program = "rollcall";
static enum rcd_log_format log_format = RCD_LOG_TEXT;

int rcd_log_parse_format(const char *word, enum rcd_log_format *out)
{
	if (strcmp(word, "text") == 0)
		*out = RCD_LOG_TEXT;
	else if (strcmp(word, "json") == 0)
		*out = RCD_LOG_JSON;
	else
		return -1;
	return 0;
}

/* Fds 0, 1 and 2 open, on /dev/null where they were closed. */
static void open_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY); /* the lowest free number: fd */
}

void rcd_log_init(const char *program, enum rcd_log_format format)
{
	open_standard_fds();
	log_program = program;
	log_format = format;
}

static void format_timestamp(char *buf, size_t cap);

void rcd_log_start(struct rcd_logline *l, const char *level, const char *event)
{
	char ts[40];
	format_timestamp(ts, sizeof ts);
	l->fields = json_object();
	rcd_log_str(l, "ts", ts);
	rcd_log_str(l, "level", level);
	rcd_log_str(l, "prog", log_program);
	rcd_log_str(l, "event", event);
}

void rcd_log_str(struct rcd_logline *l, const char *key, const char *value)
{
	if (l->fields && value)
		json_object_set_new(l->fields, key, json_string(value));
}

void rcd_log_int(struct rcd_logline *l, const char *key, long long value)
{
	if (l->fields)
		json_object_set_new(l->fields, key, json_integer(value));
}

static void format_timestamp(char *buf, size_t cap)
{
	int64_t now_ms = rcd_now_ms();
	time_t secs = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%03dZ", (int)(now_ms % 1000));
}

/* A text value is written bare when it is a plain word, else JSON-quoted. */
static bool is_bare_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '"' || *s == '=' || *s == 0x7f)
			return false;
	return true;
}

static const char *field(json_t *fields, const char *key)
{
	const char *v = json_string_value(json_object_get(fields, key));
	return v ? v : "-";
}

static char *render_text(json_t *fields)
{
	size_t cap = 256, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	len = (size_t)snprintf(out, cap, "%s %s %s %s", field(fields, "ts"), field(fields, "level"),
			       field(fields, "prog"), field(fields, "event"));
	const char *key;
	json_t *value;
	json_object_foreach (fields, key, value) {
		if (!strcmp(key, "level") || !strcmp(key, "prog") || !strcmp(key, "event") || !strcmp(key, "ts"))
			continue;
		char *rendered = NULL;
		if (json_is_string(value) && is_bare_word(json_string_value(value)))
			rendered = strdup(json_string_value(value));
		else
			rendered = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!rendered)
			continue;
		size_t need = len + strlen(key) + strlen(rendered) + 3;
		if (need > cap) {
			while (need > cap)
				cap *= 2;
			char *grown = realloc(out, cap);
			if (!grown) {
				free(rendered);
				break;
			}
			out = grown;
		}
		len += (size_t)snprintf(out + len, cap - len, " %s=%s", key, rendered);
		free(rendered);
	}
	return out;
}

static void write_line(const char *line)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	if (!buf)
		return;
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* One write per line: lines never interleave, and stderr needs no lock. */
	ssize_t put = write(STDERR_FILENO, buf, len + 1);
	(void)put;
	free(buf);
}

void rcd_log_emit(struct rcd_logline *l)
{
	if (!l->fields)
		return;
	char *line = log_format == RCD_LOG_JSON ? json_dumps(l->fields, JSON_COMPACT) : render_text(l->fields);
	if (line) {
		write_line(line);
		free(line);
	}
	json_decref(l->fields);
	l->fields = NULL;
}

void rcd_logf(const char *level, const char *event, const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	struct rcd_logline l;
	rcd_log_start(&l, level, event);
	rcd_log_str(&l, "message", message);
	rcd_log_emit(&l);
}
