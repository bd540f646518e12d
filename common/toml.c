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
 * TOML 1.0 document structure: comments, keys, [tables], [[arrays of
 * tables]], key/value pairs, arrays and inline tables, and the rules
 * about which table may be defined or extended from where.  Scalars
 * are read by toml_value.c.
 *
 * Tables carry how they came to exist in their flags:
 *
 *	TF_IMPLICIT	named on the way to a [header] (as "a" in [a.b]);
 *			a later [a] may still define it
 *	TF_HEADER	defined by its own [header] or [[header]]
 *	TF_DOTTED	made by a dotted key (a.b = 1); no [header] may
 *			define it, though [a.c] may add a sub-table
 *	TF_INLINE	an inline table: closed for good
 *
 * and arrays made by [[header]] carry AF_TABLES: only those may grow by
 * [[header]]; an array written as a value is closed.  The bits above
 * TF_DEPTH_SHIFT hold the nesting depth, bounded by TOML_MAX_DEPTH.
 *
 * Recursion happens only through nested arrays and inline tables, one
 * level of depth per call, so the stack is bounded too.  A hash index
 * over (table, key) keeps huge tables linear.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "toml_private.h"

#define TF_IMPLICIT	0x01
#define TF_HEADER	0x02
#define TF_DOTTED	0x04
#define TF_INLINE	0x08
#define AF_TABLES	0x01
#define TF_DEPTH_SHIFT	8

/* Longest key quoted back in an error message. */
#define KEY_SHOW	48

struct toml_slot {
	const struct toml_value	*tab;		/* NULL: free slot */
	size_t			 idx;		/* into tab's kv */
	uint64_t		 hash;
};

static struct toml_value *value_new(struct toml_parser *, enum toml_type,
		    int, int);
static int	node_depth(const struct toml_value *);
static uint64_t	index_hash(const struct toml_value *, const char *, size_t);
static int	index_reserve(struct toml_parser *);
static void	index_insert(struct toml_parser *, const struct toml_value *,
		    size_t, uint64_t);
static struct toml_kv *table_find(struct toml_parser *,
		    const struct toml_value *, const char *, size_t);
static int	table_add(struct toml_parser *, struct toml_value *, char *,
		    size_t, int, struct toml_value *);
static int	array_push(struct toml_parser *, struct toml_value *,
		    struct toml_value *);
static const char *key_show(char *, size_t, const char *, size_t);
static int	is_bare(int);
static void	ws_skip(struct toml_parser *);
static int	nl_take(struct toml_parser *);
static int	comment_skip(struct toml_parser *);
static int	ws_nl_skip(struct toml_parser *);
static int	line_end(struct toml_parser *);
static void	keys_clear(struct toml_parser *);
static int	key_read(struct toml_parser *);
static struct toml_value *header_step(struct toml_parser *,
		    struct toml_value *, struct toml_key *);
static struct toml_value *dotted_step(struct toml_parser *,
		    struct toml_value *, struct toml_key *);
static int	header_read(struct toml_parser *, struct toml_value *,
		    struct toml_value **);
static int	keyval_read(struct toml_parser *, struct toml_value *);
static int	value_read(struct toml_parser *, int, struct toml_value **);
static int	array_read(struct toml_parser *, int, struct toml_value **);
static int	inline_read(struct toml_parser *, int,
		    struct toml_value **);

int
toml_error(struct toml_parser *tp, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (tp->failed)
		return (-1);
	tp->failed = 1;
	if (tp->err == NULL || tp->errlen == 0)
		return (-1);
	n = snprintf(tp->err, tp->errlen, "line %d: ", tp->line);
	if (n < 0 || (size_t)n >= tp->errlen)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(tp->err + n, tp->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return (-1);
}

static struct toml_value *
value_new(struct toml_parser *tp, enum toml_type type, int line, int depth)
{
	struct toml_value	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		(void)toml_error(tp, "out of memory");
		return (NULL);
	}
	v->type = type;
	v->line = line;
	if (type == TOML_TABLE)
		v->u.table.flags = depth << TF_DEPTH_SHIFT;
	else if (type == TOML_ARRAY)
		v->u.array.flags = depth << TF_DEPTH_SHIFT;
	return (v);
}

static int
node_depth(const struct toml_value *v)
{
	if (v->type == TOML_TABLE)
		return (v->u.table.flags >> TF_DEPTH_SHIFT);
	if (v->type == TOML_ARRAY)
		return (v->u.array.flags >> TF_DEPTH_SHIFT);
	return (0);
}

void
toml_free(struct toml_value *v)
{
	size_t	 i;

	if (v == NULL)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.table.n; i++) {
			free(v->u.table.kv[i].key);
			toml_free(v->u.table.kv[i].val);
		}
		free(v->u.table.kv);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.array.n; i++)
			toml_free(v->u.array.v[i]);
		free(v->u.array.v);
		break;
	case TOML_STRING:
		free(v->u.string.s);
		break;
	case TOML_INTEGER:
	case TOML_FLOAT:
	case TOML_BOOL:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		break;
	}
	free(v);
}

/* FNV-1a over the key, seeded with the table's address. */
static uint64_t
index_hash(const struct toml_value *t, const char *k, size_t n)
{
	uint64_t	 h;
	size_t		 i;

	h = 0xcbf29ce484222325ULL ^
	    ((uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ULL);
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 0x100000001b3ULL;
	}
	return (h ^ (h >> 29));
}

/* Make room for one more entry, keeping the load at most one half. */
static int
index_reserve(struct toml_parser *tp)
{
	struct toml_slot	*old = tp->slots;
	size_t			 oldn = tp->nslots, i, j, mask;

	if ((tp->nused + 1) * 2 <= tp->nslots)
		return (0);
	if (oldn > SIZE_MAX / sizeof(*old) / 4)
		return (toml_error(tp, "too many keys"));
	tp->nslots = oldn == 0 ? 64 : oldn * 2;
	if ((tp->slots = calloc(tp->nslots, sizeof(*tp->slots))) == NULL) {
		tp->slots = old;
		tp->nslots = oldn;
		return (toml_error(tp, "out of memory"));
	}
	mask = tp->nslots - 1;
	for (i = 0; i < oldn; i++) {
		if (old[i].tab == NULL)
			continue;
		j = old[i].hash & mask;
		while (tp->slots[j].tab != NULL)
			j = (j + 1) & mask;
		tp->slots[j] = old[i];
	}
	free(old);
	return (0);
}

static void
index_insert(struct toml_parser *tp, const struct toml_value *t, size_t idx,
    uint64_t h)
{
	size_t	 j, mask = tp->nslots - 1;

	j = h & mask;
	while (tp->slots[j].tab != NULL)
		j = (j + 1) & mask;
	tp->slots[j].tab = t;
	tp->slots[j].idx = idx;
	tp->slots[j].hash = h;
	tp->nused++;
}

static struct toml_kv *
table_find(struct toml_parser *tp, const struct toml_value *t, const char *k,
    size_t n)
{
	struct toml_kv	*kv;
	uint64_t	 h;
	size_t		 j, mask;

	if (tp->nslots == 0)
		return (NULL);
	h = index_hash(t, k, n);
	mask = tp->nslots - 1;
	for (j = h & mask; tp->slots[j].tab != NULL; j = (j + 1) & mask) {
		if (tp->slots[j].hash != h || tp->slots[j].tab != t)
			continue;
		kv = &t->u.table.kv[tp->slots[j].idx];
		if (kv->keylen == n && memcmp(kv->key, k, n) == 0)
			return (kv);
	}
	return (NULL);
}

/*
 * Add a key to a table.  On success the table owns key and val; on
 * failure the caller still does.
 */
static int
table_add(struct toml_parser *tp, struct toml_value *t, char *key,
    size_t keylen, int line, struct toml_value *val)
{
	struct toml_kv	*nkv;
	size_t		 ncap;

	if (index_reserve(tp) == -1)
		return (-1);
	if (t->u.table.n == t->u.table.cap) {
		ncap = t->u.table.cap == 0 ? 8 : t->u.table.cap * 2;
		if ((nkv = reallocarray(t->u.table.kv, ncap,
		    sizeof(*nkv))) == NULL)
			return (toml_error(tp, "out of memory"));
		t->u.table.kv = nkv;
		t->u.table.cap = ncap;
	}
	nkv = &t->u.table.kv[t->u.table.n];
	nkv->key = key;
	nkv->keylen = keylen;
	nkv->line = line;
	nkv->val = val;
	index_insert(tp, t, t->u.table.n, index_hash(t, key, keylen));
	t->u.table.n++;
	return (0);
}

/* Append to an array; on failure the caller still owns v. */
static int
array_push(struct toml_parser *tp, struct toml_value *a, struct toml_value *v)
{
	struct toml_value	**nv;
	size_t			  ncap;

	if (a->u.array.n == a->u.array.cap) {
		ncap = a->u.array.cap == 0 ? 4 : a->u.array.cap * 2;
		if ((nv = reallocarray(a->u.array.v, ncap,
		    sizeof(*nv))) == NULL)
			return (toml_error(tp, "out of memory"));
		a->u.array.v = nv;
		a->u.array.cap = ncap;
	}
	a->u.array.v[a->u.array.n++] = v;
	return (0);
}

/*
 * A key made fit for a message: control characters become '?', long
 * keys are cut (on a character boundary) and end in "...".
 */
static const char *
key_show(char *buf, size_t bufsz, const char *k, size_t n)
{
	size_t	 i, cut = n;

	if (cut > KEY_SHOW) {
		cut = KEY_SHOW;
		while (cut > 0 && ((unsigned char)k[cut] & 0xc0) == 0x80)
			cut--;
	}
	if (cut + 4 > bufsz)
		cut = 0;
	for (i = 0; i < cut; i++)
		buf[i] = ((unsigned char)k[i] < 0x20 || k[i] == 0x7f) ?
		    '?' : k[i];
	buf[i] = '\0';
	if (cut < n)
		(void)strlcat(buf, "...", bufsz);
	return (buf);
}

static int
is_bare(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static void
ws_skip(struct toml_parser *tp)
{
	while (tp->p < tp->end && (*tp->p == ' ' || *tp->p == '\t'))
		tp->p++;
}

/* At '\n' or "\r\n". */
static int
nl_take(struct toml_parser *tp)
{
	if (*tp->p == '\r') {
		if (TP_LEFT(tp) < 2 || tp->p[1] != '\n')
			return (toml_error(tp, "carriage return without "
			    "line feed"));
		tp->p++;
	}
	tp->p++;
	TP_NEWLINE(tp);
	return (0);
}

/* At '#': up to, not including, the end of the line. */
static int
comment_skip(struct toml_parser *tp)
{
	unsigned char	 c;

	for (tp->p++; tp->p < tp->end; tp->p++) {
		c = (unsigned char)*tp->p;
		if (c == '\n')
			break;
		if (c == '\r') {
			if (TP_LEFT(tp) < 2 || tp->p[1] != '\n')
				return (toml_error(tp, "carriage return "
				    "without line feed"));
			break;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (toml_error(tp, "control character 0x%02x in "
			    "comment", c));
	}
	return (0);
}

/* Blanks, comments and newlines, as allowed between array elements. */
static int
ws_nl_skip(struct toml_parser *tp)
{
	while (tp->p < tp->end) {
		if (*tp->p == ' ' || *tp->p == '\t')
			tp->p++;
		else if (*tp->p == '#') {
			if (comment_skip(tp) == -1)
				return (-1);
		} else if (*tp->p == '\n' || *tp->p == '\r') {
			if (nl_take(tp) == -1)
				return (-1);
		} else
			break;
	}
	return (0);
}

/* After a header or key/value: blanks, a comment, then end of line. */
static int
line_end(struct toml_parser *tp)
{
	int	 c;

	ws_skip(tp);
	if (tp->p < tp->end && *tp->p == '#' && comment_skip(tp) == -1)
		return (-1);
	if (tp->p == tp->end)
		return (0);
	if (*tp->p == '\n' || *tp->p == '\r')
		return (nl_take(tp));
	c = (unsigned char)*tp->p;
	if (c > 0x20 && c < 0x7f)
		return (toml_error(tp, "expected end of line, found '%c'", c));
	return (toml_error(tp, "expected end of line"));
}

static void
keys_clear(struct toml_parser *tp)
{
	size_t	 i;

	for (i = 0; i < tp->nkeys; i++)
		free(tp->keys[i].s);
	tp->nkeys = 0;
}

/* A simple or dotted key into tp->keys; blanks around dots are fine. */
static int
key_read(struct toml_parser *tp)
{
	struct toml_key	*k;
	const char	*start;
	int		 c;

	keys_clear(tp);
	for (;;) {
		if (tp->nkeys == TOML_MAX_DEPTH) {
			keys_clear(tp);
			return (toml_error(tp, "key has more than %d parts",
			    TOML_MAX_DEPTH));
		}
		k = &tp->keys[tp->nkeys];
		k->line = tp->line;
		c = tp->p < tp->end ? (unsigned char)*tp->p : -1;
		if (c == '"' || c == '\'') {
			if (toml_string_read(tp, 0, &k->s, &k->len) == -1) {
				keys_clear(tp);
				return (-1);
			}
		} else if (c != -1 && is_bare(c)) {
			start = tp->p;
			while (tp->p < tp->end &&
			    is_bare((unsigned char)*tp->p))
				tp->p++;
			k->len = (size_t)(tp->p - start);
			if ((k->s = malloc(k->len + 1)) == NULL) {
				keys_clear(tp);
				return (toml_error(tp, "out of memory"));
			}
			memcpy(k->s, start, k->len);
			k->s[k->len] = '\0';
		} else {
			keys_clear(tp);
			if (c > 0x20 && c < 0x7f)
				return (toml_error(tp, "expected a key, found "
				    "'%c'", c));
			if (c == -1 || c == '\n' || c == '\r')
				return (toml_error(tp, "expected a key"));
			return (toml_error(tp, "invalid character in key"));
		}
		tp->nkeys++;
		ws_skip(tp);
		if (tp->p < tp->end && *tp->p == '.') {
			tp->p++;
			ws_skip(tp);
			continue;
		}
		return (0);
	}
}

/*
 * A new table under t named by k, made by a header or a dotted key
 * (the flag tells which, for the redefinition rules).  The key's string
 * moves into the tree.
 */
static struct toml_value *
table_child_new(struct toml_parser *tp, struct toml_value *t,
    struct toml_key *k, int flag)
{
	struct toml_value	*v;

	if (node_depth(t) >= TOML_MAX_DEPTH) {
		(void)toml_error(tp, "tables nested deeper than %d",
		    TOML_MAX_DEPTH);
		return (NULL);
	}
	if ((v = value_new(tp, TOML_TABLE, k->line, node_depth(t) + 1)) == NULL)
		return (NULL);
	v->u.table.flags |= flag;
	if (table_add(tp, t, k->s, k->len, k->line, v) == -1) {
		toml_free(v);
		return (NULL);
	}
	k->s = NULL;
	return (v);
}

/*
 * One step along a [header] path: into a table, or into the last
 * element of an array of tables, creating implicit tables as needed.
 * The key's string moves into the tree when a table is created.
 */
static struct toml_value *
header_step(struct toml_parser *tp, struct toml_value *t, struct toml_key *k)
{
	struct toml_kv		*kv;
	struct toml_value	*v;
	char			 show[KEY_SHOW + 4];

	if ((kv = table_find(tp, t, k->s, k->len)) == NULL)
		return (table_child_new(tp, t, k, TF_IMPLICIT));
	v = kv->val;
	if (v->type == TOML_TABLE) {
		if (v->u.table.flags & TF_INLINE) {
			(void)toml_error(tp, "cannot extend inline table '%s'",
			    key_show(show, sizeof(show), k->s, k->len));
			return (NULL);
		}
		return (v);
	}
	if (v->type == TOML_ARRAY && (v->u.array.flags & AF_TABLES))
		return (v->u.array.v[v->u.array.n - 1]);
	if (v->type == TOML_ARRAY)
		(void)toml_error(tp, "cannot extend static array '%s'",
		    key_show(show, sizeof(show), k->s, k->len));
	else
		(void)toml_error(tp, "key '%s' is not a table",
		    key_show(show, sizeof(show), k->s, k->len));
	return (NULL);
}

/* One step along a dotted key of a key/value pair. */
static struct toml_value *
dotted_step(struct toml_parser *tp, struct toml_value *t, struct toml_key *k)
{
	struct toml_kv		*kv;
	struct toml_value	*v;
	char			 show[KEY_SHOW + 4];

	if ((kv = table_find(tp, t, k->s, k->len)) == NULL)
		return (table_child_new(tp, t, k, TF_DOTTED));
	v = kv->val;
	key_show(show, sizeof(show), k->s, k->len);
	if (v->type != TOML_TABLE) {
		(void)toml_error(tp, "key '%s' is %s, not a table", show,
		    v->type == TOML_ARRAY ? "an array" : "a value");
		return (NULL);
	}
	if (v->u.table.flags & TF_INLINE) {
		(void)toml_error(tp, "cannot extend inline table '%s'", show);
		return (NULL);
	}
	if (v->u.table.flags & TF_HEADER) {
		(void)toml_error(tp, "cannot extend table '%s' with dotted "
		    "keys: it has its own header", show);
		return (NULL);
	}
	if (v->u.table.flags & TF_IMPLICIT)
		v->u.table.flags = (v->u.table.flags & ~TF_IMPLICIT) |
		    TF_DOTTED;
	return (v);
}

/* [a.b.c] or [[a.b.c]]; *cur becomes the table that keys go to. */
static int
header_read(struct toml_parser *tp, struct toml_value *root,
    struct toml_value **cur)
{
	struct toml_value	*t, *v, *arr = NULL;
	struct toml_kv		*kv;
	struct toml_key		*last;
	char			 show[KEY_SHOW + 4];
	size_t			 i;
	int			 aot = 0, rv = -1, depth;

	tp->p++;
	if (tp->p < tp->end && *tp->p == '[') {
		aot = 1;
		tp->p++;
	}
	ws_skip(tp);
	if (key_read(tp) == -1)
		return (-1);
	if (tp->p == tp->end || *tp->p != ']' || (aot &&
	    (TP_LEFT(tp) < 2 || tp->p[1] != ']'))) {
		(void)toml_error(tp, "expected '%s' after table name",
		    aot ? "]]" : "]");
		goto done;
	}
	tp->p += aot ? 2 : 1;

	t = root;
	for (i = 0; i + 1 < tp->nkeys; i++)
		if ((t = header_step(tp, t, &tp->keys[i])) == NULL)
			goto done;
	last = &tp->keys[tp->nkeys - 1];
	key_show(show, sizeof(show), last->s, last->len);
	depth = node_depth(t) + 1;
	kv = table_find(tp, t, last->s, last->len);

	if (!aot) {
		if (kv == NULL) {
			if (depth > TOML_MAX_DEPTH) {
				(void)toml_error(tp, "tables nested deeper "
				    "than %d", TOML_MAX_DEPTH);
				goto done;
			}
			if ((v = value_new(tp, TOML_TABLE, last->line,
			    depth)) == NULL)
				goto done;
			v->u.table.flags |= TF_HEADER;
			if (table_add(tp, t, last->s, last->len, last->line,
			    v) == -1) {
				toml_free(v);
				goto done;
			}
			last->s = NULL;
			*cur = v;
			rv = 0;
			goto done;
		}
		v = kv->val;
		if (v->type == TOML_ARRAY && (v->u.array.flags & AF_TABLES))
			(void)toml_error(tp, "table '%s' is already an array "
			    "of tables", show);
		else if (v->type != TOML_TABLE)
			(void)toml_error(tp, "duplicate key '%s'", show);
		else if (v->u.table.flags & TF_INLINE)
			(void)toml_error(tp, "cannot redefine inline table "
			    "'%s'", show);
		else if (v->u.table.flags & TF_DOTTED)
			(void)toml_error(tp, "table '%s' already defined by "
			    "dotted keys", show);
		else if (v->u.table.flags & TF_HEADER)
			(void)toml_error(tp, "table '%s' defined twice", show);
		else {
			v->u.table.flags = (v->u.table.flags & ~TF_IMPLICIT) |
			    TF_HEADER;
			v->line = last->line;
			*cur = v;
			rv = 0;
		}
		goto done;
	}

	/* [[x]]: a new table at the end of the array x */
	if (kv != NULL) {
		arr = kv->val;
		if (arr->type == TOML_ARRAY &&
		    !(arr->u.array.flags & AF_TABLES)) {
			(void)toml_error(tp, "cannot append to static array "
			    "'%s'", show);
			goto done;
		}
		if (arr->type != TOML_ARRAY) {
			(void)toml_error(tp, "key '%s' is %s, not an array of "
			    "tables", show, arr->type == TOML_TABLE ?
			    "a table" : "a value");
			goto done;
		}
	}
	if (depth + 1 > TOML_MAX_DEPTH) {
		(void)toml_error(tp, "tables nested deeper than %d",
		    TOML_MAX_DEPTH);
		goto done;
	}
	if ((v = value_new(tp, TOML_TABLE, last->line, depth + 1)) == NULL)
		goto done;
	v->u.table.flags |= TF_HEADER;
	if (kv == NULL) {
		if ((arr = value_new(tp, TOML_ARRAY, last->line,
		    depth)) == NULL) {
			toml_free(v);
			goto done;
		}
		arr->u.array.flags |= AF_TABLES;
		if (array_push(tp, arr, v) == -1) {
			toml_free(v);
			toml_free(arr);
			goto done;
		}
		if (table_add(tp, t, last->s, last->len, last->line,
		    arr) == -1) {
			toml_free(arr);
			goto done;
		}
		last->s = NULL;
	} else if (array_push(tp, arr, v) == -1) {
		toml_free(v);
		goto done;
	}
	*cur = v;
	rv = 0;
 done:
	keys_clear(tp);
	return (rv);
}

/* key = value, into table t (the current section or an inline table). */
static int
keyval_read(struct toml_parser *tp, struct toml_value *t)
{
	struct toml_value	*v;
	struct toml_key		*last;
	char			 show[KEY_SHOW + 4], *key;
	size_t			 i, keylen;
	int			 line, c;

	if (key_read(tp) == -1)
		return (-1);
	if (tp->p == tp->end || *tp->p != '=') {
		keys_clear(tp);
		c = tp->p < tp->end ? (unsigned char)*tp->p : -1;
		if (c > 0x20 && c < 0x7f)
			return (toml_error(tp, "expected '=' after key, "
			    "found '%c'", c));
		return (toml_error(tp, "expected '=' after key"));
	}
	tp->p++;
	ws_skip(tp);
	for (i = 0; i + 1 < tp->nkeys; i++)
		if ((t = dotted_step(tp, t, &tp->keys[i])) == NULL) {
			keys_clear(tp);
			return (-1);
		}
	last = &tp->keys[tp->nkeys - 1];
	if (table_find(tp, t, last->s, last->len) != NULL) {
		(void)toml_error(tp, "duplicate key '%s'",
		    key_show(show, sizeof(show), last->s, last->len));
		keys_clear(tp);
		return (-1);
	}
	key = last->s;
	keylen = last->len;
	line = last->line;
	last->s = NULL;
	keys_clear(tp);

	if (value_read(tp, node_depth(t) + 1, &v) == -1) {
		free(key);
		return (-1);
	}
	if (table_add(tp, t, key, keylen, line, v) == -1) {
		free(key);
		toml_free(v);
		return (-1);
	}
	return (0);
}

/* Any value at the cursor; depth is the one it will have in the tree. */
static int
value_read(struct toml_parser *tp, int depth, struct toml_value **out)
{
	struct toml_value	*v;
	int			 c;

	*out = NULL;
	if (tp->p == tp->end)
		return (toml_error(tp, "expected a value"));
	c = (unsigned char)*tp->p;
	if (c == '[')
		return (array_read(tp, depth, out));
	if (c == '{')
		return (inline_read(tp, depth, out));
	if ((v = value_new(tp, TOML_STRING, tp->line, 0)) == NULL)
		return (-1);
	if (c == '"' || c == '\'') {
		if (toml_string_read(tp, 1, &v->u.string.s,
		    &v->u.string.len) == -1) {
			free(v);
			return (-1);
		}
	} else if (toml_scalar_read(tp, v) == -1) {
		free(v);
		return (-1);
	}
	*out = v;
	return (0);
}

static int
array_read(struct toml_parser *tp, int depth, struct toml_value **out)
{
	struct toml_value	*a, *e;

	if (depth > TOML_MAX_DEPTH)
		return (toml_error(tp, "values nested deeper than %d",
		    TOML_MAX_DEPTH));
	if ((a = value_new(tp, TOML_ARRAY, tp->line, depth)) == NULL)
		return (-1);
	tp->p++;
	for (;;) {
		if (ws_nl_skip(tp) == -1)
			goto fail;
		if (tp->p == tp->end) {
			(void)toml_error(tp, "unterminated array");
			goto fail;
		}
		if (*tp->p == ']')
			break;
		if (value_read(tp, depth + 1, &e) == -1)
			goto fail;
		if (array_push(tp, a, e) == -1) {
			toml_free(e);
			goto fail;
		}
		if (ws_nl_skip(tp) == -1)
			goto fail;
		if (tp->p == tp->end) {
			(void)toml_error(tp, "unterminated array");
			goto fail;
		}
		if (*tp->p == ']')
			break;
		if (*tp->p != ',') {
			(void)toml_error(tp, "expected ',' or ']' in array");
			goto fail;
		}
		tp->p++;
	}
	tp->p++;
	*out = a;
	return (0);
 fail:
	toml_free(a);
	return (-1);
}

/* { k = v, ... } on one line; closed once read. */
static int
inline_read(struct toml_parser *tp, int depth, struct toml_value **out)
{
	struct toml_value	*t;

	if (depth > TOML_MAX_DEPTH)
		return (toml_error(tp, "values nested deeper than %d",
		    TOML_MAX_DEPTH));
	if ((t = value_new(tp, TOML_TABLE, tp->line, depth)) == NULL)
		return (-1);
	tp->p++;
	ws_skip(tp);
	if (tp->p < tp->end && *tp->p == '}')
		goto close;
	for (;;) {
		if (keyval_read(tp, t) == -1)
			goto fail;
		ws_skip(tp);
		if (tp->p == tp->end) {
			(void)toml_error(tp, "unterminated inline table");
			goto fail;
		}
		if (*tp->p == '}')
			break;
		if (*tp->p == '\n' || *tp->p == '\r') {
			(void)toml_error(tp, "newline in inline table");
			goto fail;
		}
		if (*tp->p != ',') {
			(void)toml_error(tp, "expected ',' or '}' in inline "
			    "table");
			goto fail;
		}
		tp->p++;
		ws_skip(tp);
		if (tp->p < tp->end && *tp->p == '}') {
			(void)toml_error(tp, "trailing comma in inline table");
			goto fail;
		}
	}
 close:
	tp->p++;
	t->u.table.flags |= TF_INLINE;
	*out = t;
	return (0);
 fail:
	toml_free(t);
	return (-1);
}

struct toml_value *
toml_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct toml_parser	 tp;
	struct toml_value	*root, *cur;
	const char		*q;
	size_t			 bad;
	int			 rv = -1;

	memset(&tp, 0, sizeof(tp));
	if (buf == NULL)
		buf = "";
	tp.p = buf;
	tp.end = buf + len;
	tp.line = 1;
	tp.err = err;
	tp.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	if (toml_utf8_check(buf, len, &bad) == -1) {
		for (q = buf; q < buf + bad; q++)
			if (*q == '\n')
				TP_NEWLINE(&tp);
		(void)toml_error(&tp, "invalid UTF-8");
		return (NULL);
	}
	if ((root = value_new(&tp, TOML_TABLE, 1, 0)) == NULL)
		return (NULL);
	root->u.table.flags |= TF_HEADER;
	if ((tp.keys = calloc(TOML_MAX_DEPTH, sizeof(*tp.keys))) == NULL) {
		(void)toml_error(&tp, "out of memory");
		goto done;
	}
	/* a byte order mark may open the document */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		tp.p += 3;

	cur = root;
	for (;;) {
		ws_skip(&tp);
		if (tp.p == tp.end)
			break;
		if (*tp.p == '[') {
			if (header_read(&tp, root, &cur) == -1)
				goto done;
		} else if (*tp.p != '#' && *tp.p != '\n' && *tp.p != '\r') {
			if (keyval_read(&tp, cur) == -1)
				goto done;
		}
		if (line_end(&tp) == -1)
			goto done;
	}
	rv = 0;
 done:
	if (tp.keys != NULL) {
		keys_clear(&tp);
		free(tp.keys);
	}
	free(tp.slots);
	if (rv == -1) {
		toml_free(root);
		return (NULL);
	}
	return (root);
}

const struct toml_value *
toml_table_get(const struct toml_value *t, const char *key)
{
	size_t	 i, n;

	if (t == NULL || t->type != TOML_TABLE || key == NULL)
		return (NULL);
	n = strlen(key);
	for (i = 0; i < t->u.table.n; i++)
		if (t->u.table.kv[i].keylen == n &&
		    memcmp(t->u.table.kv[i].key, key, n) == 0)
			return (t->u.table.kv[i].val);
	return (NULL);
}

const char *
toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_TABLE:
		return ("table");
	case TOML_ARRAY:
		return ("array");
	case TOML_STRING:
		return ("string");
	case TOML_INTEGER:
		return ("integer");
	case TOML_FLOAT:
		return ("float");
	case TOML_BOOL:
		return ("boolean");
	case TOML_DATETIME:
		return ("offset date-time");
	case TOML_DATETIME_LOCAL:
		return ("local date-time");
	case TOML_DATE_LOCAL:
		return ("local date");
	case TOML_TIME_LOCAL:
		return ("local time");
	}
	return ("unknown");
}
