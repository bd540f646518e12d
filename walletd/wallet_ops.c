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
 * What walletd does with the key: sign an event template under the kind
 * policy, and the NIP-04 and NIP-44 ciphers for a given peer.  Anything
 * else is refused, and every refusal is logged: a request outside the
 * policy means a confused or compromised peer.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "msg.h"
#include "nip04.h"
#include "nip44.h"
#include "nostr_event.h"
#include "walletd.h"

/*
 * The kinds the provider publishes with its identity (PROTOCOL.md Part
 * A, DESIGN.md §3): job feedback and results, its NIP-89 announcement,
 * deletions of its own events and relay AUTH.  NWC requests (23194) are
 * signed with the wallet connection's own key (wallet_nwc.c), never
 * with this one.
 */
static const struct {
	uint32_t	 lo, hi;
	const char	*why;
} wallet_policy[] = {
	{ 5, 5,		"deletion of our own events (NIP-09)" },
	{ 6050, 6050,	"TextGen result" },
	{ 6930, 6933,	"SandboxRun, RepoIndex, PatchGen, CodeReview results" },
	{ 7000, 7000,	"job feedback" },
	{ 22242, 22242,	"relay authentication (NIP-42)" },
	{ 31990, 31990,	"handler announcement (NIP-89)" },
};

int
wallet_policy_allows(uint32_t kind)
{
	size_t	 i;

	for (i = 0; i < sizeof(wallet_policy) / sizeof(wallet_policy[0]); i++)
		if (kind >= wallet_policy[i].lo && kind <= wallet_policy[i].hi)
			return (1);
	return (0);
}

/*
 * Sign the template in json.  The answer (*out, malloc'd) is the signed
 * event as JSON; on failure err says why and the status tells the
 * supervisor whether it was refused or malformed.
 */
int
wallet_op_sign(const char *json, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	const struct wallet_secrets	*ws = wallet_keys_get();
	struct event_limits		 lim;
	struct nostr_event		 ev;
	int				 status;

	*out = NULL;
	*outlen = 0;
	if (ws == NULL) {
		(void)snprintf(err, errlen, "no identity unlocked");
		return (WALLET_LOCKED);
	}
	event_limits_default(&lim);
	if (event_template_parse(json, len, &lim, &ev, err, errlen) == -1)
		return (WALLET_BADINPUT);
	if (!wallet_policy_allows(ev.ev_kind)) {
		(void)snprintf(err, errlen, "kind %u is not in the signing "
		    "policy", ev.ev_kind);
		log_warnx("refusing to sign an event of kind %u: not in the "
		    "signing policy", ev.ev_kind);
		nostr_event_free(&ev);
		return (WALLET_REFUSED);
	}
	status = WALLET_OK;
	if (event_sign(&ev, &ws->ws_keypair) == -1) {
		(void)snprintf(err, errlen, "signing failed");
		status = WALLET_FAILED;
	} else if (event_to_json(&ev, 0, out, outlen) == -1) {
		(void)snprintf(err, errlen, "out of memory");
		status = WALLET_FAILED;
	}
	nostr_event_free(&ev);
	return (status);
}

static int
wallet_nip44(uint32_t op, const uint8_t peer[32], const char *in,
    size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
	const struct wallet_secrets	*ws = wallet_keys_get();
	uint8_t				*ck, *pt = NULL;
	size_t				 ptlen = 0;
	int				 r;

	if ((ck = sodium_malloc(32)) == NULL)
		fatal("%s: sodium_malloc", __func__);
	if (nip44_conversation_key(ws->ws_seckey, peer, ck) == -1) {
		sodium_free(ck);
		(void)snprintf(err, errlen, "peer key is not a valid point");
		return (WALLET_BADINPUT);
	}
	if (op == WALLET_OP_NIP44_ENCRYPT) {
		r = nip44_encrypt(ck, NULL, (const uint8_t *)in, len, out);
		if (r == -1)
			(void)snprintf(err, errlen, "cannot encrypt %zu bytes",
			    len);
		else
			*outlen = strlen(*out);
	} else {
		r = nip44_decrypt(ck, in, len, &pt, &ptlen, err, errlen);
		if (r != -1) {
			*out = (char *)pt;
			*outlen = ptlen;
		}
	}
	sodium_free(ck);
	return (r == -1 ? WALLET_FAILED : WALLET_OK);
}

static int
wallet_nip04(uint32_t op, const uint8_t peer[32], const char *in,
    size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
	const struct wallet_secrets	*ws = wallet_keys_get();
	uint8_t				*pt = NULL;
	size_t				 ptlen = 0;

	if (op == WALLET_OP_NIP04_ENCRYPT) {
		if (nip04_encrypt(ws->ws_seckey, peer, (const uint8_t *)in,
		    len, out) == -1) {
			(void)snprintf(err, errlen, "cannot encrypt for that "
			    "peer");
			return (WALLET_FAILED);
		}
		*outlen = strlen(*out);
		return (WALLET_OK);
	}
	/*
	 * NIP-04 has no MAC: which check failed (padding or not) must not
	 * travel back toward whoever sent the payload.
	 */
	if (nip04_decrypt(ws->ws_seckey, peer, in, len, &pt, &ptlen, err,
	    errlen) == -1) {
		log_debug("NIP-04 decrypt: %s", err);
		(void)snprintf(err, errlen, "cannot decrypt");
		return (WALLET_FAILED);
	}
	*out = (char *)pt;
	*outlen = ptlen;
	return (WALLET_OK);
}

int
wallet_op_crypt(uint32_t op, const uint8_t peer[32], const char *in,
    size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	if (wallet_keys_get() == NULL) {
		(void)snprintf(err, errlen, "no identity unlocked");
		return (WALLET_LOCKED);
	}
	switch (op) {
	case WALLET_OP_NIP44_ENCRYPT:
	case WALLET_OP_NIP44_DECRYPT:
		return (wallet_nip44(op, peer, in, len, out, outlen, err,
		    errlen));
	case WALLET_OP_NIP04_ENCRYPT:
	case WALLET_OP_NIP04_DECRYPT:
		return (wallet_nip04(op, peer, in, len, out, outlen, err,
		    errlen));
	default:
		(void)snprintf(err, errlen, "unknown operation %u", op);
		log_warnx("refusing unknown operation %u", op);
		return (WALLET_REFUSED);
	}
}
