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

#ifndef OA_BIP39_H
#define OA_BIP39_H

#include <stddef.h>
#include <stdint.h>

/*
 * BIP39 mnemonics, English list only.  Everything these functions write
 * is secret (entropy, phrase, seed): the caller provides the buffers,
 * keeps them in locked memory and wipes them; the functions wipe their
 * own copies, also when they fail.
 */

#define BIP39_NWORDS		2048
#define BIP39_WORD_MAX		8	/* longest English word */
#define BIP39_MAX_WORDS		24
#define BIP39_ENTROPY_MAX	32
/* any normalized mnemonic and its NUL: 24 words of 8 letters, 23 spaces */
#define BIP39_MNEMONIC_SIZE	(BIP39_MAX_WORDS * (BIP39_WORD_MAX + 1))
/* longest passphrase bip39_seed takes, in bytes */
#define BIP39_PASSPHRASE_MAX	256
#define BIP39_SEED_LEN		64

/* 12, 15, 18, 21 or 24 words from the CSPRNG; 0 or -1 */
int	bip39_generate(int, char *, size_t);
/* 16, 20, 24, 28 or 32 bytes of entropy to words; 0 or -1 */
int	bip39_from_entropy(const uint8_t *, size_t, char *, size_t);
/* a checked mnemonic back to its entropy; writes the length; 0 or -1 */
int	bip39_to_entropy(const char *, uint8_t *, size_t, size_t *);
/*
 * 0 when the phrase is a valid mnemonic, else -1 and a sentence for
 * the user in err (which may quote the offending word: a fragment of
 * the secret, fit for the user's own terminal, not for a log).
 */
int	bip39_check(const char *, char *, size_t);
/* words joined by single spaces, outer whitespace dropped; 0 or -1 */
int	bip39_normalize(const char *, char *, size_t);
/*
 * PBKDF2-HMAC-SHA512(normalized mnemonic, "mnemonic" || passphrase,
 * 2048) into 64 bytes.  Refuses a mnemonic that fails bip39_check (ask
 * that for the reason) and a non-ASCII passphrase.  0 or -1.
 */
int	bip39_seed(const char *, const char *, uint8_t [BIP39_SEED_LEN]);

/* bip39_english.c: the word at an index (NULL past the end) ... */
const char	*bip39_word(unsigned int);
/* ... and the index of a word given by pointer and length, or -1 */
int		 bip39_word_find(const char *, size_t);

#endif /* OA_BIP39_H */
