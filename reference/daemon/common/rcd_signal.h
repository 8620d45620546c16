/*
 * rcd_signal.h - signals turned into bytes on a pipe (the self-pipe trick).
 *
 * A signal handler may do almost nothing safely, so it only writes the signal
 * number to a non-blocking pipe. The daemon's poll loop watches the read end
 * and handles SIGTERM, SIGINT, SIGHUP and SIGCHLD as ordinary events, on the
 * main thread, between calls into the core. Both ends are close-on-exec so
 * task processes do not inherit them.
 */
#ifndef RCD_SIGNAL_H
#define RCD_SIGNAL_H

#include <stdbool.h>

/* Bits returned by rcd_signal_drain(). */
enum {
	RCD_SIG_TERM = 1 << 0, /* SIGTERM or SIGINT */
	RCD_SIG_HUP = 1 << 1,
	RCD_SIG_CHLD = 1 << 2,
};

/* Create the pipe and install handlers for SIGTERM, SIGINT, SIGHUP and, when
 * want_chld, SIGCHLD; SIGPIPE is ignored. Returns the read end to poll, or -1
 * (errno set) on failure. */
int rcd_signal_setup(bool want_chld);
/* Read everything pending on the pipe; returns the RCD_SIG_* bits seen. */
int rcd_signal_drain(void);
/* Restore default dispositions and an empty signal mask (in a forked child
 * before exec). */
void rcd_signal_reset_in_child(void);
/* Close the pipe (at exit, so valgrind sees nothing left open). */
void rcd_signal_teardown(void);

#endif
