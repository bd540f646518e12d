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

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "proc.h"

/*
 * Per role: its name, the largest message its channel carries (header
 * included) and whether descriptors may travel on it.  Channels are
 * sized for what later crosses them: relayd and workerd move whole
 * events and patches, walletd signs events and receives its key file.
 */
static const struct {
	const char	*name;
	uint32_t	 maxmsg;
	int		 fdpass;
} proc_table[PROC_MAX] = {
	[PROC_SUPERVISOR] =	{ "supervisor",	16 * 1024,	 0 },
	[PROC_RELAYD] =		{ "relayd",	1024 * 1024,	 1 },
	[PROC_WORKERD] =	{ "workerd",	1024 * 1024,	 1 },
	[PROC_VERIFYD] =	{ "verifyd",	1024 * 1024,	 0 },
	[PROC_WALLETD] =	{ "walletd",	256 * 1024,	 1 },
};

const char *
proc_name(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		return ("unknown");
	return (proc_table[id].name);
}

int
proc_lookup(const char *name)
{
	int	 i;

	for (i = 0; i < PROC_MAX; i++)
		if (strcmp(proc_table[i].name, name) == 0)
			return (i);
	return (-1);
}

uint32_t
proc_maxmsg(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		fatalx("%s: bad role %d", __func__, id);
	return (proc_table[id].maxmsg);
}

int
proc_fdpass(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		fatalx("%s: bad role %d", __func__, id);
	return (proc_table[id].fdpass);
}

int
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    void (*handler)(int, short, void *), void *data)
{
	memset(iev, 0, sizeof(*iev));
	if (imsgbuf_init(&iev->ibuf, fd) == -1)
		return (-1);
	iev->base = base;
	iev->handler = handler;
	iev->data = data;
	iev->events = EV_READ;
	if ((iev->ev = event_new(base, fd, EV_READ | EV_PERSIST, handler,
	    data)) == NULL) {
		imsgbuf_clear(&iev->ibuf);
		errno = ENOMEM;
		return (-1);
	}
	if (event_add(iev->ev, NULL) == -1) {
		event_free(iev->ev);
		iev->ev = NULL;
		imsgbuf_clear(&iev->ibuf);
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

/* Re-arm the event: always readable, writable while output is queued. */
void
imsgev_add(struct imsgev *iev)
{
	short	 events = EV_READ;

	if (iev->ev == NULL)
		return;
	if (imsgbuf_queuelen(&iev->ibuf) > 0)
		events |= EV_WRITE;
	if (events == iev->events)
		return;
	if (event_del(iev->ev) == -1)
		fatalx("%s: event_del", __func__);
	if (event_assign(iev->ev, iev->base, iev->ibuf.fd, events | EV_PERSIST,
	    iev->handler, iev->data) == -1)
		fatalx("%s: event_assign", __func__);
	if (event_add(iev->ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
	iev->events = events;
}

void
imsgev_clear(struct imsgev *iev)
{
	if (iev->ev != NULL) {
		(void)event_del(iev->ev);
		event_free(iev->ev);
		iev->ev = NULL;
	}
	imsgbuf_clear(&iev->ibuf);
	if (iev->ibuf.fd != -1) {
		(void)close(iev->ibuf.fd);
		iev->ibuf.fd = -1;
	}
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const void *data, size_t len)
{
	if (imsg_compose(&iev->ibuf, type, peerid, pid, fd, data, len) == -1)
		return (-1);
	imsgev_add(iev);
	return (0);
}

int
imsgev_composev(struct imsgev *iev, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const struct iovec *iov, int iovcnt)
{
	if (imsg_composev(&iev->ibuf, type, peerid, pid, fd, iov,
	    iovcnt) == -1)
		return (-1);
	imsgev_add(iev);
	return (0);
}
