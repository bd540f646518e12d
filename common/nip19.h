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

#ifndef OA_NIP19_H
#define OA_NIP19_H

#include <stddef.h>
#include <stdint.h>

#include "bech32.h"

/*
 * NIP-19 bech32 entities.  npub, nsec and note carry 32 raw bytes;
 * nprofile, nevent and naddr carry TLV records.  Only the bytes are
 * checked: whether a key is on the curve is for the caller to ask.
 *
 * TLV decoding: unknown types, and type 2 or 3 in an nprofile, are
 * skipped; types 0, 2 and 3 may appear once; relays past
 * NIP19_MAX_RELAYS are dropped (they are hints); a relay may not hold
 * control characters and a "d" identifier may not hold a NUL, since
 * both become C strings.  Re-encoding a decoded entity therefore gives
 * the canonical form (records in type order), not always the input.
 */

#define NIP19_MAX_RELAYS	16
#define NIP19_STR_MAX		255	/* a TLV length is one byte */
/* any entity string and its NUL */
#define NIP19_STR_SIZE		(BECH32_MAX_LEN + 1)

enum nip19_type {
	NIP19_NONE = 0,
	NIP19_NPUB,
	NIP19_NSEC,
	NIP19_NOTE,
	NIP19_NPROFILE,
	NIP19_NEVENT,
	NIP19_NADDR,
};

struct nip19 {
	enum nip19_type	 n19_type;
	/*
	 * npub and nprofile: the public key; note and nevent: the event
	 * id; nsec: the secret key (then wipe with nip19_clear).
	 */
	uint8_t		 n19_id[32];
	int		 n19_has_author;	/* nevent: optional; naddr */
	uint8_t		 n19_author[32];
	int		 n19_has_kind;		/* nevent: optional; naddr */
	uint32_t	 n19_kind;
	char		 n19_ident[NIP19_STR_MAX + 1];	/* naddr "d", or "" */
	size_t		 n19_nrelays;
	char		 n19_relays[NIP19_MAX_RELAYS][NIP19_STR_MAX + 1];
};

/* "npub", "nsec", ...; NULL for NIP19_NONE */
const char	*nip19_hrp(enum nip19_type);
/* zeroes the whole struct, the way a secret has to be wiped */
void		 nip19_clear(struct nip19 *);
/* appends a relay URL; -1 when full, too long or holding controls */
int		 nip19_add_relay(struct nip19 *, const char *);

/* 32 bytes to a NUL-terminated npub, nsec or note; 0 or -1 */
int	nip19_encode_npub(const uint8_t [32], char *, size_t);
int	nip19_encode_nsec(const uint8_t [32], char *, size_t);
int	nip19_encode_note(const uint8_t [32], char *, size_t);
/*
 * An npub, nsec or note back to 32 bytes; any other prefix is refused.
 * 0, or -1 with a static reason in *errstr (errstr may be NULL).
 */
int	nip19_decode_npub(const char *, uint8_t [32], const char **);
int	nip19_decode_nsec(const char *, uint8_t [32], const char **);
int	nip19_decode_note(const char *, uint8_t [32], const char **);

/* any entity by n19_type; 0 or -1 */
int	nip19_encode(const struct nip19 *, char *, size_t);
/* an entity of the given type only; 0 or -1 and *errstr */
int	nip19_decode(const char *, enum nip19_type, struct nip19 *,
	    const char **);
/* an entity of any type: returns its type, or -1 and *errstr */
int	nip19_decode_any(const char *, struct nip19 *, const char **);

#endif /* OA_NIP19_H */
