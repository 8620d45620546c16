/*
 * rcd_http.h - the libmicrohttpd plumbing shared by both daemons' servers.
 *
 * coordd's API and runnerd's /status endpoint are both "a request comes in
 * whole, a JSON reply goes out". This module hides MHD's incremental upload
 * callbacks behind that: it collects the body (at most max_body bytes; a
 * larger declared Content-Length is refused before the body is read), calls
 * one handler with the complete request, queues the reply and writes one log
 * line per request.
 *
 * MHD runs in external-select mode: no thread of its own. The daemon's single
 * loop adds MHD's sockets to its fd sets (rcd_http_add_fds) and lets it work
 * (rcd_http_run), so the handler runs on the main thread, between the core's
 * ticks, and the core needs no lock.
 */
#ifndef RCD_HTTP_H
#define RCD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/select.h>

#include "rcd_log.h"

/* The descriptor sets one select() call waits on. */
struct rcd_fdset {
	fd_set rd, wr, ex;
	int max_fd; /* -1 when empty */
};
void rcd_fdset_clear(struct rcd_fdset *s);
void rcd_fdset_add_read(struct rcd_fdset *s, int fd);
/* select() for at most timeout_ms. Returns the number of ready descriptors,
 * 0 on timeout or EINTR (the sets are then cleared), -1 on another error. */
int rcd_fdset_wait(struct rcd_fdset *s, int timeout_ms);

/* Parse "IPv4:PORT" (PORT 0..65535; 0 picks a free port) into host/port.
 * Returns 0, or -1 with err filled. */
int rcd_parse_listen(const char *spec, char *host, size_t host_cap, int *port, char *err, size_t err_cap);

struct rcd_http_request {
	const char *method;
	const char *path;
	const char *body;   /* NUL-terminated; "" when there is none */
	size_t body_len;
	bool body_too_large; /* over max_body: body is empty, answer 413 */
	void *conn;          /* for rcd_http_header() */
};

struct rcd_http_response {
	int status;
	char *body;          /* malloc'd JSON, taken over by the server; NULL: empty body */
	const char *log_op;  /* optional static label for the request log line */
};

/* Value of a request header (case-insensitive name), or NULL. Valid during the
 * handler call. *repeated says whether the request carried the header more
 * than once (the value is then the first copy's). */
const char *rcd_http_header(const struct rcd_http_request *req, const char *name, bool *repeated);

/* Fill resp with the request. resp->status is preset to 500. */
typedef void (*rcd_http_handler)(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp);

struct rcd_http_server;

/* Listen on spec ("127.0.0.1:PORT") and serve with handler. Returns the
 * server, or NULL with err filled (address in use, bad spec, ...). */
struct rcd_http_server *rcd_http_start(const char *spec, size_t max_body, rcd_http_handler handler, void *cls,
				       char *err, size_t err_cap);
/* The bound port (the chosen one when spec asked for port 0). */
int rcd_http_port(const struct rcd_http_server *s);
/* Add the server's sockets to set and lower *timeout_ms to MHD's own timeout. */
void rcd_http_add_fds(struct rcd_http_server *s, struct rcd_fdset *set, int *timeout_ms);
/* Let the server read, call handlers and write, after rcd_fdset_wait(). */
void rcd_http_run(struct rcd_http_server *s, struct rcd_fdset *set);
/* Close every connection and the listening socket; NULL is fine. */
void rcd_http_stop(struct rcd_http_server *s);

#endif
