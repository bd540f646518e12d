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


#include <stdlib.h>
#include <string.h>

#include "sv_json.h"
#include "util.h"

int
jb_init(struct jb *jb)
{
	jb->jb_failed = 0;
	if ((jb->jb_gen = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	/* escaped '/' would be valid JSON too, but is noise in logs */
	(void)yajl_gen_config(jb->jb_gen, yajl_gen_validate_utf8, 1);
	return (0);
}

#define JB_STEP(jb, call) do {						\
	if (!(jb)->jb_failed && (call) != yajl_gen_status_ok)		\
		(jb)->jb_failed = 1;					\
} while (0)

void
jb_open(struct jb *jb)
{
	JB_STEP(jb, yajl_gen_map_open(jb->jb_gen));
}

void
jb_close(struct jb *jb)
{
	JB_STEP(jb, yajl_gen_map_close(jb->jb_gen));
}

void
jb_aopen(struct jb *jb)
{
	JB_STEP(jb, yajl_gen_array_open(jb->jb_gen));
}

void
jb_aclose(struct jb *jb)
{
	JB_STEP(jb, yajl_gen_array_close(jb->jb_gen));
}

void
jb_strn(struct jb *jb, const char *s, size_t len)
{
	JB_STEP(jb, yajl_gen_string(jb->jb_gen, (const unsigned char *)s,
	    len));
}

void
jb_str(struct jb *jb, const char *s)
{
	jb_strn(jb, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

void
jb_key(struct jb *jb, const char *k)
{
	jb_str(jb, k);
}

void
jb_int(struct jb *jb, int64_t v)
{
	JB_STEP(jb, yajl_gen_integer(jb->jb_gen, (long long)v));
}

void
jb_bool(struct jb *jb, int v)
{
	JB_STEP(jb, yajl_gen_bool(jb->jb_gen, v != 0));
}

void
jb_double(struct jb *jb, double v)
{
	JB_STEP(jb, yajl_gen_double(jb->jb_gen, v));
}

void
jb_kstr(struct jb *jb, const char *k, const char *v)
{
	jb_key(jb, k);
	jb_str(jb, v);
}

void
jb_kint(struct jb *jb, const char *k, int64_t v)
{
	jb_key(jb, k);
	jb_int(jb, v);
}

/*
 * yajl_gen has no verbatim insertion; a number token carries any text
 * through unchanged, and the callers only pass documents that another
 * part of the suite produced and this process already parsed.
 */
void
jb_raw(struct jb *jb, const char *s, size_t len)
{
	JB_STEP(jb, yajl_gen_number(jb->jb_gen, s, len));
}

int
jb_finish(struct jb *jb, char **out, size_t *outlen)
{
	const unsigned char	*buf;
	size_t			 len;
	char			*p;

	*out = NULL;
	if (jb->jb_failed ||
	    yajl_gen_get_buf(jb->jb_gen, &buf, &len) != yajl_gen_status_ok ||
	    (p = malloc(len + 1)) == NULL) {
		jb_free(jb);
		return (-1);
	}
	memcpy(p, buf, len);
	p[len] = '\0';
	*out = p;
	if (outlen != NULL)
		*outlen = len;
	jb_free(jb);
	return (0);
}

void
jb_free(struct jb *jb)
{
	if (jb->jb_gen != NULL)
		yajl_gen_free(jb->jb_gen);
	jb->jb_gen = NULL;
}

/* yajl_tree wants a NUL-terminated text; ours come with lengths. */
yajl_val
js_parse(const char *text, size_t len, char *err, size_t errlen)
{
	yajl_val	 v;
	char		*copy, why[128];

	if (memchr(text, '\0', len) != NULL) {
		errbuf_set(err, errlen, "NUL byte in JSON");
		return (NULL);
	}
	if ((copy = malloc(len + 1)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return (NULL);
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	why[0] = '\0';
	v = yajl_tree_parse(copy, why, sizeof(why));
	free(copy);
	if (v == NULL)
		errbuf_set(err, errlen, "bad JSON: %s", why);
	return (v);
}

yajl_val
js_get(yajl_val obj, const char *key)
{
	size_t	 i;

	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return (NULL);
	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return (obj->u.object.values[i]);
	return (NULL);
}

const char *
js_str(yajl_val obj, const char *key)
{
	yajl_val	 v = js_get(obj, key);

	return (v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL);
}

int
js_int(yajl_val obj, const char *key, int64_t *out)
{
	yajl_val	 v = js_get(obj, key);

	if (v == NULL || !YAJL_IS_INTEGER(v))
		return (-1);
	*out = YAJL_GET_INTEGER(v);
	return (0);
}

int
js_bool(yajl_val obj, const char *key, int def)
{
	yajl_val	 v = js_get(obj, key);

	if (v == NULL)
		return (def);
	if (YAJL_IS_TRUE(v))
		return (1);
	if (YAJL_IS_FALSE(v))
		return (0);
	return (def);
}
