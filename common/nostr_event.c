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

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>
#include <yajl/yajl_parse.h>

#include "hex.h"
#include "nostr_event.h"
#include "secp.h"
#include "util.h"

/* The event's keys, in wire order; ep_seen has one bit per entry. */
enum event_key {
	K_ID,
	K_PUBKEY,
	K_CREATED_AT,
	K_KIND,
	K_TAGS,
	K_CONTENT,
	K_SIG,
	K_NKEYS
};

static const char *const event_keys[K_NKEYS] = {
	"id", "pubkey", "created_at", "kind", "tags", "content", "sig"
};

/* What each key says when its value has the wrong JSON type. */
static const char *const event_types[K_NKEYS] = {
	"not a string",
	"not a string",
	"not an integer in 0..9223372036854775807",
	"not an integer in 0..65535",
	"not an array",
	"not a string",
	"not a string"
};

#define SEEN(k)		(1U << (k))
#define SEEN_EVENT	(SEEN(K_ID) | SEEN(K_PUBKEY) | SEEN(K_CREATED_AT) | \
			    SEEN(K_KIND) | SEEN(K_TAGS) | SEEN(K_CONTENT) | \
			    SEEN(K_SIG))
#define SEEN_TEMPLATE	(SEEN(K_CREATED_AT) | SEEN(K_KIND) | SEEN(K_TAGS) | \
			    SEEN(K_CONTENT))

static int	ep_fail(struct event_parser *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static const char *ep_where(const struct event_parser *, char *, size_t);
static int	ep_null(void *);
static int	ep_boolean(void *, int);
static int	ep_number(void *, const char *, size_t);
static int	ep_string(void *, const unsigned char *, size_t);
static int	ep_start_map(void *);
static int	ep_map_key(void *, const unsigned char *, size_t);
static int	ep_end_map(void *);
static int	ep_start_array(void *);
static int	ep_end_array(void *);

const yajl_callbacks event_parser_callbacks = {
	.yajl_null = ep_null,
	.yajl_boolean = ep_boolean,
	.yajl_integer = NULL,
	.yajl_double = NULL,
	.yajl_number = ep_number,
	.yajl_string = ep_string,
	.yajl_start_map = ep_start_map,
	.yajl_map_key = ep_map_key,
	.yajl_end_map = ep_end_map,
	.yajl_start_array = ep_start_array,
	.yajl_end_array = ep_end_array,
};

/*
 * Growable buffer.  There is always room for one more byte, so that
 * event_buf_finish can terminate the text without failing.
 */
static int
buf_reserve(struct event_buf *b, size_t need)
{
	size_t	 cap;
	char	*p;

	if (b->eb_cap - b->eb_len > need)
		return (0);
	if (need >= SIZE_MAX / 2 - b->eb_len) {
		errno = ENOMEM;
		return (-1);
	}
	cap = b->eb_cap != 0 ? b->eb_cap : 256;
	while (cap - b->eb_len <= need)
		cap *= 2;
	if ((p = realloc(b->eb_data, cap)) == NULL)
		return (-1);
	b->eb_data = p;
	b->eb_cap = cap;
	return (0);
}

int
event_buf_add(struct event_buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) == -1)
		return (-1);
	if (len > 0)
		memcpy(b->eb_data + b->eb_len, data, len);
	b->eb_len += len;
	return (0);
}

/*
 * The one escape for every string we hash or send (PROTOCOL.md §C.1):
 * the seven short escapes, other C0 controls as \u00xx in lowercase,
 * everything else -- '/', DEL, all of UTF-8 -- as it is.
 */
static size_t
json_escape(unsigned char c, char *esc)
{
	static const char	 digits[] = "0123456789abcdef";

	esc[0] = '\\';
	switch (c) {
	case '"':
	case '\\':
		esc[1] = (char)c;
		return (2);
	case '\n':
		esc[1] = 'n';
		return (2);
	case '\r':
		esc[1] = 'r';
		return (2);
	case '\t':
		esc[1] = 't';
		return (2);
	case '\b':
		esc[1] = 'b';
		return (2);
	case '\f':
		esc[1] = 'f';
		return (2);
	default:
		break;
	}
	memcpy(esc + 1, "u00", 3);
	esc[4] = digits[c >> 4];
	esc[5] = digits[c & 0x0f];
	return (6);
}

int
event_buf_add_json(struct event_buf *b, const char *s, size_t len)
{
	char		 esc[6];
	size_t		 i, run, n;
	unsigned char	 c;

	if (event_buf_add(b, "\"", 1) == -1)
		return (-1);
	for (i = run = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		n = json_escape(c, esc);
		if (event_buf_add(b, s + run, i - run) == -1 ||
		    event_buf_add(b, esc, n) == -1)
			return (-1);
		run = i + 1;
	}
	/* s is NULL for empty content: no pointer arithmetic on it then */
	if ((len > run && event_buf_add(b, s + run, len - run) == -1) ||
	    event_buf_add(b, "\"", 1) == -1)
		return (-1);
	return (0);
}

int
event_buf_add_hex(struct event_buf *b, const uint8_t *data, size_t len)
{
	if (len > SIZE_MAX / 2 || buf_reserve(b, 2 * len) == -1)
		return (-1);
	/* hex_encode writes a NUL after the digits: buf_reserve left room */
	hex_encode(data, len, b->eb_data + b->eb_len);
	b->eb_len += 2 * len;
	return (0);
}

int
event_buf_add_int(struct event_buf *b, int64_t v)
{
	char	 num[32];
	int	 n;

	n = snprintf(num, sizeof(num), "%" PRId64, v);
	if (n < 0 || (size_t)n >= sizeof(num)) {
		errno = EINVAL;
		return (-1);
	}
	return (event_buf_add(b, num, (size_t)n));
}

int
event_buf_finish(struct event_buf *b, char **out, size_t *outlen)
{
	if (buf_reserve(b, 0) == -1)
		return (-1);
	b->eb_data[b->eb_len] = '\0';
	*out = b->eb_data;
	if (outlen != NULL)
		*outlen = b->eb_len;
	memset(b, 0, sizeof(*b));
	return (0);
}

void
event_buf_free(struct event_buf *b)
{
	free(b->eb_data);
	memset(b, 0, sizeof(*b));
}

int
event_json_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	 v = 0, d;
	size_t		 i;

	/* JSON has no leading zeros; a lone "0" is the only one allowed */
	if (len == 0 || (len > 1 && s[0] == '0'))
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		d = (uint64_t)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	*out = v;
	return (0);
}

/* Length of the UTF-8 sequence at s (RFC 3629 table), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 n, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return (0);
	if (len < n || s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	return (n);
}

int
event_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i, n;

	for (i = 0; i < len; i += n)
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return (0);
	return (1);
}

/* The event model */

void
event_limits_default(struct event_limits *lim)
{
	lim->el_max_bytes = EVENT_MAX_BYTES;
	lim->el_max_tags = EVENT_MAX_TAGS;
	lim->el_max_values = EVENT_MAX_VALUES;
	lim->el_max_string = EVENT_MAX_STRING;
	lim->el_max_content = EVENT_MAX_CONTENT;
}

void
nostr_event_init(struct nostr_event *ev, uint32_t kind, int64_t created_at)
{
	memset(ev, 0, sizeof(*ev));
	ev->ev_kind = kind;
	ev->ev_created_at = created_at;
}

static int
str_dup(struct event_str *es, const char *s, size_t len)
{
	char	*p;

	if (len == SIZE_MAX) {
		errno = ENOMEM;
		return (-1);
	}
	if ((p = malloc(len + 1)) == NULL)
		return (-1);
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	es->es_ptr = p;
	es->es_len = len;
	return (0);
}

static void
tag_free(struct event_tag *t)
{
	size_t	 i;

	for (i = 0; i < t->t_nvals; i++)
		free(t->t_vals[i].es_ptr);
	free(t->t_vals);
	memset(t, 0, sizeof(*t));
}

static struct event_tag *
tag_new(struct nostr_event *ev)
{
	struct event_tag	*t;
	size_t			 cap;

	if (ev->ev_ntags == ev->ev_tagcap) {
		cap = ev->ev_tagcap != 0 ? ev->ev_tagcap * 2 : 8;
		if ((t = reallocarray(ev->ev_tags, cap, sizeof(*t))) == NULL)
			return (NULL);
		ev->ev_tags = t;
		ev->ev_tagcap = cap;
	}
	t = &ev->ev_tags[ev->ev_ntags++];
	memset(t, 0, sizeof(*t));
	return (t);
}

static int
tag_add_value(struct event_tag *t, const char *s, size_t len)
{
	struct event_str	*v;
	size_t			 cap;

	if (t->t_nvals == t->t_cap) {
		cap = t->t_cap != 0 ? t->t_cap * 2 : 4;
		if ((v = reallocarray(t->t_vals, cap, sizeof(*v))) == NULL)
			return (-1);
		t->t_vals = v;
		t->t_cap = cap;
	}
	if (str_dup(&t->t_vals[t->t_nvals], s, len) == -1)
		return (-1);
	t->t_nvals++;
	return (0);
}

int
event_set_content(struct nostr_event *ev, const char *s, size_t len)
{
	struct event_str	 es;

	if (str_dup(&es, s, len) == -1)
		return (-1);
	free(ev->ev_content);
	ev->ev_content = es.es_ptr;
	ev->ev_contentlen = es.es_len;
	return (0);
}

int
event_add_tag(struct nostr_event *ev, const char *const *vals,
    const size_t *lens, size_t n)
{
	struct event_tag	*t;
	size_t			 i, len;

	if (n == 0) {
		errno = EINVAL;
		return (-1);
	}
	if ((t = tag_new(ev)) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		len = lens != NULL ? lens[i] : strlen(vals[i]);
		if (tag_add_value(t, vals[i], len) == -1) {
			tag_free(t);
			ev->ev_ntags--;
			return (-1);
		}
	}
	return (0);
}

int
event_add_tagv(struct nostr_event *ev, const char *name, ...)
{
	const char	*vals[EVENT_MAX_VALUES];
	const char	*s;
	va_list		 ap;
	size_t		 n = 0;

	vals[n++] = name;
	va_start(ap, name);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (n == EVENT_MAX_VALUES) {
			va_end(ap);
			errno = E2BIG;
			return (-1);
		}
		vals[n++] = s;
	}
	va_end(ap);
	return (event_add_tag(ev, vals, NULL, n));
}

void
nostr_event_free(struct nostr_event *ev)
{
	size_t	 i;

	for (i = 0; i < ev->ev_ntags; i++)
		tag_free(&ev->ev_tags[i]);
	free(ev->ev_tags);
	free(ev->ev_content);
	memset(ev, 0, sizeof(*ev));
}

const struct event_tag *
event_tag_find(const struct nostr_event *ev, const char *name, size_t *pos)
{
	const struct event_tag	*t;
	size_t			 i;

	for (i = pos != NULL ? *pos : 0; i < ev->ev_ntags; i++) {
		t = &ev->ev_tags[i];
		if (t->t_nvals > 0 && event_str_eq(&t->t_vals[0], name)) {
			if (pos != NULL)
				*pos = i + 1;
			return (t);
		}
	}
	if (pos != NULL)
		*pos = ev->ev_ntags;
	return (NULL);
}

const struct event_str *
event_tag_value(const struct event_tag *t, size_t i)
{
	if (t == NULL || i >= t->t_nvals)
		return (NULL);
	return (&t->t_vals[i]);
}

int
event_str_eq(const struct event_str *es, const char *s)
{
	size_t	 len = strlen(s);

	return (es->es_len == len && memcmp(es->es_ptr, s, len) == 0);
}

static int
str_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0));
}

int
event_equal(const struct nostr_event *a, const struct nostr_event *b)
{
	const struct event_tag	*ta, *tb;
	size_t			 i, j;

	if (a->ev_has != b->ev_has || a->ev_kind != b->ev_kind ||
	    a->ev_created_at != b->ev_created_at ||
	    a->ev_ntags != b->ev_ntags ||
	    memcmp(a->ev_id, b->ev_id, sizeof(a->ev_id)) != 0 ||
	    memcmp(a->ev_pubkey, b->ev_pubkey, sizeof(a->ev_pubkey)) != 0 ||
	    memcmp(a->ev_sig, b->ev_sig, sizeof(a->ev_sig)) != 0 ||
	    !str_equal(a->ev_content, a->ev_contentlen, b->ev_content,
	    b->ev_contentlen))
		return (0);
	for (i = 0; i < a->ev_ntags; i++) {
		ta = &a->ev_tags[i];
		tb = &b->ev_tags[i];
		if (ta->t_nvals != tb->t_nvals)
			return (0);
		for (j = 0; j < ta->t_nvals; j++)
			if (!str_equal(ta->t_vals[j].es_ptr,
			    ta->t_vals[j].es_len, tb->t_vals[j].es_ptr,
			    tb->t_vals[j].es_len))
				return (0);
	}
	return (1);
}

/* Serialization */

static int
buf_add_tags(struct event_buf *b, const struct nostr_event *ev)
{
	const struct event_tag	*t;
	size_t			 i, j;

	if (event_buf_add(b, "[", 1) == -1)
		return (-1);
	for (i = 0; i < ev->ev_ntags; i++) {
		t = &ev->ev_tags[i];
		if ((i > 0 && event_buf_add(b, ",", 1) == -1) ||
		    event_buf_add(b, "[", 1) == -1)
			return (-1);
		for (j = 0; j < t->t_nvals; j++)
			if ((j > 0 && event_buf_add(b, ",", 1) == -1) ||
			    event_buf_add_json(b, t->t_vals[j].es_ptr,
			    t->t_vals[j].es_len) == -1)
				return (-1);
		if (event_buf_add(b, "]", 1) == -1)
			return (-1);
	}
	return (event_buf_add(b, "]", 1));
}

static int
buf_add_str(struct event_buf *b, const char *s)
{
	return (event_buf_add(b, s, strlen(s)));
}

/* created_at,kind,tags,content: what the id text and the wire share */
static int
buf_add_body(struct event_buf *b, const struct nostr_event *ev, int wire)
{
	if (event_buf_add_int(b, ev->ev_created_at) == -1 ||
	    buf_add_str(b, wire ? ",\"kind\":" : ",") == -1 ||
	    event_buf_add_int(b, ev->ev_kind) == -1 ||
	    buf_add_str(b, wire ? ",\"tags\":" : ",") == -1 ||
	    buf_add_tags(b, ev) == -1 ||
	    buf_add_str(b, wire ? ",\"content\":" : ",") == -1 ||
	    event_buf_add_json(b, ev->ev_content, ev->ev_contentlen) == -1)
		return (-1);
	return (0);
}

static int
buf_add_serial(struct event_buf *b, const struct nostr_event *ev)
{
	if (buf_add_str(b, "[0,\"") == -1 ||
	    event_buf_add_hex(b, ev->ev_pubkey, sizeof(ev->ev_pubkey)) == -1 ||
	    buf_add_str(b, "\",") == -1 ||
	    buf_add_body(b, ev, 0) == -1 ||
	    buf_add_str(b, "]") == -1)
		return (-1);
	return (0);
}

int
event_serialize(const struct nostr_event *ev, char **out, size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };

	if (buf_add_serial(&b, ev) == -1 ||
	    event_buf_finish(&b, out, outlen) == -1) {
		event_buf_free(&b);
		return (-1);
	}
	return (0);
}

static int
buf_add_wire(struct event_buf *b, const struct nostr_event *ev, int flags)
{
	int	 full = !(flags & EVENT_PARSE_TEMPLATE);

	if (buf_add_str(b, "{") == -1)
		return (-1);
	if (full && (buf_add_str(b, "\"id\":\"") == -1 ||
	    event_buf_add_hex(b, ev->ev_id, sizeof(ev->ev_id)) == -1 ||
	    buf_add_str(b, "\",\"pubkey\":\"") == -1 ||
	    event_buf_add_hex(b, ev->ev_pubkey, sizeof(ev->ev_pubkey)) == -1 ||
	    buf_add_str(b, "\",") == -1))
		return (-1);
	if (buf_add_str(b, "\"created_at\":") == -1 ||
	    buf_add_body(b, ev, 1) == -1)
		return (-1);
	if (full && (buf_add_str(b, ",\"sig\":\"") == -1 ||
	    event_buf_add_hex(b, ev->ev_sig, sizeof(ev->ev_sig)) == -1 ||
	    buf_add_str(b, "\"") == -1))
		return (-1);
	return (buf_add_str(b, "}"));
}

int
event_to_json(const struct nostr_event *ev, int flags, char **out,
    size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };

	if (buf_add_wire(&b, ev, flags) == -1 ||
	    event_buf_finish(&b, out, outlen) == -1) {
		event_buf_free(&b);
		return (-1);
	}
	return (0);
}

/*
 * libsodium's SHA-256 rather than OpenSSL's: it needs no provider or
 * config file, so it works the same inside every sandbox.  The
 * daemons call sodium_init() at start.
 */
int
event_compute_id(const struct nostr_event *ev, uint8_t *id)
{
	struct event_buf	 b = { NULL, 0, 0 };
	int			 rv = -1;

	if (buf_add_serial(&b, ev) == 0 &&
	    crypto_hash_sha256(id, (const unsigned char *)b.eb_data,
	    b.eb_len) == 0)
		rv = 0;
	event_buf_free(&b);
	return (rv);
}

int
event_check_id(const struct nostr_event *ev, char *err, size_t errlen)
{
	uint8_t	 id[EVENT_ID_LEN];

	if ((ev->ev_has & (EVENT_HAS_ID | EVENT_HAS_PUBKEY)) !=
	    (EVENT_HAS_ID | EVENT_HAS_PUBKEY)) {
		errbuf_set(err, errlen, "id: event has no id or pubkey");
		return (-1);
	}
	if (event_compute_id(ev, id) == -1) {
		errbuf_set(err, errlen, "id: %s", strerror(errno));
		return (-1);
	}
	/* ids are public: no need for a constant-time compare */
	if (memcmp(id, ev->ev_id, sizeof(id)) != 0) {
		errbuf_set(err, errlen, "id: does not match the event");
		return (-1);
	}
	return (0);
}

int
event_verify(const struct nostr_event *ev, char *err, size_t errlen)
{
	secp256k1_xonly_pubkey	 pk;

	if (event_check_id(ev, err, errlen) == -1)
		return (-1);
	if (!(ev->ev_has & EVENT_HAS_SIG)) {
		errbuf_set(err, errlen, "sig: event is not signed");
		return (-1);
	}
	if (!secp256k1_xonly_pubkey_parse(secp_ctx(), &pk, ev->ev_pubkey)) {
		errbuf_set(err, errlen, "pubkey: not a point on the curve");
		return (-1);
	}
	if (!secp256k1_schnorrsig_verify(secp_ctx(), ev->ev_sig, ev->ev_id,
	    sizeof(ev->ev_id), &pk)) {
		errbuf_set(err, errlen, "sig: bad signature");
		return (-1);
	}
	return (0);
}

/*
 * aux_rand NULL: BIP-340 then uses zeros, so a signature is a function
 * of key and id alone and the §C.1 vector comes out byte for byte.
 * The nonce still depends on the secret key, so this is safe.
 */
int
event_sign(struct nostr_event *ev, const secp256k1_keypair *kp)
{
	const secp256k1_context	*ctx = secp_ctx();
	secp256k1_xonly_pubkey	 pk;

	ev->ev_has &= ~(EVENT_HAS_ID | EVENT_HAS_SIG);
	if (!secp256k1_keypair_xonly_pub(ctx, &pk, NULL, kp) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, ev->ev_pubkey, &pk)) {
		errno = EINVAL;
		return (-1);
	}
	ev->ev_has |= EVENT_HAS_PUBKEY;
	if (event_compute_id(ev, ev->ev_id) == -1)
		return (-1);
	ev->ev_has |= EVENT_HAS_ID;
	if (!secp256k1_schnorrsig_sign32(ctx, ev->ev_sig, ev->ev_id, kp,
	    NULL)) {
		errno = EINVAL;
		return (-1);
	}
	/* a fault while signing must not leave here as a bad signature */
	if (!secp256k1_schnorrsig_verify(ctx, ev->ev_sig, ev->ev_id,
	    sizeof(ev->ev_id), &pk)) {
		explicit_bzero(ev->ev_sig, sizeof(ev->ev_sig));
		errno = EINVAL;
		return (-1);
	}
	ev->ev_has |= EVENT_HAS_SIG;
	return (0);
}

/*
 * The parser: yajl callbacks driving a small state machine, so that
 * strings arrive with their lengths and every limit is enforced before
 * anything is copied.  yajl has checked the syntax and the structural
 * UTF-8 by the time a callback runs; the strict UTF-8 check is ours.
 */

void
event_parser_init(struct event_parser *p, const struct event_limits *lim,
    int flags, struct nostr_event *ev)
{
	memset(p, 0, sizeof(*p));
	if (lim != NULL)
		p->ep_lim = *lim;
	else
		event_limits_default(&p->ep_lim);
	p->ep_flags = flags;
	p->ep_ev = ev;
	p->ep_state = EP_TOP;
	nostr_event_init(ev, 0, 0);
}

int
event_parser_done(const struct event_parser *p)
{
	return (p->ep_state == EP_DONE);
}

const char *
event_parser_error(const struct event_parser *p)
{
	return (p->ep_err);
}

void
event_parser_abort(struct event_parser *p)
{
	nostr_event_free(p->ep_ev);
	p->ep_state = EP_FAILED;
}

int
event_parser_finish(struct event_parser *p)
{
	unsigned int	 need;
	int		 k;

	if (p->ep_state != EP_DONE) {
		if (p->ep_state != EP_FAILED)
			(void)ep_fail(p, "event: incomplete object");
		event_parser_abort(p);
		return (-1);
	}
	need = p->ep_flags & EVENT_PARSE_TEMPLATE ? SEEN_TEMPLATE : SEEN_EVENT;
	for (k = 0; k < K_NKEYS; k++)
		if ((need & SEEN(k)) && !(p->ep_seen & SEEN(k))) {
			(void)ep_fail(p, "%s: missing", event_keys[k]);
			event_parser_abort(p);
			return (-1);
		}
	return (0);
}

static int
ep_fail(struct event_parser *p, const char *fmt, ...)
{
	va_list	 ap;

	/* keep the first reason: later ones are consequences */
	if (p->ep_state != EP_FAILED) {
		va_start(ap, fmt);
		(void)vsnprintf(p->ep_err, sizeof(p->ep_err), fmt, ap);
		va_end(ap);
		p->ep_state = EP_FAILED;
	}
	return (0);
}

/* A value of a type the place does not take, or the end of a skip. */
static int
ep_other(struct event_parser *p)
{
	struct nostr_event	*ev = p->ep_ev;
	char			 where[64];

	switch (p->ep_state) {
	case EP_SKIP:
		if (p->ep_skip == 0)
			p->ep_state = EP_OBJ;
		return (1);
	case EP_VALUE:
		return (ep_fail(p, "%s: %s", event_keys[p->ep_key],
		    event_types[p->ep_key]));
	case EP_TAGS:
		return (ep_fail(p, "tags[%zu]: not an array", ev->ev_ntags));
	case EP_TAG:
		return (ep_fail(p, "%s: not a string",
		    ep_where(p, where, sizeof(where))));
	case EP_TOP:
		return (ep_fail(p, "event: not a JSON object"));
	case EP_OBJ:
	case EP_DONE:
	case EP_FAILED:
		break;
	}
	return (ep_fail(p, "event: unexpected JSON value"));
}

static int
ep_null(void *arg)
{
	return (ep_other(arg));
}

static int
ep_boolean(void *arg, int v)
{
	(void)v;
	return (ep_other(arg));
}

static int
ep_number(void *arg, const char *s, size_t len)
{
	struct event_parser	*p = arg;
	uint64_t		 v;

	if (p->ep_state != EP_VALUE ||
	    (p->ep_key != K_CREATED_AT && p->ep_key != K_KIND))
		return (ep_other(p));
	if (event_json_uint(s, len,
	    p->ep_key == K_KIND ? EVENT_KIND_MAX : INT64_MAX, &v) == -1)
		return (ep_other(p));
	if (p->ep_key == K_KIND)
		p->ep_ev->ev_kind = (uint32_t)v;
	else
		p->ep_ev->ev_created_at = (int64_t)v;
	p->ep_state = EP_OBJ;
	return (1);
}

/* Names the place of the value at hand, for messages. */
static const char *
ep_where(const struct event_parser *p, char *buf, size_t size)
{
	const struct nostr_event	*ev = p->ep_ev;

	if (p->ep_state != EP_TAG)
		return (event_keys[p->ep_key]);
	(void)snprintf(buf, size, "tags[%zu][%zu]", ev->ev_ntags - 1,
	    ev->ev_tags[ev->ev_ntags - 1].t_nvals);
	return (buf);
}

/* The checks of every string that is kept: length, total, UTF-8. */
static int
ep_keep(struct event_parser *p, const char *s, size_t len, size_t max)
{
	char	 where[64];

	if (len > max)
		return (ep_fail(p, "%s: longer than %zu bytes",
		    ep_where(p, where, sizeof(where)), max));
	if (len > p->ep_lim.el_max_bytes - p->ep_total)
		return (ep_fail(p, "event: larger than %zu bytes",
		    p->ep_lim.el_max_bytes));
	if (!event_utf8_valid(s, len))
		return (ep_fail(p, "%s: invalid UTF-8",
		    ep_where(p, where, sizeof(where))));
	p->ep_total += len;
	return (1);
}

static int
ep_tag_value(struct event_parser *p, const char *s, size_t len)
{
	struct nostr_event	*ev = p->ep_ev;
	struct event_tag	*t = &ev->ev_tags[ev->ev_ntags - 1];

	if (t->t_nvals >= p->ep_lim.el_max_values)
		return (ep_fail(p, "tags[%zu]: more than %zu values",
		    ev->ev_ntags - 1, p->ep_lim.el_max_values));
	if (!ep_keep(p, s, len, p->ep_lim.el_max_string))
		return (0);
	if (tag_add_value(t, s, len) == -1)
		return (ep_fail(p, "event: %s", strerror(errno)));
	return (1);
}

static int
ep_hex(struct event_parser *p, const char *s, size_t len, uint8_t *out,
    size_t outlen, int has)
{
	if (hex_decode(s, len, out, outlen) == -1)
		return (ep_fail(p, "%s: not %zu lowercase hex characters",
		    event_keys[p->ep_key], 2 * outlen));
	p->ep_ev->ev_has |= has;
	return (1);
}

static int
ep_field(struct event_parser *p, const char *s, size_t len)
{
	struct nostr_event	*ev = p->ep_ev;

	switch (p->ep_key) {
	case K_ID:
		return (ep_hex(p, s, len, ev->ev_id, sizeof(ev->ev_id),
		    EVENT_HAS_ID));
	case K_PUBKEY:
		return (ep_hex(p, s, len, ev->ev_pubkey, sizeof(ev->ev_pubkey),
		    EVENT_HAS_PUBKEY));
	case K_SIG:
		return (ep_hex(p, s, len, ev->ev_sig, sizeof(ev->ev_sig),
		    EVENT_HAS_SIG));
	case K_CONTENT:
		if (!ep_keep(p, s, len, p->ep_lim.el_max_content))
			return (0);
		if (event_set_content(ev, s, len) == -1)
			return (ep_fail(p, "event: %s", strerror(errno)));
		return (1);
	default:
		return (ep_other(p));
	}
}

static int
ep_string(void *arg, const unsigned char *us, size_t len)
{
	struct event_parser	*p = arg;
	const char		*s = (const char *)us;

	switch (p->ep_state) {
	case EP_TAG:
		return (ep_tag_value(p, s, len));
	case EP_VALUE:
		if (!ep_field(p, s, len))
			return (0);
		p->ep_state = EP_OBJ;
		return (1);
	case EP_TOP:
	case EP_OBJ:
	case EP_TAGS:
	case EP_SKIP:
	case EP_DONE:
	case EP_FAILED:
		break;
	}
	return (ep_other(p));
}

static int
ep_start_map(void *arg)
{
	struct event_parser	*p = arg;

	switch (p->ep_state) {
	case EP_TOP:
		p->ep_state = EP_OBJ;
		return (1);
	case EP_SKIP:
		p->ep_skip++;
		return (1);
	case EP_OBJ:
	case EP_VALUE:
	case EP_TAGS:
	case EP_TAG:
	case EP_DONE:
	case EP_FAILED:
		break;
	}
	return (ep_other(p));
}

static int
ep_map_key(void *arg, const unsigned char *key, size_t len)
{
	struct event_parser	*p = arg;
	int			 k;

	if (p->ep_state == EP_SKIP)
		return (1);
	if (p->ep_state != EP_OBJ)
		return (ep_other(p));
	for (k = 0; k < K_NKEYS; k++)
		if (str_equal((const char *)key, len, event_keys[k],
		    strlen(event_keys[k])))
			break;
	if (k == K_NKEYS) {
		/* NIP-01 lets events carry more; they are not hashed */
		p->ep_state = EP_SKIP;
		p->ep_skip = 0;
		return (1);
	}
	if (p->ep_seen & SEEN(k))
		return (ep_fail(p, "%s: duplicate key", event_keys[k]));
	p->ep_seen |= SEEN(k);
	p->ep_key = k;
	p->ep_state = EP_VALUE;
	return (1);
}

static int
ep_end_map(void *arg)
{
	struct event_parser	*p = arg;

	if (p->ep_state == EP_SKIP) {
		if (--p->ep_skip == 0)
			p->ep_state = EP_OBJ;
		return (1);
	}
	if (p->ep_state != EP_OBJ)
		return (ep_other(p));
	p->ep_state = EP_DONE;
	return (1);
}

static int
ep_start_array(void *arg)
{
	struct event_parser	*p = arg;
	struct nostr_event	*ev = p->ep_ev;

	switch (p->ep_state) {
	case EP_SKIP:
		p->ep_skip++;
		return (1);
	case EP_VALUE:
		if (p->ep_key != K_TAGS)
			break;
		p->ep_state = EP_TAGS;
		return (1);
	case EP_TAGS:
		if (ev->ev_ntags >= p->ep_lim.el_max_tags)
			return (ep_fail(p, "tags: more than %zu tags",
			    p->ep_lim.el_max_tags));
		if (tag_new(ev) == NULL)
			return (ep_fail(p, "event: %s", strerror(errno)));
		p->ep_state = EP_TAG;
		return (1);
	case EP_TOP:
	case EP_OBJ:
	case EP_TAG:
	case EP_DONE:
	case EP_FAILED:
		break;
	}
	return (ep_other(p));
}

static int
ep_end_array(void *arg)
{
	struct event_parser	*p = arg;
	struct nostr_event	*ev = p->ep_ev;

	switch (p->ep_state) {
	case EP_SKIP:
		if (--p->ep_skip == 0)
			p->ep_state = EP_OBJ;
		return (1);
	case EP_TAG:
		if (ev->ev_tags[ev->ev_ntags - 1].t_nvals == 0)
			return (ep_fail(p, "tags[%zu]: empty tag",
			    ev->ev_ntags - 1));
		p->ep_state = EP_TAGS;
		return (1);
	case EP_TAGS:
		p->ep_state = EP_OBJ;
		return (1);
	case EP_TOP:
	case EP_OBJ:
	case EP_VALUE:
	case EP_DONE:
	case EP_FAILED:
		break;
	}
	return (ep_other(p));
}

/* yajl's own message, without its trailing newline */
static void
yajl_err_set(yajl_handle h, char *err, size_t errlen)
{
	unsigned char	*msg;
	size_t		 len;

	if ((msg = yajl_get_error(h, 0, NULL, 0)) == NULL) {
		errbuf_set(err, errlen, "event: invalid JSON");
		return;
	}
	len = strlen((char *)msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	errbuf_set(err, errlen, "event: invalid JSON: %s", (char *)msg);
	yajl_free_error(h, msg);
}

static int
parse_flags(const char *json, size_t len, const struct event_limits *lim,
    int flags, struct nostr_event *ev, char *err, size_t errlen)
{
	struct event_parser	 p;
	yajl_handle		 h;
	yajl_status		 st;

	event_parser_init(&p, lim, flags, ev);
	if (len > p.ep_lim.el_max_bytes) {
		errbuf_set(err, errlen, "event: larger than %zu bytes",
		    p.ep_lim.el_max_bytes);
		return (-1);
	}
	if ((h = yajl_alloc(&event_parser_callbacks, NULL, &p)) == NULL) {
		errbuf_set(err, errlen, "event: out of memory");
		return (-1);
	}
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (st == yajl_status_client_canceled)
			errbuf_set(err, errlen, "%s", p.ep_err);
		else
			yajl_err_set(h, err, errlen);
		yajl_free(h);
		event_parser_abort(&p);
		return (-1);
	}
	yajl_free(h);
	if (event_parser_finish(&p) == -1) {
		errbuf_set(err, errlen, "%s", p.ep_err);
		return (-1);
	}
	return (0);
}

int
event_parse(const char *json, size_t len, const struct event_limits *lim,
    struct nostr_event *ev, char *err, size_t errlen)
{
	return (parse_flags(json, len, lim, 0, ev, err, errlen));
}

int
event_template_parse(const char *json, size_t len,
    const struct event_limits *lim, struct nostr_event *ev, char *err,
    size_t errlen)
{
	return (parse_flags(json, len, lim, EVENT_PARSE_TEMPLATE, ev, err,
	    errlen));
}
