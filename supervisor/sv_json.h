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
 * JSON for the supervisor's internal documents: work orders out, done
 * reports and verdicts in.  Building goes through yajl_gen, reading
 * through yajl_tree; both are small wrappers that keep the callers'
 * error handling to one check at the end.
 */

#ifndef OA_SV_JSON_H
#define OA_SV_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

struct jb {
	yajl_gen	 jb_gen;
	int		 jb_failed;
};

int		 jb_init(struct jb *);
void		 jb_open(struct jb *);		/* { */
void		 jb_close(struct jb *);		/* } */
void		 jb_aopen(struct jb *);		/* [ */
void		 jb_aclose(struct jb *);	/* ] */
void		 jb_key(struct jb *, const char *);
void		 jb_str(struct jb *, const char *);
void		 jb_strn(struct jb *, const char *, size_t);
void		 jb_int(struct jb *, int64_t);
void		 jb_bool(struct jb *, int);
void		 jb_double(struct jb *, double);
void		 jb_kstr(struct jb *, const char *, const char *);
void		 jb_kint(struct jb *, const char *, int64_t);
/* A ready JSON text, inserted verbatim (it must be valid). */
void		 jb_raw(struct jb *, const char *, size_t);
/* -1 when any step failed; *out malloc'd and NUL-terminated. */
int		 jb_finish(struct jb *, char **, size_t *);
void		 jb_free(struct jb *);

yajl_val	 js_parse(const char *, size_t, char *, size_t);
yajl_val	 js_get(yajl_val, const char *);
const char	*js_str(yajl_val, const char *);
int		 js_int(yajl_val, const char *, int64_t *);
int		 js_bool(yajl_val, const char *, int);

#endif /* OA_SV_JSON_H */
