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

/* verifyd's JSON reader and writer: see verify_json.h. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "diff.h"
#include "nostr_event.h"
#include "util.h"
#include "verify_json.h"

struct vj_build {
	struct vj	*root;
	struct vj	*stack[VJ_DEPTH_MAX + 1];
	size_t		 depth;
	size_t		 maxdepth;
	int		 nomem;
	int		 deep;
};

void
vj_free(struct vj *j)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		vj_free(j->v[i]);
		if (j->k != NULL)
			free(j->k[i]);
	}
	free(j->v);
	free(j->k);
	free(j->klen);
	free(j->s);
	free(j);
}

static int
vj_grow(struct vj *c)
{
	struct vj	**v;
	char		**k;
	size_t		*kl, cap;

	if (c->n < c->cap)
		return (0);
	cap = c->cap == 0 ? 4 : c->cap * 2;
	if ((v = reallocarray(c->v, cap, sizeof(*v))) == NULL)
		return (-1);
	c->v = v;
	if (c->t == VJ_OBJECT) {
		if ((k = reallocarray(c->k, cap, sizeof(*k))) == NULL)
			return (-1);
		c->k = k;
		if ((kl = reallocarray(c->klen, cap, sizeof(*kl))) == NULL)
			return (-1);
		c->klen = kl;
	}
	c->cap = cap;
	return (0);
}

/* Hang a new value where the parse is: the root, an item, a member. */
static struct vj *
vj_add(struct vj_build *b, enum vj_type t)
{
	struct vj	*j, *c;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		b->nomem = 1;
		return (NULL);
	}
	j->t = t;
	if (b->depth == 0) {
		if (b->root != NULL) {
			free(j);
			return (NULL);
		}
		b->root = j;
		return (j);
	}
	c = b->stack[b->depth - 1];
	if (c->t == VJ_ARRAY) {
		if (vj_grow(c) == -1) {
			free(j);
			b->nomem = 1;
			return (NULL);
		}
		c->v[c->n++] = j;
	} else {
		/* the key came first and holds the slot */
		c->v[c->n - 1] = j;
	}
	return (j);
}

static int
vb_null(void *ctx)
{
	return (vj_add(ctx, VJ_NULL) != NULL);
}

static int
vb_bool(void *ctx, int v)
{
	struct vj	*j;

	if ((j = vj_add(ctx, VJ_BOOL)) == NULL)
		return (0);
	j->b = v != 0;
	return (1);
}

static int
vb_number(void *ctx, const char *s, size_t n)
{
	struct vj_build	*b = ctx;
	struct vj	*j;
	char		*buf, *end;
	size_t		 i = 0;
	int		 integral = 1, rc = 1;

	/* yajl has checked the syntax; the text is not NUL-terminated */
	if ((buf = malloc(n + 1)) == NULL) {
		b->nomem = 1;
		return (0);
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-')
		i++;
	for (; i < n; i++)
		if (buf[i] < '0' || buf[i] > '9')
			integral = 0;
	if ((j = vj_add(b, VJ_DOUBLE)) == NULL) {
		free(buf);
		return (0);
	}
	errno = 0;
	if (integral) {
		j->i = strtoll(buf, &end, 10);
		if (errno == 0 && *end == '\0') {
			j->t = VJ_INT;
			j->d = (double)j->i;
			free(buf);
			return (1);
		}
		errno = 0;
	}
	/* out of range is still a number: +-HUGE_VAL or 0 */
	j->d = strtod(buf, &end);
	if (*end != '\0')
		rc = 0;
	free(buf);
	return (rc);
}

static int
vb_string(void *ctx, const unsigned char *s, size_t n)
{
	struct vj_build	*b = ctx;
	struct vj	*j;

	if ((j = vj_add(b, VJ_STRING)) == NULL)
		return (0);
	if ((j->s = malloc(n + 1)) == NULL) {
		b->nomem = 1;
		return (0);
	}
	memcpy(j->s, s, n);
	j->s[n] = '\0';
	j->len = n;
	return (1);
}

static int
vb_open(struct vj_build *b, enum vj_type t)
{
	struct vj	*j;

	if (b->depth >= b->maxdepth) {
		b->deep = 1;
		return (0);
	}
	if ((j = vj_add(b, t)) == NULL)
		return (0);
	b->stack[b->depth++] = j;
	return (1);
}

static int
vb_start_map(void *ctx)
{
	return (vb_open(ctx, VJ_OBJECT));
}

static int
vb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	struct vj_build	*b = ctx;
	struct vj	*c = b->stack[b->depth - 1];
	char		*k;

	if (vj_grow(c) == -1 || (k = malloc(n + 1)) == NULL) {
		b->nomem = 1;
		return (0);
	}
	memcpy(k, s, n);
	k[n] = '\0';
	c->k[c->n] = k;
	c->klen[c->n] = n;
	c->v[c->n] = NULL;
	c->n++;
	return (1);
}

static int
vb_close(void *ctx)
{
	struct vj_build	*b = ctx;

	b->depth--;
	return (1);
}

static int
vb_start_array(void *ctx)
{
	return (vb_open(ctx, VJ_ARRAY));
}

static const yajl_callbacks	 vb_callbacks = {
	vb_null, vb_bool, NULL, NULL, vb_number, vb_string, vb_start_map,
	vb_map_key, vb_close, vb_start_array, vb_close
};

struct vj *
vj_parse(const char *text, size_t len, size_t maxdepth, char *err,
    size_t errlen)
{
	struct vj_build	 b;
	yajl_handle	 h;
	yajl_status	 st;

	memset(&b, 0, sizeof(b));
	b.maxdepth = maxdepth > VJ_DEPTH_MAX ? VJ_DEPTH_MAX : maxdepth;
	if ((h = yajl_alloc(&vb_callbacks, NULL, &b)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return (NULL);
	}
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok || b.root == NULL) {
		if (b.nomem)
			errbuf_set(err, errlen, "out of memory");
		else if (b.deep)
			errbuf_set(err, errlen, "nested deeper than %zu",
			    b.maxdepth);
		else
			errbuf_set(err, errlen, "not JSON (at byte %zu)",
			    yajl_get_bytes_consumed(h));
		yajl_free(h);
		vj_free(b.root);	/* members still without a value: NULL */
		return (NULL);
	}
	yajl_free(h);
	return (b.root);
}

const struct vj *
vj_get(const struct vj *o, const char *key, int *dup)
{
	const struct vj	*found = NULL;
	size_t		 i, klen = strlen(key);

	if (dup != NULL)
		*dup = 0;
	if (o == NULL || o->t != VJ_OBJECT)
		return (NULL);
	for (i = 0; i < o->n; i++) {
		if (o->klen[i] != klen || memcmp(o->k[i], key, klen) != 0)
			continue;
		if (found != NULL) {
			if (dup != NULL)
				*dup = 1;
			break;
		}
		found = o->v[i];
	}
	return (found);
}

const char *
vj_cstr(const struct vj *j)
{
	if (j == NULL || j->t != VJ_STRING || strlen(j->s) != j->len)
		return (NULL);
	return (j->s);
}

int
vj_strings(const struct vj *a, const char ***out, size_t *n)
{
	const char	**v;
	size_t		 i;

	*out = NULL;
	*n = 0;
	if (a == NULL)
		return (0);
	if (a->t != VJ_ARRAY)
		return (-1);
	if (a->n == 0)
		return (0);
	if ((v = calloc(a->n, sizeof(*v))) == NULL)
		return (-1);
	for (i = 0; i < a->n; i++) {
		if ((v[i] = vj_cstr(a->v[i])) == NULL) {
			free(v);
			return (-1);
		}
	}
	*out = v;
	*n = a->n;
	return (0);
}

int
vg_init(struct vgen *vg)
{
	vg->err = 0;
	if ((vg->g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	if (!yajl_gen_config(vg->g, yajl_gen_validate_utf8, 1)) {
		yajl_gen_free(vg->g);
		vg->g = NULL;
		return (-1);
	}
	return (0);
}

void
vg_free(struct vgen *vg)
{
	if (vg->g != NULL)
		yajl_gen_free(vg->g);
	vg->g = NULL;
}

static void
vg_check(struct vgen *vg, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok)
		vg->err = 1;
}

void
vg_str(struct vgen *vg, const char *s, size_t len)
{
	char	*c;
	size_t	 i;

	if (event_utf8_valid(s, len)) {
		vg_check(vg, yajl_gen_string(vg->g, (const unsigned char *)s,
		    len));
		return;
	}
	if ((c = malloc(len + 1)) == NULL) {
		vg->err = 1;
		return;
	}
	for (i = 0; i < len; i++)
		c[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	vg_check(vg, yajl_gen_string(vg->g, (const unsigned char *)c, len));
	free(c);
}

void
vg_cstr(struct vgen *vg, const char *s)
{
	vg_str(vg, s, strlen(s));
}

void
vg_int(struct vgen *vg, long long v)
{
	vg_check(vg, yajl_gen_integer(vg->g, v));
}

void
vg_bool(struct vgen *vg, int v)
{
	vg_check(vg, yajl_gen_bool(vg->g, v));
}

void
vg_map(struct vgen *vg, int open)
{
	vg_check(vg, open ? yajl_gen_map_open(vg->g) :
	    yajl_gen_map_close(vg->g));
}

void
vg_array(struct vgen *vg, int open)
{
	vg_check(vg, open ? yajl_gen_array_open(vg->g) :
	    yajl_gen_array_close(vg->g));
}

void
vg_kstr(struct vgen *vg, const char *k, const char *v)
{
	vg_cstr(vg, k);
	vg_cstr(vg, v);
}

void
vg_kint(struct vgen *vg, const char *k, long long v)
{
	vg_cstr(vg, k);
	vg_int(vg, v);
}

void
vg_kbool(struct vgen *vg, const char *k, int v)
{
	vg_cstr(vg, k);
	vg_bool(vg, v);
}

int
vg_finish(struct vgen *vg, char **out, size_t *outlen)
{
	const unsigned char	*buf;
	size_t			 len;

	*out = NULL;
	if (vg->err || yajl_gen_get_buf(vg->g, &buf, &len) !=
	    yajl_gen_status_ok)
		return (-1);
	if ((*out = malloc(len + 1)) == NULL)
		return (-1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	if (outlen != NULL)
		*outlen = len;
	return (0);
}

int
vj_sha256(const char *s, size_t len, char hex[65])
{
	return (diff_sha256(s, len, hex));
}
