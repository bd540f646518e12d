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

static const char	 bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static void
bech32_seterr(const char **errstr, const char *msg)
{
	if (errstr != NULL)
		*errstr = msg;
}

/* One step of the BCH checksum over GF(32), as BIP-173 defines it. */
static uint32_t
bech32_polymod(uint32_t chk, uint8_t v)
{
	static const uint32_t	 gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	uint32_t		 top = chk >> 25;
	int			 i;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if (top >> i & 1)
			chk ^= gen[i];
	return (chk);
}

static unsigned char
bech32_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* The checksum state after the expanded hrp (high bits, 0, low bits). */
static uint32_t
bech32_hrp_polymod(const char *hrp, size_t len)
{
	uint32_t	 chk = 1;
	size_t		 i;

	for (i = 0; i < len; i++)
		chk = bech32_polymod(chk,
		    bech32_lower((unsigned char)hrp[i]) >> 5);
	chk = bech32_polymod(chk, 0);
	for (i = 0; i < len; i++)
		chk = bech32_polymod(chk,
		    bech32_lower((unsigned char)hrp[i]) & 0x1f);
	return (chk);
}

static int
bech32_word_value(unsigned char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(bech32_charset, bech32_lower(c))) == NULL)
		return (-1);
	return ((int)(p - bech32_charset));
}

int
bech32_convert_bits(const uint8_t *in, size_t inlen, unsigned int frombits,
    uint8_t *out, size_t outsize, size_t *outlen, unsigned int tobits,
    int pad)
{
	uint32_t	 acc = 0, maxv, maxacc;
	unsigned int	 bits = 0;
	size_t		 i, n = 0;
	int		 rv = -1;

	if (frombits < 1 || frombits > 8 || tobits < 1 || tobits > 8)
		return (-1);
	maxv = (1U << tobits) - 1;
	/* keep only the bits not yet written, so acc cannot overflow */
	maxacc = (1U << (frombits + tobits - 1)) - 1;
	for (i = 0; i < inlen; i++) {
		if (in[i] >> frombits != 0)
			goto done;
		acc = ((acc << frombits) | in[i]) & maxacc;
		bits += frombits;
		while (bits >= tobits) {
			bits -= tobits;
			if (n == outsize)
				goto done;
			out[n++] = (uint8_t)(acc >> bits & maxv);
		}
	}
	if (pad && bits > 0) {
		if (n == outsize)
			goto done;
		out[n++] = (uint8_t)(acc << (tobits - bits) & maxv);
	} else if (!pad && (bits >= frombits ||
	    (acc << (tobits - bits) & maxv) != 0))
		goto done;
	*outlen = n;
	rv = 0;
 done:
	if (rv == -1)
		explicit_bzero(out, n);
	explicit_bzero(&acc, sizeof(acc));
	return (rv);
}

static int
bech32_hrp_valid(const char *hrp, size_t len)
{
	size_t	 i;

	if (len < 1 || len > BECH32_HRP_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if (hrp[i] < 33 || hrp[i] > 126 ||
		    (hrp[i] >= 'A' && hrp[i] <= 'Z'))
			return (0);
	return (1);
}

int
bech32_encode_raw(const char *hrp, const uint8_t *words, size_t nwords,
    char *out, size_t outsize)
{
	uint32_t	 chk;
	size_t		 hlen, i, len;

	hlen = strnlen(hrp, BECH32_HRP_MAX + 1);
	if (!bech32_hrp_valid(hrp, hlen) || nwords > BECH32_WORDS_MAX)
		return (-1);
	len = hlen + 1 + nwords + BECH32_CHECKSUM_LEN;
	if (len > BECH32_MAX_LEN || len >= outsize)
		return (-1);
	chk = bech32_hrp_polymod(hrp, hlen);
	memcpy(out, hrp, hlen);
	out[hlen] = '1';
	for (i = 0; i < nwords; i++) {
		if (words[i] >> 5 != 0) {
			explicit_bzero(out, outsize);
			return (-1);
		}
		chk = bech32_polymod(chk, words[i]);
		out[hlen + 1 + i] = bech32_charset[words[i]];
	}
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		chk = bech32_polymod(chk, 0);
	chk ^= 1;
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		out[hlen + 1 + nwords + i] =
		    bech32_charset[chk >> 5 * (5 - i) & 0x1f];
	out[len] = '\0';
	return (0);
}

/* Characters in range and one case throughout; 0 or -1 with a reason. */
static int
bech32_scan(const char *s, size_t len, const char **errstr)
{
	size_t	 i;
	int	 lower = 0, upper = 0;

	for (i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126) {
			bech32_seterr(errstr, "invalid character");
			return (-1);
		}
		if (s[i] >= 'a' && s[i] <= 'z')
			lower = 1;
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper = 1;
	}
	if (lower && upper) {
		bech32_seterr(errstr, "mixed upper and lower case");
		return (-1);
	}
	return (0);
}

int
bech32_decode_raw(const char *s, char *hrp, size_t hrpsize, uint8_t *words,
    size_t wordsize, size_t *nwords, const char **errstr)
{
	const char	*sep;
	uint32_t	 chk;
	size_t		 len, hlen, ndata, i, n = 0;
	int		 v;

	if ((len = strnlen(s, BECH32_MAX_LEN + 1)) > BECH32_MAX_LEN) {
		bech32_seterr(errstr, "longer than 5000 characters");
		return (-1);
	}
	if (bech32_scan(s, len, errstr) == -1)
		return (-1);
	if ((sep = strrchr(s, '1')) == NULL) {
		bech32_seterr(errstr, "no '1' separator");
		return (-1);
	}
	hlen = (size_t)(sep - s);
	if (hlen < 1 || hlen > BECH32_HRP_MAX || hlen >= hrpsize) {
		bech32_seterr(errstr, "bad human-readable part length");
		return (-1);
	}
	if ((ndata = len - hlen - 1) < BECH32_CHECKSUM_LEN) {
		bech32_seterr(errstr, "too short for a checksum");
		return (-1);
	}
	if (ndata - BECH32_CHECKSUM_LEN > wordsize) {
		bech32_seterr(errstr, "too much data");
		return (-1);
	}
	chk = bech32_hrp_polymod(s, hlen);
	for (i = 0; i < ndata; i++) {
		if ((v = bech32_word_value((unsigned char)sep[1 + i])) == -1) {
			bech32_seterr(errstr, "invalid data character");
			goto fail;
		}
		chk = bech32_polymod(chk, (uint8_t)v);
		if (i < ndata - BECH32_CHECKSUM_LEN)
			words[n++] = (uint8_t)v;
	}
	if (chk != 1) {
		bech32_seterr(errstr, "bad checksum");
		goto fail;
	}
	for (i = 0; i < hlen; i++)
		hrp[i] = (char)bech32_lower((unsigned char)s[i]);
	hrp[hlen] = '\0';
	*nwords = n;
	return (0);
 fail:
	explicit_bzero(words, n);
	return (-1);
}

int
bech32_encode(const char *hrp, const uint8_t *data, size_t len, char *out,
    size_t outsize)
{
	uint8_t	 words[BECH32_WORDS_MAX];
	size_t	 nwords;
	int	 rv = -1;

	if (bech32_convert_bits(data, len, 8, words, sizeof(words), &nwords,
	    5, 1) == 0 &&
	    bech32_encode_raw(hrp, words, nwords, out, outsize) == 0)
		rv = 0;
	explicit_bzero(words, sizeof(words));
	return (rv);
}

int
bech32_decode(const char *s, char *hrp, size_t hrpsize, uint8_t *data,
    size_t datasize, size_t *datalen, const char **errstr)
{
	uint8_t	 words[BECH32_WORDS_MAX];
	size_t	 nwords;
	int	 rv = -1;

	if (bech32_decode_raw(s, hrp, hrpsize, words, sizeof(words), &nwords,
	    errstr) == -1)
		goto done;
	if (bech32_convert_bits(words, nwords, 5, data, datasize, datalen,
	    8, 0) == -1) {
		bech32_seterr(errstr, "bad padding or too much data");
		goto done;
	}
	rv = 0;
 done:
	explicit_bzero(words, sizeof(words));
	return (rv);
}
