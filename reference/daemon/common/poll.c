/*
 * poll.c - rcd_poll.h on poll(2).
 */
#include "rcd_poll.h"

#include <assert.h>
#include <errno.h>

void rcd_pollset_clear(struct rcd_pollset *s)
{
	s->n = 0;
}

int rcd_pollset_add(struct rcd_pollset *s, int fd)
{
	assert(s->n < RCD_POLL_MAX && "more descriptors than a loop waits on");
	s->fds[s->n] = (struct pollfd){ .fd = fd, .events = POLLIN, .revents = 0 };
	return s->n++;
}

bool rcd_pollset_readable(const struct rcd_pollset *s, int slot)
{
	/* A hung-up or failed descriptor is readable too: reading it is how its
	 * owner learns what happened. */
	return slot >= 0 && slot < s->n && (s->fds[slot].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

int rcd_pollset_wait(struct rcd_pollset *s, int timeout_ms)
{
	int n = poll(s->fds, (nfds_t)s->n, timeout_ms);
	if (n < 0 && errno == EINTR) {
		for (int i = 0; i < s->n; i++)
			s->fds[i].revents = 0;
		return 0;
	}
	return n;
}
