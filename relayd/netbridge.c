/*
 * Copyright (c) 2026 The OpenAgents provider authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * openagents-netbridge ADDR PORT SOCKETPATH
 *
 * Inside a job sandbox, whose network namespace has only a loopback
 * device, this listens on ADDR:PORT (127.0.0.1 in practice) and joins
 * every TCP connection to the unix socket of relayd's egress proxy,
 * bind-mounted into the sandbox.  The agent gets an ordinary
 * http://127.0.0.1:PORT proxy; the policy stays with relayd.
 *
 * No configuration, no files but the socket, and no life of its own:
 * it dies with its parent (the sandbox's init).
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "splice.h"

#define NB_MAX_CONNS	64
#define NB_IDLE_SECS	600	/* relayd has its own, shorter ones */
#define NB_BACKLOG	64

struct nb_conn {
	struct splice	*nc_splice;
};

static struct event_base	*nb_base;
static struct event		*nb_listen_ev, *nb_pause_ev;
static struct sockaddr_un	 nb_sun;
static int			 nb_nconns;

static void
nb_done(void *arg, const char *why)
{
	struct nb_conn	*nc = arg;

	(void)why;
	splice_free(nc->nc_splice);
	free(nc);
	nb_nconns--;
}

/* One agent connection: dial the proxy socket and join the two. */
static void
nb_join(int tfd)
{
	struct bufferevent	*tb, *ub;
	struct nb_conn		*nc;
	int			 ufd;

	if ((ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		warn("socket");
		(void)close(tfd);
		return;
	}
	/* a local socket: connect completes or fails at once */
	if (connect(ufd, (struct sockaddr *)&nb_sun, sizeof(nb_sun)) == -1 &&
	    errno != EINPROGRESS) {
		warn("%s", nb_sun.sun_path);
		(void)close(ufd);
		(void)close(tfd);
		return;
	}
	if ((nc = calloc(1, sizeof(*nc))) == NULL ||
	    (tb = bufferevent_socket_new(nb_base, tfd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)) == NULL ||
	    (ub = bufferevent_socket_new(nb_base, ufd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)) == NULL ||
	    (nc->nc_splice = splice_new(tb, ub, NB_IDLE_SECS, nb_done,
	    nc)) == NULL || splice_start(nc->nc_splice) == -1)
		errx(1, "out of memory");
	nb_nconns++;
}

static void
nb_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (event_add(nb_listen_ev, NULL) == -1)
		errx(1, "event_add");
}

static void
nb_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval	 tv = { 1, 0 };
	int		 fd, one = 1;

	(void)what;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == EMFILE || errno == ENFILE) {
			warn("accept");
			(void)event_del(nb_listen_ev);
			if (evtimer_add(nb_pause_ev, &tv) == -1)
				errx(1, "evtimer_add");
		}
		return;
	}
	if (nb_nconns >= NB_MAX_CONNS) {
		(void)close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	nb_join(fd);
}

static int
nb_listen(const char *addr, const char *port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	const char		*errstr;
	socklen_t		 len;
	uint16_t		 p;
	int			 fd, one = 1;

	p = (uint16_t)strtonum(port, 1, 65535, &errstr);
	if (errstr != NULL)
		errx(2, "port %s: %s", port, errstr);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		len = sizeof(*sin6);
	} else
		errx(2, "%s: not an IP address", addr);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		err(1, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		err(1, "bind %s port %s", addr, port);
	if (listen(fd, NB_BACKLOG) == -1)
		err(1, "listen");
	return (fd);
}

static void
usage(void)
{
	fprintf(stderr, "usage: openagents-netbridge address port "
	    "socket-path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	pid_t	 parent = getppid();
	int	 lfd;

	if (argc != 4)
		usage();
	memset(&nb_sun, 0, sizeof(nb_sun));
	nb_sun.sun_family = AF_UNIX;
	if (argv[3][0] != '/' || strlcpy(nb_sun.sun_path, argv[3],
	    sizeof(nb_sun.sun_path)) >= sizeof(nb_sun.sun_path))
		errx(2, "%s: not an absolute path that fits a socket address",
		    argv[3]);

	/* gone with the sandbox's init, even if that died just now */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		err(1, "PR_SET_PDEATHSIG");
	if (getppid() != parent)
		exit(1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(1, "PR_SET_NO_NEW_PRIVS");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(1, "signal");

	lfd = nb_listen(argv[1], argv[2]);
	if ((nb_base = event_base_new()) == NULL ||
	    (nb_listen_ev = event_new(nb_base, lfd, EV_READ | EV_PERSIST,
	    nb_accept, NULL)) == NULL ||
	    (nb_pause_ev = evtimer_new(nb_base, nb_resume, NULL)) == NULL ||
	    event_add(nb_listen_ev, NULL) == -1)
		errx(1, "libevent setup failed");
	if (event_base_dispatch(nb_base) == -1)
		errx(1, "event_base_dispatch");
	return (0);
}
