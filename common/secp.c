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

#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include <secp256k1.h>

#include "log.h"
#include "secp.h"

static secp256k1_context	*ctx;

const secp256k1_context *
secp_ctx(void)
{
	unsigned char	 seed[32];
	ssize_t		 n;

	if (ctx != NULL)
		return (ctx);
	if ((ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE)) == NULL)
		fatalx("%s: secp256k1_context_create", __func__);
	do
		n = getrandom(seed, sizeof(seed), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(seed))
		fatal("%s: getrandom", __func__);
	/* blinding only: a failure leaves a correct, unblinded context */
	if (!secp256k1_context_randomize(ctx, seed))
		log_warnx("%s: context randomization failed", __func__);
	explicit_bzero(seed, sizeof(seed));
	return (ctx);
}
