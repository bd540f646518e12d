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
 * Events and filters: the §C.1 id/signature vector of PROTOCOL.md, all
 * rows of the BIP-340 vectors ($OA_VECTORS/bip340), the canonical
 * escaping, one test per validation rule, tampering, the way a relay
 * message parser drives the event parser, and filter matching and JSON.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>
#include <yajl/yajl_parse.h>

#include "hex.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "secp.h"
#include "check_run.h"

/* PROTOCOL.md §C.1 */
#define V_SK	"7f7ff03d123792d6ac594bfa67bf6d0c" \
		"0ab55b6b1fdb6249303fe861f1ccba9a"
#define V_PK	"17162c921dc4d2518f9a101db33695df" \
		"1afb56ab82f5ff3e5da6eec3ca5cd917"
#define V_PK_UP	"17162C921DC4D2518F9A101DB33695DF" \
		"1AFB56AB82F5FF3E5DA6EEC3CA5CD917"
#define V_ID	"7d66a224c1ce7783e527b40432408f90" \
		"fc91f158081db6ffd9c376d8af42c26a"
#define V_SIG	"2e2df9ceef16b380473de32f0af0048b" \
		"fd9400bed415ba334207fb7ef854bab1" \
		"2385b034dc05c44d579bdbf846675fac" \
		"844ad57aa5ec8d9520e3c7f96e5a4155"
#define V_E	"5c83da77af1dec6d7289834998ad7aaf" \
		"bd9e2191396d75ec3cc27f5a77226f36"
#define V_P	"d41b22899549e1f3d335a31002cfd382" \
		"174006e166d3e658e3a5eecdb6463573"
#define V_TAGS	"[[\"status\",\"payment-required\",\"pay to start job\"]," \
		"[\"e\",\"" V_E "\"],[\"p\",\"" V_P "\"]," \
		"[\"amount\",\"5000000\",\"lnbc50u1...\"]]"
#define V_CONTENT	"line1\n\"quoted\"\t\\ end"
#define V_CONTENT_JSON	"\"line1\\n\\\"quoted\\\"\\t\\\\ end\""
#define V_SERIAL	"[0,\"" V_PK "\",1735600000,7000," V_TAGS "," \
			V_CONTENT_JSON "]"
#define V_JSON	"{\"id\":\"" V_ID "\",\"pubkey\":\"" V_PK "\"," \
		"\"created_at\":1735600000,\"kind\":7000,\"tags\":" V_TAGS "," \
		"\"content\":" V_CONTENT_JSON ",\"sig\":\"" V_SIG "\"}"

#define H32(x)	x x x x x x x x x x x x x x x x \
		x x x x x x x x x x x x x x x x
#define H11	H32("11")
#define H22	H32("22")
#define H33	H32("33")
#define HAA	H32("aa")
#define HBB	H32("bb")
#define HCC	H32("cc")

static void
keypair_from_hex(secp256k1_keypair *kp, const char *sk_hex)
{
	uint8_t	 sk[32];

	ck_assert_int_eq(hex_decode_any(sk_hex, strlen(sk_hex), sk,
	    sizeof(sk)), 0);
	ck_assert_int_eq(secp256k1_keypair_create(secp_ctx(), kp, sk), 1);
	explicit_bzero(sk, sizeof(sk));
}

static void
hex_assert(const uint8_t *b, size_t len, const char *want)
{
	char	 buf[257];

	ck_assert_uint_le(len, 128);
	hex_encode(b, len, buf);
	ck_assert_str_eq(buf, want);
}

/* The §C.1 event, built through the API. */
static void
vector_build(struct nostr_event *ev)
{
	nostr_event_init(ev, 7000, 1735600000);
	ck_assert_int_eq(event_add_tagv(ev, "status", "payment-required",
	    "pay to start job", NULL), 0);
	ck_assert_int_eq(event_add_tagv(ev, "e", V_E, NULL), 0);
	ck_assert_int_eq(event_add_tagv(ev, "p", V_P, NULL), 0);
	ck_assert_int_eq(event_add_tagv(ev, "amount", "5000000",
	    "lnbc50u1...", NULL), 0);
	ck_assert_int_eq(event_set_content(ev, V_CONTENT,
	    strlen(V_CONTENT)), 0);
}

START_TEST(event_vector)
{
	struct nostr_event	 ev, back;
	secp256k1_keypair	 kp;
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;

	keypair_from_hex(&kp, V_SK);
	vector_build(&ev);
	ck_assert_int_eq(event_sign(&ev, &kp), 0);
	ck_assert_int_eq(event_serialize(&ev, &s, &len), 0);
	ck_assert_str_eq(s, V_SERIAL);
	ck_assert_uint_eq(len, strlen(V_SERIAL));
	free(s);
	hex_assert(ev.ev_pubkey, sizeof(ev.ev_pubkey), V_PK);
	hex_assert(ev.ev_id, sizeof(ev.ev_id), V_ID);
	hex_assert(ev.ev_sig, sizeof(ev.ev_sig), V_SIG);
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), 0);

	ck_assert_int_eq(event_to_json(&ev, 0, &s, &len), 0);
	ck_assert_str_eq(s, V_JSON);
	ck_assert_int_eq(event_parse(s, len, NULL, &back, err, sizeof(err)),
	    0);
	free(s);
	ck_assert(event_equal(&ev, &back));
	ck_assert_int_eq(event_verify(&back, err, sizeof(err)), 0);
	nostr_event_free(&back);
	nostr_event_free(&ev);
}
END_TEST

/* One row of the BIP-340 CSV: index, sk, pk, aux, msg, sig, result. */
struct bip340_row {
	char	*f[8];
};

static int
csv_split(char *line, struct bip340_row *r)
{
	size_t	 n = 0;
	char	*p;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < 7 && (p = strsep(&line, ",")) != NULL)
		r->f[n++] = p;
	r->f[7] = line != NULL ? line : "";
	return (n == 7 ? 0 : -1);
}

static size_t
hex_field(const char *s, uint8_t *out, size_t max)
{
	size_t	 len = strlen(s) / 2;

	ck_assert_uint_le(len, max);
	ck_assert_int_eq(hex_decode_any(s, strlen(s), out, len), 0);
	return (len);
}

/* Returns 1 when the row came out as the file says. */
static int
bip340_check(const struct bip340_row *r, int *signed_rows)
{
	const secp256k1_context		*ctx = secp_ctx();
	secp256k1_schnorrsig_extraparams ext =
	    SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
	secp256k1_keypair		 kp;
	secp256k1_xonly_pubkey		 pk;
	uint8_t				 pkb[32], aux[32], msg[256], sig[64];
	uint8_t				 mysig[64], mypk[32];
	size_t				 msglen;
	int				 want, got;

	msglen = hex_field(r->f[4], msg, sizeof(msg));
	ck_assert_uint_eq(hex_field(r->f[2], pkb, sizeof(pkb)), 32);
	ck_assert_uint_eq(hex_field(r->f[5], sig, sizeof(sig)), 64);
	want = strcmp(r->f[6], "TRUE") == 0;
	if (r->f[1][0] != '\0') {
		keypair_from_hex(&kp, r->f[1]);
		ck_assert_uint_eq(hex_field(r->f[3], aux, sizeof(aux)), 32);
		ck_assert_int_eq(secp256k1_keypair_xonly_pub(ctx, &pk, NULL,
		    &kp), 1);
		ck_assert_int_eq(secp256k1_xonly_pubkey_serialize(ctx, mypk,
		    &pk), 1);
		ext.ndata = aux;
		if (memcmp(mypk, pkb, 32) != 0 ||
		    !secp256k1_schnorrsig_sign_custom(ctx, mysig, msg, msglen,
		    &kp, &ext) || memcmp(mysig, sig, 64) != 0)
			return (0);
		(*signed_rows)++;
	}
	got = secp256k1_xonly_pubkey_parse(ctx, &pk, pkb) &&
	    secp256k1_schnorrsig_verify(ctx, sig, msg, msglen, &pk);
	return (got == want);
}

START_TEST(event_bip340)
{
	struct bip340_row	 r;
	const char		*dir;
	char			 path[1024], *line = NULL;
	size_t			 cap = 0;
	FILE			*f;
	int			 rows = 0, pass = 0, signed_rows = 0;

	if ((dir = getenv("OA_VECTORS")) == NULL)
		ck_abort_msg("OA_VECTORS is not set");
	ck_assert_int_lt(snprintf(path, sizeof(path),
	    "%s/bip340/test-vectors.csv", dir), (int)sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		ck_abort_msg("%s: cannot open", path);
	ck_assert_int_gt(getline(&line, &cap, f), 0);	/* header */
	while (getline(&line, &cap, f) > 0) {
		if (line[0] == '\n' || line[0] == '\0')
			continue;
		ck_assert_int_eq(csv_split(line, &r), 0);
		rows++;
		if (bip340_check(&r, &signed_rows))
			pass++;
		else
			fprintf(stderr, "bip340: row %s fails\n", r.f[0]);
	}
	free(line);
	fclose(f);
	printf("bip340: %d/%d rows pass (%d signed and compared)\n", pass,
	    rows, signed_rows);
	ck_assert_int_ge(rows, 15);
	ck_assert_int_eq(pass, rows);
}
END_TEST

static const struct {
	unsigned char	 c;
	const char	*esc;
} escapes[] = {
	{ 0x00, "\\u0000" }, { 0x01, "\\u0001" }, { 0x02, "\\u0002" },
	{ 0x03, "\\u0003" }, { 0x04, "\\u0004" }, { 0x05, "\\u0005" },
	{ 0x06, "\\u0006" }, { 0x07, "\\u0007" }, { 0x08, "\\b" },
	{ 0x09, "\\t" }, { 0x0a, "\\n" }, { 0x0b, "\\u000b" },
	{ 0x0c, "\\f" }, { 0x0d, "\\r" }, { 0x0e, "\\u000e" },
	{ 0x0f, "\\u000f" }, { 0x10, "\\u0010" }, { 0x11, "\\u0011" },
	{ 0x12, "\\u0012" }, { 0x13, "\\u0013" }, { 0x14, "\\u0014" },
	{ 0x15, "\\u0015" }, { 0x16, "\\u0016" }, { 0x17, "\\u0017" },
	{ 0x18, "\\u0018" }, { 0x19, "\\u0019" }, { 0x1a, "\\u001a" },
	{ 0x1b, "\\u001b" }, { 0x1c, "\\u001c" }, { 0x1d, "\\u001d" },
	{ 0x1e, "\\u001e" }, { 0x1f, "\\u001f" }, { '"', "\\\"" },
	{ '\\', "\\\\" }, { '/', "/" }, { 0x7f, "\x7f" }, { ' ', " " },
};

#define ZERO_PK	H32("00")

/* Each byte alone as content and as a tag value, then back through JSON. */
START_TEST(event_escape_byte)
{
	struct nostr_event	 ev, back;
	char			 c, want[256], *s, err[EVENT_ERRLEN];
	const char		*vals[2];
	size_t			 lens[2], len;
	uint8_t			 id[32];

	c = (char)escapes[_i].c;
	nostr_event_init(&ev, 1, 0);
	ck_assert_int_eq(event_set_content(&ev, &c, 1), 0);
	vals[0] = "t";
	vals[1] = &c;
	lens[0] = 1;
	lens[1] = 1;
	ck_assert_int_eq(event_add_tag(&ev, vals, lens, 2), 0);
	ck_assert_int_eq(event_serialize(&ev, &s, &len), 0);
	ck_assert_int_lt(snprintf(want, sizeof(want),
	    "[0,\"%s\",0,1,[[\"t\",\"%s\"]],\"%s\"]", ZERO_PK,
	    escapes[_i].esc, escapes[_i].esc), (int)sizeof(want));
	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(len, strlen(want));
	free(s);

	ck_assert_int_eq(event_compute_id(&ev, ev.ev_id), 0);
	ev.ev_has = EVENT_HAS_ID | EVENT_HAS_PUBKEY | EVENT_HAS_SIG;
	ck_assert_int_eq(event_to_json(&ev, 0, &s, &len), 0);
	ck_assert_int_eq(event_parse(s, len, NULL, &back, err, sizeof(err)),
	    0);
	free(s);
	ck_assert(event_equal(&ev, &back));
	ck_assert_uint_eq(back.ev_contentlen, 1);
	ck_assert_int_eq(event_compute_id(&back, id), 0);
	ck_assert_mem_eq(id, ev.ev_id, sizeof(id));
	ck_assert_int_eq(event_check_id(&back, err, sizeof(err)), 0);
	nostr_event_free(&back);
	nostr_event_free(&ev);
}
END_TEST

/*
 * Wire text in any legal spelling decodes to the same strings, and
 * those serialize the one canonical way: \/ and \u escapes of printable
 * characters come out raw, surrogate pairs as 4-byte UTF-8, uppercase
 * \u001F as lowercase, embedded NULs kept.
 */
START_TEST(event_escape_canonical)
{
	static const char	 json[] = "{\"id\":\"" H11 "\",\"pubkey\":\""
	    ZERO_PK "\",\"created_at\":0,\"kind\":1,\"tags\":[[\"x\","
	    "\"\\u0000a\\u0000\"]],\"content\":\"\\u0041\\/\\u00e9"
	    "\\ud83d\\ude00\\u001F\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
	    "\"sig\":\"" H32("0000") "\"}";
	static const char	 want[] = "[0,\"" ZERO_PK "\",0,1,[[\"x\","
	    "\"\\u0000a\\u0000\"]],\"A/\xc3\xa9\xf0\x9f\x98\x80\\u001f"
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]";
	struct nostr_event	 ev, back;
	char			*s, *s2, err[EVENT_ERRLEN];
	size_t			 len, len2;
	uint8_t			 id1[32], id2[32];

	ck_assert_int_eq(event_parse(json, sizeof(json) - 1, NULL, &ev, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ev.ev_tags[0].t_vals[1].es_len, 3);
	ck_assert_mem_eq(ev.ev_tags[0].t_vals[1].es_ptr, "\0a\0", 3);
	ck_assert_int_eq(event_serialize(&ev, &s, &len), 0);
	ck_assert_uint_eq(len, sizeof(want) - 1);
	ck_assert_mem_eq(s, want, len);
	free(s);

	/* parse, serialize, parse again: the same event and the same id */
	ck_assert_int_eq(event_compute_id(&ev, id1), 0);
	ck_assert_int_eq(event_to_json(&ev, 0, &s, &len), 0);
	ck_assert_int_eq(event_parse(s, len, NULL, &back, err, sizeof(err)),
	    0);
	ck_assert(event_equal(&ev, &back));
	ck_assert_int_eq(event_compute_id(&back, id2), 0);
	ck_assert_mem_eq(id1, id2, sizeof(id1));
	ck_assert_int_eq(event_to_json(&back, 0, &s2, &len2), 0);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(s, s2, len);
	free(s);
	free(s2);
	nostr_event_free(&back);
	nostr_event_free(&ev);
}
END_TEST

/* A signed event whose strings hold NULs and controls verifies after JSON. */
START_TEST(event_escape_signed)
{
	static const char	 content[] = "a\0b\x01\x7f/\xe2\x82\xac";
	struct nostr_event	 ev, back;
	secp256k1_keypair	 kp;
	const char		*vals[3] = { "x", "\0", "\x1f\\\"" };
	size_t			 lens[3] = { 1, 1, 3 };
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;

	keypair_from_hex(&kp, V_SK);
	nostr_event_init(&ev, 5932, 1);
	ck_assert_int_eq(event_set_content(&ev, content, sizeof(content) - 1),
	    0);
	ck_assert_int_eq(event_add_tag(&ev, vals, lens, 3), 0);
	ck_assert_int_eq(event_sign(&ev, &kp), 0);
	ck_assert_int_eq(event_to_json(&ev, 0, &s, &len), 0);
	ck_assert_int_eq(event_parse(s, len, NULL, &back, err, sizeof(err)),
	    0);
	free(s);
	ck_assert(event_equal(&ev, &back));
	ck_assert_int_eq(event_verify(&back, err, sizeof(err)), 0);
	nostr_event_free(&back);
	nostr_event_free(&ev);
}
END_TEST

/*
 * Validation.  Each case replaces some values of the §C.1 event's JSON
 * (NULL keeps it, omit drops the key), adds text inside the object
 * (extra) or after it (suffix), or cuts bytes off the end (cut).
 */
static const char	 omit[] = "omit";

static const struct reject_case {
	const char	*id, *pubkey, *created_at, *kind, *tags, *content;
	const char	*sig, *extra, *suffix;
	size_t		 cut;
	const char	*err;		/* NULL: must parse */
} rejects[] = {
	/* hex fields */
	{ .id = "\"" H32("1G") "\"",
	    .err = "id: not 64 lowercase hex characters" },
	{ .id = "\"" V_ID "0\"", .err = "id: not 64 lowercase hex" },
	{ .id = "7", .err = "id: not a string" },
	{ .pubkey = "\"" V_PK_UP "\"",
	    .err = "pubkey: not 64 lowercase hex characters" },
	{ .pubkey = "\"17162c92\"", .err = "pubkey: not 64 lowercase hex" },
	{ .pubkey = "null", .err = "pubkey: not a string" },
	{ .sig = "\"" V_SIG "00\"",
	    .err = "sig: not 128 lowercase hex characters" },
	{ .sig = "\"\"", .err = "sig: not 128 lowercase hex characters" },
	/* kind */
	{ .kind = "65536", .err = "kind: not an integer in 0..65535" },
	{ .kind = "-1", .err = "kind: not an integer in 0..65535" },
	{ .kind = "1.0", .err = "kind: not an integer in 0..65535" },
	{ .kind = "7e3", .err = "kind: not an integer in 0..65535" },
	{ .kind = "\"7000\"", .err = "kind: not an integer in 0..65535" },
	{ .kind = "true", .err = "kind: not an integer in 0..65535" },
	{ .kind = "0" },
	{ .kind = "65535" },
	/* created_at */
	{ .created_at = "-1", .err = "created_at: not an integer in 0.." },
	{ .created_at = "-0", .err = "created_at: not an integer in 0.." },
	{ .created_at = "1.5", .err = "created_at: not an integer in 0.." },
	{ .created_at = "1735600000.0", .err = "created_at: not an integer" },
	{ .created_at = "1e9", .err = "created_at: not an integer in 0.." },
	{ .created_at = "\"1735600000\"", .err = "created_at: not an integer" },
	{ .created_at = "9223372036854775808", .err = "created_at: not an" },
	{ .created_at = "99999999999999999999999", .err = "created_at: not" },
	{ .created_at = "9223372036854775807" },
	{ .created_at = "0" },
	/* tags */
	{ .tags = "{}", .err = "tags: not an array" },
	{ .tags = "\"e\"", .err = "tags: not an array" },
	{ .tags = "null", .err = "tags: not an array" },
	{ .tags = "[\"e\"]", .err = "tags[0]: not an array" },
	{ .tags = "[[\"e\"],{}]", .err = "tags[1]: not an array" },
	{ .tags = "[[]]", .err = "tags[0]: empty tag" },
	{ .tags = "[[\"e\"],[\"p\",\"x\"],[]]", .err = "tags[2]: empty tag" },
	{ .tags = "[[\"e\",1]]", .err = "tags[0][1]: not a string" },
	{ .tags = "[[\"e\",null]]", .err = "tags[0][1]: not a string" },
	{ .tags = "[[\"e\",[\"x\"]]]", .err = "tags[0][1]: not a string" },
	{ .tags = "[[\"e\",{}]]", .err = "tags[0][1]: not a string" },
	{ .tags = "[[\"e\"],[false]]", .err = "tags[1][0]: not a string" },
	{ .tags = "[]" },
	{ .tags = "[[\"\"]]" },
	/* content */
	{ .content = "5", .err = "content: not a string" },
	{ .content = "null", .err = "content: not a string" },
	{ .content = "[]", .err = "content: not a string" },
	{ .content = "\"\"" },
	/* UTF-8: yajl's own check, then ours */
	{ .content = "\"\xff\"", .err = "event: invalid JSON" },
	{ .content = "\"a\x80\"", .err = "event: invalid JSON" },
	{ .content = "\"\xc0\x80\"", .err = "content: invalid UTF-8" },
	{ .content = "\"\xe0\x80\xaf\"", .err = "content: invalid UTF-8" },
	{ .content = "\"\xed\xa0\x80\"", .err = "content: invalid UTF-8" },
	{ .content = "\"\\udc00\"", .err = "content: invalid UTF-8" },
	{ .content = "\"\xf4\x90\x80\x80\"", .err = "content: invalid UTF-8" },
	{ .content = "\"\xf0\x9f\x98\"", .err = "event: invalid JSON" },
	{ .tags = "[[\"t\",\"\xc1\xbf\"]]",
	    .err = "tags[0][1]: invalid UTF-8" },
	{ .content = "\"a\x01z\"", .err = "event: invalid JSON" },
	{ .content = "\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\"" },
	/* keys */
	{ .extra = ",\"kind\":7000", .err = "kind: duplicate key" },
	{ .extra = ",\"id\":\"" V_ID "\"", .err = "id: duplicate key" },
	{ .extra = ",\"tags\":[]", .err = "tags: duplicate key" },
	{ .sig = omit, .err = "sig: missing" },
	{ .id = omit, .err = "id: missing" },
	{ .tags = omit, .err = "tags: missing" },
	{ .content = omit, .err = "content: missing" },
	{ .extra = ",\"x\":{\"id\":[1,{\"a\":null}],\"k\":true},\"x\":2,"
	    "\"id\\u0000\":0,\"Kind\":\"?\",\"y\":[[[]]]" },
	/* framing */
	{ .suffix = "x", .err = "event: invalid JSON" },
	{ .suffix = "{}", .err = "event: invalid JSON" },
	{ .suffix = ",", .err = "event: invalid JSON" },
	{ .suffix = "/* c */", .err = "event: invalid JSON" },
	{ .suffix = " \n\t " },
	{ .cut = 1, .err = "event: invalid JSON" },
	{ .cut = 200, .err = "event: invalid JSON" },
};

static void
json_add(char *buf, size_t size, int *first, const char *key,
    const char *val)
{
	if (val == omit)
		return;
	if (!*first)
		ck_assert_uint_lt(strlcat(buf, ",", size), size);
	*first = 0;
	ck_assert_uint_lt(strlcat(buf, "\"", size), size);
	ck_assert_uint_lt(strlcat(buf, key, size), size);
	ck_assert_uint_lt(strlcat(buf, "\":", size), size);
	ck_assert_uint_lt(strlcat(buf, val, size), size);
}

static size_t
reject_json(const struct reject_case *c, char *buf, size_t size)
{
	int	 first = 1;
	size_t	 len;

#define OR(a, b)	((a) != NULL ? (a) : (b))
	strlcpy(buf, "{", size);
	json_add(buf, size, &first, "id", OR(c->id, "\"" V_ID "\""));
	json_add(buf, size, &first, "pubkey", OR(c->pubkey, "\"" V_PK "\""));
	json_add(buf, size, &first, "created_at", OR(c->created_at,
	    "1735600000"));
	json_add(buf, size, &first, "kind", OR(c->kind, "7000"));
	json_add(buf, size, &first, "tags", OR(c->tags, V_TAGS));
	json_add(buf, size, &first, "content", OR(c->content,
	    V_CONTENT_JSON));
	json_add(buf, size, &first, "sig", OR(c->sig, "\"" V_SIG "\""));
	ck_assert_uint_lt(strlcat(buf, OR(c->extra, ""), size), size);
	ck_assert_uint_lt(strlcat(buf, "}", size), size);
	ck_assert_uint_lt(strlcat(buf, OR(c->suffix, ""), size), size);
#undef OR
	len = strlen(buf);
	ck_assert_uint_le(c->cut, len);
	return (len - c->cut);
}

START_TEST(event_reject)
{
	const struct reject_case	*c = &rejects[_i];
	struct nostr_event		 ev;
	char				 json[2048], err[EVENT_ERRLEN];
	size_t				 len;
	int				 rv;

	len = reject_json(c, json, sizeof(json));
	strlcpy(err, "(none)", sizeof(err));
	rv = event_parse(json, len, NULL, &ev, err, sizeof(err));
	if (c->err == NULL) {
		ck_assert_msg(rv == 0, "case %d: %s: %s", _i, json, err);
		nostr_event_free(&ev);
		return;
	}
	ck_assert_msg(rv == -1, "case %d accepted: %s", _i, json);
	ck_assert_msg(strncmp(err, c->err, strlen(c->err)) == 0,
	    "case %d: got \"%s\", want \"%s\"", _i, err, c->err);
	/* nothing is left to free after a failure */
	ck_assert_ptr_null(ev.ev_tags);
	ck_assert_ptr_null(ev.ev_content);
}
END_TEST

START_TEST(event_reject_misc)
{
	static const char *const bad[] = {
	    "", " ", "[]", "null", "\"x\"", "1", "{", "{\"id\"", "{}",
	    "{\"id\":}", "[{}]",
	};
	struct nostr_event	 ev;
	char			 err[EVENT_ERRLEN];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(event_parse(bad[i], strlen(bad[i]), NULL, &ev,
		    err, sizeof(err)) == -1, "accepted: %s", bad[i]);
		ck_assert_msg(err[0] != '\0', "no message: %s", bad[i]);
	}
	ck_assert_int_eq(event_parse("[]", 2, NULL, &ev, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "event: not a JSON object");
	ck_assert_int_eq(event_parse("{}", 2, NULL, &ev, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "id: missing");
	/* errors without a buffer */
	ck_assert_int_eq(event_parse("{", 1, NULL, &ev, NULL, 0), -1);
}
END_TEST

START_TEST(event_limits)
{
	struct event_limits	 lim;
	struct nostr_event	 ev;
	char			 err[EVENT_ERRLEN], want[64], *big;
	size_t			 i, n, len;

	event_limits_default(&lim);
	lim.el_max_bytes = strlen(V_JSON) - 1;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "event: larger than %zu bytes",
	    lim.el_max_bytes);
	ck_assert_str_eq(err, want);

	event_limits_default(&lim);
	lim.el_max_tags = 3;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "tags: more than 3 tags");
	lim.el_max_tags = 4;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), 0);
	nostr_event_free(&ev);

	event_limits_default(&lim);
	lim.el_max_values = 2;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "tags[0]: more than 2 values");

	event_limits_default(&lim);
	lim.el_max_string = 63;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "tags[1][1]: longer than 63 bytes");

	event_limits_default(&lim);
	lim.el_max_content = 5;
	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), &lim, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "content: longer than 5 bytes");

	/* the defaults: 2000 tags pass, 2001 do not; 256 KiB in all */
	for (i = 2000; i <= 2001; i++) {
		big = malloc(64 + 10 * i);
		ck_assert_ptr_nonnull(big);
		len = (size_t)sprintf(big, "{\"created_at\":1,\"kind\":1,"
		    "\"content\":\"\",\"tags\":[");
		for (n = 0; n < i; n++)
			len += (size_t)sprintf(big + len, "[\"t\",\"x\"],");
		big[len - 1] = ']';
		big[len++] = '}';
		ck_assert_int_eq(event_template_parse(big, len, NULL, &ev,
		    err, sizeof(err)), i == 2000 ? 0 : -1);
		if (i == 2000)
			ck_assert_uint_eq(ev.ev_ntags, 2000);
		else
			ck_assert_str_eq(err, "tags: more than 2000 tags");
		nostr_event_free(&ev);
		free(big);
	}
	len = EVENT_MAX_BYTES + 1;
	big = malloc(len);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	memcpy(big, "{\"content\":\"", 12);
	ck_assert_int_eq(event_parse(big, len, NULL, &ev, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "event: larger than 262144 bytes");
	free(big);
}
END_TEST

START_TEST(event_template)
{
	static const char	 tmpl[] = "{\"kind\":5932,\"content\":\"hi\","
	    "\"tags\":[[\"p\",\"" V_P "\"]],\"created_at\":7}";
	static const char	 t1[] = "{\"kind\":1,\"tags\":[],"
	    "\"created_at\":1}";
	static const char	 t2[] = "{\"kind\":1,\"tags\":[],"
	    "\"created_at\":1,\"content\":\"\",\"pubkey\":\"" V_PK_UP "\"}";
	struct nostr_event	 ev, back;
	secp256k1_keypair	 kp;
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;

	ck_assert_int_eq(event_template_parse(tmpl, sizeof(tmpl) - 1, NULL,
	    &ev, err, sizeof(err)), 0);
	ck_assert_int_eq(ev.ev_has, 0);
	ck_assert_int_eq(event_to_json(&ev, EVENT_PARSE_TEMPLATE, &s, &len),
	    0);
	ck_assert_str_eq(s, "{\"created_at\":7,\"kind\":5932,\"tags\":[[\"p\","
	    "\"" V_P "\"]],\"content\":\"hi\"}");
	free(s);
	/* a template is not an event */
	ck_assert_int_eq(event_parse(tmpl, sizeof(tmpl) - 1, NULL, &back,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "id: missing");
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);

	keypair_from_hex(&kp, V_SK);
	ck_assert_int_eq(event_sign(&ev, &kp), 0);
	ck_assert_int_eq(event_to_json(&ev, 0, &s, &len), 0);
	ck_assert_int_eq(event_parse(s, len, NULL, &back, err, sizeof(err)),
	    0);
	free(s);
	ck_assert_int_eq(event_verify(&back, err, sizeof(err)), 0);
	nostr_event_free(&back);
	nostr_event_free(&ev);

	ck_assert_int_eq(event_template_parse(t1, strlen(t1), NULL, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "content: missing");
	ck_assert_int_eq(event_template_parse(t2, strlen(t2), NULL, &ev, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "pubkey: not 64 lowercase hex characters");
}
END_TEST

START_TEST(event_tamper)
{
	struct nostr_event	 ev;
	secp256k1_keypair	 kp;
	secp256k1_xonly_pubkey	 xpk;
	char			 err[EVENT_ERRLEN];

	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), NULL, &ev, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), 0);

	ev.ev_content[0] = 'L';
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "id: does not match the event");
	ev.ev_content[0] = 'l';

	ev.ev_tags[1].t_vals[1].es_ptr[0] = '6';
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "id: does not match the event");
	ev.ev_tags[1].t_vals[1].es_ptr[0] = '5';

	ev.ev_created_at++;
	ck_assert_int_eq(event_check_id(&ev, err, sizeof(err)), -1);
	ev.ev_created_at--;

	ev.ev_sig[63] ^= 1;
	ck_assert_int_eq(event_check_id(&ev, err, sizeof(err)), 0);
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sig: bad signature");
	ev.ev_sig[63] ^= 1;

	ev.ev_id[0] ^= 0x80;
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "id: does not match the event");
	ev.ev_id[0] ^= 0x80;
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), 0);

	/* another key's id made to match: the signature is still wrong */
	keypair_from_hex(&kp, H32("01"));
	ck_assert_int_eq(secp256k1_keypair_xonly_pub(secp_ctx(), &xpk, NULL,
	    &kp), 1);
	ck_assert_int_eq(secp256k1_xonly_pubkey_serialize(secp_ctx(),
	    ev.ev_pubkey, &xpk), 1);
	ck_assert_int_eq(event_compute_id(&ev, ev.ev_id), 0);
	ck_assert_int_eq(event_check_id(&ev, err, sizeof(err)), 0);
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "sig: bad signature");

	/* a pubkey that is no x coordinate on the curve (BIP-340 row 5) */
	ck_assert_int_eq(hex_decode_any("EEFDEA4CDB677750A420FEE807EACF21EB98"
	    "98AE79B9768766E4FAA04A2D4A34", 64, ev.ev_pubkey, 32), 0);
	ck_assert_int_eq(event_compute_id(&ev, ev.ev_id), 0);
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pubkey: not a point on the curve");

	ev.ev_has &= ~EVENT_HAS_SIG;
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), -1);
	nostr_event_free(&ev);
}
END_TEST

START_TEST(event_tags)
{
	struct nostr_event	 ev;
	const struct event_tag	*t;
	const struct event_str	*v;
	size_t			 pos = 0;
	int			 n = 0;
	char			 err[EVENT_ERRLEN];

	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), NULL, &ev, err,
	    sizeof(err)), 0);
	t = event_tag_find(&ev, "amount", NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(v = event_tag_value(t, 2));
	ck_assert(event_str_eq(v, "lnbc50u1..."));
	ck_assert_ptr_null(event_tag_value(t, 3));
	ck_assert_ptr_null(event_tag_find(&ev, "a", NULL));
	ck_assert_ptr_null(event_tag_value(NULL, 0));

	ck_assert_int_eq(event_add_tagv(&ev, "p", H11, "wss://r", NULL), 0);
	while ((t = event_tag_find(&ev, "p", &pos)) != NULL) {
		n++;
		ck_assert_uint_ge(t->t_nvals, 2);
	}
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(pos, ev.ev_ntags);
	ck_assert_int_eq(event_add_tag(&ev, NULL, NULL, 0), -1);
	nostr_event_free(&ev);
	ck_assert_uint_eq(ev.ev_ntags, 0);
}
END_TEST

/*
 * The relay-message pattern of nostr_event.h: an outer parser for
 * ["EVENT","<subid>",{...}] that forwards the object's callbacks.
 */
struct relay_msg {
	struct event_parser	 rm_ep;
	int			 rm_depth;
	int			 rm_pos;
	int			 rm_fwd;
	char			 rm_sub[65];
};

#define RM_FWD(m, call) do {						\
	if (!(call))							\
		return (0);						\
	if (event_parser_done(&(m)->rm_ep)) {				\
		(m)->rm_fwd = 0;					\
		(m)->rm_pos++;						\
	}								\
	return (1);							\
} while (0)

static int
rm_null(void *arg)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_null(&m->rm_ep));
	return (0);
}

static int
rm_boolean(void *arg, int b)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_boolean(&m->rm_ep, b));
	return (0);
}

static int
rm_number(void *arg, const char *s, size_t len)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_number(&m->rm_ep, s,
		    len));
	return (0);
}

static int
rm_string(void *arg, const unsigned char *s, size_t len)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_string(&m->rm_ep, s,
		    len));
	if (m->rm_depth != 1)
		return (0);
	if (m->rm_pos == 0 && (len != 5 || memcmp(s, "EVENT", 5) != 0))
		return (0);
	if (m->rm_pos == 1) {
		if (len == 0 || len >= sizeof(m->rm_sub))
			return (0);
		memcpy(m->rm_sub, s, len);
		m->rm_sub[len] = '\0';
	}
	m->rm_pos++;
	return (m->rm_pos <= 2);
}

static int
rm_start_map(void *arg)
{
	struct relay_msg	*m = arg;

	if (!m->rm_fwd && m->rm_depth == 1 && m->rm_pos == 2)
		m->rm_fwd = 1;
	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_start_map(&m->rm_ep));
	return (0);
}

static int
rm_map_key(void *arg, const unsigned char *s, size_t len)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_map_key(&m->rm_ep, s,
		    len));
	return (0);
}

static int
rm_end_map(void *arg)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_end_map(&m->rm_ep));
	return (0);
}

static int
rm_start_array(void *arg)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_start_array(&m->rm_ep));
	return (m->rm_depth++ == 0);
}

static int
rm_end_array(void *arg)
{
	struct relay_msg	*m = arg;

	if (m->rm_fwd)
		RM_FWD(m, event_parser_callbacks.yajl_end_array(&m->rm_ep));
	m->rm_depth--;
	return (m->rm_pos == 3);
}

static const yajl_callbacks rm_callbacks = {
	.yajl_null = rm_null,
	.yajl_boolean = rm_boolean,
	.yajl_number = rm_number,
	.yajl_string = rm_string,
	.yajl_start_map = rm_start_map,
	.yajl_map_key = rm_map_key,
	.yajl_end_map = rm_end_map,
	.yajl_start_array = rm_start_array,
	.yajl_end_array = rm_end_array,
};

static int
rm_parse(const char *msg, const struct event_limits *lim,
    struct relay_msg *m, struct nostr_event *ev)
{
	yajl_handle	 h;
	yajl_status	 st;

	memset(m, 0, sizeof(*m));
	event_parser_init(&m->rm_ep, lim, 0, ev);
	ck_assert_ptr_nonnull(h = yajl_alloc(&rm_callbacks, NULL, m));
	st = yajl_parse(h, (const unsigned char *)msg, strlen(msg));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	if (st != yajl_status_ok) {
		event_parser_abort(&m->rm_ep);
		return (-1);
	}
	return (event_parser_finish(&m->rm_ep));
}

START_TEST(event_relay_message)
{
	struct event_limits	 lim;
	struct relay_msg	 m;
	struct nostr_event	 ev;
	char			 err[EVENT_ERRLEN];

	ck_assert_int_eq(rm_parse("[\"EVENT\",\"sub1\"," V_JSON "]", NULL,
	    &m, &ev), 0);
	ck_assert_str_eq(m.rm_sub, "sub1");
	ck_assert_int_eq(event_verify(&ev, err, sizeof(err)), 0);
	nostr_event_free(&ev);

	ck_assert_int_eq(rm_parse("[\"EVENT\",\"s\",{\"id\":1}]", NULL, &m,
	    &ev), -1);
	ck_assert_str_eq(event_parser_error(&m.rm_ep), "id: not a string");
	ck_assert_int_eq(rm_parse("[\"EVENT\",\"s\",{\"id\":\"" V_ID "\"}]",
	    NULL, &m, &ev), -1);
	ck_assert_str_eq(event_parser_error(&m.rm_ep), "pubkey: missing");
	ck_assert_int_eq(rm_parse("[\"EVENT\",\"s\"," V_JSON ",1]", NULL, &m,
	    &ev), -1);
	ck_assert_ptr_null(ev.ev_tags);

	/* here only the decoded strings can be held to the size limit */
	event_limits_default(&lim);
	lim.el_max_bytes = 200;
	ck_assert_int_eq(rm_parse("[\"EVENT\",\"s\"," V_JSON "]", &lim, &m,
	    &ev), -1);
	ck_assert_str_eq(event_parser_error(&m.rm_ep),
	    "event: larger than 200 bytes");
}
END_TEST

/* Filters: matching against two events. */
static void
filter_events(struct nostr_event *e1, struct nostr_event *e2)
{
	nostr_event_init(e1, 5932, 1000);
	memset(e1->ev_id, 0x11, 32);
	memset(e1->ev_pubkey, 0xaa, 32);
	ck_assert_int_eq(event_add_tagv(e1, "e", H22, NULL), 0);
	ck_assert_int_eq(event_add_tagv(e1, "p", HBB, NULL), 0);
	ck_assert_int_eq(event_add_tagv(e1, "t", "rust", NULL), 0);
	ck_assert_int_eq(event_add_tagv(e1, "e", NULL), 0);
	nostr_event_init(e2, 7000, 2000);
	memset(e2->ev_id, 0x33, 32);
	memset(e2->ev_pubkey, 0xcc, 32);
	ck_assert_int_eq(event_add_tagv(e2, "p", HBB, "wss://relay", NULL),
	    0);
	ck_assert_int_eq(event_add_tagv(e2, "e", "x", H22, NULL), 0);
	ck_assert_int_eq(event_add_tagv(e2, "tt", "rust", NULL), 0);
	ck_assert_int_eq(event_add_tagv(e2, "t", "c", NULL), 0);
}

static const struct {
	const char	*json;
	int		 m1, m2;
} matches[] = {
	{ "{}", 1, 1 },
	{ "{\"ids\":[]}", 0, 0 },
	{ "{\"ids\":[\"" H11 "\"]}", 1, 0 },
	{ "{\"ids\":[\"" H33 "\",\"" H11 "\"]}", 1, 1 },
	{ "{\"authors\":[\"" HCC "\"]}", 0, 1 },
	{ "{\"authors\":[\"" HBB "\"]}", 0, 0 },
	{ "{\"kinds\":[5932,5933]}", 1, 0 },
	{ "{\"kinds\":[]}", 0, 0 },
	{ "{\"#e\":[\"" H22 "\"]}", 1, 0 },
	{ "{\"#p\":[\"" HBB "\"]}", 1, 1 },
	{ "{\"#p\":[]}", 0, 0 },
	{ "{\"#t\":[\"rust\",\"go\"]}", 1, 0 },
	{ "{\"#t\":[\"c\"]}", 0, 1 },
	{ "{\"#t\":[\"C\"]}", 0, 0 },
	{ "{\"#x\":[\"rust\"]}", 0, 0 },
	{ "{\"since\":1000}", 1, 1 },
	{ "{\"since\":1001}", 0, 1 },
	{ "{\"until\":1000}", 1, 0 },
	{ "{\"until\":999}", 0, 0 },
	{ "{\"since\":1000,\"until\":2000}", 1, 1 },
	{ "{\"since\":2001}", 0, 0 },
	{ "{\"kinds\":[7000],\"#p\":[\"" HBB "\"]}", 0, 1 },
	{ "{\"kinds\":[7000],\"#e\":[\"" H22 "\"]}", 0, 0 },
	{ "{\"#e\":[\"" H22 "\"],\"#t\":[\"c\"]}", 0, 0 },
	{ "{\"authors\":[\"" HAA "\"],\"#t\":[\"rust\"],\"kinds\":[5932]}",
	    1, 0 },
	{ "{\"limit\":1}", 1, 1 },
	{ "{\"search\":\"x\",\"kinds\":[5932],\"x\":{\"y\":[1]}}", 1, 0 },
};

START_TEST(filter_matching)
{
	struct nostr_filter	 f;
	struct nostr_event	 e1, e2;
	char			 err[EVENT_ERRLEN];
	const char		*json = matches[_i].json;

	filter_events(&e1, &e2);
	ck_assert_msg(filter_parse(json, strlen(json), &f, err,
	    sizeof(err)) == 0, "%s: %s", json, err);
	ck_assert_msg(filter_match(&f, &e1) == matches[_i].m1, "e1: %s",
	    json);
	ck_assert_msg(filter_match(&f, &e2) == matches[_i].m2, "e2: %s",
	    json);
	filter_free(&f);
	nostr_event_free(&e1);
	nostr_event_free(&e2);
}
END_TEST

START_TEST(filter_or)
{
	static const char *const a[] = { "{\"kinds\":[5932]}",
	    "{\"authors\":[\"" HCC "\"]}" };
	static const char *const b[] = { "{\"ids\":[]}", "{\"until\":999}" };
	struct nostr_filter	 fa[2], fb[2];
	struct nostr_event	 e1, e2;
	char			 err[EVENT_ERRLEN];
	int			 i;

	filter_events(&e1, &e2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(filter_parse(a[i], strlen(a[i]), &fa[i], err,
		    sizeof(err)), 0);
		ck_assert_int_eq(filter_parse(b[i], strlen(b[i]), &fb[i], err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(filters_match(fa, 2, &e1), 1);
	ck_assert_int_eq(filters_match(fa, 2, &e2), 1);
	ck_assert_int_eq(filters_match(fa, 1, &e2), 0);
	ck_assert_int_eq(filters_match(fb, 2, &e1), 0);
	ck_assert_int_eq(filters_match(fb, 2, &e2), 0);
	ck_assert_int_eq(filters_match(fa, 0, &e1), 0);
	for (i = 0; i < 2; i++) {
		filter_free(&fa[i]);
		filter_free(&fb[i]);
	}
	nostr_event_free(&e1);
	nostr_event_free(&e2);
}
END_TEST

/* Canonical filter text comes back byte for byte. */
static const char *const filter_texts[] = {
	"{}",
	"{\"ids\":[]}",
	"{\"ids\":[\"" H11 "\",\"" H22 "\"],\"authors\":[\"" HCC "\"],"
	    "\"kinds\":[0,1,7000,65535],\"#e\":[\"" H22 "\"],\"#t\":[\"a\\nb\","
	    "\"/\",\"\\u0000\"],\"#Z\":[],\"since\":5,\"until\":6,"
	    "\"limit\":0}",
	"{\"kinds\":[5930,5931,5932,5933,5050],\"#p\":[\"" HBB "\"],"
	    "\"since\":1735600000}",
	"{\"limit\":9223372036854775807}",
};

START_TEST(filter_json)
{
	struct nostr_filter	 f, g;
	const char		*in = filter_texts[_i];
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;

	ck_assert_msg(filter_parse(in, strlen(in), &f, err, sizeof(err)) ==
	    0, "%s: %s", in, err);
	ck_assert_int_eq(filter_to_json(&f, &s, &len), 0);
	ck_assert_str_eq(s, in);
	ck_assert_uint_eq(len, strlen(in));
	ck_assert_int_eq(filter_parse(s, len, &g, err, sizeof(err)), 0);
	ck_assert(filter_equal(&f, &g));
	free(s);
	filter_free(&f);
	filter_free(&g);
}
END_TEST

START_TEST(filter_build)
{
	static const char	 loose[] =
	    " { \"limit\" : 7 , \"kinds\":[ 1 ] } ";
	struct nostr_filter	 f, g;
	uint8_t			 pk[32];
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;

	memset(pk, 0xbb, sizeof(pk));
	filter_init(&f);
	ck_assert_int_eq(filter_add_kind(&f, 5932), 0);
	ck_assert_int_eq(filter_add_kind(&f, 65536), -1);
	ck_assert_int_eq(filter_add_author(&f, pk), 0);
	ck_assert_int_eq(filter_add_tag(&f, 'p', HBB, 64), 0);
	ck_assert_int_eq(filter_add_tag(&f, 'p', HCC, 64), 0);
	ck_assert_int_eq(filter_add_tag(&f, '#', "x", 1), -1);
	f.f_since = 10;
	f.f_has |= FILTER_HAS_SINCE;
	ck_assert_int_eq(filter_to_json(&f, &s, &len), 0);
	ck_assert_str_eq(s, "{\"authors\":[\"" HBB "\"],\"kinds\":[5932],"
	    "\"#p\":[\"" HBB "\",\"" HCC "\"],\"since\":10}");
	ck_assert_int_eq(filter_parse(s, len, &g, err, sizeof(err)), 0);
	ck_assert(filter_equal(&f, &g));
	free(s);
	filter_free(&g);
	filter_free(&f);

	/* non-canonical input comes out canonical */
	ck_assert_int_eq(filter_parse(loose, strlen(loose), &f, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(filter_to_json(&f, &s, &len), 0);
	ck_assert_str_eq(s, "{\"kinds\":[1],\"limit\":7}");
	free(s);
	filter_free(&f);
}
END_TEST

static const struct {
	const char	*json;
	const char	*err;
} filter_rejects[] = {
	{ "{\"ids\":[\"abc\"]}", "ids[0]: not 64 lowercase hex characters" },
	{ "{\"ids\":[\"" H32("AA") "\"]}", "ids[0]: not 64 lowercase hex" },
	{ "{\"authors\":[\"" HAA "\",1]}", "authors[1]: not a string" },
	{ "{\"ids\":\"" H11 "\"}", "ids: not an array" },
	{ "{\"kinds\":[70000]}", "kinds[0]: not an integer in 0..65535" },
	{ "{\"kinds\":[1,\"1\"]}", "kinds[1]: not an integer in 0..65535" },
	{ "{\"kinds\":[-1]}", "kinds[0]: not an integer" },
	{ "{\"kinds\":[[1]]}", "kinds[0]: not an integer" },
	{ "{\"kinds\":1}", "kinds: not an array" },
	{ "{\"since\":-1}", "since: not a non-negative integer" },
	{ "{\"until\":1.5}", "until: not a non-negative integer" },
	{ "{\"limit\":\"10\"}", "limit: not a non-negative integer" },
	{ "{\"limit\":[]}", "limit: not a non-negative integer" },
	{ "{\"#e\":[\"nothex\"]}", "#e[0]: not 64 lowercase hex characters" },
	{ "{\"#p\":[\"" HBB "\",null]}", "#p[1]: not a string" },
	{ "{\"#t\":\"x\"}", "#t: not an array" },
	{ "{\"#t\":[\"\xc0\x80\"]}", "#t[0]: invalid UTF-8" },
	{ "{\"#ab\":[]}", "filter: a tag key is # and one letter" },
	{ "{\"#\":[]}", "filter: a tag key is # and one letter" },
	{ "{\"#1\":[]}", "filter: a tag key is # and one letter" },
	{ "{\"#e\":[],\"#e\":[]}", "#e: duplicate key" },
	{ "{\"kinds\":[],\"kinds\":[]}", "kinds: duplicate key" },
	{ "[]", "filter: not a JSON object" },
	{ "{}x", "filter: invalid JSON" },
	{ "{\"kinds\":[1]", "filter: invalid JSON" },
	{ "", "filter: invalid JSON" },
};

START_TEST(filter_reject)
{
	struct nostr_filter	 f;
	const char		*in = filter_rejects[_i].json;
	const char		*want = filter_rejects[_i].err;
	char			 err[EVENT_ERRLEN];

	ck_assert_msg(filter_parse(in, strlen(in), &f, err, sizeof(err)) ==
	    -1, "accepted: %s", in);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "%s: got \"%s\", want \"%s\"", in, err, want);
	ck_assert_ptr_null(f.f_tags);
	ck_assert_ptr_null(f.f_kinds);
}
END_TEST

START_TEST(filter_limits)
{
	struct nostr_filter	 f;
	char			*big, err[EVENT_ERRLEN];
	size_t			 len, i;

	big = malloc(16 + 2 * (FILTER_MAX_VALUES + 1));
	ck_assert_ptr_nonnull(big);
	len = (size_t)sprintf(big, "{\"kinds\":[");
	for (i = 0; i <= FILTER_MAX_VALUES; i++)
		len += (size_t)sprintf(big + len, "1,");
	big[len - 1] = ']';
	big[len++] = '}';
	ck_assert_int_eq(filter_parse(big, len, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "kinds: more than 1000 values");
	free(big);
}
END_TEST

/* The shared pieces, and the branches the tables above do not reach. */
START_TEST(event_helpers)
{
	static const struct {
		const char	*s;
		int		 ok;
	} utf8[] = {
		{ "", 1 }, { "a\x7f", 1 }, { "\xc2\x80", 1 },
		{ "\xdf\xbf", 1 }, { "\xe0\xa0\x80", 1 },
		{ "\xed\x9f\xbf", 1 }, { "\xee\x80\x80", 1 },
		{ "\xf0\x90\x80\x80", 1 }, { "\xf4\x8f\xbf\xbf", 1 },
		{ "\x80", 0 }, { "\xc1\xbf", 0 }, { "\xc2", 0 },
		{ "\xe0\x9f\xbf", 0 }, { "\xed\xa0\x80", 0 },
		{ "\xe1\x80\x7f", 0 }, { "\xf0\x8f\xbf\xbf", 0 },
		{ "\xf0\x90\x80\xc0", 0 }, { "\xf4\x90\x80\x80", 0 },
		{ "\xf5\x80\x80\x80", 0 }, { "\xff", 0 },
		{ "\xe2\x82", 0 },
	};
	static const struct {
		const char	*s;
		uint64_t	 max, want;
		int		 rv;
	} nums[] = {
		{ "0", 9, 0, 0 }, { "9", 9, 9, 0 }, { "10", 9, 0, -1 },
		{ "65535", 65535, 65535, 0 }, { "65536", 65535, 0, -1 },
		{ "01", 99, 0, -1 }, { "", 99, 0, -1 }, { "-1", 99, 0, -1 },
		{ "1e2", 999, 0, -1 }, { "1.0", 99, 0, -1 },
		{ "18446744073709551615", UINT64_MAX, UINT64_MAX, 0 },
		{ "18446744073709551616", UINT64_MAX, 0, -1 },
	};
	struct nostr_event	 a, b;
	struct nostr_filter	 f, g;
	struct event_parser	 ep;
	char			 err[EVENT_ERRLEN], *big;
	uint64_t		 v;
	size_t			 i;

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		ck_assert_msg(event_utf8_valid(utf8[i].s, strlen(utf8[i].s)) ==
		    utf8[i].ok, "utf8 case %zu", i);
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		v = 0;
		ck_assert_int_eq(event_json_uint(nums[i].s, strlen(nums[i].s),
		    nums[i].max, &v), nums[i].rv);
		if (nums[i].rv == 0)
			ck_assert_uint_eq(v, nums[i].want);
	}

	/* event_equal sees every field */
	vector_build(&a);
	vector_build(&b);
	ck_assert(event_equal(&a, &b));
	b.ev_has = EVENT_HAS_ID;
	ck_assert(!event_equal(&a, &b));
	b.ev_has = 0;
	b.ev_tags[3].t_vals[2].es_ptr[0] = 'L';
	ck_assert(!event_equal(&a, &b));
	b.ev_tags[3].t_vals[2].es_ptr[0] = 'l';
	b.ev_tags[3].t_nvals--;
	ck_assert(!event_equal(&a, &b));
	b.ev_tags[3].t_nvals++;
	ck_assert_int_eq(event_set_content(&b, V_CONTENT, 3), 0);
	ck_assert(!event_equal(&a, &b));
	nostr_event_free(&b);

	/* the builder grows a tag past the first few values */
	ck_assert_int_eq(event_add_tagv(&a, "x", "1", "2", "3", "4", "5",
	    "6", "7", "8", "9", "10", NULL), 0);
	ck_assert_uint_eq(a.ev_tags[a.ev_ntags - 1].t_nvals, 11);
	nostr_event_free(&a);

	/* a relay-message parser that stops before the object closed */
	event_parser_init(&ep, NULL, 0, &a);
	ck_assert_int_eq(event_parser_callbacks.yajl_start_map(&ep), 1);
	ck_assert_int_eq(event_parser_done(&ep), 0);
	ck_assert_int_eq(event_parser_finish(&ep), -1);
	ck_assert_str_eq(event_parser_error(&ep), "event: incomplete object");
	event_parser_abort(&ep);
	/* callbacks in the wrong place, as a confused caller might send */
	event_parser_init(&ep, NULL, 0, &a);
	ck_assert_int_eq(event_parser_callbacks.yajl_end_map(&ep), 0);
	ck_assert_str_eq(event_parser_error(&ep), "event: not a JSON object");
	ck_assert_int_eq(event_parser_callbacks.yajl_start_map(&ep), 0);
	event_parser_abort(&ep);

	/* filter_equal sees every field */
	ck_assert_int_eq(filter_parse(filter_texts[2],
	    strlen(filter_texts[2]), &f, err, sizeof(err)), 0);
	ck_assert_int_eq(filter_parse(filter_texts[2],
	    strlen(filter_texts[2]), &g, err, sizeof(err)), 0);
	ck_assert(filter_equal(&f, &g));
	g.f_ids[1][0] ^= 1;
	ck_assert(!filter_equal(&f, &g));
	g.f_ids[1][0] ^= 1;
	g.f_kinds[0] = 2;
	ck_assert(!filter_equal(&f, &g));
	g.f_kinds[0] = 0;
	g.f_tags[1].ft_name = 'u';
	ck_assert(!filter_equal(&f, &g));
	g.f_tags[1].ft_name = 't';
	g.f_tags[1].ft_vals[0].es_ptr[0] = 'A';
	ck_assert(!filter_equal(&f, &g));
	g.f_limit = 1;
	ck_assert(!filter_equal(&f, &g));
	filter_free(&f);
	filter_free(&g);

	/* a "#x" value past FILTER_MAX_STRING */
	big = malloc(FILTER_MAX_STRING + 32);
	ck_assert_ptr_nonnull(big);
	i = (size_t)sprintf(big, "{\"#t\":[\"");
	memset(big + i, 'a', FILTER_MAX_STRING + 1);
	i += FILTER_MAX_STRING + 1;
	memcpy(big + i, "\"]}", 3);
	ck_assert_int_eq(filter_parse(big, i + 3, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "#t[0]: longer than 1024 bytes");
	ck_assert_int_eq(filter_parse(big, i + 2, &f, NULL, 0), -1);
	free(big);
}
END_TEST

#define NITEMS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
event_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("event");
	tc = tcase_create("vectors");
	tcase_add_test(tc, event_vector);
	tcase_add_test(tc, event_bip340);
	suite_add_tcase(s, tc);

	tc = tcase_create("escaping");
	tcase_add_loop_test(tc, event_escape_byte, 0, NITEMS(escapes));
	tcase_add_test(tc, event_escape_canonical);
	tcase_add_test(tc, event_escape_signed);
	suite_add_tcase(s, tc);

	tc = tcase_create("validation");
	tcase_add_loop_test(tc, event_reject, 0, NITEMS(rejects));
	tcase_add_test(tc, event_reject_misc);
	tcase_add_test(tc, event_limits);
	tcase_add_test(tc, event_template);
	tcase_add_test(tc, event_tamper);
	tcase_add_test(tc, event_tags);
	tcase_add_test(tc, event_relay_message);
	tcase_add_test(tc, event_helpers);
	suite_add_tcase(s, tc);

	tc = tcase_create("filters");
	tcase_add_loop_test(tc, filter_matching, 0, NITEMS(matches));
	tcase_add_test(tc, filter_or);
	tcase_add_loop_test(tc, filter_json, 0, NITEMS(filter_texts));
	tcase_add_test(tc, filter_build);
	tcase_add_loop_test(tc, filter_reject, 0, NITEMS(filter_rejects));
	tcase_add_test(tc, filter_limits);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(event_suite()));
}
