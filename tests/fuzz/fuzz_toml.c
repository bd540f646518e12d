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
 * Feeds the input to the TOML parser as a configuration file would
 * reach it, and, when it parses, through the configuration model too.
 * Checks what must hold whatever the input: an error message is always
 * "line N: ..." and a failed config_parse leaves the settings alone.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "toml.h"

/* Larger inputs only repeat what smaller ones find, more slowly. */
#define FUZZ_MAX_INPUT	(256 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf	 defaults, c;
	static int		 ready;
	struct toml_value	*v;
	char			 err[256];

	if (size > FUZZ_MAX_INPUT)
		return (0);
	if (!ready) {
		config_defaults(&defaults);
		ready = 1;
	}
	v = toml_parse((const char *)data, size, err, sizeof(err));
	if (v == NULL) {
		if (strncmp(err, "line ", 5) != 0)
			abort();
		return (0);
	}
	toml_free(v);

	c = defaults;
	if (config_parse(&c, "fuzz.toml", (const char *)data, size, err,
	    sizeof(err)) == -1) {
		if (strncmp(err, "fuzz.toml:", 10) != 0 ||
		    memcmp(&c, &defaults, sizeof(c)) != 0)
			abort();
	}
	return (0);
}
