/*
 * scn_internal.h - what the parts of the scenario parser share: the tokens
 * of one line and the parser's cursor over them.
 *
 * The parser works line by line. A line is split into words (whitespace
 * separated, "double quotes" keep spaces, `#` starts a comment); each word
 * keeps its column so every error can point at it.
 */
#ifndef SCN_INTERNAL_H
#define SCN_INTERNAL_H

#include <stdarg.h>
#include <string.h>

#include "scn.h"

#define SCN_MAX_WORDS 64
#define SCN_MAX_ERRORS 20
#define SCN_NAME_CUT 255 /* a name word is read up to this many characters */

struct scn_word {
	char *text; /* NUL-terminated, points into the text's copy */
	int len;    /* strlen(text): keywords are compared by length first */
	int col;
	bool quoted;
};

struct scn_line {
	int number;
	struct scn_word *words; /* n words, owned by the scn_lines they came from */
	int n;
	size_t offset;      /* where the line starts in the parsed text */
	bool single_spaced; /* one ' ' between words: the source reads as its words joined */
	int end_col; /* column just past the last word: where "missing X" points */
	const char *split_error; /* why the line cannot be split (unterminated quote,
	                            too many words), or NULL; at split_error_col */
	int split_error_col;
};

/* A text split into lines of words once, for both passes of the parser. */
struct scn_lines {
	char *buf;              /* copy of the text, cut into words */
	struct scn_word *words; /* the words of every line, in order */
	size_t n_words, cap_words;
	struct scn_line *lines;
	size_t n;
};

/* Split text at newlines (a '\r' before one is dropped) and each line into
 * words; a line that cannot be split keeps its error. Release with
 * scn_lines_free(). */
void scn_split_text(const char *text, struct scn_lines *out);
void scn_lines_free(struct scn_lines *t);

/* Defined names -> kind and index in their table (scn_names.c). The names
 * are the scenario's own strings, borrowed; they are looked up by the text
 * and length of a word, in place. */
struct scn_name_slot {
	const char *name; /* NULL: empty slot */
	size_t len;
	enum scn_name_kind kind;
	int index;
};
struct scn_names {
	struct scn_name_slot *slots;
	size_t cap, len; /* cap: 0 or a power of two */
};
void scn_names_add(struct scn_names *m, const char *name, enum scn_name_kind kind, int index);
/* The kind of name[0..len) with *index set, or -1 if it is not there. */
int scn_names_find(const struct scn_names *m, const char *name, size_t len, int *index);
void scn_names_free(struct scn_names *m);

struct scn_parser {
	const char *path;
	struct scn_scenario *s;
	struct scn_diags *diags;
	struct scn_line *line;
	int i;        /* next word */
	int n_errors;
	/* the timeline must move forward */
	int64_t last_at_ms;
	int last_at_line;
	int first_timeline_line; /* 0 until an `at` or `expect` line */
	int end_line;            /* the `end at` line, 0 if none */
	bool secret_set;         /* a `config secret` line was read */
	size_t cap_nodes, cap_tasks, cap_sandboxes, cap_actions, cap_expects;
	size_t timeline_lines; /* pass 1: lines starting with 'at', about an action each */
	struct scn_names names; /* every name defined so far */
	char *source; /* the parsed text, kept in the scenario: statement texts point into it */
};

/* Append "PATH:LINE:COL: KIND" and the message to d, any 'quoted' word in it
 * longer than 64 bytes shortened to its first 48 and "...". */
void scn_diag_vpush(struct scn_diags *d, const char *path, int line, int col, const char *kind, const char *fmt,
		    va_list ap) __attribute__((format(printf, 6, 0)));
/* Report an error at column col of the current line (col 0: end of line).
 * Always returns -1 so callers can `return scn_error(...)`. */
int scn_error(struct scn_parser *p, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error "expected WHAT" at the current word, or at end of line. */
int scn_expected(struct scn_parser *p, const char *what);

/* Cursor helpers, inline: the grammar tries keyword after keyword on every
 * line, and exploration parses a generated scenario per seed. */

/* Whether w reads `word` (quoted or not): lengths first, so most misses cost
 * one comparison (the length of a literal word is known at compile time). */
static inline bool scn_word_is(const struct scn_word *w, const char *word)
{
	size_t n = strlen(word);
	return (size_t)w->len == n && memcmp(w->text, word, n) == 0;
}

/* The next word, NULL at end of line. */
static inline const struct scn_word *scn_peek(const struct scn_parser *p)
{
	return p->i < p->line->n ? &p->line->words[p->i] : NULL;
}

const struct scn_word *scn_next(struct scn_parser *p);

/* If the next word is `word` (not quoted), consume it and return true. */
static inline bool scn_accept(struct scn_parser *p, const char *word)
{
	const struct scn_word *w = scn_peek(p);
	if (w && !w->quoted && scn_word_is(w, word)) {
		p->i++;
		return true;
	}
	return false;
}

/* Report "expected 'word' after": the slow half of scn_require. */
int scn_missing(struct scn_parser *p, const char *word, const char *after);

/* Consume `word` or report "expected 'word' ...". Returns 0 or -1. */
static inline int scn_require(struct scn_parser *p, const char *word, const char *after)
{
	return scn_accept(p, word) ? 0 : scn_missing(p, word, after);
}
/* Report the first word left on the line, if any. Returns 0 or -1. */
int scn_require_end(struct scn_parser *p);

/* The clauses of one statement read so far (a runner's properties, the
 * words after `submit T`), each by its bit (at most SCN_ONCE_MAX), to refuse
 * one given twice: the second would silently win over the first. */
#define SCN_ONCE_MAX 8
struct scn_once {
	unsigned seen;
	int col[SCN_ONCE_MAX]; /* where each was given first */
};
/* Note clause `bit` given at word w; when it was given before, report "'W'
 * is given twice WHERE (first at column C)" at w and return -1. */
int scn_once(struct scn_parser *p, struct scn_once *o, int bit, const struct scn_word *w, const char *where);
/* The same report, for a repeat found by other means (a node named twice in
 * one `start`). Always -1. */
int scn_given_twice(struct scn_parser *p, const struct scn_word *w, const char *where, int first_col);

/* Readers that consume one word and report errors at it. Return 0 or -1. */
int scn_read_duration(struct scn_parser *p, int64_t *out_ms);
int scn_read_signed_duration(struct scn_parser *p, int64_t *out_ms);
int scn_read_int(struct scn_parser *p, const char *what, int64_t min, int64_t max, int64_t *out);
int scn_read_text(struct scn_parser *p, const char *what, char **out); /* kept */
/* Read a name of one of the kinds in mask (1 << enum scn_name_kind), set
 * *index to its index in its table and return its kind, or -1 (reported).
 * A trailing "'s" is split off into *possessive (when non-NULL; otherwise it
 * is an error). */
int scn_read_name(struct scn_parser *p, unsigned mask, int *index, bool *possessive);
/* Pass 2 on a defining word (runner declaration, submit, create sandbox): the
 * name must be valid and this line must be the one that defined it. Consumes
 * the word and sets *index. Returns 0 or -1. */
int scn_check_definition(struct scn_parser *p, enum scn_name_kind kind, int *index);
/* The kind of a defined name, name[0..len) (its index in *index), -1 if undefined. */
int scn_name_kind_of(const struct scn_parser *p, const char *name, size_t len, int *index);
/* An op word: "heartbeat", "heartbeats", "task-complete", ...; "any" and
 * "messages" give RC_OP_NONE when allow_any. */
int scn_read_op(struct scn_parser *p, bool allow_any, enum rc_op *op);
int scn_read_http_status(struct scn_parser *p, int *status);

/* Parts of the grammar, one file each. Each parses from the cursor to the end
 * of the line and returns 0 or -1 (error reported). */
int scn_parse_action(struct scn_parser *p, int64_t at_ms);
/* "at T expect liveness": the simulator's own check, kept as an action. */
int scn_add_liveness_check(struct scn_parser *p, int64_t at_ms, int col);
int scn_parse_expect(struct scn_parser *p, bool timed, int64_t at_ms, bool at_end);
int scn_parse_state_or_event(struct scn_parser *p, bool *is_event, struct scn_state *st, struct scn_event *ev);

/* Append a zeroed item to a growable table of the scenario. */
struct scn_action *scn_new_action(struct scn_parser *p);
struct scn_expect *scn_new_expect(struct scn_parser *p);

/* The text of the current line from word `from` on, as one string kept in
 * the scenario: the line in the kept source when its words are separated by
 * single spaces (it then reads as the words joined), else the words joined. */
char *scn_line_text(const struct scn_parser *p, int from);

/* Strings of the scenario: copies kept in chunks that s owns, one malloc per
 * chunk instead of one per string (an explored scenario keeps hundreds of
 * action texts and names); scn_free releases them all. A string replaced
 * during parsing is simply left in its chunk. */
char *scn_keep(struct scn_scenario *s, const char *text, size_t n); /* text[0..n) and a NUL */
char *scn_keep_str(struct scn_scenario *s, const char *text);
char *scn_reserve(struct scn_scenario *s, size_t size); /* room the caller fills */

/* Room for item len of a growable table (cap items allocated): the table,
 * moved if it had to grow. The new room is not zeroed: whoever adds an item
 * sets all of it (zeroing the whole new half of a table cost more than
 * filling it, in a parse per explored seed). */
void *scn_grow(void *items, size_t *cap, size_t len, size_t size);
/* Room for at least want items in all (same rules as scn_grow). */
void *scn_grow_to(void *items, size_t *cap, size_t want, size_t size);

/* Word tables shared by the parser and the executor's messages. */
int scn_word_index(const char *const *words, int n, const char *word);
extern const char *const scn_runner_status_words[3]; /* online stale removed */
extern const char *const scn_process_words[5];       /* down up paused crashed exited */
extern const char *const scn_phase_words[5];         /* by enum rc_runner_phase */
extern const char *const scn_task_state_words[4];    /* queued running completed failed */
extern const char *const scn_proc_event_words[SCN_PEV_COUNT];

#endif
