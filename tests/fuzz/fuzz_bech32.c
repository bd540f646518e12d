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
 * Any bytes, as a C string, into the bech32 and NIP-19 decoders and the
 * mnemonic checker.  What decodes must encode back: to the same string
 * (lowercased) for plain bech32 and the 32-byte entities, and for the
 * TLV entities to a canonical string that decodes to the same fields
 * and encodes to itself.  A checked mnemonic must survive entropy and
 * back.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bech32.h"
#include "bip39.h"
#include "nip19.h"

/* past the decoders' limit, so that the limit itself is exercised */
#define FUZZ_MAX_INPUT	(BECH32_MAX_LEN + 64)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_assert(int ok, const char *what, const char *input)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_bech32: %s\ninput: %s\n", what, input);
	abort();
}

static void
fuzz_lower(const char *s, char *out)
{
	for (; *s != '\0'; s++, out++)
		*out = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	*out = '\0';
}

static void
fuzz_raw(const char *s, const char *low)
{
	static uint8_t	 words[BECH32_WORDS_MAX], data[BECH32_DATA_MAX];
	static char	 out[BECH32_MAX_LEN + 1];
	char		 hrp[BECH32_HRP_MAX + 1];
	size_t		 n;

	if (bech32_decode_raw(s, hrp, sizeof(hrp), words, sizeof(words), &n,
	    NULL) == 0) {
		fuzz_assert(bech32_encode_raw(hrp, words, n, out,
		    sizeof(out)) == 0, "raw re-encode failed", s);
		fuzz_assert(strcmp(out, low) == 0, "raw round trip differs",
		    s);
	}
	if (bech32_decode(s, hrp, sizeof(hrp), data, sizeof(data), &n,
	    NULL) == 0) {
		fuzz_assert(bech32_encode(hrp, data, n, out, sizeof(out)) == 0,
		    "byte re-encode failed", s);
		fuzz_assert(strcmp(out, low) == 0, "byte round trip differs",
		    s);
	}
}

static int
fuzz_same(const struct nip19 *a, const struct nip19 *b)
{
	size_t	 i;

	if (a->n19_type != b->n19_type ||
	    memcmp(a->n19_id, b->n19_id, sizeof(a->n19_id)) != 0 ||
	    a->n19_has_author != b->n19_has_author ||
	    a->n19_has_kind != b->n19_has_kind ||
	    strcmp(a->n19_ident, b->n19_ident) != 0 ||
	    a->n19_nrelays != b->n19_nrelays)
		return (0);
	if (a->n19_has_author &&
	    memcmp(a->n19_author, b->n19_author, sizeof(a->n19_author)) != 0)
		return (0);
	if (a->n19_has_kind && a->n19_kind != b->n19_kind)
		return (0);
	for (i = 0; i < a->n19_nrelays; i++)
		if (strcmp(a->n19_relays[i], b->n19_relays[i]) != 0)
			return (0);
	return (1);
}

static void
fuzz_nip19(const char *s, const char *low)
{
	static struct nip19	 a, b;
	static char		 out[NIP19_STR_SIZE], out2[NIP19_STR_SIZE];
	uint8_t			 raw[32];
	int			 type, r = 1;

	if ((type = nip19_decode_any(s, &a, NULL)) == -1)
		return;
	fuzz_assert(type > NIP19_NONE && type <= NIP19_NADDR &&
	    type == (int)a.n19_type, "bad type", s);
	fuzz_assert(nip19_encode(&a, out, sizeof(out)) == 0,
	    "re-encode failed", s);
	fuzz_assert(nip19_decode(out, a.n19_type, &b, NULL) == 0,
	    "re-decode failed", s);
	fuzz_assert(fuzz_same(&a, &b), "re-decoded fields differ", s);
	fuzz_assert(nip19_encode(&b, out2, sizeof(out2)) == 0 &&
	    strcmp(out, out2) == 0, "canonical form not stable", s);
	switch (a.n19_type) {
	case NIP19_NPUB:
		r = nip19_decode_npub(s, raw, NULL);
		break;
	case NIP19_NSEC:
		r = nip19_decode_nsec(s, raw, NULL);
		break;
	case NIP19_NOTE:
		r = nip19_decode_note(s, raw, NULL);
		break;
	case NIP19_NPROFILE:
	case NIP19_NEVENT:
	case NIP19_NADDR:
	case NIP19_NONE:
		break;
	}
	if (r != 1) {
		fuzz_assert(r == 0 && memcmp(raw, a.n19_id, 32) == 0,
		    "typed decoder disagrees", s);
		fuzz_assert(strcmp(out, low) == 0, "round trip differs", s);
	}
	nip19_clear(&a);
	nip19_clear(&b);
}

static void
fuzz_bip39(const char *s)
{
	char	 err[128], norm[BIP39_MNEMONIC_SIZE], back[BIP39_MNEMONIC_SIZE];
	uint8_t	 ent[BIP39_ENTROPY_MAX];
	size_t	 len;

	memset(err, 'x', sizeof(err));
	if (bip39_check(s, err, sizeof(err)) == -1) {
		fuzz_assert(memchr(err, '\0', sizeof(err)) != NULL,
		    "error not terminated", s);
		fuzz_assert(bip39_to_entropy(s, ent, sizeof(ent), &len) == -1,
		    "to_entropy accepts what check refuses", s);
		return;
	}
	fuzz_assert(bip39_normalize(s, norm, sizeof(norm)) == 0,
	    "normalize failed", s);
	fuzz_assert(bip39_to_entropy(s, ent, sizeof(ent), &len) == 0,
	    "to_entropy failed", s);
	fuzz_assert(bip39_from_entropy(ent, len, back, sizeof(back)) == 0,
	    "from_entropy failed", s);
	fuzz_assert(strcmp(norm, back) == 0, "mnemonic round trip differs",
	    s);
}

/*
 * Random strings almost never carry a valid checksum, so the TLV
 * parser would only see the seeds.  Here the bytes themselves become
 * the payload of an entity (first byte picks the prefix), checksummed,
 * and so reach the parser as they are.
 */
static void
fuzz_payload(const uint8_t *data, size_t len)
{
	static const char	*hrps[] = {
		"npub", "nsec", "note", "nprofile", "nevent", "naddr"
	};
	static char		 s[BECH32_MAX_LEN + 1];
	char			 m[BIP39_MNEMONIC_SIZE];

	if (len == 0)
		return;
	if (bech32_encode(hrps[data[0] % 6], data + 1, len - 1, s,
	    sizeof(s)) == 0)
		fuzz_nip19(s, s);
	if (bip39_from_entropy(data + 1, len - 1, m, sizeof(m)) == 0) {
		fuzz_assert(bip39_check(m, NULL, 0) == 0,
		    "generated mnemonic refused", m);
		fuzz_bip39(m);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char	 s[FUZZ_MAX_INPUT + 1], low[FUZZ_MAX_INPUT + 1];

	if (len > FUZZ_MAX_INPUT)
		return (0);
	memcpy(s, data, len);
	s[len] = '\0';
	fuzz_lower(s, low);
	fuzz_raw(s, low);
	fuzz_nip19(s, low);
	fuzz_bip39(s);
	fuzz_payload(data, len);
	return (0);
}
