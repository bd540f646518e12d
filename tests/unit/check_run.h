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

#ifndef OA_CHECK_RUN_H
#define OA_CHECK_RUN_H

/*
 * The main() of a Check test program that uses the Nostr core: libsodium
 * and the secp256k1 context set up once, then every test of the suite.
 */

#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <sodium.h>

#include "secp.h"

static inline int
check_run(Suite *s)
{
	SRunner	*sr;
	int	 failed;

	if (sodium_init() == -1) {
		fprintf(stderr, "sodium_init failed\n");
		return (EXIT_FAILURE);
	}
	(void)secp_ctx();
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

#endif /* OA_CHECK_RUN_H */
