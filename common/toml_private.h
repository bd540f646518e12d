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
 * Internals shared by toml.c (document structure: keys, tables,
 * arrays) and toml_value.c (scalars: strings, numbers, dates).  Not
 * part of the public interface.
 */

#ifndef OA_TOML_PRIVATE_H
#define OA_TOML_PRIVATE_H

#include <limits.h>
#include <stddef.h>

#include "toml.h"

/*
 * Deepest nesting of tables and arrays, counted from the root table
 * (depth 0).  Headers, dotted keys, arrays and inline tables all count,
 * so the tree, and every recursive walk over it, stays this shallow
 * whatever the input.
 */
#define TOML_MAX_DEPTH		128

struct toml_slot;

/* One part of a dotted key, as read. */
struct toml_key {
	char			*s;		/* NUL-terminated */
	size_t			 len;
	int			 line;
};

struct toml_parser {
	const char		*p;		/* cursor */
	const char		*end;
	int			 line;		/* of the cursor, from 1 */
	int			 failed;
	char			*err;
	size_t			 errlen;

	/* (table, key) -> index in the table, for every table */
	struct toml_slot	*slots;
	size_t			 nslots;	/* power of two, or 0 */
	size_t			 nused;

	/* the dotted key being read: TOML_MAX_DEPTH parts at most */
	struct toml_key		*keys;
	size_t			 nkeys;
};

/* Bytes left from the cursor. */
#define TP_LEFT(tp)	((size_t)((tp)->end - (tp)->p))
/* Count a line; saturates rather than wrapping on absurd input. */
#define TP_NEWLINE(tp)	do {						\
	if ((tp)->line < INT_MAX)					\
		(tp)->line++;						\
} while (0)

int	toml_error(struct toml_parser *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
int	toml_string_read(struct toml_parser *, int, char **, size_t *);
int	toml_scalar_read(struct toml_parser *, struct toml_value *);
int	toml_utf8_check(const char *, size_t, size_t *);

#endif /* OA_TOML_PRIVATE_H */
