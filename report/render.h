/*
 * render.h - write a judged checklist as Markdown (the original document with
 * boxes ticked from evidence and the evidence under each item), as an HTML
 * page, and as a JSON summary that the one-page index reads.
 */
#ifndef RPT_RENDER_H
#define RPT_RENDER_H

#include <stdio.h>

#include <jansson.h>

#include "evidence.h"
#include "util.h"

/* What the results say about one reference, as plain text: "pass, seeds
 * 1-100, simulated 16m0s, wall 0.031 s", "FAIL at seed 17: message", "no
 * result"; without the verdict word when with_verdict is false (for a page
 * that shows it as a pill). Appended to b. */
void rpt_outcome_text(const struct rpt_ref_outcome *o, bool with_verdict, struct rpt_buf *b);

/* `sources` names the results the verdicts come from (shown in the header). */
void rpt_write_checklist_md(FILE *out, const struct rpt_judged *j, const char *sources);
void rpt_write_checklist_html(FILE *out, const struct rpt_judged *j, const char *sources);

/* {"name","title","source","markdown","html","verified","failing","gaps",
 *  "items":[{"line","text","status","section","gap_reason"?,
 *            "refs":[{"ref","verdict","message"?,"replay"}]}]}
 * md_path and html_path are stored as given. The caller owns the result. */
json_t *rpt_judged_json(const struct rpt_judged *j, const char *md_path, const char *html_path);

#endif
