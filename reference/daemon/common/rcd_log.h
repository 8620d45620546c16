/*
 * rcd_log.h - one line per request and per state change, on stderr.
 *
 * Both daemons log through this so that tests and operators can rely on one
 * shape: text ("2026-01-01T00:00:00.000Z info request method=POST ...") for
 * people, or one JSON object per line (--log-format json) for machines. A line
 * is built field by field and written with a single write, so lines from one
 * process never interleave. Nothing secret may be passed here: callers log
 * routes, statuses and IDs, never headers or bodies.
 */
#ifndef RCD_LOG_H
#define RCD_LOG_H

#include <jansson.h>

enum rcd_log_format { RCD_LOG_TEXT = 0, RCD_LOG_JSON };

/* Parse "text" or "json". Returns 0, or -1 for any other word. */
int rcd_log_parse_format(const char *word, enum rcd_log_format *out);
/* Set the process-wide format and program name (a static string). Also
 * opens /dev/null on any of fds 0, 1 and 2 the daemon was started without
 * (`<&- >&-`): otherwise the next file, pipe or socket it opens takes that
 * number, and its log lines or "listening on" line go there. Call it first. */
void rcd_log_init(const char *program, enum rcd_log_format format);

/* A line under construction. Fields keep their insertion order. */
struct rcd_logline {
	json_t *fields;
};

/* Start a line: level ("info", "warn", "error") and event name are static
 * strings. On allocation failure the line is silently dropped at emit. */
void rcd_log_start(struct rcd_logline *l, const char *level, const char *event);
/* Add a string field; value NULL adds nothing. The value is copied. */
void rcd_log_str(struct rcd_logline *l, const char *key, const char *value);
void rcd_log_int(struct rcd_logline *l, const char *key, long long value);
/* Write the line to stderr and release it. */
void rcd_log_emit(struct rcd_logline *l);

/* Shorthand for a line with a printf-formatted "message" field. */
void rcd_logf(const char *level, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
