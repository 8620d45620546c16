/*
 * signal.c - the self-pipe of rcd_signal.h.
 */
#include "rcd_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int pipe_fds[2] = { -1, -1 };

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	ssize_t n = write(pipe_fds[1], &b, 1); /* a full pipe already means "wake up" */
	(void)n;
	errno = saved;
}

static int nonblocking_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static const int handled[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

int rcd_signal_setup(bool want_chld)
{
	if (pipe(pipe_fds) != 0)
		return -1;
	if (nonblocking_cloexec(pipe_fds[0]) != 0 || nonblocking_cloexec(pipe_fds[1]) != 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) {
		if (handled[i] == SIGCHLD && !want_chld)
			continue;
		if (sigaction(handled[i], &sa, NULL) != 0)
			return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return pipe_fds[0];
}

int rcd_signal_drain(void)
{
	int seen = 0;
	unsigned char buf[64];
	ssize_t n;
	while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGTERM || buf[i] == SIGINT)
				seen |= RCD_SIG_TERM;
			else if (buf[i] == SIGHUP)
				seen |= RCD_SIG_HUP;
			else if (buf[i] == SIGCHLD)
				seen |= RCD_SIG_CHLD;
		}
	}
	return seen;
}

void rcd_signal_reset_in_child(void)
{
	/* Only async-signal-safe calls: this runs between fork and exec. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		sigaction(handled[i], &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void rcd_signal_teardown(void)
{
	for (int i = 0; i < 2; i++) {
		if (pipe_fds[i] >= 0)
			close(pipe_fds[i]);
		pipe_fds[i] = -1;
	}
}
