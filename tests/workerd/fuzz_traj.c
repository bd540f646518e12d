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
 * Fuzz harness: an agent's stdout into trajectory lines.  Whatever the
 * agent writes, every line that comes out must be one JSON object.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "work_job.h"
#include "work_traj.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_output(char *out, size_t len)
{
	yajl_val	 v;
	char		*line, *next;

	if (len == 0)
		return;
	if (out[len - 1] != '\n')
		abort();
	for (line = out; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		if ((v = yajl_tree_parse(line, NULL, 0)) == NULL ||
		    !YAJL_IS_OBJECT(v))
			abort();
		yajl_tree_free(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct work_usage	 u;
	const uint8_t		*p = data, *e = data + size, *nl;
	char			*line, *out = NULL;
	size_t			 n, outlen = 0;
	FILE			*f;

	memset(&u, 0, sizeof(u));
	if ((f = open_memstream(&out, &outlen)) == NULL)
		abort();
	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(e - p);
		if ((line = malloc(n + 1)) == NULL)
			abort();
		memcpy(line, p, n);
		line[n] = '\0';
		/* as getline gives it: a NUL inside is part of the line */
		traj_convert(&u, f, line, n);
		free(line);
		p += n;
	}
	if (fclose(f) != 0)
		abort();
	check_output(out, outlen);
	if (u.u_input < 0 || u.u_output < 0 || u.u_cache_read < 0)
		abort();
	free(out);
	return (0);
}
