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

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bsd/string.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "bech32.h"
#include "bolt11.h"
#include "log.h"
#include "nostr_event.h"
#include "secp.h"

#define BOLT11_TS_WORDS		7	/* 35-bit timestamp */
#define BOLT11_SIG_WORDS	104	/* 65 bytes: r, s, recovery id */
#define BOLT11_HASH_WORDS	52	/* 256 bits and 4 of padding */
#define BOLT11_KEY_WORDS	53	/* 264 bits and 1 of padding */
#define BOLT11_HOP_LEN		51	/* 33 + 8 + 4 + 4 + 2 bytes */
#define BOLT11_FEATURE_WORDS	128	/* what b_features[80] holds */
#define BOLT11_AMOUNT_DIGITS	20	/* more than any uint64_t */

/* Field types: the bech32 value of the letter that names each. */
enum {
	BOLT11_F_PAYMENT_HASH = 1,	/* p */
	BOLT11_F_ROUTE = 3,		/* r */
	BOLT11_F_FEATURES = 5,		/* 9 */
	BOLT11_F_EXPIRY = 6,		/* x */
	BOLT11_F_FALLBACK = 9,		/* f */
	BOLT11_F_DESCRIPTION = 13,	/* d */
	BOLT11_F_SECRET = 16,		/* s */
	BOLT11_F_PAYEE = 19,		/* n */
	BOLT11_F_DESC_HASH = 23,	/* h */
	BOLT11_F_CLTV = 24,		/* c */
	BOLT11_F_METADATA = 27		/* m */
};

static const char	 bolt11_letters[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/*
 * Even feature bits this reader knows (BOLT #9, invoice context):
 * var_onion_optin 8, payment_secret 14, basic_mpp 16, route_blinding 24
 * and payment_metadata 48.  Any other even bit set fails the invoice.
 */
static const unsigned int	 bolt11_known_even[] = { 8, 14, 16, 24, 48 };

/* What one pass over the tagged fields saw, for the count rules. */
struct bolt11_seen {
	unsigned int	 p, s, d, h, x, c, n, m, f9;
	secp256k1_pubkey payee;
};

static int	bolt11_err(char *, size_t, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

static int
bolt11_err(char *err, size_t errsize, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errsize > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errsize, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/*
 * n words to their leading n * 5 / 8 bytes: the last bits are padding,
 * which writers fill with zeros and which nothing reads.
 */
static void
bolt11_bytes(const uint8_t *words, size_t n, uint8_t *out)
{
	uint8_t	 buf[BECH32_DATA_MAX + 1];
	size_t	 len;

	/* bech32_decode_raw gave words < 32, and no more than fit */
	if (bech32_convert_bits(words, n, 5, buf, sizeof(buf), &len, 8, 1) ==
	    -1 || len < n * 5 / 8)
		fatalx("%s: %zu words do not regroup", __func__, n);
	memcpy(out, buf, n * 5 / 8);
}

/*
 * "ln", the currency, then an optional amount in bitcoin with an
 * optional multiplier.  The currency runs to the first digit.
 */
static int
bolt11_hrp(const char *hrp, struct bolt11 *b, char *err, size_t errsize)
{
	static const struct {
		const char		*cur;
		enum bolt11_network	 net;
	} nets[] = {
		{ "bc", BOLT11_NET_MAINNET },
		{ "tb", BOLT11_NET_TESTNET },
		{ "tbs", BOLT11_NET_SIGNET },
		{ "bcrt", BOLT11_NET_REGTEST }
	};
	const char	*p, *digits;
	uint64_t	 v = 0, mul;
	size_t		 i, clen, ndig;
	char		 last = '\0';

	if (strncmp(hrp, "ln", 2) != 0)
		return (bolt11_err(err, errsize, "prefix is not \"ln\""));
	for (p = hrp + 2; *p != '\0' && (*p < '0' || *p > '9'); p++)
		;
	clen = (size_t)(p - (hrp + 2));
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (strlen(nets[i].cur) == clen &&
		    strncmp(nets[i].cur, hrp + 2, clen) == 0)
			break;
	if (i == sizeof(nets) / sizeof(nets[0]))
		return (bolt11_err(err, errsize, "unknown currency \"%.*s\"",
		    (int)(clen > 16 ? 16 : clen), hrp + 2));
	b->b_network = nets[i].net;
	(void)strlcpy(b->b_currency, nets[i].cur, sizeof(b->b_currency));
	if (*p == '\0')
		return (0);		/* any amount */

	digits = p;
	for (; *p >= '0' && *p <= '9'; p++) {
		last = *p;
		if ((size_t)(p - digits) >= BOLT11_AMOUNT_DIGITS)
			return (bolt11_err(err, errsize, "amount too large"));
	}
	ndig = (size_t)(p - digits);
	if (digits[0] == '0')
		return (bolt11_err(err, errsize,
		    "amount has a leading zero"));
	for (i = 0; i < ndig; i++) {
		if (v > (UINT64_MAX - (uint64_t)(digits[i] - '0')) / 10)
			return (bolt11_err(err, errsize, "amount too large"));
		v = v * 10 + (uint64_t)(digits[i] - '0');
	}
	switch (*p) {
	case '\0':
		mul = 100000000000ULL;
		break;
	case 'm':
		mul = 100000000ULL;
		break;
	case 'u':
		mul = 100000ULL;
		break;
	case 'n':
		mul = 100ULL;
		break;
	case 'p':
		/* a tenth of a millisatoshi per unit */
		if (last != '0')
			return (bolt11_err(err, errsize,
			    "sub-millisatoshi amount (pico amount not ending "
			    "in 0)"));
		v /= 10;
		mul = 1;
		break;
	default:
		return (bolt11_err(err, errsize, "invalid multiplier '%c'",
		    *p));
	}
	if (*p != '\0' && p[1] != '\0')
		return (bolt11_err(err, errsize,
		    "characters after the multiplier"));
	if (v > UINT64_MAX / mul)
		return (bolt11_err(err, errsize, "amount too large"));
	b->b_has_amount = 1;
	b->b_amount_msats = v * mul;
	return (0);
}

/* A big-endian number of n words with no leading zero word. */
static int
bolt11_uint(const uint8_t *w, size_t n, uint64_t *out, char name,
    char *err, size_t errsize)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (n > 0 && w[0] == 0)
		return (bolt11_err(err, errsize,
		    "%c field is not minimally encoded", name));
	for (i = 0; i < n; i++) {
		if (v >> 59 != 0)
			return (bolt11_err(err, errsize,
			    "%c field value too large", name));
		v = v << 5 | w[i];
	}
	*out = v;
	return (0);
}

static int
bolt11_fixed(const uint8_t *w, size_t n, size_t want, uint8_t *out,
    char name, char *err, size_t errsize)
{
	if (n != want)
		return (bolt11_err(err, errsize,
		    "%c field has length %zu, not %zu", name, n, want));
	bolt11_bytes(w, n, out);
	return (0);
}

static int
bolt11_features(const uint8_t *w, size_t n, struct bolt11 *b, char *err,
    size_t errsize)
{
	size_t		 i, k, bit, nbits;
	unsigned int	 j;

	if (n > 0 && w[0] == 0)
		return (bolt11_err(err, errsize,
		    "9 field is not minimally encoded"));
	if (n > BOLT11_FEATURE_WORDS)
		return (bolt11_err(err, errsize,
		    "9 field longer than %u bits", BOLT11_FEATURE_WORDS * 5));
	nbits = n * 5;
	b->b_featureslen = (nbits + 7) / 8;
	memset(b->b_features, 0, sizeof(b->b_features));
	for (i = 0; i < n; i++)
		for (k = 0; k < 5; k++) {
			if ((w[i] >> k & 1) == 0)
				continue;
			bit = (n - 1 - i) * 5 + k;
			b->b_features[b->b_featureslen - 1 - bit / 8] |=
			    (uint8_t)(1U << (bit % 8));
		}
	for (bit = 0; bit < nbits; bit += 2) {
		if (!bolt11_feature(b, (unsigned int)bit))
			continue;
		for (j = 0; j < sizeof(bolt11_known_even) /
		    sizeof(bolt11_known_even[0]); j++)
			if (bolt11_known_even[j] == bit)
				break;
		if (j == sizeof(bolt11_known_even) /
		    sizeof(bolt11_known_even[0]))
			return (bolt11_err(err, errsize,
			    "unknown required feature bit %zu", bit));
	}
	return (0);
}

static int
bolt11_fallback(const uint8_t *w, size_t n, struct bolt11 *b, char *err,
    size_t errsize)
{
	struct bolt11_fallback	*fb;
	uint8_t			 prog[BECH32_DATA_MAX];
	size_t			 len;
	unsigned int		 ver;

	if (n < 1)
		return (bolt11_err(err, errsize, "f field is empty"));
	if ((ver = w[0]) > 18)
		return (0);		/* a version from the future: skip */
	len = (n - 1) * 5 / 8;
	bolt11_bytes(w + 1, n - 1, prog);
	if ((ver >= 17 && len != 20) ||
	    (ver == 0 && len != 20 && len != 32) ||
	    (ver >= 1 && ver <= 16 && (len < 2 || len > 40)))
		return (bolt11_err(err, errsize,
		    "f field: version %u program of %zu bytes", ver, len));
	if (b->b_nfallbacks == BOLT11_FALLBACKS_MAX)
		return (0);		/* the first ones are the preferred */
	fb = &b->b_fallbacks[b->b_nfallbacks++];
	fb->bf_version = (uint8_t)ver;
	memcpy(fb->bf_prog, prog, len);
	fb->bf_proglen = len;
	return (0);
}

static uint64_t
bolt11_be(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return (v);
}

static int
bolt11_route(const uint8_t *w, size_t n, struct bolt11 *b, char *err,
    size_t errsize)
{
	uint8_t			 buf[BECH32_DATA_MAX];
	struct bolt11_hop	*h;
	const uint8_t		*p;
	size_t			 len, off;

	len = n * 5 / 8;
	if (len == 0 || len % BOLT11_HOP_LEN != 0)
		return (bolt11_err(err, errsize,
		    "r field of %zu bytes is not whole hops of %d", len,
		    BOLT11_HOP_LEN));
	bolt11_bytes(w, n, buf);
	for (off = 0; off < len && b->b_nhops < BOLT11_ROUTES_MAX;
	    off += BOLT11_HOP_LEN) {
		p = buf + off;
		h = &b->b_hops[b->b_nhops++];
		memcpy(h->bh_pubkey, p, 33);
		h->bh_scid = bolt11_be(p + 33, 8);
		h->bh_fee_base_msat = (uint32_t)bolt11_be(p + 41, 4);
		h->bh_fee_ppm = (uint32_t)bolt11_be(p + 45, 4);
		h->bh_cltv_delta = (uint16_t)bolt11_be(p + 49, 2);
	}
	return (0);
}

static int
bolt11_once(unsigned int *count, char name, char *err, size_t errsize)
{
	if ((*count)++ > 0)
		return (bolt11_err(err, errsize, "more than one %c field",
		    name));
	return (0);
}

/*
 * One tagged field of type t and n words at w.  A wrong length is told
 * before a repeat: it is what a reader of the older text would skip.
 */
static int
bolt11_field(unsigned int t, const uint8_t *w, size_t n, struct bolt11 *b,
    struct bolt11_seen *seen, char *err, size_t errsize)
{
	uint8_t	 buf[BOLT11_DESC_MAX];
	char	 name = bolt11_letters[t];

	switch (t) {
	case BOLT11_F_PAYMENT_HASH:
		return (bolt11_fixed(w, n, BOLT11_HASH_WORDS,
		    b->b_payment_hash, name, err, errsize) == -1 ? -1 :
		    bolt11_once(&seen->p, name, err, errsize));
	case BOLT11_F_SECRET:
		return (bolt11_fixed(w, n, BOLT11_HASH_WORDS,
		    b->b_payment_secret, name, err, errsize) == -1 ? -1 :
		    bolt11_once(&seen->s, name, err, errsize));
	case BOLT11_F_DESC_HASH:
		return (bolt11_fixed(w, n, BOLT11_HASH_WORDS,
		    b->b_description_hash, name, err, errsize) == -1 ? -1 :
		    bolt11_once(&seen->h, name, err, errsize));
	case BOLT11_F_DESCRIPTION:
		if (bolt11_once(&seen->d, name, err, errsize) == -1)
			return (-1);
		/* 1023 words are 639 bytes, which b_description holds */
		bolt11_bytes(w, n, buf);
		/* a NUL would end the C string early */
		if (memchr(buf, '\0', n * 5 / 8) != NULL ||
		    !event_utf8_valid((const char *)buf, n * 5 / 8))
			return (bolt11_err(err, errsize,
			    "d field is not a UTF-8 text"));
		memcpy(b->b_description, buf, n * 5 / 8);
		b->b_description[n * 5 / 8] = '\0';
		b->b_has_description = 1;
		return (0);
	case BOLT11_F_PAYEE:
		if (bolt11_fixed(w, n, BOLT11_KEY_WORDS, b->b_payee, name,
		    err, errsize) == -1 ||
		    bolt11_once(&seen->n, name, err, errsize) == -1)
			return (-1);
		if (!secp256k1_ec_pubkey_parse(secp_ctx(), &seen->payee,
		    b->b_payee, sizeof(b->b_payee)))
			return (bolt11_err(err, errsize,
			    "n field is not a public key"));
		b->b_payee_given = 1;
		return (0);
	case BOLT11_F_EXPIRY:
		if (bolt11_once(&seen->x, name, err, errsize) == -1)
			return (-1);
		return (bolt11_uint(w, n, &b->b_expiry, name, err, errsize));
	case BOLT11_F_CLTV:
		if (bolt11_once(&seen->c, name, err, errsize) == -1)
			return (-1);
		return (bolt11_uint(w, n, &b->b_min_final_cltv, name, err,
		    errsize));
	case BOLT11_F_METADATA:
		if (bolt11_once(&seen->m, name, err, errsize) == -1)
			return (-1);
		bolt11_bytes(w, n, b->b_metadata);
		b->b_metadatalen = n * 5 / 8;
		b->b_has_metadata = 1;
		return (0);
	case BOLT11_F_FEATURES:
		if (bolt11_once(&seen->f9, name, err, errsize) == -1)
			return (-1);
		return (bolt11_features(w, n, b, err, errsize));
	case BOLT11_F_FALLBACK:
		return (bolt11_fallback(w, n, b, err, errsize));
	case BOLT11_F_ROUTE:
		return (bolt11_route(w, n, b, err, errsize));
	default:
		return (0);		/* unknown types are skipped */
	}
}

static int
bolt11_fields(const uint8_t *w, size_t nwords, struct bolt11 *b,
    struct bolt11_seen *seen, char *err, size_t errsize)
{
	size_t		 i, n;
	unsigned int	 t;

	for (i = BOLT11_TS_WORDS; i < nwords; i += 3 + n) {
		if (nwords - i < 3)
			return (bolt11_err(err, errsize,
			    "tagged field header cut short"));
		t = w[i];
		n = (size_t)w[i + 1] << 5 | w[i + 2];
		if (n > nwords - i - 3)
			return (bolt11_err(err, errsize,
			    "%c field of %zu words runs into the signature",
			    bolt11_letters[t], n));
		if (bolt11_field(t, w + i + 3, n, b, seen, err, errsize) == -1)
			return (-1);
	}
	if (seen->p == 0)
		return (bolt11_err(err, errsize, "no p field (payment hash)"));
	if (seen->s == 0)
		return (bolt11_err(err, errsize,
		    "no s field (payment secret)"));
	if (seen->d + seen->h == 0)
		return (bolt11_err(err, errsize, "neither d nor h field"));
	if (seen->d + seen->h > 1)
		return (bolt11_err(err, errsize, "both d and h fields"));
	return (0);
}

/* sha256(hrp || data words regrouped into bytes, zero-padded) */
static void
bolt11_sighash(const char *hrp, const uint8_t *w, size_t n, uint8_t *out)
{
	crypto_hash_sha256_state	 st;
	uint8_t				 buf[BECH32_DATA_MAX + 1];
	size_t				 len;

	if (bech32_convert_bits(w, n, 5, buf, sizeof(buf), &len, 8, 1) == -1)
		fatalx("%s: %zu words do not regroup", __func__, n);
	(void)crypto_hash_sha256_init(&st);
	(void)crypto_hash_sha256_update(&st, (const uint8_t *)hrp,
	    strlen(hrp));
	(void)crypto_hash_sha256_update(&st, buf, len);
	(void)crypto_hash_sha256_final(&st, out);
}

static int
bolt11_signature(const uint8_t *w, struct bolt11 *b,
    const struct bolt11_seen *seen, char *err, size_t errsize)
{
	const secp256k1_context			*ctx = secp_ctx();
	secp256k1_ecdsa_recoverable_signature	 rsig;
	secp256k1_ecdsa_signature		 sig, norm;
	secp256k1_pubkey			 pk;
	uint8_t					 raw[65], low[64];
	size_t					 len = sizeof(b->b_payee);
	int					 high;

	bolt11_bytes(w, BOLT11_SIG_WORDS, raw);
	memcpy(b->b_signature, raw, 64);
	b->b_recid = raw[64];
	if (raw[64] > 3)
		return (bolt11_err(err, errsize,
		    "signature recovery id %u is not 0 to 3", raw[64]));
	if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, raw))
		return (bolt11_err(err, errsize, "signature does not parse"));
	high = secp256k1_ecdsa_signature_normalize(ctx, &norm, &sig);
	if (b->b_payee_given) {
		if (high)
			return (bolt11_err(err, errsize,
			    "high-S signature with an n field"));
		if (!secp256k1_ecdsa_verify(ctx, &sig, b->b_sighash,
		    &seen->payee))
			return (bolt11_err(err, errsize,
			    "signature does not verify against the n field"));
		return (0);
	}
	/*
	 * The recovery id goes with the low-S form, as the BOLT example
	 * "public-key recovery with high-S signature" has it: that one
	 * is a low-S signature with s negated and its id kept.
	 */
	if (!secp256k1_ecdsa_signature_serialize_compact(ctx, low, &norm) ||
	    !secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig,
	    low, raw[64]) ||
	    !secp256k1_ecdsa_recover(ctx, &pk, &rsig, b->b_sighash))
		return (bolt11_err(err, errsize,
		    "signature does not recover a public key"));
	if (!secp256k1_ec_pubkey_serialize(ctx, b->b_payee, &len, &pk,
	    SECP256K1_EC_COMPRESSED) || len != sizeof(b->b_payee))
		return (bolt11_err(err, errsize,
		    "recovered key does not serialize"));
	return (0);
}

int
bolt11_decode(const char *s, size_t slen, struct bolt11 *b, char *err,
    size_t errsize)
{
	char			 str[BECH32_MAX_LEN + 1];
	char			 hrp[BECH32_HRP_MAX + 1];
	uint8_t			 w[BECH32_WORDS_MAX];
	struct bolt11_seen	 seen;
	const char		*why = "bad bech32";
	size_t			 nwords, ndata, i;

	memset(b, 0, sizeof(*b));
	memset(&seen, 0, sizeof(seen));
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (slen > BECH32_MAX_LEN)
		return (bolt11_err(err, errsize,
		    "longer than %d characters", BECH32_MAX_LEN));
	if (memchr(s, '\0', slen) != NULL)
		return (bolt11_err(err, errsize, "holds a NUL byte"));
	memcpy(str, s, slen);
	str[slen] = '\0';
	if (bech32_decode_raw(str, hrp, sizeof(hrp), w, sizeof(w), &nwords,
	    &why) == -1)
		return (bolt11_err(err, errsize, "bech32: %s", why));
	if (bolt11_hrp(hrp, b, err, errsize) == -1)
		goto fail;
	if (nwords < BOLT11_TS_WORDS + BOLT11_SIG_WORDS) {
		(void)bolt11_err(err, errsize,
		    "too short: %zu data words, at least %d needed", nwords,
		    BOLT11_TS_WORDS + BOLT11_SIG_WORDS);
		goto fail;
	}
	ndata = nwords - BOLT11_SIG_WORDS;
	for (i = 0; i < BOLT11_TS_WORDS; i++)
		b->b_timestamp = b->b_timestamp << 5 | w[i];
	b->b_expiry = 3600;
	b->b_min_final_cltv = 18;
	if (bolt11_fields(w, ndata, b, &seen, err, errsize) == -1)
		goto fail;
	bolt11_sighash(hrp, w, ndata, b->b_sighash);
	if (bolt11_signature(w + ndata, b, &seen, err, errsize) == -1)
		goto fail;
	return (0);
 fail:
	memset(b, 0, sizeof(*b));
	return (-1);
}

int
bolt11_feature(const struct bolt11 *b, unsigned int bit)
{
	if (bit / 8 >= b->b_featureslen)
		return (0);
	return (b->b_features[b->b_featureslen - 1 - bit / 8] >> (bit % 8) &
	    1);
}

uint64_t
bolt11_expires_at(const struct bolt11 *b)
{
	if (b->b_expiry > UINT64_MAX - b->b_timestamp)
		return (UINT64_MAX);
	return (b->b_timestamp + b->b_expiry);
}

const char *
bolt11_network_name(enum bolt11_network net)
{
	switch (net) {
	case BOLT11_NET_MAINNET:
		return ("mainnet");
	case BOLT11_NET_TESTNET:
		return ("testnet");
	case BOLT11_NET_SIGNET:
		return ("signet");
	case BOLT11_NET_REGTEST:
		return ("regtest");
	case BOLT11_NET_UNKNOWN:
		break;
	}
	return ("unknown");
}

int
bolt11_check(const struct bolt11 *b, int64_t amount_msats,
    const uint8_t *payment_hash, int64_t now, int64_t min_expiry, char *err,
    size_t errsize)
{
	uint64_t	 end, left;

	if (amount_msats < 0)
		return (bolt11_err(err, errsize,
		    "asked amount %" PRId64 " msat is negative", amount_msats));
	if (!b->b_has_amount)
		return (bolt11_err(err, errsize, "invoice has no amount"));
	if (b->b_amount_msats != (uint64_t)amount_msats)
		return (bolt11_err(err, errsize,
		    "amount is %" PRIu64 " msat, not %" PRId64,
		    b->b_amount_msats, amount_msats));
	if (payment_hash != NULL &&
	    memcmp(b->b_payment_hash, payment_hash, 32) != 0)
		return (bolt11_err(err, errsize,
		    "payment hash differs from the one asked"));
	end = bolt11_expires_at(b);
	if (now < 0 || end <= (uint64_t)now)
		return (bolt11_err(err, errsize, "invoice has expired"));
	left = end - (uint64_t)now;
	if (min_expiry > 0 && left < (uint64_t)min_expiry)
		return (bolt11_err(err, errsize,
		    "invoice expires in %" PRIu64 " s, less than %" PRId64,
		    left, min_expiry));
	return (0);
}
