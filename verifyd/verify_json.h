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

#ifndef OA_VERIFY_JSON_H
#define OA_VERIFY_JSON_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

/*
 * verifyd's JSON, in and out.  yajl_tree cuts strings at a "\u0000"
 * and frees its trees recursively, both wrong for an agent's text, so
 * the reader here keeps every string's length and refuses nesting
 * deeper than it is told; comments are not JSON and are refused too.
 */
enum vj_type {
	VJ_NULL,
	VJ_BOOL,
	VJ_INT,
	VJ_DOUBLE,
	VJ_STRING,
	VJ_ARRAY,
	VJ_OBJECT
};

struct vj {
	enum vj_type	 t;
	int		 b;
	long long	 i;
	double		 d;		/* VJ_INT and VJ_DOUBLE */
	char		*s;		/* VJ_STRING, NUL-terminated too */
	size_t		 len;
	struct vj	**v;		/* items, or the members' values */
	char		**k;		/* the members' names */
	size_t		*klen;
	size_t		 n;
	size_t		 cap;
};

#define VJ_DEPTH_MAX	32

struct vj	*vj_parse(const char *, size_t, size_t, char *, size_t);
void		 vj_free(struct vj *);
/* the member named key, NULL if none; *dup set when it is there twice */
const struct vj	*vj_get(const struct vj *, const char *, int *);
/* a C string: NULL unless a string without a NUL inside */
const char	*vj_cstr(const struct vj *);

/*
 * An optional array of strings (absent: none) as C strings pointing
 * into the tree; -1 for another type or a string with a NUL.
 */
int		 vj_strings(const struct vj *, const char ***, size_t *);

/* A generator that remembers its first failure. */
struct vgen {
	yajl_gen	 g;
	int		 err;
};

int	 vg_init(struct vgen *);
void	 vg_free(struct vgen *);
/* strings that are not UTF-8 are written with '?' for the bad bytes */
void	 vg_str(struct vgen *, const char *, size_t);
void	 vg_cstr(struct vgen *, const char *);
void	 vg_int(struct vgen *, long long);
void	 vg_bool(struct vgen *, int);
void	 vg_map(struct vgen *, int);		/* 1 opens, 0 closes */
void	 vg_array(struct vgen *, int);
void	 vg_kstr(struct vgen *, const char *, const char *);
void	 vg_kint(struct vgen *, const char *, long long);
void	 vg_kbool(struct vgen *, const char *, int);
/* the text, malloc'd and NUL-terminated; -1 if anything failed */
int	 vg_finish(struct vgen *, char **, size_t *);

/* lowercase hex SHA-256 */
int	 vj_sha256(const char *, size_t, char [65]);

#endif /* OA_VERIFY_JSON_H */
