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
 * The dedupe LRU: a chained hash table over a node array taken whole
 * at creation, plus a recency list through the same nodes.  Once the
 * array is full the least recent node is reused for the next new id,
 * so a check never allocates.  Chains link by array index (0 is the
 * end), which keeps a node small and the bucket array half the size
 * of pointers.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/sys/queue.h>

#include <sodium.h>

#include "relay_msg.h"

/* indexes are uint32_t, and the bucket array is twice the capacity */
#define DEDUPE_CAP_MAX	(1U << 30)

struct dedupe_node {
	uint8_t				 dn_id[EVENT_ID_LEN];
	uint32_t			 dn_next;	/* index + 1 */
	uint32_t			 dn_bucket;
	TAILQ_ENTRY(dedupe_node)	 dn_lru;
};

TAILQ_HEAD(dedupe_lru, dedupe_node);

struct dedupe {
	struct dedupe_node	*d_nodes;
	uint32_t		*d_buckets;	/* index + 1, 0 for none */
	size_t			 d_cap;
	size_t			 d_count;
	uint32_t		 d_mask;
	struct dedupe_lru	 d_lru;		/* most recent first */
	unsigned char		 d_key[crypto_shorthash_siphash24_KEYBYTES];
};

/*
 * Ids reach us before their signatures are checked, so a hostile
 * relay picks them: a keyed hash over all of the id keeps it from
 * filling one chain, which the id's own first bytes would not.
 */
static uint32_t
dedupe_bucket(const struct dedupe *d, const uint8_t *id)
{
	unsigned char	 h[crypto_shorthash_siphash24_BYTES];
	uint64_t	 v;

	/* SipHash has no way to fail: it returns 0, always */
	(void)crypto_shorthash_siphash24(h, id, EVENT_ID_LEN, d->d_key);
	memcpy(&v, h, sizeof(v));
	return ((uint32_t)v & d->d_mask);
}

struct dedupe *
dedupe_new(size_t cap)
{
	struct dedupe	*d;
	size_t		 nbuckets;

	if (cap == 0 || cap > DEDUPE_CAP_MAX) {
		errno = EINVAL;
		return (NULL);
	}
	/* a load of at most one half keeps chains short */
	for (nbuckets = 2; nbuckets < 2 * cap; nbuckets *= 2)
		;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	if ((d->d_nodes = calloc(cap, sizeof(*d->d_nodes))) == NULL ||
	    (d->d_buckets = calloc(nbuckets, sizeof(*d->d_buckets))) ==
	    NULL) {
		free(d->d_nodes);
		free(d);
		return (NULL);
	}
	d->d_cap = cap;
	d->d_mask = (uint32_t)(nbuckets - 1);
	TAILQ_INIT(&d->d_lru);
	randombytes_buf(d->d_key, sizeof(d->d_key));
	return (d);
}

static struct dedupe_node *
dedupe_find(struct dedupe *d, uint32_t b, const uint8_t *id)
{
	struct dedupe_node	*n;
	uint32_t		 i;

	for (i = d->d_buckets[b]; i != 0; i = n->dn_next) {
		n = &d->d_nodes[i - 1];
		if (memcmp(n->dn_id, id, EVENT_ID_LEN) == 0)
			return (n);
	}
	return (NULL);
}

static void
dedupe_unlink(struct dedupe *d, struct dedupe_node *n)
{
	uint32_t	*ip;
	uint32_t	 self = (uint32_t)(n - d->d_nodes) + 1;

	for (ip = &d->d_buckets[n->dn_bucket]; *ip != self;
	    ip = &d->d_nodes[*ip - 1].dn_next)
		;
	*ip = n->dn_next;
	TAILQ_REMOVE(&d->d_lru, n, dn_lru);
}

int
dedupe_check(struct dedupe *d, const uint8_t *id)
{
	struct dedupe_node	*n;
	uint32_t		 b;

	b = dedupe_bucket(d, id);
	if ((n = dedupe_find(d, b, id)) != NULL) {
		TAILQ_REMOVE(&d->d_lru, n, dn_lru);
		TAILQ_INSERT_HEAD(&d->d_lru, n, dn_lru);
		return (1);
	}
	if (d->d_count < d->d_cap)
		n = &d->d_nodes[d->d_count++];
	else {
		n = TAILQ_LAST(&d->d_lru, dedupe_lru);
		dedupe_unlink(d, n);
	}
	memcpy(n->dn_id, id, EVENT_ID_LEN);
	n->dn_bucket = b;
	n->dn_next = d->d_buckets[b];
	d->d_buckets[b] = (uint32_t)(n - d->d_nodes) + 1;
	TAILQ_INSERT_HEAD(&d->d_lru, n, dn_lru);
	return (0);
}

size_t
dedupe_count(const struct dedupe *d)
{
	return (d->d_count);
}

void
dedupe_free(struct dedupe *d)
{
	if (d == NULL)
		return;
	free(d->d_nodes);
	free(d->d_buckets);
	free(d);
}
