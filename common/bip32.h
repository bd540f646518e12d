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

#ifndef OA_BIP32_H
#define OA_BIP32_H

#include <stddef.h>
#include <stdint.h>

/*
 * BIP32 private derivation, and the NIP-06 key on top of it.  Keys and
 * chain codes are secret: callers provide the buffers (locked memory)
 * and wipe them; these functions wipe their own intermediates.
 *
 * BIP32 says to skip to the next index when a step gives IL >= n or a
 * zero key.  The odds are below 2^-127, so here such a step just fails
 * (-1) rather than derive a key at another path than the one asked for.
 */

#define BIP32_HARDENED		0x80000000U
#define BIP32_MAX_DEPTH		255	/* depth is one byte in an xprv */
#define BIP32_SEED_MIN		16
#define BIP32_SEED_MAX		64

struct bip32_key {
	uint8_t		 bk_key[32];
	uint8_t		 bk_chain[32];
};

/* the master key from a 16 to 64-byte seed; 0 or -1 */
int	bip32_master(const uint8_t *, size_t, struct bip32_key *);
/* the child at an index (>= BIP32_HARDENED: hardened); may alias */
int	bip32_child(const struct bip32_key *, uint32_t, struct bip32_key *);
/*
 * "m/44'/1237'/0'/0/0" (' or h or H marks a hardened index) into at
 * most maxidx indexes; writes their count.  "m" alone is the master.
 */
int	bip32_path_parse(const char *, uint32_t *, size_t, size_t *);
/* seed and path string to the key at that path; 0 or -1 */
int	bip32_derive_path(const uint8_t *, size_t, const char *,
	    struct bip32_key *);

/* NIP-06: the secret key at m/44'/1237'/<account>'/0/0; 0 or -1 */
int	nip06_derive(const uint8_t [64], uint32_t, uint8_t [32]);
/* the BIP-340 x-only public key of a secret key; 0 or -1 */
int	nostr_pubkey_from_seckey(const uint8_t [32], uint8_t [32]);

#endif /* OA_BIP32_H */
