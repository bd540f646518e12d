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
 * What an agent can send relayd's egress proxy before anything leaves
 * the machine: a request head, classified against a fixed allow-list
 * and rewritten for the upstream.  Every result is checked against the
 * promises the proxy's safety rests on; a broken one aborts: a refusal
 * has a status and a reason, a tunnel goes to an allowed host on 443
 * only, a forward stays under /v1/ and its rewritten head parses again
 * with our key as its only Authorization and no agent Host.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "http_parse.h"
#include "proxy_head.h"

#define FUZZ_KEY	"sk-fuzz"
#define FUZZ_HOSTPORT	"api.example"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*fuzz_allow[] = { "github.com", "127.0.0.1" };

static void
check_rewrite(const struct http_request *q, const struct proxy_target *pt)
{
	struct http_request	 again;
	struct evbuffer		*out;
	unsigned char		*p;
	const char		*auth;
	char			 err[256];
	size_t			 n;

	if ((out = evbuffer_new()) == NULL)
		abort();
	if (proxy_rewrite(q, pt, FUZZ_HOSTPORT, "/base/", FUZZ_KEY, out) == -1)
		abort();
	n = evbuffer_get_length(out);
	if ((p = evbuffer_pullup(out, (ssize_t)n)) == NULL)
		abort();
	/* what we send must be a head our own parser takes, whole */
	if (http_request_parse((const char *)p, n, n, &again, err,
	    sizeof(err)) != 1 || again.hq_headlen != n)
		abort();
	if (strncmp(again.hq_target, "/base/v1/", 9) != 0 ||
	    strcmp(again.hq_method, q->hq_method) != 0)
		abort();
	auth = http_fields_get(again.hq_headers, again.hq_nheaders,
	    "Authorization");
	if (http_fields_count(again.hq_headers, again.hq_nheaders,
	    "Authorization") != 1 || strcmp(auth, "Bearer " FUZZ_KEY) != 0 ||
	    http_fields_count(again.hq_headers, again.hq_nheaders,
	    "Host") != 1 || http_fields_count(again.hq_headers,
	    again.hq_nheaders, "Proxy-Authorization") != 0 ||
	    strcmp(http_fields_get(again.hq_headers, again.hq_nheaders,
	    "Host"), FUZZ_HOSTPORT) != 0)
		abort();
	http_request_free(&again);
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 q;
	struct proxy_target	 pt;
	char			 err[256];
	int			 r;

	r = http_request_parse((const char *)data, size, HTTP_HEAD_MAX, &q,
	    err, sizeof(err));
	if (r != 1)
		return (0);
	if (q.hq_headlen < 4 || q.hq_headlen > size ||
	    q.hq_nheaders > HTTP_MAX_HEADERS)
		abort();
	if (proxy_classify(&q, fuzz_allow, 2, 1024, &pt) == -1) {
		if (pt.pt_kind != PROXY_REFUSE || pt.pt_why[0] == '\0' ||
		    (pt.pt_status != 400 && pt.pt_status != 403 &&
		    pt.pt_status != 413))
			abort();
	} else if (pt.pt_kind == PROXY_CONNECT) {
		if (strcmp(q.hq_method, "CONNECT") != 0 ||
		    pt.pt_port != PROXY_PORT ||
		    !proxy_host_allowed(pt.pt_host, fuzz_allow, 2))
			abort();
	} else if (pt.pt_kind == PROXY_FORWARD) {
		if (strncmp(pt.pt_path, "/v1/", 4) != 0 ||
		    (pt.pt_body == PROXY_BODY_LENGTH && (pt.pt_length == 0 ||
		    pt.pt_length > 1024)))
			abort();
		check_rewrite(&q, &pt);
	} else
		abort();
	http_request_free(&q);
	return (0);
}
