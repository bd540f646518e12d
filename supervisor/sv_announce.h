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

/* The NIP-89 announcement and the tier (sv_announce.c). */

#ifndef OA_SV_ANNOUNCE_H
#define OA_SV_ANNOUNCE_H

#include <stdint.h>

struct supervisor;

struct tier_info {
	int		 ti_tier;		/* 0..3 */
	int64_t		 ti_completed;		/* published, paid, expired */
	int64_t		 ti_judged;		/* and failed, disputed */
	double		 ti_success;		/* completed / judged */
	int		 ti_max_concurrent;
	int		 ti_premium_pct;
};

const struct tier_info *sv_tier(struct supervisor *, int);
void	 sv_tier_stale(void);
uint32_t jobs_capacity(struct supervisor *);
int64_t	 jobs_premium_pct(struct supervisor *, int64_t);
void	 sv_announce_update(struct supervisor *);
int	 sv_announce_withdraw(struct supervisor *);
int	 sv_announce_published(struct supervisor *, uint64_t);
void	 sv_announce_free(void);
int	 jobs_taking(struct supervisor *);

#endif /* OA_SV_ANNOUNCE_H */
