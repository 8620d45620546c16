/*
 * rc_limits.h - bounds on every field that crosses the wire or sits in a record.
 *
 * One place for the numbers so the codec (which rejects over-long input with a
 * precise error), the coordinator (which stores the values) and the daemons
 * (which size their buffers) cannot disagree.
 */
#ifndef RC_LIMITS_H
#define RC_LIMITS_H

#include <stdint.h>

/* Task and sandbox ids and runner sessions are 1..RC_MAX_ID: the wire holds
 * them as signed 64-bit JSON integers, so the core never issues or restores
 * one above this. */
#define RC_MAX_ID INT64_MAX

#define RC_RUNNER_ID_LEN 17 /* "lnch_" + 12 hex digits */
#define RC_RUNNER_ID_BUF (RC_RUNNER_ID_LEN + 1)

#define RC_MAX_HOSTNAME_LEN 255
#define RC_MAX_PROJECT_DIR_LEN 4096
#define RC_MAX_EXECUTOR_TYPE_LEN 128
#define RC_MAX_INSTANCE_TOKEN_LEN 128
#define RC_MAX_SECRET_LEN 256
#define RC_MAX_TASK_KIND_LEN 64
#define RC_MAX_PAYLOAD_LEN 16384
#define RC_MAX_TEXT_LEN 4096 /* task results, progress and status messages */
#define RC_MAX_CONTAINER_ID_LEN 128
#define RC_MAX_BODY_BYTES (64 * 1024)

#define RC_MAX_CONCURRENCY 64 /* upper bound of a runner's max_concurrency */
#define RC_MAX_GRANTS RC_MAX_CONCURRENCY

#endif
