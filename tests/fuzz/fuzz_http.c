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
 * What a relay's HTTP server can say to us: the input is the response
 * head (checked as an upgrade answer to a fixed key, the RFC 6455 one,
 * so that seeds can pass the whole check), then whatever follows it as
 * a chunked NIP-11 body.  The same bytes, as a string, also go to the
 * ws:// URL parser.  Every result is checked against the parser's own
 * promises; a broken one aborts.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "ws.h"

#define FUZZ_KEY	"dGhlIHNhbXBsZSBub25jZQ=="

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_response(const char *buf, size_t len, const struct http_response *r)
{
	struct http_response	 again;
	char			 err[256];
	const char		*n, *v;
	size_t			 i;

	if (r->hr_headlen < 4 || r->hr_headlen > len ||
	    r->hr_headlen > HTTP_HEAD_MAX ||
	    memcmp(buf + r->hr_headlen - 4, "\r\n\r\n", 4) != 0 ||
	    r->hr_status < 100 || r->hr_status > 599 ||
	    r->hr_nheaders > HTTP_MAX_HEADERS || r->hr_reason == NULL)
		abort();
	for (i = 0; i < r->hr_nheaders; i++) {
		n = r->hr_headers[i].hh_name;
		v = r->hr_headers[i].hh_value;
		if (*n == '\0' || strpbrk(n, " \t:\r\n") != NULL ||
		    strpbrk(v, "\r\n") != NULL)
			abort();
		if (http_header_get(r, n) == NULL)
			abort();
	}
	/* one byte short of the head is never complete */
	if (http_response_parse(buf, r->hr_headlen - 1, &again, err,
	    sizeof(err)) == 1)
		abort();
	http_response_free(&again);
	(void)ws_upgrade_check(r, FUZZ_KEY, err, sizeof(err));
	(void)http_header_has_token(http_header_get(r, "Connection"),
	    "upgrade");
}

static void
check_chunked(const char *buf, size_t len)
{
	struct http_chunked	 hc;
	char			 err[256];
	size_t			 off = 0, used, data = 0;
	int			 r, isdata;

	http_chunked_init(&hc);
	for (;;) {
		r = http_chunked_step(&hc, buf + off, len - off, &used,
		    &isdata, err, sizeof(err));
		if (r == -1)
			break;
		if (used > len - off)
			abort();
		off += used;
		if (isdata)
			data += used;
		if (r == 1 || used == 0)
			break;
	}
	if (data > len)
		abort();
}

static void
check_url(const char *buf, size_t len)
{
	struct ws_url	 u;
	char		*s, err[256];

	if ((s = malloc(len + 1)) == NULL)
		return;
	memcpy(s, buf, len);
	s[len] = '\0';
	if (ws_url_parse(s, &u, err, sizeof(err)) == 0 &&
	    (u.wu_host[0] == '\0' || u.wu_port == 0 || u.wu_path[0] != '/' ||
	    strlen(u.wu_hostport) < strlen(u.wu_host)))
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct http_response	 r;
	const char		*buf = (const char *)data;
	char			 err[256];
	int			 rv;

	err[0] = '\0';
	rv = http_response_parse(buf, len, &r, err, sizeof(err));
	if (rv == 1) {
		check_response(buf, len, &r);
		check_chunked(buf + r.hr_headlen, len - r.hr_headlen);
		http_response_free(&r);
	} else {
		if (rv == -1 && err[0] == '\0')
			abort();
		if (r.hr_buf != NULL)
			abort();
		check_chunked(buf, len);
	}
	check_url(buf, len);
	return (0);
}
