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
 * Byte pipes between two bufferevents; see splice.h.  Every path that
 * can end the splice ends in splice_end(), and nothing touches the
 * splice after it: the done callback frees it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "splice.h"

struct splice_side {
	struct splice		*ss_sp;
	struct bufferevent	*ss_bev;
	splice_move_fn		 ss_move;
	int			 ss_tls;
	int			 ss_eof;	/* its input ended */
	int			 ss_complete;	/* its direction is through */
	int			 ss_shut;	/* its output shut down */
};

struct splice {
	struct splice_side	 sp_side[2];
	struct event		*sp_timer;
	int			 sp_idle;	/* seconds */
	splice_done_fn		 sp_done;
	void			*sp_arg;
	int			 sp_ended;
};

static void	splice_readcb(struct bufferevent *, void *);
static void	splice_writecb(struct bufferevent *, void *);
static void	splice_eventcb(struct bufferevent *, short, void *);

static void
splice_end(struct splice *sp, const char *why)
{
	if (sp->sp_ended)
		return;
	sp->sp_ended = 1;
	sp->sp_done(sp->sp_arg, why);
}

static void
splice_touch(struct splice *sp)
{
	struct timeval	 tv;

	tv.tv_sec = sp->sp_idle;
	tv.tv_usec = 0;
	(void)evtimer_add(sp->sp_timer, &tv);
}

static void
splice_timercb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	splice_end(arg, "idle timeout");
}

/* Both directions through: the end, a good one. */
static int
splice_check(struct splice *sp)
{
	if (sp->sp_side[0].ss_complete && sp->sp_side[1].ss_complete) {
		splice_end(sp, NULL);
		return (1);
	}
	return (0);
}

/*
 * The input of side i ended and its bytes are all in the other side's
 * output: once that drained, pass the end on.
 */
static int
splice_pass_eof(struct splice *sp, int i)
{
	struct splice_side	*dst = &sp->sp_side[!i];

	if (dst->ss_shut ||
	    evbuffer_get_length(bufferevent_get_output(dst->ss_bev)) > 0)
		return (0);
	dst->ss_shut = 1;
	sp->sp_side[i].ss_complete = 1;
	/* TLS has no half-close: its end comes with the whole splice */
	if (!dst->ss_tls && shutdown(bufferevent_getfd(dst->ss_bev),
	    SHUT_WR) == -1 && errno != ENOTCONN) {
		splice_end(sp, strerror(errno));
		return (1);
	}
	return (splice_check(sp));
}

/* Move what side i has read; 1 when the splice ended. */
static int
splice_move(struct splice *sp, int i)
{
	struct splice_side	*src = &sp->sp_side[i], *dst = &sp->sp_side[!i];
	struct evbuffer		*in, *out;
	const char		*why = "bad input";
	int			 r;

	in = bufferevent_get_input(src->ss_bev);
	out = bufferevent_get_output(dst->ss_bev);
	if (src->ss_complete && src->ss_move != NULL) {
		(void)evbuffer_drain(in, evbuffer_get_length(in));
		return (0);
	}
	if (src->ss_move == NULL)
		r = evbuffer_add_buffer(out, in) == 0 ? 0 : -1;
	else if ((r = src->ss_move(sp->sp_arg, in, out, &why)) == 1) {
		src->ss_complete = 1;
		(void)evbuffer_drain(in, evbuffer_get_length(in));
		if (splice_check(sp))
			return (1);
	}
	if (r == -1) {
		splice_end(sp, why);
		return (1);
	}
	if (evbuffer_get_length(out) >= SPLICE_BUF) {
		/* the other side's write callback lets us read again */
		(void)bufferevent_disable(src->ss_bev, EV_READ);
		bufferevent_setwatermark(dst->ss_bev, EV_WRITE,
		    SPLICE_BUF / 2, 0);
	}
	return (0);
}

static int
splice_index(struct splice_side *ss)
{
	return (ss == &ss->ss_sp->sp_side[0] ? 0 : 1);
}

static void
splice_readcb(struct bufferevent *bev, void *arg)
{
	struct splice_side	*ss = arg;
	struct splice		*sp = ss->ss_sp;

	(void)bev;
	splice_touch(sp);
	(void)splice_move(sp, splice_index(ss));
}

/* Side i's output drained (to the low watermark, or empty). */
static void
splice_writecb(struct bufferevent *bev, void *arg)
{
	struct splice_side	*ss = arg;
	struct splice		*sp = ss->ss_sp;
	struct splice_side	*src;
	int			 i = splice_index(ss);

	splice_touch(sp);
	src = &sp->sp_side[!i];
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (src->ss_eof) {
		(void)splice_pass_eof(sp, !i);
		return;
	}
	if (bufferevent_enable(src->ss_bev, EV_READ) == -1)
		splice_end(sp, "bufferevent_enable failed");
}

static void
splice_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct splice_side	*ss = arg;
	struct splice		*sp = ss->ss_sp;
	int			 i = splice_index(ss);
	int			 e = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		ss->ss_eof = 1;
		if (splice_move(sp, i))
			return;
		if (ss->ss_move != NULL) {
			if (!ss->ss_complete)
				splice_end(sp, "input ended early");
			else
				(void)splice_check(sp);
			return;
		}
		(void)splice_pass_eof(sp, i);
	} else if (what & BEV_EVENT_ERROR)
		splice_end(sp, e != 0 ? strerror(e) : "read error");
}

struct splice *
splice_new(struct bufferevent *a, struct bufferevent *b, int idle,
    splice_done_fn done, void *arg)
{
	struct splice	*sp;
	int		 i;

	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return (NULL);
	sp->sp_side[0].ss_bev = a;
	sp->sp_side[1].ss_bev = b;
	sp->sp_idle = idle;
	sp->sp_done = done;
	sp->sp_arg = arg;
	if ((sp->sp_timer = evtimer_new(bufferevent_get_base(a),
	    splice_timercb, sp)) == NULL) {
		free(sp);
		return (NULL);
	}
	for (i = 0; i < 2; i++) {
		sp->sp_side[i].ss_sp = sp;
		bufferevent_setcb(sp->sp_side[i].ss_bev, splice_readcb,
		    splice_writecb, splice_eventcb, &sp->sp_side[i]);
		bufferevent_setwatermark(sp->sp_side[i].ss_bev, EV_READ, 0,
		    SPLICE_BUF);
		bufferevent_setwatermark(sp->sp_side[i].ss_bev, EV_WRITE, 0,
		    0);
	}
	return (sp);
}

void
splice_set_mover(struct splice *sp, int i, splice_move_fn fn)
{
	sp->sp_side[i].ss_move = fn;
}

void
splice_set_tls(struct splice *sp, int i)
{
	sp->sp_side[i].ss_tls = 1;
}

int
splice_start(struct splice *sp)
{
	int	 i;

	splice_touch(sp);
	for (i = 0; i < 2; i++)
		if (bufferevent_enable(sp->sp_side[i].ss_bev,
		    EV_READ | EV_WRITE) == -1)
			return (-1);
	/*
	 * What came before the splice (an early ClientHello, the start of
	 * a body) goes through the read callback, from the event loop.
	 */
	for (i = 0; i < 2; i++)
		if (evbuffer_get_length(bufferevent_get_input(
		    sp->sp_side[i].ss_bev)) > 0)
			bufferevent_trigger(sp->sp_side[i].ss_bev, EV_READ,
			    BEV_TRIG_DEFER_CALLBACKS);
	return (0);
}

void
splice_free(struct splice *sp)
{
	int	 i;

	if (sp == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (sp->sp_side[i].ss_bev != NULL)
			bufferevent_free(sp->sp_side[i].ss_bev);
	event_free(sp->sp_timer);
	free(sp);
}
