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

#ifndef OA_NOSTR_FILTER_H
#define OA_NOSTR_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "nostr_event.h"

/*
 * A NIP-01 filter.  A list that is there but empty matches nothing,
 * as in other clients and relays, which is why every list has a
 * presence bit in f_has besides its count.
 */
#define FILTER_HAS_IDS		0x01
#define FILTER_HAS_AUTHORS	0x02
#define FILTER_HAS_KINDS	0x04
#define FILTER_HAS_SINCE	0x08
#define FILTER_HAS_UNTIL	0x10
#define FILTER_HAS_LIMIT	0x20

/* "#e": [...]: matches events with an "e" tag whose value 1 is listed */
struct filter_tag {
	char			 ft_name;
	struct event_str	*ft_vals;
	size_t			 ft_nvals;
};

struct nostr_filter {
	int			 f_has;		/* FILTER_HAS_* */
	uint8_t			(*f_ids)[EVENT_ID_LEN];
	size_t			 f_nids;
	uint8_t			(*f_authors)[EVENT_PUBKEY_LEN];
	size_t			 f_nauthors;
	uint32_t		*f_kinds;
	size_t			 f_nkinds;
	struct filter_tag	*f_tags;
	size_t			 f_ntags;
	int64_t			 f_since;
	int64_t			 f_until;
	int64_t			 f_limit;
};

/* Bounds for filter_parse: filters come in small. */
#define FILTER_MAX_BYTES	(64 * 1024)
#define FILTER_MAX_VALUES	1000		/* per list */
#define FILTER_MAX_STRING	1024		/* one "#x" value */

/*
 * filter_parse takes one JSON object.  ids, authors, "#e" and "#p"
 * hold exact 64-character lowercase hex (NIP-01 dropped prefixes);
 * kinds are integers in 0..65535; since, until and limit are
 * non-negative integers; "#<letter>" takes one ASCII letter and a list
 * of strings.  A known key twice or of the wrong type is an error, and
 * so is a "#" key of more than one letter (ignoring it would widen the
 * filter); other unknown keys are skipped.  On failure f holds nothing
 * and err says why.  filter_to_json writes the keys in the order ids,
 * authors, kinds, tags, since, until, limit, for REQ messages.
 */
int	filter_parse(const char *, size_t, struct nostr_filter *, char *,
	    size_t);
int	filter_to_json(const struct nostr_filter *, char **, size_t *);
int	filter_equal(const struct nostr_filter *, const struct nostr_filter *);

/* Building: each returns 0, or -1 with errno set. */
void	filter_init(struct nostr_filter *);
int	filter_add_id(struct nostr_filter *, const uint8_t *);
int	filter_add_author(struct nostr_filter *, const uint8_t *);
int	filter_add_kind(struct nostr_filter *, uint32_t);
int	filter_add_tag(struct nostr_filter *, char, const char *, size_t);
void	filter_free(struct nostr_filter *);

/*
 * filter_match is 1 when the event passes every condition of the
 * filter (limit aside, which only bounds a relay's stored answer);
 * filters_match is 1 when it passes any of n filters.
 */
int	filter_match(const struct nostr_filter *, const struct nostr_event *);
int	filters_match(const struct nostr_filter *, size_t,
	    const struct nostr_event *);

#endif /* OA_NOSTR_FILTER_H */
