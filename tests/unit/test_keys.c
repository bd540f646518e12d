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
 * Mnemonic, key derivation and bech32 entities: every English vector of
 * the BIP39 reference file ($OA_VECTORS/bip39/vectors.json), the BIP32
 * master keys in it, the NIP-06 and NIP-19 vectors of PROTOCOL.md
 * §C.3/§C.4, the BIP-173 examples, round trips of the TLV entities and
 * the inputs each decoder has to refuse.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "bech32.h"
#include "bip32.h"
#include "bip39.h"
#include "hex.h"
#include "nip19.h"

#define XPRV_LEN	82	/* version 4, depth 1, parent 4, child 4, */
				/* chain 32, 0x00 + key 33, checksum 4 */

static const char *
vectors(void)
{
	const char	*v;

	if ((v = getenv("OA_VECTORS")) == NULL || *v == '\0')
		v = "tests/vectors";
	return (v);
}

/* The whole file, NUL-terminated. */
static char *
file_read(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 len;

	ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s", path);
	ck_assert(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0);
	ck_assert_ptr_nonnull(buf = malloc((size_t)len + 1));
	ck_assert(fread(buf, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	buf[len] = '\0';
	return (buf);
}

static void
unhex(const char *hex, uint8_t *out, size_t len)
{
	ck_assert_msg(hex_decode_any(hex, strlen(hex), out, len) == 0,
	    "bad hex %s", hex);
}

static void
assert_bytes(const uint8_t *got, const char *hex, size_t len)
{
	char	 buf[2 * 128 + 1];

	ck_assert(len <= 128);
	hex_encode(got, len, buf);
	ck_assert_str_eq(buf, hex);
}

/*
 * Base58check, only as far as reading an xprv takes: 82 bytes, and the
 * first of them is never zero, so no leading '1's to count.
 */
static int
xprv_decode(const char *s, uint8_t out[XPRV_LEN])
{
	static const char	 alpha[] =
	    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	uint8_t			 h[crypto_hash_sha256_BYTES];
	const char		*p;
	unsigned int		 carry;
	size_t			 j;

	memset(out, 0, XPRV_LEN);
	for (; *s != '\0'; s++) {
		if ((p = strchr(alpha, *s)) == NULL)
			return (-1);
		carry = (unsigned int)(p - alpha);
		for (j = XPRV_LEN; j-- > 0;) {
			carry += 58U * out[j];
			out[j] = (uint8_t)carry;
			carry >>= 8;
		}
		if (carry != 0)
			return (-1);
	}
	crypto_hash_sha256(h, out, XPRV_LEN - 4);
	crypto_hash_sha256(h, h, sizeof(h));
	if (memcmp(h, out + XPRV_LEN - 4, 4) != 0)
		return (-1);
	/* mainnet private: 0488ade4, then a 0x00 ahead of the key */
	if (memcmp(out, "\x04\x88\xad\xe4", 4) != 0 || out[45] != 0)
		return (-1);
	return (0);
}

/* The chain code and key of an xprv against a derived key. */
static void
assert_xprv(const struct bip32_key *k, const char *xprv)
{
	uint8_t	 raw[XPRV_LEN];

	ck_assert_msg(xprv_decode(xprv, raw) == 0, "bad xprv %s", xprv);
	ck_assert_msg(memcmp(k->bk_chain, raw + 13, 32) == 0,
	    "chain code differs from %s", xprv);
	ck_assert_msg(memcmp(k->bk_key, raw + 46, 32) == 0,
	    "key differs from %s", xprv);
}

static const char *
vec_str(yajl_val row, size_t i)
{
	ck_assert(YAJL_IS_ARRAY(row) && row->u.array.len == 4);
	ck_assert(YAJL_IS_STRING(row->u.array.values[i]));
	return (YAJL_GET_STRING(row->u.array.values[i]));
}

/*
 * The reference file: entropy -> mnemonic -> entropy, mnemonic and
 * "TREZOR" -> seed, seed -> master key of the xprv column.
 */
START_TEST(bip39_official)
{
	const char		*path[] = { "english", NULL };
	char			 file[4096], errbuf[256], *json;
	char			 words[BIP39_MNEMONIC_SIZE], err[256];
	uint8_t			 ent[BIP39_ENTROPY_MAX];
	uint8_t			 back[BIP39_ENTROPY_MAX];
	uint8_t			 seed[BIP39_SEED_LEN];
	struct bip32_key	 master;
	yajl_val		 root, list, row;
	size_t			 i, entlen, backlen;

	snprintf(file, sizeof(file), "%s/bip39/vectors.json", vectors());
	json = file_read(file);
	root = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	ck_assert_msg(root != NULL, "%s: %s", file, errbuf);
	list = yajl_tree_get(root, path, yajl_t_array);
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(list->u.array.len, 24);
	for (i = 0; i < list->u.array.len; i++) {
		row = list->u.array.values[i];
		entlen = strlen(vec_str(row, 0)) / 2;
		unhex(vec_str(row, 0), ent, entlen);
		ck_assert_int_eq(bip39_from_entropy(ent, entlen, words,
		    sizeof(words)), 0);
		ck_assert_str_eq(words, vec_str(row, 1));
		ck_assert_msg(bip39_check(vec_str(row, 1), err,
		    sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(bip39_to_entropy(vec_str(row, 1), back,
		    sizeof(back), &backlen), 0);
		ck_assert_uint_eq(backlen, entlen);
		ck_assert(memcmp(back, ent, entlen) == 0);
		ck_assert_int_eq(bip39_seed(vec_str(row, 1), "TREZOR", seed),
		    0);
		assert_bytes(seed, vec_str(row, 2), sizeof(seed));
		ck_assert_int_eq(bip32_master(seed, sizeof(seed), &master), 0);
		assert_xprv(&master, vec_str(row, 3));
	}
	printf("bip39: %zu official English vectors passed (entropy, "
	    "mnemonic, seed, master xprv)\n", i);
	yajl_tree_free(root);
	free(json);
}
END_TEST

static const struct {
	const char	*mnemonic, *sk, *nsec, *pk, *npub;
} nip06[] = {
	{ "leader monkey parrot ring guide accident before fence cannon "
	  "height naive bean",
	  "7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a",
	  "nsec10allq0gjx7fddtzef0ax00mdps9t2kmtrldkyjfs8l5xruwvh2dq0lhhkp",
	  "17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917",
	  "npub1zutzeysacnf9rru6zqwmxd54mud0k44tst6l70ja5mhv8jjumytsd2x7nu" },
	{ "what bleak badge arrange retreat wolf trade produce cricket blur "
	  "garlic valid proud rude strong choose busy staff weather area "
	  "salt hollow arm fade",
	  "c15d739894c81a2fcfd3a2df85a0d2c0dbc47a280d092799f144d73d7ae78add",
	  "nsec1c9wh8xy5eqdzln7n5t0ctgxjcrdug73gp5yj0x03gntn67h83twssdfhel",
	  "d41b22899549e1f3d335a31002cfd382174006e166d3e658e3a5eecdb6463573",
	  "npub16sdj9zv4f8sl85e45vgq9n7nsgt5qphpvmf7vk8r5hhvmdjxx4es8rq74h" },
};

START_TEST(nip06_vectors)
{
	uint8_t			 seed[BIP39_SEED_LEN], sk[32], pk[32], b[32];
	char			 s[NIP19_STR_SIZE];
	struct bip32_key	 k;

	ck_assert_int_eq(bip39_check(nip06[_i].mnemonic, NULL, 0), 0);
	ck_assert_int_eq(bip39_seed(nip06[_i].mnemonic, "", seed), 0);
	ck_assert_int_eq(nip06_derive(seed, 0, sk), 0);
	assert_bytes(sk, nip06[_i].sk, 32);
	ck_assert_int_eq(nostr_pubkey_from_seckey(sk, pk), 0);
	assert_bytes(pk, nip06[_i].pk, 32);
	ck_assert_int_eq(nip19_encode_nsec(sk, s, sizeof(s)), 0);
	ck_assert_str_eq(s, nip06[_i].nsec);
	ck_assert_int_eq(nip19_encode_npub(pk, s, sizeof(s)), 0);
	ck_assert_str_eq(s, nip06[_i].npub);
	ck_assert_int_eq(nip19_decode_nsec(nip06[_i].nsec, b, NULL), 0);
	ck_assert(memcmp(b, sk, 32) == 0);
	ck_assert_int_eq(nip19_decode_npub(nip06[_i].npub, b, NULL), 0);
	ck_assert(memcmp(b, pk, 32) == 0);
	/* the same key by path string, with both hardened markers */
	ck_assert_int_eq(bip32_derive_path(seed, sizeof(seed),
	    "m/44'/1237'/0'/0/0", &k), 0);
	ck_assert(memcmp(k.bk_key, sk, 32) == 0);
	ck_assert_int_eq(bip32_derive_path(seed, sizeof(seed),
	    "m/44h/1237H/0'/0/0", &k), 0);
	ck_assert(memcmp(k.bk_key, sk, 32) == 0);
	/* another account is another key */
	ck_assert_int_eq(nip06_derive(seed, 1, b), 0);
	ck_assert(memcmp(b, sk, 32) != 0);
	ck_assert_int_eq(nip06_derive(seed, BIP32_HARDENED, b), -1);
}
END_TEST

/* BIP32 test vector 1: hardened and normal steps past the master. */
START_TEST(bip32_vector1)
{
	static const struct {
		const char	*path, *xprv;
	} tv[] = {
		{ "m",
		  "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPP"
		  "qjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi" },
		{ "m/0H",
		  "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvU"
		  "xt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7" },
		{ "m/0H/1",
		  "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLn"
		  "vSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs" },
		{ "m/0H/1/2H",
		  "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBD"
		  "ptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM" },
	};
	uint8_t			 seed[16];
	struct bip32_key	 k;
	size_t			 i;

	unhex("000102030405060708090a0b0c0d0e0f", seed, sizeof(seed));
	for (i = 0; i < sizeof(tv) / sizeof(tv[0]); i++) {
		ck_assert_int_eq(bip32_derive_path(seed, sizeof(seed),
		    tv[i].path, &k), 0);
		assert_xprv(&k, tv[i].xprv);
	}
	ck_assert_int_eq(bip32_master(seed, 15, &k), -1);
}
END_TEST

START_TEST(bip32_paths)
{
	static const char	*bad[] = {
		"", "m/", "44'/0", "M/0", "m/0/", "m//0", "m/0''", "m/-1",
		"m/+1", "m/2147483648", "m/99999999999", "m/0x1", "m/1 ",
		" m/1", "m/1'/",
	};
	uint32_t		 idx[8];
	size_t			 i, n;

	ck_assert_int_eq(bip32_path_parse("m", idx, 8, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(bip32_path_parse("m/44'/1237h/2147483647H/0/1",
	    idx, 8, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(idx[0], 44 | BIP32_HARDENED);
	ck_assert_uint_eq(idx[1], 1237 | BIP32_HARDENED);
	ck_assert_uint_eq(idx[2], 0xffffffffU);
	ck_assert_uint_eq(idx[3], 0);
	ck_assert_uint_eq(idx[4], 1);
	ck_assert_int_eq(bip32_path_parse("m/1/2/3", idx, 2, &n), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(bip32_path_parse(bad[i], idx, 8, &n) == -1,
		    "accepted '%s'", bad[i]);
}
END_TEST

static const char	*np_hex =
    "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d";
static const char	*np_profile =
    "nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gpp4mhx"
    "ue69uhhytnc9e3k7mgpz4mhxue69uhkg6nzv9ejuumpv34kytnrdaksjlyr9p";

START_TEST(nip19_vectors)
{
	uint8_t		 b[32], want[32];
	char		 s[NIP19_STR_SIZE];
	struct nip19	 n;

	unhex(np_hex, want, 32);
	ck_assert_int_eq(nip19_encode_npub(want, s, sizeof(s)), 0);
	ck_assert_str_eq(s,
	    "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6");
	ck_assert_int_eq(nip19_decode_npub(s, b, NULL), 0);
	ck_assert(memcmp(b, want, 32) == 0);

	ck_assert_int_eq(nip19_decode_npub("npub10elfcs4fr0l0r8af98jlmgdh9c8t"
	    "cxjvz9qkw038js35mp4dma8qzvjptg", b, NULL), 0);
	assert_bytes(b,
	    "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e",
	    32);
	ck_assert_int_eq(nip19_encode_npub(b, s, sizeof(s)), 0);
	ck_assert_str_eq(s,
	    "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg");

	ck_assert_int_eq(nip19_decode_nsec("nsec1vl029mgpspedva04g90vltkh6fvh"
	    "240zqtv9k0t9af8935ke9laqsnlfe5", b, NULL), 0);
	assert_bytes(b,
	    "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa",
	    32);
	ck_assert_int_eq(nip19_encode_nsec(b, s, sizeof(s)), 0);
	ck_assert_str_eq(s,
	    "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5");

	ck_assert_int_eq(nip19_decode_any(np_profile, &n, NULL),
	    NIP19_NPROFILE);
	ck_assert(memcmp(n.n19_id, want, 32) == 0);
	ck_assert_uint_eq(n.n19_nrelays, 2);
	ck_assert_str_eq(n.n19_relays[0], "wss://r.x.com");
	ck_assert_str_eq(n.n19_relays[1], "wss://djbas.sadkb.com");
	/* and back, built from scratch */
	nip19_clear(&n);
	n.n19_type = NIP19_NPROFILE;
	memcpy(n.n19_id, want, 32);
	ck_assert_int_eq(nip19_add_relay(&n, "wss://r.x.com"), 0);
	ck_assert_int_eq(nip19_add_relay(&n, "wss://djbas.sadkb.com"), 0);
	ck_assert_int_eq(nip19_encode(&n, s, sizeof(s)), 0);
	ck_assert_str_eq(s, np_profile);

	/* BIP-173 allows all capitals: same entity */
	ck_assert_int_eq(nip19_decode_npub("NPUB180CVV07TJDRRGPA0J7J7TMNYL2YR6"
	    "YR7L8J4S3EVF6U64TH6GKWSYJH6W6", b, NULL), 0);
	ck_assert(memcmp(b, want, 32) == 0);
}
END_TEST

static void
assert_same(const struct nip19 *a, const struct nip19 *b)
{
	size_t	 i;

	ck_assert_int_eq(a->n19_type, b->n19_type);
	ck_assert(memcmp(a->n19_id, b->n19_id, 32) == 0);
	ck_assert_int_eq(a->n19_has_author, b->n19_has_author);
	if (a->n19_has_author)
		ck_assert(memcmp(a->n19_author, b->n19_author, 32) == 0);
	ck_assert_int_eq(a->n19_has_kind, b->n19_has_kind);
	if (a->n19_has_kind)
		ck_assert_uint_eq(a->n19_kind, b->n19_kind);
	ck_assert_str_eq(a->n19_ident, b->n19_ident);
	ck_assert_uint_eq(a->n19_nrelays, b->n19_nrelays);
	for (i = 0; i < a->n19_nrelays; i++)
		ck_assert_str_eq(a->n19_relays[i], b->n19_relays[i]);
}

/* Encodes n, checks the prefix, decodes it both ways, compares. */
static void
roundtrip(const struct nip19 *n)
{
	char		 s[NIP19_STR_SIZE];
	struct nip19	 back;

	ck_assert_int_eq(nip19_encode(n, s, sizeof(s)), 0);
	ck_assert(strncmp(s, nip19_hrp(n->n19_type),
	    strlen(nip19_hrp(n->n19_type))) == 0);
	ck_assert_int_eq(nip19_decode_any(s, &back, NULL), (int)n->n19_type);
	assert_same(n, &back);
	ck_assert_int_eq(nip19_decode(s, n->n19_type, &back, NULL), 0);
	assert_same(n, &back);
}

START_TEST(nip19_roundtrips)
{
	struct nip19	 n;
	char		 url[64];
	size_t		 i;

	/* nevent: id only, then with everything */
	nip19_clear(&n);
	n.n19_type = NIP19_NEVENT;
	unhex(np_hex, n.n19_id, 32);
	roundtrip(&n);
	ck_assert_int_eq(nip19_add_relay(&n, "wss://relay.example.com"), 0);
	unhex("7e7e9c42a91bfef19fa929e5fda1b72e"
	    "0ebc1a4c1141673e2794234d86addf4e", n.n19_author, 32);
	n.n19_has_author = 1;
	n.n19_kind = 5932;
	n.n19_has_kind = 1;
	roundtrip(&n);
	n.n19_kind = 0xfffffffeU;
	roundtrip(&n);

	/* naddr: empty identifier (replaceable), then a long one */
	nip19_clear(&n);
	n.n19_type = NIP19_NADDR;
	unhex(np_hex, n.n19_author, 32);
	n.n19_has_author = 1;
	n.n19_kind = 31990;
	n.n19_has_kind = 1;
	roundtrip(&n);
	memset(n.n19_ident, 'd', NIP19_STR_MAX);
	roundtrip(&n);
	for (i = 0; i < NIP19_MAX_RELAYS; i++) {
		snprintf(url, sizeof(url), "wss://relay%zu.example.org", i);
		ck_assert_int_eq(nip19_add_relay(&n, url), 0);
	}
	ck_assert_int_eq(nip19_add_relay(&n, "wss://one.too.many"), -1);
	roundtrip(&n);
	/* an naddr needs its author and kind */
	n.n19_has_kind = 0;
	ck_assert_int_eq(nip19_encode(&n, url, sizeof(url)), -1);

	/* note and nsec through the generic entry point */
	nip19_clear(&n);
	n.n19_type = NIP19_NOTE;
	unhex(np_hex, n.n19_id, 32);
	roundtrip(&n);
	n.n19_type = NIP19_NSEC;
	roundtrip(&n);
	nip19_clear(&n);
}
END_TEST

/* A TLV entity from raw bytes, to feed the decoder what it must refuse. */
static void
tlv_string(const char *hrp, const uint8_t *tlv, size_t len, char *s,
    size_t size)
{
	ck_assert_int_eq(bech32_encode(hrp, tlv, len, s, size), 0);
}

static void
assert_refused(const char *s, enum nip19_type want, const char *why)
{
	struct nip19	 n;
	const char	*err = NULL;

	ck_assert_msg(nip19_decode(s, want, &n, &err) == -1, "accepted %s", s);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strcmp(err, why) == 0, "%s: '%s', expected '%s'", s,
	    err, why);
	ck_assert_int_eq(n.n19_type, NIP19_NONE);
}

START_TEST(nip19_rejects)
{
	uint8_t		 tlv[80], b[32];
	char		 s[NIP19_STR_SIZE], *p;
	const char	*err;
	struct nip19	 n;

	/* mixed case: one capital in an otherwise valid npub */
	strlcpy(s, nip06[0].npub, sizeof(s));
	s[10] = (char)(s[10] - 'a' + 'A');
	err = NULL;
	ck_assert_int_eq(nip19_decode_npub(s, b, &err), -1);
	ck_assert_str_eq(err, "mixed upper and lower case");
	/* bad checksum: one changed character */
	strlcpy(s, nip06[0].npub, sizeof(s));
	p = s + strlen(s) - 1;
	*p = *p == 'q' ? 'p' : 'q';
	ck_assert_int_eq(nip19_decode_npub(s, b, &err), -1);
	ck_assert_str_eq(err, "bad checksum");
	strlcpy(s, nip06[0].npub, sizeof(s));
	s[20] = s[20] == 'q' ? 'p' : 'q';
	ck_assert_int_eq(nip19_decode_npub(s, b, &err), -1);
	ck_assert_str_eq(err, "bad checksum");
	/* a secret where a public key is expected, and the other way */
	ck_assert_int_eq(nip19_decode_npub(nip06[0].nsec, b, &err), -1);
	ck_assert_str_eq(err, "not an npub");
	ck_assert_int_eq(nip19_decode_nsec(nip06[0].npub, b, &err), -1);
	ck_assert_str_eq(err, "not an nsec");
	ck_assert_int_eq(nip19_decode_note(nip06[0].npub, b, &err), -1);
	ck_assert_str_eq(err, "not a note");
	assert_refused(np_profile, NIP19_NEVENT, "not an nevent");
	assert_refused(nip06[0].npub, NIP19_NPROFILE, "not an nprofile");
	/* wrong length for a 32-byte form */
	memset(tlv, 7, sizeof(tlv));
	tlv_string("npub", tlv, 31, s, sizeof(s));
	assert_refused(s, NIP19_NPUB, "not 32 bytes");
	tlv_string("nsec", tlv, 33, s, sizeof(s));
	ck_assert_int_eq(nip19_decode_nsec(s, b, &err), -1);
	ck_assert_str_eq(err, "not 32 bytes");
	/* an invoice is bech32 but no entity, whatever its padding */
	ck_assert_int_eq(nip19_decode_any("lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zy"
	    "g3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5r"
	    "qwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8"
	    "g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls08"
	    "7fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp"
	    "5h2tztugp9lfyql", &n, &err), -1);
	ck_assert_str_eq(err, "unknown NIP-19 prefix");
	/* nrelay is deprecated and unknown here */
	tlv_string("nrelay", (const uint8_t *)"\x01\x03" "a:b", 5, s,
	    sizeof(s));
	ck_assert_int_eq(nip19_decode_any(s, &n, &err), -1);
	ck_assert_str_eq(err, "unknown NIP-19 prefix");

	/* TLV framing */
	tlv[0] = 0;
	tlv[1] = 32;
	tlv[34] = 1;			/* a lone type byte */
	tlv_string("nprofile", tlv, 35, s, sizeof(s));
	assert_refused(s, NIP19_NPROFILE, "truncated TLV");
	tlv[35] = 20;			/* 20 bytes said, 10 given */
	tlv_string("nprofile", tlv, 46, s, sizeof(s));
	assert_refused(s, NIP19_NPROFILE, "TLV length overrun");
	tlv[1] = 31;			/* a 31-byte public key */
	tlv_string("nprofile", tlv, 33, s, sizeof(s));
	assert_refused(s, NIP19_NPROFILE, "TLV 0 is not 32 bytes");
	tlv[1] = 33;
	tlv_string("nevent", tlv, 35, s, sizeof(s));
	assert_refused(s, NIP19_NEVENT, "TLV 0 is not 32 bytes");
	memcpy(tlv, "\x01\x03" "a:b", 5);	/* relays only */
	tlv_string("nevent", tlv, 5, s, sizeof(s));
	assert_refused(s, NIP19_NEVENT, "no TLV 0 record");
	/* two ids */
	tlv[0] = 0;
	tlv[1] = 32;
	tlv[34] = 0;
	tlv[35] = 32;
	tlv_string("nevent", tlv, 68, s, sizeof(s));
	assert_refused(s, NIP19_NEVENT, "repeated TLV record");
	/* kind must be four bytes, author 32 */
	tlv[34] = 3;
	tlv[35] = 2;
	tlv_string("nevent", tlv, 38, s, sizeof(s));
	assert_refused(s, NIP19_NEVENT, "TLV 3 is not 4 bytes");
	tlv[34] = 2;
	tlv[35] = 4;
	tlv_string("nevent", tlv, 40, s, sizeof(s));
	assert_refused(s, NIP19_NEVENT, "TLV 2 is not 32 bytes");
	/* an naddr with identifier and kind, but no author */
	memcpy(tlv, "\x00\x02" "ab" "\x03\x04\x00\x00\x7c\xe6", 10);
	tlv_string("naddr", tlv, 10, s, sizeof(s));
	assert_refused(s, NIP19_NADDR, "naddr without author or kind");
	memcpy(tlv, "\x00\x02" "a\0" "\x03\x04\x00\x00\x7c\xe6", 10);
	tlv_string("naddr", tlv, 10, s, sizeof(s));
	assert_refused(s, NIP19_NADDR, "NUL in identifier");
	/* a relay with a newline in it */
	memset(tlv, 7, sizeof(tlv));
	memcpy(tlv, "\x01\x04" "a\nbc" "\x00\x20", 8);
	tlv_string("nprofile", tlv, 40, s, sizeof(s));
	assert_refused(s, NIP19_NPROFILE, "control character in relay");
	/* unknown types are skipped, as are author and kind in nprofile */
	memcpy(tlv, "\x09\x01" "x" "\x02\x01" "y" "\x00\x20", 8);
	tlv_string("nprofile", tlv, 40, s, sizeof(s));
	ck_assert_int_eq(nip19_decode_any(s, &n, &err), NIP19_NPROFILE);
	ck_assert_uint_eq(n.n19_nrelays, 0);
	ck_assert_int_eq(n.n19_has_author, 0);
}
END_TEST

/* BIP-173's own examples: valid strings, then invalid ones. */
START_TEST(bech32_bip173)
{
	static const char	*good[] = {
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1and"
		    "theexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
		    "qqqqqqqqqqqqqqqqqqqqqqqqc8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	};
	static const char	*bad[] = {
		"\x20" "1nwldj5",	/* hrp character out of range */
		"\x7f" "1axkwrx",
		"\x80" "1eym55h",
		"pzry9x0s0muk",		/* no separator */
		"1pzry9x0s0muk",	/* empty hrp */
		"x1b4n0q5v",		/* 'b' is not a data character */
		"li1dgmt3",		/* checksum too short */
		"de1lg7wt\xff",
		"A1G7SGD8",		/* checksum over a capital hrp */
		"10a06t8",
		"1qzzfhee",
		/* bech32m's checksum is not bech32's */
		"a1lqfn3a",
		"abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
	};
	uint8_t			 w[BECH32_WORDS_MAX];
	char			 hrp[BECH32_HRP_MAX + 1], s[200], low[200];
	size_t			 i, j, n;
	const char		*err;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(bech32_decode_raw(good[i], hrp, sizeof(hrp), w,
		    sizeof(w), &n, &err) == 0, "%s: %s", good[i], err);
		ck_assert_int_eq(bech32_encode_raw(hrp, w, n, s, sizeof(s)),
		    0);
		for (j = 0; good[i][j] != '\0'; j++)
			low[j] = (char)(good[i][j] >= 'A' && good[i][j] <= 'Z' ?
			    good[i][j] - 'A' + 'a' : good[i][j]);
		low[j] = '\0';
		ck_assert_str_eq(s, low);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(bech32_decode_raw(bad[i], hrp, sizeof(hrp), w,
		    sizeof(w), &n, NULL) == -1, "accepted %s", bad[i]);
}
END_TEST

START_TEST(bech32_limits)
{
	static uint8_t	 data[BECH32_DATA_MAX + 1];
	static char	 s[BECH32_MAX_LEN + 2];
	static uint8_t	 back[BECH32_DATA_MAX + 1];
	uint8_t		 w[8], out[8];
	char		 hrp[BECH32_HRP_MAX + 1];
	size_t		 n, len;
	const char	*err;

	/* the largest payload fits in 5000 characters, one more does not */
	memset(data, 0xa5, sizeof(data));
	len = BECH32_DATA_MAX - 2;	/* hrp "x" leaves 4992 words */
	ck_assert_int_eq(bech32_encode("x", data, len, s, sizeof(s)), 0);
	ck_assert_uint_le(strlen(s), BECH32_MAX_LEN);
	ck_assert_int_eq(bech32_decode(s, hrp, sizeof(hrp), back, sizeof(back),
	    &n, &err), 0);
	ck_assert_uint_eq(n, len);
	ck_assert(memcmp(back, data, len) == 0);
	ck_assert_int_eq(bech32_encode("x", data, BECH32_DATA_MAX + 1, s,
	    sizeof(s)), -1);
	memset(s, 'q', BECH32_MAX_LEN + 1);
	s[0] = 'x';
	s[1] = '1';
	s[BECH32_MAX_LEN + 1] = '\0';
	ck_assert_int_eq(bech32_decode_raw(s, hrp, sizeof(hrp), back,
	    sizeof(back), &n, &err), -1);
	ck_assert_str_eq(err, "longer than 5000 characters");
	/* an output buffer one byte short */
	ck_assert_int_eq(nip19_encode_npub(data, s, 63), -1);
	ck_assert_int_eq(nip19_encode_npub(data, s, 64), 0);
	/* encoder: no capitals in the hrp, no word above 31 */
	ck_assert_int_eq(bech32_encode("Npub", data, 32, s, sizeof(s)), -1);
	w[0] = 32;
	ck_assert_int_eq(bech32_encode_raw("a", w, 1, s, sizeof(s)), -1);

	/* regrouping: padding must be short and zero when not added */
	w[0] = 0x1f;
	w[1] = 0x1c;		/* 10 bits: one byte and 2 zero bits */
	ck_assert_int_eq(bech32_convert_bits(w, 2, 5, out, sizeof(out), &n,
	    8, 0), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 0xff);
	w[1] = 0x1d;		/* a one in the padding */
	ck_assert_int_eq(bech32_convert_bits(w, 2, 5, out, sizeof(out), &n,
	    8, 0), -1);
	w[1] = 0x1c;
	w[2] = 0;		/* 15 bits: a whole 5-bit group of padding */
	ck_assert_int_eq(bech32_convert_bits(w, 3, 5, out, sizeof(out), &n,
	    8, 0), -1);
	ck_assert_int_eq(bech32_convert_bits(w, 3, 5, out, 0, &n, 8, 1), -1);
	ck_assert_int_eq(bech32_convert_bits(w, 3, 9, out, 8, &n, 8, 1), -1);
}
END_TEST

/* The raw 5-bit view that BOLT11 will use: hrp and the timestamp. */
START_TEST(bech32_bolt11)
{
	static const char	*inv =
	    "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3"
	    "zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2"
	    "pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9"
	    "qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52"
	    "vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql";
	uint8_t			 w[BECH32_WORDS_MAX];
	char			 hrp[BECH32_HRP_MAX + 1];
	size_t			 i, n;
	uint64_t		 ts = 0;

	ck_assert_int_eq(bech32_decode_raw(inv, hrp, sizeof(hrp), w,
	    sizeof(w), &n, NULL), 0);
	ck_assert_str_eq(hrp, "lnbc");
	ck_assert_uint_eq(n, strlen(inv) - 5 - 6);
	for (i = 0; i < 7; i++)
		ts = ts << 5 | w[i];
	ck_assert_uint_eq(ts, 1496314658);
}
END_TEST

START_TEST(bip39_rejects)
{
	static const struct {
		const char	*m, *err;
	} bad[] = {
		{ "abandon abandon abandon abandon abandon abandon abandon "
		  "abandon abandon abandon abandon abandon",
		  "checksum mismatch: the words are valid but not in this "
		  "order \xe2\x80\x94 check for a typo or a swapped word" },
		{ "abandon abandon abandon abandon abandon abandon abandon "
		  "abandon abandon abandon about",
		  "a BIP39 mnemonic has 12, 15, 18, 21 or 24 words, not 11" },
		{ "abandon abandon abandon abandon abandon abandon abandon "
		  "abandon abandon abandon abandon abandon abandon about",
		  "a BIP39 mnemonic has 12, 15, 18, 21 or 24 words, not 14" },
		{ "abandon abandon abandon abandon abandn abandon abandon "
		  "abandon abandon abandon abandon about",
		  "word 5 'abandn' is not in the BIP39 English list" },
		{ "Abandon abandon abandon abandon abandon abandon abandon "
		  "abandon abandon abandon abandon about",
		  "word 1 'Abandon' has capital letters: BIP39 words are "
		  "lowercase" },
		{ "abandon abandon \xc3\xa1" "bandon",
		  "word 3 contains a non-ASCII character: only the English "
		  "list is supported" },
		{ "abandon ab\x01" "andon", "word 2 contains a control "
		  "character" },
		{ "abandon abandonabandonabandonabandon",
		  "word 2 'abandonabandonabandonaba...' is not in the BIP39 "
		  "English list" },
		{ "", "the mnemonic is empty" },
		{ " \t\n ", "the mnemonic is empty" },
	};
	char		 err[256], small[8];
	uint8_t		 seed[BIP39_SEED_LEN], ent[32];
	size_t		 i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(bip39_check(bad[i].m, err, sizeof(err)) == -1,
		    "accepted '%s'", bad[i].m);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_int_eq(bip39_to_entropy(bad[i].m, ent, sizeof(ent),
		    &len), -1);
		ck_assert_int_eq(bip39_seed(bad[i].m, "", seed), -1);
	}
	/* a short err buffer gets a cut message, and still the failure */
	ck_assert_int_eq(bip39_check(bad[3].m, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "word 5 ");
	ck_assert_int_eq(bip39_check(bad[3].m, NULL, 0), -1);
	/* entropy must be 16 to 32 bytes in steps of 4 */
	memset(ent, 0, sizeof(ent));
	ck_assert_int_eq(bip39_from_entropy(ent, 15, err, sizeof(err)), -1);
	ck_assert_int_eq(bip39_from_entropy(ent, 17, err, sizeof(err)), -1);
	ck_assert_int_eq(bip39_from_entropy(ent, 36, err, sizeof(err)), -1);
	ck_assert_int_eq(bip39_from_entropy(ent, 16, small, sizeof(small)),
	    -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(bip39_generate(13, err, sizeof(err)), -1);
	ck_assert_int_eq(bip39_generate(0, err, sizeof(err)), -1);
	/* a passphrase outside ASCII would need NFKD */
	ck_assert_int_eq(bip39_seed(nip06[0].mnemonic, "p\xc3\xa1ss", seed),
	    -1);
}
END_TEST

START_TEST(bip39_whitespace)
{
	const char	*m = nip06[0].mnemonic;
	char		 messy[512], norm[BIP39_MNEMONIC_SIZE], *p;
	uint8_t		 a[BIP39_SEED_LEN], b[BIP39_SEED_LEN];
	size_t		 off;
	int		 r;

	/* outer and repeated whitespace of every kind */
	off = strlcpy(messy, "\n\t  ", sizeof(messy));
	for (p = strchr(m, ' '); p != NULL; m = p + 1, p = strchr(m, ' ')) {
		r = snprintf(messy + off, sizeof(messy) - off, "%.*s \t\r ",
		    (int)(p - m), m);
		ck_assert(r > 0 && (size_t)r < sizeof(messy) - off);
		off += (size_t)r;
	}
	r = snprintf(messy + off, sizeof(messy) - off, "%s \n", m);
	ck_assert(r > 0 && (size_t)r < sizeof(messy) - off);
	ck_assert_int_eq(bip39_check(messy, NULL, 0), 0);
	ck_assert_int_eq(bip39_normalize(messy, norm, sizeof(norm)), 0);
	ck_assert_str_eq(norm, nip06[0].mnemonic);
	ck_assert_int_eq(bip39_seed(messy, NULL, a), 0);
	ck_assert_int_eq(bip39_seed(nip06[0].mnemonic, "", b), 0);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	/* the passphrase changes the seed */
	ck_assert_int_eq(bip39_seed(nip06[0].mnemonic, " ", b), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(bip39_normalize(messy, norm, 10), -1);
	ck_assert_int_eq(bip39_normalize("a \xc3\xa1", norm, sizeof(norm)),
	    -1);
	ck_assert_int_eq(bip39_normalize("   ", norm, sizeof(norm)), 0);
	ck_assert_str_eq(norm, "");
}
END_TEST

START_TEST(bip39_generated)
{
	static const int	 counts[] = { 12, 15, 18, 21, 24 };
	char			 m[BIP39_MNEMONIC_SIZE];
	char			 m2[BIP39_MNEMONIC_SIZE];
	uint8_t			 ent[BIP39_ENTROPY_MAX];
	size_t			 i, len, words;
	const char		*p;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		ck_assert_int_eq(bip39_generate(counts[i], m, sizeof(m)), 0);
		for (words = 1, p = m; *p != '\0'; p++)
			words += *p == ' ';
		ck_assert_uint_eq(words, (size_t)counts[i]);
		ck_assert_int_eq(bip39_check(m, NULL, 0), 0);
		ck_assert_int_eq(bip39_to_entropy(m, ent, sizeof(ent), &len),
		    0);
		ck_assert_uint_eq(len, (size_t)counts[i] * 4 / 3);
		ck_assert_int_eq(bip39_from_entropy(ent, len, m2, sizeof(m2)),
		    0);
		ck_assert_str_eq(m, m2);
		ck_assert_int_eq(bip39_generate(counts[i], m2, sizeof(m2)), 0);
		ck_assert_str_ne(m, m2);
	}
	/* the word list itself */
	ck_assert_str_eq(bip39_word(0), "abandon");
	ck_assert_str_eq(bip39_word(2047), "zoo");
	ck_assert_ptr_null(bip39_word(2048));
	ck_assert_int_eq(bip39_word_find("zoo", 3), 2047);
	ck_assert_int_eq(bip39_word_find("abandonx", 7), 0);
	ck_assert_int_eq(bip39_word_find("aband", 5), -1);
	ck_assert_int_eq(bip39_word_find("abandons", 8), -1);
	ck_assert_int_eq(bip39_word_find("", 0), -1);
	for (i = 0; i < BIP39_NWORDS; i++)
		ck_assert_int_eq(bip39_word_find(bip39_word((unsigned int)i),
		    strlen(bip39_word((unsigned int)i))), (int)i);
}
END_TEST

START_TEST(nostr_pubkey)
{
	uint8_t	 sk[32], pk[32];

	memset(sk, 0, sizeof(sk));
	ck_assert_int_eq(nostr_pubkey_from_seckey(sk, pk), -1);
	memset(sk, 0xff, sizeof(sk));	/* above the group order */
	ck_assert_int_eq(nostr_pubkey_from_seckey(sk, pk), -1);
	sk[0] = 0;
	ck_assert_int_eq(nostr_pubkey_from_seckey(sk, pk), 0);
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("keys");
	tc = tcase_create("vectors");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bip39_official);
	tcase_add_loop_test(tc, nip06_vectors, 0,
	    sizeof(nip06) / sizeof(nip06[0]));
	tcase_add_test(tc, bip32_vector1);
	tcase_add_test(tc, nip19_vectors);
	tcase_add_test(tc, bech32_bip173);
	tcase_add_test(tc, bech32_bolt11);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bip32_paths);
	tcase_add_test(tc, nip19_roundtrips);
	tcase_add_test(tc, nip19_rejects);
	tcase_add_test(tc, bech32_limits);
	tcase_add_test(tc, bip39_rejects);
	tcase_add_test(tc, bip39_whitespace);
	tcase_add_test(tc, bip39_generated);
	tcase_add_test(tc, nostr_pubkey);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(keys_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? 0 : 1);
}
