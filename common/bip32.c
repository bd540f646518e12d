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

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <sodium.h>

#include "bip32.h"
#include "secp.h"

#define NIP06_COIN		1237	/* SLIP-44 coin type of Nostr */

static void
bip32_be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

/* HMAC-SHA512 with a key of any length; libsodium's one-shot wants 32. */
static int
bip32_hmac(const uint8_t *key, size_t keylen, const uint8_t *msg,
    size_t msglen, uint8_t out[64])
{
	crypto_auth_hmacsha512_state	 st;
	int				 rv = -1;

	if (crypto_auth_hmacsha512_init(&st, key, keylen) == 0 &&
	    crypto_auth_hmacsha512_update(&st, msg, msglen) == 0 &&
	    crypto_auth_hmacsha512_final(&st, out) == 0)
		rv = 0;
	sodium_memzero(&st, sizeof(st));
	return (rv);
}

int
bip32_master(const uint8_t *seed, size_t seedlen, struct bip32_key *out)
{
	static const uint8_t	 key[] = "Bitcoin seed";
	uint8_t			 i[64];
	int			 rv = -1;

	if (seedlen < BIP32_SEED_MIN || seedlen > BIP32_SEED_MAX)
		goto done;
	if (bip32_hmac(key, sizeof(key) - 1, seed, seedlen, i) == -1)
		goto done;
	/* IL must be a valid scalar: below n and not zero */
	if (!secp256k1_ec_seckey_verify(secp_ctx(), i))
		goto done;
	memcpy(out->bk_key, i, 32);
	memcpy(out->bk_chain, i + 32, 32);
	rv = 0;
 done:
	sodium_memzero(i, sizeof(i));
	if (rv == -1)
		sodium_memzero(out, sizeof(*out));
	return (rv);
}

/* ser_P(point(k)): the 33-byte compressed public key of a secret key. */
static int
bip32_pubkey(const uint8_t key[32], uint8_t out[33])
{
	secp256k1_pubkey	 pub;
	size_t			 len = 33;
	int			 rv = -1;

	if (secp256k1_ec_pubkey_create(secp_ctx(), &pub, key) &&
	    secp256k1_ec_pubkey_serialize(secp_ctx(), out, &len, &pub,
	    SECP256K1_EC_COMPRESSED) && len == 33)
		rv = 0;
	sodium_memzero(&pub, sizeof(pub));
	return (rv);
}

int
bip32_child(const struct bip32_key *parent, uint32_t index,
    struct bip32_key *child)
{
	uint8_t			 data[37], i[64];
	struct bip32_key	 k;
	int			 rv = -1;

	/* hardened: 0x00 || k || i; normal: ser_P(K) || i */
	if (index & BIP32_HARDENED) {
		data[0] = 0;
		memcpy(data + 1, parent->bk_key, 32);
	} else if (bip32_pubkey(parent->bk_key, data) == -1)
		goto done;
	bip32_be32(data + 33, index);
	if (bip32_hmac(parent->bk_chain, sizeof(parent->bk_chain), data,
	    sizeof(data), i) == -1)
		goto done;
	/* IL >= n (or 0) is refused, and so is a child key of 0 */
	if (!secp256k1_ec_seckey_verify(secp_ctx(), i))
		goto done;
	memcpy(k.bk_key, parent->bk_key, 32);
	if (!secp256k1_ec_seckey_tweak_add(secp_ctx(), k.bk_key, i))
		goto done;
	memcpy(k.bk_chain, i + 32, 32);
	/* only now, since parent and child may be the same struct */
	memcpy(child, &k, sizeof(k));
	rv = 0;
 done:
	sodium_memzero(data, sizeof(data));
	sodium_memzero(i, sizeof(i));
	sodium_memzero(&k, sizeof(k));
	if (rv == -1)
		sodium_memzero(child, sizeof(*child));
	return (rv);
}

/* One path element: decimal below 2^31, then ' or h or H if hardened. */
static int
bip32_path_elem(const char **sp, uint32_t *idx)
{
	const char	*s = *sp;
	uint64_t	 v = 0;

	if (*s < '0' || *s > '9')
		return (-1);
	/* v stays below 2^31 before each step, so 64 bits cannot wrap */
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v >= BIP32_HARDENED)
			return (-1);
	}
	if (*s == '\'' || *s == 'h' || *s == 'H') {
		v |= BIP32_HARDENED;
		s++;
	}
	*idx = (uint32_t)v;
	*sp = s;
	return (0);
}

int
bip32_path_parse(const char *path, uint32_t *idx, size_t maxidx,
    size_t *nidx)
{
	const char	*s = path;
	size_t		 n = 0;

	if (*s++ != 'm')
		return (-1);
	while (*s == '/') {
		s++;
		if (n == maxidx || n == BIP32_MAX_DEPTH)
			return (-1);
		if (bip32_path_elem(&s, &idx[n]) == -1)
			return (-1);
		n++;
	}
	if (*s != '\0')
		return (-1);
	*nidx = n;
	return (0);
}

static int
bip32_derive(const uint8_t *seed, size_t seedlen, const uint32_t *idx,
    size_t nidx, struct bip32_key *out)
{
	size_t	 i;

	if (bip32_master(seed, seedlen, out) == -1)
		return (-1);
	for (i = 0; i < nidx; i++)
		if (bip32_child(out, idx[i], out) == -1)
			return (-1);
	return (0);
}

int
bip32_derive_path(const uint8_t *seed, size_t seedlen, const char *path,
    struct bip32_key *out)
{
	uint32_t	 idx[BIP32_MAX_DEPTH];
	size_t		 nidx;

	if (bip32_path_parse(path, idx, BIP32_MAX_DEPTH, &nidx) == -1) {
		sodium_memzero(out, sizeof(*out));
		return (-1);
	}
	return (bip32_derive(seed, seedlen, idx, nidx, out));
}

int
nip06_derive(const uint8_t seed[64], uint32_t account, uint8_t sk[32])
{
	struct bip32_key	 k;
	uint32_t		 idx[5];
	int			 rv = -1;

	if (account >= BIP32_HARDENED)
		goto done;
	idx[0] = 44 | BIP32_HARDENED;
	idx[1] = NIP06_COIN | BIP32_HARDENED;
	idx[2] = account | BIP32_HARDENED;
	idx[3] = 0;
	idx[4] = 0;
	if (bip32_derive(seed, 64, idx, 5, &k) == -1)
		goto done;
	memcpy(sk, k.bk_key, 32);
	rv = 0;
 done:
	sodium_memzero(&k, sizeof(k));
	if (rv == -1)
		sodium_memzero(sk, 32);
	return (rv);
}

int
nostr_pubkey_from_seckey(const uint8_t sk[32], uint8_t xonly[32])
{
	secp256k1_keypair	 kp;
	secp256k1_xonly_pubkey	 pub;
	int			 rv = -1;

	if (secp256k1_keypair_create(secp_ctx(), &kp, sk) &&
	    secp256k1_keypair_xonly_pub(secp_ctx(), &pub, NULL, &kp) &&
	    secp256k1_xonly_pubkey_serialize(secp_ctx(), xonly, &pub))
		rv = 0;
	sodium_memzero(&kp, sizeof(kp));
	if (rv == -1)
		sodium_memzero(xonly, 32);
	return (rv);
}
