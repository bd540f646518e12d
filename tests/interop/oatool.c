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
 * The project's Nostr core on the command line, for the interop tests
 * against nostr-tools and for the benchmarks.  Keys are given in hex;
 * this is a test tool, not something an operator should feed secrets.
 *
 *	derive MNEMONIC			JSON: sk, pk, npub, nsec
 *	verify				event per stdin line: "valid" or
 *					"invalid REASON"
 *	sign SK				template per stdin line: signed event
 *	nip44-encrypt SK PEER NONCE HEX	payload with that nonce
 *	nip44-decrypt SK PEER PAYLOAD	plaintext in hex
 *	nip04-encrypt SK PEER HEX	payload
 *	nip04-decrypt SK PEER PAYLOAD	plaintext in hex
 *	bench-verify FILE		verifications per second over the
 *					events of FILE (one per line)
 *	bench-sign N			signatures per second
 *	bench-ingest FILE		relayd's ingest path per second:
 *					["EVENT",sub,ev] parsed, filter
 *					re-checked, id and signature
 *					verified, dedupe
 *	bolt11-decode INVOICE		JSON of the invoice's fields, or
 *					exit 1 with the reason on stderr
 */

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <sodium.h>
#include <yajl/yajl_gen.h>

#include "bip32.h"
#include "bip39.h"
#include "bolt11.h"
#include "hex.h"
#include "nip04.h"
#include "nip19.h"
#include "nip44.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "relay_msg.h"
#include "secp.h"

static void
key_arg(const char *s, uint8_t out[32])
{
	if (hex_decode_any(s, strlen(s), out, 32) == -1)
		errx(2, "not a 32-byte hex key: %s", s);
}

static uint8_t *
hex_arg(const char *s, size_t *len)
{
	uint8_t	*b;

	*len = strlen(s) / 2;
	if ((b = malloc(*len + 1)) == NULL)
		err(1, NULL);
	if (hex_decode_any(s, strlen(s), b, *len) == -1)
		errx(2, "bad hex");
	return (b);
}

static void
print_hex(const uint8_t *b, size_t len)
{
	char	*h;

	if ((h = malloc(2 * len + 1)) == NULL)
		err(1, NULL);
	hex_encode(b, len, h);
	printf("%s\n", h);
	free(h);
}

static double
now_secs(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
cmd_derive(const char *mnemonic)
{
	uint8_t	 seed[64], sk[32], pk[32];
	char	 skh[65], pkh[65], npub[128], nsec[128], e[256];

	if (bip39_check(mnemonic, e, sizeof(e)) == -1)
		errx(1, "mnemonic: %s", e);
	if (bip39_seed(mnemonic, "", seed) == -1 ||
	    nip06_derive(seed, 0, sk) == -1 ||
	    nostr_pubkey_from_seckey(sk, pk) == -1 ||
	    nip19_encode_npub(pk, npub, sizeof(npub)) == -1 ||
	    nip19_encode_nsec(sk, nsec, sizeof(nsec)) == -1)
		errx(1, "derivation failed");
	hex_encode(sk, 32, skh);
	hex_encode(pk, 32, pkh);
	printf("{\"sk\":\"%s\",\"pk\":\"%s\",\"npub\":\"%s\",\"nsec\":\"%s\"}\n",
	    skh, pkh, npub, nsec);
	return (0);
}

static int
cmd_verify(void)
{
	struct nostr_event	 ev;
	char			*line = NULL, e[256];
	size_t			 cap = 0;
	ssize_t			 n;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (event_parse(line, (size_t)n, NULL, &ev, e, sizeof(e)) == -1) {
			printf("invalid %s\n", e);
			continue;
		}
		if (event_verify(&ev, e, sizeof(e)) == -1)
			printf("invalid %s\n", e);
		else
			printf("valid\n");
		nostr_event_free(&ev);
	}
	free(line);
	return (0);
}

static void
keypair_arg(const char *s, secp256k1_keypair *kp)
{
	uint8_t	 sk[32];

	key_arg(s, sk);
	if (!secp256k1_keypair_create(secp_ctx(), kp, sk))
		errx(2, "not a valid secret key");
	explicit_bzero(sk, sizeof(sk));
}

static int
cmd_sign(const char *skhex)
{
	secp256k1_keypair	 kp;
	struct nostr_event	 ev;
	char			*line = NULL, *out, e[256];
	size_t			 cap = 0, outlen;
	ssize_t			 n;

	keypair_arg(skhex, &kp);
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (event_template_parse(line, (size_t)n, NULL, &ev, e,
		    sizeof(e)) == -1) {
			printf("invalid %s\n", e);
			continue;
		}
		if (event_sign(&ev, &kp) == -1 ||
		    event_to_json(&ev, 0, &out, &outlen) == -1)
			errx(1, "sign");
		printf("%s\n", out);
		free(out);
		nostr_event_free(&ev);
	}
	free(line);
	return (0);
}

static int
cmd_nip44(int encrypt, char *argv[])
{
	uint8_t	 sk[32], peer[32], ck[32], nonce[32], *pt;
	char	*payload, e[256];
	size_t	 len;

	key_arg(argv[0], sk);
	key_arg(argv[1], peer);
	if (nip44_conversation_key(sk, peer, ck) == -1)
		errx(1, "conversation key");
	if (encrypt) {
		key_arg(argv[2], nonce);
		pt = hex_arg(argv[3], &len);
		if (nip44_encrypt(ck, nonce, pt, len, &payload) == -1)
			errx(1, "encrypt");
		printf("%s\n", payload);
		free(payload);
		free(pt);
		return (0);
	}
	if (nip44_decrypt(ck, argv[2], strlen(argv[2]), &pt, &len, e,
	    sizeof(e)) == -1)
		errx(1, "decrypt: %s", e);
	print_hex(pt, len);
	free(pt);
	return (0);
}

static int
cmd_nip04(int encrypt, char *argv[])
{
	uint8_t	 sk[32], peer[32], *pt;
	char	*payload, e[256];
	size_t	 len;

	key_arg(argv[0], sk);
	key_arg(argv[1], peer);
	if (encrypt) {
		pt = hex_arg(argv[2], &len);
		if (nip04_encrypt(sk, peer, pt, len, &payload) == -1)
			errx(1, "encrypt");
		printf("%s\n", payload);
		free(payload);
		free(pt);
		return (0);
	}
	if (nip04_decrypt(sk, peer, argv[2], strlen(argv[2]), &pt, &len, e,
	    sizeof(e)) == -1)
		errx(1, "decrypt: %s", e);
	print_hex(pt, len);
	free(pt);
	return (0);
}

/* Parse, recompute the id and verify, as relayd does with each event. */
static int
cmd_bench_verify(const char *path)
{
	FILE			*f;
	struct nostr_event	 ev;
	char			**lines = NULL, *line = NULL;
	size_t			*lens = NULL, cap = 0, nl = 0, i;
	ssize_t			 n;
	double			 t0, t;
	int			 bad = 0;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while ((n = getline(&line, &cap, f)) != -1) {
		lines = reallocarray(lines, nl + 1, sizeof(*lines));
		lens = reallocarray(lens, nl + 1, sizeof(*lens));
		if (lines == NULL || lens == NULL || (lines[nl] =
		    strdup(line)) == NULL)
			err(1, NULL);
		lens[nl++] = (size_t)n;
	}
	(void)fclose(f);
	t0 = now_secs();
	for (i = 0; i < nl; i++) {
		if (event_parse(lines[i], lens[i], NULL, &ev, NULL, 0) == -1 ||
		    event_verify(&ev, NULL, 0) == -1)
			bad++;
		else
			nostr_event_free(&ev);
	}
	t = now_secs() - t0;
	printf("{\"events\":%zu,\"invalid\":%d,\"seconds\":%.6f,"
	    "\"per_second\":%.0f}\n", nl, bad, t, (double)nl / t);
	for (i = 0; i < nl; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	free(line);
	return (bad != 0);
}

/* What relayd does with each EVENT message before the supervisor sees it. */
static int
cmd_bench_ingest(const char *path)
{
	FILE			*f;
	struct relay_msg	 m;
	struct nostr_filter	 flt;
	struct dedupe		*seen;
	char			**msgs = NULL, *line = NULL, e[256];
	size_t			*lens = NULL, cap = 0, nl = 0, i;
	ssize_t			 n;
	double			 t0, t;
	int			 bad = 0, unknown, r;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while ((n = getline(&line, &cap, f)) != -1) {
		msgs = reallocarray(msgs, nl + 1, sizeof(*msgs));
		lens = reallocarray(lens, nl + 1, sizeof(*lens));
		if (msgs == NULL || lens == NULL)
			err(1, NULL);
		line[strcspn(line, "\n")] = '\0';
		r = asprintf(&msgs[nl], "[\"EVENT\",\"oa-jobs\",%s]", line);
		if (r == -1)
			err(1, NULL);
		lens[nl++] = (size_t)r;
	}
	(void)fclose(f);
	filter_init(&flt);
	if (filter_add_kind(&flt, 5932) == -1 ||
	    (seen = dedupe_new(65536)) == NULL)
		err(1, NULL);
	t0 = now_secs();
	for (i = 0; i < nl; i++) {
		if (relay_msg_parse(msgs[i], lens[i], NULL, &m, &unknown, e,
		    sizeof(e)) == -1) {
			bad++;
			continue;
		}
		if (!filters_match(&flt, 1, &m.rm_event) ||
		    event_verify(&m.rm_event, NULL, 0) == -1 ||
		    dedupe_check(seen, m.rm_event.ev_id))
			bad++;
		relay_msg_free(&m);
	}
	t = now_secs() - t0;
	printf("{\"events\":%zu,\"invalid\":%d,\"seconds\":%.6f,"
	    "\"per_second\":%.0f}\n", nl, bad, t, (double)nl / t);
	for (i = 0; i < nl; i++)
		free(msgs[i]);
	free(msgs);
	free(lens);
	free(line);
	filter_free(&flt);
	dedupe_free(seen);
	return (bad != 0);
}

static int
cmd_bench_sign(const char *count)
{
	secp256k1_keypair	 kp;
	struct nostr_event	 ev;
	uint8_t			 sk[32];
	double			 t0, t;
	long			 n, i;
	char			 num[32];

	if ((n = strtol(count, NULL, 10)) <= 0)
		errx(2, "bench-sign N");
	randombytes_buf(sk, sizeof(sk));
	if (!secp256k1_keypair_create(secp_ctx(), &kp, sk))
		errx(1, "keypair");
	t0 = now_secs();
	for (i = 0; i < n; i++) {
		nostr_event_init(&ev, 7000, 1735600000 + i);
		(void)snprintf(num, sizeof(num), "%ld", i);
		if (event_add_tagv(&ev, "status", "processing", NULL) == -1 ||
		    event_set_content(&ev, num, strlen(num)) == -1 ||
		    event_sign(&ev, &kp) == -1)
			errx(1, "sign");
		nostr_event_free(&ev);
	}
	t = now_secs() - t0;
	printf("{\"signatures\":%ld,\"seconds\":%.6f,\"per_second\":%.0f}\n",
	    n, t, (double)n / t);
	return (0);
}

static void
gen_str(yajl_gen g, const char *s)
{
	if (yajl_gen_string(g, (const unsigned char *)s, strlen(s)) !=
	    yajl_gen_status_ok)
		errx(1, "json: %s", s);
}

static void
gen_hex(yajl_gen g, const char *key, const uint8_t *b, size_t len)
{
	char	 h[2 * 33 + 1];

	if (len > 33)
		errx(1, "json: %s too long", key);
	hex_encode(b, len, h);
	gen_str(g, key);
	gen_str(g, h);
}

static void
gen_uint(yajl_gen g, const char *key, uint64_t v)
{
	char	 n[32];

	/* as a JSON number even past 2^53: the tests compare digits */
	(void)snprintf(n, sizeof(n), "%llu", (unsigned long long)v);
	gen_str(g, key);
	if (yajl_gen_number(g, n, strlen(n)) != yajl_gen_status_ok)
		errx(1, "json: %s", key);
}

static int
cmd_bolt11_decode(const char *inv)
{
	struct bolt11		 b;
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 outlen;
	unsigned int		 bit;
	char			 e[256];

	(void)secp_ctx();
	if (bolt11_decode(inv, strlen(inv), &b, e, sizeof(e)) == -1)
		errx(1, "bolt11: %s", e);
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		err(1, NULL);
	(void)yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	(void)yajl_gen_map_open(g);
	gen_str(g, "network");
	gen_str(g, bolt11_network_name(b.b_network));
	gen_str(g, "currency");
	gen_str(g, b.b_currency);
	if (b.b_has_amount)
		gen_uint(g, "amount_msats", b.b_amount_msats);
	else {
		gen_str(g, "amount_msats");
		(void)yajl_gen_null(g);
	}
	gen_uint(g, "timestamp", b.b_timestamp);
	gen_hex(g, "payment_hash", b.b_payment_hash, 32);
	gen_hex(g, "payment_secret", b.b_payment_secret, 32);
	if (b.b_has_description) {
		gen_str(g, "description");
		gen_str(g, b.b_description);
	} else
		gen_hex(g, "description_hash", b.b_description_hash, 32);
	gen_uint(g, "expiry", b.b_expiry);
	gen_uint(g, "min_final_cltv", b.b_min_final_cltv);
	gen_hex(g, "payee", b.b_payee, 33);
	gen_str(g, "payee_given");
	(void)yajl_gen_bool(g, b.b_payee_given);
	gen_str(g, "features");
	(void)yajl_gen_array_open(g);
	for (bit = 0; bit < 8 * b.b_featureslen; bit++)
		if (bolt11_feature(&b, bit) &&
		    yajl_gen_integer(g, bit) != yajl_gen_status_ok)
			errx(1, "json: features");
	(void)yajl_gen_array_close(g);
	gen_uint(g, "expires_at", bolt11_expires_at(&b));
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &out, &outlen) != yajl_gen_status_ok)
		errx(1, "json");
	printf("%.*s\n", (int)outlen, (const char *)out);
	yajl_gen_free(g);
	return (0);
}

int
main(int argc, char *argv[])
{
	if (sodium_init() == -1)
		errx(1, "sodium_init");
	if (argc == 3 && strcmp(argv[1], "derive") == 0)
		return (cmd_derive(argv[2]));
	if (argc == 2 && strcmp(argv[1], "verify") == 0)
		return (cmd_verify());
	if (argc == 3 && strcmp(argv[1], "sign") == 0)
		return (cmd_sign(argv[2]));
	if (argc == 6 && strcmp(argv[1], "nip44-encrypt") == 0)
		return (cmd_nip44(1, argv + 2));
	if (argc == 5 && strcmp(argv[1], "nip44-decrypt") == 0)
		return (cmd_nip44(0, argv + 2));
	if (argc == 5 && strcmp(argv[1], "nip04-encrypt") == 0)
		return (cmd_nip04(1, argv + 2));
	if (argc == 5 && strcmp(argv[1], "nip04-decrypt") == 0)
		return (cmd_nip04(0, argv + 2));
	if (argc == 3 && strcmp(argv[1], "bench-verify") == 0)
		return (cmd_bench_verify(argv[2]));
	if (argc == 3 && strcmp(argv[1], "bench-ingest") == 0)
		return (cmd_bench_ingest(argv[2]));
	if (argc == 3 && strcmp(argv[1], "bench-sign") == 0)
		return (cmd_bench_sign(argv[2]));
	if (argc == 3 && strcmp(argv[1], "bolt11-decode") == 0)
		return (cmd_bolt11_decode(argv[2]));
	fprintf(stderr, "usage: oatool derive|verify|sign|nip44-encrypt|"
	    "nip44-decrypt|nip04-encrypt|nip04-decrypt|bench-verify|"
	    "bench-ingest|bench-sign|bolt11-decode ...\n");
	return (2);
}
