/*
 * xp_shrink.c - delta debugging over scenario statements.
 *
 * The shrinker keeps the smallest scenario found so far (`cur`) and the
 * words of each of its lines. Each pass proposes candidates derived from
 * `cur`; `attempt` prints, parses and runs one and keeps it when it fails
 * the same way. Candidates already tried are remembered by the hash of their
 * text, so later rounds do not pay for them twice. Passes repeat until a
 * whole round changes nothing or the run budget is spent.
 */
#include "xp_shrink.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"
#include "xp_buf.h"

#define SEC 1000LL
#define MIN 60000LL

/* What the shrinker knows about one line of `cur`. */
struct line_info {
	struct xp_words ws;
	char defines[128];  /* the name the line introduces, "" */
	int heal_of;        /* a heal: index of the partition it undoes, -1 */
};

/* How small a scenario is, compared lexicographically: statements, words,
 * the sum of its times, the sum of the numbers in its lines, its length.
 * A candidate is kept only if it is strictly smaller, so shrinking ends. */
struct size {
	size_t statements, words;
	int64_t times, values;
	size_t length;
};

struct shrinker {
	struct xp_script cur;
	struct size cur_size;
	struct line_info *info; /* one per line of cur */
	struct xp_result best;  /* cur's run */
	uint64_t seed;
	char what[1000];        /* the failure's identity (see signature) */
	bool liveness;
	int64_t min_gap;        /* liveness: check time - settle time of the input (INT64_MIN: none) */
	int max_runs;
	const struct xp_shrink_cfg *cfg;
	struct xp_shrink_stats *st;
	FILE *log;
	uint64_t *seen;         /* hashes of candidate texts tried (open addressing, 0 empty) */
	size_t seen_cap, seen_n;
};

/* --- line facts ------------------------------------------------------------------- */

static const char *word(const struct line_info *li, size_t i)
{
	return i < li->ws.n ? li->ws.w[i] : "";
}

static bool is_timeline(const struct xp_line *l)
{
	return l->kind != XP_LINE_DECL;
}

static bool is_check(const struct xp_line *l)
{
	return l->kind == XP_LINE_AT && strcmp(l->body, "expect liveness") == 0;
}

static bool is_expectation(const struct xp_line *l, const struct line_info *li)
{
	return l->kind != XP_LINE_DECL && strcmp(word(li, 0), "expect") == 0;
}

/* The link of a partition / heal line: its words after the verb. */
static char *link_of(const struct line_info *li)
{
	return xp_words_join_except(&li->ws, 0, 1);
}

/* heal_of for every line: heals pair with the latest open partition of the
 * same link, `heal all` closes them all (as the scenario parser does). */
static void pair_heals(const struct xp_script *s, struct line_info *info)
{
	size_t *open = xp_alloc((s->n + 1) * sizeof *open);
	size_t n_open = 0;
	for (size_t i = 0; i < s->n; i++) {
		info[i].heal_of = -1;
		const struct line_info *li = &info[i];
		if (s->lines[i].kind != XP_LINE_AT)
			continue;
		if (strcmp(word(li, 0), "partition") == 0) {
			open[n_open++] = i;
		} else if (strcmp(word(li, 0), "heal") == 0 && strcmp(word(li, 1), "all") == 0) {
			n_open = 0;
		} else if (strcmp(word(li, 0), "heal") == 0) {
			char *link = link_of(li);
			for (size_t k = n_open; k-- > 0;) {
				char *other = link_of(&info[open[k]]);
				bool same = strcmp(other, link) == 0;
				free(other);
				if (same) {
					info[i].heal_of = (int)open[k];
					memmove(&open[k], &open[k + 1], (n_open - k - 1) * sizeof *open);
					n_open--;
					break;
				}
			}
			free(link);
		}
	}
	free(open);
}

static void free_info(struct shrinker *k)
{
	for (size_t i = 0; k->info && i < k->cur.n; i++)
		xp_words_free(&k->info[i].ws);
	free(k->info);
	k->info = NULL;
}

static void refresh_info(struct shrinker *k)
{
	k->info = xp_alloc((k->cur.n + 1) * sizeof *k->info);
	for (size_t i = 0; i < k->cur.n; i++) {
		xp_words_split(k->cur.lines[i].body, &k->info[i].ws);
		k->info[i].defines[0] = '\0';
		if (xp_line_defines(&k->cur.lines[i], k->info[i].defines, sizeof k->info[i].defines) == XP_NAME_NONE)
			k->info[i].defines[0] = '\0';
	}
	pair_heals(&k->cur, k->info);
}

static bool mentions(const struct line_info *li, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < li->ws.n; i++) {
		const char *w = li->ws.w[i];
		if (strncmp(w, name, n) == 0 && (w[n] == '\0' || strcmp(w + n, "'s") == 0))
			return true;
	}
	return false;
}

/* --- liveness fairness -------------------------------------------------------------- */

static int64_t check_time(const struct xp_script *s)
{
	int64_t t = -1;
	for (size_t i = 0; i < s->n; i++)
		if (is_check(&s->lines[i]))
			t = s->lines[i].at_ms;
	return t;
}

/* When faults stop: the last `heal all` before the check, or -1. */
static int64_t settle_time(const struct xp_script *s)
{
	int64_t check = check_time(s), t = -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct xp_line *l = &s->lines[i];
		if (l->kind == XP_LINE_AT && strcmp(l->body, "heal all") == 0 && (check < 0 || l->at_ms <= check))
			t = l->at_ms;
	}
	return t;
}

/* Whether some line before i is `verb` applied to node. */
static bool earlier(const struct shrinker *k, size_t i, const char *verb, const char *node)
{
	for (size_t j = 0; j < i; j++) {
		const struct line_info *lj = &k->info[j];
		if (k->cur.lines[j].kind != XP_LINE_AT || strcmp(word(lj, 0), verb) != 0)
			continue;
		if (!node)
			return true;
		for (size_t w = 1; w < lj->ws.n; w++)
			if (strcmp(lj->ws.w[w], node) == 0)
				return true;
	}
	return false;
}

/* A line of the settle block that undoes a fault still in the scenario, or
 * starts a node. */
static bool undoes_a_fault(const struct shrinker *k, size_t i)
{
	const struct line_info *li = &k->info[i];
	const char *verb = word(li, 0);
	if (strcmp(verb, "heal") == 0)
		return strcmp(word(li, 1), "all") == 0 &&
		       (earlier(k, i, "partition", NULL) || earlier(k, i, "drop", NULL) || earlier(k, i, "delay", NULL));
	for (size_t w = 1; w < li->ws.n; w++) {
		const char *node = li->ws.w[w];
		bool coordinator = strcmp(node, "coordinator") == 0;
		/* runners up when faults end are what liveness is judged on; the
		 * coordinator is up from the start unless a line took it down */
		if (strcmp(verb, "start") == 0 &&
		    (!coordinator || earlier(k, i, "crash", node) || earlier(k, i, "stop", node)))
			return true;
		if (strcmp(verb, "resume") == 0 && earlier(k, i, "pause", node))
			return true;
	}
	return false;
}

static bool is_protected(const struct shrinker *k, size_t i)
{
	const struct xp_line *l = &k->cur.lines[i];
	if (!k->liveness || l->kind != XP_LINE_AT)
		return false;
	int64_t settle = settle_time(&k->cur), check = check_time(&k->cur);
	return is_check(l) || (settle >= 0 && l->at_ms >= settle && (check < 0 || l->at_ms <= check) &&
			       undoes_a_fault(k, i));
}

static bool fair(const struct shrinker *k, const struct xp_script *s)
{
	if (!k->liveness || k->min_gap == INT64_MIN)
		return true;
	int64_t settle = settle_time(s), check = check_time(s), clocks = xp_script_clock_settle(s);
	if (clocks > settle)
		settle = clocks; /* a node set back in time stalls until it catches up */
	return settle >= 0 && check >= 0 && check - settle >= k->min_gap;
}

/* --- candidates ------------------------------------------------------------------------ */

/* What must stay the same: the broken invariant, or the broken expectation,
 * when it broke and what happened instead (an expectation line is kept as
 * written, so its message is comparable; without it, starving the run - a
 * runner never started - would pass for the same failure), and whether its
 * runner ever runs (an outcome such as "it never happened" reads the same
 * when the runner is never started: the expectation would then be about
 * nothing the code does). For liveness also what did not
 * converge (a task running, a task queued, a runner not online, the
 * coordinator down), for the same reason. */
static void signature(const struct scn_scenario *s, const struct xp_result *r, char *buf, size_t n)
{
	static const char inv[] = "invariant ";
	if (strncmp(r->out.what, inv, sizeof inv - 1) != 0) {
		char at[32];
		bool by_id;
		if (r->out.fail_expect >= 0)
			snprintf(buf, n, "%s | at %s | %s%s", r->out.what,
				 scn_format_duration(r->out.fail_at_ms, at, sizeof at), r->out.why,
				 scn_expect_idle_runner(s, &s->expects[r->out.fail_expect], &by_id) != 0
					 ? " | its runner never runs" : "");
		else
			snprintf(buf, n, "%s | %s", r->out.what, r->out.why);
		return;
	}
	const char *first = strstr(r->out.why, "first: ");
	if (strcmp(r->out.what, "invariant liveness") != 0 || !first) {
		snprintf(buf, n, "%s", r->out.what);
		return;
	}
	struct xp_words ws;
	xp_words_split(first + 7, &ws);
	const char *state = "";
	for (size_t i = 1; i + 1 < ws.n; i++) {
		if (strcmp(ws.w[i], "is") == 0) {
			state = ws.w[i + 1];
			break;
		}
	}
	snprintf(buf, n, "%s: %s %s", r->out.what, ws.n ? ws.w[0] : "", state);
	xp_words_free(&ws);
}

/* Parse and run text with seed; when it fails, its signature in sig. */
static enum xp_status run_text(const char *text, const char *path, uint64_t seed, struct xp_result *r, char *sig,
			       size_t n)
{
	struct scn_scenario *s = xp_parse_text(text, path, r);
	if (!s)
		return r->status;
	if (xp_run_parsed(s, seed, NULL, r) == XP_FAIL)
		signature(s, r, sig, n);
	scn_free(s);
	return r->status;
}

static int64_t sum_values(const char *body)
{
	struct xp_words ws;
	xp_words_split(body, &ws);
	int64_t sum = 0, v;
	for (size_t i = 0; i < ws.n; i++) {
		const char *w = ws.w[i][0] == '+' || ws.w[i][0] == '-' ? ws.w[i] + 1 : ws.w[i];
		if (w[0] >= '0' && w[0] <= '9' && scn_parse_duration(w, &v) == 0)
			sum += v;
	}
	xp_words_free(&ws);
	return sum;
}

static struct size measure(const struct xp_script *s, const char *text)
{
	struct size z = { xp_script_statements(s), 0, s->end_ms > 0 ? s->end_ms : 0, 0, strlen(text) };
	for (size_t i = 0; i < s->n; i++) {
		const char *b = s->lines[i].body;
		bool in_word = false;
		for (; *b; b++) {
			bool space = *b == ' ';
			z.words += !space && !in_word;
			in_word = !space;
		}
		if (s->lines[i].kind == XP_LINE_AT)
			z.times += s->lines[i].at_ms;
		z.values += sum_values(s->lines[i].body);
	}
	return z;
}

static bool smaller(const struct size *a, const struct size *b)
{
	if (a->statements != b->statements)
		return a->statements < b->statements;
	if (a->words != b->words)
		return a->words < b->words;
	if (a->times != b->times)
		return a->times < b->times;
	if (a->values != b->values)
		return a->values < b->values;
	return a->length < b->length;
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* Remember h; false when it was there already. */
static bool seen_add(struct shrinker *k, uint64_t h)
{
	if (2 * (k->seen_n + 1) > k->seen_cap) {
		size_t cap = k->seen_cap ? 2 * k->seen_cap : 1024;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < k->seen_cap; i++) {
			if (!k->seen[i])
				continue;
			size_t j = k->seen[i] & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = k->seen[i];
		}
		free(k->seen);
		k->seen = t;
		k->seen_cap = cap;
	}
	size_t j = h & (k->seen_cap - 1);
	while (k->seen[j]) {
		if (k->seen[j] == h)
			return false;
		j = (j + 1) & (k->seen_cap - 1);
	}
	k->seen[j] = h;
	k->seen_n++;
	return true;
}

/* Run a candidate (taken over: kept as cur or freed). True when kept. */
static bool attempt(struct shrinker *k, struct xp_script *cand)
{
	if (k->st->runs >= k->max_runs) {
		k->st->hit_limit = true;
		xp_script_free(cand);
		return false;
	}
	cand->pinned = true;
	cand->seed = k->seed;
	cand->has_seeds = false;
	char *text = fair(k, cand) ? xp_script_format(cand, NULL) : NULL;
	struct size z = text ? measure(cand, text) : k->cur_size;
	if (!text || !smaller(&z, &k->cur_size) || !seen_add(k, fnv(text))) {
		free(text);
		xp_script_free(cand);
		return false;
	}
	k->st->runs++;
	struct xp_result r;
	char sig[sizeof k->what];
	bool same = run_text(text, "candidate.scn", k->seed, &r, sig, sizeof sig) == XP_FAIL &&
		    strcmp(sig, k->what) == 0;
	if (same && k->cfg->also)
		same = k->cfg->also(k->cfg->also_ctx, text, k->seed);
	free(text);
	if (!same) {
		xp_script_free(cand);
		return false;
	}
	free_info(k);
	xp_script_free(&k->cur);
	k->cur = *cand;
	k->cur_size = z;
	k->best = r;
	k->st->kept++;
	refresh_info(k);
	return true;
}

/* cur without the lines marked in drop (plus what they leave dangling:
 * lines naming what a dropped line defined, heals of dropped partitions).
 * Protected lines go only with the node they name (by_name). */
static bool attempt_drop(struct shrinker *k, bool *drop, bool by_name)
{
	const struct xp_script *s = &k->cur;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < s->n; i++) {
			if (!drop[i] || !k->info[i].defines[0])
				continue;
			for (size_t j = 0; j < s->n; j++) {
				if (!drop[j] && mentions(&k->info[j], k->info[i].defines)) {
					drop[j] = true;
					changed = true;
				}
			}
		}
		for (size_t j = 0; j < s->n; j++) {
			if (!drop[j] && k->info[j].heal_of >= 0 && drop[k->info[j].heal_of]) {
				drop[j] = true;
				changed = true;
			}
		}
	}
	struct xp_script cand;
	xp_script_init(&cand);
	cand.end_ms = s->end_ms;
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!drop[i]) {
			xp_script_add(&cand, s->lines[i].kind, s->lines[i].at_ms, s->lines[i].body);
			kept++;
		} else if (!by_name && is_protected(k, i)) {
			xp_script_free(&cand);
			return false;
		}
	}
	if (kept == s->n) {
		xp_script_free(&cand);
		return false;
	}
	return attempt(k, &cand);
}

static bool *no_drops(const struct shrinker *k)
{
	return calloc(k->cur.n + 1, sizeof(bool));
}

/* --- passes ------------------------------------------------------------------------------ */

static int64_t latest_time(const struct xp_script *s)
{
	int64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->lines[i].kind == XP_LINE_AT && s->lines[i].at_ms > t)
			t = s->lines[i].at_ms;
	return t;
}

static int64_t ceil_to(int64_t t, int64_t grid)
{
	return (t + grid - 1) / grid * grid;
}

/* `end at` only when the failure comes after the last line, on a whole second. */
static bool pass_end(struct shrinker *k)
{
	int64_t fail = k->best.out.fail_at_ms;
	int64_t want = fail > latest_time(&k->cur) ? ceil_to(fail, SEC) : -1;
	if (want == k->cur.end_ms)
		return false;
	struct xp_script cand;
	xp_script_copy(&cand, &k->cur);
	cand.end_ms = want;
	return attempt(k, &cand);
}

/* Nothing after the failure can have caused it. */
static bool pass_truncate(struct shrinker *k)
{
	int64_t fail = k->best.out.fail_at_ms;
	bool *drop = no_drops(k);
	int64_t latest = 0;
	for (size_t i = 0; i < k->cur.n; i++) {
		drop[i] = k->cur.lines[i].kind == XP_LINE_AT && k->cur.lines[i].at_ms > fail;
		if (!drop[i] && k->cur.lines[i].kind == XP_LINE_AT && k->cur.lines[i].at_ms > latest)
			latest = k->cur.lines[i].at_ms;
	}
	int64_t end = k->cur.end_ms;
	k->cur.end_ms = fail > latest ? ceil_to(fail, SEC) : -1; /* the candidate inherits it */
	bool kept = attempt_drop(k, drop, false);
	if (!kept)
		k->cur.end_ms = end;
	free(drop);
	return kept;
}

/* Runners, tasks and sandboxes with all the lines that name them: in
 * halving groups (all but one runner at once finds the one that matters
 * without walking through every smaller world), then one by one, the last
 * defined first. */
static bool pass_names(struct shrinker *k)
{
	bool any = false;
	size_t n = 0;
	for (size_t i = 0; i < k->cur.n; i++)
		n += k->info[i].defines[0] != '\0';
	for (size_t size = n > 1 ? n / 2 : 1; size >= 1; size /= 2) {
		for (size_t start = 0; start < n; start += size) {
			bool *drop = no_drops(k);
			size_t seen = 0;
			for (size_t i = k->cur.n; i-- > 0;) {
				if (!k->info[i].defines[0])
					continue;
				drop[i] = seen >= start && seen < start + size;
				seen++;
			}
			if (attempt_drop(k, drop, true)) {
				any = true;
				n -= size < n ? size : n;
				start -= size < start ? size : start; /* look at this place again */
			}
			free(drop);
		}
		if (size == 1)
			break;
	}
	return any;
}

/* Timeline lines in chunks: halves, quarters, ... single lines. */
static bool pass_chunks(struct shrinker *k)
{
	bool any = false;
	size_t total = 0;
	for (size_t i = 0; i < k->cur.n; i++)
		total += is_timeline(&k->cur.lines[i]);
	for (size_t size = total / 2 ? total / 2 : 1; size >= 1; size /= 2) {
		for (size_t start = 0;; start += size) {
			/* the timeline lines [start, start + size) of cur, counting unprotected ones */
			bool *drop = no_drops(k);
			size_t seen = 0, marked = 0;
			for (size_t i = 0; i < k->cur.n; i++) {
				if (!is_timeline(&k->cur.lines[i]) || is_protected(k, i))
					continue;
				if (seen >= start && seen < start + size) {
					drop[i] = true;
					marked++;
				}
				seen++;
			}
			bool kept = marked && attempt_drop(k, drop, false);
			free(drop);
			if (kept) {
				any = true;
				start -= size; /* the same place now holds other lines */
			} else if (start + size >= seen) {
				break;
			}
		}
		if (size == 1)
			break;
	}
	return any;
}

/* Replace line i's body (a candidate from cur). */
static bool attempt_body(struct shrinker *k, size_t i, const char *body)
{
	struct xp_script cand;
	xp_script_copy(&cand, &k->cur);
	xp_script_set_body(&cand, i, body);
	return attempt(k, &cand);
}

/* Settings: each `config` line; runner properties: each KEY VALUE pair. */
static bool pass_decls(struct shrinker *k)
{
	bool any = false;
	for (size_t i = k->cur.n; i-- > 0;) {
		if (i >= k->cur.n || k->cur.lines[i].kind != XP_LINE_DECL)
			continue;
		const struct line_info *li = &k->info[i];
		if (strcmp(word(li, 0), "config") == 0) {
			bool *drop = no_drops(k);
			drop[i] = true;
			any |= attempt_drop(k, drop, false);
			free(drop);
			continue;
		}
		if (strcmp(word(li, 0), "runner") != 0)
			continue;
		for (size_t p = 2; i < k->cur.n && p + 1 < k->info[i].ws.n;) {
			char *body = xp_words_join_except(&k->info[i].ws, p, 2);
			bool kept = attempt_body(k, i, body);
			free(body);
			any |= kept;
			if (!kept)
				p += 2;
		}
	}
	return any;
}

static bool is_count(const char *w)
{
	if (!*w)
		return false;
	for (const char *p = w; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* Simpler values for a duration word ("2m13s" -> 2m, 2m10s, 1m6s, ...). */
static size_t nicer_durations(const char *w, char out[][32], size_t max)
{
	const char *num = (w[0] == '+' || w[0] == '-') ? w + 1 : w;
	int64_t d;
	if (is_count(num) || scn_parse_duration(num, &d) != 0 || d <= 0)
		return 0;
	int64_t cand[6] = { d / MIN * MIN, d / (10 * SEC) * (10 * SEC), d / SEC * SEC,
			    d >= 2 * SEC ? d / 2 / SEC * SEC : 0, d >= 200 ? d / 2 / 100 * 100 : 0, 0 };
	size_t n = 0;
	for (size_t i = 0; i < 6 && n < max; i++) {
		if (cand[i] <= 0 || cand[i] == d)
			continue;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= cand[j] == cand[i];
		if (dup)
			continue;
		char f[32];
		snprintf(out[n++], 32, "%.1s%s", num != w ? w : "", scn_format_duration(cand[i], f, sizeof f));
	}
	return n;
}

/* Whether dropping words [p, p + len) of a line would drop the name it
 * defines (the next word would become the name) or the keyword "task" of
 * "submit task T" / "for task T" (optional, but it reads better). */
static bool drops_sugar(const struct line_info *li, size_t p, size_t len)
{
	for (size_t w = p; w < p + len; w++)
		if (strcmp(li->ws.w[w], "task") == 0 || strcmp(li->ws.w[w], li->defines) == 0)
			return true;
	return false;
}

/* Shorter bodies for line i: fewer words, rounder numbers. */
static bool shrink_line(struct shrinker *k, size_t i)
{
	for (size_t len = 4; len >= 1; len--) {
		for (size_t p = 1; p + len <= k->info[i].ws.n; p++) {
			if (drops_sugar(&k->info[i], p, len))
				continue;
			char *body = xp_words_join_except(&k->info[i].ws, p, len);
			bool kept = attempt_body(k, i, body);
			free(body);
			if (kept)
				return true;
		}
	}
	for (size_t p = 1; p < k->info[i].ws.n; p++) {
		char values[6][32];
		size_t n = nicer_durations(k->info[i].ws.w[p], values, 6);
		if (is_count(k->info[i].ws.w[p]) && strcmp(k->info[i].ws.w[p], "1") != 0)
			snprintf(values[n++], 32, "1");
		for (size_t v = 0; v < n; v++) {
			struct xp_words ws = k->info[i].ws;
			char *saved = ws.w[p];
			ws.w[p] = values[v];
			char *body = xp_words_join_except(&ws, ws.n, 0);
			ws.w[p] = saved;
			bool kept = attempt_body(k, i, body);
			free(body);
			if (kept)
				return true;
		}
	}
	return false;
}

static bool pass_words(struct shrinker *k)
{
	bool any = false;
	for (size_t i = 0; i < k->cur.n; i++) {
		const struct xp_line *l = &k->cur.lines[i];
		if (l->kind != XP_LINE_AT || is_expectation(l, &k->info[i]) || is_protected(k, i))
			continue;
		while (i < k->cur.n && shrink_line(k, i))
			any = true;
	}
	return any;
}

/* Distinct times of timed lines, ascending (malloc'd). */
static size_t distinct_times(const struct xp_script *s, int64_t **out)
{
	int64_t *t = xp_alloc((s->n + 1) * sizeof *t);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) /* timed lines are in time order */
		if (s->lines[i].kind == XP_LINE_AT && (n == 0 || t[n - 1] != s->lines[i].at_ms))
			t[n++] = s->lines[i].at_ms;
	*out = t;
	return n;
}

/* cur with every time >= from moved earlier by delta. */
static bool attempt_shift(struct shrinker *k, int64_t from, int64_t delta)
{
	struct xp_script cand;
	xp_script_copy(&cand, &k->cur);
	for (size_t i = 0; i < cand.n; i++)
		if (cand.lines[i].kind == XP_LINE_AT && cand.lines[i].at_ms >= from)
			cand.lines[i].at_ms -= delta;
	if (cand.end_ms >= from)
		cand.end_ms -= delta;
	return attempt(k, &cand);
}

/* Close gaps in time: each gap tried at 0 (start only), 1 s, 2 s, 5 s, ... */
static bool pass_gaps(struct shrinker *k)
{
	static const int64_t nice[] = { 0, 1 * SEC, 2 * SEC, 5 * SEC, 10 * SEC, 20 * SEC, 30 * SEC,
					1 * MIN, 2 * MIN, 5 * MIN, 10 * MIN, 20 * MIN };
	bool any = false;
	int64_t *t;
	size_t n = distinct_times(&k->cur, &t);
	for (size_t i = 0; i < n; i++) {
		int64_t prev = i ? t[i - 1] : 0, gap = t[i] - prev;
		for (size_t g = i ? 1 : 0; g < sizeof nice / sizeof nice[0] && nice[g] < gap; g++) {
			if (attempt_shift(k, t[i], gap - nice[g])) {
				any = true;
				free(t);
				n = distinct_times(&k->cur, &t);
				break;
			}
		}
	}
	free(t);
	return any;
}

/* Round each instant down to a minute, ten seconds or a second, keeping order. */
static bool pass_round(struct shrinker *k)
{
	static const int64_t grids[] = { MIN, 10 * SEC, SEC };
	bool any = false;
	int64_t *t;
	size_t n = distinct_times(&k->cur, &t);
	for (size_t i = 0; i < n; i++) {
		int64_t lo = i ? t[i - 1] : -1, hi = i + 1 < n ? t[i + 1] : INT64_MAX;
		bool moved = false;
		for (size_t g = 0; g < 3 && !moved; g++) {
			int64_t to = t[i] / grids[g] * grids[g];
			if (to == t[i] || to <= lo || to >= hi)
				continue;
			struct xp_script cand;
			xp_script_copy(&cand, &k->cur);
			for (size_t j = 0; j < cand.n; j++)
				if (cand.lines[j].kind == XP_LINE_AT && cand.lines[j].at_ms == t[i])
					cand.lines[j].at_ms = to;
			moved = attempt(k, &cand);
		}
		if (moved) {
			any = true;
			free(t);
			n = distinct_times(&k->cur, &t);
		}
	}
	free(t);
	return any;
}

/* --- driver ------------------------------------------------------------------------------- */

static void note(const struct shrinker *k, const char *pass)
{
	if (k->log)
		fprintf(k->log, "shrink: %-9s %3zu statements, %d runs\n", pass, xp_script_statements(&k->cur),
			k->st->runs);
}

int xp_shrink(const struct xp_script *in, const struct xp_shrink_cfg *cfg, struct xp_script *out,
	      struct xp_result *final, struct xp_shrink_stats *st)
{
	memset(st, 0, sizeof *st);
	struct shrinker k = { .seed = cfg->seed, .max_runs = cfg->max_runs > 0 ? cfg->max_runs : 4000, .cfg = cfg,
			      .st = st, .log = cfg->log };
	xp_script_copy(&k.cur, in);
	k.cur.pinned = true;
	k.cur.seed = cfg->seed;
	k.cur.has_seeds = false;
	st->statements_before = xp_script_statements(&k.cur);
	char *text = xp_script_format(&k.cur, NULL);
	run_text(text, "input.scn", cfg->seed, &k.best, k.what, sizeof k.what);
	k.cur_size = measure(&k.cur, text);
	bool also = k.best.status != XP_FAIL || !cfg->also || cfg->also(cfg->also_ctx, text, cfg->seed);
	free(text);
	*final = k.best;
	if (k.best.status != XP_FAIL || !also) {
		xp_script_free(&k.cur);
		return k.best.status != XP_FAIL ? -1 : -2;
	}
	k.liveness = strcmp(k.best.out.what, "invariant liveness") == 0;
	/* the input's own gap from the end of its faults (clocks included) to its
	 * check is what every candidate keeps at least */
	int64_t settle = settle_time(&k.cur), check = check_time(&k.cur), clocks = xp_script_clock_settle(&k.cur);
	if (clocks > settle)
		settle = clocks;
	k.min_gap = k.liveness && settle >= 0 && check >= 0 ? check - settle : INT64_MIN;
	refresh_info(&k);
	static const struct {
		const char *name;
		bool (*run)(struct shrinker *);
	} passes[] = {
		{ "truncate", pass_truncate }, { "names", pass_names }, { "chunks", pass_chunks },
		{ "settings", pass_decls },    { "words", pass_words }, { "gaps", pass_gaps },
		{ "round", pass_round },       { "end", pass_end },
	};
	for (bool changed = true; changed && !st->hit_limit;) {
		changed = false;
		for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
			changed |= passes[p].run(&k);
			note(&k, passes[p].name);
		}
	}
	free_info(&k);
	free(k.seen);
	st->statements_after = xp_script_statements(&k.cur);
	*out = k.cur;
	*final = k.best;
	return 0;
}
