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
 * Feeds the input to the identity-file parser, the part of
 * keystore_open that runs before a key is derived (Argon2id at any
 * real cost would stop the fuzzer dead).  Checks what must hold
 * whatever the input: a refusal says why, and what is accepted is
 * within the bounds that keep key derivation finite.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keystore.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keystore_file	 kf;
	const struct keystore_params *p = &kf.kf_params;
	char			 err[256];
	int			 r;

	err[0] = '\0';
	r = keystore_parse((const char *)data, size, &kf, err, sizeof(err));
	if (r != KEYSTORE_OK) {
		if ((r != KEYSTORE_FORMAT && r != KEYSTORE_ERROR) ||
		    err[0] == '\0' || kf.kf_ct != NULL)
			abort();
		return (0);
	}
	if (size > KEYSTORE_JSON_MAX ||
	    kf.kf_ct == NULL || kf.kf_ctlen < KEYSTORE_TAG_LEN ||
	    kf.kf_ctlen - KEYSTORE_TAG_LEN > KEYSTORE_PT_MAX ||
	    p->kp_m_cost < KEYSTORE_M_COST_MIN ||
	    p->kp_m_cost > KEYSTORE_M_COST_MAX ||
	    p->kp_t_cost < KEYSTORE_T_COST_MIN ||
	    p->kp_t_cost > KEYSTORE_T_COST_MAX || p->kp_p_cost != 1)
		abort();
	keystore_file_clear(&kf);
	return (0);
}
