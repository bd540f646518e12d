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
 * The egress proxy's policy over a parsed request head; see
 * proxy_head.h.  Whatever is not understood is refused: the agent on
 * the other side is untrusted by definition.
 */

#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "http_parse.h"
#include "proxy_head.h"
#include "util.h"

/* Fields that describe one hop only, or that we set ourselves. */
static const char *const proxy_dropped[] = {
	"Host", "Authorization", "Proxy-Authorization", "Proxy-Connection",
	"Proxy-Authenticate", "Connection", "Keep-Alive", "TE", "Trailer",
	"Upgrade",
};

static int
proxy_refuse(struct proxy_target *pt, int status, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static int
proxy_refuse(struct proxy_target *pt, int status, const char *fmt, ...)
{
	va_list	 ap;

	pt->pt_kind = PROXY_REFUSE;
	pt->pt_status = status;
	va_start(ap, fmt);
	(void)vsnprintf(pt->pt_why, sizeof(pt->pt_why), fmt, ap);
	va_end(ap);
	return (-1);
}

int
proxy_host_allowed(const char *host, char *const *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcasecmp(host, list[i]) == 0)
			return (1);
	return (0);
}

static int
proxy_connect(const struct http_request *q, char *const *hosts,
    size_t nhosts, struct proxy_target *pt)
{
	char	 err[128];

	if (http_authority_parse(q->hq_target, pt->pt_host,
	    sizeof(pt->pt_host), &pt->pt_port, err, sizeof(err)) == -1)
		return (proxy_refuse(pt, 400, "bad CONNECT target: %s", err));
	if (pt->pt_port != PROXY_PORT)
		return (proxy_refuse(pt, 403, "CONNECT to port %u: only %u "
		    "is allowed", pt->pt_port, PROXY_PORT));
	if (!proxy_host_allowed(pt->pt_host, hosts, nhosts))
		return (proxy_refuse(pt, 403, "CONNECT to %s: not on the "
		    "allow-list", pt->pt_host));
	pt->pt_kind = PROXY_CONNECT;
	return (0);
}

/* Digits only, the same in every copy, at most max. */
static int
proxy_length(const struct http_request *q, uint64_t max,
    struct proxy_target *pt)
{
	const char	*v = NULL, *p;
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < q->hq_nheaders; i++) {
		if (strcasecmp(q->hq_headers[i].hh_name,
		    "Content-Length") != 0)
			continue;
		if (v != NULL && strcmp(v, q->hq_headers[i].hh_value) != 0)
			return (proxy_refuse(pt, 400, "conflicting "
			    "Content-Length fields"));
		v = q->hq_headers[i].hh_value;
	}
	if (*v == '\0' || strlen(v) > 19)
		return (proxy_refuse(pt, 400, "bad Content-Length"));
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (proxy_refuse(pt, 400, "bad Content-Length"));
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > max)
		return (proxy_refuse(pt, 413, "body of %llu bytes is over "
		    "the limit of %llu", (unsigned long long)n,
		    (unsigned long long)max));
	pt->pt_body = n > 0 ? PROXY_BODY_LENGTH : PROXY_BODY_NONE;
	pt->pt_length = n;
	return (0);
}

/*
 * How the body ends.  Both framings at once, or a coding other than
 * plain chunked, is how requests get smuggled past a proxy: refused.
 */
static int
proxy_framing(const struct http_request *q, uint64_t max,
    struct proxy_target *pt)
{
	const struct http_header	*h = q->hq_headers;
	size_t				 n = q->hq_nheaders, nte, ncl;
	const char			*te;

	nte = http_fields_count(h, n, "Transfer-Encoding");
	ncl = http_fields_count(h, n, "Content-Length");
	if (nte > 0 && ncl > 0)
		return (proxy_refuse(pt, 400, "both Content-Length and "
		    "Transfer-Encoding"));
	if (nte > 0) {
		te = http_fields_get(h, n, "Transfer-Encoding");
		if (nte > 1 || q->hq_minor == 0 || strcasecmp(te,
		    "chunked") != 0)
			return (proxy_refuse(pt, 400, "unsupported "
			    "Transfer-Encoding"));
		pt->pt_body = PROXY_BODY_CHUNKED;
		return (0);
	}
	if (ncl > 0)
		return (proxy_length(q, max, pt));
	pt->pt_body = PROXY_BODY_NONE;
	return (0);
}

/*
 * The upstream normalises paths: one that could climb out of /v1/
 * there, by dot segments or encoded dots and slashes, does not go.
 */
static int
proxy_path_escapes(const char *path)
{
	static const char *const bad[] = { "/../", "/./", "\\", "%2e",
	    "%2f", "%5c" };
	size_t		 i, n = strcspn(path, "?");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcasestr(path, bad[i]) != NULL)
			return (1);
	return ((n >= 3 && strncmp(path + n - 3, "/..", 3) == 0) ||
	    (n >= 2 && strncmp(path + n - 2, "/.", 2) == 0));
}

static int
proxy_forward(const struct http_request *q, uint64_t max,
    struct proxy_target *pt)
{
	const char	*t = q->hq_target, *path;

	if (strncasecmp(t, "http://", 7) == 0) {
		if ((path = strchr(t + 7, '/')) == NULL || path == t + 7)
			return (proxy_refuse(pt, 400, "bad request target"));
	} else if (*t == '/')
		path = t;
	else
		return (proxy_refuse(pt, 403, "request target %.64s: only "
		    "http:// and /v1/ paths are forwarded", t));
	if (strncmp(path, "/v1/", 4) != 0)
		return (proxy_refuse(pt, 403, "path %.64s: only /v1/ is "
		    "forwarded", path));
	if (proxy_path_escapes(path))
		return (proxy_refuse(pt, 400, "path %.64s: dot segments or "
		    "encoded separators", path));
	/* room for Host, Authorization and Connection of our own */
	if (q->hq_nheaders > PROXY_MAX_FIELDS ||
	    q->hq_headlen > PROXY_MAX_HEAD)
		return (proxy_refuse(pt, 400, "head too large to forward"));
	if (strcmp(q->hq_method, "GET") != 0 &&
	    strcmp(q->hq_method, "POST") != 0)
		return (proxy_refuse(pt, 403, "method %.16s: only GET and "
		    "POST are forwarded", q->hq_method));
	if (proxy_framing(q, max, pt) == -1)
		return (-1);
	pt->pt_path = path;
	pt->pt_kind = PROXY_FORWARD;
	return (0);
}

int
proxy_classify(const struct http_request *q, char *const *hosts,
    size_t nhosts, uint64_t max, struct proxy_target *pt)
{
	memset(pt, 0, sizeof(*pt));
	if (strcmp(q->hq_method, "CONNECT") == 0)
		return (proxy_connect(q, hosts, nhosts, pt));
	return (proxy_forward(q, max, pt));
}

static int
proxy_dropped_field(const struct http_request *q, const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(proxy_dropped) / sizeof(proxy_dropped[0]); i++)
		if (strcasecmp(name, proxy_dropped[i]) == 0)
			return (1);
	/* the framing was decided on: Connection cannot undo it */
	if (strcasecmp(name, "Content-Length") == 0 ||
	    strcasecmp(name, "Transfer-Encoding") == 0)
		return (0);
	for (i = 0; i < q->hq_nheaders; i++)
		if (strcasecmp(q->hq_headers[i].hh_name, "Connection") == 0 &&
		    http_header_has_token(q->hq_headers[i].hh_value, name))
			return (1);
	return (0);
}

int
proxy_rewrite(const struct http_request *q, const struct proxy_target *pt,
    const char *hostport, const char *base, const char *key,
    struct evbuffer *out)
{
	size_t	 i, blen = strlen(base);

	/* "/" is no prefix; "/openai/" and "/openai" are the same one */
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (evbuffer_add_printf(out, "%s %.*s%s HTTP/1.1\r\nHost: %s\r\n",
	    q->hq_method, (int)blen, base, pt->pt_path, hostport) == -1)
		return (-1);
	if (*key != '\0' && evbuffer_add_printf(out,
	    "Authorization: Bearer %s\r\n", key) == -1)
		return (-1);
	for (i = 0; i < q->hq_nheaders; i++) {
		if (proxy_dropped_field(q, q->hq_headers[i].hh_name))
			continue;
		if (evbuffer_add_printf(out, "%s: %s\r\n",
		    q->hq_headers[i].hh_name, q->hq_headers[i].hh_value) == -1)
			return (-1);
	}
	if (evbuffer_add_printf(out, "Connection: close\r\n\r\n") == -1)
		return (-1);
	return (0);
}
