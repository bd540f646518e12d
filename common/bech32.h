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

#ifndef OA_BECH32_H
#define OA_BECH32_H

#include <stddef.h>
#include <stdint.h>

/*
 * BIP-173 bech32 (checksum constant 1; bech32m is not accepted) with
 * the 90-character limit lifted, as NIP-19 and BOLT11 need.  The limit
 * here is NIP-19's "SHOULD be 5000 characters".  The checksum still
 * catches any random error with odds of about 1 in 10^9; BIP-173's
 * guarantee to catch every error of up to 4 characters holds only up
 * to 90 characters.
 *
 * Output is lowercase.  Input may be all lowercase or all uppercase
 * (BOLT11 QR codes), never mixed; the decoded hrp is lowercase.
 * Decoders clear the words or bytes they wrote when they fail, since
 * an nsec decodes to a secret.  On failure *errstr, when errstr is
 * not NULL, points to a static reason.
 */

#define BECH32_MAX_LEN		5000	/* characters, without the NUL */
#define BECH32_HRP_MAX		83
#define BECH32_CHECKSUM_LEN	6
/* data words and bytes in a string of BECH32_MAX_LEN */
#define BECH32_WORDS_MAX	(BECH32_MAX_LEN - 2 - BECH32_CHECKSUM_LEN)
#define BECH32_DATA_MAX		(BECH32_WORDS_MAX * 5 / 8)

/*
 * Regroups inlen values of frombits bits into values of tobits bits
 * (both 1 to 8), most significant bit first.  With pad, the last group
 * is filled with zero bits; without, leftover bits must be fewer than
 * frombits and zero.  Writes *outlen; 0 or -1.
 */
int	bech32_convert_bits(const uint8_t *, size_t, unsigned int,
	    uint8_t *, size_t, size_t *, unsigned int, int);

/* hrp and 5-bit words to a NUL-terminated string in out; 0 or -1 */
int	bech32_encode_raw(const char *, const uint8_t *, size_t, char *,
	    size_t);
/*
 * A string to its hrp (NUL-terminated, lowercase) and its 5-bit data
 * words, checksum verified and not included; writes *nwords.  0 or -1.
 */
int	bech32_decode_raw(const char *, char *, size_t, uint8_t *, size_t,
	    size_t *, const char **);

/* The same over bytes, regrouped 8 <-> 5 bits with zero padding. */
int	bech32_encode(const char *, const uint8_t *, size_t, char *, size_t);
int	bech32_decode(const char *, char *, size_t, uint8_t *, size_t,
	    size_t *, const char **);

#endif /* OA_BECH32_H */
