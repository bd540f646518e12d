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

#ifndef OA_NIP44_H
#define OA_NIP44_H

#include <stddef.h>
#include <stdint.h>

/*
 * NIP-44 version 2 (PROTOCOL.md §C.7), with the 2026 size extension:
 * a plaintext of 65536 bytes or more carries the prefix 00 00 ||
 * u32be(len) instead of u16be(len).
 *
 * Most deployed peers still refuse anything over 65535 bytes, so
 * nip44_encrypt never produces it; nip44_encrypt_ext goes up to
 * NIP44_PT_MAX_EXT for peers known to take it.  nip44_decrypt accepts
 * both forms up to NIP44_PT_MAX_EXT.  One MiB is far above what a relay
 * carries in one event; larger artifacts travel by URL.
 */
#define NIP44_KEYLEN		32
#define NIP44_NONCELEN		32
#define NIP44_CHACHA_NONCELEN	12
#define NIP44_MACLEN		32
#define NIP44_PT_MAX		65535
#define NIP44_PT_MAX_EXT	(1024 * 1024)
/* version byte, nonce, the u32 form's prefix, padded text and MAC */
#define NIP44_RAW_MAX		(1 + NIP44_NONCELEN + 6 + NIP44_PT_MAX_EXT + \
				    NIP44_MACLEN)
/* base64 of NIP44_RAW_MAX bytes, the longest payload nip44_decrypt reads */
#define NIP44_PAYLOAD_MAX	(((NIP44_RAW_MAX + 2) / 3) * 4)
#define NIP44_PAYLOAD_MIN	132

/*
 * x(sk * lift_x(peer)), unhashed: the NIP-04 AES key and the input of
 * the NIP-44 conversation key.  -1 when sk is 0 or >= n, or peer is
 * not the x coordinate of a curve point.
 */
int	nip44_shared_x(const uint8_t [32], const uint8_t [32], uint8_t [32]);
/* HKDF-Extract("nip44-v2", shared x); symmetric in the two parties */
int	nip44_conversation_key(const uint8_t [32], const uint8_t [32],
	    uint8_t [32]);
/* HKDF-Expand(ck, nonce, 76) split into chacha key, nonce, hmac key */
int	nip44_message_keys(const uint8_t [32], const uint8_t [32],
	    uint8_t [32], uint8_t [12], uint8_t [32]);
/* Padded length of a plaintext of that many bytes; 0 if too large */
size_t	nip44_calc_padded_len(size_t);

/*
 * Encrypt ptlen bytes (1..NIP44_PT_MAX) under conversation key ck.
 * nonce is NIP44_NONCELEN bytes, or NULL for a fresh random one; give
 * one only to reproduce test vectors.  *payload is the malloc'd,
 * NUL-terminated base64 payload.  0 or -1.
 */
int	nip44_encrypt(const uint8_t [32], const uint8_t *, const uint8_t *,
	    size_t, char **);
/* The same, allowing 1..NIP44_PT_MAX_EXT bytes */
int	nip44_encrypt_ext(const uint8_t [32], const uint8_t *,
	    const uint8_t *, size_t, char **);

/*
 * Decrypt a payload of len bytes.  On success *pt is malloc'd, holds
 * *ptlen bytes and a NUL after them (not counted); it is a secret, so
 * release it with freezero(*pt, *ptlen + 1).  On failure -1, and err
 * (may be NULL) says why, starting with the reason as the official
 * vectors word it: "invalid payload length", "unknown encryption
 * version", "invalid base64", "invalid MAC", "invalid padding".
 */
int	nip44_decrypt(const uint8_t [32], const char *, size_t, uint8_t **,
	    size_t *, char *, size_t);

#endif /* OA_NIP44_H */
