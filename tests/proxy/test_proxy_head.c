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
 * Unit tests for the pure half of relayd's egress proxy: request heads
 * (http_request_parse), CONNECT authorities, https:// upstreams, the
 * policy (proxy_classify) and the head that goes upstream
 * (proxy_rewrite).  The I/O half is driven by tests/proxy/proxy.mjs.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "check_run.h"
#include "http_parse.h"
#include "proxy_head.h"
#include "ws.h"

#define MAXBODY		(1024 * 1024)

static char	*allow[] = { "github.com", "api.openai.com", "127.0.0.1" };

static int
req(const char *s, struct http_request *q, char *err, size_t errlen)
{
	return (http_request_parse(s, strlen(s), HTTP_HEAD_MAX, q, err,
	    errlen));
}

/* Classify a whole head; the target, with the head freed. */
static struct proxy_target
classify(const char *head)
{
	struct http_request	 q;
	struct proxy_target	 pt;
	char			 err[128];

	ck_assert_msg(req(head, &q, err, sizeof(err)) == 1, "%s: %s", head,
	    err);
	(void)proxy_classify(&q, allow, 3, MAXBODY, &pt);
	pt.pt_path = NULL;		/* pointed into q */
	http_request_free(&q);
	return (pt);
}

static void
refused(const char *head, int status, const char *why)
{
	struct proxy_target	 pt = classify(head);

	ck_assert_int_eq(pt.pt_kind, PROXY_REFUSE);
	ck_assert_int_eq(pt.pt_status, status);
	ck_assert_msg(strstr(pt.pt_why, why) != NULL, "'%s' lacks '%s'",
	    pt.pt_why, why);
}

START_TEST(test_request_good)
{
	struct http_request	 q;
	char			 err[128];
	const char		*s = "POST /v1/chat/completions HTTP/1.1\r\n"
	    "Host: x\r\nContent-Length: 2\r\nX-Empty:\r\n\r\n{}";

	ck_assert_int_eq(req(s, &q, err, sizeof(err)), 1);
	ck_assert_str_eq(q.hq_method, "POST");
	ck_assert_str_eq(q.hq_target, "/v1/chat/completions");
	ck_assert_int_eq(q.hq_minor, 1);
	ck_assert_uint_eq(q.hq_nheaders, 3);
	ck_assert_str_eq(q.hq_headers[2].hh_value, "");
	ck_assert_uint_eq(q.hq_headlen, strlen(s) - 2);
	http_request_free(&q);

	/* partial heads want more, at every length */
	for (size_t n = 0; n < strlen(s) - 2; n++)
		ck_assert_int_eq(http_request_parse(s, n, HTTP_HEAD_MAX, &q,
		    err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_request_refused)
{
	static const struct {
		const char	*head;
		const char	*why;
	} bad[] = {
		{ "GET  /v1/x HTTP/1.1\r\n\r\n", "bad request target" },
		{ "GET /v1/x  HTTP/1.1\r\n\r\n", "not HTTP/1.0" },
		{ "GET /v1/x HTTP/2\r\n\r\n", "not HTTP/1.0" },
		{ "GET /v1/x\r\n\r\n", "bad request target" },
		{ " GET /v1/x HTTP/1.1\r\n\r\n", "bad method" },
		{ "G(T /v1/x HTTP/1.1\r\n\r\n", "bad method" },
		{ "GET /v1/x HTTP/1.1\nHost: a\r\n\r\n", "bare LF" },
		{ "GET /v1/x HTTP/1.1\r\nHost : a\r\n\r\n", "bad character" },
		{ "GET /v1/x HTTP/1.1\r\n folded\r\n\r\n", "obsolete" },
		{ "GET /v1/\x01 HTTP/1.1\r\n\r\n", "bad request target" },
		{ "\r\nGET /v1/x HTTP/1.1\r\n\r\n", "bad method" },
	};
	struct http_request	 q;
	char			 err[128];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(req(bad[i].head, &q, err, sizeof(err)) == -1,
		    "accepted %s", bad[i].head);
		ck_assert_msg(strstr(err, bad[i].why) != NULL, "%s: '%s'",
		    bad[i].head, err);
	}
}
END_TEST

START_TEST(test_request_limits)
{
	struct http_request	 q;
	char			 err[128], *s, *p;
	size_t			 i;

	ck_assert_ptr_nonnull(s = malloc(HTTP_HEAD_MAX * 2));
	/* a header line of HTTP_LINE_MAX fits, one byte more does not */
	p = s + sprintf(s, "GET /v1/x HTTP/1.1\r\nX: ");
	memset(p, 'a', HTTP_LINE_MAX - 3);
	(void)strcpy(p + HTTP_LINE_MAX - 3, "\r\n\r\n");
	ck_assert_msg(req(s, &q, err, sizeof(err)) == 1, "%s", err);
	http_request_free(&q);
	memset(p, 'a', HTTP_LINE_MAX - 2);
	(void)strcpy(p + HTTP_LINE_MAX - 2, "\r\n\r\n");
	ck_assert_int_eq(req(s, &q, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "header line over"));

	/* HTTP_MAX_HEADERS fields, then one more */
	p = s + sprintf(s, "GET /v1/x HTTP/1.1\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		p += sprintf(p, "H%zu: v\r\n", i);
	(void)strcpy(p, "\r\n");
	ck_assert_int_eq(req(s, &q, err, sizeof(err)), 1);
	http_request_free(&q);
	(void)sprintf(p, "H: v\r\n\r\n");
	ck_assert_int_eq(req(s, &q, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than"));

	/* the caller's own limit, under HTTP_HEAD_MAX */
	(void)strcpy(s, "GET /v1/x HTTP/1.1\r\nX: abcdefgh\r\n\r\n");
	ck_assert_int_eq(http_request_parse(s, strlen(s), 20, &q, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "head over 20"));
	ck_assert_int_eq(http_request_parse(s, 19, 20, &q, err,
	    sizeof(err)), 0);
	free(s);
}
END_TEST

START_TEST(test_authority)
{
	char		 host[256], err[128];
	uint16_t	 port;

	ck_assert_int_eq(http_authority_parse("github.com:443", host,
	    sizeof(host), &port, err, sizeof(err)), 0);
	ck_assert_str_eq(host, "github.com");
	ck_assert_uint_eq(port, 443);
	ck_assert_int_eq(http_authority_parse("[::1]:8443", host,
	    sizeof(host), &port, err, sizeof(err)), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_uint_eq(port, 8443);
	ck_assert_int_eq(http_authority_parse("github.com", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
	ck_assert_int_eq(http_authority_parse("github.com:", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
	ck_assert_int_eq(http_authority_parse("a@github.com:443", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
	ck_assert_int_eq(http_authority_parse("github.com:443/x", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
	ck_assert_int_eq(http_authority_parse("github.com:99999", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
	ck_assert_int_eq(http_authority_parse("[::1:443", host,
	    sizeof(host), &port, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_upstream_url)
{
	struct ws_url	 u;
	char		 err[128];

	ck_assert_int_eq(http_url_parse("https://api.openai.com", &u, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(u.wu_tls, 1);
	ck_assert_str_eq(u.wu_host, "api.openai.com");
	ck_assert_uint_eq(u.wu_port, 443);
	ck_assert_str_eq(u.wu_path, "/");
	ck_assert_str_eq(u.wu_hostport, "api.openai.com");
	ck_assert_int_eq(http_url_parse("HTTPS://h:8443/openai/", &u, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(u.wu_hostport, "h:8443");
	ck_assert_str_eq(u.wu_path, "/openai/");
	ck_assert_int_eq(http_url_parse("http://h", &u, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(http_url_parse("wss://h", &u, err, sizeof(err)),
	    -1);
}
END_TEST

START_TEST(test_classify_connect)
{
	struct proxy_target	 pt;

	pt = classify("CONNECT github.com:443 HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(pt.pt_kind, PROXY_CONNECT);
	ck_assert_str_eq(pt.pt_host, "github.com");
	ck_assert_uint_eq(pt.pt_port, 443);
	pt = classify("CONNECT GitHub.COM:443 HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(pt.pt_kind, PROXY_CONNECT);
	refused("CONNECT github.com:22 HTTP/1.1\r\n\r\n", 403, "port 22");
	refused("CONNECT evil.com:443 HTTP/1.1\r\n\r\n", 403,
	    "not on the allow-list");
	refused("CONNECT github.com.evil.com:443 HTTP/1.1\r\n\r\n", 403,
	    "not on the allow-list");
	refused("CONNECT sub.github.com:443 HTTP/1.1\r\n\r\n", 403,
	    "not on the allow-list");
	refused("CONNECT github.com. HTTP/1.1\r\n\r\n", 400, "bad CONNECT");
	refused("CONNECT /v1/x HTTP/1.1\r\n\r\n", 400, "bad CONNECT");
	ck_assert_int_eq(proxy_host_allowed("x", allow, 0), 0);
}
END_TEST

START_TEST(test_classify_forward)
{
	struct proxy_target	 pt;

	pt = classify("POST /v1/chat/completions HTTP/1.1\r\n"
	    "Content-Length: 10\r\n\r\n");
	ck_assert_int_eq(pt.pt_kind, PROXY_FORWARD);
	ck_assert_int_eq(pt.pt_body, PROXY_BODY_LENGTH);
	ck_assert_uint_eq(pt.pt_length, 10);
	pt = classify("POST http://api.openai.com/v1/responses HTTP/1.1\r\n"
	    "Transfer-Encoding: Chunked\r\n\r\n");
	ck_assert_int_eq(pt.pt_kind, PROXY_FORWARD);
	ck_assert_int_eq(pt.pt_body, PROXY_BODY_CHUNKED);
	pt = classify("GET /v1/models HTTP/1.1\r\nContent-Length: 0\r\n"
	    "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(pt.pt_kind, PROXY_FORWARD);
	ck_assert_int_eq(pt.pt_body, PROXY_BODY_NONE);

	refused("PUT /v1/x HTTP/1.1\r\n\r\n", 403, "method PUT");
	refused("GET /v2/x HTTP/1.1\r\n\r\n", 403, "only /v1/");
	refused("GET /v1 HTTP/1.1\r\n\r\n", 403, "only /v1/");
	refused("GET http://h HTTP/1.1\r\n\r\n", 400, "bad request target");
	refused("GET https://h/v1/x HTTP/1.1\r\n\r\n", 403, "only http://");
	refused("GET * HTTP/1.1\r\n\r\n", 403, "only http://");
	refused("GET /v1/../x HTTP/1.1\r\n\r\n", 400, "dot segments");
	refused("GET /v1/a/.. HTTP/1.1\r\n\r\n", 400, "dot segments");
	refused("GET /v1/%2E%2e/x HTTP/1.1\r\n\r\n", 400, "dot segments");
	refused("GET /v1/a%2fb HTTP/1.1\r\n\r\n", 400, "dot segments");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400, "both");
	refused("POST /v1/x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n"
	    "\r\n", 400, "unsupported Transfer-Encoding");
	refused("POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400, "unsupported");
	refused("POST /v1/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400, "unsupported");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400, "conflicting");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400,
	    "bad Content-Length");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length:\r\n\r\n", 400,
	    "bad Content-Length");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length: 99999999999999999999"
	    "\r\n\r\n", 400, "bad Content-Length");
	refused("POST /v1/x HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413,
	    "over the limit");
}
END_TEST

/* Room stays for our own fields: what goes upstream parses again. */
START_TEST(test_classify_room)
{
	char	*s, *p;
	size_t	 i;

	ck_assert_ptr_nonnull(s = malloc(HTTP_HEAD_MAX));
	p = s + sprintf(s, "GET /v1/models HTTP/1.1\r\n");
	for (i = 0; i < PROXY_MAX_FIELDS; i++)
		p += sprintf(p, "H%zu: v\r\n", i);
	(void)strcpy(p, "\r\n");
	ck_assert_int_eq(classify(s).pt_kind, PROXY_FORWARD);
	(void)strcpy(p, "X: y\r\n\r\n");
	refused(s, 400, "too large to forward");
	p = s + sprintf(s, "GET /v1/models HTTP/1.1\r\n");
	for (i = 0; i < 3; i++) {
		p += sprintf(p, "X%zu: ", i);
		memset(p, 'a', 5200);
		p += 5200;
		p += sprintf(p, "\r\n");
	}
	(void)strcpy(p, "\r\n");
	refused(s, 400, "too large to forward");
	free(s);
}
END_TEST

/* The rewritten head, as a string. */
static char *
rewrite(const char *head, const char *base, const char *key)
{
	struct http_request	 q;
	struct proxy_target	 pt;
	struct evbuffer		*out;
	char			 err[128], *s;
	size_t			 n;

	ck_assert_msg(req(head, &q, err, sizeof(err)) == 1, "%s", err);
	ck_assert_int_eq(proxy_classify(&q, allow, 3, MAXBODY, &pt), 0);
	ck_assert_ptr_nonnull(out = evbuffer_new());
	ck_assert_int_eq(proxy_rewrite(&q, &pt, "api.example:8443", base, key,
	    out), 0);
	n = evbuffer_get_length(out);
	ck_assert_ptr_nonnull(s = calloc(1, n + 1));
	ck_assert_int_eq(evbuffer_remove(out, s, n), (int)n);
	evbuffer_free(out);
	http_request_free(&q);
	return (s);
}

START_TEST(test_rewrite)
{
	char	*s;

	s = rewrite("POST http://x/v1/chat/completions?a=1 HTTP/1.0\r\n"
	    "Host: x\r\nauthorization: Bearer agent\r\n"
	    "Proxy-Authorization: Basic eDp5\r\nConnection: keep-alive, "
	    "X-Hop, Content-Length\r\nX-Hop: 1\r\nKeep-Alive: 5\r\n"
	    "TE: trailers\r\nUpgrade: h2c\r\nProxy-Connection: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n",
	    "/", "sk-1");
	ck_assert_str_eq(s, "POST /v1/chat/completions?a=1 HTTP/1.1\r\n"
	    "Host: api.example:8443\r\nAuthorization: Bearer sk-1\r\n"
	    "Content-Type: application/json\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\n");
	free(s);

	s = rewrite("GET /v1/models HTTP/1.1\r\nAuthorization: Bearer a\r\n"
	    "\r\n", "/openai/", "");
	ck_assert_str_eq(s, "GET /openai/v1/models HTTP/1.1\r\n"
	    "Host: api.example:8443\r\nConnection: close\r\n\r\n");
	free(s);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite	*s = suite_create("proxy_head");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_request_good);
	tcase_add_test(tc, test_request_refused);
	tcase_add_test(tc, test_request_limits);
	tcase_add_test(tc, test_authority);
	tcase_add_test(tc, test_upstream_url);
	tcase_add_test(tc, test_classify_connect);
	tcase_add_test(tc, test_classify_forward);
	tcase_add_test(tc, test_classify_room);
	tcase_add_test(tc, test_rewrite);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(proxy_suite()));
}
