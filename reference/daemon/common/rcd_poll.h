/*
 * rcd_poll.h - the descriptors one wait of a daemon's loop covers.
 *
 * Why poll(2) and not select(2): an fd_set holds descriptors below
 * FD_SETSIZE (1024) only, and a daemon does not choose its numbers. Started
 * by a supervisor that leaks a thousand descriptors, coordd could not even
 * listen ("descriptor 1107 is not less than FD_SETSIZE"), and a runnerd's
 * transfers on such numbers would never have been waited for. Each loop waits
 * on a handful of descriptors whatever their numbers: the signal pipe, the
 * HTTP server's epoll descriptor (which stands for all its connections) and,
 * in runnerd, libcurl's sockets (libcurl polls those itself, see
 * runnerd_client_wait).
 */
#ifndef RCD_POLL_H
#define RCD_POLL_H

#include <poll.h>
#include <stdbool.h>

#define RCD_POLL_MAX 4

struct rcd_pollset {
	struct pollfd fds[RCD_POLL_MAX];
	int n;
};

void rcd_pollset_clear(struct rcd_pollset *s);
/* Wait for fd to become readable; returns its slot for rcd_pollset_readable.
 * More than RCD_POLL_MAX descriptors is a programming error (assert). */
int rcd_pollset_add(struct rcd_pollset *s, int fd);
bool rcd_pollset_readable(const struct rcd_pollset *s, int slot);
/* poll() for at most timeout_ms. Returns the number of ready descriptors,
 * 0 on timeout or EINTR (nothing is then readable), -1 on another error. */
int rcd_pollset_wait(struct rcd_pollset *s, int timeout_ms);

#endif
