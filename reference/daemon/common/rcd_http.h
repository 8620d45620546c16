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
 * MHD runs without a thread of its own, on epoll: the daemon's single loop
 * waits on MHD's epoll descriptor among its own (rcd_http_add_fds) and lets
 * it work (rcd_http_run), so the handler runs on the main thread, between the
 * core's ticks, and the core needs no lock. epoll rather than MHD's fd_sets,
 * because those cannot hold a descriptor numbered 1024 or more (rcd_poll.h).
 */
#ifndef RCD_HTTP_H
#define RCD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "rcd_log.h"
#include "rcd_poll.h"

/* Parse "IPv4:PORT" (PORT 0..65535; 0 picks a free port) into host/port.
 * Returns 0, or -1 with err filled. */
int rcd_parse_listen(const char *spec, char *host, size_t host_cap, int *port, char *err, size_t err_cap);

struct rcd_http_request {
	const char *method;
	const char *path;    /* percent-decoded, except %00 and %2F (kept as sent) */
	const char *body;   /* NUL-terminated; "" when there is none */
	size_t body_len;
	bool body_too_large; /* over max_body: body is empty, answer 413 */
	bool content_length_repeated; /* refuse it: the connection closes after the reply */
	void *conn;          /* for rcd_http_header() */
};

struct rcd_http_response {
	int status;
	char *body;          /* malloc'd JSON, taken over by the server; NULL: empty body */
	const char *log_op;  /* optional static label for the request log line */
	char allow[64];      /* a 405's Allow header ("GET, HEAD"); "": none is sent */
};

/* Value of a request header (case-insensitive name), or NULL. Valid during the
 * handler call. *repeated says whether the request carried the header more
 * than once (the value is then the first copy's). */
const char *rcd_http_header(const struct rcd_http_request *req, const char *name, bool *repeated);

/* Fill resp with the request. resp->status is preset to 500. */
typedef void (*rcd_http_handler)(void *cls, const struct rcd_http_request *req, struct rcd_http_response *resp);

struct rcd_http_server;

/* How many connections a server of this process can hold at once: the soft
 * descriptor limit is first raised to the hard one (at most 65,536), then 64
 * descriptors are kept for everything else; at most 10,000, at least 16.
 * Each runner keeps its connection open between heartbeats, so this is the
 * fleet one coordinator serves without making runners wait for a slot. */
unsigned rcd_http_connection_capacity(void);

/* Listen on spec ("127.0.0.1:PORT") and serve with handler, holding at most
 * max_connections connections (one more waits in the listen queue until one
 * closes; an idle one closes after 30 s). Returns the server, or NULL with err
 * filled (address in use, bad spec, ...). */
struct rcd_http_server *rcd_http_start(const char *spec, size_t max_body, unsigned max_connections,
				       rcd_http_handler handler, void *cls, char *err, size_t err_cap);
/* The bound port (the chosen one when spec asked for port 0). */
int rcd_http_port(const struct rcd_http_server *s);
/* Add the server's epoll descriptor to set and lower *timeout_ms to MHD's own
 * timeout (0 when it has work pending). */
void rcd_http_add_fds(struct rcd_http_server *s, struct rcd_pollset *set, int *timeout_ms);
/* Let the server accept, read, call handlers and write; never waits. Call it
 * after every wait of the loop, whatever the wait returned. */
void rcd_http_run(struct rcd_http_server *s);
/* Close every connection and the listening socket; NULL is fine. */
void rcd_http_stop(struct rcd_http_server *s);

#endif
