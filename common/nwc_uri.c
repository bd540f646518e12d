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
 * The NWC connection URI.  It arrives pasted by a person, so it is
 * taken apart strictly and every refusal names the part that is
 * wrong; but it holds a secret key, so no refusal quotes any value.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <bsd/string.h>
#include <sodium.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

#include "hex.h"
#include "nwc_uri.h"
#include "secp.h"
#include "util.h"

/* decoded values: the longest is a relay URL */
#define NWC_VALUE_MAX	RELAY_URL_MAX

static int
nwc_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Percent-decode s into dst, NUL-terminated.  A value is printable
 * ASCII without spaces once decoded: none of a key, a relay URL or a
 * lightning address needs more, and what goes further (a terminal, a
 * log, the status JSON) then needs no escaping.
 */
static int
nwc_unescape(const char *s, size_t len, char *dst, size_t cap,
    const char **why)
{
	size_t	 i, n = 0;
	int	 hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = nwc_hexdigit((unsigned char)s[i + 1])) ==
			    -1 ||
			    (lo = nwc_hexdigit((unsigned char)s[i + 2])) ==
			    -1) {
				*why = "bad percent-encoding";
				return (-1);
			}
			c = hi << 4 | lo;
			i += 2;
		}
		if (c <= 0x20 || c >= 0x7f) {
			*why = "not printable ASCII";
			return (-1);
		}
		if (n + 1 >= cap) {
			*why = "too long";
			return (-1);
		}
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return (0);
}

/* ws:// or wss://, and a host after it */
static int
nwc_relay_ok(const char *url)
{
	size_t	 skip;

	if (strncasecmp(url, "ws://", 5) == 0)
		skip = 5;
	else if (strncasecmp(url, "wss://", 6) == 0)
		skip = 6;
	else
		return (0);
	url += skip;
	return (*url != '\0' && *url != '/' && *url != '?' && *url != '#' &&
	    *url != ':');
}

static int
nwc_add_relay(struct nwc_uri *u, const char *v, size_t vlen, char *err,
    size_t errlen)
{
	char		 url[NWC_VALUE_MAX];
	const char	*why = NULL;
	size_t		 i;

	if (nwc_unescape(v, vlen, url, sizeof(url), &why) == -1) {
		errbuf_set(err, errlen, "relay %zu: %s", u->nu_nrelays + 1,
		    why);
		return (-1);
	}
	if (!nwc_relay_ok(url)) {
		errbuf_set(err, errlen, "relay %zu: not a ws:// or wss:// URL",
		    u->nu_nrelays + 1);
		return (-1);
	}
	for (i = 0; i < u->nu_nrelays; i++)
		if (strcmp(u->nu_relays[i], url) == 0)
			return (0);
	if (u->nu_nrelays == NWC_RELAYS_MAX) {
		errbuf_set(err, errlen, "relay: more than %d relays",
		    NWC_RELAYS_MAX);
		return (-1);
	}
	(void)strlcpy(u->nu_relays[u->nu_nrelays++], url, RELAY_URL_MAX);
	return (0);
}

static int
nwc_set_secret(struct nwc_uri *u, const char *v, size_t vlen, char *err,
    size_t errlen)
{
	char		 hex[65];
	const char	*why = NULL;
	int		 r = -1;

	if (nwc_unescape(v, vlen, hex, sizeof(hex), &why) == -1)
		errbuf_set(err, errlen, "secret: %s", why);
	else if (strlen(hex) != 64 ||
	    hex_decode_any(hex, 64, u->nu_secret, 32) == -1)
		errbuf_set(err, errlen, "secret: not 64 hex characters");
	else if (!secp256k1_ec_seckey_verify(secp_ctx(), u->nu_secret))
		errbuf_set(err, errlen, "secret: not a valid secp256k1 "
		    "secret key");
	else
		r = 0;
	sodium_memzero(hex, sizeof(hex));
	return (r);
}

static int
nwc_set_lud16(struct nwc_uri *u, const char *v, size_t vlen, char *err,
    size_t errlen)
{
	const char	*why = NULL, *at;

	if (nwc_unescape(v, vlen, u->nu_lud16, sizeof(u->nu_lud16),
	    &why) == -1) {
		errbuf_set(err, errlen, "lud16: %s", why);
		return (-1);
	}
	at = strchr(u->nu_lud16, '@');
	if (at == NULL || at == u->nu_lud16 || at[1] == '\0') {
		errbuf_set(err, errlen, "lud16: not a lightning address "
		    "(name@domain)");
		return (-1);
	}
	return (0);
}

static int
nwc_set_wallet(struct nwc_uri *u, const char *s, size_t len, char *err,
    size_t errlen)
{
	secp256k1_xonly_pubkey	 xpub;

	if (len != 64 || hex_decode_any(s, 64, u->nu_wallet, 32) == -1) {
		errbuf_set(err, errlen, "wallet public key: not 64 hex "
		    "characters");
		return (-1);
	}
	if (!secp256k1_xonly_pubkey_parse(secp_ctx(), &xpub, u->nu_wallet)) {
		errbuf_set(err, errlen, "wallet public key: not a point on "
		    "the curve");
		return (-1);
	}
	return (0);
}

/* One name=value of the query; unknown names are skipped. */
static int
nwc_param(struct nwc_uri *u, const char *p, size_t len, int *have_secret,
    int *have_lud16, char *err, size_t errlen)
{
	const char	*eq;
	size_t		 nlen;

	if ((eq = memchr(p, '=', len)) == NULL)
		return (0);
	nlen = (size_t)(eq - p);
	eq++;
	len -= nlen + 1;
	if (nlen == 5 && strncmp(p, "relay", 5) == 0)
		return (nwc_add_relay(u, eq, len, err, errlen));
	if (nlen == 6 && strncmp(p, "secret", 6) == 0) {
		if ((*have_secret)++) {
			errbuf_set(err, errlen, "secret: given twice");
			return (-1);
		}
		return (nwc_set_secret(u, eq, len, err, errlen));
	}
	if (nlen == 5 && strncmp(p, "lud16", 5) == 0) {
		if ((*have_lud16)++) {
			errbuf_set(err, errlen, "lud16: given twice");
			return (-1);
		}
		return (nwc_set_lud16(u, eq, len, err, errlen));
	}
	return (0);
}

static int
nwc_parse(const char *s, size_t len, struct nwc_uri *u, char *err,
    size_t errlen)
{
	const char	*q, *end, *amp;
	size_t		 slen = sizeof(NWC_SCHEME) - 1;
	int		 have_secret = 0, have_lud16 = 0;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > NWC_URI_MAX) {
		errbuf_set(err, errlen, "longer than %d bytes", NWC_URI_MAX);
		return (-1);
	}
	if (memchr(s, '\0', len) != NULL) {
		errbuf_set(err, errlen, "a NUL byte in the URI");
		return (-1);
	}
	if (len < slen || strncasecmp(s, NWC_SCHEME, slen) != 0) {
		errbuf_set(err, errlen, "scheme: not %s", NWC_SCHEME);
		return (-1);
	}
	s += slen;
	len -= slen;
	/* a fragment is not part of what the wallet service gave */
	if ((end = memchr(s, '#', len)) == NULL)
		end = s + len;
	if ((q = memchr(s, '?', (size_t)(end - s))) == NULL)
		q = end;
	if (nwc_set_wallet(u, s, (size_t)(q - s), err, errlen) == -1)
		return (-1);
	if (q < end)
		q++;
	for (; q < end; q = amp + 1) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		if (nwc_param(u, q, (size_t)(amp - q), &have_secret,
		    &have_lud16, err, errlen) == -1)
			return (-1);
		if (amp == end)
			break;
	}
	if (u->nu_nrelays == 0) {
		errbuf_set(err, errlen, "relay: none given");
		return (-1);
	}
	if (!have_secret) {
		errbuf_set(err, errlen, "secret: missing");
		return (-1);
	}
	return (0);
}

int
nwc_uri_parse(const char *s, size_t len, struct nwc_uri *u, char *err,
    size_t errlen)
{
	sodium_memzero(u, sizeof(*u));
	if (nwc_parse(s, len, u, err, errlen) == -1) {
		nwc_uri_clear(u);
		return (-1);
	}
	return (0);
}

void
nwc_uri_clear(struct nwc_uri *u)
{
	sodium_memzero(u, sizeof(*u));
}
