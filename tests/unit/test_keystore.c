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
 * The identity file format against the PROTOCOL.md §B.3 vector, its
 * refusals field by field, the atomic 0600 write, and where the
 * passphrase comes from.  Argon2id at the default cost takes a tenth
 * of a second, so only the vector tests pay it; the rest use the
 * smallest parameters or fail before any key is derived.
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hex.h"
#include "keystore.h"
#include "passphrase.h"

#define PASSWORD	"test_password_123"
#define MNEMONIC	"abandon abandon abandon abandon abandon abandon " \
			"abandon abandon abandon abandon abandon about"
#define KAT_KEY		"102505f75fbc8c430b0700073b6fd2d052a8f729f151ce696c" \
			"01c5f2ff91970b"
#define KAT_CT		"DXTIVrLUy4uL2P9tv1lO1RKu3oXAWMQbE1x5PVNGrkcGgTktr+d" \
			"51lPC44ilpuzdHmjiVuhQ8hO/Rz9NkkWlgs2KgrRcm8QBvHrJMb" \
			"aIyiCOcDB0FO9b9ITmZdExldTPr8fMr7oIhdjpOFlU6A=="

/* §B.3, as the OpenAgents tools write it */
static const char kat_json[] =
	"{\n"
	"  \"ciphertext\": \"" KAT_CT "\",\n"
	"  \"nonce\": \"AAECAwQFBgcICQoL\",\n"
	"  \"salt\": \"AAECAwQFBgcICQoLDA0ODw\",\n"
	"  \"version\": 1,\n"
	"  \"argon2_params\": {\n"
	"    \"m_cost\": 19456,\n"
	"    \"t_cost\": 2,\n"
	"    \"p_cost\": 1\n"
	"  }\n"
	"}";

static const char legacy_json[] =
	"{\n"
	"  \"ciphertext\": \"" KAT_CT "\",\n"
	"  \"nonce\": \"AAECAwQFBgcICQoL\",\n"
	"  \"salt\": \"AAECAwQFBgcICQoLDA0ODw\",\n"
	"  \"version\": 1\n"
	"}";

static const uint8_t kat_salt[KEYSTORE_SALT_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};
static const uint8_t kat_nonce[KEYSTORE_NONCE_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
};

/* The cheapest parameters Argon2 takes, for tests of everything else. */
static const struct keystore_params cheap = { 8, 1, 1 };

static void
pjoin(char *buf, size_t len, const char *dir, const char *name)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", dir, name);
	ck_assert(n > 0 && (size_t)n < len);
}

static void
tmpdir_make(char *buf, size_t len)
{
	const char	*t;
	int		 n;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	n = snprintf(buf, len, "%s/oa-keystore.XXXXXX", t);
	ck_assert(n > 0 && (size_t)n < len);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static int
dir_count(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return (n);
}

static void
tmpdir_remove(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	char		 f[PATH_MAX];

	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		pjoin(f, sizeof(f), path, e->d_name);
		ck_assert_int_eq(unlink(f), 0);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(path), 0);
}

static void
file_put(const char *dir, const char *name, const char *data, size_t len,
    char *path, size_t pathlen)
{
	int	 fd;

	pjoin(path, pathlen, dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

static char *
file_get(const char *path, size_t *len)
{
	char	*buf;
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	ck_assert_int_eq(keystore_read_fd(fd, &buf, len, 1 << 20), 0);
	ck_assert_int_eq(close(fd), 0);
	return (buf);
}

START_TEST(ks_kat_key)
{
	struct keystore_params	 p = { KEYSTORE_M_COST, KEYSTORE_T_COST,
				    KEYSTORE_P_COST };
	uint8_t			 key[KEYSTORE_KEY_LEN];
	char			 hex[2 * KEYSTORE_KEY_LEN + 1];

	ck_assert_int_eq(keystore_derive_key(PASSWORD, kat_salt, &p, key), 0);
	hex_encode(key, sizeof(key), hex);
	ck_assert_str_eq(hex, KAT_KEY);
}
END_TEST

START_TEST(ks_kat_seal)
{
	char	*json;
	size_t	 len;

	ck_assert_int_eq(keystore_seal(PASSWORD, (const uint8_t *)MNEMONIC,
	    strlen(MNEMONIC), NULL, kat_salt, kat_nonce, &json, &len), 0);
	ck_assert_uint_eq(len, strlen(json));
	ck_assert_uint_eq(len, strlen(kat_json) + 1);
	ck_assert_int_eq(memcmp(json, kat_json, len - 1), 0);
	ck_assert_int_eq(json[len - 1], '\n');
	free(json);
}
END_TEST

START_TEST(ks_kat_open)
{
	uint8_t	*out;
	size_t	 outlen = 99;
	char	 err[256];

	/* walletd opens into locked memory: do the same */
	ck_assert_ptr_nonnull(out = sodium_malloc(256));
	ck_assert_int_eq(keystore_open(kat_json, strlen(kat_json), PASSWORD,
	    out, 256, &outlen, err, sizeof(err)), KEYSTORE_OK);
	ck_assert_uint_eq(outlen, strlen(MNEMONIC));
	ck_assert_int_eq(memcmp(out, MNEMONIC, outlen), 0);
	sodium_free(out);
}
END_TEST

START_TEST(ks_badpass)
{
	uint8_t	 out[256];
	size_t	 outlen = 99, i;
	char	 err[256];

	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(keystore_open(kat_json, strlen(kat_json),
	    "test_password_124", out, sizeof(out), &outlen, err, sizeof(err)),
	    KEYSTORE_BADPASS);
	ck_assert_str_eq(err, "wrong passphrase");
	ck_assert_uint_eq(outlen, 0);
	/* what GCM wrote before the tag failed is gone */
	for (i = 0; i < strlen(MNEMONIC); i++)
		ck_assert_int_eq(out[i], 0);
}
END_TEST

START_TEST(ks_legacy)
{
	struct keystore_file	 kf;
	uint8_t			 out[256];
	size_t			 outlen;
	char			 err[256];

	ck_assert_int_eq(keystore_parse(legacy_json, strlen(legacy_json),
	    &kf, err, sizeof(err)), KEYSTORE_OK);
	ck_assert_int_eq(kf.kf_legacy, 1);
	ck_assert_uint_eq(kf.kf_params.kp_m_cost, KEYSTORE_M_COST);
	ck_assert_uint_eq(kf.kf_params.kp_t_cost, KEYSTORE_T_COST);
	ck_assert_uint_eq(kf.kf_params.kp_p_cost, KEYSTORE_P_COST);
	keystore_file_clear(&kf);

	ck_assert_int_eq(keystore_open(legacy_json, strlen(legacy_json),
	    PASSWORD, out, sizeof(out), &outlen, err, sizeof(err)),
	    KEYSTORE_OK);
	ck_assert_uint_eq(outlen, strlen(MNEMONIC));
	ck_assert_int_eq(memcmp(out, MNEMONIC, outlen), 0);
}
END_TEST

START_TEST(ks_toobig)
{
	uint8_t	 out[256];
	size_t	 outlen = 99;
	char	 err[256];

	ck_assert_int_eq(keystore_open(kat_json, strlen(kat_json), PASSWORD,
	    out, strlen(MNEMONIC) - 1, &outlen, err, sizeof(err)),
	    KEYSTORE_TOOBIG);
	ck_assert_uint_eq(outlen, 0);
	ck_assert_str_eq(err, "the secret is 93 bytes, the buffer 92");
}
END_TEST

/* Cheap parameters, random salt and nonce, an exact-size buffer. */
START_TEST(ks_roundtrip)
{
	static const char	 uri[] = "nostr+walletconnect://b889ff5b1513b6"
				    "41e2a139f661a661364979c5beee91842f8f0ef42"
				    "ab558e9d4?relay=wss%3A%2F%2Frelay.damus.io"
				    "&secret=71a8c14c1407c113601079c4302dab36"
				    "460f0ccd0ad506f1f2dc73b5100e4f3c";
	struct keystore_file	 kf;
	uint8_t			*out;
	char			*a, *b, err[256];
	size_t			 alen, blen, outlen;

	ck_assert_int_eq(keystore_seal("pw", (const uint8_t *)uri,
	    strlen(uri), &cheap, NULL, NULL, &a, &alen), 0);
	ck_assert_int_eq(keystore_seal("pw", (const uint8_t *)uri,
	    strlen(uri), &cheap, NULL, NULL, &b, &blen), 0);
	ck_assert_str_ne(a, b);

	ck_assert_int_eq(keystore_parse(a, alen, &kf, err, sizeof(err)),
	    KEYSTORE_OK);
	ck_assert_int_eq(kf.kf_legacy, 0);
	ck_assert_uint_eq(kf.kf_params.kp_m_cost, 8);
	ck_assert_uint_eq(kf.kf_params.kp_t_cost, 1);
	ck_assert_uint_eq(kf.kf_ctlen, strlen(uri) + KEYSTORE_TAG_LEN);
	keystore_file_clear(&kf);

	ck_assert_ptr_nonnull(out = sodium_malloc(strlen(uri)));
	ck_assert_int_eq(keystore_open(b, blen, "pw", out, strlen(uri),
	    &outlen, err, sizeof(err)), KEYSTORE_OK);
	ck_assert_uint_eq(outlen, strlen(uri));
	ck_assert_int_eq(memcmp(out, uri, outlen), 0);
	ck_assert_int_eq(keystore_open(b, blen, "pW", out, strlen(uri),
	    &outlen, err, sizeof(err)), KEYSTORE_BADPASS);
	sodium_free(out);
	free(a);
	free(b);
}
END_TEST

START_TEST(ks_seal_refuses)
{
	struct keystore_params	 p;
	char			*json = NULL;
	size_t			 len;

	p = cheap;
	p.kp_p_cost = 2;
	ck_assert_int_eq(keystore_seal("pw", (const uint8_t *)"x", 1, &p,
	    NULL, NULL, &json, &len), -1);
	ck_assert_int_eq(errno, EINVAL);
	p = cheap;
	p.kp_m_cost = KEYSTORE_M_COST_MAX + 1;
	ck_assert_int_eq(keystore_seal("pw", (const uint8_t *)"x", 1, &p,
	    NULL, NULL, &json, &len), -1);
	p = cheap;
	p.kp_t_cost = 0;
	ck_assert_int_eq(keystore_seal("pw", (const uint8_t *)"x", 1, &p,
	    NULL, NULL, &json, &len), -1);
	ck_assert_int_eq(keystore_seal(NULL, (const uint8_t *)"x", 1, &cheap,
	    NULL, NULL, &json, &len), -1);
	ck_assert_ptr_null(json);
}
END_TEST

#define F_CT	"\"ciphertext\": \"" KAT_CT "\""
#define F_NONCE	"\"nonce\": \"AAECAwQFBgcICQoL\""
#define F_SALT	"\"salt\": \"AAECAwQFBgcICQoLDA0ODw\""
#define F_VER	"\"version\": 1"
#define PAR(m, t, p) \
	"\"argon2_params\": {\"m_cost\": " m ", \"t_cost\": " t \
	", \"p_cost\": " p "}"
#define F_PAR	PAR("19456", "2", "1")
#define OBJ(a, b, c, d, e)	"{" a ", " b ", " c ", " d ", " e "}"

static const struct {
	const char	*json;
	const char	*err;
} bad[] = {
	{ "", "empty file" },
	{ "   ", "not JSON: " },
	{ "{", "not JSON: " },
	{ "null", "not a JSON object" },
	{ "[1, 2]", "not a JSON object" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, F_PAR) " x", "not JSON: " },
	{ "{/* \" */" F_CT ", " F_NONCE "}", "not JSON" },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	    "not JSON" },
	{ "{" F_NONCE ", " F_SALT ", " F_VER ", " F_PAR "}",
	    "ciphertext: missing" },
	{ OBJ("\"ciphertext\": 7", F_NONCE, F_SALT, F_VER, F_PAR),
	    "ciphertext: not a string" },
	{ OBJ("\"ciphertext\": \"DX*I\"", F_NONCE, F_SALT, F_VER, F_PAR),
	    "ciphertext: not base64" },
	{ OBJ("\"ciphertext\": \"AAAA\"", F_NONCE, F_SALT, F_VER, F_PAR),
	    "ciphertext: 3 bytes, shorter than the 16-byte tag" },
	{ OBJ(F_CT, F_CT, F_NONCE, F_SALT, F_VER), "ciphertext: given twice" },
	{ "{" F_CT ", " F_SALT ", " F_VER ", " F_PAR "}", "nonce: missing" },
	{ OBJ(F_CT, "\"nonce\": null", F_SALT, F_VER, F_PAR),
	    "nonce: not a string" },
	{ OBJ(F_CT, "\"nonce\": \"AAECAwQFBgcICQ==\"", F_SALT, F_VER, F_PAR),
	    "nonce: 10 bytes, not 12" },
	{ OBJ(F_CT, "\"nonce\": \"AAECAwQFBgcICQoLDA0ODw==\"", F_SALT, F_VER,
	    F_PAR), "nonce: 16 bytes, not 12" },
	{ OBJ(F_CT, "\"nonce\": \"" KAT_CT "\"", F_SALT, F_VER, F_PAR),
	    "nonce: not base64 of 12 bytes" },
	{ OBJ(F_CT, "\"nonce\": \"AAECAwQF-gcICQoL\"", F_SALT, F_VER, F_PAR),
	    "nonce: not base64" },
	{ "{" F_CT ", " F_NONCE ", " F_VER ", " F_PAR "}", "salt: missing" },
	{ OBJ(F_CT, F_NONCE, "\"salt\": \"AAECAwQFBgcICQoLDA0O\"", F_VER,
	    F_PAR), "salt: 15 bytes, not 16" },
	{ OBJ(F_CT, F_NONCE, "\"salt\": \"AAECAwQFBgcICQoLDA0ODw=\"", F_VER,
	    F_PAR), "salt: not base64" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_SALT, F_VER), "salt: given twice" },
	{ "{" F_CT ", " F_NONCE ", " F_SALT ", " F_PAR "}",
	    "version: missing" },
	{ OBJ(F_CT, F_NONCE, F_SALT, "\"version\": 2", F_PAR),
	    "version: 2 is not supported (only 1)" },
	{ OBJ(F_CT, F_NONCE, F_SALT, "\"version\": \"1\"", F_PAR),
	    "version: not an integer" },
	{ OBJ(F_CT, F_NONCE, F_SALT, "\"version\": 1.0", F_PAR),
	    "version: not an integer" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, "\"argon2_params\": []"),
	    "argon2_params: not an object" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER,
	    "\"argon2_params\": {\"t_cost\": 2, \"p_cost\": 1}"),
	    "argon2_params.m_cost: missing" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("2000000", "2", "1")),
	    "argon2_params.m_cost: 2000000 is out of range (8 to 1048576)" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("7", "2", "1")),
	    "argon2_params.m_cost: 7 is out of range" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("-19456", "2", "1")),
	    "argon2_params.m_cost: -19456 is out of range" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER,
	    PAR("99999999999999999999999", "2", "1")),
	    "argon2_params.m_cost: not an integer" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("19456", "0", "1")),
	    "argon2_params.t_cost: 0 is out of range (1 to 10)" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("19456", "11", "1")),
	    "argon2_params.t_cost: 11 is out of range" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("19456", "\"2\"", "1")),
	    "argon2_params.t_cost: not an integer" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER, PAR("19456", "2", "4")),
	    "argon2_params.p_cost: 4 is not supported (only 1)" },
	{ OBJ(F_CT, F_NONCE, F_SALT, F_VER,
	    "\"argon2_params\": {\"m_cost\": 8, \"m_cost\": 8, \"t_cost\": 1,"
	    " \"p_cost\": 1}"), "argon2_params.m_cost: given twice" },
};

START_TEST(ks_format)
{
	uint8_t	 out[256];
	size_t	 outlen = 99;
	char	 err[256];

	err[0] = '\0';
	ck_assert_msg(keystore_open(bad[_i].json, strlen(bad[_i].json),
	    PASSWORD, out, sizeof(out), &outlen, err, sizeof(err)) ==
	    KEYSTORE_FORMAT, "case %d: not refused as a format error", _i);
	ck_assert_msg(strncmp(err, bad[_i].err, strlen(bad[_i].err)) == 0,
	    "case %d: \"%s\", want \"%s\"", _i, err, bad[_i].err);
	ck_assert_uint_eq(outlen, 0);
}
END_TEST

/* What the format does not forbid: padding, other fields, order, null. */
START_TEST(ks_format_lenient)
{
	static const char	*good[] = {
		OBJ(F_CT, F_NONCE, "\"salt\": \"AAECAwQFBgcICQoLDA0ODw==\"",
		    F_VER, F_PAR),
		OBJ(F_PAR, F_VER, F_SALT, F_NONCE, F_CT),
		"{" F_CT ", " F_NONCE ", " F_SALT ", " F_VER ", "
		    "\"argon2_params\": null, \"comment\": [1, {\"a\": 2}]}",
		"\xef\xbb\xbf" OBJ(F_CT, F_NONCE, F_SALT, F_VER, F_PAR),
	};
	struct keystore_file	 kf;
	char			 err[256];
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = keystore_parse(good[i], strlen(good[i]), &kf, err,
		    sizeof(err));
		/* a byte-order mark is not JSON; say so cleanly */
		if (i == 3) {
			ck_assert_int_eq(r, KEYSTORE_FORMAT);
			continue;
		}
		ck_assert_msg(r == KEYSTORE_OK, "case %zu: %s", i, err);
		ck_assert_int_eq(memcmp(kf.kf_salt, kat_salt, 16), 0);
		ck_assert_int_eq(memcmp(kf.kf_nonce, kat_nonce, 12), 0);
		ck_assert_uint_eq(kf.kf_ctlen, strlen(MNEMONIC) + 16);
		keystore_file_clear(&kf);
	}
}
END_TEST

/* Sizes and bytes the table cannot hold. */
START_TEST(ks_format_sizes)
{
	struct keystore_file	 kf;
	char			*json, *p, err[256];
	size_t			 n, len;
	int			 r;

	/* embedded NUL: the text is more than its C string */
	ck_assert_int_eq(keystore_parse(kat_json, sizeof(kat_json), &kf, err,
	    sizeof(err)), KEYSTORE_FORMAT);
	ck_assert_str_eq(err, "not JSON");
	ck_assert_int_eq(keystore_parse(NULL, 0, &kf, err, sizeof(err)),
	    KEYSTORE_FORMAT);

	/* a ciphertext one byte over the plaintext limit */
	n = sodium_base64_ENCODED_LEN(KEYSTORE_PT_MAX + KEYSTORE_TAG_LEN + 1,
	    sodium_base64_VARIANT_ORIGINAL);
	len = n + 256;
	ck_assert_ptr_nonnull(json = calloc(1, len));
	p = json + snprintf(json, len, "{\"ciphertext\": \"");
	memset(p, 'A', n - 1);
	/* n - 1 'A's decode to a multiple of 3 bytes only when padded */
	r = snprintf(p + n - 1, len - (size_t)(p - json) - n + 1,
	    "\", " F_NONCE ", " F_SALT ", " F_VER "}");
	ck_assert(r > 0);
	ck_assert_int_eq(keystore_parse(json, strlen(json), &kf, err,
	    sizeof(err)), KEYSTORE_FORMAT);
	ck_assert_msg(strncmp(err, "ciphertext: ", 12) == 0, "%s", err);
	free(json);

	/* larger than any file of ours, whatever it holds */
	len = KEYSTORE_JSON_MAX + 1;
	ck_assert_ptr_nonnull(json = malloc(len));
	memset(json, ' ', len);
	ck_assert_int_eq(keystore_parse(json, len, &kf, err, sizeof(err)),
	    KEYSTORE_FORMAT);
	ck_assert_str_eq(err, "larger than 131072 bytes");
	free(json);
}
END_TEST

START_TEST(ks_read_fd)
{
	char	 dir[PATH_MAX], path[PATH_MAX], *buf;
	size_t	 len;
	int	 fd, p[2];

	tmpdir_make(dir, sizeof(dir));
	file_put(dir, "f", "0123456789", 10, path, sizeof(path));
	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	ck_assert_int_eq(keystore_read_fd(fd, &buf, &len, 10), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_str_eq(buf, "0123456789");
	free(buf);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(keystore_read_fd(fd, &buf, &len, 9), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_eq(close(fd), 0);

	file_put(dir, "f", "", 0, path, sizeof(path));
	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	ck_assert_int_eq(keystore_read_fd(fd, &buf, &len, 10), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	ck_assert_int_eq(close(fd), 0);
	tmpdir_remove(dir);

	/* a pipe, as the supervisor might pass it, in pieces */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "abc", 3), 3);
	ck_assert_int_eq(write(p[1], "def", 3), 3);
	ck_assert_int_eq(close(p[1]), 0);
	ck_assert_int_eq(keystore_read_fd(p[0], &buf, &len, 1 << 20), 0);
	ck_assert_str_eq(buf, "abcdef");
	free(buf);
	ck_assert_int_eq(close(p[0]), 0);
	ck_assert_int_eq(keystore_read_fd(-1, &buf, &len, 10), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(ks_write_file)
{
	struct stat	 st;
	char		 dir[PATH_MAX], path[PATH_MAX], *buf;
	size_t		 len;
	mode_t		 old;

	/* a permissive umask must not loosen the file */
	old = umask(0);
	tmpdir_make(dir, sizeof(dir));
	pjoin(path, sizeof(path), dir, "identity.enc");

	ck_assert_int_eq(keystore_write_file(path, "one\n", 4, 0), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	buf = file_get(path, &len);
	ck_assert_str_eq(buf, "one\n");
	free(buf);

	ck_assert_int_eq(keystore_write_file(path, "two\n", 4, 0), -1);
	ck_assert_int_eq(errno, EEXIST);
	buf = file_get(path, &len);
	ck_assert_str_eq(buf, "one\n");
	free(buf);
	ck_assert_int_eq(dir_count(dir), 1);

	/* force replaces it, and a 0644 file comes back 0600 */
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(keystore_write_file(path, "three\n", 6, 1), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	buf = file_get(path, &len);
	ck_assert_str_eq(buf, "three\n");
	free(buf);
	ck_assert_int_eq(dir_count(dir), 1);

	/* a dangling symlink is something there too */
	pjoin(path, sizeof(path), dir, "link");
	ck_assert_int_eq(symlink("nowhere", path), 0);
	ck_assert_int_eq(keystore_write_file(path, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(dir_count(dir), 2);

	pjoin(path, sizeof(path), dir, "no/such/file");
	ck_assert_int_eq(keystore_write_file(path, "x", 1, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(dir_count(dir), 2);
	tmpdir_remove(dir);
	(void)umask(old);
}
END_TEST

/* Each passphrase test starts from an environment with no source. */
static void
pp_clear_env(void)
{
	ck_assert_int_eq(unsetenv(PASSPHRASE_ENV), 0);
	ck_assert_int_eq(unsetenv("CREDENTIALS_DIRECTORY"), 0);
}

static int
pp_get(const char *file, char *out, char *src, char *err)
{
	return (passphrase_get(file, 0, NULL, out, PASSPHRASE_SIZE, src, 256,
	    err, 256));
}

START_TEST(pp_sources)
{
	char	 dir[PATH_MAX], cred[PATH_MAX], opt[PATH_MAX], env[PATH_MAX];
	char	 out[PASSPHRASE_SIZE], src[256], err[256], want[PATH_MAX + 64];

	pp_clear_env();
	tmpdir_make(dir, sizeof(dir));
	file_put(dir, PASSPHRASE_CREDENTIAL, "from-cred\n", 10, cred,
	    sizeof(cred));
	file_put(dir, "opt", "from-opt\n", 9, opt, sizeof(opt));
	file_put(dir, "env", "from-env\n", 9, env, sizeof(env));
	ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
	ck_assert_int_eq(setenv(PASSPHRASE_ENV, env, 1), 0);

	ck_assert_int_eq(pp_get(opt, out, src, err), 0);
	ck_assert_str_eq(out, "from-opt");
	(void)snprintf(want, sizeof(want), "--passphrase-file %s", opt);
	ck_assert_str_eq(src, want);

	ck_assert_int_eq(pp_get(NULL, out, src, err), 0);
	ck_assert_str_eq(out, "from-env");
	(void)snprintf(want, sizeof(want), PASSPHRASE_ENV " %s", env);
	ck_assert_str_eq(src, want);

	/* set but empty is not set */
	ck_assert_int_eq(setenv(PASSPHRASE_ENV, "", 1), 0);
	ck_assert_int_eq(pp_get(NULL, out, src, err), 0);
	ck_assert_str_eq(out, "from-cred");
	(void)snprintf(want, sizeof(want), "systemd credential %s", cred);
	ck_assert_str_eq(src, want);

	/* a source named but missing is an error, not a fall-through */
	pjoin(want, sizeof(want), dir, "missing");
	ck_assert_int_eq(setenv(PASSPHRASE_ENV, want, 1), 0);
	ck_assert_int_eq(pp_get(NULL, out, src, err), -1);
	(void)snprintf(want, sizeof(want),
	    "passphrase file %s/missing: No such file or directory", dir);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(src, "");
	pjoin(want, sizeof(want), dir, "missing");
	ck_assert_int_eq(pp_get(want, out, src, err), -1);
	ck_assert_msg(strncmp(err, "passphrase file ", 16) == 0 &&
	    strstr(err, "/missing: No such file or directory") != NULL,
	    "%s", err);

	pp_clear_env();
	tmpdir_remove(dir);
}
END_TEST

START_TEST(pp_lines)
{
	static const struct {
		const char	*data;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ "pw\n", "pw" },
		{ "pw", "pw" },
		{ "pw\r\n", "pw" },
		{ "pw\r\nsecond line\n", "pw" },
		{ "pw\n\n", "pw" },
		{ "a\rb\n", "a\rb" },
		{ "pw\r", "pw\r" },
		{ " spaced pass \n", " spaced pass " },
		{ "", NULL },
		{ "\n", NULL },
		{ "\r\n", NULL },
	};
	char	 dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64];
	char	 out[PASSPHRASE_SIZE], err[256], *big;
	size_t	 i;

	pp_clear_env();
	tmpdir_make(dir, sizeof(dir));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		file_put(dir, "p", cases[i].data, strlen(cases[i].data), path,
		    sizeof(path));
		if (cases[i].want != NULL) {
			ck_assert_msg(pp_get(path, out, NULL, err) == 0,
			    "case %zu: %s", i, err);
			ck_assert_str_eq(out, cases[i].want);
			continue;
		}
		ck_assert_int_eq(pp_get(path, out, NULL, err), -1);
		(void)snprintf(want, sizeof(want),
		    "passphrase file %s: empty passphrase", path);
		ck_assert_str_eq(err, want);
		ck_assert_int_eq(out[0], '\0');
	}

	/* PASSPHRASE_MAX bytes pass, with or without \r\n; one more fails */
	ck_assert_ptr_nonnull(big = malloc(PASSPHRASE_MAX + 3));
	memset(big, 'x', PASSPHRASE_MAX);
	memcpy(big + PASSPHRASE_MAX, "\r\n", 2);
	file_put(dir, "p", big, PASSPHRASE_MAX + 2, path, sizeof(path));
	ck_assert_int_eq(pp_get(path, out, NULL, err), 0);
	ck_assert_uint_eq(strlen(out), PASSPHRASE_MAX);
	file_put(dir, "p", big, PASSPHRASE_MAX, path, sizeof(path));
	ck_assert_int_eq(pp_get(path, out, NULL, err), 0);
	ck_assert_uint_eq(strlen(out), PASSPHRASE_MAX);
	memset(big, 'x', PASSPHRASE_MAX + 1);
	memcpy(big + PASSPHRASE_MAX + 1, "\r\n", 2);
	file_put(dir, "p", big, PASSPHRASE_MAX + 3, path, sizeof(path));
	ck_assert_int_eq(pp_get(path, out, NULL, err), -1);
	ck_assert_msg(strstr(err, "first line longer than 1024 bytes") != NULL,
	    "%s", err);
	file_put(dir, "p", big, PASSPHRASE_MAX + 1, path, sizeof(path));
	ck_assert_int_eq(pp_get(path, out, NULL, err), -1);
	free(big);

	file_put(dir, "p", "a\0b\n", 4, path, sizeof(path));
	ck_assert_int_eq(pp_get(path, out, NULL, err), -1);
	ck_assert_msg(strstr(err, "NUL byte") != NULL, "%s", err);

	/* readable by others: a warning on stderr, not a refusal */
	file_put(dir, "p", "pw\n", 3, path, sizeof(path));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(pp_get(path, out, NULL, err), 0);

	/* a folder is not a file */
	ck_assert_int_eq(pp_get(dir, out, NULL, err), -1);
	(void)snprintf(want, sizeof(want),
	    "passphrase file %s: Is a directory", dir);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(passphrase_get(path, 0, NULL, out,
	    PASSPHRASE_SIZE - 1, NULL, 0, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "passphrase buffer too small");
	tmpdir_remove(dir);
}
END_TEST

/*
 * Without any source the prompt is next, and without a terminal that
 * must fail cleanly.  A child in a new session has no controlling
 * terminal, whatever the test was started from.
 */
static int
pp_no_tty_child(const char *dir)
{
	char	 out[PASSPHRASE_SIZE], err[256];
	int	 fd;

	if (setsid() == -1)
		return (10);
	if ((fd = open("/dev/tty", O_RDWR)) != -1) {
		(void)close(fd);
		return (77);
	}
	if (unsetenv(PASSPHRASE_ENV) == -1 ||
	    unsetenv("CREDENTIALS_DIRECTORY") == -1)
		return (11);
	if (passphrase_get(NULL, 1, NULL, out, sizeof(out), NULL, 0, err,
	    sizeof(err)) != -1 ||
	    strcmp(err, "no passphrase: give --passphrase-file, set "
	    "OPENAGENTS_PASSPHRASE_FILE, or run on a terminal") != 0)
		return (12);
	/* a credentials folder without our credential falls through */
	if (setenv("CREDENTIALS_DIRECTORY", dir, 1) == -1)
		return (13);
	if (passphrase_get(NULL, 0, NULL, out, sizeof(out), NULL, 0, err,
	    sizeof(err)) != -1 ||
	    strncmp(err, "no passphrase: ", 15) != 0)
		return (14);
	return (0);
}

START_TEST(pp_no_terminal)
{
	char	 dir[PATH_MAX];
	pid_t	 pid;
	int	 status;

	tmpdir_make(dir, sizeof(dir));
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(pp_no_tty_child(dir));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	tmpdir_remove(dir);
	ck_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		return;		/* /dev/tty still opens: nothing to test */
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

static Suite *
keystore_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("keystore");
	tc = tcase_create("vector");
	/* Argon2id at 19 MiB is slow under valgrind */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, ks_kat_key);
	tcase_add_test(tc, ks_kat_seal);
	tcase_add_test(tc, ks_kat_open);
	tcase_add_test(tc, ks_badpass);
	tcase_add_test(tc, ks_legacy);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, ks_toobig);
	tcase_add_test(tc, ks_roundtrip);
	tcase_add_test(tc, ks_seal_refuses);
	tcase_add_loop_test(tc, ks_format, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, ks_format_lenient);
	tcase_add_test(tc, ks_format_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, ks_read_fd);
	tcase_add_test(tc, ks_write_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("passphrase");
	tcase_add_test(tc, pp_sources);
	tcase_add_test(tc, pp_lines);
	tcase_add_test(tc, pp_no_terminal);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (sodium_init() == -1)
		return (EXIT_FAILURE);
	sr = srunner_create(keystore_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
