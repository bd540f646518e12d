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

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "hex.h"
#include "nostr_event.h"
#include "nostr_filter.h"

enum filter_key {
	F_IDS,
	F_AUTHORS,
	F_KINDS,
	F_SINCE,
	F_UNTIL,
	F_LIMIT,
	F_TAG,
	F_NKEYS
};

static const char *const filter_keys[F_TAG] = {
	"ids", "authors", "kinds", "since", "until", "limit"
};

enum filter_pstate {
	FP_TOP,
	FP_OBJ,
	FP_VALUE,
	FP_LIST,
	FP_SKIP,
	FP_DONE,
	FP_FAILED
};

struct filter_parser {
	struct nostr_filter	*fp_f;
	enum filter_pstate	 fp_state;
	enum filter_key		 fp_key;
	struct filter_tag	*fp_tag;	/* the list of a "#x" key */
	unsigned int		 fp_seen;
	size_t			 fp_skip;
	size_t			 fp_nvals;	/* in the list at hand */
	char			 fp_name[3];	/* "#x" for messages */
	char			 fp_err[EVENT_ERRLEN];
};

static int	fp_fail(struct filter_parser *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	fp_null(void *);
static int	fp_boolean(void *, int);
static int	fp_number(void *, const char *, size_t);
static int	fp_string(void *, const unsigned char *, size_t);
static int	fp_start_map(void *);
static int	fp_map_key(void *, const unsigned char *, size_t);
static int	fp_end_map(void *);
static int	fp_start_array(void *);
static int	fp_end_array(void *);

static const yajl_callbacks filter_callbacks = {
	.yajl_null = fp_null,
	.yajl_boolean = fp_boolean,
	.yajl_integer = NULL,
	.yajl_double = NULL,
	.yajl_number = fp_number,
	.yajl_string = fp_string,
	.yajl_start_map = fp_start_map,
	.yajl_map_key = fp_map_key,
	.yajl_end_map = fp_end_map,
	.yajl_start_array = fp_start_array,
	.yajl_end_array = fp_end_array,
};

void
filter_init(struct nostr_filter *f)
{
	memset(f, 0, sizeof(*f));
}

void
filter_free(struct nostr_filter *f)
{
	size_t	 i, j;

	for (i = 0; i < f->f_ntags; i++) {
		for (j = 0; j < f->f_tags[i].ft_nvals; j++)
			free(f->f_tags[i].ft_vals[j].es_ptr);
		free(f->f_tags[i].ft_vals);
	}
	free(f->f_tags);
	free(f->f_ids);
	free(f->f_authors);
	free(f->f_kinds);
	memset(f, 0, sizeof(*f));
}

/*
 * Lists grow one element at a time: filters are built once per
 * subscription and hold a handful of values, so doubling buys nothing.
 */
int
filter_add_id(struct nostr_filter *f, const uint8_t *id)
{
	uint8_t	(*p)[EVENT_ID_LEN];

	if ((p = reallocarray(f->f_ids, f->f_nids + 1, sizeof(*p))) == NULL)
		return (-1);
	f->f_ids = p;
	memcpy(f->f_ids[f->f_nids++], id, EVENT_ID_LEN);
	f->f_has |= FILTER_HAS_IDS;
	return (0);
}

int
filter_add_author(struct nostr_filter *f, const uint8_t *pk)
{
	uint8_t	(*p)[EVENT_PUBKEY_LEN];

	if ((p = reallocarray(f->f_authors, f->f_nauthors + 1,
	    sizeof(*p))) == NULL)
		return (-1);
	f->f_authors = p;
	memcpy(f->f_authors[f->f_nauthors++], pk, EVENT_PUBKEY_LEN);
	f->f_has |= FILTER_HAS_AUTHORS;
	return (0);
}

int
filter_add_kind(struct nostr_filter *f, uint32_t kind)
{
	uint32_t	*p;

	if (kind > EVENT_KIND_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if ((p = reallocarray(f->f_kinds, f->f_nkinds + 1,
	    sizeof(*p))) == NULL)
		return (-1);
	f->f_kinds = p;
	f->f_kinds[f->f_nkinds++] = kind;
	f->f_has |= FILTER_HAS_KINDS;
	return (0);
}

static int
tag_name_ok(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static struct filter_tag *
filter_tag_find(const struct nostr_filter *f, char name)
{
	size_t	 i;

	for (i = 0; i < f->f_ntags; i++)
		if (f->f_tags[i].ft_name == name)
			return (&f->f_tags[i]);
	return (NULL);
}

/* The list for "#name", made empty if it is not there yet. */
static struct filter_tag *
filter_tag_get(struct nostr_filter *f, char name)
{
	struct filter_tag	*ft;

	if (!tag_name_ok(name)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((ft = filter_tag_find(f, name)) != NULL)
		return (ft);
	if ((ft = reallocarray(f->f_tags, f->f_ntags + 1,
	    sizeof(*ft))) == NULL)
		return (NULL);
	f->f_tags = ft;
	ft = &f->f_tags[f->f_ntags++];
	memset(ft, 0, sizeof(*ft));
	ft->ft_name = name;
	return (ft);
}

static int
filter_tag_add(struct filter_tag *ft, const char *s, size_t len)
{
	struct event_str	*v;
	char			*p;

	if (len == SIZE_MAX) {
		errno = ENOMEM;
		return (-1);
	}
	if ((v = reallocarray(ft->ft_vals, ft->ft_nvals + 1,
	    sizeof(*v))) == NULL)
		return (-1);
	ft->ft_vals = v;
	if ((p = malloc(len + 1)) == NULL)
		return (-1);
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	v[ft->ft_nvals].es_ptr = p;
	v[ft->ft_nvals].es_len = len;
	ft->ft_nvals++;
	return (0);
}

int
filter_add_tag(struct nostr_filter *f, char name, const char *s, size_t len)
{
	struct filter_tag	*ft;

	if ((ft = filter_tag_get(f, name)) == NULL)
		return (-1);
	return (filter_tag_add(ft, s, len));
}

/* Matching */

static int
bytes_listed(const uint8_t *list, size_t n, const uint8_t *v, size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (memcmp(list + i * len, v, len) == 0)
			return (1);
	return (0);
}

static int
value_listed(const struct filter_tag *ft, const struct event_str *v)
{
	size_t	 i;

	for (i = 0; i < ft->ft_nvals; i++)
		if (ft->ft_vals[i].es_len == v->es_len &&
		    memcmp(ft->ft_vals[i].es_ptr, v->es_ptr, v->es_len) == 0)
			return (1);
	return (0);
}

/* Only the first value of a tag, at index 1, is indexed (NIP-01). */
static int
tag_match(const struct filter_tag *ft, const struct nostr_event *ev)
{
	const struct event_tag	*t;
	size_t			 i;

	for (i = 0; i < ev->ev_ntags; i++) {
		t = &ev->ev_tags[i];
		if (t->t_nvals >= 2 && t->t_vals[0].es_len == 1 &&
		    t->t_vals[0].es_ptr[0] == ft->ft_name &&
		    value_listed(ft, &t->t_vals[1]))
			return (1);
	}
	return (0);
}

static int
kind_listed(const struct nostr_filter *f, uint32_t kind)
{
	size_t	 i;

	for (i = 0; i < f->f_nkinds; i++)
		if (f->f_kinds[i] == kind)
			return (1);
	return (0);
}

int
filter_match(const struct nostr_filter *f, const struct nostr_event *ev)
{
	size_t	 i;

	if ((f->f_has & FILTER_HAS_IDS) && !bytes_listed(
	    (const uint8_t *)f->f_ids, f->f_nids, ev->ev_id, EVENT_ID_LEN))
		return (0);
	if ((f->f_has & FILTER_HAS_AUTHORS) && !bytes_listed(
	    (const uint8_t *)f->f_authors, f->f_nauthors, ev->ev_pubkey,
	    EVENT_PUBKEY_LEN))
		return (0);
	if ((f->f_has & FILTER_HAS_KINDS) && !kind_listed(f, ev->ev_kind))
		return (0);
	if ((f->f_has & FILTER_HAS_SINCE) && ev->ev_created_at < f->f_since)
		return (0);
	if ((f->f_has & FILTER_HAS_UNTIL) && ev->ev_created_at > f->f_until)
		return (0);
	for (i = 0; i < f->f_ntags; i++)
		if (!tag_match(&f->f_tags[i], ev))
			return (0);
	return (1);
}

int
filters_match(const struct nostr_filter *fs, size_t n,
    const struct nostr_event *ev)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (filter_match(&fs[i], ev))
			return (1);
	return (0);
}

int
filter_equal(const struct nostr_filter *a, const struct nostr_filter *b)
{
	const struct filter_tag	*ta, *tb;
	size_t			 i, j;

	if (a->f_has != b->f_has || a->f_nids != b->f_nids ||
	    a->f_nauthors != b->f_nauthors || a->f_nkinds != b->f_nkinds ||
	    a->f_ntags != b->f_ntags || a->f_since != b->f_since ||
	    a->f_until != b->f_until || a->f_limit != b->f_limit)
		return (0);
	if ((a->f_nids > 0 && memcmp(a->f_ids, b->f_ids,
	    a->f_nids * sizeof(*a->f_ids)) != 0) ||
	    (a->f_nauthors > 0 && memcmp(a->f_authors, b->f_authors,
	    a->f_nauthors * sizeof(*a->f_authors)) != 0) ||
	    (a->f_nkinds > 0 && memcmp(a->f_kinds, b->f_kinds,
	    a->f_nkinds * sizeof(*a->f_kinds)) != 0))
		return (0);
	for (i = 0; i < a->f_ntags; i++) {
		ta = &a->f_tags[i];
		tb = &b->f_tags[i];
		if (ta->ft_name != tb->ft_name || ta->ft_nvals != tb->ft_nvals)
			return (0);
		for (j = 0; j < ta->ft_nvals; j++)
			if (ta->ft_vals[j].es_len != tb->ft_vals[j].es_len ||
			    memcmp(ta->ft_vals[j].es_ptr, tb->ft_vals[j].es_ptr,
			    ta->ft_vals[j].es_len) != 0)
				return (0);
	}
	return (1);
}

/* Serialization */

static int
buf_add_key(struct event_buf *b, int *first, const char *key)
{
	if ((!*first && event_buf_add(b, ",", 1) == -1) ||
	    event_buf_add_json(b, key, strlen(key)) == -1 ||
	    event_buf_add(b, ":", 1) == -1)
		return (-1);
	*first = 0;
	return (0);
}

static int
buf_add_hexlist(struct event_buf *b, const uint8_t *list, size_t n,
    size_t len)
{
	size_t	 i;

	if (event_buf_add(b, "[", 1) == -1)
		return (-1);
	for (i = 0; i < n; i++)
		if ((i > 0 && event_buf_add(b, ",", 1) == -1) ||
		    event_buf_add(b, "\"", 1) == -1 ||
		    event_buf_add_hex(b, list + i * len, len) == -1 ||
		    event_buf_add(b, "\"", 1) == -1)
			return (-1);
	return (event_buf_add(b, "]", 1));
}

static int
buf_add_lists(struct event_buf *b, const struct nostr_filter *f, int *first)
{
	const struct filter_tag	*ft;
	char			 key[3];
	size_t			 i, j;

	if ((f->f_has & FILTER_HAS_IDS) && (buf_add_key(b, first, "ids") ==
	    -1 || buf_add_hexlist(b, (const uint8_t *)f->f_ids, f->f_nids,
	    EVENT_ID_LEN) == -1))
		return (-1);
	if ((f->f_has & FILTER_HAS_AUTHORS) && (buf_add_key(b, first,
	    "authors") == -1 || buf_add_hexlist(b,
	    (const uint8_t *)f->f_authors, f->f_nauthors,
	    EVENT_PUBKEY_LEN) == -1))
		return (-1);
	if (f->f_has & FILTER_HAS_KINDS) {
		if (buf_add_key(b, first, "kinds") == -1 ||
		    event_buf_add(b, "[", 1) == -1)
			return (-1);
		for (i = 0; i < f->f_nkinds; i++)
			if ((i > 0 && event_buf_add(b, ",", 1) == -1) ||
			    event_buf_add_int(b, f->f_kinds[i]) == -1)
				return (-1);
		if (event_buf_add(b, "]", 1) == -1)
			return (-1);
	}
	for (i = 0; i < f->f_ntags; i++) {
		ft = &f->f_tags[i];
		key[0] = '#';
		key[1] = ft->ft_name;
		key[2] = '\0';
		if (buf_add_key(b, first, key) == -1 ||
		    event_buf_add(b, "[", 1) == -1)
			return (-1);
		for (j = 0; j < ft->ft_nvals; j++)
			if ((j > 0 && event_buf_add(b, ",", 1) == -1) ||
			    event_buf_add_json(b, ft->ft_vals[j].es_ptr,
			    ft->ft_vals[j].es_len) == -1)
				return (-1);
		if (event_buf_add(b, "]", 1) == -1)
			return (-1);
	}
	return (0);
}

static int
buf_add_filter(struct event_buf *b, const struct nostr_filter *f)
{
	int	 first = 1;

	if (event_buf_add(b, "{", 1) == -1 ||
	    buf_add_lists(b, f, &first) == -1)
		return (-1);
	if ((f->f_has & FILTER_HAS_SINCE) && (buf_add_key(b, &first,
	    "since") == -1 || event_buf_add_int(b, f->f_since) == -1))
		return (-1);
	if ((f->f_has & FILTER_HAS_UNTIL) && (buf_add_key(b, &first,
	    "until") == -1 || event_buf_add_int(b, f->f_until) == -1))
		return (-1);
	if ((f->f_has & FILTER_HAS_LIMIT) && (buf_add_key(b, &first,
	    "limit") == -1 || event_buf_add_int(b, f->f_limit) == -1))
		return (-1);
	return (event_buf_add(b, "}", 1));
}

int
filter_to_json(const struct nostr_filter *f, char **out, size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };

	if (buf_add_filter(&b, f) == -1 ||
	    event_buf_finish(&b, out, outlen) == -1) {
		event_buf_free(&b);
		return (-1);
	}
	return (0);
}

/* The parser, the same yajl state machine shape as the event's. */

static int
fp_fail(struct filter_parser *p, const char *fmt, ...)
{
	va_list	 ap;

	if (p->fp_state != FP_FAILED) {
		va_start(ap, fmt);
		(void)vsnprintf(p->fp_err, sizeof(p->fp_err), fmt, ap);
		va_end(ap);
		p->fp_state = FP_FAILED;
	}
	return (0);
}

static const char *
fp_keyname(const struct filter_parser *p)
{
	return (p->fp_key == F_TAG ? p->fp_name : filter_keys[p->fp_key]);
}

static int
fp_other(struct filter_parser *p)
{
	switch (p->fp_state) {
	case FP_SKIP:
		if (p->fp_skip == 0)
			p->fp_state = FP_OBJ;
		return (1);
	case FP_VALUE:
		if (p->fp_key == F_SINCE || p->fp_key == F_UNTIL ||
		    p->fp_key == F_LIMIT)
			return (fp_fail(p, "%s: not a non-negative integer",
			    fp_keyname(p)));
		return (fp_fail(p, "%s: not an array", fp_keyname(p)));
	case FP_LIST:
		if (p->fp_key == F_KINDS)
			return (fp_fail(p, "kinds[%zu]: not an integer in "
			    "0..65535", p->fp_nvals));
		return (fp_fail(p, "%s[%zu]: not a string", fp_keyname(p),
		    p->fp_nvals));
	case FP_TOP:
		return (fp_fail(p, "filter: not a JSON object"));
	case FP_OBJ:
	case FP_DONE:
	case FP_FAILED:
		break;
	}
	return (fp_fail(p, "filter: unexpected JSON value"));
}

static int
fp_null(void *arg)
{
	return (fp_other(arg));
}

static int
fp_boolean(void *arg, int v)
{
	(void)v;
	return (fp_other(arg));
}

static int
fp_count(struct filter_parser *p)
{
	if (p->fp_nvals >= FILTER_MAX_VALUES)
		return (fp_fail(p, "%s: more than %d values", fp_keyname(p),
		    FILTER_MAX_VALUES));
	p->fp_nvals++;
	return (1);
}

static int
fp_number(void *arg, const char *s, size_t len)
{
	struct filter_parser	*p = arg;
	struct nostr_filter	*f = p->fp_f;
	uint64_t		 v;

	if (p->fp_state == FP_LIST && p->fp_key == F_KINDS) {
		if (event_json_uint(s, len, EVENT_KIND_MAX, &v) == -1)
			return (fp_other(p));
		if (!fp_count(p))
			return (0);
		if (filter_add_kind(f, (uint32_t)v) == -1)
			return (fp_fail(p, "filter: %s", strerror(errno)));
		return (1);
	}
	if (p->fp_state != FP_VALUE || (p->fp_key != F_SINCE &&
	    p->fp_key != F_UNTIL && p->fp_key != F_LIMIT) ||
	    event_json_uint(s, len, INT64_MAX, &v) == -1)
		return (fp_other(p));
	if (p->fp_key == F_SINCE) {
		f->f_since = (int64_t)v;
		f->f_has |= FILTER_HAS_SINCE;
	} else if (p->fp_key == F_UNTIL) {
		f->f_until = (int64_t)v;
		f->f_has |= FILTER_HAS_UNTIL;
	} else {
		f->f_limit = (int64_t)v;
		f->f_has |= FILTER_HAS_LIMIT;
	}
	p->fp_state = FP_OBJ;
	return (1);
}

static int
fp_list_string(struct filter_parser *p, const char *s, size_t len)
{
	struct nostr_filter	*f = p->fp_f;
	uint8_t			 key[EVENT_ID_LEN];
	char			 name;
	int			 hex;

	if (p->fp_key == F_KINDS)
		return (fp_other(p));
	name = p->fp_key == F_TAG ? p->fp_tag->ft_name : '\0';
	hex = p->fp_key == F_IDS || p->fp_key == F_AUTHORS || name == 'e' ||
	    name == 'p';
	if (hex && hex_decode(s, len, key, sizeof(key)) == -1)
		return (fp_fail(p, "%s[%zu]: not 64 lowercase hex characters",
		    fp_keyname(p), p->fp_nvals));
	if (len > FILTER_MAX_STRING)
		return (fp_fail(p, "%s[%zu]: longer than %d bytes",
		    fp_keyname(p), p->fp_nvals, FILTER_MAX_STRING));
	if (!event_utf8_valid(s, len))
		return (fp_fail(p, "%s[%zu]: invalid UTF-8", fp_keyname(p),
		    p->fp_nvals));
	if (!fp_count(p))
		return (0);
	if ((p->fp_key == F_IDS && filter_add_id(f, key) == -1) ||
	    (p->fp_key == F_AUTHORS && filter_add_author(f, key) == -1) ||
	    (p->fp_key == F_TAG && filter_tag_add(p->fp_tag, s, len) == -1))
		return (fp_fail(p, "filter: %s", strerror(errno)));
	return (1);
}

static int
fp_string(void *arg, const unsigned char *s, size_t len)
{
	struct filter_parser	*p = arg;

	if (p->fp_state == FP_LIST)
		return (fp_list_string(p, (const char *)s, len));
	return (fp_other(p));
}

static int
fp_start_map(void *arg)
{
	struct filter_parser	*p = arg;

	if (p->fp_state == FP_TOP) {
		p->fp_state = FP_OBJ;
		return (1);
	}
	if (p->fp_state == FP_SKIP) {
		p->fp_skip++;
		return (1);
	}
	return (fp_other(p));
}

static int
fp_tag_key(struct filter_parser *p, const char *key, size_t len)
{
	if (len != 2 || !tag_name_ok(key[1]))
		return (fp_fail(p, "filter: a tag key is # and one letter"));
	p->fp_name[0] = '#';
	p->fp_name[1] = key[1];
	p->fp_name[2] = '\0';
	if (filter_tag_find(p->fp_f, key[1]) != NULL)
		return (fp_fail(p, "%s: duplicate key", p->fp_name));
	if ((p->fp_tag = filter_tag_get(p->fp_f, key[1])) == NULL)
		return (fp_fail(p, "filter: %s", strerror(errno)));
	p->fp_key = F_TAG;
	p->fp_state = FP_VALUE;
	return (1);
}

static int
fp_map_key(void *arg, const unsigned char *ukey, size_t len)
{
	struct filter_parser	*p = arg;
	const char		*key = (const char *)ukey;
	int			 k;

	if (p->fp_state == FP_SKIP)
		return (1);
	if (p->fp_state != FP_OBJ)
		return (fp_other(p));
	if (len > 0 && key[0] == '#')
		return (fp_tag_key(p, key, len));
	for (k = 0; k < F_TAG; k++)
		if (strlen(filter_keys[k]) == len &&
		    memcmp(filter_keys[k], key, len) == 0)
			break;
	if (k == F_TAG) {
		p->fp_state = FP_SKIP;
		p->fp_skip = 0;
		return (1);
	}
	if (p->fp_seen & (1U << k))
		return (fp_fail(p, "%s: duplicate key", filter_keys[k]));
	p->fp_seen |= 1U << k;
	p->fp_key = (enum filter_key)k;
	p->fp_state = FP_VALUE;
	return (1);
}

static int
fp_end_map(void *arg)
{
	struct filter_parser	*p = arg;

	if (p->fp_state == FP_SKIP) {
		if (--p->fp_skip == 0)
			p->fp_state = FP_OBJ;
		return (1);
	}
	if (p->fp_state != FP_OBJ)
		return (fp_other(p));
	p->fp_state = FP_DONE;
	return (1);
}

static int
fp_start_array(void *arg)
{
	struct filter_parser	*p = arg;

	if (p->fp_state == FP_SKIP) {
		p->fp_skip++;
		return (1);
	}
	if (p->fp_state != FP_VALUE || p->fp_key == F_SINCE ||
	    p->fp_key == F_UNTIL || p->fp_key == F_LIMIT)
		return (fp_other(p));
	/* an empty list is kept: it matches nothing */
	if (p->fp_key == F_IDS)
		p->fp_f->f_has |= FILTER_HAS_IDS;
	else if (p->fp_key == F_AUTHORS)
		p->fp_f->f_has |= FILTER_HAS_AUTHORS;
	else if (p->fp_key == F_KINDS)
		p->fp_f->f_has |= FILTER_HAS_KINDS;
	p->fp_nvals = 0;
	p->fp_state = FP_LIST;
	return (1);
}

static int
fp_end_array(void *arg)
{
	struct filter_parser	*p = arg;

	if (p->fp_state == FP_SKIP) {
		if (--p->fp_skip == 0)
			p->fp_state = FP_OBJ;
		return (1);
	}
	if (p->fp_state != FP_LIST)
		return (fp_other(p));
	p->fp_state = FP_OBJ;
	return (1);
}

static void
fp_yajl_error(yajl_handle h, char *err, size_t errlen)
{
	unsigned char	*msg;
	size_t		 len;

	if ((msg = yajl_get_error(h, 0, NULL, 0)) == NULL) {
		(void)snprintf(err, errlen, "filter: invalid JSON");
		return;
	}
	len = strlen((char *)msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	(void)snprintf(err, errlen, "filter: invalid JSON: %s", (char *)msg);
	yajl_free_error(h, msg);
}

int
filter_parse(const char *json, size_t len, struct nostr_filter *f, char *err,
    size_t errlen)
{
	struct filter_parser	 p;
	yajl_handle		 h;
	yajl_status		 st;
	char			 dummy[1];

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	filter_init(f);
	memset(&p, 0, sizeof(p));
	p.fp_f = f;
	p.fp_state = FP_TOP;
	if (len > FILTER_MAX_BYTES) {
		(void)snprintf(err, errlen, "filter: larger than %d bytes",
		    FILTER_MAX_BYTES);
		return (-1);
	}
	if ((h = yajl_alloc(&filter_callbacks, NULL, &p)) == NULL) {
		(void)snprintf(err, errlen, "filter: out of memory");
		return (-1);
	}
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_client_canceled)
		(void)snprintf(err, errlen, "%s", p.fp_err);
	else if (st != yajl_status_ok)
		fp_yajl_error(h, err, errlen);
	else if (p.fp_state != FP_DONE) {
		(void)snprintf(err, errlen, "filter: incomplete object");
		st = yajl_status_error;
	}
	yajl_free(h);
	if (st != yajl_status_ok) {
		filter_free(f);
		return (-1);
	}
	return (0);
}
