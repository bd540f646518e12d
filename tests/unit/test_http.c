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
 * Unit tests for the pure half of the WebSocket client: the response
 * head parser and its refusals, the upgrade check, the chunked coding
 * and ws:// URLs.  The I/O half is driven by tests/interop/ws.mjs.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "ws.h"

#define RFC_KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char good_upgrade[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
    "\r\n";

/* Parse a whole string; the result code, r filled when 1. */
static int
parse(const char *s, struct http_response *r, char *err, size_t errlen)
{
	return (http_response_parse(s, strlen(s), r, err, errlen));
}

/* The upgrade check of a head made of a status line and headers. */
static int
check_upgrade(const char *head, char *err, size_t errlen)
{
	struct http_response	 r;
	char			 perr[128];
	int			 rv;

	ck_assert_msg(parse(head, &r, perr, sizeof(perr)) == 1, "%s", perr);
	rv = ws_upgrade_check(&r, RFC_KEY, err, errlen);
	http_response_free(&r);
	return (rv);
}

/* A refused head: -1 and an error text containing want. */
static void
refused(const char *head, const char *want)
{
	struct http_response	 r;
	char			 err[256] = "";

	ck_assert_msg(parse(head, &r, err, sizeof(err)) == -1,
	    "accepted: %s", head);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
	ck_assert_ptr_null(r.hr_buf);
}

START_TEST(test_accept_rfc6455)
{
	char	 out[29];

	ck_assert_int_eq(ws_accept_value(RFC_KEY, out, sizeof(out)), 0);
	ck_assert_str_eq(out, RFC_ACCEPT);
	ck_assert_int_eq(ws_accept_value(RFC_KEY, out, sizeof(out) - 1), -1);
}
END_TEST

START_TEST(test_parse_good)
{
	struct http_response	 r;
	char			 err[128];
	const char		*s = "HTTP/1.1 200 OK\r\n"
	    "Content-Type:application/nostr+json\r\n"
	    "X-Pad: \t  spaced value \t \r\n"
	    "Empty:\r\n"
	    "Connection: keep-alive, Upgrade\r\n"
	    "\r\nBODY";

	ck_assert_int_eq(parse(s, &r, err, sizeof(err)), 1);
	ck_assert_int_eq(r.hr_status, 200);
	ck_assert_str_eq(r.hr_reason, "OK");
	ck_assert_uint_eq(r.hr_nheaders, 4);
	ck_assert_uint_eq(r.hr_headlen, strlen(s) - 4);
	ck_assert_str_eq(s + r.hr_headlen, "BODY");
	ck_assert_str_eq(http_header_get(&r, "content-TYPE"),
	    "application/nostr+json");
	ck_assert_str_eq(http_header_get(&r, "x-pad"), "spaced value");
	ck_assert_str_eq(http_header_get(&r, "Empty"), "");
	ck_assert_ptr_null(http_header_get(&r, "Missing"));
	ck_assert(http_header_has_token(http_header_get(&r, "connection"),
	    "upgrade"));
	ck_assert(http_header_has_token(http_header_get(&r, "connection"),
	    "KEEP-ALIVE"));
	ck_assert(!http_header_has_token(http_header_get(&r, "connection"),
	    "keep"));
	ck_assert(!http_header_has_token(NULL, "upgrade"));
	http_response_free(&r);
	ck_assert_ptr_null(r.hr_buf);

	/* HTTP/1.0 and an empty or missing reason are fine */
	ck_assert_int_eq(parse("HTTP/1.0 404 \r\n\r\n", &r, err, sizeof(err)),
	    1);
	ck_assert_int_eq(r.hr_status, 404);
	ck_assert_str_eq(r.hr_reason, "");
	http_response_free(&r);
	ck_assert_int_eq(parse("HTTP/1.1 204\r\n\r\n", &r, err, sizeof(err)),
	    1);
	ck_assert_int_eq(r.hr_status, 204);
	ck_assert_uint_eq(r.hr_nheaders, 0);
	http_response_free(&r);
}
END_TEST

START_TEST(test_parse_partial)
{
	struct http_response	 r;
	char			 err[128];
	size_t			 len = strlen(good_upgrade), i;

	for (i = 0; i < len; i++)
		ck_assert_msg(http_response_parse(good_upgrade, i, &r, err,
		    sizeof(err)) == 0, "prefix of %zu bytes", i);
	ck_assert_int_eq(http_response_parse(good_upgrade, len, &r, err,
	    sizeof(err)), 1);
	ck_assert_uint_eq(r.hr_headlen, len);
	http_response_free(&r);
	/* a partial head already wrong is refused without waiting */
	ck_assert_int_eq(http_response_parse("HTTQ", 4, &r, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(http_response_parse("HTTP/1.1 101 x\n", 15, &r, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_parse_refused)
{
	refused("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "without a colon");
	refused("HTTP/1.1 200 OK\r\n: value\r\n\r\n", "empty header name");
	refused("HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n", "header name");
	refused("HTTP/1.1 200 OK\r\nName : v\r\n\r\n", "header name");
	refused("HTTP/1.1 200 OK\r\nN(a)me: v\r\n\r\n", "header name");
	refused("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "folding");
	refused("HTTP/1.1 200 OK\r\nA: b\r\n\tfolded\r\n\r\n", "folding");
	refused("HTTP/1.1 200 OK\r\nA: b\x01c\r\n\r\n", "control character");
	refused("HTTP/1.1 200 OK\r\nA: b\x7f\r\n\r\n", "control character");
	refused("HTTP/1.1 200 O\x02K\r\n\r\n", "reason");
	refused("HTTP/1.1 200 OK\nA: b\n\n", "bare LF");
	refused("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "bare CR");
	refused("HTTP/2 200 OK\r\n\r\n", "HTTP/1");
	refused("HTTP/1.2 200 OK\r\n\r\n", "status line");
	refused("HTTP/1.1  200 OK\r\n\r\n", "status code");
	refused("HTTP/1.1 20 OK\r\n\r\n", "status code");
	refused("HTTP/1.1 2000 OK\r\n\r\n", "status code");
	refused("HTTP/1.1 099 OK\r\n\r\n", "status code");
	refused("HTTP/1.1 600 OK\r\n\r\n", "status code");
	refused("HTTP/1.1 2x0 OK\r\n\r\n", "status code");
	refused("SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1");
}
END_TEST

START_TEST(test_parse_nul)
{
	static const char	 s[] = "HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n";
	struct http_response	 r;
	char			 err[128];

	ck_assert_int_eq(http_response_parse(s, sizeof(s) - 1, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

START_TEST(test_parse_limits)
{
	struct http_response	 r;
	char			 err[128], *s, *p;
	size_t			 i, len;

	/* HTTP_MAX_HEADERS fit, one more does not */
	ck_assert_ptr_nonnull(s = malloc(HTTP_HEAD_MAX));
	p = s + sprintf(s, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		p += sprintf(p, "H%zu: v\r\n", i);
	(void)strcpy(p, "\r\n");
	ck_assert_int_eq(parse(s, &r, err, sizeof(err)), 1);
	ck_assert_uint_eq(r.hr_nheaders, HTTP_MAX_HEADERS);
	http_response_free(&r);
	(void)sprintf(p, "H%zu: v\r\n\r\n", i);
	refused(s, "more than");
	free(s);

	/* a head of exactly HTTP_HEAD_MAX bytes fits; no end by then fails */
	ck_assert_ptr_nonnull(s = malloc(HTTP_HEAD_MAX + 64));
	len = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\nX: ");
	memset(s + len, 'a', HTTP_HEAD_MAX - len - 4);
	memcpy(s + HTTP_HEAD_MAX - 4, "\r\n\r\n", 5);
	ck_assert_int_eq(parse(s, &r, err, sizeof(err)), 1);
	ck_assert_uint_eq(r.hr_headlen, HTTP_HEAD_MAX);
	http_response_free(&r);
	memcpy(s + HTTP_HEAD_MAX - 4, "a\r\n\r\n", 6);
	ck_assert_int_eq(http_response_parse(s, HTTP_HEAD_MAX - 1, &r, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(http_response_parse(s, HTTP_HEAD_MAX, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "head over"));
	refused(s, "head over");
	free(s);
}
END_TEST

START_TEST(test_upgrade_check)
{
	char	 err[256];

	ck_assert_int_eq(check_upgrade(good_upgrade, err, sizeof(err)), 0);
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\n"
	    "upgrade: WebSocket\r\nCONNECTION: keep-alive, upgrade\r\n"
	    "sec-websocket-accept:" RFC_ACCEPT "\r\n\r\n", err, sizeof(err)),
	    0);

	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Sec-WebSocket-Accept"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Sec-WebSocket-Accept"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " RFC_ACCEPT
	    "\r\nSec-WebSocket-Accept: " RFC_ACCEPT "\r\n\r\n", err,
	    sizeof(err)), -1);

	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " RFC_ACCEPT
	    "\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Upgrade"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: h2c\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " RFC_ACCEPT
	    "\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nSec-WebSocket-Accept: " RFC_ACCEPT "\r\n\r\n", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Connection"));

	ck_assert_int_eq(check_upgrade("HTTP/1.1 200 OK\r\n"
	    "Content-Length: 0\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "200 OK"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 301 Moved Permanently\r\n"
	    "Location: wss://elsewhere.example/relay\r\n\r\n", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "redirect 301"));
	ck_assert_ptr_nonnull(strstr(err, "wss://elsewhere.example/relay"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 307 x\r\n\r\n", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "redirect 307"));

	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " RFC_ACCEPT
	    "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "permessage-deflate"));
	ck_assert_int_eq(check_upgrade("HTTP/1.1 101 x\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " RFC_ACCEPT
	    "\r\nSec-WebSocket-Protocol: chat\r\n\r\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "subprotocol"));
}
END_TEST

/* Decode s fed in pieces of step bytes, as a socket might deliver it. */
static int
dechunk(const char *s, size_t step, char *out, size_t outlen, char *err,
    size_t errlen)
{
	struct http_chunked	 hc;
	size_t			 len = strlen(s), avail = 0, off = 0;
	size_t			 o = 0, used;
	int			 r, isdata;

	http_chunked_init(&hc);
	for (;;) {
		r = http_chunked_step(&hc, s + off, avail, &used, &isdata,
		    err, errlen);
		if (r == -1)
			return (-1);
		ck_assert_uint_le(used, avail);
		if (isdata) {
			ck_assert_uint_lt(o + used, outlen);
			memcpy(out + o, s + off, used);
			o += used;
		}
		off += used;
		avail -= used;
		if (r == 1) {
			out[o] = '\0';
			return ((int)off);
		}
		if (used == 0) {
			if (off + avail == len)
				return (0);	/* truncated */
			avail += step;
			if (off + avail > len)
				avail = len - off;
		}
	}
}

START_TEST(test_chunked)
{
	static const char	*wiki = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n"
	    "E\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	char			 out[256], err[128];
	size_t			 step;

	for (step = 1; step < 64; step++) {
		ck_assert_int_eq(dechunk(wiki, step, out, sizeof(out), err,
		    sizeof(err)), (int)strlen(wiki) - 4);
		ck_assert_str_eq(out, "Wikipedia in\r\n\r\nchunks.");
	}
	ck_assert_int_eq(dechunk("0\r\n\r\n", 3, out, sizeof(out), err,
	    sizeof(err)), 5);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(dechunk("00000000000000000000a\r\n0123456789\r\n"
	    "0\r\n\r\n", 7, out, sizeof(out), err, sizeof(err)), 40);
	ck_assert_int_eq(dechunk("4\r\nWiki\r\n", 4, out, sizeof(out), err,
	    sizeof(err)), 0);

	ck_assert_int_eq(dechunk("g\r\n", 5, out, sizeof(out), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dechunk("\r\n", 5, out, sizeof(out), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(dechunk("4 x\r\nWiki\r\n0\r\n\r\n", 5, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_int_eq(dechunk("4\r\nWikiX\r\n0\r\n\r\n", 5, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "CRLF"));
	ck_assert_int_eq(dechunk("4\nWiki\r\n0\r\n\r\n", 5, out, sizeof(out),
	    err, sizeof(err)), -1);
	ck_assert_int_eq(dechunk("4\r\nWiki\r\n0\r\nT: x\n\r\n", 5, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_int_eq(dechunk("11111111111111111\r\n", 5, out, sizeof(out),
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "too large"));
}
END_TEST

START_TEST(test_chunked_long_line)
{
	struct http_chunked	 hc;
	char			*s, err[128];
	size_t			 used;
	int			 isdata;

	ck_assert_ptr_nonnull(s = malloc(HTTP_CHUNK_LINE_MAX + 8));
	s[0] = '1';
	s[1] = ';';
	memset(s + 2, 'x', HTTP_CHUNK_LINE_MAX + 4);
	http_chunked_init(&hc);
	ck_assert_int_eq(http_chunked_step(&hc, s, HTTP_CHUNK_LINE_MAX - 1,
	    &used, &isdata, err, sizeof(err)), 0);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(http_chunked_step(&hc, s, HTTP_CHUNK_LINE_MAX + 4,
	    &used, &isdata, err, sizeof(err)), -1);
	free(s);
}
END_TEST

/* A URL that parses, and what it parses to. */
static void
url_ok(const char *s, int tls, const char *host, uint16_t port,
    const char *path, const char *hostport)
{
	struct ws_url	 u;
	char		 err[128];

	ck_assert_msg(ws_url_parse(s, &u, err, sizeof(err)) == 0, "%s: %s",
	    s, err);
	ck_assert_int_eq(u.wu_tls, tls);
	ck_assert_str_eq(u.wu_host, host);
	ck_assert_uint_eq(u.wu_port, port);
	ck_assert_str_eq(u.wu_path, path);
	ck_assert_str_eq(u.wu_hostport, hostport);
}

static void
url_bad(const char *s, const char *want)
{
	struct ws_url	 u;
	char		 err[128] = "";

	ck_assert_msg(ws_url_parse(s, &u, err, sizeof(err)) == -1,
	    "accepted %s", s);
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"",
	    s, err, want);
}

START_TEST(test_url)
{
	char	 long_url[WS_URL_MAX + 16], long_host[WS_HOST_MAX + 16];

	url_ok("ws://relay.example", 0, "relay.example", 80, "/",
	    "relay.example");
	url_ok("wss://relay.example/", 1, "relay.example", 443, "/",
	    "relay.example");
	url_ok("WSS://Relay.Example:443/a/b?x=1&y=%20", 1, "Relay.Example",
	    443, "/a/b?x=1&y=%20", "Relay.Example");
	url_ok("ws://127.0.0.1:7000", 0, "127.0.0.1", 7000, "/",
	    "127.0.0.1:7000");
	url_ok("ws://[::1]:7000/nostr", 0, "::1", 7000, "/nostr",
	    "[::1]:7000");
	url_ok("wss://[2001:db8::1]", 1, "2001:db8::1", 443, "/",
	    "[2001:db8::1]");
	url_ok("ws://relay.example:443", 0, "relay.example", 443, "/",
	    "relay.example:443");
	url_ok("wss://relay.example:80", 1, "relay.example", 80, "/",
	    "relay.example:80");
	url_ok("ws://h?q", 0, "h", 80, "/?q", "h");
	url_ok("ws://h:65535/", 0, "h", 65535, "/", "h:65535");

	url_bad("http://relay.example/", "ws://");
	url_bad("https://relay.example/", "ws://");
	url_bad("relay.example", "ws://");
	url_bad("ws://user@relay.example/", "user info");
	url_bad("ws://user:pw@relay.example/", "user info");
	url_bad("ws://relay.example/#frag", "fragment");
	url_bad("ws://relay.example#", "fragment");
	url_bad("ws://", "empty host");
	url_bad("ws:///path", "empty host");
	url_bad("ws://:80/", "empty host");
	url_bad("ws://[]/", "empty host");
	url_bad("ws://h:/", "port");
	url_bad("ws://h:0/", "port");
	url_bad("ws://h:65536/", "port");
	url_bad("ws://h:123456/", "port");
	url_bad("ws://h:+80/", "port");
	url_bad("ws://h:80a/", "port");
	url_bad("ws://[::1/", "IPv6");
	url_bad("ws://[::g]/", "IPv6");
	url_bad("ws://[::1]x/", "IPv6");
	url_bad("ws://h%41/", "host");
	url_bad("ws://h h/", "host");
	url_bad("ws://h/a b", "path");
	url_bad("ws://h/\xc3\xa9", "path");

	memset(long_host, 'a', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	(void)snprintf(long_url, sizeof(long_url), "ws://%s/", long_host);
	url_bad(long_url, "too long");
	(void)snprintf(long_url, sizeof(long_url), "ws://h/");
	memset(long_url + 7, 'p', WS_PATH_MAX);
	long_url[7 + WS_PATH_MAX] = '\0';
	url_bad(long_url, "too long");
	memset(long_url + 7, 'p', sizeof(long_url) - 8);
	long_url[sizeof(long_url) - 1] = '\0';
	url_bad(long_url, "too long");
}
END_TEST

START_TEST(test_end_names)
{
	ck_assert_str_eq(ws_end_name(WS_END_CLOSED), "closed");
	ck_assert_str_eq(ws_end_name(WS_END_TLS), "tls");
	ck_assert_str_eq(ws_end_name(WS_END_IO), "io");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_accept_rfc6455);
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_partial);
	tcase_add_test(tc, test_parse_refused);
	tcase_add_test(tc, test_parse_nul);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_upgrade_check);
	tcase_add_test(tc, test_chunked);
	tcase_add_test(tc, test_chunked_long_line);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_end_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(http_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
