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

#ifndef OA_PROXY_HEAD_H
#define OA_PROXY_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"

struct evbuffer;

/*
 * The pure half of relayd's egress proxy: what a request head asks
 * for, whether the policy allows it, and the head that goes upstream.
 * No I/O, so that the unit tests and the fuzzer reach all of it.
 *
 * Two forms are served.  CONNECT host:443 to a host on the allow-list
 * (exact, case-insensitive) becomes a tunnel; GET or POST of a /v1/
 * path (origin-form, or absolute-form http://any-host/v1/...) goes to
 * the model API upstream with the operator's key.  Anything else is
 * refused with a status and a reason.
 */

enum proxy_kind {
	PROXY_REFUSE = 0,	/* pt_status, pt_why */
	PROXY_CONNECT,		/* pt_host, pt_port */
	PROXY_FORWARD		/* pt_path, pt_body, pt_length */
};

enum proxy_body {
	PROXY_BODY_NONE = 0,
	PROXY_BODY_LENGTH,	/* Content-Length: pt_length */
	PROXY_BODY_CHUNKED
};

#define PROXY_PORT		443	/* the only port CONNECT reaches */
/*
 * A forwarded head leaves room for the fields we add (the key is under
 * PROXY_KEY_MAX, the host under 256), so that what goes upstream is a
 * head as strict a parser as ours still takes.
 */
#define PROXY_MAX_FIELDS	(HTTP_MAX_HEADERS - 3)
#define PROXY_MAX_HEAD		(HTTP_HEAD_MAX - 1024)

struct proxy_target {
	enum proxy_kind	 pt_kind;
	int		 pt_status;	/* 400, 403 or 413 when refused */
	char		 pt_why[160];
	char		 pt_host[256];
	uint16_t	 pt_port;
	const char	*pt_path;	/* into the request's target */
	enum proxy_body	 pt_body;
	uint64_t	 pt_length;
};

int	proxy_host_allowed(const char *, char *const *, size_t);
/* Always fills pt; 0 for CONNECT and FORWARD, -1 for REFUSE. */
int	proxy_classify(const struct http_request *, char *const *, size_t,
	    uint64_t, struct proxy_target *);
/*
 * The head for the upstream: the method, base path + pt_path, Host
 * set to hostport, the agent's Authorization and hop-by-hop fields
 * dropped, "Authorization: Bearer key" when key is not empty, and
 * "Connection: close".  0, or -1 when out of memory.
 */
int	proxy_rewrite(const struct http_request *, const struct proxy_target *,
	    const char *, const char *, const char *, struct evbuffer *);

#endif /* OA_PROXY_HEAD_H */
