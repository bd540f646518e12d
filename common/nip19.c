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

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bech32.h"
#include "nip19.h"

#define NIP19_T_SPECIAL		0
#define NIP19_T_RELAY		1
#define NIP19_T_AUTHOR		2
#define NIP19_T_KIND		3

static const struct {
	enum nip19_type	 type;
	const char	*hrp;
	const char	*wrong;		/* the reason when another is given */
} nip19_types[] = {
	{ NIP19_NPUB,		"npub",		"not an npub" },
	{ NIP19_NSEC,		"nsec",		"not an nsec" },
	{ NIP19_NOTE,		"note",		"not a note" },
	{ NIP19_NPROFILE,	"nprofile",	"not an nprofile" },
	{ NIP19_NEVENT,		"nevent",	"not an nevent" },
	{ NIP19_NADDR,		"naddr",	"not an naddr" },
};
#define NIP19_NTYPES	(sizeof(nip19_types) / sizeof(nip19_types[0]))

static void	nip19_seterr(const char **, const char *);
static int	nip19_tlv_put(uint8_t *, size_t, size_t *, uint8_t,
		    const void *, size_t);
static int	nip19_tlv_parse(const uint8_t *, size_t, struct nip19 *,
		    const char **);
static int	nip19_tlv_one(uint8_t, const uint8_t *, size_t,
		    struct nip19 *, unsigned int *, const char **);
static int	nip19_relay_valid(const char *, size_t);

static void
nip19_seterr(const char **errstr, const char *msg)
{
	if (errstr != NULL)
		*errstr = msg;
}

const char *
nip19_hrp(enum nip19_type type)
{
	size_t	 i;

	for (i = 0; i < NIP19_NTYPES; i++)
		if (nip19_types[i].type == type)
			return (nip19_types[i].hrp);
	return (NULL);
}

static enum nip19_type
nip19_type_of(const char *hrp)
{
	size_t	 i;

	for (i = 0; i < NIP19_NTYPES; i++)
		if (strcmp(nip19_types[i].hrp, hrp) == 0)
			return (nip19_types[i].type);
	return (NIP19_NONE);
}

static const char *
nip19_wrong(enum nip19_type want)
{
	size_t	 i;

	for (i = 0; i < NIP19_NTYPES; i++)
		if (nip19_types[i].type == want)
			return (nip19_types[i].wrong);
	return ("unknown NIP-19 prefix");
}

void
nip19_clear(struct nip19 *n)
{
	explicit_bzero(n, sizeof(*n));
}

/*
 * The type and bytes of an entity.  The prefix is checked before the
 * words become bytes, so that a string of the wrong kind is reported
 * as such, and a secret given where a public value was expected is not
 * unpacked at all.
 */
static int
nip19_unpack(const char *s, enum nip19_type want, enum nip19_type *type,
    uint8_t data[BECH32_DATA_MAX], size_t *len, const char **errstr)
{
	uint8_t	 words[BECH32_WORDS_MAX];
	char	 hrp[BECH32_HRP_MAX + 1];
	size_t	 nwords;
	int	 rv = -1;

	if (bech32_decode_raw(s, hrp, sizeof(hrp), words, sizeof(words),
	    &nwords, errstr) == -1)
		goto done;
	if ((*type = nip19_type_of(hrp)) == NIP19_NONE ||
	    (want != NIP19_NONE && *type != want)) {
		nip19_seterr(errstr, nip19_wrong(want));
		goto done;
	}
	if (bech32_convert_bits(words, nwords, 5, data, BECH32_DATA_MAX, len,
	    8, 0) == -1) {
		nip19_seterr(errstr, "bad padding");
		goto done;
	}
	rv = 0;
 done:
	explicit_bzero(words, sizeof(words));
	return (rv);
}

/* Relays go into C strings and on to logs: no NULs, no controls. */
static int
nip19_relay_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len > NIP19_STR_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	return (1);
}

int
nip19_add_relay(struct nip19 *n, const char *url)
{
	size_t	 len;

	len = strnlen(url, NIP19_STR_MAX + 1);
	if (n->n19_nrelays >= NIP19_MAX_RELAYS || !nip19_relay_valid(url, len))
		return (-1);
	memcpy(n->n19_relays[n->n19_nrelays], url, len);
	n->n19_relays[n->n19_nrelays][len] = '\0';
	n->n19_nrelays++;
	return (0);
}

/*
 * The 32-byte forms.  The decoder checks the prefix before it looks at
 * the data, and wipes its copy either way: it may hold an nsec.
 */
static int
nip19_decode_32(const char *s, enum nip19_type want, uint8_t out[32],
    const char **errstr)
{
	uint8_t		 data[BECH32_DATA_MAX];
	enum nip19_type	 type;
	size_t		 len;
	int		 rv = -1;

	if (nip19_unpack(s, want, &type, data, &len, errstr) == -1)
		goto done;
	if (len != 32) {
		nip19_seterr(errstr, "not 32 bytes");
		goto done;
	}
	memcpy(out, data, 32);
	rv = 0;
 done:
	explicit_bzero(data, sizeof(data));
	if (rv == -1)
		explicit_bzero(out, 32);
	return (rv);
}

int
nip19_decode_npub(const char *s, uint8_t pk[32], const char **errstr)
{
	return (nip19_decode_32(s, NIP19_NPUB, pk, errstr));
}

int
nip19_decode_nsec(const char *s, uint8_t sk[32], const char **errstr)
{
	return (nip19_decode_32(s, NIP19_NSEC, sk, errstr));
}

int
nip19_decode_note(const char *s, uint8_t id[32], const char **errstr)
{
	return (nip19_decode_32(s, NIP19_NOTE, id, errstr));
}

int
nip19_encode_npub(const uint8_t pk[32], char *out, size_t outlen)
{
	return (bech32_encode("npub", pk, 32, out, outlen));
}

int
nip19_encode_nsec(const uint8_t sk[32], char *out, size_t outlen)
{
	return (bech32_encode("nsec", sk, 32, out, outlen));
}

int
nip19_encode_note(const uint8_t id[32], char *out, size_t outlen)
{
	return (bech32_encode("note", id, 32, out, outlen));
}

static int
nip19_tlv_put(uint8_t *buf, size_t size, size_t *off, uint8_t t,
    const void *v, size_t len)
{
	if (len > NIP19_STR_MAX || size - *off < 2 + len)
		return (-1);
	buf[(*off)++] = t;
	buf[(*off)++] = (uint8_t)len;
	memcpy(buf + *off, v, len);
	*off += len;
	return (0);
}

/* The TLV records of n in canonical order: 0, relays, 2, 3. */
static int
nip19_tlv_build(const struct nip19 *n, uint8_t *buf, size_t size,
    size_t *len)
{
	uint8_t	 kind[4];
	size_t	 i, off = 0;
	int	 rv;

	if (n->n19_type == NIP19_NADDR)
		rv = nip19_tlv_put(buf, size, &off, NIP19_T_SPECIAL,
		    n->n19_ident, strnlen(n->n19_ident, sizeof(n->n19_ident)));
	else
		rv = nip19_tlv_put(buf, size, &off, NIP19_T_SPECIAL,
		    n->n19_id, sizeof(n->n19_id));
	if (rv == -1 || n->n19_nrelays > NIP19_MAX_RELAYS)
		return (-1);
	for (i = 0; i < n->n19_nrelays; i++)
		if (nip19_tlv_put(buf, size, &off, NIP19_T_RELAY,
		    n->n19_relays[i], strnlen(n->n19_relays[i],
		    sizeof(n->n19_relays[i]))) == -1)
			return (-1);
	if (n->n19_type == NIP19_NPROFILE) {
		*len = off;
		return (0);
	}
	if (n->n19_type == NIP19_NADDR &&
	    (!n->n19_has_author || !n->n19_has_kind))
		return (-1);
	if (n->n19_has_author && nip19_tlv_put(buf, size, &off,
	    NIP19_T_AUTHOR, n->n19_author, sizeof(n->n19_author)) == -1)
		return (-1);
	kind[0] = (uint8_t)(n->n19_kind >> 24);
	kind[1] = (uint8_t)(n->n19_kind >> 16);
	kind[2] = (uint8_t)(n->n19_kind >> 8);
	kind[3] = (uint8_t)n->n19_kind;
	if (n->n19_has_kind && nip19_tlv_put(buf, size, &off,
	    NIP19_T_KIND, kind, sizeof(kind)) == -1)
		return (-1);
	*len = off;
	return (0);
}

int
nip19_encode(const struct nip19 *n, char *out, size_t outlen)
{
	uint8_t		 buf[BECH32_DATA_MAX];
	const char	*hrp;
	size_t		 len;
	int		 rv = -1;

	if ((hrp = nip19_hrp(n->n19_type)) == NULL)
		return (-1);
	switch (n->n19_type) {
	case NIP19_NPUB:
	case NIP19_NSEC:
	case NIP19_NOTE:
		return (bech32_encode(hrp, n->n19_id, sizeof(n->n19_id), out,
		    outlen));
	case NIP19_NPROFILE:
	case NIP19_NEVENT:
	case NIP19_NADDR:
		if (nip19_tlv_build(n, buf, sizeof(buf), &len) == 0 &&
		    bech32_encode(hrp, buf, len, out, outlen) == 0)
			rv = 0;
		break;
	case NIP19_NONE:
		break;
	}
	explicit_bzero(buf, sizeof(buf));
	return (rv);
}

/*
 * One record into n.  seen has a bit per type that may appear once, so
 * that two different ids in one string are refused, not picked from.
 */
static int
nip19_tlv_one(uint8_t t, const uint8_t *v, size_t len, struct nip19 *n,
    unsigned int *seen, const char **errstr)
{
	int	 naddr = n->n19_type == NIP19_NADDR;

	if (t > NIP19_T_KIND ||
	    (n->n19_type == NIP19_NPROFILE && t > NIP19_T_RELAY))
		return (0);	/* not ours to know: skip */
	if (t != NIP19_T_RELAY && (*seen & 1U << t)) {
		nip19_seterr(errstr, "repeated TLV record");
		return (-1);
	}
	*seen |= 1U << t;
	switch (t) {
	case NIP19_T_SPECIAL:
		if (naddr) {
			if (memchr(v, '\0', len) != NULL) {
				nip19_seterr(errstr, "NUL in identifier");
				return (-1);
			}
			memcpy(n->n19_ident, v, len);
			n->n19_ident[len] = '\0';
		} else if (len != sizeof(n->n19_id)) {
			nip19_seterr(errstr, "TLV 0 is not 32 bytes");
			return (-1);
		} else
			memcpy(n->n19_id, v, len);
		break;
	case NIP19_T_RELAY:
		if (!nip19_relay_valid((const char *)v, len)) {
			nip19_seterr(errstr, "control character in relay");
			return (-1);
		}
		if (n->n19_nrelays == NIP19_MAX_RELAYS)
			break;
		memcpy(n->n19_relays[n->n19_nrelays], v, len);
		n->n19_relays[n->n19_nrelays++][len] = '\0';
		break;
	case NIP19_T_AUTHOR:
		if (len != sizeof(n->n19_author)) {
			nip19_seterr(errstr, "TLV 2 is not 32 bytes");
			return (-1);
		}
		memcpy(n->n19_author, v, len);
		n->n19_has_author = 1;
		break;
	case NIP19_T_KIND:
		if (len != 4) {
			nip19_seterr(errstr, "TLV 3 is not 4 bytes");
			return (-1);
		}
		n->n19_kind = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
		    (uint32_t)v[2] << 8 | v[3];
		n->n19_has_kind = 1;
		break;
	}
	return (0);
}

static int
nip19_tlv_parse(const uint8_t *buf, size_t len, struct nip19 *n,
    const char **errstr)
{
	unsigned int	 seen = 0;
	size_t		 off = 0, l;

	while (off < len) {
		if (len - off < 2) {
			nip19_seterr(errstr, "truncated TLV");
			return (-1);
		}
		l = buf[off + 1];
		if (len - off - 2 < l) {
			nip19_seterr(errstr, "TLV length overrun");
			return (-1);
		}
		if (nip19_tlv_one(buf[off], buf + off + 2, l, n, &seen,
		    errstr) == -1)
			return (-1);
		off += 2 + l;
	}
	if (!(seen & 1U << NIP19_T_SPECIAL)) {
		nip19_seterr(errstr, "no TLV 0 record");
		return (-1);
	}
	if (n->n19_type == NIP19_NADDR &&
	    (!n->n19_has_author || !n->n19_has_kind)) {
		nip19_seterr(errstr, "naddr without author or kind");
		return (-1);
	}
	return (0);
}

int
nip19_decode(const char *s, enum nip19_type want, struct nip19 *n,
    const char **errstr)
{
	uint8_t		 data[BECH32_DATA_MAX];
	enum nip19_type	 type;
	size_t		 len;
	int		 rv = -1;

	nip19_clear(n);
	if (nip19_unpack(s, want, &type, data, &len, errstr) == -1)
		goto done;
	n->n19_type = type;
	switch (type) {
	case NIP19_NPUB:
	case NIP19_NSEC:
	case NIP19_NOTE:
		if (len != sizeof(n->n19_id)) {
			nip19_seterr(errstr, "not 32 bytes");
			goto done;
		}
		memcpy(n->n19_id, data, len);
		break;
	case NIP19_NPROFILE:
	case NIP19_NEVENT:
	case NIP19_NADDR:
		if (nip19_tlv_parse(data, len, n, errstr) == -1)
			goto done;
		break;
	case NIP19_NONE:
		goto done;
	}
	rv = 0;
 done:
	explicit_bzero(data, sizeof(data));
	if (rv == -1)
		nip19_clear(n);
	return (rv);
}

int
nip19_decode_any(const char *s, struct nip19 *n, const char **errstr)
{
	if (nip19_decode(s, NIP19_NONE, n, errstr) == -1)
		return (-1);
	return ((int)n->n19_type);
}
