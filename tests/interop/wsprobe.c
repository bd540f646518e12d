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
 * wsprobe: relayd's WebSocket client (relayd/ws.c) on the command line,
 * for the interop tests against the npm ws server.
 *
 *	wsprobe [-i] [-c cafile] [-H address] [-m maxmsg] [-T secs]
 *	    [-t secs] url [step ...]
 *
 * -c	CA file instead of the system bundle
 * -H	connect to this address instead of resolving the URL's host (which
 *	stays the TLS name: "wrong.test" against 127.0.0.1)
 * -i	fetch the NIP-11 document instead (ws_fetch_info)
 * -m	largest message accepted (default 1 MiB)
 * -T	handshake limit (default 5 s); -t: limit of the whole run (20 s)
 *
 * Steps run in order once the connection is open:
 *	send:TEXT	a text message
 *	big:N		a text message of N bytes ("0123456789" repeated)
 *	ping		a ping
 *	pong		wait for the pong of every ping so far
 *	wait:N		wait until N messages have come in all
 *	sleep:MS	pause
 *	close:CODE[:REASON]	start the close handshake
 *	free		ws_free inside the callback, print "freed", stop
 *
 * One line per event on stdout: "open", "message LEN TEXT" (or
 * "message LEN sha256:HEX" for long or unprintable ones), "pong MS",
 * "end KIND WHY", "info LEN TEXT|sha256:HEX", "info-error WHY",
 * "timeout".  Exit 0 after an end, 3 on timeout, 1 on setup errors.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <event2/event.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "hex.h"
#include "ws.h"

#define PROBE_TEXT_MAX	120

struct probe {
	struct event_base	*p_base;
	struct ws_conn		*p_ws;
	struct event		*p_sleep;
	struct event		*p_timeout;
	char			**p_steps;
	int			 p_nsteps;
	int			 p_step;
	int			 p_sleeping;
	size_t			 p_messages;
	int			 p_pings;
	int			 p_pongs;
	int			 p_status;
};

static struct probe	 probe;

static void	probe_run(void);

static void
usage(void)
{
	fprintf(stderr, "usage: wsprobe [-i] [-c cafile] [-H address] "
	    "[-m maxmsg] [-T secs] [-t secs] url [step ...]\n");
	exit(1);
}

/* Short printable text as it is, anything else as its SHA-256. */
static void
probe_print(const char *what, const char *data, size_t len)
{
	uint8_t		 md[crypto_hash_sha256_BYTES];
	char		 hex[2 * sizeof(md) + 1];
	size_t		 i;
	int		 plain = len <= PROBE_TEXT_MAX;

	for (i = 0; plain && i < len; i++)
		if (data[i] < 0x20 || data[i] > 0x7e)
			plain = 0;
	if (plain) {
		printf("%s %zu %.*s\n", what, len, (int)len, data);
		return;
	}
	(void)crypto_hash_sha256(md, (const unsigned char *)data, len);
	hex_encode(md, sizeof(md), hex);
	printf("%s %zu sha256:%s\n", what, len, hex);
}

static void
probe_stop(int status)
{
	probe.p_status = status;
	if (event_base_loopexit(probe.p_base, NULL) == -1)
		errx(1, "event_base_loopexit");
}

static void
probe_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	probe.p_sleeping = 0;
	probe_run();
}

static void
probe_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	printf("timeout\n");
	probe_stop(3);
}

static long long
step_number(const char *s, long long max)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, 0, max, &errstr);
	if (errstr != NULL)
		errx(1, "step number %s: %s", s, errstr);
	return (n);
}

static void
step_big(size_t n)
{
	char	*buf;
	size_t	 i;

	if ((buf = malloc(n + 1)) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++)
		buf[i] = (char)('0' + i % 10);
	if (ws_send_text(probe.p_ws, buf, n) == -1)
		warn("ws_send_text");
	free(buf);
}

static void
step_close(const char *arg)
{
	char		 code[8];
	const char	*reason;
	size_t		 n;

	if ((reason = strchr(arg, ':')) == NULL)
		reason = arg + strlen(arg);
	n = (size_t)(reason - arg);
	if (n == 0 || n >= sizeof(code))
		errx(1, "close:CODE[:REASON]");
	memcpy(code, arg, n);
	code[n] = '\0';
	if (*reason == ':')
		reason++;
	ws_close(probe.p_ws, (uint16_t)step_number(code, 4999), reason);
}

/* One step; 0 when it has to wait. */
static int
step_one(const char *s)
{
	struct timeval	 tv;
	long long	 ms;

	if (strncmp(s, "send:", 5) == 0) {
		if (ws_send_text(probe.p_ws, s + 5, strlen(s + 5)) == -1)
			warn("ws_send_text");
	} else if (strncmp(s, "big:", 4) == 0)
		step_big((size_t)step_number(s + 4, 64 * 1024 * 1024));
	else if (strcmp(s, "ping") == 0) {
		if (ws_ping(probe.p_ws) == -1)
			warn("ws_ping");
		else
			probe.p_pings++;
	} else if (strcmp(s, "pong") == 0)
		return (probe.p_pongs >= probe.p_pings);
	else if (strncmp(s, "wait:", 5) == 0)
		return (probe.p_messages >=
		    (size_t)step_number(s + 5, INT_MAX));
	else if (strncmp(s, "sleep:", 6) == 0) {
		ms = step_number(s + 6, 60000);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (evtimer_add(probe.p_sleep, &tv) == -1)
			errx(1, "evtimer_add");
		probe.p_sleeping = 1;
		probe.p_step++;
		return (0);
	} else if (strncmp(s, "close:", 6) == 0)
		step_close(s + 6);
	else if (strcmp(s, "free") == 0) {
		ws_free(probe.p_ws);
		probe.p_ws = NULL;
		printf("freed\n");
		probe_stop(0);
		return (0);
	} else
		errx(1, "unknown step %s", s);
	return (1);
}

static void
probe_run(void)
{
	while (probe.p_ws != NULL && !probe.p_sleeping &&
	    probe.p_step < probe.p_nsteps) {
		if (!step_one(probe.p_steps[probe.p_step]))
			return;
		probe.p_step++;
	}
}

static void
probe_open(struct ws_conn *ws, void *arg)
{
	(void)ws;
	(void)arg;
	printf("open\n");
	probe_run();
}

static void
probe_message(struct ws_conn *ws, const char *text, size_t len, void *arg)
{
	(void)ws;
	(void)arg;
	probe.p_messages++;
	probe_print("message", text, len);
	probe_run();
}

static void
probe_pong(struct ws_conn *ws, int64_t ms, void *arg)
{
	(void)ws;
	(void)arg;
	probe.p_pongs++;
	printf("pong %lld\n", (long long)ms);
	probe_run();
}

static void
probe_end(struct ws_conn *ws, enum ws_end kind, const char *why, void *arg)
{
	(void)ws;
	(void)arg;
	probe.p_ws = NULL;
	printf("end %s %s\n", ws_end_name(kind), why);
	probe_stop(0);
}

static void
probe_info(int ok, const char *body, size_t len, const char *why, void *arg)
{
	(void)arg;
	if (ok)
		probe_print("info", body, len);
	else
		printf("info-error %s\n", why);
	probe_stop(0);
}

static struct addrinfo *
probe_resolve(const struct ws_url *u, const char *override)
{
	struct addrinfo	 hints, *res;
	char		 port[8];
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	(void)snprintf(port, sizeof(port), "%u", u->wu_port);
	if ((e = getaddrinfo(override != NULL ? override : u->wu_host, port,
	    &hints, &res)) != 0)
		errx(1, "%s: %s", override != NULL ? override : u->wu_host,
		    gai_strerror(e));
	return (res);
}

int
main(int argc, char *argv[])
{
	static const struct ws_callbacks cb = {
		.wc_open = probe_open,
		.wc_message = probe_message,
		.wc_pong = probe_pong,
		.wc_end = probe_end,
	};
	struct ws_limits	 lim = { 1024 * 1024, 5 };
	struct ws_url		 u;
	struct addrinfo		*ai;
	struct timeval		 tv = { 20, 0 };
	SSL_CTX			*ctx = NULL;
	const char		*cafile = NULL, *override = NULL;
	char			 errbuf[256];
	int			 ch, info = 0;

	/* as relayd does: a write to a closed socket is EPIPE, not death */
	if (setvbuf(stdout, NULL, _IOLBF, 0) != 0 || sodium_init() == -1 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		errx(1, "setup");
	while ((ch = getopt(argc, argv, "c:H:im:T:t:")) != -1) {
		switch (ch) {
		case 'c':
			cafile = optarg;
			break;
		case 'H':
			override = optarg;
			break;
		case 'i':
			info = 1;
			break;
		case 'm':
			lim.wl_max_message = (size_t)step_number(optarg,
			    INT_MAX);
			break;
		case 'T':
			lim.wl_handshake_secs = (int)step_number(optarg, 3600);
			break;
		case 't':
			tv.tv_sec = (time_t)step_number(optarg, 3600);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (ws_url_parse(argv[0], &u, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s: %s", argv[0], errbuf);
	probe.p_steps = argv + 1;
	probe.p_nsteps = argc - 1;
	ai = probe_resolve(&u, override);
	if (u.wu_tls && (ctx = ws_tls_context(cafile, errbuf,
	    sizeof(errbuf))) == NULL)
		errx(1, "TLS: %s", errbuf);
	if ((probe.p_base = event_base_new()) == NULL ||
	    (probe.p_sleep = evtimer_new(probe.p_base, probe_wake,
	    NULL)) == NULL ||
	    (probe.p_timeout = evtimer_new(probe.p_base, probe_timeout,
	    NULL)) == NULL || evtimer_add(probe.p_timeout, &tv) == -1)
		errx(1, "libevent setup");
	if (info) {
		if (ws_fetch_info(probe.p_base, ai->ai_addr, ai->ai_addrlen,
		    &u, ctx, lim.wl_max_message, lim.wl_handshake_secs,
		    probe_info, &probe) == -1)
			err(1, "ws_fetch_info");
	} else if ((probe.p_ws = ws_connect(probe.p_base, ai->ai_addr,
	    ai->ai_addrlen, &u, ctx, &lim, &cb, &probe)) == NULL)
		err(1, "ws_connect");
	if (event_base_dispatch(probe.p_base) == -1)
		errx(1, "event_base_dispatch");

	ws_free(probe.p_ws);
	ws_fetch_abort(&probe);
	event_free(probe.p_sleep);
	event_free(probe.p_timeout);
	event_base_free(probe.p_base);
	SSL_CTX_free(ctx);
	freeaddrinfo(ai);
	return (probe.p_status);
}
