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
 * The identity: identity.enc arrives as an fd with the passphrase, once;
 * the mnemonic, seed and Nostr key are derived into guarded memory and
 * the passphrase is wiped.  Nothing here ever leaves walletd but the
 * public key.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

#include "bip32.h"
#include "bip39.h"
#include "keystore.h"
#include "log.h"
#include "msg.h"
#include "secp.h"
#include "walletd.h"

static struct wallet_secrets	*secrets;
/* outside the guarded pages: they are not even readable until unlock */
static int			 unlocked;

void
wallet_keys_init(void)
{
	if (sodium_init() == -1)
		fatalx("%s: sodium_init", __func__);
	/*
	 * sodium_malloc: guard pages around, mlock'd, MADV_DONTDUMP.  A
	 * failing mlock (RLIMIT_MEMLOCK) does not fail the allocation;
	 * the process is non-dumpable and swap is the operator's call.
	 */
	if ((secrets = sodium_malloc(sizeof(*secrets))) == NULL)
		fatal("%s: sodium_malloc", __func__);
	sodium_memzero(secrets, sizeof(*secrets));
	if (sodium_mprotect_noaccess(secrets) == -1)
		fatal("%s: sodium_mprotect_noaccess", __func__);
}

/* The secrets, or NULL while no identity is unlocked. */
const struct wallet_secrets *
wallet_keys_get(void)
{
	return (unlocked ? secrets : NULL);
}

static int
wallet_keys_derive(char *err, size_t errlen)
{
	const secp256k1_context	*ctx = secp_ctx();
	secp256k1_xonly_pubkey	 xpub;

	char			 why[256];

	/* why quotes the bad word: a piece of the secret, not for logs */
	if (bip39_check(secrets->ws_mnemonic, why, sizeof(why)) == -1) {
		sodium_memzero(why, sizeof(why));
		(void)snprintf(err, errlen, "it holds no valid recovery "
		    "phrase");
		return (WALLET_UNLOCK_MNEMONIC);
	}
	if (bip39_seed(secrets->ws_mnemonic, "", secrets->ws_seed) == -1 ||
	    nip06_derive(secrets->ws_seed, 0, secrets->ws_seckey) == -1 ||
	    !secp256k1_keypair_create(ctx, &secrets->ws_keypair,
	    secrets->ws_seckey) ||
	    !secp256k1_keypair_xonly_pub(ctx, &xpub, NULL,
	    &secrets->ws_keypair) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, secrets->ws_pubkey,
	    &xpub)) {
		(void)snprintf(err, errlen, "key derivation failed");
		return (WALLET_UNLOCK_MNEMONIC);
	}
	return (WALLET_UNLOCK_OK);
}

/*
 * Decrypt identity.enc (read from fd, which is closed) with pass, which
 * is wiped on every path.  Returns an enum wallet_unlock_result; on
 * success pubkey holds the x-only public key.
 */
int
wallet_keys_unlock(int fd, char *pass, size_t passlen, uint8_t pubkey[32],
    char *err, size_t errlen)
{
	char	*json = NULL, *pw = NULL;
	size_t	 jsonlen = 0, outlen = 0;
	int	 r, result;

	if (unlocked) {
		sodium_memzero(pass, passlen);
		(void)close(fd);
		(void)snprintf(err, errlen, "already unlocked");
		return (WALLET_UNLOCK_AGAIN);
	}

	/* the password as a C string, in guarded memory too */
	if ((pw = sodium_malloc(passlen + 1)) == NULL)
		fatal("%s: sodium_malloc", __func__);
	memcpy(pw, pass, passlen);
	pw[passlen] = '\0';
	sodium_memzero(pass, passlen);

	r = keystore_read_fd(fd, &json, &jsonlen, WALLET_FILE_MAX);
	(void)close(fd);
	if (r == -1) {
		sodium_free(pw);
		(void)snprintf(err, errlen, "cannot read identity.enc");
		return (WALLET_UNLOCK_FORMAT);
	}

	if (sodium_mprotect_readwrite(secrets) == -1)
		fatal("%s: sodium_mprotect_readwrite", __func__);
	r = keystore_open(json, jsonlen, pw, (uint8_t *)secrets->ws_mnemonic,
	    sizeof(secrets->ws_mnemonic) - 1, &outlen, err, errlen);
	sodium_free(pw);
	free(json);
	switch (r) {
	case KEYSTORE_OK:
		secrets->ws_mnemonic[outlen] = '\0';
		result = wallet_keys_derive(err, errlen);
		break;
	case KEYSTORE_BADPASS:
		(void)snprintf(err, errlen, "wrong passphrase");
		result = WALLET_UNLOCK_BADPASS;
		break;
	default:
		result = WALLET_UNLOCK_FORMAT;
		break;
	}
	if (result != WALLET_UNLOCK_OK) {
		sodium_memzero(secrets, sizeof(*secrets));
		if (sodium_mprotect_noaccess(secrets) == -1)
			fatal("%s: sodium_mprotect_noaccess", __func__);
		return (result);
	}
	unlocked = 1;
	memcpy(pubkey, secrets->ws_pubkey, 32);
	if (sodium_mprotect_readonly(secrets) == -1)
		fatal("%s: sodium_mprotect_readonly", __func__);
	return (WALLET_UNLOCK_OK);
}
