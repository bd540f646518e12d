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
 * Relay messages and the dedupe LRU: every relay-to-client message
 * type as relays write it, one rejection per rule, unknown types, the
 * cutting of long text, the client messages byte for byte and back
 * through a JSON parser, and the LRU's order and bounds.
 */

#include <check.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "hex.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "relay_msg.h"
#include "secp.h"
#include "check_run.h"

/* PROTOCOL.md §C.1: the signed vector event */
#define V_SK	"7f7ff03d123792d6ac594bfa67bf6d0c" \
		"0ab55b6b1fdb6249303fe861f1ccba9a"
#define V_PK	"17162c921dc4d2518f9a101db33695df" \
		"1afb56ab82f5ff3e5da6eec3ca5cd917"
#define V_ID	"7d66a224c1ce7783e527b40432408f90" \
		"fc91f158081db6ffd9c376d8af42c26a"
#define V_ID_UP	"7D66A224C1CE7783E527B40432408F90" \
		"FC91F158081DB6FFD9C376D8AF42C26A"
#define V_ID_G	"gd66a224c1ce7783e527b40432408f90" \
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
#define V_CONTENT_JSON	"\"line1\\n\\\"quoted\\\"\\t\\\\ end\""
#define V_JSON	"{\"id\":\"" V_ID "\",\"pubkey\":\"" V_PK "\"," \
		"\"created_at\":1735600000,\"kind\":7000,\"tags\":" V_TAGS "," \
		"\"content\":" V_CONTENT_JSON ",\"sig\":\"" V_SIG "\"}"
/* the same event as a relay may lay it out: other order, spacing */
#define V_JSON_RELAY \
		"{\n  \"content\": " V_CONTENT_JSON ",\n" \
		"  \"created_at\": 1735600000,\n  \"id\": \"" V_ID "\",\n" \
		"  \"kind\": 7000,\n  \"pubkey\": \"" V_PK "\",\n" \
		"  \"sig\": \"" V_SIG "\",\n  \"tags\": " V_TAGS ",\n" \
		"  \"seen_on\": [\"wss://relay.example\"]\n}"

#define S64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

#define NITEMS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static int
parse(const char *json, struct relay_msg *m, int *unknown, char *err,
    size_t errlen)
{
	return (relay_msg_parse(json, strlen(json), NULL, m, unknown, err,
	    errlen));
}

/* The parse must fail, with reason in err and nothing held in m. */
static void
parse_fail(const char *json, size_t len, const struct event_limits *lim,
    const char *want, int want_unknown)
{
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN];
	int			 unknown = -1;

	err[0] = '\0';
	ck_assert_msg(relay_msg_parse(json, len, lim, &m, &unknown, err,
	    sizeof(err)) == -1, "accepted: %.200s", json);
	ck_assert_msg(strstr(err, want) != NULL,
	    "%.200s: error \"%s\", want \"%s\"", json, err, want);
	ck_assert_int_eq(unknown, want_unknown);
	ck_assert_ptr_null(m.rm_event.ev_tags);
	ck_assert_ptr_null(m.rm_event.ev_content);
	relay_msg_free(&m);
}

static void
check_vector_event(const struct nostr_event *ev)
{
	char	 err[EVENT_ERRLEN];
	uint8_t	 id[EVENT_ID_LEN];

	ck_assert_int_eq(hex_decode(V_ID, 64, id, sizeof(id)), 0);
	ck_assert_mem_eq(ev->ev_id, id, sizeof(id));
	ck_assert_int_eq(ev->ev_kind, 7000);
	ck_assert_int_eq(ev->ev_created_at, 1735600000);
	ck_assert_uint_eq(ev->ev_ntags, 4);
	ck_assert_uint_eq(ev->ev_contentlen,
	    strlen("line1\n\"quoted\"\t\\ end"));
	ck_assert_int_eq(event_verify(ev, err, sizeof(err)), 0);
}

START_TEST(msg_event)
{
	static const char *const texts[] = {
		"[\"EVENT\",\"sub1\"," V_JSON "]",
		"[ \"EVENT\" ,\r\n\t\"sub1\" , " V_JSON_RELAY " ]\n",
	};
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN];
	int			 i, unknown;

	for (i = 0; i < NITEMS(texts); i++) {
		ck_assert_msg(parse(texts[i], &m, &unknown, err,
		    sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(unknown, 0);
		ck_assert_int_eq(m.rm_type, RELAY_MSG_EVENT);
		ck_assert_str_eq(m.rm_subid, "sub1");
		check_vector_event(&m.rm_event);
		relay_msg_free(&m);
		ck_assert_ptr_null(m.rm_event.ev_tags);
	}

	/* a subscription id of exactly 64 bytes, and one not ASCII */
	ck_assert_int_eq(parse("[\"EVENT\",\"" S64 "\"," V_JSON "]", &m,
	    NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(m.rm_subid, S64);
	relay_msg_free(&m);
	ck_assert_int_eq(parse("[\"EVENT\",\"j\xc3\xb6" "b\\u00e9\","
	    V_JSON "]", &m, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(m.rm_subid, "j\xc3\xb6" "b\xc3\xa9");
	relay_msg_free(&m);
}
END_TEST

START_TEST(msg_ok)
{
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN];
	uint8_t			 id[EVENT_ID_LEN];

	ck_assert_int_eq(hex_decode(V_ID, 64, id, sizeof(id)), 0);
	ck_assert_int_eq(parse("[\"OK\",\"" V_ID "\",true,\"\"]", &m, NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(m.rm_type, RELAY_MSG_OK);
	ck_assert_mem_eq(m.rm_id, id, sizeof(id));
	ck_assert_int_eq(m.rm_ok, 1);
	ck_assert_uint_eq(m.rm_textlen, 0);
	relay_msg_free(&m);

	ck_assert_int_eq(parse("[\"OK\", \"" V_ID "\", false, "
	    "\"duplicate: already have this event\"]", &m, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(m.rm_ok, 0);
	ck_assert_str_eq(m.rm_text, "duplicate: already have this event");
	ck_assert_uint_eq(m.rm_textlen, 34);
	relay_msg_free(&m);

	ck_assert_int_eq(parse("[\"OK\",\"" V_ID "\",false,"
	    "\"auth-required: we only accept events from registered "
	    "users\"]", &m, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(strncmp(m.rm_text, "auth-required:", 14), 0);
	relay_msg_free(&m);

	/* the message missing, as old relays sent it */
	ck_assert_int_eq(parse("[\"OK\",\"" V_ID "\",true]", &m, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(m.rm_ok, 1);
	ck_assert_uint_eq(m.rm_textlen, 0);
	ck_assert_str_eq(m.rm_text, "");
	relay_msg_free(&m);
}
END_TEST

START_TEST(msg_others)
{
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN];

	ck_assert_int_eq(parse("[\"EOSE\",\"oa-jobs-1\"]", &m, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(m.rm_type, RELAY_MSG_EOSE);
	ck_assert_str_eq(m.rm_subid, "oa-jobs-1");
	relay_msg_free(&m);

	ck_assert_int_eq(parse("[\"CLOSED\",\"oa-jobs-1\",\"auth-required: "
	    "we only serve authenticated users\"]", &m, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(m.rm_type, RELAY_MSG_CLOSED);
	ck_assert_str_eq(m.rm_subid, "oa-jobs-1");
	ck_assert_str_eq(m.rm_text,
	    "auth-required: we only serve authenticated users");
	relay_msg_free(&m);

	ck_assert_int_eq(parse("[\"NOTICE\",\"rate-limited: slow down\"]",
	    &m, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(m.rm_type, RELAY_MSG_NOTICE);
	ck_assert_str_eq(m.rm_text, "rate-limited: slow down");
	relay_msg_free(&m);

	ck_assert_int_eq(parse("[\"AUTH\",\"6b4b2c0e-9c1f-4f0e-a7d1\"]", &m,
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(m.rm_type, RELAY_MSG_AUTH);
	ck_assert_str_eq(m.rm_text, "6b4b2c0e-9c1f-4f0e-a7d1");
	relay_msg_free(&m);

	/* text keeps what JSON said, a NUL included */
	ck_assert_int_eq(parse("[\"NOTICE\",\"a\\u0000b\\n\\\"c\\\" "
	    "\\u20ac\\ud83d\\ude00\"]", &m, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.rm_textlen, 15);
	ck_assert_mem_eq(m.rm_text, "a\0b\n\"c\" \xe2\x82\xac\xf0\x9f\x98\x80",
	    16);
	relay_msg_free(&m);
}
END_TEST

static char *
long_message(const char *type, const char *unit, size_t n)
{
	size_t	 ul = strlen(unit), tl = strlen(type), i;
	char	*s, *p;

	ck_assert_ptr_nonnull(s = malloc(tl + n * ul + 32));
	p = s + sprintf(s, "[%s\"", type);
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	strcpy(p, "\"]");
	return (s);
}

START_TEST(msg_long_text)
{
	static const struct {
		const char	*type;
		const char	*unit;
		size_t		 n;
		size_t		 want;
	} cases[] = {
		{ "\"NOTICE\",", "a", 10000, RELAY_TEXT_MAX },
		{ "\"NOTICE\",", "a", RELAY_TEXT_MAX, RELAY_TEXT_MAX },
		{ "\"NOTICE\",", "\xc3\xa9", 3000, RELAY_TEXT_MAX },
		/* the cut backs off to the start of a 3-byte character */
		{ "\"NOTICE\",", "\xe2\x82\xac", 2000, 4095 },
		{ "\"NOTICE\",", "\\u20ac", 2000, 4095 },
		{ "\"CLOSED\",\"s\",", "x", 5000, RELAY_TEXT_MAX },
		{ "\"OK\",\"" V_ID "\",false,", "\xf0\x9f\x98\x80", 1100,
		    RELAY_TEXT_MAX },
		{ "\"AUTH\",", "c", RELAY_TEXT_MAX, RELAY_TEXT_MAX },
	};
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN], *s;
	int			 i;

	for (i = 0; i < NITEMS(cases); i++) {
		s = long_message(cases[i].type, cases[i].unit, cases[i].n);
		ck_assert_msg(parse(s, &m, NULL, err, sizeof(err)) == 0,
		    "case %d: %s", i, err);
		ck_assert_uint_eq(m.rm_textlen, cases[i].want);
		ck_assert_uint_eq(strlen(m.rm_text), cases[i].want);
		ck_assert(event_utf8_valid(m.rm_text, m.rm_textlen));
		relay_msg_free(&m);
		free(s);
	}

	/* a challenge cut would be answered wrong: refused instead */
	s = long_message("\"AUTH\",", "c", RELAY_TEXT_MAX + 1);
	parse_fail(s, strlen(s), NULL, "AUTH: challenge longer than 4096", 0);
	free(s);
}
END_TEST

static const struct {
	const char	*json;
	const char	*err;
} rejects[] = {
	/* the outer array */
	{ "{\"EVENT\":1}", "message: not a JSON array" },
	{ "\"EVENT\"", "message: not a JSON array" },
	{ "null", "message: not a JSON array" },
	{ "[]", "message: empty array" },
	{ "[1]", "message: type is not a string" },
	{ "[null,\"s\"]", "message: type is not a string" },
	{ "[true]", "message: type is not a string" },
	{ "[[\"EOSE\"],\"s\"]", "message: type is not a string" },
	{ "[{},\"s\"]", "message: type is not a string" },
	/* EVENT */
	{ "[\"EVENT\"]", "EVENT: 1 elements, fewer than 3" },
	{ "[\"EVENT\",\"s\"]", "EVENT: 2 elements, fewer than 3" },
	{ "[\"EVENT\"," V_JSON "]", "EVENT: element 1 is not a subscription" },
	{ "[\"EVENT\",\"s\"," V_JSON ",1]", "EVENT: more than 3 elements" },
	{ "[\"EVENT\",\"s\"," V_JSON "," V_JSON "]",
	    "EVENT: more than 3 elements" },
	{ "[\"EVENT\",\"s\",\"x\"]", "EVENT: element 2 is not an event" },
	{ "[\"EVENT\",\"s\",[" V_JSON "]]",
	    "EVENT: element 2 is not an event" },
	{ "[\"EVENT\",\"s\",null]", "EVENT: element 2 is not an event" },
	{ "[\"EVENT\",1," V_JSON "]",
	    "EVENT: element 1 is not a subscription" },
	{ "[\"EVENT\",\"\"," V_JSON "]", "EVENT: subscription id not 1 to 64" },
	{ "[\"EVENT\",\"" S64 "x\"," V_JSON "]",
	    "EVENT: subscription id not 1 to 64" },
	{ "[\"EVENT\",\"a\\nb\"," V_JSON "]", "EVENT: control character" },
	{ "[\"EVENT\",\"a\\u0000\"," V_JSON "]", "EVENT: control character" },
	{ "[\"EVENT\",\"\\u007f\"," V_JSON "]", "EVENT: control character" },
	{ "[\"EVENT\",\"s\",{\"id\":\"" V_ID_UP "\"}]",
	    "EVENT: id: not 64 lowercase hex" },
	{ "[\"EVENT\",\"s\",{\"id\":\"" V_ID "\",\"pubkey\":\"" V_PK "\","
	    "\"created_at\":1735600000,\"kind\":7000,\"tags\":[],"
	    "\"content\":\"\"}]", "EVENT: sig: missing" },
	{ "[\"EVENT\",\"s\",{\"kind\":70000}]", "EVENT: kind:" },
	{ "[\"EVENT\",\"s\",{\"tags\":[[]]}]", "EVENT: tags[0]" },
	/* OK */
	{ "[\"OK\",\"" V_ID "\"]", "OK: 2 elements, fewer than 3" },
	{ "[\"OK\",\"" V_ID "\",true,\"\",\"\"]", "OK: more than 4 elements" },
	{ "[\"OK\",\"" V_ID_UP "\",true,\"\"]", "OK: event id not 64" },
	{ "[\"OK\",\"" V_ID "0\",true,\"\"]", "OK: event id not 64" },
	{ "[\"OK\",\"7d66\",true,\"\"]", "OK: event id not 64" },
	{ "[\"OK\",\"" V_ID_G "\",true,\"\"]", "OK: event id not 64" },
	{ "[\"OK\",true,\"" V_ID "\",\"\"]",
	    "OK: element 1 is not an event id" },
	{ "[\"OK\",\"" V_ID "\",\"true\",\"\"]",
	    "OK: element 2 is not a boolean" },
	{ "[\"OK\",\"" V_ID "\",1,\"\"]", "OK: element 2 is not a boolean" },
	{ "[\"OK\",\"" V_ID "\",null,\"\"]", "OK: element 2 is not a boolean" },
	{ "[\"OK\",\"" V_ID "\",true,null]", "OK: element 3 is not a message" },
	{ "[\"OK\",\"" V_ID "\",true,{}]", "OK: element 3 is not a message" },
	/* EOSE, CLOSED, NOTICE, AUTH */
	{ "[\"EOSE\"]", "EOSE: 1 elements, fewer than 2" },
	{ "[\"EOSE\",\"s\",\"t\"]", "EOSE: more than 2 elements" },
	{ "[\"EOSE\",1]", "EOSE: element 1 is not a subscription id" },
	{ "[\"EOSE\",1.5]", "EOSE: element 1 is not a subscription id" },
	{ "[\"EOSE\",\"\"]", "EOSE: subscription id not 1 to 64" },
	{ "[\"EOSE\",\"a\\tb\"]", "EOSE: control character" },
	{ "[\"CLOSED\",\"s\"]", "CLOSED: 2 elements, fewer than 3" },
	{ "[\"CLOSED\",\"s\",\"m\",\"x\"]", "CLOSED: more than 3 elements" },
	{ "[\"CLOSED\",\"s\",1]", "CLOSED: element 2 is not a message" },
	{ "[\"CLOSED\",\"\\u001b\",\"m\"]", "CLOSED: control character" },
	{ "[\"NOTICE\"]", "NOTICE: 1 elements, fewer than 2" },
	{ "[\"NOTICE\",\"a\",\"b\"]", "NOTICE: more than 2 elements" },
	{ "[\"NOTICE\",[\"a\"]]", "NOTICE: element 1 is not a message" },
	{ "[\"NOTICE\",{\"a\":1}]", "NOTICE: element 1 is not a message" },
	{ "[\"AUTH\"]", "AUTH: 1 elements, fewer than 2" },
	{ "[\"AUTH\",\"\"]", "AUTH: empty challenge" },
	{ "[\"AUTH\",\"c\",\"d\"]", "AUTH: more than 2 elements" },
	{ "[\"AUTH\"," V_JSON "]", "AUTH: element 1 is not a challenge" },
	/* invalid JSON and what follows the array */
	{ "", "message: invalid JSON" },
	{ "   ", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\",]", "message: invalid JSON" },
	{ "[\"EOSE\",'s']", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"]x", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"],", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"][\"EOSE\",\"s\"]", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"]/* c */", "message: invalid JSON" },
	{ "[\"EOSE\",\"s\"] 1", "message: invalid JSON" },
	{ "[\"EOSE\",\"a\\qb\"]", "message: invalid JSON" },
	/* invalid UTF-8, raw or escaped */
	{ "[\"NOTICE\",\"\xff\"]", "invalid JSON" },
	{ "[\"NOTICE\",\"a\xc3\"]", "invalid JSON" },
	{ "[\"NOTICE\",\"\xc0\xaf\"]", "NOTICE: message not UTF-8" },
	{ "[\"NOTICE\",\"\xed\xa0\x80\"]", "NOTICE: message not UTF-8" },
	{ "[\"NOTICE\",\"\\udc00\"]", "NOTICE: message not UTF-8" },
	{ "[\"EOSE\",\"\xf4\x90\x80\x80\"]",
	    "EOSE: subscription id not UTF-8" },
	{ "[\"AUTH\",\"\xe0\x80\x80\"]", "AUTH: message not UTF-8" },
	{ "[\"EVENT\",\"s\",{\"content\":\"\xc1\xbf\"}]",
	    "EVENT: content: invalid UTF-8" },
};

START_TEST(msg_reject)
{
	parse_fail(rejects[_i].json, strlen(rejects[_i].json), NULL,
	    rejects[_i].err, 0);
}
END_TEST

START_TEST(msg_unknown)
{
	static const char *const texts[] = {
		"[\"COUNT\",\"s\",{\"count\":5}]",
		"[\"NEG-MSG\",\"s\",\"6100\"]",
		"[\"NEG-ERR\",\"s\",\"blocked: too big\"]",
		"[\"event\",\"s\"," V_JSON "]",
		"[\"EVENTS\",\"s\"," V_JSON "]",
		"[\"\"]",
		"[\"EOSE\\u0000\",\"s\"]",
	};
	int	 i;

	for (i = 0; i < NITEMS(texts); i++)
		parse_fail(texts[i], strlen(texts[i]), NULL,
		    "message: unknown type", 1);
}
END_TEST

START_TEST(msg_limits)
{
	struct event_limits	 lim;
	struct relay_msg	 m;
	char			 err[EVENT_ERRLEN], *s;
	const char		*ev = "[\"EVENT\",\"s\"," V_JSON "]";
	size_t			 max;

	/* the whole message: the event limit and the slack */
	event_limits_default(&lim);
	max = lim.el_max_bytes + RELAY_MSG_SLACK;
	s = long_message("\"NOTICE\",", "a", max - 13);
	ck_assert_uint_eq(strlen(s), max);
	ck_assert_int_eq(relay_msg_parse(s, strlen(s), NULL, &m, NULL, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(m.rm_textlen, RELAY_TEXT_MAX);
	relay_msg_free(&m);
	free(s);
	s = long_message("\"NOTICE\",", "a", max - 12);
	parse_fail(s, strlen(s), NULL, "message: larger than 263168 bytes",
	    0);
	free(s);

	/* the event's own limits come from the caller */
	lim.el_max_content = 10;
	parse_fail(ev, strlen(ev), &lim, "EVENT: content: longer than 10", 0);
	event_limits_default(&lim);
	lim.el_max_tags = 3;
	parse_fail(ev, strlen(ev), &lim, "EVENT: ", 0);
	event_limits_default(&lim);
	lim.el_max_bytes = 200;
	parse_fail(ev, strlen(ev), &lim, "EVENT: event: larger than 200", 0);
	lim.el_max_bytes = 16;
	ck_assert_ptr_nonnull(s = malloc(16 + RELAY_MSG_SLACK + 2));
	memset(s, ' ', 16 + RELAY_MSG_SLACK + 1);
	memcpy(s, ev, strlen(ev));
	s[16 + RELAY_MSG_SLACK + 1] = '\0';
	parse_fail(s, strlen(s), &lim, "message: larger than 1040 bytes", 0);
	free(s);

	/* the length given is the message: no NUL needed, none read past */
	ck_assert_ptr_nonnull(s = malloc(strlen(ev)));
	memcpy(s, ev, strlen(ev));
	ck_assert_int_eq(relay_msg_parse(s, strlen(ev), NULL, &m, NULL, err,
	    sizeof(err)), 0);
	relay_msg_free(&m);
	free(s);
	parse_fail(ev, strlen(ev) - 1, NULL, "message: invalid JSON", 0);
}
END_TEST

/* Parses built text with yajl's tree parser: the array it holds. */
static yajl_val
tree_array(const char *json, size_t want_len, const char *want_type)
{
	yajl_val	 v;
	char		 errbuf[128];

	v = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	ck_assert_msg(v != NULL, "%s: %s", json, errbuf);
	ck_assert(YAJL_IS_ARRAY(v));
	ck_assert_uint_eq(YAJL_GET_ARRAY(v)->len, want_len);
	ck_assert(YAJL_IS_STRING(YAJL_GET_ARRAY(v)->values[0]));
	ck_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(v)->values[0]),
	    want_type);
	return (v);
}

static const char *
tree_string(yajl_val v, size_t i)
{
	yajl_val	 e = YAJL_GET_ARRAY(v)->values[i];

	ck_assert(YAJL_IS_STRING(e));
	return (YAJL_GET_STRING(e));
}

START_TEST(build_req_close)
{
	struct nostr_filter	 f[2], back;
	uint8_t			 pk[EVENT_PUBKEY_LEN], id[EVENT_ID_LEN];
	char			*s, err[EVENT_ERRLEN];
	size_t			 len;
	yajl_val		 v, o;
	const char		*path[] = { "kinds", NULL };
	const char		*want =
	    "[\"REQ\",\"oa-jobs-1\","
	    "{\"kinds\":[5000,5050],\"#p\":[\"" V_PK "\"],"
	    "\"since\":1735600000},"
	    "{\"ids\":[\"" V_ID "\"],\"limit\":1}]";

	ck_assert_int_eq(hex_decode(V_PK, 64, pk, sizeof(pk)), 0);
	ck_assert_int_eq(hex_decode(V_ID, 64, id, sizeof(id)), 0);
	filter_init(&f[0]);
	ck_assert_int_eq(filter_add_kind(&f[0], 5000), 0);
	ck_assert_int_eq(filter_add_kind(&f[0], 5050), 0);
	ck_assert_int_eq(filter_add_tag(&f[0], 'p', V_PK, 64), 0);
	f[0].f_has |= FILTER_HAS_SINCE;
	f[0].f_since = 1735600000;
	filter_init(&f[1]);
	ck_assert_int_eq(filter_add_id(&f[1], id), 0);
	f[1].f_has |= FILTER_HAS_LIMIT;
	f[1].f_limit = 1;

	ck_assert_int_eq(relay_build_req("oa-jobs-1", f, 2, &s, &len), 0);
	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(len, strlen(want));
	v = tree_array(s, 4, "REQ");
	ck_assert_str_eq(tree_string(v, 1), "oa-jobs-1");
	ck_assert(YAJL_IS_OBJECT(YAJL_GET_ARRAY(v)->values[2]));
	ck_assert(YAJL_IS_OBJECT(YAJL_GET_ARRAY(v)->values[3]));
	o = yajl_tree_get(YAJL_GET_ARRAY(v)->values[2], path, yajl_t_array);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(YAJL_GET_ARRAY(o)->len, 2);
	yajl_tree_free(v);
	/* the first filter's text is filter_to_json's and parses back */
	ck_assert_int_eq(filter_parse(strchr(s + 1, '{'),
	    (size_t)(strstr(s, "},{") + 1 - strchr(s + 1, '{')), &back, err,
	    sizeof(err)), 0);
	ck_assert(filter_equal(&back, &f[0]));
	filter_free(&back);
	free(s);

	ck_assert_int_eq(relay_build_req("x", f, 1, &s, NULL), 0);
	ck_assert_str_eq(s, "[\"REQ\",\"x\",{\"kinds\":[5000,5050],"
	    "\"#p\":[\"" V_PK "\"],\"since\":1735600000}]");
	free(s);

	ck_assert_int_eq(relay_build_close("oa-jobs-1", &s, &len), 0);
	ck_assert_str_eq(s, "[\"CLOSE\",\"oa-jobs-1\"]");
	ck_assert_uint_eq(len, 21);
	v = tree_array(s, 2, "CLOSE");
	ck_assert_str_eq(tree_string(v, 1), "oa-jobs-1");
	yajl_tree_free(v);
	free(s);

	/* an id with characters to escape comes back the same */
	ck_assert_int_eq(relay_build_close("q\"\\/\xc3\xa9", &s, NULL), 0);
	ck_assert_str_eq(s, "[\"CLOSE\",\"q\\\"\\\\/\xc3\xa9\"]");
	v = tree_array(s, 2, "CLOSE");
	ck_assert_str_eq(tree_string(v, 1), "q\"\\/\xc3\xa9");
	yajl_tree_free(v);
	free(s);

	/* what relay_msg_parse would refuse is not sent */
	s = NULL;
	errno = 0;
	ck_assert_int_eq(relay_build_req("", f, 1, &s, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(relay_build_req(S64 "x", f, 1, &s, NULL), -1);
	ck_assert_int_eq(relay_build_req("a\tb", f, 1, &s, NULL), -1);
	ck_assert_int_eq(relay_build_req("ok", f, 0, &s, NULL), -1);
	ck_assert_int_eq(relay_build_close("", &s, NULL), -1);
	ck_assert_int_eq(relay_build_close("\xff", &s, NULL), -1);
	ck_assert_int_eq(relay_build_close("\x7f", &s, NULL), -1);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(relay_build_close(S64, &s, NULL), 0);
	free(s);
	filter_free(&f[0]);
	filter_free(&f[1]);
}
END_TEST

/* ["EVENT",{...}] as a relay would echo it, parsed back */
static void
event_echo(const char *built, const char *prefix,
    const struct nostr_event *want)
{
	struct relay_msg	 m;
	char			*s, err[EVENT_ERRLEN];
	size_t			 pl = strlen(prefix);

	ck_assert_int_eq(strncmp(built, prefix, pl), 0);
	ck_assert_int_ne(asprintf(&s, "[\"EVENT\",\"echo\",%s", built + pl),
	    -1);
	ck_assert_msg(parse(s, &m, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert(event_equal(&m.rm_event, want));
	ck_assert_int_eq(event_verify(&m.rm_event, err, sizeof(err)), 0);
	relay_msg_free(&m);
	free(s);
}

START_TEST(build_event_auth)
{
	struct nostr_event	 ev, auth;
	secp256k1_keypair	 kp;
	uint8_t			 sk[32];
	char			*s, *want, err[EVENT_ERRLEN];
	char			 idhex[65], sighex[129];
	size_t			 len;
	yajl_val		 v;

	ck_assert_int_eq(event_parse(V_JSON, strlen(V_JSON), NULL, &ev, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(relay_build_event(&ev, &s, &len), 0);
	ck_assert_str_eq(s, "[\"EVENT\"," V_JSON "]");
	ck_assert_uint_eq(len, strlen(s));
	v = tree_array(s, 2, "EVENT");
	ck_assert(YAJL_IS_OBJECT(YAJL_GET_ARRAY(v)->values[1]));
	yajl_tree_free(v);
	event_echo(s, "[\"EVENT\",", &ev);
	free(s);
	s = NULL;
	ck_assert_int_eq(relay_build_auth(&ev, &s, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(s);

	/* a NIP-42 answer signed with the vector key */
	ck_assert_int_eq(hex_decode(V_SK, 64, sk, sizeof(sk)), 0);
	ck_assert_int_eq(secp256k1_keypair_create(secp_ctx(), &kp, sk), 1);
	nostr_event_init(&auth, 22242, 1735600000);
	ck_assert_int_eq(event_add_tagv(&auth, "relay",
	    "wss://relay.example.com/", (char *)NULL), 0);
	ck_assert_int_eq(event_add_tagv(&auth, "challenge",
	    "6b4b2c0e-9c1f-4f0e-a7d1", (char *)NULL), 0);
	errno = 0;
	ck_assert_int_eq(relay_build_auth(&auth, &s, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(relay_build_event(&auth, &s, NULL), -1);
	ck_assert_int_eq(event_sign(&auth, &kp), 0);
	ck_assert_int_eq(relay_build_auth(&auth, &s, &len), 0);
	hex_encode(auth.ev_id, sizeof(auth.ev_id), idhex);
	hex_encode(auth.ev_sig, sizeof(auth.ev_sig), sighex);
	ck_assert_int_ne(asprintf(&want, "[\"AUTH\",{\"id\":\"%s\","
	    "\"pubkey\":\"" V_PK "\",\"created_at\":1735600000,"
	    "\"kind\":22242,\"tags\":[[\"relay\",\"wss://relay.example.com/\"],"
	    "[\"challenge\",\"6b4b2c0e-9c1f-4f0e-a7d1\"]],\"content\":\"\","
	    "\"sig\":\"%s\"}]", idhex, sighex), -1);
	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(len, strlen(want));
	v = tree_array(s, 2, "AUTH");
	yajl_tree_free(v);
	event_echo(s, "[\"AUTH\",", &auth);
	free(want);
	free(s);
	explicit_bzero(sk, sizeof(sk));
	explicit_bzero(&kp, sizeof(kp));
	nostr_event_free(&auth);
	nostr_event_free(&ev);
}
END_TEST

static void
make_id(uint8_t *id, uint32_t n, uint8_t salt)
{
	memset(id, salt, EVENT_ID_LEN);
	memcpy(id + EVENT_ID_LEN - sizeof(n), &n, sizeof(n));
}

START_TEST(dedupe_basic)
{
	struct dedupe	*d;
	uint8_t		 a[EVENT_ID_LEN], b[EVENT_ID_LEN];

	make_id(a, 1, 0);
	make_id(b, 2, 0);
	ck_assert_ptr_nonnull(d = dedupe_new(16));
	ck_assert_uint_eq(dedupe_count(d), 0);
	ck_assert_int_eq(dedupe_check(d, a), 0);
	ck_assert_int_eq(dedupe_check(d, a), 1);
	ck_assert_int_eq(dedupe_check(d, b), 0);
	ck_assert_int_eq(dedupe_check(d, b), 1);
	ck_assert_int_eq(dedupe_check(d, a), 1);
	ck_assert_uint_eq(dedupe_count(d), 2);
	dedupe_free(d);
	dedupe_free(NULL);

	errno = 0;
	ck_assert_ptr_null(dedupe_new(0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(dedupe_new((size_t)1 << 31));
}
END_TEST

START_TEST(dedupe_order)
{
	struct dedupe	*d;
	uint8_t		 a[EVENT_ID_LEN], b[EVENT_ID_LEN];
	uint8_t		 c[EVENT_ID_LEN], e[EVENT_ID_LEN];

	make_id(a, 1, 7);
	make_id(b, 2, 7);
	make_id(c, 3, 7);
	make_id(e, 4, 7);
	ck_assert_ptr_nonnull(d = dedupe_new(3));
	ck_assert_int_eq(dedupe_check(d, a), 0);
	ck_assert_int_eq(dedupe_check(d, b), 0);
	ck_assert_int_eq(dedupe_check(d, c), 0);
	/* the hit on a makes b the least recent, so e pushes b out */
	ck_assert_int_eq(dedupe_check(d, a), 1);
	ck_assert_int_eq(dedupe_check(d, e), 0);
	ck_assert_uint_eq(dedupe_count(d), 3);
	ck_assert_int_eq(dedupe_check(d, a), 1);
	ck_assert_int_eq(dedupe_check(d, c), 1);
	ck_assert_int_eq(dedupe_check(d, e), 1);
	/* now a is the least recent: b comes back in its place */
	ck_assert_int_eq(dedupe_check(d, b), 0);
	ck_assert_int_eq(dedupe_check(d, c), 1);
	ck_assert_int_eq(dedupe_check(d, a), 0);	/* out went e */
	ck_assert_int_eq(dedupe_check(d, b), 1);
	ck_assert_int_eq(dedupe_check(d, c), 1);
	ck_assert_int_eq(dedupe_check(d, e), 0);	/* out went a */
	ck_assert_uint_eq(dedupe_count(d), 3);
	dedupe_free(d);

	ck_assert_ptr_nonnull(d = dedupe_new(1));
	ck_assert_int_eq(dedupe_check(d, a), 0);
	ck_assert_int_eq(dedupe_check(d, a), 1);
	ck_assert_int_eq(dedupe_check(d, b), 0);
	ck_assert_int_eq(dedupe_check(d, a), 0);
	ck_assert_int_eq(dedupe_check(d, b), 0);
	ck_assert_int_eq(dedupe_check(d, b), 1);
	ck_assert_uint_eq(dedupe_count(d), 1);
	dedupe_free(d);
}
END_TEST

/* ids alike in everything but their last bytes are still told apart */
START_TEST(dedupe_alike)
{
	struct dedupe	*d;
	uint8_t		 id[EVENT_ID_LEN];
	uint32_t	 i;

	ck_assert_ptr_nonnull(d = dedupe_new(4096));
	for (i = 0; i < 4096; i++) {
		make_id(id, i, 0xab);
		ck_assert_int_eq(dedupe_check(d, id), 0);
	}
	for (i = 0; i < 4096; i++) {
		make_id(id, i, 0xab);
		ck_assert_int_eq(dedupe_check(d, id), 1);
	}
	ck_assert_uint_eq(dedupe_count(d), 4096);
	dedupe_free(d);
}
END_TEST

START_TEST(dedupe_many)
{
	struct dedupe	*d;
	struct mallinfo2 before, after;
	uint8_t		 id[EVENT_ID_LEN];
	const uint32_t	 cap = 65536, total = 1000000;
	uint32_t	 i, bad = 0;

	ck_assert_ptr_nonnull(d = dedupe_new(cap));
	before = mallinfo2();
	/* Check's asserts are slow in a loop this long: count instead */
	for (i = 0; i < total; i++) {
		make_id(id, i, 0x5a);
		if (dedupe_check(d, id) != 0 ||
		    dedupe_count(d) != (i < cap ? i + 1 : cap))
			bad++;
	}
	after = mallinfo2();
	ck_assert_uint_eq(bad, 0);
	/* not a byte taken after dedupe_new */
	ck_assert_uint_eq(after.uordblks, before.uordblks);
	ck_assert_uint_eq(after.hblkhd, before.hblkhd);
	/* the newest cap ids are there, the one before them is not */
	for (i = total - cap; i < total; i++) {
		make_id(id, i, 0x5a);
		if (dedupe_check(d, id) != 1)
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
	make_id(id, total - cap - 1, 0x5a);
	ck_assert_int_eq(dedupe_check(d, id), 0);
	ck_assert_uint_eq(dedupe_count(d), cap);
	dedupe_free(d);
}
END_TEST

static Suite *
relaymsg_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("relaymsg");
	tc = tcase_create("parse");
	tcase_add_test(tc, msg_event);
	tcase_add_test(tc, msg_ok);
	tcase_add_test(tc, msg_others);
	tcase_add_test(tc, msg_long_text);
	tcase_add_loop_test(tc, msg_reject, 0, NITEMS(rejects));
	tcase_add_test(tc, msg_unknown);
	tcase_add_test(tc, msg_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, build_req_close);
	tcase_add_test(tc, build_event_auth);
	suite_add_tcase(s, tc);

	tc = tcase_create("dedupe");
	tcase_add_test(tc, dedupe_basic);
	tcase_add_test(tc, dedupe_order);
	tcase_add_test(tc, dedupe_alike);
	tcase_add_test(tc, dedupe_many);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(relaymsg_suite()));
}
