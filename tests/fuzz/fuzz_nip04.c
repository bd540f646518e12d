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
 * NIP-04 decryption of arbitrary payloads by the provider (NIP-06 key
 * #1) from the customer (key #2), as in the PROTOCOL.md §C.10 vector,
 * then the input as plaintext from one to the other and back.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "nip04.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t	sk1[32] = {
	0x7f, 0x7f, 0xf0, 0x3d, 0x12, 0x37, 0x92, 0xd6,
	0xac, 0x59, 0x4b, 0xfa, 0x67, 0xbf, 0x6d, 0x0c,
	0x0a, 0xb5, 0x5b, 0x6b, 0x1f, 0xdb, 0x62, 0x49,
	0x30, 0x3f, 0xe8, 0x61, 0xf1, 0xcc, 0xba, 0x9a,
};
static const uint8_t	pk1[32] = {
	0x17, 0x16, 0x2c, 0x92, 0x1d, 0xc4, 0xd2, 0x51,
	0x8f, 0x9a, 0x10, 0x1d, 0xb3, 0x36, 0x95, 0xdf,
	0x1a, 0xfb, 0x56, 0xab, 0x82, 0xf5, 0xff, 0x3e,
	0x5d, 0xa6, 0xee, 0xc3, 0xca, 0x5c, 0xd9, 0x17,
};
static const uint8_t	sk2[32] = {
	0xc1, 0x5d, 0x73, 0x98, 0x94, 0xc8, 0x1a, 0x2f,
	0xcf, 0xd3, 0xa2, 0xdf, 0x85, 0xa0, 0xd2, 0xc0,
	0xdb, 0xc4, 0x7a, 0x28, 0x0d, 0x09, 0x27, 0x99,
	0xf1, 0x44, 0xd7, 0x3d, 0x7a, 0xe7, 0x8a, 0xdd,
};
static const uint8_t	pk2[32] = {
	0xd4, 0x1b, 0x22, 0x89, 0x95, 0x49, 0xe1, 0xf3,
	0xd3, 0x35, 0xa3, 0x10, 0x02, 0xcf, 0xd3, 0x82,
	0x17, 0x40, 0x06, 0xe1, 0x66, 0xd3, 0xe6, 0x58,
	0xe3, 0xa5, 0xee, 0xcd, 0xb6, 0x46, 0x35, 0x73,
};

static void
fuzz_decrypt(const uint8_t *data, size_t len)
{
	uint8_t	*pt = NULL;
	size_t	 ptlen = 0;
	char	 err[128];

	(void)nip_detect((const char *)data, len);
	if (nip04_decrypt(sk1, pk2, (const char *)data, len, &pt, &ptlen, err,
	    sizeof(err)) == -1) {
		if (pt != NULL || ptlen != 0)
			abort();
		return;
	}
	/* PKCS#7 took at least one byte off a non-empty ciphertext */
	if (ptlen >= len || pt[ptlen] != '\0')
		abort();
	freezero(pt, ptlen + 1);
}

static void
fuzz_roundtrip(const uint8_t *data, size_t len)
{
	uint8_t	 iv[NIP04_IVLEN] = { 0 };
	uint8_t	*pt = NULL;
	size_t	 ptlen = 0;
	char	*payload;

	if (len > NIP04_PT_MAX)
		len = NIP04_PT_MAX;
	/* the IV from the input's head, so the fuzzer steers it too */
	memcpy(iv, data, len < sizeof(iv) ? len : sizeof(iv));
	if (nip04_encrypt_iv(sk2, pk1, iv, data, len, &payload) == -1)
		abort();
	if (nip_detect(payload, strlen(payload)) != NIP_SCHEME_04)
		abort();
	if (nip04_decrypt(sk1, pk2, payload, strlen(payload), &pt, &ptlen,
	    NULL, 0) == -1 || ptlen != len ||
	    (len > 0 && memcmp(pt, data, len) != 0))
		abort();
	freezero(pt, ptlen + 1);
	free(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_decrypt(data, len);
	fuzz_roundtrip(data, len);
	return (0);
}
