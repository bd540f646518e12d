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
 * NIP-44 decryption of arbitrary payloads under a fixed conversation
 * key (encrypt_decrypt[0]'s, so the vector seeds get past the MAC),
 * then the input as plaintext through encrypt and decrypt, which must
 * give it back.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include "nip04.h"
#include "nip44.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t	ck[32] = {
	0xc4, 0x1c, 0x77, 0x53, 0x56, 0xfd, 0x92, 0xea,
	0xdc, 0x63, 0xff, 0x5a, 0x0d, 0xc1, 0xda, 0x21,
	0x1b, 0x26, 0x8c, 0xbe, 0xa2, 0x23, 0x16, 0x76,
	0x70, 0x95, 0xb2, 0x87, 0x1e, 0xa1, 0x41, 0x2d,
};
static const uint8_t	nonce[32] = { [31] = 0x01 };

static void
fuzz_decrypt(const uint8_t *data, size_t len)
{
	uint8_t	*pt = NULL;
	size_t	 ptlen = 0;
	char	 err[128];

	(void)nip_detect((const char *)data, len);
	if (nip44_decrypt(ck, (const char *)data, len, &pt, &ptlen, err,
	    sizeof(err)) == -1) {
		if (pt != NULL || ptlen != 0)
			abort();
		return;
	}
	if (ptlen < 1 || ptlen > NIP44_PT_MAX_EXT || pt[ptlen] != '\0')
		abort();
	freezero(pt, ptlen + 1);
}

static void
fuzz_roundtrip(const uint8_t *data, size_t len)
{
	uint8_t	*pt = NULL;
	size_t	 ptlen = 0;
	char	*std, *ext;
	int	 rs, re;

	if (len > NIP44_PT_MAX_EXT)
		len = NIP44_PT_MAX_EXT;
	/* the default entry stops at 65535; below that both agree */
	rs = nip44_encrypt(ck, nonce, data, len, &std);
	re = nip44_encrypt_ext(ck, nonce, data, len, &ext);
	if ((rs == 0) != (len >= 1 && len <= NIP44_PT_MAX) ||
	    (re == 0) != (len >= 1))
		abort();
	if (rs == 0 && strcmp(std, ext) != 0)
		abort();
	free(std);
	if (re == -1)
		return;
	if (nip44_decrypt(ck, ext, strlen(ext), &pt, &ptlen, NULL, 0) == -1 ||
	    ptlen != len || memcmp(pt, data, len) != 0)
		abort();
	freezero(pt, ptlen + 1);
	free(ext);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_decrypt(data, len);
	fuzz_roundtrip(data, len);
	return (0);
}
