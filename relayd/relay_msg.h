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

#ifndef OA_RELAY_MSG_H
#define OA_RELAY_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "nostr_event.h"
#include "nostr_filter.h"

/*
 * Relay-to-client messages of NIP-01 and NIP-42, parsed strictly in one
 * pass (the event inside ["EVENT", ...] goes through the event parser's
 * callbacks, not a second scan), and the client-to-relay messages we
 * send, built with the canonical escaping.
 */

#define RELAY_SUBID_MAX		64
#define RELAY_TEXT_MAX		4096	/* NOTICE, CLOSED, OK messages */
/*
 * What a message may hold around its event: the type, a subscription
 * id escaped at worst six bytes for one, separators and some spacing.
 * A message longer than the event limit plus this is refused unread.
 */
#define RELAY_MSG_SLACK		1024

enum relay_msg_type {
	RELAY_MSG_EVENT = 1,	/* ["EVENT", subid, event] */
	RELAY_MSG_OK,		/* ["OK", id, bool, message] */
	RELAY_MSG_EOSE,		/* ["EOSE", subid] */
	RELAY_MSG_CLOSED,	/* ["CLOSED", subid, message] */
	RELAY_MSG_NOTICE,	/* ["NOTICE", message] */
	RELAY_MSG_AUTH		/* ["AUTH", challenge] */
};

struct relay_msg {
	enum relay_msg_type	 rm_type;
	char			 rm_subid[RELAY_SUBID_MAX + 1];
	struct nostr_event	 rm_event;		/* EVENT */
	uint8_t			 rm_id[EVENT_ID_LEN];	/* OK */
	int			 rm_ok;			/* OK */
	char			 rm_text[RELAY_TEXT_MAX + 1];	/* OK, CLOSED,
							   NOTICE, AUTH */
	size_t			 rm_textlen;
};

/*
 * Parse one message.  0 and m filled (relay_msg_free it), or -1 with
 * err saying why and nothing in m to free; unknown message types
 * (COUNT, NEG-MSG, ...) are -1 too, with *unknown set (unknown may be
 * NULL) so the caller can ignore them quietly.  The event of an EVENT
 * is checked as event_parse does, under the given limits (NULL for
 * the defaults), but neither its id nor its signature.
 *
 * A subscription id is 1..RELAY_SUBID_MAX bytes of UTF-8 without
 * control characters.  OK, CLOSED and NOTICE text is kept as sent
 * (valid UTF-8, but it may hold control characters and NULs: rm_textlen
 * is its length) and cut at RELAY_TEXT_MAX on a character boundary,
 * never refused for length; an OK without its message, as relays of
 * the NIP-20 days sent it, is taken with an empty one.  An AUTH
 * challenge is refused when empty or longer than RELAY_TEXT_MAX: a
 * cut one could not be answered.
 */
int	relay_msg_parse(const char *, size_t, const struct event_limits *,
	    struct relay_msg *, int *, char *, size_t);
void	relay_msg_free(struct relay_msg *);

/*
 * Client messages: malloc'd, NUL-terminated JSON text, or -1 with
 * errno set: EINVAL for a subscription id that relay_msg_parse would
 * refuse, a REQ without filters, an EVENT or AUTH whose event is not
 * signed, or an AUTH whose event is not of kind 22242.
 */
int	relay_build_req(const char *, const struct nostr_filter *, size_t,
	    char **, size_t *);
int	relay_build_close(const char *, char **, size_t *);
int	relay_build_event(const struct nostr_event *, char **, size_t *);
int	relay_build_auth(const struct nostr_event *, char **, size_t *);

/*
 * The ids seen lately, across relays and reconnects: a bounded LRU, so
 * the same event from three relays reaches the supervisor once.  All
 * memory is taken by dedupe_new (NULL and errno set on failure, EINVAL
 * for a capacity of 0 or past 2^30); the table is keyed with a random
 * SipHash key, because ids not yet verified are the sender's choice.
 */
struct dedupe;

struct dedupe	*dedupe_new(size_t);
/* 1 when id was seen (and is now the most recent), 0 when new (added) */
int		 dedupe_check(struct dedupe *, const uint8_t *);
size_t		 dedupe_count(const struct dedupe *);
void		 dedupe_free(struct dedupe *);

#endif /* OA_RELAY_MSG_H */
