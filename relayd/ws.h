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

#ifndef OA_WS_H
#define OA_WS_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct event_base;

/*
 * A WebSocket client connection (RFC 6455) on a libevent bufferevent,
 * plain (ws://) or through OpenSSL (wss://), with wslay doing the
 * framing.  One connection per relay; everything is non-blocking and
 * reported through callbacks from the event loop.
 */

#define WS_HOST_MAX	256
#define WS_PATH_MAX	1024
#define WS_URL_MAX	(WS_HOST_MAX + WS_PATH_MAX + 16)
#define WS_CLOSE_SECS	2	/* how long ws_close waits for the peer */

struct ws_url {
	int		 wu_tls;			/* wss:// */
	char		 wu_host[WS_HOST_MAX];		/* no brackets */
	uint16_t	 wu_port;
	char		 wu_path[WS_PATH_MAX];		/* "/" at least */
	char		 wu_hostport[WS_HOST_MAX + 8];	/* Host: header */
};

/*
 * ws://host[:port][/path][?query] and wss://..., host a name, an IPv4
 * address or a bracketed IPv6 address.  No user info, no fragment, no
 * empty port; the path is printable ASCII (already percent-encoded).
 * Lives in http_parse.c with the other pure parsers.
 */
int	ws_url_parse(const char *, struct ws_url *, char *, size_t);

struct ws_limits {
	size_t		 wl_max_message;	/* whole message; > 0 */
	int		 wl_handshake_secs;	/* connect+TLS+upgrade */
};

/* Why a connection ended, for logs and the relay's counters. */
enum ws_end {
	WS_END_CLOSED = 0,	/* close handshake done, or we closed */
	WS_END_CONNECT,		/* TCP connect failed or timed out */
	WS_END_TLS,		/* TLS handshake or certificate check */
	WS_END_HANDSHAKE,	/* the HTTP upgrade was refused or bad */
	WS_END_PROTOCOL,	/* bad frames, oversize message */
	WS_END_EOF,		/* the peer went away without a close */
	WS_END_IO		/* read or write error */
};

/* "closed", "connect", "tls", "handshake", "protocol", "eof", "io" */
const char	*ws_end_name(enum ws_end);

struct ws_conn;

struct ws_callbacks {
	/* the upgrade is done: messages may be sent */
	void	(*wc_open)(struct ws_conn *, void *);
	/*
	 * One whole text message, valid UTF-8, not NUL-terminated (binary
	 * messages are a protocol error).
	 */
	void	(*wc_message)(struct ws_conn *, const char *, size_t, void *);
	/* a pong answering our ws_ping, with the round trip in ms */
	void	(*wc_pong)(struct ws_conn *, int64_t, void *);
	/*
	 * The end, once, for whatever reason; why is a short text for the
	 * log ("TLS: certificate verify failed", "close 1001 going away").
	 * The connection is freed after this returns: do not touch it.
	 * Never called from inside ws_send_text, ws_ping or ws_close: an
	 * end they cause arrives later from the event loop.
	 */
	void	(*wc_end)(struct ws_conn *, enum ws_end, const char *, void *);
};

/*
 * Limits: wl_max_message bounds a reassembled message (more ends the
 * connection with close 1009); wl_handshake_secs bounds connect, TLS
 * and the upgrade together, 0 meaning no bound.
 *
 * Connect to sa (an address of url's host, resolved elsewhere: relayd
 * has no resolver) and run TLS when url says wss://, with ctx, SNI and
 * the host name (or IP address) checked against the certificate.  NULL
 * only when arguments or resources fail (errno); every other outcome,
 * a refused connection included, arrives through cb.  The callbacks
 * and the url are copied.
 */
struct ws_conn	*ws_connect(struct event_base *, const struct sockaddr *,
		    socklen_t, const struct ws_url *, SSL_CTX *,
		    const struct ws_limits *, const struct ws_callbacks *,
		    void *);
/* Queue one text message; -1 (errno) unless the connection is open. */
int		 ws_send_text(struct ws_conn *, const char *, size_t);
/* A ping carrying a timestamp; its pong reaches wc_pong.  0 or -1. */
int		 ws_ping(struct ws_conn *);
/*
 * Start the close handshake; wc_end follows (bounded by WS_CLOSE_SECS).
 * Before the connection is open, it just ends it.
 */
void		 ws_close(struct ws_conn *, uint16_t, const char *);
/*
 * Tear down without callbacks.  Safe from inside any of the callbacks
 * but wc_end (the memory goes when the callback returns).
 */
void		 ws_free(struct ws_conn *);

/*
 * The TLS context relayd uses for every wss:// relay: TLS 1.2 or newer,
 * peer verification against the system store (or cafile), loaded
 * eagerly because the sandbox takes the file system away later.
 */
SSL_CTX		*ws_tls_context(const char *, char *, size_t);

/*
 * NIP-11: GET the relay's information document (http:// or https:// of
 * the same host and path, Accept: application/nostr+json) and report
 * the body, at most max bytes, or an error.  One request, Connection:
 * close, no redirects; the body comes by Content-Length, chunked or up
 * to EOF; anything but 200 is an error.  The whole exchange is bounded
 * by secs.
 *
 * The callback comes exactly once, from the event loop, unless the
 * fetch is aborted: (ok = 1, body, len, NULL, arg) on success, the body
 * not NUL-terminated; (ok = 0, NULL, 0, why, arg) on failure.  ws_fetch_info
 * returns -1 (errno) only when the request could not even start, and
 * then there is no callback.
 */
typedef void	(*ws_info_cb)(int, const char *, size_t, const char *, void *);
int		 ws_fetch_info(struct event_base *, const struct sockaddr *,
		    socklen_t, const struct ws_url *, SSL_CTX *, size_t, int,
		    ws_info_cb, void *);
/* Drop, without callbacks, every pending fetch started with this arg. */
void		 ws_fetch_abort(void *);

/*
 * The pieces under ws_connect, for relayd's other clients (the proxy):
 * net_dial starts a non-blocking connect (a refusal it sees at once is
 * left in *err for the caller to report like a late one); net_connected
 * tells, once the socket is writable, whether it worked; tls_session
 * makes a client session for a host name or IP literal, SNI and the
 * name check included; net_bufferevent wraps the connected socket,
 * with TLS when ssl is not NULL (the bufferevent owns fd and ssl then);
 * tls_why explains a TLS failure on one.
 */
struct bufferevent;
int		 net_dial(const struct sockaddr *, socklen_t, int *, int *);
int		 net_connected(int, char *, size_t);
SSL		*tls_session(SSL_CTX *, char *);
struct bufferevent *net_bufferevent(struct event_base *, int, SSL *);
void		 tls_why(struct bufferevent *, int, char *, size_t);

/*
 * Test only (the wsframe fuzzer): a connection in the open state with
 * no socket and no event loop.  ws_fuzz_feed hands it bytes as if they
 * came from the server; what it would send is dropped.  Returns 0
 * while the connection lives, 1 once it is gone: wc_end was called (or
 * a callback did ws_free) and it was freed; do not ws_free it then.
 */
struct ws_conn	*ws_fuzz_open(const struct ws_limits *,
		    const struct ws_callbacks *, void *);
int		 ws_fuzz_feed(struct ws_conn *, const uint8_t *, size_t);

#endif /* OA_WS_H */
