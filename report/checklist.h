/*
 * checklist.h - verification checklists: Markdown task lists whose items say,
 * in an invisible HTML comment, which scenarios or unit tests verify them.
 *
 * Teams keep such lists in design docs ("- [ ] runner goes stale after 2 min")
 * and tick them by hand, or never. rollcall reads the list, finds each item's
 * evidence in the test results and writes a ticked copy (see evidence.h and
 * render.h). The annotation syntax is documented in fixtures/checklists/README.md:
 *
 *   - [ ] Runner goes stale after 2 minutes <!-- verify: scenario stale-after-2-min; unit registry; integration test_stale_remove -->
 *   - [ ] Survives a disk full <!-- verify: none; reason: no scenario models disk space -->
 *
 * An item with no annotation, or with `verify: none`, is a gap: it is listed,
 * never ticked. A malformed annotation is an error with file:line:col.
 *
 * Memory: a struct rpt_checklist owns everything it points to;
 * rpt_checklist_free() releases it.
 */
#ifndef RPT_CHECKLIST_H
#define RPT_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

enum rpt_ref_kind {
	RPT_REF_SCENARIO, /* a scenario of the library, by name (scenarios/NAME.scn) */
	RPT_REF_UNIT,     /* a CUnit suite, or one test of it */
	RPT_REF_INTEGRATION, /* a test of tests/integration/ (real daemons), by name */
};

/* One piece of evidence an item asks for. */
struct rpt_ref {
	enum rpt_ref_kind kind;
	char *name; /* scenario name, unit suite name, or integration test name */
	char *test; /* unit: one test of the suite, or NULL for the whole suite */
};

struct rpt_item {
	int line;          /* 1-based line of the item in the source */
	int depth;         /* indentation in columns of the list marker */
	char *text;        /* what the item says, annotation removed, trimmed */
	bool ticked_in_source; /* "[x]" by hand in the source (ignored for the verdict) */
	struct rpt_ref *refs;
	size_t n_refs;
	bool explicit_gap; /* `verify: none` */
	char *gap_reason;  /* `reason: ...`, or NULL */
	char *section;     /* the nearest heading above the item, or NULL */
};

/* A source line, kept so the ticked copy reproduces the document. */
struct rpt_line {
	char *text; /* without the newline */
	int item;   /* index of the item starting or continuing here, or -1 */
	bool item_start; /* this line holds the item's "[ ]" box */
	size_t box_col;  /* item_start: 0-based offset of the character inside "[ ]" */
};

struct rpt_checklist {
	char *path;  /* as given */
	char *name;  /* file name without directory and ".md" */
	char *title; /* the first heading, or the name */
	struct rpt_item *items;
	size_t n_items;
	struct rpt_line *lines;
	size_t n_lines;
};

/* Parse the Markdown text of a checklist. `path` names it in messages and
 * gives its name. Returns 0 and fills *out (free with rpt_checklist_free), or
 * -1 with "path:line:col: message" in err (and *out left empty). */
int rpt_checklist_parse(const char *path, const char *text, struct rpt_checklist *out, char *err,
			size_t err_len);

/* Read and parse a file. Returns 0, or -1 with a message in err (cannot
 * read, or a parse error as above). */
int rpt_checklist_load(const char *path, struct rpt_checklist *out, char *err, size_t err_len);

void rpt_checklist_free(struct rpt_checklist *c);

/* "scenario", "unit" or "integration": the word that starts a clause. */
const char *rpt_ref_kind_word(enum rpt_ref_kind kind);

/* "scenario NAME", "unit SUITE", "unit SUITE/TEST" or "integration NAME"
 * into buf. Returns buf. */
const char *rpt_ref_describe(const struct rpt_ref *ref, char *buf, size_t len);

#endif
