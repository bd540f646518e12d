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
 * Feeds the input to the NWC URI parser.  Whatever the input: a
 * refusal says why and leaves nothing behind, and what is accepted
 * holds one to NWC_RELAYS_MAX ws:// or wss:// relays and a lightning
 * address that is empty or has its '@'.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nwc_uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwc_uri	 u;
	char		 err[256];
	size_t		 i;

	err[0] = '\0';
	if (nwc_uri_parse((const char *)data, size, &u, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0' || u.nu_nrelays != 0)
			abort();
		return (0);
	}
	if (u.nu_nrelays == 0 || u.nu_nrelays > NWC_RELAYS_MAX)
		abort();
	for (i = 0; i < u.nu_nrelays; i++)
		if (strnlen(u.nu_relays[i], RELAY_URL_MAX) == RELAY_URL_MAX ||
		    (strncasecmp(u.nu_relays[i], "ws://", 5) != 0 &&
		    strncasecmp(u.nu_relays[i], "wss://", 6) != 0))
			abort();
	if (u.nu_lud16[0] != '\0' && strchr(u.nu_lud16, '@') == NULL)
		abort();
	nwc_uri_clear(&u);
	return (0);
}
