/*
 * client.c - the libcurl multi client of client.h.
 */
#include "client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#define MAX_REPLY_BYTES (1024 * 1024) /* a reply larger than this is a broken coordinator */

struct transfer {
	struct transfer *next; /* the client's list of transfers in flight */
	CURL *easy;
	struct curl_slist *headers;
	enum rc_op op;
	uint64_t req_id;
	char *request_body;
	char *reply;
	size_t reply_len, reply_cap;
	bool reply_too_large;
	char curl_error[CURL_ERROR_SIZE];
};

struct runnerd_client {
	CURLM *multi;
	char *base_url;
	long timeout_ms;
	int in_flight;
	struct transfer *list;
};

/* Where a URL's authority starts: after "scheme://" when the URL starts with
 * a scheme (letters, digits, '+', '-', '.'), else at its start, so that a
 * "://" later in the text is not taken for the scheme's. */
static const char *authority_of(const char *url)
{
	size_t scheme = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	return scheme > 0 && strncmp(url + scheme, "://", 3) == 0 ? url + scheme + 3 : url;
}

/* A URL libcurl cannot read, with whatever may be a password or a token
 * hidden: libcurl cannot say where its user information ends, so everything
 * from the first ':' of the authority to its last '@' is shown as "***"
 * (the whole user information when it has no ':', as a token may be given
 * as the user name). That covers any reading of it; over-masking a URL that
 * holds no secret (an '@' in its path) costs nothing in an error message.
 * NULL when out of memory. */
static char *masked_unread(const char *url)
{
	const char *authority = authority_of(url);
	const char *at = strrchr(authority, '@');
	if (!at)
		return strdup(url);
	const char *colon = memchr(authority, ':', (size_t)(at - authority));
	const char *hidden = colon ? colon + 1 : authority;
	size_t head = (size_t)(hidden - url), tail = strlen(at);
	char *shown = malloc(head + 3 + tail + 1);
	if (shown) {
		memcpy(shown, url, head);
		memcpy(shown + head, "***", 3);
		memcpy(shown + head + 3, at, tail + 1);
	}
	return shown;
}

char *runnerd_client_shown_url(const char *url)
{
	CURLU *u = curl_url();
	if (!u)
		return NULL;
	char *password = NULL, *masked = NULL, *shown = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) != CURLUE_OK)
		shown = masked_unread(url);
	else if (curl_url_get(u, CURLUPART_PASSWORD, &password, 0) != CURLUE_OK)
		shown = strdup(url); /* no password to hide */
	else if (curl_url_set(u, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_URL, &masked, 0) == CURLUE_OK)
		shown = strdup(masked);
	curl_free(password);
	curl_free(masked);
	curl_url_cleanup(u);
	return shown;
}

/* Write into err why url (parsed into u with result uc) cannot reach a
 * coordinator, quoting it as shown; err is left alone when it can. */
static void check_parsed_url(CURLU *u, CURLUcode uc, const char *url, const char *shown, char *err, size_t err_cap)
{
	char *scheme = NULL, *host = NULL;
	if (uc != CURLUE_OK)
		snprintf(err, err_cap, "'%s' is not a URL (%s)", shown, curl_url_strerror(uc));
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		 (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		snprintf(err, err_cap, "'%s' is not an http:// or https:// URL", shown);
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
		snprintf(err, err_cap, "'%s' names no host", shown);
	else if (strpbrk(url, "?#")) /* unencoded, they can only start a query or a fragment */
		snprintf(err, err_cap, "'%s' has a query or fragment: the request paths are added to the URL, so "
			 "they would land in it, not in its path", shown);
	curl_free(scheme);
	curl_free(host);
}

int runnerd_client_check_url(const char *url, char *err, size_t err_cap)
{
	/* The message quotes the URL: never with its password, which would go
	 * to the terminal, a service manager's journal, a CI log. */
	char *shown = runnerd_client_shown_url(url);
	CURLU *u = curl_url();
	CURLUcode uc = u ? curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) : CURLUE_OUT_OF_MEMORY;
	err[0] = '\0';
	check_parsed_url(u, uc, url, shown ? shown : "(the --coordinator URL)", err, err_cap);
	curl_url_cleanup(u);
	free(shown);
	return err[0] ? -1 : 0;
}

struct runnerd_client *runnerd_client_new(const char *base_url, int64_t timeout_ms)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	struct runnerd_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	size_t n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--; /* paths start with '/' */
	c->base_url = strndup(base_url, n);
	c->multi = curl_multi_init();
	c->timeout_ms = (long)timeout_ms;
	if (!c->base_url || !c->multi) {
		runnerd_client_free(c);
		return NULL;
	}
	return c;
}

static void transfer_free(struct transfer *t)
{
	if (!t)
		return;
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->request_body);
	free(t->reply);
	free(t);
}

void runnerd_client_free(struct runnerd_client *c)
{
	if (!c)
		return;
	if (c->multi) {
		/* Abandon what is still in flight: the process is exiting. */
		while (c->list) {
			struct transfer *t = c->list;
			c->list = t->next;
			curl_multi_remove_handle(c->multi, t->easy);
			transfer_free(t);
		}
		curl_multi_cleanup(c->multi);
	}
	free(c->base_url);
	free(c);
	curl_global_cleanup();
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *userp)
{
	struct transfer *t = userp;
	size_t n = size * nmemb;
	if (t->reply_too_large || t->reply_len + n > MAX_REPLY_BYTES) {
		t->reply_too_large = true;
		return 0; /* aborts the transfer */
	}
	if (t->reply_len + n + 1 > t->reply_cap) {
		size_t cap = t->reply_cap ? t->reply_cap : 4096;
		while (cap < t->reply_len + n + 1)
			cap *= 2;
		char *grown = realloc(t->reply, cap);
		if (!grown)
			return 0;
		t->reply = grown;
		t->reply_cap = cap;
	}
	memcpy(t->reply + t->reply_len, data, n);
	t->reply_len += n;
	t->reply[t->reply_len] = '\0';
	return n;
}

static int add_header(struct transfer *t, const char *name, const char *value)
{
	char line[1024];
	if ((size_t)snprintf(line, sizeof line, "%s: %s", name, value) >= sizeof line)
		return -1;
	struct curl_slist *l = curl_slist_append(t->headers, line);
	if (!l)
		return -1;
	t->headers = l;
	return 0;
}

/* Encode msg into a configured easy handle. */
static struct transfer *prepare(struct runnerd_client *c, const struct rc_msg *msg, char *err, size_t err_cap)
{
	struct transfer *t = calloc(1, sizeof *t);
	const char *method;
	char path[512], url[1024];
	if (!t || rc_proto_encode_request(msg, &method, path, sizeof path, &t->request_body) != 0) {
		snprintf(err, err_cap, "cannot encode the %s request", rc_op_name(msg->op));
		transfer_free(t);
		return NULL;
	}
	t->op = msg->op;
	t->req_id = msg->req_id;
	snprintf(url, sizeof url, "%s%s", c->base_url, path);
	t->easy = curl_easy_init();
	if (!t->easy || (msg->secret && add_header(t, "X-Runner-Secret", msg->secret) != 0) ||
	    (msg->op == RC_OP_SANDBOX_REPORT && msg->runner_id && add_header(t, "X-Runner-Id", msg->runner_id) != 0) ||
	    add_header(t, "Content-Type", "application/json") != 0 || add_header(t, "Expect", "") != 0) {
		snprintf(err, err_cap, "cannot prepare the %s request", rc_op_name(msg->op));
		transfer_free(t);
		return NULL;
	}
	CURL *e = t->easy;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (t->request_body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request_body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(t->request_body));
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->curl_error);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	return t;
}

int runnerd_client_send(struct runnerd_client *c, const struct rc_msg *msg, char *err, size_t err_cap)
{
	struct transfer *t = prepare(c, msg, err, err_cap);
	if (!t)
		return -1;
	if (curl_multi_add_handle(c->multi, t->easy) != CURLM_OK) {
		snprintf(err, err_cap, "cannot start the %s request", rc_op_name(msg->op));
		transfer_free(t);
		return -1;
	}
	t->next = c->list;
	c->list = t;
	c->in_flight++;
	return 0;
}

int runnerd_client_wait(struct runnerd_client *c, struct rcd_pollset *set, int timeout_ms, char *err, size_t err_cap)
{
	/* libcurl polls its own sockets, whatever their numbers, with ours as
	 * extras, and waits no longer than its own next timeout (a connect or
	 * name resolution in progress) or ours. */
	struct curl_waitfd extra[RCD_POLL_MAX];
	for (int i = 0; i < set->n; i++)
		extra[i] = (struct curl_waitfd){ .fd = set->fds[i].fd, .events = CURL_WAIT_POLLIN, .revents = 0 };
	CURLMcode rc = curl_multi_poll(c->multi, extra, (unsigned int)set->n, timeout_ms, NULL);
	for (int i = 0; i < set->n; i++)
		set->fds[i].revents = (extra[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0;
	if (rc != CURLM_OK) {
		snprintf(err, err_cap, "%s", curl_multi_strerror(rc));
		return -1;
	}
	return 0;
}

static void unlink_transfer(struct runnerd_client *c, struct transfer *t)
{
	for (struct transfer **p = &c->list; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			c->in_flight--;
			return;
		}
	}
}

void runnerd_client_run(struct runnerd_client *c, runnerd_client_done done, void *cls)
{
	int running;
	curl_multi_perform(c->multi, &running);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *e = m->easy_handle;
		CURLcode result = m->data.result;
		struct transfer *t = NULL;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
		curl_multi_remove_handle(c->multi, e);
		unlink_transfer(c, t);
		long code = 0;
		const char *why = NULL;
		if (result == CURLE_OK)
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		else if (t->reply_too_large)
			why = "reply too large";
		else
			why = t->curl_error[0] ? t->curl_error : curl_easy_strerror(result);
		done(cls, t->op, t->req_id, (int)code, t->reply ? t->reply : "", t->reply_len, why);
		transfer_free(t);
	}
}

int runnerd_client_in_flight(const struct runnerd_client *c)
{
	return c->in_flight;
}
