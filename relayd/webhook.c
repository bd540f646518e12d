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
 * The alert webhook: one POST per alert the supervisor sends, to the
 * addresses it resolved.  https:// goes anywhere, with the certificate
 * checked as for the relays; http:// only to a loopback address (a
 * local receiver, the tests), since an alert names the provider.  No
 * redirect is followed and the whole exchange is bounded; the outcome
 * is only logged: an alert is never retried into a storm.
 */

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "oa_build.h"
#include "http_parse.h"
#include "log.h"
#include "msg.h"
#include "relayd.h"
#include "webhook.h"
#include "ws.h"

#define WEBHOOK_SECS		10
#define WEBHOOK_MAX		8	/* in flight; more are dropped */

struct webhook {
	TAILQ_ENTRY(webhook)	 wh_entry;
	struct ws_url		 wh_url;
	int			 wh_fd;
	SSL			*wh_ssl;
	struct event		*wh_connev;
	struct event		*wh_timer;
	struct bufferevent	*wh_bev;
	char			*wh_body;
	size_t			 wh_len;
	int			 wh_dialerr;
	int			 wh_sent;	/* request queued */
	struct msg_alert_post	 wh_msg;	/* the addresses to try */
	uint32_t		 wh_addri;
};

static TAILQ_HEAD(, webhook) webhooks = TAILQ_HEAD_INITIALIZER(webhooks);
static int	nwebhooks;

static void	webhook_end(struct webhook *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static int	webhook_dial(struct webhook *);

static void
webhook_free(struct webhook *wh)
{
	if (wh->wh_connev != NULL)
		event_free(wh->wh_connev);
	if (wh->wh_timer != NULL)
		event_free(wh->wh_timer);
	if (wh->wh_bev != NULL)
		bufferevent_free(wh->wh_bev);
	else {
		if (wh->wh_ssl != NULL)
			SSL_free(wh->wh_ssl);
		if (wh->wh_fd != -1)
			(void)close(wh->wh_fd);
	}
	free(wh->wh_body);
	free(wh);
}

static void
webhook_end(struct webhook *wh, int ok, const char *fmt, ...)
{
	va_list	 ap;
	char	 why[256];

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ok)
		log_info("alert webhook %s: %s", wh->wh_url.wu_hostport, why);
	else
		log_warnx("alert webhook %s: not delivered: %s",
		    wh->wh_url.wu_hostport, why);
	TAILQ_REMOVE(&webhooks, wh, wh_entry);
	nwebhooks--;
	webhook_free(wh);
}

static int
webhook_send(struct webhook *wh)
{
	struct evbuffer	*out = bufferevent_get_output(wh->wh_bev);

	wh->wh_sent = 1;
	if (evbuffer_add_printf(out, "POST %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "User-Agent: openagents-provider/" OA_VERSION "\r\n"
	    "Connection: close\r\n"
	    "\r\n", wh->wh_url.wu_path, wh->wh_url.wu_hostport,
	    wh->wh_len) == -1 ||
	    evbuffer_add(out, wh->wh_body, wh->wh_len) == -1)
		return (-1);
	return (0);
}

/* 1 when the exchange is over (and wh freed). */
static int
webhook_read(struct webhook *wh)
{
	struct evbuffer		*src = bufferevent_get_input(wh->wh_bev);
	struct http_response	 r;
	char			 err[128];
	size_t			 n;
	unsigned char		*p;
	int			 rv, status;

	if (!wh->wh_sent)
		return (0);
	if ((n = evbuffer_get_length(src)) > HTTP_HEAD_MAX)
		n = HTTP_HEAD_MAX;
	if (n == 0)
		return (0);
	p = evbuffer_pullup(src, (ssize_t)n);
	rv = http_response_parse((const char *)p, n, &r, err, sizeof(err));
	if (rv == 0)
		return (0);
	if (rv == -1) {
		webhook_end(wh, 0, "bad response: %s", err);
		return (1);
	}
	status = r.hr_status;
	if (status >= 200 && status < 300)
		webhook_end(wh, 1, "delivered (HTTP %d)", status);
	else if (status >= 300 && status < 400)
		webhook_end(wh, 0, "HTTP %d: redirects are not followed",
		    status);
	else
		webhook_end(wh, 0, "HTTP %d %s", status, r.hr_reason);
	http_response_free(&r);
	return (1);
}

static void
webhook_readcb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	(void)webhook_read(arg);
}

static void
webhook_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct webhook	*wh = arg;
	char		 why[256];
	int		 e = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (!wh->wh_sent && webhook_send(wh) == -1)
			webhook_end(wh, 0, "out of memory");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (wh->wh_url.wu_tls && !wh->wh_sent) {
			tls_why(bev, e, why, sizeof(why));
			webhook_end(wh, 0, "%s", why);
		} else
			webhook_end(wh, 0, "%s", e != 0 ? strerror(e) :
			    "read error");
		return;
	}
	if (webhook_read(wh) == 1)
		return;
	webhook_end(wh, 0, "connection closed before the response");
}

static void
webhook_timercb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	webhook_end(arg, 0, "timed out after %d s", WEBHOOK_SECS);
}

static void
webhook_connectcb(evutil_socket_t fd, short what, void *arg)
{
	struct webhook	*wh = arg;
	char		 why[256];

	(void)what;
	if (wh->wh_dialerr != 0)
		(void)snprintf(why, sizeof(why), "connect: %s",
		    strerror(wh->wh_dialerr));
	if (wh->wh_dialerr != 0 || net_connected(fd, why, sizeof(why)) == -1) {
		/* the next address, if the host has one */
		if (wh->wh_addri + 1 < wh->wh_msg.ap_naddrs) {
			wh->wh_addri++;
			if (webhook_dial(wh) == 0)
				return;
			(void)snprintf(why, sizeof(why), "%s", strerror(errno));
		}
		webhook_end(wh, 0, "%s", why);
		return;
	}
	if ((wh->wh_bev = net_bufferevent(rd->rd_base, wh->wh_fd,
	    wh->wh_ssl)) == NULL) {
		webhook_end(wh, 0, "out of memory");
		return;
	}
	wh->wh_fd = -1;
	wh->wh_ssl = NULL;
	bufferevent_setcb(wh->wh_bev, webhook_readcb, NULL, webhook_eventcb,
	    wh);
	if (bufferevent_enable(wh->wh_bev, EV_READ | EV_WRITE) == -1) {
		webhook_end(wh, 0, "bufferevent_enable failed");
		return;
	}
	/* TLS sends once its handshake is done (BEV_EVENT_CONNECTED) */
	if (!wh->wh_url.wu_tls && webhook_send(wh) == -1)
		webhook_end(wh, 0, "out of memory");
}

static int
webhook_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 =
	    (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	if (ss->ss_family == AF_INET6)
		return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	return (0);
}

/* A connect to the current address; the timer bounds all of them. */
static int
webhook_dial(struct webhook *wh)
{
	const struct msg_alert_post	*ap = &wh->wh_msg;
	uint32_t			 i = wh->wh_addri;

	if (wh->wh_connev != NULL) {
		event_free(wh->wh_connev);
		wh->wh_connev = NULL;
	}
	if (wh->wh_fd != -1) {
		(void)close(wh->wh_fd);
		wh->wh_fd = -1;
	}
	if (wh->wh_ssl != NULL)
		SSL_free(wh->wh_ssl);
	wh->wh_ssl = NULL;
	if (ap->ap_addrlens[i] == 0 ||
	    ap->ap_addrlens[i] > sizeof(ap->ap_addrs[i])) {
		errno = EINVAL;
		return (-1);
	}
	if ((wh->wh_url.wu_tls && (wh->wh_ssl = tls_session(rd->rd_tls,
	    wh->wh_url.wu_host)) == NULL) ||
	    net_dial((const struct sockaddr *)&ap->ap_addrs[i],
	    ap->ap_addrlens[i], &wh->wh_fd, &wh->wh_dialerr) == -1)
		return (-1);
	if ((wh->wh_connev = event_new(rd->rd_base, wh->wh_fd, EV_WRITE,
	    webhook_connectcb, wh)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	if (wh->wh_dialerr != 0)
		event_active(wh->wh_connev, EV_WRITE, 0);
	else if (event_add(wh->wh_connev, NULL) == -1)
		return (-1);
	return (0);
}

/* The supervisor's IMSG_ALERT_POST, checked in relayd.c. */
void
webhook_post(const struct msg_alert_post *ap, const char *body, size_t len)
{
	struct webhook	*wh;
	char		 buf[RELAY_URL_MAX + 8], err[128];
	struct timeval	 tv = { WEBHOOK_SECS, 0 };
	uint32_t	 i;
	int		 e, n;

	if (nwebhooks >= WEBHOOK_MAX) {
		log_warnx("alert webhook: %d alerts in flight already; "
		    "dropping one", nwebhooks);
		return;
	}
	if ((wh = calloc(1, sizeof(*wh))) == NULL) {
		log_warn("alert webhook");
		return;
	}
	wh->wh_fd = -1;
	if (strncasecmp(ap->ap_url, "https://", 8) == 0)
		e = http_url_parse(ap->ap_url, &wh->wh_url, err, sizeof(err));
	else if (strncasecmp(ap->ap_url, "http://", 7) == 0) {
		/* the same grammar; ws:// is what the parser knows */
		n = snprintf(buf, sizeof(buf), "ws://%s", ap->ap_url + 7);
		e = n < 0 || (size_t)n >= sizeof(buf) ? -1 :
		    ws_url_parse(buf, &wh->wh_url, err, sizeof(err));
		for (i = 0; e == 0 && i < ap->ap_naddrs; i++)
			if (!webhook_loopback(&ap->ap_addrs[i])) {
				log_warnx("alert webhook: http:// only to a "
				    "loopback address; use https:// for %s",
				    wh->wh_url.wu_host);
				webhook_free(wh);
				return;
			}
	} else {
		(void)strlcpy(err, "not http:// or https://", sizeof(err));
		e = -1;
	}
	if (e == -1) {
		log_warnx("alert webhook: bad URL: %s", err);
		webhook_free(wh);
		return;
	}
	if ((wh->wh_body = malloc(len)) == NULL) {
		log_warn("alert webhook");
		webhook_free(wh);
		return;
	}
	memcpy(wh->wh_body, body, len);
	wh->wh_len = len;
	wh->wh_msg = *ap;
	if ((wh->wh_timer = evtimer_new(rd->rd_base, webhook_timercb,
	    wh)) == NULL || evtimer_add(wh->wh_timer, &tv) == -1 ||
	    webhook_dial(wh) == -1) {
		log_warn("alert webhook %s", wh->wh_url.wu_hostport);
		webhook_free(wh);
		return;
	}
	TAILQ_INSERT_TAIL(&webhooks, wh, wh_entry);
	nwebhooks++;
}

void
webhook_shutdown(void)
{
	struct webhook	*wh;

	while ((wh = TAILQ_FIRST(&webhooks)) != NULL) {
		TAILQ_REMOVE(&webhooks, wh, wh_entry);
		webhook_free(wh);
	}
	nwebhooks = 0;
}
