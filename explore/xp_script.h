/*
 * xp_script.h - a scenario file as a list of statements that tools can edit.
 *
 * Exploration writes scenarios, shrinking removes and rewrites their parts,
 * and both must end with a file a person can read and `rollcall run` can
 * replay. Working on the statements themselves (not on the parsed AST of
 * scn.h) keeps every step expressible in the language by construction: a
 * candidate is printed and handed to the real parser, which is the judge of
 * what is valid. Timed statements keep their time apart from their text, so
 * moving a statement in time is a number change, not a text edit.
 *
 * The model: declarations (config, runner) in order, then the timeline in
 * order: `at TIME body`, untimed `expect ...` lines and `at end expect ...`.
 * `@seed`, `seeds` and `end at` are kept as fields. Comments are dropped.
 *
 * Memory: a script owns its lines and the string pool (sim/strpool.h) their
 * bodies are kept in; xp_script_free releases it. A body may be cut short in
 * place or replaced with xp_script_set_body; it is never freed on its own
 * nor pointed elsewhere (printing sizes its buffer from the pool's bytes).
 */
#ifndef XP_SCRIPT_H
#define XP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strpool.h"

enum xp_line_kind {
	XP_LINE_DECL,    /* config, runner (before the timeline) */
	XP_LINE_AT,      /* at TIME body */
	XP_LINE_UNTIMED, /* expect ... (a window, a count, never, eventually) */
	XP_LINE_AT_END,  /* at end body */
};

struct xp_line {
	enum xp_line_kind kind;
	int64_t at_ms; /* XP_LINE_AT only */
	char *body;    /* the statement without its leading "at TIME" / "at end" */
};

struct xp_script {
	struct xp_line *lines;
	size_t n, cap;
	struct sim_strpool text; /* where the bodies are */
	bool pinned;        /* `@seed N` */
	uint64_t seed;
	bool has_seeds;     /* `seeds A-B` */
	uint64_t seed_first, seed_last;
	int64_t end_ms;     /* `end at D`, or -1 */
};

void xp_script_init(struct xp_script *s);
void xp_script_free(struct xp_script *s);
/* Deep copy of src into dst (dst is overwritten, not freed first). */
void xp_script_copy(struct xp_script *dst, const struct xp_script *src);

/* Split a scenario text into statements. Returns 0, or -1 with a message in
 * err for a line this model cannot hold (an `at` whose time is not a
 * duration); other mistakes are left for the scenario parser to report. */
int xp_script_parse(const char *text, struct xp_script *s, char *err, size_t err_len);

/* Append a statement (body is copied). */
void xp_script_add(struct xp_script *s, enum xp_line_kind kind, int64_t at_ms, const char *body);
void xp_script_addf(struct xp_script *s, enum xp_line_kind kind, int64_t at_ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Replace statement i's body by a copy of body. */
void xp_script_set_body(struct xp_script *s, size_t i, const char *body);
/* Remove statement i (later ones move up). */
void xp_script_remove(struct xp_script *s, size_t i);
/* Order: declarations first (in order), then timed statements by time
 * (stable), then untimed expectations, then `at end`. */
void xp_script_sort(struct xp_script *s);

/* The scenario text: the comment (each line prefixed "# ", may be NULL), the
 * seed lines, `end at`, the declarations, a blank line and the timeline.
 * Returns a malloc'd string. */
char *xp_script_format(const struct xp_script *s, const char *comment);
/* The seed to run s with into *seed: `given` when have_given, else its
 * `@seed`, else the first of its `seeds`, else 1. Returns -1 when s pins a
 * seed (`@seed`) other than the given one: `rollcall run` would run the
 * pinned one, so a command that ran `given` would show another run than the
 * file's (and a saved recipe would disagree with its own scenario). */
int xp_script_seed(const struct xp_script *s, bool have_given, uint64_t given, uint64_t *seed);
/* Statements that would be printed (every line but comments and blanks). */
size_t xp_script_statements(const struct xp_script *s);

/* --- names ------------------------------------------------------------------ */

enum xp_name_kind { XP_NAME_NONE = 0, XP_NAME_RUNNER, XP_NAME_TASK, XP_NAME_SANDBOX };

/* The name a statement introduces (runner R / submit [task] T / create
 * sandbox S) copied into name (size n); XP_NAME_NONE when it defines none. */
enum xp_name_kind xp_line_defines(const struct xp_line *l, char *name, size_t n);
/* Whether the statement names `name` as a word (also as "name's"). */
bool xp_line_mentions(const struct xp_line *l, const char *name);

/* --- clocks ------------------------------------------------------------------- */

/* When every clock set back by the timeline has caught up again: a core
 * never sees its clock go back, so after `skew N clock by` or `jump N clock
 * by` moves N's clock below the highest value its core has seen, N sees no
 * time pass (its timers stall) until virtual time plus N's offset passes that
 * value again. For liveness such a move is a fault lasting that long. Returns
 * the latest such instant, or -1 when no line sets a clock back. */
int64_t xp_script_clock_settle(const struct xp_script *s);

/* --- words -------------------------------------------------------------------- */

/* A statement split into words the way the scenario lexer does: spaces
 * separate, "double quotes" keep spaces (the quotes stay in the word). */
struct xp_words {
	char **w;
	size_t n;
};
void xp_words_split(const char *text, struct xp_words *out);
/* Words [0, n) without those in [skip, skip + count), joined by spaces. */
char *xp_words_join_except(const struct xp_words *ws, size_t skip, size_t count);
void xp_words_free(struct xp_words *ws);

#endif
