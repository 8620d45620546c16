/*
 * client.h - runnerd's HTTP client: rc_msg out, status and body back.
 *
 * libcurl's multi interface, so requests never block the loop: the runner
 * keeps heartbeating, reaping children and serving /status while a request to
 * a slow coordinator is pending. Each RC_FX_SEND becomes one transfer with a
 * hard timeout; when it ends the loop gets (op, req_id, HTTP status or 0 for
 * a transport failure, body) and hands it back to the core.
 */
#ifndef RUNNERD_CLIENT_H
#define RUNNERD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "rcd_http.h"

struct runnerd_client;

/* A finished transfer. body is NUL-terminated, valid during the call. */
typedef void (*runnerd_client_done)(void *cls, enum rc_op op, uint64_t req_id, int http_status, const char *body,
				    size_t body_len, const char *transport_error);

/* Whether url can reach a coordinator: an http:// or https:// URL (a bare
 * HOST:PORT is taken as http://) with a host and a valid port, and no query
 * or fragment (the request paths are added to its end). Returns 0, or
 * -1 with err filled: such a URL would only fail every request, forever.
 * err quotes the URL as runnerd_client_shown_url() shows it. */
int runnerd_client_check_url(const char *url, char *err, size_t err_cap);

/* url as /status and error messages may show it: a password in its userinfo
 * replaced by "***" ("http://user:***@host/"), as libcurl reads the URL; url
 * unchanged when it has none; for a URL libcurl cannot read, everything from
 * the first ':' of its authority to its last '@'. Returns a malloc'd string,
 * or NULL when out of memory. */
char *runnerd_client_shown_url(const char *url);

/* base_url is the coordinator's, e.g. "http://127.0.0.1:8080" (copied).
 * Returns NULL on allocation or libcurl initialisation failure. */
struct runnerd_client *runnerd_client_new(const char *base_url, int64_t timeout_ms);
void runnerd_client_free(struct runnerd_client *c);

/* Start sending msg (encoded with rc_proto_encode_request; the secret goes in
 * X-Runner-Secret, never in the body or the log). Returns 0, or -1 with err
 * filled when msg cannot be encoded or the transfer cannot start; the caller
 * then reports a transport failure to the core. */
int runnerd_client_send(struct runnerd_client *c, const struct rc_msg *msg, char *err, size_t err_cap);

/* Wait at most timeout_ms for the transfers' sockets or a descriptor of set
 * (whose readiness is then filled in). Returns 0 (woken or timed out), or -1
 * with err filled when the wait itself failed. */
int runnerd_client_wait(struct runnerd_client *c, struct rcd_pollset *set, int timeout_ms, char *err,
			size_t err_cap);
/* Move the transfers on; call done for each that finished. */
void runnerd_client_run(struct runnerd_client *c, runnerd_client_done done, void *cls);
/* Transfers still in flight. */
int runnerd_client_in_flight(const struct runnerd_client *c);

#endif
