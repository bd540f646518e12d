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

#ifndef OA_WALLETD_H
#define OA_WALLETD_H

#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>

#define WALLET_MNEMONIC_MAX	512

/*
 * Everything secret walletd holds, in one libsodium guarded allocation:
 * locked in memory (never swapped), excluded from core dumps, fenced by
 * guard pages, and read-only once unlocked.  The mnemonic stays: it is
 * the identity, and the wallet (a later issue) derives from it too.
 */
struct wallet_secrets {
	char			ws_mnemonic[WALLET_MNEMONIC_MAX];
	uint8_t			ws_seed[64];
	uint8_t			ws_seckey[32];
	secp256k1_keypair	ws_keypair;
	uint8_t			ws_pubkey[32];	/* x-only, public */
};

/* wallet_keys.c */
void	 wallet_keys_init(void);
int	 wallet_keys_unlock(int, char *, size_t, uint8_t [32], char *,
	    size_t);
const struct wallet_secrets *wallet_keys_get(void);

/* wallet_ops.c */
int	 wallet_policy_allows(uint32_t);
int	 wallet_op_sign(const char *, size_t, char **, size_t *, char *,
	    size_t);
/* wallet_bolt11.c */
int	 wallet_op_bolt11(const char *, size_t, char **, size_t *, char *,
	    size_t);

int	 wallet_op_crypt(uint32_t, const uint8_t [32], const char *, size_t,
	    char **, size_t *, char *, size_t);

/* wallet_nwc.c */
struct msg_nwc_info;
void	 wallet_nwc_init(void);
void	 wallet_nwc_keep_pass(const char *, size_t);
void	 wallet_nwc_forget_pass(void);
int	 wallet_nwc_file(int, struct msg_nwc_info *);
int	 wallet_nwc_unlocked(struct msg_nwc_info *);
int	 wallet_nwc_request(uint32_t, const char *, size_t, char **, size_t *,
	    char *, size_t);
int	 wallet_nwc_open(const char *, size_t, char **, size_t *, char *,
	    size_t);

#endif /* OA_WALLETD_H */
