/*
 * conf_http.c - the blocking libcurl client of conf_http.h.
 */
#include "conf_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPLY_LIMIT (1024 * 1024) /* more than this is not a coordinator's reply */

struct conf_http {
	CURL *easy;
	long timeout_ms;
};

struct sink {
	char *data;
	size_t len, cap;
	bool overflow;
};

struct conf_http *conf_http_new(int64_t timeout_ms)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	struct conf_http *h = calloc(1, sizeof *h);
	if (!h || !(h->easy = curl_easy_init())) {
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	h->timeout_ms = (long)timeout_ms;
	return h;
}

void conf_http_free(struct conf_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->easy);
	free(h);
	curl_global_cleanup();
}

void conf_exchange_clear(struct conf_exchange *ex)
{
	free(ex->path);
	free(ex->request_body);
	free(ex->body);
	memset(ex, 0, sizeof *ex);
	ex->date_ms = -1;
}

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

void conf_exchange_copy(struct conf_exchange *dst, const struct conf_exchange *src)
{
	conf_exchange_clear(dst);
	*dst = *src;
	dst->path = dup_or_null(src->path);
	dst->request_body = dup_or_null(src->request_body);
	dst->body = dup_or_null(src->body);
}

void conf_exchange_format(const struct conf_exchange *ex, char *buf, size_t n, size_t max_body)
{
	if (!ex->path) {
		snprintf(buf, n, "(no request)");
		return;
	}
	const char *rb = ex->request_body ? ex->request_body : "";
	int used = snprintf(buf, n, "%s %s%s%.*s%s", ex->method, ex->path, rb[0] ? " " : "", (int)max_body, rb,
			    strlen(rb) > max_body ? "..." : "");
	if (used < 0 || (size_t)used >= n)
		return;
	if (ex->status == 0)
		snprintf(buf + used, n - (size_t)used, "\n  -> no reply: %s", ex->error);
	else
		snprintf(buf + used, n - (size_t)used, "\n  -> %d %.*s%s", ex->status, (int)max_body, ex->body,
			 ex->body_len > max_body ? "..." : "");
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t n = size * nmemb;
	if (s->len + n > REPLY_LIMIT) {
		s->overflow = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *grown = realloc(s->data, cap);
		if (!grown)
			return 0;
		s->data = grown;
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, n);
	s->len += n;
	s->data[s->len] = '\0';
	return n;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The Date header of the reply just received (seconds, as HTTP gives it),
 * in ms since the epoch; -1 when there is none or it does not parse. */
static int64_t reply_date(CURL *e)
{
	struct curl_header *h;
	if (curl_easy_header(e, "Date", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return -1;
	time_t t = curl_getdate(h->value, NULL);
	return t < 0 ? -1 : (int64_t)t * 1000;
}

static struct curl_slist *request_headers(const struct conf_wire_request *req)
{
	struct curl_slist *list = NULL;
	char line[400];
	for (int i = 0; i < req->n_headers; i++) {
		snprintf(line, sizeof line, "%s: %s", req->headers[i].name, req->headers[i].value);
		list = curl_slist_append(list, line);
	}
	if (req->body)
		list = curl_slist_append(list, "Content-Type: application/json");
	return curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
}

int conf_http_send(struct conf_http *h, const char *base_url, const struct conf_wire_request *req,
		   struct conf_exchange *ex)
{
	conf_exchange_clear(ex);
	snprintf(ex->method, sizeof ex->method, "%s", req->method);
	ex->path = dup_or_null(req->path);
	ex->request_body = dup_or_null(req->body);
	char url[2048];
	snprintf(url, sizeof url, "%s%s", base_url, req->path);
	struct sink sink = { 0 };
	struct curl_slist *headers = request_headers(req);
	char curl_err[CURL_ERROR_SIZE] = "";
	CURL *e = h->easy;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	double t0 = now_ms();
	CURLcode rc = curl_easy_perform(e);
	ex->ms = now_ms() - t0;
	curl_slist_free_all(headers);
	ex->body = sink.data ? sink.data : dup_or_null("");
	ex->body_len = sink.len;
	if (rc != CURLE_OK) {
		ex->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		snprintf(ex->error, sizeof ex->error, "%.190s",
			 sink.overflow ? "reply larger than 1 MiB"
			 : ex->timed_out ? "no answer within the request timeout (--timeout)"
			 : curl_err[0] ? curl_err : curl_easy_strerror(rc));
		return -1;
	}
	long code = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	ex->status = (int)code;
	ex->date_ms = reply_date(e);
	return 0;
}
