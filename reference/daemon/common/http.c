/*
 * http.c - rcd_http.h on libmicrohttpd: an external loop, epoll inside.
 */
#include "rcd_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "rcd_clock.h"

struct rcd_http_server {
	struct MHD_Daemon *mhd;
	size_t max_body;
	rcd_http_handler handler;
	void *cls;
	int port;
	int epoll_fd; /* stands for the listening socket and every connection */
};

/* Per-connection upload state, kept in MHD's *con_cls between calls. */
struct upload {
	char *data;
	size_t len, cap;
	bool too_large;
};

int rcd_parse_listen(const char *spec, char *host, size_t host_cap, int *port, char *err, size_t err_cap)
{
	const char *colon = strrchr(spec, ':');
	struct in_addr addr;
	char *end;
	if (!colon || (size_t)(colon - spec) >= host_cap) {
		snprintf(err, err_cap, "listen address '%s' is not HOST:PORT", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (inet_pton(AF_INET, host, &addr) != 1) {
		snprintf(err, err_cap, "listen host '%s' is not an IPv4 address", host);
		return -1;
	}
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 0 || p > 65535) {
		snprintf(err, err_cap, "listen port '%s' is not 0..65535", colon + 1);
		return -1;
	}
	*port = (int)p;
	return 0;
}

struct header_copies {
	const char *name;
	const char *first; /* the first copy's value, NULL while none */
	int count;
};

static enum MHD_Result count_copy(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct header_copies *hc = cls;
	if (strcasecmp(key, hc->name) == 0 && hc->count++ == 0)
		hc->first = value;
	return MHD_YES;
}

const char *rcd_http_header(const struct rcd_http_request *req, const char *name, bool *repeated)
{
	struct header_copies hc = { name, NULL, 0 };
	MHD_get_connection_values((struct MHD_Connection *)req->conn, MHD_HEADER_KIND, count_copy, &hc);
	*repeated = hc.count > 1;
	return hc.first;
}

/* Append an upload chunk, or only count it once over the limit. */
static void upload_append(struct upload *up, const char *data, size_t size, size_t max_body)
{
	if (up->too_large)
		return;
	if (up->len + size > max_body) {
		up->too_large = true;
		free(up->data);
		up->data = NULL;
		up->len = up->cap = 0;
		return;
	}
	if (up->len + size + 1 > up->cap) {
		size_t cap = up->cap ? up->cap : 1024;
		while (cap < up->len + size + 1)
			cap *= 2;
		char *grown = realloc(up->data, cap);
		if (!grown) {
			up->too_large = true; /* cannot hold it: refuse like an oversized body */
			return;
		}
		up->data = grown;
		up->cap = cap;
	}
	memcpy(up->data + up->len, data, size);
	up->len += size;
	up->data[up->len] = '\0';
}

/* A declared Content-Length over the limit is refused before reading. */
static bool declared_too_large(struct MHD_Connection *conn, size_t max_body)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!cl)
		return false;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(cl, &end, 10);
	return errno == ERANGE || (end != cl && n > max_body);
}

/* close_after: the request's framing was ambiguous (see dispatch), so
 * nothing after it on this connection can be trusted to start where MHD
 * thinks it does. */
static enum MHD_Result send_reply(struct MHD_Connection *conn, struct rcd_http_response *resp, bool close_after)
{
	size_t len = resp->body ? strlen(resp->body) : 0;
	struct MHD_Response *r = MHD_create_response_from_buffer(len, resp->body ? resp->body : (void *)"",
								 resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(resp->body);
		return MHD_NO;
	}
	resp->body = NULL;
	if (len)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (close_after)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (resp->allow[0]) /* a 405 says what the path takes (RFC 9110, section 15.5.6) */
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ok;
}

static void log_request(const struct rcd_http_request *req, const struct rcd_http_response *resp, int64_t took_ms)
{
	struct rcd_logline l;
	rcd_log_start(&l, resp->status >= 500 ? "error" : "info", "request");
	rcd_log_str(&l, "method", req->method);
	rcd_log_str(&l, "path", req->path);
	rcd_log_str(&l, "op", resp->log_op);
	rcd_log_int(&l, "status", resp->status);
	rcd_log_int(&l, "bytes_in", (long long)req->body_len);
	rcd_log_int(&l, "ms", (long long)took_ms);
	rcd_log_emit(&l);
}

static enum MHD_Result dispatch(struct rcd_http_server *s, struct MHD_Connection *conn, const char *method,
				const char *url, struct upload *up)
{
	struct rcd_http_request req = {
		.method = method,
		.path = url,
		.body = up->data && !up->too_large ? up->data : "",
		.body_len = up->too_large ? 0 : up->len,
		.body_too_large = up->too_large,
		.conn = conn,
	};
	/* MHD framed the body by the first Content-Length; a proxy in front
	 * may have used another copy. The handler refuses such a request and
	 * the connection closes after the reply (RFC 9112, section 6.3). */
	rcd_http_header(&req, MHD_HTTP_HEADER_CONTENT_LENGTH, &req.content_length_repeated);
	struct rcd_http_response resp = { .status = 500 };
	int64_t start_ms = rcd_now_ms();
	s->handler(s->cls, &req, &resp);
	log_request(&req, &resp, rcd_now_ms() - start_ms);
	return send_reply(conn, &resp, req.content_length_repeated);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	(void)version;
	struct rcd_http_server *s = cls;
	struct upload *up = *con_cls;
	if (!up) {
		up = calloc(1, sizeof *up);
		if (!up)
			return MHD_NO;
		*con_cls = up;
		if (declared_too_large(conn, s->max_body)) {
			up->too_large = true;
			return dispatch(s, conn, method, url, up); /* before the body is read */
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		upload_append(up, upload_data, *upload_data_size, s->max_body);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(s, conn, method, url, up);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct upload *up = *con_cls;
	if (up) {
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Percent-decoding of the request path, as MHD's own except that %00 and
 * %2F stay as they were sent. Decoded, a NUL cut the path short (the handler
 * read "/runners/x%00/claim" as "/runners/x") and an encoded slash became a
 * separator (so "/runners/x%2Fclaim" reached the claim route), and the
 * request was served as one its sender did not write. Left alone, both are
 * ordinary characters of a path segment, which no route or id accepts. */
static size_t unescape_path(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *out = s;
	const char *in = s;
	while (*in) {
		int hi, lo;
		if (in[0] == '%' && (hi = hex_digit(in[1])) >= 0 && (lo = hex_digit(in[2])) >= 0) {
			char byte = (char)(hi << 4 | lo);
			if (byte != '\0' && byte != '/') {
				*out++ = byte;
				in += 3;
				continue;
			}
		}
		*out++ = *in++;
	}
	*out = '\0';
	return (size_t)(out - s);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char message[512];
	vsnprintf(message, sizeof message, fmt, ap);
	size_t n = strlen(message);
	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r'))
		message[--n] = '\0';
	rcd_logf("warn", "http", "%s", message);
}

unsigned rcd_http_connection_capacity(void)
{
	enum { RESERVED = 64, MOST = 10000, SOFT_CAP = 65536 };
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > SOFT_CAP ? SOFT_CAP : rl.rlim_max;
	if (rl.rlim_cur < want) {
		struct rlimit raised = { .rlim_cur = want, .rlim_max = rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised; /* else (valgrind keeps some for itself) the soft limit stays */
	}
	if (rl.rlim_cur <= RESERVED + 16)
		return 16;
	return rl.rlim_cur - RESERVED > MOST ? MOST : (unsigned)(rl.rlim_cur - RESERVED);
}

struct rcd_http_server *rcd_http_start(const char *spec, size_t max_body, unsigned max_connections,
				       rcd_http_handler handler, void *cls, char *err, size_t err_cap)
{
	char host[64];
	int port;
	if (rcd_parse_listen(spec, host, sizeof host, &port, err, err_cap) != 0)
		return NULL;
	struct rcd_http_server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	s->max_body = max_body;
	s->handler = handler;
	s->cls = cls;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	errno = 0;
	s->mhd = MHD_start_daemon(MHD_USE_ERROR_LOG | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, on_access, s,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_UNESCAPE_CALLBACK, unescape_path, NULL,
				  MHD_OPTION_CONNECTION_LIMIT, max_connections,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				  MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, err_cap, "cannot listen on %s: %s", spec,
			 errno ? strerror(errno) : "libmicrohttpd refused to start (its reason is in the log)");
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		snprintf(err, err_cap, "cannot listen on %s: libmicrohttpd has no epoll descriptor", spec);
		MHD_stop_daemon(s->mhd);
		free(s);
		return NULL;
	}
	s->epoll_fd = info->epoll_fd;
	return s;
}

int rcd_http_port(const struct rcd_http_server *s)
{
	return s->port;
}

void rcd_http_add_fds(struct rcd_http_server *s, struct rcd_pollset *set, int *timeout_ms)
{
	rcd_pollset_add(set, s->epoll_fd);
	MHD_UNSIGNED_LONG_LONG mhd_ms;
	if (MHD_get_timeout(s->mhd, &mhd_ms) == MHD_YES && mhd_ms < (MHD_UNSIGNED_LONG_LONG)*timeout_ms)
		*timeout_ms = (int)mhd_ms;
}

void rcd_http_run(struct rcd_http_server *s)
{
	/* In epoll mode MHD_run looks at its epoll set without waiting: it is
	 * called after every wait, ready or not, so connection timeouts and
	 * connections MHD keeps on its own ready list are served too. */
	MHD_run(s->mhd);
}

void rcd_http_stop(struct rcd_http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
