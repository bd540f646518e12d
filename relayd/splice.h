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

#ifndef OA_SPLICE_H
#define OA_SPLICE_H

#include <stddef.h>

struct bufferevent;
struct evbuffer;

/*
 * Two connected bufferevents joined: what one side reads the other
 * writes, with back-pressure (a side stops reading while the other's
 * output holds SPLICE_BUF bytes) and TCP half-close (an end of input on
 * one side becomes shutdown(SHUT_WR) on the other once its output has
 * drained), bounded by an idle timeout.  Used by relayd's proxy and by
 * openagents-netbridge.
 *
 * A side may have a mover instead of the plain copy: it moves what it
 * accepts from in to out and returns 0 to go on, 1 when that direction
 * is complete (whatever the side sends later is read and dropped), -1
 * when the input is bad (*why says why).  An end of input before the
 * mover said complete is an error.  A TLS side is never half-closed.
 *
 * The done callback comes exactly once, from the event loop, when both
 * directions are complete (why NULL) or on an error or the idle timeout
 * (why says which); it must splice_free().
 */
#define SPLICE_BUF	(64 * 1024)

typedef int	(*splice_move_fn)(void *, struct evbuffer *, struct evbuffer *,
		    const char **);
typedef void	(*splice_done_fn)(void *, const char *);

struct splice;

/* Takes both bufferevents (freed with the splice); NULL on ENOMEM. */
struct splice	*splice_new(struct bufferevent *, struct bufferevent *,
		    int, splice_done_fn, void *);
/* Before the first event: side 0 or 1 moves with fn, or is TLS. */
void		 splice_set_mover(struct splice *, int, splice_move_fn);
void		 splice_set_tls(struct splice *, int);
/* Start: move what already waits and enable reading.  0 or -1. */
int		 splice_start(struct splice *);
void		 splice_free(struct splice *);

#endif /* OA_SPLICE_H */
