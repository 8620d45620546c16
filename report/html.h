/*
 * html.h - the pieces every generated HTML page shares: escaping, and a
 * self-contained page frame (inline CSS, no script, no network, readable from
 * a phone's width up).
 */
#ifndef RPT_HTML_H
#define RPT_HTML_H

#include <stdio.h>

/* Write s with &, <, >, " and ' escaped (safe in text and attributes).
 * NULL writes nothing. */
void rpt_html_text(FILE *out, const char *s);

/* Open a page: doctype, charset, viewport, the shared style sheet, the
 * title (escaped) and an <h1> with it. */
void rpt_html_begin(FILE *out, const char *title);
/* Close the page with a footer naming the generator. */
void rpt_html_end(FILE *out);

/* A status pill: <span class="pill CLASS">TEXT</span>; cls is one of
 * pass, fail, gap, info. */
void rpt_html_pill(FILE *out, const char *cls, const char *text);

#endif
