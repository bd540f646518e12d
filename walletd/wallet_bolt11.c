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
 * The check of an invoice before the provider publishes it (DESIGN.md
 * §3, PROTOCOL.md §E.5): the wallet made it, but the wallet is another
 * party, and what goes out under our key must ask the buyer for what
 * we priced, to the hash the wallet will settle, for long enough.
 */

#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bolt11.h"
#include "hex.h"
#include "log.h"
#include "msg.h"
#include "walletd.h"

#define WALLET_BOLT11_MAX	8192	/* characters of one invoice */

/* JSON string of s, which holds no control bytes: decoded UTF-8 text. */
static int
wallet_json_str(char *buf, size_t len, const char *s)
{
	size_t	 o = 0;

	for (; *s != '\0'; s++) {
		if (o + 7 >= len)
			return (-1);
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		if ((unsigned char)*s < 0x20) {
			o += (size_t)snprintf(buf + o, len - o, "\\u%04x",
			    (unsigned char)*s);
			continue;
		}
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return (0);
}

int
wallet_op_bolt11(const char *in, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct msg_bolt11_check	 bc;
	struct bolt11		*b;
	uint8_t			 want[32], *wantp = NULL;
	char			 hash[65], payee[67], desc[BOLT11_DESC_MAX * 6];
	char			 e[256];
	int			 n;

	*out = NULL;
	*outlen = 0;
	if (len < sizeof(bc) || len - sizeof(bc) > WALLET_BOLT11_MAX) {
		(void)snprintf(err, errlen, "no invoice, or one too long");
		return (WALLET_BADINPUT);
	}
	memcpy(&bc, in, sizeof(bc));
	bc.bc_payment_hash[sizeof(bc.bc_payment_hash) - 1] = '\0';
	if (bc.bc_payment_hash[0] != '\0') {
		if (hex_decode_any(bc.bc_payment_hash,
		    strlen(bc.bc_payment_hash), want, sizeof(want)) == -1) {
			(void)snprintf(err, errlen, "the expected payment "
			    "hash is not 32 bytes of hex");
			return (WALLET_BADINPUT);
		}
		wantp = want;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("%s", __func__);
	if (bolt11_decode(in + sizeof(bc), len - sizeof(bc), b, e,
	    sizeof(e)) == -1 ||
	    bolt11_check(b, bc.bc_amount_msats, wantp, bc.bc_now,
	    bc.bc_min_expiry, e, sizeof(e)) == -1) {
		(void)snprintf(err, errlen, "invoice: %s", e);
		log_warnx("the wallet's invoice fails the check: %s", e);
		free(b);
		return (WALLET_BADINPUT);
	}
	hex_encode(b->b_payment_hash, sizeof(b->b_payment_hash), hash);
	hex_encode(b->b_payee, sizeof(b->b_payee), payee);
	if (!b->b_has_description ||
	    wallet_json_str(desc, sizeof(desc), b->b_description) == -1)
		desc[0] = '\0';
	n = asprintf(out, "{\"network\":\"%s\",\"amount_msats\":%" PRIu64
	    ",\"payment_hash\":\"%s\",\"timestamp\":%" PRIu64 ",\"expiry\":%"
	    PRIu64 ",\"expires_at\":%" PRIu64 ",\"payee\":\"%s\","
	    "\"description\":\"%s\"}", bolt11_network_name(b->b_network),
	    b->b_amount_msats, hash, b->b_timestamp, b->b_expiry,
	    bolt11_expires_at(b), payee, desc);
	free(b);
	if (n == -1) {
		*out = NULL;
		(void)snprintf(err, errlen, "out of memory");
		return (WALLET_FAILED);
	}
	*outlen = (size_t)n;
	return (WALLET_OK);
}
