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

#ifndef OA_NWC_URI_H
#define OA_NWC_URI_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/*
 * A Nostr Wallet Connect URI (NIP-47, PROTOCOL.md §C.8):
 *
 *	nostr+walletconnect://<wallet pubkey hex>?relay=<url>&secret=<hex>
 *
 * relay may repeat (up to NWC_RELAYS_MAX, each ws:// or wss://),
 * lud16 is optional, other parameters are ignored.  Values are
 * percent-decoded.  The secret is the connection's own key; keep the
 * struct in guarded memory and wipe it with nwc_uri_clear.
 */
#define NWC_URI_MAX		8192
#define NWC_SCHEME		"nostr+walletconnect://"

struct nwc_uri {
	uint8_t		 nu_wallet[32];		/* x-only, a curve point */
	uint8_t		 nu_secret[32];		/* a valid secret key */
	size_t		 nu_nrelays;
	char		 nu_relays[NWC_RELAYS_MAX][RELAY_URL_MAX];
	char		 nu_lud16[NWC_LUD16_MAX];	/* "" when absent */
};

/*
 * Parse len bytes of text (surrounding whitespace allowed).  0, or -1
 * with err naming the bad part; err never holds any of the secret,
 * and on failure the struct holds nothing.
 */
int	nwc_uri_parse(const char *, size_t, struct nwc_uri *, char *, size_t);
void	nwc_uri_clear(struct nwc_uri *);

#endif /* OA_NWC_URI_H */
