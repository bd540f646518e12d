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
 * The WebSocket client: TCP connect, TLS, the HTTP upgrade, then wslay
 * framing over a bufferevent.  Also the TLS context and the one-shot
 * NIP-11 GET (ws_info.c would be its own file if the build allowed).
 *
 * Lifetime: a connection is only ever freed at the end of one of our
 * own libevent callbacks, once nothing of ours is on the stack; any
 * ending decided elsewhere (inside wslay, inside a user callback, in
 * ws_send_text) is recorded and delivered from there, so that wc_end
 * comes exactly once and never from under the caller's feet.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sodium.h>
#include <wslay/wslay.h>

#include "oa_build.h"
#include "http_parse.h"
#include "util.h"
#include "ws.h"

#define WS_WHY_MAX	192
#define WS_OUTBUF_MAX	(16 * 1024 * 1024)	/* then wslay keeps it */
#define WS_USER_AGENT	"openagents-provider/" OA_VERSION
#define WS_CA_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"

enum ws_state {
	WS_ST_CONNECT,		/* TCP connect under way */
	WS_ST_TLS,		/* TLS handshake */
	WS_ST_UPGRADE,		/* request out, waiting for the 101 */
	WS_ST_OPEN,
	WS_ST_CLOSING,		/* our close is out, theirs not yet in */
	WS_ST_FLUSH,		/* ending once the output has drained */
	WS_ST_DONE		/* ended: wc_end is due */
};

struct ws_conn {
	struct event_base	*cn_base;	/* NULL for ws_fuzz_open */
	int			 cn_fd;		/* till cn_bev has it */
	SSL			*cn_ssl;	/* idem */
	struct event		*cn_connev;
	struct event		*cn_timer;
	struct event		*cn_endev;
	struct bufferevent	*cn_bev;
	struct evbuffer		*cn_fuzzin;
	wslay_event_context_ptr	 cn_wslay;
	struct ws_url		 cn_url;
	struct ws_limits	 cn_limits;
	struct ws_callbacks	 cn_cb;
	void			*cn_arg;
	enum ws_state		 cn_state;
	int			 cn_depth;	/* our stack frames */
	int			 cn_freed;	/* ws_free in a callback */
	int			 cn_whyset;
	enum ws_end		 cn_end;
	char			 cn_why[WS_WHY_MAX];
	char			 cn_key[32];
	uint8_t			 cn_ping[8];
	int			 cn_pinging;
};

struct ws_info {
	TAILQ_ENTRY(ws_info)	 in_entry;
	struct event_base	*in_base;
	int			 in_fd;
	SSL			*in_ssl;
	struct event		*in_connev;
	struct event		*in_timer;
	struct bufferevent	*in_bev;
	struct evbuffer		*in_body;
	struct ws_url		 in_url;
	struct http_chunked	 in_chunked;
	size_t			 in_max;
	uint64_t		 in_left;	/* of a Content-Length body */
	int			 in_dialerr;	/* connect() failed */
	enum {
		IN_CONNECT, IN_TLS, IN_HEAD, IN_LENGTH, IN_CHUNKED, IN_EOF
	}			 in_state;
	ws_info_cb		 in_cb;
	void			*in_arg;
};

static TAILQ_HEAD(, ws_info) ws_infos = TAILQ_HEAD_INITIALIZER(ws_infos);

static void	conn_why(struct ws_conn *, enum ws_end, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static void	info_fail(struct ws_info *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static void	conn_readcb(struct bufferevent *, void *);
static void	conn_writecb(struct bufferevent *, void *);
static void	conn_eventcb(struct bufferevent *, short, void *);
static void	conn_frames(struct ws_conn *);
static void	info_readcb(struct bufferevent *, void *);
static void	info_eventcb(struct bufferevent *, short, void *);

const char *
ws_end_name(enum ws_end e)
{
	switch (e) {
	case WS_END_CLOSED:
		return ("closed");
	case WS_END_CONNECT:
		return ("connect");
	case WS_END_TLS:
		return ("tls");
	case WS_END_HANDSHAKE:
		return ("handshake");
	case WS_END_PROTOCOL:
		return ("protocol");
	case WS_END_EOF:
		return ("eof");
	case WS_END_IO:
		return ("io");
	}
	return ("unknown");
}

/*
 * Shared by connections, NIP-11 fetches and the proxy (proxy.c): the
 * socket, the TLS session and the error texts.
 */

int
net_dial(const struct sockaddr *sa, socklen_t salen, int *fdp, int *errp)
{
	int	 fd;

	*errp = 0;
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, sa, salen) == -1 && errno != EINPROGRESS)
		*errp = errno;	/* reported like a late failure */
	*fdp = fd;
	return (0);
}

/* After the socket became writable: did the connect work? */
int
net_connected(int fd, char *why, size_t whylen)
{
	int		 e = 0;
	socklen_t	 len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0) {
		errbuf_set(why, whylen, "connect: %s", strerror(e));
		return (-1);
	}
	return (0);
}

static int
net_is_ip(const char *host)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	return (inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1);
}

/*
 * A client session for host: SNI and a name check for names, an address
 * check for IP literals (SNI must not carry those, RFC 6066).
 */
SSL *
tls_session(SSL_CTX *ctx, char *host)
{
	SSL	*ssl;

	if (ctx == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if ((ssl = SSL_new(ctx)) == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	if (net_is_ip(host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    host) != 1)
			goto fail;
	} else if (SSL_set_tlsext_host_name(ssl, host) != 1 ||
	    SSL_set1_host(ssl, host) != 1)
		goto fail;
	SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
	return (ssl);
 fail:
	SSL_free(ssl);
	ERR_clear_error();
	errno = EINVAL;
	return (NULL);
}

/* An OpenSSL error code as words; system errors through strerror. */
static const char *
tls_error_text(unsigned long e)
{
	const char	*reason;

	if (ERR_SYSTEM_ERROR(e))
		return (strerror(ERR_GET_REASON(e)));
	if ((reason = ERR_reason_error_string(e)) == NULL)
		return ("unknown error");
	return (reason);
}

void
tls_why(struct bufferevent *bev, int sockerr, char *why, size_t whylen)
{
	SSL		*ssl = bufferevent_openssl_get_ssl(bev);
	unsigned long	 e, first = 0;
	long		 vr;

	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		if (first == 0)
			first = e;
	ERR_clear_error();
	vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (vr != X509_V_OK)
		errbuf_set(why, whylen, "TLS: certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
	else if (first != 0)
		errbuf_set(why, whylen, "TLS: %s", tls_error_text(first));
	else if (sockerr != 0)
		errbuf_set(why, whylen, "TLS: %s", strerror(sockerr));
	else
		errbuf_set(why, whylen, "TLS: handshake failed");
}

struct bufferevent *
net_bufferevent(struct event_base *base, int fd, SSL *ssl)
{
	struct bufferevent	*bev;

	if (ssl == NULL)
		return (bufferevent_socket_new(base, fd,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS));
	bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	/* WebSocket and HTTP bodies carry their own ends */
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return (bev);
}

static int
timer_arm(struct event *ev, int secs)
{
	struct timeval	 tv;

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	return (evtimer_add(ev, &tv));
}

static uint64_t
now_usec(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

/*
 * Connection lifetime.
 */

static struct evbuffer *
conn_input(struct ws_conn *c)
{
	return (c->cn_bev != NULL ? bufferevent_get_input(c->cn_bev) :
	    c->cn_fuzzin);
}

static size_t
conn_output_len(struct ws_conn *c)
{
	return (c->cn_bev != NULL ?
	    evbuffer_get_length(bufferevent_get_output(c->cn_bev)) : 0);
}

static void
conn_destroy(struct ws_conn *c)
{
	if (c->cn_connev != NULL)
		event_free(c->cn_connev);
	if (c->cn_timer != NULL)
		event_free(c->cn_timer);
	if (c->cn_endev != NULL)
		event_free(c->cn_endev);
	if (c->cn_bev != NULL)
		bufferevent_free(c->cn_bev);	/* the fd and SSL with it */
	else {
		if (c->cn_ssl != NULL)
			SSL_free(c->cn_ssl);
		if (c->cn_fd != -1)
			(void)close(c->cn_fd);
	}
	if (c->cn_fuzzin != NULL)
		evbuffer_free(c->cn_fuzzin);
	if (c->cn_wslay != NULL)
		wslay_event_context_free(c->cn_wslay);
	free(c);
}

/* Why the connection ends: the first reason given wins. */
static void
conn_why(struct ws_conn *c, enum ws_end e, const char *fmt, ...)
{
	va_list	 ap;

	if (c->cn_whyset)
		return;
	c->cn_whyset = 1;
	c->cn_end = e;
	va_start(ap, fmt);
	(void)vsnprintf(c->cn_why, sizeof(c->cn_why), fmt, ap);
	va_end(ap);
}

/* Stop all I/O; wc_end goes out when the stack is ours again. */
static void
conn_done(struct ws_conn *c)
{
	if (c->cn_state == WS_ST_DONE)
		return;
	c->cn_state = WS_ST_DONE;
	if (!c->cn_whyset)
		conn_why(c, WS_END_IO, "ended");
	if (c->cn_bev != NULL)
		(void)bufferevent_disable(c->cn_bev, EV_READ | EV_WRITE);
	if (c->cn_connev != NULL)
		(void)event_del(c->cn_connev);
	if (c->cn_timer != NULL)
		(void)evtimer_del(c->cn_timer);
	if (c->cn_endev != NULL)
		event_active(c->cn_endev, EV_TIMEOUT, 0);
}

static void
conn_enter(struct ws_conn *c)
{
	c->cn_depth++;
}

/*
 * Leaving one of our libevent callbacks (or ws_fuzz_feed).  Returns 1
 * when the connection is gone.
 */
static int
conn_leave(struct ws_conn *c)
{
	if (--c->cn_depth > 0)
		return (0);
	if (c->cn_freed) {
		conn_destroy(c);
		return (1);
	}
	if (c->cn_state != WS_ST_DONE)
		return (0);
	/* our frame again, so that a ws_free inside wc_end is harmless */
	c->cn_depth = 1;
	if (c->cn_cb.wc_end != NULL)
		c->cn_cb.wc_end(c, c->cn_end, c->cn_why, c->cn_arg);
	conn_destroy(c);
	return (1);
}

/* End once the output (a close frame, usually) has gone out. */
static void
conn_linger(struct ws_conn *c)
{
	if (c->cn_state == WS_ST_DONE || c->cn_state == WS_ST_FLUSH)
		return;
	if (conn_output_len(c) == 0 || c->cn_timer == NULL) {
		conn_done(c);
		return;
	}
	c->cn_state = WS_ST_FLUSH;
	(void)bufferevent_disable(c->cn_bev, EV_READ);
	if (timer_arm(c->cn_timer, WS_CLOSE_SECS) == -1)
		conn_done(c);
}

/*
 * The wslay side: it reads from the input buffer and writes into the
 * output buffer, never to the socket itself.
 */

static int
conn_live(struct ws_conn *c)
{
	return (!c->cn_freed && (c->cn_state == WS_ST_OPEN ||
	    c->cn_state == WS_ST_CLOSING));
}

static ssize_t
conn_wslay_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *arg)
{
	struct ws_conn	*c = arg;
	int		 n;

	(void)flags;
	if (!conn_live(c) || len > INT32_MAX ||
	    (n = evbuffer_remove(conn_input(c), buf, len)) <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return (-1);
	}
	return (n);
}

static ssize_t
conn_wslay_send(wslay_event_context_ptr ctx, const uint8_t *data,
    size_t len, int flags, void *arg)
{
	struct ws_conn	*c = arg;

	(void)flags;
	if (c->cn_freed || c->cn_state == WS_ST_DONE) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return (-1);
	}
	if (c->cn_bev == NULL)
		return ((ssize_t)len);	/* ws_fuzz_open: dropped */
	if (conn_output_len(c) >= WS_OUTBUF_MAX) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return (-1);
	}
	if (evbuffer_add(bufferevent_get_output(c->cn_bev), data, len) ==
	    -1) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return (-1);
	}
	return ((ssize_t)len);
}

static int
conn_wslay_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    void *arg)
{
	(void)ctx;
	(void)arg;
	randombytes_buf(buf, len);
	return (0);
}

/* The close frame's reason, for a log line: control bytes masked. */
static void
conn_close_why(struct ws_conn *c, const struct wslay_event_on_msg_recv_arg
    *m)
{
	char	 reason[124];
	size_t	 i, n = 0;

	if (m->msg_length > 2) {
		n = m->msg_length - 2;
		if (n >= sizeof(reason))
			n = sizeof(reason) - 1;
		for (i = 0; i < n; i++)
			reason[i] = m->msg[2 + i] < 0x20 ||
			    m->msg[2 + i] == 0x7f ? '?' : (char)m->msg[2 + i];
	}
	reason[n] = '\0';
	if (m->status_code == 0)
		conn_why(c, WS_END_CLOSED, "close without a code");
	else
		conn_why(c, WS_END_CLOSED, "close %u%s%s", m->status_code,
		    n > 0 ? " " : "", reason);
}

static void
conn_pong(struct ws_conn *c, const struct wslay_event_on_msg_recv_arg *m)
{
	uint64_t	 sent = 0, now;
	size_t		 i;

	/* an unsolicited pong is a heartbeat (RFC 6455 5.5.3): ignore it */
	if (!c->cn_pinging || m->msg_length != sizeof(c->cn_ping) ||
	    memcmp(m->msg, c->cn_ping, sizeof(c->cn_ping)) != 0)
		return;
	c->cn_pinging = 0;
	for (i = 0; i < sizeof(c->cn_ping); i++)
		sent = sent << 8 | c->cn_ping[i];
	now = now_usec();
	if (c->cn_cb.wc_pong != NULL)
		c->cn_cb.wc_pong(c, now > sent ? (int64_t)((now - sent + 500) /
		    1000) : 0, c->cn_arg);
}

static void
conn_wslay_msg(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *m, void *arg)
{
	struct ws_conn	*c = arg;

	if (!conn_live(c))
		return;
	switch (m->opcode) {
	case WSLAY_TEXT_FRAME:
		if (c->cn_cb.wc_message != NULL)
			c->cn_cb.wc_message(c, m->msg_length > 0 ?
			    (const char *)m->msg : "", m->msg_length,
			    c->cn_arg);
		break;
	case WSLAY_BINARY_FRAME:
		conn_why(c, WS_END_PROTOCOL, "binary message");
		(void)wslay_event_queue_close(ctx,
		    WSLAY_CODE_UNSUPPORTED_DATA, NULL, 0);
		wslay_event_shutdown_read(ctx);
		break;
	case WSLAY_PONG:
		conn_pong(c, m);
		break;
	case WSLAY_CONNECTION_CLOSE:
		conn_close_why(c, m);
		break;
	default:
		break;		/* pings: wslay answers them */
	}
}

static int
conn_wslay_init(struct ws_conn *c)
{
	struct wslay_event_callbacks	 cb = {
		.recv_callback = conn_wslay_recv,
		.send_callback = conn_wslay_send,
		.genmask_callback = conn_wslay_genmask,
		.on_msg_recv_callback = conn_wslay_msg,
	};

	if (wslay_event_context_client_init(&c->cn_wslay, &cb, c) != 0) {
		c->cn_wslay = NULL;
		errno = ENOMEM;
		return (-1);
	}
	wslay_event_config_set_max_recv_msg_length(c->cn_wslay,
	    c->cn_limits.wl_max_message);
	return (0);
}

/* Hand wslay's queue to the output; -1 when the connection broke. */
static int
conn_flush(struct ws_conn *c)
{
	if (wslay_event_send(c->cn_wslay) != 0) {
		conn_why(c, WS_END_IO, "write failed");
		conn_done(c);
		return (-1);
	}
	return (0);
}

/* After wslay has read or written: did the connection end? */
static void
conn_settle(struct ws_conn *c)
{
	uint16_t	 code;

	if (c->cn_freed || c->cn_state == WS_ST_DONE ||
	    c->cn_state == WS_ST_FLUSH || conn_flush(c) == -1)
		return;
	if (wslay_event_get_close_received(c->cn_wslay)) {
		conn_why(c, WS_END_CLOSED, "close");
		conn_linger(c);
		return;
	}
	if (wslay_event_get_read_enabled(c->cn_wslay))
		return;
	/* wslay failed the connection and queued the close saying why */
	code = wslay_event_get_status_code_sent(c->cn_wslay);
	if (code == WSLAY_CODE_MESSAGE_TOO_BIG)
		conn_why(c, WS_END_PROTOCOL, "message over %zu bytes",
		    c->cn_limits.wl_max_message);
	else if (code == WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA)
		conn_why(c, WS_END_PROTOCOL, "invalid UTF-8 in a text frame");
	else
		conn_why(c, WS_END_PROTOCOL, "bad frame (close %u)", code);
	conn_linger(c);
}

static void
conn_frames(struct ws_conn *c)
{
	if (!conn_live(c))
		return;
	if (wslay_event_recv(c->cn_wslay) != 0) {
		conn_why(c, WS_END_PROTOCOL, "frame decoding failed");
		conn_done(c);
		return;
	}
	conn_settle(c);
}

/*
 * The handshake.
 */

static int
conn_send_upgrade(struct ws_conn *c)
{
	uint8_t		 nonce[16];

	randombytes_buf(nonce, sizeof(nonce));
	(void)sodium_bin2base64(c->cn_key, sizeof(c->cn_key), nonce,
	    sizeof(nonce), sodium_base64_VARIANT_ORIGINAL);
	if (evbuffer_add_printf(bufferevent_get_output(c->cn_bev),
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "User-Agent: " WS_USER_AGENT "\r\n"
	    "\r\n", c->cn_url.wu_path, c->cn_url.wu_hostport,
	    c->cn_key) == -1) {
		conn_why(c, WS_END_IO, "out of memory");
		conn_done(c);
		return (-1);
	}
	c->cn_state = WS_ST_UPGRADE;
	return (0);
}

static void
conn_open(struct ws_conn *c)
{
	if (conn_wslay_init(c) == -1) {
		conn_why(c, WS_END_IO, "out of memory");
		conn_done(c);
		return;
	}
	c->cn_state = WS_ST_OPEN;
	(void)evtimer_del(c->cn_timer);
	if (c->cn_cb.wc_open != NULL)
		c->cn_cb.wc_open(c, c->cn_arg);
	/* frames that came with the 101, and what wc_open queued */
	if (evbuffer_get_length(conn_input(c)) > 0)
		conn_frames(c);
	else
		conn_settle(c);
}

static void
conn_upgrade_read(struct ws_conn *c)
{
	struct http_response	 r;
	struct evbuffer		*in = conn_input(c);
	char			 err[WS_WHY_MAX - 32];
	size_t			 n;
	unsigned char		*p;
	int			 rv;

	if ((n = evbuffer_get_length(in)) > HTTP_HEAD_MAX)
		n = HTTP_HEAD_MAX;
	if ((p = evbuffer_pullup(in, (ssize_t)n)) == NULL && n > 0) {
		conn_why(c, WS_END_IO, "out of memory");
		conn_done(c);
		return;
	}
	if ((rv = http_response_parse((const char *)p, n, &r, err,
	    sizeof(err))) == 0)
		return;
	if (rv == -1) {
		conn_why(c, WS_END_HANDSHAKE, "bad upgrade response: %s", err);
		conn_done(c);
		return;
	}
	rv = ws_upgrade_check(&r, c->cn_key, err, sizeof(err));
	(void)evbuffer_drain(in, r.hr_headlen);
	http_response_free(&r);
	if (rv == -1) {
		conn_why(c, WS_END_HANDSHAKE, "%s", err);
		conn_done(c);
		return;
	}
	conn_open(c);
}

/*
 * libevent callbacks.
 */

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct ws_conn	*c = arg;

	(void)bev;
	conn_enter(c);
	switch (c->cn_state) {
	case WS_ST_UPGRADE:
		conn_upgrade_read(c);
		break;
	case WS_ST_OPEN:
	case WS_ST_CLOSING:
		conn_frames(c);
		break;
	case WS_ST_CONNECT:
	case WS_ST_TLS:
	case WS_ST_FLUSH:
	case WS_ST_DONE:
		(void)evbuffer_drain(conn_input(c),
		    evbuffer_get_length(conn_input(c)));
		break;
	}
	(void)conn_leave(c);
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
	struct ws_conn	*c = arg;

	(void)bev;
	conn_enter(c);
	if (c->cn_state == WS_ST_FLUSH && conn_output_len(c) == 0)
		conn_done(c);
	else if (conn_live(c) && wslay_event_want_write(c->cn_wslay))
		conn_settle(c);	/* what WS_OUTBUF_MAX held back */
	(void)conn_leave(c);
}

static void
conn_eof(struct ws_conn *c)
{
	switch (c->cn_state) {
	case WS_ST_CONNECT:
	case WS_ST_TLS:
		conn_why(c, WS_END_TLS, "TLS: connection closed in handshake");
		break;
	case WS_ST_UPGRADE:
		conn_why(c, WS_END_HANDSHAKE, "connection closed in upgrade");
		break;
	case WS_ST_OPEN:
		conn_why(c, WS_END_EOF, "connection closed without a close");
		break;
	case WS_ST_CLOSING:
	case WS_ST_FLUSH:
	case WS_ST_DONE:
		conn_why(c, WS_END_CLOSED, "connection closed");
		break;
	}
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct ws_conn	*c = arg;
	char		 why[WS_WHY_MAX];
	int		 e = EVUTIL_SOCKET_ERROR();

	conn_enter(c);
	if (what & BEV_EVENT_CONNECTED) {
		if (c->cn_state == WS_ST_TLS)
			(void)conn_send_upgrade(c);
	} else if (what & BEV_EVENT_EOF) {
		/* what came just before the EOF still counts */
		if (c->cn_state == WS_ST_UPGRADE)
			conn_upgrade_read(c);
		if (conn_live(c))
			conn_frames(c);
		conn_eof(c);
		conn_done(c);
	} else if (what & BEV_EVENT_ERROR) {
		if (c->cn_state == WS_ST_TLS) {
			tls_why(bev, e, why, sizeof(why));
			conn_why(c, WS_END_TLS, "%s", why);
		} else
			conn_why(c, WS_END_IO, "%s%s",
			    c->cn_url.wu_tls ? "TLS: " : "",
			    e != 0 ? strerror(e) : "read error");
		conn_done(c);
	}
	(void)conn_leave(c);
}

static void
conn_timercb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn	*c = arg;

	(void)fd;
	(void)what;
	conn_enter(c);
	switch (c->cn_state) {
	case WS_ST_CONNECT:
		conn_why(c, WS_END_CONNECT, "connect: timed out");
		break;
	case WS_ST_TLS:
		conn_why(c, WS_END_TLS, "TLS: handshake timed out");
		break;
	case WS_ST_UPGRADE:
		conn_why(c, WS_END_HANDSHAKE, "upgrade timed out");
		break;
	case WS_ST_CLOSING:
		conn_why(c, WS_END_CLOSED, "no close from the peer in %d s",
		    WS_CLOSE_SECS);
		break;
	case WS_ST_OPEN:
	case WS_ST_FLUSH:
	case WS_ST_DONE:
		break;
	}
	conn_done(c);
	(void)conn_leave(c);
}

static void
conn_endcb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn	*c = arg;

	(void)fd;
	(void)what;
	conn_enter(c);
	(void)conn_leave(c);
}

/* The TCP connection is up (or not): start TLS or the upgrade. */
static void
conn_connectcb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn	*c = arg;

	(void)what;
	conn_enter(c);
	if (net_connected(fd, c->cn_why, sizeof(c->cn_why)) == -1) {
		c->cn_whyset = 1;
		c->cn_end = WS_END_CONNECT;
		conn_done(c);
	} else if ((c->cn_bev = net_bufferevent(c->cn_base, c->cn_fd,
	    c->cn_ssl)) == NULL) {
		conn_why(c, WS_END_IO, "out of memory");
		conn_done(c);
	} else {
		c->cn_fd = -1;
		c->cn_ssl = NULL;
		bufferevent_setcb(c->cn_bev, conn_readcb, conn_writecb,
		    conn_eventcb, c);
		if (bufferevent_enable(c->cn_bev, EV_READ | EV_WRITE) == -1) {
			conn_why(c, WS_END_IO, "bufferevent_enable failed");
			conn_done(c);
		} else if (c->cn_url.wu_tls)
			c->cn_state = WS_ST_TLS;
		else
			(void)conn_send_upgrade(c);
	}
	(void)conn_leave(c);
}

static struct ws_conn *
conn_new(const struct ws_limits *lim, const struct ws_callbacks *cb,
    void *arg)
{
	struct ws_conn	*c;

	if (lim->wl_max_message == 0 || lim->wl_handshake_secs < 0) {
		errno = EINVAL;
		return (NULL);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->cn_fd = -1;
	c->cn_limits = *lim;
	c->cn_cb = *cb;
	c->cn_arg = arg;
	return (c);
}

struct ws_conn *
ws_connect(struct event_base *base, const struct sockaddr *sa,
    socklen_t salen, const struct ws_url *url, SSL_CTX *ctx,
    const struct ws_limits *lim, const struct ws_callbacks *cb, void *arg)
{
	struct ws_conn	*c;
	int		 e, saved;

	if ((c = conn_new(lim, cb, arg)) == NULL)
		return (NULL);
	c->cn_base = base;
	c->cn_url = *url;
	if ((url->wu_tls && (c->cn_ssl = tls_session(ctx,
	    c->cn_url.wu_host)) == NULL) ||
	    net_dial(sa, salen, &c->cn_fd, &e) == -1)
		goto fail;
	if ((c->cn_connev = event_new(base, c->cn_fd, EV_WRITE,
	    conn_connectcb, c)) == NULL ||
	    (c->cn_timer = evtimer_new(base, conn_timercb, c)) == NULL ||
	    (c->cn_endev = event_new(base, -1, 0, conn_endcb, c)) == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	if (e != 0) {
		conn_why(c, WS_END_CONNECT, "connect: %s", strerror(e));
		conn_done(c);
		return (c);
	}
	if (event_add(c->cn_connev, NULL) == -1 ||
	    (lim->wl_handshake_secs > 0 &&
	    timer_arm(c->cn_timer, lim->wl_handshake_secs) == -1))
		goto fail;
	return (c);
 fail:
	saved = errno;
	conn_destroy(c);
	errno = saved;
	return (NULL);
}

/*
 * The user's side.
 */

int
ws_send_text(struct ws_conn *c, const char *text, size_t len)
{
	struct wslay_event_msg	 m;

	if (c->cn_freed || c->cn_state != WS_ST_OPEN) {
		errno = ENOTCONN;
		return (-1);
	}
	m.opcode = WSLAY_TEXT_FRAME;
	m.msg = (const uint8_t *)text;
	m.msg_length = len;
	if (wslay_event_queue_msg(c->cn_wslay, &m) != 0) {
		errno = ENOMEM;
		return (-1);
	}
	/* inside our callbacks, conn_settle flushes on the way out */
	if (c->cn_depth == 0 && conn_flush(c) == -1) {
		errno = EPIPE;
		return (-1);
	}
	return (0);
}

int
ws_ping(struct ws_conn *c)
{
	struct wslay_event_msg	 m;
	uint64_t		 now = now_usec();
	size_t			 i;

	if (c->cn_freed || c->cn_state != WS_ST_OPEN) {
		errno = ENOTCONN;
		return (-1);
	}
	for (i = 0; i < sizeof(c->cn_ping); i++)
		c->cn_ping[i] = (uint8_t)(now >> (8 * (sizeof(c->cn_ping) -
		    1 - i)));
	m.opcode = WSLAY_PING;
	m.msg = c->cn_ping;
	m.msg_length = sizeof(c->cn_ping);
	if (wslay_event_queue_msg(c->cn_wslay, &m) != 0) {
		errno = ENOMEM;
		return (-1);
	}
	c->cn_pinging = 1;
	if (c->cn_depth == 0 && conn_flush(c) == -1) {
		errno = EPIPE;
		return (-1);
	}
	return (0);
}

void
ws_close(struct ws_conn *c, uint16_t code, const char *reason)
{
	size_t	 len = reason != NULL ? strlen(reason) : 0;

	if (c->cn_freed)
		return;
	if (c->cn_state != WS_ST_OPEN) {
		if (c->cn_state < WS_ST_OPEN) {
			conn_why(c, WS_END_CLOSED, "closed before open");
			conn_done(c);
		}
		return;
	}
	if (len > 123)		/* a control frame holds 125 bytes */
		len = 123;
	if (wslay_event_queue_close(c->cn_wslay, code,
	    (const uint8_t *)reason, len) != 0) {
		conn_why(c, WS_END_CLOSED, "closed");
		conn_done(c);
		return;
	}
	c->cn_state = WS_ST_CLOSING;
	if (c->cn_timer != NULL && timer_arm(c->cn_timer, WS_CLOSE_SECS) == -1)
		conn_done(c);
	else if (c->cn_depth == 0)
		(void)conn_flush(c);
}

void
ws_free(struct ws_conn *c)
{
	if (c == NULL)
		return;
	if (c->cn_depth == 0) {
		conn_destroy(c);
		return;
	}
	/* inside one of our callbacks: conn_leave frees it */
	c->cn_freed = 1;
	if (c->cn_bev != NULL)
		(void)bufferevent_disable(c->cn_bev, EV_READ | EV_WRITE);
	if (c->cn_timer != NULL)
		(void)evtimer_del(c->cn_timer);
	if (c->cn_connev != NULL)
		(void)event_del(c->cn_connev);
}

struct ws_conn *
ws_fuzz_open(const struct ws_limits *lim, const struct ws_callbacks *cb,
    void *arg)
{
	struct ws_conn	*c;

	if ((c = conn_new(lim, cb, arg)) == NULL)
		return (NULL);
	if ((c->cn_fuzzin = evbuffer_new()) == NULL ||
	    conn_wslay_init(c) == -1) {
		conn_destroy(c);
		return (NULL);
	}
	c->cn_state = WS_ST_OPEN;
	return (c);
}

int
ws_fuzz_feed(struct ws_conn *c, const uint8_t *data, size_t len)
{
	conn_enter(c);
	if (evbuffer_add(c->cn_fuzzin, data, len) == -1) {
		conn_why(c, WS_END_IO, "out of memory");
		conn_done(c);
	} else
		conn_frames(c);
	return (conn_leave(c));
}

/*
 * The TLS context.
 */

SSL_CTX *
ws_tls_context(const char *cafile, char *err, size_t errlen)
{
	SSL_CTX		*ctx;
	const char	*file = cafile;
	unsigned long	 e;
	int		 chosen = 1;	/* by caller or SSL_CERT_FILE */

	if (file == NULL)
		file = getenv(X509_get_default_cert_file_env());
	if (file == NULL || *file == '\0') {
		file = X509_get_default_cert_file();
		chosen = 0;
	}
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		errbuf_set(err, errlen, "SSL_CTX_new failed");
		return (NULL);
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		errbuf_set(err, errlen, "cannot require TLS 1.2");
		goto fail;
	}
	(void)SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/*
	 * Loaded now, all of it: relayd's sandbox takes the file system
	 * away, so a lazily read hashed directory would find nothing.
	 */
	ERR_clear_error();
	if (SSL_CTX_load_verify_file(ctx, file) != 1 && (chosen ||
	    SSL_CTX_load_verify_file(ctx, WS_CA_BUNDLE) != 1)) {
		e = ERR_peek_error();
		errbuf_set(err, errlen, "CA file %s: %s", file,
		    e != 0 ? tls_error_text(e) : "cannot load");
		goto fail;
	}
	ERR_clear_error();
	if (sk_X509_OBJECT_num(X509_STORE_get0_objects(
	    SSL_CTX_get_cert_store(ctx))) <= 0) {
		errbuf_set(err, errlen, "CA file %s: no certificates", file);
		goto fail;
	}
	return (ctx);
 fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return (NULL);
}

/*
 * NIP-11: one GET, reported once.
 */

static void
info_free(struct ws_info *in)
{
	if (in->in_connev != NULL)
		event_free(in->in_connev);
	if (in->in_timer != NULL)
		event_free(in->in_timer);
	if (in->in_bev != NULL)
		bufferevent_free(in->in_bev);
	else {
		if (in->in_ssl != NULL)
			SSL_free(in->in_ssl);
		if (in->in_fd != -1)
			(void)close(in->in_fd);
	}
	if (in->in_body != NULL)
		evbuffer_free(in->in_body);
	free(in);
}

/* Success: the body to the callback, then the fetch is gone. */
static void
info_done(struct ws_info *in)
{
	unsigned char	*body;
	size_t		 len;

	TAILQ_REMOVE(&ws_infos, in, in_entry);
	len = evbuffer_get_length(in->in_body);
	if ((body = evbuffer_pullup(in->in_body, -1)) == NULL && len > 0)
		in->in_cb(0, NULL, 0, "out of memory", in->in_arg);
	else
		in->in_cb(1, len > 0 ? (const char *)body : "", len, NULL,
		    in->in_arg);
	info_free(in);
}

static void
info_fail(struct ws_info *in, const char *fmt, ...)
{
	va_list		 ap;
	char		 why[WS_WHY_MAX];

	TAILQ_REMOVE(&ws_infos, in, in_entry);
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	in->in_cb(0, NULL, 0, why, in->in_arg);
	info_free(in);
}

static int
info_send(struct ws_info *in)
{
	in->in_state = IN_HEAD;
	return (evbuffer_add_printf(bufferevent_get_output(in->in_bev),
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Accept: application/nostr+json\r\n"
	    "User-Agent: " WS_USER_AGENT "\r\n"
	    "Connection: close\r\n"
	    "\r\n", in->in_url.wu_path, in->in_url.wu_hostport));
}

/* Status and framing from the head; 0 or -1 after info_fail. */
static int
info_head(struct ws_info *in, const struct http_response *r)
{
	const char		*te, *cl, *ce;
	char			*end;
	unsigned long long	 v;

	if (r->hr_status != 200) {
		info_fail(in, "HTTP %d %s", r->hr_status, r->hr_reason);
		return (-1);
	}
	if ((ce = http_header_get(r, "Content-Encoding")) != NULL &&
	    strcasecmp(ce, "identity") != 0) {
		info_fail(in, "unasked content coding %s", ce);
		return (-1);
	}
	te = http_header_get(r, "Transfer-Encoding");
	cl = http_header_get(r, "Content-Length");
	if (te != NULL) {
		if (strcasecmp(te, "chunked") != 0) {
			info_fail(in, "unsupported transfer coding %s", te);
			return (-1);
		}
		http_chunked_init(&in->in_chunked);
		in->in_state = IN_CHUNKED;
	} else if (cl != NULL) {
		errno = 0;
		v = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end != '\0' || errno != 0) {
			info_fail(in, "bad Content-Length");
			return (-1);
		}
		if (v > in->in_max) {
			info_fail(in, "document over %zu bytes", in->in_max);
			return (-1);
		}
		in->in_left = v;
		in->in_state = IN_LENGTH;
	} else
		in->in_state = IN_EOF;
	return (0);
}

/* Move n body bytes over, within the limit; -1 after info_fail. */
static int
info_body(struct ws_info *in, struct evbuffer *src, size_t n)
{
	if (evbuffer_get_length(in->in_body) + n > in->in_max) {
		info_fail(in, "document over %zu bytes", in->in_max);
		return (-1);
	}
	if (evbuffer_remove_buffer(src, in->in_body, n) != (int)n) {
		info_fail(in, "out of memory");
		return (-1);
	}
	return (0);
}

static int
info_chunked(struct ws_info *in, struct evbuffer *src)
{
	char		 err[128];
	size_t		 n, used;
	unsigned char	*p;
	int		 r, isdata;

	while ((n = evbuffer_get_length(src)) > 0) {
		if (n > HTTP_CHUNK_LINE_MAX + 2)
			n = HTTP_CHUNK_LINE_MAX + 2;
		if ((p = evbuffer_pullup(src, (ssize_t)n)) == NULL) {
			info_fail(in, "out of memory");
			return (-1);
		}
		r = http_chunked_step(&in->in_chunked, (const char *)p, n,
		    &used, &isdata, err, sizeof(err));
		if (r == -1) {
			info_fail(in, "%s", err);
			return (-1);
		}
		if (isdata && used > 0) {
			if (info_body(in, src, used) == -1)
				return (-1);
		} else
			(void)evbuffer_drain(src, used);
		if (r == 1)
			return (1);
		if (used == 0)
			break;
	}
	return (0);
}

/* Returns 1 when the fetch is over (and in freed). */
static int
info_read(struct ws_info *in)
{
	struct evbuffer		*src = bufferevent_get_input(in->in_bev);
	struct http_response	 r;
	char			 err[128];
	size_t			 n;
	unsigned char		*p;
	int			 rv;

	if (in->in_state == IN_HEAD) {
		if ((n = evbuffer_get_length(src)) > HTTP_HEAD_MAX)
			n = HTTP_HEAD_MAX;
		p = evbuffer_pullup(src, (ssize_t)n);
		rv = http_response_parse((const char *)p, n, &r, err,
		    sizeof(err));
		if (rv == 0)
			return (0);
		if (rv == -1) {
			info_fail(in, "bad response: %s", err);
			return (1);
		}
		(void)evbuffer_drain(src, r.hr_headlen);
		rv = info_head(in, &r);
		http_response_free(&r);
		if (rv == -1)
			return (1);
	}
	switch (in->in_state) {
	case IN_LENGTH:
		n = evbuffer_get_length(src);
		if (n > in->in_left)
			n = (size_t)in->in_left;
		if (info_body(in, src, n) == -1)
			return (1);
		in->in_left -= n;
		if (in->in_left > 0)
			return (0);
		info_done(in);
		return (1);
	case IN_CHUNKED:
		if ((rv = info_chunked(in, src)) == 0)
			return (0);
		if (rv == 1)
			info_done(in);
		return (1);
	case IN_EOF:
		return (info_body(in, src, evbuffer_get_length(src)) == -1);
	case IN_CONNECT:
	case IN_TLS:
	case IN_HEAD:
		break;
	}
	return (0);
}

static void
info_readcb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	(void)info_read(arg);
}

static void
info_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct ws_info	*in = arg;
	char		 why[WS_WHY_MAX];
	int		 e = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (in->in_state == IN_TLS && info_send(in) == -1)
			info_fail(in, "out of memory");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (in->in_state == IN_TLS) {
			tls_why(bev, e, why, sizeof(why));
			info_fail(in, "%s", why);
		} else
			info_fail(in, "%s", e != 0 ? strerror(e) :
			    "read error");
		return;
	}
	/* what came just before the EOF still counts */
	if (in->in_state != IN_TLS && info_read(in) == 1)
		return;
	if (in->in_state == IN_EOF)
		info_done(in);
	else
		info_fail(in, "connection closed %s", in->in_state ==
		    IN_LENGTH || in->in_state == IN_CHUNKED ? "in the body" :
		    "before the response");
}

static void
info_timercb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	info_fail(arg, "timed out");
}

static void
info_connectcb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_info	*in = arg;
	char		 why[WS_WHY_MAX];

	(void)what;
	if (net_connected(fd, why, sizeof(why)) == -1) {
		info_fail(in, "%s", why);
		return;
	}
	if ((in->in_bev = net_bufferevent(in->in_base, in->in_fd,
	    in->in_ssl)) == NULL) {
		info_fail(in, "out of memory");
		return;
	}
	in->in_fd = -1;
	in->in_ssl = NULL;
	bufferevent_setcb(in->in_bev, info_readcb, NULL, info_eventcb, in);
	if (bufferevent_enable(in->in_bev, EV_READ | EV_WRITE) == -1) {
		info_fail(in, "bufferevent_enable failed");
		return;
	}
	if (in->in_url.wu_tls)
		in->in_state = IN_TLS;
	else if (info_send(in) == -1)
		info_fail(in, "out of memory");
}

/* A refused connect() found at once still reports from the loop. */
static void
info_refusedcb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_info	*in = arg;

	(void)fd;
	(void)what;
	info_fail(in, "connect: %s", strerror(in->in_dialerr));
}

int
ws_fetch_info(struct event_base *base, const struct sockaddr *sa,
    socklen_t salen, const struct ws_url *url, SSL_CTX *ctx, size_t max,
    int secs, ws_info_cb cb, void *arg)
{
	struct ws_info	*in;
	int		 e, saved;

	if (secs <= 0 || cb == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return (-1);
	in->in_fd = -1;
	in->in_base = base;
	in->in_url = *url;
	in->in_max = max;
	in->in_cb = cb;
	in->in_arg = arg;
	if ((in->in_body = evbuffer_new()) == NULL ||
	    (url->wu_tls && (in->in_ssl = tls_session(ctx,
	    in->in_url.wu_host)) == NULL) ||
	    net_dial(sa, salen, &in->in_fd, &e) == -1)
		goto fail;
	in->in_dialerr = e;
	if ((in->in_connev = event_new(base, in->in_fd, EV_WRITE,
	    e != 0 ? info_refusedcb : info_connectcb, in)) == NULL ||
	    (in->in_timer = evtimer_new(base, info_timercb, in)) == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	if (e != 0)
		event_active(in->in_connev, EV_WRITE, 0);
	else if (event_add(in->in_connev, NULL) == -1 ||
	    timer_arm(in->in_timer, secs) == -1)
		goto fail;
	TAILQ_INSERT_TAIL(&ws_infos, in, in_entry);
	return (0);
 fail:
	saved = errno;
	info_free(in);
	errno = saved;
	return (-1);
}

void
ws_fetch_abort(void *arg)
{
	struct ws_info	*in, *next;

	for (in = TAILQ_FIRST(&ws_infos); in != NULL; in = next) {
		next = TAILQ_NEXT(in, in_entry);
		if (in->in_arg == arg) {
			TAILQ_REMOVE(&ws_infos, in, in_entry);
			info_free(in);
		}
	}
}
