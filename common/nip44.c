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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <sodium.h>

#include "nip44.h"
#include "secp.h"
#include "util.h"

#define NIP44_VERSION		2
#define NIP44_SALT		"nip44-v2"
#define NIP44_HKDF_LEN		76
#define NIP44_PREFIX16		2
#define NIP44_PREFIX32		6
/* version byte, nonce and MAC around the padded ciphertext */
#define NIP44_OVERHEAD		(1 + NIP44_NONCELEN + NIP44_MACLEN)
/* the shortest raw payload (99): a u16 prefix and 32 padded bytes */
#define NIP44_RAW_MIN		(NIP44_OVERHEAD + NIP44_PREFIX16 + 32)

static int	nip44_ecdh_copy_x(unsigned char *, const unsigned char *,
		    const unsigned char *, void *);
static void	nip44_hmac(uint8_t [32], const uint8_t *, size_t,
		    const uint8_t *, size_t, const uint8_t *, size_t);
static int	nip44_seal(const uint8_t [32], const uint8_t *,
		    const uint8_t *, size_t, size_t, char **);
static int	nip44_unpad(const uint8_t *, size_t, size_t *, size_t *);
/* NIP-04 and NIP-44 both want the bare x coordinate, not SHA-256 of it */
static int
nip44_ecdh_copy_x(unsigned char *out, const unsigned char *x,
    const unsigned char *y, void *arg)
{
	(void)y;
	(void)arg;
	memcpy(out, x, 32);
	return (1);
}

int
nip44_shared_x(const uint8_t sk[32], const uint8_t peer[32],
    uint8_t shared[32])
{
	const secp256k1_context	*ctx = secp_ctx();
	secp256k1_pubkey	 pk;
	uint8_t			 even[33];

	if (!secp256k1_ec_seckey_verify(ctx, sk))
		return (-1);
	/*
	 * lift_x: the even-y point over x.  Parsing refuses x >= p and x
	 * with no square root, which covers the points on the twist.
	 */
	even[0] = 0x02;
	memcpy(even + 1, peer, 32);
	if (!secp256k1_ec_pubkey_parse(ctx, &pk, even, sizeof(even)))
		return (-1);
	if (!secp256k1_ecdh(ctx, shared, &pk, sk, nip44_ecdh_copy_x, NULL)) {
		sodium_memzero(shared, 32);
		return (-1);
	}
	return (0);
}

/* HMAC-SHA256 over up to three pieces, so no caller builds a buffer */
static void
nip44_hmac(uint8_t out[32], const uint8_t *key, size_t keylen,
    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	crypto_auth_hmacsha256_state	 st;

	/* the sodium HMAC calls only fail on a NULL state */
	(void)crypto_auth_hmacsha256_init(&st, key, keylen);
	(void)crypto_auth_hmacsha256_update(&st, a, alen);
	if (blen > 0)
		(void)crypto_auth_hmacsha256_update(&st, b, blen);
	(void)crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int
nip44_conversation_key(const uint8_t sk[32], const uint8_t peer[32],
    uint8_t ck[32])
{
	uint8_t	 shared[32];

	if (nip44_shared_x(sk, peer, shared) == -1)
		return (-1);
	/* HKDF-Extract(salt, IKM) is HMAC keyed with the salt */
	nip44_hmac(ck, (const uint8_t *)NIP44_SALT, strlen(NIP44_SALT),
	    shared, sizeof(shared), NULL, 0);
	sodium_memzero(shared, sizeof(shared));
	return (0);
}

int
nip44_message_keys(const uint8_t ck[32], const uint8_t nonce[32],
    uint8_t chacha_key[32], uint8_t chacha_nonce[12], uint8_t hmac_key[32])
{
	uint8_t	 okm[3 * 32], in[32 + NIP44_NONCELEN + 1];
	size_t	 i, inlen;

	/* HKDF-Expand: T(i) = HMAC(PRK, T(i-1) || info || i), 3 rounds */
	for (i = 0; i < 3; i++) {
		inlen = 0;
		if (i > 0) {
			memcpy(in, okm + 32 * (i - 1), 32);
			inlen = 32;
		}
		memcpy(in + inlen, nonce, NIP44_NONCELEN);
		inlen += NIP44_NONCELEN;
		in[inlen++] = (uint8_t)(i + 1);
		nip44_hmac(okm + 32 * i, ck, NIP44_KEYLEN, in, inlen, NULL, 0);
	}
	memcpy(chacha_key, okm, 32);
	memcpy(chacha_nonce, okm + 32, NIP44_CHACHA_NONCELEN);
	memcpy(hmac_key, okm + 32 + NIP44_CHACHA_NONCELEN, 32);
	sodium_memzero(okm, sizeof(okm));
	sodium_memzero(in, sizeof(in));
	return (0);
}

size_t
nip44_calc_padded_len(size_t len)
{
	size_t	 next, chunk;

	if (len <= 32)
		return (32);
	if (len - 1 > SIZE_MAX / 4)
		return (0);
	/* the smallest power of two above len - 1 */
	for (next = 64; next <= len - 1; next <<= 1)
		;
	chunk = next <= 256 ? 32 : next / 8;
	return (chunk * ((len - 1) / chunk + 1));
}

/*
 * Build 0x02 || nonce || chacha(prefix || pt || zeros) || mac in one
 * buffer, padding and encrypting in place so no second copy of the
 * plaintext exists, then base64 it.
 */
static int
nip44_seal(const uint8_t ck[32], const uint8_t *nonce_in, const uint8_t *pt,
    size_t ptlen, size_t max, char **payload)
{
	uint8_t	 ckey[32], cnonce[NIP44_CHACHA_NONCELEN], hkey[32];
	uint8_t	*raw, *nonce, *body;
	size_t	 prefix, padded, bodylen, rawlen, b64len;
	char	*b64;

	*payload = NULL;
	if (pt == NULL || ptlen < 1 || ptlen > max)
		return (-1);
	prefix = ptlen < 65536 ? NIP44_PREFIX16 : NIP44_PREFIX32;
	padded = nip44_calc_padded_len(ptlen);
	bodylen = prefix + padded;
	rawlen = NIP44_OVERHEAD + bodylen;
	if ((raw = calloc(1, rawlen)) == NULL)
		return (-1);
	nonce = raw + 1;
	body = nonce + NIP44_NONCELEN;
	raw[0] = NIP44_VERSION;
	if (nonce_in != NULL)
		memcpy(nonce, nonce_in, NIP44_NONCELEN);
	else
		randombytes_buf(nonce, NIP44_NONCELEN);

	if (prefix == NIP44_PREFIX16) {
		body[0] = (uint8_t)(ptlen >> 8);
		body[1] = (uint8_t)ptlen;
	} else {
		/* body[0..1] stay 0: "read a u32 next" */
		body[2] = (uint8_t)(ptlen >> 24);
		body[3] = (uint8_t)(ptlen >> 16);
		body[4] = (uint8_t)(ptlen >> 8);
		body[5] = (uint8_t)ptlen;
	}
	memcpy(body + prefix, pt, ptlen);

	(void)nip44_message_keys(ck, nonce, ckey, cnonce, hkey);
	/* the sodium stream functions are documented to work in place */
	(void)crypto_stream_chacha20_ietf_xor_ic(body, body, bodylen, cnonce,
	    0, ckey);
	nip44_hmac(body + bodylen, hkey, sizeof(hkey), nonce, NIP44_NONCELEN,
	    body, bodylen);
	sodium_memzero(ckey, sizeof(ckey));
	sodium_memzero(cnonce, sizeof(cnonce));
	sodium_memzero(hkey, sizeof(hkey));

	b64len = sodium_base64_ENCODED_LEN(rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL) {
		freezero(raw, rawlen);
		return (-1);
	}
	(void)sodium_bin2base64(b64, b64len, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	freezero(raw, rawlen);
	*payload = b64;
	return (0);
}

int
nip44_encrypt(const uint8_t ck[32], const uint8_t *nonce, const uint8_t *pt,
    size_t ptlen, char **payload)
{
	return (nip44_seal(ck, nonce, pt, ptlen, NIP44_PT_MAX, payload));
}

int
nip44_encrypt_ext(const uint8_t ck[32], const uint8_t *nonce,
    const uint8_t *pt, size_t ptlen, char **payload)
{
	return (nip44_seal(ck, nonce, pt, ptlen, NIP44_PT_MAX_EXT, payload));
}

/*
 * Read the length prefix of a decrypted body and check it against the
 * body's size: the u16 form for 1..65535, the u32 form (after a zero
 * u16) for 65536 and up, and exactly the padding the sender had to add.
 */
static int
nip44_unpad(const uint8_t *body, size_t bodylen, size_t *off, size_t *len)
{
	size_t	 n, prefix;

	n = (size_t)body[0] << 8 | body[1];
	prefix = NIP44_PREFIX16;
	if (n == 0) {
		if (bodylen < NIP44_PREFIX32)
			return (-1);
		n = (size_t)body[2] << 24 | (size_t)body[3] << 16 |
		    (size_t)body[4] << 8 | body[5];
		if (n < 65536)
			return (-1);
		prefix = NIP44_PREFIX32;
	}
	if (n > NIP44_PT_MAX_EXT || n > bodylen - prefix ||
	    bodylen != prefix + nip44_calc_padded_len(n))
		return (-1);
	*off = prefix;
	*len = n;
	return (0);
}

int
nip44_decrypt(const uint8_t ck[32], const char *payload, size_t len,
    uint8_t **pt, size_t *ptlen, char *err, size_t errlen)
{
	uint8_t	 ckey[32], cnonce[NIP44_CHACHA_NONCELEN], hkey[32];
	uint8_t	 mac[NIP44_MACLEN];
	uint8_t	*raw = NULL, *nonce, *body, *out;
	size_t	 rawmax, rawlen, bodylen, off, n;
	int	 ret = -1;

	*pt = NULL;
	*ptlen = 0;
	if (payload == NULL || len < NIP44_PAYLOAD_MIN ||
	    len > NIP44_PAYLOAD_MAX) {
		errbuf_set(err, errlen, "invalid payload length: %zu", len);
		return (-1);
	}
	if (payload[0] == '#') {
		errbuf_set(err, errlen, "unknown encryption version");
		return (-1);
	}
	rawmax = len / 4 * 3 + 3;
	if ((raw = malloc(rawmax)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return (-1);
	}
	/* strict: padding required, no whitespace, no trailing garbage */
	if (sodium_base642bin(raw, rawmax, payload, len, NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0) {
		errbuf_set(err, errlen, "invalid base64");
		goto done;
	}
	if (rawlen < NIP44_RAW_MIN || rawlen > NIP44_RAW_MAX) {
		errbuf_set(err, errlen, "invalid data length: %zu", rawlen);
		goto done;
	}
	if (raw[0] != NIP44_VERSION) {
		errbuf_set(err, errlen, "unknown encryption version %u",
		    raw[0]);
		goto done;
	}
	nonce = raw + 1;
	body = nonce + NIP44_NONCELEN;
	bodylen = rawlen - NIP44_OVERHEAD;

	(void)nip44_message_keys(ck, nonce, ckey, cnonce, hkey);
	/* authenticate before touching the ciphertext, in constant time */
	nip44_hmac(mac, hkey, sizeof(hkey), nonce, NIP44_NONCELEN, body,
	    bodylen);
	if (sodium_memcmp(mac, body + bodylen, sizeof(mac)) != 0) {
		errbuf_set(err, errlen, "invalid MAC");
		goto done;
	}
	(void)crypto_stream_chacha20_ietf_xor_ic(body, body, bodylen, cnonce,
	    0, ckey);
	if (nip44_unpad(body, bodylen, &off, &n) == -1) {
		errbuf_set(err, errlen, "invalid padding");
		goto done;
	}
	if ((out = malloc(n + 1)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto done;
	}
	memcpy(out, body + off, n);
	out[n] = '\0';
	*pt = out;
	*ptlen = n;
	ret = 0;
 done:
	sodium_memzero(ckey, sizeof(ckey));
	sodium_memzero(cnonce, sizeof(cnonce));
	sodium_memzero(hkey, sizeof(hkey));
	sodium_memzero(mac, sizeof(mac));
	freezero(raw, rawmax);
	return (ret);
}
