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

#ifndef OA_NOSTR_EVENT_H
#define OA_NOSTR_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <yajl/yajl_parse.h>

#define EVENT_ID_LEN		32
#define EVENT_PUBKEY_LEN	32
#define EVENT_SIG_LEN		64
#define EVENT_KIND_MAX		65535
#define EVENT_ERRLEN		128

/*
 * A string as JSON decoded it: "\u0000" is a real NUL byte inside it,
 * so es_len is the length, not strlen().  es_ptr is NUL-terminated as
 * well, for the common case of looking at tag names and numbers.
 */
struct event_str {
	char		*es_ptr;
	size_t		 es_len;
};

/* A tag has at least one value; t_vals[0] is its name. */
struct event_tag {
	struct event_str	*t_vals;
	size_t			 t_nvals;
	size_t			 t_cap;
};

#define EVENT_HAS_ID		0x01
#define EVENT_HAS_PUBKEY	0x02
#define EVENT_HAS_SIG		0x04

struct nostr_event {
	uint8_t			 ev_id[EVENT_ID_LEN];
	uint8_t			 ev_pubkey[EVENT_PUBKEY_LEN];
	uint8_t			 ev_sig[EVENT_SIG_LEN];
	int			 ev_has;	/* EVENT_HAS_* */
	int64_t			 ev_created_at;
	uint32_t		 ev_kind;
	struct event_tag	*ev_tags;
	size_t			 ev_ntags;
	size_t			 ev_tagcap;
	char			*ev_content;	/* NULL means "" */
	size_t			 ev_contentlen;
};

/*
 * What a parsed event may hold.  Relays cap messages at 16-512 KiB;
 * these bound what one hostile event can make us allocate.
 */
struct event_limits {
	size_t	 el_max_bytes;		/* JSON text, and decoded strings */
	size_t	 el_max_tags;
	size_t	 el_max_values;		/* per tag, the name included */
	size_t	 el_max_string;		/* bytes of one tag value */
	size_t	 el_max_content;
};

#define EVENT_MAX_BYTES		(256 * 1024)
#define EVENT_MAX_TAGS		2000
#define EVENT_MAX_VALUES	100
#define EVENT_MAX_STRING	(64 * 1024)
#define EVENT_MAX_CONTENT	EVENT_MAX_BYTES

void	event_limits_default(struct event_limits *);

/*
 * Parsing.  event_parse takes one JSON object and nothing else around
 * it but whitespace; every field is checked (PROTOCOL.md §C.1): id,
 * pubkey and sig lowercase hex of exact length, created_at an integer
 * in 0..INT64_MAX, kind in 0..65535, tags an array of non-empty arrays
 * of strings, content a string, all strings valid UTF-8, no known key
 * twice.  Unknown keys are skipped.  A NULL limits pointer means the
 * defaults.  On success ev must be given to nostr_event_free; on
 * failure it holds nothing and err names the field ("pubkey: not 64
 * lowercase hex characters").  Neither checks the id or the signature:
 * that is event_verify.
 *
 * event_template_parse is the same for an unsigned template, which
 * needs only created_at, kind, tags and content; an id, pubkey or sig
 * that is there is still checked, and noted in ev_has.
 */
int	event_parse(const char *, size_t, const struct event_limits *,
	    struct nostr_event *, char *, size_t);
int	event_template_parse(const char *, size_t, const struct event_limits *,
	    struct nostr_event *, char *, size_t);

/*
 * The parser behind event_parse, for an event inside a larger JSON
 * text such as a relay's ["EVENT", "<subid>", {...}].  The enclosing
 * parser runs its own yajl handle and, from the '{' that opens the
 * event to the '}' that closes it, calls the matching member of
 * event_parser_callbacks with the event_parser as context for every
 * callback it gets, instead of handling it itself:
 *
 *	event_parser_init(&ep, NULL, 0, &ev);
 *	... in the enclosing start_map callback, at the event's place:
 *		fwd = 1;
 *	... in each callback while fwd is set, e.g.:
 *		if (!event_parser_callbacks.yajl_string(&ep, s, len))
 *			return (0);	(yajl stops; the reason is in ep)
 *		if (event_parser_done(&ep))
 *			fwd = 0;
 *	... after yajl_complete_parse succeeded:
 *		if (event_parser_finish(&ep) == -1)
 *			reject with event_parser_error(&ep);
 *
 * The enclosing parser must set yajl_number (not yajl_integer or
 * yajl_double), which is the only number callback the table has, and
 * keep yajl's UTF-8 check on.  The total length limit applies to the
 * decoded strings here; the caller bounds its own text.
 * event_parser_finish cleans up after itself when it fails; a parse
 * given up before it (a yajl error, a callback that returned 0) is
 * cleaned up with event_parser_abort.  Both may be called twice.
 */
enum event_pstate {
	EP_TOP,
	EP_OBJ,
	EP_VALUE,
	EP_TAGS,
	EP_TAG,
	EP_SKIP,
	EP_DONE,
	EP_FAILED
};

struct event_parser {
	struct nostr_event	*ep_ev;
	struct event_limits	 ep_lim;
	int			 ep_flags;
	enum event_pstate	 ep_state;
	int			 ep_key;	/* field whose value comes */
	unsigned int		 ep_seen;	/* fields met, by bit */
	size_t			 ep_skip;	/* depth in a skipped value */
	size_t			 ep_total;	/* decoded string bytes */
	char			 ep_err[EVENT_ERRLEN];
};

#define EVENT_PARSE_TEMPLATE	0x01

extern const yajl_callbacks	 event_parser_callbacks;

void	event_parser_init(struct event_parser *, const struct event_limits *,
	    int, struct nostr_event *);
int	event_parser_done(const struct event_parser *);
int	event_parser_finish(struct event_parser *);
void	event_parser_abort(struct event_parser *);
const char *event_parser_error(const struct event_parser *);

/*
 * Building.  nostr_event_init empties ev for a new event (it holds
 * nothing to free afterwards).  The setters copy what they are given.
 * Lengths may be NULL in event_add_tag for NUL-terminated values.  All
 * return 0, or -1 with errno set.  These two carry the nostr_ prefix
 * because libevent, linked into every daemon, exports event_init and
 * event_free.
 */
void	nostr_event_init(struct nostr_event *, uint32_t, int64_t);
int	event_set_content(struct nostr_event *, const char *, size_t);
int	event_add_tag(struct nostr_event *, const char *const *,
	    const size_t *, size_t);
int	event_add_tagv(struct nostr_event *, const char *, ...)
	    __attribute__((__sentinel__));
void	nostr_event_free(struct nostr_event *);

/*
 * The first tag at index *pos or later whose name is name; *pos is
 * then one past it, so that a loop walks every such tag.  pos may be
 * NULL to get the first.  event_tag_value is NULL when the tag has no
 * value at that index.
 */
const struct event_tag	*event_tag_find(const struct nostr_event *,
			    const char *, size_t *);
const struct event_str	*event_tag_value(const struct event_tag *,
			    size_t);
int	event_str_eq(const struct event_str *, const char *);
int	event_equal(const struct nostr_event *, const struct nostr_event *);

/*
 * Ids and signatures.  event_serialize gives the text that is hashed
 * for the id, [0,"<pubkey>",created_at,kind,[tags],"content"], and
 * event_to_json the wire object, keys in the order id, pubkey,
 * created_at, kind, tags, content, sig (with EVENT_PARSE_TEMPLATE only
 * created_at, kind, tags and content).  Both escape strings the one
 * canonical way; the result is malloc'd and NUL-terminated.
 * event_check_id and event_verify return 0 when the event holds, -1
 * otherwise, with a reason in err if it is not NULL.  event_sign sets
 * pubkey, id and sig from the keypair.
 */
int	event_serialize(const struct nostr_event *, char **, size_t *);
int	event_to_json(const struct nostr_event *, int, char **, size_t *);
int	event_compute_id(const struct nostr_event *, uint8_t *);
int	event_check_id(const struct nostr_event *, char *, size_t);
int	event_verify(const struct nostr_event *, char *, size_t);
int	event_sign(struct nostr_event *, const secp256k1_keypair *);

/*
 * Pieces shared with the filter and relay-message code: a growable
 * buffer, the canonical string escaper, a strict integer reader for
 * yajl_number text (digits only, no sign, fraction or exponent) and a
 * strict UTF-8 check (no overlongs, surrogates or values past U+10FFFF).
 */
struct event_buf {
	char	*eb_data;
	size_t	 eb_len;
	size_t	 eb_cap;
};

int	event_buf_add(struct event_buf *, const void *, size_t);
int	event_buf_add_json(struct event_buf *, const char *, size_t);
int	event_buf_add_hex(struct event_buf *, const uint8_t *, size_t);
int	event_buf_add_int(struct event_buf *, int64_t);
int	event_buf_finish(struct event_buf *, char **, size_t *);
void	event_buf_free(struct event_buf *);
int	event_json_uint(const char *, size_t, uint64_t, uint64_t *);
int	event_utf8_valid(const char *, size_t);

#endif /* OA_NOSTR_EVENT_H */
