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

#ifndef OA_HTTP_PARSE_H
#define OA_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The head of an HTTP/1.1 response, as a WebSocket upgrade or a NIP-11
 * request gets it: status line and headers, strictly.  Kept apart from
 * the I/O so that it can be fuzzed.
 */

#define HTTP_HEAD_MAX		16384
#define HTTP_MAX_HEADERS	64
#define HTTP_LINE_MAX		8192	/* one line of a request head */

struct http_header {
	const char	*hh_name;	/* into the parsed copy, NUL-terminated */
	const char	*hh_value;	/* trimmed */
};

struct http_response {
	int			 hr_status;
	const char		*hr_reason;	/* maybe "" */
	char			*hr_buf;	/* the copy the pointers use */
	struct http_header	 hr_headers[HTTP_MAX_HEADERS];
	size_t			 hr_nheaders;
	size_t			 hr_headlen;	/* with the blank line */
};

/*
 * Parse the head in buf[0..len).  Returns 1 when complete (and fills
 * r; give it to http_response_free), 0 when more bytes are needed, -1
 * when it is malformed or larger than HTTP_HEAD_MAX (err says why).
 * The body, if any, starts at buf + r->hr_headlen.
 *
 * Strict on purpose: lines end in CRLF (a bare CR or LF is refused,
 * as are NUL bytes and obs-fold continuation lines), header names are
 * RFC 9110 tokens followed directly by the colon, values hold no
 * control characters but tab.  Relays run mainstream HTTP servers,
 * none of which needs the lenient forms.
 */
int		 http_response_parse(const char *, size_t, struct http_response *,
		    char *, size_t);
void		 http_response_free(struct http_response *);
/* The value of the first header of that name (case-insensitive). */
const char	*http_header_get(const struct http_response *, const char *);
const char	*http_fields_get(const struct http_header *, size_t,
		    const char *);
size_t		 http_fields_count(const struct http_header *, size_t,
		    const char *);
/* Whether a comma-separated header value holds a token (case-insensitive). */
int		 http_header_has_token(const char *, const char *);

/*
 * The head of a request, as relayd's egress proxy gets it from an
 * agent: the same strict rules as a response head, and besides at most
 * max bytes (HTTP_HEAD_MAX at most), lines of HTTP_LINE_MAX bytes, a
 * request line of exactly method, target and HTTP/1.0 or HTTP/1.1
 * separated by single spaces.  Returns as http_response_parse does.
 */
struct http_request {
	const char		*hq_method;	/* a token */
	const char		*hq_target;	/* printable, no spaces */
	int			 hq_minor;	/* HTTP/1.x */
	char			*hq_buf;
	struct http_header	 hq_headers[HTTP_MAX_HEADERS];
	size_t			 hq_nheaders;
	size_t			 hq_headlen;	/* with the blank line */
};

int		 http_request_parse(const char *, size_t, size_t,
		    struct http_request *, char *, size_t);
void		 http_request_free(struct http_request *);

/*
 * CONNECT's authority-form "host:port" (a name, an IPv4 address or a
 * bracketed IPv6 address, which comes back without its brackets).
 */
int		 http_authority_parse(const char *, char *, size_t,
		    uint16_t *, char *, size_t);

struct ws_url;
/* An https:// URL, into the fields of a wss:// one (wu_tls is set). */
int		 http_url_parse(const char *, struct ws_url *, char *, size_t);

/*
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key ||
 * 258EAFA5-E914-47DA-95CA-C5AB0DC85B11)); out holds 29 bytes.
 */
int		 ws_accept_value(const char *, char *, size_t);
/*
 * Check an upgrade response: 101, Upgrade: websocket, Connection:
 * upgrade, the right Sec-WebSocket-Accept, no extension we did not ask
 * for.  A 3xx is refused as a redirect, with the Location in err.
 */
int		 ws_upgrade_check(const struct http_response *, const char *,
		    char *, size_t);

/*
 * A chunked body (RFC 9112 section 7.1), decoded step by step as bytes
 * arrive.  Each call looks at buf[0..len) and consumes one piece: *used
 * is its size and *isdata tells whether those bytes are body data (to
 * keep) or framing (to drop).  Returns 1 once the last chunk and the
 * trailers are through, 0 otherwise (with *used == 0 when more bytes are
 * needed), -1 when the coding is malformed (err says why).  Chunk
 * extensions and trailer fields are skipped.
 */
#define HTTP_CHUNK_LINE_MAX	4096

struct http_chunked {
	int		 hc_state;
	uint64_t	 hc_left;	/* of the current chunk's data */
	size_t		 hc_trailers;
};

void		 http_chunked_init(struct http_chunked *);
int		 http_chunked_step(struct http_chunked *, const char *,
		    size_t, size_t *, int *, char *, size_t);

#endif /* OA_HTTP_PARSE_H */
