/*
 * conf_http.h - conform's HTTP client: one blocking request at a time.
 *
 * conform drives the target's clock and its virtual runners itself, so it
 * never needs two requests in flight: each request is made at the virtual
 * instant it belongs to, with the target's clock frozen there, and its reply
 * is in before anything else happens. One libcurl easy handle is reused so
 * the connection stays open. Every request has a hard timeout: a target that
 * hangs costs at most that long, never a hang of conform.
 *
 * Each exchange is kept as text (method, path, body; status, body) so a
 * failed expectation can show the request and response that showed it.
 */
#ifndef CONF_HTTP_H
#define CONF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_profile.h"

struct conf_http;

/* Returns NULL when libcurl cannot be initialised. */
struct conf_http *conf_http_new(int64_t timeout_ms);
void conf_http_free(struct conf_http *h);

/* One request and what came back. Strings are owned (conf_exchange_clear). */
struct conf_exchange {
	char method[8];
	char *path;
	char *request_body;  /* NULL: none */
	int status;          /* 0: no HTTP reply (see error) */
	char *body;          /* NUL-terminated, "" when empty */
	size_t body_len;
	bool timed_out;
	int64_t date_ms;     /* the reply's Date header, ms since the epoch; -1: none, or unreadable */
	char error[200];     /* transport failure, "" otherwise */
	double ms;           /* real time the exchange took */
};
void conf_exchange_clear(struct conf_exchange *ex);
/* Copy src into dst (dst is cleared first). */
void conf_exchange_copy(struct conf_exchange *dst, const struct conf_exchange *src);
/* "POST /runners/register {...}\n  -> 409 {...}" with bodies cut to max_body
 * bytes, into buf. */
void conf_exchange_format(const struct conf_exchange *ex, char *buf, size_t n, size_t max_body);

/* Send req to base_url (e.g. "http://127.0.0.1:8080"). Always fills ex
 * (previous content released); returns 0 when an HTTP reply came back, -1 on
 * a transport failure (refused, timeout, reply over 1 MiB) with ex->error set. */
int conf_http_send(struct conf_http *h, const char *base_url, const struct conf_wire_request *req,
		   struct conf_exchange *ex);

#endif
