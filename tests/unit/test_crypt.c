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
 * NIP-44 v2 against the whole official vector file
 * ($OA_VECTORS/nip44/nip44.vectors.json), the size-extension vectors of
 * PROTOCOL.md §C.7, and the unpadding rules the file leaves out; NIP-04
 * round trips, a known answer computed once with an independent
 * implementation (Python cryptography), and its rejections; the §C.10
 * encrypted-params vector for both schemes; nip_detect.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "hex.h"
#include "nip04.h"
#include "nip44.h"
#include "secp.h"

/* NIP-06 vector keys (§C.3): #1 is the provider, #2 the customer */
#define SK1	"7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a"
#define PK1	"17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917"
#define SK2	"c15d739894c81a2fcfd3a2df85a0d2c0dbc47a280d092799f144d73d7ae78add"
#define PK2	"d41b22899549e1f3d335a31002cfd382174006e166d3e658e3a5eecdb6463573"

static yajl_val	 root;

static const char *vectors(void);
static yajl_val	 vec_root(void);
static yajl_val	 vec_array(const char *, const char *);
static const char *jstr(yajl_val, const char *);
static long long jint(yajl_val, const char *);
static void	 unhex(const char *, uint8_t *, size_t);
static void	 xonly_pub(const uint8_t [32], uint8_t [32]);
static void	 sha256_hex(const uint8_t *, size_t, char [65]);
static uint8_t	*repeat(const char *, size_t, size_t *);
static void	 decrypt_ok(const uint8_t [32], const char *, const uint8_t *,
		    size_t);
static char	*seal_body(const uint8_t [32], const uint8_t *, size_t);
static void	 decrypt_fails(const uint8_t [32], const char *, size_t,
		    const char *);
static void	 flip_every_bit(const uint8_t [32], const char *, size_t);
static char	*nip04_raw(const uint8_t [32], const uint8_t [16],
		    const uint8_t *, size_t);
static void	 nip04_fails(const char *, const char *);

static const char *
vectors(void)
{
	const char	*v;

	if ((v = getenv("OA_VECTORS")) == NULL || *v == '\0')
		v = "tests/vectors";
	return (v);
}

/* The vector file, parsed once; main frees it */
static yajl_val
vec_root(void)
{
	char	 path[1024], errbuf[256], *buf;
	FILE	*f;
	long	 len;
	int	 n;

	if (root != NULL)
		return (root);
	n = snprintf(path, sizeof(path), "%s/nip44/nip44.vectors.json",
	    vectors());
	ck_assert(n > 0 && (size_t)n < sizeof(path));
	ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s", path);
	ck_assert(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0);
	ck_assert((buf = malloc((size_t)len + 1)) != NULL);
	ck_assert(fread(buf, 1, (size_t)len, f) == (size_t)len);
	buf[len] = '\0';
	fclose(f);
	root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	free(buf);
	ck_assert_msg(root != NULL, "%s: %s", path, errbuf);
	return (root);
}

/* v2.<kind>.<group>, which must be an array */
static yajl_val
vec_array(const char *kind, const char *group)
{
	const char	*path[] = { "v2", kind, group, NULL };
	yajl_val	 v;

	v = yajl_tree_get(vec_root(), path, yajl_t_array);
	ck_assert_msg(v != NULL, "v2.%s.%s missing", kind, group);
	return (v);
}

static const char *
jstr(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_string);
	ck_assert_msg(v != NULL, "no string %s", key);
	return (YAJL_GET_STRING(v));
}

static long long
jint(yajl_val obj, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_number);
	ck_assert_msg(v != NULL && YAJL_IS_INTEGER(v), "no integer %s", key);
	return (YAJL_GET_INTEGER(v));
}

static void
unhex(const char *s, uint8_t *out, size_t len)
{
	ck_assert_msg(hex_decode_any(s, strlen(s), out, len) == 0,
	    "bad hex %s", s);
}

static void
xonly_pub(const uint8_t sk[32], uint8_t pk[32])
{
	secp256k1_keypair	 kp;
	secp256k1_xonly_pubkey	 xpk;

	ck_assert(secp256k1_keypair_create(secp_ctx(), &kp, sk));
	ck_assert(secp256k1_keypair_xonly_pub(secp_ctx(), &xpk, NULL, &kp));
	ck_assert(secp256k1_xonly_pubkey_serialize(secp_ctx(), pk, &xpk));
}

static void
sha256_hex(const uint8_t *p, size_t len, char hex[65])
{
	uint8_t	 md[crypto_hash_sha256_BYTES];

	ck_assert(crypto_hash_sha256(md, p, len) == 0);
	hex_encode(md, sizeof(md), hex);
}

static uint8_t *
repeat(const char *pat, size_t times, size_t *lenp)
{
	size_t	 plen = strlen(pat), i;
	uint8_t	*buf;

	ck_assert(plen > 0 && times <= SIZE_MAX / plen);
	ck_assert((buf = malloc(plen * times)) != NULL);
	for (i = 0; i < times; i++)
		memcpy(buf + i * plen, pat, plen);
	*lenp = plen * times;
	return (buf);
}

static void
decrypt_ok(const uint8_t ck[32], const char *payload, const uint8_t *want,
    size_t wantlen)
{
	uint8_t	*pt;
	size_t	 ptlen;
	char	 err[128];

	ck_assert_msg(nip44_decrypt(ck, payload, strlen(payload), &pt, &ptlen,
	    err, sizeof(err)) == 0, "decrypt: %s", err);
	ck_assert_uint_eq(ptlen, wantlen);
	ck_assert(memcmp(pt, want, wantlen) == 0);
	ck_assert_uint_eq(pt[ptlen], 0);
	freezero(pt, ptlen + 1);
}

/* The reason must start with want (the vector's note) */
static void
decrypt_fails(const uint8_t ck[32], const char *payload, size_t len,
    const char *want)
{
	uint8_t	*pt = (uint8_t *)1;
	size_t	 ptlen = 1;
	char	 err[128] = "";

	ck_assert_int_eq(nip44_decrypt(ck, payload, len, &pt, &ptlen, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(pt);
	ck_assert_uint_eq(ptlen, 0);
	if (want != NULL)
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		    "error \"%s\", want \"%s\"", err, want);
}

/*
 * A valid MAC over an arbitrary decrypted body, so the unpadding rules
 * can be tried one at a time.  Nonce 0x42 repeated.
 */
static char *
seal_body(const uint8_t ck[32], const uint8_t *body, size_t bodylen)
{
	uint8_t				 ckey[32], cn[12], hk[32];
	uint8_t				*raw, *ct;
	crypto_auth_hmacsha256_state	 st;
	size_t				 rawlen = 1 + 32 + bodylen + 32, b64len;
	char				*b64;

	ck_assert((raw = malloc(rawlen)) != NULL);
	raw[0] = 2;
	memset(raw + 1, 0x42, 32);
	ct = raw + 33;
	ck_assert(nip44_message_keys(ck, raw + 1, ckey, cn, hk) == 0);
	ck_assert(crypto_stream_chacha20_ietf_xor_ic(ct, body, bodylen, cn, 0,
	    ckey) == 0);
	ck_assert(crypto_auth_hmacsha256_init(&st, hk, 32) == 0);
	ck_assert(crypto_auth_hmacsha256_update(&st, raw + 1,
	    32 + bodylen) == 0);
	ck_assert(crypto_auth_hmacsha256_final(&st, ct + bodylen) == 0);
	b64len = sodium_base64_ENCODED_LEN(rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	ck_assert((b64 = malloc(b64len)) != NULL);
	sodium_bin2base64(b64, b64len, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	free(raw);
	return (b64);
}

START_TEST(test_conversation_key)
{
	yajl_val	 a = vec_array("valid", "get_conversation_key"), o;
	uint8_t		 sk[32], pk[32], want[32], ck[32];
	size_t		 i;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "sec1"), sk, 32);
		unhex(jstr(o, "pub2"), pk, 32);
		unhex(jstr(o, "conversation_key"), want, 32);
		ck_assert_int_eq(nip44_conversation_key(sk, pk, ck), 0);
		ck_assert_msg(memcmp(ck, want, 32) == 0, "case %zu", i);
	}
	ck_assert_uint_eq(i, 35);
	printf("nip44 valid.get_conversation_key: %zu\n", i);
}
END_TEST

START_TEST(test_message_keys)
{
	const char	*path[] = { "v2", "valid", "get_message_keys", NULL };
	const char	*ckp[] = { "conversation_key", NULL };
	const char	*kp[] = { "keys", NULL };
	yajl_val	 g, a, o;
	uint8_t		 ck[32], nonce[32], k[32], n[12], h[32];
	uint8_t		 wk[32], wn[12], wh[32];
	size_t		 i;

	ck_assert((g = yajl_tree_get(vec_root(), path, yajl_t_object)) !=
	    NULL);
	unhex(YAJL_GET_STRING(yajl_tree_get(g, ckp, yajl_t_string)), ck, 32);
	ck_assert((a = yajl_tree_get(g, kp, yajl_t_array)) != NULL);
	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "nonce"), nonce, 32);
		unhex(jstr(o, "chacha_key"), wk, 32);
		unhex(jstr(o, "chacha_nonce"), wn, 12);
		unhex(jstr(o, "hmac_key"), wh, 32);
		ck_assert_int_eq(nip44_message_keys(ck, nonce, k, n, h), 0);
		ck_assert_msg(memcmp(k, wk, 32) == 0 &&
		    memcmp(n, wn, 12) == 0 && memcmp(h, wh, 32) == 0,
		    "case %zu", i);
	}
	ck_assert_uint_eq(i, 32);
	printf("nip44 valid.get_message_keys: %zu\n", i);
}
END_TEST

START_TEST(test_padded_len)
{
	yajl_val	 a = vec_array("valid", "calc_padded_len"), p;
	size_t		 i;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		p = YAJL_GET_ARRAY(a)->values[i];
		ck_assert(YAJL_IS_ARRAY(p) && YAJL_GET_ARRAY(p)->len == 2);
		ck_assert_uint_eq(nip44_calc_padded_len((size_t)
		    YAJL_GET_INTEGER(YAJL_GET_ARRAY(p)->values[0])),
		    (size_t)YAJL_GET_INTEGER(YAJL_GET_ARRAY(p)->values[1]));
	}
	ck_assert_uint_eq(i, 24);
	/* the two sizes the extension vectors add, and the edges */
	ck_assert_uint_eq(nip44_calc_padded_len(65537), 81920);
	ck_assert_uint_eq(nip44_calc_padded_len(0), 32);
	ck_assert_uint_eq(nip44_calc_padded_len(1), 32);
	ck_assert_uint_eq(nip44_calc_padded_len(NIP44_PT_MAX_EXT),
	    NIP44_PT_MAX_EXT);
	ck_assert_uint_eq(nip44_calc_padded_len(SIZE_MAX), 0);
	printf("nip44 valid.calc_padded_len: %zu\n", i);
}
END_TEST

START_TEST(test_encrypt_decrypt)
{
	yajl_val	 a = vec_array("valid", "encrypt_decrypt"), o;
	uint8_t		 s1[32], s2[32], p1[32], p2[32], want[32], ck[32];
	uint8_t		 nonce[32];
	const char	*pt, *payload;
	char		*out;
	size_t		 i;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "sec1"), s1, 32);
		unhex(jstr(o, "sec2"), s2, 32);
		unhex(jstr(o, "conversation_key"), want, 32);
		unhex(jstr(o, "nonce"), nonce, 32);
		pt = jstr(o, "plaintext");
		payload = jstr(o, "payload");
		xonly_pub(s1, p1);
		xonly_pub(s2, p2);
		ck_assert_int_eq(nip44_conversation_key(s1, p2, ck), 0);
		ck_assert_msg(memcmp(ck, want, 32) == 0, "case %zu", i);
		/* and the other way round */
		ck_assert_int_eq(nip44_conversation_key(s2, p1, ck), 0);
		ck_assert_msg(memcmp(ck, want, 32) == 0, "case %zu", i);
		ck_assert_int_eq(nip44_encrypt(ck, nonce, (const uint8_t *)pt,
		    strlen(pt), &out), 0);
		ck_assert_str_eq(out, payload);
		free(out);
		decrypt_ok(ck, payload, (const uint8_t *)pt, strlen(pt));
	}
	ck_assert_uint_eq(i, 10);
	printf("nip44 valid.encrypt_decrypt: %zu\n", i);
}
END_TEST

START_TEST(test_long_msg)
{
	yajl_val	 a = vec_array("valid", "encrypt_decrypt_long_msg"), o;
	uint8_t		 ck[32], nonce[32], *pt;
	size_t		 i, len;
	char		 hex[65], *out;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "conversation_key"), ck, 32);
		unhex(jstr(o, "nonce"), nonce, 32);
		pt = repeat(jstr(o, "pattern"), (size_t)jint(o, "repeat"),
		    &len);
		sha256_hex(pt, len, hex);
		ck_assert_str_eq(hex, jstr(o, "plaintext_sha256"));
		ck_assert_int_eq(nip44_encrypt(ck, nonce, pt, len, &out), 0);
		sha256_hex((const uint8_t *)out, strlen(out), hex);
		ck_assert_str_eq(hex, jstr(o, "payload_sha256"));
		decrypt_ok(ck, out, pt, len);
		free(out);
		free(pt);
	}
	ck_assert_uint_eq(i, 3);
	printf("nip44 valid.encrypt_decrypt_long_msg: %zu\n", i);
}
END_TEST

/*
 * The file lists these lengths as unencryptable.  After the amendment
 * only 0 still is for everyone; the default entry still refuses the
 * rest, and the extended one takes what fits under NIP44_PT_MAX_EXT.
 */
START_TEST(test_msg_lengths)
{
	yajl_val	 a = vec_array("invalid", "encrypt_msg_lengths"), v;
	uint8_t		 ck[32], *pt;
	size_t		 i, len;
	char		*out;
	int		 ext = 0;

	memset(ck, 0x11, sizeof(ck));
	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		v = YAJL_GET_ARRAY(a)->values[i];
		ck_assert(YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0);
		len = (size_t)YAJL_GET_INTEGER(v);
		ck_assert((pt = calloc(1, len + 1)) != NULL);
		out = (char *)1;
		ck_assert_int_eq(nip44_encrypt(ck, NULL, pt, len, &out), -1);
		ck_assert_ptr_null(out);
		if (len >= 1 && len <= NIP44_PT_MAX_EXT) {
			ck_assert_int_eq(nip44_encrypt_ext(ck, NULL, pt, len,
			    &out), 0);
			decrypt_ok(ck, out, pt, len);
			free(out);
			ext++;
		} else
			ck_assert_int_eq(nip44_encrypt_ext(ck, NULL, pt, len,
			    &out), -1);
		free(pt);
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_int_eq(ext, 2);
	printf("nip44 invalid.encrypt_msg_lengths: %zu (%d taken by "
	    "nip44_encrypt_ext)\n", i, ext);
}
END_TEST

START_TEST(test_conversation_key_invalid)
{
	yajl_val	 a = vec_array("invalid", "get_conversation_key"), o;
	uint8_t		 sk[32], pk[32], ck[32];
	size_t		 i;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "sec1"), sk, 32);
		unhex(jstr(o, "pub2"), pk, 32);
		ck_assert_msg(nip44_conversation_key(sk, pk, ck) == -1,
		    "accepted: %s", jstr(o, "note"));
	}
	ck_assert_uint_eq(i, 8);
	printf("nip44 invalid.get_conversation_key: %zu\n", i);
}
END_TEST

START_TEST(test_decrypt_invalid)
{
	yajl_val	 a = vec_array("invalid", "decrypt"), o;
	uint8_t		 ck[32];
	const char	*payload;
	size_t		 i;

	for (i = 0; i < YAJL_GET_ARRAY(a)->len; i++) {
		o = YAJL_GET_ARRAY(a)->values[i];
		unhex(jstr(o, "conversation_key"), ck, 32);
		payload = jstr(o, "payload");
		decrypt_fails(ck, payload, strlen(payload), jstr(o, "note"));
	}
	ck_assert_uint_eq(i, 12);
	printf("nip44 invalid.decrypt: %zu\n", i);
}
END_TEST

/* §C.7 amendment: u16 at 65535, the u32 form at 65536 and 65537 */
START_TEST(test_extended)
{
	static const struct {
		size_t		 len;
		const char	*pt_sha, *payload_sha;
	} v[] = {
		{ 65535,
		  "6e1bebca6a8229364a162a72ef064826c4cd7457bf54f190ef782bd9deff3e42",
		  "6d8c2810d1e870fbaa1f0a0937126cca837a15f9260e27060c331d70a3c0bc84" },
		{ 65536,
		  "bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a",
		  "b7b4edb36ba92e267d322d56d9aebc22e7fa96ff52e3c12adc07f07a43cbc616" },
		{ 65537,
		  "008ffc88d3c96a9f307524eb361e47c5222a887fc45fa0c1fb8d429c5c23b430",
		  "eeb7c7c5373894ea2c1547cfd3ccb15d5a0b2d619da852e5c79df792dcc9e435" },
	};
	uint8_t		 ck[32], nonce[32], *pt;
	size_t		 i, len;
	char		 hex[65], *out;

	/*
	 * "The conversation key and nonce below" are the first ones the
	 * listing gives, encrypt_decrypt[0]'s (long_msg[0]'s do not match).
	 */
	unhex("c41c775356fd92eadc63ff5a0dc1da211b268cbea22316767095b2871ea1412d",
	    ck, 32);
	memset(nonce, 0, sizeof(nonce));
	nonce[31] = 1;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pt = repeat("a", v[i].len, &len);
		sha256_hex(pt, len, hex);
		ck_assert_str_eq(hex, v[i].pt_sha);
		ck_assert_int_eq(nip44_encrypt(ck, nonce, pt, len, &out),
		    len <= NIP44_PT_MAX ? 0 : -1);
		if (out != NULL)
			free(out);
		ck_assert_int_eq(nip44_encrypt_ext(ck, nonce, pt, len, &out),
		    0);
		sha256_hex((const uint8_t *)out, strlen(out), hex);
		ck_assert_msg(strcmp(hex, v[i].payload_sha) == 0,
		    "L=%zu: payload sha256 %s", len, hex);
		decrypt_ok(ck, out, pt, len);
		free(out);
		free(pt);
	}
	printf("nip44 extended-length (amendment): %zu\n", i);
}
END_TEST

/* Unpadding rules one at a time, each behind a valid MAC */
START_TEST(test_unpad_rules)
{
	uint8_t	 ck[32], *body;
	char	*p;

	memset(ck, 0x33, sizeof(ck));
	ck_assert((body = calloc(1, 6 + 65536)) != NULL);

	/* a well-formed u16 body decrypts */
	body[1] = 5;
	memcpy(body + 2, "hello", 5);
	p = seal_body(ck, body, 2 + 32);
	decrypt_ok(ck, p, (const uint8_t *)"hello", 5);
	free(p);
	/* padding that is not the padded length, above and below */
	p = seal_body(ck, body, 2 + 64);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	body[1] = 33;
	p = seal_body(ck, body, 2 + 33);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	/* a length beyond the body */
	body[0] = 0x01;
	body[1] = 5;
	p = seal_body(ck, body, 2 + 32);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	/* length 0 in both forms */
	memset(body, 0, 6);
	p = seal_body(ck, body, 2 + 32);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	/* the u32 form carrying a length the u16 form must carry */
	memset(body, 0, 6);
	body[4] = 0xff;
	body[5] = 0xff;
	p = seal_body(ck, body, 6 + 65536);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	/* the u32 form at 65536: fine with 6 + 65536, not with 2 + 65536 */
	body[3] = 0x01;
	body[4] = body[5] = 0;
	p = seal_body(ck, body, 6 + 65536);
	decrypt_ok(ck, p, body + 6, 65536);
	free(p);
	p = seal_body(ck, body, 2 + 65536);
	decrypt_fails(ck, p, strlen(p), "invalid padding");
	free(p);
	free(body);
}
END_TEST

/* Every flipped bit of the raw payload after the version byte */
static void
flip_every_bit(const uint8_t ck[32], const char *payload, size_t len)
{
	uint8_t	 raw[200];
	size_t	 rawlen, i, j;
	char	 b[300];

	ck_assert(sodium_base642bin(raw, sizeof(raw), payload, len, NULL,
	    &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	for (i = 1; i < rawlen; i++)
		for (j = 0; j < 8; j++) {
			raw[i] ^= (uint8_t)(1 << j);
			sodium_bin2base64(b, sizeof(b), raw, rawlen,
			    sodium_base64_VARIANT_ORIGINAL);
			decrypt_fails(ck, b, strlen(b), "invalid MAC");
			raw[i] ^= (uint8_t)(1 << j);
		}
}

START_TEST(test_nip44_payload_rules)
{
	uint8_t		 ck[32], nonce[32];
	char		*p, *q, *big;
	size_t		 len;

	memset(ck, 0x44, sizeof(ck));
	memset(nonce, 0x55, sizeof(nonce));
	ck_assert_int_eq(nip44_encrypt(ck, nonce, (const uint8_t *)"hi", 2,
	    &p), 0);
	len = strlen(p);
	/* a wrong key is a MAC failure, never a plaintext */
	ck[0] ^= 1;
	decrypt_fails(ck, p, len, "invalid MAC");
	ck[0] ^= 1;
	flip_every_bit(ck, p, len);
	/* whitespace, missing padding, trailing garbage: not base64 */
	ck_assert((q = malloc(len + 2)) != NULL);
	memcpy(q, p, len);
	q[len] = '\n';
	decrypt_fails(ck, q, len + 1, "invalid base64");
	q[len] = 'A';
	q[len + 1] = 'A';
	decrypt_fails(ck, q, len + 2, "invalid base64");
	/* an embedded NUL counts as a bad character, not an end */
	memcpy(q, p, len);
	q[10] = '\0';
	decrypt_fails(ck, q, len, "invalid base64");
	free(q);
	/* a random nonce: fresh each time, and the round trip holds */
	ck_assert_int_eq(nip44_encrypt(ck, NULL, (const uint8_t *)"hi", 2,
	    &q), 0);
	ck_assert_str_ne(p, q);
	decrypt_ok(ck, q, (const uint8_t *)"hi", 2);
	free(q);
	free(p);
	/* the longest payload read, and one character more */
	ck_assert((big = malloc(NIP44_PAYLOAD_MAX + 2)) != NULL);
	memset(big, 'A', NIP44_PAYLOAD_MAX + 1);
	big[NIP44_PAYLOAD_MAX + 1] = '\0';
	decrypt_fails(ck, big, NIP44_PAYLOAD_MAX + 1,
	    "invalid payload length");
	decrypt_fails(ck, big, NIP44_PAYLOAD_MAX,
	    "unknown encryption version 0");
	/* 132 characters, but only 97 bytes */
	memcpy(big, "Ag", 2);
	memcpy(big + 130, "==", 2);
	decrypt_fails(ck, big, 132, "invalid data length");
	free(big);
	/* NULL plaintext and bad keys are refused, not crashed on */
	ck_assert_int_eq(nip44_encrypt(ck, NULL, NULL, 1, &p), -1);
}
END_TEST

/* §C.10: customer (#2) to provider (#1) */
START_TEST(test_dvm_vector)
{
	static const char pt[] = "[[\"i\",\"what is the capital of France?\","
	    "\"text\"],[\"param\",\"model\",\"LLaMA-2\"]]";
	static const char p04[] = "G4f3oCbDD4Z3ofZ4YbvWnX9sFld9fxDfmZiiGARujV"
	    "EyzvgaFdFBCdcZFc2sNs/WkYrTOW1apzcihBDyIZWZmUIV9Y9gzON7ohS1NT2btew="
	    "?iv=AAECAwQFBgcICQoLDA0ODw==";
	static const char p44[] = "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAH"
	    "swaTd1S+WBprso+E7I93XTnHqqrKhiWSSnKCmROqd2mln2Yzu9N36cCVvmMk7+bG"
	    "W3s7b3dE7hF+5ocCqMRWSR6IhXnu0hoHWTfHYob9uNl5HYymFCfOSume8ogfFtBS"
	    "CJyl6deir58zOSNNQZty0Gzes4Vjruy8bPkxr6RJo70hhQ==";
	uint8_t		 sk1[32], pk1[32], sk2[32], pk2[32], iv[16], nonce[32];
	uint8_t		 x[32], want[32], ck[32], *out;
	size_t		 i, outlen;
	char		*s;

	unhex(SK1, sk1, 32);
	unhex(PK1, pk1, 32);
	unhex(SK2, sk2, 32);
	unhex(PK2, pk2, 32);
	ck_assert_int_eq(nip44_shared_x(sk2, pk1, x), 0);
	unhex("cfbb00ea4b4fba36a59396a766fc61cb684b191f9a9573dc36bee1ef4bda3cc1",
	    want, 32);
	ck_assert(memcmp(x, want, 32) == 0);
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)i;
	ck_assert_int_eq(nip04_encrypt_iv(sk2, pk1, iv, (const uint8_t *)pt,
	    strlen(pt), &s), 0);
	ck_assert_str_eq(s, p04);
	free(s);
	ck_assert_int_eq(nip04_decrypt(sk1, pk2, p04, strlen(p04), &out,
	    &outlen, NULL, 0), 0);
	ck_assert_uint_eq(outlen, strlen(pt));
	ck_assert(memcmp(out, pt, outlen) == 0);
	freezero(out, outlen + 1);

	ck_assert_int_eq(nip44_conversation_key(sk2, pk1, ck), 0);
	unhex("63bd15d02b154f17b040e80ce12c489c500ce23bc5e64227fa1bbdb277d941bf",
	    want, 32);
	ck_assert(memcmp(ck, want, 32) == 0);
	memset(nonce, 0, sizeof(nonce));
	nonce[31] = 7;
	ck_assert_int_eq(nip44_encrypt(ck, nonce, (const uint8_t *)pt,
	    strlen(pt), &s), 0);
	ck_assert_str_eq(s, p44);
	free(s);
	ck_assert_int_eq(nip44_conversation_key(sk1, pk2, ck), 0);
	decrypt_ok(ck, p44, (const uint8_t *)pt, strlen(pt));
	ck_assert_int_eq(nip_detect(p04, strlen(p04)), NIP_SCHEME_04);
	ck_assert_int_eq(nip_detect(p44, strlen(p44)), NIP_SCHEME_44);
	printf("dvm vector (PROTOCOL.md C.10): nip04 + nip44\n");
}
END_TEST

START_TEST(test_nip04_roundtrip)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 33, 1000 };
	uint8_t		 sk1[32], pk1[32], sk2[32], pk2[32], sk3[32], pk3[32];
	uint8_t		 pt[1000], *out;
	size_t		 i, outlen;
	char		*s, *t;

	unhex(SK1, sk1, 32);
	unhex(PK1, pk1, 32);
	unhex(SK2, sk2, 32);
	unhex(PK2, pk2, 32);
	memset(sk3, 0x07, sizeof(sk3));
	xonly_pub(sk3, pk3);
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ck_assert_int_eq(nip04_encrypt(sk1, pk2, pt, lens[i], &s), 0);
		ck_assert_int_eq(nip_detect(s, strlen(s)), NIP_SCHEME_04);
		/* B decrypts what A sent with B's key and A's public key */
		ck_assert_int_eq(nip04_decrypt(sk2, pk1, s, strlen(s), &out,
		    &outlen, NULL, 0), 0);
		ck_assert_uint_eq(outlen, lens[i]);
		ck_assert(lens[i] == 0 || memcmp(out, pt, outlen) == 0);
		freezero(out, outlen + 1);
		/* the IV is random: the same message twice differs */
		ck_assert_int_eq(nip04_encrypt(sk1, pk2, pt, lens[i], &t), 0);
		ck_assert_str_ne(s, t);
		free(t);
		/* a third party's key never yields the message */
		if (nip04_decrypt(sk3, pk1, s, strlen(s), &out, &outlen, NULL,
		    0) == 0) {
			ck_assert(lens[i] == 0 || outlen != lens[i] ||
			    memcmp(out, pt, outlen) != 0);
			freezero(out, outlen + 1);
		}
		free(s);
	}
	ck_assert_int_eq(nip04_encrypt(sk1, pk2, NULL, 1, &s), -1);
	ck_assert_ptr_null(s);
	memset(sk3, 0, sizeof(sk3));
	ck_assert_int_eq(nip04_encrypt(sk3, pk2, pt, 1, &s), -1);
	memset(pk3, 0xff, sizeof(pk3));
	ck_assert_int_eq(nip04_encrypt(sk1, pk3, pt, 1, &s), -1);
}
END_TEST

/*
 * Computed once with Python's cryptography package (its own ECDH and
 * AES): A = NIP-06 key #1, B = key #2, IV a0..af.
 */
START_TEST(test_nip04_known_answer)
{
	static const char	 pt[] = "Bazaar job: review this patch, please.";
	static const char	 want[] = "3bU7dYB1lKTPpvxXOsa4Ya04PBP2DlssGRu7B"
	    "fW3Vpm6BTnfWG4mNCSWgUHTF6AP?iv=oKGio6SlpqeoqaqrrK2urw==";
	static const char	 want0[] =
	    "fQhqSFpGSbhkjF2nTNLqKg==?iv=oKGio6SlpqeoqaqrrK2urw==";
	uint8_t			 sk1[32], pk1[32], sk2[32], pk2[32], iv[16];
	uint8_t			*out;
	size_t			 i, outlen;
	char			*s;

	unhex(SK1, sk1, 32);
	unhex(PK1, pk1, 32);
	unhex(SK2, sk2, 32);
	unhex(PK2, pk2, 32);
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(0xa0 + i);
	ck_assert_int_eq(nip04_encrypt_iv(sk1, pk2, iv, (const uint8_t *)pt,
	    strlen(pt), &s), 0);
	ck_assert_str_eq(s, want);
	free(s);
	/* the shared key is symmetric: B to A gives the same bytes */
	ck_assert_int_eq(nip04_encrypt_iv(sk2, pk1, iv, (const uint8_t *)pt,
	    strlen(pt), &s), 0);
	ck_assert_str_eq(s, want);
	free(s);
	ck_assert_int_eq(nip04_decrypt(sk2, pk1, want, strlen(want), &out,
	    &outlen, NULL, 0), 0);
	ck_assert_uint_eq(outlen, strlen(pt));
	ck_assert(memcmp(out, pt, outlen) == 0);
	freezero(out, outlen + 1);
	ck_assert_int_eq(nip04_decrypt(sk1, pk2, want, strlen(want), &out,
	    &outlen, NULL, 0), 0);
	ck_assert_uint_eq(outlen, strlen(pt));
	freezero(out, outlen + 1);
	ck_assert_int_eq(nip04_encrypt_iv(sk1, pk2, iv, NULL, 0, &s), 0);
	ck_assert_str_eq(s, want0);
	free(s);
}
END_TEST

/* Encrypt chosen blocks with the A-B key and no padding added */
static char *
nip04_raw(const uint8_t key[32], const uint8_t iv[16], const uint8_t *blk,
    size_t len)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 ct[64];
	char		 b1[128], b2[32], *s;
	int		 n1, n2;

	ck_assert(len <= sizeof(ct) && len % 16 == 0);
	ck_assert((ctx = EVP_CIPHER_CTX_new()) != NULL);
	ck_assert(EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key,
	    iv) == 1);
	ck_assert(EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
	ck_assert(EVP_EncryptUpdate(ctx, ct, &n1, blk, (int)len) == 1);
	ck_assert(EVP_EncryptFinal_ex(ctx, ct + n1, &n2) == 1);
	EVP_CIPHER_CTX_free(ctx);
	sodium_bin2base64(b1, sizeof(b1), ct, len,
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b2, sizeof(b2), iv, 16,
	    sodium_base64_VARIANT_ORIGINAL);
	ck_assert(asprintf(&s, "%s?iv=%s", b1, b2) != -1);
	return (s);
}

static void
nip04_fails(const char *payload, const char *want)
{
	uint8_t	 sk2[32], pk1[32], *out = (uint8_t *)1;
	size_t	 outlen = 1;
	char	 err[128] = "";

	unhex(SK2, sk2, 32);
	unhex(PK1, pk1, 32);
	ck_assert_int_eq(nip04_decrypt(sk2, pk1, payload, strlen(payload),
	    &out, &outlen, err, sizeof(err)), -1);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(outlen, 0);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "%s: error \"%s\", want \"%s\"", payload, err, want);
}

START_TEST(test_nip04_reject)
{
	static const char	 ok[] = "3bU7dYB1lKTPpvxXOsa4Ya04PBP2DlssGRu7B"
	    "fW3Vpm6BTnfWG4mNCSWgUHTF6AP";
	static const char	 iv[] = "oKGio6SlpqeoqaqrrK2urw==";
	uint8_t			 sk1[32], pk2[32], key[32], ivb[16], blk[32];
	uint8_t			*out;
	size_t			 i, outlen;
	char			 buf[512], *s, *big;

	nip04_fails("", "invalid payload length");
	nip04_fails(ok, "missing ?iv=");
	(void)snprintf(buf, sizeof(buf), "%s?iv=%s?iv=%s", ok, iv, iv);
	nip04_fails(buf, "more than one ?iv=");
	(void)snprintf(buf, sizeof(buf), "%s?IV=%s", ok, iv);
	nip04_fails(buf, "missing ?iv=");
	/* IV of 15 and 17 bytes, unpadded, with whitespace, empty */
	(void)snprintf(buf, sizeof(buf), "%s?iv=oKGio6SlpqeoqaqrrK2u", ok);
	nip04_fails(buf, "invalid iv");
	(void)snprintf(buf, sizeof(buf), "%s?iv=oKGio6SlpqeoqaqrrK2urwA=", ok);
	nip04_fails(buf, "invalid iv");
	(void)snprintf(buf, sizeof(buf), "%s?iv=oKGio6SlpqeoqaqrrK2urw", ok);
	nip04_fails(buf, "invalid iv");
	(void)snprintf(buf, sizeof(buf), "%s?iv=%s ", ok, iv);
	nip04_fails(buf, "invalid iv");
	(void)snprintf(buf, sizeof(buf), "%s?iv=", ok);
	nip04_fails(buf, "invalid iv");
	/* no ciphertext, 15 bytes, 17 bytes, bad characters */
	(void)snprintf(buf, sizeof(buf), "?iv=%s", iv);
	nip04_fails(buf, "invalid ciphertext length");
	(void)snprintf(buf, sizeof(buf), "AAAAAAAAAAAAAAAAAAAA?iv=%s", iv);
	nip04_fails(buf, "invalid ciphertext length");
	(void)snprintf(buf, sizeof(buf), "AAAAAAAAAAAAAAAAAAAAAAA=?iv=%s", iv);
	nip04_fails(buf, "invalid ciphertext length");
	(void)snprintf(buf, sizeof(buf),
	    "AAAAAAAAAAAAAAAAAAAAAAAA?iv=%s", iv);
	nip04_fails(buf, "invalid ciphertext length");
	(void)snprintf(buf, sizeof(buf), "AAAAAAAAAAAAAAAAAAAA*A==?iv=%s", iv);
	nip04_fails(buf, "invalid base64");

	/* padding bytes: 0, 17, and 4 claimed but one of them differs */
	unhex(SK1, sk1, 32);
	unhex(PK2, pk2, 32);
	ck_assert_int_eq(nip44_shared_x(sk1, pk2, key), 0);
	for (i = 0; i < sizeof(ivb); i++)
		ivb[i] = (uint8_t)(0xa0 + i);
	memset(blk, 'x', sizeof(blk));
	blk[31] = 0;
	s = nip04_raw(key, ivb, blk, 32);
	nip04_fails(s, "invalid padding");
	free(s);
	blk[31] = 17;
	s = nip04_raw(key, ivb, blk, 32);
	nip04_fails(s, "invalid padding");
	free(s);
	memset(blk + 28, 4, 4);
	blk[29] = 5;
	s = nip04_raw(key, ivb, blk, 32);
	nip04_fails(s, "invalid padding");
	free(s);
	/* and a block of sixteen 16s is a good, empty-tailed message */
	memset(blk + 16, 16, 16);
	s = nip04_raw(key, ivb, blk, 32);
	ck_assert_int_eq(nip04_decrypt(sk1, pk2, s,
	    strlen(s), &out, &outlen, NULL, 0), 0);
	ck_assert_uint_eq(outlen, 16);
	freezero(out, outlen + 1);
	free(s);

	/* bounded: one character over the limit, and NIP04_PT_MAX + 1 */
	ck_assert((big = malloc(NIP04_PAYLOAD_MAX + 2)) != NULL);
	memset(big, 'A', NIP04_PAYLOAD_MAX + 1);
	big[NIP04_PAYLOAD_MAX + 1] = '\0';
	nip04_fails(big, "invalid payload length");
	free(big);
	ck_assert((big = calloc(1, NIP04_PT_MAX + 1)) != NULL);
	ck_assert_int_eq(nip04_encrypt(sk1, pk2, (uint8_t *)big,
	    NIP04_PT_MAX + 1, &s), -1);
	ck_assert_int_eq(nip04_encrypt(sk1, pk2, (uint8_t *)big,
	    NIP04_PT_MAX, &s), 0);
	ck_assert_uint_le(strlen(s), NIP04_PAYLOAD_MAX);
	ck_assert_int_eq(nip04_decrypt(sk1, pk2, s, strlen(s), &out, &outlen,
	    NULL, 0), 0);
	ck_assert_uint_eq(outlen, NIP04_PT_MAX);
	freezero(out, outlen + 1);
	free(s);
	free(big);
}
END_TEST

START_TEST(test_detect)
{
	static const struct {
		const char	*s;
		int		 want;
	} v[] = {
		{ "abc?iv=def", NIP_SCHEME_04 },
		{ "AgAAAAAA", NIP_SCHEME_44 },
		{ "Ag==", NIP_SCHEME_44 },
		{ "Av//", NIP_SCHEME_44 },
		{ "Aw==", NIP_SCHEME_UNKNOWN },
		{ "AQ==", NIP_SCHEME_UNKNOWN },
		{ "#AgAA", NIP_SCHEME_UNKNOWN },
		{ "Ag", NIP_SCHEME_UNKNOWN },
		{ "", NIP_SCHEME_UNKNOWN },
		{ "{\"a\":1}", NIP_SCHEME_UNKNOWN },
	};
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(nip_detect(v[i].s, strlen(v[i].s)) == v[i].want,
		    "%s", v[i].s);
	ck_assert_int_eq(nip_detect(NULL, 0), NIP_SCHEME_UNKNOWN);
}
END_TEST

static Suite *
crypt_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("crypt");
	tc = tcase_create("nip44");
	tcase_add_test(tc, test_conversation_key);
	tcase_add_test(tc, test_message_keys);
	tcase_add_test(tc, test_padded_len);
	tcase_add_test(tc, test_encrypt_decrypt);
	tcase_add_test(tc, test_long_msg);
	tcase_add_test(tc, test_msg_lengths);
	tcase_add_test(tc, test_conversation_key_invalid);
	tcase_add_test(tc, test_decrypt_invalid);
	tcase_add_test(tc, test_extended);
	tcase_add_test(tc, test_unpad_rules);
	tcase_add_test(tc, test_nip44_payload_rules);
	suite_add_tcase(s, tc);
	tc = tcase_create("nip04");
	tcase_add_test(tc, test_dvm_vector);
	tcase_add_test(tc, test_nip04_roundtrip);
	tcase_add_test(tc, test_nip04_known_answer);
	tcase_add_test(tc, test_nip04_reject);
	tcase_add_test(tc, test_detect);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (sodium_init() < 0)
		return (1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sr = srunner_create(crypt_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	yajl_tree_free(root);
	return (failed == 0 ? 0 : 1);
}
