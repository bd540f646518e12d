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
 * Any bytes into the BOLT #11 decoder, twice: once as the invoice
 * string itself, and once as the data words of an invoice that this
 * harness checksums and signs, so that the field parser and the
 * signature code see more than the few inputs a random string gets
 * past bech32 with.  What decodes must keep the header's promises,
 * decode the same in upper case, and pass bolt11_check against its
 * own amount and hash.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "bech32.h"
#include "bolt11.h"
#include "secp.h"

#define FUZZ_MAX_INPUT	(BECH32_MAX_LEN + 64)
#define FUZZ_SIG_WORDS	104

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the BOLT #11 examples' node key */
static const uint8_t	 fuzz_key[32] = {
	0xe1, 0x26, 0xf6, 0x8f, 0x7e, 0xaf, 0xcc, 0x8b, 0x74, 0xf5, 0x4d,
	0x26, 0x9f, 0xe2, 0x06, 0xbe, 0x71, 0x50, 0x00, 0xf9, 0x4d, 0xac,
	0x06, 0x7d, 0x1c, 0x04, 0xa8, 0xca, 0x3b, 0x2d, 0xb7, 0x34
};
static const uint8_t	 fuzz_node[33] = {
	0x03, 0xe7, 0x15, 0x6a, 0xe3, 0x3b, 0x0a, 0x20, 0x8d, 0x07, 0x44,
	0x19, 0x91, 0x63, 0x17, 0x7e, 0x90, 0x9e, 0x80, 0x17, 0x6e, 0x55,
	0xd9, 0x7a, 0x2f, 0x22, 0x1e, 0xde, 0x0f, 0x93, 0x4d, 0xd9, 0xad
};

static void
fuzz_assert(int ok, const char *what, const char *input)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_bolt11: %s\ninput: %s\n", what, input);
	abort();
}

static void
fuzz_promises(const struct bolt11 *b, const char *s)
{
	static struct bolt11	 u;
	static char		 up[FUZZ_MAX_INPUT + 1];
	char			 err[256];
	size_t			 i, len;

	fuzz_assert(b->b_network != BOLT11_NET_UNKNOWN &&
	    b->b_currency[0] != '\0', "no network", s);
	fuzz_assert(b->b_timestamp < 1ULL << 35, "timestamp past 35 bits", s);
	fuzz_assert(memchr(b->b_description, '\0',
	    sizeof(b->b_description)) != NULL, "description unterminated", s);
	fuzz_assert(b->b_has_description || b->b_description[0] == '\0',
	    "description without d", s);
	fuzz_assert(b->b_nhops <= BOLT11_ROUTES_MAX &&
	    b->b_nfallbacks <= BOLT11_FALLBACKS_MAX &&
	    b->b_featureslen <= sizeof(b->b_features) &&
	    b->b_metadatalen < BOLT11_META_MAX, "count past its array", s);
	for (i = 0; i < b->b_nfallbacks; i++)
		fuzz_assert(b->b_fallbacks[i].bf_version <= 18 &&
		    b->b_fallbacks[i].bf_proglen <=
		    sizeof(b->b_fallbacks[i].bf_prog), "bad fallback", s);
	fuzz_assert(b->b_recid >= 0 && b->b_recid <= 3, "bad recid", s);
	fuzz_assert(b->b_payee[0] == 2 || b->b_payee[0] == 3,
	    "payee not a compressed key", s);
	fuzz_assert(bolt11_expires_at(b) >= b->b_timestamp &&
	    bolt11_expires_at(b) >= b->b_expiry, "end before start", s);
	fuzz_assert(!bolt11_feature(b, 100) && !bolt11_feature(b, 0),
	    "unknown even feature taken", s);
	if (b->b_has_amount && b->b_amount_msats <= INT64_MAX &&
	    b->b_expiry > 0 && b->b_timestamp < bolt11_expires_at(b))
		fuzz_assert(bolt11_check(b, (int64_t)b->b_amount_msats,
		    b->b_payment_hash, (int64_t)b->b_timestamp, 0, err,
		    sizeof(err)) == 0, "refuses its own terms", s);
	if (!b->b_has_amount)
		fuzz_assert(bolt11_check(b, 0, NULL, 0, 0, err,
		    sizeof(err)) == -1, "no amount taken", s);

	len = strlen(s);
	for (i = 0; i < len; i++)
		up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ?
		    s[i] - 'a' + 'A' : s[i]);
	fuzz_assert(bolt11_decode(up, len, &u, err, sizeof(err)) == 0,
	    "upper case refused", s);
	fuzz_assert(memcmp(b, &u, sizeof(u)) == 0, "upper case differs", s);
}

static void
fuzz_string(const char *s, size_t len)
{
	static struct bolt11	 b;
	char			 err[64];

	memset(err, 'x', sizeof(err));
	if (bolt11_decode(s, len, &b, err, sizeof(err)) == -1) {
		fuzz_assert(memchr(err, '\0', sizeof(err)) != NULL &&
		    err[0] != '\0', "error untold or unterminated", s);
		return;
	}
	fuzz_promises(&b, s);
}

/*
 * data[0] picks the hrp and how to sign; every further byte is a data
 * word (its low five bits).
 */
static void
fuzz_signed(const uint8_t *data, size_t len)
{
	static const char	*hrps[] = {
		"lnbc", "lntb", "lntbs", "lnbcrt", "lnbc10n", "lnbc2500u",
		"lnbc1230p", "lnbc20m"
	};
	static uint8_t		 w[BECH32_WORDS_MAX], bytes[BECH32_DATA_MAX + 1];
	static char		 s[BECH32_MAX_LEN + 1];
	static struct bolt11	 b;
	const secp256k1_context	*ctx = secp_ctx();
	secp256k1_ecdsa_recoverable_signature rsig;
	crypto_hash_sha256_state st;
	const char		*hrp;
	uint8_t			 h[32], sig[65];
	size_t			 i, n, blen;
	int			 recid, flags;
	char			 err[128];

	if (len < 1 || len - 1 > sizeof(w) - FUZZ_SIG_WORDS)
		return;
	hrp = hrps[data[0] & 7];
	flags = data[0] >> 3;
	for (i = 1, n = 0; i < len; i++)
		w[n++] = data[i] & 31;
	if (bech32_convert_bits(w, n, 5, bytes, sizeof(bytes), &blen, 8,
	    1) == -1)
		return;
	(void)crypto_hash_sha256_init(&st);
	(void)crypto_hash_sha256_update(&st, (const uint8_t *)hrp,
	    strlen(hrp));
	(void)crypto_hash_sha256_update(&st, bytes, blen);
	(void)crypto_hash_sha256_final(&st, h);
	if (!secp256k1_ecdsa_sign_recoverable(ctx, &rsig, h, fuzz_key, NULL,
	    NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig,
	    &recid, &rsig))
		abort();
	/* the high form of s, which only recovery accepts, id kept */
	if ((flags & 1) && !secp256k1_ec_seckey_negate(ctx, sig + 32))
		abort();
	sig[64] = (uint8_t)recid;
	if (bech32_convert_bits(sig, 65, 8, w + n, FUZZ_SIG_WORDS, &blen, 5,
	    1) == -1 ||
	    bech32_encode_raw(hrp, w, n + FUZZ_SIG_WORDS, s, sizeof(s)) == -1)
		return;
	if (bolt11_decode(s, strlen(s), &b, err, sizeof(err)) == -1)
		return;
	fuzz_assert(memcmp(b.b_sighash, h, 32) == 0, "signed hash differs",
	    s);
	/* an n field verifies only if it names the signer */
	fuzz_assert(memcmp(b.b_payee, fuzz_node, sizeof(fuzz_node)) == 0,
	    "payee is not the signer", s);
	fuzz_promises(&b, s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char	 s[FUZZ_MAX_INPUT + 1];

	if (len > FUZZ_MAX_INPUT)
		return (0);
	memcpy(s, data, len);
	s[len] = '\0';
	fuzz_string(s, len);
	fuzz_signed(data, len);
	return (0);
}
