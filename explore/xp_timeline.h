/*
 * xp_timeline.h - a run drawn as swimlanes (SVG).
 *
 * One lane per node (the coordinator on top, then the other nodes in name
 * order, digits as numbers: r2 before r10), virtual time left to right.
 * Each runner lane shows the coordinator's view of that runner as a band
 * (online green, stale orange, removed grey) and the node's own process state
 * under it (up, paused, crashed, down); messages are arrows from the sender's
 * lane at the send time to the receiver's at the delivery time (refused
 * replies in red, lost messages end in a cross); partitions and pauses are
 * shaded; task processes, task state changes at the coordinator and refusals
 * are labelled; the first broken invariant is a red line across all lanes.
 * The output is plain SVG 1.1 that any browser opens.
 */
#ifndef XP_TIMELINE_H
#define XP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "xp_script.h"

struct xp_timeline_opts {
	int64_t from_ms, to_ms; /* the window; -1: automatic (the whole run, or the 20
	                           minutes up to the violation for longer runs) */
	const char *title;      /* first line of the heading */
	int width;              /* pixels (default 1600) */
};

/* Draw a JSONL trace (an explore recipe line first is fine; scenario, when
 * given, adds the partitions it declares). Returns malloc'd SVG text, or
 * NULL with a reason in err (no simulator records, bad JSON, a window that
 * starts after the run's end). */
char *xp_timeline_svg(const char *trace, size_t len, const struct xp_script *scenario,
		      const struct xp_timeline_opts *o, char *err, size_t err_len);

#endif
