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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "nip04.h"
#include "nip44.h"
#include "util.h"

#define NIP04_SEP	"?iv="
#define NIP04_SEPLEN	4
#define NIP04_BLOCK	16

static int	nip04_cbc(int, const uint8_t [32], const uint8_t [16],
		    const uint8_t *, size_t, uint8_t *, size_t *);
static int	nip04_unpad(const uint8_t *, size_t, size_t *);
static int	nip04_b64(const char *, size_t, uint8_t *, size_t, size_t *);
/*
 * One AES-256-CBC pass.  Encryption lets OpenSSL add the PKCS#7
 * padding; decryption turns it off, so that nip04_unpad checks it and
 * the caller sees every padding byte.
 */
static int
nip04_cbc(int enc, const uint8_t key[32], const uint8_t iv[16],
    const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n1, n2, ret = -1;

	if (inlen > NIP04_CT_MAX)
		return (-1);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv,
	    enc) != 1)
		goto done;
	if (!enc && EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto done;
	if (EVP_CipherUpdate(ctx, out, &n1, in, (int)inlen) != 1)
		goto done;
	if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1)
		goto done;
	*outlen = (size_t)n1 + (size_t)n2;
	ret = 0;
 done:
	/* frees the key schedule after wiping it */
	EVP_CIPHER_CTX_free(ctx);
	return (ret);
}

/* PKCS#7: the last byte n is 1..16 and so are the n bytes before it */
static int
nip04_unpad(const uint8_t *buf, size_t len, size_t *ptlen)
{
	size_t	 i;
	uint8_t	 n, bad;

	n = buf[len - 1];
	if (n == 0 || n > NIP04_BLOCK)
		return (-1);
	bad = 0;
	for (i = 1; i <= n; i++)
		bad |= buf[len - i] ^ n;
	if (bad != 0)
		return (-1);
	*ptlen = len - n;
	return (0);
}

/* Strict standard base64: padded, nothing else in the string */
static int
nip04_b64(const char *s, size_t slen, uint8_t *bin, size_t binmax,
    size_t *binlen)
{
	if (sodium_base642bin(bin, binmax, s, slen, NULL, binlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return (-1);
	return (0);
}

int
nip04_encrypt_iv(const uint8_t sk[32], const uint8_t peer[32],
    const uint8_t iv[NIP04_IVLEN], const uint8_t *pt, size_t len, char **out)
{
	uint8_t	 key[32];
	uint8_t	*ct = NULL;
	size_t	 ctmax, ctlen, ctb64, ivb64;
	char	*s = NULL;
	int	 ret = -1;

	*out = NULL;
	if (len > NIP04_PT_MAX || (pt == NULL && len > 0))
		return (-1);
	if (nip44_shared_x(sk, peer, key) == -1)
		return (-1);
	ctmax = len / NIP04_BLOCK * NIP04_BLOCK + NIP04_BLOCK;
	if ((ct = malloc(ctmax)) == NULL)
		goto done;
	/* an empty plaintext still makes one block of padding */
	if (nip04_cbc(1, key, iv, len > 0 ? pt : (const uint8_t *)"", len,
	    ct, &ctlen) == -1 || ctlen != ctmax)
		goto done;
	ctb64 = sodium_base64_ENCODED_LEN(ctlen,
	    sodium_base64_VARIANT_ORIGINAL);
	ivb64 = sodium_base64_ENCODED_LEN(NIP04_IVLEN,
	    sodium_base64_VARIANT_ORIGINAL);
	/* both counts include a NUL: one becomes room for the separator */
	if ((s = malloc(ctb64 - 1 + NIP04_SEPLEN + ivb64)) == NULL)
		goto done;
	(void)sodium_bin2base64(s, ctb64, ct, ctlen,
	    sodium_base64_VARIANT_ORIGINAL);
	memcpy(s + ctb64 - 1, NIP04_SEP, NIP04_SEPLEN);
	(void)sodium_bin2base64(s + ctb64 - 1 + NIP04_SEPLEN, ivb64, iv,
	    NIP04_IVLEN, sodium_base64_VARIANT_ORIGINAL);
	*out = s;
	ret = 0;
 done:
	sodium_memzero(key, sizeof(key));
	free(ct);
	return (ret);
}

int
nip04_encrypt(const uint8_t sk[32], const uint8_t peer[32],
    const uint8_t *pt, size_t len, char **out)
{
	uint8_t	 iv[NIP04_IVLEN];

	randombytes_buf(iv, sizeof(iv));
	return (nip04_encrypt_iv(sk, peer, iv, pt, len, out));
}

int
nip04_decrypt(const uint8_t sk[32], const uint8_t peer[32],
    const char *payload, size_t len, uint8_t **pt, size_t *ptlen, char *err,
    size_t errlen)
{
	uint8_t		 key[32], iv[NIP04_IVLEN];
	uint8_t		*buf = NULL, *out;
	const char	*sep, *ivs;
	size_t		 ctb64, ivlen, bufmax = 0, ctlen, n;
	int		 ret = -1;

	*pt = NULL;
	*ptlen = 0;
	if (payload == NULL || len == 0 || len > NIP04_PAYLOAD_MAX) {
		errbuf_set(err, errlen, "invalid payload length: %zu", len);
		return (-1);
	}
	if ((sep = memmem(payload, len, NIP04_SEP, NIP04_SEPLEN)) == NULL) {
		errbuf_set(err, errlen, "missing ?iv=");
		return (-1);
	}
	ctb64 = (size_t)(sep - payload);
	ivs = sep + NIP04_SEPLEN;
	if (memmem(ivs, len - ctb64 - NIP04_SEPLEN, NIP04_SEP,
	    NIP04_SEPLEN) != NULL) {
		errbuf_set(err, errlen, "more than one ?iv=");
		return (-1);
	}
	if (len - ctb64 - NIP04_SEPLEN != NIP04_IV_B64LEN ||
	    nip04_b64(ivs, NIP04_IV_B64LEN, iv, sizeof(iv), &ivlen) == -1 ||
	    ivlen != NIP04_IVLEN) {
		errbuf_set(err, errlen, "invalid iv");
		return (-1);
	}
	if (ctb64 == 0 || ctb64 % 4 != 0) {
		errbuf_set(err, errlen, "invalid ciphertext length");
		return (-1);
	}
	bufmax = ctb64 / 4 * 3;
	if ((buf = malloc(bufmax)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return (-1);
	}
	if (nip04_b64(payload, ctb64, buf, bufmax, &ctlen) == -1) {
		errbuf_set(err, errlen, "invalid base64");
		goto done;
	}
	if (ctlen == 0 || ctlen % NIP04_BLOCK != 0 || ctlen > NIP04_CT_MAX) {
		errbuf_set(err, errlen, "invalid ciphertext length");
		goto done;
	}
	if (nip44_shared_x(sk, peer, key) == -1) {
		errbuf_set(err, errlen, "invalid key");
		goto done;
	}
	/* in place: one whole-block update, no padding to hold back */
	if (nip04_cbc(0, key, iv, buf, ctlen, buf, &n) == -1 || n != ctlen) {
		errbuf_set(err, errlen, "decryption failed");
		goto done;
	}
	if (nip04_unpad(buf, ctlen, &n) == -1) {
		errbuf_set(err, errlen, "invalid padding");
		goto done;
	}
	if ((out = malloc(n + 1)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto done;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	*pt = out;
	*ptlen = n;
	ret = 0;
 done:
	sodium_memzero(key, sizeof(key));
	freezero(buf, bufmax);
	return (ret);
}

int
nip_detect(const char *payload, size_t len)
{
	uint8_t	 head[3];
	size_t	 n;

	if (payload == NULL)
		return (NIP_SCHEME_UNKNOWN);
	if (memmem(payload, len, NIP04_SEP, NIP04_SEPLEN) != NULL)
		return (NIP_SCHEME_04);
	/* the first four characters carry the version byte */
	if (len >= 4 && nip04_b64(payload, 4, head, sizeof(head), &n) == 0 &&
	    n >= 1 && head[0] == 2)
		return (NIP_SCHEME_44);
	return (NIP_SCHEME_UNKNOWN);
}
