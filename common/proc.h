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
 * The processes of the suite and the glue between a framed channel and
 * libevent.
 */

#ifndef OA_PROC_H
#define OA_PROC_H

#include <sys/types.h>
#include <stdint.h>

#include "imsg.h"

struct event;
struct event_base;

enum proc_id {
	PROC_SUPERVISOR = 0,
	PROC_RELAYD,
	PROC_WORKERD,
	PROC_VERIFYD,
	PROC_WALLETD,
	PROC_MAX
};

/* A helper's channel to the supervisor is always this descriptor. */
#define PROC_PARENT_SOCK_FILENO	3

struct imsgev {
	struct imsgbuf		 ibuf;
	struct event		*ev;
	struct event_base	*base;
	void			(*handler)(int, short, void *);
	void			*data;
	short			 events;
};

const char	*proc_name(enum proc_id);
int		 proc_lookup(const char *);
uint32_t	 proc_maxmsg(enum proc_id);
int		 proc_fdpass(enum proc_id);

int		 imsgev_init(struct imsgev *, struct event_base *, int,
		    void (*)(int, short, void *), void *);
void		 imsgev_add(struct imsgev *);
void		 imsgev_clear(struct imsgev *);
int		 imsgev_compose(struct imsgev *, uint32_t, uint32_t, pid_t,
		    int, const void *, size_t);
int		 imsgev_composev(struct imsgev *, uint32_t, uint32_t, pid_t,
		    int, const struct iovec *, int);

#endif /* OA_PROC_H */
