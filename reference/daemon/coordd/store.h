/*
 * store.h - coordd's durable state in SQLite.
 *
 * The coordinator core decides; this module only remembers. After each core
 * call the daemon hands the call's effects to rcd_store_apply(), which writes
 * every record the effects name (read back from the core as it is now) plus
 * the history rows (sessions, attempts, task events, sandbox audit) in ONE
 * transaction, committed with synchronous=FULL before any reply leaves. On
 * start, rcd_store_load() feeds every record back through
 * rc_coord_restore_*().
 *
 * The database is opened in WAL mode with an exclusive lock held for the
 * process's life, so a second coordd on the same file fails at start instead
 * of corrupting it.
 */
#ifndef RCD_STORE_H
#define RCD_STORE_H

#include <stddef.h>

#include "coord.h"
#include "outbox.h"

struct rcd_store;

/* Why opening or loading failed: a file that cannot be opened, read or
 * locked, or one that is there but is not what coordd can use as it is (bad
 * input: coordd exits 2 for it, as runnerd does for a damaged state dir). */
enum rcd_store_failure { RCD_STORE_UNUSABLE = -1, RCD_STORE_REFUSED = -2 };

/* Open (creating if needed) the database at path and its schema; path is
 * always a file name (never SQLite's ":memory:" or a "file:" URI). Returns the
 * store, or NULL with err filled and *why (when why is not NULL) set:
 * RCD_STORE_REFUSED for a file of another program or of other tables. */
struct rcd_store *rcd_store_open(const char *path, enum rcd_store_failure *why, char *err, size_t err_cap);
void rcd_store_close(struct rcd_store *st);

/* Whether ob holds anything to persist (so read-only calls skip the
 * transaction). */
bool rcd_store_has_work(const struct rc_outbox *ob);

/* Persist the effects of one core call on c, atomically. Returns 0 once
 * committed, or -1 with err filled after rolling back (the core is then ahead
 * of the disk: the caller must not acknowledge anything). */
int rcd_store_apply(struct rcd_store *st, const struct rc_coord *c, const struct rc_outbox *ob, char *err,
		    size_t err_cap);

/* Restore every stored runner, task and sandbox into c (not yet calling
 * rc_coord_restore_done). Returns the number of records restored, or with
 * err filled RCD_STORE_REFUSED when a row is malformed or the core refuses
 * it, RCD_STORE_UNUSABLE when the file cannot be read. */
long rcd_store_load(struct rcd_store *st, struct rc_coord *c, char *err, size_t err_cap);

#endif
