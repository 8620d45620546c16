/*
 * stream.c - it-stream: a stream of task submissions, claims and completions
 * against a coordd, recording exactly what was acknowledged.
 *
 * Used by test_crash_durability.sh: the daemon is killed with SIGKILL while
 * this runs, so the client must be fast (libcurl, one kept-alive connection,
 * no process per request) and must write down each acknowledgement before it
 * sends the next request. It stops at the first request that fails.
 *
 * usage: it-stream run|check BASE_URL RUNNER_ID SESSION SECRET_FILE SUBMITS_FILE COMPLETES_FILE
 * run: appends "TASK_ID" lines to SUBMITS_FILE for each 201 on POST /tasks
 *   and "TASK_ID ATTEMPT" lines to COMPLETES_FILE for each 200 on a
 *   completion; stops at the first failed request (exit 0).
 * check (after a restart): prints "lost=N undone=N changed=N extra=N":
 *   acknowledged tasks that no longer exist, acknowledged completions that
 *   are no longer "completed" with result "ok", repeated completions (of the
 *   last three acknowledged, with other content) that changed the task, and
 *   tasks beyond the highest acknowledged id (at most the one in flight).
 * Exit status 2 on bad usage.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply {
	char buf[65536];
	size_t len;
};

struct client {
	CURL *curl;
	const char *base;
	struct curl_slist *runner_headers;
	struct curl_slist *api_headers;
	struct reply reply;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *userp)
{
	struct reply *r = userp;
	size_t n = size * nmemb;
	if (r->len + n >= sizeof r->buf)
		return 0;
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return n;
}

/* Send a request (body NULL: GET) to path; returns the HTTP status (0 on a transport failure) and
 * the parsed reply in *json (NULL when it is not JSON). */
static long post(struct client *c, const char *path, const char *body, bool runner_call, json_t **json)
{
	char url[512];
	snprintf(url, sizeof url, "%s%s", c->base, path);
	c->reply.len = 0;
	c->reply.buf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (body)
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, runner_call ? c->runner_headers : c->api_headers);
	long status = 0;
	if (curl_easy_perform(c->curl) == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	*json = json_loads(c->reply.buf, 0, NULL);
	return status;
}

static void append_line(const char *file, const char *line)
{
	FILE *f = fopen(file, "a");
	if (!f) {
		perror(file);
		exit(1);
	}
	fputs(line, f);
	fclose(f); /* on disk (page cache) before the next request goes out */
}

static int read_secret(const char *file, char *out, size_t cap)
{
	FILE *f = fopen(file, "r");
	if (!f || !fgets(out, (int)cap, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static json_t *get_task(struct client *c, long long tid, long *status)
{
	char path[64];
	json_t *j;
	snprintf(path, sizeof path, "/tasks/%lld", tid);
	*status = post(c, path, NULL, false, &j);
	return j;
}

static void run_stream(struct client *c, const char *runner_id, const char *session, const char *submits,
		       const char *completes)
{
	char body[512], path[256], line[128];
	long n = 0;
	for (;;) {
		json_t *j;
		snprintf(body, sizeof body, "{\"kind\": \"shell\", \"payload\": \"true %ld\"}", n++);
		long st = post(c, "/tasks", body, false, &j);
		if (st != 201) {
			json_decref(j);
			return;
		}
		snprintf(line, sizeof line, "%lld\n", (long long)json_integer_value(json_object_get(j, "task_id")));
		append_line(submits, line);
		json_decref(j);

		snprintf(path, sizeof path, "/runners/%s/claim", runner_id);
		snprintf(body, sizeof body, "{\"session\": %s, \"max\": 1}", session);
		st = post(c, path, body, true, &j);
		json_t *grant = json_array_get(json_object_get(j, "tasks"), 0);
		if (st != 200 || !grant) {
			json_decref(j);
			if (st != 200)
				return;
			continue;
		}
		long long tid = json_integer_value(json_object_get(grant, "task_id"));
		long long att = json_integer_value(json_object_get(grant, "attempt"));
		json_decref(j);

		snprintf(path, sizeof path, "/tasks/%lld/complete", tid);
		snprintf(body, sizeof body,
			 "{\"runner_id\": \"%s\", \"attempt\": %lld, \"success\": true, \"result\": \"ok\"}",
			 runner_id, att);
		st = post(c, path, body, true, &j);
		json_decref(j);
		if (st != 200)
			return;
		snprintf(line, sizeof line, "%lld %lld\n", tid, att);
		append_line(completes, line);
	}
}

static bool completed_ok(json_t *task)
{
	const char *state = json_string_value(json_object_get(task, "state"));
	const char *result = json_string_value(json_object_get(task, "result"));
	return state && result && !strcmp(state, "completed") && !strcmp(result, "ok");
}

static void check(struct client *c, const char *runner_id, const char *submits, const char *completes)
{
	long lost = 0, undone = 0, changed = 0, extra = 0, st;
	long long tid, att, max = 0, last[3][2];
	int n_last = 0;
	FILE *f = fopen(submits, "r");
	while (f && fscanf(f, "%lld", &tid) == 1) {
		json_decref(get_task(c, tid, &st));
		lost += st != 200;
		max = tid > max ? tid : max;
	}
	if (f)
		fclose(f);
	f = fopen(completes, "r");
	while (f && fscanf(f, "%lld %lld", &tid, &att) == 2) {
		json_t *j = get_task(c, tid, &st);
		undone += !completed_ok(j);
		json_decref(j);
		memmove(last[1], last[0], sizeof last[0] * 2);
		last[0][0] = tid;
		last[0][1] = att;
		n_last += n_last < 3;
	}
	if (f)
		fclose(f);
	for (int i = 0; i < n_last; i++) {
		char path[64], body[256];
		json_t *j;
		snprintf(path, sizeof path, "/tasks/%lld/complete", last[i][0]);
		snprintf(body, sizeof body,
			 "{\"runner_id\": \"%s\", \"attempt\": %lld, \"success\": false, \"result\": \"again\"}",
			 runner_id, last[i][1]);
		post(c, path, body, true, &j);
		json_decref(j);
		j = get_task(c, last[i][0], &st);
		changed += !completed_ok(j);
		json_decref(j);
	}
	for (long long id = max + 1; id <= max + 3; id++) {
		json_decref(get_task(c, id, &st));
		extra += st == 200;
	}
	printf("lost=%ld undone=%ld changed=%ld extra=%ld\n", lost, undone, changed, extra);
}

int main(int argc, char **argv)
{
	if (argc != 8 || (strcmp(argv[1], "run") && strcmp(argv[1], "check"))) {
		fprintf(stderr, "usage: it-stream run|check BASE_URL RUNNER_ID SESSION SECRET_FILE SUBMITS COMPLETES\n");
		return 2;
	}
	char secret[512], header[600];
	if (read_secret(argv[5], secret, sizeof secret) != 0) {
		fprintf(stderr, "it-stream: cannot read %s\n", argv[5]);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct client c = { .curl = curl_easy_init(), .base = argv[2] };
	snprintf(header, sizeof header, "X-Runner-Secret: %s", secret);
	c.runner_headers = curl_slist_append(curl_slist_append(NULL, "Content-Type: application/json"), header);
	c.api_headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c.curl, CURLOPT_WRITEDATA, &c.reply);
	curl_easy_setopt(c.curl, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c.curl, CURLOPT_NOSIGNAL, 1L);
	if (!strcmp(argv[1], "run"))
		run_stream(&c, argv[3], argv[4], argv[6], argv[7]);
	else
		check(&c, argv[3], argv[6], argv[7]);
	curl_slist_free_all(c.runner_headers);
	curl_slist_free_all(c.api_headers);
	curl_easy_cleanup(c.curl);
	curl_global_cleanup();
	return 0;
}
