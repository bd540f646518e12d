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
 * BOLT #11 payment requests (PROTOCOL.md Part D), decoded and checked
 * here: the provider decodes every invoice its wallet makes before it
 * publishes one, and the tests decode what buyers would.
 *
 * bolt11_decode parses the string (either all lower or all upper case),
 * the human-readable part (currency, amount and multiplier), the
 * timestamp, the tagged fields and the signature, computes the signed
 * hash and recovers or verifies the payee's node key with libsecp256k1.
 * It follows the reader rules of the current text: a missing or
 * repeated p or s, neither or both of d and h, a p/h/s/n of the wrong
 * length, an unknown even feature bit, a sub-millisatoshi amount, a
 * high-S signature with an n field, or a signature that does not
 * recover are errors; unknown field types and fallbacks of an unknown
 * version are skipped.  Errors too: a repeated x, c, n, m or 9, a
 * non-minimal x, c or 9, a fallback of a known version whose program
 * has the wrong size, an r field not of whole hops and a d field that
 * is not UTF-8 or holds a NUL.  The recovery id goes with the low-S
 * form of the signature, as the BOLT's high-S example has it.  err
 * names what is wrong.
 */

#ifndef OA_BOLT11_H
#define OA_BOLT11_H

#include <stddef.h>
#include <stdint.h>

#define BOLT11_DESC_MAX		640	/* 1023 groups of 5 bits, and a NUL */
#define BOLT11_META_MAX		640
#define BOLT11_ROUTES_MAX	8	/* hops kept of all r fields */
#define BOLT11_FALLBACKS_MAX	4

enum bolt11_network {
	BOLT11_NET_UNKNOWN = 0,
	BOLT11_NET_MAINNET,	/* lnbc */
	BOLT11_NET_TESTNET,	/* lntb */
	BOLT11_NET_SIGNET,	/* lntbs */
	BOLT11_NET_REGTEST	/* lnbcrt */
};

struct bolt11_hop {
	uint8_t		 bh_pubkey[33];
	uint64_t	 bh_scid;		/* short channel id */
	uint32_t	 bh_fee_base_msat;
	uint32_t	 bh_fee_ppm;
	uint16_t	 bh_cltv_delta;
};

struct bolt11_fallback {
	uint8_t		 bf_version;	/* 0..16 witness, 17 P2PKH, 18 P2SH */
	uint8_t		 bf_prog[40];
	size_t		 bf_proglen;
};

struct bolt11 {
	enum bolt11_network	 b_network;
	char			 b_currency[8];		/* "bc", "bcrt", … */
	int			 b_has_amount;
	uint64_t		 b_amount_msats;	/* when b_has_amount */
	uint64_t		 b_timestamp;		/* unix seconds */
	uint8_t			 b_payment_hash[32];
	uint8_t			 b_payment_secret[32];
	int			 b_has_description;	/* d, else h */
	char			 b_description[BOLT11_DESC_MAX]; /* UTF-8 */
	uint8_t			 b_description_hash[32];
	uint64_t		 b_expiry;		/* seconds; 3600 absent */
	uint64_t		 b_min_final_cltv;	/* 18 when absent */
	uint8_t			 b_payee[33];		/* compressed */
	int			 b_payee_given;		/* from n, not recovered */
	uint8_t			 b_metadata[BOLT11_META_MAX];
	size_t			 b_metadatalen;
	int			 b_has_metadata;
	uint8_t			 b_features[80];	/* big-endian as sent */
	size_t			 b_featureslen;
	struct bolt11_hop	 b_hops[BOLT11_ROUTES_MAX];
	size_t			 b_nhops;
	struct bolt11_fallback	 b_fallbacks[BOLT11_FALLBACKS_MAX];
	size_t			 b_nfallbacks;
	uint8_t			 b_signature[64];	/* r || s */
	int			 b_recid;
	uint8_t			 b_sighash[32];		/* what was signed */
};

/* 0 decoded and the signature checks, -1 with err. */
int	 bolt11_decode(const char *, size_t, struct bolt11 *, char *, size_t);

/* Whether feature bit n is set. */
int	 bolt11_feature(const struct bolt11 *, unsigned int);

/* The invoice's end: timestamp + expiry (saturating). */
uint64_t bolt11_expires_at(const struct bolt11 *);

const char	*bolt11_network_name(enum bolt11_network);

/*
 * What the provider asks of its own invoices before it publishes one:
 * an amount equal to amount_msats (>= 0; an invoice without an amount
 * fails), a payment hash equal to payment_hash (NULL: any), and at
 * least min_expiry seconds left at now.  0 or -1 with err.
 */
int	 bolt11_check(const struct bolt11 *, int64_t amount_msats,
	    const uint8_t *payment_hash, int64_t now, int64_t min_expiry,
	    char *, size_t);

#endif /* OA_BOLT11_H */
