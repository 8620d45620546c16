/*
 * evidence.h - judge each checklist item from the test results.
 *
 * An item is
 *   verified  when every scenario and test it names has results and all pass;
 *   failing   when one of them failed, errored, was skipped or has no result
 *             at all (a name with no result is most likely a typo or a
 *             scenario that was not run: it must not pass silently);
 *   a gap     when it names nothing (no annotation, or `verify: none`).
 * Only verified items are ticked. A checklist with a failing item fails.
 *
 * Memory: struct rpt_judged points into the checklist and the results it was
 * made from (both must outlive it) and owns its own arrays and coverage.
 */
#ifndef RPT_EVIDENCE_H
#define RPT_EVIDENCE_H

#include <stddef.h>

#include "checklist.h"
#include "coverage.h"
#include "results.h"

enum rpt_item_status { RPT_ITEM_VERIFIED = 0, RPT_ITEM_FAILING, RPT_ITEM_GAP };
const char *rpt_item_status_name(enum rpt_item_status s); /* "verified", "failing", "gap" */

/* What the results say about one reference of an item. */
struct rpt_ref_outcome {
	const struct rpt_ref *ref;
	enum rpt_verdict verdict;  /* pass only if every matching case passed */
	const struct rpt_case **cases; /* the matching cases (owned array, borrowed cases) */
	size_t n_cases;
	const struct rpt_case *worst;  /* the first failing case, or the first case; NULL if none */
};

struct rpt_item_verdict {
	enum rpt_item_status status;
	struct rpt_ref_outcome *refs; /* one per item ref */
	struct rpt_coverage coverage; /* filled by the caller (rpt_coverage_load), or not measured */
};

struct rpt_judged {
	const struct rpt_checklist *checklist;
	struct rpt_item_verdict *items; /* one per checklist item */
	size_t verified, failing, gaps;
};

/* Judge every item of c against r into *out (free with rpt_judged_free). */
void rpt_judge(const struct rpt_checklist *c, const struct rpt_results *r, struct rpt_judged *out);
void rpt_judged_free(struct rpt_judged *j);

/* The command that replays a case: its own `replay` if the results carry
 * one, else one built from the conventions (`build/bin/rollcall run --seeds
 * SEEDS FILE` for a scenario, `build/bin/unit-tests SUITE ['TEST']` for a
 * unit test, `RC_BIN=$PWD/build/bin bash tests/integration/run.sh NAME` for
 * an integration test). For a unit suite ref (no case given) use rpt_ref_replay().
 * The caller frees the result. */
char *rpt_case_replay(const struct rpt_case *c);
/* The command that replays what a reference names; uses the outcome's worst
 * case when there is one. Caller frees. */
char *rpt_ref_replay(const struct rpt_ref_outcome *o);

#endif
