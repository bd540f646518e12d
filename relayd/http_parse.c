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
 * The pure half of the WebSocket client: the HTTP response head, the
 * upgrade check, the chunked coding of a NIP-11 body and ws:// URLs.
 * No I/O here, so that the unit tests and the fuzzers reach all of it.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "http_parse.h"
#include "util.h"
#include "ws.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_MAX	128	/* ours are 24 characters */
#define WS_ACCEPT_SIZE	29	/* base64 of a SHA-1, NUL included */

enum {
	HC_SIZE = 0,		/* expecting a chunk-size line */
	HC_DATA,
	HC_DATA_END,		/* the CRLF after a chunk's data */
	HC_TRAILER,
	HC_DONE
};

/*
 * Character classes by hand rather than <ctype.h>: those follow the
 * locale, and a wire format must not.
 */
static int
http_is_alnum(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

static int
http_is_tchar(unsigned char c)
{
	return (http_is_alnum(c) ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL));
}

/* VCHAR, obs-text, SP and HTAB: what a value or a reason may hold */
static int
http_is_text(unsigned char c)
{
	return (c == '\t' || (c >= 0x20 && c != 0x7f));
}

static int
http_is_hex(unsigned char c, unsigned int *v)
{
	if (c >= '0' && c <= '9')
		*v = c - '0';
	else if (c >= 'a' && c <= 'f')
		*v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		*v = c - 'A' + 10;
	else
		return (0);
	return (1);
}

/*
 * Look for the blank line ending the head in buf[0..len), refusing as
 * early as possible what no amount of further bytes could repair.
 * *end is past the blank line, or 0 when it has not come yet.
 */
static int
http_head_scan(const char *buf, size_t len, size_t *end, char *err,
    size_t errlen)
{
	size_t	 i;

	*end = 0;
	for (i = 0; i < len; i++) {
		switch (buf[i]) {
		case '\0':
			errbuf_set(err, errlen, "NUL byte in the head");
			return (-1);
		case '\r':
			if (i + 1 < len && buf[i + 1] != '\n') {
				errbuf_set(err, errlen, "bare CR in the head");
				return (-1);
			}
			break;
		case '\n':
			if (i == 0 || buf[i - 1] != '\r') {
				errbuf_set(err, errlen, "bare LF in the head");
				return (-1);
			}
			if (i >= 3 && buf[i - 2] == '\n') {
				*end = i + 1;
				return (0);
			}
			break;
		default:
			break;
		}
	}
	return (0);
}

static int
http_status_parse(struct http_response *r, char *line, char *err,
    size_t errlen)
{
	char	*p;
	int	 i;

	if (strncmp(line, "HTTP/1.1 ", 9) != 0 &&
	    strncmp(line, "HTTP/1.0 ", 9) != 0) {
		errbuf_set(err, errlen, "bad status line");
		return (-1);
	}
	p = line + 9;
	r->hr_status = 0;
	for (i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '9') {
			errbuf_set(err, errlen, "bad status code");
			return (-1);
		}
		r->hr_status = r->hr_status * 10 + (p[i] - '0');
	}
	if (r->hr_status < 100 || r->hr_status > 599) {
		errbuf_set(err, errlen, "bad status code %d", r->hr_status);
		return (-1);
	}
	if (p[3] == '\0') {
		r->hr_reason = p + 3;
		return (0);
	}
	if (p[3] != ' ') {
		errbuf_set(err, errlen, "bad status code");
		return (-1);
	}
	r->hr_reason = p + 4;
	for (p += 4; *p != '\0'; p++)
		if (!http_is_text((unsigned char)*p)) {
			errbuf_set(err, errlen,
			    "control character in the reason phrase");
			return (-1);
		}
	return (0);
}

static int
http_header_parse(struct http_header *hdrs, size_t *nhdrs, char *line,
    char *err, size_t errlen)
{
	char	*p, *v, *end;

	if (line[0] == ' ' || line[0] == '\t') {
		errbuf_set(err, errlen, "obsolete line folding");
		return (-1);
	}
	for (p = line; *p != ':'; p++) {
		if (*p == '\0') {
			errbuf_set(err, errlen, "header line without a colon");
			return (-1);
		}
		if (!http_is_tchar((unsigned char)*p)) {
			errbuf_set(err, errlen,
			    "bad character in a header name");
			return (-1);
		}
	}
	if (p == line) {
		errbuf_set(err, errlen, "empty header name");
		return (-1);
	}
	*p = '\0';
	for (v = p + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (p = v; *p != '\0'; p++)
		if (!http_is_text((unsigned char)*p)) {
			errbuf_set(err, errlen,
			    "control character in header %s", line);
			return (-1);
		}
	for (end = p; end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (*nhdrs == HTTP_MAX_HEADERS) {
		errbuf_set(err, errlen, "more than %d header fields",
		    HTTP_MAX_HEADERS);
		return (-1);
	}
	hdrs[*nhdrs].hh_name = line;
	hdrs[*nhdrs].hh_value = v;
	(*nhdrs)++;
	return (0);
}

/*
 * The lines of the copied head; http_head_scan vouched for the CRLFs.
 * The first line goes to first(), the others are header fields of at
 * most maxline bytes.
 */
static int
http_lines_parse(char *buf, int (*first)(void *, char *, char *, size_t),
    void *arg, struct http_header *hdrs, size_t *nhdrs, size_t maxline,
    char *err, size_t errlen)
{
	char	*line, *crlf;

	line = buf;
	if ((crlf = strstr(line, "\r\n")) == NULL)
		return (-1);
	*crlf = '\0';
	if (first(arg, line, err, errlen) == -1)
		return (-1);
	for (line = crlf + 2; *line != '\r'; line = crlf + 2) {
		if ((crlf = strstr(line, "\r\n")) == NULL)
			return (-1);
		*crlf = '\0';
		if ((size_t)(crlf - line) > maxline) {
			errbuf_set(err, errlen, "header line over %zu bytes",
			    maxline);
			return (-1);
		}
		if (http_header_parse(hdrs, nhdrs, line, err, errlen) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The complete head at buf, copied: 1 with *copy and *end set, 0 when
 * more is needed, -1 when malformed or over max bytes.
 */
static int
http_head_copy(const char *buf, size_t len, size_t max, char **copy,
    size_t *end, char *err, size_t errlen)
{
	size_t	 n;

	*copy = NULL;
	if (len == 0)
		return (0);
	n = len < max ? len : max;
	if (http_head_scan(buf, n, end, err, errlen) == -1)
		return (-1);
	if (*end == 0) {
		if (len < max)
			return (0);
		errbuf_set(err, errlen, "head over %zu bytes", max);
		return (-1);
	}
	if ((*copy = malloc(*end + 1)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return (-1);
	}
	memcpy(*copy, buf, *end);
	(*copy)[*end] = '\0';
	return (1);
}

static int
http_status_first(void *arg, char *line, char *err, size_t errlen)
{
	return (http_status_parse(arg, line, err, errlen));
}

int
http_response_parse(const char *buf, size_t len, struct http_response *r,
    char *err, size_t errlen)
{
	size_t	 end;
	int	 rv;

	memset(r, 0, sizeof(*r));
	if (memcmp(buf, "HTTP/1.", len < 7 ? len : 7) != 0) {
		errbuf_set(err, errlen, "not an HTTP/1 response");
		return (-1);
	}
	if ((rv = http_head_copy(buf, len, HTTP_HEAD_MAX, &r->hr_buf, &end,
	    err, errlen)) <= 0)
		return (rv);
	if (http_lines_parse(r->hr_buf, http_status_first, r, r->hr_headers,
	    &r->hr_nheaders, HTTP_HEAD_MAX, err, errlen) == -1) {
		http_response_free(r);
		return (-1);
	}
	r->hr_headlen = end;
	return (1);
}

/* method SP request-target SP HTTP/1.x, nothing more, nothing less */
static int
http_request_first(void *arg, char *line, char *err, size_t errlen)
{
	struct http_request	*q = arg;
	char			*p, *target;

	if (strlen(line) > HTTP_LINE_MAX) {
		errbuf_set(err, errlen, "request line over %d bytes",
		    HTTP_LINE_MAX);
		return (-1);
	}
	for (p = line; http_is_tchar((unsigned char)*p); p++)
		;
	if (p == line || *p != ' ') {
		errbuf_set(err, errlen, "bad method");
		return (-1);
	}
	*p++ = '\0';
	for (target = p; *p > 0x20 && *p < 0x7f; p++)
		;
	if (p == target || *p != ' ') {
		errbuf_set(err, errlen, "bad request target");
		return (-1);
	}
	*p++ = '\0';
	if (strcmp(p, "HTTP/1.1") == 0)
		q->hq_minor = 1;
	else if (strcmp(p, "HTTP/1.0") == 0)
		q->hq_minor = 0;
	else {
		errbuf_set(err, errlen, "not HTTP/1.0 or HTTP/1.1");
		return (-1);
	}
	q->hq_method = line;
	q->hq_target = target;
	return (0);
}

int
http_request_parse(const char *buf, size_t len, size_t max,
    struct http_request *q, char *err, size_t errlen)
{
	size_t	 end;
	int	 rv;

	memset(q, 0, sizeof(*q));
	if (max > HTTP_HEAD_MAX)
		max = HTTP_HEAD_MAX;
	if ((rv = http_head_copy(buf, len, max, &q->hq_buf, &end, err,
	    errlen)) <= 0)
		return (rv);
	if (http_lines_parse(q->hq_buf, http_request_first, q,
	    q->hq_headers, &q->hq_nheaders, HTTP_LINE_MAX, err,
	    errlen) == -1) {
		http_request_free(q);
		return (-1);
	}
	q->hq_headlen = end;
	return (1);
}

void
http_request_free(struct http_request *q)
{
	free(q->hq_buf);
	memset(q, 0, sizeof(*q));
}

void
http_response_free(struct http_response *r)
{
	free(r->hr_buf);
	memset(r, 0, sizeof(*r));
}

const char *
http_fields_get(const struct http_header *hdrs, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcasecmp(hdrs[i].hh_name, name) == 0)
			return (hdrs[i].hh_value);
	return (NULL);
}

size_t
http_fields_count(const struct http_header *hdrs, size_t n,
    const char *name)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		if (strcasecmp(hdrs[i].hh_name, name) == 0)
			c++;
	return (c);
}

const char *
http_header_get(const struct http_response *r, const char *name)
{
	return (http_fields_get(r->hr_headers, r->hr_nheaders, name));
}

static size_t
http_header_count(const struct http_response *r, const char *name)
{
	return (http_fields_count(r->hr_headers, r->hr_nheaders, name));
}

int
http_header_has_token(const char *value, const char *token)
{
	const char	*p, *start, *end;
	size_t		 tlen = strlen(token);

	if (value == NULL)
		return (0);
	for (p = value; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		for (end = p; end > start && (end[-1] == ' ' ||
		    end[-1] == '\t'); end--)
			;
		if ((size_t)(end - start) == tlen &&
		    strncasecmp(start, token, tlen) == 0)
			return (1);
	}
	return (0);
}

int
ws_accept_value(const char *key, char *out, size_t outlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 cat[WS_KEY_MAX + sizeof(WS_GUID)];
	int		 n;

	if (outlen < WS_ACCEPT_SIZE || strlen(key) > WS_KEY_MAX)
		return (-1);
	n = snprintf(cat, sizeof(cat), "%s%s", key, WS_GUID);
	if (n < 0 || (size_t)n >= sizeof(cat))
		return (-1);
	if (EVP_Digest(cat, (size_t)n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    sodium_base64_ENCODED_LEN(mdlen, sodium_base64_VARIANT_ORIGINAL) >
	    outlen)
		return (-1);
	(void)sodium_bin2base64(out, outlen, md, mdlen,
	    sodium_base64_VARIANT_ORIGINAL);
	return (0);
}

int
ws_upgrade_check(const struct http_response *r, const char *key, char *err,
    size_t errlen)
{
	char		 want[WS_ACCEPT_SIZE];
	const char	*v;

	if (r->hr_status >= 300 && r->hr_status <= 399) {
		v = http_header_get(r, "Location");
		errbuf_set(err, errlen, "redirect %d to %s, not followed",
		    r->hr_status, v != NULL ? v : "(no Location)");
		return (-1);
	}
	if (r->hr_status != 101) {
		errbuf_set(err, errlen, "upgrade refused: %d %s", r->hr_status,
		    r->hr_reason != NULL ? r->hr_reason : "");
		return (-1);
	}
	if (!http_header_has_token(http_header_get(r, "Upgrade"),
	    "websocket")) {
		errbuf_set(err, errlen, "no Upgrade: websocket");
		return (-1);
	}
	if (!http_header_has_token(http_header_get(r, "Connection"),
	    "upgrade")) {
		errbuf_set(err, errlen, "no Connection: upgrade");
		return (-1);
	}
	if (ws_accept_value(key, want, sizeof(want)) == -1) {
		errbuf_set(err, errlen, "bad Sec-WebSocket-Key");
		return (-1);
	}
	/* two of them could only be a confused or a lying server */
	if (http_header_count(r, "Sec-WebSocket-Accept") != 1 ||
	    strcmp(http_header_get(r, "Sec-WebSocket-Accept"), want) != 0) {
		errbuf_set(err, errlen, "wrong Sec-WebSocket-Accept");
		return (-1);
	}
	/* we offered neither: accepting one would garble every frame */
	if ((v = http_header_get(r, "Sec-WebSocket-Extensions")) != NULL) {
		errbuf_set(err, errlen, "unexpected extension %s", v);
		return (-1);
	}
	if ((v = http_header_get(r, "Sec-WebSocket-Protocol")) != NULL) {
		errbuf_set(err, errlen, "unexpected subprotocol %s", v);
		return (-1);
	}
	return (0);
}

void
http_chunked_init(struct http_chunked *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->hc_state = HC_SIZE;
}

/*
 * The length of the CRLF-terminated line at buf (CRLF excluded): 1 when
 * it is complete, 0 when more is needed, -1 when malformed or too long.
 */
static int
http_line(const char *buf, size_t len, size_t *linelen, char *err,
    size_t errlen)
{
	size_t	 i;

	for (i = 0; i < len && i < HTTP_CHUNK_LINE_MAX; i++) {
		if (buf[i] == '\r') {
			if (i + 1 == len)
				return (0);
			if (buf[i + 1] != '\n')
				break;
			*linelen = i;
			return (1);
		}
		if (buf[i] == '\n' || buf[i] == '\0')
			break;
	}
	if (i < len && i < HTTP_CHUNK_LINE_MAX) {
		errbuf_set(err, errlen, "bad line in the chunked coding");
		return (-1);
	}
	if (i == HTTP_CHUNK_LINE_MAX) {
		errbuf_set(err, errlen, "chunked coding line over %d bytes",
		    HTTP_CHUNK_LINE_MAX);
		return (-1);
	}
	return (0);
}

/* chunk-size [ chunk-ext ]: hex digits, then maybe ";..." we skip */
static int
http_chunk_size(const char *line, size_t len, uint64_t *size, char *err,
    size_t errlen)
{
	size_t		 i, digits = 0;
	unsigned int	 v;

	*size = 0;
	for (i = 0; i < len && http_is_hex((unsigned char)line[i], &v); i++) {
		if (*size != 0 && ++digits > 15) {
			errbuf_set(err, errlen, "chunk size too large");
			return (-1);
		}
		*size = *size << 4 | v;
	}
	if (i == 0) {
		errbuf_set(err, errlen, "bad chunk size");
		return (-1);
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] != ';') {
		errbuf_set(err, errlen, "bad chunk size");
		return (-1);
	}
	for (; i < len; i++)
		if (!http_is_text((unsigned char)line[i])) {
			errbuf_set(err, errlen, "bad chunk extension");
			return (-1);
		}
	return (0);
}

int
http_chunked_step(struct http_chunked *hc, const char *buf, size_t len,
    size_t *used, int *isdata, char *err, size_t errlen)
{
	size_t	 n;
	int	 r;

	*used = 0;
	*isdata = 0;
	switch (hc->hc_state) {
	case HC_SIZE:
		if ((r = http_line(buf, len, &n, err, errlen)) <= 0)
			return (r);
		if (http_chunk_size(buf, n, &hc->hc_left, err, errlen) == -1)
			return (-1);
		*used = n + 2;
		hc->hc_state = hc->hc_left == 0 ? HC_TRAILER : HC_DATA;
		return (0);
	case HC_DATA:
		n = (uint64_t)len < hc->hc_left ? len : (size_t)hc->hc_left;
		*used = n;
		*isdata = 1;
		hc->hc_left -= n;
		if (hc->hc_left == 0)
			hc->hc_state = HC_DATA_END;
		return (0);
	case HC_DATA_END:
		if (len < 2)
			return (0);
		if (buf[0] != '\r' || buf[1] != '\n') {
			errbuf_set(err, errlen, "chunk data without its CRLF");
			return (-1);
		}
		*used = 2;
		hc->hc_state = HC_SIZE;
		return (0);
	case HC_TRAILER:
		if ((r = http_line(buf, len, &n, err, errlen)) <= 0)
			return (r);
		*used = n + 2;
		if (n == 0) {
			hc->hc_state = HC_DONE;
			return (1);
		}
		if (++hc->hc_trailers > HTTP_MAX_HEADERS) {
			errbuf_set(err, errlen, "more than %d trailer fields",
			    HTTP_MAX_HEADERS);
			return (-1);
		}
		return (0);
	case HC_DONE:
		return (1);
	default:
		errbuf_set(err, errlen, "chunked decoder in a bad state");
		return (-1);
	}
}

static int
ws_url_port(const char *p, const char *end, uint16_t *port, char *err,
    size_t errlen)
{
	unsigned long	 v = 0;

	if (p == end || end - p > 5) {
		errbuf_set(err, errlen, "bad port");
		return (-1);
	}
	for (; p < end; p++) {
		if (*p < '0' || *p > '9') {
			errbuf_set(err, errlen, "bad port");
			return (-1);
		}
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535) {
		errbuf_set(err, errlen, "bad port");
		return (-1);
	}
	*port = (uint16_t)v;
	return (0);
}

/* [v6] or a name or an IPv4 address, up to ':' or the end; *rest after */
static int
ws_url_host(struct ws_url *u, const char *auth, const char *aend,
    const char **rest, char *err, size_t errlen)
{
	const char	*host, *hend, *p;
	struct in6_addr	 a6;

	if (*auth == '[') {
		host = auth + 1;
		if ((hend = memchr(host, ']', (size_t)(aend - host))) == NULL) {
			errbuf_set(err, errlen, "unterminated IPv6 address");
			return (-1);
		}
		*rest = hend + 1;
	} else {
		host = auth;
		if ((hend = memchr(host, ':', (size_t)(aend - host))) == NULL)
			hend = aend;
		*rest = hend;
		for (p = host; p < hend; p++)
			if (!http_is_alnum((unsigned char)*p) && *p != '-' &&
			    *p != '.' && *p != '_') {
				errbuf_set(err, errlen, "bad host name");
				return (-1);
			}
	}
	if (hend == host) {
		errbuf_set(err, errlen, "empty host");
		return (-1);
	}
	if ((size_t)(hend - host) >= sizeof(u->wu_host)) {
		errbuf_set(err, errlen, "host name too long");
		return (-1);
	}
	memcpy(u->wu_host, host, (size_t)(hend - host));
	u->wu_host[hend - host] = '\0';
	if (*auth == '[' && inet_pton(AF_INET6, u->wu_host, &a6) != 1) {
		errbuf_set(err, errlen, "bad IPv6 address");
		return (-1);
	}
	if (*rest != aend && **rest != ':') {
		errbuf_set(err, errlen, "junk after the IPv6 address");
		return (-1);
	}
	return (0);
}

static int
ws_url_path(struct ws_url *u, const char *p, char *err, size_t errlen)
{
	const char	*q;
	int		 n;

	for (q = p; *q != '\0'; q++)
		if (*q <= 0x20 || *q >= 0x7f) {
			errbuf_set(err, errlen,
			    "space or non-ASCII byte in the path");
			return (-1);
		}
	n = snprintf(u->wu_path, sizeof(u->wu_path), "%s%s",
	    *p == '/' ? "" : "/", p);
	if (n < 0 || (size_t)n >= sizeof(u->wu_path)) {
		errbuf_set(err, errlen, "path too long");
		return (-1);
	}
	return (0);
}

int
ws_url_parse(const char *s, struct ws_url *u, char *err, size_t errlen)
{
	const char	*p, *aend, *rest;
	uint16_t	 defport;
	int		 n, v6;

	memset(u, 0, sizeof(*u));
	if (strlen(s) > WS_URL_MAX) {
		errbuf_set(err, errlen, "URL too long");
		return (-1);
	}
	if (strncasecmp(s, "wss://", 6) == 0) {
		u->wu_tls = 1;
		defport = 443;
		p = s + 6;
	} else if (strncasecmp(s, "ws://", 5) == 0) {
		defport = 80;
		p = s + 5;
	} else {
		errbuf_set(err, errlen, "not a ws:// or wss:// URL");
		return (-1);
	}
	if (strchr(p, '#') != NULL) {
		errbuf_set(err, errlen, "fragment in a WebSocket URL");
		return (-1);
	}
	aend = p + strcspn(p, "/?");
	if (memchr(p, '@', (size_t)(aend - p)) != NULL) {
		errbuf_set(err, errlen, "user info in a WebSocket URL");
		return (-1);
	}
	v6 = *p == '[';
	if (ws_url_host(u, p, aend, &rest, err, errlen) == -1)
		return (-1);
	u->wu_port = defport;
	if (rest != aend &&
	    ws_url_port(rest + 1, aend, &u->wu_port, err, errlen) == -1)
		return (-1);
	if (ws_url_path(u, aend, err, errlen) == -1)
		return (-1);
	if (u->wu_port == defport)
		n = snprintf(u->wu_hostport, sizeof(u->wu_hostport), "%s%s%s",
		    v6 ? "[" : "", u->wu_host, v6 ? "]" : "");
	else
		n = snprintf(u->wu_hostport, sizeof(u->wu_hostport),
		    "%s%s%s:%u", v6 ? "[" : "", u->wu_host, v6 ? "]" : "",
		    u->wu_port);
	if (n < 0 || (size_t)n >= sizeof(u->wu_hostport)) {
		errbuf_set(err, errlen, "host name too long");
		return (-1);
	}
	return (0);
}

int
http_authority_parse(const char *s, char *host, size_t hostlen,
    uint16_t *port, char *err, size_t errlen)
{
	struct ws_url	 u;
	const char	*end = s + strlen(s), *rest;

	memset(&u, 0, sizeof(u));
	if (ws_url_host(&u, s, end, &rest, err, errlen) == -1)
		return (-1);
	if (rest == end) {
		errbuf_set(err, errlen, "no port");
		return (-1);
	}
	if (ws_url_port(rest + 1, end, port, err, errlen) == -1)
		return (-1);
	if (strlcpy(host, u.wu_host, hostlen) >= hostlen) {
		errbuf_set(err, errlen, "host name too long");
		return (-1);
	}
	return (0);
}

/* An https:// URL has the grammar of a wss:// one. */
int
http_url_parse(const char *s, struct ws_url *u, char *err, size_t errlen)
{
	char	 buf[WS_URL_MAX + 8];
	int	 n;

	if (strncasecmp(s, "https://", 8) != 0) {
		errbuf_set(err, errlen, "not an https:// URL");
		return (-1);
	}
	n = snprintf(buf, sizeof(buf), "wss://%s", s + 8);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errbuf_set(err, errlen, "URL too long");
		return (-1);
	}
	return (ws_url_parse(buf, u, err, errlen));
}
