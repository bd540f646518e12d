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

#ifndef OA_NIP04_H
#define OA_NIP04_H

#include <stddef.h>
#include <stdint.h>

/*
 * NIP-04 (PROTOCOL.md §C.6): AES-256-CBC with PKCS#7 padding, keyed
 * with the unhashed ECDH x coordinate; the payload is base64(ct) ||
 * "?iv=" || base64(iv).  Deprecated and unauthenticated (anyone can
 * flip plaintext bits), but NIP-90 encrypted jobs still use it.
 *
 * Plaintexts go up to NIP04_PT_MAX bytes either way, the same bound
 * as NIP-44's extended form; NIP04_PAYLOAD_MAX is the longest payload
 * nip04_decrypt reads.
 */
#define NIP04_IVLEN		16
#define NIP04_PT_MAX		(1024 * 1024)
#define NIP04_CT_MAX		(NIP04_PT_MAX + NIP04_IVLEN)
#define NIP04_IV_B64LEN		24
#define NIP04_PAYLOAD_MAX	(((NIP04_CT_MAX + 2) / 3) * 4 + 4 + \
				    NIP04_IV_B64LEN)

/* What nip_detect sees in a payload (§E.4) */
#define NIP_SCHEME_UNKNOWN	0
#define NIP_SCHEME_04		4
#define NIP_SCHEME_44		44

/*
 * Encrypt len bytes (0..NIP04_PT_MAX) from sk to the x-only key peer
 * with a random IV.  *out is the malloc'd, NUL-terminated payload.
 * 0, or -1 (bad key, too long, no memory).
 */
int	nip04_encrypt(const uint8_t [32], const uint8_t [32], const uint8_t *,
	    size_t, char **);
/* The same with a given IV, for reproducible tests only */
int	nip04_encrypt_iv(const uint8_t [32], const uint8_t [32],
	    const uint8_t [NIP04_IVLEN], const uint8_t *, size_t, char **);
/*
 * Decrypt a payload of len bytes sent by peer to sk.  On success *pt is
 * malloc'd, holds *ptlen bytes and a NUL after them (not counted);
 * release it with freezero(*pt, *ptlen + 1).  On failure -1 and err
 * (may be NULL) says why.  Do not tell the peer which check failed:
 * with no MAC, a padding error is an oracle.
 */
int	nip04_decrypt(const uint8_t [32], const uint8_t [32], const char *,
	    size_t, uint8_t **, size_t *, char *, size_t);

/*
 * NIP_SCHEME_04 when the payload holds "?iv=", NIP_SCHEME_44 when it
 * starts with the base64 of a 0x02 version byte, else
 * NIP_SCHEME_UNKNOWN.  Only a choice of decoder: the decrypt functions
 * do the checking.
 */
int	nip_detect(const char *, size_t);

#endif /* OA_NIP04_H */
