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
 * Job sandboxes, workerd's side (see container.h): the launcher is
 * forked here, and container_run() and container_cancel() talk to it
 * over the channel (ct_proto.c has the messages).  The sandbox itself
 * is built in ct_build.c, by the launcher or, for container_run_sync(),
 * by the calling process.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <bsd/string.h>
#include <bsd/sys/queue.h>

#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "util.h"
#include "ct.h"

struct container {
	TAILQ_ENTRY(container)	 c_entry;
	uint32_t		 c_id;
	container_done_cb	 c_cb;
	void			*c_arg;
};

static struct {
	int			 fd;		/* -1: no launcher */
	pid_t			 pid;
	int			 evinit;
	struct imsgev		 iev;
	struct ct_hello		 hello;
	uint32_t		 nextid;
	TAILQ_HEAD(, container)	 runs;
} cl = { .fd = -1, .pid = -1 };

static void	 cl_dispatch(int, short, void *);
static void	 cl_lost(const char *);
static int	 cl_send_fd(uint32_t, uint8_t, int);

int
container_launcher_start(const char *jobs_dir, const char *helpers,
    char *err, size_t errlen)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct pollfd	 pfd;
	int		 sp[2], got = 0;
	ssize_t		 n;
	pid_t		 pid;

	if (cl.fd != -1) {
		errbuf_set(err, errlen, "the launcher runs already");
		return (-1);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		errbuf_set(err, errlen, "socketpair: %s", strerror(errno));
		return (-1);
	}
	if ((pid = fork()) == -1) {
		errbuf_set(err, errlen, "fork: %s", strerror(errno));
		(void)close(sp[0]);
		(void)close(sp[1]);
		return (-1);
	}
	if (pid == 0) {
		(void)close(sp[0]);
		ct_launcher_main(sp[1], jobs_dir, helpers);
	}
	(void)close(sp[1]);

	/* its first word says what it can do; wait for it, bounded */
	if (imsgbuf_init(&ib, sp[0]) == -1 ||
	    imsgbuf_set_maxsize(&ib, CT_MSG_MAX) == -1) {
		errbuf_set(err, errlen, "channel: %s", strerror(errno));
		goto fail;
	}
	while (!got) {
		pfd.fd = sp[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 30000) <= 0) {
			errbuf_set(err, errlen, "the launcher did not answer");
			goto fail;
		}
		if ((n = imsgbuf_read(&ib)) == -1 || n == 0) {
			errbuf_set(err, errlen, "the launcher exited at start");
			goto fail;
		}
		if ((n = imsg_get(&ib, &imsg)) == -1) {
			errbuf_set(err, errlen, "the launcher: bad message");
			goto fail;
		}
		if (n == 0)
			continue;
		if (imsg_get_type(&imsg) != CT_MSG_HELLO ||
		    imsg_get_data(&imsg, &cl.hello, sizeof(cl.hello)) == -1) {
			imsg_free(&imsg);
			errbuf_set(err, errlen, "the launcher: bad hello");
			goto fail;
		}
		imsg_free(&imsg);
		got = 1;
	}
	/* nothing else was read past the hello: it is sent alone */
	imsgbuf_clear(&ib);
	cl.fd = sp[0];
	cl.pid = pid;
	TAILQ_INIT(&cl.runs);
	return (0);
 fail:
	imsgbuf_clear(&ib);
	(void)close(sp[0]);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	return (-1);
}

int
container_mode_available(enum isolation_mode mode, char *err, size_t errlen)
{
	if ((unsigned int)mode > ISOLATION_FIRECRACKER) {
		errbuf_set(err, errlen, "unknown isolation mode");
		return (-1);
	}
	if (cl.fd != -1) {
		if (cl.hello.ch_ok[mode])
			return (0);
		cl.hello.ch_err[mode][sizeof(cl.hello.ch_err[mode]) - 1] = '\0';
		errbuf_set(err, errlen, "%s", cl.hello.ch_err[mode]);
		return (-1);
	}
	return (ct_probe(mode, err, errlen));
}

/* One descriptor per message; imsg closes what it sent, so a copy. */
static int
cl_send_fd(uint32_t id, uint8_t idx, int fd)
{
	int	 copy;

	if ((copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return (-1);
	if (imsgev_compose(&cl.iev, CT_MSG_FD, id, 0, copy, &idx,
	    sizeof(idx)) == -1) {
		(void)close(copy);
		return (-1);
	}
	return (0);
}

struct container *
container_run(struct event_base *base, const struct container_spec *cs,
    container_done_cb cb, void *arg, char *err, size_t errlen)
{
	struct container	*c;
	struct ibuf		*b;
	uint8_t			 mask = 0;
	uint32_t		 id;

	if (cl.fd == -1) {
		errbuf_set(err, errlen, "the sandbox launcher is not running");
		return (NULL);
	}
	if (!cl.evinit) {
		if (imsgev_init(&cl.iev, base, cl.fd, cl_dispatch, NULL) == -1 ||
		    imsgbuf_set_maxsize(&cl.iev.ibuf, CT_MSG_MAX) == -1) {
			errbuf_set(err, errlen, "launcher channel: %s",
			    strerror(errno));
			return (NULL);
		}
		/* stdio descriptors go with the requests */
		imsgbuf_allow_fdpass(&cl.iev.ibuf);
		cl.evinit = 1;
	}
	if (cs->cs_stdin != -1)
		mask |= 1;
	if (cs->cs_stdout != -1)
		mask |= 2;
	if (cs->cs_stderr != -1)
		mask |= 4;
	if ((b = ct_spec_encode(cs, mask)) == NULL) {
		errbuf_set(err, errlen, "sandbox request: %s", strerror(errno));
		return (NULL);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ibuf_free(b);
		errbuf_set(err, errlen, "out of memory");
		return (NULL);
	}
	id = ++cl.nextid;
	if ((cs->cs_stdin != -1 && cl_send_fd(id, 0, cs->cs_stdin) == -1) ||
	    (cs->cs_stdout != -1 && cl_send_fd(id, 1, cs->cs_stdout) == -1) ||
	    (cs->cs_stderr != -1 && cl_send_fd(id, 2, cs->cs_stderr) == -1) ||
	    imsgev_compose(&cl.iev, CT_MSG_RUN, id, 0, -1, ibuf_data(b),
	    ibuf_size(b)) == -1) {
		/* a half-sent request: the launcher refuses its stray fds */
		errbuf_set(err, errlen, "sandbox request: %s", strerror(errno));
		ibuf_free(b);
		free(c);
		return (NULL);
	}
	ibuf_free(b);
	c->c_id = id;
	c->c_cb = cb;
	c->c_arg = arg;
	TAILQ_INSERT_TAIL(&cl.runs, c, c_entry);
	return (c);
}

void
container_cancel(struct container *c)
{
	if (cl.fd == -1 || !cl.evinit)
		return;
	if (imsgev_compose(&cl.iev, CT_MSG_CANCEL, c->c_id, 0, -1, NULL,
	    0) == -1)
		log_warn("sandbox %u: cancel", c->c_id);
}

/* The launcher is gone: every sandbox it had is gone with it. */
static void
cl_lost(const char *why)
{
	struct container_result	 cr;
	struct container	*c;

	log_warnx("sandbox launcher: %s", why);
	imsgev_clear(&cl.iev);
	cl.fd = -1;
	cl.evinit = 0;
	/*
	 * No kill and no wait: workerd's filter has neither, and a
	 * launcher whose channel is closed exits by itself.
	 */
	while ((c = TAILQ_FIRST(&cl.runs)) != NULL) {
		TAILQ_REMOVE(&cl.runs, c, c_entry);
		memset(&cr, 0, sizeof(cr));
		(void)strlcpy(cr.cr_error, "the sandbox launcher exited",
		    sizeof(cr.cr_error));
		c->c_cb(c, &cr, c->c_arg);
		free(c);
	}
}

static void
cl_dispatch(int fd, short event, void *arg)
{
	struct container_result	 cr;
	struct container	*c;
	struct imsg		 imsg;
	ssize_t			 n;
	uint32_t		 id;

	(void)fd;
	(void)arg;
	if (event & EV_READ) {
		if ((n = imsgbuf_read(&cl.iev.ibuf)) == -1 || n == 0) {
			cl_lost(n == 0 ? "channel closed" : strerror(errno));
			return;
		}
	}
	if (event & EV_WRITE) {
		if (imsgbuf_write(&cl.iev.ibuf) == -1) {
			cl_lost(strerror(errno));
			return;
		}
	}
	for (;;) {
		if ((n = imsg_get(&cl.iev.ibuf, &imsg)) == -1) {
			cl_lost("bad message");
			return;
		}
		if (n == 0)
			break;
		if (imsg_get_type(&imsg) != CT_MSG_DONE ||
		    imsg_get_data(&imsg, &cr, sizeof(cr)) == -1) {
			imsg_free(&imsg);
			cl_lost("unexpected message");
			return;
		}
		id = imsg_get_id(&imsg);
		imsg_free(&imsg);
		cr.cr_error[sizeof(cr.cr_error) - 1] = '\0';
		TAILQ_FOREACH(c, &cl.runs, c_entry)
			if (c->c_id == id)
				break;
		if (c == NULL) {
			log_warnx("sandbox launcher: result of unknown "
			    "sandbox %u", id);
			continue;
		}
		TAILQ_REMOVE(&cl.runs, c, c_entry);
		c->c_cb(c, &cr, c->c_arg);
		free(c);
	}
	if (cl.evinit)
		imsgev_add(&cl.iev);
}

int
container_run_sync(const struct container_spec *cs,
    struct container_result *cr)
{
	struct ct_proc	 cp;
	struct pollfd	 pfd;
	int64_t		 now;
	int		 timeout;
	char		 err[256];

	memset(cr, 0, sizeof(*cr));
	if (ct_start(cs, NULL, &cp, err, sizeof(err)) == -1) {
		(void)strlcpy(cr->cr_error, err, sizeof(cr->cr_error));
		return (-1);
	}
	for (;;) {
		timeout = -1;
		if (cp.cp_deadline_ms != 0) {
			now = now_monotonic_ms();
			timeout = cp.cp_deadline_ms <= now ? 0 :
			    (int)(cp.cp_deadline_ms - now);
		}
		pfd.fd = cp.cp_pidfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, timeout) == -1) {
			if (errno == EINTR)
				continue;
			ct_kill(&cp);
			break;
		}
		if (pfd.revents != 0)
			break;
		cp.cp_timed_out = 1;
		ct_kill(&cp);
		break;
	}
	(void)ct_reaped(&cp, 1, cr);
	return (cr->cr_error[0] != '\0' ? -1 : 0);
}
