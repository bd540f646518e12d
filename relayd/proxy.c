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
 * The agents' egress proxy.  Sandboxed agents have no network; the
 * only way out is the unix socket the supervisor made in the jobs
 * folder and passed here (openagents-netbridge turns it into a TCP
 * port inside a sandbox).  On it:
 *
 *	CONNECT host:443	to an allow-listed host: a byte tunnel
 *				(git and curl through https_proxy)
 *	GET|POST /v1/...	to the model API over TLS, with the
 *				operator's key put in; the agent never
 *				sees it
 *
 * and a refusal with a reason for anything else.  Every request that
 * passes counts against the per-minute and per-day caps.  Refusals are
 * logged (rate-limited) and reported to the supervisor.
 *
 * A connection: head (bounded in size and time) -> resolve through the
 * supervisor (relayd has no resolver) -> connect, TLS for the upstream
 * -> splice (splice.c) until both ends are through.  Refusals go out
 * as a small response, then a half-close and a short linger so that
 * the agent reads the reason rather than a reset.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "http_parse.h"
#include "log.h"
#include "msg.h"
#include "proc_child.h"
#include "proxy.h"
#include "proxy_head.h"
#include "relayd.h"
#include "splice.h"
#include "util.h"
#include "ws.h"

#define PROXY_MAX_CONNS		64
#define PROXY_HEAD_MAX		HTTP_HEAD_MAX
#define PROXY_BODY_MAX		(32ULL * 1024 * 1024)	/* one request */
#define PROXY_HEAD_SECS		15	/* the whole head */
#define PROXY_CONNECT_SECS	20	/* resolve, connect, TLS */
#define PROXY_IDLE_SECS		300	/* models think before they talk */
#define PROXY_LINGER_SECS	2	/* after a refusal */
#define PROXY_ACCEPT_BURST	16
#define PROXY_STATS_MS		5000	/* between stats messages */
#define PROXY_LOG_PER_MIN	30	/* refusal lines */

enum pconn_state {
	PC_HEAD,
	PC_RESOLVING,
	PC_CONNECTING,
	PC_TLS,
	PC_SPLICED,
	PC_REPLY,		/* a refusal going out */
	PC_LINGER		/* sent and shut: waiting for the agent */
};

struct pconn {
	TAILQ_ENTRY(pconn)	 pc_entry;
	uint32_t		 pc_id;		/* resolve id */
	enum pconn_state	 pc_state;
	struct bufferevent	*pc_client;
	struct bufferevent	*pc_up;
	int			 pc_fd;		/* dialling */
	struct event		*pc_connev;
	struct event		*pc_timer;
	struct splice		*pc_splice;
	struct proxy_target	 pc_t;
	struct evbuffer		*pc_head;	/* to send upstream */
	struct http_chunked	 pc_chunked;
	uint64_t		 pc_left;	/* of a Content-Length body */
	uint64_t		 pc_data;	/* chunked data so far */
	struct sockaddr_storage	 pc_addrs[RELAY_ADDRS_MAX];
	socklen_t		 pc_addrlens[RELAY_ADDRS_MAX];
	int			 pc_naddrs, pc_addri;
	char			 pc_err[128];	/* the body's fault */
};
TAILQ_HEAD(pconns, pconn);

static struct {
	int			 fd;		/* listening, -1 none */
	struct event		*ev;
	struct event		*pause;		/* after EMFILE */
	struct pconns		 conns;
	uint32_t		 nconns;
	uint32_t		 nextid;
	int			 inited;

	struct ws_url		 up;
	int			 up_ok;
	char			 key[PROXY_KEY_MAX];
	uint32_t		 per_minute, per_day;
	char			**hosts;
	size_t			 nhosts;

	int64_t			 minute_start;
	uint32_t		 minute_count;
	int64_t			 day;		/* UTC day number */
	uint32_t		 day_count;

	struct msg_proxy_stats	 stats;
	int64_t			 stats_sent;
	struct event		*stats_ev;
	int64_t			 log_start;
	uint32_t		 log_count;
	uint64_t		 log_hidden;
} px = { .fd = -1 };

static void	pconn_free(struct pconn *);
static void	pconn_dial(struct pconn *);

static void
proxy_timer(struct event *ev, int secs)
{
	struct timeval	 tv;

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	if (evtimer_add(ev, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}

/*
 * Statistics for the supervisor: at most one message per
 * PROXY_STATS_MS, the last one carrying whatever came meanwhile.
 */
static void
proxy_stats_send(void)
{
	px.stats_sent = now_monotonic_ms();
	if (proc_child_compose(rd->rd_pc, IMSG_PROXY_STATS, -1, &px.stats,
	    sizeof(px.stats)) == -1)
		fatal("%s: compose", __func__);
}

static void
proxy_stats_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	proxy_stats_send();
}

static void
proxy_stats_report(void)
{
	int64_t		 wait;
	struct timeval	 tv;

	if (evtimer_pending(px.stats_ev, NULL))
		return;
	wait = px.stats_sent + PROXY_STATS_MS - now_monotonic_ms();
	if (px.stats_sent == 0 || wait <= 0) {
		proxy_stats_send();
		return;
	}
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	if (evtimer_add(px.stats_ev, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}

/* A refusal for the log; a flood of them does not flood the log. */
static void
proxy_log_refusal(int status, const char *why)
{
	int64_t	 t = now_monotonic_ms();

	if (t - px.log_start >= 60000) {
		if (px.log_hidden > 0)
			log_warnx("proxy: %llu more refusals not logged",
			    (unsigned long long)px.log_hidden);
		px.log_start = t;
		px.log_count = 0;
		px.log_hidden = 0;
	}
	if (px.log_count++ < PROXY_LOG_PER_MIN)
		log_warnx("proxy: refused (%d): %s", status, why);
	else
		px.log_hidden++;
}

static const char *
proxy_reason(int status)
{
	switch (status) {
	case 400:
		return ("Bad Request");
	case 403:
		return ("Forbidden");
	case 413:
		return ("Content Too Large");
	case 429:
		return ("Too Many Requests");
	case 502:
		return ("Bad Gateway");
	case 503:
		return ("Service Unavailable");
	default:
		return ("Error");
	}
}

static void
pconn_linger_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);

	(void)arg;
	(void)evbuffer_drain(in, evbuffer_get_length(in));
}

static void
pconn_linger_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		pconn_free(arg);
}

/* The refusal is out: shut our side, read what still comes, then go. */
static void
pconn_reply_written(struct bufferevent *bev, void *arg)
{
	struct pconn	*c = arg;

	if (c->pc_state != PC_REPLY)
		return;
	c->pc_state = PC_LINGER;
	if (shutdown(bufferevent_getfd(bev), SHUT_WR) == -1) {
		pconn_free(c);
		return;
	}
	proxy_timer(c->pc_timer, PROXY_LINGER_SECS);
}

/* A connect under way, abandoned. */
static void
pconn_undial(struct pconn *c)
{
	if (c->pc_connev != NULL) {
		event_free(c->pc_connev);
		c->pc_connev = NULL;
	}
	if (c->pc_fd != -1) {
		(void)close(c->pc_fd);
		c->pc_fd = -1;
	}
}

/* Refuse: count, log, report, answer, and end the connection. */
static void
pconn_refuse(struct pconn *c, int status, const char *why)
{
	struct evbuffer	*out;

	if (status == 429)
		px.stats.ps_capped++;
	else
		px.stats.ps_refused++;
	(void)snprintf(px.stats.ps_last, sizeof(px.stats.ps_last), "%d %s",
	    status, why);
	proxy_log_refusal(status, why);
	proxy_stats_report();

	pconn_undial(c);
	if (c->pc_up != NULL) {
		bufferevent_free(c->pc_up);
		c->pc_up = NULL;
	}
	c->pc_state = PC_REPLY;
	/* never frees c: callers go on using it */
	out = bufferevent_get_output(c->pc_client);
	if (evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s\n", status, proxy_reason(status),
	    strlen(why) + 1, why) == -1)
		fatalx("%s: evbuffer_add_printf", __func__);
	bufferevent_setcb(c->pc_client, pconn_linger_read,
	    pconn_reply_written, pconn_linger_event, c);
	bufferevent_setwatermark(c->pc_client, EV_WRITE, 0, 0);
	if (bufferevent_enable(c->pc_client, EV_READ | EV_WRITE) == -1)
		fatalx("%s: bufferevent_enable", __func__);
	proxy_timer(c->pc_timer, PROXY_LINGER_SECS);
}

static void
pconn_free(struct pconn *c)
{
	TAILQ_REMOVE(&px.conns, c, pc_entry);
	px.nconns--;
	if (c->pc_splice != NULL)
		splice_free(c->pc_splice);	/* both bufferevents */
	else {
		if (c->pc_client != NULL)
			bufferevent_free(c->pc_client);
		if (c->pc_up != NULL)
			bufferevent_free(c->pc_up);
	}
	pconn_undial(c);
	if (c->pc_head != NULL)
		evbuffer_free(c->pc_head);
	event_free(c->pc_timer);
	free(c);
}

static void
pconn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pconn	*c = arg;

	(void)fd;
	(void)what;
	switch (c->pc_state) {
	case PC_HEAD:
		pconn_refuse(c, 400, "request head timed out");
		break;
	case PC_RESOLVING:
	case PC_CONNECTING:
	case PC_TLS:
		pconn_refuse(c, 502, "upstream connection timed out");
		break;
	case PC_SPLICED:	/* splice.c has its own timer */
	case PC_REPLY:
	case PC_LINGER:
		pconn_free(c);
		break;
	}
}

/*
 * The caps: a fixed one-minute window from its first request, and the
 * UTC day.  Only requests that pass the policy count.
 */
static int
proxy_cap_check(char *why, size_t len)
{
	int64_t	 t = now_monotonic_ms(), day = (int64_t)time(NULL) / 86400;

	if (day != px.day) {
		px.day = day;
		px.day_count = 0;
	}
	if (px.minute_start == 0 || t - px.minute_start >= 60000) {
		px.minute_start = t;
		px.minute_count = 0;
	}
	if (px.per_day > 0 && px.day_count >= px.per_day) {
		errbuf_set(why, len, "daily cap of %u requests reached",
		    px.per_day);
		return (-1);
	}
	if (px.per_minute > 0 && px.minute_count >= px.per_minute) {
		errbuf_set(why, len, "cap of %u requests a minute reached",
		    px.per_minute);
		return (-1);
	}
	px.day_count++;
	px.minute_count++;
	return (0);
}

static void
pconn_resolve(struct pconn *c)
{
	struct msg_relay_resolve	 rr;

	memset(&rr, 0, sizeof(rr));
	c->pc_id = RELAY_RESOLVE_PROXY | (px.nextid++ & ~RELAY_RESOLVE_PROXY);
	rr.rr_relay = c->pc_id;
	if (c->pc_t.pt_kind == PROXY_CONNECT) {
		(void)strlcpy(rr.rr_host, c->pc_t.pt_host, sizeof(rr.rr_host));
		(void)snprintf(rr.rr_port, sizeof(rr.rr_port), "%u",
		    c->pc_t.pt_port);
	} else {
		(void)strlcpy(rr.rr_host, px.up.wu_host, sizeof(rr.rr_host));
		(void)snprintf(rr.rr_port, sizeof(rr.rr_port), "%u",
		    px.up.wu_port);
	}
	c->pc_state = PC_RESOLVING;
	(void)bufferevent_disable(c->pc_client, EV_READ);
	proxy_timer(c->pc_timer, PROXY_CONNECT_SECS);
	if (proc_child_compose(rd->rd_pc, IMSG_RELAY_RESOLVE, -1, &rr,
	    sizeof(rr)) == -1)
		fatal("%s: compose", __func__);
}

/* A whole head: decide, then refuse or resolve. */
static void
pconn_head(struct pconn *c, const struct http_request *q)
{
	char	 why[160];

	if (proxy_classify(q, px.hosts, px.nhosts, PROXY_BODY_MAX,
	    &c->pc_t) == -1) {
		pconn_refuse(c, c->pc_t.pt_status, c->pc_t.pt_why);
		return;
	}
	if (c->pc_t.pt_kind == PROXY_FORWARD) {
		if (!px.up_ok) {
			pconn_refuse(c, 503, "no model API upstream "
			    "configured");
			return;
		}
		if ((c->pc_head = evbuffer_new()) == NULL ||
		    proxy_rewrite(q, &c->pc_t, px.up.wu_hostport,
		    px.up.wu_path, px.key, c->pc_head) == -1)
			fatal("%s: rewrite", __func__);
		c->pc_left = c->pc_t.pt_length;
		http_chunked_init(&c->pc_chunked);
	}
	if (proxy_cap_check(why, sizeof(why)) == -1) {
		pconn_refuse(c, 429, why);
		return;
	}
	px.stats.ps_allowed++;
	if (c->pc_t.pt_kind == PROXY_CONNECT)
		log_debug("proxy: CONNECT %s:%u", c->pc_t.pt_host,
		    c->pc_t.pt_port);
	else
		log_debug("proxy: %s %s to %s", q->hq_method, c->pc_t.pt_path,
		    px.up.wu_hostport);
	pconn_resolve(c);
}

static void
pconn_head_read(struct bufferevent *bev, void *arg)
{
	struct pconn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct http_request	 q;
	unsigned char		*p;
	size_t			 n;
	char			 err[128], why[160];
	int			 rv;

	if (c->pc_state != PC_HEAD)
		return;
	if ((n = evbuffer_get_length(in)) > PROXY_HEAD_MAX)
		n = PROXY_HEAD_MAX;
	if ((p = evbuffer_pullup(in, (ssize_t)n)) == NULL)
		fatalx("%s: evbuffer_pullup", __func__);
	rv = http_request_parse((const char *)p, n, PROXY_HEAD_MAX, &q, err,
	    sizeof(err));
	if (rv == 0)
		return;
	if (rv == -1) {
		(void)snprintf(why, sizeof(why), "bad request head: %s", err);
		pconn_refuse(c, 400, why);
		return;
	}
	/* the rewritten head is built from q before the bytes go */
	pconn_head(c, &q);
	if (c->pc_state == PC_RESOLVING &&
	    evbuffer_drain(in, q.hq_headlen) == -1)
		fatalx("%s: evbuffer_drain", __func__);
	http_request_free(&q);
}

static void
pconn_client_event(struct bufferevent *bev, short what, void *arg)
{
	struct pconn	*c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		pconn_free(c);
}

/*
 * The request body, from the agent to the upstream, as its framing
 * says and no further: a second request on the connection does not
 * ride along unchecked.
 */
static int
pconn_body_move(void *arg, struct evbuffer *in, struct evbuffer *out,
    const char **why)
{
	struct pconn	*c = arg;
	unsigned char	*p;
	size_t		 n, used;
	int		 isdata, r;

	switch (c->pc_t.pt_body) {
	case PROXY_BODY_NONE:
		return (1);
	case PROXY_BODY_LENGTH:
		n = evbuffer_get_length(in);
		if ((uint64_t)n > c->pc_left)
			n = (size_t)c->pc_left;
		if (evbuffer_remove_buffer(in, out, n) != (int)n)
			fatalx("%s: evbuffer_remove_buffer", __func__);
		c->pc_left -= n;
		return (c->pc_left == 0 ? 1 : 0);
	case PROXY_BODY_CHUNKED:
		break;
	}
	for (;;) {
		if ((n = evbuffer_get_length(in)) == 0)
			return (0);
		if (n > SPLICE_BUF)
			n = SPLICE_BUF;
		if ((p = evbuffer_pullup(in, (ssize_t)n)) == NULL)
			fatalx("%s: evbuffer_pullup", __func__);
		r = http_chunked_step(&c->pc_chunked, (const char *)p, n,
		    &used, &isdata, c->pc_err, sizeof(c->pc_err));
		if (r == -1) {
			*why = c->pc_err;
			return (-1);
		}
		if (isdata && (c->pc_data += used) > PROXY_BODY_MAX) {
			*why = "chunked body over the limit";
			return (-1);
		}
		if (used > 0 && evbuffer_remove_buffer(in, out, used) !=
		    (int)used)
			fatalx("%s: evbuffer_remove_buffer", __func__);
		if (r == 1)
			return (1);
		if (used == 0)
			return (0);
	}
}

static void
pconn_splice_done(void *arg, const char *why)
{
	struct pconn	*c = arg;

	if (why != NULL)
		log_debug("proxy: connection %08x ended: %s", c->pc_id, why);
	pconn_free(c);
}

/* Both ends up: hand them to splice.c. */
static void
pconn_splice(struct pconn *c, int tls)
{
	(void)evtimer_del(c->pc_timer);
	if ((c->pc_splice = splice_new(c->pc_client, c->pc_up,
	    PROXY_IDLE_SECS, pconn_splice_done, c)) == NULL)
		fatal("%s: splice_new", __func__);
	c->pc_client = c->pc_up = NULL;		/* the splice's now */
	if (tls) {
		splice_set_tls(c->pc_splice, 1);
		splice_set_mover(c->pc_splice, 0, pconn_body_move);
	}
	c->pc_state = PC_SPLICED;
	if (splice_start(c->pc_splice) == -1)
		fatalx("%s: splice_start", __func__);
}

static void
pconn_tls_event(struct bufferevent *bev, short what, void *arg)
{
	struct pconn	*c = arg;
	char		 why[192];
	int		 e = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (bufferevent_write_buffer(bev, c->pc_head) == -1)
			fatalx("%s: bufferevent_write_buffer", __func__);
		pconn_splice(c, 1);
	} else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		tls_why(bev, e, why, sizeof(why));
		pconn_refuse(c, 502, why);
	}
}

static void
pconn_next_address(struct pconn *c, const char *why)
{
	char	 msg[192];

	pconn_undial(c);
	if (++c->pc_addri < c->pc_naddrs) {
		pconn_dial(c);
		return;
	}
	errbuf_set(msg, sizeof(msg), "%s: %s",
	    c->pc_t.pt_kind == PROXY_CONNECT ? c->pc_t.pt_host :
	    px.up.wu_host, why);
	pconn_refuse(c, 502, msg);
}

static void
pconn_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pconn	*c = arg;
	SSL		*ssl = NULL;
	char		 why[128];

	(void)what;
	if (net_connected(fd, why, sizeof(why)) == -1) {
		pconn_next_address(c, why);
		return;
	}
	event_free(c->pc_connev);
	c->pc_connev = NULL;
	if (c->pc_t.pt_kind == PROXY_FORWARD &&
	    (ssl = tls_session(rd->rd_tls, px.up.wu_host)) == NULL)
		fatal("%s: tls_session", __func__);
	if ((c->pc_up = net_bufferevent(rd->rd_base, c->pc_fd, ssl)) ==
	    NULL)
		fatalx("%s: net_bufferevent", __func__);
	c->pc_fd = -1;
	if (ssl == NULL) {
		if (evbuffer_add_printf(bufferevent_get_output(c->pc_client),
		    "HTTP/1.1 200 Connection established\r\n\r\n") == -1)
			fatalx("%s: evbuffer_add_printf", __func__);
		pconn_splice(c, 0);
		return;
	}
	c->pc_state = PC_TLS;
	bufferevent_setcb(c->pc_up, NULL, NULL, pconn_tls_event, c);
	if (bufferevent_enable(c->pc_up, EV_READ | EV_WRITE) == -1)
		fatalx("%s: bufferevent_enable", __func__);
}

static void
pconn_dial(struct pconn *c)
{
	int	 e;

	c->pc_state = PC_CONNECTING;
	if (net_dial((struct sockaddr *)&c->pc_addrs[c->pc_addri],
	    c->pc_addrlens[c->pc_addri], &c->pc_fd, &e) == -1) {
		pconn_next_address(c, strerror(errno));
		return;
	}
	if (e != 0) {
		pconn_next_address(c, strerror(e));
		return;
	}
	if ((c->pc_connev = event_new(rd->rd_base, c->pc_fd, EV_WRITE,
	    pconn_connect_cb, c)) == NULL || event_add(c->pc_connev,
	    NULL) == -1)
		fatalx("%s: event_new", __func__);
}

void
proxy_addrs(const struct msg_relay_addrs *ra)
{
	struct pconn	*c;
	uint32_t	 i;
	char		 why[300];

	TAILQ_FOREACH(c, &px.conns, pc_entry)
		if (c->pc_id == ra->ra_relay && c->pc_state == PC_RESOLVING)
			break;
	if (c == NULL)
		return;		/* gone meanwhile */
	if (ra->ra_error != 0 || ra->ra_naddrs == 0) {
		(void)snprintf(why, sizeof(why), "cannot resolve %s",
		    c->pc_t.pt_kind == PROXY_CONNECT ? c->pc_t.pt_host :
		    px.up.wu_host);
		pconn_refuse(c, 502, why);
		return;
	}
	if (ra->ra_naddrs > RELAY_ADDRS_MAX)
		fatalx("%s: %u addresses", __func__, ra->ra_naddrs);
	for (i = 0; i < ra->ra_naddrs; i++) {
		if (ra->ra_addrlens[i] > sizeof(c->pc_addrs[i]))
			fatalx("%s: bad address length", __func__);
		memcpy(&c->pc_addrs[i], &ra->ra_addrs[i],
		    sizeof(c->pc_addrs[i]));
		c->pc_addrlens[i] = ra->ra_addrlens[i];
	}
	c->pc_naddrs = (int)ra->ra_naddrs;
	c->pc_addri = 0;
	pconn_dial(c);
}

static void
pconn_new(int fd)
{
	struct pconn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->pc_fd = -1;
	c->pc_state = PC_HEAD;
	if ((c->pc_client = bufferevent_socket_new(rd->rd_base, fd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)) == NULL ||
	    (c->pc_timer = evtimer_new(rd->rd_base, pconn_timer_cb,
	    c)) == NULL)
		fatalx("%s: bufferevent_socket_new", __func__);
	TAILQ_INSERT_TAIL(&px.conns, c, pc_entry);
	px.nconns++;
	bufferevent_setcb(c->pc_client, pconn_head_read, NULL,
	    pconn_client_event, c);
	/* a head never needs more than its limit buffered */
	bufferevent_setwatermark(c->pc_client, EV_READ, 0, PROXY_HEAD_MAX);
	if (bufferevent_enable(c->pc_client, EV_READ | EV_WRITE) == -1)
		fatalx("%s: bufferevent_enable", __func__);
	proxy_timer(c->pc_timer, PROXY_HEAD_SECS);
}

static void
proxy_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (px.ev != NULL && event_add(px.ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
}

static void
proxy_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval	 tv = { 1, 0 };
	int		 fd, i;

	(void)what;
	(void)arg;
	for (i = 0; i < PROXY_ACCEPT_BURST; i++) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: breathe, not spin */
				log_warnx("proxy: accept: %s",
				    strerror(errno));
				(void)event_del(px.ev);
				if (evtimer_add(px.pause, &tv) == -1)
					fatalx("%s: evtimer_add", __func__);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("proxy: accept");
			return;
		}
		if (px.nconns >= PROXY_MAX_CONNS) {
			(void)close(fd);
			px.stats.ps_refused++;
			(void)snprintf(px.stats.ps_last,
			    sizeof(px.stats.ps_last),
			    "more than %d connections", PROXY_MAX_CONNS);
			proxy_log_refusal(503, px.stats.ps_last);
			proxy_stats_report();
			continue;
		}
		pconn_new(fd);
	}
}

static void
proxy_hosts_free(void)
{
	size_t	 i;

	for (i = 0; i < px.nhosts; i++)
		free(px.hosts[i]);
	free(px.hosts);
	px.hosts = NULL;
	px.nhosts = 0;
}

static void
proxy_init(void)
{
	if (px.inited)
		return;
	TAILQ_INIT(&px.conns);
	if ((px.stats_ev = evtimer_new(rd->rd_base, proxy_stats_cb,
	    NULL)) == NULL || (px.pause = evtimer_new(rd->rd_base,
	    proxy_resume_cb, NULL)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	px.inited = 1;
}

/*
 * A configuration from the supervisor, with the listening socket.  It
 * replaces the last one; connections under way keep going, the caps
 * keep their counts.
 */
void
proxy_conf(const struct msg_proxy_conf *pc, const char *hosts, size_t len,
    int fd)
{
	const char	*p, *end = hosts + len;
	char		 err[256];
	size_t		 n;
	uint32_t	 i;
	int		 fl;

	proxy_init();
	if (fd == -1)
		fatalx("%s: no socket", __func__);
	/* accept in a loop must not block, whatever the sender set */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	if (pc->pc_nhosts > 1024 || memchr(pc->pc_upstream, '\0',
	    sizeof(pc->pc_upstream)) == NULL || memchr(pc->pc_key, '\0',
	    sizeof(pc->pc_key)) == NULL)
		fatalx("%s: bad configuration", __func__);
	proxy_hosts_free();
	if ((px.hosts = calloc(pc->pc_nhosts + 1, sizeof(*px.hosts))) ==
	    NULL)
		fatal("%s", __func__);
	for (i = 0, p = hosts; i < pc->pc_nhosts; i++, p += n + 1) {
		if (p >= end || (n = strnlen(p, (size_t)(end - p))) ==
		    (size_t)(end - p) || n == 0 || n >= WS_HOST_MAX)
			fatalx("%s: bad allow-list", __func__);
		if ((px.hosts[i] = strdup(p)) == NULL)
			fatal("%s", __func__);
		px.nhosts++;
	}
	if (p != end)
		fatalx("%s: bad allow-list", __func__);

	px.up_ok = 0;
	if (pc->pc_upstream[0] != '\0') {
		if (http_url_parse(pc->pc_upstream, &px.up, err,
		    sizeof(err)) == -1)
			log_warnx("proxy: upstream %s: %s; not forwarding",
			    pc->pc_upstream, err);
		else
			px.up_ok = 1;
	}
	explicit_bzero(px.key, sizeof(px.key));
	(void)strlcpy(px.key, pc->pc_key, sizeof(px.key));
	px.per_minute = pc->pc_per_minute;
	px.per_day = pc->pc_per_day;

	if (px.ev != NULL) {
		event_free(px.ev);
		px.ev = NULL;
		(void)evtimer_del(px.pause);
	}
	if (px.fd != -1)
		(void)close(px.fd);
	px.fd = fd;
	if ((px.ev = event_new(rd->rd_base, fd, EV_READ | EV_PERSIST,
	    proxy_accept_cb, NULL)) == NULL || event_add(px.ev, NULL) == -1)
		fatalx("%s: event_new", __func__);
	log_info("proxy: %zu allowed hosts, upstream %s%s, caps %u/min "
	    "%u/day", px.nhosts, px.up_ok ? px.up.wu_hostport : "none",
	    px.key[0] != '\0' ? " (key set)" : "", px.per_minute,
	    px.per_day);
}

void
proxy_shutdown(void)
{
	struct pconn	*c;

	if (!px.inited)
		return;
	if (px.ev != NULL) {
		event_free(px.ev);
		px.ev = NULL;
	}
	if (px.fd != -1) {
		(void)close(px.fd);
		px.fd = -1;
	}
	(void)evtimer_del(px.pause);
	(void)evtimer_del(px.stats_ev);
	while ((c = TAILQ_FIRST(&px.conns)) != NULL)
		pconn_free(c);
	explicit_bzero(px.key, sizeof(px.key));
}
