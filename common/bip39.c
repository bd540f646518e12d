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
 * BIP39 mnemonics: entropy <-> words, validation with messages a user
 * can act on, and the PBKDF2 seed.
 *
 * Unicode: BIP39 hashes the NFKD form of the phrase and passphrase.
 * Only the English list is supported, every English word is lowercase
 * ASCII and NFKD maps ASCII to itself, so a valid phrase is already
 * normalized.  Non-ASCII input is refused instead of normalized: this
 * code has no Unicode tables, and hashing un-normalized text would
 * quietly give a different wallet than other software gives.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "bip39.h"
#include "util.h"

/* entropy plus checksum byte, plus slack for the 3-byte window reads */
#define BIP39_BITBUF		(BIP39_ENTROPY_MAX + 2)
/* how much of a bad word an error message quotes */
#define BIP39_QUOTE_MAX		24

static int
bip39_space(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f');
}

/* The next word at *sp as pointer and length; 0 when there is none. */
static int
bip39_next(const char **sp, const char **wordp, size_t *lenp)
{
	const char	*s = *sp;

	while (bip39_space((unsigned char)*s))
		s++;
	*wordp = s;
	while (*s != '\0' && !bip39_space((unsigned char)*s))
		s++;
	*lenp = (size_t)(s - *wordp);
	*sp = s;
	return (*lenp != 0);
}

static int
bip39_valid_count(size_t nwords)
{
	return (nwords >= 12 && nwords <= BIP39_MAX_WORDS && nwords % 3 == 0);
}

/*
 * The list index of word number pos, or -1 with the reason.  The
 * character checks come first so that the message can say why a word
 * that looks right is refused.
 */
static int
bip39_lookup(const char *w, size_t len, size_t pos, char *err, size_t errlen)
{
	size_t	 i;
	int	 upper = 0, idx, qlen;

	qlen = len > BIP39_QUOTE_MAX ? BIP39_QUOTE_MAX : (int)len;
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)w[i];

		if (c >= 0x80) {
			errbuf_set(err, errlen, "word %zu contains a non-ASCII "
			    "character: only the English list is supported",
			    pos);
			return (-1);
		}
		if (c < 0x20 || c == 0x7f) {
			errbuf_set(err, errlen,
			    "word %zu contains a control character", pos);
			return (-1);
		}
		if (c >= 'A' && c <= 'Z')
			upper = 1;
	}
	if (upper) {
		errbuf_set(err, errlen, "word %zu '%.*s%s' has capital "
		    "letters: BIP39 words are lowercase", pos, qlen, w,
		    len > BIP39_QUOTE_MAX ? "..." : "");
		return (-1);
	}
	if ((idx = bip39_word_find(w, len)) == -1) {
		errbuf_set(err, errlen, "word %zu '%.*s%s' is not in the BIP39 "
		    "English list", pos, qlen, w,
		    len > BIP39_QUOTE_MAX ? "..." : "");
		return (-1);
	}
	return (idx);
}

/* Eleven bits starting at bit 11 * n of buf, most significant first. */
static unsigned int
bip39_bits_get(const uint8_t *buf, size_t n)
{
	size_t		 bit = n * 11;
	uint32_t	 v;

	v = (uint32_t)buf[bit / 8] << 16 | (uint32_t)buf[bit / 8 + 1] << 8 |
	    buf[bit / 8 + 2];
	return ((v >> (13 - bit % 8)) & 0x7ff);
}

static void
bip39_bits_put(uint8_t *buf, size_t n, unsigned int idx)
{
	size_t	 bit = n * 11;
	int	 b;

	for (b = 10; b >= 0; b--, bit++)
		if (idx >> b & 1)
			buf[bit / 8] |= (uint8_t)(0x80 >> bit % 8);
}

/*
 * Words to buf (entropy then checksum bits), with the entropy length.
 * Everything that can be wrong is reported in the order a user would
 * fix it: a bad word, the count, then the checksum.
 */
static int
bip39_decode(const char *m, uint8_t buf[BIP39_BITBUF], size_t *entlen,
    char *err, size_t errlen)
{
	uint8_t		 hash[crypto_hash_sha256_BYTES];
	const char	*w;
	size_t		 len, n = 0, ent, cs;
	int		 idx = 0, rv = -1;

	memset(buf, 0, BIP39_BITBUF);
	while (bip39_next(&m, &w, &len)) {
		if (++n > BIP39_MAX_WORDS)
			continue;
		if ((idx = bip39_lookup(w, len, n, err, errlen)) == -1)
			goto done;
		bip39_bits_put(buf, n - 1, (unsigned int)idx);
	}
	if (n == 0) {
		errbuf_set(err, errlen, "the mnemonic is empty");
		goto done;
	}
	if (!bip39_valid_count(n)) {
		errbuf_set(err, errlen, "a BIP39 mnemonic has 12, 15, 18, 21 "
		    "or 24 words, not %zu", n);
		goto done;
	}
	ent = n * 4 / 3;
	cs = n / 3;
	if (crypto_hash_sha256(hash, buf, ent) != 0) {
		errbuf_set(err, errlen, "SHA-256 failed");
		goto done;
	}
	if (((buf[ent] ^ hash[0]) >> (8 - cs)) != 0) {
		errbuf_set(err, errlen, "checksum mismatch: the words are "
		    "valid but not in this order \xe2\x80\x94 check for a "
		    "typo or a swapped word");
		goto done;
	}
	*entlen = ent;
	rv = 0;
 done:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(&idx, sizeof(idx));
	if (rv == -1)
		sodium_memzero(buf, BIP39_BITBUF);
	return (rv);
}

int
bip39_check(const char *mnemonic, char *err, size_t errlen)
{
	uint8_t	 buf[BIP39_BITBUF];
	size_t	 entlen;
	int	 rv;

	rv = bip39_decode(mnemonic, buf, &entlen, err, errlen);
	sodium_memzero(buf, sizeof(buf));
	return (rv);
}

int
bip39_to_entropy(const char *mnemonic, uint8_t *ent, size_t entsize,
    size_t *entlen)
{
	uint8_t	 buf[BIP39_BITBUF];
	size_t	 len;
	int	 rv = -1;

	if (bip39_decode(mnemonic, buf, &len, NULL, 0) == 0 &&
	    len <= entsize) {
		memcpy(ent, buf, len);
		*entlen = len;
		rv = 0;
	}
	sodium_memzero(buf, sizeof(buf));
	return (rv);
}

/* Appends word and a separator to out; -1 when it does not fit. */
static int
bip39_append(char *out, size_t outlen, size_t *off, const char *word)
{
	size_t	 len = strlen(word), sep = *off > 0;

	if (outlen - *off <= sep + len)
		return (-1);
	if (sep)
		out[(*off)++] = ' ';
	memcpy(out + *off, word, len);
	*off += len;
	out[*off] = '\0';
	return (0);
}

int
bip39_from_entropy(const uint8_t *ent, size_t entlen, char *out,
    size_t outlen)
{
	uint8_t		 buf[BIP39_BITBUF], hash[crypto_hash_sha256_BYTES];
	size_t		 i, n, off = 0;
	unsigned int	 idx = 0;
	int		 rv = -1;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	if (entlen < 16 || entlen > BIP39_ENTROPY_MAX || entlen % 4 != 0)
		return (-1);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ent, entlen);
	if (crypto_hash_sha256(hash, ent, entlen) != 0)
		goto done;
	/* at most 8 checksum bits: the first hash byte is enough */
	buf[entlen] = hash[0];
	n = entlen * 3 / 4;
	for (i = 0; i < n; i++) {
		idx = bip39_bits_get(buf, i);
		if (bip39_append(out, outlen, &off, bip39_word(idx)) == -1)
			goto done;
	}
	rv = 0;
 done:
	if (rv == -1)
		sodium_memzero(out, outlen);
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(&idx, sizeof(idx));
	return (rv);
}

int
bip39_generate(int words, char *out, size_t outlen)
{
	uint8_t	 ent[BIP39_ENTROPY_MAX];
	size_t	 entlen;
	int	 rv;

	if (words < 0 || !bip39_valid_count((size_t)words))
		return (-1);
	/* the CSPRNG is ready only after sodium_init (which is idempotent) */
	if (sodium_init() < 0)
		return (-1);
	entlen = (size_t)words * 4 / 3;
	randombytes_buf(ent, entlen);
	rv = bip39_from_entropy(ent, entlen, out, outlen);
	sodium_memzero(ent, sizeof(ent));
	return (rv);
}

int
bip39_normalize(const char *in, char *out, size_t outlen)
{
	const char	*w, *s;
	size_t		 len, off = 0;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	for (s = in; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return (-1);
	while (bip39_next(&in, &w, &len)) {
		if (outlen - off <= (off > 0) + len) {
			sodium_memzero(out, outlen);
			return (-1);
		}
		if (off > 0)
			out[off++] = ' ';
		memcpy(out + off, w, len);
		off += len;
		out[off] = '\0';
	}
	return (0);
}

int
bip39_seed(const char *mnemonic, const char *passphrase,
    uint8_t seed[BIP39_SEED_LEN])
{
	static const char	 prefix[] = "mnemonic";
	char			 norm[BIP39_MNEMONIC_SIZE];
	uint8_t			 salt[sizeof(prefix) - 1 +
				     BIP39_PASSPHRASE_MAX];
	size_t			 i, plen, saltlen;
	int			 rv = -1;

	if (passphrase == NULL)
		passphrase = "";
	plen = strlen(passphrase);
	if (plen > BIP39_PASSPHRASE_MAX)
		goto done;
	for (i = 0; i < plen; i++)
		if ((unsigned char)passphrase[i] >= 0x80)
			goto done;
	if (bip39_check(mnemonic, NULL, 0) == -1 ||
	    bip39_normalize(mnemonic, norm, sizeof(norm)) == -1)
		goto done;
	memcpy(salt, prefix, sizeof(prefix) - 1);
	memcpy(salt + sizeof(prefix) - 1, passphrase, plen);
	saltlen = sizeof(prefix) - 1 + plen;
	if (PKCS5_PBKDF2_HMAC(norm, (int)strlen(norm), salt, (int)saltlen,
	    2048, EVP_sha512(), BIP39_SEED_LEN, seed) != 1)
		goto done;
	rv = 0;
 done:
	if (rv == -1)
		sodium_memzero(seed, BIP39_SEED_LEN);
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(salt, sizeof(salt));
	return (rv);
}
