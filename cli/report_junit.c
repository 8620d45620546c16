/*
 * report_junit.c - JUnit XML to struct rpt_results, with libxml2.
 *
 * JUnit has no single schema: Jenkins, GitLab, GitHub reporters and pytest
 * each read a slightly different dialect. This reader takes the common core
 * (testsuites > testsuite > testcase with name, classname, time; failure,
 * error, skipped; system-out) and the facts rollcall needs beyond it from
 * <property name value> (suite or case level) and "key: value" lines of
 * system-out and failure text (see report/results.h for the keys).
 */
#include "report_junit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util.h"

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

/* An attribute as a string the caller frees, or NULL. */
static char *attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = rpt_xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static char *text_of(xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	if (!v)
		return NULL;
	char *s = rpt_trimmed_copy((const char *)v, strlen((const char *)v));
	xmlFree(v);
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* <properties><property name= value=/>...</properties> into c. */
static void read_properties(xmlNode *props, struct rpt_case *c)
{
	for (xmlNode *p = props->children; p; p = p->next) {
		if (!is(p, "property"))
			continue;
		char *name = attr(p, "name"), *value = attr(p, "value");
		if (!value)
			value = text_of(p);
		if (name && value)
			rpt_case_set(c, name, value);
		free(name);
		free(value);
	}
}

/* The first line of s (caller frees). */
static char *first_line(const char *s)
{
	return rpt_xstrndup(s, strcspn(s, "\n"));
}

static void read_outcome(xmlNode *n, struct rpt_case *c)
{
	if (is(n, "skipped")) {
		if (c->verdict == RPT_PASS)
			c->verdict = RPT_SKIPPED;
		return;
	}
	c->verdict = is(n, "failure") ? RPT_FAIL : RPT_ERROR;
	char *message = attr(n, "message");
	char *detail = text_of(n);
	if (!message && detail)
		message = first_line(detail);
	free(c->message);
	free(c->detail);
	c->message = message;
	c->detail = detail;
	rpt_case_scan_lines(c, detail);
}

/* A testcase's time="..." in seconds, or -1 (unknown) unless it is all a
 * finite number >= 0: "1.5abc", "inf" and "1e999" are not times. */
static double wall_seconds(const char *time)
{
	if (!time || !*time)
		return -1.0;
	char *end;
	double s = strtod(time, &end);
	return *end == '\0' && isfinite(s) && s >= 0 ? s : -1.0;
}

static void read_case(xmlNode *tc, const struct rpt_case *suite_defaults, struct rpt_results *r)
{
	struct rpt_case c = *suite_defaults;
	char *seeds = rpt_xstrdup(c.seeds), *time = attr(tc, "time");
	c.seeds = seeds;
	c.simulated_ms = c.simulated_total_ms = -1;
	c.runs = 0;
	c.name = attr(tc, "name");
	c.classname = attr(tc, "classname");
	c.file = attr(tc, "file");
	c.message = c.detail = c.replay = c.timeline = c.seed = NULL;
	c.verdict = RPT_PASS;
	c.wall_s = wall_seconds(time);
	free(time);
	for (xmlNode *n = tc->children; n; n = n->next) {
		if (is(n, "properties")) {
			read_properties(n, &c);
		} else if (is(n, "failure") || is(n, "error") || is(n, "skipped")) {
			read_outcome(n, &c);
		} else if (is(n, "system-out")) {
			char *out = text_of(n);
			rpt_case_scan_lines(&c, out);
			free(out);
		}
	}
	rpt_results_add(r, &c);
	char *owned[] = { c.seeds, c.name, c.classname, c.file, c.message, c.detail, c.replay, c.timeline, c.seed };
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
}

static int read_suite(xmlNode *suite, const char *source, struct rpt_results *r)
{
	struct rpt_case defaults = { .simulated_ms = -1, .simulated_total_ms = -1, .wall_s = -1.0,
				     .source = (char *)source };
	defaults.suite = attr(suite, "name");
	int n = 0;
	for (xmlNode *p = suite->children; p; p = p->next)
		if (is(p, "properties"))
			read_properties(p, &defaults); /* suite-wide seeds, for example */
	for (xmlNode *p = suite->children; p; p = p->next) {
		if (is(p, "testcase")) {
			read_case(p, &defaults, r);
			n++;
		} else if (is(p, "testsuite")) {
			n += read_suite(p, source, r);
		}
	}
	char *owned[] = { defaults.suite, defaults.seeds, defaults.replay, defaults.timeline, defaults.file,
			  defaults.seed };
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
	return n;
}

int rc_cli_junit_load(const char *path, struct rpt_results *r, char *err, size_t err_len)
{
	/* read here, not by libxml2, which prints its own I/O errors */
	char *text = rpt_read_file(path, err, err_len);
	if (!text)
		return -1;
	xmlResetLastError();
	xmlDoc *doc = xmlReadMemory(text, (int)strlen(text), path, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(text);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		snprintf(err, err_len, "%s:%d: %s", path, e ? e->line : 0,
			 e && e->message ? e->message : "cannot read or parse the file\n");
		err[strcspn(err, "\n")] = '\0';
		return -1;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	int n = -1;
	if (root && is(root, "testsuites")) {
		n = 0;
		for (xmlNode *s = root->children; s; s = s->next)
			if (is(s, "testsuite"))
				n += read_suite(s, path, r);
	} else if (root && is(root, "testsuite")) {
		n = read_suite(root, path, r);
	} else {
		snprintf(err, err_len, "%s: not JUnit XML (the root element is not <testsuites> or <testsuite>)", path);
	}
	xmlFreeDoc(doc);
	return n;
}

void rc_cli_junit_cleanup(void)
{
	xmlCleanupParser();
}
