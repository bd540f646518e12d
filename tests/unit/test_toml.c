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
 * The TOML parser against the toml-test suite ($OA_VECTORS/toml-test):
 * every valid/ document must parse and, rendered as toml-test tagged
 * JSON, equal its .json twin; every invalid/ document must be refused.
 * Then the rules the suite does not cover: redefinitions, limits, line
 * numbers and the exact error messages.
 */

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "toml.h"

/*
 * Files of the suite that are not run as they are.  This copy of the
 * suite names one valid pair without the dot ("multiline-toml" and
 * "multiline-json"), so the *.toml walk would skip it: it is run
 * explicitly, as an extra valid case.  The *.multi files under invalid/
 * are the sources the single-case files were cut from, not cases.
 */
static const struct {
	const char	*toml;
	const char	*json;
} extra_valid[] = {
	{ "valid/string/multiline-toml", "valid/string/multiline-json" },
};

/* Cases expected to go the other way than their folder says: none. */
static const struct {
	const char	*path;
	const char	*reason;
} exceptions[] = {
	{ NULL, NULL },
};

struct flist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

struct dtf {
	int	 y, mo, d, h, mi, s, off, has_date, has_time, has_off;
	long	 ns;
	int	 digits;
};

static void	 pjoin(char *, size_t, const char *, const char *);
static const char *vectors(void);
static char	*file_read(const char *, size_t *);
static void	 flist_walk(struct flist *, const char *, const char *);
static int	 flist_cmp(const void *, const void *);
static void	 flist_free(struct flist *);
static int	 render(yajl_gen, const struct toml_value *, int);
static char	*render_json(const struct toml_value *);
static int	 dt_parse(const char *, struct dtf *);
static int	 leaf_equal(yajl_val, yajl_val, char *, size_t);
static int	 json_equal(yajl_val, yajl_val, const char *, char *, size_t);
static int	 is_leaf(yajl_val);
static const char *exception_reason(const char *);
static int	 run_valid(const char *, const char *, const char *);
static struct toml_value *parse_str(const char *, char *, size_t);

static void
pjoin(char *buf, size_t len, const char *a, const char *b)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", a, b);
	ck_assert_msg(n >= 0 && (size_t)n < len, "path too long: %s", b);
}

static const char *
vectors(void)
{
	const char	*v;

	if ((v = getenv("OA_VECTORS")) == NULL || *v == '\0')
		v = "tests/vectors";
	return (v);
}

/* The whole file, NUL-terminated; NULL on error. */
static char *
file_read(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		fclose(f);
		return (NULL);
	}
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		fclose(f);
		return (NULL);
	}
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return (NULL);
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = (size_t)len;
	return (buf);
}

/* Every *.toml below dir, as paths relative to the suite. */
static void
flist_walk(struct flist *l, const char *root, const char *rel)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096], sub[4096];
	size_t		 n;

	pjoin(path, sizeof(path), root, rel);
	ck_assert_msg((d = opendir(path)) != NULL, "%s: %s", path,
	    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		pjoin(sub, sizeof(sub), rel, de->d_name);
		pjoin(path, sizeof(path), root, sub);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			flist_walk(l, root, sub);
			continue;
		}
		n = strlen(sub);
		if (n < 5 || strcmp(sub + n - 5, ".toml") != 0)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap == 0 ? 64 : l->cap * 2;
			l->v = realloc(l->v, l->cap * sizeof(*l->v));
			ck_assert_ptr_nonnull(l->v);
		}
		ck_assert_ptr_nonnull(l->v[l->n++] = strdup(sub));
	}
	closedir(d);
}

static int
flist_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
flist_free(struct flist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int
gen_str(yajl_gen g, const char *s, size_t n)
{
	return (yajl_gen_string(g, (const unsigned char *)s, n) ==
	    yajl_gen_status_ok ? 0 : -1);
}

static int
gen_leaf(yajl_gen g, const char *type, const char *value, size_t n)
{
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    gen_str(g, "type", 4) == -1 ||
	    gen_str(g, type, strlen(type)) == -1 ||
	    gen_str(g, "value", 5) == -1 || gen_str(g, value, n) == -1 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		return (-1);
	return (0);
}

/* The value as toml-test tagged JSON. */
static int
render(yajl_gen g, const struct toml_value *v, int depth)
{
	const struct toml_datetime	*dt = &v->u.dt;
	char				 buf[96], frac[16];
	const char			*type = NULL;
	size_t				 i;
	int				 n;

	if (depth > 200)
		return (-1);
	switch (v->type) {
	case TOML_TABLE:
		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			return (-1);
		for (i = 0; i < v->u.table.n; i++)
			if (gen_str(g, v->u.table.kv[i].key,
			    v->u.table.kv[i].keylen) == -1 ||
			    render(g, v->u.table.kv[i].val, depth + 1) == -1)
				return (-1);
		return (yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1);
	case TOML_ARRAY:
		if (yajl_gen_array_open(g) != yajl_gen_status_ok)
			return (-1);
		for (i = 0; i < v->u.array.n; i++)
			if (render(g, v->u.array.v[i], depth + 1) == -1)
				return (-1);
		return (yajl_gen_array_close(g) == yajl_gen_status_ok ?
		    0 : -1);
	case TOML_STRING:
		return (gen_leaf(g, "string", v->u.string.s,
		    v->u.string.len));
	case TOML_INTEGER:
		(void)snprintf(buf, sizeof(buf), "%lld",
		    (long long)v->u.integer);
		return (gen_leaf(g, "integer", buf, strlen(buf)));
	case TOML_FLOAT:
		if (isnan(v->u.flt))
			(void)strlcpy(buf, "nan", sizeof(buf));
		else if (isinf(v->u.flt))
			(void)strlcpy(buf, v->u.flt < 0 ? "-inf" : "inf",
			    sizeof(buf));
		else
			(void)snprintf(buf, sizeof(buf), "%.17g", v->u.flt);
		return (gen_leaf(g, "float", buf, strlen(buf)));
	case TOML_BOOL:
		(void)strlcpy(buf, v->u.boolean ? "true" : "false",
		    sizeof(buf));
		return (gen_leaf(g, "bool", buf, strlen(buf)));
	case TOML_DATETIME:
		type = "datetime";
		break;
	case TOML_DATETIME_LOCAL:
		type = "datetime-local";
		break;
	case TOML_DATE_LOCAL:
		type = "date-local";
		break;
	case TOML_TIME_LOCAL:
		type = "time-local";
		break;
	}
	frac[0] = '\0';
	if (dt->frac_digits > 0) {
		n = dt->frac_digits > 9 ? 9 : dt->frac_digits;
		(void)snprintf(frac, sizeof(frac), ".%09ld", dt->nanosecond);
		frac[n + 1] = '\0';
	}
	buf[0] = '\0';
	if (v->type != TOML_TIME_LOCAL)
		(void)snprintf(buf, sizeof(buf), "%04d-%02d-%02d", dt->year,
		    dt->month, dt->day);
	if (v->type == TOML_DATETIME || v->type == TOML_DATETIME_LOCAL)
		(void)strlcat(buf, "T", sizeof(buf));
	if (v->type != TOML_DATE_LOCAL) {
		n = (int)strlen(buf);
		(void)snprintf(buf + n, sizeof(buf) - (size_t)n,
		    "%02d:%02d:%02d%s", dt->hour, dt->minute, dt->second,
		    frac);
	}
	if (v->type == TOML_DATETIME) {
		n = (int)strlen(buf);
		if (dt->offset_min == 0)
			(void)strlcat(buf, "Z", sizeof(buf));
		else
			(void)snprintf(buf + n, sizeof(buf) - (size_t)n,
			    "%c%02d:%02d", dt->offset_min < 0 ? '-' : '+',
			    abs(dt->offset_min) / 60,
			    abs(dt->offset_min) % 60);
	}
	return (gen_leaf(g, type, buf, strlen(buf)));
}

static char *
render_json(const struct toml_value *v)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len;
	char			*s = NULL;

	ck_assert_ptr_nonnull(g = yajl_gen_alloc(NULL));
	(void)yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (render(g, v, 0) == 0 &&
	    yajl_gen_get_buf(g, &out, &len) == yajl_gen_status_ok) {
		ck_assert_ptr_nonnull(s = malloc(len + 1));
		memcpy(s, out, len);
		s[len] = '\0';
	}
	yajl_gen_free(g);
	return (s);
}

static int
dt_num(const char **s, int n, int *out)
{
	*out = 0;
	while (n-- > 0) {
		if (**s < '0' || **s > '9')
			return (-1);
		*out = *out * 10 + (*(*s)++ - '0');
	}
	return (0);
}

/* The expected side's date/time text, independently of the parser. */
static int
dt_parse(const char *s, struct dtf *f)
{
	int	 oh, om, sign;

	memset(f, 0, sizeof(*f));
	if (strlen(s) >= 10 && s[4] == '-') {
		if (dt_num(&s, 4, &f->y) == -1 || *s++ != '-' ||
		    dt_num(&s, 2, &f->mo) == -1 || *s++ != '-' ||
		    dt_num(&s, 2, &f->d) == -1)
			return (-1);
		f->has_date = 1;
		if (*s == '\0')
			return (0);
		if (*s != 'T' && *s != 't' && *s != ' ')
			return (-1);
		s++;
	}
	if (dt_num(&s, 2, &f->h) == -1 || *s++ != ':' ||
	    dt_num(&s, 2, &f->mi) == -1 || *s++ != ':' ||
	    dt_num(&s, 2, &f->s) == -1)
		return (-1);
	f->has_time = 1;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (f->digits < 9) {
				f->ns = f->ns * 10 + (*s - '0');
				f->digits++;
			}
			s++;
		}
		for (oh = f->digits; oh < 9; oh++)
			f->ns *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		f->has_off = 1;
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (dt_num(&s, 2, &oh) == -1 || *s++ != ':' ||
		    dt_num(&s, 2, &om) == -1)
			return (-1);
		f->off = sign * (oh * 60 + om);
		f->has_off = 1;
	}
	return (*s == '\0' ? 0 : -1);
}

static int
is_leaf(yajl_val v)
{
	yajl_val	 t;
	const char	*path[] = { "type", NULL };

	if (!YAJL_IS_OBJECT(v) || v->u.object.len != 2)
		return (0);
	t = yajl_tree_get(v, path, yajl_t_string);
	path[0] = "value";
	return (t != NULL && yajl_tree_get(v, path, yajl_t_any) != NULL);
}

static int
leaf_equal(yajl_val got, yajl_val want, char *why, size_t whylen)
{
	const char	*tp[] = { "type", NULL }, *vp[] = { "value", NULL };
	const char	*gt, *wt, *gv, *wv;
	struct dtf	 gf, wf;
	double		 gd, wd;
	long		 scale;
	int		 i;

	gt = YAJL_GET_STRING(yajl_tree_get(got, tp, yajl_t_string));
	wt = YAJL_GET_STRING(yajl_tree_get(want, tp, yajl_t_string));
	gv = YAJL_GET_STRING(yajl_tree_get(got, vp, yajl_t_string));
	wv = YAJL_GET_STRING(yajl_tree_get(want, vp, yajl_t_string));
	if (gt == NULL || wt == NULL || gv == NULL || wv == NULL) {
		(void)snprintf(why, whylen, "malformed leaf");
		return (0);
	}
	if (strcmp(gt, wt) != 0) {
		(void)snprintf(why, whylen, "type %s, expected %s", gt, wt);
		return (0);
	}
	if (strcmp(wt, "integer") == 0) {
		if (strtoll(gv, NULL, 10) == strtoll(wv, NULL, 10))
			return (1);
	} else if (strcmp(wt, "float") == 0) {
		gd = strtod(gv, NULL);
		wd = strtod(wv, NULL);
		if ((isnan(gd) && isnan(wd)) || gd == wd)
			return (1);
	} else if (strcmp(wt, "string") == 0 || strcmp(wt, "bool") == 0) {
		if (strcmp(gv, wv) == 0)
			return (1);
	} else {
		if (dt_parse(gv, &gf) == -1 || dt_parse(wv, &wf) == -1) {
			(void)snprintf(why, whylen, "bad date-time '%s' or "
			    "'%s'", gv, wv);
			return (0);
		}
		/* compare at the precision the expectation is written in */
		if (wf.digits < 9 && gf.digits > wf.digits) {
			for (scale = 1, i = wf.digits; i < 9; i++)
				scale *= 10;
			gf.ns -= gf.ns % scale;
		}
		gf.digits = wf.digits;
		if (memcmp(&gf, &wf, sizeof(gf)) == 0)
			return (1);
	}
	(void)snprintf(why, whylen, "%s '%s', expected '%s'", wt, gv, wv);
	return (0);
}

/* Structural equality; where names the place of a difference. */
static int
json_equal(yajl_val got, yajl_val want, const char *where, char *why,
    size_t whylen)
{
	char	 sub[512], r[256];
	size_t	 i, j;

	if (is_leaf(want)) {
		if (!is_leaf(got)) {
			(void)snprintf(why, whylen, "%s: expected a value",
			    where);
			return (0);
		}
		if (!leaf_equal(got, want, r, sizeof(r))) {
			(void)snprintf(why, whylen, "%s: %s", where, r);
			return (0);
		}
		return (1);
	}
	if (YAJL_IS_ARRAY(want)) {
		if (!YAJL_IS_ARRAY(got) ||
		    got->u.array.len != want->u.array.len) {
			(void)snprintf(why, whylen, "%s: expected an array of "
			    "%zu", where, want->u.array.len);
			return (0);
		}
		for (i = 0; i < want->u.array.len; i++) {
			(void)snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
			if (!json_equal(got->u.array.values[i],
			    want->u.array.values[i], sub, why, whylen))
				return (0);
		}
		return (1);
	}
	if (!YAJL_IS_OBJECT(want) || !YAJL_IS_OBJECT(got) || is_leaf(got) ||
	    got->u.object.len != want->u.object.len) {
		(void)snprintf(why, whylen, "%s: expected a table of %zu keys",
		    where, YAJL_IS_OBJECT(want) ? want->u.object.len : 0);
		return (0);
	}
	for (i = 0; i < want->u.object.len; i++) {
		for (j = 0; j < got->u.object.len; j++)
			if (strcmp(got->u.object.keys[j],
			    want->u.object.keys[i]) == 0)
				break;
		(void)snprintf(sub, sizeof(sub), "%s.%s", where,
		    want->u.object.keys[i]);
		if (j == got->u.object.len) {
			(void)snprintf(why, whylen, "%s: missing", sub);
			return (0);
		}
		if (!json_equal(got->u.object.values[j],
		    want->u.object.values[i], sub, why, whylen))
			return (0);
	}
	return (1);
}

static const char *
exception_reason(const char *rel)
{
	size_t	 i;

	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (exceptions[i].path != NULL &&
		    strcmp(exceptions[i].path, rel) == 0)
			return (exceptions[i].reason);
	return (NULL);
}

/* One valid case; 1 when it passes. */
static int
run_valid(const char *root, const char *rel, const char *jrel)
{
	struct toml_value	*v;
	yajl_val		 got = NULL, want = NULL;
	char			 path[4096], err[256], why[1024];
	char			*doc, *json = NULL, *exp;
	size_t			 len, jlen;
	int			 ok = 0;

	pjoin(path, sizeof(path), root, rel);
	ck_assert_msg((doc = file_read(path, &len)) != NULL, "%s", path);
	pjoin(path, sizeof(path), root, jrel);
	ck_assert_msg((exp = file_read(path, &jlen)) != NULL, "%s", path);
	if ((v = toml_parse(doc, len, err, sizeof(err))) == NULL) {
		fprintf(stderr, "FAIL %s: refused: %s\n", rel, err);
		goto out;
	}
	if ((json = render_json(v)) == NULL) {
		fprintf(stderr, "FAIL %s: cannot render as JSON\n", rel);
		goto out;
	}
	if ((got = yajl_tree_parse(json, err, sizeof(err))) == NULL) {
		fprintf(stderr, "FAIL %s: rendered JSON: %s\n", rel, err);
		goto out;
	}
	if ((want = yajl_tree_parse(exp, err, sizeof(err))) == NULL) {
		fprintf(stderr, "FAIL %s: expected JSON: %s\n", jrel, err);
		goto out;
	}
	if (!json_equal(got, want, "$", why, sizeof(why))) {
		fprintf(stderr, "FAIL %s: %s\n  got: %.2000s\n", rel, why,
		    json);
		goto out;
	}
	ok = 1;
 out:
	yajl_tree_free(got);
	yajl_tree_free(want);
	free(json);
	toml_free(v);
	free(doc);
	free(exp);
	return (ok);
}

START_TEST(toml_test_suite)
{
	struct flist		 valid, invalid;
	struct toml_value	*v;
	char			 root[4096], path[4096], jrel[4096], err[256];
	const char		*reason;
	char			*doc;
	size_t			 i, len, vok = 0, vn = 0, iok = 0, in = 0;
	int			 ok;

	memset(&valid, 0, sizeof(valid));
	memset(&invalid, 0, sizeof(invalid));
	(void)snprintf(root, sizeof(root), "%s/toml-test", vectors());
	flist_walk(&valid, root, "valid");
	flist_walk(&invalid, root, "invalid");
	qsort(valid.v, valid.n, sizeof(*valid.v), flist_cmp);
	qsort(invalid.v, invalid.n, sizeof(*invalid.v), flist_cmp);
	ck_assert_uint_gt(valid.n, 90);
	ck_assert_uint_gt(invalid.n, 100);

	for (i = 0; i < valid.n; i++) {
		(void)strlcpy(jrel, valid.v[i], sizeof(jrel));
		(void)strlcpy(jrel + strlen(jrel) - 5, ".json",
		    sizeof(jrel) - strlen(jrel) + 5);
		ok = run_valid(root, valid.v[i], jrel);
		if ((reason = exception_reason(valid.v[i])) != NULL) {
			fprintf(stderr, "skip %s: %s\n", valid.v[i], reason);
			ok = !ok;
		}
		vn++;
		vok += ok;
	}
	for (i = 0; i < sizeof(extra_valid) / sizeof(extra_valid[0]); i++) {
		vn++;
		vok += run_valid(root, extra_valid[i].toml,
		    extra_valid[i].json);
	}
	for (i = 0; i < invalid.n; i++) {
		pjoin(path, sizeof(path), root,
		    invalid.v[i]);
		ck_assert_msg((doc = file_read(path, &len)) != NULL, "%s",
		    path);
		ok = 1;
		if ((v = toml_parse(doc, len, err, sizeof(err))) != NULL) {
			fprintf(stderr, "FAIL %s: accepted\n", invalid.v[i]);
			ok = 0;
			toml_free(v);
		} else if (err[0] == '\0' || strncmp(err, "line ", 5) != 0) {
			fprintf(stderr, "FAIL %s: bad message '%s'\n",
			    invalid.v[i], err);
			ok = 0;
		}
		if ((reason = exception_reason(invalid.v[i])) != NULL) {
			fprintf(stderr, "skip %s: %s\n", invalid.v[i], reason);
			ok = !ok;
		}
		free(doc);
		in++;
		iok += ok;
	}
	printf("toml-test: valid %zu/%zu, invalid %zu/%zu\n", vok, vn, iok,
	    in);
	fflush(stdout);
	flist_free(&valid);
	flist_free(&invalid);
	ck_assert_msg(vok == vn && iok == in, "toml-test: valid %zu/%zu, "
	    "invalid %zu/%zu", vok, vn, iok, in);
}
END_TEST

static struct toml_value *
parse_str(const char *s, char *err, size_t errlen)
{
	return (toml_parse(s, strlen(s), err, errlen));
}

/*
 * Rules and corners beyond the suite.  ok: 1 valid, 0 invalid; msg,
 * when set, is the exact error.
 */
static const struct {
	const char	*doc;
	int		 ok;
	const char	*msg;
} cases[] = {
	/* redefinitions */
	{ "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", 0,
	    "line 4: cannot extend table 'c' with dotted keys: it has its "
	    "own header" },
	{ "[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1\n", 0, NULL },
	{ "[fruit]\napple.color = 'red'\n[fruit.apple]\n", 0,
	    "line 3: table 'apple' already defined by dotted keys" },
	{ "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nx = 1\n",
	    1, NULL },
	{ "a = {b = 1}\n[a.c]\n", 0,
	    "line 2: cannot extend inline table 'a'" },
	{ "a = {b = 1}\na.c = 2\n", 0,
	    "line 2: cannot extend inline table 'a'" },
	{ "a = {b = {c = 1}, b.d = 2}\n", 0, NULL },
	{ "a = {b.c = 1, b.d = 2}\n", 1, NULL },
	{ "a = [1]\n[[a]]\n", 0, "line 2: cannot append to static array 'a'" },
	{ "a = [{}]\n[a.b]\n", 0, NULL },
	{ "[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n", 1, NULL },
	{ "[[a]]\n[a]\n", 0,
	    "line 2: table 'a' is already an array of tables" },
	{ "[a]\n[[a]]\n", 0, NULL },
	{ "[a]\n[a]\n", 0, "line 2: table 'a' defined twice" },
	{ "[a.b]\n[a]\n[a.c]\n", 1, NULL },
	{ "a.b = 1\na.b.c = 2\n", 0,
	    "line 2: key 'b' is a value, not a table" },
	{ "name = 1\n\nname = 2\n", 0, "line 3: duplicate key 'name'" },
	{ "a = 1\n[a]\n", 0, NULL },
	{ "'a' = 1\n\"a\" = 2\n", 0, NULL },
	{ "\"\" = 1\n", 1, NULL },
	{ "\"a\\u0000b\" = 1\n\"a\\u0000c\" = 2\n", 1, NULL },
	/* scalars */
	{ "a = 9223372036854775807\n", 1, NULL },
	{ "a = -9223372036854775808\n", 1, NULL },
	{ "a = 9223372036854775808\n", 0,
	    "line 1: integer out of range '9223372036854775808'" },
	{ "a = -9223372036854775809\n", 0, NULL },
	{ "a = 0x7fffffffffffffff\n", 1, NULL },
	{ "a = 0x8000000000000000\n", 0, NULL },
	{ "a = 0b\n", 0, NULL },
	{ "a = 1e400\n", 0, NULL },
	{ "a = 1e-400\n", 1, NULL },
	{ "a = 1_000.000_1e1_0\n", 1, NULL },
	{ "a = \"\\uD800\"\n", 0, NULL },
	{ "a = \"\\U00110000\"\n", 0, NULL },
	{ "a = \"\\U0010FFFF\"\n", 1, NULL },
	{ "a = \"\\e\"\n", 0, "line 1: invalid escape '\\e'" },
	{ "a = \"\"\"\nx\\\n  \n  y\"\"\"\n", 1, NULL },
	{ "a = '''x\ry'''\n", 0, NULL },
	{ "a = 2000-02-29\n", 1, NULL },
	{ "a = 1900-02-29\n", 0, "line 1: impossible date '1900-02-29'" },
	{ "a = 2001-02-29\n", 0, NULL },
	{ "a = 2001-04-31\n", 0, NULL },
	{ "a = 2001-13-01\n", 0, NULL },
	{ "a = 23:59:60\n", 1, NULL },
	{ "a = 23:59:61\n", 0, NULL },
	{ "a = 24:00:00\n", 0, NULL },
	{ "a = 12:00:00Z\n", 0, NULL },
	{ "a = 1979-05-27 07:32:00+24:00\n", 0, NULL },
	{ "a = 1979-05-27T07:32:00.\n", 0, NULL },
	{ "a = 1979-05-27T07:32\n", 0, NULL },
	{ "a = value\n", 0, "line 1: invalid value 'value'" },
	{ "a = tru\n", 0, NULL },
	{ "a = +nan\nb = -inf\nc = +inf\n", 1, NULL },
	/* syntax */
	{ "a = 1\r\nb = 2\r\n", 1, NULL },
	{ "a = 1\rb = 2\n", 0, NULL },
	{ "\xef\xbb\xbf" "a = 1\n", 1, NULL },
	{ "a = 1 # \x01\n", 0,
	    "line 1: control character 0x01 in comment" },
	{ "a = [\n1,\n2,\n]\nb = [\n# c\n]\n", 1, NULL },
	{ "a = { b = [\n1 ] }\n", 1, NULL },
	{ "a = {\n}\n", 0, NULL },
	{ "a = \"\xed\xa0\x80\"\n", 0, "line 1: invalid UTF-8" },
	{ "\n\na = \"\xc0\xaf\"\n", 0, "line 3: invalid UTF-8" },
	{ "a = \"\xf4\x90\x80\x80\"\n", 0, NULL },
	{ "[a\n]\n", 0, NULL },
	{ "[ a . b ]\n[ a . 'c' ]\n", 1, NULL },
	{ "[[ a ]]\n", 1, NULL },
	{ "a.\n", 0, NULL },
	{ "=1\n", 0, "line 1: expected a key, found '='" },
};

START_TEST(toml_rules)
{
	struct toml_value	*v;
	char			 err[256];

	v = parse_str(cases[_i].doc, err, sizeof(err));
	if (cases[_i].ok) {
		ck_assert_msg(v != NULL, "case %d refused: %s", _i, err);
		toml_free(v);
		return;
	}
	ck_assert_msg(v == NULL, "case %d accepted", _i);
	ck_assert_msg(strncmp(err, "line ", 5) == 0, "case %d: '%s'", _i,
	    err);
	if (cases[_i].msg != NULL)
		ck_assert_str_eq(err, cases[_i].msg);
}
END_TEST

START_TEST(toml_lines)
{
	struct toml_value	*v;
	const struct toml_value	*t, *e;
	char			 err[256];
	const char		*doc =
	    "# top\n"
	    "a = 1\n"
	    "s = \"\"\"\n"
	    "x\n"
	    "\"\"\"\n"
	    "[t]\n"
	    "b = [\n"
	    "  1,\n"
	    "  2,\n"
	    "]\n"
	    "\n"
	    "[[arr]]\n"
	    "c.d = true\n";

	ck_assert_ptr_nonnull(v = parse_str(doc, err, sizeof(err)));
	ck_assert_int_eq(v->u.table.kv[0].line, 2);
	ck_assert_int_eq(v->u.table.kv[0].val->line, 2);
	ck_assert_int_eq(v->u.table.kv[1].line, 3);
	ck_assert_str_eq(v->u.table.kv[1].val->u.string.s, "x\n");
	ck_assert_int_eq(v->u.table.kv[2].line, 6);
	ck_assert_ptr_nonnull(t = toml_table_get(v, "t"));
	ck_assert_int_eq(t->line, 6);
	ck_assert_ptr_nonnull(e = toml_table_get(t, "b"));
	ck_assert_int_eq(e->line, 7);
	ck_assert_int_eq(e->u.array.v[1]->line, 9);
	ck_assert_ptr_nonnull(t = toml_table_get(v, "arr"));
	ck_assert_int_eq(t->type, TOML_ARRAY);
	ck_assert_int_eq(t->line, 12);
	ck_assert_ptr_nonnull(t = toml_table_get(t->u.array.v[0], "c"));
	ck_assert_int_eq(t->line, 13);
	ck_assert_ptr_nonnull(e = toml_table_get(t, "d"));
	ck_assert_int_eq(e->type, TOML_BOOL);
	ck_assert_int_eq(e->line, 13);
	ck_assert_ptr_null(toml_table_get(v, "nope"));
	ck_assert_ptr_null(toml_table_get(e, "d"));
	toml_free(v);

	ck_assert_ptr_null(parse_str("a = 1\nb = 2\n\nc = [1,\n2 3]\n", err,
	    sizeof(err)));
	ck_assert_str_eq(err, "line 5: expected ',' or ']' in array");
	ck_assert_ptr_null(parse_str("a = \"\"\"\n\n\n", err, sizeof(err)));
	ck_assert_str_eq(err, "line 4: unterminated multi-line string");
	ck_assert_str_eq(toml_type_name(TOML_INTEGER), "integer");
	ck_assert_str_eq(toml_type_name(TOML_TIME_LOCAL), "local time");
	/* a small error buffer is still terminated */
	ck_assert_ptr_null(toml_parse("=", 1, err, 8));
	ck_assert_str_eq(err, "line 1:");
	ck_assert_ptr_null(toml_parse("=", 1, NULL, 0));
}
END_TEST

START_TEST(toml_values)
{
	struct toml_value	*v;
	const struct toml_value	*e;
	char			 err[256];

	ck_assert_ptr_nonnull(v = parse_str(
	    "h = 0xDEAD_beef\no = 0o755\nb = 0b1010\n"
	    "f = 6.626e-34\nd = 1979-05-27T07:32:00.1234567891-07:30\n"
	    "t = 07:32:00.5\nk = \"a\\u0000b\\U0001F600\"\n"
	    "n = -0\n", err, sizeof(err)));
	ck_assert_ptr_nonnull(e = toml_table_get(v, "h"));
	ck_assert_int_eq(e->u.integer, 0xdeadbeef);
	ck_assert_int_eq(toml_table_get(v, "o")->u.integer, 0755);
	ck_assert_int_eq(toml_table_get(v, "b")->u.integer, 10);
	ck_assert_double_eq_tol(toml_table_get(v, "f")->u.flt, 6.626e-34,
	    1e-40);
	ck_assert_ptr_nonnull(e = toml_table_get(v, "d"));
	ck_assert_int_eq(e->type, TOML_DATETIME);
	ck_assert_int_eq(e->u.dt.year, 1979);
	ck_assert_int_eq(e->u.dt.second, 0);
	ck_assert_int_eq(e->u.dt.nanosecond, 123456789);
	ck_assert_int_eq(e->u.dt.frac_digits, 10);
	ck_assert_int_eq(e->u.dt.offset_min, -450);
	ck_assert_ptr_nonnull(e = toml_table_get(v, "t"));
	ck_assert_int_eq(e->type, TOML_TIME_LOCAL);
	ck_assert_int_eq(e->u.dt.nanosecond, 500000000);
	ck_assert_int_eq(e->u.dt.frac_digits, 1);
	ck_assert_ptr_nonnull(e = toml_table_get(v, "k"));
	ck_assert_uint_eq(e->u.string.len, 7);
	ck_assert_int_eq(memcmp(e->u.string.s, "a\0b\xf0\x9f\x98\x80", 8), 0);
	ck_assert_int_eq(toml_table_get(v, "n")->u.integer, 0);
	toml_free(v);
	ck_assert_ptr_null(parse_str("i = -0x0\n", err, sizeof(err)));
	ck_assert_str_eq(err,
	    "line 1: sign on a non-decimal integer '-0x0'");
}
END_TEST

/* Nesting is bounded whichever way it is written. */
START_TEST(toml_depth)
{
	struct toml_value	*v;
	char			 err[256], *doc;
	size_t			 i, n = 100000;

	ck_assert_ptr_nonnull(doc = malloc(4 * n + 16));
	/* arrays */
	for (i = 0; i < n; i++)
		doc[i] = '[';
	doc[n] = '\0';
	ck_assert_ptr_null(toml_parse(doc, n, err, sizeof(err)));
	memcpy(doc, "a = ", 4);
	ck_assert_ptr_null(toml_parse(doc, n, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nested deeper than 128") != NULL, "%s",
	    err);
	/* inline tables */
	memcpy(doc, "a = ", 4);
	for (i = 0; i < n; i++)
		memcpy(doc + 4 + 3 * i, "{b=", 3);
	ck_assert_ptr_null(toml_parse(doc, 4 + 3 * n, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nested deeper than 128") != NULL, "%s",
	    err);
	/* headers and dotted keys */
	(void)strlcpy(doc, "[a", 4 * n);
	for (i = 0; i < 200; i++)
		(void)strlcat(doc, ".a", 4 * n + 16);
	(void)strlcat(doc, "]\n", 4 * n + 16);
	ck_assert_ptr_null(toml_parse(doc, strlen(doc), err, sizeof(err)));
	ck_assert_str_eq(err, "line 1: key has more than 128 parts");
	doc[0] = '\0';
	for (i = 0; i < 60; i++)
		(void)strlcat(doc, "[[a]]\n[a.b]\n", 4 * n + 16);
	ck_assert_ptr_nonnull(v = toml_parse(doc, strlen(doc), err,
	    sizeof(err)));
	toml_free(v);
	doc[0] = '\0';
	for (i = 0; i < 127; i++)
		(void)strlcat(doc, i == 0 ? "[a" : ".a", 4 * n + 16);
	(void)strlcat(doc, "]\nb.c = [[1]]\n", 4 * n + 16);
	ck_assert_ptr_null(toml_parse(doc, strlen(doc), err, sizeof(err)));
	ck_assert_msg(strstr(err, "nested deeper than 128") != NULL, "%s",
	    err);
	doc[0] = '\0';
	for (i = 0; i < 127; i++)
		(void)strlcat(doc, i == 0 ? "[a" : ".a", 4 * n + 16);
	(void)strlcat(doc, "]\nb = 1\n", 4 * n + 16);
	ck_assert_ptr_nonnull(v = toml_parse(doc, strlen(doc), err,
	    sizeof(err)));
	toml_free(v);
	free(doc);
}
END_TEST

/* Many keys in one table stay fast (the parser indexes them). */
START_TEST(toml_many_keys)
{
	struct toml_value	*v;
	char			 err[256], *doc;
	size_t			 i, n = 200000, off = 0, cap = n * 24;
	clock_t			 t0;

	ck_assert_ptr_nonnull(doc = malloc(cap));
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(doc + off, cap - off,
		    "k%zu = %zu\n", i, i);
	off += (size_t)snprintf(doc + off, cap - off, "k7 = 1\n");
	t0 = clock();
	ck_assert_ptr_null(toml_parse(doc, off, err, sizeof(err)));
	ck_assert_msg(strcmp(err, "line 200001: duplicate key 'k7'") == 0,
	    "%s", err);
	ck_assert_ptr_nonnull(v = toml_parse(doc, off - 7, err,
	    sizeof(err)));
	ck_assert_uint_eq(v->u.table.n, n);
	toml_free(v);
	ck_assert_msg((clock() - t0) / CLOCKS_PER_SEC < 10, "too slow");
	free(doc);
}
END_TEST

/* The comparison itself must see differences. */
static int
compare_str(const char *doc, const char *expect)
{
	struct toml_value	*v;
	yajl_val		 got, want;
	char			 err[256], why[512], *json;
	int			 eq;

	ck_assert_ptr_nonnull(v = parse_str(doc, err, sizeof(err)));
	ck_assert_ptr_nonnull(json = render_json(v));
	ck_assert_ptr_nonnull(got = yajl_tree_parse(json, err, sizeof(err)));
	ck_assert_ptr_nonnull(want = yajl_tree_parse(expect, err,
	    sizeof(err)));
	eq = json_equal(got, want, "$", why, sizeof(why));
	yajl_tree_free(got);
	yajl_tree_free(want);
	free(json);
	toml_free(v);
	return (eq);
}

START_TEST(toml_compare)
{
	ck_assert(compare_str("a = 1", "{\"a\":{\"type\":\"integer\","
	    "\"value\":\"1\"}}"));
	ck_assert(!compare_str("a = 1", "{\"a\":{\"type\":\"integer\","
	    "\"value\":\"2\"}}"));
	ck_assert(!compare_str("a = 1", "{\"a\":{\"type\":\"float\","
	    "\"value\":\"1\"}}"));
	ck_assert(!compare_str("a = 1\nb = 2", "{\"a\":{\"type\":"
	    "\"integer\",\"value\":\"1\"}}"));
	ck_assert(!compare_str("a = [1]", "{\"a\":[]}"));
	ck_assert(!compare_str("a = 'x'", "{\"a\":{\"type\":\"string\","
	    "\"value\":\"y\"}}"));
	ck_assert(compare_str("a = nan", "{\"a\":{\"type\":\"float\","
	    "\"value\":\"nan\"}}"));
	ck_assert(!compare_str("a = -inf", "{\"a\":{\"type\":\"float\","
	    "\"value\":\"inf\"}}"));
	ck_assert(compare_str("a = 1979-05-27 07:32:00.6z",
	    "{\"a\":{\"type\":\"datetime\",\"value\":"
	    "\"1979-05-27T07:32:00.600Z\"}}"));
	ck_assert(!compare_str("a = 1979-05-27T07:32:00.6+01:00",
	    "{\"a\":{\"type\":\"datetime\",\"value\":"
	    "\"1979-05-27T07:32:00.6Z\"}}"));
	ck_assert(!compare_str("a = 1979-05-27T07:32:00",
	    "{\"a\":{\"type\":\"datetime\",\"value\":"
	    "\"1979-05-27T07:32:00Z\"}}"));
	ck_assert(!compare_str("a = 07:32:00.7",
	    "{\"a\":{\"type\":\"time-local\",\"value\":"
	    "\"07:32:00.6\"}}"));
	ck_assert(compare_str("[t]\ntype = 1\nvalue = 2",
	    "{\"t\":{\"type\":{\"type\":\"integer\",\"value\":\"1\"},"
	    "\"value\":{\"type\":\"integer\",\"value\":\"2\"}}}"));
}
END_TEST

static Suite *
toml_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("toml");
	tc = tcase_create("toml-test");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, toml_compare);
	tcase_add_test(tc, toml_test_suite);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, toml_rules, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, toml_lines);
	tcase_add_test(tc, toml_values);
	tcase_add_test(tc, toml_depth);
	tcase_add_test(tc, toml_many_keys);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(toml_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
