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
 * A TOML 1.0 parser.  The whole document is parsed into a tree of
 * values; every value and every key remembers the line it was defined
 * on so that the configuration layer can name file:line in its errors.
 */

#ifndef OA_TOML_H
#define OA_TOML_H

#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time */
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL
};

/*
 * Date and time parts as written.  Fractional seconds are kept as
 * nanoseconds (extra digits beyond 9 are truncated, as TOML allows).
 * offset_min is minutes east of UTC; "Z" is 0.
 */
struct toml_datetime {
	int		year, month, day;
	int		hour, minute, second;
	long		nanosecond;
	int		frac_digits;	/* digits written, 0 when none */
	int		offset_min;
};

struct toml_value;

struct toml_kv {
	char			*key;	/* NUL-terminated; may hold no NUL */
	size_t			 keylen;
	int			 line;
	struct toml_value	*val;
};

struct toml_value {
	enum toml_type		 type;
	int			 line;
	union {
		struct {
			struct toml_kv	*kv;	/* in document order */
			size_t		 n;
			size_t		 cap;
			int		 flags;	/* parser-private */
		} table;
		struct {
			struct toml_value **v;
			size_t		 n;
			size_t		 cap;
			int		 flags;	/* parser-private */
		} array;
		struct {
			char		*s;	/* NUL-terminated, valid UTF-8 */
			size_t		 len;	/* may contain NUL via \u0000 */
		} string;
		int64_t			 integer;
		double			 flt;
		int			 boolean;
		struct toml_datetime	 dt;
	} u;
};

/*
 * Parse len bytes.  On error, NULL is returned and errbuf holds
 * "line N: reason" (always NUL-terminated when errlen > 0).
 */
struct toml_value	*toml_parse(const char *, size_t, char *, size_t);
void			 toml_free(struct toml_value *);

/* Look a key up in a table; NULL when missing or not a table. */
const struct toml_value	*toml_table_get(const struct toml_value *,
			    const char *);
const char		*toml_type_name(enum toml_type);

#endif /* OA_TOML_H */
