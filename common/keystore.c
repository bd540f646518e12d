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

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include <openssl/evp.h>
#include <sodium.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "keystore.h"
#include "util.h"

/* Our layout nests two deep; anything much deeper is not our file. */
#define KS_DEPTH_MAX	8

static const struct keystore_params ks_defaults = {
	KEYSTORE_M_COST, KEYSTORE_T_COST, KEYSTORE_P_COST
};

/*
 * yajl_tree frees its values recursively, so a file of nested brackets
 * could exhaust the stack.  Count the nesting before yajl sees it.
 * yajl_tree also takes comments, which could hide a quote from this
 * count; JSON has no '/' outside strings, so refuse it there.
 */
static int
ks_depth_ok(const char *s, size_t len)
{
	size_t	 i;
	int	 depth = 0, instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > KS_DEPTH_MAX)
				return (0);
			break;
		case ']':
		case '}':
			depth--;
			break;
		case '/':
			return (0);
		default:
			break;
		}
	}
	return (1);
}

/*
 * The format pads ciphertext and nonce and leaves the salt unpadded (a
 * PHC string); a file that pads differently is still unambiguous.
 */
static int
ks_b64_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t	 slen = strlen(s);

	if (sodium_base642bin(out, cap, s, slen, NULL, len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0)
		return (0);
	if (sodium_base642bin(out, cap, s, slen, NULL, len, NULL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0)
		return (0);
	return (-1);
}

/* Duplicate keys are refused: two readers could pick different ones. */
static int
ks_member(yajl_val obj, const char *prefix, const char *key, yajl_val *vp,
    char *err, size_t errlen)
{
	size_t	 i;

	*vp = NULL;
	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		if (*vp != NULL) {
			errbuf_set(err, errlen, "%s%s: given twice", prefix, key);
			return (-1);
		}
		*vp = obj->u.object.values[i];
	}
	return (0);
}

static int
ks_get_string(yajl_val obj, const char *key, const char **sp, char *err,
    size_t errlen)
{
	yajl_val	 v;

	if (ks_member(obj, "", key, &v, err, errlen) == -1)
		return (-1);
	if (v == NULL) {
		errbuf_set(err, errlen, "%s: missing", key);
		return (-1);
	}
	if (!YAJL_IS_STRING(v)) {
		errbuf_set(err, errlen, "%s: not a string", key);
		return (-1);
	}
	*sp = YAJL_GET_STRING(v);
	return (0);
}

static int
ks_get_uint(yajl_val obj, const char *prefix, const char *key,
    long long min, long long max, uint32_t *out, char *err, size_t errlen)
{
	yajl_val	 v;
	long long	 n;

	if (ks_member(obj, prefix, key, &v, err, errlen) == -1)
		return (-1);
	if (v == NULL) {
		errbuf_set(err, errlen, "%s%s: missing", prefix, key);
		return (-1);
	}
	if (!YAJL_IS_INTEGER(v)) {
		errbuf_set(err, errlen, "%s%s: not an integer", prefix, key);
		return (-1);
	}
	n = YAJL_GET_INTEGER(v);
	if (n < min || n > max) {
		if (min == max)
			errbuf_set(err, errlen, "%s%s: %lld is not supported "
			    "(only %lld)", prefix, key, n, min);
		else
			errbuf_set(err, errlen, "%s%s: %lld is out of range "
			    "(%lld to %lld)", prefix, key, n, min, max);
		return (-1);
	}
	*out = (uint32_t)n;
	return (0);
}

static int
ks_parse_params(yajl_val root, struct keystore_file *kf, char *err,
    size_t errlen)
{
	static const char	 pfx[] = "argon2_params.";
	struct keystore_params	*p = &kf->kf_params;
	yajl_val		 v;

	if (ks_member(root, "", "argon2_params", &v, err, errlen) == -1)
		return (-1);
	/* Files written before the parameters were stored used these. */
	if (v == NULL || YAJL_IS_NULL(v)) {
		*p = ks_defaults;
		kf->kf_legacy = 1;
		return (0);
	}
	if (!YAJL_IS_OBJECT(v)) {
		errbuf_set(err, errlen, "argon2_params: not an object");
		return (-1);
	}
	if (ks_get_uint(v, pfx, "m_cost", KEYSTORE_M_COST_MIN,
	    KEYSTORE_M_COST_MAX, &p->kp_m_cost, err, errlen) == -1 ||
	    ks_get_uint(v, pfx, "t_cost", KEYSTORE_T_COST_MIN,
	    KEYSTORE_T_COST_MAX, &p->kp_t_cost, err, errlen) == -1 ||
	    ks_get_uint(v, pfx, "p_cost", 1, 1, &p->kp_p_cost, err,
	    errlen) == -1)
		return (-1);
	return (0);
}

static int
ks_parse_fixed(yajl_val root, const char *key, uint8_t *out, size_t want,
    char *err, size_t errlen)
{
	uint8_t		 buf[64];
	const char	*s;
	size_t		 len;

	if (ks_get_string(root, key, &s, err, errlen) == -1)
		return (-1);
	if (ks_b64_decode(s, buf, sizeof(buf), &len) == -1) {
		/* too long for buf, or not base64: either way not ours */
		errbuf_set(err, errlen, "%s: not base64 of %zu bytes", key, want);
		return (-1);
	}
	if (len != want) {
		errbuf_set(err, errlen, "%s: %zu bytes, not %zu", key, len, want);
		return (-1);
	}
	memcpy(out, buf, want);
	return (0);
}

static int
ks_parse_ct(yajl_val root, struct keystore_file *kf, char *err,
    size_t errlen)
{
	const char	*s;
	size_t		 cap;

	if (ks_get_string(root, "ciphertext", &s, err, errlen) == -1)
		return (-1);
	cap = strlen(s) / 4 * 3 + 3;
	if ((kf->kf_ct = malloc(cap)) == NULL) {
		errbuf_set(err, errlen, "ciphertext: %s", strerror(errno));
		return (-2);
	}
	if (ks_b64_decode(s, kf->kf_ct, cap, &kf->kf_ctlen) == -1) {
		errbuf_set(err, errlen, "ciphertext: not base64");
		return (-1);
	}
	if (kf->kf_ctlen < KEYSTORE_TAG_LEN) {
		errbuf_set(err, errlen, "ciphertext: %zu bytes, shorter than "
		    "the %d-byte tag", kf->kf_ctlen, KEYSTORE_TAG_LEN);
		return (-1);
	}
	if (kf->kf_ctlen - KEYSTORE_TAG_LEN > KEYSTORE_PT_MAX) {
		errbuf_set(err, errlen, "ciphertext: longer than %d bytes",
		    KEYSTORE_PT_MAX);
		return (-1);
	}
	return (0);
}

/* Fields in file order, so that the first fault found is the first seen. */
static int
ks_parse_root(yajl_val root, struct keystore_file *kf, char *err,
    size_t errlen)
{
	uint32_t	 version;
	int		 r;

	if (!YAJL_IS_OBJECT(root)) {
		errbuf_set(err, errlen, "not a JSON object");
		return (KEYSTORE_FORMAT);
	}
	if ((r = ks_parse_ct(root, kf, err, errlen)) != 0)
		return (r == -2 ? KEYSTORE_ERROR : KEYSTORE_FORMAT);
	if (ks_parse_fixed(root, "nonce", kf->kf_nonce, KEYSTORE_NONCE_LEN,
	    err, errlen) == -1 ||
	    ks_parse_fixed(root, "salt", kf->kf_salt, KEYSTORE_SALT_LEN,
	    err, errlen) == -1 ||
	    ks_get_uint(root, "", "version", 1, 1, &version, err,
	    errlen) == -1 ||
	    ks_parse_params(root, kf, err, errlen) == -1)
		return (KEYSTORE_FORMAT);
	return (KEYSTORE_OK);
}

static int
ks_parse_json(const char *json, size_t len, yajl_val *rootp, char *err,
    size_t errlen)
{
	char	*text, ebuf[256];
	size_t	 n;

	*rootp = NULL;
	if (json == NULL || len == 0) {
		errbuf_set(err, errlen, "empty file");
		return (KEYSTORE_FORMAT);
	}
	if (len > KEYSTORE_JSON_MAX) {
		errbuf_set(err, errlen, "larger than %d bytes", KEYSTORE_JSON_MAX);
		return (KEYSTORE_FORMAT);
	}
	if (memchr(json, '\0', len) != NULL || !ks_depth_ok(json, len)) {
		errbuf_set(err, errlen, "not JSON");
		return (KEYSTORE_FORMAT);
	}
	/* yajl_tree wants a C string; the caller's text need not be one */
	if ((text = malloc(len + 1)) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(errno));
		return (KEYSTORE_ERROR);
	}
	memcpy(text, json, len);
	text[len] = '\0';
	ebuf[0] = '\0';
	*rootp = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	free(text);
	if (*rootp == NULL) {
		/* yajl adds the offending text on further lines */
		n = strcspn(ebuf, "\n");
		ebuf[n] = '\0';
		errbuf_set(err, errlen, "not JSON: %s",
		    ebuf[0] != '\0' ? ebuf : "parse error");
		return (KEYSTORE_FORMAT);
	}
	return (KEYSTORE_OK);
}

int
keystore_parse(const char *json, size_t len, struct keystore_file *kf,
    char *err, size_t errlen)
{
	yajl_val	 root;
	int		 r;

	memset(kf, 0, sizeof(*kf));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((r = ks_parse_json(json, len, &root, err, errlen)) !=
	    KEYSTORE_OK)
		return (r);
	r = ks_parse_root(root, kf, err, errlen);
	yajl_tree_free(root);
	if (r != KEYSTORE_OK)
		keystore_file_clear(kf);
	return (r);
}

void
keystore_file_clear(struct keystore_file *kf)
{
	free(kf->kf_ct);
	memset(kf, 0, sizeof(*kf));
}

static int
ks_params_ok(const struct keystore_params *p)
{
	return (p->kp_m_cost >= KEYSTORE_M_COST_MIN &&
	    p->kp_m_cost <= KEYSTORE_M_COST_MAX &&
	    p->kp_t_cost >= KEYSTORE_T_COST_MIN &&
	    p->kp_t_cost <= KEYSTORE_T_COST_MAX &&
	    p->kp_p_cost == 1);
}

int
keystore_derive_key(const char *password, const uint8_t *salt,
    const struct keystore_params *p, uint8_t *key)
{
	if (password == NULL || !ks_params_ok(p)) {
		errno = EINVAL;
		return (-1);
	}
	if (sodium_init() == -1)
		return (-1);
	/* libsodium takes the memory in bytes, Argon2 files count KiB */
	if (crypto_pwhash(key, KEYSTORE_KEY_LEN, password, strlen(password),
	    salt, p->kp_t_cost, (size_t)p->kp_m_cost * 1024,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		/* the parameters are checked: what is left is memory */
		sodium_memzero(key, KEYSTORE_KEY_LEN);
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

static int
ks_gcm_init(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *key,
    const uint8_t *nonce)
{
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    KEYSTORE_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		return (-1);
	return (0);
}

/* ct receives ptlen + KEYSTORE_TAG_LEN bytes: the tag goes last. */
static int
ks_gcm_seal(const uint8_t *key, const uint8_t *nonce, const uint8_t *pt,
    size_t ptlen, uint8_t *ct)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, r = -1;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	if (ks_gcm_init(ctx, 1, key, nonce) == -1)
		goto done;
	if (ptlen > 0 && (EVP_EncryptUpdate(ctx, ct, &n, pt,
	    (int)ptlen) != 1 || (size_t)n != ptlen))
		goto done;
	if (EVP_EncryptFinal_ex(ctx, ct + ptlen, &n) != 1 || n != 0)
		goto done;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, KEYSTORE_TAG_LEN,
	    ct + ptlen) != 1)
		goto done;
	r = 0;
 done:
	/* EVP_CIPHER_CTX_free cleanses the key schedule */
	EVP_CIPHER_CTX_free(ctx);
	return (r);
}

/* out holds kf_ctlen - KEYSTORE_TAG_LEN bytes; wiped unless KEYSTORE_OK. */
static int
ks_gcm_open(const uint8_t *key, struct keystore_file *kf, uint8_t *out)
{
	EVP_CIPHER_CTX	*ctx;
	size_t		 ptlen = kf->kf_ctlen - KEYSTORE_TAG_LEN;
	int		 n, r = KEYSTORE_ERROR;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (KEYSTORE_ERROR);
	if (ks_gcm_init(ctx, 0, key, kf->kf_nonce) == -1)
		goto done;
	if (ptlen > 0 && (EVP_DecryptUpdate(ctx, out, &n, kf->kf_ct,
	    (int)ptlen) != 1 || (size_t)n != ptlen))
		goto done;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, KEYSTORE_TAG_LEN,
	    kf->kf_ct + ptlen) != 1)
		goto done;
	r = KEYSTORE_BADPASS;
	if (EVP_DecryptFinal_ex(ctx, out + ptlen, &n) != 1 || n != 0)
		goto done;
	r = KEYSTORE_OK;
 done:
	EVP_CIPHER_CTX_free(ctx);
	if (r != KEYSTORE_OK && ptlen > 0)
		sodium_memzero(out, ptlen);
	return (r);
}

int
keystore_open(const char *json, size_t jsonlen, const char *password,
    uint8_t *out, size_t outcap, size_t *outlen, char *err, size_t errlen)
{
	struct keystore_file	 kf;
	uint8_t			 key[KEYSTORE_KEY_LEN];
	size_t			 ptlen;
	int			 r;

	*outlen = 0;
	if ((r = keystore_parse(json, jsonlen, &kf, err, errlen)) !=
	    KEYSTORE_OK)
		return (r);
	ptlen = kf.kf_ctlen - KEYSTORE_TAG_LEN;
	if (ptlen > outcap) {
		errbuf_set(err, errlen, "the secret is %zu bytes, the buffer %zu",
		    ptlen, outcap);
		keystore_file_clear(&kf);
		return (KEYSTORE_TOOBIG);
	}
	if (keystore_derive_key(password, kf.kf_salt, &kf.kf_params,
	    key) == -1) {
		errbuf_set(err, errlen, "argon2id with m_cost %u KiB: %s",
		    kf.kf_params.kp_m_cost, strerror(errno));
		keystore_file_clear(&kf);
		return (KEYSTORE_ERROR);
	}
	r = ks_gcm_open(key, &kf, out);
	sodium_memzero(key, sizeof(key));
	if (r == KEYSTORE_OK)
		*outlen = ptlen;
	else if (r == KEYSTORE_BADPASS)
		errbuf_set(err, errlen, "wrong passphrase");
	else
		errbuf_set(err, errlen, "AES-256-GCM failed");
	keystore_file_clear(&kf);
	return (r);
}

static int
ks_gen_string(yajl_gen g, const char *key, const char *val)
{
	if (yajl_gen_string(g, (const unsigned char *)key,
	    strlen(key)) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)val,
	    strlen(val)) != yajl_gen_status_ok)
		return (-1);
	return (0);
}

static int
ks_gen_int(yajl_gen g, const char *key, long long val)
{
	if (yajl_gen_string(g, (const unsigned char *)key,
	    strlen(key)) != yajl_gen_status_ok ||
	    yajl_gen_integer(g, val) != yajl_gen_status_ok)
		return (-1);
	return (0);
}

static char *
ks_b64_encode(const uint8_t *bin, size_t len, int variant)
{
	char	*s;
	size_t	 slen;

	slen = sodium_base64_ENCODED_LEN(len, variant);
	if ((s = malloc(slen)) == NULL)
		return (NULL);
	if (sodium_bin2base64(s, slen, bin, len, variant) == NULL) {
		free(s);
		errno = EINVAL;
		return (NULL);
	}
	return (s);
}

/* The field order and layout of the files the OpenAgents tools write. */
static int
ks_gen_fields(yajl_gen g, const char *ct, const char *nonce,
    const char *salt, const struct keystore_params *p)
{
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    ks_gen_string(g, "ciphertext", ct) == -1 ||
	    ks_gen_string(g, "nonce", nonce) == -1 ||
	    ks_gen_string(g, "salt", salt) == -1 ||
	    ks_gen_int(g, "version", 1) == -1 ||
	    yajl_gen_string(g, (const unsigned char *)"argon2_params",
	    strlen("argon2_params")) != yajl_gen_status_ok ||
	    yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    ks_gen_int(g, "m_cost", p->kp_m_cost) == -1 ||
	    ks_gen_int(g, "t_cost", p->kp_t_cost) == -1 ||
	    ks_gen_int(g, "p_cost", p->kp_p_cost) == -1 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		return (-1);
	return (0);
}

static int
ks_gen_json(const char *ct, const char *nonce, const char *salt,
    const struct keystore_params *p, char **json, size_t *jsonlen)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len;
	int			 r = -1;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	if (yajl_gen_config(g, yajl_gen_beautify, 1) == 0 ||
	    yajl_gen_config(g, yajl_gen_indent_string, "  ") == 0 ||
	    ks_gen_fields(g, ct, nonce, salt, p) == -1 ||
	    yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		goto done;
	/* room for a newline, which beautified yajl may or may not add */
	if ((*json = malloc(len + 2)) == NULL)
		goto done;
	memcpy(*json, buf, len);
	if (len == 0 || buf[len - 1] != '\n')
		(*json)[len++] = '\n';
	(*json)[len] = '\0';
	*jsonlen = len;
	r = 0;
 done:
	yajl_gen_free(g);
	if (r == -1 && errno == 0)
		errno = ENOMEM;
	return (r);
}

static int
ks_encode(const uint8_t *ct, size_t ctlen, const uint8_t *nonce,
    const uint8_t *salt, const struct keystore_params *p, char **json,
    size_t *jsonlen)
{
	char	*ct64, *nonce64 = NULL, *salt64 = NULL;
	int	 r = -1;

	if ((ct64 = ks_b64_encode(ct, ctlen,
	    sodium_base64_VARIANT_ORIGINAL)) == NULL ||
	    (nonce64 = ks_b64_encode(nonce, KEYSTORE_NONCE_LEN,
	    sodium_base64_VARIANT_ORIGINAL)) == NULL ||
	    (salt64 = ks_b64_encode(salt, KEYSTORE_SALT_LEN,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)) == NULL)
		goto done;
	errno = 0;
	r = ks_gen_json(ct64, nonce64, salt64, p, json, jsonlen);
 done:
	free(ct64);
	free(nonce64);
	free(salt64);
	return (r);
}

int
keystore_seal(const char *password, const uint8_t *pt, size_t ptlen,
    const struct keystore_params *p, const uint8_t *salt16,
    const uint8_t *nonce12, char **json, size_t *jsonlen)
{
	uint8_t	 key[KEYSTORE_KEY_LEN], salt[KEYSTORE_SALT_LEN];
	uint8_t	 nonce[KEYSTORE_NONCE_LEN], *ct;
	int	 r;

	if (p == NULL)
		p = &ks_defaults;
	if (password == NULL || (pt == NULL && ptlen > 0) ||
	    ptlen > KEYSTORE_PT_MAX || !ks_params_ok(p)) {
		errno = EINVAL;
		return (-1);
	}
	if (sodium_init() == -1)
		return (-1);
	if (salt16 != NULL)
		memcpy(salt, salt16, sizeof(salt));
	else
		randombytes_buf(salt, sizeof(salt));
	if (nonce12 != NULL)
		memcpy(nonce, nonce12, sizeof(nonce));
	else
		randombytes_buf(nonce, sizeof(nonce));

	if ((ct = malloc(ptlen + KEYSTORE_TAG_LEN)) == NULL)
		return (-1);
	if (keystore_derive_key(password, salt, p, key) == -1) {
		free(ct);
		return (-1);
	}
	r = ks_gcm_seal(key, nonce, pt, ptlen, ct);
	sodium_memzero(key, sizeof(key));
	if (r == 0)
		r = ks_encode(ct, ptlen + KEYSTORE_TAG_LEN, nonce, salt, p,
		    json, jsonlen);
	else
		errno = EIO;
	free(ct);
	return (r);
}

int
keystore_read_fd(int fd, char **json, size_t *len, size_t max)
{
	char	*buf = NULL, *nbuf;
	size_t	 n = 0, cap = 0, ncap;
	ssize_t	 r;
	int	 saved;

	if (max >= SIZE_MAX / 2) {
		errno = EINVAL;
		return (-1);
	}
	for (;;) {
		if (n == cap) {
			/* one byte past max tells a full file from a long one */
			if (cap == max + 1) {
				errno = EFBIG;
				goto fail;
			}
			ncap = cap == 0 ? 4096 : cap * 2;
			if (ncap > max + 1)
				ncap = max + 1;
			if ((nbuf = realloc(buf, ncap + 1)) == NULL)
				goto fail;
			buf = nbuf;
			cap = ncap;
		}
		if ((r = read(fd, buf + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail;
	}
	buf[n] = '\0';
	*json = buf;
	*len = n;
	return (0);
 fail:
	saved = errno;
	free(buf);
	errno = saved;
	return (-1);
}

static int
ks_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 r;

	while (len > 0) {
		if ((r = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		buf += r;
		len -= (size_t)r;
	}
	return (0);
}

/*
 * Without force the final step must not replace a file that appeared
 * since we looked; RENAME_NOREPLACE, or link(2) where the filesystem
 * does not know it, fail with EEXIST instead.
 */
static int
ks_install(const char *tmp, const char *path, int force)
{
	if (force)
		return (rename(tmp, path));
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return (0);
	if (errno != EINVAL && errno != ENOSYS)
		return (-1);
	if (link(tmp, path) == -1)
		return (-1);
	return (unlink(tmp));
}

/* The rename is durable only once the folder holding it is synced. */
static int
ks_sync_dir(const char *path)
{
	char	 dir[PATH_MAX], *slash;
	int	 fd, r;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		(void)strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (-1);
	r = fsync(fd);
	/* some filesystems cannot sync a folder; nothing more to do there */
	if (r == -1 && errno == EINVAL)
		r = 0;
	if (close(fd) == -1)
		r = -1;
	return (r);
}

int
keystore_write_file(const char *path, const char *json, size_t len,
    int force)
{
	struct stat	 st;
	char		 tmp[PATH_MAX];
	int		 fd, n, saved;

	/* refuse early, before a temp file is made; ks_install rechecks */
	if (!force) {
		if (lstat(path, &st) == 0) {
			errno = EEXIST;
			return (-1);
		}
		if (errno != ENOENT)
			return (-1);
	}
	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	/* mkostemp creates with O_EXCL and mode 0600 */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return (-1);
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    ks_write_all(fd, json, len) == -1 || fsync(fd) == -1)
		goto fail;
	n = close(fd);
	fd = -1;
	if (n == -1 || ks_install(tmp, path, force) == -1)
		goto fail;
	return (ks_sync_dir(path));
 fail:
	saved = errno;
	if (fd != -1)
		(void)close(fd);
	(void)unlink(tmp);
	errno = saved;
	return (-1);
}
